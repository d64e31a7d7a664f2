"""Generators of hostile input, shared by the fuzz tests and benchmarks/reliability_report.py.

Each *target* is a function that takes one generated input and drives the
simulator the way a user's input would; the oracle is always the same: the call
either succeeds or raises :class:`sim.errors.SimError` with a message. Any other
exception is a crash.
"""

from __future__ import annotations

import base64
import codecs
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import sim
from hostile_workbooks import workbooks
from sim.data import OPTIONAL_FILES, TABLE_FILES, load_package, package_from_files
from sim.engine import run_scenario
from sim.errors import SimError
from sim.excel import package_to_workbook
from sim.scenario import parse_scenario
from sim.share import scenario_from_params, share_params
from sim.uploads import package_from_upload, scenario_from_upload

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
            ["cell", "drop_line", "dup_line", "encode", "truncate", "empty", "bytes", "drop_file", "drop_column", "huge",
             "control", "digits", "long", "line_ends", "quote", "wide"]
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
        elif mutation == "control" and len(lines) > 1:
            # A raw control character in a cell (a quoted one may hold CR or LF too).
            row = draw(st.integers(1, len(lines) - 1))
            cells = lines[row].split(",")
            character = draw(st.sampled_from(["\x1b", "\x07", "\x08", "\x0b", "\x0c", "\x7f", "\x85", "\x9b", "\r"]))
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(
                [f"a{character}b", f'"a{character}b"', '"a\r\nb"', f"{character}"]))
            lines[row] = ",".join(cells)
            files[name] = "\n".join(lines).encode("utf-8", "surrogatepass")
        elif mutation == "digits" and len(lines) > 1:
            row = draw(st.integers(1, len(lines) - 1))
            cells = lines[row].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(UNREADABLE_NUMBERS))
            lines[row] = ",".join(cells)
            files[name] = "\n".join(lines).encode()
        elif mutation == "long" and len(lines) > 1:
            # Up to 100,000 more rows: repeated, unknown or junk, to meet every cap on problems.
            count = draw(st.integers(1_000, 100_000))
            row = draw(st.sampled_from([lines[1], "2020,suzhou,patents,1,x", "x,y,z,w,v", ",,,,", "2020,shenzhen,patent,n/a,"]))
            files[name] = ("\n".join(lines) + "\n" + (row + "\n") * count).encode()
        elif mutation == "line_ends":
            files[name] = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n", "\n \n"]))).encode()
        elif mutation == "quote" and len(lines) > 1:
            lines[draw(st.integers(1, len(lines) - 1))] += draw(st.sampled_from(['"', ',"unclosed', '""', ',"a""b"']))
            files[name] = "\n".join(lines).encode()
        elif mutation == "wide" and lines:
            extra = "," * draw(st.integers(1, 400))
            at = draw(st.integers(0, len(lines) - 1))
            lines[at] += extra + draw(st.sampled_from(["", "x", "extra"]))
            files[name] = "\n".join(lines).encode()
    return files


#: Numbers written in ways a data file may not use (issue 15): other scripts' digits,
#: separators, underscores, whole numbers beyond any float.
UNREADABLE_NUMBERS = ["٣٤٠١", "２０１９", "3_401.08", "3,401.08", "3 401", "1e", "0x1A", "1.2.3", "+-1", "−5", "9" * 5000,
                      "-" + "9" * 5000, "1" * 400 + ".5", "Infinity", "-inf", "NaN", "٣٤٠١.٥", "Ⅻ", "¼"]


# --- hostile scenario texts: outside the small space above (issue 15) -------------------
_HEAD = "version: 1\nname: hostile\nyear: 2020\n"
#: Most valid interventions a generated scenario runs: this branch's engine applies about
#: 500 a second; with the engine's vectorised apply (issue 15, the engine's half) it can
#: be 20,000, the most a scenario may hold. Invalid ones go up to 22,000 (refused at 20,000).
RUN_INTERVENTIONS = 300
_ITEM = "{zone: sunan, indicator: unicorns, by: 1}"


