"""Plans through the engine (issue 13): paths computed by hand, invariants, the result.

Hand-computed paths use the 3 x 3 test package ``tests/packages/scenario3x3`` (2019 and
2020; ``rd_spending`` -> ``rd_intensity`` identity link, elasticity 1; ``incidents`` a
cost count; ``rd_intensity`` a share, 0-100), value by value, to 1e-12 relative.

Invariants: hold and no interventions give every year the observed year's scores (bit for
bit); a uniform yearly growth of every value leaves weights and scores unchanged
(min-max and x / max are scale-free) once counts are not rounded (hypothesis); a plan of
one year equals the one-year run of the same file without ``horizon``; an intervention
``from: 2023`` changes nothing before 2023.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.data import build_package, load_package
from sim.engine import run_scenario
from sim.errors import ScenarioError
from sim.plan import compile_plan, run_plan
from sim.plan.trend import observed_change
from sim.scenario import parse_scenario

TESTS_DIR = Path(__file__).resolve().parent
P3 = load_package(TESTS_DIR / "packages" / "scenario3x3")
SHIPPED = load_package()
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
REL = 1e-12


def plan(package, body: str, horizon: int = 2024, year: int = 2020, method: str = ""):
    head = f"version: 1\nname: test\nyear: {year}\nhorizon: {horizon}\n{method}"
    return parse_scenario(head + textwrap.dedent(body), package, source="test.yaml")


def path_of(result, zone, indicator, which="plan"):
    """The value of a cell in each projected year on a path."""
    return [float((r.values if which == "plan" else r.baseline_values).at[zone, indicator]) for r in result.results]


def close(values, expected):
    assert len(values) == len(expected)
    for got, want in zip(values, expected):
        assert math.isclose(got, want, rel_tol=REL, abs_tol=1e-12), (values, expected)


# ----------------------------------------------------------------------------- hand-computed paths


def test_a_one_off_step_persists_from_its_year():
    result = run_plan(P3, plan(P3, "interventions:\n- {zone: alpha, indicator: rd_spending, by: +10%, from: 2022}\n"))
    close(path_of(result, "alpha", "rd_spending"), [100, 110, 110, 110])
    close(path_of(result, "alpha", "rd_spending", "baseline"), [100, 100, 100, 100])
    # the identity link moves R&D intensity by the same 10 %, measured against that year's baseline
    close(path_of(result, "alpha", "rd_intensity"), [2.0, 2.2, 2.2, 2.2])


def test_each_year_compounds_and_until_holds_the_level():
    result = run_plan(P3, plan(P3, """\
        interventions:
        - {zone: alpha, indicator: rd_spending, by: +10%, from: 2022, each_year: true}
        - {zone: beta, indicator: rd_spending, by: +10%, from: 2022, each_year: true, until: 2023}
        """, horizon=2025))
    close(path_of(result, "alpha", "rd_spending"), [100, 110, 121, 133.1, 146.41])
    close(path_of(result, "beta", "rd_spending"), [200, 220, 242, 242, 242])


def test_a_growing_trend_and_a_yearly_push_multiply_and_links_follow_each_year():
    result = run_plan(P3, plan(P3, """\
        trend: {default: +5%}
        interventions:
        - {zone: alpha, indicator: rd_spending, by: +10%, from: 2022, each_year: true}
        """))
    close(path_of(result, "alpha", "rd_spending", "baseline"), [105, 110.25, 115.7625, 121.550625])
    close(path_of(result, "alpha", "rd_spending"), [105, 110.25 * 1.1, 115.7625 * 1.21, 121.550625 * 1.331])
    # intensity: its own trend (+5 % a year), times the plan's factor on R&D spending that year
    close(path_of(result, "alpha", "rd_intensity"), [2.1, 2.205 * 1.1, 2.31525 * 1.21, 2.4310125 * 1.331])


def test_to_sets_a_level_from_its_year_and_by_n_accumulates_each_year():
    result = run_plan(P3, plan(P3, """\
        interventions:
        - {zone: beta, indicator: incidents, to: 3, from: 2023}
        - {zone: gamma, indicator: incidents, by: -1, each_year: true}
        - {zone: alpha, indicator: incidents, by: -2}
        """))
    close(path_of(result, "beta", "incidents"), [6, 6, 3, 3])
    close(path_of(result, "gamma", "incidents"), [3, 2, 1, 0])
    close(path_of(result, "alpha", "incidents"), [8, 8, 8, 8])


def test_observed_compounds_the_ratio_for_amounts_and_counts_and_holds_shares_by_default():
    result = run_plan(P3, plan(P3, "trend: {default: observed}\n"))
    close(path_of(result, "alpha", "rd_spending", "baseline"), [100 * (10 / 9) ** k for k in range(1, 5)])
    close(path_of(result, "gamma", "rd_spending", "baseline"), [400 * (400 / 350) ** k for k in range(1, 5)])
    # counts: the compounded path, rounded each year (half away from zero)
    # alpha 10 * (10/11)^k = 9.09, 8.26, 7.51, 6.83; beta 6 * (6/7)^k = 5.14, 4.41, 3.78, 3.24
    close(path_of(result, "alpha", "incidents", "baseline"), [9, 8, 8, 7])
    close(path_of(result, "beta", "incidents", "baseline"), [5, 4, 4, 3])
    # a share holds unless the file names it
    close(path_of(result, "alpha", "rd_intensity", "baseline"), [2.0] * 4)


def test_observed_named_for_a_share_adds_the_yearly_difference_in_points():
    result = run_plan(P3, plan(P3, "trend:\n  indicators: {rd_intensity: observed}\n"))
    step = 2.0 - 1.8
    close(path_of(result, "alpha", "rd_intensity", "baseline"), [2.0 + step * k for k in range(1, 5)])
    close(path_of(result, "gamma", "rd_intensity", "baseline"), [5.0 + (5.0 - 4.6) * k for k in range(1, 5)])
    close(path_of(result, "alpha", "rd_spending", "baseline"), [100.0] * 4)  # default hold


def test_a_zone_rule_wins_over_the_indicator_rule():
    result = run_plan(P3, plan(P3, """\
        trend:
          indicators: {rd_spending: +10%}
          zones: {gamma: {rd_spending: hold}}
        """, horizon=2022))
    close(path_of(result, "alpha", "rd_spending", "baseline"), [110, 121])
    close(path_of(result, "gamma", "rd_spending", "baseline"), [400, 400])


def test_an_undefined_observed_ratio_holds_the_cell_with_a_note():
    baseline = P3.baseline.copy()
    baseline.loc[(baseline["year"] == 2019) & (baseline["zone"] == "alpha") & (baseline["indicator"] == "incidents"),
                 "value"] = 0.0
    package = P3.with_baseline(baseline)
    result = run_plan(package, plan(package, "trend: {default: observed}\n", horizon=2022))
    close(path_of(result, "alpha", "incidents", "baseline"), [10, 10])
    close(path_of(result, "beta", "incidents", "baseline"), [5, 4])
    assert len(result.notes) == 1
    note = result.notes[0]
    assert "incidents of alpha went from 0 (2019) to 10 (2020)" in note and "holds" in note
    assert "甲区" in note.render("zh", package.name)


def test_a_path_beyond_its_valid_range_is_clamped_with_a_warning_naming_zone_indicator_and_year():
    result = run_plan(P3, plan(P3, "trend:\n  indicators: {rd_intensity: +50%}\n", horizon=2030))
    gamma = path_of(result, "gamma", "rd_intensity", "baseline")
    close(gamma[:7], [5.0 * 1.5 ** k for k in range(1, 8)])
    assert gamma[7:] == [100.0, 100.0, 100.0]  # 5 * 1.5^8 = 128.1 in 2028
    warnings = result.year(2028).warnings
    clamp = [w for w in warnings if "the trend takes" in w]
    assert len(clamp) == 1 and "rd_intensity of gamma" in clamp[0] and "in 2028" in clamp[0] and "100" in clamp[0]
    assert not any("gamma" in w and "the trend takes" in w for w in result.year(2029).warnings)  # said once
    assert any("alpha" in w for w in result.year(2030).warnings if "the trend takes" in w)  # 2 * 1.5^10 = 115.3


def test_from_2023_changes_nothing_before_2023():
    result = run_plan(SHIPPED, plan(SHIPPED, """\
        interventions:
        - {zone: sunan, indicator: [rd_spending, unicorns, vc_investment], by: +50%, from: 2023}
        - {zone: all, indicator: gazelles, by: 100, from: 2023, each_year: true}
        """, horizon=2025))
    for year in (2021, 2022):
        one = result.year(year)
        assert one.values.equals(one.baseline_values) and not one.causes
        assert one.scored.scores.equals(one.baseline.scores) and (one.delta == 0).all()
    assert not result.year(2023).values.equals(result.year(2023).baseline_values)


def test_an_intervention_beyond_a_range_in_a_later_year_names_that_year():
    with pytest.raises(ScenarioError) as caught:
        run_plan(P3, plan(P3, "interventions:\n- {zone: gamma, indicator: incidents, by: -2, each_year: true}\n"))
    message = str(caught.value)
    assert message.startswith("test.yaml: 2 problems") and "2023: interventions[0] (line 6)" in message
    assert "2024: " in message and "2022" not in message


# ----------------------------------------------------------------------------- invariants


@pytest.mark.parametrize("package", [SHIPPED, P3], ids=["shipped", "scenario3x3"])
def test_hold_without_interventions_gives_every_year_the_observed_scores(package):
    result = run_plan(package, plan(package, "trend: {default: hold}\n", horizon=2030))
    observed = result.observed
    for one in result.results:
        assert one.baseline.scores.equals(observed.scored.scores)  # bit for bit
        assert one.scored.scores.equals(observed.scored.scores)
        assert one.scored.weights.equals(observed.scored.weights)
    assert (result.ranks("plan") == result.ranks("plan").iloc[0]).all().all()


def _continuous(package):
    """The package with no counts and no upper bounds, so a common factor is exactly scale-free."""
    indicators = package.indicators.reset_index().assign(integer="false", max="")
    indicators["min"] = ""
    return build_package(
        {"indicators.csv": indicators.astype(str), "groups.csv": package.groups.reset_index(),
         "zones.csv": package.zones.reset_index(), "baseline.csv": package.baseline.astype(str)},
        method_data={**package.method.to_dict(), "links": [link.to_dict() for link in package.links]})


CONTINUOUS = _continuous(SHIPPED)


@PROPERTY
@given(growth=st.floats(-60, 200, allow_nan=False).filter(lambda g: abs(g) > 1e-6),
       horizon=st.integers(2021, 2030),
       method=st.sampled_from(["", "method: {normalization: minmax, score_normalization: minmax}\n",
                               "method: {score_normalization: minmax-shift}\n"]))
def test_a_uniform_yearly_growth_leaves_weights_and_scores_unchanged(growth, horizon, method):
    scenario = plan(CONTINUOUS, f'trend: {{default: "{growth:+.6g}%"}}\n', horizon=horizon, method=method)
    result = run_plan(CONTINUOUS, scenario)
    observed = result.observed.scored
    for one in result.results:
        np.testing.assert_allclose(one.baseline.weights, observed.weights, rtol=0, atol=1e-9)
        np.testing.assert_allclose(one.baseline.scores, observed.scores, rtol=0, atol=1e-9)


def test_with_counts_a_uniform_growth_moves_scores_only_through_rounding():
    """Scale-free: year k scores as the observed table whose counts are round(x 1.05^k) / 1.05^k."""
    result = run_plan(SHIPPED, plan(SHIPPED, 'trend: {default: "+5%"}\n', horizon=2025))
    observed = SHIPPED.table(2020)
    counts = SHIPPED.indicators.index[SHIPPED.indicators["integer"]]
    for k, one in enumerate(result.results, start=1):
        factor = 1.05 ** k
        rounded = observed.copy()
        rounded[counts] = np.sign(observed[counts]) * np.floor(np.abs(observed[counts] * factor) + 0.5) / factor
        expected = SHIPPED.score(2020, result.method, values=rounded)
        np.testing.assert_allclose(one.baseline.scores, expected.scores, rtol=0, atol=1e-9)
        np.testing.assert_allclose(one.baseline.weights, expected.weights, rtol=0, atol=1e-12)
    assert not any("the trend takes" in w for one in result.results for w in one.warnings)  # no share clamped


def test_a_one_year_plan_equals_the_one_year_run_of_the_same_file():
    body = textwrap.dedent("""\
        interventions:
        - {zone: sunan, indicator: rd_spending, by: +100%}
        - {zone: sunan, indicator: unicorns, by: 3}
        - {zone: [sunan, donghu], indicator: overseas_rd_centers, to: 120}
        links:
        - {from: overseas_rd_centers, to: pct_applications, elasticity: 0.4}
        """)
    # the comment keeps the lines where the plan has its horizon
    single = run_scenario(SHIPPED, parse_scenario(f"version: 1\nname: test\nyear: 2020\n# one year\n{body}", SHIPPED))
    one = run_plan(SHIPPED, plan(SHIPPED, body, horizon=2021)).year(2021)
    for attribute in ("values", "baseline_values", "origin", "decomposition"):
        assert getattr(one, attribute).equals(getattr(single, attribute)), attribute
    for table in ("scored", "baseline"):
        assert getattr(one, table).scores.equals(getattr(single, table).scores)
        assert getattr(one, table).weights.equals(getattr(single, table).weights)
    assert one.causes == single.causes
    assert [str(w).replace(" (year 2021)", " (year 2020)") for w in one.warnings] == [str(w) for w in single.warnings]
    expected = single.to_dict()
    got = one.to_dict()
    assert got["zones"] == expected["zones"] and got["changes"] == expected["changes"]


def test_goalposts_and_weights_baseline_are_the_observed_year_s():
    method = "method: {goalposts: baseline, weights: baseline}\n"
    result = run_plan(SHIPPED, plan(SHIPPED, 'trend: {default: "+10%"}\n', horizon=2023, method=method))
    observed = result.observed.scored
    for one in result.results:
        assert one.baseline.weights.equals(observed.weights)
        again = SHIPPED.score(2020, result.method, values=one.baseline_values)  # the 2020 table as reference
        np.testing.assert_array_equal(one.baseline.scores.to_numpy(), again.scores.to_numpy())
    assert any("goalpost" in w for w in result.year(2021).warnings)  # growth passes the 2020 maxima


# ----------------------------------------------------------------------------- the result


def test_the_plan_result_gives_ranks_scores_overtakes_and_json():
    scenario = plan(SHIPPED, """\
        interventions:
        - {zone: sunan, indicator: [rd_spending, vc_investment, unicorns], by: +25%, each_year: true}
        """, horizon=2025)
    result = run_plan(SHIPPED, scenario)
    assert result.years == (2021, 2022, 2023, 2024, 2025) and result.start_year == 2020
    ranks = result.ranks("plan")
    assert list(ranks.index) == [2020, *result.years] and list(ranks.columns) == SHIPPED.zone_ids
    for event in result.overtakes("plan"):
        before, after = ranks.loc[event.year - 1], ranks.loc[event.year]
        assert before[event.zone] > before[event.passes] and after[event.zone] < after[event.passes]
    first = result.first_year_ahead("sunan", "zhangjiang")
    if first is not None:
        assert (ranks.loc[first:, "sunan"] < ranks.loc[first:, "zhangjiang"]).all()
    frame = result.frame()
    assert len(frame) == 2 * 6 * 5 and set(frame["path"]) == {"plan", "baseline"}
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert [y["year"] for y in data["years"]] == list(result.years)
    one_year_keys = set(run_scenario(SHIPPED, parse_scenario("version: 1\nname: x\nyear: 2020\n", SHIPPED))
                        .to_dict()["zones"][0])
    for year in data["years"]:
        assert {"year", "zones", "weights", "warnings"} <= set(year)
        assert set(year["zones"][0]) == one_year_keys
        assert math.isclose(sum(year["weights"].values()), 1.0, abs_tol=1e-12)
    assert {"scenario", "provenance", "observed", "horizon"} <= set(data)


def test_run_scenario_and_one_year_analyses_refuse_a_plan_clearly():
    scenario = plan(SHIPPED, "", horizon=2022)
    with pytest.raises(ScenarioError, match="plan over years"):
        run_scenario(SHIPPED, scenario)
    from sim.analysis.levers import lever_report

    with pytest.raises(ScenarioError, match="plan over years"):
        lever_report(SHIPPED, "sunan", scenario=scenario)


def test_the_compiled_plan_is_one_batch_of_years():
    compiled = compile_plan(SHIPPED, plan(SHIPPED, """\
        trend: {default: "+3%"}
        interventions:
        - {zone: sunan, indicator: rd_spending, by: +10%, from: 2022, each_year: true}
        """, horizon=2025))
    assert compiled.baseline_path.shape == (5, 5, 25) and not compiled.baseline_path.flags.writeable
    out = compiled.evaluate()
    result = run_plan(SHIPPED, compiled.scenario)
    np.testing.assert_array_equal(out["scores"], result.scores("plan").to_numpy()[1:])
    np.testing.assert_array_equal(out["baseline_scores"], result.scores("baseline").to_numpy()[1:])
    # a stack of draws: the same edits on every draw's years
    stacked = compiled.evaluate(np.repeat(compiled.baseline_path[None], 3, axis=0))
    np.testing.assert_array_equal(stacked["scores"][2], out["scores"])


def test_the_observed_change_is_available_per_cell():
    change = observed_change(P3, 2020)
    assert change.previous == 2019
    frame = change.yearly_change()
    assert math.isclose(frame.at["alpha", "rd_spending"], 100 * (100 / 90 - 1), rel_tol=REL)
    assert frame.at["alpha", "rd_intensity"] == 0.0  # a share holds by default
    assert math.isclose(change.yearly_change(named=True).at["alpha", "rd_intensity"], 0.2, rel_tol=1e-9)
    assert observed_change(P3, 2019) is None
    assert isinstance(frame, pd.DataFrame)


def _with_observed_rules(package, rules: dict[str, str]):
    indicators = package.indicators.reset_index()
    indicators["observed_trend"] = [rules.get(i, "") for i in indicators["id"]]
    indicators[["min", "max"]] = indicators[["min", "max"]].astype(str).replace("nan", "")
    return build_package(
        {"indicators.csv": indicators.astype(str), "groups.csv": package.groups.reset_index(),
         "zones.csv": package.zones.reset_index(), "baseline.csv": package.baseline.astype(str)},
        method_data={**package.method.to_dict(), "links": [link.to_dict() for link in package.links]})


def test_the_package_can_say_how_observed_projects_an_indicator():
    package = _with_observed_rules(P3, {"rd_intensity": "points", "rd_spending": "hold", "incidents": "ratio"})
    result = run_plan(package, plan(package, "trend: {default: observed}\n", horizon=2022))
    close(path_of(result, "alpha", "rd_intensity", "baseline"), [2.0 + (2.0 - 1.8), 2.0 + 2 * (2.0 - 1.8)])
    close(path_of(result, "alpha", "rd_spending", "baseline"), [100, 100])  # the package holds it
    close(path_of(result, "alpha", "incidents", "baseline"), [9, 8])
    # a file that names the indicator still moves it, by its natural rule (a ratio for an amount)
    named = run_plan(package, plan(package, "trend: {indicators: {rd_spending: observed}}\n", horizon=2022))
    close(path_of(named, "alpha", "rd_spending", "baseline"), [100 * 10 / 9, 100 * (10 / 9) ** 2])


def test_a_link_from_a_base_of_zero_is_named_in_each_year_it_fires():
    baseline = P3.baseline.copy()
    baseline.loc[(baseline["year"] == 2020) & (baseline["zone"] == "beta") & (baseline["indicator"] == "rd_spending"),
                 "value"] = 0.0
    package = P3.with_baseline(baseline)
    with pytest.raises(ScenarioError) as caught:
        run_plan(package, plan(package, "interventions:\n- {zone: beta, indicator: rd_spending, by: 10, from: 2023}\n"))
    problems = [str(p) for p in caught.value.problems]
    assert [p[:6] for p in problems] == ["2023: ", "2024: "]
    assert all("beta" in p and "rd_intensity" in p for p in problems)
