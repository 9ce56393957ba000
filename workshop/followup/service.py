"""Deciding an analysis, planning its follow-up and recording what happened.

Every change is validated before anything is written (one validation toolkit: schemas in
``workshop.validation``); a refusal is an ``InputError`` with a sentence for the facilitator,
and nothing stored changes. A decided version is never edited: its inputs and frame are
written once, here, and no function changes them."""

from __future__ import annotations

import calendar
from collections import deque
from datetime import date
from typing import Annotated, Any

from flask_babel import gettext
from pydantic import Field
from sqlalchemy import func, select

from ..calculation import outcome
from ..draft import compute as draft_compute
from ..draft.models import Analysis
from ..extensions import db
from ..validation import Day, Figure, InputError, Schema, Text, parse
from .models import SIZES, AnalysisVersion, Measurement, Plan

#: The follow-up states an analysis goes through (shown on the dashboard).
STATUSES = ("utkast", "beslutad", "under_uppfoljning", "avslutad")


# --------------------------------------------------------------------------- deciding


class DecideForm(Schema):
    label: Text(120, required=True)  # type: ignore[valid-type]
    decided_on: Day
    decided_by: Text(200) = ""  # type: ignore[valid-type]


def _refuse(code: str, message: str, field: str) -> InputError:
    """A refusal shown beside the field it is about."""
    return InputError(code, message, {field: message})


def _upstream_effects(analysis: Analysis) -> dict[str, list[int]]:
    """Per counted item, the effects that lead to it through the chain (linear: one walk back
    from each item, every node visited once per item at most)."""
    into: dict[int, list[int]] = {}
    for link in analysis.links:
        into.setdefault(link.to_id, []).append(link.from_id)
    kinds = {n.id: n.node_type for n in analysis.nodes}
    out: dict[str, list[int]] = {}
    for node in draft_compute.counted_nodes(analysis):
        seen: set[int] = {node.id}
        queue = deque(into.get(node.id, []))
        found: list[int] = []
        while queue:
            nid = queue.popleft()
            if nid in seen:
                continue
            seen.add(nid)
            if kinds.get(nid) == "effekt":
                found.append(nid)
            queue.extend(into.get(nid, []))
        out[str(node.id)] = found
    return out


def _frame(analysis: Analysis) -> dict[str, Any]:
    return {
        "name_of_change": analysis.name_of_change,
        "organisation": analysis.organisation,
        "area": analysis.area,
        "geography": analysis.geography,
        "effects": {str(n.id): n.title for n in analysis.nodes if n.node_type == "effekt" and n.status == "visible"},
        "upstream": _upstream_effects(analysis),
    }


def decide(analysis: Analysis, form: dict[str, Any]) -> AnalysisVersion:
    """Freeze the analysis as it is now as a new decided version (1, 2, …)."""
    data = parse(DecideForm, form)
    items = [draft_compute.engine_item(n) for n in draft_compute.counted_nodes(analysis)]
    inputs = outcome.frozen_inputs(items, draft_compute.factor_values(analysis), draft_compute.settings_of(analysis))
    number = (
        db.session.scalar(select(func.max(AnalysisVersion.number)).where(AnalysisVersion.analysis_id == analysis.id))
        or 0
    ) + 1
    version = AnalysisVersion(
        analysis_id=analysis.id,
        number=number,
        label=data.label,
        decided_on=data.decided_on,
        decided_by=data.decided_by,
        inputs=inputs,
        frame=_frame(analysis),
        use_check_note="",
        closed=False,
    )
    db.session.add(version)
    db.session.flush()
    return version


def versions(analysis: Analysis) -> list[AnalysisVersion]:
    return list(
        db.session.scalars(
            select(AnalysisVersion).where(AnalysisVersion.analysis_id == analysis.id).order_by(AnalysisVersion.number)
        )
    )


def status(analysis: Analysis | None) -> str:
    """utkast (no decision), beslutad, under uppföljning (something measured), avslutad."""
    latest = versions(analysis)[-1:] if analysis is not None and analysis.id is not None else []
    if not latest:
        return "utkast"
    v = latest[0]
    if v.closed:
        return "avslutad"
    return "under_uppfoljning" if v.measurements else "beslutad"


