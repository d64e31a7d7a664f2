"""The Streamlit app driven by streamlit.testing.v1.AppTest (no browser).

Expected numbers always come from the engine (sim.engine.run_scenario) on the same
data, so these tests hold whatever baseline ships.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from _apptest import APP, all_sliders, model, move, no_exception, pick_zone, ranking, slider, tab, widget

from sim.provenance import provenance_line
from sim.charts import fixed_decimals, ranking_frame
from sim.compare import cell_text
from sim.data import load_package
from sim.engine import run_scenario
from sim.errors import SimError
from sim.i18n import escape_markdown, t, unescape_markdown
from sim.messages import render
from sim.scenario import dump_scenario, parse_scenario, scenario_from_dict
from sim.whatif_table import numbered_interventions
from sim.share import LINK_SOURCE, encode_scenario_text, scenario_from_params, share_params
from sim.whatif import slider_spec

TIMEOUT = 60
#: The app's tabs, in order (the analysis tabs are tested in test_app_analysis.py).
ALL_TABS = ("whatif", "files", "compare", "plan", "goalseek", "levers", "robustness")


@pytest.fixture(scope="module")
def package():
    return load_package()


def _ranking(at: AppTest) -> pd.DataFrame:
    return ranking(at)


def _expected(package, document, lang="zh") -> pd.DataFrame:
    """The ranking the engine gives, as the app's table shows it (2 decimals)."""
    result = run_scenario(package, scenario_from_dict(document, package))
    return fixed_decimals(ranking_frame(result, package, lang))


def _document(package, interventions, **top):
    return {"version": 1, "name": "t", "year": package.years[-1], "interventions": interventions, **top}


def _editor_key(at: AppTest) -> str:
    """The key of the interventions table (it changes whenever the scenario does)."""
    return f"w_editor_{model(at).rev}"


def _ranking_changing_move(package):
    """A slider move (zone, indicator, value) after which the engine ranks the zones differently."""
    year = package.years[-1]
    table = package.table(year)
    base = _expected(package, _document(package, []))
    for zone in reversed(list(base["示范区"].map({package.name("zone", z, "zh"): z for z in package.zone_ids}))):
        for indicator in package.indicator_ids:
            spec = slider_spec(package, year, zone, indicator, table)
            if spec.disabled:
                continue
            by = spec.high if spec.kind == "amount" else f"+{spec.high}%"
            document = _document(package, [{"zone": zone, "indicator": indicator, "by": by}])
            try:
                expected = _expected(package, document)
            except SimError:
                continue
            if list(expected["示范区"]) != list(base["示范区"]):
                return zone, indicator, spec.high, document, expected
    pytest.skip("no single slider move changes the ranking on this data")


# ----------------------------------------------------------------------------- rendering


def test_every_tab_renders_without_exception(app, package):
    no_exception(app)
    labels = [tab.label for tab in app.tabs]
    assert labels == [t(f"tab_{tab}", "zh") for tab in ALL_TABS]
    groups = package.indicators["group"]
    assert len(app.slider) == (groups == groups.iloc[0]).sum()  # one group's sliders at a time
    assert len(app.get("vega_lite_chart")) >= 2
    for label in labels[1:] + labels[:1]:
        tab(app, label)
        no_exception(app)
        assert not app.error, [e.value for e in app.error]
    for lang in ("en",):
        widget(app, "radio", "w_lang").set_value(lang).run()
        for label in [t(f"tab_{tab_id}", lang) for tab_id in ALL_TABS]:
            tab(app, label)
            no_exception(app)


def test_the_start_page_shows_the_baseline_ranking_and_its_source(app, package):
    expected = _expected(package, _document(package, []))
    pd.testing.assert_frame_equal(_ranking(app), expected, check_dtype=False)
    notes = " ".join(unescape_markdown(i.value) for i in app.sidebar.info)
    # the data's provenance line in the page's language: 119 of the 125 values reconstructed
    line = provenance_line(package, "zh", package.years[-1])
    assert line in notes and "125" in notes and "119" in notes
    # the same line under the title, on every tab (a screenshot keeps it)
    assert any(line in unescape_markdown(c.value) for c in app.main.caption)
    assert t("source_shipped_caution", "zh") in notes
    # the sources as the data package writes them, with the count of the main one
    sources = package.baseline.loc[package.baseline["year"] == package.years[-1], "source"]
    main = sources.value_counts().index[0]
    written = " ".join(c.value for c in app.sidebar.caption)
    assert main.split("`")[0] in written and f"{(sources == main).sum()} 个" in written
    assert "`zonesim calibrate`" in written  # back-quotes mark code, not literal back-quotes


