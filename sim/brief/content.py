"""What a brief says, built once in the reader's language as a :class:`~sim.brief.model.Brief`.

One scenario gives: the question and the answer, what changes, the ranking before and
after (with the scores chart and the group contributions chart), warnings, the
robustness sentence when a report is given, method and data, and the appendix with
the scenario file. Several scenarios give the question, the side-by-side table and the
rank chart, then one section per scenario (what changes, its ranking and charts), and
the same closing sections.

A plan over years (DESIGN section 4) has a brief of its own, built in
:mod:`sim.brief.plan` from the same blocks (:func:`build_brief` hands it over).

Every text comes from the catalogue ``sim/locale/brief.yaml`` (and the chart titles
from ``ui.yaml`` through :mod:`sim.charts`); zones and indicators are named, never
shown by id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import __version__, charts
from sim.brief.figures import CJK_TEXT
from sim.brief.model import (
    Block,
    Brief,
    Bullets,
    Figure,
    Paragraph,
    Section,
    Table,
    Verbatim,
)
from sim.data import DataPackage
from sim.engine import ORIGIN_LINK, ORIGIN_NONE, Result, run_scenario
from sim.errors import ScenarioError
from sim.i18n import option_label
from sim.atomic import os_reason
from sim.messages import msg, render, text
from sim.provenance import is_reconstructed
from sim.report import data_summary, rank_arrow
from sim.scenario import Intervention, Scenario, dump_scenario, load_scenario
from sim.yamlio import read_text



@dataclass(frozen=True)
class ScenarioInput:
    """A scenario and the text it was read from (shown verbatim in the appendix).

    Attributes
    ----------
    scenario : Scenario
    text : str
        The file's text, exactly; it parses back to ``scenario``.
    file_name : str
        Shown above the text in the appendix.
    """

    scenario: Scenario
    text: str
    file_name: str

    @classmethod
    def from_file(cls, path: str | Path, package: DataPackage) -> ScenarioInput:
        """Read and validate a scenario file (:class:`ScenarioError` naming the file)."""
        scenario = load_scenario(path, package)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ScenarioError(msg("files.unreadable", reason=os_reason(exc)), str(path)) from None
        return cls(scenario, read_text(data, str(path), ScenarioError), Path(path).name)

    @classmethod
    def from_scenario(cls, scenario: Scenario, file_name: str = "") -> ScenarioInput:
        """A scenario held in memory (the app's): its canonical file text."""
        return cls(scenario, dump_scenario(scenario), file_name or Path(scenario.source or "scenario").stem + ".yaml")


def build_brief(
    package: DataPackage,
    inputs: Sequence[ScenarioInput],
    lang: str = "zh",
    date: dt.date | None = None,
    robustness: Sequence[object | None] | None = None,
) -> Brief:
    """The brief of one scenario, or of several side by side (figures not yet rendered).

    Parameters
    ----------
    package : DataPackage
    inputs : sequence of ScenarioInput
        At least one.
    lang : {"zh", "en"}
    date : datetime.date, optional
        Shown under the title (default: today).
    robustness : sequence, optional
        One :class:`sim.analysis.robustness.RobustnessReport` (or None) per input;
        when given, the brief says how likely each focus zone's rank is.

    Returns
    -------
    Brief
        Render its figures with :func:`sim.brief.figures.render_figures`.

    Raises
    ------
    ScenarioError, DataError
        A scenario that cannot be run (nothing is written then).
    """
    if not inputs:
        raise ValueError("a brief needs at least one scenario")
    if any(item.scenario.is_plan for item in inputs):
        from sim.brief.plan import plan_brief  # it builds on this module's composer

        return plan_brief(package, inputs, lang, date, robustness)
    results = [run_scenario(package, item.scenario) for item in inputs]
    return _Composer(package, lang).brief(list(inputs), results, date or dt.date.today(), robustness)


def reconstructed_values(package: DataPackage, year: int) -> tuple[int, int, int]:
    """How many of a year's values are reconstructed, have no source, and in all.

    Examples
    --------
    >>> from sim.data import load_package
    >>> reconstructed, unsourced, total = reconstructed_values(load_package(), 2020)
    >>> total, unsourced, reconstructed > 100
    (125, 0, True)
    """
    sources = package.baseline.loc[package.baseline["year"] == year, "source"].fillna("").astype(str)
    marked = sum(is_reconstructed(source) for source in sources)
    return int(marked), int((sources.str.strip() == "").sum()), len(sources)


def focus_zones(scenario: Scenario, package: DataPackage) -> list[str]:
    """The zones a scenario changes, in the package's order (every zone for ``all``)."""
    touched = {zone for item in scenario.interventions for zone in item.zone_ids(package.zone_ids)}
    return [zone for zone in package.zone_ids if zone in touched]


def number_text(value: float, whole: bool = False) -> str:
    """A value for reading: thousands separated, whole numbers without decimals, at most 2 decimals.

    Examples
    --------
    >>> number_text(3785.4), number_text(13663.0, whole=True), number_text(0.3)
    ('3,785.4', '13,663', '0.3')
    """
    if whole or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


_LIST_ITEM = re.compile(r"([-*•]|\d+[.)])\s")


def text_paragraphs(free_text: str) -> list[str]:
    r"""A scenario's description as paragraphs, for reading in a document.

    Blank lines separate paragraphs; a list item (``- ``, ``* ``, ``1. ``) starts one,
    and the lines after it that are indented deeper belong to it; the lines wrapped in
    the file are joined (with a space, except between two Chinese characters).

    Examples
    --------
    >>> text_paragraphs("Sunan doubles\nR&D.\n\n苏南研发\n投入倍增")
    ['Sunan doubles R&D.', '苏南研发投入倍增']
    >>> text_paragraphs("Numbers:\n- one\n  more\n- two\nAfter.")
    ['Numbers:', '- one more', '- two', 'After.']
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", free_text.strip("\n")):
        current, item_indent = "", None
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            indent = len(raw) - len(raw.lstrip())
            starts_item = bool(_LIST_ITEM.match(line))
            if current and (starts_item or (item_indent is not None and indent <= item_indent)):
                paragraphs.append(current)
                current = ""
            if not current:
                item_indent = indent if starts_item else None
            glue = "" if not current or (CJK_TEXT.match(current[-1]) and CJK_TEXT.match(line[0])) else " "
            current += glue + line
        if current:
            paragraphs.append(current)
    return paragraphs


def score_text(value: float) -> str:
    """A score to 2 decimals (the precision the tables promise)."""
    return f"{value:.2f}"


def delta_text(value: float) -> str:
    """A signed change to 2 decimals; a change that rounds to 0 is ``+0.00``, never ``-0.00``."""
    return f"{round(float(value), 2) + 0.0:+.2f}"


class _Composer:
    """Builds the sections of one brief; numbers its tables and figures as it goes."""

    def __init__(self, package: DataPackage, lang: str) -> None:
        self.package, self.lang = package, lang
        self.tables = self.figures = 0

    # ----------------------------------------------------------------- helpers

    def t(self, key: str, **params: object) -> str:
        return text(key, self.lang, **params)

    def name(self, kind: str, item: str) -> str:
        return self.package.name(kind, item, self.lang)

    def scenario_name(self, scenario: Scenario) -> str:
        return scenario.name_zh if self.lang == "zh" and scenario.name_zh else scenario.name

    def table(self, caption_key: str, key: str, headers, rows, numeric, **params: object) -> Table:
        self.tables += 1
        caption = self.t(caption_key, number=self.tables, **params)
        return Table(tuple(headers), tuple(tuple(r) for r in rows), tuple(numeric), caption, key)

    def figure(self, chart, caption_key: str, key: str, **params: object) -> Figure:
        self.figures += 1
        return Figure(chart.to_dict(), self.t(caption_key, number=self.figures, **params), key)

    def plain_words(self, warning: object) -> str:
        """A warning in the reader's language, with names for ids (warnings are catalogue messages)."""
        return render(warning, self.lang, self.package.name)

    # ----------------------------------------------------------------- the brief

    def brief(self, inputs: list[ScenarioInput], results: list[Result], date: dt.date, robustness) -> Brief:
        several = len(results) > 1
        if several:
            title = self.t("brief.title_many", count=len(results))
            sections = [self.question_many(results), self.comparison(results)]
            for position, result in enumerate(results, start=1):
                heading = self.t("brief.sec_scenario", position=position, name=self.scenario_name(result.scenario))
                sections.append(Section(heading, self.question_one(result), [
                    Section(self.t("brief.sec_changes"), self.changes(result), key="changes"),
                    Section(self.t("brief.sec_ranking"), self.ranking(result), key="ranking"),
                ], key=f"scenario-{position}"))
        else:
            result = results[0]
            title = self.t("brief.title_one", name=self.scenario_name(result.scenario))
            sections = [
                Section(self.t("brief.sec_question"), self.question_one(result), key="question"),
                Section(self.t("brief.sec_changes"), self.changes(result), key="changes"),
                Section(self.t("brief.sec_ranking"), self.ranking(result), key="ranking"),
            ]
        sections.append(self.warnings(results))
        if robustness and any(report is not None for report in robustness):
            sections.append(self.robustness(results, robustness))
        sections += [self.method(results), self.appendix(inputs)]
        byline = self.t("brief.byline", date=date.isoformat(), version=__version__)
        return Brief(self.lang, title, byline, sections)

    # ----------------------------------------------------------------- question and answer

    def question_one(self, result: Result) -> list[Block]:
        scenario = result.scenario
        focus = focus_zones(scenario, self.package)
        if not scenario.interventions:
            question = self.t("brief.question_baseline", year=result.year)
        else:
            zones = ([self.t("brief.every_zone")] if len(focus) == len(self.package.zone_ids)
                     else [self.name("zone", z) for z in focus])
            question = self.t("brief.question_zones", year=result.year, name=self.scenario_name(scenario), zones=zones)
        blocks: list[Block] = [Paragraph(question, "lead")]
        blocks += [Paragraph(paragraph, "quote") for paragraph in text_paragraphs(scenario.description)]
        blocks.append(Bullets(tuple(self.answers(result, focus))))
        return blocks

    def answers(self, result: Result, focus: list[str]) -> list[str]:
        ranking = result.ranking()
        if not result.scenario.interventions:
            leader, second = ranking.index[0], ranking.index[min(1, len(ranking) - 1)]
            gap = ranking.at[leader, "score"] - ranking.at[second, "score"]
            return [self.t("brief.answer_leader", zone=self.name("zone", leader), score=score_text(ranking.at[leader, "score"]),
                           second=self.name("zone", second), gap=score_text(gap))]
        moved = [zone for zone in ranking.index if zone in focus or ranking.at[zone, "rank_change"] != 0]
        lines = []
        for zone in moved:
            row = ranking.loc[zone]
            common = dict(zone=self.name("zone", zone), before=score_text(row["baseline_score"]),
                          after=score_text(row["score"]), delta=delta_text(row["delta"]))
            if int(row["rank"]) == int(row["baseline_rank"]):
                lines.append(self.t("brief.answer_kept", rank=int(row["rank"]), **common))
            else:
                lines.append(self.t("brief.answer_moved", rank_before=int(row["baseline_rank"]),
                                    rank_after=int(row["rank"]), **common))
        return lines

    def question_many(self, results: list[Result]) -> Section:
        years = sorted({r.year for r in results})
        blocks: list[Block] = [
            Paragraph(self.t("brief.question_many", count=len(results), years=[str(y) for y in years]), "lead"),
            Bullets(tuple(self.t("brief.scenario_item", position=k, name=self.scenario_name(r.scenario), year=r.year)
                          for k, r in enumerate(results, start=1))),
        ]
        return Section(self.t("brief.sec_question"), blocks, key="question")

    # ----------------------------------------------------------------- what changes

    def intervention_words(self, item: Intervention) -> str:
        package = self.package
        zones = [self.t("brief.all_zones")] if item.zones == ("all",) else [self.name("zone", z) for z in item.zones]
        indicators = [self.name("indicator", i) for i in item.indicators]
        unit = package.unit(item.indicators[0], self.lang) if len(item.indicators) == 1 else ""
        unit = f" {unit}" if unit else ""
        if item.to is not None:
            words = self.t("brief.change_to", zones=zones, indicators=indicators, value=number_text(item.to), unit=unit)
        elif item.percent is not None:
            key = "brief.change_percent_up" if item.percent >= 0 else "brief.change_percent_down"
            words = self.t(key, zones=zones, indicators=indicators, percent=f"{number_text(abs(item.percent))}%")
        else:
            key = "brief.change_amount_up" if (item.amount or 0) >= 0 else "brief.change_amount_down"
            words = self.t(key, zones=zones, indicators=indicators, amount=number_text(abs(item.amount or 0)), unit=unit)
        return self.t("brief.change_note", change=words, note=item.note) if item.note else words

    def changes(self, result: Result) -> list[Block]:
        scenario = result.scenario
        if not scenario.interventions:
            return [Paragraph(self.t("brief.changes_none"))]
        blocks: list[Block] = [
            Paragraph(self.t("brief.changes_intro")),
            Bullets(tuple(self.intervention_words(item) for item in scenario.interventions)),
        ]
        links = self.fired_links(result)
        if links:
            blocks += [Paragraph(self.t("brief.linked_intro")), Bullets(tuple(links))]
        integer = self.package.indicators["integer"]
        rows = []
        for zone in result.values.index:
            for indicator in result.values.columns:
                origin = result.origin.at[zone, indicator]
                if origin == ORIGIN_NONE:
                    continue
                before, after = float(result.baseline_values.at[zone, indicator]), float(result.values.at[zone, indicator])
                change = f"{100 * (after / before - 1):+.1f}%" if before else f"{after - before:+,g}"
                whole = bool(integer[indicator])
                rows.append([self.name("zone", zone), self.name("indicator", indicator), self.package.unit(indicator, self.lang),
                             number_text(before, whole), number_text(after, whole), change,
                             self.t("brief.origin_link" if origin == ORIGIN_LINK else "brief.origin_intervention")])
        headers = [self.t(f"brief.col_{c}") for c in ("zone", "indicator", "unit", "before", "after", "change", "how")]
        blocks.append(self.table("brief.caption_changes", "changes", headers, rows, [False] * 3 + [True] * 3 + [False]))
        return blocks

    def fired_links(self, result: Result) -> list[str]:
        """The links that moved a value, in words."""
        linked_targets = {indicator for indicator in result.origin.columns if (result.origin[indicator] == ORIGIN_LINK).any()}
        lines = []
        for link in [*self.package.links, *result.scenario.links]:
            if link.target not in linked_targets:
                continue
            source, target = self.name("indicator", link.source), self.name("indicator", link.target)
            if link.elasticity is not None:
                words = self.t("brief.link_elasticity", source=source, target=target, elasticity=f"{link.elasticity:g}")
            else:
                words = self.t("brief.link_additive", source=source, target=target, additive=f"{link.additive:g}")
            lines.append(self.t("brief.link_note", link=words, note=link.note) if link.note else words)
        return lines

    # ----------------------------------------------------------------- rankings

    def ranking(self, result: Result) -> list[Block]:
        ranking = result.ranking()
        rows = []
        for zone, row in ranking.iterrows():
            gap = "—" if pd.isna(row["gap_to_next"]) else score_text(row["gap_to_next"])
            rows.append([str(int(row["rank"])), self.name("zone", zone), score_text(row["score"]), delta_text(row["delta"]),
                         score_text(row["baseline_score"]), str(int(row["baseline_rank"])),
                         rank_arrow(int(row["rank_change"])), gap])
        columns = ("rank", "zone", "score", "delta", "baseline_score", "baseline_rank", "rank_change", "gap")
        headers = [self.t(f"brief.col_{c}") for c in columns]
        name = self.scenario_name(result.scenario)
        return [
            self.table("brief.caption_ranking", "ranking", headers, rows,
                       [True, False, True, True, True, True, True, True], name=name),
            Paragraph(self.t("brief.ranking_note"), "note"),
            self.figure(charts.scores_chart(result, self.package, self.lang), "brief.caption_scores", "scores", name=name),
            self.figure(charts.group_contributions_chart(result, self.package, self.lang), "brief.caption_groups", "groups",
                        name=name),
        ]

    def comparison(self, results: list[Result]) -> Section:
        """Scores and ranks under every scenario, next to the baseline, and the rank chart.

        Zones down and scenarios across, or the other way round when there are more
        scenarios than zones, so that an A4 page holds the table either way.
        """
        names = [self.scenario_name(r.scenario) for r in results]
        labels = charts.comparison_labels(results, self.lang, names)
        years = sorted({r.year for r in results})
        first_of_year = {year: next(r for r in results if r.year == year) for year in years}
        zones = list(results[0].baseline.scores.sort_values(ascending=False, kind="stable").index)
        columns = [self.t("brief.col_baseline_year", year=y) for y in years] + labels
        cells = []  # zones x columns
        for zone in zones:
            row = []
            for year in years:
                base = first_of_year[year].baseline
                row.append(self.t("brief.cell_baseline", score=score_text(base.scores[zone]), rank=int(base.ranks[zone])))
            for result in results:
                row.append(self.t("brief.cell_scenario", score=score_text(result.scored.scores[zone]),
                                  rank=int(result.scored.ranks[zone]), delta=delta_text(result.delta[zone])))
            cells.append(row)
        zone_names = [self.name("zone", z) for z in zones]
        if len(columns) > len(zones):
            headers = [self.t("brief.col_scenario"), *zone_names]
            rows = [[column, *(cells[i][j] for i in range(len(zones)))] for j, column in enumerate(columns)]
        else:
            headers = [self.t("brief.col_zone"), *columns]
            rows = [[name, *row] for name, row in zip(zone_names, cells)]
        # Under a bump chart of many scenarios full names would overlap: their numbers
        # stand for them, as in the list above and the table.
        chart_labels = labels if len(results) <= 3 else [f"[{k}]" for k in range(1, len(results) + 1)]
        blocks: list[Block] = [
            self.table("brief.caption_comparison", "comparison", headers, rows, [False] + [True] * (len(headers) - 1)),
            self.figure(charts.rank_chart(results, self.package, self.lang, labels=chart_labels), "brief.caption_ranks",
                        "ranks"),
        ]
        return Section(self.t("brief.sec_comparison"), blocks, key="comparison")

    # ----------------------------------------------------------------- closing sections

    def warnings(self, results: list[Result]) -> Section:
        several = len(results) > 1
        items = [
            self.t("brief.warning_of", position=k, warning=self.plain_words(w)) if several else self.plain_words(w)
            for k, result in enumerate(results, start=1) for w in result.warnings
        ]
        blocks: list[Block] = [Bullets(tuple(items))] if items else [Paragraph(self.t("brief.warnings_none"))]
        return Section(self.t("brief.sec_warnings"), blocks, key="warnings")

    def robustness(self, results: list[Result], reports: Sequence[object | None]) -> Section:
        blocks: list[Block] = []
        for position, (result, report) in enumerate(zip(results, reports), start=1):
            if report is None:
                continue
            settings = report.settings
            intro = self.t("brief.robustness_intro", sigma=f"{100 * settings['sigma']:g}%", draws=f"{report.draws:,}",
                           seed=settings["seed"])
            if len(results) > 1:
                intro = f"[{position}] {intro}"
            zones = focus_zones(result.scenario, self.package) or list(report.rank.sort_values(kind="stable").index)
            lines = []
            for zone in zones:
                rank = int(report.rank[zone])
                common = dict(zone=self.name("zone", zone), rank=rank,
                              probability=_percent(report.rank_probabilities.at[zone, rank]))
                if report.p_beats_baseline is not None and rank < int(report.baseline_rank[zone]):
                    lines.append(self.t("brief.robustness_zone_beats", baseline_rank=int(report.baseline_rank[zone]),
                                        beats=_percent(report.p_beats_baseline[zone]), **common))
                else:
                    lines.append(self.t("brief.robustness_zone", **common))
            blocks += [Paragraph(intro), Bullets(tuple(lines))]
        return Section(self.t("brief.sec_robustness"), blocks, key="robustness")

    def method_words(self, result: Result) -> str:
        method = result.method
        weights = method.weights if isinstance(method.weights, str) else "explicit"
        return self.t(
            "brief.method_sentence",
            count=len(self.package.indicator_ids),
            normalization=option_label(method.normalization, self.lang),
            scoring=option_label(method.scoring, self.lang),
            weights=option_label(weights, self.lang),
            goalposts=option_label(method.goalposts, self.lang, kind="goalposts"),
        )

    def method(self, results: list[Result]) -> Section:
        sentences = [self.method_words(r) for r in results]
        if len(set(sentences)) == 1:
            blocks: list[Block] = [Paragraph(sentences[0])]
        else:
            blocks = [Bullets(tuple(self.t("brief.method_of", position=k, method=s)
                                    for k, s in enumerate(sentences, start=1)))]
        for year in sorted({r.year for r in results}):
            provenance = next(r.provenance for r in results if r.year == year)
            blocks.append(Paragraph(self.t("brief.data_sentence", zones=len(self.package.zone_ids),
                                           indicators=len(self.package.indicator_ids), year=year,
                                           summary=data_summary(provenance, self.lang))))
            reconstructed, unsourced, total = reconstructed_values(self.package, year)
            if reconstructed:
                blocks.append(Paragraph(self.t("brief.caveat", year=year, count=reconstructed, total=total), "caution"))
            if unsourced:
                blocks.append(Paragraph(self.t("brief.unsourced", year=year, count=unsourced), "note"))
        blocks += [
            Paragraph(self.t("brief.fingerprint", digest=results[0].provenance["data"])),
            Paragraph(self.t("brief.version", version=results[0].provenance["version"])),
            Paragraph(self.t("brief.rerun"), "note"),
        ]
        return Section(self.t("brief.sec_method"), blocks, key="method")

    def appendix(self, inputs: list[ScenarioInput]) -> Section:
        blocks: list[Block] = [Paragraph(self.t("brief.appendix_intro"), "note")]
        for position, item in enumerate(inputs, start=1):
            blocks.append(Verbatim(item.text, self.t("brief.appendix_file", position=position, file=item.file_name)))
        return Section(self.t("brief.sec_appendix"), blocks, key="appendix")


def _percent(probability: float) -> str:
    return f"{100 * float(probability):.0f}%"
