"""The command line: ``python -m sim COMMAND`` (installed as ``zonesim``).

Exit status: 0 success; 2 invalid input (files, data, arguments), with the message
on stderr and no traceback; 1 an internal error.

Every text, argparse's own included, is in the reader's language: ``--lang zh|en``,
else ``$ZONESIM_LANG``, else Chinese (:func:`sim.messages.default_lang`). Help is
plain text from the catalogue (``sim/locale/cli.yaml``, ``args.yaml``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from sim import __version__
from sim.data import DataPackage, load_package
from sim.engine import run_scenario
from sim.plan.run import run_any
from sim.errors import SimError, UsageError
from sim.messages import LANGS as MESSAGE_LANGS
from sim.messages import catalogue, default_lang, msg, render, text
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
from sim.text import did_you_mean, printable, shown

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2

#: Commands that live with the code they drive: (name, module, takes the common and
#: method options). Each module provides ``add_arguments(parser)`` and
#: ``command(args) -> int``; its help is ``cli.help_<name>`` in the catalogue.
PLUGGED_COMMANDS: list[tuple[str, str, bool]] = [
    ("calibrate", "sim.calibrate.cli", False),
    ("goal-seek", "sim.analysis.goalseek", True),
    ("levers", "sim.analysis.levers", True),
    ("robustness", "sim.analysis.robustness", True),
    ("report", "sim.brief.cli", False),
]
#: Options that name a zone: resolved to its id (from any of its names) once the data is loaded.
ZONE_OPTIONS = ("zone",)


#: Longest argument error shown (argparse quotes the bad value, which may be huge).
MAX_ARGUMENT_MESSAGE = 300
#: Options naming a file or folder: an empty value is a mistake, not "the current folder".
PATH_OPTIONS = ("out", "data")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every error takes one path."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's words are in the reader's language already (argparse_language)
        if len(message) > MAX_ARGUMENT_MESSAGE:
            message = message[: MAX_ARGUMENT_MESSAGE - 1] + "…"
        raise UsageError(msg("cli.argument_error", prog=self.prog, message=message))


@cache
def _argparse_texts(lang: str) -> dict[str, str]:
    """argparse's message ids and their text in ``lang`` (``sim/locale/args.yaml``)."""
    return {entry["en"]: entry[lang] for key, entry in catalogue().items() if key.startswith("args.")}


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """argparse's own texts ("usage:", "invalid choice") in ``lang`` while the block runs.

    argparse looks its texts up through :mod:`gettext` at the moment it needs them, so
    the lookup is swapped for the catalogue's for as long as a parser is built, used or
    printed, then restored.
    """
    texts = _argparse_texts(lang)
    saved = argparse._, argparse.ngettext
    argparse._ = lambda message: texts.get(message, message)
    argparse.ngettext = lambda one, other, count: texts.get(one if count == 1 else other, one if count == 1 else other)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def requested_lang(argv: Sequence[str]) -> str:
    """The language asked for with ``--lang`` (the last one given), else :func:`default_lang`.

    Read before parsing, so that help and argument errors are in that language too.

    Examples
    --------
    >>> requested_lang(["run", "x.yaml", "--lang", "en"]), requested_lang(["--lang=zh"])
    ('en', 'zh')
    """
    chosen = None
    for position, argument in enumerate(argv):
        value = argv[position + 1] if argument == "--lang" and position + 1 < len(argv) else (
            argument.partition("=")[2] if argument.startswith("--lang=") else None)
        if value in MESSAGE_LANGS:
            chosen = value
    return chosen or default_lang()


def common_options(lang: str | None = None) -> argparse.ArgumentParser:
    """Options every scoring command takes (DESIGN section 5)."""
    lang = lang or default_lang()
    parent = argparse.ArgumentParser(add_help=False)
    _data_option(parent, lang)
    parent.add_argument("--format", choices=FORMATS, default="table", help=text("cli.help_format", lang))
    _lang_option(parent, lang)
    return parent


