"""The entropy weight method (DESIGN section 2): golden numbers, an independent
implementation, properties, and the edge cases.

Tolerances are explicit: 1e-12 where the numbers are computed two ways in floating
point (the golden and scikit-criteria comparisons), looser only where a property
compares two different float computations of data that was itself transformed
(affine changes, permutations), as each test says.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.errors import DataError, SimError
from sim.method import entropy
from sim.method.entropy import (
    composite_scores,
    entropy_scores,
    entropy_weights,
    group_scores,
    normalize,
    ranks,
)
from sim.method.options import Method, method_from_mapping
from sim.method.scoring import IndicatorMeta, score_table

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_meta(directions: dict[str, str], groups: dict[str, str] | None = None) -> IndicatorMeta:
    """IndicatorMeta for ids in the given order; every indicator in group ``g`` unless told."""
    groups = groups or {indicator: "g" for indicator in directions}
    return IndicatorMeta(
        direction=pd.Series(directions),
        group=pd.Series(groups),
        group_order=tuple(dict.fromkeys(groups.values())),
    )


def make_table(values: np.ndarray, indicator_ids: list[str] | None = None) -> pd.DataFrame:
    m, n = values.shape
    return pd.DataFrame(
        values,
        index=[f"zone_{i}" for i in range(m)],
        columns=indicator_ids or [f"ind_{j}" for j in range(n)],
    )


# =====================================================================================
# 1. A hand-worked example: 3 zones x 2 indicators, one of them a cost indicator.
# =====================================================================================
#
# Zones a, b, c. ``output`` (benefit): 10, 20, 40. ``pollution`` (cost): 5, 3, 4.
#
# Min-max, oriented during the step:
#   output:    (x - 10) / 30 -> 0, 1/3, 1      column sum 4/3 -> p = 0, 1/4, 3/4
#   pollution: (5 - x) / 2   -> 0, 1,   1/2    column sum 3/2 -> p = 0, 2/3, 1/3
#
# Entropies, with 0 ln 0 = 0 and r = ln 2 / ln 3:
#   e_out = -(1/ln 3)(1/4 ln 1/4 + 3/4 ln 3/4) = (1/ln 3)(ln 4 - 3/4 ln 3) = 2r - 3/4
#   e_pol = -(1/ln 3)(2/3 ln 2/3 + 1/3 ln 1/3) = (1/ln 3)(ln 3 - 2/3 ln 2) = 1 - 2r/3
# Divergences: d_out = 7/4 - 2r, d_pol = 2r/3, D = d_out + d_pol = 7/4 - 4r/3.
#   w_out = (7/4 - 2r) / D = 0.5371498705543878...,  w_pol = (2r/3) / D = 0.4628501294456121...
# Scores s = 100 (w_out x'_out + w_pol x'_pol):
#   a: 0
#   b: 100 (w_out / 3 + w_pol)   = 100 (7/12) / D          = 64.19000862970747...
#   c: 100 (w_out + w_pol / 2)   = 100 (7/4 - 5r/3) / D    = 76.85749352771939...
# Ranks: c 1, b 2, a 3.
# With scores on x / max (cost: min / x): output 1/4, 1/2, 1; pollution 3/5, 1, 3/4:
#   s = 100 (w_out [1/4, 1/2, 1] + w_pol [3/5, 1, 3/4]) = 41.19975453059642..., 73.14250647228060..., 88.42874676385969...

HAND_VALUES = np.array([[10.0, 5.0], [20.0, 3.0], [40.0, 4.0]])
HAND_IS_BENEFIT = np.array([True, False])
_R = math.log(2) / math.log(3)
_D = 7 / 4 - 4 * _R / 3
HAND_NORMALIZED = np.array([[0.0, 0.0], [1 / 3, 1.0], [1.0, 0.5]])
HAND_WEIGHTS = np.array([(7 / 4 - 2 * _R) / _D, (2 * _R / 3) / _D])
HAND_SCORES = np.array([0.0, 100 * (7 / 12) / _D, 100 * (7 / 4 - 5 * _R / 3) / _D])
HAND_RATIO_SCORES = 100 * (HAND_WEIGHTS[0] * np.array([1 / 4, 1 / 2, 1]) + HAND_WEIGHTS[1] * np.array([3 / 5, 1, 3 / 4]))
HAND_TOLERANCE = 1e-12


def test_hand_example_closed_forms_match_the_definition_in_30_digit_decimals():
    """Guard the derivation itself: steps 2-5 of DESIGN section 2 in exact-ish decimal
    arithmetic (30 digits), from the normalised values, against the closed forms."""
    getcontext().prec = 30
    columns = [[Decimal(0), Decimal(1) / 3, Decimal(1)], [Decimal(0), Decimal(1), Decimal(1) / 2]]
    divergences = []
    for column in columns:
        total = sum(column)
        shares = [value / total for value in column]
        entropy_value = -sum(p * p.ln() for p in shares if p > 0) / Decimal(3).ln()
        divergences.append(1 - entropy_value)
    weights = [d / sum(divergences) for d in divergences]
    scores = [100 * sum(w * column[zone] for w, column in zip(weights, columns)) for zone in range(3)]
    assert HAND_WEIGHTS == pytest.approx([float(w) for w in weights], rel=0, abs=1e-15)
    assert HAND_SCORES == pytest.approx([float(s) for s in scores], rel=0, abs=1e-13)
    assert HAND_WEIGHTS == pytest.approx([0.537149870554387819, 0.462850129445612181], rel=0, abs=1e-15)
    assert HAND_SCORES == pytest.approx([0.0, 64.1900086297074787, 76.8574935277193909], rel=0, abs=1e-13)
    assert HAND_RATIO_SCORES == pytest.approx([41.1997545305964263, 73.1425064722806091, 88.4287467638596955], abs=1e-13)


def test_hand_example_through_the_pure_functions():
    z = normalize(HAND_VALUES, HAND_IS_BENEFIT)
    np.testing.assert_allclose(z, HAND_NORMALIZED, rtol=0, atol=HAND_TOLERANCE)
    w = entropy_weights(z)
    np.testing.assert_allclose(w, HAND_WEIGHTS, rtol=0, atol=HAND_TOLERANCE)
    np.testing.assert_allclose(composite_scores(z, w), HAND_SCORES, rtol=0, atol=HAND_TOLERANCE)
    assert ranks(composite_scores(z, w)).tolist() == [3, 2, 1]
    weights, scores = entropy_scores(HAND_VALUES, HAND_IS_BENEFIT)
    np.testing.assert_allclose(weights, HAND_WEIGHTS, rtol=0, atol=HAND_TOLERANCE)
    np.testing.assert_allclose(scores, HAND_SCORES, rtol=0, atol=HAND_TOLERANCE)
    _, ratio_scores = entropy_scores(HAND_VALUES, HAND_IS_BENEFIT, score_normalization="ratio")
    np.testing.assert_allclose(ratio_scores, HAND_RATIO_SCORES, rtol=0, atol=HAND_TOLERANCE)


def test_hand_example_through_score_table():
    meta = make_meta({"output": "benefit", "pollution": "cost"}, {"output": "economy", "pollution": "environment"})
    table = pd.DataFrame(HAND_VALUES, index=["a", "b", "c"], columns=["output", "pollution"])
    result = score_table(table, meta)
    np.testing.assert_allclose(result.weights[["output", "pollution"]], HAND_WEIGHTS, rtol=0, atol=HAND_TOLERANCE)
    np.testing.assert_allclose(result.scores[["a", "b", "c"]], HAND_SCORES, rtol=0, atol=HAND_TOLERANCE)
    assert result.ranks.to_dict() == {"a": 3, "b": 2, "c": 1}
    np.testing.assert_allclose(
        result.group_scores["economy"], 100 * HAND_WEIGHTS[0] * HAND_NORMALIZED[:, 0], rtol=0, atol=HAND_TOLERANCE
    )
    np.testing.assert_allclose(
        result.group_scores["environment"], 100 * HAND_WEIGHTS[1] * HAND_NORMALIZED[:, 1], rtol=0, atol=HAND_TOLERANCE
    )
    ratio = score_table(table, meta, Method(score_normalization="ratio"))
    np.testing.assert_allclose(ratio.weights[["output", "pollution"]], HAND_WEIGHTS, rtol=0, atol=HAND_TOLERANCE)
    np.testing.assert_allclose(ratio.scores[["a", "b", "c"]], HAND_RATIO_SCORES, rtol=0, atol=HAND_TOLERANCE)
    assert result.warnings == [] and result.clamped == []


def test_hand_example_is_keyed_by_id_not_position():
    """Columns given in another order than the metadata: weights still land on the right ids."""
    meta = make_meta({"output": "benefit", "pollution": "cost"})
    table = pd.DataFrame(HAND_VALUES[:, ::-1], index=["a", "b", "c"], columns=["pollution", "output"])
    result = score_table(table, meta)
    assert result.weights["output"] == pytest.approx(HAND_WEIGHTS[0], abs=HAND_TOLERANCE)
    assert result.weights["pollution"] == pytest.approx(HAND_WEIGHTS[1], abs=HAND_TOLERANCE)
    np.testing.assert_allclose(result.scores[["a", "b", "c"]], HAND_SCORES, rtol=0, atol=HAND_TOLERANCE)


# =====================================================================================
# 2. Agreement with an independent implementation: scikit-criteria, 200 seeded tables.
# =====================================================================================

skcriteria = pytest.importorskip("skcriteria")
from skcriteria.agg.simple import WeightedSumModel  # noqa: E402
from skcriteria.preprocessing.invert_objectives import BenefitCostInverter, MinMaxInverter  # noqa: E402
from skcriteria.preprocessing.weighters import EntropyWeighter  # noqa: E402

SKCRITERIA_TABLES = 200
SKCRITERIA_TOLERANCE = 1e-12


def random_tables(seed: int, count: int):
    """Seeded positive tables of varied shape, scale, ties and directions; no constant column
    (scikit-criteria's entropy of an all-zero column is NaN, ours is weight 0)."""
    rng = np.random.default_rng(seed)
    produced = 0
    while produced < count:
        m, n = int(rng.integers(2, 13)), int(rng.integers(1, 31))
        values = rng.lognormal(mean=0.0, sigma=1.5, size=(m, n)) * 10.0 ** rng.integers(-3, 5, size=n)
        counts = rng.random(n) < 0.3  # whole numbers: ties within a column
        values[:, counts] = np.round(values[:, counts]) + 1.0
        if np.any(values.max(axis=0) == values.min(axis=0)):
            continue
        produced += 1
        yield values, rng.random(n) < 0.7


def skcriteria_scores(matrix, objectives, weights=None, inverter=None):
    """Weights and scores (0..1) from scikit-criteria: [inverter ->] [EntropyWeighter ->] WeightedSumModel."""
    dm = skcriteria.mkdm(matrix, objectives=objectives, weights=weights)
    if inverter is not None:
        dm = inverter.transform(dm)
    if weights is None:
        dm = EntropyWeighter().transform(dm)
    result = WeightedSumModel().evaluate(dm)
    return dm.weights.to_numpy(), np.asarray(result.e_.score, dtype=float)


def test_agrees_with_skcriteria_fed_our_minmax_matrix():
    """Our min-max matrix as all-maximise criteria -> EntropyWeighter -> WeightedSumModel."""
    for values, is_benefit in random_tables(seed=20240601, count=SKCRITERIA_TABLES):
        z = normalize(values, is_benefit)
        their_weights, their_scores = skcriteria_scores(z, [max] * z.shape[1])
        weights, scores = entropy_scores(values, is_benefit)
        np.testing.assert_allclose(weights, their_weights, rtol=0, atol=SKCRITERIA_TOLERANCE)
        np.testing.assert_allclose(scores / 100.0, their_scores, rtol=0, atol=SKCRITERIA_TOLERANCE)


def test_agrees_with_skcriteria_from_raw_values():
    """Raw values with objectives -> MinMaxInverter -> EntropyWeighter -> WeightedSumModel: checks
    our normalisation (cost orientation included) as well; then scores on x / max with
    BenefitCostInverter and the same weights (the shipped package's convention)."""
    for values, is_benefit in random_tables(seed=20240602, count=SKCRITERIA_TABLES):
        objectives = [max if benefit else min for benefit in is_benefit]
        their_weights, their_scores = skcriteria_scores(values, objectives, inverter=MinMaxInverter())
        _, their_ratio_scores = skcriteria_scores(
            values, objectives, weights=their_weights, inverter=BenefitCostInverter()
        )
        weights, scores = entropy_scores(values, is_benefit)
        _, ratio_scores = entropy_scores(values, is_benefit, score_normalization="ratio")
        np.testing.assert_allclose(weights, their_weights, rtol=0, atol=SKCRITERIA_TOLERANCE)
        np.testing.assert_allclose(scores / 100.0, their_scores, rtol=0, atol=SKCRITERIA_TOLERANCE)
        np.testing.assert_allclose(ratio_scores / 100.0, their_ratio_scores, rtol=0, atol=SKCRITERIA_TOLERANCE)


def test_score_table_agrees_with_skcriteria():
    """The validating wrapper gives the same numbers as the pure path (on a sample)."""
    for values, is_benefit in random_tables(seed=20240603, count=40):
        ids = [f"ind_{j}" for j in range(values.shape[1])]
        meta = make_meta({i: "benefit" if b else "cost" for i, b in zip(ids, is_benefit)})
        result = score_table(make_table(values, ids), meta)
        objectives = [max if benefit else min for benefit in is_benefit]
        their_weights, their_scores = skcriteria_scores(values, objectives, inverter=MinMaxInverter())
        np.testing.assert_allclose(result.weights.to_numpy(), their_weights, rtol=0, atol=SKCRITERIA_TOLERANCE)
        np.testing.assert_allclose(result.scores.to_numpy() / 100.0, their_scores, rtol=0, atol=SKCRITERIA_TOLERANCE)


# =====================================================================================
# 3. Properties (hypothesis).
# =====================================================================================


@st.composite
def tables(draw, min_zones=2, max_zones=8, max_indicators=6, positive=False):
    """(values, is_benefit): values on a grid of whole numbers times a power of ten, so that
    every non-constant column has a span well above rounding noise."""
    m = draw(st.integers(min_zones, max_zones))
    n = draw(st.integers(1, max_indicators))
    low = 1 if positive else -1000
    grid = draw(hnp.arrays(np.int64, (m, n), elements=st.integers(low, 1000)))
    scale = 10.0 ** draw(st.integers(-3, 3))
    is_benefit = draw(hnp.arrays(np.bool_, n))
    return grid.astype(np.float64) * scale, is_benefit


def informative(values: np.ndarray) -> bool:
    return bool(np.any(values.max(axis=0) > values.min(axis=0)))


@PROPERTY_SETTINGS
@given(table=tables(positive=True), kind=st.sampled_from(entropy.NORMALIZATIONS))
def test_weights_are_non_negative_and_sum_to_one(table, kind):
    values, is_benefit = table
    assume(informative(values))
    weights = entropy_weights(normalize(values, is_benefit, kind))
    assert np.all(weights >= 0)
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)


