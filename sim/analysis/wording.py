"""Small pieces of text the three analyses share: chances, changes, the method, plurals of names.

Every sentence comes from the catalogue (``sim/locale/analysis.yaml`` and ``sure.yaml``,
see :mod:`sim.messages`); this module only formats the numbers and ids that go into
them, the same way on the command line and in the app.

Examples
--------
>>> chance(0.62), chance(0.0), chance(0.999), chance(0.003)
('62 %', '0 %', '>99 %', '<1 %')
>>> change_text("to 100", "zh"), change_text("+12.5%", "zh")
('设为 100', '+12.5%')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.messages import Message, msg

#: Changes written "to V" (a new value) by goal-seek and the lever steps; the rest
#: (``+10%``, ``+3``) read the same in every language.
_TO = "to "


def chance(probability: float) -> str:
    """A probability as a whole percentage a person reads: ``62 %``.

    Never rounds to a certainty it is not: a probability strictly between 0 and 1 shows
    as ``<1 %`` or ``>99 %`` rather than ``0 %`` or ``100 %``.
    """
    p = float(probability)
    if p <= 0.0:
        return "0 %"
    if p >= 1.0:
        return "100 %"
    if p < 0.005:
        return "<1 %"
    if p > 0.995:
        return ">99 %"
    return f"{100 * p:.0f} %"


def percent_cell(probability: float) -> str:
    """A probability in a table cell, one decimal: ``62.3%`` (``0%`` only when none of the draws)."""
    p = float(probability)
    if 0.0 < p < 0.0005:
        return "<0.1%"
    if 0.9995 < p < 1.0:
        return ">99.9%"
    return f"{100 * p:.1f}%"


def change_text(text: str, lang: str = "en") -> str:
    """A written change (``+10%``, ``+3``, ``to 100``) in ``lang``: only "to" has words."""
    if text.startswith(_TO):
        return msg("analysis.change_to", value=text[len(_TO):]).render(lang)
    return text


def method_line(method: Mapping[str, Any]) -> Message:
    """The method of a result in words (normalisations, weights, goalposts), as a message."""
    weights = method["weights"] if isinstance(method["weights"], str) else "explicit"
    goalposts = "goal_baseline" if method["goalposts"] == "baseline" else method["goalposts"]
    return msg(
        "analysis.method_line",
        normalization=msg(f"options.{method['normalization']}"),
        scoring=msg(f"options.{method['score_normalization']}"),
        weights=msg(f"options.{weights}"),
        goalposts=msg(f"options.{goalposts}"),
    )


def csv_headers(frame, lang: str = "en"):
    """``frame`` with its column keys as headers in ``lang`` (``analysis.csv_<key>``).

    In English the headers are the keys themselves (``zone``, ``p_rank_1``), as scripts
    read them; in Chinese they are words. A key without a catalogue entry stays as it is.
    """
    from sim.messages import BASE_LANG, has_key, text

    if lang == BASE_LANG:
        return frame

    def header(key: str) -> str:
        if key.startswith("p_rank_"):
            return text("analysis.csv_p_rank", lang, rank=key[len("p_rank_"):])
        base, _, step = key.rpartition("_")
        if step in ("10%", "1sd") and has_key(f"analysis.csv_{base}"):  # a lever step's column
            return text("analysis.csv_of_step", lang, column=text(f"analysis.csv_{base}", lang),
                        step=text(f"analysis.step_{step}", lang))
        return text(f"analysis.csv_{key}", lang) if has_key(f"analysis.csv_{key}") else key

    return frame.rename(columns={column: header(str(column)) for column in frame.columns})


def scenario_name(scenario, lang: str = "en") -> str:
    """A scenario's name in ``lang``: its ``name_zh`` in Chinese when it has one; the baseline's in words."""
    from sim.messages import text

    if scenario.source == "baseline" and scenario.name == "baseline":
        return text("analysis.baseline_name", lang)
    return scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name


def significant(value: float, digits: int = 4) -> str:
    """A signed number to ``digits`` significant digits, never in exponent form: ``+198800``, ``+4.138``.

    Examples
    --------
    >>> significant(198765.4), significant(4.13812), significant(-0.000123456)
    ('+198800', '+4.138', '-0.0001235')
    """
    import math

    if value == 0 or not math.isfinite(value):
        return f"{value:+g}"
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return f"{round(value, places):+.{max(places, 0)}f}"
