"""Starts and polish of the search, with scipy: linearised programme, differential
evolution, SLSQP on the continuous relaxation, and the best margin when out of reach."""

from __future__ import annotations

import warnings

import numpy as np

from sim.analysis.goalseek.search import _greedy, _Search, _trim


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
