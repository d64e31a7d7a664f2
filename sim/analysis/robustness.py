"""Robustness of a ranking: Monte Carlo over data, weights and the normalisation.

Each draw perturbs the scenario (and, for the comparison, the baseline) and scores it
again:

(a) **data noise**: every value is multiplied by a lognormal factor
    ``exp(sigma_j * z)``, ``z`` standard normal (median 1; ``sigma`` default 5 %, per
    indicator overrides). The baseline and the scenario share the draw's factors
    (common random numbers), so that their comparison is paired;
(b) **weights**: with a concentration ``c``, the draw's weights are Dirichlet around
    the table's own weights, ``Dirichlet(c * w)`` (positive, summing to 1; the larger
    ``c``, the closer to ``w``); without one, the weights are the method's (recomputed
    from the noisy data under ``weights: recompute``);
(c) **normalisation**: the score normalisation (and, if asked, the one for the
    weights) drawn uniformly among the given choices for each draw.

Per zone: the probability of each rank (ties broken by zone order, so that each draw
is a permutation and the probabilities add up to 1 per zone *and* per rank), the
score median and 90 % interval, and for a scenario the probability that the zone's
rank beats its baseline rank in the same draw.

Also the **stability of the entropy weights themselves**, with only a handful of
zones: the weights with each zone left out, and bootstrap intervals (zones resampled
with replacement).

Draws are scored in chunks (10,000 by default) through the batched scorer
:func:`sim.method.entropy.entropy_scores`; a ``progress(done, total)`` callback is
called after each chunk.

The pure core is :func:`simulate` (arrays in, arrays out, seeded); the validating
wrapper is :func:`robustness`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.batch import build_model, competition_ranks, ordinal_ranks
from sim.data import DataPackage
from sim.errors import UsageError
from sim.method import entropy
from sim.method.entropy import NORMALIZATIONS
from sim.scenario import Scenario
from sim.text import did_you_mean

DEFAULT_SIGMA = 0.05
DEFAULT_CHUNK = 10_000
DEFAULT_BOOTSTRAP = 2_000
#: Largest number of draws accepted (memory: about 80 bytes per draw and zone).
MAX_DRAWS = 10_000_000

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- the core


@dataclass
class Simulation:
    """Raw output of :func:`simulate`.

    Attributes
    ----------
    scores : ndarray, shape (draws, m)
        Scenario scores per draw.
    rank_counts : ndarray, shape (m, m)
        ``rank_counts[i, r]``: draws in which zone i had rank r + 1 (ties broken by
        zone order).
    baseline_scores : ndarray or None, shape (draws, m)
    beats, not_worse : ndarray or None, shape (m,)
        Draws in which the zone's rank (the engine's, ties sharing the better rank)
        is better than, or at least as good as, its baseline rank in the same draw.
    """

    scores: np.ndarray
    rank_counts: np.ndarray
    baseline_scores: np.ndarray | None = None
    beats: np.ndarray | None = None
    not_worse: np.ndarray | None = None


def _score_tables(
    tables: np.ndarray,
    is_benefit: np.ndarray,
    weight_kind: str,
    score_kind: str,
    fixed_weights: np.ndarray | None,
    concentration: float | None,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Scores of a batch of tables with one pair of normalisations, weights perturbed."""
    if concentration is None:
        _, scores = entropy.entropy_scores(tables, is_benefit, weight_kind, score_kind, fixed_weights, lower, upper)
        return scores
    if fixed_weights is None:
        centre, _ = entropy.entropy_scores(tables, is_benefit, weight_kind, weight_kind, None, lower, upper)
    else:
        centre = np.broadcast_to(fixed_weights, (tables.shape[0], tables.shape[-1]))
    # Dirichlet(c * w) as normalised gammas; a zero weight stays zero.
    gammas = rng.standard_gamma(concentration * centre)
    total = gammas.sum(axis=-1, keepdims=True)
    weights = np.where(total > 0, gammas / np.where(total > 0, total, 1.0), centre)
    _, scores = entropy.entropy_scores(tables, is_benefit, weight_kind, score_kind, weights, lower, upper)
    return scores


