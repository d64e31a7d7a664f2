"""The Streamlit app: what-if sliders, scenario files and share links, comparison, charts.

Run it with ``bash scripts/app.sh`` (or ``streamlit run streamlit_app.py``).

This is the only module that imports Streamlit, and it stays thin: widgets -> the
``sim`` API -> charts and tables from :mod:`sim.charts`. All logic lives in ``sim/``
and is tested there.

State
    The current scenario (a validated :class:`sim.scenario.Scenario`) is the one
    source of truth, kept in ``st.session_state["m_scenario"]``. Every widget that
    edits it (sliders, the interventions table, year, method, name) shows a value
    derived from it, and its ``on_change`` callback builds a new scenario document,
    validates it exactly like a file (and runs it), and only then replaces the
    current scenario. An invalid change shows the same message the command line
    would and leaves the planner's work as it was. The URL's query parameters are
    kept in sync with the current scenario, so the address bar is always a share link.

Tabs
    One function per tab, registered in :data:`TABS`; only the open tab runs. To add a
    tab, write ``render_x(ctx: AppContext)`` and add it to :data:`TABS` with a label
    key in :mod:`sim.i18n`. The analysis tabs (goal-seek, levers, robustness) show
    tables and sentences built by :mod:`sim.analysis.views`; goal-seek and robustness
    run only when their button is pressed and keep their answer in session_state
    (``m_gs``, ``m_rb``) with the scenario it started from, so it is marked stale,
    not recomputed, when the current scenario changes. "Load the found scenario into
    the sliders" goes through :func:`accept_loaded`, like loading a file.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from sim.analysis.charts import (
    goal_seek_changes_chart,
    goal_seek_chart,
    levers_bar_chart,
    levers_heatmap,
    rank_probability_heatmap,
    rank_probability_labels,
    weight_stability_chart,
    weight_stability_points,
)
from sim.analysis.goalseek import DEFAULT_MAX_CHANGE, TARGET_KINDS, GoalSeekResult, goal_seek
from sim.analysis.levers import STEPS, LeverReport, lever_matrix, lever_report
from sim.analysis.robustness import RobustnessReport, robustness
from sim.analysis.views import (
    APP_MAX_DRAWS,
    VARY_CHOICES,
    default_rival,
    display_names,
    found_scenario,
    goal_seek_changes_frame,
    goal_seek_ranking_frame,
    goal_seek_verdict,
    lever_flags,
    lever_frame,
    robustness_frame,
    target_label,
    target_text,
    top_lever,
    vary_normalizations,
    weight_stability_frame,
)
from sim.charts import (
    comparison_labels,
    comparison_wide_frame,
    decomposition_chart,
    group_contributions_chart,
    rank_chart,
    ranking_frame,
    scores_chart,
    weight_drift_chart,
)
from sim.data import SHIPPED_DATA, DataPackage, load_package
from sim.engine import Result, provenance, run_scenario
from sim.errors import ScenarioError, SimError
from sim.excel import XLSX_MIME, comparison_workbook, package_from_files, template_workbook
from sim.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, escape_markdown, option_label, t
from sim.method.entropy import NORMALIZATIONS
from sim.method.options import GOALPOSTS, METHOD_KEYS, WEIGHT_MODES
from sim.report import comparison_csv, data_summary
from sim.scenario import Scenario, dump_scenario, parse_scenario, scenario_from_dict
from sim.share import scenario_from_params, share_params
from sim.whatif import (
    AMOUNT,
    CHANGE_KINDS,
    TABLE_COLUMNS,
    SliderSpec,
    apply_editor_state,
    intervention_rows,
    rows_frame,
    rows_to_interventions,
    shared_cell,
    slider_spec,
    slider_value,
    with_interventions,
    with_slider,
    without_zone_sliders,
)

APP_DIR = Path(__file__).resolve().parent
#: The scenario library (``ZONESIM_SCENARIO_DIR`` overrides it, e.g. in tests).
SCENARIO_DIR = Path(os.environ.get("ZONESIM_SCENARIO_DIR") or APP_DIR / "scenarios")
MAX_WARNINGS_SHOWN = 6
S = st.session_state


# --------------------------------------------------------------------------- cached data


def _folder_digest(folder: Path) -> str:
    """sha256 over a data folder's files: the cache key, so edited data are reloaded."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_package(path: str, digest: str) -> DataPackage:
    return load_package(path)


def shipped_package() -> DataPackage:
    """The shipped data package, cached on its path and the digest of its files."""
    return _load_package(str(SHIPPED_DATA), _folder_digest(SHIPPED_DATA))


@st.cache_resource(max_entries=512, show_spinner=False)
def _run_cached(_package: DataPackage, _scenario: Scenario, digest: str, text: str) -> Result:
    return run_scenario(_package, _scenario)


def run(package: DataPackage, scenario: Scenario) -> Result:
    """Run a scenario, cached on the data digest and the scenario's canonical text.

    Raises
    ------
    SimError
        As :func:`sim.engine.run_scenario`.
    """
    return _run_cached(package, scenario, package.digest, dump_scenario(scenario))


@st.cache_resource(max_entries=1024, show_spinner=False)
def _parse_cached(_package: DataPackage, digest: str, text: bytes, source: str) -> tuple[Scenario | None, str]:
    try:
        return parse_scenario(text, _package, source=source), ""
    except SimError as exc:
        return None, str(exc)


