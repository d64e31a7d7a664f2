"""Data packages as one Excel workbook or uploaded files, and comparisons as a workbook.

A workbook holds one sheet per table of a data package (DESIGN section 3):
``indicators``, ``groups``, ``zones``, ``baseline``, ``method`` (rows ``key, value``
for the method options) and ``links`` (``from, to, elasticity, additive, note``);
other sheets (such as the ``readme`` of the template) are ignored. Reading turns
every sheet into the same rows a CSV file gives and validates them with
:func:`sim.data.build_package`, so a workbook is checked exactly like a folder; the
messages name the workbook, the sheet, the row and the value.

Uploaded CSV files (``indicators.csv`` ... and an optional ``method.yaml``) go
through :func:`sim.data.read_csv_rows` and the same :func:`~sim.data.build_package`.

Examples
--------
>>> from sim.data import load_package
>>> package = load_package()
>>> again = package_from_workbook(package_to_workbook(package), "data.xlsx")
>>> bool((again.score(2020).scores == package.score(2020).scores).all())
True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook

from sim.data import MAX_CSV_BYTES, REQUIRED_COLUMNS, DataPackage, build_package, read_csv_rows
from sim.engine import Result
from sim.errors import DataError
from sim.method.options import METHOD_KEYS
from sim.report import comparison_frame
from sim.yamlio import load_yaml

TABLES = ("indicators", "groups", "zones", "baseline")
SHEETS = (*TABLES, "method", "links")
LINK_COLUMNS = ("from", "to", "elasticity", "additive", "note")
#: Largest workbook accepted (bytes, compressed) and what it may expand to.
MAX_WORKBOOK_BYTES = 20_000_000
MAX_WORKBOOK_EXPANDED = 200_000_000
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 200
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_README = {
    "zh": [
        "创新示范区情景模拟器：数据包模板",
        "每张表对应 data/ 文件夹中的一个文件：indicators、groups、zones、baseline（长表：year, zone, indicator, value, source）。",
        "method 表：key / value 两列，给出默认方法（normalization、score_normalization、weights、goalposts）。",
        "links 表：恒等关系（from, to, elasticity 或 additive, note）。",
        "用官方统计数据替换 baseline 表中的数值并填写 source 列，然后在应用侧栏上传本工作簿。",
        "ID 只能用小写英文字母、数字和下划线；计数类指标（integer = true）必须是整数。",
    ],
    "en": [
        "Innovation zone scenario simulator: data package template",
        "Each sheet is one file of the data/ folder: indicators, groups, zones, baseline (long: year, zone, indicator, value, source).",
        "method sheet: two columns key / value with the default method (normalization, score_normalization, weights, goalposts).",
        "links sheet: identity links (from, to, elasticity or additive, note).",
        "Replace the values of the baseline sheet with the official statistics, fill in the source column, "
        "then upload the workbook in the app's sidebar.",
        "Ids are lower-case ASCII letters, digits and underscores; counts (integer = true) must be whole numbers.",
    ],
}


# --------------------------------------------------------------------------- writing


def _cell(value: Any) -> Any:
    """A value as an Excel cell: numbers stay numbers, booleans become true/false text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _write_sheet(workbook: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in record])
    for position, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
        sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].width = min(width, 60)


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def package_to_workbook(package: DataPackage, readme: bool = True) -> bytes:
    """The whole data package as one ``.xlsx`` workbook (bytes).

    Parameters
    ----------
    package : DataPackage
    readme : bool
        Add a ``readme`` sheet explaining the layout (ignored when read back).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    if readme:
        sheet = workbook.create_sheet("readme")
        for line in [*_README["zh"], "", *_README["en"]]:
            sheet.append([line])
        sheet.column_dimensions["A"].width = 120
    indicators = package.indicators.reset_index()
    _write_sheet(workbook, "indicators", indicators)
    _write_sheet(workbook, "groups", package.groups.reset_index())
    _write_sheet(workbook, "zones", package.zones.reset_index())
    _write_sheet(workbook, "baseline", package.baseline[["year", "zone", "indicator", "value", "source"]])
    method = package.method.to_dict()
    rows = []
    for key in METHOD_KEYS:
        value = method[key]
        # An explicit mapping is written as JSON, which is also YAML flow style.
        rows.append({"key": key, "value": json.dumps(value) if isinstance(value, dict) else value})
    _write_sheet(workbook, "method", pd.DataFrame(rows, columns=["key", "value"]))
    links = [link.to_dict() for link in package.links]
    _write_sheet(workbook, "links", pd.DataFrame(links, columns=list(LINK_COLUMNS)))
    return _to_bytes(workbook)


def template_workbook(package: DataPackage) -> bytes:
    """The template to download: the given package (usually the shipped one) with a readme sheet."""
    return package_to_workbook(package, readme=True)


# --------------------------------------------------------------------------- reading


def _text(value: Any) -> str:
    """A cell as the text a CSV file would hold (numbers at full precision)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


