"""What a person uploads in the app, read as a library: a data package or a scenario.

The app hands over the uploaded files' names and bytes; these functions check the
names, the sizes and the contents, and raise nothing but :class:`~sim.errors.SimError`
(a :class:`~sim.errors.DataError` or :class:`~sim.errors.ScenarioError` with a message
naming the file, the line or row and the value), whatever the bytes are: the fuzzers
in ``tests/fuzzing.py`` feed them random, truncated and hostile files.

Examples
--------
>>> from sim.data import SHIPPED_DATA
>>> files = {p.name: p.read_bytes() for p in SHIPPED_DATA.glob("*.csv")}
>>> package = package_from_upload(files)
>>> len(package.zone_ids)
5
>>> scenario_from_upload(b"version: 1\\nname: x\\nyear: 2020\\n", "mine.yaml", package).name
'x'
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.data import MAX_CSV_BYTES, TABLE_FILES, DataPackage, package_from_files
from sim.errors import DataError, ScenarioError
from sim.messages import msg
from sim.scenario import Scenario, parse_scenario
from sim.text import options_text, printable

#: Most files in one upload (a data package has five at most: more get one message, not one each).
MAX_UPLOAD_FILES = 20
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_SCENARIO_SUFFIXES = (".yaml", ".yml")


def file_name(name: str) -> str:
    """The name of an uploaded file as messages show it: no folders, no control characters."""
    return printable(str(name).replace("\\", "/").rsplit("/", 1)[-1].strip())


def package_from_upload(files: Mapping[str, bytes], source: str = "upload") -> DataPackage:
    """A data package from uploaded files: the four CSV tables (and optionally
    ``method.yaml``), or exactly one Excel workbook (``.xlsx``).

    Parameters
    ----------
    files : mapping of file name to bytes
        As the browser sent them (a name may carry a folder; case does not matter).
    source : str
        Named in messages.

    Raises
    ------
    DataError
        Missing, unexpected, repeated or oversized files, and every problem in them.
    """
    from sim.excel import MAX_WORKBOOK_BYTES, package_from_workbook

    if not files:
        raise DataError(msg("uploads.nothing"), source)
    if len(files) > MAX_UPLOAD_FILES:
        raise DataError(msg("uploads.too_many_files", count=len(files), limit=MAX_UPLOAD_FILES), source)
    named: dict[str, bytes] = {}
    problems = []
    for raw_name, data in files.items():
        name = file_name(raw_name).lower()
        if name == "method.yml":
            name = "method.yaml"
        if name in named:
            problems.append(msg("uploads.repeated_file", name=name))
        named[name] = bytes(data)
    if problems:
        raise DataError(problems, source)
    workbooks = [name for name in named if name.endswith(_WORKBOOK_SUFFIXES)]
    if workbooks:
        if len(named) != 1:
            raise DataError(msg("uploads.both_kinds", names=", ".join(sorted(named))), source)
        name = workbooks[0]
        if len(named[name]) > MAX_WORKBOOK_BYTES:
            raise DataError(msg("excel.too_large", size=len(named[name]), limit=MAX_WORKBOOK_BYTES), name)
        return package_from_workbook(named[name], name)
    if any(name.endswith(".xls") for name in named):
        problems.append(msg("uploads.old_xls"))
    for name in named:
        if name not in (*TABLE_FILES, "method.yaml") and not name.endswith(".xls"):
            problems.append(msg("uploads.unexpected_file", name=name, expected=options_text(TABLE_FILES)))
    missing = [name for name in TABLE_FILES if name not in named]
    if missing:
        problems.append(msg("uploads.missing_files", names=options_text(missing), count=len(missing)))
    problems += [
        msg("data.file_too_large", name=name, size=len(data), limit=MAX_CSV_BYTES)
        for name, data in named.items()
        if len(data) > MAX_CSV_BYTES
    ]
    if problems:
        raise DataError(problems, source)
    return package_from_files(named, source=source)


def scenario_from_upload(data: bytes, name: str, package: DataPackage) -> Scenario:
    """A scenario from an uploaded ``.yaml`` file, validated against ``package``.

    Raises
    ------
    ScenarioError
        Not a .yaml file, too large, not UTF-8, not YAML, or an invalid scenario; the
        message names the file (without folders) and the line.
    """
    source = file_name(name) or "upload"
    if not source.lower().endswith(_SCENARIO_SUFFIXES):
        raise ScenarioError(msg("uploads.not_a_scenario"), source)
    return parse_scenario(bytes(data), package, source=source)
