"""Shared fixtures: moto's S3 server and the GitHub simulator on loopback, the real handler."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
# A fixed "today": the window is 2025-10-10 .. 2025-10-31, 22 report days.
TODAY = date(2025, 11, 1)
CANARY_TOKEN = "ghp_CANARYtoken0123456789abcdefSECRET"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


@dataclass
class FakeLambdaContext:
    """What Powertools and the handler read from a Lambda context."""

    remaining_ms: int = 900_000
    function_name: str = "copilot-archiver"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:copilot-archiver"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def atomic_conditional_puts(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 evaluates If-None-Match atomically; moto checks, then writes, unlocked: make it atomic.
    Without it, two overlapping runs can both commit a report-day (each keeping its raw versions)."""
    import threading

    from moto.s3.responses import S3Response

    lock = threading.Lock()
    put_object = S3Response.put_object

    def locked(self: Any) -> Any:
        with lock:
            return put_object(self)

    monkeypatch.setattr(S3Response, "put_object", locked)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, s3_endpoint: str) -> str:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "CopilotMetricsArchive",
    }.items():
        monkeypatch.setenv(name, value)
    return s3_endpoint


@pytest.fixture
def s3(aws_env: str) -> Any:
    import boto3

    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"archive-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    with Simulator(enterprises=("acme", "globex"), users=6, today=TODAY, token=CANARY_TOKEN) as sim:
        yield sim


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def archiver_env(
    monkeypatch: pytest.MonkeyPatch, aws_env: str, bucket: str, simulator: Any, fixed_today: date
) -> Iterator[dict[str, str]]:
    from copilot_archive.archiving import github, runtime, transfer

    env = {
        "ENTERPRISES": "acme,globex",
        "ARCHIVE_BUCKET": bucket,
        "GITHUB_API_URL": simulator.api_url,
        "GITHUB_TOKEN": CANARY_TOKEN,
        "DOWNLOAD_HOSTS": "127.0.0.1",
        "MAX_WORKERS": "4",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_TOKEN_SECRET", raising=False)
    monkeypatch.delenv("ARCHIVE_PREFIX", raising=False)
    monkeypatch.delenv("REPORTS", raising=False)
    # Keep retries quick: the backoff policy is the library's, only its unit is shortened.
    monkeypatch.setattr(github, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    runtime.archiver_from_env.cache_clear()
    yield env
    runtime.archiver_from_env.cache_clear()


@pytest.fixture
def handler(archiver_env: dict[str, str]) -> Callable[..., dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("archiver_app", ROOT / "functions" / "archiver" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def invoke(event: dict[str, Any], context: FakeLambdaContext | None = None) -> dict[str, Any]:
        return module.lambda_handler(event, context or FakeLambdaContext())

    return invoke


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, simulator: Any, fixed_today: date) -> Any:
    """The CLI's environment, pointed at the simulator (for archiving into a folder or S3)."""
    from copilot_archive.archiving import github, transfer

    monkeypatch.setenv("ENTERPRISES", "acme,globex")
    monkeypatch.setenv("GITHUB_API_URL", simulator.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", CANARY_TOKEN)
    monkeypatch.setenv("DOWNLOAD_HOSTS", "127.0.0.1")
    for name in ("GITHUB_TOKEN_SECRET", "ARCHIVE_PREFIX", "REPORTS", "MAX_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(github, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    return simulator


def bucket_objects(s3: Any, bucket: str) -> dict[str, bytes]:
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            objects[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return objects


def object_versions(s3: Any, bucket: str) -> int:
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        count += len(page.get("Versions", ())) + len(page.get("DeleteMarkers", ()))
    return count


def served_lines(sim: Any, slug: str, report: str, day: date) -> list[dict[str, Any]]:
    """A report-day's lines as the simulator serves them over HTTP, parsed in plain Python."""
    return [
        json.loads(line)
        for part in sim.report_files(slug, report, day)
        for line in part.splitlines()
        if line.strip()
    ]


def archive_report_day(
    storage: Any, report_day: Any, data: bytes, fetched_at: datetime, prefix: str = "copilot-metrics"
) -> str:
    """`data` as the report-day's one raw file, then its manifest, as the archiver leaves them;
    the manifest's key."""
    from copilot_archive.core.layout import manifest_key, raw_file_key
    from copilot_archive.core.manifest import ArchivedFile, Manifest

    key = raw_file_key(prefix, report_day, 0)
    storage.put_bytes(key, data)
    listed = ArchivedFile(key, len(data), hashlib.sha256(data).hexdigest(), data.count(b"\n"))
    manifest = Manifest(report_day, (listed,), fetched_at, "2026-03-10")
    storage.put_bytes(manifest_key(prefix, report_day), manifest.to_json())
    return manifest_key(prefix, report_day)


def download_signatures(simulator: Any) -> set[str]:
    """The signatures of every link the simulator was asked to download: text none may hold."""
    return {
        part.split("=", 1)[1]
        for r in simulator.requests
        if r.kind == "download"
        for part in r.query.split("&")
        if part.startswith("signature=")
    }


class CountingHost:
    """A plain HTTP server on a loopback address that no link may reach; it counts what does."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"{}\n")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.requests: list[str] = []
        self.address = address
        self._server = ThreadingHTTPServer((address, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def off_list_host() -> Iterator[CountingHost]:
    """On 127.0.0.2: loopback, but not in the tests' DOWNLOAD_HOSTS."""
    host = CountingHost("127.0.0.2")
    yield host
    host.close()


@pytest.fixture
def bystander() -> Iterator[CountingHost]:
    """On 127.0.0.1, the listed host: only a link parsed two ways could reach it."""
    host = CountingHost("127.0.0.1")
    yield host
    host.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `longest` go first: under `make test`'s two processes one of them starts the
    fault suite at once and the other runs the rest beside it (worksteal rebalances the tail)."""
    items.sort(key=lambda item: item.get_closest_marker("longest") is None)


def probe_output(code: str, *args: str, env: Mapping[str, str]) -> str:
    """What `code` prints in a fresh interpreter (as a cold start sees the imports); fails the
    test with the probe's stderr if it raised."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def cold_start_modules(function: str) -> set[str]:
    """Every module a fresh interpreter loads by importing `functions/<function>/app.py`, as a
    cold start outside Lambda with tracing off does."""
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import app; print(' '.join(sorted(sys.modules)))"
    env = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "AWS_LAMBDA_FUNCTION_NAME")}
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return set(probe_output(probe, str(ROOT / "functions" / function), env=env).split())
