"""A self-paced workshop from a template, in English, with a closing time: the phone shows the
closing date in the workshop's language while it is open and says it is closed once it has
passed; the dashboard and console say so too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_input(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


def test_closing_time_on_phone_dashboard_and_console(open_page, ui):
    f = open_page("facilitator")
    ui.login(f)
    f.goto("/f/new")
    f.locator("input[name=template][value=forum_poll_deck]").check()
    f.locator("#language").select_option("en")
    f.locator("#mode").select_option("self_paced")
    closes = (datetime.now(STOCKHOLM) + timedelta(days=3)).replace(hour=17, minute=0, second=0, microsecond=0)
    f.locator("#open_until").fill(local_input(closes))
    f.locator("main form button[type=submit].primary").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})", f.content()).group(1)

    phone = open_page("phone", "phone")
    phone.goto(f"/j/{code}")
    phone.locator("#nickname").fill("Greta")
    phone.locator("#profile-form button[type=submit]").click()
    # Self-paced: the list of activities, in English, with the closing date written the English way.
    expect(phone.locator("ul.activity-pick .pick-title").first).to_have_text(
        "Do you use Inera's method for benefit calculations?"
    )
    when = f"{closes.day} {closes.strftime('%B %Y')} at 17:00"
    expect(phone.locator(".closing-time")).to_have_text(f"Open for answers until {when}.")
    ui.shot(phone, "phone-open-until-en")
    phone.locator("button.pick").first.click()
    expect(phone.locator(".card.activity .closing-time")).to_have_text(f"Open for answers until {when}.")
    phone.locator("button.back").click()

    # The closing time moves into the past: the phone, the console and the dashboard say closed.
    f.goto(f"/f/w/{ws_id}")
    f.locator("details.card summary").click()
    f.locator("#open_until").fill(local_input(datetime.now(STOCKHOLM) - timedelta(hours=1)))
    f.locator("form:has(#open_until) button[type=submit]").click()
    expect(phone.locator(".card .notice")).to_have_text("The workshop is closed for answers.")
    expect(phone.locator(".closing-time")).to_have_count(0)
    ui.shot(phone, "phone-closed-en")
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#ws-closed")).to_be_visible()
    f.goto("/f/")
    expect(f.locator("tr", has_text="User forum on benefit calculations")).to_contain_text("Stängd för svar")


def test_a_page_left_open_closes_when_the_time_passes(open_page, ui):
    """No message needs to arrive: the page's own timer marks the workshop closed."""
    page = open_page("clock", "phone")
    page.goto("/")
    fired = page.evaluate(
        """async () => {
          const { watchClosing } = await import('/static/js/core.js');
          const ws = { open_until: new Date(Date.now() + 600).toISOString(), accepts_input: true };
          await new Promise((resolve) => watchClosing(ws, resolve));
          return ws.accepts_input;
        }"""
    )
    assert fired is False
