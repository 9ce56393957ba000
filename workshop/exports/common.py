"""Helpers every export format shares: clean text, the method's words, numbers, file names.

Participant text reaches Word, PowerPoint and Excel files through :func:`clean` only: XML
cannot carry most control characters (python-docx, python-pptx and openpyxl refuse them), so
they are dropped, while tabs and line breaks are kept as text.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..draft.vocabulary import CATEGORIES, CATEGORY_TERMS
from ..formatting import money, number, percent

# Characters XML 1.0 cannot hold (tab, LF and CR are allowed), lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    """Text safe for any office file: ``None`` -> "", other values -> str, illegal characters out."""
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


# The method's words where exports need them beyond ``workshop.draft.vocabulary``. Method terms
# keep their Swedish names in both languages (msgids in Swedish, as in the calculate kind).
WORDS = {
    "nettonytta": _l("Sammanlagd nettonytta"),
    "per_krona": _l("Nettonytta per satsad krona"),
    "break_even": _l("Året då de ackumulerade nyttorna överstiger de ackumulerade kostnaderna"),
    "never": _l("aldrig"),
    "cannot": _l("kan inte beräknas"),
    "benefits": _l("Nyttor"),
    "costs": _l("Kostnader"),
    "acc_benefits": _l("Ackumulerade nyttor"),
    "acc_costs": _l("Ackumulerade kostnader"),
    **CATEGORY_TERMS,
    "arsarbetare": _l("Årsarbetare"),
    "year_n": _l("år %(n)s"),
    "year": _l("Year"),
    "kr": _l("%(n)s kr"),
    "tkr": _l("%(n)s tkr"),
    "mnkr": _l("%(n)s mnkr"),
    "all_low": _l("All lowest values"),
    "all_likely": _l("All likely values"),
    "all_high": _l("All highest values"),
    "at_lowest": _l("Input at its lowest value"),
    "at_highest": _l("Input at its highest value"),
    "tornado_likely": _l("Likely: %(v)s"),
    "discounted": _l("Discounted (nuvärde)"),
    "undiscounted": _l("Undiscounted"),
}

READINGS = {
    "negative": _l("Below 0: the costs are larger than the benefits."),
    "zero": _l("0: the benefits just cover the costs."),
    "small_margin": _l("Above 0 but under 0,5: positive with a small margin."),
    "good": _l("0,5 or more: the benefits clearly exceed the costs."),
}


def word(key: str, **kwargs: Any) -> str:
    label = WORDS[key]
    return str(label) % kwargs if kwargs else str(label)


def category_word(category: str | None) -> str:
    return word(category) if category in CATEGORIES else ""


def kr(value: float | None) -> str:
    return money(value) if value is not None else "–"


def kr_short(value: float) -> str:
    """Short amounts for chart axes: 120 tkr, 1,2 mnkr (as the browser's charts)."""
    a = abs(value)
    if a >= 1e6:
        return word("mnkr", n=number(value / 1e6, 0 if a >= 1e7 else 1))
    if a >= 1e3:
        return word("tkr", n=number(value / 1e3, 0))
    return word("kr", n=number(value, 0))


def per_krona_text(value: float | None) -> str:
    return number(value, 2) if value is not None else word("cannot")


def year_text(year: int | None, start_year: int | None = None) -> str:
    if year is None:
        return word("never")
    text = word("year_n", n=year)
    return f"{text} ({start_year + year - 1})" if start_year else text


def pct(value: float | None) -> str:
    return percent(value, 0) if value is not None else "–"


def filename(ws: Any, ext: str) -> str:
    """``nyttoverkstad-<join code>.<ext>``: no participant or workshop text in headers."""
    code = re.sub(r"[^A-Za-z0-9]", "", str(getattr(ws, "join_code", "") or "")) or str(ws.id)
    return f"nyttoverkstad-{code}.{ext}"


__all__ = [
    "READINGS",
    "WORDS",
    "category_word",
    "clean",
    "filename",
    "gettext",
    "kr",
    "kr_short",
    "pct",
    "per_krona_text",
    "word",
    "year_text",
]
