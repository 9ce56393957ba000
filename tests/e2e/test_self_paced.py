"""A self-paced workshop: phones pick activities from a list, in any order; the console counts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

A1 = "Vilka grupper berörs av insatsen?"
A2 = "Hur ofta använder ni nyttokalkyl?"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def open_activity(phone, title: str) -> None:
    phone.locator("button.pick", has_text=title).click()
    expect(phone.locator("#act-title")).to_have_text(title)


def answer(phone, option: str) -> None:
    phone.locator("label.choice", has_text=option).click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(phone.locator(".answer-form .status")).to_have_text(strings(phone)["saved"])


def back_to_list(phone) -> None:
    phone.locator("button.back").click()
    expect(phone.locator("ul.activity-pick")).to_be_visible()


def badges(phone) -> list[str]:
    return [b.inner_text() for b in phone.locator("ul.activity-pick .badge").all()]


def test_self_paced(open_page, ui):
    ws = ui.workshop(
        "Nyttoverkstad vecka 12",
        mode="self_paced",
        activities=[
            ("multiple_choice", {"title": A1, "cfg_options": "Brukare\nNärstående\nPersonal"}),
            ("multiple_choice", {"title": A2, "cfg_options": "Varje vecka\nNågon gång per år\nAldrig"}),
        ],
    )
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    expect(f.locator("#activity-nav .nav-title")).to_have_text([A1, A2])

    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    phone.locator("#nickname").fill("Greta")
    phone.locator("#profile-form button[type=submit]").click()

    # The list: both activities, neither answered.
    s = strings(phone)
    expect(phone.locator("ul.activity-pick .pick-title")).to_have_text([A1, A2])
    expect(phone.locator("ul.activity-pick .badge")).to_have_text([s["not_answered"], s["not_answered"]])
    ui.shot(phone, "phone-self-paced-list")

    # Answer the second first; the list marks it and only it.
    open_activity(phone, A2)
    answer(phone, "Någon gång per år")
    back_to_list(phone)
    expect(phone.locator("ul.activity-pick .badge")).to_have_text([s["not_answered"], s["answered"]])
    expect(phone.locator("ul.activity-pick .badge.done")).to_have_count(1)

    open_activity(phone, A1)
    answer(phone, "Närstående")
    back_to_list(phone)
    expect(phone.locator("ul.activity-pick .badge")).to_have_text([s["answered"], s["answered"]])
    ui.shot(phone, "phone-self-paced-done")

    # A second phone answers only the first activity.
    other = open_page("phone-2", "phone")
    other.goto(f"/j/{ws['code']}")
    other.locator("#profile-form button[type=submit]").click()  # no nickname: it is optional
    open_activity(other, A1)
    answer(other, "Brukare")

    # The console counts responders per activity: 2 and 1.
    expect(f.locator("#activity-nav .nav-count")).to_have_text([re.compile(r"^2\b"), re.compile(r"^1\b")])
    expect(f.locator("#people-count")).to_have_text("2")

    # After a reload the phone still knows what it answered.
    phone.reload()
    expect(phone.locator("ul.activity-pick .badge")).to_have_text([s["answered"], s["answered"]])
    open_activity(phone, A1)
    expect(phone.locator("label.choice", has_text="Närstående").locator("input")).to_be_checked()
