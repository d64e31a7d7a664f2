"""Scenarios (issue 4): the library, golden numbers, properties, engine semantics, bad files.

- The scenario library in ``scenarios/`` validates, runs and is in canonical form.
- Golden: ``scenarios/baseline.yaml`` reproduces ``score``; a scenario on the 3 x 3 test
  package ``tests/packages/scenario3x3`` matches numbers derived by hand to 1e-12.
- Properties (hypothesis): empty scenarios change nothing, equal percentages for every zone
  change nothing under min-max, the gain decomposition adds up, dump/load is byte-stable.
- Engine semantics: file order, identity and assumption links, range errors, min-max warnings.
- The bad-scenario corpus ``tests/bad_scenarios/``: one file per error, each checked for
  the words its message must contain, through the Python API and the command line.

The shipped baseline may be replaced by a calibrated one, so nothing here hard-codes its
values: expectations on the shipped data are computed from ``package.table(year)``.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from names import as_read

import sim
from sim.data import DataPackage, load_package
from sim.engine import ORIGIN_INTERVENTION, ORIGIN_LINK, apply_scenario, run_scenario
from sim.errors import ScenarioError
from sim.scenario import (
    Scenario,
    baseline_scenario,
    dump_scenario,
    format_percent,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
)

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SCENARIOS_DIR = REPO_ROOT / "scenarios"
BAD_DIR = TESTS_DIR / "bad_scenarios"
P3_DIR = TESTS_DIR / "packages" / "scenario3x3"
TINY_DIR = TESTS_DIR / "packages" / "tiny"

LIBRARY = sorted(SCENARIOS_DIR.glob("*.yaml"))
MINMAX = {"normalization": "minmax", "score_normalization": "minmax"}

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@pytest.fixture(scope="module")
def p3():
    """3 zones (alpha, beta, gamma) x 3 indicators; min-max in both steps; identity link
    rd_spending -> rd_intensity (elasticity 1); incidents is a cost indicator and a count."""
    return load_package(P3_DIR)


# Module-level copies for hypothesis strategies (fixtures cannot feed @given).
SHIPPED = load_package()
P3 = load_package(P3_DIR)
TINY = load_package(TINY_DIR)
PACKAGES = {"shipped": SHIPPED, "scenario3x3": P3, "tiny": TINY}


def make(package, interventions=(), links=None, method=None, year=2020, name="test") -> Scenario:
    """A validated scenario from plain data."""
    document = {"version": 1, "name": name, "year": year, "interventions": list(interventions)}
    if method:
        document["method"] = method
    if links:
        document["links"] = links
    return scenario_from_dict(document, package, source="test")


def parse(package, text: str, source: str = "inline.yaml") -> Scenario:
    return parse_scenario(textwrap.dedent(text), package, source=source)


def minmax_warnings(result) -> list[str]:
    """Warnings about interventions (min-max artefacts), not roundings or constant columns."""
    return [w for w in result.warnings if w.startswith("interventions[")]


# --------------------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------------------


def test_the_library_has_a_baseline_and_at_least_eight_scenarios():
    names = {path.name for path in LIBRARY}
    assert "baseline.yaml" in names
    assert len(names - {"baseline.yaml"}) >= 8, sorted(names)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_library_scenario_is_canonical_valid_and_runs(path, shipped):
    raw = path.read_bytes()
    scenario = load_scenario(path, shipped)
    # Canonical form: the file is exactly what the app or the command line would save.
    assert dump_scenario(scenario).encode("utf-8") == raw
    again = parse_scenario(dump_scenario(scenario), shipped, source=path.name)
    assert dump_scenario(again) == dump_scenario(scenario)
    assert scenario.year in shipped.years
    assert scenario.name.strip() and scenario.name_zh.strip()
    if path.name != "baseline.yaml":
        assert re.search(r"§5\.\d", scenario.description), "the description must cite the paper's subsection"
        assert scenario.interventions
    if scenario.is_plan:
        return  # a plan runs year by year: tests/test_plan_files.py
    result = run_scenario(shipped, scenario)
    assert np.isfinite(result.scored.scores).all()
    assert math.isclose(float(result.scored.weights.sum()), 1.0, abs_tol=1e-12)
    json.dumps(result.to_dict(), allow_nan=False)


def test_artefact_all_zones_pay_rise_changes_nothing_and_says_so(shipped):
    result = run_scenario(shipped, load_scenario(SCENARIOS_DIR / "artefact_all_zones_pay_rise.yaml", shipped))
    assert result.values["avg_salary"].to_numpy() == pytest.approx(
        shipped.table(2020)["avg_salary"].to_numpy() * 1.08, rel=1e-12
    )
    assert np.abs(result.delta.to_numpy()).max() < 1e-9
    assert (result.scored.ranks == result.baseline.ranks).all()
    (warning,) = minmax_warnings(result)
    assert "avg_salary" in warning and "for every zone" in warning and "scores stay as they were" in warning


def test_artefact_sunan_stays_last_warns_exactly_when_sunan_stays_last(shipped):
    scenario = load_scenario(SCENARIOS_DIR / "artefact_sunan_stays_last.yaml", shipped)
    assert scenario.method(shipped).scoring == "minmax"  # the shipped ratio scores hide the artefact
    result = run_scenario(shipped, scenario)
    table = shipped.table(scenario.year)
    for indicator in ("avg_salary", "labor_productivity"):
        new = table[indicator].copy()
        new["sunan"] *= 1.05
        stays_last = table.at["sunan", indicator] == table[indicator].min() and new["sunan"] <= new.drop("sunan").min()
        fired = [w for w in minmax_warnings(result) if "stays last" in w and indicator in w]
        assert bool(fired) == bool(stays_last), (indicator, table[indicator].to_dict(), result.warnings)
        if stays_last:
            # No credit: Sunan's min-max value on the indicator is still 0.
            assert "sunan" in fired[0]
    # Under the shipped method the same change earns credit, and the warning stays silent.
    ratio = run_scenario(shipped, make(shipped, [i.to_dict() for i in scenario.interventions], method={"score_normalization": "ratio"}))
    assert not [w for w in ratio.warnings if "stays last" in w]


def test_artefact_sunan_stays_last_fires_on_a_baseline_where_sunan_is_last_as_in_the_paper(shipped):
    """The paper (§4.2.3) has Sunan last on pay and productivity; make it so, 20% behind, and run."""
    long = shipped.baseline.copy()
    for indicator in ("avg_salary", "labor_productivity"):
        rows = (long["year"] == 2020) & (long["indicator"] == indicator)
        others = long.loc[rows & (long["zone"] != "sunan"), "value"].min()
        long.loc[rows & (long["zone"] == "sunan"), "value"] = round(0.8 * others, 6)
    package = shipped.with_baseline(long)
    result = run_scenario(package, load_scenario(SCENARIOS_DIR / "artefact_sunan_stays_last.yaml", package))
    fired = [w for w in minmax_warnings(result) if "sunan stays last" in w]
    assert len(fired) == 2 and any("avg_salary" in w for w in fired) and any("labor_productivity" in w for w in fired)
    # No credit: Sunan's normalised values stay 0 there (and nothing else of Sunan's moved), so
    # the data part of its change is nil; whatever it gains comes from the weights' shift.
    assert abs(result.decomposition.at["sunan", "data"]) < 1e-9


def test_sunan_rd_doubling_warns_exactly_when_sunan_passes_the_leader(shipped):
    result = run_scenario(shipped, load_scenario(SCENARIOS_DIR / "sunan_rd_doubling.yaml", shipped))
    table = shipped.table(2020)
    old, leader = table.at["sunan", "rd_spending"], table["rd_spending"].drop("sunan").max()
    passes = old < leader and 2 * old > leader
    fired = [w for w in result.warnings if "passes the best value of rd_spending" in w]
    assert bool(fired) == passes
    # The identity link doubles R&D intensity too.
    assert result.values.at["sunan", "rd_intensity"] == pytest.approx(2 * table.at["sunan", "rd_intensity"], rel=1e-12)
    assert result.origin.at["sunan", "rd_intensity"] == ORIGIN_LINK


# --------------------------------------------------------------------------------------
# Golden numbers
# --------------------------------------------------------------------------------------


def test_baseline_scenario_reproduces_score_exactly(shipped):
    scenario = load_scenario(SCENARIOS_DIR / "baseline.yaml", shipped)
    result = run_scenario(shipped, scenario)
    scored = shipped.score(scenario.year)  # what `zonesim score --year 2020` computes
    pd.testing.assert_series_equal(result.scored.scores, scored.scores, check_exact=True)
    pd.testing.assert_series_equal(result.scored.weights, scored.weights, check_exact=True)
    pd.testing.assert_series_equal(result.scored.ranks, scored.ranks, check_exact=True)
    pd.testing.assert_frame_equal(result.scored.group_scores, scored.group_scores, check_exact=True)
    command = run_scenario(shipped, baseline_scenario(shipped, scenario.year))  # the `score` command's path
    assert result.to_dict()["zones"] == command.to_dict()["zones"]
    assert result.to_dict()["weights"] == command.to_dict()["weights"]
    assert (result.delta == 0).all() and (result.decomposition["total"] == 0).all()
    # The data part is scored with the baseline weights passed back in (renormalised): float noise only.
    assert np.abs(result.decomposition.to_numpy()).max() < 1e-12


#: The hand-computed scenario on tests/packages/scenario3x3 (2020 baseline: alpha 100, 2.0, 10;
#: beta 200, 2.4, 6; gamma 400, 5.0, 4 for rd_spending, rd_intensity, incidents).
GOLDEN_TEXT = """\
version: 1
name: hand-computed
year: 2020
interventions:
  - zone: alpha
    indicator: rd_spending
    by: +50%
  - zone: beta
    indicator: incidents
    by: -1.5
  - zone: gamma
    indicator: rd_intensity
    to: 4.5
