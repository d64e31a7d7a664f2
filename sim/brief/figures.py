"""Charts of the brief as PNG (Word) or SVG (web page), drawn in-process from the app's Altair specs.

The specs come from the builders of :mod:`sim.charts` (the app's charts, not copies);
`vl-convert <https://github.com/vega/vl-convert>`_ renders them without a browser.
Chinese labels need a font with CJK glyphs: the Noto CJK fonts that
``scripts/setup.sh`` installs from Debian (``fonts-noto-cjk``). vl-convert finds the
fonts fontconfig knows, and :func:`register_cjk_fonts` also registers the usual
folders (and those of ``ZONESIM_FONT_DIRS``) by hand, so that a font installed outside
fontconfig's view still works. Without any CJK font, Chinese would come out as empty
boxes: :func:`render_figures` refuses then, saying what to install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from sim.brief.model import Figure
from sim.errors import SimError
from sim.messages import msg

#: Folders searched for CJK fonts, besides those of ``ZONESIM_FONT_DIRS``
#: (``os.pathsep``-separated): Debian's fonts-noto-cjk, fonts-wqy-*, and a user's own.
CJK_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/source-han-sans",
    "/usr/share/fonts/truetype/wqy",
    "~/.local/share/fonts",
)
#: File names that hold Chinese glyphs, in order of preference.
_CJK_FILE = re.compile(r"(NotoSansCJK|NotoSerifCJK|SourceHanSans|wqy).*\.(ttc|otf|ttf)$", re.IGNORECASE)
#: The chart font when Noto Sans CJK is there: its simplified-Chinese face, so Han
#: characters take their mainland shapes rather than the first CJK face found.
CJK_FAMILY = "Noto Sans CJK SC"
#: Pixels per chart pixel: sharp in print at the width the writers give a figure.
SCALE = 2.0
#: Chart width in chart pixels (the app lets them fill the page instead).
CHART_WIDTH = 520
#: A Chinese (or other CJK) character, full-width punctuation included.
CJK_TEXT = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def font_dirs() -> list[Path]:
    """The existing folders that hold a CJK font, ``ZONESIM_FONT_DIRS`` first."""
    extra = [d for d in os.environ.get("ZONESIM_FONT_DIRS", "").split(os.pathsep) if d]
    found = []
    for folder in [*extra, *CJK_FONT_DIRS]:
        path = Path(folder).expanduser()
        if path.is_dir() and any(_CJK_FILE.search(f.name) for f in path.rglob("*") if f.is_file()):
            found.append(path)
    return found


@cache
def register_cjk_fonts() -> tuple[Path, ...]:
    """Register the CJK font folders with vl-convert, once per process.

    Returns
    -------
    tuple of Path
        The folders registered (empty: none found; fontconfig's may still have one).
    """
    import vl_convert

    folders = tuple(font_dirs())
    for folder in folders:
        vl_convert.register_font_directory(str(folder))
    return folders


@cache
def _fontconfig_has_cjk() -> bool:
    """Whether fontconfig (which vl-convert reads too) knows a Chinese font."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    try:
        listing = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(listing.stdout.strip())


@cache
def chart_font() -> str | None:
    """The font family the charts ask for: Noto Sans CJK SC when there, else the default."""
    registered = register_cjk_fonts()
    return CJK_FAMILY if any("noto" in str(folder).lower() for folder in registered) or _fontconfig_has_cjk() else None


def prepared_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with the brief's width and, when it has Chinese text, the CJK font (a copy).

    The fonts are registered only for such a spec: a CJK font in the font list makes
    every chart several times slower to draw (measured: 0.07 s against 0.24 s for an
    English group chart), even one without a single Chinese character.
    """
    out = dict(spec)
    if "width" not in out and not any(k in out for k in ("hconcat", "vconcat", "concat", "facet")):
        out["width"] = CHART_WIDTH
    if needs_cjk(spec):
        register_cjk_fonts()
        font = chart_font()
        if font:
            out["config"] = {**out.get("config", {}), "font": font}
    return out


def render_svg(spec: dict[str, Any]) -> str:
    """One Vega-Lite spec as SVG text."""
    import vl_convert

    return vl_convert.vegalite_to_svg(prepared_spec(spec))


def render_png(spec: dict[str, Any], scale: float = SCALE) -> bytes:
    """One Vega-Lite spec as PNG bytes (Chinese text drawn with the CJK font)."""
    import vl_convert

    return vl_convert.vegalite_to_png(prepared_spec(spec), scale=scale)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])


def needs_cjk(spec: dict[str, Any]) -> bool:
    """Whether a spec has Chinese (or other CJK) text."""
    return bool(CJK_TEXT.search(json.dumps(spec, ensure_ascii=False)))


def render_figures(figures: Sequence[Figure], kinds: Sequence[str] = ("png",)) -> None:
    """Render every figure's spec, in place: PNG (for Word) and/or SVG (for the web page).

    One chart after the other: vl-convert's JavaScript engine draws one at a time, so
    threads only add contention (measured: 2.8 s serial, 3.5 s with two threads, for
    the 13 charts of six scenarios). Each format costs a drawing; ask only for those needed.

    Raises
    ------
    SimError
        A chart has Chinese text and no CJK font is installed.
    """
    if any(needs_cjk(f.spec) for f in figures) and not register_cjk_fonts() and not _fontconfig_has_cjk():
        raise SimError(msg("brief.no_cjk_font"))
    for figure in figures:
        if "png" in kinds:
            figure.png = render_png(figure.spec)
            width, height = png_size(figure.png)
            figure.width_px, figure.height_px = round(width / SCALE), round(height / SCALE)
        if "svg" in kinds:
            figure.svg = render_svg(figure.spec)
            if not figure.width_px:
                figure.width_px, figure.height_px = svg_size(figure.svg)


def svg_size(svg: str) -> tuple[int, int]:
    """Width and height of a Vega SVG, from its root element."""
    found = re.search(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"', svg)
    return (round(float(found.group(1))), round(float(found.group(2)))) if found else (0, 0)
