"""A fake GitHub Copilot usage-metrics report API, served over real HTTP on loopback.

Two kinds of requests reach it, as in production: API calls (bearer token, JSON with
signed download links) and downloads of those links (no token, a signature and an expiry
in the query). Faults queued with `Simulator.inject` make it misbehave the way GitHub
and its storage front door have been seen to. GitHub Apps (`apps`, `installations`) sign
JWTs that it verifies and get installation tokens that expire and open one scope.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import math
import re
import secrets
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from copilot_simulator import billing
from copilot_simulator.reports import (
    DATA_START,
    HISTORY_DAYS,
    LATEST_REPORTS,
    NO_CONTENT_WHEN_EMPTY,
    REPORT_KINDS,
    REPORTS_BY_OWNER,
    ReportBook,
    window,
)
from copilot_simulator.seats import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SeatBook

API_FAULT_KINDS = frozenset(
    {
        "api_error",
        "api_reset",
        "api_slow",
        "rate_limit_429",
        "rate_limit_403",
        "secondary_limit",
        "forbidden",
        "not_ready_404",
        "not_ready_204",
        "no_links",
        "no_report_string",
        "malformed_json",
        "day_mismatch",
        "not_ready_body",
        "links",
        # A second seats page whose total_seats differs from the first's (seats assigned meanwhile).
        "seats_total_changed",
    }
)
DOWNLOAD_FAULT_KINDS = frozenset(
    {
        "download_reset",
        "download_truncated",
        "download_expired",
        "download_gzip",
        "download_html",
        "redirect_offlist",
        "redirect_http_nonloopback",
        "redirect_same",
        "redirect_userinfo",
        "redirect_unreachable",
        "download_drip",
        "download_gzip_bomb",
    }
)
FAULT_KINDS = API_FAULT_KINDS | DOWNLOAD_FAULT_KINDS

LOOPBACK = "127.0.0.1"
# X-GitHub-Api-Version values that list the report endpoints; GitHub answers 400 for any other
# and assumes 2022-11-28 when the header is absent.
SUPPORTED_API_VERSIONS = frozenset({"2022-11-28", "2026-03-10"})
_CHUNK = 64 * 1024
_API_PATH = re.compile(
    r"^/(?P<owner>enterprises|orgs)/(?P<slug>[^/]+)/copilot/metrics/reports/(?P<report>[a-z0-9-]+)"
    r"(?P<latest>/latest)?$"
)
# The seat roster and an organization's seat breakdown (seats.py).
_SEATS_PATH = re.compile(r"^/(?P<owner>enterprises|orgs)/(?P<slug>[^/]+)/copilot/billing(?P<seats>/seats)?$")
# What GitHub names in X-Accepted-GitHub-Permissions when a fine-grained token lacks it.
SEATS_PERMISSIONS = "organization_copilot_seat_management=read"
# GitHub App endpoints (authenticated with the app's JWT).
_INSTALLATIONS_PATH = re.compile(r"^/app/installations$")
_ACCESS_TOKENS_PATH = re.compile(r"^/app/installations/(?P<id>\d+)/access_tokens$")
# GitHub's limits on an app's JWT: at most 10 minutes long, and a little clock drift allowed.
JWT_MAX_LIFETIME_SECONDS = 600
JWT_CLOCK_DRIFT_SECONDS = 60
_DOWNLOAD_PATH = re.compile(
    r"^(?P<prefix>/redirected)?(?P<path>/download/(?P<slug>[^/]+)/(?P<report>[a-z0-9-]+)"
    r"/(?P<day>\d{4}-\d{2}-\d{2})/(?P<index>\d+))$"
)
_AZURE_DENIED = (
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
    b"<Message>Server failed to authenticate the request. Make sure the value of "
    b"Authorization header is formed correctly including the signature.</Message>"
    b"<AuthenticationErrorDetail>Signed expiry time has passed or signature did not "
    b"match.</AuthenticationErrorDetail></Error>"
)
# GitHub's answer past a secondary rate limit: 403 (or 429), this message, and neither
# retry-after nor x-ratelimit-remaining: 0 ("Rate limits for the REST API", "Exceeding the rate
# limit"; the wording as GitHub sends it).
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
SECONDARY_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
_HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>Service unavailable</title></head>"
    b"<body><h1>Our services aren't available right now</h1>"
    b"<p>We're working to restore all services as soon as possible.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the simulator saw it; kind is "api" or "download"."""

    kind: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    # time.monotonic() when the request arrived (tests check the pace of calls)
    at: float = field(default_factory=time.monotonic)

    def has_header(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key in self.headers)


