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

Batches of tables (:func:`entropy_scores` on an array with leading axes) are scored
block by block in a zones-first layout (see :mod:`sim.method.batched`), by the same
operations in the same order as one table, so a draw scored in a batch has the same
bits as the draw scored alone.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
>>> z = normalize(x, np.array([True, False]))
>>> (z + 0.0).round(3).tolist()  # + 0.0: a cost column's worst value is -0.0
[[0.0, 1.0], [0.333, 0.0], [1.0, 0.5]]
>>> w = entropy_weights(z)
>>> float(w.sum())
1.0
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

NORMALIZATIONS = ("minmax", "minmax-shift", "ratio")

#: The affine map of ``minmax-shift``: ``SHIFT_SCALE * x' + SHIFT_OFFSET``.
SHIFT_SCALE = 0.99
SHIFT_OFFSET = 0.01

#: A column is constant when ``max - min <= CONSTANT_TOLERANCE * max(|max|, |min|, 1)``
#: (DESIGN section 2): float noise from a percentage change (8.459 vs 8.459000000000001)
#: must not give a column weight.
CONSTANT_TOLERANCE = 1e-9

#: Two scores closer than this (points out of 100) share a rank: float noise from a
#: different summation order must not split a genuine tie.
RANK_TIE_TOLERANCE = 1e-9

#: Stand-in for 0 inside the logarithm; x ln x below it is under 1e-297.
_TINY = 1e-300

#: Draws scored per block by :func:`entropy_scores`: large enough that the Python
#: overhead per block (some 30 numpy calls) is spread over many draws, small enough
#: that a block's working arrays (2 or 3 of m x block x n) stay in the CPU's cache.
#: On a 5 x 25 table anything from 1,024 to 4,096 is within a few per cent.
_BLOCK_DRAWS = 2048

#: Beyond this many zones, min and max over zones use ``ufunc.reduce`` instead of a fold.
_FOLD_MAX_ZONES = 16

#: From this many zones on, :func:`ranks` sorts instead of comparing every pair.
_RANK_BY_SORTING_FROM = 64


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
        a constant column (see :func:`constant_columns`) gives 0. ``minmax-shift``:
        ``0.99 x' + 0.01`` of that. ``ratio``: ``x / max`` (cost: ``min / x``); a column
        holding a value <= 0, where the ratio means nothing, is normalised by min-max
        instead (see :func:`ratio_fallback_columns`).
    lower, upper : array, shape (..., 1, n) or (n,), optional
        Fixed goalposts. By default each column's own minimum and maximum over the
        zones. With fixed goalposts a value beyond them is clamped into [0, 1]
        (see :func:`goalpost_clamps` to find which).

    Returns
    -------
    ndarray, shape (..., m, n)
    """
    x = np.asarray(values, dtype=np.float64)
    return _normalize(x, np.asarray(is_benefit, dtype=bool), kind, lower, upper, _ZoneRange(x))


class _ZoneRange:
    """Each column's minimum and maximum over the zones, folded once and only when asked."""

    def __init__(self, x: NDArray[np.float64]):
        self.x = x

    @cached_property
    def low(self) -> NDArray[np.float64]:
        return _over_zones(np.minimum, self.x)

    @cached_property
    def high(self) -> NDArray[np.float64]:
        return _over_zones(np.maximum, self.x)

    @cached_property
    def constant(self) -> NDArray[np.bool_]:
        """:func:`constant_columns`, shape (..., n)."""
        return _constant(self.low, self.high, self.high - self.low)[..., 0, :]


def _normalize(x, benefit, kind, lower, upper, zone_range: _ZoneRange) -> NDArray[np.float64]:
    """:func:`normalize`, with the columns' own range computed once for several calls."""
    fixed = lower is not None or upper is not None
    lo = zone_range.low if lower is None else np.asarray(lower, dtype=np.float64)
    hi = zone_range.high if upper is None else np.asarray(upper, dtype=np.float64)
    if kind == "ratio":
        # Benefit x / max, cost min / x. np.where computes both for every column; the
        # discarded one may overflow, and the kept one is <= 1 (or clipped, with goalposts).
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.where(benefit, x / hi, lo / x)
        fallback = (zone_range.low <= 0)[..., 0, :]
        if fallback.any():
            minmax = _normalize(x, benefit, "minmax", lower, upper, zone_range)
            out = np.where(fallback[..., None, :], minmax, out)
    elif kind in ("minmax", "minmax-shift"):
        span = hi - lo
        # Orient during the step: anchor at min (benefit) or max (cost) and scale by
        # +-1/span; a constant column gets scale 0, hence x' = 0, no NaN.
        flat = zone_range.constant[..., None, :] if lower is None and upper is None else _constant(lo, hi, span)
        with np.errstate(divide="ignore", over="ignore"):
            inverse_span = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, span))
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
    """Reduce over the zone axis (-2), keeping it, by folding zone after zone.

    With few zones the fold is several times faster than ``ufunc.reduce(axis=-2)``,
    which walks the short strided axis element by element; and for sums it fixes the
    order of the additions whatever the memory layout (``add.reduce`` switches to
    pairwise summation when the zone axis is the contiguous one, which would give a
    transposed copy of the same table other last bits). Min and max are exact in any
    order, so with many zones they use ``reduce``.
    """
    m = x.shape[-2]
    if m > _FOLD_MAX_ZONES and binary_ufunc in (np.minimum, np.maximum):
        return binary_ufunc.reduce(x, axis=-2, keepdims=True)
    acc = x[..., 0:1, :].copy()
    for i in range(1, m):
        binary_ufunc(acc, x[..., i : i + 1, :], out=acc)
    return acc


