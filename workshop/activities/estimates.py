"""Step 7 Samla data: the room estimates the figures behind each calculation block.

Every row of a calculation block (``BlockRow``: a question such as "Hur många hembesök per
dag?" with a unit) is asked on the phones. The facilitator may put a figure to the room
("Ska vi ta 400?": the row's ``proposal``, set with the draft op ``row.update``); a phone
accepts it or gives its own figure, with an optional source and reason.

A row may ask for a three-point estimate instead (the facilitator chooses per row:
``config.three_point``): each phone then gives its own lowest, likely and highest figure,
privately, with lowest ≤ likely ≤ highest.

Stored rows (``answer_mode = "custom"``, see ``store``): ``data = {"row", "round", "value",
"low", "high", "accepted", "proposal", "source", "reason"}`` (``value`` is the likely figure;
``low``/``high`` are ``None`` for a single figure). One *current* estimate per participant, row and
round: a new answer for the same (row, round) makes the earlier one stop being ``current``
(it stays stored), so a retry is idempotent and the history whole. The round comes from the
activity's settings, never from the phone: when the facilitator starts the optional second
Delphi round (``config.round = 2``) the round-1 figures stay and round-2 answers are counted
on their own.

Nothing here writes the draft: the facilitator reads the spread (median, quartiles; see
``workshop.draft.spread``), in round 2 how much it narrowed, and adopts the proposed
lowest/likely/highest with its source text on the row from the console, through the draft
service (``row.update``) like every other edit.
"""

from __future__ import annotations

import weakref
from typing import Annotated, Any

from flask_babel import gettext
from pydantic import Field, StringConstraints
from sqlalchemy import inspect

from .. import cooperative
from ..draft import spread as stats
from ..validation import check_order, number_value
from ._draft import analysis_of
from ._split import Cell, SplitRow
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Row, Schema, _l, _pl, parse

TEXT_MAX = 300
#: Largest figure a phone may send (absolute value): beyond any count or amount a
#: municipality deals with, small enough that sums over many years stay exact in a float.
MAX_VALUE = 1e12


class EstimatesConfig(Schema):
    # Rows (BlockRow ids) to ask, in the draft's order; empty = every row of every block.
    rows: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=1000)
    # 2 = the optional second round, after the spread of round 1 has been shown.
    round: int = Field(default=1, ge=1, le=2)
    # A row the presenter shows large (and phones jump to); None = all rows, small.
    focus: int | None = Field(default=None, ge=1)
    # Suggest min/median/max instead of Q1/median/Q3.
    suggest_range: bool = False
    # Rows (BlockRow ids) where each phone gives lowest / likely / highest instead of one figure.
    three_point: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=1000)


NumberText = Annotated[str, StringConstraints(max_length=40)]


class Estimate(Schema):
    row: int = Field(ge=1)
    accept: bool
    value: float | NumberText | None = None
    # A three-point estimate: ``value`` is then the likely figure.
    low: float | NumberText | None = None
    high: float | NumberText | None = None
    source: str = Field(default="", max_length=TEXT_MAX)
    reason: str = Field(default="", max_length=TEXT_MAX)


def asked_rows(analysis: Any, config: EstimatesConfig) -> list[tuple[Any, Any]]:
    """(node, row) pairs to ask, in the draft's order: visible items with a calculation block.

    Read from the draft snapshot, which holds every item's block and rows already."""
    return _asked(analysis, config)[0]


# A draft snapshot's analysis never changes (a new revision is a new snapshot): what it asks is
# worked out once per snapshot and question list, not once per figure stored.
_ASKED: weakref.WeakKeyDictionary[Any, dict[tuple[int, ...], tuple[list, dict]]] = weakref.WeakKeyDictionary()


def _asked(analysis: Any, config: EstimatesConfig) -> tuple[list[tuple[Any, Any]], dict[int, Any]]:
    """``asked_rows`` and the same rows by id."""
    if analysis is None:
        return [], {}
    wanted = set(config.rows or ())
    key = tuple(sorted(wanted))
    frozen = inspect(analysis).detached  # a snapshot's copy, not one a session may change
    memo = _ASKED.setdefault(analysis, {}) if frozen else {}
    if key not in memo:
        pairs = [
            (node, row)
            for node in analysis.nodes
            if node.status == "visible" and node.block is not None
            for row in node.block.rows
            if not wanted or row.id in wanted
        ]
        memo[key] = (pairs, {row.id: row for _node, row in pairs})
    return memo[key]


