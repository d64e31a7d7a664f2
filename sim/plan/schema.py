"""A plan's keys in a scenario file: ``horizon``, ``trend`` and each intervention's timing.

Scenario version 1 (DESIGN section 4, "Plans over years"): a file with ``horizon`` is a
plan; without it, a one-year scenario exactly as before. :func:`read_plan` is called by
:func:`sim.scenario.scenario_from_dict` and adds every problem it finds to the file's
list, each naming the line, the field, the bad value and what is allowed. The
``to_dict`` methods give the canonical form written to files (with
:meth:`sim.scenario.Scenario.to_dict`), so save -> load -> save gives the same bytes.

This module imports no engine: :mod:`sim.scenario` depends on it.

Examples
--------
>>> rule = TrendRule.parse("+8%")
>>> rule.kind, rule.percent, rule.text()
('growth', 8.0, '+8%')
>>> Timing(start=2022, each_year=True).to_dict()
{'from': 2022, 'each_year': True}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sim.messages import Message, msg
from sim.text import _closest, shown
from sim.values import NUMBER_TEXT
from sim.yamlio import YamlPath, dotted

#: A plan projects at most this many years past its observed year.
MAX_HORIZON_YEARS = 10
#: Largest yearly growth a trend may give, in percent (and above -100 %).
MAX_TREND_PERCENT = 1000.0
PLAN_KEYS = ("horizon", "trend")
TREND_KEYS = ("default", "indicators", "zones")
TIMING_KEYS = ("from", "each_year", "until")
#: Trend kinds.
HOLD, OBSERVED, GROWTH = "hold", "observed", "growth"
TREND_WORDS = (HOLD, OBSERVED)
#: The optional column of ``indicators.csv`` that says how ``observed`` projects an indicator.
OBSERVED_COLUMN = "observed_trend"
#: Its values: compound the yearly ratio, add the yearly difference, or hold.
OBSERVED_RULES = ("ratio", "points", "hold")
_PERCENT = re.compile(rf"^\s*({NUMBER_TEXT})\s*%\s*$", re.ASCII)


@dataclass(frozen=True)
class TrendRule:
    """How one cell moves along the baseline path: hold, observed, or growth of ``percent`` a year."""

    kind: str = HOLD
    percent: float = 0.0

    @classmethod
    def parse(cls, value: Any) -> TrendRule | None:
        """``"hold"``, ``"observed"`` or ``"+8%"`` as a rule; None when it is none of these."""
        if not isinstance(value, str):
            return None
        if value.strip() in TREND_WORDS:
            return cls(value.strip())
        match = _PERCENT.match(value)
        return cls(GROWTH, float(match.group(1))) if match else None

    def text(self) -> str:
        """The canonical text written to files: ``hold``, ``observed``, ``+8%``."""
        if self.kind != GROWTH:
            return self.kind
        from sim.scenario import format_percent

        return format_percent(self.percent)


@dataclass(frozen=True)
class Trend:
    """The baseline path's rules: a default, per indicator (every zone), per zone and indicator.

    Attributes
    ----------
    default : TrendRule
    indicators : tuple of (str, TrendRule)
        In file order.
    zones : tuple of (str, tuple of (str, TrendRule))
        Per zone, its indicators' rules (these win over ``indicators``).
    """

    default: TrendRule = TrendRule()
    indicators: tuple[tuple[str, TrendRule], ...] = ()
    zones: tuple[tuple[str, tuple[tuple[str, TrendRule], ...]], ...] = ()

    @cached_property
    def _lookup(self) -> tuple[dict[str, TrendRule], dict[tuple[str, str], TrendRule]]:
        return dict(self.indicators), {(z, i): r for z, rules in self.zones for i, r in rules}

    def rule(self, zone: str, indicator: str) -> tuple[TrendRule, bool]:
        """The rule of one cell, and whether the file names the cell (by indicator or zone)."""
        by_indicator, by_cell = self._lookup
        if (zone, indicator) in by_cell:
            return by_cell[(zone, indicator)], True
        if indicator in by_indicator:
            return by_indicator[indicator], True
        return self.default, False

    @property
    def is_default(self) -> bool:
        """Hold everything: what a plan without ``trend`` means."""
        return self.default.kind == HOLD and not self.indicators and not self.zones

    def uses(self, kind: str) -> bool:
        """Whether any rule is of ``kind``."""
        rules = [self.default, *(r for _, r in self.indicators), *(r for _, z in self.zones for _, r in z)]
        return any(rule.kind == kind for rule in rules)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"default": self.default.text()}
        if self.indicators:
            out["indicators"] = {i: r.text() for i, r in self.indicators}
        if self.zones:
            out["zones"] = {z: {i: r.text() for i, r in rules} for z, rules in self.zones}
        return out


@dataclass(frozen=True)
class PlanKeys:
    """What makes a scenario a plan: the last projected year and the trend."""

    horizon: int
    trend: Trend = Trend()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"horizon": self.horizon}
        if not self.trend.is_default:
            out["trend"] = self.trend.to_dict()
        return out


@dataclass(frozen=True)
class Timing:
    """When an intervention of a plan applies.

    Attributes
    ----------
    start : int or None
        ``from``: the first year it applies (None: the first projected year).
    each_year : bool
        Compound the change every year from ``start`` to ``until`` (else a one-off
        step that persists).
    until : int or None
        The last year it grows (None: the horizon); the level stays after it.
    """

    start: int | None = None
    each_year: bool = False
    until: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.start is not None:
            out["from"] = self.start
        if self.each_year:
            out["each_year"] = True
        if self.until is not None:
            out["until"] = self.until
        return out


def read_plan(
    document: Mapping[str, Any],
    package,
    year: int | None,
    lines: Mapping[YamlPath, int],
    problems: list,
) -> tuple[PlanKeys | None, list[Timing | None]]:
    """Read and check a plan's keys in a scenario document (problems appended to ``problems``).

    Parameters
    ----------
    document : mapping
        The whole scenario document.
    package : DataPackage
        Zone and indicator ids, the years in the data, the ``observed_trend`` column.
    year : int or None
        The scenario's year (None when it is itself invalid).
    lines : mapping
        ``{path: line}`` from the file.
    problems : list
        Receives a :class:`~sim.messages.Message` per problem.

    Returns
    -------
    plan : PlanKeys or None
        None for a one-year scenario (or when ``horizon`` is invalid).
    timings : list of (Timing or None)
        One per entry of ``interventions`` (None: no timing keys, or not a mapping).
    """
    where = _Where(lines)
    has_horizon = "horizon" in document
    horizon = _horizon(document.get("horizon"), year, where, problems) if has_horizon else None
    trend = Trend()
    if "trend" in document:
        if not has_horizon:
            problems.append(msg("plan.needs_horizon", where=where("trend"), name="trend", last=_last(year)))
        trend = _trend(document["trend"], package, year, where, problems)
    items = document.get("interventions")
    timings: list[Timing | None] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, Mapping) or not any(key in item for key in TIMING_KEYS):
            timings.append(None)
            continue
        if not has_horizon:
            key = next(key for key in TIMING_KEYS if key in item)
            problems.append(msg("plan.needs_horizon", where=where("interventions", index, key), name=key,
                                last=_last(year)))
            timings.append(None)
            continue
        timings.append(_timing(item, ("interventions", index), year, horizon, where, problems))
    return (PlanKeys(horizon, trend) if horizon is not None else None), timings


class _Where:
    """``line 12, trend.indicators.rd_spending`` (or the path alone) for messages."""

    def __init__(self, lines: Mapping[YamlPath, int]):
        self.lines = lines

    def __call__(self, *path: Any) -> Message:
        line = self.lines.get(tuple(path))
        if line:
            return msg("plan.at_line", line=line, path=dotted(path))
        return msg("plan.at", path=dotted(path))


def _last(year: int | None) -> str:
    return str(year + MAX_HORIZON_YEARS) if year is not None else f"year + {MAX_HORIZON_YEARS}"


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _horizon(value: Any, year: int | None, where: _Where, problems: list) -> int | None:
    here = where("horizon")
    if not _is_whole(value):
        problems.append(msg("plan.horizon_not_a_year", where=here, value=shown(value), last=_last(year)))
        return None
    if year is None:
        return value
    if value <= year:
        problems.append(msg("plan.horizon_not_after_year", where=here, value=value, year=year, first=year + 1))
        return None
    if value > year + MAX_HORIZON_YEARS:
        problems.append(msg("plan.horizon_too_far", where=here, value=value, year=year, most=MAX_HORIZON_YEARS,
                            last=year + MAX_HORIZON_YEARS))
        return None
    return value


def _hint(word: Any, options: Sequence[str]) -> Message:
    close = _closest(word, tuple(options)) if isinstance(word, str) and len(word) <= 200 else None
    if close is not None:
        return msg("plan.hint_close", word=close)
    shown_options = ", ".join(options[:30]) + (", ..." if len(options) > 30 else "")
    return msg("plan.hint_allowed", allowed=shown_options)


def _trend(value: Any, package, year: int | None, where: _Where, problems: list) -> Trend:
    if not isinstance(value, Mapping):
        problems.append(msg("plan.trend_not_mapping", where=where("trend"), value=shown(value)))
        return Trend()
    for key in value:
        if key not in TREND_KEYS:
            problems.append(msg("plan.unknown_key", where=where("trend", key), name=shown(key),
                                hint=_hint(key, TREND_KEYS)))
    observed_at: list[tuple[Any, ...]] = []
    default = TrendRule()
    if "default" in value:
        default = _rule(value["default"], ("trend", "default"), where, problems, observed_at) or default
    indicators = tuple(_rules(value.get("indicators"), ("trend", "indicators"), package, where, problems, observed_at))
    zones = []
    raw_zones = value.get("zones")
    if raw_zones is not None and not isinstance(raw_zones, Mapping):
        problems.append(msg("plan.expected_mapping", where=where("trend", "zones"), value=shown(raw_zones),
                            what=msg("plan.what_zone_rules")))
    elif raw_zones:
        for zone, rules in raw_zones.items():
            path = ("trend", "zones", zone)
            if not isinstance(zone, str) or zone not in package.zone_ids:
                problems.append(msg("plan.unknown_zone", where=where(*path), value=shown(zone),
                                    hint=_hint(zone, package.zone_ids)))
                continue
            zones.append((zone, tuple(_rules(rules, path, package, where, problems, observed_at))))
    if observed_at:
        _check_observed(package, year, where(*observed_at[0]), problems)
    return Trend(default, indicators, tuple((z, r) for z, r in zones if r))


def _rules(value: Any, path: tuple, package, where: _Where, problems: list, observed_at: list):
    """``(indicator, rule)`` pairs of an ``indicators`` mapping (problems appended)."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        problems.append(msg("plan.expected_mapping", where=where(*path), value=shown(value),
                            what=msg("plan.what_indicator_rules")))
        return
    known = frozenset(package.indicator_ids)
    for indicator, raw in value.items():
        here = (*path, indicator)
        if not isinstance(indicator, str) or indicator not in known:
            problems.append(msg("plan.unknown_indicator", where=where(*here), value=shown(indicator),
                                hint=_hint(indicator, package.indicator_ids)))
            continue
        rule = _rule(raw, here, where, problems, observed_at)
        if rule is not None:
            yield indicator, rule


