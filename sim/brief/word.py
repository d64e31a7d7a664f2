"""The brief as a Word document (python-docx): real tables, an outline, Chinese fonts declared.

Headings use Word's built-in "Heading 1/2" styles, so they appear in the navigation
pane and a table of contents. Every style declares its East-Asian font explicitly
(宋体 SimSun for text, 黑体 SimHei for headings) instead of the template's theme
fonts, the document's East-Asian language is zh-CN, and the font table describes both
fonts (alternative name, GB2312 character set, PANOSE), so Word on a machine without
them substitutes another Chinese font, and LibreOffice picks one through fontconfig.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from sim.brief.model import Brief, Bullets, Figure, Paragraph, Section, Table, Verbatim
from sim.report import text_width

LATIN_FONT, MONO_FONT = "Calibri", "Consolas"
#: East-Asian fonts: (name in the document, its Chinese name, PANOSE) — the font table
#: gives Word what it needs to substitute a font that is missing.
EAST_ASIAN_TEXT = ("SimSun", "宋体", "02010600030101010101")
EAST_ASIAN_HEADING = ("SimHei", "黑体", "02010609060101010101")
#: Widest figure and table on an A4 page with 2 cm margins.
MAX_FIGURE_CM, TABLE_WIDTH_CM = 16.0, 17.0
#: Table text at 9 pt: about 0.22 cm per narrow character in a wide font such as DejaVu
#: (a Chinese one counts two), plus the cell's margins; text columns get at least 1.5 cm.
CHARACTER_CM, CELL_PADDING_CM, MIN_TEXT_COLUMN_CM = 0.22, 0.6, 1.5
#: Tables up to this many rows are kept on one page.
KEEP_TOGETHER_ROWS = 20
CAUTION_FILL, VERBATIM_FILL, HEADER_FILL = "FCEBEA", "F3F3F3", "E8EEF6"


def render_docx(brief: Brief) -> bytes:
    """The brief as the bytes of a .docx file (figures must be rendered)."""
    document = Document()
    _page_setup(document)
    _declare_fonts(document)
    properties = document.core_properties
    properties.title, properties.author, properties.language = brief.title, "zonesim", _language(brief.lang)
    properties.subject = brief.byline
    today = dt.datetime.now().replace(microsecond=0)
    properties.created = properties.modified = today
    properties.revision = 1

    _styled(document, brief.title, "Title")
    _styled(document, brief.byline, "Subtitle")
    for section in brief.sections:
        _section(document, section, level=1)
    _declare_font_table(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _language(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en-GB"


# --------------------------------------------------------------------------- blocks


def _section(document, section: Section, level: int) -> None:
    _styled(document, section.heading, f"Heading {level}")
    for block in section.blocks:
        if isinstance(block, Paragraph):
            _paragraph(document, block)
        elif isinstance(block, Bullets):
            for item in block.items:
                _styled(document, item, "List Bullet")
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            _figure(document, block)
        elif isinstance(block, Verbatim):
            _verbatim(document, block)
    for sub in section.subsections:
        _section(document, sub, level + 1)


def _styled(document, text: str, style_name: str):
    """A paragraph in a built-in style, the style set by its id.

    Same result as ``add_paragraph(text, style=name)``, which looks the style up in
    the whole style sheet at every call (a third of the time of a long brief).
    """
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = _style_ids()[style_name]
    return paragraph


@cache
def _style_ids() -> dict[str, str]:
    """Style name -> style id in python-docx's default template (every brief starts from it)."""
    return {style.name: style.style_id for style in Document().styles}


