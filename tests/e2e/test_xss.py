"""XSS: script and HTML payloads as every kind of user text, shown in every view that shows it.

Payloads go in as a participant's nickname and perspective, the workshop title, multiple-choice
options, open-text answers, word-cloud words, Q&A questions, effects (text and cause),
estimate sources and reasons, and draft analysis titles, descriptions and frame texts (through
the console's draft ops). Chromium then opens the phone, the presenter, the console, the draft
page, the report, the review link, the dashboard and the editors, and checks on each that no
script ran (``window.__xss`` stays undefined, no dialog opened, no CSP refusal or other error
in the console — the ``open_page`` fixture fails on those) and that the payload shows as text.
"""

from __future__ import annotations

import re
import time

import pytest
import requests
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Each one would set window.__xss (or open a dialog) if it ever reached the DOM as markup.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload=window.__xss=1>',
    "javascript:window.__xss=1",
    "<iframe srcdoc='<script>parent.__xss=1</script>'>",
    "{{7*7}} ${7*7} {% if 1 %}x{% endif %}",
    "\u202egnp.exe \u202dRTL override",
    "<a href=javascript:alert(1)>klick</a>",
    "<style>body{display:none}</style>",
    "</textarea><script>alert(1)</script>",
]
SHORT = ["<svg onload=__xss=1>", "<b onclick=alert(1)>x", "{{7*7}}", "<i>kursiv</i>", "javascript:x()"]  # ≤ 25 chars
LONG = "<img src=x onerror=window.__xss=1>" * 8  # a long one (272 chars) in the long fields


def _api(server, session, path, page_path, data):
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(server.url + page_path).text).group(1)
    r = session.post(server.url + path, data={"csrf_token": token, **data})
    r.raise_for_status()
    return r


def _sio(server, namespace, auth, cookies=None):
    client = socketio.Client(reconnection=False)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
    client.connect(
        server.url, namespaces=[namespace], auth=auth, headers=headers, transports=["websocket"], wait_timeout=10
    )
    return client


def _call(client, namespace, event, data):
    ack = client.call(event, data, namespace=namespace, timeout=10)
    assert isinstance(ack, dict) and ack.get("ok") is True, (event, data, ack)
    return ack


