"""The checks of a data package's four tables, on whole columns (DESIGN section 3).

:func:`sim.data.build_package` runs them on tables of text (see :mod:`sim.csvfiles`):
ids, groups, zones, indicators and the long baseline. Every check is vectorised, so a
baseline of 500,000 rows is checked in about a second, and each kind of problem is
written out for the first rows only (:class:`sim.errors.Problems` counts the rest).
Zones, indicators and years become integer codes, so that finding repeated and
missing values costs a few arrays of integers, not a Python object per row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.csvfiles import LINE
from sim.errors import Problems
from sim.messages import Message, Ref, msg
from sim.text import did_you_mean, options_text, shown
from sim.values import number_hint, parse_numbers

DIRECTIONS = ("benefit", "cost")
ID_TEXT = r"[a-z][a-z0-9_]*"
#: Largest magnitude of a value: beyond it, differences of values could overflow.
MAX_ABS_VALUE = 1e15
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


@dataclass(frozen=True)
class Locator:
    """How messages name a place in a table: ``baseline.csv: line 5`` or ``sheet 'baseline', row 5``."""

    line_key: str = "data.at_line"
    file_key: str = "data.at_file"

    def line(self, name: str, line: int) -> Message:
        return msg(self.line_key, name=self._name(name), line=int(line))

    def file(self, name: str) -> Message:
        return msg(self.file_key, name=self._name(name))

    def _name(self, name: str) -> str:
        return name if self.file_key == "data.at_file" else name.removesuffix(".csv")


CSV_PLACES = Locator()
SHEET_PLACES = Locator("data.at_row", "data.at_sheet")


def range_problems(indicator: str, meta: Mapping[str, Any], value: float) -> list[Message]:
    """Why ``value`` is not a valid value of ``indicator`` (empty list when it is).

    Checks that it is finite and not astronomically large, the indicator's
    ``min``/``max`` and, for counts, that it is whole. (:func:`out_of_range` applies the
    same tests to whole columns.)
    """
    problems = []
    named = Ref("indicator", indicator)
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        return [msg("engine.range_unhandled", indicator=named, value=value, limit=MAX_ABS_VALUE)]
    if meta["integer"] and not float(value).is_integer():
        problems.append(msg("data.not_whole", indicator=named, value=value))
    if not np.isnan(meta["min"]) and value < meta["min"]:
        problems.append(msg("engine.range_below", indicator=named, value=value, bound=float(meta["min"])))
    if not np.isnan(meta["max"]) and value > meta["max"]:
        problems.append(msg("engine.range_above", indicator=named, value=value, bound=float(meta["max"])))
    return problems


def out_of_range(value: np.ndarray, integer: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Where :func:`range_problems` finds a problem, for columns of values and their
    indicators' ``integer``, ``min`` and ``max``."""
    with np.errstate(invalid="ignore"):
        huge = ~(np.abs(value) <= MAX_ABS_VALUE)
        return huge | (integer & (value != np.floor(value))) | (value < low) | (value > high)


def id_table(frame: pd.DataFrame, name: str, problems: Problems, places: Locator) -> pd.DataFrame:
    """The table indexed by its ``id`` column; malformed and repeated ids are problems."""
    ids = frame["id"] if "id" in frame else pd.Series([""] * len(frame), dtype=str)
    lines = frame[LINE].to_numpy()
    malformed = ~ids.str.fullmatch(ID_TEXT).to_numpy(dtype=bool, na_value=False)
    repeated = ids.duplicated(keep="first").to_numpy() & ~malformed
    problems.each(np.flatnonzero(malformed), lambda i: msg(
        "data.bad_id", where=places.line(name, lines[i]), id=shown(ids.iat[i])))
    if repeated.any():
        first = frame.groupby("id", sort=False)[LINE].transform("first").to_numpy()
        problems.each(np.flatnonzero(repeated), lambda i: msg(
            "data.duplicate_id", where=places.line(name, lines[i]), id=shown(ids.iat[i]), first=int(first[i])))
    if frame.empty:
        problems.append(msg("data.no_rows", where=places.file(name)))
        return pd.DataFrame(columns=["name_zh", "name_en"], index=pd.Index([], name="id"))
    return frame.drop(columns=LINE).drop_duplicates("id").set_index("id")


