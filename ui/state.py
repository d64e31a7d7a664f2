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
    event in order it reads the widget's current value, builds the new model with
    the event's handler (all of them in :mod:`ui.edits`; validated like a file, and
    run), commits it, and only then removes the event. Then :func:`sync_url` writes
    the share link into the address bar.

Why no work in callbacks (issue 10's lost input)
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
    adds), so a run cut short anywhere is redone by the next run. Streamlit forgets
    a widget's value only at the end of a *completed* run that did not draw it, and
    every completed run applied the queue first: a committed value cannot be lost,
    whatever the order or speed of key presses, tab switches and reloads (the URL is
    the model as of the last applied edit).

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

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from sim.data import DataPackage
from sim.engine import Result
from sim.errors import ScenarioError, SimError
from sim.i18n import DEFAULT_LANG, LANGS, Said, escape_markdown
from sim.messages import render
from sim.scenario import Scenario
from sim.share import scenario_from_params, share_params
from ui.cache import run, shipped_package

MODEL, QUEUE, URL_KEY, GENERATIONS = "m", "m_events", "m_url", "m_keys"
S = st.session_state


@dataclass(frozen=True)
class Event:
    """One pending edit: which widget (``key``) changed, and what it edits.

    ``kind`` names the handler in :data:`HANDLERS`; ``args`` are fixed when the widget
    is drawn (e.g. the zone and indicator of a slider); ``where`` is the part of the
    page that shows the edit's messages ("page" or "whatif").
    """

    kind: str
    key: str | None = None
    args: tuple = ()
    where: str = "page"


@dataclass(frozen=True)
class AppState:
    """Everything the session knows; replaced whole, never changed in place.

    Attributes
    ----------
    scenario : Scenario
        The current scenario: the planner's work.
    digest : str
        The data package the scenario was validated against.
    zone, lang : str
        The zone of interest (sliders, analyses) and the UI language.
    data : {"shipped", "uploaded"}
    upload, upload_name
        An uploaded data package and its file names.
    uploaded : tuple of (name, bytes)
        Scenario files uploaded in this session (offered for comparison).
    rev : int
        Counts scenario changes (the interventions table's widget key).
    prefs : dict
        Inputs of the other tabs (comparison picks, analysis settings).
    answers : dict
        Goal-seek and robustness answers with the scenario they started from.
    messages : tuple of (where, level, text)
        To show once, where the edit was made; ``text`` is rendered when shown, in the
        language of that moment (a :class:`~sim.messages.Message`, a
        :class:`~sim.errors.SimError`, a :class:`~sim.i18n.Said`, or plain text).
    """

    scenario: Scenario
    digest: str
    zone: str
    lang: str = DEFAULT_LANG
    data: str = "shipped"
    upload: DataPackage | None = None
    upload_name: str = ""
    uploaded: tuple[tuple[str, bytes], ...] = ()
    rev: int = 0
    prefs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    messages: tuple[tuple[str, str, str], ...] = ()

    def package(self) -> DataPackage:
        """The data package in use: the uploaded one when chosen, else the shipped one."""
        return self.upload if self.data == "uploaded" and self.upload is not None else shipped_package()

    def say(self, level: str, text: Any, where: str = "page") -> AppState:
        """With a message (error, warning, success, info) to show once, rendered when shown."""
        return replace(self, messages=(*self.messages, (where, level, text)))

    def with_pref(self, name: str, value: Any) -> AppState:
        return replace(self, prefs={**self.prefs, name: value})

    def with_answer(self, name: str, value: Any) -> AppState:
        return replace(self, answers={**self.answers, name: value})

    def with_scenario(self, scenario: Scenario, package: DataPackage) -> AppState:
        """With ``scenario`` as the current one; the same scenario again changes nothing (edits are idempotent)."""
        if scenario == self.scenario and package.digest == self.digest:
            return self
        return replace(self, scenario=scenario, digest=package.digest, rev=self.rev + 1)

    def label(self, scenario: Scenario | None = None) -> str:
        """A scenario's name in the UI language (the current one by default)."""
        scenario = scenario or self.scenario
        return scenario.name_zh if self.lang == "zh" and scenario.name_zh else scenario.name