def _check_archive(data: bytes, source: str) -> None:
    """Refuse what is not an .xlsx file, or one that would expand too far (a zip bomb)."""
    if len(data) > MAX_WORKBOOK_BYTES:
        raise DataError(f"the workbook is {len(data):,} bytes; at most {MAX_WORKBOOK_BYTES:,} are accepted", source)
    if not data.startswith(b"PK"):
        hint = " (an old .xls file? save it as .xlsx)" if data.startswith(b"\xd0\xcf\x11\xe0") else ""
        raise DataError(f"not an Excel .xlsx workbook{hint}", source)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DataError(f"not a readable Excel .xlsx workbook ({exc})", source) from None
    expanded = sum(member.file_size for member in members)
    if len(members) > 10_000 or expanded > MAX_WORKBOOK_EXPANDED:
        raise DataError(
            f"the workbook expands to {expanded:,} bytes in {len(members)} parts; at most "
            f"{MAX_WORKBOOK_EXPANDED:,} bytes are accepted",
            source,
        )


def _sheet_rows(sheet, title: str, source: str) -> list[dict[str, str]]:
    """Rows of a sheet as dicts of text (header lower-cased), with the Excel row number."""
    rows_iter = sheet.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    where = f"sheet {title!r}"
    if header_row is None or not any(c is not None and str(c).strip() for c in header_row):
        raise DataError(f"{where}: the sheet is empty; expected a header row and data rows", source)
    if len(header_row) > MAX_SHEET_COLUMNS:
        raise DataError(f"{where}: {len(header_row)} columns; at most {MAX_SHEET_COLUMNS}", source)
    header = [_text(c).lower() for c in header_row]
    while header and not header[-1]:
        header.pop()
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise DataError(f"{where}: the header repeats {', '.join(duplicated)}", source)
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        if number > MAX_SHEET_ROWS:
            raise DataError(f"{where}: more than {MAX_SHEET_ROWS:,} rows", source)
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        extra = [i for i, text in enumerate(texts) if text and (i >= len(header) or not header[i])]
        if extra:
            raise DataError(
                f"{where}, row {number}: a value ({texts[extra[0]]!r}) in a column without a header", source
            )
        row = {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(header) if h}
        row["_line"] = str(number)
        rows.append(row)
    return rows


_CSV_WHERE = re.compile(r"^(indicators|groups|zones|baseline)\.csv: line (\d+)")
_CSV_FILE = re.compile(r"^(indicators|groups|zones|baseline)\.csv:")


def _sheet_message(problem: str) -> str:
    """A :func:`build_package` message (written for CSV files) in terms of sheets and rows."""
    problem = _CSV_WHERE.sub(lambda m: f"sheet {m.group(1)!r}, row {m.group(2)}", problem)
    problem = _CSV_FILE.sub(lambda m: f"sheet {m.group(1)!r}:", problem)
    problem = problem.replace("indicators.csv", "sheet 'indicators'").replace("method.yaml", "sheet 'method'")
    return problem


def _method_data(method_rows: list[dict[str, str]] | None, link_rows: list[dict[str, str]] | None, source: str):
    """The ``method.yaml`` mapping from the method and links sheets."""
    if method_rows is None and link_rows is None:
        return None
    data: dict[str, Any] = {}
    problems = []
    for row in method_rows or []:
        key, value = row.get("key", ""), row.get("value", "")
        if not key:
            problems.append(f"sheet 'method', row {row['_line']}: the key is blank; allowed: {', '.join(METHOD_KEYS)}")
            continue
        if key in data:
            problems.append(f"sheet 'method', row {row['_line']}: {key!r} is given twice")
            continue
        if key == "weights" and value.startswith("{"):
            try:
                value, _ = load_yaml(value, f"sheet 'method', row {row['_line']}", DataError)
            except DataError as exc:
                problems.append(str(exc))
                continue
        elif key == "score_normalization" and value == "":
            value = None
        data[key] = value
    links = []
    for row in link_rows or []:
        link: dict[str, Any] = {}
        for column in LINK_COLUMNS:
            text = row.get(column, "")
            if text == "":
                continue
            if column in ("elasticity", "additive"):
                try:
                    link[column] = float(text)
                except ValueError:
                    problems.append(f"sheet 'links', row {row['_line']}: {column} {text!r} is not a number")
                    continue
            else:
                link[column] = text
        links.append(link)
    if links:
        data["links"] = links
    if problems:
        raise DataError(problems, source)
    return data


