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
from sim.analysis.wording import percent_cell, scenario_name
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import Ref, msg, render, text


def parse_sigma(text: str, what: str = "--sigma") -> float:
    """``"5%"`` -> 0.05, ``"0.05"`` -> 0.05; a bare number above 1 is refused as ambiguous."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100.0 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(msg("analysis.sigma_not_number", what=what, text=repr(text))) from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(msg("analysis.sigma_negative", what=what, text=repr(text)))
    if not raw.endswith("%") and value > 1:
        raise UsageError(msg("analysis.sigma_ambiguous", what=what, text=repr(text), raw=raw))
    return value


def parse_concentration(text: str | None) -> float | None:
    if text is None or str(text).strip().lower() in ("none", "off", "inf", "infinite"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(msg("analysis.concentration_option_bad", text=repr(text))) from None
    if not value > 0:
        raise UsageError(msg("analysis.concentration_option_bad", text=repr(text)))
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
        raise UsageError(msg("analysis.draws_option_low", count=args.draws))
    if args.draws > MAX_DRAWS:
        raise UsageError(msg("analysis.draws_option_high", count=args.draws, most=MAX_DRAWS))
    if args.bootstrap < 0:
        raise UsageError(msg("analysis.bootstrap_option_low", count=args.bootstrap))
    if args.bootstrap > MAX_BOOTSTRAP:
        raise UsageError(msg("analysis.bootstrap_too_many", count=args.bootstrap, most=MAX_BOOTSTRAP))
    if args.chunk < 1:
        raise UsageError(msg("analysis.chunk_option_low", count=args.chunk))
    sigma = parse_sigma(args.sigma)
    sigma_by = {}
    for item in args.sigma_for or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(msg("analysis.pair_syntax", option="--sigma-for", item=repr(item),
                                 example="--sigma-for vc_investment=20%"))
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
        progress=ProgressBar(label=text("analysis.draws_word", args.lang)) if show else None,
    )
    if args.format == "json":
        from sim.report import to_json

        emit(to_json(report.to_dict(args.lang, package.name)))
    elif args.format == "csv":
        emit(robustness_csv(report, package, args.lang))
    else:
        emit(robustness_table(report, package, args.lang))
    return 0


def robustness_csv(report: RobustnessReport, package: DataPackage | None = None, lang: str = "en") -> str:
    """One row per zone: scores, ranks, the rank probabilities and (with a package) the zone's name."""
    from sim.analysis.wording import csv_headers
    from sim.report import csv_text  # the scenario's name must not run as a formula (issue 15)

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
    if package is not None:
        frame.insert(1, "zone_name", [package.name("zone", z, lang) for z in frame["zone"]])
    frame.insert(0, "draws", report.draws)
    frame.insert(0, "year", report.year)
    frame.insert(0, "scenario", report.scenario.name)
    return csv_text(csv_headers(frame, lang))


def robustness_table(report: RobustnessReport, package: DataPackage, lang: str = "en") -> str:
    """The report as readable text in ``lang``: one plain sentence per zone first, then the tables."""
    from sim.report import format_table

    def say(message) -> str:
        return render(message, lang, package.name)

    def label(key: str, **params) -> str:
        return text(f"analysis.{key}", lang, **params)

    s = report.settings
    m = len(report.zones)
    compared = report.p_beats_baseline is not None
    headers = [label("col_zone"), label("col_score"), label("col_rank"), label("col_median"), label("col_interval"),
               *(label("col_p_rank", rank=r) for r in range(1, m + 1))]
    if compared:
        headers += [label("col_baseline_rank"), label("col_p_beats")]
    rows = []
    for zone in report.rank.sort_values(kind="stable").index:
        row = [
            package.name("zone", zone, lang),
            f"{report.score[zone]:.2f}",
            int(report.rank[zone]),
            f"{report.score_median[zone]:.2f}",
            f"{report.score_low[zone]:.2f} – {report.score_high[zone]:.2f}",
            *(percent_cell(report.rank_probabilities.at[zone, r]) for r in range(1, m + 1)),
        ]
        if compared:
            row += [int(report.baseline_rank[zone]), percent_cell(report.p_beats_baseline[zone])]
        rows.append(row)
    weight_rows = [
        [
            package.name("indicator", indicator, lang),
            f"{100 * row['weight']:.2f}",
            f"{100 * row['loo_min']:.2f} – {100 * row['loo_max']:.2f}" if np.isfinite(row["loo_min"]) else "–",
            f"{100 * row['boot_low']:.2f} – {100 * row['boot_high']:.2f}" if np.isfinite(row["boot_low"]) else "–",
        ]
        for indicator, row in report.weights.sort_values("weight", ascending=False).iterrows()
    ]
    lines = [
        say(msg("analysis.rb_heading", scenario=scenario_name(report.scenario, lang),
                year=report.year, draws=f"{report.draws:,}", seed=s["seed"])),
        "",
        *robustness_sentences(report, package, lang),
        "",
        label("rb_varied"),
        *(f"  {say(line)}" for line in varied_lines(report)),
        "",
        format_table(headers, rows, align="lrrrr" + "r" * (len(headers) - 5)),
        "",
        say(msg("analysis.rb_p_rank_means_compared" if compared else "analysis.rb_p_rank_means")),
        "",
        say(msg("analysis.rb_weights_heading", normalization=msg(f"options.{s['method']['normalization']}"),
                count=m, bootstrap=f"{s['bootstrap']:,}")),
        format_table([label("col_indicator"), label("col_weight"), label("col_loo"), label("col_boot")],
                     weight_rows, align="lrrr"),
    ]
    if report.notes:
        lines += ["", label("notes")] + [f"  - {say(n)}" for n in report.notes]
    lines.append("\n" + say(msg("analysis.seconds", seconds=f"{report.seconds:.2f}")))
    return "\n".join(lines)


def robustness_sentences(report: RobustnessReport, package: DataPackage, lang: str = "en") -> list[str]:
    """One plain sentence per zone, best rank first, in ``lang`` with names: "江苏苏南 第 3 名的概率 62 %"."""
    return [render(sentence, lang, package.name) for sentence in report.sentences()]


def varied_lines(report: RobustnessReport) -> list:
    """What the draws vary: the data noise, the weights, the normalisations (messages)."""
    s = report.settings
    noise = msg("analysis.rb_noise", sigma=f"{100 * s['sigma']:g}%")
    if s["sigma_by"]:
        noise = msg("analysis.rb_noise_by", sigma=f"{100 * s['sigma']:g}%",
                    overrides=[msg("analysis.rb_noise_for", indicator=Ref("indicator", k), sigma=f"{100 * v:g}%")
                               for k, v in s["sigma_by"].items()])
    weights = (msg("analysis.rb_dirichlet", concentration=f"{s['concentration']:g}") if s["concentration"]
               else msg("analysis.rb_weights_fixed"))

    def normalisations(key: str, kinds: list[str]):
        names = [msg(f"options.{k}") for k in kinds]
        return msg(f"analysis.{key}_drawn" if len(kinds) > 1 else f"analysis.{key}_fixed", kinds=names)

    return [noise, weights, normalisations("rb_norm_weights", s["normalizations"]),
            normalisations("rb_norm_scores", s["score_normalizations"])]
