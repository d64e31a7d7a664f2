"""UI strings of the app in Chinese and English, and text helpers for display.

Chinese is the default language. Every string the app shows goes through
:func:`t`, whose texts live in the catalogue ``sim/locale/ui.yaml`` (see
:mod:`sim.messages`); zone, indicator and group names come from the data package
(:meth:`sim.data.DataPackage.name`), so they switch with the language too.

Text that comes from users (scenario names, descriptions, error messages that quote
a bad value, names in an uploaded data package) must never be rendered as Markdown
or HTML: :func:`escape_markdown` makes it literal for the few Streamlit elements that
render Markdown (labels, alerts).

Examples
--------
>>> t("tab_whatif", "zh"), t("tab_whatif", "en")
('假设分析', 'What-if')
>>> print(escape_markdown("<b>*big*</b>"))
\\<b\\>\\*big\\*\\</b\\>
"""

from __future__ import annotations

import re

from sim.messages import has_key, text
from sim.report import label as report_label

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The UI string ``key`` (``sim/locale/ui.yaml``) in ``lang``, formatted with ``values``.

    Falls back to :func:`sim.report.label`, then to the key itself, so a missing
    translation shows up as a readable id rather than an exception.
    """
    if not has_key(f"ui.{key}"):
        return report_label(key, lang)
    return text(f"ui.{key}", lang, **values)


class Said:
    """A UI text (``ui.yaml``) whose parameters may be library messages or errors, rendered later.

    The app keeps it in its model and renders it when shown, so it reads in the
    language of the page at that moment, with names for ids.

    Examples
    --------
    >>> Said("loaded", name="x").render("zh")
    '已载入情景：x'
    """

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params

    def render(self, lang: str = DEFAULT_LANG, names=None) -> str:
        from sim.messages import render

        return t(self.key, lang, **{k: render(v, lang, names) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")


def option_label(option: str, lang: str = DEFAULT_LANG, kind: str = "") -> str:
    """Display name of a method option (``kind="goalposts"`` tells the two "baseline"s apart)."""
    key = "goal_baseline" if kind == "goalposts" and option == "baseline" else option
    return text(f"options.{key}", lang) if has_key(f"options.{key}") else option


# What can start an inline construct: HTML and autolinks (<), links and images and
# Streamlit's :color[...] directives ([ ]), emphasis (* _ ~), code (`), math ($), tables
# (|) and the escape character itself. Other punctuation (&, (, ), ., -) stays as it
# is, so that names such as "R&D" or "Sunan (苏南)" read the same in widget labels,
# whose raw text is also their accessible name.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Block markers only matter at the start of a line: headings, lists, quotes, rules.
_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")


def escape_markdown(text: object) -> str:
    """Make ``text`` render literally in Streamlit Markdown (labels, alerts, captions).

    Everything Markdown, HTML or Streamlit's directives (``:red[...]``, ``$math$``)
    could act on is backslash-escaped, HTML entities are neutralised, and line breaks
    become hard breaks so a multi-line message keeps its lines and indents.
    """
    lines = str(text).splitlines() or [""]
    escaped = []
    for line in lines:
        stripped = line.lstrip(" ")
        indent = "\u00a0" * (len(line) - len(stripped))  # kept visible: list items in messages
        body = _ENTITY.sub("&amp;", _INLINE_SPECIAL.sub(r"\\\1", stripped))
        body = _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], body)
        escaped.append(indent + body)
    return "  \n".join(escaped)


def with_code_spans(text: object) -> str:
    """``text`` made literal (:func:`escape_markdown`), except that `back-quoted` parts show as code.

    Data written by ``zonesim calibrate`` says "reconstructed by `zonesim calibrate`":
    the back-quotes mark a command, and show as one, not as literal back-quotes. A
    back-quote without its pair stays literal.

    Examples
    --------
    >>> print(with_code_spans("by `zonesim calibrate` (seed 0) *not* `x"))
    by `zonesim calibrate` (seed 0) \\*not\\* \\`x
    """
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an odd number of back-quotes: the last one has no pair
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    spans = parts[1::2]
    marked = "".join(part if i % 2 == 0 else f"\ue000{i // 2}\ue001" for i, part in enumerate(parts))
    escaped = escape_markdown(marked)
    for number, span in enumerate(spans):  # inside a code span nothing is Markdown
        escaped = escaped.replace(f"\ue000{number}\ue001", "`" + " ".join(span.split()) + "`")
    return escaped


def unescape_markdown(text: str) -> str:
    """Inverse of :func:`escape_markdown` (used by tests to compare messages)."""
    plain = re.sub(r"\\(.)", r"\1", text.replace("  \n", "\n")).replace("&amp;", "&")
    return plain.replace("\u00a0", " ")
