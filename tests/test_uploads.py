"""Uploads as the app receives them (sim/uploads.py): names, sizes and contents checked,
nothing but SimError raised (issue 15)."""

from __future__ import annotations

import pytest

import hostile_workbooks
from sim.data import SHIPPED_DATA
from sim.errors import DataError, ScenarioError
from sim.uploads import MAX_UPLOAD_FILES, file_name, package_from_upload, scenario_from_upload

CSV_FILES = ("indicators.csv", "groups.csv", "zones.csv", "baseline.csv")


@pytest.fixture(scope="module")
def tiny_files(tiny_package_dir):
    return {name: (tiny_package_dir / name).read_bytes() for name in (*CSV_FILES, "method.yaml")}


def test_csv_files_under_the_names_browsers_give_are_one_package(tiny_files, tiny_package):
    files = {f"C:\\Users\\me\\{name.upper()}": data for name, data in tiny_files.items() if name != "method.yaml"}
    files["folder/method.yml"] = tiny_files["method.yaml"]
    package = package_from_upload(files)
    assert package.zone_ids == tiny_package.zone_ids and package.links == tiny_package.links


def test_one_workbook_is_a_package(tiny_package):
    package = package_from_upload({"Data.XLSX": hostile_workbooks.VALID})
    assert (package.baseline["value"].to_numpy() == tiny_package.baseline["value"].to_numpy()).all()


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda f: {**f, "data.xlsx": hostile_workbooks.VALID}, ["either one Excel workbook or the CSV files"]),
        (lambda f: {k: v for k, v in f.items() if k != "zones.csv"}, ["missing file zones.csv"]),
        (lambda f: {**f, "notes.txt": b"x"}, ["notes.txt: unexpected file"]),
        (lambda f: {"data.xls": b"\xd0\xcf\x11\xe0"}, ["old .xls files cannot be read"]),
        (lambda f: {**f, "ZONES.CSV": f["zones.csv"]}, ["zones.csv: uploaded twice"]),
        (lambda f: {}, ["no file was uploaded"]),
        (lambda f: {f"x{i}.csv": b"" for i in range(MAX_UPLOAD_FILES + 1)}, [f"{MAX_UPLOAD_FILES + 1} files were uploaded"]),
        (lambda f: {**f, "zones.csv": b"id,name_zh,name_en\nshenzhen,\xe6\xb7\xb1\xe5\x9c\xb3,Shen\x1bzhen\n"},
         ["zones.csv: line 2", "control character U+001B"]),
    ],
)
def test_a_wrong_upload_is_a_data_error_saying_what_to_upload(tiny_files, change, words):
    with pytest.raises(DataError) as refused:
        package_from_upload(change({k: v for k, v in tiny_files.items()}))
    assert all(word in str(refused.value) for word in words), str(refused.value)


def test_a_damaged_workbook_upload_names_the_file_not_a_server_path():
    with pytest.raises(DataError) as refused:
        package_from_upload({"/home/someone/Desktop/data.xlsx": hostile_workbooks.with_cell("zones", "bad number")})
    assert str(refused.value).startswith("data.xlsx: the workbook is damaged") and "/home" not in str(refused.value)


def test_a_scenario_upload_is_read_with_its_file_name(shipped):
    scenario = scenario_from_upload(b"version: 1\nname: mine\nyear: 2020\n", "C:\\plans\\mine.YAML", shipped)
    assert scenario.name == "mine" and scenario.source == "mine.YAML"


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("mine.txt", b"version: 1\nname: x\nyear: 2020\n", ["mine.txt: not a scenario file"]),
        ("\x1b[2Jmine.yaml", b"version: 1\nyear: 2020\n", ["\\x1b[2Jmine.yaml: line 1", "'name'"]),
        ("deep.yaml", b"version: 1\nname: x\nyear: 2020\ninterventions: " + b"[" * 20_000 + b"]" * 20_000, ["nested more than 50"]),
        ("big.yaml", b"#" * 1_000_001, ["at most 1,000,000 bytes"]),
        ("bytes.yaml", b"\xff\xfe\x00garbage", ["not UTF-8 text"]),
    ],
)
def test_a_wrong_scenario_upload_is_a_scenario_error(shipped, name, data, words):
    with pytest.raises(ScenarioError) as refused:
        scenario_from_upload(data, name, shipped)
    message = str(refused.value)
    assert all(word in message for word in words), message
    assert "\x1b" not in message


def test_file_names_lose_folders_and_control_characters():
    assert file_name("C:\\a\\b\\zones.csv") == "zones.csv" and file_name("x/\x1by.yaml") == "\\x1by.yaml"


def test_the_shipped_csv_files_upload(shipped):
    package = package_from_upload({p.name: p.read_bytes() for p in SHIPPED_DATA.glob("*.csv")})
    assert package.zone_ids == shipped.zone_ids
