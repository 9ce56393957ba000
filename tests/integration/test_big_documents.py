"""Big and broken analyses against the server: a broken chain still opens in the console, and
importing the heaviest documents the caps allow never holds the one server process."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import requests


def _load(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


h = _load("nyttoverkstad_integration_helpers", Path(__file__).with_name("helpers.py"))
D = _load("nyttoverkstad_test_documents", Path(__file__).parents[1] / "documents.py")


def test_a_broken_chain_opens_in_the_console(app, make_workshop):
    """A cycle, a self-link, a line too long for recursion, and links to a hidden item, to a
    merged one and to an item that no longer exists: the console still gets its snapshot."""
    from sqlalchemy import text

    from workshop.draft import service
    from workshop.draft.models import Link
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=(("effect_chain", "Steg 3", None),))
    with app.test_request_context():
        a = service.analysis_for(db.session.get(Workshop, ws_id))
        line = [service.add_node(a, {"node_type": "nytta", "title": f"Nytta {i}"}) for i in range(1100)]
        for x, y in zip(line, line[1:]):
            a.links.append(Link(from_id=x.id, to_id=y.id))
        a.links.append(Link(from_id=line[-1].id, to_id=line[0].id))  # a cycle through all of them
        a.links.append(Link(from_id=line[5].id, to_id=line[5].id))  # a self-link
        hidden = service.add_node(a, {"node_type": "effekt", "title": "Dold", "status": "hidden"})
        merged = service.add_node(a, {"node_type": "effekt", "title": "Dubblett"})
        gone = service.add_node(a, {"node_type": "effekt", "title": "Borttagen"})
        a.links += [Link(from_id=hidden.id, to_id=line[1].id), Link(from_id=merged.id, to_id=line[2].id)]
        merged.merged_into_id = line[0].id
        merged.status = "hidden"
        db.session.commit()
        gone_id, first_id = gone.id, line[0].id
        # An arrow to an item deleted behind the foreign key's back (an old database, a hand edit).
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.execute(text("DELETE FROM analysis_nodes WHERE id = :id"), {"id": gone_id})
            conn.execute(
                text(
                    "INSERT INTO analysis_links (analysis_id, from_id, to_id, created_at) "
                    "VALUES (:a, :f, :t, CURRENT_TIMESTAMP)"
                ),
                {"a": a.id, "f": gone_id, "t": first_id},
            )
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")

    tc = h.console(app, ws_id)
    snapshot = h.events(tc, h.CONSOLE, "snapshot")[-1]
    draft = snapshot["draft"]
    assert len(draft["nodes"]) == 1102  # the deleted one is gone, the hidden ones listed
    assert sum(c["code"] == "no_effect" for c in draft["checks"]) == 1100
    chain = next(iter(snapshot["results"].values()))["aggregate"]
    assert len(chain["layout"]["nodes"]) == 1100
    assert len(chain["checks"]) == len(draft["checks"])


POLLER = """
import sys, time, urllib.request
url, stop = sys.argv[1], sys.argv[2]
import os
while not os.path.exists(stop):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
    print(time.perf_counter() - started, flush=True)
    time.sleep(0.01)
"""


def test_importing_the_heaviest_documents_never_holds_the_server(live_server, tmp_path):
    """Each import takes a while; meanwhile /healthz, asked by another process every 10 ms,
    is answered within 100 ms (95 % of the answers; every one within 500 ms)."""
    import subprocess

    from workshop import portable

    wanted = ("every cap at once", f"{portable.LIMITS['nodes']} items, {portable.LIMITS['links']} links")
    bodies = [
        (label, json.dumps(doc).encode())
        for label, doc in D.worst_documents(portable.LIMITS)
        if label in wanted or "long texts" in label
    ]
    assert len(bodies) == 3
    s = live_server.facilitator_session()
    token = h.csrf_from(s.get(live_server.url + "/f/").text)

    def upload(body: bytes) -> requests.Response:
        return s.post(
            live_server.url + "/f/import",
            data={"csrf_token": token},
            files={"file": ("analys.json", body, "application/json")},
            allow_redirects=False,
            timeout=300,
        )

    # Warm up what a first use of each activity kind builds once per process (not per document).
    for key in ("nine_steps", "example_digital_locks"):
        assert upload(json.dumps(portable.load_template(key)).encode()).status_code == 302

    stop = tmp_path / "stop-polling"
    poller = subprocess.Popen(
        [sys.executable, "-c", POLLER, live_server.url + "/healthz", str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(0.5)
        took = []
        for label, body in bodies:
            started = time.perf_counter()
            r = upload(body)
            took.append(time.perf_counter() - started)
            assert r.status_code == 302 and "/f/w/" in r.headers["Location"], (
                label,
                r.status_code,
                r.headers.get("Location"),
            )
    finally:
        stop.touch()
        out, _err = poller.communicate(timeout=30)
    latencies = [float(x) for x in out.split()]
    assert poller.returncode == 0
    assert sum(took) > 1.0, took  # the imports did take a while, and were polled through
    assert len(latencies) > 20
    # Answers within 100 ms but for the odd single SQLite write (a WAL checkpoint) or JSON
    # parse that lasts longer on a busy machine; none near the seconds an import used to hold.
    slow = [x for x in latencies if x >= 0.1]
    assert len(slow) <= len(latencies) // 20, (len(latencies), sorted(latencies)[-10:])
    assert max(latencies) < 0.5, (len(latencies), sorted(latencies)[-10:])


def test_an_upload_over_the_byte_cap_is_told_the_cap(app, facilitator):
    import io

    from workshop import portable

    client = app.test_client()
    h.login(client)
    body = b" " * (portable.LIMITS["bytes"] + 1)
    r = client.post("/f/import", data={"file": (io.BytesIO(body), "analys.json")}, follow_redirects=True)
    assert r.status_code == 200
    assert "Filen är för stor: högst 4 MB." in r.get_data(as_text=True)
