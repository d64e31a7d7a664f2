"""What the What-if tab shows beyond the ranking, tested without a browser (sim/whatif.py, ui/edits.py).

Changed values and their causes, a slider's effective change, the interventions table
with names, and the property the app's state model rests on: applying an edit twice
gives the same model. Golden numbers are hand calculations on tests/packages/tiny
(link rd_spending -> patents, elasticity 0.5; patents are counts).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine import run_scenario
from sim.i18n import t
from sim.scenario import dump_scenario, load_scenario, parse_scenario, scenario_from_dict
from sim.whatif import (
    FILE,
    LINK,
    SLIDER,
    SliderSpec,
    cell_causes,
    changed_values,
    changed_values_frame,
    display_rows,
    effect_text,
    format_change,
    intervention_rows,
    rows_from_display,
    rows_to_interventions,
    slider_effect,
    slider_spec,
    table_options,
    with_interventions,
)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _scenario(package, interventions, **top):
    return scenario_from_dict({"version": 1, "name": "t", "year": 2020, "interventions": interventions, **top},
                              package, source="slider")


# ----------------------------------------------------------------------------- changed values


def test_a_link_is_named_as_the_cause_of_the_value_it_moves(tiny_package):
    # shenzhen 2020: rd_spending 350.8 +100% -> 701.6; patents 160 x (1 + 0.5 x 1) = 240, i.e. +80 (a count)
    result = run_scenario(tiny_package, _scenario(tiny_package, [
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+100%"}]))
    rows = changed_values(result, tiny_package).to_dict("records")
    assert [(r["zone"], r["indicator"], r["cause"]) for r in rows] == [
        ("shenzhen", "rd_spending", SLIDER), ("shenzhen", "patents", LINK)]
    spending, patents = rows
    assert (spending["before"], spending["after"], spending["change"]) == pytest.approx((350.8, 701.6, 100.0))
    assert (patents["before"], patents["after"], patents["change"]) == pytest.approx((160.0, 240.0, 80.0))
    assert patents["kind"] == "amount" and patents["via"] == "rd_spending"
    frame = changed_values_frame(result, tiny_package, "en")
    assert list(frame.iloc[1]) == ["Shenzhen", "Invention patents granted", "160", "240", "+80",
                                   t("cause_link", "en", source=["R&D expenditure"])]
    assert frame.iloc[0, 4] == "+100%"


def test_an_intervention_no_slider_shows_is_caused_by_the_file_with_its_line(tiny_package):
    text = ("version: 1\nname: t\nyear: 2020\ninterventions:\n"
            "- {zone: all, indicator: energy_intensity, by: -10%}\n")
    result = run_scenario(tiny_package, parse_scenario(text, tiny_package))
    rows = changed_values(result, tiny_package)
    assert list(rows["cause"]) == [FILE] * 3 and list(rows["line"]) == [5] * 3
    assert rows["change"].tolist() == pytest.approx([-10.0] * 3)
    frame = changed_values_frame(result, tiny_package, "zh")
    assert set(frame[t("col_cause", "zh")]) == {t("cause_file_line", "zh", item=1, line=5)}


def test_a_slider_change_that_a_link_moves_further_says_both(tiny_package):
    # patents: 160 + 10 (slider) = 170, then the link multiplies by 1.5: 255, i.e. +95
    result = run_scenario(tiny_package, _scenario(tiny_package, [
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+100%"},
        {"zone": "shenzhen", "indicator": "patents", "by": 10}]))
    patents = changed_values(result, tiny_package).set_index("indicator").loc["patents"]
    assert patents["cause"] == SLIDER and patents["change"] == pytest.approx(95.0)
    frame = changed_values_frame(result, tiny_package, "en")
    assert frame.iloc[1, 5] == t("cause_then_link", "en", cause=t("cause_slider", "en"), source=["R&D expenditure"])


ONE_YEAR = [p for p in sorted(SCENARIOS.glob("*.yaml")) if "\nhorizon:" not in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", ONE_YEAR, ids=lambda p: p.name)  # plans over years: tests/test_plan_files.py
def test_causes_cover_exactly_the_cells_the_engine_marks(shipped, path):
    """The causes agree with the engine's origin table on every library scenario."""
    result = run_scenario(shipped, load_scenario(path, shipped))
    causes = cell_causes(result, shipped)
    marked = {(z, i): result.origin.at[z, i] for z in result.origin.index for i in result.origin.columns
              if result.origin.at[z, i]}
    assert {cell: cause.kind for cell, cause in causes.items()} == marked


# ----------------------------------------------------------------------------- a slider's effective change


