"""The sidebar: language, data set (shipped or uploaded), baseline year, method, data source note."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from sim.data import SHIPPED_DATA
from sim.engine import provenance
from sim.excel import XLSX_MIME, template_workbook
from sim.i18n import LANG_NAMES, LANGS, escape_markdown, option_label, t, with_code_spans
from sim.method.entropy import NORMALIZATIONS
from sim.method.options import GOALPOSTS, METHOD_KEYS, WEIGHT_MODES
from sim.provenance import provenance_line
from ui.state import TabContext, bind, lk, on_change


def render_sidebar(ctx: TabContext) -> None:
    package, model, lang = ctx.package, ctx.state, ctx.lang
    with st.sidebar:
        st.radio(t("language", lang), LANGS, format_func=LANG_NAMES.get, horizontal=True,
                 **bind("lang", base="w_lang", value=lang, options=LANGS))

        st.subheader(t("data_set", lang))
        choices = ["shipped"] + (["uploaded"] if model.upload is not None else [])
        st.radio(t("data_set", lang), choices, label_visibility="collapsed", format_func=lambda c: t(f"data_{c}", lang),
                 **bind("data_choice", base=lk("w_data", lang), value=model.data if model.data in choices else "shipped",
                        options=choices))
        st.file_uploader(t("upload_data", lang), type=["csv", "xlsx", "yaml", "yml"], accept_multiple_files=True,
                         help=t("upload_data_help", lang), **on_change("data_upload", key="w_data_upload"))
        # made when pressed (deferred): building the workbook on every run would slow the page
        st.download_button(t("template", lang), data=partial(template_workbook, package), file_name="zonesim-data.xlsx",
                           mime=XLSX_MIME, key="w_template", on_click="ignore")

        st.selectbox(t("year", lang), package.years, **bind("year", base="w_year", value=ctx.scenario.year,
                                                                   options=package.years))

        st.subheader(t("method", lang), help=t("method_help", lang))
        method = ctx.scenario.method(package)
        weights = method.weights if isinstance(method.weights, str) else "explicit"
        current = {
            "normalization": (method.normalization, list(NORMALIZATIONS)),
            "score_normalization": (method.score_normalization or "same", ["same", *NORMALIZATIONS]),
            "weights": (weights, [*WEIGHT_MODES, *(["explicit"] if weights == "explicit" else [])]),
            "goalposts": (method.goalposts, list(GOALPOSTS)),
        }
        for name in METHOD_KEYS:
            value, options = current[name]
            st.selectbox(t(name, lang), options, format_func=lambda o, k=name: option_label(o, lang, k),
                         **bind("method", name, base=lk(f"w_m_{name}", lang), value=value, options=options))

        st.subheader(t("source_note", lang))
        year = ctx.scenario.year
        note = "**" + escape_markdown(provenance_line(package, lang, year)) + "**"
        if package.root is not None and Path(package.root).resolve() == SHIPPED_DATA.resolve():
            note += "  \n" + escape_markdown(t("source_shipped_caution", lang))
        st.info(note)
        # The sources as the data package writes them (free text of the data's authors, any language).
        with st.expander(t("source_text", lang)):
            sources = provenance(package, year)
            st.caption("  \n".join(with_code_spans(source) + " " + t("source_count", lang, count=n, total=sources["values"])
                                    for source, n in sources["source_counts"].items()))
