"""The What-if tab: "start here", the ranking, a slider and an exact number box per indicator, the
results, the interventions table, and the brief.

The whole panel is one ``st.fragment``: moving a slider reruns the panel only, not
the page. Like every run, the panel's run starts by applying the pending edits
(:func:`ui.state.apply_pending`) and writing the share link, then draws from the
model. Results come from :mod:`ui.results`; what a slider shows and edits, and the
table's rows, from :mod:`sim.whatif`.

Layout: the ranking and the changed values span the page (their columns fit at
1024 px), then the sliders on the left and the charts on the right.
"""

from __future__ import annotations

import streamlit as st

from sim.data import DataPackage
from sim.engine import Result
from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.scenario import Scenario
from sim.whatif import (
    AMOUNT,
    TABLE_COLUMNS,
    display_rows,
    effect_text,
    intervention_rows,
    rows_frame,
    shared_cell,
    slider_effect,
    slider_spec,
    slider_value,
    table_options,
)
from sim.brief import ScenarioInput
from ui.brief import brief_button
from ui.cache import library_files
from ui.common import scenario_caption, show_error, zone_picker
from ui.edits import editor_key
from ui.files import file_name
from ui.results import render_details, render_ranking
from ui.state import (
    TabContext,
    apply_pending,
    bind,
    context,
    on_click,
    pref_widget,
    show_messages,
    state,
    sync_url,
)

WHERE = "whatif"
#: "Start here": three questions a planner asks first, each a library scenario (label key, file).
EXAMPLES = (
    ("example_rd", "sunan_rd_doubling.yaml"),
    ("example_catch_up", "sunan_catch_up.yaml"),
    ("example_artefact", "artefact_sunan_stays_last.yaml"),
)


def render(ctx: TabContext) -> None:
    """Draw the tab (its panel reads the model itself: on a fragment rerun ``ctx`` would be old)."""
    panel()


@st.fragment
def panel() -> None:
    apply_pending()
    sync_url()
    ctx = context()
    package, lang = ctx.package, ctx.lang
    # Elements that come and go sit in containers: the browser keys elements by position, and
    # a slider pushed down by a new line above it is redrawn and loses the keyboard focus.
    with st.container(key="whatif_messages"):
        show_messages(WHERE)
    _start_here(lang)
    caption, download = st.columns([3, 1], vertical_alignment="center")
    with caption:
        scenario_caption(ctx)
    with download:
        scenario = ctx.scenario
        brief_button(package, [ScenarioInput.from_scenario(scenario, file_name(scenario))], lang,
                     key="w_brief_whatif", name="brief-" + file_name(scenario).removesuffix(".yaml"))
    zone = zone_picker(ctx, where=WHERE)
    # Sent before the result is computed: a run cut short leaves it, so the ranking below
    # never passes for the current inputs' when it is not.
    marker = st.empty()
    marker.caption(t("status_updating", lang))
    try:
        result: Result | None = ctx.result()
    except SimError as exc:
        marker.empty()  # nothing is being recomputed: the error says why there are no results
        st.error(escape_markdown(t("results_error", lang)))
        show_error(exc)
        result = None
    if result is not None:
        render_ranking(result, package, lang)  # before the sliders: what the planner waits for
    left, right = st.columns([5, 7], gap="large")
    with left:
        _sliders(package, ctx.scenario, zone, result, lang)
    if result is not None:
        with right:
            render_details(result, package, lang)
        marker.caption(t("status_current", lang, count=len(ctx.scenario.interventions)))
    _interventions_table(ctx)


def _start_here(lang: str) -> None:
    """Three example questions; each button loads its library scenario (missing files: no button)."""
    shown = {path.name for path in library_files()}
    examples = [(key, name) for key, name in EXAMPLES if name in shown]
    if not examples:
        return
    with st.container(key="start_here"):
        st.caption(escape_markdown(t("start_here", lang)))
        for column, (key, name) in zip(st.columns(len(examples)), examples):
            column.button(t(key, lang), key=f"w_{key}", width="stretch", wrap=True,
                          **on_click("load_example", name, where=WHERE))


