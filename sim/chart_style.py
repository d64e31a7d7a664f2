"""How every chart of the app (and of the brief) looks: colours, label rule, footer.

One home for the choices that must agree across charts, languages and screen widths:

Colours
    :func:`zone_colors` gives **one fixed colour per zone**, keyed by zone id (the
    zone's position in the data package's zone list picks it from
    :data:`ZONE_COLORS`), so a zone has the same colour in every chart and in both
    languages; any chart that colours zones uses :func:`zone_scale`. Text and lines
    (axis labels, titles, zone lines and their labels, the footer) have a contrast of
    at least 4.5:1 against the white background (WCAG AA, :func:`contrast`); bars and
    cells at least 3:1 (WCAG's non-text contrast). ``tests/test_charts.py`` computes
    both from these constants.

Long names (the documented rule)
    :func:`wrap_label`: a name wider than the chart's budget (in display columns, a
    Chinese character counting two) is broken into at most two lines, between words
    in English and between characters in Chinese (never inside a Latin word such as
    "R&D"); what still does not fit ends with "…". The axes draw the lines
    (:data:`LINE_BREAK_LABELS`); tooltips keep the full name.

Footer
    :func:`with_footer` writes the data's provenance line (reconstructed or not, see
    :func:`sim.provenance.chart_footer`) under the chart, right-aligned, wrapped the same way: a
    downloaded or cropped chart still says where its numbers come from.

Sizes
    Axis paddings and fonts are set here (not left to the app's theme), so the
    footer's place under the x axis is known: :data:`FOOTER_BELOW`. A chart with its
    footer fills the width it is given and takes the height it needs
    (``autosize: fit-x``): its plot keeps its height whatever the legend and footer take.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import altair as alt
import pandas as pd

#: Text on charts: Streamlit's text colour (12.6:1 on white).
TEXT_COLOR = "#31333f"
#: Secondary text (the footer, light labels): 7.0:1 on white.
MUTED_COLOR = "#555762"
#: The chart background the contrasts are computed against.
BACKGROUND = "#ffffff"
#: Zone colours, in the order of the package's zones (then again from the start).
#: Dark enough for lines and text on white (each at least 4.5:1), told apart by hue.
ZONE_COLORS = (
    "#1f5a96",  # blue
    "#b4460b",  # burnt orange
    "#2c7a32",  # green
    "#a3153e",  # crimson
    "#6a3d9a",  # purple
    "#006d77",  # teal
    "#7a5c00",  # ochre
    "#c2185b",  # magenta
    "#4d4d4d",  # grey
    "#3949ab",  # indigo
)
#: Colours of the indicator groups (bars; each at least 3:1 on white).
GROUP_COLORS = ("#3e6d9c", "#c0630f", "#3f8a3a", "#c23b3d", "#2f8c86", "#8a6d00", "#8e5c9e", "#c0427a")
#: Baseline and scenario bars; bars that go up or down.
BASELINE_COLOR, SCENARIO_COLOR = "#8a8580", "#1f5a96"
UP_COLOR, DOWN_COLOR = "#2c7a32", "#c23b3d"
#: The two standard steps of the lever chart (+10 %, +1 sd).
STEP_COLORS = ("#1f5a96", "#5b87b8")
#: The two parts of a score change (data, weights).
PART_COLORS = ("#1f5a96", "#c0630f")
#: Sequential ramps of the heatmaps (light to dark, interpolated in RGB): green for
#: probabilities, blue for gains. The lightest is still visibly tinted: an exact 0 is
#: drawn in :data:`ZERO_FILL` instead, so 0 % never looks like 1 %.
GREEN_RAMP = ("#d9f0d3", "#5aae61", "#00441b")
BLUE_RAMP = ("#d6e6f4", "#4a98c9", "#08306b")
ZERO_FILL = "#ffffff"
#: Grid and cell borders.
RULE_COLOR = "#d5d7dd"

#: Axis paddings and fonts (px): they fix where the x axis ends, hence the footer's place.
AXIS_STYLE = {"labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR, "labelFontSize": 11, "titleFontSize": 12,
              "labelPadding": 4, "titlePadding": 6, "labelFlush": True}
#: Pixels from the bottom of the plot to the footer: axis labels and title, and a gap.
FOOTER_BELOW = 44
#: The same under an x axis whose labels may take two lines.
FOOTER_BELOW_TWO_LINES = 58
#: An axis label expression that draws ``\n`` in a label as a line break (see :func:`wrap_label`).
LINE_BREAK_LABELS = "split(datum.label, '\\n')"
#: Label budgets in display columns (a Chinese character counts two).
NAME_COLUMNS = 26   # indicator and zone names on an axis
TITLE_COLUMNS = 30  # chart titles: a half-width chart at 1024 px is about 250 px wide
WIDE_TITLE_COLUMNS = 44  # titles of charts that span the page
FOOTER_COLUMNS = 42  # the footer line, at 10 px
#: Pixels right of a chart's plot: half the widest x-axis label ("−0.25", "100%") fits.
RIGHT_PADDING = 16
#: Widest label an axis draws (px): two lines of NAME_COLUMNS at 11 px fit.
LABEL_LIMIT = 170


# --------------------------------------------------------------------------- colours


def zone_colors(zone_ids: Sequence[str]) -> dict[str, str]:
    """One colour per zone id, by its place in the package's zone list (the same in every chart).

    Examples
    --------
    >>> zone_colors(["beijing", "shanghai"])["shanghai"]
    '#b4460b'
    """
    return {zone: ZONE_COLORS[position % len(ZONE_COLORS)] for position, zone in enumerate(zone_ids)}


def zone_scale(zone_ids: Sequence[str]) -> alt.Scale:
    """The colour scale of a chart that colours zones: its field must hold zone **ids**."""
    colors = zone_colors(zone_ids)
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def _channels(color: str) -> tuple[float, float, float]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(color)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = BACKGROUND) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21).

    Examples
    --------
    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_on(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (always at least 4.5:1)."""
    return "#000000" if contrast("#000000", fill) >= contrast("#ffffff", fill) else "#ffffff"


