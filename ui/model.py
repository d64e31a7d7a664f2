"""The model's data: the session's state (:class:`AppState`), a tab's view of it, a pending edit.

Plain immutable values; how they live in the session and meet the widgets is
:mod:`ui.state` (its docstring is the state model).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sim.data import DataPackage
from sim.engine import Result
from sim.errors import SimError
from sim.i18n import DEFAULT_LANG
from sim.plan.compose import as_plan, plan_settings
from sim.scenario import Scenario
from ui.cache import parse, run, shipped_package


@dataclass(frozen=True)
class Event:
    """One pending edit: which widget (``key``) changed, and what it edits.

    ``kind`` names the handler in :data:`ui.edits.HANDLERS`; ``args`` are fixed when the widget
    is drawn (e.g. the zone and indicator of a slider); ``where`` is the part of the
    page that shows the edit's messages ("page" or "whatif"). ``click``: a button
    press, always an edit (its ``key`` only names a widget whose value it uses);
    ``bound``: a :func:`bind` widget, whose known values are kept per generation.
    """

    kind: str
    key: str | None = None
    args: tuple = ()
    where: str = "page"
    click: bool = False
    bound: bool = False


@dataclass(frozen=True)
class AppState:
    """Everything the session knows; replaced whole, never changed in place.

    Attributes
    ----------
    scenario : Scenario
        The current scenario: the planner's work.
    digest : str
        The data package the scenario was validated against.
    zone, lang : str
        The zone of interest (sliders, analyses) and the UI language.
    data : {"shipped", "uploaded"}
    upload, upload_name
        An uploaded data package and its file names.
    uploaded : tuple of (name, bytes)
        Scenario files uploaded in this session (offered for comparison).
    rev : int
        Counts scenario changes (the interventions table's widget key).
    prefs : dict
        Inputs of the other tabs (comparison picks, analysis settings).
    answers : dict
        Goal-seek and robustness answers with the scenario they started from.
    messages : tuple of (where, level, text)
        To show once, where the edit was made; ``text`` is rendered when shown, in the
        language of that moment (a :class:`~sim.messages.Message`, a
        :class:`~sim.errors.SimError`, a :class:`~sim.i18n.Said`, or plain text).
    """

    scenario: Scenario
    digest: str
    zone: str
    lang: str = DEFAULT_LANG
    data: str = "shipped"
    upload: DataPackage | None = None
    upload_name: str = ""
    uploaded: tuple[tuple[str, bytes], ...] = ()
    rev: int = 0
    prefs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    messages: tuple[tuple[str, str, Any], ...] = ()

    def package(self) -> DataPackage:
        """The data package in use: the uploaded one when chosen, else the shipped one."""
        return self.upload if self.data == "uploaded" and self.upload is not None else shipped_package()

    def say(self, level: str, text: Any, where: str = "page") -> AppState:
        """With a message (error, warning, success, info) to show once, rendered when shown."""
        return replace(self, messages=(*self.messages, (where, level, text)))

    def with_pref(self, name: str, value: Any) -> AppState:
        return replace(self, prefs={**self.prefs, name: value})

    def with_answer(self, name: str, value: Any) -> AppState:
        return replace(self, answers={**self.answers, name: value})

    def with_scenario(self, scenario: Scenario, package: DataPackage) -> AppState:
        """With ``scenario`` as the current one; the same scenario again changes nothing (edits are idempotent)."""
        if scenario == self.scenario and package.digest == self.digest:
            return self
        return replace(self, scenario=scenario, digest=package.digest, rev=self.rev + 1)

    def chosen_plan(self) -> tuple[str | None, Scenario | None]:
        """The plan the planner chose on the Plan tab: ``(library file name, None)``, ``(None, plan)``
        (an uploaded plan, or the current scenario made a plan), or ``(None, None)`` when none was
        chosen or it does not validate (the tab says why)."""
        src, package = str(self.prefs.get("plan_src") or ""), self.package()
        if src.startswith("lib:"):
            return src[4:], None
        if src.startswith("up:"):
            data = dict(self.prefs.get("plan_files", ())).get(src[3:])
            return None, parse(package, data, src[3:])[0] if data is not None else None
        if src == "current":
            try:
                return None, as_plan(self.scenario, package, *plan_settings(self.scenario, self.prefs))
            except SimError:
                return None, None
        return None, None

    def label(self, scenario: Scenario | None = None) -> str:
        """A scenario's name in the UI language (the current one by default)."""
        scenario = scenario or self.scenario
        return scenario.name_zh if self.lang == "zh" and scenario.name_zh else scenario.name


@dataclass(frozen=True)
class TabContext:
    """What a tab draws from: the model as of the start of its run, and its data package."""

    state: AppState
    package: DataPackage

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @property
    def lang(self) -> str:
        return self.state.lang

    def result(self) -> Result:
        """The current scenario's result (cached). Raises SimError."""
        return run(self.package, self.state.scenario)
