"""What a socket event costs in Flask (workshop/realtime/event_context.py) and the packets'
JSON module (workshop/realtime/fastjson.py): cheaper, and the same to every handler."""

from __future__ import annotations

import json

import pytest
from flask import request, session, url_for
from flask_socketio import _ManagedSession
from werkzeug.exceptions import NotFound
from werkzeug.test import EnvironBuilder

from workshop.realtime import fastjson
from workshop.realtime.event_context import EventApp, SessionInterface


def _app() -> EventApp:
    app = EventApp(__name__)
    app.secret_key = "a test key that is long enough to sign with"

    @app.get("/page/<int:n>")
    def page(n: int):
        return str(n)

    return app


def _socket_environ(app: EventApp) -> dict:
    """An environ as Engine.IO keeps it for one connection, with Flask-SocketIO's session copy."""
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket").get_environ()
    environ["saved_session"] = _ManagedSession({"lang": "en"})
    return environ


def test_socket_event_gets_the_connections_session_copy_without_opening_the_cookie():
    app = _app()
    environ = _socket_environ(app)
    with app.request_context(environ):
        assert session["lang"] == "en"
        assert session is not None
        assert request.environ["saved_session"] is app.session_interface.open_session(app, request)


def test_http_request_opens_its_cookie_session_as_before():
    app = _app()
    with app.test_request_context("/page/3"):
        assert "lang" not in session
        assert request.view_args == {"n": 3}


def test_signing_serializer_is_made_once_per_key():
    app = _app()
    iface = SessionInterface()
    first = iface.get_signing_serializer(app)
    assert iface.get_signing_serializer(app) is first
    app.secret_key = "another key, just as long as the first one was"
    assert iface.get_signing_serializer(app) is not first


def test_socket_events_bind_the_url_map_once_and_still_build_urls():
    app = _app()
    environ = _socket_environ(app)
    with app.request_context(environ):
        first = request.environ["nyttoverkstad.url_adapter"]
        assert isinstance(request.routing_exception, NotFound)
        assert url_for("page", n=2) == "/page/2"
    calls = []
    original = app.url_map.bind_to_environ

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    app.url_map.bind_to_environ = counting  # type: ignore[method-assign]
    for _ in range(3):
        with app.request_context(environ):
            assert request.environ["nyttoverkstad.url_adapter"] is first
            assert isinstance(request.routing_exception, NotFound)
            assert url_for("page", n=5, _external=True).endswith("/page/5")
    assert calls == []


def test_fastjson_encodes_compactly_and_as_the_standard_library_reads_it():
    data = {"ok": True, "text": "Nyttokalkyl för kommunen", "n": [1, 2.5, None], 3: "int key"}
    out = fastjson.dumps(data, separators=(",", ":"))
    assert out == '{"ok":true,"text":"Nyttokalkyl för kommunen","n":[1,2.5,null],"3":"int key"}'
    assert json.loads(out) == json.loads(json.dumps(data))


def test_fastjson_falls_back_where_orjson_refuses():
    assert fastjson.dumps({"n": 2**80}) == '{"n":1208925819614629174706176}'
    with pytest.raises(TypeError):
        fastjson.dumps({"x": object()})


def test_fastjson_decodes_as_engineio_does():
    assert fastjson.loads('{"n": 1208925819614629174706176}') == {"n": 2**80}  # an int, not a float
    assert fastjson.loads('"\\ud800"') == "\ud800"  # a lone surrogate, as the standard library reads it
    with pytest.raises(ValueError):
        fastjson.loads("1" * 200)  # Engine.IO refuses integers this long
    with pytest.raises(ValueError):
        fastjson.loads("{not json")


def test_the_servers_packets_are_never_walked_for_binary_and_binary_ones_still_arrive(app):
    from socketio import packet

    from workshop.extensions import socketio

    cls = socketio.server.packet_class
    assert cls is fastjson.JsonPacket
    walked = []
    original = packet.Packet.data_is_binary
    packet.Packet.data_is_binary = classmethod(lambda c, data: walked.append(data) or False)
    try:
        big = {"items": [{"id": i, "reason": "x" * 20} for i in range(2000)]}
        out = cls(packet.EVENT, ["results", big], namespace="/console").encode()
    finally:
        packet.Packet.data_is_binary = original
    assert walked == []
    assert out.startswith('2/console,["results",{"items":[{"id":0,')
    with pytest.raises(TypeError):  # bytes are not sent as attachments: they fail to encode
        cls(packet.EVENT, ["results", {"x": b"\x00"}]).encode()
    # A binary packet a client sends is still read as one.
    incoming = cls(encoded_packet='51-/phone,["submit",{"_placeholder":true,"num":0}]')
    assert incoming.packet_type == packet.BINARY_EVENT and incoming.attachment_count == 1
