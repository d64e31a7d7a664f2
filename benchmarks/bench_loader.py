"""Benchmark of the data package loader and the scenario reader near their limits (issue 15).

Run from the repository root::

    .venv/bin/python benchmarks/bench_loader.py [--zones 1000] [--indicators 500]

Prints, each against its goal:

(a) a package of 1,000 zones x 500 indicators (one year, about 11 MB of ``baseline.csv``,
    under the 20 MB limit of a CSV file) loaded from its folder by ``load_package``:
    wall time (goal < 5 s) and the peak memory of the process that loads it (goal < 300 MB,
    the interpreter with numpy and pandas included), and the same package with one bad
    value, to time the path that finds and reports problems;
(b) a scenario of 20,000 interventions (about 900 kB, under the 1 MB limit of a
    scenario file) read and validated by ``parse_scenario`` against the shipped data;
(c) a scenario nested 20,000 levels deep (the issue's 147-character share link) refused:
    the time to the error (goal < 50 ms, whatever the depth).

Each figure comes from a fresh process (peak memory is per process); the load average is
printed so that a reader can judge the times, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _machine import cpu_model

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS, GOAL_MB = 5.0, 300.0
GOAL_SCENARIO_SECONDS = 2.0
GOAL_DEEP_SECONDS = 0.05

_LOAD = """
import resource, sys, time
sys.path.insert(0, {root!r})
start = time.perf_counter()
from sim.data import load_package
from sim.errors import DataError
imported = time.perf_counter()
try:
    package = load_package({folder!r})
    outcome = f"{{len(package.zone_ids)}} zones x {{len(package.indicator_ids)}} indicators"
except DataError as exc:
    outcome = f"DataError, {{len(exc.problems) + exc.omitted}} problem(s): {{exc.problems[0][:70]}}"
done = time.perf_counter()
print(done - imported, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, outcome)
"""

_SCENARIO = """
import sys, time
sys.path.insert(0, {root!r})
from sim.data import load_package
from sim.errors import ScenarioError
from sim.scenario import parse_scenario
package = load_package()
text = open({path!r}, "rb").read()
start = time.perf_counter()
scenario = parse_scenario(text, package, source="big.yaml")
print(time.perf_counter() - start, len(scenario.interventions))
deep = "version: 1\\nname: x\\nyear: 2020\\ninterventions: " + "[" * 20_000 + "]" * 20_000 + "\\n"
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    try:
        parse_scenario(deep, package, source="deep.yaml")
    except ScenarioError:
        best = min(best, time.perf_counter() - start)
print(best)
"""


def write_package(folder: Path, zones: int, indicators: int, bad_value: bool = False) -> int:
    """A valid package of ``zones`` x ``indicators`` for 2020; returns the size of baseline.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    zone_ids = [f"z{i:04d}" for i in range(zones)]
    indicator_ids = [f"ind_{i:03d}" for i in range(indicators)]
    (folder / "groups.csv").write_text("id,name_zh,name_en\ng1,组一,Group one\ng2,组二,Group two\n", encoding="utf-8")
    (folder / "zones.csv").write_text(
        "id,name_zh,name_en\n" + "".join(f"{z},示范区{z},Zone {z}\n" for z in zone_ids), encoding="utf-8"
    )
    (folder / "indicators.csv").write_text(
        "id,group,name_zh,name_en,unit,direction,integer,min,max\n"
        + "".join(f"{i},g{1 + n % 2},指标{n},Indicator {n},unit,{'cost' if n % 7 == 0 else 'benefit'},false,0,\n"
                  for n, i in enumerate(indicator_ids)),
        encoding="utf-8",
    )
    rng = np.random.default_rng(0)
    values = np.round(rng.uniform(0.5, 5000, size=(zones, indicators)), 1)
    lines = ["year,zone,indicator,value,source"]
    for z, zone in enumerate(zone_ids):
        lines.extend(f"2020,{zone},{ind},{values[z, n]}," for n, ind in enumerate(indicator_ids))
    if bad_value:
        lines[len(lines) // 2] = lines[len(lines) // 2].rsplit(",", 2)[0] + ",n/a,"
    text = "\n".join(lines) + "\n"
    (folder / "baseline.csv").write_text(text, encoding="utf-8")
    return len(text)


def run_child(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split(maxsplit=2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=500)
    args = parser.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for label, bad in (("valid", False), ("one bad value", True)):
            folder = Path(tmp) / label.replace(" ", "_")
            size = write_package(folder, args.zones, args.indicators, bad_value=bad)
            seconds, peak, outcome = run_child(_LOAD.format(root=str(ROOT), folder=str(folder)))
            seconds, peak = float(seconds), float(peak)
            print(f"(a) {args.zones:,} x {args.indicators:,} package, {label} ({size / 1e6:.1f} MB baseline.csv): "
                  f"{seconds:.2f} s (goal < {GOAL_SECONDS:g}), peak {peak:.0f} MB (goal < {GOAL_MB:g}); {outcome.strip()}")
            ok &= seconds < GOAL_SECONDS and peak < GOAL_MB
        path = Path(tmp) / "big.yaml"
        path.write_text("version: 1\nname: big\nyear: 2020\ninterventions:\n"
                        + "  - {zone: sunan, indicator: unicorns, by: 1}\n" * 20_000, encoding="utf-8")
        seconds, count, deep = run_child(_SCENARIO.format(root=str(ROOT), path=str(path)))
        print(f"(b) scenario of {int(count):,} interventions ({path.stat().st_size / 1e3:.0f} kB) read and validated: "
              f"{float(seconds):.2f} s (goal < {GOAL_SCENARIO_SECONDS:g})")
        print(f"(c) scenario nested 20,000 levels deep refused in {1000 * float(deep):.1f} ms, best of 5 "
              f"(goal < {1000 * GOAL_DEEP_SECONDS:g} ms)")
        ok &= float(seconds) < GOAL_SCENARIO_SECONDS and float(deep) < GOAL_DEEP_SECONDS
    print("OK" if ok else "ABOVE GOAL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
