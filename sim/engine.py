"""Apply a scenario to the baseline and score it: one :class:`Result`.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.data import DataPackage, range_problems
from sim.errors import ScenarioError
from sim.links import Link, link_order
from sim.method.entropy import composite_scores
from sim.method.options import Method
from sim.method.scoring import ScoreTable
from sim.scenario import Scenario

ORIGIN_NONE, ORIGIN_INTERVENTION, ORIGIN_LINK = "", "intervention", "link"
_MINMAX_FAMILY = {"minmax", "minmax-shift"}


@dataclass(frozen=True)
class AppliedTable:
    """The scenario's indicator table and where each changed value came from.

    Attributes
    ----------
    values : pandas.DataFrame
        Zones x indicators after interventions, links and rounding.
    origin : pandas.DataFrame
        ``""`` (unchanged), ``"intervention"`` or ``"link"`` per cell.
    notes : list of str
        Roundings of counts and link effects, in words.
    """

    values: pd.DataFrame
    origin: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    """A scored scenario next to its baseline.

    Attributes
    ----------
    scenario : Scenario
    method : Method
        The full method used (package defaults plus the scenario's options).
    baseline_values, values : pandas.DataFrame
        Zones x indicators before and after.
    origin : pandas.DataFrame
        Which cells came from interventions and which from links.
    scored, baseline : ScoreTable
        The scenario and the baseline scored with the same method.
    decomposition : pandas.DataFrame
        Per zone: ``data`` (the data change with baseline weights), ``weights``
        (the shift of the weights), ``total``; data + weights = total.
    warnings : list of str
    provenance : dict
    """

    scenario: Scenario
    method: Method
    baseline_values: pd.DataFrame
    values: pd.DataFrame
    origin: pd.DataFrame
    scored: ScoreTable
    baseline: ScoreTable
    decomposition: pd.DataFrame
    warnings: list[str]
    provenance: dict[str, Any]

    @property
    def year(self) -> int:
        return self.scenario.year

    @property
    def delta(self) -> pd.Series:
        """Score change per zone (points)."""
        return (self.scored.scores - self.baseline.scores).rename("delta")

    @property
    def rank_change(self) -> pd.Series:
        """Places gained per zone (positive = moved up)."""
        return (self.baseline.ranks - self.scored.ranks).rename("rank_change")

    @property
    def weight_drift(self) -> pd.DataFrame:
        """Per indicator: baseline weight, scenario weight and the change (fractions)."""
        return pd.DataFrame(
            {
                "baseline_weight": self.baseline.weights,
                "weight": self.scored.weights,
                "change": self.scored.weights - self.baseline.weights,
            }
        )

    def ranking(self) -> pd.DataFrame:
        """One row per zone, best first: score, rank, baseline score and rank, deltas."""
        frame = pd.DataFrame(
            {
                "score": self.scored.scores,
                "rank": self.scored.ranks,
                "baseline_score": self.baseline.scores,
                "baseline_rank": self.baseline.ranks,
                "delta": self.delta,
                "rank_change": self.rank_change,
            }
        )
        return frame.sort_values(["rank", "score"], ascending=[True, False], kind="stable")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of DESIGN section 5 (full precision; rounding is for display)."""
        ranking = self.ranking()
        zones = [
            {
                "zone": zone,
                "score": float(row["score"]),
                "rank": int(row["rank"]),
                "baseline_score": float(row["baseline_score"]),
                "baseline_rank": int(row["baseline_rank"]),
                "delta": float(row["delta"]),
                "groups": {g: float(v) for g, v in self.scored.group_scores.loc[zone].items()},
                "decomposition": {k: float(v) for k, v in self.decomposition.loc[zone].items()},
            }
            for zone, row in ranking.iterrows()
        ]
        changed = [
            {
                "zone": zone,
                "indicator": indicator,
                "baseline": float(self.baseline_values.at[zone, indicator]),
                "value": float(self.values.at[zone, indicator]),
                "origin": self.origin.at[zone, indicator],
            }
            for zone in self.values.index
            for indicator in self.values.columns
            if self.origin.at[zone, indicator]
        ]
        return {
            "scenario": self.scenario.name,
            "year": self.year,
            "method": self.method.to_dict(),
            "weights": {k: float(v) for k, v in self.scored.weights.items()},
            "zones": zones,
            "changes": changed,
            "weight_drift": {k: float(v) for k, v in self.weight_drift["change"].items()},
            "warnings": list(self.warnings),
            "provenance": self.provenance,
        }


def apply_scenario(package: DataPackage, scenario: Scenario) -> AppliedTable:
    """Apply the interventions and links of a scenario to its baseline year.

    Raises
    ------
    ScenarioError
        A value leaves its indicator's valid range, or a link meets a baseline of 0,
        each named with the intervention (and its line) or link that caused it.
    """
    base = package.table(scenario.year)
    values = base.copy()
    origin = pd.DataFrame(ORIGIN_NONE, index=base.index, columns=base.columns)
    cause: dict[tuple[str, str], str] = {}
    source = scenario.source or "scenario"
    for position, intervention in enumerate(scenario.interventions):
        label = f"interventions[{position}]" + (f" (line {intervention.line})" if intervention.line else "")
        for zone in intervention.zone_ids(package.zone_ids):
            for indicator in intervention.indicators:
                values.at[zone, indicator] = intervention.new_value(values.at[zone, indicator])
                origin.at[zone, indicator] = ORIGIN_INTERVENTION
                cause[(zone, indicator)] = f"{label}: {indicator} {intervention.describe()} for {zone}"

    problems: list[str] = []
    notes: list[str] = []
    ordered, _ = link_order([*package.links, *scenario.links])
    for link in ordered or []:
        _propagate(link, base, values, origin, cause, problems)
    if problems:
        raise ScenarioError(problems, source)

    for indicator in package.indicators.index[package.indicators["integer"]]:
        column = values[indicator]
        rounded = np.sign(column) * np.floor(np.abs(column) + 0.5)  # half away from zero
        # Floating-point noise (50 * 1.1 = 55.000000000000007) is rounded away without a note.
        visible = (rounded - column).abs() > 1e-9 * np.maximum(1.0, column.abs())
        for zone in column.index[visible]:
            notes.append(
                f"{package.name('indicator', indicator)} ({indicator}) for {zone}: "
                f"{column[zone]:.6g} rounded to {rounded[zone]:.0f} (counts are whole numbers, half away from zero)"
            )
        values[indicator] = rounded + 0.0

    # Every changed cell is checked: an out-of-range value is named with its cause.
    for (zone, indicator), why in cause.items():
        meta = package.indicators.loc[indicator]
        for problem in range_problems(indicator, meta, float(values.at[zone, indicator])):
            problems.append(f"{why}: the result for {zone}, {problem}")
    if problems:
        raise ScenarioError(problems, source)
    return AppliedTable(values=values, origin=origin, notes=notes)


def _propagate(
    link: Link,
    base: pd.DataFrame,
    values: pd.DataFrame,
    origin: pd.DataFrame,
    cause: dict[tuple[str, str], str],
    problems: list[str],
) -> None:
    """Apply one link to every zone whose ``from`` value changed."""
    for zone in values.index:
        before, after = base.at[zone, link.source], values.at[zone, link.source]
        if after == before:
            continue
        if link.elasticity is not None:
            if before == 0:
                problems.append(
                    f"link {link.source} -> {link.target}: {zone} has {link.source} = 0 in the baseline, "
                    "so a relative change (elasticity) is undefined"
                )
                continue
            factor = 1.0 + link.elasticity * (after / before - 1.0)
            values.at[zone, link.target] = values.at[zone, link.target] * factor
        else:
            values.at[zone, link.target] = values.at[zone, link.target] + link.additive * (after - before)
        if origin.at[zone, link.target] == ORIGIN_NONE:
            origin.at[zone, link.target] = ORIGIN_LINK
        kind = f"elasticity {link.elasticity:g}" if link.elasticity is not None else f"additive {link.additive:g}"
        # Name what moved the link's source too, so an out-of-range result leads back to a line of the file.
        upstream = cause.get((zone, link.source))
        cause.setdefault(
            (zone, link.target),
            f"link {link.source} -> {link.target} ({link.origin}, {kind}) for {zone}"
            + (f", after {upstream}" if upstream else ""),
        )


def run_scenario(package: DataPackage, scenario: Scenario) -> Result:
    """Apply a scenario, score it and the baseline with the same method.

    Parameters
    ----------
    package : DataPackage
    scenario : Scenario

    Returns
    -------
    Result

    Raises
    ------
    ScenarioError
        Invalid results (out-of-range values) — nothing is scored then.
    DataError
        A table the method cannot score (e.g. a value <= 0 under ``ratio``).
    """
    method = scenario.method(package)
    applied = apply_scenario(package, scenario)
    base_values = package.table(scenario.year)
    baseline = package.score(scenario.year, method)
    scored = package.score(scenario.year, method, values=applied.values)
    # The scenario's normalised data under the baseline's weights: the gain from the
    # data alone (normalisation does not depend on the weights, so no second scoring).
    data_only = composite_scores(
        np.ascontiguousarray(scored.score_normalized.to_numpy()), baseline.weights[scored.weights.index].to_numpy()
    )
    data_part = pd.Series(data_only, index=scored.scores.index) - baseline.scores
    total = scored.scores - baseline.scores
    decomposition = pd.DataFrame({"data": data_part, "weights": total - data_part, "total": total})
    warnings = [*scored.warnings, *applied.notes, *minmax_artefacts(package, scenario, method, base_values, applied)]
    return Result(
        scenario=scenario,
        method=method,
        baseline_values=base_values,
        values=applied.values,
        origin=applied.origin,
        scored=scored,
        baseline=baseline,
        decomposition=decomposition,
        warnings=warnings,
        provenance=provenance(package, scenario.year),
    )


def provenance(package: DataPackage, year: int) -> dict[str, Any]:
    """Where the numbers come from: data digest, program version, value sources."""
    sources = package.baseline.loc[package.baseline["year"] == year, "source"].fillna("")
    counts = sources[sources != ""].value_counts(sort=False)
    # Most common first (ties alphabetically), so the first source describes most values.
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "data": package.digest,
        "version": __version__,
        "data_folder": str(package.root) if package.root else None,
        "values": int(len(sources)),
        "sources": [source for source, _ in ordered],
        "source_counts": {source: int(n) for source, n in ordered},
    }


