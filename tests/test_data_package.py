"""Data packages (DESIGN section 3): the tiny valid package, the broken ones, encodings.

Every broken package under ``tests/broken_packages/`` is a copy of
``tests/packages/tiny`` with one defect (see its README.md; regenerate them with
``tests/broken_packages/make_packages.py``). Each must be refused with a
:class:`~sim.errors.DataError` whose message names the file and the bad value, and
the command line must report it with exit status 2 and no traceback.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.data import SHIPPED_DATA, decode_text, load_package, package_from_files, read_csv_rows
from sim.errors import DataError

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
PACKAGES_DIR = TESTS_DIR / "packages"
BROKEN_PACKAGES_DIR = TESTS_DIR / "broken_packages"

#: folder -> words the message must contain: the file, the line where there is one,
#: the bad value, and what is allowed or expected.
BROKEN_PACKAGE_MESSAGES: dict[str, list[str]] = {
    "unknown_group": ["indicators.csv", "line 3", "patents", "unknown group 'outptu'", "did you mean 'output'?"],
    "duplicate_indicator_id": ["indicators.csv", "line 5", "duplicate id 'rd_spending'", "first on line 2"],
    "unknown_zone_in_baseline": ["baseline.csv", "line 20", "unknown zone 'suzhou'", "zhongguancun, zhangjiang, shenzhen"],
    "unknown_indicator_in_baseline": ["baseline.csv", "line 20", "unknown indicator 'patent'", "did you mean 'patents'?"],
    "missing_row": ["baseline.csv", "zhangjiang", "2020", "energy_intensity", "missing"],
    "duplicate_row": ["baseline.csv", "line 20", "second value", "shenzhen", "patents", "2019", "first on line 9"],
    "non_numeric_value": ["baseline.csv", "line 6", "zhangjiang", "patents", "2019", "'n/a' is not a number"],
    "bad_direction": ["indicators.csv", "line 4", "energy_intensity", "direction 'costs'", "benefit, cost"],
    "non_snake_case_id": ["zones.csv", "line 4", "'ShenZhen'", "snake_case"],
    "value_below_min": ["baseline.csv", "line 18", "shenzhen", "2020", "patents = -3", "below its minimum 0"],
    "non_integer_count": ["baseline.csv", "line 3", "zhongguancun", "2019", "patents = 120.5", "whole number"],
    "missing_required_column": ["indicators.csv", "missing column", "direction"],
    "empty_file": ["groups.csv", "empty"],
    "missing_file": ["zones.csv", "missing"],
    "bad_method_option": ["method.yaml", "normalization", "'min-max'", "allowed: minmax, minmax-shift, ratio"],
    "link_cycle": ["method.yaml", "cycle", "rd_spending -> patents -> rd_spending"],
    "unknown_link_indicator": ["method.yaml", "links[0].to", "unknown indicator 'patent'", "did you mean 'patents'?"],
    "undecodable_bytes": ["zones.csv", "line 4", "0xff", "UTF-8", "GBK"],
    "control_character_in_name": ["zones.csv", "line 4", "control character U+001B (ESC)", "remove it"],
    "arabic_indic_digits": ["baseline.csv", "line 6", "zhangjiang", "patents", "2019", "'٨٠' is not a number", "ASCII digits"],
    "fullwidth_year": ["baseline.csv", "line 8", "year '２０１９' is not a whole number", "ASCII digits"],
    "underscore_number": ["baseline.csv", "line 17", "shenzhen", "rd_spending", "'3_50.8' is not a number", "no separators"],
    "huge_integer_value": ["baseline.csv", "line 6", "zhangjiang", "patents", "out of the range this tool handles"],
    "deeply_nested_method": ["method.yaml", "line 2", "nested more than 50 levels deep"],
    "several_defects": ["3 problems", "'outptu'", "'suzhou'", "'eighty'"],
}

#: How many problems each package must report: a defect is reported once, not again
#: as a consequence (a non-numeric value is not also "missing").
PROBLEM_COUNT = {"several_defects": 3}

ENCODED_COPIES = ("tiny_utf8_bom", "tiny_gbk", "tiny_utf16_tab")
CSV_FILES = ("groups.csv", "zones.csv", "indicators.csv", "baseline.csv")


def broken_package_folders() -> set[str]:
    return {p.name for p in BROKEN_PACKAGES_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}


# --- the valid package ---------------------------------------------------------------


def test_tiny_package_loads_with_ids_in_file_order(tiny_package):
    assert tiny_package.zone_ids == ["zhongguancun", "zhangjiang", "shenzhen"]
    assert tiny_package.indicator_ids == ["rd_spending", "patents", "energy_intensity"]
    assert list(tiny_package.groups.index) == ["input", "output"]
    assert tiny_package.years == [2019, 2020]
    assert tiny_package.indicators.loc["patents", "integer"]
    assert tiny_package.indicators.loc["energy_intensity", "direction"] == "cost"
    assert tiny_package.zones.loc["shenzhen", "name_zh"] == "深圳"


def test_tiny_package_reads_its_method_and_links(tiny_package):
    assert tiny_package.method.normalization == "minmax"
    assert tiny_package.method.scoring == "ratio"
    [link] = tiny_package.links
    assert (link.source, link.target, link.elasticity, link.origin) == ("rd_spending", "patents", 0.5, "data")


def test_tiny_package_table_is_keyed_by_id(tiny_package):
    table = tiny_package.table(2020)
    assert table.loc["zhangjiang", "energy_intensity"] == 0.40
    assert table.loc["shenzhen", "patents"] == 160


def test_row_and_column_order_of_the_baseline_do_not_matter(tiny_package, tiny_package_dir, tmp_path):
    """Key by id, never by position: shuffled rows and columns give the same scores."""
    for name in ("groups.csv", "zones.csv", "indicators.csv", "method.yaml"):
        (tmp_path / name).write_bytes((tiny_package_dir / name).read_bytes())
    lines = (tiny_package_dir / "baseline.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    column_order = [4, 3, 2, 0, 1]  # source, value, indicator, year, zone
    shuffled = np.random.default_rng(7).permutation(len(rows))
    text = "\n".join(",".join(cells[c] for c in column_order) for cells in [header] + [rows[i] for i in shuffled])
    (tmp_path / "baseline.csv").write_text(text + "\n", encoding="utf-8")
    reordered = load_package(tmp_path)
    for year in (2019, 2020):
        assert reordered.table(year).loc[tiny_package.zone_ids].equals(tiny_package.table(year))
        pd.testing.assert_series_equal(reordered.score(year).weights, tiny_package.score(year).weights)
        pd.testing.assert_series_equal(
            reordered.score(year).scores.loc[tiny_package.zone_ids], tiny_package.score(year).scores
        )


def test_a_folder_that_does_not_exist_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="nowhere"):
        load_package(tmp_path / "nowhere")


# --- broken packages -------------------------------------------------------------------


def test_every_broken_package_is_checked():
    """A broken package added to the folder without an entry here would go untested."""
    assert broken_package_folders() == set(BROKEN_PACKAGE_MESSAGES)


@pytest.mark.parametrize("folder", sorted(BROKEN_PACKAGE_MESSAGES))
def test_broken_package_is_refused_naming_the_file_and_the_bad_value(folder):
    with pytest.raises(DataError) as refused:
        load_package(BROKEN_PACKAGES_DIR / folder)
    message = str(refused.value)
    missing_words = [word for word in BROKEN_PACKAGE_MESSAGES[folder] if word not in message]
    assert not missing_words, f"message lacks {missing_words}:\n{message}"
    assert folder in message  # the folder it was loaded from
    assert len(refused.value.problems) == PROBLEM_COUNT.get(folder, 1), message


def test_each_broken_package_changes_one_file_of_tiny():
    """Each broken copy keeps tiny's other files byte for byte, so the defect is the only
    difference (a bad zone id must be changed in zones.csv and baseline.csv alike)."""
    tiny = PACKAGES_DIR / "tiny"
    for folder in sorted(BROKEN_PACKAGE_MESSAGES):
        changed = [
            name
            for name in (*CSV_FILES, "method.yaml")
            if not (BROKEN_PACKAGES_DIR / folder / name).is_file()
            or (BROKEN_PACKAGES_DIR / folder / name).read_bytes() != (tiny / name).read_bytes()
        ]
        expected = 2 if folder in ("non_snake_case_id", "several_defects") else 1
        assert len(changed) == expected, (folder, changed)


# --- command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder", ["unknown_indicator_in_baseline", "missing_file", "undecodable_bytes", "link_cycle", "several_defects"]
)
def test_command_line_reports_a_broken_package_with_exit_2_and_no_traceback(folder):
    completed = subprocess.run(
        [sys.executable, "-m", "sim", "score", "--data", str(BROKEN_PACKAGES_DIR / folder)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    for word in BROKEN_PACKAGE_MESSAGES[folder]:
        assert word in completed.stderr


# --- encodings -------------------------------------------------------------------------------


def test_encoded_copies_really_are_in_their_encodings():
    """Guard the fixtures: a copy re-saved as plain UTF-8 would make the next test pointless."""
    for name in CSV_FILES:
        assert (PACKAGES_DIR / "tiny_utf8_bom" / name).read_bytes().startswith(b"\xef\xbb\xbf")
        utf16 = (PACKAGES_DIR / "tiny_utf16_tab" / name).read_bytes()
        assert utf16.startswith(b"\xff\xfe") and "\t" in utf16.decode("utf-16") and "\r\n" in utf16.decode("utf-16")
    gbk_zones = (PACKAGES_DIR / "tiny_gbk" / "zones.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk_zones.decode("utf-8")
    assert "深圳" in gbk_zones.decode("gbk")


@pytest.mark.parametrize("copy", ENCODED_COPIES)
def test_package_saved_by_excel_loads_with_identical_results(tiny_package, copy):
    package = load_package(PACKAGES_DIR / copy)
    for frame in ("zones", "groups", "indicators", "baseline"):
        pd.testing.assert_frame_equal(getattr(package, frame), getattr(tiny_package, frame))
    assert package.zones.loc["zhongguancun", "name_zh"] == "北京中关村"
    assert package.indicators.loc["energy_intensity", "unit"] == "吨标准煤/万元"
    for year in package.years:
        ours, theirs = package.score(year), tiny_package.score(year)
        pd.testing.assert_series_equal(ours.weights, theirs.weights, check_exact=True)
        pd.testing.assert_series_equal(ours.scores, theirs.scores, check_exact=True)


@pytest.mark.parametrize("name", ["zones.csv", "groups.csv", "indicators.csv"])
def test_shipped_chinese_names_survive_gbk_and_utf8_with_bom(name):
    """Detect, don't guess: the real names, saved as GBK or with a BOM, decode to the same text."""
    text = (SHIPPED_DATA / name).read_text(encoding="utf-8")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    for encoded in (text.encode("gbk"), text.encode("utf-8-sig"), text.encode("utf-16")):
        assert decode_text(encoded, name) == text  # the BOM is not part of the text


