"""The guard every browser test relies on: errors in a page fail the test.

Every page opened through ``open_page`` is watched by ``JSErrors`` (tests/e2e/conftest.py). This
proves the watch sees console errors, uncaught exceptions and Content-Security-Policy refusals,
so a page that breaks, or a template that slips in an inline script or style, turns the suite
red. (It serves its own page with the app's real CSP header, so it needs no server.)
"""

from __future__ import annotations

import pytest

from workshop.security import CSP

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>probe</title></head>
<body><main><h1>probe</h1></main></body></html>"""


def test_page_errors_are_collected(browser, js_errors):
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        js_errors.watch(page, "probe")
        page.route(
            "http://probe.test/**",
            lambda route: route.fulfill(
                status=200,
                body=PAGE,
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
            ),
        )
        page.goto("http://probe.test/")
        assert js_errors.errors == []

        page.evaluate("console.error('probe: console error')")
        page.evaluate("setTimeout(() => { throw new Error('probe: uncaught') })")
        page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = true';
            document.body.append(s);
            const d = document.createElement('div');
            d.setAttribute('style', 'color: red');
            document.body.append(d);
        }""")
        page.wait_for_timeout(200)

        seen = "\n".join(js_errors.errors)
        assert "probe: console error" in seen
        assert "uncaught: probe: uncaught" in seen
        assert "Executing inline script violates" in seen, seen
        assert "Applying inline style violates" in seen, seen
        assert page.evaluate("window.__inline") is None, "the CSP let an inline script run"
        with pytest.raises(AssertionError, match="JavaScript errors in the browser"):
            js_errors.check()
        assert js_errors.errors == [], "check() reports each error once"

        # What a test expects (a server it stopped on purpose) can be allowed.
        js_errors.allow(r"expected: server away")
        page.evaluate("console.error('expected: server away')")
        page.wait_for_timeout(50)
        js_errors.check()
    finally:
        ctx.close()
