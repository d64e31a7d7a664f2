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
- :func:`rank_chart`: ranks across scenarios (a bump chart; a slope chart for two);
- :func:`ranking_frame` and :func:`comparison_wide_frame`: the tables shown next to them.

Examples
--------
>>> from sim.data import load_package
>>> from sim.scenario import baseline_scenario
>>> from sim.engine import run_scenario
>>> package = load_package()
>>> result = run_scenario(package, baseline_scenario(package, 2020))
>>> chart = scores_chart(result, package, "en")
>>> sorted(chart.data["series"].unique())
['baseline', 'scenario']
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from sim.data import DataPackage
from sim.engine import Result
from sim.i18n import t
from sim.report import rank_arrow

#: Colours of the five groups (colour-blind safe, Tableau 10).
GROUP_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7")
BASELINE_COLOR, SCENARIO_COLOR = "#bab0ac", "#4e79a7"
UP_COLOR, DOWN_COLOR = "#59a14f", "#e15759"


def _zone_order(result: Result) -> list[str]:
    return list(result.ranking().index)


def _names(package: DataPackage, kind: str, ids: Sequence[str], lang: str) -> list[str]:
    return [package.name(kind, i, lang) for i in ids]


def scenario_label(result: Result, lang: str) -> str:
    """The scenario's display name in ``lang`` (its Chinese name when there is one)."""
    scenario = result.scenario
    return scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name


# --------------------------------------------------------------------------- tables


def ranking_frame(result: Result, package: DataPackage, lang: str = "zh") -> pd.DataFrame:
    """The ranking for display: rank, zone name, score, Δ score, Δ rank (arrow), baseline.

    Numbers are rounded to 2 decimals here because this table is for reading; the
    downloads keep full precision.
    """
    ranking = result.ranking()
    return pd.DataFrame(
        {
            t("col_rank", lang): ranking["rank"].astype(int).to_numpy(),
            t("col_zone", lang): _names(package, "zone", ranking.index, lang),
            t("col_score", lang): ranking["score"].round(2).to_numpy(),
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


def scores_chart(result: Result, package: DataPackage, lang: str = "zh") -> alt.Chart:
    """Grouped horizontal bars: each zone's baseline and scenario score, zones best first."""
    order = _zone_order(result)
    series = (t("series_baseline", lang), t("series_scenario", lang))
    rows = []
    for zone in order:
        for name, scores in zip(series, (result.baseline.scores, result.scored.scores)):
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "series": name,
                "score": float(scores[zone]),
            })
    data = pd.DataFrame(rows)
    zone_title, score_title = t("col_zone", lang), t("col_score", lang)
    return (
        alt.Chart(data, title=t("chart_scores", lang))
        .mark_bar()
        .encode(
            y=alt.Y("zone_name:N", sort=_names(package, "zone", order, lang), title=zone_title,
                    axis=alt.Axis(labelLimit=240)),
            yOffset=alt.YOffset("series:N", sort=list(series)),
            x=alt.X("score:Q", title=score_title),
            color=alt.Color("series:N", sort=list(series), title=None,
                            scale=alt.Scale(domain=list(series), range=[BASELINE_COLOR, SCENARIO_COLOR]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("series:N", title=t("col_series", lang)),
                     alt.Tooltip("score:Q", title=score_title, format=".2f")],
        )
    )


def group_contributions_chart(result: Result, package: DataPackage, lang: str = "zh") -> alt.Chart:
    """Stacked horizontal bars: the points each group adds to each zone's score."""
    order = _zone_order(result)
    groups = list(result.scored.group_scores.columns)
    group_names = _names(package, "group", groups, lang)
    rows = []
    for zone in order:
        for position, (group, group_name) in enumerate(zip(groups, group_names)):
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "group": group,
                "group_name": group_name,
                "group_order": position,
                "points": float(result.scored.group_scores.at[zone, group]),
            })
    data = pd.DataFrame(rows)
    colors = [GROUP_COLORS[i % len(GROUP_COLORS)] for i in range(len(groups))]
    zone_title, points_title, group_title = t("col_zone", lang), t("col_points", lang), t("col_group", lang)
    return (
        alt.Chart(data, title=t("chart_groups", lang))
        .mark_bar()
        .encode(
            y=alt.Y("zone_name:N", sort=_names(package, "zone", order, lang), title=zone_title),
            x=alt.X("sum(points):Q", stack="zero", title=points_title),
            color=alt.Color("group_name:N", sort=group_names, title=group_title,
                            scale=alt.Scale(domain=group_names, range=colors),
                            legend=alt.Legend(orient="bottom", columns=3, labelLimit=240)),
            order=alt.Order("group_order:Q", sort="ascending"),
            tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("group_name:N", title=group_title),
                     alt.Tooltip("points:Q", title=points_title, format=".2f")],
        )
    )


