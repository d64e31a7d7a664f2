"""Altair charts and display tables of results, testable without a browser.

Every builder takes results and the data package and returns an Altair chart (or a
pandas table for display) whose data are plain columns with readable names in the
chosen language; tests check the data and the encodings, the app only shows them.

- :func:`scores_chart`: composite scores, baseline next to scenario, per zone;
- :func:`group_contributions_chart`: each group's points stacked per zone (the
  paper's Figure 2);
- :func:`weight_drift_chart`: how each indicator's weight moved (percentage points);
- :func:`decomposition_chart`: a zone's score change split into the data change and
  the weight shift;
- :func:`rank_chart`: ranks across scenarios (a bump chart; a slope chart for two),
  each point with its score;
- :func:`score_chart`: scores across scenarios on a score axis (gaps at their size);
- :func:`ranking_frame` and :func:`comparison_wide_frame`: the tables shown next to them.

Colours, the rule for long names and the footer (the data's provenance line, under
every chart) come from :mod:`sim.chart_style`; a chart is a layer of its marks and
its footer, the marks' data in ``chart.layer[0].data``.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import baseline_scenario
>>> from sim.engine import run_scenario
>>> package = load_package()
>>> result = run_scenario(package, baseline_scenario(package, 2020))
>>> chart = scores_chart(result, package, "en")
>>> sorted(chart.layer[0].data["series"].unique())
['baseline', 'scenario']
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from sim.chart_style import (
    BASELINE_COLOR,
    FOOTER_BELOW_TWO_LINES,
    DOWN_COLOR,
    GROUP_COLORS,
    PART_COLORS,
    SCENARIO_COLOR,
    TEXT_COLOR,
    UP_COLOR,
    WIDE_TITLE_COLUMNS,
    axis,
    legend,
    legend_columns,
    wrap_label,
    title,
    with_footer,
    wrapped,
    zone_colors,
)
from sim.data import DataPackage
from sim.engine import Result
from sim.i18n import t
from sim.provenance import chart_footer
from sim.report import rank_arrow

#: ``footer=AUTO``: the data's provenance line of the result (:func:`sim.provenance.chart_footer`).
AUTO = "auto"


def _zone_order(result: Result) -> list[str]:
    return list(result.ranking().index)


def _names(package: DataPackage, kind: str, ids: Sequence[str], lang: str) -> list[str]:
    return [package.name(kind, i, lang) for i in ids]


def _footer(footer: str | None, result: Result, lang: str) -> str | None:
    return chart_footer(result, lang) if footer == AUTO else footer


def zone_color_scale(package: DataPackage, lang: str) -> alt.Scale:
    """The zone colours (:func:`sim.chart_style.zone_colors`) for a field of zone names in ``lang``."""
    colors = zone_colors(package.zone_ids)
    return alt.Scale(domain=_names(package, "zone", list(colors), lang), range=list(colors.values()))


def scenario_label(result: Result, lang: str) -> str:
    """The scenario's display name in ``lang`` (its Chinese name when there is one)."""
    scenario = result.scenario
    return scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name


# --------------------------------------------------------------------------- tables


def ranking_frame(result: Result, package: DataPackage, lang: str = "zh") -> pd.DataFrame:
    """The ranking for display: rank, zone name, score, lead over the next zone, Δ score, Δ rank, baseline.

    Numbers are rounded to 2 decimals here because this table is for reading; the
    downloads keep full precision. The lead (score minus the next zone's) is text, so
    the last zone shows "–": a lead of 0.08 points is a near tie, not a win.
    """
    ranking = result.ranking()
    scores = ranking["score"].to_numpy()
    leads = [f"{scores[i] - scores[i + 1]:.2f}" for i in range(len(scores) - 1)] + ["–"]
    return pd.DataFrame(
        {
            t("col_rank", lang): ranking["rank"].astype(int).to_numpy(),
            t("col_zone", lang): _names(package, "zone", ranking.index, lang),
            t("col_score", lang): ranking["score"].round(2).to_numpy(),
            t("col_lead", lang): leads,
            t("col_delta", lang): ranking["delta"].round(2).to_numpy(),
            t("col_rank_change", lang): [rank_arrow(int(c)) for c in ranking["rank_change"]],
            t("col_baseline_score", lang): ranking["baseline_score"].round(2).to_numpy(),
            t("col_baseline_rank", lang): ranking["baseline_rank"].astype(int).to_numpy(),
        }
    )


