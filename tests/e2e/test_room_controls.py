"""The room's controls in Chromium, on every kind: a console, a presenter window that is never
reloaded, and phones in mobile viewports.

- the timer closes input: phones show "Tiden är ute" with their controls disabled, a submit is
  refused at socket level, "+30 s" opens input again;
- "Visa resultaten" / "Dölj resultaten" on every poll kind, on the presenter and the phones —
  while hidden the presenter's and the phones' payloads hold no figures;
- the facilitator's keys in the presenter window (only when opened by the signed-in owner)
  and the help dialog on "?";
- counts agree on the console, the presenter and the phones, pending answers included, and
  "Godkänn alla" approves them in one go.
"""

from __future__ import annotations

import pytest
import requests
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Records every event a page's Socket.IO connection receives (window.__received), by wrapping
# the vendored client's io() as the page defines it.
RECORD = """
window.__received = [];
let realIo;
Object.defineProperty(window, "io", {
  configurable: true,
  get() { return realIo; },
  set(v) {
    realIo = function (...args) {
      const s = v(...args);
      s.onAny((name, data) => window.__received.push({ name, data: JSON.parse(JSON.stringify(data ?? null)) }));
      return s;
    };
    Object.assign(realIo, v);
  },
});
"""


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


# The newest results of an activity a page received: the one with the largest version, as the
# pages themselves keep it. Not the last to arrive: a results round read before a change can
# reach the page after the change's own results (it gives way to other work while it runs),
# and the page rightly ignores it.
NEWEST_RESULTS = (
    "(id) => window.__received.filter((e) => e.name === 'results' && e.data.activity_id === id)"
    ".reduce((a, e) => (a && String(a.data.version) > String(e.data.version) ? a : e), null)"
)


def last_results(page, act_id: int) -> dict | None:
    return page.evaluate(
        f"""(id) => {{
          const newest = ({NEWEST_RESULTS})(id);
          if (newest) return newest.data;
          const s = window.__received.filter((e) => e.name === "snapshot");
          return s.length ? (s[s.length - 1].data.results || {{}})[String(id)] || null : null;
        }}""",
        act_id,
    )


def socket_phone(server, code: str):
    """A phone over a real socket (python-socketio), for socket-level checks."""
    joined = requests.post(f"{server.url}/api/join", json={"code": code, "nickname": "Sockel"}, timeout=10).json()
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, namespaces=["/phone"], auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10
    )
    return client


def submit(client, act_id: int, client_id: str, payload: dict) -> dict:
    body = {"activity_id": act_id, "client_id": client_id, "payload": payload}
    return client.call("submit", body, namespace="/phone", timeout=10)


def console_page(open_page, ui, ws_id: int):
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    return f


def presenter_of(f, js_errors, url: str, steer: bool = True, open_page=None):
    """The presenter window: in the facilitator's browser (signed in: may steer), or in a
    browser of its own with the link alone."""
    if steer:
        page = f.context.new_page()
        js_errors.watch(page, "presenter")
    else:
        page = open_page("presenter-link", "presenter")
    page.add_init_script(RECORD)
    page.goto(url)
    expect(page.locator("#conn")).to_have_attribute("data-state", "up")
    page.evaluate("window.__sameScreen = true")
    return page


def phones_for(open_page, code: str, n: int, record: bool = False):
    out = []
    for i in range(n):
        p = open_page(f"phone{i}", "phone")
        if record:
            p.add_init_script(RECORD)
        p.goto(f"/j/{code}")
        out.append(p)
    return out


def vote(phone, option: str) -> None:
    phone.locator("label.choice", has_text=option).click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(phone.locator(".answer-form .status")).to_have_text(strings(phone)["saved"])


# --- 1. the timer closes input ---------------------------------------------------------------------


