"""Shared machinery of the fuzz tests (tests/fuzz/) and the long fuzz run (bench/fuzz.py).

* ``World``: an app on a fresh SQLite file with two facilitators, a self-paced workshop with
  one activity of every kind and a filled draft analysis (Anna's), a live one (Anna's) and a
  foreign one (Bertil's, same contents), phones, a console and a presenter screen, and logged-in
  HTTP clients. Its id pools (activities, nodes, rows, factors, responses, own and foreign)
  are read back from the database, so generated payloads name real ids too.
* ``fingerprint``: row counts and a hash of every row of every table, to prove that a refused
  input left the stored data exactly as it was.
* Strategies (hypothesis): junk values (wrong types, huge strings, deep nesting, unknown
  fields, binary, NaN/inf, bools for ints, out-of-range ints) and, per socket event, draft op
  and HTTP form, "almost right" payloads made by mutating a valid one.
* ``Checker``: runs one case and returns the problems it found (server error, exception, an
  ack or response that is no clear error, data changed by a refused input, a message that is
  not strict JSON, a snapshot or page that breaks afterwards).

Loaded by path (``load()`` in the test modules and bench/fuzz.py): tests/ is not a package.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import re
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hemligt-lösen-1"
ANNA, BERTIL = "anna@solstad.se", "bertil@norrby.se"
PHONE, SCREEN, CONSOLE = "/phone", "/screen", "/console"
TEMPLATE = "example_digital_locks"  # every method kind, 17 nodes, 13 rows
POLL = "forum_poll_deck"  # the classic kinds

# --- known findings ---------------------------------------------------------------------------
# A problem matching one of these is a bug already reported (with an xfail(strict) test that
# pins it and a patch in the report). The fuzz tests tolerate them so the suite stays green
# until the patch lands; when it lands, the strict xfail test turns red and the entry here
# goes. bench/fuzz.py counts them separately from new findings.
KNOWN: dict[str, Callable[[Problem], bool]] = {}


def known(name: str):
    def register(fn):
        KNOWN[name] = fn
        return fn

    return register


@dataclass
class Problem:
    endpoint: str
    what: str  # server_error | exception | unclear | changed_on_refusal | not_json | probe
    detail: str
    case: Any = None

    def known_as(self) -> str | None:
        for name, match in KNOWN.items():
            try:
                if match(self):
                    return name
            except Exception:
                pass
        return None

    def short(self) -> str:
        case = repr(self.case)
        if len(case) > 300:
            case = case[:300] + "…"
        return f"[{self.endpoint}] {self.what}: {self.detail[:500]}\n    case: {case}"


# --- the world ------------------------------------------------------------------------------


def _helpers():
    name = "nyttoverkstad_integration_helpers"
    if name not in sys.modules:
        import importlib.util

        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "integration" / "helpers.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def migrated_copy(folder: Path, template: Path | None = None) -> Path:
    """A migrated database file in ``folder`` (copied from ``template`` when given)."""
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "nyttoverkstad.sqlite3"
    if template is not None:
        shutil.copyfile(template, target)
        return target
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading")
    with app.app_context():
        db.engine.dispose()
    return target


def make_app(folder: Path, migrated: Path | None = None, **overrides):
    from workshop.app import create_app
    from workshop.config import Settings

    if migrated is not None:
        migrated_copy(folder, migrated)
    settings = Settings.from_env(
        folder,
        testing=True,
        **{
            # The fuzzer is one client hammering every route: the limits are tested elsewhere.
            "rate_limit_submit": "100000/second",
            "rate_limit_join": "100000/second",
            "rate_limit_join_new": "100000/second",
            "rate_limit_phone_connect": "100000/second",
            "rate_limit_phone_snapshot": "100000/second",
            **overrides,
        },
    )
    app = create_app(settings, async_mode="threading", migrate=migrated is None)
    app.config["WTF_CSRF_ENABLED"] = False
    # A view's exception becomes the 500 page (as in production) instead of reaching the
    # test client; the exception itself is captured through ``got_request_exception``.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


class World:
    """Everything a fuzz case may aim at. See the module docstring."""

    def __init__(self, app, setup: SetupWorld | None = None, meta: dict | None = None):
        # Creating an app re-creates the shared Socket.IO server, which strands the socket
        # clients of earlier apps: the /setup app (if any) must exist before our sockets.
        self.setup = setup
        self.app = app
        self.h = _helpers()
        self.errors: list[str] = []
        from flask import got_request_exception

        def on_exception(sender, exception, **_):
            # The exception's type first: a huge value in its message can fill the tail.
            self.errors.append(
                f"{type(exception).__name__}: {str(exception)[:200]}\n"
                + "".join(traceback.format_exception(exception))[-3000:]
            )

        got_request_exception.connect(on_exception, app, weak=False)
        # Socket handlers log what they turn into an ack with code "server": keep it.
        world = self

        class Capture(logging.Handler):
            def emit(self, record):
                if record.exc_info:
                    world.errors.append("".join(traceback.format_exception(*record.exc_info))[-3000:])

        for name in ("workshop.realtime.handlers", "workshop.realtime.broadcaster"):
            lg = logging.getLogger(name)
            lg.handlers = [Capture()]
            lg.propagate = False
            lg.setLevel(logging.ERROR)
        self._build(meta)

    # -- construction --------------------------------------------------------------------
    META = (
        "anna_id",
        "bertil_id",
        "ws",
        "foreign_ws",
        "live_ws",
        "code",
        "foreign_code",
        "live_code",
        "presenter_key",
        "foreign_presenter_key",
        "review_key",
        "foreign_review_key",
        "tokens",
    )

    def _build(self, meta: dict | None = None) -> None:
        """Fill the database (unless ``meta`` describes a copy of one already filled) and
        connect the clients."""
        from workshop.extensions import db

        if meta is not None:
            self.__dict__.update(meta)
        else:
            self._fill()
        h, app = self.h, self.app
        self.anon = app.test_client()
        self.owner = app.test_client()
        h.login(self.owner, ANNA)
        self.other = app.test_client()
        h.login(self.other, BERTIL)
        if meta is None:
            self.tokens = [
                h.join(app.test_client(), code, nickname=nick)["token"]
                for code, nick in (
                    (self.code, "Fuzz"),
                    (self.code, "Andra"),
                    (self.foreign_code, "Främling"),
                    (self.live_code, "Live"),
                )
            ]
        phones = [h.socket_client(app, PHONE, {"token": t}, app.test_client()) for t in self.tokens]
        assert all(p.is_connected(PHONE) for p in phones)
        self.phone, self.phone2, self.foreign_phone, self.live_phone = phones
        self.joined = {"token": self.tokens[0]}
        self.console = h.console(app, self.ws)
        self.foreign_console = h.console(app, self.foreign_ws, BERTIL)
        self.screen = h.screen(app, self.ws)
        self.sockets = [
            (self.phone, PHONE),
            (self.phone2, PHONE),
            (self.foreign_phone, PHONE),
            (self.live_phone, PHONE),
            (self.console, CONSOLE),
            (self.foreign_console, CONSOLE),
            (self.screen, SCREEN),
        ]
        if meta is None:
            self._seed()
        self.refresh()
        self.drain()
        self.meta = {k: getattr(self, k) for k in self.META}
        from workshop.extensions import socketio
        from workshop.realtime import connections

        self.server = socketio.server
        self._conns = {}
        for tc, ns in self.sockets:
            sid = socketio.server.manager.sid_from_eio_sid(tc.eio_sid, ns)
            self._conns[(ns, sid)] = connections.get(ns, sid)
        del db

    def stale(self) -> bool:
        """True when another app was created since (its Socket.IO server replaced ours), or a
        socket no longer answers (a client-sent "disconnect" event, finding F6, can leave one
        without its environ)."""
        from workshop.extensions import socketio

        if socketio.server is not self.server:
            return True
        self.heal()
        for tc, ns in ((self.phone, PHONE), (self.console, CONSOLE), (self.screen, SCREEN)):
            try:
                ack = tc.emit("snapshot", {}, namespace=ns, callback=True)
            except Exception:
                return True
            if not (isinstance(ack, dict) and ack.get("ok") is True):
                return True
        self.drain()
        return False

    def _fill(self) -> None:
        from workshop import portable
        from workshop import workshops as core
        from workshop.accounts import create_user
        from workshop.extensions import db
        from workshop.models import Workshop

        app = self.app
        with app.test_request_context():
            anna = create_user(ANNA, PASSWORD, "Anna")
            bertil = create_user(BERTIL, PASSWORD, "Bertil")
            self.anna_id, self.bertil_id = anna.id, bertil.id
            ids = {}
            for owner, name in ((anna, "own"), (bertil, "foreign")):
                ws = portable.import_document(owner, portable.load_template(TEMPLATE), title=f"Fuzz {name}")
                poll = portable.load_template(POLL)
                for entry in poll["workshop"]["activities"]:
                    core.add_activity(ws, entry["kind"], entry.get("title"), entry.get("config"))
                for act in ws.activities:
                    if act.kind == "effects":  # dot voting on, so dots reach their checks
                        act.config = {**act.config, "dot_votes": 3}
                ws.mode = "self_paced"
                ws.ask_perspective = True
                ws.perspectives = ["Brukare", "Solstad kommun"]
                db.session.commit()
                ids[name] = ws.id
            live = core.create_workshop(anna, "Fuzz live", mode="live")
            core.add_activity(live, *self.h.MC)
            ids["live"] = live.id
            db.session.remove()
        self.ws, self.foreign_ws, self.live_ws = ids["own"], ids["foreign"], ids["live"]
        with app.app_context():
            w = {i: db.session.get(Workshop, i) for i in ids.values()}
            self.code, self.foreign_code, self.live_code = (
                w[self.ws].join_code,
                w[self.foreign_ws].join_code,
                w[self.live_ws].join_code,
            )
            self.presenter_key = w[self.ws].presenter_key
            self.foreign_presenter_key = w[self.foreign_ws].presenter_key
            db.session.remove()

    def _seed(self) -> None:
        """A few valid inputs, so moderation, upvotes and merges have targets."""
        self.refresh()
        n = 0
        for tc, acts in ((self.phone2, self.acts), (self.foreign_phone, self.foreign_acts)):
            for kind, payload in (
                ("open_text", {"text": "Tryggare hemtjänst"}),
                ("open_text", {"text": "Mindre väntan"}),
                ("word_cloud", {"text": "trygghet"}),
                ("qna", {"action": "ask", "text": "Vad kostar det?"}),
                ("multiple_choice", {"choices": [0]}),
                ("effects", {"text": "Färre nycklar", "polarity": "positive"}),
            ):
                if kind in acts:
                    n += 1
                    ack = tc.emit(
                        "submit",
                        {"activity_id": acts[kind], "client_id": f"seed-{n}", "payload": payload},
                        namespace=PHONE,
                        callback=True,
                    )
                    assert ack.get("ok"), (kind, ack)

    def refresh(self) -> None:
        """Read the id pools back from the database (accepted cases add and delete things)."""
        from workshop.draft.models import Analysis, Block, BlockRow, Factor, Node
        from workshop.extensions import db
        from workshop.models import Activity, Response

        with self.app.app_context():

            def acts(ws_id):
                return {
                    a.kind: a.id for a in db.session.query(Activity).filter_by(workshop_id=ws_id).order_by(Activity.id)
                }

            self.acts, self.foreign_acts = acts(self.ws), acts(self.foreign_ws)
            self.live_acts = acts(self.live_ws)
            pool: dict[str, list[Any]] = {}
            for name, ws_id in (("", self.ws), ("foreign_", self.foreign_ws)):
                a = db.session.query(Analysis).filter_by(workshop_id=ws_id).first()
                aid = a.id if a else -1
                pool[name + "node"] = [
                    n.id for n in db.session.query(Node).filter_by(analysis_id=aid).order_by(Node.id)
                ]
                pool[name + "row"] = [
                    i
                    for (i,) in db.session.query(BlockRow.id)
                    .join(Block, Block.id == BlockRow.block_id)
                    .join(Node, Node.id == Block.node_id)
                    .filter(Node.analysis_id == aid)
                    .order_by(BlockRow.id)
                ]
                pool[name + "factor"] = [
                    f.id for f in db.session.query(Factor).filter_by(analysis_id=aid).order_by(Factor.id)
                ]
                act_ids = list(acts(ws_id).values())
                pool[name + "activity"] = act_ids
                pool[name + "response"] = [
                    r.id for r in db.session.query(Response).filter(Response.activity_id.in_(act_ids))
                ]
            pool["activity"] = pool["activity"] + list(self.live_acts.values())
            pool["workshop"] = [self.ws, self.live_ws]
            pool["foreign_workshop"] = [self.foreign_ws]
            if self.review_key is None:
                from workshop.draft.service import analysis_for
                from workshop.models import Workshop

                with self.app.test_request_context():
                    analysis_for(db.session.get(Workshop, self.ws))
                    analysis_for(db.session.get(Workshop, self.foreign_ws))
                    db.session.commit()
                    # The results link of each workshop (its draft analysis, for these two).
                    self.review_key = db.session.get(Workshop, self.ws).results_key
                    self.foreign_review_key = db.session.get(Workshop, self.foreign_ws).results_key
            db.session.remove()
        self.pool = pool

    review_key: str | None = None
    foreign_review_key: str | None = None

    def _reconnect_screen(self) -> None:
        from workshop.extensions import socketio
        from workshop.realtime import connections

        old = self.screen
        self.screen = self.h.screen(self.app, self.ws)
        self.sockets = [(self.screen if tc is old else tc, ns) for tc, ns in self.sockets]
        self._conns = {k: v for k, v in self._conns.items() if k[0] != SCREEN}
        sid = socketio.server.manager.sid_from_eio_sid(self.screen.eio_sid, SCREEN)
        self._conns[(SCREEN, sid)] = connections.get(SCREEN, sid)

    def reload_keys(self) -> None:
        """Read the presenter and review keys back (an accepted rotation makes new ones)."""
        from workshop.extensions import db
        from workshop.models import Workshop

        with self.app.app_context():
            before = self.presenter_key
            self.presenter_key = db.session.get(Workshop, self.ws).presenter_key
            if self.presenter_key != before:  # the rotation ended the presenter's socket
                self._reconnect_screen()
            self.foreign_presenter_key = db.session.get(Workshop, self.foreign_ws).presenter_key
            for attr, ws_id in (("review_key", self.ws), ("foreign_review_key", self.foreign_ws)):
                setattr(self, attr, db.session.get(Workshop, ws_id).results_key)
            db.session.remove()

    def pick(self, name: str, i: int) -> Any:
        items = self.pool.get(name) or [987654]
        return items[i % len(items)]

    def heal(self) -> None:
        """Undo what accepted console commands did to input (locks, closing), so phones can
        keep reaching the validation of every kind; restore socket registrations a client-sent
        "connect"/"disconnect" event replaced or dropped (a known finding)."""
        from workshop.extensions import db
        from workshop.models import Activity, Workshop
        from workshop.realtime import connections

        for (ns, sid), conn in self._conns.items():
            if connections.get(ns, sid) != conn:
                connections.register(ns, sid, conn)

        with self.app.app_context():
            db.session.query(Activity).filter(
                Activity.workshop_id.in_([self.ws, self.foreign_ws, self.live_ws])
            ).update({"locked": False}, synchronize_session=False)
            for ws_id in (self.ws, self.foreign_ws, self.live_ws):
                ws = db.session.get(Workshop, ws_id)
                ws.status, ws.open_until = "open", None
                if ws_id != self.live_ws:
                    ws.mode = "self_paced"
            db.session.commit()
            db.session.remove()

    def drain(self) -> list[Any]:
        """Everything the socket clients were sent since the last drain (checked for JSON)."""
        out = []
        for tc, ns in self.sockets:
            if tc.is_connected(ns):
                out.extend(tc.get_received(ns))
        return out


class SetupWorld:
    """An app with no account yet: the only state in which /setup validates anything."""

    def __init__(self, app):
        self.app = app
        self.errors: list[str] = []
        from flask import got_request_exception

        got_request_exception.connect(
            lambda sender, exception, **_: self.errors.append("".join(traceback.format_exception(exception))[-3000:]),
            app,
            weak=False,
        )

    def clear_accounts(self) -> None:
        from workshop.extensions import db
        from workshop.models import User

        with self.app.app_context():
            db.session.query(User).delete()
            db.session.commit()
            db.session.remove()

    def refresh(self) -> None:
        pass

    def drain(self) -> list:
        return []


# --- fingerprint ------------------------------------------------------------------------------


def fingerprint(app) -> tuple[dict[str, int], str]:
    """Row counts per table and one hash over every row of every table."""
    from workshop.extensions import db

    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    with app.app_context():
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                stmt = table.select()
                if table.primary_key.columns:
                    stmt = stmt.order_by(*table.primary_key.columns)
                rows = conn.execute(stmt).fetchall()
                counts[table.name] = len(rows)
                digest.update(table.name.encode())
                for row in rows:
                    digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
    return counts, digest.hexdigest()


def diff(before, after) -> str:
    changed = {
        k: (before[0].get(k), after[0].get(k))
        for k in set(before[0]) | set(after[0])
        if before[0].get(k) != after[0].get(k)
    }
    return f"counts changed {changed}" if changed else "rows changed (same counts)"


# --- strict JSON --------------------------------------------------------------------------------


def json_problem(value: Any) -> str | None:
    """None when ``value`` is what a browser's JSON.parse accepts (no NaN/Infinity, str keys)."""

    def walk(v, depth=0):
        if depth > 200:
            return "nested deeper than 200"
        if isinstance(v, float) and not math.isfinite(v):
            return f"non-finite number {v!r}"
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    return f"non-string key {k!r}"
                p = walk(x, depth + 1)
                if p:
                    return f"{k}: {p}"
        elif isinstance(v, (list, tuple)):
            for i, x in enumerate(v):
                p = walk(x, depth + 1)
                if p:
                    return f"[{i}]: {p}"
        elif isinstance(v, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
                return "lone surrogate in a string"
        elif not (v is None or isinstance(v, (bool, int, float, bytes))):
            return f"value of type {type(v).__name__}"
        return None

    return walk(value)


# --- strategies ---------------------------------------------------------------------------------

# (Engine.IO's JSON decoder refuses integers of more than 100 digits by design, dropping the
# packet; 10**99 is the largest that reaches the handlers.)
INTERESTING_INTS = [
    0,
    1,
    -1,
    2,
    7,
    10,
    11,
    12,
    49,
    50,
    99,
    100,
    101,
    255,
    1000,
    1001,
    2**31 - 1,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    10**30,
    -(2**31),
    -(2**63),
    -(2**63) - 1,
    10**99,
    -(10**98),
]
INTERESTING_FLOATS = [0.0, -0.0, 0.5, 1.0, 1e15, 1e16, 1e308, -1e308, 5e-324, float("nan"), float("inf"), float("-inf")]
NASTY_TEXT = [
    "",
    " ",
    "   \n\t ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n\r\n",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\ud800",
    "a\udfffb",
    "💥" * 50,
    "e\u0301" * 30,
    "ÅÄÖ åäö",
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
    "javascript:window.__xss=1",
    "{{7*7}}",
    "${7*7}",
    "{% raw %}",
    "=1+1",
    "@SUM(A1)",
    "NaN",
    "Infinity",
    "-inf",
    "1e400",
    "0x10",
    "1_000",
    "١٢٣",
    "１２３",
    "1 700,5",
    "−30",
    "true",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE responses; --",
    "../../etc/passwd",
    "%00",
    "%s%s%s%n",
    "x" * 41,
    "x" * 65,
    "x" * 121,
    "x" * 201,
    "x" * 301,
    "x" * 501,
    "x" * 1001,
    "x" * 5001,
]
BIG_SIZES = [10_000, 65_537, 300_000, 1_048_576]


def nest(depth: int, kind: int = 0) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if (i + kind) % 2 else {"k": value}
    return value


def leaves(binary: bool = True, surrogates: bool = True) -> st.SearchStrategy:
    text = st.text(max_size=40)
    nasty = [t for t in NASTY_TEXT if surrogates or not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    out = [
        st.none(),
        st.booleans(),
        st.sampled_from(INTERESTING_INTS),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from(INTERESTING_FLOATS),
        st.floats(allow_nan=True, allow_infinity=True),
        text,
        st.sampled_from(nasty),
    ]
    if binary:
        out.append(st.binary(max_size=64))
    return st.one_of(*out)


def big_text() -> st.SearchStrategy:
    return st.tuples(st.sampled_from(BIG_SIZES), st.sampled_from(["x", "ä", "<b>", "💥", " ", "\n"])).map(
        lambda t: (t[1] * t[0])[: t[0]]
    )


def junk(binary: bool = True, surrogates: bool = True, big: bool = True) -> st.SearchStrategy:
    """Any value a client could send: wrong types, nesting, unknown fields, huge, binary."""
    base = leaves(binary, surrogates)
    tree = st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(st.text(max_size=12), children, max_size=5)
        ),
        max_leaves=12,
    )
    options = [tree, tree, tree, st.integers(50, 400).map(nest), st.integers(0, 1).map(lambda k: nest(600, k))]
    if big:
        options.append(big_text())
    return st.one_of(*options)


