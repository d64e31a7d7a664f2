"""A scenario compiled to arrays for its package and year: what every caller of the engine shares.

:func:`compile_scenario` turns a :class:`~sim.scenario.Scenario` into a
:class:`CompiledScenario`: the baseline table as an array, the interventions as
:class:`~sim.engine.tables.Edit` rounds, the links as column positions in the order
they apply, and the method resolved into a :class:`~sim.method.scoring.ScoringRule`.
Then:

- :func:`sim.engine.run.run_scenario` applies it to a batch of one and explains it;
- the analyses (goal-seek, levers, robustness) tile the table after the interventions
  (:meth:`CompiledScenario.tile_pre`), add their own edits, and call
  :meth:`~CompiledScenario.finish` and :meth:`~CompiledScenario.score` on thousands of
  tables at once;
- a plan over years (issue 13) stacks one base table per year, ``(years, m, n)``, and
  gives each edit the ``draws`` (years) it is active in: the same two calls.

Package-level arrays (tables per year, column rules, resolved methods, the baseline's
scores) are computed once per package and kept while the package lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.data import DataPackage
from sim.errors import ScenarioError, UsageError
from sim.links import Link, link_order
from sim.messages import Ref, msg
from sim.method import entropy
from sim.method.options import Method
from sim.method.scoring import ScoredArrays, ScoringRule, group_membership, score_arrays, scoring_rule
from sim.scenario import Intervention, Scenario, baseline_scenario
from sim.text import did_you_mean

from sim.engine.tables import AMOUNT, PERCENT, TO, Edit, Finished, LinkRule, TableRules, apply_edits, finish


@dataclass(frozen=True, eq=False)
class YearTable:
    """One year of a package as arrays: zones (rows) that year, and the values."""

    year: int
    zones: list[str]
    zone_index: pd.Index
    values: np.ndarray


class PackageArrays:
    """What the engine derives from a package once: column rules, tables, resolved methods.

    Built by :func:`package_arrays` and kept (weakly) with the package, so that a slider
    move in the app does not rebuild them.
    """

    def __init__(self, package: DataPackage):
        indicators = package.indicators
        self.package_ref = weakref.ref(package)
        self.indicators: list[str] = list(indicators.index)
        self.indicator_index = pd.Index(self.indicators, name="indicator")
        self.score_index = pd.Index(self.indicators)  # score tables label indicators without an axis name
        self.column_of = {indicator: j for j, indicator in enumerate(self.indicators)}
        self.is_benefit = (indicators["direction"] == "benefit").to_numpy()
        self.is_integer = indicators["integer"].to_numpy(dtype=bool)
        self.col_min = indicators["min"].fillna(-np.inf).to_numpy(dtype=np.float64)
        self.col_max = indicators["max"].fillna(np.inf).to_numpy(dtype=np.float64)
        self.membership = group_membership(package.meta, self.indicators)
        self.group_index = pd.Index(list(package.meta.group_order))
        self.years = frozenset(package.years)
        self._tables: dict[int, YearTable] = {}
        self._rules: dict[tuple[int, Method], ScoringRule] = {}
        self._baseline: dict[tuple[int, Method], ScoredArrays] = {}
        self.provenance: dict[int, dict[str, Any]] = {}

    @property
    def package(self) -> DataPackage:
        package = self.package_ref()
        if package is None:  # pragma: no cover - the cache lives only as long as its package
            raise RuntimeError("the data package is gone")
        return package

    def table(self, year: int) -> YearTable:
        """The year's table (validated when the package was loaded)."""
        if year not in self._tables:
            frame = self.package.table(year)
            values = np.ascontiguousarray(frame[self.indicators].to_numpy(dtype=np.float64))
            values.setflags(write=False)
            zones = list(frame.index)
            self._tables[year] = YearTable(year, zones, pd.Index(zones, name="zone"), values)
        return self._tables[year]

    def rule(self, year: int, method: Method) -> ScoringRule:
        """The method resolved for the year (weights and goalposts from its table)."""
        key = (year, method)
        if key not in self._rules:
            self._rules[key] = scoring_rule(
                method,
                self.indicators,
                self.is_benefit,
                self.table(year).values,
                self.package.published_weight_series(year),
                msg("method.year_label", year=year),
            )
        return self._rules[key]

    def baseline_scores(self, year: int, method: Method) -> ScoredArrays:
        """The year's own table scored with the method (raises the scorer's DataError)."""
        key = (year, method)
        if key not in self._baseline:
            table = self.table(year)
            self._baseline[key] = score_arrays(
                table.values, self.is_benefit, self.rule(year, method), table.zones, self.indicators,
                msg("method.where_year", year=year),
            )
        return self._baseline[key]


