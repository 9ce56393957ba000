"""Alembic environment: uses the connection handed over by ``workshop.migrate``."""

from alembic import context

from workshop import models  # noqa: F401  (registers the tables)
from workshop.draft import models as draft_models  # noqa: F401
from workshop.extensions import db
from workshop.followup import models as followup_models  # noqa: F401

config = context.config
target_metadata = db.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        connection = create_engine(config.get_main_option("sqlalchemy.url")).connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
