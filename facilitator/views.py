"""Facilitator pages: account, dashboard, workshop editor, console, presenter, CSV downloads."""

from __future__ import annotations

from functools import wraps

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from workshop import access, login_sessions, portable
from workshop import workshops as core
from workshop.accounts import (
    AccountError,
    authenticate,
    change_password,
    create_user,
    forget_setup_code,
    has_accounts,
    setup_code_matches,
)
from workshop.activities import InputError, all_kinds, get_kind
from workshop.extensions import db
from workshop.models import Activity, Workshop
from workshop.runtime import broadcaster

from . import bp, login_guard
from .sockets import end_console_sockets, end_screen_sockets

# --- accounts ---------------------------------------------------------------------------


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """First visit on a fresh install: create the first facilitator, with the one-time code that
    ``workshop serve`` printed. Closed once an account exists."""
    if has_accounts():
        return redirect(url_for("facilitator.login"))
    error = None
    if request.method == "POST":
        try:
            # 96 random bits: guessing is infeasible without a limit of its own.
            if not setup_code_matches(request.form.get("code", "")):
                raise AccountError(
                    gettext("Wrong setup code. It is printed where the server was started (workshop serve).")
                )
            user = create_user(
                request.form.get("email", ""), request.form.get("password", ""), request.form.get("name", "")
            )
            # The first account made the organisation and is its admin (accounts.create_user).
            user.organisation.name = (request.form.get("organisation") or "").strip()[:200]
            db.session.commit()
            forget_setup_code()
            login_sessions.start(user)
            return redirect(url_for("facilitator.dashboard"))
        except AccountError as exc:
            error = str(exc)
    form = {**request.form} if request.method == "POST" else {"code": request.args.get("code", "")}
    return render_template("facilitator/setup.html", error=error, form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not has_accounts():
        return redirect(url_for("facilitator.setup"))
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        # Only failed attempts count, and apart for a browser that has logged in to the
        # account before: see facilitator/login_guard.py.
        if login_guard.refused(email):
            error = gettext(
                "Too many wrong attempts. Try again later, or from a browser you have logged in with before."
            )
        else:
            user = authenticate(email, request.form.get("password", ""))
            if user is not None:
                login_sessions.purge_expired()
                remember = bool(request.form.get("remember")) and current_app.extensions["settings"].remember_days > 0
                login_sessions.start(user, remember=remember)
                return login_guard.remember_device(redirect(_local_next(request.args.get("next", ""))), email)
            login_guard.failed(email)
            error = gettext("Wrong e-mail or password.")
    return render_template(
        "facilitator/login.html",
        error=error,
        email=request.form.get("email", ""),
        remember_days=current_app.extensions["settings"].remember_days,
    )


def _local_next(nxt: str) -> str:
    """Only a plain local path: never bounce a fresh login to another site. Browsers drop tabs
    and newlines and read a backslash as a slash, so those are refused outright."""
    if (
        not nxt.startswith("/")
        or nxt.startswith("//")
        or "\\" in nxt
        or any(ch.isspace() or not ch.isprintable() for ch in nxt)
    ):
        return url_for("facilitator.dashboard")
    return nxt


@bp.post("/logout")
def logout():
    ended = login_sessions.end(current_user if current_user.is_authenticated else None)
    if ended:
        end_console_sockets([ended])
    return redirect(url_for("participant.start"))


@bp.route("/f/account", methods=["GET", "POST"])
@login_required
def account():
    """The facilitator's own account: change the password (which ends every other login)."""
    error = done = None
    if request.method == "POST":
        try:
            change_password(
                current_user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("repeat", ""),
            )
            end_console_sockets(login_sessions.end_others(current_user))
            done = gettext("The password is changed. You are logged out everywhere else.")
        except AccountError as exc:
            error = str(exc)
    return render_template("facilitator/account.html", error=error, done=done)


# --- workshops --------------------------------------------------------------------------


def workshop_route(need: access.Need | None = None):
    """Load ``ws_id`` as a workshop the logged-in facilitator has a role in (``workshop.access``):
    404 without a role, 403 when the role does not allow ``need``. Without ``need``: a GET
    needs ``view``, every other method ``edit``. The role is in ``g.ws_role`` for templates."""

    def deco(fn):
        @wraps(fn)
        @login_required
        def wrapper(ws_id: int, *args, **kwargs):
            ws = db.session.get(Workshop, ws_id)
            role = access.role_in(current_user, ws)
            if ws is None or role is None:
                abort(404)
            if not access.allows(role, need or ("view" if request.method in ("GET", "HEAD") else "edit")):
                abort(403)
            g.ws_role = role
            return fn(ws, *args, **kwargs)

        return wrapper

    return deco


own_workshop = workshop_route()


@bp.get("/f/")
@login_required
def dashboard():
    items = db.session.scalars(
        access.visible_workshops(current_user).order_by(Workshop.status, Workshop.created_at.desc())
    ).all()
    counts = core.workshop_counts([w.id for w in items])
    roles = access.shared_roles(current_user, [w.id for w in items])
    from datetime import date

    from workshop.followup import service as followup

    today = date.today()
    follow = followup.overview([w.id for w in items], today)
    return render_template(
        "facilitator/dashboard.html", workshops=items, counts=counts, follow=follow, today=today, roles=roles
    )


@bp.route("/f/new", methods=["GET", "POST"])
@login_required
def new_workshop():
    """A blank workshop, or one started from a template in the library."""
    error = None
    templates = portable.library()
    if request.method == "POST":
        try:
            key = request.form.get("template", "")
            form = request.form.to_dict()
            # No mode chosen: the template's, or live for an empty workshop.
            chosen_mode = form.get("mode") or ""
            form["mode"] = chosen_mode or "live"
            # From a template the title may stay empty: the template's own is used then.
            fields = core.workshop_form(form, title_optional=bool(key))
            if key:
                doc = portable.load_template(key, fields.get("language") or "sv")
                w = doc["workshop"]
                # The form's choices win over the template's where the facilitator made them.
                w.update({k: fields[k] for k in ("language", "ask_nickname") if k in fields})
                if chosen_mode:
                    w["mode"] = fields["mode"]
                if fields["ask_perspective"]:
                    w.update(ask_perspective=True, perspectives=fields["perspectives"])
                ws = portable.import_document(current_user, doc, title=fields["title"] or None)
                if fields["open_until"]:
                    ws.open_until = fields["open_until"]
                    db.session.commit()
            else:
                ws = core.create_workshop(current_user, **fields)
            return redirect(url_for("facilitator.edit", ws_id=ws.id))
        except InputError as exc:
            error = exc.message
    return render_template("facilitator/new.html", error=error, form=request.form, templates=templates)


@bp.post("/f/import")
@login_required
def import_workshop():
    """Create a workshop from a JSON file exported by Nyttoverkstad (or a template file)."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InputError("invalid", gettext("Choose a file to import."))
        doc = portable.read_document(upload.read(portable.LIMITS["bytes"] + 1))
        ws = portable.import_document(current_user, doc)
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("facilitator.dashboard"))
    flash(gettext("Workshop imported."))
    return redirect(url_for("facilitator.edit", ws_id=ws.id))


@bp.route("/f/w/<int:ws_id>", methods=["GET", "POST"])
@workshop_route("edit")
def edit(ws: Workshop):
    error = None
    if request.method == "POST":
        try:
            fields = core.workshop_form(request.form)
            for key, value in fields.items():
                setattr(ws, key, value)
            db.session.commit()
            broadcaster().push_state(ws)
            flash(gettext("Saved."))
            return redirect(url_for("facilitator.edit", ws_id=ws.id))
        except InputError as exc:
            db.session.rollback()
            error = exc.message
    menu, default_kind = core.activity_menu(ws)
    return render_template(
        "facilitator/edit.html", ws=ws, kinds=all_kinds(), menu=menu, default_kind=default_kind, error=error
    )


@bp.post("/f/w/<int:ws_id>/duplicate")
@own_workshop
def duplicate(ws: Workshop):
    copy = core.duplicate_workshop(ws, current_user)
    flash(gettext("Workshop duplicated."))
    return redirect(url_for("facilitator.edit", ws_id=copy.id))


@bp.post("/f/w/<int:ws_id>/archive")
@workshop_route("manage")
def archive(ws: Workshop):
    core.archive_workshop(ws)
    broadcaster().push_state(ws)
    end_screen_sockets(ws.id)
    flash(gettext("Workshop archived."))
    return redirect(url_for("facilitator.dashboard"))


def _workshop_home(ws: Workshop) -> str:
    """Where a workshop's page is for the current facilitator: the editor, or the console for
    those who may only look."""
    if access.may(current_user, ws, "edit"):
        return url_for("facilitator.edit", ws_id=ws.id)
    return url_for("facilitator.console", ws_id=ws.id)


@bp.post("/f/w/<int:ws_id>/reopen")
@workshop_route("manage")
def reopen(ws: Workshop):
    core.reopen_workshop(ws)
    flash(gettext("Workshop reopened."))
    return redirect(_workshop_home(ws))


@bp.post("/f/w/<int:ws_id>/keys")
@own_workshop
def rotate_keys(ws: Workshop):
    """New presenter address or results link, or the results link turned off; the old one
    stops working at once."""
    which = request.form.get("which")
    if which not in ("presenter", "review", "review-off"):
        abort(400)
    if which == "review-off":
        core.revoke_results_link(ws)
        flash(gettext("The results link is turned off. Nobody can open it now."))
    else:
        core.rotate_keys(ws, presenter=which == "presenter", review=which == "review")
    if which == "presenter":
        end_screen_sockets(ws.id)
        flash(gettext("New presenter address made. The old one no longer works."))
    elif which == "review":
        flash(gettext("New results link made. The old one no longer works."))
    return redirect(request.referrer if _local_referrer() else url_for("facilitator.edit", ws_id=ws.id))


def _local_referrer() -> bool:
    ref = request.referrer or ""
    return ref.startswith(request.host_url)


# --- activities -------------------------------------------------------------------------


def _activity(ws: Workshop, act_id: int) -> Activity:
    act = db.session.get(Activity, act_id)
    if act is None or act.workshop_id != ws.id:
        abort(404)
    return act


@bp.post("/f/w/<int:ws_id>/activities")
@own_workshop
def add_activity(ws: Workshop):
    try:
        act = core.add_activity(ws, request.form.get("kind", ""))
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("facilitator.edit", ws_id=ws.id))
    broadcaster().push_state(ws)
    return redirect(url_for("facilitator.edit_activity", ws_id=ws.id, act_id=act.id))


@bp.route("/f/w/<int:ws_id>/a/<int:act_id>", methods=["GET", "POST"])
@workshop_route("edit")
def edit_activity(ws: Workshop, act_id: int):
    act = _activity(ws, act_id)
    kind = get_kind(act.kind)
    error, field_errors, form_values = None, {}, None
    if request.method == "POST":
        try:
            core.update_activity(act, **core.activity_form(kind, request.form))
            broadcaster().push_state(ws, act)
            flash(gettext("Saved."))
            return redirect(url_for("facilitator.edit", ws_id=ws.id) + f"#activity-{act.id}")
        except InputError as exc:
            db.session.rollback()
            error, field_errors, form_values = exc.message, exc.fields, request.form
    return render_template(
        "facilitator/activity.html",
        ws=ws,
        act=act,
        kind=kind,
        config=kind.config(act.config),
        error=error,
        field_errors=field_errors,
        form_values=form_values,
    )


@bp.post("/f/w/<int:ws_id>/a/<int:act_id>/move")
@own_workshop
def move_activity(ws: Workshop, act_id: int):
    act = _activity(ws, act_id)
    core.move_activity(act, -1 if request.form.get("direction") == "up" else 1)
    broadcaster().push_state(ws)
    return redirect(url_for("facilitator.edit", ws_id=ws.id) + f"#activity-{act.id}")


@bp.post("/f/w/<int:ws_id>/a/<int:act_id>/delete")
@own_workshop
def delete_activity(ws: Workshop, act_id: int):
    core.delete_activity(_activity(ws, act_id))
    broadcaster().push_state(ws)
    flash(gettext("Activity deleted."))
    return redirect(url_for("facilitator.edit", ws_id=ws.id))


@bp.get("/f/w/<int:ws_id>/a/<int:act_id>.csv")
@own_workshop
def activity_csv(ws: Workshop, act_id: int):
    """Every input of one activity, every round, for Swedish Excel (``exports.results``)."""
    from workshop.exports import results

    act = _activity(ws, act_id)
    name = f"{ws.join_code}-{act.position + 1}-{act.kind}.csv"
    return FlaskResponse(
        results.activity_csv(act),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/f/w/<int:ws_id>/results.xlsx")
@own_workshop
def results_xlsx(ws: Workshop):
    """The workshop's results in one spreadsheet: totals per activity and every input."""
    from workshop.exports import results
    from workshop.exports.common import filename

    return _download(results.workbook(ws), "xlsx", filename(ws, "xlsx").replace(".xlsx", "-results.xlsx"))


# --- live screens -----------------------------------------------------------------------


@bp.get("/f/w/<int:ws_id>/console")
@own_workshop
def console(ws: Workshop):
    g.locale = None
    return render_template("facilitator/console.html", ws=ws)


@bp.get("/present/<int:ws_id>/<key>")
def presenter(ws_id: int, key: str):
    """Read-only projector view. The key in the address is the only credential it needs."""
    ws = db.session.get(Workshop, ws_id)
    if ws is None or ws.status != "open" or not _same(ws.presenter_key, key):
        abort(404)
    g.locale = ws.language
    return render_template("facilitator/presenter.html", ws=ws)


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


# --- draft analysis ---------------------------------------------------------------------


def _report_page(ws: Workshop, review: bool):
    from workshop.draft import report, vocabulary
    from workshop.draft.service import analysis_to_show
    from workshop.followup import service as followup

    analysis = analysis_to_show(ws)
    labels = {"category": vocabulary.CATEGORY_LABELS, "size": vocabulary.SIZE_LABELS}
    return render_template(
        "facilitator/report.html",
        r=report.build(ws, analysis),
        review=review,
        labels=labels,
        follow=followup.summary(analysis),
    )


@bp.get("/f/w/<int:ws_id>/report")
@own_workshop
def report(ws: Workshop):
    """The draft analysis as a report (web version, printable to A4)."""
    return _report_page(ws, review=False)


@bp.get("/review/<int:ws_id>/<key>")
def review(ws_id: int, key: str):
    """The read-only results link for the reference group and the commissioner: no login, no
    editing. A method workshop shows its draft analysis, a poll workshop its results per
    activity. Turned off or renewed from the console; archiving closes it."""
    ws = db.session.get(Workshop, ws_id)
    if ws is None or ws.status != "open" or not ws.results_key or not _same(ws.results_key, key):
        abort(404)
    g.locale = ws.language
    if core.is_method_workshop(ws):
        return _report_page(ws, review=True)
    return _results_page(ws)


def _results_page(ws: Workshop):
    from workshop.activities import get_kind
    from workshop.exports.results import round_summaries

    items = []
    for act in ws.activities:
        kind = get_kind(act.kind)
        _round, responders, lines = round_summaries(act)[-1]
        items.append({"act": act, "kind": kind, "responders": responders, "lines": lines})
    return render_template("facilitator/results.html", ws=ws, items=items)


@bp.get("/f/w/<int:ws_id>/analysis")
@own_workshop
def draft_page(ws: Workshop):
    """The draft analysis, live: every change made by the room shows here at once."""
    from workshop.draft.checks import frame_gaps
    from workshop.draft.service import analysis_to_show

    analysis = analysis_to_show(ws)
    return render_template("facilitator/draft.html", ws=ws, analysis=analysis, gaps=frame_gaps(analysis))


@bp.get("/f/w/<int:ws_id>/export.json")
@own_workshop
def export_json(ws: Workshop):
    doc = portable.export_document(ws)
    name = f"nyttoverkstad-{ws.join_code}.json"
    return FlaskResponse(
        portable.dumps(doc),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- exports: spreadsheet, report, presentation, figures ----------------------------------


def _download(data: bytes, fmt: str, name: str) -> FlaskResponse:
    from workshop.exports import MIMETYPES

    return FlaskResponse(
        data,
        mimetype=MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/f/w/<int:ws_id>/export.<any(xlsx, docx, pptx):fmt>")
@own_workshop
def export_file(ws: Workshop, fmt: str):
    """The draft analysis as a spreadsheet (live formulas), a Word report or a presentation."""
    from workshop.exports import render
    from workshop.exports.common import filename

    return _download(render(ws, fmt), fmt, filename(ws, fmt))


@bp.get("/f/w/<int:ws_id>/figure/<any(chain, result, tornado):name>.<any(png, svg):fmt>")
@own_workshop
def export_figure(ws: Workshop, name: str, fmt: str):
    """One picture of the analysis (effect chain, result chart, tornado) as PNG or SVG."""
    from workshop.exports import render_figure
    from workshop.exports.common import filename

    data = render_figure(ws, name, fmt)
    if data is None:
        abort(404)
    return _download(data, fmt, filename(ws, fmt).replace(".", f"-{name}.", 1))