def minmax_artefacts(
    package: DataPackage, scenario: Scenario, method: Method, base: pd.DataFrame, applied: AppliedTable
) -> list[str]:
    """Warnings for the known artefacts of min-max with few zones, when they bite.

    - an intervention on a zone that stays last on that indicator: no credit;
    - a change applied equally to every zone: no effect on weights or scores;
    - a zone passing the previous maximum: everyone else's normalised values fall.
    """
    warnings: list[str] = []
    values = applied.values
    scores_minmax = method.scoring in _MINMAX_FAMILY
    is_benefit = package.indicators["direction"] == "benefit"
    for position, intervention in enumerate(scenario.interventions):
        label = f"interventions[{position}]" + (f" (line {intervention.line})" if intervention.line else "")
        zones = intervention.zone_ids(package.zone_ids)
        for indicator in intervention.indicators:
            benefit = bool(is_benefit[indicator])
            new, old = values[indicator], base[indicator]
            worst_new = new.min() if benefit else new.max()
            worst_old = old.min() if benefit else old.max()
            if scores_minmax and len(zones) < len(values.index):
                for zone in zones:
                    if new[zone] != old[zone] and new[zone] == worst_new and old[zone] == worst_old:
                        warnings.append(
                            f"{label}: {zone} stays last on {indicator}, so under min-max it still scores 0 there: "
                            "the change earns no credit"
                        )
            if set(zones) == set(values.index) and _leaves_normalised_values(intervention, method):
                warnings.append(_common_change_warning(label, intervention, indicator, package, scenario))
            for zone in zones:
                others_old, others_new = old.drop(zone), new.drop(zone)
                best_other_old = others_old.max() if benefit else others_old.min()
                best_other_new = others_new.max() if benefit else others_new.min()
                behind_before = old[zone] < best_other_old if benefit else old[zone] > best_other_old
                # Ties at the new top count: the others' normalised values fall all the same.
                ahead_now = (
                    new[zone] >= best_other_new and new[zone] > best_other_old
                    if benefit
                    else new[zone] <= best_other_new and new[zone] < best_other_old
                )
                if behind_before and ahead_now and method.goalposts == "scenario":
                    warnings.append(
                        f"{label}: {zone} passes the best value of {indicator} held by another zone "
                        f"({best_other_new:g}), which lowers every other zone's normalised value on it"
                    )
    return warnings


