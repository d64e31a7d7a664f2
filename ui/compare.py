"""The Compare tab: rankings of up to six scenarios side by side, with CSV and Excel downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from sim.charts import comparison_labels, comparison_wide_frame, rank_chart
from sim.errors import ScenarioError, SimError
from sim.excel import XLSX_MIME, comparison_workbook
from sim.i18n import t
from sim.report import comparison_csv
from sim.scenario import Scenario
from ui.cache import library_files, library_scenario, parse, run
from ui.common import show_error
from ui.state import TabContext, bind, lk

MAX_COMPARED = 6


def render(ctx: TabContext) -> None:
    package, model, lang = ctx.package, ctx.state, ctx.lang
    options: dict[str, Callable[[], tuple[Scenario | None, str]]] = {"current": lambda: (ctx.scenario, "")}
    labels = {"current": f"{t('opt_current', lang)}: {model.label()}"}
    for path in library_files():
        key = f"lib:{path.name}"
        options[key] = partial(library_scenario, package, path)
        scenario, _ = options[key]()
        labels[key] = f"{t('opt_library', lang)}: {path.name}" + (f" — {model.label(scenario)}" if scenario else " (!)")
    for name, data in model.uploaded:
        key = f"up:{name}"
        options[key] = partial(parse, package, data, name)
        labels[key] = f"{t('opt_uploaded', lang)}: {name}"
    chosen = model.prefs.get("cmp")
    if chosen is None:
        library = [k for k in options if k.startswith("lib:")]
        chosen = ["current"] + (["lib:baseline.yaml"] if "lib:baseline.yaml" in library else library[:1])
    picked = [k for k in chosen if k in options][:MAX_COMPARED]
    st.multiselect(t("compare_pick", lang), list(options), max_selections=MAX_COMPARED, format_func=labels.get,
                   **bind("pref", "cmp", base=lk("w_cmp", lang), value=picked, param="default"))
    results, names = [], []
    for option in picked:
        scenario, error = options[option]()
        try:
            if scenario is None:
                raise ScenarioError(error)
            results.append(run(package, scenario))
            names.append(model.label(scenario))
        except SimError as exc:
            show_error(exc)
    if len(results) < 2:
        st.info(t("compare_need_two", lang))
        return
    column_labels = comparison_labels(results, lang, names)
    short = [f"[{position}]" for position in range(1, len(results) + 1)]
    wide = comparison_wide_frame(results, package, lang, short)
    st.subheader(t("compare_table", lang))
    st.text("\n".join(column_labels))  # the legend of [1], [2], ...: plain text, never Markdown
    with st.container(key="compare_box"):
        st.dataframe(wide, hide_index=True, width="stretch")
    st.altair_chart(rank_chart(results, package, lang, column_labels), width="stretch")
    a, b = st.columns(2)
    a.download_button(t("download_csv", lang), data=comparison_csv(results).encode("utf-8"),
                      file_name="comparison.csv", mime="text/csv", key="w_cmp_csv", on_click="ignore")
    b.download_button(t("download_excel", lang), data=partial(comparison_workbook, results, package, lang, wide),
                      file_name="comparison.xlsx", mime=XLSX_MIME, key="w_cmp_xlsx", on_click="ignore")
