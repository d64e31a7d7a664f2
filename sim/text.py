"""Small helpers for text: suggestions for near misses, text that is safe to show and store.

Text read from files (names, notes, sources, ids) is checked at load time with
:func:`text_problem`: control characters (other than tab and newline) and lone
surrogates are refused there, because a terminal would obey the first (an escape
sequence in a scenario name recolours or rewrites the screen), Excel cannot store
them, and the second cannot be encoded at all. Whatever comes from elsewhere (a file
name on the command line) is shown through :func:`printable`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from sim.messages import Message, msg

#: Control characters refused in text: C0 but tab and newline, DEL, C1 (as a pattern for
#: Python's re and for Arrow's RE2, which sees UTF-8, where no lone surrogate can be).
CONTROL_TEXT = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
#: Characters refused in text: the control characters and lone surrogates.
BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI",
}


def text_problem(text: str) -> Message | None:
    """Why ``text`` may not be stored (a control character, a lone surrogate), or None.

    Examples
    --------
    >>> str(text_problem("evil\\x1bname"))
    'the text holds the control character U+001B (ESC) at position 5; remove it'
    >>> text_problem("第一行\\n\\tsecond") is None
    True
    """
    found = BAD_CHARACTER.search(text)
    if found is None:
        return None
    code = ord(found.group())
    position = found.start() + 1
    if 0xD800 <= code <= 0xDFFF:
        return msg("files.lone_surrogate", code=f"U+{code:04X}", position=position)
    name = _CONTROL_NAMES.get(code)
    return msg("files.control_character", code=f"U+{code:04X}" + (f" ({name})" if name else ""), position=position)


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates written as escapes (``\\x1b``).

    For text of unknown origin shown on a terminal or a page: an escape sequence is
    shown, not obeyed. Tab and newline are kept.

    Examples
    --------
    >>> printable("a\\x1b[31mb\\ud800")
    'a\\\\x1b[31mb\\\\ud800'
    """
    return BAD_CHARACTER.sub(_escape, text) if BAD_CHARACTER.search(text) else text


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: Any, limit: int = 60) -> str:
    """A short, printable ``repr`` of any value (a huge integer included).

    Examples
    --------
    >>> shown("x" * 100, limit=10)
    "'xxxxxxxx..."
    >>> str(shown(10 ** 5000)), shown(10 ** 5000).render("zh")
    ('a whole number of 5,001 digits', '一个 5,001 位的整数')
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        # repr() of an int over 4,300 digits raises ValueError; its length is enough here.
        digits = len(str(abs(value))) if value.bit_length() < 14_000 else _digits(abs(value))
        return msg("text.huge_number", digits=digits)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "..."


def _digits(value: int) -> int:
    """Decimal digits of a positive int too long for ``str()``."""
    estimate = int(value.bit_length() * 0.30102999566398120)
    return estimate + 1 if value >= 10**estimate else estimate


#: Types a value read from a file may have, named in messages (``text.type_<name>``).
_TYPE_NAMES = ("str", "int", "float", "bool", "list", "dict")


def kind_of(value: Any) -> Message:
    """What a value is, for messages: ``str 'abc'``, ``list [1, 2]`` (文本 'abc', 列表 [1, 2]).

    Examples
    --------
    >>> str(kind_of("abc")), kind_of([1, 2]).render("zh"), str(kind_of(None))
    ("str 'abc'", '列表 [1, 2]', 'nothing')
    """
    if value is None:
        return msg("text.kind_nothing")
    name = type(value).__name__
    kind = msg(f"text.type_{name}") if name in _TYPE_NAMES else name
    if isinstance(value, float) and not math.isfinite(value):  # inf, -inf, nan: said in words
        return msg("text.kind", type=kind, value=msg("text.nan" if math.isnan(value) else "text.infinity",
                                                     sign="-" if value < 0 else ""))
    return msg("text.kind", type=kind, value=_short_repr(value))


def _short_repr(value: Any) -> str:
    """At most about 60 characters of ``repr(value)``, without building the whole repr of a
    long list (a hostile file may hold 100,000 entries)."""
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return shown(type(value)(value[:8]))[:-1] + ", ...]"
    if isinstance(value, dict) and len(value) > 8:
        return shown(dict(list(value.items())[:8]))[:-1] + ", ...}"
    return shown(value, limit=61)


def texts_in(data: Any) -> Iterator[tuple[tuple, str]]:
    """Every text in plain data, keys included, with its path (``("interventions", 0, "note")``).

    Walks without recursion, so any depth is safe (YAML documents are limited to 50 levels).
    """
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str):
                    yield path + (key,), key
                stack.append((path + (key,), item))
        elif isinstance(value, (list, tuple)):
            stack.extend((path + (index,), item) for index, item in enumerate(value))


# --------------------------------------------------------------------------- suggestions

#: Characters a reader easily takes for one another; each maps to one representative.
_CONFUSABLE = str.maketrans({
    "o": "0", "O": "0", "Q": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1",
    "s": "5", "S": "5", "z": "2", "Z": "2", "B": "8", "b": "6", "G": "6", "g": "9", "q": "9",
    "u": "v", "U": "v", "V": "v", "-": "_", " ": "_", ".": "_",
})


def _visual(word: str) -> str:
    return word.translate(_CONFUSABLE)


def _visual_distance(a: str, b: str) -> float:
    """Edit distance where swapping two confusable characters costs a quarter,
    a change of case a half, and a transposition of neighbours one."""
    previous2: list[float] = []
    previous = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, start=1):
        current = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cost = 0.0
            elif ca.lower() == cb.lower():
                cost = 0.5
            elif _visual(ca) == _visual(cb):
                cost = 0.25
            else:
                cost = 1.0
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=4096)
def _closest(word: str, options: tuple[str, ...]) -> str | None:
    candidates = set(difflib.get_close_matches(word, options, n=5, cutoff=0.6))
    visual = _visual(word)
    candidates.update(option for option in options if _visual(option) == visual)
    if not candidates:
        return None
    ranked = sorted(
        candidates,
        key=lambda option: (_visual_distance(word, option), -difflib.SequenceMatcher(None, word, option).ratio(), option),
    )
    return ranked[0]


def options_text(options: Iterable[str]) -> Message:
    """What may be written, listed: ``minmax, ratio`` (in Chinese each quoted: 'minmax'、'ratio').

    Examples
    --------
    >>> str(options_text(["minmax", "ratio"])), options_text(["minmax", "ratio"]).render("zh")
    ('minmax, ratio', "'minmax'、'ratio'")
    """
    return msg("text.options", options=[msg("text.option", option=option) for option in options])


def did_you_mean(word: object, choices: Iterable[str]) -> Message:
    """A ``"; did you mean 'x'?"`` suffix for a near miss, else a list of what is allowed
    (a :class:`~sim.messages.Message`: its text is English, ``render("zh")`` gives Chinese).

    The suggestion is the choice closest to what was typed, a look-alike character
    (``l`` for ``1``, ``O`` for ``0``) counting as the smallest slip.

    Examples
    --------
    >>> did_you_mean("rd_spendng", ["rd_spending", "unicorns"])
    Message('text.did_you_mean', "; did you mean 'rd_spending'?")
    >>> str(did_you_mean("ind_0l", ["ind_10", "ind_01"]))
    "; did you mean 'ind_01'?"
    >>> did_you_mean("zzz", ["a", "b"]).render("zh")
    "；允许的值：'a'、'b'"
    """
    options = tuple(choices)
    word = word if isinstance(word, str) else shown(word)
    close = _closest(word, options) if len(word) <= 200 else None
    if close is not None:
        return msg("text.did_you_mean", choice=repr(close))
    if not options:  # nothing is allowed: another problem says why (an empty table)
        return msg("text.nothing")
    return msg("text.allowed", options=options_text(options[:30]), more=msg("text.more_options") if len(options) > 30 else "")
