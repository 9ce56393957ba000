"""The projector never overflows or clips: every kind's presenter view, filled with hard
content through the real server, is measured at 1280×720, 1920×1080 and 3840×2160.

Measured, not compared with pictures: every text element's box (inside the viewport, above
the footer, inside the view), clipped content (scrollWidth/scrollHeight beyond the client box
where overflow is not visible), text cut with an ellipsis or a line clamp, and the computed
size of the labels of long option lists. Where content cannot fit, the screen must page it
with a visible "1/3" indicator.

One server, one browser page per workshop, content created once per kind; the three sizes by
resizing the same page.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]
SHOT_SIZES = {(1280, 720), (1920, 1080)}
# The smallest label of a 12-option multiple choice or a 10-item ranking, in px.
MIN_LABEL = {720: 16, 1080: 22, 2160: 44}
WAIT = 15


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


E2E = _load("projector_e2e_conftest", HERE / "conftest.py")
ROOT_CONF = _load("projector_root_conftest", HERE.parent / "conftest.py")

# --- hard content -----------------------------------------------------------------------------

WORDS = (
    "kommunens hemtjänst digitala nyckellås brukarens trygghet personalens arbetsmiljö restid "
    "kvalitet kostnader uppföljning verksamhetsutveckling socialnämnden förvaltningen omsorg "
    "vikarier anhöriga dokumentation journalföring larm besök schemaläggning"
).split()


def sentence(n: int, seed: int) -> str:
    """About ``n`` characters of Swedish-looking words, different for each seed."""
    out: list[str] = []
    i = seed
    while len(" ".join(out)) < n:
        out.append(WORDS[i % len(WORDS)])
        i += 7
    return " ".join(out)[:n].rstrip()


TITLE = sentence(200, 1)
assert len(TITLE) >= 195
MC_OPTIONS = [f"{i + 1}. {sentence(96, i)}" for i in range(12)]
RANK_OPTIONS = [f"{i + 1}. {sentence(96, 3 * i)}" for i in range(10)]
POINT_OPTIONS = [f"{i + 1}. {sentence(70, 5 * i)}" for i in range(10)]
FOLLOWUP_ITEMS = [f"{i + 1}. {sentence(120, 7 * i)}" for i in range(8)]

POLLS = [
    ("multiple_choice", {"cfg_options": "\n".join(MC_OPTIONS), "cfg_max_choices": "1"}),
    ("ranking", {"cfg_options": "\n".join(RANK_OPTIONS)}),
    ("points", {"cfg_options": "\n".join(POINT_OPTIONS), "cfg_budget": "100"}),
    ("scale", {}),
    ("open_text", {"cfg_max_entries": "20", "cfg_max_length": "280"}),
    ("word_cloud", {"cfg_max_entries": "10", "cfg_max_length": "25"}),
    ("qna", {"cfg_max_questions": "20", "cfg_max_length": "280"}),
    ("followup_check", {"cfg_items": "\n".join(FOLLOWUP_ITEMS)}),
]
METHOD = [
    "alternatives",
    "effects",
    "effect_chain",
    "sorting",
    "describe",
    "questions",
    "estimates",
    "calculate",
    "present",
]


SEVEN = [
    ("valuation", {}),
    ("uncertainty", {"cfg_areas": "\n".join(f"{i + 1}. {sentence(90, 11 * i)}" for i in range(12))}),
]


def add_activity(server, ws: dict, kind: str, fields: dict) -> int:
    """Add an activity with the editor's own forms (as a browser would), returning its id."""
    session, base = ws["session"], server.url
    edit = f"{base}/f/w/{ws['id']}"
    r = session.post(
        f"{base}/f/w/{ws['id']}/activities",
        data={"csrf_token": ROOT_CONF.csrf_from(session.get(edit).text), "kind": kind},
    )
    act_id = int(re.search(r"/a/(\d+)$", r.url).group(1))
    page = session.get(r.url).text
    form = {**E2E.form_values(page), **fields, "csrf_token": ROOT_CONF.csrf_from(page)}
    r = session.post(f"{base}/f/w/{ws['id']}/a/{act_id}", data=form)
    assert re.search(rf"/f/w/{ws['id']}(#|$)", r.url), f"activity form refused: {r.url}"
    return act_id


