"""Talking to a review server in tests: started in a thread, requests as a browser of its own pages
sends them (cookie, token field, Origin) unless a test leaves something out, raw bytes on a socket."""

from __future__ import annotations

import http.client
import re
import socket
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path

from extractor.report.review import Review
from extractor.report.server import Limits, ReviewServer

FORM = "application/x-www-form-urlencoded"


@contextmanager
def running(review: Review, limits: Limits | None = None) -> Iterator[ReviewServer]:
    srv = ReviewServer(review, 0, limits=limits or Limits())
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(10)


def own_headers(srv: ReviewServer) -> dict[str, str]:
    """What Chromium sends with a form posted from the server's own page."""
    return {"Origin": f"http://127.0.0.1:{srv.port}", "Cookie": f"{srv.app.cookie}={srv.token}",
            "Content-Type": FORM, "Sec-Fetch-Site": "same-origin"}


def request(srv: ReviewServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], str]:
    """One request on a fresh connection: status, headers (lower-case names), body (unescaped)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, unescape(text)
    finally:
        conn.close()


def get(srv: ReviewServer, path: str, cookie: bool = True, headers: dict[str, str] | None = None
        ) -> tuple[int, dict[str, str], str]:
    h = {"Cookie": f"{srv.app.cookie}={srv.token}"} if cookie else {}
    return request(srv, "GET", path, headers={**h, **(headers or {})})


def post(srv: ReviewServer, fields: dict[str, str], drop: tuple[str, ...] = (), token: bool = True,
         **headers: str) -> tuple[int, str, str]:
    """POST /decide as the server's own page would (less the headers named in ``drop``, with
    ``headers`` replacing its own, e.g. ``Origin="null"``): status, Location, body."""
    h = {k: v for k, v in own_headers(srv).items() if k not in drop}
    h.update({k.replace("_", "-"): v for k, v in headers.items()})
    body = urllib.parse.urlencode({**({"token": srv.token} if token else {}), **fields}).encode()
    status, resp_headers, text = request(srv, "POST", "/decide", body, h)
    return status, resp_headers.get("location", ""), text


def raw(srv: ReviewServer, data: bytes, wait: float = 5.0, shut: bool = False, responses: int | None = 1,
        linger: float = 0.0) -> bytes:
    """Send bytes as they are; what the server answers until it closes, ``wait`` seconds pass, or
    ``responses`` complete responses came and ``linger`` more seconds brought nothing (None: read
    until the server closes or ``wait`` ends)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=wait) as s:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if responses is not None and len(statuses(out, complete=True)) >= responses:
                if linger <= 0:
                    break
                s.settimeout(linger)
                end = time.monotonic() + linger
            try:
                chunk = s.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
        return out


def statuses(reply: bytes, complete: bool = False) -> list[int]:
    """The status codes of the responses in ``reply``, one after the other on one connection (each
    head read, its Content-Length of body skipped); ``complete``: only those received whole."""
    out = []
    while reply:
        head, sep, rest = reply.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not sep or not m:
            break
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
        size = int(length.group(1)) if length else len(rest)
        if complete and len(rest) < size:
            break
        out.append(int(m.group(1)))
        reply = rest[size:]
    return out


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])


def decision_count(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        try:
            return int(con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])
        except sqlite3.OperationalError:  # no decisions table yet: nothing was ever recorded
            return 0
