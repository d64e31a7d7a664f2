"""The reconstruction, year by year: priors, problem, continuous solve, rounding.

:func:`reconstruct` calibrates every published year, the earliest first, and each
year goes through the same named steps (:func:`solve_year`):

1. :func:`year_priors`: the year's prior table and spreads (from a later year on,
   a stock's prior is last year's calibrated value times the priors' change; the
   first year's stocks that a public figure pins next year are anchored to it);
2. :func:`year_problem`: targets, bounds, order constraints, pinned figures and
   the identity ``high_tech_firms_added = high_tech_firms - last year``;
3. :func:`continuous_solve`: up to three jittered starts of
   :func:`sim.calibrate.solve.solve`, the best kept;
4. :func:`sim.calibrate.rounding.round_year`: the table on the printed grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sim.calibrate.constraints import group_pairs, log_bounds, rank_pairs
from sim.calibrate.findings import Findings
from sim.calibrate.priors import Priors
from sim.calibrate.problem import Layout, YearProblem
from sim.calibrate.rounding import LATTICE_POINTS, QUICK_LATTICE_POINTS, grid_step, round_year
from sim.calibrate.solve import single_threaded_blas, solve
from sim.data import DataPackage

#: Optimiser iterations per solve at the default setting (the shipped baseline).
DEFAULT_BUDGET = 400
#: ``--quick``: enough to exercise every step in a few seconds; targets may be missed.
QUICK_BUDGET = 12
#: Continuation stages of the first solve of a year (times the attempt's number).
CONTINUATION_STAGES = 4
#: Jittered starts of the first solve of a year, at a full budget.
ATTEMPTS = 3
#: Spread (log units) of the jitter of the starting points.
START_JITTER = 0.02
#: Spread tying the first year's value of a stock to next year's pinned public figure.
ANCHOR_SIGMA = 0.03
#: The identity the baseline satisfies where the targets allow it: a year's net
#: increase is the change of the stock since last year.
IDENTITY_STOCK, IDENTITY_FLOW = "high_tech_firms", "high_tech_firms_added"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Targets:
    """The published numbers of one year, in layout order (weights in percent)."""

    year: int
    weights_pct: np.ndarray
    scores: np.ndarray


@dataclass
class YearOutcome:
    """What the solver reached in one year (before writing).

    Parameters
    ----------
    year : int
    values : ndarray, shape (m, n)
        Raw values on the printed grid.
    continuous_violation : float
        Largest constraint violation after the continuous solve.
    rounding_weight_errors : dict
        Weight error (pp) left by rounding, per indicator.
    prior : ndarray, shape (m, n)
        The prior table the year was solved against.
    """

    year: int
    values: np.ndarray
    continuous_violation: float
    rounding_weight_errors: dict[str, float]
    prior: np.ndarray


def layout_of(package: DataPackage) -> Layout:
    """The ids, directions, groups, grid steps and method of a package."""
    indicators = package.indicators
    ids = tuple(package.indicator_ids)
    groups = tuple(package.groups.index)
    membership = np.array([[indicators.at[i, "group"] == g for g in groups] for i in ids], dtype=float)
    return Layout(
        zones=tuple(package.zone_ids),
        indicators=ids,
        groups=groups,
        is_benefit=(indicators.loc[list(ids), "direction"] == "benefit").to_numpy(),
        membership=membership,
        quantum=np.array([grid_step(indicators.at[i, "integer"]) for i in ids]),
        method=package.method,
    )


def targets_of(package: DataPackage, layout: Layout, year: int) -> Targets:
    """The published weights (rescaled to sum 100) and scores of one year."""
    weights = package.published_weights.loc[year, list(layout.indicators)].to_numpy(dtype=np.float64)
    scores = package.published_scores[package.published_scores["year"] == year].set_index("zone")["score"]
    return Targets(year, 100.0 * weights / weights.sum(), scores.loc[list(layout.zones)].to_numpy(dtype=np.float64))


def is_full(budget: int) -> bool:
    """Whether a budget is large enough for retries, continuation and wide lattices."""
    return budget >= DEFAULT_BUDGET // 4


def reconstruct(
    package: DataPackage,
    findings: Findings,
    priors: Priors,
    budget: int = DEFAULT_BUDGET,
    seed: int | np.random.Generator = 0,
    progress: Progress | None = None,
) -> dict[int, YearOutcome]:
    """Calibrate every published year, the earliest first.

    Parameters
    ----------
    package : DataPackage
        Its indicators, zones, method and published weights and scores are used;
        its baseline values are not.
    findings : Findings
    priors : Priors
        From :func:`sim.calibrate.priors.load_priors`, for every published year.
    budget : int
        Optimiser iterations per solve.
    seed : int or numpy.random.Generator
        Seeds the jitter of the starting points.
    progress : callable, optional
        Called with a line of text at every stage.

    Returns
    -------
    dict
        Year -> YearOutcome.
    """
    progress = progress or (lambda message: None)
    rng = np.random.default_rng(seed)
    layout = layout_of(package)
    years = sorted(int(y) for y in package.published_weights.index)
    outcomes: dict[int, YearOutcome] = {}
    with single_threaded_blas():
        for position, year in enumerate(years):
            following = years[position + 1] if position + 1 < len(years) else None
            prior, sigma = year_priors(layout, priors, year, outcomes.get(year - 1), following)
            progress(f"{year}: calibrating ({len(layout.zones)} zones x {len(layout.indicators)} indicators)")
            problem = year_problem(package, layout, findings, priors, targets_of(package, layout, year),
                                   prior, sigma, outcomes.get(year - 1))
            outcomes[year] = solve_year(problem, prior, budget, rng, progress)
    return outcomes


def year_priors(
    layout: Layout, priors: Priors, year: int, previous: YearOutcome | None, following: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The prior table and the spreads of one year, each shape (m, n).

    Parameters
    ----------
    layout : Layout
    priors : Priors
    year : int
    previous : YearOutcome, optional
        Last year's result: stocks then start from its values times the priors'
        change from last year.
    following : int, optional
        The next published year: when there is no previous year, a stock that a
        public figure pins next year is anchored to that figure over the priors' change.
    """
    zones, indicators = layout.zones, layout.indicators
    prior = priors.table(year, zones, indicators)
    sigma = priors.spread_table(year, zones, indicators)
    if previous is not None:
        hand_set_change = prior / priors.table(previous.year, zones, indicators)
        flows = priors.is_flow(indicators)
        prior = np.where(flows[None, :], prior, previous.values * hand_set_change)
    elif following is not None:
        for figure in priors.exact:
            if figure.year != following or figure.indicator in priors.flows:
                continue
            if priors.exact_figure(year, figure.zone, figure.indicator) is not None:
                continue
            i, j = zones.index(figure.zone), indicators.index(figure.indicator)
            prior[i, j] = figure.value * prior[i, j] / priors.table(following, zones, indicators)[i, j]
            sigma[i, j] = ANCHOR_SIGMA
    return prior, sigma


