"""One scenario through the engine: apply it to a batch of one, score it, explain it.

:func:`run_scenario` is the engine of :mod:`sim.engine.tables` on a batch of one,
plus what a person needs to read the result: where each changed value came from
(:class:`~sim.engine.result.Cause`), the gain decomposition, the weight drift and
the warnings (:mod:`sim.engine.explain`). Errors that arise only once the scenario
is applied name the intervention (file and line) that produced the value.
"""

from __future__ import annotations

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
from sim.engine.tables import apply_edits

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
    base = compiled.base
    m, n = base.shape
    tables = base[None].copy()
    origin = np.zeros((m, n), dtype=np.int8)
    by_intervention = np.full((m, n), -1, dtype=np.int64)
    for edit in compiled.edits:
        apply_edits(tables, (edit,))
        origin[edit.rows, edit.cols] = BY_INTERVENTION
        by_intervention[edit.rows, edit.cols] = edit.sources
    pre = tables[0].copy()
    finished = compiled.finish_traced(tables)
    values = tables[0]

    # Links: the first link that moves a cell not changed by an intervention is its cause;
    # the chain leads back to the intervention that moved the first link's source.
    by_link = np.full((m, n), -1, dtype=np.int64)
    upstream = by_intervention.copy()
    undefined = []
    for k, (link, rule) in enumerate(zip(compiled.links, compiled.rules.links)):
        fired = finished.links.fired[k][0]
        new = fired & (origin[:, rule.target] == UNCHANGED)
        origin[new, rule.target] = BY_LINK
        by_link[new, rule.target] = k
        upstream[new, rule.target] = upstream[new, rule.source]
        zero = finished.links.undefined[k]
        for row in np.flatnonzero(zero[0]) if zero is not None else ():
            undefined.append(msg("engine.link_zero_baseline", source=Ref("indicator", link.source),
                                 target=Ref("indicator", link.target), zone=Ref("zone", compiled.zones[row]),
                                 after=_after(compiled, upstream, row, rule.source)))
    source = compiled.scenario.source or "scenario"
    if undefined:
        raise ScenarioError(undefined, source)

    problems = []
    for row, col in zip(*np.nonzero(~finished.in_range[0] & (origin != UNCHANGED))):
        problems.append(msg("engine.bad_result", why=_why(compiled, by_intervention, by_link, upstream, row, col),
                            zone=Ref("zone", compiled.zones[row]),
                            problem=_range_problem(compiled, col, float(values[row, col]))))
    if problems:
        raise ScenarioError(problems, source)

    causes = {}
    for row, col in zip(*np.nonzero(origin)):
        causes[(int(row), int(col))] = _cause(compiled, origin, by_intervention, by_link, upstream, row, col)
    return AppliedArrays(values=values, pre=pre, origin=origin, causes=causes,
                         notes=_rounding_notes(compiled, finished.before_rounding[0], values))


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
        named with the intervention that caused them; nothing is scored then.
    DataError
        The baseline year cannot be scored with the method.
    """
    compiled = compile_scenario(package, scenario)
    return explain(compiled)


def explain(compiled: CompiledScenario) -> Result:
    """The :class:`Result` of a compiled scenario (see :func:`run_scenario`)."""
    arrays = compiled.arrays
    baseline_arrays, scored_arrays = check_scores(compiled)
    applied = compiled.applied
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
    return Result(
        scenario=compiled.scenario,
        method=compiled.method,
        baseline_values=compiled.frame(compiled.base.copy()),
        values=compiled.frame(applied.values.copy()),
        origin=origin,
        scored=scored,
        baseline=baseline,
        decomposition=decomposition,
        warnings=[*scored.warnings, *applied.notes, *warnings_of(compiled, applied)],
        provenance=provenance(compiled.package, compiled.year),
        causes=causes,
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
