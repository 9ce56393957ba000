"""Facilitator logins that end (workshop/login_sessions.py): logout on the server, copied
cookies, remember-me tokens, idle and absolute timeouts, console sockets, password change,
login timing, the first-run code and a placeholder secret key."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

REMEMBER = "remember_token"


def _logged_in(client) -> bool:
    r = client.get("/f/")
    return r.status_code == 200


def _copy_cookies(src, dst) -> None:
    for name in ("session", REMEMBER):
        cookie = src.get_cookie(name)
        if cookie is not None:
            dst.set_cookie(name, cookie.value)


def _rows(app):
    from sqlalchemy import select

    from workshop.extensions import db
    from workshop.models import LoginSession

    with app.app_context():
        rows = db.session.scalars(select(LoginSession)).all()
        out = [(r.user_id, r.token_hash, r.remember, r.created_at) for r in rows]
        db.session.remove()
        return out


def test_logout_ends_the_login_on_the_server_so_a_copied_cookie_is_worthless(app, facilitator):
    c = app.test_client()
    h.login(c)
    thief = app.test_client()
    _copy_cookies(c, thief)
    assert _logged_in(thief)  # the copy works while the login lives
    c.post("/logout")
    assert not _logged_in(c)
    assert not _logged_in(thief)
    assert _rows(app) == []


def test_remember_me_token_is_random_per_login_stored_hashed_and_removed_at_logout(app, facilitator):
    a, b = app.test_client(), app.test_client()
    for client in (a, b):
        client.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD, "remember": "1"})
    ta, tb = a.get_cookie(REMEMBER).value, b.get_cookie(REMEMBER).value
    assert ta != tb
    rows = _rows(app)
    assert len(rows) == 2 and all(r[2] for r in rows)
    stored = {r[1] for r in rows}
    # Only hashes are stored: no part of the cookie's token is in the database.
    token_a = ta.split("|")[0]
    assert token_a not in stored and all(len(x) == 64 for x in stored)

    # A browser restart: only the remember-me cookie is left, and it logs in.
    fresh = app.test_client()
    fresh.set_cookie(REMEMBER, ta)
    assert _logged_in(fresh)

    a.post("/logout")
    assert a.get_cookie(REMEMBER) is None or a.get_cookie(REMEMBER).value == ""
    replay = app.test_client()
    replay.set_cookie(REMEMBER, ta)
    assert not _logged_in(replay)
    assert _logged_in(b)  # the other login is not touched


def test_idle_timeout(app, facilitator):
    from workshop import login_sessions

    c = app.test_client()
    h.login(c)
    assert _logged_in(c)
    idle = app.extensions["settings"].session_idle_minutes * 60
    with c.session_transaction() as sess:
        sess[login_sessions.SEEN] = int(time.time()) - idle + 30
    assert _logged_in(c)  # a request within the idle time keeps it
    with c.session_transaction() as sess:
        sess[login_sessions.SEEN] = int(time.time()) - idle - 5
    assert not _logged_in(c)


def test_absolute_timeout_even_when_active(app, facilitator):
    from workshop.models import LoginSession

    c = app.test_client()
    h.login(c)
    hours = app.extensions["settings"].session_absolute_hours
    (row,) = _rows(app)
    created = row[3]
    sid = _session_id(app, row[1])
    h.update_row(app, LoginSession, sid, created_at=created - timedelta(hours=hours) + timedelta(minutes=1))
    assert _logged_in(c)
    h.update_row(app, LoginSession, sid, created_at=created - timedelta(hours=hours, minutes=1))
    assert not _logged_in(c)


def _session_id(app, token_sha):
    from sqlalchemy import select

    from workshop.extensions import db
    from workshop.models import LoginSession

    with app.app_context():
        return db.session.scalar(select(LoginSession.id).where(LoginSession.token_hash == token_sha))


def test_logout_disconnects_the_console_socket(app, make_workshop):
    ws_id, _code, ids = make_workshop()
    c = app.test_client()
    h.login(c)
    tc = h.socket_client(app, h.CONSOLE, {"workshop_id": ws_id}, c)
    assert tc.is_connected(h.CONSOLE)
    c.post("/logout")
    assert not tc.is_connected(h.CONSOLE)


def test_a_console_on_another_process_is_refused_once_the_login_ended(app, make_workshop):
    """Another process does not hold the socket: the console's next event finds the login gone."""
    from sqlalchemy import delete

    from workshop.extensions import db
    from workshop.models import LoginSession

    ws_id, _code, ids = make_workshop()
    tc = h.console(app, ws_id)
    assert tc.emit("goto", {"activity_id": ids[0]}, namespace=h.CONSOLE, callback=True)["ok"]
    with app.app_context():
        db.session.execute(delete(LoginSession))
        db.session.commit()
    h.assert_error(tc.emit("goto", {"activity_id": ids[0]}, namespace=h.CONSOLE, callback=True), "session_ended")
    assert not tc.is_connected(h.CONSOLE)


