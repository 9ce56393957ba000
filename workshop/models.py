"""Database models (SQLAlchemy 2.0). Schema changes go through ``workshop/migrations``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


def timer_closed(ends_at: datetime | None, closes: bool | None, now: datetime | None = None) -> bool:
    """A countdown that closes input has ended (``closes`` None counts as the default, True)."""
    return ends_at is not None and closes is not False and (now or utcnow()) >= ends_at


class UTCDateTime(TypeDecorator):
    """Always hand back aware UTC datetimes; SQLite stores them naive."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Organisation(Model):
    """The organisation (a municipality, a region, a unit) that holds facilitator accounts.

    Its members see their own workshops and those shared with them; its admins also see every
    workshop of the organisation and manage its accounts (docs/accounts.md)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    name: Mapped[str] = mapped_column(String(200), default="", doc="Shown on the organisation page; may be empty.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When it was made (UTC).")

    members: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.id")


class User(UserMixin, Model):
    """A facilitator (analysledare) account, a member of one organisation."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    email: Mapped[str] = mapped_column(String(254), unique=True, doc="Login name: trimmed and lower-cased, unique.")
    name: Mapped[str] = mapped_column(
        String(120),
        default="",
        doc="Display name shown to the facilitator; may be empty.",
    )
    password_hash: Mapped[str] = mapped_column(
        String(255),
        doc="Password hash (werkzeug format); never the password itself.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the account was made (UTC).")
    oidc_issuer: Mapped[str | None] = mapped_column(
        String(255),
        nullable=True,
        doc="The identity provider (OpenID Connect issuer) this account signs in with, if any.",
    )
    oidc_subject: Mapped[str | None] = mapped_column(
        String(255),
        nullable=True,
        doc="The account's subject (sub) at that provider: stable, unlike the e-mail address.",
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True, doc="The organisation the account belongs to."
    )
    role: Mapped[str] = mapped_column(
        String(20),
        default="member",
        server_default="member",
        doc="'admin' (manages the organisation's accounts, sees all its workshops) or 'member'.",
    )
    active: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        doc="False = deactivated by an admin: cannot log in, and its logins are ended.",
    )

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    workshops: Mapped[list[Workshop]] = relationship(back_populates="owner")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account is never logged in
        return bool(self.active)

    # The login this object was loaded for (a transient attribute, never stored): Flask-Login keeps
    # ``get_id()`` in the session and the remember-me cookie, so both name a login, not the account.
    __allow_unmapped__ = True
    login_token: str | None = None

    def get_id(self) -> str:
        if not self.login_token:
            raise AttributeError("a facilitator is logged in through workshop.login_sessions.start")
        return self.login_token


