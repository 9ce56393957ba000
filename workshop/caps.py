"""How much the room may put into one workshop: caps that keep participants' inputs from
filling what the facilitator needs.

The draft analysis holds at most ``ANALYSIS_ITEMS_MAX`` items (its import schema says the
same). Items that phones add (effects from step 2) stop earlier, at ``PHONE_ITEMS_MAX`` in
the analysis and ``PHONE_ITEMS_EACH`` per participant, so however many phones a script joins,
the facilitator keeps ``ANALYSIS_ITEMS_MAX - PHONE_ITEMS_MAX`` items of room for their own
edits. ``ACTIVITY_ENTRIES_MAX`` caps the entries of one activity from all phones together;
each kind's ``max_entries`` caps one participant's.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from .activities.base import InputError
from .extensions import db
from .models import Response

ANALYSIS_ITEMS_MAX = 2000
PHONE_ITEMS_MAX = 1500
PHONE_ITEMS_EACH = 100
# A hall of 5 000 phones sending three words each to a word cloud stays below it.
ACTIVITY_ENTRIES_MAX = 20_000


def check_draft_room(analysis, source_response_id: int | None) -> None:
    """Refuse a new item when the analysis is full; for an item from a phone (it has a
    ``source_response_id``), already when phones' items or this participant's are at their cap.
    Raises ``InputError("full", …)``. Counted in SQL: a phone's effect does not read every
    item of the analysis."""
    from .draft.models import Node

    total, from_phones = db.session.execute(
        select(func.count(Node.id), func.count(Node.source_response_id)).where(Node.analysis_id == analysis.id)
    ).one()
    if total >= ANALYSIS_ITEMS_MAX:
        raise InputError(
            "full",
            ngettext(
                "The analysis holds at most %(n)s item.",
                "The analysis holds at most %(n)s items.",
                ANALYSIS_ITEMS_MAX,
                n=ANALYSIS_ITEMS_MAX,
            ),
        )
    if source_response_id is None:
        return
    if from_phones >= PHONE_ITEMS_MAX:
        raise InputError(
            "full",
            gettext("The analysis has no room for more items from participants. The facilitator can still add them."),
        )
    author = select(Response.participant_id).where(Response.id == source_response_id).scalar_subquery()
    mine = (
        db.session.scalar(
            select(func.count(Node.id))
            .join(Response, Response.id == Node.source_response_id)
            .where(Node.analysis_id == analysis.id, Response.participant_id == author)
        )
        or 0
    )
    if mine >= PHONE_ITEMS_EACH:
        raise InputError(
            "full",
            ngettext(
                "You have added %(n)s item to the analysis, the most allowed.",
                "You have added %(n)s items to the analysis, the most allowed.",
                PHONE_ITEMS_EACH,
                n=PHONE_ITEMS_EACH,
            ),
        )


def activity_full() -> InputError:
    """The refusal when an activity holds ``ACTIVITY_ENTRIES_MAX`` current entries from all
    phones together; ``workshop.inputs`` counts them (an index range count per batch) for every
    entry that does not replace the phone's whole answer."""
    return InputError("full", gettext("This activity has received as many answers as it can hold."))
