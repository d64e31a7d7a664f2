"""Benchmark of plans over years (issue 13): run, robustness and goal-seek of a 5-year plan.

Prints, with the CPU model, the load average and the library versions:

- ``run_plan`` of each library plan (2021-2025): median and best wall time over ``--runs``
  runs (budget: 50 ms), and the batched core alone (:meth:`CompiledPlan.evaluate`);
- robustness of the catch-up plan, 10,000 draws per year, trend noise 2 % (budget: 2 s);
- ``goal-seek --by 2025`` on the plan of more core zones: Sunan to rank 2, every indicator
  a lever, as ``zonesim goal-seek --scenario ... --by 2025`` runs it (budget: 15 s).

Usage::

    .venv/bin/python benchmarks/bench_plan.py [--runs 50] [--draws 10000]

Exit status 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_BUDGET_MS = 50.0
ROBUSTNESS_BUDGET_S = 2.0
GOAL_SEEK_BUDGET_S = 15.0


def timed(function, runs: int) -> tuple[float, float]:
    """Median and best wall time of ``runs`` calls, in milliseconds."""
    walls = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        walls.append(time.perf_counter() - began)
    return 1e3 * statistics.median(walls), 1e3 * min(walls)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs of each library plan")
    parser.add_argument("--draws", type=int, default=10_000, help="robustness draws per year")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(1, str(Path(__file__).resolve().parent))

    import numpy as np
    import pandas as pd
    from _machine import cpu_model

    from sim.data import load_package
    from sim.plan import compile_plan, run_plan
    from sim.plan.goalseek import plan_goal_seek
    from sim.plan.robustness import plan_robustness
    from sim.scenario import load_scenario

    package = load_package(ROOT / "data")
    print(f"CPU: {cpu_model()} ({os.cpu_count()} cores); load average {os.getloadavg()[0]:.2f}; "
          f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print()
    plans = [(p.stem, load_scenario(p, package)) for p in sorted((ROOT / "scenarios").glob("plan_*.yaml"))]
    run_plan(package, plans[0][1])  # package arrays built once
    ok = True
    print(f"run_plan, 5 years, {args.runs} runs each (median / best wall):")
    medians = []
    for name, plan in plans:
        median, best = timed(lambda: run_plan(package, plan), args.runs)
        compiled = compile_plan(package, plan)
        core, _ = timed(compiled.evaluate, args.runs)
        medians.append(median)
        print(f"  {name:38s} {median:6.2f} ms / {best:6.2f} ms   (batched core: {core:.2f} ms)")
    headline = max(medians)
    ok &= headline <= RUN_BUDGET_MS
    print(f"  slowest median: {headline:.2f} ms  (budget {RUN_BUDGET_MS:g} ms: {'ok' if headline <= RUN_BUDGET_MS else 'MISSED'})")
    print()

    catch_up = dict(plans)["plan_sunan_catch_up_2021_2025"]
    began = time.perf_counter()
    report = plan_robustness(package, catch_up, draws=args.draws, seed=0, trend_noise=0.02)
    seconds = time.perf_counter() - began
    ok &= seconds <= ROBUSTNESS_BUDGET_S
    tables = args.draws * len(report.years)
    print(f"robustness, {args.draws:,} draws x {len(report.years)} years ({tables:,} tables, each scored with and "
          f"without the plan): {seconds:.2f} s  (budget {ROBUSTNESS_BUDGET_S:g} s: "
          f"{'ok' if seconds <= ROBUSTNESS_BUDGET_S else 'MISSED'})")
    print()

    cores = dict(plans)["plan_more_core_zones_2023"]
    began = time.perf_counter()
    answer = plan_goal_seek(package, "sunan", "rank:2", cores, by=2025)
    seconds = time.perf_counter() - began
    ok &= seconds <= GOAL_SEEK_BUDGET_S
    print(f"goal-seek --by 2025 (sunan to rank 2, {len(package.indicator_ids)} levers): {seconds:.2f} s, "
          f"{answer.evaluations:,} candidate tables, reached: {answer.reached}, cost {answer.cost:.2f}  "
          f"(budget {GOAL_SEEK_BUDGET_S:g} s: {'ok' if seconds <= GOAL_SEEK_BUDGET_S else 'MISSED'})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
