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

from ..extensions import Model
from ..models import UTCDateTime, utcnow

# The allowed values of the typed columns below are defined once, with their labels, in
# ``vocabulary``; re-exported here for the code that reads them next to the models.
from .vocabulary import (  # noqa: F401
    BENEFIT_TYPES,
    CATEGORIES,
    CONVENTIONS,
    COST_KINDS,
    COST_TYPES,
    MONEY_CATEGORIES,
    NODE_STATUSES,
    NODE_TYPES,
    PERSPECTIVE_KINDS,
    POLARITIES,
    SIZE_SCORES,
    UNCATEGORISED_TYPES,
    VALUATIONS,
)


class Analysis(Model):
    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"),
        unique=True,
        doc="The workshop whose draft this is (one analysis per workshop).",
    )
    name_of_change: Mapped[str] = mapped_column(
        String(300),
        default="",
        doc="The change analysed (Förändringen), at most 300 characters.",
    )
    organisation: Mapped[str] = mapped_column(
        String(200),
        default="",
        doc="Organisation doing the analysis, at most 200 characters.",
    )
    area: Mapped[str] = mapped_column(
        String(200),
        default="",
        doc="Area of activity (verksamhetsområde), at most 200 characters.",
    )
    purpose: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Why the analysis is made (Syfte), at most 5 000 characters.",
    )
    geography: Mapped[str] = mapped_column(String(200), default="", doc="Geographic frame, at most 200 characters.")
    status_text: Mapped[str] = mapped_column(
        String(100),
        default="",
        doc="Status of the analysis as the report shows it (e.g. 'Utkast'), at most 100 characters.",
    )
    version: Mapped[str] = mapped_column(
        String(40),
        default="0.1",
        doc="Version of the report, free text of at most 40 characters.",
    )
    contact_role: Mapped[str] = mapped_column(
        String(200),
        default="",
        doc="Contact person's role (a role, not a name), at most 200 characters.",
    )
    start_year: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="Calendar year of year 1, 1990 to 2100; None = years shown as år 1, år 2…",
    )
    horizon: Mapped[int] = mapped_column(
        Integer,
        default=6,
        doc="Years calculated, 1 to 30 (the templates use 6, 15 or 25).",
    )
    discount_rate: Mapped[float] = mapped_column(
        Float,
        default=0.03,
        doc="Discount rate as a fraction, 0 to 0.5 (0.03 = 3 %).",
    )
    convention: Mapped[str] = mapped_column(
        String(1),
        default="A",
        doc=("Discounting convention (vocabulary.CONVENTIONS): 'A' year t divided by (1+r)^(t-1), 'B' by (1+r)^t."),
    )
    alternative_a: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Alternative A, the reference point (often today: nollalternativ), at most 5 000 characters.",
    )
    alternative_b: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Alternative B, the change, at most 5 000 characters.",
    )
    comparison: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON,
        default=list,
        doc="The comparison table of step 1: [{'aspect', 'a', 'b'}], at most 50 rows.",
    )
    perspectives: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON,
        default=list,
        doc=(
            "The frame's perspectives: [{'kind': one of vocabulary.PERSPECTIVE_KINDS, 'label': 'Solstad "
            "kommun'}], at most 30."
        ),
    )
    method_notes: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="How the analysis was done (report section Metod), at most 5 000 characters.",
    )
    valuation_notes: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Approach and key assumptions of the valuation, at most 5 000 characters.",
    )
    uncertainty: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON,
        default=list,
        server_default="[]",
        doc=(
            "Osäkerhet per area (qualitative, no scale of figures): [{'area', 'level': one of "
            "vocabulary.UNCERTAINTY_LEVELS or '', 'motivation'}], at most 30 areas."
        ),
    )
    review_key: Mapped[str] = mapped_column(
        String(64),
        doc="Secret in the read-only review link for the reference group and the commissioner.",
    )
    revision: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc="Bumped in the transaction of every change of the draft (``draft.snapshot``): what screens "
        "show is built once per revision.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the draft was made (UTC).")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime,
        default=utcnow,
        onupdate=utcnow,
        doc="Last change of the frame (UTC).",
    )

    nodes: Mapped[list[Node]] = relationship(
        back_populates="analysis", order_by="Node.position, Node.id", cascade="all, delete-orphan"
    )
    links: Mapped[list[Link]] = relationship(back_populates="analysis", cascade="all, delete-orphan")
    factors: Mapped[list[Factor]] = relationship(
        back_populates="analysis", order_by="Factor.position, Factor.id", cascade="all, delete-orphan"
    )


