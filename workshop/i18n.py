"""Language selection and the strings the browser code needs, translated on the server.

Swedish is the default; English is chosen with ``?lang=en`` (kept in the session) or by a
workshop's language on the phone and presenter pages. JS strings live here and in each
activity kind's ``js_strings``, so Babel extracts them like any other text.
"""

from __future__ import annotations

from flask import g, request, session
from flask_babel import lazy_gettext as _l

LANGUAGES = ("sv", "en")
DEFAULT = "sv"


def select_locale() -> str:
    forced = getattr(g, "locale", None)
    if forced in LANGUAGES:
        return forced
    try:
        asked = request.args.get("lang")
    except RuntimeError:
        asked = None
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    try:
        chosen = session.get("lang")
    except RuntimeError:
        chosen = None
    return chosen if chosen in LANGUAGES else DEFAULT


BASE_JS_STRINGS = {
    "connecting": _l("Connecting…"),
    "connected": _l("Connected"),
    "offline": _l("No connection. Your answers are kept and sent when the connection is back."),
    "sending": _l("Sending…"),
    "sent": _l("Sent"),
    "saved": _l("Your answer is saved."),
    "send": _l("Send"),
    "change_answer": _l("Change answer"),
    "locked": _l("The facilitator has locked this activity."),
    "closed": _l("The workshop is closed for answers."),
    "waiting": _l("Waiting for the facilitator to start…"),
    "no_activities": _l("There is nothing to answer right now."),
    "results_hidden": _l("Results are shown when the facilitator reveals them."),
    "responses": _l("responses"),
    "participants": _l("participants"),
    "votes": _l("votes"),
    "time_left": _l("Time left"),
    "time_up": _l("Time is up"),
    "answered": _l("Answered"),
    "not_answered": _l("Not answered"),
    "open_list": _l("Activities"),
    "back_to_list": _l("Back to all activities"),
    "your_answers": _l("Your answers"),
    "hide": _l("Hide"),
    "show": _l("Show"),
    "approve": _l("Approve"),
    "delete": _l("Delete"),
    "merge": _l("Merge into…"),
    "merge_pick": _l("Pick the entry to merge into"),
    "cancel": _l("Cancel"),
    "pending": _l("Awaiting approval"),
    "hidden": _l("Hidden"),
    "error": _l("Something went wrong."),
    "join_code": _l("Code"),
    "join_at": _l("Join at"),
    "no_responses": _l("No answers yet."),
    "confirm_reset": _l("Clear all answers to this activity? They stay stored but no longer count."),
    "mean": _l("Mean"),
    "remaining": _l("left"),
    "of": _l("of"),
    "console.lock": _l("Lock input"),
    "console.unlock": _l("Unlock input"),
    "console.reveal": _l("Reveal results"),
    "console.unreveal": _l("Hide results"),
    "console.start_timer": _l("Start timer"),
    "console.stop_timer": _l("Stop timer"),
}


def js_strings() -> dict[str, str]:
    from .activities import all_kinds

    out = {k: str(v) for k, v in BASE_JS_STRINGS.items()}
    for kind in all_kinds().values():
        out[f"kind.{kind.key}"] = str(kind.label)
        for key, value in getattr(kind, "js_strings", {}).items():
            out[f"{kind.key}.{key}"] = str(value)
    return out
