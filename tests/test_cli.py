"""The command line (DESIGN section 5): `score`, `run`, `compare`, `validate` as a user runs them.

Each test starts ``python -m sim`` in a subprocess, as a planner would, and checks the exit
status, that stdout holds the output and stderr the messages, and that no traceback leaks.
Expectations are computed with the Python API on the same data, never hard-coded, since
the shipped baseline may be replaced.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import sim
from sim.data import load_package
from sim.engine import run_scenario
from sim.provenance import provenance_line
from sim.report import text_width
from sim.scenario import load_scenario

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SCENARIOS_DIR = REPO_ROOT / "scenarios"
P3_DIR = TESTS_DIR / "packages" / "scenario3x3"

#: Three library scenarios, deliberately not in alphabetical order.
THREE = ["unicorn_training_camp.yaml", "g42_talent_corridor.yaml", "sunan_catch_up.yaml"]
THREE_PATHS = [str(SCENARIOS_DIR / name) for name in THREE]


@pytest.fixture(scope="module")
def three(shipped):
    return [load_scenario(path, shipped) for path in THREE_PATHS]


def cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def ok(*args: str) -> str:
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_validate_the_whole_library():
    paths = sorted(str(p) for p in SCENARIOS_DIR.glob("*.yaml"))
    out = ok("validate", *paths)
    assert f"{len(paths)} valid, 0 invalid" in out
    assert out.count("\nok ") + out.startswith("ok ") == len(paths)


def test_compare_prints_a_readable_side_by_side_table(shipped, three):
    out = ok("compare", *THREE_PATHS)
    header, rule, *rows = out.split("\n\n")[0].splitlines()
    assert set(rule) <= {"-", " "}
    # One row per zone, with the English names; the baseline and each scenario as columns.
    assert len(rows) == len(shipped.zone_ids)
    for zone in shipped.zone_ids:
        assert sum(row.startswith(shipped.name("zone", zone, "en")) for row in rows) == 1, zone
    assert "baseline" in header and "[1]" in header and "[2]" in header and "[3]" in header
    # Every scenario by its full name in the legend, in the order given.
    positions = [out.index(f"[{i}] {s.name} (2020)") for i, s in enumerate(three, start=1)]
    assert positions == sorted(positions)
    # The numbers are the API's, rounded for reading.
    results = [run_scenario(shipped, s) for s in three]
    zhangjiang = next(row for row in rows if row.startswith(shipped.name("zone", "zhangjiang", "en")))
    for result in results:
        assert f"{result.scored.scores['zhangjiang']:.2f} #{int(result.scored.ranks['zhangjiang'])}" in zhangjiang


def test_compare_json_lists_the_scenarios_in_the_order_given(shipped, three):
    data = json.loads(ok("compare", *THREE_PATHS, "--format", "json"))
    assert list(data) == ["scenarios"]
    assert [s["scenario"] for s in data["scenarios"]] == [s.name for s in three]
    for item, scenario in zip(data["scenarios"], three):
        expected = run_scenario(shipped, scenario).to_dict()
        assert item["zones"] == expected["zones"]  # full precision survives JSON
        assert math.isclose(sum(item["weights"].values()), 1.0, abs_tol=1e-12)
    # Reversed order in, reversed order out.
    reverse = json.loads(ok("compare", *reversed(THREE_PATHS), "--format", "json"))
    assert [s["scenario"] for s in reverse["scenarios"]] == [s.name for s in reversed(three)]


def test_compare_csv_parses_with_the_csv_module(shipped, three):
    rows = list(csv.DictReader(io.StringIO(ok("compare", *THREE_PATHS, "--format", "csv"))))
    assert len(rows) == len(THREE) * len(shipped.zone_ids)
    assert {"scenario", "year", "zone", "score", "rank", "baseline_score", "baseline_rank", "delta", "rank_change"} <= set(rows[0])
    assert [r["scenario"] for r in rows[:: len(shipped.zone_ids)]] == [s.name for s in three]
    for scenario in three:
        result = run_scenario(shipped, scenario)
        mine = {r["zone"]: r for r in rows if r["scenario"] == scenario.name}
        assert set(mine) == set(shipped.zone_ids)
        for zone, row in mine.items():
            assert float(row["score"]) == float(result.scored.scores[zone])  # %.17g: exact
            assert int(float(row["rank"])) == int(result.scored.ranks[zone])
            assert math.isclose(float(row["delta"]), float(result.delta[zone]), abs_tol=1e-12)


def test_compare_in_chinese_shows_chinese_names(shipped, three):
    out = ok("compare", *THREE_PATHS, "--lang", "zh")
    for zone in shipped.zone_ids:
        assert shipped.name("zone", zone, "zh") in out
        assert shipped.name("zone", zone, "en") not in out
    assert "基准" in out
    for scenario in three:
        assert scenario.name_zh in out


def test_run_json_is_the_design_object(shipped):
    path = SCENARIOS_DIR / "joint_overseas_rd.yaml"
    data = json.loads(ok("run", str(path), "--format", "json"))
    assert {"scenario", "year", "method", "weights", "zones", "warnings", "provenance"} <= set(data)
    assert math.isclose(sum(data["weights"].values()), 1.0, abs_tol=1e-12)
    for zone in data["zones"]:
        assert {"zone", "score", "rank", "baseline_score", "baseline_rank", "delta", "groups"} <= set(zone)
    assert data["provenance"]["version"] == sim.__version__ and len(data["provenance"]["data"]) == 64
    assert data["zones"] == run_scenario(shipped, load_scenario(path, shipped)).to_dict()["zones"]


def test_run_baseline_reproduces_score_exactly():
    run = json.loads(ok("run", str(SCENARIOS_DIR / "baseline.yaml"), "--format", "json"))
    score = json.loads(ok("score", "--year", "2020", "--format", "json"))
    assert run["zones"] == score["zones"] and run["weights"] == score["weights"]
    assert all(zone["delta"] == 0 for zone in score["zones"])


def test_run_table_in_both_languages(shipped):
    path = str(SCENARIOS_DIR / "artefact_all_zones_pay_rise.yaml")
    english = ok("run", path)
    assert "Artefact: every zone raises pay 8%" in english and "Warnings" in english and "for every zone" in english
    chinese = ok("run", path, "--lang", "zh")
    assert "方法假象" in chinese and shipped.name("zone", "sunan", "zh") in chinese


def test_run_with_another_data_package_and_a_method_override(tmp_path):
    path = tmp_path / "alpha_up.yaml"
    path.write_text("version: 1\nname: alpha up\nyear: 2020\ninterventions:\n  - {zone: alpha, indicator: rd_spending, by: +10%}\n")
    data = json.loads(ok("run", str(path), "--data", str(P3_DIR), "--score-normalization", "ratio", "--format", "json"))
    assert data["method"]["score_normalization"] == "ratio" and data["method"]["normalization"] == "minmax"
    package = load_package(P3_DIR)
    scenario = load_scenario(path, package)
    expected = run_scenario(package, replace(scenario, method_options={"score_normalization": "ratio"})).to_dict()
    assert data["zones"] == expected["zones"]
    assert [z["zone"] for z in data["zones"]] == ["gamma", "beta", "alpha"]


def test_run_missing_file_and_bad_arguments_exit_2():
    missing = cli("run", str(SCENARIOS_DIR / "no_such_scenario.yaml"))
    assert missing.returncode == 2 and "no_such_scenario.yaml" in missing.stderr and "no such file" in missing.stderr
    bad_format = cli("compare", *THREE_PATHS[:1], "--format", "xml")
    assert bad_format.returncode == 2 and "xml" in bad_format.stderr


# ----------------------------------------------------------------------------- issue 15: hostile input


def test_a_scenario_named_like_a_formula_is_neutralised_in_csv(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("version: 1\nname: \"=cmd|' /C calc'!A0\"\nyear: 2020\n", encoding="utf-8")
    for command in ("run", "compare"):
        rows = list(csv.reader(io.StringIO(ok(command, str(path), "--format", "csv"))))
        column = rows[0].index("scenario")
        assert {row[column] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
        delta = rows[0].index("delta")
        assert all(not row[delta].startswith("'") for row in rows[1:])  # numbers stay numbers


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize("name", ['"a\\ud800b"', '"evil\\x1bname"', "a\x85b"])
def test_csv_output_of_a_broken_name_is_exit_2_never_1(tmp_path, command, name):
    path = tmp_path / "broken.yaml"
    path.write_text(f"version: 1\nname: {name}\nyear: 2020\n", encoding="utf-8")
    done = cli(command, str(path), "--format", "csv")
    assert done.returncode == 2 and done.stdout == "" and "internal error" not in done.stderr


def test_terminal_escapes_in_arguments_are_shown_not_obeyed(tmp_path):
    done = cli("run", str(tmp_path / "\x1b[31mred\x1b]0;title\x07.yaml"))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr and "\\x1b[31mred" in done.stderr


def test_an_empty_out_is_an_error_not_silence():
    done = cli("goal-seek", "--zone", "sunan", "--target", "rank=1", "--out", "")
    assert done.returncode == 2 and "--out: the name is empty" in done.stderr and done.stdout == ""


def test_an_integer_of_5000_digits_on_the_command_line_is_exit_2():
    done = cli("score", "--year", "9" * 5000)
    assert done.returncode == 2 and "invalid int value" in done.stderr and len(done.stderr) < 400


def test_a_deeply_nested_data_package_is_exit_2(tmp_path):
    done = cli("score", "--data", str(TESTS_DIR / "broken_packages" / "deeply_nested_method"))
    assert done.returncode == 2 and "nested more than 50 levels" in done.stderr


# ----------------------------------------------------------------------------- issue 11


@pytest.mark.parametrize("zone", ["江苏苏南", "Sunan", "SUNAN", "Southern Jiangsu", "苏南", "southern jiangsu (sunan)"])
def test_zones_by_any_name(zone):
    data = json.loads(ok("levers", "--zone", zone, "--format", "json"))
    assert data["zone"] == "sunan"


def test_goal_seek_takes_a_zone_by_name_too():
    data = json.loads(ok("goal-seek", "--zone", "江苏苏南", "--target", "rank:3", "--year", "2020", "--format", "json"))
    assert data["zone"] == "sunan"


def test_an_unknown_zone_is_said_with_a_suggestion():
    done = cli("levers", "--zone", "Sunnan", "--lang", "en")
    assert done.returncode == 2 and "unknown zone 'Sunnan'; did you mean 'sunan'?" in done.stderr
    done = cli("levers", "--zone", "Mars", "--lang", "zh")
    assert done.returncode == 2 and "未知示范区 'Mars'" in done.stderr and "'sunan'" in done.stderr


def test_help_is_plain_text():
    done = cli("--help")
    assert done.returncode == 0 and "``" not in done.stdout and "python -m sim" not in done.stdout
    assert "zonesim" in done.stdout and "compare" in done.stdout


def _columns(rule: str) -> list[int]:
    """Start column (terminal width) of each column, from the table's rule line."""
    return [match.start() for match in re.finditer(r"-+", rule)]