_ARRAYS: weakref.WeakKeyDictionary[DataPackage, PackageArrays] = weakref.WeakKeyDictionary()


def package_arrays(package: DataPackage) -> PackageArrays:
    """The package's :class:`PackageArrays` (built on first use)."""
    arrays = _ARRAYS.get(package)
    if arrays is None:
        arrays = _ARRAYS[package] = PackageArrays(package)
    return arrays


def link_rules(links: Sequence[Link], column_of: dict[str, int]) -> tuple[tuple[Link, ...], tuple[LinkRule, ...]]:
    """Links in the order they apply, and as column positions.

    Raises
    ------
    ScenarioError
        The links form a cycle (scenarios and packages are checked at load; this
        guards links assembled in code).
    """
    ordered, cycle = link_order(links)
    if ordered is None:
        raise ScenarioError(msg("links.cycle", cycle=" -> ".join(cycle)))
    rules = tuple(
        LinkRule(column_of[link.source], column_of[link.target], link.elasticity, link.additive) for link in ordered
    )
    return tuple(ordered), rules


def change_of(intervention: Intervention) -> tuple[int, float]:
    """An intervention's change as (kind, value) for an :class:`Edit`."""
    if intervention.to is not None:
        return TO, float(intervention.to)
    if intervention.percent is not None:
        return PERCENT, float(intervention.percent)
    return AMOUNT, float(intervention.amount or 0.0)


def edits_of(
    interventions: Sequence[Intervention],
    zones: Sequence[str],
    column_of: dict[str, int],
    positions: Sequence[int] | None = None,
) -> tuple[Edit, ...]:
    """The interventions as edit rounds, in file order, on a table whose rows are ``zones``
    (``zone: all`` means every one of them).

    Consecutive interventions on distinct cells share a round (they commute), so
    20,000 interventions take a few hundred rounds rather than 20,000.

    ``positions[k]`` is where intervention k stands in its scenario (the edits'
    ``sources``, for the explanations); default ``k``. A plan's year applies only the
    interventions active that year, each with its change for the year.

    Raises
    ------
    ScenarioError
        An intervention names a zone that has no values in the scenario's year.
    """
    row_of = {zone: i for i, zone in enumerate(zones)}
    rounds: list[Edit] = []
    cells: dict[tuple[int, int], None] = {}
    parts: list[tuple[list[int], list[int], int, float, int]] = []

    def flush() -> None:
        if parts:
            rows = np.concatenate([np.repeat(r, len(c)) for r, c, *_ in parts])
            cols = np.concatenate([np.tile(c, len(r)) for r, c, *_ in parts])
            sizes = [len(r) * len(c) for r, c, *_ in parts]
            rounds.append(Edit(
                rows=rows,
                cols=cols,
                kinds=np.repeat(np.array([p[2] for p in parts], dtype=np.int8), sizes),
                values=np.repeat(np.array([p[3] for p in parts], dtype=np.float64), sizes),
                sources=np.repeat(np.array([p[4] for p in parts], dtype=np.int64), sizes),
            ))
            parts.clear()
            cells.clear()

    for k, intervention in enumerate(interventions):
        position = k if positions is None else int(positions[k])
        named = intervention.zone_ids(zones)
        missing = [z for z in named if z not in row_of]
        if missing:
            raise ScenarioError(msg("engine.zone_missing_in_year", label=intervention_label(position, intervention),
                                    zones=[Ref("zone", z) for z in missing]))
        rows = [row_of[z] for z in named]
        cols = [column_of[i] for i in intervention.indicators]
        touched = [(r, c) for r in rows for c in cols]
        if any(cell in cells for cell in touched) or len(set(touched)) < len(touched):
            flush()
        if len(set(touched)) < len(touched):
            # The same zone or indicator listed twice in one intervention: apply it per cell, in order.
            for cell in touched:
                parts.append(([cell[0]], [cell[1]], *change_of(intervention), position))
                flush()
            continue
        cells.update(dict.fromkeys(touched))
        parts.append((rows, cols, *change_of(intervention), position))
    flush()
    return tuple(rounds)


