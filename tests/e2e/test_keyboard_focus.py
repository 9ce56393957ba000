"""Keyboard and focus in Chromium (WCAG 2.1 AA): the console driven by the keyboard alone, the
phone answered by the keyboard alone, the focus ring's contrast on every background, and the
layouts at 320 CSS px (400 % zoom).

- the room's keys (static/js/keys.js) act only when nothing interactive has focus, and the
  console says whether they act; Escape on a button gives them back;
- rebuilt lists keep focus on the same control (the activity list on every answer, the
  moderation list on Hide/Show); Send keeps focus while sending;
- a new question is announced on the phone (a polite live region) and its heading has focus;
- the focus ring is at least 3:1 against what it is drawn on (white page, blue bar, dark
  presenter), the step 8 axis label at least 4.5:1;
- at 320 CSS px the console never scrolls sideways, nor the phone in method steps 4 and 6.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = "example_digital_locks"

# document.activeElement as "TAG#id[data-fkey]" (what the assertions compare).
ACTIVE = """() => { const a = document.activeElement;
  if (!a || a === document.body) return "BODY";
  return a.tagName + (a.id ? "#" + a.id : "") + (a.dataset.fkey ? "[" + a.dataset.fkey + "]" : ""); }"""

# Contrast helpers run in the page: a colour as computed, the background an element is drawn
# on (its ancestors' background colours composited over the white canvas), WCAG contrast.
COLOUR_JS = """
window.__rgba = (c) => {
  const m = c.match(/rgba?\\(([^)]+)\\)/);
  if (!m) throw new Error("unparsed colour " + c);
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
window.__backdrop = (node) => {
  const layers = [];
  for (let n = node; n; n = n.parentElement) {
    const c = __rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let out = [255, 255, 255];
  for (const c of layers.reverse()) out = out.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  return out;
};
window.__contrast = (a, b) => {
  const lum = (rgb) => { const [r, g, bl] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
// The focused element's ring: its outline colour against the background around it (the
// outline is drawn outside the element, 2 px off it, over its parent's background).
window.__ring = () => {
  const a = document.activeElement;
  const s = getComputedStyle(a);
  const c = __rgba(s.outlineColor);
  const bg = __backdrop(a.parentElement);
  const ring = c.slice(0, 3).map((v, i) => v * c[3] + bg[i] * (1 - c[3]));
  return { what: a.tagName + (a.id ? "#" + a.id : "") + "." + (a.getAttribute("class") || "") + " " + (a.textContent || "").trim().slice(0, 30),
           style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
           background: "rgb(" + bg.map(Math.round).join(", ") + ")", contrast: __contrast(ring, bg) };
};
"""

# Holds back each answer's acknowledgement on the phone by 400 ms (a slow network), so a Send
# button that gave up focus while sending would be seen doing so.
SLOW_SUBMIT = """
let realIo;
Object.defineProperty(window, "io", {
  configurable: true,
  get() { return realIo; },
  set(v) {
    realIo = function (...args) {
      const s = v(...args);
      const emit = s.emit.bind(s);
      s.emit = (name, ...rest) => {
        const cb = rest[rest.length - 1];
        if (name === "submit" && typeof cb === "function") rest[rest.length - 1] = (...a) => setTimeout(() => cb(...a), 400);
        return emit(name, ...rest);
      };
      return s;
    };
    Object.assign(realIo, v);
  },
});
"""


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def active(page) -> str:
    return page.evaluate(ACTIVE)


def tab_to(page, selector: str, limit: int = 40, back: bool = False) -> None:
    """Press Tab (Shift+Tab) until the element matching ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} never got focus by Tab; last: {active(page)}")


def console_page(open_page, ui, ws_id: int, **options):
    f = open_page("facilitator", **options)
    ui.login(f)
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    return f


def settle(page, ms: int = 350) -> None:
    """Time for a command's round trip: a key that was (wrongly) taken would have acted by now."""
    page.wait_for_timeout(ms)


# --- the console, keyboard only ---------------------------------------------------------------


def test_console_by_keyboard_alone(open_page, ui):
    ws = ui.workshop(
        "Tangentbordet",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Fråga ett", "cfg_options": "Ja\nNej"}),
            ("multiple_choice", {"title": "Fråga två", "cfg_options": "Ja\nNej"}),
            ("open_text", {"title": "Tankar"}),
        ],
    )
    a1, a2, a3 = ws["activity_ids"]
    f = console_page(open_page, ui, ws["id"])
    s = strings(f)
    title = f.locator("#current-title")
    hint = f.locator("#keys-state")
    expect(title).to_have_text("Fråga ett")
    # Said on screen, next to the keys' help: the keys act now.
    expect(hint).to_have_attribute("data-state", "on")
    expect(hint).to_have_text(s["keys.on"])

    # Tab to "Next": the keys pause (and say so); → on the button does not move the room,
    # Enter presses it and focus stays on it.
    tab_to(f, "#next")
    expect(hint).to_have_attribute("data-state", "paused")
    expect(hint).to_have_text(s["keys.paused"])
    ui.shot(f, "keys-paused-on-next")
    f.keyboard.press("ArrowRight")
    f.keyboard.press("l")
    settle(f)
    expect(title).to_have_text("Fråga ett")
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "false")
    f.keyboard.press("Enter")
    expect(title).to_have_text("Fråga två")
    assert active(f) == "BUTTON#next"
    # Shift+Tab to "Previous", Enter: back; focus stays there.
    tab_to(f, "#prev", back=True)
    f.keyboard.press("Enter")
    expect(title).to_have_text("Fråga ett")
    assert active(f) == "BUTTON#prev"

    # The participants list is in the tab order (it scrolls): arrows there scroll it, not the room.
    f.locator("#people-list").focus()
    f.keyboard.press("ArrowRight")
    f.keyboard.press("ArrowDown")
    settle(f)
    expect(title).to_have_text("Fråga ett")

    # Escape on a button gives the keys back: focus goes to the current activity's heading.
    tab_to(f, "#lock")
    f.keyboard.press("Escape")
    assert active(f) == "H2#current-title"
    expect(hint).to_have_attribute("data-state", "on")
    f.keyboard.press("ArrowRight")
    expect(title).to_have_text("Fråga två")
    f.keyboard.press("ArrowLeft")
    expect(title).to_have_text("Fråga ett")
    f.keyboard.press("l")  # lock
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "true")
    f.keyboard.press("r")  # results off and on again
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "false")
    f.keyboard.press("r")
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    f.keyboard.press("l")  # unlock
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "false")
    assert active(f) == "H2#current-title"

    # The activity list: Enter on an activity goes there and focus stays on it, though the
    # whole list is drawn again (and again on every answer that arrives).
    tab_to(f, f'[data-fkey="act-{a2}:go"]', back=True)
    f.keyboard.press("Enter")
    expect(title).to_have_text("Fråga två")
    expect(f.locator(f'[data-fkey="act-{a2}:go"]')).to_have_attribute("aria-current", "true")
    assert active(f) == f"BUTTON[act-{a2}:go]"
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#act-title")).to_have_text("Fråga två")
    phone.locator("label.choice", has_text="Ja").click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(f.locator(f'[data-fkey="act-{a2}:go"] .nav-count')).to_contain_text("1")
    assert active(f) == f"BUTTON[act-{a2}:go]"

    # Moderation: "Hide" becomes "Show" under focus, and back.
    f.keyboard.press("ArrowDown")  # on a button: nothing moves
    tab_to(f, f'[data-fkey="act-{a3}:go"]')
    f.keyboard.press("Enter")
    expect(title).to_have_text("Tankar")
    expect(phone.locator("#act-title")).to_have_text("Tankar")
    phone.locator(".text-form textarea").fill("Mer tid för brukarna")
    phone.locator(".text-form button[type=submit]").click()
    row = f.locator(".mod-item", has_text="Mer tid för brukarna")
    expect(row.get_by_role("button", name=s["hide"])).to_be_visible()
    tab_to(f, ".mod-item [data-fkey$=':visibility']")
    f.keyboard.press("Enter")
    expect(row).to_have_attribute("data-status", "hidden")
    expect(f.locator(":focus")).to_have_text(s["show"])
    f.keyboard.press("Enter")
    expect(row).to_have_attribute("data-status", "visible")
    expect(f.locator(":focus")).to_have_text(s["hide"])
    assert re.fullmatch(r"BUTTON\[\d+:visibility\]", active(f))


