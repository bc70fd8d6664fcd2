"""Streams one signed report link into storage, hashing and counting on the way through.

The body is never held whole in memory nor written to /tmp: urllib3's raw stream feeds the
storage adapter (boto3's managed transfer for S3) through a reader that counts as it goes.
"""

from __future__ import annotations

import hashlib
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from ..core.config import DEFAULT_MAX_REPORT_BYTES
from ..core.deadline import Deadline
from ..core.exceptions import DownloadError, LinkRejected, OutOfTime, ReportTooLarge, UnsafeLink
from ..core.lines import LineCounter
from ..core.manifest import ArchivedFile
from ..core.redaction import redact_url
from ..core.storage import NDJSON, Storage
from ..core.urls import connection_target, is_loopback

CHUNK_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
# Pause before re-downloading a link whose body broke: attempt x this many seconds.
BACKOFF_SECONDS = 1.0
# Statuses by which a download host says the signed link is no longer (or never was) good.
REJECTED_LINK_STATUSES = (401, 403, 404, 410)


class HostAllowList:
    """Host patterns for download links: exact names, '*.' for any subdomain, '*' inside a label."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._regexes = tuple(_pattern_regex(p) for p in patterns)

    def allows(self, host: str) -> bool:
        return any(r.fullmatch(host.lower()) for r in self._regexes)

    def check(self, url: str) -> None:
        """Raise UnsafeLink unless `url` is https to an allowed host (http: loopback only),
        as judged by the parser requests connects with."""
        try:
            target = connection_target(url)
        except UnsafeLink as exc:
            raise UnsafeLink(f"refused download link {redact_url(url)}: {exc}") from None
        if not self.allows(target.host):
            raise UnsafeLink(
                f"download link host {target.host!r} is not in DOWNLOAD_HOSTS ({','.join(self.patterns)}); "
                f"link: {redact_url(url)}"
            )
        if target.scheme == "https" or (target.scheme == "http" and is_loopback(target.host)):
            return
        raise UnsafeLink(f"download link {redact_url(url)} is not https (http only for loopback)")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    # Ports are ignored; an IPv6 literal may be written with brackets, hosts are compared without.
    pattern = pattern.lower()
    pattern = pattern[1:].split("]", 1)[0] if pattern.startswith("[") else pattern.split(":", 1)[0]
    if pattern.startswith("*."):
        rest = re.escape(pattern[2:]).replace(r"\*", "[^.]*")
        return re.compile(rf"(?:[^.]+\.)+{rest}")
    return re.compile(re.escape(pattern).replace(r"\*", "[^.]*"))


@dataclass(frozen=True, slots=True)
class CopiedFile:
    """A link copied into storage: the file as counted, and the storage version written."""

    archived: ArchivedFile
    version_id: str | None


class _IncompleteBody(DownloadError):
    """The connection ended before the whole file arrived; the link is tried again from the start."""


class _Watchdog:
    """Stops a download when the run's time runs out, however slowly its host sends.

    A socket read timeout cannot do this (a host dripping a byte every second never trips
    it), so a timer checks the deadline and, when it has passed, shuts the socket down,
    which wakes the blocked read at once.
    """

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._response: requests.Response | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.fired = False

    def seconds_left(self) -> float:
        return self._deadline.in_flight_seconds()

    def __enter__(self) -> _Watchdog:
        if not math.isinf(self.seconds_left()):
            threading.Thread(target=self._run, name="download-watchdog", daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()

    def watch(self, response: requests.Response) -> None:
        with self._lock:
            self._response = response
            fired = self.fired
        if fired:
            _shut_down(response)

    def _run(self) -> None:
        # Re-checked at least every second: the deadline's clock need not run at wall speed.
        while not self._done.wait(min(max(self.seconds_left(), 0.0), 1.0)):
            if self.seconds_left() <= 0:
                with self._lock:
                    self.fired = True
                    response = self._response
                if response is not None:
                    _shut_down(response)
                return


def _shut_down(response: requests.Response) -> None:
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the read it would wake has ended anyway


class _CountingReader:
    """A file-like view of an HTTP body that hashes, counts and checks what passes through."""

    def __init__(self, response: requests.Response, url: str, max_bytes: int, watchdog: _Watchdog) -> None:
        self._raw = response.raw
        self._raw.decode_content = True
        self._url = url
        self._max_bytes = max_bytes
        self._watchdog = watchdog
        length = response.headers.get("Content-Length")
        self._expected_wire_bytes = int(length) if length and length.isdigit() else None
        self._sha256 = hashlib.sha256()
        self.bytes = 0
        self._lines = LineCounter()
        self._checked_start = False

    def read(self, size: int = -1) -> bytes:
        want = CHUNK_BYTES if size is None or size < 0 else size
        try:
            chunk = self._raw.read(want, decode_content=True)
        except (Urllib3Error, requests.RequestException, OSError) as exc:
            self._check_time()
            raise _IncompleteBody(
                f"download of {redact_url(self._url)} broke after {self.bytes} bytes ({type(exc).__name__})"
            ) from None  # the cause's text quotes the signed URL
        self._check_time()
        if not chunk:
            self._check_complete()
            return b""
        if self.bytes + len(chunk) > self._max_bytes:
            raise ReportTooLarge(
                f"{redact_url(self._url)} holds more than {self._max_bytes} bytes (decoded); "
                "if the report is genuine, raise MAX_REPORT_BYTES"
            )
        if not self._checked_start:
            self._check_start(chunk)
        self._sha256.update(chunk)
        self.bytes += len(chunk)
        self._lines.feed(chunk)
        return bytes(chunk)

    def _check_time(self) -> None:
        if self._watchdog.fired or self._watchdog.seconds_left() <= 0:
            raise OutOfTime(
                f"the run's time ran out while downloading {redact_url(self._url)} "
                f"({self.bytes} bytes in); left for the next run"
            )

    def _check_start(self, chunk: bytes) -> None:
        head = chunk.lstrip()
        if not head:
            return
        self._checked_start = True
        if head[:1] == b"<":
            raise DownloadError(f"{redact_url(self._url)} served an HTML or XML page, not an NDJSON report")

    def _check_complete(self) -> None:
        if self._expected_wire_bytes is None:
            return
        received = self._raw.tell()
        if received != self._expected_wire_bytes:
            raise _IncompleteBody(
                f"download of {redact_url(self._url)} ended after {received} of "
                f"{self._expected_wire_bytes} bytes"
            )

    def archived_file(self, key: str) -> ArchivedFile:
        lines = self._lines.lines
        return ArchivedFile(key=key, bytes=self.bytes, sha256=self._sha256.hexdigest(), lines=lines)


def _drain(reader: _CountingReader) -> None:
    while reader.read(CHUNK_BYTES):
        pass


class _NoAuthorization(requests.auth.AuthBase):
    """Makes sure no Authorization header (not even one from ~/.netrc) reaches a download host."""

    def __call__(self, request: Any) -> Any:
        request.headers.pop("Authorization", None)
        return request


class LinkDownloader:
    """Copies signed links into storage. Holds no GitHub credentials, by construction."""

    def __init__(
        self,
        allowed_hosts: HostAllowList,
        *,
        max_report_bytes: int = DEFAULT_MAX_REPORT_BYTES,
        attempts: int = 3,
        timeout: tuple[float, float] = (10.0, 60.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.allowed_hosts = allowed_hosts
        self.max_report_bytes = max_report_bytes
        self._attempts = attempts
        self._timeout = timeout
        self._sleep = sleep
        self.retries = 0
        self._session = requests.Session()
        self._session.auth = _NoAuthorization()
        # Connection errors before any byte arrives are retried by urllib3; a body that
        # breaks midway is retried here from the start.
        retry = Retry(total=3, connect=3, read=0, status=0, redirect=0, backoff_factor=BACKOFF_SECONDS)
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=32)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def close(self) -> None:
        self._session.close()

    def copy(
        self,
        url: str,
        storage: Storage,
        key: str,
        deadline: Deadline | None = None,
        *,
        content_type: str = NDJSON,
    ) -> CopiedFile:
        """Stream `url` into `key`; LinkRejected when the host refuses the link itself,
        OutOfTime when `deadline` comes first, ReportTooLarge past MAX_REPORT_BYTES."""

        def put(reader: _CountingReader) -> str | None:
            return storage.put_stream(key, reader, content_type)  # type: ignore[arg-type]

        return self._pass(url, key, put, deadline)

    def fingerprint(self, url: str, key: str, deadline: Deadline | None = None) -> ArchivedFile:
        """Read `url` through as `copy` does, writing nothing: what the file at `key` would be,
        to compare with a file archived already (a re-fetched billing day unchanged is not
        written again)."""
        return self._pass(url, key, _drain, deadline).archived

    def _pass(
        self,
        url: str,
        key: str,
        put: Callable[[_CountingReader], str | None],
        deadline: Deadline | None,
    ) -> CopiedFile:
        with _Watchdog(deadline or Deadline.never()) as watchdog:
            for attempt in range(1, self._attempts + 1):
                try:
                    response = self._open(url, watchdog)
                    with response:
                        reader = _CountingReader(response, url, self.max_report_bytes, watchdog)
                        version_id = put(reader)
                        return CopiedFile(reader.archived_file(key), version_id)
                except _IncompleteBody:
                    if attempt == self._attempts:
                        raise
                    self.retries += 1
                    self._sleep(min(BACKOFF_SECONDS * attempt, max(watchdog.seconds_left(), 0)))
        raise AssertionError("unreachable")

    def _open(self, url: str, watchdog: _Watchdog) -> requests.Response:
        """GET with redirects followed by hand, each hop checked against the allow-list."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self.allowed_hosts.check(current)
            left = watchdog.seconds_left()
            if left <= 0:
                raise OutOfTime(f"the run's time ran out before {redact_url(current)} was asked for")
            connect, read = self._timeout
            try:
                response = self._session.get(
                    current, stream=True, allow_redirects=False, timeout=(min(connect, left), min(read, left))
                )
            except requests.RequestException as exc:
                raise _IncompleteBody(
                    f"download host unreachable for {redact_url(current)} ({type(exc).__name__})"
                ) from None  # the cause's text quotes the signed URL
            if response.is_redirect:
                location = response.headers.get("Location", "")
                response.close()
                current = urljoin(current, location)
                continue
            if response.status_code == 200:
                watchdog.watch(response)
                if "text/html" in response.headers.get("Content-Type", "").lower():
                    response.close()
                    raise DownloadError(f"{redact_url(current)} served an HTML page, not an NDJSON report")
                return response
            response.close()
            if response.status_code in REJECTED_LINK_STATUSES:
                raise LinkRejected(
                    f"download host refused {redact_url(current)} (HTTP {response.status_code}): "
                    "link expired or invalid"
                )
            if response.status_code >= 500 or response.status_code == 429:
                raise _IncompleteBody(
                    f"download host answered HTTP {response.status_code} for {redact_url(current)}"
                )
            raise DownloadError(
                f"download host answered HTTP {response.status_code} for {redact_url(current)}"
            )
        raise UnsafeLink(f"more than {MAX_REDIRECTS} redirects from {redact_url(url)}")
