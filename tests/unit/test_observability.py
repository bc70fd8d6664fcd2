"""Metrics carry the service each function's environment names: the alarms select on it."""

import json
import os
import subprocess
import sys

SNIPPET = """
from copilot_archive.observability import metrics
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
