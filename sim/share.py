"""Share links: the whole scenario in URL query parameters.

The ``s`` parameter holds the scenario's canonical YAML (:func:`sim.scenario.dump_scenario`),
compressed with zlib and encoded as base64url; ``v`` is the link format version.
Decoding is size-limited at every step (the encoded text, then the decompressed text,
through ``zlib.decompressobj(...).decompress(data, max_length)`` so a zip bomb cannot
expand unbounded) and the text is validated exactly like a file, with
:func:`sim.scenario.parse_scenario` and source ``"share link"``. Every failure is a
:class:`~sim.errors.ScenarioError` with a message a planner can act on.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import parse_scenario
>>> package = load_package()
>>> scenario = parse_scenario("version: 1\\nname: x\\nyear: 2020\\n", package)
>>> params = share_params(scenario)
>>> sorted(params)
['s', 'v']
>>> scenario_from_params(params, package).name
'x'
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Mapping
from typing import Any


from sim.data import DataPackage
from sim.errors import ScenarioError
from sim.scenario import Scenario, dump_scenario, parse_scenario

#: Version of the link format (the ``v`` parameter).
LINK_VERSION = "1"
#: Longest ``s`` parameter accepted or produced (characters of base64url).
MAX_LINK_CHARS = 8_000
#: Largest scenario text a link may expand to (bytes).
MAX_LINK_DECODED = 100_000
LINK_SOURCE = "share link"
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


# --------------------------------------------------------------------------- links


def encode_scenario_text(text: str) -> str:
    """The ``s`` parameter for a scenario's YAML text.

    Raises
    ------
    ScenarioError
        The text is too large for a link (then the file is the way to share it).
    """
    raw = text.encode("utf-8")
    if len(raw) > MAX_LINK_DECODED:
        raise ScenarioError(
            f"the scenario is {len(raw):,} bytes; a link holds at most {MAX_LINK_DECODED:,}; share the file instead",
            LINK_SOURCE,
        )
    encoded = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    if len(encoded) > MAX_LINK_CHARS:
        raise ScenarioError(
            f"the encoded scenario is {len(encoded):,} characters; a link holds at most {MAX_LINK_CHARS:,}; "
            "share the file instead",
            LINK_SOURCE,
        )
    return encoded


def decode_scenario_text(encoded: str) -> str:
    """The scenario YAML text carried by an ``s`` parameter.

    Raises
    ------
    ScenarioError
        Oversized, not base64url, not zlib data, damaged (checksum), truncated, expanding
        beyond :data:`MAX_LINK_DECODED`, or not UTF-8.
    """
    if not isinstance(encoded, str):
        raise ScenarioError(f"the 's' parameter must be text, got {type(encoded).__name__}", LINK_SOURCE)
    encoded = encoded.strip()
    if not encoded:
        raise ScenarioError("the 's' parameter is empty; the link is incomplete", LINK_SOURCE)
    if len(encoded) > MAX_LINK_CHARS:
        raise ScenarioError(
            f"the 's' parameter is {len(encoded):,} characters; at most {MAX_LINK_CHARS:,} are accepted", LINK_SOURCE
        )
    if not _BASE64URL.match(encoded):
        bad = next(ch for ch in encoded if not _BASE64URL.match(ch))
        raise ScenarioError(
            f"the 's' parameter contains {bad!r}, which is not base64url (A-Z, a-z, 0-9, - and _): "
            "the link was changed or cut when it was copied",
            LINK_SOURCE,
        )
    try:
        compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise ScenarioError("the 's' parameter is not valid base64url: the link was cut when it was copied", LINK_SOURCE) from None
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_LINK_DECODED + 1)
    except zlib.error:
        raise ScenarioError(
            "the link is damaged: its scenario data does not decompress (it was changed or cut when it was copied)",
            LINK_SOURCE,
        ) from None
    if len(text) > MAX_LINK_DECODED or inflater.unconsumed_tail:
        raise ScenarioError(
            f"the link's scenario expands to more than {MAX_LINK_DECODED:,} bytes; it is refused", LINK_SOURCE
        )
    if not inflater.eof:
        raise ScenarioError("the link is damaged: its scenario data is incomplete (the link was cut)", LINK_SOURCE)
    if inflater.unused_data:
        raise ScenarioError("the link is damaged: extra data after the scenario", LINK_SOURCE)
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"the link's scenario is not UTF-8 text (byte {exc.start})", LINK_SOURCE) from None


def share_params(scenario: Scenario, **extra: str) -> dict[str, str]:
    """Query parameters that carry ``scenario`` (plus any ``extra`` ones, e.g. zone, lang).

    Raises
    ------
    ScenarioError
        The scenario is too large for a link.
    """
    params = {"v": LINK_VERSION, "s": encode_scenario_text(dump_scenario(scenario))}
    params.update({k: v for k, v in extra.items() if v})
    return params


def _single(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ScenarioError(f"the parameter {key!r} is given {len(value)} times; give it once", LINK_SOURCE)
        value = value[0]
    return str(value)


def scenario_from_params(params: Mapping[str, Any], package: DataPackage) -> Scenario | None:
    """The scenario a link carries, validated like a file; None when there is none.

    Parameters
    ----------
    params : mapping
        Query parameters (values are text, or lists of text).
    package : DataPackage
        Zone, indicator and year ids are checked against it.

    Raises
    ------
    ScenarioError
        A damaged, oversized, unknown-version or invalid link; the message names
        ``share link`` and, for an invalid scenario, the line and field.
    """
    encoded = _single(params, "s")
    if encoded is None:
        return None
    version = _single(params, "v")
    if version is None:
        raise ScenarioError(f"the link has no format version 'v'; this app reads v={LINK_VERSION}", LINK_SOURCE)
    if version != LINK_VERSION:
        raise ScenarioError(
            f"link format version {version[:20]!r} is not supported; this app reads v={LINK_VERSION}", LINK_SOURCE
        )
    return parse_scenario(decode_scenario_text(encoded), package, source=LINK_SOURCE)
