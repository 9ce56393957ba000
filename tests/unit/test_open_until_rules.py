"""Self-paced workshops from a template, and the closing time ("Öppen till") everywhere it
matters: the form reads it in local time, the dashboard and console say when it has passed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from workshop.extensions import db
from workshop.models import Workshop

PASSWORD = "hemligt-lösen-1"


@pytest.fixture
def client(app, facilitator):
    c = app.test_client()
    c.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})
    return c


def new_workshop(client, **form) -> int:
    data = {"template": "", "title": "", "language": "sv", "mode": "", "open_until": ""} | form
    r = client.post("/f/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    return int(re.search(r"/f/w/(\d+)", r.headers["Location"]).group(1))


def workshop(app, ws_id: int) -> Workshop:
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        db.session.expunge(ws)
        return ws


@pytest.mark.parametrize("key", ["effect_workshop_30min", "forum_poll_deck", "nine_steps"])
def test_a_template_with_self_paced_chosen_is_self_paced(app, client, key):
    ws_id = new_workshop(client, template=key, mode="self_paced")
    assert workshop(app, ws_id).mode == "self_paced"


def test_a_template_keeps_its_own_mode_unless_one_is_chosen(app, client):
    assert workshop(app, new_workshop(client, template="effect_workshop_week")).mode == "self_paced"
    assert workshop(app, new_workshop(client, template="effect_workshop_30min")).mode == "live"
    assert workshop(app, new_workshop(client, template="effect_workshop_week", mode="live")).mode == "live"
    # An empty workshop without a choice is live.
    assert workshop(app, new_workshop(client, title="Tom")).mode == "live"


def test_the_new_form_offers_the_templates_mode(client):
    page = client.get("/f/new").get_data(as_text=True)
    assert re.search(r'<option value="" selected>[^<]+</option>', page)


def test_open_until_is_read_and_shown_in_local_time(app, client):
    # 16:00 in Stockholm in June is 14:00 UTC.
    ws_id = new_workshop(client, template="forum_poll_deck", mode="self_paced", open_until="2026-06-10T16:00")
    assert workshop(app, ws_id).open_until == datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    page = client.get(f"/f/w/{ws_id}").get_data(as_text=True)
    assert 'value="2026-06-10T16:00"' in page


def close(app, ws_id: int, minutes_ago: int = 5) -> None:
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        ws.open_until = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        db.session.commit()


def test_dashboard_and_console_say_closed_after_open_until(app, client):
    ws_id = new_workshop(client, template="forum_poll_deck", mode="self_paced")
    dashboard = client.get("/f/").get_data(as_text=True)
    assert "Stängd för svar" not in dashboard
    close(app, ws_id)
    dashboard = client.get("/f/").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Användarforum nyttokalkyler(?:(?!</tr>).)*</tr>", dashboard, re.S).group(
        0
    )
    assert "Stängd för svar" in row
    console = client.get(f"/f/w/{ws_id}/console").get_data(as_text=True)
    notice = re.search(r'<p id="ws-closed"[^>]*>', console).group(0)
    assert "hidden" not in notice


def test_console_notice_is_hidden_while_open(app, client):
    ws_id = new_workshop(client, template="forum_poll_deck", mode="self_paced")
    console = client.get(f"/f/w/{ws_id}/console").get_data(as_text=True)
    assert "hidden" in re.search(r'<p id="ws-closed"[^>]*>', console).group(0)


def test_state_tells_phones_the_closing_time_and_zone(app, client):
    from workshop.realtime.payloads import workshop_state

    ws_id = new_workshop(client, template="forum_poll_deck", mode="self_paced", open_until="2026-06-10T16:00")
    with app.test_request_context():
        state = workshop_state(db.session.get(Workshop, ws_id), "phone")
    assert state["open_until"].startswith("2026-06-10T14:00")
    assert state["timezone"] == "Europe/Stockholm"
