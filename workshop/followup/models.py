"""Decided versions, the follow-up plan per item, and measurements.

A ``Version`` is immutable once made: it keeps the engine's inputs as they were decided
(``inputs``, see ``workshop.calculation.outcome.frozen_inputs``) and the frame and chain it was
decided on (``frame``), so later edits of the draft never change it. Plans and measurements
belong to a version; realised values never overwrite the estimate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..models import UTCDateTime, utcnow

#: Realised size of a benefit not valued in money (the method's scale).
SIZES = (0, 1, 2, 3)


class AnalysisVersion(Model):
    __tablename__ = "analysis_versions"
    __table_args__ = (UniqueConstraint("analysis_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"), index=True, doc="The analysis this version froze."
    )
    number: Mapped[int] = mapped_column(Integer, doc="1, 2, … within the analysis.")
    label: Mapped[str] = mapped_column(String(120), doc="What was decided, e.g. 'Beslutad' or 'Efter piloten'.")
    decided_on: Mapped[date] = mapped_column(Date, doc="The date of the decision.")
    decided_by: Mapped[str] = mapped_column(
        String(200), default="", doc="Who decided, as a role (e.g. 'Socialnämnden'); a name only if typed."
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the version was made (UTC).")
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, doc="The engine's inputs as decided (frozen).")
    frame: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="The frame, item titles and chain effects as decided (frozen): what the pages show."
    )
    use_check_on: Mapped[date | None] = mapped_column(
        Date, nullable=True, doc="When to check that the change is in use."
    )
    use_check_note: Mapped[str] = mapped_column(
        Text, default="", doc="What that check found, at most 2 000 characters."
    )
    closed: Mapped[bool] = mapped_column(Boolean, default=False, doc="The follow-up is finished (avslutad).")

    plans: Mapped[list[Plan]] = relationship(back_populates="version", cascade="all, delete-orphan", order_by="Plan.id")
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Measurement.id"
    )


class Plan(Model):
    """How and by whom one item of a version is followed up (the method's "hur" and "vem")."""

    __tablename__ = "followup_plans"
    __table_args__ = (UniqueConstraint("version_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_versions.id", ondelete="CASCADE"), index=True, doc="The version followed up."
    )
    item_id: Mapped[str] = mapped_column(String(40), doc="The item (benefit or cost) of the version.")
    owner_role: Mapped[str] = mapped_column(String(200), default="", doc="Who follows it up, as a role.")
    indicator: Mapped[str] = mapped_column(
        String(40), default="", doc="'' = the item itself; else the id of an earlier effect in the chain."
    )
    method: Mapped[str] = mapped_column(Text, default="", doc="How it is measured, at most 2 000 characters.")
    baseline: Mapped[str] = mapped_column(String(300), default="", doc="The baseline (nollmätning).")
    first_on: Mapped[date | None] = mapped_column(Date, nullable=True, doc="The first measurement date.")
    every_months: Mapped[int | None] = mapped_column(
        Integer, nullable=True, doc="Measure again every N months (None: once)."
    )

    version: Mapped[AnalysisVersion] = relationship(back_populates="plans")


class Measurement(Model):
    """What happened to one item in one year of the horizon, measured on a date."""

    __tablename__ = "followup_measurements"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    version_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_versions.id", ondelete="CASCADE"), index=True, doc="The version followed up."
    )
    item_id: Mapped[str] = mapped_column(String(40), doc="The item measured.")
    year: Mapped[int] = mapped_column(Integer, doc="The year t = 1..H of the horizon the figure is for.")
    measured_on: Mapped[date] = mapped_column(Date, doc="When it was measured (not before the decision).")
    value: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Realised value that year (kr).")
    rows: Mapped[dict[str, float]] = mapped_column(JSON, default=dict, doc="Realised row values {row name: value}.")
    size: Mapped[int | None] = mapped_column(
        Integer, nullable=True, doc="Realised size for items not valued in money: Ingen 0 … Stor 3."
    )
    indicator_value: Mapped[float | None] = mapped_column(
        Float, nullable=True, doc="The plan's indicator as measured that day (a leading indicator's trend)."
    )
    comment: Mapped[str] = mapped_column(Text, default="", doc="What was seen, at most 2 000 characters.")
    source: Mapped[str] = mapped_column(String(300), default="", doc="Where the figure comes from.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When it was recorded (UTC).")

    version: Mapped[AnalysisVersion] = relationship(back_populates="measurements")
