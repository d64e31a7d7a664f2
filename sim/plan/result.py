"""What a plan gives back: :class:`PlanResult`, one :class:`YearResult` per year, overtaking events.

Everything the app's Plan tab and the brief's year-by-year section draw is here, computed
once by :func:`sim.plan.run_plan`:

- ``observed``: the observed year scored (the start of both paths);
- per projected year, a :class:`YearResult` (a :class:`~sim.engine.Result` whose
  ``baseline`` is the **baseline path** that year and ``scored`` the **plan**; scores,
  ranks, group scores, weights, decomposition, changes, warnings of that year);
- :meth:`PlanResult.scores` / :meth:`PlanResult.ranks`: years x zones for either path;
- :meth:`PlanResult.overtakes`: the years in which a zone passes another, per path;
- :meth:`PlanResult.frame`: one long table for charts; :meth:`PlanResult.to_dict`: the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from sim.engine import Result
from sim.messages import Message, Ref, msg
from sim.method.options import Method
from sim.scenario import Scenario

#: The two paths of a plan: without it (the trend alone) and with it.
BASELINE, PLAN = "baseline", "plan"
PATHS = (BASELINE, PLAN)


@dataclass(frozen=True)
class YearResult(Result):
    """One projected year of a plan: ``baseline`` is the baseline path that year, ``scored`` the plan.

    Everything of :class:`~sim.engine.Result` (``ranking()``, ``delta``,
    ``rank_change``, ``weight_drift``, ``changes()``, ``causes``, ``to_dict()``) reads
    "the plan against the baseline path in that year".
    """

    projected_year: int = 0

    @property
    def year(self) -> int:
        return self.projected_year


@dataclass(frozen=True)
class Overtaking:
    """``zone`` passes ``passes`` in ``year`` on one path (it was behind the year before, is ahead now)."""

    year: int
    zone: str
    passes: str
    path: str = PLAN

    def describe(self) -> Message:
        """``Sunan passes Zhangjiang in 2024`` / ``苏南 2024 年超过上海张江`` (with names when rendered)."""
        return msg("plan.passes", zone=Ref("zone", self.zone), other=Ref("zone", self.passes), year=self.year)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "zone": self.zone, "passes": self.passes, "path": self.path,
                "text": str(self.describe())}


@dataclass(frozen=True)
class PlanResult:
    """A plan scored year by year, on the baseline path and with the plan.

    Attributes
    ----------
    scenario : Scenario
        The plan.
    method : Method
    observed : Result
        The observed year (``scenario.year``) scored: where both paths start.
    results : tuple of YearResult
        One per projected year, year + 1 ... horizon.
    notes : list of Message
        About the whole plan (cells the observed trend holds because their change is
        undefined).
    provenance : dict
        As a one-year result's (the observed year's data).
    """

    scenario: Scenario
    method: Method
    observed: Result
    results: tuple[YearResult, ...]
    notes: list[Message] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, ...]:
        """The projected years."""
        return tuple(r.year for r in self.results)

    @property
    def start_year(self) -> int:
        """The observed year."""
        return self.scenario.year

    @property
    def horizon(self) -> int:
        return self.years[-1]

    @property
    def zones(self) -> list[str]:
        return list(self.observed.scored.scores.index)

    def year(self, year: int) -> Result:
        """The result of one year: a :class:`YearResult`, or ``observed`` for the observed year.

        Raises
        ------
        KeyError
            A year outside the plan.
        """
        if year == self.start_year:
            return self.observed
        for result in self.results:
            if result.year == year:
                return result
        raise KeyError(year)

    def scores(self, path: str = PLAN) -> pd.DataFrame:
        """Scores per year (rows: the observed year, then each projected year) and zone (columns)."""
        return self._table(path, "scores")

    def ranks(self, path: str = PLAN) -> pd.DataFrame:
        """Ranks per year and zone (1 = best, ties share the better rank), as :meth:`scores`."""
        return self._table(path, "ranks")

    def _table(self, path: str, what: str) -> pd.DataFrame:
        if path not in PATHS:
            raise ValueError(f"path must be one of {PATHS}, not {path!r}")
        rows = [getattr(self.observed.scored, what)]
        rows += [getattr(r.scored if path == PLAN else r.baseline, what) for r in self.results]
        return pd.DataFrame(rows, index=pd.Index([self.start_year, *self.years], name="year"))

    def overtakes(self, path: str = PLAN) -> list[Overtaking]:
        """Every year in which a zone passes another on ``path`` (by year, then the passer's new rank)."""
        return self._overtakes[path]

    @cached_property
    def _overtakes(self) -> dict[str, list[Overtaking]]:
        out = {}
        for path in PATHS:
            ranks = self.ranks(path)
            events = []
            for before, now in zip(ranks.index[:-1], ranks.index[1:]):
                was, new = ranks.loc[before], ranks.loc[now]
                for zone in ranks.columns:
                    for other in ranks.columns:
                        if was[zone] > was[other] and new[zone] < new[other]:
                            events.append((int(now), int(new[zone]), Overtaking(int(now), zone, other, path)))
            out[path] = [event for *_, event in sorted(events, key=lambda e: (e[0], e[1]))]
        return out

    def first_year_ahead(self, zone: str, other: str, path: str = PLAN) -> int | None:
        """The first year (observed year included) in which ``zone`` ranks ahead of ``other`` and stays
        ahead to the horizon; None if it is not ahead at the horizon."""
        ranks = self.ranks(path)
        ahead = (ranks[zone] < ranks[other]).to_numpy()
        if not ahead[-1]:
            return None
        first = len(ahead) - 1
        while first > 0 and ahead[first - 1]:
            first -= 1
        return int(ranks.index[first])

    def warnings_by_year(self) -> dict[int, list[str]]:
        """Each projected year's warnings."""
        return {r.year: list(r.warnings) for r in self.results}

    def frame(self) -> pd.DataFrame:
        """One row per path, year and zone: ``path``, ``year``, ``zone``, ``score``, ``rank`` (for charts).

        The observed year appears once per path, so that both lines start from it.
        """
        rows = []
        for path in PATHS:
            scores, ranks = self.scores(path), self.ranks(path)
            for year in scores.index:
                for zone in scores.columns:
                    rows.append({"path": path, "year": int(year), "zone": zone,
                                 "score": float(scores.at[year, zone]), "rank": int(ranks.at[year, zone])})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of DESIGN section 4: ``years`` (each as one year's ``zones``, ``weights``,
        ``warnings``, ...), plus ``scenario`` and ``provenance``; full precision."""
        trend = self.scenario.plan.trend.to_dict() if self.scenario.plan else {}
        years = []
        for result in self.results:
            one = result.to_dict()
            for key in ("scenario", "method", "provenance"):
                one.pop(key)
            one["baseline_weights"] = {k: float(v) for k, v in result.baseline.weights.items()}
            one["overtakes"] = [e.to_dict() for path in PATHS for e in self.overtakes(path) if e.year == result.year]
            years.append(one)
        observed = self.observed
        return {
            "scenario": self.scenario.name,
            "year": self.start_year,
            "horizon": self.horizon,
            "trend": trend,
            "method": self.method.to_dict(),
            "observed": {
                "year": self.start_year,
                "weights": {k: float(v) for k, v in observed.scored.weights.items()},
                "zones": [{"zone": zone, "score": float(row["score"]), "rank": int(row["rank"])}
                          for zone, row in observed.ranking().iterrows()],
            },
            "years": years,
            "overtakes": {path: [e.to_dict() for e in self.overtakes(path)] for path in PATHS},
            "notes": list(self.notes),
            "provenance": self.provenance,
        }
