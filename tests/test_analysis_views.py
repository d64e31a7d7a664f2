"""Display helpers of the analysis tabs (sim/analysis/views.py), goal-seek's whole-percent
writing, and the analysis charts in Chinese. No Streamlit."""

from __future__ import annotations


import pandas as pd
import pytest

from sim.analysis import charts
from sim.analysis.goalseek import Target, goal_seek, parse_target
from sim.analysis.levers import lever_matrix, lever_report
from sim.analysis.robustness import robustness
from sim.analysis.views import (
    VARY_CHOICES,
    default_rival,
    display_names,
    found_scenario,
    goal_seek_chance,
    goal_seek_changes_frame,
    goal_seek_ranking_frame,
    goal_seek_verdict,
    lever_flags,
    lever_frame,
    robustness_frame,
    target_label,
    target_text,
    top_lever,
    vary_normalizations,
    weight_stability_frame,
)
from sim.chart_style import title_text  # titles wrap into lines (issue 11)
from sim.engine import run_scenario
from sim.errors import UsageError
from sim.i18n import t
from sim.scenario import baseline_scenario, scenario_from_dict



# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    "kind, values, text",
    [("rank", {"rank": 2}, "rank:2"), ("overtake", {"rival": "rival"}, "overtake:rival"),
     ("score", {"score": 65.5}, "score:65.5"), ("score", {"score": 70}, "score:70")],
)
def test_target_text_is_what_parse_target_reads(pkg3, kind, values, text):
    assert target_text(kind, **values) == text
    target = parse_target(text, pkg3.zone_ids, "chaser")
    assert target.kind == kind


def test_an_unknown_target_kind_is_a_usage_error():
    with pytest.raises(UsageError, match="allowed: rank, overtake, score"):
        target_text("beat")


def test_target_labels_in_both_languages(pkg3):
    names = display_names(pkg3, "zh")
    assert target_label(Target("rank", rank=1), "zh") == "第 1 名"
    assert target_label(Target("rank", rank=2), "en") == "rank 2 or better"
    assert target_label(Target("overtake", rival="rival"), "zh", names) == "超过对手区"
    assert target_label(Target("overtake", rival="rival"), "en") == "overtake rival"
    assert target_label(Target("score", score=65.0), "en") == Target("score", score=65.0).describe()


def test_default_rival_is_the_zone_just_ahead(pkg3):
    result = run_scenario(pkg3, baseline_scenario(pkg3, 2020))
    order = list(result.ranking().index)
    assert default_rival(result, order[-1]) == order[-2]
    assert default_rival(result, order[0]) == order[1]


# --------------------------------------------------------------------------- goal-seek


def test_verdicts_for_reached_already_and_not_reachable(pkg3):
    # By the default margin (0.01 points) the win is too close to call: a warning, with its chance.
    close = goal_seek(pkg3, "chaser", "overtake:rival", year=2020)
    assert close.reached and close.changes and close.too_close
    level, text = goal_seek_verdict(close, pkg3, "zh")
    assert level == "warning" and "追赶区" in text and "超过对手区" in text
    assert f"总变动 Σ|Δ%| {close.total_change:.2f}" in text and "难分胜负" in text
    assert f"余量只有 {close.margin:.2f} 分" in text and goal_seek_chance(close) in text
    # By 10 points it is clear: a success that says so.
    wide = goal_seek(pkg3, "chaser", "overtake:rival", year=2020, margin=10, max_change=200)
    assert wide.reached and not wide.too_close
    level, text = goal_seek_verdict(wide, pkg3, "en")
    assert level == "success" and "Clear: the margin of" in text and goal_seek_chance(wide) in text

    already = goal_seek(pkg3, "leader", "rank:1", year=2020)
    assert goal_seek_verdict(already, pkg3, "en")[0] == "info"

    short = goal_seek(pkg3, "chaser", "rank:1", year=2020, levers=["spend"], max_change=1)
    assert not short.reached
    level, text = goal_seek_verdict(short, pkg3, "en")
    assert level == "warning" and text.startswith("Not reachable within these bounds")
    assert "Too close" not in text and "Clear" not in text  # no chance of a target not reached


