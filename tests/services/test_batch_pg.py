"""The input writer's batch on PostgreSQL (one array per column, ``batch._insert_pg``): every
input stored with what it said, each answer naming its own row, in the batch's order."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.services


def test_a_batch_on_postgresql_stores_each_input_under_the_id_it_is_answered_with(postgres, tmp_path):
    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db
    from workshop.inputs import Item, Stored, write_batch
    from workshop.models import Participant, Response, User

    settings = Settings.from_env(tmp_path, testing=True, database_url=postgres)
    app = create_app(settings, async_mode="threading")
    with app.test_request_context():
        user = db.session.get(User, create_user("anna@solstad.se", "hemligt-lösen-1", "Anna").id)
        ws = core.create_workshop(user, "Forum")
        mc = core.add_activity(
            ws, "multiple_choice", "Fråga", {"options": ["A", "B", "C"], "multiple": False, "max_choices": 1}
        )
        words = core.add_activity(ws, "word_cloud", "Ord", {"max_entries": 3, "max_length": 25})
        ws.mode = "self_paced"
        phones = [Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24)) for _ in range(40)]
        db.session.add_all(phones)
        db.session.commit()
        items = []
        for n, p in enumerate(phones):
            items.append(Item(p.id, ws.id, mc.id, f"m{n}", {"choices": [n % 3]}))
            items.append(Item(p.id, ws.id, words.id, f"w{n}", {"text": f"ord {n} ö"}))
        items.append(Item(phones[0].id, ws.id, mc.id, "m0-again", {"choices": [2]}))  # supersedes m0
        with db.engine.connect() as conn:
            write_batch(conn, items)
        assert all(isinstance(i.outcome, Stored) for i in items), [i.error for i in items if i.error]
        rows = {r.id: r for r in db.session.scalars(db.select(Response))}
        assert len(rows) == len(items)
        for item in items:
            row = rows[item.outcome.response_id]
            assert (row.participant_id, row.activity_id, row.client_id, row.data) == (
                item.participant_id,
                item.activity_id,
                item.client_id,
                item.outcome.data,
            )
            assert row.created_at.tzinfo is not None and row.revision > 0 and row.status == "visible"
        # The batch's order: ids grow with it.
        assert [i.outcome.response_id for i in items] == sorted(i.outcome.response_id for i in items)
        current = {r.client_id for r in rows.values() if r.current}
        assert "m0" not in current and "m0-again" in current and "w0" in current
    with app.app_context():
        db.engine.dispose()


def test_the_postgresql_insert_names_every_column_of_the_table():
    from workshop.inputs.batch import _PG_COLUMNS, _T

    assert {name for name, _ in _PG_COLUMNS} == set(_T.c.keys()) - {"id"}
