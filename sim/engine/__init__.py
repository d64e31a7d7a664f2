"""The engine: apply a scenario to tables with any leading batch axes, and score them.

One implementation (DESIGN section 6) for one scenario, an analysis' million variants
and a plan's years:

- :mod:`sim.engine.tables`: the arithmetic on arrays ``(..., zones, indicators)``:
  edits (interventions and an analysis' own changes), links, rounding, range checks;
- :mod:`sim.engine.compiled`: a scenario compiled for its package and year
  (:func:`compile_scenario`), with :meth:`~CompiledScenario.finish` and
  :meth:`~CompiledScenario.score` for any batch, through the batched scorer
  :func:`sim.method.entropy.entropy_scores`;
- :mod:`sim.engine.run`: :func:`run_scenario`, the engine on a batch of one plus the
  explanations (origins and causes, decomposition, drift, warnings);
- :mod:`sim.engine.result`: :class:`Result` and :class:`Cause`;
- :mod:`sim.engine.explain`: the warnings.

The flow is one-way: the baseline table of the scenario's year is copied, the
interventions are applied in file order, the links (the package's identity links,
then the scenario's assumptions, in dependency order) propagate the changes once,
counts are rounded to whole numbers, every value is checked against its indicator's
valid range, and both the baseline and the scenario are scored with the same method.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import parse_scenario
>>> from sim.engine import run_scenario
>>> package = load_package()
>>> scenario = parse_scenario(
...     "version: 1\\nname: more unicorns\\nyear: 2020\\n"
...     "interventions: [{zone: sunan, indicator: unicorns, by: 3}]\\n", package)
>>> result = run_scenario(package, scenario)
>>> parts = result.decomposition.loc["sunan"]
>>> bool(abs(parts["data"] + parts["weights"] - parts["total"]) < 1e-12)
True
>>> str(result.causes[("sunan", "unicorns")].describe())
'interventions[0] (line 4)'
"""

from sim.engine.compiled import CompiledScenario, analysis_model, compile_scenario, package_arrays
from sim.engine.result import ORIGIN_INTERVENTION, ORIGIN_LINK, ORIGIN_NONE, Cause, Result, provenance
from sim.engine.run import AppliedTable, apply_scenario, explain, run_scenario
from sim.engine.tables import Edit, LinkRule, TableRules, apply_edits, finish, propagate_links

__all__ = [
    "AppliedTable",
    "Cause",
    "CompiledScenario",
    "Edit",
    "LinkRule",
    "ORIGIN_INTERVENTION",
    "ORIGIN_LINK",
    "ORIGIN_NONE",
    "Result",
    "TableRules",
    "analysis_model",
    "apply_edits",
    "apply_scenario",
    "compile_scenario",
    "explain",
    "finish",
    "package_arrays",
    "propagate_links",
    "provenance",
    "run_scenario",
]
