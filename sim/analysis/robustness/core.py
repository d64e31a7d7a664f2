"""The pure, seeded core of robustness: Monte Carlo scores of one table, and weight stability.

Arrays in, arrays out: :func:`simulate` perturbs a table (data noise, Dirichlet weights,
the normalisation drawn per draw) and scores every chunk of draws in one call of the
batched scorer :func:`sim.method.entropy.entropy_scores`; :func:`weight_stability`
gives leave-one-zone-out and bootstrap entropy weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.method import entropy
from sim.method.entropy import ranks as competition_ranks

DEFAULT_SIGMA = 0.05
DEFAULT_CHUNK = 10_000
DEFAULT_BOOTSTRAP = 2_000
#: Largest number of draws accepted (memory: about 80 bytes per draw and zone).
MAX_DRAWS = 10_000_000
#: Largest number of bootstrap resamples accepted; they are scored in chunks of
#: :data:`BOOTSTRAP_CHUNK`, so memory stays bounded whatever the count.
MAX_BOOTSTRAP = 1_000_000
BOOTSTRAP_CHUNK = 10_000

Progress = Callable[[int, int], None]


def ordinal_ranks(scores: np.ndarray, tolerance: float = entropy.RANK_TIE_TOLERANCE) -> np.ndarray:
    """Ranks with ties broken by zone order, so each draw is a permutation of 1..m.

    Rank probabilities built from these add up to 1 per zone *and* per rank.

    Parameters
    ----------
    scores : ndarray, shape (..., m)

    Returns
    -------
    ndarray of int, shape (..., m)
    """
    s = np.asarray(scores, dtype=np.float64)
    m = s.shape[-1]
    other, own = s[..., None, :], s[..., :, None]
    better = other > own + tolerance
    tied = np.abs(other - own) <= tolerance
    earlier = np.tri(m, m, -1, dtype=bool)  # earlier[i, o]: zone o comes before zone i
    return 1 + better.sum(axis=-1) + (tied & earlier).sum(axis=-1)


@dataclass
class Simulation:
    """Raw output of :func:`simulate`.

    Attributes
    ----------
    scores : ndarray, shape (draws, m)
        Scenario scores per draw.
    rank_counts : ndarray, shape (m, m)
        ``rank_counts[i, r]``: draws in which zone i had rank r + 1 (ties broken by
        zone order).
    baseline_scores : ndarray or None, shape (draws, m)
    beats, not_worse : ndarray or None, shape (m,)
        Draws in which the zone's rank (the engine's, ties sharing the better rank)
        is better than, or at least as good as, its baseline rank in the same draw.
    """

    scores: np.ndarray
    rank_counts: np.ndarray
    baseline_scores: np.ndarray | None = None
    beats: np.ndarray | None = None
    not_worse: np.ndarray | None = None


def _score_tables(
    tables: np.ndarray,
    is_benefit: np.ndarray,
    weight_kind: str,
    score_kind: str,
    fixed_weights: np.ndarray | None,
    concentration: float | None,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Scores of a batch of tables with one pair of normalisations, weights perturbed."""
    if concentration is None:
        _, scores = entropy.entropy_scores(tables, is_benefit, weight_kind, score_kind, fixed_weights, lower, upper)
        return scores
    if fixed_weights is None:
        centre, _ = entropy.entropy_scores(tables, is_benefit, weight_kind, weight_kind, None, lower, upper)
    else:
        centre = np.broadcast_to(fixed_weights, (tables.shape[0], tables.shape[-1]))
    # Dirichlet(c * w) as normalised gammas; a zero weight stays zero.
    gammas = rng.standard_gamma(concentration * centre)
    total = gammas.sum(axis=-1, keepdims=True)
    weights = np.where(total > 0, gammas / np.where(total > 0, total, 1.0), centre)
    _, scores = entropy.entropy_scores(tables, is_benefit, weight_kind, score_kind, weights, lower, upper)
    return scores


