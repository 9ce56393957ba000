"""Organisations and their accounts (docs/accounts.md): inviting a colleague with a link that
works once and expires, an admin's password reset link (once, expiring, ends every login),
deactivation, e-mail through a real SMTP server process when configured, and the first-run
setup that cannot be taken over once an account exists."""

from __future__ import annotations

import mailbox
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

ANNA, BERTIL = "anna@solstad.se", "bertil@norrby.se"


def _admin(app):
    c = app.test_client()
    h.login(c, ANNA)
    return c


def _link(page: str, kind: str) -> str:
    m = re.search(rf'value="(https?://[^"]+/{kind}/[A-Za-z0-9_-]+)"', page)
    assert m, f"no /{kind}/ link on the page"
    return m.group(1).split("localhost", 1)[-1]


def _user(app, email):
    from workshop.extensions import db
    from workshop.models import User

    with app.app_context():
        u = db.session.query(User).filter_by(email=email).first()
        out = None if u is None else {"id": u.id, "org": u.organisation_id, "role": u.role, "active": u.active}
        db.session.remove()
        return out


def _expire_links(app):
    from workshop.extensions import db
    from workshop.models import AccountLink, utcnow

    with app.app_context():
        for link in db.session.query(AccountLink):
            link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()


# --- invitations -------------------------------------------------------------------------------------


