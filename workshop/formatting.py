"""Numbers the way the reader's language writes them: "1 234 567 kr", "30,9 %"."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import format_decimal, gettext


def local_zone() -> ZoneInfo:
    """The zone people read and type times in (``WORKSHOP_TIMEZONE``, default Europe/Stockholm)."""
    name = current_app.extensions["settings"].timezone if has_app_context() else "Europe/Stockholm"
    return ZoneInfo(name)


def local_time(moment: datetime | None) -> datetime | None:
    """A stored UTC moment in the local zone, to the second, without an offset."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone()).replace(tzinfo=None, microsecond=0)


def from_local(moment: datetime) -> datetime:
    """A time typed without an offset (a ``datetime-local`` field), read in the local zone, as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(UTC)


def local_when(moment: datetime | None) -> str:
    """A stored UTC moment for people to read: "2026-06-10 16:00" in the local zone."""
    local = local_time(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def datetime_local(moment: datetime | str | None) -> str:
    """The value of a ``datetime-local`` field for a stored UTC moment (or its ISO 8601 text, as
    settings store it)."""
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
        except ValueError:
            return text
    local = local_time(moment)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


def money(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{format_decimal(round(value, digits), format='#,##0' + ('.' + '0' * digits if digits else ''))} kr"


def number(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def percent(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{format_decimal(value * 100, format='#,##0' + ('.' + '0' * digits if digits else ''))} %"


def year_or_never(value) -> str:
    return gettext("never") if value is None else str(value)


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        money=money,
        number=number,
        percent=percent,
        year_or_never=year_or_never,
        datetime_local=datetime_local,
        local_when=local_when,
    )
    app.jinja_env.globals["local_zone_name"] = lambda: local_zone().key
