"""The What-if tab's results: ranking, changed values, charts, warnings.

Charts are sent as Vega-Lite specs cached per data, scenario, language and chart
(:func:`ui.cache.chart_spec`); only the scores chart and one chart the planner picks
are drawn, so a slider move costs the browser two charts, not four.
"""

from __future__ import annotations

import streamlit as st

from sim.charts import (
    decomposition_chart,
    fixed_decimals,
    group_contributions_chart,
    ranking_frame,
    scores_chart,
    weight_drift_chart,
)
from sim.data import DataPackage
from sim.engine import Result
from sim.i18n import escape_markdown, t
from sim.messages import render
from sim.whatif import changed_values_frame
from sim.whatif_table import numbered_interventions
from ui.cache import chart_spec
from ui.state import pref_widget

MAX_WARNINGS_SHOWN = 6
MAX_ROWS_UNSCROLLED = 12
#: The second chart's choices: chart id -> label key.
DETAIL_CHARTS = {"groups": "chart_groups", "decomposition": "chart_decomposition", "drift": "chart_drift"}


def render_ranking(result: Result, package: DataPackage, lang: str) -> None:
    """The ranking, first in the run: a static table the browser draws at once (a data grid takes longer);
    then the values the scenario changes."""
    st.subheader(t("ranking", lang))
    with st.container(key="ranking_box"):
        st.table(fixed_decimals(ranking_frame(result, package, lang)), hide_index=True)
    # across the page too: in the results column its six columns broke names into one character a line at 1024 px
    _changed_values(result, package, lang)


def render_details(result: Result, package: DataPackage, lang: str) -> None:
    """Beside the sliders: the scores chart and one more, warnings."""
    _chart(result, package, lang, "scores", lambda: scores_chart(result, package, lang))
    choice = st.radio(t("chart_pick", lang), list(DETAIL_CHARTS), horizontal=True,
                      format_func=lambda c: t(DETAIL_CHARTS[c], lang), **pref_widget("chart", "groups", lang, options=DETAIL_CHARTS))
    if choice == "groups":
        _chart(result, package, lang, choice, lambda: group_contributions_chart(result, package, lang))
    elif choice == "decomposition" and result.origin.ne("").any().any():
        _chart(result, package, lang, choice, lambda: decomposition_chart(result, package, lang))
    elif choice == "decomposition":
        st.caption(escape_markdown(t("changed_values_none", lang)))
    elif float(result.weight_drift["change"].abs().max()) > 1e-12:
        _chart(result, package, lang, choice, lambda: weight_drift_chart(result, package, lang, top=12))
    else:
        st.caption(escape_markdown(t("chart_drift", lang) + ": " + t("no_drift", lang)))
    _warnings(result, package, lang)


def _chart(result: Result, package: DataPackage, lang: str, name: str, build) -> None:
    st.vega_lite_chart(chart_spec(package, result, lang, name, build), width="stretch")


def _changed_values(result: Result, package: DataPackage, lang: str) -> None:
    """Under the ranking: every value the scenario changes, before and after, and why."""
    st.markdown(f"**{escape_markdown(t('changed_values', lang))}**", help=t("changed_values_help", lang))
    frame = changed_values_frame(result, package, lang)
    if frame.empty:
        st.caption(escape_markdown(t("changed_values_none", lang)))
        return
    with st.container(key="changes_box"):
        # static like the ranking; a long list scrolls
        st.table(frame, hide_index=True, height="content" if len(frame) <= MAX_ROWS_UNSCROLLED else 420)


def _warnings(result: Result, package: DataPackage, lang: str) -> None:
    """The engine's warnings in the page's language, with names for ids."""
    if not result.warnings:
        return
    st.markdown(f"**{escape_markdown(t('warnings', lang))}**")
    shown = [escape_markdown(render(numbered_interventions(w), lang, package.name)) for w in result.warnings]
    for warning in shown[:MAX_WARNINGS_SHOWN]:
        st.warning(warning)
    if shown[MAX_WARNINGS_SHOWN:]:
        with st.expander(t("more_warnings", lang, n=len(shown) - MAX_WARNINGS_SHOWN)):
            for warning in shown[MAX_WARNINGS_SHOWN:]:
                st.warning(warning)
