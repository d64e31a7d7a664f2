"""Altair charts for the analysis tabs of the app (goal-seek, levers, robustness).

Each builder takes an analysis result and returns an :class:`altair.Chart`, with its
data inline, so that it can be tested without a browser (``chart.to_dict()``) and
shown by the app with ``st.altair_chart``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.analysis.goalseek import GoalSeekResult
from sim.analysis.levers import STEP_LABELS, STEPS, LeverReport
from sim.analysis.robustness import RobustnessReport


def _name(names: dict[str, str] | None, key: str) -> str:
    return (names or {}).get(key, key)


def levers_bar_chart(report: LeverReport, names: dict[str, str] | None = None, width: int = 520) -> alt.Chart:
    """Score gain of each lever, both standard steps side by side, sorted like the report.

    Parameters
    ----------
    report : LeverReport
    names : dict, optional
        Display names of the indicators (default: ids).

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
                "step": STEP_LABELS[step],
                "change": row[f"step_{step}"],
                "gain": None if pd.isna(gain) else float(gain),
                "rank": None if pd.isna(gain) else int(row[f"rank_{step}"]),
                "stays_last": bool(row[f"stays_last_{step}"]),
                "helps_rivals": ", ".join(row[f"helped_rivals_{step}"]),
            })
    data = pd.DataFrame(rows)
    order = list(report.table.index)
    return (
        alt.Chart(data, title=f"Score gain for {report.zone} ({report.year}), points")
        .mark_bar()
        .encode(
            y=alt.Y("indicator:N", sort=order, title=None),
            x=alt.X("gain:Q", title="score gain (points)"),
            color=alt.Color("step:N", title="step", sort=[STEP_LABELS[s] for s in STEPS]),
            yOffset=alt.YOffset("step:N", sort=[STEP_LABELS[s] for s in STEPS]),
            opacity=alt.condition("datum.stays_last", alt.value(0.35), alt.value(1.0)),
            tooltip=["name", "step", "change", alt.Tooltip("gain:Q", format="+.3f"), "rank", "stays_last",
                     "helps_rivals"],
        )
        .properties(width=width)
    )


def levers_heatmap(matrix: pd.DataFrame, names: dict[str, str] | None = None, step: str = "+10%") -> alt.Chart:
    """Zones x indicators heatmap of each zone's own gain from a standard step.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As from :func:`sim.analysis.levers.lever_matrix` (zones x indicators, points).
    """
    data = matrix.rename_axis(index="zone", columns="indicator").stack().rename("gain").reset_index()
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    data["indicator_name"] = [_name(names, i) for i in data["indicator"]]
    return (
        alt.Chart(data, title=f"Score gain from a {step} step (points)")
        .mark_rect()
        .encode(
            x=alt.X("indicator:N", sort=list(matrix.columns), title=None),
            y=alt.Y("zone:N", sort=list(matrix.index), title=None),
            color=alt.Color("gain:Q", title="gain", scale=alt.Scale(scheme="blues")),
            tooltip=["zone_name", "indicator_name", alt.Tooltip("gain:Q", format="+.3f")],
        )
    )


def rank_probability_heatmap(report: RobustnessReport, names: dict[str, str] | None = None) -> alt.Chart:
    """Zones x ranks heatmap of the probability of each rank (zones best first).

    Layer :func:`rank_probability_labels` on it (``heat + labels``) to write the
    percentages in the cells.
    """
    probabilities = report.rank_probabilities
    data = probabilities.rename_axis(index="zone", columns="rank").stack().rename("probability").reset_index()
    data["rank"] = data["rank"].astype(int)
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    order = list(report.rank.sort_values(kind="stable").index)
    return (
        alt.Chart(data, title=f"Probability of each rank ({report.draws:,} draws)")
        .mark_rect()
        .encode(
            x=alt.X("rank:O", title="rank"),
            y=alt.Y("zone:N", sort=order, title=None),
            color=alt.Color("probability:Q", scale=alt.Scale(domain=[0, 1], scheme="greens"), title="P"),
            tooltip=["zone_name", "rank", alt.Tooltip("probability:Q", format=".1%")],
        )
    )


