"""The JSON module of the socket server: packets are encoded with orjson where it can.

Every Socket.IO packet the server sends (each ack, each snapshot, each results message) is
encoded with ``dumps``; orjson does that several times faster than the standard library, as
compact UTF-8 instead of ``\\uXXXX`` escapes. Where orjson refuses something (an integer wider
than 64 bits, a type it does not know) the standard library encodes it, or raises as before.

Decoding stays Engine.IO's (the standard library with its guard on huge integers): orjson
would read an integer wider than 64 bits as a float and lone surrogates not at all, so what
a client may send and how it is read would change; client packets are small anyway.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from engineio.json import loads  # noqa: F401  (re-exported: the decoder the server uses)
from socketio import packet

_OPTS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return orjson.dumps(obj, option=_OPTS).decode()
    except (TypeError, orjson.JSONEncodeError):
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, *args, **kwargs)


def canonical(obj: Any) -> bytes:
    """``obj`` as JSON with sorted keys: equal data, equal bytes (to compare or digest payloads)."""
    try:
        return orjson.dumps(obj, option=_OPTS | orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(obj, sort_keys=True, default=str).encode()


class JsonPacket(packet.Packet):
    """The server's packets (``serializer=`` of the Socket.IO server): never binary.

    The library's packet walks every list and dict of a payload on creation, looking for
    ``bytes`` that would make it a binary packet: for the console's 2.8 MiB list of estimates
    that walk cost more than encoding it. The app sends JSON only, so the walk is skipped
    (``uses_binary_events``, the switch the library's own MessagePack packets use); a payload
    holding bytes fails to encode instead of going out as attachments. Packets that arrive
    are decoded as before, binary ones included."""

    uses_binary_events = False
