"""The brief of a plan over years (issue 14 point 2: "year by year for a plan").

``zonesim report PLAN.yaml --out brief.docx|.html`` and the Plan tab's download button
give, in the reader's language:

1. the question and the answer: where the zones the plan changes rank in the observed
   year and at the horizon (with and without the plan), and every year in which a zone
   passes another;
2. what changes: the baseline trend, the interventions with their timing in words
   (:func:`sim.plan.report.timing_words`), the links they set off and the table of
   the values that change at the horizon;
3. year by year: the rank and score tables (the same cells as ``zonesim run PLAN.yaml``
   prints, :func:`sim.plan.report.year_tables`), the rank and score charts over the
   years (:mod:`sim.plan.charts`) and the overtaking years on both paths;
4. the warnings, each once with the years it holds in; method and data (the caveat
   when the data are reconstructed), the fingerprint, the version; the plan file
   verbatim.

It is a :class:`~sim.brief.model.Brief` like any other: the Word and web page writers
lay it out unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sim import __version__
from sim.brief.content import ScenarioInput, _Composer, delta_text, focus_zones, score_text, text_paragraphs
from sim.brief.model import Block, Brief, Bullets, Paragraph, Section, Table
from sim.data import DataPackage
from sim.errors import UsageError
from sim.messages import msg
from sim.plan import PlanResult, run_plan
from sim.plan.charts import plan_rank_chart, plan_score_chart
from sim.plan.report import PATHS, timing_words, trend_words, warnings_by_text, year_tables
from sim.plan.result import BASELINE, PLAN
from sim.scenario import Scenario


def plan_brief(
    package: DataPackage,
    inputs: Sequence[ScenarioInput],
    lang: str = "zh",
    date: dt.date | None = None,
    robustness: Sequence[object | None] | None = None,
) -> Brief:
    """The brief of one plan (figures not yet rendered); see :func:`sim.brief.content.build_brief`.

    Raises
    ------
    UsageError
        Several scenarios of which one is a plan (a plan's brief stands alone), or a
        robustness report given for a plan.
    ScenarioError, DataError
        A plan that cannot be run.
    """
    plans = [item.file_name for item in inputs if item.scenario.is_plan]
    if len(inputs) != 1:
        raise UsageError(msg("brief.plan_alone", plans=plans))
    if robustness and any(report is not None for report in robustness):
        raise UsageError(msg("brief.plan_no_robustness"))
    result = run_plan(package, inputs[0].scenario)
    return _PlanComposer(package, lang).plan_brief(inputs[0], result, date or dt.date.today())


def plan_change_lines(scenario: Scenario, package: DataPackage, lang: str = "zh", timing: bool = True) -> list[str]:
    """Each intervention of a plan in words, with its timing: what the brief lists and the Plan tab shows.

    ``timing=False``: the change alone (any scenario, e.g. the current one before it is a plan).

    Examples
    --------
    >>> import sim
    >>> package = sim.load_package()
    >>> plan = sim.parse_scenario("version: 1\\nname: p\\nyear: 2020\\nhorizon: 2024\\ninterventions:\\n"
    ...     "  - {zone: sunan, indicator: rd_spending, by: +10%, from: 2022, each_year: true, until: 2023}\\n", package)
    >>> plan_change_lines(plan, package, "en")
    ['Southern Jiangsu (Sunan): R&D expenditure up 10%: every year from 2022 to 2023, accumulating; the level stays after 2023']
    """
    composer = _PlanComposer(package, lang)
    if not timing:
        return [composer.intervention_words(item) for item in scenario.interventions]
    return composer.change_lines(scenario)


class _PlanComposer(_Composer):
    """The sections of a plan's brief; tables and figures numbered as in any brief."""

    def plan_brief(self, item: ScenarioInput, result: PlanResult, date: dt.date) -> Brief:
        name = self.scenario_name(result.scenario)
        title = self.t("brief.plan_title", name=name, year=result.start_year, horizon=result.horizon)
        sections = [
            Section(self.t("brief.sec_question"), self.plan_question(result), key="question"),
            Section(self.t("brief.sec_changes"), self.plan_changes(result), key="changes"),
            Section(self.t("brief.plan_sec_years"), self.years(result), key="years"),
            self.plan_warnings(result),
            self.plan_method(result),
            self.appendix([item]),
        ]
        byline = self.t("brief.byline", date=date.isoformat(), version=__version__)
        return Brief(self.lang, title, byline, sections)

    def change_lines(self, scenario: Scenario) -> list[str]:
        return [self.t("brief.plan_change_timing", change=self.intervention_words(item),
                       timing=self.plain_words(timing_words(item, scenario)))
                for item in scenario.interventions]

    def plan_question(self, result: PlanResult) -> list[Block]:
        scenario = result.scenario
        focus = focus_zones(scenario, self.package)
        common = dict(year=result.start_year, horizon=result.horizon, name=self.scenario_name(scenario))
        if focus:
            zones = ([self.t("brief.every_zone")] if len(focus) == len(self.package.zone_ids)
                     else [self.name("zone", z) for z in focus])
            question = self.t("brief.plan_question", zones=zones, **common)
        else:
            question = self.t("brief.plan_question_trend", **common)
        blocks: list[Block] = [Paragraph(question, "lead")]
        blocks += [Paragraph(paragraph, "quote") for paragraph in text_paragraphs(scenario.description)]
        blocks.append(Bullets(tuple(self.plan_answers(result, focus))))
        return blocks

    def plan_answers(self, result: PlanResult, focus: list[str]) -> list[str]:
        horizon = result.horizon
        plan_ranks, base_ranks, scores = result.ranks(PLAN), result.ranks(BASELINE), result.scores(PLAN)
        base_scores = result.scores(BASELINE)
        if not focus:
            leader = plan_ranks.loc[horizon].idxmin()
            lines = [self.t("brief.plan_answer_leader", horizon=horizon, zone=self.name("zone", leader),
                            score=score_text(scores.at[horizon, leader]))]
        else:
            lines = [self.t("brief.plan_answer", zone=self.name("zone", zone), year=result.start_year, horizon=horizon,
                            start_rank=int(plan_ranks.at[result.start_year, zone]),
                            end_rank=int(plan_ranks.at[horizon, zone]), base_rank=int(base_ranks.at[horizon, zone]),
                            score=score_text(scores.at[horizon, zone]),
                            delta=delta_text(scores.at[horizon, zone] - base_scores.at[horizon, zone]))
                     for zone in focus]
        lines += [self.plain_words(event.describe()) for event in result.overtakes(PLAN)]
        return lines

    def plan_changes(self, result: PlanResult) -> list[Block]:
        scenario = result.scenario
        blocks: list[Block] = [Paragraph(self.plain_words(trend_words(result)))]
        if not scenario.interventions:
            return [*blocks, Paragraph(self.t("brief.plan_changes_none"))]
        blocks += [Paragraph(self.t("brief.plan_changes_intro")), Bullets(tuple(self.change_lines(scenario)))]
        at_horizon = result.year(result.horizon)
        links = self.fired_links(at_horizon)
        if links:
            blocks += [Paragraph(self.t("brief.linked_intro")), Bullets(tuple(links))]
        table = [block for block in self.changes(at_horizon) if isinstance(block, Table)]
        if table:
            blocks += [Paragraph(self.t("brief.plan_changes_year", horizon=result.horizon)), *table]
        return blocks

    def years(self, result: PlanResult) -> list[Block]:
        headers, rank_rows, score_rows = year_tables(result, self.package, self.lang)
        numeric = [False] + [True] * (len(headers) - 1)
        blocks: list[Block] = [
            self.table("brief.plan_caption_ranks", "plan_ranks", headers, rank_rows, numeric),
            self.table("brief.plan_caption_scores", "plan_scores", headers, score_rows, numeric),
            self.figure(plan_rank_chart(result, self.package, self.lang), "brief.plan_caption_rank_chart", "ranks"),
            self.figure(plan_score_chart(result, self.package, self.lang), "brief.plan_caption_score_chart", "scores"),
        ]
        events = [self.t("brief.plan_overtake_of", path=self.t(f"plan.path_{path}"),
                         event=self.plain_words(event.describe()))
                  for path in PATHS[::-1] for event in result.overtakes(path)]
        if events:
            blocks += [Paragraph(self.t("brief.plan_overtakes_intro")), Bullets(tuple(events))]
        else:
            blocks.append(Paragraph(self.t("brief.plan_overtakes_none")))
        return blocks

    def plan_warnings(self, result: PlanResult) -> Section:
        items = [self.plain_words(note) for note in result.notes]
        items += [self.t("brief.plan_warning_years", years=years, warning=warning)
                  for warning, years in warnings_by_text(result, self.package, self.lang)]
        blocks: list[Block] = [Bullets(tuple(items))] if items else [Paragraph(self.t("brief.warnings_none"))]
        return Section(self.t("brief.sec_warnings"), blocks, key="warnings")

    def plan_method(self, result: PlanResult) -> Section:
        section = self.method([result.observed])
        section.blocks.insert(1, Paragraph(self.t("brief.plan_method", year=result.start_year)))
        return section
