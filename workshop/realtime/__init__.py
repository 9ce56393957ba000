"""Realtime plumbing shared by the facilitator and participant socket handlers.

Namespaces separate the roles, so a phone connection cannot even address a facilitator event:
``/phone`` (participants), ``/screen`` (presenter, read-only), ``/console`` (facilitator).
Every namespace uses one room per workshop, ``ws:<id>``. Each phone is also in one of
``PHONE_SLICES`` slices of its workshop's room (``ws:<id>:<k>``, k = participant id mod
``PHONE_SLICES``): a results round for thousands of phones goes out slice by slice, spread
over time, so that acknowledgements are not held behind it (``Broadcaster._fan_out``).
"""

PHONE = "/phone"
SCREEN = "/screen"
CONSOLE = "/console"


def room(workshop_id: int) -> str:
    return f"ws:{workshop_id}"


PHONE_SLICES = 16


def phone_slice(workshop_id: int, participant_id: int) -> str:
    """The slice of the workshop's phone room that a participant's sockets are in."""
    return slice_room(workshop_id, participant_id % PHONE_SLICES)


def slice_room(workshop_id: int, k: int) -> str:
    return f"ws:{workshop_id}:{k}"
