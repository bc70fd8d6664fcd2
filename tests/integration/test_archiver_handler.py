"""The real lambda_handler against moto's S3 server and the GitHub simulator, both on loopback."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import (
    CANARY_TOKEN,
    TODAY,
    FakeLambdaContext,
    bucket_objects,
    download_signatures,
    load_event,
    object_versions,
)

pytestmark = pytest.mark.loopback

WINDOW = [date(2025, 10, 10) + timedelta(days=i) for i in range((TODAY - date(2025, 10, 10)).days)]
DAILY = ("enterprise-1-day", "users-1-day", "user-teams-1-day", "repos-1-day")
LATEST = ("enterprise-28-day", "users-28-day")


def manifest(s3: Any, bucket: str, report: str, slug: str, day: date) -> dict[str, Any]:
    key = f"copilot-metrics/manifests/enterprise/{report}/enterprise={slug}/day={day.isoformat()}.json"
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def api_requests(sim: Any) -> list[Any]:
    return [r for r in sim.requests if r.kind == "api"]


def test_scheduled_run_archives_every_report_day_byte_for_byte(handler, s3, bucket, simulator):
    summary = handler(load_event("scheduled-eventbridge-rule.json"))

    assert summary["counts"]["failed"] == 0
    # and today's seat snapshot of each enterprise (tests/integration/test_seats.py)
    assert summary["counts"]["archived"] == 2 * len(DAILY) * len(WINDOW) + 2 * len(LATEST) + 2
    objects = bucket_objects(s3, bucket)
    for slug in ("acme", "globex"):
        for report in DAILY:
            for day in WINDOW:
                served = simulator.report_files(slug, report, day)
                body = manifest(s3, bucket, report, slug, day)
                assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(b).hexdigest() for b in served]
                for i, data in enumerate(served):
                    folder = f"copilot-metrics/raw/enterprise/{report}/enterprise={slug}/day={day}"
                    key = f"{folder}/part-{i:04d}.json"
                    assert objects[key] == data
                assert body["lines"] == sum(b.count(b"\n") for b in served)
                assert body["status"] == "ok" and body["api_version"] == "2026-03-10"
        end = simulator.latest_end_day(slug)
        for report in LATEST:
            body = manifest(s3, bucket, report, slug, end)
            assert body["report_end_day"] == end.isoformat()
            assert body["report_start_day"] == (end - timedelta(days=27)).isoformat()
            served = simulator.report_files(slug, report, end)
            assert [f["bytes"] for f in body["files"]] == [len(b) for b in served]


def test_rerun_writes_no_new_version_and_asks_github_nothing(handler, s3, bucket, simulator):
    handler({})
    versions = object_versions(s3, bucket)
    simulator.clear_requests()

    summary = handler(load_event("scheduled-scheduler.json"))

    assert summary["counts"]["archived"] == 0
    assert object_versions(s3, bucket) == versions
    assert simulator.requests == []


def test_interior_gaps_are_filled_and_nothing_else_is_asked(handler, s3, bucket, simulator):
    handler({})
    gap_days = [WINDOW[3], WINDOW[10]]
    for day in gap_days:
        s3.delete_object(
            Bucket=bucket,
            Key=f"copilot-metrics/manifests/enterprise/users-1-day/enterprise=acme/day={day}.json",
        )
    simulator.clear_requests()

    summary = handler({})

    assert summary["counts"]["archived"] == 2
    asked = sorted(r.query for r in api_requests(simulator))
    assert asked == sorted(f"day={d}" for d in gap_days)
    assert all("users-1-day" in r.path and "/acme/" in r.path for r in api_requests(simulator))


def test_not_ready_days_are_fetched_on_a_later_run(handler, s3, bucket, simulator):
    late = WINDOW[-1].isoformat()
    simulator.not_ready_days.add(late)
    first = handler({})
    assert {(r["report"], r["day"]) for r in first["not_ready"]} >= {("users-1-day", late)}
    assert first["counts"]["failed"] == 0

    simulator.not_ready_days.clear()
    second = handler({})

    archived = {(r["report"], r["enterprise"], r["day"]) for r in second["archived"]}
    assert ("users-1-day", "acme", late) in archived and ("enterprise-1-day", "globex", late) in archived
    assert manifest(s3, bucket, "users-1-day", "acme", WINDOW[-1])["status"] == "ok"


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("not_ready_204", {}),
        ("no_links", {}),
        ("no_report_string", {}),
    ],
)
def test_every_not_ready_answer_is_not_a_failure(handler, simulator, fault, params):
    day = WINDOW[5].isoformat()
    simulator.inject(fault, report="users-1-day", slug="acme", day=day, **params)

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"] == {"archived": 0, "skipped": 0, "not_ready": 1, "failed": 0, "deferred": 0}


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("api_error", {"status": 502}),
        ("api_error", {"status": 500}),
        ("api_reset", {}),
        ("rate_limit_429", {"retry_after": 1}),
        ("rate_limit_403", {"reset_in": 0}),
        ("download_reset", {}),
        ("download_truncated", {}),
        ("download_expired", {}),
        ("download_gzip", {}),
        ("redirect_same", {}),
    ],
)
def test_injected_faults_are_survived_byte_for_byte(handler, s3, bucket, simulator, fault, params):
    day = WINDOW[7]
    simulator.inject(fault, times=1, report="users-1-day", slug="acme", day=day.isoformat(), **params)

    summary = handler({"days": [day.isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1, summary
    assert simulator.faults_applied[fault] == 1
    served = simulator.report_files("acme", "users-1-day", day)
    body = manifest(s3, bucket, "users-1-day", "acme", day)
    assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(b).hexdigest() for b in served]


def test_a_failing_report_day_does_not_stop_the_others(handler, s3, bucket, simulator):
    bad, good = WINDOW[2].isoformat(), WINDOW[3].isoformat()
    simulator.inject("download_html", times=10, report="users-1-day", slug="acme", day=bad)

    summary = handler({"days": [bad, good], "reports": ["users-1-day"], "enterprises": ["acme"]})

    (failed,) = summary["failed"]
    assert failed["day"] == bad
    link = f"{simulator.api_url}/download/acme/users-1-day/{bad}/0?<redacted>"
    assert failed["reason"].startswith(link) and "signature" not in failed["reason"]
    assert failed["reason"].endswith(" served an HTML page, not an NDJSON report")
    assert [r["day"] for r in summary["archived"]] == [good]
    keys = bucket_objects(s3, bucket)
    assert not [k for k in keys if f"day={bad}" in k], "a failed report-day leaves no object"


def test_forbidden_names_the_permission_and_the_policy(handler, simulator, monkeypatch):
    monkeypatch.setenv("MAX_WORKERS", "1")  # one at a time, so "asked once" is exact
    simulator.inject("forbidden", times=100, slug="globex")

    summary = handler({"days": [WINDOW[0].isoformat(), WINDOW[1].isoformat()], "reports": ["users-1-day"]})

    failed = summary["failed"]
    assert {r["enterprise"] for r in failed} == {"globex"}
    assert len(failed) == 2
    assert "Enterprise Copilot metrics" in failed[0]["reason"]
    assert "Copilot usage metrics" in failed[0]["reason"] and "policy" in failed[0]["reason"]
    assert summary["counts"]["archived"] == 2  # acme's days went on
    # once refused, the enterprise's other days are not asked again in the same run
    assert len([r for r in api_requests(simulator) if "/globex/" in r.path]) == 1


def test_a_redirect_to_a_host_off_the_allow_list_is_never_requested(
    handler, s3, bucket, simulator, off_list_host
):
    day = WINDOW[4].isoformat()
    location = f"{off_list_host.url}/dl/part?sig=1"
    simulator.inject(
        "redirect_offlist", times=10, report="users-1-day", slug="acme", day=day, location=location
    )

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["failed"] == 1
    reason = summary["failed"][0]["reason"]
    assert "'127.0.0.2' is not in DOWNLOAD_HOSTS (127.0.0.1)" in reason
    assert off_list_host.requests == [], "the second hop was checked before it was requested"
    assert simulator.faults_applied["redirect_offlist"] >= 1  # the first hop was followed to the redirect
    assert bucket_objects(s3, bucket) == {}


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("redirect_offlist", "'evil.example.invalid' is not in DOWNLOAD_HOSTS"),
        ("redirect_http_nonloopback", "'10.0.0.1' is not in DOWNLOAD_HOSTS"),
    ],
)
def test_links_off_the_allow_list_are_never_followed(handler, s3, bucket, simulator, fault, reason):
    day = WINDOW[4].isoformat()
    simulator.inject(fault, times=10, report="users-1-day", slug="acme", day=day)

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["failed"] == 1
    assert reason in summary["failed"][0]["reason"]
    assert bucket_objects(s3, bucket) == {}


def test_plain_http_to_a_listed_host_that_is_not_loopback_is_refused(
    handler, s3, bucket, simulator, monkeypatch
):
    monkeypatch.setenv("DOWNLOAD_HOSTS", "127.0.0.1,10.0.0.1")
    day = WINDOW[4].isoformat()
    simulator.inject("redirect_http_nonloopback", times=10, report="users-1-day", slug="acme", day=day)

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["failed"] == 1
    assert "is not https (http only for loopback)" in summary["failed"][0]["reason"]
    assert bucket_objects(s3, bucket) == {}


def test_download_hosts_never_see_the_token(handler, simulator):
    simulator.inject("redirect_same", times=3)
    handler({"days": [WINDOW[0].isoformat()]})

    downloads = [r for r in simulator.requests if r.kind == "download"]
    assert downloads
    assert not [r for r in downloads if r.has_header("Authorization")]
    assert all(r.has_header("Authorization") for r in api_requests(simulator))


def test_day_mismatch_is_a_failure_not_a_wrong_archive(handler, s3, bucket, simulator):
    day = WINDOW[6].isoformat()
    simulator.inject("day_mismatch", times=10, report="users-1-day", slug="acme", day=day)

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["failed"] == 1 and "asked for" in summary["failed"][0]["reason"]
    assert bucket_objects(s3, bucket) == {}


def test_low_remaining_time_defers_work_to_the_next_run(handler, simulator):
    summary = handler({}, FakeLambdaContext(remaining_ms=60_000))

    assert summary["counts"]["archived"] == 0
    assert summary["counts"]["deferred"] == 2 * len(DAILY) * len(WINDOW) + 2 * len(LATEST) + 2  # + seats
    assert simulator.requests == []


def test_backfill_range_event_archives_exactly_those_report_days(handler, s3, bucket, simulator, monkeypatch):
    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_today", lambda: date(2026, 11, 25))
    simulator.today = date(2026, 11, 25)

    summary = handler(load_event("backfill-range.json"))

    archived = sorted((r["report"], r["enterprise"], r["day"]) for r in summary["archived"])
    expected = sorted(
        (report, "acme", (date(2026, 11, 1) + timedelta(days=i)).isoformat())
        for report in ("users-1-day", "enterprise-1-day")
        for i in range(7)
    )
    assert archived == expected
    assert len({k for k in bucket_objects(s3, bucket) if "/manifests/" in k}) == 14


def test_forced_days_are_rewritten(handler, s3, bucket, simulator, monkeypatch):
    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_today", lambda: date(2026, 11, 25))
    simulator.today = date(2026, 11, 25)
    event = load_event("backfill-days.json")
    handler({"days": event["days"], "reports": ["users-1-day"]})

    again = handler({**event, "reports": ["users-1-day"]})

    assert again["counts"]["archived"] == 4 and again["counts"]["skipped"] == 0


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"from": "2025-10-01", "to": "2025-10-12"}, "reports start on 2025-10-10"),
        ({"days": ["2025-13-01"]}, "2025-13-01"),
        ({"days": ["2025/10/12"]}, "YYYY-MM-DD"),
        ({"days": [TODAY.isoformat()]}, "not over yet"),
        ({"from": "2025-10-20", "to": "2025-10-12"}, "after"),
        ({"from": "2025-10-20"}, "to"),
        ({"days": ["2025-10-12"], "reports": ["users-7-day"]}, "users-7-day"),
        ({"days": ["2025-10-12"], "enterprises": ["../etc"]}, "../etc"),
        ({"days": ["2025-10-12"], "enterprises": ["nobody"]}, "nobody"),
        ({"days": ["2025-10-12"], "force": "yes"}, "force"),
        ({"day": "2025-10-12"}, "'day'"),
        ({"days": "2025-10-12"}, "days"),
        ({"days": ["2025-10-12"], "from": "2025-10-12", "to": "2025-10-12"}, "either"),
        (["2025-10-12"], "JSON object"),
        ({"days": []}, "non-empty list"),
        ({"days": [None]}, "days"),
        ({"from": 20251010, "to": "2025-10-12"}, "from"),
        ({"days": ["2025-10-12"], "reports": []}, "reports"),
        ({"days": ["2025-10-12"], "enterprises": "acme"}, "enterprises"),
        ({"days": ["2025-10-12"], "enterprises": ["acme", ""]}, "empty"),
        ({"days": ["2025-10-12"], "force": 1}, "force"),
        ({"days": ["2025-10-12T00:00:00"]}, "2025-10-12T00:00:00"),
    ],
)
def test_bad_events_fail_naming_the_field_and_write_nothing(handler, s3, bucket, simulator, event, message):
    from copilot_archive.core.exceptions import InvalidRequest

    with pytest.raises(InvalidRequest, match=None) as raised:
        handler(event)

    assert message in str(raised.value)
    assert bucket_objects(s3, bucket) == {}
    assert simulator.requests == []


def test_sample_invalid_event_is_refused(handler):
    from copilot_archive.core.exceptions import InvalidRequest

    with pytest.raises(InvalidRequest, match="reports start on 2025-10-10"):
        handler(load_event("invalid-day-before-first-report.json"))


def test_token_and_link_signatures_never_reach_logs_or_summary(handler, simulator, capfd, caplog):
    from copilot_archive.core.observability import logger

    caplog.set_level(logging.DEBUG)  # urllib3 and boto3 log every URL at DEBUG
    logger.setLevel("DEBUG")
    try:
        simulator.inject("download_expired", times=1)
        simulator.inject("download_html", times=1, report="users-1-day", slug="globex")
        simulator.inject("redirect_offlist", times=1, report="enterprise-1-day", slug="globex")
        summary = handler({"days": [WINDOW[0].isoformat(), WINDOW[1].isoformat()]})
    finally:
        logger.setLevel("INFO")
    out, err = capfd.readouterr()
    signatures = download_signatures(simulator)
    assert signatures and summary["counts"]["failed"] >= 1
    text = out + err + caplog.text + json.dumps(summary)
    assert "report-day failed" in text  # the failures were logged
    assert CANARY_TOKEN not in text
    assert not [s for s in signatures if s in text]


@pytest.fixture
def log_output(capsys: pytest.CaptureFixture[str]) -> Any:
    """What the function's Powertools logger writes (to stderr), through its own formatter."""

    class LogOutput:
        def getvalue(self) -> str:
            return capsys.readouterr().err

    return LogOutput()


