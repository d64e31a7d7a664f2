"""The state model's echo rule (ui/state.py, "Edits and echoes"), replayed without a browser.

A plain dict stands in for ``st.session_state``. A browser report is what Streamlit
does with it: the widget's value lands in the session and the widget's callback
queues its event; a run applies the queue (:func:`ui.state.apply_pending`) and
draws widgets from the model (:func:`ui.state.bind`). The replay is the order of
events of issue 10's second loss, read from the server log of a failing run.
"""

from __future__ import annotations

import threading
from collections import deque

import pytest

from ui import state
from ui.edits import blank_scenario
from ui.model import AppState, Event

ZONE, INDICATOR = "sunan", "rd_spending"
SLIDER, BOX = f"w_sl_{INDICATOR}", f"w_nb_{INDICATOR}"


@pytest.fixture
def session(monkeypatch, shipped) -> dict:
    session = {state.QUEUE: deque(), state.GENERATIONS: {}, state.KNOWN: {}, state.LOCK: threading.Lock(),
               state.MODEL: AppState(blank_scenario(shipped), shipped.digest, ZONE)}
    monkeypatch.setattr(state, "S", session)
    return session


def model_change(session: dict) -> int:
    """The model's change of Sunan's R&D spending, in percent (0 without intervention)."""
    items = session[state.MODEL].scenario.interventions
    return int(items[0].describe().removeprefix("by ").rstrip("%")) if items else 0


def draw(session: dict) -> tuple[str, str]:
    """A run that draws the What-if row: the keys of the slider and its number box, both showing the model."""
    value = model_change(session)
    return (state.bind("cell", ZONE, INDICATOR, base=SLIDER, value=value)["key"],
            state.bind("cell", ZONE, INDICATOR, base=BOX, value=value)["key"])


def report(session: dict, key: str, value: int) -> None:
    """The browser reports ``key`` holding ``value`` and Streamlit calls its ``on_change``."""
    session[key] = value
    session[state.QUEUE].append(Event("cell", key, (ZONE, INDICATOR), bound=True))  # as bind() made it


def forget(session: dict, *keys: str) -> None:
    """A completed run that did not draw these widgets (another tab): the session forgets their values."""
    for key in keys:
        session.pop(key, None)


def test_a_stale_box_reported_after_a_tab_switch_is_an_echo(session):
    """Issue 10's second loss: the model must stay at the slider's last value, not go back to the box's."""
    slider, box = draw(session)
    for value in range(1, 23):  # fast presses, each a fragment run that draws the row
        report(session, slider, value)
        state.apply_pending()
        slider, box = draw(session)
    assert (model_change(session), session[box]) == (22, 22)
    for value in (23, 24):  # fragment runs stopped before they drew the box: it stays at +22 %
        report(session, slider, value)
        state.apply_pending()
    forget(session, slider, box)  # the Scenario files tab's run completed
    report(session, slider, 24)  # back on What-if, the browser reports every widget it still holds
    report(session, box, 22)
    state.apply_pending()
    assert model_change(session) == 24
    new_slider, new_box = draw(session)
    assert (new_slider, session[new_slider], session[new_box]) == (slider, 24, 24)
    assert new_box != box  # a new box shows the model; the old one's +22 % stays an echo
    report(session, box, 22)
    state.apply_pending()
    assert model_change(session) == 24


def test_an_edit_in_a_replaced_widget_is_applied_once(session):
    """The planner changed what they saw, even if the model had already replaced that widget."""
    slider, old_box = draw(session)
    report(session, slider, 10)
    state.apply_pending()
    _, box = draw(session)
    assert box != old_box and model_change(session) == 10
    report(session, old_box, 30)  # typed into the box the browser still showed
    state.apply_pending()
    assert model_change(session) == 30
    report(session, slider, 10)  # the slider's own last value, reported again: an echo
    report(session, old_box, 30)  # and the box's edit, reported again: applied already
    state.apply_pending()
    assert model_change(session) == 30 and not session[state.QUEUE]


def test_a_widget_replaced_long_ago_is_an_echo_and_other_widgets_edit_at_once(session):
    slider, box = draw(session)
    first_box = box
    for value in range(1, state.KNOWN_GENERATIONS + 2):
        report(session, slider, value)
        state.apply_pending()
        slider, box = draw(session)
    assert first_box not in session[state.KNOWN]  # forgotten: its report cannot be told from an echo
    report(session, first_box, 99)
    state.apply_pending()
    assert model_change(session) == state.KNOWN_GENERATIONS + 1
    session["w_name.0"] = "Sunan push"  # a widget that is not bound (no known value) edits at its first report
    session[state.QUEUE].append(state.on_change("text", "name", key="w_name.0")["args"][0])
    state.apply_pending()
    assert session[state.MODEL].scenario.name == "Sunan push"
