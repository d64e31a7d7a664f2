"""Every edit of the model: one handler per event kind (see :mod:`ui.state`).

A handler takes the model, the :class:`~ui.model.Event` and the value its widget
holds *now*, and returns the new model; it never adds to what is there, it sets, so
applying an event twice gives the same model (a run cut short is redone). A change
that does not validate leaves the scenario as it was and says why, where the edit
was made. Handlers change nothing but the model, except :func:`load_goalseek`, which opens the
What-if tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from sim.data import DataPackage
from sim.errors import SimError
from sim.i18n import Said, t
from sim.scenario import Scenario, scenario_from_dict
from sim.uploads import package_from_upload, scenario_from_upload
from sim.whatif import (
    apply_editor_state,
    display_rows,
    intervention_rows,
    rows_from_display,
    rows_to_interventions,
    slider_spec,
    with_interventions,
    with_slider,
    without_zone_sliders,
)
from ui.cache import library_scenario, run, scenario_dir
from ui.model import AppState, Event

Handler = Callable[[AppState, Event, Any], AppState]
#: Event kind -> handler(model, event, value of the event's widget) -> new model.
HANDLERS: dict[str, Handler] = {}


def blank_scenario(package: DataPackage) -> Scenario:
    """The app's starting scenario: no intervention, the package's latest year."""
    return scenario_from_dict(
        {"version": 1, "name": "what-if", "name_zh": "假设情景", "year": package.years[-1], "interventions": []},
        package, source="new scenario",
    )


def accept_loaded(model: AppState, scenario: Scenario, package: DataPackage, where: str = "page") -> AppState:
    """``model`` with a scenario read from a file or link, if it runs; showing a zone it changes."""
    try:
        run(package, scenario)
    except SimError as exc:
        return model.say("error", exc, where)
    model = model.with_scenario(scenario, package)
    touched = [z for item in scenario.interventions for z in item.zone_ids(package.zone_ids)]
    if touched and model.zone not in touched:
        model = replace(model, zone=touched[0])  # show the sliders of a zone the scenario changes
    return model


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function
    return register


def try_set(model: AppState, document: Any, source: str, where: str = "page") -> AppState:
    """``model`` with ``document`` (validated like a file, and run) as its scenario, or with the reason why not."""
    package = model.package()
    try:
        scenario = scenario_from_dict(document, package, source=source)
        run(package, scenario)  # out-of-range values, unscorable tables: refused now, not later
    except SimError as exc:
        return model.say("error", exc, where)
    return model.with_scenario(scenario, package)


def refit(model: AppState) -> AppState:
    """After a switch of data package: keep the scenario if it fits the new package, else start blank."""
    package = model.package()
    if model.digest != package.digest:
        scenario = model.scenario
        try:
            again = scenario_from_dict(scenario.to_dict(), package, source=scenario.source or "scenario")
            run(package, again)
        except SimError as exc:
            model = model.say("warning", Said("scenario_reset", reason=exc))
            again = blank_scenario(package)
        model = model.with_scenario(again, package)
    if model.zone not in package.zone_ids:
        model = replace(model, zone=package.zone_ids[-1])
    return model


# --------------------------------------------------------------------------- what-if


@handler("cell")
def set_cell(model: AppState, event: Event, value: Any) -> AppState:
    """A slider or its number box: the zone's change of one indicator."""
    zone, indicator = event.args
    package, scenario = model.package(), model.scenario
    if value is None or indicator not in package.indicator_ids or zone not in package.zone_ids:
        return model
    spec = slider_spec(package, scenario.year, zone, indicator)
    return try_set(model, with_slider(scenario, spec, zone, value, package.zone_ids), "slider", event.where)


@handler("zone")
def set_zone(model: AppState, event: Event, value: Any) -> AppState:
    return replace(model, zone=value) if value in model.package().zone_ids else model


@handler("reset_zone")
def reset_zone(model: AppState, event: Event, value: Any) -> AppState:
    (zone,) = event.args
    package, scenario = model.package(), model.scenario
    table = package.table(scenario.year)
    specs = [slider_spec(package, scenario.year, zone, i, table) for i in package.indicator_ids]
    return try_set(model, without_zone_sliders(scenario, specs, zone, package.zone_ids), "reset", event.where)


