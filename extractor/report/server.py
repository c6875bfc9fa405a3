"""The review server: the review pages with a decision form per figure and flag, on 127.0.0.1.

Takes a :class:`~extractor.report.review.Review` (its static folder already written) and serves
its overview and report pages rendered fresh with forms, and its crops from disk. A form POSTs to
``/decide``, which records the decision with :func:`extractor.corpus.decisions.record` in the
batch's store and rewrites that report's static page and the overview, so the folder on disk
always shows the decisions recorded so far. A decision that cannot be recorded comes back as the
same page with the reason next to the form and what was typed still in it.

Any web page the auditor has open can send requests to 127.0.0.1, so the server trusts nothing
but its own pages:

- a secret token per server run, in the address printed at start-up; the first visit with it sets
  an HttpOnly, SameSite=Strict cookie and redirects to the clean address. Every page needs the
  cookie, every POST the cookie *and* a form field equal to it (403 without);
- the Host header must name this server (127.0.0.1, localhost or the bound address, with its
  port): anything else is 400, so a DNS-rebound name reads nothing;
- a POST needs an ``Origin`` that is one of those addresses (``null`` and a missing Origin are
  403), a ``Sec-Fetch-Site`` of ``same-origin`` when the browser sends one, and the Content-Type
  ``application/x-www-form-urlencoded`` (415 otherwise: a ``text/plain`` form is not a form);
- every HTML page, the 4xx pages included, comes from the autoescaping templates, with a strict
  Content-Security-Policy (scripts and styles by per-response nonce only), ``X-Frame-Options:
  DENY`` and ``nosniff``.

HTTP itself is waitress's (pure Python, maintained): it reads every body to its Content-Length or
last chunk before the next request (no request smuggling), refuses bad or oversized lengths
(400/413) and closes the connection after an error, keeps idle and half-sent connections in its
event loop rather than in threads (a bounded pool answers requests) and closes them after
``channel_timeout``. The application is a few werkzeug Request/Response handlers with werkzeug's
routing; werkzeug rather than Flask because the pages are rendered by the review's own Jinja
environment and a framework would add sessions, blueprints and globals we have no use for.
"""

from __future__ import annotations

import hmac
import secrets
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from waitress.server import create_server
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from ..corpus import decisions
from ..corpus.decisions import BoundsError, DecisionError, flag_targets
from .review import Review, anchor

MAX_FORM_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
FORM_FIELDS = ("token", "sha256", "target", "action", "value", "comment", "reviewer", "beyond_bounds")
LOCAL_NAMES = ("127.0.0.1", "localhost")
HISTORY_PAGE = 50
ORIGIN_WORDS = {None: "no page", "null": "an opaque origin: a file:// page or a sandboxed frame"}  # decisions per page of a target's history


@dataclass(frozen=True)
class Limits:
    """How much of the machine the server may take (waitress's settings of the same names)."""

    threads: int = 4  # requests answered at once; the rest wait in waitress's queue
    connection_limit: int = 100  # open connections; beyond it new ones wait in the listen backlog
    channel_timeout: int = 20  # seconds a connection may stay idle or half-sent before it is closed
    cleanup_interval: int = 5  # how often (seconds) connections are checked against channel_timeout
    backlog: int = 128
    max_header_bytes: int = 16 * 1024


class HexConverter(BaseConverter):
    regex = r"[0-9a-f]{16}"


class CropConverter(BaseConverter):
    regex = r"p[0-9]{1,5}-[0-9a-f]{16}\.png"  # crops.CropMaker's names: nothing else is served


