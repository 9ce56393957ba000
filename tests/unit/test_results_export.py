"""The workshop's results as files: the spreadsheet (summary + every input, every round) and
the per-activity CSV for Swedish Excel."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from workshop.activities import all_kinds
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import reset_activity

PASSWORD = "hemligt-lösen-1"
INJECTION = '=HYPERLINK("http://evil")'

POLL = (
    ("multiple_choice", "Använder ni metoden?", {"options": ["Ja", "Nej", "Vet inte"], "multiple": False}),
    ("scale", "Hur nöjd är du?", {"max": 5, "label_low": "Inte alls", "label_high": "Mycket"}),
    ("word_cloud", "Ett ord om dagen", {}),
)


def login(client):
    return client.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


@pytest.fixture
def poll(app, make_workshop):
    """A poll workshop with answers in two rounds of the multiple choice: before a reset
    Anna and Bo said "Ja", after it Cecilia said "Nej"."""

    def make(language: str = "sv"):
        ws_id, _code, ids = make_workshop(activities=POLL, mode="self_paced", language=language)
        mc, scale, cloud = ids
        with app.test_request_context():
            anna, bo, cecilia = join(ws_id, "Anna"), join(ws_id, INJECTION), join(ws_id, "Cecilia")
            submit(anna, mc, "a1", {"choices": [0]})
            submit(bo, mc, "b1", {"choices": [0]})
            reset_activity(db.session.get(Activity, mc))
            submit(cecilia, mc, "c1", {"choices": [1]})
            submit(anna, scale, "a2", {"value": 4})
            submit(bo, scale, "b2", {"value": 5})
            submit(anna, cloud, "a3", {"text": "Trygghet"})
            submit(bo, cloud, "b3", {"text": "-1+1"})
            # A known moment for the time format: 12:34:56.789 UTC is 13:34:56 in Stockholm in winter.
            db.session.query(Response).filter_by(activity_id=mc, participant_id=cecilia.id).update(
                {"created_at": datetime(2026, 1, 15, 12, 34, 56, 789000, tzinfo=UTC)}
            )
            db.session.commit()
        return ws_id, ids

    return make


def download(app, path: str):
    client = app.test_client()
    login(client)
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return r


def workbook(app, ws_id: int):
    r = download(app, f"/f/w/{ws_id}/results.xlsx")
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return load_workbook(io.BytesIO(r.data))


def table(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


# --- the spreadsheet --------------------------------------------------------------------------


def test_summary_sheet_has_every_activity_with_the_screens_totals(app, poll):
    ws_id, (mc, scale, cloud) = poll("sv")
    book = workbook(app, ws_id)
    # The third sheet: the votes by the voter's perspective (tests below).
    assert book.sheetnames == ["Sammanfattning", "Bidrag", "Per perspektiv"]
    rows = table(book["Sammanfattning"])
    assert rows[0][0] == "Användarforum"
    assert rows[3] == ["#", "Aktivitet", "Fråga", "Omgång", "Omgångens status", "Resultat", "Värde"]
    body = [r for r in rows[4:] if r[0] is not None]
    # The multiple choice: the earlier round (two "Ja") and the current one (one "Nej").
    mc_rows = [r[3:] for r in body if r[0] == 1]
    assert mc_rows == [
        [1, "Tidigare omgång (nollställd)", "Deltagare som svarat", 2],
        [1, "Tidigare omgång (nollställd)", "Ja", 2],
        [1, "Tidigare omgång (nollställd)", "Nej", 0],
        [1, "Tidigare omgång (nollställd)", "Vet inte", 0],
        [2, "Nuvarande omgång", "Deltagare som svarat", 1],
        [2, "Nuvarande omgång", "Ja", 0],
        [2, "Nuvarande omgång", "Nej", 1],
        [2, "Nuvarande omgång", "Vet inte", 0],
    ]
    assert {r[1] for r in body if r[0] == 1} == {"Flerval"}
    # The numbers are the presenter's: the same aggregate the screen gets.
    with app.test_request_context():
        screen = results_for(db.session.get(Activity, scale))["console"]["aggregate"]
    scale_rows = {r[5]: r[6] for r in body if r[0] == 2}
    assert scale_rows["Medelvärde"] == screen["mean"] == 4.5
    assert scale_rows["Median"] == screen["median"]
    assert scale_rows["5 (Mycket)"] == 1 and scale_rows["1 (Inte alls)"] == 0
    cloud_rows = {r[5]: r[6] for r in body if r[0] == 3}
    assert cloud_rows["Trygghet"] == 1
    # A word that looks like a formula is kept as typed, as text (checked cell by cell below).
    assert cloud_rows["-1+1"] == 1


def test_inputs_sheet_lists_every_input_with_its_round(app, poll):
    ws_id, (mc, _scale, _cloud) = poll("sv")
    book = workbook(app, ws_id)
    rows = table(book["Bidrag"])
    assert rows[0][:5] == ["#", "Fråga", "Svars-id", "Omgång", "Omgångens status"]
    mc_rows = [r for r in rows[1:] if r[0] == 1]
    assert [(r[3], r[4], r[-1]) for r in mc_rows] == [
        (1, "Tidigare omgång (nollställd)", "Ja"),
        (1, "Tidigare omgång (nollställd)", "Ja"),
        (2, "Nuvarande omgång", "Nej"),
    ]
    # Local time, to the second, a real date cell.
    assert mc_rows[2][5] == datetime(2026, 1, 15, 13, 34, 56)
    # A nickname that looks like a formula is kept as typed, as a text cell with a quote prefix.
    assert [r[7] for r in mc_rows][1] == INJECTION
    formula_like = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    formula_like += 1
    assert formula_like >= 4


def test_english_workshop_exports_english_headers(app, poll):
    ws_id, _ids = poll("en")
    book = workbook(app, ws_id)
    assert book.sheetnames == ["Summary", "Inputs", "By perspective"]
    rows = table(book["Summary"])
    assert rows[3] == ["#", "Activity", "Question", "Round", "Round status", "Result", "Value"]
    assert {r[4] for r in rows[4:] if r[0] == 1} == {"Earlier round (reset)", "Current round"}


def test_export_works_while_live_and_counts_only_the_current_round(app, poll):
    ws_id, (mc, _scale, _cloud) = poll("sv")
    with app.test_request_context():
        act = db.session.get(Activity, mc)
        live = results_for(act)["console"]
        ws = db.session.get(Workshop, ws_id)
        assert ws.accepts_input()
    # Live counts: only the current round (Cecilia's "Nej").
    assert live["responders"] == 1 and live["aggregate"]["counts"] == [0, 1, 0]
    # The earlier round is still stored and exported.
    text = download(app, f"/f/w/{ws_id}/a/{mc}.csv").data.decode("utf-8-sig")
    assert text.count("Tidigare omgång (nollställd)") == 2 and text.count("Nuvarande omgång") == 1


# --- the CSV ----------------------------------------------------------------------------------


def test_csv_is_for_swedish_excel(app, poll):
    ws_id, (mc, _scale, cloud) = poll("sv")
    r = download(app, f"/f/w/{ws_id}/a/{mc}.csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    data = r.data
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ("Svars-id;Omgång;Omgångens status;Tid;Deltagare;Smeknamn;Perspektiv;Status;Val")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["1", "1", "2"]
    assert rows[3][3] == "2026-01-15 13:34:56"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[3]) for r in rows[1:])
    assert rows[2][5] == "'" + INJECTION
    assert rows[1][-1] == "Ja" and rows[3][-1] == "Nej"
    cloud_rows = list(
        csv.reader(io.StringIO(download(app, f"/f/w/{ws_id}/a/{cloud}.csv").data.decode("utf-8-sig")), delimiter=";")
    )
    assert cloud_rows[0][-3:] == ["Text", "Räknas som", "Sammanslaget med svar"]
    assert "'-1+1" in [c for r in cloud_rows for c in r]


def test_csv_headers_in_english(app, poll):
    ws_id, (mc, _scale, _cloud) = poll("en")
    text = download(app, f"/f/w/{ws_id}/a/{mc}.csv").data.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "Answer id;Round;Round status;Time;Participant;Nickname;Perspective;Status;Choices"
    assert "Earlier round (reset)" in text


def test_csv_time_zone_is_configurable(app, poll):
    ws_id, (mc, _scale, _cloud) = poll("sv")
    app.extensions["settings"].timezone = "UTC"
    text = download(app, f"/f/w/{ws_id}/a/{mc}.csv").data.decode("utf-8-sig")
    assert ";2026-01-15 12:34:56;" in text


def test_every_kinds_csv_column_has_a_label(app):
    from workshop.exports.results import column_label

    with app.test_request_context():
        for kind in all_kinds().values():
            config = kind.config(kind.default_config())
            for key in kind.csv_header(config):
                assert column_label(key), (kind.key, key)


# --- the votes by the voter's perspective -------------------------------------------------------


@pytest.fixture
def split_poll(app, make_workshop):
    """Four from Solstad kommun, two from Brukare, three without a perspective answer a
    multiple choice; a word cloud (no votes) beside it."""
    ws_id, _code, ids = make_workshop(
        activities=(POLL[0], POLL[2]),
        ask_perspective=True,
        perspectives=["Solstad kommun", "Brukare", "Närstående"],
    )
    mc = ids[0]
    with app.test_request_context():
        for i, (perspective, choice) in enumerate(
            [("Solstad kommun", 0)] * 3 + [("Solstad kommun", 1), ("Brukare", 1), ("Brukare", 2)] + [("", 0)] * 3
        ):
            p = join(ws_id, f"P{i}")
            p.perspective = perspective
            db.session.commit()
            submit(p, mc, f"s{i}", {"choices": [choice]})
    return ws_id, ids


def test_the_spreadsheet_splits_the_votes_with_too_few_answers_for_small_groups(app, split_poll):
    ws_id, (mc, cloud) = split_poll
    rows = table(workbook(app, ws_id)["Per perspektiv"])
    assert rows[0][0] == "Röster efter röstarens perspektiv"
    assert "färre än 3 röstande" in rows[1][0]
    at = next(i for i, r in enumerate(rows) if r[0] == "1. Använder ni metoden?")
    assert not any(r[0] and str(r[0]).startswith("2.") for r in rows)  # the word cloud has no votes
    header, ja, nej, vet_inte = rows[at + 1], rows[at + 2], rows[at + 3], rows[at + 4]
    assert header[:5] == [
        "Röster (andel av gruppens röstande)",
        "Solstad kommun (4 röstande)",
        "Brukare (för få svar)",
        "Inget perspektiv valt",
        "Alla (9 röstande)",
    ]
    assert ja[:5] == ["Ja", 3, "för få svar", "dold", 6]
    assert nej[:5] == ["Nej", 1, "för få svar", "dold", 2]
    assert vet_inte[:5] == ["Vet inte", 0, "för få svar", "dold", 1]


def test_the_split_csv_says_what_the_presenter_says(app, split_poll):
    ws_id, (mc, cloud) = split_poll
    with app.app_context():
        db.session.get(Activity, mc).split_voters = True
        db.session.commit()
    r = download(app, f"/f/w/{ws_id}/a/{mc}.csv?view=split")
    assert "-split.csv" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1:] == [
        "Solstad kommun (4 röstande)",
        "Brukare (för få svar)",
        "Inget perspektiv valt",
        "Alla (9 röstande)",
    ]
    assert rows[1] == ["Ja", "3", "för få svar", "dold", "6"]
    assert rows[-1][0].startswith("En grupp med färre än 3 röstande")
    with app.test_request_context():
        split = results_for(db.session.get(Activity, mc))["screen"]["split"]
        assert [c for c in split["rows"][0]["cells"]] == [
            {"value": 3, "share": 0.75},
            {"hidden": "too_few"},
            {"hidden": "protects"},
        ]
    # A kind without votes has nothing to split: the file is empty, not an error.
    empty = download(app, f"/f/w/{ws_id}/a/{cloud}.csv?view=split")
    assert empty.data == b"\xef\xbb\xbf"
