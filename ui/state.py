"""The app's state model: one model, a queue of pending edits, and how they reach the page.

The model
    The **current scenario** is the only source of truth for the planner's work. It
    lives, with the rest of the session (zone of interest, language, data package,
    analysis inputs and answers, messages to show), in one immutable
    :class:`AppState` under ``st.session_state["m"]``, replaced by **one assignment**
    (:func:`commit`): an edit is committed whole or not at all. The URL, the download,
    the sliders and every tab are drawn from it; no widget owns a value.

Pending edits
    A widget is drawn showing the model's value (:func:`bind`). Its only callback is
    ``append`` of the session's **pending-edit queue** (a deque kept in
    ``st.session_state["m_events"]`` and handed to the callback by reference, see
    :func:`on_change`): it records *which* widget changed, as an :class:`Event`.
    **Every run, full or a fragment's, starts with** :func:`apply_pending`: for each
    event in order it reads the widget's current value, and if that value is the
    planner's edit (below) builds the new model with the event's handler (all of
    them in :mod:`ui.edits`; validated like a file, and run), commits it, and only
    then removes the event. Then :func:`sync_url` writes the share link into the
    address bar, in every run.

Edits and echoes
    Streamlit calls ``on_change`` whenever a value the browser reports differs from
    the session's record of that widget, which is not the same as "the planner
    changed it" (see the second cause below). So the model keeps its own record,
    ``st.session_state["m_known"]``: per widget key, the value the browser's widget
    is known to hold (the value it was created showing, then each edit applied from
    it). A reported value equal to it is an **echo** and changes nothing, whatever
    Streamlit says; a different value is the planner's **edit** and is applied, even
    from a widget the model has already replaced by a newer one (the planner changed
    what they saw). Each edit is applied once: after it, it is the known value.
    Widgets whose value the model changed by another route are replaced by a new
    key generation (``base.N+1``, :func:`bind`) so that the browser shows the
    model's value (Streamlit sends a value to the browser only for a new key).
    Nothing records what a run *sent*: a run's output may never reach the browser.

Why no work in callbacks (issue 10's lost input, first cause)
    Streamlit checks for a newer browser event at every ``st.session_state`` access,
    callbacks included. The old slider callback read the slider, validated and ran
    the scenario (tens to hundreds of ms), then wrote the scenario; a key press or a
    tab click landing in that window aborted it at the write. Streamlit had already
    recorded the slider's value as seen, so no later run called the callback again:
    the value stayed in the slider, never reached the scenario, and once the tab
    switch dropped the slider it was redrawn from the older scenario (+82 % instead
    of the +100 % shown, in the file too). Now the callback touches no session state
    (a deque append cannot be interrupted); an event leaves the queue only after its
    effect is committed; applying it *sets* the value the widget holds now (never
    adds), so a run cut short anywhere is redone by the next run.

Why an echo is told by its value (issue 10, second cause: +6 % back on What-if)
    Seen with a server log of every run and the browser's WebSocket frames, three CPU
    burners beside the test (24 ArrowRight presses, tab click, download, click back):

    1. *A widget of the current generation can hold an old value.* The number box
       beside the slider is replaced (new generation, showing the model) only by a
       run that draws it. When the tab is clicked, Streamlit (``runner.fastReruns``)
       stops the running script at its next ``st`` call and starts the next run on a
       new thread, ignoring whatever the stopped run still sends: a fragment run
       that committed +24 % and was stopped before it drew the box left box ``.3``,
       created at +22 %, as the current generation while the model said +24 %. (A
       full run on another tab that applies the slider's last value, carried by the
       tab click, does the same.)
    2. *Streamlit reports a forgotten widget as changed.* A completed run that does
       not draw a widget (the Scenario files tab) makes the session forget its
       value; the browser forgets it only when it handles that run's end (and never,
       if that end was dropped as in 1). A browser event in between carries every
       What-if widget at the value it holds, and Streamlit, comparing with nothing,
       calls every ``on_change``: the box's callback with its old +22 %.
    3. The generation check let that report through (its generation was current)
       after the slider's, so the model went back to the box's value, and the
       slider was redrawn showing it (+6 % in the failure of issue 10; +22 % in the
       recorded near miss). The value is the only thing that tells an echo: the box
       never left +22 %, the value it was created with.

    The same trace showed the share link lagging: :func:`sync_url` used to remember
    the query string it had written and skip an equal one, but the stopped run's
    query string never reached the browser (URL +22 %, file and model +24 %). Now
    every run writes it; the browser ignores an unchanged one. And as the stopped
    script and the next run overlap on two threads for a moment, :func:`apply_pending`
    holds a per-session lock, so two runs never apply the queue at once.

    What holds now: every value the planner puts into a widget is reported (the
    browser reports all its widgets with every event) and differs from the known
    value until it is applied, so it is applied exactly once, in the order Streamlit
    reports it; an echo changes nothing; every completed run draws the widgets and
    the URL from the model. One ambiguity remains, Streamlit's: two widgets changed
    within one run's time are reported together and applied in the order the
    widgets were created, not the order of the planner's actions.

Fragments and stale results
    The What-if panel is an ``st.fragment``: a slider move reruns only the panel
    (which applies the queue itself). The panel writes a "recomputing" marker above
    its results before computing them and replaces it with "the results of the
    current inputs" after; a run cut short leaves the marker, so a ranking of other
    inputs is never shown without saying so.

Buttons and analyses
    A button that changes the model is an event too (:func:`on_click`). Analyses that
    compute (goal-seek, robustness) run when their button is pressed and keep their
    answer in the model with the scenario they started from, marked stale (not
    recomputed) when the scenario changes.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import replace
from typing import Any

import streamlit as st

from sim.errors import ScenarioError, SimError
from sim.i18n import DEFAULT_LANG, LANGS, Said, escape_markdown
from sim.messages import render
from sim.scenario import dump_scenario
from sim.share import plan_from_params, plan_params, scenario_from_params, share_params
from ui.cache import scenario_dir, shipped_package
from ui.edits import HANDLERS, accept_loaded, blank_scenario, open_plan
from ui.model import AppState, Event, TabContext  # the tabs import them from here

MODEL, QUEUE, GENERATIONS, KNOWN, LOCK = "m", "m_events", "m_keys", "m_known", "m_lock"
#: Known values are kept for this many generations of a widget: an older one's report is an echo.
KNOWN_GENERATIONS = 32
S = st.session_state


# --------------------------------------------------------------------------- the model in session state


def state() -> AppState:
    return S[MODEL]


def commit(new: AppState) -> None:
    """Make ``new`` the model: one assignment, so a run cut short commits all or nothing."""
    S[MODEL] = new


def context() -> TabContext:
    current = state()
    return TabContext(current, current.package())


def start_session() -> None:
    """First run of a session: the queue, then the model from the URL (a share link) or defaults."""
    if MODEL in S:
        return
    S[QUEUE] = deque()
    S[GENERATIONS] = {}
    S[KNOWN] = {}
    S[LOCK] = threading.Lock()
    params = st.query_params
    lang = params.get("lang") if params.get("lang") in LANGS else DEFAULT_LANG
    package = shipped_package()
    model = AppState(blank_scenario(package), package.digest, package.zone_ids[-1], lang)
    if "s" in params:
        try:
            scenario = scenario_from_params({k: params.get_all(k) for k in params}, package)
        except SimError as exc:
            model = model.say("error", exc)
        else:
            if scenario is not None:
                model = accept_loaded(model, scenario, package)
                link_digest = params.get("d")
                if link_digest and not package.digest.startswith(link_digest) and model.scenario is scenario:
                    model = model.say("warning", Said("share_other_data", digest=link_digest[:12]))
    try:  # the Plan tab's plan, if the link carries one (the one-year scenario above is left as it is)
        shared = plan_from_params({k: params.get_all(k) for k in params}, package, scenario_dir())
    except SimError as exc:
        model = model.say("error", exc)
    else:
        if shared is not None:
            data = None if shared.in_library else dump_scenario(shared.scenario).encode("utf-8")
            model = open_plan(model, shared.scenario, shared.name, "page", data)[0]
    if params.get("z") in package.zone_ids:
        model = replace(model, zone=params.get("z"))
    commit(model)


# --------------------------------------------------------------------------- widgets <-> model


def lk(name: str, lang: str) -> str:
    """The key of a widget whose option labels are translated: one per language.

    Streamlit keeps a keyed widget's identity when only its ``format_func`` changes,
    and the browser then shows the old language's label; a key per language gives a
    fresh widget, set from the model like every other.
    """
    return f"{name}.{lang}"


def bind(kind: str, *args: Any, base: str, value: Any, where: str = "page", options: Any = None,
         param: str = "value") -> dict[str, Any]:
    """Keywords of a widget that shows ``value`` and queues a ``kind`` :class:`Event` when changed.

    The callback is the queue's own ``append``: it touches no session state, so a
    newer browser event cannot interrupt it (see the module docstring). The key is
    ``base.N``: while the widget shows the model's value it keeps its key (and the
    browser its focus); when the model moved away from it by another route, a new
    widget ``base.N+1`` takes its place, showing the model. The server never
    overwrites a value that the browser may hold and send back later.

    Every drawing also gives ``value`` as the widget's default (``param``, e.g.
    ``default`` for a multiselect; the ``index`` in ``options`` for a radio or a
    selectbox): a browser that never received the widget's first drawing (a
    stopped run's output is dropped) creates it showing the model, not the
    widget's own default (a slider's minimum), which it would report as an edit.
    """
    keywords = on_change(kind, *args, key=_key_showing(base, value), where=where, bound=True)
    if options is None:
        keywords[param] = value
    else:
        choices = list(options)
        keywords["index"] = choices.index(value) if value in choices else None
    return keywords


def _key_showing(base: str, value: Any) -> str:
    generations: dict[str, int] = S[GENERATIONS]
    known: dict[str, Any] = S[KNOWN]
    key = f"{base}.{generations.setdefault(base, 0)}"
    if key in S and S[key] != value:
        generations[base] += 1
        known.pop(f"{base}.{generations[base] - KNOWN_GENERATIONS}", None)
        key = f"{base}.{generations[base]}"
    if key not in S:
        known[key] = fingerprint(value)  # before the write: a run stopped at it leaves nothing unknown
        S[key] = value  # a new widget's first value: the browser holds none for it yet
    return key


def on_change(kind: str, *args: Any, key: str, where: str = "page", bound: bool = False) -> dict[str, Any]:
    """Keywords of a widget that queue an :class:`Event` when it changes (alone: an uploader, never set)."""
    return {"key": key, "on_change": S[QUEUE].append, "args": (Event(kind, key, tuple(args), where, bound=bound),)}


def on_click(kind: str, *args: Any, key: str | None = None, where: str = "page") -> dict[str, Any]:
    """Button keywords that queue an :class:`Event`; ``key`` names a widget whose value it uses."""
    return {"on_click": S[QUEUE].append, "args": (Event(kind, key, tuple(args), where, click=True),)}


def pref_widget(name: str, default: Any, lang: str, options: Any = None, param: str = "value") -> dict[str, Any]:
    """Keywords of a widget that edits ``prefs[name]`` (a tab's setting kept while the tab is closed).

    ``options`` and ``param`` as in :func:`bind`.
    """
    return bind("pref", name, base=lk(f"w_{name}", lang), value=state().prefs.get(name, default), options=options,
                param=param)


def apply_pending() -> None:
    """Apply the queued edits in order, skipping echoes; each is committed before it leaves the queue.

    Holds the session's lock: a run stopped by a newer one may still be running on
    another thread until its next ``st`` call (see the module docstring).
    """
    queue: deque[Event] = S[QUEUE]
    known: dict[str, Any] = S[KNOWN]
    with S[LOCK]:
        while queue:
            event = queue[0]
            held = event.key is not None and event.key in S
            value = S[event.key] if held else None
            if event.click or (held and is_edit(event, value, known)):
                new = HANDLERS[event.kind](state(), event, value)
                commit(new)
                if not event.click:
                    known[event.key] = fingerprint(value)  # now what the browser is known to hold
            queue.popleft()  # no session-state access since the commit: never applied twice


def is_edit(event: Event, value: Any, known: dict[str, Any]) -> bool:
    """Whether a widget's reported ``value`` is the planner's edit rather than an echo.

    It is an edit when it differs from the value the browser's widget is known to
    hold (``known``, by widget key). A widget never seen holds no known value: a
    first report is an edit, except from a :func:`bind` widget, whose known values
    are kept for :data:`KNOWN_GENERATIONS` generations: an older one is long replaced.
    """
    if event.key in known:
        return known[event.key] != fingerprint(value)
    return not event.bound


def fingerprint(value: Any) -> Any:
    """A widget value as compared by :func:`is_edit`: an uploaded file by its upload id (each run makes new objects)."""
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(item) for item in value)
    file_id = getattr(value, "file_id", None)
    return ("file", file_id) if isinstance(file_id, str) else value


def sync_url() -> None:
    """Write the model's share link into the URL, in every run.

    Never skipped because an earlier run wrote the same: that run's message may
    not have reached the browser (see the module docstring). The browser ignores
    an unchanged query string.
    """
    model = state()
    try:
        params = link_params(model)
    except ScenarioError:
        params = {"z": model.zone}
    st.query_params.from_dict(params)


def link_params(model: AppState) -> dict[str, str]:
    """The share link's query parameters for ``model``. Raises ScenarioError when too big."""
    extra = {"z": model.zone, "d": model.package().digest[:12]}
    if model.lang != DEFAULT_LANG:
        extra["lang"] = model.lang
    library_name, plan = model.chosen_plan()
    try:  # a plan too big for a link is left out of it, not the scenario
        extra.update(plan_params(plan, library_name))
    except ScenarioError:
        pass
    return share_params(model.scenario, **extra)


def show_messages(where: str) -> None:
    """Show the messages of edits made in ``where``, once."""
    model = state()
    mine = [m for m in model.messages if m[0] == where]
    if not mine:
        return
    package = model.package()
    for _, level, text in mine:
        getattr(st, level)(escape_markdown(render(text, model.lang, package.name)))
    commit(replace(state(), messages=tuple(m for m in state().messages if m[0] != where)))
