"""The 30-minute effect workshop (steps 2–4) in Chromium: a facilitator, a projector and three
phones, everything through the pages a person uses.

Step 2: the phones add effects; the wall on the presenter fills; the facilitator merges a
duplicate. Step 3: the facilitator adds two benefits and a cost, links them in the console's
table and by clicking in the diagram; two phones propose the same link and the facilitator
accepts it; the presenter draws the chain. Step 4: the phones sort; once revealed, the presenter
shows the distribution with the gråzon flagged.

Screenshots (looked at by a person): test-artifacts/method-effect-wall.png, method-chain.png,
method-sorting.png.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = "effect_workshop_30min"
PERSPECTIVES = ["Den egna organisationen", "Invånare, patienter, brukare"]

E_KEYS = "Personalen slipper hämta nycklar"
E_KEYS_DUP = "Slipper hämta och lämna nycklar"
E_SAFE = "Brukaren känner sig tryggare"
E_NET = "Beroende av fungerande mobilnät"
N_TIME = "Frigjord arbetstid för undersköterskor"
N_SAFE = "Tryggare brukare"
K_IT = "Mer tid för IT-support"


def _root_conftest():
    """tests/conftest.py by path (its module name "conftest" is shared with e2e/conftest.py)."""
    name = "nyttoverkstad_tests_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """One ``workshop serve`` for this module's tests (each makes its own workshop): it saves a
    server start per test. Same as tests/conftest.py's fixture otherwise."""
    server = _root_conftest().LiveServer(tmp_path_factory.mktemp("method-server"))
    server.create_user()
    server.start()
    yield server
    server.stop()


def strings(page) -> dict:
    """The page's translated UI strings, so assertions hold in either language."""
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def fmt(template: str, **values) -> str:
    return template % values


def start_from_template(f, title: str) -> dict:
    """On /f/new: pick the template, give a title, create. Returns ids read from the editor."""
    f.goto("/f/new")
    f.locator(f"input[name=template][value={TEMPLATE}]").check()
    f.locator("#title").fill(title)
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    expect(f.locator("h1")).to_have_text(title)
    join_url = f.locator(".join-info a[href*='/j/']").get_attribute("href")
    return {
        "id": int(re.search(r"/f/w/(\d+)$", f.url).group(1)),
        "code": re.search(r"/j/(\d{8})$", join_url).group(1),
    }