def indicator_table(frame: pd.DataFrame, group_ids: list[str], problems: Problems, places: Locator) -> pd.DataFrame:
    """The indicators indexed by id, with ``integer`` (bool), ``min`` and ``max`` (NaN: unbounded)."""
    name = "indicators.csv"
    table = id_table(frame, name, problems, places)
    lines = frame.drop_duplicates("id").set_index("id")[LINE] if "id" in frame else pd.Series(dtype=int)

    def at(item: str) -> Message:
        return msg("data.at_item", where=places.line(name, lines[item]), item=item)

    def column(key: str) -> pd.Series:
        return table[key].astype(str) if key in table else pd.Series("", index=table.index, dtype=str)

    group, direction = column("group"), column("direction")
    problems.each(table.index[~group.isin(group_ids).to_numpy()], lambda i: msg(
        "data.unknown_group", where=at(i), value=shown(group[i]), hint=did_you_mean(group[i], group_ids)))
    problems.each(table.index[~direction.isin(DIRECTIONS).to_numpy()], lambda i: msg(
        "data.bad_direction", where=at(i), value=shown(direction[i]), options=options_text(DIRECTIONS)))
    flag = column("integer").str.strip().str.lower()
    problems.each(table.index[~flag.isin(_TRUE | _FALSE).to_numpy()], lambda i: msg(
        "data.bad_integer_flag", where=at(i), value=shown(flag[i])))
    bounds = {}
    for key in ("min", "max"):
        text = column(key)
        number, is_number = parse_numbers(text)
        bad = (text != "").to_numpy() & ~(is_number & np.isfinite(number))
        problems.each(table.index[bad], lambda i, key=key, text=text: msg(
            "data.bad_bound", where=at(i), bound=key, text=shown(text[i]), hint=number_hint(text[i])))
        bounds[key] = np.where(bad | ~is_number, np.nan, number)
    low, high = pd.Series(bounds["min"], index=table.index), pd.Series(bounds["max"], index=table.index)
    problems.each(table.index[bounds["min"] > bounds["max"]], lambda i: msg(
        "data.min_above_max", where=at(i), low=low[i], high=high[i]))
    table = table.copy()
    table["integer"] = flag.isin(_TRUE).to_numpy()
    table["min"] = bounds["min"]
    table["max"] = bounds["max"]
    return table


class _Found:
    """Problems of the baseline as ``(line, problem)``, each kind written out for the first
    rows only, given to :class:`Problems` in line order."""

    def __init__(self, problems: Problems, lines: np.ndarray):
        self.problems, self.lines, self.items = problems, lines, []

    def report(self, mask: np.ndarray, message: Callable[[int], Any]) -> None:
        positions = np.flatnonzero(mask)
        room = max(self.problems.limit - len(self.items), 0)
        self.items.extend((int(self.lines[i]), message(int(i))) for i in positions[:room])
        self.problems.omitted += max(len(positions) - room, 0)

    def flush(self) -> None:
        self.items.sort(key=lambda pair: pair[0])
        self.problems.extend(problem for _, problem in self.items)


