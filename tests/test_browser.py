"""The app in a real browser: headless Chromium driven by Playwright (marked ``browser``).

The server and the browser come from fixtures in conftest.py (``app_url``,
``browser_type_launch_args``). Every test saves a screenshot to
``artifacts/screenshots/<test name>.png``; the app runs in Chinese (its default), so
the screenshots also show whether Chinese text renders. Expected rankings come from
the engine on the same data. The page helpers are in tests/_browserpage.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from _browserpage import expect_ranking as _expect_ranking
from _browserpage import move_slider_to_end as _move_slider
from _browserpage import open_app as _open
from _browserpage import open_tab as _tab
from _browserpage import ranking_cell
from _browserpage import slider_of as _slider
from playwright.sync_api import Page, expect

from sim.compare import cell_text
from sim.data import load_package
from sim.engine import run_scenario
from sim.errors import SimError
from sim.i18n import t
from sim.messages import render
from sim.scenario import dump_scenario, load_scenario, parse_scenario, scenario_from_dict
from sim.share import LINK_SOURCE
from sim.whatif import slider_spec

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30_000
# Reruns are quick, but the whole suite runs in parallel on small CI machines.
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def package():
    return load_package()


@pytest.fixture(scope="module")
def move(package):
    """A slider move that changes the ranking: (zone, indicator, slider end, expected result).

    The slider is moved with the End key, so the move is to the slider's upper end.
    Indicators of the first group come first (their sliders are open on arrival).
    """
    year = package.years[-1]
    table = package.table(year)
    baseline = run_scenario(package, scenario_from_dict({"version": 1, "name": "b", "year": year}, package))
    groups = list(package.groups.index)
    indicators = sorted(package.indicator_ids, key=lambda i: groups.index(package.indicators.at[i, "group"]))
    for zone in reversed(list(baseline.ranking().index)):
        for indicator in indicators:
            spec = slider_spec(package, year, zone, indicator, table)
            if spec.disabled or spec.high == 0:
                continue
            by = spec.high if spec.kind == "amount" else f"+{spec.high}%"
            document = {"version": 1, "name": "what-if", "name_zh": "假设情景", "year": year,
                        "interventions": [{"zone": zone, "indicator": indicator, "by": by}]}
            try:
                result = run_scenario(package, scenario_from_dict(document, package))
            except SimError:
                continue
            if list(result.ranking().index) != list(baseline.ranking().index):
                return zone, indicator, spec, result, baseline
    pytest.skip("no single slider move changes the ranking on this data")


def _names(package, result) -> list[str]:
    return [package.name("zone", z, "zh") for z in result.ranking().index]


def test_moving_a_slider_changes_the_ranking(page: Page, app_url, package, move, screenshot):
    zone, indicator, spec, result, baseline = move
    _open(page, app_url, f"?z={zone}")
    _expect_ranking(page, package, baseline)
    expect(page.get_by_role("combobox", name=t("zone", "zh"))).to_have_value(package.name("zone", zone, "zh"))
    _move_slider(page, package, indicator, spec)
    _expect_ranking(page, package, result)
    assert _names(package, result) != _names(package, baseline)
    # the arrows of the rank change are there for the zones that moved
    moved = result.ranking()
    for row, change in enumerate(moved["rank_change"]):
        arrow = "–" if change == 0 else f"▲{change}" if change > 0 else f"▼{-change}"
        expect(ranking_cell(page, row, 5)).to_have_text(arrow)  # rank, zone, score, lead, Δ score, Δ rank
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    screenshot(page)


def test_download_the_scenario_and_upload_it_back(page: Page, app_url, package, move, screenshot, tmp_path):
    zone, indicator, spec, result, baseline = move
    _open(page, app_url, f"?z={zone}")
    _move_slider(page, package, indicator, spec)
    _expect_ranking(page, package, result)

    _tab(page, "tab_files")
    with page.expect_download() as download:
        page.locator(".st-key-w_download_yaml").get_by_role("button", name=t("download_scenario", "zh")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    scenario = parse_scenario(text, package, source=path.name)
    assert dump_scenario(scenario) == text  # the canonical form the command line writes
    assert dump_scenario(scenario) == dump_scenario(result.scenario)

    _tab(page, "tab_whatif")
    page.locator(".st-key-w_reset_all").get_by_role("button", name=t("reset_all", "zh")).click()
    _expect_ranking(page, package, baseline)
    expect(_slider(page, indicator, package)).to_have_attribute("aria-valuetext",
                                                               "+0" if spec.kind == "amount" else "+0%")

    _tab(page, "tab_files")
    page.locator('.st-key-w_scn_upload [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(page.get_by_text(t("loaded", "zh", name="假设情景"))).to_be_visible(timeout=TIMEOUT)
    screenshot(page, "-files")
    _tab(page, "tab_whatif")
    _expect_ranking(page, package, result)
    suffix = "" if spec.kind == "amount" else "%"
    expect(_slider(page, indicator, package)).to_have_attribute("aria-valuetext", f"+{spec.high}{suffix}")
    screenshot(page)


def test_a_share_link_opens_the_same_results_in_another_browser(
    page: Page, app_url, package, move, screenshot, browser, browser_context_args
):
    zone, indicator, spec, result, baseline = move
    _open(page, app_url, f"?z={zone}")
    _move_slider(page, package, indicator, spec)
    _expect_ranking(page, package, result)
    _tab(page, "tab_files")
    code = page.locator(".st-key-share_box code")
    expect(code).to_contain_text("?v=1&s=", timeout=TIMEOUT)
    link = code.inner_text().replace("\n", "").strip()
    assert link.startswith(app_url)
    assert page.url == link  # the address bar carries the same link

    other = browser.new_context(**browser_context_args)  # another browser: no shared session
    try:
        fresh = other.new_page()
        fresh.goto(link)
        _expect_ranking(fresh, package, result)
        suffix = "" if spec.kind == "amount" else "%"
        expect(_slider(fresh, indicator, package)).to_have_attribute("aria-valuetext", f"+{spec.high}{suffix}")
        expect(fresh.get_by_role("combobox", name=t("zone", "zh"))).to_have_value(package.name("zone", zone, "zh"))
        expect(fresh.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
        screenshot(fresh)
    finally:
        other.close()


def test_a_broken_share_link_says_so_and_the_app_still_works(page: Page, app_url, package, screenshot):
    _open(page, app_url, "?v=1&s=eJwrSy0qzszPs1Iw5MpLzE21Uij")
    alert = page.get_by_role("alert").first
    # in the page's language (Chinese)
    expect(alert).to_contain_text(render(LINK_SOURCE, "zh"), timeout=TIMEOUT)
    expect(alert).to_contain_text("链接已损坏")
    year = package.years[-1]
    baseline = run_scenario(package, scenario_from_dict({"version": 1, "name": "b", "year": year}, package))
    _expect_ranking(page, package, baseline)
    screenshot(page)


def test_compare_two_scenarios(page: Page, app_url, package, move, screenshot):
    zone, indicator, spec, result, baseline = move
    # compared by default: the current scenario, then the library's two headline scenarios
    library = run_scenario(package, load_scenario(ROOT / "scenarios" / "sunan_rd_doubling.yaml", package))
    _open(page, app_url, f"?z={zone}")
    _move_slider(page, package, indicator, spec)
    _expect_ranking(page, package, result)
    _tab(page, "tab_compare")
    rows = page.locator(".st-key-compare_box tbody tr")
    # zones in the baseline's order; one cell per scenario, "score (rank) ▲n", the baseline first
    zones = list(result.baseline.scores.sort_values(ascending=False, kind="stable").index)
    for row, zone_id in enumerate(zones):
        cells = rows.nth(row).locator("td, th")
        expect(cells.nth(0)).to_have_text(package.name("zone", zone_id, "zh"), timeout=TIMEOUT)
        expect(cells.nth(1)).to_have_text(cell_text(result.baseline.scores[zone_id], result.baseline.ranks[zone_id], None))
        for column, shown in ((2, result), (3, library)):
            expect(cells.nth(column)).to_have_text(cell_text(
                shown.scored.scores[zone_id], shown.scored.ranks[zone_id], int(shown.rank_change[zone_id])))
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2)  # scores and ranks
    with page.expect_download() as download:
        page.locator(".st-key-w_cmp_csv").get_by_role("button", name=t("download_csv", "zh")).click()
    table = pd.read_csv(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    m = len(package.zone_ids)
    first, second = table.iloc[:m].set_index("zone"), table.iloc[m:2 * m].set_index("zone")
    for zone_id in package.zone_ids:
        assert first.at[zone_id, "rank"] == result.scored.ranks[zone_id]
        assert first.at[zone_id, "score"] == pytest.approx(result.scored.scores[zone_id], abs=1e-12)
        assert second.at[zone_id, "rank"] == library.scored.ranks[zone_id]
    with page.expect_download() as workbook:
        page.locator(".st-key-w_cmp_xlsx").get_by_role("button", name=t("download_excel", "zh")).click()
    assert workbook.value.suggested_filename == "comparison.xlsx"
    screenshot(page)


def test_switching_to_english_changes_the_labels(page: Page, app_url, package, screenshot):
    zone = package.zone_ids[0]
    _open(page, app_url, f"?z={zone}")
    expect(page.get_by_role("combobox", name=t("zone", "zh"))).to_have_value(package.name("zone", zone, "zh"))
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("tab", name="What-if")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name=t("title", "en"))).to_be_visible()
    # widgets whose options are translated show the new language too (not a stale label)
    expect(page.get_by_role("combobox", name=t("zone", "en"))).to_have_value(package.name("zone", zone, "en"))
    expect(page.get_by_role("combobox", name=t("weights", "en"), exact=True)).to_have_value("recompute entropy weights")
    expect(page.get_by_role("radio", name=t("data_shipped", "en"))).to_be_checked()
    group = package.groups.index[0]
    expect(page.locator('[class*="st-key-w_group-en-"]')).to_contain_text(package.name("group", group, "en"))
    year = package.years[-1]
    baseline = run_scenario(package, scenario_from_dict({"version": 1, "name": "b", "year": year}, package))
    first = baseline.ranking().index[0]
    expect(ranking_cell(page, 0, 1)).to_have_text(package.name("zone", first, "en"))
    assert "lang=en" in page.url
    screenshot(page)
