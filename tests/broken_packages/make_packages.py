"""Regenerate the test data packages from ``tests/packages/tiny``.

The packages are committed as plain files so that anyone can open them; this script
only documents how they were made and rebuilds them after ``tiny`` changes::

    .venv/bin/python tests/broken_packages/make_packages.py

It writes

- ``tests/packages/tiny_utf8_bom``, ``tiny_gbk``, ``tiny_utf16_tab``: ``tiny`` saved
  the ways Excel saves a CSV (UTF-8 with BOM; GBK, the default of Chinese Excel;
  "Unicode text": UTF-16 with BOM, tab-separated, CRLF line ends);
- ``tests/broken_packages/<defect>/``: a copy of ``tiny`` with exactly one defect
  (``several_defects`` has three, to check that all are reported together);
- ``tests/broken_packages/README.md``: what is wrong with each.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY = HERE.parent / "packages" / "tiny"
PACKAGE_FILES = ("groups.csv", "zones.csv", "indicators.csv", "baseline.csv", "method.yaml")
CSV_FILES = PACKAGE_FILES[:4]

Files = dict[str, bytes]


def tiny_files() -> Files:
    return {name: (TINY / name).read_bytes() for name in PACKAGE_FILES}


def replace_once(files: Files, name: str, old: str, new: str) -> Files:
    """A copy of ``files`` with ``old`` replaced by ``new`` in one file (which must hold it once)."""
    text = files[name].decode("utf-8")
    if text.count(old) != 1:
        raise ValueError(f"{name}: expected {old!r} exactly once, found it {text.count(old)} times")
    return {**files, name: text.replace(old, new).encode("utf-8")}


def replace_all(files: Files, name: str, old: str, new: str) -> Files:
    text = files[name].decode("utf-8")
    if old not in text:
        raise ValueError(f"{name}: {old!r} not found")
    return {**files, name: text.replace(old, new).encode("utf-8")}


def append_line(files: Files, name: str, line: str) -> Files:
    return {**files, name: files[name] + line.encode("utf-8") + b"\n"}


def without(files: Files, name: str) -> Files:
    return {k: v for k, v in files.items() if k != name}


def several(files: Files) -> Files:
    files = replace_once(files, "indicators.csv", "output,发明专利授权量", "outptu,发明专利授权量")
    files = append_line(files, "baseline.csv", "2020,suzhou,rd_spending,100,invented")
    return replace_once(files, "baseline.csv", "2019,zhangjiang,patents,80,", "2019,zhangjiang,patents,eighty,")


#: folder name -> (what is wrong, how to make it from tiny's files)
BROKEN: dict[str, tuple[str, Callable[[Files], Files]]] = {
    "unknown_group": (
        "indicators.csv: patents is in group 'outptu', which groups.csv lacks",
        lambda f: replace_once(f, "indicators.csv", "output,发明专利授权量", "outptu,发明专利授权量"),
    ),
    "duplicate_indicator_id": (
        "indicators.csv: rd_spending is declared twice",
        lambda f: append_line(f, "indicators.csv", "rd_spending,input,R&D经费支出,R&D expenditure,亿元,benefit,false,0,"),
    ),
    "unknown_zone_in_baseline": (
        "baseline.csv: a row for zone 'suzhou', which zones.csv lacks",
        lambda f: append_line(f, "baseline.csv", "2020,suzhou,rd_spending,100.0,invented for the tests"),
    ),
    "unknown_indicator_in_baseline": (
        "baseline.csv: a row for indicator 'patent' (a typo of 'patents')",
        lambda f: append_line(f, "baseline.csv", "2020,shenzhen,patent,170,invented for the tests"),
    ),
    "missing_row": (
        "baseline.csv: zhangjiang has no energy_intensity in 2020",
        lambda f: replace_once(f, "baseline.csv", "2020,zhangjiang,energy_intensity,0.40,invented for the tests\n", ""),
    ),
    "duplicate_row": (
        "baseline.csv: shenzhen patents 2019 is given twice",
        lambda f: append_line(f, "baseline.csv", "2019,shenzhen,patents,155,a second source"),
    ),
    "non_numeric_value": (
        "baseline.csv: zhangjiang patents 2019 is 'n/a'",
        lambda f: replace_once(f, "baseline.csv", "2019,zhangjiang,patents,80,", "2019,zhangjiang,patents,n/a,"),
    ),
    "bad_direction": (
        "indicators.csv: energy_intensity has direction 'costs'",
        lambda f: replace_once(f, "indicators.csv", ",cost,false", ",costs,false"),
    ),
    "non_snake_case_id": (
        "zones.csv (and baseline.csv): the zone id 'ShenZhen' is not snake_case",
        lambda f: replace_all(replace_once(f, "zones.csv", "shenzhen,", "ShenZhen,"), "baseline.csv", ",shenzhen,", ",ShenZhen,"),
    ),
    "value_below_min": (
        "baseline.csv: shenzhen has -3 patents in 2020 (a count below its minimum 0)",
        lambda f: replace_once(f, "baseline.csv", "2020,shenzhen,patents,160,", "2020,shenzhen,patents,-3,"),
    ),
    "non_integer_count": (
        "baseline.csv: zhongguancun has 120.5 patents in 2019 (a count must be whole)",
        lambda f: replace_once(f, "baseline.csv", "2019,zhongguancun,patents,120,", "2019,zhongguancun,patents,120.5,"),
    ),
    "missing_required_column": (
        "indicators.csv: no 'direction' column",
        lambda f: {
            **f,
            "indicators.csv": "\n".join(
                ",".join(cell for position, cell in enumerate(line.split(",")) if position != 5)
                for line in f["indicators.csv"].decode("utf-8").splitlines()
            ).encode("utf-8")
            + b"\n",
        },
    ),
    "empty_file": (
        "groups.csv: zero bytes",
        lambda f: {**f, "groups.csv": b""},
    ),
    "missing_file": (
        "zones.csv is absent",
        lambda f: without(f, "zones.csv"),
    ),
    "bad_method_option": (
        "method.yaml: normalization 'min-max' (the option is spelt 'minmax')",
        lambda f: replace_once(f, "method.yaml", "normalization: minmax\n", "normalization: min-max\n"),
    ),
    "link_cycle": (
        "method.yaml: links rd_spending -> patents -> rd_spending",
        lambda f: {**f, "method.yaml": f["method.yaml"] + b"  - from: patents\n    to: rd_spending\n    elasticity: 0.2\n"},
    ),
    "unknown_link_indicator": (
        "method.yaml: a link to 'patent' (a typo of 'patents')",
        lambda f: replace_once(f, "method.yaml", "to: patents", "to: patent"),
    ),
    "undecodable_bytes": (
        "zones.csv: a byte 0xFF in Shenzhen's name, valid in neither UTF-8 nor GBK/GB18030",
        lambda f: {**f, "zones.csv": f["zones.csv"].replace(b",Shenzhen\n", b",Shen\xffzhen\n")},
    ),
    "control_character_in_name": (
        "zones.csv: Shenzhen's English name holds an escape character (0x1B), which a terminal would obey",
        lambda f: replace_once(f, "zones.csv", ",Shenzhen\n", ",Shen\x1b[31mzhen\n"),
    ),
    "arabic_indic_digits": (
        "baseline.csv: zhangjiang patents 2019 written in Arabic-Indic digits (٨٠), which Python's float() reads",
        lambda f: replace_once(f, "baseline.csv", "2019,zhangjiang,patents,80,", "2019,zhangjiang,patents,٨٠,"),
    ),
    "fullwidth_year": (
        "baseline.csv: a year written in full-width digits (２０１９)",
        lambda f: replace_once(f, "baseline.csv", "2019,shenzhen,rd_spending,", "２０１９,shenzhen,rd_spending,"),
    ),
    "underscore_number": (
        "baseline.csv: shenzhen rd_spending 2020 written 3_50.8 (Python's float() reads underscores)",
        lambda f: replace_once(f, "baseline.csv", "2020,shenzhen,rd_spending,350.8,", "2020,shenzhen,rd_spending,3_50.8,"),
    ),
    "huge_integer_value": (
        "baseline.csv: a value of 5,000 digits (beyond Python's 4,300-digit conversion limit)",
        lambda f: replace_once(f, "baseline.csv", "2019,zhangjiang,patents,80,", "2019,zhangjiang,patents," + "9" * 5000 + ","),
    ),
    "deeply_nested_method": (
        "method.yaml: links nested 500 levels deep",
        lambda f: {**f, "method.yaml": b"normalization: minmax\nlinks: " + b"[" * 500 + b"]" * 500 + b"\n"},
    ),
    "several_defects": (
        "three defects at once (unknown group 'outptu', unknown zone 'suzhou', value 'eighty'): all must be reported",
        several,
    ),
}


def write_package(folder: Path, files: Files) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def encoded_variants(files: Files) -> dict[str, Files]:
    """``tiny`` as Excel saves CSV files; method.yaml stays UTF-8 (YAML is read as UTF-8)."""

    def recode(encode: Callable[[str], bytes]) -> Files:
        return {n: (encode(d.decode("utf-8")) if n in CSV_FILES else d) for n, d in files.items()}

    def unicode_text(text: str) -> bytes:
        # Excel's "Unicode text": UTF-16 little-endian with BOM, tabs, CRLF.
        lines = [line.replace(",", "\t") for line in text.splitlines()]
        return "\r\n".join(lines + [""]).encode("utf-16")

    return {
        "tiny_utf8_bom": recode(lambda text: text.encode("utf-8-sig")),
        "tiny_gbk": recode(lambda text: text.encode("gbk")),
        "tiny_utf16_tab": recode(unicode_text),
    }


def main() -> None:
    files = tiny_files()
    for name, variant in encoded_variants(files).items():
        write_package(HERE.parent / "packages" / name, variant)
    lines = [
        "# Broken data packages",
        "",
        "Each folder is a copy of `tests/packages/tiny` with one defect; `tests/test_data_package.py`",
        "checks that loading it raises a `DataError` whose message names the file and the bad value.",
        "Regenerate with `.venv/bin/python tests/broken_packages/make_packages.py`.",
        "",
        "| folder | defect |",
        "|---|---|",
    ]
    for name, (defect, make) in BROKEN.items():
        write_package(HERE / name, make(files))
        lines.append(f"| `{name}` | {defect} |")
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