def baseline_table(
    frame: pd.DataFrame, zone_ids: list[str], indicators: pd.DataFrame, problems: Problems, places: Locator
) -> pd.DataFrame:
    """The long baseline (year, zone, indicator, value, source), every row checked:
    year, zone and indicator known, value a finite number within the indicator's
    range, no value given twice, no value missing, at least two zones a year."""
    name = "baseline.csv"
    indicator_ids = list(indicators.index)
    lines = frame[LINE].to_numpy()
    year_text, zone, indicator, value_text = (frame[key] for key in ("year", "zone", "indicator", "value"))
    source = frame["source"] if "source" in frame else pd.Series("", index=frame.index, dtype=str)
    found = _Found(problems, lines)

    def at(i: int) -> Message:
        return places.line(name, lines[i])

    year, year_is_number = parse_numbers(year_text)
    year_ok = year_is_number & _whole(year)
    zone_code, indicator_code = codes_of(zone, zone_ids), codes_of(indicator, indicator_ids)
    value, value_is_number = parse_numbers(value_text)
    value_ok = value_is_number & np.isfinite(value)
    found.report(~year_ok, lambda i: msg(
        "data.bad_year", where=at(i), text=shown(year_text.iat[i]), hint=number_hint(year_text.iat[i])))
    found.report(zone_code < 0, lambda i: msg(
        "data.unknown_zone", where=at(i), value=shown(zone.iat[i]), hint=did_you_mean(zone.iat[i], zone_ids)))
    found.report(indicator_code < 0, lambda i: msg(
        "data.unknown_indicator", where=at(i), value=shown(indicator.iat[i]),
        hint=did_you_mean(indicator.iat[i], indicator_ids)))

    def bad_value(i: int) -> Message:
        text = value_text.iat[i]
        where = msg("data.at_cell", where=at(i), zone=zone.iat[i], indicator=indicator.iat[i], year=year_text.iat[i])
        if not text:
            return msg("data.value_missing", where=where)
        if value_is_number[i] and not any(ch.isdigit() for ch in text):
            return msg("data.value_not_finite", where=where, text=shown(text, 40))
        if value_is_number[i]:  # digits beyond a float's range
            return msg("data.value_out_of_range", where=where, text=shown(text, 40), limit=MAX_ABS_VALUE)
        return msg("data.value_not_number", where=where, text=shown(text), hint=number_hint(text))

    found.report(~value_ok, bad_value)
    # A year Python would read ("２０１９") is refused above; its row still counts as present,
    # so that its cells are not reported missing as well.
    year = _lenient_years(year_text, year, year_ok)
    known = _whole(year) & (zone_code >= 0) & (indicator_code >= 0)
    good = known & value_ok & year_ok
    years = np.where(_whole(year), year, 0).astype(np.int64)
    cells = _Cells(years, zone_code, indicator_code, len(zone_ids), len(indicator_ids))
    # A value given twice: the second and later ones, against the first.
    repeated, first = _repeated(cells.key, good, lines)
    if repeated.any():
        found.report(repeated, lambda i: msg(
            "data.second_value", where=at(i), zone=zone.iat[i], indicator=indicator.iat[i], year=int(years[i]),
            first=int(first[i])))
    kept = good & ~repeated
    # Each indicator's integer/min/max, plus a last entry (no bounds) for rows without one.
    meta = {key: np.append(indicators[key].to_numpy(dtype=float if key != "integer" else bool), blank)
            for key, blank in (("integer", False), ("min", np.nan), ("max", np.nan))}
    codes = np.where(kept, indicator_code, -1)
    flagged = kept & out_of_range(value, meta["integer"][codes], meta["min"][codes], meta["max"][codes])
    found.report(flagged, lambda i: msg("data.range_at", where=at(i), zone=zone.iat[i], year=int(years[i]), problem=[
        *range_problems(indicator.iat[i], indicators.loc[indicator.iat[i]], float(value[i]))]))
    found.flush()
    if not len(frame):
        problems.append(msg("data.no_values", where=places.file(name)))
    # Cells present with a bad value are reported already: not "missing" as well.
    cells.missing(kept, known & ~good, zone_ids, indicator_ids, problems, places.file(name))
    if problems:  # the package is refused: no table to build
        return pd.DataFrame(columns=["year", "zone", "indicator", "value", "source"])
    table = pd.DataFrame({"year": years, "zone": zone, "indicator": indicator, "value": value, "source": source})
    table["source"] = table["source"].astype(str)
    return table


