"""The baseline path of a plan: how the table moves without the plan ("the others keep growing").

For each zone and indicator, the rule of :class:`~sim.plan.schema.Trend` (a zone's own
rule, else the indicator's, else the default) gives a yearly factor and a yearly
amount, and for ``k`` = 1 ... years after the observed year::

    B[year + k] = B[year] * factor ** k + amount * k

- ``hold``: factor 1, amount 0;
- ``"+g%"``: factor 1 + g / 100;
- ``observed``: the change of the cell between the data's two latest years up to
  ``year``, as its indicator's rule says (:func:`observed_rules`): ``ratio`` (factor
  = this year / last year, for amounts: defined only when both are > 0, else the
  cell holds, with a note), ``points`` (amount = this year - last year, for
  percentages and growth rates) or ``hold``.

The path compounds unrounded; each year's table is then kept in its valid range
(clamped, with a warning naming zone, indicator and the first year) and its counts
are rounded half away from zero (as the engine rounds them). Rounding each year's
value rather than feeding the rounded value into the next year lets a small count
grow: 3 unicorns at +10 % a year are 3, 4, 4, 4, 5 over five years, not 3 for ever.

Examples
--------
>>> import numpy as np
>>> from sim.engine.tables import TableRules
>>> rules = TableRules(np.array([False, True]), np.array([0.0, 0.0]), np.array([100.0, np.inf]))
>>> base = np.array([[50.0, 3.0]])
>>> path, clamped = project(base, np.array([[1.1, 1.1]]), np.zeros((1, 2)), 3, rules)
>>> path[:, 0].round(6).tolist()
[[55.0, 3.0], [60.5, 4.0], [66.55, 4.0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.engine.tables import TableRules, round_half_away
from sim.messages import Message, Ref, msg
from sim.plan.schema import GROWTH, HOLD, OBSERVED, Trend, observed_rule_column, previous_year

#: How ``observed`` projects a cell (codes of :func:`observed_rules`).
RATIO, POINTS = "ratio", "points"


def is_percentage(unit: object) -> bool:
    """Whether an indicator's unit is a percentage or a growth rate (``%``)."""
    return isinstance(unit, str) and "%" in unit


def observed_rules(package) -> pd.DataFrame:
    """How ``observed`` projects each indicator, per indicator id.

    Returns
    -------
    pandas.DataFrame
        ``default``: the rule when ``trend.default`` is ``observed`` (``hold`` for
        percentages and growth rates unless the package says ``ratio`` or ``points``
        in its ``observed_trend`` column, or an amount the package says to hold);
        ``named``: the rule when the file names the indicator (or the zone and
        indicator) with ``observed``: the package's ``ratio`` or ``points``, else
        ``points`` for percentages and ``ratio`` for amounts.
    """
    declared = observed_rule_column(package)
    rows = {}
    for indicator, unit in package.indicators["unit"].items():
        rule = declared.get(indicator, "")
        natural = POINTS if is_percentage(unit) else RATIO
        named = rule if rule in (RATIO, POINTS) else natural
        if rule in (RATIO, POINTS):
            default = rule
        elif rule == HOLD or is_percentage(unit):
            default = HOLD
        else:
            default = RATIO
        rows[indicator] = {"default": default, "named": named}
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass(frozen=True, eq=False)
class ObservedChange:
    """The observed yearly change of every cell, as ``observed`` would project it.

    Attributes
    ----------
    year, previous : int
        The observed year and the data's year before it.
    ratio : pandas.DataFrame
        Zones x indicators: this year / last year (NaN where undefined: a value <= 0,
        or a zone missing last year).
    points : pandas.DataFrame
        Zones x indicators: this year - last year (NaN for a zone missing last year).
    rules : pandas.DataFrame
        :func:`observed_rules`.
    """

    year: int
    previous: int
    ratio: pd.DataFrame
    points: pd.DataFrame
    rules: pd.DataFrame

    def yearly_change(self, named: bool = False) -> pd.DataFrame:
        """Per cell, the yearly change ``observed`` gives: percent (ratio) or points, 0 when held.

        Parameters
        ----------
        named : bool
            The rule when the file names the indicator (else: ``trend.default``).
        """
        rule = self.rules["named" if named else "default"]
        out = pd.DataFrame(0.0, index=self.ratio.index, columns=self.ratio.columns)
        for indicator, kind in rule.items():
            if kind == RATIO:
                out[indicator] = 100.0 * (self.ratio[indicator] - 1.0)
            elif kind == POINTS:
                out[indicator] = self.points[indicator]
        return out