def simulate(
    values: np.ndarray,
    is_benefit: np.ndarray,
    draws: int,
    seed: int | np.random.Generator | None = None,
    sigma: float | np.ndarray = DEFAULT_SIGMA,
    concentration: float | None = None,
    normalizations: Sequence[str] = ("minmax",),
    score_normalizations: Sequence[str] = ("minmax",),
    fixed_weights: np.ndarray | None = None,
    baseline: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> Simulation:
    """Monte Carlo of the scores of one table (the pure, seeded core).

    Parameters
    ----------
    values : ndarray, shape (m, n)
        The scenario's table.
    is_benefit : ndarray of bool, shape (n,)
    draws : int
    seed : int or numpy.random.Generator
        Same seed, same output.
    sigma : float or ndarray of shape (n,)
        Log-standard deviation of the multiplicative noise per indicator (0: none).
    concentration : float or None
        Dirichlet concentration of the weights; None: weights not perturbed.
    normalizations, score_normalizations : sequence of str
        Choices for the weights' and the scores' normalisation, drawn uniformly per
        draw (one choice: fixed).
    fixed_weights : ndarray, shape (n,), optional
        Weights that do not depend on the data (otherwise entropy weights per draw).
    baseline : ndarray, shape (m, n), optional
        The baseline table; with it the draws compare scenario and baseline ranks.
    lower, upper : ndarray, optional
        Fixed goalposts.
    chunk : int
        Draws per batched call.
    progress : callable, optional
        ``progress(done, total)`` after each chunk.

    Returns
    -------
    Simulation
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    values = np.asarray(values, dtype=np.float64)
    m, n = values.shape
    log_sigma = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (n,)).astype(np.float64)
    noisy = bool(np.any(log_sigma > 0))
    kinds_w, kinds_s = list(normalizations), list(score_normalizations)
    scores = np.empty((draws, m))
    base_scores = np.empty((draws, m)) if baseline is not None else None
    rank_counts = np.zeros((m, m), dtype=np.int64)
    beats = np.zeros(m, dtype=np.int64) if baseline is not None else None
    not_worse = np.zeros(m, dtype=np.int64) if baseline is not None else None
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        if noisy:
            factors = rng.standard_normal((size, m, n))
            factors *= log_sigma
            np.exp(factors, out=factors)
        else:
            factors = np.ones((size, m, n))
        tables = factors * values
        base_tables = factors * baseline if baseline is not None else None
        choice_w = rng.integers(len(kinds_w), size=size) if len(kinds_w) > 1 else np.zeros(size, dtype=np.int64)
        choice_s = rng.integers(len(kinds_s), size=size) if len(kinds_s) > 1 else np.zeros(size, dtype=np.int64)
        block = scores[done:done + size]
        base_block = base_scores[done:done + size] if base_scores is not None else None
        for iw, kind_w in enumerate(kinds_w):
            for js, kind_s in enumerate(kinds_s):
                rows = (choice_w == iw) & (choice_s == js)
                if not rows.any():
                    continue
                select = slice(None) if rows.all() else rows
                block[select] = _score_tables(tables[select], is_benefit, kind_w, kind_s, fixed_weights,
                                              concentration, lower, upper, rng)
                if base_block is not None:
                    base_block[select] = _score_tables(base_tables[select], is_benefit, kind_w, kind_s,
                                                       fixed_weights, concentration, lower, upper, rng)
        ordinal = ordinal_ranks(block)
        for zone in range(m):
            rank_counts[zone] += np.bincount(ordinal[:, zone] - 1, minlength=m)
        if base_block is not None:
            scenario_ranks = competition_ranks(block)
            baseline_ranks = competition_ranks(base_block)
            beats += (scenario_ranks < baseline_ranks).sum(axis=0)
            not_worse += (scenario_ranks <= baseline_ranks).sum(axis=0)
        done += size
        if progress is not None:
            progress(done, draws)
    return Simulation(scores, rank_counts, base_scores, beats, not_worse)


def weight_stability(
    values: np.ndarray,
    is_benefit: np.ndarray,
    normalization: str = "minmax",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | np.random.Generator | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Leave-one-zone-out and bootstrap entropy weights of one table.

    Parameters
    ----------
    values : ndarray, shape (m, n)
    is_benefit : ndarray of bool, shape (n,)
    normalization : str
        The normalisation the weights use.
    bootstrap : int
        Resamples of the zones, with replacement (0: none).
    seed : int or numpy.random.Generator

    Returns
    -------
    dict
        ``weights`` (n,), ``leave_one_out`` (m, n) (row i: zone i left out; NaN when
        fewer than 3 zones), ``bootstrap`` (kept, n), ``dropped`` (resamples whose
        columns were all constant, so that no weights exist).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x = np.asarray(values, dtype=np.float64)
    m, n = x.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = entropy.entropy_weights(entropy.normalize(x, is_benefit, normalization, lower, upper))
        loo = np.full((m, n), np.nan)
        if m >= 3:
            keep = np.array([[r for r in range(m) if r != i] for i in range(m)])
            loo = entropy.entropy_weights(entropy.normalize(x[keep], is_benefit, normalization, lower, upper))
        boot = np.empty((0, n))
        dropped = 0
        if bootstrap > 0:
            rows = rng.integers(m, size=(bootstrap, m))
            boot = entropy.entropy_weights(entropy.normalize(x[rows], is_benefit, normalization, lower, upper))
            ok = np.isfinite(boot).all(axis=-1)
            dropped = int((~ok).sum())
            boot = boot[ok]
    return {"weights": weights, "leave_one_out": loo, "bootstrap": boot, "dropped": np.array(dropped)}


# --------------------------------------------------------------------------- the wrapper


@dataclass(frozen=True)
class RobustnessReport:
    """The answer of :func:`robustness`.

    Attributes
    ----------
    scenario : Scenario
    zones : list of str
    draws : int
    settings : dict
        Seed, sigma, overrides, concentration, normalisation choices, chunk, bootstrap.
    score, rank : pandas.Series
        The scenario without noise (the engine's numbers).
    baseline_rank : pandas.Series or None
        The baseline's ranks without noise (when a scenario is given).
    rank_probabilities : pandas.DataFrame
        Zones x ranks (1..m); rows and columns each sum to 1.
    score_median, score_low, score_high : pandas.Series
        Median and 90 % interval (5th and 95th percentiles) of the scores.
    p_beats_baseline, p_not_worse : pandas.Series or None
        Per zone, in the same draw: rank better than / at least as good as baseline.
    weights : pandas.DataFrame
        Per indicator: ``weight``, ``loo_min``, ``loo_max``, ``boot_median``,
        ``boot_low``, ``boot_high`` (5th and 95th percentiles), ``boot_share_top``
        (share of resamples where it is the largest weight).
    leave_one_out : pandas.DataFrame
        Zone left out x indicator: the weights without that zone.
    bootstrap_dropped : int
    seconds : float
    """

    scenario: Scenario
    zones: list[str]
    draws: int
    settings: dict[str, Any]
    score: pd.Series
    rank: pd.Series
    baseline_rank: pd.Series | None
    rank_probabilities: pd.DataFrame
    score_median: pd.Series
    score_low: pd.Series
    score_high: pd.Series
    p_beats_baseline: pd.Series | None
    p_not_worse: pd.Series | None
    weights: pd.DataFrame
    leave_one_out: pd.DataFrame
    bootstrap_dropped: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.scenario.year

    def most_likely_rank(self) -> pd.Series:
        return self.rank_probabilities.idxmax(axis=1).rename("most_likely_rank")

    def to_dict(self) -> dict[str, Any]:
        zones = []
        for zone in self.rank.sort_values(kind="stable").index:
            item = {
                "zone": zone,
                "score": float(self.score[zone]),
                "rank": int(self.rank[zone]),
                "rank_probabilities": {str(r): float(p) for r, p in self.rank_probabilities.loc[zone].items()},
                "score_median": float(self.score_median[zone]),
                "score_interval_90": [float(self.score_low[zone]), float(self.score_high[zone])],
            }
            if self.p_beats_baseline is not None:
                item["baseline_rank"] = int(self.baseline_rank[zone])
                item["p_beats_baseline"] = float(self.p_beats_baseline[zone])
                item["p_not_worse"] = float(self.p_not_worse[zone])
            zones.append(item)
        weights = {
            indicator: {key: float(value) for key, value in row.items()}
            for indicator, row in self.weights.iterrows()
        }
        return {
            "scenario": self.scenario.name,
            "year": self.year,
            "draws": self.draws,
            "settings": self.settings,
            "zones": zones,
            "weights": weights,
            "leave_one_out": {
                zone: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
                for zone, row in self.leave_one_out.iterrows()
            },
            "bootstrap_dropped": self.bootstrap_dropped,
            "notes": list(self.notes),
            "seconds": self.seconds,
        }


def _choices(value: Sequence[str] | str | None, default: str, what: str) -> list[str]:
    if value is None:
        return [default]
    items = list(NORMALIZATIONS) if value == "all" else ([value] if isinstance(value, str) else list(value))
    if not items:
        raise UsageError(f"{what}: give at least one of {', '.join(NORMALIZATIONS)} (or all)")
    bad = [k for k in items if k not in NORMALIZATIONS]
    if bad:
        raise UsageError([f"{what}: unknown normalization {k!r}{did_you_mean(k, NORMALIZATIONS)}" for k in bad])
    return list(dict.fromkeys(items))


def robustness(
    package: DataPackage,
    scenario: Scenario | None = None,
    year: int | None = None,
    draws: int = 10_000,
    seed: int | np.random.Generator | None = None,
    sigma: float = DEFAULT_SIGMA,
    sigma_by: Mapping[str, float] | None = None,
    concentration: float | None = None,
    normalizations: Sequence[str] | str | None = None,
    score_normalizations: Sequence[str] | str | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> RobustnessReport:
    """How robust a scenario's ranking is to data noise, weights and normalisation.

    Parameters
    ----------
    package : DataPackage
    scenario : Scenario, optional
        Default: the baseline of ``year``; with a scenario, the draws also compare
        each zone's rank with its baseline rank.
    year : int, optional
    draws : int
        Monte Carlo draws (>= 1).
    seed : int or numpy.random.Generator
        Same seed, same output.
    sigma : float
        Log-standard deviation of the multiplicative data noise (0.05 = 5 %; 0: none).
    sigma_by : mapping, optional
        ``{indicator: sigma}`` overrides.
    concentration : float, optional
        Dirichlet concentration for the weights (> 0); None or ``inf``: not perturbed.
    normalizations, score_normalizations : str or sequence of str, optional
        Choices drawn per draw for the weights' and the scores' normalisation
        (``"all"``: the three); default: the scenario's method, fixed.
    bootstrap : int
        Resamples for the weight-stability intervals (0: none).
    chunk : int
        Draws per batched call.
    progress : callable, optional
        ``progress(done, total)`` after each chunk (for a progress bar).

    Returns
    -------
    RobustnessReport

    Raises
    ------
    UsageError
        Bad draws, sigma, concentration, normalisation choices, unknown indicators.

    Examples
    --------
    >>> from sim.data import load_package
    >>> report = robustness(load_package(), year=2020, draws=200, seed=1)
    >>> bool(abs(report.rank_probabilities.sum(axis=1) - 1).max() < 1e-12)
    True
    """
    began = time.perf_counter()
    problems = []
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 1 <= draws <= MAX_DRAWS:
        problems.append(f"draws {draws!r} must be a whole number from 1 to {MAX_DRAWS:,}")
    if not _is_fraction(sigma):
        problems.append(f"sigma {sigma!r} must be a finite number >= 0 (0.05 = 5%)")
    if concentration is not None and not (isinstance(concentration, (int, float)) and concentration > 0
                                          and not math.isnan(concentration)):
        problems.append(f"concentration {concentration!r} must be a number > 0 (or none)")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        problems.append(f"bootstrap {bootstrap!r} must be a whole number >= 0")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        problems.append(f"chunk {chunk!r} must be a whole number >= 1")
    if problems:
        raise UsageError(problems)
    if concentration is not None and math.isinf(concentration):
        concentration = None

    model = build_model(package, scenario, year)
    method = model.method
    sigmas = np.full(len(model.indicators), float(sigma))
    bad = []
    for indicator, value in (sigma_by or {}).items():
        if indicator not in model.indicators:
            bad.append(f"sigma for unknown indicator {indicator!r}{did_you_mean(indicator, model.indicators)}")
        elif not _is_fraction(value):
            bad.append(f"sigma for {indicator!r}: {value!r} must be a finite number >= 0")
        else:
            sigmas[model.indicators.index(indicator)] = float(value)
    if bad:
        raise UsageError(bad)
    kinds_w = _choices(normalizations, method.normalization, "normalizations")
    kinds_s = _choices(score_normalizations, method.scoring, "score normalizations")
    compared = bool(model.scenario.interventions)
    if "ratio" in kinds_w + kinds_s:
        tables = [model.values] + ([model.base] if compared else [])
        if any((t <= 0).any() for t in tables):
            rows, cols = np.nonzero(model.values <= 0)
            cells = ", ".join(f"{model.zones[r]} {model.indicators[c]}" for r, c in zip(rows[:5], cols[:5]))
            raise UsageError(f"the ratio normalization needs values > 0, and the table has zeros or negatives ({cells})")

    if seed is None:
        # Still reproducible: the seed drawn is reported in the settings.
        import secrets

        seed = secrets.randbits(32)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    baseline_values = None
    if compared:
        baseline_values = model.base.copy()
    run = simulate(
        model.values,
        model.is_benefit,
        int(draws),
        rng,
        sigmas,
        concentration,
        kinds_w,
        kinds_s,
        model.fixed_weights,
        baseline_values,
        model.lower,
        model.upper,
        int(chunk),
        progress,
    )
    stability = weight_stability(model.values, model.is_benefit, method.normalization, int(bootstrap), rng,
                                 model.lower, model.upper)

    zones, indicators = model.zones, model.indicators
    weights0, scores0 = model.score(model.values[None, :, :])
    ranks0 = competition_ranks(scores0)[0]
    base_rank = None
    if compared:
        _, base_scores0 = model.score(model.base[None, :, :])
        base_rank = pd.Series(competition_ranks(base_scores0)[0], index=zones, name="baseline_rank")
    low, median, high = np.quantile(run.scores, [0.05, 0.5, 0.95], axis=0)
    probabilities = pd.DataFrame(run.rank_counts / float(draws), index=zones,
                                 columns=pd.Index(range(1, len(zones) + 1), name="rank"))
    boot = stability["bootstrap"]
    loo = stability["leave_one_out"]
    if len(boot):
        b_low, b_median, b_high = np.quantile(boot, [0.05, 0.5, 0.95], axis=0)
        top = np.bincount(boot.argmax(axis=1), minlength=len(indicators)) / len(boot)
    else:
        b_low = b_median = b_high = top = np.full(len(indicators), np.nan)
    with np.errstate(all="ignore"):
        loo_min = np.nanmin(loo, axis=0) if np.isfinite(loo).any() else np.full(len(indicators), np.nan)
        loo_max = np.nanmax(loo, axis=0) if np.isfinite(loo).any() else np.full(len(indicators), np.nan)
    weights = pd.DataFrame(
        {
            "weight": stability["weights"],
            "loo_min": loo_min,
            "loo_max": loo_max,
            "boot_median": b_median,
            "boot_low": b_low,
            "boot_high": b_high,
            "boot_share_top": top,
        },
        index=pd.Index(indicators, name="indicator"),
    )
    notes = []
    if method.weights != "recompute":
        notes.append(
            f"the method's weights are {method.weights if isinstance(method.weights, str) else 'explicit'}: "
            "the data noise does not move them; the weight-stability table shows what recomputed entropy "
            "weights would do"
        )
    if stability["dropped"]:
        notes.append(f"{int(stability['dropped'])} bootstrap resample(s) had every column constant and were dropped")
    settings = {
        "seed": int(seed) if isinstance(seed, (int, np.integer)) else "generator",
        "sigma": float(sigma),
        "sigma_by": {k: float(v) for k, v in (sigma_by or {}).items()},
        "concentration": concentration,
        "normalizations": kinds_w,
        "score_normalizations": kinds_s,
        "bootstrap": int(bootstrap),
        "chunk": int(chunk),
        "method": method.to_dict(),
    }
    return RobustnessReport(
        scenario=model.scenario,
        zones=zones,
        draws=int(draws),
        settings=settings,
        score=pd.Series(scores0[0], index=zones, name="score"),
        rank=pd.Series(ranks0, index=zones, name="rank"),
        baseline_rank=base_rank,
        rank_probabilities=probabilities,
        score_median=pd.Series(median, index=zones, name="score_median"),
        score_low=pd.Series(low, index=zones, name="score_low"),
        score_high=pd.Series(high, index=zones, name="score_high"),
        p_beats_baseline=pd.Series(run.beats / draws, index=zones, name="p_beats_baseline") if compared else None,
        p_not_worse=pd.Series(run.not_worse / draws, index=zones, name="p_not_worse") if compared else None,
        weights=weights,
        leave_one_out=pd.DataFrame(loo, index=pd.Index(zones, name="left_out"), columns=indicators),
        bootstrap_dropped=int(stability["dropped"]),
        seconds=time.perf_counter() - began,
        notes=notes,
    )


def _is_fraction(value: Any) -> bool:
    return (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
            and value >= 0)


# --------------------------------------------------------------------------- command line


def parse_sigma(text: str, what: str = "--sigma") -> float:
    """``"5%"`` -> 0.05, ``"0.05"`` -> 0.05; a bare number above 1 is refused as ambiguous."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100.0 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a number; write e.g. 5% or 0.05") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{what} {text!r} must be a finite number >= 0 (e.g. 5%)")
    if not raw.endswith("%") and value > 1:
        raise UsageError(f"{what} {text!r} is ambiguous; write {raw}% for a percentage or a fraction such as 0.05")
    return value


def parse_concentration(text: str | None) -> float | None:
    if text is None or str(text).strip().lower() in ("none", "off", "inf", "infinite"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--concentration {text!r} must be a number > 0, or none") from None
    if not value > 0:
        raise UsageError(f"--concentration {text!r} must be a number > 0, or none")
    return None if math.isinf(value) else value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zonesim robustness``."""
    parser.description = (
        "Monte Carlo robustness of the ranking: data noise (lognormal), weights (Dirichlet) and the "
        "normalisation choice; rank probabilities, score intervals and the stability of the entropy weights."
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", nargs="?", help="scenario (default: the baseline)")
    parser.add_argument("--year", type=int, help="baseline year without a scenario (default: the latest)")
    parser.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (same seed, same output; default: a fresh one, reported)")
    parser.add_argument("--sigma", default="5%", help="lognormal data noise, e.g. 5%% or 0 (default 5%%)")
    parser.add_argument("--sigma-for", action="append", metavar="ID=SIGMA",
                        help="noise for one indicator, e.g. vc_investment=20%% (repeatable)")
    parser.add_argument("--concentration", default=None,
                        help="Dirichlet concentration of the weights, e.g. 500 (default: none, weights not perturbed)")
    parser.add_argument("--vary-normalization", metavar="LIST|all",
                        help="draw the weights' normalisation among these (default: the method's)")
    parser.add_argument("--vary-score-normalization", metavar="LIST|all",
                        help="draw the scores' normalisation among these, e.g. all (default: the method's)")
    parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP,
                        help=f"bootstrap resamples for the weight intervals (default {DEFAULT_BOOTSTRAP})")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help=argparse.SUPPRESS)
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar on stderr (default: when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")


class ProgressBar:
    """A one-line text progress bar on a stream (stderr)."""

    def __init__(self, stream=None, width: int = 30, label: str = "draws"):
        self.stream = stream or sys.stderr
        self.width = width
        self.label = label
        self.began = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / max(total, 1))
        elapsed = time.perf_counter() - self.began
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} {self.label} "
                          f"{elapsed:.1f} s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _split(text: str | None) -> list[str] | str | None:
    if text is None:
        return None
    if text.strip() == "all":
        return "all"
    return [item.strip() for item in text.split(",") if item.strip()]


def command(args: argparse.Namespace) -> int:
    """``zonesim robustness``."""
    from sim.cli import emit, package_from, starting_scenario

    if args.draws < 1:
        raise UsageError(f"--draws {args.draws} must be a positive whole number (e.g. --draws 10000)")
    if args.draws > MAX_DRAWS:
        raise UsageError(f"--draws {args.draws} is too many; at most {MAX_DRAWS:,}")
    if args.bootstrap < 0:
        raise UsageError(f"--bootstrap {args.bootstrap} must be >= 0")
    if args.chunk < 1:
        raise UsageError(f"--chunk {args.chunk} must be >= 1")
    sigma = parse_sigma(args.sigma)
    sigma_by = {}
    for item in args.sigma_for or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--sigma-for {item!r}: write ID=SIGMA, e.g. vc_investment=20%")
        sigma_by[key.strip()] = parse_sigma(value, f"--sigma-for {key.strip()}")
    concentration = parse_concentration(args.concentration)
    package = package_from(args)
    start = starting_scenario(args, package)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    report = robustness(
        package,
        start,
        draws=args.draws,
        seed=args.seed,
        sigma=sigma,
        sigma_by=sigma_by,
        concentration=concentration,
        normalizations=_split(args.vary_normalization),
        score_normalizations=_split(args.vary_score_normalization),
        bootstrap=args.bootstrap,
        chunk=args.chunk,
        progress=ProgressBar() if show else None,
    )
    if args.format == "json":
        from sim.report import to_json

        emit(to_json(report.to_dict()))
    elif args.format == "csv":
        emit(robustness_csv(report))
    else:
        emit(robustness_table(report, package, args.lang))
    return 0


def robustness_csv(report: RobustnessReport) -> str:
    frame = pd.DataFrame({
        "score": report.score, "rank": report.rank, "score_median": report.score_median,
        "score_low": report.score_low, "score_high": report.score_high,
    })
    for rank in report.rank_probabilities.columns:
        frame[f"p_rank_{rank}"] = report.rank_probabilities[rank]
    if report.p_beats_baseline is not None:
        frame["baseline_rank"] = report.baseline_rank
        frame["p_beats_baseline"] = report.p_beats_baseline
        frame["p_not_worse"] = report.p_not_worse
    frame = frame.sort_values("rank", kind="stable").rename_axis("zone").reset_index()
    frame.insert(0, "draws", report.draws)
    frame.insert(0, "year", report.year)
    frame.insert(0, "scenario", report.scenario.name)
    from sim.report import csv_text  # the scenario's name must not run as a formula (issue 15)

    return csv_text(frame)


def robustness_table(report: RobustnessReport, package: DataPackage, lang: str = "en") -> str:
    """The report as readable text."""
    from sim.report import format_table

    s = report.settings
    overrides = ", ".join(f"{k} {100 * v:g}%" for k, v in s["sigma_by"].items())
    varied = [
        f"data noise: lognormal, sigma {100 * s['sigma']:g}%" + (f" ({overrides})" if overrides else ""),
        "weights: " + (f"Dirichlet, concentration {s['concentration']:g}" if s["concentration"] else
                       "not perturbed beyond the data noise"),
        "normalization (weights): " + (" / ".join(s["normalizations"]) + (" drawn per draw" if len(s["normalizations"]) > 1 else " (fixed)")),
        "normalization (scores): " + (" / ".join(s["score_normalizations"]) + (" drawn per draw" if len(s["score_normalizations"]) > 1 else " (fixed)")),
    ]
    m = len(report.zones)
    headers = ["zone", "score", "rank", "median", "90% interval", *(f"P(#{r})" for r in range(1, m + 1))]
    compared = report.p_beats_baseline is not None
    if compared:
        headers += ["baseline rank", "P(beats)"]
    rows = []
    for zone in report.rank.sort_values(kind="stable").index:
        row = [
            package.name("zone", zone, lang),
            f"{report.score[zone]:.2f}",
            int(report.rank[zone]),
            f"{report.score_median[zone]:.2f}",
            f"{report.score_low[zone]:.2f} – {report.score_high[zone]:.2f}",
            *(_pct(report.rank_probabilities.at[zone, r]) for r in range(1, m + 1)),
        ]
        if compared:
            row += [int(report.baseline_rank[zone]), _pct(report.p_beats_baseline[zone])]
        rows.append(row)
    weight_rows = [
        [
            package.name("indicator", indicator, lang),
            f"{100 * row['weight']:.2f}",
            f"{100 * row['loo_min']:.2f} – {100 * row['loo_max']:.2f}" if np.isfinite(row["loo_min"]) else "n/a",
            f"{100 * row['boot_low']:.2f} – {100 * row['boot_high']:.2f}" if np.isfinite(row["boot_low"]) else "n/a",
        ]
        for indicator, row in report.weights.sort_values("weight", ascending=False).iterrows()
    ]
    lines = [
        f"robustness: {report.scenario.name}    year: {report.year}    draws: {report.draws:,}    seed: {s['seed']}",
        *(f"  {v}" for v in varied),
        "",
        format_table(headers, rows, align="lrrrr" + "r" * (len(headers) - 5)),
        "",
        "P(#k): probability of rank k (ties broken by zone order)"
        + ("; P(beats): rank better than the baseline rank in the same draw" if compared else ""),
        "",
        f"Stability of the entropy weights ({s['method']['normalization']}, {m} zones; %): "
        f"leave one zone out, and bootstrap 90% interval ({s['bootstrap']:,} resamples)",
        format_table(["indicator", "weight", "leave-one-out", "bootstrap 90%"], weight_rows, align="lrrr"),
    ]
    if report.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in report.notes]
    lines.append(f"\n{report.seconds:.2f} s")
    return "\n".join(lines)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"