def test_the_timer_closes_input_and_more_time_opens_it(open_page, live_server, ui, js_errors):
    q = "Ska vi införa digitala nyckellås?"
    ws = ui.workshop(
        "Användarforum",
        ask_nickname=False,
        activities=[("multiple_choice", {"title": q, "cfg_options": "Ja\nNej\nVet inte"})],
    )
    act = ws["activity_ids"][0]
    f = console_page(open_page, ui, ws["id"])
    screen = presenter_of(f, js_errors, ws["presenter_url"])
    phones = phones_for(open_page, ws["code"], 3)
    for p in phones:
        expect(p.locator("#act-title")).to_have_text(q)
    vote(phones[0], "Ja")
    late = socket_phone(live_server, ws["code"])
    s = strings(f)

    # The console offers 30 s, 1, 2, 5 min and a custom length; 10 s (the least) here.
    expect(f.locator("#timer-length option")).to_have_count(5)
    f.locator("#timer-length").select_option("custom")
    f.locator("#timer-custom").fill("10")
    f.locator("#timer").click()
    expect(f.locator("#timer")).to_have_text(s["console.stop_timer"])
    for p in phones:
        expect(p.locator(".activity .timer")).to_contain_text(s["time_left"])
        expect(p.locator(".answer-form button[type=submit]")).to_be_enabled()

    # Time is up, on each phone's own clock: "Tiden är ute", controls disabled.
    for p in phones:
        expect(p.locator(".activity .notice")).to_have_text("Tiden är ute", timeout=15_000)
        expect(p.locator(".answer-form button[type=submit]")).to_be_disabled()
        expect(p.locator("input[type=radio]").first).to_be_disabled()
    expect(screen.locator("#pres-timer")).to_have_text("Tiden är ute")
    expect(f.locator("#timer-status")).to_have_text(s["console.timer_ended"])
    expect(f.locator("#timer-add")).to_be_visible()
    expect(f.locator("#timer-reopen")).to_be_visible()
    ui.shot(f, "console-timer-ended")
    ui.shot(phones[1], "phone-time-up")

    # The server refuses on its own clock too; a resend of a stored input is still answered.
    refused = submit(late, act, "late-1", {"choices": [1]})
    assert refused["ok"] is False and refused["error"]["code"] == "time_up"
    assert refused["error"]["message"] == "Tiden är ute."

    # "+30 s": input opens again on every phone, the console's ended state goes away.
    f.locator("#timer-add").click()
    for p in phones:
        expect(p.locator(".activity .notice")).to_have_count(0)
        expect(p.locator(".answer-form button[type=submit]")).to_be_enabled()
    expect(f.locator("#timer-reopen")).to_be_hidden()
    expect(f.locator("#timer-status")).to_be_hidden()
    vote(phones[1], "Nej")
    assert submit(late, act, "late-2", {"choices": [2]})["ok"] is True
    expect(screen.locator("#pres-responses")).to_have_text("3")
    late.disconnect()
    assert screen.evaluate("window.__sameScreen") is True, "the presenter page reloaded"


# --- 2. show and hide results on every poll kind ------------------------------------------------------

# What each kind draws on a phone from the figures (absent while hidden).
PHONE_FIGURES = {
    "multiple_choice": ".phone-results .bar",
    "word_cloud": ".top-words li",
    "open_text": ".phone-results > *",
    "scale": ".phone-results > *",
    "ranking": ".phone-results > *",
    "points": ".phone-results > *",
    "qna": ".qna-item",
    "uncertainty": ".unc-group .mk-stack",
}

POLLS = {
    "multiple_choice": ({"cfg_options": "Ja\nNej"}, {"choices": [0]}),
    "word_cloud": ({}, {"text": "trygghet"}),
    "open_text": ({}, {"text": "Kortare köer"}),
    "scale": ({}, {"value": 4}),
    "ranking": ({"cfg_options": "A\nB\nC"}, {"order": [2, 0, 1]}),
    "points": ({"cfg_options": "A\nB"}, {"points": [60, 40]}),
    "qna": ({}, {"action": "ask", "text": "Vem äger nyttan?"}),
    # Osäkerhet per area needs no draft: its areas are its settings.
    "uncertainty": ({}, {"index": 0, "level": "high", "comment": "Osäkra tidsvinster"}),
}


