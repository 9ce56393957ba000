"""Database models (SQLAlchemy 2.0). Schema changes go through ``workshop/migrations``."""

from __future__ import annotations

from datetime import datetime, timezone
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
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(db.TypeDecorator):
    """Always hand back aware UTC datetimes; SQLite stores them naive."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class User(UserMixin, db.Model):
    """A facilitator (analysledare) account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshops: Mapped[list[Workshop]] = relationship(back_populates="owner")


class Workshop(db.Model):
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

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="sv")
    mode: Mapped[str] = mapped_column(String(20), default="live")  # live | self_paced
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | archived
    join_code: Mapped[str] = mapped_column(String(8))
    presenter_key: Mapped[str] = mapped_column(String(64))
    ask_nickname: Mapped[bool] = mapped_column(Boolean, default=True)
    ask_perspective: Mapped[bool] = mapped_column(Boolean, default=False)
    perspectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_activity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(back_populates="workshops")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="workshop", order_by="Activity.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
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


class Activity(db.Model):
    """One slide of a workshop: its ``kind`` names the module in ``workshop.activities``."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300), default="")
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    results_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    timer_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A reset starts a new generation: earlier answers stay stored but stop counting.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="activities")

    @property
    def results_visible(self) -> bool:
        return not self.results_hidden or self.revealed


class Participant(db.Model):
    """A phone in a workshop. No account: the token kept on the phone is the identity."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    nickname: Mapped[str] = mapped_column(String(60), default="")
    perspective: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="participants")


class Response(db.Model):
    """One acknowledged input from a phone, stored once per (participant, client_id).

    Inputs are never updated in place by phones: a changed answer is a new row and the
    earlier one stops being ``current``. That keeps retries idempotent and the history whole.
    """

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id", name="uq_responses_participant_client"),
        # The participant last: reading an activity uses the prefix, replacing one answer all four.
        Index("ix_responses_activity_gen_current_participant", "activity_id", "generation", "current", "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Another response this one acts on (an upvote's question).
    ref_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    # visible | pending (awaits approval) | hidden | deleted
    status: Mapped[str] = mapped_column(String(12), default="visible")
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
