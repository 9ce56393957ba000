"""A phone always ends on the activity the facilitator is showing, even when the facilitator
moves on faster than the phone's network brings the code for an activity kind."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_phone_ends_on_the_current_activity_when_a_kind_loads_slowly(open_page, ui):
    other = next(k for k in ui.complete_kinds() if k != "multiple_choice")
    ws = ui.workshop(
        "Snabb facilitator",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": "Fråga ett", "cfg_options": "Ja\nNej"}),
            (other, {"title": "Fråga två"}),
            ("multiple_choice", {"title": "Fråga tre", "cfg_options": "Bra\nDåligt"}),
        ],
    )
    phone = open_page("phone", "phone")
    held = []  # the request for the second kind's module waits here until the test lets it go
    phone.route(f"**/static/js/kinds/{other}.js", lambda route: held.append(route))
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#act-title")).to_have_text("Fråga ett")

    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#current-title")).to_have_text("Fråga ett")
    f.locator("#next").click()
    expect(f.locator("#current-title")).to_have_text("Fråga två")
    for _ in range(200):  # the phone asks for the module it needs...
        if held:
            break
        phone.wait_for_timeout(50)
    assert held, "the phone did not load the second kind's module"
    f.locator("#next").click()  # ...and the facilitator moves on before it arrives
    expect(f.locator("#current-title")).to_have_text("Fråga tre")
    expect(phone.locator("#act-title")).to_have_text("Fråga tre")

    for route in held:
        route.continue_()
    # The late module arrives (a resource timing entry appears once it has loaded); the
    # drawing that waited for it must not put the old activity back on the screen.
    phone.wait_for_function(
        "kind => performance.getEntriesByType('resource').some(e => e.name.endsWith(`/kinds/${kind}.js`))", arg=other
    )
    phone.wait_for_timeout(200)
    expect(phone.locator("#act-title")).to_have_text("Fråga tre")
    expect(phone.locator("label.choice")).to_have_text(["Bra", "Dåligt"])