class Node(Model):
    __tablename__ = "analysis_nodes"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"),
        index=True,
        doc="The analysis this item belongs to.",
    )
    node_type: Mapped[str] = mapped_column(
        String(30),
        doc=(
            "Kind of item: one of vocabulary.NODE_TYPES (forandring, effekt, nytta, konsekvenskostnad, "
            "genomforandekostnad, risk, hinder, mojlighet, verksamhetsmal)."
        ),
    )
    title: Mapped[str] = mapped_column(String(300), doc="What the item is, one thing per item; 1 to 300 characters.")
    description: Mapped[str] = mapped_column(Text, default="", doc="Description (step 5), at most 5 000 characters.")
    cause: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="What causes the effect (step 2), at most 5 000 characters.",
    )
    perspective: Mapped[str] = mapped_column(
        String(200),
        default="",
        doc=(
            "Who gets the benefit or bears the cost, usually a label of the frame's perspectives, at most 200 "
            "characters; '' for risks, obstacles and opportunities."
        ),
    )
    polarity: Mapped[str | None] = mapped_column(
        String(10),
        nullable=True,
        doc="Effects: 'positive' or 'negative' (vocabulary.POLARITIES); None = not said.",
    )
    category: Mapped[str | None] = mapped_column(
        String(20),
        nullable=True,
        doc=(
            "Benefits and costs only: one of vocabulary.CATEGORIES (finansiell, omfordelning, kvalitet, "
            "miljo); None = not sorted yet."
        ),
    )
    valuation: Mapped[str] = mapped_column(
        String(10),
        default="none",
        doc=(
            "One of vocabulary.VALUATIONS: 'money' (only finansiell and omfordelning), 'size' (size_score) or 'none'."
        ),
    )
    size_score: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc=(
            "Estimated size when valuation is 'size': 0 Ingen, 1 Liten, 2 Måttlig, 3 Stor "
            "(vocabulary.SIZE_SCORES); None otherwise."
        ),
    )
    cost_kind: Mapped[str | None] = mapped_column(
        String(10),
        nullable=True,
        doc=("Implementation costs only: 'one_off' or 'running' (vocabulary.COST_KINDS); None for everything else."),
    )
    motivation: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Why the facilitator chose this category and valuation (step 4), at most 5 000 characters.",
    )
    pattern: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        default=dict,
        doc=(
            "The step-5 sentence in parts, to re-edit it: {'rubrik', 'genom_att', 'hander', 'och', "
            "'leder_till'}, each at most 1 000 characters."
        ),
    )
    direct_value: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        default=dict,
        doc=(
            "Yearly value in kronor when no calculation block is used: {'low', 'likely', 'high', 'source'}; {} = none."
        ),
    )
    year_profile: Mapped[list[float]] = mapped_column(
        JSON,
        default=list,
        doc="Factor per year t = 1..H (0 to 100 each, at most 30); [] = 1 every year.",
    )
    status: Mapped[str] = mapped_column(
        String(10),
        default="visible",
        doc=(
            "'visible', 'hidden' or 'parked' (vocabulary.NODE_STATUSES); hidden items are not shown or counted, "
            "parked ones (costs raised in step 2) wait on the parking list for step 6."
        ),
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="The item this duplicate was merged into; None = not merged.",
    )
    position: Mapped[int] = mapped_column(Integer, default=0, doc="Order among the analysis' items.")
    source_response_id: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="The participant's response the item came from; None = added by the facilitator or a template.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the item was added (UTC).")

    analysis: Mapped[Analysis] = relationship(back_populates="nodes")
    # Loaded with the nodes, a few queries for all of them: the draft, the result and the
    # exports read every node's block, and one query per node made a big analysis slow to open.
    block: Mapped[Block | None] = relationship(
        back_populates="node", uselist=False, cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_benefit(self) -> bool:
        return self.node_type in BENEFIT_TYPES

    @property
    def is_cost(self) -> bool:
        return self.node_type in COST_TYPES


class Link(Model):
    """A directed arrow of the effect chain: cause → consequence."""

    __tablename__ = "analysis_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id", name="uq_links_from_to"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"),
        index=True,
        doc="The analysis this arrow belongs to.",
    )
    from_id: Mapped[int] = mapped_column(ForeignKey("analysis_nodes.id", ondelete="CASCADE"), doc="The cause.")
    to_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_nodes.id", ondelete="CASCADE"),
        doc="The consequence (never the cause itself; one arrow per pair).",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, doc="When the arrow was drawn (UTC).")

    analysis: Mapped[Analysis] = relationship(back_populates="links")