def fixed_decimals(frame: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """``frame`` with its float columns as text with exactly ``decimals`` decimals (for a static table).

    A static table in the browser shows what it is given; ``-0.00`` is shown as ``0.00``.
    """
    shown = frame.copy()
    for column in frame.columns[[pd.api.types.is_float_dtype(dtype) for dtype in frame.dtypes]]:
        shown[column] = [f"{value + 0.0:.{decimals}f}" for value in frame[column]]
    return shown


def comparison_labels(results: Sequence[Result], lang: str = "zh", names: Sequence[str] | None = None) -> list[str]:
    """Unique column labels for scenarios: ``[1] name``, ``[2] name``, ..."""
    names = list(names) if names is not None else [scenario_label(r, lang) for r in results]
    return [f"[{position}] {name}" for position, name in enumerate(names, start=1)]


def comparison_wide_frame(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """Zones down, scenarios across: score, rank, Δ score and Δ rank per scenario.

    Zones are in the order of the first scenario's baseline ranking. Column names are
    ``"<label> <what>"``; numbers rounded to 2 decimals (for reading).
    """
    labels = list(labels) if labels is not None else comparison_labels(results, lang)
    zones = list(results[0].baseline.scores.sort_values(ascending=False, kind="stable").index)
    frame = pd.DataFrame({t("col_zone", lang): _names(package, "zone", zones, lang)})
    frame[t("col_baseline_rank", lang)] = [int(results[0].baseline.ranks[z]) for z in zones]
    for label, result in zip(labels, results):
        frame[f"{label} {t('col_score', lang)}"] = [round(float(result.scored.scores[z]), 2) for z in zones]
        frame[f"{label} {t('col_rank', lang)}"] = [int(result.scored.ranks[z]) for z in zones]
        frame[f"{label} {t('col_delta', lang)}"] = [round(float(result.delta[z]), 2) for z in zones]
        frame[f"{label} {t('col_rank_change', lang)}"] = [rank_arrow(int(result.rank_change[z])) for z in zones]
    return frame


# --------------------------------------------------------------------------- charts
# Every chart: zones and indicators by name, long names wrapped (sim.chart_style.wrap_label,
# full names in the tooltips), a title that wraps rather than clips, and the data's
# provenance line as its footer (footer=None leaves it out).


def scores_chart(result: Result, package: DataPackage, lang: str = "zh", footer: str | None = AUTO) -> alt.LayerChart:
    """Grouped horizontal bars: each zone's baseline and scenario score, zones best first."""
    order = _zone_order(result)
    series = (t("series_baseline", lang), t("series_scenario", lang))
    labels = dict(zip(order, wrapped(_names(package, "zone", order, lang))))
    rows = []
    for zone in order:
        for name, scores in zip(series, (result.baseline.scores, result.scored.scores)):
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "zone_label": labels[zone],
                "series": name,
                "score": float(scores[zone]),
            })
    data = pd.DataFrame(rows)
    zone_title, score_title = t("col_zone", lang), t("col_score", lang)
    chart = (
        alt.Chart(data, title=title(t("chart_scores", lang)))
        .mark_bar()
        .encode(
            y=alt.Y("zone_label:N", sort=list(labels.values()), title=None, axis=axis("y")),
            yOffset=alt.YOffset("series:N", sort=list(series)),
            x=alt.X("score:Q", title=score_title, axis=axis()),
            color=alt.Color("series:N", sort=list(series), title=None,
                            scale=alt.Scale(domain=list(series), range=[BASELINE_COLOR, SCENARIO_COLOR]),
                            legend=legend(orient="top")),
            tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("series:N", title=t("col_series", lang)),
                     alt.Tooltip("score:Q", title=score_title, format=".2f")],
        )
        .properties(height=alt.Step(17))
    )
    return with_footer(chart, _footer(footer, result, lang))