def fill_seven(server, ws: dict, console, ids: dict[str, int]) -> None:
    """Twelve phones vote a point on every item and judge every area: full bars, every segment."""
    html = ws["session"].get(f"{server.url}/f/w/{ws['id']}").text
    code = re.search(r'href="[^"]*/j/(\d{8})"', html).group(1)
    items = [
        n["id"]
        for n in console.call("draft_snapshot", {})["draft"]["nodes"]
        if n["node_type"] in ("nytta", "konsekvenskostnad", "genomforandekostnad") and n["valuation"] != "money"
    ]
    phones = [Phone(server.url, code, 100 + n) for n in range(12)]
    try:
        console.show(ids["valuation"])
        for i, p in enumerate(phones):
            for j, node in enumerate(items):
                p.submit(ids["valuation"], {"node": node, "points": (i + j) % 4})
        console.show(ids["uncertainty"])
        for i, p in enumerate(phones):
            for j in range(12):
                p.submit(
                    ids["uncertainty"], {"index": j, "level": ("low", "medium", "high")[(i * j) % 3], "comment": ""}
                )
    finally:
        for p in phones:
            p.sio.disconnect()


class Phone:
    def __init__(self, url: str, code: str, n: int, perspective: str = ""):
        body = {"code": code, "nickname": f"Deltagare {n}", "perspective": perspective}
        r = requests.post(url + "/api/join", json=body, timeout=10)
        r.raise_for_status()
        self.token = r.json()["token"]
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(url, namespaces=["/phone"], auth={"token": self.token}, wait_timeout=10)
        self.n = n
        self.sent = 0

    def submit(self, activity_id: int, payload: dict) -> None:
        self.sent += 1
        ack = self.sio.call(
            "submit",
            {"activity_id": activity_id, "client_id": f"p{self.n}-{self.sent}", "payload": payload},
            namespace="/phone",
            timeout=WAIT,
        )
        assert ack.get("ok") is True, (payload, ack)

    def call(self, activity_id: int, payload: dict) -> dict:
        """Submit and return the acknowledgement (it names the stored input's id)."""
        self.sent += 1
        ack = self.sio.call(
            "submit",
            {"activity_id": activity_id, "client_id": f"p{self.n}-{self.sent}", "payload": payload},
            namespace="/phone",
            timeout=WAIT,
        )
        assert ack.get("ok") is True, (payload, ack)
        return ack


class Console:
    def __init__(self, url: str, session: requests.Session, ws_id: int):
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.sio = socketio.Client(reconnection=False)
        ready = threading.Event()
        self.sio.on("snapshot", lambda _d: ready.set(), namespace="/console")
        self.sio.connect(
            url, namespaces=["/console"], auth={"workshop_id": ws_id}, headers={"Cookie": cookie}, wait_timeout=10
        )
        assert ready.wait(WAIT)

    def call(self, event: str, payload: Any) -> dict:
        ack = self.sio.call(event, payload, namespace="/console", timeout=WAIT)
        assert isinstance(ack, dict) and ack.get("ok") is True, (event, payload, ack)
        return ack

    def ok(self, event: str, payload: Any) -> None:
        self.call(event, payload)

    def draft(self, op: str, **args: Any) -> None:
        self.call("draft", {"op": op, "args": args})

    def show(self, activity_id: int) -> None:
        self.ok("goto", {"activity_id": activity_id})
        self.ok("set", {"activity_id": activity_id, "flag": "results_visible", "value": True})


