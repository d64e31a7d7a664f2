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
        "zh": "国家自主创新示范区熵值法评价：假设分析、情景文件、情景比较",
        "en": "Entropy-weight ranking of China's innovation demonstration zones: what-if, scenario files, comparison",
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
    "source_missing": {"zh": "（数据包未给出来源）", "en": "(the data package gives no source)"},
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
