"""The brief of a plan over years (issue 14 point 2), the plan charts, and the current scenario as a plan.

Numbers are checked against ``zonesim run PLAN.yaml --format json`` (the tables show 2
decimals: tolerance half a unit of the last decimal, 0.005); ranks exactly.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import docx
import pytest

from sim.brief import ScenarioInput, make_brief
from sim.brief.content import build_brief
from sim.brief.plan import plan_change_lines
from sim.chart_style import zone_colors
from sim.cli import main
from sim.data import load_package
from sim.errors import ScenarioError, UsageError
from sim.messages import render, text
from sim.plan import run_plan
from sim.plan.charts import DASHES, plan_rank_chart, plan_score_chart
from sim.plan.compose import as_plan, intervention_key, observed_trend_frame, plan_document
from sim.plan.report import timing_words, year_tables
from sim.plan.result import BASELINE, PLAN
from sim.scenario import load_scenario, parse_scenario
from test_brief import HALF_CENT, _Page, docx_table

REPO = Path(__file__).resolve().parent.parent
FUND = REPO / "scenarios" / "plan_fund_consortia_rivals_grow.yaml"
CATCH_UP = REPO / "scenarios" / "plan_sunan_catch_up_2021_2025.yaml"
ONE_YEAR = REPO / "scenarios" / "sunan_rd_doubling.yaml"
CELL = re.compile(r"^(-?\d+(?:\.\d+)?)(?: \(([+-]?\d+(?:\.\d+)?)\))?$")


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def package():
    return load_package()


@pytest.fixture(scope="module")
def fund_zh(tmp_path_factory) -> dict:
    """The fund plan's brief in Chinese, both formats, written by the command; and its run's JSON."""
    folder = tmp_path_factory.mktemp("plan_brief")
    out = {}
    for kind in ("docx", "html"):
        path = folder / f"brief.{kind}"
        status, said, err = run_cli("report", str(FUND), "--out", str(path), "--lang", "zh")
        assert status == 0, err
        out[kind] = docx.Document(str(path)) if kind == "docx" else path.read_text(encoding="utf-8")
    status, said, err = run_cli("run", str(FUND), "--format", "json")
    assert status == 0, err
    out["json"] = json.loads(said)
    return out


def _cells(rows: list[list[str]]) -> dict[tuple[str, str], tuple[float, float | None]]:
    """``{(zone name, year header): (number, number in brackets)}`` of a year-by-year table."""
    headers, out = rows[0], {}
    for row in rows[1:]:
        for header, cell in zip(headers[1:], row[1:]):
            match = CELL.match(cell.strip())
            assert match, cell
            out[(row[0], header)] = (float(match.group(1)), None if match.group(2) is None else float(match.group(2)))
    return out


def test_word_year_by_year_tables_equal_run_json(fund_zh, package):
    data = fund_zh["json"]
    ranks, scores = _cells(docx_table(fund_zh["docx"], "plan_ranks")), _cells(docx_table(fund_zh["docx"], "plan_scores"))
    observed = text("plan.col_observed", "zh", year=data["year"])
    assert len(ranks) == len(scores) == len(package.zone_ids) * (1 + len(data["years"]))
    for zone in data["observed"]["zones"]:
        name = package.name("zone", zone["zone"], "zh")
        assert ranks[(name, observed)] == (zone["rank"], None)
        assert abs(scores[(name, observed)][0] - zone["score"]) <= HALF_CENT
    for year in data["years"]:
        for zone in year["zones"]:
            key = (package.name("zone", zone["zone"], "zh"), str(year["year"]))
            assert ranks[key] == (zone["rank"], zone["baseline_rank"])
            score, delta = scores[key]
            assert abs(score - zone["score"]) <= HALF_CENT and abs(delta - zone["delta"]) <= HALF_CENT


def test_the_plan_moves_sunan_past_zhangjiang_in_the_brief(fund_zh, package):
    # Golden (the library plan's run, tests/test_plan_engine.py): Sunan 4th until 2023, 3rd from 2024.
    ranks = _cells(docx_table(fund_zh["docx"], "plan_ranks"))
    sunan = package.name("zone", "sunan", "zh")
    assert [ranks[(sunan, str(y))][0] for y in range(2021, 2026)] == [4, 4, 4, 3, 3]
    body = "\n".join(p.text for p in fund_zh["docx"].paragraphs)
    passes = render(run_plan(package, load_scenario(FUND, package)).overtakes(PLAN)[0].describe(), "zh", package.name)
    assert passes in body and "2024" in passes


def test_word_outline_lists_interventions_with_their_timing_and_the_caveat(fund_zh, package):
    document = fund_zh["docx"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [text(f"brief.{k}", "zh") for k in
                        ("sec_question", "sec_changes", "plan_sec_years", "sec_warnings", "sec_method", "sec_appendix")]
    body = "\n".join(p.text for p in document.paragraphs)
    plan = load_scenario(FUND, package)
    for line in plan_change_lines(plan, package, "zh"):
        assert line in body
    assert "2022—2024 年每年调整一次（逐年累积），2024 年后保持该水平" in body  # vc_investment: from 2022, until 2024
    assert "2023 年起一次性调整，此后保持" in body                             # high_tech_firms: a one-off from 2023
    assert text("brief.plan_method", "zh", year=2020) in body
    assert any(p.text.startswith("注意：2020 年的 125 个数值中有") for p in document.paragraphs)


def test_word_appendix_parses_back_to_the_same_plan(fund_zh, package):
    code = [p.text for p in fund_zh["docx"].paragraphs if p.text.startswith("version: 1")]
    assert code and parse_scenario(code[0], package).to_dict() == load_scenario(FUND, package).to_dict()


def test_html_needs_no_network_and_has_the_word_tables(fund_zh):
    page = _Page()
    page.feed(fund_zh["html"])
    assert page.links and all(link.startswith("data:") for link in page.links)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?:""", fund_zh["html"])
    for key in ("plan_ranks", "plan_scores", "changes"):
        assert page.tables[key] == docx_table(fund_zh["docx"], key)
    figures = re.findall(r'<figure data-key="(\w+)"><img src="data:image/svg\+xml;base64,', fund_zh["html"])
    assert figures == ["ranks", "scores"]


