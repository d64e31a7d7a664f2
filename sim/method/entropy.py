"""The entropy weight method (熵值法), as pure numpy functions.

Every function here works on arrays shaped ``(..., m, n)``: ``m`` zones (rows),
``n`` indicators (columns), and any number of leading batch axes, so that 100,000
perturbed copies of a 5 x 25 table are scored in one call. Nothing here validates
input or knows about ids: :mod:`sim.method.scoring` wraps these functions with the
checks, the id bookkeeping and the warnings.

The method (DESIGN section 2) for one table:

1. normalise each column (min-max, oriented for cost indicators *during* the step);
2. shares ``p_ij = x'_ij / sum_i x'_ij``;
3. entropy ``e_j = -(1 / ln m) sum_i p_ij ln p_ij`` with ``0 ln 0 = 0``;
4. weights ``w_j = (1 - e_j) / sum_k (1 - e_k)``;
5. scores ``s_i = 100 sum_j w_j x'_ij``.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
>>> z = normalize(x, np.array([True, False]))
>>> z.round(3).tolist()
[[0.0, 1.0], [0.333, 0.0], [1.0, 0.5]]
>>> w = entropy_weights(z)
>>> float(w.sum())
1.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

NORMALIZATIONS = ("minmax", "minmax-shift", "ratio")

#: The affine map of ``minmax-shift``: ``SHIFT_SCALE * x' + SHIFT_OFFSET``.
SHIFT_SCALE = 0.99
SHIFT_OFFSET = 0.01

#: Two scores closer than this (points out of 100) share a rank: float noise from a
#: different summation order must not split a genuine tie.
RANK_TIE_TOLERANCE = 1e-9

#: Stand-in for 0 inside the logarithm; x ln x below it is under 1e-297.
_TINY = 1e-300

#: Draws scored per block in :func:`entropy_scores`, so each pass stays in cache.
_BLOCK_DRAWS = 1024


def normalize(
    values: ArrayLike,
    is_benefit: ArrayLike,
    kind: str = "minmax",
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Normalise every column of ``values`` to [0, 1].

    Parameters
    ----------
    values : array, shape (..., m, n)
        Raw indicator values.
    is_benefit : array of bool, shape (n,)
        True for benefit indicators (more is better), False for cost indicators.
    kind : {"minmax", "minmax-shift", "ratio"}
        ``minmax``: ``(x - min) / (max - min)`` (cost: ``(max - x) / (max - min)``);
        a constant column gives 0. ``minmax-shift``: ``0.99 x' + 0.01`` of that.
        ``ratio``: ``x / max`` (cost: ``min / x``).
    lower, upper : array, shape (..., 1, n) or (n,), optional
        Fixed goalposts. By default each column's own minimum and maximum over the
        zones. With fixed goalposts a value beyond them is clamped into [0, 1]
        (see :func:`goalpost_clamps` to find which).

    Returns
    -------
    ndarray, shape (..., m, n)
    """
    x = np.asarray(values, dtype=np.float64)
    benefit = np.asarray(is_benefit, dtype=bool)
    fixed = lower is not None or upper is not None
    lo = _over_zones(np.minimum, x) if lower is None else np.asarray(lower, dtype=np.float64)
    hi = _over_zones(np.maximum, x) if upper is None else np.asarray(upper, dtype=np.float64)
    if kind == "ratio":
        # Benefit x / max, cost min / x: both are products with one per-column factor.
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(benefit, x / hi, lo / x)
    elif kind in ("minmax", "minmax-shift"):
        span = hi - lo
        # Orient during the step: anchor at min (benefit) or max (cost) and scale by
        # +-1/span; a constant column (span 0) gets scale 0, hence x' = 0, no NaN.
        with np.errstate(divide="ignore"):
            inverse_span = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
        anchor = np.where(benefit, lo, hi)
        scale = np.where(benefit, inverse_span, -inverse_span)
        out = x - anchor
        out *= scale
        if kind == "minmax-shift":
            out *= SHIFT_SCALE
            out += SHIFT_OFFSET
    else:
        raise ValueError(f"unknown normalization {kind!r}; allowed: {', '.join(NORMALIZATIONS)}")
    if fixed:
        np.clip(out, 0.0, 1.0, out=out)
    return out