def test_one_slider_per_indicator_grouped_by_the_five_groups(app, package):
    groups = widget(app, "radio", "w_group.zh")
    assert groups.options == [package.name("group", g, "zh") for g in package.groups.index]
    zone = model(app).zone
    seen = set()
    for group in package.groups.index:
        groups = widget(app, "radio", "w_group.zh")
        groups.set_value(group).run()
        keys = {s.key.rpartition(".")[0] for s in app.slider}
        members = package.indicators.index[package.indicators["group"] == group]
        assert keys == {f"w_sl_{i}" for i in members}
        for indicator in members:
            box = widget(app, "number_input", f"w_nb_{indicator}")  # the exact box beside each slider
            control = widget(app, "slider", f"w_sl_{indicator}")
            spec = slider_spec(package, package.years[-1], zone, indicator)
            assert (control.min, control.max, control.step) == (spec.low, spec.high, spec.step)
            assert (box.min, box.max) == (spec.low, spec.high)
            assert control.value == 0 and box.value == 0
        seen |= keys
    assert seen == {f"w_sl_{i}" for i in package.indicator_ids}


# ----------------------------------------------------------------------------- what-if


def test_moving_a_slider_changes_the_ranking_as_the_engine_says(app, package):
    zone, indicator, value, document, expected = _ranking_changing_move(package)
    pick_zone(app, zone)
    before = _ranking(app)
    move(app, package, indicator, value)
    no_exception(app)
    after = _ranking(app)
    pd.testing.assert_frame_equal(after, expected, check_dtype=False)
    assert list(after["示范区"]) != list(before["示范区"])
    assert slider(app, package, indicator).value == value
    assert widget(app, "number_input", f"w_nb_{indicator}").value == value
    scenario = model(app).scenario
    assert dump_scenario(scenario) == dump_scenario(scenario_from_dict({**document, "name": scenario.name,
                                                                        "name_zh": scenario.name_zh}, package))


def test_several_sliders_and_zones_combine(app, package):
    zones = package.zone_ids
    pick_zone(app, zones[0])
    move(app, package, "unicorns", 4)
    pick_zone(app, zones[1])
    assert slider(app, package, "unicorns").value == 0
    move(app, package, "vc_investment", 30)
    no_exception(app)
    document = _document(package, [
        {"zone": zones[0], "indicator": "unicorns", "by": 4},
        {"zone": zones[1], "indicator": "vc_investment", "by": "+30%"},
    ])
    pd.testing.assert_frame_equal(_ranking(app), _expected(package, document), check_dtype=False)
    pick_zone(app, zones[0])
    assert slider(app, package, "unicorns").value == 4


def test_reset_buttons(app, package):
    zones = package.zone_ids
    pick_zone(app, zones[0])
    move(app, package, "unicorns", 4)
    pick_zone(app, zones[1])
    move(app, package, "unicorns", 2)
    app.button(key="w_reset_zone").click().run()
    assert [i.zones for i in model(app).scenario.interventions] == [(zones[0],)]
    app.button(key="w_reset_all").click().run()
    assert model(app).scenario.interventions == ()
    pd.testing.assert_frame_equal(_ranking(app), _expected(package, _document(package, [])), check_dtype=False)


def test_warnings_are_shown(app, package):
    # Every zone raising the same indicator by the same percentage changes nothing: a known artefact.
    key = _editor_key(app)
    app.session_state[key] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"zone": t("all_zones", "zh"), "indicator": package.name("indicator", "avg_salary", "zh"),
         "change": t("change_by_percent", "zh"), "value": 8.0}]}
    app.button(key="w_apply_table").click().run()
    no_exception(app)
    assert [i.zones for i in model(app).scenario.interventions] == [("all",)]
    warnings = " ".join(unescape_markdown(w.value) for w in app.warning)
    result = run_scenario(package, model(app).scenario)
    # in the page's language, with names for ids, the intervention by its number (not interventions[0])
    assert render(numbered_interventions(result.warnings[0]), "zh", package.name) in warnings
    assert package.name("indicator", "avg_salary", "zh") in warnings and "avg_salary" not in warnings
    assert "第 1 项干预" in warnings and "interventions[" not in warnings


def test_the_interventions_table_edits_the_scenario(app, package):
    zones = package.zone_ids
    pick_zone(app, zones[0])
    move(app, package, "unicorns", 4)
    rows = app.data_editor[0].value  # names in the UI language, not ids
    assert list(rows["zone"]) == [package.name("zone", zones[0], "zh")] and list(rows["value"]) == [4.0]
    assert list(rows["indicator"]) == [package.name("indicator", "unicorns", "zh")]
    key = _editor_key(app)
    app.session_state[key] = {
        "edited_rows": {0: {"value": 6.0}},
        "deleted_rows": [],
        "added_rows": [{"zone": f"{package.name('zone', zones[1], 'zh')}, {package.name('zone', zones[2], 'zh')}",
                        "indicator": package.name("indicator", "overseas_rd_centers", "zh"),
                        "change": t("change_to", "zh"), "value": 40.0, "note": "joint centres"}],
    }
    app.button(key="w_apply_table").click().run()
    no_exception(app)
    document = _document(package, [
        {"zone": zones[0], "indicator": "unicorns", "by": 6},
        {"zone": [zones[1], zones[2]], "indicator": "overseas_rd_centers", "to": 40, "note": "joint centres"},
    ])
    pd.testing.assert_frame_equal(_ranking(app), _expected(package, document), check_dtype=False)
    assert slider(app, package, "unicorns").value == 6  # the slider follows the table


def test_an_invalid_table_edit_is_refused_and_the_work_kept(app, package):
    zones = package.zone_ids
    pick_zone(app, zones[0])
    move(app, package, "unicorns", 4)
    kept = model(app).scenario
    shown = _ranking(app)
    key = _editor_key(app)
    app.session_state[key] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"zone": "shenzen", "indicator": package.name("indicator", "unicorns", "zh"), "change": t("change_to", "zh"),
         "value": -5.0}]}
    app.button(key="w_apply_table").click().run()
    no_exception(app)
    errors = " ".join(unescape_markdown(e.value) for e in app.error)
    # in the page's language, quoting what was typed and suggesting the zone meant
    assert "未知示范区 'shenzen'" in errors and "'shenzhen'" in errors
    assert model(app).scenario == kept
    pd.testing.assert_frame_equal(_ranking(app), shown)


def test_year_and_method_change_the_results_as_the_engine_says(app, package):
    first = package.years[0]
    widget(app, "selectbox", "w_year").set_value(first).run()
    widget(app, "selectbox", "w_m_weights.zh").set_value("equal").run()
    widget(app, "selectbox", "w_m_score_normalization.zh").set_value("same").run()
    no_exception(app)
    document = _document(package, [], year=first, method={"weights": "equal", "score_normalization": None})
    pd.testing.assert_frame_equal(_ranking(app), _expected(package, document), check_dtype=False)
    scenario = model(app).scenario
    assert scenario.year == first and scenario.method_options == {"weights": "equal", "score_normalization": None}
    # back to the package default: the option disappears from the file
    widget(app, "selectbox", "w_m_weights.zh").set_value(package.method.weights).run()
    assert "weights" not in model(app).scenario.method_options


# ----------------------------------------------------------------------------- scenario files


def _scenario_file(package, tmp_path: Path, name="push.yaml", interventions=None, **top) -> Path:
    zones = package.zone_ids
    interventions = interventions or [
        {"zone": zones[-1], "indicator": "vc_investment", "by": "+40%"},
        {"zone": zones[-1], "indicator": "unicorns", "by": 3},
        {"zone": [zones[0], zones[1]], "indicator": "overseas_rd_centers", "to": 60},
    ]
    document = {"version": 1, "name": "Push", "name_zh": "推进", "year": package.years[-1],
                "interventions": interventions, **top}
    scenario = scenario_from_dict(document, package)
    path = tmp_path / name
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    return path


