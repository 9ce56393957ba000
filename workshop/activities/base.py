"""What every activity kind provides, and the shared plumbing they rely on.

An activity kind is the unit of extension: one module here (settings schema, input schema,
how an input is stored, how inputs aggregate, CSV columns) plus one JS module in
``static/js/kinds/`` that draws the phone screen, the presenter visualisation and the console
view. Nothing else needs editing to add a kind: the registry discovers the module.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, get_args

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from ..i18n import _pl

# The validation toolkit is shared with draft operations and forms; kinds import it from here.
from ..validation import InputError, Schema, parse, validation_error
from ..validation.messages import field_message as _field_message
from ._split import Cell, SplitRow, build, partition


def _string_limits(model: type[Schema], out: dict[str, int]) -> None:
    """``max_length`` of every text field of ``model`` and of the models it nests."""
    for name, f in model.model_fields.items():
        if f.annotation is str:
            for meta in f.metadata:
                if isinstance(getattr(meta, "max_length", None), int):
                    out[name] = meta.max_length
        for inner in (f.annotation, *get_args(f.annotation)):
            if isinstance(inner, type) and issubclass(inner, Schema):
                _string_limits(inner, out)


@dataclass(frozen=True)
class ConfigField:
    """Describes one setting so the facilitator's editor can render it without per-kind pages."""

    name: str
    label: Any
    # "datetime": a date and time typed in the local zone (``WORKSHOP_TIMEZONE``), stored as UTC.
    type: Literal["text", "textarea", "lines", "int", "bool", "choice", "datetime"]
    help: Any = None
    min: int | None = None
    max: int | None = None
    # For "choice": (value, label) pairs shown as a select.
    choices: tuple[tuple[str, Any], ...] = ()


@dataclass
class Row:
    """A stored response as the aggregation sees it: plain data, no session attached."""

    id: int
    participant_id: int
    data: dict[str, Any]
    status: str = "visible"
    ref_id: int | None = None
    merged_into_id: int | None = None
    answered: bool = False
    created_at: Any = None
    nickname: str = ""
    perspective: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # How many identical answers this row stands for (a tally read groups them; see
    # ``ActivityKind.tally``).
    weight: int = 1
    # The activity's generation (round) the input was given in; a reset starts a new one.
    generation: int = 0


# --- the kind contract for inputs ------------------------------------------------------------

# ``Entry.supersedes``: every current entry of the phone in the activity steps back (one answer
# per phone). The writer does this with one statement per activity, without reading the rows.
SUPERSEDE_ALL = "all"


@dataclass(frozen=True)
class Limit:
    """At most ``most`` of the phone's current entries (not deleted, not superseded by this
    one); ``message`` is the translated refusal. ``counts`` says what an entry uses up: a key
    (entries with the same key count once) or None for an entry that does not count; when
    ``counts`` is None every entry counts."""

    most: int
    message: str
    counts: Callable[[Row], Hashable | None] | None = None


@dataclass
class Entry:
    """One input as a kind prepared it; ``workshop.inputs`` decides whether and how it is stored.

    ``status``: "visible", or "pending" until the facilitator approves it. ``ref_id``: the
    question, item or effect the entry is about. ``supersedes``: ids of the phone's current
    entries (``Context.mine``) that this one replaces, or ``SUPERSEDE_ALL``. ``draft_node``: the
    fields of a node the input adds to the draft analysis (an effect on the wall); the writer
    adds it in the same transaction, with the stored entry as its source. Should the draft
    refuse it (full), nothing of this input is stored. Kinds never edit the draft themselves."""

    data: dict[str, Any]
    status: str = "visible"
    ref_id: int | None = None
    supersedes: Iterable[int] | str = ()
    limit: Limit | None = None
    draft_node: dict[str, Any] | None = None


