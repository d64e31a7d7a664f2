"""One exception hierarchy for everything a user can get wrong.

Every message names *where* (file, line, field, zone, indicator, year) and *what*
(the bad value and what is allowed), so that the command line and the app can show
it as it is, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class SimError(Exception):
    """Base class for errors caused by input: data, scenario files, arguments.

    Parameters
    ----------
    problems : str or iterable of str
        One message, or several problems that are reported together.
    source : str, optional
        The file (or other origin) the problems were found in; prefixed to the message.
    """

    def __init__(self, problems: str | Iterable[str], source: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            self.problems = ["unknown problem"]
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + self.problems[0]
        count = f"{len(self.problems)} problems"
        return head + count + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


class DataError(SimError):
    """A data package or an indicator table is invalid."""


class ScenarioError(SimError):
    """A scenario file or scenario object is invalid."""


class UsageError(SimError):
    """A command-line argument or API argument is invalid."""


class SimWarning(UserWarning):
    """Something the user must know about a result (constant column, clamped value...)."""
