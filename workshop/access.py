"""Who may do what with a workshop: one rule for pages, forms, downloads and sockets.

A facilitator's *role* in a workshop is, in order:

* ``owner``: the account that made it; everything;
* ``cofacilitator`` (shared): everything but deleting or archiving it and sharing it;
* ``admin``: an admin of the owner's organisation: sees it (read-only) and manages its sharing
  and archiving, so an organisation keeps its workshops when someone leaves;
* ``viewer`` (shared): sees the console, results and analysis live; changes nothing;
* ``None``: not visible at all (pages answer 404, sockets refuse).

What each role may do is one of three *needs*: ``view`` (read), ``edit`` (run and change the
workshop and its analysis), ``manage`` (share, archive, reopen). docs/accounts.md.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import or_, select

from .extensions import db
from .models import User, Workshop, WorkshopShare

Need = Literal["view", "edit", "manage"]
SHARE_ROLES = ("cofacilitator", "viewer")

ALLOWS: dict[str, frozenset[str]] = {
    "owner": frozenset({"view", "edit", "manage"}),
    "cofacilitator": frozenset({"view", "edit"}),
    "admin": frozenset({"view", "manage"}),
    "viewer": frozenset({"view"}),
}


def role_in(user: User | None, ws: Workshop | None) -> str | None:
    """The role of ``user`` in ``ws`` (see the module's docstring), or None."""
    if user is None or ws is None or not getattr(user, "active", False) or getattr(user, "id", None) is None:
        return None
    if ws.owner_id == user.id:
        return "owner"
    share = db.session.scalar(
        select(WorkshopShare.role).where(WorkshopShare.workshop_id == ws.id, WorkshopShare.user_id == user.id)
    )
    if share in SHARE_ROLES:
        return share
    if user.role == "admin":
        owner_org = db.session.scalar(select(User.organisation_id).where(User.id == ws.owner_id))
        if owner_org == user.organisation_id:
            return "admin"
    return None


def allows(role: str | None, need: Need) -> bool:
    return role is not None and need in ALLOWS.get(role, frozenset())


def may(user: User | None, ws: Workshop | None, need: Need) -> bool:
    return allows(role_in(user, ws), need)


def visible_workshops(user: User):
    """A select of the workshops ``user`` owns or that are shared with them."""
    shared = select(WorkshopShare.workshop_id).where(WorkshopShare.user_id == user.id)
    return select(Workshop).where(or_(Workshop.owner_id == user.id, Workshop.id.in_(shared)))


def shared_roles(user: User, ws_ids: list[int]) -> dict[int, str]:
    """The share role of ``user`` per workshop id (for the dashboard's labels)."""
    if not ws_ids:
        return {}
    rows = db.session.execute(
        select(WorkshopShare.workshop_id, WorkshopShare.role).where(
            WorkshopShare.user_id == user.id, WorkshopShare.workshop_id.in_(ws_ids)
        )
    ).all()
    return {wid: role for wid, role in rows}


def organisation_workshops(org_id: int):
    """A select of every workshop owned by an account of the organisation."""
    members = select(User.id).where(User.organisation_id == org_id)
    return select(Workshop).where(Workshop.owner_id.in_(members))