def _starts_at(row: str, columns: list[int]) -> bool:
    """Whether each column of ``row`` begins exactly at its start (measured with text_width),
    after the two spaces that separate columns."""
    for start in columns[1:]:
        width = 0
        for index, character in enumerate(row):
            if width == start:
                if row[index - 2:index] != "  ":
                    return False
                break
            width += text_width(character)
        else:
            return width <= start  # the row ends before this (blank) column
        if width != start:
            return False
    return True


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_columns_line_up_with_arrows_and_chinese(lang):
    paths = [str(SCENARIOS_DIR / name) for name in ("sunan_catch_up.yaml", "more_core_zones_2019.yaml",
                                                    "unicorn_training_camp.yaml", "g42_talent_corridor.yaml")]
    out = ok("compare", *paths, "--lang", lang)
    header, rule, *rows = out.split("\n\n")[0].splitlines()
    columns = _columns(rule)
    assert len(columns) == 1 + 2 + len(paths)  # zone, baseline 2019 and 2020, each scenario
    assert any("▲" in row for row in rows) and any("▼" in row for row in rows)
    for row in [header, *rows]:
        assert _starts_at(row, columns), row
    # Inside each scenario's column the fields line up too: the rank's "#" and the arrow.
    for marker in ("#", "▲▼–"):
        for start, end in zip(columns[3:], [*columns[4:], 10**6]):
            places = set()
            for row in rows:
                width = 0
                for character in row:
                    if start <= width < end and character in marker:
                        places.add(width)
                        break
                    width += text_width(character)
            assert len(places) == 1, (marker, places)


