"""Chart builders and display tables (sim/charts.py, sim/chart_style.py): data, encodings, colours, no browser.

A chart is a layer of its marks and its footer (the data's provenance line): the marks'
data are in ``chart.layer[0].data`` (or on the layer) and their spec in ``spec["layer"][0]``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from sim.provenance import chart_footer
from sim.chart_style import (
    BASELINE_COLOR,
    DOWN_COLOR,
    GREEN_RAMP,
    GROUP_COLORS,
    MUTED_COLOR,
    PART_COLORS,
    SCENARIO_COLOR,
    STEP_COLORS,
    TEXT_COLOR,
    UP_COLOR,
    ZERO_FILL,
    ZONE_COLORS,
    contrast,
    display_width,
    ramp_color,
    wrap_label,
    zone_colors,
)
from sim.charts import (
    comparison_labels,
    comparison_wide_frame,
    decomposition_chart,
    group_contributions_chart,
    rank_chart,
    ranking_frame,
    score_chart,
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


def _data(chart):
    """The data of the chart's marks (on the layer, or on its first layer)."""
    return chart.data if isinstance(chart.data, pd.DataFrame) else chart.layer[0].data


def _marks(chart) -> dict:
    """The spec of the chart's marks (its first layer), validated with the whole chart."""
    return _spec(chart)["layer"][0]


def test_scores_chart_has_baseline_and_scenario_per_zone(package, result):
    chart = scores_chart(result, package, "en")
    assert isinstance(chart, alt.LayerChart)
    data = _data(chart)
    assert len(data) == 2 * len(package.zone_ids)
    for zone in package.zone_ids:
        rows = data[data["zone"] == zone].set_index("series")["score"]
        assert rows["baseline"] == pytest.approx(result.baseline.scores[zone])
        assert rows["scenario"] == pytest.approx(result.scored.scores[zone])
    spec = _marks(chart)
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "score"
    assert spec["encoding"]["yOffset"]["field"] == "series"
    # zones in ranking order, best first (names as the axis shows them: wrapped)
    assert spec["encoding"]["y"]["sort"] == [wrap_label(package.name("zone", z, "en")) for z in result.ranking().index]


def test_scores_chart_speaks_chinese(package, result):
    chart = scores_chart(result, package, "zh")
    data = _data(chart)
    assert set(data["series"]) == {"基准", "情景"}
    assert set(data["zone_name"]) == {package.name("zone", z, "zh") for z in package.zone_ids}
    assert _marks(chart)["title"] == "综合得分：基准与情景"


def test_group_contributions_add_up_to_the_score(package, result):
    chart = group_contributions_chart(result, package, "en")
    data = _data(chart)
    assert set(data["group"]) == set(package.groups.index)
    totals = data.groupby("zone")["points"].sum()
    for zone in package.zone_ids:
        assert totals[zone] == pytest.approx(result.scored.scores[zone])
    spec = _marks(chart)
    assert spec["encoding"]["x"]["stack"] == "zero"
    assert spec["encoding"]["color"]["field"] == "group_name"
    assert spec["encoding"]["color"]["scale"]["domain"] == [package.name("group", g, "en") for g in package.groups.index]
    assert spec["encoding"]["order"]["field"] == "group_order"


def test_weight_drift_is_in_percentage_points_and_sorted(package, result):
    chart = weight_drift_chart(result, package, "en")
    data = _data(chart)
    assert len(data) == len(package.indicator_ids)
    drift = result.weight_drift.set_index(result.weight_drift.index)
    for _, row in data.iterrows():
        assert row["change"] == pytest.approx(100 * drift.at[row["indicator"], "change"])
        assert row["weight"] == pytest.approx(100 * result.scored.weights[row["indicator"]])
    sizes = data["change"].abs().tolist()
    assert sizes == sorted(sizes, reverse=True)
    assert len(_data(weight_drift_chart(result, package, "en", top=5))) == 5
    spec = _marks(chart)
    assert spec["encoding"]["x"]["field"] == "change"
    assert "condition" in spec["encoding"]["color"]