def ids(world: World, name: str) -> st.SearchStrategy:
    """An id for a ``name`` (activity, node, row, factor, response, workshop): own, another
    workshop's, or wrong (bool, float, string, out of range, missing)."""
    own = st.integers(0, 10**6).map(lambda i: world.pick(name, i))
    foreign = st.integers(0, 10**6).map(lambda i: world.pick("foreign_" + name, i))
    wrong = st.one_of(
        st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1, 987654]),
        st.sampled_from([True, False, None, "1", "", 1.0, 2.5, float("nan"), float("inf"), [1], {"id": 1}]),
        st.integers(min_value=-(2**65), max_value=2**65),
    )
    return st.one_of(*[own] * 6, foreign, wrong)


def mutate(
    skeleton: dict[str, Any], field_values: dict[str, st.SearchStrategy] | None = None, binary: bool = True
) -> st.SearchStrategy:
    """Payloads near ``skeleton``: mostly each field from its (mostly valid) strategy, some
    fields replaced by junk or dropped, sometimes an unknown field added, sometimes the whole
    thing replaced by junk. The proportions come from a seeded ``random.Random`` that
    hypothesis controls, so they hold (hypothesis's own choices favour the exotic branches)."""
    field_values = field_values or {}
    j = junk(binary=binary)
    small = junk(binary=binary, big=False)

    @st.composite
    def near(draw):
        # (hypothesis's randoms lean towards 0.0: the likely branch sits at the low end)
        rnd = draw(st.randoms(use_true_random=False))
        if rnd.random() > 0.9:
            return draw(j)
        d: dict[str, Any] = {}
        for k, v in skeleton.items():
            x = rnd.random()
            if x < 0.8:
                d[k] = draw(field_values.get(k, st.just(v)))
            elif x < 0.88:
                d[k] = draw(small)
            elif x < 0.95:
                d[k] = draw(j)
            # else: the field is left out
        if rnd.random() > 0.88:
            d[draw(st.sampled_from(["extra", "__proto__", "constructor", "id", "weight", "", "x" * 300]))] = draw(small)
        return d

    return near()


