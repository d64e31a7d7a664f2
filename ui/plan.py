"""The Plan tab: a plan over years, ranked year by year (issue 13 point 3).

The planner picks a library plan, an uploaded plan file, or the current scenario made
into a plan (horizon, default trend, and when each intervention applies:
:func:`sim.plan.compose.as_plan`). The tab shows the ranks per year (the rank chart:
the plan solid, the baseline path dashed), the years in which a zone passes another,
the tables of ranks and scores per year (the cells ``zonesim run PLAN.yaml`` prints),
the notes and warnings in the page's language, and downloads the plan file and its
brief (the document ``zonesim report PLAN.yaml`` writes).

Every input goes through the state model (:mod:`ui.state`): the source, horizon and
trend are ``prefs`` (the ``pref`` edit), the timings the ``plan_timing`` edit, an
upload the ``plan_upload`` edit (:mod:`ui.edits`). The current scenario itself stays
a one-year scenario: its plan settings are kept beside it, so the What-if tab keeps
working on it.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sim.brief import ScenarioInput
from sim.brief.plan import plan_change_lines
from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.messages import render as words_of
from sim.messages import text
from sim.plan import PlanResult, run_plan
from sim.plan.charts import plan_rank_chart, plan_score_chart
from sim.plan.compose import (TREND_CHOICES, as_plan, horizons, intervention_key, observed_trend_frame,
                              plan_settings)
from sim.plan.report import method_words, rule_words, trend_words, warnings_by_text, year_tables
from sim.plan.result import BASELINE, PLAN
from sim.plan.schema import TrendRule, previous_year
from sim.scenario import Scenario, dump_scenario
from sim.whatif_table import numbered_interventions
from ui.brief import brief_button
from ui.cache import library_files, library_scenario, parse
from ui.common import show_error
from ui.files import file_name
from ui.state import TabContext, bind, lk, on_change, pref_widget, show_messages

@st.cache_resource(max_entries=64, show_spinner=False)
def _run_cached(_package, _scenario: Scenario, digest: str, text: str) -> PlanResult:
    return run_plan(_package, _scenario)


def run_cached(package, scenario: Scenario) -> PlanResult:
    """:func:`sim.plan.run_plan`, cached on the data digest and the plan's canonical text. Raises SimError."""
    return _run_cached(package, scenario, package.digest, dump_scenario(scenario))


def render(ctx: TabContext) -> None:
    package, model, lang = ctx.package, ctx.state, ctx.lang
    st.caption(escape_markdown(t("plan_intro", lang)))
    sources = _sources(ctx)
    default = next((key for key in sources if key.startswith("lib:")), "current")
    chosen = model.prefs.get("plan_src") if model.prefs.get("plan_src") in sources else default
    # the picker spans the page: a plan's name is long, and a cut name cannot be told from another
    st.selectbox(t("plan_source", lang), list(sources), format_func=lambda key: sources[key][0],
                 **bind("pref", "plan_src", base=lk("w_plan_src", lang), value=chosen, options=sources))
    with st.expander(t("plan_upload", lang)):
        st.file_uploader(t("plan_upload", lang), type=["yaml", "yml"], label_visibility="collapsed",
                         **on_change("plan_upload", key="w_plan_upload", where="plan"))
    with st.container(key="plan_messages"):
        show_messages("plan")
    try:
        if chosen == "current":
            item = _current_plan(ctx)
        else:
            item = sources[chosen][1]()
        result = run_cached(package, item.scenario)
    except SimError as exc:
        show_error(exc)
        return
    _show(ctx, result, item)


def _sources(ctx: TabContext) -> dict[str, tuple[str, object]]:
    """What may be shown as a plan: library plans, uploaded plans, the current scenario: ``{key: (label, input)}``."""
    package, model, lang = ctx.package, ctx.state, ctx.lang
    out: dict[str, tuple[str, object]] = {}
    for path in library_files():
        scenario, _ = library_scenario(package, path)
        if scenario is not None and scenario.is_plan:
            label = model.label(scenario) + (f" ({path.name})" if lang == "en" else "")
            out[f"lib:{path.name}"] = (t("plan_src_library", lang, name=label),
                                       lambda path=path: ScenarioInput.from_file(path, package))
    for name, data in model.prefs.get("plan_files", ()):
        out[f"up:{name}"] = (t("plan_src_uploaded", lang, name=name), lambda name=name, data=data: _uploaded(ctx, name, data))
    out["current"] = (t("plan_src_current", lang, name=model.label()), None)
    return out


def _uploaded(ctx: TabContext, name: str, data: bytes) -> ScenarioInput:
    scenario, error = parse(ctx.package, data, name)
    if scenario is None:
        raise error
    return ScenarioInput(scenario, data.decode("utf-8-sig"), name)


