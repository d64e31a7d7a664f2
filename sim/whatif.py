"""The current scenario as the app's what-if controls edit it: sliders and table rows.

Sliders
    One slider per indicator for the chosen zone: a relative change in percent for
    amounts and shares, a whole-number change for counts (the ``integer`` column).
    A slider shows, and edits, the *last* intervention that touches its cell when
    that intervention is a plain one (one zone, one indicator, the slider's kind of
    change, a value on the slider's scale); otherwise it shows 0 and moving it
    appends a new intervention, which applies after the others.

Table rows
    Every intervention as one editable row (zone, indicator, change, value, note),
    and back. Rows are turned into the same plain data a YAML file holds and are
    validated by :func:`sim.scenario.scenario_from_dict`, so the table refuses
    exactly what a file would.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.scenario import Scenario, format_percent

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
        """Whether ``value`` is a position of this slider."""
        if not math.isfinite(value) or not self.low <= value <= self.high:
            return False
        return float(value / self.step).is_integer()


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
    change = format_percent(float(value)) if spec.kind == PERCENT else _whole(value)
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


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# --------------------------------------------------------------------------- table rows

TABLE_COLUMNS = ("zone", "indicator", "change", "value", "note")
CHANGE_KINDS = ("by %", "by", "to")


def intervention_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per intervention: zone, indicator (ids, comma-separated), change, value, note."""
    rows = []
    for item in scenario.interventions:
        if item.to is not None:
            change, value = "to", item.to
        elif item.percent is not None:
            change, value = "by %", item.percent
        else:
            change, value = "by", item.amount
        rows.append({
            "zone": ", ".join(item.zones),
            "indicator": ", ".join(item.indicators),
            "change": change,
            "value": float(value),
            "note": item.note,
        })
    return rows


def rows_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows as a table with the fixed columns (for ``st.data_editor``)."""
    frame = pd.DataFrame(list(rows), columns=list(TABLE_COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for column in ("zone", "indicator", "change", "note"):
        frame[column] = frame[column].astype("object")
    return frame


def apply_editor_state(rows: Sequence[Mapping[str, Any]], state: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Rows after the edits ``st.data_editor`` reports (edited_rows, added_rows, deleted_rows)."""
    out = [dict(row) for row in rows]
    state = state or {}
    for position, changes in (state.get("edited_rows") or {}).items():
        index = int(position)
        if 0 <= index < len(out):
            out[index].update(changes)
    deleted = {int(i) for i in (state.get("deleted_rows") or [])}
    out = [row for index, row in enumerate(out) if index not in deleted]
    for added in state.get("added_rows") or []:
        out.append({column: added.get(column) for column in TABLE_COLUMNS})
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _resolve_ids(text: Any, kind: str, package: DataPackage) -> Any:
    """Ids from a cell: ids or names (zh or en), comma-separated; unknown words kept for the validator."""
    if _blank(text):
        return None
    frame = package.zones if kind == "zone" else package.indicators
    by_name = {}
    for item_id in frame.index:
        for column in ("name_zh", "name_en"):
            name = frame.at[item_id, column]
            if isinstance(name, str) and name:
                by_name[name.strip().casefold()] = item_id
    parts = [part.strip() for part in re.split(r"[,，、;；]", str(text)) if part.strip()]
    ids = [by_name.get(part.casefold(), part) if part not in frame.index and part != "all" else part for part in parts]
    return ids[0] if len(ids) == 1 else ids


def rows_to_interventions(rows: Sequence[Mapping[str, Any]], package: DataPackage) -> list[dict[str, Any]]:
    """Table rows as the interventions of a scenario document (plain data, not yet validated).

    Empty rows are dropped; a blank change means ``by %``; a row with a missing
    field keeps the gap, so the validator names it (``interventions[2]: 'zone' is
    required``).
    """
    items = []
    for row in rows:
        if all(_blank(row.get(column)) for column in TABLE_COLUMNS):
            continue
        item: dict[str, Any] = {}
        zone = _resolve_ids(row.get("zone"), "zone", package)
        indicator = _resolve_ids(row.get("indicator"), "indicator", package)
        if zone is not None:
            item["zone"] = zone
        if indicator is not None:
            item["indicator"] = indicator
        change = str(row.get("change") or "").strip() or CHANGE_KINDS[0]
        value = row.get("value")
        if isinstance(value, str):
            try:
                value = float(value.strip().rstrip("%"))
            except ValueError:
                pass
        if not _blank(value):
            if change == "by %":
                item["by"] = format_percent(float(value)) if isinstance(value, (int, float)) else str(value)
            elif change in ("by", "to"):
                item[change] = _whole(value) if isinstance(value, (int, float)) and math.isfinite(value) else value
        if change not in CHANGE_KINDS:
            item["change"] = change  # reported as an unknown key, with the allowed ones
        note = row.get("note")
        if not _blank(note):
            item["note"] = str(note)
        items.append(item)
    return items


def with_interventions(scenario: Scenario, interventions: list[dict[str, Any]]) -> dict[str, Any]:
    """The scenario document with its interventions replaced."""
    document = scenario.to_dict()
    document["interventions"] = interventions
    return document