def _sliders(package: DataPackage, scenario: Scenario, zone: str, result: Result | None, lang: str) -> None:
    st.markdown(f"**{escape_markdown(t('sliders_for', lang))}**")
    a, b = st.columns(2)
    a.button(t("reset_zone", lang), key="w_reset_zone", wrap=True, **on_click("reset_zone", zone, where=WHERE))
    b.button(t("reset_all", lang), key="w_reset_all", wrap=True, **on_click("reset_all", where=WHERE))
    table = package.table(scenario.year)
    groups = package.indicators["group"]
    # One group's sliders at a time: what the browser redraws on every move stays small.
    chosen = state().prefs.get("group")
    group = chosen if chosen in package.groups.index else package.groups.index[0]
    st.radio(t("indicator_group", lang), list(package.groups.index), horizontal=True,
             format_func=lambda g: package.name("group", g, lang), help=t("indicator_group_help", lang),
             **pref_widget("group", group, lang, options=package.groups.index))
    changed = _changed_per_group(package, zone, result)
    where = st.empty()  # always one element here: a line that comes and goes must not move the sliders
    if changed:  # where this zone's changes are, so none is hidden in a closed group
        where.caption(escape_markdown(t("changed_in_groups", lang, groups=[
            f"{package.name('group', g, lang)} ({changed[g]})" for g in package.groups.index if changed.get(g)])))
    with st.container(key="sliders_box"):
        for indicator in groups.index[groups == group]:
            _slider(package, scenario, zone, indicator, table, result, lang)


def _changed_per_group(package: DataPackage, zone: str, result: Result | None) -> dict[str, int]:
    """How many of the zone's values the scenario changes, per group (the caption under the group picker)."""
    if result is None:
        return {}
    moved = result.values.loc[zone] != result.baseline_values.loc[zone]
    return package.indicators.loc[moved[moved].index, "group"].value_counts().to_dict()


def _slider(package: DataPackage, scenario: Scenario, zone: str, indicator: str, table, result: Result | None,
            lang: str) -> None:
    """One indicator: its slider, the number box beside it (the same value), and its effective change."""
    spec = slider_spec(package, scenario.year, zone, indicator, table)
    value = slider_value(scenario, spec, zone, package.zone_ids)
    unit = str(package.indicators.at[indicator, "unit"])
    if spec.disabled:
        help_text = t("slider_help_zero", lang)
    else:
        help_text = t("slider_help_count" if spec.kind == AMOUNT else "slider_help_percent", lang,
                      value=f"{spec.baseline:g}", unit=unit)
    if shared_cell(scenario, spec, zone, package.zone_ids):
        help_text += " " + t("slider_help_shared", lang)
    name = escape_markdown(package.name("indicator", indicator, lang))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.slider(
        name, min_value=spec.low, max_value=spec.high, step=spec.step,
        format="%+d" if spec.kind == AMOUNT else "%+d%%", help=escape_markdown(help_text), disabled=spec.disabled,
        **bind("cell", zone, indicator, base=f"w_sl_{indicator}", value=value, where=WHERE),
    )
    right.number_input(
        t("exact_value", lang, indicator=name), min_value=spec.low, max_value=spec.high, step=1, format="%d",
        label_visibility="collapsed", help=t("exact_value_help", lang), disabled=spec.disabled,
        **bind("cell", zone, indicator, base=f"w_nb_{indicator}", value=value, where=WHERE),
    )
    effect = slider_effect(result, package, zone, spec) if result is not None else None
    note = st.empty()  # below the row, so the box stays beside its slider; always there (see above)
    if effect is not None:
        note.caption(escape_markdown(effect_text(effect, package, spec.kind, lang)))


def _interventions_table(ctx: TabContext) -> None:
    """Every intervention as a row, with names (in the UI language) picked from drop-downs."""
    package, lang = ctx.package, ctx.lang
    st.subheader(t("interventions", lang), help=t("interventions_help", lang))
    rows = display_rows(intervention_rows(ctx.scenario), package, lang)
    options = table_options(package, lang, rows)
    key = editor_key(ctx.state)
    st.data_editor(
        rows_frame(rows), key=key, num_rows="dynamic", hide_index=True, width="stretch",
        column_order=list(TABLE_COLUMNS),
        column_config={
            "zone": st.column_config.SelectboxColumn(t("col_zone", lang), options=options["zone"], required=True),
            "indicator": st.column_config.SelectboxColumn(t("col_indicator", lang), options=options["indicator"],
                                                          required=True),
            "change": st.column_config.SelectboxColumn(t("col_change", lang), options=options["change"],
                                                       default=options["change"][0], required=True),
            "value": st.column_config.NumberColumn(t("col_value", lang), required=True),
            "note": st.column_config.TextColumn(t("col_note", lang)),
        },
    )
    st.button(t("apply_table", lang), key="w_apply_table", type="primary",
              **on_click("apply_table", key=key, where=WHERE))