def _current_plan(ctx: TabContext) -> ScenarioInput:
    """The current scenario as a plan, with its settings drawn (horizon, trend, each intervention's timing)."""
    package, model, lang, scenario = ctx.package, ctx.state, ctx.lang, ctx.scenario
    prefs = model.prefs
    with st.container(border=True, key="plan_settings"):
        st.markdown(f"**{escape_markdown(t('plan_settings', lang))}**")
        years = horizons(scenario)
        horizon, trend, timings = plan_settings(scenario, prefs)
        a, b = st.columns([1, 2])
        a.selectbox(t("plan_horizon", lang), years, **pref_widget("plan_horizon", horizon, lang, options=years))
        b.selectbox(t("plan_trend", lang), TREND_CHOICES, help=t("plan_trend_help", lang),
                    format_func=lambda rule: words_of(rule_words(TrendRule.parse(rule)), lang),
                    **pref_widget("plan_trend", trend, lang, options=TREND_CHOICES))
        observed = observed_trend_frame(package, scenario.year, lang)
        if observed is not None:
            previous = previous_year(package, scenario.year)
            with st.expander(t("plan_observed_table", lang, previous=previous, year=scenario.year)):
                st.dataframe(observed, width="stretch")
        if not scenario.interventions:
            st.info(t("plan_no_interventions", lang))
        else:
            st.markdown(f"**{escape_markdown(t('plan_timing', lang))}**")
            _timing_rows(ctx, timings, years, horizon)
    plan = as_plan(scenario, package, horizon, trend, timings)
    return ScenarioInput.from_scenario(plan, file_name(plan).replace(".yaml", "-plan.yaml"))


def _timing_rows(ctx: TabContext, timings: dict, years: list[int], horizon: int) -> None:
    """Per intervention: its change in words, then from / every year / until."""
    package, lang, scenario = ctx.package, ctx.lang, ctx.scenario
    words = plan_change_lines(scenario, package, lang, timing=False)
    for position, item in enumerate(scenario.interventions):
        key = intervention_key(item)
        tag = hashlib.sha1(key.encode()).hexdigest()[:10]
        timing = timings.get(key) or {}
        st.caption(escape_markdown(words[position]))
        a, b, c = st.columns(3)
        start = timing.get("from") if timing.get("from") in years else years[0]
        a.selectbox(t("plan_from", lang), years, **bind("plan_timing", key, "from", base=f"w_plan_from_{tag}", value=start,
                                                                options=years))
        b.checkbox(t("plan_each_year", lang),
                   **bind("plan_timing", key, "each_year", base=f"w_plan_each_{tag}", value=bool(timing.get("each_year"))))
        if timing.get("each_year"):
            # not chosen yet: the horizon (what a file without ``until`` means)
            until = timing.get("until") if timing.get("until") in years else horizon
            c.selectbox(t("plan_until", lang), years,
                        **bind("plan_timing", key, "until", base=f"w_plan_until_{tag}", value=until, options=years))


def _show(ctx: TabContext, result: PlanResult, item: ScenarioInput) -> None:
    package, lang = ctx.package, ctx.lang
    names = package.name
    scenario = result.scenario
    st.subheader(escape_markdown(ctx.state.label(scenario)) + f" · {result.start_year}–{result.horizon}")
    st.caption(escape_markdown(words_of(trend_words(result), lang, names)))
    st.caption(escape_markdown(method_words(result, lang)))
    changes = plan_change_lines(scenario, package, lang)
    if changes:
        with st.expander(t("plan_what_changes", lang)):
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in changes))
    st.markdown(f"**{escape_markdown(t('plan_overtakes_heading', lang))}**")
    with st.container(key="plan_overtakes"):
        for path in (PLAN, BASELINE):
            events = [words_of(event.describe(), lang, names) for event in result.overtakes(path)]
            said = ("；" if lang == "zh" else "; ").join(events) if events else t("plan_overtakes_none", lang)
            st.markdown("- " + escape_markdown(t("plan_path_events", lang, path=render_path(path, lang), events=said)))
    st.vega_lite_chart(_spec(ctx, result, "ranks"), width="stretch")
    headers, rank_rows, score_rows = year_tables(result, package, lang)
    st.markdown(f"**{escape_markdown(t('plan_ranks_heading', lang))}**")
    with st.container(key="plan_ranks"):
        st.table(pd.DataFrame(rank_rows, columns=headers), hide_index=True)
    st.markdown(f"**{escape_markdown(t('plan_scores_heading', lang))}**")
    with st.container(key="plan_scores"):
        st.table(pd.DataFrame(score_rows, columns=headers), hide_index=True)
    st.vega_lite_chart(_spec(ctx, result, "scores"), width="stretch")
    notes = [words_of(note, lang, names) for note in result.notes]
    notes += [t("plan_warning_years", lang, years=years, warning=warning)  # interventions by number, as on What-if
              for warning, years in warnings_by_text(result, package, lang, numbered_interventions)]
    if notes:
        with st.expander(t("plan_notes_heading", lang), expanded=True), st.container(key="plan_notes"):
            st.markdown("\n".join(f"- {escape_markdown(note)}" for note in notes))
    a, b = st.columns(2)
    a.download_button(t("plan_download_yaml", lang), data=item.text.encode("utf-8"), file_name=item.file_name,
                      mime="application/x-yaml", key="w_plan_yaml", on_click="ignore")
    with b:
        brief_button(package, [item], lang, key="w_brief_plan", name=f"brief-{item.file_name.rsplit('.', 1)[0]}")


def render_path(path: str, lang: str) -> str:
    """``with the plan`` / ``baseline path`` in ``lang``."""
    return text(f"plan.path_{path}", lang)


@st.cache_data(max_entries=128, show_spinner=False)
def _chart_cached(digest: str, text: str, lang: str, kind: str, _result: PlanResult, _package) -> dict:
    build = plan_rank_chart if kind == "ranks" else plan_score_chart
    return build(_result, _package, lang).to_dict(validate=False)


def _spec(ctx: TabContext, result: PlanResult, kind: str) -> dict:
    return _chart_cached(ctx.package.digest, dump_scenario(result.scenario), ctx.lang, kind, result, ctx.package)