def texts(limit: int) -> st.SearchStrategy:
    """Text around a length limit: fits, just over, far over, nasty."""
    return st.one_of(
        st.text(min_size=1, max_size=min(limit, 60)),
        st.sampled_from(NASTY_TEXT),
        st.integers(max(0, limit - 2), limit + 2).map(lambda n: "å" * n),
    )


# Per kind: a valid phone payload (its fields mutated by the strategies below).
def submit_payloads(world: World, kind: str) -> st.SearchStrategy:
    node, row = ids(world, "node"), ids(world, "row")
    response = ids(world, "response")
    per_kind: dict[str, list[tuple[dict, dict]]] = {
        "multiple_choice": [
            (
                {"choices": [0]},
                {"choices": st.one_of(st.sampled_from([[0], [1], [2]]), st.lists(st.integers(-2, 14), max_size=14))},
            )
        ],
        "open_text": [({"text": "Tryggare"}, {"text": texts(280)})],
        "word_cloud": [({"text": "trygg"}, {"text": texts(25)})],
        "scale": [({"value": 3}, {"value": st.one_of(st.integers(1, 5), st.integers(-1, 12))})],
        "ranking": [
            (
                {"order": [0, 1, 2]},
                {"order": st.one_of(st.permutations([0, 1, 2]), st.lists(st.integers(-1, 12), max_size=14))},
            )
        ],
        "points": [
            (
                {"points": [50, 30, 20]},
                {
                    "points": st.one_of(
                        st.integers(0, 100).flatmap(
                            lambda a: st.integers(0, 100 - a).map(lambda b: [a, b, 100 - a - b])
                        ),
                        st.lists(st.integers(-1, 1001), max_size=14),
                    )
                },
            )
        ],
        "qna": [
            ({"action": "ask", "text": "Varför?"}, {"text": texts(280)}),
            ({"action": "upvote", "question": 1, "on": True}, {"question": response}),
        ],
        "effects": [
            (
                {"action": "add", "text": "Färre nycklar", "cause": "", "perspective": "", "polarity": "positive"},
                {
                    "text": texts(200),
                    "cause": texts(300),
                    "perspective": st.sampled_from(["", "Brukare", "Okänd"]),
                    "polarity": st.sampled_from(["positive", "negative", "neutral"]),
                },
            ),
            ({"action": "dot", "node": 1, "on": True}, {"node": node}),
        ],
        "alternatives": [
            ({"row": 0, "flag": True, "comment": ""}, {"row": st.integers(-1, 60), "comment": texts(500)})
        ],
        "effect_chain": [({"from": 1, "to": 2}, {"from": node, "to": node})],
        "sorting": [
            (
                {"node": 1, "category": "kvalitet", "money": False, "perspective": None},
                {
                    "node": node,
                    "category": st.sampled_from(["finansiell", "omfordelning", "kvalitet", "miljo", "x"]),
                    "perspective": st.sampled_from([None, "Brukare", "Okänd", ""]),
                },
            )
        ],
        "describe": [
            (
                {
                    "node": 1,
                    "rubrik": "Tid",
                    "genom_att": "",
                    "hander": "det går fortare",
                    "och": "",
                    "leder_till": "",
                    "refs": [],
                },
                {"node": node, "rubrik": texts(200), "refs": st.lists(node, max_size=12)},
            )
        ],
        "questions": [({"node": 1, "text": "Hur många besök?", "unit": "st"}, {"node": node, "text": texts(300)})],
        "estimates": [
            (
                {"row": 1, "accept": False, "value": "12,5", "source": "", "reason": ""},
                {
                    "row": row,
                    "value": st.one_of(
                        st.sampled_from(["12,5", "1 700", "−3", "1e400", "nan", ""]),
                        st.floats(allow_nan=True, allow_infinity=True),
                    ),
                    "source": texts(300),
                    "reason": texts(300),
                },
            ),
            # A three-point estimate: lowest / likely / highest, in order or not.
            (
                {"row": 1, "accept": False, "low": "10", "value": "12,5", "high": "20", "source": "", "reason": ""},
                {
                    "row": row,
                    "low": st.one_of(st.sampled_from(["10", "12,5", "1e400", "", "−3"]), st.floats()),
                    "value": st.one_of(st.sampled_from(["12,5", "1 700", "nan"]), st.floats()),
                    "high": st.one_of(st.sampled_from(["20", "1,5", "inf", ""]), st.floats()),
                },
            ),
        ],
    }
    options = [mutate(s, f) for s, f in per_kind.get(kind, [({}, {})])]
    return st.one_of(*options)