@dataclass(frozen=True, slots=True)
class AppInstallation:
    """A GitHub App installed on an enterprise or an organization (level as the archive names it)."""

    id: int
    app_id: str
    level: str  # "enterprise" or "organization"
    slug: str

    @property
    def scope(self) -> str:
        return f"{self.level}:{self.slug.lower()}"

    def to_json(self) -> dict[str, Any]:
        # An enterprise's account has a slug and a name; an organization's a login and a type.
        if self.level == "enterprise":
            account: dict[str, Any] = {"id": self.id * 10, "slug": self.slug, "name": self.slug.title()}
            target_type = "Enterprise"
        else:
            account = {"id": self.id * 10, "login": self.slug, "type": "Organization"}
            target_type = "Organization"
        return {
            "id": self.id,
            "app_id": int(self.app_id) if self.app_id.isdigit() else self.app_id,
            "account": account,
            "target_type": target_type,
            "permissions": {f"{self.level}_copilot_metrics": "read"},
        }


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An installation token the simulator minted."""

    token: str = field(repr=False)
    installation: AppInstallation
    expires_at: float


@dataclass(slots=True)
class _PendingFault:
    kind: str
    remaining: int
    report: str | None
    slug: str | None
    day: str | None
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, kind_set: frozenset[str], slug: str, report: str, day: str) -> bool:
        return (
            self.kind in kind_set
            and self.slug in (None, slug)
            and self.report in (None, report)
            and self.day in (None, day)
        )


class Simulator:
    """The fake report API; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        enterprises: Iterable[str] = ("acme", "globex"),
        users: int | Mapping[str, int] = 40,
        links_per_report: int = 3,
        today: date | None = None,
        token: str = "sim-token",
        link_ttl_seconds: float = 300,
        clock: Callable[[], float] = time.time,
        seed: int = 1,
        *,
        not_ready: Iterable[tuple[str, str, str]] = (),
        not_ready_days: Iterable[str] = (),
        empty_days: Iterable[str] = (),
        final_newline: bool = True,
        port: int = 0,
        latency_seconds: float = 0.0,
        rate_limit: int | None = None,
        rate_limit_window_seconds: float = 3600.0,
        organizations: Iterable[str] = (),
        scope_tokens: Mapping[str, Iterable[str]] | None = None,
        apps: Mapping[str, Any] | None = None,
        installations: Iterable[AppInstallation] = (),
        installation_token_ttl_seconds: float = 3600.0,
        installations_next: str | None = None,
        seat_idle_holders: int | Mapping[str, int] | None = None,
        seats_refused: Iterable[str] = (),
        odd_lines: bool = False,
    ) -> None:
        self.enterprises = tuple(enterprises)
        self.organizations = tuple(organizations)
        # The book keys data by slug: an organization named like an enterprise shares its users.
        slugs = tuple(dict.fromkeys((*self.enterprises, *self.organizations)))
        counts = (
            {slug: users[slug] for slug in slugs}
            if isinstance(users, Mapping)
            else dict.fromkeys(slugs, users)
        )
        self.links_per_report = links_per_report
        self.today = today or datetime.now(UTC).date()
        self.token = token
        # Tokens that open only some scopes ("enterprise:acme", "organization:octo"), as a
        # fine-grained token or another owner's classic token would.
        self.scope_tokens = {
            t: frozenset(s.lower() for s in scopes) for t, scopes in (scope_tokens or {}).items()
        }
        # GitHub Apps by app ID: their public keys verify the JWTs; installation tokens expire.
        self.apps = {str(app_id): key for app_id, key in (apps or {}).items()}
        self.installations = tuple(installations)
        self.installation_token_ttl_seconds = installation_token_ttl_seconds
        # The `next` link of every GET /app/installations page, as a hostile API would serve it:
        # a URL (another host, say), or "loop" for the page itself. None: GitHub's pagination.
        self.installations_next = installations_next
        self.issued_tokens: list[IssuedToken] = []
        # Report calls refused for their credential, by reason: "bad", "expired", "foreign".
        self.credential_refusals: Counter[str] = Counter()
        self.link_ttl_seconds = link_ttl_seconds
        self.clock = clock
        self.not_ready = {(s, r, d) for s, r, d in not_ready}
        self.not_ready_days = set(not_ready_days)
        self.book = ReportBook(
            counts,
            seed=seed,
            empty_days=empty_days,
            final_newline=final_newline,
            organizations_only=set(self.organizations) - set(self.enterprises),
            odd_lines=odd_lines,  # user lines in GitHub's odd shapes (reports.oddly_shaped)
        )
        # Seat holders besides the usage reports' users (None: a third of them, at least 2), and
        # scopes ("organization:octo") whose credential may not read seats (403).
        self.seats = SeatBook(self.book, seat_idle_holders, seed)
        self.seats_refused = frozenset(s.lower() for s in seats_refused)
        self.faults_applied: Counter[str] = Counter()
        # Added to every API call and every download, as GitHub's distance would.
        self.latency_seconds = latency_seconds
        # GitHub's primary rate limit: `rate_limit` API calls per window, announced in
        # x-ratelimit-* headers on every API answer and refused with 403 once used up.
        self.rate_limit = rate_limit
        self.rate_limit_window_seconds = rate_limit_window_seconds
        self.rate_limit_answers = 0  # 403/429 rate-limit answers, quota and injected alike
        # Report API calls in flight per bearer token, and the most there ever were at once
        # (GitHub allows 100 concurrent requests per credential).
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        self._windows: dict[str, tuple[float, int]] = {}  # per credential: (window end, calls used)
        self._secret = secrets.token_bytes(32)
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[_PendingFault] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # The billing usage report exports (billing.py); their days' revisions are its switch.
        self.billing = billing.BillingExports(self)

    # ---- lifecycle -----------------------------------------------------------------

    def start(self) -> Simulator:
        server = _Server((LOOPBACK, self._port), _Handler)
        server.simulator = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="copilot-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator is not running")
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def download_host(self) -> str:
        return LOOPBACK

    # ---- what tests look at --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def inject(
        self,
        kind: str,
        times: int = 1,
        *,
        report: str | None = None,
        slug: str | None = None,
        day: str | None = None,
        **params: Any,
    ) -> None:
        """Apply fault `kind` to the next `times` requests matching the filters."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.append(_PendingFault(kind, times, report, slug, day, params))

    def clear_faults(self) -> None:
        """Drop every fault not applied yet."""
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def report_files(self, slug: str, report: str, day: date | str) -> list[bytes]:
        """Exactly the bytes served per link (for 28-day reports `day` is the end day)."""
        day = date.fromisoformat(day) if isinstance(day, str) else day
        links = self._link_count(slug, report, day)
        return self.book.files(slug, report, day, links)

    def restate_day(
        self, slug: str, day: date | str, metric: str = "code_generation_activity_count", add: int = 1
    ) -> None:
        """Change a published day between runs: from now on its reports (the 1-day ones if fetched
        again, and every 28-day report holding it) add `add` to `metric` of each user line, and
        to the totals that sum it; what was served before stays as it was served."""
        self.book.restate(slug, date.fromisoformat(day) if isinstance(day, str) else day, metric, add)

    def latest_end_day(self, slug: str, report: str | None = None) -> date:
        """The newest ready day, which ends the 28-day reports."""
        day = self.today - timedelta(days=1)
        while not self.is_ready(slug, report, day) and day > self._oldest_day():
            day -= timedelta(days=1)
        return day

    def is_available(self, slug: str, report: str | None, day: date) -> bool:
        return self._oldest_day() <= day < self.today and self.is_ready(slug, report, day)

    def is_ready(self, slug: str, report: str | None, day: date) -> bool:
        iso = day.isoformat()
        return iso not in self.not_ready_days and (slug, report, iso) not in self.not_ready

    def stats(self) -> dict[str, int]:
        """Counts a benchmark in another process reads over GET /_simulator/stats."""
        with self._lock:
            kinds = Counter(r.kind for r in self._requests)
            return {
                "api": kinds["api"],
                "download": kinds["download"],
                "rate_limited": self.rate_limit_answers,
                "peak_in_flight": max(self.peak_in_flight.values(), default=0),
            }

    # ---- used by the handler -------------------------------------------------------

    def _spend_quota(self, credential: str) -> tuple[bool, dict[str, str]]:
        """Counts one API call against the credential's window (GitHub counts per token, per
        installation for an app); (refused, the x-ratelimit-* headers)."""
        if self.rate_limit is None:
            return False, {}
        with self._lock:
            now = self.clock()
            window_end, used = self._windows.get(credential, (0.0, 0))
            if now >= window_end:
                window_end, used = now + self.rate_limit_window_seconds, 0
            refused = used >= self.rate_limit
            if refused:
                self.rate_limit_answers += 1
            else:
                used += 1
            self._windows[credential] = (window_end, used)
            headers = {
                "x-ratelimit-limit": str(self.rate_limit),
                "x-ratelimit-remaining": str(self.rate_limit - used),
                "x-ratelimit-used": str(used),
                # GitHub's reset is whole epoch seconds; rounded up, never before the window ends.
                "x-ratelimit-reset": str(math.ceil(window_end)),
                "x-ratelimit-resource": "core",
            }
            return refused, headers

    # ---- credentials -------------------------------------------------------------------

    def _report_credential(self, authorization: str | None, scope: str) -> tuple[str | None, int, str]:
        """(the quota the call spends, or None with the status and message GitHub would answer)."""
        bearer = (authorization or "").removeprefix("Bearer ")
        if authorization == f"Bearer {self.token}":
            return f"token:{self.token}", 0, ""
        if bearer in self.scope_tokens:
            if scope in self.scope_tokens[bearer]:
                return f"token:{bearer}", 0, ""
            return self._refuse("foreign", 403, "Resource not accessible by personal access token")
        with self._lock:
            issued = next((t for t in reversed(self.issued_tokens) if t.token == bearer), None)
        if issued is None:
            return self._refuse("bad", 401, "Bad credentials")
        if self.clock() >= issued.expires_at:
            return self._refuse("expired", 401, "Bad credentials")
        if issued.installation.scope != scope:
            return self._refuse("foreign", 403, "Resource not accessible by integration")
        return f"installation:{issued.installation.id}", 0, ""

    def _refuse(self, reason: str, status: int, message: str) -> tuple[None, int, str]:
        with self._lock:
            self.credential_refusals[reason] += 1
        return None, status, message

    def _app_for_jwt(self, authorization: str | None) -> tuple[str | None, str]:
        """(the app ID a valid JWT names, or None with GitHub's message), as GitHub checks it:
        RS256 signed with one of the app's keys; iat, exp and iss present; exp in the future
        but no more than 10 minutes after iat or now; iat not in the future."""
        import jwt

        token = (authorization or "").removeprefix("Bearer ")
        undecodable = "A JSON web token could not be decoded"
        try:
            issuer = str(jwt.decode(token, options={"verify_signature": False}).get("iss"))
            key = self.apps.get(issuer)
            if key is None:
                return None, undecodable
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"], "verify_exp": False, "verify_iat": False},
            )
            issued_at, expires_at = float(claims["iat"]), float(claims["exp"])
        except (jwt.PyJWTError, TypeError, ValueError):
            return None, undecodable
        now = self.clock()
        if expires_at - issued_at > JWT_MAX_LIFETIME_SECONDS or expires_at - now > JWT_MAX_LIFETIME_SECONDS:
            return None, "'Expiration time' claim ('exp') is too far in the future"
        if expires_at <= now:
            return (
                None,
                "'Expiration time' claim ('exp') must be a numeric value representing the future time",
            )
        if issued_at > now + JWT_CLOCK_DRIFT_SECONDS:
            return None, "'Issued at' claim ('iat') must be an Integer representing a time in the past"
        return issuer, ""

    def _mint(self, installation: AppInstallation) -> IssuedToken:
        issued = IssuedToken(
            "ghs_" + secrets.token_hex(18),
            installation,
            self.clock() + self.installation_token_ttl_seconds,
        )
        with self._lock:
            self.issued_tokens.append(issued)
        return issued

    def _oldest_day(self) -> date:
        return max(DATA_START, self.today - timedelta(days=HISTORY_DAYS))

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _take_fault(self, kind_set: frozenset[str], slug: str, report: str, day: str) -> _PendingFault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(kind_set, slug, report, day):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    self.faults_applied[fault.kind] += 1
                    return fault
        return None

    def _link_count(self, slug: str, report: str, day: date) -> int:
        lines = self.book.line_count(slug, report, day)
        return max(1, min(self.links_per_report, lines))

    def _sign(self, path: str, expires: int) -> str:
        message = f"{path}?expires={expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _links(self, slug: str, report: str, day: date) -> list[str]:
        expires = int(self.clock() + self.link_ttl_seconds)
        links = []
        for index in range(self._link_count(slug, report, day)):
            path = f"/download/{slug}/{report}/{day.isoformat()}/{index}"
            signature = self._sign(path, expires)
            links.append(f"{self.api_url}{path}?expires={expires}&signature={signature}")
        return links

    def _link_is_valid(self, path: str, query: dict[str, list[str]]) -> bool:
        try:
            expires = int(query["expires"][0])
            signature = query["signature"][0]
        except (KeyError, ValueError, IndexError):
            return False
        good = hmac.compare_digest(signature, self._sign(path, expires))
        return good and self.clock() <= expires


def _gzip_bomb(size: int) -> bytes:
    """A small gzip body that unpacks to `size` bytes of newlines."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip container
    block = b"\n" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.compress(b"\n" * (size % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive clients must not hold up stop()
    request_queue_size = 256
    simulator: Simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60  # frees the thread of a client that went away without closing

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and benchmarks read the recorded requests instead."""

    def do_GET(self) -> None:
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self) -> None:
        # The app's access_tokens endpoint ignores its body (permissions); a billing export reads it.
        self._body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    # ---- routing -------------------------------------------------------------------

    def _route(self) -> None:
        sim = self.server.simulator
        self._quota_headers: dict[str, str] = {}  # one handler serves a keep-alive connection's requests
        url = urlsplit(self.path)
        headers = dict(self.headers.items())
        download = _DOWNLOAD_PATH.match(url.path)
        downloading = download is not None or billing.is_download(url.path)
        kind = "download" if downloading else "app" if url.path.startswith("/app/") else "api"
        if url.path == "/_simulator/stats":
            self._json(200, sim.stats())
            return
        if url.path == "/_simulator/today":
            # The demo takes seat snapshots as if on past days (seats cannot be asked for a past
            # day): POST ?day=YYYY-MM-DD moves the simulator's today, as tests set `today`.
            if self.command == "POST":
                try:
                    sim.today = date.fromisoformat(parse_qs(url.query)["day"][0])
                except (KeyError, ValueError):
                    self._json(400, {"message": "day=YYYY-MM-DD is required"})
                    return
            self._json(200, {"today": sim.today.isoformat()})
            return
        sim._record(RecordedRequest(kind, self.command, url.path, url.query, headers))
        if kind != "api":
            self._serve(sim, url.path, url.query, download)
            return
        # A report API call is in flight from its arrival until its answer is written.
        bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with sim._lock:
            sim.in_flight[bearer] += 1
            sim.peak_in_flight[bearer] = max(sim.peak_in_flight[bearer], sim.in_flight[bearer])
        try:
            self._serve(sim, url.path, url.query, download)
        finally:
            with sim._lock:
                sim.in_flight[bearer] -= 1

    def _serve(self, sim: Simulator, path: str, raw_query: str, download: re.Match[str] | None) -> None:
        if sim.latency_seconds:
            time.sleep(sim.latency_seconds)
        query = parse_qs(raw_query)
        if download:
            self._download(sim, download, query)
            return
        if path.startswith("/app/"):
            self._app(sim, path, query)
            return
        if billing.serve(self, sim, path, query):
            return
        seats = _SEATS_PATH.match(path)
        if seats and self.command == "GET":
            self._seats(sim, seats, query)
            return
        api = _API_PATH.match(path)
        if not api or self.command != "GET":
            self._json(404, {"message": "Not Found"})
            return
        self._api(sim, api, query)

    def _api(self, sim: Simulator, match: re.Match[str], query: dict[str, list[str]]) -> None:
        level = "enterprise" if match["owner"] == "enterprises" else "organization"
        credential, status, message = sim._report_credential(
            self.headers.get("Authorization"), f"{level}:{match['slug'].lower()}"
        )
        if credential is None:
            self._json(status, {"message": message})
            return
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in SUPPORTED_API_VERSIONS:
            message = f"API version {version!r} is not supported (X-GitHub-Api-Version)"
            self._json(400, {"message": message})
            return
        refused, self._quota_headers = sim._spend_quota(credential)
        if refused:
            self._json(403, {"message": "API rate limit exceeded"})
            return
        slug, report, latest = match["slug"], match["report"], bool(match["latest"])
        served = REPORTS_BY_OWNER[match["owner"]]
        scopes = sim.enterprises if match["owner"] == "enterprises" else sim.organizations
        if slug not in scopes or report not in served or (report in LATEST_REPORTS) != latest:
            self._json(404, {"message": "Not Found"})
            return
        if latest:
            day = sim.latest_end_day(slug, report)
        else:
            try:
                day = date.fromisoformat(query["day"][0])
            except (KeyError, ValueError, IndexError):
                self._json(400, {"message": "Invalid request: 'day' must be YYYY-MM-DD"})
                return
        fault = sim._take_fault(API_FAULT_KINDS, slug, report, day.isoformat())
        if fault is not None and self._api_fault(sim, fault):
            return
        if not sim.is_available(slug, report, day):
            self._json(404, {"message": "Not Found"})
            return
        if report in NO_CONTENT_WHEN_EMPTY and not sim.book.line_count(slug, report, day):
            self.send_response(204)  # as documented for these reports, for a day with nothing in it
            self.end_headers()
            return
        shift = timedelta(days=1 if fault is not None and fault.kind == "day_mismatch" else 0)
        no_links = fault is not None and fault.kind == "no_links"
        links = [] if no_links else sim._links(slug, report, day)
        if fault is not None and fault.kind == "links":
            links = list(fault.params["links"])  # links as an attacker or a test chooses them
        if latest:
            end = day - shift
            body = {
                "download_links": links,
                "report_start_day": window(end)[0].isoformat(),
                "report_end_day": end.isoformat(),
            }
        else:
            body = {"download_links": links, "report_day": (day - shift).isoformat()}
        self._json(200, body)

    def _seats(self, sim: Simulator, match: re.Match[str], query: dict[str, list[str]]) -> None:
        """The seat roster (paginated) or an organization's seat breakdown, of the simulator's today."""
        level = "enterprise" if match["owner"] == "enterprises" else "organization"
        slug = match["slug"]
        credential, status, message = sim._report_credential(
            self.headers.get("Authorization"), f"{level}:{slug.lower()}"
        )
        if credential is None:
            self._json(status, {"message": message})
            return
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in SUPPORTED_API_VERSIONS:
            self._json(400, {"message": f"API version {version!r} is not supported (X-GitHub-Api-Version)"})
            return
        refused, self._quota_headers = sim._spend_quota(credential)
        if refused:
            self._json(403, {"message": "API rate limit exceeded"})
            return
        scopes = sim.enterprises if level == "enterprise" else sim.organizations
        report = "copilot-seats" if match["seats"] else "copilot-billing"
        if slug not in scopes or (report == "copilot-billing" and level == "enterprise"):
            self._json(404, {"message": "Not Found"})
            return
        if f"{level}:{slug.lower()}" in sim.seats_refused:
            body = {
                "message": "Resource not accessible by personal access token",
                "documentation_url": "https://docs.github.com/rest/copilot/copilot-user-management",
            }
            self._json(403, body, {"X-Accepted-GitHub-Permissions": SEATS_PERMISSIONS})
            return
        day = sim.today
        fault = sim._take_fault(API_FAULT_KINDS - {"seats_total_changed"}, slug, report, day.isoformat())
        if fault is not None and self._api_fault(sim, fault):
            return
        if report == "copilot-billing":
            self._json(200, sim.seats.breakdown(slug, day))
            return
        try:
            per_page = min(max(int(query.get("per_page", [str(DEFAULT_PAGE_SIZE)])[0]), 1), MAX_PAGE_SIZE)
            page = max(int(query.get("page", ["1"])[0]), 1)
        except ValueError:
            self._json(400, {"message": "Invalid request"})
            return
        seats, total = sim.seats.roster(slug, level == "enterprise", day)
        # Seats assigned while a client pages: the second page announces another total.
        changed = page == 2 and sim._take_fault(
            frozenset({"seats_total_changed"}), slug, report, day.isoformat()
        )
        if changed:
            total += int(changed.params.get("by", 1))
        pages = max(1, math.ceil(len(seats) / per_page))
        base = f"{sim.api_url}{match.group(0)}?per_page={per_page}&page="
        links = []
        if page < pages:
            links += [f'<{base}{page + 1}>; rel="next"', f'<{base}{pages}>; rel="last"']
        if page > 1:
            links += [f'<{base}{page - 1}>; rel="prev"', f'<{base}1>; rel="first"']
        headers = {"Link": ", ".join(links)} if links else {}
        self._json(
            200, {"total_seats": total, "seats": seats[(page - 1) * per_page : page * per_page]}, headers
        )

    def _app(self, sim: Simulator, path: str, query: dict[str, list[str]]) -> None:
        """GET /app/installations (paginated) and POST /app/installations/{id}/access_tokens."""
        app_id, message = sim._app_for_jwt(self.headers.get("Authorization"))
        if app_id is None:
            self._json(401, {"message": message})
            return
        mine = [i for i in sim.installations if i.app_id == app_id]
        minting = _ACCESS_TOKENS_PATH.match(path)
        if minting and self.command == "POST":
            installation = next((i for i in mine if i.id == int(minting["id"])), None)
            if installation is None:
                self._json(404, {"message": "Not Found"})
                return
            issued = sim._mint(installation)
            expires = datetime.fromtimestamp(issued.expires_at, UTC).isoformat(timespec="seconds")
            body = {
                "token": issued.token,
                "expires_at": expires.replace("+00:00", "Z"),
                "permissions": installation.to_json()["permissions"],
            }
            self._json(201, body)
            return
        if not _INSTALLATIONS_PATH.match(path) or self.command != "GET":
            self._json(404, {"message": "Not Found"})
            return
        try:
            per_page = min(max(int(query.get("per_page", ["30"])[0]), 1), 100)
            page = max(int(query.get("page", ["1"])[0]), 1)
        except ValueError:
            self._json(400, {"message": "Invalid request"})
            return
        chunk = mine[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(mine):
            next_url = f"{sim.api_url}/app/installations?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        if sim.installations_next == "loop":
            headers["Link"] = f'<{sim.api_url}/app/installations?per_page={per_page}&page={page}>; rel="next"'
        elif sim.installations_next is not None:
            headers["Link"] = f'<{sim.installations_next}>; rel="next"'
        self._json(200, [i.to_json() for i in chunk], headers)

    def _api_fault(self, sim: Simulator, fault: _PendingFault) -> bool:
        """Answer as the fault says; False when the normal answer should follow."""
        kind, params = fault.kind, fault.params
        if kind == "api_error":
            self._json(int(params.get("status", 500)), {"message": params.get("message", "Server Error")})
        elif kind == "api_reset":
            self._reset()
        elif kind == "api_slow":
            time.sleep(float(params.get("seconds", 1.0)))
            return False
        elif kind == "rate_limit_429":
            retry_after = str(params.get("retry_after", 1))
            message = "You have exceeded a secondary rate limit."
            sim.rate_limit_answers += 1
            self._json(429, {"message": message}, {"Retry-After": retry_after})
        elif kind == "rate_limit_403":
            reset = int(sim.clock() + float(params.get("reset_in", 1)))
            limit_headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(reset),
            }
            sim.rate_limit_answers += 1
            self._json(403, {"message": "API rate limit exceeded"}, limit_headers)
        elif kind == "secondary_limit":
            status = int(params.get("status", 403))
            if status not in (403, 429):
                raise ValueError(f"a secondary limit answers 403 or 429, not {status}")
            message = SECONDARY_LIMIT_MESSAGE.format(request_id=secrets.token_hex(8).upper())
            sim.rate_limit_answers += 1
            # The primary quota's headers as usual (remaining above 0 when counted), no retry-after.
            self._json(status, {"message": message, "documentation_url": SECONDARY_LIMIT_DOCS})
        elif kind == "forbidden":
            message = "Resource not accessible by personal access token"
            self._json(403, {"message": message})
        elif kind == "not_ready_404":
            self._json(404, {"message": "Not Found"})
        elif kind == "not_ready_204":
            self.send_response(204)
            self.end_headers()
        elif kind == "no_report_string":
            self._json(200, "No report available for this day")
        elif kind == "not_ready_body":
            # Other answers seen for days without a report: '"Report is being generated"',
            # '""', 'null', or no body at all.
            self._send(200, str(params.get("body", "")).encode(), "application/json; charset=utf-8")
        elif kind == "malformed_json":
            self._send(200, b'{"download_links": [', "application/json; charset=utf-8")
        else:  # no_links, day_mismatch, links: the normal answer, altered
            return False
        return True

    # ---- downloads -----------------------------------------------------------------

    def _download(self, sim: Simulator, match: re.Match[str], query: dict[str, list[str]]) -> None:
        slug, report, day_iso = match["slug"], match["report"], match["day"]
        if not sim._link_is_valid(match["path"], query):
            self._send(403, _AZURE_DENIED, "application/xml")
            return
        if slug not in (*sim.enterprises, *sim.organizations) or report not in REPORT_KINDS:
            self._send(404, b"", "application/xml")
            return
        files = sim.report_files(slug, report, day_iso)
        index = int(match["index"])
        if index >= len(files):
            self._send(404, b"", "application/xml")
            return
        fault = sim._take_fault(DOWNLOAD_FAULT_KINDS, slug, report, day_iso)
        body = files[index]
        if fault is None:
            self._send(200, body, "application/octet-stream")
            return
        target = f"{match['path']}?{urlsplit(self.path).query}"
        if fault.kind == "download_expired":
            self._send(403, _AZURE_DENIED, "application/xml")
        elif fault.kind == "download_gzip":
            compressed = gzip.compress(body, mtime=0)  # mtime=0 keeps the bytes stable
            self._send(200, compressed, "application/octet-stream", {"Content-Encoding": "gzip"})
        elif fault.kind == "download_html":
            self._send(200, _HTML_ERROR, "text/html; charset=utf-8")
        elif fault.kind == "redirect_offlist":
            self._redirect(fault.params.get("location") or f"https://evil.example.invalid{target}")
        elif fault.kind == "redirect_http_nonloopback":
            self._redirect(f"http://10.0.0.1{target}")
        elif fault.kind == "redirect_same":
            self._redirect(f"{sim.api_url}/redirected{target}")
        elif fault.kind == "redirect_userinfo":
            # urllib.parse reads the host as 127.0.0.1, urllib3 (which connects) as localhost.
            self._redirect(f"http://localhost:{fault.params['port']}\\@{LOOPBACK}:{sim.port}{target}")
        elif fault.kind == "redirect_unreachable":
            self._redirect(f"http://{LOOPBACK}:{fault.params['port']}{target}")
        elif fault.kind == "download_drip":
            self._drip(body, float(fault.params.get("interval", 0.5)), int(fault.params.get("after", 0)))
        elif fault.kind == "download_gzip_bomb":
            bomb = _gzip_bomb(int(fault.params.get("size", 64 * 1024 * 1024)))
            self._send(200, bomb, "application/octet-stream", {"Content-Encoding": "gzip"})
        elif fault.kind in ("download_reset", "download_truncated"):
            self._send_partial(body, reset=fault.kind == "download_reset")

    def _drip(self, body: bytes, interval: float, after: int = 0) -> None:
        """Promise the whole body, send its first `after` bytes at once, then the rest a byte at
        a time, `interval` seconds apart (a client killed meanwhile is caught mid-upload)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if after:
            self._write(memoryview(body)[:after])
            self.wfile.flush()
        for offset in range(min(after, len(body)), len(body)):
            self.wfile.write(body[offset : offset + 1])
            self.wfile.flush()
            time.sleep(interval)

    def _send_partial(self, body: bytes, *, reset: bool) -> None:
        """Promise the whole body, send part of it, then drop the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        sent = len(body) // 2 if reset else len(body) * 3 // 4
        self._write(memoryview(body)[:sent])
        self.wfile.flush()
        if reset:
            self._reset()
        else:
            self.close_connection = True

    # ---- responses -----------------------------------------------------------------

    def _json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        # Every API answer after the token check carries the quota, as GitHub's do.
        headers = {**self._quota_headers, **(headers or {})}
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._write(memoryview(body))

    def _write(self, body: memoryview) -> None:
        # Slices keep memory flat and let large files stream.
        for start in range(0, len(body), _CHUNK):
            self.wfile.write(body[start : start + _CHUNK])

    def _reset(self) -> None:
        """Drop the connection with a TCP RST, as a crashed proxy would."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
