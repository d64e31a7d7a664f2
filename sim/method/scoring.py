"""The validating wrapper around :mod:`sim.method.entropy`: ids in, ids out.

:func:`score_table` checks a zones x indicators table, resolves the method's weight
mode and goalposts, calls the pure functions and labels every number with its zone
and indicator id, so no weight can land on the wrong indicator after a reorder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.errors import DataError
from sim.messages import Message, Ref, msg
from sim.method import entropy
from sim.method.options import Method
from sim.text import shown


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


def check_table(values: pd.DataFrame, meta: IndicatorMeta, label: str | Message = "") -> None:
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
        problems.append(msg("method.too_few_zones", where=where, count=len(values.index)))
    missing_columns = [i for i in meta.ids if i not in values.columns]
    if missing_columns:
        problems.append(msg("method.missing_indicators", where=where,
                            indicators=[Ref("indicator", i) for i in missing_columns[:30]]))
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
                what = msg("method.value_missing") if pd.isna(raw) else msg("method.value_not_number", value=shown(raw))
            else:
                what = msg("method.value_not_finite", value=number)
            problems.append(msg("method.bad_cell", zone=Ref("zone", str(zone)), indicator=Ref("indicator", indicator),
                                where=where, what=what))
    if problems:
        raise DataError(problems)


def _all_finite_numbers(frame: pd.DataFrame) -> bool:
    """Whether every column is numeric and every cell finite (missing counts as not)."""
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        return False
    return bool(np.isfinite(frame.to_numpy(dtype=np.float64, na_value=np.nan)).all())


def needs_reference(method: Method) -> bool:
    """Whether scoring with ``method`` needs the baseline year's table."""
    return method.goalposts == "baseline" or method.weights == "baseline"


@dataclass(frozen=True, eq=False)
class ScoringRule:
    """A method resolved for one year: everything the batched scorer needs.

    Resolving the weight mode and the goalposts once lets the engine score one
    table or a million with the same numbers (see :func:`scoring_rule`).

    Attributes
    ----------
    normalization, scoring : str
        Normalisations for the weights and for the scores.
    recompute : bool
        Entropy weights of each scored table (else ``fixed_weights``).
    fixed_weights : ndarray, shape (n,), or None
    lower, upper : ndarray, shape (1, n), or None
        Fixed goalposts (the baseline year's minimum and maximum).
    """

    normalization: str
    scoring: str
    recompute: bool
    fixed_weights: np.ndarray | None = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None

    @property
    def uses_minmax(self) -> list[str]:
        """The min-max family steps among (weights, scores), e.g. ``["minmax"]``."""
        return [k for k in (self.normalization, self.scoring) if k in ("minmax", "minmax-shift")]


def scoring_rule(
    method: Method,
    ids: list[str],
    is_benefit: np.ndarray,
    reference: np.ndarray | None = None,
    published_weights: pd.Series | None = None,
    label: str | Message = "",
) -> ScoringRule:
    """Resolve a method's weight mode and goalposts for one year.

    Parameters
    ----------
    method : Method
    ids : list of str
        Indicator ids, in column order.
    is_benefit : ndarray of bool, shape (n,)
    reference : ndarray, shape (m, n), optional
        The baseline year's table (needed when :func:`needs_reference`).
    published_weights : pandas.Series, optional
        Needed for ``weights: published``.
    label : str
        Where the table comes from, for messages.

    Raises
    ------
    DataError
        A weight mode or goalposts whose inputs are missing or unusable.
    """
    lower = upper = None
    if method.goalposts == "baseline":
        reference_x = _required_reference(reference, "goalposts")
        lower = reference_x.min(axis=0, keepdims=True)
        upper = reference_x.max(axis=0, keepdims=True)
    mode = method.weights
    fixed = None
    if mode == "baseline":
        reference_x = _required_reference(reference, "weights")
        z = entropy.normalize(reference_x, is_benefit, method.normalization)
        fixed = entropy.entropy_weights(z, entropy.constant_columns(reference_x))
        if not np.all(np.isfinite(fixed)):
            raise DataError(msg("method.baseline_all_constant"))
    elif mode == "equal":
        fixed = np.full(len(ids), 1.0 / len(ids))
    elif mode == "published":
        if published_weights is None:
            raise DataError(msg("method.no_published_weights", where=_in(label)))
        fixed = normalized_mapping(published_weights.to_dict(), ids, msg("method.published_weights"))
    elif mode != "recompute":
        fixed = normalized_mapping(method.explicit_weights or {}, ids, "method.weights")
    return ScoringRule(method.normalization, method.scoring, mode == "recompute", fixed, lower, upper)


