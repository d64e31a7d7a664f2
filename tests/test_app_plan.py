"""The Plan tab driven by AppTest (no browser): the current scenario as a plan, uploads, the state model.

Expected tables come from the library (:func:`sim.plan.run_plan` and
:func:`sim.plan.report.year_tables`) on the same plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _apptest import model, no_exception, tab, widget
from streamlit.testing.v1 import AppTest

from sim.data import load_package
from sim.i18n import t, unescape_markdown
from sim.plan import run_plan
from sim.plan.compose import as_plan, intervention_key
from sim.plan.report import year_tables
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
ONE_YEAR = ROOT / "scenarios" / "sunan_rd_doubling.yaml"
CATCH_UP = ROOT / "scenarios" / "plan_sunan_catch_up_2021_2025.yaml"


@pytest.fixture(scope="module")
def package():
    return load_package()


def _ranks_shown(at: AppTest) -> list[list[str]]:
    frame = at.table[0].value
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


def _keyed(at: AppTest, kind: str, prefix: str):
    return [w for w in getattr(at, kind) if w.key and w.key.startswith(prefix)]


def test_the_default_is_a_library_plan_with_its_years(app, package):
    tab(app, t("tab_plan", "zh"))
    no_exception(app)
    assert not app.error, [e.value for e in app.error]
    source = widget(app, "selectbox", "w_plan_src.zh")
    assert source.value.startswith("lib:plan_")
    plan = load_scenario(ROOT / "scenarios" / source.value.removeprefix("lib:"), package)
    _, rank_rows, _ = year_tables(run_plan(package, plan), package, "zh")
    assert _ranks_shown(app) == rank_rows


def test_the_current_scenario_as_a_plan_with_timings_through_the_state_model(app, package):
    tab(app, t("tab_files", "zh"))
    app.file_uploader(key="w_scn_upload").upload(ONE_YEAR.name, ONE_YEAR.read_bytes(), "application/x-yaml").run()
    tab(app, t("tab_plan", "zh"))
    widget(app, "selectbox", "w_plan_src.zh").set_value("current").run()
    no_exception(app)
    widget(app, "selectbox", "w_plan_horizon.zh").set_value(2023).run()
    widget(app, "selectbox", "w_plan_trend.zh").set_value("+5%").run()
    (start,) = _keyed(app, "selectbox", "w_plan_from_")
    start.set_value(2022).run()
    (each,) = _keyed(app, "checkbox", "w_plan_each_")
    each.check().run()
    no_exception(app)
    assert not app.error, [e.value for e in app.error]
    current = model(app).scenario
    assert not current.is_plan  # the What-if tab keeps its one-year scenario
    key = intervention_key(current.interventions[0])
    assert model(app).prefs["plan_timing"][key] == {"from": 2022, "each_year": True}
    plan = as_plan(current, package, 2023, "+5%", {key: {"from": 2022, "each_year": True}})
    _, rank_rows, _ = year_tables(run_plan(package, plan), package, "zh")
    assert _ranks_shown(app) == rank_rows
    # the timing is kept while the tab is closed, and the What-if tab still runs
    tab(app, t("tab_whatif", "zh"))
    no_exception(app)
    tab(app, t("tab_plan", "zh"))
    assert _keyed(app, "checkbox", "w_plan_each_")[0].value is True and _ranks_shown(app) == rank_rows


def test_uploads_on_the_plan_tab(app, package):
    tab(app, t("tab_plan", "zh"))
    uploader = app.file_uploader(key="w_plan_upload")
    uploader.upload(ONE_YEAR.name, ONE_YEAR.read_bytes(), "application/x-yaml").run()
    no_exception(app)
    assert t("plan_not_a_plan", "zh", name=ONE_YEAR.name) in [unescape_markdown(e.value) for e in app.error]
    app.file_uploader(key="w_plan_upload").upload("broken.yaml", b"version: 1\nname: [\n", "application/x-yaml").run()
    no_exception(app)
    assert app.error and "broken.yaml" in app.error[0].value
    text = CATCH_UP.read_bytes().replace(b"name: ", b"name: Mine ", 1)
    app.file_uploader(key="w_plan_upload").upload("mine.yaml", text, "application/x-yaml").run()
    no_exception(app)
    assert widget(app, "selectbox", "w_plan_src.zh").value == "up:mine.yaml"
    assert not app.error and model(app).prefs["plan_files"][0][0] == "mine.yaml"
    _, rank_rows, _ = year_tables(run_plan(package, load_scenario(CATCH_UP, package)), package, "zh")
    assert _ranks_shown(app) == rank_rows
