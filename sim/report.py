"""Results as text tables, JSON and CSV (the command line's output formats).

Numbers keep full precision in JSON and CSV; text tables round for reading.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.engine import Result
from sim.messages import has_key, text

FORMATS = ("table", "json", "csv")
LANGS = ("zh", "en")

def label(key: str, lang: str) -> str:
    """A UI/CLI label (``sim/locale/report.yaml``) in ``lang``; the key itself when unknown."""
    return text(f"report.{key}", lang) if has_key(f"report.{key}") else key


def rank_arrow(change: int) -> str:
    """``▲2``, ``▼1`` or ``–`` for a change in rank (positive = moved up)."""
    return f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "–"


def text_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - text_width(cell))
            parts.append(cell + pad if align[i] == "l" else pad + cell)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def result_table(result: Result, package: DataPackage, lang: str = "en") -> str:
    """A readable report of one scored scenario."""
    L = lambda key: label(key, lang)  # noqa: E731
    ranking = result.ranking()
    name = result.scenario.name_zh if lang == "zh" and result.scenario.name_zh else result.scenario.name
    method = result.method.to_dict()
    weights = method["weights"] if isinstance(method["weights"], str) else "explicit"
    lines = [
        f"{L('scenario')}: {name}    {L('year')}: {result.year}",
        f"{L('method')}: weights from {method['normalization']}, scores on {method['score_normalization']}, "
        f"weights {weights}, goalposts {method['goalposts']}",
        "",
        format_table(
            [L("rank"), L("zone"), L("score"), L("baseline"), L("delta"), L("rank_change")],
            [
                [
                    int(row["rank"]),
                    package.name("zone", zone, lang),
                    f"{row['score']:.2f}",
                    f"{row['baseline_score']:.2f} (#{int(row['baseline_rank'])})",
                    f"{row['delta']:+.2f}",
                    rank_arrow(int(row["rank_change"])),
                ]
                for zone, row in ranking.iterrows()
            ],
            align="rlrrrr",
        ),
        "",
        L("groups"),
        format_table(
            [L("zone"), *(package.name("group", g, lang) for g in result.scored.group_scores.columns)],
            [
                [package.name("zone", zone, lang), *(f"{v:.2f}" for v in result.scored.group_scores.loc[zone])]
                for zone in ranking.index
            ],
        ),
    ]
    if result.origin.ne("").any().any():
        lines += ["", L("changes"), _changes_table(result, package, lang)]
        lines += ["", L("decomposition"), format_table(
            [L("zone"), L("data"), L("weight_shift"), L("total")],
            [
                [package.name("zone", zone, lang), *(f"{result.decomposition.at[zone, k]:+.3f}" for k in ("data", "weights", "total"))]
                for zone in ranking.index
            ],
        )]
        drift = result.weight_drift["change"]
        top = drift.abs().sort_values(ascending=False).head(5)
        if top.max() > 0:
            lines += ["", L("weights"), format_table(
                [L("indicator"), f"{L('baseline')} %", f"{L('scenario')} %", "Δ pp"],
                [
                    [package.name("indicator", i, lang), f"{100 * result.baseline.weights[i]:.2f}",
                     f"{100 * result.scored.weights[i]:.2f}", f"{100 * drift[i]:+.2f}"]
                    for i in top.index
                ],
            )]
    if result.warnings:
        lines += ["", L("warnings")] + [f"  - {w}" for w in result.warnings]
    lines += ["", f"{L('data_note')}: {data_summary(result.provenance, lang)}"]
    return "\n".join(lines)


def data_summary(provenance: dict[str, Any], lang: str = "en") -> str:
    """One sentence on where a year's values come from: the main source and the rest.

    Examples
    --------
    >>> data_summary({"values": 5, "source_counts": {"survey": 4, "press": 1}})
    'survey (4 of 5 values); 1 value from 1 other source'
    """
    counts = provenance.get("source_counts") or {}
    if not counts:
        return "没有来源说明" if lang == "zh" else "no source given"
    main, n_main = next(iter(counts.items()))
    total = provenance.get("values", sum(counts.values()))
    rest, others = total - n_main, len(counts) - 1
    if lang == "zh":
        text = f"{main}（{total} 个数值中的 {n_main} 个）"
        return text + (f"；另有 {rest} 个数值来自其他 {others} 个来源" if rest else "")
    text = f"{main} ({n_main} of {total} values)"
    if rest:
        text += f"; {rest} value{'s' if rest != 1 else ''} from {others} other source{'s' if others != 1 else ''}"
    return text


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
                    origin,
                ])
    return format_table(
        [label("zone", lang), label("indicator", lang), label("baseline", lang), label("value", lang), label("origin", lang)],
        rows,
        align="llrrl",
    )


def result_csv(result: Result, package: DataPackage, lang: str = "en") -> str:
    """One row per zone: scores, ranks, deltas and group scores, at full precision."""
    frame = result.ranking().join(result.scored.group_scores)
    frame.insert(0, "name", [package.name("zone", z, lang) for z in frame.index])
    frame.insert(0, "year", result.year)
    frame.insert(0, "scenario", result.scenario.name)
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
                **{k: row[k] for k in ("score", "rank", "baseline_score", "baseline_rank", "delta", "rank_change")},
            })
    return pd.DataFrame(rows)


def comparison_table(results: Sequence[Result], package: DataPackage, lang: str = "en") -> str:
    """Baseline and each scenario side by side: score, rank, Δ score, Δ rank per zone."""
    zones = list(results[0].baseline.scores.sort_values(ascending=False).index)
    headers = [label("zone", lang)]
    years = sorted({r.year for r in results})
    for year in years:
        headers.append(f"{label('baseline', lang)} {year}" if len(years) > 1 else label("baseline", lang))
    for position, result in enumerate(results, start=1):
        headers.append(f"[{position}] {_short(_scenario_name(result, lang))}")
    rows = []
    for zone in zones:
        row = [package.name("zone", zone, lang)]
        for year in years:
            first = next(r for r in results if r.year == year)
            row.append(f"{first.baseline.scores[zone]:.2f} #{int(first.baseline.ranks[zone])}")
        for result in results:
            row.append(
                f"{result.scored.scores[zone]:.2f} #{int(result.scored.ranks[zone])} "
                f"{result.delta[zone]:+.2f} {rank_arrow(int(result.rank_change[zone]))}"
            )
        rows.append(row)
    legend = [f"[{i}] {_scenario_name(r, lang)} ({r.year}): {r.scenario.source}" for i, r in enumerate(results, start=1)]
    warnings = [f"[{i}] {w}" for i, r in enumerate(results, start=1) for w in r.warnings]
    text = format_table(headers, rows) + "\n\n" + "\n".join(legend)
    if warnings:
        text += f"\n\n{label('warnings', lang)}\n" + "\n".join(f"  - {w}" for w in warnings)
    return text


def _scenario_name(result: Result, lang: str) -> str:
    """The scenario's Chinese name under ``--lang zh`` when it has one."""
    return result.scenario.name_zh if lang == "zh" and result.scenario.name_zh else result.scenario.name


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


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


def comparison_csv(results: Sequence[Result]) -> str:
    """The long comparison table as CSV, at full precision."""
    return csv_text(comparison_frame(results).drop(columns="position"))
