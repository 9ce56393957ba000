"""The phone page on a slow network: what the QR link costs a participant's phone.

The QR link is the page itself (no redirect), the page links one stylesheet and preloads every
module the first question needs, everything it loads comes compressed and long-cached, the
whole first load stays within 60 KB, and it carries only the strings a phone draws.
bench/slow_phone.py measures the same page in Chromium on emulated slow 3G.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
BUDGET = 60 * 1024
BR = {"Accept-Encoding": "gzip, deflate, br"}
# t("key") with a literal key (keys built at run time, t(`vocab.${x}`), are not checked here).
T_CALL = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.#]+)["']""")
IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["'](\.{1,2}/[^"']+\.js)["']""", re.M)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.preloads: list[str] = []
        self.i18n: dict[str, str] = {}
        self._in_i18n = False
        self._in_style = False
        self.strings = ""
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "link" and a.get("rel") == "modulepreload":
            self.preloads.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "script" and a.get("id") == "i18n":
            self.i18n = a
            self._in_i18n = True
        elif tag == "style":
            self.styles.append("")
            self._in_style = True

    def handle_data(self, data):
        if self._in_i18n:
            self.strings += data
        if self._in_style:
            self.styles[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_i18n = False
        if tag == "style":
            self._in_style = False


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _imports(static_path: str) -> list[str]:
    """The static paths a module imports, directly or not (as the browser resolves them)."""
    seen: list[str] = []
    todo = [static_path]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        src = (STATIC / path).read_text(encoding="utf-8")
        for rel in IMPORT.findall(src):
            todo.append((Path(STATIC / path).parent / rel).resolve().relative_to(STATIC.resolve()).as_posix())
    return seen


def _static_path(url: str) -> str:
    return re.sub(r"^/v/[0-9a-f]+/static/", "", url)


def test_the_qr_link_is_the_phone_page_itself(app, make_workshop):
    """A redirect costs a phone on a slow network a whole round trip before anything shows."""
    _ws, code, _ids = make_workshop()
    c = app.test_client()
    for path in (f"/j/{code}", f"/w/{code}"):
        r = c.get(path)
        assert r.status_code == 200 and "Location" not in r.headers, path
        assert f'data-code="{code}"' in r.get_data(as_text=True), path


def test_first_load_is_one_stylesheet_preloaded_modules_and_within_60_kb(app, make_workshop):
    import base64
    import hashlib

    from workshop.assets import assets

    _ws, code, _ids = make_workshop()
    c = app.test_client()
    r = c.get(f"/j/{code}", headers=BR)
    assert r.headers.get("Content-Encoding") == "br"
    wire = len(r.data)
    page = _parse(c.get(f"/j/{code}").get_data(as_text=True))
    # The stylesheet is in the page (no second request before the first paint): the voting
    # bundle, allowed by its own hash in this response's policy and no other inline style.
    assert page.stylesheets == [] and len(page.styles) == 1
    with app.app_context():
        _, css = assets().bundles["phone-vote"]
    assert page.styles[0].encode() == css
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode()
    csp = r.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in csp and "unsafe-inline" not in csp

    # Every module the page runs before the question shows is requested with the page: the
    # modules phone.js imports and those of the current activity's kind (multiple choice).
    entry = [s for s in page.scripts if s.endswith("/js/phone.js")]
    assert len(entry) == 1, page.scripts
    needed = set(_imports("js/phone.js") + _imports("js/kinds/multiple_choice.js")) - {"js/phone.js"}
    preloaded = {_static_path(u) for u in page.preloads}
    assert needed <= preloaded, needed - preloaded
    assert len(preloaded) == len(page.preloads), page.preloads  # each once

    for url in page.stylesheets + page.scripts + page.preloads:
        asset = c.get(url, headers=BR)
        assert asset.status_code == 200, url
        assert asset.headers.get("Content-Encoding") == "br", url
        assert "immutable" in asset.headers["Cache-Control"] and "max-age=31536000" in asset.headers["Cache-Control"]
        wire += len(asset.data)
    assert wire <= BUDGET, f"the phone's first load is {wire} B compressed, over {BUDGET} B"


def test_a_copy_the_phone_has_is_answered_304(app, make_workshop):
    _ws, code, _ids = make_workshop()
    c = app.test_client()
    page = _parse(c.get(f"/j/{code}").get_data(as_text=True))
    first = c.get(page.preloads[0], headers=BR)
    again = c.get(page.preloads[0], headers={**BR, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_an_address_of_an_older_version_is_answered_but_not_kept(app, make_workshop):
    """A page rendered before a restart with new files still gets its files, uncached."""
    c = app.test_client()
    r = c.get("/v/000000000000/static/js/core.js")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    assert r.data == (STATIC / "js/core.js").read_bytes()
    assert c.get("/assets/app.000000000000.css").headers["Cache-Control"] == "no-cache"
    assert c.get("/v/000000000000/static/../workshop/config.py").status_code == 404
    assert c.get("/assets/nothing.000000000000.css").status_code == 404


def test_the_stylesheet_is_the_source_files_and_its_address_follows_them(tmp_path):
    """The CSS stays in its source files; the combined stylesheet is made from them at start
    and changes address when any of them changes."""
    from workshop.assets import BUNDLES, build

    shutil.copytree(STATIC, tmp_path / "static")
    before = build(tmp_path / "static")
    digest, css = before.bundles["app"]
    for name in BUNDLES["app"]:
        assert (STATIC / "css" / name).read_bytes() in css
    with open(tmp_path / "static/css/kinds-vote.css", "a") as f:
        f.write("\n.new-rule { color: #000; }\n")
    after = build(tmp_path / "static")
    assert after.bundles["app"][0] != digest
    assert after.version != before.version
    assert after.bundles["phone-text"][0] == before.bundles["phone-text"][0]  # no vote styles in it


def _strings_of(html: str) -> tuple[dict[str, str], dict[str, str]]:
    page = _parse(html)
    return json.loads(page.strings), page.i18n


def _used_keys(static_paths) -> set[str]:
    keys: set[str] = set()
    for path in static_paths:
        keys |= set(T_CALL.findall((STATIC / path).read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize(
    "kinds, share",
    [
        (("multiple_choice",), 1 / 8),
        # word cloud draws on open text's module, estimates on the calculation's charts
        (("word_cloud", "estimates", "scale"), 1 / 2),
    ],
)
def test_the_phone_gets_only_the_strings_it_draws(app, make_workshop, kinds, share):
    from workshop.browser_strings import js_strings

    _ws, code, _ids = make_workshop(activities=[(k, None, None) for k in kinds])
    c = app.test_client()
    strings, attrs = _strings_of(c.get(f"/j/{code}").get_data(as_text=True))
    with app.test_request_context():
        everything = js_strings()
    assert len(strings) < len(everything) * share, (len(strings), len(everything))
    modules = set(_imports("js/phone.js"))
    for kind in kinds:
        modules |= set(_imports(f"js/kinds/{kind}.js"))
    missing = {k for k in _used_keys(modules) if k not in strings}
    assert not missing, f"keys the phone's code uses but the page lacks: {sorted(missing)}"
    assert not [k for k in strings if k.startswith(("console.", "keys.", "draft."))]
    assert set(kinds) <= set(attrs["data-kinds"].split())


def test_a_kind_added_later_brings_its_strings(app, make_workshop):
    """The page carries the strings of the kinds its workshop held; another kind's come from
    /api/strings with its module (loadKind in static/js/core.js)."""
    _ws, code, _ids = make_workshop()
    c = app.test_client()
    strings, attrs = _strings_of(c.get(f"/j/{code}").get_data(as_text=True))
    assert "qna" not in attrs["data-kinds"].split()
    extra = c.get("/api/strings/en/qna.json", headers=BR)
    assert extra.status_code == 200
    more = json.loads(c.get("/api/strings/en/qna.json").data)
    used = _used_keys(_imports("js/kinds/qna.js"))
    assert not {k for k in used if k not in strings and k not in more}
    assert more["qna.ask"] != json.loads(c.get("/api/strings/sv/qna.json").data)["qna.ask"]
    assert c.get("/api/strings/xx/qna.json").status_code == 404
    assert c.get("/api/strings/en/nothing.json").status_code == 404