def test_a_plan_gets_a_brief_of_its_own(package, tmp_path):
    plan, one = ScenarioInput.from_file(FUND, package), ScenarioInput.from_file(ONE_YEAR, package)
    with pytest.raises(UsageError) as caught:
        build_brief(package, [plan, one], "en")
    assert "plan_fund_consortia_rivals_grow.yaml" in render(caught.value, "en")
    out = tmp_path / "two.docx"
    status, _, err = run_cli("report", str(FUND), str(ONE_YEAR), "--out", str(out), "--lang", "en")
    assert status != 0 and "a plan over years gets a brief of its own" in err and not out.exists()
    status, _, err = run_cli("report", str(FUND), "--out", str(out), "--robustness", "100", "--lang", "en")
    assert status != 0 and "robustness" in err and "Traceback" not in err and not out.exists()
    with pytest.raises(UsageError) as caught:
        build_brief(package, [plan], "en", robustness=[object()])
    assert "--trend-noise" in render(caught.value, "en")


def test_english_brief_names_zones_and_has_no_ids(package):
    page = make_brief(package, [ScenarioInput.from_file(CATCH_UP, package)], "html", "en")
    body = page.split(text("brief.sec_appendix", "en"))[0]
    assert text("brief.plan_sec_years", "en") in body and "Southern Jiangsu (Sunan)" in body
    assert not re.search(r"\b(sunan|zhangjiang|rd_spending)\b", re.sub(r"<[^>]+>", " ", body))


# --------------------------------------------------------------------------- the tables and charts


def test_year_tables_are_the_plan_s_ranks_and_scores(package):
    result = run_plan(package, load_scenario(CATCH_UP, package))
    headers, rank_rows, score_rows = year_tables(result, package, "en")
    assert headers[1:] == [text("plan.col_observed", "en", year=2020)] + [str(y) for y in range(2021, 2026)]
    by_name = {package.name("zone", z, "en"): z for z in package.zone_ids}
    for row in rank_rows:
        zone = by_name[row[0]]
        assert row[-1] == f"{result.ranks(PLAN).at[2025, zone]} ({result.ranks(BASELINE).at[2025, zone]})"
    assert [by_name[row[0]] for row in rank_rows] == list(result.ranks(PLAN).loc[2025].sort_values(kind="stable").index)
    assert not any("-0.00" in cell for row in score_rows for cell in row)