def test_the_token_in_an_error_text_is_scrubbed_from_the_summary_and_the_log(handler, simulator, log_output):
    # The token sits in a link's path (no query, no "token"/"bearer" before it): only the
    # registered-secret scrubbing removes it, in the summary and in the log formatter.
    day = WINDOW[4].isoformat()
    location = f"https://evil.example.invalid/dl/{CANARY_TOKEN}/part"
    simulator.inject(
        "redirect_offlist", times=10, report="users-1-day", slug="acme", day=day, location=location
    )

    summary = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})

    out = log_output.getvalue()
    (failed,) = summary["failed"]
    assert "https://evil.example.invalid/dl/<redacted>/part" in failed["reason"]
    logged = [json.loads(line) for line in out.splitlines() if '"report-day failed"' in line]
    assert [entry["reason"] for entry in logged] == [failed["reason"]]
    assert CANARY_TOKEN not in out + json.dumps(summary)


def test_a_rate_limit_longer_than_the_time_left_defers_instead_of_waiting(handler, simulator, monkeypatch):
    monkeypatch.setenv("MAX_WORKERS", "1")
    simulator.inject("rate_limit_403", times=5, reset_in=3600)

    summary = handler({"days": [WINDOW[0].isoformat(), WINDOW[1].isoformat()], "reports": ["users-1-day"]})

    assert summary["counts"]["deferred"] == 4 and summary["counts"]["failed"] == 0
    assert all("rate limit" in r["reason"] for r in summary["deferred"])
    assert len(api_requests(simulator)) == 1  # nobody asked again while GitHub said wait