def _whole(year: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(year) & (np.abs(year) < 1e9) & (year == np.floor(year))


def _lenient_years(texts: pd.Series, year: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``year`` with the refused years Python's ``float()`` reads anyway (other scripts'
    digits, underscores) filled in, for telling present cells from missing ones only."""
    year = year.copy()
    for i in np.flatnonzero(~ok)[:MAX_LENIENT]:
        try:
            year[i] = float(texts.iat[i])
        except (ValueError, OverflowError):
            continue
    return year


#: Refused years looked at again (beyond that, their cells may be reported missing too).
MAX_LENIENT = 1_000


def codes_of(texts: pd.Series, ids: list[str]) -> np.ndarray:
    """The position of each text in ``ids`` (-1 when absent), by Arrow's hash lookup:
    no Python string is made for the rows."""
    found = pc.index_in(pa.chunked_array(pa.array(texts, type=pa.string())), value_set=pa.array(ids, type=pa.string()))
    return found.fill_null(-1).to_numpy().astype(np.int64)


def _repeated(key: np.ndarray, among: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (of ``among``) whose ``key`` an earlier row has, and that first row's line (by sorting,
    which costs two integer arrays, where a hash table of 500,000 keys costs tens of MB)."""
    rows = np.flatnonzero(among)
    order = rows[np.argsort(key[rows], kind="stable")]
    same = key[order[1:]] == key[order[:-1]]
    repeated = np.zeros(len(key), dtype=bool)
    first = np.zeros(len(key), dtype=np.int64)
    if same.any():
        starts = np.r_[True, ~same]
        group_first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
        repeated[order[1:][same]] = True
        first[order] = lines[group_first]
    return repeated, first


class _Cells:
    """Each row's cell (year, zone, indicator) as integer codes and one combined key."""

    def __init__(self, years, zone_code, indicator_code, zones: int, indicators: int):
        self.year_values, self.year_code = np.unique(years, return_inverse=True)
        self.zone_code, self.indicator_code = zone_code, indicator_code
        self.zones, self.indicators = max(zones, 1), max(indicators, 1)
        self.block = self.year_code.astype(np.int64) * self.zones + np.maximum(zone_code, 0)  # (year, zone)
        if len(self.year_values) * self.zones * self.indicators < 2**62:
            self.key = self.block * self.indicators + np.maximum(indicator_code, 0)
        else:  # too many combinations for one int64: number the distinct triples instead
            triples = pd.MultiIndex.from_arrays([self.year_code, zone_code, indicator_code])
            self.key = triples.factorize()[0].astype(np.int64)

    def missing(self, kept, reported, zone_ids, indicator_ids, problems: Problems, where: Message) -> None:
        """A problem per (year, zone) lacking some indicator; a problem per year with fewer than 2 zones."""
        blocks, counts = np.unique(self.block[kept], return_counts=True)
        short = blocks[counts < len(indicator_ids)][: problems.limit]
        if len(short):
            rows = np.flatnonzero((kept | reported) & np.isin(self.block, short))
            rows = rows[np.argsort(self.block[rows], kind="stable")]
            bounds = np.searchsorted(self.block[rows], short, side="left"), np.searchsorted(
                self.block[rows], short, side="right")
            for block, start, end in zip(short, *bounds):
                have = np.zeros(len(indicator_ids), dtype=bool)
                have[self.indicator_code[rows[start:end]]] = True
                missing = [indicator_ids[i] for i in np.flatnonzero(~have)]
                if missing:
                    year, zone = self.year_values[block // self.zones], zone_ids[block % self.zones]
                    more = msg("data.and_more", count=len(missing) - 8) if len(missing) > 8 else ""
                    problems.append(msg("data.values_missing", where=where, zone=zone, year=int(year),
                                        ids=[msg("text.option", option=i) for i in missing[:8]], more=more))
        problems.omitted += max(int((counts < len(indicator_ids)).sum()) - problems.limit, 0)
        year_codes, zones_per_year = np.unique(blocks // self.zones, return_counts=True)
        for code, count in zip(year_codes, zones_per_year):
            if count < 2:
                problems.append(msg("data.too_few_zones", where=where, year=int(self.year_values[code]), count=int(count)))
