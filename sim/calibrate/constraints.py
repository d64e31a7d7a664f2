"""The constraints of one year besides the targets: bounds and orders.

* :func:`log_bounds`: hard bounds of every value (the valid range of
  ``indicators.csv``, the plausible bands of ``published/bands.csv``, a factor
  around the prior, the city-level caps of ``published/public_figures.csv``);
* :func:`rank_pairs`: which zone stays ahead of which on every indicator (the
  priors' order, adjusted the least needed to make every finding true);
* :func:`group_pairs`: which zones stay ahead of the finding's zone in its groups.
"""

from __future__ import annotations

import numpy as np

from sim.calibrate.findings import Findings
from sim.calibrate.priors import Priors
from sim.calibrate.problem import Layout, evaluate
from sim.data import DataPackage

#: Every value without a tighter bound stays within this factor of its prior.
PRIOR_FACTOR_BOUND = 3.0


def log_bounds(
    package: DataPackage, layout: Layout, priors: Priors, prior: np.ndarray, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hard bounds of the log values of one year, each shape (m, n).

    Parameters
    ----------
    package : DataPackage
        Its indicators' valid ranges (``min``, ``max``).
    layout : Layout
    priors : Priors
        Its bands and upper-bound figures.
    prior : ndarray, shape (m, n)
        The year's prior table.
    year : int
    """
    lower = prior / PRIOR_FACTOR_BOUND
    upper = prior * PRIOR_FACTOR_BOUND
    for j, indicator in enumerate(layout.indicators):
        low, high = package.indicators.at[indicator, "min"], package.indicators.at[indicator, "max"]
        band_low, band_high = priors.bands.get(indicator, (0.0, np.inf))
        floor = max(band_low, 0.0 if np.isnan(low) else low, layout.quantum[j])
        ceiling = min(band_high, np.inf if np.isnan(high) else high)
        lower[:, j] = np.clip(lower[:, j], floor, ceiling)
        upper[:, j] = np.clip(upper[:, j], floor, ceiling)
    for cap in priors.caps:
        if cap.year == year and cap.zone in layout.zones and cap.indicator in layout.indicators:
            cell = layout.zones.index(cap.zone), layout.indicators.index(cap.indicator)
            upper[cell] = min(upper[cell], cap.value)
            lower[cell] = min(lower[cell], upper[cell])
    return np.log(lower), np.log(upper)


def rank_pairs(
    layout: Layout, findings: Findings, year: int, prior: np.ndarray, keep_prior_order: bool = True
) -> np.ndarray:
    """(indicator, better zone, worse zone) triples that make every rank fact true.

    With ``keep_prior_order`` every indicator keeps the prior's order of the zones
    (which zone leads which comes from the priors, only magnitudes move), except that
    a zone named in a fact is moved the least needed to make the fact true. Without
    it, only the fact's zone is constrained: against the zones the prior ranks
    highest (lowest), so the constraints disturb the prior as little as possible.

    Returns
    -------
    ndarray of int, shape (k, 3)
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
            position = min(max(_zones_ahead(prior[:, j] * sign, zone), fact.best - 1), fact.worst - 1)
            if keep_prior_order:
                ranked.insert(position, zone)
            else:
                pairs += [(j, i, zone) for i in ranked[: fact.best - 1]]
                pairs += [(j, zone, i) for i in ranked[fact.worst - 1 :]]
        if keep_prior_order:
            pairs += [(j, better, worse) for better, worse in zip(ranked, ranked[1:])]
    return np.array(sorted(set(pairs)), dtype=int).reshape(-1, 3)


def _zones_ahead(oriented: np.ndarray, zone: int) -> int:
    """How many zones are strictly ahead of ``zone`` (its rank minus one)."""
    return int((oriented > oriented[zone]).sum())


def group_pairs(layout: Layout, findings: Findings, year: int, prior: np.ndarray) -> np.ndarray:
    """(group, better zone, worse zone) triples for the group-rank facts.

    Every group where the prior already ranks the zone inside the range is kept
    there, and more groups (those where it ranks worst) until ``at_least`` is met.

    Returns
    -------
    ndarray of int, shape (k, 3)
    """
    groups = evaluate(layout, np.log(prior)[None])["groups"][0]
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
