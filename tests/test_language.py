"""The command line speaks the reader's language (issue 11, points 1 and 7).

``--lang zh`` output of ``score``, ``run``, ``compare``, ``validate`` and of invalid files
holds no Latin word outside the allowlist (``tests/zh_latin_allowlist.yaml``), except what
the person typed or quotes from a file: file paths, option names, command names, and text
in quotes (``'rd_spendng'``, ``「interventions[0].by」``). The same English output still
holds the information, and a Chinese error keeps the file, line, field, value and
suggestion of the English one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from latin import foreign_words, untyped

from sim.cli import main
from sim.errors import ScenarioError
from sim.messages import LANG_VARIABLE, catalogue, msg
from sim.provenance import provenance_line
from sim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SCENARIOS = REPO / "scenarios"
BAD = TESTS / "bad_scenarios"
FAILING = TESTS / "failing_runs"

#: Names the library's scenario files give themselves (text a person wrote, such as "G42").
SCENARIO_NAMES = [line.split(":", 1)[1].strip() for path in SCENARIOS.glob("*.yaml")
                  for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("name_zh:")]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


#: The library's one-year scenarios and its plans over years (compared apart: a plan and a one-year
#: scenario are refused side by side).
PLANS = sorted(p for p in SCENARIOS.glob("*.yaml") if "\nhorizon:" in p.read_text(encoding="utf-8"))
ONE_YEAR = sorted(p for p in SCENARIOS.glob("*.yaml") if p not in PLANS)

#: (arguments, exit status): every command and kind of failure the leak test covers.
CASES = [
    (["score"], 0),
    (["score", "--year", "2019"], 0),
    (["run", str(SCENARIOS / "sunan_catch_up.yaml")], 0),
    (["run", str(SCENARIOS / "artefact_all_zones_pay_rise.yaml")], 0),
    (["run", str(SCENARIOS / "artefact_sunan_stays_last.yaml")], 0),
    (["compare", *(str(p) for p in ONE_YEAR)], 0),
    (["compare", *(str(p) for p in PLANS)], 0),
    (["run", str(PLANS[0])], 0),
    (["compare", str(PLANS[0]), str(ONE_YEAR[0])], 2),
    (["validate", *(str(p) for p in sorted(SCENARIOS.glob("*.yaml")))], 0),
    (["validate", *(str(p) for p in sorted(BAD.glob("*.yaml")))], 2),
    (["validate", *(str(p) for p in sorted(FAILING.glob("*.yaml")) if p.name != "every_indicator_constant.yaml")], 2),
    (["run", str(BAD / "several_errors.yaml")], 2),
    (["run", str(BAD / "negative_count_result.yaml")], 2),
    (["run", str(TESTS / "no_such_file.yaml")], 2),
    (["run", str(SCENARIOS / "baseline.yaml"), "--format", "xml"], 2),
    (["score", "--year", "1999"], 2),
    (["score", "--data", str(TESTS / "broken_packages" / "unknown_group")], 2),
    (["score", "--data", str(TESTS / "broken_packages" / "several_defects")], 2),
    (["score", "--data", str(TESTS / "broken_packages" / "undecodable_bytes")], 2),
]


@pytest.mark.parametrize(("args", "status"), CASES, ids=lambda v: v[0] if isinstance(v, list) else str(v))
def test_chinese_output_has_no_latin_word_outside_the_allowlist(capsys, args, status):
    code, out, err = run_cli(capsys, *args, "--lang", "zh")
    assert code == status, err
    paths = [a for a in args if "/" in a]
    leaks = foreign_words(untyped(out + err, *paths, *SCENARIO_NAMES))
    assert leaks == [], (sorted(set(leaks)), (out + err)[:3000])


#: Namespaces whose words are another's, or argparse's and the YAML parser's own (matched by their English).
NOT_CHECKED = ("ui", "analysis", "plan", "glossary", "sure", "args", "yaml")


def test_every_chinese_text_of_the_catalogue_is_chinese():
    """Each zh template of the library's and the command line's namespaces, its {fields}
    and quoted words set aside: messages never met in the runs above are checked too."""
    leaks = {}
    for key, entry in catalogue().items():
        if key.split(".")[0] in NOT_CHECKED:
            continue
        for form in entry["zh"].values() if isinstance(entry["zh"], dict) else [entry["zh"]]:
            found = foreign_words(untyped(re.sub(r"\{[^{}]*\}", " ", form)))
            if found:
                leaks[key] = found
    assert leaks == {}


def test_the_leak_test_would_see_an_english_message(capsys):
    # The same files in English are full of Latin words: the test above can fail.
    _, _, err = run_cli(capsys, "run", str(BAD / "several_errors.yaml"), "--lang", "en")
    assert len(foreign_words(untyped(err, str(BAD / "several_errors.yaml")))) > 10


def test_english_output_still_holds_the_information(capsys, shipped):
    path = str(SCENARIOS / "sunan_catch_up.yaml")
    _, out, _ = run_cli(capsys, "run", path, "--lang", "en")
    scenario = load_scenario(path, shipped)
    assert f"scenario: {scenario.name}" in out and "year: 2020" in out
    for zone in shipped.zone_ids:
        assert shipped.name("zone", zone, "en") in out
    assert "gap to next up" in out and "Changed values" in out and "100m CNY" in out
    assert "leaves the worst value of" in out  # a warning, with names
    assert provenance_line(shipped, "en") in out and "not official statistics" in out


def test_chinese_run_table_names_units_origins_and_the_caveat(capsys, shipped):
    _, out, _ = run_cli(capsys, "run", str(SCENARIOS / "sunan_catch_up.yaml"), "--lang", "zh")
    assert "情景：苏南自创区追赶方案" in out and "与上一名差距" in out
    assert "亿元" in out and "干预" in out and "联动" in out
    assert "江苏苏南 离开了 技术合同交易额 的最差值" in out
    assert out.rstrip().endswith(provenance_line(shipped, "zh"))
    assert "`" not in out  # no literal backticks from the data's source texts


def test_a_chinese_error_keeps_file_line_field_value_and_suggestion(capsys):
    path = str(BAD / "misspelt_indicator.yaml")
    _, _, english = run_cli(capsys, "run", path, "--lang", "en")
    _, _, chinese = run_cli(capsys, "run", path, "--lang", "zh")
    assert "line 6, interventions[0].indicator" in english and "'rd_spendng'" in english
    assert chinese.startswith(f"错误：{path}: ")
    assert "第 6 行「interventions[0].indicator」" in chinese  # line and field
    assert "未知指标 'rd_spendng'" in chinese  # the value
    assert "是否想写 'rd_spending'？" in chinese  # the suggestion


def test_every_problem_of_a_file_is_said_in_chinese_with_its_place(capsys):
    _, _, err = run_cli(capsys, "run", str(BAD / "several_errors.yaml"), "--lang", "zh")
    assert "4 个问题" in err
    for place in ("第 4 行「colour」", "第 3 行「year」", "第 6 行「interventions[0].zone」", "第 11 行「interventions[1].by」"):
        assert place in err
    assert "'+ten%' 不是相对变化" in err and "数据中没有 2035 年" in err


def test_an_error_found_by_the_engine_names_zone_and_indicator(capsys, shipped):
    _, _, err = run_cli(capsys, "run", str(BAD / "negative_count_result.yaml"), "--lang", "zh")
    assert "干预「interventions[0]」（第 5 行）" in err
    assert "独角兽企业数量 = -999987 低于其最小值 0" in err and "江苏苏南" in err and "sunan" not in err


def test_argument_errors_are_in_the_chosen_language(capsys):
    _, _, zh = run_cli(capsys, "score", "--format", "xml", "--lang", "zh")
    _, _, en = run_cli(capsys, "score", "--format", "xml", "--lang", "en")
    assert "无效的选择 'xml'" in zh and zh.startswith("错误：")
    assert "invalid choice: 'xml'" in en and en.startswith("error: ")


def test_the_default_language_is_chinese_and_the_variable_can_change_it(capsys, monkeypatch):
    monkeypatch.delenv(LANG_VARIABLE, raising=False)
    _, out, _ = run_cli(capsys, "score")
    assert out.startswith("情景：基准")
    monkeypatch.setenv(LANG_VARIABLE, "en")
    _, out, _ = run_cli(capsys, "score")
    assert out.startswith("scenario: baseline")
    _, out, _ = run_cli(capsys, "score", "--lang", "zh")  # the option wins
    assert out.startswith("情景：基准")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_is_plain_text_in_the_chosen_language(capsys, lang):
    for args in (["--help"], ["run", "--help"], ["compare", "--help"]):
        with pytest.raises(SystemExit) as done:
            main([*args, "--lang", lang])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "``" not in out and ":class:" not in out and ".. " not in out
        assert ("用法：" in out) == (lang == "zh") and ("usage:" in out) == (lang == "en")
    with pytest.raises(SystemExit):
        main(["--help", "--lang", lang])
    top = capsys.readouterr().out
    assert ("给基准数据打分" in top) == (lang == "zh") and ("score the baseline" in top) == (lang == "en")


#: Catalogue namespaces of the app and the analyses (another part of issue 11).
OTHERS_NAMESPACES = ("ui", "analysis", "plan", "glossary", "sure")


def test_plurals_are_words_not_brackets(capsys):
    _, out, _ = run_cli(capsys, "validate", str(SCENARIOS / "sunan_rd_doubling.yaml"), "--lang", "en")
    count = len(load_scenario(SCENARIOS / "sunan_rd_doubling.yaml", __import__("sim.data").data.load_package())
                .interventions)
    assert f"{count} intervention{'s' if count != 1 else ''}," in out and "(s)" not in out
    one = msg("validate.ok", path="a.yaml", name="A", count=1, year=2020)
    assert "1 intervention," in one and "(s)" not in one
    for key, entry in catalogue().items():
        if key.split(".")[0] in OTHERS_NAMESPACES:
            continue
        for form in (entry["en"].values() if isinstance(entry["en"], dict) else [entry["en"]]):
            assert "(s)" not in form, key


def test_every_system_error_with_a_message_of_its_own_has_one():
    from sim.atomic import _KNOWN_ERRNOS, os_reason

    for name in _KNOWN_ERRNOS:
        code = getattr(__import__("errno"), name)
        reason = os_reason(OSError(code, "whatever"))
        assert reason.key == f"files.os_{name.lower()}" and reason.render("zh") != reason.render("en")
    assert os_reason(OSError(999, "strange")).render("en") == "strange"


def test_a_share_link_error_names_the_link_in_the_language():
    from sim.data import load_package
    from sim.share import scenario_from_params

    with pytest.raises(ScenarioError) as caught:
        scenario_from_params({"s": "abc!", "v": "1"}, load_package())
    assert caught.value.render("zh").startswith("分享链接: ") and "'!'" in caught.value.render("zh")
    assert str(caught.value).startswith("share link: ")