def _required_reference(reference: np.ndarray | None, purpose: str) -> np.ndarray:
    if reference is None:
        raise DataError(msg("method.no_reference", purpose=purpose))
    return reference


@dataclass(frozen=True)
class ScoredArrays:
    """One table scored under a :class:`ScoringRule`, as arrays (see :func:`score_arrays`)."""

    weights: np.ndarray
    normalized: np.ndarray
    score_normalized: np.ndarray
    scores: np.ndarray
    warnings: list[str]
    clamped: list[tuple[str, str, str]]
    constant: np.ndarray
    ratio_fallback: np.ndarray


def score_arrays(
    x: np.ndarray,
    is_benefit: np.ndarray,
    rule: ScoringRule,
    zones: Sequence[str],
    ids: Sequence[str],
    where: str = "",
) -> ScoredArrays:
    """Score one (m, n) table and say what the reader must be told about it.

    Weights and scores come from :func:`sim.method.entropy.entropy_scores` on a batch
    of one, so they are bit-identical to the same table scored among a million; the
    normalised tables (for contributions and explanations) from
    :func:`sim.method.entropy.normalize`, the same arithmetic.

    Parameters
    ----------
    x : ndarray, shape (m, n)
        A complete, finite table (C-contiguous, so that equal tables give equal bits).
    is_benefit : ndarray of bool, shape (n,)
    rule : ScoringRule
    zones, ids : sequence of str
        Row and column ids, for the warnings.
    where : str or Message
        Suffix naming the table in messages, e.g. ``" (year 2020)"``.

    Raises
    ------
    DataError
        Entropy weights undefined (every column constant, or flattened by the goalposts).
    """
    warnings: list[str] = []
    clamped: list[tuple[str, str, str]] = []
    lower, upper = rule.lower, rule.upper
    if lower is not None:
        below, above = entropy.goalpost_clamps(x, lower, upper)
        minmax_steps = rule.uses_minmax
        for side, mask in (("below", below), ("above", above)):
            for zone_pos, ind_pos in zip(*np.nonzero(mask)):
                # A cost indicator is oriented the other way: above its maximum is the worst, 0.
                clamped_to = "0" if (side == "below") == bool(is_benefit[ind_pos]) else "1"
                # x / max (or min / x) has no floor: only a value past the best goalpost is
                # clamped under ratio; past the worst one it clamps in min-max steps only.
                if clamped_to == "0" and not minmax_steps:
                    continue
                step = "" if clamped_to == "1" or len(minmax_steps) == 2 else msg("method.clamp_step", kind=minmax_steps[0])
                zone, indicator = zones[zone_pos], ids[ind_pos]
                clamped.append((zone, indicator, side))
                warnings.append(msg(f"method.clamped_{side}", zone=Ref("zone", zone), indicator=Ref("indicator", indicator),
                                    where=where, value=float(x[zone_pos, ind_pos]), to=clamped_to, step=step))

    ratio_fallback = np.zeros(x.shape[1], dtype=bool)
    if "ratio" in (rule.normalization, rule.scoring):
        ratio_fallback = entropy.ratio_fallback_columns(x)
        for j in np.flatnonzero(ratio_fallback):
            i = int(np.argmin(x[:, j]))
            warnings.append(msg("method.ratio_fallback", indicator=Ref("indicator", ids[j]), where=where,
                                zone=Ref("zone", zones[i]), value=float(x[i, j])))

    constant = entropy.constant_columns(x)
    for j in np.flatnonzero(constant):
        key = "method.constant_recompute" if rule.recompute else "method.constant"
        warnings.append(msg(key, indicator=Ref("indicator", ids[j]), where=where))
    if rule.recompute and constant.all():
        raise DataError(msg("method.all_constant", where=where))

    normalized = entropy.normalize(x, is_benefit, rule.normalization, lower, upper) + 0.0
    if rule.scoring == rule.normalization:
        score_normalized = normalized
    else:
        score_normalized = entropy.normalize(x, is_benefit, rule.scoring, lower, upper) + 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        weights, scores = entropy.entropy_scores(
            x[None], is_benefit, rule.normalization, rule.scoring, rule.fixed_weights, lower, upper
        )
    weights, scores = weights[0], scores[0]
    if not np.all(np.isfinite(weights)):
        # Fixed goalposts can clamp every column to one value although the raw data vary.
        raise DataError(msg("method.all_clamped", where=where))
    return ScoredArrays(weights, normalized, score_normalized, scores, warnings, clamped, constant, ratio_fallback)


