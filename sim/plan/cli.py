"""The command line's plan paths: ``run``, ``compare`` and ``validate`` of plans over years.

:mod:`sim.cli` hands a plan here with one line per command, so that the one-year paths
stay as they are.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import msg
from sim.plan.report import comparison_of_plans, plan_csv, plan_json, plan_table
from sim.plan.run import run_plan
from sim.scenario import Scenario


def print_plan(scenario: Scenario, package: DataPackage, args: argparse.Namespace) -> int:
    """``zonesim run PLAN.yaml``: the year-by-year ranking in the chosen format."""
    from sim.cli import EXIT_OK, emit

    result = run_plan(package, scenario)
    if args.format == "json":
        emit(plan_json(result))
    elif args.format == "csv":
        emit(plan_csv(result, package, args.lang))
    else:
        emit(plan_table(result, package, args.lang))
    return EXIT_OK


def compare_plans(scenarios: Sequence[Scenario], package: DataPackage, args: argparse.Namespace) -> int:
    """``zonesim compare A.yaml B.yaml``, plans year by year (``--year`` picks one)."""
    from sim.cli import EXIT_OK, emit

    plans = [s for s in scenarios if s.is_plan]
    single = [s for s in scenarios if not s.is_plan]
    if single:
        raise UsageError(msg("plan.compare_mixed", plans=[s.source or s.name for s in plans],
                             single=[s.source or s.name for s in single]))
    results = [run_plan(package, s) for s in plans]
    emit(comparison_of_plans(results, package, args.lang, getattr(args, "year", None), args.format))
    return EXIT_OK


def check_year_option(scenarios: Sequence[Scenario], args: argparse.Namespace) -> None:
    """``compare --year`` is for plans only."""
    if getattr(args, "year", None) is not None and not any(s.is_plan for s in scenarios):
        raise UsageError(msg("plan.compare_year_one_year"))
