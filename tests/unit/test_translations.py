"""The Swedish catalogue: complete, compiled, faithful to the method's words and used by default.

A new ``_()`` / ``_l()`` string without a Swedish translation fails ``test_catalogue_covers_the_source``
with the list of what is missing. To fix it (see the Makefile's ``translations`` target)::

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _pl:1,2 -o workshop/translations/messages.pot .
    .venv/bin/pybabel update -N -i workshop/translations/messages.pot -d workshop/translations
    # translate the new entries in workshop/translations/sv/LC_MESSAGES/messages.po, then
    .venv/bin/pybabel compile -d workshop/translations
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "workshop" / "translations"
LOCALES = ("sv", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


@cache
def load_po(locale: str):
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def messages(catalog):
    """The real entries (not the header), as (id, string) with plural forms flattened."""
    for m in catalog:
        if m.id:
            yield m


def ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def key(message):
    return (message.context, ids(message)[0])


# --- (a) every entry translated, nothing fuzzy ----------------------------------------------------


def test_swedish_catalogue_is_fully_translated():
    catalog = load_po("sv")
    assert not catalog.fuzzy, "the Swedish catalogue header is marked fuzzy"
    untranslated = [ids(m)[0] for m in messages(catalog) if not all(s.strip() for s in strings(m))]
    fuzzy = [ids(m)[0] for m in messages(catalog) if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} msgids without a Swedish msgstr:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries:\n" + "\n".join(fuzzy)
    assert len(list(messages(catalog))) > 1000


def test_english_catalogue_has_the_same_entries():
    sv = {key(m) for m in messages(load_po("sv"))}
    en = {key(m) for m in messages(load_po("en"))}
    assert sv == en, f"only in sv: {sorted(sv - en)[:20]}; only in en: {sorted(en - sv)[:20]}"


# --- (b) the catalogue covers what the source asks for --------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Extract with the project's own Babel command, in-process, into a temporary .pot."""
    import os

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-k",
                "_pl:1,2",
                "-o",
                str(pot),
                ".",
            ]
        )
    finally:
        os.chdir(here)
    with pot.open("rb") as fh:
        return read_po(fh)


def test_catalogue_covers_the_source(extracted):
    source = {key(m): m for m in messages(extracted)}
    assert len(source) > 1000, "extraction found suspiciously few strings"
    for locale in LOCALES:
        have = {key(m) for m in messages(load_po(locale))}
        missing = [source[k] for k in source if k not in have]
        listing = "\n".join(f"  {ids(m)[0]!r}  ({', '.join(f'{f}:{n}' for f, n in m.locations[:2])})" for m in missing)
        assert not missing, (
            f"{len(missing)} strings in the source are not in the {locale} catalogue "
            f"(run extract + update, then translate):\n{listing}"
        )


# --- (c) the compiled .mo matches the .po ----------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_up_to_date(locale):
    mo_file = po_path(locale).with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing: run pybabel compile -d workshop/translations"
    with mo_file.open("rb") as fh:
        mo = read_mo(fh)
    # What `pybabel compile` writes: translated, non-fuzzy entries only.
    expected = {key(m): strings(m) for m in messages(load_po(locale)) if not m.fuzzy and all(strings(m))}
    compiled = {key(m): strings(m) for m in messages(mo)}
    stale = sorted(k[1] for k in expected if compiled.get(k) != expected[k])
    extra = sorted(k[1] for k in compiled if k not in expected)
    assert not stale and not extra, (
        f"{locale} .mo is out of date with the .po (run pybabel compile -d workshop/translations); "
        f"differing: {stale[:20]}; only in .mo: {extra[:20]}"
    )


# --- (d) placeholders survive translation ----------------------------------------------------------