def score_table_of(
    scored: ScoredArrays, zones: pd.Index, ids: pd.Index, membership: np.ndarray, groups: pd.Index
) -> ScoreTable:
    """Label :func:`score_arrays`' numbers with their zone, indicator and group ids."""
    weights, score_normalized = scored.weights, scored.score_normalized
    contributions = 100.0 * score_normalized * weights
    return ScoreTable(
        weights=pd.Series(weights, index=ids, name="weight"),
        normalized=pd.DataFrame(scored.normalized, index=zones, columns=ids),
        score_normalized=pd.DataFrame(score_normalized, index=zones, columns=ids),
        scores=pd.Series(scored.scores, index=zones, name="score"),
        ranks=pd.Series(entropy.ranks(scored.scores), index=zones, name="rank"),
        # group_scores(score_normalized, weights, membership), from the contributions
        # already at hand: the same products, summed the same way.
        group_scores=pd.DataFrame(contributions @ membership, index=zones, columns=groups),
        contributions=pd.DataFrame(contributions, index=zones, columns=ids),
        warnings=list(scored.warnings),
        clamped=list(scored.clamped),
    )


def group_membership(meta: IndicatorMeta, ids: Sequence[str]) -> np.ndarray:
    """``membership[j, k]`` = 1 when indicator ``ids[j]`` belongs to group k (in display order)."""
    groups = np.array(meta.group_order, dtype=object)
    return (meta.group[list(ids)].to_numpy()[:, None] == groups[None, :]).astype(float)


def score_table(
    values: pd.DataFrame,
    meta: IndicatorMeta,
    method: Method = Method(),
    reference: pd.DataFrame | None = None,
    published_weights: pd.Series | None = None,
    label: str | Message = "",
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
        or a weight mode whose inputs are missing. A column holding a value <= 0
        under ``ratio`` is normalised by min-max instead, with a warning.
    """
    check_table(values, meta, label)
    ids = meta.ids
    table = values[ids].astype(np.float64)
    # One memory layout whatever the frame's history, so that equal tables give
    # bit-identical scores (a baseline's delta is exactly 0).
    x = np.ascontiguousarray(table.to_numpy())
    is_benefit = (meta.direction[ids] == "benefit").to_numpy()
    reference_x = _reference(reference, meta, label) if reference is not None and needs_reference(method) else None
    rule = scoring_rule(method, ids, is_benefit, reference_x, published_weights, label)
    scored = score_arrays(x, is_benefit, rule, list(table.index), ids, _in(label))
    return score_table_of(scored, table.index, pd.Index(ids), group_membership(meta, ids), pd.Index(meta.group_order))


def _reference(reference: pd.DataFrame, meta: IndicatorMeta, label: str | Message) -> np.ndarray:
    check_table(reference, meta, msg("method.baseline_for", label=label) if label else msg("method.baseline_table"))
    return reference[meta.ids].to_numpy(dtype=np.float64)


def normalized_mapping(mapping: Mapping[str, float], ids: list[str], what: str | Message) -> np.ndarray:
    """Weights from a ``{indicator: weight}`` mapping, scaled to sum 1, absent ids 0.

    Raises
    ------
    DataError
        Unknown indicator ids (with a suggestion), or no positive weight.
    """
    from sim.text import did_you_mean

    unknown = [k for k in mapping if k not in ids]
    if unknown:
        raise DataError([msg("method.weights_unknown_indicator", what=what, value=shown(k), hint=did_you_mean(k, ids))
                         for k in unknown])
    raw = np.array([float(mapping.get(i, 0.0)) for i in ids])
    total = raw.sum()
    if not np.isfinite(total) or total <= 0:
        raise DataError(msg("method.weights_invalid", what=what))
    return raw / total


def _in(label: str | Message) -> Message | str:
    """Suffix such as ' (year 2020)' for messages, or ''."""
    return msg("method.in_label", label=label) if label else ""
