"""With tracing on, as in Lambda: what the X-Ray SDK sends holds no token and no signed query.

The handler runs in a fresh interpreter that looks like a Lambda worker (LAMBDA_TASK_ROOT and
a sampled trace header), so Powertools' Tracer is on and the X-Ray SDK streams every finished
subsegment over UDP, to a socket this test reads instead of the X-Ray daemon.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, ROOT, TODAY, cold_start_modules, download_signatures

pytestmark = pytest.mark.loopback

DAY = (TODAY - timedelta(days=10)).isoformat()
RUN_HANDLER = """
import json, sys
from copilot_archive.core import clock
from copilot_archive.archiving import transfer
from datetime import date
transfer.BACKOFF_SECONDS = 0.01  # keep the download retries quick, as the other tests do
clock.utc_today = lambda: date.fromisoformat(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import app

class Context:
    function_name = "copilot-archiver"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:copilot-archiver"
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    def get_remaining_time_in_millis(self):
        return 900_000

event = json.loads(sys.argv[3])
print(json.dumps(app.lambda_handler(event, Context())))
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _received(daemon: socket.socket) -> list[str]:
    daemon.setblocking(False)
    datagrams = []
    while True:
        try:
            datagrams.append(daemon.recv(65536).decode(errors="replace"))
        except BlockingIOError:
            return datagrams


def test_traces_of_a_failed_download_hold_no_signature_and_no_token(aws_env, bucket, simulator, tmp_path):
    simulator.inject(
        "redirect_unreachable", times=20, report="users-1-day", slug="acme", day=DAY, port=_closed_port()
    )
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    env: dict[str, Any] = {
        **os.environ,
        "ENTERPRISES": "acme",
        "ARCHIVE_BUCKET": bucket,
        "GITHUB_API_URL": simulator.api_url,
        "GITHUB_TOKEN": CANARY_TOKEN,
        "DOWNLOAD_HOSTS": "127.0.0.1",
        "LAMBDA_TASK_ROOT": str(tmp_path),
        "AWS_LAMBDA_FUNCTION_NAME": "copilot-archiver",
        "_X_AMZN_TRACE_ID": "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
    }
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    event = {"days": [DAY], "reports": ["users-1-day"], "enterprises": ["acme"]}

    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                RUN_HANDLER,
                TODAY.isoformat(),
                str(ROOT / "functions" / "archiver"),
                json.dumps(event),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        datagrams = _received(daemon)
    finally:
        daemon.close()

    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["counts"]["failed"] == 1  # the download host was unreachable
    traced = "\n".join(datagrams)
    assert '"name": "## lambda_handler"' in traced  # tracing was on
    assert '"name": "s3"' in traced  # the AWS SDK calls are traced
    signatures = download_signatures(simulator)
    assert signatures
    assert not [s for s in signatures if s in traced]
    assert CANARY_TOKEN not in traced
    assert "signature=" not in traced and "expires=" not in traced


def test_with_tracing_off_the_archiver_imports_neither_the_tracer_sdk_nor_the_indexers_libraries():
    loaded = cold_start_modules("archiver")

    assert "copilot_archive.archiving.dispatch" in loaded  # the probe did import the handler
    assert {"aws_xray_sdk", "pyarrow", "duckdb", "sqlglot"} & loaded == set()