def fill_polls(url: str, code: str, console: Console, ids: dict[str, int]) -> None:
    phones = [Phone(url, code, n) for n in range(30)]
    try:
        for kind, act in ids.items():
            console.show(act)
            for i, p in enumerate(phones):
                if kind == "multiple_choice":
                    p.submit(act, {"choices": [i % 12]})
                elif kind == "ranking":
                    order = list(range(10))
                    order = order[i % 10 :] + order[: i % 10]
                    p.submit(act, {"order": order})
                elif kind == "points":
                    pts = [0] * 10
                    pts[i % 10] += 60
                    pts[(i * 3) % 10] += 40
                    p.submit(act, {"points": pts})
                elif kind == "scale":
                    p.submit(act, {"value": 1 + i % 5})
                elif kind == "open_text" and i < 10:  # 10 phones × 20 = 200 answers
                    for j in range(20):
                        p.submit(act, {"text": f"Svar {i * 20 + j + 1}: {sentence(60 + (i * 20 + j) % 90, i + j)}"})
                elif kind == "word_cloud":  # 30 phones × 10 = 300 words
                    for j in range(10):
                        p.submit(act, {"text": f"{WORDS[(i + j) % len(WORDS)]}{(i * 10 + j) % 40}"})
                elif kind == "followup_check":  # 30 phones × 8 benefits, with figures
                    for j in range(len(FOLLOWUP_ITEMS)):
                        happened = ("yes", "partly", "no", "unknown")[(i + j) % 4]
                        p.submit(act, {"item": j, "happened": happened, "value": 1000 * (i + 1) * (j + 1)})
                elif kind == "qna" and i < 10:  # 10 phones × 5 = 50 questions
                    for j in range(5):
                        p.submit(
                            act,
                            {"action": "ask", "text": f"Fråga {i * 5 + j + 1}: {sentence(80 + j * 30, i * 5 + j)}?"},
                        )
    finally:
        for p in phones:
            p.sio.disconnect()


def fill_method(console: Console) -> None:
    """Long item titles and step 5 descriptions, long step 6 question labels, on the worked example."""
    draft = console.call("draft_snapshot", {})["draft"]
    for i, node in enumerate(draft["nodes"]):
        data = {"title": f"{i + 1}. {sentence(140, i)}"}
        if node.get("pattern"):
            data["description"] = sentence(600, 2 * i)
        console.draft("node.update", id=node["id"], data=data)
        for j, row in enumerate((node.get("block") or {}).get("rows") or []):
            console.draft("row.update", id=row["id"], data={"label": f"Hur många {sentence(130, i + j)}?"})


# --- votes split by the voter's perspective ------------------------------------------------------

# Six perspectives with long, concrete labels, and phones without one.
SPLIT_PERSPECTIVES = [
    "Solstad kommun, hemtjänstens utförare i egen regi",
    "Brukare i ordinärt boende med trygghetslarm",
    "Närstående och anhöriga som hjälper till hemma",
    "Region Solstad, primärvården och hemsjukvården",
    "Andra huvudmän: privata utförare av hemtjänst",
    "Samhället i stort",
]
# Group sizes of 30 phones: 7, 6, 5, 5, 3 and 2 (too few), and 2 without a perspective (too few).
POLL_GROUPS = [0] * 7 + [1] * 6 + [2] * 5 + [3] * 5 + [4] * 3 + [5] * 2 + [None] * 2
# 24 phones on the method's votes: 8, 7, 6, 2 (too few) and 1 without one (too few): together
# three, so no group needs hiding to protect them.
METHOD_GROUPS = [0] * 8 + [1] * 7 + [2] * 6 + [3] * 2 + [None] * 1
SPLIT_POLLS = ["multiple_choice", "ranking", "points", "scale", "qna", "followup_check"]
SPLIT_METHOD = ["sorting", "effects", "estimates"]


def split_phones(url: str, code: str, groups: list[int | None]) -> list[Phone]:
    return [Phone(url, code, n, SPLIT_PERSPECTIVES[g] if g is not None else "") for n, g in enumerate(groups)]


