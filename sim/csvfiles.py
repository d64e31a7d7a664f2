"""CSV files of a data package as tables of text, read in one vectorised pass.

A file becomes a :class:`pandas.DataFrame` of stripped text, one column per header
name (lower-cased), blank rows dropped, with the column ``_line``: the record's number
as a reader counts it (the header is line 1). Reading 500,000 rows takes about a
second and keeps every cell as Arrow text, not as a Python object per cell.

Rows given as lists of dicts (an Excel sheet, a table edited in the app, the
calibration's output) become the same frame through :func:`frame_from_rows`, so that
:func:`sim.data.build_package` checks one kind of table whatever it came from.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from sim.errors import DataError
from sim.messages import msg
from sim.text import CONTROL_TEXT, options_text, text_problem

#: Column holding each row's line number.
LINE = "_line"


def decode_text(data: bytes, name: str) -> str:
    """Decode a CSV file as Excel and other tools save it.

    UTF-8 (with or without BOM) is tried first, since valid UTF-8 is almost never
    anything else; then UTF-16 with a BOM (Excel's "Unicode text"); then GB18030,
    the superset of GBK that Chinese Excel writes by default.

    Raises
    ------
    DataError
        None of those decode the bytes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    failures = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(exc.start)
    # The encoding that decoded further is the likelier intended one, so its first
    # bad byte is the one worth pointing at.
    position = max(failures)
    line = data.count(b"\n", 0, position) + 1
    raise DataError(msg("data.bad_encoding", name=name, line=line, byte=f"0x{data[position]:02x}", offset=position))


def read_csv_table(data: bytes | str, name: str, required: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV file as a frame of stripped text with a ``_line`` column.

    UTF-8 files are parsed by Arrow's CSV reader straight from the bytes (a quarter of
    a second for 500,000 rows, the cells kept as Arrow text); other encodings are
    decoded first, and files Arrow does not take (a row shorter or longer than the
    header, an unclosed quote) are read by Python's ``csv`` module, with the same result.

    Parameters
    ----------
    data : bytes or str
        The file (bytes are decoded with :func:`decode_text`).
    name : str
        The file's name, for messages.
    required : sequence of str
        Columns the header must have.

    Raises
    ------
    DataError
        Undecodable text, NUL bytes, an empty file, a row with more cells than the
        header, a repeated or missing header column. (Control characters in cells are
        found by :func:`text_cells_problems`, for tables from anywhere.)
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = decode_text(data, name).encode("utf-8", "surrogatepass")
    if b"\x00" in data:
        raise DataError(msg("data.nul_bytes", name=name))
    start = len(_BOM) if data.startswith(_BOM) else 0
    if _NOT_BLANK.search(data, start) is None:
        raise DataError(msg("data.empty_file", name=name))
    view = memoryview(data)[start:]
    end = data.find(b"\n", start)
    # A lone CR ends a line too (old Mac files).
    first_line = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace").split("\r", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    columns = _arrow_columns(view, first_line, delimiter)  # None when not UTF-8, or not regular
    if columns is None:
        text = decode_text(bytes(view), name).lstrip("\ufeff")
        columns = _python_columns(text, delimiter, name)
    header = [str(column[0]).strip().lower() for column in columns]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise DataError(msg("data.header_repeats", name=name, columns=options_text(duplicated)))
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(msg("data.missing_columns", name=name, missing=options_text(missing),
                            required=options_text(required), count=len(missing)))
    cells = {}
    for h, column in zip(header, columns):
        body = column.slice(1)
        # Trimming copies the column: only when some cell has space to trim.
        cells[h] = pc.utf8_trim_whitespace(body) if pc.any(pc.match_substring_regex(body, _PADDED)).as_py() else body
    del columns
    keep = np.zeros(len(next(iter(cells.values()))) if cells else 0, dtype=bool)
    for column in cells.values():
        keep |= pc.not_equal(column, "").to_numpy(zero_copy_only=False)
    if not keep.all():
        mask = pa.array(keep)
        cells = {h: column.filter(mask) for h, column in cells.items()}
    frame = pd.DataFrame({h: pd.Series(column, dtype=_TEXT) for h, column in cells.items()})
    frame[LINE] = np.flatnonzero(keep) + 2
    return frame


#: Arrow-backed text, the dtype of every column but ``_line``.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


_BOM = b"\xef\xbb\xbf"
_NOT_BLANK = re.compile(rb"\S")
_PADDED = r"^\s|\s$"


def _arrow_columns(data: memoryview, first_line: str, delimiter: str) -> list[pa.Array] | None:
    """The file's columns (header row first) by Arrow's reader, or None when it refuses the
    file (not UTF-8, a row shorter or longer than the header, an unclosed quote)."""
    try:
        width = len(next(csv.reader([first_line], delimiter=delimiter), []))
    except csv.Error:  # an unclosed quote in the header: the csv module's path reports it
        return None
    if width == 0:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            memory_pool=pa.system_memory_pool(),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowException:
        return None
    return [table.column(n) for n in names]


def _python_columns(text: str, delimiter: str, name: str) -> list[pa.Array]:
    """The file's columns by Python's ``csv`` module: rows shorter than the header are
    padded with blanks, a row longer than the header is an error naming its line."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        rows = [header]
        for line, cells in enumerate(reader, start=2):
            if len(cells) > len(header):
                raise DataError(msg("data.ragged_row", name=name, line=line, cells=len(cells), header=len(header)))
            rows.append(cells + [""] * (len(header) - len(cells)))
    except csv.Error as exc:
        raise DataError(msg("data.unreadable_csv", name=name, reason=str(exc)[:200])) from None
    if not header:
        raise DataError(msg("data.empty_file", name=name))
    try:
        return [pa.array(column, type=pa.string()) for column in zip(*rows)]
    except (UnicodeEncodeError, pa.ArrowException):  # a lone surrogate: no file can hold one
        raise DataError(msg("data.unreadable_csv", name=name, reason=msg("data.broken_unicode"))) from None


def read_csv_rows(data: bytes | str, name: str, required: Sequence[str] = ()) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of stripped strings (header names lower-cased), each
    with its ``_line`` as text; see :func:`read_csv_table`, which this wraps for small files."""
    table = read_csv_table(data, name, required)
    rows = table.drop(columns=LINE).to_dict("records")
    for row, line in zip(rows, table[LINE].tolist()):
        row[LINE] = str(line)
    return rows


def frame_from_rows(rows: Sequence[Mapping[str, Any]] | pd.DataFrame, name: str, problems: list) -> pd.DataFrame:
    """A table given as rows of text (or as a frame) in the form :func:`read_csv_table` gives.

    Cells that are not text become text (numbers at full precision, booleans as
    ``true``/``false``, blanks as ``""``); a row without a ``_line`` gets its position.
    Text that cannot be stored (a lone surrogate) is reported to ``problems`` and blanked.
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(
        [{str(k): v for k, v in row.items()} for row in rows] if rows else [])
    if LINE not in frame.columns:
        frame[LINE] = np.arange(2, len(frame) + 2)
    lines = pd.to_numeric(frame[LINE], errors="coerce").fillna(0).astype(np.int64)
    frame[LINE] = lines
    for column in frame.columns:
        if column == LINE or (pd.api.types.is_string_dtype(frame[column]) and not frame[column].isna().any()):
            continue
        texts = [cell_text(value) for value in frame[column].tolist()]
        try:
            frame[column] = pd.Series(texts, index=frame.index, dtype=str)
        except UnicodeEncodeError:  # a lone surrogate, which no file can hold
            for position, text in enumerate(texts):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    where = msg("data.at_line", name=name, line=int(lines.iat[position]))
                    problems.append(msg("data.bad_text", where=where, problem=text_problem(text)))
                    texts[position] = ""
            frame[column] = pd.Series(texts, index=frame.index, dtype=str)
    return frame.reset_index(drop=True)


def cell_text(value: Any) -> str:
    """A cell (of a frame, or of an Excel sheet) as the text a CSV file would hold: numbers
    at full precision, whole ones without ``.0``, booleans as ``true``/``false``, dates in
    ISO form, blanks as ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def text_cells_problems(frame: pd.DataFrame, name: str, problems: list, where) -> None:
    """Report the cells of ``frame`` holding a control character (see :mod:`sim.text`)."""
    for column in frame.columns:
        if column == LINE or not pd.api.types.is_string_dtype(frame[column]):
            continue
        found = frame[column].str.contains(CONTROL_TEXT, regex=True)
        rows = np.flatnonzero(found.to_numpy(dtype=bool, na_value=False))
        problems.each(
            rows,
            lambda i, column=column: msg(
                "data.bad_text", where=where(name, int(frame[LINE].iat[i])),
                problem=text_problem(frame[column].iat[i]),
            ),
        )
