"""The engine's arithmetic on arrays: changes, links, rounding and range checks.

Every function here works on tables shaped ``(..., m, n)`` (``m`` zones, ``n``
indicators, any leading batch axes: one scenario, a plan's years, an analysis'
thousands of variants) and knows nothing about ids or files: :mod:`sim.engine.compiled`
turns a scenario into these arrays, :mod:`sim.engine.run` explains the result.

The order is DESIGN section 4's:

1. **changes** (:class:`Edit`, :func:`apply_edits`): interventions in file order, then an
   analysis' own changes; each edit changes some cells of some tables of the batch;
2. **links** (:func:`propagate_links`), once, in dependency order, each measured against
   the ``base`` table (the baseline year's, or each year's of a plan);
3. **counts** rounded half away from zero (:func:`round_counts`);
4. **range checks** (:func:`in_range`).

:func:`finish` runs 2-4 and says which tables of the batch are valid.

Examples
--------
>>> import numpy as np
>>> base = np.array([[100.0, 2.0], [200.0, 4.0]])
>>> tables = base[None].copy()  # a batch of one
>>> edit = Edit.uniform(rows=[0], cols=[0], kind="percent", value=50.0)
>>> _ = apply_edits(tables, [edit])
>>> trace = propagate_links(tables, base, [LinkRule(0, 1, elasticity=1.0)])
>>> tables[0].tolist()
[[150.0, 3.0], [200.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sim.data import MAX_ABS_VALUE

#: Change kinds of an :class:`Edit`: ``by: +x%``, ``by: amount``, ``to: value``.
PERCENT, AMOUNT, TO = 0, 1, 2
KINDS = {"percent": PERCENT, "amount": AMOUNT, "to": TO}


@dataclass(frozen=True, eq=False)
class Edit:
    """One round of cell changes, at most one change per cell, applied together.

    Changes to distinct cells commute, so consecutive interventions that touch
    distinct cells can share one round (see :func:`sim.engine.compiled.edits_of`).

    Attributes
    ----------
    rows, cols : ndarray of int, shape (k,)
        The cells changed.
    kinds : ndarray of int, shape (k,)
        :data:`PERCENT`, :data:`AMOUNT` or :data:`TO` per cell.
    values : ndarray of float, shape (k,), or (B, k) when ``draws`` is None
        The percentage, the amount or the new value (per table of the batch, for an
        analysis that moves the same cells by different amounts in each table).
    draws : ndarray of int, shape (k,), or None
        The table of the (flattened) batch each change applies to; None: every table
        (a scenario's interventions, a plan's change active in every year).
    sources : ndarray of int, shape (k,)
        Where each change comes from (the intervention's position in its scenario, or
        -1), for the explanations.
    """

    rows: np.ndarray
    cols: np.ndarray
    kinds: np.ndarray
    values: np.ndarray
    draws: np.ndarray | None = None
    sources: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @classmethod
    def uniform(
        cls,
        rows: Sequence[int],
        cols: Sequence[int],
        kind: str,
        value: float,
        source: int = -1,
        draws: Sequence[int] | None = None,
    ) -> Edit:
        """Every (row, col) pair changed the same way (one intervention)."""
        r, c = np.meshgrid(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), indexing="ij")
        k = r.size
        return cls(
            rows=r.ravel(),
            cols=c.ravel(),
            kinds=np.full(k, KINDS[kind], dtype=np.int8),
            values=np.full(k, float(value)),
            draws=None if draws is None else np.asarray(draws, dtype=np.int64),
            sources=np.full(k, source, dtype=np.int64),
        )


def changed_values(old: np.ndarray, kinds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """New values of cells: ``old * (1 + v / 100)``, ``old + v`` or ``v``, per kind.

    The same floating-point operations as :meth:`sim.scenario.Intervention.new_value`,
    element by element, so a change gives the same bits whatever the batch.
    """
    first = _single_kind(kinds)
    if first == PERCENT:
        return old * (1.0 + values / 100.0)
    if first == AMOUNT:
        return old + values
    if first == TO:
        return np.broadcast_to(values, old.shape)
    return np.where(kinds == TO, values, np.where(kinds == PERCENT, old * (1.0 + values / 100.0), old + values))


def _single_kind(kinds: np.ndarray) -> int | None:
    """The one kind of every change of an edit, or None when they are mixed."""
    if not len(kinds):
        return AMOUNT
    first = int(kinds[0])
    return first if len(kinds) == 1 or (kinds == first).all() else None


def apply_edits(tables: np.ndarray, edits: Iterable[Edit]) -> np.ndarray:
    """Apply edits in order to ``tables`` (shape (..., m, n), C-contiguous; modified in place and returned)."""
    if not tables.flags.c_contiguous:  # pragma: no cover - callers pass fresh arrays
        raise ValueError("apply_edits needs a C-contiguous array")
    flat = tables.reshape((-1,) + tables.shape[-2:])
    for edit in edits:
        cells = (slice(None) if edit.draws is None else edit.draws, edit.rows, edit.cols)
        if _single_kind(edit.kinds) == TO:
            flat[cells] = edit.values  # a new value: the old one is not needed
        else:
            flat[cells] = changed_values(flat[cells], edit.kinds, edit.values)
    return tables


@dataclass(frozen=True)
class LinkRule:
    """A link as column positions: ``target`` follows ``source`` (see :mod:`sim.links`)."""

    source: int
    target: int
    elasticity: float | None = None
    additive: float | None = None


@dataclass
class LinkTrace:
    """What each link did, per table and zone (shape (..., m) each, in link order).

    Attributes
    ----------
    fired : list of ndarray of bool
        The link's source differs from the base table, so the target was moved.
    undefined : list of (ndarray of bool or None)
        An elasticity met a source of 0 in the base table (a relative change is
        undefined there): the target was left as it was, and the table is invalid.
        None for an additive link (always defined).
    """

    fired: list[np.ndarray] = field(default_factory=list)
    undefined: list[np.ndarray] = field(default_factory=list)

    def any_undefined(self) -> np.ndarray | None:
        """Per table: whether some link was undefined (None: no elasticity link, so never)."""
        out = None
        for mask in self.undefined:
            if mask is not None:
                hit = mask.any(axis=-1)
                out = hit if out is None else out | hit
        return out


def propagate_links(tables: np.ndarray, base: np.ndarray, links: Sequence[LinkRule]) -> LinkTrace:
    """Apply links once, in the given (dependency) order, to ``tables`` in place.

    Parameters
    ----------
    tables : ndarray, shape (..., m, n)
        Values after the changes.
    base : ndarray, shape (m, n) or broadcastable to ``tables``
        The table a link's change is measured against.
    links : sequence of LinkRule

    Returns
    -------
    LinkTrace
    """
    trace = LinkTrace()
    for link in links:
        before = base[..., link.source]
        after = tables[..., link.source]
        changed = after != before
        target = tables[..., link.target]
        if link.elasticity is not None:
            zero = changed & (before == 0)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                factor = 1.0 + link.elasticity * (after / before - 1.0)
                moved = target * factor
            tables[..., link.target] = np.where(changed & ~zero, moved, target)
            trace.undefined.append(zero)
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                moved = target + link.additive * (after - before)
            tables[..., link.target] = np.where(changed, moved, target)
            trace.undefined.append(None)
        trace.fired.append(changed)
    return trace


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Whole numbers, half away from zero (4.5 -> 5, -4.5 -> -5), as counts are rounded; no -0."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5) + 0.0


def round_counts(tables: np.ndarray, is_integer: np.ndarray) -> np.ndarray:
    """Round the count columns half away from zero, in place; return the values before.

    Returns
    -------
    ndarray, shape (..., m, k)
        The count columns before rounding (``k`` = number of counts).
    """
    if not is_integer.any():
        return tables[..., :0]
    counts = tables[..., is_integer]
    with np.errstate(invalid="ignore"):
        tables[..., is_integer] = round_half_away(counts)
    return counts


def in_range(tables: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Cells within their indicator's valid range and the range this tool handles.

    Parameters
    ----------
    tables : ndarray, shape (..., m, n)
    low, high : ndarray, shape (n,)
        The valid range intersected with ``[-MAX_ABS_VALUE, MAX_ABS_VALUE]`` (see
        :attr:`TableRules.low`), as :func:`sim.data.range_problems` checks it.

    Returns
    -------
    ndarray of bool, shape (..., m, n)
        False also for NaN and infinite values.
    """
    ok = tables >= low
    ok &= tables <= high
    return ok


