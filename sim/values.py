"""Checks on numbers read from files, where an int can be arbitrarily large."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_bounded_number(value: Any, limit: float = math.inf) -> bool:
    """True for an int or float (not a bool) that is finite and within +-``limit``.

    Examples
    --------
    >>> is_bounded_number(3), is_bounded_number(float("nan")), is_bounded_number(10**400)
    (True, False, False)
    >>> is_bounded_number(True), is_bounded_number("3")
    (False, False)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        # math.isfinite(10**400) raises OverflowError: compare the int itself.
        return abs(value) <= limit if math.isfinite(limit) else abs(value) < 2**1023
    return math.isfinite(value) and abs(value) <= limit


# --------------------------------------------------------------------------- numbers in data files

#: How a number is written in a data file: ASCII digits, an optional sign, decimal point
#: and exponent; no thousands separators, underscores (which Python's float() accepts) or
#: other scripts' digits (which it accepts too: "٣٤٠١", "２０１９").
NUMBER_TEXT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
#: Words for non-finite values: read as numbers, so that a message can say "not finite".
NON_FINITE_TEXT = r"[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])"
_NUMBER = re.compile(NUMBER_TEXT)
_NON_FINITE = re.compile(NON_FINITE_TEXT)


def parse_number(text: str) -> float | None:
    """The number ``text`` writes (see :data:`NUMBER_TEXT`), or None.

    Examples
    --------
    >>> parse_number(" 3401.08 "), parse_number("1e5"), parse_number("3_401.08"), parse_number("٣٤٠١")
    (3401.08, 100000.0, None, None)
    >>> parse_number("-inf")
    -inf
    """
    text = str(text).strip()
    if _NUMBER.fullmatch(text) or _NON_FINITE.fullmatch(text):
        return float(text)
    return None


def parse_numbers(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_number` of a whole column of stripped text, vectorised (in Arrow:
    no Python object per row).

    Returns
    -------
    values : numpy.ndarray of float
        NaN where the text writes no number.
    is_number : numpy.ndarray of bool
        Where the text writes a number (finite or not).
    """
    column = pa.chunked_array(pa.array(texts, type=pa.string()))
    finite = pc.match_substring_regex(column, f"^{NUMBER_TEXT}$").to_numpy(zero_copy_only=False)
    values = np.full(len(column), np.nan)
    if finite.all():
        values = pc.cast(column, pa.float64()).to_numpy()
    elif finite.any():
        values[finite] = pc.cast(column.filter(pa.array(finite)), pa.float64()).to_numpy()
    words = np.zeros(len(column), dtype=bool)
    if not finite.all():
        words = pc.match_substring_regex(column, f"^{NON_FINITE_TEXT}$").to_numpy(zero_copy_only=False)
        values[words] = [float(text) for text in column.filter(pa.array(words)).to_pylist()]
    return values, finite | words


def number_hint(text: str):
    """A hint (a message, or ``""``) for a number written in a way this tool does not
    read: "3_401.08", "3,401", "２０１９"."""
    from sim.messages import msg

    if any(ch.isdigit() and not ch.isascii() for ch in text) or any(ch in text for ch in "_,，"):
        return msg("data.number_hint")
    return ""