links:
  - from: rd_intensity
    to: incidents
    elasticity: -0.5
"""
# Derivation (exact fractions; logs evaluated with 40-digit decimals, then rounded to 17 digits):
#
# Applied values, in order:
#   [0] alpha rd_spending 100 * 1.5 = 150                                  (intervention, line 5)
#   [1] beta incidents 6 - 1.5 = 4.5                                       (intervention, line 8)
#   [2] gamma rd_intensity to 4.5                                          (intervention, line 11)
#   identity link rd_spending -> rd_intensity (elasticity 1), first in dependency order:
#       alpha rd_intensity 2.0 * (1 + 1 * (150/100 - 1)) = 3.0             (link)
#   scenario link rd_intensity -> incidents (elasticity -0.5), after it:
#       alpha incidents 10 * (1 - 0.5 * (3.0/2.0 - 1)) = 7.5               (link)
#       gamma incidents 4 * (1 - 0.5 * (4.5/5.0 - 1)) = 4.2                (link)
#       (beta's rd_intensity did not change: no link effect for beta)
#   counts rounded half away from zero: 7.5 -> 8, 4.5 -> 5 (banker's rounding would give 4), 4.2 -> 4
#   table:      rd_spending  rd_intensity  incidents
#     alpha         150          3.0           8
#     beta          200          2.4           5
#     gamma         400          4.5           4
# Min-max (incidents is a cost: (max - x) / (max - min)):
#   rd_spending  (x - 150) / 250 = 0, 1/5, 1
#   rd_intensity (x - 2.4) / 2.1 = 2/7, 0, 1
#   incidents    (8 - x) / 4     = 0, 3/4, 1
# Shares p = x' / sum x':  (0, 1/6, 5/6), (2/9, 0, 7/9), (0, 3/7, 4/7)
# Entropy e = -(1/ln 3) sum p ln p:
#   e_spending  = 0.41011848630651813   d = 0.58988151369348187
#   e_intensity = 0.48215936096968103   d = 0.51784063903031897
#   e_incidents = 0.62160974507975662   d = 0.37839025492024338
# Weights w = d / sum d (sum d = 1.48611240764404421):
#   rd_spending 0.39692927039659784, rd_intensity 0.34845321011164917, incidents 0.25461751949175298
# Scores 100 * sum w x':
#   alpha 100 * w_intensity * 2/7                                  =  9.9558060031899764
#   beta  100 * (w_spending / 5 + w_incidents * 3/4)               = 27.034899369813431
#   gamma 100 * (w_spending + w_intensity + w_incidents)           = 100
# Baseline (same method): x' = (0, 1/3, 1), (0, 2/15, 1), (0, 2/3, 1);
#   weights 0.31577672869547542, 0.43361633507858294, 0.25060693622594165;
#   scores alpha 0, beta 33.014571172626396, gamma 100.
# Gain decomposition (data = scenario x' with baseline weights, minus the baseline score):
#   alpha data 100 * 0.43361633507858294 * 2/7 = 12.389038145102370, weights -2.4332321419123933
#   beta  data 100 * (0.31577672869547542 / 5 + 0.25060693622594165 * 3/4) - 33.014571172626396
#            = -7.9035163817712644, weights 1.9238445789582989
#   gamma data 0, weights 0
GOLDEN_TOLERANCE = 1e-12
GOLDEN = {
    "values": {
        "alpha": {"rd_spending": 150.0, "rd_intensity": 3.0, "incidents": 8.0},
        "beta": {"rd_spending": 200.0, "rd_intensity": 2.4, "incidents": 5.0},
        "gamma": {"rd_spending": 400.0, "rd_intensity": 4.5, "incidents": 4.0},
    },
    "origin": {
        "alpha": {"rd_spending": ORIGIN_INTERVENTION, "rd_intensity": ORIGIN_LINK, "incidents": ORIGIN_LINK},
        "beta": {"rd_spending": "", "rd_intensity": "", "incidents": ORIGIN_INTERVENTION},
        "gamma": {"rd_spending": "", "rd_intensity": ORIGIN_INTERVENTION, "incidents": ORIGIN_LINK},
    },
    "weights": {"rd_spending": 0.39692927039659784, "rd_intensity": 0.34845321011164917, "incidents": 0.25461751949175298},
    "scores": {"alpha": 9.9558060031899764, "beta": 27.034899369813431, "gamma": 100.0},
    "ranks": {"alpha": 3, "beta": 2, "gamma": 1},
    "baseline_weights": {"rd_spending": 0.31577672869547542, "rd_intensity": 0.43361633507858294, "incidents": 0.25060693622594165},
    "baseline_scores": {"alpha": 0.0, "beta": 33.014571172626396, "gamma": 100.0},
    "data_part": {"alpha": 12.389038145102370, "beta": -7.9035163817712644, "gamma": 0.0},
    "groups": {  # input = rd_spending + rd_intensity, output = incidents
        "alpha": {"input": 9.9558060031899764, "output": 0.0},
        "beta": {"input": 7.9385854079319569, "output": 19.096313961881474},
        "gamma": {"input": 74.538248050824702, "output": 25.461751949175298},
    },
}


def test_golden_hand_computed_scenario_on_the_3x3_package(p3):
    scenario = parse_scenario(GOLDEN_TEXT, p3, source="golden.yaml")
    result = run_scenario(p3, scenario)
    for zone, row in GOLDEN["values"].items():
        for indicator, value in row.items():
            assert result.values.at[zone, indicator] == pytest.approx(value, abs=GOLDEN_TOLERANCE), (zone, indicator)
            assert result.origin.at[zone, indicator] == GOLDEN["origin"][zone][indicator], (zone, indicator)
    for indicator, weight in GOLDEN["weights"].items():
        assert result.scored.weights[indicator] == pytest.approx(weight, abs=GOLDEN_TOLERANCE)
        assert result.baseline.weights[indicator] == pytest.approx(GOLDEN["baseline_weights"][indicator], abs=GOLDEN_TOLERANCE)
    for zone in ("alpha", "beta", "gamma"):
        assert result.scored.scores[zone] == pytest.approx(GOLDEN["scores"][zone], abs=GOLDEN_TOLERANCE)
        assert result.baseline.scores[zone] == pytest.approx(GOLDEN["baseline_scores"][zone], abs=GOLDEN_TOLERANCE)
        assert result.scored.ranks[zone] == GOLDEN["ranks"][zone]
        delta = GOLDEN["scores"][zone] - GOLDEN["baseline_scores"][zone]
        assert result.delta[zone] == pytest.approx(delta, abs=GOLDEN_TOLERANCE)
        assert result.decomposition.at[zone, "data"] == pytest.approx(GOLDEN["data_part"][zone], abs=GOLDEN_TOLERANCE)
        assert result.decomposition.at[zone, "weights"] == pytest.approx(
            delta - GOLDEN["data_part"][zone], abs=GOLDEN_TOLERANCE
        )
        for group, value in GOLDEN["groups"][zone].items():
            assert result.scored.group_scores.at[zone, group] == pytest.approx(value, abs=GOLDEN_TOLERANCE)
    # The rounding of counts is reported, half away from zero (4.5 -> 5, not 4).
    rounding = [w for w in result.warnings if "rounded" in w]
    assert len(rounding) == 3
    assert any("beta" in w and "4.5 rounded to 5" in w and "half away from zero" in w for w in rounding)
    assert any("alpha" in w and "7.5 rounded to 8" in w for w in rounding)
    assert any("gamma" in w and "4.2 rounded to 4" in w for w in rounding)
    # Min-max: alpha's R&D rises 50% but stays last, so it earns nothing there; nobody passes a maximum.
    (artefact,) = minmax_warnings(result)
    assert artefact.startswith("interventions[0] (line 5)") and "alpha stays last on rd_spending" in artefact


def test_golden_derivation_is_consistent():
    """The literals above follow from their derivation (guards against a typo in GOLDEN)."""
    columns = {"rd_spending": (0, 1 / 5, 1), "rd_intensity": (2 / 7, 0, 1), "incidents": (0, 3 / 4, 1)}
    divergence = {}
    for indicator, column in columns.items():
        shares = [x / sum(column) for x in column]
        divergence[indicator] = 1 + sum(p * math.log(p) for p in shares if p > 0) / math.log(3)
    total = sum(divergence.values())
    for indicator in columns:
        assert divergence[indicator] / total == pytest.approx(GOLDEN["weights"][indicator], abs=1e-15)
    for position, zone in enumerate(("alpha", "beta", "gamma")):
        score = 100 * sum(GOLDEN["weights"][i] * columns[i][position] for i in columns)
        assert score == pytest.approx(GOLDEN["scores"][zone], abs=1e-13)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


def _normalizations(package: DataPackage) -> list[str]:
    positive = all((package.table(year) > 0).all().all() for year in package.years)
    return ["minmax", "minmax-shift", "ratio"] if positive else ["minmax", "minmax-shift"]


@st.composite
def methods(draw, package, with_published=True):
    """A random method override (a subset of the options)."""
    options = {}
    norms = _normalizations(package)
    # Without ratio (values <= 0 in the data) the package's own default may be unusable: say both.
    explicit = "ratio" not in norms
    if explicit or draw(st.booleans()):
        options["normalization"] = draw(st.sampled_from(norms))
    if explicit or draw(st.booleans()):
        options["score_normalization"] = draw(st.sampled_from(norms))
    if draw(st.booleans()):
        modes = ["recompute", "baseline", "equal"] + (["published"] if package.published_weights is not None and with_published else [])
        options["weights"] = draw(st.sampled_from(modes))
    if draw(st.booleans()):
        options["goalposts"] = draw(st.sampled_from(["scenario", "baseline"]))
    return options


@PROPERTY
@given(data=st.data())
def test_property_an_empty_scenario_changes_nothing(data):
    name = data.draw(st.sampled_from(sorted(PACKAGES)), label="package")
    package = PACKAGES[name]
    year = data.draw(st.sampled_from(package.years), label="year")
    method = data.draw(methods(package), label="method")
    result = run_scenario(package, make(package, [], method=method, year=year))
    pd.testing.assert_frame_equal(result.values, package.table(year), check_exact=True)
    assert (result.origin == "").all().all()
    pd.testing.assert_series_equal(result.scored.scores, result.baseline.scores, check_exact=True)
    pd.testing.assert_series_equal(result.scored.weights, result.baseline.weights, check_exact=True)
    assert (result.delta == 0).all() and (result.rank_change == 0).all()
    assert (result.decomposition.to_numpy() == 0).all()  # exactly: the same arithmetic both ways
    assert minmax_warnings(result) == []


def _plain_indicators(package) -> list[str]:
    """Non-count indicators that feed no link: a common factor reaches nothing else."""
    sources = {link.source for link in package.links}
    return [i for i in package.indicator_ids if not package.indicators.at[i, "integer"] and i not in sources]


def _within_range(package, indicator, values) -> bool:
    low, high = package.indicators.at[indicator, "min"], package.indicators.at[indicator, "max"]
    return bool((np.isnan(low) or (values >= low).all()) and (np.isnan(high) or (values <= high).all()))


@PROPERTY
@given(data=st.data())
def test_property_the_same_percentage_for_every_zone_changes_nothing_under_minmax(data):
    name = data.draw(st.sampled_from(sorted(PACKAGES)), label="package")
    package = PACKAGES[name]
    year = data.draw(st.sampled_from(package.years), label="year")
    indicator = data.draw(st.sampled_from(_plain_indicators(package)), label="indicator")
    percent = data.draw(st.floats(-90, 400, allow_nan=False), label="percent")
    factor = 1 + percent / 100
    assume(_within_range(package, indicator, package.table(year)[indicator] * factor))
    method = {
        "normalization": data.draw(st.sampled_from(["minmax", "minmax-shift"])),
        "score_normalization": data.draw(st.sampled_from(["minmax", "minmax-shift"])),
        "weights": data.draw(st.sampled_from(["recompute", "baseline", "equal"])),
    }
    by = format_percent(percent)
    result = run_scenario(package, make(package, [{"zone": "all", "indicator": indicator, "by": by}], method=method, year=year))
    assert np.abs(result.delta.to_numpy()).max() < 1e-9
    assert np.abs(result.weight_drift["change"].to_numpy()).max() < 1e-12
    (warning,) = minmax_warnings(result)
    assert indicator in warning and "for every zone" in warning and "unchanged" in warning
    assert "all weights and scores stay as they were" in warning


@PROPERTY
@given(data=st.data())
def test_property_gain_decomposition_adds_up_and_is_what_it_says(data):
    name = data.draw(st.sampled_from(["shipped", "scenario3x3"]), label="package")
    package = PACKAGES[name]
    year = data.draw(st.sampled_from(package.years))
    normalization = data.draw(st.sampled_from(_normalizations(package)))
    scoring = data.draw(st.sampled_from(_normalizations(package)))
    method = {"normalization": normalization, "score_normalization": scoring, "goalposts": "scenario"}
    plain = _plain_indicators(package)
    interventions = []
    for _ in range(data.draw(st.integers(1, 4))):
        zone = data.draw(st.sampled_from(package.zone_ids))
        indicator = data.draw(st.sampled_from(plain))
        percent = data.draw(st.floats(-80, 300, allow_nan=False))
        interventions.append({"zone": zone, "indicator": indicator, "by": format_percent(percent)})
    try:
        result = run_scenario(package, make(package, interventions, method=method, year=year))
    except ScenarioError as exc:
        assume("maximum" not in str(exc) and "minimum" not in str(exc))
        raise
    parts = result.decomposition
    assert np.allclose(parts["data"] + parts["weights"], parts["total"], rtol=0, atol=1e-12)
    assert np.allclose(parts["total"], result.delta, rtol=0, atol=1e-12)
    # Independently: data = scenario's normalised values with the baseline weights; weights = the rest.
    normalised = _normalise(result.values, package, scoring)
    data_part = 100 * normalised @ result.baseline.weights - result.baseline.scores
    weight_part = 100 * normalised @ (result.scored.weights - result.baseline.weights)
    assert np.allclose(parts["data"], data_part, rtol=0, atol=1e-9)
    assert np.allclose(parts["weights"], weight_part, rtol=0, atol=1e-9)


def _normalise(values: pd.DataFrame, package, how: str) -> pd.DataFrame:
    """DESIGN section 2, written out again for the test (scenario goalposts)."""
    out = {}
    for indicator in values.columns:
        x = values[indicator].astype(float)
        benefit = package.indicators.at[indicator, "direction"] == "benefit"
        if how == "ratio":
            out[indicator] = x / x.max() if benefit else x.min() / x
            continue
        span = x.max() - x.min()
        unit = (x - x.min()) / span if benefit else (x.max() - x) / span
        if span == 0:
            unit = x * 0.0
        out[indicator] = 0.99 * unit + 0.01 if how == "minmax-shift" else unit
    return pd.DataFrame(out)[list(values.columns)]


# --- generated scenario documents -----------------------------------------------------

_SPECIAL_TEXT = [
    "a: b", "key: value # not a comment", "# comment?", "'single'", '"double"', "it's", "line\nbreak",
    "two\n\nparagraphs\n", "trailing newline\n", " leading space", "trailing space ", "tab\there", "- dash",
    "? question", "yes", "no", "null", "~", "2020", "1e5", "0x1F", "+10%", "苏南研发投入倍增", "中关村：第一", "「引号」",
    "{a: 1}", "[x, y]", "&anchor", "*alias", "!tag", "%percent", "@at", "`back`", "|", ">", "\\",
    "ls\u2028here", "ps\u2029here", "\ufeffbom", "emoji 🚀", "…", "   ", "-", "---", "...", "=1+2", "=cmd|' /C calc'!A0",
]
# Control characters (other than tab and newline) and lone surrogates are refused (issue 15):
# valid texts have none.
_TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n")
_texts = st.one_of(
    st.sampled_from(_SPECIAL_TEXT),
    st.text(_TEXT_CHARACTERS, max_size=30),
    st.lists(st.one_of(st.sampled_from(_SPECIAL_TEXT), st.text(_TEXT_CHARACTERS, max_size=4)), max_size=4).map("".join),
)
_names = _texts.filter(lambda t: bool(t.strip()))
_numbers = st.one_of(
    st.integers(-10**9, 10**9),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.floats(-1e-3, 1e-3, allow_nan=False, allow_infinity=False),
)


@st.composite
def _percent_texts(draw):
    value = draw(st.one_of(st.floats(-100, 1e6, allow_nan=False), st.integers(-100, 1000)))
    if draw(st.booleans()):
        return format_percent(value)
    sign = "+" if value >= 0 and draw(st.booleans()) else ""
    space = draw(st.sampled_from(["", " "]))
    return f"{sign}{value}{space}%"


@st.composite
def scenario_documents(draw, package):
    """Plain scenario documents, valid against ``package``, as an app or a user might write them."""
    ids = package.indicator_ids
    document = {"version": 1, "name": draw(_names)}
    if draw(st.booleans()):
        document["name_zh"] = draw(_texts)
    if draw(st.booleans()):
        document["description"] = draw(_texts)
    document["year"] = draw(st.sampled_from(package.years))
    method = draw(methods(package))
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
        weights = {i: draw(st.one_of(st.integers(0, 5), st.floats(0, 10))) for i in chosen}
        weights[chosen[0]] = draw(st.one_of(st.integers(1, 5), st.floats(0.01, 10)))
        method["weights"] = weights
    if method:
        document["method"] = method
    interventions = []
    for _ in range(draw(st.integers(0, 4))):
        zone = draw(
            st.one_of(
                st.just("all"),
                st.sampled_from(package.zone_ids),
                st.lists(st.sampled_from(package.zone_ids), min_size=1, unique=True),
            )
        )
        indicator = draw(st.one_of(st.sampled_from(ids), st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)))
        item = {"zone": zone, "indicator": indicator}
        kind = draw(st.sampled_from(["by_number", "by_percent", "to"]))
        if kind == "by_number":
            item["by"] = draw(_numbers)
        elif kind == "by_percent":
            item["by"] = draw(_percent_texts())
        else:
            item["to"] = draw(_numbers)
        if draw(st.booleans()):
            item["note"] = draw(_texts)
        interventions.append(item)
    document["interventions"] = interventions
    # Links only forward in the indicator order, never repeating an identity link: acyclic.
    declared = {(link.source, link.target) for link in package.links}
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if (a, b) not in declared]
    chosen_pairs = draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True))
    if chosen_pairs:
        links = []
        for source, target in chosen_pairs:
            link = {"from": source, "to": target}
            link[draw(st.sampled_from(["elasticity", "additive"]))] = draw(
                st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.integers(-5, 5))
            )
            if draw(st.booleans()):
                link["note"] = draw(_texts)
            links.append(link)
        document["links"] = links
    return document


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_property_dump_load_round_trip_is_byte_identical(data):
    package = PACKAGES[data.draw(st.sampled_from(["shipped", "scenario3x3"]), label="package")]
    document = data.draw(scenario_documents(package), label="document")
    scenario = scenario_from_dict(document, package, source="generated")
    text = dump_scenario(scenario)
    loaded = parse_scenario(text.encode("utf-8"), package, source="generated")
    assert loaded.to_dict() == scenario.to_dict()
    assert dump_scenario(loaded) == text
    # load -> dump -> load -> dump
    assert dump_scenario(parse_scenario(dump_scenario(loaded), package, source="generated")) == text
    # Text survives exactly, whatever characters it holds.
    assert loaded.name == document["name"]
    assert loaded.description == document.get("description", "")


def test_round_trip_keeps_special_text_and_numbers(p3):
    document = {
        "version": 1,
        "name": "Sunan: R&D # push 'quoted' \"double\"",
        "name_zh": "苏南：研发投入倍增",
        "description": "First line.\nSecond line: with a colon # and a hash.\n",
        "year": 2020,
        "interventions": [
            {"zone": "alpha", "indicator": "rd_spending", "by": "+12.5%"},
            {"zone": ["beta", "gamma"], "indicator": ["rd_spending", "incidents"], "by": 3},
            {"zone": "all", "indicator": "rd_intensity", "to": 2.75, "note": "yes"},
            {"zone": "alpha", "indicator": "rd_spending", "by": 1e-7},
            {"zone": "beta", "indicator": "rd_spending", "to": 1e3},
        ],
    }
    scenario = scenario_from_dict(document, p3)
    text = dump_scenario(scenario)
    assert "description: |\n  First line.\n  Second line: with a colon # and a hash.\n" in text
    assert "by: +12.5%" in text and "by: 3\n" in text and "to: 2.75" in text and "to: 1000\n" in text
    again = parse_scenario(text, p3)
    assert again.interventions[1].amount == 3 and again.interventions[4].to == 1000.0
    assert dump_scenario(again) == text


# --------------------------------------------------------------------------------------
# Engine semantics
# --------------------------------------------------------------------------------------


def test_interventions_apply_in_file_order(p3):
    to_then_by = make(p3, [
        {"zone": "alpha", "indicator": "rd_spending", "to": 150},
        {"zone": "alpha", "indicator": "rd_spending", "by": "+10%"},
    ])
    by_then_to = make(p3, [
        {"zone": "alpha", "indicator": "rd_spending", "by": "+10%"},
        {"zone": "alpha", "indicator": "rd_spending", "to": 150},
    ])
    first, second = apply_scenario(p3, to_then_by).values, apply_scenario(p3, by_then_to).values
    assert first.at["alpha", "rd_spending"] == pytest.approx(165.0, abs=1e-12)
    assert second.at["alpha", "rd_spending"] == 150.0
    # The identity link follows the final value: 2.0 * 165 / 100 and 2.0 * 150 / 100.
    assert first.at["alpha", "rd_intensity"] == pytest.approx(3.3, abs=1e-12)
    assert second.at["alpha", "rd_intensity"] == pytest.approx(3.0, abs=1e-12)
    # Absolute changes add up in order too: +3 then x2 is not x2 then +3.
    a = apply_scenario(p3, make(p3, [{"zone": "beta", "indicator": "rd_spending", "by": 3}, {"zone": "beta", "indicator": "rd_spending", "by": "+100%"}]))
    b = apply_scenario(p3, make(p3, [{"zone": "beta", "indicator": "rd_spending", "by": "+100%"}, {"zone": "beta", "indicator": "rd_spending", "by": 3}]))
    assert (a.values.at["beta", "rd_spending"], b.values.at["beta", "rd_spending"]) == (406.0, 403.0)


def test_identity_links_of_the_shipped_package_propagate(shipped):
    table = shipped.table(2020)
    scenario = make(shipped, [
        {"zone": "sunan", "indicator": "rd_spending", "by": "+20%"},
        {"zone": "donghu", "indicator": "high_tech_firms", "by": 7},
    ])
    result = run_scenario(shipped, scenario)
    assert result.values.at["sunan", "rd_intensity"] == pytest.approx(table.at["sunan", "rd_intensity"] * 1.2, rel=1e-12)
    assert result.values.at["donghu", "high_tech_firms_added"] == table.at["donghu", "high_tech_firms_added"] + 7
    assert result.origin.at["sunan", "rd_spending"] == ORIGIN_INTERVENTION
    assert result.origin.at["sunan", "rd_intensity"] == ORIGIN_LINK
    assert result.origin.at["donghu", "high_tech_firms"] == ORIGIN_INTERVENTION
    assert result.origin.at["donghu", "high_tech_firms_added"] == ORIGIN_LINK
    # Nothing else moved.
    changed = result.values.ne(table)
    assert set(zip(*np.nonzero(changed.to_numpy()))) == {
        (table.index.get_loc(z), table.columns.get_loc(i))
        for z, i in [("sunan", "rd_spending"), ("sunan", "rd_intensity"), ("donghu", "high_tech_firms"), ("donghu", "high_tech_firms_added")]
    }
    assert (result.origin != "").sum().sum() == 4
    changes = {(c["zone"], c["indicator"]): c["origin"] for c in result.to_dict()["changes"]}
    assert changes[("sunan", "rd_intensity")] == "link" and changes[("sunan", "rd_spending")] == "intervention"


def test_a_scenario_link_after_an_identity_link_applies_once(shipped):
    table = shipped.table(2020)
    links = [{"from": "rd_intensity", "to": "labor_productivity", "elasticity": 0.5}]
    result = run_scenario(shipped, make(shipped, [{"zone": "sunan", "indicator": "rd_spending", "by": "+20%"}], links=links))
    # rd_spending +20% -> rd_intensity +20% (identity) -> labor_productivity +0.5 * 20% = +10%, once.
    assert result.values.at["sunan", "labor_productivity"] == pytest.approx(table.at["sunan", "labor_productivity"] * 1.1, rel=1e-12)
    assert result.origin.at["sunan", "labor_productivity"] == ORIGIN_LINK
    # Two paths into one indicator: each link applies once (1.1 * 1.1), in dependency order.
    diamond = links + [{"from": "rd_spending", "to": "labor_productivity", "elasticity": 0.5}]
    both = run_scenario(shipped, make(shipped, [{"zone": "sunan", "indicator": "rd_spending", "by": "+20%"}], links=diamond))
    assert both.values.at["sunan", "labor_productivity"] == pytest.approx(table.at["sunan", "labor_productivity"] * 1.21, rel=1e-12)
    # Zones whose source did not move are untouched.
    assert (both.values.drop("sunan")["labor_productivity"] == table.drop("sunan")["labor_productivity"]).all()


def test_links_are_listed_in_the_file_order_but_applied_in_dependency_order(p3):
    # incidents follows rd_intensity, which follows rd_spending: the scenario link is written
    # first but must see the identity link's effect.
    scenario = make(p3, [{"zone": "alpha", "indicator": "rd_spending", "by": "+100%"}],
                    links=[{"from": "rd_intensity", "to": "incidents", "elasticity": -0.25}])
    values = apply_scenario(p3, scenario).values
    assert values.at["alpha", "rd_intensity"] == pytest.approx(4.0, abs=1e-12)
    assert values.at["alpha", "incidents"] == 8.0  # 10 * (1 - 0.25 * 1) = 7.5 -> 8 (half away from zero)


def test_results_outside_the_valid_range_are_errors_naming_the_line(p3):
    text = """\
    version: 1
    name: too far
    year: 2020
    interventions:
      - zone: gamma
        indicator: rd_spending
        by: +1%
      - zone: beta
        indicator: incidents
        by: -20
    """
    with pytest.raises(ScenarioError) as caught:
        run_scenario(p3, parse(p3, text, source="too_far.yaml"))
    message = str(caught.value)
    for word in ("too_far.yaml", "interventions[1] (line 8)", "incidents", "beta", "-14", "below its minimum 0"):
        assert word in message, (word, message)
    assert "interventions[0]" not in message
    # A result moved out of range by a link names the link and the intervention behind it.
    share = """\
    version: 1
    name: share above 100
    year: 2020
    interventions:
      - zone: alpha
        indicator: rd_spending
        by: +5000%
    """
    with pytest.raises(ScenarioError) as caught:
        apply_scenario(p3, parse(p3, share, source="share.yaml"))
    message = str(caught.value)
    for word in ("share.yaml", "link rd_spending -> rd_intensity", "interventions[0] (line 5)", "alpha", "rd_intensity = 102", "above its maximum 100"):
        assert word in message, (word, message)


# --- min-max warnings ------------------------------------------------------------------


def _warnings(package, interventions, method=None):
    return minmax_warnings(run_scenario(package, make(package, interventions, method=method)))


def test_warning_stays_last_fires_and_only_when_it_should(p3):
    (fired,) = _warnings(p3, [{"zone": "alpha", "indicator": "rd_spending", "by": "+10%"}])
    assert "alpha stays last on rd_spending" in fired and "no credit" in fired
    # A cost indicator: the worst is the largest value (alpha has 10 incidents; 9 is still the most).
    (fired,) = _warnings(p3, [{"zone": "alpha", "indicator": "incidents", "by": -1}])
    assert "alpha stays last on incidents" in fired
    # Leaving last place, or scores on x / max (which give credit), or a zone not last: silent.
    assert not [w for w in _warnings(p3, [{"zone": "alpha", "indicator": "rd_spending", "by": "+150%"}]) if "stays last" in w]
    assert _warnings(p3, [{"zone": "alpha", "indicator": "rd_spending", "by": "+10%"}], method={"score_normalization": "ratio"}) == []
    assert _warnings(p3, [{"zone": "beta", "indicator": "rd_spending", "by": "+10%"}]) == []


def test_warning_all_zones_fires_and_only_when_it_should(p3):
    (fired,) = _warnings(p3, [{"zone": "all", "indicator": "rd_intensity", "by": "+10%"}])
    assert "for every zone" in fired and "all weights and scores stay as they were" in fired
    # A common shift cancels under min-max ...
    (fired,) = _warnings(p3, [{"zone": "all", "indicator": "rd_intensity", "by": 0.5}])
    assert "by 0.5 for every zone" in fired
    # ... but not under x / max, where it changes scores: no warning then.
    assert _warnings(p3, [{"zone": "all", "indicator": "rd_intensity", "by": 0.5}], method={"score_normalization": "ratio"}) == []
    # Not every zone, or a `to` (which levels the column), is not the artefact.
    assert _warnings(p3, [{"zone": ["beta", "gamma"], "indicator": "rd_intensity", "by": "+10%"}]) == []
    assert not [w for w in _warnings(p3, [{"zone": "all", "indicator": "rd_intensity", "to": 3}]) if "every zone" in w]
    # A count rounded after the change: scores may move, and the warning does not claim otherwise.
    result = run_scenario(p3, make(p3, [{"zone": "all", "indicator": "incidents", "by": "+15%"}]))
    (fired,) = minmax_warnings(result)
    assert "rounding" in fired and "stay as they were" not in fired
    # A source of a link: its targets can still move.
    (fired,) = _warnings(p3, [{"zone": "all", "indicator": "rd_spending", "by": 20}])
    assert "links to rd_intensity" in fired and "stay as they were" not in fired


def test_warning_passes_the_maximum_fires_and_only_when_it_should(p3):
    (fired,) = _warnings(p3, [{"zone": "beta", "indicator": "rd_spending", "to": 500}])
    assert "beta passes the best value of rd_spending" in fired and "lowers every other zone" in fired
    # Cost indicator: the best is the smallest (gamma's 4 incidents).
    (fired,) = _warnings(p3, [{"zone": "beta", "indicator": "incidents", "to": 3}])
    assert "beta passes the best value of incidents" in fired
    assert _warnings(p3, [{"zone": "beta", "indicator": "rd_spending", "to": 390}]) == []
    assert _warnings(p3, [{"zone": "gamma", "indicator": "rd_spending", "by": "+10%"}]) == []  # already the best
    # Fixed goalposts: nobody else's normalised value falls (the clamp is reported instead).
    assert not [w for w in _warnings(p3, [{"zone": "beta", "indicator": "rd_spending", "to": 500}], method={"goalposts": "baseline"}) if "passes" in w]


def test_run_json_has_the_design_section_5_keys(shipped):
    result = run_scenario(shipped, load_scenario(SCENARIOS_DIR / "sunan_catch_up.yaml", shipped))
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert {"scenario", "year", "method", "weights", "zones", "warnings", "provenance"} <= set(data)
    assert data["scenario"] == "Sunan catch-up package" and data["year"] == 2020
    assert set(data["method"]) == {"normalization", "score_normalization", "weights", "goalposts"}
    assert set(data["weights"]) == set(shipped.indicator_ids)
    assert math.isclose(sum(data["weights"].values()), 1.0, abs_tol=1e-12)
    assert [z["zone"] for z in data["zones"]] == list(result.ranking().index)
    assert sorted(z["zone"] for z in data["zones"]) == sorted(shipped.zone_ids)
    for zone in data["zones"]:
        assert {"zone", "score", "rank", "baseline_score", "baseline_rank", "delta", "groups"} <= set(zone)
        assert set(zone["groups"]) == set(shipped.groups.index)
        assert math.isclose(sum(zone["groups"].values()), zone["score"], abs_tol=1e-9)
        assert math.isclose(zone["score"] - zone["baseline_score"], zone["delta"], abs_tol=1e-12)
        assert zone["score"] == float(result.scored.scores[zone["zone"]])  # full precision
    assert data["zones"][0]["rank"] == 1
    assert isinstance(data["warnings"], list)
    assert re.fullmatch(r"[0-9a-f]{64}", data["provenance"]["data"])
    assert data["provenance"]["version"] == sim.__version__


# --------------------------------------------------------------------------------------
# The bad-scenario corpus
# --------------------------------------------------------------------------------------

#: file -> words its message must contain: the file, the line where there is one, the
#: field, the bad value and what is allowed.
BAD_SCENARIO_MESSAGES: dict[str, list[str]] = {
    "unknown_top_level_key.yaml": ["line 4", "interventons", "unknown key", "did you mean 'interventions'?"],
    "unknown_intervention_key.yaml": ["line 8", "interventions[0].notes", "unknown key 'notes'", "did you mean 'note'?"],
    "unknown_zone.yaml": ["line 5", "interventions[0].zone", "unknown zone 'suzhou'", "allowed: zhongguancun, donghu, zhangjiang, shenzhen, sunan, all"],
    "misspelt_indicator.yaml": ["line 6", "interventions[0].indicator", "'rd_spendng'", "did you mean 'rd_spending'?"],
    "both_by_and_to.yaml": ["line 5", "interventions[0]", "exactly one of 'by' or 'to'", "got both"],
    "neither_by_nor_to.yaml": ["line 5", "interventions[0]", "exactly one of 'by' or 'to'", "got neither"],
    "bad_percent.yaml": ["line 7", "interventions[0].by", "'+abc%'", "not a relative change", "'+10%'"],
    "percent_below_minus_100.yaml": ["line 7", "interventions[0].by", "'-150%'", "out of range", "-100% to"],
    "year_not_in_data.yaml": ["line 3", "year", "2035", "not in the data", "2019, 2020"],
    "year_as_text.yaml": ["line 3", "year", "'2020'", "whole number", "2019, 2020"],
    "negative_count_result.yaml": ["line 5", "interventions[0]", "{unicorns}", "by -1000000", "{sunan}", "below its minimum 0"],
    "share_above_100_result.yaml": ["line 5", "interventions[0]", "{rd_staff_share}", "120.5", "{sunan}", "above its maximum 100"],
    "link_cycle.yaml": ["line 8", "links", "form a cycle", "{rd_spending} -> {rd_intensity} -> {rd_spending}", "acyclic"],
    "link_unknown_indicator.yaml": ["line 10", "links[0].to", "unknown indicator 'pct_aplications'", "did you mean 'pct_applications'?"],
    "link_duplicates_identity.yaml": ["line 9", "links[0]", "{rd_spending} -> {rd_intensity}", "identity link", "remove this link"],
    "duplicate_key.yaml": ["line 4", "duplicate key 'name'", "first given on line 2"],
    "yaml_alias.yaml": ["line 5", "anchors and aliases", "not allowed"],
    "python_tag.yaml": ["line 2", "python/object/apply:os.system", "not allowed", "only plain values"],
    "tab_indentation.yaml": ["line 5", "column 1", "a tab", "indented with spaces"],
    "empty.yaml": ["the file is empty", "version, name and year"],
    "not_a_mapping.yaml": ["must be a mapping", "not list"],
    "missing_version.yaml": ["line 1", "'version' is missing", "version: 1"],
    "wrong_version.yaml": ["line 1", "version", "version 2", "not supported", "allowed: 1"],
    "missing_name.yaml": ["line 1", "'name'", "non-empty text", "got nothing"],
    "non_finite_number.yaml": ["line 7", "interventions[0].by", "inf is out of range", "finite number"],
    "huge_number.yaml": ["line 7", "interventions[0].to", "1e+308", "out of range", "finite number within +-1e+12"],
    "bad_method_option.yaml": ["line 5", "method.normalization", "'zscore'", "allowed: minmax, minmax-shift, ratio"],
    "unknown_weights_indicator.yaml": ["line 7", "method.weights.unicrons", "unknown indicator 'unicrons'", "did you mean 'unicorns'?"],
    "deep_nesting.yaml": ["line 4", "nested more than 50 levels deep", "not read"],
    "huge_integer.yaml": ["line 7", "interventions[0].by", "5,000 digits", "at most 100"],
    "control_character.yaml": ["line 2", "name", "control character U+001B (ESC)", "remove it"],
    "all_in_zone_list.yaml": ["line 5", "interventions[0].zone[0]", "'all' cannot be part of a list", "zone: all"],
    "too_many_zones.yaml": ["line 5", "interventions[0].zone", "6 entries", "only 5 zones", "listed twice"],
    "several_errors.yaml": ["4 problems", "unknown key 'colour'", "year 2035", "unknown zone 'suzhou'", "'+ten%'", "line 4", "line 3", "line 6", "line 11"],
}
#: Errors found only when the scenario is applied to the data (results out of range).
RESULT_ERRORS = {"negative_count_result.yaml", "share_above_100_result.yaml"}
BAD_FILES = sorted(BAD_SCENARIO_MESSAGES)


def test_every_bad_scenario_file_has_expected_words_and_vice_versa():
    on_disk = {path.name for path in BAD_DIR.glob("*.yaml")}
    assert on_disk == set(BAD_SCENARIO_MESSAGES)


def _bad_message(name: str, package) -> str:
    path = BAD_DIR / name
    with pytest.raises(ScenarioError) as caught:
        scenario = load_scenario(path, package)
        assert name in RESULT_ERRORS, f"{name} loaded without error"
        run_scenario(package, scenario)
    return str(caught.value)


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_scenario_through_the_python_api(name, shipped):
    message = _bad_message(name, shipped)
    assert str(BAD_DIR / name) in message  # the file
    for word in as_read(BAD_SCENARIO_MESSAGES[name]):
        assert word in message, f"{name}: {word!r} missing from: {message}"
    assert "Traceback" not in message


def test_several_errors_are_reported_together(shipped):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD_DIR / "several_errors.yaml", shipped)
    assert len(caught.value.problems) == 4


def test_an_object_constructing_tag_is_refused_before_anything_runs(shipped, tmp_path):
    marker = tmp_path / "pwned"
    text = f'version: 1\nname: !!python/object/apply:os.system ["touch {marker}"]\nyear: 2020\n'
    with pytest.raises(ScenarioError, match="not allowed"):
        parse_scenario(text, shipped, source="tag.yaml")
    assert not marker.exists()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_scenario_through_run_in_process(name, capsys, shipped):
    """`zonesim run FILE` for every file, in this process (the same code path, without the
    start-up cost); the subprocess tests below cover a sample and the whole corpus at once."""
    from sim.cli import main

    status = main(["run", str(BAD_DIR / name)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("error: ") and name in err and "Traceback" not in err
    for word in as_read(BAD_SCENARIO_MESSAGES[name], shipped):
        assert word in err, f"{name}: {word!r} missing from: {err}"


#: A sample run as real subprocesses: YAML-level, document-level, field-level and result-level errors.
SUBPROCESS_SAMPLE = [
    "python_tag.yaml", "tab_indentation.yaml", "empty.yaml", "not_a_mapping.yaml",
    "misspelt_indicator.yaml", "negative_count_result.yaml", "several_errors.yaml",
    "deep_nesting.yaml", "huge_integer.yaml", "control_character.yaml",
]


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_bad_scenario_through_run_on_the_command_line(name, shipped):
    path = BAD_DIR / name
    done = _cli("run", str(path))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert name in done.stderr
    for word in as_read(BAD_SCENARIO_MESSAGES[name], shipped):
        assert word in done.stderr, f"{name}: {word!r} missing from: {done.stderr}"


def test_bad_scenarios_through_validate_on_the_command_line(shipped):
    """One `validate` over the whole corpus: each file's message is in its own block."""
    paths = [str(BAD_DIR / name) for name in BAD_FILES]
    done = _cli("validate", *paths)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert f"0 valid, {len(BAD_FILES)} invalid" in done.stderr
    blocks = re.split(r"^invalid  ", done.stderr, flags=re.MULTILINE)[1:]
    assert len(blocks) == len(BAD_FILES)
    for name, block in zip(BAD_FILES, blocks):
        assert block.startswith(str(BAD_DIR / name)), block
        for word in as_read(BAD_SCENARIO_MESSAGES[name], shipped):
            assert word in block, f"{name}: {word!r} missing from: {block}"


