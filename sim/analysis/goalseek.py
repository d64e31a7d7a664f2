"""Goal-seek: the least change that reaches a target ("what would it take?").

For one zone, a target (reach rank k, overtake zone Y, reach score S) and a set of
levers (indicators of that zone, each with bounds and a cost weight), find the
change of least cost that reaches the target under the scenario's method, entropy
weights recomputed from the changed data when the method says so.

The problem is non-linear and non-convex: min-max moves the goalposts when a zone
passes the best value, the weights shift with the data, the comparator zone of a
rank target can switch, and counts are whole. The search therefore combines:

1. a **greedy continuation** from the starting point: line searches along every
   lever at once (thousands of candidate tables scored in one batched call), taking
   the most efficient step (margin gained per unit of cost) until the target is met,
   then bisection to the exact crossing;
2. other **starts**: a linearised programme (``scipy.optimize.linprog`` on the
   gradient at the start) and a vectorised ``scipy.optimize.differential_evolution``
   on a penalised cost, whose whole population is scored in one call per generation;
3. a **polish** of every start: SLSQP on the continuous relaxation with the target
   margin as a constraint (gradients by batched finite differences), then counts
   rounded to whole numbers and **repaired** (greedy again) and a **trim** that
   lowers each lever to the least value that still reaches the target.

The cheapest candidate is written as a :class:`~sim.scenario.Scenario` and
**verified** by running the engine on it. "Not reachable within these bounds" is an
answer too, with the best result the search found.

The pure core is :func:`seek` (arrays and a margin function in, arrays out); the
validating wrapper is :func:`goal_seek` (ids, scenario and target in, a
:class:`GoalSeekResult` out).

Examples
--------
>>> from sim.data import load_package
>>> from sim.analysis.goalseek import goal_seek
>>> package = load_package()
>>> answer = goal_seek(package, "donghu", "overtake:sunan", year=2020, levers=["rd_spending"])
>>> answer.reached in (True, False)
True
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.data import DataPackage
from sim.engine import Result, run_scenario
from sim.errors import UsageError
from sim.analysis.batch import ScenarioModel, build_model, parse_percent, split_ids
from sim.scenario import Intervention, Scenario, format_percent
from sim.text import did_you_mean

TARGET_KINDS = ("rank", "overtake", "score")
#: Default bound on every lever: at most +100 % (benefit) or -100 % (cost) of its value.
DEFAULT_MAX_CHANGE = 100.0
#: The target must hold with this much to spare (points): the 0.01 the scores are
#: shown with, so that a planner sees the zone ahead (62.06 vs 62.05, not 62.05 vs
#: 62.05), and float noise between the batched model and the engine cannot undo it.
DEFAULT_MARGIN = 0.01


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """What the zone must reach.

    Attributes
    ----------
    kind : {"rank", "overtake", "score"}
    rank : int or None
        For ``rank``: rank k or better (1 = best).
    rival : str or None
        For ``overtake``: the zone to finish strictly ahead of.
    score : float or None
        For ``score``: points out of 100 to reach or exceed.
    """

    kind: str
    rank: int | None = None
    rival: str | None = None
    score: float | None = None

    def describe(self) -> str:
        if self.kind == "rank":
            return f"rank {self.rank}" + (" or better" if self.rank and self.rank > 1 else "")
        if self.kind == "overtake":
            return f"overtake {self.rival}"
        return f"score {self.score:g} or more"

    def text(self) -> str:
        """The command-line form, e.g. ``rank:3``."""
        value = self.rank if self.kind == "rank" else self.rival if self.kind == "overtake" else f"{self.score:g}"
        return f"{self.kind}:{value}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "rank":
            out["rank"] = self.rank
        elif self.kind == "overtake":
            out["zone"] = self.rival
        else:
            out["score"] = self.score
        return out


def parse_target(text: str | Target, zones: Sequence[str], zone: str | None = None) -> Target:
    """Read ``rank:K``, ``overtake:ZONE`` or ``score:S`` and check it against the zones.

    Raises
    ------
    UsageError
        Bad syntax, a rank outside 1..m, an unknown rival (with a suggestion), the
        zone itself as rival, a non-finite score.

    Examples
    --------
    >>> parse_target("rank:3", ["a", "b", "c"])
    Target(kind='rank', rank=3, rival=None, score=None)
    """
    zones = list(zones)
    if isinstance(text, Target):
        target = text
    else:
        syntax = f"target {text!r} is not understood; write rank:K, overtake:ZONE or score:S (e.g. rank:3)"
        if not isinstance(text, str) or ":" not in text:
            raise UsageError(syntax)
        kind, _, value = (part.strip() for part in text.partition(":"))
        kind = kind.lower()
        if kind not in TARGET_KINDS:
            raise UsageError(f"target kind {kind!r} is not allowed{did_you_mean(kind, TARGET_KINDS)}; {syntax}")
        if kind == "rank":
            try:
                target = Target("rank", rank=int(value))
            except ValueError:
                raise UsageError(f"target {text!r}: the rank must be a whole number, e.g. rank:3") from None
        elif kind == "overtake":
            target = Target("overtake", rival=value)
        else:
            try:
                target = Target("score", score=float(value))
            except ValueError:
                raise UsageError(f"target {text!r}: the score must be a number of points, e.g. score:65") from None
    if target.kind == "rank" and not (target.rank is not None and 1 <= target.rank <= len(zones)):
        raise UsageError(f"target rank {target.rank} is out of range; allowed: 1 to {len(zones)} (the number of zones)")
    if target.kind == "overtake":
        if target.rival not in zones:
            raise UsageError(f"target: unknown zone {target.rival!r}{did_you_mean(target.rival, zones)}")
        if target.rival == zone:
            raise UsageError(f"target: a zone cannot overtake itself ({zone!r})")
    if target.kind == "score" and not (target.score is not None and math.isfinite(target.score)):
        raise UsageError(f"target score {target.score!r} must be a finite number of points")
    return target


def target_margins(scores: np.ndarray, zone_row: int, target: Target, zones: Sequence[str]) -> np.ndarray:
    """By how many points each row of ``scores`` meets the target (negative: misses it).

    Parameters
    ----------
    scores : ndarray, shape (B, m)
    zone_row : int
    target : Target
    zones : sequence of str
        Zone ids in column order.

    Returns
    -------
    ndarray, shape (B,)
        ``rank``: the zone's score minus the k-th best score among the others
        (>= 0 means rank k or better); ``overtake``: minus the rival's score;
        ``score``: minus the target score.
    """
    own = scores[:, zone_row]
    if target.kind == "score":
        return own - float(target.score)
    if target.kind == "overtake":
        return own - scores[:, list(zones).index(target.rival)]
    others = np.delete(scores, zone_row, axis=1)
    k = int(target.rank)
    if k > others.shape[1]:
        return np.full(own.shape, np.inf)
    kth_best = -np.partition(-others, k - 1, axis=1)[:, k - 1]
    return own - kth_best


def target_met(result: Result, zone: str, target: Target) -> bool:
    """Whether an engine :class:`Result` meets the target (the engine's own ranks)."""
    scores, ranks = result.scored.scores, result.scored.ranks
    if target.kind == "rank":
        return int(ranks[zone]) <= int(target.rank)
    if target.kind == "overtake":
        return bool(scores[zone] > scores[target.rival])
    return bool(scores[zone] >= target.score)


# --------------------------------------------------------------------------- levers


@dataclass(frozen=True)
class Lever:
    """One indicator of the zone that the search may change.

    The decision variable ``t`` of a lever is its change as a fraction of ``scale``:
    the new value is ``start * (1 + t)`` for a ``percent`` lever (``scale`` is then
    ``start``), ``start + t * scale`` for an ``absolute`` one and
    ``start + round(t * scale)`` for a ``count``. The effort is ``100 |t|`` (percent
    of the starting value), times ``cost``.

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
        Cost weight per percentage point of effort.
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
    model: ScenarioModel,
    zone_row: int,
    levers: Sequence[str] | None = None,
    max_change: float | None = DEFAULT_MAX_CHANGE,
    bounds: Mapping[str, tuple[float, float] | float] | None = None,
    costs: Mapping[str, float] | None = None,
) -> tuple[list[Lever], list[str]]:
    """Turn lever ids, bounds and cost weights into :class:`Lever` objects.

    Parameters
    ----------
    model : ScenarioModel
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
    notes : list of str
        Levers left out and why.

    Raises
    ------
    UsageError
        Unknown ids, bad bounds or weights.
    """
    ids = model.indicators
    chosen = list(ids) if levers is None else list(levers)
    problems = [f"lever: unknown indicator {i!r}{did_you_mean(i, ids)}" for i in chosen if i not in ids]
    duplicated = sorted({i for i in chosen if chosen.count(i) > 1})
    problems += [f"lever {i!r} is listed twice" for i in duplicated]
    if not chosen:
        problems.append("no levers given; name at least one indicator (or leave --levers out for all)")
    if max_change is not None and (not math.isfinite(max_change) or max_change < 0):
        problems.append(f"max change {max_change!r} must be a finite percentage >= 0")
    for key, value in (bounds or {}).items():
        if key not in ids:
            problems.append(f"bound: unknown indicator {key!r}{did_you_mean(key, ids)}")
        elif key not in chosen:
            problems.append(f"bound for {key!r}, which is not among the levers")
        low, high = (None, value) if np.isscalar(value) else value
        if any(v is not None and not (isinstance(v, (int, float)) and math.isfinite(v)) for v in (low, high)):
            problems.append(f"bound for {key!r}: {value!r} must be finite percentages")
        elif low is not None and low > high:
            problems.append(f"bound for {key!r}: low {low:g}% is above high {high:g}%")
    for key, weight in (costs or {}).items():
        if key not in ids:
            problems.append(f"cost: unknown indicator {key!r}{did_you_mean(key, ids)}")
        elif isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            problems.append(f"cost weight for {key!r}: {weight!r} must be a finite number >= 0")
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
        if model.needs_positive:
            lo_value = max(lo_value, 1.0 if counts else 1e-9 * max(abs(start), 1e-9))
        lower = max(lower, (lo_value - start) / scale)
        upper = min(upper, (hi_value - start) / scale)
        if counts:
            lower = math.ceil(round(lower * scale, 9)) / scale
            upper = math.floor(round(upper * scale, 9)) / scale
        if not upper > lower:
            unit = " (less than one whole unit)" if counts and math.isfinite(upper) else ""
            notes.append(f"{indicator}: no room to move within its bounds and valid range{unit}; left out")
            continue
        out.append(
            Lever(indicator, col, kind, start, scale, lower, upper, float((costs or {}).get(indicator, 1.0)),
                  float(lo_value), float(hi_value))
        )
    if not out:
        raise UsageError(["none of the levers can move within its bounds", *notes])
    return out, notes


def lever_tables(model: ScenarioModel, zone_row: int, levers: Sequence[Lever], t: np.ndarray, relax: bool) -> np.ndarray:
    """Pre-link tables with the levers moved by ``t`` (shape (B, L)) for the zone."""
    t = np.atleast_2d(t)
    tables = model.tile_pre(t.shape[0])
    cols = np.array([lever.column for lever in levers])
    start = np.array([lever.start for lever in levers])
    scale = np.array([lever.scale for lever in levers])
    kind = np.array([lever.kind for lever in levers])
    change = t * scale
    if not relax:
        counts = kind == "count"
        change[:, counts] = np.sign(change[:, counts]) * np.floor(np.abs(change[:, counts]) + 0.5)
    new = start + change
    percent = kind == "percent"
    # Written as by: +x%, the engine computes old * (1 + x / 100): do the same.
    new[:, percent] = start[percent] * (1.0 + t[:, percent])
    # t stays within the bounds; this only removes float noise at a bound of the valid range.
    new = np.clip(new, [lever.value_min for lever in levers], [lever.value_max for lever in levers])
    tables[:, zone_row, cols] = new
    return tables


# --------------------------------------------------------------------------- the core


@dataclass
class SeekProblem:
    """The pure problem :func:`seek` solves.

    Minimise ``sum_j cost_j * 100 |t_j|`` subject to ``margin(t) >= delta`` and
    ``lower <= t <= upper``; ``t_j`` on the grid ``step_j`` where ``step_j > 0``.

    Attributes
    ----------
    margin : callable
        ``margin(t, relax)`` with ``t`` of shape (B, L) returns shape (B,): by how
        much each candidate meets the target (``-inf`` for an invalid candidate).
        ``relax=True`` may ignore the grid (a continuous relaxation).
    lower, upper, cost, step : ndarray, shape (L,)
    delta : float
    """

    margin: Callable[[np.ndarray, bool], np.ndarray]
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    step: np.ndarray
    delta: float = DEFAULT_MARGIN


@dataclass
class SeekOutcome:
    """What :func:`seek` found.

    Attributes
    ----------
    t : ndarray, shape (L,)
        The cheapest candidate reaching the target, or the best-margin one.
    reached : bool
    margin, cost : float
    evaluations : int
        Candidate tables scored.
    stages : dict
        Cost found by each start (for reports and tests).
    """

    t: np.ndarray
    reached: bool
    margin: float
    cost: float
    evaluations: int
    stages: dict[str, float] = field(default_factory=dict)


class _Search:
    """Bookkeeping around the margin function: grid, cost, counts, best seen."""

    def __init__(self, problem: SeekProblem):
        self.p = problem
        self.size = len(problem.lower)
        self.evaluations = 0
        self.best_feasible: tuple[float, np.ndarray] | None = None
        self.best_margin: tuple[float, np.ndarray] = (-np.inf, np.zeros(self.size))
        self.cost_scale = 100.0 * problem.cost

    def snap(self, t: np.ndarray) -> np.ndarray:
        t = np.clip(np.asarray(t, dtype=np.float64), self.p.lower, self.p.upper)
        grid = self.p.step > 0
        if grid.any():
            units = t[..., grid] / self.p.step[grid]
            t[..., grid] = np.sign(units) * np.floor(np.abs(units) + 0.5) * self.p.step[grid]
            t = np.clip(t, self.p.lower, self.p.upper)
        return t

    def cost(self, t: np.ndarray) -> np.ndarray:
        return np.abs(t) @ self.cost_scale

    def margin(self, t: np.ndarray, relax: bool = False) -> np.ndarray:
        """Exact margins of snapped candidates (or relaxed ones), tracking the best."""
        t = np.atleast_2d(t)
        if not relax:
            t = self.snap(t)
        m = np.asarray(self.p.margin(t, relax), dtype=np.float64)
        m = np.where(np.isfinite(m) | (m == np.inf), m, -np.inf)
        self.evaluations += len(t)
        if not relax:
            top = int(np.argmax(m))
            if m[top] > self.best_margin[0]:
                self.best_margin = (float(m[top]), t[top].copy())
            feasible = m >= self.p.delta
            if feasible.any():
                costs = self.cost(t)
                costs = np.where(feasible, costs, np.inf)
                cheapest = int(np.argmin(costs))
                if self.best_feasible is None or costs[cheapest] < self.best_feasible[0]:
                    self.best_feasible = (float(costs[cheapest]), t[cheapest].copy())
        return m

    def feasible(self, t: np.ndarray) -> bool:
        return bool(self.margin(t)[0] >= self.p.delta)


_FRACTIONS = np.geomspace(1.0 / 512.0, 1.0, 28)


def _directions(search: _Search, t: np.ndarray, frozen: np.ndarray | None = None) -> list[tuple[int, float]]:
    """(lever, bound) pairs a greedy step may move towards: away from zero only."""
    moves = []
    for j in range(search.size):
        if frozen is not None and frozen[j]:
            continue
        if t[j] >= 0 and search.p.upper[j] > t[j]:
            moves.append((j, search.p.upper[j]))
        if t[j] <= 0 and search.p.lower[j] < t[j]:
            moves.append((j, search.p.lower[j]))
    return moves


def _crossings(search: _Search, t: np.ndarray, lines: list[tuple[int, float, float]]) -> list[np.ndarray]:
    """Bisection on many lines at once: each (lever, infeasible value, feasible value)."""
    if not lines:
        return []
    levers = np.array([line[0] for line in lines])
    bad = np.array([line[1] for line in lines], dtype=np.float64)
    good = np.array([line[2] for line in lines], dtype=np.float64)
    rows = np.arange(len(lines))
    step = search.p.step[levers]
    for _ in range(48):
        mid = (bad + good) / 2.0
        grid = step > 0
        mid[grid] = np.round(mid[grid] / step[grid]) * step[grid]
        active = (mid != bad) & (mid != good)
        if not active.any():
            break
        candidates = np.repeat(t[None, :], len(lines), axis=0)
        candidates[rows, levers] = mid
        ok = search.margin(candidates) >= search.p.delta
        good = np.where(active & ok, mid, good)
        bad = np.where(active & ~ok, mid, bad)
    out = []
    for row, lever in enumerate(levers):
        point = t.copy()
        point[lever] = good[row]
        out.append(point)
    return out


def _greedy(search: _Search, start: np.ndarray, max_steps: int | None = None,
            frozen: np.ndarray | None = None) -> np.ndarray | None:
    """Most-efficient-step continuation from ``start`` until the target is met.

    Returns the cheapest crossing found on the final line searches, or None when no
    step improves the margin any more (stuck within the bounds).
    """
    t = search.snap(start.copy())
    m = float(search.margin(t)[0])
    if m >= search.p.delta:
        return t
    max_steps = max_steps or 6 * search.size + 20
    for _ in range(max_steps):
        moves = _directions(search, t, frozen)
        if not moves:
            return None
        rows, meta = [], []
        for j, bound in moves:
            values = t[j] + _FRACTIONS * (bound - t[j])
            grid = search.p.step[j]
            if grid > 0:
                # Whole counts: round each point outwards, never past the bound.
                units = np.sign(values) * np.ceil(np.abs(values) / grid - 1e-9)
                values = np.clip(units * grid, search.p.lower[j], search.p.upper[j])
            values = np.unique(values)
            values = values[values != t[j]]
            for v in values:
                row = t.copy()
                row[j] = v
                rows.append(row)
                meta.append((j, v))
        if not rows:
            return None
        candidates = np.array(rows)
        margins = search.margin(candidates)
        costs = search.cost(candidates)
        feasible = margins >= search.p.delta
        if feasible.any():
            lines = []
            for j in sorted({meta[i][0] for i in np.nonzero(feasible)[0]}):
                members = [i for i, (jj, _) in enumerate(meta) if jj == j]
                # Walk outwards from t: the last infeasible grid point before the first feasible one.
                members.sort(key=lambda i: abs(meta[i][1] - t[j]))
                previous = t[j]
                for i in members:
                    if feasible[i]:
                        lines.append((j, previous, meta[i][1]))
                        break
                    previous = meta[i][1]
            points = _crossings(search, t, lines)
            if not points:
                return None
            point_costs = search.cost(np.array(points))
            return points[int(np.argmin(point_costs))]
        current_cost = float(search.cost(t[None, :])[0])
        extra = costs - current_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            efficiency = np.where(extra > 0, (margins - m) / extra, np.where(margins > m, np.inf, -np.inf))
        best = int(np.argmax(efficiency))
        if not efficiency[best] > 0:
            return None
        # Along the best lever, take the longest step that is nearly as efficient.
        j = meta[best][0]
        same = [i for i, (jj, _) in enumerate(meta) if jj == j and efficiency[i] >= 0.9 * efficiency[best]]
        chosen = max(same, key=lambda i: abs(meta[i][1] - t[j]))
        t = candidates[chosen].copy()
        m = float(margins[chosen])
    return None


def _trim(search: _Search, t: np.ndarray, rounds: int | None = None) -> np.ndarray:
    """Lower single levers, one at a time, as far as the target still holds."""
    t = t.copy()
    for _ in range(rounds or 3 * search.size):
        active = [j for j in range(search.size) if t[j] != 0 and search.p.cost[j] > 0]
        if not active:
            break
        zeroed = np.repeat(t[None, :], len(active), axis=0)
        zeroed[np.arange(len(active)), active] = 0.0
        ok_at_zero = search.margin(zeroed) >= search.p.delta
        points = [zeroed[i] for i in range(len(active)) if ok_at_zero[i]]
        lines = [(j, 0.0, t[j]) for i, j in enumerate(active) if not ok_at_zero[i]]
        points += _crossings(search, t, lines)
        if not points:
            break
        points_array = np.array(points)
        saving = search.cost(t[None, :])[0] - search.cost(points_array)
        best = int(np.argmax(saving))
        if saving[best] <= 1e-9 * (1.0 + search.cost(t[None, :])[0]):
            break
        t = points_array[best]
    return t


def _clean(search: _Search, t: np.ndarray, threshold: float = 5e-4) -> np.ndarray:
    """Drop changes that are too small to matter (below 0.05 %), when that costs next to nothing.

    Trimming leaves the last levers just where the target is met, which can leave
    slivers such as "+0.003 %" that read as noise. Each sliver is removed in turn and
    the target repaired with the other levers; the result is kept when it costs at most
    the sliver's own cost more (a sliver that breaks a tie, say, stays).
    """
    for j in np.argsort(np.abs(t)):
        if t[j] == 0 or abs(t[j]) >= threshold or search.p.step[j] > 0:
            continue
        sliver = float(search.cost_scale[j] * abs(t[j]))
        cleaned = t.copy()
        cleaned[j] = 0.0
        frozen = np.zeros(search.size, dtype=bool)
        frozen[j] = True
        repaired = cleaned if search.feasible(cleaned) else _greedy(search, cleaned, frozen=frozen)
        if repaired is None:
            continue
        repaired = _trim(search, repaired)
        if search.cost(repaired[None, :])[0] <= search.cost(t[None, :])[0] + sliver + 1e-9:
            t = repaired
    return t


def _side_bounds(search: _Search, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds that keep each lever on one side of zero, and the sign of that side."""
    sign = np.where(t < 0, -1.0, np.where(t > 0, 1.0, np.where(search.p.upper > 0, 1.0, -1.0)))
    lower = np.where(sign > 0, np.maximum(search.p.lower, 0.0), search.p.lower)
    upper = np.where(sign > 0, search.p.upper, np.minimum(search.p.upper, 0.0))
    return lower, upper, sign


def _gradient(search: _Search, x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[float, np.ndarray]:
    """Margin and its forward-difference gradient (relaxed), in one batched call."""
    size = search.size
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    # Step inwards at an upper bound.
    h = np.where(x + h > upper, -h, h)
    points = np.repeat(x[None, :], size + 1, axis=0)
    points[1 + np.arange(size), np.arange(size)] += h
    values = search.margin(points, relax=True)
    if not np.isfinite(values[0]):
        return float(values[0]), np.zeros(size)
    grad = (values[1:] - values[0]) / h
    grad = np.where(np.isfinite(grad), grad, 0.0)
    return float(values[0]), grad


def _polish(search: _Search, t: np.ndarray) -> np.ndarray | None:
    """SLSQP on the relaxation from ``t``, then whole counts, repair and trim."""
    from scipy import optimize

    lower, upper, sign = _side_bounds(search, t)
    weights = search.cost_scale * sign
    cache: dict[bytes, tuple[float, np.ndarray]] = {}

    def margin_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        key = x.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = _gradient(search, x, lower, upper)
        return cache[key]

    x0 = np.clip(t, lower, upper)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            solution = optimize.minimize(
                lambda x: float(weights @ x),
                x0,
                jac=lambda x: weights,
                method="SLSQP",
                bounds=list(zip(lower, upper)),
                constraints=[{
                    "type": "ineq",
                    "fun": lambda x: margin_and_grad(x)[0] - search.p.delta,
                    "jac": lambda x: margin_and_grad(x)[1],
                }],
                options={"maxiter": 60, "ftol": 1e-10},
            )
            x = solution.x
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not np.all(np.isfinite(x)):
        return None
    repaired = _greedy(search, search.snap(x))
    if repaired is None:
        return None
    return _trim(search, repaired)


def _linearised_start(search: _Search) -> np.ndarray | None:
    """The cheapest point of the linearised problem at zero (``linprog``)."""
    from scipy import optimize

    zero = np.zeros(search.size)
    lower, upper, sign = _side_bounds(search, zero)
    m0, grad = _gradient(search, zero, lower, upper)
    if not np.isfinite(m0):
        return None
    need = search.p.delta - m0
    result = optimize.linprog(
        c=search.cost_scale * sign,
        A_ub=-grad[None, :],
        b_ub=[-need],
        bounds=list(zip(lower, upper)),
        method="highs",
    )
    if result.status != 0:
        return None
    return _greedy(search, search.snap(result.x))


def _popsize(size: int) -> int:
    """Population multiplier: about 200 members in all (scipy's overhead is per member)."""
    return max(5, min(15, 200 // max(size, 1)))


def _evolution_start(search: _Search, rng: np.random.Generator, maxiter: int) -> np.ndarray | None:
    """Differential evolution on a penalised cost, one batched call per generation."""
    from scipy import optimize

    worst = float(search.cost(np.maximum(np.abs(search.p.lower), np.abs(search.p.upper))[None, :])[0])
    gap = max(search.p.delta - search.best_margin[0], 1e-3) if np.isfinite(search.best_margin[0]) else 1.0

    best: list = [np.inf, None]  # the population's own cheapest feasible member

    def penalised(x: np.ndarray) -> np.ndarray:
        candidates = search.snap(np.asarray(x).T)
        margins = search.margin(candidates)
        shortfall = np.maximum(search.p.delta - margins, 0.0)
        shortfall = np.where(np.isfinite(shortfall), shortfall, 1e6)
        costs = search.cost(candidates)
        feasible = np.nonzero(shortfall == 0)[0]
        if len(feasible):
            k = feasible[np.argmin(costs[feasible])]
            if costs[k] < best[0]:
                best[0], best[1] = float(costs[k]), candidates[k].copy()
        return np.where(shortfall > 0, worst + 1.0 + worst * shortfall / gap, costs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimize.differential_evolution(
            penalised,
            bounds=list(zip(search.p.lower, search.p.upper)),
            maxiter=maxiter,
            popsize=_popsize(search.size),
            tol=0.0,
            atol=0.0,
            seed=rng,
            polish=False,
            vectorized=True,
            updating="deferred",
        )
    return None if best[1] is None else best[1]


def _best_margin(search: _Search, rng: np.random.Generator, maxiter: int) -> None:
    """Search for the largest margin within the bounds (when the target is out of reach)."""
    from scipy import optimize

    corners = np.array([search.p.upper, search.p.lower, np.where(search.p.upper > 0, search.p.upper, search.p.lower)])
    search.margin(corners)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimize.differential_evolution(
            lambda x: -np.where(np.isfinite(m := search.margin(search.snap(np.asarray(x).T))), m, -1e9),
            bounds=list(zip(search.p.lower, search.p.upper)),
            maxiter=maxiter,
            popsize=_popsize(search.size),
            tol=0.0,
            seed=rng,
            polish=False,
            vectorized=True,
            updating="deferred",
            x0=search.best_margin[1],
        )


def seek(problem: SeekProblem, seed: int | np.random.Generator | None = 0, evolution_steps: int = 150) -> SeekOutcome:
    """Find the cheapest ``t`` with ``margin(t) >= delta`` (the pure core of goal-seek).

    Parameters
    ----------
    problem : SeekProblem
    seed : int or numpy.random.Generator
        For differential evolution; the answer is reproducible for a given seed.
    evolution_steps : int
        Generations of differential evolution (0 to skip that start).

    Returns
    -------
    SeekOutcome
        ``reached`` False with the best-margin candidate when no candidate meets the
        target within the bounds.

    Notes
    -----
    BLAS is kept to one thread meanwhile: the optimisers' matrices are tiny, and a
    multi-threaded OpenBLAS spends far longer waking its threads than computing
    (SLSQP ran 300x slower on a busy 2-core machine).
    """
    # Load scipy's BLAS before limiting: threadpoolctl only sees libraries already loaded.
    from scipy import optimize  # noqa: F401

    with single_threaded_blas():
        return _seek(problem, seed, evolution_steps)


def single_threaded_blas():
    """A context that limits BLAS to one thread (a no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scipy's usual stack
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _seek(problem: SeekProblem, seed: int | np.random.Generator | None, evolution_steps: int) -> SeekOutcome:
    """:func:`seek` without the BLAS limit: starts, polish, and the fall-back to the best margin."""
    rng = np.random.default_rng(seed)
    search = _Search(problem)
    zero = search.snap(np.zeros(search.size))
    stages: dict[str, float] = {}
    m0 = float(search.margin(zero)[0])
    if m0 >= problem.delta:
        return SeekOutcome(zero, True, m0, 0.0, search.evaluations, {"start": 0.0})

    starts: list[tuple[str, np.ndarray]] = []
    greedy = _greedy(search, zero)
    if greedy is not None:
        starts.append(("greedy", _trim(search, greedy)))
    linear = _linearised_start(search)
    if linear is not None:
        starts.append(("linearised", _trim(search, linear)))
    if evolution_steps > 0:
        evolved = _evolution_start(search, rng, evolution_steps)
        if evolved is not None:
            starts.append(("evolution", _trim(search, evolved)))

    best: np.ndarray | None = None
    best_cost = np.inf
    for name, point in starts:
        candidates = [point]
        polished = _polish(search, point)
        if polished is not None:
            candidates.append(polished)
        for candidate in candidates:
            if search.feasible(candidate):
                cost = float(search.cost(candidate[None, :])[0])
                stages[name] = min(stages.get(name, np.inf), cost)
                if cost < best_cost:
                    best, best_cost = candidate, cost
    if best is not None and search.best_feasible is not None and search.best_feasible[0] < best_cost - 1e-12:
        best = _trim(search, search.best_feasible[1])
        best_cost = float(search.cost(best[None, :])[0])
    if best is not None:
        # One more polish of the winner: cheap, and it sometimes trades levers better.
        again = _polish(search, best)
        if again is not None and search.feasible(again):
            cost = float(search.cost(again[None, :])[0])
            if cost < best_cost - 1e-12:
                best, best_cost = again, cost
        best = _clean(search, best)
        best_cost = float(search.cost(best[None, :])[0])
        margin = float(search.margin(best)[0])
        return SeekOutcome(best, True, margin, best_cost, search.evaluations, stages)

    _best_margin(search, rng, max(evolution_steps, 60))
    margin, point = search.best_margin
    return SeekOutcome(point, False, margin, float(search.cost(point[None, :])[0]), search.evaluations, stages)


# --------------------------------------------------------------------------- the wrapper


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
        short = -self.margin
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
            "changes": [c.to_dict() for c in self.changes],
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
    model = build_model(package, scenario, year)
    zone_row = model.zone_row(zone)
    target = parse_target(target, model.zones, zone)
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin > 0):
        raise UsageError(f"margin {margin!r} must be a positive number of points")
    chosen, notes = resolve_levers(model, zone_row, levers, max_change, bounds, costs)
    start_result = run_scenario(package, model.scenario)

    def margins(t: np.ndarray, relax: bool) -> np.ndarray:
        tables = lever_tables(model, zone_row, chosen, t, relax)
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
    reached = target_met(result, zone, target)
    for nudge in (1e-6, 1e-4, 1e-2):
        if reached or not outcome.reached:
            break
        # The engine disagreed by float noise: ask for a little more.
        written, items = _written_changes(chosen, search.snap(outcome.t * (1.0 + nudge)), None)
        t_final = written
        found = _scenario_with(model.scenario, zone, target, chosen, items, True)
        result = run_scenario(package, found)
        reached = target_met(result, zone, target)
    if outcome.reached and not reached:
        notes.append("the engine did not confirm the change found by the search; it is reported as not reached")
    final_margin = float(target_margins(
        result.scored.scores[model.zones].to_numpy()[None, :], zone_row, target, model.zones)[0])
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
    )


# --------------------------------------------------------------------------- command line


def _pairs(items: Sequence[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"--{what} {item!r}: write ID=VALUE, e.g. --{what} rd_spending=50%")
        out[key.strip()] = value.strip()
    return out


def parse_bounds(items: Sequence[str] | None) -> dict[str, tuple[float, float] | float]:
    """``["rd_spending=50%", "unicorns=-10%:30%"]`` -> ``{"rd_spending": 50.0, "unicorns": (-10.0, 30.0)}``."""
    out: dict[str, tuple[float, float] | float] = {}
    for key, value in _pairs(items, "bound").items():
        if ":" in value:
            low, _, high = value.partition(":")
            out[key] = (parse_percent(low, f"--bound {key}"), parse_percent(high, f"--bound {key}"))
        else:
            out[key] = parse_percent(value, f"--bound {key}")
    return out


def parse_costs(items: Sequence[str] | None) -> dict[str, float]:
    """``["rd_spending=2"]`` -> ``{"rd_spending": 2.0}``."""
    out = {}
    for key, value in _pairs(items, "cost").items():
        try:
            out[key] = float(value)
        except ValueError:
            raise UsageError(f"--cost {key}={value}: the weight must be a number") from None
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim goal-seek``."""
    parser.description = (
        "Find the least change of a zone's indicators (relative effort, sum of |change %|) that reaches a "
        "target under the scenario's method, entropy weights recomputed; the answer is verified with the engine."
    )
    parser.add_argument("--zone", required=True, help="zone id, e.g. sunan")
    parser.add_argument("--target", required=True, help="rank:K, overtake:ZONE or score:S (e.g. rank:3)")
    parser.add_argument("--scenario", metavar="S.yaml", help="start from this scenario (default: the baseline)")
    parser.add_argument("--year", type=int, help="baseline year (default: the latest; with --scenario: its year)")
    parser.add_argument("--levers", metavar="ID,ID,...", help="indicators that may change (default: all)")
    parser.add_argument("--max-change", default=f"{DEFAULT_MAX_CHANGE:g}%", metavar="PCT",
                        help="bound per lever in its improving direction (default: 100%%)")
    parser.add_argument("--bound", action="append", metavar="ID=PCT|ID=LOW:HIGH",
                        help="bound for one lever, e.g. rd_spending=50%% or unicorns=0:200%% (repeatable)")
    parser.add_argument("--cost", action="append", metavar="ID=W",
                        help="cost weight of one lever (default 1; repeatable)")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN, metavar="POINTS",
                        help="points to spare: the target must hold by at least this much (default 0.01)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the randomised start (default 0)")
    parser.add_argument("--out", metavar="FOUND.yaml", help="write the scenario found (canonical YAML)")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def command(args: argparse.Namespace) -> int:
    """``zonesim goal-seek``: print the answer; write it with ``--out``."""
    from sim.cli import check_zone, emit, package_from, starting_scenario
    from sim.scenario import save_scenario

    package = package_from(args)
    start = starting_scenario(args, package)
    check_zone(args.zone, package)
    max_change = parse_percent(args.max_change, "--max-change")
    if max_change < 0:
        raise UsageError(f"--max-change {args.max_change!r} must be >= 0%")
    answer = goal_seek(
        package,
        args.zone,
        args.target,
        scenario=start,
        levers=split_ids(args.levers),
        max_change=max_change,
        bounds=parse_bounds(args.bound),
        costs=parse_costs(args.cost),
        margin=args.margin,
        seed=args.seed,
    )
    if args.out:
        if answer.already_reached:
            print(f"note: the target is already reached; {args.out} is not written", file=sys.stderr)
        else:
            save_scenario(answer.scenario, args.out, force=args.force)
            if not answer.reached:
                print(f"note: {args.out} holds the best reachable changes; it does NOT reach the target",
                      file=sys.stderr)
    if args.format == "json":
        from sim.report import to_json

        payload = answer.to_dict()
        payload["written"] = args.out if args.out and not answer.already_reached else None
        emit(to_json(payload))
    elif args.format == "csv":
        emit(_changes_csv(answer))
    else:
        emit(goal_seek_table(answer, package, args.lang, args.out if not answer.already_reached else None))
    return 0


def _changes_csv(answer: GoalSeekResult) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zone", "year", "target", "reached", "indicator", "change", "before", "after", "effort_pct", "cost"])
    for change in answer.changes:
        writer.writerow([answer.zone, answer.scenario.year, answer.target.text(), str(answer.reached).lower(),
                         change.indicator, change.text, repr(change.before), repr(change.after),
                         repr(change.effort), repr(change.cost)])
    return buffer.getvalue()


def goal_seek_table(answer: GoalSeekResult, package: DataPackage, lang: str = "en", written: str | None = None) -> str:
    """The answer as readable text."""
    from sim.report import format_table, rank_arrow

    method = answer.result.method.to_dict()
    weights = method["weights"] if isinstance(method["weights"], str) else "explicit"
    zone_name = package.name("zone", answer.zone, lang)
    lines = [
        f"goal-seek: {zone_name} to {answer.target.describe()}    year: {answer.scenario.year}",
        f"method: weights from {method['normalization']}, scores on {method['score_normalization']}, "
        f"weights {weights}, goalposts {method['goalposts']}",
        f"levers: {len(answer.levers)}; cost = sum of cost weight x |change %| (relative effort)",
        "",
    ]
    if answer.already_reached:
        lines.append(f"Already reached: rank {answer.rank_after}, score {answer.score_after:.2f}. Nothing to change.")
    else:
        verdict = "REACHED" if answer.reached else "NOT REACHABLE within these bounds; best found:"
        lines.append(f"{verdict}  cost {answer.cost:.2f}  ({len(answer.changes)} change(s), verified with the engine)")
        lines.append("")
        lines.append(format_table(
            ["indicator", "change", "before", "after", "effort %", "cost"],
            [
                [package.name("indicator", c.indicator, lang), c.text, f"{c.before:.6g}", f"{c.after:.6g}",
                 f"{c.effort:.2f}", f"{c.cost:.2f}"]
                for c in sorted(answer.changes, key=lambda c: -c.cost)
            ],
            align="lrrrrr",
        ))
    lines += ["", format_table(
        ["rank", "zone", "score", "before", "Δ rank"],
        [
            [int(row["rank"]), package.name("zone", z, lang), f"{row['score']:.2f}",
             f"{answer.start.scored.scores[z]:.2f} (#{int(answer.start.scored.ranks[z])})",
             rank_arrow(int(answer.start.scored.ranks[z]) - int(row["rank"]))]
            for z, row in answer.result.ranking().iterrows()
        ],
        align="rlrrr",
    )]
    lines.append("")
    lines.append(answer.summary())
    if answer.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in answer.notes]
    if answer.result.warnings:
        lines += ["", "Warnings"] + [f"  - {w}" for w in answer.result.warnings]
    lines.append(f"\nsearched {answer.evaluations:,} candidate tables in {answer.seconds:.2f} s"
                 + (f"; written to {written}" if written else ""))
    return "\n".join(lines)
