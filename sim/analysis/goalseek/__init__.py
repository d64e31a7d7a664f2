"""Goal-seek: the least change that reaches a target ("what would it take?").

For one zone, a target (reach rank k, overtake zone Y, reach score S) and a set of
levers (indicators of that zone, each with bounds and a cost weight), find the
least change that reaches the target under the scenario's method, entropy weights
recomputed from the changed data when the method says so. The change is measured as
the **total change**: the sum over the levers of weight x |change %| (weights 1 unless
given), a measure of relative effort, not money.

The problem is non-linear and non-convex: min-max moves the goalposts when a zone
passes the best value, the weights shift with the data, the comparator zone of a
rank target can switch, and counts are whole. The package reads in that order:

- :mod:`~sim.analysis.goalseek.targets`: targets and the margin by which a table meets one;
- :mod:`~sim.analysis.goalseek.variables`: the levers (decision variables) and the
  engine's edits they make;
- :mod:`~sim.analysis.goalseek.core`: :func:`seek`, the search in four named steps
  (starts, polish, refine, best effort), on
- :mod:`~sim.analysis.goalseek.search` (local moves) and
  :mod:`~sim.analysis.goalseek.starts` (scipy starts and polish);
- :mod:`~sim.analysis.goalseek.answer`: :func:`goal_seek`, the validating wrapper: the
  answer written as a scenario, **verified** by running the engine on it, with the
  linked changes it relies on; "not reachable within these bounds" is an answer too;
- :mod:`~sim.analysis.goalseek.confidence`: how sure the answer is, the chance that the
  target still holds under the robustness model's data noise ("too close to call" below 90 %);
- :mod:`~sim.analysis.goalseek.command`: ``zonesim goal-seek``.

Every candidate table goes through the engine (:class:`sim.engine.CompiledScenario`):
the levers are edits on the scenario's table, then links, rounding, range checks and
the batched scorer, thousands of candidates per call.

Examples
--------
>>> from sim.data import load_package
>>> from sim.analysis.goalseek import goal_seek
>>> package = load_package()
>>> answer = goal_seek(package, "donghu", "overtake:sunan", year=2020, levers=["rd_spending"])
>>> answer.reached in (True, False)
True
"""

from sim.analysis.goalseek.answer import GoalSeekResult, LeverChange, LinkedChange, goal_seek
from sim.analysis.goalseek.confidence import (
    CONFIDENCE_DRAWS,
    SURE_PROBABILITY,
    TargetConfidence,
    margin_draws,
    target_confidence,
)
from sim.analysis.options import check_seed
from sim.analysis.goalseek.command import (
    add_arguments,
    changes_csv,
    command,
    goal_seek_table,
    margin_lines,
    parse_bounds,
    parse_costs,
)
from sim.analysis.goalseek.core import seek, single_threaded_blas
from sim.analysis.goalseek.search import DEFAULT_MARGIN, SeekOutcome, SeekProblem
from sim.analysis.goalseek.targets import TARGET_KINDS, Target, parse_target, target_margins, target_met
from sim.analysis.goalseek.variables import (
    DEFAULT_MAX_CHANGE,
    MAX_COST_WEIGHT,
    Lever,
    LeverSpace,
    lever_tables,
    lever_values,
    resolve_levers,
)

__all__ = [
    "CONFIDENCE_DRAWS",
    "DEFAULT_MARGIN",
    "DEFAULT_MAX_CHANGE",
    "GoalSeekResult",
    "Lever",
    "LeverChange",
    "LeverSpace",
    "LinkedChange",
    "MAX_COST_WEIGHT",
    "SeekOutcome",
    "SeekProblem",
    "SURE_PROBABILITY",
    "TARGET_KINDS",
    "Target",
    "TargetConfidence",
    "add_arguments",
    "changes_csv",
    "check_seed",
    "command",
    "goal_seek",
    "goal_seek_table",
    "lever_tables",
    "lever_values",
    "margin_draws",
    "margin_lines",
    "parse_bounds",
    "parse_costs",
    "parse_target",
    "resolve_levers",
    "seek",
    "single_threaded_blas",
    "target_confidence",
    "target_margins",
    "target_met",
]
