"""What the app's analysis tabs show: display tables and sentences, in zh or en.

Pure functions of the analysis results (:mod:`sim.analysis.goalseek`,
:mod:`sim.analysis.levers`, :mod:`sim.analysis.robustness`) and the data package;
labels come from the catalogue (:mod:`sim.i18n` for the app's own, ``analysis.yaml``
and ``sure.yaml`` for what the command line says too), zone and indicator names from
the package. The app only shows what these return, so the tests can check them
without Streamlit.

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
from sim.analysis.lever_text import flags_text, top_lever_message
from sim.analysis.levers import STEPS, LeverReport
from sim.analysis.robustness import RobustnessReport, robustness_sentences
from sim.analysis.wording import change_text, chance
from sim.data import DataPackage
from sim.engine import Result
from sim.errors import UsageError
from sim.i18n import t
from sim.messages import msg, render, text
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
        raise UsageError(msg("analysis.target_kind_not_allowed", kind=repr(kind), allowed=", ".join(TARGET_KINDS)))
    if kind == "rank":
        return f"rank:{rank}"
    if kind == "overtake":
        return f"overtake:{rival}"
    return f"score:{score!r}" if isinstance(score, float) else f"score:{score}"


def target_label(target: Target, lang: str = "en", names: Mapping[str, str] | None = None) -> str:
    """The target in words: ``rank 3 or better``, ``超过苏南``, ``score 65 or more`` (names by id)."""
    return target.describe().render(lang, lambda kind, item, _lang: (names or {}).get(item, item))


def default_rival(result: Result, zone: str) -> str:
    """The zone to overtake by default: the one just ahead of ``zone`` (or just behind the leader)."""
    order = list(result.ranking().index)
    position = order.index(zone)
    return order[position - 1] if position > 0 else order[1] if len(order) > 1 else zone


def goal_seek_verdict(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> tuple[str, str]:
    """The answer with its margin and how sure it is, and how to show it: ("success" | "warning" | "info", text).

    A target reached but "too close to call" (data noise undoes it in more than one
    draw in ten) is shown as a warning, whatever the search says.
    """
    zone = package.name("zone", answer.zone, lang)
    target = target_label(answer.target, lang, display_names(package, lang))
    sure = answer.sureness()
    how = "" if sure is None else ("" if lang == "zh" else " ") + render(sure, lang, package.name) + \
        ("。" if lang == "zh" else ".")
    if answer.already_reached:
        return "info", t("gs_already", lang, zone=zone, target=target, rank=answer.rank_after,
                         score=f"{answer.score_after:.2f}") + how
    if answer.reached:
        head = t("gs_reached", lang, zone=zone, target=target, count=len(answer.changes),
                 total=f"{answer.total_change:.2f}")
        return ("warning" if answer.too_close else "success"), head + how
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


def goal_seek_chance(answer: GoalSeekResult) -> str | None:
    """The chance that the target still holds under data noise, as ``62 %`` (None when not computed)."""
    return None if answer.confidence is None else chance(answer.confidence.probability)


def goal_seek_changes_frame(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """The interventions found, largest first: indicator, change, before, after, |Δ%|, and the part of
    the total change when some lever weighs other than 1 (the app's levers all weigh 1)."""
    changes = sorted(answer.changes, key=lambda c: -c.weighted_change)
    columns = {
        t("col_indicator", lang): [package.name("indicator", c.indicator, lang) for c in changes],
        t("col_change", lang): [change_text(c.text, lang) for c in changes],
        t("col_before", lang): [float(f"{c.before:.6g}") for c in changes],
        t("col_after", lang): [float(f"{c.after:.6g}") for c in changes],
        text("analysis.col_effort", lang): [round(c.effort, 2) for c in changes],
    }
    if any(lever.cost != 1.0 for lever in answer.levers):
        columns[text("analysis.col_weighted", lang)] = [round(c.weighted_change, 2) for c in changes]
    return pd.DataFrame(columns)


def goal_seek_ranking_frame(answer: GoalSeekResult, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """The ranking with the answer next to the starting one: rank, zone, score, gap to the next
    zone (points; what the margin of a rank target is made of), before, Δ rank."""
    ranking = answer.result.ranking()
    start = answer.start.scored
    zones = list(ranking.index)
    scores = list(ranking["score"])
    return pd.DataFrame(
        {
            t("col_rank", lang): ranking["rank"].astype(int).to_numpy(),
            t("col_zone", lang): [package.name("zone", z, lang) for z in zones],
            t("col_score", lang): ranking["score"].round(2).to_numpy(),
            text("analysis.col_gap", lang): [round(scores[k] - scores[k + 1], 2) if k + 1 < len(scores) else None
                                             for k in range(len(scores))],
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


def top_lever_sentence(report: LeverReport, package: DataPackage, lang: str = "en") -> str:
    """The lever answer in one sentence (as the command line says it)."""
    return render(top_lever_message(report), lang, package.name)


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
        frame[t("col_step_of", lang, step=label)] = [change_text(s, lang) for s in table[f"step_{step}"]]
        frame[t("col_gain_of", lang, step=label)] = gains.round(3).to_numpy()
        frame[t("col_rank_of", lang, step=label)] = [
            None if pd.isna(g) else int(r) for g, r in zip(gains, table[f"rank_{step}"])]
    frame[t("col_flags", lang)] = [flags_text(report, indicator, package, lang) for indicator in table.index]
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
        raise UsageError(msg("analysis.vary_unknown", choice=repr(choice), allowed=", ".join(VARY_CHOICES)))
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
    "APP_MAX_DRAWS", "VARY_CHOICES", "default_rival", "display_names", "found_scenario", "goal_seek_chance",
    "goal_seek_changes_frame", "goal_seek_ranking_frame", "goal_seek_verdict", "lever_flags", "lever_frame",
    "robustness_frame", "robustness_sentences", "target_label", "target_text", "top_lever", "top_lever_sentence",
    "vary_normalizations", "weight_stability_frame",
]
