"""Data packages (DESIGN section 3): load, validate, export.

A data package is a folder of CSV files (``indicators.csv``, ``groups.csv``,
``zones.csv``, ``baseline.csv``), an optional ``method.yaml`` (the default method and
the identity links) and, for the shipped data, ``published/`` (the paper's weights
and scores). Loading checks everything and reports every problem in one
:class:`~sim.errors.DataError`; a loaded :class:`DataPackage` is always valid.

Examples
--------
>>> from sim.data import load_package
>>> package = load_package()              # the shipped data/
>>> table = package.table(2020)           # zones x indicators
>>> result = package.score(2020)
>>> round(float(result.weights.sum()), 12)
1.0
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import DataError, SimError
from sim.links import Link, link_order, parse_links
from sim.method.options import METHOD_KEYS, Method, method_from_mapping
from sim.method.scoring import IndicatorMeta, ScoreTable, score_table
from sim.text import did_you_mean
from sim.yamlio import load_yaml

#: The shipped data package.
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data"

TABLE_FILES = ("indicators.csv", "groups.csv", "zones.csv", "baseline.csv")
OPTIONAL_FILES = ("method.yaml", "published/weights.csv", "published/scores.csv", "published/findings.yaml")
REQUIRED_COLUMNS = {
    "indicators.csv": ("id", "group", "name_zh", "name_en", "unit", "direction"),
    "groups.csv": ("id", "name_zh", "name_en"),
    "zones.csv": ("id", "name_zh", "name_en"),
    "baseline.csv": ("year", "zone", "indicator", "value"),
}
DIRECTIONS = ("benefit", "cost")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: Largest magnitude of a value: beyond it, differences of values could overflow.
MAX_ABS_VALUE = 1e15
#: Largest CSV file accepted (bytes); the shipped baseline is about 30 kB.
MAX_CSV_BYTES = 20_000_000
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


@dataclass(frozen=True, eq=False)
class DataPackage:
    """A validated data package.

    Attributes
    ----------
    indicators : pandas.DataFrame
        Indexed by id: group, name_zh, name_en, unit, direction, integer (bool),
        min, max (NaN = unbounded), plus any extra columns.
    groups, zones : pandas.DataFrame
        Indexed by id: name_zh, name_en (plus extra columns), in file order.
    baseline : pandas.DataFrame
        Long format: year (int), zone, indicator, value (float), source.
    method : Method
        The package's default method (``method.yaml``; DESIGN defaults otherwise).
    links : tuple of Link
        Identity links that always hold.
    published_weights : pandas.DataFrame or None
        Years x indicators, fractions summing to 1 per year.
    published_scores : pandas.DataFrame or None
        Long format: year, zone, score, rank.
    digest : str
        sha256 over the package's files, for provenance.
    root : Path or None
        The folder it was read from.
    """

    indicators: pd.DataFrame
    groups: pd.DataFrame
    zones: pd.DataFrame
    baseline: pd.DataFrame
    method: Method = Method()
    links: tuple[Link, ...] = ()
    published_weights: pd.DataFrame | None = None
    published_scores: pd.DataFrame | None = None
    digest: str = ""
    root: Path | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """Years in the baseline, ascending."""
        return sorted(int(y) for y in self.baseline["year"].unique())

    @property
    def indicator_ids(self) -> list[str]:
        return list(self.indicators.index)

    @property
    def zone_ids(self) -> list[str]:
        return list(self.zones.index)

    @cached_property
    def meta(self) -> IndicatorMeta:
        """Directions and groups, as the scorer needs them."""
        return IndicatorMeta(
            direction=self.indicators["direction"],
            group=self.indicators["group"],
            group_order=tuple(self.groups.index),
        )

    @cached_property
    def _tables(self) -> dict[int, pd.DataFrame]:
        wide = self.baseline.pivot(index=["year", "zone"], columns="indicator", values="value")
        out = {}
        for year in self.years:
            block = wide.loc[year]
            zones = [z for z in self.zone_ids if z in block.index]
            out[year] = block.loc[zones, self.indicator_ids].rename_axis(index="zone", columns="indicator")
        return out

    def table(self, year: int) -> pd.DataFrame:
        """The zones x indicators table of one year (a fresh copy, ids as labels).

        Raises
        ------
        DataError
            The year is not in the data.
        """
        self.check_year(year)
        return self._tables[int(year)].copy()

    def check_year(self, year: Any) -> int:
        """Return ``year`` as an int, or raise DataError naming the years there are."""
        try:
            as_int = int(year)
        except (TypeError, ValueError):
            as_int = None
        if as_int is None or as_int != year and str(as_int) != str(year) or as_int not in self.years:
            raise DataError(f"year {year!r} is not in the data; years available: {', '.join(map(str, self.years))}")
        return as_int

    def sources(self, year: int) -> pd.DataFrame:
        """The ``source`` text of every value of one year, zones x indicators."""
        rows = self.baseline[self.baseline["year"] == self.check_year(year)]
        return rows.pivot(index="zone", columns="indicator", values="source").loc[
            self.table(year).index, self.indicator_ids
        ]

    def published_weight_series(self, year: int) -> pd.Series | None:
        """The paper's weights for ``year`` (fractions), or None."""
        if self.published_weights is None or int(year) not in self.published_weights.index:
            return None
        return self.published_weights.loc[int(year)]

    def score(self, year: int, method: Method | None = None, values: pd.DataFrame | None = None) -> ScoreTable:
        """Score one year (or a modified table of that year) with a method.

        Parameters
        ----------
        year : int
        method : Method, optional
            Default: the package's method.
        values : pandas.DataFrame, optional
            A modified table for that year; default: the baseline table.
        """
        year = self.check_year(year)
        method = method or self.method
        baseline = self.table(year)
        return score_table(
            baseline if values is None else values,
            self.meta,
            method,
            reference=baseline,
            published_weights=self.published_weight_series(year),
            label=f"year {year}",
        )

    def name(self, kind: str, item_id: str, lang: str = "en") -> str:
        """Display name of a zone, indicator or group in ``lang`` (``zh`` or ``en``)."""
        frame = {"zone": self.zones, "indicator": self.indicators, "group": self.groups}[kind]
        column = "name_zh" if lang == "zh" else "name_en"
        value = frame.at[item_id, column] if item_id in frame.index else ""
        return str(value) if isinstance(value, str) and value else item_id

    def with_baseline(self, baseline: pd.DataFrame) -> DataPackage:
        """A package with another baseline table (validated again)."""
        return build_package(
            {
                "indicators.csv": _frame_to_rows(self.indicators.reset_index()),
                "groups.csv": _frame_to_rows(self.groups.reset_index()),
                "zones.csv": _frame_to_rows(self.zones.reset_index()),
                "baseline.csv": _frame_to_rows(baseline),
            },
            method_data={**self.method.to_dict(), "links": [link.to_dict() for link in self.links]},
            published=(self.published_weights, self.published_scores),
            root=self.root,
        )


