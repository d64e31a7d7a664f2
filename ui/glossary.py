"""The glossary of the analysis tabs, drawn the same way on each of them (goal-seek, levers, robustness).

The text is data (``sim/locale/glossary.yaml``, read by :mod:`sim.analysis.glossary`);
this only draws it: an expander whose label names a few of the tab's own terms.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from sim.analysis.glossary import glossary, term
from sim.i18n import escape_markdown
from sim.messages import text


def glossary_expander(lang: str, named: Sequence[str] = ()) -> None:
    """The whole glossary in an expander; its label names the terms ``named`` (ids), the tab's own.

    Parameters
    ----------
    lang : str
    named : sequence of str
        Glossary ids to name in the label ("Glossary: what do lognormal, bootstrap … mean?").
    """
    separator = "、" if lang == "zh" else ", "
    label = (text("sure.glossary_label", lang, terms=separator.join(term(key, lang).split(separator)[0]
                                                                    for key in named))
             if named else text("sure.glossary", lang))
    colon = "：" if lang == "zh" else ": "
    with st.expander(escape_markdown(label)):
        st.markdown("\n".join(f"- **{escape_markdown(name)}**{colon}{escape_markdown(meaning)}"
                              for name, meaning in glossary(lang)))
