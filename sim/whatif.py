"""The current scenario as the app's what-if controls edit it: sliders, and the changes they make.

Sliders
    One slider per indicator for the chosen zone: a relative change in percent for
    amounts and shares, a whole-number change for counts (the ``integer`` column).
    A slider shows, and edits, the *last* intervention that touches its cell when
    that intervention is a plain one (one zone, one indicator, the slider's kind of
    change, a value on the slider's scale); otherwise it shows 0 and moving it
    appends a new intervention, which applies after the others.

Table rows
    The interventions table (every intervention as an editable row, with names) is
    :mod:`sim.whatif_table`; its functions are re-exported here.

Changed values
    Every cell of the applied table that the engine marks as changed
    (``Result.causes``: an intervention set it, or a link moved it), its change on
    the slider's scale, and its cause: the slider, the scenario file (any
    intervention the slider does not show) or a link from another indicator
    (:func:`changed_values`). :func:`slider_effect` tells a slider whose cell moved by
    more than it shows (a link, another intervention), so a planner sees "+100 % via
    R&D spending" before stacking a second change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.i18n import t
from sim.links import link_order
from sim.scenario import Scenario, format_percent
from sim.whatif_table import (  # noqa: F401 - the table's functions, re-exported (one home: sim.whatif_table)
    CHANGE_KINDS,
    CHANGE_LABEL_KEYS,
    TABLE_COLUMNS,
    apply_editor_state,
    blank,
    display_rows,
    intervention_rows,
    rows_frame,
    rows_from_display,
    rows_to_interventions,
    table_options,
    whole_number,
    with_interventions,
)

# --------------------------------------------------------------------------- sliders

PERCENT, AMOUNT = "percent", "amount"
#: Range of the relative-change sliders (percent), before the indicator's bounds.
PERCENT_RANGE = (-90, 300)


@dataclass(frozen=True)
class SliderSpec:
    """The slider of one zone's indicator.

    Attributes
    ----------
    indicator : str
    kind : {"percent", "amount"}
        Relative change in percent, or whole-number change (counts).
    low, high, step : int
        Slider range and step; ``low`` and ``high`` are multiples of ``step`` and
        include 0.
    baseline : float
        The zone's value in the baseline year.
    disabled : bool
        A relative change of a baseline 0 does nothing.
    """

    indicator: str
    kind: str
    low: int
    high: int
    step: int
    baseline: float
    disabled: bool = False

    def fits(self, value: float) -> bool:
        """Whether the slider (and its number box) can show ``value``: a whole number in range.

        The number box beside the slider types any whole number, so a value between
        two of the slider's steps is still the slider's own (its keys move on the steps).
        """
        if not math.isfinite(value) or not self.low <= value <= self.high:
            return False
        return float(value).is_integer()


def _nice_step(span: float) -> int:
    """1, 2, 5, 10, 20, 50, ... about span / 100."""
    target = span / 100.0
    if target <= 1:
        return 1
    power = 10 ** math.floor(math.log10(target))
    for factor in (1, 2, 5, 10):
        if factor * power >= target:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def slider_spec(
    package: DataPackage, year: int, zone: str, indicator: str, table: pd.DataFrame | None = None
) -> SliderSpec:
    """The slider for ``indicator`` of ``zone``, its range kept inside the indicator's bounds.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        ``package.table(year)``, when the caller has it already.
    """
    table = package.table(year) if table is None else table
    value = float(table.at[zone, indicator])
    integer = bool(package.indicators.at[indicator, "integer"])
    # The changed value is linear in the slider position x: value + slope * x.
    slope = 1.0 if integer else value / 100.0
    if integer:
        span = max(10.0, abs(value))
        step = _nice_step(span)
        low, high = -span, 2 * span
    else:
        step = 1
        low, high = PERCENT_RANGE
    constraints = [(value, slope, indicator)]
    # The package's identity links move their targets linearly too; keep those in range.
    for link in package.links:
        if link.source != indicator:
            continue
        target = float(table.at[zone, link.target])
        if link.elasticity is not None:
            if value == 0:
                continue
            constraints.append((target, target * link.elasticity * slope / value, link.target))
        else:
            constraints.append((target, link.additive * slope, link.target))
    for base, rate, item in constraints:
        low, high = _linear_bounds(base, rate, package.indicators.loc[item], low, high)
    kind = AMOUNT if integer else PERCENT
    low_i, high_i = _floor_to(low, step, up=True), _floor_to(high, step)
    return SliderSpec(indicator, kind, min(low_i, 0), max(high_i, 0), step, value,
                      disabled=not integer and value == 0)


def _linear_bounds(base: float, rate: float, meta, low: float, high: float) -> tuple[float, float]:
    """Narrow [low, high] so that ``base + rate * x`` stays within the indicator's min and max."""
    if rate == 0:
        return low, high
    for bound, is_upper in ((meta["min"], False), (meta["max"], True)):
        if pd.isna(bound):
            continue
        x = (float(bound) - base) / rate
        if (rate > 0) == is_upper:  # this bound caps x from above
            high = min(high, x)
        else:
            low = max(low, x)
    return low, high


