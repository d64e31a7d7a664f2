"""The search's bookkeeping and its local moves: greedy continuation, bisection, trim, clean.

:class:`SeekProblem` is the pure problem (a margin function of the decision variables
``t``, bounds, costs, grid); :class:`_Search` keeps the evaluations and the best
candidates seen; the moves change a candidate lever by lever, each move scoring all
its candidate tables in one batched call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: The target must hold with this much to spare (points): the 0.01 the scores are
#: shown with, so that a planner sees the zone ahead (62.06 vs 62.05, not 62.05 vs
#: 62.05), and float noise between a written answer and the search cannot undo it.
DEFAULT_MARGIN = 0.01


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