def _deep(depth: int, shape: str) -> str:
    """A scenario whose interventions nest ``depth`` levels deep."""
    if shape == "flow list":
        return _HEAD + "interventions: " + "[" * depth + "]" * depth + "\n"
    if shape == "flow map":
        return _HEAD + "interventions: " + "{a: " * depth + "1" + "}" * depth + "\n"
    if shape == "block list":
        return _HEAD + "interventions:\n" + "".join("  " * i + "-\n" for i in range(min(depth, 3000))) + "  " * 3000 + "x\n"
    return _HEAD + "links:\n" + "".join("  " * i + f"k{i}:\n" for i in range(min(depth, 3000)))


def _huge_number(digits: int, where: str, form: str) -> str:
    """A scenario holding a whole number of ``digits`` digits."""
    number = {"decimal": "9" * digits, "negative": "-" + "9" * digits, "hex": "0x" + "f" * digits,
              "underscored": "1_" * (digits // 2) + "1", "sexagesimal": "1" + ":59" * (digits // 3),
              "float": "9" * digits + ".5"}[form]
    if where == "year":
        return f"version: 1\nname: n\nyear: {number}\n"
    if where == "version":
        return f"version: {number}\nname: n\nyear: 2020\n"
    if where == "link":
        return _HEAD + f"links:\n  - {{from: rd_spending, to: pct_applications, elasticity: {number}}}\n"
    if where == "weights":
        return _HEAD + f"method:\n  weights: {{unicorns: {number}}}\n"
    return _HEAD + f"interventions:\n  - {{zone: sunan, indicator: unicorns, {where}: {number}}}\n"


#: Characters that must never reach a terminal, a workbook or an encoder raw.
HOSTILE_CHARACTERS = ["\\x1b", "\\x00", "\\x07", "\\x08", "\\r", "\\x0b", "\\x7f", "\\x85", "\\x9b", "\\ud800", "\\udfff",
                      "\\u202e", "\\ufeff", "\\uffff", "\\U0001F680", "\\t", "\\x1b[31m", "\\x1b]0;pwned\\x07"]


def _hostile_text(escape: str, field: str, raw: bool) -> str:
    """A scenario with a control character or lone surrogate in one text field: as a YAML
    escape in double quotes, or as the raw character (which YAML's reader refuses)."""
    text = "a" + escape.encode().decode("unicode_escape", "ignore") + "b" if raw else f'"a{escape}b"'
    if field in ("name", "name_zh", "description"):
        return f"version: 1\nyear: 2020\nname: {text if field == 'name' else 'x'}\n" + (
            f"{field}: {text}\n" if field != "name" else "")
    if field == "note":
        return _HEAD + f"interventions:\n  - {{zone: sunan, indicator: unicorns, by: 1, note: {text}}}\n"
    if field == "zone":
        return _HEAD + f"interventions:\n  - {{zone: {text}, indicator: unicorns, by: 1}}\n"
    if field == "key":
        return _HEAD + f"{text}: 1\n"
    return _HEAD + f"links:\n  - {{from: rd_spending, to: pct_applications, elasticity: 0.5, note: {text}}}\n"


def _long_collection(count: int, what: str) -> str:
    """A scenario with one collection of ``count`` entries (up to about 1 MB)."""
    if what == "zone list":
        return _HEAD + "interventions: [{zone: [" + ", ".join(["x"] * count) + "], indicator: unicorns, by: 1}]\n"
    if what == "valid zone list":
        return _HEAD + "interventions: [{zone: [" + ", ".join(["sunan"] * count) + "], indicator: unicorns, by: 1}]\n"
    if what == "interventions":  # valid ones are run: see RUN_INTERVENTIONS
        return _HEAD + "interventions:\n" + f"  - {_ITEM}\n" * min(count, RUN_INTERVENTIONS)
    if what == "bad interventions":
        return _HEAD + "interventions:\n" + "  - {zone: sunan, indicator: unicrons, by: 1}\n" * min(count, 22_000)
    if what == "unknown keys":
        return _HEAD + "interventions: [{zone: sunan, indicator: unicorns, by: 1, " + ", ".join(
            f"k{i}: 1" for i in range(min(count, 120_000))) + "}]\n"
    if what == "top keys":
        return _HEAD + "".join(f"k{i}: 1\n" for i in range(min(count, 120_000)))
    if what == "links":
        return _HEAD + "links:\n" + "  - {from: rd_spending, to: pct_aplications, elasticity: 1}\n" * min(count, 20_000)
    return _HEAD + "method:\n  weights: {" + ", ".join(f"w{i}: 1" for i in range(min(count, 100_000))) + "}\n"


hostile_scenario_texts = st.one_of(
    st.builds(_deep, st.integers(40, 30_000), st.sampled_from(["flow list", "flow map", "block list", "block map"])),
    st.builds(_huge_number, st.integers(90, 20_000), st.sampled_from(["by", "to", "year", "version", "link", "weights"]),
              st.sampled_from(["decimal", "negative", "hex", "underscored", "sexagesimal", "float"])),
    st.builds(_hostile_text, st.sampled_from(HOSTILE_CHARACTERS),
              st.sampled_from(["name", "name_zh", "description", "note", "zone", "key", "link note"]), st.booleans()),
    st.builds(_long_collection, st.integers(1, 120_000),
              st.sampled_from(["zone list", "valid zone list", "interventions", "bad interventions", "unknown keys",
                               "top keys", "links", "weights"])),
)

#: Every scenario text: the small space of issue 7 and the hostile one of issue 15.
all_scenario_texts = st.one_of(scenario_texts, hostile_scenario_texts)


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


def link_carrying(text: str) -> dict[str, str]:
    """A well-formed link (right version, valid base64url and zlib) carrying any text:
    what a hostile sender would build, bypassing the app's own size checks."""
    compressed = zlib.compress(text.encode("utf-8", "surrogatepass"), 9)
    return {"v": "1", "s": base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")}


share_links = st.one_of(
    tampered_links(),
    st.dictionaries(st.sampled_from(["s", "v", "d", "zone", "tab"]), st.text(max_size=50), max_size=4),
    hostile_scenario_texts.map(link_carrying),
    st.builds(lambda n: link_carrying("a: " + "x" * n), st.integers(90_000, 3_000_000)),  # expands past the cap
)


def open_share_link(params: dict[str, Any]) -> Any:
    """Open a link's query parameters as the app does, and run what it carries."""
    scenario = scenario_from_params(params, PACKAGE)
    return None if scenario is None else run_scenario(PACKAGE, scenario)


# --- uploads through the app's path (sim.uploads) -------------------------------------
_UPLOAD_NAMES = [
    lambda name: name, lambda name: name, lambda name: "C:\\Users\\me\\" + name, lambda name: "folder/" + name,
    str.upper, lambda name: f" {name} ", lambda name: "\x1b[31m" + name, lambda name: name + ".bak",
]


@st.composite
def uploaded_packages(draw: st.DrawFn) -> dict[str, bytes]:
    """What a person may upload as a data package: the CSV files (defective, renamed as
    browsers and people do, with extras or an old .xls), or one workbook (see
    ``hostile_workbooks``), or both at once."""
    kind = draw(st.sampled_from(["csv", "csv", "workbook", "workbook", "both", "many"]))
    files: dict[str, bytes] = {}
    if kind in ("csv", "both", "many"):
        for name, data in draw(package_files()).items():
            if "/" in name and draw(st.booleans()):
                continue  # published/... is not uploaded
            if name == "method.yaml":
                name = draw(st.sampled_from(["method.yaml", "method.yml"]))
            files[draw(st.sampled_from(_UPLOAD_NAMES))(name)] = data
    if kind in ("workbook", "both"):
        files[draw(st.sampled_from(["data.xlsx", "DATA.XLSX", "data.xlsm", "data.xls", "../x.xlsx"]))] = draw(workbooks)
    if kind == "many":
        files.update({f"extra{i}.csv": b"a,b\n1,2\n" for i in range(draw(st.integers(1, 8)))})
    return files


uploaded_scenarios = st.tuples(
    st.sampled_from(["mine.yaml", "MINE.YML", "folder/mine.yaml", "C:\\x\\mine.yaml", "mine.txt", "", ".yaml",
                     "\x1b[2Jmine.yaml", "mine.yaml\x00.exe"]),
    st.one_of(scenario_texts, hostile_scenario_texts).map(
        lambda t: t if isinstance(t, bytes) else t.encode("utf-8", "surrogatepass")),
)


# --- targets and the oracle ------------------------------------------------------------
def run_scenario_text(text: str | bytes) -> Any:
    """Parse a scenario against the shipped data and run it."""
    return run_scenario(PACKAGE, parse_scenario(text, PACKAGE, source="fuzz.yaml"))


def load_and_score_package(files: dict[str, bytes]) -> Any:
    """Validate a package from file contents and score every year with its method."""
    package = package_from_files(files, source="fuzz")
    return [package.score(year) for year in package.years]


def upload_and_score_package(files: dict[str, bytes]) -> Any:
    """Upload a package as the app does (``sim.uploads``), score every year, export it as a workbook."""
    package = package_from_upload(files)
    return [package.score(year) for year in package.years], package_to_workbook(package)


def upload_and_run_scenario(upload: tuple[str, bytes]) -> Any:
    """Upload a scenario file as the app does (``sim.uploads``) and run it."""
    name, data = upload
    return run_scenario(PACKAGE, scenario_from_upload(data, name, PACKAGE))


#: What each target's generators cover, printed by the reliability report.
INPUT_SPACES = {
    "scenario documents": (
        "valid and mutated scenario documents; random text and bytes (<= 300); anchors, tags, tabs, several "
        "documents, merge keys; nesting 40-30,000 deep (flow and block); whole numbers of 90-20,000 digits "
        "(decimal, hex, sexagesimal, in by/to/year/version/links/weights); control characters and lone "
        "surrogates in every text field (escaped and raw); collections of 1-120,000 entries (zone lists, "
        f"interventions: valid up to {RUN_INTERVENTIONS} run, invalid up to 22,000, unknown keys, links, weights)"
    ),
    "data packages": (
        "the tiny package's CSV files with 1-3 defects: junk cells, dropped/repeated lines and columns, 7 "
        "encodings, truncation, random bytes, missing files, huge and non-finite values, raw control characters, "
        "numbers in other digits or with separators (٣٤٠١, ２０１９, 3_401.08), 5,000-digit numbers, up to 100,000 "
        "extra rows, CR/CRLF/blank line ends, unclosed quotes, rows up to 400 cells wide"
    ),
    "share links": (
        "valid links flipped, cut, stretched, replaced, versioned, repeated; random parameters; well-formed "
        "links (valid base64url and zlib) carrying every hostile scenario text above, and text expanding to 3 MB"
    ),
    "uploaded packages": (
        "sim.uploads.package_from_upload: the data-package space above under browser-style names (folders, case, "
        "spaces, escapes, .yml, extra files, old .xls); Excel workbooks: valid, truncated, random bytes after PK, "
        "an old .xls, 10,001 parts, each part missing or replaced by junk or by XML bombs (billion laughs, "
        "external entity, quadratic blow-up, 50,000-deep), 14 kinds of bad cells (shared text out of range, bad "
        "number/bool/date/reference, 5,000-digit number, XFD1048576, errors, formulas) in every sheet at rows up "
        "to 1,048,576, shared strings with escapes and formulas; workbook and CSV files together"
    ),
    "uploaded scenarios": (
        "sim.uploads.scenario_from_upload: every scenario text above under names with folders, case, other "
        "extensions, NUL and terminal escapes"
    ),
}


@dataclass
class Tally:
    """What a fuzzing run found."""

    tried: int = 0
    results: int = 0
    clean_errors: int = 0
    crashes: list[tuple[Any, str]] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: Any = None
    #: Inputs first timed over ``slow`` seconds (at most 50), for the report to time again.
    slow_inputs: list[Any] = field(default_factory=list)
    slow: float = 1.0

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
        if elapsed > self.slow and len(self.slow_inputs) < 50:
            self.slow_inputs.append(value)
        if crash is not None:
            self.crashes.append((value, f"{type(crash).__name__}: {crash}"))
        return crash


__all__ = [
    "INPUT_SPACES",
    "PACKAGE",
    "Tally",
    "all_scenario_texts",
    "hostile_scenario_texts",
    "load_and_score_package",
    "open_share_link",
    "package_files",
    "run_scenario_text",
    "scenario_texts",
    "share_links",
    "sim",
    "upload_and_run_scenario",
    "upload_and_score_package",
    "uploaded_packages",
    "uploaded_scenarios",
]
