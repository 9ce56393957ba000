"""Static files for slow networks, without a build step: one stylesheet per page type and
long-cached addresses, made in memory when the app starts.

- **Stylesheets.** The CSS stays in its source files under static/css (one per concern); a
  page links one combined stylesheet for its type (``BUNDLES``), served at
  ``/assets/<name>.<hash>.css``. The hash is of the combined text, so the address changes
  whenever a source file does and the answer can be cached for a year. The phone page's
  stylesheet holds app.css and the stylesheets of the kinds its workshop holds only
  (``phone_stylesheet``): on a slow network the page shows nothing until it has arrived.
- **Scripts.** The JS modules import each other by relative paths (``./core.js``), so a file
  cannot get a hash of its own without a second copy of a module being loaded. Instead the
  whole static folder gets one version, the hash of all its files: ``asset_url("js/phone.js")``
  is ``/v/<version>/static/js/phone.js``, and every module it imports resolves under the same
  prefix. A new release is a new prefix; an address of an older version is still answered (with
  today's file) but not cached.
- **What a kind needs.** ``kind_modules(kind)`` is the module of an activity kind and every
  static module it imports (read from the ``import`` lines at start), for ``modulepreload``;
  ``kind_closure`` the kinds whose strings and styles that code uses as well.

Long-cached answers are compressed once (brotli or gzip, as the browser accepts) and kept;
everything else is compressed per answer by Flask-Compress (workshop/app.py).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, g, request
from markupsafe import Markup, escape

# The activity kinds' stylesheets (each file's opening comment says which kinds it styles).
# A kind not named here gets them all.
KIND_CSS: dict[str, tuple[str, ...]] = {
    "kinds-text.css": ("open_text", "word_cloud", "qna"),
    "kinds-vote.css": ("multiple_choice", "scale", "ranking", "points", "followup_check"),
    "kinds-sorting.css": ("sorting", "describe", "questions", "valuation", "uncertainty"),
    "kinds-analysis.css": ("alternatives", "effects", "effect_chain"),
    "kinds-calc.css": ("estimates", "calculate", "present"),
}
# Page type -> the source stylesheets it combines, in cascade order.
BUNDLES: dict[str, tuple[str, ...]] = {
    # Every page but those below (also the start page: the phone page after it needs the same).
    "app": ("app.css", *KIND_CSS),
    "draft": ("app.css", *KIND_CSS, "draft.css"),
    "report": ("app.css", *KIND_CSS, "report.css"),
}
# The phone page: app.css and the stylesheets of the kinds its workshop holds, named
# "phone-vote", "phone-text-vote"… (every combination is made at start).
for _n in range(len(KIND_CSS) + 1):
    for _files in combinations(KIND_CSS, _n):
        BUNDLES["-".join(["phone", *(f[len("kinds-") : -len(".css")] for f in _files)])] = ("app.css", *_files)
YEAR = 365 * 24 * 3600
LONG_CACHE = f"public, max-age={YEAR}, immutable"
_T_PREFIX = re.compile(r"""\bt\(\s*["'`]([a-z_]+)\.""")
_IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["'](\.{1,2}/[^"']+\.js)["']""", re.M)


@dataclass
class Assets:
    root: Path
    version: str
    bundles: dict[str, tuple[str, bytes]]  # name -> (hash, combined CSS)
    imports: dict[str, tuple[str, ...]]  # "js/kinds/x.js" -> the static paths it imports
    _packed: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _uses: dict[tuple[str, str], bool] = field(default_factory=dict)
    _kinds: dict[str, list[str]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"/v/{self.version}/static/{path}"

    def stylesheet_url(self, name: str) -> str:
        digest, _ = self.bundles[name]
        return f"/assets/{name}.{digest}.css"

    def closure(self, path: str) -> list[str]:
        """``path`` and every static module it imports, directly or not, in first-seen order."""
        seen: list[str] = []
        todo = [path]
        while todo:
            p = todo.pop(0)
            if p in seen or p not in self.imports:
                continue
            seen.append(p)
            todo.extend(self.imports[p])
        return seen

    def phone_stylesheet(self, kinds: list[str]) -> str:
        """The name of the phone's bundle for a workshop holding ``kinds`` (closed over the
        kinds their modules import): app.css and their kinds' stylesheets."""
        files = [f for f, styled in KIND_CSS.items() if any(k in styled or not _styled(k) for k in kinds)]
        name = "-".join(["phone", *(f[len("kinds-") : -len(".css")] for f in files)])
        return "app" if len(files) == len(KIND_CSS) else name

    def kind_modules(self, kind: str) -> list[str]:
        return self.closure(f"js/kinds/{kind}.js")

    def kind_closure(self, kind: str) -> list[str]:
        """``kind`` and the kinds its code draws on: the kinds' modules it imports and the names
        it (or a shared module it imports, such as the charts) calls ``t("<name>.…")`` with.
        Names that are not kinds (``_charts``, ``vocab``) are for the caller to drop."""
        if kind in self._kinds:
            return self._kinds[kind]
        out = self._kinds[kind] = [kind]
        for p in self.kind_modules(kind):
            module = posixpath.basename(p)[: -len(".js")] if p.startswith("js/kinds/") else None
            for name in [module, *_T_PREFIX.findall((self.root / p).read_text(encoding="utf-8"))]:
                if name and name not in out:
                    out.append(name)
        return out

    def uses(self, kind: str, text: str) -> bool:
        """Whether the code of ``kind`` (its module and what it imports) mentions ``text``."""
        found = self._uses.get((kind, text))
        if found is None:
            found = any(text in (self.root / p).read_text(encoding="utf-8") for p in self.kind_modules(kind))
            self._uses[(kind, text)] = found
        return found

    def packed(self, key: str, data: bytes, encoding: str) -> bytes:
        """``data`` compressed once with ``encoding`` and kept (the answers behind long-cached URLs)."""
        found = self._packed.get((key, encoding))
        if found is None:
            found = brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, 9, mtime=0)
            self._packed[(key, encoding)] = found
        return found


