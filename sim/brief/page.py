"""The brief as one self-contained web page: no script, no link, images inlined.

The page needs no network to be read: the stylesheet is inlined (``brief.css`` beside
this module), the charts are SVG ``data:`` URIs (PNG when no SVG was made), and there
is no script at all. It
prints on A4 (``@page``), with headings kept with what follows and figures and table
rows never split. Every text is escaped: scenario names and descriptions are the
user's text, never markup.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from sim import __version__
from sim.brief.model import Brief, Bullets, Figure, Paragraph, Section, Table, Verbatim

STYLESHEET = Path(__file__).resolve().parent / "brief.css"


def render_html(brief: Brief) -> str:
    """The brief as the text of one HTML file (figures must be rendered)."""
    lang = "zh-CN" if brief.lang == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="zonesim {escape(__version__)}">',
        f"<title>{escape(brief.title)}</title>",
        f"<style>\n{STYLESHEET.read_text(encoding='utf-8')}</style>",
        "</head>",
        "<body>",
        '<main class="brief">',
        f'<header><h1>{escape(brief.title)}</h1><p class="byline">{escape(brief.byline)}</p></header>',
    ]
    for section in brief.sections:
        parts += _section(section, level=2)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _section(section: Section, level: int) -> list[str]:
    anchor = f' id="{escape(section.key)}"' if section.key and level == 2 else ""
    out = [f"<section{anchor}>", f"<h{level}>{escape(section.heading)}</h{level}>"]
    for block in section.blocks:
        out.append(_block(block))
    for sub in section.subsections:
        out += _section(sub, level + 1)
    out.append("</section>")
    return out


def _block(block) -> str:
    if isinstance(block, Paragraph):
        if block.kind == "quote":
            return f"<blockquote>{escape(block.text)}</blockquote>"
        css = f' class="{block.kind}"' if block.kind != "body" else ""
        return f"<p{css}>{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        # SVG as an image, not inline: sharp in print and small, and each chart keeps its
        # own ids (inline, the clip paths of several Vega charts would collide).
        if block.svg:
            source = "data:image/svg+xml;base64," + base64.b64encode(block.svg.encode("utf-8")).decode("ascii")
        else:
            source = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        size = ""
        if block.width_px:
            size = f' width="{block.width_px}" height="{block.height_px}"'
        return (f'<figure data-key="{escape(block.key)}"><img src="{source}"{size} '
                f'alt="{escape(block.caption)}"><figcaption>{escape(block.caption)}</figcaption></figure>')
    if isinstance(block, Verbatim):
        return (f'<figure class="file"><figcaption>{escape(block.caption)}</figcaption>'
                f"<pre><code>{escape(block.text)}</code></pre></figure>")
    raise TypeError(f"no HTML for {type(block).__name__}")


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
    rows = []
    for row in block.rows:
        cells = "".join(
            f'<td class="num">{_cell(value)}</td>' if numeric else f"<td>{_cell(value)}</td>"
            for value, numeric in zip(row, block.numeric)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table data-key="{escape(block.key)}"><caption>{escape(block.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _cell(value: str) -> str:
    """A cell's text, its line breaks kept."""
    return "<br>".join(escape(line) for line in value.split("\n"))