def test_validate_one_bad_file_exits_2_and_one_good_file_exits_0():
    bad = _cli("validate", str(BAD_DIR / "misspelt_indicator.yaml"))
    assert bad.returncode == 2 and "did you mean 'rd_spending'?" in bad.stderr and "Traceback" not in bad.stderr
    good = _cli("validate", str(SCENARIOS_DIR / "baseline.yaml"))
    assert good.returncode == 0, good.stderr


# ----------------------------------------------------------------------------- issue 11


def test_a_scenario_may_name_zones_by_name_and_is_written_with_ids(shipped):
    text = textwrap.dedent("""\
        version: 1
        name: names
        year: 2020
        interventions:
          - {zone: 江苏苏南, indicator: unicorns, by: 1}
          - {zone: [Sunan, DONGHU, 上海张江], indicator: rd_spending, by: +5%}
          - {zone: Southern Jiangsu, indicator: gazelles, to: 500}
        """)
    scenario = parse_scenario(text, shipped)
    assert [i.zones for i in scenario.interventions] == [("sunan",), ("sunan", "donghu", "zhangjiang"), ("sunan",)]
    dumped = dump_scenario(scenario)
    assert "zone: sunan" in dumped and "江苏苏南" not in dumped and "Sunan" not in dumped
    assert parse_scenario(dumped, shipped).to_dict() == scenario.to_dict()


