"""``zonesim goal-seek``: arguments, the command, and the answer as text or CSV."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.analysis.goalseek.answer import GoalSeekResult, goal_seek
from sim.analysis.goalseek.search import DEFAULT_MARGIN
from sim.analysis.goalseek.variables import DEFAULT_MAX_CHANGE
from sim.analysis.options import parse_percent, split_ids
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import Ref, msg, render, text


def _pairs(items: Sequence[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"--{what} {item!r}: write ID=VALUE, e.g. --{what} rd_spending=50%")
        out[key.strip()] = value.strip()
    return out


def parse_bounds(items: Sequence[str] | None) -> dict[str, tuple[float, float] | float]:
    """``["rd_spending=50%", "unicorns=-10%:30%"]`` -> ``{"rd_spending": 50.0, "unicorns": (-10.0, 30.0)}``."""
    out: dict[str, tuple[float, float] | float] = {}
    for key, value in _pairs(items, "bound").items():
        if ":" in value:
            low, _, high = value.partition(":")
            out[key] = (parse_percent(low, f"--bound {key}"), parse_percent(high, f"--bound {key}"))
        else:
            out[key] = parse_percent(value, f"--bound {key}")
    return out


def parse_costs(items: Sequence[str] | None) -> dict[str, float]:
    """``["rd_spending=2"]`` -> ``{"rd_spending": 2.0}``."""
    out = {}
    for key, value in _pairs(items, "cost").items():
        try:
            out[key] = float(value)
        except ValueError:
            raise UsageError(f"--cost {key}={value}: the weight must be a number") from None
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim goal-seek``."""
    parser.description = (
        "Find the least change of a zone's indicators (relative effort, sum of |change %|) that reaches a "
        "target under the scenario's method, entropy weights recomputed; the answer is verified with the engine."
    )
    parser.add_argument("--zone", required=True, help="zone id, e.g. sunan")
    parser.add_argument("--target", required=True, help="rank:K, overtake:ZONE or score:S (e.g. rank:3)")
    parser.add_argument("--scenario", metavar="S.yaml", help="start from this scenario (default: the baseline)")
    parser.add_argument("--year", type=int, help="baseline year (default: the latest; with --scenario: its year)")
    parser.add_argument("--levers", metavar="ID,ID,...", help="indicators that may change (default: all)")
    parser.add_argument("--max-change", default=f"{DEFAULT_MAX_CHANGE:g}%", metavar="PCT",
                        help="bound per lever in its improving direction (default: 100%%)")
    parser.add_argument("--bound", action="append", metavar="ID=PCT|ID=LOW:HIGH",
                        help="bound for one lever, e.g. rd_spending=50%% or unicorns=0:200%% (repeatable)")
    parser.add_argument("--cost", action="append", metavar="ID=W",
                        help="cost weight of one lever (default 1; repeatable)")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN, metavar="POINTS",
                        help="points to spare: the target must hold by at least this much (default 0.01)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the randomised start (default 0)")
    parser.add_argument("--by", type=int, metavar="YEAR",
                        help="with a plan (--scenario PLAN.yaml): the year the target must hold in; the levers grow "
                             "by the same step every year (default: the plan's horizon)")
    parser.add_argument("--out", metavar="FOUND.yaml", help="write the scenario found (canonical YAML)")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def command(args: argparse.Namespace) -> int:
    """``zonesim goal-seek``: print the answer; write it with ``--out``."""
    from sim.cli import check_zone, emit, package_from, starting_scenario
    from sim.scenario import save_scenario

    package = package_from(args)
    start = starting_scenario(args, package)
    check_zone(args.zone, package)
    if start.is_plan or args.by is not None:
        from sim.plan.goalseek import plan_command

        return plan_command(args, package, start)
    max_change = parse_percent(args.max_change, "--max-change")
    if max_change < 0:
        raise UsageError(f"--max-change {args.max_change!r} must be >= 0%")
    answer = goal_seek(
        package,
        args.zone,
        args.target,
        scenario=start,
        levers=split_ids(args.levers),
        max_change=max_change,
        bounds=parse_bounds(args.bound),
        costs=parse_costs(args.cost),
        margin=args.margin,
        seed=args.seed,
    )
    if args.out:
        if answer.already_reached:
            print(f"note: the target is already reached; {args.out} is not written", file=sys.stderr)
        else:
            save_scenario(answer.scenario, args.out, force=args.force)
            if not answer.reached:
                print(f"note: {args.out} holds the best reachable changes; it does NOT reach the target",
                      file=sys.stderr)
    if args.format == "json":
        from sim.report import to_json

        payload = answer.to_dict()
        payload["written"] = args.out if args.out and not answer.already_reached else None
        emit(to_json(payload))
    elif args.format == "csv":
        emit(_changes_csv(answer))
    else:
        emit(goal_seek_table(answer, package, args.lang, args.out if not answer.already_reached else None))
    return 0


