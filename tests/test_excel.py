"""Data packages as Excel workbooks and uploaded files (sim/excel.py)."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import hostile_workbooks
from sim import excel
import sim.data
from sim.data import SHIPPED_DATA, build_package
from sim.engine import run_scenario
from sim.errors import DataError
from sim.excel import (
    comparison_workbook,
    package_from_workbook,
    package_to_workbook,
    template_workbook,
)
from sim.provenance import provenance_line
from sim.scenario import baseline_scenario, scenario_from_dict
from sim.uploads import package_from_upload

PACKAGES = Path(__file__).resolve().parent / "packages"


@pytest.fixture(scope="module")
def shipped_workbook(shipped) -> bytes:
    return package_to_workbook(shipped)


def _edit(workbook: bytes, edits: dict[tuple[str, str], object] | None = None, drop: str | None = None) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    for (sheet, cell), value in (edits or {}).items():
        book[sheet][cell] = value
    if drop:
        del book[drop]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _message(data: bytes, name: str = "bad.xlsx") -> str:
    with pytest.raises(DataError) as info:
        package_from_workbook(data, name)
    return str(info.value)


# ----------------------------------------------------------------------------- round trips


def test_workbook_round_trip_reproduces_identical_scores(shipped, shipped_workbook):
    again = package_from_workbook(shipped_workbook, "data.xlsx")
    for year in shipped.years:
        for method in (None, shipped.method.updated(normalization="minmax-shift", score_normalization="minmax")):
            before, after = shipped.score(year, method), again.score(year, method)
            pd.testing.assert_series_equal(after.scores, before.scores, check_exact=True)
            pd.testing.assert_series_equal(after.weights, before.weights, check_exact=True)
    pd.testing.assert_frame_equal(
        again.baseline.reset_index(drop=True), shipped.baseline.reset_index(drop=True), check_exact=True
    )
    assert again.method == shipped.method
    assert [link.to_dict() for link in again.links] == [link.to_dict() for link in shipped.links]
    for kind in ("zone", "indicator", "group"):
        frame = {"zone": shipped.zones, "indicator": shipped.indicators, "group": shipped.groups}[kind]
        for item in frame.index:
            for lang in ("zh", "en"):
                assert again.name(kind, item, lang) == shipped.name(kind, item, lang)
    pd.testing.assert_series_equal(again.indicators["integer"], shipped.indicators["integer"])


def test_scenario_results_are_identical_on_the_round_tripped_package(shipped, shipped_workbook):
    again = package_from_workbook(shipped_workbook, "data.xlsx")
    document = {"version": 1, "name": "x", "year": shipped.years[-1],
                "interventions": [{"zone": shipped.zone_ids[0], "indicator": "unicorns", "by": 5}]}
    a = run_scenario(shipped, scenario_from_dict(document, shipped))
    b = run_scenario(again, scenario_from_dict(document, again))
    pd.testing.assert_frame_equal(a.ranking(), b.ranking(), check_exact=True)


def test_tiny_package_round_trips(tiny_package):
    again = package_from_workbook(package_to_workbook(tiny_package, readme=False))
    for year in tiny_package.years:
        pd.testing.assert_series_equal(again.score(year).scores, tiny_package.score(year).scores, check_exact=True)
    assert again.indicators.at["energy_intensity", "direction"] == "cost"


def test_explicit_weights_survive_the_method_sheet(tiny_package):
    method = tiny_package.method.updated(weights={"rd_spending": 2.0, "patents": 1.0, "energy_intensity": 1.0})
    package = dataclasses.replace(tiny_package, method=method)
    again = package_from_workbook(package_to_workbook(package))
    assert again.method.explicit_weights == {"rd_spending": 2.0, "patents": 1.0, "energy_intensity": 1.0}


def test_template_has_a_readme_and_every_table(shipped):
    book = load_workbook(io.BytesIO(template_workbook(shipped)), read_only=True)
    assert book.sheetnames == ["readme", "indicators", "groups", "zones", "baseline", "method", "links"]
    headers = [c.value for c in next(book["baseline"].iter_rows(max_row=1))]
    assert headers == ["year", "zone", "indicator", "value", "source"]
    readme = " ".join(str(r[0]) for r in book["readme"].iter_rows(values_only=True) if r[0])
    assert "baseline" in readme and "官方统计" in readme


def test_sheet_names_are_case_insensitive_and_extra_sheets_ignored(tiny_package):
    book = load_workbook(io.BytesIO(package_to_workbook(tiny_package)))
    book["zones"].title = "tmp"
    book["tmp"].title = "Zones"
    book.create_sheet("notes")["A1"] = "anything"
    out = io.BytesIO()
    book.save(out)
    assert package_from_workbook(out.getvalue()).zone_ids == tiny_package.zone_ids


# ----------------------------------------------------------------------------- bad workbooks


def test_bad_value_is_named_with_sheet_row_and_value(shipped_workbook):
    message = _message(_edit(shipped_workbook, {("baseline", "D5"): "abc", ("baseline", "B9"): "nowhere"}))
    assert message.startswith("bad.xlsx:")
    assert "sheet 'baseline', row 5" in message and "'abc' is not a number" in message
    assert "sheet 'baseline', row 9" in message and "unknown zone 'nowhere'" in message
    assert ".csv" not in message


def test_bad_indicator_row_is_named(shipped_workbook):
    message = _message(_edit(shipped_workbook, {("indicators", "B3"): "inputs", ("indicators", "F4"): "more"}))
    assert "sheet 'indicators', row 3" in message and "unknown group 'inputs'" in message and "did you mean 'input'" in message
    assert "sheet 'indicators', row 4" in message and "direction 'more'" in message


def test_negative_count_is_refused(shipped_workbook, shipped):
    book = load_workbook(io.BytesIO(shipped_workbook), read_only=True)
    rows = list(book["baseline"].iter_rows(values_only=True))
    row = next(i for i, r in enumerate(rows, start=1) if r[2] == "unicorns")
    message = _message(_edit(shipped_workbook, {("baseline", f"D{row}"): -3}))
    assert f"sheet 'baseline', row {row}" in message and "below its minimum 0" in message


def test_missing_sheet_and_column_are_named(shipped_workbook):
    message = _message(_edit(shipped_workbook, drop="groups"))
    assert "groups" in message and "missing" in message
    message = _message(_edit(shipped_workbook, {("zones", "C1"): "english"}))
    assert "sheet 'zones'" in message and "missing column name_en" in message


def test_values_without_a_header_and_blank_method_keys_are_named(shipped_workbook):
    message = _message(_edit(shipped_workbook, {("baseline", "H4"): 42}))
    assert "sheet 'baseline', row 4" in message and "without a header" in message
    message = _message(_edit(shipped_workbook, {("method", "A3"): None}))
    assert "sheet 'method', row 3" in message and "key is blank" in message
    message = _message(_edit(shipped_workbook, {("method", "B2"): "minimax"}))
    assert "'minimax' is not allowed" in message and "sheet 'method'" in message


def test_not_a_workbook_is_refused():
    assert "not an Excel .xlsx workbook" in _message(b"year,zone\n2020,a\n")
    assert ".xls file" in _message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "not a readable" in _message(b"PK\x03\x04 broken zip")


def test_workbook_that_expands_too_far_is_refused(shipped_workbook, monkeypatch):
    monkeypatch.setattr(excel, "MAX_WORKBOOK_EXPANDED", 10_000)
    assert "expands to" in _message(shipped_workbook)


def test_empty_sheet_is_named():
    book = Workbook()
    book.remove(book.active)
    for name in ("indicators", "groups", "zones", "baseline"):
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    message = _message(out.getvalue())
    assert "sheet 'indicators': the sheet is empty" in message and "sheet 'baseline': the sheet is empty" in message


# ----------------------------------------------------------------------------- uploaded files


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.suffix in (".csv", ".yaml")}


def test_uploaded_csv_files_give_the_same_package(shipped):
    again = package_from_upload(_files(SHIPPED_DATA))
    for year in shipped.years:
        pd.testing.assert_series_equal(again.score(year).scores, shipped.score(year).scores, check_exact=True)
    assert again.links == shipped.links and again.method == shipped.method


def test_uploaded_workbook_is_read_as_a_workbook(shipped_workbook, shipped):
    again = package_from_upload({"mine.xlsx": shipped_workbook})
    assert again.zone_ids == shipped.zone_ids
    with pytest.raises(DataError, match="one Excel workbook or the CSV files"):
        package_from_upload({"mine.xlsx": shipped_workbook, "zones.csv": b"id\n"})


def test_uploaded_gbk_files_are_read(tiny_package):
    again = package_from_upload(_files(PACKAGES / "tiny_gbk"))
    assert again.name("zone", "shenzhen", "zh") == tiny_package.name("zone", "shenzhen", "zh")


def test_missing_and_unexpected_files_are_named():
    files = _files(SHIPPED_DATA)
    del files["baseline.csv"]
    files["notes.txt"] = b"hello"
    with pytest.raises(DataError) as info:
        package_from_upload(files, "upload")
    message = str(info.value)
    assert "missing file baseline.csv" in message and "notes.txt: unexpected file" in message


def test_bad_csv_upload_names_file_and_line():
    files = _files(SHIPPED_DATA)
    lines = files["baseline.csv"].decode().splitlines()
    parts = lines[3].split(",")
    parts[3] = "lots"
    lines[3] = ",".join(parts)
    files["baseline.csv"] = ("\n".join(lines) + "\n").encode()
    with pytest.raises(DataError) as info:
        package_from_upload(files)
    assert "baseline.csv: line 4" in str(info.value) and "'lots' is not a number" in str(info.value)


def test_validation_is_build_packages(tiny_package, monkeypatch):
    """Workbooks and files are checked by sim.data.build_package, not by a copy of it."""
    calls = []

    def spy(*args, **kwargs):
        calls.append(args[0].keys())
        return build_package(*args, **kwargs)

    monkeypatch.setattr(excel, "build_package", spy)
    monkeypatch.setattr(sim.data, "build_package", spy)  # the CSV files' path: sim.data.package_from_files
    package_from_workbook(package_to_workbook(tiny_package))
    package_from_upload(_files(PACKAGES / "tiny"))
    assert len(calls) == 2


# ----------------------------------------------------------------------------- comparisons


def test_comparison_workbook_keeps_full_precision(shipped):
    year = shipped.years[-1]
    base = run_scenario(shipped, baseline_scenario(shipped, year))
    other = run_scenario(shipped, scenario_from_dict(
        {"version": 1, "name": "more unicorns", "year": year,
         "interventions": [{"zone": shipped.zone_ids[-1], "indicator": "unicorns", "by": 7}]}, shipped))
    data = comparison_workbook([base, other], shipped, "zh")
    frames = pd.read_excel(io.BytesIO(data), sheet_name=None)
    # The first sheet says where the numbers come from (issue 11: the caveat travels).
    assert list(frames) == ["说明", "comparison", "scenarios"]
    about = pd.read_excel(io.BytesIO(data), sheet_name="说明", header=None)[0].tolist()
    assert about == [provenance_line(base, "zh")] and "不是官方统计数据" in about[0]
    long = frames["comparison"]
    assert len(long) == 2 * len(shipped.zone_ids)
    row = long[(long["scenario"] == "more unicorns") & (long["zone"] == shipped.zone_ids[-1])].iloc[0]
    # openpyxl writes 16 significant digits (Excel itself shows 15): equal to 1e-14 relative.
    assert row["score"] == pytest.approx(other.scored.scores[shipped.zone_ids[-1]], rel=1e-14)
    assert row["zone_name"] == shipped.name("zone", shipped.zone_ids[-1], "zh")
    assert list(frames["scenarios"]["scenario"]) == ["baseline", "more unicorns"]


# ----------------------------------------------------------------------------- issue 15: hostile workbooks


@pytest.mark.parametrize("kind", sorted(hostile_workbooks.BAD_CELLS))
def test_a_cell_of_the_wrong_kind_is_a_data_error_never_a_traceback(kind):
    """Out-of-range shared text, bad number/bool/date/reference cells... (a crash before issue 15)."""
    try:
        package_from_workbook(hostile_workbooks.with_cell("baseline", kind), "upload.xlsx")
    except DataError as refused:
        message = str(refused)
        assert message.startswith("upload.xlsx: ") and "sheet 'baseline'" in message
        for server_detail in ("site-packages", "Traceback", str(Path(__file__).resolve().parent.parent), ".py"):
            assert server_detail not in message


@pytest.mark.parametrize("kind", ["shared text out of range", "bad number", "bad true/false", "bad date", "bad reference"])
def test_the_issue_s_damaged_cells_are_refused_naming_the_sheet_and_row(kind):
    with pytest.raises(DataError) as refused:
        package_from_workbook(hostile_workbooks.with_cell("baseline", kind, row=900), "upload.xlsx")
    assert "damaged" in str(refused.value) and "sheet 'baseline', after row 19" in str(refused.value)


@pytest.mark.parametrize("kind", ["billion laughs", "external entity", "quadratic blowup", "not XML", "unclosed"])
def test_xml_bombs_and_broken_xml_are_refused(kind):
    damaged = hostile_workbooks.rezip(hostile_workbooks.VALID, {hostile_workbooks.SHEETS["zones"]: hostile_workbooks.ENTITY_XML[kind]})
    with pytest.raises(DataError, match="damaged and cannot be read") as refused:
        package_from_workbook(damaged, "bomb.xlsx")
    assert "XML" in str(refused.value)


def test_a_row_below_the_declared_dimension_is_read_not_dropped():
    """openpyxl trusts <dimension>; the reader does not, so no row is lost in silence."""
    xml_part = hostile_workbooks.SHEETS["baseline"]
    xml = zipfile.ZipFile(io.BytesIO(hostile_workbooks.VALID)).read(xml_part)
    extra = xml.replace(b"</sheetData>", b'<row r="40"><c r="A40"><v>2020</v></c></row></sheetData>')
    with pytest.raises(DataError, match="sheet 'baseline', row 40"):
        package_from_workbook(hostile_workbooks.rezip(hostile_workbooks.VALID, {xml_part: extra}))
    far = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>')
    with pytest.raises(DataError, match="more than 200,000 rows"):
        package_from_workbook(hostile_workbooks.rezip(hostile_workbooks.VALID, {xml_part: far}))


def test_a_truncated_workbook_and_too_many_parts_say_so():
    with pytest.raises(DataError, match="not a readable Excel .xlsx workbook"):
        package_from_workbook(hostile_workbooks.VALID[:5000])
    with pytest.raises(DataError, match="the workbook has 10,001 parts; at most 10,000"):
        package_from_workbook(hostile_workbooks.MANY_PARTS)


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)"]


def _text_cells(workbook: bytes, text: str) -> list:
    book = load_workbook(io.BytesIO(workbook))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value == text]


def test_a_scenario_name_is_written_as_text_never_as_a_formula(shipped):
    year = shipped.years[-1]
    base = run_scenario(shipped, baseline_scenario(shipped, year))
    evil = run_scenario(shipped, scenario_from_dict(
        {"version": 1, "name": FORMULAS[0], "name_zh": FORMULAS[1], "year": year}, shipped))
    workbook = comparison_workbook([base, evil], shipped, "zh")
    for text in FORMULAS[:2]:
        cells = _text_cells(workbook, text)
        assert cells and all(cell.data_type == "s" for cell in cells), text


def test_the_template_writes_names_and_sources_as_text(tiny_package):
    zones = tiny_package.zones.copy()
    zones.loc["shenzhen", "name_en"] = FORMULAS[1]
    baseline = tiny_package.baseline.copy()
    baseline.loc[0, "source"] = FORMULAS[4]
    evil = dataclasses.replace(tiny_package, zones=zones, baseline=baseline)
    workbook = template_workbook(evil)
    for text in (FORMULAS[1], FORMULAS[4]):
        assert all(cell.data_type == "s" for cell in _text_cells(workbook, text)) and _text_cells(workbook, text)
    again = package_from_workbook(workbook)
    assert again.name("zone", "shenzhen") == FORMULAS[1] and again.baseline.loc[0, "source"] == FORMULAS[4]


def test_a_name_with_a_control_character_cannot_break_a_workbook(shipped):
    """Names are checked at load; a workbook built from anything else still opens."""
    result = run_scenario(shipped, baseline_scenario(shipped, shipped.years[-1]))
    odd = dataclasses.replace(result, scenario=dataclasses.replace(result.scenario, name="evil\x1bname"))
    workbook = comparison_workbook([odd], shipped, "en")
    assert _text_cells(workbook, "evil\\x1bname")


def test_a_package_workbook_opens_with_the_provenance_and_reads_back(shipped, tiny_package):
    for readme in (True, False):
        data = package_to_workbook(shipped, readme=readme)
        book = load_workbook(io.BytesIO(data), read_only=True)
        assert book.sheetnames[0] == "readme"
        lines = [row[0] for row in book["readme"].iter_rows(values_only=True)]
        assert lines[:2] == [provenance_line(shipped, "zh"), provenance_line(shipped, "en")]
        again = package_from_workbook(data)
        assert (again.score(2020).scores == shipped.score(2020).scores).all()
    # A package of the user's own: its sources, as its file writes them.
    lines = [row[0] for row in load_workbook(io.BytesIO(package_to_workbook(tiny_package)), read_only=True)["readme"]
             .iter_rows(values_only=True)]
    assert lines[0].startswith("数据来源：") and "重建" not in lines[0]