@dataclass(frozen=True)
class TabContext:
    """What a tab draws from: the model as of the start of its run, and its data package."""

    state: AppState
    package: DataPackage

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @property
    def lang(self) -> str:
        return self.state.lang

    def result(self) -> Result:
        """The current scenario's result (cached). Raises SimError."""
        return run(self.package, self.state.scenario)


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
    from ui.edits import accept_loaded, blank_scenario  # the edits import this module

    if MODEL in S:
        return
    S[QUEUE] = deque()
    S[GENERATIONS] = {}
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
    if params.get("z") in package.zone_ids:
        model = replace(model, zone=params.get("z"))
    S[URL_KEY] = {k: params.get(k) for k in params}  # the URL as it came: kept until the planner changes something
    commit(model)


# --------------------------------------------------------------------------- widgets <-> model


def lk(name: str, lang: str) -> str:
    """The key of a widget whose option labels are translated: one per language.

    Streamlit keeps a keyed widget's identity when only its ``format_func`` changes,
    and the browser then shows the old language's label; a key per language gives a
    fresh widget, set from the model like every other.
    """
    return f"{name}.{lang}"


def bind(kind: str, *args: Any, base: str, value: Any, where: str = "page") -> dict[str, Any]:
    """Keywords of a widget that shows ``value`` and queues a ``kind`` :class:`Event` when changed.

    The callback is the queue's own ``append``: it touches no session state, so a
    newer browser event cannot interrupt it (see the module docstring). The key is
    ``base.N``: while the widget shows the model's value it keeps its key (and the
    browser its focus); when the model moved away from it by another route, a new
    widget ``base.N+1`` takes its place, showing the model. The server thus never
    overwrites a value that the browser may hold and send back later: a stale value
    of a replaced widget is never read as an edit.
    """
    return on_change(kind, *args, key=_key_showing(base, value), where=where)


def _key_showing(base: str, value: Any) -> str:
    generations: dict[str, int] = S[GENERATIONS]
    key = f"{base}.{generations.setdefault(base, 0)}"
    if key in S and S[key] != value:
        generations[base] += 1
        key = f"{base}.{generations[base]}"
    if key not in S:
        S[key] = value  # a new widget's first value: the browser holds none for it yet
    return key


def on_change(kind: str, *args: Any, key: str, where: str = "page") -> dict[str, Any]:
    """Keywords of a widget that queue an :class:`Event` when it changes (alone: an uploader, never set)."""
    return {"key": key, "on_change": S[QUEUE].append, "args": (Event(kind, key, tuple(args), where),)}


def on_click(kind: str, *args: Any, key: str | None = None, where: str = "page") -> dict[str, Any]:
    """Button keywords that queue an :class:`Event`; ``key`` names a widget whose value it uses."""
    return {"on_click": S[QUEUE].append, "args": (Event(kind, key, tuple(args), where),)}


def pref_widget(name: str, default: Any, lang: str) -> dict[str, Any]:
    """Keywords of a widget that edits ``prefs[name]`` (a tab's setting kept while the tab is closed)."""
    return bind("pref", name, base=lk(f"w_{name}", lang), value=state().prefs.get(name, default))


def apply_pending() -> None:
    """Apply the queued edits in order; each is committed before it leaves the queue."""
    from ui.edits import HANDLERS  # the edits import this module

    queue: deque[Event] = S[QUEUE]
    while queue:
        event = queue[0]
        if _replaced(event.key):
            queue.popleft()  # a widget that the model had already moved away from: its value is old
            continue
        value = S[event.key] if event.key is not None and event.key in S else None
        new = HANDLERS[event.kind](state(), event, value)
        commit(new)
        queue.popleft()  # no session-state access between the commit and this: never applied twice


def _replaced(key: str | None) -> bool:
    """Whether ``key`` is a :func:`bind` widget of an older generation.

    Streamlit may still report a replaced widget (the browser sends what it held; a
    fragment run does not forget widgets): such a report is an echo, not an edit.
    """
    if key is None:
        return False
    base, _, generation = key.rpartition(".")
    generations: dict[str, int] = S[GENERATIONS]
    return base in generations and generation != str(generations[base])


def sync_url() -> None:
    """Keep the URL's query parameters equal to the model (the address bar is a share link)."""
    model = state()
    try:
        params = link_params(model)
    except ScenarioError:
        params = {"z": model.zone}
    if params != S.get(URL_KEY):
        st.query_params.from_dict(params)
        S[URL_KEY] = params


def link_params(model: AppState) -> dict[str, str]:
    """The share link's query parameters for ``model``. Raises ScenarioError when too big."""
    extra = {"z": model.zone, "d": model.package().digest[:12]}
    if model.lang != DEFAULT_LANG:
        extra["lang"] = model.lang
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
