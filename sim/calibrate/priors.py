"""The calibration's inputs beside the published numbers: priors, bands, public figures.

Three files of ``data/published/`` (described in ``data/README.md``):

``priors.csv``
    One row per year, zone and indicator: ``prior`` (what the value roughly is, in
    the indicator's unit), ``spread`` (how far the calibrated value may drift from
    it at unit cost, in log units), ``kind`` (``stock``: a later year's prior is
    read as a change from the previous year's prior, applied to the previous
    year's calibrated value; ``flow``: a flow or rate, whose prior is read as a
    level every year) and a free ``note``. Extra columns are ignored.
``bands.csv`` (optional)
    ``indicator, low, high``: plausible ranges narrower than the valid range of
    ``indicators.csv`` (growth rates positive and moderate, shares well inside
    0-100 %).
``public_figures.csv`` (optional)
    ``year, zone, indicator, value, use, what``: zone-level figures in the
    indicator's own unit kept exactly (``use: exact``) and city-level figures that
    bound the zone inside the city from above (``use: upper_bound``); ``what`` says
    where the figure comes from and is written into ``baseline.csv``'s ``source``.

Every problem in these files is reported together, naming the file and the line.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.data import read_csv_rows
from sim.errors import DataError
from sim.messages import Message, Ref, msg

PRIORS_FILE = "published/priors.csv"
BANDS_FILE = "published/bands.csv"
FIGURES_FILE = "published/public_figures.csv"

KINDS = ("stock", "flow")
USES = ("exact", "upper_bound")
#: Cells named in the message when priors are missing (the count says the rest).
SHOWN_MISSING = 5


@dataclass(frozen=True)
class PublicFigure:
    """A public figure: kept exactly, or an upper bound for the zone inside a city.

    Parameters
    ----------
    year : int
    zone, indicator : str
        Ids of the package.
    value : float
        In the indicator's own unit.
    what : str
        Where the figure comes from (written into ``baseline.csv``'s ``source``).
    """

    year: int
    zone: str
    indicator: str
    value: float
    what: str


@dataclass(frozen=True)
class Priors:
    """What the calibration starts from and stays close to.

    Parameters
    ----------
    values, spreads : mapping of (year, zone, indicator) to float
        The prior and its spread (log units) of every cell.
    flows : frozenset of str
        Indicators of kind ``flow``; every other indicator is a stock.
    bands : mapping of str to (float, float)
        Plausible range (low, high) of an indicator, where one is set.
    exact : tuple of PublicFigure
        Figures kept exactly, in file order.
    caps : tuple of PublicFigure
        Upper bounds, in file order.
    """

    values: Mapping[tuple[int, str, str], float]
    spreads: Mapping[tuple[int, str, str], float]
    flows: frozenset[str]
    bands: Mapping[str, tuple[float, float]]
    exact: tuple[PublicFigure, ...] = ()
    caps: tuple[PublicFigure, ...] = ()

    def table(self, year: int, zones: Sequence[str], indicators: Sequence[str]) -> np.ndarray:
        """The priors of one year, shape (zones, indicators)."""
        return _table(self.values, year, zones, indicators)

    def spread_table(self, year: int, zones: Sequence[str], indicators: Sequence[str]) -> np.ndarray:
        """The spreads of one year, shape (zones, indicators)."""
        return _table(self.spreads, year, zones, indicators)

    def is_flow(self, indicators: Sequence[str]) -> np.ndarray:
        """Boolean mask of the flow indicators, in the order given."""
        return np.array([indicator in self.flows for indicator in indicators])

    def exact_figure(self, year: int, zone: str, indicator: str) -> PublicFigure | None:
        """The figure kept exactly in that cell, if there is one."""
        return next((f for f in self.exact if (f.year, f.zone, f.indicator) == (year, zone, indicator)), None)


def _table(cells: Mapping[tuple[int, str, str], float], year: int, zones, indicators) -> np.ndarray:
    """The cells of one year as a (zones, indicators) array."""
    table = np.empty((len(zones), len(indicators)))
    for j, indicator in enumerate(indicators):
        table[:, j] = [cells[year, zone, indicator] for zone in zones]
    return table


def load_priors(
    data_dir: str | Path, zone_ids: Sequence[str], indicator_ids: Sequence[str], years: Sequence[int]
) -> Priors:
    """Read and check ``published/priors.csv``, ``bands.csv`` and ``public_figures.csv``.

    Parameters
    ----------
    data_dir : path
        The data package's folder.
    zone_ids, indicator_ids : sequence of str
        The package's zones and indicators.
    years : sequence of int
        The published years: each needs a prior for every zone and indicator.

    Returns
    -------
    Priors

    Raises
    ------
    DataError
        Listing every problem: a missing file or column, a value that is not a
        positive number, an unknown id or kind, a repeated row, a missing prior.

    Examples
    --------
    >>> from sim.data import SHIPPED_DATA
    >>> ids = ["rd_spending", "unicorns"]
    >>> priors = load_priors(SHIPPED_DATA, ["zhongguancun", "sunan"], ids, [2019, 2020])
    >>> priors.table(2020, ["zhongguancun", "sunan"], ids).tolist()
    [[3785.4, 78.0], [2447.0, 13.0]]
    """
    reader = _Reader(Path(data_dir), zone_ids, indicator_ids)
    values, spreads, kinds, reported = {}, {}, {}, set()
    rows = reader.rows(PRIORS_FILE, ("year", "zone", "indicator", "prior", "spread", "kind"), required=True)
    for row in rows or []:
        key = reader.cell_key(row, ("year", "zone", "indicator"))
        prior, spread = reader.positive(row, "prior"), reader.positive(row, "spread")
        kind = reader.choice(row, "kind", KINDS, msg("calibrate.expect_kind"))
        if None in (key, prior, spread, kind):
            reported.add(key)  # a bad row is not also reported as a missing one
            continue
        if kinds.setdefault(key[2], kind) != kind:
            reader.problem_once(msg("calibrate.kind_differs", file=PRIORS_FILE, indicator=Ref("indicator", key[2])))
        values[key], spreads[key] = prior, spread
    if rows is not None:
        reader.require_every_cell(values.keys() | reported, years)

    bands = {}
    for row in reader.rows(BANDS_FILE, ("indicator", "low", "high")) or []:
        key = reader.cell_key(row, ("indicator",))
        low, high = reader.number(row, "low"), reader.number(row, "high")
        if None in (key, low, high):
            continue
        if low >= high:
            reader.problems.append(msg("calibrate.band_empty", file=BANDS_FILE, line=row["_line"],
                                       indicator=Ref("indicator", key[0]), low=low, high=high))
        bands[key[0]] = (low, high)

    exact, caps = [], []
    for row in reader.rows(FIGURES_FILE, ("year", "zone", "indicator", "value", "use", "what")) or []:
        key = reader.cell_key(row, ("year", "zone", "indicator"))
        value = reader.positive(row, "value")
        use = reader.choice(row, "use", USES, msg("calibrate.expect_use"))
        if None in (key, value, use):
            continue
        (exact if use == "exact" else caps).append(PublicFigure(*key, value, row["what"]))

    if reader.problems:
        raise DataError(reader.problems, str(data_dir))
    flows = frozenset(indicator for indicator, kind in kinds.items() if kind == "flow")
    return Priors(values, spreads, flows, bands, tuple(exact), tuple(caps))


class _Reader:
    """Reads the calibration's CSV files, collecting every problem instead of stopping."""

    def __init__(self, data_dir: Path, zone_ids: Sequence[str], indicator_ids: Sequence[str]):
        self.data_dir = data_dir
        self.ids = {"zone": list(zone_ids), "indicator": list(indicator_ids)}
        self.problems: list[Message | str] = []
        self.file = ""
        self.seen: dict[tuple, str] = {}

    def rows(self, name: str, columns: Sequence[str], required: bool = False) -> list[dict[str, str]] | None:
        """The rows of one file; None when it is absent (a problem if ``required``) or unreadable."""
        self.file, self.seen = name, {}
        path = self.data_dir / name
        if not path.is_file():
            if required:
                self.problems.append(msg("calibrate.file_missing", file=name))
            return None
        try:
            rows = read_csv_rows(path.read_bytes(), name)
        except DataError as exc:
            self.problems.extend(exc.problems)
            return None
        header = set(rows[0]) if rows else set(columns)
        missing = [c for c in columns if c not in header]
        if missing:
            self.problems.append(msg("calibrate.columns_missing", file=name, columns=missing, required=list(columns),
                                     count=len(missing)))
            return None
        return rows

    def cell_key(self, row: Mapping[str, str], columns: Sequence[str]) -> tuple | None:
        """The row's (year, zone, indicator) or (indicator,) key; None after a problem."""
        key = []
        for column in columns:
            value = row[column]
            if column == "year":
                year = _whole(value)
                if year is None:
                    self._bad(row, column, msg("calibrate.expect_year"))
                    return None
                key.append(year)
            elif value not in self.ids[column]:
                close = difflib.get_close_matches(value, self.ids[column], n=1, cutoff=0.6)
                hint = msg("calibrate.did_you_mean", close=close[0]) if close else ""
                self.problems.append(msg("calibrate.unknown_id", file=self.file, line=row["_line"],
                                         kind=msg(f"calibrate.kind_{column}"), value=value, hint=hint))
                return None
            else:
                key.append(value)
        key = tuple(key)
        first = self.seen.setdefault(key, row["_line"])
        if first != row["_line"]:
            self.problems.append(msg("calibrate.duplicate_row", file=self.file, line=row["_line"],
                                     cell=", ".join(map(str, key)), first=first))
            return None
        return key

    def number(self, row: Mapping[str, str], column: str) -> float | None:
        """A finite number, or None after a problem."""
        value = _finite(row[column])
        if value is None:
            self._bad(row, column, msg("calibrate.expect_number"))
        return value

    def positive(self, row: Mapping[str, str], column: str) -> float | None:
        """A finite positive number (priors are compared in log terms), or None after a problem."""
        value = _finite(row[column])
        if value is None or value <= 0:
            self._bad(row, column, msg("calibrate.expect_positive"))
            return None
        return value

    def choice(self, row: Mapping[str, str], column: str, allowed: Sequence[str], expected: Message) -> str | None:
        """One of ``allowed``, or None after a problem."""
        value = row[column]
        if value not in allowed:
            self._bad(row, column, expected)
            return None
        return value

    def problem_once(self, problem: Message) -> None:
        """Add a problem unless the same one is already listed."""
        if problem not in self.problems:
            self.problems.append(problem)

    def require_every_cell(self, present: Collection[tuple[int, str, str]], years: Sequence[int]) -> None:
        """A problem naming the first few (year, zone, indicator) cells not ``present``."""
        missing = [
            (year, zone, indicator)
            for year in years
            for zone in self.ids["zone"]
            for indicator in self.ids["indicator"]
            if (year, zone, indicator) not in present
        ]
        if missing:
            cells = [f"({year}, {zone}, {indicator})" for year, zone, indicator in missing[:SHOWN_MISSING]]
            self.problems.append(msg("calibrate.priors_missing", file=PRIORS_FILE, count=len(missing), cells=cells))

    def _bad(self, row: Mapping[str, str], column: str, expected: Message) -> None:
        self.problems.append(msg("calibrate.bad_value", file=self.file, line=row["_line"], column=column,
                                 value=row[column], expected=expected))


def _finite(text: str) -> float | None:
    """The text as a finite float, else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _whole(text: str) -> int | None:
    """The text as a whole number (``2019`` or ``2019.0``), else None."""
    value = _finite(text)
    return int(value) if value is not None and value == int(value) else None
