"""Robustness of a plan: how sure are the year-by-year ranks when the trend itself is uncertain?

``zonesim robustness PLAN.yaml --trend-noise 2%``: each draw multiplies every cell's yearly
step of the baseline path by a lognormal factor ``exp(sigma * z)`` (``z`` standard normal,
one per draw, year and cell), so that year ``k``'s table carries the product of ``k``
such factors (a random walk around the trend: uncertainty grows with the horizon). The
plan's interventions apply to each drawn path as to the trend's own, and both paths are
scored year by year through the engine (:meth:`sim.plan.compiled.CompiledPlan.evaluate`:
links, rounding, range checks, the batched scorer). The paths are kept in their valid
ranges and counts whole, as the trend's own path is.

Per year and zone: the probability of each rank with the plan and on the baseline path
(ties broken by zone order, so that they add up to 1 per zone and per rank), the score's
median and 90 % interval with the plan, and the probability that the plan's rank beats
the baseline path's rank in the same draw. A draw whose plan table leaves a valid range
(a share pushed past 100 % by noise and plan together) is left out of that year, and
counted.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.options import check_seed
from sim.analysis.robustness.core import MAX_DRAWS, ordinal_ranks
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import Message, msg
from sim.method.entropy import ranks as competition_ranks
from sim.plan.compiled import compile_plan
from sim.plan.result import BASELINE, PATHS, PLAN
from sim.plan.trend import project_draws
from sim.scenario import Scenario

DEFAULT_TREND_NOISE = 0.02
#: Tables (draws x years) scored per batched call.
TABLES_PER_CHUNK = 10_000


@dataclass(frozen=True)
class PlanRobustness:
    """Rank probabilities per year of a plan under trend uncertainty.

    Attributes
    ----------
    scenario : Scenario
    years : tuple of int
    zones : list of str
    draws : int
    seed : int or str
    trend_noise : float
        Log-standard deviation of each year's factor per cell.
    rank_probabilities : dict
        ``{"plan" | "baseline": ndarray (years, zones, ranks)}``.
    score_median, score_low, score_high : ndarray, shape (years, zones)
        With the plan: median and 90 % interval.
    p_beats_baseline : ndarray, shape (years, zones)
        The plan's rank better than the baseline path's in the same draw.
    dropped : ndarray of int, shape (years,)
        Draws left out because the plan's table left a valid range.
    seconds : float
    notes : list of Message
    """

    scenario: Scenario
    years: tuple[int, ...]
    zones: list[str]
    draws: int
    seed: int | str
    trend_noise: float
    rank_probabilities: dict[str, np.ndarray]
    score_median: np.ndarray
    score_low: np.ndarray
    score_high: np.ndarray
    p_beats_baseline: np.ndarray
    dropped: np.ndarray
    seconds: float
    notes: list[Message] = field(default_factory=list)

    def probabilities(self, year: int, path: str = PLAN) -> pd.DataFrame:
        """Zones x ranks (1 ... m): the probability of each rank in ``year`` on ``path``."""
        k = self.years.index(year)
        m = len(self.zones)
        return pd.DataFrame(self.rank_probabilities[path][k], index=pd.Index(self.zones, name="zone"),
                            columns=pd.Index(range(1, m + 1), name="rank"))

    def to_dict(self) -> dict[str, Any]:
        years = []
        for k, year in enumerate(self.years):
            zones = []
            for i, zone in enumerate(self.zones):
                zones.append({
                    "zone": zone,
                    "rank_probabilities": {path: [float(p) for p in self.rank_probabilities[path][k, i]]
                                           for path in PATHS},
                    "score_median": float(self.score_median[k, i]),
                    "score_low": float(self.score_low[k, i]),
                    "score_high": float(self.score_high[k, i]),
                    "p_beats_baseline": float(self.p_beats_baseline[k, i]),
                })
            years.append({"year": year, "zones": zones, "dropped": int(self.dropped[k])})
        return {"scenario": self.scenario.name, "year": self.scenario.year, "horizon": self.years[-1],
                "draws": self.draws, "seed": self.seed, "trend_noise": self.trend_noise, "years": years,
                "notes": list(self.notes), "seconds": self.seconds}


def plan_robustness(
    package: DataPackage,
    scenario: Scenario,
    draws: int = 10_000,
    seed: int | np.random.Generator | None = None,
    trend_noise: float = DEFAULT_TREND_NOISE,
    chunk: int = TABLES_PER_CHUNK,
    progress=None,
) -> PlanRobustness:
    """Monte Carlo of a plan's year-by-year ranks with an uncertain trend (see the module docstring).

    Parameters
    ----------
    package : DataPackage
    scenario : Scenario
        A plan.
    draws : int
        Drawn baseline paths (each scored in every year, with and without the plan).
    seed : int or numpy.random.Generator, optional
        Same seed, same output; None: a fresh seed, reported.
    trend_noise : float
        Log-standard deviation of each year's factor, per cell (0.02: about 2 % a year).
    chunk : int
        Tables (draws x years) per batched call.
    progress : callable, optional
        ``progress(done, total)`` after each chunk.

    Raises
    ------
    UsageError
        Not a plan, bad draws or noise.
    SimError
        The plan itself cannot be run.

    Examples
    --------
    >>> import sim
    >>> package = sim.load_package()
    >>> plan = sim.parse_scenario("version: 1\\nname: p\\nyear: 2020\\nhorizon: 2022\\n", package)
    >>> report = plan_robustness(package, plan, draws=200, seed=1)
    >>> report.probabilities(2022).sum(axis=1).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    began = time.perf_counter()
    if not scenario.is_plan:
        raise UsageError(msg("plan.not_a_plan"))
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 1 <= draws <= MAX_DRAWS:
        raise UsageError(msg("plan.robust_bad_draws", draws=str(draws), most=MAX_DRAWS))
    if not (np.isfinite(trend_noise) and 0 <= trend_noise <= 1):
        raise UsageError(msg("plan.robust_bad_noise", value=str(trend_noise)))
    check_seed(seed)
    if seed is None:
        seed = secrets.randbits(32)  # still reproducible: reported
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    plan = compile_plan(package, scenario)
    from sim.plan.run import explain_plan

    explain_plan(plan)  # the plan itself runs, or its own error is raised
    model, trend = plan.model, plan.trend
    years, (m, n) = len(plan.years), model.base.shape
    counts = {path: np.zeros((years, m, m), dtype=np.int64) for path in PATHS}
    beats = np.zeros((years, m), dtype=np.int64)
    kept = np.zeros(years, dtype=np.int64)
    scores = np.empty((draws, years, m))
    per_chunk = max(1, int(chunk) // years)
    done = 0
    while done < draws:
        size = min(per_chunk, draws - done)
        noise = rng.standard_normal((size, years, m, n))
        noise *= trend_noise
        bases = project_draws(model.base, trend.factor, trend.amount, noise, model.rules)
        out = plan.evaluate(bases)
        valid = out["valid"]
        for path, key in ((PLAN, "scores"), (BASELINE, "baseline_scores")):
            ordinal = ordinal_ranks(np.where(valid[..., None], out[key], 0.0))
            hits = (ordinal[..., None] == np.arange(1, m + 1)) & valid[..., None, None]
            counts[path] += hits.sum(axis=0)
        plan_ranks = competition_ranks(np.where(valid[..., None], out["scores"], 0.0))
        base_ranks = competition_ranks(out["baseline_scores"])
        beats += ((plan_ranks < base_ranks) & valid[..., None]).sum(axis=0)
        kept += valid.sum(axis=0)
        scores[done:done + size] = out["scores"]
        done += size
        if progress is not None:
            progress(done, draws)
    share = np.maximum(kept, 1)[:, None]
    with np.errstate(invalid="ignore"):
        low, median, high = np.nanquantile(scores, [0.05, 0.5, 0.95], axis=0)
    dropped = draws - kept
    notes = [msg("plan.robust_dropped", year=plan.years[k], count=int(dropped[k]), draws=draws)
             for k in range(years) if dropped[k]]
    return PlanRobustness(
        scenario=scenario, years=plan.years, zones=list(model.zones), draws=draws,
        seed=int(seed) if isinstance(seed, (int, np.integer)) else "generator", trend_noise=float(trend_noise),
        rank_probabilities={path: counts[path] / share[..., None] for path in PATHS},
        score_median=median, score_low=low, score_high=high, p_beats_baseline=beats / share,
        dropped=dropped, seconds=time.perf_counter() - began, notes=notes,
    )


def plan_robustness_command(args, package: DataPackage, start: Scenario) -> int:
    """``zonesim robustness PLAN.yaml [--trend-noise 2%]``."""
    import sys

    from sim.analysis.robustness.command import ProgressBar, parse_sigma
    from sim.cli import emit
    from sim.report import csv_text, to_json

    noise = DEFAULT_TREND_NOISE if args.trend_noise is None else parse_sigma(args.trend_noise, "--trend-noise")
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    report = plan_robustness(package, start, draws=args.draws, seed=args.seed, trend_noise=noise,
                             chunk=args.chunk, progress=ProgressBar() if show else None)
    if args.format == "json":
        emit(to_json(report.to_dict()))
    elif args.format == "csv":
        emit(csv_text(robustness_frame(report)))
    else:
        emit(plan_robustness_table(report, package, args.lang))
    return 0


def robustness_frame(report: PlanRobustness) -> pd.DataFrame:
    """One row per year and zone: rank probabilities on both paths, score interval, P(beats)."""
    rows = []
    m = len(report.zones)
    for k, year in enumerate(report.years):
        for i, zone in enumerate(report.zones):
            row = {"scenario": report.scenario.name, "year": year, "zone": zone, "draws": report.draws}
            for path in PATHS:
                row.update({f"p_rank_{r + 1}_{path}": report.rank_probabilities[path][k, i, r] for r in range(m)})
            row.update(score_median=report.score_median[k, i], score_low=report.score_low[k, i],
                       score_high=report.score_high[k, i], p_beats_baseline=report.p_beats_baseline[k, i])
            rows.append(row)
    return pd.DataFrame(rows)


def plan_robustness_table(report: PlanRobustness, package: DataPackage, lang: str = "en") -> str:
    """Per year: each zone's rank probabilities with the plan, its score interval and the chance
    that the plan beats the baseline path; then how often each zone is ahead per path."""
    from sim.messages import render, text
    from sim.report import format_table

    names = package.name
    m = len(report.zones)
    pct = lambda p: f"{100 * p:.1f}%"  # noqa: E731
    scenario = report.scenario
    name = scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name
    lines = [render(msg("plan.robust_title", name=name, year=report.scenario.year,
                        horizon=report.years[-1], draws=report.draws, seed=str(report.seed),
                        noise=f"{100 * report.trend_noise:g}%"), lang), ""]
    headers = [text("plan.col_zone", lang), *(text("plan.robust_col_rank", lang, rank=r) for r in range(1, m + 1)),
               text("plan.robust_col_interval", lang), text("plan.robust_col_beats", lang)]
    for k, year in enumerate(report.years):
        probabilities = report.rank_probabilities[PLAN][k]
        expected = probabilities @ np.arange(1, m + 1)
        rows = [[names("zone", zone, lang), *(pct(p) for p in probabilities[i]),
                 f"{report.score_median[k, i]:.2f} [{report.score_low[k, i]:.2f}, {report.score_high[k, i]:.2f}]",
                 pct(report.p_beats_baseline[k, i])]
                for i, zone in sorted(enumerate(report.zones), key=lambda item: expected[item[0]])]
        lines += [text("plan.robust_year", lang, year=year), format_table(headers, rows), ""]
    lines.append(text("plan.robust_legend", lang))
    lines += [f"  - {render(n, lang, names)}" for n in report.notes]
    lines.append("\n" + text("plan.robust_seconds", lang, seconds=report.seconds))
    return "\n".join(lines)