class ReviewApp:
    """The WSGI application: routing, the checks above, the pages."""

    def __init__(self, review: Review, token: str, cookie: str) -> None:
        self.review = review
        self.token = token
        self.cookie = cookie
        self.hosts: set[str] = set()  # host:port values allowed in Host (set once the port is bound)
        self.origins: set[str] = set()
        self.lock = threading.Lock()  # one review, its crop maker and the store: one request at a time
        self.by_name = {n: i for i, n in enumerate(review.names)}
        self.refused: deque[tuple[int, str, str]] = deque(maxlen=500)  # (status, request, reason)
        self.urls = Map([
            Rule("/", endpoint="index", methods=["GET"]),
            Rule("/index.html", endpoint="index", methods=["GET"]),
            Rule("/r/<name>", endpoint="report", methods=["GET"]),
            Rule("/history/<name>", endpoint="history", methods=["GET"]),
            Rule("/crops/<hex:folder>/<crop:file>", endpoint="crop", methods=["GET"]),
            Rule("/decide", endpoint="decide", methods=["POST"]),
        ], converters={"hex": HexConverter, "crop": CropConverter}, strict_slashes=False, merge_slashes=False)

    def allow(self, names: Iterable[str], port: int) -> None:
        self.hosts = {f"{n}:{port}" for n in names}
        self.origins = {f"http://{h}" for h in self.hosts}

    # --- WSGI --------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_FORM_BYTES
        nonce = secrets.token_urlsafe(16)
        try:
            response = self.respond(request, nonce)
        except Refused as e:
            response = self.message(e.status, e.title, e.message, nonce)
            self._note_refusal(request, e.status, e.message)
        except HTTPException as e:  # werkzeug's 404, 405, 413: the same page as ours
            status = e.code or 400
            response = self.message(status, e.name, e.description or "", nonce)
            self._note_refusal(request, status, e.name)
        except Exception:  # noqa: BLE001 - a bug: say so on the terminal, answer 500, keep serving
            traceback.print_exc()
            response = self.message(500, "Internal error", "the review server failed on this request; "
                                    "its terminal shows why", nonce)
        secure(response, nonce)
        return response(environ, start_response)

    def _note_refusal(self, request: Request, status: int, reason: str) -> None:
        self.refused.append((status, f"{request.method} {request.path}", reason))
        if request.method == "POST":  # a decision not recorded: the auditor should know why
            print(f"refused ({status}): {request.method} {request.path}: {reason}", file=sys.stderr, flush=True)

    def respond(self, request: Request, nonce: str) -> Response:
        host = (request.headers.get("Host") or "").lower()
        if host not in self.hosts:
            raise Refused(400, "Bad Request", "this server answers to 127.0.0.1 and localhost only "
                          "(the Host header names another server)")
        adapter = self.urls.bind_to_environ(request.environ)
        endpoint, args = adapter.match()
        if request.method == "POST":
            return self.decide(request, nonce)
        if not self._has_cookie(request):
            token = request.args.get("token", "")
            if token and hmac.compare_digest(token.encode(), self.token.encode()):
                return self._login(request)
            raise Refused(403, "Forbidden", "open the address the review server printed when it started "
                          "(it carries the server's token); an old tab or another server's address has none")
        handler = getattr(self, f"get_{endpoint}")
        return handler(request, nonce, **args)  # type: ignore[no-any-return]

    def _has_cookie(self, request: Request) -> bool:
        return hmac.compare_digest((request.cookies.get(self.cookie) or "").encode(), self.token.encode())

    def _login(self, request: Request) -> Response:
        """The token was in the address: keep it in a cookie and go to the address without it."""
        response = Response(status=303, headers={"Location": quote(request.path)})
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    # --- GET ---------------------------------------------------------------------------------
    def get_index(self, request: Request, nonce: str) -> Response:
        rv = self.review
        with self.lock:
            html = rv.render_index(rv.overview(), serving=True, nonce=nonce)
        return html_response(html)

    def get_report(self, request: Request, nonce: str, name: str) -> Response:
        i = self._report(name)
        saved = None
        sid = request.args.get("saved", "")
        if sid.isdigit() and len(sid) < 19 and self.review.db is not None:
            d = decisions.get(self.review.db, int(sid))
            if d is not None and d.sha256 == self.review.results[i].get("sha256"):
                saved = f"recorded: {d.summary}"  # read from the store: the address carries only an id
        return self.page(i, nonce, saved=saved)

    def get_history(self, request: Request, nonce: str, name: str) -> Response:
        i = self._report(name)
        rv = self.review
        target = request.args.get("target", "")
        before = request.args.get("before", "")
        sha = rv.results[i].get("sha256") or ""
        if rv.db is None or not sha:
            raise Refused(404, "Not Found", "this review has no decisions store")
        page = decisions.older(rv.db, sha, target, int(before) if before.isdigit() and len(before) < 19 else None,
                               HISTORY_PAGE + 1)
        count = decisions.counts(rv.db, sha).get((sha, target), 0)
        more = page[HISTORY_PAGE - 1].id if len(page) > HISTORY_PAGE else None
        html = rv.render_history(i, target, page[:HISTORY_PAGE], count, more, nonce=nonce)
        return html_response(html)

    def get_crop(self, request: Request, nonce: str, folder: str, file: str) -> Response:
        path = self.review.out / "crops" / folder / file  # both parts matched their converters' patterns
        if not path.is_file():
            raise Refused(404, "Not Found", "no such crop")
        response = Response(path.read_bytes(), mimetype="image/png")
        response.headers["Cache-Control"] = "private, max-age=86400"  # a crop's name is the digest of what it shows
        return response

    def _report(self, name: str) -> int:
        if name not in self.by_name:
            raise Refused(404, "Not Found", "no such report page")
        return self.by_name[name]

    def page(self, i: int, nonce: str, status: int = 200, errors: dict[str, str] | None = None,
             typed: dict[str, dict[str, str]] | None = None, saved: str | None = None,
             beyond: Iterable[str] = ()) -> Response:
        rv = self.review
        with self.lock:
            html = rv.render_report(rv.view(i), serving=True, errors=errors, typed=typed, root="/", saved=saved,
                                    token=self.token, beyond=beyond, nonce=nonce)
        return html_response(html, status)

    def message(self, status: int, title: str, message: str, nonce: str) -> Response:
        return html_response(self.review.render_message(status, title, message, nonce=nonce), status)

    # --- POST --------------------------------------------------------------------------------
    def decide(self, request: Request, nonce: str) -> Response:
        origin = request.headers.get("Origin")
        if origin not in self.origins:
            raise Refused(403, "Forbidden", "a decision is recorded only from this review server's own pages "
                          f"(the request came from {ORIGIN_WORDS.get(origin, 'another origin')})")
        if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            raise Refused(403, "Forbidden", "a decision is recorded only from this review server's own pages")
        if request.mimetype != FORM_TYPE or request.mimetype_params.get("charset", "utf-8").lower() != "utf-8":
            raise Refused(415, "Unsupported Media Type", f"a decision is a form posted as {FORM_TYPE} (UTF-8)")
        if not self._has_cookie(request):
            raise Refused(403, "Forbidden", "this browser has not opened the address the server printed at "
                          "start-up (no token cookie): open it, then record the decision again")
        form = self._form(request)
        if not hmac.compare_digest(form.get("token", "").encode(), self.token.encode()):
            raise Refused(403, "Forbidden", "the form does not carry this server's token (a page from an earlier "
                          "run of the server?): reload the page and record the decision again")
        rv = self.review
        i = rv.by_sha.get(form.get("sha256", ""))
        if i is None:
            raise Refused(400, "Bad Request", "unknown report: reload the overview (was the batch rerun?)")
        target = form.get("target", "")
        try:
            decision = self._record(i, target, form)
        except DecisionError as e:
            return self.page(i, nonce, 400, errors={target: str(e)}, typed={target: form},
                             beyond=[target] if isinstance(e, BoundsError) else [])
        print(f"recorded: {rv.results[i].get('file')} {decision.summary}", flush=True)
        return Response(status=303, headers={"Location": f"/r/{rv.names[i]}?saved={decision.id}#{anchor(target)}"})

    def _form(self, request: Request) -> dict[str, str]:
        """The posted fields, each at most once, strictly UTF-8. The stdlib's parser: werkzeug's would
        replace undecodable bytes silently and keep the first of repeated fields."""
        body = request.get_data(cache=False, parse_form_data=False)
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict",
                              max_num_fields=len(FORM_FIELDS) + 4)
        except (UnicodeDecodeError, ValueError) as e:
            raise Refused(400, "Bad Request", "the form is not UTF-8 form data with the review's fields") from e
        form: dict[str, str] = {}
        for k, v in pairs:
            if k in form:
                raise Refused(400, "Bad Request", "a field of the form was sent twice")
            form[k] = v
        return form

    def _record(self, i: int, target: str, form: dict[str, str]) -> decisions.Decision:
        rv = self.review
        result = rv.results[i]
        if target.startswith("flag:") and target not in flag_targets(result.get("flags") or []):
            raise DecisionError(f"this report has no flag {target[5:85]!r}; reload the page")
        action = form.get("action", "")
        if not action:
            raise DecisionError("choose confirm, reject or correct before recording")
        value = form.get("value") if action == "corrected" else None
        if rv.db is None:
            raise DecisionError("this review has no decisions store")
        with self.lock:
            decision = decisions.record(rv.db, result["sha256"], target, action, value,
                                        comment=form.get("comment", ""), reviewer=form.get("reviewer", ""),
                                        result=result, beyond_bounds=form.get("beyond_bounds") == "1")
            rv.write_one(i)
        return decision


