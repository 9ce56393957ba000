"""A minimal Socket.IO client for the load benchmark: asyncio streams, hand-written websocket
framing (RFC 6455) and the Engine.IO 4 / Socket.IO 5 packets of docs/protocol.md §11, nothing
else. It costs the load generator a fraction of python-socketio's AsyncClient per message, so
that the server, not the client, is what a benchmark measures.

Only what a phone needs: connect to one namespace with ``auth``, answer Engine.IO pings, emit
events with an ack, receive events. No reconnection, no long-polling, no binary packets.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

try:  # the product depends on orjson; decoding big payloads is the client's largest cost
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads


class ConnectError(Exception):
    pass


def _mask(payload: bytes, key: bytes) -> bytes:
    """XOR with the 4-byte key, as one big integer (far faster than a Python loop)."""
    n = len(payload)
    if not n:
        return payload
    keys = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(n, "big")


def _frame(text: str, opcode: int = 0x1) -> bytes:
    """One masked, final client frame."""
    payload = text.encode()
    n = len(payload)
    key = os.urandom(4)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + key + _mask(payload, key)


class RawSocketIO:
    """One Socket.IO connection to one namespace over a websocket."""

    def __init__(self, url: str, namespace: str):
        self.url, self.namespace = url, namespace
        self.connected = False
        self.handlers: dict[str, Callable[[Any], None]] = {}
        self.on_disconnect: Callable[[], None] | None = None
        self._acks: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._connected: asyncio.Future | None = None
        self._auth: dict[str, Any] | None = None
        self._ns = "" if namespace == "/" else namespace + ","

    def on(self, event: str, handler: Callable[[Any], None]) -> None:
        self.handlers[event] = handler

    async def connect(
        self, auth: dict[str, Any] | None = None, timeout: float = 30, headers: dict[str, str] | None = None
    ) -> None:
        parts = urlsplit(self.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self._writer.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n" + "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(self._reader.readuntil(b"\r\n\r\n"), timeout)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        self._connected = asyncio.get_running_loop().create_future()
        self._auth = auth
        self._task = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._connected, timeout)

    def _send(self, text: str) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(_frame(text))

    async def call(self, event: str, data: Any, namespace: str | None = None, timeout: float = 30) -> Any:
        """Emit ``event`` with ``data`` and wait for its ack; raises asyncio.TimeoutError. (``namespace``
        is accepted for python-socketio's signature; the connection has one.)"""
        if not self.connected:
            raise ConnectionError("not connected")
        self._next_id += 1
        ack_id = self._next_id
        fut = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = fut
        self._send(f"42{self._ns}{ack_id}{json.dumps([event, data], separators=(',', ':'))}")
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def disconnect(self) -> None:
        if self._writer is None:
            return
        try:
            self._send(f"41{self._ns}")
            self._writer.write(_frame("", 0x8))
            await self._writer.drain()
        except Exception:
            pass
        self._writer.close()
        self.connected = False
        if self._task is not None:
            self._task.cancel()

    # --- reading -------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        assert self._reader is not None
        r = self._reader
        try:
            while True:
                b0, b1 = await r.readexactly(2)
                opcode, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(await r.readexactly(2), "big")
                elif n == 127:
                    n = int.from_bytes(await r.readexactly(8), "big")
                if b1 & 0x80:  # a masked server frame is not allowed, but read it right
                    key = await r.readexactly(4)
                    payload = _mask(await r.readexactly(n), key)
                else:
                    payload = await r.readexactly(n)
                if opcode == 0x1:
                    self._packet(payload.decode())
                elif opcode == 0x9:
                    assert self._writer is not None
                    self._writer.write(_frame(payload.decode(errors="replace"), 0xA))
                elif opcode == 0x8:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._closed()

    def _closed(self) -> None:
        was = self.connected
        self.connected = False
        for fut in self._acks.values():
            if not fut.done():
                fut.set_exception(ConnectionError("disconnected"))
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(ConnectError("closed before connecting"))
        if was and self.on_disconnect is not None:
            self.on_disconnect()

    def _packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "2":  # Engine.IO ping
            self._send("3")
            return
        if kind == "0":  # Engine.IO open: connect to the namespace
            auth = json.dumps(self._auth, separators=(",", ":")) if self._auth is not None else ""
            self._send(f"40{self._ns}{auth}")
            return
        if kind != "4":
            return
        body = text[1:]
        sio_type = body[:1]
        rest = body[1:]
        if self._ns and rest.startswith(self._ns):
            rest = rest[len(self._ns) :]
        if sio_type == "3":  # ACK: <id>[...]
            i = 0
            while i < len(rest) and rest[i].isdigit():
                i += 1
            fut = self._acks.get(int(rest[:i]))
            if fut is not None and not fut.done():
                args = json.loads(rest[i:])
                fut.set_result(args[0] if args else None)
        elif sio_type == "2":  # EVENT: [name, data]
            i = 0
            while i < len(rest) and rest[i].isdigit():
                i += 1
            # The name first (event names hold no quotes): an event nobody listens to is not
            # decoded at all — a phone gets every results round, tens of KiB each.
            start = i + 2
            handler = self.handlers.get(rest[start : rest.find('"', start)])
            if handler is not None:
                _name, *args = _loads(rest[i:])
                handler(args[0] if args else None)
        elif sio_type == "0":  # CONNECT ok
            self.connected = True
            if self._connected is not None and not self._connected.done():
                self._connected.set_result(True)
        elif sio_type == "4":  # CONNECT_ERROR
            if self._connected is not None and not self._connected.done():
                self._connected.set_exception(ConnectError(rest))
        elif sio_type == "1":  # DISCONNECT by the server
            self._closed()