@handler("reset_all")
def reset_all(model: AppState, event: Event, value: Any) -> AppState:
    document = model.scenario.to_dict()
    document["interventions"] = []
    return try_set(model, document, "reset", event.where)


@handler("apply_table")
def apply_table(model: AppState, event: Event, value: Any) -> AppState:
    """The interventions table's edits (``value``: the editor's state), in names of the UI language."""
    if not any((value or {}).get(part) for part in ("edited_rows", "added_rows", "deleted_rows")):
        return model  # nothing committed yet (e.g. a new row still missing a cell): keep the editor as it is
    if event.key != editor_key(model):
        return model.say("warning", Said("table_changed_meanwhile"), event.where)
    package, scenario, lang = model.package(), model.scenario, model.lang
    rows = apply_editor_state(display_rows(intervention_rows(scenario), package, lang), value)
    items = rows_to_interventions(rows_from_display(rows, lang), package)
    return try_set(model, with_interventions(scenario, items), "interventions table", event.where)


def editor_key(model: AppState) -> str:
    """The interventions table's widget key: a new table whenever the scenario changes."""
    return f"w_editor_{model.rev}"


# --------------------------------------------------------------------------- sidebar


@handler("lang")
def set_lang(model: AppState, event: Event, value: Any) -> AppState:
    return replace(model, lang=value) if value in ("zh", "en") else model


@handler("year")
def set_year(model: AppState, event: Event, value: Any) -> AppState:
    document = model.scenario.to_dict()
    document["year"] = value
    return try_set(model, document, "year")


@handler("method")
def set_method(model: AppState, event: Event, value: Any) -> AppState:
    (key,) = event.args
    package = model.package()
    if key == "weights" and value == "explicit":
        return model
    if key == "score_normalization" and value == "same":
        value = None
    document = model.scenario.to_dict()
    options = dict(document.pop("method", None) or {})
    if getattr(package.method, key) == value:
        options.pop(key, None)  # the data package's default: no need to say it
    else:
        options[key] = value
    if options:
        document["method"] = options
    return try_set(model, document, "method")


@handler("data_choice")
def set_data_choice(model: AppState, event: Event, value: Any) -> AppState:
    return refit(replace(model, data=value)) if value in ("shipped", "uploaded") else model


@handler("data_upload")
def upload_data(model: AppState, event: Event, value: Any) -> AppState:
    files = value or []
    if not files:
        return model
    try:
        package = package_from_upload({f.name: f.getvalue() for f in files}, source="upload")
    except SimError as exc:
        return model.say("error", exc)
    name = ", ".join(f.name for f in files)
    model = replace(model, upload=package, upload_name=name, data="uploaded")
    return refit(model.say("success", Said("data_loaded", name=name)))


# --------------------------------------------------------------------------- scenario files and analyses


@handler("text")
def set_text(model: AppState, event: Event, value: Any) -> AppState:
    (field,) = event.args
    document = model.scenario.to_dict()
    document[field] = value
    return try_set(model, document, field)


@handler("load_library")
def load_library(model: AppState, event: Event, value: Any) -> AppState:
    """The library picker's file (``value``) as the current scenario."""
    return load_library_file(model, value, event.where) if value else model


@handler("load_example")
def load_example(model: AppState, event: Event, value: Any) -> AppState:
    """A "start here" question: its library file (``event.args``) as the current scenario."""
    (name,) = event.args
    return load_library_file(model, name, event.where)


def load_library_file(model: AppState, name: str, where: str = "page") -> AppState:
    scenario, error = library_scenario(model.package(), scenario_dir() / name)
    if scenario is None:
        return model.say("error", error, where)
    if scenario.is_plan:
        return plan_opened(model, scenario, name, where)
    loaded = accept_loaded(model, scenario, model.package(), where)
    if loaded.scenario is not scenario:
        return loaded
    return loaded.with_pref("lib", name).say("success", Said("loaded", name=model.label(scenario)), where)


@handler("scenario_upload")
def upload_scenario(model: AppState, event: Event, value: Any) -> AppState:
    if value is None:
        return model
    data = value.getvalue()
    try:
        scenario = scenario_from_upload(data, value.name, model.package())
    except SimError as exc:
        return model.say("error", exc)
    if scenario.is_plan:
        return plan_opened(model, scenario, value.name, event.where, data)
    loaded = accept_loaded(model, scenario, model.package())
    if loaded.scenario is not scenario:
        return loaded
    uploaded = tuple((name, d) for name, d in loaded.uploaded if name != value.name) + ((value.name, data),)
    return replace(loaded, uploaded=uploaded).say("success", Said("loaded", name=model.label(scenario)))


@handler("pref")
def set_pref(model: AppState, event: Event, value: Any) -> AppState:
    return model.with_pref(event.args[0], value) if value is not None else model


@handler("load_goalseek")
def load_goalseek(model: AppState, event: Event, value: Any) -> AppState:
    """Make the goal-seek answer the current scenario (validated like a file) and open the What-if tab."""
    entry = model.answers.get("gs")
    if not entry:
        return model
    package = model.package()
    if entry["data"] != package.digest:
        return model.say("error", Said("gs_stale"))
    try:
        scenario = scenario_from_dict(entry["scenario"].to_dict(), package, source="goal-seek")
    except SimError as exc:
        return model.say("error", exc)
    loaded = accept_loaded(model, scenario, package)
    if loaded.scenario is not scenario:
        return loaded
    st.session_state["w_tab"] = t("tab_whatif", model.lang)  # before the tabs are drawn in this run
    return replace(loaded, zone=entry["answer"].zone).say("success", Said("gs_loaded", name=model.label(scenario)))



# --------------------------------------------------------------------------- the Plan tab (branch plantab, issue 13)


@handler("plan_timing")
def set_plan_timing(model: AppState, event: Event, value: Any) -> AppState:
    """When an intervention of the current scenario applies in its plan: ``from``, ``each_year`` or ``until``.

    Kept in ``prefs["plan_timing"]`` by :func:`sim.plan.compose.intervention_key` (the
    scenario stays one year; the Plan tab makes it a plan with :func:`sim.plan.compose.as_plan`).
    """
    key, field = event.args
    if field not in ("from", "each_year", "until"):
        return model
    timings = dict(model.prefs.get("plan_timing") or {})
    timings[key] = {**timings.get(key, {}), field: value}
    return model.with_pref("plan_timing", timings)


@handler("plan_upload")
def upload_plan(model: AppState, event: Event, value: Any) -> AppState:
    """A plan file uploaded on the Plan tab: kept and shown when it is a plan that runs, else why not."""
    if value is None:
        return model
    data = value.getvalue()
    try:
        scenario = scenario_from_upload(data, value.name, model.package())
    except SimError as exc:
        return model.say("error", exc, event.where)
    opened, ok = open_plan(model, scenario, value.name, event.where, data)
    return opened.say("success", Said("plan_uploaded_ok", name=model.label(scenario)), event.where) if ok else opened


def plan_opened(model: AppState, scenario: Scenario, name: str, where: str, data: bytes | None = None) -> AppState:
    """A plan given where one-year scenarios are (Scenario files tab): opened on the Plan tab, and said so."""
    opened, ok = open_plan(model, scenario, name, where, data)
    if not ok:
        return opened
    return opened.say("success", Said("plan_opened", name=model.label(scenario), tab=Said("tab_plan")), where)


def open_plan(model: AppState, scenario: Scenario, name: str, where: str,
              data: bytes | None = None) -> tuple[AppState, bool]:
    """``scenario`` (read from file ``name``) as the Plan tab's plan, if it is a plan that runs.

    An uploaded file (its bytes ``data``) is kept in ``prefs["plan_files"]`` and chosen
    as ``up:<name>``; a library file (``data`` None) is chosen as ``lib:<name>``. The
    current scenario is untouched (it stays one-year). Returns the new model and
    whether the plan was opened; when not, the model says why, in ``where``.
    """
    from sim.plan import run_plan  # the Plan tab's engine, loaded when a plan is first opened

    if not scenario.is_plan:
        return model.say("error", Said("plan_not_a_plan", name=name), where), False
    try:
        run_plan(model.package(), scenario)
    except SimError as exc:
        return model.say("error", exc, where), False
    if data is None:
        return model.with_pref("plan_src", f"lib:{name}"), True
    files = tuple((n, d) for n, d in model.prefs.get("plan_files", ()) if n != name) + ((name, data),)
    return model.with_pref("plan_files", files).with_pref("plan_src", f"up:{name}"), True