def _common_change_warning(label: str, intervention, indicator: str, package: DataPackage, scenario: Scenario) -> str:
    """The no-effect warning, claiming unchanged scores only when rounding and links cannot move them."""
    whole = intervention.percent is None and float(intervention.amount or 0.0).is_integer()
    rounded = bool(package.indicators.at[indicator, "integer"]) and not whole
    targets = sorted({link.target for link in (*package.links, *scenario.links) if link.source == indicator})
    text = (
        f"{label}: {indicator} changes {intervention.describe()} for every zone, which leaves its normalised values"
        f"{' (up to rounding to whole numbers)' if rounded else ''} unchanged: no zone gains on it"
    )
    if targets:
        return text + f"; scores can still move through the links to {', '.join(targets)}"
    if rounded:
        return text + "; scores move only as far as the rounding of counts moves them"
    return text + ", and all weights and scores stay as they were"


def _leaves_normalised_values(intervention, method: Method) -> bool:
    """Whether the same change for every zone leaves every normalised value as it was."""
    if intervention.to is not None or method.goalposts != "scenario":
        return False
    if intervention.percent is not None:
        # A common factor > 0 cancels in min-max, x / max and min / x alike.
        return intervention.percent > -100
    # A common shift cancels in min-max only.
    return method.normalization in _MINMAX_FAMILY and method.scoring in _MINMAX_FAMILY