def package_from_workbook(data: bytes, source: str = "workbook.xlsx") -> DataPackage:
    """Read and validate a data package from one Excel workbook.

    Raises
    ------
    DataError
        Every problem, each naming the workbook, the sheet, the row and the value.
    """
    _check_archive(data, source)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file  # noqa: BLE001
        raise DataError(f"not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc})", source) from None
    try:
        titles = {name.strip().lower(): name for name in workbook.sheetnames}
        missing = [name for name in TABLES if name not in titles]
        if missing:
            raise DataError(
                f"sheet(s) {', '.join(missing)} missing; the workbook needs the sheets {', '.join(TABLES)} "
                f"(and optionally method, links); it has {', '.join(workbook.sheetnames) or 'none'}",
                source,
            )
        tables: dict[str, list[dict[str, str]]] = {}
        problems: list[str] = []
        for name in TABLES:
            try:
                rows = _sheet_rows(workbook[titles[name]], name, source)
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            header = set(rows[0]) if rows else set()
            required = REQUIRED_COLUMNS[f"{name}.csv"]
            if rows and not set(required) <= header:
                absent = [c for c in required if c not in header]
                problems.append(f"sheet {name!r}: missing column(s) {', '.join(absent)}; "
                                f"the header must have {', '.join(required)}")
                continue
            tables[f"{name}.csv"] = rows
        optional = {}
        for name in ("method", "links"):
            if name in titles:
                try:
                    optional[name] = _sheet_rows(workbook[titles[name]], name, source)
                except DataError as exc:
                    if "the sheet is empty" not in str(exc):
                        problems.extend(exc.problems)
                    optional[name] = []
    finally:
        workbook.close()
    if problems:
        raise DataError(problems, source)
    method_data = _method_data(optional.get("method"), optional.get("links"), source)
    for name in TABLES:
        tables[f"{name}.csv"] = [{k: v for k, v in row.items()} for row in tables[f"{name}.csv"]]
    try:
        return build_package(tables, method_data, digest=hashlib.sha256(data).hexdigest())
    except DataError as exc:
        raise DataError([_sheet_message(p) for p in exc.problems], source) from None


CSV_FILES = ("indicators.csv", "groups.csv", "zones.csv", "baseline.csv")


def package_from_files(files: Mapping[str, bytes], source: str = "upload") -> DataPackage:
    """Read and validate a data package from uploaded files.

    Parameters
    ----------
    files : mapping of file name to bytes
        Either the four CSV files (``indicators.csv``, ``groups.csv``, ``zones.csv``,
        ``baseline.csv``) and optionally ``method.yaml``, or exactly one ``.xlsx`` workbook.
    source : str
        Named in messages.

    Raises
    ------
    DataError
        Missing or unexpected files, and every problem in them (file, line, value).
    """
    named = {name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower(): data for name, data in files.items()}
    workbooks = [name for name in named if name.endswith((".xlsx", ".xlsm"))]
    if workbooks:
        if len(named) != 1:
            raise DataError(
                f"upload either one Excel workbook or the CSV files, not both ({', '.join(sorted(named))})", source
            )
        name = workbooks[0]
        return package_from_workbook(named[name], name)
    problems = []
    if any(name.endswith(".xls") for name in named):
        problems.append("old .xls files cannot be read; save the workbook as .xlsx")
    allowed = (*CSV_FILES, "method.yaml", "method.yml")
    for name in named:
        if name not in allowed and not name.endswith(".xls"):
            problems.append(f"{name}: unexpected file; a data package has {', '.join(CSV_FILES)} and optionally method.yaml")
    missing = [name for name in CSV_FILES if name not in named]
    if missing:
        problems.append(f"missing file(s) {', '.join(missing)}; upload all four CSV files together (or one workbook)")
    if problems:
        raise DataError(problems, source)
    tables = {}
    for name in CSV_FILES:
        if len(named[name]) > MAX_CSV_BYTES:
            problems.append(f"{name}: {len(named[name]):,} bytes is too large (at most {MAX_CSV_BYTES:,})")
            continue
        try:
            tables[name] = read_csv_rows(named[name], name)
        except DataError as exc:
            problems.extend(exc.problems)
    method_data = None
    method_name = "method.yaml" if "method.yaml" in named else "method.yml" if "method.yml" in named else None
    if method_name:
        try:
            method_data, _ = load_yaml(named[method_name], "method.yaml", DataError)
        except DataError as exc:
            problems.append(str(exc))
    if problems:
        raise DataError(problems, source)
    digest = hashlib.sha256()
    for name in sorted(named):
        digest.update(name.encode() + b"\0" + named[name] + b"\0")
    return build_package(tables, method_data, digest=digest.hexdigest(), root=None)


# --------------------------------------------------------------------------- comparisons


def comparison_workbook(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", wide: pd.DataFrame | None = None
) -> bytes:
    """Compared scenarios as a workbook: ``comparison`` (long, full precision) and ``side_by_side``.

    Parameters
    ----------
    results : sequence of Result
    package : DataPackage
    lang : str
        Language of the zone names.
    wide : pandas.DataFrame, optional
        The side-by-side table as shown (see :func:`sim.charts.comparison_wide_frame`).
    """
    long = comparison_frame(results).drop(columns="position")
    long.insert(long.columns.get_loc("zone") + 1, "zone_name", [package.name("zone", z, lang) for z in long["zone"]])
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_sheet(workbook, "comparison", long)
    if wide is not None:
        _write_sheet(workbook, "side_by_side", wide)
    legend = pd.DataFrame(
        [{"position": i, "scenario": r.scenario.name, "name_zh": r.scenario.name_zh, "year": r.year,
          "source": r.scenario.source} for i, r in enumerate(results, start=1)]
    )
    _write_sheet(workbook, "scenarios", legend)
    return _to_bytes(workbook)
