"""Backup and restore on PostgreSQL through the real command: back up, wipe the schema,
restore, and the same data is there."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _svc():
    name = "nyttoverkstad_services_svc"  # the module tests/services/conftest.py loads
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("svc.py"))
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


svc = _svc()
pytestmark = pytest.mark.services


def run(data_dir: Path, url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKSHOP_DATA_DIR": str(data_dir), "WORKSHOP_DEBUG": "1", "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", "from workshop.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    if ok:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def dump_rows(url: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def test_backup_wipe_restore_on_postgresql(postgres, tmp_path):
    data = tmp_path / "data"
    run(data, postgres, "create-user", "--email", "anna@solstad.se", "--password", "hemligt-lösen-1")
    run(
        data,
        postgres,
        "import",
        str(ROOT / "workshop/template_library/example_digital_locks.json"),
        "--owner",
        "anna@solstad.se",
    )
    before = dump_rows(postgres)
    assert len(before["analysis_nodes"]) > 5 and len(before["users"]) == 1
    out = tmp_path / "backup.pgdump"
    run(data, postgres, "backup", str(out))
    assert out.read_bytes()[:5] == b"PGDMP"
    import psycopg

    with psycopg.connect(postgres.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    assert dump_rows(postgres) == {}
    run(data, postgres, "restore", str(out), "--yes")
    assert dump_rows(postgres) == before
    # A SQLite file is refused on PostgreSQL, and nothing changes.
    sqlite_file = tmp_path / "x.sqlite3"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\0" * 100)
    done = run(data, postgres, "restore", str(sqlite_file), "--yes", ok=False)
    assert done.returncode != 0 and "not a PostgreSQL backup" in done.stderr
    assert dump_rows(postgres) == before