# --- the phone, keyboard only -------------------------------------------------------------------


def test_phone_by_keyboard_alone(open_page, ui):
    ws = ui.workshop(
        "Tangentbordet på telefonen",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Vilket lås?", "cfg_options": "Kodlås\nKortlås"}),
            ("ranking", {"title": "Rangordna nyttorna", "cfg_options": "Tid\nTrygghet\nKostnad"}),
            ("points", {"title": "Fördela 100 poäng", "cfg_options": "Tid\nTrygghet", "cfg_budget": "100"}),
            ("qna", {"title": "Frågor till nämnden"}),
        ],
    )
    f = console_page(open_page, ui, ws["id"])
    phone = open_page("phone", "phone")
    phone.add_init_script(SLOW_SUBMIT)
    phone.goto(f"/j/{ws['code']}")
    s = strings(phone)
    announce = phone.locator("#announce")

    def arrives(title: str) -> None:
        """The question is announced (polite live region) and its heading has focus."""
        expect(phone.locator("#act-title")).to_have_text(title)
        expect(announce).to_have_attribute("aria-live", "polite")
        expect(announce).to_have_text(s["phone.now"].replace("%(title)s", title))
        expect(phone.locator("#act-title")).to_be_focused()

    def send_keeps_focus(button: str, done) -> None:
        tab_to(phone, button)
        phone.keyboard.press("Enter")
        phone.wait_for_timeout(200)  # mid-send (the send takes 400 ms): focus still on the button
        assert active(phone) == "BUTTON", active(phone)
        expect(done).to_be_visible()
        assert active(phone) != "BODY"

    def next_question() -> None:
        f.locator("#next").focus()
        f.keyboard.press("Enter")

    # Right after joining: the first question.
    arrives("Vilket lås?")
    ui.shot(phone, "phone-question-heading-focused")
    # Multiple choice: Tab to the options, Space picks one, Tab to Send, Enter.
    tab_to(phone, "input[type=radio]")
    phone.keyboard.press("ArrowDown")  # the radio group's own arrows: the second option
    expect(phone.locator("input[type=radio]").nth(1)).to_be_checked()
    send_keeps_focus(".answer-form button[type=submit]", phone.locator(".answer-form .status", has_text=s["saved"]))
    assert active(phone) == "BUTTON"

    next_question()
    arrives("Rangordna nyttorna")
    # Ranking: move "Kostnad" up with its button, then send.
    tab_to(phone, ".rank-item[data-index='2'] .rank-move.up")
    phone.keyboard.press("Enter")
    expect(phone.locator(".rank-item").nth(1)).to_contain_text("Kostnad")
    assert "rank-move" in phone.evaluate("document.activeElement.className")
    send_keeps_focus(".answer-form button[type=submit]", phone.locator(".answer-form .status", has_text=s["saved"]))

    next_question()
    arrives("Fördela 100 poäng")
    tab_to(phone, ".points-input")
    phone.keyboard.type("60")
    send_keeps_focus(".points-send", phone.locator(".points-form .status", has_text=s["saved"]))

    next_question()
    arrives("Frågor till nämnden")
    tab_to(phone, ".text-form textarea")
    phone.keyboard.type("Vem betalar låsen?")
    tab_to(phone, ".text-form button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_timeout(200)
    assert active(phone) == "BUTTON", active(phone)
    expect(phone.locator(".text-form .status")).to_have_text(s["qna.asked"])
    # Sent: focus is in the field again, ready for the next question.
    assert active(phone).startswith("TEXTAREA")

    # The same question drawn again (the facilitator locks it): focus stays on the heading
    # rather than falling to the page.
    phone.locator("#act-title").focus()
    f.locator("#lock").click()
    expect(phone.locator(".notice")).to_be_visible()
    assert active(phone) == "H1#act-title"


def test_self_paced_phone_by_keyboard(open_page, ui):
    """Self-paced: an activity opened from the list is announced and its heading has focus;
    back to the list, focus is on the button of the activity just left."""
    ws = ui.workshop(
        "I egen takt",
        mode="self_paced",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Första frågan", "cfg_options": "Ja\nNej"}),
            ("multiple_choice", {"title": "Andra frågan", "cfg_options": "Ja\nNej"}),
        ],
    )
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    s = strings(phone)
    second = phone.locator(".pick", has_text="Andra frågan")
    expect(second).to_be_visible()
    tab_to(phone, f'[data-fkey="pick-{ws["activity_ids"][1]}:open"]')
    phone.keyboard.press("Enter")
    expect(phone.locator("#act-title")).to_be_focused()
    expect(phone.locator("#announce")).to_have_text(s["phone.now"].replace("%(title)s", "Andra frågan"))
    tab_to(phone, "button.back", back=True)
    phone.keyboard.press("Enter")
    expect(second).to_be_focused()


