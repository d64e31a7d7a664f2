"""``zonesim goal-seek``: arguments, the command, and the answer as text or CSV."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.analysis.goalseek.answer import GoalSeekResult, goal_seek
from sim.analysis.goalseek.confidence import CONFIDENCE_DRAWS
from sim.analysis.goalseek.search import DEFAULT_MARGIN
from sim.analysis.goalseek.variables import DEFAULT_MAX_CHANGE
from sim.analysis.options import parse_percent, split_ids
from sim.analysis.robustness.core import DEFAULT_SIGMA
from sim.analysis.wording import change_text, chance, method_line
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import Ref, msg, render, text


def _pairs(items: Sequence[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(msg("analysis.pair_syntax", option=f"--{what}", item=repr(item),
                                 example=f"--{what} rd_spending={'50%' if what == 'bound' else '2'}"))
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
            raise UsageError(msg("analysis.weight_not_number", item=f"--cost {key}={value}")) from None
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim goal-seek``."""
    parser.description = (
        "Find the least change of a zone's indicators that reaches a target under the scenario's method, "
        "entropy weights recomputed; the answer is verified with the engine. The change is measured as the "
        "total change: the sum of |change %| over the indicators changed (relative effort, not money). "
        "The answer says how sure it is: the chance that the target still holds when the data carry "
        "5% noise, and 'too close to call' below 90%."
    )
    parser.add_argument("--zone", required=True, help="zone id or name, e.g. sunan")
    parser.add_argument("--target", required=True, help="rank:K, overtake:ZONE or score:S (e.g. rank:3)")
    parser.add_argument("--scenario", metavar="S.yaml", help="start from this scenario (default: the baseline)")
    parser.add_argument("--year", type=int, help="baseline year (default: the latest; with --scenario: its year)")
    parser.add_argument("--levers", metavar="ID,ID,...", help="indicators that may change (default: all)")
    parser.add_argument("--max-change", default=f"{DEFAULT_MAX_CHANGE:g}%", metavar="PCT",
                        help="bound per lever in its improving direction (default: 100%%)")
    parser.add_argument("--bound", action="append", metavar="ID=PCT|ID=LOW:HIGH",
                        help="bound for one lever, e.g. rd_spending=50%% or unicorns=0:200%% (repeatable)")
    parser.add_argument("--cost", action="append", metavar="ID=W",
                        help="weight of one lever in the total change: its |change %%| counts W times "
                             "(default 1; 0 = free; repeatable), e.g. --cost rd_spending=2")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN, metavar="POINTS",
                        help="points to spare: the target must hold by at least this much (default 0.01)")
    parser.add_argument("--noise", default=f"{100 * DEFAULT_SIGMA:g}%", metavar="PCT",
                        help="data noise for how sure the answer is: lognormal, as robustness's --sigma "
                             "(default 5%%; 0 = no noise)")
    parser.add_argument("--noise-draws", type=int, default=CONFIDENCE_DRAWS, metavar="N",
                        help=f"draws of that noise (default {CONFIDENCE_DRAWS}; 0 = do not compute it)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the randomised start and of the noise draws (default 0)")
    parser.add_argument("--by", type=int, metavar="YEAR",
                        help="with a plan (--scenario PLAN.yaml): the year the target must hold in; the levers grow "
                             "by the same step every year (default: the plan's horizon)")
    parser.add_argument("--out", metavar="FOUND.yaml", help="write the scenario found (canonical YAML)")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def command(args: argparse.Namespace) -> int:
    """``zonesim goal-seek``: print the answer; write it with ``--out``."""
    from sim.analysis.robustness.command import parse_sigma
    from sim.cli import check_zone, emit, package_from, starting_scenario
    from sim.scenario import save_scenario

    package = package_from(args)
    start = starting_scenario(args, package)
    zone = check_zone(args.zone, package)
    if start.is_plan or args.by is not None:
        from sim.plan.goalseek import plan_command

        # the plan's goal-seek reads the zone and target as ids, resolved here as for one year
        args.zone, args.target = zone, _target_with_zone_id(args.target, package, check_zone)
        return plan_command(args, package, start)
    max_change = parse_percent(args.max_change, "--max-change")
    if max_change < 0:
        raise UsageError(msg("analysis.max_change_negative", value=repr(args.max_change)))
    answer = goal_seek(
        package,
        zone,
        _target_with_zone_id(args.target, package, check_zone),
        scenario=start,
        levers=split_ids(args.levers),
        max_change=max_change,
        bounds=parse_bounds(args.bound),
        costs=parse_costs(args.cost),
        margin=args.margin,
        seed=args.seed,
        noise=parse_sigma(args.noise, "--noise"),
        noise_draws=args.noise_draws,
    )
    lang = args.lang
    if args.out:
        if answer.already_reached:
            print(render(msg("analysis.out_not_written", file=args.out), lang), file=sys.stderr)
        else:
            save_scenario(answer.scenario, args.out, force=args.force)
            if not answer.reached:
                print(render(msg("analysis.out_not_reaching", file=args.out), lang), file=sys.stderr)
    if args.format == "json":
        from sim.report import to_json

        payload = answer.to_dict(lang, package.name)
        payload["written"] = args.out if args.out and not answer.already_reached else None
        emit(to_json(payload))
    elif args.format == "csv":
        emit(changes_csv(answer, package, lang))
    else:
        emit(goal_seek_table(answer, package, lang, args.out if not answer.already_reached else None))
    return 0


def _target_with_zone_id(target: str, package: DataPackage, check_zone) -> str:
    """``overtake:ZONE`` with the zone as the command line resolves any ``--zone`` (by any name)."""
    kind, sep, rival = target.partition(":")
    if sep and kind.strip().lower() == "overtake" and rival.strip():
        return f"overtake:{check_zone(rival.strip(), package, '--target')}"
    return target


