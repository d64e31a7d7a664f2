"""The batched path of :func:`sim.method.entropy.entropy_scores`: many tables, one call.

Draws ``(N, m, n)`` are scored block by block in a zones-first layout, on every core
for large batches, by the same operations in the same order as the one-table path of
:mod:`sim.method.entropy` (:func:`~sim.method.entropy.normalize`,
:func:`~sim.method.entropy.entropy_weights`, :func:`~sim.method.entropy.composite_scores`),
so a draw scored in a batch has the same bits as the draw scored alone.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from sim.method.entropy import (
    _BLOCK_DRAWS,
    CONSTANT_TOLERANCE,
    SHIFT_OFFSET,
    SHIFT_SCALE,
    _constant,
    _weights_from_column_sums,
    _x_log_x,
)

#: Threads for large batches (numpy releases the GIL in every pass), and the fewest
#: draws worth a thread of their own.
_THREADS = max(1, min(os.cpu_count() or 1, 8))
_MIN_DRAWS_PER_THREAD = 4 * _BLOCK_DRAWS


def entropy_scores_batched(x, benefit, normalization, score_kind, weights, lower, upper):
    """:func:`entropy_scores` on draws ``x`` of shape (N, m, n), on every core.

    NumPy releases the GIL inside each pass, so large batches are split into one
    contiguous share per core, each scored by :func:`_score_draws` on its own thread
    into its own slice of the outputs (same operations per draw: same bits).
    """
    n_draws, m, n = x.shape
    w_out = np.empty((n_draws, n))
    s_out = np.empty((n_draws, m))
    workers = min(_THREADS, n_draws // _MIN_DRAWS_PER_THREAD)
    if workers <= 1:
        _score_draws(x, benefit, normalization, score_kind, weights, lower, upper, w_out, s_out)
        return w_out, s_out
    edges = np.linspace(0, n_draws, workers + 1).astype(int)

    def share(i: int) -> None:
        part = slice(edges[i], edges[i + 1])
        _score_draws(
            x[part], benefit, normalization, score_kind,
            None if weights is None else weights[part],
            None if lower is None else lower[part],
            None if upper is None else upper[part],
            w_out[part], s_out[part],
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(share, range(workers)))  # list(): re-raise a worker's exception here
    return w_out, s_out


def _score_draws(x, benefit, normalization, score_kind, weights, lower, upper, w_out, s_out):
    """Score draws ``x`` of shape (N, m, n) block by block into ``w_out`` and ``s_out``.

    Each block of draws is copied once into a zones-first layout (m, block, n), so
    that a zone's values for the whole block are one contiguous run. Every pass over
    the data is then one long vectorised loop: the per-column statistics (min, max,
    sums over zones, weights) are (block, n) arrays combined with one zone slab at a
    time, and the broadcasts over zones collapse to a single inner loop; in the
    draws-first layout each of those loops would be only ``n`` elements long. Blocks
    keep the working arrays in the CPU's L2 cache; all arrays are allocated once per
    call and reused.

    Every number is computed by the same operations, in the same order, as the
    one-table path (:func:`normalize`, :func:`entropy_weights`,
    :func:`composite_scores`), so the results are bit-identical to scoring each draw
    alone.
    """
    n_draws, m, n = x.shape
    block = max(1, min(_BLOCK_DRAWS, n_draws))
    work = _Workspace(m, block, n, benefit)
    fixed = lower is not None or upper is not None
    # The raw values are needed after the weights only to normalise again for scores.
    values_needed_later = weights is None and score_kind != normalization
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, n_draws, block):
            stop = min(start + block, n_draws)
            size = stop - start
            v, z = work.values[:, :size], work.normalized[:, :size]
            np.copyto(v, x[start:stop].transpose(1, 0, 2))
            data_lo = np.minimum.reduce(v, axis=0, out=work.lower[:size])
            data_hi = np.maximum.reduce(v, axis=0, out=work.upper[:size])
            lo = data_lo if lower is None else lower[start:stop]
            hi = data_hi if upper is None else upper[start:stop]
            w = w_out[start:stop]
            if weights is None:
                flat = _normalize_zones_first(v, lo, hi, normalization, fixed, work, size, out=z, data_lo=data_lo)
                constant = _weightless_columns(normalization, fixed, flat, data_lo, data_hi, z)
                # A reduction over the outermost axis adds zone after zone, as the fold
                # in entropy_weights does: same order, same bits.
                column_sum = np.add.reduce(z, axis=0, out=work.column_sum[:size])
                x_log_x = work.scratch[:, :size] if values_needed_later else v
                np.add.reduce(_x_log_x(z, out=x_log_x), axis=0, out=work.x_log_x[:size])
                _weights_from_column_sums(
                    column_sum,
                    work.x_log_x[:size],
                    m,
                    out=w,
                    minmax_informative=normalization == "minmax" and not fixed and flat is None,
                    constant=constant,
                )
                if score_kind != normalization:
                    _normalize_zones_first(v, lo, hi, score_kind, fixed, work, size, out=z, data_lo=data_lo)
            else:
                w[...] = weights[start:stop]
                _normalize_zones_first(v, lo, hi, score_kind, fixed, work, size, out=z, data_lo=data_lo)
            # (size, m, n) @ (size, n, 1): the same BLAS call composite_scores makes.
            scores = s_out[start:stop]
            np.matmul(z.transpose(1, 0, 2), w[:, :, None], out=scores[:, :, None])
            scores *= 100.0


def _weightless_columns(kind, fixed, flat, data_lo, data_hi, z):
    """The columns :func:`entropy_weights` gives exactly 0 (as the one-table path finds them).

    The one-table path marks columns whose raw data are constant (tolerance rule) or
    whose normalised values are all equal. Without goalposts the second implies the
    first, and under plain min-max a constant column is all 0 already, so the mask is
    needed only for ``minmax-shift``, ``ratio`` and fixed goalposts.
    """
    if kind == "minmax" and not fixed:
        return None
    if kind == "minmax-shift" and not fixed:
        return flat
    constant = _constant(data_lo, data_hi, data_hi - data_lo) if _any_constant(data_lo, data_hi) else None
    if fixed:
        equal = np.minimum.reduce(z, axis=0) == np.maximum.reduce(z, axis=0)
        constant = equal if constant is None else constant | equal
    return constant


def _any_constant(lo: NDArray[np.float64], hi: NDArray[np.float64], span: NDArray[np.float64] | None = None) -> bool:
    """Whether any column is constant (:func:`_constant`), with a cheap test first.

    When the smallest span exceeds the tolerance of the largest magnitude in the
    block, no column can be constant; only otherwise is every column tested.
    """
    if not lo.size:
        return False
    span = hi - lo if span is None else span
    # lo <= hi everywhere, so the largest |value| is hi's largest or lo's most negative.
    bound = CONSTANT_TOLERANCE * max(1.0, float(hi.max()), float(-lo.min()))
    if float(span.min()) > bound:
        return False
    return bool(_constant(lo, hi, span).any())


class _Workspace:
    """Arrays reused by every block of :func:`entropy_scores_batched`."""

    def __init__(self, m: int, block: int, n: int, benefit: NDArray[np.bool_]):
        self.values = np.empty((m, block, n))
        self.normalized = np.empty((m, block, n))
        self._scratch: NDArray[np.float64] | None = None
        self.shape = (m, block, n)
        self.lower, self.upper, self.column_sum, self.x_log_x, self.inverse_span, self.anchor = (
            np.empty((block, n)) for _ in range(6)
        )
        self.benefit = benefit
        self.cost_columns = np.flatnonzero(~benefit)
        self.all_benefit = len(self.cost_columns) == 0
        self.all_cost = len(self.cost_columns) == n

    @property
    def scratch(self) -> NDArray[np.float64]:
        """A third (m, block, n) array, allocated only when the raw values must be kept."""
        if self._scratch is None:
            self._scratch = np.empty(self.shape)
        return self._scratch


def _normalize_zones_first(v, lo, hi, kind, fixed, work, size, out, data_lo):
    """:func:`normalize` of a zones-first block ``v`` (m, draws, n) into ``out``.

    ``lo`` and ``hi`` are the (draws, n) goalposts, ``data_lo`` the columns' own
    minimum (for ``ratio``'s fall-back to min-max). The same arithmetic as
    :func:`normalize`, so the same bits. Call it under ``np.errstate(divide="ignore",
    invalid="ignore")``.

    Returns
    -------
    ndarray of bool or None
        For min-max: the (draws, n) mask of constant columns (scale 0), or None when
        there is none. None for ``ratio``.
    """
    flat = None
    if kind == "ratio":
        if work.all_cost:
            np.divide(lo, v, out=out)
        else:
            np.divide(v, hi, out=out)
            # Cost columns are usually few: redo each alone (a strided loop over the
            # draws) rather than a masked pass over every column.
            for j in work.cost_columns:
                np.divide(lo[:, j], v[:, :, j], out=out[:, :, j])
        if data_lo.size and not float(data_lo.min()) > 0:
            fallback = data_lo <= 0
            if fallback.any():
                minmax = np.empty_like(out)
                _normalize_zones_first(v, lo, hi, "minmax", fixed, work, size, minmax, data_lo)
                np.copyto(out, minmax, where=fallback[None, :, :])
    else:
        span = np.subtract(hi, lo, out=work.inverse_span[:size])
        if not _any_constant(lo, hi, span):
            # The usual case: no constant column.
            scale = np.divide(1.0, span, out=span)
        else:  # constant columns: scale 0, hence x' = 0
            flat = _constant(lo, hi, span)
            with np.errstate(over="ignore"):
                scale = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, span))
        if work.all_benefit:
            anchor = lo
        else:
            # Orient during the step: anchor at the max and scale by -1/span for cost.
            # Column by column: a few strided copies beat fancy indexing or a masked copy.
            anchor = work.anchor[:size]
            np.copyto(anchor, lo)
            for j in work.cost_columns:
                anchor[:, j] = hi[:, j]
                # Not np.negative: numpy 2.4.6 (AVX-512) negates the wrong elements when
                # input and output both have a stride of exactly 64 bytes (n = 8 here).
                np.multiply(scale[:, j], -1.0, out=scale[:, j])
        np.subtract(v, anchor, out=out)
        out *= scale
        if kind == "minmax-shift":
            out *= SHIFT_SCALE
            out += SHIFT_OFFSET
    if fixed:
        np.clip(out, 0.0, 1.0, out=out)
    return flat
