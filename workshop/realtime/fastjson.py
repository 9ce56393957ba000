"""The JSON module of the socket server: orjson where it can, the standard library otherwise.

Every Socket.IO packet (each ack, each snapshot, each results message) is encoded with
``dumps`` and every packet a client sends is decoded with ``loads``. orjson does both several
times faster than the standard library. Where orjson refuses something the standard library
takes (an integer wider than 64 bits, a lone surrogate, a type it does not know) the standard
library does it, with Engine.IO's own guard on huge integers, so what the server accepts and
how it answers stay as they were; only the encoding is compact UTF-8 instead of ``\\uXXXX``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from engineio import json as engineio_json

_OPTS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return orjson.dumps(obj, option=_OPTS).decode()
    except (TypeError, orjson.JSONEncodeError):
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, *args, **kwargs)


def loads(s: Any, *args: Any, **kwargs: Any) -> Any:
    if not args and not kwargs:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            pass
    return engineio_json.loads(s, *args, **kwargs)
