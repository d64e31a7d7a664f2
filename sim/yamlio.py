"""Safe YAML reading with line numbers, and canonical YAML writing.

Reading builds plain Python data (dict, list, str, int, float, bool, None) from the
YAML node tree itself, so that every value keeps the line it came from, duplicate
keys are caught, and nothing but plain data can ever be constructed: anchors and
aliases (the "billion laughs"), object-constructing tags and oversized documents
are refused before anything is built.
"""

from __future__ import annotations

import io
import math
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
        hint = " (a tab: YAML is indented with spaces only)" if "\t" in str(exc.problem) else ""
        raise error(f"{where}invalid YAML: {exc.problem or exc.context}{hint}", source) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", source) from None
    if len(nodes) > 1:
        raise error("the file holds several YAML documents (---); give exactly one", source)
    if not nodes:
        return None, {}
    lines: dict[YamlPath, int] = {}
    constructor = _PlainLoader(io.StringIO(""))
    value = _build(nodes[0], (), lines, problems, constructor)
    if problems:
        raise error(problems, source)
    return value, lines


def _build(node: yaml.Node, path: YamlPath, lines: dict, problems: list[str], constructor) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(f"line {line}: a key must be plain text")
                continue
            key = constructor.construct_object(key_node)
            if key == "<<" or key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(f"line {line}: YAML merge keys (<<) are not allowed")
                continue
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float, bool)) or key is None else key
            if key in out:
                first = lines.get(path + (key,), "?")
                problems.append(f"line {line}: duplicate key {key!r} (first given on line {first})")
                continue
            lines[path + (key,)] = line
            out[key] = _build(value_node, path + (key,), lines, problems, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, problems, constructor) for i, item in enumerate(node.value)]
    value = constructor.construct_object(node)
    if isinstance(value, float) and not math.isfinite(value):
        return value  # kept, so the validator can name the field it sits in
    return value


def dump_yaml(data: Any) -> str:
    """Canonical YAML text: block style, keys in the given order, UTF-8 kept as is."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


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
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SimError(f"cannot write {target}: {exc.strerror}") from None
    return target