def test_loading_a_library_scenario_sets_the_sliders(package, tmp_path, monkeypatch):
    path = _scenario_file(package, tmp_path)
    monkeypatch.setenv("ZONESIM_SCENARIO_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    pick_zone(at, package.zone_ids[2])  # a zone the file does not change
    tab(at, t("tab_files", "zh"))
    widget(at, "selectbox", "w_lib.zh").set_value(path.name).run()
    at.button(key="w_load").click().run()
    no_exception(at)
    assert any(path.name not in s.value and "推进" in unescape_markdown(s.value) for s in at.success)
    scenario = model(at).scenario
    assert dump_scenario(scenario) == path.read_text(encoding="utf-8")
    tab(at, t("tab_whatif", "zh"))
    # the app switches to a zone the scenario changes, and its sliders show the changes
    assert model(at).zone == package.zone_ids[-1]
    assert slider(at, package, "vc_investment").value == 40
    assert slider(at, package, "unicorns").value == 3
    assert slider(at, package, "rd_spending").value == 0
    expected = _expected(package, parse_scenario(path.read_bytes(), package).to_dict())
    pd.testing.assert_frame_equal(_ranking(at), expected, check_dtype=False)
    assert len(at.data_editor[0].value) == 3


def test_every_shipped_library_file_loads_or_says_why(app, package):
    tab(app, t("tab_files", "zh"))
    names = sorted(p.name for p in (Path(APP).parent / "scenarios").glob("*.y*ml"))
    assert "baseline.yaml" in names
    for name in names:
        widget(app, "selectbox", "w_lib.zh").set_value(name).run()
        app.button(key="w_load").click().run()
        no_exception(app)
        assert app.success or app.error


def test_a_bad_upload_shows_the_cli_message_and_keeps_the_work(app, package):
    move(app, package, "unicorns", 2)
    kept = model(app).scenario
    shown = _ranking(app)
    tab(app, t("tab_files", "zh"))
    bad = b"version: 1\nname: broken\nyear: 2020\ninterventions:\n  - {zone: sunan, indicator: rd_spendng, by: 10%}\n"
    app.file_uploader(key="w_scn_upload").upload("broken.yaml", bad, "application/x-yaml").run()
    no_exception(app)
    with pytest.raises(SimError) as info:
        parse_scenario(bad, package, source="broken.yaml")
    errors = [unescape_markdown(e.value) for e in app.error]
    assert info.value.render("zh", package.name) in errors  # the command line's message, in the page's language
    assert "did you mean 'rd_spending'" in str(info.value) and "第 5 行" in errors[0]
    assert model(app).scenario == kept
    tab(app, t("tab_whatif", "zh"))
    assert slider(app, package, "unicorns").value == 2
    pd.testing.assert_frame_equal(_ranking(app), shown)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"a: &x [1]\nb: *x\n", ["锚点和别名"]),
        (b"version: 1\nname: !!python/object/apply:os.system [ls]\nyear: 2020\n", ["tag"]),
        (b"\xff\xfe\x00garbage", ["不是 UTF-8"]),
        (b"# padding\n" * 120_000, ["最多接受 1,000,000 字节"]),
    ],
    ids=["alias", "tag", "binary", "oversized"],
)
def test_hostile_uploads_are_refused(app, data, words):
    tab(app, t("tab_files", "zh"))
    kept = model(app).scenario
    app.file_uploader(key="w_scn_upload").upload("x.yaml", data, "application/x-yaml").run()
    no_exception(app)
    errors = " ".join(unescape_markdown(e.value) for e in app.error)
    for word in words:
        assert word in errors
    assert model(app).scenario == kept


def test_a_good_upload_becomes_the_current_scenario_and_is_offered_for_comparison(app, package, tmp_path):
    path = _scenario_file(package, tmp_path)
    tab(app, t("tab_files", "zh"))
    app.file_uploader(key="w_scn_upload").upload(path.name, path.read_bytes(), "application/x-yaml").run()
    no_exception(app)
    assert dump_scenario(model(app).scenario) == path.read_text(encoding="utf-8")
    code = [c.value for c in app.code if c.language == "yaml"]
    assert code == [path.read_text(encoding="utf-8").rstrip("\n")]  # what the download button serves
    tab(app, t("tab_compare", "zh"))
    assert f"{t('opt_uploaded', 'zh')}: {path.name}" in widget(app, "multiselect", "w_cmp.zh").options