def load_package(folder: str | Path | None = None) -> DataPackage:
    """Load and validate a data package folder (default: the shipped ``data/``).

    Raises
    ------
    DataError
        Listing every problem found, each naming the file, the line and the value.
    """
    root = Path(folder) if folder is not None else SHIPPED_DATA
    if not root.is_dir():
        raise DataError(f"data folder {root} does not exist (or is not a folder)")
    files: dict[str, bytes] = {}
    problems = []
    for name in (*TABLE_FILES, *OPTIONAL_FILES):
        path = root / name
        if not path.is_file():
            continue
        if path.stat().st_size > MAX_CSV_BYTES:
            problems.append(f"{name}: {path.stat().st_size:,} bytes is too large (at most {MAX_CSV_BYTES:,})")
            continue
        files[name] = path.read_bytes()
    if problems:
        raise DataError(problems, str(root))
    return package_from_files(files, source=str(root), root=root)


def package_from_files(files: Mapping[str, bytes], source: str = "upload", root: Path | None = None) -> DataPackage:
    """Validate a data package given as file contents (a folder, an upload, a zip).

    Parameters
    ----------
    files : mapping of str to bytes
        ``indicators.csv``, ``groups.csv``, ``zones.csv``, ``baseline.csv`` and
        optionally ``method.yaml``, ``published/weights.csv``, ``published/scores.csv``.
    source : str
        Named in messages (a folder path, "upload").
    root : Path, optional
        The folder, when there is one.

    Raises
    ------
    DataError
        Listing every problem found, each naming the file, the line and the value.
    """
    problems = [f"{name}: missing from {source}" for name in TABLE_FILES if name not in files]
    problems += [
        f"{name}: {len(data):,} bytes is too large (at most {MAX_CSV_BYTES:,})"
        for name, data in files.items()
        if len(data) > MAX_CSV_BYTES
    ]
    if problems:
        raise DataError(problems, source)
    tables = {}
    for name in TABLE_FILES:
        try:
            tables[name] = read_csv_rows(files[name], name)
        except DataError as exc:
            problems.extend(exc.problems)
    method_data = None
    if "method.yaml" in files:
        try:
            method_data, _ = load_yaml(files["method.yaml"], "method.yaml", DataError)
        except DataError as exc:
            problems.append(str(exc))
    published = _published(files, problems)
    if problems:
        raise DataError(problems, source)
    digest = hashlib.sha256()
    for name in sorted(n for n in files if n in (*TABLE_FILES, *OPTIONAL_FILES)):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return build_package(tables, method_data, published, root=root, digest=digest.hexdigest())


