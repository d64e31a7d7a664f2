"""What a person does and sees in the app, in Playwright terms: for tests/test_browser*.py.

Widgets that show a model value have keys ``<base>.<generation>`` (see
:func:`ui.state.bind`), so their CSS class is ``st-key-<base>-<generation>``: they are
found by the class prefix. The ranking is a static table in ``.st-key-ranking_box``.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from sim.i18n import t

TIMEOUT = 30_000


def keyed(page: Page, base: str) -> Locator:
    """The element of the widget whose key is ``base.<generation>`` (dots in keys become dashes)."""
    return page.locator(f'[class*="st-key-{base.replace(".", "-")}-"]')


def ranking_cell(page: Page, row: int, column: int) -> Locator:
    """A cell of the ranking table: columns rank, zone, score, Δ score, Δ rank, baseline score, baseline rank."""
    return page.locator(".st-key-ranking_box tbody tr").nth(row).locator("td, th").nth(column)


def expect_ranking(page: Page, package, result, lang: str = "zh") -> None:
    """The ranking table shows the result's order and scores (2 decimals); waits for the rerun."""
    for row, (zone, values) in enumerate(result.ranking().iterrows()):
        expect(ranking_cell(page, row, 1)).to_have_text(package.name("zone", zone, lang), timeout=TIMEOUT)
        expect(ranking_cell(page, row, 2)).to_have_text(f"{float(values['score']):.2f}")


def open_app(page: Page, app_url: str, query: str = "") -> None:
    page.goto(f"{app_url}/{query}")
    expect(ranking_cell(page, 0, 1)).to_be_attached(timeout=TIMEOUT)


#: True once the app has run no script for ``quiet`` ms (Streamlit marks its run state on the app's root,
#: as its own end-to-end tests read it). A click's run that the server starts later than that is not
#: waited for: the state says "not running" until the server answers (seconds on a loaded machine).
IDLE_FOR = """(quiet) => {
  const state = document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state');
  const now = performance.now();
  if (state !== 'notRunning') { window.__zonesimIdleSince = undefined; return false; }
  if (window.__zonesimIdleSince === undefined) window.__zonesimIdleSince = now;
  return now - window.__zonesimIdleSince >= quiet;
}"""


def wait_until_idle(page: Page, quiet: int = 600) -> None:
    """Wait until the app has run nothing for ``quiet`` ms: what it shows then is what it settled on."""
    page.evaluate("() => { window.__zonesimIdleSince = undefined; }")
    page.wait_for_function(IDLE_FOR, arg=quiet, polling=50, timeout=TIMEOUT * 2)


def open_tab(page: Page, key: str, lang: str = "zh") -> None:
    page.get_by_role("tab", name=t(key, lang)).click()
    expect(page.get_by_role("tab", name=t(key, lang))).to_have_attribute("aria-selected", "true")


def open_group(page: Page, package, indicator: str, lang: str = "zh") -> None:
    """Show the sliders of ``indicator``'s group (one group at a time)."""
    name = package.name("group", package.indicators.at[indicator, "group"], lang)
    keyed(page, f"w_group.{lang}").get_by_text(name).click()


def slider_of(page: Page, indicator: str, package=None, lang: str = "zh") -> Locator:
    """The slider of ``indicator``; with ``package``, its group is opened first when needed."""
    slider = keyed(page, f"w_sl_{indicator}").get_by_role("slider")
    if package is not None and not slider.is_visible():
        open_group(page, package, indicator, lang)
    return slider


def box_of(page: Page, indicator: str) -> Locator:
    """The exact number box beside ``indicator``'s slider."""
    return keyed(page, f"w_nb_{indicator}").locator("input")


def move_slider_to_end(page: Page, package, indicator: str, spec) -> None:
    """Press End on the slider, as a person would; waits until the slider shows its upper end."""
    slider = slider_of(page, indicator, package)
    slider.focus()
    slider.press("End")
    suffix = "" if spec.kind == "amount" else "%"
    expect(slider).to_have_attribute("aria-valuetext", f"+{spec.high}{suffix}", timeout=TIMEOUT)
