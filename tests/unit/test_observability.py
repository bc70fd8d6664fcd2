"""Metrics carry the service each function's environment names: the alarms select on it."""

import json
import logging
import os
import subprocess
import sys

# Imported at collection, before sockets are disabled: the X-Ray SDK opens a UDP socket.
from copilot_archive.core import observability
from copilot_archive.core.redaction import register_secret

SNIPPET = """
from copilot_archive.core.observability import metrics
from aws_lambda_powertools.metrics import MetricUnit
metrics.add_metric(name="IndexFailures", unit=MetricUnit.Count, value=1)
metrics.flush_metrics()
"""


def emitted_dimensions(service: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    if service:
        env["POWERTOOLS_SERVICE_NAME"] = service
    out = subprocess.run([sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, check=True)
    record = json.loads(out.stdout.strip().splitlines()[-1])
    return {"service": record["service"], "namespace": record["_aws"]["CloudWatchMetrics"][0]["Namespace"]}


def test_the_indexer_publishes_under_its_own_service():
    assert emitted_dimensions("copilot-indexer") == {
        "service": "copilot-indexer",
        "namespace": "CopilotMetricsArchive",
    }


def test_the_archiver_is_the_default_service():
    assert emitted_dimensions(None)["service"] == "copilot-archiver"


def _record(logger_name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(logger_name, logging.ERROR, __file__, 1, msg, args, None)


def test_the_log_formatter_scrubs_registered_secrets_and_link_queries():
    register_secret("fmt-canary-51d0e")
    record = _record("copilot-archiver", "failed for %s at %s", "/dl/fmt-canary-51d0e/x", "/p?sig=abc")

    out = observability.RedactingFormatter().format(record)

    assert json.loads(out)["message"] == "failed for /dl/<redacted>/x at /p?<redacted>"


def test_library_log_records_are_scrubbed_before_any_handler_sees_them():
    register_secret("filter-canary-7a3b")
    record = _record(
        "urllib3.connectionpool", '"GET %s HTTP/1.1" %s', "/dl/filter-canary-7a3b/x?sig=abc", 200
    )

    assert observability.RedactingFilter().filter(record)
    assert record.getMessage() == '"GET /dl/<redacted>/x?<redacted> HTTP/1.1" 200'
    assert logging.getLogger("urllib3.connectionpool").filters, "the filter is installed where urllib3 logs"
