"""Days GitHub keeps answering "not ready" for are asked less often, and never given up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, TODAY

pytestmark = pytest.mark.loopback

LATE_DAY = date(2025, 10, 15)  # users-1-day is "not generated yet" for it until the last run
T0 = datetime(2025, 11, 1, 6, tzinfo=UTC)
LEDGER_KEY = "copilot-metrics/state/not-ready/organization=octo.json"


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    # 3 users: no team reaches GitHub's 5 seated users, so every user-teams day answers 204.
    with Simulator(
        enterprises=(),
        organizations=("octo",),
        users=3,
        today=TODAY,
        token=CANARY_TOKEN,
        not_ready=[("octo", "users-1-day", LATE_DAY.isoformat())],
    ) as sim:
        yield sim


@pytest.fixture
def moment(org_only_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    from copilot_archive.core import clock

    now = [T0]
    monkeypatch.setattr(clock, "utc_now", lambda: now[0])
    return now


@pytest.fixture
def org_only_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ENTERPRISES", "")
    monkeypatch.setenv("ORGANIZATIONS", "octo")
    monkeypatch.setenv("REPORTS", "user-teams-1-day,users-1-day")
    runtime.archiver_from_env.cache_clear()
    return archiver_env


def asked(simulator: Any, report: str) -> int:
    count = sum(1 for r in simulator.requests if r.kind == "api" and f"/{report}" in r.path)
    simulator.clear_requests()
    return count


def test_no_data_days_rest_between_asks_and_a_late_report_is_still_archived(
    moment, handler, s3, bucket, simulator
):
    window_days = (TODAY - date(2025, 10, 10)).days  # 2025-10-10 .. yesterday

    first = handler({})
    assert first["counts"]["not_ready"] == window_days + 1  # every team day, and the late day
    assert asked(simulator, "user-teams-1-day") == window_days

    # Within the grace after the first answer, every day is asked again.
    moment[0] = T0 + timedelta(days=1, hours=23)
    second = handler({})
    assert second["not_ready_resting"] == 0
    assert asked(simulator, "user-teams-1-day") == window_days

    # Past the grace, only the recent days (3: today-3 .. yesterday) are asked; the rest rest.
    moment[0] = T0 + timedelta(days=2, hours=1)
    third = handler({})
    assert asked(simulator, "user-teams-1-day") == 3
    assert asked(simulator, "users-1-day") == 0
    assert third["not_ready_resting"] == (window_days - 3) + 1
    assert third["counts"]["not_ready"] == 3

    # The late report appears; at the next due ask it is archived and leaves the ledger.
    simulator.not_ready.clear()
    moment[0] = T0 + timedelta(days=4)
    fourth = handler({})
    assert [(r["report"], r["day"]) for r in fourth["archived"]] == [("users-1-day", LATE_DAY.isoformat())]
    assert asked(simulator, "user-teams-1-day") == window_days
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    assert list(ledger["reports"]) == ["user-teams-1-day"]
    assert len(ledger["reports"]["user-teams-1-day"]) == window_days


def test_a_lost_ledger_only_means_asking_again(moment, handler, s3, bucket, simulator):
    handler({})
    moment[0] = T0 + timedelta(days=3)
    s3.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=b"{broken")
    simulator.clear_requests()

    summary = handler({})

    window_days = (TODAY - date(2025, 10, 10)).days
    assert summary["not_ready_resting"] == 0
    assert asked(simulator, "user-teams-1-day") == window_days
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    assert len(ledger["reports"]["user-teams-1-day"]) == window_days