def group_contributions_chart(result: Result, package: DataPackage, lang: str = "zh",
                              footer: str | None = AUTO) -> alt.LayerChart:
    """Stacked horizontal bars: the points each group adds to each zone's score."""
    order = _zone_order(result)
    groups = list(result.scored.group_scores.columns)
    group_names = _names(package, "group", groups, lang)
    labels = dict(zip(order, wrapped(_names(package, "zone", order, lang))))
    rows = []
    for zone in order:
        for position, (group, group_name) in enumerate(zip(groups, group_names)):
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "zone_label": labels[zone],
                "group": group,
                "group_name": group_name,
                "group_order": position,
                "points": float(result.scored.group_scores.at[zone, group]),
            })
    data = pd.DataFrame(rows)
    colors = [GROUP_COLORS[i % len(GROUP_COLORS)] for i in range(len(groups))]
    zone_title, points_title, group_title = t("col_zone", lang), t("col_points", lang), t("col_group", lang)
    chart = (
        alt.Chart(data, title=title(t("chart_groups", lang)))
        .mark_bar()
        .encode(
            y=alt.Y("zone_label:N", sort=list(labels.values()), title=None, axis=axis("y")),
            x=alt.X("sum(points):Q", stack="zero", title=points_title, axis=axis()),
            color=alt.Color("group_name:N", sort=group_names, title=group_title,
                            scale=alt.Scale(domain=group_names, range=colors),
                            legend=legend(orient="top", columns=legend_columns(group_names))),
            order=alt.Order("group_order:Q", sort="ascending"),
            tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("group_name:N", title=group_title),
                     alt.Tooltip("points:Q", title=points_title, format=".2f")],
        )
        .properties(height=alt.Step(30))
    )
    return with_footer(chart, _footer(footer, result, lang))


def weight_drift_chart(result: Result, package: DataPackage, lang: str = "zh", top: int | None = None,
                       footer: str | None = AUTO) -> alt.LayerChart:
    """Horizontal bars: each indicator's weight change in percentage points, largest first.

    Parameters
    ----------
    top : int, optional
        Show only the ``top`` largest changes (by size).
    """
    drift = result.weight_drift
    change_pp = 100.0 * drift["change"]
    ordered = change_pp.abs().sort_values(ascending=False, kind="stable").index
    if top is not None:
        ordered = ordered[:top]
    names = _names(package, "indicator", ordered, lang)
    data = pd.DataFrame({
        "indicator": list(ordered),
        "indicator_name": names,
        "indicator_label": wrapped(names),
        "group_name": [package.name("group", package.indicators.at[i, "group"], lang) for i in ordered],
        "baseline_weight": [100.0 * float(drift.at[i, "baseline_weight"]) for i in ordered],
        "weight": [100.0 * float(drift.at[i, "weight"]) for i in ordered],
        "change": [float(change_pp[i]) for i in ordered],
    })
    name_title = t("col_indicator", lang)
    chart = (
        alt.Chart(data, title=title(t("chart_drift", lang)))
        .mark_bar()
        .encode(
            y=alt.Y("indicator_label:N", sort=list(data["indicator_label"]), title=None, axis=axis("y")),
            x=alt.X("change:Q", title=t("col_change_pp", lang), axis=axis()),
            color=alt.condition(alt.datum.change >= 0, alt.value(UP_COLOR), alt.value(DOWN_COLOR)),
            tooltip=[
                alt.Tooltip("indicator_name:N", title=name_title),
                alt.Tooltip("group_name:N", title=t("col_group", lang)),
                alt.Tooltip("baseline_weight:Q", title=t("col_baseline_weight", lang), format=".2f"),
                alt.Tooltip("weight:Q", title=t("col_weight", lang), format=".2f"),
                alt.Tooltip("change:Q", title=t("col_change_pp", lang), format="+.3f"),
            ],
        )
        .properties(height=alt.Step(30))
    )
    return with_footer(chart, _footer(footer, result, lang))


