"""Plans over years (issue 13, DESIGN section 4 "Plans over years").

A plan is a scenario file with a ``horizon``: the observed ``year``'s table is projected
to every year up to the horizon along a **baseline path** (the ``trend``: hold, the
observed change, or "+N%" a year, per indicator and per zone), and the **plan path**
applies the interventions active in each year (``from``, ``each_year``, ``until``) to
that year's baseline table. Each year is scored on its own with the scenario's method.

It runs on the one engine (:mod:`sim.engine`): the years are a batch, base tables
stacked ``(years, zones, indicators)``, each intervention an edit with the years it is
active in; links, rounding, range checks and the batched scorer are the engine's.

- :mod:`~sim.plan.schema`: the plan's keys in a scenario file, validated with
  line-numbered messages, and written back canonically;
- :mod:`~sim.plan.trend`: the baseline path (trend rules, the observed change,
  rounding, clamping with warnings);
- :mod:`~sim.plan.compiled`: :func:`compile_plan`, the plan as the engine's arrays;
- :mod:`~sim.plan.run`: :func:`run_plan`, giving a :class:`~sim.plan.result.PlanResult`;
- :mod:`~sim.plan.report`: text, CSV and JSON of plans (``run``, ``compare``);
- :mod:`~sim.plan.goalseek`, :mod:`~sim.plan.robustness`: the analyses on a plan.

The names below are imported on first use, so that :mod:`sim.scenario` can read a
plan's keys (:mod:`sim.plan.schema`) without importing the engine.

Examples
--------
>>> import sim
>>> from sim.plan import run_plan
>>> package = sim.load_package()
>>> plan = sim.parse_scenario(
...     "version: 1\\nname: hold\\nyear: 2020\\nhorizon: 2022\\n", package)
>>> result = run_plan(package, plan)
>>> result.years
(2021, 2022)
>>> bool((result.scores("plan").loc[2022] == result.observed.scored.scores).all())
True
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PlanKeys": "sim.plan.schema",
    "Timing": "sim.plan.schema",
    "Trend": "sim.plan.schema",
    "TrendRule": "sim.plan.schema",
    "CompiledPlan": "sim.plan.compiled",
    "compile_plan": "sim.plan.compiled",
    "PlanResult": "sim.plan.result",
    "YearResult": "sim.plan.result",
    "Overtaking": "sim.plan.result",
    "run_plan": "sim.plan.run",
    "run_any": "sim.plan.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim.plan' has no attribute {name!r}")
