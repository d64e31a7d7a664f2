"""What the analysis tabs (goal-seek, levers, robustness) share: answers kept with where they started."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.data import DataPackage
from sim.i18n import escape_markdown, t
from sim.messages import render
from sim.scenario import Scenario, dump_scenario
from sim.whatif_table import numbered_interventions


def started_from(package: DataPackage, scenario: Scenario) -> dict[str, str]:
    """What an answer started from: kept with it, so a changed scenario marks it stale."""
    return {"data": package.digest, "start": dump_scenario(scenario)}


def is_stale(entry: dict[str, Any], package: DataPackage, scenario: Scenario) -> bool:
    return entry["data"] != package.digest or entry["start"] != dump_scenario(scenario)


def notes_expander(notes, lang: str, names=None) -> None:
    """The notes (and warnings) of an answer, in ``lang``, zones and indicators by name with ``names``."""
    if notes:
        with st.expander(t("notes", lang) + f" ({len(notes)})"):
            for note in notes:
                st.caption(escape_markdown(render(numbered_interventions(note), lang, names)))