def ramp_color(ramp: Sequence[str], value: float) -> str:
    """The colour at ``value`` (0 to 1) of a ramp interpolated in RGB, as Vega draws it."""
    value = min(max(float(value), 0.0), 1.0)
    segments = len(ramp) - 1
    position = min(int(value * segments), segments - 1)
    local = value * segments - position
    a, b = _channels(ramp[position]), _channels(ramp[position + 1])
    return "#" + "".join(f"{round(255 * (x + (y - x) * local)):02x}" for x, y in zip(a, b))


def ramp_scale(ramp: Sequence[str], domain: Sequence[float]) -> alt.Scale:
    """A continuous colour scale over ``domain`` along ``ramp``, interpolated as :func:`ramp_color` does."""
    low, high = domain
    stops = [low + (high - low) * k / (len(ramp) - 1) for k in range(len(ramp))]
    return alt.Scale(domain=stops, range=list(ramp), interpolate="rgb", clamp=True)


# --------------------------------------------------------------------------- names that fit


def display_width(text: str) -> int:
    """Columns a text takes: a Chinese (wide) character counts two."""
    from sim.report import text_width

    return text_width(text)


#: Marks that close a phrase: they stay on the line of what they close.
CLOSING = "）」』》〉】，。、；：！？)%"


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: words (with a trailing space or hyphen), single Chinese characters."""
    pieces: list[str] = []
    word = ""
    for char in text:
        if char in CLOSING and (word or pieces):  # a line never starts with a closing mark (Chinese line-breaking)
            if word:
                word += char
            else:
                pieces[-1] = pieces[-1].rstrip() + char
        elif display_width(char) == 2:
            if word:
                pieces.append(word)
                word = ""
            pieces.append(char)
        elif char in " -":
            pieces.append(word + char)
            word = ""
        else:
            word += char
    if word:
        pieces.append(word)
    return pieces


def wrap_label(text: str, columns: int = NAME_COLUMNS, lines: int = 2) -> str:
    """``text`` in at most ``lines`` lines of ``columns`` display columns, joined by ``\\n``.

    Breaks after a space or a hyphen in English and between Chinese characters; a
    word longer than a line is cut; what does not fit in the last line ends with "…".

    Examples
    --------
    >>> wrap_label("Enterprise spending on industry-university-research R&D")
    'Enterprise spending on\\nindustry-university-resea…'
    >>> wrap_label("企业开展产学研合作研发费用支出", 12)
    '企业开展产学\\n研合作研发…'
    >>> wrap_label("Shenzhen")
    'Shenzhen'
    >>> wrap_label("求得的调整（幅度，占初始值的 %）", 30)
    '求得的调整（幅度，占初始值的\\n%）'
    """
    text = " ".join(str(text).split())
    if display_width(text) <= columns:
        return text
    pieces: list[str] = []
    for piece in _tokens(text):  # a word longer than a line is cut into pieces that fit
        while display_width(piece.rstrip()) > columns:
            head = _fit(piece, columns)
            pieces.append(head)
            piece = piece[len(head):]
        pieces.append(piece)
    out: list[list[str]] = [[]]
    for piece in pieces:
        if out[-1] and display_width(("".join(out[-1]) + piece).rstrip()) > columns:
            out.append([])
        out[-1].append(piece)
    if len(out) > lines:
        rest = "".join(piece for line in out[lines - 1:] for piece in line).strip()
        out = out[:lines - 1] + [[_fit(rest, columns - 1).rstrip() + "…"]]
    return "\n".join("".join(line).strip() for line in out)


def _fit(text: str, columns: int) -> str:
    """The longest start of ``text`` that takes at most ``columns`` columns."""
    taken = 0
    for position, char in enumerate(text):
        taken += display_width(char)
        if taken > columns:
            return text[:position]
    return text


def wrapped(names: Iterable[str], columns: int = NAME_COLUMNS) -> list[str]:
    """:func:`wrap_label` of each name, kept distinct (a clash gets a numbered suffix)."""
    out: list[str] = []
    for name in names:
        label = wrap_label(name, columns)
        while label in out:
            label += "\u200b"  # two names that shorten alike stay two categories
        out.append(label)
    return out


# --------------------------------------------------------------------------- axes, legends, titles, footer


def axis(names: str | None = None, **options: Any) -> alt.Axis:
    """An axis in the shared style.

    Parameters
    ----------
    names : {"x", "y"}, optional
        A category axis of names wrapped by :func:`wrap_label`: its labels keep their
        line breaks, and on a y axis a two-line label is centred on its band.
    **options
        Any other axis property.
    """
    style = dict(AXIS_STYLE)
    if names:
        # centred on their bands: flush, the first and last names moved into their neighbours
        style.update(labelExpr=LINE_BREAK_LABELS, labelLimit=LABEL_LIMIT, labelOverlap=False, labelFlush=False)
    if names == "y":
        style["labelOffset"] = {"condition": {"test": "indexof(datum.value, '\\n') >= 0", "value": -6}, "value": 0}
    if names == "x" and options.get("orient") == "top":
        # Above the plot, a label's lines are hung from their top, one line higher for a
        # two-line label: drawn from the bottom, its second line fell into the plot.
        style.update(labelBaseline="top", labelPadding={
            "condition": {"test": "indexof(datum.value, '\\n') >= 0", "value": 30}, "value": 17})
    return alt.Axis(**{**style, **options})


def legend(**options: Any) -> alt.Legend:
    """A legend in the shared style (text colour and size, labels that fit)."""
    style = {"labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR, "labelFontSize": 11, "titleFontSize": 11,
             "labelLimit": LABEL_LIMIT, "labelExpr": LINE_BREAK_LABELS}
    return alt.Legend(**{**style, **options})


def legend_columns(labels: Sequence[str]) -> int:
    """Columns of a legend under a chart: two when its labels are short, else one (it never gets wider than 360 px)."""
    return 2 if max((display_width(label) for label in labels), default=0) <= 16 else 1


def title(text: str, columns: int = TITLE_COLUMNS) -> str | list[str]:
    """A chart title, wrapped into lines rather than cut: the text itself when it fits one line."""
    lines = wrap_label(text, columns, lines=3).split("\n")
    return lines[0] if len(lines) == 1 else lines


def title_text(value: str | Sequence[str]) -> str:
    """A spec's title as one line of text (its wrapped lines joined by spaces)."""
    return value if isinstance(value, str) else " ".join(value)


def with_footer(chart: alt.Chart | alt.LayerChart, footer: str | None,
                below: int = FOOTER_BELOW) -> alt.Chart | alt.LayerChart:
    """``chart`` with ``footer`` written under its plot, right-aligned (no footer: ``chart`` itself).

    Parameters
    ----------
    below : int
        Pixels from the bottom of the plot to the footer's first line (more when the
        x axis labels take two lines).
    """
    if not footer:
        return chart
    # One string with line breaks (the app sends chart data as a table, where a list would become text).
    note = alt.Chart(pd.DataFrame({"footer": [wrap_label(footer, FOOTER_COLUMNS, lines=3)]})).mark_text(
        align="right", baseline="top", fontSize=10, lineHeight=13, lineBreak="\n", color=MUTED_COLOR,
        x=alt.ExprRef("width"), y=alt.ExprRef(f"height + {below}"),
    ).encode(text="footer:N")
    layered = chart + note if isinstance(chart, alt.LayerChart) else alt.layer(chart, note)
    # room on the right for the last x-axis label, centred on its tick near the plot's end
    return layered.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
                              padding={"left": 5, "top": 5, "bottom": 5, "right": RIGHT_PADDING})
