"""Plans on the command line and in the analyses (issue 13): run, compare, validate,
goal-seek --by, robustness --trend-noise; Chinese output without Latin words."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from latin import foreign_words, untyped
from sim.cli import main
from sim.data import load_package
from sim.plan import run_plan
from sim.plan.goalseek import plan_goal_seek, total_change
from sim.plan.robustness import plan_robustness
from sim.scenario import load_scenario, parse_scenario

REPO = Path(__file__).resolve().parent.parent
CATCH_UP = REPO / "scenarios" / "plan_sunan_catch_up_2021_2025.yaml"
CORES = REPO / "scenarios" / "plan_more_core_zones_2023.yaml"
FUND = REPO / "scenarios" / "plan_fund_consortia_rivals_grow.yaml"
SHIPPED = load_package()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_run_prints_ranks_and_scores_per_year_and_the_year_sunan_passes_zhangjiang(capsys):
    status, out, err = run_cli(capsys, "run", str(CATCH_UP))
    assert status == 0 and err == ""
    assert "rank per year: with the plan (baseline path in brackets)" in out
    header = next(line for line in out.splitlines() if line.startswith("zone "))
    assert header.split()[1:] == ["2020", "(observed)", "2021", "2022", "2023", "2024", "2025"]
    sunan = next(line for line in out.splitlines() if line.startswith("Southern Jiangsu"))
    assert sunan.split()[3:] == ["4", "4", "(4)", "4", "(4)", "4", "(4)", "3", "(4)", "3", "(4)"]
    assert "with the plan: Southern Jiangsu (Sunan) passes Shanghai Zhangjiang in 2024" in out
    assert "baseline path: no rank changes" in out
    assert "reconstructed" in out  # the data are said to be a reconstruction


def test_run_in_chinese_has_no_latin_words(capsys):
    for path in (CATCH_UP, CORES, FUND):
        status, out, _ = run_cli(capsys, "run", str(path), "--lang", "zh")
        assert status == 0
        assert foreign_words(untyped(out)) == [], path.name
    assert "江苏苏南 2024 年超过上海张江" in run_cli(capsys, "run", str(CATCH_UP), "--lang", "zh")[1]


def test_run_json_is_the_design_s_years_plus_scenario_and_provenance(capsys):
    status, out, _ = run_cli(capsys, "run", str(CATCH_UP), "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["scenario"] == load_scenario(CATCH_UP, SHIPPED).name
    assert data["provenance"]["data"] == SHIPPED.digest
    assert [y["year"] for y in data["years"]] == [2021, 2022, 2023, 2024, 2025]
    y2024 = next(y for y in data["years"] if y["year"] == 2024)
    sunan = next(z for z in y2024["zones"] if z["zone"] == "sunan")
    assert (sunan["rank"], sunan["baseline_rank"]) == (3, 4)
    assert sunan["delta"] == pytest.approx(sunan["score"] - sunan["baseline_score"], abs=1e-12)
    assert [e["year"] for e in data["overtakes"]["plan"]] == [2024]


def test_run_csv_has_one_row_per_year_and_zone_at_full_precision(capsys):
    _, out, _ = run_cli(capsys, "run", str(CATCH_UP), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 * 5 and list(rows[0])[:4] == ["scenario", "year", "zone", "name"]
    result = run_plan(SHIPPED, load_scenario(CATCH_UP, SHIPPED))
    row = next(r for r in rows if r["year"] == "2023" and r["zone"] == "sunan")
    assert float(row["score"]) == float(result.year(2023).scored.scores["sunan"])


def test_compare_plans_year_by_year_and_one_year(capsys):
    status, out, _ = run_cli(capsys, "compare", str(CATCH_UP), str(FUND))
    assert status == 0 and out.count("\n2021\n") + out.startswith("2021\n") == 1 and "\n2025\n" in out
    assert "trends differ" in out  # so do their baseline paths
    status, out, _ = run_cli(capsys, "compare", str(CATCH_UP), str(FUND), "--year", "2024", "--format", "json")
    data = json.loads(out)
    assert [[y["year"] for y in s["years"]] for s in data["scenarios"]] == [[2024], [2024]]
    status, out, _ = run_cli(capsys, "compare", str(CATCH_UP), str(CORES), "--year", "2023", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 * 5 and {r["year"] for r in rows} == {"2023"}


@pytest.mark.parametrize("args, words", [
    (["compare", str(CATCH_UP), str(REPO / "scenarios" / "baseline.yaml")], ["cannot be compared together"]),
    (["compare", str(CATCH_UP), "--year", "2030"], ["--year 2030", "2021, 2022, 2023, 2024, 2025"]),
    (["compare", str(REPO / "scenarios" / "baseline.yaml"), "--year", "2020"], ["--year is for comparing plans"]),
    (["levers", "--zone", "sunan", "--scenario", str(CATCH_UP)], ["plan over years", "one year"]),
    (["robustness", str(REPO / "scenarios" / "baseline.yaml"), "--trend-noise", "2%"], ["--trend-noise is for plans"]),
    (["goal-seek", "--zone", "sunan", "--target", "rank:3", "--by", "2025"], ["--by needs a plan"]),
    (["goal-seek", "--zone", "sunan", "--target", "rank:3", "--scenario", str(CATCH_UP), "--by", "2020"],
     ["--by 2020", "2021 to 2025"]),
])
def test_misuse_is_a_clear_error(capsys, args, words):
    status, out, err = run_cli(capsys, *args)
    assert status == 2 and out == "" and "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word in err, err


def test_goal_seek_by_finds_the_least_uniform_yearly_growth():
    plan = parse_scenario("version: 1\nname: rivals grow\nyear: 2020\nhorizon: 2025\n"
                          "trend: {default: hold, indicators: {rd_spending: +8%}}\n", SHIPPED)
    answer = plan_goal_seek(SHIPPED, "sunan", "overtake:zhangjiang", plan, by=2023, levers=["vc_investment"],
                            evolution_steps=0)
    assert answer.reached and len(answer.changes) == 1
    change = answer.changes[0]
    written = answer.plan.interventions[-1]
    assert written.timing.each_year and written.timing.start is None and written.timing.until == 2023
    assert written.percent == pytest.approx(change.step)
    after = answer.result.year(2023)
    assert after.scored.scores["sunan"] > after.scored.scores["zhangjiang"]
    # The value in 2023 is the 2023 value without the plan times (1 + step)^3.
    assert change.after == pytest.approx(change.before * (1 + change.step / 100) ** 3, rel=1e-12)
    # Least: a yearly step 2 % smaller misses the target in 2023.
    smaller = answer.plan.interventions[:-1] + (written.__class__(**{**written.__dict__,
                                                                     "percent": 0.98 * written.percent}),)
    again = run_plan(SHIPPED, answer.plan.__class__(**{**answer.plan.__dict__, "interventions": smaller}))
    year = again.year(2023)
    assert year.scored.scores["sunan"] < year.scored.scores["zhangjiang"] + 0.01


def test_goal_seek_by_on_the_command_line_writes_a_plan(capsys, tmp_path):
    out_file = tmp_path / "found.yaml"
    status, out, err = run_cli(capsys, "goal-seek", "--scenario", str(CORES), "--zone", "sunan",
                               "--target", "overtake:zhangjiang", "--by", "2025", "--levers",
                               "vc_investment,rd_spending", "--out", str(out_file), "--lang", "zh")
    assert status == 0, err
    assert foreign_words(untyped(out.split("共评估")[0])) == []
    found = load_scenario(out_file, SHIPPED)
    assert found.is_plan and found.interventions[-1].timing.each_year
    result = run_plan(SHIPPED, found)
    assert result.year(2025).scored.ranks["sunan"] < result.year(2025).scored.ranks["zhangjiang"]


def test_total_change_compounds_percentages_and_multiplies_amounts():
    out = total_change(np.array([[0.1, 2.0, 0.5]]), np.array([True, False, True]), 3)
    np.testing.assert_allclose(out, [[1.1 ** 3 - 1, 6.0, 1.5 ** 3 - 1]], rtol=1e-15)


def test_robustness_of_a_plan_gives_rank_probabilities_per_year():
    plan = load_scenario(CATCH_UP, SHIPPED)
    report = plan_robustness(SHIPPED, plan, draws=400, seed=7, trend_noise=0.02)
    again = plan_robustness(SHIPPED, plan, draws=400, seed=7, trend_noise=0.02)
    assert report.years == (2021, 2022, 2023, 2024, 2025)
    for path in ("plan", "baseline"):
        np.testing.assert_array_equal(report.rank_probabilities[path], again.rank_probabilities[path])
        probabilities = report.rank_probabilities[path]
        np.testing.assert_allclose(probabilities.sum(axis=2), 1.0)  # per zone
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)  # per rank
    # Uncertainty grows with the horizon: the plan's 2021 ranks are surer than its 2025 ones.
    top = report.rank_probabilities["plan"].max(axis=2).mean(axis=1)
    assert top[0] >= top[-1]
    assert report.score_low.shape == (5, 5) and (report.score_low <= report.score_high).all()


def test_robustness_without_noise_is_the_plan_itself():
    plan = load_scenario(FUND, SHIPPED)
    report = plan_robustness(SHIPPED, plan, draws=20, seed=1, trend_noise=0.0)
    result = run_plan(SHIPPED, plan)
    for k, year in enumerate(report.years):
        ranks = result.ranks("plan").loc[year].to_numpy()
        for i in range(5):
            assert report.rank_probabilities["plan"][k, i, ranks[i] - 1] == 1.0
        np.testing.assert_allclose(report.score_median[k], result.scores("plan").loc[year].to_numpy(), rtol=1e-12)


def test_robustness_on_the_command_line(capsys):
    status, out, err = run_cli(capsys, "robustness", str(CATCH_UP), "--draws", "300", "--seed", "3",
                               "--trend-noise", "2%", "--lang", "zh", "--no-progress")
    assert status == 0, err
    assert "2025 年（实施规划）" in out and foreign_words(untyped(out)) == []
    status, out, _ = run_cli(capsys, "robustness", str(CATCH_UP), "--draws", "300", "--seed", "3",
                             "--format", "json", "--no-progress")
    data = json.loads(out)
    assert data["trend_noise"] == 0.02 and len(data["years"]) == 5
