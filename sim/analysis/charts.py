"""Altair charts for the analysis tabs of the app (goal-seek, levers, robustness).

Each builder takes an analysis result and returns an :class:`altair.Chart`, with its
data inline, so that it can be tested without a browser (``chart.to_dict()``) and
shown by the app with ``st.altair_chart``. ``names`` (ids to display names) and
``lang`` (titles, from :mod:`sim.i18n`; default English) make them readable in the
app's language; the data keep the ids.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.analysis.goalseek import GoalSeekResult
from sim.analysis.levers import STEP_LABELS, STEPS, LeverReport
from sim.analysis.robustness import RobustnessReport
from sim.analysis.views import target_label
from sim.i18n import t


def _name(names: dict[str, str] | None, key: str) -> str:
    return (names or {}).get(key, key)


def levers_bar_chart(report: LeverReport, names: dict[str, str] | None = None, width: int = 520,
                     lang: str = "en") -> alt.Chart:
    """Score gain of each lever, both standard steps side by side, sorted like the report.

    Parameters
    ----------
    report : LeverReport
    names : dict, optional
        Display names of the indicators and zones (default: ids).
    lang : {"en", "zh"}
        Language of the titles.

    Returns
    -------
    altair.Chart
        Horizontal bars: indicator (y, sorted by the report's order) x gain (points),
        one colour per step; levers that earn nothing under min-max are drawn faded.
    """
    rows = []
    for indicator, row in report.table.iterrows():
        for step in STEPS:
            gain = row[f"gain_{step}"]
            rows.append({
                "indicator": indicator,
                "name": _name(names, indicator),
                "step": t(f"step_{step}", lang) if lang != "en" else STEP_LABELS[step],
                "change": row[f"step_{step}"],
                "gain": None if pd.isna(gain) else float(gain),
                "rank": None if pd.isna(gain) else int(row[f"rank_{step}"]),
                "stays_last": bool(row[f"stays_last_{step}"]),
                "helps_rivals": ", ".join(row[f"helped_rivals_{step}"]),
            })
    data = pd.DataFrame(rows)
    order = [_name(names, i) for i in report.table.index]
    steps = [t(f"step_{s}", lang) if lang != "en" else STEP_LABELS[s] for s in STEPS]
    return (
        alt.Chart(data, title=t("ch_lever_title", lang, zone=_name(names, report.zone), year=report.year))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("gain:Q", title=t("ch_gain_axis", lang)),
            color=alt.Color("step:N", title=t("ch_step", lang), sort=steps, legend=alt.Legend(orient="top")),
            yOffset=alt.YOffset("step:N", sort=steps),
            opacity=alt.condition("datum.stays_last", alt.value(0.35), alt.value(1.0)),
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)), alt.Tooltip("step:N", title=t("ch_step", lang)),
                     alt.Tooltip("change:N", title=t("col_change", lang)),
                     alt.Tooltip("gain:Q", title=t("ch_gain", lang), format="+.3f"),
                     alt.Tooltip("rank:Q", title=t("ch_rank", lang)),
                     alt.Tooltip("stays_last:N", title=t("ch_stays_last", lang)),
                     alt.Tooltip("helps_rivals:N", title=t("ch_helps_rivals", lang))],
        )
        .properties(width=width)
    )


def levers_heatmap(matrix: pd.DataFrame, names: dict[str, str] | None = None, step: str = "+10%",
                   lang: str = "en") -> alt.Chart:
    """Zones x indicators heatmap of each zone's own gain from a standard step.

    Zones across, indicators down (in the matrix's column order: reorder the columns
    to match a lever bar chart), so that long indicator names stay readable.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As from :func:`sim.analysis.levers.lever_matrix` (zones x indicators, points).
    """
    data = matrix.rename_axis(index="zone", columns="indicator").stack().rename("gain").reset_index()
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    data["indicator_name"] = [_name(names, i) for i in data["indicator"]]
    return (
        alt.Chart(data, title=t("ch_heat_title", lang, step=step))
        .mark_rect()
        .encode(
            y=alt.Y("indicator_name:N", sort=[_name(names, i) for i in matrix.columns], title=None,
                    axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            x=alt.X("zone_name:N", sort=[_name(names, z) for z in matrix.index], title=None,
                    axis=alt.Axis(labelAngle=-40, labelLimit=160, orient="top")),
            color=alt.Color("gain:Q", title=t("ch_gain", lang), scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("zone_name:N", title=t("col_zone", lang)),
                     alt.Tooltip("indicator_name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("gain:Q", title=t("ch_gain", lang), format="+.3f")],
        )
    )


def rank_probability_heatmap(report: RobustnessReport, names: dict[str, str] | None = None,
                             lang: str = "en") -> alt.Chart:
    """Zones x ranks heatmap of the probability of each rank (zones best first).

    Layer :func:`rank_probability_labels` on it (``heat + labels``) to write the
    percentages in the cells.
    """
    probabilities = report.rank_probabilities
    data = probabilities.rename_axis(index="zone", columns="rank").stack().rename("probability").reset_index()
    data["rank"] = data["rank"].astype(int)
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    order = [_name(names, z) for z in report.rank.sort_values(kind="stable").index]
    return (
        alt.Chart(data, title=t("ch_rank_prob_title", lang, draws=f"{report.draws:,}"))
        .mark_rect()
        .encode(
            x=alt.X("rank:O", title=t("ch_rank", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("zone_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
            color=alt.Color("probability:Q", scale=alt.Scale(domain=[0, 1], scheme="greens"),
                            title=t("ch_probability", lang)),
            tooltip=[alt.Tooltip("zone_name:N", title=t("col_zone", lang)), alt.Tooltip("rank:O", title=t("ch_rank", lang)),
                     alt.Tooltip("probability:Q", title=t("ch_probability", lang), format=".1%")],
        )
    )


def rank_probability_labels(report: RobustnessReport, names: dict[str, str] | None = None) -> alt.Chart:
    """The percentages of :func:`rank_probability_heatmap`, to layer on it (``heat + labels``)."""
    data = report.rank_probabilities.rename_axis(index="zone", columns="rank").stack().rename("probability")
    data = data.reset_index()
    data["rank"] = data["rank"].astype(int)
    data["label"] = [f"{100 * p:.0f}%" if p >= 0.005 else "" for p in data["probability"]]
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    order = [_name(names, z) for z in report.rank.sort_values(kind="stable").index]
    return alt.Chart(data).mark_text().encode(
        x=alt.X("rank:O"), y=alt.Y("zone_name:N", sort=order), text="label:N",
        color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
    )


def weight_stability_chart(report: RobustnessReport, names: dict[str, str] | None = None,
                           lang: str = "en") -> alt.Chart:
    """Bootstrap 90 % interval of each entropy weight (percent), as horizontal rules.

    Layer :func:`weight_stability_points` on it (``rules + points``) to mark the weights.
    """
    data = report.weights.reset_index()
    data["name"] = [_name(names, i) for i in data["indicator"]]
    for key in ("weight", "boot_low", "boot_high", "loo_min", "loo_max"):
        data[key] = 100 * data[key]
    order = [_name(names, i) for i in report.weights.sort_values("weight", ascending=False).index]
    return (
        alt.Chart(data, title=t("ch_weight_title", lang))
        .mark_rule(strokeWidth=3)
        .encode(
            y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("boot_low:Q", title=t("ch_weight_axis", lang)),
            x2="boot_high:Q",
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("weight:Q", title=t("col_weight_pct", lang), format=".2f"),
                     alt.Tooltip("boot_low:Q", title=t("col_boot_low", lang), format=".2f"),
                     alt.Tooltip("boot_high:Q", title=t("col_boot_high", lang), format=".2f"),
                     alt.Tooltip("loo_min:Q", title=t("col_loo_min", lang), format=".2f"),
                     alt.Tooltip("loo_max:Q", title=t("col_loo_max", lang), format=".2f")],
        )
    )


def weight_stability_points(report: RobustnessReport, names: dict[str, str] | None = None,
                            lang: str = "en") -> alt.Chart:
    """The entropy weights themselves (percent), as points to layer on :func:`weight_stability_chart`."""
    data = report.weights.reset_index()
    data["name"] = [_name(names, i) for i in data["indicator"]]
    data["weight"] = 100 * data["weight"]
    order = [_name(names, i) for i in report.weights.sort_values("weight", ascending=False).index]
    return alt.Chart(data).mark_point(filled=True, size=50, color="#e15759").encode(
        y=alt.Y("name:N", sort=order),
        x=alt.X("weight:Q"),
        tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                 alt.Tooltip("weight:Q", title=t("col_weight_pct", lang), format=".2f")],
    )


def goal_seek_chart(answer: GoalSeekResult, names: dict[str, str] | None = None, lang: str = "en") -> alt.Chart:
    """Scores of every zone before and after the goal-seek answer (grouped bars).

    The sought zone is outlined; for an ``overtake`` or ``score`` target the bar of the
    rival (or the target) is in the tooltip.
    """
    rows = []
    series = [t("ch_before", lang), t("ch_after", lang)]
    for zone in answer.result.scored.scores.index:
        for when, label, scored in (("before", series[0], answer.start.scored), ("after", series[1], answer.result.scored)):
            rows.append({
                "zone": zone,
                "name": _name(names, zone),
                "when": when,
                "series": label,
                "score": float(scored.scores[zone]),
                "rank": int(scored.ranks[zone]),
                "sought": zone == answer.zone,
            })
    data = pd.DataFrame(rows)
    order = [_name(names, z) for z in answer.result.scored.scores.sort_values(ascending=False).index]
    verdict = t("ch_reached" if answer.reached else "ch_not_reachable", lang)
    title = t("ch_gs_title", lang, zone=_name(names, answer.zone), target=target_label(answer.target, lang, names),
              verdict=verdict, cost=f"{answer.cost:.1f}")
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("name:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score:Q", title=t("ch_score_axis", lang)),
            xOffset=alt.XOffset("series:N", sort=series),
            color=alt.Color("series:N", sort=series, title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=series, range=["#bab0ac", "#4e79a7"])),
            stroke=alt.condition("datum.sought", alt.value("black"), alt.value(None)),
            tooltip=[alt.Tooltip("name:N", title=t("col_zone", lang)), alt.Tooltip("series:N", title=t("col_series", lang)),
                     alt.Tooltip("score:Q", title=t("col_score", lang), format=".2f"),
                     alt.Tooltip("rank:Q", title=t("col_rank", lang))],
        )
    )


def goal_seek_changes_chart(answer: GoalSeekResult, names: dict[str, str] | None = None,
                            lang: str = "en") -> alt.Chart:
    """The answer's changes: effort (percent of the starting value) per lever."""
    data = pd.DataFrame([
        {"indicator": c.indicator, "name": _name(names, c.indicator), "change": c.text, "effort": c.effort,
         "cost": c.cost, "before": c.before, "after": c.after}
        for c in answer.changes
    ], columns=["indicator", "name", "change", "effort", "cost", "before", "after"])
    return (
        alt.Chart(data, title=t("ch_changes_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("effort:Q", title=t("ch_effort", lang)),
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("change:N", title=t("col_change", lang)),
                     alt.Tooltip("before:Q", title=t("col_before", lang)),
                     alt.Tooltip("after:Q", title=t("col_after", lang)),
                     alt.Tooltip("cost:Q", title=t("col_cost", lang), format=".2f")],
        )
    )
