"""Schema migrations with Alembic, run programmatically (no alembic.ini to keep in step).

``workshop serve`` upgrades on start; ``workshop db upgrade`` does it on its own.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(revision: str = "head") -> None:
    """Bring the schema to ``revision``; needs an app context.

    On SQLite, foreign keys are off while the migrations run, as SQLite asks for schema changes
    (its ALTER TABLE procedure): a batch migration rebuilds a table by copying it and dropping
    the old one, which a table other rows refer to (``users``, ``workshops``) would refuse, or
    cascade into its children. Every reference is checked before the change is committed."""
    cfg = alembic_config()
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Outside any transaction: SQLite ignores this pragma inside one.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows with broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def revision(message: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)
