"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against a real
``workshop serve`` process (the ``live_server`` fixture in tests/conftest.py).

Every page opened through ``open_page`` reports its JavaScript console errors and uncaught
exceptions; a test fails if any appear (a test may ``js_errors.allow(...)`` what it causes on
purpose, such as refused connections while the server restarts).

Screenshots go to ``test-artifacts/`` (gitignored) so a person can look at them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def js_half_complete(key: str) -> bool:
    """The kind's JS module exists and exports phone, presenter and console."""
    path = ROOT / "static" / "js" / "kinds" / f"{key}.js"
    source = path.read_text() if path.exists() else ""
    return all(
        re.search(rf"export\s+(?:async\s+)?(?:function|const|let)\s+{name}\b", source)
        for name in ("phone", "presenter", "console")
    )


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PRESENTER = {"viewport": {"width": 1920, "height": 1080}}
SIZES = {"phone": PHONE, "desktop": DESKTOP, "presenter": PRESENTER}

JS_ERRORS = pytest.StashKey["JSErrors"]()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class JSErrors:
    """Console errors and uncaught exceptions of every page a test opened."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Tolerate errors matching ``pattern`` from now on (for failures a test causes)."""
        self._allowed.append(re.compile(pattern))

    def add(self, where: str, text: str) -> None:
        if not any(p.search(text) for p in self._allowed):
            self.errors.append(f"[{where}] {text}")

    def watch(self, page, name: str) -> None:
        def on_console(msg):
            if msg.type == "error":
                loc = msg.location or {}
                self.add(name, f"{msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.add(name, f"uncaught: {exc}"))

    def check(self) -> None:
        if self.errors:
            found, self.errors = self.errors, []
            raise AssertionError("JavaScript errors in the browser:\n" + "\n".join(found))


@pytest.fixture
def js_errors(request) -> JSErrors:
    errs = JSErrors()
    request.node.stash[JS_ERRORS] = errs
    return errs


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test (not just its teardown) when a page logged a JavaScript error."""
    result = yield
    errs = item.stash.get(JS_ERRORS, None)
    if errs is not None:
        errs.check()
    return result


@pytest.fixture
def open_page(browser, live_server, js_errors):
    """``open_page(name, size="desktop"|"phone"|"presenter", **context_options)``: a page in its
    own browser context (its own cookies and localStorage, like a separate device)."""
    contexts = []

    def make(name: str, size: str = "desktop", **options):
        ctx = browser.new_context(base_url=live_server.url, locale="sv-SE", **{**SIZES[size], **options})
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        js_errors.watch(page, name)
        return page

    yield make
    for ctx in contexts:
        try:
            ctx.close()
        except Exception:  # the browser may already be gone after a failure
            pass
    # Errors logged after the test body finished (e.g. while closing) still count.
    js_errors.check()


def form_values(html: str) -> dict[str, str]:
    """What a browser would submit from the page's forms (text fields, textareas, ticked boxes)."""
    from html.parser import HTMLParser

    values: dict[str, str] = {}

    class Parser(HTMLParser):
        textarea: str | None = None

        select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select:
                # The first option unless another is marked selected, as a browser does.
                if self.select not in values or "selected" in a:
                    values[self.select] = a.get("value") or ""
            elif tag == "textarea" and name:
                self.textarea = name
                values[name] = ""
            elif tag == "input" and name and name != "csrf_token":
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        values[name] = a.get("value") or "on"
                else:
                    values[name] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.textarea:
                values[self.textarea] += data

    Parser().feed(html)
    for key, value in values.items():
        if value.startswith("\n"):  # the HTML parser keeps the newline browsers drop
            values[key] = value[1:]
    return values


class UI:
    """Helpers the tests share, handed out by the ``ui`` fixture (tests/ is not a package)."""

    def __init__(self, live_server):
        # tests/conftest.py as pytest loaded it (its module name "conftest" is shared with
        # this file, so reach it through the server class): PASSWORD and LiveServer.
        self.server = live_server
        shared = type(live_server).__init__.__globals__
        self.password: str = shared["PASSWORD"]
        self.LiveServer = shared["LiveServer"]
        self.csrf_from = shared["csrf_from"]

    @staticmethod
    def complete_kinds() -> list[str]:
        """Every activity kind of the registry. A kind is one Python module plus one JS module
        that exports phone, presenter and console: a kind without its JS half fails the test
        that asks, rather than being left out of it."""
        from workshop.activities import all_kinds

        missing = [key for key in sorted(all_kinds()) if not js_half_complete(key)]
        assert not missing, f"activity kinds without a complete JS module in static/js/kinds/: {missing}"
        return sorted(all_kinds())

    @staticmethod
    def shot(page, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def login(self, page, email: str = "anna@solstad.se") -> None:
        """Log in through the login form, as a facilitator would."""
        from playwright.sync_api import expect

        page.goto("/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(self.password)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/f/$"))

    def workshop(
        self,
        title: str,
        activities,
        mode: str = "live",
        ask_nickname: bool = True,
        perspectives: list[str] | None = None,
    ) -> dict:
        """Set a workshop up over plain HTTP (the editor's own forms, without a browser), for
        tests whose subject is not the editor. ``activities``: [(kind, form fields)], e.g.
        ("multiple_choice", {"title": "...", "cfg_options": "Ja\\nNej"}). ``perspectives``: phones
        are asked which one they represent.

        Returns {id, code, presenter_url, activity_ids}."""
        session = self.server.facilitator_session()
        base = self.server.url

        def post(path: str, page_url: str, data: dict):
            token = self.csrf_from(session.get(page_url).text)
            r = session.post(base + path, data={"csrf_token": token, **data})
            r.raise_for_status()
            return r

        fields = {"title": title, "language": "sv", "mode": mode}
        if ask_nickname:
            fields["ask_nickname"] = "1"
        if perspectives:
            fields.update(ask_perspective="1", perspectives="\n".join(perspectives))
        r = post("/f/new", base + "/f/new", fields)
        ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
        edit_url = r.url
        ids = []
        for kind, form in activities:
            r = post(f"/f/w/{ws_id}/activities", edit_url, {"kind": kind})
            act_url = r.url
            act_id = int(re.search(r"/a/(\d+)$", act_url).group(1))
            # Like a browser: the form's current values, with ours typed over them.
            r = post(f"/f/w/{ws_id}/a/{act_id}", act_url, {**form_values(session.get(act_url).text), **form})
            assert re.search(rf"/f/w/{ws_id}(#|$)", r.url), f"activity form refused: {r.url}"
            ids.append(act_id)
        html = session.get(edit_url).text
        return {
            "id": ws_id,
            "code": re.search(r'href="[^"]*/j/(\d{8})"', html).group(1),
            "presenter_url": re.search(r'href="(/present/\d+/[^"]+)"', html).group(1),
            "activity_ids": ids,
        }

    @staticmethod
    def axe_start(page) -> None:
        """Start axe-core on the page as it is now (pages run in parallel; see ``axe_result``).

        The page's context must be opened with ``bypass_csp=True``: the app's CSP (rightly)
        refuses the inline script that injects axe."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        page.evaluate("() => { window.__axeRun = axe.run(document, {resultTypes: ['violations']}); }")

    @staticmethod
    def axe_result(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
        """The violations with one of ``impacts`` from the run ``axe_start`` began."""
        result = page.evaluate("async () => await window.__axeRun")
        assert len(result["passes"]) > 10, "axe did not really check the page"
        return [v for v in result["violations"] if v.get("impact") in impacts]

    def axe(self, page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
        """Run axe-core on the page as it is now; the violations with one of ``impacts``."""
        self.axe_start(page)
        return self.axe_result(page, impacts)

    @staticmethod
    def describe(violations: list[dict]) -> str:
        lines = []
        for v in violations:
            lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
            for node in v["nodes"][:6]:
                summary = (node.get("failureSummary") or "").strip().replace("\n", " | ")
                lines.append(f"    {node['target']}: {summary[:300]}")
        return "\n".join(lines)


@pytest.fixture
def ui(live_server) -> UI:
    return UI(live_server)
