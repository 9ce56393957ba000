"""Organisation and sharing pages: the admin's organisation page (members, invitations,
deactivation, password reset links, every workshop of the organisation), accepting an
invitation, setting a password with a reset link, and sharing a workshop (docs/accounts.md)."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from workshop import access, accounts, login_sessions, mail
from workshop.accounts import AccountError
from workshop.extensions import db
from workshop.formatting import local_when
from workshop.models import Organisation, User, Workshop, WorkshopShare
from workshop.routing import public_url_for

from . import bp
from .sockets import end_console_sockets
from .views import workshop_route


def admin_required(fn):
    """The signed-in facilitator is an admin of their organisation, else 403."""

    @wraps(fn)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return fn(*args, **kwargs)

    return wrapper


def _member(user_id: int) -> User:
    """An account of the admin's own organisation, else 404."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


def _org_page(**extra):
    org = db.session.get(Organisation, current_user.organisation_id)
    workshops = db.session.scalars(
        access.organisation_workshops(org.id).order_by(Workshop.status, Workshop.created_at.desc())
    ).all()
    return render_template(
        "facilitator/organisation.html",
        org=org,
        members=org.members,
        invitations=accounts.pending_invitations(org.id),
        workshops=workshops,
        invite_days=accounts.INVITE_DAYS_DEFAULT,
        invite_days_max=accounts.INVITE_DAYS_MAX,
        mail_configured=mail.configured(),
        reset_hours=accounts.RESET_HOURS,
        **extra,
    )


@bp.route("/f/org", methods=["GET", "POST"])
@admin_required
def organisation():
    """The organisation page; a POST renames the organisation."""
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        if len(name) > 200:
            return _org_page(
                error=ngettext("Too long: at most %(n)s character.", "Too long: at most %(n)s characters.", 200, n=200)
            ), 400
        db.session.get(Organisation, current_user.organisation_id).name = name
        db.session.commit()
        flash(gettext("Saved."))
        return redirect(url_for("facilitator.organisation"))
    return _org_page()


def _send_link(to: str, subject: str, text: str) -> bool:
    return bool(to) and mail.configured() and mail.send(to, subject, text)


@bp.post("/f/org/invite")
@admin_required
def invite():
    """An invitation link: shown once to copy, and mailed when an address is given and SMTP
    is configured."""
    email = (request.form.get("email") or "").strip()
    try:
        days_raw = (request.form.get("days") or "").strip()
        days = int(days_raw) if days_raw.isdigit() and len(days_raw) < 4 else -1
        token = accounts.make_invitation(current_user, request.form.get("role", "member"), days, email)
    except AccountError as exc:
        return _org_page(error=str(exc), invite_form=request.form), 400
    link = public_url_for("facilitator.accept_invitation", token=token)
    org = db.session.get(Organisation, current_user.organisation_id)
    sent = _send_link(
        email.lower(),
        gettext("Invitation to Nyttoverkstad"),
        gettext(
            "You are invited by %(who)s to facilitate workshops in Nyttoverkstad for %(org)s.\n\n"
            "Open this link to make your account (it works once, until %(until)s):\n%(link)s\n",
            who=current_user.name or current_user.email,
            org=org.name or gettext("your organisation"),
            until=local_when(accounts.pending_invitations(org.id)[-1].expires_at),
            link=link,
        ),
    )
    return _org_page(new_link=link, new_link_sent_to=email.lower() if sent else "")


@bp.post("/f/org/invite/<int:link_id>/revoke")
@admin_required
def revoke_invitation(link_id: int):
    if not accounts.revoke_invitation(current_user.organisation_id, link_id):
        abort(404)
    flash(gettext("The invitation is withdrawn. Its link no longer works."))
    return redirect(url_for("facilitator.organisation"))


@bp.post("/f/org/members/<int:user_id>/active")
@admin_required
def set_member_active(user_id: int):
    user = _member(user_id)
    active = request.form.get("active") == "1"
    try:
        end_console_sockets(accounts.set_active(current_user, user, active))
    except AccountError as exc:
        return _org_page(error=str(exc)), 400
    if active:
        flash(gettext("The account is active again: %(name)s.", name=user.name or user.email))
    else:
        flash(gettext("%(name)s is deactivated and logged out everywhere.", name=user.name or user.email))
    return redirect(url_for("facilitator.organisation"))


@bp.post("/f/org/members/<int:user_id>/role")
@admin_required
def set_member_role(user_id: int):
    user = _member(user_id)
    try:
        accounts.set_role(current_user, user, request.form.get("role", ""))
    except AccountError as exc:
        return _org_page(error=str(exc)), 400
    flash(gettext("Saved."))
    return redirect(url_for("facilitator.organisation"))


