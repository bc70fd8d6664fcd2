"""What real GitHub and a hostile network do, through the real handler and the CLI: links that
hide another host, hosts that drip or bomb, "not ready" answers of every shape, an unknown
enterprise slug, a token pasted with a line break, a stack whose secret is still empty."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from copilot_archive.archiving.auth import static_token
from copilot_archive.cli import main
from copilot_archive.core.exceptions import ConfigError
from tests.conftest import CANARY_TOKEN, TODAY, FakeLambdaContext

pytestmark = pytest.mark.loopback

DAY = (TODAY - timedelta(days=10)).isoformat()
ONE_DAY = {"days": [DAY], "reports": ["users-1-day"], "enterprises": ["acme"]}
RAW_PREFIX = f"copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day={DAY}/"


class AcceleratedContext(FakeLambdaContext):
    """A Lambda context whose remaining time runs out `speed` times faster than the wall clock."""

    def __init__(self, remaining_ms: int, speed: float) -> None:
        super().__init__(remaining_ms=remaining_ms)
        self._start = time.monotonic()
        self._speed = speed

    def get_remaining_time_in_millis(self) -> int:
        elapsed = (time.monotonic() - self._start) * self._speed
        return int(self.remaining_ms - elapsed * 1000)


def versions_under(s3: Any, bucket: str, prefix: str) -> list[str]:
    """Every object version and delete marker under `prefix`: what a versioned bucket keeps."""
    found = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        found += [v["Key"] for v in page.get("Versions", ())]
        found += [f"{m['Key']} (delete marker)" for m in page.get("DeleteMarkers", ())]
    return found


def emitted_metrics(stdout: str) -> dict[str, Any]:
    """Metric values from the EMF documents Powertools printed."""
    values: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith("{") and "_aws" in line:
            document = json.loads(line)
            for definition in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                value = document[definition["Name"]]
                values[definition["Name"]] = value[0] if isinstance(value, list) else value
    return values


# ---- 1. the host checked is the host connected to -------------------------------------


def test_a_redirect_whose_authority_hides_another_host_is_refused(handler, s3, bucket, simulator, bystander):
    port = bystander.port
    simulator.inject("redirect_userinfo", times=10, report="users-1-day", slug="acme", day=DAY, port=port)

    summary = handler(ONE_DAY)

    assert summary["counts"]["failed"] == 1
    assert "user info, a backslash" in summary["failed"][0]["reason"]
    assert bystander.requests == []
    assert versions_under(s3, bucket, "copilot-metrics/") == []


@pytest.mark.parametrize(
    "link",
    [
        "http://localhost:{port}\\@127.0.0.1:{sim}/download/x?sig=1",
        "http://127.0.0.1:{sim}\\@localhost:{port}/download/x?sig=1",
        "https://169.254.169.254\\@copilot-reports.github.com/x?sig=1",
        "http://user:pw@127.0.0.1:{port}/download/x?sig=1",
        "http://127.0.0.1%2f@localhost:{port}/x?sig=1",
        "http://127.0.0.1:99999/x?sig=1",
        "http://127.0.0.1:0/x?sig=1",
        "http://127.attacker.example:{port}/x?sig=1",
        "http://localhost:{port}/x?sig=1",
        "ftp://127.0.0.1:{port}/x",
        "http://ex\u00e4mple\u2024com:{port}/x",
    ],
)
def test_links_that_could_reach_another_host_are_unsafe_links(
    handler, s3, bucket, simulator, bystander, link
):
    link = link.format(port=bystander.port, sim=simulator.port)
    simulator.inject("links", times=10, report="users-1-day", slug="acme", day=DAY, links=[link])

    summary = handler(ONE_DAY)

    assert summary["counts"]["failed"] == 1
    reason = summary["failed"][0]["reason"]
    assert "download link" in reason and "unexpected" not in reason
    assert "sig=1" not in reason
    assert bystander.requests == []
    assert versions_under(s3, bucket, "copilot-metrics/") == []


def test_an_api_url_on_a_name_starting_with_127_is_not_loopback(cli_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_API_URL", "http://127.attacker.example")

    code = main(["archive", "--archive", str(tmp_path), "--days", DAY])

    assert code == 2
    assert "must be an https URL" in capsys.readouterr().err


# ---- 2. every download is bounded --------------------------------------------------------


def test_a_dripping_host_cannot_carry_the_run_past_its_deadline(handler, s3, bucket, simulator, capsys):
    simulator.inject("download_drip", times=10, report="users-1-day", slug="acme", day=DAY, interval=0.5)
    # 5 s of Lambda time to start work (90 s are reserved), passing 10x faster than the wall clock:
    # the drip alone (10 pieces, 0.5 s apart) would take 50 s of it, past the work's deadline,
    # while a loaded machine still has 9.5 s of wall clock before the Lambda's own timeout.
    context = AcceleratedContext(remaining_ms=95_000, speed=10)

    started = time.monotonic()
    summary = handler(ONE_DAY, context)
    took = time.monotonic() - started

    assert summary["counts"]["deferred"] == 1 and summary["counts"]["archived"] == 0
    assert "time ran out" in summary["deferred"][0]["reason"]
    assert context.get_remaining_time_in_millis() > 0  # the run ended before the Lambda's timeout
    assert took < 15
    assert emitted_metrics(capsys.readouterr().out)["ReportDaysDeferred"] == 1.0
    assert versions_under(s3, bucket, RAW_PREFIX) == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


@pytest.mark.parametrize(
    ("later_part_fault", "reason"),
    [("download_gzip_bomb", "MAX_REPORT_BYTES"), ("download_html", "HTML")],
)
def test_a_report_day_failing_after_an_early_part_leaves_no_object_version(
    handler, s3, bucket, simulator, monkeypatch, later_part_fault, reason
):
    monkeypatch.setenv("MAX_REPORT_BYTES", str(1024 * 1024))
    # One part is served (gzip-encoded, harmlessly) and written; the other parts, copied at the
    # same time, fail for good: the written one must go too, whichever finished first.
    simulator.inject("download_gzip", times=1, report="users-1-day", slug="acme", day=DAY)
    simulator.inject(later_part_fault, times=10, report="users-1-day", slug="acme", day=DAY, size=8 * 1024**2)

    summary = handler(ONE_DAY)

    assert summary["counts"]["failed"] == 1
    assert reason in summary["failed"][0]["reason"]
    assert simulator.faults_applied["download_gzip"] == 1  # a part was copied
    assert versions_under(s3, bucket, "copilot-metrics/") == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_the_next_run_archives_the_day_a_bomb_failed(handler, s3, bucket, simulator, monkeypatch):
    monkeypatch.setenv("MAX_REPORT_BYTES", str(1024 * 1024))
    simulator.inject(
        "download_gzip_bomb", times=1, report="users-1-day", slug="acme", day=DAY, size=8 * 1024**2
    )
    assert handler(ONE_DAY)["counts"]["failed"] == 1

    assert handler(ONE_DAY)["counts"]["archived"] == 1


# ---- 3. no secret in a token's clothing ----------------------------------------------------


def test_a_token_with_a_line_break_inside_is_a_clear_configuration_error(handler, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_firstHALFofTOKEN\nghp_secondHALFofTOKEN")

    with pytest.raises(ConfigError, match="white space or control characters") as raised:
        handler(ONE_DAY)

    assert "HALFofTOKEN" not in str(raised.value)


def test_a_token_secret_with_surrounding_white_space_is_stripped(handler, simulator, monkeypatch, aws_env):
    import boto3

    name = "copilot/token-with-newline"
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=f"  {CANARY_TOKEN}\n")
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_TOKEN_SECRET", name)

    summary = handler(ONE_DAY)

    assert summary["counts"]["archived"] == 1


def test_an_empty_token_secret_answers_not_configured_once_without_failing(
    handler, s3, bucket, simulator, monkeypatch, aws_env, capsys
):
    import boto3

    name = "copilot/github-token-just-deployed"
    boto3.client("secretsmanager").create_secret(Name=name)  # no value, as the stack creates it
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_TOKEN_SECRET", name)

    summary = handler({})

    assert "not configured yet" in summary["not_configured"]
    assert summary["counts"] == {"archived": 0, "skipped": 0, "not_ready": 0, "failed": 0, "deferred": 0}
    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics["NotConfigured"] == 1.0 and "ReportDaysFailed" not in metrics
    assert [r for r in simulator.requests if r.kind == "api"] == []
    assert versions_under(s3, bucket, "") == []


# ---- 4. real "not ready" answers ----------------------------------------------------------


@pytest.mark.parametrize(
    "body", ['"Report is being generated"', '""', "null", "", '"No report available for this day"']
)
def test_every_real_not_ready_body_is_not_ready(handler, simulator, body):
    simulator.inject("not_ready_body", report="users-1-day", slug="acme", day=DAY, body=body)

    summary = handler(ONE_DAY)

    assert summary["counts"] == {"archived": 0, "skipped": 0, "not_ready": 1, "failed": 0, "deferred": 0}


def test_a_mistyped_enterprise_is_reported_failed_once_with_a_hint(handler, simulator, monkeypatch):
    monkeypatch.setenv("ENTERPRISES", "acme,acmee")

    summary = handler({"reports": ["users-1-day", "enterprise-1-day"]})

    failed = summary["failed"]
    assert len(failed) == 1 and failed[0]["enterprise"] == "acmee"
    assert "slug may be wrong" in failed[0]["reason"]
    assert {r["enterprise"] for r in summary["not_ready"]} == {"acmee"}
    assert summary["counts"]["archived"] > 0  # acme is archived as usual


def test_recent_days_answering_404_are_only_not_ready(handler, simulator):
    recent = (TODAY - timedelta(days=2)).isoformat()
    simulator.inject("not_ready_404", times=2, slug="acme", day=recent)

    summary = handler({"days": [recent], "enterprises": ["acme"], "reports": ["users-1-day"]})

    assert summary["counts"]["not_ready"] == 1 and summary["counts"]["failed"] == 0


# ---- 6. --json means JSON -----------------------------------------------------------------


def test_archive_json_prints_the_document_alone_and_logs_to_stderr(cli_env, tmp_path, capsys):
    cli_env.inject("download_html", times=10, report="users-1-day", slug="acme", day=DAY)

    code = main(["archive", "--archive", str(tmp_path), "--days", DAY, "--json", "--no-progress"])

    out, err = capsys.readouterr()
    assert code == 1
    summary = json.loads(out)  # nothing but the document on stdout
    assert summary["counts"]["failed"] == 1
    assert '"level":"ERROR"' in err.replace(" ", "")


def test_status_index_and_query_json_print_documents_alone(cli_env, tmp_path, capsys):
    cli_env.inject("download_html", times=10, report="users-1-day", slug="acme", day=DAY)
    main(["archive", "--archive", str(tmp_path), "--days", DAY, "--no-progress"])
    capsys.readouterr()

    for argv in (
        ["status", "--archive", str(tmp_path), "--json"],
        ["index", "--archive", str(tmp_path), "--json"],
        ["query", "active_users_daily", "--archive", str(tmp_path), "--format", "json"],
    ):
        main(argv)
        json.loads(capsys.readouterr().out)


def test_a_failed_forced_rearchive_leaves_the_committed_day_as_its_manifest_says(
    handler, s3, bucket, simulator
):
    assert handler(ONE_DAY)["counts"]["archived"] == 1
    before = sorted(versions_under(s3, bucket, RAW_PREFIX))
    simulator.inject("download_gzip", times=1, report="users-1-day", slug="acme", day=DAY)
    simulator.inject("download_html", times=10, report="users-1-day", slug="acme", day=DAY)

    summary = handler({**ONE_DAY, "force": True})

    assert summary["counts"]["failed"] == 1
    # The new version of part 0 is gone: the committed one is current again, nothing added.
    assert sorted(versions_under(s3, bucket, RAW_PREFIX)) == before


def test_a_slow_api_answer_cannot_carry_the_run_past_its_deadline(simulator, monkeypatch):
    from copilot_archive.archiving import github
    from copilot_archive.core.deadline import STOP_BEFORE_END_SECONDS, Deadline
    from copilot_archive.core.exceptions import GitHubError
    from copilot_archive.core.layout import ReportDay
    from copilot_archive.core.reports import Report

    monkeypatch.setattr(github, "BACKOFF_SECONDS", 0.01)
    client = github.ReportClient(simulator.api_url, "2026-03-10", static_token(CANARY_TOKEN))
    report_day = ReportDay(Report.USERS_1_DAY, "acme", TODAY - timedelta(days=10))
    simulator.inject("api_slow", times=10, seconds=2.0)

    started = time.monotonic()
    with pytest.raises(GitHubError, match="unreachable"):
        # 1 s left for work in flight: every attempt gets a share of it, not 30 s.
        client.day_links(report_day, Deadline.after(STOP_BEFORE_END_SECONDS + 1.0))
    assert time.monotonic() - started < 2.0


def test_no_api_call_starts_when_the_run_must_stop(simulator):
    from copilot_archive.archiving import github
    from copilot_archive.core.deadline import STOP_BEFORE_END_SECONDS, Deadline
    from copilot_archive.core.exceptions import OutOfTime
    from copilot_archive.core.layout import ReportDay
    from copilot_archive.core.reports import Report

    client = github.ReportClient(simulator.api_url, "2026-03-10", static_token(CANARY_TOKEN))
    report_day = ReportDay(Report.USERS_1_DAY, "acme", TODAY - timedelta(days=10))

    with pytest.raises(OutOfTime):
        client.day_links(report_day, Deadline.after(STOP_BEFORE_END_SECONDS - 1.0))
    assert simulator.requests == []