def library_files() -> list[Path]:
    """Scenario files in the library folder, by name."""
    if not SCENARIO_DIR.is_dir():
        return []
    return sorted(p for p in SCENARIO_DIR.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


def library_scenario(package: DataPackage, path: Path) -> tuple[Scenario | None, str]:
    """A library file parsed against ``package``: (scenario, "") or (None, message)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"{path.name}: cannot read the file ({exc.strerror})"
    return _parse_cached(package, package.digest, data, f"scenarios/{path.name}")


# --------------------------------------------------------------------------- state


def lang() -> str:
    return S.get("m_lang", DEFAULT_LANG)


def lk(name: str) -> str:
    """The key of a widget whose option labels are translated: one per language.

    Streamlit keeps a keyed widget's identity when only its ``format_func`` changes,
    and the browser then shows the old language's label (or none); a key per
    language gives a fresh widget, set from the model like every other.
    """
    return f"{name}.{lang()}"


def say(level: str, text: str) -> None:
    """Queue a message (error, warning, success, info) for the next render."""
    S.setdefault("m_msgs", []).append((level, text))


def package() -> DataPackage:
    """The data package in use: the uploaded one when chosen, else the shipped one."""
    if S.get("m_data") == "uploaded" and S.get("m_upload_pkg") is not None:
        return S["m_upload_pkg"]
    return shipped_package()


def blank_scenario(pkg: DataPackage) -> Scenario:
    return scenario_from_dict(
        {"version": 1, "name": "what-if", "name_zh": "假设情景", "year": pkg.years[-1], "interventions": []},
        pkg,
        source="new scenario",
    )


def current() -> Scenario:
    return S["m_scenario"]


def try_set(document: Any, source: str, pkg: DataPackage | None = None) -> bool:
    """Validate ``document`` like a file, run it, and make it the current scenario.

    On any :class:`SimError` the message is shown and the current scenario is kept.
    """
    pkg = pkg or package()
    try:
        scenario = scenario_from_dict(document, pkg, source=source)
        run(pkg, scenario)  # out-of-range values, unscorable tables: refused now, not later
    except SimError as exc:
        say("error", str(exc))
        return False
    set_scenario(scenario, pkg)
    return True


def set_scenario(scenario: Scenario, pkg: DataPackage) -> None:
    S["m_scenario"] = scenario
    S["m_scenario_digest"] = pkg.digest
    S["m_editor_rev"] = S.get("m_editor_rev", 0) + 1


def accept_loaded(scenario: Scenario, pkg: DataPackage) -> bool:
    """Make a scenario read from a file or link current, if it runs; say why not otherwise."""
    try:
        run(pkg, scenario)
    except SimError as exc:
        say("error", str(exc))
        return False
    set_scenario(scenario, pkg)
    touched = [z for item in scenario.interventions for z in item.zone_ids(pkg.zone_ids)]
    if touched and S.get("m_zone") not in touched:
        S["m_zone"] = touched[0]  # show the sliders of a zone the scenario changes
    return True


def init_state() -> None:
    """First run of a session: defaults, then whatever the URL carries (a share link)."""
    params = st.query_params
    requested_lang = params.get("lang")
    S["m_lang"] = requested_lang if requested_lang in LANGS else DEFAULT_LANG
    S["m_data"] = "shipped"
    S["m_upload_pkg"] = None
    S["m_msgs"] = []
    S["m_uploaded_scenarios"] = {}
    S["m_cmp"] = None
    pkg = shipped_package()
    set_scenario(blank_scenario(pkg), pkg)
    S["m_zone"] = pkg.zone_ids[-1]
    if "s" in params:
        try:
            scenario = scenario_from_params({k: params.get_all(k) for k in params}, pkg)
        except SimError as exc:
            say("error", str(exc))
        else:
            if scenario is not None and accept_loaded(scenario, pkg):
                link_digest = params.get("d")
                if link_digest and not pkg.digest.startswith(link_digest):
                    say("warning", t("share_other_data", lang(), digest=link_digest[:12]))
    zone = params.get("z")
    if zone in pkg.zone_ids:
        S["m_zone"] = zone
    # The URL as it came: not rewritten until the planner changes something.
    S["m_qp"] = {k: params.get(k) for k in params}
    S["m_init"] = True


def ensure_fits(pkg: DataPackage) -> None:
    """After a switch of data package, keep the current scenario if it fits the new one."""
    if S.get("m_scenario_digest") != pkg.digest:
        scenario = current()
        try:
            again = scenario_from_dict(scenario.to_dict(), pkg, source=scenario.source or "scenario")
            run(pkg, again)
        except SimError as exc:
            say("warning", t("scenario_reset", lang(), reason=str(exc)))
            again = blank_scenario(pkg)
        set_scenario(again, pkg)
    if S.get("m_zone") not in pkg.zone_ids:
        S["m_zone"] = pkg.zone_ids[-1]


def sync(key: str, value: Any) -> None:
    """Show ``value`` in the widget ``key`` (before it is drawn), unless it shows it already."""
    if key not in S or S[key] != value:
        S[key] = value


def sync_url(pkg: DataPackage) -> None:
    """Keep the URL's query parameters equal to the current scenario (the share link)."""
    try:
        params = link_params(pkg)
    except ScenarioError:
        params = {"z": S["m_zone"]}
    if params != S.get("m_qp"):
        st.query_params.from_dict(params)
        S["m_qp"] = params


def link_params(pkg: DataPackage) -> dict[str, str]:
    """The share link's query parameters for the current state."""
    extra = {"z": S["m_zone"], "d": pkg.digest[:12]}
    if lang() != DEFAULT_LANG:
        extra["lang"] = lang()
    return share_params(current(), **extra)


def show_messages() -> None:
    for level, text in S.get("m_msgs", []):
        getattr(st, level)(escape_markdown(text))
    S["m_msgs"] = []


# --------------------------------------------------------------------------- callbacks


def on_lang() -> None:
    old, new = lang(), S["w_lang"]
    for tab_id, _ in TABS:
        if S.get("w_tab") == t(f"tab_{tab_id}", old):
            S["w_tab"] = t(f"tab_{tab_id}", new)
    S["m_lang"] = new


def on_zone() -> None:
    S["m_zone"] = S[lk("w_zone")]


def on_slider(indicator: str) -> None:
    pkg, scenario, zone = package(), current(), S["m_zone"]
    spec = slider_spec(pkg, scenario.year, zone, indicator)
    document = with_slider(scenario, spec, zone, S[f"w_sl_{indicator}"], pkg.zone_ids)
    try_set(document, "slider")


def on_reset_zone() -> None:
    pkg, scenario, zone = package(), current(), S["m_zone"]
    table = pkg.table(scenario.year)
    specs = [slider_spec(pkg, scenario.year, zone, i, table) for i in pkg.indicator_ids]
    try_set(without_zone_sliders(scenario, specs, zone, pkg.zone_ids), "reset")


def on_reset_all() -> None:
    document = current().to_dict()
    document["interventions"] = []
    try_set(document, "reset")


def on_apply_table(key: str) -> None:
    pkg, scenario = package(), current()
    state = S.get(key) or {}
    if not any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows")):
        return  # nothing committed yet (e.g. a new row still missing a cell): keep the editor as it is
    rows = apply_editor_state(intervention_rows(scenario), state)
    try_set(with_interventions(scenario, rows_to_interventions(rows, pkg)), "interventions table")


def on_year() -> None:
    document = current().to_dict()
    document["year"] = S["w_year"]
    try_set(document, "year")


def on_method(key: str) -> None:
    pkg, scenario = package(), current()
    value = S[lk(f"w_m_{key}")]
    if key == "weights" and value == "explicit":
        return
    if key == "score_normalization" and value == "same":
        value = None
    document = scenario.to_dict()
    options = dict(document.get("method") or {})
    if getattr(pkg.method, key) == value:
        options.pop(key, None)  # the data package's default: no need to say it
    else:
        options[key] = value
    document.pop("method", None)
    if options:
        document["method"] = options
    try_set(document, "method")


def on_text(field: str) -> None:
    document = current().to_dict()
    document[field] = S[f"w_{field}"]
    try_set(document, field)


def on_data_choice() -> None:
    S["m_data"] = S[lk("w_data")]


def on_data_upload() -> None:
    files = S.get("w_data_upload") or []
    if not files:
        return
    try:
        pkg = package_from_files({f.name: f.getvalue() for f in files}, source="upload")
    except SimError as exc:
        say("error", str(exc))
        return
    S["m_upload_pkg"] = pkg
    S["m_upload_name"] = ", ".join(f.name for f in files)
    S["m_data"] = "uploaded"
    say("success", t("data_loaded", lang(), name=S["m_upload_name"]))


def on_load_library() -> None:
    name = S.get("m_lib")
    if not name:
        return
    pkg = package()
    scenario, error = library_scenario(pkg, SCENARIO_DIR / name)
    if scenario is None:
        say("error", error)
    elif accept_loaded(scenario, pkg):
        say("success", t("loaded", lang(), name=scenario_label_of(scenario)))


def on_upload_scenario() -> None:
    upload = S.get("w_scn_upload")
    if upload is None:
        return
    pkg = package()
    data = upload.getvalue()
    try:
        scenario = parse_scenario(data, pkg, source=upload.name)
    except SimError as exc:
        say("error", str(exc))
        return
    if accept_loaded(scenario, pkg):
        S["m_uploaded_scenarios"][upload.name] = data
        say("success", t("loaded", lang(), name=scenario_label_of(scenario)))


def on_lib() -> None:
    S["m_lib"] = S[lk("w_lib")]


def on_compare() -> None:
    S["m_cmp"] = list(S[lk("w_cmp")])


def scenario_label_of(scenario: Scenario) -> str:
    return scenario.name_zh if lang() == "zh" and scenario.name_zh else scenario.name


# --------------------------------------------------------------------------- sidebar


def render_sidebar(pkg: DataPackage) -> None:
    L = lang()
    scenario = current()
    with st.sidebar:
        sync("w_lang", L)
        st.radio(t("language", L), LANGS, key="w_lang", format_func=LANG_NAMES.get, horizontal=True,
                 on_change=on_lang)

        st.subheader(t("data_set", L))
        choices = ["shipped"] + (["uploaded"] if S.get("m_upload_pkg") is not None else [])
        sync(lk("w_data"), S["m_data"] if S["m_data"] in choices else "shipped")
        st.radio(t("data_set", L), choices, key=lk("w_data"), label_visibility="collapsed",
                 format_func=lambda c: t(f"data_{c}", L), on_change=on_data_choice)
        st.file_uploader(t("upload_data", L), type=["csv", "xlsx", "yaml", "yml"], accept_multiple_files=True,
                         key="w_data_upload", help=t("upload_data_help", L), on_change=on_data_upload)
        st.download_button(t("template", L), data=_template_bytes(pkg), file_name="zonesim-data.xlsx",
                           mime=XLSX_MIME, key="w_template", on_click="ignore")

        sync("w_year", scenario.year)
        st.selectbox(t("year", L), pkg.years, key="w_year", on_change=on_year)

        st.subheader(t("method", L), help=t("method_help", L))
        method = scenario.method(pkg)
        weights = method.weights if isinstance(method.weights, str) else "explicit"
        current_values = {
            "normalization": (method.normalization, list(NORMALIZATIONS)),
            "score_normalization": (method.score_normalization or "same", ["same", *NORMALIZATIONS]),
            "weights": (weights, [*WEIGHT_MODES, *(["explicit"] if weights == "explicit" else [])]),
            "goalposts": (method.goalposts, list(GOALPOSTS)),
        }
        for key in METHOD_KEYS:
            value, options = current_values[key]
            sync(lk(f"w_m_{key}"), value)
            st.selectbox(t(key, L), options, key=lk(f"w_m_{key}"), on_change=on_method, args=(key,),
                         format_func=lambda o, k=key: option_label(o, L, k))

        st.subheader(t("source_note", L))
        note = escape_markdown(data_summary(provenance(pkg, scenario.year), L))
        if pkg.root is not None and Path(pkg.root).resolve() == SHIPPED_DATA.resolve():
            note += "  \n**" + escape_markdown(t("source_shipped_caution", L)) + "**"
        st.info(note)


@st.cache_data(max_entries=8, show_spinner=False)
def _template_bytes_cached(digest: str, _pkg: DataPackage) -> bytes:
    return template_workbook(_pkg)


def _template_bytes(pkg: DataPackage) -> bytes:
    return _template_bytes_cached(pkg.digest, pkg)


# --------------------------------------------------------------------------- tabs


@dataclass
class AppContext:
    """What a tab needs: the data, the current scenario, the language, and how to change it."""

    package: DataPackage
    scenario: Scenario
    lang: str

    def result(self) -> Result:
        """The current scenario's result (cached). Raises SimError."""
        return run(self.package, self.scenario)

    def set_scenario(self, document: Any, source: str) -> bool:
        """Replace the current scenario with a validated ``document`` (for callbacks)."""
        return try_set(document, source, self.package)


def show_error(exc: SimError) -> None:
    st.error(escape_markdown(str(exc)))


def render_whatif(ctx: AppContext) -> None:
    pkg, scenario, L = ctx.package, ctx.scenario, ctx.lang
    st.caption(escape_markdown(f"{t('current_scenario', L)}: {scenario_label_of(scenario)} · {scenario.year}"))
    sync(lk("w_zone"), S["m_zone"])
    st.selectbox(t("zone", L), pkg.zone_ids, key=lk("w_zone"), on_change=on_zone,
                 format_func=lambda z: pkg.name("zone", z, L))
    zone = S["m_zone"]
    left, right = st.columns([4, 7], gap="large")
    with left:
        st.markdown(f"**{escape_markdown(t('sliders_for', L))}**")
        a, b = st.columns(2)
        a.button(t("reset_zone", L), key="w_reset_zone", on_click=on_reset_zone)
        b.button(t("reset_all", L), key="w_reset_all", on_click=on_reset_all)
        table = pkg.table(scenario.year)
        groups = pkg.indicators["group"]
        for position, group in enumerate(pkg.groups.index):
            with st.expander(escape_markdown(pkg.name("group", group, L)), expanded=position == 0):
                for indicator in groups.index[groups == group]:
                    _slider(pkg, scenario, zone, indicator, table, L)
    with right:
        try:
            result = ctx.result()
        except SimError as exc:
            st.error(escape_markdown(t("results_error", L)))
            show_error(exc)
            result = None
        if result is not None:
            _results(result, pkg, L)
    _interventions_table(pkg, scenario, L)


def _slider(pkg: DataPackage, scenario: Scenario, zone: str, indicator: str, table, L: str) -> None:
    spec: SliderSpec = slider_spec(pkg, scenario.year, zone, indicator, table)
    key = f"w_sl_{indicator}"
    sync(key, slider_value(scenario, spec, zone, pkg.zone_ids))
    unit = str(pkg.indicators.at[indicator, "unit"])
    if spec.disabled:
        help_text = t("slider_help_zero", L)
    else:
        help_text = t("slider_help_count" if spec.kind == AMOUNT else "slider_help_percent", L,
                      value=f"{spec.baseline:g}", unit=unit)
    if shared_cell(scenario, spec, zone, pkg.zone_ids):
        help_text += " " + t("slider_help_shared", L)
    st.slider(
        escape_markdown(pkg.name("indicator", indicator, L)),
        min_value=spec.low, max_value=spec.high, step=spec.step, key=key,
        format="%+d" if spec.kind == AMOUNT else "%+d%%",
        help=escape_markdown(help_text), disabled=spec.disabled,
        on_change=on_slider, args=(indicator,),
    )


def _results(result: Result, pkg: DataPackage, L: str) -> None:
    st.subheader(t("ranking", L))
    with st.container(key="ranking_box"):
        st.dataframe(ranking_frame(result, pkg, L), hide_index=True, width="stretch")
    st.altair_chart(scores_chart(result, pkg, L), width="stretch")
    st.altair_chart(group_contributions_chart(result, pkg, L), width="stretch")
    if result.origin.ne("").any().any():
        st.altair_chart(decomposition_chart(result, pkg, L), width="stretch")
    if float(result.weight_drift["change"].abs().max()) > 1e-12:
        st.altair_chart(weight_drift_chart(result, pkg, L, top=12), width="stretch")
    else:
        st.caption(escape_markdown(t("chart_drift", L) + ": " + t("no_drift", L)))
    if result.warnings:
        st.markdown(f"**{escape_markdown(t('warnings', L))}**")
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            st.warning(escape_markdown(warning))
        rest = result.warnings[MAX_WARNINGS_SHOWN:]
        if rest:
            with st.expander(t("more_warnings", L, n=len(rest))):
                for warning in rest:
                    st.warning(escape_markdown(warning))


def _interventions_table(pkg: DataPackage, scenario: Scenario, L: str) -> None:
    st.subheader(t("interventions", L), help=t("interventions_help", L))
    key = f"w_editor_{S['m_editor_rev']}"
    zone_help = ", ".join(f"{z} ({pkg.name('zone', z, L)})" for z in pkg.zone_ids) + ", all"
    st.data_editor(
        rows_frame(intervention_rows(scenario)),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=list(TABLE_COLUMNS),
        column_config={
            "zone": st.column_config.TextColumn(t("col_zone", L), help=zone_help, required=True),
            "indicator": st.column_config.TextColumn(t("col_indicator", L), help=", ".join(pkg.indicator_ids),
                                                     required=True),
            "change": st.column_config.SelectboxColumn(t("col_change", L), options=list(CHANGE_KINDS),
                                                       default=CHANGE_KINDS[0], required=True),
            "value": st.column_config.NumberColumn(t("col_value", L), required=True),
            "note": st.column_config.TextColumn(t("col_note", L)),
        },
    )
    st.button(t("apply_table", L), key="w_apply_table", on_click=on_apply_table, args=(key,), type="primary")


def render_files(ctx: AppContext) -> None:
    pkg, scenario, L = ctx.package, ctx.scenario, ctx.lang
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("current_scenario", L))
        for field, widget in (("name", st.text_input), ("name_zh", st.text_input), ("description", st.text_area)):
            sync(f"w_{field}", getattr(scenario, field))
            widget(t(field, L), key=f"w_{field}", on_change=on_text, args=(field,))
        text = dump_scenario(scenario)
        st.download_button(t("download_scenario", L), data=text.encode("utf-8"), file_name=_file_name(scenario),
                           mime="application/x-yaml", key="w_download_yaml", on_click="ignore",
                           help=t("download_help", L), type="primary")
        st.markdown(f"**{escape_markdown(t('share', L))}**", help=t("share_help", L))
        try:
            params = link_params(pkg)
        except ScenarioError as exc:
            st.warning(escape_markdown(t("share_too_big", L, reason=str(exc))))
        else:
            base = (st.context.url or "").split("?")[0].split("#")[0]
            if base and not base.endswith("/"):
                base += "/"
            with st.container(key="share_box"):
                st.code(f"{base}?{urlencode(params)}", language=None, wrap_lines=True)
            if S.get("m_data") == "uploaded":
                st.caption(escape_markdown(t("share_uploaded_data", L)))
        with st.expander(t("current_yaml", L)):
            st.code(text, language="yaml")
    with right:
        st.subheader(t("library", L))
        files = library_files()
        if not files:
            st.info(t("library_empty", L))
        else:
            names = [p.name for p in files]
            if S.get("m_lib") not in names:
                S["m_lib"] = names[0]
            sync(lk("w_lib"), S["m_lib"])
            labels = {p.name: _library_label(pkg, p) for p in files}
            st.selectbox(t("library_pick", L), names, key=lk("w_lib"), format_func=labels.get, on_change=on_lib)
            st.button(t("load", L), key="w_load", on_click=on_load_library)
        st.file_uploader(t("upload_scenario", L), type=["yaml", "yml"], key="w_scn_upload",
                         on_change=on_upload_scenario)


def _library_label(pkg: DataPackage, path: Path) -> str:
    scenario, _ = library_scenario(pkg, path)
    return f"{path.name} — {scenario_label_of(scenario)}" if scenario is not None else f"{path.name} (!)"


def _file_name(scenario: Scenario) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")[:60]
    return f"{slug or 'scenario'}.yaml"


def render_compare(ctx: AppContext) -> None:
    pkg, L = ctx.package, ctx.lang
    options: dict[str, Callable[[], tuple[Scenario | None, str]]] = {"current": lambda: (ctx.scenario, "")}
    labels = {"current": f"{t('opt_current', L)}: {scenario_label_of(ctx.scenario)}"}
    for path in library_files():
        key = f"lib:{path.name}"
        options[key] = lambda p=path: library_scenario(pkg, p)
        scenario, _ = options[key]()
        labels[key] = f"{t('opt_library', L)}: {path.name}" + (f" — {scenario_label_of(scenario)}" if scenario else " (!)")
    for name, data in S.get("m_uploaded_scenarios", {}).items():
        key = f"up:{name}"
        options[key] = lambda d=data, n=name: _parse_cached(pkg, pkg.digest, d, n)
        labels[key] = f"{t('opt_uploaded', L)}: {name}"
    chosen = S.get("m_cmp")
    if chosen is None:
        library = [k for k in options if k.startswith("lib:")]
        chosen = ["current"] + (["lib:baseline.yaml"] if "lib:baseline.yaml" in library else library[:1])
    sync(lk("w_cmp"), [k for k in chosen if k in options][:6])
    st.multiselect(t("compare_pick", L), list(options), key=lk("w_cmp"), max_selections=6, on_change=on_compare,
                   format_func=labels.get)
    picked = S[lk("w_cmp")]
    results, names = [], []
    for key in picked:
        scenario, error = options[key]()
        try:
            if scenario is None:
                raise ScenarioError(error)
            results.append(run(pkg, scenario))
            names.append(scenario_label_of(scenario))
        except SimError as exc:
            show_error(exc)
    if len(results) < 2:
        st.info(t("compare_need_two", L))
        return
    column_labels = comparison_labels(results, L, names)
    short = [f"[{position}]" for position in range(1, len(results) + 1)]
    wide = comparison_wide_frame(results, pkg, L, short)
    st.subheader(t("compare_table", L))
    st.text("\n".join(column_labels))  # the legend of [1], [2], ...: plain text, never Markdown
    with st.container(key="compare_box"):
        st.dataframe(wide, hide_index=True, width="stretch")
    st.altair_chart(rank_chart(results, pkg, L, column_labels), width="stretch")
    a, b = st.columns(2)
    a.download_button(t("download_csv", L), data=comparison_csv(results).encode("utf-8"),
                      file_name="comparison.csv", mime="text/csv", key="w_cmp_csv", on_click="ignore")
    b.download_button(t("download_excel", L), data=comparison_workbook(results, pkg, L, wide),
                      file_name="comparison.xlsx", mime=XLSX_MIME, key="w_cmp_xlsx", on_click="ignore")


# --------------------------------------------------------------------------- analysis tabs
# Goal-seek and robustness run only when their button is pressed; the answer is kept in
# session_state with the scenario text and data digest it started from, so switching
# tabs or moving a slider never recomputes it, and a changed scenario marks it stale.


def keep(name: str, default: Any) -> str:
    """The key of an analysis input widget, showing the value kept in ``m_<name>``.

    Streamlit forgets a widget's state while its tab is closed; the model key keeps it
    (set by :func:`on_keep`). Keys are per language (see :func:`lk`).
    """
    S.setdefault(f"m_{name}", default)
    key = lk(f"w_{name}")
    sync(key, S[f"m_{name}"])
    return key


def on_keep(name: str) -> None:
    S[f"m_{name}"] = S[lk(f"w_{name}")]


def _started_from(pkg: DataPackage, scenario: Scenario) -> dict[str, str]:
    return {"data": pkg.digest, "start": dump_scenario(scenario)}


def _is_stale(entry: dict[str, Any], pkg: DataPackage, scenario: Scenario) -> bool:
    return entry["data"] != pkg.digest or entry["start"] != dump_scenario(scenario)


def _zone_picker(pkg: DataPackage, L: str) -> str:
    """The zone selectbox, shared with the what-if tab (one zone of interest)."""
    sync(lk("w_zone"), S["m_zone"])
    st.selectbox(t("zone", L), pkg.zone_ids, key=lk("w_zone"), on_change=on_zone,
                 format_func=lambda z: pkg.name("zone", z, L), help=t("analysis_zone_help", L))
    return S["m_zone"]


def on_load_goalseek() -> None:
    """Make the goal-seek answer the current scenario (validated like a file) and show the sliders."""
    entry = S.get("m_gs")
    if not entry:
        return
    answer: GoalSeekResult = entry["answer"]
    pkg = package()
    if entry["data"] != pkg.digest:
        say("error", t("gs_stale", lang()))
        return
    try:
        scenario = scenario_from_dict(entry["scenario"].to_dict(), pkg, source="goal-seek")
    except SimError as exc:
        say("error", str(exc))
        return
    if accept_loaded(scenario, pkg):
        S["m_zone"] = answer.zone
        S["w_tab"] = t("tab_whatif", lang())
        say("success", t("gs_loaded", lang(), name=scenario_label_of(scenario)))


def render_goalseek(ctx: AppContext) -> None:
    pkg, scenario, L = ctx.package, ctx.scenario, ctx.lang
    st.caption(escape_markdown(t("gs_intro", L)))
    st.caption(escape_markdown(f"{t('current_scenario', L)}: {scenario_label_of(scenario)} · {scenario.year}"))
    names = display_names(pkg, L)
    zone = _zone_picker(pkg, L)
    try:
        start = ctx.result()
    except SimError as exc:
        show_error(exc)
        return
    a, b, c = st.columns([3, 2, 2])
    with a:
        kind_key = keep("gs_kind", "rank")
        st.radio(t("gs_target_kind", L), TARGET_KINDS, key=kind_key, horizontal=True, on_change=on_keep,
                 args=("gs_kind",), format_func=lambda k: t(f"target_{k}", L))
    kind = S["m_gs_kind"]
    with b:
        if kind == "rank":
            S["m_gs_rank"] = min(S.get("m_gs_rank", max(1, int(start.scored.ranks[zone]) - 1)), len(pkg.zone_ids))
            key = keep("gs_rank", S["m_gs_rank"])
            st.number_input(t("gs_rank", L), min_value=1, max_value=len(pkg.zone_ids), step=1, key=key,
                            on_change=on_keep, args=("gs_rank",))
        elif kind == "overtake":
            rivals = [z for z in pkg.zone_ids if z != zone]
            if S.get("m_gs_rival") not in rivals:
                S["m_gs_rival"] = default_rival(start, zone)
            key = keep("gs_rival", S["m_gs_rival"])
            st.selectbox(t("gs_rival", L), rivals, key=key, on_change=on_keep, args=("gs_rival",),
                         format_func=names.get)
        else:
            key = keep("gs_score", float(min(100, round(float(start.scored.scores[zone])) + 5)))
            st.number_input(t("gs_score", L), min_value=0.0, max_value=100.0, step=1.0, key=key,
                            on_change=on_keep, args=("gs_score",))
    with c:
        key = keep("gs_max", float(DEFAULT_MAX_CHANGE))
        st.number_input(t("gs_max_change", L), min_value=0.0, max_value=1000.0, step=10.0, key=key,
                        on_change=on_keep, args=("gs_max",), help=t("gs_max_help", L))
    chosen = S.get("m_gs_levers", list(pkg.indicator_ids))
    fitting = [i for i in chosen if i in pkg.indicator_ids]
    S["m_gs_levers"] = fitting if fitting or not chosen else list(pkg.indicator_ids)  # another data package
    key = keep("gs_levers", S["m_gs_levers"])
    st.multiselect(t("gs_levers", L), pkg.indicator_ids, key=key, on_change=on_keep, args=("gs_levers",),
                   format_func=names.get, help=t("gs_levers_help", L))
    key = keep("gs_whole", True)
    st.checkbox(t("gs_whole", L), key=key, on_change=on_keep, args=("gs_whole",), help=t("gs_whole_help", L))
    if st.button(t("gs_run", L), key="w_gs_run", type="primary"):
        try:
            target = target_text(kind, rank=S.get("m_gs_rank"), rival=S.get("m_gs_rival"), score=S.get("m_gs_score"))
            with st.spinner(t("gs_running", L)):
                answer = goal_seek(
                    pkg, zone, target, scenario=scenario,
                    levers=list(S["m_gs_levers"]), max_change=float(S["m_gs_max"]),
                    whole_percent=bool(S["m_gs_whole"]),
                )
        except SimError as exc:
            show_error(exc)
        else:
            S["m_gs"] = {"answer": answer, "scenario": found_scenario(answer, pkg), **_started_from(pkg, scenario)}
    entry = S.get("m_gs")
    if entry is None:
        st.info(t("gs_none_yet", L))
        return
    _goalseek_answer(entry, pkg, scenario, L)


def _goalseek_answer(entry: dict[str, Any], pkg: DataPackage, scenario: Scenario, L: str) -> None:
    answer: GoalSeekResult = entry["answer"]
    found: Scenario = entry["scenario"]
    names = display_names(pkg, L)
    st.divider()
    if dump_scenario(found) == dump_scenario(scenario) and not answer.already_reached:
        st.caption(escape_markdown(t("gs_is_current", L)))
    elif _is_stale(entry, pkg, scenario):
        st.warning(escape_markdown(t("gs_stale", L)))
    level, text = goal_seek_verdict(answer, pkg, L)
    with st.container(key="gs_verdict"):
        getattr(st, level)(escape_markdown(text))
    st.caption(escape_markdown(t(
        "gs_for", L, zone=names.get(answer.zone, answer.zone),
        target=target_label(answer.target, L, names), year=answer.scenario.year,
        scenario=_start_name(answer, L), evaluations=f"{answer.evaluations:,}", seconds=f"{answer.seconds:.1f}")))
    a, b, c = st.columns(3)
    a.metric(t("gs_metric_rank", L), f"{answer.rank_before} → {answer.rank_after}")
    b.metric(t("gs_metric_score", L), f"{answer.score_before:.2f} → {answer.score_after:.2f}",
             delta=f"{answer.score_after - answer.score_before:+.2f}")
    c.metric(t("gs_metric_cost", L), f"{answer.cost:.2f}")
    if answer.changes:
        st.subheader(t("gs_changes", L))
        with st.container(key="gs_changes_box"):
            st.dataframe(goal_seek_changes_frame(answer, pkg, L), hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.button(t("gs_load", L), key="w_gs_load", on_click=on_load_goalseek, type="primary",
                    help=t("gs_load_help", L), disabled=entry["data"] != pkg.digest)
        right.download_button(t("gs_download", L), data=dump_scenario(found).encode("utf-8"),
                              file_name=f"goal-seek-{answer.zone}.yaml", mime="application/x-yaml",
                              key="w_gs_download", on_click="ignore")
    left, right = st.columns(2, gap="large")
    left.altair_chart(goal_seek_chart(answer, names, L), width="stretch")
    if answer.changes:
        right.altair_chart(goal_seek_changes_chart(answer, names, L), width="stretch")
    st.subheader(t("gs_ranking", L))
    with st.container(key="gs_ranking_box"):
        st.dataframe(goal_seek_ranking_frame(answer, pkg, L), hide_index=True, width="stretch")
    notes = list(answer.notes) + list(answer.result.warnings)
    if notes:
        with st.expander(t("notes", L) + f" ({len(notes)})"):
            for note in notes:
                st.caption(escape_markdown(note))


def _start_name(answer: GoalSeekResult, L: str) -> str:
    start = answer.start.scenario
    return start.name_zh if L == "zh" and start.name_zh else start.name


@st.cache_resource(max_entries=64, show_spinner=False)
def _levers_cached(_package: DataPackage, _scenario: Scenario, digest: str, text: str, zone: str,
                   sort_by: str) -> tuple[LeverReport, Any]:
    return lever_report(_package, zone, scenario=_scenario, sort_by=sort_by), \
        lever_matrix(_package, scenario=_scenario, step=sort_by)


def render_levers(ctx: AppContext) -> None:
    pkg, scenario, L = ctx.package, ctx.scenario, ctx.lang
    st.caption(escape_markdown(t("lv_intro", L)))
    st.caption(escape_markdown(f"{t('current_scenario', L)}: {scenario_label_of(scenario)} · {scenario.year}"))
    names = display_names(pkg, L)
    left, right = st.columns([3, 2])
    with left:
        zone = _zone_picker(pkg, L)
    with right:
        key = keep("lv_sort", STEPS[0])
        st.radio(t("lv_sort", L), STEPS, key=key, horizontal=True, on_change=on_keep, args=("lv_sort",),
                 format_func=lambda s: t(f"step_{s}", L))
    sort_by = S["m_lv_sort"]
    try:
        report, matrix = _levers_cached(pkg, scenario, pkg.digest, dump_scenario(scenario), zone, sort_by)
    except SimError as exc:
        show_error(exc)
        return
    step_label = t(f"step_{sort_by}", L)
    st.markdown(escape_markdown(t("lv_now", L, zone=names[zone], rank=report.rank, score=f"{report.score:.2f}")))
    best = top_lever(report)
    with st.container(key="lv_top"):
        if best is None:
            st.info(escape_markdown(t("lv_top_none", L)))
        else:
            row = report.table.loc[best]
            st.success(escape_markdown(t("lv_top", L, indicator=names[best], step=step_label,
                                         gain=f"{row[f'gain_{sort_by}']:.3f}", rank=int(row[f"rank_{sort_by}"]))))
    flags = lever_flags(report)
    no_credit = [names[i] for i in flags.index[flags["stays_last"]]]
    if no_credit:
        st.warning(escape_markdown(t("lv_no_credit", L, items="、".join(no_credit) if L == "zh" else ", ".join(no_credit))))
    helping = [t("lv_helps_item", L, indicator=names[i], zones=", ".join(names[z] for z in row["helps"]))
               for i, row in flags.iterrows() if row["helps"]]
    if helping:
        with st.expander(escape_markdown(t("lv_helps", L, n=len(helping)))):
            st.markdown("\n".join(f"- {escape_markdown(item)}" for item in helping))
    st.altair_chart(levers_bar_chart(report, names, lang=L), width="stretch")
    # the same indicator order as the bar chart
    heat = levers_heatmap(matrix[list(report.table.index)], names, step_label, L)
    st.altair_chart(heat.properties(height=26 * len(report.table) + 120), width="stretch")
    st.caption(escape_markdown(t("lv_heatmap_note", L, step=step_label)))
    st.subheader(t("lv_table", L))
    with st.container(key="lv_table_box"):
        st.dataframe(lever_frame(report, pkg, L), hide_index=True, width="stretch")
    if report.notes:
        with st.expander(t("notes", L) + f" ({len(report.notes)})"):
            for note in report.notes:
                st.caption(escape_markdown(note))


def render_robustness(ctx: AppContext) -> None:
    pkg, scenario, L = ctx.package, ctx.scenario, ctx.lang
    st.caption(escape_markdown(t("rb_intro", L)))
    st.caption(escape_markdown(f"{t('current_scenario', L)}: {scenario_label_of(scenario)} · {scenario.year}"))
    cols = st.columns([2, 2, 2, 2, 3])
    inputs = (
        ("rb_draws", 10_000, {"min_value": 1, "max_value": APP_MAX_DRAWS, "step": 1_000}),
        ("rb_seed", 1, {"min_value": 0, "max_value": 2**32 - 1, "step": 1}),
        ("rb_sigma", 5.0, {"min_value": 0.0, "max_value": 100.0, "step": 1.0}),
        ("rb_concentration", 0.0, {"min_value": 0.0, "max_value": 1e6, "step": 50.0}),
    )
    for column, (name, default, options) in zip(cols, inputs):
        key = keep(name, default)
        column.number_input(t(name, L), key=key, on_change=on_keep, args=(name,), help=t(f"{name}_help", L),
                            **options)
    key = keep("rb_vary", "fixed")
    cols[4].selectbox(t("rb_vary", L), list(VARY_CHOICES), key=key, on_change=on_keep, args=("rb_vary",),
                      format_func=lambda c: t(f"vary_{c}", L))
    if st.button(t("rb_run", L), key="w_rb_run", type="primary"):
        draws = int(S["m_rb_draws"])
        bar = st.progress(0.0, text=t("rb_progress", L, done=0, total=f"{draws:,}"))

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=t("rb_progress", L, done=f"{done:,}", total=f"{total:,}"))

        try:
            weights_vary, scores_vary = vary_normalizations(S["m_rb_vary"])
            concentration = float(S["m_rb_concentration"]) or None
            report = robustness(
                pkg, scenario, draws=draws, seed=int(S["m_rb_seed"]), sigma=float(S["m_rb_sigma"]) / 100.0,
                concentration=concentration, normalizations=weights_vary, score_normalizations=scores_vary,
                progress=progress,  # the library's chunk: the same seed gives the command line's numbers
            )
        except SimError as exc:
            show_error(exc)
        else:
            S["m_rb"] = {"report": report, **_started_from(pkg, scenario)}
        finally:
            bar.empty()
    entry = S.get("m_rb")
    if entry is None:
        st.info(t("rb_none_yet", L))
        return
    _robustness_report(entry, pkg, scenario, L)


