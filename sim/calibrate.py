"""Reconstruct the shipped baseline from the paper's published numbers.

The paper publishes its entropy weights (Table 1), its composite scores and a few
facts about single indicators, but not the raw values. :func:`calibrate` builds a
5 zones x 25 indicators table per year that, scored with the package's method,
gives back every published weight and score to the printed precision and makes
every stated fact true, while staying close to *priors*: hand-set magnitudes that
make the numbers look like the zones (and a few public figures, used exactly where
the targets allow). The values are a reconstruction, **not official statistics**.

How it works, per year (2019 first, then 2020, whose stocks start from 2019):

1. Feasibility: the targets are checked against what the method can reach at all
   (:func:`feasibility_problems`; for min-max in both steps the DESIGN section-2
   bound :func:`minmax_score_total_cap`). An impossible target is reported, and
   nothing is optimised.
2. A continuous solve (``scipy.optimize`` SLSQP, with continuation from the priors
   and a least-squares fallback) over the log of every value: minimise the distance
   to the priors subject to equality constraints (weights, scores, the 2020 identity
   ``high_tech_firms_added = high_tech_firms - last year``; pinned public figures
   are held fixed) and inequality constraints (the prior's order of the zones on
   every indicator, adjusted to the findings; Sunan's group ranks), within hard
   bounds (valid ranges, plausible bands, city-level caps).
3. Rounding with the targets kept: one indicator at a time, coarsest first, the
   column is moved to the printed grid (whole numbers for counts, 2 decimals
   otherwise) by a lattice search that keeps its entropy on target, and the
   indicators not yet rounded are solved again to put the scores back.
4. The written package is loaded and scored with the ordinary scorer, and the
   report says how well every target is met.

Examples
--------
>>> report = calibrate("data", out_dir="/tmp/pkg", budget=QUICK_BUDGET)  # doctest: +SKIP
>>> print(report.to_text())  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares, minimize

from sim.data import SHIPPED_DATA, TABLE_FILES, DataPackage, build_package, read_csv_rows
from sim.errors import DataError, UsageError
from sim.method import entropy
from sim.method.options import Method
from sim.yamlio import load_yaml, write_atomic

#: Optimiser iterations per solve at the default setting (the shipped baseline).
DEFAULT_BUDGET = 400
#: ``--quick``: enough to exercise every step in a few seconds; targets may be missed.
QUICK_BUDGET = 12

#: Weight error (percentage points) the rounding step aims for; the acceptance
#: tolerance is 0.005 pp, the printed precision of Table 1.
WEIGHT_AIM_PP = 1e-4
#: Acceptance tolerances: half a unit of the last printed digit.
WEIGHT_TOLERANCE_PP = 0.005
SCORE_TOLERANCE = 0.005

#: Decimals written for indicators that are not counts.
DECIMALS = 2

#: Relative gap kept between values whose order a finding fixes, so that rounding
#: cannot turn "2nd" into a tie.
ORDER_MARGIN = math.log(1.02)
#: Points kept between Sunan's group score and the zones that must stay above it.
GROUP_MARGIN = 0.05

SOURCE_RECONSTRUCTED = (
    "reconstructed by `zonesim calibrate` (seed {seed}) to reproduce the paper's Table 1 weights "
    "and published scores; not an official statistic"
)
SOURCE_PINNED = "public figure: {what}; kept exactly by `zonesim calibrate` (seed {seed})"

ZONES = ("zhongguancun", "donghu", "zhangjiang", "shenzhen", "sunan")

# --------------------------------------------------------------------------------------
# Priors: what the zones look like. Magnitudes are set by hand from the zones' public
# profiles (public_figures.csv, yearbook-scale orders of magnitude); they only need to
# be right in order of magnitude and ordering, since the targets then move the values.
# Per indicator: one value per zone for 2019 and for 2020, in ZONES order. The 2020
# prior actually used is the calibrated 2019 value times the 2020/2019 ratio below,
# so that each zone's stocks move by a plausible year-on-year change.
# --------------------------------------------------------------------------------------
# Each entry: (2019 values, 2020 values), zones in the order of ZONES.
PRIORS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "rd_spending": (
        (3401.08, 1900.0, 2110.0, 2400.0, 2200.0),
        (3785.4, 2031.0, 2279.0, 2670.0, 2447.0),
    ),
    "rd_intensity": (
        (5.7, 6.26, 6.62, 9.2, 7.9),
        (5.7, 6.26, 6.62, 9.2, 7.9),
    ),
    "industry_academia_rd": (
        (185.0, 112.0, 138.0, 146.0, 126.0),
        (189.8, 119.8, 149.0, 162.4, 140.2),
    ),
    "avg_salary": (
        (19.6, 14.6, 16.6, 15.3, 13.7),
        (20.11, 15.61, 17.93, 17.02, 15.24),
    ),
    "high_tech_firms": (
        (24500.0, 3900.0, 9000.0, 4400.0, 11000.0),
        (26700.0, 4460.0, 9900.0, 5082.0, 12250.0),
    ),
    "high_tech_firms_added": (
        (2300.0, 520.0, 880.0, 610.0, 1150.0),
        (2200.0, 560.0, 900.0, 682.0, 1250.0),
    ),
    "unicorns": (
        (72.0, 2.0, 36.0, 16.0, 11.0),
        (78.0, 3.0, 40.0, 18.0, 13.0),
    ),
    "gazelles": (
        (620.0, 405.0, 392.0, 376.0, 430.0),
        (636.1, 433.0, 423.4, 418.3, 454.0),
    ),
    "listed_firms": (
        (395.0, 150.0, 229.0, 134.0, 270.0),
        (405.3, 160.4, 247.3, 142.0, 300.3),
    ),
    "vc_investment": (
        (1200.0, 940.0, 1235.0, 1700.0, 960.0),
        (1231.0, 1005.0, 1334.0, 1891.0, 1068.0),
    ),
    "incubators": (
        (150.0, 172.0, 177.0, 182.0, 300.0),
        (153.9, 183.9, 191.2, 202.5, 333.7),
    ),
    "employment_growth": (
        (3.2, 10.2, 6.4, 10.6, 4.2),
        (2.9, 7.2, 5.8, 10.9, 4.6),
    ),
    "firm_registration_growth": (
        (7.8, 18.7, 12.1, 19.5, 10.1),
        (6.9, 14.0, 11.3, 18.6, 10.4),
    ),
    "rd_staff_share": (
        (19.5, 17.8, 18.3, 30.0, 15.6),
        (19.5, 17.8, 18.3, 30.0, 15.6),
    ),
    "labor_productivity": (
        (31.9, 42.9, 44.1, 58.0, 30.5),
        (32.73, 45.87, 47.63, 64.52, 33.93),
    ),
    "overseas_rd_centers": (
        (480.0, 380.0, 430.0, 700.0, 410.0),
        (492.5, 406.3, 464.4, 778.7, 456.1),
    ),
    "foreign_patents_per_10k": (
        (112.0, 140.0, 150.0, 250.0, 90.0),
        (114.9, 149.7, 162.0, 278.1, 100.1),
    ),
    "returnee_foreign_share": (
        (1.76, 1.82, 3.2, 2.2, 1.4),
        (1.76, 1.82, 3.2, 2.2, 1.4),
    ),
    "pct_applications": (
        (5800.0, 5220.0, 6670.0, 12000.0, 6960.0),
        (5951.0, 5581.0, 7204.0, 13350.0, 7742.0),
    ),
    "high_tech_revenue_share": (
        (32.4, 39.6, 44.6, 72.0, 53.3),
        (32.4, 39.6, 44.6, 72.0, 53.3),
    ),
    "ip_per_10bn_value_added": (
        (160.0, 228.0, 225.0, 285.0, 157.0),
        (164.2, 243.8, 243.0, 317.0, 174.6),
    ),
    "tech_contract_value": (
        (2800.0, 1850.0, 1650.0, 1600.0, 1290.0),
        (2873.0, 1978.0, 1782.0, 1780.0, 1435.0),
    ),
    "net_profit_margin": (
        (5.6, 8.74, 8.85, 11.2, 5.94),
        (5.6, 8.74, 8.85, 11.2, 5.94),
    ),
    "tax_growth": (
        (4.6, 13.3, 5.4, 13.6, 7.6),
        (4.0, 8.1, 5.6, 13.2, 9.0),
    ),
    "revenue_per_km2": (
        (1200000.0, 800000.0, 820000.0, 1068497.84, 720000.0),
        (1231000.0, 855400.0, 885600.0, 1297156.38, 800900.0),
    ),
}

#: Indicators that are flows or rates rather than stocks: their year-on-year change is
#: free (the 2020 priors follow the 2020 figures, not the 2019 value).
FLOWS = ("high_tech_firms_added", "employment_growth", "firm_registration_growth", "tax_growth")

#: Plausible ranges (raw units) beyond the valid range of indicators.csv: growth rates
#: positive and moderate, shares well inside 0-100 %.
BANDS: dict[str, tuple[float, float]] = {
    "rd_intensity": (1.0, 20.0),
    "employment_growth": (0.5, 30.0),
    "firm_registration_growth": (0.5, 40.0),
    "rd_staff_share": (3.0, 40.0),
    "returnee_foreign_share": (0.2, 10.0),
    "high_tech_revenue_share": (10.0, 90.0),
    "net_profit_margin": (1.0, 25.0),
    "tax_growth": (0.5, 40.0),
}
#: Every other value stays within this factor of its prior.
PRIOR_FACTOR_BOUND = 3.0
#: Spread of the priors in log units: how far a value may drift at unit cost. 2019
#: priors are rough; 2020 stocks are tied to their calibrated 2019 value.
PRIOR_SIGMA_2019 = 0.25
PRIOR_SIGMA_STOCK = 0.08
PRIOR_SIGMA_FLOW = 0.30
#: Spread tying the first year's value of a stock to next year's pinned public figure.
ANCHOR_SIGMA = 0.03
#: Continuation stages of the first solve of a year (doubled on a retry).
CONTINUATION_STAGES = 4
#: Grid points searched when rounding one column (full budget, ``--quick``).
LATTICE_POINTS = 400_000
QUICK_LATTICE_POINTS = 4_000
#: Weight of the prior in the least-squares feasibility phase, relative to the
#: constraints: small, so that the constraints win.
FEASIBILITY_PRIOR_WEIGHT = 1e-4


@dataclass(frozen=True)
class PublicFigure:
    """A figure from reference/public_figures.csv (or derived from one).

    In :data:`PUBLIC_FIGURES` the value is kept exactly; in :data:`CITY_CAPS` it is
    an upper bound for the zone inside that city.
    """

    year: int
    zone: str
    indicator: str
    value: float
    what: str


#: Zone-level public figures in the indicator's own unit, kept exactly. City-level
#: figures (and the VC figure in US dollars) only guided the priors above.
PUBLIC_FIGURES: tuple[PublicFigure, ...] = (
    PublicFigure(2019, "zhongguancun", "rd_spending", 3401.08,
                 "derived: 2020 enterprise R&D 3,785.4 (100m CNY) over its reported +11.3 % on 2019, "
                 "中关村指数2021 (http://cnfanrong.com/c/12293521262021.html)"),
    PublicFigure(2019, "shenzhen", "revenue_per_km2", 1068497.84,
                 "derived: 2020 total revenue 20,687.05 (100m CNY) over its reported +21.4 % on 2019, per planned "
                 "159.48 km2 (after the 2019 expansion), 羊城晚报 2021-06-29 (http://m.ytjhdl.cn/xy/gd/1117367.html)"),
    PublicFigure(2020, "zhongguancun", "rd_spending", 3785.4,
                 "enterprise R&D 3,785.4 (100m CNY), 中关村指数2021 (http://cnfanrong.com/c/12293521262021.html)"),
    PublicFigure(2020, "shenzhen", "high_tech_firms", 5082.0,
                 "羊城晚报 2021-06-29, Shenzhen high-tech zone (http://m.ytjhdl.cn/xy/gd/1117367.html)"),
    PublicFigure(2020, "shenzhen", "listed_firms", 142.0,
                 "羊城晚报 2021-06-29, Shenzhen high-tech zone (http://m.ytjhdl.cn/xy/gd/1117367.html)"),
    PublicFigure(2020, "shenzhen", "revenue_per_km2", 1297156.38,
                 "derived: total revenue 20,687.05 (100m CNY) per planned 159.48 km2, Shenzhen high-tech zone, "
                 "羊城晚报 2021-06-29 (http://m.ytjhdl.cn/xy/gd/1117367.html)"),
    PublicFigure(2020, "sunan", "unicorns", 13.0,
                 "苏南自创区独角兽企业和瞪羚企业发展报告2020 (https://fx361.cc/page/2021/0326/19543917.shtml)"),
    PublicFigure(2020, "sunan", "gazelles", 454.0,
                 "苏南自创区独角兽企业和瞪羚企业发展报告2020 (https://fx361.cc/page/2021/0326/19543917.shtml)"),
)

#: City-level public figures bound the zone inside the city from above (a zone is
#: part of its city): (year, zone, indicator, cap, what).
CITY_CAPS: tuple[PublicFigure, ...] = (
    PublicFigure(2020, "zhongguancun", "unicorns", 82.0, "Beijing, 长城战略咨询 独角兽企业研究报告2021"),
    PublicFigure(2020, "zhangjiang", "unicorns", 44.0, "Shanghai, 长城战略咨询 独角兽企业研究报告2021"),
    PublicFigure(2020, "shenzhen", "unicorns", 20.0, "Shenzhen, 长城战略咨询 独角兽企业研究报告2021"),
    PublicFigure(2020, "donghu", "unicorns", 3.0, "Wuhan, 长城战略咨询 独角兽企业研究报告2021"),
    PublicFigure(2020, "zhongguancun", "tech_contract_value", 6316.16, "Beijing technology contract turnover"),
    PublicFigure(2020, "zhangjiang", "tech_contract_value", 1815.27, "Shanghai technology contract turnover"),
    PublicFigure(2019, "shenzhen", "pct_applications", 17459.0, "Shenzhen PCT applications"),
)

#: The identity link the baseline should satisfy where the targets allow it:
#: next year's net increase is the change of the stock.
IDENTITY_STOCK, IDENTITY_FLOW = "high_tech_firms", "high_tech_firms_added"


# ======================================================================================
# The bound (DESIGN section 2)
# ======================================================================================


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


# ======================================================================================
# Findings (data/published/findings.yaml)
# ======================================================================================


@dataclass(frozen=True)
class RankFact:
    """``zone`` ranks between ``best`` and ``worst`` on ``indicator`` in ``years``."""

    zone: str
    indicator: str
    best: int
    worst: int
    years: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class GroupFact:
    """``zone``'s group scores rank between ``best`` and ``worst`` in ``at_least`` groups."""

    zone: str
    best: int
    worst: int
    at_least: int
    years: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Findings:
    """The paper's facts as constraints."""

    ranks: tuple[RankFact, ...]
    groups: tuple[GroupFact, ...]