def client_ids() -> st.SearchStrategy:
    return st.one_of(
        *[st.uuids().map(str)] * 6,
        st.text(min_size=1, max_size=64),
        junk(big=False),
        st.sampled_from(["", "x" * 65, "a\nb", "\u202e", "seed-1"]),
    )


def submit_events(world: World) -> st.SearchStrategy:
    """Whole ``submit`` event data for the self-paced workshop's phone."""
    import uuid

    @st.composite
    def one(draw):
        rnd = draw(st.randoms(use_true_random=False))
        kind = draw(st.sampled_from(sorted(world.acts)))
        act = world.acts[kind] if rnd.random() < 0.8 else draw(ids(world, "activity"))
        client_id = str(uuid.UUID(int=rnd.getrandbits(128))) if rnd.random() < 0.8 else draw(client_ids())
        body = {"activity_id": act, "client_id": client_id, "payload": draw(submit_payloads(world, kind))}
        if rnd.random() > 0.9:
            body = draw(mutate(body, {k: st.just(v) for k, v in body.items()}))
        return kind, body

    return one()


def config_payloads(world: World, kind: str) -> st.SearchStrategy:
    from workshop.activities import get_kind

    with world.app.test_request_context():
        k = get_kind(kind)
        cfg = k.config(k.default_config()).model_dump()
    fields = {}
    for name, value in cfg.items():
        if isinstance(value, bool):
            fields[name] = st.booleans()
        elif isinstance(value, int):
            fields[name] = st.integers(-2, 2000)
        elif isinstance(value, list):
            fields[name] = st.lists(st.one_of(st.text(max_size=130), st.integers(0, 20)), max_size=14)
        elif isinstance(value, str):
            fields[name] = texts(2000)
    return mutate(cfg, fields)


def draft_args(world: World) -> dict[str, st.SearchStrategy]:
    from workshop.draft.models import CATEGORIES, NODE_TYPES, PERSPECTIVE_KINDS

    node, row, factor = ids(world, "node"), ids(world, "row"), ids(world, "factor")
    number = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**70), 2**70),
        st.sampled_from(["1 700,5", "12", "-0", "1e400", "nan", "", None]),
    )
    formula = st.one_of(
        st.sampled_from(
            [
                "antal * tid",
                "1/0",
                "9**9**9",
                "(" * 300 + "1" + ")" * 300,
                "max(1,2)",
                "round(1.5)",
                "__import__('os')",
                "a.b",
                "x" * 501,
                "1e308*1e308",
                "antal_besok * 2",
                "",
            ]
        ),
        st.text(alphabet="0123456789+-*/() .,abcdefghijklmnopqrstuvwxyzåäö_", max_size=120),
    )
    node_data = {
        "node_type": st.sampled_from(list(NODE_TYPES) + ["x"]),
        "title": texts(300),
        "description": texts(5000),
        "category": st.sampled_from(list(CATEGORIES) + [None, "x"]),
        "valuation": st.sampled_from(["money", "size", "none", "x"]),
        "size_score": st.integers(-1, 4),
        "polarity": st.sampled_from(["positive", "negative", None]),
        "pattern": st.fixed_dictionaries({"rubrik": texts(1000), "hander": texts(1000)}),
        "direct_value": st.fixed_dictionaries({"low": number, "likely": number, "high": number, "source": texts(5000)}),
        "year_profile": st.lists(number, max_size=32),
        "position": number,
    }
    node_skel = {
        "node_type": "nytta",
        "title": "Kortare väntan",
        "category": "kvalitet",
        "valuation": "size",
        "size_score": 2,
        "polarity": "positive",
    }
    row_data = {
        "name": st.sampled_from(["antal", "tid", "Ä", "1a", "a b", "x" * 61, "antal_besok"]),
        "label": texts(300),
        "unit": texts(40),
        "low": number,
        "likely": number,
        "high": number,
        "source": texts(5000),
        "proposal": number,
        "position": number,
    }
    row_skel = {
        "name": "antal",
        "label": "Antal",
        "unit": "st",
        "low": 1,
        "likely": 2,
        "high": 3,
        "source": "",
        "proposal": 2,
    }
    factor_skel = {
        "name": "timlon",
        "label": "Timlön",
        "unit": "kr",
        "low": 300,
        "likely": 400,
        "high": 500,
        "source": "SKR",
        "year": 2024,
    }
    frame = {
        "name_of_change": "Digitala lås",
        "horizon": 6,
        "discount_rate": 0.03,
        "convention": "A",
        "start_year": 2025,
        "comparison": [{"aspect": "Nycklar", "a": "Fysiska", "b": "Digitala"}],
        "perspectives": [{"kind": "invanare", "label": "Brukare"}],
    }
    frame_fields = {
        "horizon": number,
        "discount_rate": number,
        "start_year": number,
        "convention": st.sampled_from(["A", "B", "C", ""]),
        "name_of_change": texts(300),
        "comparison": st.lists(
            st.one_of(
                junk(big=False), st.fixed_dictionaries({"aspect": texts(200), "a": texts(1000), "b": texts(1000)})
            ),
            max_size=52,
        ),
        "perspectives": st.lists(
            st.fixed_dictionaries({"kind": st.sampled_from(list(PERSPECTIVE_KINDS) + ["x"]), "label": texts(200)}),
            max_size=32,
        ),
    }
    data = lambda skel, fields: mutate(skel, fields)  # noqa: E731
    return {
        "frame.update": mutate({"data": frame}, {"data": data(frame, frame_fields)}),
        "uncertainty.set": mutate(
            {"data": {"area": "Nyttorna", "level": "low", "motivation": ""}},
            {
                "data": data(
                    {"area": "Nyttorna", "level": "low", "motivation": ""},
                    {
                        "area": texts(200),
                        "level": st.sampled_from(["low", "medium", "high", "", "låg", None]),
                        "motivation": texts(5000),
                    },
                )
            },
        ),
        "node.add": mutate({"data": node_skel}, {"data": data(node_skel, node_data)}),
        "node.add_after": mutate({"from": 1, "data": node_skel}, {"from": node, "data": data(node_skel, node_data)}),
        "node.update": mutate({"id": 1, "data": node_skel}, {"id": node, "data": data(node_skel, node_data)}),
        "node.delete": mutate({"id": 1}, {"id": node}),
        "node.merge": mutate({"id": 1, "target": 2}, {"id": node, "target": node}),
        "link.add": mutate({"from": 1, "to": 2}, {"from": node, "to": node}),
        "link.delete": mutate({"from": 1, "to": 2}, {"from": node, "to": node}),
        "block.set": mutate(
            {"node_id": 1, "data": {"formula": "antal * 2", "hours_formula": "", "notes": ""}},
            {
                "node_id": node,
                "data": data(
                    {"formula": "antal", "hours_formula": "", "notes": ""},
                    {"formula": formula, "hours_formula": formula, "notes": texts(5000)},
                ),
            },
        ),
        "row.add": mutate({"node_id": 1, "data": row_skel}, {"node_id": node, "data": data(row_skel, row_data)}),
        "row.update": mutate({"id": 1, "data": row_skel}, {"id": row, "data": data(row_skel, row_data)}),
        "row.delete": mutate({"id": 1}, {"id": row}),
        "factor.add": mutate({"data": factor_skel}, {"data": data(factor_skel, {**row_data, "year": number})}),
        "factor.update": mutate(
            {"id": 1, "data": {"label": "Timlön", "low": 1}},
            {"id": factor, "data": data({"label": "x", "low": 1}, {**row_data, "year": number})},
        ),
        "factor.delete": mutate({"id": 1}, {"id": factor}),
    }