class Context(Protocol):
    """What a kind may read while preparing an input, inside the transaction that stores it."""

    participant_id: int
    activity_id: int
    workshop_id: int
    generation: int

    @property
    def mine(self) -> list[Row]:
        """The phone's current entries in this activity (this generation), oldest first,
        every status; entries stored earlier in the same batch included."""
        ...

    def analysis(self) -> Any:
        """The workshop's draft analysis (read it, do not change it here), or None."""
        ...

    def perspectives(self) -> list[str]:
        """The labels of the analysis' perspectives (cheaper than ``analysis()``)."""
        ...

    def current_about(self, ref_id: int) -> list[Row]:
        """Every phone's current, not deleted entries about ``ref_id`` in this activity."""
        ...

    def entry(self, response_id: Any) -> Row | None:
        """A current, not deleted entry of this activity (this generation) by id, any phone's."""
        ...


def normalise_text(text: str) -> str:
    """Case- and space-insensitive key, so 'Trygghet ' and 'trygghet' count as one."""
    return " ".join(text.split()).casefold()


class ActivityKind:
    """Base class. Subclasses set the class attributes and override what differs."""

    key: ClassVar[str]
    label: ClassVar[Any]
    # The method's step (1–9) a kind carries out; None for the polls. The editor groups the
    # kinds by it: polls first (in ``order``), then the method's steps by number.
    step: ClassVar[int | None] = None
    # Kinds used after the decision (follow-up): the editor lists them in a group of their own.
    after_decision: ClassVar[bool] = False
    order: ClassVar[int] = 100
    description: ClassVar[Any] = ""
    # replace: one current answer per participant (a change replaces it);
    # append: several entries per participant up to ``max_entries``.
    answer_mode: ClassVar[Literal["replace", "append", "custom"]] = "replace"
    results_hidden_default: ClassVar[bool] = False
    # When phones see the results: never, once revealed, or always (a Q&A list to upvote).
    phone_results: ClassVar[Literal["never", "on_reveal", "always"]] = "on_reveal"
    # Kinds whose inputs are texts the facilitator moderates.
    moderated: ClassVar[bool] = False
    # Inputs that are only counted (votes, scale values): live results read (answer, count)
    # groups from the database instead of every row — an auditorium's votes are counted in
    # SQL, not turned into thousands of Python objects four times a second. ``aggregate``
    # must then add up ``row.weight``. Only for one-answer-per-phone kinds (``replace``).
    tally: ClassVar[bool] = False
    config_fields: ClassVar[list[ConfigField]] = []
    Config: ClassVar[type[Schema]]
    # Used when the facilitator adds an activity of this kind.
    default_title: ClassVar[Any] = ""

    # --- settings -------------------------------------------------------------------------
    def default_config(self) -> dict[str, Any]:
        return self.Config().model_dump()

    def validate_config(self, payload: Any) -> dict[str, Any]:
        return parse(self.Config, payload).model_dump()

    def config(self, raw: dict[str, Any]) -> Schema:
        # Stored settings were validated on the way in (a fresh activity holds the kind's
        # defaults, which may still be incomplete), so build without validating again;
        # defaults fill fields added in later versions.
        merged = {**self.default_config(), **(raw or {})}
        return self.Config.model_construct(**merged)

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: Any) -> type[Schema]:
        raise NotImplementedError

    def text_models(self, config: Any) -> list[type[Schema]]:
        """The input schemas that hold the phone's text fields (default: ``input_model``)."""
        try:
            return [self.input_model(config)]
        except (NotImplementedError, InputError):
            return []

    def text_limits(self, config: Any) -> dict[str, int]:
        """The longest text each phone field takes, by field name, read from the input schemas
        themselves: sent with the activity, so the phone's counter and the server's refusal
        always agree."""
        out: dict[str, int] = {}
        for model in self.text_models(config):
            _string_limits(model, out)
        return out

    def validate_input(self, config: Any, payload: Any) -> dict[str, Any]:
        data = parse(self.input_model(config), payload)
        return self.check_input(config, data.model_dump())

    def check_input(self, config: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Checks that need the settings (option ranges, sums). Raise ``InputError``."""
        return data

    def max_entries(self, config: Any) -> int | None:
        return None

    def initial_status(self, config: Any, data: dict[str, Any]) -> str:
        return "visible"

    def prepare(self, config: Any, payload: Any, ctx: Context) -> Entry:
        """What one phone input means: the entry to store, what it supersedes, its limit.

        The contract of every kind. It decides and refuses (``InputError``) but never writes:
        ``workshop.inputs`` stores the entry under the rules every kind shares (a resend is
        answered from storage, a closed or locked activity refuses, limits, one commit per
        batch). The default covers the plain kinds: ``replace`` supersedes the phone's earlier
        answer, ``append`` adds entries up to ``max_entries``."""
        data = self.validate_input(config, payload)
        status = self.initial_status(config, data)
        if self.answer_mode == "replace":
            return Entry(data, status=status, supersedes=SUPERSEDE_ALL)
        most = self.max_entries(config)
        limit = None
        if most is not None:
            message = ngettext(
                "You have already sent %(n)s answer, the most allowed here.",
                "You have already sent %(n)s answers, the most allowed here.",
                most,
                n=most,
            )
            limit = Limit(most, message)
        return Entry(data, status=status, limit=limit)

    # The method's activities show the workshop's draft analysis: the broadcaster recomputes
    # them when the draft changes.
    uses_draft: ClassVar[bool] = False

    # --- results --------------------------------------------------------------------------
    def aggregate(self, config: Any, rows: list[Row]) -> dict[str, Any]:
        raise NotImplementedError

    def phone_content(self, act: Any, config: Any, draft: Any = None) -> dict[str, Any] | None:
        """What phones need to answer, beyond the settings (e.g. the items to sort).

        Sent with every phone ``results`` message, whether or not results are revealed.
        ``draft``: the draft's ``DraftSnapshot`` for kinds that set ``uses_draft``."""
        return None

    def aggregate_for(self, act: Any, config: Any, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        """Aggregate with access to the activity and, for kinds that set ``uses_draft``, the
        draft analysis as one ``DraftSnapshot`` shared by every kind that shows it."""
        return self.aggregate(config, rows)

    def phone_aggregate(self, config: Any, aggregate: dict[str, Any]) -> dict[str, Any]:
        """What phones get of the aggregate once they may see it: by default all of it. A kind
        whose aggregate carries much that phones never draw sends them less (every phone gets
        it again with every change, on the room's shared network)."""
        return aggregate

    # --- votes split by the voter's perspective (``_split``) ---------------------------------
    # Kinds whose result is a distribution of votes set ``splits``: the console then offers to
    # show it per voter's perspective, and the kind says what one group's figures are. The
    # split adds each group's aggregate to the one the screens already get, from the rows
    # already read (a tally read grouped by perspective too): no read per vote.
    splits: ClassVar[bool] = False
    # What a split cell shows: votes, mean_rank, mean_points, majority, dots, median, upvotes, yes.
    split_measure: ClassVar[str] = "votes"
    split_digits: ClassVar[int] = 0

    def split_rows(self, config: Any, aggregate: dict[str, Any]) -> list[SplitRow]:
        """The lines of the split table, read from the whole room's aggregate."""
        raise NotImplementedError

    def split_cells(self, config: Any, aggregate: dict[str, Any]) -> dict[str, Cell]:
        """One group's (or the whole room's) figure per line key, each with its voters."""
        raise NotImplementedError

    def split_voters(self, aggregate: dict[str, Any], rows: list[Row]) -> int:
        """How many voted in one group."""
        return self.responders(rows)

    def split_aggregate(self, act: Any, config: Any, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        """One group's aggregate (default: the kind's own, over the group's rows)."""
        return self.aggregate_for(act, config, rows, draft)

    def split_groups(
        self, act: Any, config: Any, rows: list[Row], draft: Any = None
    ) -> dict[str, tuple[int, dict[str, Cell]]]:
        """Per voter's perspective: how many voted and their figures. By default each group's
        own rows through the kind's aggregate; a kind whose votes are about other people's
        inputs (Q&A) reads those from every group."""
        groups = {}
        for key, group in partition(rows).items():
            agg = self.split_aggregate(act, config, group, draft)
            groups[key] = (self.split_voters(agg, group), self.split_cells(config, agg))
        return groups

    def split(
        self,
        act: Any,
        config: Any,
        rows: list[Row],
        aggregate: dict[str, Any],
        draft: Any = None,
        perspectives: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        """The votes split by the voter's perspective, the small-group rule applied
        (``_split.build``); None for kinds without votes. ``rows``: the visible rows, each
        with its voter's perspective; ``aggregate``: the whole room's, as the screens get it."""
        if not self.splits:
            return None
        groups = self.split_groups(act, config, rows, draft)
        # A kind with an aggregate of its own for the split (a lighter one) reads the whole
        # room's with it too; the others reuse the aggregate the screens get.
        own = type(self).split_aggregate is not ActivityKind.split_aggregate
        whole = self.split_aggregate(act, config, rows, draft) if own else aggregate
        lines = self.split_rows(config, whole)
        total = self.split_cells(config, whole)
        return build(self.split_measure, lines, total, groups, perspectives, self.split_digits)

    def console_items(self, config: Any, rows: list[Row]) -> list[dict[str, Any]] | None:
        """Individual inputs for moderation; ``None`` for kinds with nothing to moderate."""
        return None

    def responders(self, rows: list[Row]) -> int:
        if self.tally:
            # One current answer per phone: the answers are the responders.
            return sum(r.weight for r in rows if r.status != "deleted")
        return len({r.participant_id for r in rows if r.status != "deleted"})

    def summary(self, config: Any, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        """The totals the screens show, as (label, value) lines for the exported results,
        read from ``aggregate`` (this kind's own) so the file says what the screen said."""
        return []

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: Any) -> list[str]:
        return ["answer"]

    def csv_cells(self, config: Any, row: Row) -> list[Any]:
        return [str(row.data)]


def check_unique(options: list[str]) -> None:
    """Options that differ only in case or spacing would split the votes: refuse them."""
    seen: set[str] = set()
    for i, option in enumerate(options):
        key = normalise_text(option)
        if key in seen:
            message = gettext("Each option must be different: “%(option)s” appears twice.", option=option)
            raise InputError("invalid", message, {"options": message, f"options.{i}": message})
        seen.add(key)


def text_items(rows: list[Row], text_key: str = "text") -> list[dict[str, Any]]:
    """Texts for the console, with merged duplicates folded into their target."""
    merged_counts: dict[int, int] = {}
    for r in rows:
        if r.merged_into_id and r.status != "deleted":
            merged_counts[r.merged_into_id] = merged_counts.get(r.merged_into_id, 0) + 1
    items = []
    for r in rows:
        if r.status == "deleted":
            continue
        items.append(
            {
                "id": r.id,
                "text": r.data.get(text_key, ""),
                "status": r.status,
                "merged_into": r.merged_into_id,
                "count": 1 + merged_counts.get(r.id, 0),
                "nickname": r.nickname,
                "perspective": r.perspective,
                "answered": r.answered,
            }
        )
    return items


__all__ = [
    "SUPERSEDE_ALL",
    "ActivityKind",
    "_field_message",
    "ConfigField",
    "Cell",
    "Context",
    "Entry",
    "InputError",
    "Limit",
    "Row",
    "Schema",
    "SplitRow",
    "_l",
    "_pl",
    "normalise_text",
    "parse",
    "text_items",
    "validation_error",
]
