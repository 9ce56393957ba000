"""The votes split by the voter's perspective, in the room: a facilitator switches it on in the
console, the presenter shows figures for a group of three and "för få svar" for smaller groups
(the one without a perspective included), the console shows the same, axe finds nothing
serious, and the results export says the same. Screenshots of the presenter at 1280×720 and
1920×1080 (test-artifacts/ and /work/shots/split/ when that folder exists)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

QUESTION = "Vilken nytta väger tyngst?"
OPTIONS = ["Trygghet", "Tid", "Självständighet"]
PERSPECTIVES = ["Solstad kommun", "Brukare"]
SHOTS = Path("/work/shots/split")


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def join(phone, code: str, nickname: str, perspective: str | None) -> None:
    phone.goto(f"/j/{code}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(nickname)
    if perspective:
        phone.locator("#profile label.choice", has_text=perspective).click()
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def vote(phone, option: str) -> None:
    phone.locator("label.choice", has_text=option).click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(phone.locator(".answer-form .status")).to_have_text(strings(phone)["saved"])


class SocketPhone:
    """A phone in the room that the test does not look at: joins over HTTP, votes over /phone."""

    def __init__(self, url: str, code: str, name: str, perspective: str):
        r = requests.post(
            url + "/api/join", json={"code": code, "nickname": name, "perspective": perspective}, timeout=10
        )
        r.raise_for_status()
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(url, namespaces=["/phone"], auth={"token": r.json()["token"]}, wait_timeout=10)
        self.name = name

    def vote(self, activity_id: int, choice: int) -> None:
        ack = self.sio.call(
            "submit",
            {"activity_id": activity_id, "client_id": f"{self.name}-1", "payload": {"choices": [choice]}},
            namespace="/phone",
            timeout=15,
        )
        assert ack.get("ok") is True, ack


def shot(ui, page, name: str) -> None:
    path = ui.shot(page, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)


def test_votes_split_by_the_voters_perspective(open_page, ui, live_server):
    ws = ui.workshop(
        "Användarforum",
        [("multiple_choice", {"title": QUESTION, "cfg_options": "\n".join(OPTIONS)})],
        perspectives=PERSPECTIVES,
    )
    act = ws["activity_ids"][0]

    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    expect(f.locator("#current-title")).to_have_text(QUESTION)
    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(ws["presenter_url"])
    expect(screen.locator("#pres-title")).to_have_text(QUESTION)

    # Three phones on screen, one per group; three more in the room over sockets.
    # Solstad kommun: 3 voters (figures); Brukare: 2 (too few); no perspective: 1 (too few).
    others = [
        SocketPhone(live_server.url, ws["code"], "Sara", "Solstad kommun"),
        SocketPhone(live_server.url, ws["code"], "Tor", "Solstad kommun"),
        SocketPhone(live_server.url, ws["code"], "Ulla", "Brukare"),
    ]
    try:
        for name, perspective, option in (
            ("Kalle", "Solstad kommun", "Trygghet"),
            ("Lisa", "Brukare", "Tid"),
            ("Omar", None, "Trygghet"),
        ):
            phone = open_page(name, "phone")
            join(phone, ws["code"], name, perspective)
            vote(phone, option)
        others[0].vote(act, 0)
        others[1].vote(act, 1)
        others[2].vote(act, 2)
    finally:
        for p in others:
            p.sio.disconnect()
    expect(screen.locator("#pres-responses")).to_have_text("6")
    s = strings(f)

    # --- the console's switch --------------------------------------------------------------
    button = f.locator("#split")
    expect(button).to_be_visible()
    expect(button).to_have_text(s["console.split"])
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(screen.locator("#pres-fit .bars")).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")

    # --- the presenter -----------------------------------------------------------------------
    table = screen.locator("#pres-fit .split-table")
    expect(table).to_be_visible()
    heads = table.locator("thead th")
    expect(heads).to_have_count(5)
    expect(heads.nth(1)).to_contain_text("Solstad kommun")
    expect(heads.nth(1)).to_contain_text("3 röstande")
    expect(heads.nth(2)).to_contain_text("Brukare")
    expect(heads.nth(2)).to_contain_text("för få svar")
    expect(heads.nth(3)).to_contain_text("Inget perspektiv valt")
    expect(heads.nth(3)).to_contain_text("för få svar")
    expect(heads.nth(4)).to_contain_text("Alla")
    expect(heads.nth(4)).to_contain_text("6 röstande")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    # Trygghet: two of Solstad's three (Kalle, Sara), three in all (Omar too).
    expect(rows.nth(0).locator("td")).to_have_text(["2 (67 %)", "för få svar", "för få svar", "3 (50 %)"])
    expect(rows.nth(1).locator("td")).to_have_text(["1 (33 %)", "för få svar", "för få svar", "2 (33 %)"])
    expect(rows.nth(2).locator("td")).to_have_text(["0 (0 %)", "för få svar", "för få svar", "1 (17 %)"])
    expect(screen.locator("#pres-fit .split-rule")).to_contain_text("färre än 3 röstande")
    # No figure of a small group is on the page, not even hidden.
    assert screen.locator("#pres-fit .split-too_few").count() == 6
    for w, h in ((1280, 720), (1920, 1080)):
        screen.set_viewport_size({"width": w, "height": h})
        screen.wait_for_timeout(400)
        shot(ui, screen, f"split-presenter-{w}x{h}")

    # --- the console shows the same below the kind's own view ------------------------------
    console_table = f.locator("#current-view .split-table")
    expect(console_table).to_be_visible()
    expect(console_table.locator("tbody tr").nth(0).locator("td")).to_have_text(
        ["2 (67 %)", "för få svar", "för få svar", "3 (50 %)"]
    )
    expect(f.locator("#split-csv")).to_be_visible()
    shot(ui, f, "split-console")

    # --- accessibility ---------------------------------------------------------------------
    ui.axe_start(screen)
    ui.axe_start(f)
    for name, page in (("presenter", screen), ("console", f)):
        found = ui.axe_result(page)
        assert not found, f"{name}:\n" + ui.describe(found)

    # --- the results export says the same ----------------------------------------------------
    csv_text = f.request.get(f.locator("#split-csv").get_attribute("href")).text()
    lines = csv_text.lstrip("\ufeff").split("\r\n")
    assert lines[0].split(";")[1:] == [
        "Solstad kommun (3 röstande)",
        "Brukare (för få svar)",
        "Inget perspektiv valt (för få svar)",
        "Alla (6 röstande)",
    ]
    assert lines[1] == "Trygghet;2;för få svar;för få svar;3"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(f.request.get(f"/f/w/{ws['id']}/results.xlsx").body()))
    sheet = [list(r) for r in book["Per perspektiv"].iter_rows(values_only=True)]
    assert ["Trygghet", 2, "för få svar", "för få svar", 3] in [r[:5] for r in sheet]

    # --- off again: the kind's own view --------------------------------------------------------
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(screen.locator("#pres-fit .bars")).to_be_visible()
    expect(screen.locator("#pres-fit .split-table")).to_have_count(0)
    expect(f.locator("#split-csv")).to_be_hidden()
    assert re.search(r"view=split", f.locator("#split-csv").get_attribute("href"))