def _clean(value: float, tolerance: float = 1e-9) -> float:
    """Rounding noise (a baseline scored twice differs in the last bits) shown as 0."""
    return 0.0 if abs(float(value)) < tolerance else float(value)


def decomposition_chart(result: Result, package: DataPackage, lang: str = "zh",
                        footer: str | None = AUTO) -> alt.LayerChart:
    """Per zone, the score change split into the data change and the weight shift.

    Horizontal bars (stacked, diverging around 0) for the two parts; a black tick for
    the total.
    """
    order = _zone_order(result)
    parts = (("data", t("part_data", lang)), ("weights", t("part_weights", lang)))
    labels = dict(zip(order, wrapped(_names(package, "zone", order, lang))))
    rows = []
    for zone in order:
        for key, name in parts:
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "zone_label": labels[zone],
                "part": name,
                "points": _clean(result.decomposition.at[zone, key]),
                "total": _clean(result.decomposition.at[zone, "total"]),
            })
    data = pd.DataFrame(rows)
    zone_labels = list(labels.values())
    zone_title, points_title = t("col_zone", lang), t("col_points", lang)
    base = alt.Chart(data, title=title(t("chart_decomposition", lang)))
    bars = base.mark_bar().encode(
        y=alt.Y("zone_label:N", sort=zone_labels, title=None, axis=axis("y")),
        x=alt.X("points:Q", stack="zero", title=points_title, axis=axis()),
        color=alt.Color("part:N", sort=[p[1] for p in parts], title=None,
                        scale=alt.Scale(domain=[p[1] for p in parts], range=list(PART_COLORS)),
                        legend=legend(orient="top")),
        tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("part:N", title=t("col_part", lang)),
                 alt.Tooltip("points:Q", title=points_title, format="+.3f"),
                 alt.Tooltip("total:Q", title=t("part_total", lang), format="+.3f")],
    )
    totals = base.transform_filter(alt.datum.part == parts[0][1]).mark_tick(
        color=TEXT_COLOR, thickness=2, size=18).encode(
        y=alt.Y("zone_label:N", sort=zone_labels),
        x=alt.X("total:Q"),
        tooltip=[alt.Tooltip("zone_name:N", title=zone_title),
                 alt.Tooltip("total:Q", title=t("part_total", lang), format="+.3f")],
    )
    return with_footer(alt.layer(bars, totals).properties(height=alt.Step(30)), _footer(footer, result, lang))


def _scenario_axis_labels(labels: Sequence[str]) -> list[str]:
    """Scenario labels under a comparison chart: wrapped to a third of a narrow chart each; only ``[k]``
    beyond three scenarios (the legend above the chart names them)."""
    if len(labels) > 3:
        return [label.split(" ", 1)[0] for label in labels]
    return [wrap_label(label, 12 if len(labels) == 3 else 18, lines=3) for label in labels]


def _comparison_rows(results: Sequence[Result], package: DataPackage, lang: str,
                     labels: Sequence[str]) -> pd.DataFrame:
    shown = _scenario_axis_labels(labels)
    rows = []
    for position, (label, axis_label, result) in enumerate(zip(labels, shown, results)):
        for zone in result.scored.scores.index:
            rows.append({
                "scenario": label,
                "scenario_label": axis_label,
                "position": position,
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "rank": int(result.scored.ranks[zone]),
                "score": float(result.scored.scores[zone]),
                "score_text": f"{float(result.scored.scores[zone]):.2f}",
            })
    return pd.DataFrame(rows)


