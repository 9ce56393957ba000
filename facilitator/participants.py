"""The facilitator's page of one workshop's participants: find one, export what is stored
about them, delete their inputs (``workshop/participant_data.py``)."""

from __future__ import annotations

import json

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from workshop import participant_data
from workshop.models import Workshop
from workshop.responses import forget_participant
from workshop.runtime import broadcaster

from . import bp
from .views import workshop_route

# A participant's data is the owner's and the organisation admin's to export or delete.
manage_workshop = workshop_route("manage")


@bp.get("/f/w/<int:ws_id>/participants")
@manage_workshop
def participants(ws: Workshop):
    query = request.args.get("q", "")[:120]
    return render_template(
        "facilitator/participants.html", ws=ws, query=query, rows=participant_data.listing(ws, query)
    )


@bp.get("/f/w/<int:ws_id>/participants/<int:pid>.json")
@manage_workshop
def participant_export(ws: Workshop, pid: int):
    p = participant_data.participant_of(ws, pid)
    if p is None:
        abort(404)
    body = json.dumps(participant_data.export(ws, p), ensure_ascii=False, indent=2)
    name = f"deltagare-{participant_data.reference(p)}-workshop-{ws.id}.json"
    return FlaskResponse(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.post("/f/w/<int:ws_id>/participants/<int:pid>/delete")
@manage_workshop
def participant_delete(ws: Workshop, pid: int):
    p = participant_data.participant_of(ws, pid)
    if p is None:
        abort(404)
    if request.form.get("confirm") != "1":
        flash(gettext("Tick the box to confirm that the participant's answers are deleted."), "error")
        return redirect(url_for("facilitator.participants", ws_id=ws.id, q=participant_data.reference(p)))
    for activity_id in forget_participant(p):
        broadcaster().mark(activity_id)
    flash(
        gettext(
            "Deleted: the answers of participant %(ref)s. What you adopted into the draft analysis stays.",
            ref=participant_data.reference(p),
        )
    )
    return redirect(url_for("facilitator.participants", ws_id=ws.id))
