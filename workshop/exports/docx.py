"""The report as a Word document (python-docx), in the layout practitioners recognise.

Fakta om analysen · Resultat i korthet · 1 Inledning · 2 Metod · 3 Utgångspunkter ·
4 Analys · 5 Värdering · 6 Osäkerhetsbedömning · 7 Sammanfattning — the same sections, order
and figures as the web report (both are built from ``workshop.draft.report.build``), with the
effect chain and the result chart as pictures (``figures.py``). Who took part is reported as
counts per perspective only: no names, nicknames or answers of participants.
"""

from __future__ import annotations

import io
from collections.abc import Set as AbstractSet
from copy import deepcopy
from typing import Any
from weakref import WeakKeyDictionary

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.run import Run
from flask_babel import gettext as _
from flask_babel import ngettext

from ..draft.checks import not_given, or_not_given
from ..draft.models import Analysis
from ..draft.report import build, not_recorded
from ..formatting import number, percent
from ..models import Workshop
from . import figures
from .common import clean, kr, per_krona_text, word, year_text

PAGE_W, PAGE_H, MARGIN = Cm(21.0), Cm(29.7), Cm(2.2)
TEXT_W = Cm(21.0 - 2 * 2.2)
LANDSCAPE_TEXT_W = Cm(29.7 - 2 * 2.2)
MAX_IMAGE_H = Cm(21.0)
MAX_LANDSCAPE_IMAGE_H = Cm(13.5)
# A chain picture taller than this gets a page of its own (after the first page): in the text
# it could leave the page before it nearly empty.
INLINE_IMAGE_H = Cm(10.0)
# A chain wider than this (layout units) gets a landscape page, so its titles stay legible.
WIDE_CHAIN = 1150
TITLE_PT = 20  # a box title's size in the chain's layout units (points at 1:1)
MIN_LEGIBLE_PT = 5
HEAD_FILL = "E8EDF5"
ACCENT = RGBColor(0x1D, 0x4F, 0x91)
MUTED = RGBColor(0x4D, 0x55, 0x66)
LANG = {"sv": "sv-SE", "en": "en-GB"}
TABLE_TEXT = "Table Text"
FONT = "Calibri"  # LibreOffice shows it with the metric-compatible Carlito


# --- small builders -------------------------------------------------------------------------
# python-docx finds a style by name with an XPath query over all styles, and clears every new run
# with another: for a 300-item report that was a third of the time outside the pictures. These
# builders write the same XML without the queries.

_STYLE_IDS: WeakKeyDictionary = WeakKeyDictionary()  # document part -> (name, type) -> style id


