"""The workshop's results as files people take away: one spreadsheet for the whole workshop
(a summary sheet with every activity's totals and a sheet of every input) and one CSV per
activity in the form Swedish Excel opens directly (semicolons, UTF-8 with BOM, local time).

Both list every round: inputs given before a reset ("Nollställ") stay stored and are exported,
marked as an earlier round; the totals of the current round are the ones the screens show
(``results_for``, the same read the presenter gets). Headers are in the workshop's language;
participant text never becomes a formula (``safe_cell``). Exporting reads only, so it works
while the workshop is live.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..activities import get_kind
from ..activities._split import MIN_VOTERS
from ..activities.base import Row
from ..csvout import safe_cell
from ..formatting import local_time
from ..i18n import BASE_JS_STRINGS, Plural
from ..models import Activity, Workshop, utcnow
from ..responses import load_history
from .xlsx.cells import Book

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# The kinds' CSV columns (``csv_header``) are stable keys; people read these labels.
COLUMN_LABELS: dict[str, Any] = {
    "answer": _l("Answer"),
    "choices": _l("Choices"),
    "text": _l("Text"),
    "merged_into": _l("Merged into answer"),
    "normalised": _l("Counted as"),
    "value": _l("Value"),
    "benefit": _l("Benefit"),
    "happened": _l("Has it happened?"),
    "order": _l("Order"),
    "type": _l("Type"),
    "question": _l("Question"),
    "upvote": _l("Upvote"),
    "answered": _l("Answered"),
    "row": _l("Row"),
    "aspect": _l("Aspect"),
    "flag": _l("Flagged"),
    "comment": _l("Comment"),
    "node": _l("Item id"),
    "title": _l("Title"),
    "rubrik": _l("Heading"),
    "genom_att": _l("By"),
    "hander": _l("happens"),
    "och": _l("and"),
    "leder_till": _l("which leads to"),
    "refs": _l("See also"),
    "from_id": _l("From (id)"),
    "from": _l("From"),
    "to_id": _l("To (id)"),
    "to": _l("To"),
    "effect": _l("Effect"),
    "cause": _l("Cause"),
    "for_whom": _l("For whom"),
    "polarity": _l("Positive or negative"),
    "dot": _l("Dot"),
    "row_id": _l("Row id"),
    "row_name": _l("Name in formula"),
    "unit": _l("Unit"),
    "round": _l("Estimation round"),
    "low": _l("Lowest"),
    "high": _l("Highest"),
    "accepted_proposal": _l("Accepted the proposal"),
    "proposal": _l("Proposal"),
    "source": _l("Source"),
    "reason": _l("Reason"),
    "category": _l("Category"),
    "money": _l("Valued in money"),
    "perspective": _l("Perspective"),
    "added": _l("Added"),
    "points": _l("Points"),
    "area": _l("Area"),
    "level": _l("Uncertainty"),
}
# Columns named after an option: "points: Trygghet".
PREFIXED_LABELS: dict[str, Any] = {"points: ": _l("Points: %(option)s"), "rank: ": _l("Rank: %(option)s")}
# Words the kinds write into cells of their own (never participant text).
CELL_WORDS: dict[str, Any] = {
    "yes": _l("yes"),
    "no": _l("no"),
    "question": _l("question"),
    "upvote": _l("upvote"),
    "effect": _l("effect"),
    "dot": _l("dot"),
}
WORD_COLUMNS = {"type", "upvote", "answered", "flag", "dot", "accepted_proposal", "money", "added"}
STATUS_LABELS: dict[str, Any] = {
    "visible": _l("Shown"),
    "pending": _l("Awaiting approval"),
    "hidden": _l("Hidden"),
    "deleted": _l("Deleted"),
}


def column_label(key: str) -> str:
    if key in COLUMN_LABELS:
        return str(COLUMN_LABELS[key])
    for prefix, label in PREFIXED_LABELS.items():
        if key.startswith(prefix):
            return str(label) % {"option": key[len(prefix) :]}
    raise KeyError(f"no label for the CSV column {key!r}")


def _round_note(act: Activity, generation: int) -> str:
    return gettext("Current round") if generation == act.generation else gettext("Earlier round (reset)")


def _status(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _cells(keys: list[str], cells: list[Any]) -> list[Any]:
    out = []
    for key, value in zip(keys, cells, strict=False):
        if key in WORD_COLUMNS and isinstance(value, str) and value in CELL_WORDS:
            value = str(CELL_WORDS[value])
        out.append(value)
    return out


def _input_header() -> list[str]:
    return [
        gettext("Answer id"),
        gettext("Round"),
        gettext("Round status"),
        gettext("Time"),
        gettext("Participant"),
        gettext("Nickname"),
        gettext("Perspective"),
        gettext("Status"),
    ]


def _input_start(act: Activity, row: Row) -> list[Any]:
    return [
        row.id,
        row.generation + 1,
        _round_note(act, row.generation),
        local_time(row.created_at),
        row.participant_id,
        row.nickname,
        row.perspective,
        _status(row.status),
    ]


# --- the votes split by the voter's perspective ------------------------------------------------


def _word(key: str, n: int | None = None) -> str:
    """A split word in the export's language: the same strings the screens show."""
    value = BASE_JS_STRINGS[f"console.{key}"]
    if isinstance(value, Plural):
        one, other = value.forms()
        return (one if n == 1 else other) % {"n": n}
    return str(value) % {"n": n} if n is not None else str(value)


