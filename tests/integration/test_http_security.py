"""HTTP side: security headers, cookies, CSRF, who may see which page, the join API, join
codes, the QR code and CSV downloads."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest


def _app_with(tmp_path, name, csrf=False, **settings_overrides):
    from workshop.app import create_app
    from workshop.config import Settings

    overrides = {"rate_limit_submit": "1000/second", "rate_limit_join": "1000/second", **settings_overrides}
    app = create_app(Settings.from_env(tmp_path / name, testing=True, **overrides), async_mode="threading")
    app.config["WTF_CSRF_ENABLED"] = csrf
    return app


def _counts(app):
    from sqlalchemy import func, select

    from workshop.extensions import db
    from workshop.models import Activity, Participant, User, Workshop

    with app.app_context():
        out = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (User, Workshop, Activity, Participant)
        }
        db.session.remove()
        return out


def _workshop(app, ws_id):
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        ws = db.session.get(Workshop, ws_id)
        out = {
            "title": ws.title,
            "status": ws.status,
            "code": ws.join_code,
            "owner": ws.owner_id,
            "activities": [(a.id, a.position, a.title) for a in ws.activities],
        }
        db.session.remove()
        return out


# --- headers ---------------------------------------------------------------------------------


def _pages(app, make_workshop):
    ws_id, code, ids = make_workshop()
    key = h.presenter_key(app, ws_id)
    anonymous = ["/", f"/w/{code}", "/login", "/j/00000000", f"/present/{ws_id}/{key}", "/no-such-page"]
    facilitator = ["/f/", "/f/new", f"/f/w/{ws_id}", f"/f/w/{ws_id}/a/{ids[0]}", f"/f/w/{ws_id}/console"]
    return anonymous, facilitator


def _csp(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            out[tokens[0].lower()] = tokens[1:]
    return out


def test_security_headers_on_every_page(app, make_workshop):
    anonymous, facilitator = _pages(app, make_workshop)
    client = app.test_client()
    pages = [(client, p) for p in anonymous]
    logged_in = app.test_client()
    h.login(logged_in)
    pages += [(logged_in, p) for p in facilitator]
    seen_statuses = set()
    for c, path in pages:
        r = c.get(path)
        seen_statuses.add(r.status_code)
        assert r.status_code in (200, 404), (path, r.status_code)
        csp = r.headers.get("Content-Security-Policy")
        assert csp, path
        d = _csp(csp)
        scripts = d.get("script-src", d.get("default-src"))
        assert scripts is not None, path
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (path, csp)
        assert not any(s in ("*", "data:", "http:", "https:", "blob:") for s in scripts), (path, csp)
        assert "'unsafe-inline'" not in d.get("style-src", d.get("default-src", [])), (path, csp)
        assert d.get("object-src") == ["'none'"], (path, csp)
        assert d.get("frame-ancestors") == ["'none'"], (path, csp)
        assert d.get("base-uri") in (["'self'"], ["'none'"]), (path, csp)
        assert r.headers.get("X-Frame-Options") == "DENY", path
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        # the presenter address carries its key: no path may leak to another site
        assert r.headers.get("Referrer-Policy") in (
            "same-origin",
            "no-referrer",
            "strict-origin",
            "strict-origin-when-cross-origin",
        ), path
    assert seen_statuses == {200, 404}


def test_security_headers_on_api_and_files(app, make_workshop):
    _, code, _ = make_workshop()
    client = app.test_client()
    for r in (
        client.post("/api/join", json={"code": code}),
        client.get(f"/qr/{code}.svg"),
        client.get("/healthz"),
        client.get("/static/js/core.js"),
    ):
        assert r.status_code == 200
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
        assert "Content-Security-Policy" in r.headers


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False
        self._in_style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in a:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
        if tag == "style":  # allowed only by its own hash in the response's policy (below)
            self.styles.append("")
            self._in_style = True
        if tag == "script" and not a.get("src") and a.get("type") not in ("application/json",):
            self.problems.append("inline <script>")
        for name in ("href", "src", "action"):
            if (a.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {tag}")

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False


def test_pages_have_no_inline_script_or_style(app, make_workshop):
    """The CSP forbids inline code; a page that relied on it would silently break."""
    anonymous, facilitator = _pages(app, make_workshop)
    logged_in = app.test_client()
    h.login(logged_in)
    client = app.test_client()
    import base64
    import hashlib

    for c, path in [(client, p) for p in anonymous] + [(logged_in, p) for p in facilitator]:
        finder = _InlineFinder()
        r = c.get(path)
        finder.feed(r.get_data(as_text=True))
        assert finder.problems == [], (path, finder.problems)
        # An inline stylesheet (the phone's, for its first paint) only with its own hash in the
        # policy: the browser would ignore any other.
        policy = r.headers["Content-Security-Policy"]
        for css in finder.styles:
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, (path, "inline <style> not allowed by the policy")
        assert "unsafe-inline" not in policy


def test_user_text_is_escaped_in_pages(app, make_workshop):
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ws_id, code, ids = make_workshop(title=nasty)
    c = app.test_client()
    h.login(c)
    for path in (f"/f/w/{ws_id}", "/f/", f"/f/w/{ws_id}/console", f"/present/{ws_id}/{h.presenter_key(app, ws_id)}"):
        body = c.get(path).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "&lt;script&gt;" in body, path


# --- cookies ---------------------------------------------------------------------------------


def _cookie_attrs(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            parts = [p.strip() for p in header.split(";")]
            return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts[1:]}
    return None


def test_session_cookie_flags(app, facilitator):
    c = app.test_client()
    r = c.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD, "remember": "1"})
    assert r.status_code == 302
    for name in ("session", "remember_token"):
        attrs = _cookie_attrs(r, name)
        assert attrs is not None, (name, r.headers.getlist("Set-Cookie"))
        assert attrs.get("httponly") is True, name
        assert str(attrs.get("samesite")).lower() == "lax", name
        assert attrs.get("path") == "/", name
        assert "secure" not in attrs  # plain http by default, else login would break locally


def test_secure_cookies_setting(tmp_path, app):
    secure = _app_with(tmp_path, "secure", secure_cookies=True)
    h.setup_workshop(secure)
    r = secure.test_client().post(
        "/login",
        data={"email": "anna@solstad.se", "password": h.PASSWORD, "remember": "1"},
        base_url="https://localhost",
    )
    for name in ("session", "remember_token"):
        attrs = _cookie_attrs(r, name)
        assert attrs and attrs.get("secure") is True and attrs.get("httponly") is True, (name, attrs)


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path, app):
    csrf = _app_with(tmp_path, "csrf", csrf=True)
    h.setup_workshop(csrf)
    return csrf


def _token(client, path="/login"):
    return h.csrf_from(client.get(path).get_data(as_text=True))


def test_login_needs_csrf_token(csrf_app):
    c = csrf_app.test_client()
    r = c.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD})
    assert r.status_code == 400
    assert c.get("/f/").status_code == 302  # not logged in
    r = c.post("/login", data={"csrf_token": _token(c), "email": "anna@solstad.se", "password": h.PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/f/"
    assert c.get("/f/").status_code == 200


def test_facilitator_forms_need_csrf_token(csrf_app):
    app = csrf_app
    ws_id, code, ids = h.setup_workshop(app, title="Med skydd")
    c = app.test_client()
    c.post("/login", data={"csrf_token": _token(c), "email": "anna@solstad.se", "password": h.PASSWORD})
    before, ws_before = _counts(app), _workshop(app, ws_id)
    posts = [
        ("/f/new", {"title": "Smuggled", "mode": "live", "language": "sv"}),
        (f"/f/w/{ws_id}", {"title": "Renamed", "mode": "live", "language": "sv"}),
        (f"/f/w/{ws_id}/activities", {"kind": "multiple_choice"}),
        (f"/f/w/{ws_id}/a/{ids[0]}", {"title": "Renamed", "cfg_options": "A\nB", "cfg_max_choices": "1"}),
        (f"/f/w/{ws_id}/a/{ids[0]}/delete", {}),
        (f"/f/w/{ws_id}/duplicate", {}),
        (f"/f/w/{ws_id}/archive", {}),
        ("/logout", {}),
    ]
    for path, data in posts:
        assert c.post(path, data=data).status_code == 400, path
        assert c.post(path, data={**data, "csrf_token": "forged"}).status_code == 400, path
    assert _counts(app) == before
    assert _workshop(app, ws_id) == ws_before
    assert c.get("/f/").status_code == 200  # still logged in: logout needed the token too
    # with the page's token the same form works
    r = c.post("/f/new", data={"csrf_token": _token(c, "/f/new"), "title": "Riktig", "mode": "live", "language": "sv"})
    assert r.status_code == 302 and re.search(r"/f/w/\d+$", r.headers["Location"])


def test_join_api_needs_no_csrf_token(csrf_app):
    _, code, _ = h.setup_workshop(csrf_app)
    r = csrf_app.test_client().post("/api/join", json={"code": code, "nickname": "Greta"})
    assert r.status_code == 200 and r.get_json()["ok"] is True


# --- who may see what -------------------------------------------------------------------------


def test_facilitator_pages_redirect_to_login_without_session(app, make_workshop):
    ws_id, code, ids = make_workshop()
    a = ids[0]
    c = app.test_client()
    gets = ["/f/", "/f/new", f"/f/w/{ws_id}", f"/f/w/{ws_id}/console", f"/f/w/{ws_id}/a/{a}", f"/f/w/{ws_id}/a/{a}.csv"]
    posts = [
        "/f/new",
        f"/f/w/{ws_id}",
        f"/f/w/{ws_id}/duplicate",
        f"/f/w/{ws_id}/archive",
        f"/f/w/{ws_id}/reopen",
        f"/f/w/{ws_id}/activities",
        f"/f/w/{ws_id}/a/{a}",
        f"/f/w/{ws_id}/a/{a}/move",
        f"/f/w/{ws_id}/a/{a}/delete",
    ]
    before = (_counts(app), _workshop(app, ws_id))
    for method, path in [("get", p) for p in gets] + [("post", p) for p in posts]:
        r = getattr(c, method)(path, data={"title": "x", "kind": "multiple_choice"} if method == "post" else None)
        assert r.status_code == 302, (method, path, r.status_code)
        assert urlsplit(r.headers["Location"]).path == "/login", (method, path)
    assert (_counts(app), _workshop(app, ws_id)) == before


def test_another_facilitator_gets_404(app, make_workshop, other_facilitator):
    ws_id, code, ids = make_workshop()
    a = ids[0]
    c = app.test_client()
    h.login(c, "bertil@norrby.se")
    before = (_counts(app), _workshop(app, ws_id))
    gets = [f"/f/w/{ws_id}", f"/f/w/{ws_id}/console", f"/f/w/{ws_id}/a/{a}", f"/f/w/{ws_id}/a/{a}.csv"]
    posts = [
        f"/f/w/{ws_id}",
        f"/f/w/{ws_id}/duplicate",
        f"/f/w/{ws_id}/archive",
        f"/f/w/{ws_id}/reopen",
        f"/f/w/{ws_id}/activities",
        f"/f/w/{ws_id}/a/{a}",
        f"/f/w/{ws_id}/a/{a}/move",
        f"/f/w/{ws_id}/a/{a}/delete",
    ]
    for method, path in [("get", p) for p in gets] + [("post", p) for p in posts]:
        data = (
            {
                "title": "Kapad",
                "mode": "live",
                "language": "sv",
                "kind": "multiple_choice",
                "direction": "down",
                "cfg_options": "A\nB",
                "cfg_max_choices": "1",
            }
            if method == "post"
            else None
        )
        r = getattr(c, method)(path, data=data)
        assert r.status_code == 404, (method, path, r.status_code)
        assert code not in r.get_data(as_text=True)
    assert (_counts(app), _workshop(app, ws_id)) == before
    assert "Användarforum" not in c.get("/f/").get_data(as_text=True)
    # and the owner does get them (so the 404s are about ownership)
    owner = app.test_client()
    h.login(owner)
    for path in gets:
        assert owner.get(path).status_code == 200, path


def test_activity_of_another_workshop_is_404_even_for_own_workshop_url(app, make_workshop, other_facilitator):
    mine, _, _ = make_workshop(title="Min")
    theirs_ws, _, theirs = make_workshop(title="Också min")
    c = app.test_client()
    h.login(c)
    assert c.get(f"/f/w/{mine}/a/{theirs[0]}").status_code == 404
    assert c.get(f"/f/w/{mine}/a/{theirs[0]}.csv").status_code == 404
    assert c.post(f"/f/w/{mine}/a/{theirs[0]}/delete").status_code == 404
    assert len(_workshop(app, theirs_ws)["activities"]) == 1


def test_presenter_page_needs_the_key(app, make_workshop):
    ws_id, _, _ = make_workshop()
    key = h.presenter_key(app, ws_id)
    c = app.test_client()
    assert c.get(f"/present/{ws_id}/{key}").status_code == 200
    assert c.get(f"/present/{ws_id}/{key[:-1]}").status_code == 404
    assert c.get(f"/present/{ws_id}/x").status_code == 404
    assert c.get(f"/present/{ws_id + 1}/{key}").status_code == 404


def _setup_code(app):
    from workshop.accounts import setup_code

    return setup_code(app.extensions["settings"].data_dir)


def test_setup_only_while_no_account_exists(app):
    c = app.test_client()
    assert urlsplit(c.get("/login").headers["Location"]).path == "/setup"
    assert c.get("/setup").status_code == 200
    code = _setup_code(app)
    r = c.post(
        "/setup", data={"email": "forsta@solstad.se", "password": "ett-langt-losen", "name": "Första", "code": code}
    )
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/f/"
    assert c.get("/f/").status_code == 200  # logged in as the new account
    assert _counts(app)["User"] == 1

    other = app.test_client()
    assert urlsplit(other.get("/setup").headers["Location"]).path == "/login"
    r = other.post(
        "/setup", data={"email": "inkraktare@evil.example", "password": "ett-langt-losen", "name": "X", "code": code}
    )
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/login"
    assert _counts(app)["User"] == 1
    assert other.get("/f/").status_code == 302


def test_setup_needs_the_code_the_server_printed(app):
    c = app.test_client()
    path = app.extensions["settings"].data_dir / "setup_code"
    code = _setup_code(app)
    assert path.stat().st_mode & 0o777 == 0o600
    form = {"email": "forsta@solstad.se", "password": "ett-langt-losen", "name": "Första"}
    for wrong in ("", code[:-1], code + "x", "x" * len(code)):
        r = c.post("/setup", data={**form, "code": wrong})
        assert r.status_code == 200 and "Fel startkod" in r.get_data(as_text=True)
    assert _counts(app)["User"] == 0
    # The printed address fills the code in.
    assert f'value="{code}"' in c.get(f"/setup?code={code}").get_data(as_text=True)
    assert c.post("/setup", data={**form, "code": code}).status_code == 302
    assert _counts(app)["User"] == 1 and not path.exists()


def test_setup_validates_the_first_account(app):
    c = app.test_client()
    code = _setup_code(app)
    for data in ({"email": "not-an-email", "password": "ett-langt-losen"}, {"email": "a@b.se", "password": "kort"}):
        r = c.post("/setup", data={**data, "code": code})
        assert r.status_code == 200 and 'class="error"' in r.get_data(as_text=True)
    assert _counts(app)["User"] == 0


@pytest.mark.parametrize(
    "nxt,expected",
    [("/f/new", "/f/new"), ("https://evil.example/", "/f/"), ("//evil.example/", "/f/"), ("evil.example", "/f/")],
)
def test_login_redirects_only_to_local_paths(app, facilitator, nxt, expected):
    c = app.test_client()
    r = c.post("/login?next=" + quote(nxt, safe=""), data={"email": "anna@solstad.se", "password": h.PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == expected


@pytest.mark.parametrize(
    "nxt",
    [
        pytest.param("/\t/evil.example/", id="tab"),
        pytest.param("/\n/evil.example/", id="newline"),
        pytest.param("/\r\n/evil.example/", id="crlf"),
    ],
)
def test_login_redirect_cannot_be_bent_to_another_site(app, facilitator, nxt):
    c = app.test_client()
    r = c.post("/login?next=" + quote(nxt, safe=""), data={"email": "anna@solstad.se", "password": h.PASSWORD})
    assert r.status_code == 302
    location = r.headers["Location"]
    parts = urlsplit(location.replace("\\", "/"))
    assert not parts.netloc and not parts.scheme and not location.startswith("//"), location


def test_login_is_rate_limited(app, facilitator):
    c = app.test_client()
    for _ in range(10):
        assert c.post("/login", data={"email": "anna@solstad.se", "password": "fel-losenord"}).status_code == 200
    r = c.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD})
    assert r.status_code == 200  # refused without checking the password
    assert c.get("/f/").status_code == 302


def test_successful_logins_do_not_count_against_the_limit(app, facilitator):
    """Colleagues behind one office address log in all day: only failures are limited."""
    c = app.test_client()
    for _ in range(12):
        r = c.post("/login", data={"email": "anna@solstad.se", "password": h.PASSWORD})
        assert r.status_code == 302
        c.post("/logout")


def test_start_page_without_js_joins_by_code_or_explains(app, make_workshop):
    _ws, code, _ids = make_workshop()
    c = app.test_client()
    r = c.get(f"/?code={code[:4]}+{code[4:]}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/j/{code}")
    bad = c.get("/?code=123")
    assert bad.status_code == 400 and b"8" in bad.data


def test_socket_handshake_refuses_other_origins(app):
    """The console socket is authorised by the session cookie: another site's page must not be
    able to open it in the facilitator's browser."""
    c = app.test_client()
    r = c.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"})
    assert r.status_code == 400
    r = c.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"})
    assert r.status_code == 200 and b'"sid"' in r.data