def test_rank_chart_has_both_paths_zone_colours_and_the_footer(package):
    result = run_plan(package, load_scenario(FUND, package))
    spec = plan_rank_chart(result, package, "zh").to_dict()
    marks = spec["layer"][0]["layer"] if "layer" in spec["layer"][0] else spec["layer"]
    data = plan_rank_chart(result, package, "zh").data
    frame = result.frame()
    assert data[["path", "year", "zone", "rank"]].equals(frame[["path", "year", "zone", "rank"]])
    line = next(m for m in marks if m["mark"]["type"] == "line")
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [DASHES[PLAN], DASHES[BASELINE]]
    color = line["encoding"]["color"]["scale"]
    expected = zone_colors(package.zone_ids)
    assert dict(zip(color["domain"], color["range"])) == {package.name("zone", z, "zh"): c for z, c in expected.items()}
    assert "重建" in json.dumps(spec, ensure_ascii=False)  # the provenance footer of reconstructed data
    score = plan_score_chart(result, package, "en").to_dict()
    assert json.dumps(score).count('"legend": null') >= 1  # the points add no second zone legend


# --------------------------------------------------------------------------- the current scenario as a plan


def test_as_plan_writes_the_timing_into_the_file_and_round_trips(package):
    one_year = load_scenario(ONE_YEAR, package)
    key = intervention_key(one_year.interventions[0])
    plan = as_plan(one_year, package, 2024, "+5%", {key: {"from": 2022, "each_year": True, "until": 2023}})
    assert plan.is_plan and plan.plan.horizon == 2024 and plan.plan.trend.default.text() == "+5%"
    assert plan.interventions[0].timing.to_dict() == {"from": 2022, "each_year": True, "until": 2023}
    assert intervention_key(plan.interventions[0]) == key  # the timing is not part of the key
    again = as_plan(plan, package, 2024, "+5%", {key: {"from": 2022, "each_year": True, "until": 2023}})
    assert again == plan
    # until without each_year is not written (the checkbox is off): the file stays valid
    assert "until" not in plan_document(one_year, 2024, "hold", {key: {"until": 2023}})["interventions"][0]
    # a one-off +100 % from 2022: nothing in 2021, +100 % of the baseline path from 2022 on (hand rule)
    result = run_plan(package, as_plan(one_year, package, 2023, "hold", {key: {"from": 2022}}))
    values = [result.year(y).values.at["sunan", "rd_spending"] / result.year(y).baseline_values.at["sunan", "rd_spending"]
              for y in (2021, 2022, 2023)]
    assert values == pytest.approx([1.0, 2.0, 2.0])


def test_as_plan_refuses_a_start_after_the_horizon_naming_it(package):
    one_year = load_scenario(ONE_YEAR, package)
    key = intervention_key(one_year.interventions[0])
    with pytest.raises(ScenarioError) as caught:
        as_plan(one_year, package, 2022, "hold", {key: {"from": 2024}})
    said = render(caught.value, "zh", package.name)
    assert "2024" in said and "from" in said


def test_observed_trend_frame_is_the_yearly_change_of_the_data(package):
    frame = observed_trend_frame(package, 2020, "en")
    now, before = package.table(2020), package.table(2019)
    expected = 100 * (now.at["sunan", "rd_spending"] / before.at["sunan", "rd_spending"] - 1)
    cell = frame.at[package.name("indicator", "rd_spending", "en"), package.name("zone", "sunan", "en")]
    assert cell == f"{expected:+.1f}%"
    # a percentage holds under the default observed trend
    assert set(frame.loc[package.name("indicator", "rd_intensity", "en")]) == {"—"}
    assert observed_trend_frame(package, 2019, "en") is None  # no earlier year


@pytest.mark.parametrize("timing, words", [
    ("", "a one-off step from 2021, kept after it"),
    ("from: 2023, ", "a one-off step from 2023, kept after it"),
    ("each_year: true, ", "every year from 2021 to 2025, accumulating"),
    ("from: 2022, each_year: true, until: 2023, ", "every year from 2022 to 2023, accumulating; the level stays after 2023"),
])
def test_timing_in_words(package, timing, words):
    plan = parse_scenario("version: 1\nname: p\nyear: 2020\nhorizon: 2025\ninterventions:\n"
                          f"  - {{{timing}zone: sunan, indicator: unicorns, by: 1}}\n", package)
    assert render(timing_words(plan.interventions[0], plan), "en") == words


def test_doctests_of_the_plan_brief_charts_and_compose():
    import doctest
    import importlib

    for name in ("sim.plan.charts", "sim.plan.compose", "sim.brief.plan", "sim.plan.report"):
        assert doctest.testmod(importlib.import_module(name)).failed == 0, name
