"""A short presentation of the analysis (python-pptx), 16:9, for the commissioner's meeting.

Title · Alternativen · Effektkedja · Nyttor och kostnader per kategori · Resultat · Osäkerhet ·
Nästa steg. Big type, few words per slide; the longer texts (the alternatives in full, the
result in a sentence) go into the speaker notes. Figures come from ``figures.py`` (the same
pictures as the report); the category chart is a native chart, editable in PowerPoint.
"""

from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ..draft.checks import not_given
from ..draft.models import Analysis
from ..draft.report import build
from ..formatting import percent
from ..models import Workshop
from . import figures
from .common import clean, kr, per_krona_text, word, year_text

W, H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
CONTENT_TOP = Inches(1.45)
INK = RGBColor(0x1A, 0x1F, 0x2B)
ACCENT = RGBColor(0x1D, 0x4F, 0x91)
MUTED = RGBColor(0x4D, 0x55, 0x66)
COST = RGBColor(0xC2, 0x41, 0x0C)
PANEL = RGBColor(0xEE, 0xF3, 0xFA)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BLANK_LAYOUT = 6
# Calibri, named on every run: LibreOffice draws it with the metric-compatible Carlito, so the
# text takes the room it takes in PowerPoint. Boxes are sized with slack for it, and shrink
# their text on overflow (normAutofit) where neither font is installed.
FONT = "Calibri"
# Average advance of a character of Calibri, in ems (for estimating how many lines a text takes).
CHAR_EM = 0.5
# The smallest title size (pt) of a box of the effect chain worth showing on a slide.
MIN_CHAIN_PT = 6


