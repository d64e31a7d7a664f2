"""``calibrate``: read the inputs, check them, reconstruct, write ``baseline.csv``, verify.

:func:`calibrate` runs these named steps:

1. :func:`read_inputs`: the package's definitions and published numbers
   (:func:`read_targets_package`, whatever its baseline holds), the findings
   and the priors;
2. :func:`check_targets`: the targets can be met at all under the package's
   method (nothing is optimised or written otherwise);
3. :func:`sim.calibrate.reconstruct.reconstruct`: the table of every year;
4. :func:`write_package`: ``baseline.csv`` (:func:`baseline_csv`), in a complete
   package when ``out_dir`` is another folder;
5. :func:`verify`: the written package loaded and scored, in a
   :class:`~sim.calibrate.report.CalibrationReport`.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.feasibility import FeasibilityCheck, feasibility_problems
from sim.calibrate.findings import Findings, check_findings, load_findings
from sim.calibrate.priors import Priors, load_priors
from sim.calibrate.problem import Layout
from sim.calibrate.reconstruct import (
    DEFAULT_BUDGET,
    IDENTITY_FLOW,
    IDENTITY_STOCK,
    YearOutcome,
    layout_of,
    reconstruct,
)
from sim.calibrate.report import CalibrationReport, check_identity, largest_stock_change, measure_fit
from sim.calibrate.rounding import format_value
from sim.data import SHIPPED_DATA, TABLE_FILES, DataPackage, build_package, load_package, read_csv_rows
from sim.errors import DataError, UsageError
from sim.method.options import Method
from sim.provenance import SOURCE_PINNED, SOURCE_RECONSTRUCTED  # read back by sim.provenance
from sim.yamlio import load_yaml, write_atomic

#: File types copied into a new package folder next to the rebuilt baseline.
COPIED_SUFFIXES = (".csv", ".yaml", ".yml", ".md")


@dataclass(frozen=True)
class Inputs:
    """Everything the calibration reads: package (targets), layout, findings, priors."""

    package: DataPackage
    layout: Layout
    findings: Findings
    priors: Priors


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
        The data package whose definitions (zones, indicators, method),
        ``published/`` targets and calibration inputs (priors, bands, public
        figures) are used (default: the shipped ``data/``).
    out_dir : path, optional
        Where to write; default ``data_dir``. A different folder receives a complete
        package (the definitions are copied next to the new baseline).
    budget : int
        Optimiser iterations per solve (:data:`DEFAULT_BUDGET` reproduces the shipped
        baseline; ``QUICK_BUDGET`` exercises every step in seconds).
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
        The package or its calibration inputs are incomplete or invalid, or a
        published target is impossible under the package's method (nothing is
        written then).
    UsageError
        A budget below 1.
    """
    started = time.perf_counter()
    if not isinstance(budget, int) or budget < 1:
        raise UsageError(f"--budget: {budget!r} must be a whole number >= 1")
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else data_dir
    inputs = read_inputs(data_dir)
    feasibility, minmax_feasibility = check_targets(inputs.package, data_dir)
    outcomes = reconstruct(inputs.package, inputs.findings, inputs.priors, budget=budget, seed=seed, progress=progress)
    integer = inputs.package.indicators["integer"].to_dict()
    write_package(data_dir, out_dir, baseline_csv(inputs.layout, outcomes, integer, inputs.priors, seed))
    report = verify(out_dir, inputs, outcomes)
    return CalibrationReport(
        seed=seed,
        budget=budget,
        out_dir=out_dir,
        runtime_seconds=time.perf_counter() - started,
        feasibility=feasibility,
        minmax_feasibility=minmax_feasibility,
        rounding_weight_errors={y: max(o.rounding_weight_errors.values(), default=0.0) for y, o in outcomes.items()},
        **report,
    )


