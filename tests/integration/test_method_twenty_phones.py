"""The method's steps 2, 4 and 7 with twenty real phones against a real ``workshop serve``.

A facilitator starts the nine-step template through the /f/new form, drives it over the
/console socket (goto, set, draft ops) and twenty python-socketio phones answer:

- step 2 (Hitta effekterna): every phone adds one to three effects, positive and negative,
  with and without a perspective and a cause;
- step 4 (Sortera): the facilitator adds benefits and costs to the draft; every phone votes
  category, money and perspective on each of them (some change their minds);
- step 7 (Samla data): the facilitator builds a calculation block, puts "Ska vi ta 400?" to the
  room; phones accept it or counter with their own figure and a source.

After each step the draft analysis (console ``draft_snapshot`` and the JSON export) and the
presenter's aggregates (/screen, live and in a fresh snapshot) must hold exactly what was sent:
the tallies, medians and quartiles are recomputed here independently of the product's code.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest
import requests
import socketio

PHONES = 20
WAIT = 10.0
# The nine-step template's perspectives (participants choose one when they join) and the
# analysis's perspective labels (what effects and sorting votes refer to).
JOIN_PERSPECTIVES = ["Den egna organisationen", "Invånare, patienter, brukare", "Närstående", "Andra organisationer"]
LABELS = ["Den egna organisationen", "Invånare, patienter, brukare", "Närstående", "Andra organisationer", "Samhället"]
CATS = ["finansiell", "omfordelning", "kvalitet", "miljo"]
MONEY_CATS = {"finansiell", "omfordelning"}
HOURLY_USK = 359.0  # undersköterska hemtjänst, kr/h (method.md; the shipped factor library)


# --- clients ---------------------------------------------------------------------------------


class Phone:
    """A participant's phone: joins over HTTP, then talks over /phone."""

    def __init__(self, url: str, code: str, nickname: str, perspective: str, websocket_only: bool):
        r = requests.post(
            url + "/api/join", json={"code": code, "nickname": nickname, "perspective": perspective}, timeout=10
        )
        r.raise_for_status()
        body = r.json()
        self.url, self.nickname, self.perspective = url, nickname, perspective
        self.token = body["token"]
        self.participant_id = body["participant"]["id"]
        self.transports = ["websocket"] if websocket_only else None
        self.snapshot: dict | None = None
        self.sio: socketio.Client | None = None
        self.n = 0

    def connect(self) -> Phone:
        sio = socketio.Client(reconnection=False)
        ready = threading.Event()

        @sio.on("snapshot", namespace="/phone")
        def _snapshot(data):
            self.snapshot = data
            ready.set()

        sio.connect(
            self.url, namespaces=["/phone"], auth={"token": self.token}, transports=self.transports, wait_timeout=10
        )
        assert ready.wait(WAIT), "no snapshot after connecting"
        self.sio = sio
        return self

    def submit(self, activity_id: int, payload: dict, client_id: str | None = None) -> dict:
        if client_id is None:
            self.n += 1
            client_id = f"p{self.participant_id}-{self.n}"
        ack = self.sio.call(
            "submit",
            {"activity_id": activity_id, "client_id": client_id, "payload": payload},
            namespace="/phone",
            timeout=15,
        )
        ack["client_id"] = client_id
        return ack

    def close(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
            self.sio = None


class Screen:
    """The presenter on /screen: keeps the latest results per activity."""

    def __init__(self, url: str, ws_id: int, key: str):
        self.snapshot: dict | None = None
        self.results: dict[int, dict] = {}
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        ready = threading.Event()

        @self.sio.on("snapshot", namespace="/screen")
        def _snapshot(data):
            self.snapshot = data
            ready.set()

        @self.sio.on("results", namespace="/screen")
        def _results(data):
            with self.lock:
                self.results[data["activity_id"]] = data

        self.sio.connect(url, namespaces=["/screen"], auth={"workshop_id": ws_id, "key": key}, wait_timeout=10)
        assert ready.wait(WAIT), "the presenter got no snapshot"

    def aggregate(self, activity_id: int) -> Any:
        with self.lock:
            res = self.results.get(activity_id)
        return res["aggregate"] if res and res.get("visible") else None

    def wait_for(self, activity_id: int, check, timeout: float = WAIT) -> Any:
        """The latest aggregate once ``check(aggregate)`` holds (or the last one seen)."""

        def ok():
            agg = self.aggregate(activity_id)
            try:
                return agg is not None and bool(check(agg))
            except (KeyError, IndexError, TypeError, StopIteration):
                return False

        h.wait_for(ok, timeout)
        return self.aggregate(activity_id)

    def close(self) -> None:
        self.sio.disconnect()


def fresh_screen_aggregate(url: str, ws_id: int, key: str, activity_id: int) -> Any:
    """What a presenter that connects now is given for the current activity."""
    s = Screen(url, ws_id, key)
    try:
        res = s.snapshot["results"][str(activity_id)]
        assert res["visible"] is True, res
        return res["aggregate"]
    finally:
        s.close()


class Console:
    """The facilitator's console socket, authorised by the login cookie of ``session``."""

    def __init__(self, url: str, session: requests.Session, ws_id: int):
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.sio = socketio.Client(reconnection=False)
        self.snapshot: dict | None = None
        ready = threading.Event()

        @self.sio.on("snapshot", namespace="/console")
        def _snapshot(data):
            self.snapshot = data
            ready.set()

        self.sio.connect(
            url, namespaces=["/console"], auth={"workshop_id": ws_id}, headers={"Cookie": cookie}, wait_timeout=10
        )
        assert ready.wait(WAIT), "the console got no snapshot"

    def call(self, event: str, payload: Any) -> dict:
        return self.sio.call(event, payload, namespace="/console", timeout=15)

    def ok(self, event: str, payload: Any) -> dict:
        ack = self.call(event, payload)
        assert isinstance(ack, dict) and ack.get("ok") is True, (event, payload, ack)
        return ack

    def draft(self, op: str, **args: Any) -> dict:
        return self.ok("draft", {"op": op, "args": args})

    def goto(self, activity_id: int) -> None:
        self.ok("goto", {"activity_id": activity_id})

    def reveal(self, activity_id: int) -> None:
        self.ok("set", {"activity_id": activity_id, "flag": "results_visible", "value": True})

    def draft_now(self) -> dict:
        return self.ok("draft_snapshot", {})["draft"]

    def results_now(self, activity_id: int) -> dict:
        return self.ok("snapshot", {})["snapshot"]["results"][str(activity_id)]

    def close(self) -> None:
        self.sio.disconnect()


# --- independent arithmetic ------------------------------------------------------------------


def spread_of(values: list[float]) -> dict[str, float]:
    """n, extremes and quartiles the way Excel's QUARTILE.INC computes them (Python's
    ``statistics.quantiles(method="inclusive")``), not through the product's code."""
    xs = sorted(float(v) for v in values)
    if len(xs) == 1:
        q1 = med = q3 = xs[0]
    else:
        q1, med, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return {
        "n": len(xs),
        "min": xs[0],
        "q1": q1,
        "median": med,
        "q3": q3,
        "max": xs[-1],
        "mean": statistics.fmean(xs),
        "values": xs,
    }


def tally(votes: list[dict]) -> dict[str, Any]:
    """One item's distribution, majority and gråzon flag from the votes that count."""
    n = len(votes)
    cats = {c: sum(1 for v in votes if v["category"] == c) for c in CATS}
    top = max(cats.values())
    leaders = [c for c, k in cats.items() if k == top]
    share = round(top / n, 4)
    tie = len(leaders) > 1
    return {
        "n": n,
        "categories": cats,
        "money": {"yes": sum(1 for v in votes if v["money"]), "no": sum(1 for v in votes if not v["money"])},
        "perspectives": [{"label": label, "n": sum(1 for v in votes if v["perspective"] == label)} for label in LABELS],
        "no_perspective": sum(1 for v in votes if not v["perspective"]),
        "majority_category": leaders[0] if not tie else None,
        "top_share": share,
        "tie": tie,
        "grey_zone": tie or share < 0.5,
        "agreement": "high" if share >= 0.75 else "medium" if share >= 0.5 else "low",
    }


# --- setup -----------------------------------------------------------------------------------


def start_from_template(server, template: str, title: str) -> dict[str, Any]:
    """The facilitator picks a template on /f/new, as in the browser; ids read from the pages."""
    session = server.facilitator_session()
    page = session.get(server.url + "/f/new").text
    assert f'value="{template}"' in page, "the template is not offered on /f/new"
    r = session.post(
        server.url + "/f/new",
        data={
            "csrf_token": h.csrf_from(page),
            "template": template,
            "title": title,
            "language": "sv",
            "mode": "live",
            "ask_nickname": "1",
        },
    )
    m = re.search(r"/f/w/(\d+)$", r.url)
    assert m, r.url
    ws_id = int(m.group(1))
    html = session.get(f"{server.url}/f/w/{ws_id}").text
    return {
        "session": session,
        "ws_id": ws_id,
        "code": re.search(r"/j/(\d{8})", html).group(1),
        "key": re.search(rf"/present/{ws_id}/([A-Za-z0-9_\-]+)", html).group(1),
    }


def _close_all(clients) -> None:
    def close(c):
        try:
            c.close()
        except Exception:
            pass

    with ThreadPoolExecutor(max_workers=max(1, len(clients))) as pool:
        list(pool.map(close, clients))


# --- the test --------------------------------------------------------------------------------

EFFECT_TEXTS = [
    "Personalen slipper hämta nycklar",
    "Färre borttappade nycklar",
    "Besöken loggas automatiskt",
    "Beroende av fungerande mobilnät",
    "Brukaren känner sig tryggare",
    "Mer tid för omsorg",
    "Krångligt för vikarier",
    "Anhöriga ser att besöket blivit av",
]


def effect_payload(i: int, j: int) -> dict[str, Any]:
    persp = (LABELS + [""])[(2 * i + j) % 6]
    body: dict[str, Any] = {
        "text": f"{EFFECT_TEXTS[(i + j) % len(EFFECT_TEXTS)]} – deltagare {i}, nr {j} ”åäö”",
        "polarity": "negative" if (i + j) % 3 == 0 else "positive",
    }
    if (i + j) % 4:
        body["cause"] = f"Digitala lås, orsak {i}.{j}"
    if persp:
        body["perspective"] = persp
    return body


def sort_vote(i: int, k: int) -> dict[str, Any]:
    """Phone i's vote on sortable item k: one clear majority, one medium, two ties (gråzon)."""
    if k == 0:
        cat = "finansiell" if i < 4 else "omfordelning"
    elif k == 1:
        cat = "kvalitet" if i % 2 == 0 else ("miljo" if i % 4 == 1 else "finansiell")
    elif k == 2:
        cat = CATS[i % 4]
    else:
        cat = "finansiell" if i < 9 else ("omfordelning" if i < 18 else "kvalitet")
    persp = (LABELS + [None])[(i + k) % 6]
    return {"category": cat, "money": cat in MONEY_CATS and i % 2 == 0, "perspective": persp}


def test_twenty_phones_run_steps_2_4_and_7(live_server):
    url = live_server.url
    ws = start_from_template(live_server, "nine_steps", "Digitala lås – workshop med 20 telefoner")
    ws_id, code, key = ws["ws_id"], ws["code"], ws["key"]
    console = Console(url, ws["session"], ws_id)
    kinds = {a["kind"]: a["id"] for a in console.snapshot["workshop"]["activities"]}
    assert {"effects", "sorting", "estimates"} <= set(kinds), kinds
    A_EFF, A_SORT, A_EST = kinds["effects"], kinds["sorting"], kinds["estimates"]
    assert [p["label"] for p in console.draft_now()["frame"]["perspectives"]] == LABELS

    screen = Screen(url, ws_id, key)
    pool = ThreadPoolExecutor(max_workers=PHONES)
    phones: list[Phone] = []
    try:
        phones = list(
            pool.map(
                lambda i: Phone(
                    url, code, f"Deltagare {i}", JOIN_PERSPECTIVES[i % 4], websocket_only=i % 2 == 0
                ).connect(),
                range(PHONES),
            )
        )
        assert len({p.participant_id for p in phones}) == PHONES

        # ================= step 2: Hitta effekterna ==============================================
        console.goto(A_EFF)
        h.wait_for(lambda: screen.snapshot is not None)

        def add_effects(i: int) -> list[tuple[dict, dict]]:
            return [(effect_payload(i, j), phones[i].submit(A_EFF, effect_payload(i, j))) for j in range(1 + i % 3)]

        sent = [pair for batch in pool.map(add_effects, range(PHONES)) for pair in batch]
        assert all(ack["ok"] is True and ack["duplicate"] is False for _, ack in sent), [
            a for _, a in sent if not a.get("ok")
        ]
        expected = {
            ack["response_id"]: (body["text"], body.get("cause", ""), body.get("perspective", ""), body["polarity"])
            for body, ack in sent
        }
        author = {
            ack["response_id"]: phones[i].nickname
            for i in range(PHONES)
            for body, ack in sent
            if ack["client_id"].startswith(f"p{phones[i].participant_id}-")
        }
        n_effects = sum(1 + i % 3 for i in range(PHONES))
        assert len(expected) == n_effects == 39

        # A resend of an acknowledged effect is not a second effect; a made-up perspective is refused.
        again = phones[3].submit(A_EFF, effect_payload(3, 0), client_id=f"p{phones[3].participant_id}-1")
        assert again["ok"] is True and again["duplicate"] is True
        bad = phones[4].submit(A_EFF, {"text": "Något annat", "polarity": "positive", "perspective": "Hela världen"})
        h.assert_error(bad, "invalid")
        nopol = phones[4].submit(A_EFF, {"text": "Utan riktning"})
        h.assert_error(nopol, "invalid")

        def wall(agg) -> dict[int, tuple]:
            return {e["response_id"]: (e["title"], e["cause"], e["perspective"], e["polarity"]) for e in agg["effects"]}

        live = screen.wait_for(A_EFF, lambda a: a["total"] == n_effects and wall(a) == expected)
        assert live is not None and wall(live) == expected, "the presenter's effect wall differs from what was sent"
        assert live["total"] == n_effects and live["perspectives"] == LABELS and live["dots"] == 0
        fresh = fresh_screen_aggregate(url, ws_id, key, A_EFF)
        assert wall(fresh) == expected and fresh["total"] == n_effects

        draft = console.draft_now()
        effekter = [n for n in draft["nodes"] if n["node_type"] == "effekt"]
        assert Counter((n["title"], n["cause"], n["perspective"], n["polarity"]) for n in effekter) == Counter(
            expected.values()
        )
        assert all(
            n["status"] == "visible" and n["merged_into"] is None and n["category"] is None and n["valuation"] == "none"
            for n in effekter
        )
        # The wall's cards are the draft's nodes (same ids), not a copy.
        assert {n["id"] for n in effekter} == {e["id"] for e in fresh["effects"]}
        # The console names who sent what (the screen does not).
        items = console.results_now(A_EFF)["items"]
        assert {it["id"]: it["nickname"] for it in items} == author
        assert all("nickname" not in e for e in fresh["effects"])
        export = ws["session"].get(f"{url}/f/w/{ws_id}/export.json", timeout=10).json()
        exported = [n for n in export["analysis"]["nodes"] if n["node_type"] == "effekt"]
        assert Counter((n["title"], n["cause"], n["perspective"], n["polarity"]) for n in exported) == Counter(
            expected.values()
        )

        # The facilitator merges a duplicate: it leaves the wall everywhere, the rest stays exact.
        dup = next(e for e in fresh["effects"] if e["response_id"] == sent[1][1]["response_id"])
        keep = next(e for e in fresh["effects"] if e["response_id"] == sent[0][1]["response_id"])
        console.draft("node.merge", id=dup["id"], target=keep["id"])
        del expected[dup["response_id"]]
        live = screen.wait_for(A_EFF, lambda a: a["total"] == n_effects - 1)
        assert wall(live) == expected and live["total"] == n_effects - 1

        # ================= step 4: Sortera =======================================================
        added = [
            ("nytta", "Frigjord arbetstid för undersköterskor"),
            ("nytta", "Tryggare brukare"),
            ("konsekvenskostnad", "Mer tid för IT-support"),
            ("genomforandekostnad", "Inköp och installation av lås"),
            ("risk", "Batterierna i låsen tar slut"),
        ]
        ids = [console.draft("node.add", data={"node_type": t, "title": title})["id"] for t, title in added]
        sortable, risk_id = ids[:4], ids[4]
        console.goto(A_SORT)
        # Sorting starts with its results hidden from the room (no one anchors on the others).
        hidden = Screen(url, ws_id, key)
        try:
            assert hidden.snapshot["results"][str(A_SORT)]["visible"] is False
            assert hidden.snapshot["results"][str(A_SORT)]["aggregate"] is None
        finally:
            hidden.close()
        console.reveal(A_SORT)

        def sort_all(i: int) -> list[dict]:
            acks = []
            for k, node in enumerate(sortable):
                acks.append(phones[i].submit(A_SORT, {"node": node, **sort_vote(i, k)}))
            return acks

        acks = [a for batch in pool.map(sort_all, range(PHONES)) for a in batch]
        assert all(a["ok"] is True and a["duplicate"] is False for a in acks), [a for a in acks if not a.get("ok")]
        # Five phones change their minds on the first item: only their latest vote counts.
        changed = {i: {"category": "miljo", "money": False, "perspective": "Samhället"} for i in range(5)}
        for i, vote in changed.items():
            assert phones[i].submit(A_SORT, {"node": sortable[0], **vote})["ok"] is True
        # The method's rules hold on the phones' input too.
        h.assert_error(
            phones[0].submit(A_SORT, {"node": sortable[1], "category": "kvalitet", "money": True}), "invalid"
        )
        h.assert_error(
            phones[0].submit(A_SORT, {"node": risk_id, "category": "finansiell", "money": False}), "unknown_item"
        )
        h.assert_error(
            phones[0].submit(A_SORT, {"node": sortable[1], "category": "kvalitet", "perspective": "Påhittad"}),
            "invalid",
        )

        votes = {
            k: [changed[i] if (k == 0 and i in changed) else sort_vote(i, k) for i in range(PHONES)] for k in range(4)
        }
        want = {sortable[k]: tally(votes[k]) for k in range(4)}
        # The intended shape of the data: one high, one medium, two gråzon items.
        assert [want[n]["grey_zone"] for n in sortable] == [False, False, True, True]

        def matches(agg) -> bool:
            got = {it["id"]: it for it in agg["items"]}
            return set(got) == set(sortable) and all(
                got[n]["n"] == PHONES and got[n]["categories"] == want[n]["categories"] for n in sortable
            )

        live = screen.wait_for(A_SORT, matches)
        for agg in (live, fresh_screen_aggregate(url, ws_id, key, A_SORT), console.results_now(A_SORT)["aggregate"]):
            got = {it["id"]: it for it in agg["items"]}
            assert set(got) == set(sortable), "risks take no category: only benefits and costs are sorted"
            for n in sortable:
                it, w = got[n], want[n]
                assert it["n"] == w["n"]
                assert it["categories"] == w["categories"], (it["title"], it["categories"], w["categories"])
                assert it["money"] == w["money"], it["title"]
                assert it["perspectives"] == w["perspectives"], it["title"]
                assert it["no_perspective"] == w["no_perspective"]
                assert it["majority"]["category"] == w["majority_category"]
                assert it["top_share"] == w["top_share"] and it["tie"] == w["tie"]
                assert it["grey_zone"] == w["grey_zone"] and it["agreement"] == w["agreement"]
                assert it["decided"] is False
            assert agg["summary"] == {"items": 4, "voted": 4, "grey": 2, "decided": 0, "voters": PHONES}

        # The facilitator records the decision for a gråzon item, with its motivation.
        motivation = "Tiden används till omsorg; ingen utbetalning ändras."
        h.assert_error(
            console.call(
                "draft",
                {
                    "op": "node.update",
                    "args": {"id": sortable[2], "data": {"category": "kvalitet", "valuation": "money"}},
                },
            ),
            "invalid",
        )
        console.draft(
            "node.update",
            id=sortable[2],
            data={"category": "omfordelning", "valuation": "money", "perspective": LABELS[0], "motivation": motivation},
        )
        live = screen.wait_for(A_SORT, lambda a: next(i for i in a["items"] if i["id"] == sortable[2])["decided"])
        item = next(i for i in live["items"] if i["id"] == sortable[2])
        assert item["decision"] == {
            "category": "omfordelning",
            "valuation": "money",
            "size_score": None,
            "perspective": LABELS[0],
            "motivation": motivation,
        }
        assert item["categories"] == want[sortable[2]]["categories"], "a decision must not change the room's votes"
        node = next(n for n in console.draft_now()["nodes"] if n["id"] == sortable[2])
        assert (node["category"], node["valuation"], node["motivation"]) == ("omfordelning", "money", motivation)

        # ================= step 7: Samla data ====================================================
        benefit = sortable[0]
        console.draft("node.update", id=benefit, data={"category": "omfordelning", "valuation": "money"})
        row_antal = console.draft(
            "row.add",
            node_id=benefit,
            data={"name": "antal", "label": "Hur många nyckelhämtningar görs per år?", "unit": "st/år"},
        )["id"]
        row_min = console.draft(
            "row.add",
            node_id=benefit,
            data={"name": "minuter", "label": "Hur många minuter tar en hämtning?", "unit": "min"},
        )["id"]
        console.draft("block.set", node_id=benefit, data={"formula": "antal * minuter / 60 * underskoterska_hemtjanst"})
        console.goto(A_EST)
        console.reveal(A_EST)
        # Before the proposal, "take the proposal" is refused.
        h.assert_error(phones[0].submit(A_EST, {"row": row_antal, "accept": True}), "no_proposal")
        console.draft("row.update", id=row_antal, data={"proposal": 400})

        def figures(i: int) -> list[tuple[int, dict, dict]]:
            out = []
            if i % 3 == 0:
                body = {"row": row_antal, "accept": True}
            else:
                # Some typed the Swedish way: "1 025" and "512,5".
                value: Any = 300 + 25 * i
                if i == 1:
                    value = "512,5"
                elif i == 5:
                    value = "1 025"
                body = {"row": row_antal, "accept": False, "value": value}
                if i % 2:
                    body["source"] = f"Schemaläggningen vecka {i}"
                    body["reason"] = "Räknat på en vanlig vecka"
            out.append((i, body, phones[i].submit(A_EST, body)))
            body2 = {"row": row_min, "accept": False, "value": "7,5" if i == 7 else 4 + i % 7}
            out.append((i, body2, phones[i].submit(A_EST, body2)))
            return out

        answers = [x for batch in pool.map(figures, range(PHONES)) for x in batch]
        assert all(ack["ok"] is True for _, _, ack in answers), [a for _, _, a in answers if not a.get("ok")]
        # Phone 2 thinks again: its second figure replaces the first.
        assert phones[2].submit(A_EST, {"row": row_antal, "accept": False, "value": 900, "source": "Ny räkning"})["ok"]
        h.assert_error(phones[3].submit(A_EST, {"row": row_min, "accept": True}), "no_proposal")
        h.assert_error(phones[3].submit(A_EST, {"row": row_antal, "accept": False, "value": "fyrahundra"}), "invalid")
        h.assert_error(phones[3].submit(A_EST, {"row": 999999, "accept": False, "value": 1}), "unknown_row")

        def number(v: Any) -> float:
            return float(v.replace(" ", "").replace(",", ".")) if isinstance(v, str) else float(v)

        final: dict[int, dict[int, tuple[float, bool, str]]] = {row_antal: {}, row_min: {}}
        for i, body, _ack in answers:
            final[body["row"]][i] = (
                400.0 if body["accept"] else number(body["value"]),
                body["accept"],
                body.get("source", ""),
            )
        final[row_antal][2] = (900.0, False, "Ny räkning")
        want_spread = {r: spread_of([v for v, _, _ in final[r].values()]) for r in final}
        assert want_spread[row_antal]["n"] == want_spread[row_min]["n"] == PHONES
        accepted = sum(1 for _, a, _ in final[row_antal].values() if a)
        assert accepted == 7  # phones 0, 3, 6, 9, 12, 15 and 18 took the proposal

        def spread_matches(agg) -> bool:
            rows = {r["id"]: r for r in agg["rows"]}
            return all(
                rows[r]["spread"]
                and rows[r]["spread"]["n"] == PHONES
                and rows[r]["spread"]["values"] == want_spread[r]["values"]
                for r in final
            )

        live = screen.wait_for(A_EST, spread_matches)
        for agg in (live, fresh_screen_aggregate(url, ws_id, key, A_EST)):
            rows = {r["id"]: r for r in agg["rows"]}
            assert list(rows) == [row_antal, row_min]
            assert rows[row_antal]["proposal"] == 400 and rows[row_min]["proposal"] is None
            for r, w in want_spread.items():
                s = rows[r]["spread"]
                assert s["values"] == w["values"], r
                for k in ("n", "min", "q1", "median", "q3", "max", "mean"):
                    assert s[k] == pytest.approx(w[k], abs=1e-9), (r, k, s[k], w[k])
            assert rows[row_antal]["spread"]["accepted"] == accepted
            assert rows[row_min]["spread"]["accepted"] == 0
            sug = rows[row_antal]["suggestion"]
            assert (sug["low"], sug["likely"], sug["high"]) == pytest.approx(
                (want_spread[row_antal]["q1"], want_spread[row_antal]["median"], want_spread[row_antal]["q3"])
            )
            assert agg["answered_rows"] == 2
            assert all("nickname" not in r for r in agg["rows"]), "the presenter names no one"
        # The console sees each current figure with its source.
        con = console.results_now(A_EST)["items"]
        seen = {(it["row"], it["nickname"]): (it["value"], it["accepted"], it["source"]) for it in con}
        assert seen == {(r, phones[i].nickname): v for r, per in final.items() for i, v in per.items()}

        # The facilitator saves lowest/likely/highest from the spread; the draft holds exactly that.
        for r in final:
            w = want_spread[r]
            console.draft(
                "row.update",
                id=r,
                data={"low": w["q1"], "likely": w["median"], "high": w["q3"], "source": f"Workshoppen: {w['n']} svar"},
            )
        draft = console.draft_now()
        node = next(n for n in draft["nodes"] if n["id"] == benefit)
        rows = {r["id"]: r for r in node["block"]["rows"]}
        for r in final:
            w = want_spread[r]
            assert (rows[r]["low"], rows[r]["likely"], rows[r]["high"]) == pytest.approx(
                (w["q1"], w["median"], w["q3"])
            )
            assert rows[r]["source"] == f"Workshoppen: {w['n']} svar"
        assert rows[row_antal]["proposal"] == 400
        # …and the calculation uses it: yearly value = antal × minuter / 60 × timkostnad, over the
        # template's 6 years, discounted by 3 % with convention A (year 1 not discounted).
        item = next(i for i in draft["result"]["items"] if str(i["id"]) == str(benefit))
        yearly = want_spread[row_antal]["median"] * want_spread[row_min]["median"] / 60 * HOURLY_USK
        assert item["yearly_value"] == pytest.approx(yearly, rel=1e-12), item
        assert item["total"] == pytest.approx(6 * yearly, rel=1e-12)
        assert item["total_discounted"] == pytest.approx(sum(yearly / 1.03 ** (t - 1) for t in range(1, 7)), rel=1e-12)
    finally:
        _close_all([*phones, screen, console])
        pool.shutdown(wait=True)
