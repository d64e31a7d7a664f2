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
    """A cell of the ranking table: columns rank, zone, score, lead over next, Δ score, Δ rank, baseline score,
    baseline rank."""
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


# --------------------------------------------------------------------------- what a person sees: text, charts

#: Every visible text of the page (main area and sidebar, charts' SVG text included), as
#: [text, where]: ``where`` is the nearest element with a test id or key class. Code
#: blocks and text areas (the share link, YAML) are not language and are left out; so are
#: tooltips, collapsed expanders (hidden), icons (their names draw pictures) and
#: Streamlit's own file-uploader text (only the uploader's label is ours).
VISIBLE_TEXT = """() => {
  const out = [];
  const roots = ['[data-testid="stMain"]', '[data-testid="stSidebar"]'].map(s => document.querySelector(s)).filter(Boolean);
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('[data-testid="stCode"], textarea, title, desc, style, script')) continue;
      // an icon's name (:material/info:) draws a picture, not a word
      if (el.closest('[data-testid="stIconMaterial"]') || /Material/.test(getComputedStyle(el).fontFamily)) continue;
      // Streamlit's own uploader text (drop zone, file chips): not ours to translate; its label is
      const uploader = el.closest('[data-testid="stFileUploader"]');
      if (uploader && !el.closest('[data-testid="stWidgetLabel"]')) continue;
      if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0 && !el.closest('[data-testid^="glide-cell"], [role="columnheader"]')) continue;
      const owner = el.closest('[data-testid^="st"], [class*="st-key-"]');
      const where = owner ? (owner.getAttribute('data-testid') || '') + ' ' + ([...owner.classList].find(c => c.startsWith('st-key-')) || '') : '';
      out.push([text, where.trim()]);
    }
  }
  return out;
}"""

#: Per Vega chart: its container's width, its drawing's width, the widest data mark (bars,
#: cells, points, lines; not axes, legends or text) and the text that falls outside the
#: drawing (a clipped title, legend or label: sideways by more than 1 px, up or down by
#: more than the 5 px a text's box has above and below its letters).
CHART_REPORT = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .filter(chart => !chart.closest('[data-stale="true"]')).map(chart => {
  const svg = chart.querySelector('svg.marks, svg');
  const holder = chart.parentElement.getBoundingClientRect();
  if (!svg) return {container: holder.width, drawing: null, marks: 0, widest: 0, outside: []};
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('g.role-mark')].filter(g =>
    !g.closest('.role-axis, .role-legend, .role-title') && !/mark-text/.test(g.getAttribute('class')));
  let count = 0, widest = 0;
  for (const g of marks) for (const item of g.querySelectorAll('path, line, rect')) {
    const b = item.getBoundingClientRect();
    if (b.width > 0.5 || b.height > 0.5) { count += 1; widest = Math.max(widest, b.width); }
  }
  const outside = [...svg.querySelectorAll('text')].filter(t => {
    const b = t.getBoundingClientRect();
    // a text's box includes its font's ascent and descent: a few pixels past the top or bottom are empty
    return t.textContent.trim() && (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 5 || b.bottom > box.bottom + 5);
  }).map(t => t.textContent);
  const title = svg.querySelector('.role-title text');
  return {container: holder.width, drawing: box.width, element: chart.getBoundingClientRect().width,
          marks: count, widest: widest, outside: outside, title: title ? title.textContent : ''};
})"""


def settle(page: Page) -> None:
    """Wait until the app has finished its run (no element left from the run before) and every chart is drawn."""
    page.wait_for_function("""() => !document.querySelector('[data-stale="true"]')
      && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(c => c.querySelector('svg g.role-mark'))""",
                           timeout=TIMEOUT)
    page.wait_for_timeout(400)  # the last frame of Vega's drawing


def whole_page_screenshot(page: Page, path) -> None:
    """A screenshot of the whole page (Streamlit scrolls inside its own container: grow the window)."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 40), 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


#: Per Vega chart, the text marks it draws and their colours, as [text, fill]: the zone
#: names that a chart writes in each zone's own colour (the rank chart of Compare).
MARK_TEXT_FILLS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .filter(chart => !chart.closest('[data-stale="true"]')).map(chart =>
    [...chart.querySelectorAll('g.mark-text text')].map(t => [t.textContent.trim(), (t.getAttribute('fill') || '').toLowerCase()]))"""
