"""Streams one signed report link into storage, hashing and counting on the way through.

The body is never held whole in memory nor written to /tmp: urllib3's raw stream feeds the
storage adapter (boto3's managed transfer for S3) through a reader that counts as it goes.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from .config import is_loopback
from .exceptions import DownloadError, LinkRejected, UnsafeLink
from .lines import LineCounter
from .manifest import ArchivedFile
from .redaction import redact_url
from .storage import NDJSON, Storage

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
        """Raise UnsafeLink unless `url` is https to an allowed host (http: loopback only)."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            raise UnsafeLink("download link is not a URL") from None
        if not host or not self.allows(host):
            raise UnsafeLink(
                f"download link host {host!r} is not in DOWNLOAD_HOSTS ({','.join(self.patterns)}); "
                f"link: {redact_url(url)}"
            )
        if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
            return
        raise UnsafeLink(f"download link {redact_url(url)} is not https (http only for loopback)")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    pattern = pattern.lower().split(":", 1)[0] if not pattern.startswith("[") else pattern.lower()
    if pattern.startswith("*."):
        rest = re.escape(pattern[2:]).replace(r"\*", "[^.]*")
        return re.compile(rf"(?:[^.]+\.)+{rest}")
    return re.compile(re.escape(pattern).replace(r"\*", "[^.]*"))


class _IncompleteBody(DownloadError):
    """The connection ended before the whole file arrived; the link is tried again from the start."""


class _CountingReader:
    """A file-like view of an HTTP body that hashes, counts and checks what passes through."""

    def __init__(self, response: requests.Response, url: str) -> None:
        self._raw = response.raw
        self._raw.decode_content = True
        self._url = url
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
            raise _IncompleteBody(
                f"download of {redact_url(self._url)} broke after {self.bytes} bytes ({type(exc).__name__})"
            ) from None  # the cause's text quotes the signed URL
        if not chunk:
            self._check_complete()
            return b""
        if not self._checked_start:
            self._check_start(chunk)
        self._sha256.update(chunk)
        self.bytes += len(chunk)
        self._lines.feed(chunk)
        return bytes(chunk)

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
        attempts: int = 3,
        timeout: tuple[float, float] = (10.0, 60.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.allowed_hosts = allowed_hosts
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

    def copy(self, url: str, storage: Storage, key: str) -> ArchivedFile:
        """Stream `url` into `key`; LinkRejected when the host refuses the link itself."""
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._open(url)
                with response:
                    reader = _CountingReader(response, url)
                    storage.put_stream(key, reader, NDJSON)  # type: ignore[arg-type]
                    return reader.archived_file(key)
            except _IncompleteBody:
                if attempt == self._attempts:
                    raise
                self.retries += 1
                self._sleep(BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")

    def _open(self, url: str) -> requests.Response:
        """GET with redirects followed by hand, each hop checked against the allow-list."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self.allowed_hosts.check(current)
            try:
                response = self._session.get(
                    current, stream=True, allow_redirects=False, timeout=self._timeout
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