def read_inputs(data_dir: Path) -> Inputs:
    """The targets package, its findings and its priors (every input problem raised together per file)."""
    if not data_dir.is_dir():
        raise DataError(f"data folder {data_dir} does not exist (or is not a folder)")
    package = read_targets_package(data_dir)
    layout = layout_of(package)
    findings = load_findings(data_dir / "published" / "findings.yaml", layout.zones, layout.indicators)
    years = sorted(int(y) for y in package.published_weights.index)
    priors = load_priors(data_dir, layout.zones, layout.indicators, years)
    return Inputs(package, layout, findings, priors)


def check_targets(package: DataPackage, data_dir: Path) -> tuple[list[FeasibilityCheck], list[FeasibilityCheck]]:
    """Feasibility of every year under the package's method, and under min-max (for the report).

    Raises
    ------
    DataError
        A target is impossible under the package's method.
    """
    feasibility, minmax_feasibility = [], []
    for year in sorted(int(y) for y in package.published_weights.index):
        weights = package.published_weights.loc[year] * 100.0
        scores = package.published_scores[package.published_scores["year"] == year].set_index("zone")["score"]
        feasibility.append(feasibility_problems(year, weights, scores, package.method))
        minmax_feasibility.append(feasibility_problems(year, weights, scores, Method()))
    impossible = [p for check in feasibility for p in check.problems]
    if impossible:
        raise DataError(["the published targets cannot be met with the package's method:"] + impossible, str(data_dir))
    return feasibility, minmax_feasibility


def baseline_csv(
    layout: Layout, outcomes: Mapping[int, YearOutcome], integer: Mapping[str, bool], priors: Priors, seed: int | str
) -> str:
    """The text of ``baseline.csv``: year, then zones, then indicators in package order.

    Every row's ``source`` says it is reconstructed, or names the public figure
    kept exactly, and notes where the identity holds.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["year", "zone", "indicator", "value", "source"])
    for year in sorted(outcomes):
        values = outcomes[year].values
        for i, zone in enumerate(layout.zones):
            for j, indicator in enumerate(layout.indicators):
                figure = priors.exact_figure(year, zone, indicator)
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


def write_package(data_dir: Path, out_dir: Path, baseline_text: str) -> None:
    """Write ``baseline.csv`` into ``out_dir``, with a copy of the definitions when it is another folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.resolve() != data_dir.resolve():
        _copy_definitions(data_dir, out_dir)
    write_atomic(out_dir / "baseline.csv", baseline_text, force=True)


def verify(out_dir: Path, inputs: Inputs, outcomes: Mapping[int, YearOutcome]) -> dict:
    """Load and score the written package: the measured fields of :class:`CalibrationReport`."""
    written = load_package(out_dir)
    layout = inputs.layout
    kept = [
        (figure, float(written.table(figure.year).at[figure.zone, figure.indicator]))
        for figure in inputs.priors.exact
        if figure.year in written.years
    ]
    drift = {}
    for year, outcome in outcomes.items():
        distance = np.abs(np.log(written.table(year)[list(layout.indicators)].to_numpy() / outcome.prior))
        i, j = np.unravel_index(int(np.argmax(distance)), distance.shape)
        drift[year] = (float(distance[i, j]), layout.zones[i], layout.indicators[j])
    return {
        "fits": measure_fit(written),
        "findings": check_findings(written, inputs.findings),
        "identity": check_identity(written),
        "public_figures": kept,
        "prior_drift": drift,
        "stock_change": largest_stock_change(written, inputs.priors.flows),
    }


def read_targets_package(data_dir: Path) -> DataPackage:
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
    """The years of ``published/weights.csv``."""
    rows = read_csv_rows((published / "weights.csv").read_bytes(), "published/weights.csv")
    return sorted({int(row["year"]) for row in rows})


def _published_tables(published: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table 1 as fractions (years x indicators) and the published scores and ranks."""
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


def _copy_definitions(data_dir: Path, out_dir: Path) -> None:
    """Copy every package file except the baseline, so ``out_dir`` is a full package."""
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_dir() or relative.as_posix() == "baseline.csv" or relative.name.startswith("."):
            continue
        if relative.suffix not in COPIED_SUFFIXES:
            continue
        (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / relative, path.read_bytes(), force=True)
