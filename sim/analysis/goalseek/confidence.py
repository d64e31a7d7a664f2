"""How sure a goal-seek answer is: the chance that its target still holds when the data are uncertain.

An answer that reaches rank 3 by 0.01 points is not the same answer as one that reaches it
by 5: the indicator values are themselves uncertain (the shipped baseline is a
reconstruction; official statistics are revised). The robustness model
(:func:`sim.analysis.robustness.simulate`) puts its default **data noise** on the answer's
table, every value times a lognormal factor ``exp(sigma * z)`` (``sigma`` 5 %, median 1),
scores each draw under the scenario's method (entropy weights recomputed from the noisy
table when the method recomputes them) and measures the target's margin in every draw.

The **probability** is the share of draws in which the target still holds. An answer is
**too close to call** when that share is below :data:`SURE_PROBABILITY` (90 %): in more
than one draw in ten, noise of the data's own size undoes it, i.e. the margin is smaller
than the swing the noise gives it. The swing shown is half the width of the central 80 %
interval of the noisy margin (points), so "margin < swing" and "too close to call" read the
same when the noise moves the margin symmetrically.

Seeded (same seed, same probability); 4,000 draws take about 30 ms for 5 zones x 25
indicators (``benchmarks/bench_analysis.py``), next to the search's second or so.

Examples
--------
>>> import numpy as np
>>> from sim.analysis.goalseek.targets import Target
>>> values = np.array([[10.0, 10.0], [9.0, 9.0]])
>>> sure = margin_draws(values, np.array([True, True]), 0, Target("overtake", rival="b"), ["a", "b"],
...                     draws=500, seed=0, sigma=0.05)
>>> bool((sure > 0).mean() > 0.5)
True
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.goalseek.targets import Target, target_margins
from sim.analysis.robustness.core import DEFAULT_SIGMA, simulate

#: Draws of the data noise per answer: the probability's standard error is at most 0.8 points.
CONFIDENCE_DRAWS = 4_000
#: Below this probability an answer is "too close to call".
SURE_PROBABILITY = 0.9
#: Quantiles of the noisy margin whose half-distance is the swing shown (the central 80 %).
SWING_QUANTILES = (0.1, 0.9)


@dataclass(frozen=True)
class TargetConfidence:
    """How sure an answer is, under data noise.

    Attributes
    ----------
    probability : float
        Share of the draws in which the target holds (0 to 1).
    draws : int
    sigma : float
        Log-standard deviation of the data noise (0.05 = 5 %).
    seed : int or str
        The seed of the draws (``"generator"`` when a Generator was given).
    margin : float
        The answer's margin without noise (points).
    margin_low, margin_high : float
        10th and 90th percentiles of the margin across the draws (points).
    seconds : float
    """

    probability: float
    draws: int
    sigma: float
    seed: int | str
    margin: float
    margin_low: float
    margin_high: float
    seconds: float

    @property
    def too_close(self) -> bool:
        """Whether the target holds in fewer than 90 % of the draws ("too close to call")."""
        return self.probability < SURE_PROBABILITY

    @property
    def swing(self) -> float:
        """How far the noise moves the margin: half the central 80 % interval (points)."""
        return (self.margin_high - self.margin_low) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "probability": self.probability,
            "too_close_to_call": self.too_close,
            "sure_probability": SURE_PROBABILITY,
            "draws": self.draws,
            "noise_sigma": self.sigma,
            "seed": self.seed,
            "margin_interval_80": [self.margin_low, self.margin_high],
            "margin": self.margin if np.isfinite(self.margin) else None,
            "margin_swing": self.swing,
            "seconds": self.seconds,
        }


def margin_draws(
    values: np.ndarray,
    is_benefit: np.ndarray,
    zone_row: int,
    target: Target,
    zones: Sequence[str],
    draws: int = CONFIDENCE_DRAWS,
    seed: int | np.random.Generator | None = 0,
    sigma: float = DEFAULT_SIGMA,
    normalization: str = "minmax",
    scoring: str = "minmax",
    fixed_weights: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """The target's margin in each draw of the data noise (the pure core).

    Parameters
    ----------
    values : ndarray, shape (m, n)
        The answer's finished table.
    is_benefit : ndarray of bool, shape (n,)
    zone_row : int
    target : Target
    zones : sequence of str
    draws : int
    seed : int or numpy.random.Generator
    sigma : float
    normalization, scoring : str
        The method's normalisations for the weights and the scores.
    fixed_weights, lower, upper : ndarray, optional
        As :func:`sim.analysis.robustness.simulate` takes them.

    Returns
    -------
    ndarray, shape (draws,)
        Points by which the target holds in each draw (negative: it does not).
    """
    run = simulate(values, is_benefit, int(draws), seed, sigma, None, (normalization,), (scoring,),
                   fixed_weights, None, lower, upper)
    return target_margins(run.scores, zone_row, target, zones)


def holds(margins: np.ndarray, target: Target) -> np.ndarray:
    """Whether the target holds for each margin: strictly ahead to overtake, else at least level."""
    return margins > 0 if target.kind == "overtake" else margins >= 0


def target_confidence(
    model,
    values: np.ndarray,
    zone_row: int,
    target: Target,
    margin: float,
    draws: int = CONFIDENCE_DRAWS,
    seed: int | np.random.Generator | None = 0,
    sigma: float = DEFAULT_SIGMA,
) -> TargetConfidence:
    """The probability that ``target`` holds on ``values`` under data noise, with the margin's spread.

    Parameters
    ----------
    model : sim.engine.CompiledScenario
        The scenario the answer started from: its method scores the noisy tables.
    values : ndarray, shape (m, n)
        The answer's finished table.
    zone_row : int
    target : Target
    margin : float
        The answer's margin without noise (reported with the spread).
    draws : int
    seed : int, numpy.random.Generator or None
        None: a fresh seed, reported (so the number can still be reproduced).
    sigma : float

    Returns
    -------
    TargetConfidence
    """
    began = time.perf_counter()
    if seed is None:
        seed = secrets.randbits(32)
    rule = model.rule
    margins = margin_draws(values, model.is_benefit, zone_row, target, model.zones, draws, seed, sigma,
                           rule.normalization, rule.scoring, rule.fixed_weights, rule.lower, rule.upper)
    # A target every table meets (rank m) holds by +inf: a score gap never exceeds 100 points.
    finite = np.where(np.isfinite(margins), margins, np.sign(margins) * 100.0)
    low, high = np.quantile(finite, SWING_QUANTILES)
    return TargetConfidence(
        probability=float(holds(margins, target).mean()),
        draws=int(draws),
        sigma=float(sigma),
        seed=int(seed) if isinstance(seed, (int, np.integer)) else "generator",
        margin=float(margin),
        margin_low=float(low),
        margin_high=float(high),
        seconds=time.perf_counter() - began,
    )
