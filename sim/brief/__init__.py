"""The planner's brief: a scenario, or several side by side, as a Word document or one web page.

``zonesim report S.yaml [T.yaml ...] --out brief.docx|brief.html`` (:mod:`sim.brief.cli`)
and the app's download button both call :func:`make_brief`:

1. :func:`sim.brief.content.build_brief` runs the scenarios and writes every text,
   table and chart spec of the brief once, in the reader's language
   (:mod:`sim.brief.model`);
2. :func:`sim.brief.figures.render_figures` renders the charts, the app's own Altair
   specs, to PNG with vl-convert (no browser), with a Chinese font registered;
3. :func:`sim.brief.word.render_docx` or :func:`sim.brief.page.render_html` lays it out.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import baseline_scenario
>>> package = load_package()
>>> page = make_brief(package, [ScenarioInput.from_scenario(baseline_scenario(package))], "html", "en")
>>> page.startswith("<!DOCTYPE html>") and "https://" not in page
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sim.brief.content import ScenarioInput, build_brief
from sim.brief.figures import render_figures
from sim.brief.page import render_html
from sim.brief.word import render_docx
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import msg
from sim.yamlio import write_atomic

#: File name endings and the format they ask for.
SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html"}

__all__ = ["SUFFIXES", "ScenarioInput", "brief_format", "build_brief", "make_brief", "write_brief"]


def brief_format(path: str | Path) -> str:
    """``docx`` or ``html`` from a file name; a :class:`UsageError` for anything else."""
    kind = SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise UsageError(msg("brief.bad_out", path=str(path)))
    return kind


def make_brief(
    package: DataPackage,
    inputs: Sequence[ScenarioInput],
    kind: str,
    lang: str = "zh",
    date: dt.date | None = None,
    robustness: Sequence[object | None] | None = None,
) -> bytes | str:
    """The brief as ``.docx`` bytes (``kind="docx"``) or HTML text (``kind="html"``).

    Parameters are those of :func:`sim.brief.content.build_brief`.
    """
    if kind not in ("docx", "html"):
        raise ValueError(f"unknown brief format {kind!r}")
    brief = build_brief(package, inputs, lang, date, robustness)
    render_figures(brief.figures(), kinds=("png",) if kind == "docx" else ("svg",))
    return render_docx(brief) if kind == "docx" else render_html(brief)


def write_brief(
    path: str | Path,
    package: DataPackage,
    inputs: Sequence[ScenarioInput],
    lang: str = "zh",
    force: bool = False,
    date: dt.date | None = None,
    robustness: Sequence[object | None] | None = None,
) -> Path:
    """Make the brief in the format its file name asks for and save it atomically.

    Raises
    ------
    SimError
        The file exists (without ``force``), cannot be written, or its name does not
        end in ``.docx`` or ``.html``; nothing is written then.
    """
    content = make_brief(package, inputs, brief_format(path), lang, date, robustness)
    return write_atomic(path, content, force=force)