def load_findings(path: str | Path, zone_ids: Sequence[str], indicator_ids: Sequence[str]) -> Findings:
    """Read ``published/findings.yaml`` (an absent file means no findings).

    Raises
    ------
    DataError
        Unknown keys, zones or indicators, or ranks outside 1..m.
    """
    path = Path(path)
    if not path.is_file():
        return Findings((), ())
    data, _ = load_yaml(path.read_bytes(), str(path), DataError)
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise DataError("expected a mapping with zone, years, indicator_ranks and group_ranks", str(path))
    zone = data.get("zone")
    if zone not in zone_ids:
        problems.append(f"zone: unknown zone {zone!r}")
    years = tuple(int(y) for y in data.get("years", []))
    m = len(zone_ids)

    def rank_range(item: Mapping, where: str) -> tuple[int, int]:
        value = item.get("ranks")
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(r, int) and 1 <= r <= m for r in value)
            or value[0] > value[1]
        ):
            problems.append(f"{where}.ranks: expected [best, worst] with 1 <= best <= worst <= {m}, got {value!r}")
            return 1, m
        return value[0], value[1]

    rank_facts = []
    for index, item in enumerate(data.get("indicator_ranks", []) or []):
        where = f"indicator_ranks[{index}]"
        if not isinstance(item, Mapping) or item.get("indicator") not in indicator_ids:
            problems.append(f"{where}.indicator: unknown indicator {item.get('indicator') if isinstance(item, Mapping) else item!r}")
            continue
        best, worst = rank_range(item, where)
        rank_facts.append(RankFact(zone, item["indicator"], best, worst, years, str(item.get("text", ""))))
    group_facts = []
    group = data.get("group_ranks")
    if group is not None:
        best, worst = rank_range(group, "group_ranks")
        at_least = group.get("at_least", 0)
        if not isinstance(at_least, int) or at_least < 0:
            problems.append(f"group_ranks.at_least: expected a whole number >= 0, got {at_least!r}")
            at_least = 0
        group_facts.append(GroupFact(zone, best, worst, at_least, years, str(group.get("text", ""))))
    if problems:
        raise DataError(problems, str(path))
    return Findings(tuple(rank_facts), tuple(group_facts))


@dataclass(frozen=True)
class FindingCheck:
    """One fact in one year, checked on a scored table."""

    year: int
    fact: str
    observed: str
    holds: bool


