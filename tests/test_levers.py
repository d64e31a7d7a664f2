"""Lever ranking (sim/analysis/levers.py): batched gains agree with the engine."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.analysis.levers import RIVAL_GAIN_SHOWN, STEPS, lever_matrix, lever_report, standard_step
from sim.engine import analysis_model as build_model
from sim.engine import run_scenario
from sim.errors import UsageError
from sim.scenario import baseline_scenario, parse_scenario



def engine_gain(package, start, zone, intervention):
    """Finite difference through the engine: the scenario plus one intervention."""
    from dataclasses import replace

    stepped = replace(start, interventions=tuple(start.interventions) + (intervention,))
    before = run_scenario(package, start).scored
    after = run_scenario(package, stepped).scored
    return after.scores - before.scores, after.ranks


@pytest.mark.parametrize("zone", ["sunan", "shenzhen"])
def test_gains_agree_with_finite_differences_through_the_engine(shipped, zone):
    start = baseline_scenario(shipped, 2020)
    report = lever_report(shipped, zone, scenario=start)
    model = build_model(shipped, start)
    row = model.zone_row(zone)
    # Every indicator's +10 % step, and the +1 sd step of a third of them (the engine is slow).
    for position, indicator in enumerate(shipped.indicator_ids):
        for step in STEPS if position % 3 == 0 else ("10%",):
            intervention = standard_step(model, row, model.column(indicator), step)
            deltas, ranks = engine_gain(shipped, start, zone, intervention)
            assert report.table.at[indicator, f"gain_{step}"] == pytest.approx(deltas[zone], abs=1e-9)
            assert report.table.at[indicator, f"rank_{step}"] == ranks[zone]
            rivals = deltas.drop(zone)
            assert report.table.at[indicator, f"rivals_gain_{step}"] == pytest.approx(rivals.max(), abs=1e-9)
            assert set(report.table.at[indicator, f"helped_rivals_{step}"]) == set(rivals.index[rivals >= RIVAL_GAIN_SHOWN])


def test_gains_agree_with_the_engine_on_a_scenario_with_links(tiny_package):
    start = parse_scenario(
        "version: 1\nname: start\nyear: 2020\ninterventions:\n"
        "  - {zone: shenzhen, indicator: rd_spending, by: +20%}\n", tiny_package)
    report = lever_report(tiny_package, "zhangjiang", scenario=start)
    model = build_model(tiny_package, start)
    for indicator in tiny_package.indicator_ids:
        for step in STEPS:
            intervention = standard_step(model, model.zone_row("zhangjiang"), model.column(indicator), step)
            deltas, _ = engine_gain(tiny_package, start, "zhangjiang", intervention)
            assert report.table.at[indicator, f"gain_{step}"] == pytest.approx(deltas["zhangjiang"], abs=1e-9)


def test_steps_are_standard(pkg3):
    report = lever_report(pkg3, "chaser", year=2020)
    table = report.table
    assert table.at["spend", "step_10%"] == "+10%"
    assert table.at["firms", "step_10%"] == "+4"  # 10 % of 40 firms, whole
    sd = float(np.std(pkg3.table(2020)["exports"], ddof=1))
    assert table.at["exports", "step_1sd"] == f"{sd:+.4g}"
    # Sorted by the +10 % gain, largest first.
    gains = table["gain_10%"].to_numpy()
    assert (np.diff(gains) <= 1e-12).all()
    assert report.to_dict()["levers"][0]["indicator"] == table.index[0]


def test_min_max_artefact_is_flagged_when_the_zone_stays_last(pkg3):
    # Scores on min-max: the chaser is last on spend (50 < 80 < 100); +10 % (55) keeps it
    # last, so its normalised value stays 0 and the step earns nothing directly.
    scenario = baseline_scenario(pkg3, 2020, {"score_normalization": "minmax", "weights": "equal"})
    report = lever_report(pkg3, "chaser", scenario=scenario)
    assert report.table.at["spend", "stays_last_10%"]
    assert report.table.at["spend", "gain_10%"] == pytest.approx(0.0, abs=1e-12)
    assert "spend" in report.no_credit("10%")
    # On exports the chaser is not last (60 > 50): no flag, a real gain.
    assert not report.table.at["exports", "stays_last_10%"]
    assert report.table.at["exports", "gain_10%"] > 0
    # Under ratio scores there is no such artefact.
    ratio = lever_report(pkg3, "chaser", scenario=baseline_scenario(pkg3, 2020, {"weights": "equal"}))
    assert not ratio.table["stays_last_10%"].any()


def test_levers_that_help_rivals_are_flagged(pkg3):
    # Recomputed weights: the rival's +10 % on firms (60 -> 66) makes the firms column
    # less informative, its entropy weight falls and the weight moves to the columns
    # where the chaser does relatively well: the chaser gains too.
    report = lever_report(pkg3, "rival", year=2020)
    assert "firms" in report.helps_rivals("10%")
    assert report.table.at["firms", "helped_rivals_10%"] == ["chaser"]
    assert report.table.at["firms", "rivals_gain_10%"] > 0.1
    for indicator in report.helps_rivals("10%"):
        assert report.table.at[indicator, "rivals_gain_10%"] > 0
    # With equal weights and ratio scores below the maximum, nobody else moves.
    fixed = lever_report(pkg3, "chaser", scenario=baseline_scenario(pkg3, 2020, {"weights": "equal"}))
    assert fixed.helps_rivals("10%") == []
    assert (fixed.table["rivals_gain_10%"].abs() < 1e-9).all()


def test_steps_are_capped_at_the_valid_range(shipped):
    # A share near its maximum of 100 %: the +1 sd step stops at 100 and says so.
    start = parse_scenario(
        "version: 1\nname: near the top\nyear: 2020\ninterventions:\n"
        "  - {zone: sunan, indicator: high_tech_revenue_share, to: 99.5}\n", shipped)
    report = lever_report(shipped, "sunan", scenario=start)
    assert report.table.at["high_tech_revenue_share", "step_1sd"] == "to 100"
    assert report.table.at["high_tech_revenue_share", "capped_1sd"]
    assert np.isfinite(report.table.at["high_tech_revenue_share", "gain_1sd"])


def test_lever_matrix_matches_the_report(pkg3):
    matrix = lever_matrix(pkg3, year=2020)
    assert matrix.shape == (3, 3)
    for zone in pkg3.zone_ids:
        report = lever_report(pkg3, zone, year=2020)
        for indicator in pkg3.indicator_ids:
            assert matrix.at[zone, indicator] == pytest.approx(report.table.at[indicator, "gain_10%"], abs=1e-12)


def test_bad_input(shipped):
    with pytest.raises(UsageError, match="did you mean 'sunan'"):
        lever_report(shipped, "sunnan")
    with pytest.raises(UsageError, match="did you mean 'unicorns'"):
        lever_report(shipped, "sunan", indicators=["unicorn"])
    with pytest.raises(UsageError, match="sort by"):
        lever_report(shipped, "sunan", sort_by="2sd")


def test_cli_levers(shipped, capsys):
    assert cli.main(["levers", "--zone", "sunan", "--year", "2020", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zone"] == "sunan" and len(data["levers"]) == len(shipped.indicator_ids)
    gains = [row["10%"]["gain"] for row in data["levers"]]
    assert gains == sorted(gains, reverse=True)
    assert cli.main(["levers", "--zone", "sunan"]) == 0
    assert "+10%" in capsys.readouterr().out
    assert cli.main(["levers", "--zone", "sunan", "--format", "csv"]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert len(frame) == len(shipped.indicator_ids)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--zone", "sunnan"], "did you mean 'sunan'"),
        (["--zone", "sunan", "--year", "1999"], "not in the data"),
        (["--zone", "sunan", "--indicators", "rd_spendng"], "did you mean 'rd_spending'"),
        (["--zone", "sunan", "--scenario", "no_such_file.yaml"], "no such file"),
    ],
)
def test_cli_bad_arguments_exit_2(args, words, capsys):
    assert cli.main(["levers", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_lever_chart_builders(pkg3):
    import altair as alt

    from sim.analysis import charts

    report = lever_report(pkg3, "chaser", year=2020)
    bar = charts.levers_bar_chart(report)
    assert isinstance(bar, alt.Chart)
    spec = bar.to_dict()
    assert spec["mark"]["type"] == "bar"
    values = spec["datasets"][spec["data"]["name"]]
    assert {row["indicator"] for row in values} == set(pkg3.indicator_ids)
    # Sorted like the report.
    assert spec["encoding"]["y"]["sort"] == list(report.table.index)
    heat = charts.levers_heatmap(lever_matrix(pkg3, year=2020))
    assert isinstance(heat, alt.Chart)
    assert heat.to_dict()["mark"]["type"] == "rect"


# --------------------------------------------------------------------- plain words (issue 11)


@pytest.mark.parametrize("zone, sort", [("sunan", "10%"), ("donghu", "1sd"), ("shenzhen", "10%")])
def test_levers_text_in_chinese_has_no_latin_word_and_opens_with_the_answer(shipped, capsys, zone, sort):
    from latin import foreign_words

    from sim.analysis.lever_text import top_lever_message
    from sim.messages import render

    assert cli.main(["levers", "--zone", zone, "--sort", sort, "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    assert foreign_words(text) == [], text
    report = lever_report(shipped, zone, sort_by=sort)
    assert text.splitlines()[4] == render(top_lever_message(report), "zh", shipped.name)
    assert "基准" in text.splitlines()[0]  # the baseline by its name, not "baseline"


def test_the_top_sentence_names_the_best_lever_and_the_rank_it_gives(shipped):
    from sim.analysis.lever_text import top_lever_message

    report = lever_report(shipped, "sunan")
    best = report.table.index[0]
    sentence = top_lever_message(report).render("en", shipped.name)
    assert shipped.name("indicator", best, "en") in sentence
    assert f"+{report.table.at[best, 'gain_10%']:.3f} points" in sentence


def test_steps_never_print_in_exponent_form(shipped):
    report = lever_report(shipped, "sunan")
    for step in STEPS:
        assert not any("e+" in text or "e-" in text for text in report.table[f"step_{step}"]), step


def test_cli_csv_headers_follow_the_language(shipped, capsys):
    assert cli.main(["levers", "--zone", "sunan", "--format", "csv", "--lang", "zh"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:5] == ["示范区代码", "示范区", "指标代码", "指标", "权重"]
    assert "得分增益（+10%）" in header and "得分增益（+1 标准差）" in header