def _rule(value: Any, path: tuple, where: _Where, problems: list, observed_at: list) -> TrendRule | None:
    rule = TrendRule.parse(value)
    if rule is None:
        problems.append(msg("plan.trend_value", where=where(*path), value=shown(value)))
        return None
    if rule.kind == GROWTH and not -100.0 < rule.percent <= MAX_TREND_PERCENT:
        problems.append(msg("plan.trend_out_of_range", where=where(*path), value=shown(value),
                            most=MAX_TREND_PERCENT))
        return None
    if rule.kind == OBSERVED:
        observed_at.append(path)
    return rule


def previous_year(package, year: int) -> int | None:
    """The latest year of the data before ``year`` (what ``observed`` compares ``year`` with)."""
    earlier = [y for y in package.years if y < year]
    return earlier[-1] if earlier else None


def observed_rule_column(package) -> dict[str, str]:
    """The ``observed_trend`` column of ``indicators.csv``: ``{indicator: value}`` (lower case; blank: "")."""
    if OBSERVED_COLUMN not in package.indicators.columns:
        return {}
    column = package.indicators[OBSERVED_COLUMN]
    return {i: (v.strip().lower() if isinstance(v, str) else "") for i, v in column.items()}


def _check_observed(package, year: int | None, here: Message, problems: list) -> None:
    if year is not None and previous_year(package, year) is None:
        problems.append(msg("plan.observed_needs_two_years", where=here, year=year,
                            years=", ".join(map(str, package.years))))
    for indicator, value in observed_rule_column(package).items():
        if value and value not in OBSERVED_RULES:
            problems.append(msg("plan.observed_rule_bad", indicator=indicator, value=shown(value),
                                column=OBSERVED_COLUMN, allowed=", ".join(OBSERVED_RULES)))


