"""The Goal-seek tab: the least change that reaches a rank, overtakes a rival or reaches a score.

The answer opens with its verdict, margin and how sure it is (the chance that the target
still holds under data noise; "too close to call" shows as a warning), then the changes.
It runs only when its button is pressed and keeps its answer in the model with the
scenario it started from, so switching tabs or moving a slider never recomputes it
and a changed scenario marks it stale. "Load into the sliders" is an edit like
loading a file (:func:`ui.edits.load_goalseek`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from sim.analysis.charts import goal_seek_changes_chart, goal_seek_chart
from sim.analysis.goalseek import (
    DEFAULT_MAX_CHANGE,
    TARGET_KINDS,
    GoalSeekResult,
    goal_seek,
)
from sim.analysis.goalseek import Target
from sim.analysis.views import (
    default_rival,
    display_names,
    found_scenario,
    goal_seek_chance,
    goal_seek_changes_frame,
    goal_seek_ranking_frame,
    goal_seek_verdict,
    target_label,
    target_text,
)
from sim.provenance import chart_footer
from sim.data import DataPackage
from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.charts import fixed_decimals
from sim.messages import text
from sim.scenario import Scenario, dump_scenario
from ui.analysis import is_stale, notes_expander, started_from
from ui.common import scenario_caption, show_error, zone_picker
from ui.glossary import glossary_expander
from ui.state import TabContext, commit, on_click, pref_widget, state


def render(ctx: TabContext) -> None:
    package, scenario, lang, prefs = ctx.package, ctx.scenario, ctx.lang, ctx.state.prefs
    st.caption(escape_markdown(t("gs_intro", lang)))
    glossary_expander(lang, ("total_change", "margin", "sure"))
    scenario_caption(ctx)
    names = display_names(package, lang)
    zone = zone_picker(ctx, help_key="analysis_zone_help")
    try:
        start = ctx.result()
    except SimError as exc:
        show_error(exc)
        return
    a, b, c = st.columns([3, 2, 2])
    kind = prefs.get("gs_kind", "rank")
    a.radio(t("gs_target_kind", lang), TARGET_KINDS, horizontal=True, format_func=lambda k: t(f"target_{k}", lang),
            **pref_widget("gs_kind", "rank", lang, options=TARGET_KINDS))
    rank = min(prefs.get("gs_rank", max(1, int(start.scored.ranks[zone]) - 1)), len(package.zone_ids))
    rivals = [z for z in package.zone_ids if z != zone]
    rival = prefs.get("gs_rival") if prefs.get("gs_rival") in rivals else default_rival(start, zone)
    score = prefs.get("gs_score", float(min(100, round(float(start.scored.scores[zone])) + 5)))
    if kind == "rank":
        ranks = list(range(1, len(package.zone_ids) + 1))
        b.selectbox(t("gs_rank", lang), ranks, format_func=lambda k: target_label(Target("rank", rank=k), lang),
                    **pref_widget("gs_rank", rank, lang, options=ranks))
    elif kind == "overtake":
        b.selectbox(t("gs_rival", lang), rivals, format_func=names.get, **pref_widget("gs_rival", rival, lang, options=rivals))
    else:
        b.number_input(t("gs_score", lang), min_value=0.0, max_value=100.0, step=1.0,
                       **pref_widget("gs_score", score, lang))
    max_change = prefs.get("gs_max", float(DEFAULT_MAX_CHANGE))
    c.number_input(t("gs_max_change", lang), min_value=0.0, max_value=1000.0, step=10.0, help=t("gs_max_help", lang),
                   **pref_widget("gs_max", max_change, lang))
    chosen = prefs.get("gs_levers", list(package.indicator_ids))
    fitting = [i for i in chosen if i in package.indicator_ids]
    levers = fitting if fitting or not chosen else list(package.indicator_ids)  # another data package
    st.multiselect(t("gs_levers", lang), package.indicator_ids, format_func=names.get, help=t("gs_levers_help", lang),
                   **pref_widget("gs_levers", levers, lang, param="default"))
    whole = prefs.get("gs_whole", True)
    st.checkbox(t("gs_whole", lang), help=t("gs_whole_help", lang), **pref_widget("gs_whole", whole, lang))
    if st.button(t("gs_run", lang), key="w_gs_run", type="primary"):
        try:
            target = target_text(kind, rank=rank, rival=rival, score=score)
            with st.spinner(t("gs_running", lang)):
                answer = goal_seek(package, zone, target, scenario=scenario, levers=list(levers),
                                   max_change=float(max_change), whole_percent=bool(whole))
        except SimError as exc:
            show_error(exc)
        else:
            entry = {"answer": answer, "scenario": found_scenario(answer, package), **started_from(package, scenario)}
            commit(state().with_answer("gs", entry))
    entry = state().answers.get("gs")
    if entry is None:
        st.info(t("gs_none_yet", lang))
        return
    _answer(entry, package, scenario, lang)


def _answer(entry: dict[str, Any], package: DataPackage, scenario: Scenario, lang: str) -> None:
    answer: GoalSeekResult = entry["answer"]
    found: Scenario = entry["scenario"]
    names = display_names(package, lang)
    st.divider()
    if dump_scenario(found) == dump_scenario(scenario) and not answer.already_reached:
        st.caption(escape_markdown(t("gs_is_current", lang)))
    elif is_stale(entry, package, scenario):
        st.warning(escape_markdown(t("gs_stale", lang)))
    level, verdict = goal_seek_verdict(answer, package, lang)
    with st.container(key="gs_verdict"):
        getattr(st, level)(escape_markdown(verdict))
    start = answer.start.scenario
    st.caption(escape_markdown(t(
        "gs_for", lang, zone=names.get(answer.zone, answer.zone), target=target_label(answer.target, lang, names),
        year=answer.scenario.year, scenario=start.name_zh if lang == "zh" and start.name_zh else start.name,
        evaluations=f"{answer.evaluations:,}", seconds=f"{answer.seconds:.1f}")))
    # Two rows of three, so that every number shows whole at 1024 px: the answer, then how sure it is.
    a, b, c = st.columns(3)
    a.metric(t("gs_metric_rank", lang), f"{answer.rank_before} → {answer.rank_after}")
    b.metric(t("gs_metric_score", lang), f"{answer.score_after:.2f}",
             delta=f"{answer.score_after - answer.score_before:+.2f}")
    c.metric(t("gs_metric_cost", lang), f"{answer.total_change:.2f}", help=text("sure.metric_total_help", lang))
    confidence = answer.confidence
    a, b, _ = st.columns(3)
    a.metric(text("sure.metric_margin", lang), f"{answer.margin:.2f}", help=text("sure.metric_margin_help", lang))
    if confidence is not None:
        b.metric(text("sure.metric_chance", lang), goal_seek_chance(answer),
                 help=text("sure.metric_chance_help", lang, sigma=f"{100 * confidence.sigma:g} %",
                           draws=f"{confidence.draws:,}"))
    if answer.changes:
        st.subheader(t("gs_changes", lang))
        with st.container(key="gs_changes_box"):
            st.dataframe(goal_seek_changes_frame(answer, package, lang), hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.button(t("gs_load", lang), key="w_gs_load", type="primary", help=t("gs_load_help", lang),
                    disabled=entry["data"] != package.digest, **on_click("load_goalseek"))
        right.download_button(t("gs_download", lang), data=dump_scenario(found).encode("utf-8"),
                              file_name=f"goal-seek-{answer.zone}.yaml", mime="application/x-yaml",
                              key="w_gs_download", on_click="ignore")
    footer = chart_footer(package, lang, answer.scenario.year)  # the data caveat under every chart (issue 11)
    # one above the other, across the page: side by side at 1024 px, long names left the bars 60 px
    st.altair_chart(goal_seek_chart(answer, names, lang, footer), width="stretch")
    if answer.changes:
        st.altair_chart(goal_seek_changes_chart(answer, names, lang, footer), width="stretch")
    st.subheader(t("gs_ranking", lang))
    with st.container(key="gs_ranking_box"):
        frame = goal_seek_ranking_frame(answer, package, lang)
        # A static table, as the What-if ranking: every column shows at 1024 px (a grid scrolled
        # its last one out of sight). Scores to 2 decimals; the last zone has no next one: a dash.
        gap = text("analysis.col_gap", lang)
        frame[gap] = [f"{value:.2f}" if pd.notna(value) else "–" for value in frame[gap]]
        st.table(fixed_decimals(frame), hide_index=True)
    notes_expander(list(answer.notes) + list(answer.result.warnings), lang, package.name)
