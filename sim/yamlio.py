"""Safe YAML reading with line numbers, and canonical YAML writing.

Reading builds plain Python data (dict, list, str, int, float, bool, None) straight
from the parser's events, in one pass and without recursion, so that every value keeps
the line it came from, duplicate keys are caught, and nothing but plain data can ever
be constructed: anchors and aliases (the "billion laughs"), object-constructing tags,
oversized documents, nesting deeper than :data:`MAX_DEPTH` levels, lists longer than
:data:`MAX_ENTRIES` and mappings with more than :data:`MAX_KEYS` keys are refused before
anything more is read, whatever the size of the rest. The events come from libyaml when
PyYAML has it (ten times faster than PyYAML's own parser on a large file), else from
PyYAML's parser.

Files are saved by :func:`sim.atomic.write_atomic` (also importable from here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import yaml

from sim.atomic import write_atomic  # saving lives in sim/atomic.py; callers found it here
from sim.errors import Problems, SimError
from sim.messages import Message, msg
from sim.text import shown

__all__ = ["MAX_YAML_BYTES", "dotted", "located", "dump_yaml", "load_yaml", "read_text", "write_atomic"]

#: Largest YAML document accepted (bytes): scenario files are a few kilobytes.
MAX_YAML_BYTES = 1_000_000
#: Deepest nesting of mappings and lists read (a scenario needs 4 levels).
MAX_DEPTH = 50
#: Most items of one list (a scenario's interventions are at most 20,000).
MAX_ENTRIES = 100_000
#: Most keys of one mapping (a scenario's mappings have a few; explicit weights one per indicator).
MAX_KEYS = 10_000
#: Most digits of a whole number (values in scenarios stay within 1e12).
MAX_DIGITS = 100
_MAX_BITS = 333  # 10**100 < 2**333

_SCALAR_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null")}
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

YamlPath = tuple  # a path into the document, e.g. ("interventions", 0, "by")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_VALUE_TAG = "tag:yaml.org,2002:value"


class _PlainResolver(yaml.resolver.Resolver):
    """Implicit types of plain scalars: no dates (a scenario never needs them, so they
    stay text), no ``=`` value marker (text too), exponent floats such as ``1e6``."""


_PlainResolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_TIMESTAMP_TAG, _VALUE_TAG)]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
# YAML 1.1 (PyYAML) reads 1e6 as text because it lacks a dot; people and YAML 1.2 read
# a number, so exponent forms resolve to floats here (and the dumper quotes such text).
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_PlainResolver.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))


class _PythonEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, for when libyaml is not there."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:  # libyaml, through PyYAML's binding: same events, same marks, ten times faster
    from yaml._yaml import CParser as _EventParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _EventParser = _PythonEvents

_RESOLVER = _PlainResolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: Characters YAML refuses in a file (the reader's test), to point at the first one.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read_text(data: bytes | str, source: str, error: type[SimError] = SimError) -> str:
    """Decode a YAML document, refusing oversized or non-UTF-8 input.

    Parameters
    ----------
    data : bytes or str
    source : str
        File name (or "upload", "share link") for messages.
    error : type
        The :class:`SimError` subclass to raise.
    """
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_YAML_BYTES:
        raise error(msg("files.too_large", size=size, limit=MAX_YAML_BYTES), source)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(msg("files.not_utf8", byte=exc.start), source) from None


def dotted(path: YamlPath) -> str:
    """A path as people read it: ``interventions[0].by``; ``document`` for the root."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "document"


def located(path: YamlPath, line: int | None = None) -> Message:
    """Where in a file: ``line 12, interventions[0].by`` (Chinese: 第 12 行「interventions[0].by」).

    The path is what the file says, so it stays as written in both languages.

    Examples
    --------
    >>> located(("interventions", 0, "by"), 12).render("zh")
    '第 12 行「interventions[0].by」'
    >>> str(located(()))
    'document'
    """
    if not path:
        return msg("files.at_root_line", line=line) if line else msg("files.at_root")
    return msg("files.at_line", line=line, path=dotted(path)) if line else msg("files.at_path", path=dotted(path))


def load_yaml(
    data: bytes | str, source: str, error: type[SimError] = SimError
) -> tuple[Any, dict[YamlPath, int]]:
    """Parse one YAML document into plain data, with the line of every value.

    Parameters
    ----------
    data : bytes or str
        The document.
    source : str
        Where it came from, for messages.
    error : type
        The :class:`SimError` subclass to raise.

    Returns
    -------
    data : plain Python data (None for an empty document)
    lines : dict
        ``{path: line}`` (1-based) for every mapping key and list item, the path being
        a tuple of keys and list positions.

    Raises
    ------
    SimError (or ``error``)
        Syntax errors (with line and column), tabs, anchors or aliases, tags other than
        plain ones, duplicate keys, non-string keys, several documents, oversized input,
        nesting deeper than :data:`MAX_DEPTH`, a list longer than :data:`MAX_ENTRIES` or a
        mapping with more than :data:`MAX_KEYS` keys,
        a whole number of more than :data:`MAX_DIGITS` digits.
    """
    text = read_text(data, source, error)
    unreadable = _NOT_YAML.search(text)
    if unreadable is not None:  # what YAML's reader refuses, said the same way by either parser
        start = unreadable.start()
        line, column = text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
        raise error(msg("files.yaml_character", line=line, column=column, code=f"U+{ord(unreadable.group()):04X}"), source)
    builder = _Builder(source, error)
    parser = _EventParser(text)
    try:
        builder.build(parser.get_event)
    except yaml.YAMLError as exc:
        raise error(_syntax_message(exc, text), source) from None
    finally:
        if hasattr(parser, "dispose"):
            parser.dispose()
    if builder.problems:
        raise error(builder.problems, source)
    return builder.root, builder.lines


