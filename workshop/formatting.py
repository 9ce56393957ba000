"""Numbers the way the reader's language writes them: "1 234 567 kr", "30,9 %"."""

from __future__ import annotations

from flask_babel import format_decimal, gettext


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
    app.jinja_env.filters.update(money=money, number=number, percent=percent, year_or_never=year_or_never)
