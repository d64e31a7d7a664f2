"""The planner's brief (issue 14): ``zonesim report`` as Word and as one web page.

Numbers are checked against ``zonesim run/compare --format json`` (the tables show
2 decimals, so the tolerance is half a unit of the last decimal, 0.005).
"""

from __future__ import annotations

import contextlib
import doctest
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

import sim.brief
import sim.brief.content
from sim.brief import ScenarioInput, make_brief
from sim.brief.content import reconstructed_values
from sim.brief.figures import font_dirs, png_size
from sim.cli import main
from sim.data import load_package
from sim.messages import catalogue, text
from sim.scenario import load_scenario, parse_scenario

REPO = Path(__file__).resolve().parent.parent
SUNAN = REPO / "scenarios" / "sunan_rd_doubling.yaml"
CORRIDOR = REPO / "scenarios" / "g42_talent_corridor.yaml"
CATCH_UP = REPO / "scenarios" / "sunan_catch_up.yaml"
HALF_CENT = 0.005 + 1e-9


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def cli_json(*argv: str) -> dict:
    status, out, _ = run_cli(*argv, "--format", "json")
    assert status == 0
    return json.loads(out)


def docx_table(document, key: str) -> list[list[str]]:
    """The rows (header first) of the table whose description is ``key``."""
    for table in document.tables:
        description = table._tbl.tblPr.find(qn("w:tblDescription"))
        if description is not None and description.get(qn("w:val")) == key:
            return [[cell.text for cell in row.cells] for row in table.rows]
    raise AssertionError(f"no table {key!r}")