def test_a_slider_moved_only_by_a_link_shows_the_effective_change(tiny_package):
    result = run_scenario(tiny_package, _scenario(tiny_package, [
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+100%"}]))
    own = slider_spec(tiny_package, 2020, "shenzhen", "rd_spending")
    linked = slider_spec(tiny_package, 2020, "shenzhen", "patents")
    assert slider_effect(result, tiny_package, "shenzhen", own) is None  # the slider says it all
    effect = slider_effect(result, tiny_package, "shenzhen", linked)
    assert effect.change == pytest.approx(80.0) and effect.via == ("rd_spending",) and not effect.other
    assert effect_text(effect, tiny_package, linked.kind, "en") == "effective +80 via R&D expenditure"
    assert effect_text(effect, tiny_package, linked.kind, "zh") == "实际变化 +80（经由R&D经费支出联动）"
    assert slider_effect(result, tiny_package, "zhangjiang", linked) is None  # another zone: untouched


def test_a_slider_under_another_intervention_shows_the_whole_change(tiny_package):
    result = run_scenario(tiny_package, _scenario(tiny_package, [
        {"zone": "all", "indicator": "energy_intensity", "by": "-10%"}]))
    spec = slider_spec(tiny_package, 2020, "shenzhen", "energy_intensity")
    effect = slider_effect(result, tiny_package, "shenzhen", spec)
    assert effect.change == pytest.approx(-10.0) and effect.other and effect.via == ()
    assert effect_text(effect, tiny_package, spec.kind, "en") == t("effect_other", "en", change="-10%")


@pytest.mark.parametrize("value, kind, text", [
    (100.0, "percent", "+100%"), (-12.5, "percent", "-12.5%"), (3.0, "amount", "+3"), (-1e-12, "percent", "+0%"),
    (None, "percent", "n/a"), (0.125, "amount", "+0.12"),
])
def test_changes_are_written_as_a_slider_counts_them(value, kind, text):
    assert format_change(value, kind) == text


def test_the_number_box_may_type_between_the_sliders_steps():
    spec = SliderSpec("x", "amount", low=-100, high=200, step=10, baseline=100.0)
    assert spec.fits(137) and spec.fits(-100) and spec.fits(0)
    assert not spec.fits(137.5) and not spec.fits(210) and not spec.fits(float("nan"))


# ----------------------------------------------------------------------------- the table with names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_rows_with_names_round_trip(tiny_package, lang):
    scenario = _scenario(tiny_package, [
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+20%", "note": "kept"},
        {"zone": ["zhangjiang", "shenzhen"], "indicator": "patents", "to": 200},
        {"zone": "all", "indicator": "energy_intensity", "by": "-5%"},
    ])
    shown = display_rows(intervention_rows(scenario), tiny_package, lang)
    assert shown[0]["zone"] == tiny_package.name("zone", "shenzhen", lang)
    assert shown[0]["indicator"] == tiny_package.name("indicator", "rd_spending", lang)
    assert shown[2]["zone"] == t("all_zones", lang) and shown[1]["change"] == t("change_to", lang)
    assert all("_" not in row["indicator"] for row in shown)  # names, never ids
    options = table_options(tiny_package, lang, shown)
    assert {row["zone"] for row in shown} <= set(options["zone"])  # every row shows what it holds
    assert {row["indicator"] for row in shown} <= set(options["indicator"])
    assert options["change"] == [t(k, lang) for k in ("change_by_percent", "change_by", "change_to")]
    items = rows_to_interventions(rows_from_display(shown, lang), tiny_package)
    again = scenario_from_dict(with_interventions(scenario, items), tiny_package, source="slider")
    assert dump_scenario(again) == dump_scenario(scenario)


# ----------------------------------------------------------------------------- edits are idempotent


def test_applying_an_edit_twice_gives_the_same_model(shipped):
    """A run cut short redoes its edits: each must set, never add (see ui/state.py)."""
    from ui.edits import HANDLERS, blank_scenario
    from ui.state import AppState, Event

    model = AppState(blank_scenario(shipped), shipped.digest, "sunan")
    edits = [
        (Event("cell", "w_sl_rd_spending.0", ("sunan", "rd_spending")), 24),
        (Event("cell", "w_nb_unicorns.0", ("sunan", "unicorns")), 3),
        (Event("zone", "w_zone.zh.0"), "donghu"),
        (Event("text", "w_name.0", ("name",)), "Sunan push"),
        (Event("method", "w_m_weights.zh.0", ("weights",)), "equal"),
        (Event("pref", "w_group.zh.0", ("group",)), "actors"),
        (Event("reset_zone", None, ("donghu",)), None),
    ]
    for event, value in edits:
        once = HANDLERS[event.kind](model, event, value)
        twice = HANDLERS[event.kind](once, event, value)
        assert twice == once, event
        model = once
    assert [i.describe() for i in model.scenario.interventions] == ["by +24%", "by 3"]
    assert (model.zone, model.scenario.name, model.prefs["group"]) == ("donghu", "Sunan push", "actors")