@dataclass(frozen=True, eq=False)
class TableRules:
    """What the engine knows about a package's columns, as arrays.

    Attributes
    ----------
    is_integer : ndarray of bool, shape (n,)
        Counts (rounded to whole numbers).
    col_min, col_max : ndarray, shape (n,)
        Valid range (``-inf`` / ``inf`` when unbounded).
    links : tuple of LinkRule
        In the order they are applied (dependency order).
    """

    is_integer: np.ndarray
    col_min: np.ndarray
    col_max: np.ndarray
    links: tuple[LinkRule, ...] = ()

    @cached_property
    def low(self) -> np.ndarray:
        """The smallest value accepted per column: its minimum, and at least -MAX_ABS_VALUE."""
        return np.maximum(self.col_min, -MAX_ABS_VALUE)

    @cached_property
    def high(self) -> np.ndarray:
        """The largest value accepted per column: its maximum, and at most MAX_ABS_VALUE."""
        return np.minimum(self.col_max, MAX_ABS_VALUE)


@dataclass
class Finished:
    """What :func:`finish` did to a batch (for validity and for the explanations)."""

    links: LinkTrace
    before_rounding: np.ndarray
    in_range: np.ndarray
    valid: np.ndarray


def finish(tables: np.ndarray, base: np.ndarray, rules: TableRules, relax: bool = False) -> Finished:
    """Links, rounding and range checks for tables whose changes are applied (in place).

    Parameters
    ----------
    tables : ndarray, shape (..., m, n)
    base : ndarray, shape (m, n) or broadcastable
        The table links measure changes against.
    rules : TableRules
    relax : bool
        Skip the rounding of counts (a continuous relaxation, for optimisers).

    Returns
    -------
    Finished
        ``valid`` (shape of the batch): False where the engine refuses the table.
    """
    links = propagate_links(tables, base, rules.links)
    before = tables[..., :0] if relax else round_counts(tables, rules.is_integer)
    ok = in_range(tables, rules.low, rules.high)
    valid = ok.all(axis=(-2, -1))
    undefined = links.any_undefined()
    if undefined is not None:
        valid &= ~undefined
    return Finished(links=links, before_rounding=before, in_range=ok, valid=valid)