def split_table(act: Activity) -> list[list[Any]] | None:
    """The current round's votes split by the voter's perspective, as the screens show it
    (``activities._split``: a small group's figures are the words "too few answers", never
    numbers), as rows of cells with a header row; None for kinds without votes."""
    from ..realtime.payloads import results_for

    if not get_kind(act.kind).splits:
        return None
    split = (results_for(act, split=True)["console"] or {}).get("split")
    if split is None:
        return None
    header: list[Any] = [_word(f"split_measure.{split['measure']}")]
    for g in split["groups"]:
        name = _word("split_none") if g["none"] else g["key"]
        note = _word("split_too_few") if g["hidden"] == "too_few" else None
        if g["voters"] is not None:
            note = _word("split_voters", g["voters"])
        header.append(f"{name} ({note})" if note else name)
    header.append(f"{_word('split_all')} ({_word('split_voters', split['voters'])})")
    out: list[list[Any]] = [header]
    for row in split["rows"]:
        label = f"{row['label']} ({row['note']})" if row["note"] else row["label"]
        out.append([label, *(_split_cell(c) for c in row["cells"]), _split_cell(row["total"])])
    return out


def _split_cell(cell: dict[str, Any]) -> Any:
    if cell.get("hidden") == "too_few":
        return _word("split_too_few")
    if cell.get("hidden"):
        return _word("split_hidden")
    value = cell.get("value")
    if isinstance(value, str) and cell.get("share") is not None:
        return f"{value} {round(100 * cell['share'])} %"
    return "" if value is None else value


# --- CSV ---------------------------------------------------------------------------------------