def inputs_of(version: AnalysisVersion):
    return outcome.inputs_from_frozen(version.inputs)


# --------------------------------------------------------------------------- the plan


class PlanForm(Schema):
    owner_role: Text(200) = ""  # type: ignore[valid-type]
    indicator: Text(40) = ""  # type: ignore[valid-type]
    method: Text(2000) = ""  # type: ignore[valid-type]
    baseline: Text(300) = ""  # type: ignore[valid-type]
    first_on: Day | None = None
    every_months: Annotated[int, Field(ge=1, le=120)] | None = None


def save_plan(version: AnalysisVersion, item_id: str, form: dict[str, Any]) -> Plan:
    items, _, _ = inputs_of(version)
    if item_id not in {i.id for i in items}:
        raise _refuse("not_found", gettext("That item is not in this version."), "item")
    data = parse(PlanForm, form)
    upstream = {str(n) for n in version.frame.get("upstream", {}).get(item_id, [])}
    if data.indicator and data.indicator not in upstream:
        raise _refuse(
            "invalid", gettext("Choose the item itself or an effect that leads to it in the chain."), "indicator"
        )
    if data.first_on is not None and data.first_on < version.decided_on:
        raise _refuse("invalid", gettext("The date is before the decision."), "first_on")
    plan = next((p for p in version.plans if p.item_id == item_id), None)
    if plan is None:
        plan = Plan(version=version, item_id=item_id)
        db.session.add(plan)
    plan.owner_role, plan.indicator, plan.method, plan.baseline = (
        data.owner_role,
        data.indicator,
        data.method,
        data.baseline,
    )
    plan.first_on, plan.every_months = data.first_on, data.every_months
    db.session.flush()
    return plan


class UseCheckForm(Schema):
    use_check_on: Day | None = None
    use_check_note: Text(2000) = ""  # type: ignore[valid-type]


def save_use_check(version: AnalysisVersion, form: dict[str, Any]) -> None:
    data = parse(UseCheckForm, form)
    if data.use_check_on is not None and data.use_check_on < version.decided_on:
        raise _refuse("invalid", gettext("The date is before the decision."), "use_check_on")
    version.use_check_on, version.use_check_note = data.use_check_on, data.use_check_note
    db.session.flush()


def add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(plan: Plan, measured: list[date]) -> date | None:
    """The next measurement date of a plan: the first date not yet covered by a measurement."""
    if plan.first_on is None:
        return None
    due = plan.first_on
    last = max(measured, default=None)
    if last is None or last < due:
        return due
    if not plan.every_months:
        return None
    while due <= last:
        due = add_months(due, plan.every_months)
    return due


def due_dates(version: AnalysisVersion) -> dict[str, date | None]:
    by_item: dict[str, list[date]] = {}
    for m in version.measurements:
        by_item.setdefault(m.item_id, []).append(m.measured_on)
    return {p.item_id: next_due(p, by_item.get(p.item_id, [])) for p in version.plans}


# --------------------------------------------------------------------------- measurements


class MeasurementForm(Schema):
    item_id: Text(40, required=True)  # type: ignore[valid-type]
    year: Annotated[int, Field(ge=1, le=30)]
    measured_on: Day
    value: Figure | None = None
    rows: dict[str, Figure] = {}
    size: int | None = None
    indicator_value: Figure | None = None
    comment: Text(2000) = ""  # type: ignore[valid-type]
    source: Text(300) = ""  # type: ignore[valid-type]


