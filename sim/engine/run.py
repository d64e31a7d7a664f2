"""One scenario through the engine: apply it to a batch of one, score it, explain it.

:func:`run_scenario` is the engine of :mod:`sim.engine.tables` on a batch of one,
plus what a person needs to read the result: where each changed value came from
(:class:`~sim.engine.result.Cause`), the gain decomposition, the weight drift and
the warnings (:mod:`sim.engine.explain`). Errors that arise only once the scenario
is applied name the intervention (file and line) that produced the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.data import MAX_ABS_VALUE, DataPackage
from sim.errors import DataError, ScenarioError
from sim.messages import Message, Ref, msg
from sim.method.entropy import entropy_scores
from sim.method.scoring import ScoredArrays, score_arrays, score_table_of
from sim.scenario import Scenario

from sim.engine.compiled import CompiledScenario, compile_scenario, intervention_label
from sim.engine.explain import warnings_of
from sim.engine.result import ORIGIN_WORDS, Cause, Result, provenance
from sim.engine.tables import Edit, apply_edits, finish

_DECOMPOSITION = pd.Index(["data", "weights", "total"])
#: Origin codes of :attr:`AppliedArrays.origin`.
UNCHANGED, BY_INTERVENTION, BY_LINK = 0, 1, 2


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
        Roundings of counts, in words.
    """

    values: pd.DataFrame
    origin: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class AppliedArrays:
    """A scenario applied to its year's table, with the trace the explanations need.

    Attributes
    ----------
    values : ndarray, shape (m, n)
        After interventions, links and rounding.
    pre : ndarray, shape (m, n)
        After the interventions only.
    origin : ndarray of int8, shape (m, n)
        :data:`UNCHANGED`, :data:`BY_INTERVENTION` or :data:`BY_LINK`.
    causes : dict
        ``(row, col) -> Cause`` for every changed cell, in table order.
    notes : list of Message
        Roundings of counts.
    """

    values: np.ndarray
    pre: np.ndarray
    origin: np.ndarray
    causes: dict[tuple[int, int], Cause]
    notes: list[Message]


def apply_arrays(compiled: CompiledScenario) -> AppliedArrays:
    """Apply the scenario to a batch of one and trace every change (see :func:`apply_scenario`)."""
    return apply_batch(compiled, compiled.base[None], compiled.edits)[0]