def activity_csv(act: Activity, split: bool = False) -> bytes:
    """Every input of one activity, every round, for Swedish Excel: ``;``, UTF-8 with BOM.
    ``split``: instead, the current round's votes split by the voter's perspective."""
    kind = get_kind(act.kind)
    config = kind.config(act.config)
    keys = kind.csv_header(config)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    with force_locale(act.workshop.language or "sv"):
        if split:
            table = split_table(act) or []
            for line in table:
                writer.writerow([safe_cell(v) for v in line])
            if table:
                writer.writerow([safe_cell(_word("split_rule", MIN_VOTERS))])
            return ("\ufeff" + buf.getvalue()).encode("utf-8")
        writer.writerow([*_input_header(), *(column_label(k) for k in keys)])
        for row in load_history(act):
            start = _input_start(act, row)
            start[3] = start[3].strftime(TIME_FORMAT) if start[3] else ""
            writer.writerow([safe_cell(v) for v in [*start, *_cells(keys, kind.csv_cells(config, row))]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# --- spreadsheet -------------------------------------------------------------------------------


def round_summaries(act: Activity) -> list[tuple[int, int, list[tuple[str, Any]]]]:
    """(round, responders, summary lines) per round, the current round last: its totals are
    the ones the screens show (the same read as the presenter's), earlier rounds are added
    up by the same kind from their stored inputs."""
    from ..realtime.payloads import results_for

    kind = get_kind(act.kind)
    config = kind.config(act.config)
    history = load_history(act)
    out = []
    for generation in sorted({r.generation for r in history} - {act.generation}):
        rows = [r for r in history if r.generation == generation]
        visible = [r for r in rows if r.status == "visible"]
        aggregate = kind.aggregate(config, visible) if not kind.uses_draft else {}
        lines = kind.summary(config, aggregate) if aggregate else []
        out.append((generation, kind.responders(rows), lines))
    current = results_for(act)["console"]
    assert current is not None
    out.append((act.generation, current["responders"], kind.summary(config, current["aggregate"])))
    return out


def _write(ws: Any, values: list[Any], bold: bool = False) -> None:
    """One row below the last: numbers and times as such, text always as text (``Book.text``:
    never a formula, whatever a participant typed)."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(row=1, column=1).value is not None else 1
    for col, value in enumerate(values, start=1):
        if isinstance(value, (int, float, datetime)) and not isinstance(value, bool):
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
        else:
            cell = Book.text(ws, row, col, value)
        if bold:
            cell.font = Font(bold=True)


def _widths(ws: Any, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def workbook(ws: Workshop) -> bytes:
    """The workshop's results: a summary sheet and a sheet of every input, every round."""
    with force_locale(ws.language or "sv"):
        book = Workbook()
        summary = book.active
        summary.title = gettext("Summary")[:31]
        _write(summary, [ws.title], bold=True)
        _write(summary, [gettext("Exported"), local_time(utcnow())])
        _write(summary, [""])
        head = ["#", gettext("Activity"), gettext("Question"), gettext("Round"), gettext("Round status")]
        _write(summary, [*head, gettext("Result"), gettext("Value")], bold=True)
        inputs = book.create_sheet(gettext("Inputs")[:31])
        _write(inputs, ["#", gettext("Question"), *_input_header(), gettext("Answer")], bold=True)
        for act in ws.activities:
            kind = get_kind(act.kind)
            config = kind.config(act.config)
            start = [act.position + 1, str(kind.label), act.title]
            for generation, responders, lines in round_summaries(act):
                first = [*start, generation + 1, _round_note(act, generation)]
                _write(summary, [*first, gettext("Participants who answered"), responders])
                for label, value in lines:
                    _write(summary, [*first, label, value])
            keys = kind.csv_header(config)
            for row in load_history(act):
                cells = _cells(keys, kind.csv_cells(config, row))
                _write(inputs, [act.position + 1, act.title, *_input_start(act, row), _answer(keys, cells)])
        _split_sheet(book, ws)
        _widths(summary, [5, 18, 40, 8, 20, 40, 10])
        _widths(inputs, [5, 40, 10, 8, 20, 20, 12, 16, 20, 16, 60])
        summary.freeze_panes = "A5"
        inputs.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _split_sheet(book: Any, ws: Workshop) -> None:
    """One sheet with every vote activity's split by the voter's perspective (current round)."""
    tables = [(act, t) for act in ws.activities if (t := split_table(act)) and len(t) > 1]
    if not tables:
        return
    sheet = book.create_sheet(gettext("By perspective")[:31])
    _write(sheet, [_word("split_heading")], bold=True)
    _write(sheet, [_word("split_rule", MIN_VOTERS)])
    for act, table in tables:
        _write(sheet, [""])
        _write(sheet, [f"{act.position + 1}. {act.title}"], bold=True)
        _write(sheet, table[0], bold=True)
        for line in table[1:]:
            _write(sheet, line)
    _widths(sheet, [40, *([22] * max(len(t[0]) - 1 for _, t in tables))])


def _answer(keys: list[str], cells: list[Any]) -> Any:
    """One cell for the answer: the value itself for one column, labelled parts for several."""
    if len(cells) == 1:
        return cells[0]
    parts = [f"{column_label(k)}: {v}" for k, v in zip(keys, cells, strict=False) if v not in ("", None)]
    return " · ".join(parts)


__all__ = ["activity_csv", "column_label", "local_time", "round_summaries", "split_table", "workbook"]
