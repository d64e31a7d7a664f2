"""What a run gives back: :class:`Result`, the :class:`Cause` of each changed value, provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim import __version__
from sim.data import DataPackage
from sim.messages import Message, Ref, msg
from sim.method.options import Method
from sim.method.scoring import ScoreTable
from sim.scenario import Scenario

ORIGIN_NONE, ORIGIN_INTERVENTION, ORIGIN_LINK = "", "intervention", "link"
#: Origin codes of the engine's arrays, as the words of :attr:`Result.origin`.
ORIGIN_WORDS = (ORIGIN_NONE, ORIGIN_INTERVENTION, ORIGIN_LINK)


@dataclass(frozen=True)
class Cause:
    """Why a value of the scenario's table changed.

    Attributes
    ----------
    kind : {"intervention", "link"}
    intervention : int or None
        Position in ``scenario.interventions`` of the intervention that changed the
        value (for a link: the one that set off the chain), or None.
    line : int or None
        That intervention's line in its file, or None.
    via : str or None
        For a link: the indicator id the link comes from.
    target : str or None
        For a link: the indicator it moves (the changed value's indicator).
    """

    kind: str
    intervention: int | None = None
    line: int | None = None
    via: str | None = None
    target: str | None = None

    def label(self) -> Message | None:
        """``interventions[0] (line 12)`` for the intervention behind the change, if any."""
        if self.intervention is None:
            return None
        if self.line:
            return msg("engine.intervention_line", index=self.intervention, line=self.line)
        return msg("engine.intervention", index=self.intervention)

    def describe(self) -> Message:
        """``interventions[0] (line 12)``, or ``via the link from R&D spending`` (with names)."""
        if self.kind == "link":
            return msg("engine.cause_link", source=Ref("indicator", self.via))
        return self.label()

    def trail(self) -> Message:
        """:meth:`describe`, with the intervention that set off a link: the prefix of warnings."""
        if self.kind == "link" and self.intervention is not None:
            return msg("engine.cause_link_after", source=Ref("indicator", self.via), upstream=self.label())
        return self.describe()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "intervention": self.intervention,
            "line": self.line,
            "via": self.via,
            "text": str(self.trail()),
        }


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
    causes : dict
        ``(zone, indicator) -> Cause`` for every changed value, in table order.
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
    causes: dict[tuple[str, str], Cause] = field(default_factory=dict)

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
        """One row per zone, best first: score, rank, baseline score and rank, deltas, and
        ``gap_to_next``: the points this zone is behind the zone one place up (NaN for the
        first), i.e. what it takes to draw level; a small gap is a rank easily lost.

        Examples
        --------
        >>> from sim.data import load_package
        >>> from sim.engine import run_scenario
        >>> from sim.scenario import baseline_scenario
        >>> package = load_package()
        >>> ranking = run_scenario(package, baseline_scenario(package, 2020)).ranking()
        >>> bool(ranking["gap_to_next"].isna().iloc[0]), bool((ranking["gap_to_next"].iloc[1:] >= 0).all())
        (True, True)
        """
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
        frame = frame.sort_values(["rank", "score"], ascending=[True, False], kind="stable")
        frame["gap_to_next"] = -frame["score"].diff()
        return frame

    def changes(self) -> list[dict[str, Any]]:
        """Every changed value: zone, indicator, baseline, value, origin and cause."""
        return [
            {
                "zone": zone,
                "indicator": indicator,
                "baseline": float(self.baseline_values.at[zone, indicator]),
                "value": float(self.values.at[zone, indicator]),
                "origin": self.origin.at[zone, indicator],
                "cause": cause.to_dict(),
            }
            for (zone, indicator), cause in self.causes.items()
        ]

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
                "gap_to_next": None if pd.isna(row["gap_to_next"]) else float(row["gap_to_next"]),
                "groups": {g: float(v) for g, v in self.scored.group_scores.loc[zone].items()},
                "decomposition": {k: float(v) for k, v in self.decomposition.loc[zone].items()},
            }
            for zone, row in ranking.iterrows()
        ]
        return {
            "scenario": self.scenario.name,
            "year": self.year,
            "method": self.method.to_dict(),
            "weights": {k: float(v) for k, v in self.scored.weights.items()},
            "zones": zones,
            "changes": self.changes(),
            "weight_drift": {k: float(v) for k, v in self.weight_drift["change"].items()},
            "warnings": list(self.warnings),
            "provenance": self.provenance,
        }


def provenance(package: DataPackage, year: int) -> dict[str, Any]:
    """Where the numbers come from: data digest, program version, value sources."""
    from sim.engine.compiled import package_arrays

    cache = package_arrays(package).provenance
    if year not in cache:
        sources = package.baseline.loc[package.baseline["year"] == year, "source"].fillna("")
        counts = sources[sources != ""].value_counts(sort=False)
        # Most common first (ties alphabetically), so the first source describes most values.
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        cache[year] = {
            "data": package.digest,
            "version": __version__,
            "data_folder": str(package.root) if package.root else None,
            "values": int(len(sources)),
            "sources": [source for source, _ in ordered],
            "source_counts": {source: int(n) for source, n in ordered},
        }
    kept = cache[year]
    # A fresh copy each time: a caller may change its result's provenance.
    return {**kept, "sources": list(kept["sources"]), "source_counts": dict(kept["source_counts"])}
