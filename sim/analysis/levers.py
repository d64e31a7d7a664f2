"""Lever ranking: what a standard step on each indicator is worth to a zone.

For one zone and every indicator, two standard steps in the indicator's improving
direction (up for benefit, down for cost indicators):

- **+10 %** of the zone's value (counts: 10 % rounded to whole units, at least 1;
  a value <= 0, where a percentage means nothing: 10 % of the zones' mean
  absolute value);
- **+1 standard deviation** of the indicator across the zones (sample standard
  deviation, ddof = 1; counts: whole units, at least 1).

Each step is scored under the scenario's method, entropy weights recomputed when the
method recomputes them, with the scenario's links and rounding, exactly as the engine
would score a scenario with that one extra intervention (the tests check this against
:func:`sim.engine.run_scenario`). All 2 x n variants are scored in one batched call.

The report flags the levers that do nothing for the zone because of min-max (the zone
stays last on the indicator, so its normalised value stays 0), and the levers that
also help rivals (their scores rise, e.g. through the weights) or move rivals' ranks.

The pure core is :func:`step_gains` (a model, a zone and interventions in, arrays
out); the validating wrapper is :func:`lever_report`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.options import split_ids
from sim.data import DataPackage
from sim.engine import CompiledScenario, analysis_model
from sim.errors import UsageError
from sim.messages import Message, NameResolver, Ref, msg, render
from sim.method.entropy import ranks as competition_ranks
from sim.scenario import Intervention, Scenario, format_percent

STEPS = ("10%", "1sd")
STEP_LABELS = {"10%": "+10%", "1sd": "+1 sd"}
#: A score change smaller than this (points) is float noise, not a change.
GAIN_TOLERANCE = 1e-9
#: A rival counts as helped when it gains at least this much (points): half the 0.01
#: the paper prints. With recomputed weights almost every step nudges some rival by a
#: hair; flagging those would flag nearly every lever.
RIVAL_GAIN_SHOWN = 0.005
_MINMAX_FAMILY = ("minmax", "minmax-shift")


def standard_step(model: CompiledScenario, zone_row: int, column: int, step: str) -> Intervention:
    """The intervention of one standard step for one zone and indicator.

    Parameters
    ----------
    model : CompiledScenario
    zone_row, column : int
    step : {"10%", "1sd"}

    Returns
    -------
    Intervention
        ``by: +10%`` (or ``-10%`` for a cost indicator), or ``by: amount``; ``to: bound``
        when the step would leave the indicator's valid range.
    """
    zone, indicator = model.zones[zone_row], model.indicators[column]
    start = float(model.pre[zone_row, column])
    column_values = model.values[:, column]
    sign = 1.0 if model.is_benefit[column] else -1.0
    counts = bool(model.is_integer[column])
    if step == "10%":
        if start > 0 and not counts:
            intervention = Intervention(zones=(zone,), indicators=(indicator,), percent=sign * 10.0)
        else:
            base = start if start > 0 else float(np.mean(np.abs(column_values))) or 1.0
            amount = 0.1 * base
            if counts:
                amount = max(1.0, math.floor(amount + 0.5))
            intervention = Intervention(zones=(zone,), indicators=(indicator,), amount=sign * amount)
    elif step == "1sd":
        amount = float(np.std(column_values, ddof=1)) if len(column_values) > 1 else 0.0
        if counts:
            amount = max(1.0, math.floor(amount + 0.5))
        intervention = Intervention(zones=(zone,), indicators=(indicator,), amount=sign * amount)
    else:
        raise UsageError(msg("analysis.step_unknown", step=repr(step), allowed=", ".join(STEPS)))
    new = intervention.new_value(start)
    low, high = model.col_min[column], model.col_max[column]
    bound = high if new > high else low if new < low else None
    if model.needs_positive and (new if bound is None else bound) <= 0 < start:
        bound = start / 2.0  # ratio needs values > 0: halve instead of crossing zero
    if bound is not None:
        intervention = Intervention(zones=(zone,), indicators=(indicator,), to=float(bound))
    return intervention


def step_text(intervention: Intervention, counts: bool = False) -> str:
    """Short text of a step: ``+10%``, ``+3`` (counts), ``+28.44``, ``+198800`` (4 significant
    digits, never in exponent form), ``to 100``."""
    from sim.analysis.wording import significant

    if intervention.to is not None:
        return f"to {intervention.to:g}"
    if intervention.percent is not None:
        return format_percent(intervention.percent)
    amount = float(intervention.amount or 0.0)
    return f"{amount:+.0f}" if counts else significant(amount)


def step_gains(
    model: CompiledScenario, zone_row: int, interventions: Sequence[tuple[int, Intervention]]
) -> dict[str, np.ndarray]:
    """Score one extra intervention at a time, all in one batched call.

    Parameters
    ----------
    model : CompiledScenario
    zone_row : int
    interventions : sequence of (column, Intervention)
        Each changes one cell of the zone (its own zone and indicator), on top of the
        scenario; the engine applies each to its own variant of the table.

    Returns
    -------
    dict of arrays
        ``scores`` (K, m), ``ranks`` (K, m), ``weights`` (K, n), ``values`` (K, m, n)
        finished tables, ``valid`` (K,).
    """
    tables = model.variant_tables([[intervention] for _, intervention in interventions])
    finished, valid = model.finish(tables)
    weights, scores = model.score(finished, valid)
    valid = valid & np.isfinite(scores).all(axis=-1)
    ranks = competition_ranks(np.where(np.isfinite(scores), scores, -np.inf))
    return {"scores": scores, "ranks": ranks, "weights": weights, "values": finished, "valid": valid}


@dataclass(frozen=True)
class LeverReport:
    """Lever ranking for one zone.

    Attributes
    ----------
    zone : str
    scenario : Scenario
    method : dict
    score, rank : float, int
        The zone's score and rank in the scenario (before any step).
    table : pandas.DataFrame
        One row per indicator, sorted by ``sort_by`` gain (largest first), columns
        per step ``s`` in ("10%", "1sd"): ``step_s`` (text), ``gain_s`` (points),
        ``rank_s``, ``rank_change_s`` (places gained), ``rivals_gain_s`` (largest
        rival gain, points), ``helped_rivals_s`` (ids), ``rivals_moved_s`` (ids of rivals
        whose rank changed), ``stays_last_s`` (min-max gives no credit), ``weight_change_s``
        (the indicator's weight change, fraction), ``capped_s``; plus ``weight`` and
        ``zone_value``.
    sort_by : str
    notes : list of Message
    """

    zone: str
    scenario: Scenario
    method: dict[str, Any]
    score: float
    rank: int
    table: pd.DataFrame
    sort_by: str = "10%"
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.scenario.year

    def no_credit(self, step: str = "10%") -> list[str]:
        """Indicators whose step earns nothing because of min-max (the zone stays last)."""
        return list(self.table.index[self.table[f"stays_last_{step}"]])

    def helps_rivals(self, step: str = "10%") -> list[str]:
        """Indicators whose step also raises some rival's score by 0.005 points or more."""
        return list(self.table.index[self.table[f"helped_rivals_{step}"].map(bool)])

    def to_dict(self, lang: str = "en", names: NameResolver | None = None) -> dict[str, Any]:
        """The report as JSON-ready data; its notes in ``lang`` (names instead of ids with ``names``)."""
        rows = []
        for indicator, row in self.table.iterrows():
            item: dict[str, Any] = {"indicator": indicator, "weight": float(row["weight"]),
                                    "zone_value": float(row["zone_value"])}
            for step in STEPS:
                gain = row[f"gain_{step}"]
                item[step] = {
                    "step": row[f"step_{step}"],
                    "gain": None if pd.isna(gain) else float(gain),
                    "rank": None if pd.isna(gain) else int(row[f"rank_{step}"]),
                    "rank_change": None if pd.isna(gain) else int(row[f"rank_change_{step}"]),
                    "rivals_gain": None if pd.isna(gain) else float(row[f"rivals_gain_{step}"]),
                    "helped_rivals": list(row[f"helped_rivals_{step}"]),
                    "rivals_moved": list(row[f"rivals_moved_{step}"]),
                    "stays_last": bool(row[f"stays_last_{step}"]),
                    "weight_change": None if pd.isna(gain) else float(row[f"weight_change_{step}"]),
                    "capped": bool(row[f"capped_{step}"]),
                }
            rows.append(item)
        return {
            "zone": self.zone,
            "year": self.year,
            "scenario": self.scenario.name,
            "method": self.method,
            "score": self.score,
            "rank": self.rank,
            "sort_by": self.sort_by,
            "levers": rows,
            "no_credit": self.no_credit(self.sort_by),
            "helps_rivals": self.helps_rivals(self.sort_by),
            "notes": [render(note, lang, names) for note in self.notes],
        }


def lever_report(
    package: DataPackage,
    zone: str,
    scenario: Scenario | None = None,
    year: int | None = None,
    indicators: Sequence[str] | None = None,
    sort_by: str = "10%",
) -> LeverReport:
    """Score gain of a standard step on each indicator, for one zone.

    Parameters
    ----------
    package : DataPackage
    zone : str
    scenario : Scenario, optional
        Default: the baseline of ``year`` with the package's method.
    year : int, optional
    indicators : sequence of str, optional
        Default: all.
    sort_by : {"10%", "1sd"}

    Returns
    -------
    LeverReport

    Raises
    ------
    UsageError
        Unknown zone or indicator (with a suggestion), unknown ``sort_by``.

    Examples
    --------
    >>> from sim.data import load_package
    >>> report = lever_report(load_package(), "sunan", year=2020)
    >>> len(report.table) == 25
    True
    """
    if sort_by not in STEPS:
        raise UsageError(msg("analysis.sort_unknown", step=repr(sort_by), allowed=", ".join(STEPS)))
    model = analysis_model(package, scenario, year)
    zone_row = model.zone_row(zone)
    chosen = model.indicators if indicators is None else list(indicators)
    columns = [model.column(i) for i in chosen]
    start_weights, start_scores = model.score(model.values[None, :, :])
    start_scores, start_weights = start_scores[0], start_weights[0]
    start_ranks = competition_ranks(start_scores)
    rivals = [r for r in range(len(model.zones)) if r != zone_row]
    scoring_minmax = model.method.scoring in _MINMAX_FAMILY

    plan = [(col, step, standard_step(model, zone_row, col, step)) for col in columns for step in STEPS]
    out = step_gains(model, zone_row, [(col, intervention) for col, _, intervention in plan])
    records: dict[str, dict[str, Any]] = {}
    notes = []
    for k, (col, step, intervention) in enumerate(plan):
        indicator = model.indicators[col]
        record = records.setdefault(indicator, {
            "weight": float(start_weights[col]),
            "zone_value": float(model.values[zone_row, col]),
        })
        text = step_text(intervention, bool(model.is_integer[col]))
        record[f"step_{step}"] = text
        record[f"capped_{step}"] = intervention.to is not None
        if not out["valid"][k]:
            notes.append(msg("analysis.step_impossible", indicator=Ref("indicator", indicator), step=text,
                             why=_why_invalid(model, intervention)))
            for key in ("gain", "rank", "rank_change", "rivals_gain", "weight_change"):
                record[f"{key}_{step}"] = np.nan
            record[f"helped_rivals_{step}"] = []
            record[f"rivals_moved_{step}"] = []
            record[f"stays_last_{step}"] = False
            continue
        scores, ranks = out["scores"][k], out["ranks"][k]
        deltas = scores - start_scores
        record[f"gain_{step}"] = float(deltas[zone_row])
        record[f"rank_{step}"] = int(ranks[zone_row])
        record[f"rank_change_{step}"] = int(start_ranks[zone_row] - ranks[zone_row])
        record[f"rivals_gain_{step}"] = float(max(deltas[r] for r in rivals)) if rivals else 0.0
        record[f"helped_rivals_{step}"] = [model.zones[r] for r in rivals if deltas[r] >= RIVAL_GAIN_SHOWN]
        record[f"rivals_moved_{step}"] = [model.zones[r] for r in rivals if ranks[r] != start_ranks[r]]
        record[f"weight_change_{step}"] = float(out["weights"][k][col] - start_weights[col])
        new_column = out["values"][k][:, col]
        worst = new_column.min() if model.is_benefit[col] else new_column.max()
        changed = new_column[zone_row] != model.values[zone_row, col]
        record[f"stays_last_{step}"] = bool(scoring_minmax and changed and new_column[zone_row] == worst)
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "indicator"
    order = table[f"gain_{sort_by}"].fillna(-np.inf).sort_values(ascending=False, kind="stable").index
    table = table.loc[order]
    return LeverReport(
        zone=zone,
        scenario=model.scenario,
        method=model.method.to_dict(),
        score=float(start_scores[zone_row]),
        rank=int(start_ranks[zone_row]),
        table=table,
        sort_by=sort_by,
        notes=notes,
    )


def _why_invalid(model: CompiledScenario, intervention: Intervention) -> list | Message:
    """The engine's own words for a step it refuses (rare: asked only for those)."""
    from dataclasses import replace

    from sim.engine import run_scenario
    from sim.errors import SimError

    stepped = replace(model.scenario, interventions=tuple(model.scenario.interventions) + (intervention,),
                      source="step")
    try:
        run_scenario(model.package, stepped)
    except SimError as exc:
        return list(exc.problems)
    return msg("analysis.step_unscorable")


def lever_matrix(
    package: DataPackage, scenario: Scenario | None = None, year: int | None = None, step: str = "10%"
) -> pd.DataFrame:
    """Own score gain of a standard step, for every zone x indicator (for a heatmap).

    All m x n variants are scored in one batched call.

    Returns
    -------
    pandas.DataFrame
        Zones (index) x indicators (columns), points.
    """
    model = analysis_model(package, scenario, year)
    _, start_scores = model.score(model.values[None, :, :])
    plan = []
    for row in range(len(model.zones)):
        for col in range(len(model.indicators)):
            plan.append((row, col, standard_step(model, row, col, step)))
    finished, valid = model.finish(model.variant_tables([[intervention] for _, _, intervention in plan]))
    _, scores = model.score(finished, valid)
    gains = np.full((len(model.zones), len(model.indicators)), np.nan)
    for k, (row, col, _) in enumerate(plan):
        gains[row, col] = scores[k, row] - start_scores[0, row]
    return pd.DataFrame(gains, index=model.zones, columns=model.indicators)


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim levers``."""
    parser.description = (
        "Score gain for a zone of a standard step (+10% and +1 standard deviation across zones) on each "
        "indicator, weights recomputed; flags steps that earn nothing under min-max and steps that help rivals."
    )
    parser.add_argument("--zone", required=True, help="zone id or name, e.g. sunan")
    parser.add_argument("--scenario", metavar="S.yaml", help="start from this scenario (default: the baseline)")
    parser.add_argument("--year", type=int, help="baseline year (default: the latest; with --scenario: its year)")
    parser.add_argument("--indicators", metavar="ID,ID,...", help="only these indicators (default: all)")
    parser.add_argument("--sort", choices=STEPS, default="10%", help="sort by the gain of this step (default 10%%)")


def command(args: argparse.Namespace) -> int:
    """``zonesim levers``."""
    from sim.cli import check_zone, emit, package_from, starting_scenario

    package = package_from(args)
    start = starting_scenario(args, package)
    zone = check_zone(args.zone, package)
    report = lever_report(package, zone, scenario=start, indicators=split_ids(args.indicators), sort_by=args.sort)
    if args.format == "json":
        from sim.report import to_json

        emit(to_json(report.to_dict(args.lang, package.name)))
    elif args.format == "csv":
        emit(lever_csv(report, package, args.lang))
    else:
        from sim.analysis.lever_text import lever_table

        emit(lever_table(report, package, args.lang))
    return 0


def lever_csv(report: LeverReport, package: DataPackage, lang: str = "en") -> str:
    """The lever table as CSV, one row per indicator, with the zone's and the indicator's names."""
    from sim.analysis.wording import csv_headers
    from sim.report import csv_text

    frame = report.table.copy()
    for step in STEPS:
        for key in ("helped_rivals", "rivals_moved"):
            frame[f"{key}_{step}"] = frame[f"{key}_{step}"].map(" ".join)
    frame = frame.reset_index()
    frame.insert(1, "indicator_name", [package.name("indicator", i, lang) for i in frame["indicator"]])
    frame.insert(0, "zone_name", package.name("zone", report.zone, lang))
    frame.insert(0, "zone", report.zone)
    return csv_text(csv_headers(frame, lang))


__all__ = ["LeverReport", "STEPS", "lever_csv", "lever_matrix", "lever_report", "standard_step", "step_gains"]