def record(version: AnalysisVersion, form: dict[str, Any]) -> Measurement:
    """Store one measurement after checking it against the version (and every earlier one)."""
    if version.closed:
        raise InputError("closed", gettext("The follow-up of this version is finished."))
    data = parse(MeasurementForm, form)
    if data.measured_on < version.decided_on:
        raise _refuse("invalid", gettext("The date is before the decision."), "measured_on")
    items, factors, settings = inputs_of(version)
    item = next((i for i in items if i.id == data.item_id), None)
    if item is None:
        raise _refuse("not_found", gettext("That item is not in this version."), "item_id")
    if data.year > settings.horizon:
        raise _refuse("invalid", gettext("The year must be 1 to %(horizon)s.", horizon=settings.horizon), "year")
    only_indicator = data.indicator_value is not None and data.value is None and not data.rows and data.size is None
    if only_indicator:
        pass  # a leading indicator's reading on its own
    elif item.valued_in_money:
        if data.size is not None:
            raise _refuse("invalid", gettext("This item is valued in money: give a figure."), "size")
        if data.value is None and not data.rows:
            raise _refuse("required", gettext("Give the realised value or a row's value."), "value")
        try:
            outcome.compare(
                items,
                factors,
                settings,
                [outcome.Realised(data.item_id, data.year, data.value, data.rows)],
            )
        except ValueError:
            raise _refuse("invalid", gettext("A row named here is not in the item's calculation."), "rows") from None
    else:
        if data.value is not None or data.rows:
            raise _refuse(
                "invalid", gettext("Benefits not valued in money are followed up by size, never by money."), "value"
            )
        if data.size not in SIZES:
            raise _refuse("required", gettext("Choose the realised size."), "size")
    m = Measurement(
        version=version,
        item_id=data.item_id,
        year=data.year,
        measured_on=data.measured_on,
        value=data.value,
        rows=dict(data.rows),
        size=data.size,
        indicator_value=data.indicator_value,
        comment=data.comment,
        source=data.source,
    )
    db.session.add(m)
    db.session.flush()
    return m


def comparison(version: AnalysisVersion) -> outcome.Comparison:
    items, factors, settings = inputs_of(version)
    realised = [
        outcome.Realised(m.item_id, m.year, m.value, m.rows or {})
        for m in sorted(version.measurements, key=lambda m: (m.measured_on, m.id))
        if m.value is not None or m.rows
    ]
    return outcome.compare(items, factors, settings, realised)


def indicator_trends(version: AnalysisVersion) -> dict[str, list[tuple[date, float]]]:
    """Per item, its indicator's readings in date order (the plan says what the indicator is)."""
    out: dict[str, list[tuple[date, float]]] = {}
    for m in sorted(version.measurements, key=lambda m: (m.measured_on, m.id)):
        if m.indicator_value is not None:
            out.setdefault(m.item_id, []).append((m.measured_on, m.indicator_value))
    return out


def sizes(version: AnalysisVersion) -> dict[str, Measurement]:
    """The latest realised size per item not valued in money."""
    out: dict[str, Measurement] = {}
    for m in sorted(version.measurements, key=lambda m: (m.measured_on, m.id)):
        if m.size is not None:
            out[m.item_id] = m
    return out


# --------------------------------------------------------------------------- the dashboard


def overview(workshop_ids: list[int], today: date) -> dict[int, dict[str, Any]]:
    """Per workshop with an analysis: its status and the next follow-up date (overdue or not)."""
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(Analysis.workshop_id, AnalysisVersion)
        .join(AnalysisVersion, AnalysisVersion.analysis_id == Analysis.id)
        .where(Analysis.workshop_id.in_(workshop_ids))
        .order_by(AnalysisVersion.number)
    ).all()
    latest: dict[int, AnalysisVersion] = {}
    for ws_id, version in rows:
        latest[ws_id] = version
    out: dict[int, dict[str, Any]] = {}
    for ws_id, v in latest.items():
        state = "avslutad" if v.closed else "under_uppfoljning" if v.measurements else "beslutad"
        dates = [d for d in due_dates(v).values() if d is not None] if not v.closed else []
        if v.use_check_on and not v.use_check_note and not v.closed:
            dates.append(v.use_check_on)
        due = min(dates, default=None)
        out[ws_id] = {"status": state, "due": due, "overdue": due is not None and due < today, "version": v.number}
    return out


# --------------------------------------------------------------------------- the JSON document


