"""A packet no Socket.IO client would send, to a real ``workshop serve``: there Engine.IO
dispatches it, a road the in-process test client skips (test_socket_errors.py covers the
same packets in process). A CONNECT whose payload is a bare number is refused with a clear
CONNECT_ERROR instead of being left unanswered."""

from __future__ import annotations

import json

import requests


def test_a_connect_with_a_bare_number_is_refused_by_a_real_server(live_server):
    url = live_server.url + "/socket.io/?EIO=4&transport=polling"
    opened = requests.get(url, timeout=10)
    assert opened.text.startswith("0"), opened.text
    sid = json.loads(opened.text[1:])["sid"]
    assert requests.post(f"{url}&sid={sid}", data="40/phone,0.0", timeout=10).ok
    # Unanswered, the next poll would bring only the server's ping ("2") after 20 s.
    answer = requests.get(f"{url}&sid={sid}", timeout=30).text
    assert answer.startswith("44/phone,"), answer
    refusal = json.loads(answer.split(",", 1)[1])
    assert refusal["data"] == {"code": "invalid", "message": "Malformed Socket.IO packet."}
