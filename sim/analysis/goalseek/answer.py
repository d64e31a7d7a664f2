"""Goal-seek's answer: :func:`goal_seek` (the validating wrapper), written changes, the result.

The cheapest candidate of the search (:func:`sim.analysis.goalseek.core.seek`) is
written as a :class:`~sim.scenario.Scenario` (rounded for reading when that still
reaches the target) and **verified** by running the engine on it. The answer lists the
changes the search made and the **linked** changes they set off through the data
package's and the scenario's links, which the cost does not count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.analysis.goalseek.core import seek
from sim.analysis.options import check_seed
from sim.analysis.goalseek.search import DEFAULT_MARGIN, SeekProblem, _Search
from sim.analysis.goalseek.targets import Target, parse_target, target_margins, target_met
from sim.analysis.goalseek.variables import DEFAULT_MAX_CHANGE, Lever, LeverSpace, resolve_levers
from sim.data import DataPackage
from sim.engine import Result, analysis_model, explain, run_scenario
from sim.errors import UsageError
from sim.messages import msg
from sim.scenario import Intervention, Scenario, format_percent

#: Largest margin accepted (points): scores are out of 100, so no target holds by more.
MAX_MARGIN = 100.0


@dataclass(frozen=True)
class LeverChange:
    """One change of the answer, as written in the scenario."""

    indicator: str
    kind: str
    before: float
    after: float
    text: str
    effort: float
    cost: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "change": self.text,
            "before": self.before,
            "after": self.after,
            "effort_pct": self.effort,
            "cost": self.cost,
        }


@dataclass(frozen=True)
class LinkedChange:
    """A value the answer moves through a link (not counted in its cost).

    Attributes
    ----------
    zone, indicator : str
    via : str
        The indicator the link comes from.
    before, after : float
        The value in the starting scenario and in the answer.
    """

    zone: str
    indicator: str
    via: str
    before: float
    after: float

    @property
    def change_pct(self) -> float | None:
        """Relative change in percent (None from a value of 0)."""
        return 100.0 * (self.after / self.before - 1.0) if self.before else None

    def to_dict(self) -> dict[str, Any]:
        return {"zone": self.zone, "indicator": self.indicator, "via": self.via, "before": self.before,
                "after": self.after, "change_pct": self.change_pct}


@dataclass(frozen=True)
class GoalSeekResult:
    """The answer of :func:`goal_seek`.

    Attributes
    ----------
    zone : str
    target : Target
    reached : bool
        Whether the scenario reaches the target when run through the engine.
    scenario : Scenario
        The starting scenario's interventions plus the changes found (when not
        reached: the best reachable changes).
    changes : list of LeverChange
    cost : float
        Sum over the changes of cost weight x |change in %| (relative effort).
    result, start : Result
        The engine's result of the answer and of the starting scenario.
    margin : float
        Points to spare (negative: short of the target).
    levers : list of Lever
    notes : list of str
    evaluations : int
        Candidate tables scored.
    seconds : float
    stages : dict
        Cost found from each start of the search.
    required_margin : float
        The points to spare asked for: ``reached`` needs ``margin >= required_margin``.
    linked_changes : list of LinkedChange
        Values moved through links by the changes (not counted in ``cost``).
    """

    zone: str
    target: Target
    reached: bool
    scenario: Scenario
    changes: list[LeverChange]
    cost: float
    result: Result
    start: Result
    margin: float
    levers: list[Lever]
    notes: list[str]
    evaluations: int
    seconds: float
    stages: dict[str, float]
    required_margin: float = DEFAULT_MARGIN
    linked_changes: list[LinkedChange] = field(default_factory=list)

    @property
    def score_before(self) -> float:
        return float(self.start.scored.scores[self.zone])

    @property
    def score_after(self) -> float:
        return float(self.result.scored.scores[self.zone])

    @property
    def rank_before(self) -> int:
        return int(self.start.scored.ranks[self.zone])

    @property
    def rank_after(self) -> int:
        return int(self.result.scored.ranks[self.zone])

    @property
    def shortfall(self) -> float:
        """Points missing to meet the target with the required margin (0 when reached)."""
        return 0.0 if self.reached else max(self.required_margin - self.margin, 0.0)

    @property
    def already_reached(self) -> bool:
        return self.reached and not self.changes

    def summary(self) -> str:
        """One sentence: the answer."""
        head = f"{self.zone}: {self.target.describe()} in {self.scenario.year}"
        if self.already_reached:
            return f"{head}: already reached (rank {self.rank_after}, score {self.score_after:.2f}); nothing to change"
        if self.reached:
            return (
                f"{head}: reached with {len(self.changes)} change(s) at cost {self.cost:.2f} "
                f"(rank {self.rank_before} -> {self.rank_after}, score {self.score_before:.2f} -> {self.score_after:.2f})"
            )
        short = self.shortfall
        shortfall = f"{short:.2f} points short" if short >= 0.005 else "a tie at best"
        return (
            f"{head}: NOT reachable within these bounds; the best found gives rank {self.rank_after}, "
            f"score {self.score_after:.2f} ({shortfall})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "year": self.scenario.year,
            "target": self.target.to_dict(),
            "reached": self.reached,
            "already_reached": self.already_reached,
            "summary": self.summary(),
            "cost": self.cost,
            "margin": self.margin,
            "before": {"score": self.score_before, "rank": self.rank_before},
            "after": {"score": self.score_after, "rank": self.rank_after},
            "required_margin": self.required_margin,
            "changes": [c.to_dict() for c in self.changes],
            "linked_changes": [c.to_dict() for c in self.linked_changes],
            "scenario": self.scenario.to_dict(),
            "method": self.result.method.to_dict(),
            "ranking": [
                {"zone": zone, "score": float(row["score"]), "rank": int(row["rank"]),
                 "start_score": float(self.start.scored.scores[zone]), "start_rank": int(self.start.scored.ranks[zone])}
                for zone, row in self.result.ranking().iterrows()
            ],
            "levers": [
                {"indicator": lever.indicator, "kind": lever.kind, "start": lever.start,
                 "min_change_pct": 100 * lever.lower, "max_change_pct": 100 * lever.upper, "cost_weight": lever.cost}
                for lever in self.levers
            ],
            "notes": list(self.notes),
            "warnings": list(self.result.warnings),
            "search": {"evaluations": self.evaluations, "seconds": self.seconds, "starts": self.stages},
        }


def _away_from_zero(value: float, quantum: float) -> float:
    return math.copysign(math.ceil(abs(value) / quantum - 1e-9) * quantum, value)


def _written_changes(levers: Sequence[Lever], t: np.ndarray, precision: int | None) -> tuple[np.ndarray, list]:
    """The changes as they will be written (rounded for reading), and the ``t`` they mean.

    Percentages are rounded to ``precision`` decimals and amounts to 6 significant
    digits, away from zero (a little more change, so the target still holds), or
    towards zero where that would pass the lever's bound. A change that takes the
    value to a bound of its valid range (a share to 100 %) is written ``to: bound``.
    """
    written = np.zeros_like(t)
    items = []
    for j, lever in enumerate(levers):
        if t[j] == 0:
            continue
        if lever.kind == "count":
            units = float(np.sign(t[j]) * np.floor(abs(t[j] * lever.scale) + 0.5))
            if units == 0:
                continue
            written[j] = units / lever.scale
            items.append((j, "amount", int(units)))
            continue
        value = lever.start * (1.0 + t[j]) if lever.kind == "percent" else lever.start + t[j] * lever.scale
        for bound in (lever.value_max, lever.value_min):
            if math.isfinite(bound) and abs(value - bound) <= 1e-9 * max(1.0, abs(bound)):
                written[j] = (bound - lever.start) / lever.scale
                items.append((j, "to", float(bound)))
                break
        else:
            number = 100.0 * t[j] if lever.kind == "percent" else t[j] * lever.scale
            per_t = 100.0 if lever.kind == "percent" else lever.scale
            if precision is not None:
                quantum = 10.0 ** -precision if lever.kind == "percent" else \
                    10.0 ** (math.floor(math.log10(abs(number))) - 5)
                rounded = _away_from_zero(number, quantum)
                if not lever.lower <= rounded / per_t <= lever.upper:
                    rounded = math.copysign(math.floor(abs(number) / quantum + 1e-9) * quantum, number)
                number = float(f"{rounded:.12g}")
            written[j] = number / per_t
            items.append((j, "percent" if lever.kind == "percent" else "amount", number))
    return written, items


def _scenario_with(start: Scenario, zone: str, target: Target, levers: Sequence[Lever], items: list,
                   reached: bool) -> Scenario:
    added = []
    for j, kind, value in items:
        lever = levers[j]
        if kind == "percent":
            added.append(Intervention(zones=(zone,), indicators=(lever.indicator,), percent=float(value)))
        elif kind == "to":
            added.append(Intervention(zones=(zone,), indicators=(lever.indicator,), to=float(value)))
        else:
            added.append(Intervention(zones=(zone,), indicators=(lever.indicator,), amount=value))
    what = f"goal-seek: {zone} to {target.describe()}" + ("" if reached else " (best reachable; target NOT reached)")
    name = what[0].upper() + what[1:] if start.source == "baseline" else f"{start.name} + {what}"
    description = (
        f"Found by zonesim goal-seek: the least-cost change (relative effort) for {zone} to {target.describe()} "
        f"in {start.year}" + ("" if start.source == "baseline" else f", on top of the scenario {start.name!r}") + "."
    )
    if not reached:
        description += " The target is NOT reachable within the bounds given; this is the best result found."
    if start.description and start.source != "baseline":
        description = start.description.rstrip() + "\n" + description
    return replace(
        start,
        name=name,
        name_zh="",
        description=description + "\n",
        interventions=tuple(start.interventions) + tuple(added),
        source="goal-seek",
        lines={},
    )


def goal_seek(
    package: DataPackage,
    zone: str,
    target: str | Target,
    scenario: Scenario | None = None,
    year: int | None = None,
    levers: Sequence[str] | None = None,
    max_change: float | None = DEFAULT_MAX_CHANGE,
    bounds: Mapping[str, tuple[float, float] | float] | None = None,
    costs: Mapping[str, float] | None = None,
    margin: float = DEFAULT_MARGIN,
    seed: int | np.random.Generator | None = 0,
    evolution_steps: int = 150,
    whole_percent: bool = False,
) -> GoalSeekResult:
    """The least-cost change of ``zone``'s indicators that reaches ``target``.

    Parameters
    ----------
    package : DataPackage
    zone : str
        Zone id.
    target : str or Target
        ``rank:K``, ``overtake:ZONE`` or ``score:S``.
    scenario : Scenario, optional
        Where to start (its interventions first, then the levers on top); default
        the baseline of ``year`` (default: the latest year) with the package's method.
    year : int, optional
    levers : sequence of str, optional
        Indicator ids the search may change; default all.
    max_change : float
        Default bound per lever, percent, in the improving direction (100).
    bounds : mapping, optional
        Per-lever bounds in percent: ``{id: high}`` or ``{id: (low, high)}``.
    costs : mapping, optional
        Per-lever cost weights (default 1): the cost is sum of weight x |change %|.
    margin : float
        Points to spare (the target must hold by at least this much).
    seed : int or numpy.random.Generator
    evolution_steps : int
        Generations of the differential-evolution start (0 skips it).
    whole_percent : bool
        Write percentage changes as whole percents (rounded away from zero, so a
        little more change), as the app's sliders show them, when that still reaches
        the target; otherwise 2 decimals as usual.

    Returns
    -------
    GoalSeekResult
        Verified with the engine: ``reached`` is the engine's verdict.

    Raises
    ------
    UsageError
        Unknown zone (with a suggestion), bad target, levers, bounds or costs.
    SimError
        The starting scenario is invalid.
    """
    began = time.perf_counter()
    model = analysis_model(package, scenario, year)
    zone_row = model.zone_row(zone)
    target = parse_target(target, model.zones, zone)
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin > 0):
        raise UsageError(f"margin {margin!r} must be a positive number of points")
    if margin > MAX_MARGIN:
        raise UsageError(msg("analysis.margin_too_large", margin=margin, most=MAX_MARGIN))
    check_seed(seed)
    chosen, notes = resolve_levers(model, zone_row, levers, max_change, bounds, costs)
    start_result = explain(model)

    space = LeverSpace(model, zone_row, chosen)

    def margins(t: np.ndarray, relax: bool) -> np.ndarray:
        tables = space.tables(t, relax)
        _, scores, valid = model.evaluate(tables, relax)
        out = target_margins(np.where(valid[:, None], scores, 0.0), zone_row, target, model.zones)
        return np.where(valid, out, -np.inf)

    problem = SeekProblem(
        margin=margins,
        lower=np.array([lever.lower for lever in chosen]),
        upper=np.array([lever.upper for lever in chosen]),
        cost=np.array([lever.cost for lever in chosen]),
        step=np.array([lever.step for lever in chosen]),
        delta=float(margin),
    )
    outcome = seek(problem, seed=seed, evolution_steps=evolution_steps)
    search = _Search(problem)

    # Write the answer rounded for reading when that still reaches the target.
    t_final, items = None, []
    for precision in ((0, 2, 4, None) if whole_percent else (2, 4, None)):
        written, items = _written_changes(chosen, outcome.t, precision)
        t_final = written
        margin_written = float(search.margin(written)[0])
        if margin_written >= problem.delta or (not outcome.reached and margin_written > -np.inf):
            break
    found = _scenario_with(model.scenario, zone, target, chosen, items, outcome.reached)
    result = run_scenario(package, found)
    reached, final_margin = _verdict(result, model.zones, zone_row, target, problem.delta)
    for nudge in (1e-6, 1e-4, 1e-2):
        if reached or not outcome.reached:
            break
        # The written (rounded) change fell short by float noise: ask for a little more.
        written, items = _written_changes(chosen, search.snap(outcome.t * (1.0 + nudge)), None)
        t_final = written
        found = _scenario_with(model.scenario, zone, target, chosen, items, True)
        result = run_scenario(package, found)
        reached, final_margin = _verdict(result, model.zones, zone_row, target, problem.delta)
    if outcome.reached and not reached:
        notes.append("the engine did not confirm the change found by the search; it is reported as not reached")
    changes = []
    for j, kind, value in items:
        lever = chosen[j]
        effort = float(100.0 * abs(t_final[j]))
        before = float(model.pre[zone_row, lever.column])
        after = float(result.values.at[zone, lever.indicator])
        text = format_percent(value) if kind == "percent" else f"to {value:g}" if kind == "to" else f"{value:+g}"
        changes.append(LeverChange(lever.indicator, lever.kind, before, after, text, effort, float(lever.cost * effort)))
    cost = float(sum(c.cost for c in changes))
    if not reached and not changes:
        found = replace(found, interventions=model.scenario.interventions)
    return GoalSeekResult(
        zone=zone,
        target=target,
        reached=reached,
        scenario=found,
        changes=changes,
        cost=cost,
        result=result,
        start=start_result,
        margin=final_margin,
        levers=chosen,
        notes=notes,
        evaluations=outcome.evaluations + search.evaluations,
        seconds=time.perf_counter() - began,
        stages=outcome.stages,
        required_margin=float(problem.delta),
        linked_changes=linked_changes(start_result, result),
    )


def _verdict(result: Result, zones: list[str], zone_row: int, target: Target, required: float) -> tuple[bool, float]:
    """Whether the engine's result meets the target with the required margin, and the margin."""
    margin = float(target_margins(result.scored.scores[zones].to_numpy()[None, :], zone_row, target, zones)[0])
    return target_met(result, zones[zone_row], target) and margin >= required, margin


def linked_changes(start: Result, answer: Result) -> list[LinkedChange]:
    """The values the answer moves through links, compared with the starting scenario."""
    out = []
    for (zone, indicator), cause in answer.causes.items():
        if cause.kind != "link":
            continue
        before, after = float(start.values.at[zone, indicator]), float(answer.values.at[zone, indicator])
        if before != after:
            out.append(LinkedChange(zone, indicator, cause.via, before, after))
    return out

