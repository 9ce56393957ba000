"""Q&A: participants ask questions and upvote each other's; the most wanted rise to the top.

Stored rows (``answer_mode = "custom"``, see ``store``):

- a question: ``data = {"text": ...}``, ``ref_id`` empty; premoderated ones start ``pending``;
- an upvote: ``data = {"question": <id>, "upvote": true|false}``, ``ref_id`` = the question.
  A toggle never edits a row: the participant's earlier row for that question stops being
  ``current`` and a new one is added, so every toggle is its own idempotent input (own
  ``client_id``) and the history stays whole. The question id is in ``data`` as well so a
  phone, which sees only ``{id, client_id, data, status}`` of its own rows, knows which
  question each of its votes belongs to.

The aggregate goes to phones and the presenter alike, so it carries no identities: only
ids, texts and counts.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_babel import gettext, ngettext
from pydantic import Field

from ..models import Response
from ._split import partition
from ._text import clean_line, text_model
from .base import (
    ActivityKind,
    Cell,
    ConfigField,
    Context,
    Entry,
    InputError,
    Limit,
    Row,
    Schema,
    SplitRow,
    _l,
    _pl,
    parse,
    text_items,
)

MAX_LISTED = 300


class QnAConfig(Schema):
    max_questions: int = Field(default=5, ge=1, le=20)
    max_length: int = Field(default=280, ge=20, le=500)
    premoderate: bool = False


class Upvote(Schema):
    action: Literal["upvote"]
    question: int = Field(ge=1, le=2**63 - 1)  # a database id, never larger
    on: bool


def is_question(row: Row | Response) -> bool:
    return row.ref_id is None and "text" in (row.data or {})


def _question(ctx: Context, question_id: int) -> Row | None:
    """A standing question of this round (current, not deleted), or None."""
    row = ctx.entry(question_id)
    return row if row is not None and is_question(row) else None


def is_upvote(row: Row | Response) -> bool:
    return row.ref_id is not None and "upvote" in (row.data or {})


def _tally(rows: list[Row]) -> tuple[list[Row], dict[int, set[int]]]:
    """Visible questions that stand on their own, and who upvotes each (merged ones folded in)."""
    questions = [r for r in rows if r.status == "visible" and is_question(r)]
    target = {q.id: (q.merged_into_id or q.id) for q in questions}
    standing = [q for q in questions if not q.merged_into_id]
    standing_ids = {q.id for q in standing}
    voters: dict[int, set[int]] = {q.id: set() for q in standing}
    for r in rows:
        if r.status != "visible" or not is_upvote(r) or r.data.get("upvote") is not True:
            continue
        final = target.get(r.ref_id) if r.ref_id is not None else None
        if final in standing_ids:
            voters[final].add(r.participant_id)
    return standing, voters


class QnA(ActivityKind):
    key = "qna"
    # Place among the polls in the editor's list.
    order = 7
    label = _l("Q&A")
    description = _l("Participants ask questions and upvote the ones they want answered.")
    default_title = _l("Questions to the panel")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "always"
    moderated = True
    Config = QnAConfig
    # Split: each group's upvotes per question (questions are everyone's; see ``split_groups``).
    splits = True
    split_measure = "upvotes"
    config_fields = [
        ConfigField("max_questions", _l("Questions per participant"), "int", min=1, max=20),
        ConfigField("max_length", _l("Longest question (characters)"), "int", min=20, max=500),
        ConfigField(
            "premoderate",
            _l("Approve questions before they are shown"),
            "bool",
            help=_l("New questions wait in the console until you approve them."),
        ),
    ]
    js_strings = {
        "label": _l("Your question"),
        "placeholder": _l("Write your question here"),
        "ask": _l("Ask"),
        "left": _pl("You can ask %(n)s more question.", "You can ask %(n)s more questions."),
        "limit_reached": _l("You have asked as many questions as allowed here."),
        "empty": _l("Write your question first."),
        "premoderated": _l("The facilitator reviews questions before they are shown."),
        "questions": _l("Questions"),
        "n_questions": _pl("%(n)s question", "%(n)s questions"),
        "answered_heading": _l("Answered"),
        "no_questions": _l("No questions yet."),
        "be_first": _l("No questions yet. Ask the first one!"),
        "upvote_label": _pl("Upvote this question, %(n)s vote now", "Upvote this question, %(n)s votes now"),
        "own": _l("Your question"),
        "your_pending": _l("Your questions awaiting approval"),
        "n_answered": _pl("%(n)s answered", "%(n)s answered"),
        "mark_answered": _l("Mark answered"),
        "mark_unanswered": _l("Not answered yet"),
        "asked": _l("Your question is sent."),
    }

    # --- input ----------------------------------------------------------------------------
    def ask_model(self, config: QnAConfig) -> type[Schema]:
        return text_model("QnAQuestion", config.max_length, single_line=True, extra={"action": (Literal["ask"], ...)})

    def text_models(self, config: QnAConfig) -> list[type[Schema]]:
        return [self.ask_model(config)]

    def validate_input(self, config: QnAConfig, payload: Any) -> dict[str, Any]:
        action = payload.get("action") if isinstance(payload, dict) else None
        if action == "ask":
            data = parse(self.ask_model(config), payload).model_dump()
            text = clean_line(data["text"])
            if not text:
                raise InputError(
                    "invalid", gettext("This field cannot be empty."), {"text": gettext("This field cannot be empty.")}
                )
            return {"action": "ask", "text": text}
        if action == "upvote":
            return parse(Upvote, payload).model_dump()
        if not isinstance(payload, dict):
            raise InputError("invalid", gettext("The input must be an object."))
        raise InputError("invalid", gettext("Unknown action."), {"action": gettext("Not one of the allowed values.")})

    def prepare(self, config: QnAConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        if data["action"] == "ask":
            return Entry(
                {"text": data["text"]},
                status="pending" if config.premoderate else "visible",
                limit=Limit(
                    config.max_questions,
                    ngettext(
                        "You have already asked %(n)s question, the most allowed here.",
                        "You have already asked %(n)s questions, the most allowed here.",
                        config.max_questions,
                        n=config.max_questions,
                    ),
                    counts=lambda r: r.id if is_question(r) else None,
                ),
            )
        question = _question(ctx, data["question"])
        if question is None:
            raise InputError("unknown_question", gettext("That question does not exist."))
        if question.participant_id == ctx.participant_id:
            raise InputError("own_question", gettext("You cannot upvote your own question."))
        if data["on"] and question.status != "visible":
            raise InputError("unknown_question", gettext("That question does not exist."))
        # The phone's earlier vote on this question steps back; the toggle is a row of its own.
        earlier = [r.id for r in ctx.mine if r.ref_id == question.id]
        return Entry({"question": question.id, "upvote": data["on"]}, ref_id=question.id, supersedes=earlier)

    # --- results --------------------------------------------------------------------------
    def aggregate(self, config: QnAConfig, rows: list[Row]) -> dict[str, Any]:
        standing, voters = _tally(rows)
        listed = [
            {"id": q.id, "text": q.data.get("text", ""), "votes": len(voters[q.id]), "answered": bool(q.answered)}
            for q in standing
        ]
        listed.sort(key=lambda q: (-q["votes"], q["id"]))
        open_ = [q for q in listed if not q["answered"]]
        answered = [q for q in listed if q["answered"]]
        return {
            "questions": open_[:MAX_LISTED],
            "answered": answered[:MAX_LISTED],
            "total": len(listed),
            "open": len(open_),
        }

    def console_items(self, config: QnAConfig, rows: list[Row]) -> list[dict[str, Any]]:
        questions = [r for r in rows if is_question(r)]
        target = {q.id: (q.merged_into_id or q.id) for q in questions}
        voters: dict[int, set[int]] = {}
        for r in rows:
            if is_upvote(r) and r.status == "visible" and r.data.get("upvote") is True and r.ref_id in target:
                voters.setdefault(target[r.ref_id], set()).add(r.participant_id)
        items = text_items(questions)
        for item in items:
            item["votes"] = len(voters.get(item["id"], ()))
        order = {"pending": 0, "visible": 1, "hidden": 2}
        items.sort(
            key=lambda i: (order.get(i["status"], 3), bool(i["merged_into"]), i["answered"], -i["votes"], i["id"])
        )
        return items

    def responders(self, rows: list[Row]) -> int:
        """Who took part: asked a question (not deleted) or upvotes one now."""
        return len(
            {
                r.participant_id
                for r in rows
                if r.status != "deleted" and (is_question(r) or (is_upvote(r) and r.data.get("upvote") is True))
            }
        )

    def summary(self, config: QnAConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        answered = gettext("(answered)")
        return [(q["text"], q["votes"]) for q in aggregate["questions"]] + [
            (f"{q['text']} {answered}", q["votes"]) for q in aggregate["answered"]
        ]

    # --- the upvotes split by the voter's perspective ---------------------------------------
    def split_rows(self, config: QnAConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        """The questions with upvotes, most wanted first (open ones, then answered ones)."""
        return [
            SplitRow(str(q["id"]), q["text"]) for q in [*aggregate["questions"], *aggregate["answered"]] if q["votes"]
        ]

    def split_cells(self, config: QnAConfig, aggregate: dict[str, Any], voters: int = 0) -> dict[str, Cell]:
        return {
            str(q["id"]): Cell(q["votes"], voters, q["votes"] / voters if voters else None)
            for q in [*aggregate["questions"], *aggregate["answered"]]
        }

    def split_groups(
        self, act: Any, config: QnAConfig, rows: list[Row], draft: Any = None
    ) -> dict[str, tuple[int, dict[str, Cell]]]:
        """A group's upvotes on every question, whoever asked it."""
        questions = [r for r in rows if is_question(r)]
        out = {}
        for key, group in partition(rows).items():
            ups = [r for r in group if is_upvote(r) and r.data.get("upvote") is True]
            voters = len({r.participant_id for r in ups})
            out[key] = (voters, self.split_cells(config, self.aggregate(config, questions + ups), voters))
        return out

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: QnAConfig) -> list[str]:
        return ["type", "text", "question", "upvote", "answered", "merged_into"]

    def csv_cells(self, config: QnAConfig, row: Row) -> list[Any]:
        if is_upvote(row):
            return ["upvote", "", row.ref_id, "yes" if row.data.get("upvote") else "no", "", ""]
        return ["question", row.data.get("text", ""), "", "", "yes" if row.answered else "no", row.merged_into_id or ""]


KIND = QnA()
