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
from sim.calibrate import cli as calibrate_cli
from sim.cli import main
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


@pytest.fixture(scope="module")
def priors(package):
    return cal.load_priors(SHIPPED_DATA, package.zone_ids, package.indicator_ids, YEARS)


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


def test_counts_are_whole_and_values_in_their_plausible_bands(package, priors):
    for year in YEARS:
        table = package.table(year)
        for indicator, meta in package.indicators.iterrows():
            column = table[indicator]
            assert (column > 0).all(), f"{year} {indicator}: x / max needs positive values"
            if meta["integer"]:
                assert (column == column.round()).all(), f"{year} {indicator} is not whole"
            low, high = priors.bands.get(indicator, (0.0, np.inf))
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


def test_public_figures_are_kept_exactly_and_city_caps_hold(package, priors):
    assert len(priors.exact) == 8 and len(priors.caps) == 7  # data/README.md, "Public figures"
    for figure in priors.exact:
        assert package.table(figure.year).at[figure.zone, figure.indicator] == figure.value, figure
    for cap in priors.caps:
        assert package.table(cap.year).at[cap.zone, cap.indicator] <= cap.value, cap


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
    calibrate_cli.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path), "--quick"])
    assert calibrate_cli.command(args) == 0
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


def test_calibrate_command_through_the_command_line(tmp_path, capsys):
    # sim.cli's PLUGGED_COMMANDS entry reaches sim.calibrate.cli
    assert main(["calibrate", "--quick", "--out", str(tmp_path)]) == 0
    assert "Targets (tolerance" in capsys.readouterr().out
    assert load_package(tmp_path).years == list(YEARS)


# --------------------------------------------------------------------------- priors (data/published/)