def observed_change(package, year: int) -> ObservedChange | None:
    """The observed change up to ``year`` (None: the data has no year before it).

    Examples
    --------
    >>> from sim.data import load_package
    >>> change = observed_change(load_package(), 2020)
    >>> change.previous
    2019
    """
    previous = previous_year(package, year)
    if previous is None:
        return None
    now, before = package.table(year), package.table(previous).reindex(package.table(year).index)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (now / before).where((now > 0) & (before > 0))
    return ObservedChange(year, previous, ratio, now - before, observed_rules(package))


@dataclass(frozen=True, eq=False)
class TrendArrays:
    """A trend as the yearly factor and amount of every cell.

    Attributes
    ----------
    factor, amount : ndarray, shape (m, n)
    kinds : ndarray of str, shape (m, n)
        ``hold``, ``growth``, ``ratio`` or ``points``: what moves each cell.
    notes : list of Message
        Cells where ``observed`` is undefined and which therefore hold.
    """

    factor: np.ndarray
    amount: np.ndarray
    kinds: np.ndarray
    notes: list[Message] = field(default_factory=list)


def trend_arrays(package, trend: Trend, zones: list[str], indicators: list[str], year: int) -> TrendArrays:
    """The yearly factor and amount of every cell of the year's table under ``trend``."""
    m, n = len(zones), len(indicators)
    column_of = {indicator: j for j, indicator in enumerate(indicators)}
    rules = np.empty((m, n), dtype=object)
    named = np.zeros((m, n), dtype=bool)
    rules[:, :] = trend.default
    for indicator, rule in trend.indicators:
        rules[:, column_of[indicator]] = rule
        named[:, column_of[indicator]] = True
    row_of = {zone: i for i, zone in enumerate(zones)}
    for zone, cells in trend.zones:
        for indicator, rule in cells:
            if zone in row_of:
                rules[row_of[zone], column_of[indicator]] = rule
                named[row_of[zone], column_of[indicator]] = True
    kind_of = np.vectorize(lambda rule: rule.kind, otypes=[object])(rules)
    percent = np.vectorize(lambda rule: rule.percent, otypes=[float])(rules)
    factor = np.where(kind_of == GROWTH, 1.0 + percent / 100.0, 1.0)
    amount = np.zeros((m, n))
    kinds = np.where(kind_of == GROWTH, GROWTH, HOLD).astype(object)
    notes: list[Message] = []
    observed = kind_of == OBSERVED
    if observed.any():
        change = observed_change(package, year)
        if change is None:  # validation refuses this; a plan assembled in code gets the same message
            from sim.errors import ScenarioError

            raise ScenarioError(msg("plan.observed_needs_two_years", where=msg("plan.at", path="trend"), year=year,
                                    years=", ".join(map(str, package.years))))
        table = change.rules.loc[indicators]
        rule = np.where(named, table["named"].to_numpy()[None, :], table["default"].to_numpy()[None, :])
        ratio = change.ratio.loc[zones, indicators].to_numpy(dtype=np.float64)
        points = change.points.loc[zones, indicators].to_numpy(dtype=np.float64)
        by_ratio, by_points = observed & (rule == RATIO), observed & (rule == POINTS)
        undefined = (by_ratio & ~np.isfinite(ratio)) | (by_points & ~np.isfinite(points))
        by_ratio &= ~undefined
        by_points &= ~undefined
        factor = np.where(by_ratio, ratio, factor)
        amount = np.where(by_points, points, amount)
        kinds = np.where(by_ratio, RATIO, np.where(by_points, POINTS, kinds))
        before, now = package.table(change.previous).reindex(zones), package.table(year).loc[zones]
        for row, col in zip(*np.nonzero(undefined)):
            zone, indicator = zones[row], indicators[col]
            notes.append(msg("plan.observed_undefined", zone=Ref("zone", zone), indicator=Ref("indicator", indicator),
                             previous=change.previous, year=year, before=float(before.at[zone, indicator]),
                             after=float(now.at[zone, indicator])))
    return TrendArrays(factor, amount, kinds, notes)


