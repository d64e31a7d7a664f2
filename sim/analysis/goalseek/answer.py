"""Goal-seek's answer: :func:`goal_seek` (the validating wrapper), written changes, the result.

The least change the search finds (:func:`sim.analysis.goalseek.core.seek`) is written
as a :class:`~sim.scenario.Scenario` (rounded for reading when that still reaches the
target) and **verified** by running the engine on it. The answer lists the changes the
search made and the **linked** changes they set off through the data package's and the
scenario's links, which the total change does not count, and says **how sure** it is
(:mod:`sim.analysis.goalseek.confidence`): the chance that the target still holds when
the data carry the robustness model's default noise.

The **total change** (``total_change``; ``cost`` in versions up to 0.1) is the sum over the
changes of weight x |change %|, each change in percent of the lever's starting value,
weights 1 unless given: a measure of relative effort, not money.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.analysis.goalseek.confidence import CONFIDENCE_DRAWS, TargetConfidence, target_confidence
from sim.analysis.goalseek.core import seek
from sim.analysis.options import check_seed
from sim.analysis.robustness.core import DEFAULT_SIGMA
from sim.analysis.goalseek.search import DEFAULT_MARGIN, _Search
from sim.analysis.goalseek.targets import Target, parse_target, target_margins, target_met
from sim.analysis.goalseek.variables import DEFAULT_MAX_CHANGE, Lever, LeverSpace, lever_problem, resolve_levers
from sim.data import DataPackage
from sim.engine import Result, analysis_model, explain, run_scenario
from sim.errors import UsageError
from sim.messages import Message, NameResolver, Ref, msg, render
from sim.scenario import Intervention, Scenario, format_percent

#: Largest margin accepted (points): scores are out of 100, so no target holds by more.
MAX_MARGIN = 100.0


@dataclass(frozen=True)
class LeverChange:
    """One change of the answer, as written in the scenario.

    Attributes
    ----------
    indicator, kind : str
    before, after : float
    text : str
        As written: ``+12.5%``, ``+3`` (an amount) or ``to 100``.
    effort : float
        |change| in percent of the lever's starting value.
    weighted_change : float
        ``effort`` times the lever's weight: its part of the total change.
    """

    indicator: str
    kind: str
    before: float
    after: float
    text: str
    effort: float
    weighted_change: float

    @property
    def cost(self) -> float:
        """The old name of :attr:`weighted_change` (kept for scripts)."""
        return self.weighted_change

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "change": self.text,
            "before": self.before,
            "after": self.after,
            "effort_pct": self.effort,
            "weighted_change": self.weighted_change,
            "cost": self.weighted_change,  # the old key, kept for scripts
        }


@dataclass(frozen=True)
class LinkedChange:
    """A value the answer moves through a link (not counted in its total change).

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
    total_change : float
        Sum over the changes of weight x |change in %| (relative effort, not money;
        weights 1 unless given). ``cost`` is its old name.
    result, start : Result
        The engine's result of the answer and of the starting scenario.
    margin : float
        Points to spare (negative: short of the target).
    levers : list of Lever
    notes : list of Message
    evaluations : int
        Candidate tables scored.
    seconds : float
    stages : dict
        Total change found from each start of the search.
    required_margin : float
        The points to spare asked for: ``reached`` needs ``margin >= required_margin``.
    linked_changes : list of LinkedChange
        Values moved through links by the changes (not counted in ``total_change``).
    confidence : TargetConfidence or None
        How sure the answer is under data noise (None when not asked for).
    """

    zone: str
    target: Target
    reached: bool
    scenario: Scenario
    changes: list[LeverChange]
    total_change: float
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
    confidence: TargetConfidence | None = None

    @property
    def cost(self) -> float:
        """The old name of :attr:`total_change` (kept for scripts)."""
        return self.total_change

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

    @property
    def too_close(self) -> bool:
        """Whether the answer meets its target but data noise undoes it in more than 1 draw in 10."""
        return bool(self.reached and self.confidence is not None and self.confidence.too_close)

    def against(self) -> tuple[str | None, float]:
        """What the margin is measured against: (zone, its score) or (None, the target score)."""
        scores = self.result.scored.scores
        if self.target.kind == "score":
            return None, float(self.target.score)
        if self.target.kind == "overtake":
            return str(self.target.rival), float(scores[self.target.rival])
        others = scores.drop(self.zone).sort_values(ascending=False, kind="stable")
        if int(self.target.rank) > len(others):
            return None, float("-inf")
        zone = str(others.index[int(self.target.rank) - 1])
        return zone, float(others[zone])

    def summary(self) -> Message:
        """One sentence: the answer (then, when known, how sure it is)."""
        common = dict(zone=Ref("zone", self.zone), target=self.target.describe(), year=self.scenario.year)
        if self.already_reached:
            head = msg("analysis.summary_already", rank=self.rank_after, score=f"{self.score_after:.2f}", **common)
        elif self.reached:
            head = msg("analysis.summary_reached", count=len(self.changes), total=f"{self.total_change:.2f}",
                       rank_before=self.rank_before, rank_after=self.rank_after,
                       score_before=f"{self.score_before:.2f}", score_after=f"{self.score_after:.2f}", **common)
        else:
            short = self.shortfall
            shortfall = msg("analysis.short_by", points=f"{short:.2f}") if short >= 0.005 else msg("analysis.tie_at_best")
            head = msg("analysis.summary_not_reached", rank=self.rank_after, score=f"{self.score_after:.2f}",
                       shortfall=shortfall, **common)
        sure = self.sureness()
        return head if sure is None else msg("analysis.sentences", first=head, second=sure)

    def sureness(self) -> Message | None:
        """How sure the answer is, in one sentence (None without a confidence, when not reached, or
        for a target that every table meets)."""
        c = self.confidence
        if c is None or not self.reached or not math.isfinite(self.margin):
            return None
        from sim.analysis.wording import chance

        common = dict(margin=f"{self.margin:.2f}", chance=chance(c.probability), draws=f"{c.draws:,}",
                      sigma=f"{100 * c.sigma:g} %", swing=f"{c.swing:.2f}")
        return msg("sure.too_close" if c.too_close else "sure.clear", **common)

    def to_dict(self, lang: str = "en", names: NameResolver | None = None) -> dict[str, Any]:
        """The answer as JSON-ready data; its sentences (summary, notes, warnings) in ``lang``.

        ``total_change`` is also given under its old key ``cost`` (and each change's
        ``weighted_change`` under ``cost``), so that scripts written for 0.1 keep working.
        """
        against, against_score = self.against()
        return {
            "zone": self.zone,
            "year": self.scenario.year,
            "target": self.target.to_dict(),
            "reached": self.reached,
            "already_reached": self.already_reached,
            "too_close_to_call": self.too_close,
            "summary": self.summary().render(lang, names),
            "total_change": self.total_change,
            "total_change_means": msg("analysis.total_change_means").render(lang),
            "cost": self.total_change,  # the old key, kept for scripts
            "margin": _finite(self.margin),  # a target every table meets (rank m) holds by any margin: null
            "margin_against": {"zone": against, "score": _finite(against_score)},
            "confidence": self.confidence.to_dict() if self.confidence is not None else None,
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
                 "min_change_pct": 100 * lever.lower, "max_change_pct": 100 * lever.upper, "weight": lever.cost,
                 "cost_weight": lever.cost}  # the old key, kept for scripts
                for lever in self.levers
            ],
            "notes": [render(n, lang, names) for n in self.notes],
            "warnings": [render(w, lang, names) for w in self.result.warnings],
            "search": {"evaluations": self.evaluations, "seconds": self.seconds, "starts": self.stages},
        }


def _finite(value: float) -> float | None:
    """``value``, or None (JSON null) when it is not finite."""
    return value if math.isfinite(value) else None


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
    noise: float = DEFAULT_SIGMA,
    noise_draws: int = CONFIDENCE_DRAWS,
) -> GoalSeekResult:
    """The least change of ``zone``'s indicators that reaches ``target``, and how sure it is.

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
        Per-lever weights in the total change (default 1): the search minimises the
        total change, sum of weight x |change %|.
    margin : float
        Points to spare (the target must hold by at least this much).
    seed : int or numpy.random.Generator
        For the search's randomised start and for the draws of the data noise; same
        seed, same answer and same probability.
    evolution_steps : int
        Generations of the differential-evolution start (0 skips it).
    whole_percent : bool
        Write percentage changes as whole percents (rounded away from zero, so a
        little more change), as the app's sliders show them, when that still reaches
        the target; otherwise 2 decimals as usual.
    noise : float
        Log-standard deviation of the data noise for the answer's confidence (0.05 = 5 %,
        the robustness model's default).
    noise_draws : int
        Draws of that noise (0: no confidence is computed).

    Returns
    -------
    GoalSeekResult
        Verified with the engine: ``reached`` is the engine's verdict; ``confidence``
        the chance that the target still holds under the data noise.

    Raises
    ------
    UsageError
        Unknown zone (with a suggestion), bad target, levers, bounds, weights or noise.
    SimError
        The starting scenario is invalid.
    """
    began = time.perf_counter()
    model = analysis_model(package, scenario, year)
    zone_row = model.zone_row(zone)
    target = parse_target(target, model.zones, zone)
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin > 0):
        raise UsageError(msg("analysis.margin_bad", margin=repr(margin)))
    if margin > MAX_MARGIN:
        raise UsageError(msg("analysis.margin_too_large", margin=margin, most=MAX_MARGIN))
    check_seed(seed)
    _check_noise(noise, noise_draws)
    chosen, notes = resolve_levers(model, zone_row, levers, max_change, bounds, costs)
    start_result = explain(model)

    problem = lever_problem(LeverSpace(model, zone_row, chosen), chosen, zone_row, target, margin)
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
        notes.append(msg("analysis.not_confirmed"))
    changes = []
    for j, kind, value in items:
        lever = chosen[j]
        effort = float(100.0 * abs(t_final[j]))
        before = float(model.pre[zone_row, lever.column])
        after = float(result.values.at[zone, lever.indicator])
        text = format_percent(value) if kind == "percent" else f"to {value:g}" if kind == "to" else f"{value:+g}"
        changes.append(LeverChange(lever.indicator, lever.kind, before, after, text, effort, float(lever.cost * effort)))
    total_change = float(sum(c.weighted_change for c in changes))
    if not reached and not changes:
        found = replace(found, interventions=model.scenario.interventions)
    confidence = None
    if noise_draws:
        values = result.values.loc[model.zones, model.indicators].to_numpy(dtype=float)
        confidence = target_confidence(model, values, zone_row, target, final_margin, int(noise_draws), seed,
                                       float(noise))
    return GoalSeekResult(
        zone=zone,
        target=target,
        reached=reached,
        scenario=found,
        changes=changes,
        total_change=total_change,
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
        confidence=confidence,
    )


#: Most draws of the data noise accepted for an answer's confidence.
MAX_NOISE_DRAWS = 1_000_000


def _check_noise(noise: Any, draws: Any) -> None:
    """The data noise of the confidence: a fraction >= 0 and a whole number of draws.

    Raises
    ------
    UsageError
    """
    problems = []
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not math.isfinite(noise) or noise < 0:
        problems.append(msg("analysis.noise_bad", value=repr(noise)))
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 0 <= draws <= MAX_NOISE_DRAWS:
        problems.append(msg("analysis.noise_draws_bad", value=repr(draws), most=MAX_NOISE_DRAWS))
    if problems:
        raise UsageError(problems)


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