def test_html_in_a_scenario_name_is_never_rendered(app, package, tmp_path):
    evil = "<script>alert(1)</script> **bold** [link](http://example.com) :red[x] $x$"
    path = _scenario_file(package, tmp_path, name="evil.yaml", interventions=[
        {"zone": "all", "indicator": "unicorns", "by": 1}])
    text = path.read_text(encoding="utf-8").replace("name: Push", f"name: '{evil}'").replace("name_zh: 推进\n", "")
    widget(app, "radio", "w_lang").set_value("en").run()
    tab(app, t("tab_files", "en"))
    app.file_uploader(key="w_scn_upload").upload("evil.yaml", text.encode(), "application/x-yaml").run()
    no_exception(app)
    assert model(app).scenario.name == evil
    for tab_key in ("tab_whatif", "tab_files", "tab_compare"):
        tab(app, t(tab_key, "en"))
        rendered = [e.value for kind in ("markdown", "caption", "success", "error", "warning", "info", "subheader",
                                         "title", "header") for e in getattr(app, kind)]
        for value in (v for v in rendered if "alert(1)" in v):
            # Every character that could start HTML, a link, emphasis or a directive is escaped.
            assert not re.search(r"(?<!\\)[<\[*$]", value), value
        assert any(evil in unescape_markdown(v) for v in rendered) or tab_key != "tab_whatif"


# ----------------------------------------------------------------------------- share links


def test_a_share_link_restores_the_same_sliders_and_results(package, tmp_path):
    path = _scenario_file(package, tmp_path)
    scenario = parse_scenario(path.read_bytes(), package)
    zone = package.zone_ids[-1]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in share_params(scenario, z=zone, lang="en").items():
        at.query_params[key] = value
    at.run()
    no_exception(at)
    assert not at.error
    assert dump_scenario(model(at).scenario) == dump_scenario(scenario)
    assert model(at).zone == zone and model(at).lang == "en"
    assert slider(at, package, "vc_investment", "en").value == 40
    assert slider(at, package, "unicorns", "en").value == 3
    expected = _expected(package, scenario.to_dict(), "en")
    pd.testing.assert_frame_equal(_ranking(at), expected, check_dtype=False)


def test_the_url_follows_the_current_scenario(app, package):
    move(app, package, "unicorns", 5)
    params = dict(app.query_params)
    restored = scenario_from_params(params, package)
    assert dump_scenario(restored) == dump_scenario(model(app).scenario)
    assert params["z"] == model(app).zone
    tab(app, t("tab_files", "zh"))
    link = [c.value for c in app.code if c.language != "yaml"][0]
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert query == params


@pytest.mark.parametrize(
    "params, words",
    [
        ({"v": "1", "s": "!!!not-base64"}, ["base64url"]),
        ({"v": "1", "s": "eJwrSy0qzszP"}, ["链接已损坏"]),
        ({"v": "9", "s": "eJwrSy0qzszP"}, ["不支持链接格式版本 '9'"]),
    ],
    ids=["garbage", "cut", "version"],
)
def test_a_bad_share_link_shows_an_error_and_the_app_still_works(package, params, words):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    no_exception(at)
    errors = " ".join(unescape_markdown(e.value) for e in at.error)
    assert errors.startswith(render(LINK_SOURCE, "zh")) and all(word in errors for word in words)
    assert model(at).scenario.interventions == ()
    pd.testing.assert_frame_equal(_ranking(at), _expected(package, _document(package, [])), check_dtype=False)


def test_a_share_link_with_an_invalid_scenario_names_line_and_field(package):
    text = "version: 1\nname: x\nyear: 2020\ninterventions:\n- {zone: sunan, indicator: unicorns, by: -100000}\n"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["v"] = "1"
    at.query_params["s"] = encode_scenario_text(text)
    at.run()
    no_exception(at)
    errors = " ".join(unescape_markdown(e.value) for e in at.error)
    # in the page's language (Chinese), naming the zone and the indicator
    assert errors.startswith(render(LINK_SOURCE, "zh")) and "（第 5 行）" in errors
    assert package.name("indicator", "unicorns", "zh") in errors and "unicorns" not in errors
    assert model(at).scenario.interventions == ()


# ----------------------------------------------------------------------------- language, data


def test_switching_language_changes_every_label(app, package):
    zone = model(app).zone
    widget(app, "radio", "w_lang").set_value("en").run()
    no_exception(app)
    assert [tab.label for tab in app.tabs] == ["What-if", "Scenario files", "Compare", "Plan over years", "Goal-seek", "Levers",
                                                "Robustness"]
    assert app.title[0].value == t("title", "en")
    for indicator in package.indicator_ids:
        label = slider(app, package, indicator, "en").label
        assert label == escape_markdown(package.name("indicator", indicator, "en"))
    assert list(_ranking(app).columns)[:3] == ["rank", "zone", "score"]
    assert set(_ranking(app)["zone"]) == {package.name("zone", z, "en") for z in package.zone_ids}
    assert widget(app, "selectbox", "w_zone.en").value == zone
    assert widget(app, "selectbox", "w_year").label == t("year", "en")
    # the open tab stays open across the switch
    tab(app, "Compare")
    widget(app, "radio", "w_lang").set_value("zh").run()
    assert app.session_state["w_tab"] == t("tab_compare", "zh")
    assert widget(app, "multiselect", "w_cmp.zh").label == t("compare_pick", "zh")


