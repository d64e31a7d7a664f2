"""The command ``zonesim calibrate`` (plugged into :mod:`sim.cli`)."""

from __future__ import annotations

import argparse
import sys

from sim.calibrate.rebuild import calibrate
from sim.calibrate.reconstruct import DEFAULT_BUDGET, QUICK_BUDGET
from sim.data import SHIPPED_DATA
from sim.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``zonesim calibrate``."""
    parser.add_argument("--data", metavar="DIR", help="data package to calibrate (default: the shipped data/)")
    parser.add_argument("--out", metavar="DIR", help="where to write baseline.csv (default: the --data folder)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--budget", metavar="N", type=int, default=None,
                      help=f"optimiser iterations per solve (default {DEFAULT_BUDGET}: rebuilds the shipped baseline)")
    size.add_argument("--quick", action="store_true",
                      help=f"a reduced budget ({QUICK_BUDGET}) that runs in seconds; the targets may be missed")
    parser.add_argument("--seed", type=int, default=0, help="seed of the optimiser's starting points (default 0)")
    parser.add_argument("--verbose", action="store_true", help="print progress to stderr")


def command(args: argparse.Namespace) -> int:
    """Run ``zonesim calibrate``: rebuild the baseline and print the report."""
    budget = QUICK_BUDGET if getattr(args, "quick", False) else (args.budget if args.budget is not None else DEFAULT_BUDGET)
    if budget < 1:
        raise UsageError(f"--budget: {budget} must be at least 1")
    progress = (lambda message: print(message, file=sys.stderr, flush=True)) if getattr(args, "verbose", False) else None
    report = calibrate(
        data_dir=args.data or SHIPPED_DATA,
        out_dir=args.out,
        budget=budget,
        seed=args.seed,
        progress=progress,
    )
    print(report.to_text(), end="")
    return 0
