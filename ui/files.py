"""The Scenario files tab: name the scenario, download it, share it, load one from the library or a file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from sim.data import DataPackage
from sim.errors import ScenarioError
from sim.i18n import escape_markdown, t
from sim.scenario import dump_scenario
from sim.share import file_name
from ui.cache import library_files, library_scenario
from ui.state import AppState, TabContext, bind, link_params, lk, on_change, on_click


def render(ctx: TabContext) -> None:
    package, model, lang = ctx.package, ctx.state, ctx.lang
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("current_scenario", lang))
        for field, widget in (("name", st.text_input), ("name_zh", st.text_input), ("description", st.text_area)):
            widget(t(field, lang), **bind("text", field, base=f"w_{field}", value=getattr(ctx.scenario, field)))
        text = dump_scenario(ctx.scenario)
        st.download_button(t("download_scenario", lang), data=text.encode("utf-8"), file_name=file_name(ctx.scenario),
                           mime="application/x-yaml", key="w_download_yaml", on_click="ignore",
                           help=t("download_help", lang), type="primary")
        _share_link(model, lang)
        with st.expander(t("current_yaml", lang)):
            st.code(text, language="yaml")
    with right:
        st.subheader(t("library", lang))
        files = library_files()
        if not files:
            st.info(t("library_empty", lang))
        else:
            names = [p.name for p in files]
            chosen = model.prefs.get("lib") if model.prefs.get("lib") in names else names[0]
            labels = {p.name: library_label(package, p, model) for p in files}
            picker = bind("pref", "lib", base=lk("w_lib", lang), value=chosen, options=names)
            st.selectbox(t("library_pick", lang), names, format_func=labels.get, **picker)
            st.button(t("load", lang), key="w_load", **on_click("load_library", key=picker["key"]))
        st.file_uploader(t("upload_scenario", lang), type=["yaml", "yml"],
                         **on_change("scenario_upload", key="w_scn_upload"))


def _share_link(model: AppState, lang: str) -> None:
    st.markdown(f"**{escape_markdown(t('share', lang))}**", help=t("share_help", lang))
    try:
        params = link_params(model)
    except ScenarioError as exc:
        st.warning(escape_markdown(t("share_too_big", lang, reason=str(exc))))
        return
    base = (st.context.url or "").split("?")[0].split("#")[0]
    if base and not base.endswith("/"):
        base += "/"
    with st.container(key="share_box"):
        st.code(f"{base}?{urlencode(params)}", language=None, wrap_lines=True)
    if model.data == "uploaded":
        st.caption(escape_markdown(t("share_uploaded_data", lang)))


def library_label(package: DataPackage, path: Path, model: AppState) -> str:
    """A library file as the pickers show it: the scenario's name, or the file's with (!) when it is invalid.

    The file name (an id) follows the name in English only: the Chinese page shows
    names, never ids (issue 11).
    """
    scenario, _ = library_scenario(package, path)
    if scenario is None:
        return f"{path.name} (!)"
    return model.label(scenario) + (f" ({path.name})" if model.lang == "en" else "")
