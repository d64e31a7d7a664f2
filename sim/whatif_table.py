"""The interventions table of the app's what-if view: every intervention as an editable row, and back.

Every intervention is one row (zone, indicator, change, value, note). Rows are
turned into the same plain data a YAML file holds and are validated by
:func:`sim.scenario.scenario_from_dict`, so the table refuses exactly what a file
would. The app shows the rows with names in its language (:func:`display_rows`,
drop-downs from :func:`table_options`) and reads them back with
:func:`rows_from_display`; a cell may hold ids or names (zh or en).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.data import DataPackage
from sim.i18n import t
from sim.scenario import Scenario, format_percent


def whole_number(value: float) -> int | float:
    """``3`` for 3.0 (a file says ``by: 3``), the float otherwise."""
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


def blank(value: Any) -> bool:
    """Whether a cell is empty: None, NaN or blank text."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _resolve_ids(text: Any, kind: str, package: DataPackage) -> Any:
    """Ids from a cell: ids or names (zh or en), comma-separated; unknown words kept for the validator."""
    if blank(text):
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
        if all(blank(row.get(column)) for column in TABLE_COLUMNS):
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
        if not blank(value):
            if change == "by %":
                item["by"] = format_percent(float(value)) if isinstance(value, (int, float)) else str(value)
            elif change in ("by", "to"):
                item[change] = whole_number(value) if isinstance(value, (int, float)) and math.isfinite(value) else value
        if change not in CHANGE_KINDS:
            item["change"] = change  # reported as an unknown key, with the allowed ones
        note = row.get("note")
        if not blank(note):
            item["note"] = str(note)
        items.append(item)
    return items


def with_interventions(scenario: Scenario, interventions: list[dict[str, Any]]) -> dict[str, Any]:
    """The scenario document with its interventions replaced."""
    document = scenario.to_dict()
    document["interventions"] = interventions
    return document


# --------------------------------------------------------------------------- table rows with names

#: The change kinds as the app's table shows them (catalogue keys in ui.yaml).
CHANGE_LABEL_KEYS = {"by %": "change_by_percent", "by": "change_by", "to": "change_to"}


def _names(package: DataPackage, kind: str, ids: str, lang: str) -> str:
    if ids == "all":
        return t("all_zones", lang)
    return ", ".join(package.name(kind, item, lang) for item in ids.split(", "))


def display_rows(rows: Sequence[Mapping[str, Any]], package: DataPackage, lang: str) -> list[dict[str, Any]]:
    """Rows of :func:`intervention_rows` with names in ``lang`` instead of ids (for the app's table)."""
    out = []
    for row in rows:
        shown = dict(row)
        shown["zone"] = _names(package, "zone", row["zone"], lang)
        shown["indicator"] = _names(package, "indicator", row["indicator"], lang)
        shown["change"] = t(CHANGE_LABEL_KEYS[row["change"]], lang) if row["change"] in CHANGE_LABEL_KEYS else row["change"]
        out.append(shown)
    return out


def table_options(package: DataPackage, lang: str, rows: Sequence[Mapping[str, Any]] = ()) -> dict[str, list[str]]:
    """Drop-down choices of the table's zone, indicator and change columns, in ``lang``.

    Single zones and indicators by name, "all zones", and any multi-item cell already
    in ``rows`` (from a file), so every row shows what it holds.
    """
    zones = [package.name("zone", z, lang) for z in package.zone_ids] + [t("all_zones", lang)]
    indicators = [package.name("indicator", i, lang) for i in package.indicator_ids]
    for row in rows:
        if row.get("zone") and row["zone"] not in zones:
            zones.append(row["zone"])
        if row.get("indicator") and row["indicator"] not in indicators:
            indicators.append(row["indicator"])
    changes = [t(key, lang) for key in CHANGE_LABEL_KEYS.values()]
    return {"zone": zones, "indicator": indicators, "change": changes}


def rows_from_display(rows: Sequence[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The table's rows back in the terms :func:`rows_to_interventions` reads (names resolve there)."""
    kinds = {t(key, lang): kind for kind, key in CHANGE_LABEL_KEYS.items()}
    everywhere = t("all_zones", lang)
    out = []
    for row in rows:
        plain = dict(row)
        if isinstance(plain.get("zone"), str) and plain["zone"].strip() == everywhere:
            plain["zone"] = "all"
        change = plain.get("change")
        if isinstance(change, str) and change in kinds:
            plain["change"] = kinds[change]
        out.append(plain)
    return out


# --------------------------------------------------------------------------- messages about interventions

#: The catalogue keys by which the library names an intervention (``interventions[0] (line 12)``).
INTERVENTION_KEYS = ("engine.intervention", "engine.intervention_line")


def numbered_interventions(message: Any) -> Any:
    """``message`` with every intervention named by its number in the scenario, counted from 1.

    The library names an intervention as its scenario file does (``interventions[0]
    (line 12)``): right for a file, but in the app a person sees the interventions as
    rows of a table (numbered from 1), and a scenario edited in the app has no lines.
    Nested messages (a warning's parameters, a list of causes) are rewritten too; any
    other text is returned as it is.

    Examples
    --------
    >>> from sim.messages import msg
    >>> warning = msg("engine.caused_by", causes=[msg("engine.intervention_line", index=0, line=12)])
    >>> numbered_interventions(warning).render("zh")
    '由 第 1 项干预 造成'
    """
    from sim.messages import Message, msg

    if isinstance(message, Message):
        if message.key in INTERVENTION_KEYS:
            return msg("ui.intervention_number", number=int(message.params["index"]) + 1)
        return msg(message.key, **{name: numbered_interventions(value) for name, value in message.params.items()})
    if isinstance(message, (list, tuple)):
        return type(message)(numbered_interventions(item) for item in message)
    return message