def test_a_zone_named_twice_by_two_names_is_listed_twice(shipped):
    text = "version: 1\nname: twice\nyear: 2020\ninterventions:\n  - {zone: [sunan, 苏南], indicator: unicorns, by: 1}\n"
    with pytest.raises(ScenarioError, match=r"line 5, interventions\[0\]\.zone\[1\]: '苏南' is listed twice"):
        parse_scenario(text, shipped)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_saved_file_carries_the_provenance_line_and_saves_again_to_the_same_bytes(shipped, tmp_path, lang):
    from sim.provenance import provenance_line
    from sim.scenario import save_scenario, scenario_file_text

    scenario = load_scenario(SCENARIOS_DIR / "sunan_catch_up.yaml", shipped)
    path = save_scenario(scenario, tmp_path / "a.yaml", package=shipped, lang=lang)
    first = path.read_bytes()
    assert first.decode("utf-8").splitlines()[0] == f"# {provenance_line(shipped, lang, year=scenario.year)}"
    again = load_scenario(path, shipped)
    assert again.to_dict() == scenario.to_dict()  # the comment is read as nothing
    save_scenario(again, tmp_path / "b.yaml", package=shipped, lang=lang)
    assert (tmp_path / "b.yaml").read_bytes() == first
    assert scenario_file_text(scenario) == dump_scenario(scenario)  # without a package: no comment
