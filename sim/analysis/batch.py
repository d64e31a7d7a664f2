"""A scenario as a batched numpy model: thousands of candidate tables in one call.

The analyses (goal-seek, levers, robustness) score many variants of one scenario's
table. Going through :func:`sim.engine.run_scenario` for each would cost
milliseconds per variant; this module reproduces the engine's arithmetic on arrays
shaped ``(batch, zones, indicators)`` instead:

1. the scenario's interventions, applied in file order (``pre``: before links);
2. the analysis' own changes on top of ``pre``;
3. links (the package's identity links, then the scenario's), once, relative to
   the baseline year's table, exactly as :func:`sim.engine.apply_scenario` does;
4. counts rounded half away from zero;
5. validity: every value within its indicator's ``min``/``max`` and, under the
   ``ratio`` normalisation, positive;
6. scores through :func:`sim.method.entropy.entropy_scores` with the scenario's
   method (weight mode and goalposts resolved as :func:`sim.method.scoring.score_table`
   does).

The answers of the analyses are always checked against the engine itself; the test
suite checks that this model and the engine agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.data import DataPackage
from sim.engine import apply_scenario
from sim.errors import UsageError
from sim.links import link_order
from sim.method import entropy
from sim.method.options import Method
from sim.scenario import Scenario, baseline_scenario
from sim.text import did_you_mean

_MINMAX_FAMILY = ("minmax", "minmax-shift")


@dataclass(frozen=True)
class LinkRule:
    """A link as column positions: ``target`` follows ``source`` (see :mod:`sim.links`)."""

    source: int
    target: int
    elasticity: float | None
    additive: float | None


@dataclass(frozen=True, eq=False)
class ScenarioModel:
    """One scenario of one year, ready for batched evaluation.

    Attributes
    ----------
    package : DataPackage
    scenario : Scenario
    method : Method
        The scenario's full method.
    zones, indicators : list of str
        Row and column ids of every array below.
    base : ndarray, shape (m, n)
        The baseline year's table (links are measured against it).
    pre : ndarray, shape (m, n)
        The table after the scenario's interventions, before links.
    values : ndarray, shape (m, n)
        The scenario's applied table (after links and rounding), as the engine gives it.
    is_benefit, is_integer : ndarray of bool, shape (n,)
    col_min, col_max : ndarray, shape (n,)
        Valid range (``-inf``/``inf`` when unbounded).
    links : tuple of LinkRule
        In the order the engine applies them.
    fixed_weights : ndarray or None
        The weights when the method does not recompute them from the scored data.
    lower, upper : ndarray or None
        Fixed goalposts (``goalposts: baseline``), shape (1, n).
    needs_positive : bool
        Whether the method uses ``ratio`` (every value must then be > 0).
    """

    package: DataPackage
    scenario: Scenario
    method: Method
    zones: list[str]
    indicators: list[str]
    base: np.ndarray
    pre: np.ndarray
    values: np.ndarray
    is_benefit: np.ndarray
    is_integer: np.ndarray
    col_min: np.ndarray
    col_max: np.ndarray
    links: tuple[LinkRule, ...]
    fixed_weights: np.ndarray | None
    lower: np.ndarray | None
    upper: np.ndarray | None
    needs_positive: bool

    @property
    def year(self) -> int:
        return self.scenario.year

    def zone_row(self, zone: str) -> int:
        """Row of a zone id; a clear :class:`UsageError` (with a suggestion) otherwise."""
        if zone not in self.zones:
            raise UsageError(f"unknown zone {zone!r}{did_you_mean(zone, self.zones)}")
        return self.zones.index(zone)

    def column(self, indicator: str) -> int:
        """Column of an indicator id; a clear :class:`UsageError` otherwise."""
        if indicator not in self.indicators:
            raise UsageError(f"unknown indicator {indicator!r}{did_you_mean(indicator, self.indicators)}")
        return self.indicators.index(indicator)

    def finish(self, tables: np.ndarray, relax: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Links, rounding and validity for tables of pre-link values.

        Parameters
        ----------
        tables : ndarray, shape (B, m, n)
            Pre-link values (the scenario's and the analysis' changes applied);
            modified in place and returned.
        relax : bool
            Skip the rounding of counts (a continuous relaxation for optimisers).

        Returns
        -------
        tables : ndarray, shape (B, m, n)
        valid : ndarray of bool, shape (B,)
            False where the engine would refuse the table.
        """
        x = tables
        valid = np.ones(x.shape[0], dtype=bool)
        for link in self.links:
            before = self.base[:, link.source]
            after = x[..., link.source]
            changed = after != before
            target = x[..., link.target]
            if link.elasticity is not None:
                zero = changed & (before == 0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    factor = 1.0 + link.elasticity * (after / before - 1.0)
                x[..., link.target] = np.where(changed & ~zero, target * factor, target)
                valid &= ~zero.any(axis=-1)
            else:
                x[..., link.target] = np.where(changed, target + link.additive * (after - before), target)
        if not relax and self.is_integer.any():
            counts = x[..., self.is_integer]
            x[..., self.is_integer] = np.sign(counts) * np.floor(np.abs(counts) + 0.5) + 0.0
        valid &= np.isfinite(x).all(axis=(-2, -1))
        valid &= (x >= self.col_min).all(axis=(-2, -1)) & (x <= self.col_max).all(axis=(-2, -1))
        if self.needs_positive:
            valid &= (x > 0).all(axis=(-2, -1))
        return x, valid

    def score(self, tables: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weights and scores of finished tables under the scenario's method.

        Invalid tables (``valid`` False) get NaN scores; they are scored on the
        scenario's own table instead, so that no warning or error arises.

        Returns
        -------
        weights : ndarray, shape (B, n)
        scores : ndarray, shape (B, m)
        """
        x = tables
        if valid is not None and not valid.all():
            x = np.where(valid[:, None, None], x, self.values)
        with np.errstate(divide="ignore", invalid="ignore"):
            weights, scores = entropy.entropy_scores(
                x,
                self.is_benefit,
                self.method.normalization,
                self.method.scoring,
                weights=self.fixed_weights,
                lower=self.lower,
                upper=self.upper,
            )
        if valid is not None and not valid.all():
            scores = np.where(valid[:, None], scores, np.nan)
        return weights, scores

    def evaluate(self, tables: np.ndarray, relax: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`finish` then :meth:`score`: ``(weights, scores, valid)``."""
        finished, valid = self.finish(tables, relax)
        weights, scores = self.score(finished, valid)
        return weights, scores, valid & np.isfinite(scores).all(axis=-1)

    def tile_pre(self, count: int) -> np.ndarray:
        """``count`` fresh copies of the pre-link table, shape (count, m, n)."""
        return np.repeat(self.pre[None, :, :], count, axis=0)


def build_model(package: DataPackage, scenario: Scenario | None = None, year: int | None = None) -> ScenarioModel:
    """The batched model of a scenario (default: the baseline of ``year``).

    The scenario is validated by applying it with the engine first, so an invalid
    scenario raises the engine's own :class:`~sim.errors.ScenarioError`.

    Raises
    ------
    UsageError
        ``year`` contradicts the scenario's year.
    SimError
        The scenario cannot be applied or scored.
    """
    if scenario is None:
        scenario = baseline_scenario(package, year)
    elif year is not None and int(year) != scenario.year:
        raise UsageError(
            f"--year {year} contradicts the scenario's year {scenario.year}; leave --year out with a scenario"
        )
    method = scenario.method(package)
    applied = apply_scenario(package, scenario)
    base_frame = package.table(scenario.year)
    zones, indicators = list(base_frame.index), list(base_frame.columns)
    base = np.ascontiguousarray(base_frame.to_numpy(dtype=np.float64))
    pre = base.copy()
    # The engine applies interventions in file order on the running values.
    for intervention in scenario.interventions:
        for zone in intervention.zone_ids(package.zone_ids):
            row = zones.index(zone)
            for indicator in intervention.indicators:
                col = indicators.index(indicator)
                pre[row, col] = intervention.new_value(pre[row, col])
    meta = package.indicators.loc[indicators]
    ordered, _ = link_order([*package.links, *scenario.links])
    links = tuple(
        LinkRule(indicators.index(link.source), indicators.index(link.target), link.elasticity, link.additive)
        for link in ordered or []
    )
    fixed_weights = None
    if method.weights != "recompute":
        fixed_weights = package.score(scenario.year, method).weights[indicators].to_numpy(dtype=np.float64)
    lower = upper = None
    if method.goalposts == "baseline":
        lower = base.min(axis=0, keepdims=True)
        upper = base.max(axis=0, keepdims=True)
    values = np.ascontiguousarray(applied.values.loc[zones, indicators].to_numpy(dtype=np.float64))
    model = ScenarioModel(
        package=package,
        scenario=scenario,
        method=method,
        zones=zones,
        indicators=indicators,
        base=base,
        pre=pre,
        values=values,
        is_benefit=(meta["direction"] == "benefit").to_numpy(),
        is_integer=meta["integer"].to_numpy(dtype=bool),
        col_min=meta["min"].fillna(-np.inf).to_numpy(dtype=np.float64),
        col_max=meta["max"].fillna(np.inf).to_numpy(dtype=np.float64),
        links=links,
        fixed_weights=fixed_weights,
        lower=lower,
        upper=upper,
        needs_positive="ratio" in (method.normalization, method.scoring),
    )
    # Score the scenario itself once through the engine's scorer: a table the method
    # cannot score (e.g. a zero under ratio) is reported here, with the engine's words.
    package.score(scenario.year, method, values=applied.values)
    return model


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks as the engine gives them (1 = best, ties share the better rank)."""
    return entropy.ranks(scores)


def ordinal_ranks(scores: np.ndarray, tolerance: float = entropy.RANK_TIE_TOLERANCE) -> np.ndarray:
    """Ranks with ties broken by zone order, so each draw is a permutation of 1..m.

    Rank probabilities built from these add up to 1 per zone *and* per rank.

    Parameters
    ----------
    scores : ndarray, shape (..., m)

    Returns
    -------
    ndarray of int, shape (..., m)
    """
    s = np.asarray(scores, dtype=np.float64)
    m = s.shape[-1]
    other, own = s[..., None, :], s[..., :, None]
    better = other > own + tolerance
    tied = np.abs(other - own) <= tolerance
    earlier = np.tri(m, m, -1, dtype=bool)  # earlier[i, o]: zone o comes before zone i
    return 1 + better.sum(axis=-1) + (tied & earlier).sum(axis=-1)


def frame_of(model: ScenarioModel, array: np.ndarray) -> pd.DataFrame:
    """A zones x indicators array as a labelled frame."""
    return pd.DataFrame(array, index=model.zones, columns=model.indicators)


def parse_percent(text: str | float, what: str) -> float:
    """``"50%"``, ``"+50%"`` or ``50`` -> 50.0 (a percent), with a clear error.

    Raises
    ------
    UsageError
    """
    raw = str(text).strip()
    number = raw[:-1].strip() if raw.endswith("%") else raw
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a percentage; write e.g. 50%") from None
    if not np.isfinite(value):
        raise UsageError(f"{what}: {text!r} is not a finite percentage")
    return value


def split_ids(text: str | Sequence[str] | None) -> list[str] | None:
    """``"a,b, c"`` -> ``["a", "b", "c"]``; None stays None."""
    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    return [item.strip() for item in items if item.strip()]