def batch_edits(
    per_draw: Sequence[Sequence[Intervention]],
    zones: Sequence[str],
    column_of: dict[str, int],
    positions: Sequence[Sequence[int]] | None = None,
) -> tuple[Edit, ...]:
    """Edits that apply each table's own interventions to that table only, in file order.

    ``per_draw[k]`` are the interventions of table k of a batch (a variant of a scenario,
    a year of a plan); round r of the result holds round r of every table's
    :func:`edits_of`, so a batch of 1,000 variants takes as many rounds as its longest
    variant, not 1,000 times as many. ``positions[k]`` are their places in the scenario
    (see :func:`edits_of`).
    """
    rounds_per_draw = [
        edits_of(interventions, zones, column_of, None if positions is None else positions[k])
        for k, interventions in enumerate(per_draw)
    ]
    out = []
    for r in range(max((len(rounds) for rounds in rounds_per_draw), default=0)):
        parts = [(k, rounds[r]) for k, rounds in enumerate(rounds_per_draw) if r < len(rounds)]
        out.append(Edit(
            rows=np.concatenate([edit.rows for _, edit in parts]),
            cols=np.concatenate([edit.cols for _, edit in parts]),
            kinds=np.concatenate([edit.kinds for _, edit in parts]),
            values=np.concatenate([edit.values for _, edit in parts]),
            draws=np.concatenate([np.full(len(edit.rows), k, dtype=np.int64) for k, edit in parts]),
            sources=np.concatenate([edit.sources for _, edit in parts]),
        ))
    return tuple(out)