def _floor_to(value: float, step: int, up: bool = False) -> int:
    """``value`` rounded towards the inside of the range onto multiples of ``step``."""
    scaled = value / step
    whole = math.ceil(scaled - 1e-9) if up else math.floor(scaled + 1e-9)
    return int(whole * step)


def touches(intervention, zone: str, indicator: str, zone_ids: Sequence[str]) -> bool:
    """Whether an intervention changes the cell (zone, indicator)."""
    return zone in intervention.zone_ids(zone_ids) and indicator in intervention.indicators


def bound_intervention(scenario: Scenario, spec: SliderSpec, zone: str, zone_ids: Sequence[str]) -> int | None:
    """Position of the intervention a slider shows and edits, or None.

    It is the last intervention touching the cell, when that one is plain: this zone
    only, this indicator only, the slider's kind of change, a value the slider can take.
    """
    last = None
    for position, intervention in enumerate(scenario.interventions):
        if touches(intervention, zone, spec.indicator, zone_ids):
            last = position
    if last is None:
        return None
    item = scenario.interventions[last]
    value = item.percent if spec.kind == PERCENT else item.amount
    if item.zones != (zone,) or item.indicators != (spec.indicator,) or item.to is not None or value is None:
        return None
    return last if spec.fits(value) else None


def slider_value(scenario: Scenario, spec: SliderSpec, zone: str, zone_ids: Sequence[str]) -> int:
    """What the slider shows: the bound intervention's change, else 0."""
    position = bound_intervention(scenario, spec, zone, zone_ids)
    if position is None:
        return 0
    item = scenario.interventions[position]
    return int(item.percent if spec.kind == PERCENT else item.amount)


def shared_cell(scenario: Scenario, spec: SliderSpec, zone: str, zone_ids: Sequence[str]) -> bool:
    """Whether interventions other than the slider's own also change this cell."""
    position = bound_intervention(scenario, spec, zone, zone_ids)
    return any(
        touches(item, zone, spec.indicator, zone_ids) and index != position
        for index, item in enumerate(scenario.interventions)
    )


def with_slider(scenario: Scenario, spec: SliderSpec, zone: str, value: float, zone_ids: Sequence[str]) -> dict[str, Any]:
    """The scenario document after moving a slider to ``value``.

    The bound intervention is edited in place (its note kept) or removed at 0; with
    none bound, a non-zero value appends a new intervention. Validate the result
    with :func:`sim.scenario.scenario_from_dict`.
    """
    document = scenario.to_dict()
    items = document["interventions"]
    position = bound_intervention(scenario, spec, zone, zone_ids)
    change = format_percent(float(value)) if spec.kind == PERCENT else whole_number(value)
    if position is not None:
        if value == 0:
            del items[position]
        else:
            items[position]["by"] = change
    elif value != 0:
        items.append({"zone": zone, "indicator": spec.indicator, "by": change})
    return document


def without_zone_sliders(
    scenario: Scenario, specs: Sequence[SliderSpec], zone: str, zone_ids: Sequence[str]
) -> dict[str, Any]:
    """The scenario document with every slider of ``zone`` back at 0."""
    bound = {bound_intervention(scenario, spec, zone, zone_ids) for spec in specs} - {None}
    document = scenario.to_dict()
    document["interventions"] = [item for index, item in enumerate(document["interventions"]) if index not in bound]
    return document


# --------------------------------------------------------------------------- changed values and their causes

SLIDER, FILE, LINK = "slider", "file", "link"


def links_into(result, package: DataPackage, zone: str, indicator: str) -> list[str]:
    """Source indicators of the links into (zone, indicator) that moved it (whatever else set it)."""
    scenario = result.scenario
    ordered, _ = link_order([*package.links, *scenario.links])
    return [
        link.source
        for link in ordered or []
        if link.target == indicator
        and result.values.at[zone, link.source] != result.baseline_values.at[zone, link.source]
    ]


def change_on_scale(kind: str, before: float, after: float) -> float | None:
    """A change as a slider of ``kind`` counts it: percent of ``before``, or the difference."""
    if kind == AMOUNT:
        return after - before
    if before == 0:
        return None
    return 100.0 * (after / before - 1.0)


