"""Language selection and the core's strings for the browser code, translated on the server.

Swedish is the default; English is chosen with ``?lang=en`` (kept in the session) or by a
workshop's language on the phone and presenter pages. Browser strings live here and in each
activity kind's ``js_strings``, so Babel extracts them like any other text; the page gets all
of them from ``workshop.browser_strings``.
"""

from __future__ import annotations

from flask import g, request, session
from flask_babel import get_translations
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


class Plural:
    """A browser string with a singular and a plural form ("%(n)s effect" / "%(n)s effects").

    Sent to the page as two keys, ``key`` (other) and ``key#one``; ``t(key, {n})`` in
    static/js/core.js picks the form for ``n`` (Swedish and English both have two forms:
    one for 1, the other for the rest)."""

    def __init__(self, singular: str, plural: str):
        self.singular, self.plural = singular, plural

    def forms(self) -> tuple[str, str]:
        t = get_translations()
        return t.ngettext(self.singular, self.plural, 1), t.ngettext(self.singular, self.plural, 2)


def _pl(singular: str, plural: str) -> Plural:
    """Mark a plural browser string for extraction (``pybabel extract -k _pl:1,2``)."""
    return Plural(singular, plural)


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
    "open_until": _l("Open for answers until %(date)s."),
    "waiting": _l("Waiting for the facilitator to start…"),
    # When Alternativ A and B are not written yet, texts that speak of them are replaced.
    "effect_help_no_ab": _l("One effect at a time: what will be different with the change?"),
    "alternatives_not_written": _l("The alternatives are not formulated yet."),
    "no_activities": _l("There is nothing to answer right now."),
    "results_hidden": _l("Results are shown when the facilitator reveals them."),
    "responses": _l("responses"),
    "n_responses": _pl("%(n)s response", "%(n)s responses"),
    "vote_word": _pl("vote", "votes"),
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
    "page_of": _l("Page %(n)s of %(of)s"),
    "chars": _pl("%(used)s/%(n)s character", "%(used)s/%(n)s characters"),
    "chars_over": _pl("%(used)s/%(n)s character — too long", "%(used)s/%(n)s characters — too long"),
    "console.lock": _l("Lock input"),
    "console.unlock": _l("Unlock input"),
    "console.reveal": _l("Reveal results"),
    "console.unreveal": _l("Hide results"),
    "console.start_timer": _l("Start timer"),
    "console.stop_timer": _l("Stop timer"),
    "console.timer_ended": _l("Time is up: the phones no longer take answers."),
    "console.results_off": _l("results hidden from the presenter and the phones"),
    # The votes split by the voter's perspective (static/js/kinds/_split.js, the results export).
    "console.split": _l("Split by the voter's perspective"),
    "console.split_heading": _l("Votes by the voter's perspective"),
    "console.split_rule": _pl(
        "A group with fewer than %(n)s voter shows no figures, so that no one's vote can be singled out.",
        "A group with fewer than %(n)s voters shows no figures, so that no one's vote can be singled out.",
    ),
    "console.split_too_few": _l("too few answers"),
    "console.split_hidden": _l("hidden"),
    "console.split_protects_note": _l("“Hidden”: kept back so that a small group cannot be worked out from the total."),
    "console.split_none": _l("No perspective chosen"),
    "console.split_all": _l("All"),
    "console.split_answer": _l("Answer"),
    "console.split_voters": _pl("%(n)s voter", "%(n)s voters"),
    "console.split_empty": _l("No votes to split yet."),
    "console.split_csv": _l("CSV by perspective"),
    "console.split_measure.votes": _l("Votes (share of the group's voters)"),
    "console.split_measure.mean_rank": _l("Average rank (1 = first)"),
    "console.split_measure.mean_points": _l("Mean points per participant (share of the group's points)"),
    "console.split_measure.majority": _l("Most voted category (its share of the votes)"),
    "console.split_measure.dots": _l("Dots (share of the group's dot voters)"),
    "console.split_measure.median": _l("Median of the figures given"),
    "console.split_measure.upvotes": _l("Upvotes (share of the group's voters)"),
    "console.split_measure.yes": _l("Answered “Ja” (share of the group's answers)"),
    "console.checklist_heading": _l("Before the room arrives"),
    "console.checklist_progress": _pl("%(done)s of %(n)s item ready", "%(done)s of %(n)s items ready"),
    "console.checklist_all_done": _l("Everything is ready before the room arrives."),
    "console.checklist_missing": _l("Missing: %(what)s"),
    "console.checklist_done": _l("Done"),
    "console.checklist_todo": _l("To do"),
    "console.checklist_where_draft": _l("in the draft analysis"),
    "console.checklist_where_workshop": _l("in the workshop's settings"),
    "console.checklist_where_activity": _l("in the activity's settings"),
    "keys.title": _l("Keyboard shortcuts"),
    "keys.note": _l("The keys work in the console and in the presenter window, but not while typing or on a button."),
    "keys.next": _l("Next activity"),
    "keys.prev": _l("Previous activity"),
    "keys.results": _l("Show or hide the results"),
    "keys.lock": _l("Lock or unlock input"),
    "keys.timer": _l("Start or stop the timer"),
    "keys.help": _l("Show this help"),
    "keys.space": _l("Space"),
    "keys.close": _l("Close"),
    "keys.readonly": _l("This window only shows: to steer from it, open it from the console while signed in."),
}