@PROPERTY_SETTINGS
@given(table=tables(), data=st.data())
def test_permuting_zones_permutes_scores(table, data):
    values, is_benefit = table
    assume(informative(values))
    order = np.array(data.draw(st.permutations(range(values.shape[0]))))
    weights, scores = entropy_scores(values, is_benefit)
    permuted_weights, permuted_scores = entropy_scores(values[order], is_benefit)
    # Only the order of the sums over zones changes: agreement to rounding.
    np.testing.assert_allclose(permuted_weights, weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(permuted_scores, scores[order], rtol=0, atol=1e-10)
    assert ranks(permuted_scores).tolist() == ranks(scores)[order].tolist()


@PROPERTY_SETTINGS
@given(
    table=tables(),
    data=st.data(),
    factor=st.floats(0.1, 10.0),
    shift=st.floats(-1000.0, 1000.0),
    kind=st.sampled_from(["minmax", "minmax-shift"]),
)
def test_positive_affine_change_of_a_column_changes_nothing(table, data, factor, shift, kind):
    values, is_benefit = table
    assume(informative(values))
    column = data.draw(st.integers(0, values.shape[1] - 1))
    changed = values.copy()
    changed[:, column] = factor * changed[:, column] + shift
    weights, scores = entropy_scores(values, is_benefit, kind)
    changed_weights, changed_scores = entropy_scores(changed, is_benefit, kind)
    # a*x + b is rounded, so x' moves by a few ulp times |a x + b| / (a * span) <= ~1e7 ulp.
    np.testing.assert_allclose(changed_weights, weights, rtol=0, atol=1e-8)
    np.testing.assert_allclose(changed_scores, scores, rtol=0, atol=1e-6)


@PROPERTY_SETTINGS
@given(
    table=tables(positive=True),
    data=st.data(),
    kind=st.sampled_from(entropy.NORMALIZATIONS),
    raise_by=st.integers(1, 2000),
)
def test_with_weights_fixed_improving_an_indicator_never_lowers_the_zone_score(table, data, kind, raise_by):
    values, is_benefit = table
    m, n = values.shape
    zone = data.draw(st.integers(0, m - 1))
    column = data.draw(st.integers(0, n - 1))
    weights = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    assume(weights.sum() > 0)
    weights = weights / weights.sum()
    improved = values.copy()
    step = raise_by * values[:, column].max() / 1000
    # Benefit: more is better; cost: less is better (kept positive for ratio).
    improved[zone, column] = values[zone, column] + step if is_benefit[column] else values[zone, column] / (1 + raise_by)
    _, before = entropy_scores(values, is_benefit, kind, weights=weights)
    _, after = entropy_scores(improved, is_benefit, kind, weights=weights)
    assert after[zone] >= before[zone] - 1e-9


@PROPERTY_SETTINGS
@given(table=tables(positive=True), data=st.data(), kind=st.sampled_from(entropy.NORMALIZATIONS))
def test_a_constant_column_gets_weight_zero_and_a_warning_naming_it(table, data, kind):
    values, is_benefit = table
    column = data.draw(st.integers(0, values.shape[1] - 1))
    values = values.copy()
    values[:, column] = data.draw(st.integers(1, 1000))
    assume(informative(values))
    ids = [f"ind_{j}" for j in range(values.shape[1])]
    meta = make_meta({i: "benefit" if b else "cost" for i, b in zip(ids, is_benefit)})
    result = score_table(make_table(values, ids), meta, Method(normalization=kind))
    assert result.weights[ids[column]] == 0.0
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert any(ids[column] in w and "same value for every zone" in w for w in result.warnings)
    # The pure function agrees to rounding (minmax-shift leaves ~1e-15 there).
    assert entropy_weights(normalize(values, is_benefit, kind))[column] == pytest.approx(0.0, abs=1e-13)


@PROPERTY_SETTINGS
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(2, 6), st.integers(1, 10)),
    data=st.data(),
    kind=st.sampled_from(entropy.NORMALIZATIONS),
    score_kind=st.sampled_from(entropy.NORMALIZATIONS),
)
def test_batched_and_one_at_a_time_agree(shape, data, kind, score_kind):
    values = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(1, 1000).map(float)))
    is_benefit = np.arange(shape[-1]) % 2 == 0
    weights, scores = entropy_scores(values, is_benefit, kind, score_kind)
    for draw in range(shape[0]):
        one_weights, one_scores = entropy_scores(values[draw], is_benefit, kind, score_kind)
        # NaN where a draw is constant throughout: undefined in both, as documented.
        np.testing.assert_allclose(weights[draw], one_weights, rtol=0, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(scores[draw], one_scores, rtol=0, atol=1e-10, equal_nan=True)


def test_batched_over_several_blocks_and_axes_agrees_with_one_at_a_time():
    """Long batches are processed in blocks: cross the block edges, with per-draw weights and
    goalposts, and with two leading batch axes."""
    rng = np.random.default_rng(11)
    draws = 2 * entropy._BLOCK_DRAWS + 7
    values = rng.lognormal(size=(draws, 5, 7))
    is_benefit = np.array([True, False, True, True, False, True, True])
    fixed_weights = rng.dirichlet(np.ones(7), size=draws)
    lower = values.min(axis=-2, keepdims=True) * 1.1
    upper = values.max(axis=-2, keepdims=True) * 0.9
    for options in (
        {},
        {"score_normalization": "ratio"},
        {"normalization": "minmax-shift"},
        {"weights": fixed_weights},
        {"weights": fixed_weights[0]},
        {"lower": lower, "upper": upper},
        {"lower": lower[0, 0], "upper": upper[0, 0]},
    ):
        weights, scores = entropy_scores(values, is_benefit, **options)
        assert weights.shape == (draws, 7) and scores.shape == (draws, 5)
        for draw in (0, entropy._BLOCK_DRAWS - 1, entropy._BLOCK_DRAWS, draws - 1):
            one = {k: (v[draw] if isinstance(v, np.ndarray) and v.shape[0] == draws else v) for k, v in options.items()}
            one_weights, one_scores = entropy_scores(values[draw], is_benefit, **one)
            np.testing.assert_allclose(weights[draw], one_weights, rtol=0, atol=1e-12)
            np.testing.assert_allclose(scores[draw], one_scores, rtol=0, atol=1e-10)
    grid = values[:12].reshape(3, 4, 5, 7)
    weights, scores = entropy_scores(grid, is_benefit)
    flat_weights, flat_scores = entropy_scores(values[:12], is_benefit)
    np.testing.assert_allclose(weights.reshape(12, 7), flat_weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(scores.reshape(12, 5), flat_scores, rtol=0, atol=1e-10)


@pytest.mark.parametrize("n", [*range(1, 18), 25, 33])
def test_batched_agrees_with_one_at_a_time_for_every_indicator_count(n):
    """Strides that are multiples of the SIMD width once hid a numpy bug (np.negative with
    a 64-byte stride, n = 8): every table width, mixed directions, every normalisation."""
    rng = np.random.default_rng(n)
    values = rng.lognormal(size=(40, 5, n)) + 0.1
    values[::9, :, n // 2] = 3.0  # a constant column now and then
    is_benefit = rng.random(n) < 0.6
    for kind in entropy.NORMALIZATIONS:
        for score_kind in entropy.NORMALIZATIONS:
            weights, scores = entropy_scores(values, is_benefit, kind, score_kind)
            for draw in range(0, 40, 3):
                one_weights, one_scores = entropy_scores(values[draw], is_benefit, kind, score_kind)
                np.testing.assert_array_equal(weights[draw], one_weights)
                np.testing.assert_allclose(scores[draw], one_scores, rtol=0, atol=1e-12)


def test_batched_weights_are_bit_identical_to_one_table_at_a_time():
    """The batched path promises the same operations in the same order as the one-table
    path, so the weights must agree to the last bit (scores go through BLAS, whose
    kernels may differ between a stack of matrices and one, so they get 1e-12 above)."""
    rng = np.random.default_rng(23)
    values = rng.lognormal(size=(entropy._BLOCK_DRAWS + 300, 5, 25)) * 10.0 ** rng.integers(-2, 4, size=25)
    values[::7, :, 3] = 2.0  # constant columns in some draws
    values[3] = 5.0  # a draw with every column constant: NaN weights, as documented
    values[5, :, 2] = [1e-310, 2e-310, 3e-311, 3e-310, 1e-310]  # constant by the tolerance rule
    is_benefit = rng.random(25) < 0.8
    with np.errstate(all="ignore"):
        for kind in entropy.NORMALIZATIONS:
            weights, _ = entropy_scores(values, is_benefit, kind)
            for draw in (0, 3, 5, 7, 500, entropy._BLOCK_DRAWS, len(values) - 1):
                # The one-table path: constant columns by the tolerance rule on the raw data.
                table = values[draw]
                one = entropy_weights(normalize(table, is_benefit, kind), entropy.constant_columns(table))
                assert np.array_equal(weights[draw], one, equal_nan=True), (kind, draw)


@PROPERTY_SETTINGS
@given(table=tables(positive=True), kind=st.sampled_from(entropy.NORMALIZATIONS))
def test_score_table_agrees_with_the_batched_hot_path(table, kind):
    values, is_benefit = table
    assume(informative(values))
    ids = [f"ind_{j}" for j in range(values.shape[1])]
    meta = make_meta({i: "benefit" if b else "cost" for i, b in zip(ids, is_benefit)})
    result = score_table(make_table(values, ids), meta, Method(normalization=kind, score_normalization="ratio"))
    weights, scores = entropy_scores(values, is_benefit, kind, "ratio")
    np.testing.assert_allclose(result.weights.to_numpy(), weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.scores.to_numpy(), scores, rtol=0, atol=1e-10)


# --- ranks ---------------------------------------------------------------------------------


def test_ranks_ties_share_the_better_rank():
    assert ranks([70.0, 80.0, 70.0, 10.0]).tolist() == [2, 1, 2, 4]
    assert ranks([5.0, 5.0, 5.0]).tolist() == [1, 1, 1]
    # Float noise from another summation order does not split a tie...
    assert ranks([50.0, 50.0 + 1e-12, 40.0]).tolist() == [1, 1, 3]
    # ...but a real difference does.
    assert ranks([50.0, 50.0 + 1e-6, 40.0]).tolist() == [2, 1, 3]
    assert ranks([[1.0, 2.0], [2.0, 2.0]]).tolist() == [[2, 1], [1, 1]]


@PROPERTY_SETTINGS
@given(scores=hnp.arrays(np.float64, st.integers(1, 9), elements=st.integers(0, 20).map(float)))
def test_rank_is_one_plus_the_number_of_better_scores(scores):
    expected = [1 + int(np.sum(scores > s)) for s in scores]
    assert ranks(scores).tolist() == expected


@pytest.mark.parametrize("zones", [63, 64, 500, 3000])
def test_ranks_of_many_zones_follow_the_same_rule(zones):
    """Many zones are ranked by sorting rather than by comparing all pairs: same answer,
    ties (exact and within the tolerance) included."""
    rng = np.random.default_rng(zones)
    scores = np.round(rng.random(zones) * 40, 1)  # many exact ties
    scores[:10] += rng.choice([0.0, 1e-12, 5e-10, 2e-9], 10)  # near ties on both sides of 1e-9
    scores[10], scores[11] = 7.0, 7.0 + entropy.RANK_TIE_TOLERANCE  # exactly at the tolerance: a tie
    expected = [1 + int(np.sum(scores > s + entropy.RANK_TIE_TOLERANCE)) for s in scores]
    assert ranks(scores).tolist() == expected


# --- group scores ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(table=tables(), data=st.data())
def test_group_scores_add_up_to_the_composite(table, data):
    values, is_benefit = table
    assume(informative(values))
    n = values.shape[1]
    group_of = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    membership = np.zeros((n, 3))
    membership[np.arange(n), group_of] = 1.0
    z = normalize(values, is_benefit)
    w = entropy_weights(z)
    np.testing.assert_allclose(group_scores(z, w, membership).sum(axis=-1), composite_scores(z, w), rtol=0, atol=1e-10)
    ids = [f"ind_{j}" for j in range(n)]
    meta = make_meta(
        {i: "benefit" if b else "cost" for i, b in zip(ids, is_benefit)},
        {i: f"group_{g}" for i, g in zip(ids, group_of)},
    )
    result = score_table(make_table(values, ids), meta)
    np.testing.assert_allclose(result.group_scores.sum(axis=1), result.scores, rtol=0, atol=1e-10)
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.scores, rtol=0, atol=1e-10)


# --- normalisation variants ----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(table=tables(positive=True))
def test_normalisation_variants_follow_their_formulas(table):
    values, is_benefit = table
    low, high = values.min(axis=0), values.max(axis=0)
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        minmax = np.where(is_benefit, (values - low) / span, (high - values) / span)
    minmax = np.where(span > 0, minmax, 0.0)
    np.testing.assert_allclose(normalize(values, is_benefit), minmax, rtol=0, atol=1e-12)
    np.testing.assert_allclose(normalize(values, is_benefit, "minmax-shift"), 0.99 * minmax + 0.01, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        normalize(values, is_benefit, "ratio"), np.where(is_benefit, values / high, low / values), rtol=0, atol=1e-12
    )
    for kind in entropy.NORMALIZATIONS:
        z = normalize(values, is_benefit, kind)
        assert np.all((z >= 0) & (z <= 1 + 1e-15))


def test_cost_indicators_are_oriented_during_normalisation():
    """The lowest cost is best (1) and the highest worst (0) under min-max, and ratio uses
    min / x, never 1 - x / max or a negation after the step."""
    cost = np.array([[2.0], [4.0], [8.0]])
    assert normalize(cost, [False]).ravel().tolist() == [1.0, 2 / 3, 0.0]
    assert normalize(cost, [False], "ratio").ravel().tolist() == [1.0, 0.5, 0.25]
    np.testing.assert_allclose(normalize(cost, [False], "minmax-shift").ravel(), [1.0, 0.99 * 2 / 3 + 0.01, 0.01])
    # A cost indicator weighs exactly what the benefit indicator -x would under min-max.
    rng = np.random.default_rng(3)
    values = rng.lognormal(size=(6, 4))
    is_benefit = np.array([True, False, False, True])
    flipped = np.where(is_benefit, values, -values)
    np.testing.assert_allclose(
        entropy_scores(values, is_benefit)[0], entropy_scores(flipped, np.ones(4, bool))[0], rtol=0, atol=1e-12
    )


def test_unknown_normalisation_is_refused():
    with pytest.raises(ValueError, match="unknown normalization 'min-max'"):
        normalize(HAND_VALUES, HAND_IS_BENEFIT, "min-max")
    with pytest.raises(SimError, match="'min-max' is not allowed"):
        method_from_mapping({"normalization": "min-max"})


# --- goalposts -------------------------------------------------------------------------------------

GOALPOST_META = make_meta({"output": "benefit", "pollution": "cost"})
GOALPOST_REFERENCE = pd.DataFrame({"output": [10.0, 20.0, 30.0], "pollution": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])


def test_baseline_goalposts_fix_min_and_max_and_report_clamping():
    scenario = pd.DataFrame({"output": [5.0, 25.0, 40.0], "pollution": [0.5, 2.5, 3.5]}, index=["a", "b", "c"])
    result = score_table(scenario, GOALPOST_META, Method(goalposts="baseline"), reference=GOALPOST_REFERENCE)
    # Within the goalposts: (25 - 10) / 20; cost (3 - 2.5) / 2. Beyond: clamped.
    expected = np.array([[0.0, 1.0], [0.75, 0.25], [1.0, 0.0]])
    np.testing.assert_allclose(result.normalized.to_numpy(), expected, rtol=0, atol=1e-15)
    assert sorted(result.clamped) == sorted(
        [("a", "output", "below"), ("c", "output", "above"), ("a", "pollution", "below"), ("c", "pollution", "above")]
    )
    warning_of = {w.split(":")[0]: w for w in result.warnings}
    assert "below the baseline minimum and was clamped to 0" in warning_of["a output"]
    assert "above the baseline maximum and was clamped to 1" in warning_of["c output"]
    # A cost indicator is oriented the other way: below its minimum is the best, 1.
    assert "below the baseline minimum and was clamped to 1" in warning_of["a pollution"]
    assert "above the baseline maximum and was clamped to 0" in warning_of["c pollution"]
    # With the scenario's own goalposts the same table is not clamped and normalises differently.
    own = score_table(scenario, GOALPOST_META, Method(goalposts="scenario"), reference=GOALPOST_REFERENCE)
    assert own.clamped == [] and own.warnings == []
    assert own.normalized.loc["b", "output"] == pytest.approx(20 / 35, abs=1e-15)


def test_baseline_goalposts_without_a_reference_is_a_data_error():
    with pytest.raises(DataError, match="goalposts: 'baseline' needs the baseline year"):
        score_table(GOALPOST_REFERENCE, GOALPOST_META, Method(goalposts="baseline"))


def test_baseline_goalposts_clamping_every_column_flat_is_an_error_not_nan():
    """Every value beyond the baseline maximum: each column is clamped to one value, so the
    entropy weights are undefined even though no raw column is constant."""
    scenario = GOALPOST_REFERENCE + 100.0
    with pytest.raises(DataError, match="weights are undefined"):
        score_table(scenario, GOALPOST_META, Method(goalposts="baseline"), reference=GOALPOST_REFERENCE)


# --- weight modes ---------------------------------------------------------------------------------

MODES_META = make_meta({"alpha": "benefit", "beta": "cost", "gamma": "benefit"})
MODES_BASELINE = pd.DataFrame(
    {"alpha": [1.0, 4.0, 9.0, 2.0], "beta": [3.0, 1.0, 2.0, 5.0], "gamma": [10.0, 10.0, 12.0, 30.0]},
    index=["north", "south", "east", "west"],
)
MODES_SCENARIO = MODES_BASELINE.assign(alpha=[1.0, 4.0, 9.0, 20.0])


def test_weights_recompute_uses_the_scored_table():
    result = score_table(MODES_SCENARIO, MODES_META, Method(weights="recompute"), reference=MODES_BASELINE)
    x = MODES_SCENARIO[["alpha", "beta", "gamma"]].to_numpy()
    expected = entropy_weights(normalize(x, [True, False, True]))
    np.testing.assert_allclose(result.weights.to_numpy(), expected, rtol=0, atol=1e-15)


def test_weights_baseline_are_frozen_at_the_baseline_year():
    frozen = score_table(MODES_SCENARIO, MODES_META, Method(weights="baseline"), reference=MODES_BASELINE)
    baseline = score_table(MODES_BASELINE, MODES_META, Method(weights="recompute"))
    pd.testing.assert_series_equal(frozen.weights, baseline.weights, check_exact=False, rtol=0, atol=1e-15)
    recomputed = score_table(MODES_SCENARIO, MODES_META, Method(weights="recompute"))
    assert not np.allclose(recomputed.weights, baseline.weights)
    # Only the data moved the scores: the frozen weights times the scenario's normalised values.
    np.testing.assert_allclose(
        frozen.scores, 100 * frozen.score_normalized.to_numpy() @ baseline.weights.to_numpy(), rtol=0, atol=1e-12
    )
    with pytest.raises(DataError, match="weights: 'baseline' needs the baseline year"):
        score_table(MODES_SCENARIO, MODES_META, Method(weights="baseline"))


def test_weights_equal():
    result = score_table(MODES_SCENARIO, MODES_META, Method(weights="equal"))
    assert result.weights.tolist() == [1 / 3, 1 / 3, 1 / 3]


def test_weights_published_are_matched_by_id_and_normalised():
    published = pd.Series({"gamma": 20.0, "alpha": 50.0, "beta": 30.0})  # percent, in another order
    result = score_table(MODES_SCENARIO, MODES_META, Method(weights="published"), published_weights=published)
    assert result.weights.to_dict() == pytest.approx({"alpha": 0.5, "beta": 0.3, "gamma": 0.2}, abs=1e-15)
    with pytest.raises(DataError, match="'published' needs published weights"):
        score_table(MODES_SCENARIO, MODES_META, Method(weights="published"))


def test_weights_explicit_mapping_is_normalised_and_left_out_indicators_get_zero():
    method = method_from_mapping({"weights": {"gamma": 1, "alpha": 3}})
    result = score_table(MODES_SCENARIO, MODES_META, method)
    assert result.weights.to_dict() == {"alpha": 0.75, "beta": 0.0, "gamma": 0.25}
    assert result.contributions["beta"].abs().sum() == 0.0


def test_weights_explicit_mapping_with_an_unknown_id_suggests_the_right_one():
    method = method_from_mapping({"weights": {"gama": 1, "alpha": 3}})
    with pytest.raises(DataError, match="unknown indicator 'gama'; did you mean 'gamma'"):
        score_table(MODES_SCENARIO, MODES_META, method)


@pytest.mark.parametrize("bad", [{"alpha": -1}, {"alpha": float("nan")}, {"alpha": 0, "beta": 0}, "entropy"])
def test_weights_option_is_validated(bad):
    with pytest.raises(SimError, match="weights"):
        method_from_mapping({"weights": bad})


# =====================================================================================
# 4. Edge cases from DESIGN section 2.
# =====================================================================================


def test_all_constant_columns_are_a_data_error_not_nan():
    table = make_table(np.array([[3.0, 7.0], [3.0, 7.0], [3.0, 7.0]]))
    meta = make_meta({"ind_0": "benefit", "ind_1": "cost"})
    with pytest.raises(DataError, match="every indicator has the same value for every zone .year 2020."):
        score_table(table, meta, label="year 2020")
    # The pure function says "undefined" with NaN, for the wrapper to turn into the error.
    assert np.all(np.isnan(entropy_weights(normalize(table.to_numpy(), [True, False]))))


@pytest.mark.parametrize("zones", [0, 1])
def test_fewer_than_two_zones_is_a_data_error(zones):
    table = make_table(np.arange(zones * 2, dtype=float).reshape(zones, 2))
    meta = make_meta({"ind_0": "benefit", "ind_1": "cost"})
    with pytest.raises(DataError, match=f"at least 2 zones .year 2019.; got {zones}"):
        score_table(table, meta, label="year 2019")


@pytest.mark.parametrize(
    "bad, words",
    [
        (np.nan, "value missing"),
        (None, "value missing"),
        (np.inf, "not finite"),
        (-np.inf, "not finite"),
        ("12,5", "not a number ('12,5')"),
    ],
)
def test_missing_or_non_finite_value_is_a_data_error_naming_zone_indicator_and_year(bad, words):
    table = make_table(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), ["patents", "energy"]).astype(object)
    table.loc["zone_1", "energy"] = bad
    meta = make_meta({"patents": "benefit", "energy": "cost"})
    with pytest.raises(DataError) as refused:
        score_table(table, meta, label="year 2020")
    message = str(refused.value)
    for word in ("zone zone_1", "indicator energy", "year 2020", words):
        assert word in message


def test_a_missing_indicator_column_is_a_data_error_naming_it():
    table = make_table(np.array([[1.0], [3.0], [5.0]]), ["patents"])
    meta = make_meta({"patents": "benefit", "energy": "cost"})
    with pytest.raises(DataError, match="indicators missing from the table .year 2020.: energy"):
        score_table(table, meta, label="year 2020")


@pytest.mark.parametrize("bad", [0.0, -2.5])
@pytest.mark.parametrize("which", ["normalization", "score_normalization"])
def test_ratio_with_a_zero_or_negative_value_uses_min_max_for_that_column_and_says_so(bad, which):
    """DESIGN section 2: a column holding a value <= 0 is normalised by min-max under ratio."""
    table = make_table(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), ["patents", "energy"])
    table.loc["zone_2", "patents"] = bad
    meta = make_meta({"patents": "benefit", "energy": "cost"})
    ratio = score_table(table, meta, Method(**{which: "ratio"}), label="year 2020")
    minmax = score_table(table, meta, Method(), label="year 2020")
    # That column is min-max; the other keeps x / max (cost: min / x).
    kind = "normalized" if which == "normalization" else "score_normalized"
    np.testing.assert_array_equal(getattr(ratio, kind)["patents"], minmax.normalized["patents"])
    np.testing.assert_allclose(getattr(ratio, kind)["energy"], [1.0, 2 / 4, 2 / 6], rtol=0, atol=1e-15)
    assert np.isfinite(ratio.scores).all()
    (warning,) = [w for w in ratio.warnings if "<= 0" in w]
    for word in ("indicator patents", "year 2020", "zone_2", f"{bad:g}", "min-max"):
        assert word in warning, (word, warning)
    assert "x / max" in warning and "min-max" in warning.render("zh")
    # Weights from min-max are unaffected by the fall-back of the scores.
    if which == "score_normalization":
        pd.testing.assert_series_equal(ratio.weights, minmax.weights, check_exact=True)