def test_found_scenario_gets_a_chinese_name(pkg3):
    answer = goal_seek(pkg3, "chaser", "overtake:rival", year=2020)
    found = found_scenario(answer, pkg3)
    assert found.name_zh == "目标求解：追赶区超过对手区"  # from the baseline: no prefix
    assert found.interventions == answer.scenario.interventions and found.name == answer.scenario.name
    start = scenario_from_dict({"version": 1, "name": "push", "name_zh": "推动", "year": 2020,
                                "interventions": [{"zone": "chaser", "indicator": "firms", "by": 1}]}, pkg3)
    short = goal_seek(pkg3, "chaser", "rank:1", scenario=start, levers=["spend"], max_change=1)
    assert found_scenario(short, pkg3).name_zh == "推动 + 目标求解：追赶区第 1 名（最佳可达结果，未达到目标）"


def test_goal_seek_frames(pkg3):
    answer = goal_seek(pkg3, "chaser", "overtake:rival", year=2020)
    frame = goal_seek_changes_frame(answer, pkg3, "en")
    # every lever weighs 1 here, so the part of the total is the |Δ%| itself: no second column
    assert list(frame.columns) == ["indicator", "change", "before", "after", "|Δ%|"]
    assert len(frame) == len(answer.changes)
    assert list(frame["|Δ%|"]) == sorted(frame["|Δ%|"], reverse=True)
    assert frame["|Δ%|"].sum() == pytest.approx(answer.total_change, abs=0.01 * len(frame))
    weighted = goal_seek(pkg3, "chaser", "overtake:rival", year=2020, costs={"exports": 2})
    assert list(goal_seek_changes_frame(weighted, pkg3, "zh").columns)[-2:] == ["幅度 |Δ%|", "计入总变动"]
    ranking = goal_seek_ranking_frame(answer, pkg3, "zh")
    assert list(ranking["排名"]) == sorted(ranking["排名"])
    row = ranking.set_index("示范区").loc["追赶区"]
    assert row["调整前排名"] == answer.rank_before and row["排名"] == answer.rank_after
    # the gap to the next zone: for the chaser, just ahead of the rival, that is the margin
    assert row["领先下一名"] == pytest.approx(round(answer.margin, 2))
    assert pd.isna(ranking["领先下一名"].iloc[-1])


@pytest.mark.parametrize("zone", ["sunan", "donghu"])
def test_whole_percent_answers_show_on_the_sliders_and_still_reach(shipped, zone):
    if zone not in shipped.zone_ids:
        pytest.skip("zone not in the data")
    order = list(run_scenario(shipped, baseline_scenario(shipped)).ranking().index)
    if order.index(zone) == 0:
        pytest.skip("the zone leads already")
    target = f"rank:{order.index(zone)}"
    plain = goal_seek(shipped, zone, target)
    whole = goal_seek(shipped, zone, target, whole_percent=True)
    assert whole.reached == plain.reached
    for change in whole.changes:
        if change.text.endswith("%"):
            assert float(change.text[:-1]).is_integer(), change.text
    if whole.reached:  # verified with the engine: the written scenario reaches the target
        result = run_scenario(shipped, whole.scenario)
        assert int(result.scored.ranks[zone]) <= order.index(zone)
        # a little more change than the least, at most one percentage point per lever
        assert plain.total_change - 1e-9 <= whole.total_change <= plain.total_change + len(whole.changes) + 1e-9


# --------------------------------------------------------------------------- levers


def test_lever_frame_and_flags_follow_the_report(shipped):
    zone = shipped.zone_ids[-1]
    report = lever_report(shipped, zone)
    frame = lever_frame(report, shipped, "en")
    assert len(frame) == len(shipped.indicator_ids)
    assert list(frame["indicator"]) == [shipped.name("indicator", i, "en") for i in report.table.index]
    flags = lever_flags(report)
    assert list(flags.index[flags["stays_last"]]) == report.no_credit()
    assert list(flags.index[flags["helps"].map(bool)]) == report.helps_rivals()
    for indicator, text in zip(report.table.index, frame["flags"]):
        assert ("no credit" in text) == bool(flags.at[indicator, "stays_last"])
    best = top_lever(report)
    assert best is None or best == report.table.index[0]


