"""The Plan tab in a real browser (headless Chromium via Playwright; marked ``browser``).

A planner picks a library plan, reads the ranks year by year (they must be
:func:`sim.plan.run_plan`'s), finds no English in the Chinese page, and downloads the
brief (the document ``zonesim report PLAN.yaml`` writes). Screenshots of the tab in
Chinese and English at 1024 and 1400 px go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from _browserpage import CHART_REPORT, VISIBLE_TEXT, open_app, open_tab, settle, whole_page_screenshot
from conftest import SCREENSHOTS_DIR
from latin import foreign_words
from playwright.sync_api import Page, expect
from test_brief import docx_table

from sim.data import load_package
from sim.i18n import t
from sim.plan import run_plan
from sim.plan.report import year_tables
from sim.plan.result import BASELINE, PLAN
from sim.scenario import load_scenario

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FUND = ROOT / "scenarios" / "plan_fund_consortia_rivals_grow.yaml"
TIMEOUT = 60_000
expect.set_options(timeout=TIMEOUT)
#: Streamlit's own widgets' text (icon ligatures, the uploader's button and limits): not the app's words.
STREAMLIT_OWNERS = ("stIconMaterial", "stFileUploaderDropzoneInstructions")
STREAMLIT_TEXTS = {"Upload", "info"}


@pytest.fixture(scope="module")
def package():
    return load_package()


def _pick_plan(page: Page, label: str, lang: str) -> None:
    box = page.get_by_role("combobox", name=t("plan_source", lang))
    box.click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(box).to_have_value(label)


def test_plan_tab_in_chinese_ranks_year_by_year_and_downloads_the_brief(page: Page, app_url, package, tmp_path,
                                                                       screenshot):
    page.set_viewport_size({"width": 1400, "height": 900})
    plan = load_scenario(FUND, package)
    result = run_plan(package, plan)
    open_app(page, app_url, "?z=sunan")
    open_tab(page, "tab_plan")
    _pick_plan(page, t("plan_src_library", "zh", name=plan.name_zh), "zh")

    # the ranks year by year are run_plan's: plan rank, then the baseline path's in brackets
    years = [result.start_year, *result.years]
    _, rank_rows, score_rows = year_tables(result, package, "zh")
    zone_of = {package.name("zone", z, "zh"): z for z in package.zone_ids}
    rows = page.locator(".st-key-plan_ranks tbody tr")
    expect(rows).to_have_count(len(package.zone_ids))
    for k, expected in enumerate(rank_rows):
        zone = zone_of[expected[0]]
        cells = rows.nth(k).locator("td, th")
        expect(cells.nth(0)).to_have_text(expected[0])
        for j, year in enumerate(years, start=1):
            shown = f"{result.ranks(PLAN).at[year, zone]}"
            if year != result.start_year:
                shown += f" ({result.ranks(BASELINE).at[year, zone]})"
            expect(cells.nth(j)).to_have_text(shown)
    expect(page.locator(".st-key-plan_scores tbody tr").first.locator("td, th").last).to_have_text(score_rows[0][-1])
    # the year Sunan passes Zhangjiang
    expect(page.locator(".st-key-plan_overtakes")).to_contain_text("江苏苏南 2024 年超过上海张江")
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2)
    settle(page)
    screenshot(page, "-top")

    # no Latin word outside the allowlist; the warnings name interventions by number, as the What-if tab does
    leaks = []
    for text, where in page.evaluate(VISIBLE_TEXT):
        words = set(foreign_words(text))
        if words and not where.startswith(STREAMLIT_OWNERS) and text not in STREAMLIT_TEXTS:
            leaks.append(f"{where}: {sorted(words)} <- {text[:120]!r}")
    assert not leaks, "\n".join(leaks)
    expect(page.locator(".st-key-plan_notes")).to_contain_text("第 4 项干预")

    # the brief button downloads the docx of `zonesim report PLAN.yaml`: the same year-by-year tables
    with page.expect_download() as download:
        page.locator(".st-key-w_brief_plan").get_by_role("button").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".docx"
    document = docx.Document(str(path))
    headers, _, _ = year_tables(result, package, "zh")
    assert docx_table(document, "plan_ranks") == [headers, *rank_rows]
    assert docx_table(document, "plan_scores") == [headers, *score_rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1024, 1400])
def test_plan_tab_reads_at_both_widths(page: Page, app_url, package, lang, width):
    """The default library plan at 1024 and 1400 px: charts fit their column, no text cut; a screenshot each."""
    page.set_viewport_size({"width": width, "height": 900})
    open_app(page, app_url, "?z=sunan" + ("" if lang == "zh" else "&lang=en"))
    open_tab(page, "tab_plan", lang)
    expect(page.locator(".st-key-plan_ranks tbody tr")).to_have_count(len(package.zone_ids))
    settle(page)
    problems = []
    for number, chart in enumerate(page.evaluate(CHART_REPORT), start=1):
        if chart["drawing"] is None or chart["marks"] == 0:
            problems.append(f"chart {number}: not drawn")
        elif chart["drawing"] > chart["container"] + 1:
            problems.append(f"chart {number}: {chart['drawing']:.0f} px wide in {chart['container']:.0f} px")
        elif chart["outside"]:
            problems.append(f"chart {number}: text cut at the edge: {chart['outside'][:5]}")
    assert not problems, problems
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    whole_page_screenshot(page, SCREENSHOTS_DIR / f"plan-tab-{lang}-{width}.png")


def test_the_current_scenario_as_a_plan_in_the_browser(page: Page, app_url, package, screenshot):
    """A shared one-year scenario made into a plan: horizon and each intervention's timing, through the state model."""
    from sim.plan.compose import as_plan, intervention_key
    from sim.share import share_params

    page.set_viewport_size({"width": 1400, "height": 900})
    one_year = load_scenario(ROOT / "scenarios" / "sunan_rd_doubling.yaml", package)
    params = share_params(one_year, z="sunan")
    open_app(page, app_url, "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    open_tab(page, "tab_plan")
    _pick_plan(page, t("plan_src_current", "zh", name=one_year.name_zh), "zh")
    settings = page.locator(".st-key-plan_settings")
    expect(settings).to_be_visible()
    horizon = page.get_by_role("combobox", name=t("plan_horizon", "zh"))
    horizon.click()
    page.get_by_role("option", name="2023", exact=True).click()
    expect(horizon).to_have_value("2023")
    start = page.get_by_role("combobox", name=t("plan_from", "zh"))
    start.click()
    page.get_by_role("option", name="2022", exact=True).click()
    expect(start).to_have_value("2022")
    page.get_by_text(t("plan_each_year", "zh"), exact=True).click()
    expect(page.get_by_role("combobox", name=t("plan_until", "zh"))).to_have_value("2023")  # the horizon

    key = intervention_key(one_year.interventions[0])
    plan = as_plan(one_year, package, 2023, "hold", {key: {"from": 2022, "each_year": True}})
    result = run_plan(package, plan)
    _, rank_rows, score_rows = year_tables(result, package, "zh")
    rows = page.locator(".st-key-plan_scores tbody tr")
    for k, expected in enumerate(score_rows):
        expect(rows.nth(k).locator("td, th").last).to_have_text(expected[-1])
    settle(page)
    screenshot(page, "-current")
    leaks = [f"{where}: {text[:80]!r}" for text, where in page.evaluate(VISIBLE_TEXT)
             if foreign_words(text) and not where.startswith(STREAMLIT_OWNERS) and text not in STREAMLIT_TEXTS]
    assert not leaks, leaks
    # the What-if tab still shows the one-year scenario's ranking
    open_tab(page, "tab_whatif")
    expect(page.locator(".st-key-ranking_box")).to_be_visible()


def test_a_plan_link_opens_that_plan_on_the_plan_tab(page: Page, app_url, package, screenshot):
    """A link carrying a plan (issue 13 point 3): the Plan tab shows its ranks, and the link keeps carrying it."""
    from urllib.parse import parse_qs, urlencode, urlsplit

    from sim.share import file_name, plan_from_params, plan_params

    page.set_viewport_size({"width": 1400, "height": 900})
    plan = load_scenario(ROOT / "scenarios" / "plan_more_core_zones_2023.yaml", package)
    open_app(page, app_url, "?" + urlencode({"v": "1", "z": "sunan", **plan_params(plan)}))
    open_tab(page, "tab_plan")
    expect(page.get_by_role("combobox", name=t("plan_source", "zh"))).to_have_value(
        t("plan_src_uploaded", "zh", name=file_name(plan)))
    _, rank_rows, _ = year_tables(run_plan(package, plan), package, "zh")
    rows = page.locator(".st-key-plan_ranks tbody tr")
    expect(rows).to_have_count(len(package.zone_ids))
    for k, expected in enumerate(rank_rows):
        cells = rows.nth(k).locator("td, th")
        for j, text in enumerate(expected):
            expect(cells.nth(j)).to_have_text(text)
    settle(page)
    screenshot(page, "-plan-link")
    # the address bar still carries the same plan (sync_url writes it every run)
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    shared = plan_from_params(query, package, ROOT / "scenarios")
    assert shared is not None and shared.scenario.interventions == plan.interventions
