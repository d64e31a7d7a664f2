"""Several scenarios side by side, as a planner reads them: compact tables for the Compare tab.

- :func:`same_results`: scenarios that must give the same numbers (same year, method,
  interventions and links), so a default selection never shows one twice;
- :func:`ranking_matrix`: zones down, the baseline and each scenario across, one
  cell per scenario ("63.42 (3) ▲1"): six scenarios fit a 1024 px screen;
- :func:`inputs_matrix`: what each scenario changes, side by side (year, method,
  each changed zone and indicator, assumption links).

Tables hold text for reading (2 decimals); the downloads keep full precision
(:func:`sim.report.comparison_csv`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.data import DataPackage
from sim.engine import Result
from sim.i18n import option_label, t
from sim.report import rank_arrow
from sim.scenario import Intervention, Scenario, format_percent


def signature(scenario: Scenario) -> tuple:
    """What a scenario's numbers depend on: year, method options, interventions and links (not names)."""
    changes = tuple((i.zones, i.indicators, i.amount, i.percent, i.to) for i in scenario.interventions)
    return scenario.year, repr(sorted(scenario.method_options.items(), key=str)), changes, tuple(map(repr, scenario.links))


def same_results(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios must give the same numbers (whatever their names and notes)."""
    return signature(a) == signature(b)


def is_baseline(scenario: Scenario) -> bool:
    """A scenario that changes nothing: it scores as the baseline of its year and method."""
    return not scenario.interventions


def cell_text(score: float, rank: int, change: int | None) -> str:
    """``63.42 (3) ▲1``: score, rank, and the rank change against the baseline (none for the baseline)."""
    return f"{score:.2f} ({rank})" + ("" if change is None else f" {rank_arrow(change)}")


def ranking_matrix(results: Sequence[Result], package: DataPackage, lang: str, labels: Sequence[str]) -> pd.DataFrame:
    """Zones (in the first result's baseline order) down; the baseline of each year, then each scenario, across.

    Parameters
    ----------
    labels : sequence of str
        The scenarios' column headers (``[1]``, ``[2]``, ...).
    """
    zones = list(results[0].baseline.scores.sort_values(ascending=False, kind="stable").index)
    frame = pd.DataFrame({t("col_zone", lang): [package.name("zone", z, lang) for z in zones]})
    years = sorted({r.year for r in results})
    for year in years:
        first = next(r for r in results if r.year == year)
        header = t("series_baseline", lang) + (f" {year}" if len(years) > 1 else "")
        frame[header] = [cell_text(float(first.baseline.scores[z]), int(first.baseline.ranks[z]), None) for z in zones]
    for label, result in zip(labels, results):
        frame[label] = [cell_text(float(result.scored.scores[z]), int(result.scored.ranks[z]),
                                  int(result.rank_change[z])) for z in zones]
    return frame


def change_text(item: Intervention, lang: str) -> str:
    """One intervention's change in words: ``+100%``, ``+3``, ``= 120`` (zh ``设为 120``)."""
    if item.to is not None:
        return t("set_to", lang, value=f"{item.to:g}")
    if item.percent is not None:
        return format_percent(item.percent)
    return f"{item.amount:+g}"


def inputs_matrix(scenarios: Sequence[Scenario], package: DataPackage, lang: str,
                  labels: Sequence[str]) -> pd.DataFrame:
    """What each scenario changes, one column per scenario: year, method, each changed cell, links.

    A cell that a scenario changes twice lists both changes in file order; "all zones"
    counts for every zone.
    """
    rows: dict[str, list[str]] = {t("row_year", lang): [str(s.year) for s in scenarios]}
    options = sorted({key for s in scenarios for key in s.method_options}, key=str)
    for key in options:
        rows[t(key, lang)] = [_option_text(s.method_options[key], key, lang) if key in s.method_options
                              else t("row_default", lang) for s in scenarios]
    cells: dict[tuple[str, str], list[list[str]]] = {}
    for position, scenario in enumerate(scenarios):
        for item in scenario.interventions:
            for zone in item.zone_ids(package.zone_ids):
                for indicator in item.indicators:
                    changes = cells.setdefault((zone, indicator), [[] for _ in scenarios])
                    changes[position].append(change_text(item, lang))
    order = {z: i for i, z in enumerate(package.zone_ids)} | {i: k for k, i in enumerate(package.indicator_ids)}
    for (zone, indicator), changes in sorted(cells.items(), key=lambda c: (order[c[0][0]], order[c[0][1]])):
        name = f"{package.name('zone', zone, lang)} · {package.name('indicator', indicator, lang)}"
        rows[name] = [t("then", lang).join(c) for c in changes]
    links = sorted({link for s in scenarios for link in s.links}, key=repr)
    for link in links:
        name = t("row_link", lang, source=package.name("indicator", link.source, lang),
                 target=package.name("indicator", link.target, lang))
        rows[name] = [_link_text(link, lang) if link in s.links else "" for s in scenarios]
    return pd.DataFrame([[name, *values] for name, values in rows.items()],
                        columns=[t("col_input", lang), *labels])


def _option_text(value, key: str, lang: str) -> str:
    return option_label(value if isinstance(value, str) else "explicit", lang, key)


def _link_text(link, lang: str) -> str:
    if link.elasticity is not None:
        return t("link_elasticity", lang, value=f"{link.elasticity:g}")
    return t("link_additive", lang, value=f"{link.additive:g}")
