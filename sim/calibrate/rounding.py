"""Rounding to the printed grid without losing the targets.

Counts must be whole and ``baseline.csv`` keeps 2 decimals, and rounding every
value at once would move the weights by more than the printed precision. So
:func:`round_year` rounds one indicator at a time, coarsest first: a lattice
search (:func:`round_columns`) puts the column on the grid while keeping its
entropy, hence its weight, on target, and the indicators not yet rounded are
solved again to put the scores back. The finest columns, rounded last, absorb
what is left.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.calibrate.feasibility import column_divergence
from sim.calibrate.problem import Layout, YearProblem, evaluate
from sim.calibrate.solve import solve
from sim.method import entropy

#: Decimals written for indicators that are not counts (data/README.md: counts whole,
#: everything else with 2 decimals).
DECIMALS = 2
#: Weight error (percentage points) the rounding step aims for; the acceptance
#: tolerance is 0.005 pp, the printed precision of Table 1.
WEIGHT_AIM_PP = 1e-4
#: Grid points searched when rounding one column (full budget, ``--quick``).
LATTICE_POINTS = 400_000
QUICK_LATTICE_POINTS = 4_000
#: Rescalings of a whole column tried when its grid is coarse (entropy and x / max
#: are scale-free, so a rescaled column keeps its weight and scores).
COARSE_SCALES = np.geomspace(0.94, 1.06, 25)
#: A column is coarse when one grid step exceeds this fraction of its smallest value.
COARSE = 2e-3


def grid_step(integer: bool) -> float:
    """Grid step of a printed value: 1 for counts, ``10**-DECIMALS`` otherwise."""
    return 1.0 if integer else 10.0**-DECIMALS


def format_value(value: float, integer: bool) -> str:
    """The fixed text form of a value: whole numbers for counts, 2 decimals otherwise.

    Examples
    --------
    >>> format_value(1234.0, True), format_value(3.14159, False), format_value(-0.0, False)
    ('1234', '3.14', '0.00')
    """
    if integer:
        return str(int(round(value)))
    text = f"{value:.{DECIMALS}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def round_year(problem: YearProblem, resolve_iterations: int, lattice_points: int) -> dict[str, float]:
    """Round every column of ``problem`` to its grid, coarsest first, re-solving in between.

    Parameters
    ----------
    problem : YearProblem
        Solved; its table ends on the grid with every column frozen.
    resolve_iterations : int
        Optimiser iterations of each re-solve of the columns still free.
    lattice_points : int
        Size of the lattice searched per column.

    Returns
    -------
    dict
        The weight error (pp) left by rounding each column, keyed by indicator id.
    """
    layout, identity = problem.layout, problem.identity
    coarseness = layout.quantum / np.exp(problem.log_values).min(axis=0)
    order = sorted(range(layout.shape[1]), key=lambda j: (-coarseness[j], j))
    errors: dict[str, float] = {}
    for j in order:
        if j in problem.frozen_columns:
            continue
        columns = [j]
        if identity is not None and j in identity[:2]:
            columns = [identity[0], identity[1]]
        errors.update(round_columns(problem, columns, lattice_points))
        if layout.shape[1] - len(problem.frozen_columns) >= 2:
            solve(problem, resolve_iterations)
    return errors


def round_columns(problem: YearProblem, columns: Sequence[int], lattice_points: int) -> dict[str, float]:
    """Move one column (or the identity pair) to the printed grid, keeping its weight.

    The candidate kept has its divergence on target (weight error under
    :data:`WEIGHT_AIM_PP` when there is one) and, among those, disturbs the scores
    least (the columns still free then put them back). Freezes the column(s).

    Returns
    -------
    dict
        The weight error (pp) of each rounded column, keyed by indicator id.
    """
    current = np.exp(problem.log_values)
    candidate_sets = _grid_candidates(problem, columns, current, lattice_points)
    within, miss, disturbance, drift = _candidate_effects(problem, candidate_sets, current)
    best = _best_candidate(within, miss, disturbance, drift)
    errors = {}
    for column, candidates in candidate_sets.items():
        problem.log_values[:, column] = np.log(candidates[best])
        problem.fixed[:, column] = True
        problem.frozen_columns.append(column)
        errors[problem.layout.indicators[column]] = float(miss[best])
    return errors


def _grid_candidates(
    problem: YearProblem, columns: Sequence[int], current: np.ndarray, lattice_points: int
) -> dict[int, np.ndarray]:
    """Candidate raw values of each column to round, shape (C, m) each, row ``k`` of all going together.

    The identity pair moves together: the stock on its grid, the flow the stock's
    change (positive, in the flow's current order).
    """
    layout = problem.layout
    lead = columns[0]
    step = float(layout.quantum[lead])
    values = current[:, lead]
    pinned = problem.fixed[:, lead]
    scales = COARSE_SCALES if step / np.min(values) > COARSE else [1.0]
    identity = problem.identity
    if identity is not None and set(columns) == {identity[0], identity[1]}:
        stock, flow, last = identity
        step, values, pinned = float(layout.quantum[stock]), current[:, stock], problem.fixed[:, stock]
        reach = _reach(int((~pinned).sum()), 1, lattice_points)
        stocks = lattice_candidates(values, step, pinned, reach, [1.0]) * step
        flows = stocks - last[None, :]
        flow_order = np.argsort(current[:, flow], kind="stable")
        keep = (flows.min(axis=1) > 0) & np.all(np.diff(flows[:, flow_order], axis=1) > 0, axis=1)
        return {stock: stocks[keep], flow: flows[keep]}
    variants = 1 if pinned.any() else len(scales)
    reach = _reach(int((~pinned).sum()), variants, lattice_points)
    return {lead: lattice_candidates(values, step, pinned, reach, scales) * step}


def _candidate_effects(
    problem: YearProblem, candidate_sets: dict[int, np.ndarray], current: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every candidate: inside the bounds, weight miss (pp), score disturbance, drift."""
    layout = problem.layout
    total_divergence = float(evaluate(layout, problem.log_values[None])["divergence"][0].sum())
    count = len(next(iter(candidate_sets.values())))
    within = np.ones(count, dtype=bool)
    miss = np.zeros(count)
    disturbance = np.zeros(count)
    drift = np.zeros(count)
    for column, candidates in candidate_sets.items():
        lo, hi = np.exp(problem.lower_log[:, column]), np.exp(problem.upper_log[:, column])
        within &= np.all((candidates >= lo * (1 - 1e-12)) & (candidates <= hi * (1 + 1e-12)), axis=1)
        divergence, scored = _column_effects(layout, column, candidates)
        target = problem.weights_pct[column] / 100.0 * total_divergence
        # weight error in pp if this column alone moved
        miss = np.maximum(miss, np.abs(divergence / target - 1.0) * problem.weights_pct[column])
        _, scored_now = _column_effects(layout, column, current[None, :, column])
        disturbance += ((problem.weights_pct[column] * (scored - scored_now)) ** 2).sum(axis=1)
        drift += (np.log(candidates / current[None, :, column]) ** 2).sum(axis=1)
    return within, miss, disturbance, drift


def _best_candidate(within: np.ndarray, miss: np.ndarray, disturbance: np.ndarray, drift: np.ndarray) -> int:
    """Among the candidates on target, the one that disturbs the scores least; else the nearest miss."""
    if not within.any():
        within = np.ones_like(within)  # nothing on the grid inside the bands: take the nearest anyway
    miss = np.where(within, miss, np.inf)
    on_target = miss <= WEIGHT_AIM_PP
    if on_target.any():
        cost = np.where(on_target, disturbance + 1e-6 * drift, np.inf)
    else:
        cost = miss
    return int(np.argmin(cost))


def lattice_candidates(
    values: np.ndarray, quantum: float, pinned: np.ndarray, reach: int, scales: Sequence[float]
) -> np.ndarray:
    """Grid points near ``values`` (in units of ``quantum``) that keep their strict order.

    Parameters
    ----------
    values : array, shape (m,)
    quantum : float
    pinned : array of bool, shape (m,)
        Cells that must keep their exact value.
    reach : int
        Each free cell moves by at most this many grid steps around its rounded value.
    scales : sequence of float
        The whole column may first be rescaled (entropy and x/max are scale-free);
        only used when nothing is pinned.

    Returns
    -------
    ndarray, shape (C, m), in grid units
    """
    order = np.argsort(values, kind="stable")
    steps = [np.zeros(1) if p else np.arange(-reach, reach + 1, dtype=np.float64) for p in pinned]
    # every combination of steps, the last cell's varying fastest (itertools.product's order)
    offsets = np.stack([grid.ravel() for grid in np.meshgrid(*steps, indexing="ij")], axis=1)
    blocks = []
    for scale in ([1.0] if pinned.any() else scales):
        base = np.where(pinned, np.round(values / quantum), np.round(values * scale / quantum))
        units = base[None, :] + offsets
        ordered = units[:, order]
        keeps_order = np.all(np.diff(ordered, axis=1) > 0, axis=1) & (ordered[:, 0] > 0)
        blocks.append(units[keeps_order])
    return np.concatenate(blocks)  # duplicates across scales are harmless


def _column_effects(layout: Layout, column: int, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divergence and score-normalised values of candidate columns (raw values)."""
    benefit = layout.is_benefit[column : column + 1]
    as_tables = candidates[:, :, None]
    divergence = column_divergence(entropy.normalize(as_tables, benefit, layout.method.normalization))[:, 0]
    scored = entropy.normalize(as_tables, benefit, layout.method.scoring)[:, :, 0]
    return divergence, scored


def _reach(free_cells: int, variants: int, lattice_points: int) -> int:
    """Largest number of grid steps per cell keeping the lattice under ``lattice_points``."""
    if free_cells == 0:
        return 0
    per_cell = (lattice_points / max(variants, 1)) ** (1.0 / free_cells)
    return max(1, int((per_cell - 1) // 2))
