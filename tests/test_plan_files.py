"""Plan files (issue 13): the plan keys of scenario version 1, validation, round trip, the library.

- A file without ``horizon`` is a one-year scenario exactly as before: no plan keys in its
  model or its canonical text, and the one-year result (checked against a run of the plan
  machinery reduced to one year in ``tests/test_plan_engine.py``).
- Canonical save/load: save -> load -> save gives the same bytes (hypothesis over plans).
- The broken plan files in ``tests/bad_scenarios/plans/``: one per error, each checked for
  the words its message must contain, through the Python API, ``zonesim run`` and
  ``zonesim validate``.
- The library's plans: canonical, described, and their golden year-by-year ranks.

The golden ranks are those of the shipped (reconstructed) baseline; a recalibrated baseline
would need them recomputed (``zonesim run scenarios/plan_*.yaml``).
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.data import load_package
from sim.errors import ScenarioError
from sim.plan import run_plan
from sim.plan.schema import MAX_HORIZON_YEARS, Timing, Trend, TrendRule
from sim.scenario import dump_scenario, load_scenario, parse_scenario, scenario_from_dict

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
BAD_PLANS = TESTS_DIR / "bad_scenarios" / "plans"
LIBRARY_PLANS = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if "\nhorizon:" in p.read_text(encoding="utf-8"))
SHIPPED = load_package()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def parse(text: str, package=SHIPPED, source: str = "inline.yaml"):
    return parse_scenario(textwrap.dedent(text), package, source=source)


# ----------------------------------------------------------------------------- the keys


def test_a_plan_reads_every_key():
    plan = parse("""
        version: 1
        name: catch-up
        year: 2020
        horizon: 2025
        trend:
          default: observed
          indicators: {rd_spending: "+8%", unicorns: hold}
          zones:
            shenzhen: {rd_spending: +12%}
        interventions:
          - {zone: sunan, indicator: rd_spending, by: +10%, from: 2022, each_year: true, until: 2024}
          - {zone: sunan, indicator: unicorns, to: 20}
        """)
    assert plan.is_plan and plan.plan.horizon == 2025
    trend = plan.plan.trend
    assert trend.default == TrendRule("observed")
    assert trend.rule("shenzhen", "rd_spending") == (TrendRule("growth", 12.0), True)
    assert trend.rule("sunan", "rd_spending") == (TrendRule("growth", 8.0), True)
    assert trend.rule("sunan", "unicorns") == (TrendRule("hold"), True)
    assert trend.rule("sunan", "gazelles") == (TrendRule("observed"), False)
    assert plan.interventions[0].timing == Timing(2022, True, 2024)
    assert plan.interventions[1].timing is None


def test_a_file_without_horizon_is_a_one_year_scenario_as_before():
    text = "version: 1\nname: push\nyear: 2020\ninterventions:\n- zone: sunan\n  indicator: rd_spending\n  by: +10%\n"
    scenario = parse(text)
    assert not scenario.is_plan and scenario.plan is None
    assert all(i.timing is None for i in scenario.interventions)
    assert dump_scenario(scenario) == text  # no new key in the canonical text
    assert set(scenario.to_dict()) == {"version", "name", "year", "interventions"}


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_every_library_file_keeps_its_canonical_bytes(path):
    assert dump_scenario(load_scenario(path, SHIPPED)).encode("utf-8") == path.read_bytes()


def test_a_default_trend_and_default_timing_are_not_written():
    plan = parse("""
        version: 1
        name: p
        year: 2020
        horizon: 2022
        trend: {default: hold}
        interventions:
          - {zone: sunan, indicator: unicorns, by: 1, each_year: false}
        """)
    text = dump_scenario(plan)
    assert "trend" not in text and "each_year" not in text
    assert dump_scenario(parse(text)) == text


def _plan_documents():
    """Plans built from the shipped ids: horizons, trends and timings of every kind."""
    zones, indicators = SHIPPED.zone_ids, SHIPPED.indicator_ids
    rule = st.one_of(st.sampled_from(["hold", "observed"]),
                     st.floats(-99, 1000, allow_nan=False).map(lambda x: f"{x:+.4g}%"))

    @st.composite
    def plan(draw):
        horizon = 2020 + draw(st.integers(1, MAX_HORIZON_YEARS))
        document = {"version": 1, "name": draw(st.text("abc 苏南", min_size=1, max_size=8)).strip() or "p",
                    "year": 2020, "horizon": horizon,
                    "trend": {"default": draw(rule),
                              "indicators": draw(st.dictionaries(st.sampled_from(indicators), rule, max_size=3)),
                              "zones": draw(st.dictionaries(st.sampled_from(zones), st.dictionaries(
                                  st.sampled_from(indicators), rule, min_size=1, max_size=2), max_size=2))},
                    "interventions": []}
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(2021, horizon))
            item = {"zone": draw(st.sampled_from(zones)), "indicator": draw(st.sampled_from(indicators)),
                    "by": draw(st.sampled_from(["+10%", "-5%", 2, 0.5])), "from": start}
            if draw(st.booleans()):
                item["each_year"] = True
                if draw(st.booleans()):
                    item["until"] = draw(st.integers(start, horizon))
            document["interventions"].append(item)
        return document

    return plan()


@PROPERTY
@given(_plan_documents())
def test_save_load_save_gives_the_same_bytes(document):
    plan = scenario_from_dict(document, SHIPPED, source="property")
    text = dump_scenario(plan)
    again = parse_scenario(text, SHIPPED)
    assert dump_scenario(again) == text
    assert again.plan == plan.plan
    assert [replace(i, line=None) for i in again.interventions] == [replace(i, line=None) for i in plan.interventions]


def test_trend_text_is_canonical():
    assert Trend(TrendRule.parse("+8.50%")).to_dict() == {"default": "+8.5%"}
    assert TrendRule.parse(" observed ") == TrendRule("observed")
    assert TrendRule.parse("8") is None and TrendRule.parse(8) is None


# ----------------------------------------------------------------------------- broken plan files

#: Words each message must contain: the file, the line, the field, the bad value, what is allowed.
BAD_PLAN_MESSAGES: dict[str, list[str]] = {
    "horizon_not_after_year.yaml": ["line 4", "horizon", "horizon 2020 must come after year 2020", "2021"],
    "horizon_too_far.yaml": ["line 4", "horizon 2031", "more than 10 years after year 2020", "at most 2030"],
    "horizon_as_text.yaml": ["line 4", "horizon '2025'", "whole number", "at most 2030"],
    "from_after_horizon.yaml": ["line 9", "interventions[0].from", "from 2027 is after horizon 2025"],
    "from_before_first_year.yaml": ["line 9", "interventions[0].from", "from 2020", "first projected year 2021"],
    "from_not_a_year.yaml": ["line 9", "interventions[0].from", "'next year'", "whole number"],
    "until_before_from.yaml": ["line 11", "interventions[0].until", "until 2022", "before the first year 2023"],
    "until_after_horizon.yaml": ["line 10", "interventions[0].until", "until 2026 is after horizon 2025"],
    "until_without_each_year.yaml": ["line 9", "interventions[0].until", "needs each_year: true"],
    "each_year_with_to.yaml": ["line 9", "interventions[0].each_year", "'to' sets a level", "use by"],
    "each_year_not_bool.yaml": ["line 9", "interventions[0].each_year", "true or false", "got 1"],
    "trend_unknown_indicator.yaml": ["line 8", "trend.indicators.rd_spendng", "unknown indicator",
                                     "did you mean 'rd_spending'?"],
    "trend_unknown_zone.yaml": ["line 7", "trend.zones.suzhou", "unknown zone 'suzhou'",
                                "allowed: zhongguancun, donghu, zhangjiang, shenzhen, sunan"],
    "trend_bad_value.yaml": ["line 6", "trend.default", "'grow'", "allowed: hold, observed", "'+8%'"],
    "trend_number_without_percent.yaml": ["line 7", "trend.indicators.rd_spending", "trend 8 is not allowed", "'+8%'"],
    "trend_below_minus_100.yaml": ["line 6", "trend.default", "'-100%'", "above -100%"],
    "trend_unknown_key.yaml": ["line 6", "trend.indicator", "unknown key 'indicator'", "did you mean 'indicators'?"],
    "trend_not_a_mapping.yaml": ["line 5", "trend", "must be a mapping", "'observed'"],
    "trend_without_horizon.yaml": ["line 4", "'trend' belongs to a plan over years", "add horizon"],
    "from_without_horizon.yaml": ["line 8", "interventions[0].from", "'from' belongs to a plan", "add horizon"],
    "observed_without_earlier_year.yaml": ["line 6", "trend.default", "observed needs the data of a year before 2019",
                                           "2019, 2020"],
    "share_above_100_in_2024.yaml": ["2024: interventions[0] (line 6)", "high_tech_revenue_share", "above its maximum 100",
                                     "2025: "],
    "several_plan_errors.yaml": ["3 problems", "horizon 2035", "unicrons", "until 2019"],
}
#: Found only when the plan is applied (the file itself is valid).
RESULT_ERRORS = {"share_above_100_in_2024.yaml"}


def test_every_bad_plan_file_has_expected_words_and_vice_versa():
    assert {p.name for p in BAD_PLANS.glob("*.yaml")} == set(BAD_PLAN_MESSAGES)


def _message(name: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        scenario = load_scenario(BAD_PLANS / name, SHIPPED)
        assert name in RESULT_ERRORS, f"{name} loaded without error"
        run_plan(SHIPPED, scenario)
    return caught.value


@pytest.mark.parametrize("name", sorted(BAD_PLAN_MESSAGES))
def test_bad_plan_file_through_the_python_api(name):
    error = _message(name)
    message = str(error)
    assert str(BAD_PLANS / name) in message
    for word in BAD_PLAN_MESSAGES[name]:
        assert word in message, f"{name}: {word!r} missing from: {message}"
    # Every message is the catalogue's, with a Chinese text.
    chinese = error.render("zh", SHIPPED.name)
    assert chinese != message and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_several_plan_errors_are_reported_together():
    assert len(_message("several_plan_errors.yaml").problems) == 3


@pytest.mark.parametrize("name", sorted(BAD_PLAN_MESSAGES))
def test_bad_plan_file_through_run(name, capsys):
    from sim.cli import main

    status = main(["run", str(BAD_PLANS / name)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("error: ") and name in err and "Traceback" not in err
    # The command line names zones and indicators (not ids): the library's message, rendered with names.
    assert _message(name).render("en", SHIPPED.name) in err


def test_validate_refuses_every_bad_plan_and_accepts_the_library(capsys):
    from sim.cli import main

    bad = sorted(str(p) for p in BAD_PLANS.glob("*.yaml"))
    assert main(["validate", *bad]) == 2
    _, err = capsys.readouterr()
    assert f"0 valid, {len(bad)} invalid" in err
    assert main(["validate", *map(str, LIBRARY_PLANS)]) == 0
    out, _ = capsys.readouterr()
    assert f"{len(LIBRARY_PLANS)} valid, 0 invalid" in out


def test_observed_is_refused_on_a_package_with_one_year():
    one_year = SHIPPED.with_baseline(SHIPPED.baseline[SHIPPED.baseline["year"] == 2020])
    with pytest.raises(ScenarioError) as caught:
        parse("version: 1\nname: p\nyear: 2020\nhorizon: 2022\ntrend:\n  indicators: {unicorns: observed}\n", one_year)
    message = str(caught.value)
    assert "line 6, trend.indicators.unicorns" in message and "the data has only 2020" in message
    # hold and "+N%" need no earlier year
    parse("version: 1\nname: p\nyear: 2020\nhorizon: 2022\ntrend: {default: +5%}\n", one_year)


def test_a_bad_observed_rule_in_the_package_is_named():
    indicators = SHIPPED.indicators.reset_index().assign(observed_trend="")
    indicators.loc[indicators["id"] == "unicorns", "observed_trend"] = "exponential"
    from sim.data import build_package

    package = build_package({"indicators.csv": indicators.astype(str).replace("nan", ""),
                             "groups.csv": SHIPPED.groups.reset_index(), "zones.csv": SHIPPED.zones.reset_index(),
                             "baseline.csv": SHIPPED.baseline.astype(str)},
                            method_data={**SHIPPED.method.to_dict(), "links": [k.to_dict() for k in SHIPPED.links]})
    with pytest.raises(ScenarioError) as caught:
        parse("version: 1\nname: p\nyear: 2020\nhorizon: 2022\ntrend: {default: observed}\n", package)
    assert "indicators.csv, indicator unicorns: observed_trend 'exponential'" in str(caught.value)
    assert "allowed: ratio, points, hold" in str(caught.value)


# ----------------------------------------------------------------------------- the library

#: Year-by-year ranks with each library plan (zones in the package's order: zhongguancun,
#: donghu, zhangjiang, shenzhen, sunan), 2020 (observed) to 2025, from ``zonesim run``.
GOLDEN_RANKS = {
    "plan_sunan_catch_up_2021_2025.yaml": {
        2020: [2, 5, 3, 1, 4], 2021: [2, 5, 3, 1, 4], 2022: [2, 5, 3, 1, 4],
        2023: [2, 5, 3, 1, 4], 2024: [2, 5, 4, 1, 3], 2025: [2, 5, 4, 1, 3]},
    "plan_more_core_zones_2023.yaml": {year: [2, 5, 3, 1, 4] for year in range(2020, 2026)},
    "plan_fund_consortia_rivals_grow.yaml": {
        2020: [2, 5, 3, 1, 4], 2021: [2, 5, 3, 1, 4], 2022: [2, 5, 3, 1, 4],
        2023: [2, 5, 3, 1, 4], 2024: [2, 5, 4, 1, 3], 2025: [2, 5, 4, 1, 3]},
}
#: On the baseline path (without the plan) nobody changes places in any of them.
GOLDEN_OVERTAKES = {
    "plan_sunan_catch_up_2021_2025.yaml": [(2024, "sunan", "zhangjiang")],
    "plan_more_core_zones_2023.yaml": [],
    "plan_fund_consortia_rivals_grow.yaml": [(2024, "sunan", "zhangjiang")],
}


def test_the_library_has_three_plans_for_2021_to_2025():
    assert sorted(p.name for p in LIBRARY_PLANS) == sorted(GOLDEN_RANKS)


@pytest.mark.parametrize("path", LIBRARY_PLANS, ids=lambda p: p.name)
def test_library_plan_golden_ranks_year_by_year(path):
    plan = load_scenario(path, SHIPPED)
    assert (plan.year, plan.plan.horizon) == (2020, 2025)
    assert plan.name_zh and "§5." in plan.description and "assume" in plan.description
    result = run_plan(SHIPPED, plan)
    ranks = result.ranks("plan")[SHIPPED.zone_ids]
    assert {int(y): [int(r) for r in row] for y, row in ranks.iterrows()} == GOLDEN_RANKS[path.name]
    events = [(e.year, e.zone, e.passes) for e in result.overtakes("plan")]
    assert events == GOLDEN_OVERTAKES[path.name]
    assert result.overtakes("baseline") == []
    assert np.isfinite(result.scores("plan").to_numpy()).all()


def test_doctests_of_the_plan_modules():
    import doctest
    import importlib

    for name in ("schema", "trend", "compiled", "run", "report", "goalseek", "robustness", "result", "cli"):
        module = importlib.import_module(f"sim.plan.{name}")
        assert doctest.testmod(module).failed == 0, name
    assert doctest.testmod(importlib.import_module("sim.plan")).failed == 0
