"""Data packages as one Excel workbook or uploaded files, and comparisons as a workbook.

A workbook holds one sheet per table of a data package (DESIGN section 3):
``indicators``, ``groups``, ``zones``, ``baseline``, ``method`` (rows ``key, value``
for the method options) and ``links`` (``from, to, elasticity, additive, note``);
other sheets (such as the ``readme`` of the template) are ignored. Reading turns
every sheet into the same rows a CSV file gives and validates them with
:func:`sim.data.build_package`, so a workbook is checked exactly like a folder; the
messages name the workbook, the sheet, the row and the value.

Everything openpyxl does with an uploaded file happens inside one exception boundary
(:func:`_read_sheets`): a damaged workbook is a :class:`~sim.errors.DataError`. Text is
always written as text, never as a formula. Uploads as a whole: :mod:`sim.uploads`.

Examples
--------
>>> from sim.data import load_package
>>> package = load_package()
>>> again = package_from_workbook(package_to_workbook(package), "data.xlsx")
>>> bool((again.score(2020).scores == package.score(2020).scores).all())
True
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook

from sim.csvfiles import cell_text
from sim.data import REQUIRED_COLUMNS, SHEET_PLACES, DataPackage, build_package
from sim.engine import Result
from sim.errors import DataError, Problems
from sim.messages import Message, msg, text
from sim.method.options import METHOD_KEYS
from sim.provenance import provenance_line
from sim.report import comparison_frame
from sim.text import options_text, printable, shown
from sim.values import number_hint, parse_number
from sim.yamlio import load_yaml

TABLES = ("indicators", "groups", "zones", "baseline")
SHEETS = (*TABLES, "method", "links")
LINK_COLUMNS = ("from", "to", "elasticity", "additive", "note")
#: Largest workbook accepted (bytes, compressed) and what it may expand to.
MAX_WORKBOOK_BYTES = 20_000_000
MAX_WORKBOOK_EXPANDED = 200_000_000
#: Most parts (files inside the zip) of a workbook; a data package's workbook has about 20.
MAX_WORKBOOK_PARTS = 10_000
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
    if isinstance(value, str):
        return printable(value)  # a control character would make openpyxl refuse the workbook
    return value


def _write_sheet(workbook: Workbook, title: str, frame: pd.DataFrame) -> None:
    """One sheet: a header row, then the frame's rows. Text is always written as text,
    never as a formula: a name such as ``=HYPERLINK(...)`` stays a name (OWASP's CSV
    injection advice, for workbooks)."""
    sheet = workbook.create_sheet(title)
    for position, column in enumerate(frame.columns, start=1):
        _put(sheet, 1, position, str(column))
    for row, record in enumerate(frame.itertuples(index=False), start=2):
        for position, value in enumerate(record, start=1):
            _put(sheet, row, position, _cell(value))
    for position, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
        sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].width = min(width, 60)


def _put(sheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula


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
        Explain the layout in the ``readme`` sheet, which always opens with the data's
        provenance line in Chinese and English (the sheet is ignored when read back).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    # The first sheet says where the numbers come from (ignored when the workbook is read back).
    lines = [provenance_line(package, lang) for lang in ("zh", "en")]
    if readme:
        lines += ["", *_README["zh"], "", *_README["en"]]
    sheet = workbook.create_sheet("readme")
    for row, line in enumerate(lines, start=1):
        _put(sheet, row, 1, line)
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


def _check_archive(data: bytes, source: str) -> None:
    """Refuse what is not an .xlsx file, or one that would expand too far (a zip bomb)."""
    if len(data) > MAX_WORKBOOK_BYTES:
        raise DataError(msg("excel.too_large", size=len(data), limit=MAX_WORKBOOK_BYTES), source)
    if not data.startswith(b"PK"):
        raise DataError(msg("excel.old_xls" if data.startswith(b"\xd0\xcf\x11\xe0") else "excel.not_xlsx"), source)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise DataError(msg("excel.not_a_workbook", reason=printable(str(exc))[:200]), source) from None
    if len(members) > MAX_WORKBOOK_PARTS:
        raise DataError(msg("excel.too_many_parts", parts=len(members), limit=MAX_WORKBOOK_PARTS), source)
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_WORKBOOK_EXPANDED:
        raise DataError(msg("excel.expands", size=expanded, parts=len(members), limit=MAX_WORKBOOK_EXPANDED), source)


class _Progress:
    """Where reading a workbook has got to, for the message when it fails."""

    def __init__(self):
        self.sheet: str | None = None
        self.row = 0

    def where(self) -> Message:
        if self.sheet is None:
            return msg("excel.where_opening")
        if self.row == 0:
            return msg("excel.where_sheet", sheet=self.sheet)
        return msg("excel.where_row", sheet=self.sheet, row=self.row)


def _sheet_rows(sheet, title: str, source: str, progress: _Progress) -> list[dict[str, str]]:
    """Rows of a sheet as dicts of text (header lower-cased), with the Excel row number."""
    progress.sheet, progress.row = title, 0
    # The sheet's declared size (<dimension>) is not trusted: openpyxl would drop rows
    # below it without a word. Rows are counted here instead (at most MAX_SHEET_ROWS),
    # and columns bounded, or a cell at XFD1048576 would make every row 16,384 wide.
    sheet.reset_dimensions()
    rows_iter = sheet.iter_rows(max_col=MAX_SHEET_COLUMNS + 1, values_only=True)
    header_row = next(rows_iter, None)
    where = msg("data.at_sheet", name=title)
    if header_row is None or not any(c is not None and str(c).strip() for c in header_row):
        raise DataError(msg("excel.sheet_empty", where=where), source)
    header = [cell_text(c).lower() for c in header_row]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_SHEET_COLUMNS:
        raise DataError(msg("excel.too_many_columns", where=where, limit=MAX_SHEET_COLUMNS), source)
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise DataError(msg("data.header_repeats", name=where, columns=options_text(duplicated)), source)
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        progress.row = number
        if number > MAX_SHEET_ROWS:
            raise DataError(msg("excel.too_many_rows", where=where, limit=MAX_SHEET_ROWS), source)
        if cells.count(None) == len(cells):  # an empty row (openpyxl fills in missing rows)
            continue
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        extra = [i for i, text in enumerate(texts) if text and (i >= len(header) or not header[i])]
        if extra:
            raise DataError(msg("excel.headerless_value", where=msg("data.at_row", name=title, line=number),
                                value=shown(texts[extra[0]])), source)
        row = {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(header) if h}
        row["_line"] = str(number)
        rows.append(row)
    return rows


_CSV_WHERE = re.compile(r"^(indicators|groups|zones|baseline)\.csv: line (\d+)")
_CSV_FILE = re.compile(r"^(indicators|groups|zones|baseline)\.csv:")


#: Files of a data package and the sheets that hold them in a workbook.
_SHEET_OF = {"method.yaml": "method", **{f"{name}.csv": name for name in TABLES}}


def _sheet_message(problem: Any) -> Any:
    """A message written for CSV files (method options, links) in terms of sheets and rows:
    a file name among a catalogue message's parameters becomes its sheet; the table
    sheets' messages name sheets already (:data:`sim.data.SHEET_PLACES`)."""
    if isinstance(problem, Message):
        return Message(problem.key, **{k: _sheet_message(v) for k, v in problem.params.items()})
    if isinstance(problem, (list, tuple)):
        return type(problem)(_sheet_message(v) for v in problem)
    if not isinstance(problem, str):
        return problem
    if problem in _SHEET_OF:
        return msg("data.at_sheet", name=_SHEET_OF[problem])
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
            problems.append(msg("excel.blank_key", where=msg("data.at_row", name="method", line=int(row["_line"])),
                                options=options_text(METHOD_KEYS)))
            continue
        where = msg("data.at_row", name="method", line=int(row["_line"]))
        if key in data:
            problems.append(msg("excel.key_twice", where=where, name=shown(key)))
            continue
        if key == "weights" and value.startswith("{"):
            try:
                value, _ = load_yaml(value, "method", DataError)
            except DataError as exc:
                problems.extend(msg("files.at_problem", where=where, problem=p) for p in exc.problems)
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
                number = parse_number(text)
                if number is None:
                    problems.append(msg("excel.not_number", where=msg("data.at_row", name="links",
                                                                       line=int(row["_line"])),
                                        column=column, value=shown(text), hint=number_hint(text)))
                    continue
                link[column] = number
            else:
                link[column] = text
        links.append(link)
    if links:
        data["links"] = links
    if problems:
        raise DataError(problems, source)
    return data