def _style_id(part, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
    """``part.get_style_id(name, kind)``, looked up once per document."""
    ids = _STYLE_IDS.setdefault(part, {})
    if (name, kind) not in ids:
        ids[(name, kind)] = part.get_style_id(name, kind)
    return ids[(name, kind)]


def _run(p, text: str = "") -> Run:
    """``p.add_run(text)``: tabs and line breaks become Word's elements, as python-docx makes them."""
    r = p._p.add_r()
    if text:
        if "\t" in text or "\n" in text or "\r" in text:
            r.text = text
        else:
            r.add_t(text)
    return Run(r, p)


def _ppr(style_id: str | None, align: WD_ALIGN_PARAGRAPH | None = None):
    """A paragraph's properties (style, alignment) made once with python-docx's setters, to be copied
    into many new paragraphs as their first child: the setters search each element's allowed
    successors, which for the table cells of a 300-item report was a fifth of its time."""
    p = OxmlElement("w:p")
    p.style = style_id
    if align is not None:
        p.get_or_add_pPr().jc_val = align
    return p.pPr


def _heading(doc, text: str, level: int):
    """``doc.add_heading(text, level)``."""
    p = doc.add_paragraph()
    if text:
        _run(p, text)
    p._p.style = _style_id(doc.part, "Title" if level == 0 else f"Heading {level}")
    return p


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _para(
    container,
    text: Any = "",
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    colour: RGBColor | None = None,
    align=None,
    space_after: float | None = None,
):
    p = container.add_paragraph()
    if text not in ("", None):
        run = _run(p, clean(text))
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    if style is not None:
        p._p.style = _style_id(container.part, style)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def _table(
    doc,
    headers: list[str],
    rows: list[list[Any]],
    widths: list[float] | None = None,
    numeric: AbstractSet[int] = frozenset(),
    caption: str | None = None,
    first_col_bold: bool = False,
):
    """A table with a shaded header row that repeats on every page; numbers right-aligned.

    Built in one pass (all rows at once, each cell touched once): python-docx's cell access is
    slow, and a 300-item analysis has tables of hundreds of rows.
    """
    if caption:
        _para(doc, caption, bold=True, space_after=3)
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table._tbl.tblStyle_val = _style_id(doc.part, "Table Grid", WD_STYLE_TYPE.TABLE)
    style_id = _style_id(doc.part, TABLE_TEXT)
    left, right = _ppr(style_id), _ppr(style_id, WD_ALIGN_PARAGRAPH.RIGHT)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if widths:
        table.autofit = False
        for i, w in enumerate(widths):
            table.columns[i].width = Cm(w)
    for r, row in enumerate(table.rows):
        values = headers if r == 0 else rows[r - 1]
        for i, cell in enumerate(row.cells):
            value = values[i]
            if widths:
                cell.width = Cm(widths[i])
            p = cell.paragraphs[0]
            p._p.insert(0, deepcopy(right if i in numeric else left))
            if r == 0:
                _run(p, clean(value)).bold = True
                _shade(cell, HEAD_FILL)
            elif isinstance(value, tuple):  # (title, description): title bold, description below
                title, desc = value
                _run(p, clean(title)).bold = True
                if desc:
                    extra = cell.add_paragraph()
                    extra._p.insert(0, deepcopy(left))
                    run = _run(extra, clean(desc))
                    run.font.size = Pt(9)
                    run.font.color.rgb = MUTED
            else:
                run = _run(p, clean(value))
                if first_col_bold and i == 0:
                    run.bold = True
    _repeat_header(table.rows[0])
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _widths(table, widths: list[float]) -> None:
    """Column widths that Word and LibreOffice both keep (grid columns and cell widths, fixed layout)."""
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Cm(w)
    for row in table.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = Cm(w)


def _fit_width(size: tuple[float, float], width: int | None = None, text_width: int = TEXT_W) -> int:
    """The width in EMU a picture of ``size`` (width, height; only their ratio counts) gets: at most
    ``width`` (or ``text_width``), not taller than the page allows."""
    w, h = size
    width = width or text_width
    max_h = MAX_LANDSCAPE_IMAGE_H if text_width == LANDSCAPE_TEXT_W else MAX_IMAGE_H
    if width * h / max(w, 1) > max_h:
        width = int(max_h * w / max(h, 1))
    return width


def _picture(doc, png: bytes, caption: str | None = None, width: int | None = None, text_width: int = TEXT_W) -> int:
    """Add a PNG at most ``text_width`` wide (and not taller than the page allows); its width in EMU."""
    width = _fit_width(figures.png_size(png), width, text_width)
    doc.add_picture(io.BytesIO(png), width=width)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.keep_with_next = bool(caption)
    if caption:
        _para(doc, caption, style="Caption")
    return width


def _landscape(doc, on: bool) -> None:
    """A new section on a new page, landscape (for a wide effect chain) or back to portrait."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_H, PAGE_W) if on else (PAGE_W, PAGE_H)


def _page_number_footer(section, text: str) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _run(p, clean(text) + " · ")
    run.font.size = Pt(8)
    run.font.color.rgb = MUTED
    for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("end", None)):
        r = _run(p)
        r.font.size = Pt(8)
        r.font.color.rgb = MUTED
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = value
            r._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
            if kind == "separate":
                t = OxmlElement("w:t")
                t.text = "1"
                r._r.append(t)


def _setup(doc, language: str, title: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.left_margin = section.right_margin = MARGIN
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11.5)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
        style.paragraph_format.keep_with_next = True
    doc.styles["Title"].font.size = Pt(26)
    from docx.enum.style import WD_STYLE_TYPE

    table_text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(9.5)
    table_text.paragraph_format.space_after = Pt(1)
    table_text.paragraph_format.space_before = Pt(0)
    r_pr = doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")
    if r_pr:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), LANG.get(language, "sv-SE"))
        r_pr[0].append(lang)
    props = doc.core_properties
    props.author = "Nyttoverkstad"
    props.last_modified_by = "Nyttoverkstad"
    props.comments = ""
    props.title = clean(title)[:250]
    props.subject = _("Benefit analysis")
    props.language = LANG.get(language, "sv-SE")


# --- the report -----------------------------------------------------------------------------


def render(ws: Workshop, analysis: Analysis) -> bytes:
    r = build(ws, analysis)
    a = r["analysis"]
    res = r["result"]
    und, disc = res["undiscounted"], res["discounted"]
    title = a.name_of_change or ws.title
    doc = Document()
    _setup(doc, ws.language or "sv", title)
    _page_number_footer(doc.sections[0], f"{_('Benefit analysis')}: {clean(title)[:80]}")

    status = _("Draft") if a.status_text in ("", "Utkast") else a.status_text
    _para(doc, f"{_('Benefit analysis')} · {clean(status)}", colour=MUTED, size=10, space_after=0)
    _heading(doc, clean(title), 0)

    # Facts about the analysis.
    _heading(doc, _("Facts about the analysis"), 1)
    f = r["facts"]
    facts = [
        (_("Organisation"), f["organisation"]),
        (_("Area"), f["area"]),
        (_("Change"), f["name_of_change"]),
        (_("Geography"), f["geography"]),
        (_("Status"), f["status"]),
        (_("Date"), f["date"].strftime("%Y-%m-%d") if f["date"] else ""),
        (_("Version"), f["version"]),
        (_("Contact (role)"), f["contact_role"]),
    ]
    table = doc.add_table(rows=0, cols=2)
    table._tbl.tblStyle_val = _style_id(doc.part, "Table Grid", WD_STYLE_TYPE.TABLE)
    for label, value in facts:
        cells = table.add_row().cells
        _run(cells[0].paragraphs[0], label).bold = True
        _shade(cells[0], "F3F5F9")
        _run(cells[1].paragraphs[0], or_not_given(clean(value)))
    _widths(table, [5.0, 11.6])
    doc.add_paragraph()

    # Result in brief.
    _heading(doc, _("Result in brief"), 1)
    measures = doc.add_table(rows=2, cols=3)
    measures._tbl.tblStyle_val = _style_id(doc.part, "Table Grid", WD_STYLE_TYPE.TABLE)
    # Every headline figure says its basis.
    heads = [
        f"{word('nettonytta')} ({_('discounted')})",
        f"{word('per_krona')} ({_('discounted')})",
        f"{word('break_even')} ({_('undiscounted')})",
    ]
    values = [
        kr(disc["nettonytta"]),
        per_krona_text(disc["per_krona"]),
        year_text(und["break_even_year"], a.start_year),
    ]
    for i, (head, value) in enumerate(zip(heads, values)):
        top, bottom = measures.rows[0].cells[i], measures.rows[1].cells[i]
        _shade(top, "EEF3FA")
        _shade(bottom, "EEF3FA")
        run = _run(top.paragraphs[0], head)
        run.font.size = Pt(9)
        run.font.color.rgb = MUTED
        run = _run(bottom.paragraphs[0], value)
        run.bold = True
        run.font.size = Pt(17)
    _widths(measures, [5.53, 5.53, 5.54])
    doc.add_paragraph()
    _para(
        doc,
        ngettext(
            "Over %(n)s year the benefits valued in money amount to %(b)s and the costs to %(c)s (undiscounted); "
            "discounted at %(r)s (convention %(conv)s): %(bd)s and %(cd)s.",
            "Over %(n)s years the benefits valued in money amount to %(b)s and the costs to %(c)s (undiscounted); "
            "discounted at %(r)s (convention %(conv)s): %(bd)s and %(cd)s.",
            a.horizon,
            n=a.horizon,
            b=kr(und["benefits"]),
            c=kr(und["costs"]),
            r=percent(a.discount_rate, 1),
            conv=a.convention,
            bd=kr(disc["benefits"]),
            cd=kr(disc["costs"]),
        ),
    )
    if res["not_valued"]:
        _para(
            doc,
            ngettext(
                "%(n)s benefit or cost is not valued in money; it is listed with its estimated size in section 4.",
                "%(n)s benefits or costs are not valued in money; they are listed with their estimated size in section 4.",
                len(res["not_valued"]),
                n=len(res["not_valued"]),
            ),
        )
    o = r["omfordelning"]
    if o["any"]:
        _table(
            doc,
            [
                "",
                _("Hours per year (mean)"),
                _("Årsarbetare per year (mean)"),
                ngettext("Hours over %(n)s year", "Hours over %(n)s years", o["horizon"], n=o["horizon"]),
                ngettext(
                    "Årsarbetare over %(n)s year, in all",
                    "Årsarbetare over %(n)s years, in all",
                    o["horizon"],
                    n=o["horizon"],
                ),
            ],
            [
                [
                    label,
                    number(o[side]["hours_per_year"], 0),
                    number(o[side]["arsarbetare_per_year"], 2),
                    number(o[side]["hours_total"], 0),
                    number(o[side]["arsarbetare_total"], 2),
                ]
                for side, label in (("benefit", _("Freed (benefits)")), ("cost", _("Consumed (costs)")))
            ],
            widths=[4.2, 3.1, 3.1, 3.1, 3.1],
            numeric={1, 2, 3, 4},
            caption=_("Omfördelning in time"),
            first_col_bold=True,
        )
    # The effect chain's page: a chain picture that needs a page of its own follows the first
    # page (the title page), so the forced page break never leaves a page nearly empty; a
    # small picture stays in the text of section 4; a chain too big to draw legibly on a page
    # is listed only (section 4 points to the picture to download), and is not drawn at all: the
    # picture has the layout's proportions, so the layout alone decides.
    has_chain = bool(r["changes"] or r["effects"] or r["links"])
    chain_page = legible = False
    if has_chain:
        layout, polarity, kinds = figures.chain_data(analysis)
        size = (float(layout["width"]), float(layout["height"]))
        # Wide and not tall: a landscape page keeps the titles legible. A tall chain stays portrait.
        wide = size[0] > WIDE_CHAIN and size[0] >= size[1]
        shown = _fit_width(size, text_width=LANDSCAPE_TEXT_W if wide else TEXT_W)
        legible = TITLE_PT * shown / Emu(Pt(size[0])) >= MIN_LEGIBLE_PT
        chain_page = legible and (wide or TEXT_W * size[1] / max(size[0], 1) > INLINE_IMAGE_H)
        if legible:
            chain_png = figures.draw_chain(layout, polarity, kinds)
        if chain_page:
            if wide:
                _landscape(doc, True)
            else:
                doc.add_page_break()
            # A picture page of section 4 (its heading one level down keeps the report's numbered outline).
            _heading(doc, _("Effect chain (section 4)"), 2)
            _picture(doc, chain_png, text_width=LANDSCAPE_TEXT_W if wide else TEXT_W)
            if wide:
                _landscape(doc, False)

    # 1 Introduction.
    _heading(doc, f"1 {_('Introduction')}", 1)
    _para(doc, a.purpose or _("The purpose of the analysis has not been written yet."))

    # 2 Method.
    _heading(doc, f"2 {_('Method')}", 1)
    if a.method_notes:
        _para(doc, a.method_notes)
    p = r["participation"]
    if not p["recorded"]:
        _para(doc, not_recorded())
    else:
        mode = _("led live") if p["mode"] == "live" else _("open for contributions over time")
        text = _(
            "The analysis was made with the benefit-analysis method (nyttoanalys and nyttokalkyl) in a workshop in "
            "Nyttoverkstad, %(mode)s.",
            mode=mode,
        )
        if p["first_input"]:
            text += " " + _(
                "Inputs were collected from %(a)s to %(b)s.",
                a=p["first_input"].strftime("%Y-%m-%d"),
                b=p["last_input"].strftime("%Y-%m-%d"),
            )
        _para(doc, text)
        _para(
            doc,
            ngettext(
                "%(n)s participant took part.", "%(n)s participants took part.", p["participants"], n=p["participants"]
            ),
        )
        if p["per_perspective"]:
            _table(
                doc,
                [_("Perspective"), _("Participants")],
                [[label or _("Not stated"), str(n)] for label, n in p["per_perspective"]],
                widths=[12.6, 4.0],
                numeric={1},
                caption=_("Participants per perspective"),
            )
        if p["activities"]:
            _table(
                doc,
                [_("Activity"), _("Inputs")],
                [[act["title"], str(act["inputs"])] for act in p["activities"]],
                widths=[12.6, 4.0],
                numeric={1},
                caption=_("Steps and activities"),
            )
    _para(
        doc,
        _(
            "Benefits and costs are sorted into the categories Financial (changes real payments), Redistribution "
            "(resources such as working time, valued in money but not taken home as money), Quality and Environment."
        ),
    )

    # 3 Starting points.
    _heading(doc, f"3 {_('Starting points')}", 1)
    _heading(doc, _("Alternatives"), 2)
    _para(doc, _("Alternative A (reference)"), bold=True, space_after=2)
    _para(doc, a.alternative_a or not_given())
    _para(doc, _("Alternative B (the change)"), bold=True, space_after=2)
    _para(doc, a.alternative_b or not_given())
    if a.comparison:
        _table(
            doc,
            [_("Aspect"), _("Alternative A"), _("Alternative B")],
            [[row.get("aspect"), row.get("a"), row.get("b")] for row in a.comparison],
            widths=[4.6, 6.0, 6.0],
            caption=_("Comparison of the alternatives"),
            first_col_bold=True,
        )
    _heading(doc, _("Frame"), 2)
    perspectives = (
        ", ".join(f"{clean(x['label'])} ({x['kind']})" if x["kind"] else clean(x["label"]) for x in r["perspectives"])
        or not_given()
    )
    horizon = ngettext("%(n)s year", "%(n)s years", a.horizon, n=a.horizon) + (
        f", {_('from %(y)s', y=a.start_year)}" if a.start_year else ""
    )
    for line in (
        f"{_('Perspectives')}: {perspectives}",
        f"{_('Geography')}: {or_not_given(clean(a.geography))}",
        f"{_('Start year')}: {a.start_year or not_given()}",
        f"{_('Horizon')}: {horizon}",
        f"{_('Discount rate')}: {percent(a.discount_rate, 1)} ({_('convention %(c)s', c=a.convention)}); "
        f"{_('all amounts in today’s prices')}",
    ):
        _para(doc, line, style="List Bullet", space_after=2)

    # 4 Analysis.
    _heading(doc, f"4 {_('Analysis')}", 1)
    if has_chain:
        _heading(doc, _("Effect chain"), 2)
        if not legible:
            _para(
                doc,
                _(
                    "The effect chain is too large to draw legibly on a page: download it as a picture (SVG) from "
                    "the draft analysis page to zoom in. Its links are listed below."
                ),
                italic=True,
            )
        elif chain_page:
            _para(doc, _("The effect chain is drawn on its own page after the first page. Its links:"))
        else:
            _picture(doc, chain_png)
        for link in r["links"][:60]:
            _para(doc, f"{clean(link['from'])} → {clean(link['to'])}", style="List Bullet", space_after=0, size=9)
        if len(r["links"]) > 60:
            _para(
                doc,
                ngettext(
                    "… and %(n)s more link.", "… and %(n)s more links.", len(r["links"]) - 60, n=len(r["links"]) - 60
                ),
                italic=True,
                size=9,
            )
    merged = [e for e in r["effects"] if e.get("variants")]
    if merged:
        # A merge keeps every wording a participant gave: listed with the effect kept.
        _heading(doc, _("Merged effects: every wording kept"), 2)
        for e in merged:
            wordings = "; ".join(
                f"“{clean(v['title'])}”"
                + (
                    f" ({_('positive') if v['polarity'] == 'positive' else _('negative')})"
                    if v.get("polarity") and v["polarity"] != e.get("polarity")
                    else ""
                )
                for v in e["variants"]
            )
            _para(doc, f"{clean(e['title'])} — {_('also written as:')} {wordings}", style="List Bullet", space_after=0)
    for key, heading in (
        ("benefits", _("Benefits")),
        ("consequence_costs", _("Consequence costs")),
        ("implementation_costs", _("Implementation costs")),
        ("risks", _("Risks")),
        ("obstacles", _("Obstacles")),
        ("opportunities", _("Opportunities")),
    ):
        _heading(doc, heading, 2)
        items = r["sections"][key]
        if not items:
            _para(doc, _("None recorded."), italic=True, colour=MUTED)
        elif key in ("risks", "obstacles", "opportunities"):
            for it in items:
                para = _para(doc, style="List Bullet")
                _run(para, clean(it["title"])).bold = True
                if it["description"]:
                    _run(para, ": " + clean(it["description"]))
        else:
            rows = []
            for it in items:
                valuation = it["valuation_label"] + (f": {it['size_label']}" if it["size_label"] else "")
                if it["cost_kind"]:
                    valuation += f" ({_('one-off') if it['cost_kind'] == 'one_off' else _('recurring')})"
                rows.append(
                    [
                        (it["title"], _described(it)),
                        it["category_label"] or "–",
                        it["perspective"] or "–",
                        valuation,
                        kr(it["yearly_value"]) if it["yearly_value"] is not None else "",
                    ]
                )
            _table(
                doc,
                [_("Title"), _("Category"), _("Perspective"), _("Valuation"), _("Per year")],
                rows,
                widths=[5.6, 2.6, 2.9, 3.1, 2.4],
                numeric={4},
            )

    _grey_zone(doc, r)

    # 5 Valuation.
    _heading(doc, f"5 {_('Valuation')}", 1)
    if a.valuation_notes:
        _para(doc, a.valuation_notes)
    if r["grey_zone"]:
        _para(doc, grey_zone_note(len(r["grey_zone"])))
    for blk in r["blocks"]:
        _heading(doc, clean(blk["item"]["title"]), 3)
        para = doc.add_paragraph()
        _run(para, f"{_('Formula')}: ")
        code = _run(para, clean(blk["formula"]) or "–")
        code.font.name = "Consolas"
        if blk["item"]["yearly_value"] is not None:
            _run(para, f" = {kr(blk['item']['yearly_value'])} {_('per year')}")
        _table(
            doc,
            [_("Question"), _("Name"), _("Unit"), _("Lowest"), _("Likely"), _("Highest"), _("Source")],
            [
                [
                    row["label"],
                    row["name"],
                    row["unit"],
                    number(row["low"]),
                    number(row["likely"]),
                    number(row["high"]),
                    row["source"],
                ]
                for row in blk["rows"]
            ],
            widths=[4.2, 2.4, 1.7, 1.7, 1.7, 1.7, 3.2],
            numeric={3, 4, 5},
        )
    if r["factors"]:
        _table(
            doc,
            [_("Factor"), _("Value"), _("Unit"), _("Source")],
            [
                [
                    f"{clean(fa.label)} ({clean(fa.name)})",
                    number(fa.likely),
                    fa.unit,
                    clean(fa.source) + (f", {fa.year}" if fa.year else ""),
                ]
                for fa in r["factors"]
            ],
            widths=[5.6, 2.2, 2.0, 6.8],
            numeric={1},
            caption=_("Shared factors used"),
        )
    if r["sources"]:
        _para(doc, _("Sources"), bold=True, space_after=2)
        for source in r["sources"]:
            _para(doc, source, style="List Bullet", space_after=0)

    # 6 Uncertainty assessment.
    _heading(doc, f"6 {_('Uncertainty assessment')}", 1)
    if r["uncertainty_areas"]:
        _table(
            doc,
            [_("Area"), _("Uncertainty"), _("Motivation")],
            [[u["area"], u["level_label"] or "–", u["motivation"]] for u in r["uncertainty_areas"]],
            widths=[5.0, 2.6, 9.0],
            caption=_("Uncertainty per area (qualitative)"),
            first_col_bold=True,
        )
    u = res["uncertainty"]
    _table(
        doc,
        ["", word("all_low"), word("all_likely"), word("all_high")],
        [
            [f"{label} ({_('discounted')})"] + [kr(u[s]["discounted"][key]) for s in ("low", "likely", "high")]
            for key, label in (
                ("benefits", _("Benefits")),
                ("costs", _("Costs")),
                ("nettonytta", _("Total net benefit")),
            )
        ],
        widths=[6.2, 3.5, 3.5, 3.4],
        numeric={1, 2, 3},
        caption=_("The result with all lowest, all likely and all highest values"),
        first_col_bold=True,
    )
    if res["sensitivity"]:
        caption = (
            f"{_('The inputs that move the net benefit most (one at a time, lowest to highest)')} "
            f"({word('undiscounted').lower()})"
        )
        tornado = figures.tornado_chart(res)
        if tornado:
            _picture(doc, tornado, caption)
        _table(
            doc,
            [_("Input"), _("Net benefit at lowest"), _("Net benefit at highest")],
            [[e["display"], kr(e["nettonytta_low"]), kr(e["nettonytta_high"])] for e in figures.tornado_entries(res)],
            widths=[9.6, 3.5, 3.5],
            numeric={1, 2},
        )
    if r["points_items"]:
        _table(
            doc,
            [_("Title"), _("Category"), _("Estimated size (points)")],
            [[it["title"], it["category_label"], it["points_text"]] for it in r["points_items"]],
            widths=[9.6, 3.5, 3.5],
            caption=_("Benefits and costs not valued in money"),
        )

    # 7 Summary.
    _heading(doc, f"7 {_('Summary')}", 1)
    text = ngettext(
        "The total net benefit over %(n)s year is %(v)s undiscounted and %(d)s discounted.",
        "The total net benefit over %(n)s years is %(v)s undiscounted and %(d)s discounted.",
        a.horizon,
        n=a.horizon,
        v=kr(und["nettonytta"]),
        d=kr(disc["nettonytta"]),
    )
    if und["break_even_year"]:
        text += " " + _(
            "The accumulated benefits exceed the accumulated costs in year %(y)s.", y=und["break_even_year"]
        )
    else:
        text += " " + _("The accumulated benefits never exceed the accumulated costs within the horizon.")
    text += " " + _(
        "With all lowest values the net benefit is %(l)s, with all highest %(hi)s (discounted).",
        l=kr(u["low"]["discounted"]["nettonytta"]),
        hi=kr(u["high"]["discounted"]["nettonytta"]),
    )
    # The last section moves as one block: its chart and text never leave a page of their own
    # nearly empty at the end of the report.
    if res["items"]:
        _picture(
            doc,
            figures.accumulated_chart(res, start_year=a.start_year),
            width=Cm(14.5),
            caption=f"{_('Accumulated benefits and costs per year')} ({word('undiscounted').lower()})",
        )
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    last = _para(doc, text)
    last.paragraph_format.keep_together = True
    if r["points_items"]:
        _para(doc, points_sentence(len(r["points_items"])), space_after=2)
        for it in r["points_items"]:
            _para(doc, f"{it['title']}: {it['points_text']}", style="List Bullet", space_after=0)
    if r["uncertainty_areas"]:
        _para(doc, _("Uncertainty per area"), bold=True, space_after=2)
        for u_area in r["uncertainty_areas"]:
            _para(doc, f"{u_area['area']}: {u_area['level_label'] or '–'}", style="List Bullet", space_after=0)

    _followup_section(doc, a)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def points_sentence(n: int) -> str:
    """The summary's words for the items valued in points, beside the money result."""
    return ngettext(
        "Beside the money, %(n)s benefit or cost is valued in points (Ingen 0, Liten 1, Måttlig 2, Stor 3) "
        "or not valued; points are not added to the money:",
        "Beside the money, %(n)s benefits or costs are valued in points (Ingen 0, Liten 1, Måttlig 2, Stor 3) "
        "or not valued; points are not added to the money:",
        n,
        n=n,
    )


def _described(it: dict[str, Any]) -> str:
    """An item's description, then the motivation of its sorting (step 4) when one is written."""
    parts = [clean(it["description"])]
    if it.get("motivation"):
        parts.append(f"{_('Motivation')}: {clean(it['motivation'])}")
    return "\n".join(p for p in parts if p)


def grey_zone_note(n: int) -> str:
    return ngettext(
        "%(n)s benefit or cost was in the gråzon when the group sorted; the decision and its motivation are in "
        "section 4 (Gråzon).",
        "%(n)s benefits or costs were in the gråzon when the group sorted; the decisions and their motivations "
        "are in section 4 (Gråzon).",
        n,
        n=n,
    )


def _grey_zone(doc, r: dict[str, Any]) -> None:
    """4 Analys · Gråzon: the items the group could not sort clearly, its votes, the decision and why."""
    if not r["sorted_by_room"]:
        return
    _heading(doc, _("Gråzon"), 2)
    items = r["grey_zone"]
    if not items:
        _para(doc, _("The group sorted every benefit and cost clearly: no item was in the gråzon."), italic=True)
        return
    _para(
        doc,
        _(
            "Items without a clear majority when the group sorted them (a tie, or under half of the votes for one "
            "category). The analysis leader decided and motivated the choice."
        ),
    )
    _table(
        doc,
        [_("Title"), _("The group's votes"), _("Decision"), _("Motivation")],
        [
            [
                (it["title"], it["type_label"]),
                it["votes_text"],
                it["decision_text"],
                it["motivation"] or _("No motivation written yet."),
            ]
            for it in items
        ],
        widths=[4.2, 3.9, 3.5, 5.0],
    )


def _followup_section(doc, a: Analysis) -> None:
    """8 Uppföljning: only once a version is decided — the latest version against what happened."""
    from ..draft.vocabulary import SIZE_LABELS
    from ..followup import service as followup

    versions = followup.versions(a) if a.id is not None else []
    if not versions:
        return
    v = versions[-1]
    cmp = followup.comparison(v)
    heading = _("Follow-up")  # (outside the f-string, where the catalogue's extractor finds it)
    _heading(doc, f"8 {heading}", 1)
    lines = [
        _(
            "Version %(number)s: %(label)s, decided %(date)s",
            number=n.number,
            label=n.label,
            date=n.decided_on.isoformat(),
        )
        + (f" ({n.decided_by})" if n.decided_by else "")
        for n in versions
    ]
    _para(doc, _("Decided versions") + ": " + "; ".join(lines) + ".")
    if cmp.to_year:
        _para(doc, _("Measured up to year %(year)s; later years keep the estimate.", year=cmp.to_year))
    else:
        _para(doc, _("Nothing measured yet."))
    e, o = cmp.estimate, cmp.outcome
    _table(
        doc,
        ["", _("Estimate (decided)"), _("Outcome so far")],
        [
            [_("Total net benefit, undiscounted"), kr(e["undiscounted"].nettonytta), kr(o["undiscounted"].nettonytta)],
            [_("Total net benefit, discounted"), kr(e["discounted"].nettonytta), kr(o["discounted"].nettonytta)],
            [
                _("Net benefit per krona invested, undiscounted"),
                per_krona_text(e["undiscounted"].per_krona),
                per_krona_text(o["undiscounted"].per_krona),
            ],
            [
                _("Year benefits exceed costs, undiscounted"),
                year_text(e["undiscounted"].break_even_year),
                year_text(o["undiscounted"].break_even_year),
            ],
        ],
        widths=[8.6, 4, 4],
        numeric={1, 2},
        first_col_bold=True,
    )
    plans = {p.item_id: p for p in v.plans}
    due = followup.due_dates(v)
    rows = []
    for item in cmp.items:
        plan = plans.get(item.id)
        next_on = due.get(item.id)
        rows.append(
            [
                (item.title, plan.owner_role if plan and plan.owner_role else ""),
                kr(item.estimate_to_date),
                kr(item.outcome_to_date),
                _("Behind plan") if item.behind_plan else "",
                next_on.isoformat() if next_on is not None else "",
            ]
        )
    if rows:
        _table(
            doc,
            [_("Item"), _("Estimate to date"), _("Outcome to date"), "", _("Next measurement")],
            rows,
            widths=[6.2, 3, 3, 2.2, 2.6],
            numeric={1, 2},
            caption=_("Benefits and costs valued in money"),
        )
    sizes = followup.sizes(v)
    items, _factors, _settings = followup.inputs_of(v)
    quality = [i for i in items if not i.valued_in_money]

    def size_word(score: int | None) -> str:
        return str(SIZE_LABELS[score]) if score is not None else "–"

    if quality:
        _table(
            doc,
            [_("Item"), _("Estimated size"), _("Realised size")],
            [
                [
                    (i.title, sizes[i.id].comment if i.id in sizes else ""),
                    size_word(i.size_score),
                    size_word(sizes[i.id].size) if i.id in sizes else "–",
                ]
                for i in quality
            ],
            widths=[9.6, 3.5, 3.5],
            caption=_("Benefits and costs not valued in money"),
        )
