"""What the app's analysis tabs show: display tables and sentences, in zh or en.

Pure functions of the analysis results (:mod:`sim.analysis.goalseek`,
:mod:`sim.analysis.levers`, :mod:`sim.analysis.robustness`) and the data package;
labels come from :mod:`sim.i18n`, zone and indicator names from the package. The
app only shows what these return, so the tests can check them without Streamlit.

Numbers in the tables are rounded for reading (2 decimals, probabilities as percent
with 1 decimal); the analysis results keep full precision.

Examples
--------
>>> from sim.analysis.goalseek import Target
>>> target_label(Target("rank", rank=3), "en")
'rank 3 or better'
>>> target_text("overtake", rival="sunan")
'overtake:sunan'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd

from sim.analysis.goalseek import TARGET_KINDS, GoalSeekResult, Target
from sim.analysis.levers import STEPS, LeverReport
from sim.analysis.robustness import RobustnessReport
from sim.data import DataPackage
from sim.engine import Result
from sim.errors import UsageError
from sim.i18n import t
from sim.report import rank_arrow
from sim.scenario import Scenario

#: How the robustness tab varies the normalisation: (for the weights, for the scores),
#: as :func:`sim.analysis.robustness.robustness` takes them (None: the method's, fixed).
VARY_CHOICES: dict[str, tuple[str | None, str | None]] = {
    "fixed": (None, None),
    "scores": (None, "all"),
    "weights": ("all", None),
    "both": ("all", "all"),
}
#: Most draws the app accepts (the command line takes more).
APP_MAX_DRAWS = 100_000


def display_names(package: DataPackage, lang: str) -> dict[str, str]:
    """Display names of every zone and indicator, by id (for the chart builders)."""
    names = {i: package.name("indicator", i, lang) for i in package.indicator_ids}
    names.update({z: package.name("zone", z, lang) for z in package.zone_ids})
    return names


# --------------------------------------------------------------------------- goal-seek


def target_text(kind: str, rank: int | None = None, rival: str | None = None, score: float | None = None) -> str:
    """The target as :func:`sim.analysis.goalseek.parse_target` reads it (``rank:3``, ...).

    Raises
    ------
    UsageError
        An unknown kind (the values are checked by ``parse_target``).
    """
    if kind not in TARGET_KINDS:
        raise UsageError(f"target kind {kind!r} is not allowed; allowed: {', '.join(TARGET_KINDS)}")
    if kind == "rank":
        return f"rank:{rank}"
    if kind == "overtake":
        return f"overtake:{rival}"
    return f"score:{score!r}" if isinstance(score, float) else f"score:{score}"


def target_label(target: Target, lang: str = "en", names: Mapping[str, str] | None = None) -> str:
    """The target in words: ``rank 3 or better``, ``超过苏南``, ``score 65 or more``."""
    if target.kind == "rank":
        return t("tl_rank1", lang) if target.rank == 1 else t("tl_rank", lang, rank=target.rank)
    if target.kind == "overtake":
        return t("tl_overtake", lang, zone=(names or {}).get(target.rival, target.rival))
    return t("tl_score", lang, score=f"{target.score:g}")


def default_rival(result: Result, zone: str) -> str:
    """The zone to overtake by default: the one just ahead of ``zone`` (or just behind the leader)."""
    order = list(result.ranking().index)
    position = order.index(zone)
    return order[position - 1] if position > 0 else order[1] if len(order) > 1 else zone


def goal_seek_verdict(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> tuple[str, str]:
    """The answer in one sentence, and how to show it: ("success" | "warning" | "info", text)."""
    zone = package.name("zone", answer.zone, lang)
    target = target_label(answer.target, lang, display_names(package, lang))
    if answer.already_reached:
        return "info", t("gs_already", lang, zone=zone, target=target, rank=answer.rank_after,
                         score=f"{answer.score_after:.2f}")
    if answer.reached:
        return "success", t("gs_reached", lang, zone=zone, target=target, n=len(answer.changes),
                            cost=f"{answer.cost:.2f}")
    short = answer.shortfall
    shortfall = t("gs_short", lang, points=f"{short:.2f}") if short >= 0.005 else t("gs_tie", lang)
    return "warning", t("gs_not_reachable", lang, zone=zone, target=target, rank=answer.rank_after,
                        score=f"{answer.score_after:.2f}", shortfall=shortfall)


def found_scenario(answer: GoalSeekResult, package: DataPackage) -> Scenario:
    """The answer's scenario with a Chinese name too (the library writes the English one).

    ``name_zh`` is ``<start's name> + 目标求解：<zone><target>``, like the English name.
    """
    start = answer.start.scenario
    names = display_names(package, "zh")
    name = t("gs_name", "zh", zone=names.get(answer.zone, answer.zone), target=target_label(answer.target, "zh", names))
    if not answer.reached:
        name += t("gs_name_short", "zh")
    if start.source != "baseline":
        name = f"{start.name_zh or start.name} + {name}"
    return replace(answer.scenario, name_zh=name)


def goal_seek_changes_frame(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """The interventions found, largest cost first: indicator, change, before, after, effort %, cost."""
    changes = sorted(answer.changes, key=lambda c: -c.cost)
    return pd.DataFrame(
        {
            t("col_indicator", lang): [package.name("indicator", c.indicator, lang) for c in changes],
            t("col_change", lang): [c.text for c in changes],
            t("col_before", lang): [float(f"{c.before:.6g}") for c in changes],
            t("col_after", lang): [float(f"{c.after:.6g}") for c in changes],
            t("col_effort", lang): [round(c.effort, 2) for c in changes],
            t("col_cost", lang): [round(c.cost, 2) for c in changes],
        }
    )


def goal_seek_ranking_frame(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """The ranking with the answer next to the starting one: rank, zone, score, before, Δ rank."""
    ranking = answer.result.ranking()
    start = answer.start.scored
    zones = list(ranking.index)
    return pd.DataFrame(
        {
            t("col_rank", lang): ranking["rank"].astype(int).to_numpy(),
            t("col_zone", lang): [package.name("zone", z, lang) for z in zones],
            t("col_score", lang): ranking["score"].round(2).to_numpy(),
            t("col_start_score", lang): [round(float(start.scores[z]), 2) for z in zones],
            t("col_start_rank", lang): [int(start.ranks[z]) for z in zones],
            t("col_rank_change", lang): [rank_arrow(int(start.ranks[z]) - int(ranking.at[z, "rank"])) for z in zones],
        }
    )


# --------------------------------------------------------------------------- levers


def lever_flags(report: LeverReport, step: str | None = None) -> pd.DataFrame:
    """Per indicator (the report's order), for one step: ``stays_last``, ``helps`` (rival ids),
    ``moves`` (rival ids whose rank changed), ``capped``."""
    step = step or report.sort_by
    table = report.table
    return pd.DataFrame(
        {
            "stays_last": table[f"stays_last_{step}"].astype(bool),
            "helps": table[f"helped_rivals_{step}"].map(list),
            "moves": table[f"rivals_moved_{step}"].map(list),
            "capped": table[f"capped_{step}"].astype(bool),
        },
        index=table.index,
    )


def top_lever(report: LeverReport) -> str | None:
    """The indicator whose step (the report's ``sort_by``) gains the zone the most, if any gains at all."""
    gains = report.table[f"gain_{report.sort_by}"]
    if gains.isna().all() or not float(gains.max()) > 0:
        return None
    return str(gains.idxmax())


def lever_frame(report: LeverReport, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """The lever table: indicator, weight %, per step its text, gain and rank after, flags (sort step)."""
    names = display_names(package, lang)
    table = report.table
    frame = pd.DataFrame({
        t("col_indicator", lang): [names.get(i, i) for i in table.index],
        t("col_weight_pct", lang): (100 * table["weight"]).round(2).to_numpy(),
    })
    for step in STEPS:
        label = t(f"step_{step}", lang)
        gains = table[f"gain_{step}"]
        frame[t("col_step_of", lang, step=label)] = table[f"step_{step}"].to_numpy()
        frame[t("col_gain_of", lang, step=label)] = gains.round(3).to_numpy()
        frame[t("col_rank_of", lang, step=label)] = [
            None if pd.isna(g) else int(r) for g, r in zip(gains, table[f"rank_{step}"])]
    flags = lever_flags(report)
    texts = []
    for indicator, row in flags.iterrows():
        parts = []
        if row["stays_last"]:
            parts.append(t("flag_stays_last", lang))
        if row["helps"]:
            parts.append(t("flag_helps", lang, zones=", ".join(names.get(z, z) for z in row["helps"])))
        if row["moves"]:
            parts.append(t("flag_moves", lang, zones=", ".join(names.get(z, z) for z in row["moves"])))
        if row["capped"]:
            parts.append(t("flag_capped", lang))
        texts.append("; ".join(parts))
    frame[t("col_flags", lang)] = texts
    return frame


# --------------------------------------------------------------------------- robustness


def vary_normalizations(choice: str) -> tuple[str | None, str | None]:
    """(normalizations, score_normalizations) for :func:`~sim.analysis.robustness.robustness`.

    Raises
    ------
    UsageError
        An unknown choice.
    """
    if choice not in VARY_CHOICES:
        raise UsageError(f"normalisation variation {choice!r} is not allowed; allowed: {', '.join(VARY_CHOICES)}")
    return VARY_CHOICES[choice]


def robustness_frame(report: RobustnessReport, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """Per zone (best first): score, rank, median and 90 % interval, P(each rank) %,
    and for a scenario the baseline rank, P(beats it) % and P(not worse) %."""
    zones = list(report.rank.sort_values(kind="stable").index)
    frame = pd.DataFrame({
        t("col_zone", lang): [package.name("zone", z, lang) for z in zones],
        t("col_score", lang): [round(float(report.score[z]), 2) for z in zones],
        t("col_rank", lang): [int(report.rank[z]) for z in zones],
        t("col_median", lang): [round(float(report.score_median[z]), 2) for z in zones],
        t("col_low", lang): [round(float(report.score_low[z]), 2) for z in zones],
        t("col_high", lang): [round(float(report.score_high[z]), 2) for z in zones],
    })
    for rank in report.rank_probabilities.columns:
        frame[t("col_p_rank", lang, rank=int(rank))] = [
            round(100 * float(report.rank_probabilities.at[z, rank]), 1) for z in zones]
    if report.p_beats_baseline is not None:
        frame[t("col_baseline_rank", lang)] = [int(report.baseline_rank[z]) for z in zones]
        frame[t("col_p_beats", lang)] = [round(100 * float(report.p_beats_baseline[z]), 1) for z in zones]
        frame[t("col_p_not_worse", lang)] = [round(100 * float(report.p_not_worse[z]), 1) for z in zones]
    return frame


def weight_stability_frame(report: RobustnessReport, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """Per indicator (largest weight first), percent: weight, leave-one-out range, bootstrap 90 % interval."""
    weights = report.weights.sort_values("weight", ascending=False, kind="stable")

    def pct(column: str) -> list[float | None]:
        return [None if pd.isna(v) else round(100 * float(v), 2) for v in weights[column]]

    return pd.DataFrame({
        t("col_indicator", lang): [package.name("indicator", i, lang) for i in weights.index],
        t("col_weight_pct", lang): pct("weight"),
        t("col_loo_min", lang): pct("loo_min"),
        t("col_loo_max", lang): pct("loo_max"),
        t("col_boot_low", lang): pct("boot_low"),
        t("col_boot_high", lang): pct("boot_high"),
        t("col_share_top", lang): [None if pd.isna(v) else round(100 * float(v), 1)
                                   for v in weights["boot_share_top"]],
    })


__all__ = [
    "APP_MAX_DRAWS", "VARY_CHOICES", "default_rival", "display_names", "found_scenario", "goal_seek_changes_frame",
    "goal_seek_ranking_frame", "goal_seek_verdict", "lever_flags", "lever_frame",
    "robustness_frame", "target_label", "target_text", "top_lever", "vary_normalizations",
    "weight_stability_frame",
]
