"""Plans as text, CSV and JSON: what ``zonesim run`` and ``zonesim compare`` print for plans.

Every word comes from the catalogue (``sim/locale/plan.yaml``) in the reader's language,
zones and indicators by their names; numbers keep full precision in CSV and JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sim.data import DataPackage
from sim.i18n import option_label
from sim.messages import Message, Ref, msg, render, text
from sim.plan.result import BASELINE, PATHS, PLAN, PlanResult
from sim.plan.schema import GROWTH, Timing, TrendRule
from sim.scenario import Intervention, Scenario
from sim.report import comparison_frame, comparison_table, csv_text, format_table, to_json


def _t(key: str, lang: str, **params) -> str:
    return text(f"plan.{key}", lang, **params)


def plan_name(result: PlanResult, lang: str) -> str:
    scenario = result.scenario
    return scenario.name_zh if lang == "zh" and scenario.name_zh else scenario.name


def rule_words(rule: TrendRule) -> Message:
    """``hold`` / ``observed change`` / ``+8% a year`` in words."""
    if rule.kind == GROWTH:
        return msg("plan.rule_growth", percent=rule.text())
    return msg(f"plan.rule_{rule.kind}")


def trend_words(result: PlanResult) -> Message:
    """The baseline trend in one line: default, then per indicator, then per zone."""
    trend = result.scenario.plan.trend
    parts = [msg("plan.trend_default", rule=rule_words(trend.default))]
    parts += [msg("plan.trend_indicator", indicator=Ref("indicator", i), rule=rule_words(r)) for i, r in trend.indicators]
    parts += [msg("plan.trend_cell", zone=Ref("zone", z), indicator=Ref("indicator", i), rule=rule_words(r))
              for z, rules in trend.zones for i, r in rules]
    return msg("plan.trend_line", rules=parts)


def timing_words(item: Intervention, scenario: Scenario) -> Message:
    """When an intervention of a plan applies, in words (``every year from 2022 to 2024, ...``).

    Without timing keys an intervention is a one-off step in the first projected year
    that stays (DESIGN section 4); ``each_year`` repeats it every year from ``from`` to
    ``until`` (the horizon by default), and the level reached stays after ``until``.
    """
    timing = item.timing or Timing()
    start = timing.start if timing.start is not None else scenario.year + 1
    if not timing.each_year:
        return msg("plan.timing_once", start=start)
    horizon = scenario.plan.horizon if scenario.plan else start
    until = timing.until if timing.until is not None else horizon
    if until >= horizon:
        return msg("plan.timing_each", start=start, until=until)
    return msg("plan.timing_each_held", start=start, until=until)


def method_words(result: PlanResult, lang: str) -> str:
    method = result.method
    weights = method.weights if isinstance(method.weights, str) else "explicit"
    return _t("method_line", lang, normalization=option_label(method.normalization, lang),
              scoring=option_label(method.scoring, lang), weights=option_label(weights, lang),
              goalposts=option_label(method.goalposts, lang, kind="goalposts"), year=result.start_year)


def year_tables(result: PlanResult, package: DataPackage,
                lang: str = "en") -> tuple[list[str], list[list[str]], list[list[str]]]:
    """The year-by-year tables of a plan, as text cells: ``(headers, rank_rows, score_rows)``.

    One row per zone (in the order of the plan's ranking at the horizon), one column per
    year (the observed year first). A projected year's rank cell is ``plan (baseline
    path)``, e.g. ``2 (3)``; its score cell ``score (change against the baseline path)``,
    e.g. ``63.42 (+1.20)``; the observed year shows the one rank and score both paths
    start from. The command line, the brief and the app's Plan tab show these same cells.
    """
    names = package.name
    years = [result.start_year, *result.years]
    plan_ranks, base_ranks = result.ranks(PLAN), result.ranks(BASELINE)
    plan_scores, base_scores = result.scores(PLAN), result.scores(BASELINE)
    order = list(plan_ranks.loc[result.horizon].sort_values(kind="stable").index)
    rank_rows, score_rows = [], []
    for zone in order:
        ranks, scores = [names("zone", zone, lang)], [names("zone", zone, lang)]
        for year in years:
            if year == result.start_year:
                ranks.append(str(int(plan_ranks.at[year, zone])))
                scores.append(f"{plan_scores.at[year, zone]:.2f}")
            else:
                ranks.append(f"{int(plan_ranks.at[year, zone])} ({int(base_ranks.at[year, zone])})")
                delta = round(float(plan_scores.at[year, zone] - base_scores.at[year, zone]), 2) + 0.0
                scores.append(f"{plan_scores.at[year, zone]:.2f} ({delta:+.2f})")
        rank_rows.append(ranks)
        score_rows.append(scores)
    headers = [_t("col_zone", lang), *(_t("col_observed", lang, year=y) if y == result.start_year else str(y)
                                       for y in years)]
    return headers, rank_rows, score_rows


def plan_table(result: PlanResult, package: DataPackage, lang: str = "en") -> str:
    """The year-by-year report: ranks and scores per zone and year (plan and baseline path),
    the years in which ranks change, notes and warnings, and what the data are."""
    names = package.name
    headers, rank_rows, score_rows = year_tables(result, package, lang)
    lines = [
        _t("title", lang, name=plan_name(result, lang), year=result.start_year, horizon=result.horizon),
        render(trend_words(result), lang, names),
        method_words(result, lang),
        "",
        _t("ranks_heading", lang),
        format_table(headers, rank_rows),
        "",
        _t("scores_heading", lang),
        format_table(headers, score_rows),
        "",
        _t("changes_heading", lang),
    ]
    for path in (PLAN, BASELINE):
        events = result.overtakes(path)
        shown = "；".join if lang == "zh" else "; ".join
        said = shown(render(e.describe(), lang, names) for e in events) if events else _t("no_change", lang)
        lines.append("  " + _t(f"path_{path}", lang) + ("：" if lang == "zh" else ": ") + said)
    if result.notes:
        lines += ["", _t("notes_heading", lang)] + [f"  - {render(n, lang, names)}" for n in result.notes]
    grouped = warnings_by_text(result, package, lang)
    if grouped:
        lines += ["", _t("warnings_heading", lang)] + [f"  - {span}{'：' if lang == 'zh' else ': '}{w}"
                                                      for w, span in grouped]
    lines += ["", data_note(result, package, lang)]
    return "\n".join(lines)


def warnings_by_text(result: PlanResult, package: DataPackage, lang: str,
                     reword: Callable[[object], object] | None = None) -> list[tuple[str, str]]:
    """Each distinct warning once, with the years it holds in (``2022–2025``, ``2021, 2023``).

    ``reword``: applied to each warning before it is rendered (the app names interventions
    by number, :func:`sim.whatif_table.numbered_interventions`).
    """
    years_of: dict[str, list[int]] = {}
    for year_result in result.results:
        for warning in year_result.warnings:
            if getattr(warning, "key", "") == "engine.rounded":
                # The value rounded differs each year; the fact that it is rounded does not.
                warning = msg("plan.rounded", indicator=warning.params["indicator"], zone=warning.params["zone"])
            if reword is not None:
                warning = reword(warning)
            years_of.setdefault(render(warning, lang, package.name), []).append(year_result.year)
    return [(warning, year_span(sorted(set(years)))) for warning, years in years_of.items()]


def year_span(years: Sequence[int]) -> str:
    """``2021–2023, 2025`` for a list of years.

    Examples
    --------
    >>> year_span([2021, 2022, 2023, 2025])
    '2021–2023, 2025'
    """
    parts, start = [], None
    for i, year in enumerate(years):
        start = year if start is None else start
        if i + 1 == len(years) or years[i + 1] != year + 1:
            parts.append(str(year) if start == year else f"{start}–{year}")
            start = None
    return ", ".join(parts)


def data_note(result: PlanResult, package: DataPackage, lang: str) -> str:
    """Where the observed year's values come from; a caution when they are reconstructed."""
    from sim.brief.content import reconstructed_values
    from sim.report import data_summary

    reconstructed, _, total = reconstructed_values(package, result.start_year)
    if reconstructed:
        return _t("caveat", lang, year=result.start_year, count=reconstructed, total=total)
    return _t("data_line", lang, year=result.start_year, summary=data_summary(result.provenance, lang))


