"""Step 2 · Hitta effekterna: the room brainstorms the differences between A and B.

Every effect a phone sends becomes an ``effekt`` node of the draft analysis at once
(``Entry.draft_node``, added by the writer with ``source_response_id``), so the wall the screen
shows *is* the draft: the facilitator's edits, merges and hidden cards — and effects the
facilitator adds — show up everywhere.

Stored rows (``answer_mode = "custom"``):

- an effect: ``data = {"text", "cause", "perspective", "polarity"}`` (``ref_id`` empty);
- a cost of carrying out the change, parked: ``data = {"text", "cause", "parked": True}``; its
  node is a ``genomforandekostnad`` with status ``parked`` (on the parking list, not counted)
  until the facilitator confirms it in step 6 (``questions``);
- a dot (optional dot voting to prioritise): ``data = {"node", "on"}``, ``ref_id`` = the
  node. A participant's earlier dot rows for the same effect (after merges: the effect it was
  merged into) stop being current, so the latest row is their dot; at most ``dot_votes``
  effects carry a participant's dot, one dot per effect.

The method's workshop advice (Inera's knowledge base, step 2) is a set of settings the
facilitator chooses; without them the kind works as a plain brainstorm with optional dots:

- ``rounds``: positive effects first, a pause, then negative ones. ``round`` is the round on
  (``positive``, ``pause``, ``negative``; the console switches it); phones add only that polarity.
- ``dots_phase``: no valuing while brainstorming. Dot voting is a phase of its own: it opens when
  the facilitator opens it (``dots_open``) or at ``dots_open_at`` (UTC, ISO 8601); until then no
  screen shows dots or ranks by them, and once it is open no new effects are added.
- one effect per note: :func:`several_effects` spots notes that look like more than one; the
  phone hints "split it?" (the same rule in ``effects.js``) and the console marks them. Never a
  refusal.
- merging keeps every wording: the merged notes stay stored and are listed with the effect they
  were merged into (``variants``), on the console, the draft page and in the exports.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from flask_babel import gettext, ngettext
from pydantic import Field, field_validator

from ..draft.serialize import merged_variants as variants_of
from ..draft.serialize import variant_dict
from ..formatting import local_zone
from ..models import Response, utcnow
from ..validation import refuse
from ._draft import analysis_of, perspective_labels
from ._split import Cell, SplitRow
from ._text import clean_line, clean_paragraphs
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Limit, Row, Schema, _l, _pl, parse

TEXT_MAX = 200
CAUSE_MAX = 300
MAX_LISTED = 500

GROUP_ALIASES = {
    "polarity": "polarity",
    "polaritet": "polarity",
    "positiv/negativ": "polarity",
    "positive/negative": "polarity",
    "perspective": "perspective",
    "perspektiv": "perspective",
}


class EffectsConfig(Schema):
    max_entries: int = Field(default=10, ge=1, le=50)
    ask_cause: bool = True
    group_by: Literal["perspective", "polarity"] = "polarity"
    dot_votes: int = Field(default=0, ge=0, le=10)
    # The method's workshop advice (see the module's docs).
    rounds: bool = False
    round: Literal["positive", "pause", "negative"] = "positive"
    dots_phase: bool = False
    dots_open: bool = False
    dots_open_at: str = ""

    @field_validator("group_by", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        # The generic settings form has a text box: accept the Swedish words too.
        if isinstance(value, str):
            return GROUP_ALIASES.get(" ".join(value.split()).casefold(), value)
        return value

    @field_validator("dots_open_at", mode="before")
    @classmethod
    def _moment(cls, value: Any) -> Any:
        # The editor's datetime-local field sends local time ("2026-05-04T09:00"); the console
        # and templates send ISO 8601 with an offset. Stored as UTC, "" for none.
        if value is None:
            return ""
        if isinstance(value, datetime):
            when = value
        elif isinstance(value, str):
            if not value.strip():
                return ""
            try:
                when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise refuse(_l("Give the time as a date and time.")) from None
        else:
            return value
        from ..formatting import from_local

        try:
            return from_local(when).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        except (OverflowError, ValueError):
            raise refuse(_l("Give the time as a date and time.")) from None


def opening_time(config: Any) -> datetime | None:
    """When dot voting opens by itself (UTC), or None."""
    raw = getattr(config, "dots_open_at", "") or ""
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def dots_open(config: Any, now: datetime | None = None) -> bool:
    """Can phones place dots now? Without ``dots_phase``: whenever dots are on (as always)."""
    if config.dot_votes <= 0:
        return False
    if not config.dots_phase or config.dots_open:
        return True
    at = opening_time(config)
    if at is None:
        return False
    moment = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment >= at


def brainstorm_open(config: Any, now: datetime | None = None) -> bool:
    """Are effects still being collected? With ``dots_phase`` the brainstorm ends when dots open."""
    return not (config.dots_phase and dots_open(config, now))


def round_on(config: Any) -> str | None:
    """The polarity phones may add now: "positive", "negative", "pause" (none), or None (any)."""
    return config.round if config.rounds else None


# One effect per note: words that join two effects, a second sentence, a list.
_JOINERS = re.compile(r"\s(och|samt|plus|and|&)\s", re.IGNORECASE)
# A new sentence starts with a capital letter ("t.ex. färre", "ca. 5 min" are one sentence).
_SENTENCES = re.compile(r"[.!?]\s+[A-ZÅÄÖ]|;\s*\S")
_LIST = re.compile(r"(^|\s)([-•*–]|\d+[.)])\s+\S.*\s([-•*–]|\d+[.)])\s+\S")


def several_effects(text: str) -> bool:
    """Does a note look like more than one effect ("Färre resor och mindre stress", two
    sentences, a list)? Only a hint: such notes are stored like any other. ``effects.js``
    (``severalEffects``) applies the same rule on the phone."""
    t = " ".join((text or "").split())
    return bool(_JOINERS.search(t) or _SENTENCES.search(t) or _LIST.search(t))


class Effect(Schema):
    action: Literal["add"] = "add"
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    cause: str = Field(default="", max_length=CAUSE_MAX)
    perspective: str = Field(default="", max_length=200)
    polarity: Literal["positive", "negative"]


class Park(Schema):
    """A cost of carrying out the change, raised while brainstorming: onto the parking list."""

    action: Literal["park"]
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    cause: str = Field(default="", max_length=CAUSE_MAX)


class Dot(Schema):
    action: Literal["dot"]
    node: int = Field(ge=1)
    on: bool


def is_effect(row: Row | Response) -> bool:
    """A note: an effect or a parked cost (both count towards ``max_entries``)."""
    return "text" in (row.data or {})


def is_parked(node: Any) -> bool:
    """On the parking list: a cost of carrying out the change that step 6 has not confirmed yet."""
    return node is not None and node.status == "parked" and not node.merged_into_id


def parked_nodes(analysis: Any) -> list[Any]:
    return [n for n in analysis.nodes if is_parked(n)] if analysis is not None else []


def is_dot(row: Row | Response) -> bool:
    return "node" in (row.data or {})


def resolve(nodes: dict[int, Any], node_id: Any) -> Any:
    """The node an id stands for now, following merges; ``None`` if it is gone."""
    node = nodes.get(node_id)
    for _ in range(20):
        if node is None or not node.merged_into_id:
            return node
        node = nodes.get(node.merged_into_id)
    return None


def _resolved_id(nodes: dict[int, Any], node_id: Any) -> Any:
    other = resolve(nodes, node_id)
    return other.id if other is not None else node_id


def _standing(node: Any) -> bool:
    return node is not None and node.node_type == "effekt" and node.status == "visible" and not node.merged_into_id


def effect_nodes(analysis: Any) -> list[Any]:
    """The effects on the wall: visible, not merged away."""
    if analysis is None:
        return []
    return [n for n in analysis.nodes if _standing(n)]


class Effects(ActivityKind):
    key = "effects"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 2
    label = _l("Step 2 · Hitta effekterna")
    description = _l(
        "Brainstorm the differences between A and B: what is the effect, what causes it, for whom, positive or negative. "
        "Every effect goes straight into the draft analysis; optional dot voting to prioritise."
    )
    default_title = _l("Hitta effekterna")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "on_reveal"
    uses_draft = True
    # Split (dot voting): each group's dots per effect, with the share of the group's dot
    # voters who placed one there.
    splits = True
    split_measure = "dots"
    # The method's time box; a workshop open for a week uses self-paced mode instead.
    default_timer_seconds = 30 * 60
    Config = EffectsConfig
    config_fields = [
        ConfigField("max_entries", _l("Effects per participant"), "int", min=1, max=50),
        ConfigField("ask_cause", _l("Ask what causes the effect"), "bool"),
        ConfigField(
            "group_by",
            _l("Group the wall by"),
            "choice",
            choices=(("polarity", _l("Positive and negative")), ("perspective", _l("Perspective"))),
        ),
        ConfigField(
            "dot_votes",
            _l("Dots per participant for prioritising (0 = off)"),
            "int",
            min=0,
            max=10,
            help=_l("With dots on, phones see the effects and place their dots, one per effect."),
        ),
        ConfigField(
            "rounds",
            _l("Two rounds: positive effects first, a pause, then negative effects"),
            "bool",
            help=_l("You switch the round from the console; phones add only the round's kind of effect."),
        ),
        ConfigField(
            "dots_phase",
            _l("Dot voting as a phase of its own, after the brainstorm"),
            "bool",
            help=_l(
                "No dots are shown or counted while the room brainstorms. Dot voting opens when you open it "
                "in the console, or at the time below; then no new effects are added."
            ),
        ),
        ConfigField(
            "dots_open_at",
            _l("Dot voting opens at (optional)"),
            "datetime",
            help=_l("For a workshop open for days: give the room time to fill the wall first."),
        ),
    ]
    js_strings = {
        # phone: adding
        "what": _l("What is the effect?"),
        "what_help": _l("One effect at a time: a difference between A and B."),
        "cause": _l("What causes it? (optional)"),
        "perspective": _l("For whom? (optional)"),
        "no_perspective": _l("Not chosen"),
        "polarity": _l("Positive or negative?"),
        "positive": _l("Positive"),
        "negative": _l("Negative"),
        "positive_hint": _l("leads to a nytta"),
        "negative_hint": _l("leads to a kostnad or risk"),
        "add": _l("Add effect"),
        "added": _l("Added: %(text)s"),
        "count": _pl(
            "You have added %(used)s of at most %(n)s effect.", "You have added %(used)s of at most %(n)s effects."
        ),
        "count_none": _pl("You can add up to %(n)s effect.", "You can add up to %(n)s effects."),
        "limit_reached": _l("You have added as many effects as allowed here. Thank you!"),
        "need_text": _l("Write the effect first."),
        "need_polarity": _l("Choose positive or negative."),
        "yours": _l("Your effects"),
        "several_hint": _l("One effect per note — split it?"),
        "several_help": _l("This looks like more than one effect. Split it into one note each, or send it as it is."),
        "round_positive": _l("Round 1: positive effects"),
        "round_pause": _l("Pause"),
        "round_negative": _l("Round 2: negative effects"),
        "round_positive_help": _l("Now we collect the positive effects. The negative ones come after a pause."),
        "round_pause_help": _l("Pause. The negative effects come next."),
        "round_negative_help": _l("Now we collect the negative effects."),
        "park_toggle": _l("It is a cost of carrying out the change: park it"),
        "park_help": _l("Costs of carrying out the change go on the parking list and are taken up in step 6."),
        "parked": _l("Parked: %(text)s"),
        "brainstorm_over": _l("The brainstorm is over: prioritise with your dots."),
        "dots_later": _l("Dot voting opens later. Now: find the effects."),
        "dots_opens_at": _l("Dot voting opens %(date)s."),
        # phone: dots
        "dots_heading": _l("Prioritise with dots"),
        "dots_left": _pl("You have %(left)s of %(n)s dot left.", "You have %(left)s of %(n)s dots left."),
        "dots_none_left": _l("All your dots are placed. Take one back to move it."),
        "dot_add": _l("Place a dot on: %(text)s"),
        "dot_remove": _l("Take back your dot from: %(text)s"),
        "dot_placed": _l("Dot placed"),
        "no_effects": _l("No effects yet."),
        # wall
        "group_positive": _l("Positive effects"),
        "group_negative": _l("Negative effects"),
        "group_none": _l("Not chosen"),
        "group_no_perspective": _l("No perspective"),
        "n_effects": _pl("%(n)s effect", "%(n)s effects"),
        "one_effect": _l("1 effect"),
        "n_dots": _pl("%(n)s dot", "%(n)s dots"),
        "cause_prefix": _l("Because of:"),
        "for_prefix": _l("For:"),
        "empty_wall": _l("The effects appear here as they come in."),
        "parking": _l("Parking: costs of carrying out the change"),
        "parking_help": _l("Taken up in step 6 (Formulera frågor)."),
        "variants": _l("Also written as:"),
        "phase_brainstorm": _l("Brainstorm: no dots yet"),
        "phase_dots": _l("Dot voting"),
        # console
        "group_by": _l("Group by"),
        "by_polarity": _l("Positive/negative"),
        "by_perspective": _l("Perspective"),
        "dot_setting": _l("Dots per participant"),
        "start_dots": _l("Start dot voting"),
        "stop_dots": _l("Stop dot voting"),
        "edit": _l("Edit"),
        "edit_effect": _l("Edit effect"),
        "save": _l("Save"),
        "cancel": _l("Cancel"),
        "hide": _l("Hide"),
        "show": _l("Show"),
        "merge_into": _l("Merge into"),
        "merge": _l("Merge"),
        "merge_help": _l("The effect is folded into the one you pick: its links move over and it is hidden."),
        "pick": _l("Pick an effect"),
        "hidden_heading": _l("Hidden and merged"),
        "merged_into": _l("merged into “%(title)s”"),
        "title": _l("Effect"),
        "from_phone": _l("From %(name)s"),
        "anonymous": _l("a participant"),
        "facilitator_added": _l("Added by the facilitator"),
        "add_heading": _l("Add an effect yourself"),
        "saved": _l("Saved."),
        "rounds_heading": _l("Round"),
        "to_positive": _l("Positive round"),
        "to_pause": _l("Pause"),
        "to_negative": _l("Negative round"),
        "open_dots": _l("Open dot voting"),
        "close_dots": _l("Back to the brainstorm"),
        "dots_at": _l("Opens at"),
        "set_time": _l("Set time"),
        "clear_time": _l("Clear"),
        "park": _l("Park"),
        "park_label": _l("Park as a cost of carrying out the change: %(text)s"),
        "unpark": _l("Back to the effects"),
        "several_tag": _l("Several effects?"),
    }

    # --- input ----------------------------------------------------------------------------
    def text_models(self, config: EffectsConfig) -> list[type[Schema]]:
        return [Effect]

    def validate_input(self, config: EffectsConfig, payload: Any) -> dict[str, Any]:
        action = payload.get("action") if isinstance(payload, dict) else None
        if action == "dot":
            return parse(Dot, payload).model_dump()
        if action == "park":
            parked = parse(Park, payload).model_dump()
            text = clean_line(parked["text"])
            if not text:
                raise InputError(
                    "invalid", gettext("This field cannot be empty."), {"text": gettext("This field cannot be empty.")}
                )
            return {"action": "park", "text": text, "cause": clean_paragraphs(parked["cause"])}
        if action not in (None, "add"):
            raise InputError(
                "invalid", gettext("Unknown action."), {"action": gettext("Not one of the allowed values.")}
            )
        data = parse(Effect, payload).model_dump()
        text = clean_line(data["text"])
        if not text:
            raise InputError(
                "invalid", gettext("This field cannot be empty."), {"text": gettext("This field cannot be empty.")}
            )
        return {
            "action": "add",
            "text": text,
            "cause": clean_paragraphs(data["cause"]),
            "perspective": " ".join(data["perspective"].split()),
            "polarity": data["polarity"],
        }

    def _check_brainstorm(self, config: EffectsConfig, data: dict[str, Any]) -> None:
        """The protocol's rules for a new note: the brainstorm is on, and it is the note's round."""
        if not brainstorm_open(config):
            raise InputError("brainstorm_closed", gettext("The brainstorm is over: dot voting has started."))
        current = round_on(config)
        if current == "pause":
            raise InputError("round_pause", gettext("Pause: the negative effects come next."))
        if current is not None and data["action"] == "add" and data["polarity"] != current:
            msg = (
                gettext("This round collects positive effects.")
                if current == "positive"
                else gettext("This round collects negative effects.")
            )
            raise InputError("wrong_round", msg, {"polarity": msg})

    def _note_limit(self, config: EffectsConfig) -> Limit:
        return Limit(
            config.max_entries,
            ngettext(
                "You have already added %(n)s effect, the most allowed here.",
                "You have already added %(n)s effects, the most allowed here.",
                config.max_entries,
                n=config.max_entries,
            ),
            counts=lambda r: r.id if is_effect(r) else None,
        )

    def prepare(self, config: EffectsConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        if data["action"] in ("add", "park"):
            self._check_brainstorm(config, data)
        if data["action"] == "park":
            stored = {"text": data["text"], "cause": data["cause"], "parked": True}
            return Entry(
                stored,
                limit=self._note_limit(config),
                # On the parking list: a cost of carrying out the change, for step 6 to confirm.
                draft_node={
                    "node_type": "genomforandekostnad",
                    "title": stored["text"],
                    "cause": stored["cause"],
                    "status": "parked",
                },
            )
        if data["action"] == "add":
            # The perspectives alone, not the draft: every effect makes a new draft revision.
            if data["perspective"] and data["perspective"] not in ctx.perspectives():
                msg = gettext("Choose one of the analysis's perspectives.")
                raise InputError("invalid", msg, {"perspective": msg})
            stored = {k: data[k] for k in ("text", "cause", "perspective", "polarity")}
            return Entry(
                stored,
                limit=self._note_limit(config),
                # The effect is a card of the draft analysis at once (made on the first one).
                draft_node={
                    "node_type": "effekt",
                    "title": stored["text"],
                    "cause": stored["cause"],
                    "perspective": stored["perspective"],
                    "polarity": stored["polarity"],
                },
            )
        # A dot.
        if not dots_open(config):
            raise InputError("dots_off", gettext("Dot voting is not open."))
        analysis = ctx.analysis()
        nodes = {n.id: n for n in analysis.nodes} if analysis is not None else {}
        target = resolve(nodes, data["node"])
        if target is None or (data["on"] and not _standing(target)):
            raise InputError("unknown_item", gettext("That effect does not exist."))
        final = target.id

        def dotted(r: Row) -> int | None:
            """The effect a standing dot of the phone sits on (merged duplicates count once)."""
            if not is_dot(r) or r.data.get("on") is not True:
                return None
            other = resolve(nodes, r.data.get("node"))
            return other.id if _standing(other) and other.id != final else None

        # The phone's earlier dot on this effect (after merges) steps back: the new row is its dot.
        earlier = [r.id for r in ctx.mine if is_dot(r) and _resolved_id(nodes, r.data.get("node")) == final]
        limit = None
        if data["on"]:
            limit = Limit(
                config.dot_votes,
                ngettext(
                    "You have placed your %(n)s dot. Take it back to move it.",
                    "You have placed all your %(n)s dots. Take one back to move it.",
                    config.dot_votes,
                    n=config.dot_votes,
                ),
                counts=dotted,
            )
        return Entry({"node": final, "on": data["on"]}, ref_id=final, supersedes=earlier, limit=limit)

    # --- results --------------------------------------------------------------------------
    def _dots(self, analysis: Any, rows: list[Row]) -> tuple[dict[int, int], int]:
        """Dots per standing effect (merged ones count for their target) and how many placed them."""
        if analysis is None:
            return {}, 0
        nodes = {n.id: n for n in analysis.nodes}
        latest: dict[tuple[int, int], Row] = {}
        for r in rows:
            if not is_dot(r) or r.status != "visible":
                continue
            node = resolve(nodes, r.data.get("node"))
            if not _standing(node):
                continue
            key = (r.participant_id, node.id)
            if key not in latest or r.id > latest[key].id:
                latest[key] = r
        counts: dict[int, int] = {}
        voters: set[int] = set()
        for (pid, nid), r in latest.items():
            if r.data.get("on") is True:
                counts[nid] = counts.get(nid, 0) + 1
                voters.add(pid)
        return counts, len(voters)

    def aggregate(self, config: EffectsConfig, rows: list[Row]) -> dict[str, Any]:
        return self._aggregate(config, None, rows)

    def aggregate_for(self, act: Any, config: EffectsConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        return self._aggregate(config, analysis_of(draft), rows)

    def _aggregate(self, config: EffectsConfig, analysis: Any, rows: list[Row]) -> dict[str, Any]:
        # No valuing while brainstorming: with dot voting as a phase of its own, no screen gets a
        # count (or an order by counts) before it opens.
        show_dots = dots_open(config)
        counts, voters = self._dots(analysis, rows) if show_dots else ({}, 0)
        variants = variants_of(analysis)
        effects = [
            {
                "id": n.id,
                "title": n.title,
                "cause": n.cause,
                "perspective": n.perspective,
                "polarity": n.polarity,
                "dots": counts.get(n.id, 0),
                "response_id": n.source_response_id,
                "several": several_effects(n.title),
                "variants": [variant_dict(v) for v in variants.get(n.id, [])],
            }
            for n in effect_nodes(analysis)
        ]
        parked = [
            {
                "id": n.id,
                "title": n.title,
                "cause": n.cause,
                "response_id": n.source_response_id,
                "variants": [variant_dict(v) for v in variants.get(n.id, [])],
            }
            for n in parked_nodes(analysis)
        ]
        return {
            "effects": effects[:MAX_LISTED],
            "total": len(effects),
            "group_by": config.group_by,
            "dot_votes": config.dot_votes if show_dots else 0,
            "dots_per_participant": config.dot_votes,
            "show_dots": show_dots,
            "phase": "brainstorm" if brainstorm_open(config) else "dots",
            "dots_phase": bool(config.dots_phase),
            "dots_open_at": config.dots_open_at or "",
            # The zone people read times in (WORKSHOP_TIMEZONE), for "opens at …".
            "timezone": local_zone().key,
            "rounds": bool(config.rounds),
            "round": config.round if config.rounds else None,
            "perspectives": perspective_labels(analysis),
            "dots": sum(counts.values()),
            "dot_voters": voters,
            "parked": parked[:MAX_LISTED],
        }

    def phone_content(self, act: Any, config: EffectsConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        out: dict[str, Any] = {"perspectives": perspective_labels(analysis), "effects": []}
        if config.dots_phase and config.dots_open_at:
            out["timezone"] = local_zone().key
        # With dot voting as a later phase the phone has the list ready for the moment it opens
        # (the list carries no counts).
        if config.dot_votes > 0:
            merged: dict[int, list[int]] = {}
            for m in analysis.nodes if analysis is not None else []:
                if m.merged_into_id is not None:
                    merged.setdefault(m.merged_into_id, []).append(m.id)
            out["effects"] = [
                {
                    "id": n.id,
                    "title": n.title,
                    "polarity": n.polarity,
                    "perspective": n.perspective,
                    "merged": sorted(merged.get(n.id, [])),
                }
                for n in effect_nodes(analysis)[:MAX_LISTED]
            ]
        return out

    def console_items(self, config: EffectsConfig, rows: list[Row]) -> list[dict[str, Any]]:
        """Who sent which effect, for the console (the aggregate names no one)."""
        return [
            {"id": r.id, "nickname": r.nickname, "perspective": r.perspective, "status": r.status}
            for r in rows
            if is_effect(r)
        ]

    def responders(self, rows: list[Row]) -> int:
        return len(
            {
                r.participant_id
                for r in rows
                if r.status != "deleted" and (is_effect(r) or (is_dot(r) and r.data.get("on") is True))
            }
        )

    # --- CSV ------------------------------------------------------------------------------
    # --- the dots split by the voter's perspective -----------------------------------------
    def split_rows(self, config: EffectsConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        """The effects that carry dots, most dots first (the wall's other effects have none to split)."""
        dotted = sorted((e for e in aggregate["effects"] if e["dots"]), key=lambda e: -e["dots"])
        return [SplitRow(str(e["id"]), e["title"]) for e in dotted]

    def split_cells(self, config: EffectsConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        voters = aggregate["dot_voters"]
        return {
            str(e["id"]): Cell(e["dots"], voters, e["dots"] / voters if voters else None) for e in aggregate["effects"]
        }

    def split_voters(self, aggregate: dict[str, Any], rows: list[Row]) -> int:
        return int(aggregate["dot_voters"])

    def csv_header(self, config: EffectsConfig) -> list[str]:
        return ["type", "effect", "cause", "for_whom", "polarity", "node", "dot"]

    def csv_cells(self, config: EffectsConfig, row: Row) -> list[Any]:
        d = row.data
        if is_dot(row):
            return ["dot", "", "", "", "", d.get("node", ""), "yes" if d.get("on") else "no"]
        return [
            "parked" if d.get("parked") else "effect",
            d.get("text", ""),
            d.get("cause", ""),
            d.get("perspective", ""),
            d.get("polarity", ""),
            "",
            "",
        ]


KIND = Effects()
