"""zonesim's Streamlit app: what-if sliders, scenario files and share links, comparison, analyses.

Run it with ``bash scripts/app.sh`` (or ``streamlit run streamlit_app.py``).

This is the entry only: page config, sidebar and the tab registry. The tabs live in
the package ``ui/`` (one module per tab); the state model (the current scenario is
the only source of truth; widgets queue edits that every run applies first) is
written down in :mod:`ui.state`, every edit is in :mod:`ui.edits`. All logic lives
in ``sim/`` and is tested there.

To add a tab: write ``ui/<id>.py`` with ``render(ctx)``, add one line to
:data:`TABS`, and its label ``tab_<id>`` (zh and en) to ``sim/locale/ui.yaml``.
"""

from __future__ import annotations

import importlib

import streamlit as st

from sim.i18n import LANGS, escape_markdown, t
from sim.provenance import provenance_line
from ui import state
from ui.sidebar import render_sidebar

#: The tabs, in order: (id, module). Only the open tab's module is imported and drawn.
TABS: list[tuple[str, str]] = [
    ("whatif", "ui.whatif"),
    ("files", "ui.files"),
    ("compare", "ui.compare"),
    ("plan", "ui.plan"),
    ("goalseek", "ui.goalseek"),
    ("levers", "ui.levers"),
    ("robustness", "ui.robustness"),
]


def tab_labels(lang: str) -> list[str]:
    """The tab labels in ``lang``; the open tab stays open across a language switch."""
    labels = [t(f"tab_{tab_id}", lang) for tab_id, _ in TABS]
    current = st.session_state.get("w_tab")
    if current not in labels:
        same = [i for i, (tab_id, _) in enumerate(TABS) if current in {t(f"tab_{tab_id}", x) for x in LANGS}]
        st.session_state["w_tab"] = labels[same[0] if same else 0]
    return labels


def main() -> None:
    st.set_page_config(page_title="zonesim", page_icon="📈", layout="wide")
    state.start_session()
    state.apply_pending()  # first, before anything is drawn: see ui/state.py
    state.sync_url()
    ctx = state.context()
    st.title(t("title", ctx.lang))
    st.caption(t("subtitle", ctx.lang))
    # the data's caveat on every tab, under the title: a screenshot keeps it (issue 11)
    st.caption(":material/info: " + escape_markdown(provenance_line(ctx.package, ctx.lang, ctx.scenario.year)))
    render_sidebar(ctx)
    with st.container(key="page_messages"):  # a message that comes and goes must not move the tabs
        state.show_messages("page")
    tabs = st.tabs(tab_labels(ctx.lang), key="w_tab", on_change="rerun")
    for (_, module), tab in zip(TABS, tabs):
        if tab.open:
            with tab:
                importlib.import_module(module).render(ctx)


main()
