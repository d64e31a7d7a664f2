"""Excel workbooks, valid and hostile, for the fuzzers and the tests (issue 15).

Each is the tiny package's workbook (``sim.excel.package_to_workbook``) with one part
of its zip changed the way a damaged file or an attacker would: a cell of the wrong
type, a shared text that does not exist, an XML entity bomb, a truncated or missing
part, a cell far out at XFD1048576, too many parts. ``sim.uploads`` and
``sim.excel`` must turn every one into a package or a ``DataError``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from sim.data import load_package
from sim.excel import package_to_workbook

TINY = Path(__file__).parent / "packages" / "tiny"
VALID = package_to_workbook(load_package(TINY))
#: Parts of the tiny workbook: sheets 1-7 are readme, indicators, groups, zones, baseline, method, links.
SHEETS = {name: f"xl/worksheets/sheet{i}.xml" for i, name in
          enumerate(["readme", "indicators", "groups", "zones", "baseline", "method", "links"], start=1)}
PARTS = zipfile.ZipFile(io.BytesIO(VALID)).namelist()
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

#: Cells of the wrong kind, as an attacker or a broken tool writes them.
BAD_CELLS = {
    "shared text out of range": b'<c r="B{row}" t="s"><v>99999</v></c>',
    "shared text not a number": b'<c r="B{row}" t="s"><v>x</v></c>',
    "bad number": b'<c r="B{row}"><v>abc</v></c>',
    "huge whole number": b'<c r="D{row}"><v>' + b"9" * 5000 + b"</v></c>",
    "bad true/false": b'<c r="B{row}" t="b"><v>maybe</v></c>',
    "bad date": b'<c r="B{row}" t="d"><v>not a date</v></c>',
    "date far out": b'<c r="B{row}" s="1"><v>1e300</v></c>',
    "bad reference": b'<c r="!!{row}"><v>1</v></c>',
    "reference out of the sheet": b'<c r="ZZZZ{row}"><v>1</v></c>',
    "far cell": b'<c r="XFD1048576"><v>1</v></c>',
    "error value": b'<c r="D{row}" t="e"><v>#DIV/0!</v></c>',
    "formula": b'<c r="D{row}"><f>1/0</f></c>',
    "control character": b'<c r="E{row}" t="inlineStr"><is><t>a_x001B_b</t></is></c>',
    "empty inline": b'<c r="E{row}" t="inlineStr"></c>',
}

#: XML that expands without bound or reaches outside the file.
_BOMB_DTD = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)
ENTITY_XML = {
    "billion laughs": b'<?xml version="1.0"?>' + _BOMB_DTD + b"<worksheet " + _MAIN
    + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet '
    + _MAIN + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>',
    "quadratic blowup": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"x" * 50_000 + b'">]><worksheet ' + _MAIN
    + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + b"&a;" * 2_000 + b"</t></is></c></row></sheetData></worksheet>",
    "not XML": b"\x00\x01 this is not XML",
    "unclosed": b"<worksheet " + _MAIN + b"><sheetData><row",
    "deep": b"<worksheet " + _MAIN + b">" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</worksheet>",
}


def rezip(data: bytes, changes: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """``data`` (a zip) with parts replaced (or removed, for None) and parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = changes.get(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_cell(sheet: str, kind: str, row: int = 900) -> bytes:
    """The valid workbook with one bad cell (``BAD_CELLS[kind]``) in a new row of ``sheet``."""
    part = SHEETS[sheet]
    xml = zipfile.ZipFile(io.BytesIO(VALID)).read(part)
    cell = BAD_CELLS[kind].replace(b"{row}", str(row).encode())
    return rezip(VALID, {part: xml.replace(b"</sheetData>", f'<row r="{row}">'.encode() + cell + b"</row></sheetData>")})


def with_shared_strings(text: bytes) -> bytes:
    """The valid workbook whose zones sheet takes Shenzhen's English name from a shared
    strings part holding ``text`` (as Excel writes them, with ``_xHHHH_`` escapes)."""
    part = SHEETS["zones"]
    xml = zipfile.ZipFile(io.BytesIO(VALID)).read(part)
    xml = xml.replace(b'<c r="C4" t="inlineStr"><is><t>Shenzhen</t></is></c>', b'<c r="C4" t="s"><v>0</v></c>')
    strings = b'<sst ' + _MAIN + b' count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    types = zipfile.ZipFile(io.BytesIO(VALID)).read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = zipfile.ZipFile(io.BytesIO(VALID)).read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return rezip(VALID, {part: xml, "[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                 {"xl/sharedStrings.xml": strings})


def _many_parts(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for i in range(count):
            target.writestr(f"x/{i}", b"")
    return out.getvalue()


#: A zip of 10,001 empty parts (built once: it takes a moment).
MANY_PARTS = _many_parts(10_001)


def _truncated(cut: int) -> bytes:
    return VALID[:cut]


def _part_replaced(part: str, content: bytes | None) -> bytes:
    return rezip(VALID, {part: content})


workbooks = st.one_of(
    st.just(VALID),
    st.builds(with_cell, st.sampled_from(sorted(SHEETS)), st.sampled_from(sorted(BAD_CELLS)), st.integers(2, 1_048_576)),
    st.builds(_part_replaced, st.sampled_from(PARTS), st.sampled_from(list(ENTITY_XML.values()))),
    st.builds(_part_replaced, st.sampled_from(PARTS), st.none()),  # a part missing
    st.builds(_part_replaced, st.sampled_from(PARTS), st.binary(max_size=300)),  # a part of junk
    st.builds(_truncated, st.integers(0, len(VALID) - 1)),
    st.builds(with_shared_strings, st.sampled_from(
        [b"Shenzhen", b"a_x001B_b", b"_xD800_", b"=HYPERLINK(\"http://x\")", b"_x0000_", b"x" * 100_000])),
    st.binary(max_size=2_000).map(lambda junk: b"PK\x03\x04" + junk),
    st.just(MANY_PARTS),
    st.just(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),  # an old .xls
)
