"""The HTTP server of ``workshop serve`` (gevent's pywsgi): time limits against slow clients.

A client that opens connections and sends its request line or headers a byte at a time
("slowloris") would otherwise hold a connection and a greenlet for as long as it likes. Here a
request line must arrive within ``REQUEST_LINE_TIMEOUT`` seconds of the connection being ready
for one (also the idle time a kept-alive connection is held), and the headers within
``HEADER_TIMEOUT`` seconds after it; otherwise the connection is closed (headers: with a 408).
Bodies are small (``MAX_CONTENT_LENGTH``) and websockets, once upgraded, are not limited here:
Engine.IO's ping timeout ends a dead one. Behind nginx its own ``client_header_timeout`` applies
as well.
"""

from __future__ import annotations

from typing import Any

import gevent
from gevent import pywsgi

REQUEST_LINE_TIMEOUT = 30.0
HEADER_TIMEOUT = 10.0


REQUEST_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-length: 0\r\n\r\n"


class _HeaderTimeout(Exception):
    pass


class TimedHandler(pywsgi.WSGIHandler):
    """pywsgi's handler with deadlines on the request line and the headers."""

    request_line_timeout = REQUEST_LINE_TIMEOUT
    header_timeout = HEADER_TIMEOUT

    def read_requestline(self) -> Any:
        line = None
        with gevent.Timeout(self.request_line_timeout, False):  # False: on timeout, leave the block
            line = super().read_requestline()
        if line is None:
            self.close_connection = True
        return line  # None (timed out) makes pywsgi close the connection

    def read_request(self, raw_requestline: str) -> Any:
        timeout = gevent.Timeout.start_new(self.header_timeout, _HeaderTimeout)
        try:
            return super().read_request(raw_requestline)
        except _HeaderTimeout:
            self.close_connection = True
            raise ValueError("request headers too slow") from None
        finally:
            timeout.close()

    def _handle_client_error(self, ex: Exception) -> Any:
        if isinstance(ex, ValueError) and str(ex) == "request headers too slow":
            self.close_connection = True
            return ("408", REQUEST_TIMEOUT_RESPONSE)
        return super()._handle_client_error(ex)


# --- the event loop's pauses (benchmarks) ---------------------------------------------------

PROBE_INTERVAL = 0.010
PROBE_REPORT_MS = 20.0


def loop_probe(path: str, sleep: Any = None) -> None:
    """Run forever: sleep 10 ms, and whenever the wake-up comes more than ``PROBE_REPORT_MS``
    late, append ``{"at": <monotonic s>, "pause_ms": <lateness>}`` to the file at ``path``.
    A late wake-up is the time something held the event loop (a long computation, a full
    garbage collection), during which no phone was answered. ``workshop serve`` runs it when
    ``WORKSHOP_LOOP_PROBE`` names a file (bench/load.py and bench/method_load.py set it)."""
    import json
    import time

    sleep = sleep or gevent.sleep
    with open(path, "a", buffering=1) as out:
        out.write(json.dumps({"at": time.monotonic(), "start": True}) + "\n")
        while True:
            t = time.monotonic()
            sleep(PROBE_INTERVAL)
            late = (time.monotonic() - t - PROBE_INTERVAL) * 1000
            if late > PROBE_REPORT_MS:
                out.write(json.dumps({"at": round(time.monotonic(), 4), "pause_ms": round(late, 1)}) + "\n")
