"""The shipped factor library (delade faktorer): published hourly costs and fuel prices.

Kept apart from ``engine`` so the engine stays free of I/O. Each factor has an
``id`` usable directly in formulas (``antal * minuter / 60 * sjukskoterska``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .formula import is_valid_name

__all__ = ["LibraryFactor", "factor_values", "load_factors"]

_DEFAULT_PATH = Path(__file__).with_name("factors.json")


@dataclass(frozen=True)
class LibraryFactor:
    id: str
    label: str  # Swedish, shown in the UI
    unit: str
    value: float
    source: str
    year: int | None  # None when the source material gives no year


def load_factors(path: str | Path | None = None) -> tuple[LibraryFactor, ...]:
    """Read and validate the library (default: the ``factors.json`` beside this module)."""
    return _load(str(path or _DEFAULT_PATH))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[LibraryFactor, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    factors = tuple(_factor(entry) for entry in data["factors"])
    ids = [f.id for f in factors]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: factor ids must be unique")
    return factors


def _factor(entry: dict) -> LibraryFactor:
    factor = LibraryFactor(
        id=entry["id"],
        label=entry["label"],
        unit=entry["unit"],
        value=float(entry["value"]),
        source=entry["source"],
        year=entry.get("year"),
    )
    if not is_valid_name(factor.id) or not factor.id.isascii() or factor.id != factor.id.lower():
        raise ValueError(f"factor id {factor.id!r} must be snake_case ASCII")
    if not math.isfinite(factor.value) or factor.value <= 0:
        raise ValueError(f"factor {factor.id!r} needs a positive value")
    return factor


def factor_values(factors: tuple[LibraryFactor, ...] | None = None) -> dict[str, float]:
    """id -> value, the shape :func:`workshop.calculation.engine.compute` accepts."""
    return {f.id: f.value for f in (factors if factors is not None else load_factors())}