def test_decomposition_parts_add_up_to_the_change(package, result):
    chart = decomposition_chart(result, package, "en")
    assert isinstance(chart, alt.LayerChart)
    data = _data(chart)
    assert set(data["part"]) == {"data change", "weight shift"}
    sums = data.groupby("zone")["points"].sum()
    for zone in package.zone_ids:
        assert sums[zone] == pytest.approx(result.delta[zone], abs=1e-9)
    spec = _spec(chart)
    assert [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]] == [
        "bar", "tick", "text"  # the parts, the total, the footer
    ]


def test_decomposition_of_nothing_is_exactly_zero(package, baseline):
    data = _data(decomposition_chart(baseline, package, "en"))
    assert (data["points"] == 0).all() and (data["total"] == 0).all()


def test_rank_chart_is_a_bump_chart_with_rank_one_on_top(package, result, baseline):
    labels = comparison_labels([baseline, result], "en")
    assert labels == ["[1] baseline", "[2] push"]
    chart = rank_chart([baseline, result], package, "en", labels)
    data = _data(chart)
    assert len(data) == 2 * len(package.zone_ids)
    for zone in package.zone_ids:
        ranks = data[data["zone"] == zone].set_index("scenario")["rank"]
        assert ranks["[1] baseline"] == baseline.scored.ranks[zone]
        assert ranks["[2] push"] == result.scored.ranks[zone]
        # each point carries its score, so a near tie reads as one
        shown = data[data["zone"] == zone].set_index("scenario")["score_text"]
        assert shown["[2] push"] == f"{result.scored.scores[zone]:.2f}"
    spec = _spec(chart)
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["x"]["sort"] == labels  # short labels: not wrapped
    domain = line["encoding"]["y"]["scale"]["domain"]
    assert domain[0] > domain[1]  # reversed: rank 1 at the top
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "circle", "text", "text", "text"]
    assert spec["layer"][2]["encoding"]["text"]["field"] == "score_text"


def test_rank_chart_keeps_scenarios_with_the_same_name_apart(package, result):
    labels = comparison_labels([result, result], "zh")
    assert labels == ["[1] 推动", "[2] 推动"]
    assert _data(rank_chart([result, result], package, "zh"))["scenario"].nunique() == 2


def test_ranking_frame_shows_ranks_deltas_and_arrows(package, result):
    frame = ranking_frame(result, package, "en")
    assert list(frame.columns) == ["rank", "zone", "score", "lead over next", "Δ score", "Δ rank", "baseline score",
                                   "baseline rank"]
    ranking = result.ranking()
    scores = list(ranking["score"])
    assert list(frame["lead over next"]) == [f"{a - b:.2f}" for a, b in zip(scores, scores[1:])] + ["–"]
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
    assert _data(chart)["scenario"].iloc[0] == "[1] <img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------- every chart: colours, contrast, footer


def _every_chart(package, result, baseline, lang, pkg3=None):
    """(name, chart) of every builder of the app, on the shipped data (analyses on ``pkg3``)."""
    charts = [
        ("scores", scores_chart(result, package, lang)),
        ("groups", group_contributions_chart(result, package, lang)),
        ("drift", weight_drift_chart(result, package, lang, top=12)),
        ("decomposition", decomposition_chart(result, package, lang)),
        ("rank", rank_chart([baseline, result], package, lang)),
        ("score", score_chart([baseline, result, result], package, lang)),
    ]
    if pkg3 is not None:
        from sim.analysis import charts as analysis
        from sim.analysis.goalseek import goal_seek
        from sim.analysis.levers import lever_matrix, lever_report
        from sim.analysis.robustness import robustness
        from sim.analysis.views import display_names

        names = display_names(pkg3, lang)
        footer = chart_footer(pkg3, lang, 2020)
        answer = goal_seek(pkg3, "chaser", "overtake:rival", year=2020)
        report = lever_report(pkg3, "chaser", year=2020)
        rob = robustness(pkg3, year=2020, draws=200, seed=1, bootstrap=20)
        charts += [
            ("goal-seek", analysis.goal_seek_chart(answer, names, lang, footer=footer)),
            ("goal-seek changes", analysis.goal_seek_changes_chart(answer, names, lang, footer=footer)),
            ("levers", analysis.levers_bar_chart(report, names, lang=lang, footer=footer)),
            ("levers heatmap", analysis.levers_heatmap(lever_matrix(pkg3, year=2020), names, "+10%", lang, footer)),
            ("rank probabilities", analysis.rank_probability_heatmap(rob, names, lang, footer)
             + analysis.rank_probability_labels(rob, names)),
            ("weights", analysis.weight_stability_chart(rob, names, lang, footer)
             + analysis.weight_stability_points(rob, names, lang)),
        ]
    return charts