def rank_chart(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", labels: Sequence[str] | None = None,
    footer: str | None = AUTO,
) -> alt.LayerChart:
    """A bump chart: each zone's rank (1 at the top) across scenarios, in the order given.

    With two scenarios it is a slope chart. Each point carries its score (so 63.42 against
    63.34 reads as the near tie it is), and the zone names are written next to the last
    scenario's points, in the zone's own colour (:func:`sim.chart_style.zone_colors`).
    """
    labels = list(labels) if labels is not None else comparison_labels(results, lang)
    data = _comparison_rows(results, package, lang, labels)
    zones = max((len(r.scored.scores) for r in results), default=1)
    zone_title, rank_title = t("col_zone", lang), t("col_rank", lang)
    x = alt.X("scenario_label:N", sort=list(dict.fromkeys(data["scenario_label"])), title=None,
              axis=axis("x", labelAngle=0, labelLimit=240), scale=alt.Scale(padding=0.3))
    y = alt.Y("rank:Q", title=rank_title, scale=alt.Scale(domain=[zones + 0.4, 0.6], nice=False),
              axis=axis(values=list(range(1, zones + 1)), format="d"))
    color = alt.Color("zone_name:N", title=zone_title, legend=None, scale=zone_color_scale(package, lang))
    tooltip = [alt.Tooltip("scenario:N", title=t("col_scenario", lang)), alt.Tooltip("zone_name:N", title=zone_title),
               alt.Tooltip("rank:Q", title=rank_title), alt.Tooltip("score:Q", title=t("col_score", lang), format=".2f")]
    base = alt.Chart(data, title=title(t("compare_chart", lang), WIDE_TITLE_COLUMNS))
    lines = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=color, detail="zone:N", order="position:Q")
    points = base.mark_circle(size=120, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    scores = base.mark_text(dy=-14, fontSize=11).encode(x=x, y=y, text="score_text:N", color=color)
    last = len(labels) - 1
    names = base.transform_filter(alt.datum.position == last).mark_text(align="left", dx=12, fontSize=12).encode(
        x=x, y=y, color=color, text="zone_name:N"
    )
    chart = alt.layer(lines, points, scores, names).properties(height=56 * zones + 40)
    return with_footer(chart, _footer(footer, results[0], lang) if results else None, below=FOOTER_BELOW_TWO_LINES)


def score_chart(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", labels: Sequence[str] | None = None,
    footer: str | None = AUTO,
) -> alt.LayerChart:
    """Scores across scenarios, on a score axis: gaps between zones show at their true size.

    Lines per zone in the zone's colour; a legend names them (names beside the lines
    would overlap exactly where two zones are close).
    """
    labels = list(labels) if labels is not None else comparison_labels(results, lang)
    data = _comparison_rows(results, package, lang, labels)
    zone_title, score_title = t("col_zone", lang), t("col_score", lang)
    x = alt.X("scenario_label:N", sort=list(dict.fromkeys(data["scenario_label"])), title=None,
              axis=axis("x", labelAngle=0, labelLimit=240), scale=alt.Scale(padding=0.3))
    y = alt.Y("score:Q", title=None, scale=alt.Scale(zero=False, nice=True), axis=axis())  # the title says it
    names = list(data["zone_name"].unique())
    columns = legend_columns(names)
    color = alt.Color("zone_name:N", title=zone_title, scale=zone_color_scale(package, lang),
                      legend=legend(orient="top", columns=columns, title=None))
    tooltip = [alt.Tooltip("scenario:N", title=t("col_scenario", lang)), alt.Tooltip("zone_name:N", title=zone_title),
               alt.Tooltip("rank:Q", title=t("col_rank", lang)),
               alt.Tooltip("score:Q", title=score_title, format=".2f")]
    base = alt.Chart(data, title=title(t("compare_score_chart", lang), WIDE_TITLE_COLUMNS))
    lines = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=color, detail="zone:N", order="position:Q")
    points = base.mark_circle(size=90, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    chart = alt.layer(lines, points).properties(height=260)
    return with_footer(chart, _footer(footer, results[0], lang) if results else None, below=FOOTER_BELOW_TWO_LINES)
