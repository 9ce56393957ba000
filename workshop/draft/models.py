"""The draft analysis: what the room produces, curated by the facilitator.

One ``Analysis`` per workshop. Everything typed in the method (effects, benefits, costs, risks,
obstacles, opportunities, goals, the change itself) is a ``Node`` of a ``node_type``; the
effect chain is ``Link`` rows between nodes; money-valued benefits and costs carry a
calculation ``Block`` of ``BlockRow`` questions; ``Factor`` rows are the shared factors
(hourly costs, fuel prices…) a formula may name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import UTCDateTime, utcnow

# Kinds of chain node, as the method names them (keys without Swedish letters).
NODE_TYPES = (
    "forandring",
    "effekt",
    "nytta",
    "konsekvenskostnad",
    "genomforandekostnad",
    "risk",
    "hinder",
    "mojlighet",
    "verksamhetsmal",
)
BENEFIT_TYPES = ("nytta",)
COST_TYPES = ("konsekvenskostnad", "genomforandekostnad")
# Risks, obstacles and opportunities take no category or perspective; opportunities are never counted.
UNCATEGORISED_TYPES = ("risk", "hinder", "mojlighet", "forandring", "verksamhetsmal", "effekt")
CATEGORIES = ("finansiell", "omfordelning", "kvalitet", "miljo")
MONEY_CATEGORIES = ("finansiell", "omfordelning")
VALUATIONS = ("money", "size", "none")
SIZE_SCORES = (0, 1, 2, 3)  # Ingen, Liten, Måttlig, Stor
PERSPECTIVE_KINDS = ("egen_organisation", "invanare", "narstaende", "andra_organisationer", "samhallet")
CONVENTIONS = ("A", "B")


class Analysis(db.Model):
    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), unique=True)
    name_of_change: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    geography: Mapped[str] = mapped_column(String(200), default="")
    status_text: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[str] = mapped_column(String(40), default="0.1")
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    horizon: Mapped[int] = mapped_column(Integer, default=6)
    discount_rate: Mapped[float] = mapped_column(Float, default=0.03)
    convention: Mapped[str] = mapped_column(String(1), default="A")
    alternative_a: Mapped[str] = mapped_column(Text, default="")
    alternative_b: Mapped[str] = mapped_column(Text, default="")
    # [{"aspect", "a", "b"}]
    comparison: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"kind": one of PERSPECTIVE_KINDS, "label": "Solstad kommun"}]
    perspectives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    method_notes: Mapped[str] = mapped_column(Text, default="")
    valuation_notes: Mapped[str] = mapped_column(Text, default="")
    review_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    nodes: Mapped[list[Node]] = relationship(back_populates="analysis", order_by="Node.position, Node.id", cascade="all, delete-orphan")
    links: Mapped[list[Link]] = relationship(back_populates="analysis", cascade="all, delete-orphan")
    factors: Mapped[list[Factor]] = relationship(back_populates="analysis", order_by="Factor.position, Factor.id", cascade="all, delete-orphan")


class Node(db.Model):
    __tablename__ = "analysis_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    node_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    perspective: Mapped[str] = mapped_column(String(200), default="")
    polarity: Mapped[str | None] = mapped_column(String(10), nullable=True)  # positive | negative
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    valuation: Mapped[str] = mapped_column(String(10), default="none")
    size_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cost_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)  # one_off | running
    motivation: Mapped[str] = mapped_column(Text, default="")
    # Sentence pattern of step 5, kept in parts so it can be re-edited: rubrik, genom_att, hander, och, leder_till
    pattern: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Direct yearly value when no block is used: {"low", "likely", "high", "source"}
    direct_value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    year_profile: Mapped[list[float]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="visible")  # visible | hidden
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source_response_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    analysis: Mapped[Analysis] = relationship(back_populates="nodes")
    # Loaded with the nodes, a few queries for all of them: the draft, the result and the
    # exports read every node's block, and one query per node made a big analysis slow to open.
    block: Mapped[Block | None] = relationship(back_populates="node", uselist=False, cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_benefit(self) -> bool:
        return self.node_type in BENEFIT_TYPES

    @property
    def is_cost(self) -> bool:
        return self.node_type in COST_TYPES


class Link(db.Model):
    """A directed arrow of the effect chain: cause → consequence."""

    __tablename__ = "analysis_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id", name="uq_links_from_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("analysis_nodes.id", ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("analysis_nodes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    analysis: Mapped[Analysis] = relationship(back_populates="links")


class Block(db.Model):
    """Calculation block of one money-valued item (step 6): questions and a formula."""

    __tablename__ = "analysis_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("analysis_nodes.id", ondelete="CASCADE"), unique=True)
    formula: Mapped[str] = mapped_column(String(500), default="")
    hours_formula: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    node: Mapped[Node] = relationship(back_populates="block")
    rows: Mapped[list[BlockRow]] = relationship(back_populates="block", order_by="BlockRow.position, BlockRow.id", cascade="all, delete-orphan",
                                                lazy="selectin")


class BlockRow(db.Model):
    __tablename__ = "analysis_block_rows"
    __table_args__ = (UniqueConstraint("block_id", "name", name="uq_block_rows_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("analysis_blocks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    likely: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    # "Ska vi ta 400?": the figure the facilitator puts to the room in step 7.
    proposal: Mapped[float | None] = mapped_column(Float, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    block: Mapped[Block] = relationship(back_populates="rows")


class Factor(db.Model):
    """Shared factor (delad faktor), e.g. an hourly cost used by many blocks."""

    __tablename__ = "analysis_factors"
    __table_args__ = (UniqueConstraint("analysis_id", "name", name="uq_factors_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    likely: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    from_library: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    analysis: Mapped[Analysis] = relationship(back_populates="factors")
