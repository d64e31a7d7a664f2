"""The "Download brief" button of the What-if and Compare tabs: the document ``zonesim report`` writes.

The brief is a Word document (``.docx``): what goes to a leadership meeting. It is made
by :func:`sim.brief.make_brief`, the command's own function, from the same inputs (the
scenario files' text; the current scenario as its canonical file), in the page's
language. It is made only when the button is pressed (Streamlit calls the deferred
``data``), never on a slider move.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import streamlit as st

from sim.brief import ScenarioInput, make_brief
from sim.data import DataPackage
from sim.i18n import t

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _brief(package: DataPackage, inputs: tuple[ScenarioInput, ...], lang: str) -> bytes:
    return make_brief(package, list(inputs), "docx", lang)


def brief_button(package: DataPackage, inputs: Sequence[ScenarioInput], lang: str, key: str, name: str) -> None:
    """A download button for the brief of ``inputs`` (one scenario, or several side by side)."""
    st.download_button(
        t("download_brief", lang), data=partial(_brief, package, tuple(inputs), lang), file_name=f"{name}.docx",
        mime=DOCX_MIME, key=key, on_click="ignore", help=t("download_brief_help", lang), icon=":material/description:", wrap=True,
    )
