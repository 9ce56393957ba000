"""Counted strings take the singular for one ("1 effekt", not "1 effekter"), in the browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PROBE = """async () => {
  const { t } = await import('/static/js/core.js');
  return [1, '1', 2, '1\u00a0000', 0].map((n) => t('effects.n_effects', { n }))
    .concat([t('word_cloud.times', { n: '1' }), t('qna.upvote_label', { n: 1 }), t('qna.upvote_label', { n: 4 })])
    .concat([0, 1, 2].map((n) => t('n_responses', { n })))
    .concat([0, 1, 2].map((n) => t('qna.n_answered', { n })))
    .concat([0, 1, 2].map((n) => t('chars', { used: 5, n })));
}"""


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "sv",
            [
                "1 effekt",
                "1 effekt",
                "2 effekter",
                "1\u00a0000 effekter",
                "0 effekter",
                "1 gång",
                "Rösta upp frågan, 1 röst nu",
                "Rösta upp frågan, 4 röster nu",
                "0 svar",
                "1 svar",
                "2 svar",
                "0 besvarade",
                "1 besvarad",
                "2 besvarade",
                "5/0 tecken",
                "5/1 tecken",
                "5/2 tecken",
            ],
        ),
        (
            "en",
            [
                "1 effect",
                "1 effect",
                "2 effects",
                "1\u00a0000 effects",
                "0 effects",
                "1 time",
                "Upvote this question, 1 vote now",
                "Upvote this question, 4 votes now",
                "0 responses",
                "1 response",
                "2 responses",
                "0 answered",
                "1 answered",
                "2 answered",
                "5/0 characters",
                "5/1 character",
                "5/2 characters",
            ],
        ),
    ],
)
def test_t_picks_the_form_for_the_count(open_page, lang, expected):
    page = open_page(f"plurals-{lang}", "phone")
    page.goto(f"/?lang={lang}")
    assert page.evaluate(PROBE) == expected
