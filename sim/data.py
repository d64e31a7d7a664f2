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

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.csvfiles import (
    decode_text,
    frame_from_rows,
    read_csv_rows,
    read_csv_table,
    text_cells_problems,
)
from sim.errors import MAX_KEPT, DataError, Problems, SimError
from sim.links import Link, link_order, parse_links
from sim.atomic import os_reason
from sim.messages import Chain, Ref, msg
from sim.method.options import METHOD_KEYS, Method, method_from_mapping
from sim.method.scoring import IndicatorMeta, ScoreTable, score_table
from sim.tables import (
    CSV_PLACES,
    DIRECTIONS,
    ID_TEXT,
    MAX_ABS_VALUE,
    SHEET_PLACES,
    Locator,
    baseline_table,
    id_table,
    indicator_table,
    range_problems,
)
from sim.text import did_you_mean, printable, shown, text_problem, texts_in
from sim.yamlio import load_yaml, located

__all__ = ["CSV_PLACES", "DIRECTIONS", "MAX_ABS_VALUE", "SHEET_PLACES", "DataPackage", "build_package", "decode_text",
           "load_package", "package_from_files", "range_problems", "read_csv_rows"]

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
ID_PATTERN = re.compile(f"^{ID_TEXT}$")
#: Largest CSV file accepted (bytes); the shipped baseline is about 30 kB.
MAX_CSV_BYTES = 20_000_000
#: Most links a method.yaml or a scenario may declare.
MAX_LINKS = 10_000


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
        return list(self._ids["indicator"])

    @property
    def zone_ids(self) -> list[str]:
        return list(self._ids["zone"])

    @cached_property
    def _ids(self) -> dict[str, tuple[str, ...]]:
        # Read once: iterating an Arrow-backed index costs a microsecond per id, and the
        # validators ask for the ids once per intervention.
        return {"indicator": tuple(self.indicators.index), "zone": tuple(self.zones.index)}

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
            raise DataError(msg("data.year_not_in_data", year=shown(year), years=", ".join(map(str, self.years))))
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
            label=msg("method.year_label", year=year),
        )

    def name(self, kind: str, item_id: str, lang: str = "en", short: bool = False) -> str:
        """Display name of a zone, indicator or group in ``lang`` (``zh`` or ``en``).

        ``short=True`` gives the optional ``short_zh``/``short_en`` column (zones: 苏南,
        Sunan) where a package has it, else the full name. An id the package lacks is
        shown as it is.
        """
        frame = {"zone": self.zones, "indicator": self.indicators, "group": self.groups}[kind]
        if item_id not in frame.index:
            return item_id
        suffix = "zh" if lang == "zh" else "en"
        for column in ((f"short_{suffix}",) if short else ()) + (f"name_{suffix}",):
            value = frame.at[item_id, column] if column in frame.columns else ""
            if isinstance(value, str) and value.strip():
                return value
        return item_id

    def unit(self, indicator: str, lang: str = "en") -> str:
        """The unit of an indicator in ``lang``: the optional ``unit_zh``/``unit_en`` column,
        else ``unit`` as written."""
        suffix = "zh" if lang == "zh" else "en"
        for column in (f"unit_{suffix}", "unit"):
            value = self.indicators.at[indicator, column] if column in self.indicators.columns else ""
            if isinstance(value, str) and value.strip():
                return value
        return ""

    def zone_id(self, text: str) -> str | None:
        """The zone ``text`` names, or None: an id in any case, or a Chinese or English name.

        Names are matched ignoring case and runs of spaces; a name with a part in
        brackets also matches by either part (``Southern Jiangsu (Sunan)``: ``Southern
        Jiangsu``, ``Sunan``), and the optional ``short_zh``/``short_en`` columns count as
        names. A name two zones share names neither.

        Examples
        --------
        >>> from sim.data import load_package
        >>> package = load_package()
        >>> [package.zone_id(t) for t in ("SUNAN", "江苏苏南", "Southern Jiangsu", "苏南", "Mars")]
        ['sunan', 'sunan', 'sunan', 'sunan', None]
        """
        return self._zone_names.get(_name_key(text)) if isinstance(text, str) else None

    @cached_property
    def _zone_names(self) -> dict[str, str | None]:
        found: dict[str, set[str]] = {}
        columns = [c for c in ("name_zh", "name_en", "short_zh", "short_en") if c in self.zones.columns]
        for zone in self.zones.index:
            names = [zone] + [v for v in self.zones.loc[zone, columns] if isinstance(v, str)]
            for name in names:
                for variant in _name_variants(name):
                    found.setdefault(_name_key(variant), set()).add(zone)
        ids = {_name_key(z): z for z in self.zones.index}
        # An id always names its own zone; another name is kept only when it is unambiguous.
        return {key: ids.get(key) or (next(iter(zones)) if len(zones) == 1 else None)
                for key, zones in found.items()}

    def with_baseline(self, baseline: pd.DataFrame) -> DataPackage:
        """A package with another baseline table (validated again)."""
        return build_package(
            {
                "indicators.csv": self.indicators.reset_index(),
                "groups.csv": self.groups.reset_index(),
                "zones.csv": self.zones.reset_index(),
                "baseline.csv": baseline,
            },
            method_data={**self.method.to_dict(), "links": [link.to_dict() for link in self.links]},
            published=(self.published_weights, self.published_scores),
            root=self.root,
        )