def _short(text: Any, limit: int) -> str:
    """At most ``limit`` characters, cut after a whole word where one ends in the last third."""
    text = " ".join(clean(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut).rstrip(" ,.;:–-") + "…"


def _box(
    slide,
    x,
    y,
    w,
    h,
    text: Any = "",
    size: float = 24,
    bold: bool = False,
    colour: RGBColor = INK,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
    fill: RGBColor | None = None,
):
    shape = (
        slide.shapes.add_textbox(x, y, w, h)
        if fill is None
        else slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y, w, h)
    )
    if fill is not None:
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
        shape.line.fill.background()
        shape.shadow.inherit = False
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    tf.vertical_anchor = anchor
    for side in ("margin_left", "margin_right"):
        setattr(tf, side, Inches(0.15))
    p = tf.paragraphs[0]
    p.alignment = align
    run = p.add_run()
    run.text = clean(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour
    return shape


def _add_line(
    shape,
    text: Any,
    size: float,
    bold: bool = False,
    colour: RGBColor = INK,
    space_before: float = 6,
    align=PP_ALIGN.LEFT,
):
    p = shape.text_frame.add_paragraph()
    p.alignment = align
    p.space_before = Pt(space_before)
    run = p.add_run()
    run.text = clean(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour
    return p


def lines_of(text: str, width_emu: int, size: float) -> int:
    """How many lines ``text`` takes at ``size`` pt in a box ``width_emu`` wide (an estimate
    with slack: whole words, a little wider than Calibri's average)."""
    per_line = max(1, int(Emu(width_emu).pt / (size * CHAR_EM * 1.1)))
    lines, used = 1, 0
    for w in text.split():
        need = len(w) if used == 0 else used + 1 + len(w)
        if need <= per_line:
            used = need
        else:
            lines += 1 + (len(w) - 1) // per_line
            used = len(w) % per_line or per_line
    return lines


def _slide(prs, title: str, notes: str = ""):
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, W, Inches(0.18))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _box(
        slide,
        MARGIN,
        Inches(0.42),
        W - 2 * MARGIN,
        Inches(0.95),
        title,
        size=38,
        bold=True,
        colour=ACCENT,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    if notes:
        slide.notes_slide.notes_text_frame.text = clean(notes)
    return slide


def _picture(slide, png: bytes, x, y, w, h) -> None:
    """The picture as large as fits in the box, centred."""
    pw, ph = figures.png_size(png)
    scale = min(w / pw, h / ph)
    width, height = int(pw * scale), int(ph * scale)
    slide.shapes.add_picture(
        io.BytesIO(png), Emu(x + (w - width) // 2), Emu(y + (h - height) // 2), Emu(width), Emu(height)
    )


def _figure(slide, label: str, value: str, note: str, x, y, w, h, colour: RGBColor = INK) -> None:
    shape = _box(slide, x, y, w, h, label, size=18, colour=MUTED, fill=PANEL)
    shape.text_frame.margin_top = Inches(0.15)
    _add_line(shape, value, size=40, bold=True, colour=colour, space_before=4)
    if note:
        _add_line(shape, note, size=16, colour=MUTED, space_before=2)


def render(ws: Workshop, analysis: Analysis) -> bytes:
    r = build(ws, analysis)
    a = r["analysis"]
    res = r["result"]
    und, disc = res["undiscounted"], res["discounted"]
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    title = a.name_of_change or ws.title
    props = prs.core_properties
    props.author = "Nyttoverkstad"
    props.last_modified_by = "Nyttoverkstad"
    props.title = clean(title)[:250]
    props.subject = _("Benefit analysis")
    props.comments = ""
    props.language = "sv-SE" if (ws.language or "sv") == "sv" else "en-GB"
    content_w = W - 2 * MARGIN
    content_h = H - CONTENT_TOP - Inches(0.45)

    # 1 Title.
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    bg = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, W, H)
    bg.fill.solid()
    bg.fill.fore_color.rgb = ACCENT
    bg.line.fill.background()
    _box(
        slide,
        Inches(0.9),
        Inches(1.6),
        Inches(11.5),
        Inches(0.6),
        _("Benefit analysis").upper(),
        size=22,
        bold=True,
        colour=RGBColor(0xC9, 0xD8, 0xF0),
    )
    # The title's size by its length, so up to 90 characters fit the box (two or three lines).
    title_text = _short(title, 90)
    title_size = next(
        size
        for size in (52, 44, 36, 30)
        if lines_of(title_text, Inches(11.2), size) * size * 1.2 <= Inches(2.2).pt or size == 30
    )
    _box(
        slide,
        Inches(0.9),
        Inches(2.25),
        Inches(11.5),
        Inches(2.2),
        title_text,
        size=title_size,
        bold=True,
        colour=WHITE,
    )
    facts = " · ".join(x for x in (clean(a.organisation), clean(a.area)) if x)
    _box(slide, Inches(0.9), Inches(4.6), Inches(11.5), Inches(0.7), _short(facts, 110), size=24, colour=WHITE)
    status = _("Draft") if a.status_text in ("", "Utkast") else a.status_text
    date = a.updated_at.strftime("%Y-%m-%d") if a.updated_at else ""
    line = " · ".join(x for x in (clean(status), f"{_('Version')} {clean(a.version)}" if a.version else "", date) if x)
    _box(slide, Inches(0.9), Inches(5.4), Inches(11.5), Inches(0.6), line, size=20, colour=RGBColor(0xC9, 0xD8, 0xF0))

    # 2 The alternatives.
    notes = f"A: {clean(a.alternative_a)}\n\nB: {clean(a.alternative_b)}"
    slide = _slide(prs, _("Alternatives"), notes)
    col_w = (content_w - Inches(0.4)) // 2
    top_h = Inches(2.3) if a.comparison else content_h
    for i, (head, text) in enumerate(
        ((_("Alternative A (reference)"), a.alternative_a), (_("Alternative B (the change)"), a.alternative_b))
    ):
        shape = _box(
            slide,
            MARGIN + i * (col_w + Inches(0.4)),
            CONTENT_TOP,
            col_w,
            top_h,
            head,
            size=22,
            bold=True,
            colour=ACCENT,
            fill=PANEL,
        )
        shape.text_frame.margin_top = Inches(0.12)
        _add_line(shape, _short(text, 160 if a.comparison else 420) or not_given(), size=20, space_before=6)
    if a.comparison:
        rows = a.comparison[:4]
        top = CONTENT_TOP + top_h + Inches(0.3)
        table = slide.shapes.add_table(len(rows) + 1, 3, MARGIN, top, content_w, Inches(0.5) * (len(rows) + 1)).table
        table.columns[0].width = Inches(3.3)
        table.columns[1].width = table.columns[2].width = (content_w - Inches(3.3)) // 2
        for c, head in enumerate((_("Aspect"), _("Alternative A"), _("Alternative B"))):
            table.cell(0, c).text = head
        for i, row in enumerate(rows, start=1):
            for c, key in enumerate(("aspect", "a", "b")):
                table.cell(i, c).text = _short(row.get(key), 60)
        for i in range(len(rows) + 1):
            for c in range(3):
                for p in table.cell(i, c).text_frame.paragraphs:
                    for run in p.runs:
                        run.font.name = FONT
                        run.font.size = Pt(18)
                        run.font.bold = i == 0 or c == 0 or None

    # 3 The effect chain.
    slide = _slide(
        prs, _("Effect chain"), "\n".join(f"{clean(lk['from'])} → {clean(lk['to'])}" for lk in r["links"][:80])
    )
    if r["changes"] or r["effects"] or r["links"]:
        layout, polarity, kinds = figures.chain_data(analysis)
        # The titles' size on the slide (20 layout units at 1:1): too small to read, the slide says so.
        shown = min(Emu(content_w).pt / layout["width"], Emu(content_h).pt / layout["height"]) * 20
        if shown >= MIN_CHAIN_PT:
            _picture(slide, figures.draw_chain(layout, polarity, kinds), MARGIN, CONTENT_TOP, content_w, content_h)
        else:
            shape = _box(
                slide,
                MARGIN,
                CONTENT_TOP,
                content_w,
                Inches(2.4),
                ngettext(
                    "The effect chain has %(n)s item: too many to read on one slide.",
                    "The effect chain has %(n)s items: too many to read on one slide.",
                    len(layout["nodes"]),
                    n=len(layout["nodes"]),
                ),
                size=28,
                colour=INK,
            )
            _add_line(
                shape,
                _(
                    "Its links are in the report (section 4); the picture can be downloaded from the draft analysis page."
                ),
                size=22,
                colour=MUTED,
                space_before=14,
            )
    else:
        _box(slide, MARGIN, CONTENT_TOP, content_w, Inches(1), _("None recorded."), size=24, colour=MUTED)

    # 4 Benefits and costs by category.
    slide = _slide(prs, _("Benefits and costs by category"))
    chart_w = Inches(8.0) if res["not_valued"] else content_w
    if res["items"]:
        data = CategoryChartData()
        cats = ("finansiell", "omfordelning")
        data.categories = [word(c) for c in cats]
        data.add_series(word("benefits"), [round(disc["by_category"]["benefit"].get(c, 0.0)) for c in cats])
        data.add_series(word("costs"), [round(disc["by_category"]["cost"].get(c, 0.0)) for c in cats])
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, CONTENT_TOP, chart_w, content_h - Inches(0.5), data
        ).chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(18)
        chart.category_axis.tick_labels.font.size = Pt(20)
        chart.value_axis.tick_labels.font.size = Pt(14)
        chart.value_axis.tick_labels.number_format = '#,##0," tkr"'
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.has_major_gridlines = True
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        plot.data_labels.number_format = '#,##0," tkr"'
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(14)
        for series, colour in zip(chart.series, (ACCENT, COST)):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
        _box(
            slide,
            MARGIN,
            H - Inches(0.85),
            chart_w,
            Inches(0.4),
            word("discounted") + " · " + ngettext("%(n)s year", "%(n)s years", a.horizon, n=a.horizon),
            size=14,
            colour=MUTED,
        )
    else:
        _box(slide, MARGIN, CONTENT_TOP, chart_w, Inches(1), _("Nothing valued in money yet."), size=24, colour=MUTED)
    if res["not_valued"]:
        x = MARGIN + chart_w + Inches(0.4)
        shape = _box(
            slide,
            x,
            CONTENT_TOP,
            W - MARGIN - x,
            content_h,
            _("Not valued in money"),
            size=22,
            bold=True,
            colour=ACCENT,
            fill=PANEL,
        )
        # As many items as fit the panel (estimated with slack), then "… and 4 more."
        text_w = W - MARGIN - x - Inches(0.3)
        room = Emu(content_h).pt - 0.15 * 72 * 2 - 22 * 1.2 - 15 * 1.2 - 10  # margins, heading, the "more" line
        shown_items = 0
        for nv in r["points_items"]:
            title_text = _short(nv["title"], 46)
            need = 10 + lines_of(title_text, text_w, 18) * 18 * 1.2 + 15 * 1.2
            if need > room:
                break
            room -= need
            shown_items += 1
            _add_line(shape, title_text, size=18, space_before=10)
            _add_line(
                shape,
                f"{nv['category_label']} · {nv['points_text']}" if nv["category_label"] else nv["points_text"],
                size=15,
                colour=MUTED,
                space_before=0,
            )
        if len(r["points_items"]) > shown_items:
            _add_line(shape, _("… and %(n)s more.", n=len(r["points_items"]) - shown_items), size=15, colour=MUTED)

    # 5 The result.
    summary = ngettext(
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
    )
    slide = _slide(prs, _("Result"), summary)
    fig_w = (content_w - 2 * Inches(0.3)) // 3
    fig_h = Inches(1.85)
    reading = {
        "negative": _("Below 0: the costs are larger than the benefits."),
        "zero": _("0: the benefits just cover the costs."),
        "small_margin": _("Above 0 but under 0,5: positive with a small margin."),
        "good": _("0,5 or more: the benefits clearly exceed the costs."),
    }
    figures_row = (
        (word("nettonytta"), kr(disc["nettonytta"]), word("discounted"), COST if disc["nettonytta"] < 0 else INK),
        # Every headline figure says its basis.
        (
            word("per_krona"),
            per_krona_text(disc["per_krona"]),
            " ".join(x for x in (reading.get(disc["reading"] or "", ""), f"({_('discounted')})") if x),
            INK,
        ),
        (
            _("Nyttorna överstiger kostnaderna"),
            year_text(und["break_even_year"]),
            " · ".join(
                x
                for x in (
                    str(und["break_even_year"] + a.start_year - 1) if und["break_even_year"] and a.start_year else "",
                    _("undiscounted"),
                )
                if x
            ),
            INK,
        ),
    )
    for i, (label, value, note, colour) in enumerate(figures_row):
        _figure(slide, label, value, note, MARGIN + i * (fig_w + Inches(0.3)), CONTENT_TOP, fig_w, fig_h, colour)
    if res["items"]:
        top = CONTENT_TOP + fig_h + Inches(0.2)
        _picture(
            slide,
            figures.accumulated_chart(res, start_year=a.start_year, size=(11.0, 4.0), font=15),
            MARGIN,
            top,
            content_w,
            H - top - Inches(0.3),
        )

    # 6 Uncertainty.
    u = res["uncertainty"]
    slide = _slide(
        prs,
        _("Uncertainty"),
        _(
            "With all lowest values the net benefit is %(l)s, with all highest %(hi)s (discounted).",
            l=kr(u["low"]["discounted"]["nettonytta"]),
            hi=kr(u["high"]["discounted"]["nettonytta"]),
        ),
    )
    for i, (s, key) in enumerate((("low", "all_low"), ("likely", "all_likely"), ("high", "all_high"))):
        value = u[s]["discounted"]["nettonytta"]
        _figure(
            slide,
            word(key),
            kr(value),
            f"{word('nettonytta')}, {word('discounted').lower()}",
            MARGIN + i * (fig_w + Inches(0.3)),
            CONTENT_TOP,
            fig_w,
            fig_h,
            COST if value < 0 else INK,
        )
    tornado = figures.tornado_chart(res, top=5, discounted=True, font=14, width=11.0)
    areas = r["uncertainty_areas"]
    if tornado:
        top = CONTENT_TOP + fig_h + Inches(0.2)
        _picture(slide, tornado, MARGIN, top, content_w if not areas else Inches(7.4), H - top - Inches(0.3))
    if areas:
        # The qualitative judgement per area, beside the figures (or below them without a tornado).
        x = MARGIN + (Inches(7.7) if tornado else 0)
        top = CONTENT_TOP + fig_h + Inches(0.2)
        shape = _box(
            slide,
            x,
            top,
            W - MARGIN - x,
            H - top - Inches(0.3),
            _("Uncertainty per area"),
            size=20,
            bold=True,
            colour=ACCENT,
            fill=PANEL,
        )
        for area in areas[:6]:
            _add_line(shape, f"{_short(area['area'], 40)}: {area['level_label'] or '–'}", size=16, space_before=8)
            if area["motivation"]:
                _add_line(shape, _short(area["motivation"], 90), size=13, colour=MUTED, space_before=0)
        if len(areas) > 6:
            _add_line(shape, _("… and %(n)s more.", n=len(areas) - 6), size=13, colour=MUTED)

    # 7 Next steps.
    slide = _slide(prs, _("Next steps"))
    steps = [_("The reference group reviews the analysis"), _("The commissioner decides")]
    sections = r["sections"]
    missing = {e["item_id"] for e in res["errors"]}
    if missing:
        steps.append(
            ngettext(
                "Complete the figures of %(n)s item",
                "Complete the figures of %(n)s items",
                len(missing),
                n=len(missing),
            )
        )
    risks, obstacles = len(sections["risks"]), len(sections["obstacles"])
    if risks or obstacles:
        steps.append(_("Handle the risks (%(r)s) and obstacles (%(o)s)", r=risks, o=obstacles))
    if sections["opportunities"]:
        steps.append(_("Decide on the opportunities (%(n)s) separately", n=len(sections["opportunities"])))
    steps.append(_("Follow up the benefits after the change"))
    shape = _box(
        slide,
        MARGIN + Inches(0.2),
        CONTENT_TOP + Inches(0.2),
        content_w - Inches(0.4),
        content_h,
        f"1  {steps[0]}",
        size=30,
    )
    for i, step in enumerate(steps[1:], start=2):
        _add_line(shape, f"{i}  {step}", size=30, space_before=22)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
