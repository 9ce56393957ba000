"""workshop/realtime/socketio_patches.py reaches into python-socketio's private methods. These
tests pin exactly what it relies on, so an upgrade of the library that moves any of it fails
here, by name, instead of silently disabling a guard."""

from __future__ import annotations

import inspect

import pytest
import socketio
from socketio import packet

from workshop.realtime import socketio_patches


def _params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_the_private_methods_the_guards_wrap_keep_their_arguments():
    assert _params(socketio.Server._handle_event) == ["self", "eio_sid", "namespace", "id", "data"]
    assert _params(socketio.Server._handle_eio_message) == ["self", "eio_sid", "data"]
    assert _params(socketio.Server._send_packet) == ["self", "eio_sid", "pkt"]
    assert {"ACK", "CONNECT", "CONNECT_ERROR", "EVENT"} <= set(vars(packet))


def test_the_library_calls_them_where_the_guards_sit():
    # Every EVENT packet goes through self._handle_event (looked up on the instance, where the
    # guard sits), and Engine.IO hands every message to the handler registered as "message".
    assert "self._handle_event(" in inspect.getsource(socketio.Server._handle_eio_message)
    server = socketio.Server()
    assert server.eio.handlers["message"] == server._handle_eio_message
    assert server.packet_class is packet.Packet


def test_the_library_still_fails_on_a_connect_with_a_bare_number():
    """Why the second guard exists. When this fails, python-socketio answers such a packet
    itself: the guard (and this test) can go."""
    server = socketio.Server()
    with pytest.raises(ValueError):
        server._handle_eio_message("sid", "0/phone,0.0")


@pytest.fixture
def guarded():
    server = socketio.Server()
    sent: list = []
    server._send_packet = lambda eio_sid, pkt: sent.append((eio_sid, pkt))
    socketio_patches.install(server)
    return server, sent


def test_a_malformed_connect_is_refused_on_the_engineio_road_too(guarded):
    server, sent = guarded
    for deliver in (server._handle_eio_message, server.eio.handlers["message"]):
        sent.clear()
        deliver("sid", "0/phone,0.0")
        ((sid, pkt),) = sent
        assert sid == "sid" and pkt.packet_type == packet.CONNECT_ERROR and pkt.namespace == "/phone"
        assert pkt.data["data"] == {"code": "invalid", "message": "Malformed Socket.IO packet."}


def test_an_undecodable_packet_of_another_type_is_still_the_library_s_error(guarded):
    server, sent = guarded
    with pytest.raises(ValueError):
        server.eio.handlers["message"]("sid", '2/phone,7["x"')
    assert sent == []


@pytest.mark.parametrize("data", [["connect"], ["disconnect"], ["*"], [], [7]])
def test_a_reserved_event_name_is_refused(guarded, data):
    server, sent = guarded
    server._handle_event("sid", "/phone", 5, data)
    ((sid, pkt),) = sent
    assert pkt.packet_type == packet.ACK and pkt.id == 5 and pkt.namespace == "/phone"
    assert pkt.data == [{"ok": False, "error": {"code": "forbidden", "message": "Not allowed."}}]
