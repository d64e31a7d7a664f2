"""Robustness of a ranking: Monte Carlo over data, weights and the normalisation.

Each draw perturbs the scenario (and, for the comparison, the baseline) and scores it
again:

(a) **data noise**: every value is multiplied by a lognormal factor
    ``exp(sigma_j * z)``, ``z`` standard normal (median 1; ``sigma`` default 5 %, per
    indicator overrides). The baseline and the scenario share the draw's factors
    (common random numbers), so that their comparison is paired;
(b) **weights**: with a concentration ``c``, the draw's weights are Dirichlet around
    the table's own weights, ``Dirichlet(c * w)`` (positive, summing to 1; the larger
    ``c``, the closer to ``w``); without one, the weights are the method's (recomputed
    from the noisy data under ``weights: recompute``);
(c) **normalisation**: the score normalisation (and, if asked, the one for the
    weights) drawn uniformly among the given choices for each draw.

Per zone: the probability of each rank (ties broken by zone order, so that each draw
is a permutation and the probabilities add up to 1 per zone *and* per rank), the
score median and 90 % interval, and for a scenario the probability that the zone's
rank beats its baseline rank in the same draw.

Also the **stability of the entropy weights themselves**, with only a handful of
zones: the weights with each zone left out, and bootstrap intervals (zones resampled
with replacement).

Draws are scored in chunks (10,000 by default) through the batched scorer
:func:`sim.method.entropy.entropy_scores`; a ``progress(done, total)`` callback is
called after each chunk.

The pure core is :func:`simulate` (arrays in, arrays out, seeded); the validating
wrapper is :func:`robustness`. The package: :mod:`~sim.analysis.robustness.core` (the pure core),
:mod:`~sim.analysis.robustness.report` (the wrapper and its report) and
:mod:`~sim.analysis.robustness.command` (``zonesim robustness``).
"""

from sim.analysis.robustness.command import (
    ProgressBar,
    add_arguments,
    command,
    parse_concentration,
    parse_sigma,
    robustness_csv,
    robustness_sentences,
    robustness_table,
)
from sim.analysis.robustness.report import RobustnessReport, robustness
from sim.analysis.robustness.core import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_CHUNK,
    DEFAULT_SIGMA,
    MAX_BOOTSTRAP,
    MAX_DRAWS,
    Simulation,
    ordinal_ranks,
    simulate,
    weight_stability,
)

__all__ = [
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_CHUNK",
    "DEFAULT_SIGMA",
    "MAX_BOOTSTRAP",
    "MAX_DRAWS",
    "ProgressBar",
    "RobustnessReport",
    "Simulation",
    "add_arguments",
    "command",
    "ordinal_ranks",
    "parse_concentration",
    "parse_sigma",
    "robustness",
    "robustness_csv",
    "robustness_sentences",
    "robustness_table",
    "simulate",
    "weight_stability",
]
