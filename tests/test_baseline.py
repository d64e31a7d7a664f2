"""The shipped baseline (issue 3): golden numbers, the bound, and ``zonesim calibrate``.

Golden tests score ``data/`` with its own method and compare with the paper as
printed (``data/published/``), with the tolerance of the printed precision: half a
unit of the last digit, 0.005 percentage points for weights and 0.005 points for
scores.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import calibrate as cal
from sim.data import SHIPPED_DATA, load_package
from sim.errors import DataError, UsageError
from sim.method import entropy

YEARS = (2019, 2020)
WEIGHT_TOLERANCE_PP = 0.005
SCORE_TOLERANCE = 0.005


@pytest.fixture(scope="module")
def package():
    return load_package()


@pytest.fixture(scope="module")
def findings(package):
    return cal.load_findings(SHIPPED_DATA / "published" / "findings.yaml", package.zone_ids, package.indicator_ids)


def published_weights_pct(year: int) -> pd.Series:
    """Table 1 as printed, read straight from the CSV (not through the loader)."""
    frame = pd.read_csv(SHIPPED_DATA / "published" / "weights.csv")
    return frame[frame["year"] == year].set_index("indicator")["weight_pct"]


def published_scores(year: int) -> pd.DataFrame:
    frame = pd.read_csv(SHIPPED_DATA / "published" / "scores.csv")
    return frame[frame["year"] == year].set_index("zone")


# --------------------------------------------------------------------------- golden


def test_shipped_method_is_the_declared_convention(package):
    assert package.method.normalization == "minmax"
    assert package.method.scoring == "ratio"
    assert package.method.weights == "recompute"
    assert package.method.goalposts == "scenario"


@pytest.mark.parametrize("year", YEARS)
def test_every_table_1_weight_is_reproduced(package, year):
    weights_pct = 100.0 * package.score(year).weights
    expected = published_weights_pct(year)
    assert set(expected.index) == set(weights_pct.index)
    error = (weights_pct[expected.index] - expected).abs()
    assert error.max() <= WEIGHT_TOLERANCE_PP, f"{error.idxmax()}: {error.max():.6f} pp"


@pytest.mark.parametrize("year", YEARS)
def test_every_published_score_and_rank_is_reproduced(package, year):
    result = package.score(year)
    expected = published_scores(year)
    error = (result.scores[expected.index] - expected["score"]).abs()
    assert error.max() <= SCORE_TOLERANCE, f"{error.idxmax()}: {error.max():.6f}"
    assert result.ranks[expected.index].tolist() == expected["rank"].tolist()


@pytest.mark.parametrize("year", YEARS)
def test_sunan_indicator_facts_hold(package, findings, year):
    table = package.table(year)
    assert findings.ranks, "findings.yaml lists no indicator facts"
    for fact in findings.ranks:
        column = table[fact.indicator]
        rank = 1 + int((column > column[fact.zone]).sum())
        assert fact.best <= rank <= fact.worst, f"{year} {fact.indicator}: {fact.zone} ranks {rank}"
        assert (column.drop(fact.zone) != column[fact.zone]).all(), f"{year} {fact.indicator}: a tie with {fact.zone}"


@pytest.mark.parametrize("year", YEARS)
def test_sunan_group_scores_mostly_in_the_last_two(package, findings, year):
    (fact,) = findings.groups
    groups = package.score(year).group_scores
    ranks = 1 + (groups > groups.loc[fact.zone]).sum(axis=0)
    inside = ((ranks >= fact.best) & (ranks <= fact.worst)).sum()
    assert inside >= fact.at_least >= len(groups.columns) - 1, ranks.to_dict()


def test_findings_yaml_matches_findings_md(findings):
    # reference/findings.md: last on 2, 2nd on 4, "not advantageous" (3-5) on 5 indicators
    by_range = {}
    for fact in findings.ranks:
        by_range.setdefault((fact.best, fact.worst), set()).add(fact.indicator)
        assert fact.years == YEARS
    assert by_range == {
        (5, 5): {"avg_salary", "labor_productivity"},
        (2, 2): {"rd_intensity", "high_tech_revenue_share", "gazelles", "listed_firms"},
        (3, 5): {"unicorns", "foreign_patents_per_10k", "ip_per_10bn_value_added", "net_profit_margin",
                 "revenue_per_km2"},
    }


def test_check_findings_agrees(package, findings):
    checks = cal.check_findings(package, findings)
    assert len(checks) == 2 * (len(findings.ranks) + len(findings.groups))
    assert all(check.holds for check in checks), [c for c in checks if not c.holds]


def test_counts_are_whole_and_values_in_their_plausible_bands(package):
    for year in YEARS:
        table = package.table(year)
        for indicator, meta in package.indicators.iterrows():
            column = table[indicator]
            assert (column > 0).all(), f"{year} {indicator}: x / max needs positive values"
            if meta["integer"]:
                assert (column == column.round()).all(), f"{year} {indicator} is not whole"
            low, high = cal.BANDS.get(indicator, (0.0, np.inf))
            assert column.between(low, high).all(), f"{year} {indicator} outside {low}-{high}"


def test_high_tech_firms_added_2020_is_the_change_of_the_stock(package):
    change = package.table(2020)["high_tech_firms"] - package.table(2019)["high_tech_firms"]
    pd.testing.assert_series_equal(change, package.table(2020)["high_tech_firms_added"], check_names=False)


def test_every_row_says_where_it_comes_from():
    with open(SHIPPED_DATA / "baseline.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2 * 5 * 25
    for row in rows:
        source = row["source"]
        assert "not an official statistic" in source or source.startswith("public figure:"), row
        assert "zonesim calibrate" in source


def test_public_figures_are_kept_exactly(package):
    for figure in cal.PUBLIC_FIGURES:
        assert package.table(figure.year).at[figure.zone, figure.indicator] == figure.value, figure


def test_rows_are_ordered_year_zone_indicator(package):
    frame = pd.read_csv(SHIPPED_DATA / "baseline.csv")
    expected = [
        (year, zone, indicator) for year in YEARS for zone in package.zone_ids for indicator in package.indicator_ids
    ]
    assert list(frame[["year", "zone", "indicator"]].itertuples(index=False, name=None)) == expected


# --------------------------------------------------------------------------- the bound


def test_score_total_caps_under_minmax_in_both_steps():
    cap_2019 = cal.minmax_score_total_cap(published_weights_pct(2019))
    cap_2020 = cal.minmax_score_total_cap(published_weights_pct(2020))
    assert cap_2019 == pytest.approx(340.44, abs=0.005)
    assert cap_2020 == pytest.approx(328.22, abs=0.005)
    assert published_scores(2020)["score"].sum() == pytest.approx(330.21) and 330.21 > cap_2020
    assert published_scores(2019)["score"].sum() == pytest.approx(331.23) and 331.23 < cap_2019


def test_least_divergence_and_column_sum_cap():
    least = cal.minmax_least_divergence(5)
    assert least == pytest.approx(1 - np.log(4) / np.log(5))
    # (0, 1, 1, 1, 1) has exactly the least divergence and the largest sum
    column = np.array([[0.0], [1.0], [1.0], [1.0], [1.0]])
    assert cal.column_divergence(column)[0] == pytest.approx(least)
    assert cal.minmax_column_sum_cap(least) == pytest.approx(4.0)
    assert cal.minmax_column_sum_cap(1.0) == pytest.approx(1.0)
    caps = [cal.minmax_column_sum_cap(d) for d in np.linspace(least, 1.0, 9)]
    assert all(a >= b for a, b in zip(caps, caps[1:]))


def test_column_divergence_matches_the_scorer():
    rng = np.random.default_rng(3)
    values = rng.uniform(1.0, 10.0, (4, 5, 7))
    normalized = entropy.normalize(values, np.ones(7, dtype=bool))
    divergence = cal.column_divergence(normalized)
    np.testing.assert_allclose(divergence / divergence.sum(-1, keepdims=True), entropy.entropy_weights(normalized))


def test_a_minmax_table_exists_for_2019(package):
    weights = published_weights_pct(2019)[package.indicator_ids]
    scores = published_scores(2019)["score"][package.zone_ids]
    table = cal.minmax_example(weights.to_numpy(), scores.to_numpy())
    is_benefit = np.ones(table.shape[1], dtype=bool)
    w, s = entropy.entropy_scores(table, is_benefit, "minmax")
    np.testing.assert_allclose(100.0 * w, weights.to_numpy(), atol=1e-5)
    np.testing.assert_allclose(s, scores.to_numpy(), atol=1e-5)
    # what such data must look like: three zones at >= 0.9 of the range in most columns
    third_best = np.sort(table, axis=0)[-3]
    assert (third_best >= 0.9).sum() >= 13


def test_no_minmax_table_exists_for_2020():
    with pytest.raises(DataError, match="328.22"):
        cal.minmax_example(published_weights_pct(2020).to_numpy(), published_scores(2020)["score"].to_numpy())


def test_calibrate_reports_an_impossible_target_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    (data / "method.yaml").write_text("normalization: minmax\nscore_normalization: minmax\n", encoding="utf-8")
    before = (data / "baseline.csv").read_bytes()
    with pytest.raises(DataError, match=r"2020.*at most 328\.22"):
        cal.calibrate(data, budget=cal.QUICK_BUDGET)
    assert (data / "baseline.csv").read_bytes() == before


# --------------------------------------------------------------------------- calibrate


def test_quick_calibrate_builds_a_valid_package(tmp_path):
    shipped = (SHIPPED_DATA / "baseline.csv").read_bytes()
    report = cal.calibrate(SHIPPED_DATA, out_dir=tmp_path, budget=cal.QUICK_BUDGET, seed=0)
    assert (SHIPPED_DATA / "baseline.csv").read_bytes() == shipped, "--out must leave the source package alone"
    rebuilt = load_package(tmp_path)
    assert rebuilt.years == list(YEARS)
    assert rebuilt.zone_ids == load_package().zone_ids
    for year in YEARS:
        assert rebuilt.score(year).ranks.notna().all()
    assert all(check.holds for check in report.identity)
    assert {fit.year for fit in report.fits} == set(YEARS)
    text = report.to_text()
    assert "worst weight error" in text and "Findings:" in text and "328.22" in text


def test_calibrate_is_deterministic_on_a_quick_budget(tmp_path):
    first = cal.calibrate(SHIPPED_DATA, out_dir=tmp_path / "a", budget=cal.QUICK_BUDGET)
    second = cal.calibrate(SHIPPED_DATA, out_dir=tmp_path / "b", budget=cal.QUICK_BUDGET)
    assert (first.out_dir / "baseline.csv").read_bytes() == (second.out_dir / "baseline.csv").read_bytes()


def test_command_prints_the_report(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    cal.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path), "--quick"])
    assert cal.command(args) == 0
    assert "Targets (tolerance" in capsys.readouterr().out
    assert (tmp_path / "baseline.csv").is_file()


def test_bad_input_raises_sim_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        cal.calibrate(tmp_path / "missing", out_dir=tmp_path / "out")
    with pytest.raises(UsageError, match="budget"):
        cal.calibrate(SHIPPED_DATA, out_dir=tmp_path / "out", budget=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="indicators.csv"):
        cal.calibrate(empty)


def test_format_value():
    assert cal.format_value(1234.0, True) == "1234"
    assert cal.format_value(3.14159, False) == "3.14"
    assert cal.format_value(-0.001, False) == "0.00"


@pytest.mark.slow
def test_default_calibration_reproduces_the_shipped_baseline(tmp_path):
    """The shipped data is exactly what `zonesim calibrate` makes (about 25 s)."""
    cal.calibrate(SHIPPED_DATA, out_dir=tmp_path)
    assert (tmp_path / "baseline.csv").read_bytes() == Path(SHIPPED_DATA / "baseline.csv").read_bytes()
