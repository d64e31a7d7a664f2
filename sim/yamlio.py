"""Safe YAML reading with line numbers, and canonical YAML writing.

Reading builds plain Python data (dict, list, str, int, float, bool, None) from the
YAML node tree itself, so that every value keeps the line it came from, duplicate
keys are caught, and nothing but plain data can ever be constructed: anchors and
aliases (the "billion laughs"), object-constructing tags and oversized documents
are refused before anything is built.
"""

from __future__ import annotations

import io
import re
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from sim.errors import SimError

#: Largest YAML document accepted (bytes): scenario files are a few kilobytes.
MAX_YAML_BYTES = 1_000_000

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


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader whose implicit resolvers stop at plain scalars (no dates)."""


# Dates would become datetime objects; a scenario never needs them, so read them as text.
_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# YAML 1.1 (PyYAML) reads 1e6 as text because it lacks a dot; people and YAML 1.2 read
# a number, so exponent forms resolve to floats here (and the dumper quotes such text).
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_PlainLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))

_MERGE_TAG = "tag:yaml.org,2002:merge"
#: Builds scalars only; mappings and sequences are built by :func:`_build`.
_CONSTRUCTOR = _PlainLoader(io.StringIO(""))


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
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_YAML_BYTES:
        raise error(f"the file is {size:,} bytes; at most {MAX_YAML_BYTES:,} bytes are accepted", source)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)", source) from None


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
        plain ones, duplicate keys, non-string keys, several documents, oversized input.
    """
    text = read_text(data, source, error)
    problems: list[str] = []
    try:
        for event in yaml.parse(io.StringIO(text), Loader=_PlainLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise error(f"line {line}: YAML anchors and aliases (& and *) are not allowed", source)
            tag = getattr(event, "tag", None)
            if tag and tag not in ("!", *_PLAIN_TAGS):
                line = event.start_mark.line + 1
                raise error(f"line {line}: the YAML tag {tag!r} is not allowed; only plain values are read", source)
        nodes = list(yaml.compose_all(io.StringIO(text), Loader=_PlainLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        # PyYAML names a tab as the two characters backslash-t ("found character '\\t'").
        tab = "\t" in str(exc.problem) or "'\\t'" in str(exc.problem)
        hint = " (a tab: YAML is indented with spaces only)" if tab else ""
        raise error(f"{where}invalid YAML: {exc.problem or exc.context}{hint}", source) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", source) from None
    if len(nodes) > 1:
        raise error("the file holds several YAML documents (---); give exactly one", source)
    if not nodes:
        return None, {}
    lines: dict[YamlPath, int] = {}
    value = _build(nodes[0], (), lines, problems)
    if problems:
        raise error(problems, source)
    return value, lines


def _build(node: yaml.Node, path: YamlPath, lines: dict, problems: list[str]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(f"line {line}: a key must be plain text")
                continue
            if key_node.tag == _MERGE_TAG:
                problems.append(f"line {line}: YAML merge keys (<<) are not allowed")
                continue
            key = _scalar(key_node, problems)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float, bool)) or key is None else key
            if key in out:
                first = lines.get(path + (key,), "?")
                problems.append(f"line {line}: duplicate key {key!r} (first given on line {first})")
                continue
            lines[path + (key,)] = line
            out[key] = _build(value_node, path + (key,), lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, problems) for i, item in enumerate(node.value)]
    # Non-finite floats are kept, so that the validator can name the field they sit in.
    return _scalar(node, problems)


def _scalar(node: yaml.Node, problems: list[str]) -> Any:
    """A plain scalar's value; a merge marker or an unreadable scalar is a problem."""
    line = node.start_mark.line + 1
    if node.tag == _MERGE_TAG:
        problems.append(f"line {line}: YAML merge keys (<<) are not allowed")
        return None
    try:
        return _CONSTRUCTOR.construct_object(node)
    except yaml.YAMLError as exc:
        problems.append(f"line {line}: cannot read the value {node.value!r} ({getattr(exc, 'problem', exc)})")
        return None


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


def write_atomic(path: str | os.PathLike, content: str | bytes, force: bool = False) -> Path:
    """Write a file so that it is either fully written or left as it was.

    The content goes to a temporary file in the same folder, which is then renamed
    over the target: a crash or a full disk never leaves a half-written file.

    Parameters
    ----------
    path : path-like
    content : str or bytes
        Text is written as UTF-8.
    force : bool
        Overwrite an existing file; otherwise an existing file is an error.

    Raises
    ------
    SimError
        The file exists and ``force`` is false, or the folder cannot be written.
    """
    target = Path(path)
    if target.exists() and not force:
        raise SimError(f"{target} already exists; use --force to overwrite it")
    if target.exists() and target.is_dir():
        raise SimError(f"{target} is a folder, not a file")
    payload = content.encode("utf-8") if isinstance(content, str) else content
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SimError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file readable by its owner only; give it the mode the
        # file had, or the one a plain open() would give.
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else _default_file_mode())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SimError(f"cannot write {target}: {exc.strerror}") from None
    return target


def _default_file_mode() -> int:
    """The permissions ``open(path, "w")`` gives a new file under the current umask."""
    try:  # Linux tells the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask
