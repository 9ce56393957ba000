"""Tables of the organisation's factor library and the analysis library (docs/accounts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class OrgFactor(Model):
    """A shared factor of one organisation (its own hourly cost or price, with source and year).

    A new analysis of the organisation starts with these, above the factors the product ships
    (one of the same name replaces the shipped one). The analysis copies the value: changing the
    library later never changes an analysis already made, decided or not."""

    __tablename__ = "organisation_factors"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_organisation_factors_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True, doc="The organisation whose factor it is."
    )
    name: Mapped[str] = mapped_column(
        String(60), doc="The name formulas use (letters, digits and _, starting with a letter)."
    )
    label: Mapped[str] = mapped_column(String(300), default="", doc="What it is, e.g. Timkostnad sjuksköterska.")
    unit: Mapped[str] = mapped_column(String(40), default="", doc="Unit, e.g. kr/timme.")
    value: Mapped[float] = mapped_column(Float, doc="The value (a positive number).")
    source: Mapped[str] = mapped_column(Text, default="", doc="Where the value comes from.")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="The year the value refers to.")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, doc="Last change (UTC).")


class PublishedAnalysis(Model):
    """An analysis published as a template in the analysis library, for every organisation on
    this server: a JSON document (``workshop/portable.py``'s schema) with participant data
    removed, the source organisation's name and the date."""

    __tablename__ = "published_analyses"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True, doc="The source organisation."
    )
    organisation_name: Mapped[str] = mapped_column(
        String(200), default="", doc="The source organisation's name when published (kept if it is renamed)."
    )
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, doc="Who published it (may withdraw it)."
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When it was published (UTC).")
    title: Mapped[str] = mapped_column(String(300), doc="The name of the change.")
    summary: Mapped[str] = mapped_column(Text, default="", doc="The publisher's words on what it is and how to use it.")
    document: Mapped[dict[str, Any]] = mapped_column(JSON, doc="The analysis as a template document.")
    kept_participant_text: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="The publisher chose to keep the participants' own descriptions."
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When it was withdrawn (UTC); None = listed."
    )