def apply_batch(
    compiled: CompiledScenario,
    bases: np.ndarray,
    edits: Sequence[Edit],
    years: Sequence[int] | None = None,
) -> list[AppliedArrays]:
    """Apply edits to a stack of base tables and trace every change, table by table.

    One scenario is a stack of one (its year's table and its interventions); a plan
    over years stacks one base table per year (its baseline path) and gives each edit
    the years it is active in (:attr:`Edit.draws`). Links measure each table's changes
    against its own base.

    Parameters
    ----------
    compiled : CompiledScenario
        The scenario (its interventions name the changes, its rules finish the tables).
    bases : ndarray, shape (Y, m, n)
    edits : sequence of Edit
        ``sources`` are positions in ``compiled.scenario.interventions``.
    years : sequence of int, optional
        The year of each table, named in the errors of a plan (one scenario: none).

    Raises
    ------
    ScenarioError
        Every value that leaves its valid range, and every link that meets a base of 0,
        in every table, named with the intervention (and line) behind it.
    """
    count, m, n = bases.shape
    tables = np.array(bases, dtype=np.float64, order="C")
    origin = np.zeros((count, m, n), dtype=np.int8)
    by_intervention = np.full((count, m, n), -1, dtype=np.int64)
    for edit in edits:
        apply_edits(tables, (edit,))
        cells = (slice(None) if edit.draws is None else edit.draws, edit.rows, edit.cols)
        origin[cells] = BY_INTERVENTION
        by_intervention[cells] = edit.sources
    pre = tables.copy()
    finished = finish(tables, bases, compiled.rules)

    def in_year(problem: Message, k: int) -> Message:
        return problem if years is None else msg("plan.in_year", year=int(years[k]), problem=problem)

    traces, undefined, problems = [], [], []
    for k in range(count):
        trace = _Trace(origin[k], by_intervention[k])
        for link_k, (link, rule) in enumerate(zip(compiled.links, compiled.rules.links)):
            undefined_k = finished.links.undefined[link_k]
            zero = trace.follow(link_k, rule, finished.links.fired[link_k][k],
                                None if undefined_k is None else undefined_k[k])
            for row in zero:
                undefined.append(in_year(msg(
                    "engine.link_zero_baseline", source=Ref("indicator", link.source),
                    target=Ref("indicator", link.target), zone=Ref("zone", compiled.zones[row]),
                    after=_after(compiled, trace.upstream, row, rule.source)), k))
        traces.append(trace)
    source = compiled.scenario.source or "scenario"
    if undefined:
        raise ScenarioError(undefined, source)
    for k, trace in enumerate(traces):
        for row, col in zip(*np.nonzero(~finished.in_range[k] & (origin[k] != UNCHANGED))):
            problems.append(in_year(msg(
                "engine.bad_result", why=_why(compiled, trace.by_intervention, trace.by_link, trace.upstream, row, col),
                zone=Ref("zone", compiled.zones[row]),
                problem=_range_problem(compiled, col, float(tables[k, row, col]))), k))
    if problems:
        raise ScenarioError(problems, source)

    out = []
    for k, trace in enumerate(traces):
        causes = {}
        for row, col in zip(*np.nonzero(trace.origin)):
            causes[(int(row), int(col))] = _cause(compiled, trace.origin, trace.by_intervention, trace.by_link,
                                                  trace.upstream, row, col)
        out.append(AppliedArrays(values=tables[k], pre=pre[k], origin=trace.origin, causes=causes,
                                 notes=_rounding_notes(compiled, finished.before_rounding[k], tables[k])))
    return out


class _Trace:
    """Where the changed cells of one table came from: interventions, then links in order."""

    def __init__(self, origin: np.ndarray, by_intervention: np.ndarray):
        self.origin = origin
        self.by_intervention = by_intervention
        self.by_link = np.full(origin.shape, -1, dtype=np.int64)
        self.upstream = by_intervention.copy()

    def follow(self, k: int, rule, fired: np.ndarray, zero: np.ndarray | None) -> np.ndarray:
        """Record link ``k`` (rows where it moved its target); return the rows where it was undefined.

        The first link that moves a cell not changed by an intervention is its cause;
        the chain leads back to the intervention that moved the first link's source.
        """
        new = fired & (self.origin[:, rule.target] == UNCHANGED)
        self.origin[new, rule.target] = BY_LINK
        self.by_link[new, rule.target] = k
        self.upstream[new, rule.target] = self.upstream[new, rule.source]
        return np.flatnonzero(zero) if zero is not None else np.empty(0, dtype=np.int64)


def _cause(compiled, origin, by_intervention, by_link, upstream, row, col) -> Cause:
    if origin[row, col] == BY_INTERVENTION:
        position = int(by_intervention[row, col])
        return Cause("intervention", position, compiled.scenario.interventions[position].line)
    link = compiled.links[int(by_link[row, col])]
    position = int(upstream[row, col])
    line = compiled.scenario.interventions[position].line if position >= 0 else None
    return Cause("link", position if position >= 0 else None, line, via=link.source, target=link.target)