def _figures(rows: list[Row]) -> dict[tuple[int, int], list[Row]]:
    """(row id, round) -> current estimates, oldest first."""
    out: dict[tuple[int, int], list[Row]] = {}
    for i, r in enumerate(rows):
        if i % 500 == 0:
            cooperative.give_way()
        d = r.data or {}
        if r.status == "deleted" or not isinstance(d.get("row"), int) or not isinstance(d.get("value"), (int, float)):
            continue
        out.setdefault((d["row"], int(d.get("round") or 1)), []).append(r)
    return out


def _spread(figs: list[Row]) -> dict[str, Any] | None:
    return _spread_of(figs)[1]


def _spread_of(figs: list[Row]) -> tuple[stats.Spread | None, dict[str, Any] | None]:
    """The spread of the likely figures, as statistics and as the aggregate's dict (one sort)."""
    values = sorted(float(f.data["value"]) for f in figs)
    s = stats.spread_sorted(values)
    if s is None:
        return None, None
    out = s.as_dict()
    out["values"] = values
    out["accepted"] = sum(1 for f in figs if f.data.get("accepted"))
    return s, out


def _triples(figs: list[Row]) -> list[tuple[float, float, float]]:
    """(lowest, likely, highest) of the three-point estimates among ``figs``."""
    out = []
    for f in figs:
        d = f.data
        lo, hi = d.get("low"), d.get("high")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo <= d["value"] <= hi:
            out.append((float(lo), float(d["value"]), float(hi)))
    return out


class _Range:
    """The three-point answers of one row and round: the spreads of their lowest, likely and
    highest figures and of each answer's width (highest − lowest), each sorted once."""

    def __init__(self, triples: list[tuple[float, float, float]]):
        self.n = len(triples)
        lows = sorted(t[0] for t in triples)
        highs = sorted(t[2] for t in triples)
        self.low = stats.spread_sorted(lows)
        self.high = stats.spread_sorted(highs)
        self.width = stats.spread_sorted(sorted(t[2] - t[0] for t in triples))
        self.values = {"low": lows, "high": highs}

    def likely(self, triples: list[tuple[float, float, float]], all_likely: stats.Spread | None) -> stats.Spread | None:
        """The likely figures of these answers: the row's spread when every answer has three."""
        if all_likely is not None and all_likely.n == self.n:
            return all_likely
        return stats.spread_sorted(sorted(t[1] for t in triples))

    def as_dict(self) -> dict[str, Any] | None:
        """The distribution of the lowest and of the highest figures (with their sorted values,
        for the range chart) and of the widths."""
        if not self.n or self.low is None or self.high is None:
            return None
        return {
            "n": self.n,
            "low": {**self.low.as_dict(), "values": self.values["low"]},
            "high": {**self.high.as_dict(), "values": self.values["high"]},
            "width": self.width.as_dict() if self.width else None,
        }


def _range_spread(triples: list[tuple[float, float, float]]) -> dict[str, Any] | None:
    return _Range(triples).as_dict()


def _latest_day(figs: list[Row]) -> str | None:
    days = [f.created_at for f in figs if f.created_at is not None]
    return max(days).date().isoformat() if days else None


