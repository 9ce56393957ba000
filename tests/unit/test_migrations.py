"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrated_schema_matches_the_models(app):
    from workshop.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_existing_accounts_go_into_one_organisation_and_review_links_keep_working(tmp_path):
    """The organisations migration on a database with data: every account in one default
    organisation, the first one its admin; an existing review link's key becomes the workshop's
    results key (the link keeps working), a poll workshop gets a key of its own."""
    from datetime import datetime

    import sqlalchemy as sa

    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db
    from workshop.migrate import upgrade

    app = create_app(Settings.from_env(tmp_path, testing=True), async_mode="threading", migrate=False)
    with app.app_context():
        upgrade("e8c1bcd1377c")
        meta = sa.MetaData()
        meta.reflect(db.engine)

        def insert(conn, table, **values):
            row = {}
            for col in meta.tables[table].columns:
                if col.name in values or col.primary_key or col.nullable:
                    continue
                t = col.type
                row[col.name] = (
                    0
                    if isinstance(t, (sa.Integer, sa.Float, sa.Boolean))
                    else "[]"
                    if isinstance(t, sa.JSON)
                    else datetime(2026, 1, 1)
                    if isinstance(t, sa.DateTime)
                    else ""
                )
            conn.execute(meta.tables[table].insert().values(**{**row, **values}))

        with db.engine.begin() as conn:
            insert(conn, "users", id=1, email="anna@solstad.se", password_hash="x")
            insert(conn, "users", id=2, email="bertil@solstad.se", password_hash="x")
            for wid, owner, code in ((1, 1, "12345678"), (2, 2, "23456789")):
                insert(
                    conn,
                    "workshops",
                    id=wid,
                    owner_id=owner,
                    title="W",
                    join_code=code,
                    presenter_key=f"p{wid}",
                    status="open",
                )
            insert(conn, "analyses", id=1, workshop_id=1, review_key="gammal-nyckel", convention="E")
        upgrade("head")
        with db.engine.connect() as conn:
            orgs = conn.execute(sa.text("SELECT id FROM organisations")).all()
            users = conn.execute(sa.text("SELECT id, organisation_id, role, active FROM users ORDER BY id")).all()
            keys = dict(conn.execute(sa.text("SELECT id, results_key FROM workshops")).all())
        assert len(orgs) == 1
        assert [(u.id, u.organisation_id, u.role, bool(u.active)) for u in users] == [
            (1, orgs[0].id, "admin", True),
            (2, orgs[0].id, "member", True),
        ]
        assert keys[1] == "gammal-nyckel" and keys[2] and len(keys[2]) >= 24
        db.engine.dispose()


def test_a_fresh_database_gets_no_organisation_until_the_first_account(tmp_path):
    import sqlalchemy as sa

    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db

    app = create_app(Settings.from_env(tmp_path, testing=True), async_mode="threading")
    with app.test_request_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM organisations")).scalar() == 0
        first = create_user("anna@solstad.se", "ett-långt-lösen")
        second = create_user("bertil@solstad.se", "ett-långt-lösen")
        assert first.role == "admin" and second.role == "member"
        assert first.organisation_id == second.organisation_id
        db.session.remove()
        db.engine.dispose()
