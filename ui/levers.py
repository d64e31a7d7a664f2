"""The Levers tab: which indicator moves the chosen zone most for a given step.

It opens with the answer in one sentence (the command line's words), then the bar chart,
the heatmap and the table; the glossary explains the steps and min-max's "no credit"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.analysis.charts import levers_bar_chart, levers_heatmap
from sim.analysis.levers import STEPS, LeverReport, lever_matrix, lever_report
from sim.analysis.views import display_names, lever_flags, lever_frame, top_lever, top_lever_sentence
from sim.provenance import chart_footer
from sim.data import DataPackage
from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.scenario import Scenario, dump_scenario
from ui.analysis import notes_expander
from ui.common import scenario_caption, show_error, zone_picker
from ui.glossary import glossary_expander
from ui.state import TabContext, pref_widget


@st.cache_resource(max_entries=64, show_spinner=False)
def _levers_cached(_package: DataPackage, _scenario: Scenario, digest: str, text: str, zone: str,
                   sort_by: str) -> tuple[LeverReport, Any]:
    return lever_report(_package, zone, scenario=_scenario, sort_by=sort_by), \
        lever_matrix(_package, scenario=_scenario, step=sort_by)


def render(ctx: TabContext) -> None:
    package, scenario, lang = ctx.package, ctx.scenario, ctx.lang
    st.caption(escape_markdown(t("lv_intro", lang)))
    glossary_expander(lang, ("lever", "no_credit", "sd"))
    scenario_caption(ctx)
    names = display_names(package, lang)
    left, right = st.columns([3, 2])
    with left:
        zone = zone_picker(ctx, help_key="analysis_zone_help")
    sort_by = ctx.state.prefs.get("lv_sort", STEPS[0])
    right.radio(t("lv_sort", lang), STEPS, horizontal=True, format_func=lambda s: t(f"step_{s}", lang),
                **pref_widget("lv_sort", STEPS[0], lang, options=STEPS))
    try:
        report, matrix = _levers_cached(package, scenario, package.digest, dump_scenario(scenario), zone, sort_by)
    except SimError as exc:
        show_error(exc)
        return
    step_label = t(f"step_{sort_by}", lang)
    st.markdown(escape_markdown(t("lv_now", lang, zone=names[zone], rank=report.rank, score=f"{report.score:.2f}")))
    with st.container(key="lv_top"):
        show = st.info if top_lever(report) is None else st.success
        show(escape_markdown(top_lever_sentence(report, package, lang)))
    flags = lever_flags(report)
    no_credit = [names[i] for i in flags.index[flags["stays_last"]]]
    if no_credit:
        st.warning(escape_markdown(t("lv_no_credit", lang, items="、".join(no_credit) if lang == "zh"
                                     else ", ".join(no_credit))))
    separator = "、" if lang == "zh" else ", "
    helping = [t("lv_helps_item", lang, indicator=names[i], zones=separator.join(names[z] for z in row["helps"]))
               for i, row in flags.iterrows() if row["helps"]]
    if helping:
        with st.expander(escape_markdown(t("lv_helps", lang, n=len(helping)))):
            st.markdown("\n".join(f"- {escape_markdown(item)}" for item in helping))
    footer = chart_footer(package, lang, scenario.year)  # the data caveat under every chart (issue 11)
    st.altair_chart(levers_bar_chart(report, names, lang=lang, footer=footer), width="stretch")
    # the same indicator order as the bar chart
    heat = levers_heatmap(matrix[list(report.table.index)], names, step_label, lang, footer)
    st.altair_chart(heat.properties(height=26 * len(report.table) + 120), width="stretch")
    st.caption(escape_markdown(t("lv_heatmap_note", lang, step=step_label)))
    st.subheader(t("lv_table", lang))
    with st.container(key="lv_table_box"):
        st.dataframe(lever_frame(report, package, lang), hide_index=True, width="stretch")
    notes_expander(report.notes, lang, package.name)