@pytest.mark.parametrize("kind", sorted(POLLS))
def test_show_and_hide_results_on_every_poll_kind(open_page, live_server, ui, js_errors, kind):
    form, payload = POLLS[kind]
    ws = ui.workshop("Forum", ask_nickname=False, activities=[(kind, {"title": "Frågan", **form})])
    act = ws["activity_ids"][0]
    voter = socket_phone(live_server, ws["code"])
    assert submit(voter, act, "v1", payload)["ok"] is True
    f = console_page(open_page, ui, ws["id"])
    screen = presenter_of(f, js_errors, ws["presenter_url"])
    (phone,) = phones_for(open_page, ws["code"], 1, record=True)
    expect(phone.locator("#act-title")).to_have_text("Frågan")
    s = strings(f)
    reveal = f.locator("#reveal")

    def shown(visible: bool) -> None:
        expect(reveal).to_have_attribute("aria-pressed", "true" if visible else "false")
        expect(reveal).to_have_text(s["console.unreveal"] if visible else s["console.reveal"])
        figures = phone.locator(PHONE_FIGURES[kind])
        if visible:
            expect(screen.locator("#pres-view .pres-hidden")).to_have_count(0)
            expect(screen.locator("#pres-view > *").first).to_be_visible()
            expect(figures.first).to_be_attached()
        else:
            expect(screen.locator("#pres-view .pres-hidden")).to_have_text(s["results_hidden"])
            expect(figures).to_have_count(0)
        # What the presenter and the phone were sent: no figures while hidden.
        for page in (screen, phone):
            page.wait_for_function(
                f"([id, v]) => {{ const r = ({NEWEST_RESULTS})(id); return r !== null && r.data.visible === v; }}",
                arg=[act, visible],
            )
            res = last_results(page, act)
            assert (res["aggregate"] is not None) is visible, (kind, page, res)

    # Hide (whatever the kind shows by default), show, hide again: every step reaches both.
    if reveal.get_attribute("aria-pressed") == "false":
        reveal.click()
        shown(True)
    reveal.click()
    shown(False)
    ui.shot(screen, f"presenter-hidden-{kind}")
    reveal.click()
    shown(True)
    ui.shot(screen, f"presenter-shown-{kind}")
    reveal.click()
    shown(False)
    voter.disconnect()


# --- 3. the facilitator's keys in the presenter window -------------------------------------------------


