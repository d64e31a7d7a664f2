"""A one-year scenario made into a plan: what the app's Plan tab does with the current scenario.

The planner picks a horizon, a default trend and, per intervention, when it applies
(``from``, ``each_year``, ``until``); :func:`as_plan` writes them into the scenario's
document and validates it like a file (:func:`sim.scenario.scenario_from_dict`), so a
plan made in the app is exactly the plan its saved file gives. Each intervention's
timing is keyed by :func:`intervention_key` (what it changes, not its position), so it
follows the intervention when others are added or removed, and is dropped when the
intervention itself changes.

:func:`observed_trend_frame` shows what ``trend: observed`` would do, per indicator
and zone, before a planner chooses it.

Examples
--------
>>> import sim
>>> package = sim.load_package()
>>> one_year = sim.parse_scenario(
...     "version: 1\\nname: push\\nyear: 2020\\ninterventions:\\n"
...     "  - {zone: sunan, indicator: unicorns, by: 1}\\n", package)
>>> key = intervention_key(one_year.interventions[0])
>>> plan = as_plan(one_year, package, 2023, "+2%", {key: {"from": 2022, "each_year": True}})
>>> plan.plan.horizon, plan.plan.trend.default.text(), plan.interventions[0].timing.to_dict()
(2023, '+2%', {'from': 2022, 'each_year': True})
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.plan.schema import MAX_HORIZON_YEARS, TIMING_KEYS
from sim.plan.trend import POINTS, RATIO, observed_change
from sim.scenario import Intervention, Scenario, scenario_from_dict

#: Default trends offered for the whole table (a file may say more: per indicator, per zone).
TREND_CHOICES = ("hold", "observed", "+2%", "+5%", "+8%")


def intervention_key(item: Intervention) -> str:
    """What an intervention changes, as text: its file entry without the timing keys."""
    entry = {k: v for k, v in item.to_dict().items() if k not in TIMING_KEYS}
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)


def horizons(scenario: Scenario) -> list[int]:
    """The horizons a plan from ``scenario.year`` may have (year + 1 ... year + 10)."""
    return list(range(scenario.year + 1, scenario.year + MAX_HORIZON_YEARS + 1))


def plan_document(scenario: Scenario, horizon: int, trend_default: str,
                  timings: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The scenario's document with ``horizon``, the default trend and each intervention's timing.

    Parameters
    ----------
    scenario : Scenario
        A one-year scenario (a plan's own horizon, trend and timings are replaced).
    horizon : int
    trend_default : str
        ``hold``, ``observed`` or ``"+N%"``.
    timings : mapping
        ``{intervention_key: {"from": year, "each_year": bool, "until": year}}``; keys
        absent (or None, False) are left out of the file, i.e. take their defaults.
    """
    document = scenario.to_dict()
    for key in ("horizon", "trend"):
        document.pop(key, None)
    document["horizon"] = horizon
    if trend_default != "hold":
        document["trend"] = {"default": trend_default}
    entries = []
    for item, entry in zip(scenario.interventions, document.get("interventions", [])):
        entry = {k: v for k, v in entry.items() if k not in TIMING_KEYS}
        timing = timings.get(intervention_key(item)) or {}
        if timing.get("from") is not None:
            entry["from"] = int(timing["from"])
        if timing.get("each_year"):
            entry["each_year"] = True
            if timing.get("until") is not None:
                entry["until"] = int(timing["until"])
        entries.append(entry)
    document["interventions"] = entries
    return document


def as_plan(scenario: Scenario, package: DataPackage, horizon: int, trend_default: str = "hold",
            timings: Mapping[str, Mapping[str, Any]] | None = None) -> Scenario:
    """The scenario as a plan (see :func:`plan_document`), validated like a file.

    Raises
    ------
    ScenarioError
        A timing or horizon the file format refuses (a ``from`` after the horizon, an
        ``observed`` trend on data with one year...), each problem named.
    """
    document = plan_document(scenario, horizon, trend_default, timings or {})
    return scenario_from_dict(document, package, source=scenario.source or "scenario")


#: Years a plan made from the current scenario projects when the planner has not chosen.
DEFAULT_YEARS = 5


def plan_settings(scenario: Scenario, prefs: Mapping[str, Any]) -> tuple[int, str, dict]:
    """The horizon, default trend and timings the app's Plan tab makes ``scenario`` a plan with.

    Read from the app's preferences (``plan_horizon``, ``plan_trend``, ``plan_timing``);
    a value missing or no longer offered gives the default (:data:`DEFAULT_YEARS` years,
    the first of :data:`TREND_CHOICES`), so the tab and the share link agree.

    >>> import sim
    >>> one_year = sim.parse_scenario("version: 1\\nname: x\\nyear: 2020\\n", sim.load_package())
    >>> plan_settings(one_year, {"plan_horizon": 1999})
    (2025, 'hold', {})
    """
    years = horizons(scenario)
    horizon = prefs.get("plan_horizon") if prefs.get("plan_horizon") in years else years[DEFAULT_YEARS - 1]
    trend = prefs.get("plan_trend") if prefs.get("plan_trend") in TREND_CHOICES else TREND_CHOICES[0]
    return horizon, trend, dict(prefs.get("plan_timing") or {})


def observed_trend_frame(package: DataPackage, year: int, lang: str = "zh") -> pd.DataFrame | None:
    """What ``trend: observed`` gives per indicator (rows, by name) and zone (columns): ``+8.1%``,
    ``+0.3`` (points a year, for rates) or ``—`` (held); None when the data have no earlier year."""
    change = observed_change(package, year)
    if change is None:
        return None
    yearly = change.yearly_change(named=False)
    rules = change.rules["default"]
    rows = {}
    for indicator in package.indicator_ids:
        cells = []
        for zone in package.zone_ids:
            value = yearly.at[zone, indicator] if zone in yearly.index else float("nan")
            if rules[indicator] == RATIO and pd.notna(value):
                cells.append(f"{value:+.1f}%")
            elif rules[indicator] == POINTS and pd.notna(value):
                cells.append(f"{value:+.2f}")
            else:
                cells.append("—")
        rows[package.name("indicator", indicator, lang)] = cells
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=[package.name("zone", zone, lang) for zone in package.zone_ids])