def console_events(world: World) -> dict[str, st.SearchStrategy]:
    from workshop.draft.ops import OPS

    act, resp = ids(world, "activity"), ids(world, "response")
    args = draft_args(world)
    missing = set(OPS) - set(args)
    assert not missing, f"fuzz strategies missing for draft ops {sorted(missing)}"

    @st.composite
    def draft(draw):
        op = draw(st.sampled_from(sorted(OPS))) if draw(st.integers(0, 19)) else draw(junk(big=False))
        a = draw(args[op]) if isinstance(op, str) and op in args else draw(junk())
        body = {"op": op, "args": a}
        if draw(st.integers(0, 9)) == 0:
            return draw(mutate(body, {"op": st.just(op), "args": st.just(a)}))
        return body

    @st.composite
    def configure(draw):
        kind = draw(st.sampled_from(sorted(world.acts)))
        body = {
            "activity_id": draw(st.one_of(st.just(world.acts[kind]), act)),
            "config": draw(config_payloads(world, kind)),
        }
        return body if draw(st.integers(0, 4)) else draw(mutate(body, {k: st.just(v) for k, v in body.items()}))

    return {
        "goto": mutate({"activity_id": 1}, {"activity_id": act}),
        "step": mutate(
            {"delta": 1},
            {"delta": st.one_of(st.sampled_from([-1, 1, 0, 2, True, False, 1.0, -1.0, "1"]), st.integers())},
        ),
        "set": mutate(
            {"activity_id": 1, "flag": "locked", "value": True},
            {
                "activity_id": act,
                "flag": st.sampled_from(
                    [
                        "locked",
                        "revealed",
                        "results_visible",
                        "timer_closes",
                        "results_hidden",
                        "split_voters",
                        "generation",
                        "workshop_id",
                        "__class__",
                        "id",
                    ]
                ),
                "value": st.one_of(st.booleans(), st.sampled_from([0, 1, "true", None, 2])),
            },
        ),
        "timer_start": mutate(
            {"activity_id": 1, "seconds": 60},
            {
                "activity_id": act,
                "seconds": st.one_of(
                    st.integers(-10, 10**6),
                    st.sampled_from([None, 9, 10, 604800, 604801, 2**63, 60.0, True, "60", float("inf")]),
                ),
            },
        ),
        "timer_extend": mutate(
            {"activity_id": 1, "seconds": 30},
            {
                "activity_id": act,
                "seconds": st.one_of(
                    st.integers(-10, 10**6), st.sampled_from([None, 9, 10, 604801, 2**63, 30.0, True, "30"])
                ),
            },
        ),
        "timer_stop": mutate({"activity_id": 1}, {"activity_id": act}),
        "approve_all": mutate({"activity_id": 1}, {"activity_id": act}),
        "reset": mutate({"activity_id": 1}, {"activity_id": act}),
        "moderate": mutate(
            {"activity_id": 1, "response_id": 1, "action": "hide", "target_id": None},
            {
                "activity_id": act,
                "response_id": resp,
                "target_id": resp,
                "action": st.sampled_from(
                    ["approve", "hide", "show", "delete", "merge", "answered", "unanswered", "destroy", "", "HIDE"]
                ),
            },
        ),
        "configure": configure(),
        "draft": draft(),
        "draft_snapshot": junk(),
        "snapshot": junk(),
    }


# --- HTTP payloads --------------------------------------------------------------------------------


