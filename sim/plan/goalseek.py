"""Goal-seek on a plan: the least uniform yearly growth of the levers that reaches a target by a year.

``zonesim goal-seek --scenario PLAN.yaml --zone sunan --target overtake:zhangjiang --by 2025``:
each lever grows by the same step every year from the first projected year (``each_year``
from year + 1, until the target year), on top of the plan's own interventions, while the
trend moves every zone; the target is checked in the ``--by`` year. The cost is the
sum of cost weight x |yearly change %| (relative effort per year).

The search is goal-seek's own (:func:`sim.analysis.goalseek.seek` on a
:class:`~sim.analysis.goalseek.SeekProblem`), on the plan's table of the target year
(:meth:`sim.plan.compiled.CompiledPlan.year_model`): a yearly step ``g`` of a lever
is ``(1 + g) ** k - 1`` of its value that year after ``k`` years of growth (``k * g``
units for counts and amounts), so each candidate is one table of the engine. The answer
is written as a plan and **verified** by running it (:func:`sim.plan.run_plan`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.analysis.goalseek import (
    DEFAULT_MARGIN,
    DEFAULT_MAX_CHANGE,
    Lever,
    LeverSpace,
    Target,
    parse_target,
    resolve_levers,
    seek,
    target_margins,
    target_met,
)
from sim.analysis.goalseek.search import _Search
from sim.analysis.goalseek.variables import lever_problem
from sim.analysis.options import check_seed
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import Message, Ref, msg
from sim.plan.compiled import compile_plan
from sim.plan.result import PlanResult
from sim.plan.run import explain_plan, run_plan
from sim.plan.schema import Timing
from sim.scenario import MAX_PERCENT, MIN_PERCENT, Intervention, Scenario, format_percent

#: Largest margin accepted (points), as for one year.
MAX_MARGIN = 100.0


@dataclass(frozen=True)
class YearlyChange:
    """One lever of the answer: its yearly step and what it does by the target year.

    Attributes
    ----------
    indicator : str
    kind : {"percent", "absolute", "count"}
    step : float
        Percent a year (``percent``) or units a year.
    text : str
        As written in the plan: ``+7.5%`` or ``+2``.
    before, after : float
        The zone's value in the target year without and with the yearly growth.
    effort, cost : float
        ``100 |g|`` (percent of the value, per year) and cost weight x effort.
    """

    indicator: str
    kind: str
    step: float
    text: str
    before: float
    after: float
    effort: float
    cost: float

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "kind": self.kind, "each_year": self.text, "step": self.step,
                "before": self.before, "after": self.after, "effort_pct_per_year": self.effort, "cost": self.cost}


@dataclass(frozen=True)
class PlanGoalSeekResult:
    """The answer of :func:`plan_goal_seek`.

    Attributes
    ----------
    zone : str
    target : Target
    by : int
        The year the target must hold in.
    reached : bool
        The engine's verdict on the written plan, in year ``by``.
    plan : Scenario
        The starting plan plus one ``each_year`` intervention per lever that moves.
    changes : list of YearlyChange
    cost : float
    result, start : PlanResult
        The answer's and the starting plan's results.
    margin, required_margin : float
        Points to spare in year ``by`` (negative: short), and the points asked for.
    notes : list of str
    evaluations : int
    seconds : float
    """

    zone: str
    target: Target
    by: int
    reached: bool
    plan: Scenario
    changes: list[YearlyChange]
    cost: float
    result: PlanResult
    start: PlanResult
    margin: float
    required_margin: float
    notes: list[str] = field(default_factory=list)
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def already_reached(self) -> bool:
        return self.reached and not self.changes

    def target_words(self) -> Message:
        if self.target.kind == "rank":
            return msg("plan.target_rank", rank=self.target.rank)
        if self.target.kind == "overtake":
            return msg("plan.target_overtake", other=Ref("zone", self.target.rival))
        return msg("plan.target_score", score=self.target.score)

    def summary(self) -> Message:
        """One sentence: the answer."""
        before, after = self.start.year(self.by), self.result.year(self.by)
        common = dict(zone=Ref("zone", self.zone), target=self.target_words(), year=self.by,
                      rank_before=int(before.scored.ranks[self.zone]), rank=int(after.scored.ranks[self.zone]),
                      score=float(after.scored.scores[self.zone]))
        if self.already_reached:
            return msg("plan.seek_already", **common)
        if self.reached:
            return msg("plan.seek_reached", count=len(self.changes), cost=self.cost, **common)
        return msg("plan.seek_not_reached", short=max(self.required_margin - self.margin, 0.0), **common)

    def to_dict(self) -> dict[str, Any]:
        after = self.result.year(self.by)
        return {
            "zone": self.zone, "target": self.target.to_dict(), "by": self.by, "reached": self.reached,
            "already_reached": self.already_reached, "summary": str(self.summary()), "cost": self.cost,
            "margin": self.margin, "required_margin": self.required_margin,
            "after": {"score": float(after.scored.scores[self.zone]), "rank": int(after.scored.ranks[self.zone])},
            "changes": [c.to_dict() for c in self.changes], "plan": self.plan.to_dict(),
            "ranks": {str(y): {z: int(r) for z, r in row.items()} for y, row in self.result.ranks().iterrows()},
            "notes": list(self.notes), "search": {"evaluations": self.evaluations, "seconds": self.seconds},
        }


def plan_goal_seek(
    package: DataPackage,
    zone: str,
    target: str | Target,
    scenario: Scenario,
    by: int | None = None,
    levers: Sequence[str] | None = None,
    max_change: float | None = DEFAULT_MAX_CHANGE,
    bounds: Mapping[str, tuple[float, float] | float] | None = None,
    costs: Mapping[str, float] | None = None,
    margin: float = DEFAULT_MARGIN,
    seed: int | np.random.Generator | None = 0,
    evolution_steps: int = 150,
) -> PlanGoalSeekResult:
    """The least uniform yearly growth of ``zone``'s levers that reaches ``target`` in year ``by``.

    Parameters
    ----------
    package : DataPackage
    zone : str
    target : str or Target
        ``rank:K``, ``overtake:ZONE`` or ``score:S``, checked in year ``by``.
    scenario : Scenario
        A plan (its interventions and trend stay; the levers grow on top).
    by : int, optional
        The target year (default: the horizon).
    levers, max_change, bounds, costs, margin, seed, evolution_steps
        As for :func:`sim.analysis.goalseek.goal_seek`; ``max_change`` and ``bounds``
        are **per year** (a yearly step of at most 100 % by default), and the value the
        growth reaches by ``by`` stays within the indicator's valid range.

    Returns
    -------
    PlanGoalSeekResult

    Raises
    ------
    UsageError
        Not a plan, ``by`` outside the projected years, an unknown zone, bad target,
        levers, bounds or costs.
    SimError
        The starting plan is invalid.
    """
    began = time.perf_counter()
    if not scenario.is_plan:
        raise UsageError(msg("plan.seek_needs_plan"))
    plan = compile_plan(package, scenario)
    by = plan.horizon if by is None else by
    if by not in plan.years:
        raise UsageError(msg("plan.seek_by_out_of_range", by=by, first=plan.years[0], horizon=plan.horizon))
    start = explain_plan(plan)
    model = plan.year_model(by)
    zone_row = model.zone_row(zone)
    target = parse_target(target, model.zones, zone)
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and 0 < margin <= MAX_MARGIN):
        raise UsageError(msg("plan.seek_bad_margin", margin=str(margin), most=MAX_MARGIN))
    check_seed(seed)
    steps = by - scenario.year
    chosen, notes = yearly_levers(model, zone_row, steps, levers, max_change, bounds, costs)
    space = LeverSpace(model, zone_row, chosen)
    # the search's variables are the yearly step g; the target year's table carries its compounded total
    problem = lever_problem(space, chosen, zone_row, target, margin,
                            changes=lambda g: total_change(g, space.percent, steps))
    outcome = seek(problem, seed=seed, evolution_steps=evolution_steps)
    search = _Search(problem)
    g = outcome.t
    for precision in (2, 4, None):
        written = written_steps(chosen, outcome.t, precision)
        if search.margin(written)[0] >= problem.delta or not outcome.reached:
            g = written
            break
    found, result, reached, final = _verified(package, scenario, zone, target, by, chosen, g, problem.delta)
    for nudge in (1e-6, 1e-4, 1e-2):
        if reached or not outcome.reached:
            break
        g = written_steps(chosen, search.snap(outcome.t * (1.0 + nudge)), None)
        found, result, reached, final = _verified(package, scenario, zone, target, by, chosen, g, problem.delta)
    if outcome.reached and not reached:
        notes.append(str(msg("plan.seek_not_confirmed")))
    before = start.year(by).values
    changes = []
    for j, lever in enumerate(chosen):
        if g[j] == 0:
            continue
        step = 100.0 * g[j] if lever.kind == "percent" else g[j] * lever.scale
        text = format_percent(step) if lever.kind == "percent" else f"{step:+g}"
        effort = float(100.0 * abs(g[j]))
        changes.append(YearlyChange(lever.indicator, lever.kind, float(step), text,
                                    float(before.at[zone, lever.indicator]),
                                    float(result.year(by).values.at[zone, lever.indicator]), effort,
                                    float(lever.cost * effort)))
    return PlanGoalSeekResult(
        zone=zone, target=target, by=by, reached=reached, plan=found if changes else scenario, changes=changes,
        cost=float(sum(c.cost for c in changes)), result=result if changes else start, start=start, margin=final,
        required_margin=float(problem.delta), notes=notes,
        evaluations=outcome.evaluations + search.evaluations, seconds=time.perf_counter() - began,
    )


def total_change(g: np.ndarray, percent: np.ndarray, steps: int) -> np.ndarray:
    """Yearly steps ``g`` (shape (B, L)) as the change after ``steps`` years: compounded for
    percentages, ``steps`` times the step for counts and amounts.

    Examples
    --------
    >>> total_change(np.array([[0.1, 0.5]]), np.array([True, False]), 2).round(6).tolist()
    [[0.21, 1.0]]
    """
    g = np.atleast_2d(g)
    out = g * steps
    out[:, percent] = (1.0 + g[:, percent]) ** steps - 1.0
    return out


def yearly_levers(model, zone_row: int, steps: int, levers, max_change, bounds, costs) -> tuple[list[Lever], list[str]]:
    """Levers whose variable is the **yearly** step: the user's bounds per year, and the valid
    range reached after ``steps`` years of growth."""
    per_year, notes = resolve_levers(model, zone_row, levers, max_change, bounds, costs)
    wide = {lever.indicator: (MIN_PERCENT, MAX_PERCENT) for lever in per_year}
    in_range, _ = resolve_levers(model, zone_row, [lever.indicator for lever in per_year], None, wide, costs)
    out = []
    for lever, whole in zip(per_year, in_range):
        if lever.kind == "percent":
            low, high = (1.0 + whole.lower) ** (1.0 / steps) - 1.0, (1.0 + whole.upper) ** (1.0 / steps) - 1.0
        else:
            low, high = whole.lower / steps, whole.upper / steps
            if lever.kind == "count":
                low = math.ceil(round(low * lever.scale, 9)) / lever.scale
                high = math.floor(round(high * lever.scale, 9)) / lever.scale
        low, high = max(lever.lower, low), min(lever.upper, high)
        if not high > low:
            notes.append(str(msg("plan.seek_no_room", indicator=lever.indicator)))
            continue
        out.append(replace(lever, lower=low, upper=high))
    if not out:
        raise UsageError([msg("plan.seek_no_lever"), *notes])
    return out, notes


def written_steps(levers: Sequence[Lever], g: np.ndarray, precision: int | None) -> np.ndarray:
    """Yearly steps as written for reading: percentages to ``precision`` decimals, amounts to 6
    significant digits, away from zero (a little more, so the target still holds) unless that
    passes a bound; counts whole."""
    out = np.array(g, dtype=np.float64)
    for j, lever in enumerate(levers):
        if out[j] == 0 or lever.kind == "count" or precision is None:
            continue
        number = 100.0 * out[j] if lever.kind == "percent" else out[j] * lever.scale
        per = 100.0 if lever.kind == "percent" else lever.scale
        quantum = 10.0 ** -precision if lever.kind == "percent" else 10.0 ** (math.floor(math.log10(abs(number))) - 5)
        rounded = math.copysign(math.ceil(abs(number) / quantum - 1e-9) * quantum, number)
        if not lever.lower <= rounded / per <= lever.upper:
            rounded = math.copysign(math.floor(abs(number) / quantum + 1e-9) * quantum, number)
        out[j] = float(f"{rounded:.12g}") / per
    return out


def _verified(package, start: Scenario, zone: str, target: Target, by: int, levers: Sequence[Lever],
              g: np.ndarray, required: float) -> tuple[Scenario, PlanResult, bool, float]:
    """The plan with the yearly steps added, run through the engine, and its verdict in year ``by``."""
    until = by if by < start.plan.horizon else None
    added = []
    for j, lever in enumerate(levers):
        if g[j] == 0:
            continue
        timing = Timing(each_year=True, until=until)
        if lever.kind == "percent":
            step = float(f"{100.0 * g[j]:.12g}")
            added.append(Intervention((zone,), (lever.indicator,), percent=step, timing=timing))
        else:
            units = g[j] * lever.scale
            amount = float(np.sign(units) * np.floor(abs(units) + 0.5)) if lever.kind == "count" else units
            added.append(Intervention((zone,), (lever.indicator,), amount=float(f"{amount:.12g}"), timing=timing))
    description = str(msg("plan.seek_description", zone=zone, target=target.text(), by=by))
    found = replace(start, interventions=start.interventions + tuple(added), source="goal-seek", lines={},
                    description=(start.description.rstrip() + "\n" if start.description else "") + description + "\n")
    result = run_plan(package, found)
    year = result.year(by)
    zones = list(year.scored.scores.index)
    final = float(target_margins(year.scored.scores.to_numpy()[None, :], zones.index(zone), target, zones)[0])
    return found, result, target_met(year, zone, target) and final >= required, final


def plan_command(args, package: DataPackage, start: Scenario) -> int:
    """``zonesim goal-seek --scenario PLAN.yaml --by YEAR ...``: print the answer; write it with ``--out``."""
    import sys

    from sim.analysis.goalseek.command import parse_bounds, parse_costs
    from sim.analysis.options import parse_percent, split_ids
    from sim.cli import emit
    from sim.messages import render
    from sim.report import to_json
    from sim.scenario import save_scenario

    if not start.is_plan:
        raise UsageError(msg("plan.seek_needs_plan"))
    max_change = parse_percent(args.max_change, "--max-change")
    if max_change < 0:
        raise UsageError(msg("plan.seek_bad_max_change", value=args.max_change))
    answer = plan_goal_seek(package, args.zone, args.target, start, by=args.by, levers=split_ids(args.levers),
                            max_change=max_change, bounds=parse_bounds(args.bound), costs=parse_costs(args.cost),
                            margin=args.margin, seed=args.seed)
    written = args.out if args.out and not answer.already_reached else None
    if written:
        save_scenario(answer.plan, args.out, force=args.force)
        if not answer.reached:
            print(render(msg("plan.seek_written_not_reached", path=args.out), args.lang), file=sys.stderr)
    if args.format == "json":
        payload = answer.to_dict()
        payload["written"] = written
        emit(to_json(payload))
    elif args.format == "csv":
        from sim.report import csv_text
        import pandas as pd

        rows = [{"zone": answer.zone, "by": answer.by, "target": answer.target.text(), "reached": answer.reached,
                 **c.to_dict()} for c in answer.changes]
        emit(csv_text(pd.DataFrame(rows, columns=["zone", "by", "target", "reached", "indicator", "kind", "each_year",
                                                  "step", "before", "after", "effort_pct_per_year", "cost"])))
    else:
        emit(plan_goal_seek_table(answer, package, args.lang, written))
    return 0


def plan_goal_seek_table(answer: PlanGoalSeekResult, package: DataPackage, lang: str = "en",
                         written: str | None = None) -> str:
    """The answer as readable text: the yearly steps, then the ranks year by year."""
    from sim.messages import render, text
    from sim.plan.report import plan_table
    from sim.report import format_table

    names = package.name
    lines = [render(msg("plan.seek_title", zone=Ref("zone", answer.zone), target=answer.target_words(),
                        year=answer.by, start=answer.start.start_year + 1), lang, names), ""]
    if answer.changes:
        lines.append(format_table(
            [text(f"plan.seek_col_{k}", lang) for k in ("indicator", "step", "before", "after", "cost")],
            [[names("indicator", c.indicator, lang), c.text, f"{c.before:.6g}", f"{c.after:.6g}", f"{c.cost:.2f}"]
             for c in sorted(answer.changes, key=lambda c: -c.cost)],
            align="lrrrr"))
        lines.append("")
    lines.append(render(answer.summary(), lang, names))
    lines += [f"  - {render(n, lang, names)}" for n in answer.notes]
    lines += ["", plan_table(answer.result, package, lang)]
    tail = msg("plan.seek_searched", count=answer.evaluations, seconds=answer.seconds)
    lines.append("\n" + render(tail, lang) + (render(msg("plan.seek_written", path=written), lang) if written else ""))
    return "\n".join(lines)
