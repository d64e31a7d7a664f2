"""What the method can reach at all: the DESIGN section-2 bound and the feasibility check.

Before anything is optimised, each year's published weights and scores are checked
against necessary conditions of the package's method (:func:`feasibility_problems`).
For min-max in both steps the check is the bound on the total of the scores
(:func:`minmax_score_total_cap`), which rules the published 2020 scores out;
:func:`sim.calibrate.minmax_table.minmax_example` builds a table where the bound
allows one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from sim.method.options import Method


def column_divergence(normalized: np.ndarray) -> np.ndarray:
    """``1 - e`` of every normalised column (the entropy method's divergence).

    Parameters
    ----------
    normalized : array, shape (..., m, n)
        Non-negative normalised values.

    Returns
    -------
    ndarray, shape (..., n)
        Same formula as :func:`sim.method.entropy.entropy_weights` before the
        weights are scaled to sum 1; an all-zero column has divergence 0.
    """
    z = np.asarray(normalized, dtype=np.float64)
    m = z.shape[-2]
    column_sum = z.sum(axis=-2)
    x_log_x = (z * np.log(np.maximum(z, 1e-300))).sum(axis=-2)
    safe_sum = np.where(column_sum > 0, column_sum, 1.0)
    entropy_ = np.where(column_sum > 0, -(x_log_x / safe_sum - np.log(safe_sum)) / np.log(m), 1.0)
    return 1.0 - entropy_


def minmax_least_divergence(m: int = 5) -> float:
    """Smallest ``1 - e`` a min-max column of ``m`` zones can have: ``1 - ln(m-1)/ln m``.

    Every min-max column holds a 0, so at best the other ``m - 1`` shares are equal.
    """
    return 1.0 - math.log(m - 1) / math.log(m)


def minmax_column_sum_cap(divergence: float, m: int = 5) -> float:
    """Largest sum of a min-max column whose ``1 - e`` is at least ``divergence``.

    A min-max column holds one 0, one 1 and ``m - 2`` values in [0, 1]. For a given
    sum the entropy is smallest when the column is as unequal as it can be (ones, one
    fraction, zeros: entropy is Schur-concave), so the largest sum with
    ``1 - e >= divergence`` is where that least-entropy column reaches the bound.

    Parameters
    ----------
    divergence : float
        Required ``1 - e``, between ``minmax_least_divergence(m)`` and 1.
    m : int
        Number of zones.

    Returns
    -------
    float
        Between 1 and ``m - 1``.
    """

    def least_entropy(column_sum: float) -> float:
        ones = int(math.floor(column_sum))
        column = np.zeros(m)
        column[:ones] = 1.0
        if ones < m:
            column[ones] = column_sum - ones
        return 1.0 - float(column_divergence(column[:, None])[0])

    allowed_entropy = 1.0 - divergence
    if least_entropy(m - 1.0) <= allowed_entropy + 1e-15:
        return float(m - 1)
    if least_entropy(1.0) >= allowed_entropy:
        return 1.0
    return float(brentq(lambda s: least_entropy(s) - allowed_entropy, 1.0, m - 1.0, xtol=1e-13))


def minmax_score_total_cap(weights_pct: Sequence[float] | np.ndarray | pd.Series, m: int = 5) -> float:
    """Largest total of the ``m`` composite scores under min-max in both steps.

    DESIGN section 2: every min-max column has ``1 - e >= 1 - ln(m-1)/ln m``, so the
    smallest weight ``w_min`` forces ``D = sum(1 - e) >= (1 - ln(m-1)/ln m) / w_min``;
    each column then needs ``1 - e = w_j D``, which caps its sum of normalised values
    (:func:`minmax_column_sum_cap`), and the total of the scores is
    ``100 sum_j w_j (column sum)_j``. The caps fall as ``D`` grows, so the bound is
    taken at the least ``D``.

    Parameters
    ----------
    weights_pct : sequence of float
        The target weights in percent (or any positive scale; they are normalised).
    m : int
        Number of zones.

    Returns
    -------
    float
        The cap on the total of the scores, points.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.read_csv("data/published/weights.csv")  # doctest: +SKIP
    >>> round(minmax_score_total_cap(w[w.year == 2020].weight_pct), 2)  # doctest: +SKIP
    328.22
    """
    weights = np.asarray(weights_pct, dtype=np.float64)
    weights = weights / weights.sum()
    least_total_divergence = minmax_least_divergence(m) / weights.min()
    caps = [minmax_column_sum_cap(min(1.0, w * least_total_divergence), m) for w in weights]
    return float(100.0 * np.dot(weights, caps))


@dataclass(frozen=True)
class FeasibilityCheck:
    """Whether one year's targets are reachable at all under a method."""

    year: int
    method: str
    published_total: float
    cap: float | None
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """Whether no necessary condition rules the targets out."""
        return not self.problems


def feasibility_problems(
    year: int, weights_pct: pd.Series, scores: pd.Series, method: Method
) -> FeasibilityCheck:
    """Check that the targets of one year can be met at all with ``method``.

    Parameters
    ----------
    year : int
    weights_pct : pandas.Series
        Target weights in percent per indicator.
    scores : pandas.Series
        Target composite scores per zone.
    method : Method
        The method the baseline is calibrated for.

    Returns
    -------
    FeasibilityCheck
        ``problems`` is empty when the targets pass every necessary condition checked.
    """
    m = len(scores)
    problems: list[str] = []
    w = weights_pct.to_numpy(dtype=np.float64) / weights_pct.sum()
    total = float(scores.sum())
    cap = None
    if method.normalization != "minmax":
        problems.append(f"calibrate supports entropy weights from min-max only (method has {method.normalization!r})")
    if method.weights != "recompute":
        problems.append(f"calibrate reproduces recomputed entropy weights (method has weights {method.weights!r})")
    least = minmax_least_divergence(m)
    if w.min() <= 0 or w.max() / w.min() > 1.0 / least:
        problems.append(
            f"{year}: weights from min-max need largest/smallest <= {1.0 / least:.3f} (1 - e lies in "
            f"[{least:.4f}, 1]); Table 1 has {w.max() / max(w.min(), 1e-300):.3f}"
        )
    if (scores > 100).any() or (scores <= 0).any():
        problems.append(f"{year}: every score must lie in (0, 100]")
    if method.scoring == "minmax":
        cap = minmax_score_total_cap(w, m)
        if total > cap:
            problems.append(
                f"{year}: with min-max in both steps the five scores can total at most {cap:.2f} points "
                f"(DESIGN section 2 bound), but the published scores total {total:.2f}: no table reaches them"
            )
    elif method.scoring == "ratio":
        # x/max = a + (1 - a) x' with a = min/max in (0, 1): every column sum lies
        # strictly between its min-max sum (>= 1) and m, so the total is below 100 m.
        if total >= 100.0 * m:
            problems.append(f"{year}: scores on x/max total less than {100 * m} points; published {total:.2f}")
    else:
        problems.append(f"calibrate supports scores on min-max or x/max only (method has {method.scoring!r})")
    return FeasibilityCheck(year, f"{method.normalization}/{method.scoring}", total, cap, tuple(problems))

