"""``zonesim robustness``: arguments, the command, and the report as text or CSV."""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
import pandas as pd

from sim.analysis.robustness.report import RobustnessReport, robustness
from sim.analysis.robustness.core import DEFAULT_BOOTSTRAP, DEFAULT_CHUNK, MAX_BOOTSTRAP, MAX_DRAWS
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import msg, render


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
    parser.add_argument("--trend-noise", metavar="SIGMA",
                        help="plans over years: lognormal noise on each year's trend step, per value (default 2%%)")
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
    if args.bootstrap > MAX_BOOTSTRAP:
        raise UsageError(msg("analysis.bootstrap_too_many", count=args.bootstrap, most=MAX_BOOTSTRAP))
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
    if start.is_plan:
        from sim.plan.robustness import plan_robustness_command

        return plan_robustness_command(args, package, start)
    if args.trend_noise is not None:
        raise UsageError(msg("plan.robust_trend_noise_one_year"))
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
        lines += ["", "Notes"] + [f"  - {render(n, lang, package.name)}" for n in report.notes]
    lines.append(f"\n{report.seconds:.2f} s")
    return "\n".join(lines)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"