def test_uploading_a_data_package_switches_to_it_and_a_bad_one_is_refused(app, package):
    shipped_digest = package.digest
    bad = b"PK\x03\x04 not really a workbook"
    app.file_uploader(key="w_data_upload").upload("mine.xlsx", bad, "application/octet-stream").run()
    no_exception(app)
    assert "mine.xlsx" in " ".join(unescape_markdown(e.value) for e in app.error)
    assert model(app).data == "shipped"
    move(app, package, "unicorns", 3)
    tiny = Path(__file__).resolve().parent / "packages" / "tiny"
    uploader = app.file_uploader(key="w_data_upload").clear()
    for file in sorted(tiny.iterdir()):
        uploader.upload(file.name, file.read_bytes(), "text/csv")
    app.run()
    no_exception(app)
    assert model(app).data == "uploaded"
    assert model(app).upload.digest != shipped_digest
    # the scenario (unicorns) does not fit the tiny package: a blank one is started, and the planner told
    warnings = " ".join(unescape_markdown(w.value) for w in app.warning)
    assert "unicorns" in warnings
    tiny_package = model(app).upload
    assert all_sliders(app, tiny_package) == set(tiny_package.indicator_ids)  # one slider per indicator of tiny
    widget(app, "radio", "w_data.zh").set_value("shipped").run()
    no_exception(app)
    assert all_sliders(app, package) == set(package.indicator_ids)


# ----------------------------------------------------------------------------- compare


def test_compare_two_scenarios_side_by_side(package, tmp_path, monkeypatch):
    path = _scenario_file(package, tmp_path)
    (tmp_path / "baseline.yaml").write_text("version: 1\nname: Baseline\nyear: %d\n" % package.years[-1])
    monkeypatch.setenv("ZONESIM_SCENARIO_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    widget(at, "radio", "w_lang").set_value("en").run()
    tab(at, t("tab_compare", "en"))
    # the baseline is always shown: neither the blank current scenario nor baseline.yaml is picked again
    assert widget(at, "multiselect", "w_cmp.en").value == [f"lib:{path.name}"]
    widget(at, "multiselect", "w_cmp.en").set_value(["lib:baseline.yaml", f"lib:{path.name}"]).run()
    no_exception(at)
    matrix, inputs = at.table[0].value, at.table[1].value
    result = run_scenario(package, parse_scenario(path.read_bytes(), package))
    assert list(matrix.columns) == ["zone", "baseline", "[1]", "[2]"]
    for _, row in matrix.iterrows():
        zone = next(z for z in package.zone_ids if package.name("zone", z, "en") == row["zone"])
        rank, change = int(result.scored.ranks[zone]), int(result.rank_change[zone])
        assert row["[2]"] == cell_text(float(result.scored.scores[zone]), rank, change)
        assert row["[1]"] == cell_text(float(result.baseline.scores[zone]), int(result.baseline.ranks[zone]), 0)
        assert row["baseline"] == row["[1]"].removesuffix(" –")
    # what each scenario changes, side by side: baseline.yaml nothing, push.yaml its three cells
    changed = inputs.set_index("input")
    sunan = f"{package.name('zone', package.zone_ids[-1], 'en')} · {package.name('indicator', 'unicorns', 'en')}"
    assert changed.at[sunan, "[1]"] == "" and changed.at[sunan, "[2]"] == "+3"
    assert len(at.get("vega_lite_chart")) == 2  # the score chart and the rank chart
    labels = [b.label for b in at.get("download_button")]
    assert {t("download_csv", "en"), t("download_excel", "en"), t("download_brief", "en")} <= set(labels)
    widget(at, "multiselect", "w_cmp.en").set_value([]).run()
    assert t("compare_need_one", "en") in [i.value for i in at.info]


def test_applying_an_unchanged_table_keeps_the_editor(app):
    """A row still missing a cell is not sent by the browser; pressing apply must not wipe it."""
    rev = model(app).rev
    app.button(key="w_apply_table").click().run()
    no_exception(app)
    assert model(app).rev == rev
    assert not app.error
