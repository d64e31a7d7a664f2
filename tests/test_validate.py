"""`zonesim validate` runs every check of `zonesim run` (issue 12, point 3).

The corpus ``tests/failing_runs/`` holds valid scenario files whose result the engine
refuses (see its README): `run` fails on each, and `validate` must fail with the same
message, naming the intervention's line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from names import as_read

from sim.cli import main
from sim.data import load_package

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "failing_runs"
#: Files checked against another package than the shipped one.
PACKAGE_OF = {"every_indicator_constant.yaml": TESTS / "packages" / "analysis3x3"}
#: Words each message must contain (besides the file name); ``{id}`` reads as a name (tests/names.py).
WORDS = {
    "share_above_100_via_link.yaml": [
        "link {rd_spending} -> {rd_intensity} (data, elasticity 1) for {sunan}", "interventions[0] (line 5)",
        "{rd_intensity} = 107.66 is above its maximum 100"],
    "scenario_link_pushes_a_share_over_100.yaml": [
        "link {unicorns} -> {high_tech_revenue_share} (scenario, elasticity 10)", "interventions[0] (line 5)",
        "{high_tech_revenue_share} = 585.31 is above its maximum 100"],
    "later_intervention_pushes_over.yaml": [
        "interventions[1] (line 8): {rd_staff_share} by +20% for {sunan}",
        "{rd_staff_share} = 108 is above its maximum 100"],
    "negative_count.yaml": ["interventions[0] (line 5): {unicorns} by -20 for {donghu}",
                            "{unicorns} = -18 is below its minimum 0"],
    "growth_below_minus_100.yaml": ["interventions[0] (line 5)", "{tax_growth} = -190.31 is below its minimum -100"],
    "beyond_tool_range.yaml": ["interventions[1] (line 8)", "out of the range this tool handles"],
    "every_indicator_constant.yaml": [
        "every indicator has the same value for every zone (year 2020)", "caused by interventions[0] (line 6)"],
}
FILES = sorted(path.name for path in CORPUS.glob("*.yaml"))


def test_the_corpus_and_the_word_list_agree():
    assert FILES == sorted(WORDS)


def _data(name: str) -> list[str]:
    return ["--data", str(PACKAGE_OF[name])] if name in PACKAGE_OF else []


@pytest.mark.parametrize("name", FILES)
def test_validate_refuses_what_run_refuses_with_the_same_message(name, capsys):
    path = str(CORPUS / name)
    assert main(["run", path, *_data(name)]) == 2
    run_error = capsys.readouterr().err
    assert run_error.startswith("error: ") and "Traceback" not in run_error
    message = run_error[len("error: "):].rstrip("\n")
    assert message.startswith(path)
    for word in as_read(WORDS[name], load_package(PACKAGE_OF.get(name))):
        assert word in message, (word, message)

    assert main(["validate", path, *_data(name)]) == 2
    captured = capsys.readouterr()
    assert f"invalid  {message}\n" in captured.err
    assert "0 valid, 1 invalid" in captured.err and "ok " not in captured.out


def test_validate_in_chinese_names_the_line_too(capsys):
    path = str(CORPUS / "negative_count.yaml")
    assert main(["validate", "--lang", "zh", path]) == 2
    err = capsys.readouterr().err
    assert "第 5 行" in err and "0 个有效，1 个无效" in err


def test_a_file_that_validates_runs(tmp_path, capsys):
    """The issue's example: unicorns to 0 and a growth rate below 0 validated but could not
    run under ratio; both now validate and run (min-max for those columns, with warnings)."""
    path = tmp_path / "zero_and_negative.yaml"
    path.write_text(
        "version: 1\nname: zero and negative\nyear: 2020\ninterventions:\n"
        "- {zone: donghu, indicator: unicorns, to: 0}\n"
        "- {zone: zhongguancun, indicator: employment_growth, by: -5}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    assert "1 valid, 0 invalid" in capsys.readouterr().out
    assert main(["run", str(path)]) == 0
    assert "min-max" in capsys.readouterr().out
