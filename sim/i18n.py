"""UI strings of the app in Chinese and English, and text helpers for display.

Chinese is the default language. Every string the app shows goes through
:func:`t`; zone, indicator and group names come from the data package
(:meth:`sim.data.DataPackage.name`), so they switch with the language too.

Text that comes from users (scenario names, descriptions, error messages that quote
a bad value, names in an uploaded data package) must never be rendered as Markdown
or HTML: :func:`escape_markdown` makes it literal for the few Streamlit elements that
render Markdown (labels, alerts).

Examples
--------
>>> t("tab_whatif", "zh"), t("tab_whatif", "en")
('假设分析', 'What-if')
>>> print(escape_markdown("<b>*big*</b>"))
\\<b\\>\\*big\\*\\</b\\>
"""

from __future__ import annotations

import re

from sim.report import label as report_label

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}

_STRINGS: dict[str, dict[str, str]] = {
    # page and sidebar
    "title": {"zh": "创新示范区政策情景模拟器", "en": "Innovation zone policy scenario simulator"},
    "subtitle": {
        "zh": "国家自主创新示范区熵值法评价：假设分析、情景文件与比较、目标求解、政策杠杆、稳健性",
        "en": "Entropy-weight ranking of China's innovation demonstration zones: what-if, scenario files, comparison, "
        "goal-seek, levers, robustness",
    },
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "data_set": {"zh": "数据集", "en": "Data set"},
    "data_shipped": {"zh": "内置数据", "en": "Shipped data"},
    "data_uploaded": {"zh": "上传的数据包", "en": "Uploaded data package"},
    "upload_data": {
        "zh": "上传数据包（4 个 CSV 文件及可选的 method.yaml，或一个 Excel 工作簿）",
        "en": "Upload a data package (the 4 CSV files and an optional method.yaml, or one Excel workbook)",
    },
    "upload_data_help": {
        "zh": "需要 indicators、groups、zones、baseline 四张表，格式与 data/ 文件夹相同；校验规则与命令行相同。",
        "en": "Needs the indicators, groups, zones and baseline tables, as in the data/ folder; checked exactly as the command line does.",
    },
    "data_loaded": {"zh": "已载入数据包：{name}", "en": "Data package loaded: {name}"},
    "template": {"zh": "下载 Excel 模板（含当前数据）", "en": "Download the Excel template (with the current data)"},
    "year": {"zh": "基准年份", "en": "Baseline year"},
    "method": {"zh": "评价方法", "en": "Method"},
    "normalization": {"zh": "权重的归一化", "en": "Normalisation for the weights"},
    "score_normalization": {"zh": "得分的归一化", "en": "Normalisation for the scores"},
    "weights": {"zh": "权重", "en": "Weights"},
    "goalposts": {"zh": "极值基准（goalposts）", "en": "Goalposts"},
    "method_help": {
        "zh": "默认值来自数据包的 method.yaml；此处的修改会写入当前情景文件。",
        "en": "Defaults come from the data package's method.yaml; changes here are saved in the current scenario.",
    },
    "source_note": {"zh": "基准数据来源", "en": "Where the baseline comes from"},
    "source_shipped_caution": {
        "zh": "内置基准数据是根据论文公布结果重建的估计值，不是官方统计数据。",
        "en": "The shipped baseline is reconstructed from the paper's published results; it is not official statistics.",
    },
    # tabs
    "tab_whatif": {"zh": "假设分析", "en": "What-if"},
    "tab_files": {"zh": "情景文件", "en": "Scenario files"},
    "tab_compare": {"zh": "情景比较", "en": "Compare"},
    "tab_goalseek": {"zh": "目标求解", "en": "Goal-seek"},
    "tab_levers": {"zh": "政策杠杆", "en": "Levers"},
    "tab_robustness": {"zh": "稳健性", "en": "Robustness"},
    # what-if
    "zone": {"zh": "示范区", "en": "Zone"},
    "sliders_for": {"zh": "调整该示范区的指标", "en": "Change this zone's indicators"},
    "slider_help_percent": {
        "zh": "相对变化（%）。基准值：{value} {unit}",
        "en": "Relative change (%). Baseline: {value} {unit}",
    },
    "slider_help_count": {
        "zh": "增减的整数个数。基准值：{value} {unit}",
        "en": "Whole-number change. Baseline: {value} {unit}",
    },
    "slider_help_zero": {
        "zh": "基准值为 0，相对变化无效；请在下方干预表中用“to”设定新值。",
        "en": "The baseline is 0, so a relative change does nothing; set a new value with 'to' in the table below.",
    },
    "slider_help_shared": {
        "zh": "另有干预措施也作用于此指标（见下方干预表）；滑块的变化在其之后施加。",
        "en": "Other interventions also change this indicator (see the table below); the slider's change applies after them.",
    },
    "reset_zone": {"zh": "重置该示范区", "en": "Reset this zone"},
    "reset_all": {"zh": "全部重置", "en": "Reset all"},
    "ranking": {"zh": "排名", "en": "Ranking"},
    "chart_scores": {"zh": "综合得分：基准与情景", "en": "Composite scores: baseline and scenario"},
    "chart_groups": {"zh": "各一级指标对综合得分的贡献", "en": "Contribution of each group to the score"},
    "chart_drift": {"zh": "权重变化（百分点）", "en": "Weight drift (percentage points)"},
    "chart_decomposition": {"zh": "得分变化分解", "en": "Where the score change comes from"},
    "no_drift": {"zh": "权重未变化。", "en": "The weights did not change."},
    "warnings": {"zh": "提示", "en": "Warnings"},
    "more_warnings": {"zh": "其余 {n} 条提示", "en": "{n} more warnings"},
    "interventions": {"zh": "干预措施表（可作用于多个示范区）", "en": "Interventions (any zones)"},
    "interventions_help": {
        "zh": "每行一项干预：示范区（id 或名称，多个用逗号分隔，或 all）、指标、变化方式（by % 相对变化，by 绝对增减，to 新值）、数值。"
        "滑块的设置也在表中。编辑后点击“应用表格修改”。",
        "en": "One intervention per row: zone (id or name, several separated by commas, or all), indicator, change "
        "(by %: relative, by: absolute, to: new value) and value. The sliders' settings are rows too. "
        "Edit, then press 'Apply the table'.",
    },
    "apply_table": {"zh": "应用表格修改", "en": "Apply the table"},
    "col_zone": {"zh": "示范区", "en": "zone"},
    "col_indicator": {"zh": "指标", "en": "indicator"},
    "col_change": {"zh": "变化方式", "en": "change"},
    "col_value": {"zh": "数值", "en": "value"},
    "col_note": {"zh": "备注", "en": "note"},
    "col_rank": {"zh": "排名", "en": "rank"},
    "col_score": {"zh": "得分", "en": "score"},
    "col_baseline_score": {"zh": "基准得分", "en": "baseline score"},
    "col_baseline_rank": {"zh": "基准排名", "en": "baseline rank"},
    "col_delta": {"zh": "得分变化", "en": "Δ score"},
    "col_rank_change": {"zh": "排名变化", "en": "Δ rank"},
    "col_group": {"zh": "一级指标", "en": "group"},
    "col_points": {"zh": "得分（分）", "en": "points"},
    "col_series": {"zh": "序列", "en": "series"},
    "col_weight": {"zh": "情景权重 %", "en": "scenario weight %"},
    "col_baseline_weight": {"zh": "基准权重 %", "en": "baseline weight %"},
    "col_change_pp": {"zh": "权重变化（百分点）", "en": "change (pp)"},
    "col_part": {"zh": "来源", "en": "part"},
    "col_scenario": {"zh": "情景", "en": "scenario"},
    "series_baseline": {"zh": "基准", "en": "baseline"},
    "series_scenario": {"zh": "情景", "en": "scenario"},
    "part_data": {"zh": "数据变化", "en": "data change"},
    "part_weights": {"zh": "权重变化", "en": "weight shift"},
    "part_total": {"zh": "合计", "en": "total"},
    "results_error": {"zh": "无法计算结果", "en": "The results cannot be computed"},
    # scenario files
    "current_scenario": {"zh": "当前情景", "en": "Current scenario"},
    "name": {"zh": "名称（英文或任意文字）", "en": "Name"},
    "name_zh": {"zh": "中文名称（可选）", "en": "Chinese name (optional)"},
    "description": {"zh": "说明（可选）", "en": "Description (optional)"},
    "library": {"zh": "情景库（scenarios/ 文件夹）", "en": "Scenario library (the scenarios/ folder)"},
    "library_pick": {"zh": "选择情景文件", "en": "Choose a scenario file"},
    "library_empty": {"zh": "scenarios/ 文件夹中没有情景文件。", "en": "There are no scenario files in scenarios/."},
    "load": {"zh": "载入", "en": "Load"},
    "loaded": {"zh": "已载入情景：{name}", "en": "Scenario loaded: {name}"},
    "upload_scenario": {"zh": "上传情景文件（YAML）", "en": "Upload a scenario file (YAML)"},
    "download_scenario": {"zh": "下载当前情景（YAML）", "en": "Download the current scenario (YAML)"},
    "download_help": {
        "zh": "与命令行相同的规范格式：`zonesim run 文件名` 可直接运行。",
        "en": "The same canonical form the command line writes: run it with `zonesim run FILE`.",
    },
    "share": {"zh": "分享链接", "en": "Share link"},
    "share_help": {
        "zh": "链接中包含整个当前情景；在另一个浏览器中打开即可恢复相同的滑块和结果。地址栏中的网址也随时保持同步。",
        "en": "The link carries the whole current scenario; opening it in another browser restores the same sliders "
        "and results. The address bar is kept in sync too.",
    },
    "share_too_big": {"zh": "情景太大，无法放入链接：{reason}", "en": "The scenario is too large for a link: {reason}"},
    "share_other_data": {
        "zh": "此链接是基于另一个数据集（{digest}）制作的，当前使用的是内置数据，结果可能不同。",
        "en": "This link was made with another data set ({digest}); it is opened on the shipped data, so results may differ.",
    },
    "share_uploaded_data": {
        "zh": "注意：当前使用的是上传的数据包，打开链接的人看到的是内置数据上的结果。",
        "en": "Note: you are on an uploaded data package; whoever opens the link sees the results on the shipped data.",
    },
    "current_yaml": {"zh": "当前情景的 YAML", "en": "The current scenario as YAML"},
    "scenario_reset": {
        "zh": "当前情景不适用于新数据包，已改为空白情景：{reason}",
        "en": "The current scenario does not fit the new data package, so a blank scenario was started: {reason}",
    },
    # compare
    "compare_pick": {"zh": "选择 2 至 6 个情景", "en": "Pick 2 to 6 scenarios"},
    "compare_need_two": {"zh": "请至少选择两个情景。", "en": "Pick at least two scenarios."},
    "compare_table": {"zh": "排名对比", "en": "Rankings side by side"},
    "compare_chart": {"zh": "排名变化图", "en": "Rank chart"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "download_excel": {"zh": "下载 Excel", "en": "Download Excel"},
    "opt_current": {"zh": "当前情景", "en": "current scenario"},
    "opt_library": {"zh": "情景库", "en": "library"},
    "opt_uploaded": {"zh": "已上传", "en": "uploaded"},
    "placeholder_tab": {"zh": "此功能即将推出。", "en": "Coming soon."},
    # analysis tabs: shared
    "notes": {"zh": "说明", "en": "Notes"},
    "analysis_zone_help": {
        "zh": "与“假设分析”页共用同一个示范区选择。",
        "en": "The same zone choice as on the What-if tab.",
    },
    "col_before": {"zh": "调整前", "en": "before"},
    "col_after": {"zh": "调整后", "en": "after"},
    "col_effort": {"zh": "幅度 %", "en": "effort %"},
    "col_cost": {"zh": "成本", "en": "cost"},
    "col_start_score": {"zh": "调整前得分", "en": "score before"},
    "col_start_rank": {"zh": "调整前排名", "en": "rank before"},
    "col_weight_pct": {"zh": "权重 %", "en": "weight %"},
    "col_step_of": {"zh": "步长（{step}）", "en": "step ({step})"},
    "col_gain_of": {"zh": "得分增益（{step}）", "en": "gain ({step})"},
    "col_rank_of": {"zh": "调整后排名（{step}）", "en": "rank ({step})"},
    "col_flags": {"zh": "提示", "en": "flags"},
    "col_median": {"zh": "得分中位数", "en": "median score"},
    "col_low": {"zh": "5% 分位", "en": "5th percentile"},
    "col_high": {"zh": "95% 分位", "en": "95th percentile"},
    "col_p_rank": {"zh": "第{rank}名概率 %", "en": "P(#{rank}) %"},
    "col_p_beats": {"zh": "优于基准排名的概率 %", "en": "P(beats baseline rank) %"},
    "col_p_not_worse": {"zh": "不低于基准排名的概率 %", "en": "P(not worse) %"},
    "col_loo_min": {"zh": "留一法最小 %", "en": "leave-one-out min %"},
    "col_loo_max": {"zh": "留一法最大 %", "en": "leave-one-out max %"},
    "col_boot_low": {"zh": "自助法 5% %", "en": "bootstrap 5% %"},
    "col_boot_high": {"zh": "自助法 95% %", "en": "bootstrap 95% %"},
    "col_share_top": {"zh": "为最大权重的比例 %", "en": "share largest %"},
    # goal-seek
    "gs_intro": {
        "zh": "在当前情景的基础上，寻找使该示范区达到目标的最小指标变化（熵值权重随数据重算）。"
        "成本 = 各项变化幅度（%）的绝对值之和；结果经模型重新计算验证。",
        "en": "Starting from the current scenario, find the least change of the zone's indicators that reaches a "
        "target (entropy weights recomputed). Cost = sum of |change %| (relative effort); the answer is verified "
        "by running the engine on it.",
    },
    "gs_target_kind": {"zh": "目标", "en": "Target"},
    "target_rank": {"zh": "达到第 k 名或更好", "en": "Reach rank k or better"},
    "target_overtake": {"zh": "超过某个示范区", "en": "Overtake a zone"},
    "target_score": {"zh": "达到某一得分", "en": "Reach a score"},
    "gs_rank": {"zh": "目标排名 k", "en": "Rank k"},
    "gs_rival": {"zh": "要超过的示范区", "en": "Zone to overtake"},
    "gs_score": {"zh": "目标得分（分）", "en": "Score to reach (points)"},
    "gs_levers": {"zh": "可调整的指标（政策杠杆）", "en": "Levers (indicators that may change)"},
    "gs_levers_help": {
        "zh": "默认为该示范区的全部指标；删去不可调整的指标。",
        "en": "By default all of the zone's indicators; remove those that cannot change.",
    },
    "gs_max_change": {"zh": "每项指标的最大变化幅度（%）", "en": "Max change per lever (%)"},
    "gs_max_help": {
        "zh": "沿指标的改善方向：正向指标最多增加该幅度，逆向指标最多减少该幅度（至多 −100%）。",
        "en": "In each indicator's improving direction: up for benefit indicators, down (at most −100 %) for cost "
        "indicators.",
    },
    "gs_whole": {"zh": "取整数百分比（便于滑块显示）", "en": "Whole percentages (so the sliders can show them)"},
    "gs_whole_help": {
        "zh": "把求得的百分比变化向上取整到整数（成本略增）；若取整后达不到目标，则保留两位小数。",
        "en": "Rounds the percentage changes found up to whole percents (a little more cost); if that no longer "
        "reaches the target, two decimals are kept.",
    },
    "gs_run": {"zh": "求解最小变化", "en": "Find the least change"},
    "gs_running": {"zh": "正在求解……（通常需要几秒钟）", "en": "Searching… (usually a few seconds)"},
    "gs_for": {
        "zh": "{zone}：{target}（{year} 年，基于情景“{scenario}”）；共计算 {evaluations} 个候选方案，用时 {seconds} 秒。",
        "en": "{zone}: {target} ({year}, from the scenario '{scenario}'); {evaluations} candidate tables scored in "
        "{seconds} s.",
    },
    "gs_reached": {
        "zh": "可以达到：{zone} 通过 {n} 项调整实现{target}，成本 {cost}。",
        "en": "Reached: {zone} gets to {target} with {n} change(s), at cost {cost}.",
    },
    "gs_already": {
        "zh": "{zone} 已经实现{target}（第 {rank} 名，得分 {score}），无需调整。",
        "en": "{zone} already meets the target ({target}): rank {rank}, score {score}. Nothing to change.",
    },
    "gs_not_reachable": {
        "zh": "在这些限制内无法达到{target}。求得的最佳结果：{zone} 第 {rank} 名，得分 {score}（{shortfall}）。",
        "en": "Not reachable within these bounds ({target}). The best found gives {zone} rank {rank}, score {score} "
        "({shortfall}).",
    },
    "gs_short": {"zh": "差 {points} 分", "en": "{points} points short"},
    "gs_tie": {"zh": "最多与对手并列", "en": "a tie at best"},
    "gs_metric_rank": {"zh": "排名", "en": "Rank"},
    "gs_metric_score": {"zh": "得分", "en": "Score"},
    "gs_metric_cost": {"zh": "成本（Σ|变化 %|）", "en": "Cost (Σ |change %|)"},
    "gs_changes": {"zh": "求得的干预措施", "en": "Interventions found"},
    "gs_ranking": {"zh": "采用该方案后的排名", "en": "Ranking with the answer"},
    "gs_load": {"zh": "将求得的情景载入滑块", "en": "Load the found scenario into the sliders"},
    "gs_load_help": {
        "zh": "使其成为“假设分析”页的当前情景（在原有干预措施之后加上求得的调整）。",
        "en": "Makes it the current scenario of the What-if tab (the changes found are added after the "
        "interventions already there).",
    },
    "gs_loaded": {"zh": "已将目标求解结果载入滑块：{name}", "en": "Goal-seek answer loaded into the sliders: {name}"},
    "gs_download": {"zh": "下载求得的情景（YAML）", "en": "Download the found scenario (YAML)"},
    "gs_stale": {
        "zh": "求解之后当前情景（或数据）已改变，此结果已过时；请重新求解。",
        "en": "The current scenario (or data) has changed since this answer was found; it is out of date. "
        "Search again.",
    },
    "gs_is_current": {"zh": "该方案已是当前情景。", "en": "This answer is the current scenario."},
    "gs_none_yet": {
        "zh": "设定目标后点击“求解最小变化”。",
        "en": "Set a target and press 'Find the least change'.",
    },
    "gs_name": {"zh": "目标求解：{zone}{target}", "en": "goal-seek: {zone} to {target}"},
    "gs_name_short": {"zh": "（最佳可达结果，未达到目标）", "en": " (best reachable; target NOT reached)"},
    "tl_rank": {"zh": "第 {rank} 名或更好", "en": "rank {rank} or better"},
    "tl_rank1": {"zh": "第 1 名", "en": "rank 1"},
    "tl_overtake": {"zh": "超过{zone}", "en": "overtake {zone}"},
    "tl_score": {"zh": "得分达到 {score} 分或以上", "en": "score {score} or more"},
    # levers
    "lv_intro": {
        "zh": "在当前情景基础上，每项指标沿改善方向调整一个标准步长（该区数值的 +10%，或各区间的 +1 个标准差）"
        "后该示范区的得分增益（熵值权重随数据重算）。",
        "en": "The zone's score gain from a standard step on each indicator in its improving direction (+10 % of "
        "the zone's value, or +1 standard deviation across the zones), on top of the current scenario, "
        "weights recomputed.",
    },
    "lv_sort": {"zh": "排序依据", "en": "Sort by"},
    "step_10%": {"zh": "+10%", "en": "+10%"},
    "step_1sd": {"zh": "+1 标准差", "en": "+1 sd"},
    "lv_now": {"zh": "{zone} 当前：第 {rank} 名，得分 {score}。", "en": "{zone} now: rank {rank}, score {score}."},
    "lv_top": {
        "zh": "最有效的杠杆：{indicator}（{step}：+{gain} 分，调整后第 {rank} 名）",
        "en": "Most effective lever: {indicator} ({step}: +{gain} points, rank {rank} after)",
    },
    "lv_top_none": {
        "zh": "在当前情景下，没有任何单项标准步长能提高该示范区的得分。",
        "en": "No single standard step raises this zone's score in the current scenario.",
    },
    "lv_no_credit": {
        "zh": "以下杠杆在极差标准化下不起作用（该区在此指标上仍为最后，标准化值仍为 0）：{items}",
        "en": "These levers earn nothing under min-max (the zone stays last on the indicator, so its normalised "
        "value stays 0): {items}",
    },
    "lv_helps": {"zh": "也会提高对手得分的杠杆（{n} 项）", "en": "Levers that also raise rivals' scores ({n})"},
    "lv_helps_item": {"zh": "{indicator}（惠及{zones}）", "en": "{indicator} (helps {zones})"},
    "lv_heatmap_note": {
        "zh": "热力图：每个示范区在自身各指标上调整一个 {step} 步长后的得分增益。",
        "en": "Heatmap: each zone's own gain from a {step} step on each of its indicators.",
    },
    "lv_table": {"zh": "杠杆明细", "en": "All levers"},
    "flag_stays_last": {"zh": "仍为最后：极差标准化下无增益", "en": "stays last: no credit under min-max"},
    "flag_helps": {"zh": "惠及 {zones}", "en": "helps {zones}"},
    "flag_moves": {"zh": "改变 {zones} 的排名", "en": "moves {zones}"},
    "flag_capped": {"zh": "受取值范围限制", "en": "capped at the valid range"},
    # robustness
    "rb_intro": {
        "zh": "蒙特卡洛模拟当前情景排名的稳健性：数据噪声（对数正态）、权重扰动（Dirichlet）及归一化方法的选择。",
        "en": "Monte Carlo robustness of the current scenario's ranking: data noise (lognormal), weights "
        "(Dirichlet) and the normalisation choice.",
    },
    "rb_draws": {"zh": "模拟次数", "en": "Draws"},
    "rb_draws_help": {"zh": "1 至 100,000 次。", "en": "From 1 to 100,000."},
    "rb_seed": {"zh": "随机种子", "en": "Seed"},
    "rb_seed_help": {"zh": "相同的种子给出相同的结果。", "en": "Same seed, same output."},
    "rb_sigma": {"zh": "数据噪声 σ（%）", "en": "Data noise σ (%)"},
    "rb_sigma_help": {
        "zh": "每个数值乘以对数正态因子 exp(σ·z)；0 表示无数据噪声。",
        "en": "Every value is multiplied by a lognormal factor exp(σ·z); 0 means no data noise.",
    },
    "rb_concentration": {
        "zh": "权重的 Dirichlet 集中度（0 = 不扰动权重）",
        "en": "Dirichlet concentration of the weights (0 = not perturbed)",
    },
    "rb_concentration_help": {
        "zh": "权重从以当前权重 w 为中心的 Dirichlet(c·w) 中抽取；c 越大越接近 w（例如 200）。",
        "en": "Weights are drawn from Dirichlet(c·w) around the weights w; the larger c, the closer to w "
        "(e.g. 200).",
    },
    "rb_vary": {"zh": "每次抽样随机选择的归一化方法", "en": "Normalisation drawn per draw"},
    "vary_fixed": {"zh": "不变（沿用情景的方法）", "en": "none (the scenario's method)"},
    "vary_scores": {"zh": "得分的归一化（三种之一）", "en": "for the scores (one of the three)"},
    "vary_weights": {"zh": "权重的归一化（三种之一）", "en": "for the weights (one of the three)"},
    "vary_both": {"zh": "权重和得分的归一化", "en": "for the weights and the scores"},
    "rb_run": {"zh": "运行模拟", "en": "Run the simulation"},
    "rb_progress": {"zh": "已完成 {done} / {total} 次模拟", "en": "{done} / {total} draws"},
    "rb_for": {
        "zh": "情景“{scenario}”（{year} 年）：{draws} 次模拟，随机种子 {seed}，用时 {seconds} 秒。",
        "en": "Scenario '{scenario}' ({year}): {draws} draws, seed {seed}, {seconds} s.",
    },
    "rb_table": {"zh": "得分区间与排名概率", "en": "Score intervals and rank probabilities"},
    "rb_beats": {
        "zh": "{zone}：基准第 {base} 名，情景第 {rank} 名；在同一次抽样中排名优于基准排名的概率为 {p}。",
        "en": "{zone}: baseline rank {base}, scenario rank {rank}; probability that its rank beats the baseline "
        "rank in the same draw: {p}.",
    },
    "rb_no_scenario": {
        "zh": "当前情景没有干预措施，因此不与基准比较。",
        "en": "The current scenario has no interventions, so there is no comparison with the baseline.",
    },
    "rb_weights": {"zh": "熵值权重本身的稳定性", "en": "Stability of the entropy weights"},
    "rb_weights_help": {
        "zh": "仅有少数示范区时熵值权重可能不稳定：逐一剔除一个示范区（留一法），以及有放回重抽示范区的自助法 90% 区间。",
        "en": "With only a few zones the entropy weights can be unstable: the weights with each zone left out, "
        "and bootstrap 90 % intervals (zones resampled with replacement).",
    },
    "rb_stale": {
        "zh": "模拟之后当前情景（或数据）已改变，此结果已过时；请重新运行。",
        "en": "The current scenario (or data) has changed since this simulation; it is out of date. Run it again.",
    },
    "rb_none_yet": {"zh": "设定参数后点击“运行模拟”。", "en": "Set the parameters and press 'Run the simulation'."},
    # charts of the analysis tabs
    "ch_lever_title": {"zh": "{zone}（{year} 年）各杠杆的得分增益（分）", "en": "Score gain for {zone} ({year}), points"},
    "ch_gain_axis": {"zh": "得分增益（分）", "en": "score gain (points)"},
    "ch_step": {"zh": "步长", "en": "step"},
    "ch_stays_last": {"zh": "仍为最后", "en": "stays last"},
    "ch_helps_rivals": {"zh": "惠及对手", "en": "helps rivals"},
    "ch_heat_title": {"zh": "各示范区 {step} 步长的自身得分增益（分）", "en": "Score gain from a {step} step (points)"},
    "ch_gain": {"zh": "增益", "en": "gain"},
    "ch_rank_prob_title": {"zh": "各名次的概率（{draws} 次模拟）", "en": "Probability of each rank ({draws} draws)"},
    "ch_rank": {"zh": "名次", "en": "rank"},
    "ch_probability": {"zh": "概率", "en": "P"},
    "ch_weight_title": {"zh": "熵值权重：自助法 90% 区间（%）", "en": "Entropy weights: bootstrap 90% interval (%)"},
    "ch_weight_axis": {"zh": "权重（%）", "en": "weight (%)"},
    "ch_gs_title": {"zh": "{zone}：{target}（{verdict}，成本 {cost}）", "en": "{zone}: {target} ({verdict}, cost {cost})"},
    "ch_reached": {"zh": "可达到", "en": "reached"},
    "ch_not_reachable": {"zh": "无法达到", "en": "not reachable"},
    "ch_before": {"zh": "调整前", "en": "before"},
    "ch_after": {"zh": "调整后", "en": "after"},
    "ch_score_axis": {"zh": "得分（分）", "en": "score (points)"},
    "ch_changes_title": {"zh": "求得的调整（幅度，占初始值的 %）", "en": "Changes found (effort, % of the starting value)"},
    "ch_effort": {"zh": "幅度（%）", "en": "effort (%)"},
}

#: Display names of method options.
_OPTIONS: dict[str, dict[str, str]] = {
    "minmax": {"zh": "极差标准化 min-max", "en": "min-max"},
    "minmax-shift": {"zh": "平移极差 0.99·x′+0.01", "en": "min-max shifted (0.99·x′ + 0.01)"},
    "ratio": {"zh": "比值 x / max", "en": "ratio x / max"},
    "same": {"zh": "同权重的归一化", "en": "same as for the weights"},
    "recompute": {"zh": "按情景数据重算熵值权重", "en": "recompute entropy weights"},
    "baseline": {"zh": "固定基准年权重", "en": "freeze the baseline weights"},
    "equal": {"zh": "等权", "en": "equal"},
    "published": {"zh": "论文公布的权重", "en": "the paper's published weights"},
    "explicit": {"zh": "自定义权重（来自情景文件）", "en": "explicit weights (from the scenario file)"},
    "scenario": {"zh": "取自情景数据", "en": "from the scenario's data"},
    "goal_baseline": {"zh": "固定为基准年极值", "en": "fixed at the baseline year"},
}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The UI string ``key`` in ``lang``, formatted with ``values``.

    Falls back to :func:`sim.report.label`, then to the key itself, so a missing
    translation shows up as a readable id rather than an exception.
    """
    entry = _STRINGS.get(key)
    if entry is None:
        text = report_label(key, lang)
    else:
        text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def option_label(option: str, lang: str = DEFAULT_LANG, kind: str = "") -> str:
    """Display name of a method option (``kind="goalposts"`` tells the two "baseline"s apart)."""
    key = "goal_baseline" if kind == "goalposts" and option == "baseline" else option
    entry = _OPTIONS.get(key)
    return (entry.get(lang) or entry["en"]) if entry else option


# What can start an inline construct: HTML and autolinks (<), links and images and
# Streamlit's :color[...] directives ([ ]), emphasis (* _ ~), code (`), math ($), tables
# (|) and the escape character itself. Other punctuation (&, (, ), ., -) stays as it
# is, so that names such as "R&D" or "Sunan (苏南)" read the same in widget labels,
# whose raw text is also their accessible name.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Block markers only matter at the start of a line: headings, lists, quotes, rules.
_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")


def escape_markdown(text: object) -> str:
    """Make ``text`` render literally in Streamlit Markdown (labels, alerts, captions).

    Everything Markdown, HTML or Streamlit's directives (``:red[...]``, ``$math$``)
    could act on is backslash-escaped, HTML entities are neutralised, and line breaks
    become hard breaks so a multi-line message keeps its lines and indents.
    """
    lines = str(text).splitlines() or [""]
    escaped = []
    for line in lines:
        stripped = line.lstrip(" ")
        indent = "\u00a0" * (len(line) - len(stripped))  # kept visible: list items in messages
        body = _ENTITY.sub("&amp;", _INLINE_SPECIAL.sub(r"\\\1", stripped))
        body = _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], body)
        escaped.append(indent + body)
    return "  \n".join(escaped)


def unescape_markdown(text: str) -> str:
    """Inverse of :func:`escape_markdown` (used by tests to compare messages)."""
    plain = re.sub(r"\\(.)", r"\1", text.replace("  \n", "\n")).replace("&amp;", "&")
    return plain.replace("\u00a0", " ")
