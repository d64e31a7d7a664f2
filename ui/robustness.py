"""The Robustness tab: Monte Carlo rank probabilities and weight stability of the current scenario.

The report opens with one plain sentence per zone ("江苏苏南 第 3 名的概率 62 %", the
library's own words), then the charts and tables; the technical terms are in the glossary.
It runs only when its button is pressed (with a progress bar) and keeps its report in
the model with the scenario it started from, marked stale when the scenario changes.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.analysis.charts import (
    rank_probability_heatmap,
    rank_probability_labels,
    weight_stability_chart,
    weight_stability_points,
)
from sim.analysis.robustness import RobustnessReport, robustness
from sim.analysis.views import (
    APP_MAX_DRAWS,
    VARY_CHOICES,
    display_names,
    robustness_frame,
    robustness_sentences,
    vary_normalizations,
    weight_stability_frame,
)
from sim.provenance import chart_footer
from sim.data import DataPackage
from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.messages import text
from sim.scenario import Scenario
from ui.analysis import is_stale, notes_expander, started_from
from ui.common import scenario_caption, show_error
from ui.glossary import glossary_expander
from ui.state import TabContext, commit, pref_widget, state

#: The inputs: (name, default, number_input options).
INPUTS = (
    ("rb_draws", 10_000, {"min_value": 1, "max_value": APP_MAX_DRAWS, "step": 1_000}),
    ("rb_seed", 1, {"min_value": 0, "max_value": 2**32 - 1, "step": 1}),
    ("rb_sigma", 5.0, {"min_value": 0.0, "max_value": 100.0, "step": 1.0}),
    ("rb_concentration", 0.0, {"min_value": 0.0, "max_value": 1e6, "step": 50.0}),
)


def render(ctx: TabContext) -> None:
    package, scenario, lang, prefs = ctx.package, ctx.scenario, ctx.lang, ctx.state.prefs
    st.caption(escape_markdown(t("rb_intro", lang)))
    glossary_expander(lang, ("monte_carlo", "noise", "bootstrap"))
    scenario_caption(ctx)
    cols = st.columns([2, 2, 2, 2, 3])
    for column, (name, default, options) in zip(cols, INPUTS):
        column.number_input(t(name, lang), help=t(f"{name}_help", lang), **options, **pref_widget(name, default, lang))
    cols[4].selectbox(t("rb_vary", lang), list(VARY_CHOICES), format_func=lambda c: t(f"vary_{c}", lang),
                      **pref_widget("rb_vary", "fixed", lang, options=VARY_CHOICES))
    value = {name: prefs.get(name, default) for name, default, _ in INPUTS}
    if st.button(t("rb_run", lang), key="w_rb_run", type="primary"):
        draws = int(value["rb_draws"])
        bar = st.progress(0.0, text=t("rb_progress", lang, done=0, total=f"{draws:,}"))

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=t("rb_progress", lang, done=f"{done:,}", total=f"{total:,}"))

        try:
            weights_vary, scores_vary = vary_normalizations(prefs.get("rb_vary", "fixed"))
            report = robustness(
                package, scenario, draws=draws, seed=int(value["rb_seed"]), sigma=float(value["rb_sigma"]) / 100.0,
                concentration=float(value["rb_concentration"]) or None, normalizations=weights_vary,
                score_normalizations=scores_vary,
                progress=progress,  # the library's chunk: the same seed gives the command line's numbers
            )
        except SimError as exc:
            show_error(exc)
        else:
            commit(state().with_answer("rb", {"report": report, **started_from(package, scenario)}))
        finally:
            bar.empty()
    entry = state().answers.get("rb")
    if entry is None:
        st.info(t("rb_none_yet", lang))
        return
    _report(entry, package, scenario, lang)


def _report(entry: dict[str, Any], package: DataPackage, scenario: Scenario, lang: str) -> None:
    report: RobustnessReport = entry["report"]
    names = display_names(package, lang)
    st.divider()
    if is_stale(entry, package, scenario):
        st.warning(escape_markdown(t("rb_stale", lang)))
    shown = report.scenario
    st.caption(escape_markdown(t(
        "rb_for", lang, scenario=shown.name_zh if lang == "zh" and shown.name_zh else shown.name, year=report.year,
        draws=f"{report.draws:,}", seed=report.settings["seed"], seconds=f"{report.seconds:.2f}")))
    settings = report.settings
    with st.container(key="rb_sentences"):
        st.info("\n".join(f"- {escape_markdown(sentence)}" for sentence in robustness_sentences(report, package, lang)))
    st.caption(escape_markdown(text("sure.sentences_note", lang, sigma=f"{100 * settings['sigma']:g} %",
                                    draws=f"{report.draws:,}", seed=settings["seed"])))
    if report.p_beats_baseline is None:
        st.caption(escape_markdown(t("rb_no_scenario", lang)))
    footer = chart_footer(package, lang, report.year)  # the data caveat under every chart (issue 11)
    # One above the other, across the page: side by side at 1024 px, the cells were 20 px
    # wide and the weights' plot narrower than its names.
    heat = rank_probability_heatmap(report, names, lang, footer) + rank_probability_labels(report, names)
    st.altair_chart(heat.properties(height=48 * len(report.zones)), width="stretch")
    weights = weight_stability_chart(report, names, lang, footer) + weight_stability_points(report, names, lang)
    st.altair_chart(weights, width="stretch")
    st.subheader(t("rb_table", lang))
    with st.container(key="rb_table_box"):
        st.dataframe(robustness_frame(report, package, lang), hide_index=True, width="stretch")
    st.subheader(t("rb_weights", lang), help=t("rb_weights_help", lang))
    with st.container(key="rb_weights_box"):
        st.dataframe(weight_stability_frame(report, package, lang), hide_index=True, width="stretch")
    notes_expander(report.notes, lang, package.name)
