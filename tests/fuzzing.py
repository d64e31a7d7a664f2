"""Generators of hostile input, shared by the fuzz tests and benchmarks/reliability_report.py.

Each *target* is a function that takes one generated input and drives the
simulator the way a user's input would; the oracle is always the same: the call
either succeeds or raises :class:`sim.errors.SimError` with a message. Any other
exception is a crash.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import sim
from sim.data import OPTIONAL_FILES, TABLE_FILES, load_package, package_from_files
from sim.engine import run_scenario
from sim.errors import SimError
from sim.scenario import parse_scenario
from sim.share import scenario_from_params, share_params

PACKAGE = load_package()
TINY = Path(__file__).parent / "packages" / "tiny"
TINY_FILES = {
    name: (TINY / name).read_bytes() for name in (*TABLE_FILES, *OPTIONAL_FILES) if (TINY / name).is_file()
}

# --- values a hostile user might type -------------------------------------------------
junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["+abc%", "%", "1e400%", "-101%", "∞", "<script>alert(1)</script>", "NaN", "1,5", "0x10"]),
)
junk_values = st.one_of(junk_scalars, st.lists(junk_scalars, max_size=3), st.dictionaries(st.text(max_size=8), junk_scalars, max_size=3))


def _near_miss(word: str) -> st.SearchStrategy[str]:
    """A misspelling of an id: one character dropped, doubled or changed."""
    return st.integers(0, max(len(word) - 1, 0)).flatmap(
        lambda i: st.sampled_from([word[:i] + word[i + 1 :], word[:i] + word[i] * 2 + word[i + 1 :], word[:i] + "x" + word[i + 1 :]])
    )


def _ids(choices: list[str], allow_all: bool) -> st.SearchStrategy[Any]:
    single = st.sampled_from(choices + (["all"] if allow_all else []))
    return st.one_of(single, st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True))


@st.composite
def interventions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid-looking intervention mapping."""
    item = {"zone": draw(_ids(PACKAGE.zone_ids, True)), "indicator": draw(_ids(PACKAGE.indicator_ids, False))}
    kind = draw(st.sampled_from(["percent", "amount", "to"]))
    if kind == "percent":
        item["by"] = f"{draw(st.floats(-100, 500, allow_nan=False)):+.4g}%"
    elif kind == "amount":
        item["by"] = draw(st.one_of(st.integers(-50, 5000), st.floats(-50, 5000, allow_nan=False)))
    else:
        item["to"] = draw(st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False)))
    return item


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Scenario documents that follow the schema (their results may still be out of range)."""
    doc: dict[str, Any] = {
        "version": 1,
        "name": draw(st.text(min_size=1, max_size=40).filter(str.strip)),
        "year": draw(st.sampled_from(PACKAGE.years)),
        "interventions": draw(st.lists(interventions(), max_size=4)),
    }
    if draw(st.booleans()):
        doc["method"] = {
            "normalization": draw(st.sampled_from(["minmax", "minmax-shift", "ratio"])),
            "weights": draw(st.sampled_from(["recompute", "baseline", "equal", "published"])),
            "goalposts": draw(st.sampled_from(["scenario", "baseline"])),
        }
    if draw(st.booleans()):
        pair = draw(st.lists(st.sampled_from(PACKAGE.indicator_ids), min_size=2, max_size=2, unique=True))
        doc["links"] = [{"from": pair[0], "to": pair[1], "elasticity": draw(st.floats(-5, 5, allow_nan=False))}]
    return doc


@st.composite
def nearly_valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one to three mutations: junk values, lost or unknown keys, misspelt ids."""
    doc = draw(valid_documents())
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(["junk_top", "drop_top", "unknown_key", "junk_item", "misspell", "huge"]))
        if mutation == "junk_top":
            doc[draw(st.sampled_from(list(doc)))] = draw(junk_values)
        elif mutation == "drop_top" and doc:
            doc.pop(draw(st.sampled_from(list(doc))))
        elif mutation == "unknown_key":
            doc[draw(st.text(min_size=1, max_size=10))] = draw(junk_scalars)
        elif isinstance(doc.get("interventions"), list) and doc["interventions"]:
            item = draw(st.sampled_from(doc["interventions"]))
            if not isinstance(item, dict):
                continue
            if mutation == "junk_item":
                item[draw(st.sampled_from(["zone", "indicator", "by", "to", "extra"]))] = draw(junk_values)
            elif mutation == "misspell":
                item["indicator"] = draw(_near_miss(draw(st.sampled_from(PACKAGE.indicator_ids))))
            else:
                item["by" if "by" in item else "to"] = draw(st.sampled_from([1e308, -1e308, 1e16, "+1e300%", 10**400]))
    return doc


def _to_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


#: Scenario texts: valid, nearly valid, random YAML-ish text and random bytes.
scenario_texts = st.one_of(
    valid_documents().map(_to_yaml),
    nearly_valid_documents().map(_to_yaml),
    st.text(max_size=300),
    st.binary(max_size=300),
    st.sampled_from(
        [
            "a: &x [1]\nb: *x\n",
            "!!python/object/apply:os.system ['echo hi']\n",
            "version: 1\nname: x\nyear: 2020\ninterventions:\n\t- zone: sunan\n",
            "---\na: 1\n---\nb: 2\n",
            "version: 1\nversion: 1\n",
            "[1, 2, 3]",
            "? [a, b]\n: 1\n",
            "<<: {a: 1}\n",
        ]
    ),
)


# --- data packages ---------------------------------------------------------------------
_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252", "shift_jis"]