class Block(Model):
    """Calculation block of one money-valued item (step 6): questions and a formula."""

    __tablename__ = "analysis_blocks"

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    node_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_nodes.id", ondelete="CASCADE"),
        unique=True,
        doc="The benefit or cost valued (one block per item).",
    )
    formula: Mapped[str] = mapped_column(
        String(500),
        default="",
        doc=(
            "Yearly value in kronor, over the rows' and shared factors' names; '' = none yet. At most 500 characters."
        ),
    )
    hours_formula: Mapped[str] = mapped_column(
        String(500),
        default="",
        doc="Omfördelning only: yearly hours freed or used, over the same names; '' = none.",
    )
    notes: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="The facilitator's notes on the calculation, at most 5 000 characters.",
    )

    node: Mapped[Node] = relationship(back_populates="block")
    rows: Mapped[list[BlockRow]] = relationship(
        back_populates="block", order_by="BlockRow.position, BlockRow.id", cascade="all, delete-orphan", lazy="selectin"
    )


class BlockRow(Model):
    __tablename__ = "analysis_block_rows"
    __table_args__ = (UniqueConstraint("block_id", "name", name="uq_block_rows_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    block_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_blocks.id", ondelete="CASCADE"),
        index=True,
        doc="The calculation block this question belongs to.",
    )
    name: Mapped[str] = mapped_column(
        String(60),
        doc=(
            "Name the formula uses: letters, digits and _, starting with a letter, unique in the block; at "
            "most 60 characters."
        ),
    )
    label: Mapped[str] = mapped_column(
        String(300),
        default="",
        doc="The question (What does … cost? How many …?), at most 300 characters.",
    )
    unit: Mapped[str] = mapped_column(
        String(40),
        default="",
        doc="Unit of the value (h, kr/h, st…), at most 40 characters.",
    )
    low: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Lowest value; None = not given.")
    likely: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Likely value; None = not given.")
    high: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Highest value; None = not given.")
    source: Mapped[str] = mapped_column(
        Text,
        default="",
        doc="Where the figures come from, and the reasoning, at most 5 000 characters.",
    )
    proposal: Mapped[float | None] = mapped_column(
        Float,
        nullable=True,
        doc="The figure the facilitator puts to the room in step 7 ('Ska vi ta 400?'); None = none.",
    )
    position: Mapped[int] = mapped_column(Integer, default=0, doc="Order within the block.")

    block: Mapped[Block] = relationship(back_populates="rows")


class Factor(Model):
    """Shared factor (delad faktor), e.g. an hourly cost used by many blocks."""

    __tablename__ = "analysis_factors"
    __table_args__ = (UniqueConstraint("analysis_id", "name", name="uq_factors_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc="Primary key.")
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"),
        index=True,
        doc="The analysis using the factor.",
    )
    name: Mapped[str] = mapped_column(
        String(60),
        doc=(
            "Name formulas use: letters, digits and _, starting with a letter, unique in the analysis; at "
            "most 60 characters."
        ),
    )
    label: Mapped[str] = mapped_column(
        String(300),
        default="",
        doc="What the factor is (e.g. Timkostnad sjuksköterska), at most 300 characters.",
    )
    unit: Mapped[str] = mapped_column(String(40), default="", doc="Unit (kr/h, kr/mil…), at most 40 characters.")
    low: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Lowest value; None = not given.")
    likely: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Likely value; None = not given.")
    high: Mapped[float | None] = mapped_column(Float, nullable=True, doc="Highest value; None = not given.")
    source: Mapped[str] = mapped_column(Text, default="", doc="Where the value comes from, at most 5 000 characters.")
    year: Mapped[int | None] = mapped_column(
        Integer,
        nullable=True,
        doc="Year the value refers to (e.g. the salary year); None = not given.",
    )
    from_library: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="Shipped with the product's factor library (calculation/factors.json) rather than added by hand.",
    )
    position: Mapped[int] = mapped_column(Integer, default=0, doc="Order among the analysis' factors.")

    analysis: Mapped[Analysis] = relationship(back_populates="factors")
