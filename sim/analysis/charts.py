"""Altair charts for the analysis tabs of the app (goal-seek, levers, robustness).

Each builder takes an analysis result and returns an :class:`altair.Chart`, with its
data inline, so that it can be tested without a browser (``chart.to_dict()``) and
shown by the app with ``st.altair_chart``. ``names`` (ids to display names) and
``lang`` (titles, from :mod:`sim.i18n`; default English) make them readable in the
app's language; the data keep the ids. ``footer`` (the data's provenance line, see
:func:`sim.provenance.chart_footer`) is written under the chart, which then is a layer of the chart and
its footer (:func:`sim.chart_style.with_footer`). Colours, wrapped names and axes come
from :mod:`sim.chart_style`, as in :mod:`sim.charts`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.analysis.goalseek import GoalSeekResult
from sim.analysis.levers import STEP_LABELS, STEPS, LeverReport
from sim.analysis.robustness import RobustnessReport
from sim.analysis.views import target_label
from sim.chart_style import (
    BASELINE_COLOR,
    BLUE_RAMP,
    DOWN_COLOR,
    GREEN_RAMP,
    RULE_COLOR,
    SCENARIO_COLOR,
    STEP_COLORS,
    WIDE_TITLE_COLUMNS,
    ZERO_FILL,
    axis,
    legend,
    ramp_color,
    ramp_scale,
    text_on,
    title,
    with_footer,
    wrap_label,
)
from sim.i18n import t


def _name(names: dict[str, str] | None, key: str) -> str:
    return (names or {}).get(key, key)


#: Zone names beside a heatmap's cells: two short lines leave the cells their width.
ZONE_COLUMNS = 12


def _label(names: dict[str, str] | None, key: str, columns: int = 26) -> str:
    """A name as an axis shows it (wrapped, see :func:`sim.chart_style.wrap_label`)."""
    return wrap_label(_name(names, key), columns)


def levers_bar_chart(report: LeverReport, names: dict[str, str] | None = None, width: int | None = None,
                     lang: str = "en", footer: str | None = None) -> alt.Chart | alt.LayerChart:
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
                "label": _label(names, indicator),
                "step": t(f"step_{step}", lang) if lang != "en" else STEP_LABELS[step],
                "change": row[f"step_{step}"],
                "gain": None if pd.isna(gain) else float(gain),
                "rank": None if pd.isna(gain) else int(row[f"rank_{step}"]),
                "stays_last": bool(row[f"stays_last_{step}"]),
                "helps_rivals": ", ".join(row[f"helped_rivals_{step}"]),
            })
    data = pd.DataFrame(rows)
    order = [_label(names, i) for i in report.table.index]
    steps = [t(f"step_{s}", lang) if lang != "en" else STEP_LABELS[s] for s in STEPS]
    chart = (
        alt.Chart(data, title=title(t("ch_lever_title", lang, zone=_name(names, report.zone), year=report.year),
                                    WIDE_TITLE_COLUMNS))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=axis("y")),
            x=alt.X("gain:Q", title=t("ch_gain_axis", lang), axis=axis()),
            color=alt.Color("step:N", title=t("ch_step", lang), sort=steps, legend=legend(orient="top"),
                            scale=alt.Scale(domain=steps, range=list(STEP_COLORS))),
            yOffset=alt.YOffset("step:N", sort=steps),
            opacity=alt.condition("datum.stays_last", alt.value(0.35), alt.value(1.0)),
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)), alt.Tooltip("step:N", title=t("ch_step", lang)),
                     alt.Tooltip("change:N", title=t("col_change", lang)),
                     alt.Tooltip("gain:Q", title=t("ch_gain", lang), format="+.3f"),
                     alt.Tooltip("rank:Q", title=t("ch_rank", lang)),
                     alt.Tooltip("stays_last:N", title=t("ch_stays_last", lang)),
                     alt.Tooltip("helps_rivals:N", title=t("ch_helps_rivals", lang))],
        )
        .properties(height=alt.Step(14), **({"width": width} if width else {}))
    )
    return with_footer(chart, footer)


def levers_heatmap(matrix: pd.DataFrame, names: dict[str, str] | None = None, step: str = "+10%",
                   lang: str = "en", footer: str | None = None) -> alt.Chart | alt.LayerChart:
    """Zones x indicators heatmap of each zone's own gain from a standard step.

    Zones across, indicators down (in the matrix's column order: reorder the columns
    to match a lever bar chart), so that long indicator names stay readable. Every
    zone is labelled (names wrapped, never dropped); a gain of exactly 0 is a white
    cell, apart from the lightest blue of a small gain.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As from :func:`sim.analysis.levers.lever_matrix` (zones x indicators, points).
    """
    data = matrix.rename_axis(index="zone", columns="indicator").stack().rename("gain").reset_index()
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    data["zone_label"] = [_label(names, z, ZONE_COLUMNS) for z in data["zone"]]
    data["indicator_name"] = [_name(names, i) for i in data["indicator"]]
    data["indicator_label"] = [_label(names, i) for i in data["indicator"]]
    high = max(float(data["gain"].max()), 1e-12)
    low = min(float(data["gain"].min()), 0.0)
    color = alt.Color("gain:Q", title=t("ch_gain", lang), scale=ramp_scale(BLUE_RAMP, (low, high)),
                      # under the cells, not beside them: the zones' columns keep the width
                      legend=legend(labelExpr="datum.label", orient="bottom", direction="horizontal",
                                    gradientLength=160, titleOrient="left", offset=12))
    # a zone's name never runs into the next column: cut (…) to the column's width
    zone_axis = axis("x", labelAngle=0, orient="top", labelLimit={"expr": f"width / {max(len(matrix.index), 1)} - 12"})
    chart = (
        alt.Chart(data, title=title(t("ch_heat_title", lang, step=step), WIDE_TITLE_COLUMNS))
        .mark_rect(stroke=RULE_COLOR, strokeWidth=0.5)
        .encode(
            y=alt.Y("indicator_label:N", sort=[_label(names, i) for i in matrix.columns], title=None,
                    axis=axis("y")),
            x=alt.X("zone_label:N", sort=[_label(names, z, ZONE_COLUMNS) for z in matrix.index], title=None,
                    axis=zone_axis),
            color=alt.condition("datum.gain == 0", alt.value(ZERO_FILL), color),
            tooltip=[alt.Tooltip("zone_name:N", title=t("col_zone", lang)),
                     alt.Tooltip("indicator_name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("gain:Q", title=t("ch_gain", lang), format="+.3f")],
        )
    )
    return with_footer(chart, footer, below=62)  # under the legend


def _probabilities(report: RobustnessReport, names: dict[str, str] | None) -> pd.DataFrame:
    data = report.rank_probabilities.rename_axis(index="zone", columns="rank").stack().rename("probability")
    data = data.reset_index()
    data["rank"] = data["rank"].astype(int)
    data["zone_name"] = [_name(names, z) for z in data["zone"]]
    data["zone_label"] = [_label(names, z, ZONE_COLUMNS) for z in data["zone"]]
    # The cell's colour as the scale draws it, and the text colour that reads on it (WCAG AA).
    fills = [ZERO_FILL if p == 0 else ramp_color(GREEN_RAMP, p) for p in data["probability"]]
    data["text_color"] = [text_on(fill) for fill in fills]
    data["label"] = ["0" if p == 0 else "<1%" if p < 0.005 else f"{100 * p:.0f}%" for p in data["probability"]]
    return data


def _zone_order(report: RobustnessReport, names: dict[str, str] | None) -> list[str]:
    return [_label(names, z, ZONE_COLUMNS) for z in report.rank.sort_values(kind="stable").index]


def rank_probability_heatmap(report: RobustnessReport, names: dict[str, str] | None = None,
                             lang: str = "en", footer: str | None = None) -> alt.Chart | alt.LayerChart:
    """Zones x ranks heatmap of the probability of each rank (zones best first).

    A probability of exactly 0 is a white cell (labelled 0), never the pale green of
    1 %. Layer :func:`rank_probability_labels` on it (``heat + labels``) to write the
    percentages in the cells.
    """
    data = _probabilities(report, names)
    # No legend: every cell is labelled with its percentage (rank_probability_labels), and a
    # legend beside the cells leaves them 20 px wide in a half-width column at 1024 px.
    color = alt.Color("probability:Q", scale=ramp_scale(GREEN_RAMP, (0.0, 1.0)), title=t("ch_probability", lang),
                      legend=None)
    chart = (
        alt.Chart(data, title=title(t("ch_rank_prob_title", lang, draws=f"{report.draws:,}")))
        .mark_rect(stroke=RULE_COLOR, strokeWidth=0.5)
        .encode(
            x=alt.X("rank:O", title=t("ch_rank", lang), axis=axis(labelAngle=0)),
            y=alt.Y("zone_label:N", sort=_zone_order(report, names), title=None, axis=axis("y")),
            color=alt.condition("datum.probability == 0", alt.value(ZERO_FILL), color),
            tooltip=[alt.Tooltip("zone_name:N", title=t("col_zone", lang)), alt.Tooltip("rank:O", title=t("ch_rank", lang)),
                     alt.Tooltip("probability:Q", title=t("ch_probability", lang), format=".1%")],
        )
    )
    return with_footer(chart, footer)


def rank_probability_labels(report: RobustnessReport, names: dict[str, str] | None = None) -> alt.Chart:
    """The percentages of :func:`rank_probability_heatmap`, to layer on it (``heat + labels``).

    Each label is black or white, whichever contrasts more with its cell (at least 4.5:1).
    """
    data = _probabilities(report, names)
    return alt.Chart(data).mark_text(fontSize=12).encode(
        x=alt.X("rank:O"), y=alt.Y("zone_label:N", sort=_zone_order(report, names)), text="label:N",
        # a value per cell, not a scale: the layer shares the heatmap's colour scale otherwise
        color=alt.condition("datum.text_color == '#ffffff'", alt.value("#ffffff"), alt.value("#000000")),
    )


def weight_stability_chart(report: RobustnessReport, names: dict[str, str] | None = None,
                           lang: str = "en", footer: str | None = None) -> alt.Chart | alt.LayerChart:
    """Bootstrap 90 % interval of each entropy weight (percent), as horizontal rules.

    Layer :func:`weight_stability_points` on it (``rules + points``) to mark the weights.
    """
    data = report.weights.reset_index()
    data["name"] = [_name(names, i) for i in data["indicator"]]
    data["label"] = [_label(names, i) for i in data["indicator"]]
    for key in ("weight", "boot_low", "boot_high", "loo_min", "loo_max"):
        data[key] = 100 * data[key]
    order = [_label(names, i) for i in report.weights.sort_values("weight", ascending=False).index]
    chart = (
        alt.Chart(data, title=title(t("ch_weight_title", lang)))
        .mark_rule(strokeWidth=3, color=SCENARIO_COLOR)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=axis("y")),
            x=alt.X("boot_low:Q", title=t("ch_weight_axis", lang), axis=axis()),
            x2="boot_high:Q",
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("weight:Q", title=t("col_weight_pct", lang), format=".2f"),
                     alt.Tooltip("boot_low:Q", title=t("col_boot_low", lang), format=".2f"),
                     alt.Tooltip("boot_high:Q", title=t("col_boot_high", lang), format=".2f"),
                     alt.Tooltip("loo_min:Q", title=t("col_loo_min", lang), format=".2f"),
                     alt.Tooltip("loo_max:Q", title=t("col_loo_max", lang), format=".2f")],
        )
        .properties(height=alt.Step(28))
    )
    return with_footer(chart, footer)


def weight_stability_points(report: RobustnessReport, names: dict[str, str] | None = None,
                            lang: str = "en") -> alt.Chart:
    """The entropy weights themselves (percent), as points to layer on :func:`weight_stability_chart`."""
    data = report.weights.reset_index()
    data["name"] = [_name(names, i) for i in data["indicator"]]
    data["label"] = [_label(names, i) for i in data["indicator"]]
    data["weight"] = 100 * data["weight"]
    order = [_label(names, i) for i in report.weights.sort_values("weight", ascending=False).index]
    return alt.Chart(data).mark_point(filled=True, size=50, color=DOWN_COLOR, opacity=1).encode(
        y=alt.Y("label:N", sort=order),
        x=alt.X("weight:Q"),
        tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                 alt.Tooltip("weight:Q", title=t("col_weight_pct", lang), format=".2f")],
    )


def goal_seek_chart(answer: GoalSeekResult, names: dict[str, str] | None = None, lang: str = "en",
                    footer: str | None = None) -> alt.Chart | alt.LayerChart:
    """Scores of every zone before and after the goal-seek answer (grouped bars).

    The sought zone is outlined; for an ``overtake`` or ``score`` target the bar of the
    rival (or the target) is in the tooltip. Every zone is labelled (names wrapped).
    """
    rows = []
    series = [t("ch_before", lang), t("ch_after", lang)]
    for zone in answer.result.scored.scores.index:
        for when, label, scored in (("before", series[0], answer.start.scored), ("after", series[1], answer.result.scored)):
            rows.append({
                "zone": zone,
                "name": _name(names, zone),
                "label": _label(names, zone),
                "when": when,
                "series": label,
                "score": float(scored.scores[zone]),
                "rank": int(scored.ranks[zone]),
                "sought": zone == answer.zone,
            })
    data = pd.DataFrame(rows)
    order = [_label(names, z) for z in answer.result.scored.scores.sort_values(ascending=False).index]
    verdict = t("ch_reached" if answer.reached else "ch_not_reachable", lang)
    heading = t("ch_gs_title", lang, zone=_name(names, answer.zone), target=target_label(answer.target, lang, names),
                verdict=verdict, cost=f"{answer.total_change:.1f}")
    chart = (
        alt.Chart(data, title=title(heading))
        .mark_bar()
        .encode(
            # horizontal bars: zone names on the y axis stay readable in a half-width column at 1024 px
            y=alt.Y("label:N", sort=order, title=None, axis=axis("y")),
            x=alt.X("score:Q", title=t("col_score", lang), axis=axis()),
            yOffset=alt.YOffset("series:N", sort=series),
            color=alt.Color("series:N", sort=series, title=None, legend=legend(orient="top"),
                            scale=alt.Scale(domain=series, range=[BASELINE_COLOR, SCENARIO_COLOR])),
            stroke=alt.condition("datum.sought", alt.value("black"), alt.value(None)),
            tooltip=[alt.Tooltip("name:N", title=t("col_zone", lang)), alt.Tooltip("series:N", title=t("col_series", lang)),
                     alt.Tooltip("score:Q", title=t("col_score", lang), format=".2f"),
                     alt.Tooltip("rank:Q", title=t("col_rank", lang))],
        )
        .properties(height=alt.Step(16))
    )
    return with_footer(chart, footer)


def goal_seek_changes_chart(answer: GoalSeekResult, names: dict[str, str] | None = None,
                            lang: str = "en", footer: str | None = None) -> alt.Chart | alt.LayerChart:
    """The answer's changes: effort (percent of the starting value) per lever."""
    data = pd.DataFrame([
        {"indicator": c.indicator, "name": _name(names, c.indicator), "label": _label(names, c.indicator),
         "change": c.text, "effort": c.effort, "weighted_change": c.weighted_change, "before": c.before,
         "after": c.after}
        for c in answer.changes
    ], columns=["indicator", "name", "label", "change", "effort", "weighted_change", "before", "after"])
    chart = (
        alt.Chart(data, title=title(t("ch_changes_title", lang)))
        .mark_bar(color=SCENARIO_COLOR)
        .encode(
            y=alt.Y("label:N", sort="-x", title=None, axis=axis("y")),
            x=alt.X("effort:Q", title=t("ch_effort", lang), axis=axis()),
            tooltip=[alt.Tooltip("name:N", title=t("col_indicator", lang)),
                     alt.Tooltip("change:N", title=t("col_change", lang)),
                     alt.Tooltip("before:Q", title=t("col_before", lang)),
                     alt.Tooltip("after:Q", title=t("col_after", lang)),
                     alt.Tooltip("weighted_change:Q", title=t("col_cost", lang), format=".2f")],
        )
        .properties(height=alt.Step(30))
    )
    return with_footer(chart, footer)