def year_problem(
    package: DataPackage,
    layout: Layout,
    findings: Findings,
    priors: Priors,
    targets: Targets,
    prior: np.ndarray,
    sigma: np.ndarray,
    previous: YearOutcome | None,
) -> YearProblem:
    """One year's problem: bounds, pinned public figures, orders and the identity."""
    year = targets.year
    lower_log, upper_log = log_bounds(package, layout, priors, prior, year)
    fixed = np.zeros(layout.shape, dtype=bool)
    prior_log = np.log(prior)
    for figure in priors.exact:
        if figure.year == year and figure.zone in layout.zones and figure.indicator in layout.indicators:
            cell = layout.zones.index(figure.zone), layout.indicators.index(figure.indicator)
            fixed[cell] = True
            prior_log[cell] = lower_log[cell] = upper_log[cell] = math.log(figure.value)
    identity = None
    if previous is not None and IDENTITY_STOCK in layout.indicators and IDENTITY_FLOW in layout.indicators:
        stock = layout.indicators.index(IDENTITY_STOCK)
        identity = (stock, layout.indicators.index(IDENTITY_FLOW), previous.values[:, stock].copy())
    problem = YearProblem(
        layout=layout,
        year=year,
        weights_pct=targets.weights_pct,
        scores=targets.scores,
        prior_log=prior_log,
        sigma=sigma,
        lower_log=lower_log,
        upper_log=upper_log,
        log_values=prior_log.copy(),
        fixed=fixed,
        rank_pairs=rank_pairs(layout, findings, year, prior),
        group_pairs=group_pairs(layout, findings, year, prior),
        identity=identity,
    )
    if identity is not None:
        stock, flow, last = identity
        # start the flow where the identity puts it; its bounds follow the stock's
        step = layout.quantum[flow]
        problem.log_values[:, flow] = np.log(np.maximum(prior[:, stock] - last, step))
        problem.prior_log[:, flow] = problem.log_values[:, flow]
        problem.lower_log[:, flow] = math.log(step)
        problem.upper_log[:, flow] = np.log(np.maximum(np.exp(problem.upper_log[:, stock]) - last, 2 * step))
    return problem


def solve_year(
    problem: YearProblem, prior: np.ndarray, budget: int, rng: np.random.Generator, progress: Progress
) -> YearOutcome:
    """Calibrate one year: continuous solve, then rounding with re-solves."""
    full = is_full(budget)
    problem, violation = continuous_solve(problem, budget, full, rng, progress)
    lattice_points = LATTICE_POINTS if full else QUICK_LATTICE_POINTS
    errors = round_year(problem, max(budget // 4, 5), lattice_points)
    weight_error, score_error = problem.residuals()
    progress(f"{problem.year}: rounded; worst weight error {weight_error:.2e} pp, worst score error {score_error:.2e}")
    quantum = problem.layout.quantum
    values = np.round(np.exp(problem.log_values) / quantum) * quantum
    return YearOutcome(problem.year, values, violation, errors, prior)


def continuous_solve(
    problem: YearProblem, budget: int, full: bool, rng: np.random.Generator, progress: Progress
) -> tuple[YearProblem, float]:
    """Solve from jittered priors, up to :data:`ATTEMPTS` times (more stages each time).

    Returns
    -------
    (YearProblem, float)
        A copy of ``problem`` holding the best table found, and its largest
        constraint violation.
    """
    attempts = ATTEMPTS if full else 1
    shape = problem.layout.shape
    best, violation = problem, np.inf
    for attempt in range(attempts):
        start = problem.prior_log + np.where(problem.fixed, 0.0, rng.normal(0.0, START_JITTER, shape))
        trial = replace(problem, log_values=problem.log_values.copy(), fixed=problem.fixed.copy(), frozen_columns=[])
        stages = CONTINUATION_STAGES * (attempt + 1) if full else 1
        ok = solve(trial, budget, start=start, stages=stages)
        trial_violation = trial.violation(trial.log_values)
        progress(f"{problem.year}: continuous solve, attempt {attempt + 1}: "
                 f"largest constraint violation {trial_violation:.2e}")
        if trial_violation < violation:
            best, violation = trial, trial_violation
        if ok:
            break
    return best, violation
