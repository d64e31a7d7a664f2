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
        One message, or several problems that are reported together; each may be a
        :class:`sim.messages.Message`, rendered in the reader's language by :meth:`render`.
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
        return self.render("en")

    def render(self, lang: str = "en", names=None) -> str:
        """The whole message in ``lang`` (``zh`` or ``en``), problems rendered from the catalogue.

        Parameters
        ----------
        lang : str
        names : callable, optional
            ``names(kind, id, lang)``: show zone and indicator names instead of ids
            (see :mod:`sim.messages`).
        """
        from sim.messages import msg, render

        head = f"{self.source}: " if self.source else ""
        shown = [render(problem, lang, names) for problem in self.problems]
        if len(shown) == 1:
            return head + shown[0]
        count = msg("errors.several", count=len(shown)).render(lang)
        colon = "：" if lang == "zh" else ":"
        return head + count + colon + "\n" + "\n".join(f"  - {p}" for p in shown)


class DataError(SimError):
    """A data package or an indicator table is invalid."""


class ScenarioError(SimError):
    """A scenario file or scenario object is invalid."""


class UsageError(SimError):
    """A command-line argument or API argument is invalid."""


class SimWarning(UserWarning):
    """Something the user must know about a result (constant column, clamped value...)."""