def unclamped(base: np.ndarray, factor: np.ndarray, amount: np.ndarray, years: int) -> np.ndarray:
    """``base * factor ** k + amount * k`` for k = 1 ... ``years``, shape (..., years, m, n).

    A held cell (factor 1, amount 0) keeps the bits of ``base``.
    """
    steps = np.arange(1, years + 1, dtype=np.float64)[:, None, None]
    with np.errstate(over="ignore", invalid="ignore"):
        raw = base[..., None, :, :] * factor ** steps
        if np.any(amount):
            raw = raw + amount * steps
    return raw


def project(base: np.ndarray, factor: np.ndarray, amount: np.ndarray, years: int,
            rules: TableRules) -> tuple[np.ndarray, np.ndarray]:
    """The baseline path for ``years`` years after ``base``.

    Parameters
    ----------
    base : ndarray, shape (m, n)
        The observed table.
    factor, amount : ndarray, shape (m, n)
        Yearly factor and amount per cell.
    years : int
    rules : TableRules
        Valid ranges and counts.

    Returns
    -------
    path : ndarray, shape (years, m, n)
        Clamped to the valid range, counts rounded.
    clamped : ndarray of int8, shape (years, m, n)
        -1 where the path was raised to the minimum, 1 where lowered to the maximum.
    """
    return settle(unclamped(base, factor, amount, years), rules)


def project_draws(base: np.ndarray, factor: np.ndarray, amount: np.ndarray, noise: np.ndarray,
                  rules: TableRules) -> np.ndarray:
    """Baseline paths with a random yearly factor per draw, year and cell (robustness).

    Parameters
    ----------
    base : ndarray, shape (m, n)
    factor, amount : ndarray, shape (m, n)
        The trend's yearly factor and amount.
    noise : ndarray, shape (draws, years, m, n)
        Log of each year's extra factor: year ``k``'s table is the trend's, times
        ``exp(noise[:, 0] + ... + noise[:, k - 1])``.

    Returns
    -------
    ndarray, shape (draws, years, m, n)
        Clamped to the valid range, counts rounded.
    """
    raw = unclamped(base, factor, amount, noise.shape[1]) * np.exp(np.cumsum(noise, axis=1))
    return settle(raw, rules)[0]


def settle(raw: np.ndarray, rules: TableRules) -> tuple[np.ndarray, np.ndarray]:
    """Clamp to the valid range and round counts (in a fresh array)."""
    path = np.clip(raw, rules.low, rules.high)
    clamped = np.where(path > raw, -1, np.where(path < raw, 1, 0)).astype(np.int8)
    if rules.is_integer.any():
        path[..., rules.is_integer] = round_half_away(path[..., rules.is_integer])
    return path, clamped


def clamp_warnings(raw_path: np.ndarray, clamped: np.ndarray, zones: list[str], indicators: list[str],
                   years: list[int], rules: TableRules) -> list[list[Message]]:
    """Per year, a warning for each cell whose path first leaves its valid range that year.

    Parameters
    ----------
    raw_path : ndarray, shape (years, m, n)
        The unclamped path (:func:`unclamped`).
    clamped : ndarray, shape (years, m, n)
        From :func:`project`.
    """
    out: list[list[Message]] = [[] for _ in years]
    hit = clamped != 0
    if not hit.any():
        return out
    first = np.where(hit.any(axis=0), hit.argmax(axis=0), -1)
    for row, col in zip(*np.nonzero(first >= 0)):
        k = int(first[row, col])
        above = clamped[k, row, col] > 0
        bound = float(rules.high[col] if above else rules.low[col])
        out[k].append(msg("plan.trend_clamped_above" if above else "plan.trend_clamped_below",
                          zone=Ref("zone", zones[row]), indicator=Ref("indicator", indicators[col]),
                          year=int(years[k]), value=float(raw_path[k, row, col]), bound=bound))
    return out
