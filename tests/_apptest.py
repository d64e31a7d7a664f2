"""Helpers for the AppTest tests of the app (tests/test_app*.py): its model and its widgets.

A widget that shows a model value has the key ``<base>.<generation>`` (see
:func:`ui.state.bind`): find it by its base. The What-if tab shows one indicator
group's sliders at a time: :func:`slider` opens the indicator's group first.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
#: Seconds one run of the app may take in a test (goal-seek takes a few; the suite runs in parallel).
APP_TIMEOUT = 120


def fresh_app(timeout: float = APP_TIMEOUT) -> AppTest:
    """A new session of the app, after its first run (the ``app`` fixture of conftest.py)."""
    return AppTest.from_file(APP, default_timeout=timeout).run()


def no_exception(at: AppTest) -> None:
    """The last run raised nothing (an exception's message is the assertion's)."""
    assert not at.exception, [e.value for e in at.exception]


def model(at: AppTest):
    """The app's model (:class:`ui.state.AppState`)."""
    return at.session_state["m"]


def widget(at: AppTest, kind: str, base: str):
    """The ``kind`` widget (slider, selectbox, ...) whose key is ``base.<generation>``."""
    found = [w for w in getattr(at, kind) if w.key and w.key.rpartition(".")[0] == base]
    assert len(found) == 1, f"{len(found)} {kind} widgets with key {base}.N: {[w.key for w in getattr(at, kind)]}"
    return found[0]


def open_group(at: AppTest, package, indicator: str, lang: str = "zh") -> None:
    """Show the sliders of ``indicator``'s group on the What-if tab."""
    group = package.indicators.at[indicator, "group"]
    radio = widget(at, "radio", f"w_group.{lang}")
    if radio.value != group:
        radio.set_value(group).run()


def slider(at: AppTest, package, indicator: str, lang: str = "zh"):
    """The slider of ``indicator`` (its group opened first)."""
    open_group(at, package, indicator, lang)
    return widget(at, "slider", f"w_sl_{indicator}")


def all_sliders(at: AppTest, package, lang: str = "zh") -> set[str]:
    """The indicators that have a slider, group by group."""
    shown = set()
    for group in package.groups.index:
        widget(at, "radio", f"w_group.{lang}").set_value(group).run()
        shown |= {s.key.rpartition(".")[0].removeprefix("w_sl_") for s in at.slider}
    return shown


def move(at: AppTest, package, indicator: str, value: int, lang: str = "zh") -> None:
    """Move ``indicator``'s slider to ``value`` and rerun."""
    slider(at, package, indicator, lang).set_value(value).run()


def pick_zone(at: AppTest, zone: str, lang: str = "zh") -> None:
    widget(at, "selectbox", f"w_zone.{lang}").set_value(zone).run()


def ranking(at: AppTest) -> pd.DataFrame:
    """The ranking table as the What-if tab shows it (text with 2 decimals)."""
    assert at.table, "no ranking table"
    return at.table[0].value


def tab(at: AppTest, label: str) -> None:
    at.session_state["w_tab"] = label
    at.run()
