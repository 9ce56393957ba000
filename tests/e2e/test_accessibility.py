"""axe-core on every kind of page, in the state people see it: no serious or critical violations.

axe is injected as a script tag, which the app's Content-Security-Policy refuses (as it should),
so these browser contexts bypass CSP; every other test runs with the policy enforced.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

Q1 = "Vilka nyttor är viktigast för brukarna?"


def test_accessibility(open_page, ui, js_errors):
    ws = ui.workshop(
        "Användarforum Solstad",
        activities=[
            ("multiple_choice", {"title": Q1, "cfg_options": "Trygghet\nTid med personalen\nSjälvständighet"}),
            ("multiple_choice", {"title": "Dolt resultat", "cfg_options": "Ja\nNej", "results_hidden": "1"}),
        ],
    )
    found: dict[str, list[dict]] = {}

    def check(page, name: str) -> None:
        found[name] = ui.axe(page)

    phone = open_page("phone", "phone", bypass_csp=True)
    phone.goto("/")
    check(phone, "start page")
    phone.locator("#code").fill("123")  # too short: answered on the page
    phone.locator("#join-form button[type=submit]").click()
    expect(phone.locator("#code-error")).to_be_visible()
    expect(phone.locator("#code")).to_have_attribute("aria-invalid", "true")
    check(phone, "start page: short code")
    phone.locator("#code").fill("1234 5678")  # no such workshop: the server says so (a 404)
    js_errors.allow(r"status of 404 .*/j/12345678")
    phone.locator("#join-form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/j/12345678$"))
    expect(phone.locator("#code-error")).to_be_visible()
    check(phone, "start page: unknown code")
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#profile")).to_be_visible()
    check(phone, "phone: nickname form")
    phone.locator("#nickname").fill("Kim")
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#act-title")).to_have_text(Q1)
    check(phone, "phone: activity")
    phone.locator("label.choice", has_text="Trygghet").click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(phone.locator(".answer-form .status")).not_to_be_empty()
    check(phone, "phone: answered")

    f = open_page("facilitator", bypass_csp=True)
    f.goto("/login")
    check(f, "login")
    ui.login(f)
    expect(f.locator("table.list tbody tr")).to_have_count(1)
    check(f, "dashboard")
    ui.shot(f, "dashboard")
    f.goto(f"/f/w/{ws['id']}")
    check(f, "editor")
    f.locator("details.card summary").click()
    check(f, "editor: settings open")
    f.locator(".activity-list .activity-title").first.click()
    expect(f).to_have_url(re.compile(r"/a/\d+$"))
    check(f, "activity editor")
    f.goto("/f/new")
    check(f, "new workshop")
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#current-view .bar")).to_have_count(3)
    check(f, "console")
    f.locator("#lock").click()
    expect(f.locator("#activity-nav .badge")).to_have_count(1)
    check(f, "console: locked")

    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(ws["presenter_url"])
    expect(screen.locator("#pres-view .bar")).to_have_count(3)
    check(screen, "presenter: results")
    f.locator("#next").click()
    expect(screen.locator("#pres-view .pres-hidden")).to_be_visible()
    check(screen, "presenter: hidden results")
    expect(phone.locator("#act-title")).to_have_text("Dolt resultat")
    check(phone, "phone: next activity")

    bad = {name: v for name, v in found.items() if v}
    assert not bad, "axe found serious or critical violations:\n" + "\n".join(
        f"--- {name}\n{ui.describe(v)}" for name, v in bad.items()
    )
    assert len(found) == 17


def test_accessibility_every_kind(open_page, ui):
    """Each activity kind as the phone, the console and the presenter show it (default settings)."""
    kinds = ui.complete_kinds()
    ws = ui.workshop(
        "Alla aktivitetstyper", ask_nickname=False, activities=[(k, {"title": f"Aktivitet {k}"}) for k in kinds]
    )
    phone = open_page("phone", "phone", bypass_csp=True)
    phone.goto(f"/j/{ws['code']}")
    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(ws["presenter_url"])

    found: dict[str, list[dict]] = {}
    for i, kind in enumerate(kinds):
        title = f"Aktivitet {kind}"
        if i:
            f.locator("#next").click()
        pages = (("console", f, "#current-title"), ("presenter", screen, "#pres-title"), ("phone", phone, "#act-title"))
        for _, page, sel in pages:
            expect(page.locator(sel)).to_have_text(title)
        f.wait_for_timeout(100)  # let the kinds' modules draw
        for _, page, _ in pages:
            ui.axe_start(page)  # the three pages are checked in parallel
        for name, page, _ in pages:
            found[f"{kind} on the {name}"] = ui.axe_result(page)
        ui.shot(phone, f"kind-{kind}-phone", full_page=True)
    bad = {name: v for name, v in found.items() if v}
    assert not bad, "axe found serious or critical violations:\n" + "\n".join(
        f"--- {name}\n{ui.describe(v)}" for name, v in bad.items()
    )
    assert len(found) == 3 * len(kinds) >= 3


def test_accessibility_pages_around_the_analysis(open_page, ui, live_server, browser, live_server_with, js_errors):
    """The draft analysis, its report and review link, the account page, error pages and the
    first-run setup page (on a fresh install of its own)."""
    session = live_server.facilitator_session()
    token = ui.csrf_from(session.get(live_server.url + "/f/new").text)
    r = session.post(
        live_server.url + "/f/new",
        data={"csrf_token": token, "title": "", "language": "sv", "mode": "live", "template": "example_digital_locks"},
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    found: dict[str, list[dict]] = {}

    def check(page, name: str) -> None:
        found[name] = ui.axe(page)

    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    f.goto(f"/f/w/{ws_id}/analysis")
    expect(f.locator("main h1")).to_be_visible()
    check(f, "draft analysis")
    review = f.locator("#results-url").input_value()  # the results link, in its dialog
    f.goto(f"/f/w/{ws_id}/report")
    check(f, "report")
    f.goto("/f/account")
    check(f, "account")
    f.locator("#current").fill("fel")
    f.locator("#new").fill("kort")
    f.locator("#repeat").fill("kort")
    f.locator("main form button[type=submit]").click()
    expect(f.locator("main .error")).to_be_visible()
    check(f, "account: error")
    f.goto("/f/org")
    check(f, "organisation")

    js_errors.allow(r"status of 404 .*/(no-such-page|present/\d+/fel-nyckel)")
    anyone = open_page("reviewer", bypass_csp=True)
    anyone.goto(review)
    check(anyone, "review link")
    anyone.goto("/no-such-page")
    check(anyone, "error page 404")
    anyone.goto(f"/present/{ws_id}/fel-nyckel")
    check(anyone, "error page: wrong presenter key")
    anyone.goto("/tillganglighet")
    check(anyone, "accessibility statement")
    f.goto(f"/f/w/{ws_id}/followup")
    check(f, "decision and follow-up")

    fresh = live_server_with({})
    code = (fresh.data_dir / "setup_code").read_text().strip()
    ctx = browser.new_context(base_url=fresh.url, locale="sv-SE", bypass_csp=True)
    try:
        page = ctx.new_page()
        page.goto(f"/setup?code={code}")
        expect(page.locator("#code")).to_have_value(code)
        check(page, "setup")
        page.locator("#email").fill("forsta@solstad.se")
        page.locator("#password").fill("kort")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("main .error")).to_be_visible()
        check(page, "setup: error")
    finally:
        ctx.close()

    bad = {name: v for name, v in found.items() if v}
    assert not bad, "axe found serious or critical violations:\n" + "\n".join(
        f"--- {name}\n{ui.describe(v)}" for name, v in bad.items()
    )
    assert len(found) == 12
