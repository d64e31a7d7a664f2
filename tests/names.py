"""Expected words of messages whose zone and indicator ids a person reads as names.

In an expectation, ``{sunan}`` marks an id that the message names: the Python API's text
(``str(error)``) shows the id, the command line shows the package's name (it renders
messages with :meth:`sim.data.DataPackage.name`). Ids quoted from a file (``'rd_spendng'``,
``did you mean 'rd_spending'``) are written plainly: they stay ids everywhere.

Examples
--------
>>> as_read(["{unicorns} by -20 for {donghu}"])
['unicorns by -20 for donghu']
"""

from __future__ import annotations

import re

_MARKED = re.compile(r"\{(\w+)\}")


def as_read(words, package=None, lang: str = "en") -> list[str]:
    """``words`` with each ``{id}`` as the reader sees it: the id, or its name in ``package``."""

    def shown(match: re.Match) -> str:
        item = match.group(1)
        if package is None:
            return item
        return package.name("zone" if item in package.zone_ids else "indicator", item, lang)

    return [_MARKED.sub(shown, word) for word in words]
