"""One exception hierarchy for everything a user can get wrong.

Every message names *where* (file, line, field, zone, indicator, year) and *what*
(the bad value and what is allowed), so that the command line and the app can show
it as it is, without a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

#: Problems shown in a message; the rest are counted ("... and 1,234 more"), so that a
#: file with a hundred thousand errors gives a message a person can read, at once.
MAX_SHOWN = 50
#: Problems kept by a :class:`Problems` list; the rest are only counted.
MAX_KEPT = 1_000
#: Longest problem shown: one that quotes a hostile value (a list of 100,000 ids) is cut.
MAX_PROBLEM_CHARS = 2_000


class Problems(list):
    """A list of problems that keeps the first :data:`MAX_KEPT` and counts the rest.

    Validators append to it as to a list; a loop over a collection of hostile size
    can ask :attr:`full` and stop building messages (suggestions cost time) while
    still counting. :class:`SimError` reports the count of those not kept.
    """

    def __init__(self, items: Iterable[str] = (), limit: int = MAX_KEPT):
        super().__init__()
        self.limit = limit
        self.omitted = 0
        self.extend(items)

    @property
    def full(self) -> bool:
        """Whether further problems are only counted."""
        return len(self) >= self.limit

    def append(self, problem: str) -> None:  # type: ignore[override]
        if self.full:
            self.omitted += 1
        else:
            super().append(problem)

    def extend(self, problems: Iterable[str]) -> None:  # type: ignore[override]
        for problem in problems:
            self.append(problem)
        self.omitted += getattr(problems, "omitted", 0)

    def absorb(self, error: SimError) -> None:
        """Take over the problems of ``error`` (and its count of those not kept)."""
        self.extend(error.problems)
        self.omitted += error.omitted

    def each(self, items: Sequence, message: Callable[..., str]) -> None:
        """One problem per item: ``message(item)`` while there is room, then only counted."""
        room = max(self.limit - len(self), 0)
        for item in items[:room]:
            super().append(message(item))
        self.omitted += max(len(items) - room, 0)

    @property
    def total(self) -> int:
        return len(self) + self.omitted


class SimError(Exception):
    """Base class for errors caused by input: data, scenario files, arguments.

    Parameters
    ----------
    problems : str or iterable of str
        One message, or several problems that are reported together; each may be a
        :class:`sim.messages.Message`, rendered in the reader's language by :meth:`render`.
    source : str, optional
        The file (or other origin, possibly a :class:`sim.messages.Message`) the problems
        were found in; prefixed to the message.
    """

    def __init__(self, problems: str | Iterable[str], source: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        #: Problems found but not kept (see :class:`Problems`); counted in the message.
        self.omitted = getattr(problems, "omitted", 0)
        if not self.problems:
            from sim.messages import msg

            self.problems = [msg("errors.unknown")]
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
        from sim.text import printable

        # The source may be a catalogue message too ("share link" reads 分享链接).
        head = f"{printable(render(self.source, lang, names))}: " if self.source else ""
        total = len(self.problems) + self.omitted
        # A problem quotes what the user wrote: shown, never obeyed (an escape sequence in a name).
        shown = [_cut(printable(render(problem, lang, names))) for problem in self.problems[:MAX_SHOWN]]
        if total == 1:
            return head + shown[0]
        count = msg("errors.several", count=total).render(lang)
        colon = "：" if lang == "zh" else ":"
        lines = [f"  - {p}" for p in shown]
        if total > len(shown):
            lines.append("  " + msg("errors.more", count=total - len(shown)).render(lang))
        return head + count + colon + "\n" + "\n".join(lines)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 1] + "…"


class DataError(SimError):
    """A data package or an indicator table is invalid."""


class ScenarioError(SimError):
    """A scenario file or scenario object is invalid."""


class UsageError(SimError):
    """A command-line argument or API argument is invalid."""


class SimWarning(UserWarning):
    """Something the user must know about a result (constant column, clamped value...)."""