def test_password_change_ends_every_other_login(app, facilitator):
    mine, other = app.test_client(), app.test_client()
    h.login(mine)
    h.login(other)
    page = mine.get("/f/account")
    assert page.status_code == 200
    new = "ett-helt-nytt-lösen"
    for bad, message in (
        ({"current": "fel", "new": new, "repeat": new}, "current password is wrong"),
        ({"current": h.PASSWORD, "new": "kort", "repeat": "kort"}, "at least 10"),
        ({"current": h.PASSWORD, "new": new, "repeat": new + "x"}, "differ"),
        ({"current": h.PASSWORD, "new": h.PASSWORD, "repeat": h.PASSWORD}, "must differ"),
    ):
        r = mine.post("/f/account?lang=en", data=bad)
        assert r.status_code == 200 and message in r.get_data(as_text=True)
        assert _logged_in(other)
    r = mine.post("/f/account", data={"current": h.PASSWORD, "new": new, "repeat": new})
    assert "The password is changed" in r.get_data(as_text=True)
    assert _logged_in(mine)
    assert not _logged_in(other)
    assert (
        app.test_client().post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD}).status_code == 200
    )
    h.login(app.test_client(), password=new)


def test_login_does_the_same_hashing_work_for_unknown_and_known_addresses(app, facilitator, monkeypatch):
    """Timing must not tell which addresses have an account: both cost exactly one password
    hash check with the same parameters, and no hash is made per request."""
    from werkzeug import security as ws_security

    from workshop import accounts

    calls: list[tuple[str, str]] = []
    real_check = ws_security.check_password_hash

    def check(pwhash, password):
        calls.append(("check", pwhash.split("$")[0]))
        return real_check(pwhash, password)

    def generate(*_a, **_k):
        raise AssertionError("a hash was made while checking a login")

    with app.test_request_context():
        accounts.authenticate("nobody@solstad.se", "x")  # warms the dummy hash once per process
        monkeypatch.setattr(accounts, "check_password_hash", check)
        monkeypatch.setattr(accounts, "generate_password_hash", generate)
        assert accounts.authenticate("nobody@solstad.se", "fel-lösen") is None
        assert accounts.authenticate("anna@solstad.se", "fel-lösen") is None
    assert len(calls) == 2 and calls[0][1] == calls[1][1], calls


def test_the_login_page_offers_remember_me_only_when_it_is_on(tmp_path, migrated_db):
    import shutil

    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings

    shutil.copyfile(migrated_db, tmp_path / "nyttoverkstad.sqlite3")
    app = create_app(Settings.from_env(tmp_path, testing=True, remember_days=0), async_mode="threading", migrate=False)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context():
        create_user("anna@solstad.se", h.PASSWORD)
    c = app.test_client()
    assert 'name="remember"' not in c.get("/login").get_data(as_text=True)
    c.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD, "remember": "1"})
    assert c.get_cookie(REMEMBER) is None
    assert all(not r[2] for r in _rows(app))


@pytest.mark.parametrize("key", ["change-me", "kort-nyckel", "CHANGE-ME-please-to-something-long-and-random"])
def test_serve_refuses_a_placeholder_or_short_secret_key(tmp_path, monkeypatch, key):
    from click.testing import CliRunner

    from workshop.cli import cli

    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.delenv("WORKSHOP_DEBUG", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--port", "1"])
    assert result.exit_code != 0
    assert "SECRET_KEY" in result.output and "random" in result.output


def test_a_generated_secret_key_is_fit_to_serve(tmp_path):
    from workshop.config import Settings, secret_key_problem

    settings = Settings.from_env(tmp_path)
    assert secret_key_problem(settings.secret_key) is None
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_setup_redirect_keeps_to_login_once_an_account_exists(app, facilitator):
    c = app.test_client()
    assert urlsplit(c.get("/setup").headers["Location"]).path == "/login"
