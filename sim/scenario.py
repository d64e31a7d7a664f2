"""Scenario files (DESIGN section 4): the model, loading with line-numbered errors, dumping.

A scenario is validated against a data package as a whole: every problem in a file
is collected and reported in one :class:`~sim.errors.ScenarioError`, each naming the
file, the line, the field, the bad value and what is allowed. Dumping writes one
canonical form, so load -> dump -> load -> dump gives the same bytes.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import parse_scenario, dump_scenario
>>> package = load_package()
>>> text = '''
... version: 1
... name: Sunan R&D push
... year: 2020
... interventions:
...   - {zone: sunan, indicator: rd_spending, by: +100%}
... '''
>>> scenario = parse_scenario(text, package, source="example.yaml")
>>> scenario.interventions[0].percent
100.0
>>> print(dump_scenario(scenario).splitlines()[-1])
  by: +100%
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.data import MAX_LINKS, DataPackage
from sim.errors import Problems, ScenarioError, SimError
from sim.links import Link, link_order, parse_links
from sim.messages import Chain, Message, Ref, msg
from sim.method.options import METHOD_KEYS, Method, method_from_mapping
from sim.atomic import os_reason
from sim.plan.schema import PLAN_KEYS, TIMING_KEYS, PlanKeys, Timing, attach_timings, read_plan
from sim.text import did_you_mean, kind_of, printable, shown, text_problem, texts_in
from sim.values import is_bounded_number
from sim.yamlio import (
    MAX_YAML_BYTES,
    YamlPath,
    dump_yaml,
    load_yaml,
    located,
    write_atomic,
)

SCHEMA_VERSION = 1
TOP_KEYS = ("version", "name", "name_zh", "description", "year", *PLAN_KEYS, "method", "interventions", "links")
INTERVENTION_KEYS = ("zone", "indicator", "by", "to", *TIMING_KEYS, "note")
#: Largest absolute value a scenario may give (keeps every score finite).
MAX_ABSOLUTE = 1e12
#: Allowed relative changes, in percent.
MIN_PERCENT, MAX_PERCENT = -100.0, 1e6
MAX_TEXT = 10_000
#: Most interventions in one scenario (a planner's scenario has a few dozen).
MAX_INTERVENTIONS = 20_000
_PERCENT = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*%\s*$", re.ASCII)


@dataclass(frozen=True)
class Intervention:
    """One change: some zones, some indicators, exactly one of by / by % / to.

    Attributes
    ----------
    zones : tuple of str
        Zone ids, or ``("all",)``.
    indicators : tuple of str
    amount : float or None
        Absolute change in the indicator's unit (``by: 3``).
    percent : float or None
        Relative change in percent (``by: +100%``).
    to : float or None
        New absolute value (``to: 120``).
    note : str
        Free text.
    line : int or None
        Line of the intervention in its file.
    timing : Timing or None
        In a plan: from which year, and whether yearly (see :mod:`sim.plan.schema`).
    """

    zones: tuple[str, ...]
    indicators: tuple[str, ...]
    amount: float | None = None
    percent: float | None = None
    to: float | None = None
    note: str = ""
    line: int | None = None
    timing: Timing | None = None

    def zone_ids(self, all_zones: Sequence[str]) -> list[str]:
        """The zone ids it applies to, with ``all`` expanded."""
        return list(all_zones) if self.zones == ("all",) else list(self.zones)

    def new_value(self, old: float) -> float:
        """The value after the change."""
        if self.to is not None:
            return self.to
        if self.percent is not None:
            return old * (1.0 + self.percent / 100.0)
        return old + (self.amount or 0.0)

    def describe(self) -> Message:
        """``by +100%``, ``by 3`` or ``to 120`` (in Chinese 变化 +100%, 变化 3, 设为 120)."""
        if self.to is not None:
            return msg("scenario.change_to", value=_number_text(self.to))
        if self.percent is not None:
            return msg("scenario.change_by", value=format_percent(self.percent))
        return msg("scenario.change_by", value=_number_text(self.amount))

    def to_dict(self) -> dict[str, Any]:
        """The canonical mapping written to files."""
        out: dict[str, Any] = {
            "zone": self.zones[0] if len(self.zones) == 1 else list(self.zones),
            "indicator": self.indicators[0] if len(self.indicators) == 1 else list(self.indicators),
        }
        if self.to is not None:
            out["to"] = _plain_number(self.to)
        elif self.percent is not None:
            out["by"] = format_percent(self.percent)
        else:
            out["by"] = _plain_number(self.amount)
        if self.timing is not None:
            out.update(self.timing.to_dict())
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    name : str
    year : int
        Baseline year the interventions apply to.
    name_zh, description : str
    method_options : dict
        Only the options the scenario sets; the rest come from the data package.
    interventions : tuple of Intervention
    links : tuple of Link
        Assumption links (the package's identity links are added by the engine).
    source : str
        Where it was read from (file name, "upload", "share link"), for messages.
    lines : dict
        ``{path: line}`` from the file, for messages from the engine.
    plan : PlanKeys or None
        ``horizon`` and ``trend`` of a plan over years (None: a one-year scenario).
    """

    name: str
    year: int
    name_zh: str = ""
    description: str = ""
    method_options: dict[str, Any] = field(default_factory=dict)
    interventions: tuple[Intervention, ...] = ()
    links: tuple[Link, ...] = ()
    source: str = ""
    lines: dict[YamlPath, int] = field(default_factory=dict, compare=False, repr=False)
    plan: PlanKeys | None = None

    @property
    def is_plan(self) -> bool:
        """Whether it is a plan over years (it has a ``horizon``)."""
        return self.plan is not None

    def method(self, package: DataPackage) -> Method:
        """The full method: the package's defaults with this scenario's options on top."""
        return method_from_mapping(self.method_options, base=package.method, where="method")

    def to_dict(self) -> dict[str, Any]:
        """The canonical mapping written to files (keys in schema order)."""
        out: dict[str, Any] = {"version": SCHEMA_VERSION, "name": self.name}
        if self.name_zh:
            out["name_zh"] = self.name_zh
        if self.description:
            out["description"] = self.description
        out["year"] = self.year
        if self.plan is not None:
            out.update(self.plan.to_dict())
        if self.method_options:
            out["method"] = {k: self.method_options[k] for k in METHOD_KEYS if k in self.method_options}
        out["interventions"] = [i.to_dict() for i in self.interventions]
        if self.links:
            out["links"] = [link.to_dict() for link in self.links]
        return out


