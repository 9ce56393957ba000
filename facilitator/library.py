"""The organisation's factor library, the analysis library and the portfolio
(``workshop/library/``)."""

from __future__ import annotations

from datetime import date

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from workshop import portable
from workshop.extensions import db
from workshop.library import factors as org_factors
from workshop.library import portfolio, publish
from workshop.models import Organisation, Workshop
from workshop.validation import InputError

from . import bp
from .teams import admin_required
from .views import workshop_route

# --- the organisation's factor library ----------------------------------------------------


@bp.route("/f/org/factors", methods=["GET", "POST"])
@login_required
def org_factor_library():
    """Every member reads the library; an admin adds and changes factors."""
    org = db.session.get(Organisation, current_user.organisation_id)
    error, form = None, {}
    if request.method == "POST":
        if not current_user.is_admin:
            abort(403)
        raw = request.form.get("factor_id", "")
        try:
            org_factors.save(org.id, request.form, int(raw) if raw.isdigit() else None)
            flash(gettext("Saved. New analyses start from it; analyses already made keep their values."))
            return redirect(url_for("facilitator.org_factor_library"))
        except InputError as exc:
            error, form = exc.message, request.form
    return render_template(
        "facilitator/org_factors.html", org=org, factors=org_factors.factors_of(org.id), error=error, form=form
    ), (400 if error else 200)


@bp.post("/f/org/factors/<int:factor_id>/delete")
@admin_required
def org_factor_delete(factor_id: int):
    try:
        org_factors.delete(current_user.organisation_id, factor_id)
    except InputError:
        abort(404)
    flash(gettext("The factor is removed from the library. Analyses already made keep it."))
    return redirect(url_for("facilitator.org_factor_library"))


# --- the portfolio ------------------------------------------------------------------------


def _portfolio_rows():
    owner = request.args.get("owner", "")
    state = request.args.get("state", "")
    return portfolio.rows(
        current_user.organisation_id,
        date.today(),
        query=request.args.get("q", "")[:200],
        state=state if state in portfolio.FOLLOWUP_STATES else "",
        owner_id=int(owner) if owner.isdigit() else None,
    )


@bp.get("/f/org/portfolio")
@admin_required
def org_portfolio():
    return render_template(
        "facilitator/portfolio.html",
        org=db.session.get(Organisation, current_user.organisation_id),
        rows=_portfolio_rows(),
        states=[(s, portfolio.state_label(s)) for s in portfolio.FOLLOWUP_STATES],
        owners=portfolio.owners(current_user.organisation_id),
        args=request.args,
    )


@bp.get("/f/org/portfolio.xlsx")
@admin_required
def org_portfolio_xlsx():
    org = db.session.get(Organisation, current_user.organisation_id)
    body = portfolio.workbook(org.name, _portfolio_rows())
    return FlaskResponse(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="portfolj.xlsx"'},
    )


# --- the analysis library -----------------------------------------------------------------


@bp.get("/f/library")
@login_required
def analysis_library():
    items = publish.listed()
    return render_template(
        "facilitator/library.html", items=[(i, publish.stats(i), publish.may_withdraw(current_user, i)) for i in items]
    )


def _item(item_id: int):
    item = publish.get(item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/f/library/<int:item_id>.json")
@login_required
def analysis_library_file(item_id: int):
    item = _item(item_id)
    return FlaskResponse(
        portable.dumps(item.document),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="analysbibliotek-{item.id}.json"'},
    )


@bp.post("/f/library/<int:item_id>/start")
@login_required
def analysis_library_start(item_id: int):
    item = _item(item_id)
    try:
        ws = publish.start_from(item, current_user)
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("facilitator.analysis_library"))
    flash(gettext("A new workshop starts from the published analysis. Check its figures against your own."))
    return redirect(url_for("facilitator.edit", ws_id=ws.id))


@bp.post("/f/library/<int:item_id>/withdraw")
@login_required
def analysis_library_withdraw(item_id: int):
    item = _item(item_id)
    if not publish.may_withdraw(current_user, item):
        abort(403)
    publish.withdraw(item)
    flash(gettext("Withdrawn from the analysis library. Workshops already started from it stay."))
    return redirect(url_for("facilitator.analysis_library"))


@bp.route("/f/w/<int:ws_id>/publish", methods=["GET", "POST"])
@workshop_route("manage")
def publish_analysis(ws: Workshop):
    error = None
    if request.method == "POST":
        try:
            item = publish.publish(
                ws, current_user, request.form.get("summary", ""), request.form.get("keep_participant_text") == "1"
            )
            flash(gettext("Published in the analysis library."))
            return redirect(url_for("facilitator.analysis_library", _anchor=f"item-{item.id}"))
        except InputError as exc:
            error = exc.message
    return render_template(
        "facilitator/publish.html",
        ws=ws,
        phone_items=publish.phone_items(ws),
        org=current_user.organisation,
        error=error,
        form=request.form,
    ), (400 if error else 200)
