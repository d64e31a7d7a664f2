"""The command line: ``python -m sim COMMAND`` (installed as ``zonesim``).

Exit status: 0 success; 2 invalid input (files, data, arguments), with the message
on stderr and no traceback; 1 an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from sim import __version__
from sim.data import DataPackage, load_package
from sim.engine import run_scenario
from sim.plan.run import run_any
from sim.errors import SimError, UsageError
from sim.messages import msg, render
from sim.method.entropy import NORMALIZATIONS
from sim.method.options import GOALPOSTS, WEIGHT_MODES
from sim.report import (
    FORMATS,
    LANGS,
    comparison_csv,
    comparison_table,
    result_csv,
    result_table,
    to_json,
)
from sim.scenario import Scenario, baseline_scenario, load_scenario
from sim.text import did_you_mean, printable

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2

#: Commands that live with the code they drive: (name, module, help, takes the common
#: and method options). Each module provides ``add_arguments(parser)`` and
#: ``command(args) -> int``.
PLUGGED_COMMANDS: list[tuple[str, str, str, bool]] = [
    ("calibrate", "sim.calibrate.cli", "rebuild the shipped baseline from the paper's published numbers", False),
    ("goal-seek", "sim.analysis.goalseek", "the least change of a zone's indicators that reaches a target", True),
    ("levers", "sim.analysis.levers", "score gain of a standard step on each indicator, for one zone", True),
    ("robustness", "sim.analysis.robustness", "Monte Carlo robustness of the ranking (data, weights, normalization)", True),
    ("report", "sim.brief.cli", "the planner's brief of one scenario or several: a Word document or one web page", False),
]


#: Longest argument error shown (argparse quotes the bad value, which may be huge).
MAX_ARGUMENT_MESSAGE = 300
#: Options naming a file or folder: an empty value is a mistake, not "the current folder".
PATH_OPTIONS = ("out", "data")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every error takes one path."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = f"{self.prog}: {message}"
        if len(text) > MAX_ARGUMENT_MESSAGE:
            text = text[: MAX_ARGUMENT_MESSAGE - 1] + "…"
        raise UsageError(text)


def common_options() -> argparse.ArgumentParser:
    """Options every scoring command takes (DESIGN section 5)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data", metavar="DIR", help="data package folder (default: the shipped data/)")
    parent.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parent.add_argument("--lang", choices=LANGS, default="en", help="names in Chinese or English (default: en)")
    return parent


def method_options() -> argparse.ArgumentParser:
    """Method overrides; they win over the scenario's and the data package's."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("method (overrides the scenario and the data package)")
    group.add_argument("--normalization", choices=NORMALIZATIONS)
    group.add_argument("--score-normalization", choices=NORMALIZATIONS)
    group.add_argument("--weights", choices=WEIGHT_MODES)
    group.add_argument("--goalposts", choices=GOALPOSTS)
    return parent


def method_overrides(args: argparse.Namespace) -> dict[str, str]:
    """The method options given on the command line."""
    keys = ("normalization", "score_normalization", "weights", "goalposts")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def with_overrides(scenario: Scenario, args: argparse.Namespace, package: DataPackage) -> Scenario:
    """The scenario with the command line's method options on top (validated)."""
    overrides = method_overrides(args)
    if not overrides:
        return scenario
    from dataclasses import replace

    merged = {**scenario.method_options, **overrides}
    scenario.method(package)  # the scenario's own options are valid: checked at load
    return replace(scenario, method_options=merged)


def starting_scenario(args: argparse.Namespace, package: DataPackage) -> Scenario:
    """The scenario an analysis starts from: ``--scenario``, else the baseline of ``--year``,
    with the command line's method options on top.

    Raises
    ------
    UsageError
        ``--year`` not in the data, or contradicting the scenario's year.
    """
    year = getattr(args, "year", None)
    if getattr(args, "scenario", None):
        start = load_scenario(args.scenario, package)
        if year is not None and year != start.year:
            raise UsageError(f"--year {year} contradicts the scenario's year {start.year}; leave --year out")
    else:
        if year is not None and year not in package.years:
            raise UsageError(f"--year {year} is not in the data; years available: {', '.join(map(str, package.years))}")
        start = baseline_scenario(package, year)
    return with_overrides(start, args, package)


def check_zone(zone: str, package: DataPackage, option: str = "--zone") -> str:
    """``zone`` when the data has it; else a UsageError with a suggestion."""
    if zone not in package.zone_ids:
        raise UsageError(f"{option}: unknown zone {zone!r}{did_you_mean(zone, package.zone_ids)}")
    return zone


def package_from(args: argparse.Namespace) -> DataPackage:
    """The data package named by ``--data`` (default: shipped)."""
    return load_package(args.data)


