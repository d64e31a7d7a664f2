"""The search of goal-seek, in four named steps (:func:`seek`).

1. :func:`find_starts`: a **greedy continuation** from zero (line searches along every
   lever at once, the most efficient step until the target is met, then bisection to
   the exact crossing), a **linearised programme** and a vectorised **differential
   evolution**, each trimmed (every lever lowered as far as the target allows);
2. :func:`polish_starts`: SLSQP on the continuous relaxation from each start, counts
   made whole and **repaired**; the cheapest candidate that meets the target wins;
3. :func:`refine`: one more polish of the winner, and slivers below 0.05 % removed;
4. :func:`best_effort`: when no candidate meets the target, the largest margin found.

Every step scores its candidate tables in batched calls through the margin function,
which the wrapper (:func:`sim.analysis.goalseek.goal_seek`) builds on the engine.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.goalseek.search import SeekOutcome, SeekProblem, _clean, _greedy, _Search, _trim
from sim.analysis.goalseek.starts import _best_margin, _evolution_start, _linearised_start, _polish


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
    """:func:`seek` without the BLAS limit."""
    rng = np.random.default_rng(seed)
    search = _Search(problem)
    zero = search.snap(np.zeros(search.size))
    m0 = float(search.margin(zero)[0])
    if m0 >= problem.delta:
        return SeekOutcome(zero, True, m0, 0.0, search.evaluations, {"start": 0.0})
    stages: dict[str, float] = {}
    best = polish_starts(search, find_starts(search, zero, rng, evolution_steps), stages)
    if best is None:
        return best_effort(search, rng, evolution_steps, stages)
    best = refine(search, best)
    cost = float(search.cost(best[None, :])[0])
    return SeekOutcome(best, True, float(search.margin(best)[0]), cost, search.evaluations, stages)


def find_starts(search: _Search, zero: np.ndarray, rng: np.random.Generator,
                evolution_steps: int) -> list[tuple[str, np.ndarray]]:
    """Step 1: the starting points (greedy, linearised, evolution), each trimmed."""
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
    return starts


def polish_starts(search: _Search, starts: list[tuple[str, np.ndarray]], stages: dict[str, float]) -> np.ndarray | None:
    """Step 2: polish each start; the cheapest candidate meeting the target (None: none does).

    ``stages`` receives the cost found from each start. A cheaper feasible candidate
    met on the way (the search remembers every one) wins over the polished starts.
    """
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
    return best


def refine(search: _Search, best: np.ndarray) -> np.ndarray:
    """Step 3: one more polish of the winner (it sometimes trades levers better), then clean."""
    best_cost = float(search.cost(best[None, :])[0])
    again = _polish(search, best)
    if again is not None and search.feasible(again):
        cost = float(search.cost(again[None, :])[0])
        if cost < best_cost - 1e-12:
            best = again
    return _clean(search, best)


def best_effort(search: _Search, rng: np.random.Generator, evolution_steps: int,
                stages: dict[str, float]) -> SeekOutcome:
    """Step 4, when the target is out of reach: the candidate with the largest margin."""
    _best_margin(search, rng, max(evolution_steps, 60))
    margin, point = search.best_margin
    return SeekOutcome(point, False, margin, float(search.cost(point[None, :])[0]), search.evaluations, stages)
