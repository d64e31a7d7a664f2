"""The paper's facts about single indicators and groups (``published/findings.yaml``).

:func:`load_findings` reads them as constraints for the solver
(:mod:`sim.calibrate.constraints`); :func:`check_findings` checks them on a scored
baseline for the report and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.data import DataPackage
from sim.errors import DataError
from sim.method import entropy
from sim.method.options import Method
from sim.yamlio import load_yaml


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