def export_versions(analysis: Analysis) -> list[dict[str, Any]]:
    """The decided versions with their plans and measurements, for the JSON document."""
    return [
        {
            "number": v.number,
            "label": v.label,
            "decided_on": v.decided_on.isoformat(),
            "decided_by": v.decided_by,
            "inputs": v.inputs,
            "frame": v.frame,
            "use_check_on": v.use_check_on.isoformat() if v.use_check_on else None,
            "use_check_note": v.use_check_note,
            "closed": v.closed,
            "plans": [
                {
                    "item_id": p.item_id,
                    "owner_role": p.owner_role,
                    "indicator": p.indicator,
                    "method": p.method,
                    "baseline": p.baseline,
                    "first_on": p.first_on.isoformat() if p.first_on else None,
                    "every_months": p.every_months,
                }
                for p in v.plans
            ],
            "measurements": [
                {
                    "item_id": m.item_id,
                    "year": m.year,
                    "measured_on": m.measured_on.isoformat(),
                    "value": m.value,
                    "rows": m.rows or {},
                    "size": m.size,
                    "indicator_value": m.indicator_value,
                    "comment": m.comment,
                    "source": m.source,
                }
                for m in v.measurements
            ],
        }
        for v in versions(analysis)
    ]


def import_versions(analysis: Analysis, entries: list[Any]) -> None:
    """Store a document's decided versions, each checked exactly as if typed: the decision, every
    plan and every measurement go through the same rules (a refusal names the version)."""
    for entry in entries:
        if not isinstance(entry, dict):
            raise InputError("invalid", gettext("Invalid value."))
        number = entry.get("number")
        try:
            inputs = entry.get("inputs")
            if not isinstance(inputs, dict):
                raise ValueError("inputs")
            outcome.inputs_from_frozen(inputs)
            frame = entry.get("frame") if isinstance(entry.get("frame"), dict) else {}
            decided = parse(
                DecideForm,
                {k: entry.get(k) or "" for k in ("label", "decided_on", "decided_by")},
            )
            version = AnalysisVersion(
                analysis_id=analysis.id,
                number=number if isinstance(number, int) and not isinstance(number, bool) else 0,
                label=decided.label,
                decided_on=decided.decided_on,
                decided_by=decided.decided_by,
                inputs=inputs,
                frame=frame,
                use_check_note="",
                closed=False,
            )
            db.session.add(version)
            db.session.flush()
            save_use_check(
                version,
                {
                    "use_check_on": entry.get("use_check_on") or None,
                    "use_check_note": entry.get("use_check_note") or "",
                },
            )
            for p in entry.get("plans") or []:
                if not isinstance(p, dict):
                    raise InputError("invalid", gettext("Invalid value."))
                save_plan(
                    version, str(p.get("item_id")), {k: v for k, v in p.items() if k != "item_id" and v is not None}
                )
            for m in entry.get("measurements") or []:
                if not isinstance(m, dict):
                    raise InputError("invalid", gettext("Invalid value."))
                record(version, {k: v for k, v in m.items() if v is not None})
            version.closed = entry.get("closed") is True
        except (ValueError, TypeError, KeyError, AttributeError):
            raise InputError(
                "invalid",
                gettext("Decided version %(number)s: %(error)s", number=number, error=gettext("Invalid value.")),
            ) from None
        except InputError as exc:
            raise InputError(
                exc.code, gettext("Decided version %(number)s: %(error)s", number=number, error=exc.message), exc.fields
            ) from None


# --------------------------------------------------------------------------- the follow-up workshop


def start_workshop(ws: Any, version: AnalysisVersion) -> Any:
    """Add a "Har det hänt?" activity to the analysis' own workshop (same code and QR, so the
    original group can join again), asking about the version's benefits; it becomes current."""
    from ..live import goto
    from ..workshops import add_activity

    if ws.status != "open":
        raise InputError("closed", gettext("Reopen the workshop first: participants cannot join an archived one."))
    items, _, _ = inputs_of(version)
    benefits = [i for i in items if i.kind == "benefit"]
    if not benefits:
        raise InputError("invalid", gettext("The version has no benefits to follow up."))
    config = {
        "items": [i.title[:300] for i in benefits][:50],
        "item_ids": [i.id for i in benefits][:50],
        "units": [gettext("kr that year") if i.valued_in_money else "" for i in benefits][:50],
        "version": version.number,
    }
    act = add_activity(
        ws, "followup_check", gettext("Has it happened? (version %(number)s)", number=version.number), config
    )
    goto(ws, act.id)
    return act
