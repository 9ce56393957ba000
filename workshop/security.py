"""Security headers on every response: those Flask makes and those Engine.IO answers below it.

Pages behind a facilitator's login, the first-run setup, the read-only links and every
download are sent with ``Cache-Control: no-store``: a shared computer's cache or a proxy must
not keep an analysis or a participant's answers. Over https, HSTS tells the browser to use
nothing else for a year.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


HSTS = "max-age=31536000; includeSubDomains"
# Paths whose answers must never be stored by a browser or proxy cache.
PRIVATE_PREFIXES = ("/f/", "/login", "/setup", "/review/", "/present/", "/invite/", "/reset/")


def csp_with_styles(hashes: Iterable[str]) -> str:
    """The policy, also allowing the inline stylesheets with these SHA-256 digests (base64)."""
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return CSP.replace("style-src 'self'", f"style-src 'self' {allowed}")


def add_security_headers(response):
    hashes = g.get("style_hashes")
    if hashes:
        response.headers["Content-Security-Policy"] = csp_with_styles(hashes)
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(PRIVATE_PREFIXES) or "attachment" in response.headers.get("Content-Disposition", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


class HeadersEverywhere:
    """WSGI middleware: the security headers also on responses Flask does not make (Engine.IO
    answers ``/socket.io/`` below Flask)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {k.lower() for k, _ in headers}
            headers = list(headers) + [(k, v) for k, v in SECURITY_HEADERS if k.lower() not in present]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.wsgi_app = HeadersEverywhere(app.wsgi_app)  # type: ignore[method-assign]