def _units(spec: dict):
    """Every unit spec (one mark) in a spec, however layered."""
    for layer in spec.get("layer", []):
        yield from _units(layer)
    if "mark" in spec:
        yield spec


def _mark(unit: dict) -> dict:
    return unit["mark"] if isinstance(unit["mark"], dict) else {"type": unit["mark"]}


@pytest.fixture(scope="module")
def every_spec(package, result, baseline, pkg3):
    return {(lang, name): chart.to_dict() for lang in ("zh", "en")
            for name, chart in _every_chart(package, result, baseline, lang, pkg3)}


def test_every_chart_compiles_to_vega(every_spec):
    """The schema alone misses some errors (a layer whose colour channel has no scale): compile each chart."""
    import vl_convert

    for (lang, name), spec in every_spec.items():
        assert "marks" in vl_convert.vegalite_to_vega(spec), (lang, name)


def test_every_zone_has_one_colour_in_every_chart_and_both_languages(package, every_spec):
    expected = zone_colors(package.zone_ids)
    seen = set()
    for (lang, name), spec in every_spec.items():
        ids = {package.name("zone", z, lang): z for z in package.zone_ids} | {z: z for z in package.zone_ids}
        for unit in _units(spec):
            color = unit.get("encoding", {}).get("color", {})
            if color.get("field") in ("zone", "zone_name"):
                scale = color["scale"]
                shown = {ids[item]: colour for item, colour in zip(scale["domain"], scale["range"])}
                assert shown == expected, (lang, name)
                seen.add((lang, name))
    # the charts that tell zones apart by colour do it with the zone colours, in both languages
    assert {name for _, name in seen} == {"rank", "score"}
    assert len(seen) == 4
    assert len(set(expected.values())) == len(package.zone_ids)


def _colours(value) -> list[str]:
    """Fixed colours named in an encoding or mark property (values, conditions, scale ranges)."""
    if isinstance(value, str) and value.startswith("#"):
        return [value]
    if isinstance(value, dict):
        found = []
        for key in ("value", "condition"):
            if key in value:
                found += _colours(value[key])
        if isinstance(value.get("scale"), dict) and isinstance(value["scale"].get("range"), list):
            found += [c for c in value["scale"]["range"] if isinstance(c, str) and c.startswith("#")]
        return found
    if isinstance(value, list):
        return [c for item in value for c in _colours(item)]
    return []