def test_an_invited_colleague_makes_an_account_once(app, facilitator):
    admin = _admin(app)
    page = admin.post("/f/org/invite", data={"role": "member", "days": "7", "email": ""}).get_data(as_text=True)
    path = _link(page, "invite")
    assert "Inbjudan skapad" in page
    guest = app.test_client()
    form = guest.get(path).get_data(as_text=True)
    assert "Skapa ditt konto" in form
    # a mistake loses nothing and makes nothing
    r = guest.post(
        path, data={"email": "dora@solstad.se", "name": "Dora", "password": "ett-långt-lösen", "repeat": "x"}
    )
    assert r.status_code == 200 and "De nya lösenorden är olika" in r.get_data(as_text=True)
    assert _user(app, "dora@solstad.se") is None
    r = guest.post(
        path,
        data={"email": "dora@solstad.se", "name": "Dora", "password": "ett-långt-lösen", "repeat": "ett-långt-lösen"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/f/")
    assert guest.get("/f/").status_code == 200  # logged in
    dora, anna = _user(app, "dora@solstad.se"), _user(app, ANNA)
    assert dora["org"] == anna["org"] and dora["role"] == "member" and anna["role"] == "admin"
    # once only
    again = app.test_client()
    assert again.get(path).status_code == 404
    r = again.post(path, data={"email": "eva@solstad.se", "password": "ett-långt-lösen", "repeat": "ett-långt-lösen"})
    assert r.status_code == 404 and _user(app, "eva@solstad.se") is None
    assert path.rsplit("/", 1)[1] not in admin.get("/f/org").get_data(as_text=True)


def test_an_invitation_for_an_address_an_expired_and_a_withdrawn_one(app, facilitator):
    admin = _admin(app)
    page = admin.post("/f/org/invite", data={"role": "admin", "days": "2", "email": "Dora@Solstad.se"}).get_data(
        as_text=True
    )
    path = _link(page, "invite")
    r = app.test_client().post(
        path,
        data={"email": "someone@else.se", "name": "Dora", "password": "ett-långt-lösen", "repeat": "ett-långt-lösen"},
    )
    assert r.status_code == 302
    assert _user(app, "someone@else.se") is None and _user(app, "dora@solstad.se")["role"] == "admin"
    # expired
    path = _link(admin.post("/f/org/invite", data={"role": "member", "days": "1"}).get_data(as_text=True), "invite")
    _expire_links(app)
    assert app.test_client().get(path).status_code == 404
    # withdrawn
    path = _link(admin.post("/f/org/invite", data={"role": "member", "days": "30"}).get_data(as_text=True), "invite")
    org = admin.get("/f/org").get_data(as_text=True)
    link_id = re.search(r"/f/org/invite/(\d+)/revoke", org).group(1)
    assert admin.post(f"/f/org/invite/{link_id}/revoke").status_code == 302
    assert app.test_client().get(path).status_code == 404
    # bad input is refused with a message
    for data, message in (
        ({"role": "member", "days": "31"}, "från 1 till 30 dagar"),
        ({"role": "member", "days": "0"}, "från 1 till 30 dagar"),
        ({"role": "owner", "days": "7"}, "Välj en roll"),
        ({"role": "member", "days": "7", "email": "inte-en-adress"}, "giltig e-postadress"),
        ({"role": "member", "days": "7", "email": ANNA}, "finns redan"),
    ):
        r = admin.post("/f/org/invite", data=data)
        assert r.status_code == 400 and message in r.get_data(as_text=True), (data, r.get_data(as_text=True)[-800:])


# --- password reset by an admin ------------------------------------------------------------------------


def test_an_admins_reset_link_works_once_and_ends_every_login(app, facilitator, other_facilitator, make_workshop):
    ws_id, _, _ = make_workshop()
    from workshop.extensions import db
    from workshop.models import WorkshopShare

    with app.app_context():
        db.session.add(WorkshopShare(workshop_id=ws_id, user_id=other_facilitator, role="viewer"))
        db.session.commit()
    bertil = app.test_client()
    h.login(bertil, BERTIL)
    console = h.socket_client(app, h.CONSOLE, {"workshop_id": ws_id}, bertil)
    assert console.is_connected(h.CONSOLE)
    admin = _admin(app)
    first = _link(admin.post(f"/f/org/members/{other_facilitator}/reset").get_data(as_text=True), "reset")
    path = _link(admin.post(f"/f/org/members/{other_facilitator}/reset").get_data(as_text=True), "reset")
    assert app.test_client().get(first).status_code == 404  # a newer link replaces an unused one
    anyone = app.test_client()
    assert BERTIL in anyone.get(path).get_data(as_text=True)
    r = anyone.post(path, data={"new": "kort", "repeat": "kort"})
    assert r.status_code == 200 and "minst 10 tecken" in r.get_data(as_text=True)
    r = anyone.post(path, data={"new": "nytt-långt-lösen", "repeat": "nytt-långt-lösen"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert bertil.get("/f/").status_code == 302  # his open session ended
    assert not console.is_connected(h.CONSOLE)
    assert app.test_client().post("/login", data={"email": BERTIL, "password": h.PASSWORD}).status_code == 200
    h.login(app.test_client(), BERTIL, "nytt-långt-lösen")
    # once only
    assert anyone.get(path).status_code == 404
    assert anyone.post(path, data={"new": "tredje-lösenordet", "repeat": "tredje-lösenordet"}).status_code == 404
    h.login(app.test_client(), BERTIL, "nytt-långt-lösen")


def test_a_reset_link_expires(app, facilitator, other_facilitator):
    admin = _admin(app)
    path = _link(admin.post(f"/f/org/members/{other_facilitator}/reset").get_data(as_text=True), "reset")
    _expire_links(app)
    anyone = app.test_client()
    assert anyone.get(path).status_code == 404
    assert anyone.post(path, data={"new": "nytt-långt-lösen", "repeat": "nytt-långt-lösen"}).status_code == 404
    h.login(app.test_client(), BERTIL)  # the old password still works


def test_a_reset_link_of_a_deactivated_account_does_not_work(app, facilitator, other_facilitator):
    admin = _admin(app)
    path = _link(admin.post(f"/f/org/members/{other_facilitator}/reset").get_data(as_text=True), "reset")
    assert admin.post(f"/f/org/members/{other_facilitator}/active", data={"active": "0"}).status_code == 302
    assert app.test_client().get(path).status_code == 404


# --- deactivation and roles ----------------------------------------------------------------------------


def test_deactivation_ends_the_session_and_reactivation_lets_back_in(app, facilitator, other_facilitator):
    bertil = app.test_client()
    h.login(bertil, BERTIL)
    admin = _admin(app)
    assert admin.post(f"/f/org/members/{other_facilitator}/active", data={"active": "0"}).status_code == 302
    assert bertil.get("/f/").status_code == 302
    r = app.test_client().post("/login", data={"email": BERTIL, "password": h.PASSWORD})
    assert r.status_code == 200 and "Fel e-postadress eller lösenord" in r.get_data(as_text=True)
    assert admin.post(f"/f/org/members/{other_facilitator}/active", data={"active": "1"}).status_code == 302
    h.login(app.test_client(), BERTIL)


def test_the_organisation_keeps_an_active_admin(app, facilitator, other_facilitator):
    admin = _admin(app)
    r = admin.post(f"/f/org/members/{facilitator}/active", data={"active": "0"})
    assert r.status_code == 400 and "ditt eget konto" in r.get_data(as_text=True)
    assert admin.post(f"/f/org/members/{other_facilitator}/role", data={"role": "admin"}).status_code == 302
    bertil = app.test_client()
    h.login(bertil, BERTIL)
    assert bertil.post(f"/f/org/members/{facilitator}/role", data={"role": "member"}).status_code == 302
    r = bertil.post(f"/f/org/members/{other_facilitator}/role", data={"role": "member"})
    assert r.status_code == 400 and "minst en aktiv administratör" in r.get_data(as_text=True)
    assert _user(app, BERTIL)["role"] == "admin" and _user(app, ANNA)["role"] == "member"
    assert admin.get("/f/org").status_code == 403  # Anna is a member now


# --- e-mail through a real SMTP server ------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd as its own process, storing what it receives in a Maildir."""
    pytest.importorskip("aiosmtpd")
    port, maildir = _free_port(), tmp_path / "maildir"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the SMTP server did not start: " + proc.stderr.read().decode()[-500:])
    yield port, maildir
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def mail_app(tmp_path, migrated_db, monkeypatch, smtp_server):
    """An app configured for the SMTP server through the environment, as a deployment does."""
    from workshop.app import create_app
    from workshop.config import Settings

    port, _ = smtp_server
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_TLS", "none")
    monkeypatch.setenv("SMTP_FROM", "nyttoverkstad@solstad.se")
    folder = tmp_path / "mail"
    folder.mkdir()
    shutil.copyfile(migrated_db, folder / "nyttoverkstad.sqlite3")
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading", migrate=False)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _mails(maildir):
    box = mailbox.Maildir(maildir, create=False) if maildir.exists() else {}
    return [box[k] for k in box.keys()] if box else []


def test_invitation_and_reset_are_mailed_when_smtp_is_configured(mail_app, smtp_server):
    from workshop.accounts import create_user

    _, maildir = smtp_server
    with mail_app.test_request_context():
        create_user(ANNA, h.PASSWORD, "Anna")
        bertil = create_user(BERTIL, h.PASSWORD, "Bertil").id
    admin = _admin(mail_app)
    page = admin.post("/f/org/invite", data={"role": "member", "days": "7", "email": "dora@solstad.se"}).get_data(
        as_text=True
    )
    assert "Den skickas med e-post till dora@solstad.se" in page
    path = _link(page, "invite")
    assert h.wait_for(lambda: len(_mails(maildir)) == 1, timeout=10)
    msg = _mails(maildir)[0]
    assert msg["To"] == "dora@solstad.se" and msg["From"] == "nyttoverkstad@solstad.se"
    assert path in msg.get_payload(decode=True).decode()
    page = admin.post(f"/f/org/members/{bertil}/reset").get_data(as_text=True)
    assert h.wait_for(lambda: len(_mails(maildir)) == 2, timeout=10)
    reset = next(m for m in _mails(maildir) if m["To"] == BERTIL)
    assert _link(page, "reset") in reset.get_payload(decode=True).decode()
    # no address: nothing is sent, the link is shown
    admin.post("/f/org/invite", data={"role": "member", "days": "7"})
    time.sleep(0.5)
    assert len(_mails(maildir)) == 2


def test_without_smtp_nothing_is_sent_and_the_page_says_so(app, facilitator):
    page = _admin(app).get("/f/org").get_data(as_text=True)
    assert "Ingen e-post skickas från den här installationen" in page


# --- first-run setup -------------------------------------------------------------------------------------


def test_setup_makes_the_organisation_and_its_admin_and_cannot_be_taken_over(app):
    from workshop.accounts import setup_code

    code = setup_code(app.extensions["settings"].data_dir)
    first = app.test_client()
    r = first.post(
        "/setup",
        data={"code": code, "organisation": "Solstad kommun", "name": "Anna", "email": ANNA, "password": h.PASSWORD},
    )
    assert r.status_code == 302
    anna = _user(app, ANNA)
    assert anna["role"] == "admin"
    assert "Solstad kommun" in first.get("/f/org").get_data(as_text=True)
    # from now on the page is closed, whatever is sent, even the old code
    intruder = app.test_client()
    assert intruder.get("/setup").status_code == 302
    for data in (
        {"code": code, "name": "Mallory", "email": "mallory@evil.se", "password": "mallorys-lösenord"},
        {"code": "", "name": "Mallory", "email": "mallory@evil.se", "password": "mallorys-lösenord"},
    ):
        r = intruder.post("/setup", data=data)
        assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert _user(app, "mallory@evil.se") is None
    assert not (app.extensions["settings"].data_dir / "setup_code").exists()
    assert intruder.get("/f/org").status_code == 302