def _styled(kind: str) -> bool:
    return any(kind in styled for styled in KIND_CSS.values())


def build(static_root: Path) -> Assets:
    digest = hashlib.sha256()
    imports: dict[str, tuple[str, ...]] = {}
    for file in sorted(p for p in static_root.rglob("*") if p.is_file()):
        rel = file.relative_to(static_root).as_posix()
        data = file.read_bytes()
        digest.update(rel.encode() + b"\0" + data + b"\0")
        if rel.endswith(".js") and rel.startswith("js/"):
            found = _IMPORT.findall(data.decode("utf-8"))
            imports[rel] = tuple(posixpath.normpath(posixpath.join(posixpath.dirname(rel), f)) for f in found)
    bundles = {}
    for name, files in BUNDLES.items():
        css = b"".join(b"/* %s */\n" % f.encode() + (static_root / "css" / f).read_bytes() + b"\n" for f in files)
        bundles[name] = (hashlib.sha256(css).hexdigest()[:12], css)
    return Assets(root=static_root, version=digest.hexdigest()[:12], bundles=bundles, imports=imports)


def assets() -> Assets:
    return current_app.extensions["assets"]


def _answer(key: str, data: bytes, mimetype: str, cached: bool) -> Response:
    """``data`` compressed as the browser accepts, with a year's cache when ``cached``."""
    accepts = request.headers.get("Accept-Encoding", "")
    encoding = "br" if "br" in accepts else "gzip" if "gzip" in accepts else None
    digest = hashlib.sha256(data).hexdigest()[:16]
    body = assets().packed(f"{key}:{digest}", data, encoding) if encoding else data
    response = Response(body, mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = LONG_CACHE if cached else "no-cache"
    response.set_etag(digest + (f":{encoding}" if encoding else ""))
    response.make_conditional(request)  # a 304 for a copy the browser already has
    return response


def stylesheet(name: str, digest: str) -> Response:
    if name not in assets().bundles:
        abort(404)
    current, css = assets().bundles[name]
    return _answer(f"bundle:{name}", css, "text/css", cached=digest == current)


def versioned(version: str, filename: str) -> Response:
    a = assets()
    path = (a.root / filename).resolve()
    if not path.is_relative_to(a.root.resolve()) or not path.is_file():
        abort(404)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return _answer(f"file:{filename}", path.read_bytes(), mimetype, cached=version == a.version)


def stylesheet_tag(name: str) -> Markup:
    return Markup('<link rel="stylesheet" href="%s">') % escape(assets().stylesheet_url(name))


def inline_stylesheet_tag(name: str) -> Markup:
    """The bundle ``name`` in the page itself, for the phone's first paint: on a slow network a
    separate stylesheet waits behind the scripts for the one narrow link. The response's
    Content-Security-Policy allows exactly this text (its SHA-256, ``workshop/security.py``)."""
    _, css = assets().bundles[name]
    text = css.decode("utf-8")
    if "</" in text:  # never the case for our own files; a link then, not a broken page
        return stylesheet_tag(name)
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode("ascii")
    hashes = g.setdefault("style_hashes", [])
    if digest not in hashes:
        hashes.append(digest)
    return Markup("<style>") + Markup(text) + Markup("</style>")


def init_app(app: Flask) -> None:
    app.extensions["assets"] = build(Path(app.static_folder or "static"))
    app.add_url_rule("/assets/<name>.<digest>.css", "asset_stylesheet", stylesheet)
    app.add_url_rule("/v/<version>/static/<path:filename>", "asset_versioned", versioned)
    app.jinja_env.globals.update(
        stylesheet=stylesheet_tag,
        inline_stylesheet=inline_stylesheet_tag,
        stylesheet_url=lambda name: assets().stylesheet_url(name),
        asset_url=lambda path: assets().url(path),
    )
