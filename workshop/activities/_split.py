"""Votes split by who voted: one rule for every kind whose result is a distribution of votes.

A split shows a kind's figures once per *voter's* perspective (the perspective a phone chose
when joining; a phone without one is a group of its own, key ``""``). Small groups would
single people out, so the figures of a group are shown only under this rule, the same on the
presenter, in the console and in every export:

1. **Too few.** A group's figures behind which fewer than ``MIN_VOTERS`` (3) people voted are
   not shown ("för få svar"), nor is how many voted in it.
2. **Protecting a hidden group.** The total of all voters is shown beside the groups, so one
   hidden group could be worked out as the total minus the shown groups. Therefore the hidden
   groups, together, must hold at least ``MIN_VOTERS`` voters: while they hold fewer, the
   smallest shown group is hidden too (marked ``protects``; ties go to the group listed last).
   What the total minus the shown groups then gives is the sum of at least three people's
   votes, as anonymous as any shown group. When that cannot be reached, every group is hidden.

The rule is applied per figure a kind shows apart (per option list for a poll, where every
row has the same voters; per item for sorting and per question for estimates, where each has
its own voters), from the number of voters behind that figure. Groups without voters are left
out. The module is pure: the kinds hand it their per-group figures (``SplitRow``), the payload
builder (``build``) applies the rule, and screens and exports only draw what it returns: a
hidden cell carries no figure at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

#: Fewest voters behind a figure that a split shows.
MIN_VOTERS = 3
#: The group of phones that chose no perspective.
NO_PERSPECTIVE = ""

Hidden = Literal["too_few", "protects"]


def protect(sizes: Mapping[str, int], minimum: int = MIN_VOTERS) -> dict[str, Hidden | None]:
    """For every group with at least one voter: None when its figure may be shown, "too_few"
    when fewer than ``minimum`` voted in it, "protects" when it is hidden so that the too-few
    groups cannot be derived from the total (rule 2 of the module)."""
    present = {k: n for k, n in sizes.items() if n > 0}
    out: dict[str, Hidden | None] = {k: ("too_few" if n < minimum else None) for k, n in present.items()}
    hidden_sum = sum(present[k] for k, v in out.items() if v)
    if not hidden_sum:
        return out
    order = list(present)
    while hidden_sum < minimum:
        shown = [k for k in order if out[k] is None]
        if not shown:
            break
        # The smallest shown group; of equal ones, the one listed last.
        smallest = min(reversed(shown), key=lambda k: present[k])
        out[smallest] = "protects"
        hidden_sum += present[smallest]
    return out


@dataclass(frozen=True)
class Cell:
    """One figure of one group: ``value`` (a count, a mean, a median or a word such as the
    majority category), optionally its ``share`` (0–1) of the group's votes, and ``n``: how
    many voted behind it, which the rule reads."""

    value: Any
    n: int
    share: float | None = None


@dataclass(frozen=True)
class SplitRow:
    """One line of the split table (an option, an item, a question), the same for every group."""

    key: str
    label: str
    # Shown under the label (a unit, an item's title).
    note: str = ""


def group_order(found: Iterable[str], perspectives: Iterable[str]) -> list[str]:
    """The workshop's perspectives in its own order, then any other (a perspective renamed
    since a phone chose it) alphabetically, then the phones without one."""
    found = set(found)
    listed = [p for p in perspectives if p in found]
    others = sorted(p for p in found if p not in listed and p != NO_PERSPECTIVE)
    return listed + others + ([NO_PERSPECTIVE] if NO_PERSPECTIVE in found else [])


def _cell(cell: Cell | None, hidden: Hidden | None) -> dict[str, Any]:
    if hidden:
        return {"hidden": hidden}
    if cell is None:
        return {"value": None}
    out: dict[str, Any] = {"value": cell.value}
    if cell.share is not None:
        out["share"] = round(cell.share, 4)
    return out


def build(
    measure: str,
    rows: list[SplitRow],
    total: Mapping[str, Cell],
    groups: Mapping[str, tuple[int, Mapping[str, Cell]]],
    perspectives: Iterable[str] = (),
    digits: int = 0,
) -> dict[str, Any]:
    """The split payload: per group its voters (``groups[key] = (voters, {row key: Cell})``),
    per row the total and one cell per group, with the rule applied per row.

    A group's header carries its number of voters only when none of its cells is hidden: a
    header count beside hidden cells would tell how many stand behind them."""
    keys = group_order((k for k, (n, _) in groups.items() if n > 0), perspectives)
    out_rows = []
    hidden_any: dict[str, bool] = dict.fromkeys(keys, False)
    hidden_all: dict[str, bool] = dict.fromkeys(keys, True)
    for row in rows:
        cells = {k: groups[k][1].get(row.key) for k in keys}
        sizes = {k: (c.n if c is not None else 0) for k, c in cells.items()}
        rule = protect(sizes)
        line = []
        for k in keys:
            hidden = rule.get(k)
            hidden_any[k] = hidden_any[k] or bool(hidden)
            hidden_all[k] = hidden_all[k] and bool(hidden)
            line.append(_cell(cells[k], hidden))
        out_rows.append(
            {
                "key": row.key,
                "label": row.label,
                "note": row.note,
                "total": _cell(total.get(row.key), None),
                "cells": line,
            }
        )
    out_groups = []
    for k in keys:
        voters = groups[k][0]
        small = voters < MIN_VOTERS
        out_groups.append(
            {
                "key": k,
                "none": k == NO_PERSPECTIVE,
                # Too few in the whole activity: "för få svar" for the group as a whole.
                "hidden": "too_few" if small else ("protects" if rows and hidden_all[k] else None),
                "voters": None if small or hidden_any[k] else voters,
            }
        )
    return {
        "min": MIN_VOTERS,
        "measure": measure,
        "digits": digits,
        "voters": sum(groups[k][0] for k in keys),
        "groups": out_groups,
        "rows": out_rows,
    }


def partition(rows: Iterable[Any]) -> dict[str, list[Any]]:
    """Rows (``Row``) by their voter's perspective, ``""`` for none."""
    out: dict[str, list[Any]] = {}
    for r in rows:
        out.setdefault(r.perspective or NO_PERSPECTIVE, []).append(r)
    return out


__all__ = ["MIN_VOTERS", "NO_PERSPECTIVE", "Cell", "SplitRow", "build", "group_order", "partition", "protect"]