def fill_split_method(url: str, code: str, console: Console, ids: dict[str, int]) -> None:
    """Sorting votes on every item, three dots each on the effects, a figure for every
    estimate row: from phones in the perspectives of ``METHOD_GROUPS``."""
    draft = console.call("draft_snapshot", {})["draft"]
    nodes = [n for n in draft["nodes"] if n.get("status", "visible") == "visible" and not n.get("merged_into_id")]
    items = [n["id"] for n in nodes if n["node_type"] in ("nytta", "konsekvenskostnad", "genomforandekostnad")]
    effects = [n["id"] for n in nodes if n["node_type"] == "effekt"]
    rows = [r["id"] for n in nodes for r in ((n.get("block") or {}).get("rows") or [])]
    assert items and effects and rows
    console.ok("configure", {"activity_id": ids["effects"], "config": {"dot_votes": 3}})
    phones = split_phones(url, code, METHOD_GROUPS)
    categories = ["finansiell", "omfordelning", "kvalitet", "miljo"]
    try:
        console.show(ids["sorting"])
        for i, p in enumerate(phones):
            for j, node in enumerate(items):
                p.submit(ids["sorting"], {"node": node, "category": categories[(i // 3 + j) % 4], "money": False})
        console.show(ids["effects"])
        for i, p in enumerate(phones):
            for k in range(3):
                p.submit(ids["effects"], {"action": "dot", "node": effects[(i + k) % len(effects)], "on": True})
        console.show(ids["estimates"])
        for i, p in enumerate(phones):
            for j, row in enumerate(rows):
                p.submit(ids["estimates"], {"row": row, "accept": False, "value": 100 * (j + 1) + 7 * i})
    finally:
        for p in phones:
            p.sio.disconnect()


def fill_split_polls(url: str, code: str, console: Console, ids: dict[str, int]) -> None:
    phones = split_phones(url, code, POLL_GROUPS)
    try:
        for kind, act in ids.items():
            console.show(act)
            for i, p in enumerate(phones):
                if kind == "multiple_choice":
                    p.submit(act, {"choices": [(i * 5) % 12]})
                elif kind == "ranking":
                    order = list(range(10))
                    p.submit(act, {"order": order[i % 10 :] + order[: i % 10]})
                elif kind == "points":
                    pts = [0] * 10
                    pts[i % 10] += 70
                    pts[(i * 7) % 10] += 30
                    p.submit(act, {"points": pts})
                elif kind == "scale":
                    p.submit(act, {"value": 1 + (i * 3) % 5})
                elif kind == "followup_check":
                    for j in range(len(FOLLOWUP_ITEMS)):
                        p.submit(act, {"item": j, "happened": ("yes", "partly", "no", "unknown")[(i + j) % 4]})
            if kind == "qna":  # 12 questions from the last phone, upvoted by the others
                asked = []
                for j in range(12):
                    text = f"Fråga {j + 1}: {sentence(80 + j * 10, j)}?"
                    asked.append(phones[-1].call(act, {"action": "ask", "text": text})["response_id"])
                for i, p in enumerate(phones[:-1]):
                    for k in range(3):
                        p.submit(act, {"action": "upvote", "question": asked[(i + k) % 12], "on": True})
    finally:
        for p in phones:
            p.sio.disconnect()


def from_template(server, template: str, title: str, perspectives: list[str] | None = None) -> dict[str, Any]:
    session = server.facilitator_session()
    page = session.get(server.url + "/f/new").text
    r = session.post(
        server.url + "/f/new",
        data={
            "csrf_token": ROOT_CONF.csrf_from(page),
            "template": template,
            "title": title,
            "language": "sv",
            "mode": "live",
            "ask_nickname": "1",
            **({"ask_perspective": "1", "perspectives": "\n".join(perspectives)} if perspectives else {}),
        },
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    html = session.get(f"{server.url}/f/w/{ws_id}").text
    ids = [int(m) for m in re.findall(rf"/f/w/{ws_id}/a/(\d+)\"", html)]
    return {
        "session": session,
        "id": ws_id,
        "presenter_url": re.search(r'href="(/present/\d+/[^"]+)"', html).group(1),
        "activity_ids": list(dict.fromkeys(ids)),
    }


@pytest.fixture(scope="module")
def stage(tmp_path_factory, browser):
    """One server with both workshops filled; one presenter page per workshop."""
    server = ROOT_CONF.LiveServer(tmp_path_factory.mktemp("projector"))
    server.create_user()
    server.start()
    ui = E2E.UI(server)
    try:
        polls = ui.workshop("Användarforum", [(k, {"title": TITLE, **f}) for k, f in POLLS], ask_nickname=False)
        session = server.facilitator_session()
        poll_console = Console(server.url, session, polls["id"])
        poll_ids = dict(zip([k for k, _ in POLLS], polls["activity_ids"], strict=True))
        fill_polls(server.url, polls["code"], poll_console, poll_ids)

        method = from_template(server, "example_digital_locks", "Digitala nyckellås")
        method_console = Console(server.url, method["session"], method["id"])
        fill_method(method_console)
        method_ids = dict(zip(METHOD, method["activity_ids"], strict=True))
        # The seven-step edition's own kinds, on the same draft: points per item, uncertainty per area.
        for kind, fields in SEVEN:
            method_ids[kind] = add_activity(server, method, kind, {"title": TITLE, **fields})
        fill_seven(server, method, method_console, method_ids)

        # The votes split by the voter's perspective: workshops of their own, with perspectives.
        split_polls = ui.workshop(
            "Användarforum per perspektiv",
            [(k, {"title": TITLE, **f}) for k, f in POLLS if k in SPLIT_POLLS],
            ask_nickname=False,
            perspectives=SPLIT_PERSPECTIVES,
        )
        split_polls_console = Console(server.url, session, split_polls["id"])
        split_poll_ids = dict(zip([k for k, _ in POLLS if k in SPLIT_POLLS], split_polls["activity_ids"], strict=True))
        fill_split_polls(server.url, split_polls["code"], split_polls_console, split_poll_ids)
        split_method = from_template(server, "example_digital_locks", "Nyckellås per perspektiv", SPLIT_PERSPECTIVES)
        split_method_console = Console(server.url, split_method["session"], split_method["id"])
        fill_method(split_method_console)
        split_method_ids = dict(zip(METHOD, split_method["activity_ids"], strict=True))
        split_html = split_method["session"].get(f"{server.url}/f/w/{split_method['id']}").text
        split_method_code = re.search(r'href="[^"]*/j/(\d{8})"', split_html).group(1)
        fill_split_method(server.url, split_method_code, split_method_console, split_method_ids)

        errors: list[str] = []
        ctx = browser.new_context(base_url=server.url, locale="sv-SE", viewport={"width": 1920, "height": 1080})
        pages = {}
        for name, ws in (
            ("polls", polls),
            ("method", method),
            ("split_polls", split_polls),
            ("split_method", split_method),
        ):
            page = ctx.new_page()
            page.on("console", lambda m, n=name: m.type == "error" and errors.append(f"[{n}] {m.text}"))
            page.on("pageerror", lambda exc, n=name: errors.append(f"[{n}] uncaught: {exc}"))
            page.goto(ws["presenter_url"])
            pages[name] = page
        yield {
            "server": server,
            "kinds": {
                **{k: (pages["polls"], poll_console, a) for k, a in poll_ids.items()},
                **{k: (pages["method"], method_console, a) for k, a in method_ids.items()},
            },
            "split": {
                **{k: (pages["split_polls"], split_polls_console, a) for k, a in split_poll_ids.items()},
                **{k: (pages["split_method"], split_method_console, a) for k, a in split_method_ids.items()},
            },
            "errors": errors,
        }
        ctx.close()
        for c in (poll_console, method_console, split_polls_console, split_method_console):
            c.sio.disconnect()
    finally:
        server.stop()


# --- measuring -----------------------------------------------------------------------------------

MEASURE = r"""
() => {
  const problems = [];
  const vw = innerWidth, vh = innerHeight;
  const foot = document.querySelector('.pres-foot').getBoundingClientRect();
  const viewEl = document.getElementById('pres-view');
  const box = document.getElementById('pres-fit');
  const view = viewEl.getBoundingClientRect();
  const pages = Number(viewEl.dataset.pages || '1');
  const name = (e) => {
    const cls = typeof e.className === 'string' ? e.className : (e.className?.baseVal || '');
    const txt = (e.textContent || '').trim().slice(0, 40);
    return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls ? '.' + cls.split(/\s+/).join('.') : ''} «${txt}»`;
  };
  const all = [document.getElementById('pres-title'), ...document.querySelectorAll('.pres-top *, .pres-foot *'),
               box, ...box.querySelectorAll('*')];
  let texts = 0;
  for (const e of all) {
    if (e.closest('.sr-only') || e.closest('[data-fit-off]') || e.closest('[hidden]')) continue;
    if (!e.getClientRects().length) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 0.5 || r.height < 0.5) continue;
    const hasText = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (hasText) texts += 1;
    const inBox = box.contains(e);
    if (!(e instanceof SVGElement)) {
      const s = getComputedStyle(e);
      const clips = s.overflowX !== 'visible' || s.overflowY !== 'visible';
      const pager = e === box && pages > 1;
      if (clips && !pager && e.scrollHeight > e.clientHeight + 1) problems.push(`clipped height ${e.scrollHeight}>${e.clientHeight}: ${name(e)}`);
      if (clips && e.scrollWidth > e.clientWidth + 1) problems.push(`clipped width ${e.scrollWidth}>${e.clientWidth}: ${name(e)}`);
      if (s.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1) problems.push(`ellipsis: ${name(e)}`);
      if (s.webkitLineClamp && s.webkitLineClamp !== 'none' && e.scrollHeight > e.clientHeight + 1) problems.push(`line clamp: ${name(e)}`);
    }
    if (r.left < -1 || r.right > vw + 1 || r.top < -1 || r.bottom > vh + 1) problems.push(`outside the screen: ${name(e)}`);
    if (inBox && e !== box) {
      const outside = r.bottom < view.top || r.top > view.bottom;
      if (pages > 1 && outside) continue; // on another page of a turning view
      if (pages === 1 && (r.top < view.top - 1 || r.bottom > view.bottom + 1 || r.left < view.left - 1 || r.right > view.right + 1))
        problems.push(`outside the view ${[r.top, r.bottom, r.left, r.right].map(Math.round)}: ${name(e)}`);
    }
    if (!e.closest('.pres-foot') && r.bottom > foot.top + 1 && !(inBox && pages > 1 && r.top >= view.bottom))
      problems.push(`over the footer: ${name(e)}`);
  }
  // Text drawn over other text: the line boxes of different elements must not cross.
  const lines = [];
  for (const e of [document.getElementById('pres-title'), ...box.querySelectorAll('*')]) {
    if (e instanceof SVGElement || e.closest('.sr-only') || e.closest('[data-fit-off]')) continue;
    for (const n of e.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width > 1 && r.height > 1 && r.bottom > view.top && r.top < view.bottom) lines.push([e, r]);
      }
    }
  }
  const overlaps = new Set();
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const [a, ra] = lines[i], [b, rb] = lines[j];
      if (a === b || a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 2 && h > Math.min(ra.height, rb.height) * 0.3) overlaps.add(`text over text: ${name(a)} / ${name(b)}`);
    }
  }
  problems.push(...overlaps);
  const ind = document.getElementById('pres-pages');
  const shownPage = ind.querySelector('[aria-hidden="true"]');
  if (pages > 1 && (ind.hidden || !shownPage || !/^\d+\/\d+$/.test(shownPage.textContent.trim()) || !ind.getClientRects().length))
    problems.push(`paged (${pages}) without a visible indicator: «${ind.textContent}»`);
  const labels = [...box.querySelectorAll('.bar-label')].map((e) => {
    const r = e.getBoundingClientRect();
    const zoom = e.offsetWidth ? r.width / e.offsetWidth : 1;
    return { px: parseFloat(getComputedStyle(e).fontSize) * zoom, shown: !e.closest('[data-fit-off]') && r.top >= view.top - 1 && r.bottom <= view.bottom + 1 };
  });
  const rect = (e) => { const r = e.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.bottom), Math.round(r.left), Math.round(r.right)]; };
  const state = `view ${rect(viewEl)} box ${rect(box)} ${box.style.cssText} scroll ${box.scrollTop}/${box.scrollHeight}/${box.clientHeight} foot ${rect(document.querySelector('.pres-foot'))}`;
  if (problems.length) problems.push(state);
  return { problems, texts, pages, labels, density: document.getElementById('presenter').dataset.density, fit: box.style.transform };
}
"""

STABLE = """() => { const b = document.getElementById('pres-fit'); const v = document.getElementById('pres-view');
  if (Math.abs(b.getBoundingClientRect().width - v.clientWidth) > 2) return Math.random();
  return [b.style.cssText, v.dataset.pages, b.querySelectorAll('*').length, document.getElementById('presenter').dataset.density].join('|'); }"""


def settle(page) -> None:
    """Wait until the fitter is done with the current content (two equal readings)."""
    last = None
    for _ in range(40):
        page.wait_for_timeout(150)
        now = page.evaluate(STABLE)
        if now == last:
            return
        last = now


ALL_KINDS = [k for k, _ in POLLS] + METHOD + [k for k, _ in SEVEN]


def test_every_kind_is_covered():
    from workshop.activities import all_kinds

    assert sorted(ALL_KINDS) == sorted(all_kinds()), "a kind with a presenter view is missing here"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_projector_fits(stage, kind):
    page, console, act = stage["kinds"][kind]
    console.show(act)
    page.wait_for_function(
        "id => document.getElementById('pres-fit').childElementCount > 0 && document.querySelector('#pres-fit .pres-hidden') === null",
        arg=act,
    )
    failures = []
    for w, h in SIZES:
        page.set_viewport_size({"width": w, "height": h})
        settle(page)
        got = page.evaluate(MEASURE)
        if (w, h) in SHOT_SIZES:
            E2E.UI.shot(page, f"projector-{kind}-{w}x{h}")
        assert got["texts"] > 0, f"{kind} at {w}×{h}: nothing drawn"
        failures += [f"{w}×{h}: {p}" for p in got["problems"]]
        if kind in ("multiple_choice", "ranking"):
            labels = got["labels"]
            assert len(labels) == (12 if kind == "multiple_choice" else 10), labels
            hidden = [i for i, lab in enumerate(labels) if not lab["shown"]]
            small = min(lab["px"] for lab in labels)
            if hidden:
                failures.append(f"{w}×{h}: labels not all on the screen at once: {hidden}")
            if small < MIN_LABEL[h] - 0.25:
                failures.append(f"{w}×{h}: labels at {small:.1f}px, below {MIN_LABEL[h]}px")
        if kind == "qna":
            assert page.locator("#pres-fit .qna-pres-list > li").count() == 50, "a question was left out"
        if kind == "open_text":
            assert page.locator("#pres-fit .cards > li").count() == 200, "an answer was left out"
    page.set_viewport_size({"width": 1920, "height": 1080})
    assert not failures, f"{kind} overflows:\n" + "\n".join(failures)
    errors, stage["errors"][:] = list(stage["errors"]), []
    assert not errors, "JavaScript errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("kind", SPLIT_POLLS + SPLIT_METHOD)
def test_projector_fits_the_votes_split_by_perspective(stage, kind):
    """Six long perspective labels and the phones without one, beside 12 options, 10 ranked or
    pointed options, every item to sort, the dotted effects or every question to estimate:
    the split table fits (or pages) at every size, with figures for the large groups and
    "för få svar" for the small ones."""
    from workshop.activities import all_kinds

    assert sorted(SPLIT_POLLS + SPLIT_METHOD) == sorted(k for k, kind_ in all_kinds().items() if kind_.splits), (
        "a kind that splits is missing here"
    )
    page, console, act = stage["split"][kind]
    console.show(act)
    console.ok("set", {"activity_id": act, "flag": "split_voters", "value": True})
    try:
        page.wait_for_selector("#pres-fit .split-table")
        failures = []
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            settle(page)
            got = page.evaluate(MEASURE)
            if (w, h) in SHOT_SIZES:
                E2E.UI.shot(page, f"projector-split-{kind}-{w}x{h}")
            assert got["texts"] > 0, f"{kind} at {w}×{h}: nothing drawn"
            failures += [f"{w}×{h}: {p}" for p in got["problems"]]
        heads = page.locator("#pres-fit .split-table thead th .split-group-name").all_text_contents()
        # Every perspective that voted, in the workshop's order, the one without last, then all.
        voted = sorted({g for g in (POLL_GROUPS if kind in SPLIT_POLLS else METHOD_GROUPS) if g is not None})
        assert heads == [*(SPLIT_PERSPECTIVES[g] for g in voted), "Inget perspektiv valt", "Alla"]
        assert page.locator("#pres-fit .split-too_few").count() > 0
        shown = page.locator("#pres-fit .split-cell:not(.split-hidden)").count()
        assert shown > 0
        page.set_viewport_size({"width": 1920, "height": 1080})
        assert not failures, f"{kind} split overflows:\n" + "\n".join(failures)
    finally:
        console.ok("set", {"activity_id": act, "flag": "split_voters", "value": False})
    errors, stage["errors"][:] = list(stage["errors"]), []
    assert not errors, "JavaScript errors:\n" + "\n".join(errors)
