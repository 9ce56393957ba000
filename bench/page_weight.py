"""Bytes a phone transfers on first load of the workshop page, compressed as served.

Usage: python bench/page_weight.py [BASE_URL] [JOIN_CODE]
Without arguments it starts a server with a fresh data folder and a one-question workshop.
Counts the HTML and every stylesheet, script and module it links (the page preloads the modules
phone.js imports and those of the current activity's kind).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parent.parent


def start_server() -> tuple[subprocess.Popen, str, str]:
    data = tempfile.mkdtemp(prefix="nv-weight-")
    env = {"WORKSHOP_DATA_DIR": data, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "workshop.cli", "create-user", "--email", "w@x.se", "--password", "longpassword1"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "workshop.cli", "serve", "--port", "5391"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = "http://127.0.0.1:5391"
    for _ in range(900):  # a busy machine starts the server slowly
        try:
            requests.get(base + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    s = requests.Session()
    tok = lambda html: re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # noqa: E731
    r = s.get(base + "/login")
    s.post(base + "/login", data={"csrf_token": tok(r.text), "email": "w@x.se", "password": "longpassword1"})
    r = s.get(base + "/f/new")
    r = s.post(
        base + "/f/new",
        data={"csrf_token": tok(r.text), "title": "Vikt", "language": "sv", "mode": "live", "template": ""},
    )
    wid = r.url.rstrip("/").split("/")[-1]
    s.post(base + f"/f/w/{wid}/activities", data={"csrf_token": tok(r.text), "kind": "multiple_choice"})
    code = re.search(r"/j/(\d{8})", s.get(base + f"/f/w/{wid}").text).group(1)
    return proc, base, code


def weigh(base: str, code: str) -> None:
    enc = {"Accept-Encoding": "br, gzip"}
    total_wire = total_raw = 0
    rows = []

    def fetch(url: str) -> str:
        nonlocal total_wire, total_raw
        r = requests.get(url, headers=enc, stream=True)
        wire = len(r.raw.read(decode_content=False))
        raw = requests.get(url).content
        total_wire += wire
        total_raw += len(raw)
        rows.append((url.replace(base, ""), r.headers.get("Content-Encoding", "-"), wire, len(raw)))
        return raw.decode("utf-8", "replace")

    html = fetch(f"{base}/j/{code}")
    # The stylesheet, the scripts and the preloaded modules (core, the current kind's and its helpers').
    for ref in re.findall(r'(?:href|src)="(/(?:static|assets|v)/[^"]+)"', html):
        fetch(urljoin(base, ref))
    for path, encoding, wire, raw in rows:
        print(f"{wire:>8} B on the wire ({encoding:>4}) {raw:>8} B raw  {path}")
    print(
        f"TOTAL phone first load: {total_wire} B compressed ({total_wire / 1024:.1f} KiB), {total_raw} B uncompressed"
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3:
        weigh(sys.argv[1], sys.argv[2])
    else:
        proc, base, code = start_server()
        try:
            weigh(base, code)
        finally:
            proc.terminate()