# --- /api/join ---------------------------------------------------------------------------------


@pytest.fixture
def join_ws(app, make_workshop):
    ws_id, code, ids = make_workshop(ask_perspective=True, perspectives=["Brukare", "Solstad kommun"])
    return ws_id, code


@pytest.mark.parametrize(
    "send,status,code",
    [
        ({"json": {"code": "12345678"}}, 404, "unknown_code"),
        ({"json": {"code": "1234"}}, 404, "unknown_code"),
        ({"json": {"code": 12345678}}, 404, "unknown_code"),
        ({"json": {}}, 404, "unknown_code"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid"),
        ({"data": "code=1", "content_type": "application/x-www-form-urlencoded"}, 400, "invalid"),
        ({"json": ["code"]}, 400, "invalid"),
        ({"json": "12345678"}, 400, "invalid"),
        ({"json": None}, 400, "invalid"),
        ({"json": {"code": "$CODE", "nickname": "x" * 41}}, 400, "invalid"),
        ({"json": {"code": "$CODE", "nickname": 42}}, 400, "invalid"),
        ({"json": {"code": "$CODE", "nickname": ["Greta"]}}, 400, "invalid"),
        ({"json": {"code": "$CODE", "perspective": "Hackare"}}, 400, "invalid"),
        ({"json": {"code": "$CODE", "perspective": "brukare"}}, 400, "invalid"),
        ({"json": {"code": "$CODE", "perspective": "x" * 121}}, 400, "invalid"),
    ],
)
def test_join_validation(app, join_ws, send, status, code):
    _, join_code = join_ws
    if isinstance(send.get("json"), dict):
        send = {"json": {k: (join_code if v == "$CODE" else v) for k, v in send["json"].items()}}
    before = _counts(app)
    r = app.test_client().post("/api/join", **send)
    assert r.status_code == status, r.get_data(as_text=True)
    body = r.get_json()
    assert body["ok"] is False and body["error"]["code"] == code and body["error"]["message"]
    assert _counts(app) == before


def test_join_accepts_good_input_and_rejoins(app, join_ws):
    ws_id, code = join_ws
    c = app.test_client()
    r = c.post(
        "/api/join", json={"code": code[:4] + " " + code[4:], "nickname": "  Greta   G  ", "perspective": "Brukare"}
    )
    assert r.status_code == 200
    body = r.get_json()
    assert body["workshop_id"] == ws_id
    assert body["participant"]["nickname"] == "Greta G" and body["participant"]["perspective"] == "Brukare"
    assert 20 <= len(body["token"]) <= 64
    r = c.post("/api/join", json={"code": code, "token": body["token"], "nickname": "x" * 40})
    assert r.status_code == 200 and r.get_json()["participant"]["id"] == body["participant"]["id"]
    assert r.get_json()["participant"]["nickname"] == "x" * 40
    assert _counts(app)["Participant"] == 1


def test_join_token_of_another_workshop_makes_a_new_participant(app, make_workshop):
    _, code_a, _ = make_workshop(title="A")
    _, code_b, _ = make_workshop(title="B")
    c = app.test_client()
    a = h.join(c, code_a)
    b = h.join(c, code_b, token=a["token"])
    assert b["participant"]["id"] != a["participant"]["id"] and b["token"] != a["token"]


def test_join_archived_workshop_is_unknown(app, make_workshop):
    from workshop.models import Workshop

    ws_id, code, _ = make_workshop()
    h.update_row(app, Workshop, ws_id, status="archived")
    c = app.test_client()
    assert c.post("/api/join", json={"code": code}).status_code == 404
    assert c.get(f"/w/{code}").status_code == 404
    assert c.get(f"/j/{code}").status_code == 404
    assert c.get(f"/qr/{code}.svg").status_code == 404


def test_join_rate_limit(tmp_path, app):
    """Wrong codes are limited per address; a room joining with the right code is not, even
    once someone at its address has spent the budget."""
    limited = _app_with(tmp_path, "joinlimit", rate_limit_join="3/minute")
    _, code, _ = h.setup_workshop(limited)
    _, other_code, _ = h.setup_workshop(limited, title="Another")
    wrong = "1" + code[1:] if code[0] != "1" else "2" + code[1:]
    c = limited.test_client()
    for _ in range(5):
        assert c.post("/api/join", json={"code": code}).status_code == 200
    for _ in range(3):
        assert c.post("/api/join", json={"code": wrong}).status_code == 404
    r = c.post("/api/join", json={"code": wrong})
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "rate_limited" and r.get_json()["error"]["message"]
    # the room's code passes; a code this address never reached is refused like a wrong one
    assert c.post("/api/join", json={"code": code}).status_code == 200
    assert c.post("/api/join", json={"code": other_code}).status_code == 429
    assert _counts(limited)["Participant"] == 6
    # another address is not affected
    r = c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert r.status_code == 200


# --- join codes ------------------------------------------------------------------------------


def test_join_codes_are_8_digits_and_unique(app, make_workshop):
    codes = [make_workshop(title=f"W{i}")[1] for i in range(25)]
    assert all(re.fullmatch(r"[1-9][0-9]{7}", c) for c in codes), codes
    assert len(set(codes)) == len(codes)


def test_join_code_collision_draws_again(app, make_workshop, monkeypatch):
    import workshop.workshops as core

    _, taken, _ = make_workshop(title="Först")
    drawn = iter([taken, taken, "87654321"])
    calls = []

    def fake():
        calls.append(1)
        return next(drawn)

    monkeypatch.setattr(core, "new_join_code", fake)
    c = app.test_client()
    h.login(c)
    r = c.post("/f/new", data={"title": "Andra", "mode": "live", "language": "sv"})
    assert r.status_code == 302
    ws_id = int(re.search(r"/f/w/(\d+)$", r.headers["Location"]).group(1))
    assert _workshop(app, ws_id)["code"] == "87654321"
    assert len(calls) == 3
    assert _counts(app)["Workshop"] == 2


def test_join_code_of_an_archived_workshop_may_be_reused(app, make_workshop, monkeypatch):
    import workshop.workshops as core
    from workshop.models import Workshop

    old_id, code, _ = make_workshop(title="Gammal")
    h.update_row(app, Workshop, old_id, status="archived")
    monkeypatch.setattr(core, "new_join_code", lambda: code)
    new_id, new_code, _ = make_workshop(title="Ny")
    assert new_code == code
    r = app.test_client().post("/api/join", json={"code": code})
    assert r.get_json()["workshop_id"] == new_id


# --- QR and CSV --------------------------------------------------------------------------------


def test_qr_is_svg(app, make_workshop):
    _, code, _ = make_workshop()
    r = app.test_client().get(f"/qr/{code}.svg")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(r.data)
    assert root.tag.endswith("svg")
    assert len(r.data) > 500  # an actual code, not an empty picture
    assert app.test_client().get("/qr/00000000.svg").status_code == 404


NASTY = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\uff1d1+1"]


def test_csv_has_header_and_neutralises_formulas(app, make_workshop):
    ws_id, code, ids = make_workshop(
        activities=(("multiple_choice", "Fråga", {"options": ["=1+1", "Nej"], "multiple": False, "max_choices": 1}),)
    )
    client = app.test_client()
    for i, nick in enumerate(NASTY):
        tc, _ = h.phone(app, client, code, nickname=nick)
        assert h.vote(tc, ids[0], f"c{i}", (0,))["ok"]
    c = app.test_client()
    h.login(c)
    r = c.get(f"/f/w/{ws_id}/a/{ids[0]}.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert (
        r.headers["Content-Disposition"].startswith("attachment;")
        and f"{code}-1-multiple_choice.csv" in r.headers["Content-Disposition"]
    )
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == [
        "Svars-id",
        "Omgång",
        "Omgångens status",
        "Tid",
        "Deltagare",
        "Smeknamn",
        "Perspektiv",
        "Status",
        "Val",
    ]
    body = rows[1:]
    assert len(body) == len(NASTY)
    assert [row[5] for row in body] == ["'" + n for n in NASTY]
    assert all(row[8] == "'=1+1" for row in body)
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")), cell