_BRACKETED = re.compile(r"^(.*?)\s*[(（]([^()（）]*)[)）]\s*$")


def _name_key(text: str) -> str:
    """How names are compared: case and runs of white space do not count."""
    return " ".join(text.split()).casefold()


def _name_variants(name: str) -> list[str]:
    """A name, and for ``Southern Jiangsu (Sunan)`` each part too."""
    match = _BRACKETED.match(name.strip())
    return [name] + ([part for part in match.groups() if part.strip()] if match else [])


def load_package(folder: str | Path | None = None) -> DataPackage:
    """Load and validate a data package folder (default: the shipped ``data/``).

    Raises
    ------
    DataError
        Listing every problem found, each naming the file, the line and the value; also
        a folder or file that cannot be read (permissions, a broken disk).
    """
    root = Path(folder) if folder is not None else SHIPPED_DATA
    source = printable(str(root))
    try:
        is_folder = root.is_dir()
    except OSError:
        is_folder = False
    if not is_folder:
        raise DataError(msg("data.no_folder", folder=source))
    files: dict[str, bytes] = {}
    problems = Problems()
    for name in (*TABLE_FILES, *OPTIONAL_FILES):
        path = root / name
        try:
            if not path.is_file():  # a folder, a FIFO or a device is not a data file
                continue
            size = path.stat().st_size
            if size > MAX_CSV_BYTES:
                problems.append(msg("data.file_too_large", name=name, size=size, limit=MAX_CSV_BYTES))
                continue
            with path.open("rb") as stream:
                files[name] = stream.read(MAX_CSV_BYTES + 1)
        except OSError as exc:
            problems.append(msg("data.unreadable_file", name=name, reason=os_reason(exc)))
    if problems:
        raise DataError(problems, source)
    return package_from_files(files, source=source, root=root)


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
    problems = Problems(msg("data.file_missing", name=name, source=source) for name in TABLE_FILES if name not in files)
    problems.extend(
        msg("data.file_too_large", name=name, size=len(data), limit=MAX_CSV_BYTES)
        for name, data in files.items()
        if len(data) > MAX_CSV_BYTES
    )
    if problems:
        raise DataError(problems, source)
    tables = {}
    for name in TABLE_FILES:
        try:
            tables[name] = read_csv_table(files[name], name, REQUIRED_COLUMNS[name])
        except DataError as exc:
            problems.absorb(exc)
    method_data = None
    if "method.yaml" in files:
        try:
            method_data, _ = load_yaml(files["method.yaml"], "method.yaml", DataError)
        except DataError as exc:
            problems.extend(msg("files.at_problem", where="method.yaml", problem=p) for p in exc.problems)
    published = _published(files, problems)
    if problems:
        raise DataError(problems, source)
    digest = hashlib.sha256()
    for name in sorted(n for n in files if n in (*TABLE_FILES, *OPTIONAL_FILES)):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return build_package(tables, method_data, published, root=root, digest=digest.hexdigest())