def _read_sheets(data: bytes, source: str) -> tuple[dict[str, list[dict[str, str]]], dict[str, list], list]:
    """The rows of the table sheets and of the optional method and links sheets.

    Everything openpyxl and the XML parser do happens here, inside one boundary: a
    damaged workbook (a shared text that does not exist, an entity bomb, a cell of
    the wrong type, a truncated part) is a :class:`DataError` naming the sheet and row
    reached, never a traceback.
    """
    progress = _Progress()
    tables: dict[str, list[dict[str, str]]] = {}
    optional: dict[str, list] = {}
    problems: list = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            titles = {name.strip().lower(): name for name in workbook.sheetnames}
            missing = [name for name in TABLES if name not in titles]
            if missing:
                has = options_text([printable(n) for n in workbook.sheetnames]) if workbook.sheetnames else \
                    msg("excel.no_sheets")
                raise DataError(msg("excel.sheets_missing", missing=options_text(missing), count=len(missing),
                                    needed=options_text(TABLES), has=has), source)
            for name in TABLES:
                try:
                    rows = _sheet_rows(workbook[titles[name]], name, source, progress)
                except DataError as exc:
                    problems.extend(exc.problems)
                    continue
                header = set(rows[0]) if rows else set()
                required = REQUIRED_COLUMNS[f"{name}.csv"]
                if rows and not set(required) <= header:
                    absent = [c for c in required if c not in header]
                    problems.append(msg("data.missing_columns", name=msg("data.at_sheet", name=name),
                                        missing=options_text(absent), required=options_text(required),
                                        count=len(absent)))
                    continue
                tables[f"{name}.csv"] = rows
            for name in ("method", "links"):
                if name in titles:
                    try:
                        optional[name] = _sheet_rows(workbook[titles[name]], name, source, progress)
                    except DataError as exc:
                        if not any(getattr(p, "key", "") == "excel.sheet_empty" for p in exc.problems):
                            problems.extend(exc.problems)
                        optional[name] = []
        finally:
            workbook.close()
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - the boundary: openpyxl and XML parsers raise many kinds
        raise DataError(msg("excel.damaged", where=progress.where(), reason=_damage(exc)), source) from None
    return tables, optional, problems


