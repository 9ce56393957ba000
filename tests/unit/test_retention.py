"""The retention rule's dates: whole calendar months after the workshop closed."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from workshop.retention import add_months, closed_since, deletion_due

NOW = datetime(2027, 3, 15, 12, 0)


def ws(**kw):
    base = dict(
        status="open", closed_at=None, updated_at=NOW, open_until=None, retention_months=6, inputs_deleted_at=None
    )
    return SimpleNamespace(**{**base, **kw})


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime(2027, 1, 31, 9), 1) == datetime(2027, 2, 28, 9)
    assert add_months(datetime(2028, 1, 31), 1) == datetime(2028, 2, 29)
    assert add_months(datetime(2027, 11, 15), 3) == datetime(2028, 2, 15)
    assert add_months(datetime(2027, 5, 10), 12) == datetime(2028, 5, 10)


def test_a_workshop_closes_when_archived_or_at_its_closing_time_whichever_first():
    assert closed_since(ws(), NOW) is None
    assert closed_since(ws(open_until=NOW + timedelta(days=1)), NOW) is None
    assert closed_since(ws(open_until=NOW - timedelta(days=2)), NOW) == NOW - timedelta(days=2)
    archived = ws(status="archived", closed_at=NOW - timedelta(days=1), open_until=NOW - timedelta(days=9))
    assert closed_since(archived, NOW) == NOW - timedelta(days=9)
    # Archived before the closing moment was recorded: its last change stands in.
    assert closed_since(ws(status="archived", updated_at=NOW - timedelta(days=3)), NOW) == NOW - timedelta(days=3)


def test_deletion_is_due_only_with_a_retention_and_once():
    closed = ws(status="archived", closed_at=datetime(2027, 1, 31))
    assert deletion_due(closed, NOW) == datetime(2027, 7, 31)
    assert deletion_due(ws(status="archived", closed_at=NOW, retention_months=None), NOW) is None
    assert deletion_due(ws(), NOW) is None  # still open
    assert deletion_due(ws(status="archived", closed_at=NOW, inputs_deleted_at=NOW), NOW) is None