def _data_option(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--data", metavar="DIR", help=text("cli.help_data", lang))


def _lang_option(parser: argparse.ArgumentParser, lang: str) -> None:
    default = default_lang()
    parser.add_argument("--lang", choices=LANGS, default=default, help=text("cli.help_lang", lang, default=default))


def method_options(lang: str | None = None) -> argparse.ArgumentParser:
    """Method overrides; they win over the scenario's and the data package's."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group(text("cli.help_method", lang or default_lang()))
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
            raise UsageError(msg("engine.year_contradicts", year=year, scenario_year=start.year))
    else:
        if year is not None and year not in package.years:
            raise UsageError(msg("cli.year_not_in_data", year=year, years=", ".join(map(str, package.years))))
        start = baseline_scenario(package, year)
    return with_overrides(start, args, package)


def check_zone(zone: str, package: DataPackage, option: str = "--zone") -> str:
    """The id of the zone ``zone`` names (its id in any case, or a Chinese or English name);
    else a UsageError with a suggestion.

    Examples
    --------
    >>> from sim.data import load_package
    >>> [check_zone(z, load_package()) for z in ("江苏苏南", "Sunan", "SUNAN")]
    ['sunan', 'sunan', 'sunan']
    """
    found = package.zone_id(zone)
    if found is None:
        names = [*package.zone_ids, *(package.name("zone", z, lang) for lang in MESSAGE_LANGS for z in package.zone_ids)]
        hint = did_you_mean(zone, names)  # a near miss of any name; else the ids are what to type
        if hint.key != "text.did_you_mean":
            hint = did_you_mean(zone, package.zone_ids)
        raise UsageError(msg("cli.unknown_zone", option=option, zone=shown(zone), hint=hint))
    return found


def package_from(args: argparse.Namespace) -> DataPackage:
    """The data package named by ``--data`` (default: shipped).

    Every command loads its data through here, so this is also where zone options given by
    name (``--zone 江苏苏南``, ``--zone Sunan``) become ids, and where the package's names
    are kept for showing errors.
    """
    package = load_package(args.data)
    args._names = package.name
    for option in ZONE_OPTIONS:
        if isinstance(getattr(args, option, None), str):
            setattr(args, option, check_zone(getattr(args, option), package, f"--{option.replace('_', '-')}"))
    return package


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
            problems.append(exc)
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
        emit(comparison_csv(results, package, args.lang))
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
    lang = args.lang
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path, package)
            run_any(package, scenario)
            name = scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name
            print(printable(render(msg("validate.ok", path=path, name=name,
                                       count=len(scenario.interventions), year=scenario.year), lang)))
        except SimError as exc:
            failed += 1
            # As run prints it: control characters in names are shown, never obeyed.
            print(printable(render(msg("validate.invalid", error=exc.render(lang, package.name)), lang)),
                  file=sys.stderr)
    summary = render(msg("validate.summary", valid=len(args.files) - failed, invalid=failed), lang)
    print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_INVALID if failed else EXIT_OK


def build_parser(argv: Sequence[str] | None = None, lang: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every command, its help in ``lang``.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments about to be parsed: the plugged command they name gets its
        options; the others are listed with their help only.
    lang : str, optional
        The language of the help texts (default: :func:`requested_lang` of ``argv``).
    """
    lang = lang or requested_lang(argv or [])
    common, method = common_options(lang), method_options(lang)
    help_of = lambda name: text(f"cli.help_{name.replace('-', '_')}", lang)  # noqa: E731
    parser = _Parser(prog="zonesim", description=text("cli.description", lang))
    parser.add_argument("--version", action="version", version=f"zonesim {__version__}",
                        help=text("cli.help_version", lang))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                     title=text("cli.commands", lang))
    commands.required = True

    score = commands.add_parser("score", parents=[common, method], help=help_of("score"), description=help_of("score"))
    score.add_argument("--year", type=int, help=text("cli.help_year", lang))
    score.set_defaults(handler=cmd_score)

    run = commands.add_parser("run", parents=[common, method], help=help_of("run"), description=help_of("run"))
    run.add_argument("scenario", metavar="SCENARIO.yaml", help=text("cli.help_scenario", lang))
    run.set_defaults(handler=cmd_run)

    compare = commands.add_parser("compare", parents=[common, method], help=help_of("compare"),
                                  description=help_of("compare"))
    compare.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help=text("cli.help_scenarios", lang))
    compare.add_argument("--year", type=int, help=text("cli.help_compare_year", lang))
    compare.set_defaults(handler=cmd_compare)

    validate = commands.add_parser("validate", help=help_of("validate"), description=help_of("validate"))
    validate.add_argument("files", metavar="FILE", nargs="+", help=text("cli.help_files", lang))
    _data_option(validate, lang)
    _lang_option(validate, lang)
    validate.set_defaults(handler=cmd_validate)

    chosen = next((a for a in (argv or []) if not a.startswith("-")), None)
    for name, module_name, scores in PLUGGED_COMMANDS:
        parents = [common, method] if scores else []
        sub = commands.add_parser(name, parents=parents, help=help_of(name), description=help_of(name))
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
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = requested_lang(argv)
    args = argparse.Namespace()
    try:
        with argparse_language(lang):
            parser = build_parser(argv, lang)
            args = parser.parse_args(argv)
        for option in PATH_OPTIONS:
            if getattr(args, option, None) == "":
                raise UsageError(msg("cli.empty_path", option=f"--{option}"))
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SimError as exc:
        # Zone and indicator ids in the message read as names once the data is loaded.
        shown_error = printable(exc.render(lang, getattr(args, "_names", None)))
        print(render(msg("cli.error", error=shown_error), lang), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # a file the user named that cannot be read or written
        if isinstance(exc, BrokenPipeError):
            return EXIT_OK
        from sim.atomic import os_reason

        where = f"{printable(str(exc.filename))}: " if exc.filename else ""
        print(render(msg("cli.error", error=where + render(os_reason(exc), lang)), lang), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(text("cli.interrupted", lang), file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: say so plainly; the traceback on request
        if os.environ.get("ZONESIM_DEBUG"):
            traceback.print_exc()
        print(render(msg("cli.internal_error", kind=type(exc).__name__, detail=printable(str(exc))[:500]), lang),
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