def form_text(limit: int = 300) -> st.SearchStrategy:
    """Form field text: no lone surrogates (a browser cannot send them in a form)."""
    nasty = [t for t in NASTY_TEXT if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    return st.one_of(
        st.text(st.characters(exclude_categories=["Cs"]), max_size=min(limit, 60)),
        st.sampled_from(nasty),
        st.integers(max(0, limit - 2), limit + 2).map(lambda n: "å" * n),
        st.sampled_from(BIG_SIZES[:2]).map(lambda n: "x" * n),
    )


def form_fields(skeleton: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A form: each field from its strategy or any text, sometimes missing, sometimes extra."""

    @st.composite
    def one(draw):
        out = {}
        for name, strat in skeleton.items():
            r = draw(st.integers(0, 9))
            if r == 0:
                continue
            out[name] = draw(strat) if r > 3 else draw(form_text(400))
        if draw(st.integers(0, 5)) == 0:
            out[draw(st.text(min_size=1, max_size=10))] = draw(form_text())
        return out

    return one()


def json_junk() -> st.SearchStrategy:
    return junk(binary=False, surrogates=True)


def join_bodies(world: World) -> st.SearchStrategy:
    code = st.one_of(
        st.just(world.code),
        st.just(world.foreign_code),
        st.just(world.live_code),
        st.just(world.code[:4] + " " + world.code[4:]),
        st.text(alphabet="0123456789 -", max_size=12),
        st.sampled_from(["１２３４５６７８", "١٢٣٤٥٦٧٨", "00000000", "1234567\u0661"]),
    )
    token = st.one_of(st.just(world.joined["token"]), st.text(max_size=70), st.just("x" * 32))
    return mutate(
        {"code": world.code, "nickname": "Greta", "perspective": "Brukare", "token": "t" * 32},
        {
            "code": code,
            "nickname": texts(40),
            "perspective": st.sampled_from(["Brukare", "Solstad kommun", "", "x"]),
            "token": token,
        },
        binary=False,
    )


def raw_bodies() -> st.SearchStrategy:
    """Request bodies that are no valid JSON document at all."""
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [
                b"",
                b"{",
                b"[" * 100_000,
                b'{"a":' * 50_000,
                b"\xff\xfe\x00",
                b"null",
                b"NaN",
                b'{"code": NaN}',
                b"\xef\xbb\xbf{}",
                b'{"code": "\\ud800"}',
                b"1e999999",
                b"[" * 2000 + b"]" * 2000,
            ]
        ),
        st.sampled_from(BIG_SIZES).map(lambda n: b'"' + b"x" * n + b'"'),
    )


def export_doc(world: World) -> dict[str, Any]:
    r = world.owner.get(f"/f/w/{world.ws}/export.json")
    assert r.status_code == 200, r.status_code
    return json.loads(r.get_data(as_text=True))


def import_files(world: World) -> st.SearchStrategy:
    """Upload bodies for /f/import: a real export mutated anywhere in its tree, or junk."""
    doc = export_doc(world)

    @st.composite
    def mutated(draw):
        d = json.loads(json.dumps(doc))
        for _ in range(draw(st.integers(1, 4))):
            # walk to a random place and replace it
            node, path = d, []
            for _depth in range(draw(st.integers(0, 5))):
                if isinstance(node, dict) and node:
                    k = draw(st.sampled_from(sorted(node)))
                elif isinstance(node, list) and node:
                    k = draw(st.integers(0, len(node) - 1))
                else:
                    break
                path.append(k)
                node = node[k]
            if not path:
                continue
            parent = d
            for k in path[:-1]:
                parent = parent[k]
            parent[path[-1]] = draw(junk(binary=False, surrogates=False, big=False))
        return json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")

    plain = json_junk().map(lambda v: json.dumps(v).encode())
    return st.one_of(mutated(), mutated(), mutated(), plain, raw_bodies())


# --- running one case --------------------------------------------------------------------------


class Checker:
    """Runs cases against a ``World`` and collects problems; counts per endpoint."""

    def __init__(self, world: World, probe_every: int = 1):
        self.w = world
        self.counts: dict[str, int] = {}
        self.accepted: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.probe_every = probe_every
        self._since_probe = 0

    def _count(self, endpoint: str, accepted: bool) -> None:
        self.counts[endpoint] = self.counts.get(endpoint, 0) + 1
        if accepted:
            self.accepted[endpoint] = self.accepted.get(endpoint, 0) + 1

    def _add(self, p: Problem) -> Problem:
        self.problems.append(p)
        return p

    # -- sockets ---------------------------------------------------------------------------
    def socket(
        self, endpoint: str, tc, namespace: str, event: str, payload: Any, no_payload: bool = False, case: Any = None
    ) -> list[Problem]:
        found: list[Problem] = []
        if case is None:
            case = {"event": event, "data": payload} if "unknown event" in endpoint else payload
        w = self.w
        w.drain()
        w.errors.clear()
        before = fingerprint(w.app)
        try:
            if no_payload:
                ack = tc.emit(event, namespace=namespace, callback=True)
            else:
                ack = tc.emit(event, payload, namespace=namespace, callback=True)
        except Exception as exc:
            found.append(
                self._add(Problem(endpoint, "exception", "".join(traceback.format_exception(exc))[-2000:], case))
            )
            self._count(endpoint, False)
            return found
        after = fingerprint(w.app)
        accepted = isinstance(ack, dict) and ack.get("ok") is True
        self._count(endpoint, accepted)
        if not isinstance(ack, dict) or not isinstance(ack.get("ok"), bool):
            found.append(self._add(Problem(endpoint, "unclear", f"ack is not {{ok: bool}}: {ack!r}"[:500], case)))
        elif not accepted:
            err = ack.get("error")
            if (
                not isinstance(err, dict)
                or not isinstance(err.get("code"), str)
                or not (err.get("message") or "").strip()
            ):
                found.append(
                    self._add(Problem(endpoint, "unclear", f"refusal without code/message: {ack!r}"[:500], case))
                )
            elif err["code"] == "server":
                found.append(
                    self._add(
                        Problem(
                            endpoint,
                            "server_error",
                            f"ack {ack!r}"[:300] + "\n" + (w.errors[-1] if w.errors else ""),
                            case,
                        )
                    )
                )
            if before != after:
                found.append(
                    self._add(
                        Problem(endpoint, "changed_on_refusal", f"{diff(before, after)}; ack {ack!r}"[:500], case)
                    )
                )
        bad = json_problem(ack)
        if bad:
            found.append(self._add(Problem(endpoint, "not_json", f"ack: {bad}", case)))
        for msg in w.drain():
            bad = json_problem(msg.get("args"))
            if bad:
                found.append(self._add(Problem(endpoint, "not_json", f"event {msg.get('name')}: {bad}", case)))
        if accepted and self.probe_every:
            self._since_probe += 1
            if self._since_probe >= self.probe_every:
                self._since_probe = 0
                found.extend(self.probe(endpoint, payload))
        return found

    def connect(self, endpoint: str, namespace: str, auth: Any, flask_client=None) -> list[Problem]:
        """A connection attempt with ``auth``: refused cleanly (or accepted for a right one)."""
        found: list[Problem] = []
        w = self.w
        before = fingerprint(w.app)
        try:
            tc = w.h.socket_client(w.app, namespace, auth, flask_client)
        except Exception as exc:
            found.append(
                self._add(Problem(endpoint, "exception", "".join(traceback.format_exception(exc))[-2000:], auth))
            )
            self._count(endpoint, False)
            return found
        connected = tc.is_connected(namespace)
        self._count(endpoint, connected)
        if connected:
            tc.disconnect(namespace)
        else:
            refusal = tc.refusal(namespace)
            data = refusal.get("data") if isinstance(refusal, dict) else None
            if not isinstance(data, dict) or not data.get("code") or not data.get("message"):
                found.append(self._add(Problem(endpoint, "unclear", f"refusal {refusal!r}"[:300], auth)))
        if fingerprint(w.app) != before:
            found.append(self._add(Problem(endpoint, "changed_on_refusal", "a connection attempt changed data", auth)))
        return found

    def raw_socket(self, endpoint: str, tc, encoded: str | bytes) -> list[Problem]:
        """A hand-made Socket.IO packet (e.g. nesting no client library would encode)."""
        found: list[Problem] = []
        w = self.w
        before = fingerprint(w.app)
        tc.acks = None
        try:
            from workshop.extensions import socketio

            socketio.server._handle_eio_message(tc.eio_sid, encoded)
        except Exception as exc:
            found.append(
                self._add(
                    Problem(endpoint, "exception", "".join(traceback.format_exception(exc))[-3000:], encoded[:80])
                )
            )
        self._count(endpoint, False)
        if fingerprint(w.app) != before:
            found.append(self._add(Problem(endpoint, "changed_on_refusal", "raw packet changed data", encoded[:80])))
        return found

    # -- HTTP ------------------------------------------------------------------------------
    def http(
        self,
        endpoint: str,
        client,
        method: str,
        path: str,
        refused: Callable[[Any], bool] | None = None,
        json_api: bool = False,
        **kw,
    ) -> list[Problem]:
        """One request. ``refused(response)`` says whether the app refused it; refused requests
        must leave the data unchanged. 500s and exceptions are always problems."""
        found: list[Problem] = []
        w = self.w
        w.errors.clear()
        before = fingerprint(w.app)
        case = {"method": method, "path": path[:200], **{k: _short(v) for k, v in kw.items()}}
        try:
            r = client.open(path, method=method, **kw)
        except Exception as exc:
            found.append(
                self._add(Problem(endpoint, "exception", "".join(traceback.format_exception(exc))[-2000:], case))
            )
            self._count(endpoint, False)
            return found
        after = fingerprint(w.app)
        is_refused = r.status_code >= 400 or (refused(r) if refused else False)
        self._count(endpoint, not is_refused)
        if r.status_code >= 500:
            found.append(
                self._add(
                    Problem(
                        endpoint, "server_error", f"HTTP {r.status_code}: " + (w.errors[-1] if w.errors else ""), case
                    )
                )
            )
        if is_refused and before != after:
            found.append(
                self._add(Problem(endpoint, "changed_on_refusal", f"HTTP {r.status_code}: {diff(before, after)}", case))
            )
        if json_api and r.status_code < 500:
            body = r.get_json(silent=True)
            if not isinstance(body, dict) or (
                r.status_code >= 400
                and not (
                    isinstance(body.get("error"), dict) and body["error"].get("code") and body["error"].get("message")
                )
            ):
                found.append(
                    self._add(Problem(endpoint, "unclear", f"HTTP {r.status_code} body {r.get_data()[:200]!r}", case))
                )
        elif r.status_code in (400, 404, 405, 413, 429) and not r.get_data():
            found.append(self._add(Problem(endpoint, "unclear", f"HTTP {r.status_code} with an empty body", case)))
        r.close()
        if not is_refused and before != after and self.probe_every:
            self._since_probe += 1
            if self._since_probe >= self.probe_every:
                self._since_probe = 0
                found.extend(self.probe(endpoint, case))
        return found

    # -- after an accepted change: do the views still work? ----------------------------------
    def probe(self, endpoint: str, case: Any) -> list[Problem]:
        """What an accepted input must not break: snapshots on every socket, the broadcast
        flush, and the facilitator's pages and downloads."""
        w = self.w
        found: list[Problem] = []
        w.heal()  # (an accepted archive closes the phone page: reopen first, as between cases)
        w.refresh()
        for tc, ns, event in (
            (w.phone, PHONE, "snapshot"),
            (w.screen, SCREEN, "snapshot"),
            (w.console, CONSOLE, "snapshot"),
            (w.console, CONSOLE, "draft_snapshot"),
        ):
            try:
                ack = tc.emit(event, {}, namespace=ns, callback=True)
            except Exception as exc:
                found.append(self._add(Problem(endpoint, "probe", f"{ns} {event} raised {exc!r}", case)))
                continue
            if not (isinstance(ack, dict) and ack.get("ok") is True):
                found.append(
                    self._add(Problem(endpoint, "probe", f"{ns} {event} after an accepted input: {ack!r}"[:500], case))
                )
            bad = json_problem(ack)
            if bad:
                found.append(self._add(Problem(endpoint, "probe", f"{ns} {event} not strict JSON: {bad}", case)))
        try:
            with w.app.app_context():
                w.app.extensions["broadcaster"].phone_interval = 0
                w.app.extensions["broadcaster"].flush()
        except Exception as exc:
            found.append(
                self._add(
                    Problem(
                        endpoint,
                        "probe",
                        "broadcast flush raised " + "".join(traceback.format_exception(exc))[-1500:],
                        case,
                    )
                )
            )
        for msg in w.drain():
            bad = json_problem(msg.get("args"))
            if bad:
                found.append(
                    self._add(Problem(endpoint, "probe", f"broadcast {msg.get('name')} not strict JSON: {bad}", case))
                )
        pages = [
            f"/f/w/{w.ws}",
            f"/f/w/{w.ws}/analysis",
            f"/f/w/{w.ws}/report",
            f"/f/w/{w.ws}/export.json",
            "/f/",
            f"/f/w/{w.ws}/console",
        ]
        pages += [f"/f/w/{w.ws}/a/{a}.csv" for a in w.acts.values()]
        self._page_turn = (getattr(self, "_page_turn", -1) + 1) % max(1, len(w.acts))
        pages.append(f"/f/w/{w.ws}/a/{sorted(w.acts.values())[self._page_turn]}")
        for path in pages:
            w.errors.clear()
            r = w.owner.get(path)
            if r.status_code != 200:
                found.append(
                    self._add(
                        Problem(
                            endpoint,
                            "probe",
                            f"GET {path} → {r.status_code} after an accepted input "
                            + (w.errors[-1] if w.errors else ""),
                            case,
                        )
                    )
                )
            r.close()
        for path in (f"/present/{w.ws}/{w.presenter_key}", f"/review/{w.ws}/{w.review_key}", f"/w/{w.code}"):
            r = w.anon.get(path)
            if r.status_code != 200:
                found.append(self._add(Problem(endpoint, "probe", f"GET {path} → {r.status_code}", case)))
            r.close()
        return found

    # -- reporting ---------------------------------------------------------------------------
    def merge(self, other: Checker) -> None:
        for k, n in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + n
        for k, n in other.accepted.items():
            self.accepted[k] = self.accepted.get(k, 0) + n
        self.problems.extend(other.problems)
        other.counts, other.accepted, other.problems = {}, {}, []

    def new_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.known_as() is None]

    def summary(self) -> str:
        lines = []
        for ep in sorted(self.counts):
            lines.append(f"  {ep:42s} {self.counts[ep]:6d} cases  {self.accepted.get(ep, 0):5d} accepted")
        return "\n".join(lines)


def _short(v: Any) -> Any:
    r = repr(v)
    return r if len(r) < 300 else r[:300] + "…"


def _last_log() -> str:
    return ""


# --- socket and HTTP case runners used by both the suite and bench/fuzz.py -------------------------


def raw_packets(namespace: str) -> list[str]:
    """Socket.IO EVENT packets no client library would produce."""
    ns = namespace + ","
    return [
        f'2{ns}1["submit",' + "[" * 50_000 + "]" * 50_000 + "]",
        f'2{ns}2["submit",' + '{"a":' * 20_000 + "1" + "}" * 20_000 + "]",
        f'2{ns}3["submit",{{"activity_id":1e999,"client_id":"x","payload":NaN}}]',
        f"2{ns}4[]",
        f"2{ns}5[1,2,3]",
        f"2{ns}6[null]",
        f"2{ns}7not json",
        f'2{ns}8["submit",{{"activity_id":' + "9" * 5000 + "}]",
        f'2{ns}9["\\ud800",{{}}]',
        f"2{ns}10" + '["submit","' + "x" * 1_100_000 + '"]',
    ]


def decoder_refusal(detail: str) -> bool:
    """An exception raised inside python-socketio/Engine.IO while they decode or dispatch a
    packet, before any handler of ours runs: on a server the library logs it and drops that
    packet; the connection stays. (Empty or non-string event names are caught this way only
    in the library: see finding F6's patch, which refuses them with an ack.)"""
    ours = ("/workshop/", "/participant/", "/facilitator/")
    # The app's pass-through guards around the library's dispatch (workshop/realtime/socketio_patches.py: refused
    # reserved event names, refused undecodable CONNECTs) are on every such traceback; they
    # hand other packets on unchanged, so they do not make the failure ours.
    detail = re.sub(r'File "[^"]*/workshop/realtime/socketio_patches\.py", line \d+, in guarded\n[^\n]*\n', "", detail)
    return ("site-packages/socketio/" in detail or "site-packages/engineio/" in detail) and not any(
        o in detail for o in ours
    )


STATUS_REFUSED_200 = re.compile(rb'class="error"|class="flash error"')


# --- the endpoint registry: (strategy, runner) per endpoint ---------------------------------------

EVENT_NAMES = [
    "connect",
    "disconnect",
    "message",
    "goto",
    "step",
    "set",
    "reset",
    "moderate",
    "configure",
    "draft",
    "draft_snapshot",
    "submit",
    "snapshot",
    "*",
    "",
    "__proto__",
    "x" * 1000,
]

SOCKET_ENDPOINTS = [
    "phone submit",
    "phone snapshot",
    "phone forget",
    "phone unknown event",
    "phone connect",
    "console goto",
    "console step",
    "console set",
    "console timer_start",
    "console timer_extend",
    "console timer_stop",
    "console approve_all",
    "console reset",
    "console moderate",
    "console configure",
    "console draft",
    "console draft_snapshot",
    "console snapshot",
    "console unknown event",
    "console connect",
    "screen snapshot",
    "screen goto",
    "screen step",
    "screen set",
    "screen timer_start",
    "screen timer_extend",
    "screen timer_stop",
    "screen unknown event",
    "screen connect",
]
HTTP_ENDPOINTS = [
    "POST /api/join json",
    "POST /api/join raw",
    "POST /login",
    "POST /setup",
    "POST /f/new",
    "POST /f/w/<id> settings",
    "POST /f/w/<id>/activities",
    "POST /f/w/<id>/a/<a> edit",
    "POST /f/w/<id>/a/<a>/move",
    "POST /f/w/<id>/a/<a>/delete",
    "POST /f/import",
    "POST /f/w/<id>/duplicate|archive|reopen",
    "POST /f/account",
    "POST /f/w/<id>/keys",
    "GET downloads and pages",
    "GET participant pages",
]


def event_names() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(EVENT_NAMES), st.text(max_size=30))


