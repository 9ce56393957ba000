"""A participant's phone on a slow network: how soon the question can be answered.

Usage: python bench/slow_phone.py [--root PATH] [--runs 3]

Starts ``workshop serve`` (from ``--root``, by default this checkout) with a fresh data folder,
builds a live workshop with one multiple-choice question made current, and opens the QR link
(``/j/<code>``) in Chromium emulating a slow 3G phone: 400 ms latency, ~400 kbit/s both ways
and the CPU throttled four times (Chrome DevTools Protocol). Each run is a new browser
context (a first-time participant: empty cache and storage), then the same context opens the
link again (a returning participant: cache and token kept).

Printed per case, median of the runs:
- first paint (``performance.getEntriesByType("paint")``),
- question ready to vote: the ``nv:question-ready`` mark static/js/phone.js sets when the kind
  has drawn the question with its inputs enabled (for older code without the mark: the moment
  the answer form's submit button is there and enabled, watched by a MutationObserver),
- bytes transferred (encoded, headers included, as Chromium counts them) and requests, up to
  the moment the question is ready.

A benchmark to run by hand, not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms
    "downloadThroughput": 400 * 1000 / 8,  # bytes/s
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4
EMAIL, PASSWORD = "bench@example.se", "longpassword1"

# Before any page script: note when the answer form's submit button is there and enabled
# (the fallback for code that sets no ready mark).
WATCH_READY = """
(() => {
  const seen = () => {
    const b = document.querySelector('#stage .answer-form button[type=submit]');
    if (b && !b.disabled && !b.closest('fieldset[disabled]')) {
      window.__nvReadyAt = performance.now();
      return true;
    }
    return false;
  };
  const start = () => {
    if (seen()) return;
    const mo = new MutationObserver(() => { if (seen()) mo.disconnect(); });
    mo.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  };
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
})();
"""

READ_TIMES = """() => {
  const paint = performance.getEntriesByName('first-paint')[0];
  const mark = performance.getEntriesByName('nv:question-ready')[0];
  return {
    firstPaint: paint ? paint.startTime : null,
    ready: mark ? mark.startTime : (window.__nvReadyAt ?? null),
    marked: Boolean(mark),
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path) -> tuple[subprocess.Popen, str, Path]:
    data = Path(tempfile.mkdtemp(prefix="nv-slowphone-"))
    env = {
        **os.environ,
        "WORKSHOP_DATA_DIR": str(data),
        "RATE_LIMIT_JOIN": "100000/minute",
        "RATE_LIMIT_JOIN_NEW": "1000000/minute",
    }
    subprocess.run(
        [sys.executable, "-m", "workshop.cli", "create-user", "--email", EMAIL, "--password", PASSWORD],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(data / "server.log", "ab")  # noqa: SIM115  (open for the server's lifetime)
    proc = subprocess.Popen(
        [sys.executable, "-m", "workshop.cli", "serve", "--port", str(port)],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + (data / "server.log").read_text()[-2000:])
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                return proc, base, data
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def make_workshop(base: str) -> str:
    """A live workshop with one multiple-choice question, made current; returns the join code."""
    s = requests.Session()
    r = s.get(base + "/login")
    s.post(base + "/login", data={"csrf_token": _csrf(r.text), "email": EMAIL, "password": PASSWORD})
    r = s.get(base + "/f/new")
    r = s.post(
        base + "/f/new",
        data={"csrf_token": _csrf(r.text), "title": "Nyttoanalys av e-tjänsten", "language": "sv", "mode": "live"},
    )
    ws_id = int(re.search(r"/f/w/(\d+)$", r.url).group(1))
    r = s.post(f"{base}/f/w/{ws_id}/activities", data={"csrf_token": _csrf(r.text), "kind": "multiple_choice"})
    act_id = int(re.search(r"/a/(\d+)$", r.url).group(1))
    s.post(
        r.url,
        data={
            "csrf_token": _csrf(r.text),
            "title": "Vilken nytta väger tyngst för invånarna?",
            "cfg_options": "Kortare väntetid\nFärre resor\nEnklare ansökan\nBättre information",
            "cfg_max_choices": "1",
        },
    ).raise_for_status()
    page = s.get(f"{base}/f/w/{ws_id}").text
    code = re.search(r"/qr/(\d{8})\.svg", page).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    sio = socketio.Client(reconnection=False)
    ready = threading.Event()
    sio.on("snapshot", lambda _data: ready.set(), namespace="/console")
    sio.connect(base, namespaces=["/console"], auth={"workshop_id": ws_id}, headers={"Cookie": cookie}, wait_timeout=10)
    ready.wait(10)
    ack = sio.call("goto", {"activity_id": act_id}, namespace="/console", timeout=15)
    sio.disconnect()
    assert isinstance(ack, dict) and ack.get("ok"), ack
    return code


def open_link(context, url: str) -> dict:
    """Open ``url`` in a new tab of ``context`` on the slow network; the figures of that load."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    done: list[tuple[float, float]] = []  # (monotonic time, encoded bytes) per finished request
    started: list[str] = []
    cdp.on("Network.requestWillBeSent", lambda e: started.append(e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: done.append((time.monotonic(), e.get("encodedDataLength", 0))))
    page.add_init_script(WATCH_READY)
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "() => performance.getEntriesByName('nv:question-ready').length || window.__nvReadyAt", timeout=60000
    )
    at_ready = time.monotonic()
    times = page.evaluate(READ_TIMES)
    page.wait_for_timeout(300)  # let the CDP events of the last responses arrive
    counted = [b for (t, b) in done if t <= at_ready + 0.05]
    result = {
        "first_paint": times["firstPaint"] / 1000,
        "ready": times["ready"] / 1000,
        "bytes": sum(counted),
        "requests": len(counted),
        "marked": times["marked"],
    }
    page.close()
    return result


def run(root: Path, runs: int) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    proc, base, _data = start_server(root)
    out: dict[str, list[dict]] = {"first-time": [], "returning": []}
    try:
        code = make_workshop(base)
        url = f"{base}/j/{code}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
                    out["first-time"].append(open_link(context, url))
                    out["returning"].append(open_link(context, url))
                    context.close()
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def report(results: dict[str, list[dict]]) -> None:
    print(f"slow 3G (latency {SLOW_3G['latency']} ms, 400 kbit/s), CPU x{CPU_SLOWDOWN}; median of runs")
    for case, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in ("first_paint", "ready", "bytes", "requests")}
        how = "mark" if all(r["marked"] for r in rows) else "observer"
        print(
            f"{case:>10}: first paint {med['first_paint']:.2f} s, question ready {med['ready']:.2f} s ({how}), "
            f"{med['bytes'] / 1024:.1f} KiB over {med['requests']:.0f} requests"
        )
        for r in rows:
            print(
                f"{'':>12}run: paint {r['first_paint']:.2f} s, ready {r['ready']:.2f} s, "
                f"{r['bytes'] / 1024:.1f} KiB, {r['requests']} requests"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose server to start")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    report(run(args.root.resolve(), args.runs))


if __name__ == "__main__":
    main()