def test_undecodable_bytes_are_located_in_a_gbk_file():
    """In a GBK file the bad byte is found by the GBK decoder, which gets further than UTF-8's."""
    data = "id,name_zh\nshenzhen,深圳\n".encode("gbk") + b"suzhou,\x81\x20\n"
    with pytest.raises(DataError, match=r"zones\.csv: line 3: byte 0x81"):
        decode_text(data, "zones.csv")


def test_excel_unicode_text_reads_as_tab_separated():
    text = "id\tname_zh\tname_en\r\nshenzhen\t深圳\tShenzhen, Guangdong\r\n"
    rows = read_csv_rows(text.encode("utf-16"), "zones.csv")
    assert [(r["id"], r["name_zh"], r["name_en"]) for r in rows] == [("shenzhen", "深圳", "Shenzhen, Guangdong")]


def test_an_indicators_file_with_a_header_only_is_a_clean_error(tiny_package_dir):
    """Found by the widened fuzzers (issue 15): no indicators left the range check indexing an empty array."""
    files = {p.name: p.read_bytes() for p in tiny_package_dir.iterdir() if p.is_file()}
    files["indicators.csv"] = b"id,group,name_zh,name_en,unit,direction"
    with pytest.raises(DataError) as refused:
        package_from_files(files)
    assert "indicators.csv: no rows; at least one is needed" in str(refused.value)
    assert "unknown indicator 'patents'" in str(refused.value) and "allowed" not in str(refused.value)


