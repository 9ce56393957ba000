"""The organisation's portfolio: every analysis of the organisation with its status, its
headline figures on both bases, its break-even year and its follow-up state — what a
portfolio office needs to compare changes — and the same as a spreadsheet."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from .. import access
from ..draft.compute import compute
from ..draft.models import Analysis
from ..extensions import db
from ..followup import service as followup
from ..models import User, Workshop

FOLLOWUP_STATES = ("utkast", "beslutad", "under_uppfoljning", "avslutad")


def state_label(state: str) -> str:
    return {
        "utkast": gettext("Draft (not decided)"),
        "beslutad": gettext("Decided"),
        "under_uppfoljning": gettext("Being followed up"),
        "avslutad": gettext("Follow-up closed"),
    }.get(state, state)


def rows(
    org_id: int, today: date, query: str = "", state: str = "", owner_id: int | None = None
) -> list[dict[str, Any]]:
    """One row per analysis of the organisation (a workshop with a stored draft analysis)."""
    found = db.session.execute(
        select(Workshop, Analysis, User)
        .join(Analysis, Analysis.workshop_id == Workshop.id)
        .join(User, User.id == Workshop.owner_id)
        .where(Workshop.id.in_(access.organisation_workshops(org_id).with_only_columns(Workshop.id)))
        .order_by(Workshop.created_at.desc())
    ).all()
    overview = followup.overview([ws.id for ws, _, _ in found], today)
    out = []
    q = (query or "").strip().lower()
    for ws, analysis, owner in found:
        follow = overview.get(ws.id) or {"status": "utkast", "due": None, "overdue": False, "version": None}
        if state and follow["status"] != state:
            continue
        if owner_id is not None and owner.id != owner_id:
            continue
        name = analysis.name_of_change or ws.title
        if q and q not in " ".join((name, analysis.organisation, analysis.area, ws.title)).lower():
            continue
        result = compute(analysis, sensitivity=False)
        und, disc = result.undiscounted, result.discounted
        start = analysis.start_year
        out.append(
            {
                "workshop": ws,
                "name": name,
                "area": analysis.area,
                "status_text": analysis.status_text,
                "owner": owner.name or owner.email,
                "followup": follow,
                "followup_label": state_label(follow["status"]),
                "benefits_discounted": disc.benefits,
                "costs_discounted": disc.costs,
                "net_discounted": disc.nettonytta,
                "net_undiscounted": und.nettonytta,
                "per_krona_discounted": disc.per_krona,
                "per_krona_undiscounted": und.per_krona,
                "break_even_undiscounted": und.break_even_year,
                "break_even_discounted": disc.break_even_year,
                "break_even_calendar": (start + und.break_even_year - 1) if start and und.break_even_year else None,
                "horizon": analysis.horizon,
                "problems": len(result.errors),
            }
        )
    return out


def owners(org_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == org_id).order_by(User.email)))


def workbook(org_name: str, items: list[dict[str, Any]]) -> bytes:
    """The portfolio as an .xlsx file: one row per analysis, figures as numbers."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = gettext("Portfolio")[:31]
    sheet.append([gettext("Portfolio of %(org)s", org=org_name) if org_name else gettext("Portfolio")])
    sheet["A1"].font = Font(bold=True, size=14)
    headers = [
        gettext("Change"),
        gettext("Area"),
        gettext("Owner"),
        gettext("Status (as the analysis says)"),
        gettext("Follow-up"),
        gettext("Next follow-up"),
        gettext("Nettonytta, discounted (kr)"),
        gettext("Nettonytta, undiscounted (kr)"),
        gettext("Benefit per krona, discounted"),
        gettext("Benefit per krona, undiscounted"),
        gettext("Break-even year, undiscounted (year of the horizon)"),
        gettext("Break-even year, discounted (year of the horizon)"),
        gettext("Break-even, calendar year (undiscounted)"),
        gettext("Horizon (years)"),
        gettext("Calculation problems"),
    ]
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for r in items:
        f = r["followup"]
        sheet.append(
            [
                r["name"],
                r["area"],
                r["owner"],
                r["status_text"],
                r["followup_label"],
                f["due"],
                round(r["net_discounted"], 0),
                round(r["net_undiscounted"], 0),
                None if r["per_krona_discounted"] is None else round(r["per_krona_discounted"], 2),
                None if r["per_krona_undiscounted"] is None else round(r["per_krona_undiscounted"], 2),
                r["break_even_undiscounted"],
                r["break_even_discounted"],
                r["break_even_calendar"],
                r["horizon"],
                r["problems"],
            ]
        )
    for row in sheet.iter_rows(min_row=4):
        row[5].number_format = "yyyy-mm-dd"
        row[6].number_format = row[7].number_format = "#,##0"
        row[8].number_format = row[9].number_format = "0.00"
    for i, width in enumerate((40, 20, 24, 24, 20, 14, 18, 18, 14, 14, 16, 16, 16, 10, 10), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