def test_ratio_fall_back_is_the_same_in_the_batched_path():
    rng = np.random.default_rng(5)
    values = rng.lognormal(size=(50, 5, 6))
    values[::3, 2, 1] = -1.5  # a negative growth rate in a third of the draws
    values[::5, 0, 4] = 0.0
    is_benefit = np.array([True, True, False, True, False, True])
    for kind, score_kind in (("minmax", "ratio"), ("ratio", "ratio"), ("ratio", "minmax")):
        weights, scores = entropy_scores(values, is_benefit, kind, score_kind)
        assert np.isfinite(scores).all()
        for draw in (0, 1, 3, 5, 15, 49):
            one_weights, one_scores = entropy_scores(values[draw], is_benefit, kind, score_kind)
            np.testing.assert_array_equal(weights[draw], one_weights)
            np.testing.assert_array_equal(scores[draw], one_scores)


def test_float_noise_does_not_make_a_constant_column_informative():
    """Issue 15.6: 8.459 in four zones and 7.69 * 1.1 = 8.459000000000001 in the fifth is
    constant by DESIGN's rule max - min <= 1e-9 max(|max|, |min|, 1): weight 0 and the warning."""
    noisy = 7.69 * (1.0 + 10.0 / 100.0)
    assert noisy != 8.459 and noisy - 8.459 < 1e-14
    table = make_table(np.array([[8.459, 1.0], [8.459, 2.0], [8.459, 4.0], [noisy, 3.0], [8.459, 5.0]]), ["rd", "other"])
    meta = make_meta({"rd": "benefit", "other": "benefit"})
    for method in (Method(), Method(score_normalization="ratio"), Method(normalization="ratio"),
                   Method(normalization="minmax-shift")):
        result = score_table(table, meta, method, label="year 2020")
        assert result.weights["rd"] == 0.0, method
        assert any("indicator rd" in w and "same value for every zone" in w for w in result.warnings)
        exact = score_table(table.assign(rd=8.459), meta, method, label="year 2020")
        np.testing.assert_allclose(result.scores, exact.scores, rtol=0, atol=1e-9)
    # A real difference, however small in relative terms, still counts.
    table.loc["zone_3", "rd"] = 8.459 * (1 + 1e-8)
    assert score_table(table, meta, Method(), label="year 2020").weights["rd"] > 0