@pytest.fixture
def scene(live_server):
    """A workshop from the worked example (every method kind, a filled draft) plus the
    classic kinds, filled with payloads by phones and the console over real sockets."""
    server = live_server
    s = server.facilitator_session()
    title = PAYLOADS[0] + " Användarforum"
    r = _api(
        server,
        s,
        "/f/new",
        "/f/new",
        {
            "title": title,
            "language": "sv",
            "mode": "self_paced",
            "ask_nickname": "1",
            "ask_perspective": "1",
            "perspectives": "\n".join(PAYLOADS[:4]),
            "template": "example_digital_locks",
        },
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    edit = f"/f/w/{ws_id}"
    settings = {
        "title": title,
        "language": "sv",
        "ask_nickname": "1",
        "ask_perspective": "1",
        "perspectives": "\n".join(PAYLOADS[:4]),
    }
    _api(server, s, edit, edit, {**settings, "mode": "self_paced"})  # phones answer every activity first
    acts = {}
    for kind in ("multiple_choice", "open_text", "word_cloud", "qna"):
        r = _api(server, s, f"/f/w/{ws_id}/activities", edit, {"kind": kind})
        act_url = r.url.replace(server.url, "")
        acts[kind] = int(re.search(r"/a/(\d+)$", act_url).group(1))
        form = {"title": PAYLOADS[1] + " " + kind}
        if kind == "multiple_choice":
            form.update(cfg_options="\n".join(p[:120] for p in PAYLOADS[:6]), cfg_max_choices="1")
        elif kind == "open_text":
            form.update(cfg_max_entries="12", cfg_max_length="1000")
        elif kind == "word_cloud":
            form.update(cfg_max_entries="10", cfg_max_length="25")
        elif kind == "qna":
            form.update(cfg_max_questions="12", cfg_max_length="500")
        _api(server, s, act_url, act_url, form)  # every setting given (unticked boxes: off)
    html = s.get(server.url + edit).text
    code = re.search(r"/qr/(\d{8})\.svg", html).group(1)
    presenter = re.search(rf'href="(/present/{ws_id}/[^"]+)"', html).group(1)
    console = _sio(server, "/console", {"workshop_id": ws_id}, s.cookies.get_dict())
    snap = _call(console, "/console", "snapshot", {})["snapshot"]
    for a in snap["workshop"]["activities"]:  # the template's method activities
        acts.setdefault(a["kind"], a["id"])
    draft = _call(console, "/console", "draft_snapshot", {})["draft"]

    # --- the console writes payloads into the draft -----------------------------------------
    _call(
        console,
        "/console",
        "draft",
        {
            "op": "frame.update",
            "args": {
                "data": {
                    "name_of_change": PAYLOADS[2],
                    "purpose": PAYLOADS[3] + " " + LONG,
                    "alternative_a": PAYLOADS[4],
                    "alternative_b": PAYLOADS[5],
                    "comparison": [{"aspect": PAYLOADS[0], "a": PAYLOADS[1], "b": PAYLOADS[2]}],
                    # The analysis' perspectives are also the list phones pick from when joining.
                    "perspectives": [{"kind": "invanare", "label": p} for p in (*PAYLOADS[:4], PAYLOADS[6])],
                }
            },
        },
    )
    node = _call(
        console,
        "/console",
        "draft",
        {
            "op": "node.add",
            "args": {
                "data": {
                    "node_type": "nytta",
                    "title": PAYLOADS[7],
                    "description": PAYLOADS[8] + " " + LONG,
                    "category": "kvalitet",
                    "valuation": "size",
                    "size_score": 2,
                    "polarity": "positive",
                }
            },
        },
    )["id"]
    _call(
        console,
        "/console",
        "draft",
        {
            "op": "node.add",
            "args": {
                "data": {"node_type": "effekt", "title": PAYLOADS[9], "cause": PAYLOADS[0], "polarity": "negative"}
            },
        },
    )
    rows = [r for n in draft.get("nodes", []) for r in ((n.get("block") or {}).get("rows") or [])]
    if rows:
        _call(
            console,
            "/console",
            "draft",
            {"op": "row.update", "args": {"id": rows[0]["id"], "data": {"label": PAYLOADS[3], "source": PAYLOADS[4]}}},
        )
    _call(
        console,
        "/console",
        "draft",
        {
            "op": "factor.add",
            "args": {
                "data": {"name": "xss_faktor", "label": PAYLOADS[5], "unit": "kr", "likely": 1, "source": PAYLOADS[1]}
            },
        },
    )

    # --- phones answer with payloads ----------------------------------------------------------
    phones = []
    for i, nick in enumerate([p[:40] for p in PAYLOADS[:5]]):
        joined = requests.post(
            server.url + "/api/join", json={"code": code, "nickname": nick, "perspective": PAYLOADS[i % 4]}
        ).json()
        assert joined["ok"] is True, joined
        phone = _sio(server, "/phone", {"token": joined["token"]})
        phones.append(phone)

    def submit(phone, kind, payload, n=[0]):  # noqa: B006  (a counter)
        n[0] += 1
        ack = phone.call(
            "submit",
            {"activity_id": acts[kind], "client_id": f"xss-{n[0]}", "payload": payload},
            namespace="/phone",
            timeout=10,
        )
        assert ack.get("ok") is True, (kind, payload, ack)

    for i, phone in enumerate(phones):
        submit(phone, "multiple_choice", {"choices": [i % 6]})
        submit(phone, "open_text", {"text": PAYLOADS[i] + " " + PAYLOADS[-1 - i]})
        submit(phone, "word_cloud", {"text": SHORT[i]})
        submit(phone, "qna", {"action": "ask", "text": PAYLOADS[(i + 2) % len(PAYLOADS)]})
        submit(
            phone,
            "effects",
            {
                "text": PAYLOADS[(i + 3) % len(PAYLOADS)][:200],
                "cause": PAYLOADS[i] + " " + LONG[:200],
                "polarity": "positive",
            },
        )
        if rows:
            submit(
                phone,
                "estimates",
                {
                    "row": rows[0]["id"],
                    "accept": False,
                    "value": str(100 + i),
                    "source": PAYLOADS[(i + 4) % len(PAYLOADS)],
                    "reason": PAYLOADS[(i + 5) % len(PAYLOADS)],
                },
            )
    for p in phones:
        p.disconnect()
    analysis_key = None
    report_page = s.get(server.url + f"/f/w/{ws_id}/report").text
    m = re.search(
        rf"/review/{ws_id}/([A-Za-z0-9_\-]+)", report_page + s.get(server.url + f"/f/w/{ws_id}/analysis").text
    )
    if m:
        analysis_key = m.group(1)
    # live from here, so the console steers what the presenter and the phones show
    _api(server, s, edit, edit, {**settings, "mode": "live"})
    yield {
        "ws": ws_id,
        "code": code,
        "presenter": presenter,
        "acts": acts,
        "console": console,
        "node": node,
        "review": f"/review/{ws_id}/{analysis_key}" if analysis_key else None,
        "session": s,
    }
    console.disconnect()


def _guard(page, dialogs):
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))


def _clean(page, where, dialogs, expect_texts=()):
    """No script ran on ``page``; each of ``expect_texts`` shows literally (as text)."""
    assert page.evaluate("typeof window.__xss") == "undefined", f"{where}: a payload ran"
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('iframe[srcdoc], script:not([src])')]"
            ".filter(e => e.type !== 'application/json').length"
        )
        == 0
    ), f"{where}: injected markup"
    assert not dialogs, f"{where}: dialog {dialogs}"
    # what a person reads: the text, and what stands in form fields (editors show values there)
    text = page.evaluate(
        "() => document.body.textContent + ' ' + [...document.querySelectorAll('input, textarea, "
        "select')].map(e => e.value).join(' ')"
    )
    missing = [t for t in expect_texts if t not in text]
    if missing:
        from conftest import ARTIFACTS  # noqa: F401  (tests/e2e/conftest.py)
    assert not missing, f"{where}: not shown as text: {missing}\n--- page text ---\n{text[:3000]}"


