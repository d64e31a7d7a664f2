"""Small pieces more than one tab draws: the zone picker and the current scenario's caption."""

from __future__ import annotations

import streamlit as st

from sim.errors import SimError
from sim.i18n import escape_markdown, t
from sim.messages import render
from ui.state import TabContext, bind, context, lk


def show_error(exc: SimError) -> None:
    """A library error in the page's language, with names for ids (the text is never Markdown)."""
    ctx = context()
    st.error(escape_markdown(render(exc, ctx.lang, ctx.package.name)))


def zone_picker(ctx: TabContext, where: str = "page", help_key: str | None = None) -> str:
    """The zone selectbox: one zone of interest shared by the What-if and analysis tabs."""
    package, lang = ctx.package, ctx.lang
    st.selectbox(t("zone", lang), package.zone_ids, format_func=lambda z: package.name("zone", z, lang),
                 help=t(help_key, lang) if help_key else None,
                 **bind("zone", base=lk("w_zone", lang), value=ctx.state.zone, where=where, options=package.zone_ids))
    return ctx.state.zone


def scenario_caption(ctx: TabContext) -> None:
    """"Current scenario: <name> · <year>" (the name is the planner's text: never Markdown)."""
    st.caption(escape_markdown(f"{t('current_scenario', ctx.lang)}: {ctx.state.label()} · {ctx.scenario.year}"))