def _syntax_message(exc: yaml.YAMLError, text: str) -> str:
    """A parser's error as ``line L, column C: invalid YAML: what`` (with a hint for tabs)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit (1,000), met first in a flow
            return msg("files.too_deep", line=mark.line + 1 if mark else 1, limit=MAX_DEPTH)
        problem = exc.problem or exc.context
        # PyYAML names a tab as the two characters backslash-t ("found character '\\t'");
        # libyaml does not name it: look at the text where it stopped.
        tab = "\t" in str(problem) or "'\\t'" in str(problem) or (mark is not None and _tab_at(text, mark))
        said = _parser_words(str(problem))
        hint = msg("files.yaml_tab") if tab else ""
        if mark:
            return msg("files.yaml_syntax_at", line=mark.line + 1, column=mark.column + 1, problem=said, hint=hint)
        return msg("files.yaml_syntax", problem=said, hint=hint)
    return msg("files.yaml_syntax", problem=_parser_words(str(exc)), hint="")


def _parser_words(problem: str) -> Message:
    """The YAML parser's English words in the catalogue's languages (``sim/locale/yaml.yaml``);
    words it has no entry for are quoted as the parser said them."""
    key = _parser_problems().get(problem)
    # Formatted with a parameter (that the entry does not use), so its escaped braces read as braces.
    return msg(key, problem=problem) if key else msg("files.parser_said", problem=problem)


@cache
def _parser_problems() -> dict[str, str]:
    from sim.messages import catalogue

    return {entry["en"].format(): key for key, entry in catalogue().items() if key.startswith("yaml.")}



def _tab_at(text: str, mark: Any) -> bool:
    """Whether the line a parser stopped on has a tab at or before where it stopped."""
    lines = text.split("\n")
    return 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]


class _Builder:
    """Plain data from parser events, in one loop without recursion.

    The stack holds the open collections as ``[container, path, key, is_key, line]``: ``path`` is None
    inside a value that is dropped (the value of a duplicate key, a key that is not
    text), where nothing is recorded; ``key`` is the mapping key waiting for its value
    (None when a key comes next, ``_DROP`` when the value is dropped). The loop is
    written out flat, as it runs once per event of files up to 1 MB.
    """

    _DROP = object()

    def __init__(self, source: str, error: type[SimError]):
        self.source, self.error = source, error
        self.root: Any = None
        self.lines: dict[YamlPath, int] = {}
        self.problems = Problems()
        self.values: dict[tuple, Any] = {}  # scalars repeat (ids, "+10%"): each text is read once

    def build(self, next_event: Callable[[], yaml.Event]) -> None:
        """Consume events from ``next_event`` up to the end of the stream."""
        lines, stack, drop, values = self.lines, [], self._DROP, self.values
        documents = 0
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        ends, stream_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent), yaml.StreamEndEvent
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar_event or kind is mapping_start or kind is sequence_start:
                if event.anchor or (event.tag and event.tag != "!" and event.tag not in _PLAIN_TAGS):
                    self._refuse(event)
                line = event.start_mark.line + 1
                # Where the value goes: its path, or None when it is dropped or is a key.
                if not stack:
                    path = ()
                    lines.setdefault(path, line)
                    is_key = False
                else:
                    top = stack[-1]
                    container, parent, key = top[0], top[1], top[2]
                    is_key = key is None and type(container) is dict
                    if parent is None or is_key or key is drop:
                        path = None
                    elif type(container) is list:
                        if len(container) >= MAX_ENTRIES:
                            raise self.error(msg("files.too_many_entries", line=line, where=dotted(parent),
                                                 limit=MAX_ENTRIES), self.source)
                        path = parent + (len(container),)
                        lines.setdefault(path, line)
                    else:
                        path = parent + (key,)
                if kind is scalar_event:
                    if is_key:
                        top[2] = self._key(event, line, container, parent)
                        continue
                    value = None
                    if path is not None:
                        memo = (event.tag, event.value, event.implicit[0])
                        value = values[memo] if memo in values else self._scalar(event, line, path, memo)
                    self._deliver(stack, value)
                    continue
                if len(stack) >= MAX_DEPTH:
                    raise self.error(msg("files.too_deep", line=line, limit=MAX_DEPTH), self.source)
                stack.append([{} if kind is mapping_start else [], path, None, is_key, line])
            elif kind in ends:
                container, _, _, was_key, line = stack.pop()
                if was_key:  # a mapping or list used as a key
                    if stack[-1][1] is not None:
                        self.problems.append(msg("files.key_not_text", line=line))
                    stack[-1][2] = drop
                else:
                    self._deliver(stack, container)
            elif kind is yaml.AliasEvent:
                self._refuse(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.error(msg("files.several_documents"), self.source)
            elif kind is stream_end:
                return

    def _deliver(self, stack: list, value: Any) -> None:
        """Put a finished value into the collection that holds it (or make it the root)."""
        if not stack:
            self.root = value
            return
        top = stack[-1]
        container, path, key = top[0], top[1], top[2]
        if type(container) is list:
            if path is not None:
                container.append(value)
        else:
            if key is not self._DROP and path is not None:
                container[key] = value
            top[2] = None

    def _refuse(self, event: yaml.Event) -> None:
        """Anchors, aliases and tags other than plain ones are refused outright."""
        line = event.start_mark.line + 1
        if type(event) is yaml.AliasEvent or event.anchor:
            raise self.error(msg("files.anchors", line=line), self.source)
        raise self.error(msg("files.tag", line=line, tag=shown(event.tag)), self.source)

    def _key(self, event: yaml.ScalarEvent, line: int, mapping: dict, path: YamlPath | None) -> Any:
        if path is None:
            return self._DROP
        if _tag(event) == _MERGE_TAG:
            self.problems.append(msg("files.merge_key", line=line))
            return self._DROP
        if len(mapping) >= MAX_KEYS:
            raise self.error(msg("files.too_many_entries", line=line, where=dotted(path), limit=MAX_KEYS),
                             self.source)
        memo = (event.tag, event.value, event.implicit[0])
        key = self.values[memo] if memo in self.values else self._scalar(event, line, path, memo)
        if not isinstance(key, str):
            key = str(key) if isinstance(key, (int, float, bool)) or key is None else key
        if key in mapping:
            first = self.lines.get(path + (key,), "?")
            self.problems.append(msg("files.duplicate_key", line=line, name=shown(key), first=first))
            return self._DROP
        self.lines[path + (key,)] = line
        return key

    def _scalar(self, event: yaml.ScalarEvent, line: int, path: YamlPath, memo: tuple) -> Any:
        """A scalar's value; a merge marker, an unreadable scalar or a huge number is a problem."""
        tag = _tag(event)
        if tag == _STR_TAG:
            value = event.value
        elif tag == _MERGE_TAG:
            self.problems.append(msg("files.merge_key", line=line))
            return None
        elif tag == _INT_TAG and len(event.value) > MAX_DIGITS + 8:
            self.problems.append(_huge_number(event.value, line, path))
            return None
        else:
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            try:
                if tag not in _SCALAR_TAGS:
                    raise ValueError(tag)
                # The constructors of plain scalars keep no state, unlike construct_object's memo.
                value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
            except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
                problem = getattr(exc, "problem", None)
                said = _parser_words(problem) if problem else msg("files.not_valid", kind=tag.rsplit(":", 1)[-1])
                self.problems.append(msg("files.bad_value", line=line, value=shown(event.value), problem=said))
                return None
            if isinstance(value, int) and value.bit_length() > _MAX_BITS:
                self.problems.append(_huge_number(event.value, line, path))
                return None
        if len(self.values) < 10_000:
            self.values[memo] = value
        return value