def format_change(value: float | None, kind: str) -> str:
    """``+100%``, ``-12.5%``, ``+3``; an undefined relative change (from 0) is ``n/a``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    value = 0.0 if abs(value) < 5e-10 else value
    text = f"{value:+.2f}".rstrip("0").rstrip(".")
    return text + ("%" if kind == PERCENT else "")


def changed_values(result, package: DataPackage) -> pd.DataFrame:
    """Every cell that a change touched: before, after, change and cause (ids, numbers).

    Columns: ``zone``, ``indicator``, ``before``, ``after``, ``kind`` (the slider kind:
    percent or amount), ``change`` (on that scale), ``cause`` (``slider``, ``file`` or
    ``link``), ``intervention`` and ``line`` (for slider and file), ``via`` (the source of
    the link; for slider and file, the sources of links that moved the cell further, or None).
    Rows in zone then indicator order, as the package lists them.
    """
    scenario, zone_ids = result.scenario, package.zone_ids
    causes = result.causes  # the engine's: (zone, indicator) -> Cause, for every changed cell
    table = result.baseline_values
    rows = []
    for zone in zone_ids:
        for indicator in package.indicator_ids:
            cause = causes.get((zone, indicator))
            if cause is None:
                continue
            spec = slider_spec(package, scenario.year, zone, indicator, table)
            before, after = float(table.at[zone, indicator]), float(result.values.at[zone, indicator])
            if cause.kind == "link":  # its intervention is the one upstream, not the cell's own: not shown
                kind, via, position, line = LINK, cause.via, None, None
            else:
                kind = SLIDER if bound_intervention(scenario, spec, zone, zone_ids) == cause.intervention else FILE
                via = ", ".join(links_into(result, package, zone, indicator)) or None  # links on top of it
                position, line = cause.intervention, cause.line
            rows.append({
                "zone": zone, "indicator": indicator, "before": before, "after": after, "kind": spec.kind,
                "change": change_on_scale(spec.kind, before, after), "cause": kind,
                "intervention": position, "line": line, "via": via,
            })
    columns = ["zone", "indicator", "before", "after", "kind", "change", "cause", "intervention", "line", "via"]
    return pd.DataFrame(rows, columns=columns)


def cause_text(row: Mapping[str, Any], package: DataPackage, lang: str) -> str:
    """The cause of a changed value in words: slider, scenario item (line), link from X."""
    sources = "" if blank(row.get("via")) else str(row["via"])
    via = [package.name("indicator", source, lang) for source in sources.split(", ") if source]
    if row["cause"] == LINK:
        return t("cause_link", lang, source=via)
    if row["cause"] == SLIDER:
        text = t("cause_slider", lang)
    elif blank(row.get("line")):
        text = t("cause_file", lang, item=int(row["intervention"]) + 1)
    else:
        text = t("cause_file_line", lang, item=int(row["intervention"]) + 1, line=int(row["line"]))
    return t("cause_then_link", lang, cause=text, source=via) if via else text


def changed_values_frame(result, package: DataPackage, lang: str) -> pd.DataFrame:
    """:func:`changed_values` as text for display: names in ``lang``, numbers to 6 significant digits."""
    frame = changed_values(result, package)
    return pd.DataFrame({
        t("col_zone", lang): [package.name("zone", z, lang) for z in frame["zone"]],
        t("col_indicator", lang): [package.name("indicator", i, lang) for i in frame["indicator"]],
        t("col_before", lang): [f"{v:.6g}" for v in frame["before"]],
        t("col_after", lang): [f"{v:.6g}" for v in frame["after"]],
        t("col_change_amount", lang): [format_change(c, k) for c, k in zip(frame["change"], frame["kind"])],
        t("col_cause", lang): [cause_text(row, package, lang) for _, row in frame.iterrows()],
    })


@dataclass(frozen=True)
class SliderEffect:
    """A slider's cell moved by more than the slider shows.

    Attributes
    ----------
    change : float or None
        The cell's whole change, on the slider's scale.
    via : tuple of str
        Source indicators of the links that moved it.
    other : bool
        Interventions the slider does not show also set it.
    """

    change: float | None
    via: tuple[str, ...]
    other: bool


def slider_effect(result, package: DataPackage, zone: str, spec: SliderSpec) -> SliderEffect | None:
    """What a slider should add beside its value: the cell's effective change, when it differs.

    None when the slider's own intervention (or nothing) explains the cell.
    """
    scenario, indicator = result.scenario, spec.indicator
    before = float(result.baseline_values.at[zone, indicator])
    after = float(result.values.at[zone, indicator])
    change = change_on_scale(spec.kind, before, after)
    shown = slider_value(scenario, spec, zone, package.zone_ids)
    via = tuple(links_into(result, package, zone, indicator))
    other = shared_cell(scenario, spec, zone, package.zone_ids) or (
        shown == 0 and any(touches(item, zone, indicator, package.zone_ids) for item in scenario.interventions))
    if not via and not other:
        return None
    if change is not None and abs(change - shown) <= 1e-9 * max(1.0, abs(change)):
        return None
    return SliderEffect(change, via, other)


def effect_text(effect: SliderEffect, package: DataPackage, kind: str, lang: str) -> str:
    """``effective +100% via R&D expenditure`` (in ``lang``)."""
    change = format_change(effect.change, kind)
    if effect.via:
        return t("effect_via", lang, change=change, source=[package.name("indicator", s, lang) for s in effect.via])
    return t("effect_other", lang, change=change)
