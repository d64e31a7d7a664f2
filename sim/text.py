"""Small helpers for messages people read."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix for a near miss, else a list of what is allowed.

    Examples
    --------
    >>> did_you_mean("rd_spendng", ["rd_spending", "unicorns"])
    "; did you mean 'rd_spending'?"
    >>> did_you_mean("zzz", ["a", "b"])
    '; allowed: a, b'
    """
    options = list(choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    shown = ", ".join(options[:30]) + (", ..." if len(options) > 30 else "")
    return f"; allowed: {shown}"
