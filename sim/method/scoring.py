"""The validating wrapper around :mod:`sim.method.entropy`: ids in, ids out.

:func:`score_table` checks a zones x indicators table, resolves the method's weight
mode and goalposts, calls the pure functions and labels every number with its zone
and indicator id, so no weight can land on the wrong indicator after a reorder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.errors import DataError
from sim.method import entropy
from sim.method.options import Method


@dataclass(frozen=True)
class IndicatorMeta:
    """What the scorer needs to know about the indicators, keyed by id.

    Parameters
    ----------
    direction : pandas.Series
        ``"benefit"`` or ``"cost"`` per indicator id.
    group : pandas.Series
        Group id per indicator id.
    group_order : tuple of str
        Group ids in display order.
    """

    direction: pd.Series
    group: pd.Series
    group_order: tuple[str, ...]

    @property
    def ids(self) -> list[str]:
        """Indicator ids in package order."""
        return list(self.direction.index)


@dataclass(frozen=True)
class ScoreTable:
    """Everything the method computes for one table, labelled by id.

    Attributes
    ----------
    weights : pandas.Series
        Weight per indicator (fractions summing to 1).
    normalized : pandas.DataFrame
        Zones x indicators, the normalisation used for the weights.
    score_normalized : pandas.DataFrame
        Zones x indicators, the normalisation used for the scores.
    scores : pandas.Series
        Composite score per zone, points out of 100.
    ranks : pandas.Series
        Rank per zone, 1 = best, ties share the better rank.
    group_scores : pandas.DataFrame
        Zones x groups; rows add up to ``scores``.
    contributions : pandas.DataFrame
        Zones x indicators, points each indicator adds to each zone's score.
    warnings : list of str
        Things the user must be told (constant columns, clamped values).
    clamped : list of tuple
        ``(zone, indicator, "below" | "above")`` for values beyond fixed goalposts.
    """

    weights: pd.Series
    normalized: pd.DataFrame
    score_normalized: pd.DataFrame
    scores: pd.Series
    ranks: pd.Series
    group_scores: pd.DataFrame
    contributions: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    clamped: list[tuple[str, str, str]] = field(default_factory=list)


def check_table(values: pd.DataFrame, meta: IndicatorMeta, label: str = "") -> None:
    """Raise :class:`DataError` unless ``values`` is a complete, finite numeric table.

    Parameters
    ----------
    values : pandas.DataFrame
        Zones (index) x indicator ids (columns).
    meta : IndicatorMeta
    label : str
        Where the table comes from, e.g. ``"year 2020"``, for the messages.
    """
    where = _in(label)
    problems = []
    if len(values.index) < 2:
        problems.append(f"the entropy method needs at least 2 zones{where}; got {len(values.index)}")
    missing_columns = [i for i in meta.ids if i not in values.columns]
    if missing_columns:
        problems.append(f"indicators missing from the table{where}: {', '.join(missing_columns)}")
    present = [i for i in meta.ids if i in values.columns]
    if _all_finite_numbers(values[present]):
        present = []  # the usual case, checked in one vectorised pass
    for indicator in present:
        raw_column = values[indicator]
        numbers = pd.to_numeric(raw_column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        # Find the bad cells in one vectorised test; only they are visited one by one
        # (a cell-by-cell loop took most of a second on a 3,000 x 200 table).
        for position in np.flatnonzero(~np.isfinite(numbers)):
            zone, raw, number = values.index[position], raw_column.iloc[position], numbers[position]
            if np.isnan(number):
                what = "missing" if pd.isna(raw) else f"not a number ({raw!r})"
                problems.append(f"zone {zone}, indicator {indicator}{where}: value {what}")
            else:
                problems.append(f"zone {zone}, indicator {indicator}{where}: value {number} is not finite")
    if problems:
        raise DataError(problems)


def _all_finite_numbers(frame: pd.DataFrame) -> bool:
    """Whether every column is numeric and every cell finite (missing counts as not)."""
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        return False
    return bool(np.isfinite(frame.to_numpy(dtype=np.float64, na_value=np.nan)).all())


def score_table(
    values: pd.DataFrame,
    meta: IndicatorMeta,
    method: Method = Method(),
    reference: pd.DataFrame | None = None,
    published_weights: pd.Series | None = None,
    label: str = "",
) -> ScoreTable:
    """Score one zones x indicators table with the entropy weight method.

    Parameters
    ----------
    values : pandas.DataFrame
        Zones (index) x indicator ids (columns), raw values.
    meta : IndicatorMeta
        Direction and group of every indicator.
    method : Method
        Normalisation, weights and goalposts.
    reference : pandas.DataFrame, optional
        The baseline year's table; needed for ``weights="baseline"`` and
        ``goalposts="baseline"``.
    published_weights : pandas.Series, optional
        Weights per indicator id; needed for ``weights="published"``.
    label : str
        Where the table comes from (e.g. ``"year 2020"``), used in messages.

    Returns
    -------
    ScoreTable

    Raises
    ------
    DataError
        Missing or non-finite values, fewer than 2 zones, every column constant,
        a value <= 0 under ``ratio``, or a weight mode whose inputs are missing.
    """
    check_table(values, meta, label)
    ids = meta.ids
    table = values[ids].astype(np.float64)
    # One memory layout whatever the frame's history, so that equal tables give
    # bit-identical scores (a baseline's delta is exactly 0).
    x = np.ascontiguousarray(table.to_numpy())
    is_benefit = (meta.direction[ids] == "benefit").to_numpy()
    where = _in(label)
    warnings: list[str] = []

    lower = upper = None
    clamped: list[tuple[str, str, str]] = []
    if method.goalposts == "baseline":
        reference_x = _reference(reference, meta, "goalposts", label)
        lower = reference_x.min(axis=0, keepdims=True)
        upper = reference_x.max(axis=0, keepdims=True)
        below, above = entropy.goalpost_clamps(x, lower, upper)
        minmax_steps = [k for k in (method.normalization, method.scoring) if k in ("minmax", "minmax-shift")]
        for side, mask in (("below", below), ("above", above)):
            for zone_pos, ind_pos in zip(*np.nonzero(mask)):
                zone, indicator = table.index[zone_pos], ids[ind_pos]
                bound = "minimum" if side == "below" else "maximum"
                # A cost indicator is oriented the other way: above its maximum is the worst, 0.
                clamped_to = "0" if (side == "below") == bool(is_benefit[ind_pos]) else "1"
                # x / max (or min / x) has no floor: only a value past the best goalpost is
                # clamped under ratio; past the worst one it clamps in min-max steps only.
                if clamped_to == "0" and not minmax_steps:
                    continue
                step = "" if clamped_to == "1" or len(minmax_steps) == 2 else f" in the {minmax_steps[0]} step"
                clamped.append((zone, indicator, side))
                warnings.append(
                    f"{zone} {indicator}{where}: {x[zone_pos, ind_pos]:g} is {side} the baseline {bound} "
                    f"and was clamped to {clamped_to}{step} (fixed goalposts)"
                )

    for kind in {method.normalization, method.scoring}:
        if kind == "ratio":
            _check_positive(table, label)

    span = x.max(axis=0) - x.min(axis=0)
    constant = [ids[j] for j in np.nonzero(span == 0)[0]]
    for indicator in constant:
        warnings.append(
            f"indicator {indicator}{where} has the same value for every zone: it carries no information and gets weight 0"
            if method.weights == "recompute"
            else f"indicator {indicator}{where} has the same value for every zone"
        )

    normalized = entropy.normalize(x, is_benefit, method.normalization, lower, upper) + 0.0
    weights = _resolve_weights(method, normalized, meta, reference, published_weights, label)
    if method.weights == "recompute" and len(constant) == len(ids):
        raise DataError(f"every indicator has the same value for every zone{where}: the entropy weights are undefined")
    if not np.all(np.isfinite(weights)):
        # Fixed goalposts can clamp every column to one value although the raw data vary.
        raise DataError(
            f"after clamping to the baseline goalposts, every indicator has the same normalised value for every "
            f"zone{where}: the entropy weights are undefined"
        )
    if method.scoring == method.normalization:
        score_normalized = normalized
    else:
        score_normalized = entropy.normalize(x, is_benefit, method.scoring, lower, upper) + 0.0
    scores = entropy.composite_scores(score_normalized, weights)
    membership = (meta.group[ids].to_numpy()[:, None] == np.array(meta.group_order, dtype=object)[None, :]).astype(float)

    contributions = 100.0 * score_normalized * weights
    zones = table.index
    return ScoreTable(
        weights=pd.Series(weights, index=ids, name="weight"),
        normalized=pd.DataFrame(normalized, index=zones, columns=ids),
        score_normalized=pd.DataFrame(score_normalized, index=zones, columns=ids),
        scores=pd.Series(scores, index=zones, name="score"),
        ranks=pd.Series(entropy.ranks(scores), index=zones, name="rank"),
        # group_scores(score_normalized, weights, membership), from the contributions
        # already at hand: the same products, summed the same way.
        group_scores=pd.DataFrame(contributions @ membership, index=zones, columns=list(meta.group_order)),
        contributions=pd.DataFrame(contributions, index=zones, columns=ids),
        warnings=warnings,
        clamped=clamped,
    )


def _reference(reference: pd.DataFrame | None, meta: IndicatorMeta, purpose: str, label: str) -> np.ndarray:
    if reference is None:
        raise DataError(f"{purpose}: 'baseline' needs the baseline year's table, and none was given")
    check_table(reference, meta, f"baseline for {label}" if label else "baseline")
    return reference[meta.ids].to_numpy(dtype=np.float64)


def _check_positive(table: pd.DataFrame, label: str) -> None:
    where = _in(label)
    not_positive = table.to_numpy() <= 0
    if not not_positive.any():
        return
    bad = [
        f"zone {table.index[i]}, indicator {indicator}{where}: value {table.iat[i, j]:g} must be > 0 "
        "under the 'ratio' normalization"
        for j, indicator in enumerate(table.columns)
        for i in np.flatnonzero(not_positive[:, j])
    ]
    if bad:
        raise DataError(bad)


def _resolve_weights(
    method: Method,
    normalized: np.ndarray,
    meta: IndicatorMeta,
    reference: pd.DataFrame | None,
    published_weights: pd.Series | None,
    label: str,
) -> np.ndarray:
    """The weight vector (in ``meta.ids`` order) the method asks for."""
    ids = meta.ids
    mode = method.weights
    if mode == "recompute":
        return _entropy_weights_of_table(normalized)
    if mode == "baseline":
        reference_x = _reference(reference, meta, "weights", label)
        is_benefit = (meta.direction[ids] == "benefit").to_numpy()
        weights = _entropy_weights_of_table(entropy.normalize(reference_x, is_benefit, method.normalization))
        if not np.all(np.isfinite(weights)):
            raise DataError("weights: 'baseline': every indicator is constant in the baseline year")
        return weights
    if mode == "equal":
        return np.full(len(ids), 1.0 / len(ids))
    if mode == "published":
        if published_weights is None:
            raise DataError(f"weights: 'published' needs published weights, and this data set has none{_in(label)}")
        return normalized_mapping(published_weights.to_dict(), ids, "published weights")
    return normalized_mapping(method.explicit_weights or {}, ids, "method.weights")


def _entropy_weights_of_table(normalized: np.ndarray) -> np.ndarray:
    """Entropy weights of one table, with every constant column at exactly 0.

    Under ``minmax-shift`` a constant column is 0.01 everywhere, and rounding leaves
    its entropy a few ulp below 1 (a weight near 1e-15); DESIGN promises 0.
    """
    weights = entropy.entropy_weights(normalized)
    constant = np.ptp(normalized, axis=0) == 0
    if constant.any() and not constant.all():
        weights = np.where(constant, 0.0, weights)
        weights = weights / weights.sum()
    return weights


def normalized_mapping(mapping: Mapping[str, float], ids: list[str], what: str) -> np.ndarray:
    """Weights from a ``{indicator: weight}`` mapping, scaled to sum 1, absent ids 0.

    Raises
    ------
    DataError
        Unknown indicator ids (with a suggestion), or no positive weight.
    """
    from sim.text import did_you_mean

    unknown = [k for k in mapping if k not in ids]
    if unknown:
        raise DataError([f"{what}: unknown indicator {k!r}{did_you_mean(k, ids)}" for k in unknown])
    raw = np.array([float(mapping.get(i, 0.0)) for i in ids])
    total = raw.sum()
    if not np.isfinite(total) or total <= 0:
        raise DataError(f"{what}: the weights must be finite, >= 0 and sum to more than 0")
    return raw / total


def _in(label: str) -> str:
    """Suffix such as ' (year 2020)' for messages, or ''."""
    return f" ({label})" if label else ""