def decode_text(data: bytes, name: str) -> str:
    """Decode a CSV file as Excel and other tools save it.

    UTF-8 (with or without BOM) is tried first, since valid UTF-8 is almost never
    anything else; then UTF-16 with a BOM (Excel's "Unicode text"); then GB18030,
    the superset of GBK that Chinese Excel writes by default.

    Raises
    ------
    DataError
        None of those decode the bytes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    failures = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(exc.start)
    # The encoding that decoded further is the likelier intended one, so its first
    # bad byte is the one worth pointing at.
    position = max(failures)
    line = data.count(b"\n", 0, position) + 1
    raise DataError(
        f"{name}: line {line}: byte 0x{data[position]:02x} (at offset {position}) is valid in neither UTF-8 "
        "nor GBK/GB18030; save the file as 'CSV UTF-8'"
    )


def read_csv_rows(data: bytes | str, name: str) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of stripped strings (header names lower-cased).

    Raises
    ------
    DataError
        Undecodable text, an empty file, a missing or duplicated header.
    """
    text = decode_text(data, name) if isinstance(data, bytes) else data
    if "\x00" in text:
        raise DataError(f"{name}: the file contains NUL bytes; it is not a CSV text file")
    if not text.strip():
        raise DataError(f"{name}: the file is empty; expected a header row and data rows")
    first_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
        header = [h.strip().lower() for h in next(reader)]
        rows = []
        for line_number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise DataError(f"{name}: line {line_number} has {len(cells)} cells but the header has {len(header)}")
            row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            row["_line"] = str(line_number)
            rows.append(row)
    except csv.Error as exc:
        raise DataError(f"{name}: not a readable CSV file ({exc})") from None
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise DataError(f"{name}: the header repeats {', '.join(duplicated)}")
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in header]
    if missing:
        raise DataError(
            f"{name}: missing column(s) {', '.join(missing)}; the header must have {', '.join(REQUIRED_COLUMNS[name])}"
        )
    return rows


def build_package(
    tables: Mapping[str, list[dict[str, str]]],
    method_data: Any = None,
    published: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
    root: Path | None = None,
    digest: str = "",
) -> DataPackage:
    """Validate parsed tables and build a :class:`DataPackage`.

    This is the one place data is checked, whatever it came from (a folder, an
    uploaded Excel workbook, a table edited in the app).

    Raises
    ------
    DataError
        Every problem, each naming file, line and value.
    """
    problems: list[str] = []
    groups = _id_table(tables["groups.csv"], "groups.csv", problems)
    zones = _id_table(tables["zones.csv"], "zones.csv", problems)
    indicators = _indicator_table(tables["indicators.csv"], list(groups.index), problems)
    baseline = _baseline_table(tables["baseline.csv"], list(zones.index), indicators, problems)
    method, links = Method(), ()
    if method_data is not None:
        method, links = _method_and_links(method_data, list(indicators.index), problems)
    if problems:
        raise DataError(problems, str(root) if root else None)
    if not digest:
        digest = hashlib.sha256(
            pd.util.hash_pandas_object(baseline, index=False).to_numpy().tobytes()
        ).hexdigest()
    return DataPackage(
        indicators=indicators,
        groups=groups,
        zones=zones,
        baseline=baseline,
        method=method,
        links=tuple(links),
        published_weights=published[0],
        published_scores=published[1],
        digest=digest,
        root=root,
    )


