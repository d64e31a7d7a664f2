"""Reconstruct the shipped baseline from the paper's published numbers.

The paper publishes its entropy weights (Table 1), its composite scores and a few
facts about single indicators, but not the raw values. :func:`calibrate` builds a
5 zones x 25 indicators table per year that, scored with the package's method,
gives back every published weight and score to the printed precision and makes
every stated fact true, while staying close to *priors*: hand-set magnitudes that
make the numbers look like the zones (``data/published/priors.csv``), and a few
public figures, used exactly where the targets allow
(``data/published/public_figures.csv``). The values are a reconstruction, **not
official statistics**.

How it works, per year (2019 first, then 2020, whose stocks start from 2019), one
module per idea:

1. :mod:`~sim.calibrate.feasibility`: the targets are checked against what the
   method can reach at all (for min-max in both steps the DESIGN section-2 bound
   :func:`minmax_score_total_cap`; :mod:`~sim.calibrate.minmax_table` builds a
   table where that bound allows one). An impossible target is reported, and
   nothing is optimised.
2. :mod:`~sim.calibrate.priors` reads the priors, the plausible bands and the
   public figures; :mod:`~sim.calibrate.findings` the paper's facts;
   :mod:`~sim.calibrate.constraints` turns them into bounds and orders.
3. :mod:`~sim.calibrate.solve`: a continuous solve (``scipy.optimize`` SLSQP, with
   continuation from the priors and a least-squares fallback) over the log of
   every value of a :class:`~sim.calibrate.problem.YearProblem`: minimise the
   distance to the priors subject to the weights, the scores, the 2020 identity
   ``high_tech_firms_added = high_tech_firms - last year`` (pinned public figures
   are held fixed), the orders, and hard bounds.
4. :mod:`~sim.calibrate.rounding`: one indicator at a time, coarsest first, the
   column moves to the printed grid (whole numbers for counts, 2 decimals
   otherwise) by a lattice search that keeps its entropy on target, and the
   indicators not yet rounded are solved again to put the scores back.
5. :mod:`~sim.calibrate.rebuild` writes ``baseline.csv``, loads and scores it with
   the ordinary scorer, and :mod:`~sim.calibrate.report` says how well every
   target is met. :mod:`~sim.calibrate.reconstruct` runs steps 2-4 year by year;
   :mod:`~sim.calibrate.cli` is the command ``zonesim calibrate``.

Examples
--------
>>> report = calibrate("data", out_dir="/tmp/pkg", budget=QUICK_BUDGET)  # doctest: +SKIP
>>> print(report.to_text())  # doctest: +SKIP
"""

from sim.calibrate.feasibility import (
    FeasibilityCheck,
    column_divergence,
    feasibility_problems,
    minmax_column_sum_cap,
    minmax_least_divergence,
    minmax_score_total_cap,
)
from sim.calibrate.findings import FindingCheck, Findings, GroupFact, RankFact, check_findings, load_findings
from sim.calibrate.minmax_table import minmax_example
from sim.calibrate.priors import Priors, PublicFigure, load_priors
from sim.calibrate.rebuild import baseline_csv, calibrate
from sim.calibrate.reconstruct import DEFAULT_BUDGET, QUICK_BUDGET, YearOutcome, reconstruct
from sim.calibrate.report import CalibrationReport, IdentityCheck, YearFit, check_identity, measure_fit
from sim.calibrate.rounding import format_value

__all__ = [
    "DEFAULT_BUDGET",
    "QUICK_BUDGET",
    "CalibrationReport",
    "FeasibilityCheck",
    "FindingCheck",
    "Findings",
    "GroupFact",
    "IdentityCheck",
    "Priors",
    "PublicFigure",
    "RankFact",
    "YearFit",
    "YearOutcome",
    "baseline_csv",
    "calibrate",
    "check_findings",
    "check_identity",
    "column_divergence",
    "feasibility_problems",
    "format_value",
    "load_findings",
    "load_priors",
    "measure_fit",
    "minmax_column_sum_cap",
    "minmax_example",
    "minmax_least_divergence",
    "minmax_score_total_cap",
    "reconstruct",
]
