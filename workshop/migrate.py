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
    """Bring the schema to ``revision``; needs an app context."""
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def revision(message: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)