def test_a_large_package_is_checked_row_by_row_like_a_small_one(tmp_path):
    """The vectorised checks name the same rows as before: 2,000 zones, every kind of defect once."""
    zones = [f"z{i:04d}" for i in range(2000)]
    (tmp_path / "groups.csv").write_text("id,name_zh,name_en\ng,组,Group\n")
    (tmp_path / "zones.csv").write_text("id,name_zh,name_en\n" + "".join(f"{z},区{z},Zone {z}\n" for z in zones))
    (tmp_path / "indicators.csv").write_text(
        "id,group,name_zh,name_en,unit,direction,integer,min,max\na,g,甲,A,u,benefit,true,0,\nb,g,乙,B,u,cost,false,,\n")
    rows = [f"2020,{z},{i},{n % 97 + 1}," for n, z in enumerate(zones) for i in "ab"]
    rows[10] = "2020,z0005,a,3.5,"        # line 12: a count that is not whole
    rows[21] = "2020,z0010,b,1_000,"      # line 23: an underscore
    rows.append("2020,z0100,a,7,")         # the last line (4001, after the deletion below): a second value
    del rows[3000]                         # z1500's a is missing
    (tmp_path / "baseline.csv").write_text("year,zone,indicator,value,source\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as refused:
        load_package(tmp_path)
    problems = refused.value.problems
    assert len(problems) == 4, problems
    assert "baseline.csv: line 12: zone z0005, year 2020: a = 3.5 must be a whole number" in problems[0]
    assert "baseline.csv: line 23: zone z0010, indicator b, year 2020: value '1_000' is not a number" in problems[1]
    assert "line 4001: a second value for zone z0100, indicator a, year 2020 (first on line 202)" in problems[2]
    assert "zone z1500, year 2020: value missing for a" in problems[3]


# ----------------------------------------------------------------------------- names, units (issue 11)


def test_a_zone_is_found_by_its_id_in_any_case_and_by_every_name(shipped):
    for zone in shipped.zone_ids:
        names = [zone, zone.upper(), *(shipped.name("zone", zone, lang, short) for lang in ("zh", "en")
                                       for short in (False, True))]
        for name in names:
            assert shipped.zone_id(name) == zone, name
            assert shipped.zone_id(f"  {name.lower()}  ") == zone, name
    assert shipped.zone_id("Southern Jiangsu") == shipped.zone_id("Sunan") == "sunan"
    assert shipped.zone_id("Wuhan East Lake") == "donghu"
    assert shipped.zone_id("Mars") is None and shipped.zone_id("") is None and shipped.zone_id(None) is None


def test_a_name_two_zones_share_names_neither(tiny_package):
    zones = tiny_package.zones.copy()
    zones["short_en"] = "Twin"  # every zone's short name the same
    package = dataclasses.replace(tiny_package, zones=zones)
    assert package.zone_id("Twin") is None
    for zone in package.zone_ids:
        assert package.zone_id(zone) == zone  # ids still work


def test_units_and_short_names_in_each_language_with_fallbacks(shipped, tiny_package):
    assert shipped.unit("rd_spending", "zh") == "亿元" and shipped.unit("rd_spending", "en") == "100m CNY"
    assert shipped.unit("rd_intensity", "zh") == "%"
    assert shipped.name("zone", "sunan", "zh", short=True) == "苏南"
    assert shipped.name("zone", "sunan", "en", short=True) == "Sunan"
    # A package without the optional columns: the unit as written, the full name.
    indicator = tiny_package.indicator_ids[0]
    assert "unit_zh" not in tiny_package.indicators.columns
    assert tiny_package.unit(indicator, "zh") == tiny_package.indicators.at[indicator, "unit"]
    zone = tiny_package.zone_ids[0]
    assert tiny_package.name("zone", zone, "zh", short=True) == tiny_package.name("zone", zone, "zh")


def test_the_shipped_unit_columns_say_the_same_unit_as_unit():
    # `unit` keeps both words ("100m CNY (亿元)"); the language columns split them.
    rows = list(csv.DictReader(io.StringIO((SHIPPED_DATA / "indicators.csv").read_text(encoding="utf-8"))))
    for row in rows:
        assert row["unit_zh"] and row["unit_en"]
        assert row["unit_zh"] in row["unit"] or row["unit"] == row["unit_en"] or row["unit_en"] in row["unit"], row
