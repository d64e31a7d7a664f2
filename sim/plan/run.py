"""A plan through the engine: :func:`run_plan` gives a :class:`~sim.plan.result.PlanResult`.

The years are one batch: :func:`sim.engine.run.apply_batch` applies every year's active
interventions to that year's baseline table, finishes the stack (links against each
year's baseline table, rounding, range checks) and traces each changed value; each year
is then scored on its own, on the baseline path and with the plan, and explained as the
engine explains one scenario (:func:`sim.engine.run.assemble`), so that a year of a plan
reads exactly like a one-year result.
"""

from __future__ import annotations

from dataclasses import replace

from sim.data import DataPackage
from sim.engine import Result, provenance, run_scenario
from sim.engine.explain import warnings_of
from sim.engine.run import apply_batch, assemble, explain
from sim.errors import DataError, ScenarioError
from sim.messages import msg
from sim.method.scoring import ScoredArrays, score_arrays
from sim.plan.compiled import CompiledPlan, compile_plan
from sim.plan.result import PlanResult, YearResult
from sim.scenario import Scenario


def run_plan(package: DataPackage, scenario: Scenario) -> PlanResult:
    """Project a plan year by year and score both paths.

    Parameters
    ----------
    package : DataPackage
    scenario : Scenario
        A plan (a scenario with ``horizon``).

    Returns
    -------
    PlanResult

    Raises
    ------
    ScenarioError
        Not a plan; or a year's table leaves a valid range, a link meets a base of 0,
        or a year cannot be scored, each named with the year and the intervention
        (and line) behind it.
    DataError
        The observed year, or a year of the baseline path, cannot be scored.

    Examples
    --------
    >>> import sim
    >>> package = sim.load_package()
    >>> plan = sim.parse_scenario(
    ...     "version: 1\\nname: push\\nyear: 2020\\nhorizon: 2023\\ninterventions:\\n"
    ...     "  - {zone: sunan, indicator: unicorns, by: 1, each_year: true}\\n", package)
    >>> result = run_plan(package, plan)
    >>> [float(result.year(t).values.at["sunan", "unicorns"] - result.year(t).baseline_values.at["sunan", "unicorns"])
    ...  for t in result.years]
    [1.0, 2.0, 3.0]
    """
    return explain_plan(compile_plan(package, scenario))


def run_any(package: DataPackage, scenario: Scenario) -> Result | PlanResult:
    """:func:`run_plan` for a plan, :func:`sim.engine.run_scenario` for one year."""
    return run_plan(package, scenario) if scenario.is_plan else run_scenario(package, scenario)


def explain_plan(plan: CompiledPlan) -> PlanResult:
    """The :class:`PlanResult` of a compiled plan (see :func:`run_plan`)."""
    model, scenario = plan.model, plan.scenario
    source = scenario.source or "scenario"
    applied = apply_batch(model, plan.baseline_path, plan.edits, years=plan.years)
    observed = explain(replace(model, scenario=replace(scenario, interventions=(), plan=None)))
    kept = provenance(model.package, scenario.year)
    results = []
    for k, year in enumerate(plan.years):
        view = replace(model, base=plan.baseline_path[k])
        base_scored = _score(view, view.base, year, source, None)
        scored = base_scored if not applied[k].causes else _score(view, applied[k].values, year, source, applied[k])
        warnings = [*plan.path_warnings[k], *scored.warnings, *applied[k].notes,
                    *warnings_of(view, applied[k], plan.active[k])]
        results.append(assemble(view, applied[k], base_scored, scored, warnings, kept, YearResult, projected_year=year))
    return PlanResult(scenario=scenario, method=model.method, observed=observed, results=tuple(results),
                      notes=list(plan.trend.notes), provenance=kept)


def _score(view, table, year: int, source: str, applied) -> ScoredArrays:
    """One year's table scored; a table the method cannot score is named with its year (and causes)."""
    arrays = view.arrays
    try:
        return score_arrays(table, arrays.is_benefit, view.rule, view.zones, view.indicators,
                            msg("method.where_year", year=year))
    except DataError as exc:
        if applied is None:
            raise DataError([msg("plan.baseline_unscorable", year=year, problem=p) for p in exc.problems],
                            source) from None
        from sim.engine.compiled import intervention_label

        positions = sorted({c.intervention for c in applied.causes.values() if c.intervention is not None})
        interventions = view.scenario.interventions
        caused = msg("engine.caused_by", causes=[intervention_label(p, interventions[p]) for p in positions])
        raise ScenarioError([msg("plan.in_year", year=year, problem=p) for p in [*exc.problems, caused]],
                            source) from None