def test_a_short_rate_limit_is_waited_out(handler, simulator, monkeypatch):
    monkeypatch.setenv("MAX_WORKERS", "1")
    simulator.inject("rate_limit_429", times=1, retry_after=1)

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1 and summary["rate_limit_waits"] == 1


def test_overlapping_runs_commit_each_report_day_once(
    handler, s3, bucket, simulator, atomic_conditional_puts
):
    from concurrent.futures import ThreadPoolExecutor

    event = {"days": [d.isoformat() for d in WINDOW[:6]]}
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(handler, [event, event])

    archived = first["counts"]["archived"] + second["counts"]["archived"]
    assert archived == 2 * len(DAILY) * 6
    assert first["counts"]["failed"] == second["counts"]["failed"] == 0
    manifests = [k for k in bucket_objects(s3, bucket) if "/manifests/" in k]
    assert len(manifests) == 2 * len(DAILY) * 6
    versions = s3.list_object_versions(Bucket=bucket, Prefix="copilot-metrics/manifests/")["Versions"]
    assert len(versions) == len(manifests), "each manifest was written once"
    raw = s3.list_object_versions(Bucket=bucket, Prefix="copilot-metrics/raw/")
    raw_keys = [k for k in bucket_objects(s3, bucket) if "/raw/" in k]
    assert sorted(v["Key"] for v in raw["Versions"]) == sorted(raw_keys), "the loser's versions are gone"
    assert raw.get("DeleteMarkers", []) == []