PRIORS_CSV = SHIPPED_DATA / "published" / "priors.csv"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path: Path, rows: list[dict[str, str]], fieldnames: list[str] | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=fieldnames or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture()
def data_copy(tmp_path):
    """A copy of the shipped package to break or change."""
    shutil.copytree(SHIPPED_DATA, tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture(scope="module")
def quick_rebuild(tmp_path_factory):
    """The shipped package rebuilt on the quick budget, once per module."""
    out = tmp_path_factory.mktemp("quick")
    cal.calibrate(SHIPPED_DATA, out_dir=out, budget=cal.QUICK_BUDGET)
    return load_package(out)


def test_priors_file_has_one_row_per_year_zone_and_indicator(package):
    rows = read_rows(PRIORS_CSV)
    keys = [(int(row["year"]), row["zone"], row["indicator"]) for row in rows]
    expected = {(y, z, i) for y in YEARS for z in package.zone_ids for i in package.indicator_ids}
    assert len(keys) == len(set(keys)) == len(expected) == 2 * 5 * 25
    assert set(keys) == expected
    assert {"prior", "spread", "kind", "note"} <= set(rows[0])
    # an indicator is a stock or a flow in every row alike
    kinds = {(row["indicator"], row["kind"]) for row in rows}
    assert len(kinds) == 25
    assert {i for i, kind in kinds if kind == "flow"} == {
        "high_tech_firms_added", "employment_growth", "firm_registration_growth", "tax_growth"}


def test_the_loader_reads_the_priors_file_as_written(priors, package):
    for row in read_rows(PRIORS_CSV):
        key = (int(row["year"]), row["zone"], row["indicator"])
        assert priors.values[key] == float(row["prior"]) > 0
        assert priors.spreads[key] == float(row["spread"]) > 0
    table = priors.table(2020, package.zone_ids, package.indicator_ids)
    assert table[package.zone_ids.index("sunan"), package.indicator_ids.index("unicorns")] == 13.0


def test_the_loader_tolerates_notes_and_extra_columns(data_copy, priors, package):
    rows = read_rows(data_copy / "published" / "priors.csv")
    for row in rows:
        row["note"], row["checked_by"] = "a note, with a comma; and 中文", "someone"
    write_rows(data_copy / "published" / "priors.csv", rows)
    again = cal.load_priors(data_copy, package.zone_ids, package.indicator_ids, YEARS)
    assert again.values == priors.values and again.spreads == priors.spreads and again.flows == priors.flows


def test_a_changed_prior_changes_the_rebuilt_baseline(data_copy, quick_rebuild):
    # Donghu's 2019 R&D spending prior 1,900 -> 2,470 (x 1.3): the rebuilt value follows it.
    rows = read_rows(data_copy / "published" / "priors.csv")
    (row,) = [r for r in rows if (r["year"], r["zone"], r["indicator"]) == ("2019", "donghu", "rd_spending")]
    assert float(row["prior"]) == 1900.0
    row["prior"] = "2470"
    write_rows(data_copy / "published" / "priors.csv", rows)
    cal.calibrate(data_copy, out_dir=data_copy.parent / "out", budget=cal.QUICK_BUDGET)
    before = quick_rebuild.table(2019).at["donghu", "rd_spending"]
    after = load_package(data_copy.parent / "out").table(2019).at["donghu", "rd_spending"]
    assert after > 1.15 * before, (before, after)


def _edit_priors(edit):
    def apply(data: Path) -> None:
        path = data / "published" / "priors.csv"
        rows = read_rows(path)
        fieldnames = list(rows[0])
        edit(rows, fieldnames)
        write_rows(path, rows, fieldnames)
    return apply


def _set(row_index: int, column: str, value: str):
    def edit(rows, fieldnames):
        rows[row_index][column] = value
    return _edit_priors(edit)


def _edit_file(name: str, old: str, new: str):
    def apply(data: Path) -> None:
        path = data / "published" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


BROKEN_INPUTS = {
    "missing file": (lambda data: (data / "published" / "priors.csv").unlink(), ["published/priors.csv: missing"]),
    "missing row": (_edit_priors(lambda rows, f: rows.pop()), ["1 (year, zone, indicator) has no prior",
                                                               "(2020, sunan, revenue_per_km2)"]),
    "repeated row": (_edit_priors(lambda rows, f: rows.append(dict(rows[0]))),
                     ["line 252", "second row for 2019, zhongguancun, rd_spending", "line 2"]),
    "negative prior": (_set(2, "prior", "-185"), ["line 4", "prior is '-185'", "positive"]),
    "text spread": (_set(3, "spread", "wide"), ["line 5", "spread is 'wide'"]),
    "unknown kind": (_set(4, "kind", "stok"), ["line 6", "kind is 'stok'", "stock", "flow"]),
    "mixed kinds": (_set(248, "kind", "stock"), ["tax_growth has a different kind"]),
    "zone typo": (_set(0, "zone", "zhongguanc"), ["line 2", "no zone 'zhongguanc'", "did you mean 'zhongguancun'"]),
    "bad year": (_set(0, "year", "2019.5"), ["line 2", "year is '2019.5'"]),
    "missing column": (_edit_priors(lambda rows, f: f.remove("spread") or [r.pop("spread") for r in rows]),
                       ["missing column spread"]),
    "empty band": (_edit_file("bands.csv", "rd_intensity,1,20", "rd_intensity,20,1"),
                   ["published/bands.csv: line 2", "band of rd_intensity is empty"]),
    "unknown use": (_edit_file("public_figures.csv", ",exact,", ",kept,"),
                    ["published/public_figures.csv: line 2", "use is 'kept'"]),
    "indicator typo": (_edit_file("public_figures.csv", "2020,sunan,unicorns", "2020,sunan,unicorn"),
                       ["no indicator 'unicorn'", "did you mean 'unicorns'"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_INPUTS))
def test_broken_calibration_inputs_are_named_and_nothing_is_written(data_copy, case):
    breaks, words = BROKEN_INPUTS[case]
    breaks(data_copy)
    before = (data_copy / "baseline.csv").read_bytes()
    with pytest.raises(DataError) as raised:
        cal.calibrate(data_copy, budget=cal.QUICK_BUDGET)
    message = str(raised.value)
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in message
    assert (data_copy / "baseline.csv").read_bytes() == before
    chinese = raised.value.render("zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese


def test_every_problem_of_the_priors_is_reported_together(data_copy):
    _set(2, "prior", "0")(data_copy)
    _set(4, "kind", "stok")(data_copy)
    with pytest.raises(DataError) as raised:
        cal.load_priors(data_copy, load_package().zone_ids, load_package().indicator_ids, YEARS)
    assert len(raised.value.problems) == 2  # each bad cell once (not again as a missing prior)
    _edit_priors(lambda rows, f: rows.pop())(data_copy)
    with pytest.raises(DataError) as raised:
        cal.load_priors(data_copy, load_package().zone_ids, load_package().indicator_ids, YEARS)
    assert len(raised.value.problems) == 3