def _damage(exc: Exception) -> Message:
    """What an exception from openpyxl or the XML parser says about the file (never its
    message, which may hold a server path)."""
    if isinstance(exc, IndexError):
        return msg("excel.damage_shared_string")
    if isinstance(exc, (ElementTree.ParseError, SyntaxError)) or "expat" in type(exc).__module__:
        return msg("excel.damage_xml")
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError, KeyError)):
        return msg("excel.damage_part")
    if isinstance(exc, (ValueError, TypeError, OverflowError, AttributeError)):
        return msg("excel.damage_cell")
    if isinstance(exc, MemoryError):
        return msg("excel.damage_size")
    return msg("excel.damage_other", kind=type(exc).__name__)


def package_from_workbook(data: bytes, source: str = "workbook.xlsx") -> DataPackage:
    """Read and validate a data package from one Excel workbook.

    Raises
    ------
    DataError
        Every problem, each naming the workbook, the sheet, the row and the value; a
        damaged workbook, naming how far it could be read.
    """
    source = printable(source)
    _check_archive(data, source)
    tables, optional, problems = _read_sheets(data, source)
    if problems:
        raise DataError(problems, source)
    method_data = _method_data(optional.get("method"), optional.get("links"), source)
    try:
        return build_package(tables, method_data, digest=hashlib.sha256(data).hexdigest(), places=SHEET_PLACES)
    except DataError as exc:
        raise DataError(Problems(map(_sheet_message, exc.problems)), source) from None


# --------------------------------------------------------------------------- comparisons


def comparison_workbook(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", wide: pd.DataFrame | None = None
) -> bytes:
    """Compared scenarios as a workbook: the data's provenance (first sheet), ``comparison``
    (long, full precision) and ``side_by_side``.

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
    about = workbook.create_sheet(text("excel.about_sheet", lang))  # first: where the numbers come from
    for row, line in enumerate(dict.fromkeys(provenance_line(r, lang) for r in results), start=1):
        _put(about, row, 1, line)
    about.column_dimensions["A"].width = 120
    _write_sheet(workbook, "comparison", long)
    if wide is not None:
        _write_sheet(workbook, "side_by_side", wide)
    legend = pd.DataFrame(
        [{"position": i, "scenario": r.scenario.name, "name_zh": r.scenario.name_zh, "year": r.year,
          "source": r.scenario.source} for i, r in enumerate(results, start=1)]
    )
    _write_sheet(workbook, "scenarios", legend)
    return _to_bytes(workbook)