def _year_key(item: Mapping, key: str, path: tuple, where: _Where, problems: list) -> tuple[int | None, bool]:
    """A year-valued key: (value, ok)."""
    if key not in item:
        return None, True
    value = item[key]
    if not _is_whole(value):
        problems.append(msg("plan.not_a_year", where=where(*path, key), name=key, value=shown(value)))
        return None, False
    return value, True


def _timing(item: Mapping, path: tuple, year: int | None, horizon: int | None, where: _Where,
            problems: list) -> Timing | None:
    before = len(problems)
    start, _ = _year_key(item, "from", path, where, problems)
    until, _ = _year_key(item, "until", path, where, problems)
    each_year = item.get("each_year", False)
    each_year_ok = isinstance(each_year, bool)
    if not each_year_ok:
        problems.append(msg("plan.each_year_not_bool", where=where(*path, "each_year"), value=shown(each_year)))
        each_year = False
    first = year + 1 if year is not None else None
    if start is not None and first is not None and start < first:
        problems.append(msg("plan.from_too_early", where=where(*path, "from"), value=start, year=year, first=first))
    if start is not None and horizon is not None and start > horizon:
        problems.append(msg("plan.from_after_horizon", where=where(*path, "from"), value=start, horizon=horizon))
    if each_year and "to" in item:
        problems.append(msg("plan.each_year_with_to", where=where(*path, "each_year")))
    if until is not None:
        begins = start if start is not None else first
        if not each_year:
            if each_year_ok:  # else the each_year problem says it already
                problems.append(msg("plan.until_without_each_year", where=where(*path, "until")))
        elif begins is not None and until < begins:
            problems.append(msg("plan.until_before_from", where=where(*path, "until"), value=until, start=begins))
        elif horizon is not None and until > horizon:
            problems.append(msg("plan.until_after_horizon", where=where(*path, "until"), value=until,
                                horizon=horizon))
    if len(problems) > before:
        return None
    return Timing(start, each_year, until)


def attach_timings(interventions: Sequence, timings: Sequence[Timing | None]) -> tuple:
    """The interventions with their timings (both in file order; used once a file has no problem)."""
    from dataclasses import replace

    return tuple(
        replace(intervention, timing=timing) if timing is not None else intervention
        for intervention, timing in zip(interventions, timings)
    ) + tuple(interventions[len(timings):])
