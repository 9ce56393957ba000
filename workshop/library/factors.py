"""The organisation's factor library: its own hourly costs and prices, the factors a new
analysis of the organisation starts from (above those the product ships)."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field
from sqlalchemy import select

from ..calculation.factors import LibraryFactor, load_factors
from ..calculation.formula import is_valid_name
from ..extensions import db
from ..validation import Figure, InputError, Schema, Text, form_data, parse, refuse
from .models import OrgFactor

MAX_FACTORS = 200


def _name(value: str) -> str:
    if not is_valid_name(value):
        raise refuse(_l("A name is letters, digits and _ and starts with a letter, e.g. antal_besok."))
    return value


def _positive(value: float) -> float:
    if value <= 0:
        raise refuse(_l("Give a value above zero."))
    return value


class FactorForm(Schema):
    name: Annotated[Text(60, required=True), AfterValidator(_name)]  # type: ignore[valid-type]
    label: Text(300, required=True)  # type: ignore[valid-type]
    unit: Text(40) = ""  # type: ignore[valid-type]
    value: Annotated[Figure, AfterValidator(_positive)]
    source: Text(2000, required=True)  # type: ignore[valid-type]
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None


WIDGETS: dict[str, Any] = {
    "name": "text",
    "label": "text",
    "unit": "text",
    "value": "text",
    "source": "text",
    "year": "integer",
}


def factors_of(org_id: int) -> list[OrgFactor]:
    return list(
        db.session.scalars(select(OrgFactor).where(OrgFactor.organisation_id == org_id).order_by(OrgFactor.name))
    )


def save(org_id: int, form: Any, factor_id: int | None = None) -> OrgFactor:
    """Add (``factor_id`` None) or change one of the organisation's factors; without an id, a
    name the library has already changes that factor. Commits."""
    data = parse(FactorForm, form_data(form, WIDGETS)).model_dump()
    existing = factors_of(org_id)
    same_name = next((x for x in existing if x.name == data["name"]), None)
    if factor_id is None and same_name is not None:
        factor_id = same_name.id  # the form changes the factor of that name
    if factor_id is None:
        if len(existing) >= MAX_FACTORS:
            raise InputError(
                "too_many",
                ngettext(
                    "The library holds at most %(num)d factor.",
                    "The library holds at most %(num)d factors.",
                    MAX_FACTORS,
                ),
            )
        f = OrgFactor(organisation_id=org_id)
        db.session.add(f)
    else:
        found = db.session.get(OrgFactor, factor_id)
        if found is None or found.organisation_id != org_id:
            raise InputError("unknown_factor", gettext("That factor does not exist."))
        f = found
    if any(x.name == data["name"] and x.id != f.id for x in existing):
        msg = gettext("The name %(name)s is already used.", name=data["name"])
        db.session.rollback()
        raise InputError("invalid", msg, {"name": msg})
    for key, value in data.items():
        setattr(f, key, value)
    db.session.commit()
    return f


def delete(org_id: int, factor_id: int) -> None:
    f = db.session.get(OrgFactor, factor_id)
    if f is None or f.organisation_id != org_id:
        raise InputError("unknown_factor", gettext("That factor does not exist."))
    db.session.delete(f)
    db.session.commit()


def starting_factors(org_id: int | None, org_name: str = "") -> list[LibraryFactor]:
    """The factors a new analysis of the organisation starts with: the organisation's own
    first (named after their source: "<organisation>: <source>"), then the shipped ones whose
    name the organisation has not taken."""
    own = factors_of(org_id) if org_id is not None else []
    taken = {f.name for f in own}
    mine = [
        LibraryFactor(
            id=f.name,
            label=f.label,
            unit=f.unit,
            value=f.value,
            source=f"{org_name}: {f.source}" if org_name else f.source,
            year=f.year,
        )
        for f in own
    ]
    return mine + [f for f in load_factors() if f.id not in taken]
