"""A results message from before a reset that reaches a phone after the reset's state (a big
room gets its rounds slice by slice, up to seconds apart) does not put the old answers back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Keep every socket the page opens, so the test can hand the phone a message as the server would.
KEEP_SOCKETS = """
(() => {
  let real;
  window.__sockets = [];
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return real; },
    set(lib) {
      const kept = function (...args) { const s = lib(...args); window.__sockets.push(s); return s; };
      Object.assign(kept, lib);
      real = kept;
    },
  });
})();
"""

DELIVER = """([res]) => {
  for (const s of window.__sockets) for (const fn of s.listeners("results")) fn(res);
}"""


def test_results_of_an_earlier_generation_do_not_come_back_after_a_reset(open_page, ui):
    ws = ui.workshop(
        "Återställning",
        ask_nickname=False,
        activities=[("multiple_choice", {"title": "Fråga", "cfg_options": "Ja\nNej"})],
    )
    act = ws["activity_ids"][0]
    phone = open_page("phone", "phone")
    phone.add_init_script(KEEP_SOCKETS)
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#act-title")).to_have_text("Fråga")
    phone.locator("label.choice", has_text="Ja").click()
    phone.locator(".answer-form button[type=submit]").click()
    count = phone.locator(".activity .count-line")
    expect(count).to_have_attribute("data-responders", "1", timeout=10_000)

    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#current-title")).to_have_text("Fråga")
    f.on("dialog", lambda d: d.accept())
    f.locator("#reset").click()
    expect(count).to_have_attribute("data-responders", "0", timeout=10_000)

    def results(generation: int, responders: int) -> dict:
        return {
            "activity_id": act,
            "generation": generation,
            "responders": responders,
            "pending": 0,
            "visible": False,
            "aggregate": None,
            "version": "~",  # sorts after every version the server makes: never "older"
        }

    # The last round of generation 0, late: ignored.
    phone.evaluate(DELIVER, [results(0, 7)])
    phone.wait_for_timeout(300)
    expect(count).to_have_attribute("data-responders", "0")
    # The same message of the present generation is shown (the test can tell the difference).
    phone.evaluate(DELIVER, [results(1, 7)])
    expect(count).to_have_attribute("data-responders", "7")
