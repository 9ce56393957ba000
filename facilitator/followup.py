"""After the decision: decide (freeze a version), plan the follow-up, record what happened and
compare it with the estimate (workshop/followup, workshop/calculation/outcome.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from workshop.draft import vocabulary
from workshop.draft.service import analysis_for, analysis_to_show
from workshop.extensions import db
from workshop.followup import charts, service
from workshop.followup.models import AnalysisVersion
from workshop.formatting import number
from workshop.models import Workshop
from workshop.validation import InputError, form_data
from workshop.validation.forms import Widget

from . import bp
from .views import own_workshop


def _version(ws: Workshop, number: int) -> AnalysisVersion:
    analysis = analysis_for(ws, create=False)
    found = next((v for v in service.versions(analysis) if v.number == number), None) if analysis is not None else None
    if found is None:
        abort(404)
    return found


def _prefill() -> dict[str, str]:
    """A figure the console's follow-up activity hands over (?item=…&value=…&source=…): it
    fills that item's record form, for the facilitator to check and record."""
    item = request.args.get("item", "")[:40]
    if not item:
        return {}
    raw = request.args.get("value", "")[:40]
    try:
        value = number(float(raw), 2).replace("\u00a0", " ") if raw else ""
    except ValueError:
        value = ""
    return {"item": item, "value": value, "source": request.args.get("source", "")[:300]}


def _page(ws: Workshop, version: AnalysisVersion | None, error: InputError | None = None, status: int = 200):
    analysis = analysis_to_show(ws)
    all_versions = service.versions(analysis) if analysis.id is not None else []
    version = version or (all_versions[-1] if all_versions else None)
    ctx = {}
    if version is not None:
        items, _factors, settings = service.inputs_of(version)
        cmp = service.comparison(version)
        ctx = {
            "items": items,
            "settings": settings,
            "cmp": cmp,
            "outcomes": {o.id: o for o in cmp.items},
            "plans": {p.item_id: p for p in version.plans},
            "due": service.due_dates(version),
            "sizes": service.sizes(version),
            "trends": service.indicator_trends(version),
            "chart": charts.accumulated(cmp),
            "prefill": _prefill(),
        }
    return (
        render_template(
            "facilitator/followup.html",
            ws=ws,
            analysis=analysis,
            versions=all_versions,
            version=version,
            status=service.status(analysis if analysis.id is not None else None),
            error=error,
            form=request.form if error else {},
            labels={"category": vocabulary.CATEGORY_LABELS, "size": vocabulary.SIZE_LABELS},
            **ctx,
        ),
        status,
    )


@bp.get("/f/w/<int:ws_id>/followup")
@own_workshop
def followup(ws: Workshop):
    """Decided versions, the follow-up plan, measurements and the comparison."""
    number = request.args.get("v", type=int)
    return _page(ws, _version(ws, number) if number else None)


def _done(ws: Workshop, version: AnalysisVersion | None, message: str):
    db.session.commit()
    flash(message)
    if version is None:
        return redirect(url_for("facilitator.followup", ws_id=ws.id))
    return redirect(url_for("facilitator.followup", ws_id=ws.id, v=version.number))


def _refused(ws: Workshop, version: AnalysisVersion | None, exc: InputError):
    db.session.rollback()
    return _page(ws, version, exc, 400)


@bp.post("/f/w/<int:ws_id>/followup/decide")
@own_workshop
def followup_decide(ws: Workshop):
    analysis = analysis_for(ws)
    try:
        version = service.decide(
            analysis, form_data(request.form, {"label": "text", "decided_on": "text", "decided_by": "text"})
        )
    except InputError as exc:
        return _refused(ws, None, exc)
    return _done(ws, version, gettext("Version %(number)s is decided and frozen.", number=version.number))


@bp.post("/f/w/<int:ws_id>/followup/<int:number>/plan/<item_id>")
@own_workshop
def followup_plan(ws: Workshop, number: int, item_id: str):
    version = _version(ws, number)
    widgets: dict[str, Widget] = {
        "owner_role": "text",
        "indicator": "text",
        "method": "text",
        "baseline": "text",
        "first_on": "raw",
        "every_months": "integer",
    }
    try:
        data = form_data(request.form, widgets)
        if not data.get("first_on"):
            data.pop("first_on", None)
        service.save_plan(version, item_id, data)
    except InputError as exc:
        return _refused(ws, version, exc)
    return _done(ws, version, gettext("The plan is saved."))


@bp.post("/f/w/<int:ws_id>/followup/<int:number>/use-check")
@own_workshop
def followup_use_check(ws: Workshop, number: int):
    version = _version(ws, number)
    try:
        data = form_data(request.form, {"use_check_on": "raw", "use_check_note": "text"})
        if not data.get("use_check_on"):
            data.pop("use_check_on", None)
        service.save_use_check(version, data)
    except InputError as exc:
        return _refused(ws, version, exc)
    return _done(ws, version, gettext("The plan is saved."))


@bp.post("/f/w/<int:ws_id>/followup/<int:number>/measure")
@own_workshop
def followup_measure(ws: Workshop, number: int):
    version = _version(ws, number)
    form = request.form
    try:
        data = form_data(
            form,
            {
                "item_id": "text",
                "year": "integer",
                "measured_on": "text",
                "value": "raw",
                "size": "integer",
                "indicator_value": "raw",
                "comment": "text",
                "source": "text",
            },
        )
        for optional in ("value", "indicator_value"):
            if not (data.get(optional) or "").strip():
                data.pop(optional, None)
        data["rows"] = {k[4:]: v for k, v in form.items() if k.startswith("row_") and v.strip()}
        service.record(version, data)
    except InputError as exc:
        return _refused(ws, version, exc)
    return _done(ws, version, gettext("The measurement is recorded."))


@bp.post("/f/w/<int:ws_id>/followup/<int:number>/workshop")
@own_workshop
def followup_workshop(ws: Workshop, number: int):
    """Ask the room: per benefit, has it happened? Opens the console on the new activity."""
    version = _version(ws, number)
    try:
        service.start_workshop(ws, version)
    except InputError as exc:
        return _refused(ws, version, exc)
    from workshop.runtime import broadcaster

    broadcaster().push_state(ws)
    return redirect(url_for("facilitator.console", ws_id=ws.id))


@bp.post("/f/w/<int:ws_id>/followup/<int:number>/close")
@own_workshop
def followup_close(ws: Workshop, number: int):
    version = _version(ws, number)
    version.closed = request.form.get("closed") == "1"
    return _done(
        ws,
        version,
        gettext("The follow-up is finished.") if version.closed else gettext("The follow-up is open again."),
    )
