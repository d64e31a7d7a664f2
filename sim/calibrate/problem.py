"""One year's calibration problem: the table, its targets and its constraints.

The unknowns are the logs of the raw values, so that every value stays positive
and the distance to the priors is relative. :func:`evaluate` scores a batch of
such tables at once (the solver's finite differences evaluate all their points in
one call); :class:`YearProblem` holds one year's targets, bounds and current table
and says how far a table is from meeting them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.calibrate.feasibility import column_divergence
from sim.method import entropy
from sim.method.options import Method

#: Relative gap kept between values whose order a finding fixes, so that rounding
#: cannot turn "2nd" into a tie.
ORDER_MARGIN = math.log(1.02)
#: Points kept between Sunan's group score and the zones that must stay above it.
GROUP_MARGIN = 0.05


@dataclass(frozen=True)
class Layout:
    """What every year shares: ids, directions, groups and the method.

    Parameters
    ----------
    zones, indicators, groups : tuple of str
        Ids, in the package's order (rows, columns, group columns).
    is_benefit : ndarray of bool, shape (n,)
    membership : ndarray, shape (n, g)
        1 where an indicator belongs to a group.
    quantum : ndarray, shape (n,)
        Grid step of the printed values (1 for counts, 0.01 otherwise).
    method : Method
        The package's method, which the baseline is calibrated for.
    """

    zones: tuple[str, ...]
    indicators: tuple[str, ...]
    groups: tuple[str, ...]
    is_benefit: np.ndarray
    membership: np.ndarray
    quantum: np.ndarray
    method: Method

    @property
    def shape(self) -> tuple[int, int]:
        """(zones, indicators)."""
        return len(self.zones), len(self.indicators)


def evaluate(layout: Layout, log_values: np.ndarray) -> dict[str, np.ndarray]:
    """Divergences, weights, scores and group scores of a batch of log tables.

    Parameters
    ----------
    layout : Layout
    log_values : array, shape (B, m, n)

    Returns
    -------
    dict
        ``divergence`` (B, n), ``weights`` (B, n), ``scores`` (B, m), ``groups`` (B, m, g).
    """
    values = np.exp(log_values)
    method = layout.method
    divergence = column_divergence(entropy.normalize(values, layout.is_benefit, method.normalization))
    weights = divergence / divergence.sum(axis=-1, keepdims=True)
    scored = entropy.normalize(values, layout.is_benefit, method.scoring)
    return {
        "divergence": divergence,
        "weights": weights,
        "scores": entropy.composite_scores(scored, weights),
        "groups": entropy.group_scores(scored, weights, layout.membership),
    }


@dataclass
class YearProblem:
    """One year's calibration: targets, priors, constraints and the current table.

    ``log_values`` is the current table (log of raw values). Cells in ``fixed``
    (pinned public figures, rounded columns) are not optimised;
    ``frozen_columns`` lists the rounded columns, whose weight equations are
    dropped (their weights can no longer move on their own).

    Parameters
    ----------
    layout : Layout
    year : int
    weights_pct : ndarray, shape (n,)
        Target weights in percent.
    scores : ndarray, shape (m,)
        Target composite scores.
    prior_log, sigma : ndarray, shape (m, n)
        The log priors and their spreads (log units).
    lower_log, upper_log : ndarray, shape (m, n)
        Hard bounds of the log values.
    log_values : ndarray, shape (m, n)
    fixed : ndarray of bool, shape (m, n)
    rank_pairs : ndarray of int, shape (k, 3)
        (indicator, better zone, worse zone): the better zone stays ahead by
        :data:`ORDER_MARGIN`.
    group_pairs : ndarray of int, shape (k, 3)
        (group, better zone, worse zone): the better zone's group score stays
        ahead by :data:`GROUP_MARGIN`.
    identity : (int, int, ndarray), optional
        (stock column, flow column, last year's stock): ``flow = stock - last``.
    frozen_columns : list of int
    """

    layout: Layout
    year: int
    weights_pct: np.ndarray
    scores: np.ndarray
    prior_log: np.ndarray
    sigma: np.ndarray
    lower_log: np.ndarray
    upper_log: np.ndarray
    log_values: np.ndarray
    fixed: np.ndarray
    rank_pairs: np.ndarray
    group_pairs: np.ndarray
    identity: tuple[int, int, np.ndarray] | None = None
    frozen_columns: list[int] = field(default_factory=list)
    _movable_cache: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def equalities(self, batch: np.ndarray, evaluated: dict[str, np.ndarray]) -> np.ndarray:
        """Residuals of the weights, the scores and the identity, shape (B, k); 0 when met."""
        free_columns = [j for j in range(batch.shape[-1]) if j not in self.frozen_columns]
        if not self.frozen_columns:
            free_columns = free_columns[:-1]  # the weights sum to 100: one equation is implied
        parts = [
            100.0 * evaluated["weights"][:, free_columns] - self.weights_pct[free_columns],
            evaluated["scores"] - self.scores,
        ]
        if self.identity is not None:
            stock, flow, last = self.identity
            values = np.exp(batch)
            # flow = stock - last year's stock, in hundreds of firms (order 1)
            parts.append((values[:, :, flow] - values[:, :, stock] + last) / 100.0)
        return np.concatenate(parts, axis=1)

    def inequalities(self, batch: np.ndarray, evaluated: dict[str, np.ndarray]) -> np.ndarray:
        """Slack of the rank and group orders, shape (B, k); >= 0 when met."""
        parts = []
        rank_pairs, group_pairs = self.movable_pairs()
        if len(self.rank_pairs):
            j, better, worse = rank_pairs.T
            sign = np.where(self.layout.is_benefit[j], 1.0, -1.0)
            parts.append(sign * (batch[:, better, j] - batch[:, worse, j]) - ORDER_MARGIN)
        if len(self.group_pairs):
            g, better, worse = group_pairs.T
            groups = evaluated["groups"]
            parts.append(groups[:, better, g] - groups[:, worse, g] - GROUP_MARGIN)
        return np.concatenate(parts, axis=1) if parts else np.zeros((batch.shape[0], 0))

    def movable_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The rank and group pairs the optimiser can move, given the cells now ``fixed``.

        Pairs whose cells are all fixed are constants: the optimiser cannot change
        them, and a constant violated constraint would stall it. Cached until
        ``fixed`` changes (the solver asks at every evaluation).
        """
        key = self.fixed.tobytes()
        if self._movable_cache is None or self._movable_cache[0] != key:
            rank_pairs, group_pairs = self.rank_pairs, self.group_pairs
            if len(rank_pairs):
                j, better, worse = rank_pairs.T
                rank_pairs = rank_pairs[~(self.fixed[better, j] & self.fixed[worse, j])]
            if len(group_pairs):
                in_group = self.layout.membership.T.astype(bool)  # (g, n)
                group_pairs = group_pairs[np.array([(~self.fixed[:, in_group[k]]).any() for k in group_pairs[:, 0]])]
            self._movable_cache = (key, rank_pairs, group_pairs)
        return self._movable_cache[1], self._movable_cache[2]

    @property
    def has_inequalities(self) -> bool:
        """Whether any order constraint applies."""
        return bool(len(self.rank_pairs) or len(self.group_pairs))

    def residuals(self) -> tuple[float, float]:
        """Worst weight error (pp) and worst score error (points) of the current table."""
        evaluated = evaluate(self.layout, self.log_values[None])
        return (
            float(np.abs(100.0 * evaluated["weights"][0] - self.weights_pct).max()),
            float(np.abs(evaluated["scores"][0] - self.scores).max()),
        )

    def violation(self, log_values: np.ndarray) -> float:
        """Largest constraint violation of a table (0 when every constraint holds)."""
        batch = log_values[None]
        evaluated = evaluate(self.layout, batch)
        eq = np.abs(self.equalities(batch, evaluated)[0])
        ineq = -self.inequalities(batch, evaluated)[0]
        return float(max(eq.max(initial=0.0), ineq.max(initial=0.0), 0.0))