def intervention_label(position: int, intervention: Intervention):
    """``interventions[0] (line 12)``, the way every message names an intervention."""
    if intervention.line:
        return msg("engine.intervention_line", index=position, line=intervention.line)
    return msg("engine.intervention", index=position)


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """One scenario of one year, ready to be applied to any batch of tables.

    Attributes
    ----------
    package : DataPackage
    scenario : Scenario
    method : Method
        The scenario's full method (package defaults plus its options).
    rule : ScoringRule
        The method resolved for the year (fixed weights, goalposts).
    zones, indicators : list of str
        Row and column ids of every array.
    base : ndarray, shape (m, n)
        The year's table (links measure changes against it); read-only.
    edits : tuple of Edit
        The interventions, in file order.
    links : tuple of Link
        The package's and the scenario's links, in the order they apply.
    rules : TableRules
        Counts, valid ranges and links as arrays.
    """

    package: DataPackage
    scenario: Scenario
    method: Method
    rule: ScoringRule
    zones: list[str]
    indicators: list[str]
    base: np.ndarray
    edits: tuple[Edit, ...]
    links: tuple[Link, ...]
    rules: TableRules
    arrays: PackageArrays = field(repr=False)
    zone_index: pd.Index = field(repr=False)

    @property
    def year(self) -> int:
        return self.scenario.year

    @property
    def is_benefit(self) -> np.ndarray:
        return self.arrays.is_benefit

    @property
    def is_integer(self) -> np.ndarray:
        return self.rules.is_integer

    @property
    def col_min(self) -> np.ndarray:
        return self.rules.col_min

    @property
    def col_max(self) -> np.ndarray:
        return self.rules.col_max

    @property
    def fixed_weights(self) -> np.ndarray | None:
        return self.rule.fixed_weights

    @property
    def lower(self) -> np.ndarray | None:
        return self.rule.lower

    @property
    def upper(self) -> np.ndarray | None:
        return self.rule.upper

    @property
    def needs_positive(self) -> bool:
        """Whether a step uses ``ratio``, where values > 0 keep a column on x / max."""
        return "ratio" in (self.rule.normalization, self.rule.scoring)

    @cached_property
    def pre(self) -> np.ndarray:
        """The table after the interventions, before links, shape (m, n)."""
        tables = self.base[None].copy()
        apply_edits(tables, self.edits)
        return tables[0]

    @cached_property
    def applied(self):
        """The scenario applied and traced (:class:`sim.engine.run.AppliedArrays`).

        Raises
        ------
        ScenarioError
            A value leaves its valid range, or a link meets a baseline of 0, named
            with the intervention (and its line) that caused it.
        """
        from sim.engine.run import apply_arrays

        return apply_arrays(self)

    @property
    def values(self) -> np.ndarray:
        """The scenario's finished table (after links and rounding), shape (m, n)."""
        return self.applied.values

    def zone_row(self, zone: str) -> int:
        """Row of a zone, given by its id (any case) or a name (:meth:`DataPackage.zone_id`);
        a clear :class:`UsageError` (with a suggestion) otherwise."""
        found = zone if zone in self.zones else self.package.zone_id(zone)
        if found not in self.zones:
            raise UsageError(msg("engine.unknown_zone", zone=zone, hint=did_you_mean(zone, self.zones)))
        return self.zones.index(found)

    def column(self, indicator: str) -> int:
        """Column of an indicator id; a clear :class:`UsageError` otherwise."""
        if indicator not in self.arrays.column_of:
            raise UsageError(msg("engine.unknown_indicator", indicator=indicator,
                                 hint=did_you_mean(indicator, self.indicators)))
        return self.arrays.column_of[indicator]

    def tile_pre(self, count: int) -> np.ndarray:
        """``count`` fresh copies of the table after the interventions, shape (count, m, n)."""
        return np.repeat(self.pre[None, :, :], count, axis=0)

    def variant_tables(self, per_draw: Sequence[Sequence[Intervention]]) -> np.ndarray:
        """One table per entry of ``per_draw``: the scenario's table with those interventions
        applied on top, in order, before links; shape (len(per_draw), m, n).

        The interventions must name this package's zones and indicators (e.g. built by an
        analysis, or validated scenarios' interventions).
        """
        edits = batch_edits(per_draw, self.zones, self.arrays.column_of)
        return apply_edits(self.tile_pre(len(per_draw)), edits)

    def finish_traced(self, tables: np.ndarray, relax: bool = False) -> Finished:
        """Links, rounding and range checks on tables of changed values (in place)."""
        return finish(tables, self.base, self.rules, relax)

    def finish(self, tables: np.ndarray, relax: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`finish_traced`, returning ``(tables, valid)``."""
        return tables, self.finish_traced(tables, relax).valid

    def score(self, tables: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weights and scores of finished tables (shape (..., m, n)) under the scenario's method.

        Invalid tables (``valid`` False) get NaN scores; they are scored on the
        scenario's own table instead, so that no warning or error arises.

        Returns
        -------
        weights : ndarray, shape (..., n)
        scores : ndarray, shape (..., m)
        """
        x = tables
        some_invalid = valid is not None and not valid.all()
        if some_invalid:
            x = np.where(valid[..., None, None], x, self.values)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            weights, scores = entropy.entropy_scores(
                x, self.is_benefit, self.rule.normalization, self.rule.scoring,
                weights=self.rule.fixed_weights, lower=self.rule.lower, upper=self.rule.upper,
            )
        if some_invalid:
            scores = np.where(valid[..., None], scores, np.nan)
        return weights, scores

    def evaluate(self, tables: np.ndarray, relax: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`finish` then :meth:`score`: ``(weights, scores, valid)``."""
        finished, valid = self.finish(tables, relax)
        weights, scores = self.score(finished, valid)
        return weights, scores, valid & np.isfinite(scores).all(axis=-1)

    def frame(self, array: np.ndarray) -> pd.DataFrame:
        """A zones x indicators array as a labelled frame."""
        return pd.DataFrame(array, index=self.zone_index, columns=self.arrays.indicator_index)


def compile_scenario(package: DataPackage, scenario: Scenario) -> CompiledScenario:
    """Compile a validated scenario for its package (cheap: no table is applied yet).

    Raises
    ------
    DataError
        The method cannot be resolved for the year (e.g. ``published`` weights the
        package lacks, or a baseline whose every column is constant).
    ScenarioError
        An intervention names a zone without values in the year.
    """
    arrays = package_arrays(package)
    year = scenario.year if scenario.year in arrays.years else package.check_year(scenario.year)
    table = arrays.table(year)
    method = scenario.method(package)
    ordered, rules = link_rules([*package.links, *scenario.links], arrays.column_of)
    try:
        edits = edits_of(scenario.interventions, table.zones, arrays.column_of)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, scenario.source or "scenario") from None
    return CompiledScenario(
        package=package,
        scenario=scenario,
        method=method,
        rule=arrays.rule(year, method),
        zones=table.zones,
        indicators=arrays.indicators,
        base=table.values,
        edits=edits,
        links=ordered,
        rules=TableRules(arrays.is_integer, arrays.col_min, arrays.col_max, rules),
        arrays=arrays,
        zone_index=table.zone_index,
    )


def analysis_model(package: DataPackage, scenario: Scenario | None = None, year: int | None = None) -> CompiledScenario:
    """The compiled scenario an analysis starts from (default: the baseline of ``year``).

    The scenario is applied and scored once here, so an invalid one raises the
    engine's own error before any analysis starts.

    Raises
    ------
    UsageError
        ``year`` contradicts the scenario's year.
    SimError
        The scenario cannot be applied or scored.
    """
    if scenario is None:
        scenario = baseline_scenario(package, year)
    elif scenario.plan is not None:
        raise ScenarioError(msg("plan.one_year_analysis", horizon=scenario.plan.horizon), scenario.source or "scenario")
    elif year is not None and int(year) != scenario.year:
        raise UsageError(msg("engine.year_contradicts", year=year, scenario_year=scenario.year))
    compiled = compile_scenario(package, scenario)
    from sim.engine.run import check_scores

    check_scores(compiled)
    return compiled
