"""Robustness of a scenario's ranking: the validating wrapper :func:`robustness` and its report.

The report opens with one plain sentence per zone (:meth:`RobustnessReport.sentences`):
"Sunan: 62 % chance of rank 3", the rank being the zone's rank without noise, with the
most likely rank when that differs and, for a scenario, the chance of beating its
baseline rank. The technical terms (Monte Carlo, lognormal, Dirichlet, bootstrap,
leave-one-out) are explained in the glossary (:mod:`sim.analysis.glossary`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.options import check_seed
from sim.analysis.robustness.core import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_CHUNK,
    DEFAULT_SIGMA,
    MAX_BOOTSTRAP,
    MAX_DRAWS,
    Progress,
    simulate,
    weight_stability,
)
from sim.data import DataPackage
from sim.engine import analysis_model
from sim.errors import UsageError
from sim.messages import Message, NameResolver, Ref, msg, render
from sim.method import entropy
from sim.method.entropy import NORMALIZATIONS
from sim.method.entropy import ranks as competition_ranks
from sim.scenario import Scenario
from sim.text import did_you_mean


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
    notes : list of Message
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

    def zone_sentence(self, zone: str) -> Message:
        """The plain answer for one zone: "Sunan: 62 % chance of rank 3" (its rank without noise).

        Adds the most likely rank when it is another one, and for a scenario the chance
        that the zone's rank beats its baseline rank in the same draw.
        """
        from sim.analysis.wording import chance

        rank = int(self.rank[zone])
        probabilities = self.rank_probabilities.loc[zone]
        likely = int(probabilities.idxmax())
        other = ""
        if likely != rank and probabilities[likely] > probabilities[rank]:
            other = msg("sure.most_likely", rank=likely, chance=chance(probabilities[likely]))
        baseline = ""
        if self.p_beats_baseline is not None:
            base = int(self.baseline_rank[zone])
            baseline = (msg("sure.beats_baseline", base=base, chance=chance(self.p_beats_baseline[zone])) if base > 1
                        else msg("sure.keeps_first", chance=chance(self.p_not_worse[zone])))
        return msg("sure.rank_chance", zone=Ref("zone", zone), rank=rank, chance=chance(probabilities[rank]),
                   most_likely=other, baseline=baseline)

    def sentences(self) -> list[Message]:
        """One plain sentence per zone, best rank first (see :meth:`zone_sentence`)."""
        return [self.zone_sentence(zone) for zone in self.rank.sort_values(kind="stable").index]

    def to_dict(self, lang: str = "en", names: NameResolver | None = None) -> dict[str, Any]:
        """The report as JSON-ready data; its sentences and notes in ``lang``."""
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
            item["sentence"] = self.zone_sentence(zone).render(lang, names)
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
            "notes": [render(note, lang, names) for note in self.notes],
            "seconds": self.seconds,
        }


def _choices(value: Sequence[str] | str | None, default: str, what: str) -> list[str]:
    if value is None:
        return [default]
    items = list(NORMALIZATIONS) if value == "all" else ([value] if isinstance(value, str) else list(value))
    if not items:
        raise UsageError(msg("analysis.normalizations_empty", what=what, allowed=", ".join(NORMALIZATIONS)))
    bad = [k for k in items if k not in NORMALIZATIONS]
    if bad:
        raise UsageError([msg("analysis.normalization_unknown", what=what, value=repr(k),
                              hint=did_you_mean(k, NORMALIZATIONS)) for k in bad])
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
        problems.append(msg("analysis.draws_bad", value=repr(draws), most=MAX_DRAWS))
    if not _is_fraction(sigma):
        problems.append(msg("analysis.sigma_bad", value=repr(sigma)))
    if concentration is not None and not (isinstance(concentration, (int, float)) and concentration > 0
                                          and not math.isnan(concentration)):
        problems.append(msg("analysis.concentration_bad", value=repr(concentration)))
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        problems.append(msg("analysis.bootstrap_bad", value=repr(bootstrap)))
    elif bootstrap > MAX_BOOTSTRAP:
        problems.append(msg("analysis.bootstrap_too_many", count=bootstrap, most=MAX_BOOTSTRAP))
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        problems.append(msg("analysis.chunk_bad", value=repr(chunk)))
    if problems:
        raise UsageError(problems)
    if concentration is not None and math.isinf(concentration):
        concentration = None
    check_seed(seed)

    model = analysis_model(package, scenario, year)
    method = model.method
    sigmas = np.full(len(model.indicators), float(sigma))
    bad = []
    for indicator, value in (sigma_by or {}).items():
        if indicator not in model.indicators:
            bad.append(msg("analysis.sigma_unknown_indicator", indicator=repr(indicator),
                           hint=did_you_mean(indicator, model.indicators)))
        elif not _is_fraction(value):
            bad.append(msg("analysis.sigma_for_bad", indicator=Ref("indicator", indicator), value=repr(value)))
        else:
            sigmas[model.indicators.index(indicator)] = float(value)
    if bad:
        raise UsageError(bad)
    kinds_w = _choices(normalizations, method.normalization, msg("analysis.what_normalizations"))
    kinds_s = _choices(score_normalizations, method.scoring, msg("analysis.what_score_normalizations"))
    compared = bool(model.scenario.interventions)
    fallback = entropy.ratio_fallback_columns(model.values) if "ratio" in kinds_w + kinds_s else []

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
        weights = method.weights if isinstance(method.weights, str) else "explicit"
        notes.append(msg("analysis.weights_fixed_note", weights=msg(f"options.{weights}")))
    if np.any(fallback):
        notes.append(msg("analysis.ratio_fallback_note",
                         indicators=[Ref("indicator", i) for i, f in zip(indicators, fallback) if f]))
    if stability["dropped"]:
        notes.append(msg("analysis.bootstrap_dropped", count=int(stability["dropped"])))
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
