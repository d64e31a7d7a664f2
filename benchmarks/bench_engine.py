"""Benchmark of the engine (issue 12): one scenario, a slider move, many interventions, a batch.

Prints, with the CPU model, the load average and the library versions:

- ``run_scenario`` on the shipped data for every scenario of the library: median and best
  wall time and the CPU time per run (budget: a median of 10 ms, most of a slider move's
  budget in the app);
- slider moves: single-intervention scenarios on distinct (zone, indicator, value) cells,
  each a new scenario object, as the app builds them;
- 20,000 interventions in one scenario (issue 15.8: over 120 s before the array engine);
- a batch of 10,000 scenario variants applied and scored in one call of the engine.

``--source DIR`` imports ``sim`` from another checkout (e.g. ``git archive main``) and
times only ``run_scenario`` there, so that a before/after ratio can be measured in one
sitting on a shared, noisy machine.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--runs 200] [--source DIR]

Exit status 1 when the run_scenario budget is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_BUDGET_MS = 10.0


def timed_runs(function, runs: int) -> tuple[float, float, float]:
    """Median and best wall time and mean CPU time of ``runs`` calls, in milliseconds."""
    walls = []
    cpu_began = time.process_time()
    for _ in range(runs):
        began = time.perf_counter()
        function()
        walls.append(time.perf_counter() - began)
    cpu = (time.process_time() - cpu_began) / runs
    return 1e3 * statistics.median(walls), 1e3 * min(walls), 1e3 * cpu


def slider_scenarios(package, count: int, seed: int = 0):
    """``count`` one-intervention scenarios the engine accepts, as slider moves make them."""
    from sim.engine import run_scenario
    from sim.errors import SimError
    from sim.scenario import scenario_from_dict

    rng = random.Random(seed)
    out = []
    while len(out) < count:
        zone, indicator = rng.choice(package.zone_ids), rng.choice(package.indicator_ids)
        document = {"version": 1, "name": "slider", "year": package.years[-1],
                    "interventions": [{"zone": zone, "indicator": indicator, "by": f"{rng.randint(-40, 200)}%"}]}
        try:
            scenario = scenario_from_dict(document, package)
            run_scenario(package, scenario)
        except SimError:
            continue
        out.append(scenario)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per library scenario")
    parser.add_argument("--source", metavar="DIR", help="import sim from this checkout instead (run_scenario only)")
    args = parser.parse_args(argv)
    source = Path(args.source).resolve() if args.source else ROOT
    sys.path.insert(0, str(source))
    sys.path.insert(1, str(Path(__file__).resolve().parent))

    import numpy as np
    import pandas as pd
    from _machine import cpu_model

    from sim.data import load_package
    from sim.engine import run_scenario
    from sim.scenario import load_scenario

    package = load_package(ROOT / "data")
    print(f"CPU: {cpu_model()} ({os.cpu_count()} cores); load average {os.getloadavg()[0]:.2f}; "
          f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"sim from: {source}")
    print()

    library = sorted((ROOT / "scenarios").glob("*.yaml"))
    scenarios = [(path.stem, load_scenario(path, package)) for path in library]
    scenarios = [(name, s) for name, s in scenarios if not getattr(s, "is_plan", False)]  # plans: bench_plan.py
    began = time.perf_counter()
    run_scenario(package, scenarios[0][1])
    print(f"run_scenario, first call (package arrays built): {1e3 * (time.perf_counter() - began):.1f} ms")
    print(f"run_scenario on the shipped data, {args.runs} runs each (median / best wall, CPU per run):")
    medians = []
    for name, scenario in scenarios:
        median, best, cpu = timed_runs(lambda: run_scenario(package, scenario), args.runs)
        medians.append(median)
        print(f"  {name:34s} {median:6.2f} ms / {best:6.2f} ms   CPU {cpu:6.2f} ms")
    headline = statistics.median(medians)
    ok = headline <= RUN_BUDGET_MS
    print(f"  median over the library: {headline:.2f} ms  (budget {RUN_BUDGET_MS:g} ms: {'ok' if ok else 'MISSED'})")

    moves = slider_scenarios(package, 100)
    walls = []
    for scenario in moves:
        began = time.perf_counter()
        run_scenario(package, scenario)
        walls.append(time.perf_counter() - began)
    print(f"  slider moves (100 distinct one-intervention scenarios): median {1e3 * statistics.median(walls):.2f} ms")
    print(f"  load average after: {os.getloadavg()[0]:.2f}")

    if args.source:
        return 0 if ok else 1

    from sim.engine import compile_scenario
    from sim.scenario import Intervention, Scenario

    print()
    cells = [(z, i) for z in package.zone_ids for i in ("unicorns", "gazelles", "incubators", "listed_firms")]
    many = Scenario(name="many", year=2020, source="many", interventions=tuple(
        Intervention(zones=(cells[k % len(cells)][0],), indicators=(cells[k % len(cells)][1],), amount=1.0, line=k + 5)
        for k in range(20_000)))
    began = time.perf_counter()
    run_scenario(package, many)
    print(f"20,000 interventions (parsed objects), applied, scored and explained: {time.perf_counter() - began:.2f} s")

    start = scenarios[[name for name, _ in scenarios].index("baseline")][1]
    rng = random.Random(1)
    variants = []
    for _ in range(10_000):
        zone, indicator = rng.choice(package.zone_ids), rng.choice(package.indicator_ids)
        variants.append([Intervention(zones=(zone,), indicators=(indicator,), percent=float(rng.randint(-40, 200)))])
    began = time.perf_counter()
    compiled = compile_scenario(package, start)
    tables = compiled.variant_tables(variants)
    _, _, valid = compiled.evaluate(tables)
    seconds = time.perf_counter() - began
    print(f"a batch of 10,000 scenario variants, applied and scored in one engine call: {seconds:.3f} s "
          f"({1e6 * seconds / len(variants):.1f} us per variant; {int(valid.sum()):,} valid)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
