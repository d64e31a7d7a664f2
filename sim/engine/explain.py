"""Warnings about a scenario's changes that a planner must be told (DESIGN section 2).

- an intervention on a zone that stays last on that indicator earns no credit under
  min-max;
- a change applied equally to every zone has no effect on weights or scores;
- every changed value (by an intervention or through a link) that passes the best
  value of its column held by another zone, or leaves the worst one, moves every
  other zone's normalised value on it; the warning names its cause.
"""

from __future__ import annotations

import numpy as np

from sim.messages import Message, Ref, msg

_MINMAX_FAMILY = ("minmax", "minmax-shift")


def warnings_of(compiled, applied, active=None) -> list[Message]:
    """The warnings of an applied scenario, intervention by intervention, then the links'.

    Parameters
    ----------
    compiled : sim.engine.compiled.CompiledScenario
        Its ``base`` is the table the changes are measured against (a plan's year:
        that year's baseline path).
    applied : sim.engine.run.AppliedArrays
    active : collection of int, optional
        Positions of the interventions applied to this table (a plan's year applies
        those active that year); default every one.
    """
    scenario, rule = compiled.scenario, compiled.rule
    old, new = compiled.base, applied.values
    # Oriented so that more is better: a cost column's best is its smallest value.
    sign = np.where(compiled.is_benefit, 1.0, -1.0)
    passes, leaves = _column_moves(old * sign, new * sign)
    if compiled.method.goalposts != "scenario":
        passes[:], leaves[:] = False, False  # fixed goalposts: the clamp is reported instead
    if not rule.uses_minmax:
        leaves[:] = False  # x / max has no zero point to move
    scores_minmax = rule.scoring in _MINMAX_FAMILY
    by_cell = {}
    for (row, col), cause in applied.causes.items():
        by_cell.setdefault(cause.intervention if cause.kind == "intervention" else None, []).append((row, col, cause))

    warnings: list[Message] = []
    m = len(compiled.zones)
    for position, intervention in enumerate(scenario.interventions):
        if active is not None and position not in active:
            continue
        label = _label(position, intervention)
        rows = [compiled.zones.index(z) for z in intervention.zone_ids(compiled.zones)]
        for indicator in intervention.indicators:
            col = compiled.column(indicator)
            if scores_minmax and len(set(rows)) < m:
                worst_new, worst_old = (new[:, col] * sign[col]).min(), (old[:, col] * sign[col]).min()
                for row in rows:
                    if (new[row, col] != old[row, col] and new[row, col] * sign[col] == worst_new
                            and old[row, col] * sign[col] == worst_old):
                        warnings.append(msg("engine.stays_last", label=label, zone=Ref("zone", compiled.zones[row]),
                                            indicator=Ref("indicator", indicator)))
            if len(set(rows)) == m and _leaves_normalised_values(intervention, compiled):
                warnings.append(_common_change_warning(label, intervention, indicator, compiled))
            for row, cell_col, cause in by_cell.get(position, []):
                if cell_col == col:
                    warnings += _cell_warnings(compiled, cause, row, col, passes, leaves, (old, new), sign)
    for row, col, cause in by_cell.get(None, []):
        warnings += _cell_warnings(compiled, cause, row, col, passes, leaves, (old, new), sign)
    return warnings


def _column_moves(old: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell (tables oriented so that more is better):

    - ``passes``: behind the best of the other zones before, and now at least level
      with them and past their old best;
    - ``leaves``: strictly the worst before, and now ahead of the worst of the others.
    """
    best_old, best_new = _best_of_others(old), _best_of_others(new)
    worst_old, worst_new = -_best_of_others(-old), -_best_of_others(-new)
    passes = (old < best_old) & (new >= best_new) & (new > best_old)
    leaves = (old < worst_old) & (new > worst_new)
    return passes, leaves


def _best_of_others(x: np.ndarray) -> np.ndarray:
    """Per cell: the largest value of the column among the other zones."""
    if x.shape[0] < 2:
        return np.full(x.shape, -np.inf)
    ordered = np.sort(x, axis=0)
    top, second = ordered[-1], ordered[-2]
    return np.where(x == top, second, top)


def _cell_warnings(compiled, cause, row, col, passes, leaves, tables, sign) -> list[Message]:
    old, new = tables
    zone, indicator = Ref("zone", compiled.zones[row]), Ref("indicator", compiled.indicators[col])
    out = []
    if passes[row, col]:
        others = np.delete(new[:, col], row)
        best = float(others.max() if sign[col] > 0 else others.min())
        out.append(msg("engine.passes_best", cause=cause.trail(), zone=zone, indicator=indicator, best=best))
    if leaves[row, col]:
        out.append(msg("engine.leaves_worst", cause=cause.trail(), zone=zone, indicator=indicator,
                       worst=float(old[row, col])))
    return out


def _label(position: int, intervention) -> Message:
    from sim.engine.compiled import intervention_label

    return intervention_label(position, intervention)


def _common_change_warning(label: Message, intervention, indicator: str, compiled) -> Message:
    """The no-effect warning, claiming unchanged scores only when rounding and links cannot move them."""
    whole = intervention.percent is None and float(intervention.amount or 0.0).is_integer()
    rounded = bool(compiled.is_integer[compiled.column(indicator)]) and not whole
    targets = sorted({link.target for link in compiled.links if link.source == indicator})
    if targets:
        consequence = msg("engine.common_links", targets=[Ref("indicator", t) for t in targets])
    elif rounded:
        consequence = msg("engine.common_rounding")
    else:
        consequence = msg("engine.common_nothing")
    return msg("engine.common_change", label=label, indicator=Ref("indicator", indicator),
               change=intervention.describe(), rounding=msg("engine.up_to_rounding") if rounded else "",
               consequence=consequence)


def _leaves_normalised_values(intervention, compiled) -> bool:
    """Whether the same change for every zone leaves every normalised value as it was."""
    method = compiled.method
    if intervention.to is not None or method.goalposts != "scenario":
        return False
    if intervention.percent is not None:
        # A common factor > 0 cancels in min-max, x / max and min / x alike.
        return intervention.percent > -100
    # A common shift cancels in min-max only.
    return method.normalization in _MINMAX_FAMILY and method.scoring in _MINMAX_FAMILY