# --- the focus ring ---------------------------------------------------------------------------


def ring_stops(page, count: int) -> list[dict]:
    """Tab ``count`` times through the page; the focus ring at each stop."""
    page.evaluate(COLOUR_JS)
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            continue
        stops.append(page.evaluate("__ring()"))
    return stops


def weak(stops: list[dict]) -> list[dict]:
    return [r for r in stops if r["style"] == "none" or r["width"] < 2 or r["contrast"] < 3]


def test_focus_ring_contrast(open_page, ui, js_errors):
    ws = ui.workshop(
        "Fokusringen",
        ask_nickname=True,
        activities=[("multiple_choice", {"title": "Vilket lås?", "cfg_options": "Kodlås\nKortlås"})],
    )
    # The console: the blue bar's links, the toolbar, the lists (white cards on the grey page).
    f = console_page(open_page, ui, ws["id"])
    stops = ring_stops(f, 24)
    backgrounds = {r["background"] for r in stops}
    assert "rgb(29, 79, 145)" in backgrounds, f"no stop on the blue bar: {backgrounds}"
    assert "rgb(255, 255, 255)" in backgrounds
    assert not weak(stops), weak(stops)

    # The phone: the nickname form, then the question's options and Send.
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#profile")).to_be_visible()
    stops = ring_stops(phone, 3)
    phone.locator("#nickname").fill("Kim")
    phone.keyboard.press("Enter")
    expect(phone.locator("#act-title")).to_be_focused()
    stops += ring_stops(phone, 4)
    assert any("choice" in r["what"] or r["what"].startswith("INPUT") for r in stops)
    assert not weak(stops), weak(stops)

    # The presenter: the dark screen and the white help dialog on it.
    screen = f.context.new_page()
    js_errors.watch(screen, "presenter")
    screen.goto(ws["presenter_url"])
    expect(screen.locator("#conn")).to_have_attribute("data-state", "up")
    screen.evaluate(COLOUR_JS)
    screen.keyboard.press("?")
    expect(screen.locator("dialog.keys-help .keys-close")).to_be_focused()
    on_dialog = screen.evaluate("__ring()")
    screen.keyboard.press("Escape")
    # Whatever takes focus on the dark screen itself (here its title, made focusable).
    screen.evaluate("() => { const h = document.getElementById('pres-title'); h.tabIndex = -1; h.focus(); }")
    on_dark = screen.evaluate("__ring()")
    assert on_dark["background"] == "rgb(15, 27, 45)", on_dark
    assert not weak([on_dialog, on_dark]), [on_dialog, on_dark]


