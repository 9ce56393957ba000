"""The validation toolkit: the one number reader, forms and draft ops refused with the same
translated sentences, vocabularies defined once, every model column documented."""

from decimal import Decimal

import pytest

from workshop.validation import InputError, NumberTextError, swedish_number

PASSWORD = "hemligt-lösen-1"


# --- the Swedish number reader ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        # Swedish: space between thousands (plain, non-breaking, narrow, thin), decimal comma.
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1\u202f234,5", "1234.5"),
        ("1\u2009234", "1234"),
        ("1 234", "1234"),
        ("12 345 678,25", "12345678.25"),
        ("0,5", "0.5"),
        (",5", "0.5"),
        ("400", "400"),
        # English: decimal point, no grouping; a point with Swedish grouping is read too.
        ("1234.5", "1234.5"),
        ("0.25", "0.25"),
        (".5", "0.5"),
        ("1 234.5", "1234.5"),
        # Negatives: hyphen-minus and the minus sign U+2212, also with a space after it.
        ("-30", "-30"),
        ("\u221230", "-30"),
        ("\u22121 234,5", "-1234.5"),
        ("- 12", "-12"),
        ("+7", "7"),
        # Spaces around, and the apostrophe some people group with.
        ("  400 ", "400"),
        ("1'000", "1000"),
    ],
)
def test_swedish_number_reads_swedish_and_english_figures(text, expected):
    assert swedish_number(text) == Decimal(expected)


def test_a_period_is_always_a_decimal_point():
    """Swedish never groups thousands with a period: "1.234" is one point two three four,
    the same as "1,234" typed the Swedish way."""
    assert swedish_number("1.234") == Decimal("1.234")
    assert swedish_number("1,234") == Decimal("1.234")


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0", "empty"),
        ("1,2,3", "format"),
        ("12abc", "format"),
        ("1,234.5", "format"),
        ("1.2.3", "format"),
        ("1 2 3", "format"),
        ("1 23", "format"),
        ("1234 567", "format"),  # thousands come in threes
        ("nan", "format"),
        ("inf", "format"),
        ("1e5", "format"),
        ("0x10", "format"),
        ("--1", "format"),
        ("-", "format"),
        ("\u0661\u0662", "format"),
        ("fyra", "format"),
    ],
)
def test_swedish_number_refuses_what_is_not_a_figure(text, reason):
    with pytest.raises(NumberTextError) as err:
        swedish_number(text)
    assert err.value.reason == reason


def test_number_value_refuses_with_swedish_sentences(app):
    from workshop.validation import number_value

    with app.test_request_context():
        assert number_value("1 700,5", "low") == 1700.5
        assert number_value("", "low", required=False) is None
        assert number_value("2,0", "max", integral=True) == 2 and isinstance(
            number_value("2", "max", integral=True), int
        )
        cases = {
            "12abc": "Skriv ett tal, till exempel 400 eller 0,5.",
            "": "Fältet måste fyllas i.",
            "2e20": "Skriv ett tal, till exempel 400 eller 0,5.",
            1e16: "Talet är för stort.",
            True: "Måste vara ett tal.",
        }
        for raw, message in cases.items():
            with pytest.raises(InputError) as err:
                number_value(raw, "low")
            assert err.value.fields == {"low": message}, raw


# --- forms --------------------------------------------------------------------------------------


@pytest.fixture
def client(app, facilitator):
    c = app.test_client()
    c.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})
    return c


def test_workshop_form_refuses_an_empty_title_in_swedish(client):
    r = client.post("/f/new", data={"title": "  ", "language": "sv", "mode": "live"})
    assert r.status_code == 200
    assert "Ge workshoppen en rubrik." in r.get_data(as_text=True)


def test_workshop_form_refuses_a_bad_closing_time_and_unknown_language(client):
    r = client.post("/f/new", data={"title": "Forum", "open_until": "på fredag"})
    assert "Ange sluttiden som datum och klockslag." in r.get_data(as_text=True)
    r = client.post("/f/new", data={"title": "Forum", "language": "de"})
    assert "Värdet är inte ett av de tillåtna." in r.get_data(as_text=True)