def test_summary_reports_the_data_age_for_the_freshness_alarm(handler, simulator, monkeypatch):
    from datetime import UTC, datetime

    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2025, 11, 1, 12, 0, tzinfo=UTC))
    simulator.not_ready_days.add(WINDOW[-1].isoformat())  # 2025-10-31 not out yet, for everyone

    summary = handler({})

    # newest archived day 2025-10-30 ended 36 hours before 2025-11-01T12:00
    assert summary["data_age_hours"] == 36.0
    assert handler({"days": [WINDOW[0].isoformat()]})["data_age_hours"] is None


def emf_metrics(stdout: str) -> dict[str, float]:
    """Metric values of the EMF documents Powertools printed when the handler returned."""
    values: dict[str, float] = {}
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                values[metric["Name"]] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return values


def test_run_metrics_count_what_the_summary_says(handler, simulator, capsys):
    days = [d.isoformat() for d in WINDOW[:6]]  # three archived, one failed, two not ready
    simulator.inject("download_html", times=10, report="users-1-day", slug="acme", day=days[3])
    simulator.not_ready.update({("acme", "users-1-day", days[4]), ("acme", "users-1-day", days[5])})
    capsys.readouterr()

    summary = handler({"days": days, "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"] == {"archived": 3, "skipped": 0, "not_ready": 2, "failed": 1, "deferred": 0}
    assert emf_metrics(capsys.readouterr().out) == {
        "ReportDaysArchived": 3,
        "ReportDaysFailed": 1,
        "ReportDaysNotReady": 2,
        "ReportDaysDeferred": 0,
        "BytesArchived": summary["bytes_archived"],
    }
    served = [b for day in WINDOW[:3] for b in simulator.report_files("acme", "users-1-day", day)]
    assert summary["bytes_archived"] == sum(map(len, served))


def test_a_scheduled_run_publishes_the_data_age(handler, simulator, capsys, monkeypatch):
    from datetime import UTC, datetime

    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2025, 11, 1, 12, 0, tzinfo=UTC))
    capsys.readouterr()

    summary = handler(load_event("scheduled-eventbridge-rule.json"))

    metrics = emf_metrics(capsys.readouterr().out)
    assert metrics["DataAgeHours"] == summary["data_age_hours"] == 12.0
    assert metrics["ReportDaysArchived"] == summary["counts"]["archived"] > 0


