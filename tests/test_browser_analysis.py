"""The analysis tabs in a real browser (headless Chromium via Playwright; marked ``browser``).

Uses the server and browser fixtures of conftest.py. Expected answers come from the
library on the same data and the same starting scenario (the app's blank what-if).
Screenshots go to ``artifacts/screenshots/``; the app runs in Chinese.
"""

from __future__ import annotations

import pytest
from _browserpage import expect_ranking as _expect_ranking
from _browserpage import open_app, open_tab, slider_of
from playwright.sync_api import Page, expect

from sim.analysis.goalseek import goal_seek
from sim.analysis.robustness import robustness
from sim.analysis.views import found_scenario, goal_seek_verdict, robustness_sentences
from sim.analysis.wording import change_text
from sim.messages import text
from sim.data import load_package
from sim.engine import run_scenario
from sim.i18n import t
from sim.scenario import scenario_from_dict

pytestmark = pytest.mark.browser

TIMEOUT = 60_000  # goal-seek takes seconds, and the suite runs in parallel
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def package():
    return load_package()


def _blank(package):
    return scenario_from_dict({"version": 1, "name": "what-if", "name_zh": "假设情景", "year": package.years[-1],
                               "interventions": []}, package, source="new scenario")


def test_goal_seek_then_load_the_answer_into_the_sliders(page: Page, app_url, package, screenshot):
    start = _blank(package)
    baseline = run_scenario(package, start)
    zone = list(baseline.ranking().index)[-1]  # the last zone: one rank up is the tab's default target
    rank = int(baseline.scored.ranks[zone])
    answer = goal_seek(package, zone, f"rank:{max(1, rank - 1)}", scenario=start, whole_percent=True)
    if not answer.changes:
        pytest.skip("the target is already reached on this data")
    found = run_scenario(package, answer.scenario)

    open_app(page, app_url, f"?z={zone}")
    _expect_ranking(page, package, baseline)
    open_tab(page, "tab_goalseek")
    expect(page.get_by_role("combobox", name=t("zone", "zh"))).to_have_value(package.name("zone", zone, "zh"))
    page.locator(".st-key-w_gs_run").get_by_role("button", name=t("gs_run", "zh")).click()
    _, verdict = goal_seek_verdict(answer, package, "zh")
    expect(page.locator(".st-key-gs_verdict")).to_contain_text(verdict)
    box = page.locator(".st-key-gs_changes_box")
    first = max(answer.changes, key=lambda c: c.weighted_change)
    expect(box.locator('[data-testid="glide-cell-0-0"]')).to_have_text(package.name("indicator", first.indicator, "zh"))
    expect(box.locator('[data-testid="glide-cell-1-0"]')).to_have_text(change_text(first.text, "zh"))
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    screenshot(page, "-goalseek")

    page.locator(".st-key-w_gs_load").get_by_role("button", name=t("gs_load", "zh")).click()
    # The app opens the what-if tab on the found scenario.
    expect(page.get_by_role("tab", name=t("tab_whatif", "zh"))).to_have_attribute("aria-selected", "true")
    _expect_ranking(page, package, found)
    if answer.reached:
        assert list(found.ranking().index) != list(baseline.ranking().index)
    expect(page.get_by_text(t("gs_loaded", "zh", name=found_scenario(answer, package).name_zh))).to_be_visible()
    for change in answer.changes:
        if change.text.endswith("%") and float(change.text[:-1]).is_integer():
            expect(slider_of(page, change.indicator, package)).to_have_attribute("aria-valuetext", change.text)
    screenshot(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1024, 1400])
def test_how_sure_the_answers_are_reads_at_both_widths(page: Page, app_url, package, screenshot, lang, width):
    """Issue 11: the goal-seek verdict with its margin and chance, robustness's plain sentences
    first, and the glossary one click away on each analysis tab, at 1024 and 1400 px."""
    page.set_viewport_size({"width": width, "height": 900})
    start = _blank(package)
    baseline = run_scenario(package, start)
    zone = list(baseline.ranking().index)[-1]
    rank = int(baseline.scored.ranks[zone])
    open_app(page, app_url, f"?z={zone}" + ("" if lang == "zh" else "&lang=en"))

    open_tab(page, "tab_goalseek", lang)
    page.locator(".st-key-w_gs_run").get_by_role("button", name=t("gs_run", lang)).click()
    answer = goal_seek(package, zone, f"rank:{max(1, rank - 1)}", scenario=start, whole_percent=True)
    _, verdict = goal_seek_verdict(answer, package, lang)
    expect(page.locator(".st-key-gs_verdict")).to_contain_text(verdict)
    if answer.reached:
        expect(page.get_by_test_id("stMetricLabel").filter(has_text=text("sure.metric_chance", lang))).to_be_visible()
    page.locator(".st-key-gs_verdict").evaluate("element => element.scrollIntoView()")  # verdict and metrics
    screenshot(page, "-goalseek")

    open_tab(page, "tab_robustness", lang)
    draws = page.get_by_role("spinbutton", name=t("rb_draws", lang))
    draws.fill("2000")
    draws.press("Enter")
    page.locator(".st-key-w_rb_run").get_by_role("button", name=t("rb_run", lang)).click()
    report = robustness(package, start, draws=2_000, seed=1, sigma=0.05)
    sentences = page.locator(".st-key-rb_sentences")
    for sentence in robustness_sentences(report, package, lang):
        expect(sentences).to_contain_text(sentence)
    sentences.evaluate("element => element.scrollIntoView()")
    screenshot(page, "-robustness")
    glossary = page.get_by_test_id("stExpander").filter(has_text=text("sure.glossary", lang))
    glossary.locator("summary").click()
    expect(glossary).to_contain_text(text("glossary.bootstrap_means", lang))
    screenshot(page, "-glossary")

    open_tab(page, "tab_levers", lang)
    expect(page.get_by_test_id("stExpander").filter(has_text=text("sure.glossary", lang))).to_have_count(1)