def _robustness_report(entry: dict[str, Any], pkg: DataPackage, scenario: Scenario, L: str) -> None:
    report: RobustnessReport = entry["report"]
    names = display_names(pkg, L)
    st.divider()
    if _is_stale(entry, pkg, scenario):
        st.warning(escape_markdown(t("rb_stale", L)))
    shown = report.scenario
    st.caption(escape_markdown(t(
        "rb_for", L, scenario=shown.name_zh if L == "zh" and shown.name_zh else shown.name, year=report.year,
        draws=f"{report.draws:,}", seed=report.settings["seed"], seconds=f"{report.seconds:.2f}")))
    zone = S["m_zone"] if S["m_zone"] in report.zones else report.zones[0]
    if report.p_beats_baseline is not None:
        st.info(escape_markdown(t("rb_beats", L, zone=names.get(zone, zone), base=int(report.baseline_rank[zone]),
                                  rank=int(report.rank[zone]), p=f"{100 * report.p_beats_baseline[zone]:.1f}%")))
    else:
        st.caption(escape_markdown(t("rb_no_scenario", L)))
    left, right = st.columns([1, 1], gap="large")
    heat = rank_probability_heatmap(report, names, L) + rank_probability_labels(report, names)
    left.altair_chart(heat.properties(height=48 * len(report.zones)), width="stretch")
    weights = weight_stability_chart(report, names, L) + weight_stability_points(report, names, L)
    right.altair_chart(weights, width="stretch")
    st.subheader(t("rb_table", L))
    with st.container(key="rb_table_box"):
        st.dataframe(robustness_frame(report, pkg, L), hide_index=True, width="stretch")
    st.subheader(t("rb_weights", L), help=t("rb_weights_help", L))
    with st.container(key="rb_weights_box"):
        st.dataframe(weight_stability_frame(report, pkg, L), hide_index=True, width="stretch")
    if report.notes:
        with st.expander(t("notes", L) + f" ({len(report.notes)})"):
            for note in report.notes:
                st.caption(escape_markdown(note))


#: The tabs, in order: (id, render function). Label keys are ``tab_<id>`` in sim.i18n.
TABS: list[tuple[str, Callable[[AppContext], None]]] = [
    ("whatif", render_whatif),
    ("files", render_files),
    ("compare", render_compare),
    ("goalseek", render_goalseek),
    ("levers", render_levers),
    ("robustness", render_robustness),
]


# --------------------------------------------------------------------------- page


def main() -> None:
    st.set_page_config(page_title="zonesim", page_icon="📈", layout="wide")
    if not S.get("m_init"):
        init_state()
    pkg = package()
    ensure_fits(pkg)
    L = lang()
    st.title(t("title", L))
    st.caption(t("subtitle", L))
    render_sidebar(pkg)
    show_messages()
    ctx = AppContext(package=pkg, scenario=current(), lang=L)
    labels = [t(f"tab_{tab_id}", L) for tab_id, _ in TABS]
    if S.get("w_tab") not in labels:
        S["w_tab"] = labels[0]
    tabs = st.tabs(labels, key="w_tab", on_change="rerun")
    for (tab_id, render), tab in zip(TABS, tabs):
        if tab.open:
            with tab:
                render(ctx)
    sync_url(pkg)


main()