class LoginSession(Model):
    """One login of a facilitator: what the session cookie and the remember-me cookie name.

    Logging out deletes the row, so a copied cookie stops working at once; the random token is
    stored only as its SHA-256."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, doc="The account logged in."
    )
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, doc="SHA-256 (hex) of the random token in the cookies; never the token."
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, doc="When the password was given (UTC); the absolute timeout counts from it."
    )
    remember: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="'Kom ihåg mig' was ticked: the longer absolute timeout applies."
    )


class Workshop(Model):
    __tablename__ = "workshops"
    __table_args__ = (
        # Join codes are unique only among open workshops; archived ones keep theirs for the record.
        Index(
            "uq_workshops_open_join_code",
            "join_code",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id"),
        index=True,
        doc="The facilitator (User) who owns and may edit the workshop.",
    )
    title: Mapped[str] = mapped_column(
        String(200),
        doc="Shown to participants and on the dashboard; 1 to 200 characters.",
    )
    language: Mapped[str] = mapped_column(
        String(5),
        default="sv",
        doc="Language of the phones and presenter screen: 'sv' or 'en' (workshops.LANGUAGES).",
    )
    mode: Mapped[str] = mapped_column(
        String(20),
        default="live",
        doc=(
            "'live' (the facilitator leads, phones follow the current activity) or 'self_paced' (open for "
            "days, any order) — workshops.MODES."
        ),
    )
    open_until: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="Input is refused from this moment (UTC); None = open until archived.",
    )
    status: Mapped[str] = mapped_column(
        String(20),
        default="open",
        doc="'open' (phones may join with the code) or 'archived' (read-only, code released).",
    )
    join_code: Mapped[str] = mapped_column(
        String(8),
        doc="Eight digits, no leading zero; unique among open workshops only.",
    )
    presenter_key: Mapped[str] = mapped_column(
        String(64),
        doc="Secret in the presenter screen's address (the only credential it needs).",
    )
    results_key: Mapped[str | None] = mapped_column(
        String(64),
        nullable=True,
        default=lambda: secrets.token_urlsafe(24),
        doc=(
            "Secret in the read-only results link (draft analysis of a method workshop, results per "
            "activity of a poll workshop); None = the link is turned off."
        ),
    )
    ask_nickname: Mapped[bool] = mapped_column(Boolean, default=True, doc="Phones ask for a nickname when joining.")
    ask_perspective: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="Phones ask which perspective or role the participant speaks for (needs ``perspectives``).",
    )
    perspectives: Mapped[list[str]] = mapped_column(
        JSON,
        default=list,
        doc="Perspectives or roles phones choose from: list of up to 20 texts of at most 120 characters.",
    )
    retention_months: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc=(
            "Participants' inputs are deleted this many months after the workshop closed (archived, or its "
            "closing time passed); None = kept until the facilitator deletes them (workshop/retention.py)."
        ),
    )
    closed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When the workshop was archived (UTC); None while open."
    )
    inputs_deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When the retention rule deleted the participants' inputs (UTC); None = not (yet).",
    )
    checklist: Mapped[list[str] | None] = mapped_column(
        JSON,
        nullable=True,
        default=None,
        doc=(
            "What must be ready before the room arrives, as keys of the rules in ``workshop.checklist`` "
            "(copied from the template the workshop was made from); None or [] = no checklist."
        ),
    )
    current_activity_id: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc=(
            "The activity phones and presenter show now (live mode); None = none yet. Not a foreign key: "
            "deleting an activity moves it."
        ),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the workshop was made (UTC).")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime,
        default=utcnow,
        onupdate=utcnow,
        doc="Last change of the workshop's own settings (UTC).",
    )
    state_revision: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc=(
            "Bumped in the transaction of every change of what phones are told of the workshop: its own "
            "columns, any of its activities, whether its draft's Alternativ A and B are written "
            "(``realtime.phone_view``). A phone connecting reads it instead of every activity."
        ),
    )

    owner: Mapped[User] = relationship(back_populates="workshops")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="workshop", order_by="Activity.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(back_populates="workshop", cascade="all, delete-orphan")
    shares: Mapped[list[WorkshopShare]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopShare.id"
    )

    @property
    def is_self_paced(self) -> bool:
        return self.mode == "self_paced"

    def accepts_input(self, now: datetime | None = None) -> bool:
        return self.open_for_input(self.status, self.open_until, now)

    @staticmethod
    def open_for_input(status: str, open_until: datetime | None, now: datetime | None = None) -> bool:
        """The rule on plain values, for readers of columns (the group writer) as well."""
        return status == "open" and (open_until is None or (now or utcnow()) < open_until)


class ConsoleVisit(Model):
    """When a facilitator last opened a workshop's console: "3 new since you were here on Tuesday 14:05"."""

    __tablename__ = "console_visits"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True, doc="The workshop visited."
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, doc="The facilitator who visited."
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="The latest visit (UTC).")
    previous_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="The visit before the latest (UTC): what the console counts news from; None = first visit.",
    )


