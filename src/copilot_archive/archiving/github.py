"""The report API client: asks GitHub for a report-day's signed download links.

urllib3's Retry handles 5xx and connection errors with backoff and jitter. The quota GitHub
announces (x-ratelimit-remaining, -reset) paces the calls, per credential (each token, each
app installation, has its own), so none is refused; a rate-limit
answer (403/429) all the same is waited out. Both waits are bounded by the run's deadline.
A 403 is a refused permission only when GitHub's message does not name its secondary limit.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..core.config import GITHUB_CONCURRENT_REQUESTS
from ..core.deadline import Deadline
from ..core.exceptions import (
    GitHubError,
    InvalidRequest,
    NotFound,
    NotReady,
    OutOfTime,
    PermissionDenied,
    RateLimited,
)
from ..core.layout import FIRST_REPORT_DAY, ReportDay, Scope, parse_day
from ..core.redaction import redact
from ..core.reports import Level, Report

T = TypeVar("T")

# Statuses urllib3 retries on its own, with exponential backoff and jitter.
RETRIED_STATUSES = (500, 502, 503, 504)
# Seconds past x-ratelimit-reset before a new window is trusted: the reset is GitHub's clock,
# in whole seconds, and ours may differ a little.
RESET_MARGIN_SECONDS = 1.0
# The window of GitHub's per-minute limit (a module constant, so tests can shorten it).
MINUTE_SECONDS = 60.0
# GitHub's "Rate limits for the REST API" page
# (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api), "Exceeding
# the rate limit": past a secondary rate limit "you will receive a 403 or 429 response and an
# error message that indicates that you exceeded a secondary rate limit" (GitHub writes "You have
# exceeded a secondary rate limit. Please wait a few minutes before you try again."). Honour
# retry-after; else, when x-ratelimit-remaining is 0, wait until x-ratelimit-reset; "Otherwise,
# wait for at least one minute before retrying", then "for an exponentially increasing amount of
# time between retries". A 403 whose message does not say so is a refused permission.
SECONDARY_LIMIT_MESSAGE = "secondary rate limit"
SECONDARY_LIMIT_WAIT_SECONDS = 60.0
# Same page, "About secondary rate limits": "No more than 100 concurrent requests are allowed"
# (per credential). Every thread of a run asking with one credential counts towards it, and a
# run beside queue workers keeps to its share (Settings.api_requests_in_flight).
MAX_REQUESTS_IN_FLIGHT = GITHUB_CONCURRENT_REQUESTS
# urllib3's exponential backoff unit: retries wait ~0, 2, 4, 8 s (capped at 30), plus jitter.
BACKOFF_SECONDS = 1.0
# GitHub's REST reference: the enterprise endpoints take classic tokens and GitHub App tokens;
# fine-grained personal tokens are documented only for the organization endpoints.
PERMISSION_HINT = (
    "the token must be a classic token with manage_billing:copilot or read:enterprise, or a GitHub "
    "App token with 'Enterprise Copilot metrics' (read), from an enterprise owner or billing manager "
    "(fine-grained personal tokens are not documented for the enterprise endpoints), and the "
    "enterprise policy 'Copilot usage metrics' must be enabled"
)
# The organization endpoints' page names read:org for classic tokens and the user permission
# "View Organization Copilot Metrics"; the fine-grained/App permission name is as third-party
# guides spell it (the reference text we hold lists only the enterprise one).
ORGANIZATION_PERMISSION_HINT = (
    "the token must be a classic token with read:org, or a fine-grained token or GitHub App token "
    "with 'Organization Copilot metrics' (read), from an organization owner or a user with "
    "'View Organization Copilot Metrics', and the policy 'Copilot usage metrics' must be enabled"
)


# The seat endpoints' permissions, from the same REST reference ("REST API endpoints for Copilot
# user management", https://docs.github.com/en/enterprise-cloud@latest/rest/copilot/copilot-user-management).
SEATS_PERMISSION_HINT = (
    "reading seats needs a classic token with manage_billing:copilot or read:enterprise, from an "
    "enterprise owner or billing manager (GitHub documents no fine-grained or GitHub App token for "
    "this endpoint)"
)
ORGANIZATION_SEATS_PERMISSION_HINT = (
    "reading seats needs a classic token with manage_billing:copilot or read:org, or a fine-grained "
    "token or GitHub App token with the organization permission 'GitHub Copilot Business' (read) or "
    "'Administration' (read), from an organization owner"
)
# "The number of results per page (max 100)": one call per 100 seats.
SNAPSHOT_PAGE_SIZE = 100


def permission_hint(level: Level, report: Report | None = None) -> str:
    if report is not None and report.is_snapshot:
        return SEATS_PERMISSION_HINT if level is Level.ENTERPRISE else ORGANIZATION_SEATS_PERMISSION_HINT
    return PERMISSION_HINT if level is Level.ENTERPRISE else ORGANIZATION_PERMISSION_HINT


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    """One page of a snapshot: its bytes as served, the total it announces, its next page."""

    content: bytes = field(repr=False)
    total: int | None
    records: int
    next_url: str | None


@dataclass(frozen=True, slots=True)
class ReportLinks:
    """GitHub's answer for one report-day: its signed links, in order."""

    report_day: ReportDay
    links: tuple[str, ...]
    report_start_day: date | None = None
    report_end_day: date | None = None