def socket_endpoint(world: World, name: str) -> tuple[st.SearchStrategy, Callable[[Checker, Any], list[Problem]]]:
    w = world
    if name == "phone submit":

        def run(c, v):
            kind, body = v
            return c.socket(f"phone submit {kind}", w.phone, PHONE, "submit", body)

        return submit_events(w), run
    if name == "phone forget":
        # Never the confirmed deletion (it would empty the world's phone): every case is one
        # the server must refuse, leaving the data as it was (tests/integration/test_forget_me.py
        # deletes for real).
        def forget(c, v):
            if isinstance(v, dict) and v.get("confirm") is True:
                v = {**v, "confirm": "yes"}
            return c.socket(name, w.phone, PHONE, "forget", v)

        return junk(), forget
    if name == "phone snapshot":
        return junk(), lambda c, v: c.socket(name, w.phone, PHONE, "snapshot", v)
    if name in ("phone unknown event", "console unknown event", "screen unknown event"):
        tc, ns = {"phone": (w.phone, PHONE), "console": (w.console, CONSOLE), "screen": (w.screen, SCREEN)}[
            name.split()[0]
        ]
        known_events = {
            "phone": {"submit", "snapshot"},
            "screen": {"snapshot", "goto", "step", "set", "timer_start", "timer_extend", "timer_stop"},
            "console": {
                "goto",
                "step",
                "set",
                "timer_start",
                "timer_extend",
                "timer_stop",
                "approve_all",
                "reset",
                "moderate",
                "configure",
                "draft",
                "draft_snapshot",
                "snapshot",
            },
        }[name.split()[0]]
        strat = st.tuples(
            event_names().filter(lambda e: e not in known_events),
            junk(big=False),
            st.one_of(st.none(), junk(big=False)),
        )

        def run(c, v, tc=tc, ns=ns):
            event, payload, extra = v
            if extra is None:
                return c.socket(f"{name}", tc, ns, event, payload)
            return c.socket(f"{name}", _TwoArgs(tc), ns, event, (payload, extra))

        return strat, run
    if name in ("phone connect", "console connect", "screen connect"):
        ns = {"phone": PHONE, "console": CONSOLE, "screen": SCREEN}[name.split()[0]]
        # (A CONNECT packet carries no binary, and a bare number would be read as a packet id
        # by the encoder: both are client-library limits, not server behaviour.)
        auth = st.one_of(
            junk(binary=False, big=False).map(lambda v: [v] if isinstance(v, (int, float)) else v),
            mutate(
                {"token": w.joined["token"]},
                {"token": st.one_of(st.text(max_size=70), st.just(w.joined["token"] + "x"))},
                binary=False,
            ),
            mutate(
                {"workshop_id": w.ws, "key": w.presenter_key},
                {
                    "workshop_id": ids(w, "workshop"),
                    "key": st.one_of(st.text(max_size=40), st.just(w.foreign_presenter_key)),
                },
                binary=False,
            ),
        )
        client = w.owner if ns == CONSOLE else None
        return auth, lambda c, v: c.connect(name, ns, v, client)
    if name.startswith("console "):
        event = name.split(" ", 1)[1]
        strat = console_events(w)[event]
        return strat, lambda c, v: c.socket(
            name if event != "draft" else f"console draft {_op(v)}", w.console, CONSOLE, event, v
        )
    if name == "screen snapshot":
        return junk(), lambda c, v: c.socket(name, w.screen, SCREEN, "snapshot", v)
    if name.startswith("screen "):
        # The steering events, from a presenter opened with the link alone: all refused.
        event = name.split(" ", 1)[1]
        return console_events(w)[event], lambda c, v: c.socket(name, w.screen, SCREEN, event, v)
    raise KeyError(name)


class _TwoArgs:
    """Emit an event with two arguments (the stock clients send one)."""

    def __init__(self, tc):
        self.tc = tc

    def emit(self, event, payload, namespace=None, callback=True):
        return self.tc.emit(event, *payload, namespace=namespace, callback=callback)


def _op(v: Any) -> str:
    op = v.get("op") if isinstance(v, dict) else None
    return op if isinstance(op, str) and len(op) < 20 and op.replace(".", "").isalpha() else "(junk op)"


def _redirected_to(r, pattern: str) -> bool:
    return r.status_code in (301, 302, 303) and re.search(pattern, r.headers.get("Location", "")) is not None