@bp.post("/f/org/members/<int:user_id>/reset")
@admin_required
def make_reset_link(user_id: int):
    """A one-time link that sets a new password for the account (it ends all its logins)."""
    user = _member(user_id)
    if not user.active:
        return _org_page(error=gettext("Reactivate the account first.")), 400
    token = accounts.make_reset_link(current_user, user)
    link = public_url_for("facilitator.reset_with_link", token=token)
    sent = _send_link(
        user.email,
        gettext("Set a new password for Nyttoverkstad"),
        ngettext(
            "Open this link to set a new password (it works once, within %(n)s hour):\n%(link)s\n",
            "Open this link to set a new password (it works once, within %(n)s hours):\n%(link)s\n",
            accounts.RESET_HOURS,
            n=accounts.RESET_HOURS,
            link=link,
        ),
    )
    return _org_page(reset_link=link, reset_for=user, reset_sent=sent)


# --- links opened without a login -----------------------------------------------------------------


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Make an account with an invitation link (once, before it expires)."""
    link = accounts.open_link(token, "invite")
    if link is None:
        return render_template("facilitator/link_gone.html"), 404
    org = db.session.get(Organisation, link.organisation_id)
    error = None
    if request.method == "POST":
        try:
            user = accounts.accept_invitation(
                token,
                request.form.get("email", ""),
                request.form.get("name", ""),
                request.form.get("password", ""),
                request.form.get("repeat", ""),
            )
            login_sessions.start(user)
            flash(gettext("Welcome! Your account is ready."))
            return redirect(url_for("facilitator.dashboard"))
        except AccountError as exc:
            db.session.rollback()
            error = str(exc)
    return render_template("facilitator/invitation.html", link=link, org=org, error=error, form=request.form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    """Set a new password with a reset link an admin made (once, before it expires)."""
    link = accounts.open_link(token, "reset")
    if link is None:
        return render_template("facilitator/link_gone.html"), 404
    user = db.session.get(User, link.user_id)
    error = None
    if request.method == "POST":
        try:
            _user, ended = accounts.reset_password(token, request.form.get("new", ""), request.form.get("repeat", ""))
            end_console_sockets(ended)
            if current_user.is_authenticated and current_user.id == _user.id:
                login_sessions.end(None)
            flash(gettext("The password is set. Log in with it."))
            return redirect(url_for("facilitator.login"))
        except AccountError as exc:
            db.session.rollback()
            error = str(exc)
    return render_template("facilitator/reset.html", user=user, error=error)


# --- sharing a workshop -----------------------------------------------------------------------


def share_choices(ws: Workshop) -> list[User]:
    """Colleagues a workshop can be shared with: active accounts of the owner's organisation,
    not the owner, not already sharing it."""
    owner = ws.owner
    taken = {s.user_id for s in ws.shares} | {ws.owner_id}
    return [
        u
        for u in db.session.scalars(
            select(User).where(User.organisation_id == owner.organisation_id, User.active.is_(True)).order_by(User.name)
        ).all()
        if u.id not in taken
    ]


@bp.post("/f/w/<int:ws_id>/share")
@workshop_route("manage")
def share(ws: Workshop):
    """Share with a colleague (role ``cofacilitator`` or ``viewer``), change the role, or stop
    sharing (role ``none``). A changed or ended share reaches an open console at its next event."""
    raw = request.form.get("user_id", "")
    user = db.session.get(User, int(raw)) if raw.isdigit() and len(raw) < 19 else None
    owner = ws.owner
    role = request.form.get("role", "")
    if user is None or user.organisation_id != owner.organisation_id or user.id == ws.owner_id:
        flash(gettext("Choose a colleague from your organisation."), "error")
    elif role not in (*access.SHARE_ROLES, "none"):
        flash(gettext("Choose a role."), "error")
    else:
        existing = db.session.scalar(
            select(WorkshopShare).where(WorkshopShare.workshop_id == ws.id, WorkshopShare.user_id == user.id)
        )
        who = user.name or user.email
        if role == "none":
            if existing is not None:
                db.session.delete(existing)
            flash(gettext("%(name)s no longer shares this workshop.", name=who))
        else:
            if not user.active:
                flash(gettext("That account is deactivated."), "error")
                return redirect(_back(ws))
            if existing is None:
                db.session.add(WorkshopShare(workshop_id=ws.id, user_id=user.id, role=role))
            else:
                existing.role = role
            flash(gettext("Shared as %(role)s with %(name)s.", name=who, role=role_label(role)))
        db.session.commit()
    return redirect(_back(ws))


def role_label(role: str) -> str:
    return {
        "owner": gettext("owner"),
        "cofacilitator": gettext("co-facilitator"),
        "viewer": gettext("viewer"),
        "admin": gettext("organisation admin"),
    }.get(role, role)


def _back(ws: Workshop) -> str:
    ref = request.referrer or ""
    if ref.startswith(request.host_url) and f"/f/w/{ws.id}" in ref:
        return ref.split("#")[0]
    return url_for("facilitator.console", ws_id=ws.id)


@bp.app_context_processor
def _sharing_helpers():
    return {"share_choices": share_choices, "role_label": role_label}