def body_text(document) -> str:
    """Every paragraph and table cell before the appendix."""
    appendix = text("brief.sec_appendix", "zh")
    lines = []
    for paragraph in document.paragraphs:
        if paragraph.text == appendix:
            break
        lines.append(paragraph.text)
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def one_zh(tmp_path_factory) -> dict:
    """The brief of the Sunan scenario in Chinese, written by the command, both formats."""
    folder = tmp_path_factory.mktemp("brief")
    paths = {kind: folder / f"brief.{kind}" for kind in ("docx", "html")}
    for path in paths.values():
        status, out, err = run_cli("report", str(SUNAN), "--out", str(path), "--lang", "zh")
        assert status == 0, err
        assert str(path) in out
    return {"docx": docx.Document(str(paths["docx"])), "docx_path": paths["docx"],
            "html": paths["html"].read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def two_en(tmp_path_factory) -> dict:
    """Two scenarios side by side, in English."""
    path = tmp_path_factory.mktemp("brief") / "compare.docx"
    status, _, err = run_cli("report", str(SUNAN), str(CORRIDOR), "--out", str(path), "--lang", "en")
    assert status == 0, err
    return {"docx": docx.Document(str(path))}


# --------------------------------------------------------------------------- Word


def test_word_ranking_table_equals_run_json(one_zh, shipped):
    expected = {z["zone"]: z for z in cli_json("run", str(SUNAN))["zones"]}
    rows = docx_table(one_zh["docx"], "ranking")
    assert rows[0][:3] == [text("brief.col_rank", "zh"), text("brief.col_zone", "zh"), text("brief.col_score", "zh")]
    by_name = {shipped.name("zone", z, "zh"): z for z in shipped.zone_ids}
    assert len(rows) - 1 == len(expected)
    previous = None
    for rank_text, name, score, delta, base_score, base_rank, _arrow, gap in rows[1:]:
        zone = expected[by_name[name]]
        assert int(rank_text) == zone["rank"] and int(base_rank) == zone["baseline_rank"]
        assert abs(float(score) - zone["score"]) <= HALF_CENT
        assert abs(float(delta) - zone["delta"]) <= HALF_CENT
        assert abs(float(base_score) - zone["baseline_score"]) <= HALF_CENT
        if previous is None:
            assert gap == "—"
        else:
            assert abs(float(gap) - (previous - zone["score"])) <= 2 * HALF_CENT
        previous = zone["score"]


def test_word_changes_table_names_the_linked_change(one_zh):
    rows = docx_table(one_zh["docx"], "changes")
    how = {row[1]: row[-1] for row in rows[1:]}
    assert how["R&D经费支出"] == text("brief.origin_intervention", "zh")
    assert how["R&D经费支出占GDP比重"] == text("brief.origin_link", "zh")
    assert all(row[5] == "+100.0%" for row in rows[1:])  # doubling, and elasticity 1


def test_word_headings_are_in_the_outline(one_zh):
    document = one_zh["docx"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = ["sec_question", "sec_changes", "sec_ranking", "sec_warnings", "sec_method", "sec_appendix"]
    assert headings == [text(f"brief.{key}", "zh") for key in expected]
    outline = document.styles["Heading 1"].element.find(qn("w:pPr")).find(qn("w:outlineLvl"))
    assert outline.get(qn("w:val")) == "0"


def test_word_declares_the_east_asian_font_with_a_fallback(one_zh):
    with zipfile.ZipFile(one_zh["docx_path"]) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
        fonts = package.read("word/fontTable.xml").decode("utf-8")
    defaults = styles[styles.index("<w:docDefaults>"):styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="SimSun"' in defaults and "eastAsiaTheme" not in defaults
    assert 'w:eastAsia="zh-CN"' in defaults
    heading = styles[styles.index('w:styleId="Heading1"'):]
    heading = heading[:heading.index("</w:style>")]
    assert 'w:eastAsia="SimHei"' in heading and "eastAsiaTheme" not in heading
    # The font table lets Word substitute a Chinese (GB2312) font when SimSun is missing.
    simsun = re.search(r'<w:font w:name="SimSun">(.*?)</w:font>', fonts, re.DOTALL).group(1)
    assert '<w:altName w:val="宋体"/>' in simsun and '<w:charset w:val="86"/>' in simsun


def test_word_body_names_zones_and_indicators_never_ids(one_zh, shipped):
    body = body_text(one_zh["docx"])
    for item in [*shipped.zone_ids, *shipped.indicator_ids]:
        assert not re.search(rf"(?<![\w`]){re.escape(item)}(?![\w`])", body), item
    assert "江苏苏南" in body and "R&D经费支出" in body


def test_word_charts_are_decodable_png(one_zh):
    from PIL import Image

    document = one_zh["docx"]
    assert len(document.inline_shapes) == 2  # scores and group contributions
    for shape in document.inline_shapes:
        blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        image = Image.open(io.BytesIO(blob))
        image.load()
        assert image.format == "PNG" and image.width > 600 and png_size(blob) == image.size


def test_word_appendix_parses_back_to_the_same_scenario(one_zh, shipped):
    paragraphs = one_zh["docx"].paragraphs
    caption = text("brief.appendix_file", "zh", position=1, file=SUNAN.name)
    position = next(i for i, p in enumerate(paragraphs) if p.text == caption)
    verbatim = paragraphs[position + 1].text
    assert verbatim == SUNAN.read_text(encoding="utf-8").rstrip("\n")
    back = parse_scenario(verbatim, shipped, source="appendix")
    assert back.to_dict() == load_scenario(SUNAN, shipped).to_dict()


def test_caveat_for_the_shipped_data_only(one_zh, shipped, tiny_package_dir, tmp_path):
    reconstructed, _, total = reconstructed_values(shipped, 2020)
    caveat = text("brief.caveat", "zh", year=2020, count=reconstructed, total=total)
    assert reconstructed > 0
    assert caveat in [p.text for p in one_zh["docx"].paragraphs]
    assert caveat in one_zh["html"]

    official = tmp_path / "official"
    shutil.copytree(tiny_package_dir, official)
    baseline = (official / "baseline.csv").read_text(encoding="utf-8")
    (official / "baseline.csv").write_text(
        baseline.replace("invented for the tests", "中国火炬统计年鉴 2021 (China Torch Statistical Yearbook)"),
        encoding="utf-8")
    package = load_package(official)
    assert reconstructed_values(package, 2020) == (0, 0, 9)
    scenario = parse_scenario("version: 1\nname: t\nyear: 2020\ninterventions:\n"
                              "- {zone: shenzhen, indicator: patents, by: 10}\n", package)
    document = docx.Document(io.BytesIO(make_brief(package, [ScenarioInput.from_scenario(scenario)], "docx", "zh")))
    paragraphs = [p.text for p in document.paragraphs]
    assert not any(p.startswith(caveat[:3]) for p in paragraphs)  # "注意：" opens the caveat only
    assert any(p.startswith(text("brief.fingerprint", "zh", digest="")) for p in paragraphs)


# --------------------------------------------------------------------------- comparison


def test_comparison_table_equals_compare_json(two_en, shipped):
    scenarios = cli_json("compare", str(SUNAN), str(CORRIDOR))["scenarios"]
    rows = docx_table(two_en["docx"], "comparison")
    by_name = {shipped.name("zone", z, "en"): z for z in shipped.zone_ids}
    assert rows[0][0] == text("brief.col_zone", "en") and len(rows[0]) == 2 + len(scenarios)
    for row in rows[1:]:
        zone = by_name[row[0]]
        for cell, scenario in zip(row[2:], scenarios):
            expected = next(z for z in scenario["zones"] if z["zone"] == zone)
            score, rest = cell.split("\n")
            rank, delta = re.fullmatch(r"#(\d+), ([+-]\d+\.\d\d)", rest).groups()
            assert abs(float(score) - expected["score"]) <= HALF_CENT and int(rank) == expected["rank"]
            assert abs(float(delta) - expected["delta"]) <= HALF_CENT


def test_comparison_has_the_rank_chart_and_a_section_per_scenario(two_en):
    document = two_en["docx"]
    assert len(document.inline_shapes) == 1 + 2 * 2
    sub = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert sub == [text(f"brief.{k}", "en") for k in ("sec_changes", "sec_ranking")] * 2
    first = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert text("brief.sec_comparison", "en") in first
    assert text("brief.sec_scenario", "en", position=2, name="G42 talent corridor") in first


def test_many_scenarios_put_scenarios_down_the_table(shipped):
    files = sorted((REPO / "scenarios").glob("*.yaml"))[:6]
    inputs = [ScenarioInput.from_file(path, shipped) for path in files]
    brief = sim.brief.content.build_brief(shipped, inputs, "en")
    table = next(t for t in brief.tables() if t.key == "comparison")
    assert table.headers[0] == text("brief.col_scenario", "en") and len(table.headers) == 1 + len(shipped.zone_ids)
    assert len(table.rows) == 1 + len(files)  # one baseline year, then each scenario


# --------------------------------------------------------------------------- charts and fonts

_RENDER_WITHOUT_AND_WITH = textwrap.dedent(
    """
    import json, sys
    import vl_convert
    from sim.brief.figures import CHART_WIDTH, CJK_FAMILY, render_png, register_cjk_fonts
    spec = json.loads(sys.stdin.read())
    # The spec the brief renders, before any font is registered: fontconfig sees none with CJK glyphs.
    without = vl_convert.vegalite_to_png({**spec, "width": CHART_WIDTH, "config": {"font": CJK_FAMILY}}, scale=1)
    assert register_cjk_fonts(), "no CJK font folder found"
    with_font = render_png(spec, scale=1)
    sys.stdout.write(json.dumps([without.hex(), with_font.hex()]))
    """
)


def test_chinese_labels_render_only_with_the_registered_font(shipped, tmp_path):
    from sim import charts
    from sim.engine import run_scenario

    assert font_dirs(), "fonts-noto-cjk is missing: scripts/setup.sh installs it"
    result = run_scenario(shipped, load_scenario(SUNAN, shipped))
    spec = charts.scores_chart(result, shipped, "zh").to_dict()
    # A fontconfig that knows only DejaVu (no CJK), so vl-convert sees no CJK font of the system.
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
                    f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>", encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _RENDER_WITHOUT_AND_WITH], input=json.dumps(spec), text=True, check=False,
                          capture_output=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    without, with_font = (bytes.fromhex(h) for h in json.loads(done.stdout))
    assert min(png_size(without)) > 100 and min(png_size(with_font)) > 100
    assert without != with_font


# --------------------------------------------------------------------------- HTML


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs.items() if name in ("src", "href")]
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("data-key", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_needs_no_network(one_zh):
    page = _Page()
    page.feed(one_zh["html"])
    assert page.links and all(link.startswith("data:") for link in page.links)
    assert not any(re.match(r"\s*https?:", link) for link in page.links)
    assert "script" not in page.tags and "link" not in page.tags
    assert not re.search(r"url\(\s*['\"]?https?:|@import", one_zh["html"])
    assert "@page" in one_zh["html"] and "size: A4" in one_zh["html"] and "@media print" in one_zh["html"]


def test_html_has_the_same_tables_as_word(one_zh):
    page = _Page()
    page.feed(one_zh["html"])
    for key in ("ranking", "changes"):
        assert page.tables[key] == docx_table(one_zh["docx"], key)
    figures = re.findall(r'<figure data-key="(\w+)"><img src="data:image/svg\+xml;base64,', one_zh["html"])
    assert figures == ["scores", "groups"]


def test_html_escapes_the_user_s_text(shipped):
    scenario = parse_scenario("version: 1\nname: <script>alert(1)</script>\nyear: 2020\n"
                              "description: a & b <i>x</i>\ninterventions: []\n", shipped)
    page = make_brief(shipped, [ScenarioInput.from_scenario(scenario)], "html", "en")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b &lt;i&gt;x&lt;/i&gt;" in page


# --------------------------------------------------------------------------- the command


def test_command_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "brief.html"
    out.write_text("keep me", encoding="utf-8")
    status, _, err = run_cli("report", str(SUNAN), "--out", str(out))
    assert status == 2 and "--force" in err and out.read_text(encoding="utf-8") == "keep me"
    status, _, err = run_cli("report", str(SUNAN), "--out", str(out), "--force")
    assert status == 0, err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("name", ["brief.pdf", "brief", "brief.docx.txt"])
def test_command_names_a_bad_output_file(tmp_path, name):
    status, _, err = run_cli("report", str(SUNAN), "--out", str(tmp_path / name))
    assert status == 2 and ".docx" in err and ".html" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_command_reports_every_bad_scenario_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nyear: 2020\ninterventions:\n- {zone: sunan, indicator: rd_spendin, by: 1}\n",
                   encoding="utf-8")
    out = tmp_path / "brief.docx"
    status, _, err = run_cli("report", str(SUNAN), str(bad), str(tmp_path / "missing.yaml"), "--out", str(out))
    assert status == 2 and "bad.yaml" in err and "rd_spending" in err and "missing.yaml" in err
    assert not out.exists() and "Traceback" not in err


def test_command_adds_the_robustness_sentence(tmp_path, shipped):
    from sim.analysis.robustness import robustness

    out = tmp_path / "brief.html"
    status, _, err = run_cli("report", str(SUNAN), "--out", str(out), "--robustness", "400", "--seed", "3")
    assert status == 0, err
    report = robustness(shipped, load_scenario(SUNAN, shipped), draws=400, seed=3, bootstrap=0)
    rank = int(report.rank["sunan"])
    probability = f"{100 * report.rank_probabilities.at['sunan', rank]:.0f}%"
    page = out.read_text(encoding="utf-8")
    assert text("brief.sec_robustness", "en") in page
    assert f"probability that {shipped.name('zone', 'sunan', 'en')} ranks {rank}: {probability}" in page


def test_baseline_brief_says_who_leads(shipped):
    scenario = parse_scenario("version: 1\nname: base\nyear: 2020\ninterventions: []\n", shipped)
    brief = sim.brief.content.build_brief(shipped, [ScenarioInput.from_scenario(scenario)], "en")
    answers = brief.sections[0].blocks[-1].items
    assert answers[0].startswith("Shenzhen ranks first")
    assert text("brief.changes_none", "en") in [b.text for b in brief.sections[1].blocks]


# --------------------------------------------------------------------------- catalogue and doctests


def test_every_brief_key_used_exists():
    used = set()
    for path in (REPO / "sim" / "brief").glob("*.py"):
        used |= set(re.findall(r"""\(\s*["'](brief\.[a-z_]+)["']""", path.read_text(encoding="utf-8")))
    assert used and not sorted(used - set(catalogue()))


def test_doctests_of_the_brief():
    for module in (sim.brief, sim.brief.content):
        assert doctest.testmod(module).failed == 0