def plan_frame(result: PlanResult, package: DataPackage, lang: str = "en") -> pd.DataFrame:
    """One row per projected year and zone: plan and baseline-path scores and ranks, groups."""
    frames = []
    for year_result in result.results:
        frame = year_result.ranking().join(year_result.scored.group_scores).rename_axis("zone").reset_index()
        frame.insert(1, "name", [package.name("zone", z, lang) for z in frame["zone"]])
        frame.insert(0, "year", year_result.year)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "scenario", result.scenario.name)
    return out


def plan_csv(result: PlanResult, package: DataPackage, lang: str = "en") -> str:
    return csv_text(plan_frame(result, package, lang))


def plan_json(result: PlanResult) -> str:
    return to_json(result.to_dict())


def comparison_of_plans(results: Sequence[PlanResult], package: DataPackage, lang: str = "en",
                        year: int | None = None, fmt: str = "table") -> str:
    """Plans side by side, year by year (``year``: that year only), as ``compare`` prints them.

    Each year's block is :func:`sim.report.comparison_table` of the plans' results that
    year: the baseline path, then each plan (score, rank, change against its own
    baseline path).
    """
    years = _common_years(results, year)
    if fmt == "json":
        payload = []
        for result in results:
            data = result.to_dict()
            data["years"] = [y for y in data["years"] if y["year"] in years]
            payload.append(data)
        return to_json({"scenarios": payload})
    if fmt == "csv":
        frame = pd.concat([comparison_frame([r.year(y) for r in results]) for y in years], ignore_index=True)
        return csv_text(frame.drop(columns="position"))
    blocks = []
    same_path = all(_same_path(results[0], other) for other in results[1:])
    for one_year in years:
        block = comparison_table([r.year(one_year) for r in results], package, lang)
        blocks.append(_t("compare_year", lang, year=one_year) + "\n" + block.split("\n\n")[0])
    legend = [f"[{i}] {plan_name(r, lang)} ({r.start_year}–{r.horizon}): {r.scenario.source}"
              for i, r in enumerate(results, start=1)]
    tail = [_t("compare_paths_same" if same_path else "compare_paths_differ", lang)]
    return "\n\n".join([*blocks, "\n".join(legend), *tail])


def _common_years(results: Sequence[PlanResult], year: int | None) -> list[int]:
    from sim.errors import UsageError

    common = [y for y in results[0].years if all(y in r.years for r in results)]
    if year is not None:
        if year not in common:
            raise UsageError(msg("plan.compare_year_missing", year=year, years=", ".join(map(str, common)) or "-"))
        return [year]
    if not common:
        raise UsageError(msg("plan.compare_no_common_year"))
    return common


def _same_path(a: PlanResult, b: PlanResult) -> bool:
    return all(a.year(y).baseline_values.equals(b.year(y).baseline_values) for y in a.years if y in b.years)


__all__ = ["PATHS", "comparison_of_plans", "plan_csv", "plan_frame", "plan_json", "plan_table", "timing_words",
           "trend_words", "warnings_by_text", "year_span", "year_tables"]