def _why(compiled, by_intervention, by_link, upstream, row, col) -> Message:
    """What changed a cell, in words, back to the intervention's line."""
    zone = Ref("zone", compiled.zones[row])
    if by_intervention[row, col] >= 0:
        position = int(by_intervention[row, col])
        intervention = compiled.scenario.interventions[position]
        return msg("engine.why_intervention", label=intervention_label(position, intervention),
                   indicator=Ref("indicator", compiled.indicators[col]), change=intervention.describe(), zone=zone)
    link = compiled.links[int(by_link[row, col])]
    rule = compiled.rules.links[int(by_link[row, col])]
    return msg("engine.why_link", link=_link_text(link), zone=zone,
               after=_after_why(compiled, by_intervention, by_link, upstream, row, rule.source))


def _after_why(compiled, by_intervention, by_link, upstream, row, col) -> Message | str:
    if by_intervention[row, col] < 0 and by_link[row, col] < 0:
        return ""
    return msg("engine.after", upstream=_why(compiled, by_intervention, by_link, upstream, row, col))


def _after(compiled, upstream, row, col) -> Message | str:
    position = int(upstream[row, col])
    if position < 0:
        return ""
    return msg("engine.after", upstream=intervention_label(position, compiled.scenario.interventions[position]))


def _link_text(link) -> Message:
    rule = (msg("engine.elasticity", factor=link.elasticity) if link.elasticity is not None
            else msg("engine.additive", factor=link.additive))
    return msg("engine.link", source=Ref("indicator", link.source), target=Ref("indicator", link.target),
               origin=msg(f"engine.link_of_{'data' if link.origin == 'data' else 'scenario'}"), rule=rule)


def _range_problem(compiled, col: int, value: float) -> Message:
    indicator = Ref("indicator", compiled.indicators[col])
    low, high = compiled.rules.col_min[col], compiled.rules.col_max[col]
    if not abs(value) <= MAX_ABS_VALUE:
        return msg("engine.range_unhandled", indicator=indicator, value=value, limit=MAX_ABS_VALUE)
    if value < low:
        return msg("engine.range_below", indicator=indicator, value=value, bound=float(low))
    return msg("engine.range_above", indicator=indicator, value=value, bound=float(high))


def _rounding_notes(compiled, before: np.ndarray, values: np.ndarray) -> list[Message]:
    counts = np.flatnonzero(compiled.rules.is_integer)
    if not len(counts):
        return []
    after = values[:, counts]
    # Floating-point noise (50 * 1.1 = 55.000000000000007) is rounded away without a note.
    visible = np.abs(after - before) > 1e-9 * np.maximum(1.0, np.abs(before))
    notes = []
    for k, col in enumerate(counts):
        for row in np.flatnonzero(visible[:, k]):
            notes.append(msg("engine.rounded", indicator=Ref("indicator", compiled.indicators[col]),
                             zone=Ref("zone", compiled.zones[row]), before=float(before[row, k]),
                             after=float(after[row, k])))
    return notes