def default_retry(attempts: int = 4) -> Retry:
    backoff_factor = BACKOFF_SECONDS
    return Retry(
        total=attempts,
        connect=attempts,
        read=attempts,
        status=attempts,
        backoff_factor=backoff_factor,
        backoff_jitter=backoff_factor,
        backoff_max=30,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        # Retry-After (429, 403) is honoured in ReportClient, bounded by the run's deadline;
        # urllib3 would sleep for it unbounded.
        respect_retry_after_header=False,
    )


@dataclass(frozen=True, slots=True)
class ScopeToken:
    """The bearer token one scope's report calls carry, and the quota it spends: GitHub counts
    the rate limit per token (per installation for a GitHub App)."""

    token: str = field(repr=False)
    quota: str


# Which token a scope's calls carry; CredentialError (a PermissionDenied) fails that scope only.
ScopeAuth = Callable[[Scope], ScopeToken]


def api_session(api_version: str, retry: Retry | None = None) -> requests.Session:
    """A session for the API host: GitHub's media type and API version, urllib3's retries.
    It carries no token: each request names its own (BearerAuth)."""
    session = requests.Session()
    session.headers.update({"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": api_version})
    adapter = HTTPAdapter(max_retries=retry or default_retry(), pool_maxsize=32)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class ReportClient:
    """Links for one report-day or for the latest 28-day report, per enterprise or organization."""

    def __init__(
        self,
        api_url: str,
        api_version: str,
        auth: ScopeAuth,
        *,
        check: Callable[[], None] = lambda: None,
        retry: Retry | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
        max_rate_limit_waits: int = 5,
        calls_per_minute: int | None = None,
        max_in_flight: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._api_url = api_url.rstrip("/")
        # GitHub's secondary limit is per minute and per credential: this run's share of it.
        self._calls_per_minute = calls_per_minute
        self._max_in_flight = max_in_flight  # None: GitHub's whole limit
        self._auth = auth
        self._check = check
        self._timeout = timeout
        retry = retry or default_retry()
        self._attempts = retry.total if isinstance(retry.total, int) else 1
        self._max_rate_limit_waits = max_rate_limit_waits
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        self._quotas: dict[str, _Quota] = {}  # one per credential: each has its own rate limit
        self.retries = 0
        self.rate_limit_waits = 0
        self._session = api_session(api_version, retry)

    def close(self) -> None:
        self._session.close()

    def check_credentials(self) -> None:
        """Read the credentials once (ConfigError, or NotConfigured while the secret is empty)."""
        self._check()

    def day_links(self, report_day: ReportDay, deadline: Deadline) -> ReportLinks:
        """Links of a 1-day report; NotReady when GitHub has not generated that day yet."""
        path = self._url(report_day.report, report_day.level, report_day.slug)
        body = self._get_json(path, {"day": report_day.day.isoformat()}, report_day, deadline)
        answered = _field_day(body, "report_day", report_day)
        if answered != report_day.day:
            raise GitHubError(
                f"{report_day}: GitHub answered for day {answered} when asked for {report_day.day}"
            )
        return ReportLinks(report_day, _links(body, report_day))

    def latest_links(
        self, report: Report, slug: str, deadline: Deadline, level: Level = Level.ENTERPRISE
    ) -> ReportLinks:
        """Links of the latest 28-day report; its end day names the report-day."""
        placeholder = ReportDay(report, slug, FIRST_REPORT_DAY, level)
        body = self._get_json(self._url(report, level, slug), {}, placeholder, deadline)
        end = _field_day(body, "report_end_day", placeholder)
        start = _field_day(body, "report_start_day", placeholder)
        if start > end:
            raise GitHubError(f"{placeholder}: report_start_day {start} is after report_end_day {end}")
        report_day = ReportDay(report, slug, end, level)
        return ReportLinks(report_day, _links(body, report_day), start, end)

    def api_json(
        self, path: str, report_day: ReportDay, deadline: Deadline, body: dict[str, Any] | None = None
    ) -> Any:
        """Another call below the API's base URL (a billing export: POST with `body`), paced,
        waited out and decoded as the report calls are; `report_day` names it in errors."""
        return self._get_json(self._api_url + path, {}, report_day, deadline, body)

    def snapshot_pages(self, report_day: ReportDay, deadline: Deadline) -> Iterator[SnapshotPage]:
        """Today's snapshot of a scope (the seat roster), page by page as GitHub serves them:
        the largest page GitHub allows, then its Link header's `next` to the end."""
        report = report_day.report
        url: str | None = self._url(report, report_day.level, report_day.slug)
        params = {"per_page": str(SNAPSHOT_PAGE_SIZE)} if report is Report.COPILOT_SEATS else {}
        while url is not None:
            page = self._get(url, params, report_day, deadline, _snapshot_page)
            yield page
            url, params = page.next_url, {}  # the next link carries the query GitHub wants
            if url is not None and not url.startswith(self._api_url + "/"):
                raise GitHubError(f"{report_day}: GitHub's next page is not on the API host")

    def _url(self, report: Report, level: Level, slug: str) -> str:
        if level not in report.kind.levels:
            # A wrong path answers 404, which would read as "not ready" forever.
            raise InvalidRequest(f"GitHub serves no {report} report for an {level}")
        return self._api_url + report.kind.api_path(level, slug)

    def _get_json(
        self,
        url: str,
        params: dict[str, str],
        report_day: ReportDay,
        deadline: Deadline,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """GET `url` (POST `body` as JSON when given), paced, waited out and decoded."""
        return self._get(url, params, report_day, deadline, _decode, body)

    def _get(
        self,
        url: str,
        params: dict[str, str],
        report_day: ReportDay,
        deadline: Deadline,
        decode: Callable[[requests.Response, ReportDay], T],
        body: dict[str, Any] | None = None,
    ) -> T:
        """One API call (a POST of `body` as JSON when given), paced by the credential's quota,
        rate limits waited out; `decode` reads the answer."""
        scope = Scope(report_day.level, report_day.slug)
        for _ in range(self._max_rate_limit_waits + 1):
            # Asked before every call: an app's installation token is renewed before it expires.
            credential = self._auth(scope)
            quota = self._quota(credential.quota)
            waited, started = quota.acquire(report_day, deadline, self._now)
            response: requests.Response | None = None
            try:
                if waited:
                    self._count_wait()
                    credential = self._auth(scope)  # the wait may have outlasted the token's margin
                response = self._send(
                    url, params, credential, report_day, self._timeout_within(deadline, report_day), body
                )
            finally:
                quota.release(response)
            try:
                wait = _rate_limit_wait(response, self._now())
                if wait is None and _is_secondary_limit(response):
                    wait = quota.back_off(started, self._now())
                if wait is None:
                    quota.answered(started)
                    return decode(response, report_day)
            finally:
                response.close()
            # Nobody asks with this credential before then, even when this call defers instead:
            # GitHub may ban an integration that keeps asking while limited.
            quota.pause_until(self._now() + wait)
            _check_fits(wait, report_day, deadline)
            self._count_wait()
            self._sleep(wait)
        raise RateLimited(f"{report_day}: still rate limited after {self._max_rate_limit_waits} waits")

    def _quota(self, key: str) -> _Quota:
        with self._lock:
            quota = self._quotas.get(key)
            if quota is None:
                quota = self._quotas[key] = _Quota(
                    self._calls_per_minute, MINUTE_SECONDS, self._max_in_flight or MAX_REQUESTS_IN_FLIGHT
                )
            return quota

    def _count_wait(self) -> None:
        with self._lock:
            self.rate_limit_waits += 1

    def _timeout_within(self, deadline: Deadline, report_day: ReportDay) -> tuple[float, float]:
        """Socket timeouts such that every attempt urllib3 makes ends before the run must stop."""
        left = deadline.in_flight_seconds()
        if left <= 0:
            raise OutOfTime(
                f"{report_day}: the run's time ran out before GitHub was asked; left for the next run"
            )
        # Each of urllib3's attempts may wait for both the connection and the answer; its
        # backoff sleeps (~14 s in all, plus jitter) fit in the time kept back at the end.
        share = left / (2 * (self._attempts + 1))
        return (min(self._timeout[0], share), min(self._timeout[1], share))

    def _send(
        self,
        url: str,
        params: dict[str, str],
        credential: ScopeToken,
        report_day: ReportDay,
        timeout: tuple[float, float],
        body: dict[str, Any] | None = None,
    ) -> requests.Response:
        try:
            response = self._session.request(
                "GET" if body is None else "POST",
                url,
                params=params,
                json=body,
                auth=BearerAuth(credential.token),
                timeout=timeout,
            )
        except requests.RequestException as exc:
            # The exception text is scrubbed: it may quote URLs; the cause stays chained.
            raise GitHubError(
                f"{report_day}: GitHub API unreachable after retries: {redact(str(exc))}"
            ) from exc
        history = getattr(response.raw, "retries", None)
        if history is not None and history.history:
            with self._lock:
                self.retries += len(history.history)
        return response


class _Quota:
    """One credential's rate limit as GitHub announces it, shared by the worker threads: the
    announced quota of the current window, less the calls in flight, gates each call; once
    GitHub says "wait", nobody asks before then. Until the window's first answer tells the
    quota, one call at a time asks. GitHub's per-minute limit is not announced: at most
    `calls_per_minute` calls start in any minute (None: no such bound), and at most
    `max_in_flight` are in flight at once. A secondary-limit answer that names no time pauses
    everyone for a minute, doubled for each further one (back_off)."""

    def __init__(
        self,
        calls_per_minute: int | None = None,
        minute_seconds: float = MINUTE_SECONDS,
        max_in_flight: int = MAX_REQUESTS_IN_FLIGHT,
    ) -> None:
        self._calls_per_minute = calls_per_minute
        self._max_in_flight = max_in_flight
        self._throttles = 0  # secondary-limit answers in a row, for the exponential backoff
        self._throttled_at = -math.inf
        self._minute_seconds = minute_seconds
        self._started: deque[float] = deque()  # when the calls of the last minute started
        self._changed = threading.Condition(threading.Lock())
        self._resume_at = 0.0
        self._remaining: int | None = None
        self._reset_at = 0.0
        self._in_flight = 0
        self._announced = True  # until an answer comes without x-ratelimit-* headers

    def acquire(
        self, report_day: ReportDay, deadline: Deadline, now: Callable[[], float]
    ) -> tuple[bool, float]:
        """Wait until a call fits the quota (or its Retry-After), then count it in flight;
        (True when it had to wait, the moment it started)."""
        waited = False
        with self._changed:
            while True:
                moment = now()
                if self._remaining is not None and moment >= self._reset_at + RESET_MARGIN_SECONDS:
                    self._remaining = None  # a new window: its quota comes with its first answer
                wait = self._resume_at - moment
                if wait <= 0:
                    if self._in_flight >= self._max_in_flight:
                        self._changed.wait(1.0)  # a release makes room
                        continue
                    if self._remaining is None and self._announced and self._in_flight:
                        self._changed.wait(1.0)  # the first answer of the window tells the quota
                        continue
                    if self._remaining is None or self._remaining > self._in_flight:
                        wait = self._minute_wait(moment)
                    else:
                        wait = self._reset_at + RESET_MARGIN_SECONDS - moment
                    if wait <= 0:
                        break
                _check_fits(wait, report_day, deadline)
                waited = True
                self._changed.wait(wait)
            self._in_flight += 1
            self._started.append(moment)
        return waited, moment

    def _minute_wait(self, moment: float) -> float:
        """Seconds until one more call fits the last minute's budget (0: it fits now)."""
        while self._started and self._started[0] <= moment - self._minute_seconds:
            self._started.popleft()
        if self._calls_per_minute is None or len(self._started) < self._calls_per_minute:
            return 0.0
        return self._started[0] + self._minute_seconds - moment

    def release(self, response: requests.Response | None) -> None:
        with self._changed:
            self._in_flight -= 1
            if response is not None:
                self._note(response)
            self._changed.notify_all()

    def back_off(self, started: float, moment: float) -> float:
        """Seconds to wait after a secondary-limit answer that named no time: a minute, doubled
        for each further one. Answers to calls sent before the last such answer came belong to
        it and wait with it."""
        with self._changed:
            if started >= self._throttled_at:
                self._throttles += 1
                self._throttled_at = moment
            wait = SECONDARY_LIMIT_WAIT_SECONDS * 2 ** (self._throttles - 1)
            return max(self._throttled_at + wait - moment, 0.0)

    def answered(self, started: float) -> None:
        """A call sent after the last secondary-limit answer went through: the backoff restarts."""
        with self._changed:
            if started >= self._throttled_at:
                self._throttles = 0

    def pause_until(self, moment: float) -> None:
        with self._changed:
            self._resume_at = max(self._resume_at, moment)

    def _note(self, response: requests.Response) -> None:
        try:
            remaining = int(response.headers["x-ratelimit-remaining"])
            reset = float(response.headers["x-ratelimit-reset"])
        except (KeyError, ValueError):
            self._announced = self._remaining is not None
            return
        if reset > self._reset_at or self._remaining is None:
            self._reset_at, self._remaining = reset, remaining
        elif reset == self._reset_at:
            self._remaining = min(self._remaining, remaining)  # answers may arrive out of order


def _check_fits(wait: float, report_day: ReportDay, deadline: Deadline) -> None:
    if wait >= deadline.usable():
        raise RateLimited(
            f"{report_day}: GitHub's rate limit asks to wait {wait:.0f}s, "
            f"more than the {max(deadline.usable(), 0):.0f}s this run has left"
        )


class BearerAuth(requests.auth.AuthBase):
    """The token as the request's auth: requests then never swaps in ~/.netrc credentials."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


def _rate_limit_wait(response: requests.Response, now: float) -> float | None:
    """Seconds GitHub asks us to wait, or None when this is not a rate-limit answer."""
    if response.status_code not in (403, 429):
        return None
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(float(retry_after), 1.0)
        except ValueError:
            return 60.0
    if response.headers.get("x-ratelimit-remaining") == "0":
        try:
            reset = float(response.headers.get("x-ratelimit-reset", ""))
        except ValueError:
            return 60.0
        return max(reset - now, 0.0) + 1.0
    return None


def _is_secondary_limit(response: requests.Response) -> bool:
    """A secondary-limit answer, told by its message: a 403 that says anything else is a refused
    permission. A 429 is a rate limit whatever it says."""
    if response.status_code == 429:
        return True
    return response.status_code == 403 and SECONDARY_LIMIT_MESSAGE in _message(response).lower()


def _refusal(response: requests.Response, report_day: ReportDay) -> None:
    """Raise the error a refused call stands for (401, 403, 404, anything but 200)."""
    status = response.status_code
    hint = permission_hint(report_day.level, report_day.report)
    if status == 401:
        raise PermissionDenied(f"{report_day}: GitHub rejected the token (HTTP 401); {hint}")
    if status == 403:
        # GitHub names what a fine-grained token lacked in X-Accepted-GitHub-Permissions.
        accepted = response.headers.get("X-Accepted-GitHub-Permissions")
        named = f" (GitHub accepts: {redact(accepted[:200])})" if accepted else ""
        raise PermissionDenied(f"{report_day}: GitHub refused access (HTTP 403){named}; {hint}")
    if status == 404:
        # A snapshot is always there to take: 404 is a wrong slug or no Copilot subscription.
        raise GitHubError(
            f"{report_day}: GitHub answered HTTP 404: no such {report_day.level}, or it has no "
            "Copilot Business or Enterprise subscription"
        )
    if status != 200:
        raise GitHubError(
            f"{report_day}: GitHub API answered HTTP {status} after retries: {_message(response)}"
        )


def _snapshot_page(response: requests.Response, report_day: ReportDay) -> SnapshotPage:
    _refusal(response, report_day)
    content = response.content
    try:
        body = json.loads(content)
    except ValueError:
        raise GitHubError(f"{report_day}: a page GitHub served is not JSON") from None
    if not isinstance(body, dict):
        raise GitHubError(
            f"{report_day}: a page GitHub served is a JSON {type(body).__name__}, not an object"
        )
    seats = body.get("seats")
    total = body.get("total_seats")
    if report_day.report is Report.COPILOT_SEATS and (
        not isinstance(seats, list) or not isinstance(total, int) or isinstance(total, bool)
    ):
        raise GitHubError(f"{report_day}: a seats page without total_seats and seats")
    next_url = response.links.get("next", {}).get("url")
    records = len(seats) if isinstance(seats, list) else 1
    return SnapshotPage(content, total if isinstance(total, int) else None, records, next_url)


def _decode(response: requests.Response, report_day: ReportDay) -> Any:
    status = response.status_code
    if status == 404:
        # GitHub answers 404 for a day not generated yet and for an unknown enterprise alike.
        raise NotFound(f"{report_day}: not generated yet (HTTP 404; or no such enterprise slug)")
    if status == 204:
        raise NotReady(f"{report_day}: not generated yet (HTTP 204)")
    if status == 401:
        raise PermissionDenied(
            f"{report_day}: GitHub rejected the token (HTTP 401); {permission_hint(report_day.level)}"
        )
    if status == 403:
        raise PermissionDenied(
            f"{report_day}: GitHub refused access (HTTP 403); {permission_hint(report_day.level)}"
        )
    # 202: an export GitHub accepted and processes asynchronously (billing.py).
    if status not in (200, 201, 202):
        raise GitHubError(
            f"{report_day}: GitHub API answered HTTP {status} after retries: {_message(response)}"
        )
    if not response.content.strip():
        raise NotReady(f"{report_day}: not generated yet (HTTP 200 with an empty body)")
    try:
        body = response.json()
    except ValueError:
        raise GitHubError(f"{report_day}: GitHub API answered 200 with a body that is not JSON") from None
    # GitHub answers a day it has no report for with a JSON string ("No report available for
    # this day", "Report is being generated", "") or null: not ready, never a failure.
    if body is None:
        raise NotReady(f"{report_day}: not generated yet (HTTP 200 with null)")
    if isinstance(body, str):
        raise NotReady(f"{report_day}: not generated yet ({redact(body[:120])!r})")
    if not isinstance(body, dict):
        raise GitHubError(f"{report_day}: GitHub API answered a JSON {type(body).__name__}, not an object")
    return body


def _message(response: requests.Response) -> str:
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        message = response.text[:200]
    return redact(str(message))


def _field_day(body: dict[str, Any], field: str, report_day: ReportDay) -> date:
    value = body.get(field)
    if value is None and not body.get("download_links"):
        raise NotReady(f"{report_day}: not generated yet (no download links)")
    try:
        return parse_day(str(value), field)
    except InvalidRequest:
        raise GitHubError(f"{report_day}: GitHub API answer has no valid {field} ({value!r})") from None


def _links(body: dict[str, Any], report_day: ReportDay) -> tuple[str, ...]:
    links = body.get("download_links")
    if not links:
        raise NotReady(f"{report_day}: not generated yet (no download links)")
    if not isinstance(links, list) or not all(isinstance(link, str) and link for link in links):
        raise GitHubError(f"{report_day}: download_links is not a list of URLs")
    return tuple(links)
