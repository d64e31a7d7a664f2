"""A plan compiled to the engine's arrays: a batch of years.

:func:`compile_plan` gives a :class:`CompiledPlan`: the scenario compiled for its observed
year (:class:`~sim.engine.CompiledScenario`: method, links, ranges, zones), the
**baseline path** stacked ``(years, m, n)`` (:mod:`sim.plan.trend`), and the
interventions as the engine's edits, each with the years it is active in and its change
for that year (``Edit.draws`` are positions in the stack). Then the engine's own calls
do the rest, for one plan or for thousands of perturbed baseline paths at once:
:meth:`CompiledPlan.plan_tables` (the edits), :func:`sim.engine.tables.finish` (links
measured against each year's baseline table, rounding, range checks) and
:meth:`~sim.engine.CompiledScenario.score` (every year scored on its own with the
scenario's method: recomputed weights move year by year, ``goalposts: baseline`` and
``weights: baseline`` are the observed year's).

The change of an intervention in year ``t`` (``from`` = ``start``, default year + 1):

- a one-off step (``by`` or ``to``) applies from ``start`` on, unchanged;
- ``each_year``: ``k = min(t, until) - start + 1`` steps, ``by: +p%`` gives
  ``(1 + p/100) ** k - 1`` and ``by: N`` gives ``k * N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sim.data import DataPackage
from sim.engine import CompiledScenario, Edit, apply_edits, compile_scenario
from sim.engine.compiled import batch_edits
from sim.engine.tables import finish
from sim.errors import ScenarioError
from sim.messages import Message, msg
from sim.plan.schema import Timing
from sim.plan.trend import TrendArrays, clamp_warnings, project, trend_arrays, unclamped
from sim.scenario import Intervention, Scenario


def change_in_year(intervention: Intervention, year: int, first: int, horizon: int) -> Intervention | None:
    """The intervention as it applies in ``year`` (None: not yet active).

    Parameters
    ----------
    intervention : Intervention
    year : int
        A projected year.
    first : int
        The first projected year (the default ``from``).
    horizon : int

    Examples
    --------
    >>> from sim.scenario import Intervention
    >>> from sim.plan.schema import Timing
    >>> push = Intervention(("sunan",), ("rd_spending",), percent=10.0, timing=Timing(2022, True, 2023))
    >>> [round(change_in_year(push, t, 2021, 2025).percent, 6) if t >= 2022 else None for t in range(2021, 2026)]
    [None, 10.0, 21.0, 21.0, 21.0]
    """
    timing = intervention.timing or Timing()
    start = timing.start if timing.start is not None else first
    if year < start:
        return None
    if not timing.each_year:
        return intervention
    steps = min(year, timing.until if timing.until is not None else horizon) - start + 1
    if intervention.percent is not None:
        return replace(intervention, percent=((1.0 + intervention.percent / 100.0) ** steps - 1.0) * 100.0)
    return replace(intervention, amount=float(intervention.amount or 0.0) * steps)


@dataclass(frozen=True, eq=False)
class CompiledPlan:
    """A plan ready to be applied to its baseline path (or to perturbed ones).

    Attributes
    ----------
    scenario : Scenario
    model : CompiledScenario
        The scenario compiled for its observed year, without edits: its method
        (``rule``), links and ranges (``rules``), zones and indicators; ``base`` is the
        observed table.
    years : tuple of int
        The projected years, year + 1 ... horizon.
    trend : TrendArrays
        The yearly factor and amount of every cell.
    baseline_path : ndarray, shape (years, m, n)
        Read-only.
    edits : tuple of Edit
        The interventions of every year; ``draws`` are positions in ``years``.
    active : tuple of frozenset of int
        Per year, the positions of the interventions active that year.
    path_warnings : tuple of tuple of Message
        Per year, the cells whose baseline path first leaves its valid range that year.
    """

    scenario: Scenario
    model: CompiledScenario
    years: tuple[int, ...]
    trend: TrendArrays
    baseline_path: np.ndarray
    edits: tuple[Edit, ...]
    active: tuple[frozenset[int], ...]
    path_warnings: tuple[tuple[Message, ...], ...]

    @property
    def year(self) -> int:
        """The observed year."""
        return self.scenario.year

    @property
    def horizon(self) -> int:
        return self.years[-1]

    def plan_tables(self, bases: np.ndarray | None = None) -> np.ndarray:
        """Baseline paths with the plan's changes applied, before links.

        Parameters
        ----------
        bases : ndarray, shape (years, m, n) or (draws, years, m, n), optional
            Default: the plan's baseline path.

        Returns
        -------
        ndarray, the shape of ``bases`` (a fresh array)
        """
        bases = self.baseline_path if bases is None else bases
        tables = np.array(bases, dtype=np.float64, order="C")
        draws = tables.size // self.baseline_path.size
        return apply_edits(tables, self._edits_for(draws))

    def evaluate(self, bases: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Both paths finished and scored, for one baseline path or a batch of them.

        Returns
        -------
        dict
            ``baseline_weights``, ``weights`` (shape (..., years, n)),
            ``baseline_scores``, ``scores`` (shape (..., years, m)) and ``valid``
            (shape (..., years): False where the plan's table leaves a valid range or a
            link is undefined; its scores are NaN).
        """
        bases = self.baseline_path if bases is None else bases
        tables = self.plan_tables(bases)
        valid = finish(tables, bases, self.model.rules).valid
        weights, scores = self.model.score(tables, valid)
        base_weights, base_scores = self.model.score(bases)
        return {"baseline_weights": base_weights, "weights": weights, "baseline_scores": base_scores,
                "scores": scores, "valid": valid}

    def year_model(self, year: int) -> CompiledScenario:
        """One year of the plan as a one-year compiled scenario: its base is that year's
        baseline table and its edits the interventions active that year (for goal-seek)."""
        k = self.years.index(year)
        return replace(self.model, base=self.baseline_path[k], edits=self._year_edits[k])

    @cached_property
    def _year_edits(self) -> tuple[tuple[Edit, ...], ...]:
        per_year, positions = self._changes
        model = self.model
        return tuple(batch_edits([items], model.zones, model.arrays.column_of, [pos])
                     for items, pos in zip(per_year, positions))

    @cached_property
    def _changes(self) -> tuple[list[list[Intervention]], list[list[int]]]:
        return year_changes(self.scenario, self.years)

    @cached_property
    def _tiled(self) -> dict[int, tuple[Edit, ...]]:
        return {}

    def _edits_for(self, draws: int) -> tuple[Edit, ...]:
        """The edits for ``draws`` baseline paths stacked (positions ``d * years + y``)."""
        if draws == 1:
            return self.edits
        cache = self._tiled
        if draws not in cache:
            offsets = np.arange(draws, dtype=np.int64)[:, None] * len(self.years)
            cache[draws] = tuple(
                Edit(rows=np.tile(e.rows, draws), cols=np.tile(e.cols, draws), kinds=np.tile(e.kinds, draws),
                     values=np.tile(e.values, draws), draws=(offsets + e.draws[None, :]).ravel(),
                     sources=np.tile(e.sources, draws))
                for e in self.edits
            )
        return cache[draws]