def check_findings(package: DataPackage, findings: Findings, method: Method | None = None) -> list[FindingCheck]:
    """Check every finding on a package's baseline, scored with its method.

    Parameters
    ----------
    package : DataPackage
    findings : Findings
    method : Method, optional
        Default: the package's method.

    Returns
    -------
    list of FindingCheck
    """
    checks = []
    for year in package.years:
        table = package.table(year)
        result = package.score(year, method)
        for fact in findings.ranks:
            if year not in fact.years:
                continue
            oriented = table[fact.indicator] * (1 if package.indicators.at[fact.indicator, "direction"] == "benefit" else -1)
            rank = int(entropy.ranks(oriented.to_numpy(), tolerance=0.0)[list(table.index).index(fact.zone)])
            wanted = f"rank {fact.best}" if fact.best == fact.worst else f"rank {fact.best}-{fact.worst}"
            checks.append(
                FindingCheck(year, f"{fact.zone} {wanted} on {fact.indicator}", f"rank {rank}",
                             fact.best <= rank <= fact.worst)
            )
        for fact in findings.groups:
            if year not in fact.years:
                continue
            group_ranks = result.group_scores.rank(ascending=False, method="min").loc[fact.zone].astype(int)
            inside = int(((group_ranks >= fact.best) & (group_ranks <= fact.worst)).sum())
            observed = ", ".join(f"{g} {r}" for g, r in group_ranks.items())
            checks.append(
                FindingCheck(
                    year,
                    f"{fact.zone} group ranks {fact.best}-{fact.worst} in at least {fact.at_least} of "
                    f"{len(group_ranks)} groups",
                    f"{inside} groups ({observed})",
                    inside >= fact.at_least,
                )
            )
    return checks


# ======================================================================================
# The solver: one year
# ======================================================================================


@dataclass(frozen=True)
class _Layout:
    """What every year shares: ids, directions, groups and the method."""

    zones: tuple[str, ...]
    indicators: tuple[str, ...]
    groups: tuple[str, ...]
    is_benefit: np.ndarray
    membership: np.ndarray  # (n, g) 0/1
    quantum: np.ndarray  # (n,) grid step of the printed values
    method: Method

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.zones), len(self.indicators)


def _evaluate(layout: _Layout, log_values: np.ndarray) -> dict[str, np.ndarray]:
    """Divergences, weights, scores and group scores of a batch of log tables.

    Parameters
    ----------
    log_values : array, shape (B, m, n)

    Returns
    -------
    dict with ``divergence`` (B, n), ``weights`` (B, n), ``scores`` (B, m),
    ``groups`` (B, m, g)
    """
    values = np.exp(log_values)
    method = layout.method
    divergence = column_divergence(entropy.normalize(values, layout.is_benefit, method.normalization))
    weights = divergence / divergence.sum(axis=-1, keepdims=True)
    scored = entropy.normalize(values, layout.is_benefit, method.scoring)
    return {
        "divergence": divergence,
        "weights": weights,
        "scores": entropy.composite_scores(scored, weights),
        "groups": entropy.group_scores(scored, weights, layout.membership),
    }


@dataclass
class _YearProblem:
    """One year's calibration: targets, priors, constraints and the current table.

    ``log_values`` is the current table (log of raw values). Cells in ``fixed`` (pinned
    public figures, rounded columns) are not optimised.
    """

    layout: _Layout
    year: int
    weights_pct: np.ndarray  # (n,)
    scores: np.ndarray  # (m,)
    prior_log: np.ndarray  # (m, n)
    sigma: np.ndarray  # (m, n)
    lower_log: np.ndarray  # (m, n)
    upper_log: np.ndarray  # (m, n)
    log_values: np.ndarray  # (m, n)
    fixed: np.ndarray  # (m, n) bool
    rank_pairs: np.ndarray  # (k, 3) int: indicator, better zone, worse zone
    group_pairs: np.ndarray  # (k, 3) int: group, better zone, worse zone
    identity: tuple[int, int, np.ndarray] | None = None  # stock column, flow column, last year's stock
    frozen_columns: list[int] = field(default_factory=list)

    # -- constraint functions on a batch of full log tables ---------------------------

    def _equalities(self, batch: np.ndarray, evaluated: dict[str, np.ndarray]) -> np.ndarray:
        free_columns = [j for j in range(batch.shape[-1]) if j not in self.frozen_columns]
        if not self.frozen_columns:
            free_columns = free_columns[:-1]  # the weights sum to 100: one equation is implied
        parts = [
            100.0 * evaluated["weights"][:, free_columns] - self.weights_pct[free_columns],
            evaluated["scores"] - self.scores,
        ]
        if self.identity is not None:
            stock, flow, last = self.identity
            values = np.exp(batch)
            # flow = stock - last year's stock, in hundreds of firms (order 1)
            parts.append((values[:, :, flow] - values[:, :, stock] + last) / 100.0)
        return np.concatenate(parts, axis=1)

    def _inequalities(self, batch: np.ndarray, evaluated: dict[str, np.ndarray]) -> np.ndarray:
        # Pairs whose cells are all fixed are constants: the optimiser cannot change
        # them, and a constant violated constraint would stall it.
        parts = []
        rank_pairs = self.rank_pairs
        if len(rank_pairs):
            j, better, worse = rank_pairs.T
            movable = ~(self.fixed[better, j] & self.fixed[worse, j])
            j, better, worse = j[movable], better[movable], worse[movable]
            sign = np.where(self.layout.is_benefit[j], 1.0, -1.0)
            parts.append(sign * (batch[:, better, j] - batch[:, worse, j]) - ORDER_MARGIN)
        if len(self.group_pairs):
            g, better, worse = self.group_pairs.T
            in_group = self.layout.membership.T.astype(bool)  # (g, n)
            movable = np.array([(~self.fixed[:, in_group[k]]).any() for k in g])
            g, better, worse = g[movable], better[movable], worse[movable]
            groups = evaluated["groups"]
            parts.append(groups[:, better, g] - groups[:, worse, g] - GROUP_MARGIN)
        return np.concatenate(parts, axis=1) if parts else np.zeros((batch.shape[0], 0))

    def residuals(self) -> tuple[float, float]:
        """Worst weight error (pp) and worst score error (points) of the current table."""
        evaluated = _evaluate(self.layout, self.log_values[None])
        return (
            float(np.abs(100.0 * evaluated["weights"][0] - self.weights_pct).max()),
            float(np.abs(evaluated["scores"][0] - self.scores).max()),
        )

    # -- the optimisation -------------------------------------------------------------

    def solve(self, max_iterations: int, start: np.ndarray | None = None, stages: int = 1) -> bool:
        """Minimise the distance to the priors under the constraints.

        Only cells not in ``fixed`` move. The equality constraints are approached by
        continuation: stage ``k`` of ``stages`` asks for the fraction ``k / stages`` of
        the way from where the start is to the targets, each stage warm-starting
        the next (SLSQP converges reliably from a nearby feasible point, not from far
        away). If the last stage still violates a constraint, a least-squares pass
        (which copes with infeasible starts) and a final SLSQP follow.

        Parameters
        ----------
        max_iterations : int
            Iterations per optimiser call.
        start : array, shape (m, n), optional
            Starting table (log values); default the current one. With a start the
            result replaces the table even when it is worse than the current one.
        stages : int
            Continuation stages.

        Returns
        -------
        bool
            Whether every constraint holds to 1e-8.
        """
        free = ~self.fixed
        count = int(free.sum())
        if count == 0:
            return self._violation(self.log_values) <= 1e-8
        base = self.log_values.copy()
        lower, upper = self.lower_log[free], self.upper_log[free]
        u = np.clip((start if start is not None else base)[free], lower, upper)
        weight = 1.0 / self.sigma[free] ** 2
        prior = self.prior_log[free]
        step = 1e-6
        cache: dict[bytes, tuple[Any, ...]] = {}

        def table_batch(u: np.ndarray, with_steps: bool) -> np.ndarray:
            # the point itself, then (for the Jacobian) +step and -step along every
            # free variable: central differences, all in one batched evaluation
            points = u[None, :]
            if with_steps:
                points = np.repeat(points, 2 * count + 1, axis=0)
                points[1 : count + 1] += step * np.eye(count)
                points[count + 1 :] -= step * np.eye(count)
            batch = np.repeat(base[None], points.shape[0], axis=0)
            batch[:, free] = points
            return batch

        def constraints(u: np.ndarray, with_jacobian: bool = True) -> tuple[Any, ...]:
            key = u.tobytes()
            cached = cache.get(key)
            if cached is None or (with_jacobian and cached[1] is None):
                batch = table_batch(u, with_jacobian)
                evaluated = _evaluate(self.layout, batch)
                eq = self._equalities(batch, evaluated)
                ineq = self._inequalities(batch, evaluated)
                eq_jac = ineq_jac = None
                if with_jacobian:
                    eq_jac = (eq[1 : count + 1] - eq[count + 1 :]).T / (2 * step)
                    ineq_jac = (ineq[1 : count + 1] - ineq[count + 1 :]).T / (2 * step)
                cache.clear()
                cached = cache[key] = (eq[0], eq_jac, ineq[0], ineq_jac)
            return cached

        def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
            gap = u - prior
            return 0.5 * float(np.dot(weight * gap, gap)), weight * gap

        def violation(u: np.ndarray) -> float:
            eq, _, ineq, _ = constraints(u, False)
            return float(max(np.abs(eq).max(initial=0.0), (-ineq).max(initial=0.0), 0.0))

        def slsqp(u: np.ndarray, remaining: np.ndarray) -> np.ndarray:
            # equalities shifted so that ``remaining`` of the start's residual is allowed
            cons = [{"type": "eq", "fun": lambda v: constraints(v, False)[0] - remaining,
                     "jac": lambda v: constraints(v)[1]}]
            if len(self.rank_pairs) or len(self.group_pairs):
                cons.append({"type": "ineq", "fun": lambda v: constraints(v, False)[2],
                             "jac": lambda v: constraints(v)[3]})
            result = minimize(
                objective, u, jac=True, method="SLSQP", bounds=list(zip(lower, upper)), constraints=cons,
                options={"maxiter": max_iterations, "ftol": 1e-15},
            )
            return np.clip(result.x, lower, upper)

        residual_at_start = constraints(u, False)[0].copy()
        for stage in range(1, stages + 1):
            u = slsqp(u, residual_at_start * (1.0 - stage / stages))
        if violation(u) > 1e-8:
            pull = math.sqrt(FEASIBILITY_PRIOR_WEIGHT) * np.sqrt(weight)

            def residuals(v: np.ndarray) -> np.ndarray:
                eq, _, ineq, _ = constraints(v, with_jacobian=False)
                return np.concatenate([eq, np.minimum(ineq, 0.0), pull * (v - prior)])

            def residual_jacobian(v: np.ndarray) -> np.ndarray:
                _, eq_jac, ineq, ineq_jac = constraints(v)
                return np.vstack([eq_jac, np.where((ineq < 0.0)[:, None], ineq_jac, 0.0), np.diag(pull)])

            fitted = least_squares(
                residuals, u, jac=residual_jacobian, bounds=(lower, upper), method="trf",
                max_nfev=max_iterations, xtol=1e-15, ftol=1e-15, gtol=1e-15,
            )
            u = slsqp(np.clip(fitted.x, lower, upper), np.zeros_like(residual_at_start))

        before = self._violation(base)
        candidate = base.copy()
        candidate[free] = u
        after = self._violation(candidate)
        if after <= before or start is not None:
            self.log_values = candidate
            return after <= 1e-8
        return before <= 1e-8

    def _violation(self, log_values: np.ndarray) -> float:
        """Largest constraint violation of a table (0 when every constraint holds)."""
        batch = log_values[None]
        evaluated = _evaluate(self.layout, batch)
        eq = np.abs(self._equalities(batch, evaluated)[0])
        ineq = -self._inequalities(batch, evaluated)[0]
        return float(max(eq.max(initial=0.0), ineq.max(initial=0.0), 0.0))


