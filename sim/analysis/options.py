"""Values the analyses share: percentages, lists of ids, seeds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.errors import UsageError
from sim.messages import msg


def parse_percent(text: str | float, what: str) -> float:
    """``"50%"``, ``"+50%"`` or ``50`` -> 50.0 (a percent), with a clear error.

    Raises
    ------
    UsageError
    """
    raw = str(text).strip()
    number = raw[:-1].strip() if raw.endswith("%") else raw
    try:
        value = float(number)
    except ValueError:
        raise UsageError(msg("analysis.not_a_percentage", what=what, text=repr(text))) from None
    if not math.isfinite(value):
        raise UsageError(msg("analysis.percentage_not_finite", what=what, text=repr(text)))
    return value


def split_ids(text: str | Sequence[str] | None) -> list[str] | None:
    """``"a,b, c"`` -> ``["a", "b", "c"]``; None stays None."""
    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    return [item.strip() for item in items if item.strip()]


def check_seed(seed: Any) -> None:
    """A seed numpy accepts: a whole number >= 0, a Generator, or None.

    Raises
    ------
    UsageError
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(msg("analysis.bad_seed", seed=str(seed)))
