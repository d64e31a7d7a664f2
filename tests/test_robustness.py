"""Robustness (sim/analysis/robustness.py): Monte Carlo over data, weights, normalisation."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.analysis.robustness import ordinal_ranks
from sim.analysis.robustness import ProgressBar, robustness, simulate, weight_stability
from sim.engine import run_scenario
from sim.analysis.wording import chance
from sim.errors import UsageError
from sim.messages import render
from sim.method.entropy import entropy_weights, normalize
from sim.scenario import baseline_scenario, load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SCENARIO = REPO / "scenarios" / "sunan_catch_up.yaml"


def test_zero_noise_gives_the_baseline_ranking_in_every_draw(shipped):
    report = robustness(shipped, year=2020, draws=500, seed=1, sigma=0.0, concentration=None, bootstrap=0)
    engine = run_scenario(shipped, baseline_scenario(shipped, 2020)).scored
    for zone in shipped.zone_ids:
        rank = int(engine.ranks[zone])
        assert report.rank_probabilities.at[zone, rank] == 1.0
        assert report.score_low[zone] == pytest.approx(engine.scores[zone], abs=1e-9)
        assert report.score_high[zone] == pytest.approx(engine.scores[zone], abs=1e-9)
        assert report.rank[zone] == rank


def test_zero_noise_with_a_scenario_compares_with_the_baseline(shipped):
    scenario = load_scenario(SCENARIO, shipped)
    report = robustness(shipped, scenario, draws=200, seed=1, sigma=0.0, concentration=float("inf"), bootstrap=0)
    result = run_scenario(shipped, scenario)
    for zone in shipped.zone_ids:
        assert report.rank_probabilities.at[zone, int(result.scored.ranks[zone])] == 1.0
        assert report.baseline_rank[zone] == result.baseline.ranks[zone]
        improves = result.scored.ranks[zone] < result.baseline.ranks[zone]
        assert report.p_beats_baseline[zone] == (1.0 if improves else 0.0)
        assert report.p_not_worse[zone] == (1.0 if result.scored.ranks[zone] <= result.baseline.ranks[zone] else 0.0)


def test_same_seed_same_output_and_another_seed_differs(shipped):
    kwargs = dict(year=2020, draws=3_000, sigma=0.08, concentration=400.0, score_normalizations="all",
                  bootstrap=300, chunk=1_000)
    first = robustness(shipped, seed=7, **kwargs)
    again = robustness(shipped, seed=7, **kwargs)
    other = robustness(shipped, seed=8, **kwargs)
    pd.testing.assert_frame_equal(first.rank_probabilities, again.rank_probabilities)
    pd.testing.assert_series_equal(first.score_median, again.score_median)
    pd.testing.assert_frame_equal(first.weights, again.weights)
    assert not first.score_median.equals(other.score_median)
    # A Generator works as a seed too, and gives the same as the int it was made from.
    from_generator = robustness(shipped, seed=np.random.default_rng(7), **kwargs)
    pd.testing.assert_frame_equal(first.rank_probabilities, from_generator.rank_probabilities)


def test_chunking_does_not_change_the_result(shipped):
    one = simulate(shipped.table(2020).to_numpy(), np.ones(25, bool), 2_500, seed=3, sigma=0.05, chunk=1_000)
    many = simulate(shipped.table(2020).to_numpy(), np.ones(25, bool), 2_500, seed=3, sigma=0.05, chunk=2_500)
    np.testing.assert_array_equal(one.scores, many.scores)


def test_rank_probabilities_sum_to_one_per_zone_and_per_rank(shipped):
    scenario = load_scenario(SCENARIO, shipped)
    report = robustness(shipped, scenario, draws=2_000, seed=2, sigma=0.2, concentration=50.0,
                        normalizations="all", score_normalizations="all", bootstrap=0)
    p = report.rank_probabilities
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-12)
    assert (report.score_low <= report.score_median).all() and (report.score_median <= report.score_high).all()
    assert ((0 <= report.p_beats_baseline) & (report.p_beats_baseline <= report.p_not_worse)
            & (report.p_not_worse <= 1)).all()
    # Heavy noise spreads the ranks: the leader is not certain of the top any more.
    assert p.max(axis=1).min() < 1.0


def test_ties_are_broken_by_zone_order_into_a_permutation():
    ranks = ordinal_ranks(np.array([[5.0, 5.0, 1.0], [1.0, 2.0, 2.0]]))
    assert ranks.tolist() == [[1, 2, 3], [3, 1, 2]]


def test_noise_is_lognormal_with_the_given_sigma():
    # One zone far ahead, fixed equal weights: the score is the mean of its noisy ratios.
    values = np.array([[1.0, 1.0], [2.0, 2.0]])
    run = simulate(values, np.ones(2, bool), 20_000, seed=5, sigma=np.array([0.1, 0.0]),
                   fixed_weights=np.array([1.0, 0.0]), normalizations=("ratio",), score_normalizations=("ratio",))
    # Zone 0's ratio on the first column is exp(s0 - s1) * 0.5 with s ~ N(0, 0.1): log-sd 0.1 * sqrt(2)
    # unless zone 0's value passes zone 1's (never at this gap).
    logs = np.log(run.scores[:, 0] / 100.0 / 0.5)
    assert logs.std() == pytest.approx(0.1 * np.sqrt(2), rel=0.03)
    assert abs(np.median(logs)) < 0.01


def test_dirichlet_weights_stay_around_the_centre(pkg3):
    equal = baseline_scenario(pkg3, 2020, {"weights": "equal"})
    tight = robustness(pkg3, equal, draws=4_000, seed=1, sigma=0.0, concentration=1e6, bootstrap=0)
    loose = robustness(pkg3, equal, draws=4_000, seed=1, sigma=0.0, concentration=3.0, bootstrap=0)
    width = lambda r: float((r.score_high - r.score_low)["chaser"])  # noqa: E731
    assert width(tight) < 0.2 < width(loose)
    # The leader holds every maximum: under ratio its score is 100 whatever the weights.
    assert loose.score_low["leader"] == pytest.approx(100.0)


def test_weight_stability_leave_one_out_and_bootstrap(shipped):
    x = shipped.table(2020).to_numpy()
    benefit = (shipped.indicators["direction"] == "benefit").to_numpy()
    out = weight_stability(x, benefit, "minmax", bootstrap=500, seed=4)
    np.testing.assert_allclose(out["weights"], entropy_weights(normalize(x, benefit)))
    expected = entropy_weights(normalize(np.delete(x, 2, axis=0), benefit))
    np.testing.assert_allclose(out["leave_one_out"][2], expected)
    assert out["bootstrap"].shape[1] == 25 and len(out["bootstrap"]) + int(out["dropped"]) == 500
    np.testing.assert_allclose(out["bootstrap"].sum(axis=1), 1.0)
    report = robustness(shipped, year=2020, draws=10, seed=4, bootstrap=500)
    assert (report.weights["boot_low"] <= report.weights["boot_high"]).all()
    assert (report.weights["loo_min"] <= report.weights["loo_max"]).all()
    assert report.leave_one_out.shape == (5, 25)


def test_progress_callback_is_called_per_chunk(shipped):
    calls = []
    robustness(shipped, year=2020, draws=2_500, seed=1, chunk=1_000, bootstrap=0,
               progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(1, 2)
    bar(2, 2)
    assert "1/2" in stream.getvalue() and stream.getvalue().endswith("\n")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(draws=0), "draws"),
        (dict(draws=-5), "draws"),
        (dict(sigma=-0.1), "sigma"),
        (dict(concentration=0.0), "concentration"),
        (dict(sigma_by={"unicorn": 0.1}), "did you mean 'unicorns'"),
        (dict(score_normalizations=["ratoi"]), "did you mean 'ratio'"),
    ],
)
def test_bad_arguments(shipped, kwargs, words):
    with pytest.raises(UsageError, match=words):
        robustness(shipped, year=2020, **kwargs)


def test_cli_robustness(shipped, capsys):
    status = cli.main(["robustness", str(SCENARIO), "--draws", "500", "--seed", "1", "--sigma", "5%",
                       "--concentration", "300", "--bootstrap", "100", "--format", "json", "--progress"])
    captured = capsys.readouterr()
    assert status == 0
    data = json.loads(captured.out)
    assert data["draws"] == 500 and data["settings"]["concentration"] == 300
    for zone in data["zones"]:
        assert sum(zone["rank_probabilities"].values()) == pytest.approx(1.0)
        assert 0 <= zone["p_beats_baseline"] <= 1
    assert "500/500" in captured.err  # the progress bar
    assert cli.main(["robustness", "--draws", "200", "--seed", "1", "--year", "2019"]) == 0
    text = capsys.readouterr().out
    assert "P(#1)" in text and "bootstrap" in text
    assert text.splitlines()[2].endswith("chance of rank 1")  # the plain sentences come first


@pytest.mark.parametrize(
    "args, words",
    [
        (["--draws", "-5"], "--draws -5 must be a positive whole number"),
        (["--draws", "0"], "positive whole number"),
        (["--draws", "many"], "invalid int value"),
        (["--sigma", "5"], "ambiguous"),
        (["--sigma=-1%"], ">= 0"),
        (["--concentration", "-3"], "> 0"),
        (["--sigma-for", "unicorn=10%"], "did you mean 'unicorns'"),
        (["--vary-score-normalization", "minmax,ratoi"], "did you mean 'ratio'"),
        (["no_such_scenario.yaml"], "no such file"),
        (["--year", "1999"], "not in the data"),
        # Issue 15.9: a seed numpy refuses, and bootstrap counts that took 9.6 GB or more.
        (["--seed", "-1"], "seed -1 is not allowed"),
        (["--bootstrap", "3000000"], "--bootstrap 3000000 is too many; at most 1,000,000"),
        (["--bootstrap", str(10**11)], "is too many"),
    ],
)
def test_cli_bad_arguments_exit_2(args, words, capsys):
    status = cli.main(["robustness", "--no-progress", *args])
    err = capsys.readouterr().err
    assert status == 2
    assert words in err
    assert "Traceback" not in err


def test_robustness_chart_builders(pkg3):
    import altair as alt

    from sim.analysis import charts

    report = robustness(pkg3, year=2020, draws=300, seed=1, bootstrap=50)
    heat = charts.rank_probability_heatmap(report)
    assert isinstance(heat, alt.Chart)
    spec = heat.to_dict()
    assert spec["mark"]["type"] == "rect"
    values = spec["datasets"][spec["data"]["name"]]
    assert len(values) == 9 and sum(v["probability"] for v in values) == pytest.approx(3.0)
    layered = heat + charts.rank_probability_labels(report)
    assert len(layered.to_dict()["layer"]) == 2
    assert isinstance(charts.weight_stability_chart(report), alt.Chart)


def test_ratio_with_values_at_or_below_zero_falls_back_and_says_so(shipped):
    long = shipped.baseline.copy()
    rows = (long["year"] == 2020) & (long["zone"] == "donghu") & (long["indicator"] == "employment_growth")
    long.loc[rows, "value"] = -3.2
    package = shipped.with_baseline(long)
    report = robustness(package, year=2020, draws=300, seed=2, bootstrap=50, score_normalizations="all")
    assert np.isfinite(report.score_median).all()
    assert any("employment_growth" in note and "min-max" in note for note in report.notes)


def test_bootstrap_in_chunks_gives_the_same_weights(shipped):
    from sim.analysis.robustness import core

    table = shipped.table(2020).to_numpy()
    benefit = np.ones(table.shape[1], dtype=bool)
    whole = weight_stability(table, benefit, bootstrap=250, seed=4)
    chunked_at = core.BOOTSTRAP_CHUNK
    try:
        core.BOOTSTRAP_CHUNK = 60
        chunked = weight_stability(table, benefit, bootstrap=250, seed=4)
    finally:
        core.BOOTSTRAP_CHUNK = chunked_at
    assert np.array_equal(whole["bootstrap"], chunked["bootstrap"])


# --------------------------------------------------------------------- plain words (issue 11)


def _percent_in(sentence: str) -> list[str]:
    return re.findall(r"[<>]?\d+ %", sentence)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plain_sentence_of_each_zone_is_the_report_s_probability(shipped, lang):
    report = robustness(shipped, load_scenario(SCENARIO, shipped), draws=3_000, seed=2, bootstrap=0)
    sentences = [render(s, lang, shipped.name) for s in report.sentences()]
    zones = list(report.rank.sort_values(kind="stable").index)
    assert len(sentences) == len(zones)
    for zone, sentence in zip(zones, sentences):
        rank = int(report.rank[zone])
        p = float(report.rank_probabilities.at[zone, rank])
        assert sentence.startswith(shipped.name("zone", zone, lang))
        assert f"第 {rank} 名的概率 {chance(p)}" in sentence if lang == "zh" else f"{chance(p)} chance of rank {rank}" in sentence
        # the whole-percent text is the probability rounded (never 0 % or 100 % unless it is)
        shown = _percent_in(sentence)[0]
        if shown[0] not in "<>":
            assert abs(int(shown.split()[0]) - 100 * p) <= 0.5
        else:
            assert 0 < p < 0.005 or 0.995 < p < 1
        beats = chance(float(report.p_beats_baseline[zone])) if report.baseline_rank[zone] > 1 else \
            chance(float(report.p_not_worse[zone]))
        assert beats in _percent_in(sentence)[1:]
    # the JSON carries the same sentence per zone
    data = report.to_dict(lang, shipped.name)
    assert [z["sentence"] for z in data["zones"]] == sentences


def test_the_most_likely_rank_is_named_when_it_is_another_one(pkg3):
    from dataclasses import replace

    report = robustness(pkg3, year=2020, draws=100, seed=1, bootstrap=0)
    leader, second, third = report.rank.sort_values().index
    odd = pd.DataFrame([[0.3, 0.7, 0.0], [0.7, 0.3, 0.0], [0.0, 0.0, 1.0]], index=[leader, second, third],
                       columns=report.rank_probabilities.columns)
    report = replace(report, rank_probabilities=odd)
    assert report.zone_sentence(leader).render("en") == f"{leader}: 30 % chance of rank 1; most likely rank 2 (70 %)"
    assert report.zone_sentence(leader).render("zh", pkg3.name) == \
        f"{pkg3.name('zone', leader, 'zh')} 第 1 名的概率 30 %；最可能的名次是第 2 名（70 %）"
    assert report.zone_sentence(third).render("en") == f"{third}: 100 % chance of rank 3"


def test_robustness_text_opens_with_the_sentences_and_speaks_chinese(shipped, capsys):
    from latin import foreign_words

    args = ["robustness", str(SCENARIO), "--draws", "400", "--seed", "1", "--bootstrap", "50", "--concentration",
            "300", "--vary-score-normalization", "all", "--sigma-for", "vc_investment=20%", "--lang", "zh"]
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    report = robustness(shipped, load_scenario(SCENARIO, shipped), draws=400, seed=1, bootstrap=50,
                        concentration=300, score_normalizations="all", sigma_by={"vc_investment": 0.2})
    lines = text.splitlines()
    assert lines[2:2 + len(report.zones)] == [render(s, "zh", shipped.name) for s in report.sentences()]
    assert foreign_words(text) == [], text
    assert "P(#" not in text and "第1名" in text


def test_notes_are_messages_with_proper_plurals():
    from sim.messages import msg

    assert msg("analysis.bootstrap_dropped", count=1) == "1 bootstrap resample had every column constant and was dropped"
    assert msg("analysis.bootstrap_dropped", count=2).render("zh") == "2 次自助法重抽样中每一列都是常数，已舍弃"