def test_every_api_request_sends_the_default_api_version(handler, s3, bucket, simulator):
    summary = handler({"days": [WINDOW[0].isoformat()], "enterprises": ["acme"]})

    assert (
        summary["counts"]["archived"] == len(DAILY) and summary["counts"]["skipped"] == 2
    )  # 28-day: skipped
    versions = {r.headers.get("X-GitHub-Api-Version") for r in api_requests(simulator)}
    assert versions == {"2026-03-10"}
    assert manifest(s3, bucket, "users-1-day", "acme", WINDOW[0])["api_version"] == "2026-03-10"


def test_the_older_api_version_set_in_the_environment_is_sent(handler, s3, bucket, simulator, monkeypatch):
    monkeypatch.setenv("GITHUB_API_VERSION", "2022-11-28")

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1
    assert {r.headers.get("X-GitHub-Api-Version") for r in api_requests(simulator)} == {"2022-11-28"}
    assert manifest(s3, bucket, "users-1-day", "acme", WINDOW[0])["api_version"] == "2022-11-28"


def test_an_unsupported_api_version_fails_naming_the_version(handler, s3, bucket, simulator, monkeypatch):
    monkeypatch.setenv("GITHUB_API_VERSION", "2021-01-01")

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    (failed,) = summary["failed"]
    assert "HTTP 400" in failed["reason"] and "'2021-01-01' is not supported" in failed["reason"]
    assert len(api_requests(simulator)) == 1, "a 400 is not retried"
    assert bucket_objects(s3, bucket) == {}


