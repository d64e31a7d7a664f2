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
>>> plan = sim.load_scenario("scenarios/plan_sunan_catch_up_2021_2025.yaml", package)
>>> sim.run_plan(package, plan).years                  # a plan over years: one result per year
(2021, 2022, 2023, 2024, 2025)
"""

__version__ = "0.1.0"

from sim.data import DataPackage, load_package  # noqa: E402
from sim.engine import Result, run_scenario  # noqa: E402
from sim.errors import DataError, ScenarioError, SimError  # noqa: E402
from sim.plan.result import PlanResult  # noqa: E402
from sim.plan.run import run_plan  # noqa: E402
from sim.scenario import Scenario, dump_scenario, load_scenario, parse_scenario  # noqa: E402

__all__ = [
    "DataError",
    "DataPackage",
    "PlanResult",
    "Result",
    "Scenario",
    "ScenarioError",
    "SimError",
    "__version__",
    "dump_scenario",
    "load_package",
    "load_scenario",
    "parse_scenario",
    "run_plan",
    "run_scenario",
]