def simulate(
    values: np.ndarray,
    is_benefit: np.ndarray,
    draws: int,
    seed: int | np.random.Generator | None = None,
    sigma: float | np.ndarray = DEFAULT_SIGMA,
    concentration: float | None = None,
    normalizations: Sequence[str] = ("minmax",),
    score_normalizations: Sequence[str] = ("minmax",),
    fixed_weights: np.ndarray | None = None,
    baseline: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> Simulation:
    """Monte Carlo of the scores of one table (the pure, seeded core).

    Parameters
    ----------
    values : ndarray, shape (m, n)
        The scenario's table.
    is_benefit : ndarray of bool, shape (n,)
    draws : int
    seed : int or numpy.random.Generator
        Same seed, same output.
    sigma : float or ndarray of shape (n,)
        Log-standard deviation of the multiplicative noise per indicator (0: none).
    concentration : float or None
        Dirichlet concentration of the weights; None: weights not perturbed.
    normalizations, score_normalizations : sequence of str
        Choices for the weights' and the scores' normalisation, drawn uniformly per
        draw (one choice: fixed).
    fixed_weights : ndarray, shape (n,), optional
        Weights that do not depend on the data (otherwise entropy weights per draw).
    baseline : ndarray, shape (m, n), optional
        The baseline table; with it the draws compare scenario and baseline ranks.
    lower, upper : ndarray, optional
        Fixed goalposts.
    chunk : int
        Draws per batched call.
    progress : callable, optional
        ``progress(done, total)`` after each chunk.

    Returns
    -------
    Simulation
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    values = np.asarray(values, dtype=np.float64)
    m, n = values.shape
    log_sigma = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (n,)).astype(np.float64)
    noisy = bool(np.any(log_sigma > 0))
    kinds_w, kinds_s = list(normalizations), list(score_normalizations)
    scores = np.empty((draws, m))
    base_scores = np.empty((draws, m)) if baseline is not None else None
    rank_counts = np.zeros((m, m), dtype=np.int64)
    beats = np.zeros(m, dtype=np.int64) if baseline is not None else None
    not_worse = np.zeros(m, dtype=np.int64) if baseline is not None else None
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        if noisy:
            factors = rng.standard_normal((size, m, n))
            factors *= log_sigma
            np.exp(factors, out=factors)
        else:
            factors = np.ones((size, m, n))
        tables = factors * values
        base_tables = factors * baseline if baseline is not None else None
        choice_w = rng.integers(len(kinds_w), size=size) if len(kinds_w) > 1 else np.zeros(size, dtype=np.int64)
        choice_s = rng.integers(len(kinds_s), size=size) if len(kinds_s) > 1 else np.zeros(size, dtype=np.int64)
        block = scores[done:done + size]
        base_block = base_scores[done:done + size] if base_scores is not None else None
        for iw, kind_w in enumerate(kinds_w):
            for js, kind_s in enumerate(kinds_s):
                rows = (choice_w == iw) & (choice_s == js)
                if not rows.any():
                    continue
                select = slice(None) if rows.all() else rows
                block[select] = _score_tables(tables[select], is_benefit, kind_w, kind_s, fixed_weights,
                                              concentration, lower, upper, rng)
                if base_block is not None:
                    base_block[select] = _score_tables(base_tables[select], is_benefit, kind_w, kind_s,
                                                       fixed_weights, concentration, lower, upper, rng)
        ordinal = ordinal_ranks(block)
        for zone in range(m):
            rank_counts[zone] += np.bincount(ordinal[:, zone] - 1, minlength=m)
        if base_block is not None:
            scenario_ranks = competition_ranks(block)
            baseline_ranks = competition_ranks(base_block)
            beats += (scenario_ranks < baseline_ranks).sum(axis=0)
            not_worse += (scenario_ranks <= baseline_ranks).sum(axis=0)
        done += size
        if progress is not None:
            progress(done, draws)
    return Simulation(scores, rank_counts, base_scores, beats, not_worse)


def weight_stability(
    values: np.ndarray,
    is_benefit: np.ndarray,
    normalization: str = "minmax",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | np.random.Generator | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Leave-one-zone-out and bootstrap entropy weights of one table.

    Parameters
    ----------
    values : ndarray, shape (m, n)
    is_benefit : ndarray of bool, shape (n,)
    normalization : str
        The normalisation the weights use.
    bootstrap : int
        Resamples of the zones, with replacement (0: none).
    seed : int or numpy.random.Generator

    Returns
    -------
    dict
        ``weights`` (n,), ``leave_one_out`` (m, n) (row i: zone i left out; NaN when
        fewer than 3 zones), ``bootstrap`` (kept, n), ``dropped`` (resamples whose
        columns were all constant, so that no weights exist).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x = np.asarray(values, dtype=np.float64)
    m, n = x.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = entropy.entropy_weights(entropy.normalize(x, is_benefit, normalization, lower, upper))
        loo = np.full((m, n), np.nan)
        if m >= 3:
            keep = np.array([[r for r in range(m) if r != i] for i in range(m)])
            loo = entropy.entropy_weights(entropy.normalize(x[keep], is_benefit, normalization, lower, upper))
        boot = np.empty((0, n))
        dropped = 0
        if bootstrap > 0:
            rows = rng.integers(m, size=(bootstrap, m))
            kept = []
            for start in range(0, bootstrap, BOOTSTRAP_CHUNK):
                part = entropy.entropy_weights(
                    entropy.normalize(x[rows[start:start + BOOTSTRAP_CHUNK]], is_benefit, normalization, lower, upper))
                ok = np.isfinite(part).all(axis=-1)
                dropped += int((~ok).sum())
                kept.append(part[ok])
            boot = np.concatenate(kept)
    return {"weights": weights, "leave_one_out": loo, "bootstrap": boot, "dropped": np.array(dropped)}
