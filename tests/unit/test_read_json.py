"""Stored JSON is read with orjson where it reads exactly as the standard library does, and
with the standard library elsewhere (``workshop.database.read_json``)."""

from __future__ import annotations

import json
import math

import pytest

from workshop.database import engine_options, read_json

SAME = [
    '{"choices": [0, 2], "text": "Tryggare skolväg åäö", "n": null, "ok": true}',
    '{"value": 400, "low": 0.1, "high": 2.5e-3, "big": 9223372036854775807}',
    '{"id": 123456789012345678, "neg": -123456789012345678}',
    "[]",
    '"Kalle"',
]
# orjson would read these differently (a float for a wide integer) or not at all.
STDLIB = [
    '{"n": 1208925819614629174706176}',
    '{"n": -98765432109876543210}',
    '{"x": NaN, "y": Infinity}',
    '{"t": "\\ud800"}',
    "[1e400]",
    '{"pi": 3.14159265358979323846264}',
]


@pytest.mark.parametrize("text", SAME + STDLIB)
def test_reads_as_the_standard_library(text):
    ours, std = read_json(text), json.loads(text)
    assert repr(ours) == repr(std)
    assert repr(read_json(text.encode())) == repr(std)


def test_wide_integers_stay_integers():
    assert read_json('{"n": 1208925819614629174706176}')["n"] == 2**80
    assert isinstance(read_json('{"n": 1208925819614629174706176}')["n"], int)
    assert math.isnan(read_json("NaN"))


def test_invalid_json_is_refused_as_before():
    with pytest.raises(json.JSONDecodeError):
        read_json("{not json")


def test_every_engine_reads_stored_json_with_it(app):
    from workshop.extensions import db

    assert engine_options(app.extensions["settings"])["json_deserializer"] is read_json
    with app.app_context():
        assert db.engine.dialect._json_deserializer is read_json
