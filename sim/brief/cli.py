"""``zonesim report``: the planner's brief of one scenario or several, as Word or a web page.

The method is the one each scenario file says (or its data package's): the brief's
appendix holds the files, and running them again must give the same numbers, so this
command takes no method overrides.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.brief import ScenarioInput, brief_format, write_brief
from sim.errors import SimError, UsageError
from sim.messages import default_lang, msg, text
from sim.report import LANGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim report``."""
    parser.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help="one scenario, or several side by side")
    parser.add_argument("--out", required=True, metavar="FILE.docx|FILE.html",
                        help="the brief to write: a Word document (.docx) or one self-contained web page (.html)")
    parser.add_argument("--data", metavar="DIR", help="data package folder (default: the shipped data/)")
    default = default_lang()
    parser.add_argument("--lang", choices=LANGS, default=default,
                        help=text("cli.help_lang", default, default=default))
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--robustness", type=int, metavar="DRAWS",
                        help="add how likely each changed zone's rank is, from DRAWS Monte Carlo draws "
                             "(5%% data noise; e.g. 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of --robustness (default 0)")


def command(args: argparse.Namespace) -> int:
    """Write the brief; print where it went."""
    brief_format(args.out)  # a bad --out is said before any work
    out = Path(args.out)
    if out.exists() and not args.force:  # said now rather than after the work; write_atomic checks again
        raise UsageError(msg("brief.exists", path=str(out)))
    from sim.cli import package_from  # names for the messages, as every command

    package = package_from(args)
    problems: list[str] = []
    inputs = []
    for path in args.scenarios:
        try:
            inputs.append(ScenarioInput.from_file(path, package))
        except SimError as exc:
            problems.append(exc)
    if problems:
        raise SimError(problems)
    reports = None
    if args.robustness is not None:
        from sim.analysis.robustness import robustness

        reports = [robustness(package, item.scenario, draws=args.robustness, seed=args.seed, bootstrap=0)
                   for item in inputs]
    written = write_brief(out, package, inputs, args.lang, force=args.force, robustness=reports)
    size = written.stat().st_size
    print(text("brief.written", args.lang, path=str(written), size=f"{size / 1024:,.0f} KB"))
    return 0
