"""The review server against what an attacker sends, over raw sockets and plain HTTP: malformed and
smuggled requests, a missing or wrong token, foreign Host and Origin, other content types, values
no auditor means, slow and idle connections, many at once. Each gets its 4xx, nothing is recorded
that should not be, the server keeps serving, the store stays sound."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from extractor.corpus import decisions
from extractor.report.review import Review
from extractor.report.server import Limits, ReviewServer

from .reviewhttp import decision_count, get, integrity, own_headers, post, raw, request, running, statuses

QUICK = Limits(channel_timeout=1, cleanup_interval=1)  # idle and half-sent connections closed within ~2 s


def fresh_review(review_batch: Path, review_site: Path, tmp: Path) -> Review:
    batch = tmp / "batch"
    batch.mkdir()
    shutil.copy(review_batch / "results.jsonl", batch / "results.jsonl")  # decisions go to batch/store.sqlite
    shutil.copytree(review_site, tmp / "review")  # its crops: made once for the session
    return Review(batch, tmp / "review")  # the copied site is its static folder


@pytest.fixture
def review(review_batch: Path, review_site: Path, tmp_path: Path) -> Review:
    return fresh_review(review_batch, review_site, tmp_path)


@pytest.fixture
def srv(review: Review) -> Iterator[ReviewServer]:
    with running(review, QUICK) as s:
        yield s


@pytest.fixture(scope="module")
def shared(review_batch: Path, review_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewServer]:
    """One server for the tests that record nothing or count what they add."""
    with running(fresh_review(review_batch, review_site, tmp_path_factory.mktemp("shared")), QUICK) as s:
        yield s


def report(srv: ReviewServer, stem: str = "s01_bse_reportlab") -> dict:
    return next(r for r in srv.review.results if Path(r["file"]).stem == stem)


def valid_form(srv: ReviewServer, **fields: str) -> dict[str, str]:
    return {"sha256": report(srv)["sha256"], "target": "figure:revenue.current", "action": "confirmed", **fields}


def request_bytes(srv: ReviewServer, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                  length: str | None = None, extra: str = "") -> bytes:
    """A request as bytes on the wire (Host and Content-Length as given, ``extra`` header lines
    as they are, nothing added)."""
    h = {"Host": f"127.0.0.1:{srv.port}", **(headers or {})}
    if length is not None:
        h["Content-Length"] = length
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + extra + "\r\n"
    return head.encode("latin-1") + body


def with_length(srv: ReviewServer, body: bytes, headers: dict[str, str]) -> bytes:
    return request_bytes(srv, "POST", "/decide", body, headers, str(len(body)))


def valid_post_bytes(srv: ReviewServer, **fields: str) -> bytes:
    body = urllib.parse.urlencode({"token": srv.token, **valid_form(srv, **fields)}).encode()
    return request_bytes(srv, "POST", "/decide", body, own_headers(srv), str(len(body)))


def still_serving(srv: ReviewServer) -> None:
    status, _, html = get(srv, "/")
    assert status == 200 and 'id="reports"' in html
    assert integrity(srv.review.db) == "ok" if srv.review.db and srv.review.db.exists() else True


# --- malformed requests on raw sockets -------------------------------------------------------

def malformed(srv: ReviewServer) -> dict[str, bytes]:
    own = own_headers(srv)
    form = urllib.parse.urlencode({"token": srv.token, **valid_form(srv)}).encode()
    return {
        "content-length-negative": request_bytes(srv, "POST", "/decide", form, own, "-1"),
        "content-length-abc": request_bytes(srv, "POST", "/decide", form, own, "abc"),
        "content-length-huge": request_bytes(srv, "POST", "/decide", b"x" * 100, own, str(10**12)),
        "content-length-twice": request_bytes(srv, "POST", "/decide", form, own, str(len(form)),
                                              extra="Content-Length: 5\r\n"),
        "body-over-64k-chunked": request_bytes(srv, "POST", "/decide", b"%x\r\n%s\r\n0\r\n\r\n" % (
            70_000, b"a" * 70_000), {**own, "Transfer-Encoding": "chunked"}),
        "body-invalid-utf8": with_length(srv, form + b"&comment=\xff\xfe", own),
        "body-invalid-percent-utf8": with_length(srv, form + b"&comment=%ff%fe", own),
        "field-twice": with_length(srv, form + b"&action=rejected", own),
        "path-invalid-utf8": request_bytes(srv, "GET", "/r/\xff\xfe.html", headers={"Cookie": own["Cookie"]}),
        "crops-nul": request_bytes(srv, "GET", "/crops/%00", headers={"Cookie": own["Cookie"]}),
        "crops-nul-in-name": request_bytes(srv, "GET", "/crops/0123456789abcdef/p1-%00.png",
                                           headers={"Cookie": own["Cookie"]}),
        "raw-nul-in-path": request_bytes(srv, "GET", "/crops/\x00", headers={"Cookie": own["Cookie"]}),
        "bad-request-line": b"GET\r\n\r\n",
        "header-without-colon": request_bytes(srv, "GET", "/", headers={"Cookie": own["Cookie"]})[:-2]
        + b"no colon here\r\n\r\n",
        "no-host-http10": b"GET / HTTP/1.0\r\nCookie: " + own["Cookie"].encode() + b"\r\n\r\n",
        "headers-too-large": request_bytes(srv, "GET", "/", headers={"Cookie": own["Cookie"], "X-Big": "a" * 40_000}),
        "method-not-allowed": request_bytes(srv, "PUT", "/decide", form, own, str(len(form))),
    }


CASES = {
    "content-length-negative": 400, "content-length-abc": 400, "content-length-huge": 413,
    "content-length-twice": 400, "body-over-64k-chunked": 413, "body-invalid-utf8": 400,
    "body-invalid-percent-utf8": 400, "field-twice": 400, "path-invalid-utf8": 400, "crops-nul": 404,
    "crops-nul-in-name": 404, "raw-nul-in-path": 404, "bad-request-line": 400, "header-without-colon": 400,
    "no-host-http10": 400, "headers-too-large": 431, "method-not-allowed": 405,
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_request_gets_4xx_and_the_server_goes_on(shared: ReviewServer, case: str) -> None:
    srv, before = shared, decision_count(shared.review.db)
    reply = raw(srv, malformed(srv)[case])
    assert statuses(reply)[:1] == [CASES[case]], reply[:300]
    assert decision_count(srv.review.db) == before
    still_serving(srv)


def test_short_body_holds_no_thread_and_is_closed(srv: ReviewServer) -> None:
    """A body shorter than its Content-Length: the server answers others meanwhile, records nothing
    and closes the connection once it has been idle for channel_timeout (no reply: the request
    never ended). The same when the client closes its side after the short body."""
    whole = valid_post_bytes(srv)
    threads = threading.active_count()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(whole[:-10])
        t0 = time.monotonic()
        still_serving(srv)
        assert time.monotonic() - t0 < 5
        assert s.recv(100) == b""  # closed by the server, without a reply
        assert time.monotonic() - t0 < 8
    assert raw(srv, whole[:-10], shut=True, responses=None) == b""
    assert threading.active_count() <= threads
    assert decision_count(srv.review.db) == 0
    still_serving(srv)


def test_half_sent_requests_take_no_threads(review: Review) -> None:
    """300 connections each holding half a request: no thread each (there were 301), the server
    answers at once, and closes them all once idle."""
    with running(review, Limits(connection_limit=400, channel_timeout=2, cleanup_interval=1)) as srv:
        threads = threading.active_count()
        socks = []
        try:
            for n in range(300):
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                s.sendall(b"POST /decide HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 100\r\n\r\nsha" % srv.port
                          if n % 2 else b"GET / HTTP/1.1\r\nHost: 127.")
                socks.append(s)
            t0 = time.monotonic()
            still_serving(srv)
            assert time.monotonic() - t0 < 5
            assert threading.active_count() <= threads + 1
            closed = 0
            for s in socks:
                s.settimeout(10)
                closed += s.recv(10) == b""
            assert closed == 300
        finally:
            for s in socks:
                s.close()
        still_serving(srv)


def test_past_the_connection_limit_the_server_recovers(review: Review) -> None:
    """More idle connections than connection_limit: new ones wait, and are served once the idle
    ones have been closed (channel_timeout), not refused nor reset."""
    with running(review, Limits(connection_limit=20, channel_timeout=1, cleanup_interval=1)) as srv:
        socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(40)]
        try:
            t0 = time.monotonic()
            status, _, _ = request(srv, "GET", "/", headers={"Cookie": f"{srv.app.cookie}={srv.token}"}, timeout=20)
            assert status == 200 and time.monotonic() - t0 < 15
        finally:
            for s in socks:
                s.close()


def test_parallel_posts_are_all_answered_and_recorded(srv: ReviewServer) -> None:
    """60 decisions posted at once (there were 19-27 connection resets): each answered 303, each
    recorded, the store sound."""
    def one(n: int) -> int:
        return post(srv, valid_form(srv, comment=f"parallel {n}"))[0]

    with ThreadPoolExecutor(60) as pool:
        codes = list(pool.map(one, range(60)))
    assert codes == [303] * 60
    assert decision_count(srv.review.db) == 60
    assert sorted(d.comment for d in decisions.history(srv.review.db)) == sorted(f"parallel {n}" for n in range(60))
    assert integrity(srv.review.db) == "ok"


# --- request smuggling ------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "code"), [
    ("not-found", 404), ("foreign-origin", 403), ("no-origin", 403), ("text-plain", 415), ("too-large", 413),
])
def test_a_body_is_never_read_as_a_second_request(shared: ReviewServer, case: str, code: int) -> None:
    """A refused request whose body is a complete, valid decision request (cookie, token, Origin):
    the old server answered without reading the body and then ran the body as the next request."""
    srv, before = shared, decision_count(shared.review.db)
    inner = valid_post_bytes(srv, comment="smuggled")
    own = own_headers(srv)
    outer = {
        "not-found": request_bytes(srv, "POST", "/nothing", inner, own, str(len(inner))),
        "foreign-origin": request_bytes(srv, "POST", "/decide", inner, {**own, "Origin": "http://evil.example"},
                                        str(len(inner))),
        "no-origin": request_bytes(srv, "POST", "/decide", inner, {k: v for k, v in own.items() if k != "Origin"},
                                   str(len(inner))),
        "text-plain": request_bytes(srv, "POST", "/decide", inner, {**own, "Content-Type": "text/plain"},
                                    str(len(inner))),
        "too-large": request_bytes(srv, "POST", "/decide", b"", own, str(70_000)) + inner,
    }[case]
    reply = raw(srv, outer, wait=5, linger=0.5)  # a second answer would come within the half second
    assert statuses(reply) == [code], reply[:300]
    assert decision_count(srv.review.db) == before
    still_serving(srv)


def test_keep_alive_still_works_for_honest_requests(srv: ReviewServer) -> None:
    """Two requests on one connection are two answers: the body handling above did not cost that."""
    one = request_bytes(srv, "GET", "/", headers={"Cookie": f"{srv.app.cookie}={srv.token}"})
    assert statuses(raw(srv, one + valid_post_bytes(srv), responses=2)) == [200, 303]
    assert decision_count(srv.review.db) == 1


# --- token, Host, Origin, Content-Type --------------------------------------------------------

def test_token_address_sets_a_strict_cookie_and_leaves_the_address(shared: ReviewServer) -> None:
    srv, before = shared, decision_count(shared.review.db)
    status, headers, _ = get(srv, f"/?token={srv.token}", cookie=False)
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{srv.app.cookie}={srv.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert get(srv, f"/r/{srv.review.names[0]}?token={srv.token}", cookie=False)[1]["location"] == \
        f"/r/{srv.review.names[0]}"
    for path in ("/", f"/?token={srv.token[:-1]}x", f"/?token={srv.token}x", f"/r/{srv.review.names[0]}"):
        assert get(srv, path, cookie=False)[0] == 403, path
    assert get(srv, "/", cookie=False, headers={"Cookie": f"{srv.app.cookie}=guess"})[0] == 403
    other = ReviewServer(srv.review, 0)  # each server its own token
    assert other.token != srv.token and len(other.token) >= 40
    other.server_close()
    assert decision_count(srv.review.db) == before


@pytest.mark.parametrize(("host", "code"), [
    ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("LOCALHOST:{port}", 200),
    ("evil.example:{port}", 400), ("rebind.test", 400), ("127.0.0.1", 400), ("127.0.0.1:1", 400),
    ("127.0.0.1:{port}.evil.example", 400), ("", 400),
], ids=["ip", "localhost", "case", "foreign", "no-port", "ip-no-port", "other-port", "suffix", "empty"])
def test_host_must_name_this_server(shared: ReviewServer, host: str, code: int) -> None:
    srv = shared
    status, _, html = get(srv, "/", headers={"Host": host.format(port=srv.port)})
    assert status == code
    if code == 400:
        assert 'id="reports"' not in html


@pytest.mark.parametrize(("change", "code"), [
    ({}, 303),
    ({"Origin": "http://localhost:{port}"}, 303),
    ({"Origin": "null"}, 403),
    ({"drop": ("Origin",)}, 403),
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "http://127.0.0.1:{port}.evil.example"}, 403),
    ({"Origin": "http://127.0.0.1:1"}, 403),
    ({"Origin": "https://127.0.0.1:{port}"}, 403),
    ({"Sec-Fetch-Site": "same-site"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"drop": ("Cookie",)}, 403),
    ({"Cookie": "review_token_1={token}"}, 403),
    ({"token": False}, 403),
    ({"Content-Type": "text/plain"}, 415),
    ({"Content-Type": "multipart/form-data; boundary=x"}, 415),
    ({"Content-Type": "application/json"}, 415),
    ({"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}, 415),
    ({"drop": ("Content-Type",)}, 415),
    ({"Host": "evil.example:{port}"}, 400),
], ids=["own-page", "localhost-origin", "origin-null", "no-origin", "foreign-origin", "origin-suffix",
        "origin-other-port", "origin-https", "same-site", "cross-site", "no-cookie", "other-servers-cookie",
        "no-token-field", "text-plain", "multipart", "json", "latin-1", "no-content-type", "foreign-host"])
def test_post_needs_cookie_token_origin_and_form(shared: ReviewServer, change: dict, code: int) -> None:
    srv, before = shared, decision_count(shared.review.db)
    change = dict(change)
    drop = change.pop("drop", ())
    token = change.pop("token", True)
    headers = {k.replace("-", "_"): v.format(port=srv.port, token=srv.token) for k, v in change.items()}
    status, location, html = post(srv, valid_form(srv), drop=drop, token=token, **headers)
    assert status == code, html[:500]
    assert decision_count(srv.review.db) == before + (1 if code == 303 else 0)
    if code == 303:
        assert location.startswith(f"/r/{srv.review.names[srv.review.results.index(report(srv))]}?saved=")


def test_form_token_must_match(shared: ReviewServer) -> None:
    srv, before = shared, decision_count(shared.review.db)
    status, _, html = post(srv, {**valid_form(srv), "token": srv.token[:-2] + "xx"}, token=False)
    assert status == 403 and "token" in html
    assert decision_count(srv.review.db) == before


# --- what every response carries ----------------------------------------------------------------

def test_every_page_carries_the_security_headers(shared: ReviewServer) -> None:
    srv, before = shared, decision_count(shared.review.db)
    name = srv.review.names[0]
    answers = [get(srv, "/"), get(srv, f"/r/{name}"), get(srv, "/nothing"), get(srv, "/", cookie=False),
               get(srv, "/", headers={"Host": "evil.example"}), post(srv, valid_form(srv), Origin="null")]
    for a in answers[:5]:
        _, headers, html = a
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
        nonce = csp.split("'nonce-")[1].split("'")[0]
        assert html.count("<script") == html.count(f'<script nonce="{nonce}"')
        assert html.count("<style") == html.count(f'<style nonce="{nonce}"') >= 1
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store" and headers["content-type"] == "text/html; charset=utf-8"
    assert [a[0] for a in answers] == [200, 200, 404, 403, 400, 403]
    assert get(srv, "/")[1]["content-security-policy"] != get(srv, "/")[1]["content-security-policy"]  # fresh nonce
    assert decision_count(srv.review.db) == before


def test_no_inline_event_handlers_in_served_pages(shared: ReviewServer) -> None:
    """The CSP blocks inline handlers: a page that relied on one would break silently."""
    srv = shared
    for path in ("/", f"/r/{srv.review.names[0]}"):
        html = get(srv, path)[2]
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path


def test_saved_shows_the_decision_from_the_store_only(srv: ReviewServer) -> None:
    status, location, _ = post(srv, valid_form(srv, comment="ties out"))
    assert status == 303
    html = get(srv, location)[2]
    assert 'role="status">recorded: figure:revenue.current confirmed<' in html
    name = location.split("?")[0]
    for bogus in ("?saved=<b>pwned</b>", "?saved=recorded:%20everything", "?saved=999999", "?saved=-1",
                  "?saved=" + "9" * 40):
        assert 'class="saved-msg"' not in get(srv, name + bogus)[2], bogus
    other = next(n for n in srv.review.names if n != name.removeprefix("/r/"))
    assert 'class="saved-msg"' not in get(srv, f"/r/{other}?saved={location.split('saved=')[1].split('#')[0]}")[2]


# --- values and text no auditor means -------------------------------------------------------------

@pytest.mark.parametrize(("value", "words"), [
    ("1e400", "beyond 100,000,000,000,000 yuan"),
    ("Infinity", "not a finite number"),
    ("NaN", "not a finite number"),
    ("-5", "negative"),
    ("1.001", "decimal places"),
    ("1" * 41, "characters long"),
], ids=["1e400", "infinity", "nan", "negative", "sub-fen", "long"])
def test_values_that_are_not_amounts_are_refused(shared: ReviewServer, value: str, words: str) -> None:
    srv, before = shared, decision_count(shared.review.db)
    status, _, html = post(srv, valid_form(srv, action="corrected", value=value))
    assert status == 400 and words in html
    assert decision_count(srv.review.db) == before


def test_value_beyond_the_plausibility_bound_needs_a_checked_box_and_a_reason(srv: ReviewServer) -> None:
    r = report(srv)
    revenue = r["figures"]["revenue"]["current"]["value"]
    huge = f"{revenue * 5:.2f}"  # selling expense 5x revenue; the bound is 3x
    form = valid_form(srv, target="figure:selling_expense.current", action="corrected", value=huge)
    status, _, html = post(srv, form)
    assert status == 400 and "beyond the bound 3x" in html and 'name="beyond_bounds"' in html
    assert post(srv, {**form, "beyond_bounds": "1"})[0] == 400  # without saying why
    status, _, _ = post(srv, {**form, "beyond_bounds": "1", "comment": "restated: see note 12"})
    assert status == 303
    d = decisions.latest(srv.review.db)[(r["sha256"], "figure:selling_expense.current")]
    assert str(d.value) == huge and d.comment == "restated: see note 12"


def test_comments_are_cleaned_and_limited(srv: ReviewServer) -> None:
    status, _, _ = post(srv, valid_form(srv, comment="ties\x00 out\u202e\r\nper note\x1b[31m 5", reviewer="li\tmei"))
    assert status == 303
    d = decisions.history(srv.review.db)[0]
    assert (d.comment, d.reviewer) == ("ties out  per note[31m 5", "li mei")
    status, _, html = post(srv, valid_form(srv, comment="x" * 2001))
    assert status == 400 and "at most 2,000" in html
    assert decision_count(srv.review.db) == 1


# --- a long history ----------------------------------------------------------------------------

def test_long_history_is_paged_not_reread(srv: ReviewServer) -> None:
    """20,000 decisions on one figure (the page was 21.7 MB and a POST took 0.45 s): the page lists
    the last few and links to the history, which comes 50 at a time, newest first."""
    r = report(srv)
    db = srv.review.db
    assert db is not None
    decisions.record(db, r["sha256"], "figure:revenue.current", "confirmed", comment="first")
    with sqlite3.connect(db) as con:
        con.executemany("INSERT INTO decisions (sha256, target, action, value, comment, reviewer, decided_at) "
                        "VALUES (?, 'figure:revenue.current', 'confirmed', NULL, ?, 'bot', '2026-01-01T00:00:00')",
                        [(r["sha256"], f"note {n}") for n in range(19_999)])
    assert post(srv, valid_form(srv, target="figure:revenue.prior"))[0] == 303  # templates compiled: what
    t0 = time.monotonic()  # follows is what a POST costs
    status, location, _ = post(srv, valid_form(srv, comment="the latest"))
    took = time.monotonic() - t0
    assert status == 303
    print(f"POST with 20,000 decisions in the store: {took:.3f} s")
    status, _, html = get(srv, location)
    assert status == 200 and len(html) < 300_000
    assert "20001 decisions (history)" in html and "19991 older decisions not listed" in html
    assert "the latest" in html and "note 19998" in html and "note 19989" not in html
    link = re.search(r'href="(/history/[^"]+)"', html)
    assert link
    seen: list[str] = []
    path = link.group(1)
    for _ in range(2):
        status, _, page = get(srv, path)
        assert status == 200
        seen += re.findall(r"“(the latest|note \d+|first)”", page)
        path = re.search(r'id="older" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert seen == ["the latest"] + [f"note {n}" for n in range(19_998, 19_899, -1)]
    assert took < 3  # generous on a busy machine; it was the rendering of 20,000 rows each time
