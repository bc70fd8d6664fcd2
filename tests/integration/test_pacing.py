"""GitHub's pace: the quota it announces is never overrun, and a report-day's links are
copied together yet archived in link order, byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import TODAY, FakeLambdaContext

pytestmark = pytest.mark.loopback

DAYS = [(TODAY - timedelta(days=10 + i)).isoformat() for i in range(3)]
MANIFESTS = "copilot-metrics/manifests/enterprise"


def test_a_backfill_larger_than_a_quota_window_gets_no_rate_limit_answer(handler, simulator):
    simulator.rate_limit, simulator.rate_limit_window_seconds = 4, 1.0
    event = {"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"]}  # 2 x 2 x 3 = 12 calls

    summary = handler(event)

    assert summary["counts"]["archived"] == 12
    assert simulator.rate_limit_answers == 0
    assert summary["rate_limit_waits"] >= 1  # it waited for the next window instead


def test_a_quota_reset_beyond_the_deadline_defers_the_rest(handler, simulator):
    simulator.rate_limit, simulator.rate_limit_window_seconds = 3, 3600.0
    event = {"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"], "enterprises": ["acme"]}

    summary = handler(event, FakeLambdaContext(remaining_ms=900_000))

    assert summary["counts"]["archived"] == 3 and summary["counts"]["deferred"] == 3
    assert all("rate limit" in r["reason"] for r in summary["deferred"])
    assert simulator.rate_limit_answers == 0


def test_links_copied_together_are_archived_in_link_order_byte_for_byte(
    handler, s3, bucket, simulator, monkeypatch
):
    from copilot_archive.archiving import transfer

    day = DAYS[0]
    # The first download to arrive breaks midway and is retried: that link finishes last.
    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.3)
    simulator.inject("download_reset", times=1, report="users-1-day", slug="acme", day=day)
    expected = simulator.report_files("acme", "users-1-day", day)
    assert len(expected) == 3

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1 and summary["download_retries"] == 1
    key = f"{MANIFESTS}/users-1-day/enterprise=acme/day={day}.json"
    files: list[dict[str, Any]] = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["files"]
    assert [f["sha256"] for f in files] == [hashlib.sha256(body).hexdigest() for body in expected]
    for entry, body in zip(files, expected, strict=True):
        assert s3.get_object(Bucket=bucket, Key=entry["key"])["Body"].read() == body


def test_each_run_keeps_to_its_share_of_a_credentials_calls_a_minute(handler, simulator, monkeypatch):
    from copilot_archive.archiving import github, runtime
    from copilot_archive.core import config

    # A "minute" of 1 s holding 8 calls, shared by one queue worker and this run: 4 each.
    monkeypatch.setattr(github, "MINUTE_SECONDS", 1.0)
    monkeypatch.setattr(config, "GITHUB_POINTS_PER_MINUTE", 8)
    monkeypatch.setenv("QUEUE_WORKERS", "1")
    runtime.archiver_from_env.cache_clear()
    event = {"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"]}  # 2 x 2 x 3 = 12 calls

    summary = handler(event)

    assert summary["counts"]["archived"] == 12
    arrivals = sorted(r.at for r in simulator.requests if r.kind == "api")
    assert len(arrivals) == 12
    # No 0.8 s holds more than 4 (0.2 s left for the way to the simulator), and 12 take 2 s.
    busiest = max(sum(1 for at in arrivals if first <= at < first + 0.8) for first in arrivals)
    assert busiest <= 4
    assert arrivals[-1] - arrivals[0] >= 1.9
