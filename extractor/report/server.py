"""The review server: the review pages with a decision form per figure and flag, on 127.0.0.1.

Takes a :class:`~extractor.report.review.Review` (its static folder already written) and serves
its overview and report pages rendered fresh with forms, and its crops from disk. A form POSTs to
``/decide``, which records the decision with :func:`extractor.corpus.decisions.record` in the
batch's store and rewrites that report's static page and the overview, so the folder on disk
always shows the decisions recorded so far. A decision that cannot be recorded comes back as the
same page with the reason next to the form and what was typed still in it.
"""

from __future__ import annotations

import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..corpus import decisions
from ..corpus.decisions import DecisionError, flag_targets
from .review import Review, anchor

MAX_FORM_BYTES = 64 * 1024


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, review: Review, port: int, host: str = "127.0.0.1") -> None:
        self.review = review
        self.lock = threading.Lock()  # one review, its crop maker and the store: one request at a time
        self.by_name = {n: i for i, n in enumerate(review.names)}
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows what was recorded, not every image request

    # --- GET ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        rv = self.server.review
        if path in ("/", "/index.html"):
            with self.server.lock:
                html = rv.render_index(rv.overview(), serving=True)
            return self._send(HTTPStatus.OK, html)
        if path.startswith("/r/") and path[3:] in self.server.by_name:
            saved = parse_qs(url.query).get("saved", [None])[0]
            return self._page(self.server.by_name[path[3:]], saved=saved)
        if path.startswith("/crops/"):
            return self._file(rv.out, path.lstrip("/"))
        self._send(HTTPStatus.NOT_FOUND, f"<h1>Not found</h1><p>{path}: no such page; "
                   f'start from the <a href="/">overview</a>.</p>')

    def _page(self, i: int, status: HTTPStatus = HTTPStatus.OK, errors: dict[str, str] | None = None,
              typed: dict[str, dict[str, str]] | None = None, saved: str | None = None) -> None:
        rv = self.server.review
        with self.server.lock:
            html = rv.render_report(rv.view(i), serving=True, errors=errors, typed=typed, root="/", saved=saved)
        self._send(status, html)

    def _file(self, root: Path, rel: str) -> None:
        base = (root / "crops").resolve()
        target = (root / rel).resolve()
        if base not in target.parents or not target.is_file():
            return self._send(HTTPStatus.NOT_FOUND, f"<p>{rel}: no such crop</p>")
        body = target.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=86400")  # a crop's name is the digest of what it shows
        self.end_headers()
        self.wfile.write(body)

    # --- POST --------------------------------------------------------------------------------
    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/decide":
            return self._send(HTTPStatus.NOT_FOUND, "<p>decisions are posted to /decide</p>")
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        if origin and origin not in (f"http://{host}", "null"):
            return self._send(HTTPStatus.FORBIDDEN, f"<p>refused: a decision posted from {origin}, not from this "
                              "review server's own pages</p>")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_FORM_BYTES:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "<p>form too large</p>")
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True).items()}
        rv = self.server.review
        i = rv.by_sha.get(form.get("sha256", ""))
        if i is None:
            return self._send(HTTPStatus.BAD_REQUEST, f"<p>unknown report {form.get('sha256')!r}: reload the "
                              '<a href="/">overview</a> (was the batch rerun?)</p>')
        target = form.get("target", "")
        try:
            decision = self._record(i, target, form)
        except DecisionError as e:
            return self._page(i, HTTPStatus.BAD_REQUEST, errors={target: str(e)}, typed={target: form})
        with self.server.lock:
            rv.write_one(i)
        what = decision.action + (f" {decision.value:,}" if decision.value is not None else "")
        print(f"recorded: {rv.results[i].get('file')} {target} {what}", flush=True)
        self.send_response(HTTPStatus.SEE_OTHER)
        saved = quote(f"recorded: {target} {what}")
        self.send_header("Location", f"/r/{rv.names[i]}?saved={saved}#{anchor(target)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _record(self, i: int, target: str, form: dict[str, str]) -> decisions.Decision:
        rv = self.server.review
        result = rv.results[i]
        if target.startswith("flag:") and target not in flag_targets(result.get("flags") or []):
            raise DecisionError(f"this report has no flag {target[5:]!r}; reload the page")
        action = form.get("action", "")
        if not action:
            raise DecisionError("choose confirm, reject or correct before recording")
        value = form.get("value") if action == "corrected" else None
        if rv.db is None:
            raise DecisionError("this review has no decisions store")
        with self.server.lock:
            return decisions.record(rv.db, result["sha256"], target, action, value,
                                    comment=form.get("comment", "").strip(),
                                    reviewer=form.get("reviewer", "").strip() or None)

    def _send(self, status: HTTPStatus, html: str) -> None:
        body = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(review: Review, port: int) -> None:
    """Serve ``review`` on 127.0.0.1:``port`` until interrupted."""
    try:
        server = ReviewServer(review, port)
    except OSError as e:
        raise SystemExit(f"error: cannot listen on 127.0.0.1:{port} ({e.strerror}); choose another --port") from e
    print(f"review server on {server.url} (Ctrl-C to stop); decisions go to {review.db}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
