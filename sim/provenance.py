"""Where the numbers come from, said in one line that travels with every table.

The shipped baseline is a reconstruction (``zonesim calibrate``), not official
statistics, and every place a person sees numbers says so: the command line's tables,
CSV, Excel and YAML exports, the app's main view and chart footers, the brief. They all
take the line from :func:`provenance_line`, built from the ``source`` column of
``baseline.csv``: sources that ``zonesim calibrate`` writes are recognised and said in
the reader's language; any other source (official statistics a user supplies) is shown
as its file writes it.

Examples
--------
>>> from sim.data import load_package
>>> line = provenance_line(load_package(), "en")
>>> line.startswith("Data: reconstructed by zonesim calibrate"), "not official statistics" in line
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sim.messages import msg, render

#: ``source`` of a value reconstructed by ``zonesim calibrate`` (written by sim.calibrate.rebuild).
SOURCE_RECONSTRUCTED = (
    "reconstructed by `zonesim calibrate` (seed {seed}) to reproduce the paper's Table 1 weights "
    "and published scores; not an official statistic"
)
#: ``source`` of a public figure that ``zonesim calibrate`` keeps exactly.
SOURCE_PINNED = "public figure: {what}; kept exactly by `zonesim calibrate` (seed {seed})"
#: Words in a value's ``source`` that mark it as reconstructed rather than observed
#: (``zonesim calibrate`` writes the first two; a user's own package may write the others).
RECONSTRUCTED_MARKERS = ("reconstructed", "not an official statistic", "重建", "非官方")

_RECONSTRUCTED = re.compile(
    "^" + re.escape(SOURCE_RECONSTRUCTED).replace(re.escape("{seed}"), r"(?P<seed>\d+)") + "(?P<rest>.*)$", re.S
)
_PINNED = re.compile(
    "^" + re.escape(SOURCE_PINNED).replace(re.escape("{what}"), "(?P<what>.*)").replace(re.escape("{seed}"),
                                                                                        r"(?P<seed>\d+)")
    + "(?P<rest>.*)$", re.S,
)


def is_reconstructed(source: str) -> bool:
    """Whether a value's ``source`` says it is reconstructed rather than observed."""
    lowered = source.lower()
    return any(marker in lowered for marker in RECONSTRUCTED_MARKERS)


def describe_source(source: str, lang: str = "en") -> str:
    """A ``source`` in the reader's language: ``zonesim calibrate``'s own texts as a sentence,
    any other text as written.

    Examples
    --------
    >>> describe_source(SOURCE_RECONSTRUCTED.format(seed=0), "zh")
    '由 zonesim calibrate 重建（随机种子 0），用以复现论文表 1 的权重和公布的得分，不是官方统计数据'
    >>> describe_source("NBS yearbook 2021", "zh")
    'NBS yearbook 2021'
    """
    found = _RECONSTRUCTED.match(source)
    if found:
        return render(msg("report.source_reconstructed", seed=int(found["seed"])), lang)
    found = _PINNED.match(source)
    if found:
        return render(msg("report.source_pinned", what=found["what"], seed=int(found["seed"])), lang)
    return source


