"""SQLite checkpoints off the event loop (``workshop.checkpoint``): the serving process's
commits only append to the log, and its own task copies the log back into the database file."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import text

from workshop import checkpoint as module
from workshop import database
from workshop.checkpoint import SAFETY_PAGES, Checkpointer, checkpoint, log_bytes, start
from workshop.extensions import db

# About 2 500 pages of 4 KiB: well past SQLite's automatic checkpoint at 1 000 pages.
ROWS, ROW_BYTES = 2_500, 4_000


@pytest.fixture
def manual_checkpoints(app):
    database.automatic_checkpoints(False)
    with app.app_context():
        db.engine.dispose()
    yield
    database.automatic_checkpoints(True)
    with app.app_context():
        db.engine.dispose()


def _path(app) -> str:
    with app.app_context():
        return db.engine.url.database


def _write_many(app) -> None:
    """One transaction of some 10 MB through the app's engine."""
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS bulk (id INTEGER PRIMARY KEY, body BLOB)"))
            conn.execute(
                text("INSERT INTO bulk (body) VALUES (randomblob(:n))"), [{"n": ROW_BYTES} for _ in range(ROWS)]
            )


def _sizes(path: str) -> tuple[int, int]:
    wal = path + "-wal"
    return os.path.getsize(path), os.path.getsize(wal) if os.path.exists(wal) else 0


def test_a_connection_of_the_serving_process_does_not_checkpoint_by_itself(app, manual_checkpoints):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == SAFETY_PAGES


def test_by_default_a_connection_checkpoints_by_itself(app):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000


def test_a_big_commit_leaves_the_copying_to_the_checkpointer(app, manual_checkpoints):
    path = _path(app)
    before, _ = _sizes(path)
    _write_many(app)
    main, wal = _sizes(path)
    # Committed: in the log, not yet in the database file.
    assert main == before
    assert wal > ROWS * ROW_BYTES
    worker = Checkpointer(path, 1000, sleep=lambda s: None, offload=lambda fn: fn())
    busy, frames, copied = worker.once()
    assert busy == 0 and frames > ROWS and copied == frames
    assert _sizes(path)[0] > before + ROWS * ROW_BYTES
    assert worker.runs == 1 and worker.last == (busy, frames, copied)
    # And every row is there, read by a connection that knows nothing of the app.
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM bulk").fetchone()[0] == ROWS


def test_with_automatic_checkpoints_the_commit_copies_the_log_back_itself(app):
    """The contrast: what the serving process avoids (this test fails if the default changes)."""
    path = _path(app)
    before, _ = _sizes(path)
    _write_many(app)
    assert _sizes(path)[0] > before + ROWS * ROW_BYTES


def test_a_log_past_its_size_is_emptied(app, manual_checkpoints, monkeypatch):
    """Under a stream of votes a PASSIVE checkpoint rarely lets SQLite start the log over: past
    TRUNCATE_BYTES the checkpoint empties the file."""
    path = _path(app)
    _write_many(app)
    monkeypatch.setattr(module, "TRUNCATE_BYTES", 1024 * 1024)
    worker = Checkpointer(path, 1000, sleep=lambda s: None, offload=lambda fn: fn())
    busy, frames, copied = worker.once()
    assert busy == 0 and frames == copied == 0  # TRUNCATE reports the emptied log
    assert log_bytes(path) == 0
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM bulk").fetchone()[0] == ROWS


def test_a_log_below_its_size_is_only_copied_back(app, manual_checkpoints):
    path = _path(app)
    _write_many(app)
    size = log_bytes(path)
    Checkpointer(path, 1000, sleep=lambda s: None, offload=lambda fn: fn()).once()
    assert log_bytes(path) == size  # PASSIVE: the file is reused, not emptied


def test_a_missing_database_is_not_created_by_a_checkpoint(tmp_path):
    gone = tmp_path / "gone.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        checkpoint(str(gone), 100)
    assert not gone.exists()
    with pytest.raises(ValueError):
        checkpoint(str(gone), 100, "FULL; DROP TABLE x")


def test_a_checkpoint_with_nothing_new_is_cheap_and_harmless(app, manual_checkpoints):
    path = _path(app)
    first = checkpoint(path, 1000)
    again = checkpoint(path, 1000)
    assert again[0] == 0 and again[1] == again[2]
    assert first[1] >= 0


def test_a_failing_checkpoint_does_not_end_the_task(app, caplog):
    calls = []

    def offload(fn):
        calls.append(fn)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        raise SystemExit  # ends the loop of the test

    worker = Checkpointer(_path(app), 1000, sleep=lambda s: None, offload=offload)
    with pytest.raises(SystemExit):
        worker.run()
    assert len(calls) == 2
    assert "SQLite checkpoint failed" in caplog.text


def test_start_turns_automatic_checkpoints_off_and_runs_the_task(app):
    started = []

    class FakeSocketIO:
        def sleep(self, s):
            pass

        def start_background_task(self, fn, *args):
            started.append(fn)

    try:
        worker = start(app, FakeSocketIO())
        assert worker is not None and started == [worker.run]
        assert app.extensions["checkpointer"] is worker
        with app.app_context():
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == SAFETY_PAGES
    finally:
        database.automatic_checkpoints(True)
        with app.app_context():
            db.engine.dispose()