def _changes_csv(answer: GoalSeekResult) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zone", "year", "target", "reached", "indicator", "change", "before", "after", "effort_pct", "cost"])
    for change in answer.changes:
        writer.writerow([answer.zone, answer.scenario.year, answer.target.text(), str(answer.reached).lower(),
                         change.indicator, change.text, repr(change.before), repr(change.after),
                         repr(change.effort), repr(change.cost)])
    return buffer.getvalue()


def goal_seek_table(answer: GoalSeekResult, package: DataPackage, lang: str = "en", written: str | None = None) -> str:
    """The answer as readable text."""
    from sim.report import format_table, rank_arrow

    method = answer.result.method.to_dict()
    weights = method["weights"] if isinstance(method["weights"], str) else "explicit"
    zone_name = package.name("zone", answer.zone, lang)
    lines = [
        f"goal-seek: {zone_name} to {answer.target.describe()}    year: {answer.scenario.year}",
        f"method: weights from {method['normalization']}, scores on {method['score_normalization']}, "
        f"weights {weights}, goalposts {method['goalposts']}",
        f"levers: {len(answer.levers)}; cost = sum of cost weight x |change %| (relative effort)",
        "",
    ]
    if answer.already_reached:
        lines.append(f"Already reached: rank {answer.rank_after}, score {answer.score_after:.2f}. Nothing to change.")
    else:
        verdict = "REACHED" if answer.reached else "NOT REACHABLE within these bounds; best found:"
        lines.append(f"{verdict}  cost {answer.cost:.2f}  ({len(answer.changes)} change(s), verified with the engine)")
        lines.append("")
        lines.append(format_table(
            ["indicator", "change", "before", "after", "effort %", "cost"],
            [
                [package.name("indicator", c.indicator, lang), c.text, f"{c.before:.6g}", f"{c.after:.6g}",
                 f"{c.effort:.2f}", f"{c.cost:.2f}"]
                for c in sorted(answer.changes, key=lambda c: -c.cost)
            ],
            align="lrrrrr",
        ))
    lines += ["", format_table(
        ["rank", "zone", "score", "before", "Δ rank"],
        [
            [int(row["rank"]), package.name("zone", z, lang), f"{row['score']:.2f}",
             f"{answer.start.scored.scores[z]:.2f} (#{int(answer.start.scored.ranks[z])})",
             rank_arrow(int(answer.start.scored.ranks[z]) - int(row["rank"]))]
            for z, row in answer.result.ranking().iterrows()
        ],
        align="rlrrr",
    )]
    lines.append("")
    lines.append(answer.summary())
    if answer.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in answer.notes]
    if answer.linked_changes:
        lines += ["", text("analysis.linked_heading", lang)]
        for change in answer.linked_changes:
            lines.append("  - " + render(msg(
                "analysis.linked_change", zone=Ref("zone", change.zone), indicator=Ref("indicator", change.indicator),
                via=Ref("indicator", change.via), before=change.before, after=change.after,
                percent=f"{change.change_pct:+.1f}%" if change.change_pct is not None else "",
            ), lang, package.name))
    if answer.result.warnings:
        lines += ["", "Warnings"] + [f"  - {render(w, lang, package.name)}" for w in answer.result.warnings]
    lines.append(f"\nsearched {answer.evaluations:,} candidate tables in {answer.seconds:.2f} s"
                 + (f"; written to {written}" if written else ""))
    return "\n".join(lines)