# ======================================================================================
# Rounding to the printed grid with the targets kept
# ======================================================================================


def _lattice_candidates(
    values: np.ndarray, quantum: float, pinned: np.ndarray, reach: int, scales: Sequence[float]
) -> np.ndarray:
    """Grid points near ``values`` (in units of ``quantum``) that keep their strict order.

    Parameters
    ----------
    values : array, shape (m,)
    quantum : float
    pinned : array of bool, shape (m,)
        Cells that must keep their exact value.
    reach : int
        Each free cell moves by at most this many grid steps around its rounded value.
    scales : sequence of float
        The whole column may first be rescaled (entropy and x/max are scale-free);
        only used when nothing is pinned.

    Returns
    -------
    ndarray, shape (C, m), in grid units
    """
    order = np.argsort(values, kind="stable")
    steps = [np.zeros(1) if p else np.arange(-reach, reach + 1, dtype=np.float64) for p in pinned]
    offsets = np.array(list(itertools.product(*steps)))
    blocks = []
    for scale in ([1.0] if pinned.any() else scales):
        base = np.where(pinned, np.round(values / quantum), np.round(values * scale / quantum))
        units = base[None, :] + offsets
        ordered = units[:, order]
        keeps_order = np.all(np.diff(ordered, axis=1) > 0, axis=1) & (ordered[:, 0] > 0)
        blocks.append(units[keeps_order])
    return np.concatenate(blocks)  # duplicates across scales are harmless


