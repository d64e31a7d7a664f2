"""Benchmark of the planner's brief (issue 14): a script that prints its figures, not a test.

Run from the repository root::

    .venv/bin/python benchmarks/bench_brief.py            # 3 runs of each
    .venv/bin/python benchmarks/bench_brief.py --runs 1   # a smoke run

Goals: a brief of one scenario in < 3 s, of six scenarios in < 8 s, of a five-year plan in < 3 s. Each is timed the
way a planner meets it: ``zonesim report ... --out F`` in a fresh process (start-up,
imports, the chart engine's start, scoring, every chart, the file), Word and web page,
Chinese. Times are the best of ``--runs`` (wall clock, the least disturbed by other work
on the machine) with the median beside it; the load average is printed so that a reader
can judge. Then, in this process with the chart engine already started, where the time
of a six-scenario brief goes (content, charts, writing), as a share of the whole.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_model

ROOT = Path(__file__).resolve().parent.parent
ONE = ["scenarios/sunan_rd_doubling.yaml"]
SIX = [
    "scenarios/sunan_rd_doubling.yaml",
    "scenarios/g42_talent_corridor.yaml",
    "scenarios/innovation_consortia.yaml",
    "scenarios/joint_overseas_rd.yaml",
    "scenarios/unicorn_training_camp.yaml",
    "scenarios/sunan_catch_up.yaml",
]
#: A plan over years (issue 13): five years scored twice, the rank and score charts over the years.
PLAN = ["scenarios/plan_fund_consortia_rivals_grow.yaml"]
GOALS = {"one scenario": 3.0, "six scenarios": 8.0, "one plan": 3.0}


def time_command(scenarios: list[str], suffix: str, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU times of ``zonesim report`` in a fresh process, and the size of the file.

    The CPU time (user + system of the child) is what the brief costs whatever else the
    machine is doing; the wall time is what a planner waits on this machine now.
    """
    walls, cpus, size = [], [], 0
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"brief{suffix}"
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sim", "report", *scenarios, "--out", str(out), "--lang", "zh",
                            "--force"], cwd=ROOT, check=True, capture_output=True)
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            size = out.stat().st_size
    return walls, cpus, size


def breakdown(scenarios: list[str]) -> dict[str, float]:
    """Seconds per stage of one brief in this process, chart engine warm."""
    sys.path.insert(0, str(ROOT))
    from sim.brief import ScenarioInput, build_brief
    from sim.brief.figures import render_figures, render_png
    from sim.brief.page import render_html
    from sim.brief.word import render_docx
    from sim.data import load_package

    package = load_package()
    render_png({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}})
    stages: dict[str, float] = {}
    started = time.perf_counter()
    inputs = [ScenarioInput.from_file(ROOT / path, package) for path in scenarios]
    brief = build_brief(package, inputs, "zh")
    stages["content (run, tables, chart specs)"] = time.perf_counter() - started
    for kind, writer, label in (("png", render_docx, "Word"), ("svg", render_html, "web page")):
        started = time.perf_counter()
        render_figures(brief.figures(), kinds=(kind,))
        stages[f"charts ({len(brief.figures())} as {kind.upper()})"] = time.perf_counter() - started
        started = time.perf_counter()
        writer(brief)
        stages[label] = time.perf_counter() - started
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    args = parser.parse_args(argv)

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\nzonesim report, fresh process, Chinese: wall time best / median of runs, and CPU time (best)")
    failed = False
    for label, scenarios in (("one scenario", ONE), ("six scenarios", SIX), ("one plan", PLAN)):
        for suffix in (".docx", ".html"):
            walls, cpus, size = time_command(scenarios, suffix, args.runs)
            best = min(walls)
            verdict = "ok" if best < GOALS[label] else "OVER"
            failed |= best >= GOALS[label]
            print(f"  {label:14s} {suffix:6s} wall {best:5.2f} s / {statistics.median(walls):5.2f} s"
                  f"   CPU {min(cpus):5.2f} s   goal < {GOALS[label]:.0f} s: {verdict}   file {size / 1024:,.0f} KB")
    stages = breakdown(SIX)
    total = sum(stages.values())
    print(f"\nsix scenarios in this process, chart engine warm, both formats: {total:.2f} s")
    for stage, seconds in stages.items():
        print(f"  {stage:36s} {seconds:5.2f} s  {100 * seconds / total:4.0f} %")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
