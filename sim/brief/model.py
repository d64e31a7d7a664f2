"""The brief as a document: sections of paragraphs, lists, tables, figures and files.

The content of a brief (:mod:`sim.brief.content`) is built once, in the reader's
language, as these plain objects; the Word writer (:mod:`sim.brief.word`) and the web
page writer (:mod:`sim.brief.page`) only lay them out. So both formats always carry the
same text, tables and numbers, and a new kind of section (the year-by-year table of a
plan) is one more :class:`Section` built from the same blocks, with no change to either
writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

#: Paragraph kinds: ``body`` text, the ``lead`` question, a ``quote`` of the user's
#: description, a ``caution`` (the reconstructed-data caveat), a ``note`` in small type.
PARAGRAPH_KINDS = ("body", "lead", "quote", "caution", "note")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text (never markup: writers escape it)."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Bullets:
    """An unordered list of short texts."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A real table: a header row and text cells, numbers already formatted.

    Attributes
    ----------
    headers : tuple of str
    rows : tuple of tuple of str
        A cell may hold a line break (``\\n``), kept by both writers.
    numeric : tuple of bool
        Per column: right-aligned numbers.
    caption : str
        Shown above the table ("Table 2. Ranking before and after").
    key : str
        What the table is (``ranking``, ``comparison``, ``changes``...): not shown,
        written as the table's id in HTML and its description in Word, so tests and
        tools find it without reading captions.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""
    key: str = ""


@dataclass
class Figure:
    """A chart: its Vega-Lite spec and, once rendered, its PNG.

    Attributes
    ----------
    spec : dict
        The Vega-Lite spec of a chart builder of :mod:`sim.charts`.
    caption : str
    key : str
        What the chart is (``scores``, ``groups``, ``ranks``).
    svg : str
    png : bytes
        The rendered chart (either or both), filled by
        :func:`sim.brief.figures.render_figures`.
    width_px, height_px : int
        The chart's size in CSS pixels (the PNG has ``SCALE`` times as many).
    """

    spec: dict[str, Any]
    caption: str
    key: str
    svg: str = ""
    png: bytes = b""
    width_px: int = 0
    height_px: int = 0


@dataclass(frozen=True)
class Verbatim:
    """A file shown exactly as it is (the appendix): monospaced, lines kept."""

    text: str
    caption: str


Block = Union[Paragraph, Bullets, Table, Figure, Verbatim]


@dataclass
class Section:
    """A heading (a level-1 entry of the document outline) and its blocks.

    ``subsections`` are level-2 headings (one scenario of a comparison).
    """

    heading: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    key: str = ""


@dataclass
class Brief:
    """A whole brief.

    Attributes
    ----------
    lang : {"zh", "en"}
    title : str
    byline : str
        Date and program version under the title.
    sections : list of Section
    """

    lang: str
    title: str
    byline: str
    sections: list[Section]

    def figures(self) -> list[Figure]:
        """Every figure, in document order."""
        return [block for section in self.walk() for block in section.blocks if isinstance(block, Figure)]

    def tables(self) -> list[Table]:
        """Every table, in document order."""
        return [block for section in self.walk() for block in section.blocks if isinstance(block, Table)]

    def walk(self) -> list[Section]:
        """Every section and subsection, in document order."""
        out: list[Section] = []

        def visit(section: Section) -> None:
            out.append(section)
            for sub in section.subsections:
                visit(sub)

        for section in self.sections:
            visit(section)
        return out