def test_top_lever_is_none_when_nothing_helps(pkg3):
    report = lever_report(pkg3, "leader", year=2020)
    gains = report.table["gain_10%"]
    assert (top_lever(report) is None) == (not float(gains.max()) > 0)


# --------------------------------------------------------------------------- robustness


def test_vary_normalizations():
    assert vary_normalizations("fixed") == (None, None)
    assert vary_normalizations("both") == ("all", "all")
    assert set(VARY_CHOICES) == {"fixed", "scores", "weights", "both"}
    with pytest.raises(UsageError, match="allowed: fixed, scores, weights, both"):
        vary_normalizations("some")


def test_robustness_frames(pkg3):
    scenario = baseline_scenario(pkg3, 2020)
    pushed = scenario_from_dict({**scenario.to_dict(), "interventions": [
        {"zone": "chaser", "indicator": "spend", "by": "+40%"}]}, pkg3)
    report = robustness(pkg3, pushed, draws=400, seed=3, bootstrap=50)
    frame = robustness_frame(report, pkg3, "en")
    assert list(frame["zone"]) == [pkg3.name("zone", z, "en") for z in report.rank.sort_values().index]
    p_columns = [c for c in frame.columns if c.startswith("P(#")]
    assert len(p_columns) == 3
    assert (frame[p_columns].sum(axis=1) - 100).abs().max() <= 0.2  # rounded to 0.1 each
    assert "P(beats baseline rank) %" in frame.columns
    weights = weight_stability_frame(report, pkg3, "zh")
    assert list(weights["权重 %"]) == sorted(weights["权重 %"], reverse=True)
    plain = robustness(pkg3, scenario, draws=100, seed=3, bootstrap=0)
    assert "P(beats baseline rank) %" not in robustness_frame(plain, pkg3, "en").columns


# --------------------------------------------------------------------------- charts in Chinese


def test_the_analysis_charts_speak_chinese_and_keep_the_ids(pkg3):
    names = display_names(pkg3, "zh")
    answer = goal_seek(pkg3, "chaser", "overtake:rival", year=2020)
    spec = charts.goal_seek_chart(answer, names, "zh").to_dict()
    assert title_text(spec["title"]).startswith("追赶区：超过对手区")
    rows = spec["datasets"][spec["data"]["name"]]
    assert {r["when"] for r in rows} == {"before", "after"}
    assert {r["series"] for r in rows} == {t("ch_before", "zh"), t("ch_after", "zh")}
    assert {r["zone"] for r in rows} == set(pkg3.zone_ids)
    # the effort is the total change (the sum of |Δ%|), not a cost; each change's part of it in its tooltip
    assert f"Σ|Δ%| {answer.total_change:.1f}" in title_text(spec["title"])
    changes = charts.goal_seek_changes_chart(answer, names, "zh").to_dict()
    assert "weighted_change" in [tip["field"] for tip in changes["encoding"]["tooltip"]]
    # horizontal bars: every zone named on the y axis, before and after side by side
    assert spec["encoding"]["y"]["field"] == "label" and spec["encoding"]["yOffset"]["field"] == "series"

    report = lever_report(pkg3, "chaser", year=2020)
    bar = charts.levers_bar_chart(report, names, lang="zh").to_dict()
    assert bar["title"] == t("ch_lever_title", "zh", zone="追赶区", year=2020)
    assert bar["encoding"]["y"]["sort"] == [names[i] for i in report.table.index]
    heat = charts.levers_heatmap(lever_matrix(pkg3, year=2020), names, "+10%", "zh").to_dict()
    assert heat["encoding"]["color"]["title"] == t("ch_gain", "zh")

    rob = robustness(pkg3, year=2020, draws=200, seed=1, bootstrap=20)
    layered = (charts.rank_probability_heatmap(rob, names, "zh") + charts.rank_probability_labels(rob, names)).to_dict()
    assert layered["layer"][0]["title"] == t("ch_rank_prob_title", "zh", draws="200")
    assert charts.weight_stability_chart(rob, names, "zh").to_dict()["title"] == t("ch_weight_title", "zh")
    # English stays the default
    assert title_text(charts.goal_seek_chart(answer).to_dict()["title"]).startswith("chaser: overtake rival (reached")