def _row_stats(
    current: list[Row], previous: list[Row], round_: int, method: stats.Method, three_point: bool
) -> dict[str, Any]:
    """What the console and the screens get per question, beyond the question itself: the
    spread of this round's likely figures (and round 1's, in round 2); for a three-point row the
    range of the three figures; in round 2 how much the interquartile range narrowed; and the
    proposed lowest/likely/highest with what its source text needs (the round, how many
    answers, their day, the interquartile range of the likely figures, round 1's too).

    Each list of figures is sorted once; the narrowing and the proposal are read from those
    spreads, so a three-point row costs about three single-figure rows."""
    now, now_d = _spread_of(current)
    before, before_d = _spread_of(previous) if round_ == 2 else (None, None)
    out: dict[str, Any] = {"spread": now_d, "previous": before_d, "narrowing": None}
    narrow_width = None
    # The proposal comes from this round's answers, from round 1's while round 2 has none.
    basis, basis_spread, basis_round = (current, now, round_) if current else (previous, before, 1)
    sug = None
    counted: list[Row] = basis
    likely_basis = basis_spread
    if three_point:
        now_t = _triples(current)
        rng = _Range(now_t)
        out["range"] = rng.as_dict()
        out["previous_range"] = None
        before_t: list[tuple[float, float, float]] = []
        prng = None
        if round_ == 2:
            before_t = _triples(previous)
            prng = _Range(before_t)
            out["previous_range"] = prng.as_dict()
            narrow_width = stats.narrowing_of(prng.width, rng.width)
        b_rng, b_t = (rng, now_t) if current else (prng, before_t)
        if b_rng is not None and b_rng.n:
            likely_basis = b_rng.likely(b_t, basis_spread)
            sug = stats.suggest_three_point_from(b_rng.low, likely_basis, b_rng.high, method)
            if likely_basis is not basis_spread:
                counted = [f for f in basis if isinstance(f.data.get("low"), (int, float))]
    if sug is None:
        likely_basis = basis_spread
        sug = stats.suggest_from(basis_spread, method)
    if round_ == 2:
        narrow_likely = stats.narrowing_of(before, now)
        if narrow_likely is not None:
            out["narrowing"] = {
                "likely": narrow_likely.as_dict(),
                "width": narrow_width.as_dict() if narrow_width else None,
            }
    if sug is None or likely_basis is None:
        out["suggestion"] = None
        return out
    out["suggestion"] = {
        **sug.as_dict(),
        "round": basis_round,
        "date": _latest_day(counted),
        "iqr": likely_basis.q3 - likely_basis.q1,
        "iqr_round1": before.q3 - before.q1 if basis_round == 2 and before is not None else None,
        "n_round1": before.n if basis_round == 2 and before is not None else None,
    }
    return out


# What a phone draws of one question's results (static/js/kinds/estimates.js: spreadBlock).
_PHONE_ROW_KEYS = ("id", "unit", "proposal", "three_point", "spread", "previous", "range", "previous_range")


def _row_base(node: Any, row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "node_id": node.id,
        "item": node.title,
        "item_type": node.node_type,
        "name": row.name,
        "label": row.label or row.name,
        "unit": row.unit,
        "proposal": row.proposal,
    }