def join(phone, code: str, nickname: str, perspective: str | None) -> None:
    phone.goto(f"/j/{code}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(nickname)
    if perspective:
        phone.locator("#profile label.choice", has_text=perspective).click()
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def add_effect(phone, text: str, polarity: str, cause: str = "", perspective: str = "") -> None:
    s = strings(phone)
    form = phone.locator("form.eff-form")
    form.locator("input[name=text]").fill(text)
    if cause:
        form.locator("textarea[name=cause]").fill(cause)
    if perspective:
        form.locator("select[name=perspective]").select_option(label=perspective)
    form.locator(f"label.eff-pol.pol-{polarity}").click()
    form.locator("button[type=submit]").click()
    expect(form.locator(".status")).to_have_text(fmt(s["effects.added"], text=text))
    expect(form.locator("input[name=text]")).to_have_value("")


def sort_item(phone, title: str, category: str, money: bool, perspective: str | None) -> None:
    """On the phone's sorting card for ``title``: choose and press save (moves to the next)."""
    s = strings(phone)
    expect(phone.locator(".sort-title")).to_have_text(title)
    form = phone.locator("form.sort-form")
    form.locator("label.sort-cat", has_text=s[f"sorting.cat_{category}"]).click()
    form.locator(
        ".sort-money label.choice", has_text=s["sorting.money_yes"] if money else s["sorting.money_no"]
    ).click()
    form.locator(".sort-persp label.choice", has_text=perspective or s["sorting.no_perspective"]).click()
    form.locator("button.sort-next").click()


def test_thirty_minute_template_steps_2_to_4(open_page, ui):
    # --- the facilitator starts from the template; console and projector open ----------------
    f = open_page("facilitator")
    ui.login(f)
    ws = start_from_template(f, "Effektworkshop Solstad")
    f.locator("main a[href$='/console']").first.click()
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    expect(f.locator("#activity-nav .nav-title")).to_have_count(3)
    s = strings(f)
    expect(f.locator("#current-meta")).to_contain_text(s["kind.effects"])
    presenter_url = f.locator("#console").get_attribute("data-presenter-url")
    screen = open_page("presenter", "presenter")
    screen.goto(presenter_url)
    screen.evaluate("window.__sameScreen = true")
    step2 = f.locator("#current-title").inner_text()
    expect(screen.locator("#pres-title")).to_have_text(step2)

    # --- three phones join and add effects (step 2) --------------------------------------------
    people = {"Kalle": PERSPECTIVES[0], "Lisa": PERSPECTIVES[0], "Omar": PERSPECTIVES[1]}
    phones = {}
    for name, persp in people.items():
        phones[name] = open_page(name, "phone")
        join(phones[name], ws["code"], name, persp)
        expect(phones[name].locator("#act-title")).to_have_text(step2)
    expect(f.locator("#people-count")).to_have_text("3")

    add_effect(phones["Kalle"], E_KEYS, "positive", cause="Låsen öppnas med mobilen")
    add_effect(phones["Lisa"], E_KEYS_DUP, "positive")
    add_effect(phones["Omar"], E_NET, "negative", cause="Inga reservnycklar")
    add_effect(phones["Kalle"], E_SAFE, "positive")
    ps = strings(phones["Kalle"])
    expect(phones["Kalle"].locator(".eff-counter")).to_have_text(fmt(ps["effects.count"], used="2", n="10"))
    expect(phones["Kalle"].locator(".eff-yours li")).to_have_count(2)

    # The wall on the projector: grouped positive / negative, the card texts as sent.
    wall = screen.locator("#pres-view .effects-wall")
    expect(wall.locator(".effects-col")).to_have_count(2)
    expect(wall.locator(".col-positive .effect-title")).to_have_text([E_KEYS, E_KEYS_DUP, E_SAFE])
    expect(wall.locator(".col-negative .effect-title")).to_have_text([E_NET])
    expect(wall.locator(".col-positive .effect-card", has_text=E_KEYS).locator(".effect-cause")).to_contain_text(
        "Låsen öppnas med mobilen"
    )
    expect(screen.locator("#pres-responses")).to_have_text("3")

    # The facilitator merges Lisa's duplicate into Kalle's effect, from the console's wall.
    console_wall = f.locator("#current-view .eff-console-wall")
    expect(console_wall.locator(".effect-card")).to_have_count(4)
    expect(console_wall.locator(".effect-card", has_text=E_KEYS_DUP).locator(".effect-author")).to_contain_text("Lisa")
    console_wall.locator(".effect-card", has_text=E_KEYS_DUP).locator("button[data-fkey^=edit-]").click()
    panel = f.locator("#current-view .eff-edit")
    expect(panel).to_be_visible()
    panel.locator("form.eff-merge select").select_option(label=E_KEYS)
    panel.locator("form.eff-merge button[type=submit]").click()
    expect(console_wall.locator(".effect-card")).to_have_count(3)
    expect(f.locator("#current-view .eff-hidden summary")).to_contain_text("(1)")
    expect(wall.locator(".effect-title")).to_have_text([E_KEYS, E_SAFE, E_NET])

    # …and says whom an effect is for: the edit lands on the projector's card.
    console_wall.locator(".effect-card", has_text=E_SAFE).locator("button[data-fkey^=edit-]").click()
    panel.locator("select[id^=eff-e-persp-]").select_option(label=PERSPECTIVES[1])
    panel.locator("form:not(.eff-merge) button[type=submit]").click()
    expect(panel).to_be_hidden()
    expect(wall.locator(".effect-card", has_text=E_SAFE).locator(".effect-for")).to_contain_text(PERSPECTIVES[1])
    ui.shot(screen, "method-effect-wall")

    # --- step 3: the chain ------------------------------------------------------------------
    f.locator("#next").click()
    expect(f.locator("#current-meta")).to_contain_text(s["kind.effect_chain"])
    step3 = f.locator("#current-title").inner_text()
    expect(screen.locator("#pres-title")).to_have_text(step3)
    chain = f.locator("#current-view .chain-console")
    expect(chain.locator("table.chain-table").first.locator("tbody th.chain-effect-cell textarea")).to_have_count(3)

    # The facilitator adds two benefits and a consequence cost.
    for kind, title in (("nytta", N_TIME), ("nytta", N_SAFE), ("konsekvenskostnad", K_IT)):
        chain.locator("select[id^=chain-kind-]").select_option(kind)
        chain.locator("input[id^=chain-title-]").fill(title)
        chain.locator("form.chain-form", has=f.locator("input[id^=chain-title-]")).locator(
            "button[type=submit]"
        ).click()
        rename = fmt(s["effect_chain.rename"], title=title)
        expect(chain.locator(f'table.chain-others textarea[aria-label="{rename}"]')).to_have_value(title)
    # None of them traces back to an effect yet: the chain checks say so.
    expect(chain.locator(".chain-hints li")).to_have_count(3)

    # Link in the table: "Personalen slipper hämta nycklar" leder till "Frigjord arbetstid…".
    leads = fmt(s["effect_chain.add_consequence"], title=E_KEYS)
    chain.locator(f'select[aria-label="{leads}"]').select_option(label=N_TIME)
    chain.locator(f'button.chain-add-go[aria-label="{leads}"]').click()
    row = chain.locator("table.chain-table").first.locator(
        "tbody tr", has=f.locator(f"textarea[aria-label*='{E_KEYS}']")
    )
    expect(row.locator("td").nth(1).locator(".chain-chip-title")).to_have_text([N_TIME])
    expect(chain.locator(".chain-hints li")).to_have_count(2)

    # Link in the diagram: click the effect, then the benefit it leads to.
    chain.locator("button.chain-tab[data-fkey=tab-diagram]").click()
    diagram = chain.locator(".chain-main-view svg.chain-svg")
    expect(diagram).to_be_visible()
    diagram.locator(f'g.chain-node[aria-label*="{E_SAFE}"]').click()
    expect(chain.locator(".chain-say")).to_have_text(fmt(s["effect_chain.picked"], title=E_SAFE))
    diagram.locator(f'g.chain-node[aria-label*="{N_SAFE}"]').click()
    expect(chain.locator(".chain-say")).to_have_text(fmt(s["effect_chain.linked"], **{"from": E_SAFE, "to": N_SAFE}))
    expect(chain.locator(".chain-all-links .chain-chip-title")).to_have_text(
        [
            fmt(s["effect_chain.link_text"], **{"from": E_KEYS, "to": N_TIME}),
            fmt(s["effect_chain.link_text"], **{"from": E_SAFE, "to": N_SAFE}),
        ]
    )

    # Two phones propose the missing link; the console shows it once, "2 proposed".
    for name in ("Omar", "Lisa"):
        phone = phones[name]
        expect(phone.locator("#act-title")).to_have_text(step3)
        form = phone.locator("form.chain-propose")
        form.locator("select[name=from]").select_option(label=E_NET)
        form.locator("select[name=to]").select_option(label=K_IT)
        form.locator("button[type=submit]").click()
        expect(form.locator(".status")).to_have_text(
            fmt(strings(phone)["effect_chain.proposed"], **{"from": E_NET, "to": K_IT})
        )
    proposal = chain.locator(".chain-proposal")
    expect(proposal).to_have_count(1)
    expect(proposal.locator(".chain-proposal-text")).to_have_text(
        fmt(s["effect_chain.link_text"], **{"from": E_NET, "to": K_IT})
    )
    expect(proposal.locator(".badge")).to_have_text(fmt(s["effect_chain.n_proposed"], n="2"))
    proposal.locator("button.primary").click()
    expect(chain.locator(".chain-proposal")).to_have_count(0)
    expect(chain.locator(".chain-checks p.help")).to_have_text(s["effect_chain.checks_ok"])
    # The phone that proposed it sees it is in the chain now.
    expect(phones["Omar"].locator(".chain-yours .badge.done")).to_have_text(
        strings(phones["Omar"])["effect_chain.in_chain"]
    )

    # The projector: the diagram with three arrows, each cause → effect.
    pres_chain = screen.locator("#pres-view .chain-present")
    expect(pres_chain.locator("g.chain-node")).to_have_count(6)
    expect(pres_chain.locator("g.chain-edge")).to_have_count(3)
    links = pres_chain.locator("figure.chain-figure ul.sr-only li")
    expect(links).to_have_count(3)
    assert sorted(links.all_inner_texts()) == sorted(
        [
            fmt(s["effect_chain.link_text"], **{"from": E_KEYS, "to": N_TIME}),
            fmt(s["effect_chain.link_text"], **{"from": E_SAFE, "to": N_SAFE}),
            fmt(s["effect_chain.link_text"], **{"from": E_NET, "to": K_IT}),
        ]
    )
    ui.shot(screen, "method-chain")

    # --- step 4: sorting --------------------------------------------------------------------
    f.locator("#next").click()
    expect(f.locator("#current-meta")).to_contain_text(s["kind.sorting"])
    step4 = f.locator("#current-title").inner_text()
    votes = {
        # name: [(category, money, perspective) for N_TIME, N_SAFE, K_IT]
        "Kalle": [
            ("omfordelning", True, PERSPECTIVES[0]),
            ("kvalitet", False, PERSPECTIVES[1]),
            ("omfordelning", True, PERSPECTIVES[0]),
        ],
        "Lisa": [
            ("omfordelning", True, PERSPECTIVES[0]),
            ("kvalitet", False, PERSPECTIVES[1]),
            ("finansiell", True, PERSPECTIVES[0]),
        ],
        "Omar": [("finansiell", False, PERSPECTIVES[0]), ("kvalitet", False, None), ("kvalitet", False, None)],
    }
    for name, phone in phones.items():
        expect(phone.locator("#act-title")).to_have_text(step4)
        ps = strings(phone)
        for title, (cat, money, persp) in zip((N_TIME, N_SAFE, K_IT), votes[name]):
            sort_item(phone, title, cat, money, persp)
        expect(phone.locator(".sort-phone > p.status")).to_have_text(ps["sorting.all_done"])
        expect(phone.locator(".sort-overview .badge.done")).to_have_count(3)
    # Hidden until revealed: the screen counts the voters but shows no bars.
    expect(screen.locator("#pres-responses")).to_have_text("3")
    expect(screen.locator("#pres-view .mk-stack")).to_have_count(0)
    f.locator("#reveal").click()
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")

    items = screen.locator("#pres-view .sort-pres-item")
    expect(items).to_have_count(3)
    # The gråzon first: "Mer tid för IT-support" split three ways.
    expect(items.locator(".sort-pres-name")).to_have_text([K_IT, N_TIME, N_SAFE])

    def spoken(counts: dict) -> str:
        return ", ".join(
            f"{s[f'sorting.cat_{c}']} {counts.get(c, 0)}" for c in ("finansiell", "omfordelning", "kvalitet", "miljo")
        )

    expect(items.nth(0).locator(".mk-stack")).to_have_attribute(
        "aria-label", spoken({"omfordelning": 1, "finansiell": 1, "kvalitet": 1})
    )
    expect(items.nth(1).locator(".mk-stack")).to_have_attribute(
        "aria-label", spoken({"omfordelning": 2, "finansiell": 1})
    )
    expect(items.nth(2).locator(".mk-stack")).to_have_attribute("aria-label", spoken({"kvalitet": 3}))
    expect(items.nth(0)).to_have_class(re.compile(r"\bgrey\b"))
    expect(items.nth(0).locator(".mk-grey-badge")).to_be_visible()
    expect(items.nth(1)).not_to_have_class(re.compile(r"\bgrey\b"))
    expect(items.nth(2).locator(".sort-pres-agree")).to_have_text(
        f"{s['sorting.agreement_high']} · {fmt(s['sorting.voters'], n='3')}"
    )
    expect(screen.locator("#pres-view .sort-pres-grey")).to_contain_text("1")
    ui.shot(screen, "method-sorting")

    # The console holds the same tally.
    expect(f.locator("#current-view .mk-summary")).to_have_text(
        " · ".join(
            [
                fmt(s["sorting.summary_items"], n="3"),
                fmt(s["sorting.summary_voted"], n="3"),
                fmt(s["sorting.summary_grey"], n="1"),
                fmt(s["sorting.summary_decided"], n="0"),
            ]
        )
    )
    assert screen.evaluate("window.__sameScreen") is True, "the presenter page reloaded"


def template_workshop_http(server, ui, template: str, title: str) -> dict:
    """The /f/new form posted without a browser (for tests whose subject is not that form)."""
    session = server.facilitator_session()
    page = session.get(server.url + "/f/new").text
    r = session.post(
        server.url + "/f/new",
        data={
            "csrf_token": ui.csrf_from(page),
            "template": template,
            "title": title,
            "language": "sv",
            "mode": "live",
            "ask_nickname": "1",
        },
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    return {
        "session": session,
        "id": ws_id,
        "code": re.search(r"/j/(\d{8})", r.text).group(1),
        "presenter_url": re.search(r'href="(/present/\d+/[^"]+)"', r.text).group(1),
    }


def test_phone_offers_the_perspectives_for_an_effect(open_page, ui, live_server):
    ws = template_workshop_http(live_server, ui, TEMPLATE, "Effektworkshop perspektiv")
    phone = open_page("phone", "phone")
    join(phone, ws["code"], "Greta", None)
    select = phone.locator("form.eff-form select[name=perspective]")
    expect(select).to_be_visible()
    # "Not chosen" and the analysis's five perspectives.
    expect(select.locator("option")).to_have_count(6, timeout=2000)
    add_effect(phone, E_KEYS, "positive", perspective=PERSPECTIVES[1])
    doc = ws["session"].get(f"{live_server.url}/f/w/{ws['id']}/export.json", timeout=10).json()
    assert [(n["title"], n["perspective"]) for n in doc["analysis"]["nodes"]] == [(E_KEYS, PERSPECTIVES[1])]


def test_chain_titles_fit_in_their_boxes_on_the_projector(open_page, ui, live_server):
    import socketio

    ws = template_workshop_http(live_server, ui, TEMPLATE, "Effektkedjan på projektorn")
    cookie = "; ".join(f"{k}={v}" for k, v in ws["session"].cookies.items())
    con = socketio.Client(reconnection=False)
    con.connect(
        live_server.url,
        namespaces=["/console"],
        auth={"workshop_id": ws["id"]},
        headers={"Cookie": cookie},
        wait_timeout=10,
    )
    try:

        def draft(op, **args):
            ack = con.call("draft", {"op": op, "args": args}, namespace="/console", timeout=10)
            assert ack["ok"], ack
            return ack

        ids = [
            draft("node.add", data=data)["id"]
            for data in (
                {"node_type": "effekt", "title": E_NET, "polarity": "negative"},
                {
                    "node_type": "effekt",
                    "title": "Hemtjänstpersonalen behöver inte längre åka förbi kontoret",
                    "polarity": "positive",
                },
                {"node_type": "nytta", "title": "Frigjord arbetstid för undersköterskor i hemtjänsten"},
                {"node_type": "konsekvenskostnad", "title": "Mer tid för IT-supporten vid låsproblem"},
            )
        ]
        draft("link.add", **{"from": ids[0], "to": ids[3]})
        draft("link.add", **{"from": ids[1], "to": ids[2]})
        acts = con.call("snapshot", {}, namespace="/console", timeout=10)["snapshot"]["workshop"]["activities"]
        chain_id = next(a["id"] for a in acts if a["kind"] == "effect_chain")
        assert con.call("goto", {"activity_id": chain_id}, namespace="/console", timeout=10)["ok"]
    finally:
        con.disconnect()
    screen = open_page("presenter", "presenter")
    screen.goto(ws["presenter_url"])
    nodes = screen.locator("#pres-view .chain-present g.chain-node")
    expect(nodes).to_have_count(4)
    # Every line of every title ends inside its box (8 user units of padding on the right).
    overflow = screen.evaluate("""() => [...document.querySelectorAll('#pres-view g.chain-node')].flatMap((g) => {
        const w = Number(g.querySelector('rect.chain-box').getAttribute('width'));
        return [...g.querySelectorAll('text.chain-text')]
          .map((t) => ({ line: t.textContent, w,
            // the visible glyphs: a line's trailing space (kept between lines for screen readers) is not ink
            right: Number(t.getAttribute('x')) + t.getSubStringLength(0, t.textContent.trimEnd().length) }))
          .filter((x) => x.right > x.w - 8);
    })""")
    assert overflow == [], overflow
