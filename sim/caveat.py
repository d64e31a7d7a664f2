"""The data's provenance line: are the numbers reconstructed or observed? In the reader's language.

The app writes this line under its title and under every chart (:mod:`sim.chart_style`),
so that a screenshot or a downloaded chart of reconstructed data never passes for
official statistics. It reads a run's ``provenance`` (:func:`sim.engine.provenance`):
values whose ``source`` carries one of the brief's reconstruction markers
(:data:`sim.brief.content.RECONSTRUCTED_MARKERS`) are counted as reconstructed.

This is the one function to switch when the library's own provenance line arrives.

Examples
--------
>>> from sim.data import load_package
>>> package_line(load_package(), 2020, "en")[:47]
'Data: 119 of the 125 values of 2020 are estimat'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.data import DataPackage
from sim.messages import text


def reconstructed_count(provenance: Mapping[str, Any]) -> tuple[int, int]:
    """How many of the values are reconstructed, and how many there are."""
    from sim.provenance import is_reconstructed  # the one test of a reconstructed source (main's msgs)

    counts = provenance.get("source_counts") or {}
    marked = sum(n for source, n in counts.items() if is_reconstructed(str(source)))
    return int(marked), int(provenance.get("values", sum(counts.values())))


def provenance_line(provenance: Mapping[str, Any], year: int, lang: str, short: bool = False) -> str:
    """One sentence: all, some or none of the year's values reconstructed (not official statistics).

    ``short``: the footer of a chart (the same facts in fewer words).
    """
    marked, total = reconstructed_count(provenance)
    kind = "all" if total and marked == total else "some" if marked else "none"
    return text(f"ui.caveat_{'chart_' if short else ''}{kind}", lang, year=year, count=marked, total=total)


def package_line(package: DataPackage, year: int, lang: str, short: bool = False) -> str:
    """:func:`provenance_line` of a data package's year."""
    from sim.engine import provenance

    return provenance_line(provenance(package, year), year, lang, short)