def http_endpoint(world: World, name: str, setup_app=None):
    from workshop.activities import all_kinds

    w = world
    ws_id = st.one_of(ids(w, "workshop"), st.text(max_size=8), st.sampled_from(["-1", "01", "1.0", "%00", "1e3"]))
    act_id = ids(w, "activity")
    yes = st.sampled_from(["1", "on", "", "0", "false"])
    workshop_form = {
        "title": form_text(200),
        "language": st.sampled_from(["sv", "en", "de", ""]),
        "mode": st.sampled_from(["live", "self_paced", "x"]),
        "open_until": st.one_of(
            st.sampled_from(
                [
                    "",
                    "2030-01-01T10:00",
                    "9999-12-31T23:59",
                    "0001-01-01T00:00",
                    "2030-01-01T10:00+14:00",
                    "2030-02-30T10:00",
                    "nu",
                    "inf",
                ]
            ),
            st.datetimes().map(lambda d: d.isoformat()),
        ),
        "ask_nickname": yes,
        "ask_perspective": yes,
        "perspectives": st.lists(form_text(130), max_size=25).map("\n".join),
        "template": st.sampled_from(["", "nine_steps", "forum_poll_deck", "../secret", "x" * 300, "nine_steps.json"]),
    }

    if name == "POST /api/join json":

        def run(c, v):
            return c.http(name, w.anon, "POST", "/api/join", json_api=True, json=v)

        return st.one_of(join_bodies(w), json_junk()), run
    if name == "POST /api/join raw":
        ctype = st.sampled_from(
            [
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json; charset=latin-1",
            ]
        )

        def run(c, v):
            body, ct = v
            return c.http(name, w.anon, "POST", "/api/join", json_api=True, data=body, content_type=ct)

        return st.tuples(raw_bodies(), ctype), run
    if name == "POST /login":
        form = form_fields(
            {"email": st.sampled_from([ANNA, BERTIL, "", "ANNA@SOLSTAD.SE "]), "password": form_text(), "remember": yes}
        )
        nxt = st.one_of(
            st.just(""), form_text(100), st.sampled_from(["//evil.example", "/\\evil", "javascript:alert(1)"])
        )

        def run(c, v):
            data, n = v
            return c.http(
                name,
                w.app.test_client(),
                "POST",
                "/login",
                query_string={"next": n},
                data=data,
                refused=lambda r: r.status_code == 200,
            )

        return st.tuples(form, nxt), run
    if name == "POST /setup":
        form = form_fields(
            {
                "email": st.sampled_from(["ny@solstad.se", "a@b", "x" * 250 + "@a.se"]),
                "password": form_text(210),
                "name": form_text(130),
            }
        )
        bare = setup_app or w.setup
        if bare is None:
            raise RuntimeError("World(app, setup=SetupWorld(...)) is needed for /setup")

        def run(c, v):
            sub = Checker(bare, probe_every=0)
            found = sub.http(
                name, bare.app.test_client(), "POST", "/setup", data=v, refused=lambda r: not _redirected_to(r, r"/f/$")
            )
            bare.clear_accounts()
            c.merge(sub)
            return found

        return form, run
    if name == "POST /f/new":
        return form_fields(workshop_form), lambda c, v: c.http(
            name, w.owner, "POST", "/f/new", data=v, refused=lambda r: not _redirected_to(r, r"/f/w/\d+$")
        )
    if name == "POST /f/w/<id> settings":

        def run(c, v):
            i, form = v
            return c.http(name, w.owner, "POST", f"/f/w/{i}", data=form, refused=lambda r: r.status_code == 200)

        return st.tuples(ws_id, form_fields(workshop_form)), run
    if name == "POST /f/w/<id>/activities":
        kinds = st.one_of(st.sampled_from(sorted(all_kinds())), form_text(40))

        def run(c, v):
            i, kind = v
            return c.http(
                name,
                w.owner,
                "POST",
                f"/f/w/{i}/activities",
                data={"kind": kind},
                refused=lambda r: not _redirected_to(r, r"/a/\d+$"),
            )

        return st.tuples(ws_id, kinds), run
    if name == "POST /f/w/<id>/a/<a> edit":

        @st.composite
        def edit(draw):
            kind = draw(st.sampled_from(sorted(w.acts)))
            k = all_kinds()[kind]
            fields: dict[str, st.SearchStrategy] = {
                "title": form_text(300),
                "results_hidden": yes,
                "timer_minutes": st.one_of(
                    st.sampled_from(["", "1", "0,5", "-1", "inf", "nan", "1e308", "1e400", "10081", "0.1", "١", "1_0"]),
                    st.floats(allow_nan=True, allow_infinity=True).map(str),
                ),
            }
            for f in k.config_fields:
                if f.type == "int":
                    fields[f"cfg_{f.name}"] = st.one_of(
                        st.integers(-5, 3000).map(str), st.sampled_from(["", "1.5", "1e3", "9" * 5000, "٣", "0x10"])
                    )
                elif f.type == "bool":
                    fields[f"cfg_{f.name}"] = yes
                elif f.type == "lines":
                    fields[f"cfg_{f.name}"] = st.lists(form_text(130), max_size=15).map("\n".join)
                else:
                    fields[f"cfg_{f.name}"] = form_text(2000)
            form = draw(form_fields(fields))
            ws_choice = draw(st.one_of(st.just(w.ws), ws_id))
            act = draw(st.one_of(st.just(w.acts[kind]), act_id))
            return ws_choice, act, form

        def run(c, v):
            i, a, form = v
            return c.http(name, w.owner, "POST", f"/f/w/{i}/a/{a}", data=form, refused=lambda r: r.status_code == 200)

        return edit(), run
    if name == "POST /f/w/<id>/a/<a>/move":

        def run(c, v):
            i, a, d = v
            return c.http(name, w.owner, "POST", f"/f/w/{i}/a/{a}/move", data={"direction": d})

        return st.tuples(
            st.one_of(st.just(w.ws), ws_id), act_id, st.one_of(st.sampled_from(["up", "down"]), form_text(20))
        ), run
    if name == "POST /f/w/<id>/a/<a>/delete":
        # Own activities are never deleted here (the world needs them): only foreign and wrong ids.
        wrong_act = st.one_of(
            st.integers(0, 10**6).map(lambda i: w.pick("foreign_activity", i)),
            st.sampled_from([0, -1, 2**63, 10**30, "x", "1.0"]),
        )

        def run(c, v):
            i, a = v
            return c.http(name, w.owner, "POST", f"/f/w/{i}/a/{a}/delete", data={})

        return st.tuples(st.one_of(st.just(w.ws), ws_id), wrong_act), run
    if name == "POST /f/import":
        filename = st.sampled_from(["export.json", "", "x.txt", "../../etc/passwd", "ä.json", "a" * 300])

        def run(c, v):
            body, fname, field_name = v
            data = {field_name: (io.BytesIO(body), fname)} if fname is not None else {}
            return c.http(
                name,
                w.owner,
                "POST",
                "/f/import",
                data=data,
                content_type="multipart/form-data",
                refused=lambda r: not _redirected_to(r, r"/f/w/\d+$"),
            )

        return st.tuples(
            import_files(w), st.one_of(filename, st.none()), st.sampled_from(["file", "file", "upload"])
        ), run
    if name == "POST /f/w/<id>/duplicate|archive|reopen":

        def run(c, v):
            i, action = v
            out = c.http(name, w.owner, "POST", f"/f/w/{i}/{action}", data={})
            w.heal()
            return out

        return st.tuples(ws_id, st.sampled_from(["duplicate", "archive", "reopen"])), run
    if name == "POST /f/account":
        # Never a valid change: the world's owner keeps the password the other cases log in
        # with. A correct current password comes with a repeat that differs from the new one.
        form = form_fields(
            {
                "current": st.one_of(st.just(PASSWORD), form_text(100)),
                "new": form_text(300),
                "repeat": form_text(300),
            }
        )

        def run(c, v):
            if v.get("current") == PASSWORD and v.get("repeat") == v.get("new"):
                v = {**v, "repeat": str(v.get("new")) + "x"}
            return c.http(name, w.owner, "POST", "/f/account", data=v, refused=lambda r: True)

        return form, run
    if name == "POST /f/w/<id>/keys":
        which = st.one_of(st.sampled_from(["presenter", "review", "", "PRESENTER"]), form_text(30))
        client = st.sampled_from(["owner", "other", "anon"])

        def run(c, v):
            i, wh, who = v
            out = c.http(name, getattr(w, who), "POST", f"/f/w/{i}/keys", data={"which": wh})
            w.reload_keys()
            w.heal()
            return out

        return st.tuples(st.one_of(ws_id, st.just(w.foreign_ws)), which, client), run
    if name == "GET downloads and pages":
        key = st.one_of(
            st.just(w.presenter_key),
            st.just(w.foreign_presenter_key),
            st.just(w.review_key or "x"),
            st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80),
        )
        paths = st.one_of(
            st.tuples(ws_id, act_id).map(lambda t: f"/f/w/{t[0]}/a/{t[1]}.csv"),
            st.tuples(ws_id, act_id).map(lambda t: f"/f/w/{t[0]}/a/{t[1]}"),
            ws_id.map(lambda i: f"/f/w/{i}/export.json"),
            ws_id.map(lambda i: f"/f/w/{i}/report"),
            ws_id.map(lambda i: f"/f/w/{i}/analysis"),
            ws_id.map(lambda i: f"/f/w/{i}/console"),
            ws_id.map(lambda i: f"/f/w/{i}"),
            st.tuples(ws_id, key).map(lambda t: f"/present/{t[0]}/{t[1]}"),
            st.tuples(ws_id, key).map(lambda t: f"/review/{t[0]}/{t[1]}"),
        )
        client = st.sampled_from(["owner", "other", "anon"])

        def run(c, v):
            path, who = v
            return c.http(name, getattr(w, who), "GET", path)

        return st.tuples(paths, client), run
    if name == "GET participant pages":
        code = st.one_of(
            st.just(w.code),
            st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
            st.sampled_from(["00000000", "１２３４５６７８", "1234 5678", "x" * 5000]),
        )
        paths = st.one_of(
            code.map(lambda x: ("/j/" + x, None)),
            code.map(lambda x: ("/w/" + x, None)),
            code.map(lambda x: ("/qr/" + x + ".svg", None)),
            code.map(lambda x: ("/", {"code": x})),
            code.map(lambda x: ("/", {"code": x, "lang": x})),
        )

        def run(c, v):
            path, qs = v
            return c.http(name, w.anon, "GET", path, query_string=qs)

        return paths, run
    raise KeyError(name)
