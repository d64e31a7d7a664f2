"""Checks on numbers read from files, where an int can be arbitrarily large."""

from __future__ import annotations

import math
from typing import Any


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