def test_workshop_form_reads_perspectives_and_closing_time(app, client):
    from workshop.extensions import db
    from workshop.models import Workshop

    r = client.post(
        "/f/new",
        data={
            "title": " Forum ",
            "open_until": "2030-05-04T16:00",
            "ask_perspective": "1",
            "perspectives": "Solstad kommun\n\n  Brukare \n",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        ws = db.session.query(Workshop).one()
        assert ws.title == "Forum" and ws.perspectives == ["Solstad kommun", "Brukare"] and ws.ask_perspective
        # Typed in local time (Europe/Stockholm, summer time), stored in UTC.
        assert ws.open_until.isoformat() == "2030-05-04T14:00:00+00:00"


def test_activity_form_shows_a_number_error_beside_its_field_in_swedish(client, make_workshop):
    ws_id, _code, (act_id,) = make_workshop(activities=(("scale", "Hur nöjd är du?", None),))
    r = client.post(f"/f/w/{ws_id}/a/{act_id}", data={"title": "Hur nöjd är du?", "cfg_max": "tio"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<p class="error" id="err-max">Skriv ett tal, till exempel 400 eller 0,5.</p>' in html


def test_activity_form_reads_the_timer_the_swedish_way(app, client, make_workshop):
    from workshop.extensions import db
    from workshop.models import Activity

    ws_id, _code, (act_id,) = make_workshop(activities=(("scale", "Hur nöjd är du?", None),))
    r = client.post(
        f"/f/w/{ws_id}/a/{act_id}", data={"title": "Hur nöjd är du?", "cfg_max": "5", "timer_minutes": "1,5"}
    )
    assert r.status_code == 302
    with app.app_context():
        act = db.session.get(Activity, act_id)
        assert act.timer_seconds == 90 and act.config["max"] == 5


# --- draft operations ---------------------------------------------------------------------------


@pytest.fixture
def draft(app, make_workshop):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        yield ws, analysis_for(ws)


def test_draft_ops_refuse_through_the_toolkit_in_swedish(draft):
    from workshop.draft.ops import apply

    ws, a = draft
    nid = apply(
        ws,
        "node.add",
        {"data": {"node_type": "nytta", "title": "Frigjord tid", "category": "omfordelning", "valuation": "money"}},
    )["id"]
    rid = apply(ws, "row.add", {"node_id": nid, "data": {"name": "timmar", "likely": "1 700,5"}})["id"]
    row = next(r for r in a.nodes[0].block.rows if r.id == rid)
    assert row.likely == 1700.5
    refusals = [
        (
            "node.update",
            {"id": nid, "data": {"size_score": "stor"}},
            "size_score",
            "Värdet är inte ett av de tillåtna.",
        ),
        ("node.update", {"id": nid, "data": {"title": ""}}, "title", "Fältet får inte vara tomt."),
        ("row.update", {"id": rid, "data": {"low": "12abc"}}, "low", "Skriv ett tal, till exempel 400 eller 0,5."),
        ("node.update", {"id": nid}, "data", "Fältet måste fyllas i."),
        ("node.update", {"id": nid, "data": "titel"}, "data", "Indata måste vara ett objekt."),
        ("node.delete", {"id": nid, "extra": 1}, "extra", "Okänt fält."),
    ]
    for op, args, field, message in refusals:
        with pytest.raises(InputError) as err:
            apply(ws, op, args)
        assert err.value.fields.get(field) == message, (op, args, err.value.fields)
    assert row.likely == 1700.5 and next(n for n in a.nodes if n.id == nid).title == "Frigjord tid"


def test_each_draft_op_is_a_named_function_with_an_args_schema():
    from workshop.draft.ops import OPS
    from workshop.validation import Schema

    for name, op in OPS.items():
        assert issubclass(op.args, Schema), name
        assert op.run.__name__ == name.replace(".", "_"), name


# --- one definition per vocabulary, every column documented ---------------------------------


def test_each_vocabulary_is_defined_once():
    from workshop.calculation import model as engine
    from workshop.draft import models, vocabulary
    from workshop.exports import common

    assert models.CATEGORIES is vocabulary.CATEGORIES is engine.CATEGORIES
    assert models.MONEY_CATEGORIES is vocabulary.MONEY_CATEGORIES is engine.MONEY_CATEGORIES
    assert tuple(vocabulary.CATEGORY_LABELS) == tuple(vocabulary.CATEGORY_TERMS) == vocabulary.CATEGORIES
    assert all(common.WORDS[c] is vocabulary.CATEGORY_TERMS[c] for c in vocabulary.CATEGORIES)
    for keys, labels in [
        (vocabulary.NODE_TYPES, vocabulary.NODE_TYPE_LABELS),
        (vocabulary.VALUATIONS, vocabulary.VALUATION_LABELS),
        (vocabulary.SIZE_SCORES, vocabulary.SIZE_LABELS),
        (vocabulary.PERSPECTIVE_KINDS, vocabulary.PERSPECTIVE_KIND_LABELS),
        (vocabulary.COST_KINDS, vocabulary.COST_KIND_LABELS),
        (vocabulary.POLARITIES, vocabulary.POLARITY_LABELS),
    ]:
        assert keys == tuple(labels)
    assert set(vocabulary.ITEM_TYPES) | set(vocabulary.UNCATEGORISED_TYPES) == set(vocabulary.NODE_TYPES)


def test_every_model_column_says_what_it_holds():
    from workshop.extensions import db

    undocumented = []
    for mapper in db.Model.registry.mappers:
        for attr in mapper.column_attrs:
            if not (getattr(mapper.class_, attr.key).__doc__ or "").strip() or attr.doc is None:
                undocumented.append(f"{mapper.class_.__name__}.{attr.key}")
    assert not undocumented, undocumented