def check_scores(compiled: CompiledScenario) -> tuple[ScoredArrays, ScoredArrays]:
    """The baseline's and the scenario's scores (arrays), with the errors of a run.

    Raises
    ------
    DataError
        The baseline year cannot be scored with the method.
    ScenarioError
        The scenario cannot be applied, or its table cannot be scored (e.g. every
        column made constant): named with the interventions that changed it.
    """
    arrays = compiled.arrays
    baseline = arrays.baseline_scores(compiled.year, compiled.method)
    applied = compiled.applied
    if not compiled.edits and not applied.causes:
        return baseline, baseline
    try:
        scored = score_arrays(applied.values, arrays.is_benefit, compiled.rule, compiled.zones, compiled.indicators,
                              msg("method.where_year", year=compiled.year))
    except DataError as exc:
        labels = sorted({cause.intervention for cause in applied.causes.values() if cause.intervention is not None})
        interventions = compiled.scenario.interventions
        caused = msg("engine.caused_by", causes=[intervention_label(p, interventions[p]) for p in labels])
        raise ScenarioError([*exc.problems, caused], compiled.scenario.source or "scenario") from None
    return baseline, scored


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
        Invalid results (out-of-range values, a table the method cannot score),
        named with the intervention that caused them; nothing is scored then. Also a
        plan over years (run it with :func:`sim.plan.run_plan`).
    DataError
        The baseline year cannot be scored with the method.
    """
    if scenario.plan is not None:
        raise ScenarioError(msg("plan.use_run_plan", horizon=scenario.plan.horizon), scenario.source or "scenario")
    compiled = compile_scenario(package, scenario)
    return explain(compiled)


def explain(compiled: CompiledScenario) -> Result:
    """The :class:`Result` of a compiled scenario (see :func:`run_scenario`)."""
    baseline_arrays, scored_arrays = check_scores(compiled)
    applied = compiled.applied
    return assemble(compiled, applied, baseline_arrays, scored_arrays,
                    warnings=[*scored_arrays.warnings, *applied.notes, *warnings_of(compiled, applied)],
                    provenance=provenance(compiled.package, compiled.year))


def assemble(
    compiled: CompiledScenario,
    applied: AppliedArrays,
    baseline_arrays: ScoredArrays,
    scored_arrays: ScoredArrays,
    warnings: list,
    provenance: dict,
    result_type: type[Result] = Result,
    **extra,
) -> Result:
    """A :class:`Result` from a table applied to ``compiled.base`` and both tables' scores.

    ``result_type`` and ``extra`` let a plan build its years' results (a subclass
    knowing its year) from the same parts.
    """
    arrays = compiled.arrays
    zones, ids, groups = compiled.zone_index, arrays.score_index, arrays.group_index
    baseline = score_table_of(baseline_arrays, zones, ids, arrays.membership, groups)
    scored = score_table_of(scored_arrays, zones, ids, arrays.membership, groups)
    # The scenario's normalised data under the baseline's weights: the gain from the data
    # alone, scored by the same batched call as the scores (equal tables, equal bits).
    rule = compiled.rule
    _, data_only = entropy_scores(applied.values[None], arrays.is_benefit, rule.scoring, rule.scoring,
                                  weights=baseline_arrays.weights, lower=rule.lower, upper=rule.upper)
    data_part = data_only[0] - baseline_arrays.scores
    total = scored_arrays.scores - baseline_arrays.scores
    decomposition = pd.DataFrame(np.column_stack([data_part, total - data_part, total]), index=zones,
                                 columns=_DECOMPOSITION)
    origin = origin_frame(compiled, applied)
    causes = {(compiled.zones[row], compiled.indicators[col]): cause for (row, col), cause in applied.causes.items()}
    return result_type(
        scenario=compiled.scenario,
        method=compiled.method,
        baseline_values=compiled.frame(compiled.base.copy()),
        values=compiled.frame(applied.values.copy()),
        origin=origin,
        scored=scored,
        baseline=baseline,
        decomposition=decomposition,
        warnings=warnings,
        provenance=provenance,
        causes=causes,
        **extra,
    )


def apply_scenario(package: DataPackage, scenario: Scenario) -> AppliedTable:
    """Apply the interventions and links of a scenario to its baseline year.

    Raises
    ------
    ScenarioError
        A value leaves its indicator's valid range, or a link meets a baseline of 0,
        each named with the intervention (and its line) or link that caused it.
    """
    compiled = compile_scenario(package, scenario)
    applied = compiled.applied
    return AppliedTable(values=compiled.frame(applied.values.copy()), origin=origin_frame(compiled, applied),
                        notes=list(applied.notes))


def origin_frame(compiled: CompiledScenario, applied: AppliedArrays) -> pd.DataFrame:
    """``""``, ``"intervention"`` or ``"link"`` per cell (object dtype: 50 times faster to build than str)."""
    words = np.asarray(ORIGIN_WORDS, dtype=object)[applied.origin]
    return pd.DataFrame(words, index=compiled.zone_index, columns=compiled.arrays.indicator_index, dtype=object)