def test_a_non_default_prefix_holds_every_key_end_to_end(handler, s3, bucket, simulator, monkeypatch, capsys):
    from copilot_archive.cli import main

    monkeypatch.setenv("ARCHIVE_PREFIX", "team-a/copilot")
    days = [WINDOW[0].isoformat(), WINDOW[1].isoformat()]
    summary = handler({"days": days, "reports": ["users-1-day", "enterprise-1-day"]})
    assert summary["counts"]["archived"] == 8
    capsys.readouterr()

    assert main(["index", "--archive", f"s3://{bucket}"]) == 0
    capsys.readouterr()
    assert main(["status", "--archive", f"s3://{bucket}", "--reports", "users-1-day", "--json"]) == 0

    rows = json.loads(capsys.readouterr().out)
    keys = list(bucket_objects(s3, bucket))
    assert keys and all(k.startswith("team-a/copilot/") for k in keys), keys
    assert {k.split("/")[2] for k in keys} == {"raw", "manifests", "curated"}
    assert {(r["enterprise"], r["archived"]) for r in rows} == {("acme", 2), ("globex", 2)}


def test_a_manual_run_skips_28_day_reports_whose_window_does_not_end_on_its_days(
    handler, s3, bucket, simulator
):
    end = simulator.latest_end_day("acme")
    assert WINDOW[0] != end

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": list(LATEST)})

    reason = f"GitHub serves 28-day reports only as the latest window, which now ends {end.isoformat()}"
    assert sorted(
        (r["report"], r["enterprise"], r["day"], r["reason"]) for r in summary["skipped"]
    ) == sorted((report, slug, "latest", reason) for report in LATEST for slug in ("acme", "globex"))
    assert summary["counts"]["archived"] == 0
    assert [r for r in simulator.requests if r.kind == "download"] == []
    assert bucket_objects(s3, bucket) == {}


def test_a_manual_run_archives_a_28_day_report_ending_on_one_of_its_days(handler, s3, bucket, simulator):
    end = simulator.latest_end_day("acme")

    summary = handler({"days": [end.isoformat()], "reports": ["users-28-day"], "enterprises": ["acme"]})

    assert [(r["report"], r["day"]) for r in summary["archived"]] == [("users-28-day", end.isoformat())]
    assert manifest(s3, bucket, "users-28-day", "acme", end)["report_end_day"] == end.isoformat()


def test_an_allow_list_entry_with_a_port_matches_the_host_on_any_port(handler, simulator, monkeypatch):
    monkeypatch.setenv("DOWNLOAD_HOSTS", "127.0.0.1:1")
    assert simulator.port != 1

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1 and summary["counts"]["failed"] == 0


@pytest.fixture
def netrc_for_loopback(tmp_path, monkeypatch):
    """A ~/.netrc naming 127.0.0.1, as a developer's machine may have one: requests reads it."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    return netrc


def test_a_netrc_entry_for_the_download_host_never_sends_it_credentials(
    handler, simulator, monkeypatch, netrc_for_loopback
):
    # The API is asked as "localhost" so the netrc entry names the download host only.
    monkeypatch.setenv("GITHUB_API_URL", f"http://localhost:{simulator.port}")

    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1
    downloads = [r for r in simulator.requests if r.kind == "download"]
    assert downloads and not [r for r in downloads if r.has_header("Authorization")]


def test_a_netrc_entry_for_the_api_host_does_not_replace_the_token(handler, simulator, netrc_for_loopback):
    summary = handler({"days": [WINDOW[0].isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1
    assert {r.headers.get("Authorization") for r in api_requests(simulator)} == {f"Bearer {CANARY_TOKEN}"}
