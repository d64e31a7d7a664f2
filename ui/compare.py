"""The Compare tab: up to six scenarios against the baseline, in tables that fit the screen, with charts.

The baseline (no intervention) is always the first column and the first point of the
charts, so it is never picked twice: the default selection is the current scenario
when it changes something, and the library's headline scenarios that give other
numbers (:func:`sim.compare.same_results`). One cell per scenario
(:func:`sim.compare.ranking_matrix`) keeps six scenarios on a 1024 px screen; the
score chart shows gaps at their size; the inputs table shows what each scenario
changes. Downloads: CSV, Excel, and the brief (the ``zonesim report`` document).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import streamlit as st

from sim.brief import ScenarioInput
from sim.charts import comparison_labels, comparison_wide_frame, rank_chart, score_chart
from sim.compare import inputs_matrix, is_baseline, ranking_matrix, same_results
from sim.errors import SimError
from sim.excel import XLSX_MIME, comparison_workbook
from sim.i18n import escape_markdown, t
from sim.report import comparison_csv
from sim.scenario import Scenario, baseline_scenario
from ui.brief import brief_button
from ui.cache import library_files, library_scenario, parse, run
from ui.common import show_error
from ui.files import file_name, library_label
from ui.state import TabContext, bind, lk

MAX_COMPARED = 6
#: Library files compared by default (when present and not the same as another pick).
DEFAULT_LIBRARY = ("sunan_rd_doubling.yaml", "sunan_catch_up.yaml")

Option = Callable[[], tuple[Scenario | None, SimError | None]]


def render(ctx: TabContext) -> None:
    package, model, lang = ctx.package, ctx.state, ctx.lang
    options, labels, inputs = _options(ctx)
    chosen = model.prefs.get("cmp")
    picked = [k for k in (chosen if chosen is not None else default_picks(ctx, options)) if k in options][:MAX_COMPARED]
    st.multiselect(t("compare_pick", lang), list(options), max_selections=MAX_COMPARED, format_func=labels.get,
                   **bind("pref", "cmp", base=lk("w_cmp", lang), value=picked, param="default"))
    results, names, keys = [], [], []
    for option in picked:
        scenario, error = options[option]()
        try:
            if scenario is None:
                raise error
            results.append(run(package, scenario))
        except SimError as exc:
            show_error(exc)
        else:
            names.append(model.label(scenario))
            keys.append(option)
    if not results:
        st.info(t("compare_need_one", lang))
        return
    column_labels = comparison_labels(results, lang, names)
    short = [f"[{position}]" for position in range(1, len(results) + 1)]
    st.subheader(t("compare_table", lang))
    st.markdown(f"**{escape_markdown(t('compare_legend', lang))}**")
    st.text("\n".join(column_labels))  # the legend of [1], [2], ...: plain text, never Markdown
    with st.container(key="compare_box"):
        st.table(ranking_matrix(results, package, lang, short), hide_index=True)
    st.caption(escape_markdown(t("compare_matrix_note", lang)))
    first = results[0]
    baseline = run(package, baseline_scenario(package, first.year, dict(first.scenario.method_options)))
    charted, chart_labels = [baseline, *results], [t("series_baseline", lang), *column_labels]
    st.vega_lite_chart(score_chart(charted, package, lang, chart_labels).to_dict(validate=False), width="stretch")
    st.vega_lite_chart(rank_chart(charted, package, lang, chart_labels).to_dict(validate=False), width="stretch")
    st.subheader(t("compare_inputs", lang))
    with st.container(key="compare_inputs_box"):
        st.table(inputs_matrix([r.scenario for r in results], package, lang, short), hide_index=True)
    a, b, c = st.columns(3)
    a.download_button(t("download_csv", lang), data=comparison_csv(results).encode("utf-8"),
                      file_name="comparison.csv", mime="text/csv", key="w_cmp_csv", on_click="ignore")
    b.download_button(t("download_excel", lang), data=partial(_workbook, results, package, lang, short),
                      file_name="comparison.xlsx", mime=XLSX_MIME, key="w_cmp_xlsx", on_click="ignore")
    with c:
        brief_button(package, [inputs[k]() for k in keys], lang, key="w_brief_compare", name="brief-comparison")


def _workbook(results, package, lang: str, short: list[str]) -> bytes:
    return comparison_workbook(results, package, lang, comparison_wide_frame(results, package, lang, short))


def _options(ctx: TabContext) -> tuple[dict[str, Option], dict[str, str], dict[str, Callable[[], ScenarioInput]]]:
    """What may be compared: the current scenario, the library, uploaded files; their labels and brief inputs."""
    package, model, lang = ctx.package, ctx.state, ctx.lang
    current = ctx.scenario
    options: dict[str, Option] = {"current": lambda: (current, None)}
    labels = {"current": f"{t('opt_current', lang)}: {model.label()}"}
    inputs = {"current": lambda: ScenarioInput.from_scenario(current, file_name(current))}
    for path in library_files():
        key = f"lib:{path.name}"
        options[key] = partial(library_scenario, package, path)
        scenario, _ = options[key]()
        labels[key] = f"{t('opt_library', lang)}: {library_label(package, path, model)}"
        inputs[key] = partial(ScenarioInput.from_file, path, package)
    for name, data in model.uploaded:
        key = f"up:{name}"
        options[key] = partial(parse, package, data, name)
        labels[key] = f"{t('opt_uploaded', lang)}: {name}"
        inputs[key] = partial(_uploaded_input, package, data, name)
    return options, labels, inputs


def _uploaded_input(package, data: bytes, name: str) -> ScenarioInput:
    scenario, error = parse(package, data, name)
    if scenario is None:
        raise error
    return ScenarioInput(scenario, data.decode("utf-8-sig"), Path(name).name)


def default_picks(ctx: TabContext, options: dict[str, Option]) -> list[str]:
    """The current scenario if it changes something, then two headline library scenarios, none twice.

    The baseline is always shown, so nothing that scores as the baseline is picked.
    """
    library = [f"lib:{name}" for name in DEFAULT_LIBRARY] + [k for k in options if k.startswith("lib:")]
    picks: dict[str, Scenario] = {}
    for key in ["current", *dict.fromkeys(library)]:
        if key not in options or len(picks) >= 2 + ("current" in picks):
            continue
        scenario, _ = options[key]()
        if scenario is not None and not is_baseline(scenario) and not any(same_results(scenario, s) for s in picks.values()):
            picks[key] = scenario
    return list(picks)
