"""The lever ranking in words, in Chinese or English: its flags, its one-line answer and its text table.

Shared by ``zonesim levers`` and the app's Levers tab (:mod:`sim.analysis.views`), so that
both say the same thing with the same words (``sim/locale/analysis.yaml``).
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.levers import STEPS, LeverReport
from sim.analysis.wording import change_text, method_line, scenario_name
from sim.data import DataPackage
from sim.messages import Message, Ref, msg, render, text


def flag_messages(report: LeverReport, indicator: str, step: str | None = None) -> list[Message]:
    """What to know about one lever's step: no credit under min-max, rivals helped or moved, capped."""
    step = step or report.sort_by
    row = report.table.loc[indicator]
    flags = []
    if row[f"stays_last_{step}"]:
        flags.append(msg("analysis.flag_stays_last"))
    helped = list(row[f"helped_rivals_{step}"])
    if helped:
        flags.append(msg("analysis.flag_helps", zones=[Ref("zone", z) for z in helped]))
    moved = list(row[f"rivals_moved_{step}"])
    if moved:
        flags.append(msg("analysis.flag_moves", zones=[Ref("zone", z) for z in moved]))
    if row[f"capped_{step}"]:
        flags.append(msg("analysis.flag_capped"))
    return flags


def flags_text(report: LeverReport, indicator: str, package: DataPackage, lang: str, step: str | None = None) -> str:
    """:func:`flag_messages` joined into one cell."""
    return text("analysis.list_separator", lang).join(
        render(m, lang, package.name) for m in flag_messages(report, indicator, step))


def top_lever_message(report: LeverReport) -> Message:
    """The answer in one sentence: the lever whose step gains the zone most, or that none does."""
    gains = report.table[f"gain_{report.sort_by}"]
    if gains.isna().all() or not float(gains.max()) > 0:
        return msg("analysis.lv_top_none", zone=Ref("zone", report.zone))
    best = str(gains.idxmax())
    row = report.table.loc[best]
    rank = int(row[f"rank_{report.sort_by}"])
    return msg("analysis.lv_top" if rank != report.rank else "analysis.lv_top_same", zone=Ref("zone", report.zone),
               indicator=Ref("indicator", best), step=msg(f"analysis.step_{report.sort_by}"),
               gain=f"{row[f'gain_{report.sort_by}']:.3f}", rank=rank, now=report.rank)


def lever_table(report: LeverReport, package: DataPackage, lang: str = "en") -> str:
    """The report as readable text in ``lang``: the top lever first, then every lever."""
    from sim.report import format_table

    def say(message) -> str:
        return render(message, lang, package.name)

    def label(key: str, **params) -> str:
        return text(f"analysis.{key}", lang, **params)

    rows = []
    for indicator, row in report.table.iterrows():
        cells = [package.name("indicator", indicator, lang)]
        for step in STEPS:
            gain = row[f"gain_{step}"]
            if pd.isna(gain):
                cells += [change_text(row[f"step_{step}"], lang), "–", ""]
                continue
            cells += [change_text(row[f"step_{step}"], lang), f"{gain:+.3f}", f"#{int(row[f'rank_{step}'])}"]
        cells.append(flags_text(report, indicator, package, lang))
        rows.append(cells)
    sort_label = label(f"step_{report.sort_by}")
    lines = [
        say(msg("analysis.lv_heading", zone=Ref("zone", report.zone), year=report.year,
                scenario=scenario_name(report.scenario, lang))),
        say(method_line(report.method)),
        say(msg("analysis.lv_now", score=f"{report.score:.2f}", rank=report.rank, step=sort_label)),
        "",
        say(top_lever_message(report)),
        "",
        format_table(
            [label("col_indicator"), label("step_10%"), label("col_gain"), label("col_rank_after"),
             label("step_1sd"), label("col_gain"), label("col_rank_after"), label("col_flags", step=sort_label)],
            rows,
            align="lrrrrrrl",
        ),
    ]
    no_credit = report.no_credit(report.sort_by)
    if no_credit:
        lines += ["", say(msg("analysis.lv_no_credit", count=len(no_credit), zone=Ref("zone", report.zone),
                              indicators=[Ref("indicator", i) for i in no_credit]))]
    if report.notes:
        lines += ["", label("notes")] + [f"  - {say(n)}" for n in report.notes]
    return "\n".join(lines)

