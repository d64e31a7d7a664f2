"""Text a person reads, in Chinese and English, from one catalogue of messages.

Every warning, error, note and label that reaches a person is built from a **key**
of the catalogue and its **parameters**, and rendered in the reader's language at
the last moment (the command line's ``--lang``, the app's language switch). The
catalogue is data, not code: ``sim/locale/<namespace>.yaml``, one file per area
(``ui.yaml``, ``engine.yaml``, ...), each mapping a key to its ``zh`` and ``en``
text; the key ``title`` in ``ui.yaml`` is ``"ui.title"`` here.

A :class:`Message` *is* a ``str`` (its English text, with ids), so code and tests
that treat warnings as text keep working, JSON stays plain text, and a message can
be pickled or cached like any string. :meth:`Message.render` gives the text in a
language, with zone, indicator and group ids (wrapped in :class:`Ref`) replaced by
their names when a ``names`` function is given (e.g. :meth:`sim.data.DataPackage.name`).

Templates use :meth:`str.format` fields. A parameter may be a number (format specs
such as ``{value:g}`` apply), text, a :class:`Ref`, another :class:`Message`
(rendered in the same language), or a list or tuple of these (joined with ``、`` in
Chinese and ``, `` in English; a :class:`Chain` with arrows). A template may also be a mapping ``{one: ..., other:
...}``, chosen by the parameter ``count`` (English plurals; Chinese needs no second form).
A template used without parameters is shown as written.

Examples
--------
>>> m = msg("errors.several", count=2)
>>> str(m), m.render("zh")
('2 problems', '2 个问题')
>>> msg("errors.several", count=1).render("en")
'1 problem'
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGS = ("zh", "en")
#: The language of ``str(message)``: English, the lingua franca of logs, JSON and tests.
BASE_LANG = "en"
#: The language a person reads when nothing says otherwise: the app's and the command
#: line's default (the planners this tool serves read Chinese).
DEFAULT_LANG = "zh"
#: Environment variable that sets the command line's language when ``--lang`` is not given.
LANG_VARIABLE = "ZONESIM_LANG"
#: Where the catalogue lives: one YAML file per namespace.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: Resolves an id to a display name: ``names(kind, item_id, lang) -> str``.
NameResolver = Callable[[str, str, str], str]

_SEPARATOR = {"zh": "、", "en": ", "}


@dataclass(frozen=True)
class Ref:
    """An id that a person should read as a name: a zone, indicator or group.

    Parameters
    ----------
    kind : {"zone", "indicator", "group"}
    id : str
    """

    kind: str
    id: str

    def __str__(self) -> str:
        return self.id


class Chain(tuple):
    """Items shown joined by arrows (``a -> b -> c``), e.g. a cycle of links; each item may be
    a :class:`Ref` (shown as a name) or text."""


class Message(str):
    """A catalogue message with its parameters; as a ``str``, its English text.

    Parameters
    ----------
    key : str
        ``"<namespace>.<key>"``, e.g. ``"errors.several"``.
    **params
        The template's fields.

    Raises
    ------
    KeyError
        The key is not in the catalogue (a bug: the test suite checks every key used).
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> Message:
        self = super().__new__(cls, _format(key, BASE_LANG, params, None))
        self.key = key
        self.params = params
        return self

    def render(self, lang: str = BASE_LANG, names: NameResolver | None = None) -> str:
        """The message in ``lang``; ids in :class:`Ref` become names when ``names`` is given."""
        return _format(self.key, lang, self.params, names)

    def __reduce__(self):
        return (_rebuild, (self.key, self.params))

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {str(self)!r})"


def _rebuild(key: str, params: dict[str, Any]) -> Message:
    return Message(key, **params)


def default_lang() -> str:
    """The command line's language when ``--lang`` is not given: ``$ZONESIM_LANG`` when it
    names one of :data:`LANGS`, else :data:`DEFAULT_LANG` (Chinese, as the app).

    Examples
    --------
    >>> default_lang() in LANGS
    True
    """
    chosen = os.environ.get(LANG_VARIABLE, "").strip().lower()
    return chosen if chosen in LANGS else DEFAULT_LANG


def msg(key: str, **params: Any) -> Message:
    """Shorthand for :class:`Message`: ``msg("errors.several", count=2)``."""
    return Message(key, **params)


def render(text: object, lang: str = BASE_LANG, names: NameResolver | None = None) -> str:
    """Any text in ``lang``: a :class:`Message` is rendered, other text is shown as it is."""
    if isinstance(text, Message):
        return text.render(lang, names)
    if hasattr(text, "render") and not isinstance(text, str):
        return text.render(lang, names)  # e.g. a SimError
    return str(text)


def text(key: str, lang: str = BASE_LANG, **params: Any) -> str:
    """The catalogue text of ``key`` in ``lang`` (a label, a heading), formatted with ``params``."""
    return _format(key, lang, params, None)


def has_key(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in catalogue()


def _format(key: str, lang: str, params: Mapping[str, Any], names: NameResolver | None) -> str:
    entry = catalogue()[key]
    template = entry.get(lang) or entry[BASE_LANG]
    if isinstance(template, Mapping):
        template = template["one"] if params.get("count") == 1 and "one" in template else template["other"]
    if not params:
        return template  # shown as written, so a label may hold a literal brace
    shown = {name: _display(value, lang, names) for name, value in params.items()}
    return template.format(**shown)


def _display(value: Any, lang: str, names: NameResolver | None) -> Any:
    if isinstance(value, Message):
        return value.render(lang, names)
    if isinstance(value, Ref):
        return names(value.kind, value.id, lang) if names else value.id
    if isinstance(value, Chain):
        return " -> ".join(str(_display(item, lang, names)) for item in value)
    if isinstance(value, (list, tuple)):
        return _SEPARATOR.get(lang, ", ").join(str(_display(item, lang, names)) for item in value)
    return value


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Every message of ``sim/locale/*.yaml``, keyed ``"<file stem>.<key>"``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(LOCALE_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, entry in data.items():
            entries[f"{path.stem}.{key}"] = entry
    return entries


def fields(template: str | Mapping[str, str]) -> set[str]:
    """The field names a template uses (both plural forms for a mapping)."""
    forms = template.values() if isinstance(template, Mapping) else [template]
    return {name.split(".")[0].split("[")[0] for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}