def test_run_shows_the_gap_to_the_zone_above_in_every_format(shipped):
    path = str(SCENARIOS_DIR / "sunan_catch_up.yaml")
    result = run_scenario(shipped, load_scenario(path, shipped))
    ranking = result.ranking()
    data = json.loads(ok("run", path, "--format", "json"))
    gaps = [z["gap_to_next"] for z in data["zones"]]
    assert gaps[0] is None and all(g >= 0 for g in gaps[1:])
    scores = [z["score"] for z in data["zones"]]
    assert gaps[1:] == pytest.approx([a - b for a, b in zip(scores, scores[1:])], abs=1e-12)
    rows = list(csv.DictReader(io.StringIO(ok("run", path, "--format", "csv"))))
    assert rows[0]["gap_to_next"] == "" and float(rows[1]["gap_to_next"]) == pytest.approx(gaps[1], abs=1e-12)
    table = ok("run", path, "--lang", "en")
    second = ranking.index[1]
    line = next(r for r in table.splitlines() if shipped.name("zone", second, "en") in r and "(#" in r)
    assert f"{ranking.at[second, 'gap_to_next']:.2f}" in line


def test_every_table_and_csv_carries_the_provenance_line(shipped, three):
    path = str(SCENARIOS_DIR / "sunan_catch_up.yaml")
    line_en, line_zh = provenance_line(shipped, "en"), provenance_line(shipped, "zh")
    assert "reconstructed" in line_en and "not official statistics" in line_en and "重建" in line_zh
    assert ok("run", path).rstrip().endswith(line_en)
    assert ok("score", "--lang", "zh").rstrip().endswith(line_zh)
    assert line_en in ok("compare", *THREE_PATHS)
    for args in (["run", path], ["compare", *THREE_PATHS]):
        rows = list(csv.DictReader(io.StringIO(ok(*args, "--format", "csv"))))
        assert {row["data_note"] for row in rows} == {line_en}
        rows = list(csv.DictReader(io.StringIO(ok(*args, "--format", "csv", "--lang", "zh"))))
        assert {row["data_note"] for row in rows} == {line_zh}


def test_the_wrapper_script_runs_zonesim():
    done = subprocess.run([str(REPO_ROOT / "scripts" / "zonesim"), "score", "--lang", "en", "--format", "json"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scenario"] == "baseline"
