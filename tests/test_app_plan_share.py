"""A plan opened from the Scenario files tab, and a plan in the share link (issue 13 point 3), by AppTest.

Expected tables come from the library (:func:`sim.plan.run_plan`, :func:`sim.plan.report.year_tables`)
on the same plan; the link from :func:`sim.share.plan_params`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _apptest import APP, APP_TIMEOUT, model, no_exception, tab, widget
from streamlit.testing.v1 import AppTest

from sim.data import load_package
from sim.i18n import t, unescape_markdown
from sim.messages import render
from sim.plan import run_plan
from sim.plan.report import year_tables
from sim.scenario import dump_scenario, load_scenario
from sim.share import LINK_SOURCE, file_name, plan_from_params, plan_params

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios"
#: Not the Plan tab's default (the first library plan), so showing it proves it was opened.
MORE_CORE = LIBRARY / "plan_more_core_zones_2023.yaml"


@pytest.fixture(scope="module")
def package():
    return load_package()


def _ok(at: AppTest) -> None:
    no_exception(at)
    assert not at.error, [e.value for e in at.error]


def _ranks_shown(at: AppTest) -> list[list[str]]:
    tab(at, t("tab_plan", model(at).lang))
    return [[str(v) for v in row] for row in at.table[0].value.itertuples(index=False)]


def _ranks_of(package, plan, lang: str = "zh") -> list[list[str]]:
    return year_tables(run_plan(package, plan), package, lang)[1]


def _opened_message(at: AppTest, plan) -> str:
    said = [unescape_markdown(s.value) for s in at.success]
    expected = t("plan_opened", "zh", name=model(at).label(plan), tab=t("tab_plan", "zh"))
    assert expected in said, said
    assert "「逐年规划」" in expected  # the tab's own label, in the page's language
    return expected


def test_a_plan_uploaded_on_the_files_tab_opens_on_the_plan_tab(app, package):
    plan = load_scenario(MORE_CORE, package)
    blank = dump_scenario(model(app).scenario)
    tab(app, t("tab_files", "zh"))
    app.file_uploader(key="w_scn_upload").upload("mine.yaml", MORE_CORE.read_bytes(), "application/x-yaml").run()
    _ok(app)
    _opened_message(app, plan)
    assert dump_scenario(model(app).scenario) == blank  # the current scenario stays one-year, unchanged
    assert model(app).prefs["plan_src"] == "up:mine.yaml"
    assert _ranks_shown(app) == _ranks_of(package, plan)
    assert widget(app, "selectbox", "w_plan_src.zh").value == "up:mine.yaml"
    # and the link carries it whole
    shared = plan_from_params(dict(app.query_params), package, LIBRARY)
    assert dump_scenario(shared.scenario) == dump_scenario(plan) and not shared.in_library


def test_a_library_plan_loaded_on_the_files_tab_opens_on_the_plan_tab(app, package):
    plan = load_scenario(MORE_CORE, package)
    tab(app, t("tab_files", "zh"))
    widget(app, "selectbox", "w_lib.zh").set_value(MORE_CORE.name).run()
    app.button(key="w_load").click().run()
    _ok(app)
    _opened_message(app, plan)
    assert not model(app).scenario.is_plan
    assert _ranks_shown(app) == _ranks_of(package, plan)
    assert app.query_params["pl"] == [MORE_CORE.name] or app.query_params["pl"] == MORE_CORE.name


def test_a_one_year_file_on_the_files_tab_still_loads_as_the_scenario(app, package):
    one_year = LIBRARY / "sunan_rd_doubling.yaml"
    tab(app, t("tab_files", "zh"))
    app.file_uploader(key="w_scn_upload").upload(one_year.name, one_year.read_bytes(), "application/x-yaml").run()
    _ok(app)
    assert dump_scenario(model(app).scenario) == dump_scenario(load_scenario(one_year, package))
    assert "plan_src" not in model(app).prefs


def _started_with(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_session_started_with_a_plan_link_shows_that_plans_ranks(package):
    plan = load_scenario(MORE_CORE, package)
    at = _started_with({"v": "1", **plan_params(plan), "lang": "en"})
    _ok(at)
    assert model(at).prefs["plan_src"] == f"up:{file_name(plan)}"
    assert _ranks_shown(at) == _ranks_of(package, plan, "en")
    assert not model(at).scenario.is_plan


def test_a_session_started_with_a_library_plan_link_shows_it(package):
    at = _started_with({"v": "1", **plan_params(library_name=MORE_CORE.name)})
    _ok(at)
    assert model(at).prefs["plan_src"] == f"lib:{MORE_CORE.name}"
    assert _ranks_shown(at) == _ranks_of(package, load_scenario(MORE_CORE, package))


def test_the_current_scenario_as_a_plan_travels_in_the_link(app, package):
    tab(app, t("tab_plan", "zh"))
    widget(app, "selectbox", "w_plan_src.zh").set_value("current").run()
    widget(app, "selectbox", "w_plan_horizon.zh").set_value(2023).run()
    widget(app, "selectbox", "w_plan_trend.zh").set_value("+5%").run()
    _ok(app)
    shown = _ranks_shown(app)
    params = {k: v for k, v in app.query_params.items()}
    assert "p" in params
    again = _started_with(params)
    _ok(again)
    assert _ranks_shown(again) == shown
    assert model(again).scenario.interventions == model(app).scenario.interventions


@pytest.mark.parametrize(
    "params, words",
    [
        ({"v": "1", "p": "!!!not-base64"}, ["'p'", "base64url"]),
        ({"v": "1", "pl": "../pyproject.toml"}, ["不在本应用的情景库中"]),
        ({"v": "1", "pl": "sunan_rd_doubling.yaml"}, ["不是逐年规划"]),
    ],
    ids=["garbage", "outside-library", "one-year"],
)
def test_a_bad_plan_link_shows_an_error_and_the_app_still_works(package, params, words):
    at = _started_with(params)
    assert not at.exception
    errors = " ".join(unescape_markdown(e.value) for e in at.error)
    assert errors.startswith(render(LINK_SOURCE, "zh")) and all(word in errors for word in words), errors
    assert "plan_src" not in model(at).prefs
    first = sorted(LIBRARY.glob("plan_*.yaml"))[0]  # the Plan tab's default still shows
    assert _ranks_shown(at) == _ranks_of(package, load_scenario(first, package))