def _id_table(rows: list[dict[str, str]], name: str, problems: list[str]) -> pd.DataFrame:
    seen: dict[str, str] = {}
    for row in rows:
        item = row["id"]
        if not ID_PATTERN.match(item):
            problems.append(f"{name}: line {row['_line']}: id {item!r} must be snake_case ASCII (a-z, 0-9, _)")
        elif item in seen:
            problems.append(f"{name}: line {row['_line']}: duplicate id {item!r} (first on line {seen[item]})")
        seen.setdefault(item, row["_line"])
    if not rows:
        problems.append(f"{name}: no rows; at least one is needed")
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "_line"} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=["name_zh", "name_en"], index=pd.Index([], name="id"))
    return frame.drop_duplicates("id").set_index("id")


def _indicator_table(rows: list[dict[str, str]], group_ids: list[str], problems: list[str]) -> pd.DataFrame:
    name = "indicators.csv"
    frame = _id_table(rows, name, problems)
    lines = {r["id"]: r["_line"] for r in reversed(rows)}
    integer, lower, upper = [], [], []
    for item, row in frame.iterrows():
        at = f"{name}: line {lines[item]} ({item})"
        if row["group"] not in group_ids:
            problems.append(f"{at}: unknown group {row['group']!r}{did_you_mean(row['group'], group_ids)}")
        if row["direction"] not in DIRECTIONS:
            problems.append(f"{at}: direction {row['direction']!r} is not allowed; allowed: benefit, cost")
        flag = str(row.get("integer", "") if "integer" in row else "").strip().lower()
        if flag not in _TRUE | _FALSE:
            problems.append(f"{at}: integer {flag!r} must be true or false")
        integer.append(flag in _TRUE)
        bounds = []
        for key in ("min", "max"):
            text = str(row.get(key, "")) if key in row else ""
            number = _number(text)
            if text and (number is None or not math.isfinite(number)):
                problems.append(f"{at}: {key} {text!r} must be a number or blank")
                number = None
            bounds.append(np.nan if number is None else number)
        if not any(np.isnan(bounds)) and bounds[0] > bounds[1]:
            problems.append(f"{at}: min {bounds[0]:g} is above max {bounds[1]:g}")
        lower.append(bounds[0])
        upper.append(bounds[1])
    frame = frame.copy()
    frame["integer"] = integer
    frame["min"] = lower
    frame["max"] = upper
    return frame


def _baseline_table(
    rows: list[dict[str, str]], zone_ids: list[str], indicators: pd.DataFrame, problems: list[str]
) -> pd.DataFrame:
    name = "baseline.csv"
    records = []
    seen: dict[tuple, str] = {}
    # Rows that are present but whose value is bad: already reported, so not "missing" too.
    reported_values: set[tuple] = set()
    indicator_ids = list(indicators.index)
    for row in rows:
        at = f"{name}: line {row['_line']}"
        year = _number(row["year"])
        zone, indicator, text = row["zone"], row["indicator"], row["value"]
        bad = False
        if year is None or not float(year).is_integer():
            problems.append(f"{at}: year {row['year']!r} is not a whole number")
            bad = True
        if zone not in zone_ids:
            problems.append(f"{at}: unknown zone {zone!r}{did_you_mean(zone, zone_ids)}")
            bad = True
        if indicator not in indicator_ids:
            problems.append(f"{at}: unknown indicator {indicator!r}{did_you_mean(indicator, indicator_ids)}")
            bad = True
        value = _number(text)
        if value is None:
            what = "missing" if not text else f"{text!r} is not a number"
            problems.append(f"{at}: zone {zone}, indicator {indicator}, year {row['year']}: value {what}")
            bad = True
        elif not math.isfinite(value):
            problems.append(f"{at}: zone {zone}, indicator {indicator}, year {row['year']}: value {text} is not finite")
            bad = True
        if bad:
            if year is not None and float(year).is_integer():
                reported_values.add((int(year), zone, indicator))
            continue
        key = (int(year), zone, indicator)
        if key in seen:
            problems.append(f"{at}: a second value for zone {zone}, indicator {indicator}, year {int(year)} "
                            f"(first on line {seen[key]})")
            continue
        seen[key] = row["_line"]
        meta = indicators.loc[indicator]
        problems.extend(f"{at}: zone {zone}, year {int(year)}: {p}" for p in range_problems(indicator, meta, value))
        records.append({"year": int(year), "zone": zone, "indicator": indicator, "value": value,
                        "source": row.get("source", "")})
    if not rows:
        problems.append(f"{name}: no rows; at least one year of values is needed")
    frame = pd.DataFrame(records, columns=["year", "zone", "indicator", "value", "source"])
    for (year, zone), block in frame.groupby(["year", "zone"], sort=False):
        present = set(block["indicator"])
        missing = [i for i in indicator_ids if i not in present and (year, zone, i) not in reported_values]
        if missing:
            shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
            problems.append(f"{name}: zone {zone}, year {year}: value missing for {shown}")
    for year, block in frame.groupby("year"):
        if block["zone"].nunique() < 2:
            problems.append(f"{name}: year {year} has {block['zone'].nunique()} zone(s); the method needs at least 2")
    return frame


