"""The phone's counters read their limits from the kind (``text_limits``), which reads them from
the input schema the server validates with: the two can never disagree."""

from __future__ import annotations

import pytest

from workshop.activities import all_kinds, get_kind
from workshop.activities.base import InputError


def limits(key: str, config: dict | None = None) -> dict[str, int]:
    kind = get_kind(key)
    return kind.text_limits(kind.config(config or {}))


def test_limits_follow_the_settings_and_the_schemas():
    assert limits("open_text", {"max_length": 200}) == {"text": 200}
    assert limits("qna", {"max_length": 120}) == {"text": 120}
    assert limits("word_cloud", {"max_length": 12}) == {"text": 12}
    assert limits("effects") == {"text": 200, "cause": 300, "perspective": 200}
    assert limits("questions") == {"text": 200, "unit": 30}
    assert limits("estimates") == {"source": 300, "reason": 300}
    assert limits("alternatives") == {"comment": 500}
    assert set(limits("describe")) == {"rubrik", "genom_att", "hander", "och", "leder_till"}
    for key in ("multiple_choice", "ranking", "points", "scale", "calculate", "present"):
        assert limits(key) == {}, key


@pytest.mark.parametrize("key", sorted(all_kinds()))
def test_every_kind_answers(key):
    assert all(isinstance(v, int) and v > 0 for v in limits(key).values())


@pytest.mark.parametrize(
    ("key", "config", "payload"),
    [
        ("open_text", {"max_length": 200}, lambda s: {"text": s}),
        ("word_cloud", {"max_length": 25}, lambda s: {"text": s}),
        ("qna", {"max_length": 120}, lambda s: {"action": "ask", "text": s}),
    ],
)
def test_the_limit_is_the_one_the_server_enforces(app, key, config, payload):
    kind = get_kind(key)
    cfg = kind.config(config)
    n = kind.text_limits(cfg)["text"]
    with app.test_request_context():
        assert kind.validate_input(cfg, payload("a" * n))["text"] == "a" * n
        with pytest.raises(InputError):
            kind.validate_input(cfg, payload("a" * (n + 1)))
