"""What a person sees, tab by tab, at 1024 and 1400 px, in Chinese and English (issue 11), and the brief (issue 14).

Headless Chromium on the shared server of conftest.py (marked ``browser``):

- every tab in Chinese, after loading a scenario with warnings, an invalid upload and
  a damaged share link: no Latin word outside ``tests/zh_latin_allowlist.yaml``; a
  failure lists each leaking text, its words and where it is on the page;
- every Vega chart of every tab at 1024 x 900 and 1400 x 900, both languages: it has
  marks (bars of some width, not only labels), its drawing is no wider than its
  container, and no text of it (title, legend, labels) falls outside the drawing;
  whole-page screenshots in ``artifacts/screenshots/`` (one per tab);
- the brief downloaded from the What-if tab has the tables of the document that
  ``zonesim report`` writes for the same scenario.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from _browserpage import CHART_REPORT, MARK_TEXT_FILLS, VISIBLE_TEXT, expect_ranking, open_app, open_tab, settle, whole_page_screenshot
from conftest import SCREENSHOTS_DIR
from latin import foreign_words, untyped
from playwright.sync_api import Page, expect

from sim.chart_style import zone_colors
from sim.data import load_package
from sim.engine import run_scenario
from sim.i18n import t
from sim.scenario import load_scenario
from sim.share import share_params

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90_000  # goal-seek and robustness run on a loaded 2-core machine
expect.set_options(timeout=TIMEOUT)
TABS = ("whatif", "files", "compare", "goalseek", "levers", "robustness")
#: What shows that a tab has drawn its content (after its analysis ran, for goal-seek and robustness).
READY = {"whatif": ".st-key-ranking_box", "files": ".st-key-share_box", "compare": ".st-key-compare_box",
         "goalseek": ".st-key-gs_verdict", "levers": ".st-key-lv_table_box", "robustness": ".st-key-rb_table_box"}
#: The What-if tab's second chart: each choice is drawn once.
SECOND_CHARTS = ("groups", "decomposition", "drift")
#: A scenario that changes values (so every chart has something to show) and has warnings.
WITH_WARNINGS = "sunan_rd_doubling.yaml"


@pytest.fixture(scope="module")
def package():
    return load_package()


def _query(package, lang: str, name: str = WITH_WARNINGS) -> str:
    scenario = load_scenario(ROOT / "scenarios" / name, package)
    params = share_params(scenario, z="sunan", **({"lang": lang} if lang != "zh" else {}))
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _tour(page: Page, lang: str, visit, tabs=TABS) -> None:
    """Open each tab as a person would (running goal-seek and robustness), then ``visit(name)``."""
    for tab in tabs:
        open_tab(page, f"tab_{tab}", lang)
        if tab == "goalseek":
            page.locator(".st-key-w_gs_run").get_by_role("button").click()
        if tab == "robustness":
            draws = page.get_by_role("spinbutton", name=t("rb_draws", lang))
            draws.fill("2000")  # enough for the charts; the default 10,000 only takes longer
            draws.press("Enter")
            page.locator(".st-key-w_rb_run").get_by_role("button").click()
        expect(page.locator(READY[tab])).to_be_attached()
        settle(page)
        visit(tab)
        if tab == "whatif":
            for chart in SECOND_CHARTS[1:]:
                page.locator('[class*="st-key-w_chart"]').get_by_text(t(f"chart_{chart}", lang), exact=True).click()
                expect(page.locator('[class*="st-key-w_chart"] input[type="radio"]:checked')).to_have_count(1)
                page.wait_for_timeout(300)
                settle(page)
                visit(f"whatif-{chart}")


# --------------------------------------------------------------------------- no English in the Chinese page


def _leaks(texts: list[list[str]], where: str) -> list[str]:
    found = []
    for text, element in texts:
        words = foreign_words(untyped(text))  # what a person typed is quoted as typed (a file's field, a value)
        if words:
            found.append(f"[{where}] {element}: {' '.join(dict.fromkeys(words))} <- {text[:160]!r}")
    return found


def test_no_latin_word_in_the_chinese_page(page: Page, app_url, package, tmp_path, screenshot):
    """Every tab in Chinese, after a scenario with warnings, an invalid upload and a damaged share link."""
    page.set_viewport_size({"width": 1400, "height": 900})
    open_app(page, app_url, "?z=sunan")
    page.locator(".st-key-w_example_artefact").get_by_role("button").click()  # start here: a scenario with warnings
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_be_visible()
    leaks: list[str] = []

    def visit(tab: str) -> None:
        leaks.extend(_leaks(page.evaluate(VISIBLE_TEXT), tab))
        if tab == "files":  # a scenario file with a mistake: the upload error in Chinese
            bad = tmp_path / "bad.yaml"
            bad.write_text("version: 1\nname: bad\nyear: 2020\ninterventions:\n"
                           "- {zone: sunan, indicator: rd_spendin, by: +10%}\n", encoding="utf-8")
            page.locator('.st-key-w_scn_upload [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
            expect(page.locator('[data-testid="stAlertContentError"]').first).to_be_visible()
            leaks.extend(_leaks(page.evaluate(VISIBLE_TEXT), "files, invalid upload"))

    _tour(page, "zh", visit)
    screenshot(page, "-robustness")
    open_app(page, app_url, "?v=1&s=eJwrSy0qzszPs1Iw5MpLzE21Uij")  # a damaged share link
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_be_visible()
    leaks.extend(_leaks(page.evaluate(VISIBLE_TEXT), "damaged share link"))
    screenshot(page, "-share-link")
    leaks = list(dict.fromkeys(leaks))
    assert not leaks, f"{len(leaks)} texts with Latin words in the Chinese page:\n" + "\n".join(leaks)


# --------------------------------------------------------------------------- charts at 1024 and 1400 px


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1024, 1400])
def test_every_chart_has_marks_and_fits_its_container(page: Page, app_url, package, width, lang):
    page.set_viewport_size({"width": width, "height": 900})
    open_app(page, app_url, _query(package, lang))
    problems: list[str] = []
    seen = 0

    def visit(tab: str) -> None:
        nonlocal seen
        whole_page_screenshot(page, SCREENSHOTS_DIR / f"layout-{width}-{lang}-{tab}.png")
        for number, chart in enumerate(page.evaluate(CHART_REPORT)):
            seen += 1
            name = f"{tab} chart {number + 1} ({chart.get('title') or 'untitled'})"
            if chart["drawing"] is None:
                problems.append(f"{name}: not drawn")
                continue
            if chart["marks"] == 0 or chart["widest"] < 4:
                problems.append(f"{name}: no marks (widest mark {chart['widest']:.1f} px)")
            if chart["drawing"] > chart["container"] + 1 or chart["element"] > chart["container"] + 1:
                problems.append(f"{name}: {chart['drawing']:.0f} px wide in a {chart['container']:.0f} px container")
            if chart["outside"]:
                problems.append(f"{name}: text cut at the edge: {chart['outside'][:5]}")

    def colours(tab: str) -> None:
        # each zone in its own colour, whatever the language: the names the rank chart writes
        if tab == "compare":
            for text, fill in (pair for chart in page.evaluate(MARK_TEXT_FILLS) for pair in chart):
                if text in by_name:
                    drawn[by_name[text]] = fill

    by_name = {package.name("zone", zone, lang): zone for zone in package.zone_ids}
    drawn: dict[str, str] = {}
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    _tour(page, lang, lambda tab: (visit(tab), colours(tab)), tabs=[tab for tab in TABS if tab != "files"])
    assert seen >= 12  # two charts per tab, the What-if tab's three second charts
    assert not problems, "\n".join(problems)
    expected = {zone: colour.lower() for zone, colour in zone_colors(package.zone_ids).items()}
    assert drawn == expected  # every zone named, each in the colour fixed by its id


# --------------------------------------------------------------------------- the brief (issue 14)


def _tables(data: bytes) -> list[list[list[str]]]:
    from docx import Document

    return [[[cell.text for cell in row.cells] for row in table.rows] for table in Document(io.BytesIO(data)).tables]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_from_the_app_is_the_commands_document(page: Page, app_url, package, tmp_path, screenshot, lang):
    scenario = load_scenario(ROOT / "scenarios" / WITH_WARNINGS, package)
    open_app(page, app_url, "?z=sunan" + ("&lang=en" if lang == "en" else ""))
    page.locator(".st-key-w_example_rd").get_by_role("button").click()  # start here: the library's Sunan R&D push
    name = scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name
    expect(page.get_by_text(t("loaded", lang, name=name))).to_be_visible()
    # the run has finished: the button of the run before would still make the brief of the blank scenario
    expect_ranking(page, package, run_scenario(package, scenario), lang)
    settle(page)
    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator(".st-key-w_brief_whatif").get_by_role("button").click()
    assert download.value.suggested_filename.endswith(".docx")
    from_app = Path(download.value.path()).read_bytes()
    out = tmp_path / "brief.docx"
    subprocess.run([sys.executable, "-m", "sim", "report", str(ROOT / "scenarios" / WITH_WARNINGS), "--out", str(out),
                    "--lang", lang], cwd=ROOT, check=True, capture_output=True, timeout=120)
    expected = _tables(out.read_bytes())
    assert len(expected) >= 2  # the ranking before and after, the changes
    assert _tables(from_app) == expected
    screenshot(page)