# --- step 8's axis label and 320 CSS px -----------------------------------------------------


def test_narrow_layouts_and_axis_label(open_page, ui, live_server):
    session = live_server.facilitator_session()
    page = session.get(live_server.url + "/f/new").text
    r = session.post(
        live_server.url + "/f/new",
        data={"csrf_token": ui.csrf_from(page), "template": TEMPLATE, "title": "", "language": "sv", "mode": "live"},
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    code = re.search(r"/j/(\d{8})", r.text).group(1)
    # 1280 px wide at 400 % zoom: 320 CSS px.
    f = console_page(open_page, ui, ws_id, viewport={"width": 320, "height": 256})
    phone = open_page("phone", "phone", viewport={"width": 320, "height": 640})
    phone.goto(f"/j/{code}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#profile-form button[type=submit]").click()
    sideways = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    items = f.locator(".nav-item")
    kinds = f.locator(".nav-item .nav-kind").all_text_contents()
    assert len(kinds) == 9, kinds
    over = {}
    for i in range(len(kinds)):
        items.nth(i).click()
        expect(items.nth(i)).to_have_attribute("aria-current", "true")
        expect(f.locator("#current-view > *").first).to_be_visible()
        f.wait_for_timeout(150)  # the kind's view drawn
        if f.evaluate(sideways) > 0:
            over[f"console {kinds[i]}"] = f.evaluate(sideways)
        if i in (3, 5):  # steps 4 and 6 on the phone
            expect(phone.locator("#act-title")).to_contain_text(f"Steg {i + 1}")
            expect(phone.locator(".activity-body > *").first).to_be_visible()
            phone.wait_for_timeout(150)
            if phone.evaluate(sideways) > 0:
                over[f"phone {kinds[i]}"] = phone.evaluate(sideways)
        if i == 7:  # step 8: the accumulated chart's axis label, as drawn
            label = f.locator(".acc-chart .acc-axis-label").first
            expect(label).to_be_attached()
            f.evaluate(COLOUR_JS)
            ratio = label.evaluate(
                """(n) => { const s = getComputedStyle(n); const c = __rgba(s.fill);
                  let o = c[3]; for (let p = n; p && p.nodeType === 1; p = p.parentElement) o *= Number(getComputedStyle(p).opacity);
                  const bg = __backdrop(n.closest("svg").parentElement);
                  return __contrast(c.slice(0, 3).map((v, i) => v * o + bg[i] * (1 - o)), bg); }"""
            )
            assert ratio >= 4.5, f"step 8 axis label {ratio:.2f}:1"
    assert not over, f"sideways scrolling at 320 CSS px (px too wide): {over}"
