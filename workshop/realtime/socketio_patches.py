"""The two places where the app reaches into python-socketio's private methods, and why.

python-socketio has no public hook between "a packet arrived" and "a handler runs", and the
two guards below must sit exactly there:

- **Reserved event names.** An EVENT packet whose name is "connect", "disconnect" or "*" (or
  that has no name) would reach python-socketio's own connect, disconnect or catch-all
  handlers as if the client had connected or left. It is answered as refused instead
  (``Server._handle_event``, called for every EVENT packet).
- **Undecodable CONNECT packets.** A CONNECT whose payload is a bare number such as ``0.0``:
  the decoder reads the leading digits as an ack id, fails on the rest and raises inside
  Engine.IO's message handler, leaving the client without an answer. It is refused the way
  every refused connection is answered (``Server._handle_eio_message``, which Engine.IO calls
  for every message). Other undecodable packets keep the library's behaviour: dropped, the
  connection goes on (tests/fuzz pins that).

Everything this module touches — the method names and their arguments, ``packet_class``,
``_send_packet``, the Engine.IO ``handlers`` table — is pinned by
tests/unit/test_socketio_patches.py, which fails when an upgrade of the library changes any
of it. Nothing else in the app may patch the library.
"""

from __future__ import annotations

from typing import Any

from socketio import Server, packet

RESERVED_EVENTS = ("connect", "disconnect", "*")


def install(server: Server) -> None:
    """Put both guards on ``server`` (once per ``SocketIO.init_app``: each makes a new server)."""
    refuse_reserved_events(server)
    refuse_malformed_connects(server)


def refuse_reserved_events(server: Server) -> None:
    """EVENT packets named "connect", "disconnect", "*" or nothing: refused with an ack."""
    handle = server._handle_event

    def guarded(eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        if not data or not isinstance(data[0], str) or data[0] in RESERVED_EVENTS:
            if id is not None:
                server._send_packet(
                    eio_sid,
                    server.packet_class(
                        packet.ACK,
                        namespace=namespace or "/",
                        id=id,
                        data=[{"ok": False, "error": {"code": "forbidden", "message": "Not allowed."}}],
                    ),
                )
            return None
        return handle(eio_sid, namespace, id, data)

    server._handle_event = guarded  # looked up on self per packet


def refuse_malformed_connects(server: Server) -> None:
    """An undecodable CONNECT packet: refused with a CONNECT_ERROR the client can show."""
    handle = server._handle_eio_message

    def guarded(eio_sid: str, data: Any) -> None:
        try:
            return handle(eio_sid, data)
        except ValueError:  # json.JSONDecodeError included; handlers' own errors never get here
            if not (isinstance(data, str) and data.startswith("0")):
                raise
            namespace = data[1:].split(",", 1)[0] if data[1:2] == "/" else "/"
            message = "Malformed Socket.IO packet."
            server._send_packet(
                eio_sid,
                server.packet_class(
                    packet.CONNECT_ERROR,
                    namespace=namespace,
                    data={"message": message, "data": {"code": "invalid", "message": message}},
                ),
            )
            return None

    server._handle_eio_message = guarded  # Flask-SocketIO's test client
    # Engine.IO keeps the bound method it was given when the server was made: hand it the
    # guard too, or a real server would never run it.
    server.eio.on("message", guarded)
