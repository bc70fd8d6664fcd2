"""GitHub's secondary rate limit, through the real handler and the simulator over HTTP: a 403
(or 429) whose message names it is waited out (a minute, then twice as long each time again)
within the run's deadline, and deferred past it; it is never a refused permission. At most a
set number of calls are in flight per credential, whatever the number of worker threads.

GitHub's rules: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
("Exceeding the rate limit", "About secondary rate limits")."""

from __future__ import annotations

import functools
import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, TODAY, FakeLambdaContext
from tests.integration.test_hardening import emitted_metrics

pytestmark = pytest.mark.loopback

DAYS = [(TODAY - timedelta(days=10 + i)).isoformat() for i in range(3)]
ONE_DAY = {"days": DAYS[:1], "reports": ["users-1-day"], "enterprises": ["acme"]}
# GitHub's guidance: without retry-after or x-ratelimit-remaining: 0, wait at least a minute.
A_MINUTE = 60.0
# The handler keeps this much of the Lambda's time back (functions/archiver/app.py).
RESERVE_SECONDS = 90


class RunClock:
    """The run's clock: wall time plus every wait the run asked to sleep, which passes at once."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def skipped(self) -> float:
        with self._lock:
            return sum(self.slept)

    def now(self) -> float:
        return time.time() + self.skipped()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


class ClockedContext(FakeLambdaContext):
    """A Lambda context whose remaining time also runs down with the run's skipped waits."""

    def __init__(self, remaining_ms: int, clock: RunClock) -> None:
        super().__init__(remaining_ms=remaining_ms)
        self._clock = clock
        self._start = time.monotonic()

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._start + self._clock.skipped()
        return int(self.remaining_ms - elapsed * 1000)


@pytest.fixture
def clock(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> RunClock:
    """The report client of the handler's archiver sleeps and reads the time on `clock`."""
    from copilot_archive.archiving import github, runtime

    run_clock = RunClock()
    client = functools.partial(github.ReportClient, sleep=run_clock.sleep, now=run_clock.now)
    monkeypatch.setattr(runtime, "ReportClient", client)
    runtime.archiver_from_env.cache_clear()
    return run_clock


def api_calls(simulator: Any) -> int:
    return sum(1 for r in simulator.requests if r.kind == "api")


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_is_waited_out_not_taken_for_a_refused_permission(
    handler, simulator, clock, monkeypatch, capsys, status
):
    monkeypatch.setenv("MAX_WORKERS", "1")
    simulator.inject("secondary_limit", times=1, status=status, slug="acme")

    summary = handler(ONE_DAY, ClockedContext(900_000, clock))

    assert summary["counts"]["archived"] == 1 and summary["counts"]["failed"] == 0, summary
    assert simulator.faults_applied["secondary_limit"] == 1
    assert clock.slept == [A_MINUTE] and summary["rate_limit_waits"] == 1
    assert api_calls(simulator) == 2  # the limited call, and the same call a minute later
    assert emitted_metrics(capsys.readouterr().out)["ReportDaysFailed"] == 0.0


def test_a_secondary_limit_again_waits_twice_as_long_each_time(handler, simulator, clock, monkeypatch):
    monkeypatch.setenv("MAX_WORKERS", "1")
    throttles = 3
    simulator.inject("secondary_limit", times=throttles, slug="acme")

    summary = handler(ONE_DAY, ClockedContext(900_000, clock))

    assert summary["counts"]["archived"] == 1 and summary["counts"]["failed"] == 0, summary
    assert clock.slept == [A_MINUTE * 2**n for n in range(throttles)]  # 60, 120, 240
    assert api_calls(simulator) == throttles + 1


def test_a_wait_past_the_deadline_defers_the_rest_and_fails_nothing(
    handler, simulator, clock, monkeypatch, capsys
):
    monkeypatch.setenv("MAX_WORKERS", "1")
    simulator.inject("secondary_limit", times=2, slug="acme")
    # 100 s to start work: the first minute fits, the two minutes that follow do not.
    usable = 100
    context = ClockedContext((RESERVE_SECONDS + usable) * 1000, clock)
    event = {"days": DAYS[:2], "reports": ["users-1-day"], "enterprises": ["acme"]}

    summary = handler(event, context)

    assert summary["counts"]["deferred"] == 2 and summary["counts"]["failed"] == 0, summary
    assert all("rate limit" in r["reason"] for r in summary["deferred"])
    assert clock.slept == [A_MINUTE]
    assert api_calls(simulator) == 2  # nobody asked again while GitHub said wait
    assert context.get_remaining_time_in_millis() > 0
    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics["ReportDaysFailed"] == 0.0 and metrics["ReportDaysDeferred"] == 2.0


def test_a_403_that_names_no_rate_limit_is_still_a_refused_permission(
    handler, simulator, clock, monkeypatch, capsys
):
    monkeypatch.setenv("MAX_WORKERS", "1")
    simulator.inject("api_error", times=1, status=403, message="Must have admin rights to Repository.")

    summary = handler(ONE_DAY, ClockedContext(900_000, clock))

    assert summary["counts"]["failed"] == 1 and summary["counts"]["archived"] == 0, summary
    assert "refused access (HTTP 403)" in summary["failed"][0]["reason"]
    assert clock.slept == [] and summary["rate_limit_waits"] == 0
    assert emitted_metrics(capsys.readouterr().out)["ReportDaysFailed"] == 1.0


def test_every_worker_waits_out_a_secondary_limit_and_every_report_day_is_archived(
    handler, simulator, clock, monkeypatch
):
    monkeypatch.setenv("MAX_WORKERS", "4")
    simulator.inject("secondary_limit", times=3)
    event = {"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"]}  # 2 x 2 x 3 = 12 calls

    summary = handler(event, ClockedContext(900_000, clock))

    assert summary["counts"]["archived"] == 12 and summary["counts"]["failed"] == 0, summary
    assert simulator.faults_applied["secondary_limit"] == 3
    assert max(clock.slept) >= A_MINUTE
    assert api_calls(simulator) == 12 + 3


def test_no_more_calls_are_in_flight_per_credential_than_the_runs_share(handler, simulator, monkeypatch):
    from copilot_archive.archiving import runtime

    # GitHub allows 100 in flight per credential; beside 49 queue workers this run's share is 2.
    queue_workers = 49
    limit = 100 // (queue_workers + 1)
    monkeypatch.setenv("QUEUE_WORKERS", str(queue_workers))
    monkeypatch.setenv("MAX_WORKERS", "8")  # four times as many threads as the share allows
    runtime.archiver_from_env.cache_clear()
    simulator.latency_seconds = 0.3  # every call is slow enough for the threads to overlap
    event = {"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"]}  # 12 calls, one token

    summary = handler(event)

    assert summary["counts"]["archived"] == 12, summary
    assert 1 < simulator.peak_in_flight[CANARY_TOKEN] <= limit