def build_package(
    tables: Mapping[str, pd.DataFrame | Sequence[Mapping[str, Any]]],
    method_data: Any = None,
    published: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
    root: Path | None = None,
    digest: str = "",
    places: Locator = CSV_PLACES,
) -> DataPackage:
    """Validate parsed tables and build a :class:`DataPackage`.

    This is the one place data is checked, whatever it came from (a folder, an
    uploaded Excel workbook, a table edited in the app). The checks are vectorised:
    a table of 500,000 rows takes about a second.

    Parameters
    ----------
    tables : mapping
        ``indicators.csv`` ... ``baseline.csv``: each a frame of text as
        :func:`sim.csvfiles.read_csv_table` gives, or a list of row dicts.
    places : Locator
        How messages name rows (lines of CSV files, rows of Excel sheets).

    Raises
    ------
    DataError
        Every problem, each naming file, line and value (the first 50 shown, the rest counted).
    """
    problems = Problems()
    frames = {name: frame_from_rows(tables[name], name, problems) for name in TABLE_FILES}
    for name, frame in frames.items():
        text_cells_problems(frame, name, problems, places.line)
    groups = id_table(frames["groups.csv"], "groups.csv", problems, places)
    zones = id_table(frames["zones.csv"], "zones.csv", problems, places)
    indicators = indicator_table(frames["indicators.csv"], list(groups.index), problems, places)
    baseline = baseline_table(frames["baseline.csv"], list(zones.index), indicators, problems, places)
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


_links_in_method = msg("files.in_file", name="method.yaml", where=located(("links",)))


def _method_and_links(data: Any, indicator_ids: list[str], problems: list[str]) -> tuple[Method, list[Link]]:
    if not isinstance(data, Mapping):
        problems.append(msg("data.method_not_mapping"))
        return Method(), []
    for path, text in texts_in(data):
        problem = text_problem(text)
        if problem is not None:
            problems.append(msg("files.at_problem", where=msg("files.in_file", name="method.yaml", where=located(path)),
                                problem=problem))
    method = Method()
    options = {k: v for k, v in data.items() if k in METHOD_KEYS}
    unknown = [k for k in data if k not in METHOD_KEYS and k not in ("links", "note")]
    for key in unknown[:MAX_KEPT]:
        problems.append(msg("scenario.unknown_key", where="method.yaml", name=shown(key),
                            hint=did_you_mean(key, METHOD_KEYS + ("links", "note"))))
    try:
        method = method_from_mapping(options, where="method.yaml")
    except SimError as exc:
        problems.extend(exc.problems)
    items = data.get("links")
    if isinstance(items, list) and len(items) > MAX_LINKS:
        problems.append(msg("scenario.too_many", where=_links_in_method, count=len(items), limit=MAX_LINKS))
        items = None
    links, link_problems = parse_links(items, indicator_ids, "links", origin="data", file="method.yaml")
    problems.extend(link_problems)
    ordered, cycle = link_order(links)
    if ordered is None:
        problems.append(msg("files.at_problem", where=_links_in_method,
                            problem=msg("links.cycle", cycle=Chain(Ref("indicator", i) for i in cycle))))
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
        problems.append(msg("data.published_unreadable", reason=str(exc)[:200]))
    return weights, scores