#: Columns of ``goal-seek --format csv`` (headers in the reader's language: ``analysis.csv_<key>``).
CSV_COLUMNS = ("zone", "zone_name", "year", "target", "reached", "too_close_to_call", "probability", "margin",
               "indicator", "indicator_name", "change", "before", "after", "effort_pct", "weighted_change")


def changes_csv(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> str:
    """One row per change found, with the verdict, its margin and probability on every row."""
    import pandas as pd

    from sim.analysis.wording import csv_headers
    from sim.report import csv_text

    probability = answer.confidence.probability if answer.confidence is not None else None
    rows = [
        [answer.zone, package.name("zone", answer.zone, lang), answer.scenario.year, answer.target.text(),
         answer.reached, answer.too_close, probability, answer.margin, change.indicator,
         package.name("indicator", change.indicator, lang), change.text, change.before, change.after,
         change.effort, change.weighted_change]
        for change in answer.changes
    ]
    return csv_text(csv_headers(pd.DataFrame(rows, columns=list(CSV_COLUMNS)), lang))


def goal_seek_table(answer: GoalSeekResult, package: DataPackage, lang: str = "en", written: str | None = None) -> str:
    """The answer as readable text in ``lang``: verdict, how sure, changes, ranking, notes."""
    from sim.report import format_table, rank_arrow

    def say(message) -> str:
        return render(message, lang, package.name)

    def label(key: str) -> str:
        return text(f"analysis.{key}", lang)

    lines = [
        say(msg("analysis.gs_heading", zone=Ref("zone", answer.zone), target=answer.target.describe(),
                year=answer.scenario.year)),
        say(method_line(answer.result.method.to_dict())),
        say(msg("analysis.gs_levers_line", count=len(answer.levers))),
        "",
    ]
    if answer.already_reached:
        lines.append(say(msg("analysis.gs_already", rank=answer.rank_after, score=f"{answer.score_after:.2f}")))
    elif answer.reached:
        lines.append(say(msg("analysis.gs_reached", count=len(answer.changes), total=f"{answer.total_change:.2f}")))
    else:
        lines.append(say(msg("analysis.gs_not_reached", count=len(answer.changes),
                             total=f"{answer.total_change:.2f}")))
    lines += margin_lines(answer, package, lang)
    if answer.changes:
        lines += ["", format_table(
            [label("col_indicator"), label("col_change"), label("col_before"), label("col_after"),
             label("col_effort"), label("col_weighted")],
            [
                [package.name("indicator", c.indicator, lang), change_text(c.text, lang), f"{c.before:.6g}",
                 f"{c.after:.6g}", f"{c.effort:.2f}", f"{c.weighted_change:.2f}"]
                for c in sorted(answer.changes, key=lambda c: -c.weighted_change)
            ],
            align="lrrrrr",
        )]
    ranking = answer.result.ranking()
    scores = list(ranking["score"])
    lines += ["", format_table(
        [label("col_rank"), label("col_zone"), label("col_score"), label("col_gap"), label("col_start"),
         label("col_rank_change")],
        [
            [int(row["rank"]), package.name("zone", z, lang), f"{row['score']:.2f}",
             f"{scores[k] - scores[k + 1]:.2f}" if k + 1 < len(scores) else "",
             say(msg("analysis.score_and_rank", score=f"{answer.start.scored.scores[z]:.2f}",
                     rank=int(answer.start.scored.ranks[z]))),
             rank_arrow(int(answer.start.scored.ranks[z]) - int(row["rank"]))]
            for k, (z, row) in enumerate(ranking.iterrows())
        ],
        align="rlrrrr",
    )]
    if answer.notes:
        lines += ["", label("notes")] + [f"  - {say(n)}" for n in answer.notes]
    if answer.linked_changes:
        lines += ["", label("linked_heading")]
        for change in answer.linked_changes:
            lines.append("  - " + say(msg(
                "analysis.linked_change", zone=Ref("zone", change.zone), indicator=Ref("indicator", change.indicator),
                via=Ref("indicator", change.via), before=change.before, after=change.after,
                percent=f"{change.change_pct:+.1f}%" if change.change_pct is not None else "",
            )))
    if answer.result.warnings:
        lines += ["", label("warnings")] + [f"  - {say(w)}" for w in answer.result.warnings]
    lines += ["", say(msg("analysis.gs_searched", count=answer.evaluations, seconds=f"{answer.seconds:.2f}"))]
    if written:
        lines.append(say(msg("analysis.gs_written", file=written)))
    return "\n".join(lines)


def margin_lines(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> list[str]:
    """The margin (against whom) and how sure the answer is, as lines of text."""
    against, score = answer.against()
    if against is None and answer.target.kind != "score":
        return []  # rank m: every table meets it
    common = dict(margin=f"{answer.margin:.2f}", zone=Ref("zone", answer.zone), score=f"{answer.score_after:.2f}",
                  other_score=f"{score:.2f}")
    if against is None:
        line = msg("analysis.margin_vs_score", **common)
    else:
        line = msg("analysis.margin_vs_zone", other=Ref("zone", against), **common)
    lines = [render(line, lang, package.name)]
    c = answer.confidence
    if c is not None:
        common = dict(chance=chance(c.probability), draws=f"{c.draws:,}", sigma=f"{100 * c.sigma:g} %", seed=c.seed,
                      swing=f"{c.swing:.2f}")
        if answer.reached:
            flag = msg("sure.too_close_flag" if c.too_close else "sure.clear_flag")
            lines.append(render(msg("sure.chance_line_flag", flag=flag, **common), lang))
        else:
            lines.append(render(msg("sure.chance_line", **common), lang))
    return lines
