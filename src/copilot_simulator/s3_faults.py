"""A fault-injecting HTTP proxy in front of an S3 endpoint (moto's server), on loopback.

boto3 is pointed at the proxy; the proxy forwards each request to the real endpoint, except
those it picks to fail: an S3 error answer (500 InternalError, 503 SlowDown) or a reset
connection, per operation (PutObject, UploadPart, CompleteMultipartUpload, ...).
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"
FAULT_KINDS = ("error_500", "slow_down_503", "reset")
OPERATIONS = (
    "PutObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "GetObject",
    "HeadObject",
    "ListObjects",
    "DeleteObject",
    "Other",
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
}


def operation_of(method: str, path: str, query: str) -> str:
    """The S3 operation a path-style request is, as far as the fault rules care."""
    params = parse_qs(query, keep_blank_values=True)
    has_key = path.strip("/").count("/") >= 1
    if method == "PUT" and "partNumber" in params and "uploadId" in params:
        return "UploadPart"
    if method == "PUT" and has_key:
        return "PutObject"
    if method == "POST" and "uploads" in params:
        return "CreateMultipartUpload"
    if method == "POST" and "uploadId" in params:
        return "CompleteMultipartUpload"
    if method == "GET" and has_key:
        return "GetObject"
    if method == "HEAD" and has_key:
        return "HeadObject"
    if method == "GET":
        return "ListObjects"
    if method == "DELETE" and has_key:
        return "DeleteObject"
    return "Other"


class S3FaultProxy:
    """Forwards to `upstream`; fails a request of operation `op` with probability rates[op]."""

    def __init__(self, upstream: str, seed: int = 7) -> None:
        self.upstream_url = upstream
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or LOOPBACK
        self.upstream_port = parts.port or 80
        self.rates: dict[str, float] = {}
        self.kinds: tuple[str, ...] = FAULT_KINDS
        self.faults_applied: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def fail(self, operations: Iterable[str], rate: float, kinds: Iterable[str] = FAULT_KINDS) -> None:
        """From now on, fail each request of these operations with probability `rate`."""
        with self._lock:
            for op in operations:
                if op not in OPERATIONS:
                    raise ValueError(f"unknown S3 operation {op!r}")
                self.rates[op] = rate
            self.kinds = tuple(kinds)

    def quiet(self) -> None:
        with self._lock:
            self.rates.clear()

    def _pick_fault(self, operation: str) -> str | None:
        with self._lock:
            self.requests[operation] += 1
            if self._random.random() >= self.rates.get(operation, 0.0):
                return None
            kind = self._random.choice(self.kinds)
            self.faults_applied[f"{operation}:{kind}"] += 1
            return kind

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("proxy is not running")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def start(self) -> S3FaultProxy:
        server = ThreadingHTTPServer((LOOPBACK, 0), _ProxyHandler)
        server.daemon_threads = True
        server.proxy = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="s3-fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> S3FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._forward()

    do_PUT = do_POST = do_HEAD = do_DELETE = do_GET

    def _forward(self) -> None:
        proxy: S3FaultProxy = self.server.proxy  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = proxy._pick_fault(operation_of(self.command, url.path, url.query))
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None:
            status, code = (500, "InternalError") if fault == "error_500" else (503, "SlowDown")
            payload = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            self.send_response(response.status)
            # A HEAD answer's Content-Length is the object's size, not the (empty) body's.
            keep_length = self.command == "HEAD"
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP and (keep_length or name.lower() != "content-length"):
                    self.send_header(name, value)
            if not keep_length:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        finally:
            upstream.close()
