"""Min-max in both steps: a constructive check of the bound.

:func:`sim.calibrate.feasibility.minmax_score_total_cap` only says when targets
are impossible under min-max in both steps; :func:`minmax_example` finds an actual
table when they are not, which shows what such data must look like (for 2019: in
most columns three zones near-tied at the top).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import least_squares, minimize

from sim.calibrate.feasibility import column_divergence, minmax_score_total_cap
from sim.calibrate.solve import single_threaded_blas
from sim.errors import DataError
from sim.method import entropy

#: Least-squares polishing rounds of :func:`minmax_example` per start.
POLISH_ROUNDS = 3


def minmax_example(
    weights_pct: Sequence[float] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    seed: int = 0,
    attempts: int = 8,
    max_iterations: int = 1000,
) -> np.ndarray:
    """A table whose min-max weights and min-max scores are the targets, if it exists.

    The bound (:func:`minmax_score_total_cap`) only says when targets are
    impossible; this finds an actual min-max table when they are not, which shows
    what such data must look like (for 2019: in most columns three zones near-tied
    at the top).

    Parameters
    ----------
    weights_pct : sequence of float, length n
        Target weights in percent.
    scores : sequence of float, length m
        Target composite scores.
    seed : int
        Seed of the first attempt; attempt ``k`` uses ``seed + k``. The seed picks
        the starting values (about half the starts converge).
    attempts : int
        Starts tried before giving up.
    max_iterations : int
        Iterations of each optimiser call.

    Returns
    -------
    ndarray, shape (m, n)
        Normalised values (each column's min 0 and max 1).

    Raises
    ------
    DataError
        The bound rules the targets out, or no start converged (largest error named).
    """
    w_pct = np.asarray(weights_pct, dtype=np.float64)
    target = np.asarray(scores, dtype=np.float64)
    m, n = len(target), len(w_pct)
    cap = minmax_score_total_cap(w_pct, m)
    if target.sum() > cap:
        raise DataError(
            f"min-max in both steps: the scores can total at most {cap:.2f} points, the targets total "
            f"{target.sum():.2f}: no table exists"
        )
    benefit = np.ones(n, dtype=bool)

    def evaluate(tables: np.ndarray) -> np.ndarray:
        normalized = entropy.normalize(tables, benefit, "minmax")
        divergence = column_divergence(normalized)
        weights = divergence / divergence.sum(axis=-1, keepdims=True)
        scored = 100.0 * (normalized * weights[..., None, :]).sum(axis=-1)
        return np.concatenate([100.0 * weights[..., :-1] - w_pct[:-1], scored - target], axis=-1)

    def jacobian(u: np.ndarray) -> np.ndarray:
        step, k = 1e-7, u.size
        points = np.repeat(u[None], 2 * k, axis=0)
        points[:k] += step * np.eye(k)
        points[k:] -= step * np.eye(k)
        residual = evaluate(points.reshape(-1, m, n))
        return (residual[:k] - residual[k:]).T / (2 * step)

    # The leader holds every column's 1; the 0s go to the others in turn, more
    # often to the lower-scoring ones (shares (100 - score)^2, dealt out by
    # largest remaining share so that they interleave).
    top = int(np.argmax(target))
    share = (100.0 - target) ** 2
    share[top] = 0.0
    share = share / share.sum() * n
    dealt = np.zeros(m)
    zeros = []
    for _ in range(n):
        zone = int(np.argmax(share - dealt))
        zeros.append(zone)
        dealt[zone] += 1.0
    error = np.inf
    with single_threaded_blas():
        for attempt in range(attempts):
            # drawn by rank, so that the zones' order in the input does not matter
            start = np.empty((m, n))
            start[np.argsort(-target, kind="stable")] = np.random.default_rng(seed + attempt).uniform(0.55, 0.98, (m, n))
            start[top] = 1.0
            start[zeros, np.arange(n)] = 0.0
            anchor = start.ravel()
            result = minimize(
                lambda u: (5e-4 * float(np.sum((u - anchor) ** 2)), 1e-3 * (u - anchor)),
                anchor, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * (m * n),
                constraints=[{"type": "eq", "fun": lambda u: evaluate(u.reshape(1, m, n))[0], "jac": jacobian}],
                options={"maxiter": max_iterations, "ftol": 1e-14},
            )
            # polish: SLSQP stalls where a column's ties switch; least squares, from
            # inside the box (so that no value sits on a bound), less so
            point = np.clip(result.x, 1e-6, 1.0 - 1e-6)
            for _ in range(POLISH_ROUNDS):
                point = least_squares(
                    lambda u: evaluate(u.reshape(1, m, n))[0], point, jac=jacobian,
                    bounds=(0.0, 1.0), method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=max_iterations,
                ).x
                error = float(np.abs(evaluate(point.reshape(1, m, n))[0]).max())
                if error <= 1e-6:
                    return entropy.normalize(point.reshape(m, n), benefit, "minmax")
                point = np.clip(point, 1e-6, 1.0 - 1e-6)
    raise DataError(f"min-max in both steps: no table found in {attempts} starts (largest error {error:.2g})")