def _over_zones(binary_ufunc: np.ufunc, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Reduce over the zone axis (-2), keeping it, by folding row after row.

    With few zones this is several times faster than ``ufunc.reduce(axis=-2)``,
    which walks the short strided axis element by element.
    """
    acc = x[..., 0:1, :].copy()
    for i in range(1, x.shape[-2]):
        binary_ufunc(acc, x[..., i : i + 1, :], out=acc)
    return acc


def goalpost_clamps(
    values: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which cells lie below ``lower`` or above ``upper`` (fixed goalposts).

    Returns
    -------
    below, above : ndarray of bool, shape of ``values``
    """
    x = np.asarray(values, dtype=np.float64)
    return x < np.asarray(lower), x > np.asarray(upper)


def entropy_weights(normalized: ArrayLike) -> NDArray[np.float64]:
    """Entropy weights of normalised columns.

    Parameters
    ----------
    normalized : array, shape (..., m, n)
        Non-negative normalised values, m >= 2.

    Returns
    -------
    ndarray, shape (..., n)
        Weights summing to 1 along the last axis. A column whose values sum to 0 or
        are all equal carries no information and gets weight 0. If every column is
        like that the weights are undefined and returned as NaN (the validating
        wrapper turns that into an error).

    Notes
    -----
    ``sum_i p ln p`` is computed as ``(sum_i x ln x) / S - ln S`` with
    ``S = sum_i x``, which needs a single logarithm pass over the table.
    """
    z = np.asarray(normalized, dtype=np.float64)
    m = z.shape[-2]
    column_sum = _over_zones(np.add, z)[..., 0, :]
    # x ln x with 0 ln 0 = 0: 0 * ln(1e-300) is exactly 0, and the unmasked log
    # runs several times faster than a masked one.
    log_z = np.log(np.maximum(z, _TINY))
    log_z *= z
    x_log_x = _over_zones(np.add, log_z)[..., 0, :]
    informative = column_sum > 0
    safe_sum = np.where(informative, column_sum, 1.0)
    sum_p_log_p = x_log_x / safe_sum - np.log(safe_sum)
    entropy = np.where(informative, -sum_p_log_p / np.log(m), 1.0)
    divergence = np.clip(1.0 - entropy, 0.0, None)
    total = divergence.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return divergence / total


def composite_scores(normalized: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Composite scores out of 100: ``100 * sum_j w_j x'_ij``.

    Parameters
    ----------
    normalized : array, shape (..., m, n)
    weights : array, shape (..., n)

    Returns
    -------
    ndarray, shape (..., m)
    """
    z = np.asarray(normalized, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    return 100.0 * np.matmul(z, w[..., :, None])[..., 0]


def group_scores(
    normalized: ArrayLike, weights: ArrayLike, membership: ArrayLike
) -> NDArray[np.float64]:
    """Scores per group of indicators; they add up to the composite score.

    Parameters
    ----------
    normalized : array, shape (..., m, n)
    weights : array, shape (..., n)
    membership : array, shape (n, g)
        ``membership[j, k]`` is 1 when indicator j belongs to group k, else 0.

    Returns
    -------
    ndarray, shape (..., m, g)
    """
    contributions = 100.0 * np.asarray(normalized) * np.asarray(weights)[..., None, :]
    return contributions @ np.asarray(membership, dtype=np.float64)


def ranks(scores: ArrayLike, tolerance: float = RANK_TIE_TOLERANCE) -> NDArray[np.int64]:
    """Competition ranks: 1 is the highest score, ties share the better rank.

    Parameters
    ----------
    scores : array, shape (..., m)
    tolerance : float
        Scores within this distance count as tied.

    Returns
    -------
    ndarray of int, shape (..., m)

    Examples
    --------
    >>> ranks([70.0, 80.0, 70.0, 10.0]).tolist()
    [2, 1, 2, 4]
    """
    s = np.asarray(scores, dtype=np.float64)
    better = s[..., None, :] > s[..., :, None] + tolerance
    return 1 + better.sum(axis=-1)


def entropy_scores(
    values: ArrayLike,
    is_benefit: ArrayLike,
    normalization: str = "minmax",
    score_normalization: str | None = None,
    weights: ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weights and composite scores in one call (the batched hot path).

    Parameters
    ----------
    values : array, shape (..., m, n)
    is_benefit : array of bool, shape (n,)
    normalization : str
        Normalisation used for the entropy weights (and the scores by default).
    score_normalization : str, optional
        Normalisation used for the scores; default: ``normalization``.
    weights : array, shape (..., n) or (n,), optional
        Fixed weights; default: entropy weights of ``values``.
    lower, upper : array, optional
        Fixed goalposts, as in :func:`normalize`.

    Returns
    -------
    weights : ndarray, shape (..., n)
    scores : ndarray, shape (..., m)
    """
    x = np.asarray(values, dtype=np.float64)
    batch_shape = x.shape[:-2]
    if len(batch_shape) != 1 or batch_shape[0] <= _BLOCK_DRAWS:
        return _entropy_scores_block(x, is_benefit, normalization, score_normalization, weights, lower, upper)
    # One long batch axis: score it block by block so that every pass over the
    # data stays in the CPU cache (about twice as fast as whole-array passes).
    n_draws = batch_shape[0]
    w_out = np.empty((n_draws, x.shape[-1]))
    s_out = np.empty((n_draws, x.shape[-2]))
    w_all = None if weights is None else np.broadcast_to(np.asarray(weights, np.float64), w_out.shape)
    lo_all = _per_draw(lower, n_draws)
    hi_all = _per_draw(upper, n_draws)
    for start in range(0, n_draws, _BLOCK_DRAWS):
        block = slice(start, start + _BLOCK_DRAWS)
        w_out[block], s_out[block] = _entropy_scores_block(
            x[block],
            is_benefit,
            normalization,
            score_normalization,
            None if w_all is None else w_all[block],
            None if lo_all is None else lo_all[block],
            None if hi_all is None else hi_all[block],
        )
    return w_out, s_out


def _per_draw(goalpost: ArrayLike | None, n_draws: int) -> NDArray[np.float64] | None:
    """Goalposts broadcast to one row per draw, so they can be sliced in blocks."""
    if goalpost is None:
        return None
    g = np.asarray(goalpost, dtype=np.float64)
    if g.ndim < 3:  # shared by every draw
        g = g.reshape((1, 1, -1))
    return np.broadcast_to(g, (n_draws, 1, g.shape[-1]))


def _entropy_scores_block(values, is_benefit, normalization, score_normalization, weights, lower, upper):
    """:func:`entropy_scores` on one block of draws, all passes at once."""
    score_kind = score_normalization or normalization
    z_weights = None
    if weights is None:
        z_weights = normalize(values, is_benefit, normalization, lower, upper)
        w = entropy_weights(z_weights)
    else:
        w = np.broadcast_to(np.asarray(weights, dtype=np.float64), np.shape(values)[:-2] + np.shape(values)[-1:])
    if z_weights is not None and score_kind == normalization:
        z_scores = z_weights
    else:
        z_scores = normalize(values, is_benefit, score_kind, lower, upper)
    return w, composite_scores(z_scores, w)