def test_text_and_lines_read_at_wcag_aa_and_bars_at_three_to_one(every_spec):
    """Text and lines at least 4.5:1 on white (WCAG AA); bars and points at least 3:1 (non-text)."""
    for (lang, name), spec in every_spec.items():
        for unit in _units(spec):
            mark, encoding = _mark(unit), unit.get("encoding", {})
            colours = _colours(mark.get("color")) + _colours(encoding.get("color")) + _colours(encoding.get("stroke"))
            if mark["type"] in ("text", "line", "rule", "tick"):
                if "text_color" in str(encoding.get("color", {}).get("condition", "")):
                    continue  # black or white on its cell: checked against the cell's colour in the data
                assert colours or mark["type"] == "text" and "color" not in encoding, (lang, name, mark)
                for colour in colours:
                    assert contrast(colour) >= 4.5, (lang, name, mark["type"], colour)
            elif mark["type"] in ("bar", "circle", "point"):
                for colour in colours:
                    assert contrast(colour) >= 3.0, (lang, name, mark["type"], colour)
            for channel in ("x", "y"):
                chosen = encoding.get(channel, {}).get("axis") or {}
                for key in ("labelColor", "titleColor"):
                    if key in chosen:
                        assert contrast(chosen[key]) >= 4.5, (lang, name, channel, key)
    for colour in (*ZONE_COLORS, TEXT_COLOR, MUTED_COLOR):
        assert contrast(colour) >= 4.5, colour
    for colour in (*GROUP_COLORS, *PART_COLORS, *STEP_COLORS, BASELINE_COLOR, SCENARIO_COLOR, UP_COLOR, DOWN_COLOR):
        assert contrast(colour) >= 3.0, colour


def test_every_chart_carries_the_data_caveat_as_its_footer(package, every_spec):
    for (lang, name), spec in every_spec.items():
        footers = [unit for unit in _units(spec)
                   if _mark(unit)["type"] == "text" and unit.get("encoding", {}).get("text", {}).get("field") == "footer"]
        assert len(footers) == 1, (lang, name)
        rows = spec["datasets"][footers[0]["data"]["name"]] if "name" in footers[0].get("data", {}) else None
        assert rows, (lang, name)
        text = rows[0]["footer"].replace("\n", "")
        if name in ("scores", "groups", "drift", "decomposition", "rank", "score"):  # the shipped data
            assert text.replace(" ", "") == chart_footer(package, lang, 2020).replace(" ", ""), (lang, name)
        assert ("重建" in text or "数据" in text) if lang == "zh" else text.startswith("Data")


def test_a_zero_probability_is_white_and_labelled_0_never_like_1_percent(pkg3):
    from sim.analysis import charts as analysis
    from sim.analysis.robustness import robustness

    report = robustness(pkg3, year=2020, draws=200, seed=1, bootstrap=0)
    spec = analysis.rank_probability_heatmap(report).to_dict()
    assert spec["encoding"]["color"]["condition"] == {"test": "datum.probability == 0", "value": ZERO_FILL}
    assert ramp_color(GREEN_RAMP, 0.01) != ZERO_FILL and contrast(ramp_color(GREEN_RAMP, 0.01), ZERO_FILL) > 1.15
    labels = _data(analysis.rank_probability_labels(report))
    for _, row in labels.iterrows():
        fill = ZERO_FILL if row["probability"] == 0 else ramp_color(GREEN_RAMP, row["probability"])
        assert contrast(row["text_color"], fill) >= 4.5
        expected = "0" if row["probability"] == 0 else "<1%" if row["probability"] < 0.005 else None
        if expected:
            assert row["label"] == expected
    assert (labels["probability"] == 0).any()  # the case this test is about occurs


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("abc RD&-") + ["研", "发", "经", "费", "（", "）"]), max_size=60),
       columns=st.integers(min_value=4, max_value=30), lines=st.integers(min_value=1, max_value=3))
def test_wrapped_names_fit_their_budget_and_keep_their_start(text, columns, lines):
    shown = wrap_label(text, columns, lines)
    parts = shown.split("\n")
    assert len(parts) <= lines
    assert all(display_width(part) <= columns for part in parts)
    plain = " ".join(text.split())
    if display_width(plain) <= columns:
        assert shown == plain  # a name that fits is left alone
    else:
        kept = "".join(parts).replace(" ", "").rstrip("…")
        assert plain.replace(" ", "").startswith(kept)


def test_the_doctests_of_the_chart_modules():
    import doctest

    import sim.chart_style
    import sim.charts
    import sim.provenance

    for module in (sim.chart_style, sim.provenance, sim.charts):
        assert doctest.testmod(module).failed == 0, module.__name__
