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
from sim.messages import msg
from sim.scenario import Scenario, dump_scenario, parse_scenario
from sim.text import shown

#: Version of the link format (the ``v`` parameter).
LINK_VERSION = "1"
#: Longest ``s`` parameter accepted or produced (characters of base64url).
MAX_LINK_CHARS = 8_000
#: Largest scenario text a link may expand to (bytes).
MAX_LINK_DECODED = 100_000
LINK_SOURCE = msg("share.link_source")
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
        raise ScenarioError(msg("share.scenario_too_large", size=len(raw), limit=MAX_LINK_DECODED), LINK_SOURCE)
    encoded = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    if len(encoded) > MAX_LINK_CHARS:
        raise ScenarioError(msg("share.encoded_too_long", count=len(encoded), limit=MAX_LINK_CHARS), LINK_SOURCE)
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
        raise ScenarioError(msg("share.not_text", kind=type(encoded).__name__), LINK_SOURCE)
    encoded = encoded.strip()
    if not encoded:
        raise ScenarioError(msg("share.empty"), LINK_SOURCE)
    if len(encoded) > MAX_LINK_CHARS:
        raise ScenarioError(msg("share.too_long", count=len(encoded), limit=MAX_LINK_CHARS), LINK_SOURCE)
    if not _BASE64URL.match(encoded):
        bad = next(ch for ch in encoded if not _BASE64URL.match(ch))
        raise ScenarioError(msg("share.bad_character", character=shown(bad)), LINK_SOURCE)
    try:
        compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise ScenarioError(msg("share.not_base64"), LINK_SOURCE) from None
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_LINK_DECODED + 1)
    except zlib.error:
        raise ScenarioError(msg("share.not_zlib"), LINK_SOURCE) from None
    if len(text) > MAX_LINK_DECODED or inflater.unconsumed_tail:
        raise ScenarioError(msg("share.expands", limit=MAX_LINK_DECODED), LINK_SOURCE)
    if not inflater.eof:
        raise ScenarioError(msg("share.incomplete"), LINK_SOURCE)
    if inflater.unused_data:
        raise ScenarioError(msg("share.extra_data"), LINK_SOURCE)
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(msg("share.not_utf8", byte=exc.start), LINK_SOURCE) from None


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
            raise ScenarioError(msg("share.repeated", name=shown(key), count=len(value)), LINK_SOURCE)
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
        raise ScenarioError(msg("share.no_version", version=LINK_VERSION), LINK_SOURCE)
    if version != LINK_VERSION:
        raise ScenarioError(msg("share.bad_version", given=shown(version[:20]), version=LINK_VERSION), LINK_SOURCE)
    return parse_scenario(decode_scenario_text(encoded), package, source=LINK_SOURCE)
