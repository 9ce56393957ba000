"""The accessibility statement: reachable from the footer of every page, in Swedish and
English, naming who runs the installation and where to report a problem."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py


def test_every_page_links_the_statement(app, facilitator, make_workshop):
    ws_id, code, _ = make_workshop()
    anon, owner = app.test_client(), app.test_client()
    h.login(owner)
    pages = [(anon, "/"), (anon, "/login"), (anon, f"/w/{code}"), (anon, "/tillganglighet"), (anon, "/nope")]
    pages += [(owner, "/f/"), (owner, f"/f/w/{ws_id}"), (owner, "/f/account"), (owner, f"/f/w/{ws_id}/analysis")]
    pages += [(owner, f"/f/w/{ws_id}/report"), (owner, f"/f/w/{ws_id}/followup"), (owner, f"/f/w/{ws_id}/console")]
    for client, path in pages:
        html = client.get(path).get_data(as_text=True)
        assert 'href="/tillganglighet"' in html, path


def test_the_statement_names_the_operator_and_the_contact(app):
    settings = app.extensions["settings"]
    c = app.test_client()
    html = c.get("/tillganglighet").get_data(as_text=True)
    assert "Tillgänglighetsredogörelse för Nyttoverkstad" in html
    assert "kontakta den som bjöd in dig" in html and "digg.se" in html
    settings.operator_name, settings.accessibility_contact = "Region Solstad", "tillganglighet@solstad.se"
    html = c.get("/tillganglighet").get_data(as_text=True)
    assert "Region Solstad står bakom" in html and 'href="mailto:tillganglighet@solstad.se"' in html
    settings.accessibility_contact = "https://solstad.se/tillganglighet"
    html = c.get("/tillganglighet?lang=en").get_data(as_text=True)
    assert "Accessibility statement for Nyttoverkstad" in html and 'href="https://solstad.se/tillganglighet"' in html
    settings.accessibility_contact = "<script>alert(1)</script>"
    html = c.get("/tillganglighet").get_data(as_text=True)
    assert "<script>alert" not in html


def test_a_participant_sees_what_is_stored_before_answering(app, make_workshop):
    _ws, code, _ = make_workshop()
    html = app.test_client().get(f"/j/{code}").get_data(as_text=True)
    assert "Vad sparas om mig?" in html and "slumpad kod" in html
    # When the workshop asks for a nickname, the note is in the form too, before "Fortsätt".
    form = html[html.index('id="profile-form"') : html.index("</form>")]
    assert "privacy-note" in form and "Namn, e-post eller telefonnummer behövs inte." in form