def test_payloads_show_as_text_in_every_view(open_page, ui, scene):
    dialogs: list[str] = []
    acts = scene["acts"]

    # --- the facilitator's pages --------------------------------------------------------------
    f = open_page("facilitator")
    _guard(f, dialogs)
    ui.login(f)
    _clean(f, "dashboard", dialogs, [PAYLOADS[0]])
    f.goto(f"/f/w/{scene['ws']}")
    _clean(f, "editor", dialogs, [PAYLOADS[0], PAYLOADS[1] + " open_text"])
    f.goto(f"/f/w/{scene['ws']}/a/{acts['multiple_choice']}")
    expect(f.locator("#cfg_options")).to_have_value(re.compile(re.escape(PAYLOADS[0])))
    _clean(f, "activity editor", dialogs)
    f.goto(f"/f/w/{scene['ws']}/analysis")
    f.wait_for_timeout(800)
    _clean(f, "draft page", dialogs, [PAYLOADS[7], PAYLOADS[9]])
    f.goto(f"/f/w/{scene['ws']}/report")
    _clean(f, "report", dialogs, [PAYLOADS[2], PAYLOADS[7]])
    assert scene["review"], "the draft page shows no review link"
    if scene["review"]:
        r = open_page("reviewer")
        _guard(r, dialogs)
        r.goto(scene["review"])
        _clean(r, "review link", dialogs, [PAYLOADS[2], PAYLOADS[7]])

    # --- live: console, presenter and a phone follow each activity ------------------------------
    f.goto(f"/f/w/{scene['ws']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    screen = open_page("presenter", "presenter")
    _guard(screen, dialogs)
    screen.goto(scene["presenter"])
    phone = open_page("phone", "phone")
    _guard(phone, dialogs)
    phone.goto(f"/w/{scene['code']}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(PAYLOADS[1][:40])
    if phone.locator("#perspective").count():
        phone.locator("#perspective").select_option(index=1)
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()

    console = scene["console"]
    shown = {
        "multiple_choice": [PAYLOADS[0], PAYLOADS[2]],
        "open_text": [PAYLOADS[4], PAYLOADS[3]],  # the presenter shows the newest cards
        "word_cloud": [SHORT[0], SHORT[1]],
        "qna": [PAYLOADS[2], PAYLOADS[3]],
        "effects": [PAYLOADS[3][:200]],
        "estimates": [],
    }
    for kind, texts in shown.items():
        if kind not in acts:
            continue
        _call(console, "/console", "goto", {"activity_id": acts[kind]})
        _call(console, "/console", "set", {"activity_id": acts[kind], "flag": "results_visible", "value": True})
        _call(console, "/console", "set", {"activity_id": acts[kind], "flag": "results_hidden", "value": False})
        time.sleep(1.6)  # coalesced broadcasts (0.25 s) and the phones' slower pace (1 s)
        _clean(f, f"console · {kind}", dialogs, texts if kind != "word_cloud" else texts[:1])
        _clean(screen, f"presenter · {kind}", dialogs, texts[:1])
        on_phone = {"multiple_choice": [PAYLOADS[0]], "qna": [PAYLOADS[2]]}.get(kind, [])  # options; Q&A list
        _clean(phone, f"phone · {kind}", dialogs, on_phone)
        ui.shot(screen, f"xss-presenter-{kind}")
    # the console's list of participants shows the nicknames as text
    _clean(f, "console · presence", dialogs, [PAYLOADS[0][:40]])
    assert not dialogs


def test_phone_ignores_results_for_another_activity(open_page, ui, scene):
    """The console moves from open text to the word cloud (results revealed): the phone must
    not feed the word cloud's results to the open-text view it still shows (found by this file:
    a TypeError in open_text.js/word_cloud.js update() while the next module loaded)."""
    acts, console = scene["acts"], scene["console"]
    for kind in ("open_text", "word_cloud"):
        _call(console, "/console", "set", {"activity_id": acts[kind], "flag": "results_visible", "value": True})
    _call(console, "/console", "goto", {"activity_id": acts["open_text"]})
    phone = open_page("phone", "phone")
    phone.goto(f"/w/{scene['code']}")
    phone.locator("#nickname").fill("Greta")
    if phone.locator("#perspective").count():
        phone.locator("#perspective").select_option(index=1)
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#act-title")).to_contain_text("open_text")
    phone.wait_for_timeout(1500)
    _call(console, "/console", "goto", {"activity_id": acts["word_cloud"]})
    expect(phone.locator("#act-title")).to_contain_text("word_cloud")
    phone.wait_for_timeout(1500)  # the open_page fixture fails the test on the phone's TypeError
