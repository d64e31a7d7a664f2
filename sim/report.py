"""Results as text tables, JSON and CSV (the command line's output formats).

Numbers keep full precision in JSON and CSV; text tables round for reading. Every
table and CSV carries the data's provenance line (:func:`sim.provenance.provenance_line`),
so that a copied table still says the numbers are reconstructed when they are.
Text tables line up in a terminal, Chinese included: CJK characters count two columns
(:func:`text_width`), and each row of a column holds the same number of
East-Asian-ambiguous characters (▲, ▼, –), so a terminal that draws those one column
wide and one that draws them two both keep the columns straight.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.engine import Result
from sim.messages import has_key, msg, render, text
from sim.provenance import data_summary, provenance_line

__all__ = ["FORMATS", "LANGS", "comparison_csv", "comparison_frame", "comparison_table", "csv_text", "data_summary",
           "format_table", "label", "provenance_line", "rank_arrow", "result_csv", "result_table", "text_width",
           "to_json"]

FORMATS = ("table", "json", "csv")
LANGS = ("zh", "en")
#: Column of every result CSV that carries the provenance line.
NOTE_COLUMN = "data_note"


def label(key: str, lang: str) -> str:
    """A UI/CLI label (``sim/locale/report.yaml``) in ``lang``; the key itself when unknown."""
    return text(f"report.{key}", lang) if has_key(f"report.{key}") else key


def rank_arrow(change: int) -> str:
    """``▲2``, ``▼1`` or ``–`` for a change in rank (positive = moved up)."""
    return f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "–"


def text_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two).

    East-Asian-ambiguous characters (▲, –) count one, as most terminals draw them;
    tables keep one such character per cell of a column, so alignment does not depend
    on it (see the module docstring).

    Examples
    --------
    >>> text_width("苏南"), text_width("ab"), text_width("▲1")
    (4, 2, 2)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, align: str = "l") -> str:
    """``text`` padded with spaces to ``width`` terminal columns, left (``l``) or right (``r``)."""
    room = " " * max(width - text_width(text), 0)
    return text + room if align == "l" else room + text


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A plain-text table that lines up with Chinese text too.

    Parameters
    ----------
    headers : sequence of str
    rows : sequence of sequences
    align : str, optional
        One letter per column, ``l`` or ``r``; default: first column left, others right.
    """
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(text_width(row[i]) for row in cells) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row: list[str]) -> str:
        return "  ".join(pad(cell, widths[i], align[i]) for i, cell in enumerate(row)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def joined_cells(parts: Sequence[Sequence[str]], align: str) -> list[str]:
    """Cells made of several fields, each field padded to its widest: every cell has the
    same width and its fields line up from row to row.

    Examples
    --------
    >>> joined_cells([["63.34", "#4", "▼1"], ["60.12", "#10", "–"]], "rll")
    ['63.34 #4  ▼1', '60.12 #10 –']
    """
    widths = [max(text_width(row[i]) for row in parts) for i in range(len(align))]
    return [" ".join(pad(field, widths[i], align[i]) for i, field in enumerate(row)).rstrip() for row in parts]


def scenario_name(result: Result, lang: str) -> str:
    """The scenario's Chinese name under ``lang="zh"`` when it has one."""
    return result.scenario.name_zh if lang == "zh" and result.scenario.name_zh else result.scenario.name


def method_line(result: Result, lang: str) -> str:
    """The method in words: normalisation of the weights and of the scores, weights, goalposts."""
    from sim.i18n import option_label  # sim.i18n reads this module's labels

    method = result.method
    weights = method.weights if isinstance(method.weights, str) else "explicit"
    return render(msg("report.method_line", normalization=option_label(method.normalization, lang),
                      scoring=option_label(method.scoring, lang), weights=option_label(weights, lang),
                      goalposts=option_label(method.goalposts, lang, kind="goalposts")), lang)


def result_table(result: Result, package: DataPackage, lang: str = "en") -> str:
    """A readable report of one scored scenario, ending with the data's provenance line."""
    L = lambda key: label(key, lang)  # noqa: E731
    zone_name: Callable[[str], str] = lambda zone: package.name("zone", zone, lang)  # noqa: E731
    ranking = result.ranking()
    lines = [
        render(msg("report.heading", scenario=scenario_name(result, lang), year=result.year), lang),
        method_line(result, lang),
        "",
        format_table(
            [L("rank"), L("zone"), L("score"), L("gap_to_next"), L("baseline"), L("delta"), L("rank_change")],
            [
                [
                    int(row["rank"]),
                    zone_name(zone),
                    f"{row['score']:.2f}",
                    "" if pd.isna(row["gap_to_next"]) else f"{row['gap_to_next']:.2f}",
                    f"{row['baseline_score']:.2f} (#{int(row['baseline_rank'])})",
                    f"{row['delta']:+.2f}",
                    rank_arrow(int(row["rank_change"])),
                ]
                for zone, row in ranking.iterrows()
            ],
            align="rlrrrrr",
        ),
        "",
        L("groups"),
        format_table(
            [L("zone"), *(package.name("group", g, lang) for g in result.scored.group_scores.columns)],
            [
                [zone_name(zone), *(f"{v:.2f}" for v in result.scored.group_scores.loc[zone])]
                for zone in ranking.index
            ],
        ),
    ]
    if result.origin.ne("").any().any():
        lines += ["", L("changes"), _changes_table(result, package, lang)]
        lines += ["", L("decomposition"), format_table(
            [L("zone"), L("data"), L("weight_shift"), L("total")],
            [
                [zone_name(zone), *(f"{result.decomposition.at[zone, k]:+.3f}" for k in ("data", "weights", "total"))]
                for zone in ranking.index
            ],
        )]
        drift = result.weight_drift["change"]
        top = drift.abs().sort_values(ascending=False).head(5)
        if top.max() > 0:
            lines += ["", L("weights"), format_table(
                [L("indicator"), f"{L('baseline')} %", f"{L('scenario')} %", L("pp_change")],
                [
                    [package.name("indicator", i, lang), f"{100 * result.baseline.weights[i]:.2f}",
                     f"{100 * result.scored.weights[i]:.2f}", f"{100 * drift[i]:+.2f}"]
                    for i in top.index
                ],
            )]
    if result.warnings:
        lines += ["", L("warnings")] + [f"  - {render(w, lang, package.name)}" for w in result.warnings]
    lines += ["", provenance_line(result, lang)]
    return "\n".join(lines)


def _changes_table(result: Result, package: DataPackage, lang: str) -> str:
    rows = []
    for zone in result.values.index:
        for indicator in result.values.columns:
            origin = result.origin.at[zone, indicator]
            if origin:
                rows.append([
                    package.name("zone", zone, lang),
                    package.name("indicator", indicator, lang),
                    f"{result.baseline_values.at[zone, indicator]:.6g}",
                    f"{result.values.at[zone, indicator]:.6g}",
                    package.unit(indicator, lang),
                    label(f"origin_{origin}", lang),
                ])
    return format_table(
        [label(k, lang) for k in ("zone", "indicator", "baseline", "value", "unit", "origin")],
        rows,
        align="llrrll",
    )


def result_csv(result: Result, package: DataPackage, lang: str = "en") -> str:
    """One row per zone: scores, ranks, deltas, the gap to the zone above and group scores, at
    full precision; the last column (``data_note``) holds the provenance line."""
    frame = result.ranking().join(result.scored.group_scores)
    frame.insert(0, "name", [package.name("zone", z, lang) for z in frame.index])
    frame.insert(0, "year", result.year)
    frame.insert(0, "scenario", result.scenario.name)
    frame[NOTE_COLUMN] = provenance_line(result, lang)
    return csv_text(frame.rename_axis("zone").reset_index())


def comparison_frame(results: Sequence[Result]) -> pd.DataFrame:
    """Long table: one row per scenario and zone (used by ``compare`` and the app)."""
    rows = []
    for position, result in enumerate(results):
        ranking = result.ranking()
        for zone, row in ranking.iterrows():
            rows.append({
                "position": position,
                "scenario": result.scenario.name,
                "year": result.year,
                "zone": zone,
                **{k: row[k] for k in ("score", "rank", "baseline_score", "baseline_rank", "delta", "rank_change",
                                       "gap_to_next")},
            })
    return pd.DataFrame(rows)


def comparison_table(results: Sequence[Result], package: DataPackage, lang: str = "en") -> str:
    """Baseline and each scenario side by side: score, rank, Δ score, Δ rank per zone.

    Each scenario's cells are built of fields padded to the widest in that column, so
    scores, ranks, changes and arrows line up from row to row.
    """
    zones = list(results[0].baseline.scores.sort_values(ascending=False).index)
    headers = [label("zone", lang)]
    columns: list[list[str]] = []
    years = sorted({r.year for r in results})
    for year in years:
        headers.append(f"{label('baseline', lang)} {year}" if len(years) > 1 else label("baseline", lang))
        first = next(r for r in results if r.year == year)
        columns.append(joined_cells(
            [[f"{first.baseline.scores[z]:.2f}", f"#{int(first.baseline.ranks[z])}"] for z in zones], "rl"))
    for position, result in enumerate(results, start=1):
        headers.append(f"[{position}] {_short(scenario_name(result, lang))}")
        columns.append(joined_cells(
            [[f"{result.scored.scores[z]:.2f}", f"#{int(result.scored.ranks[z])}", f"{result.delta[z]:+.2f}",
              rank_arrow(int(result.rank_change[z]))] for z in zones], "rlrl"))
    rows = [[package.name("zone", zone, lang), *(column[i] for column in columns)] for i, zone in enumerate(zones)]
    legend = [render(msg("report.legend", position=i, scenario=scenario_name(r, lang), year=r.year,
                         source=r.scenario.source), lang) for i, r in enumerate(results, start=1)]
    warnings = [f"[{i}] {render(w, lang, package.name)}" for i, r in enumerate(results, start=1) for w in r.warnings]
    text = format_table(headers, rows, align="l" + "l" * len(columns)) + "\n\n" + "\n".join(legend)
    if warnings:
        text += f"\n\n{label('warnings', lang)}\n" + "\n".join(f"  - {w}" for w in warnings)
    notes = list(dict.fromkeys(provenance_line(r, lang) for r in results))
    return text + "\n\n" + "\n".join(notes)


def _short(name: str, limit: int = 24) -> str:
    """At most ``limit`` terminal columns of a name (a CJK character counts two)."""
    if text_width(name) <= limit:
        return name
    cut = ""
    for character in name:
        if text_width(cut + character) > limit - 1:
            break
        cut += character
    return cut + "…"


def to_json(data: Any) -> str:
    """JSON text with Chinese kept readable and NaN refused (it is not JSON)."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would take it for a formula.

    Examples
    --------
    >>> neutralise_formula("=cmd|' /C calc'!A0"), neutralise_formula("Sunan")
    ("'=cmd|' /C calc'!A0", 'Sunan')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV: numbers at full precision, text cells that a spreadsheet would run
    as a formula neutralised with a leading ``'`` (numbers, negative ones included, are
    written as numbers). Every CSV the tool writes goes through here."""
    safe = frame.copy(deep=False)
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = [neutralise_formula(v) if isinstance(v, str) else v for v in safe[column].tolist()]
    safe.columns = [neutralise_formula(str(c)) for c in safe.columns]
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, float_format="%.17g")
    return buffer.getvalue()


def comparison_csv(results: Sequence[Result], package: DataPackage | None = None, lang: str = "en") -> str:
    """The long comparison table as CSV, at full precision; the last column (``data_note``)
    holds each row's provenance line. With ``package``, a column of zone names in ``lang``."""
    frame = comparison_frame(results).drop(columns="position")
    if package is not None:
        frame.insert(frame.columns.get_loc("zone") + 1, "name", [package.name("zone", z, lang) for z in frame["zone"]])
    by_year = {r.year: provenance_line(r, lang) for r in results}
    frame[NOTE_COLUMN] = [by_year[y] for y in frame["year"]]
    return csv_text(frame)