@st.composite
def package_files(draw: st.DrawFn) -> dict[str, bytes]:
    """The tiny package's files with one to three defects."""
    files = dict(TINY_FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files) or list(TABLE_FILES)))
        text = files.get(name, b"").decode("utf-8-sig", errors="replace")
        lines = text.splitlines()
        mutation = draw(st.sampled_from(
            ["cell", "drop_line", "dup_line", "encode", "truncate", "empty", "bytes", "drop_file", "drop_column", "huge"]
        ))
        if mutation == "cell" and len(lines) > 1:
            row = draw(st.integers(1, len(lines) - 1))
            cells = lines[row].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = str(draw(junk_scalars)).replace("\n", " ")
            lines[row] = ",".join(cells)
            files[name] = "\n".join(lines).encode()
        elif mutation == "drop_line" and len(lines) > 1:
            lines.pop(draw(st.integers(0, len(lines) - 1)))
            files[name] = "\n".join(lines).encode()
        elif mutation == "dup_line" and len(lines) > 1:
            lines.append(lines[draw(st.integers(1, len(lines) - 1))])
            files[name] = "\n".join(lines).encode()
        elif mutation == "encode":
            encoding = draw(st.sampled_from(_ENCODINGS))
            files[name] = codecs.encode(text, encoding, errors="replace")
        elif mutation == "truncate":
            data = files.get(name, b"")
            files[name] = data[: draw(st.integers(0, max(len(data) - 1, 0)))]
        elif mutation == "empty":
            files[name] = b""
        elif mutation == "bytes":
            files[name] = draw(st.binary(max_size=200))
        elif mutation == "drop_file":
            files.pop(name, None)
        elif mutation == "drop_column" and lines:
            column = draw(st.integers(0, max(lines[0].count(","), 0)))
            files[name] = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != column) for line in lines).encode()
        elif mutation == "huge" and len(lines) > 1:
            row = draw(st.integers(1, len(lines) - 1))
            cells = lines[row].split(",")
            cells[-2 if len(cells) > 1 else 0] = draw(st.sampled_from(["1e308", "-1e308", "1e15", "inf", "nan", "1" * 400]))
            lines[row] = ",".join(cells)
            files[name] = "\n".join(lines).encode()
    return files


# --- share links ----------------------------------------------------------------------
_VALID_LINKS = [
    share_params(parse_scenario(text, PACKAGE, source="seed"))
    for text in (
        "version: 1\nname: seed\nyear: 2020\n",
        "version: 1\nname: 种子\nyear: 2019\ninterventions:\n  - {zone: sunan, indicator: unicorns, by: 3}\n",
    )
]


@st.composite
def tampered_links(draw: st.DrawFn) -> dict[str, Any]:
    """A valid link with its payload flipped, cut, stretched or replaced."""
    params = dict(draw(st.sampled_from(_VALID_LINKS)))
    payload = params["s"]
    how = draw(st.sampled_from(["flip", "cut", "append", "replace", "version", "huge", "list"]))
    if how == "flip":
        i = draw(st.integers(0, len(payload) - 1))
        params["s"] = payload[:i] + draw(st.sampled_from("AZaz09-_=+/%!")) + payload[i + 1 :]
    elif how == "cut":
        params["s"] = payload[: draw(st.integers(0, len(payload)))]
    elif how == "append":
        params["s"] = payload + draw(st.text(max_size=20))
    elif how == "replace":
        params["s"] = draw(st.text(max_size=200))
    elif how == "version":
        params["v"] = draw(st.text(max_size=5))
    elif how == "huge":
        params["s"] = "A" * draw(st.integers(7_000, 20_000))
    else:
        params["s"] = [payload, payload]
    return params


share_links = st.one_of(
    tampered_links(),
    st.dictionaries(st.sampled_from(["s", "v", "d", "zone", "tab"]), st.text(max_size=50), max_size=4),
)


def open_share_link(params: dict[str, Any]) -> Any:
    """Open a link's query parameters as the app does, and run what it carries."""
    scenario = scenario_from_params(params, PACKAGE)
    return None if scenario is None else run_scenario(PACKAGE, scenario)


# --- targets and the oracle ------------------------------------------------------------
def run_scenario_text(text: str | bytes) -> Any:
    """Parse a scenario against the shipped data and run it."""
    return run_scenario(PACKAGE, parse_scenario(text, PACKAGE, source="fuzz.yaml"))


def load_and_score_package(files: dict[str, bytes]) -> Any:
    """Validate a package from file contents and score every year with its method."""
    package = package_from_files(files, source="fuzz")
    return [package.score(year) for year in package.years]


@dataclass
class Tally:
    """What a fuzzing run found."""

    tried: int = 0
    results: int = 0
    clean_errors: int = 0
    crashes: list[tuple[Any, str]] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: Any = None

    def record(self, target: Callable[[Any], Any], value: Any) -> BaseException | None:
        """Run one input; return the crash (a non-SimError exception), if any."""
        self.tried += 1
        start = time.perf_counter()
        crash = None
        try:
            target(value)
            self.results += 1
        except SimError as exc:
            self.clean_errors += 1
            if not str(exc).strip():
                crash = AssertionError("a SimError with an empty message")
        except Exception as exc:  # noqa: BLE001 - every other exception is what we hunt
            crash = exc
        elapsed = time.perf_counter() - start
        if elapsed > self.slowest:
            self.slowest, self.slowest_input = elapsed, value
        if crash is not None:
            self.crashes.append((value, f"{type(crash).__name__}: {crash}"))
        return crash


__all__ = [
    "PACKAGE",
    "Tally",
    "load_and_score_package",
    "open_share_link",
    "package_files",
    "run_scenario_text",
    "scenario_texts",
    "share_links",
    "sim",
]
