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


# ---- a ledger tampered with, or broken, never loses a day nor fails a run ----

RESTING_DAY = date(2025, 10, 12)  # a user-teams day past its grace, paused for days: it rests


def planted_ledger(late_day_last: str, padding: int = 0) -> bytes:
    """A ledger in which user-teams RESTING_DAY rests (first asked 10 days ago, last 1 day ago)
    and users-1-day LATE_DAY was first asked 10 days ago and last at `late_day_last`."""

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    ten_days_ago, a_day_ago = stamp(T0 - timedelta(days=10)), stamp(T0 - timedelta(days=1))
    document = {
        "version": 1,
        "reports": {
            "user-teams-1-day": {RESTING_DAY.isoformat(): [ten_days_ago, a_day_ago]},
            "users-1-day": {LATE_DAY.isoformat(): [ten_days_ago, late_day_last]},
        },
    }
    return json.dumps(document).encode() + b" " * padding


def asked_days(simulator: Any, report: str) -> set[str]:
    return {
        part.split("=", 1)[1]
        for r in simulator.requests
        if r.kind == "api" and r.path.endswith(f"/{report}")
        for part in r.query.split("&")
        if part.startswith("day=")
    }


def test_a_day_stamped_in_the_future_is_asked_and_archived(moment, handler, s3, bucket, simulator):
    s3.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=planted_ledger("9999-12-31T00:00:00Z"))
    simulator.not_ready.clear()  # the late report is there now

    summary = handler({})

    assert LATE_DAY.isoformat() in asked_days(simulator, "users-1-day")
    assert RESTING_DAY.isoformat() not in asked_days(simulator, "user-teams-1-day")
    assert summary["not_ready_resting"] == 1  # only the honest entry rests
    assert ("users-1-day", LATE_DAY.isoformat()) in {(r["report"], r["day"]) for r in summary["archived"]}
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    assert LATE_DAY.isoformat() not in ledger["reports"].get("users-1-day", {})


def test_a_day_stamped_in_the_future_that_is_still_not_ready_is_restamped_now(
    moment, handler, s3, bucket, simulator
):
    s3.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=planted_ledger("9999-12-31T00:00:00Z"))

    handler({})

    assert LATE_DAY.isoformat() in asked_days(simulator, "users-1-day")
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    now = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ledger["reports"]["users-1-day"][LATE_DAY.isoformat()] == [now, now]


def test_a_ledger_larger_than_the_cap_is_not_read(moment, handler, s3, bucket, simulator):
    from copilot_archive.archiving.not_ready import MAX_LEDGER_BYTES

    honest = planted_ledger(T0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    s3.put_object(
        Bucket=bucket,
        Key=LEDGER_KEY,
        Body=planted_ledger(T0.strftime("%Y-%m-%dT%H:%M:%SZ"), padding=MAX_LEDGER_BYTES + 1 - len(honest)),
    )

    summary = handler({})

    assert summary["not_ready_resting"] == 0
    assert RESTING_DAY.isoformat() in asked_days(simulator, "user-teams-1-day")


def deeply_nested(levels: int) -> bytes:
    return b'{"version": 1, "reports": ' + b"[" * levels + b"]" * levels + b"}"


def test_a_ledger_nested_200000_deep_only_means_asking_every_day(
    moment, handler, s3, bucket, simulator, capsys
):
    s3.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=deeply_nested(200_000))
    window_days = (TODAY - date(2025, 10, 10)).days

    summary = handler({})

    assert summary["not_ready_resting"] == 0
    assert len(asked_days(simulator, "user-teams-1-day")) == window_days
    assert summary["counts"]["archived"] == window_days - 1  # every users-1-day day but LATE_DAY
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    assert len(ledger["reports"]["user-teams-1-day"]) == window_days
    logged = capsys.readouterr().err
    assert "not-ready ledger unreadable" in logged and "RecursionError" in logged
    assert "Traceback" not in logged


@pytest.fixture
def worker(org_only_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The worker handler, with a queue configured (nothing is deferred, so nothing is sent)."""
    import importlib.util

    from copilot_archive.archiving import runtime
    from tests.conftest import ROOT, FakeLambdaContext

    monkeypatch.setenv("ARCHIVE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/unused")
    runtime.archiver_from_env.cache_clear()
    spec = importlib.util.spec_from_file_location("archiver_app", ROOT / "functions" / "archiver" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def deliver(days: list[str]) -> dict[str, Any]:
        from tests.conftest import load_event

        event = load_event("archive-queue-message.json")
        body = {"days": days, "reports": ["users-1-day"], "organizations": ["octo"], "force": False}
        event["Records"][0]["body"] = json.dumps(body)
        answer: dict[str, Any] = module.worker_handler(event, FakeLambdaContext())
        return answer

    return deliver


def manifest_days(s3: Any, bucket: str) -> set[str]:
    prefix = "copilot-metrics/manifests/organization/users-1-day/organization=octo/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {item["Key"].rsplit("day=", 1)[1].removesuffix(".json") for item in listed}


def test_a_worker_whose_day_is_archived_succeeds_despite_a_ledger_nested_200000_deep(
    moment, worker, s3, bucket, simulator
):
    s3.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=deeply_nested(200_000))
    archived_day = LATE_DAY - timedelta(days=1)

    answer = worker([archived_day.isoformat(), LATE_DAY.isoformat()])

    assert answer == {"batchItemFailures": []}
    assert manifest_days(s3, bucket) == {archived_day.isoformat()}
    # The broken ledger was replaced by this message's answer: LATE_DAY is not ready.
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read())
    assert list(ledger["reports"]["users-1-day"]) == [LATE_DAY.isoformat()]


def test_a_worker_whose_ledger_write_fails_still_succeeds(moment, worker, s3, bucket, simulator, capsys):
    from botocore.awsrequest import AWSResponse

    from copilot_archive.archiving import runtime

    def refuse_ledger_writes(request: Any, **_: Any) -> AWSResponse | None:
        if request.method == "PUT" and "/state/" in request.url:
            body = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            return AWSResponse(request.url, 403, {}, _Raw(body))
        return None

    client = runtime.archiver_from_env().storage._client  # type: ignore[attr-defined]
    client.meta.events.register("before-send.s3.PutObject", refuse_ledger_writes)
    archived_day = LATE_DAY - timedelta(days=1)

    answer = worker([archived_day.isoformat(), LATE_DAY.isoformat()])

    assert answer == {"batchItemFailures": []}
    assert manifest_days(s3, bucket) == {archived_day.isoformat()}
    assert "not-ready ledger not written" in capsys.readouterr().err
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="copilot-metrics/state/")


class _Raw:
    """The raw stream botocore reads an answer's body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data