def _paragraph(document, block: Paragraph) -> None:
    if block.kind == "quote":
        _styled(document, block.text, "Quote")
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.kind == "lead":
        run.bold, run.font.size = True, Pt(12)
    elif block.kind == "caution":
        run.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x1C, 0x1C)
        _shade(paragraph._p.get_or_add_pPr(), CAUTION_FILL)
    elif block.kind == "note":
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _table(document, block: Table) -> None:
    caption = _styled(document, block.caption, "Caption")
    caption.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(block)
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    properties = table._tbl.tblPr
    for tag, value in (("w:tblCaption", block.caption), ("w:tblDescription", block.key)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    # A short table stays on one page (each row kept with the next); a long one breaks
    # between rows only, its header row repeated on every page.
    keep_together = len(block.rows) <= KEEP_TOGETHER_ROWS
    for row_index, cells in enumerate([block.headers, *block.rows]):
        row = table.rows[row_index]
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        if row_index == 0:
            row_properties.append(OxmlElement("w:tblHeader"))
        row_cells = row.cells  # python-docx rebuilds this list at every access
        for column, value in enumerate(cells):
            cell = row_cells[column]
            cell.width = Cm(widths[column])  # Word reads the cells' widths, LibreOffice the grid's
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.keep_with_next = keep_together and row_index < len(block.rows)
            run = paragraph.add_run(value)
            run.font.size = Pt(9)
            if row_index == 0:
                run.bold = True
                _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
            elif block.numeric[column]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def column_widths(block: Table, total_cm: float = TABLE_WIDTH_CM) -> list[float]:
    """Column widths (cm) that fit what each column holds, together ``total_cm`` wide.

    A column needs room for its longest cell line and its header's longest word (a
    header may wrap between words; Chinese characters count double). When everything
    fits, the spare room is shared out; when not, the number columns keep what they
    need and the text columns (names, which wrap well) share the rest.
    """
    needs = []
    for position, header in enumerate(block.headers):
        lines = [line for row in block.rows for line in row[position].split("\n")]
        longest = max([text_width(word) for word in header.split() or [header]] + [text_width(x) for x in lines] + [2])
        needs.append(longest * CHARACTER_CM + CELL_PADDING_CM)
    if sum(needs) <= total_cm:
        return [need * total_cm / sum(needs) for need in needs]
    fixed = sum(need for need, numeric in zip(needs, block.numeric) if numeric)
    flexible = sum(need for need, numeric in zip(needs, block.numeric) if not numeric)
    share = max(total_cm - fixed, MIN_TEXT_COLUMN_CM) / flexible if flexible else 1.0
    widths = [need if numeric else max(MIN_TEXT_COLUMN_CM, need * share) for need, numeric in zip(needs, block.numeric)]
    return [width * min(1.0, total_cm / sum(widths)) for width in widths]


def _figure(document, block: Figure) -> None:
    width_cm = min(MAX_FIGURE_CM, block.width_px / 96 * 2.54) if block.width_px else MAX_FIGURE_CM
    document.add_picture(io.BytesIO(block.png), width=Cm(width_cm))
    picture_paragraph = document.paragraphs[-1]
    picture_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture_paragraph.paragraph_format.keep_with_next = True
    document.inline_shapes[-1]._inline.docPr.set("descr", block.caption)
    caption = _styled(document, block.caption, "Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _verbatim(document, block: Verbatim) -> None:
    heading = document.add_paragraph()
    heading.add_run(block.caption).bold = True
    heading.paragraph_format.keep_with_next = True
    paragraph = document.add_paragraph()
    _shade(paragraph._p.get_or_add_pPr(), VERBATIM_FILL)
    # One run: python-docx writes each newline as a line break and each tab as a tab,
    # and reads them back the same way, so the text round-trips exactly.
    run = paragraph.add_run(block.text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n"))
    run.font.name, run.font.size = MONO_FONT, Pt(8.5)
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_TEXT[0])


def _shade(properties, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


# --------------------------------------------------------------------------- page and fonts


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    footer._p.append(page)


def _declare_fonts(document) -> None:
    """Explicit Latin and East-Asian fonts on the defaults and on every style we use."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults.find(qn("w:rFonts")), LATIN_FONT, EAST_ASIAN_TEXT[0])
    language = defaults.find(qn("w:lang"))
    language.set(qn("w:eastAsia"), "zh-CN")
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:  # character and table styles inherit
            continue
        heading = style.name.startswith("Heading") or style.name in ("Title", "Subtitle")
        rpr = style.element.get_or_add_rPr()
        _set_fonts(rpr.get_or_add_rFonts(), LATIN_FONT, (EAST_ASIAN_HEADING if heading else EAST_ASIAN_TEXT)[0])


def _set_fonts(fonts, latin: str, east_asian: str) -> None:
    # Theme attributes win over named fonts in Word: drop them, then name the fonts.
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        fonts.set(qn(f"w:{attribute}"), value)


_FONT_ENTRY = (
    '<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
    '<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
)


def _declare_font_table(document) -> None:
    """Describe SimSun and SimHei in ``word/fontTable.xml`` (alternative name, GB2312, PANOSE).

    python-docx keeps that part as plain bytes (no API for it): they are edited in
    place before the document is saved.
    """
    entries = "".join(
        _FONT_ENTRY.format(name=name, alt=alt, panose=panose, family=family)
        for (name, alt, panose), family in ((EAST_ASIAN_TEXT, "roman"), (EAST_ASIAN_HEADING, "modern"))
    )
    part = next(p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    xml = re.sub(r'<w:font w:name="(SimSun|SimHei)">.*?</w:font>', "", xml, flags=re.DOTALL)
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")