DRAFT_JS_STRINGS = {
    "draft.saved": _l("Saved."),
    "draft.name_of_change": _l("Name of the change"),
    "draft.organisation": _l("Organisation"),
    "draft.area": _l("Area"),
    "draft.geography": _l("Geography"),
    "draft.status": _l("Status"),
    "draft.version": _l("Version"),
    "draft.contact_role": _l("Contact (role)"),
    "draft.purpose": _l("Purpose of the analysis"),
    "draft.start_year": _l("Start year"),
    "draft.horizon": _l("Horizon (years, 1–30)"),
    "draft.discount_rate": _l("Discount rate (%)"),
    "draft.convention": _l("Discounting convention"),
    "draft.convention_a": _l("A: year 1 is not discounted"),
    "draft.convention_b": _l("B: every year is discounted"),
    "draft.perspectives": _l("Perspectives"),
    "draft.perspective_kind": _l("Kind of perspective"),
    "draft.perspective_label": _l("Concrete label"),
    "draft.add_perspective": _l("Add perspective"),
    "draft.perspective_needs_label": _l("Write the concrete label of the perspective, e.g. Solstads kommun."),
    "draft.frame_gaps": _l("The frame is not complete. Missing:"),
    "draft.frame_gaps_files": _l("The files say “not given” there."),
    "draft.fill_frame": _l("Fill in the frame"),
    "draft.new_item_title": _l("Title of a new item (%(type)s)"),
    "draft.item_needs_title": _l("Write the title of the new item first."),
    "draft.comparison": _l("Comparison of the alternatives"),
    "draft.aspect": _l("Aspect"),
    "draft.alt_a": _l("Alternative A"),
    "draft.alt_b": _l("Alternative B"),
    "draft.alt_a_long": _l("Alternative A (reference point, often today)"),
    "draft.alt_b_long": _l("Alternative B (the change)"),
    "draft.add_row": _l("Add row"),
    "draft.actions": _l("Actions"),
    "draft.chain_hints": _l("Hints about the effect chain"),
    "draft.title": _l("Title"),
    "draft.category": _l("Category"),
    "draft.perspective": _l("Perspective"),
    "draft.valuation": _l("Valuation"),
    "draft.size": _l("Estimated size"),
    "draft.size_required": _l("Choose the estimated size: Ingen, Liten, Måttlig or Stor."),
    "draft.choose_size": _l("Choose the size"),
    "draft.cost_kind": _l("One-off or recurring"),
    "draft.polarity": _l("Positive or negative"),
    "draft.confirm_delete": _l("Delete this item and its links?"),
    "draft.variants": _l("Also written as:"),
    "draft.parked": _l("Parked in step 2: confirm it in step 6"),
    "draft.no_money_items": _l(
        "No benefit or cost is valued in money yet. Choose “Valued in money” for a Financial or Redistribution item."
    ),
    "draft.year": _l("year"),
    "draft.col_name": _l("Name in formula"),
    "draft.col_question": _l("Question"),
    "draft.col_label": _l("Label"),
    "draft.col_unit": _l("Unit"),
    "draft.col_low": _l("Lowest"),
    "draft.col_likely": _l("Likely"),
    "draft.col_high": _l("Highest"),
    "draft.col_source": _l("Source"),
    "draft.add_question": _l("Add question"),
    "draft.formula": _l("Formula for the yearly value (kr)"),
    "draft.hours_formula": _l("Formula for the hours per year (optional)"),
    "draft.year_profile": _l("Year profile (factor per year, e.g. 0.5; 1)"),
    "draft.new_factor": _l("New shared factor (name)"),
    "draft.add": _l("Add"),
    "draft.calc_problems": _l("Problems in the calculation"),
}


# Counts, the same words on the console, the presenter and the phones (see countText in
# static/js/core.js).
COUNT_JS_STRINGS = {
    "count.answers": _pl("%(n)s answer", "%(n)s answers"),
    "count.pending": _pl("%(n)s awaiting review", "%(n)s awaiting review"),
}
