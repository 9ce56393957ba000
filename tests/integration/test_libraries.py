"""The organisation's factor library, the analysis library between organisations and the
portfolio, through the facilitator's pages."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook

PASSWORD = "hemligt-lösen-1"


def _login(client, email):
    r = client.post("/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return client


def _people(app):
    """Anna (admin) and Cilla (member) of Solstads kommun; Bertil, admin of Norrby kommun."""
    from workshop.accounts import create_user, default_organisation
    from workshop.extensions import db
    from workshop.models import Organisation

    with app.test_request_context():
        anna = create_user("anna@solstad.se", PASSWORD, "Anna")
        anna.organisation.name = "Solstads kommun"
        create_user("cilla@solstad.se", PASSWORD, "Cilla", organisation=default_organisation())
        norrby = Organisation(name="Norrby kommun")
        db.session.add(norrby)
        create_user("bertil@norrby.se", PASSWORD, "Bertil", organisation=norrby, role="admin")
        db.session.commit()


def _example_workshop(app, email="anna@solstad.se") -> int:
    from sqlalchemy import select

    from workshop import portable
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return portable.import_document(user, portable.load_template("example_digital_locks", "sv")).id


def _factor(app, ws_id, name):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.test_request_context():
        a = analysis_for(db.session.get(Workshop, ws_id))
        db.session.commit()
        f = next(f for f in a.factors if f.name == name)
        return f.likely, f.source


def test_new_analyses_start_from_the_organisations_factors_and_made_ones_keep_theirs(app):
    _people(app)
    anna = _login(app.test_client(), "anna@solstad.se")
    page = anna.get("/f/org/factors").get_data(as_text=True)
    assert "Inga egna faktorer" in page
    bad = anna.post(
        "/f/org/factors",
        data={"name": "sjukskoterska", "label": "Sjuksköterska", "value": "-3", "source": "Lönestatistik"},
    )
    assert bad.status_code == 400 and "över noll" in bad.get_data(as_text=True)
    form = {
        "name": "sjukskoterska",
        "label": "Sjuksköterska, Solstad",
        "value": "512,5",
        "unit": "kr/timme",
        "source": "Solstads lönestatistik 2026",
        "year": "2026",
    }
    assert anna.post("/f/org/factors", data=form).status_code == 302
    assert "512,5" in anna.get("/f/org/factors").get_data(as_text=True)

    first = _example_workshop(app)
    from workshop import workshops as core
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        empty = core.create_workshop(db.session.get(User, 1), "Ny analys").id
    assert _factor(app, empty, "sjukskoterska") == (512.5, "Solstads kommun: Solstads lönestatistik 2026")
    assert _factor(app, empty, "vardbitrade")[0] == 311  # shipped ones stay below
    # The library changes: the analysis already made keeps its value, a new one takes the new.
    assert anna.post("/f/org/factors", data={**form, "value": "530"}).status_code == 302
    assert _factor(app, empty, "sjukskoterska")[0] == 512.5
    with app.test_request_context():
        newer = core.create_workshop(db.session.get(User, 1), "Nyare analys").id
    assert _factor(app, newer, "sjukskoterska")[0] == 530
    assert first  # the imported example carries its own factors

    cilla = _login(app.test_client(), "cilla@solstad.se")
    assert "530" in cilla.get("/f/org/factors").get_data(as_text=True)
    assert cilla.post("/f/org/factors", data=form).status_code == 403
    bertil = _login(app.test_client(), "bertil@norrby.se")
    assert "530" not in bertil.get("/f/org/factors").get_data(as_text=True)


def test_publish_without_participant_text_and_start_from_it_in_another_organisation(app):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    _people(app)
    ws_id = _example_workshop(app)
    with app.test_request_context():
        a = analysis_for(db.session.get(Workshop, ws_id))
        phone_node = a.nodes[0]
        phone_node.source_response_id = 4711  # as if a phone's effect became this item
        phone_node.description = "Min chef sa att vi slösar tid på nyckelhämtning"
        title = phone_node.title
        counts = (len(a.nodes), sum(1 for n in a.nodes if n.block), len(a.factors), len(a.links))
        db.session.commit()

    anna = _login(app.test_client(), "anna@solstad.se")
    form_page = anna.get(f"/f/w/{ws_id}/publish").get_data(as_text=True)
    assert title in form_page and "kom från deltagarnas mobiler" in form_page
    r = anna.post(f"/f/w/{ws_id}/publish", data={"summary": "Nyckellås i hemtjänsten, två års erfarenhet."})
    assert r.status_code == 302

    bertil = _login(app.test_client(), "bertil@norrby.se")
    listing = bertil.get("/f/library").get_data(as_text=True)
    assert "Publicerad av Solstads kommun," in listing and "Nyckellås i hemtjänsten" in listing
    item_id = int(re.search(r'id="item-(\d+)"', listing).group(1))
    doc = json.loads(bertil.get(f"/f/library/{item_id}.json").get_data(as_text=True))
    text = json.dumps(doc, ensure_ascii=False)
    assert "slösar tid" not in text and title in text
    assert doc["analysis"]["versions"] == []
    assert bertil.post(f"/f/library/{item_id}/withdraw").status_code == 403

    started = bertil.post(f"/f/library/{item_id}/start")
    assert started.status_code == 302
    new_id = int(re.search(r"/f/w/(\d+)", started.headers["Location"]).group(1))
    with app.test_request_context():
        ws = db.session.get(Workshop, new_id)
        assert ws.owner.email == "bertil@norrby.se"
        b = analysis_for(ws)
        assert (len(b.nodes), sum(1 for n in b.nodes if n.block), len(b.factors), len(b.links)) == counts
        assert all(n.source_response_id is None for n in b.nodes)

    # Kept on purpose: the description goes along.
    anna.post(f"/f/w/{ws_id}/publish", data={"keep_participant_text": "1"})
    latest = max(int(x) for x in re.findall(r'id="item-(\d+)"', bertil.get("/f/library").get_data(as_text=True)))
    assert "slösar tid" in bertil.get(f"/f/library/{latest}.json").get_data(as_text=True)

    # The publisher withdraws: gone from the list, nothing to start from.
    assert anna.post(f"/f/library/{item_id}/withdraw").status_code == 302
    assert f'id="item-{item_id}"' not in bertil.get("/f/library").get_data(as_text=True)
    assert bertil.post(f"/f/library/{item_id}/start").status_code == 404
    # A viewer's or a stranger's publish is refused.
    assert bertil.get(f"/f/w/{ws_id}/publish").status_code == 404


def test_an_empty_analysis_is_not_published(app):
    from workshop import workshops as core
    from workshop.extensions import db
    from workshop.models import User

    _people(app)
    with app.test_request_context():
        ws_id = core.create_workshop(db.session.get(User, 1), "Tom").id
    anna = _login(app.test_client(), "anna@solstad.se")
    r = anna.post(f"/f/w/{ws_id}/publish", data={})
    assert r.status_code == 400 and "Bara en analys med nyttor eller kostnader" in r.get_data(as_text=True)


def test_portfolio_lists_the_organisations_analyses_with_figures_and_exports_them(app):
    _people(app)
    ws_id = _example_workshop(app)
    _example_workshop(app, "bertil@norrby.se")  # another organisation's: never listed
    anna = _login(app.test_client(), "anna@solstad.se")
    page = anna.get("/f/org/portfolio").get_data(as_text=True)
    assert f"/f/w/{ws_id}/analysis" in page or f"/f/w/{ws_id}" in page
    assert "1 analys" in page and "Utkast" in page
    assert "0 analyser" in anna.get("/f/org/portfolio?state=beslutad").get_data(as_text=True)
    assert "0 analyser" in anna.get("/f/org/portfolio?q=finns-inte").get_data(as_text=True)

    r = anna.get("/f/org/portfolio.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in sheet[3]]
    row = [c.value for c in sheet[4]]
    assert sheet.max_row == 4
    net = row[header.index("Nettonytta, diskonterad (kr)")]
    assert isinstance(net, (int, float)) and net != 0
    assert _login(app.test_client(), "cilla@solstad.se").get("/f/org/portfolio").status_code == 403
