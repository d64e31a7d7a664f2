"""How well a rebuilt baseline meets its targets, and the report ``zonesim calibrate`` prints.

Everything here measures the *written* package, loaded and scored with the
ordinary scorer, so the report speaks of the file a person will use.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sim.calibrate.feasibility import FeasibilityCheck
from sim.calibrate.findings import FindingCheck
from sim.calibrate.priors import PublicFigure
from sim.calibrate.reconstruct import IDENTITY_FLOW, IDENTITY_STOCK
from sim.data import DataPackage

#: Acceptance tolerances: half a unit of the last printed digit.
WEIGHT_TOLERANCE_PP = 0.005
SCORE_TOLERANCE = 0.005


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
        """Weights and scores within half a printed unit, ranks as published."""
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
        """Whether the net increase equals the change of the stock exactly."""
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
        """Every year within tolerance and every finding true."""
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


def largest_stock_change(package: DataPackage, flows: Collection[str]) -> tuple[float, str, str]:
    """Largest relative change of a stock between the last two years: (change, zone, indicator)."""
    years = package.years
    if len(years) < 2:
        return 0.0, "", ""
    before, after = package.table(years[-2]), package.table(years[-1])
    stocks = [i for i in package.indicator_ids if i not in flows]
    change = (after[stocks] / before[stocks] - 1.0)
    zone, indicator = change.abs().stack().idxmax()
    return float(change.at[zone, indicator]), str(zone), str(indicator)