class Refused(Exception):
    """A request answered with a 4xx page saying why."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def html_response(html: str, status: int = 200) -> Response:
    response = Response(html, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def secure(response: Response, nonce: str) -> None:
    """The headers every response carries: what the page may load and who may frame or read it."""
    h = response.headers
    h["Content-Security-Policy"] = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                                    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"  # not no-referrer: that makes browsers send `Origin: null` on our own POSTs
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h.setdefault("Cache-Control", "no-store")


class ReviewServer:
    """The review app under waitress on ``host:port`` (port 0: any free port), with a fresh token."""

    def __init__(self, review: Review, port: int, host: str = "127.0.0.1", limits: Limits = Limits(),
                 token: str | None = None) -> None:
        self.review = review
        self.token = token or secrets.token_urlsafe(32)
        self.app = ReviewApp(review, self.token, cookie="")
        self.server = create_server(
            self.app, host=host, port=port, threads=limits.threads, connection_limit=limits.connection_limit,
            channel_timeout=limits.channel_timeout, cleanup_interval=limits.cleanup_interval,
            backlog=limits.backlog, max_request_header_size=limits.max_header_bytes,
            max_request_body_size=MAX_FORM_BYTES + 1, asyncore_use_poll=True, clear_untrusted_proxy_headers=True,
            ident="extractor-review", expose_tracebacks=False)
        self.host = host
        self.port = int(self.server.effective_port)  # type: ignore[union-attr]
        self.app.cookie = f"review_token_{self.port}"  # cookies ignore ports: one per server
        self.app.allow({*LOCAL_NAMES, host}, self.port)
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def login_url(self) -> str:
        """The address to open first: it carries the token."""
        return f"{self.url}?token={self.token}"

    @property
    def refused(self) -> deque[tuple[int, str, str]]:
        """The latest requests refused: (status, method and path, reason)."""
        return self.app.refused

    def serve_forever(self) -> None:
        try:
            self.server.run()
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving (from another thread): close every connection in the server's loop."""
        server = self.server

        def close_all() -> None:
            for channel in list(server._map.values()):  # type: ignore[union-attr]
                channel.close()

        if not self._stopped.is_set():
            try:
                server.trigger.pull_trigger(close_all)  # type: ignore[union-attr]
            except OSError:  # the loop ended meanwhile and closed its trigger: nothing left to close
                pass
        self._stopped.wait(10)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]

    def server_close(self) -> None:
        """Release the socket and the worker threads of a server that was never run (or is stopped)."""
        if not self._stopped.is_set():
            self.server.close()
            self.server.task_dispatcher.shutdown()  # type: ignore[union-attr]


def serve(review: Review, port: int) -> None:
    """Serve ``review`` on 127.0.0.1:``port`` until interrupted."""
    try:
        server = ReviewServer(review, port)
    except OSError as e:
        raise SystemExit(f"error: cannot listen on 127.0.0.1:{port} ({e.strerror}); choose another --port") from e
    print(f"review server on {server.url} (Ctrl-C to stop); decisions go to {review.db}\n"
          f"open {server.login_url}\n(the token is this run's: pages without it cannot record decisions)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