class WorkshopShare(Model):
    """A workshop shared with a colleague of the owner's organisation (``workshop.access``)."""

    __tablename__ = "workshop_shares"
    __table_args__ = (UniqueConstraint("workshop_id", "user_id", name="uq_workshop_shares_workshop_user"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True, doc="The workshop shared."
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, doc="The colleague it is shared with."
    )
    role: Mapped[str] = mapped_column(
        String(20),
        doc="'cofacilitator' (everything but deleting or sharing it) or 'viewer' (reads, changes nothing).",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When it was shared (UTC).")

    workshop: Mapped[Workshop] = relationship(back_populates="shares")
    user: Mapped[User] = relationship()


class AccountLink(Model):
    """A one-time link with an expiry: an invitation into an organisation, or a password reset
    an admin made for an account. Only the SHA-256 of its random token is stored."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    purpose: Mapped[str] = mapped_column(String(10), doc="'invite' or 'reset'.")
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True, doc="The organisation it belongs to."
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=True,
        doc="A reset: the account whose password it sets. An invitation: the account made with it, once used.",
    )
    email: Mapped[str] = mapped_column(
        String(254), default="", doc="An invitation: the address it was sent or meant for; '' = anyone with the link."
    )
    role: Mapped[str] = mapped_column(String(20), default="member", doc="An invitation: the new account's role.")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 (hex) of the token in the link.")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, doc="The admin who made it."
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When it was made (UTC).")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="The link stops working at this moment (UTC).")
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When it was used (UTC); a used link never works again."
    )


class Activity(Model):
    """One slide of a workshop: its ``kind`` names the module in ``workshop.activities``."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"),
        index=True,
        doc="The workshop this activity belongs to.",
    )
    position: Mapped[int] = mapped_column(Integer, default=0, doc="Order within the workshop, 0-based, no gaps.")
    kind: Mapped[str] = mapped_column(
        String(40),
        doc="Key of the activity kind: a module name in ``workshop.activities`` (e.g. 'scale', 'effects').",
    )
    title: Mapped[str] = mapped_column(String(300), default="", doc="The question or title shown; 1 to 300 characters.")
    config: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        default=dict,
        doc=("The kind's settings, validated by the kind's ``Config`` schema; missing keys take the kind's defaults."),
    )
    locked: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="Phones may not answer (the facilitator closed the activity for input).",
    )
    results_hidden: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="Results stay off the presenter and phones until revealed.",
    )
    revealed: Mapped[bool | None] = mapped_column(
        Boolean,
        nullable=True,
        default=None,
        doc=(
            "The facilitator's live choice: True = results shown (presenter and phones), False = hidden "
            "from both, None = not chosen (the presenter follows ``results_hidden``; phones see nothing "
            "until shown, except kinds whose phones always see the list)."
        ),
    )
    timer_seconds: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="Length of the countdown, 10 seconds to 7 days; None = no timer.",
    )
    timer_ends_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When a running countdown ends (UTC); None = not running.",
    )
    timer_closes: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        doc="When the countdown ends, phones may no longer answer (False: the timer is only a signal).",
    )
    split_voters: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc=(
            "The votes are shown split by the voter's perspective (presenter, console, results export), "
            "under the small-group rule of ``workshop.activities._split``."
        ),
    )
    generation: Mapped[int] = mapped_column(
        Integer,
        default=0,
        doc="Raised by a reset: responses of earlier generations stay stored but stop counting.",
    )
    inputs_revision: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc=(
            "Raised in the transaction of every change to the activity's stored inputs, which carry it "
            "(``Response.revision``): a reader reads only what changed since it last read "
            "(``workshop.responses``)."
        ),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the activity was added (UTC).")

    workshop: Mapped[Workshop] = relationship(back_populates="activities")

    @property
    def results_visible(self) -> bool:
        """Whether the presenter shows the results: the facilitator's live choice, else the setting."""
        if self.revealed is not None:
            return self.revealed
        return not self.results_hidden

    def time_up(self, now: datetime | None = None) -> bool:
        """The countdown ended and closes input (see ``timer_closes``)."""
        return timer_closed(self.timer_ends_at, self.timer_closes, now)


class Participant(Model):
    """A phone in a workshop. No account: the token kept on the phone is the identity."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"),
        index=True,
        doc="The workshop the phone joined.",
    )
    token: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        doc="Secret kept on the phone; the participant's only identity (no account).",
    )
    nickname: Mapped[str] = mapped_column(
        String(60),
        default="",
        doc="Optional nickname, at most 60 characters; '' = anonymous.",
    )
    perspective: Mapped[str] = mapped_column(
        String(120),
        default="",
        doc=("Chosen perspective or role (one of the workshop's ``perspectives``), at most 120 characters; '' = none."),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the phone joined (UTC).")

    workshop: Mapped[Workshop] = relationship(back_populates="participants")


class Response(Model):
    """One acknowledged input from a phone, stored once per (participant, client_id).

    Inputs are never updated in place by phones: a changed answer is a new row and the
    earlier one stops being ``current``. That keeps retries idempotent and the history whole.
    """

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id", name="uq_responses_participant_client"),
        # The participant last: reading an activity uses the prefix, replacing one answer all four.
        Index(
            "ix_responses_activity_gen_current_participant", "activity_id", "generation", "current", "participant_id"
        ),
        # What changed in an activity since a reader last read it.
        Index("ix_responses_activity_revision", "activity_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"),
        doc="The activity answered.",
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"),
        doc="The phone that answered.",
    )
    client_id: Mapped[str] = mapped_column(
        String(64),
        doc="The phone's id for this input, so a retried send is stored once.",
    )
    generation: Mapped[int] = mapped_column(
        Integer,
        default=0,
        doc="The activity's generation when stored; only the current generation counts.",
    )
    data: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        doc="The input as the kind validated it (its input schema's fields).",
    )
    ref_id: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        index=True,
        doc="Another response this one acts on (an upvote's question); None = none.",
    )
    current: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        doc="The participant's latest answer (replace-mode kinds); earlier ones are kept, not counted.",
    )
    status: Mapped[str] = mapped_column(
        String(12),
        default="visible",
        doc=("'visible', 'pending' (awaits the facilitator's approval), 'hidden' (moderated away) or 'deleted'."),
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="The response this duplicate was merged into (counted there); None = not merged.",
    )
    answered: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="A Q&A question the facilitator marked as answered.",
    )
    revision: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc=(
            "The activity's ``inputs_revision`` of the transaction that last wrote this row (stored it, "
            "superseded it, moderated or forgot it)."
        ),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the input was stored (UTC).")