def rank_probability_labels(report: RobustnessReport) -> alt.Chart:
    """The percentages of :func:`rank_probability_heatmap`, to layer on it (``heat + labels``)."""
    data = report.rank_probabilities.rename_axis(index="zone", columns="rank").stack().rename("probability")
    data = data.reset_index()
    data["rank"] = data["rank"].astype(int)
    data["label"] = [f"{100 * p:.0f}%" if p >= 0.005 else "" for p in data["probability"]]
    order = list(report.rank.sort_values(kind="stable").index)
    return alt.Chart(data).mark_text().encode(
        x=alt.X("rank:O"), y=alt.Y("zone:N", sort=order), text="label:N",
        color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
    )


def weight_stability_chart(report: RobustnessReport, names: dict[str, str] | None = None) -> alt.Chart:
    """Bootstrap 90 % interval of each entropy weight (percent), as horizontal rules."""
    data = report.weights.reset_index()
    data["name"] = [_name(names, i) for i in data["indicator"]]
    for key in ("weight", "boot_low", "boot_high", "loo_min", "loo_max"):
        data[key] = 100 * data[key]
    order = list(report.weights.sort_values("weight", ascending=False).index)
    return (
        alt.Chart(data, title="Entropy weights: bootstrap 90% interval (%)")
        .mark_rule(strokeWidth=3)
        .encode(
            y=alt.Y("indicator:N", sort=order, title=None),
            x=alt.X("boot_low:Q", title="weight (%)"),
            x2="boot_high:Q",
            tooltip=["name", alt.Tooltip("weight:Q", format=".2f"), alt.Tooltip("boot_low:Q", format=".2f"),
                     alt.Tooltip("boot_high:Q", format=".2f"), alt.Tooltip("loo_min:Q", format=".2f"),
                     alt.Tooltip("loo_max:Q", format=".2f")],
        )
    )


def goal_seek_chart(answer: GoalSeekResult, names: dict[str, str] | None = None) -> alt.Chart:
    """Scores of every zone before and after the goal-seek answer (grouped bars).

    The sought zone is outlined; for an ``overtake`` or ``score`` target the bar of the
    rival (or the target) is in the tooltip.
    """
    rows = []
    for zone in answer.result.scored.scores.index:
        for when, scored in (("before", answer.start.scored), ("after", answer.result.scored)):
            rows.append({
                "zone": zone,
                "name": _name(names, zone),
                "when": when,
                "score": float(scored.scores[zone]),
                "rank": int(scored.ranks[zone]),
                "sought": zone == answer.zone,
            })
    data = pd.DataFrame(rows)
    order = list(answer.result.scored.scores.sort_values(ascending=False).index)
    verdict = "reached" if answer.reached else "not reachable"
    return (
        alt.Chart(data, title=f"{answer.zone}: {answer.target.describe()} ({verdict}, cost {answer.cost:.1f})")
        .mark_bar()
        .encode(
            x=alt.X("zone:N", sort=order, title=None),
            y=alt.Y("score:Q", title="score (points)"),
            xOffset=alt.XOffset("when:N", sort=["before", "after"]),
            color=alt.Color("when:N", sort=["before", "after"], title=None),
            stroke=alt.condition("datum.sought", alt.value("black"), alt.value(None)),
            tooltip=["name", "when", alt.Tooltip("score:Q", format=".2f"), "rank"],
        )
    )


def goal_seek_changes_chart(answer: GoalSeekResult, names: dict[str, str] | None = None) -> alt.Chart:
    """The answer's changes: effort (percent of the starting value) per lever."""
    data = pd.DataFrame([
        {"indicator": c.indicator, "name": _name(names, c.indicator), "change": c.text, "effort": c.effort,
         "cost": c.cost, "before": c.before, "after": c.after}
        for c in answer.changes
    ], columns=["indicator", "name", "change", "effort", "cost", "before", "after"])
    return (
        alt.Chart(data, title="Changes found (effort, % of the starting value)")
        .mark_bar()
        .encode(
            y=alt.Y("indicator:N", sort="-x", title=None),
            x=alt.X("effort:Q", title="effort (%)"),
            tooltip=["name", "change", "before", "after", alt.Tooltip("cost:Q", format=".2f")],
        )
    )