def test_constant_tolerance_is_relative_with_a_floor_of_one():
    x = np.array([[1e6, 1e-10, 0.5], [1e6 + 1e-4, 2e-10, 0.5 + 2e-9], [1e6, 0.0, 0.5]])
    assert entropy.constant_columns(x).tolist() == [True, True, False]


def test_no_numpy_warnings_escape_on_ordinary_or_constant_input():
    values = np.array([[1.0, 5.0, 2.0], [2.0, 5.0, 4.0], [3.0, 5.0, 8.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for kind in entropy.NORMALIZATIONS:
            entropy_scores(values, [True, True, False], kind)


def test_a_batch_split_across_threads_matches_scoring_each_draw_alone():
    """Above 4 blocks per core the draws are scored on several threads: same bits per draw."""
    rng = np.random.default_rng(7)
    draws = rng.lognormal(size=(20_000, 5, 25))
    is_benefit = np.arange(25) % 7 != 0
    weights, scores = entropy.entropy_scores(draws, is_benefit, score_normalization="ratio")
    for i in (0, 9_999, 10_000, 19_999):
        w_one, s_one = entropy.entropy_scores(draws[i], is_benefit, score_normalization="ratio")
        np.testing.assert_array_equal(weights[i], w_one)
        np.testing.assert_array_equal(scores[i], s_one)


def test_ratio_has_no_floor_so_only_the_best_goalpost_clamps():
    """Under x / max a value below the baseline minimum keeps its ratio; above the maximum it is 1."""
    meta = IndicatorMeta(pd.Series({"a": "benefit"}), pd.Series({"a": "g"}), ("g",))
    reference = pd.DataFrame({"a": [2.0, 4.0, 8.0]}, index=["p", "q", "r"])
    table = pd.DataFrame({"a": [1.0, 4.0, 16.0]}, index=["p", "q", "r"])
    ratio = score_table(table, meta, Method("ratio", weights="equal", goalposts="baseline"), reference=reference)
    assert ratio.score_normalized["a"].tolist() == [1 / 8, 4 / 8, 1.0]
    assert ratio.clamped == [("r", "a", "above")]
    minmax = score_table(table, meta, Method("minmax", weights="equal", goalposts="baseline"), reference=reference)
    assert minmax.score_normalized["a"].tolist() == [0.0, 2 / 6, 1.0]
    assert sorted(minmax.clamped) == [("p", "a", "below"), ("r", "a", "above")]