def emit(text: str) -> None:
    """Print to stdout, newline-terminated; control characters are shown, never obeyed."""
    text = printable(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_score(args: argparse.Namespace) -> int:
    package = package_from(args)
    return _print_result(run_scenario(package, starting_scenario(args, package)), package, args)


def cmd_run(args: argparse.Namespace) -> int:
    package = package_from(args)
    scenario = with_overrides(load_scenario(args.scenario, package), args, package)
    if scenario.is_plan:
        from sim.plan.cli import print_plan

        return print_plan(scenario, package, args)
    return _print_result(run_scenario(package, scenario), package, args)


def _print_result(result, package: DataPackage, args: argparse.Namespace) -> int:
    if args.format == "json":
        emit(to_json(result.to_dict()))
    elif args.format == "csv":
        emit(result_csv(result, package, args.lang))
    else:
        emit(result_table(result, package, args.lang))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    package = package_from(args)
    problems: list[str] = []
    scenarios = []
    for path in args.scenarios:
        try:
            scenarios.append(with_overrides(load_scenario(path, package), args, package))
        except SimError as exc:
            problems.append(str(exc))
    if problems:
        raise SimError(problems)
    from sim.plan.cli import check_year_option, compare_plans

    check_year_option(scenarios, args)
    if any(s.is_plan for s in scenarios):
        return compare_plans(scenarios, package, args)
    results = [run_scenario(package, s) for s in scenarios]
    if args.format == "json":
        emit(to_json({"scenarios": [r.to_dict() for r in results]}))
    elif args.format == "csv":
        emit(comparison_csv(results))
    else:
        emit(comparison_table(results, package, args.lang))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files with every check of ``run`` except writing output.

    Each file is read, applied and scored by the engine exactly as ``run`` would, so a
    file that validates runs, and a file ``run`` refuses is refused here with the same
    message (naming the intervention's line for an error found only after applying).
    """
    package = package_from(args)
    lang = getattr(args, "lang", "en")
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path, package)
            run_any(package, scenario)
            print(printable(render(msg("validate.ok", path=path, name=scenario.name,
                                       count=len(scenario.interventions), year=scenario.year), lang)))
        except SimError as exc:
            failed += 1
            # As run prints it: control characters in names are shown, never obeyed.
            print(printable(render(msg("validate.invalid", error=exc.render(lang)), lang)), file=sys.stderr)
    summary = render(msg("validate.summary", valid=len(args.files) - failed, invalid=failed), lang)
    print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_INVALID if failed else EXIT_OK


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser with every command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments about to be parsed: the plugged command they name gets its
        options; the others are listed with their help only.
    """
    common, method = common_options(), method_options()
    parser = _Parser(prog="zonesim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"zonesim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    score = commands.add_parser("score", parents=[common, method], help="score the baseline")
    score.add_argument("--year", type=int, help="year to score (default: the latest in the data)")
    score.set_defaults(handler=cmd_score)

    run = commands.add_parser("run", parents=[common, method], help="apply a scenario, score, show gains")
    run.add_argument("scenario", metavar="SCENARIO.yaml")
    run.set_defaults(handler=cmd_run)

    compare = commands.add_parser("compare", parents=[common, method], help="rankings of scenarios side by side")
    compare.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+")
    compare.add_argument("--year", type=int, help="plans over years: compare this year only (default: every year)")
    compare.set_defaults(handler=cmd_compare)

    validate = commands.add_parser("validate", help="check scenario files; exit 0 when all are valid")
    validate.add_argument("files", metavar="FILE", nargs="+")
    validate.add_argument("--data", metavar="DIR", help="data package folder (default: the shipped data/)")
    validate.add_argument("--lang", choices=LANGS, default="en", help="messages in Chinese or English (default: en)")
    validate.set_defaults(handler=cmd_validate)

    chosen = next((a for a in (argv or []) if not a.startswith("-")), None)
    for name, module_name, help_text, scores in PLUGGED_COMMANDS:
        parents = [common, method] if scores else []
        sub = commands.add_parser(name, parents=parents, help=help_text, description=help_text)
        if name == chosen:
            # Only the chosen command's module is imported: the others' heavier
            # dependencies (scipy.optimize...) stay out of every other command's start-up.
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(handler=module.command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        for option in PATH_OPTIONS:
            if getattr(args, option, None) == "":
                raise UsageError(msg("cli.empty_path", option=f"--{option}"))
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SimError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # a file the user named that cannot be read or written
        if isinstance(exc, BrokenPipeError):
            return EXIT_OK
        where = f"{printable(str(exc.filename))}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: say so plainly; the traceback on request
        if os.environ.get("ZONESIM_DEBUG"):
            traceback.print_exc()
        print(
            f"internal error ({type(exc).__name__}): {printable(str(exc))[:500]}. Please report it "
            "(set ZONESIM_DEBUG=1 to see the traceback).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