def _column_effects(layout: _Layout, column: int, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divergence and score-normalised values of candidate columns (raw values)."""
    benefit = layout.is_benefit[column : column + 1]
    as_tables = candidates[:, :, None]
    divergence = column_divergence(entropy.normalize(as_tables, benefit, layout.method.normalization))[:, 0]
    scored = entropy.normalize(as_tables, benefit, layout.method.scoring)[:, :, 0]
    return divergence, scored


def _reach(free_cells: int, variants: int, lattice_points: int) -> int:
    """Largest number of grid steps per cell keeping the lattice under ``lattice_points``."""
    if free_cells == 0:
        return 0
    per_cell = (lattice_points / max(variants, 1)) ** (1.0 / free_cells)
    return max(1, int((per_cell - 1) // 2))


def _round_columns(problem: _YearProblem, columns: Sequence[int], lattice_points: int) -> dict[str, float]:
    """Move one column (or the identity pair) to the printed grid, keeping its weight.

    The candidate kept has its divergence on target (weight error under
    :data:`WEIGHT_AIM_PP` when there is one) and, among those, disturbs the scores
    least (the columns still free then put them back). Freezes the column(s).

    Returns
    -------
    dict
        The weight error (pp) of each rounded column, keyed by indicator id.
    """
    layout = problem.layout
    evaluated = _evaluate(layout, problem.log_values[None])
    total_divergence = float(evaluated["divergence"][0].sum())
    current = np.exp(problem.log_values)
    lead = columns[0]
    quantum = float(layout.quantum[lead])
    values = current[:, lead]
    pinned = problem.fixed[:, lead]
    coarse = quantum / np.min(values) > 2e-3
    scales = np.geomspace(0.94, 1.06, 25) if coarse else [1.0]
    pair = problem.identity is not None and set(columns) == {problem.identity[0], problem.identity[1]}
    if pair:
        stock, flow, last = problem.identity
        lead, quantum, values, pinned = stock, float(layout.quantum[stock]), current[:, stock], problem.fixed[:, stock]
        reach = _reach(int((~pinned).sum()), 1, lattice_points)
        units = _lattice_candidates(values, quantum, pinned, reach, [1.0])
        stocks = units * quantum
        flows = stocks - last[None, :]
        flow_order = np.argsort(current[:, flow], kind="stable")
        keep = (flows.min(axis=1) > 0) & np.all(np.diff(flows[:, flow_order], axis=1) > 0, axis=1)
        candidate_sets = {stock: stocks[keep], flow: flows[keep]}
    else:
        variants = 1 if pinned.any() else len(scales)
        reach = _reach(int((~pinned).sum()), variants, lattice_points)
        units = _lattice_candidates(values, quantum, pinned, reach, scales)
        candidate_sets = {lead: units * quantum}
    count = len(next(iter(candidate_sets.values())))
    within = np.ones(count, dtype=bool)
    miss = np.zeros(count)
    disturbance = np.zeros(count)
    drift = np.zeros(count)
    for column, candidates in candidate_sets.items():
        lo, hi = np.exp(problem.lower_log[:, column]), np.exp(problem.upper_log[:, column])
        within &= np.all((candidates >= lo * (1 - 1e-12)) & (candidates <= hi * (1 + 1e-12)), axis=1)
        divergence, scored = _column_effects(layout, column, candidates)
        target = problem.weights_pct[column] / 100.0 * total_divergence
        # weight error in pp if this column alone moved
        miss = np.maximum(miss, np.abs(divergence / target - 1.0) * problem.weights_pct[column])
        _, scored_now = _column_effects(layout, column, current[None, :, column])
        disturbance += ((problem.weights_pct[column] * (scored - scored_now)) ** 2).sum(axis=1)
        drift += (np.log(candidates / current[None, :, column]) ** 2).sum(axis=1)
    if not within.any():
        within[:] = True  # nothing on the grid inside the bands: take the nearest anyway
    miss = np.where(within, miss, np.inf)
    on_target = miss <= WEIGHT_AIM_PP
    if on_target.any():
        cost = np.where(on_target, disturbance + 1e-6 * drift, np.inf)
    else:
        cost = miss
    best = int(np.argmin(cost))
    errors = {}
    for column, candidates in candidate_sets.items():
        problem.log_values[:, column] = np.log(candidates[best])
        problem.fixed[:, column] = True
        problem.frozen_columns.append(column)
        errors[layout.indicators[column]] = float(miss[best])
    return errors


# ======================================================================================
# Building the problems and running them
# ======================================================================================


@dataclass(frozen=True)
class _Targets:
    """The published numbers of one year, in layout order."""

    year: int
    weights_pct: np.ndarray
    scores: np.ndarray


def _layout_of(package: DataPackage) -> _Layout:
    indicators = package.indicators
    ids = tuple(package.indicator_ids)
    groups = tuple(package.groups.index)
    membership = np.array([[indicators.at[i, "group"] == g for g in groups] for i in ids], dtype=float)
    quantum = np.array([1.0 if indicators.at[i, "integer"] else 10.0**-DECIMALS for i in ids])
    return _Layout(
        zones=tuple(package.zone_ids),
        indicators=ids,
        groups=groups,
        is_benefit=(indicators.loc[list(ids), "direction"] == "benefit").to_numpy(),
        membership=membership,
        quantum=quantum,
        method=package.method,
    )


def _prior_table(layout: _Layout, year_index: int) -> np.ndarray:
    """The hand-set prior of one year (0 = 2019, 1 = 2020), zones x indicators."""
    table = np.empty(layout.shape)
    for j, indicator in enumerate(layout.indicators):
        by_zone = dict(zip(ZONES, PRIORS[indicator][year_index]))
        table[:, j] = [by_zone[zone] for zone in layout.zones]
    return table


def _log_bounds(
    package: DataPackage, layout: _Layout, prior: np.ndarray, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hard bounds: the valid range, the plausible bands, a factor around the prior
    and the city-level caps of :data:`CITY_CAPS`."""
    lower = prior / PRIOR_FACTOR_BOUND
    upper = prior * PRIOR_FACTOR_BOUND
    for j, indicator in enumerate(layout.indicators):
        low, high = package.indicators.at[indicator, "min"], package.indicators.at[indicator, "max"]
        band_low, band_high = BANDS.get(indicator, (0.0, np.inf))
        floor = max(band_low, 0.0 if np.isnan(low) else low, layout.quantum[j])
        ceiling = min(band_high, np.inf if np.isnan(high) else high)
        lower[:, j] = np.clip(lower[:, j], floor, ceiling)
        upper[:, j] = np.clip(upper[:, j], floor, ceiling)
    for cap in CITY_CAPS:
        if cap.year == year and cap.zone in layout.zones and cap.indicator in layout.indicators:
            cell = layout.zones.index(cap.zone), layout.indicators.index(cap.indicator)
            upper[cell] = min(upper[cell], cap.value)
            lower[cell] = min(lower[cell], upper[cell])
    return np.log(lower), np.log(upper)


def _rank_pairs(
    layout: _Layout, findings: Findings, year: int, prior: np.ndarray, keep_prior_order: bool = True
) -> np.ndarray:
    """(indicator, better zone, worse zone) triples that make every rank fact true.

    With ``keep_prior_order`` every indicator keeps the prior's order of the zones
    (which zone leads which comes from the priors, only magnitudes move), except that
    a zone named in a fact is moved the least needed to make the fact true. Without
    it, only the fact's zone is constrained: against the zones the prior ranks
    highest (lowest), so the constraints disturb the prior as little as possible.
    """
    pairs = []
    m = len(layout.zones)
    facts = {}
    for fact in findings.ranks:
        if year in fact.years:
            facts.setdefault(layout.indicators.index(fact.indicator), []).append(fact)
    for j in range(len(layout.indicators)):
        sign = 1.0 if layout.is_benefit[j] else -1.0
        ranked = sorted(range(m), key=lambda i: -sign * prior[i, j])
        for fact in facts.get(j, []):
            zone = layout.zones.index(fact.zone)
            ranked.remove(zone)
            position = min(max(_position_in(prior[:, j] * sign, zone), fact.best - 1), fact.worst - 1)
            if keep_prior_order:
                ranked.insert(position, zone)
            else:
                pairs += [(j, i, zone) for i in ranked[: fact.best - 1]]
                pairs += [(j, zone, i) for i in ranked[fact.worst - 1 :]]
        if keep_prior_order:
            pairs += [(j, better, worse) for better, worse in zip(ranked, ranked[1:])]
    return np.array(sorted(set(pairs)), dtype=int).reshape(-1, 3)


def _position_in(oriented: np.ndarray, zone: int) -> int:
    """How many zones are strictly ahead of ``zone`` (its rank minus one)."""
    return int((oriented > oriented[zone]).sum())


def _group_pairs(layout: _Layout, findings: Findings, year: int, prior: np.ndarray) -> np.ndarray:
    """(group, better zone, worse zone) triples for the group-rank facts.

    Every group where the prior already ranks the zone inside the range is kept
    there, and more groups (those where it ranks worst) until ``at_least`` is met.
    """
    groups = _evaluate(layout, np.log(prior)[None])["groups"][0]
    m, g = groups.shape
    pairs = []
    for fact in findings.groups:
        if year not in fact.years:
            continue
        zone = layout.zones.index(fact.zone)
        rank = 1 + (groups > groups[zone][None, :]).sum(axis=0)
        inside = [k for k in range(g) if fact.best <= rank[k] <= fact.worst]
        outside = sorted((k for k in range(g) if k not in inside), key=lambda k: -rank[k])
        chosen = inside + outside[: max(0, fact.at_least - len(inside))]
        for k in sorted(chosen):
            others = sorted((i for i in range(m) if i != zone), key=lambda i: -groups[i, k])
            pairs += [(k, i, zone) for i in others[: fact.best - 1]]
            pairs += [(k, zone, i) for i in others[len(others) - (m - fact.worst) :]] if fact.worst < m else []
    return np.array(pairs, dtype=int).reshape(-1, 3)


@dataclass
class YearOutcome:
    """What the solver reached in one year (before writing)."""

    year: int
    values: np.ndarray  # (m, n) raw values on the printed grid
    continuous_violation: float
    rounding_weight_errors: dict[str, float]
    prior: np.ndarray


def _is_full(budget: int) -> bool:
    """Whether a budget is large enough for retries, continuation and wide lattices."""
    return budget >= DEFAULT_BUDGET // 4


def _solve_year(
    package: DataPackage,
    layout: _Layout,
    targets: _Targets,
    findings: Findings,
    prior: np.ndarray,
    sigma: np.ndarray,
    identity: tuple[int, int, np.ndarray] | None,
    budget: int,
    rng: np.random.Generator,
    progress: Callable[[str], None],
) -> YearOutcome:
    """Calibrate one year: continuous solve, then rounding with re-solves."""
    year = targets.year
    lower_log, upper_log = _log_bounds(package, layout, prior, year)
    fixed = np.zeros(layout.shape, dtype=bool)
    prior_log = np.log(prior)
    for figure in PUBLIC_FIGURES:
        if figure.year == year and figure.zone in layout.zones and figure.indicator in layout.indicators:
            cell = layout.zones.index(figure.zone), layout.indicators.index(figure.indicator)
            fixed[cell] = True
            prior_log[cell] = lower_log[cell] = upper_log[cell] = math.log(figure.value)
    problem = _YearProblem(
        layout=layout,
        year=year,
        weights_pct=targets.weights_pct,
        scores=targets.scores,
        prior_log=prior_log,
        sigma=sigma,
        lower_log=lower_log,
        upper_log=upper_log,
        log_values=prior_log.copy(),
        fixed=fixed,
        rank_pairs=_rank_pairs(layout, findings, year, prior),
        group_pairs=_group_pairs(layout, findings, year, prior),
        identity=identity,
    )
    if identity is not None:
        stock, flow, last = identity
        # start the flow where the identity puts it; its bounds follow the stock's
        problem.log_values[:, flow] = np.log(np.maximum(prior[:, stock] - last, layout.quantum[flow]))
        problem.prior_log[:, flow] = problem.log_values[:, flow]
        problem.lower_log[:, flow] = math.log(layout.quantum[flow])
        problem.upper_log[:, flow] = np.log(np.maximum(np.exp(problem.upper_log[:, stock]) - last, 2 * layout.quantum[flow]))

    full = _is_full(budget)
    attempts = 3 if full else 1
    violation = np.inf
    for attempt in range(attempts):
        start = problem.prior_log + np.where(problem.fixed, 0.0, rng.normal(0.0, 0.02, layout.shape))
        trial = replace(problem, log_values=problem.log_values.copy(), fixed=problem.fixed.copy(), frozen_columns=[])
        stages = CONTINUATION_STAGES * (attempt + 1) if full else 1
        ok = trial.solve(budget, start=start, stages=stages)
        trial_violation = trial._violation(trial.log_values)
        progress(f"{year}: continuous solve, attempt {attempt + 1}: largest constraint violation {trial_violation:.2e}")
        if trial_violation < violation:
            violation, best = trial_violation, trial
        if ok:
            break
    problem = best

    # Round coarsest first: the finest columns, rounded last, absorb what is left.
    current = np.exp(problem.log_values)
    coarseness = layout.quantum / current.min(axis=0)
    order = sorted(range(layout.shape[1]), key=lambda j: (-coarseness[j], j))
    lattice_points = LATTICE_POINTS if full else QUICK_LATTICE_POINTS
    errors: dict[str, float] = {}
    for j in order:
        if j in problem.frozen_columns:
            continue
        columns = [j]
        if identity is not None and j in identity[:2]:
            columns = [identity[0], identity[1]]
        errors.update(_round_columns(problem, columns, lattice_points))
        free_columns = layout.shape[1] - len(problem.frozen_columns)
        if free_columns >= 2:
            problem.solve(max(budget // 4, 5))
    weight_error, score_error = problem.residuals()
    progress(f"{year}: rounded; worst weight error {weight_error:.2e} pp, worst score error {score_error:.2e}")
    values = np.exp(problem.log_values)
    values = np.round(values / layout.quantum) * layout.quantum
    return YearOutcome(year, values, violation, errors, prior)


def reconstruct(
    package: DataPackage,
    findings: Findings,
    budget: int = DEFAULT_BUDGET,
    seed: int | np.random.Generator = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[int, YearOutcome]:
    """Calibrate every published year, the earliest first.

    Parameters
    ----------
    package : DataPackage
        Its indicators, zones, method and published weights and scores are used;
        its baseline values are not.
    findings : Findings
    budget : int
        Optimiser iterations per solve.
    seed : int or numpy.random.Generator
        Seeds the jitter of the starting points.
    progress : callable, optional
        Called with a line of text at every stage.

    Returns
    -------
    dict
        Year -> YearOutcome.
    """
    progress = progress or (lambda message: None)
    rng = np.random.default_rng(seed)
    layout = _layout_of(package)
    missing = [i for i in layout.indicators if i not in PRIORS]
    unknown_zones = [z for z in layout.zones if z not in ZONES]
    if missing or unknown_zones:
        raise DataError(
            [f"calibrate has no prior for indicator {i!r}" for i in missing]
            + [f"calibrate has no prior for zone {z!r}" for z in unknown_zones]
            + ["calibrate rebuilds the shipped zones and indicators only"]
        )
    with _single_threaded_blas():
        return _reconstruct_years(package, layout, findings, budget, rng, progress)


def _single_threaded_blas():
    """Limit BLAS/LAPACK to one thread while calibrating.

    The optimisers solve many tiny linear systems; with a multi-threaded BLAS on a
    busy 2-core machine the threads' hand-offs cost far more than the arithmetic
    (measured: 22 s single-threaded against 130 s with two threads under load). The
    result does not depend on it. ``threadpoolctl`` is optional.
    """
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional speed-up only
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def _reconstruct_years(
    package: DataPackage,
    layout: _Layout,
    findings: Findings,
    budget: int,
    rng: np.random.Generator,
    progress: Callable[[str], None],
) -> dict[int, YearOutcome]:
    """:func:`reconstruct` proper: every published year, the earliest first."""
    years = sorted(int(y) for y in package.published_weights.index)
    outcomes: dict[int, YearOutcome] = {}
    for position, year in enumerate(years):
        targets = _targets(package, layout, year)
        prior = _prior_table(layout, min(position, 1))
        sigma = np.full(layout.shape, PRIOR_SIGMA_2019)
        identity = None
        previous = outcomes.get(year - 1)
        if previous is not None:
            # stocks start from last year's calibrated value times the prior's change
            hand_set_change = _prior_table(layout, 1) / _prior_table(layout, 0)
            flows = np.array([i in FLOWS for i in layout.indicators])
            prior = np.where(flows[None, :], prior, previous.values * hand_set_change)
            sigma = np.broadcast_to(np.where(flows, PRIOR_SIGMA_FLOW, PRIOR_SIGMA_STOCK), layout.shape).copy()
            if IDENTITY_STOCK in layout.indicators and IDENTITY_FLOW in layout.indicators:
                stock = layout.indicators.index(IDENTITY_STOCK)
                identity = (stock, layout.indicators.index(IDENTITY_FLOW), previous.values[:, stock].copy())
        if previous is None and position + 1 < len(years):
            # a stock pinned next year anchors this year's value (the hand-set change)
            next_year = years[position + 1]
            for figure in PUBLIC_FIGURES:
                if figure.year != next_year or figure.indicator in FLOWS:
                    continue
                if any(f.year == year and (f.zone, f.indicator) == (figure.zone, figure.indicator) for f in PUBLIC_FIGURES):
                    continue
                i, j = layout.zones.index(figure.zone), layout.indicators.index(figure.indicator)
                prior[i, j] = figure.value * _prior_table(layout, 0)[i, j] / _prior_table(layout, 1)[i, j]
                sigma[i, j] = ANCHOR_SIGMA
        progress(f"{year}: calibrating ({len(layout.zones)} zones x {len(layout.indicators)} indicators)")
        outcomes[year] = _solve_year(package, layout, targets, findings, prior, sigma, identity, budget, rng, progress)
    return outcomes


def _targets(package: DataPackage, layout: _Layout, year: int) -> _Targets:
    weights = package.published_weights.loc[year, list(layout.indicators)].to_numpy(dtype=np.float64)
    scores = package.published_scores[package.published_scores["year"] == year].set_index("zone")["score"]
    return _Targets(year, 100.0 * weights / weights.sum(), scores.loc[list(layout.zones)].to_numpy(dtype=np.float64))


# ======================================================================================
# Writing the baseline and checking it
# ======================================================================================


def format_value(value: float, integer: bool) -> str:
    """The fixed text form of a value: whole numbers for counts, 2 decimals otherwise.

    Examples
    --------
    >>> format_value(1234.0, True), format_value(3.14159, False), format_value(-0.0, False)
    ('1234', '3.14', '0.00')
    """
    if integer:
        return str(int(round(value)))
    text = f"{value:.{DECIMALS}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def baseline_csv(
    layout: _Layout, outcomes: Mapping[int, YearOutcome], integer: Mapping[str, bool], seed: int | str
) -> str:
    """The text of ``baseline.csv``: year, then zones, then indicators in package order."""
    import csv
    import io

    pinned = {(f.year, f.zone, f.indicator): f for f in PUBLIC_FIGURES}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["year", "zone", "indicator", "value", "source"])
    for year in sorted(outcomes):
        values = outcomes[year].values
        for i, zone in enumerate(layout.zones):
            for j, indicator in enumerate(layout.indicators):
                figure = pinned.get((year, zone, indicator))
                if figure is not None:
                    source = SOURCE_PINNED.format(what=figure.what, seed=seed)
                else:
                    source = SOURCE_RECONSTRUCTED.format(seed=seed)
                if indicator == IDENTITY_FLOW and year - 1 in outcomes and IDENTITY_STOCK in layout.indicators:
                    stock = layout.indicators.index(IDENTITY_STOCK)
                    if values[i, j] == values[i, stock] - outcomes[year - 1].values[i, stock]:
                        source += f"; equals {IDENTITY_STOCK} {year} minus {year - 1}"
                writer.writerow([year, zone, indicator, format_value(values[i, j], integer[indicator]), source])
    return buffer.getvalue()


@dataclass(frozen=True)
class YearFit:
    """How well one year of a baseline reproduces the published numbers."""

    year: int
    worst_weight_error_pp: float
    worst_weight_indicator: str
    worst_score_error: float
    worst_score_zone: str
    ranks_match: bool

    @property
    def within_tolerance(self) -> bool:
        return (
            self.worst_weight_error_pp <= WEIGHT_TOLERANCE_PP
            and self.worst_score_error <= SCORE_TOLERANCE
            and self.ranks_match
        )


def measure_fit(package: DataPackage) -> list[YearFit]:
    """Score a package's baseline with its own method and compare with ``published/``.

    Weights are compared in percentage points with Table 1 as printed, scores in
    points with the published scores, ranks with the published ranks.
    """
    fits = []
    for year in sorted(int(y) for y in package.published_weights.index):
        result = package.score(year)
        published = package.published_weights.loc[year] * 100.0
        weight_error = (100.0 * result.weights - published[result.weights.index]).abs()
        scores = package.published_scores[package.published_scores["year"] == year].set_index("zone")
        score_error = (result.scores - scores["score"][result.scores.index]).abs()
        fits.append(
            YearFit(
                year=year,
                worst_weight_error_pp=float(weight_error.max()),
                worst_weight_indicator=str(weight_error.idxmax()),
                worst_score_error=float(score_error.max()),
                worst_score_zone=str(score_error.idxmax()),
                ranks_match=bool((result.ranks == scores["rank"][result.ranks.index]).all()),
            )
        )
    return fits


@dataclass(frozen=True)
class IdentityCheck:
    """``high_tech_firms_added`` of a year against the change of ``high_tech_firms``."""

    year: int
    zone: str
    stock_change: float
    flow: float

    @property
    def holds(self) -> bool:
        return self.stock_change == self.flow


def check_identity(package: DataPackage) -> list[IdentityCheck]:
    """For every year after the first: added firms == firms this year - last year."""
    checks = []
    years = package.years
    if IDENTITY_STOCK not in package.indicator_ids or IDENTITY_FLOW not in package.indicator_ids:
        return checks
    for previous, year in zip(years, years[1:]):
        if year != previous + 1:
            continue
        now, before = package.table(year), package.table(previous)
        for zone in now.index.intersection(before.index):
            checks.append(
                IdentityCheck(
                    year, zone, float(now.at[zone, IDENTITY_STOCK] - before.at[zone, IDENTITY_STOCK]),
                    float(now.at[zone, IDENTITY_FLOW]),
                )
            )
    return checks


@dataclass
class CalibrationReport:
    """Everything ``zonesim calibrate`` measured, printable with :meth:`to_text`."""

    seed: int
    budget: int
    out_dir: Path
    runtime_seconds: float
    feasibility: list[FeasibilityCheck]
    minmax_feasibility: list[FeasibilityCheck]
    fits: list[YearFit]
    findings: list[FindingCheck]
    identity: list[IdentityCheck]
    public_figures: list[tuple[PublicFigure, float]]
    prior_drift: dict[int, tuple[float, str, str]]
    stock_change: tuple[float, str, str]
    rounding_weight_errors: dict[int, float]

    @property
    def all_targets_met(self) -> bool:
        return all(f.within_tolerance for f in self.fits) and all(f.holds for f in self.findings)

    def to_text(self) -> str:
        """The report as plain text (what the command prints)."""
        lines = [f"zonesim calibrate: seed {self.seed}, budget {self.budget}, {self.runtime_seconds:.1f} s",
                 f"wrote {self.out_dir / 'baseline.csv'}", "", "Feasibility (before optimising):"]
        for check in self.feasibility:
            state = "no bound rules it out" if check.feasible else "IMPOSSIBLE: " + "; ".join(check.problems)
            lines.append(f"  {check.year} {check.method}: published total {check.published_total:.2f}: {state}")
        for check in self.minmax_feasibility:
            verdict = "reachable by the bound" if check.cap is not None and check.published_total <= check.cap else "unreachable"
            lines.append(
                f"  {check.year} min-max in both steps (for comparison): score total cap {check.cap:.2f} vs "
                f"published {check.published_total:.2f}: {verdict}"
            )
        lines += ["", f"Targets (tolerance: weights {WEIGHT_TOLERANCE_PP} pp, scores {SCORE_TOLERANCE} points):"]
        for fit in self.fits:
            lines.append(
                f"  {fit.year}: worst weight error {fit.worst_weight_error_pp:.6f} pp ({fit.worst_weight_indicator}), "
                f"worst score error {fit.worst_score_error:.6f} ({fit.worst_score_zone}), "
                f"ranks {'as published' if fit.ranks_match else 'DIFFER'}: "
                f"{'met' if fit.within_tolerance else 'MISSED'}"
            )
        lines += ["", "Findings:"]
        for check in self.findings:
            lines.append(f"  {check.year} {'true ' if check.holds else 'FALSE'} {check.fact}: {check.observed}")
        lines += ["", f"Identity {IDENTITY_FLOW} = {IDENTITY_STOCK} minus last year's:"]
        held = sum(c.holds for c in self.identity)
        lines.append(f"  held for {held} of {len(self.identity)} zone-years")
        for check in self.identity:
            lines.append(
                f"  {check.year} {check.zone}: change {check.stock_change:g}, added {check.flow:g}: "
                f"{'holds' if check.holds else 'DIFFERS'}"
            )
        lines += ["", "Public figures kept exactly:"]
        for figure, value in self.public_figures:
            state = "kept" if abs(value - figure.value) < 1e-9 else f"NOT kept ({value:,.2f})"
            lines.append(f"  {figure.year} {figure.zone} {figure.indicator} = {figure.value:,.2f}: {state}")
        lines += ["", "Distance from the priors (largest |log(value / prior)|):"]
        for year, (drift, zone, indicator) in sorted(self.prior_drift.items()):
            lines.append(f"  {year}: {drift:.3f}, a factor of {math.exp(drift):.2f} ({zone}, {indicator})")
        change, zone, indicator = self.stock_change
        lines.append(f"  largest 2019->2020 change of a stock: {change:+.1%} ({zone}, {indicator})")
        return "\n".join(lines) + "\n"


def _read_targets_package(data_dir: Path) -> DataPackage:
    """The package's definitions and published numbers, whatever its baseline holds.

    A placeholder baseline (1 everywhere) stands in for ``baseline.csv``, so that a
    broken or missing baseline does not stop its own rebuild.
    """
    tables = {}
    problems = []
    for name in TABLE_FILES:
        if name == "baseline.csv":
            continue
        path = data_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing from {data_dir}")
            continue
        tables[name] = read_csv_rows(path.read_bytes(), name)
    published = data_dir / "published"
    for name in ("weights.csv", "scores.csv"):
        if not (published / name).is_file():
            problems.append(f"published/{name}: missing; calibrate needs the published weights and scores")
    if problems:
        raise DataError(problems, str(data_dir))
    zone_ids = [row["id"] for row in tables["zones.csv"]]
    indicator_ids = [row["id"] for row in tables["indicators.csv"]]
    tables["baseline.csv"] = [
        {"year": str(year), "zone": zone, "indicator": indicator, "value": "1", "source": "", "_line": "0"}
        for year in _published_years(published)
        for zone in zone_ids
        for indicator in indicator_ids
    ]
    method_data = None
    if (data_dir / "method.yaml").is_file():
        method_data, _ = load_yaml((data_dir / "method.yaml").read_bytes(), "method.yaml", DataError)
    return build_package(tables, method_data, published=_published_tables(published), root=data_dir)


def _published_years(published: Path) -> list[int]:
    rows = read_csv_rows((published / "weights.csv").read_bytes(), "published/weights.csv")
    return sorted({int(row["year"]) for row in rows})


def _published_tables(published: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        weights = pd.DataFrame(read_csv_rows((published / "weights.csv").read_bytes(), "published/weights.csv"))
        wide = weights.assign(weight_pct=weights["weight_pct"].astype(float)).pivot(
            index="year", columns="indicator", values="weight_pct"
        )
        wide.index = wide.index.astype(int)
        scores = pd.DataFrame(read_csv_rows((published / "scores.csv").read_bytes(), "published/scores.csv"))
        scores = scores.assign(
            year=scores["year"].astype(int), score=scores["score"].astype(float), rank=scores["rank"].astype(int)
        )[["year", "zone", "score", "rank"]]
    except (KeyError, ValueError) as exc:
        raise DataError(f"published/: cannot read the published weights or scores ({exc})") from None
    return wide.div(wide.sum(axis=1), axis=0), scores


def calibrate(
    data_dir: str | Path = SHIPPED_DATA,
    out_dir: str | Path | None = None,
    budget: int = DEFAULT_BUDGET,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> CalibrationReport:
    """Rebuild ``baseline.csv`` from the published numbers, the findings and the priors.

    Parameters
    ----------
    data_dir : path
        The data package whose definitions (zones, indicators, method) and
        ``published/`` targets are used (default: the shipped ``data/``).
    out_dir : path, optional
        Where to write; default ``data_dir``. A different folder receives a complete
        package (the definitions are copied next to the new baseline).
    budget : int
        Optimiser iterations per solve (:data:`DEFAULT_BUDGET` reproduces the shipped
        baseline; :data:`QUICK_BUDGET` exercises every step in seconds).
    seed : int
        Seeds the jitter of the optimiser's starting points.
    progress : callable, optional
        Receives a line of text at every stage.

    Returns
    -------
    CalibrationReport

    Raises
    ------
    DataError
        The package is incomplete, or a published target is impossible under the
        package's method (nothing is written then).
    UsageError
        A budget below 1.
    """
    started = time.perf_counter()
    if not isinstance(budget, int) or budget < 1:
        raise UsageError(f"--budget: {budget!r} must be a whole number >= 1")
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else data_dir
    if not data_dir.is_dir():
        raise DataError(f"data folder {data_dir} does not exist (or is not a folder)")
    package = _read_targets_package(data_dir)
    layout = _layout_of(package)
    findings = load_findings(data_dir / "published" / "findings.yaml", layout.zones, layout.indicators)

    feasibility, minmax_feasibility = [], []
    for year in sorted(int(y) for y in package.published_weights.index):
        weights = package.published_weights.loc[year] * 100.0
        scores = package.published_scores[package.published_scores["year"] == year].set_index("zone")["score"]
        feasibility.append(feasibility_problems(year, weights, scores, package.method))
        minmax_feasibility.append(feasibility_problems(year, weights, scores, Method()))
    impossible = [p for check in feasibility for p in check.problems]
    if impossible:
        raise DataError(["the published targets cannot be met with the package's method:"] + impossible, str(data_dir))

    outcomes = reconstruct(package, findings, budget=budget, seed=seed, progress=progress)
    integer = package.indicators["integer"].to_dict()
    text = baseline_csv(layout, outcomes, integer, seed)

    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.resolve() != data_dir.resolve():
        _copy_definitions(data_dir, out_dir)
    write_atomic(out_dir / "baseline.csv", text, force=True)

    from sim.data import load_package

    written = load_package(out_dir)
    fits = measure_fit(written)
    finding_checks = check_findings(written, findings)
    kept = []
    for figure in PUBLIC_FIGURES:
        if figure.year in written.years:
            kept.append((figure, float(written.table(figure.year).at[figure.zone, figure.indicator])))
    drift = {}
    for year, outcome in outcomes.items():
        distance = np.abs(np.log(written.table(year)[list(layout.indicators)].to_numpy() / outcome.prior))
        i, j = np.unravel_index(int(np.argmax(distance)), distance.shape)
        drift[year] = (float(distance[i, j]), layout.zones[i], layout.indicators[j])
    stock_change = _largest_stock_change(written)
    report = CalibrationReport(
        seed=seed,
        budget=budget,
        out_dir=out_dir,
        runtime_seconds=time.perf_counter() - started,
        feasibility=feasibility,
        minmax_feasibility=minmax_feasibility,
        fits=fits,
        findings=finding_checks,
        identity=check_identity(written),
        public_figures=kept,
        prior_drift=drift,
        stock_change=stock_change,
        rounding_weight_errors={y: max(o.rounding_weight_errors.values(), default=0.0) for y, o in outcomes.items()},
    )
    return report


def _largest_stock_change(package: DataPackage) -> tuple[float, str, str]:
    years = package.years
    if len(years) < 2:
        return 0.0, "", ""
    before, after = package.table(years[-2]), package.table(years[-1])
    stocks = [i for i in package.indicator_ids if i not in FLOWS]
    change = (after[stocks] / before[stocks] - 1.0)
    zone, indicator = change.abs().stack().idxmax()
    return float(change.at[zone, indicator]), str(zone), str(indicator)


def _copy_definitions(data_dir: Path, out_dir: Path) -> None:
    """Copy every package file except the baseline, so ``out_dir`` is a full package."""
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_dir() or relative.as_posix() == "baseline.csv" or relative.name.startswith("."):
            continue
        if relative.suffix not in (".csv", ".yaml", ".yml", ".md"):
            continue
        (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / relative, path.read_bytes(), force=True)


# ======================================================================================
# The command: zonesim calibrate
# ======================================================================================


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``zonesim calibrate``."""
    parser.add_argument("--data", metavar="DIR", help="data package to calibrate (default: the shipped data/)")
    parser.add_argument("--out", metavar="DIR", help="where to write baseline.csv (default: the --data folder)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--budget", metavar="N", type=int, default=None,
                      help=f"optimiser iterations per solve (default {DEFAULT_BUDGET}: rebuilds the shipped baseline)")
    size.add_argument("--quick", action="store_true",
                      help=f"a reduced budget ({QUICK_BUDGET}) that runs in seconds; the targets may be missed")
    parser.add_argument("--seed", type=int, default=0, help="seed of the optimiser's starting points (default 0)")
    parser.add_argument("--verbose", action="store_true", help="print progress to stderr")


def command(args: argparse.Namespace) -> int:
    """Run ``zonesim calibrate``: rebuild the baseline and print the report."""
    import sys

    budget = QUICK_BUDGET if getattr(args, "quick", False) else (args.budget if args.budget is not None else DEFAULT_BUDGET)
    if budget < 1:
        raise UsageError(f"--budget: {budget} must be at least 1")
    progress = (lambda message: print(message, file=sys.stderr, flush=True)) if getattr(args, "verbose", False) else None
    report = calibrate(
        data_dir=args.data or SHIPPED_DATA,
        out_dir=args.out,
        budget=budget,
        seed=args.seed,
        progress=progress,
    )
    print(report.to_text(), end="")
    return 0


# ======================================================================================
# Min-max in both steps: a constructive check of the bound
# ======================================================================================


#: Least-squares polishing rounds of :func:`minmax_example` per start.
POLISH_ROUNDS = 3


def minmax_example(
    weights_pct: Sequence[float] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    seed: int = 0,
    attempts: int = 8,
    max_iterations: int = 1000,
) -> np.ndarray:
    """A table whose min-max weights and min-max scores are the targets, if it exists.

    The bound (:func:`minmax_score_total_cap`) only says when targets are
    impossible; this finds an actual min-max table when they are not, which shows
    what such data must look like (for 2019: in most columns three zones near-tied
    at the top).

    Parameters
    ----------
    weights_pct : sequence of float, length n
        Target weights in percent.
    scores : sequence of float, length m
        Target composite scores.
    seed : int
        Seed of the first attempt; attempt ``k`` uses ``seed + k``. The seed picks
        the starting values (about half the starts converge).
    attempts : int
        Starts tried before giving up.
    max_iterations : int
        Iterations of each optimiser call.

    Returns
    -------
    ndarray, shape (m, n)
        Normalised values (each column's min 0 and max 1).

    Raises
    ------
    DataError
        The bound rules the targets out, or no start converged (largest error named).
    """
    w_pct = np.asarray(weights_pct, dtype=np.float64)
    target = np.asarray(scores, dtype=np.float64)
    m, n = len(target), len(w_pct)
    cap = minmax_score_total_cap(w_pct, m)
    if target.sum() > cap:
        raise DataError(
            f"min-max in both steps: the scores can total at most {cap:.2f} points, the targets total "
            f"{target.sum():.2f}: no table exists"
        )
    benefit = np.ones(n, dtype=bool)

    def evaluate(tables: np.ndarray) -> np.ndarray:
        normalized = entropy.normalize(tables, benefit, "minmax")
        divergence = column_divergence(normalized)
        weights = divergence / divergence.sum(axis=-1, keepdims=True)
        scored = 100.0 * (normalized * weights[..., None, :]).sum(axis=-1)
        return np.concatenate([100.0 * weights[..., :-1] - w_pct[:-1], scored - target], axis=-1)

    def jacobian(u: np.ndarray) -> np.ndarray:
        step, k = 1e-7, u.size
        points = np.repeat(u[None], 2 * k, axis=0)
        points[:k] += step * np.eye(k)
        points[k:] -= step * np.eye(k)
        residual = evaluate(points.reshape(-1, m, n))
        return (residual[:k] - residual[k:]).T / (2 * step)

    # The leader holds every column's 1; the 0s go to the others in turn, more
    # often to the lower-scoring ones (shares (100 - score)^2, dealt out by
    # largest remaining share so that they interleave).
    top = int(np.argmax(target))
    share = (100.0 - target) ** 2
    share[top] = 0.0
    share = share / share.sum() * n
    dealt = np.zeros(m)
    zeros = []
    for _ in range(n):
        zone = int(np.argmax(share - dealt))
        zeros.append(zone)
        dealt[zone] += 1.0
    error = np.inf
    with _single_threaded_blas():
        for attempt in range(attempts):
            # drawn by rank, so that the zones' order in the input does not matter
            start = np.empty((m, n))
            start[np.argsort(-target, kind="stable")] = np.random.default_rng(seed + attempt).uniform(0.55, 0.98, (m, n))
            start[top] = 1.0
            start[zeros, np.arange(n)] = 0.0
            anchor = start.ravel()
            result = minimize(
                lambda u: (5e-4 * float(np.sum((u - anchor) ** 2)), 1e-3 * (u - anchor)),
                anchor, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * (m * n),
                constraints=[{"type": "eq", "fun": lambda u: evaluate(u.reshape(1, m, n))[0], "jac": jacobian}],
                options={"maxiter": max_iterations, "ftol": 1e-14},
            )
            # polish: SLSQP stalls where a column's ties switch; least squares, from
            # inside the box (so that no value sits on a bound), less so
            point = np.clip(result.x, 1e-6, 1.0 - 1e-6)
            for _ in range(POLISH_ROUNDS):
                point = least_squares(
                    lambda u: evaluate(u.reshape(1, m, n))[0], point, jac=jacobian,
                    bounds=(0.0, 1.0), method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=max_iterations,
                ).x
                error = float(np.abs(evaluate(point.reshape(1, m, n))[0]).max())
                if error <= 1e-6:
                    return entropy.normalize(point.reshape(m, n), benefit, "minmax")
                point = np.clip(point, 1e-6, 1.0 - 1e-6)
    raise DataError(f"min-max in both steps: no table found in {attempts} starts (largest error {error:.2g})")
