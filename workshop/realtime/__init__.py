"""Realtime plumbing shared by the facilitator and participant socket handlers.

Namespaces separate the roles, so a phone connection cannot even address a facilitator event:
``/phone`` (participants), ``/screen`` (presenter, read-only), ``/console`` (facilitator).
Every namespace uses one room per workshop, ``ws:<id>``.
"""

PHONE = "/phone"
SCREEN = "/screen"
CONSOLE = "/console"


def room(workshop_id: int) -> str:
    return f"ws:{workshop_id}"