def weight_drift_chart(result: Result, package: DataPackage, lang: str = "zh", top: int | None = None) -> alt.Chart:
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
    data = pd.DataFrame({
        "indicator": list(ordered),
        "indicator_name": _names(package, "indicator", ordered, lang),
        "group_name": [package.name("group", package.indicators.at[i, "group"], lang) for i in ordered],
        "baseline_weight": [100.0 * float(drift.at[i, "baseline_weight"]) for i in ordered],
        "weight": [100.0 * float(drift.at[i, "weight"]) for i in ordered],
        "change": [float(change_pp[i]) for i in ordered],
    })
    name_title = t("col_indicator", lang)
    return (
        alt.Chart(data, title=t("chart_drift", lang))
        .mark_bar()
        .encode(
            y=alt.Y("indicator_name:N", sort=list(data["indicator_name"]), title=None,
                    axis=alt.Axis(labelLimit=320)),
            x=alt.X("change:Q", title=t("col_change_pp", lang)),
            color=alt.condition(alt.datum.change >= 0, alt.value(UP_COLOR), alt.value(DOWN_COLOR)),
            tooltip=[
                alt.Tooltip("indicator_name:N", title=name_title),
                alt.Tooltip("group_name:N", title=t("col_group", lang)),
                alt.Tooltip("baseline_weight:Q", title=t("col_baseline_weight", lang), format=".2f"),
                alt.Tooltip("weight:Q", title=t("col_weight", lang), format=".2f"),
                alt.Tooltip("change:Q", title=t("col_change_pp", lang), format="+.3f"),
            ],
        )
    )


def _clean(value: float, tolerance: float = 1e-9) -> float:
    """Rounding noise (a baseline scored twice differs in the last bits) shown as 0."""
    return 0.0 if abs(float(value)) < tolerance else float(value)


def decomposition_chart(result: Result, package: DataPackage, lang: str = "zh") -> alt.LayerChart:
    """Per zone, the score change split into the data change and the weight shift.

    Horizontal bars (stacked, diverging around 0) for the two parts; a black tick for
    the total.
    """
    order = _zone_order(result)
    parts = (("data", t("part_data", lang)), ("weights", t("part_weights", lang)))
    rows = []
    for zone in order:
        for key, name in parts:
            rows.append({
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "part": name,
                "points": _clean(result.decomposition.at[zone, key]),
                "total": _clean(result.decomposition.at[zone, "total"]),
            })
    data = pd.DataFrame(rows)
    zone_names = _names(package, "zone", order, lang)
    zone_title, points_title = t("col_zone", lang), t("col_points", lang)
    base = alt.Chart(data, title=t("chart_decomposition", lang))
    bars = base.mark_bar().encode(
        y=alt.Y("zone_name:N", sort=zone_names, title=zone_title, axis=alt.Axis(labelLimit=240)),
        x=alt.X("points:Q", stack="zero", title=points_title),
        color=alt.Color("part:N", sort=[p[1] for p in parts], title=None,
                        scale=alt.Scale(domain=[p[1] for p in parts], range=["#4e79a7", "#f28e2b"]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("zone_name:N", title=zone_title), alt.Tooltip("part:N", title=t("col_part", lang)),
                 alt.Tooltip("points:Q", title=points_title, format="+.3f"),
                 alt.Tooltip("total:Q", title=t("part_total", lang), format="+.3f")],
    )
    totals = base.transform_filter(alt.datum.part == parts[0][1]).mark_tick(color="black", thickness=2, size=18).encode(
        y=alt.Y("zone_name:N", sort=zone_names),
        x=alt.X("total:Q"),
        tooltip=[alt.Tooltip("zone_name:N", title=zone_title),
                 alt.Tooltip("total:Q", title=t("part_total", lang), format="+.3f")],
    )
    return alt.layer(bars, totals)


def rank_chart(
    results: Sequence[Result], package: DataPackage, lang: str = "zh", labels: Sequence[str] | None = None
) -> alt.LayerChart:
    """A bump chart: each zone's rank (1 at the top) across scenarios, in the order given.

    With two scenarios it is a slope chart. The zone names are written next to the
    last scenario's points.
    """
    labels = list(labels) if labels is not None else comparison_labels(results, lang)
    rows = []
    for position, (label, result) in enumerate(zip(labels, results)):
        for zone in result.scored.scores.index:
            rows.append({
                "scenario": label,
                "position": position,
                "zone": zone,
                "zone_name": package.name("zone", zone, lang),
                "rank": int(result.scored.ranks[zone]),
                "score": float(result.scored.scores[zone]),
            })
    data = pd.DataFrame(rows)
    zones = max((len(r.scored.scores) for r in results), default=1)
    zone_title, rank_title = t("col_zone", lang), t("col_rank", lang)
    x = alt.X("scenario:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0, labelLimit=220))
    y = alt.Y("rank:Q", title=rank_title, scale=alt.Scale(domain=[zones + 0.3, 0.7], nice=False),
              axis=alt.Axis(values=list(range(1, zones + 1)), format="d"))
    color = alt.Color("zone_name:N", title=zone_title, legend=None)
    tooltip = [alt.Tooltip("scenario:N", title=t("col_scenario", lang)), alt.Tooltip("zone_name:N", title=zone_title),
               alt.Tooltip("rank:Q", title=rank_title), alt.Tooltip("score:Q", title=t("col_score", lang), format=".2f")]
    base = alt.Chart(data, title=t("compare_chart", lang))
    lines = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=color, detail="zone:N", order="position:Q")
    points = base.mark_circle(size=140, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    last = len(labels) - 1
    names = base.transform_filter(alt.datum.position == last).mark_text(align="left", dx=12, fontSize=13).encode(
        x=x, y=y, color=color, text="zone_name:N"
    )
    return alt.layer(lines, points, names).properties(height=60 * zones + 60)