def _tag(event: yaml.ScalarEvent) -> str:
    """The scalar's tag: given (``!!str``), or resolved from its text as PyYAML's composer does."""
    if event.tag is None or event.tag == "!":
        if not event.implicit[0]:  # quoted or block text: a string, whatever it looks like
            return _STR_TAG
        return _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    return event.tag


def _huge_number(text: str, line: int, path: YamlPath) -> Message:
    digits = sum(ch.isdigit() for ch in text)
    return msg("files.number_too_long", line=line, where=dotted(path), start=text[:12], digits=digits,
               limit=MAX_DIGITS)


class _CanonicalDumper(yaml.SafeDumper):
    """Safe dumper writing multi-line text (descriptions, notes) as ``|`` blocks people can read."""


#: Line breaks that PyYAML writes raw in block and single-quoted scalars but reads back as
#: ``\n`` (or folds): text holding one is written double-quoted, where they are escaped.
_ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(ch in text for ch in _ODD_BREAKS) else "|" if "\n" in text else None
    # PyYAML falls back to double quotes when a block cannot hold the text exactly
    # (trailing spaces, tabs, ...), so every string reads back as it was.
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CanonicalDumper.add_representer(str, _represent_text)
# Text such as "1e5" must be quoted, or load_yaml would read it back as a number.
_CanonicalDumper.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))


def dump_yaml(data: Any) -> str:
    """Canonical YAML text: block style, keys in the given order, UTF-8 kept as is,
    multi-line text as ``|`` blocks; :func:`load_yaml` reads it back to equal data."""
    return yaml.dump(
        data, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )

