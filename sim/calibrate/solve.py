"""The continuous solve: the table closest to the priors that meets every constraint.

:func:`solve` moves the free cells of a :class:`~sim.calibrate.problem.YearProblem`
in three named steps:

1. :func:`continuation`: SLSQP from the start towards the targets in stages, each
   stage asking for a larger fraction of the way (SLSQP converges reliably from a
   nearby feasible point, not from far away);
2. :func:`least_squares_rescue`, only if a constraint is still violated: a
   least-squares pass (which copes with infeasible starts), then SLSQP once more;
3. :func:`keep_if_better`: the new table replaces the current one unless it is
   worse.

The objective is the prior distance ``sum(((log x - log prior) / sigma)^2) / 2``;
the constraints' Jacobians are central differences, evaluated in one batch.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
from scipy.optimize import least_squares, minimize

from sim.calibrate.problem import YearProblem, evaluate

#: A table meets the constraints when none is violated by more than this.
FEASIBLE = 1e-8
#: Step of the central differences, in log units.
DIFFERENCE_STEP = 1e-6
#: Weight of the prior in the least-squares feasibility phase, relative to the
#: constraints: small, so that the constraints win.
FEASIBILITY_PRIOR_WEIGHT = 1e-4


class FreeCells:
    """The problem seen from its free cells: objective, constraints, Jacobians.

    The vector ``u`` holds the log values of the cells not in ``problem.fixed``;
    the fixed cells keep their current values. The last evaluation is cached (the
    optimisers ask for a constraint's value and its Jacobian at the same point).

    Parameters
    ----------
    problem : YearProblem
    """

    def __init__(self, problem: YearProblem):
        self.problem = problem
        self.free = ~problem.fixed
        self.count = int(self.free.sum())
        self.base = problem.log_values.copy()
        self.lower, self.upper = problem.lower_log[self.free], problem.upper_log[self.free]
        self.weight = 1.0 / problem.sigma[self.free] ** 2
        self.prior = problem.prior_log[self.free]
        self._cache: dict[bytes, tuple[Any, ...]] = {}

    def start(self, table: np.ndarray) -> np.ndarray:
        """The free cells of a table, inside the bounds."""
        return np.clip(table[self.free], self.lower, self.upper)

    def table(self, u: np.ndarray) -> np.ndarray:
        """The full table with the free cells set to ``u``."""
        table = self.base.copy()
        table[self.free] = u
        return table

    def _batch(self, u: np.ndarray, with_steps: bool) -> np.ndarray:
        # the point itself, then (for the Jacobian) +step and -step along every
        # free variable: central differences, all in one batched evaluation
        count, step = self.count, DIFFERENCE_STEP
        points = u[None, :]
        if with_steps:
            points = np.repeat(points, 2 * count + 1, axis=0)
            points[1 : count + 1] += step * np.eye(count)
            points[count + 1 :] -= step * np.eye(count)
        batch = np.repeat(self.base[None], points.shape[0], axis=0)
        batch[:, self.free] = points
        return batch

    def constraints(self, u: np.ndarray, with_jacobian: bool = True) -> tuple[Any, ...]:
        """(equalities, their Jacobian, inequalities, their Jacobian) at ``u``.

        The Jacobians are None when ``with_jacobian`` is false.
        """
        key = u.tobytes()
        cached = self._cache.get(key)
        if cached is None or (with_jacobian and cached[1] is None):
            count, step = self.count, DIFFERENCE_STEP
            batch = self._batch(u, with_jacobian)
            evaluated = evaluate(self.problem.layout, batch)
            eq = self.problem.equalities(batch, evaluated)
            ineq = self.problem.inequalities(batch, evaluated)
            eq_jac = ineq_jac = None
            if with_jacobian:
                eq_jac = (eq[1 : count + 1] - eq[count + 1 :]).T / (2 * step)
                ineq_jac = (ineq[1 : count + 1] - ineq[count + 1 :]).T / (2 * step)
            self._cache.clear()
            cached = self._cache[key] = (eq[0], eq_jac, ineq[0], ineq_jac)
        return cached

    def objective(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """Prior distance and its gradient."""
        gap = u - self.prior
        return 0.5 * float(np.dot(self.weight * gap, gap)), self.weight * gap

    def violation(self, u: np.ndarray) -> float:
        """Largest constraint violation at ``u``."""
        eq, _, ineq, _ = self.constraints(u, False)
        return float(max(np.abs(eq).max(initial=0.0), (-ineq).max(initial=0.0), 0.0))


def solve(problem: YearProblem, max_iterations: int, start: np.ndarray | None = None, stages: int = 1) -> bool:
    """Minimise the distance to the priors under the constraints (see the module).

    Only cells not in ``problem.fixed`` move.

    Parameters
    ----------
    problem : YearProblem
        Its ``log_values`` are replaced by the result (see :func:`keep_if_better`).
    max_iterations : int
        Iterations per optimiser call.
    start : array, shape (m, n), optional
        Starting table (log values); default the current one. With a start the
        result replaces the table even when it is worse than the current one.
    stages : int
        Continuation stages.

    Returns
    -------
    bool
        Whether every constraint holds to :data:`FEASIBLE`.
    """
    cells = FreeCells(problem)
    if cells.count == 0:
        return problem.violation(problem.log_values) <= FEASIBLE
    u = cells.start(start if start is not None else cells.base)
    u = continuation(cells, u, stages, max_iterations)
    if cells.violation(u) > FEASIBLE:
        u = least_squares_rescue(cells, u, max_iterations)
    return keep_if_better(problem, cells.table(u), replace_anyway=start is not None)


def continuation(cells: FreeCells, u: np.ndarray, stages: int, max_iterations: int) -> np.ndarray:
    """SLSQP in ``stages`` stages: stage ``k`` asks for ``k / stages`` of the way to the targets.

    Each stage warm-starts the next; the last one asks for the targets themselves.
    """
    residual_at_start = cells.constraints(u, False)[0].copy()
    for stage in range(1, stages + 1):
        u = slsqp(cells, u, residual_at_start * (1.0 - stage / stages), max_iterations)
    return u


def least_squares_rescue(cells: FreeCells, u: np.ndarray, max_iterations: int) -> np.ndarray:
    """Least squares on the violations (the prior pulling lightly), then SLSQP on the targets."""
    on_target = np.zeros_like(cells.constraints(u, False)[0])
    pull = math.sqrt(FEASIBILITY_PRIOR_WEIGHT) * np.sqrt(cells.weight)

    def residuals(v: np.ndarray) -> np.ndarray:
        eq, _, ineq, _ = cells.constraints(v, with_jacobian=False)
        return np.concatenate([eq, np.minimum(ineq, 0.0), pull * (v - cells.prior)])

    def residual_jacobian(v: np.ndarray) -> np.ndarray:
        _, eq_jac, ineq, ineq_jac = cells.constraints(v)
        return np.vstack([eq_jac, np.where((ineq < 0.0)[:, None], ineq_jac, 0.0), np.diag(pull)])

    fitted = least_squares(
        residuals, u, jac=residual_jacobian, bounds=(cells.lower, cells.upper), method="trf",
        max_nfev=max_iterations, xtol=1e-15, ftol=1e-15, gtol=1e-15,
    )
    return slsqp(cells, np.clip(fitted.x, cells.lower, cells.upper), on_target, max_iterations)


def slsqp(cells: FreeCells, u: np.ndarray, remaining: np.ndarray, max_iterations: int) -> np.ndarray:
    """One SLSQP run whose equalities allow the residual ``remaining`` (0: the targets)."""
    constraints = [{"type": "eq", "fun": lambda v: cells.constraints(v, False)[0] - remaining,
                    "jac": lambda v: cells.constraints(v)[1]}]
    if cells.problem.has_inequalities:
        constraints.append({"type": "ineq", "fun": lambda v: cells.constraints(v, False)[2],
                            "jac": lambda v: cells.constraints(v)[3]})
    result = minimize(
        cells.objective, u, jac=True, method="SLSQP", bounds=list(zip(cells.lower, cells.upper)),
        constraints=constraints, options={"maxiter": max_iterations, "ftol": 1e-15},
    )
    return np.clip(result.x, cells.lower, cells.upper)


def keep_if_better(problem: YearProblem, candidate: np.ndarray, replace_anyway: bool = False) -> bool:
    """Put ``candidate`` in ``problem`` unless it violates the constraints more than the current table.

    Returns
    -------
    bool
        Whether the table kept meets every constraint.
    """
    before = problem.violation(problem.log_values)
    after = problem.violation(candidate)
    if after <= before or replace_anyway:
        problem.log_values = candidate
        return after <= FEASIBLE
    return before <= FEASIBLE


def single_threaded_blas():
    """Limit BLAS/LAPACK to one thread while calibrating.

    The optimisers solve many tiny linear systems; with a multi-threaded BLAS on a
    busy 2-core machine the threads' hand-offs cost far more than the arithmetic
    (measured: 22 s single-threaded against 130 s with two threads under load). The
    result does not depend on it. ``threadpoolctl`` is optional.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional speed-up only
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)
