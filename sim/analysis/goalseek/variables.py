"""The decision variables of goal-seek: one :class:`Lever` per indicator the zone may change.

A lever's variable ``t`` is its change as a fraction of ``scale``; :func:`resolve_levers`
turns ids, bounds and cost weights into levers, and :func:`lever_tables` turns a batch of
``t`` into the engine's edits on the scenario's table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.analysis.goalseek.search import SeekProblem
from sim.analysis.goalseek.targets import Target, target_margins
from sim.engine import CompiledScenario, Edit, apply_edits
from sim.engine.tables import TO, round_half_away
from sim.errors import UsageError
from sim.messages import Ref, msg
from sim.scenario import MAX_PERCENT, MIN_PERCENT
from sim.text import did_you_mean

#: Default bound on every lever: at most +100 % (benefit) or -100 % (cost) of its value.
DEFAULT_MAX_CHANGE = 100.0
#: Largest weight of a lever accepted: the total change sums weight x |change %|, and a
#: weight beyond this would overflow the sums the search compares.
MAX_COST_WEIGHT = 1e6


@dataclass(frozen=True)
class Lever:
    """One indicator of the zone that the search may change.

    The decision variable ``t`` of a lever is its change as a fraction of ``scale``:
    the new value is ``start * (1 + t)`` for a ``percent`` lever (``scale`` is then
    ``start``), ``start + t * scale`` for an ``absolute`` one and
    ``start + round(t * scale)`` for a ``count``. The effort is ``100 |t|`` (percent
    of the starting value); it enters the total change times ``cost``.

    Attributes
    ----------
    indicator : str
    column : int
    kind : {"percent", "absolute", "count"}
        How the change is written: ``by: +x%``, ``by: amount`` (a value <= 0, where a
        percentage means nothing) or ``by: n`` (whole counts).
    start : float
        The zone's value before the search (after the starting scenario).
    scale : float
        The value that 100 % effort refers to.
    lower, upper : float
        Bounds on ``t`` (valid range and ``ratio``'s positivity included).
    cost : float
        Weight of the lever in the total change, per percentage point of effort (the
        search minimises the total; the command line's ``--cost``).
    value_min, value_max : float
        The indicator's valid range (``ratio``'s positivity included).
    """

    indicator: str
    column: int
    kind: str
    start: float
    scale: float
    lower: float
    upper: float
    cost: float = 1.0
    value_min: float = -math.inf
    value_max: float = math.inf

    @property
    def step(self) -> float:
        """Grid of ``t`` for counts (one unit), 0 for continuous levers."""
        return 1.0 / self.scale if self.kind == "count" else 0.0


def resolve_levers(
    model: CompiledScenario,
    zone_row: int,
    levers: Sequence[str] | None = None,
    max_change: float | None = DEFAULT_MAX_CHANGE,
    bounds: Mapping[str, tuple[float, float] | float] | None = None,
    costs: Mapping[str, float] | None = None,
) -> tuple[list[Lever], list[str]]:
    """Turn lever ids, bounds and weights (in the total change) into :class:`Lever` objects.

    Parameters
    ----------
    model : CompiledScenario
    zone_row : int
    levers : sequence of str, optional
        Indicator ids; default every indicator.
    max_change : float
        Default bound, in percent, in each indicator's improving direction (up for
        benefit indicators, down for cost indicators, at most -100 %).
    bounds : mapping, optional
        ``{indicator: (low %, high %)}`` or ``{indicator: high %}`` (then in the
        improving direction), overriding ``max_change``.
    costs : mapping, optional
        ``{indicator: weight}`` (default 1; 0 = free).

    Returns
    -------
    levers : list of Lever
        Only levers with room to move.
    notes : list of Message
        Levers left out and why.

    Raises
    ------
    UsageError
        Unknown ids, bad bounds or weights.
    """
    ids = model.indicators
    chosen = list(ids) if levers is None else list(levers)
    problems = [msg("analysis.lever_unknown", indicator=repr(i), hint=did_you_mean(i, ids))
                for i in chosen if i not in ids]
    duplicated = sorted({i for i in chosen if chosen.count(i) > 1})
    problems += [msg("analysis.lever_twice", indicator=Ref("indicator", i)) for i in duplicated]
    if not chosen:
        problems.append(msg("analysis.no_levers"))
    if max_change is not None and (not math.isfinite(max_change) or max_change < 0):
        problems.append(msg("analysis.max_change_bad", value=repr(max_change)))
    elif max_change is not None and max_change > MAX_PERCENT:
        problems.append(msg("analysis.max_change_too_large", value=max_change, most=MAX_PERCENT))
    for key, value in (bounds or {}).items():
        if key not in ids:
            problems.append(msg("analysis.bound_unknown", indicator=repr(key), hint=did_you_mean(key, ids)))
        elif key not in chosen:
            problems.append(msg("analysis.bound_not_lever", indicator=Ref("indicator", key)))
        low, high = (None, value) if np.isscalar(value) else value
        if any(v is not None and not (isinstance(v, (int, float)) and math.isfinite(v)) for v in (low, high)):
            problems.append(msg("analysis.bound_not_finite", indicator=Ref("indicator", key), value=repr(value)))
        elif any(v is not None and not MIN_PERCENT <= v <= MAX_PERCENT for v in (low, high)):
            problems.append(msg("analysis.bound_out_of_range", indicator=Ref("indicator", key), value=str(value),
                                low=MIN_PERCENT, high=MAX_PERCENT))
        elif low is not None and low > high:
            problems.append(msg("analysis.bound_low_above_high", indicator=Ref("indicator", key), low=low, high=high))
    for key, weight in (costs or {}).items():
        if key not in ids:
            problems.append(msg("analysis.weight_unknown", indicator=repr(key), hint=did_you_mean(key, ids)))
        elif isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            problems.append(msg("analysis.weight_bad", indicator=Ref("indicator", key), weight=repr(weight)))
        elif weight > MAX_COST_WEIGHT:
            problems.append(msg("analysis.cost_too_large", indicator=Ref("indicator", key), weight=weight,
                                most=MAX_COST_WEIGHT))
    if problems:
        raise UsageError(problems)

    max_change = DEFAULT_MAX_CHANGE if max_change is None else float(max_change)
    out, notes = [], []
    for indicator in (i for i in ids if i in chosen):
        col = ids.index(indicator)
        start = float(model.pre[zone_row, col])
        column = model.pre[:, col]
        counts = bool(model.is_integer[col])
        if counts:
            kind = "count"
            scale = start if start > 0 else max(1.0, float(np.mean(np.abs(column))))
        elif start > 0:
            kind, scale = "percent", start
        else:
            kind = "absolute"
            scale = float(np.mean(np.abs(column))) or 1.0
        benefit = bool(model.is_benefit[col])
        given = (bounds or {}).get(indicator)
        if given is None:
            low, high = (0.0, max_change) if benefit else (-min(max_change, 100.0), 0.0)
        elif np.isscalar(given):
            low, high = (0.0, float(given)) if benefit else (-min(float(given), 100.0), 0.0)
        else:
            low, high = float(given[0]), float(given[1])
        lower, upper = low / 100.0, high / 100.0
        # The valid range of the indicator, and positivity under ratio.
        lo_value, hi_value = model.col_min[col], model.col_max[col]
        if model.needs_positive and column.min() > 0:
            # Under ratio a column of positive values keeps x / max only while it stays
            # positive: a lever does not cross into min-max's fall-back (DESIGN section 2).
            lo_value = max(lo_value, 1.0 if counts else 1e-9 * max(abs(start), 1e-9))
        lower = max(lower, (lo_value - start) / scale)
        upper = min(upper, (hi_value - start) / scale)
        if counts:
            lower = math.ceil(round(lower * scale, 9)) / scale
            upper = math.floor(round(upper * scale, 9)) / scale
        if not upper > lower:
            whole = counts and math.isfinite(upper)
            notes.append(msg("analysis.lever_no_room_unit" if whole else "analysis.lever_no_room",
                             indicator=Ref("indicator", indicator)))
            continue
        out.append(
            Lever(indicator, col, kind, start, scale, lower, upper, float((costs or {}).get(indicator, 1.0)),
                  float(lo_value), float(hi_value))
        )
    if not out:
        raise UsageError([msg("analysis.no_lever_moves"), *notes])
    return out, notes


class LeverSpace:
    """The levers as arrays, for turning batches of ``t`` into tables fast (the search's hot path)."""

    def __init__(self, model: CompiledScenario, zone_row: int, levers: Sequence[Lever]):
        self.model = model
        self.start = np.array([lever.start for lever in levers])
        self.scale = np.array([lever.scale for lever in levers])
        self.counts = np.array([lever.kind == "count" for lever in levers])
        self.percent = np.array([lever.kind == "percent" for lever in levers])
        self.value_min = np.array([lever.value_min for lever in levers])
        self.value_max = np.array([lever.value_max for lever in levers])
        size = len(levers)
        self.rows = np.full(size, zone_row)
        self.cols = np.array([lever.column for lever in levers])
        self.kinds = np.full(size, TO, dtype=np.int8)

    def values(self, t: np.ndarray, relax: bool) -> np.ndarray:
        """The levers' new values for a batch of ``t`` (shape (B, L)), shape (B, L)."""
        t = np.atleast_2d(t)
        change = t * self.scale
        if not relax and self.counts.any():
            # A count lever moves by whole units (its grid), as the written answer will.
            change[:, self.counts] = round_half_away(change[:, self.counts])
        new = self.start + change
        # Written as by: +x%, the engine computes old * (1 + x / 100): do the same.
        new[:, self.percent] = self.start[self.percent] * (1.0 + t[:, self.percent])
        # t stays within the bounds; this only removes float noise at a bound of the valid range.
        return np.clip(new, self.value_min, self.value_max)

    def tables(self, t: np.ndarray, relax: bool) -> np.ndarray:
        """Tables of changed values (before links) with the levers moved by ``t`` (shape (B, L))."""
        new = self.values(t, relax)
        edit = Edit(rows=self.rows, cols=self.cols, kinds=self.kinds, values=new)
        return apply_edits(self.model.tile_pre(len(new)), (edit,))


def lever_values(levers: Sequence[Lever], t: np.ndarray, relax: bool) -> np.ndarray:
    """The levers' new values for a batch of ``t`` (shape (B, L)), shape (B, L)."""
    return LeverSpace(None, 0, levers).values(t, relax)


def lever_tables(model: CompiledScenario, zone_row: int, levers: Sequence[Lever], t: np.ndarray,
                 relax: bool) -> np.ndarray:
    """Tables of changed values (before links) with the levers moved by ``t`` (shape (B, L)) for the zone."""
    return LeverSpace(model, zone_row, levers).tables(t, relax)


def lever_problem(space: LeverSpace, chosen: Sequence[Lever], zone_row: int, target: Target, margin: float,
                  changes: Callable[[np.ndarray], np.ndarray] | None = None) -> SeekProblem:
    """The search problem of reaching ``target`` with the levers of ``space``, on its engine model.

    Parameters
    ----------
    space : LeverSpace
        The levers as arrays, on the compiled model they edit.
    chosen : sequence of Lever
        The same levers (their bounds, costs and grid steps).
    zone_row : int
        The zone's row in the model's tables.
    target : Target
    margin : float
        Points to spare: the target must hold by at least this much.
    changes : callable, optional
        Maps the searched variables to the levers' changes (a plan's goal-seek searches
        a yearly step and applies its compounded total); default: the variables are the changes.
    """
    model = space.model

    def margins(t: np.ndarray, relax: bool) -> np.ndarray:
        tables = space.tables(t if changes is None else changes(t), relax)
        _, scores, valid = model.evaluate(tables, relax)
        out = target_margins(np.where(valid[:, None], scores, 0.0), zone_row, target, model.zones)
        return np.where(valid, out, -np.inf)

    return SeekProblem(
        margin=margins,
        lower=np.array([lever.lower for lever in chosen]),
        upper=np.array([lever.upper for lever in chosen]),
        cost=np.array([lever.cost for lever in chosen]),
        step=np.array([lever.step for lever in chosen]),
        delta=float(margin),
    )