def data_summary(provenance: Mapping[str, Any], lang: str = "en") -> str:
    """Where a year's values come from: the main source and the rest (the words of
    :func:`provenance_line`).

    Parameters
    ----------
    provenance : mapping
        ``values`` (how many) and ``source_counts`` (source text -> count, most common
        first), as :func:`sim.engine.provenance` gives.

    Examples
    --------
    >>> data_summary({"values": 5, "source_counts": {"survey": 4, "press": 1}})
    'survey (4 of 5 values); 1 value from 1 other source'
    >>> data_summary({"values": 5, "source_counts": {"survey": 4, "press": 1}}, "zh")
    'survey（5 个数值中的 4 个）；另有 1 个数值来自其他 1 个来源'
    """
    counts = provenance.get("source_counts") or {}
    if not counts:
        return render(msg("report.no_source"), lang)
    total = int(provenance.get("values", sum(counts.values())))
    reconstructed = {source: n for source, n in counts.items() if is_reconstructed(source)}
    pinned = {source: n for source, n in counts.items() if source not in reconstructed and _PINNED.match(source)}
    # The reconstruction leads when there is one: it is what a reader must not take for facts.
    group = reconstructed or {next(iter(counts)): next(iter(counts.values()))}
    first = next(iter(group))
    found = _RECONSTRUCTED.match(first)
    main_text = render(msg("report.source_reconstructed", seed=int(found["seed"])), lang) if found else \
        describe_source(first, lang)
    summary = msg("report.main_source", source=main_text, count=sum(group.values()), total=total)
    if pinned:
        summary = msg("report.and_public_figures", main=summary, count=sum(pinned.values()))
    others = {source: n for source, n in counts.items() if source not in group and source not in pinned}
    if others:
        summary = msg("report.and_other_sources", main=summary, count=sum(others.values()),
                      others=msg("report.other_sources", count=len(others)))
    return render(summary, lang)


def _provenance_of(source: Any, year: int | None = None) -> tuple[Mapping[str, Any], int | None]:
    """A provenance mapping and its year from a data package, a Result or a mapping."""
    if isinstance(source, Mapping):
        return source, year
    if hasattr(source, "provenance") and isinstance(source.provenance, Mapping):
        return source.provenance, getattr(source, "year", year)
    from sim.engine import provenance as package_provenance

    year = source.years[-1] if year is None else source.check_year(year)
    return package_provenance(source, year), year


def provenance_line(source: Any, lang: str = "en", year: int | None = None) -> str:
    """The data's provenance in one line, for every table, chart and export.

    Parameters
    ----------
    source : DataPackage, Result, or mapping
        A data package (the line of ``year``, default its latest), a
        :class:`~sim.engine.Result` (the line of its year), or a provenance mapping
        (:func:`sim.engine.provenance`).
    lang : {"zh", "en"}
    year : int, optional
        For a data package.

    Examples
    --------
    >>> provenance_line({"values": 2, "source_counts": {"国家统计局 2021": 2}}, "zh")
    '数据来源：国家统计局 2021（2 个数值中的 2 个）'
    """
    provenance, _ = _provenance_of(source, year)
    return render(msg("report.provenance_line", summary=data_summary(provenance, lang)), lang)


def reconstructed_count(provenance: Mapping[str, Any]) -> tuple[int, int]:
    """How many of the values are reconstructed (:func:`is_reconstructed`), and how many there are.

    Examples
    --------
    >>> reconstructed_count({"values": 5, "source_counts": {"reconstructed by me": 4, "survey": 1}})
    (4, 5)
    """
    counts = provenance.get("source_counts") or {}
    marked = sum(n for source, n in counts.items() if is_reconstructed(str(source)))
    return int(marked), int(provenance.get("values", sum(counts.values())))


def chart_footer(source: Any, lang: str = "en", year: int | None = None) -> str:
    """:func:`provenance_line` in few words, for the footer of a chart: all, some or none
    of the values reconstructed (a chart is narrow; the full line is under the app's title).

    ``source`` and ``year`` as for :func:`provenance_line`; a mapping needs ``year``.

    Examples
    --------
    >>> chart_footer({"values": 5, "source_counts": {"reconstructed by me": 4, "survey": 1}}, "en", 2020)
    'Data: 4 of 5 values (2020) are reconstructed estimates, not official statistics'
    >>> chart_footer({"values": 5, "source_counts": {"survey": 5}}, "zh", 2020)
    '数据：2020 年基准值，来源见数据包'
    """
    provenance, year = _provenance_of(source, year)
    marked, total = reconstructed_count(provenance)
    kind = "all" if total and marked == total else "some" if marked else "none"
    return render(msg(f"report.chart_footer_{kind}", year=year, count=marked, total=total), lang)
