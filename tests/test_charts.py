"""Chart builders and display tables (sim/charts.py): their data and encodings, no browser."""

from __future__ import annotations

import altair as alt
import pytest

from sim.charts import (
    comparison_labels,
    comparison_wide_frame,
    decomposition_chart,
    group_contributions_chart,
    rank_chart,
    ranking_frame,
    scores_chart,
    weight_drift_chart,
)
from sim.data import load_package
from sim.engine import run_scenario
from sim.scenario import baseline_scenario, scenario_from_dict


@pytest.fixture(scope="module")
def package():
    return load_package()


@pytest.fixture(scope="module")
def result(package):
    year = package.years[-1]
    zone = package.zone_ids[-1]
    document = {
        "version": 1, "name": "push", "name_zh": "推动", "year": year,
        "interventions": [{"zone": zone, "indicator": "unicorns", "by": 10},
                          {"zone": zone, "indicator": "vc_investment", "by": "+80%"}],
    }
    return run_scenario(package, scenario_from_dict(document, package))


@pytest.fixture(scope="module")
def baseline(package):
    return run_scenario(package, baseline_scenario(package, package.years[-1]))


def _spec(chart) -> dict:
    return chart.to_dict()  # validates against the Vega-Lite schema


def test_scores_chart_has_baseline_and_scenario_per_zone(package, result):
    chart = scores_chart(result, package, "en")
    assert isinstance(chart, alt.Chart)
    data = chart.data
    assert len(data) == 2 * len(package.zone_ids)
    for zone in package.zone_ids:
        rows = data[data["zone"] == zone].set_index("series")["score"]
        assert rows["baseline"] == pytest.approx(result.baseline.scores[zone])
        assert rows["scenario"] == pytest.approx(result.scored.scores[zone])
    spec = _spec(chart)
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "score"
    assert spec["encoding"]["yOffset"]["field"] == "series"
    # zones in ranking order, best first
    assert spec["encoding"]["y"]["sort"] == [package.name("zone", z, "en") for z in result.ranking().index]


def test_scores_chart_speaks_chinese(package, result):
    chart = scores_chart(result, package, "zh")
    assert set(chart.data["series"]) == {"基准", "情景"}
    assert set(chart.data["zone_name"]) == {package.name("zone", z, "zh") for z in package.zone_ids}
    assert chart.to_dict()["title"] == "综合得分：基准与情景"


def test_group_contributions_add_up_to_the_score(package, result):
    chart = group_contributions_chart(result, package, "en")
    data = chart.data
    assert set(data["group"]) == set(package.groups.index)
    totals = data.groupby("zone")["points"].sum()
    for zone in package.zone_ids:
        assert totals[zone] == pytest.approx(result.scored.scores[zone])
    spec = _spec(chart)
    assert spec["encoding"]["x"]["stack"] == "zero"
    assert spec["encoding"]["color"]["field"] == "group_name"
    assert spec["encoding"]["color"]["scale"]["domain"] == [package.name("group", g, "en") for g in package.groups.index]
    assert spec["encoding"]["order"]["field"] == "group_order"


def test_weight_drift_is_in_percentage_points_and_sorted(package, result):
    chart = weight_drift_chart(result, package, "en")
    data = chart.data
    assert len(data) == len(package.indicator_ids)
    drift = result.weight_drift.set_index(result.weight_drift.index)
    for _, row in data.iterrows():
        assert row["change"] == pytest.approx(100 * drift.at[row["indicator"], "change"])
        assert row["weight"] == pytest.approx(100 * result.scored.weights[row["indicator"]])
    sizes = data["change"].abs().tolist()
    assert sizes == sorted(sizes, reverse=True)
    assert len(weight_drift_chart(result, package, "en", top=5).data) == 5
    spec = _spec(chart)
    assert spec["encoding"]["x"]["field"] == "change"
    assert "condition" in spec["encoding"]["color"]


def test_decomposition_parts_add_up_to_the_change(package, result):
    chart = decomposition_chart(result, package, "en")
    assert isinstance(chart, alt.LayerChart)
    data = chart.data
    assert set(data["part"]) == {"data change", "weight shift"}
    sums = data.groupby("zone")["points"].sum()
    for zone in package.zone_ids:
        assert sums[zone] == pytest.approx(result.delta[zone], abs=1e-9)
    spec = _spec(chart)
    assert [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]] == [
        "bar", "tick"
    ]


def test_decomposition_of_nothing_is_exactly_zero(package, baseline):
    data = decomposition_chart(baseline, package, "en").data
    assert (data["points"] == 0).all() and (data["total"] == 0).all()


def test_rank_chart_is_a_bump_chart_with_rank_one_on_top(package, result, baseline):
    labels = comparison_labels([baseline, result], "en")
    assert labels == ["[1] baseline", "[2] push"]
    chart = rank_chart([baseline, result], package, "en", labels)
    data = chart.data
    assert len(data) == 2 * len(package.zone_ids)
    for zone in package.zone_ids:
        ranks = data[data["zone"] == zone].set_index("scenario")["rank"]
        assert ranks["[1] baseline"] == baseline.scored.ranks[zone]
        assert ranks["[2] push"] == result.scored.ranks[zone]
    spec = _spec(chart)
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["x"]["sort"] == labels
    domain = line["encoding"]["y"]["scale"]["domain"]
    assert domain[0] > domain[1]  # reversed: rank 1 at the top
    assert spec["layer"][2]["mark"]["type"] == "text"


def test_rank_chart_keeps_scenarios_with_the_same_name_apart(package, result):
    labels = comparison_labels([result, result], "zh")
    assert labels == ["[1] 推动", "[2] 推动"]
    assert rank_chart([result, result], package, "zh").data["scenario"].nunique() == 2


def test_ranking_frame_shows_ranks_deltas_and_arrows(package, result):
    frame = ranking_frame(result, package, "en")
    assert list(frame.columns) == ["rank", "zone", "score", "Δ score", "Δ rank", "baseline score", "baseline rank"]
    ranking = result.ranking()
    assert list(frame["zone"]) == [package.name("zone", z, "en") for z in ranking.index]
    assert list(frame["rank"]) == list(ranking["rank"])
    for arrow, change in zip(frame["Δ rank"], ranking["rank_change"]):
        assert arrow == ("–" if change == 0 else f"▲{change}" if change > 0 else f"▼{-change}")
    zh = ranking_frame(result, package, "zh")
    assert list(zh.columns)[:3] == ["排名", "示范区", "得分"]


def test_comparison_wide_frame(package, result, baseline):
    frame = comparison_wide_frame([baseline, result], package, "en", ["[1]", "[2]"])
    assert list(frame.columns) == [
        "zone", "baseline rank", "[1] score", "[1] rank", "[1] Δ score", "[1] Δ rank",
        "[2] score", "[2] rank", "[2] Δ score", "[2] Δ rank",
    ]
    assert (frame["[1] Δ score"] == 0).all()
    first = package.name("zone", baseline.ranking().index[0], "en")
    assert frame["zone"].iloc[0] == first


def test_user_text_stays_data_in_charts(package):
    """A scenario name with HTML ends up as a data value (Vega draws text, never HTML)."""
    document = {"version": 1, "name": "<img src=x onerror=alert(1)>", "year": package.years[-1]}
    evil = run_scenario(package, scenario_from_dict(document, package))
    chart = rank_chart([evil, evil], package, "en")
    assert chart.data["scenario"].iloc[0] == "[1] <img src=x onerror=alert(1)>"
