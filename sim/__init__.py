"""zonesim: policy scenarios for China's innovation demonstration zones, scored with
the entropy weight method (熵值法).

Examples
--------
>>> import sim
>>> package = sim.load_package()                       # the shipped data/
>>> scenario = sim.load_scenario("scenarios/baseline.yaml", package)
>>> result = sim.run_scenario(package, scenario)
>>> list(result.ranking().columns)[:2]
['score', 'rank']
"""

__version__ = "0.1.0"

from sim.data import DataPackage, load_package  # noqa: E402
from sim.engine import Result, run_scenario  # noqa: E402
from sim.errors import DataError, ScenarioError, SimError  # noqa: E402
from sim.scenario import Scenario, dump_scenario, load_scenario, parse_scenario  # noqa: E402

__all__ = [
    "DataError",
    "DataPackage",
    "Result",
    "Scenario",
    "ScenarioError",
    "SimError",
    "__version__",
    "dump_scenario",
    "load_package",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]