class Estimates(ActivityKind):
    key = "estimates"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 7
    label = _l("Samla data (estimates)")
    description = _l(
        "Step 7: the room estimates the figures of the calculation blocks. Put a figure to the room "
        "(“Ska vi ta 400?”), see the spread, and save lowest, likely and highest with a source."
    )
    default_title = _l("Samla data: what are the figures?")
    answer_mode = "custom"
    results_hidden_default = True
    phone_results = "on_reveal"
    uses_draft = True
    # Split: per question, each group's median of this round's figures (the rule per
    # question: a group's median needs three of its figures for that question).
    splits = True
    split_measure = "median"
    split_digits = 2
    Config = EstimatesConfig
    config_fields = [
        ConfigField(
            "suggest_range",
            _l("Suggest the whole range (min/median/max) instead of the middle half (Q1/median/Q3)"),
            "bool",
            help=_l(
                "The questions to ask, which of them ask each phone for lowest, likely and highest, "
                "and the second round are chosen in the console."
            ),
        ),
    ]
    js_strings = {
        "live_result": _l("Total net benefit right now: %(v)s kr (discounted) · per krona invested: %(k)s"),
        # phone
        "progress": _l("Question %(i)s of %(n)s"),
        "round": _l("Round %(n)s"),
        "round2_help": _l("Second round: here is how the room answered the first time. Answer again."),
        "first_round": _pl(
            "First round: median %(median)s, middle half %(q1)s–%(q3)s (%(n)s answer)",
            "First round: median %(median)s, middle half %(q1)s–%(q3)s (%(n)s answers)",
        ),
        "your_first": _l("Your first figure: %(v)s"),
        "first_round_range": _pl(
            "First round, medians of lowest / likely / highest: %(v)s (%(n)s answer)",
            "First round, medians of lowest / likely / highest: %(v)s (%(n)s answers)",
        ),
        "three_legend": _l("Your lowest, likely and highest figure"),
        "three_help": _l("Lowest: hardly less than this. Highest: hardly more. Likely: your best estimate."),
        "send_three": _l("Send my figures"),
        "need_three": _l("Give your lowest, likely and highest figure."),
        "take": _l("Yes, let's take %(v)s"),
        "proposal_is": _l("The proposal is %(v)s"),
        "other": _l("Another figure"),
        "other_help": _l("Your own estimate, e.g. 400 or 0,5"),
        "send_other": _l("Send my figure"),
        "more": _l("Add a source or a reason (optional)"),
        "source": _l("Source"),
        "source_help": _l("Where the figure comes from, e.g. the scheduling system"),
        "reason": _l("Reason"),
        "reason_help": _l("Why you think so"),
        "prev": _l("Previous"),
        "next": _l("Next"),
        "saved_value": _l("Saved: %(v)s"),
        "saved_accepted": _l("Saved: %(v)s (the proposal)"),
        "need_number": _l("Write a number, for example 400 or 0,5."),
        "no_rows": _l("There are no questions to answer yet."),
        "all_done": _l("You have answered every question. Thank you! You can still change your figures."),
        "n_answered": _l("Answered: %(n)s of %(total)s"),
        "not_answered": _l("not answered"),
        # spread (all screens)
        "n": _pl("%(n)s answer", "%(n)s answers"),
        "median": _l("Median"),
        "quartiles": _l("Middle half (Q1–Q3)"),
        "min_max": _l("Lowest–highest"),
        "proposal": _l("Proposal"),
        "no_figures": _l("No figures yet."),
        "rows_answered": _pl("%(a)s of %(n)s question has answers", "%(a)s of %(n)s questions have answers"),
        "chart_label": _pl(
            "%(n)s figure between %(min)s and %(max)s. Median %(median)s, middle half %(q1)s–%(q3)s.",
            "%(n)s figures between %(min)s and %(max)s. Median %(median)s, middle half %(q1)s–%(q3)s.",
        ),
        "chart_proposal": _l("Proposal %(v)s."),
        "lane_summary": _l("%(label)s: median %(median)s, middle half %(q1)s–%(q3)s, lowest–highest %(min)s–%(max)s."),
        "medians": _l("Medians (lowest / likely / highest)"),
        "chart_previous": _l("First round: median %(median)s, middle half %(q1)s–%(q3)s."),
        "round1": _l("Round 1"),
        "value": _l("Figure"),
        "count": _l("Count"),
        # console
        "rows_heading": _l("Questions"),
        "choose_rows": _l("Choose the questions to ask"),
        "all_rows": _l("All questions (%(n)s)"),
        "ask_all": _l("Ask all"),
        "save_rows": _l("Ask the chosen"),
        "start_round2": _l("Start round 2"),
        "back_round1": _l("Back to round 1"),
        "round2_note": _l("Round 2: phones see the spread of round 1 and answer again. Round-1 figures are kept."),
        "suggest_method": _l("Suggestion"),
        "suggest_quartiles": _l("Q1 / median / Q3"),
        "suggest_range": _l("min / median / max"),
        "propose": _l("Propose"),
        "propose_label": _l("Figure to propose to the room (Ska vi ta …?)"),
        "clear_proposal": _l("Remove proposal"),
        "values_heading": _l("Lowest, likely and highest value"),
        "low": _l("Lowest"),
        "likely": _l("Likely"),
        "high": _l("Highest"),
        "row_source": _l("Source"),
        "save_values": _l("Save values"),
        "fill_suggestion": _l("Fill in from the spread (%(low)s / %(likely)s / %(high)s)"),
        "method_quartiles": _l("Q1 / median / Q3"),
        "method_range": _l("min / median / max"),
        "method_three_point": _l("the median of the lowest, of the likely and of the highest figures"),
        "method_three_point_range": _l(
            "the lowest of the lowest figures, the median likely, the highest of the highest"
        ),
        "proposal_source": _pl(
            "Estimated in the workshop %(date)s: %(n)s answer in round %(round)s, %(method)s; "
            "spread of the likely figures (interquartile range) %(iqr)s.",
            "Estimated in the workshop %(date)s: %(n)s answers in round %(round)s, %(method)s; "
            "spread of the likely figures (interquartile range) %(iqr)s.",
        ),
        "proposal_source_r1": _pl(
            "Round 1: %(n)s answer, interquartile range %(iqr)s.",
            "Round 1: %(n)s answers, interquartile range %(iqr)s.",
        ),
        "proposal_heading": _l("Proposal from the answers (lowest / likely / highest)"),
        "adopt": _l("Adopt into the draft analysis"),
        "adopted": _l("Adopted into the draft analysis."),
        "narrowing_heading": _l("Round 1 → round 2: how the spread changed"),
        "narrow_iqr": _l("interquartile range %(before)s → %(after)s"),
        "narrow_median": _l("median %(before)s → %(after)s"),
        "narrowed": _l("narrower by %(pct)s"),
        "widened": _l("wider by %(pct)s"),
        "unchanged": _l("unchanged"),
        "width": _l("Range (highest − lowest)"),
        "ask_three": _l("Ask for lowest, likely and highest"),
        "saved": _l("Saved."),
        "prefilled": _l("Filled in from the spread (%(method)s): not saved yet."),
        "order_error": _l("Lowest must not be above likely, nor likely above highest."),
        "likely_required": _l("Give at least the likely value."),
        "show_on_screen": _l("Show large on the screen"),
        "on_screen": _l("Shown large on the screen"),
        "show_all": _l("Show all questions on the screen"),
        "figures_heading": _l("Figures (%(n)s)"),
        "accepted_tag": _l("took the proposal"),
        "hide": _l("Hide"),
        "show": _l("Show"),
        "hidden_tag": _l("hidden"),
        "no_draft": _l("No calculation blocks yet: add questions to the calculation blocks in step 6 first."),
        "current_values": _l("In the calculation: %(low)s / %(likely)s / %(high)s"),
        "not_set": _l("not set"),
    }

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: EstimatesConfig) -> type[Schema]:
        return Estimate

    def validate_input(self, config: EstimatesConfig, payload: Any) -> dict[str, Any]:
        data = parse(Estimate, payload).model_dump()
        if data["accept"]:
            if data["value"] not in (None, ""):
                msg = gettext("Either take the proposal or give your own figure.")
                raise InputError("invalid", msg, {"value": msg})
            data["value"] = None
        else:
            if data["value"] is None or (isinstance(data["value"], str) and not data["value"].strip()):
                msg = gettext("Write your figure, or take the proposal.")
                raise InputError("invalid", msg, {"value": msg})
            data["value"] = number_value(data["value"], "value", limit=MAX_VALUE)
        given = [k for k in ("low", "high") if not _blank(data[k])]
        if given:
            if data["accept"]:
                msg = gettext("Either take the proposal or give your own figures.")
                raise InputError("invalid", msg, {given[0]: msg})
            for k in ("low", "high"):
                if _blank(data[k]):
                    msg = gettext("Give your lowest, likely and highest figure.")
                    raise InputError("invalid", msg, {k: msg})
                data[k] = number_value(data[k], k, limit=MAX_VALUE)
            check_order(data["low"], data["value"], data["high"])
        else:
            data["low"] = data["high"] = None
        data["source"] = " ".join(data["source"].split())
        data["reason"] = " ".join(data["reason"].split())
        return data

    def prepare(self, config: EstimatesConfig, payload: Any, ctx: Context) -> Entry:
        """One estimate; it supersedes the phone's earlier one for the same row and round."""
        data = self.validate_input(config, payload)
        asked = _asked(ctx.analysis(), config)[1]
        row = asked.get(data["row"])
        if row is None:
            raise InputError("unknown_row", gettext("That question is not asked here."))
        value = data["value"]
        if data["accept"]:
            if row.proposal is None:
                raise InputError(
                    "no_proposal", gettext("There is no proposal for this question yet: give your own figure.")
                )
            value = float(row.proposal)
        if row.id in config.three_point and data["low"] is None:
            msg = gettext("This question asks for your lowest, likely and highest figure.")
            raise InputError("three_point", msg, {"low": msg})
        earlier = [
            r.id
            for r in ctx.mine
            if (r.data or {}).get("row") == row.id and int((r.data or {}).get("round") or 1) == config.round
        ]
        return Entry(
            {
                "row": row.id,
                "round": config.round,
                "value": value,
                "low": data["low"],
                "high": data["high"],
                "accepted": data["accept"],
                "proposal": row.proposal,
                "source": data["source"],
                "reason": data["reason"],
            },
            supersedes=earlier,
        )

    # --- results --------------------------------------------------------------------------
    def aggregate(self, config: EstimatesConfig, rows: list[Row]) -> dict[str, Any]:
        """Without the draft there are no questions (``aggregate_for`` is what screens get)."""
        return {"round": config.round, "focus": config.focus, "rows": [], "empty": True, "answered_rows": 0}

    def aggregate_for(self, act: Any, config: EstimatesConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        """Per asked row: the spread of this round (values, n, min, Q1, median, Q3, max), the
        round-1 spread in round 2, the suggestion and the row's current values. No identities."""
        analysis = analysis_of(draft)
        asked = asked_rows(analysis, config)
        if not asked:
            return {**self.aggregate(config, rows), "empty": analysis is None or not asked}
        figs = _figures(rows)
        method: stats.Method = "range" if config.suggest_range else "quartiles"
        three = set(config.three_point)
        out_rows = []
        for node, row in asked:
            cooperative.give_way()  # a few hundred rows of statistics: phones are answered between them
            current = figs.get((row.id, config.round), [])
            previous = figs.get((row.id, 1), []) if config.round == 2 else []
            three_point = row.id in three
            item = {
                **_row_base(node, row),
                "three_point": three_point,
                "low": row.low,
                "likely": row.likely,
                "high": row.high,
                "source": row.source,
                **_row_stats(current, previous, config.round, method, three_point),
            }
            out_rows.append(item)
        focus = config.focus if any(r["id"] == config.focus for r in out_rows) else None
        return {
            "round": config.round,
            "focus": focus,
            "rows": out_rows,
            "empty": False,
            "answered_rows": sum(1 for r in out_rows if r["spread"]),
            "result": _live_result(draft),
        }

    def phone_aggregate(self, config: EstimatesConfig, aggregate: dict[str, Any]) -> dict[str, Any]:
        """A phone draws the spread of the question it is on (in round 1): per question only
        that spread, nothing of the suggestion, the sources or the draft's figures. In round 2
        nothing: every phone answers on its own again, without the room's new figures."""
        if config.round == 2:
            return {"round": 2, "rows": [], "empty": aggregate.get("empty", True)}
        return {
            "round": aggregate.get("round"),
            "empty": aggregate.get("empty"),
            "rows": [{k: r.get(k) for k in _PHONE_ROW_KEYS} for r in aggregate.get("rows", [])],
        }

    def phone_content(self, act: Any, config: EstimatesConfig, draft: Any = None) -> dict[str, Any]:
        """The questions with unit and proposal; in round 2 also the round-1 spread."""
        asked = asked_rows(analysis_of(draft), config)
        previous: dict[tuple[int, int], list[Row]] = {}
        if config.round == 2 and asked:
            from ..responses import load_rows

            previous = _figures(load_rows(act))
        three = set(config.three_point)
        rows = []
        for node, row in asked:
            item = _row_base(node, row)
            item.pop("name")
            item["three_point"] = row.id in three
            first = previous.get((row.id, 1), []) if config.round == 2 else []
            item["previous"] = _spread(first) if config.round == 2 else None
            if item["previous"]:
                item["previous"].pop("values")
            if item["three_point"] and config.round == 2:
                # The round-1 range in summary (no single figures): medians of lowest and highest.
                rng = _range_spread(_triples(first))
                item["previous_range"] = (
                    {
                        "n": rng["n"],
                        **{
                            k: {q: rng[k][q] for q in ("n", "min", "q1", "median", "q3", "max")}
                            for k in ("low", "high")
                        },
                    }
                    if rng
                    else None
                )
            rows.append(item)
        focus = config.focus if any(r["id"] == config.focus for r in rows) else None
        return {"round": config.round, "focus": focus, "rows": rows}

    def console_items(self, config: EstimatesConfig, rows: list[Row]) -> list[dict[str, Any]]:
        """Every figure with who gave it and why, for the facilitator only."""
        items = []
        for i, r in enumerate(rows):
            if i % 500 == 0:
                cooperative.give_way()
            d = r.data or {}
            if r.status == "deleted" or "row" not in d:
                continue
            items.append(
                {
                    "id": r.id,
                    "row": d.get("row"),
                    "round": int(d.get("round") or 1),
                    "value": d.get("value"),
                    "low": d.get("low"),
                    "high": d.get("high"),
                    "accepted": bool(d.get("accepted")),
                    "proposal": d.get("proposal"),
                    "source": d.get("source", ""),
                    "reason": d.get("reason", ""),
                    "status": r.status,
                    "nickname": r.nickname,
                    "perspective": r.perspective,
                }
            )
        return items

    # --- the figures split by the voter's perspective --------------------------------------
    def split_aggregate(self, act: Any, config: EstimatesConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        """Per asked row, this round's median and how many gave a figure; nothing else of the
        full aggregate (no spread, no live result): it is computed once per group."""
        figs = _figures(rows)
        out = []
        voters: set[int] = set()
        for node, row in asked_rows(analysis_of(draft), config):
            current = figs.get((row.id, config.round), [])
            voters |= {f.participant_id for f in current}
            s = stats.spread([f.data["value"] for f in current])
            out.append(
                {
                    "id": row.id,
                    "label": row.label or row.name,
                    "item": node.title,
                    "unit": row.unit or "",
                    "median": s.median if s else None,
                    "n": len(current),
                }
            )
        return {"rows": out, "voters": len(voters)}

    def split_rows(self, config: EstimatesConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        return [
            SplitRow(str(r["id"]), r["label"], " · ".join(x for x in (r["item"], r["unit"]) if x))
            for r in aggregate["rows"]
        ]

    def split_cells(self, config: EstimatesConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        return {str(r["id"]): Cell(r["median"], r["n"]) for r in aggregate["rows"]}

    def split_voters(self, aggregate: dict[str, Any], rows: list[Row]) -> int:
        return int(aggregate["voters"])

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: EstimatesConfig) -> list[str]:
        return [
            "row_id",
            "row_name",
            "question",
            "unit",
            "round",
            "value",
            "low",
            "high",
            "accepted_proposal",
            "proposal",
            "source",
            "reason",
        ]

    def csv_cells(self, config: EstimatesConfig, row: Row) -> list[Any]:
        from ..draft.models import BlockRow
        from ..extensions import db

        d = row.data or {}
        block_row = db.session.get(BlockRow, d["row"]) if isinstance(d.get("row"), int) else None
        return [
            d.get("row", ""),
            block_row.name if block_row else "",
            (block_row.label if block_row else "") or "",
            block_row.unit if block_row else "",
            d.get("round", 1),
            d.get("value", ""),
            "" if d.get("low") is None else d.get("low"),
            "" if d.get("high") is None else d.get("high"),
            "yes" if d.get("accepted") else "no",
            "" if d.get("proposal") is None else d.get("proposal"),
            d.get("source", ""),
            d.get("reason", ""),
        ]


KIND = Estimates()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _live_result(draft: Any) -> dict[str, Any] | None:
    """The headline of the calculation as it stands, so the room sees it move as figures are
    set during step 7 (the tornado is skipped: this runs on every change)."""
    if draft is None:
        return None
    disc = draft.result(sensitivity=False).discounted
    return {"nettonytta": disc.nettonytta, "per_krona": disc.per_krona}
