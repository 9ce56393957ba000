"""Backup and restore on the embedded SQLite, through the real command: back up, wipe,
restore, and the same data is there (the worked example with a decided version exports the
same JSON document as before)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = [sys.executable, "-m", "workshop.cli"]


def run(data_dir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKSHOP_DATA_DIR": str(data_dir), "WORKSHOP_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from workshop.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def _export_all(data_dir: Path) -> dict[int, str]:
    from workshop import portable
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db
    from workshop.models import Workshop

    app = create_app(Settings.from_env(data_dir, testing=True), async_mode="threading")
    with app.test_request_context():
        return {w.id: portable.dumps(portable.export_document(w)) for w in db.session.query(Workshop).all()}


@pytest.fixture
def filled(tmp_path):
    data = tmp_path / "data"
    run(data, "create-user", "--email", "anna@solstad.se", "--password", "hemligt-lösen-1", "--name", "Anna")
    template = ROOT / "workshop" / "template_library" / "example_digital_locks.json"
    run(data, "import", str(template), "--owner", "anna@solstad.se")
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.followup import service as followup
    from workshop.models import Workshop

    app = create_app(Settings.from_env(data, testing=True), async_mode="threading")
    with app.test_request_context():
        ws = db.session.query(Workshop).one()
        followup.decide(analysis_for(ws), {"label": "Beslutad", "decided_on": "2027-01-15"})
        db.session.commit()
    return data


def test_backup_wipe_restore_gives_the_same_data(filled, tmp_path):
    before = _export_all(filled)
    assert before and '"number": 1' in next(iter(before.values()))
    out = tmp_path / "backup.sqlite3"
    print(run(filled, "backup", str(out)).stdout)
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # Wipe: the database file is gone.
    (filled / "nyttoverkstad.sqlite3").unlink()
    for extra in ("-wal", "-shm"):
        Path(str(filled / "nyttoverkstad.sqlite3") + extra).unlink(missing_ok=True)
    run(filled, "restore", str(out), "--yes")
    assert _export_all(filled) == before


def test_a_backup_never_overwrites_and_a_foreign_file_is_refused(filled, tmp_path):
    out = tmp_path / "b.sqlite3"
    out.write_text("old")
    done = run(filled, "backup", str(out), ok=False)
    assert done.returncode != 0 and "exists already" in done.stderr
    assert out.read_text() == "old"
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"PGDMP" + b"\0" * 100)
    done = run(filled, "restore", str(junk), "--yes", ok=False)
    assert done.returncode != 0 and "not a SQLite backup" in done.stderr
    import sqlite3

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    done = run(filled, "restore", str(other), "--yes", ok=False)
    assert done.returncode != 0 and "not a Nyttoverkstad backup" in done.stderr
    assert _export_all(filled)  # nothing was replaced