def baseline_scenario(package: DataPackage, year: int | None = None, method: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario that changes nothing (used by ``score``)."""
    year = package.years[-1] if year is None else package.check_year(year)
    options = dict(method or {})
    method_from_mapping(options, base=package.method)  # validate now, not at run time
    return Scenario(name="baseline", name_zh="基准", year=year, method_options=options, source="baseline")


def load_scenario(path: str | Path, package: DataPackage) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        Every problem in the file, or a file that cannot be read.
    """
    path = Path(path)
    source = printable(str(path))
    try:
        if not path.is_file():
            raise ScenarioError(msg("scenario.is_folder" if path.is_dir() else "scenario.no_file"), source)
        if path.stat().st_size > MAX_YAML_BYTES:
            raise ScenarioError(msg("files.too_large", size=path.stat().st_size, limit=MAX_YAML_BYTES), source)
        with path.open("rb") as stream:  # a file that grew since stat() is still read only so far
            data = stream.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(msg("files.unreadable", reason=os_reason(exc)), source) from None
    return parse_scenario(data, package, source=source)


def parse_scenario(data: bytes | str, package: DataPackage, source: str = "scenario") -> Scenario:
    """Parse and validate a scenario document against a data package.

    Parameters
    ----------
    data : bytes or str
        The YAML text.
    package : DataPackage
        Zone, indicator and year ids are checked against it.
    source : str
        Named in every message.

    Raises
    ------
    ScenarioError
        Listing every problem.
    """
    document, lines = load_yaml(data, source, ScenarioError)
    return scenario_from_dict(document, package, source=source, lines=lines)


def scenario_from_dict(
    document: Any, package: DataPackage, source: str = "scenario", lines: Mapping[YamlPath, int] | None = None
) -> Scenario:
    """Validate plain data (as read from YAML or built by the app) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Listing every problem, each with line (when known), field, value and what is allowed.
    """
    lines = dict(lines or {})
    problems = Problems()

    def at(*path: Any) -> Message:
        return located(path, lines.get(tuple(path)))

    if document is None:
        raise ScenarioError(msg("scenario.empty"), source)
    if not isinstance(document, Mapping):
        raise ScenarioError(msg("scenario.not_mapping", kind=kind_of(document)), source)
    for path, text in texts_in(document):
        problem = text_problem(text)
        if problem is not None:
            problems.append(msg("files.at_problem", where=at(*path), problem=problem))
    for key in document:
        if key not in TOP_KEYS:
            problems.append(msg("scenario.unknown_key", where=at(key), name=shown(key),
                                hint="" if problems.full else did_you_mean(key, TOP_KEYS)))

    version = document.get("version")
    if version is None:
        problems.append(msg("scenario.version_missing", where=at(), version=SCHEMA_VERSION))
    elif version != SCHEMA_VERSION or isinstance(version, bool):
        problems.append(msg("scenario.version_unsupported", where=at("version"), value=shown(version),
                            version=SCHEMA_VERSION))

    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(msg("scenario.name_missing", where=at("name") if "name" in document else at(), kind=kind_of(name)))
        name = ""
    texts = {}
    for key in ("name", "name_zh", "description"):
        value = document.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            if key != "name":
                problems.append(msg("scenario.expected_text", where=at(key), kind=kind_of(value)))
            value = ""
        elif len(value) > MAX_TEXT:
            problems.append(msg("scenario.text_too_long", where=at(key), count=len(value), limit=MAX_TEXT))
        texts[key] = value

    year = document.get("year")
    if year is None:
        problems.append(msg("scenario.year_missing", where=at(), years=_years(package)))
    elif isinstance(year, bool) or not isinstance(year, int):
        problems.append(msg("scenario.year_not_whole", where=at("year"), value=shown(year), years=_years(package)))
        year = None
    elif year not in package.years:
        problems.append(msg("scenario.year_not_in_data", where=at("year"), value=shown(year), years=_years(package)))
        year = None

    options = document.get("method") or {}
    if not isinstance(options, Mapping):
        problems.append(msg("scenario.method_not_mapping", where=at("method"), kind=kind_of(options)))
        options = {}
    else:
        try:
            method_from_mapping(options, base=package.method, where=lambda *keys: at("method", *keys))
        except SimError as exc:
            problems.extend(exc.problems)
        options = dict(options)
        if isinstance(options.get("weights"), Mapping):
            indicator_ids = package.indicator_ids
            known = frozenset(indicator_ids)
            for key in options["weights"]:
                if key not in known:
                    hint = "" if problems.full else did_you_mean(key, indicator_ids)
                    problems.append(msg("scenario.unknown_indicator", where=at("method", "weights", key),
                                        value=shown(key), hint=hint))

    interventions = _interventions(document.get("interventions"), package, at, lines, problems)

    link_items = document.get("links")
    if isinstance(link_items, list) and len(link_items) > MAX_LINKS:
        problems.append(msg("scenario.too_many", where=at("links"), count=len(link_items), limit=MAX_LINKS))
        link_items = None
    links, link_problems = parse_links(
        link_items, package.indicator_ids, "links", origin="scenario", line_of=lambda p: lines.get(p)
    )
    problems.extend(link_problems)
    declared = {(link.source, link.target) for link in package.links}
    for index, link in enumerate(links):
        if (link.source, link.target) in declared:
            problems.append(msg("scenario.link_declared", where=at("links", index),
                                source=Ref("indicator", link.source), target=Ref("indicator", link.target)))
    if not link_problems:
        ordered, cycle = link_order([*package.links, *links])
        if ordered is None:
            problems.append(msg("files.at_problem", where=at("links"),
                                problem=msg("links.cycle", cycle=Chain(Ref("indicator", i) for i in cycle))))

    plan, timings = read_plan(document, package, year, lines, problems)

    if problems:
        raise ScenarioError(problems, source)
    return Scenario(
        name=texts["name"],
        name_zh=texts["name_zh"],
        description=texts["description"],
        year=int(year),
        method_options=options,
        interventions=attach_timings(interventions, timings),
        links=tuple(links),
        source=source,
        lines=lines,
        plan=plan,
    )


def _interventions(items: Any, package: DataPackage, at, lines: Mapping, problems: list[str]) -> list[Intervention]:
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(msg("scenario.interventions_not_list", where=at("interventions"), kind=kind_of(items)))
        return []
    if len(items) > MAX_INTERVENTIONS:
        problems.append(msg("scenario.too_many", where=at("interventions"), count=len(items), limit=MAX_INTERVENTIONS))
        return []
    out = []
    zone_ids, indicator_ids = package.zone_ids, package.indicator_ids
    indicator_set = frozenset(indicator_ids)
    for index, item in enumerate(items):
        here = ("interventions", index)
        if not isinstance(item, Mapping):
            problems.append(msg("scenario.intervention_not_mapping", where=at(*here), kind=kind_of(item)))
            continue
        before = problems.total
        for key in item:
            if key not in INTERVENTION_KEYS:
                hint = "" if problems.full else did_you_mean(key, INTERVENTION_KEYS)
                problems.append(msg("scenario.unknown_key", where=at(*here, key), name=shown(key), hint=hint))
        zones = _ids(item, "zone", zone_ids, package.zone_id, at, here, problems, allow_all=True)
        indicators = _ids(item, "indicator", indicator_ids, indicator_set.__contains__, at, here, problems,
                          allow_all=False)
        change: dict[str, float | None] = {"amount": None, "percent": None, "to": None}
        if ("by" in item) == ("to" in item):
            problems.append(msg("scenario.by_and_to" if "by" in item else "scenario.by_or_to", where=at(*here)))
        elif "to" in item:
            change["to"] = _absolute(item["to"], lambda here=here: at(*here, "to"), problems)
        elif isinstance(item["by"], str):
            change["percent"] = _percent(item["by"], lambda here=here: at(*here, "by"), problems)
        else:
            change["amount"] = _absolute(item["by"], lambda here=here: at(*here, "by"), problems)
        note = item.get("note", "")
        if not isinstance(note, str):
            problems.append(msg("scenario.expected_text", where=at(*here, "note"), kind=kind_of(note)))
        if problems.total == before:
            out.append(
                Intervention(
                    zones=zones, indicators=indicators, note=note or "", line=lines.get(here), **change
                )
            )
    return out


def _ids(item, key, known, find, at, here, problems, allow_all) -> tuple[str, ...]:
    """The ids of ``item[key]`` (one or a list); ``find(text)`` gives the id a text names
    (a zone may be named by its id in any case or by a name), else a false value."""
    value = item.get(key)
    if value is None:
        problems.append(msg("scenario.zone_required" if allow_all else "scenario.indicator_required",
                            where=at(*here)))
        return ()
    values = value if isinstance(value, list) else [value]
    if not values:
        problems.append(msg("scenario.empty_list", where=at(*here, key)))
    if len(values) > len(known):  # then some id is unknown or listed twice: say so once
        what = msg("scenario.zones" if key == "zone" else "scenario.indicators")
        problems.append(msg("scenario.id_list_too_long", where=at(*here, key), count=len(values), what=what,
                            known=len(known)))
        return ()
    good: list[str] = []
    for position, single in enumerate(values):
        found = find(single) if isinstance(single, str) else None
        found = single if found is True else found
        if found and found not in good:
            good.append(found)
            continue
        if isinstance(single, str) and allow_all and single == "all" and not isinstance(value, list):
            good.append(single)
            continue
        where = at(*here, key, position) if isinstance(value, list) else at(*here, key)
        if not isinstance(single, str):
            problems.append(msg("scenario.expected_id", where=where, kind=kind_of(single)))
        elif single == "all" and allow_all:
            problems.append(msg("scenario.all_in_list", where=where))
        elif found in good:
            problems.append(msg("scenario.listed_twice", where=where, value=shown(single)))
        else:
            allowed = [*known, "all"] if allow_all else known
            hint = "" if problems.full else did_you_mean(single, allowed)
            problems.append(msg("scenario.unknown_zone" if key == "zone" else "scenario.unknown_indicator",
                                where=where, value=shown(single), hint=hint))
    return tuple(good)


def _absolute(value: Any, where: Callable[[], Message], problems: list[str]) -> float | None:
    """``value`` when it is a number within range, else None and a problem at ``where()``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(msg("scenario.not_a_number_text" if isinstance(value, str) else "scenario.not_a_number",
                            where=where(), kind=kind_of(value)))
        return None
    if not is_bounded_number(value, MAX_ABSOLUTE):
        problems.append(msg("scenario.number_out_of_range", where=where(), kind=kind_of(value), limit=MAX_ABSOLUTE))
        return None
    return value


def _percent(text: str, where: Callable[[], Message], problems: list[str]) -> float | None:
    """The percentage of ``"+10%"``, else None and a problem at ``where()``."""
    match = _PERCENT.match(text)
    if not match:
        problems.append(msg("scenario.not_a_percent", where=where(), value=shown(text)))
        return None
    value = float(match.group(1))
    if not (MIN_PERCENT <= value <= MAX_PERCENT):
        problems.append(msg("scenario.percent_out_of_range", where=where(), value=shown(text), low=MIN_PERCENT,
                            high=MAX_PERCENT))
        return None
    return value


def format_percent(value: float) -> str:
    """Canonical text of a relative change: ``+100%``, ``-12.5%``.

    Examples
    --------
    >>> format_percent(100.0), format_percent(-12.5), format_percent(0)
    ('+100%', '-12.5%', '+0%')
    """
    return ("+" if value >= 0 else "-") + _number_text(abs(value)) + "%"


def _number_text(value: float | None) -> str:
    """Shortest text that reads back as the same float (no trailing .0)."""
    if value is None:
        return ""
    text = repr(float(value))
    return text.removesuffix(".0")


def _plain_number(value: float | None) -> int | float | None:
    """Whole numbers as int, so files say ``by: 3`` rather than ``by: 3.0``."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)




def dump_scenario(scenario: Scenario) -> str:
    """The canonical YAML text of a scenario (cache keys, share links; files add a comment:
    :func:`scenario_file_text`)."""
    return dump_yaml(scenario.to_dict())


def scenario_file_text(scenario: Scenario, package: DataPackage | None = None, lang: str = "zh") -> str:
    """What a saved scenario file holds: a comment with the data's provenance line (when the
    package is known), then the canonical YAML.

    The comment is read as nothing, so the file loads back to the same scenario, and
    saving that again with the same package and language gives the same bytes.

    Examples
    --------
    >>> from sim.data import load_package
    >>> package = load_package()
    >>> text = scenario_file_text(baseline_scenario(package), package, "en")
    >>> text.splitlines()[0].startswith("# Data: reconstructed by zonesim calibrate")
    True
    >>> parse_scenario(text, package).to_dict() == baseline_scenario(package).to_dict()
    True
    """
    if package is None:
        return dump_scenario(scenario)
    from sim.provenance import provenance_line

    line = " ".join(provenance_line(package, lang, year=scenario.year).split())  # one line, whatever the source says
    return f"# {line}\n" + dump_scenario(scenario)


def save_scenario(scenario: Scenario, path: str | Path, force: bool = False, package: DataPackage | None = None,
                  lang: str = "zh") -> Path:
    """Write a scenario file atomically; an existing file is kept unless ``force``. With
    ``package``, the file opens with the data's provenance line (:func:`scenario_file_text`)."""
    return write_atomic(path, scenario_file_text(scenario, package, lang), force=force)


def _years(package: DataPackage) -> str:
    return ", ".join(map(str, package.years))