def test_presenter_keys_steer_and_help_lists_them(open_page, live_server, ui, js_errors):
    ws = ui.workshop(
        "Forum",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Första", "cfg_options": "Ja\nNej"}),
            ("word_cloud", {"title": "Andra"}),
        ],
    )
    a0, a1 = ws["activity_ids"]
    f = console_page(open_page, ui, ws["id"])
    screen = presenter_of(f, js_errors, ws["presenter_url"])
    (phone,) = phones_for(open_page, ws["code"], 1)
    s = strings(f)
    expect(screen.locator("#pres-title")).to_have_text("Första")

    screen.bring_to_front()
    screen.keyboard.press("PageDown")  # a clicker's "next"
    expect(f.locator("#current-title")).to_have_text("Andra")
    expect(screen.locator("#pres-title")).to_have_text("Andra")
    expect(phone.locator("#act-title")).to_have_text("Andra")
    screen.keyboard.press("PageUp")
    expect(f.locator("#current-title")).to_have_text("Första")
    screen.keyboard.press("r")  # hide the results
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "false")
    expect(screen.locator("#pres-view .pres-hidden")).to_have_text(s["results_hidden"])
    screen.keyboard.press("r")
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    screen.keyboard.press("l")
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator(".activity .notice")).to_have_text(s["locked"])
    screen.keyboard.press("l")
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "false")
    screen.keyboard.press("t")
    expect(f.locator("#timer")).to_have_text(s["console.stop_timer"])
    expect(screen.locator("#pres-timer")).to_be_visible()
    screen.keyboard.press("t")
    expect(f.locator("#timer")).to_have_text(s["console.start_timer"])
    expect(screen.locator("#pres-timer")).to_be_hidden()

    # "?": a modal help dialog listing the keys; focus moves in, Escape closes, focus returns.
    screen.keyboard.press("?")
    dialog = screen.locator("dialog.keys-help")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(s["keys.title"])
    expect(dialog.locator("td")).to_have_text(
        [s["keys.next"], s["keys.prev"], s["keys.results"], s["keys.lock"], s["keys.timer"], s["keys.help"]]
    )
    assert screen.evaluate("document.activeElement.classList.contains('keys-close')")
    screen.keyboard.press("PageDown")  # the dialog is open: no steering behind it
    screen.wait_for_timeout(300)
    expect(f.locator("#current-title")).to_have_text("Första")
    ui.shot(screen, "presenter-keys-help")
    screen.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The console: the same keys and help; nothing while typing or on a control.
    f.bring_to_front()
    f.locator("#timer-length").select_option("custom")
    f.locator("#timer-custom").focus()
    f.keyboard.press("ArrowRight")
    f.keyboard.press("r")
    f.wait_for_timeout(300)
    expect(f.locator("#current-title")).to_have_text("Första")
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    f.locator("#keys-help").click()
    cdialog = f.locator("dialog.keys-help")
    expect(cdialog).to_be_visible()
    ui.shot(f, "console-keys-help")
    f.keyboard.press("Escape")
    expect(cdialog).to_be_hidden()
    assert f.evaluate("document.activeElement.id") == "keys-help"  # focus returns
    f.evaluate("document.activeElement.blur()")
    f.keyboard.press("?")
    expect(cdialog).to_be_visible()
    f.keyboard.press("Escape")
    f.evaluate("document.activeElement.blur()")
    f.keyboard.press("ArrowRight")
    expect(f.locator("#current-title")).to_have_text("Andra")

    # A presenter opened with the link alone, not signed in, does not steer.
    watcher = presenter_of(f, js_errors, ws["presenter_url"], steer=False, open_page=open_page)
    expect(watcher.locator("#pres-title")).to_have_text("Andra")
    watcher.keyboard.press("PageUp")
    watcher.keyboard.press("l")
    watcher.keyboard.press("?")
    expect(watcher.locator("dialog.keys-help .keys-extra")).to_have_text(s["keys.readonly"])
    watcher.keyboard.press("Escape")
    watcher.wait_for_timeout(300)
    expect(f.locator("#current-title")).to_have_text("Andra")
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "false")
    assert screen.evaluate("window.__sameScreen") is True


# --- 4. counts agree everywhere ---------------------------------------------------------------------


def test_counts_agree_on_console_presenter_and_phones(open_page, live_server, ui, js_errors):
    ws = ui.workshop(
        "Forum",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Röst", "cfg_options": "Ja\nNej"}),
            ("open_text", {"title": "Idéer", "cfg_premoderate": "1"}),
        ],
    )
    f = console_page(open_page, ui, ws["id"])
    screen = presenter_of(f, js_errors, ws["presenter_url"])
    phones = phones_for(open_page, ws["code"], 4)

    def agree(text: str) -> None:
        expect(f.locator("#current-count")).to_have_text(text)
        expect(screen.locator("#pres-count")).to_have_text(text)
        for p in phones:
            expect(p.locator(".activity .count-line")).to_have_text(text)

    for p, option in zip(phones, ["Ja", "Nej", "Ja", "Ja"], strict=True):
        vote(p, option)
    agree("4 svar")
    expect(f.locator(".nav-item.current .nav-count")).to_have_text("4 " + strings(f)["responses"])

    # A moderated kind: the answers wait for review, and say so everywhere.
    f.locator("#next").click()
    for i, p in enumerate(phones[:3]):
        expect(p.locator("#act-title")).to_have_text("Idéer")
        p.locator(".text-form textarea").fill(f"Idé nummer {i}")
        p.locator(".text-form button[type=submit]").click()
    agree("3 svar · 3 väntar på granskning")
    ui.shot(f, "console-pending")
    f.locator("#approve-all").click()
    agree("3 svar")
    expect(f.locator("#approve-all")).to_be_hidden()
    expect(screen.locator("#pres-view")).to_contain_text("Idé nummer 2")
    ui.shot(phones[0], "phone-counts")
    assert screen.evaluate("window.__sameScreen") is True
