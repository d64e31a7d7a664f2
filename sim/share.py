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
from dataclasses import dataclass
from pathlib import Path
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
#: Link parameters of the Plan tab's plan: a library file's name, or a plan's encoded text.
PLAN_FILE_PARAM, PLAN_TEXT_PARAM = "pl", "p"
#: Longest library file name a link may give.
MAX_PLAN_NAME = 120
#: A plain file name (no folder, no leading dot) of a YAML file.
_LIBRARY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")


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


def decode_scenario_text(encoded: str, param: str = "s") -> str:
    """The scenario YAML text carried by an ``s`` parameter (or the plan's ``p``: ``param``, named in errors).

    Raises
    ------
    ScenarioError
        Oversized, not base64url, not zlib data, damaged (checksum), truncated, expanding
        beyond :data:`MAX_LINK_DECODED`, or not UTF-8.
    """
    if not isinstance(encoded, str):
        raise ScenarioError(msg("share.not_text", param=param, kind=type(encoded).__name__), LINK_SOURCE)
    encoded = encoded.strip()
    if not encoded:
        raise ScenarioError(msg("share.empty", param=param), LINK_SOURCE)
    if len(encoded) > MAX_LINK_CHARS:
        raise ScenarioError(msg("share.too_long", param=param, count=len(encoded), limit=MAX_LINK_CHARS), LINK_SOURCE)
    if not _BASE64URL.match(encoded):
        bad = next(ch for ch in encoded if not _BASE64URL.match(ch))
        raise ScenarioError(msg("share.bad_character", param=param, character=shown(bad)), LINK_SOURCE)
    try:
        compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise ScenarioError(msg("share.not_base64", param=param), LINK_SOURCE) from None
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
    _check_version(params)
    return parse_scenario(decode_scenario_text(encoded), package, source=LINK_SOURCE)


def _check_version(params: Mapping[str, Any]) -> None:
    version = _single(params, "v")
    if version is None:
        raise ScenarioError(msg("share.no_version", version=LINK_VERSION), LINK_SOURCE)
    if version != LINK_VERSION:
        raise ScenarioError(msg("share.bad_version", given=shown(version[:20]), version=LINK_VERSION), LINK_SOURCE)


# --------------------------------------------------------------------------- the Plan tab's plan


@dataclass(frozen=True)
class SharedPlan:
    """A plan a link carries: a library file (``in_library``, ``name`` its file name) or a
    plan carried whole (``name`` the file name it is kept under, :func:`file_name`)."""

    scenario: Scenario
    name: str
    in_library: bool


def plan_params(plan: Scenario | None = None, library_name: str | None = None) -> dict[str, str]:
    """Query parameters that carry the Plan tab's plan: a library plan by its file name
    (``pl``), any other plan by its canonical text, compressed like a scenario (``p``).

    Raises
    ------
    ScenarioError
        The plan is too large for a link.

    Examples
    --------
    >>> plan_params(library_name="plan_x.yaml")
    {'pl': 'plan_x.yaml'}
    >>> plan_params()
    {}
    """
    if library_name is not None:
        return {PLAN_FILE_PARAM: library_name}
    if plan is not None:
        return {PLAN_TEXT_PARAM: encode_scenario_text(dump_scenario(plan))}
    return {}


def plan_from_params(params: Mapping[str, Any], package: DataPackage, library: Path) -> SharedPlan | None:
    """The plan a link carries (:func:`plan_params`), validated like a file; None when there is none.

    Parameters
    ----------
    params : mapping
        Query parameters (values are text, or lists of text).
    package : DataPackage
        Ids are checked against it.
    library : Path
        The folder of library plans; ``pl`` must name a file directly in it.

    Raises
    ------
    ScenarioError
        A damaged, oversized or unknown-version link (as for a scenario), a library
        file that is not there, or a file that is not a plan over years.

    Examples
    --------
    >>> from sim.data import load_package
    >>> from sim.scenario import parse_scenario
    >>> package = load_package()
    >>> plan = parse_scenario("version: 1\\nname: p\\nyear: 2020\\nhorizon: 2022\\n", package)
    >>> shared = plan_from_params({"v": "1", **plan_params(plan)}, package, Path("."))
    >>> (shared.name, shared.in_library, dump_scenario(shared.scenario) == dump_scenario(plan))
    ('p.yaml', False, True)
    """
    name, encoded = _single(params, PLAN_FILE_PARAM), _single(params, PLAN_TEXT_PARAM)
    if name is None and encoded is None:
        return None
    _check_version(params)
    if name is not None and encoded is not None:
        raise ScenarioError(msg("share.two_plans", file=PLAN_FILE_PARAM, text=PLAN_TEXT_PARAM), LINK_SOURCE)
    if name is not None:
        path = library / name
        if len(name) > MAX_PLAN_NAME or not _LIBRARY_NAME.match(name) or not path.is_file():
            raise ScenarioError(msg("share.plan_not_in_library", name=shown(name[:MAX_PLAN_NAME])), LINK_SOURCE)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ScenarioError(msg("share.plan_not_in_library", name=shown(name)), LINK_SOURCE) from exc
        scenario = parse_scenario(data, package, source=f"scenarios/{name}")
    else:
        scenario = parse_scenario(decode_scenario_text(encoded, PLAN_TEXT_PARAM), package, source=LINK_SOURCE)
        name = file_name(scenario)
    if not scenario.is_plan:
        raise ScenarioError(msg("share.not_a_plan"), LINK_SOURCE)
    return SharedPlan(scenario, name, in_library=encoded is None)


def file_name(scenario: Scenario) -> str:
    """The file name a scenario is saved under (downloads, a plan a link carries), from its name.

    >>> from sim.data import load_package
    >>> file_name(parse_scenario("version: 1\\nname: Push R&D!\\nyear: 2020\\n", load_package()))
    'push-r-d.yaml'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")[:60]
    return f"{slug or 'scenario'}.yaml"