def constant_columns(values: ArrayLike) -> NDArray[np.bool_]:
    """Which columns are constant: ``max - min <= 1e-9 * max(|max|, |min|, 1)`` over the zones.

    Parameters
    ----------
    values : array, shape (..., m, n)

    Returns
    -------
    ndarray of bool, shape (..., n)
    """
    return _ZoneRange(np.asarray(values, dtype=np.float64)).constant


def _constant(lo: NDArray[np.float64], hi: NDArray[np.float64], span: NDArray[np.float64]) -> NDArray[np.bool_]:
    """``span <= CONSTANT_TOLERANCE * max(|hi|, |lo|, 1)``, elementwise.

    With ``lo <= hi`` (a range), ``max(|hi|, |lo|)`` is ``max(hi, -lo)``.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        return span <= CONSTANT_TOLERANCE * np.maximum(np.maximum(hi, -lo), 1.0)


def ratio_fallback_columns(values: ArrayLike) -> NDArray[np.bool_]:
    """Columns that ``ratio`` normalises by min-max: those holding a value <= 0.

    ``x / max`` and ``min / x`` mean nothing once a value is zero or negative (official
    growth rates often are), so such a column is normalised by min-max instead.

    Parameters
    ----------
    values : array, shape (..., m, n)

    Returns
    -------
    ndarray of bool, shape (..., n)
    """
    x = np.asarray(values, dtype=np.float64)
    return _over_zones(np.minimum, x)[..., 0, :] <= 0


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


def entropy_weights(normalized: ArrayLike, constant: ArrayLike | None = None) -> NDArray[np.float64]:
    """Entropy weights of normalised columns.

    Parameters
    ----------
    normalized : array, shape (..., m, n)
        Non-negative normalised values, m >= 2.
    constant : array of bool, shape (..., n), optional
        Columns known to carry no information (constant raw data, see
        :func:`constant_columns`): weight exactly 0.

    Returns
    -------
    ndarray, shape (..., n)
        Weights summing to 1 along the last axis. A column whose values sum to 0 or
        are all equal carries no information and gets weight exactly 0. If every
        column is like that the weights are undefined and returned as NaN (the
        validating wrapper turns that into an error).

    Notes
    -----
    ``sum_i p ln p`` is computed as ``(sum_i x ln x) / S - ln S`` with
    ``S = sum_i x``, which needs a single logarithm pass over the table.
    """
    z = np.asarray(normalized, dtype=np.float64)
    # All equal (e.g. 0.01 everywhere under minmax-shift): rounding would leave 1 - e a
    # few ulp above 0, and DESIGN promises 0.
    flat = (z == z[..., :1, :]).all(axis=-2)
    if constant is not None:
        flat |= np.asarray(constant, dtype=bool)
    return _weights_of_normalized(z, flat)


def _weights_of_normalized(z: NDArray[np.float64], constant: NDArray[np.bool_] | None) -> NDArray[np.float64]:
    """:func:`entropy_weights` with the weightless columns already known (None: none)."""
    m = z.shape[-2]
    column_sum = _over_zones(np.add, z)[..., 0, :]
    x_log_x = _over_zones(np.add, _x_log_x(z))[..., 0, :]
    return _weights_from_column_sums(
        column_sum, x_log_x, m, constant=constant if constant is not None and constant.any() else None
    )


def _x_log_x(z: NDArray[np.float64], out: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """``z ln z`` elementwise, with ``0 ln 0 = 0``, for ``z >= 0``.

    ``z + 1e-300`` is exactly ``z`` for any ``z`` above 1e-284 and 1e-300 for
    ``z = 0``, where ``0 * ln(1e-300)`` is exactly 0. An unmasked log over that is
    several times faster than a masked log, and the addition about three times
    faster than ``np.maximum(z, 1e-300)`` (which has to care about NaN); the two
    differ only for ``0 < z < 1e-284``, where ``z ln z`` is below 1e-281 anyway.
    """
    out = np.add(z, _TINY, out=out)
    np.log(out, out=out)
    out *= z
    return out


def _weights_from_column_sums(
    column_sum: NDArray[np.float64],
    x_log_x: NDArray[np.float64],
    m: int,
    out: NDArray[np.float64] | None = None,
    minmax_informative: bool = False,
    constant: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Entropy weights from ``S = sum_i z`` and ``sum_i z ln z`` per column, shape (..., n).

    ``sum_i p ln p = (sum_i z ln z) / S - ln S``. A column with ``S = 0`` (all zero)
    has no information: divergence 0. Shared by :func:`entropy_weights` and the
    batched path, so that both give bit-identical weights. ``x_log_x`` is
    overwritten with ``ln S``.

    ``minmax_informative`` says the columns are min-max values of non-constant
    columns: each holds a 1, so ``S >= 1``, and a 0, so ``1 - e >= 1 - ln(m - 1) / ln m
    > 0``; the checks for those two facts are then skipped (they would change nothing).
    ``constant`` marks columns whose divergence is set to exactly 0 before the weights
    are normalised.
    """
    if minmax_informative:
        informative = None
    else:
        informative = None if column_sum.size and column_sum.min() > 0 else column_sum > 0
    safe_sum = column_sum if informative is None else np.where(informative, column_sum, 1.0)
    divergence = np.divide(x_log_x, safe_sum, out=out)
    divergence -= np.log(safe_sum, out=x_log_x)
    # 1 - e with e = -(sum p ln p) / ln m; (-a) / b is exactly a / (-b).
    divergence /= -np.log(m)
    np.subtract(1.0, divergence, out=divergence)
    if informative is not None:
        # Not "*= informative": a NaN column (0 * inf from a span below 1e-308) must
        # get divergence 0 as before, not spread NaN to every weight.
        np.copyto(divergence, 0.0, where=~informative)
    if not minmax_informative:
        np.maximum(divergence, 0.0, out=divergence)  # rounding can leave 1 - e a hair below 0
    if constant is not None:
        np.copyto(divergence, 0.0, where=constant)
    total = np.add.reduce(divergence, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        divergence /= total
    return divergence


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
    if s.ndim == 1 and s.size >= _RANK_BY_SORTING_FROM and not np.isnan(s).any():
        # The same count as below, "scores above s + tolerance", by binary search:
        # O(m log m) instead of an m x m table (9 million pairs for 3,000 zones).
        ascending = np.sort(s)
        return 1 + (s.size - np.searchsorted(ascending, s + tolerance, side="right"))
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
    benefit = np.broadcast_to(np.asarray(is_benefit, dtype=bool), x.shape[-1:])
    score_kind = score_normalization or normalization
    for kind in (normalization, score_kind):
        if kind not in NORMALIZATIONS:
            raise ValueError(f"unknown normalization {kind!r}; allowed: {', '.join(NORMALIZATIONS)}")
    if x.ndim == 2:
        return _entropy_scores_one_table(x, benefit, normalization, score_kind, weights, lower, upper)
    batch_shape, (m, n) = x.shape[:-2], x.shape[-2:]
    n_draws = math.prod(batch_shape)
    flat_weights = None if weights is None else _per_draw(weights, batch_shape + (n,), (n_draws, n))
    flat_lower = None if lower is None else _per_draw(lower, batch_shape + (1, n), (n_draws, n))
    flat_upper = None if upper is None else _per_draw(upper, batch_shape + (1, n), (n_draws, n))
    from sim.method.batched import entropy_scores_batched

    w_out, s_out = entropy_scores_batched(
        x.reshape(n_draws, m, n), benefit, normalization, score_kind, flat_weights, flat_lower, flat_upper
    )
    return w_out.reshape(batch_shape + (n,)), s_out.reshape(batch_shape + (m,))


def _entropy_scores_one_table(x, benefit, normalization, score_kind, weights, lower, upper):
    """:func:`entropy_scores` for a single (m, n) table, through the public functions."""
    z_weights = None
    zone_range = _ZoneRange(x)
    if weights is None:
        z_weights = _normalize(x, benefit, normalization, lower, upper, zone_range)
        if lower is None and upper is None:
            # Without goalposts, normalised values are all equal only in a constant
            # column (as the batched path relies on too): the raw test is enough.
            w = _weights_of_normalized(z_weights, zone_range.constant)
        else:
            w = entropy_weights(z_weights, zone_range.constant)
    else:
        w = np.broadcast_to(np.asarray(weights, dtype=np.float64), x.shape[-1:])
    if z_weights is not None and score_kind == normalization:
        z_scores = z_weights
    else:
        z_scores = _normalize(x, benefit, score_kind, lower, upper, zone_range)
    return w, composite_scores(z_scores, w)


def _per_draw(option: ArrayLike, batch_layout: tuple[int, ...], flat_shape: tuple[int, int]) -> NDArray[np.float64]:
    """Per-draw weights or goalposts, broadcast over the batch and flattened to one row per draw."""
    return np.broadcast_to(np.asarray(option, dtype=np.float64), batch_layout).reshape(flat_shape)