def year_changes(scenario: Scenario, years: Sequence[int]) -> tuple[list[list[Intervention]], list[list[int]]]:
    """Per year, the interventions active that year (with that year's change) and their positions."""
    first, horizon = scenario.year + 1, years[-1]
    per_year, positions = [], []
    for year in years:
        items, places = [], []
        for position, intervention in enumerate(scenario.interventions):
            change = change_in_year(intervention, year, first, horizon)
            if change is not None:
                items.append(change)
                places.append(position)
        per_year.append(items)
        positions.append(places)
    return per_year, positions


def compile_plan(package: DataPackage, scenario: Scenario) -> CompiledPlan:
    """Compile a validated plan for its package.

    Raises
    ------
    ScenarioError
        Not a plan, or an intervention names a zone without values in the observed year.
    DataError
        The method cannot be resolved for the observed year.
    """
    if scenario.plan is None:
        raise ScenarioError(msg("plan.not_a_plan"), scenario.source or "scenario")
    model = compile_scenario(package, replace(scenario, interventions=(), plan=None))
    model = replace(model, scenario=scenario)
    years = tuple(range(scenario.year + 1, scenario.plan.horizon + 1))
    trend = trend_arrays(package, scenario.plan.trend, model.zones, model.indicators, scenario.year)
    path, clamped = project(model.base, trend.factor, trend.amount, len(years), model.rules)
    path.setflags(write=False)
    warnings = clamp_warnings(unclamped(model.base, trend.factor, trend.amount, len(years)), clamped, model.zones,
                              model.indicators, list(years), model.rules)
    per_year, positions = year_changes(scenario, years)
    try:
        edits = batch_edits(per_year, model.zones, model.arrays.column_of, positions)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, scenario.source or "scenario") from None
    return CompiledPlan(
        scenario=scenario,
        model=model,
        years=years,
        trend=trend,
        baseline_path=path,
        edits=edits,
        active=tuple(frozenset(p) for p in positions),
        path_warnings=tuple(tuple(w) for w in warnings),
    )
