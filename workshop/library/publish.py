"""The analysis library: a finished analysis published as a template for every organisation on
this server, with participant data removed, and a new workshop started from one.

What a published document carries is the workshop's activities and its draft analysis (frame,
alternatives, items with their blocks, the chain, the factors) in the JSON schema of
``workshop/portable.py`` — never the participants' inputs, nicknames or perspectives chosen,
which that schema does not hold. Removed on top of it: the decided versions and their
follow-up (they belong to the source organisation), and — unless the publisher keeps them —
the participants' own words in the items that came from phones (description, cause and
motivation; the item's title stays, it is the analysis' name for it)."""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from .. import portable
from ..draft.service import analysis_for
from ..extensions import db
from ..models import User, Workshop, utcnow
from ..validation import InputError
from .models import PublishedAnalysis

PHONE_TEXT_FIELDS = ("description", "cause", "motivation")


def phone_items(ws: Workshop) -> list[str]:
    """Titles of the analysis' items that came from phones (their words are the participants')."""
    analysis = analysis_for(ws, create=False)
    if analysis is None:
        return []
    return [n.title for n in analysis.nodes if n.source_response_id is not None]


def document_to_publish(ws: Workshop, keep_participant_text: bool = False) -> dict[str, Any]:
    """The workshop as a template document, participant data removed (see the module)."""
    analysis = analysis_for(ws, create=False)
    if analysis is None or not analysis.nodes:
        raise InputError(
            "empty", gettext("Only an analysis with benefits or costs can be published: this workshop has none yet.")
        )
    doc = copy.deepcopy(portable.export_document(ws, kind="template"))
    a = doc["analysis"]
    a["versions"] = []
    if not keep_participant_text:
        for node, entry in zip(analysis.nodes, a["nodes"]):
            if node.source_response_id is not None:
                for key in PHONE_TEXT_FIELDS:
                    if key in entry:
                        entry[key] = ""
    return doc


def publish(ws: Workshop, by: User, summary: str, keep_participant_text: bool = False) -> PublishedAnalysis:
    summary = (summary or "").strip()
    if len(summary) > 2000:
        raise InputError("too_long", gettext("The description is too long: at most 2000 characters."))
    doc = document_to_publish(ws, keep_participant_text)
    org = by.organisation
    item = PublishedAnalysis(
        organisation_id=org.id if org else None,
        organisation_name=(org.name if org else "")[:200],
        published_by_id=by.id,
        title=(doc["analysis"]["facts"].get("name_of_change") or ws.title)[:300],
        summary=summary,
        document=doc,
        kept_participant_text=keep_participant_text,
    )
    db.session.add(item)
    db.session.commit()
    return item


def listed() -> list[PublishedAnalysis]:
    return list(
        db.session.scalars(
            select(PublishedAnalysis)
            .where(PublishedAnalysis.withdrawn_at.is_(None))
            .order_by(PublishedAnalysis.published_at.desc())
        )
    )


def get(item_id: int) -> PublishedAnalysis | None:
    item = db.session.get(PublishedAnalysis, item_id)
    return item if item is not None and item.withdrawn_at is None else None


def may_withdraw(user: User, item: PublishedAnalysis) -> bool:
    return item.published_by_id == user.id or (
        user.role == "admin" and item.organisation_id is not None and item.organisation_id == user.organisation_id
    )


def withdraw(item: PublishedAnalysis) -> None:
    item.withdrawn_at = utcnow()
    db.session.commit()


def start_from(item: PublishedAnalysis, owner: User) -> Workshop:
    """A new workshop for ``owner`` with the published analysis' activities, items, blocks,
    factors and chain (the document's import path: the same checks as a file)."""
    doc = copy.deepcopy(item.document)
    return portable.import_document(owner, doc)


def stats(item: PublishedAnalysis) -> dict[str, int]:
    a = item.document.get("analysis") or {}
    nodes = a.get("nodes") or []
    return {
        "items": len(nodes),
        "blocks": sum(1 for n in nodes if n.get("block")),
        "factors": len(a.get("factors") or []),
        "links": len(a.get("links") or []),
        "activities": len((item.document.get("workshop") or {}).get("activities") or []),
    }
