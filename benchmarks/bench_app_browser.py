"""What a planner waits for, measured in Chromium (issue 10): a slider key, a first page load, a share link.

Starts the app (as the browser tests do), drives Debian's Chromium with Playwright
and prints, on the shipped data:

- **slider move**: a key press (ArrowRight) on a slider, until the ranking table in
  the browser shows the engine's new scores for every zone (30 moves, each to a value
  not seen before); median and 95th percentile. Targets: 250 ms and 500 ms. Each
  move starts once the app has finished drawing the previous one (its status line
  says the results are current): the latency of one move. The same figures for moves
  pressed back to back (the next key as soon as the scores show, while the charts of
  the previous move are still being drawn) are printed too, not held to the targets.
- **first load**: a new browser opening the page (server running) until the ranking
  shows; the very first session of the server (Python imports the app's modules) and
  the median of the next ones. Target: 3 s.
- **share link**: a new browser opening a link with a scenario until the ranking
  shows that scenario's scores. Target: 3 s.

The machine's load (``os.getloadavg``) is printed with the figures: on a shared
machine, quote it. Usage::

    .venv/bin/python benchmarks/bench_app_browser.py [--moves 30] [--loads 5]

Exit status 1 when a figure is over its target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _machine import cpu_model  # noqa: E402

from sim.data import load_package  # noqa: E402
from sim.engine import run_scenario  # noqa: E402
from sim.errors import SimError  # noqa: E402
from sim.scenario import load_scenario, scenario_from_dict  # noqa: E402
from sim.share import share_params  # noqa: E402
from sim.whatif import slider_spec  # noqa: E402

TARGETS_MS = {"median": 250.0, "p95": 500.0, "first_load": 3000.0, "share_link": 3000.0}
#: The What-if panel's status line once its run has drawn the results (see ui/whatif.py).
SETTLED = """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
  .some(e => e.textContent.startsWith('✓'))"""
#: Whether the ranking table shows exactly these (name, score) rows, best first; polled every frame.
RANKING_SHOWS = """(expected) => {
  const box = document.querySelector('.st-key-ranking_box');
  const rows = box ? box.querySelectorAll('tbody tr') : [];
  return expected.every(([name, score], row) => {
    const cells = rows[row] ? rows[row].querySelectorAll('td, th') : [];
    return cells.length > 2 && cells[1].textContent === name && cells[2].textContent === score;
  });
}"""


def shown_rows(result, package) -> list[list[str]]:
    """The ranking as the table shows it: zone name (zh) and score to 2 decimals, best first."""
    return [[package.name("zone", zone, "zh"), f"{float(row['score']):.2f}"]
            for zone, row in result.ranking().iterrows()]


def slider_series(package, moves: int):
    """A (zone, indicator, spec) whose first ``moves`` key steps each change the shown ranking, and the rows."""
    year = package.years[-1]
    table = package.table(year)
    for zone in package.zone_ids:
        for indicator in package.indicator_ids:
            spec = slider_spec(package, year, zone, indicator, table)
            if spec.disabled or spec.high < moves * spec.step:
                continue
            series, previous = [], None
            for step in range(moves + 1):
                value = step * spec.step
                by = value if spec.kind == "amount" else f"{value:+d}%"
                document = {"version": 1, "name": "what-if", "name_zh": "假设情景", "year": year,
                            "interventions": [{"zone": zone, "indicator": indicator, "by": by}] if value else []}
                try:
                    rows = shown_rows(run_scenario(package, scenario_from_dict(document, package)), package)
                except SimError:
                    break
                if rows == previous:
                    break
                series.append(rows)
                previous = rows
            if len(series) == moves + 1:
                return zone, indicator, series
    raise SystemExit(f"no slider changes the shown ranking on each of {moves} steps")


def timed_load(browser, url: str, expected, context_args) -> float:
    context = browser.new_context(**context_args)
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(RANKING_SHOWS, arg=expected, polling="raf", timeout=120_000)
        return 1000 * (time.perf_counter() - started)
    finally:
        context.close()


#: Remembers when each key went down, in the page's own clock.
KEY_CLOCK = "() => document.addEventListener('keydown', () => { window.__keyDown = performance.now(); }, true)"
#: RANKING_SHOWS, noting when (in the page's clock) it first held.
RANKING_SHOWN_AT = f"""(expected) => {{
  if (!({RANKING_SHOWS})(expected)) return false;
  window.__shownAt = performance.now();
  return true;
}}"""


def timed_moves(page, series, settle: bool) -> tuple[list[float], list[float]]:
    """Per move: ms from the key going down to the frame in which the ranking shows the new rows
    (measured in the page), and ms as Playwright sees it (press sent to the wait returning)."""
    in_page, outside = [], []
    for expected in series:
        if settle:
            page.wait_for_function(SETTLED, polling="raf", timeout=60_000)
        started = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(RANKING_SHOWN_AT, arg=expected, polling="raf", timeout=60_000)
        outside.append(1000 * (time.perf_counter() - started))
        in_page.append(page.evaluate("() => window.__shownAt - window.__keyDown"))
    return in_page, outside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--loads", type=int, default=5, help="page loads and share links to time")
    args = parser.parse_args(argv)

    from _appserver import chromium_launch_args, serve_app
    from playwright.sync_api import sync_playwright

    package = load_package()
    zone, indicator, series = slider_series(package, 2 * args.moves)
    baseline_rows = series[0]
    library = load_scenario(ROOT / "scenarios" / "integrated_innovation_fund.yaml", package)
    linked = shown_rows(run_scenario(package, library), package)
    query = urlencode(share_params(library, z=zone))
    scratch = Path(tempfile.mkdtemp(prefix="zonesim-bench-"))
    home = {name: str(scratch / name) for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    for folder in home.values():
        Path(folder).mkdir()
    context_args = {"viewport": {"width": 1280, "height": 1100}, "locale": "zh-CN"}
    load_before = os.getloadavg()
    with serve_app(scratch / "server.log", env=home) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args(home))
        first = timed_load(browser, url, baseline_rows, context_args)
        loads = [timed_load(browser, url, baseline_rows, context_args) for _ in range(args.loads)]
        shares = [timed_load(browser, f"{url}/?{query}", linked, context_args) for _ in range(args.loads)]

        context = browser.new_context(**context_args)
        page = context.new_page()
        page.goto(f"{url}/?z={zone}")
        page.wait_for_function(RANKING_SHOWS, arg=baseline_rows, polling="raf", timeout=120_000)
        slider = page.locator(f'[class*="st-key-w_sl_{indicator}-"]').get_by_role("slider")
        page.evaluate(KEY_CLOCK)
        slider.focus()
        moves, moves_outside = timed_moves(page, series[1:args.moves + 1], settle=True)
        back_to_back, _ = timed_moves(page, series[args.moves + 1:], settle=False)
        context.close()
        browser.close()
    load_after = os.getloadavg()

    median = statistics.median(moves)
    p95 = statistics.quantiles(moves, n=20, method="inclusive")[-1]
    figures = {"median": median, "p95": p95, "first_load": statistics.median(loads),
               "share_link": statistics.median(shares)}
    print(f"app in Chromium (shipped data; {cpu_model()}, {os.cpu_count()} cores)")
    print(f"  load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} (1 min)")
    print(f"  slider move ({len(moves)} x ArrowRight on {zone}/{indicator}, until the ranking shows the new scores):")
    print(f"    median {median:6.0f} ms   p95 {p95:6.0f} ms   min {min(moves):6.0f}   max {max(moves):6.0f}"
          "   (in the page: key down to the frame showing the scores)")
    print(f"    as Playwright sees it (press sent to wait returned): median {statistics.median(moves_outside):6.0f} ms"
          f"   p95 {statistics.quantiles(moves_outside, n=20, method='inclusive')[-1]:6.0f} ms")
    print(f"    back to back ({len(back_to_back)} more): median {statistics.median(back_to_back):6.0f} ms   "
          f"p95 {statistics.quantiles(back_to_back, n=20, method='inclusive')[-1]:6.0f} ms")
    print(f"  first load: first session of the server {first:6.0f} ms; next {len(loads)}: "
          f"median {statistics.median(loads):6.0f} ms, max {max(loads):6.0f}")
    print(f"  share link ({library.name}): median {statistics.median(shares):6.0f} ms, max {max(shares):6.0f}")
    over = [name for name, value in figures.items() if value > TARGETS_MS[name]]
    print("  targets (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in TARGETS_MS.items())
          + (f" -> OVER: {', '.join(over)}" if over else " -> all met"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
