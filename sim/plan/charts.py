"""Charts of a plan over years: ranks and scores per year, the plan solid and the baseline path dashed.

Drawn with the conventions of :mod:`sim.chart_style` (one colour per zone, keyed by its
id; wrapped titles; the data's provenance line under the chart), like the charts of
:mod:`sim.charts`. The app's Plan tab shows them and the plan brief renders the same
specs to PNG/SVG.

- :func:`plan_rank_chart`: each zone's rank (1 at the top) per year, from the observed
  year to the horizon, zone names beside the last year;
- :func:`plan_score_chart`: scores per year on a score axis (gaps at their size).

Examples
--------
>>> import sim
>>> from sim.plan import run_plan
>>> package = sim.load_package()
>>> plan = sim.load_scenario("scenarios/plan_sunan_catch_up_2021_2025.yaml", package)
>>> chart = plan_rank_chart(run_plan(package, plan), package, "en")
>>> data = chart.data  # the marks share it (the footer layer has its own)
>>> sorted(data["path"].unique()), int(data["year"].min()), int(data["year"].max())
(['baseline', 'plan'], 2020, 2025)
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.chart_style import TEXT_COLOR, WIDE_TITLE_COLUMNS, axis, legend, legend_columns, title, with_footer
from sim.charts import AUTO, zone_color_scale
from sim.data import DataPackage
from sim.i18n import t
from sim.messages import text
from sim.plan.result import BASELINE, PLAN, PlanResult
from sim.provenance import chart_footer

#: Line dashes of the two paths: the plan solid, the baseline path dashed.
DASHES = {PLAN: [1, 0], BASELINE: [6, 4]}


def plan_frame_for_chart(result: PlanResult, package: DataPackage, lang: str = "zh") -> pd.DataFrame:
    """:meth:`PlanResult.frame` with what a chart shows: zone and path names in ``lang``, the score as text."""
    frame = result.frame()
    path_names = {path: text(f"plan.path_{path}", lang) for path in (PLAN, BASELINE)}
    frame["zone_name"] = [package.name("zone", zone, lang) for zone in frame["zone"]]
    frame["path_name"] = frame["path"].map(path_names)
    frame["score_text"] = [f"{score:.2f}" for score in frame["score"]]
    return frame


def _encodings(result: PlanResult, package: DataPackage, lang: str, frame: pd.DataFrame):
    years = sorted(frame["year"].unique())
    x = alt.X("year:O", title=None, sort=years, axis=axis(labelAngle=0), scale=alt.Scale(padding=0.6))
    color = alt.Color("zone_name:N", title=t("col_zone", lang), scale=zone_color_scale(package, lang),
                      legend=None)
    names = [text(f"plan.path_{path}", lang) for path in (PLAN, BASELINE)]
    dash = alt.StrokeDash("path_name:N", title=None, scale=alt.Scale(domain=names, range=[DASHES[PLAN], DASHES[BASELINE]]),
                          legend=legend(orient="top", title=None, symbolStrokeColor=TEXT_COLOR, symbolType="stroke",
                                        symbolStrokeWidth=2.5, symbolSize=500))
    tooltip = [alt.Tooltip("path_name:N", title=" "), alt.Tooltip("year:O", title=t("plan_col_year", lang)),
               alt.Tooltip("zone_name:N", title=t("col_zone", lang)), alt.Tooltip("rank:Q", title=t("col_rank", lang)),
               alt.Tooltip("score:Q", title=t("col_score", lang), format=".2f")]
    return x, color, dash, tooltip


def _footer(footer: str | None, result: PlanResult, lang: str) -> str | None:
    return chart_footer(result.provenance, lang, result.start_year) if footer == AUTO else footer


def plan_rank_chart(result: PlanResult, package: DataPackage, lang: str = "zh",
                    footer: str | None = AUTO) -> alt.LayerChart:
    """Each zone's rank per year: the plan solid (with points), the baseline path dashed.

    The zone names are written beside the horizon's points of the plan, in the zone's
    colour; a point's tooltip gives its score, so a near tie reads as one.
    """
    frame = plan_frame_for_chart(result, package, lang)
    x, color, dash, tooltip = _encodings(result, package, lang, frame)
    zones = len(result.zones)
    y = alt.Y("rank:Q", title=t("col_rank", lang), scale=alt.Scale(domain=[zones + 0.4, 0.6], nice=False),
              axis=axis(values=list(range(1, zones + 1)), format="d"))
    base = alt.Chart(frame, title=title(t("plan_rank_chart", lang), WIDE_TITLE_COLUMNS))
    lines = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=color, strokeDash=dash, detail="path:N")
    plan_only = base.transform_filter(alt.datum.path == PLAN)
    points = plan_only.mark_circle(size=90, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    names = plan_only.transform_filter(alt.datum.year == result.horizon).mark_text(
        align="left", dx=10, fontSize=12).encode(x=x, y=y, color=color, text="zone_name:N")
    chart = alt.layer(lines, points, names).properties(height=56 * zones + 40)
    return with_footer(chart, _footer(footer, result, lang))


def plan_score_chart(result: PlanResult, package: DataPackage, lang: str = "zh",
                     footer: str | None = AUTO) -> alt.LayerChart:
    """Scores per year on a score axis: the plan solid (with points), the baseline path dashed."""
    frame = plan_frame_for_chart(result, package, lang)
    x, color, dash, tooltip = _encodings(result, package, lang, frame)
    zone_names = [package.name("zone", zone, lang) for zone in result.zones]
    color = alt.Color("zone_name:N", title=None, scale=zone_color_scale(package, lang),
                      legend=legend(orient="top", columns=legend_columns(zone_names), title=None))
    y = alt.Y("score:Q", title=None, scale=alt.Scale(zero=False, nice=True), axis=axis())  # the title says it
    base = alt.Chart(frame, title=title(t("plan_score_chart", lang), WIDE_TITLE_COLUMNS))
    lines = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=color, strokeDash=dash, detail="path:N")
    # the points take the lines' colours without a legend of their own (one legend of zones)
    dots = alt.Color("zone_name:N", scale=zone_color_scale(package, lang), legend=None)
    points = base.transform_filter(alt.datum.path == PLAN).mark_circle(size=60, opacity=1).encode(
        x=x, y=y, color=dots, tooltip=tooltip)
    chart = alt.layer(lines, points).properties(height=280)
    return with_footer(chart, _footer(footer, result, lang))