def test_placeholders_match():
    wrong = []
    for m in messages(load_po("sv")):
        want = sorted(PLACEHOLDER.findall(ids(m)[0]))
        for s in strings(m):
            if s and sorted(PLACEHOLDER.findall(s)) != want:
                wrong.append(f"{ids(m)[0]!r} -> {s!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_leading_and_trailing_spaces_are_kept():
    """Sentence starters such as "Hur många " are inserted in front of typed text."""
    wrong = [
        ids(m)[0]
        for m in messages(load_po("sv"))
        if strings(m)[0]
        and (ids(m)[0][:1].isspace(), ids(m)[0][-1:].isspace())
        != (strings(m)[0][:1].isspace(), strings(m)[0][-1:].isspace())
    ]
    assert not wrong, wrong


# --- the method's Swedish words (method.md) --------------------------------------------------------

METHOD_TERMS = {
    "Change": "Förändring",
    "Effect": "Effekt",
    "Benefit": "Nytta",
    "Consequence cost": "Konsekvenskostnad",
    "Implementation cost": "Genomförandekostnad",
    "Risk": "Risk",
    "Obstacle": "Hinder",
    "Opportunity": "Möjlighet",
    "Organisational goal": "Verksamhetsmål",
    "Financial": "Finansiell",
    "Redistribution": "Omfördelning",
    "Quality": "Kvalitet",
    "Environment": "Miljö",
    "The own organisation": "Den egna organisationen",
    "Residents, patients, service users": "Invånare/patienter/brukare",
    "Relatives": "Närstående",
    "Other organisations, principals": "Andra organisationer/huvudmän",
    "Society": "Samhället",
    "Valued in money": "Värderad i pengar",
    "Estimated size": "Uppskattad storlek",
    "Not valued": "Ej värderad",
    "None": "Ingen",
    "Small": "Liten",
    "Moderate": "Måttlig",
    "Large": "Stor",
    "Total net benefit": "Sammanlagd nettonytta",
    "Net benefit per krona invested": "Nettonytta per satsad krona",
    "The year accumulated benefits exceed accumulated costs": "Året då de ackumulerade nyttorna överstiger de ackumulerade kostnaderna",
    "cannot be computed": "kan inte beräknas",
    "never": "aldrig",
    "full-time equivalents": "årsarbetare",
    "All lowest values": "Alla lägsta värden",
    "Discount rate": "Diskonteringsränta",
    "Shared factors": "Delade faktorer",
    "Facilitator": "Analysledare",
    "Workshop imported.": "Workshoppen är importerad.",
    "Join": "Gå med",
    "Code": "Kod",
    "Presenter screen": "Presentationsskärm",
    "Console": "Styrpanel",
    "Q&A": "Frågestund",
    "Word cloud": "Ordmoln",
    "Multiple choice": "Flerval",
    "Open text": "Öppen fråga",
    "Scale": "Skala",
    "Ranking": "Rangordning",
    "100 points": "100 poäng",
    "Alternative A": "Alternativ A",
    "Alternative B": "Alternativ B",
    "Facts about the analysis": "Fakta om analysen",
    "Result in brief": "Resultat i korthet",
    "Introduction": "Inledning",
    "Method": "Metod",
    "Starting points": "Utgångspunkter",
    "Analysis": "Analys",
    "Valuation": "Värdering",
    "Uncertainty assessment": "Osäkerhetsbedömning",
    "Summary": "Sammanfattning",
    "Step 1 · Formulera alternativen": "Steg 1 · Formulera alternativen",
    "Step 2 · Hitta effekterna": "Steg 2 · Hitta effekterna",
    "Step 3 · Rita en effektkedja": "Steg 3 · Rita en effektkedja",
    "Step 4: Sortera": "Steg 4 · Sortera",
    "Step 5: Beskriv": "Steg 5 · Beskriv",
    "Step 6: Formulera frågor": "Steg 6 · Formulera frågor",
    "Samla data (estimates)": "Steg 7 · Samla data",
    "Räkna (result)": "Steg 8 · Räkna",
    "Dokumentera och presentera": "Steg 9 · Dokumentera och presentera",
}


def test_method_terms_are_used_exactly():
    catalog = load_po("sv")
    wrong = {}
    for msgid, swedish in METHOD_TERMS.items():
        m = catalog.get(msgid)
        if m is not None and m.string != swedish:
            wrong[msgid] = (m.string, swedish)
    assert not wrong, wrong


def test_no_worst_or_best_case_wording():
    """method.md: the uncertainty scenarios are never labelled worst/best case."""
    banned = re.compile(r"värsta fall|bästa fall", re.IGNORECASE)
    hits = [m.string for m in messages(load_po("sv")) if any(banned.search(s) for s in strings(m))]
    assert not hits, hits


# --- (e) the app speaks Swedish by default, English on request -------------------------------------


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """A bare app (no migrations: the start page and the strings need no database)."""
    from workshop.app import create_app
    from workshop.config import Settings

    settings = Settings.from_env(tmp_path_factory.mktemp("i18n"), testing=True)
    return create_app(settings, async_mode="threading", migrate=False)


def test_start_page_language(web):
    app = web
    sv = app.test_client().get("/")
    assert sv.status_code == 200
    page = sv.get_data(as_text=True)
    assert "Gå med" in page and 'lang="sv"' in page
    assert "Join a workshop" not in page

    en = app.test_client().get("/?lang=en")
    assert en.status_code == 200
    page = en.get_data(as_text=True)
    assert "Join" in page and "Join a workshop" in page and 'lang="en"' in page
    assert "Gå med" not in page


def test_browser_strings_are_swedish_by_default(web):
    from workshop.browser_strings import js_strings

    app = web

    with app.test_request_context("/"):
        sv = js_strings()
    with app.test_request_context("/?lang=en"):
        en = js_strings()
    assert sv["join_code"] == "Kod" and en["join_code"] == "Code"
    assert sv["vocab.measure.nettonytta"] == "Sammanlagd nettonytta"
    assert sv["vocab.category.omfordelning"] == "Omfördelning"
    untranslated = sorted(
        k for k, v in sv.items() if v == en[k] and re.search(r"[a-z]{3} [a-z]{3}", v) and not re.search(r"[åäöÅÄÖ]", v)
    )
    # Strings that are the same in both languages are method words or symbols, never English sentences.
    assert not [k for k in untranslated if " the " in f" {sv[k]} " or " and " in f" {sv[k]} "], untranslated


# --- (f) counted strings have plural forms, and the right one is picked ------------------------------

# A placeholder followed by one of these is not counting a noun ("%(n)s of %(max)s", "%(n)s kr").
# ("%(n)s more." stands alone; "%(n)s more links" counts links.) Units and verbs that do not
# change with the number (in both languages) are here too.
NOT_A_NOUN = {
    "of", "to", "and", "or", "with", "more", "up", "down", "is", "in", "gives", "chose", "yes", "no", "undiscounted",
    "kr", "tkr", "mnkr", "p", "MB", "av", "till", "och", "från", "from",
}  # fmt: skip
PLACEHOLDER_WORD = re.compile(r"%\((\w+)\)[sd]\s+(?:more\s+|new\s+|different\s+)?([^\W\d][\w-]*)")


def counted_placeholders(text: str) -> list[str]:
    """Placeholders a word follows: "%(n)s effects", "%(n)s answered" — the word must agree."""
    return [name for name, word in PLACEHOLDER_WORD.findall(text) if word not in NOT_A_NOUN]


def test_every_counted_string_has_plural_forms(extracted):
    """Discovered, not listed: a new "%(n)s things" written with gettext/_l fails here."""
    en = load_po("en")
    singular_counted = []
    for m in messages(extracted):
        if isinstance(m.id, (list, tuple)):
            continue
        english = (en.get(m.id).string if en.get(m.id) is not None else "") or m.id
        if counted_placeholders(m.id) or counted_placeholders(english):
            where = ", ".join(f"{f}:{n}" for f, n in m.locations[:1])
            singular_counted.append(f"{m.id!r} ({where})")
    assert not singular_counted, (
        f"{len(singular_counted)} counted strings without plural forms (use ngettext / _pl / lazy_ngettext):\n"
        + "\n".join(singular_counted)
    )


# Words after a count that English does not change (Swedish does: "1 besvarad", "2 besvarade").
SAME_IN_ENGLISH = {"answered", "awaiting", "decided", "described", "new", "proposed", "voted"}


def fill(text: str, n: int) -> str:
    """Every placeholder as ``n``, the way both the server and ``t()`` in the browser fill them."""
    return PLACEHOLDER.sub(str(n), text).replace("%%", "%")


def plural_messages():
    return [m for m in messages(load_po("sv")) if isinstance(m.id, (list, tuple))]


def test_there_are_plural_messages_to_check():
    assert len(plural_messages()) > 40


@pytest.mark.parametrize("locale", LOCALES)
def test_each_plural_string_renders_the_right_form_for_0_1_2(locale):
    """Every plural message through the compiled catalogue, as the app renders it: the form
    for one at 1, the other at 0 and 2, with the number in it; in English the forms differ."""
    from babel.support import Translations

    translations = Translations.load(str(TRANSLATIONS), [locale])
    catalog = load_po(locale)
    wrong = []
    for m in plural_messages():
        singular, plural = m.id
        forms = strings(catalog.get(singular)) if locale == "sv" else strings(catalog.get(singular))
        if locale == "en" and not all(forms):
            forms = (singular, plural)
        for n in (0, 1, 2):
            names = {a for a in PLACEHOLDER.findall(singular + plural)}
            rendered = fill(translations.ngettext(singular, plural, n), n)
            expected = fill(forms[0] if n == 1 else forms[1], n)
            if rendered != expected or (names and str(n) not in rendered):
                wrong.append(f"{singular!r} n={n}: {rendered!r}, want {expected!r}")
        if locale == "en" and forms[0] == forms[1] and not set(re.findall(r"\w+", singular)) & SAME_IN_ENGLISH:
            wrong.append(f"{singular!r}: the English forms are the same")
        for form in forms:
            if (
                counted_placeholders(form)
                and "n" in PLACEHOLDER.findall(singular)
                and "n" not in counted_placeholders(form)
            ):
                wrong.append(f"{form!r}: the counted placeholder must be %(n)s (the browser picks the form by n)")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "locale, n, expected",
    [
        ("sv", 1, "Du har redan ställt 1 fråga, vilket är det högsta antalet här."),
        ("sv", 2, "Du har redan ställt 2 frågor, vilket är det högsta antalet här."),
        ("en", 1, "You have already asked 1 question, the most allowed here."),
        ("en", 2, "You have already asked 2 questions, the most allowed here."),
    ],
)
def test_server_messages_take_the_plural_form(web, locale, n, expected):
    """A refusal as the phone gets it: the Q&A limit, from the kind itself."""
    from workshop.activities import get_kind

    kind = get_kind("qna")
    with web.test_request_context(f"/?lang={locale}"):
        entry = kind.prepare(kind.config({"max_questions": n}), {"action": "ask", "text": "Varför?"}, None)
        assert entry.limit is not None
        assert entry.limit.message == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_counted_browser_strings_come_with_both_forms(web, locale):
    """``t(key, {n})`` picks ``key#one`` for 1: every counted browser string must send it, and
    the one-form must differ from the other in English."""
    from workshop.browser_strings import js_strings

    with web.test_request_context("/?lang=en"):
        english = js_strings()
    with web.test_request_context(f"/?lang={locale}"):
        out = js_strings()
    counted = [k for k, v in english.items() if "#" not in k and counted_placeholders(v)]
    missing = [k for k in counted if f"{k}#one" not in out]
    assert not missing, missing
    if locale == "en":
        assert out["qna.n_answered#one"] == "%(n)s answered"
        assert (out["n_responses#one"], out["n_responses"]) == ("%(n)s response", "%(n)s responses")
    else:
        assert (out["qna.n_answered#one"], out["qna.n_answered"]) == ("%(n)s besvarad", "%(n)s besvarade")
        assert (out["vote_word#one"], out["vote_word"]) == ("röst", "röster")