def range_problems(indicator: str, meta: Mapping[str, Any], value: float) -> list[str]:
    """Why ``value`` is not a valid value of ``indicator`` (empty list when it is).

    Checks that it is finite and not astronomically large, the indicator's
    ``min``/``max`` and, for counts, that it is whole.
    """
    problems = []
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        return [f"{indicator} = {value:g} is out of the range this tool handles (|value| <= {MAX_ABS_VALUE:g})"]
    if meta["integer"] and not float(value).is_integer():
        problems.append(f"{indicator} = {value:g} must be a whole number (a count)")
    if not np.isnan(meta["min"]) and value < meta["min"]:
        problems.append(f"{indicator} = {value:g} is below its minimum {meta['min']:g}")
    if not np.isnan(meta["max"]) and value > meta["max"]:
        problems.append(f"{indicator} = {value:g} is above its maximum {meta['max']:g}")
    return problems


def _method_and_links(data: Any, indicator_ids: list[str], problems: list[str]) -> tuple[Method, list[Link]]:
    if not isinstance(data, Mapping):
        problems.append("method.yaml: expected a mapping of method options and links")
        return Method(), []
    method = Method()
    options = {k: v for k, v in data.items() if k in METHOD_KEYS}
    unknown = [k for k in data if k not in METHOD_KEYS and k not in ("links", "note")]
    for key in unknown:
        problems.append(f"method.yaml: unknown key {key!r}{did_you_mean(key, METHOD_KEYS + ('links', 'note'))}")
    try:
        method = method_from_mapping(options, where="method.yaml")
    except SimError as exc:
        problems.extend(exc.problems)
    links, link_problems = parse_links(data.get("links"), indicator_ids, "method.yaml: links", origin="data")
    problems.extend(link_problems)
    ordered, cycle = link_order(links)
    if ordered is None:
        problems.append(f"method.yaml: links form a cycle: {' -> '.join(cycle)}")
    return method, links


def _published(files: Mapping[str, bytes], problems: list[str]):
    """The paper's weights (fractions) and scores, when the package ships them."""
    weights = scores = None
    try:
        if "published/weights.csv" in files:
            frame = pd.DataFrame(read_csv_rows(files["published/weights.csv"], "published/weights.csv"))
            frame["weight_pct"] = pd.to_numeric(frame["weight_pct"], errors="raise")
            wide = frame.pivot(index="year", columns="indicator", values="weight_pct")
            wide.index = wide.index.astype(int)
            weights = wide.div(wide.sum(axis=1), axis=0)
        if "published/scores.csv" in files:
            frame = pd.DataFrame(read_csv_rows(files["published/scores.csv"], "published/scores.csv"))
            scores = frame.assign(
                year=frame["year"].astype(int), score=frame["score"].astype(float), rank=frame["rank"].astype(int)
            )[["year", "zone", "score", "rank"]]
    except (DataError, KeyError, ValueError) as exc:
        problems.append(f"published/: cannot read the published weights or scores ({exc})")
    return weights, scores


def _number(text: str) -> float | None:
    try:
        return float(text) if str(text).strip() else None
    except ValueError:
        return None


def _frame_to_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for position, record in enumerate(frame.to_dict("records"), start=2):
        row = {str(k): ("" if _blank(v) else _text(v)) for k, v in record.items()}
        row["_line"] = str(position)
        rows.append(row)
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)
