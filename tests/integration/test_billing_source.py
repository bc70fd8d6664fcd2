"""The billing usage source against the simulator over real HTTP: create, poll, download into moto's S3.

These tests drive the billing client the archiver's ExportSource calls, with the same
ReportClient, LinkDownloader and S3Storage it uses; test_billing_archive.py goes through the
handlers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from copilot_archive.archiving.auth import static_token
from copilot_archive.archiving.billing import BillingClient, oldest_billing_day, refetch_days
from copilot_archive.archiving.github import ReportClient
from copilot_archive.archiving.transfer import HostAllowList, LinkDownloader
from copilot_archive.core.deadline import Deadline
from copilot_archive.core.exceptions import GitHubError, NotReady, PermissionDenied
from copilot_archive.core.storage import S3Storage
from tests.conftest import CANARY_TOKEN, TODAY

pytestmark = pytest.mark.loopback

DAY = TODAY - timedelta(days=3)


def _client(simulator: Any, token: str = CANARY_TOKEN, **kwargs: Any) -> BillingClient:
    reports = ReportClient(simulator.api_url, "2026-03-10", static_token(token))
    return BillingClient(reports, sleep=lambda seconds: None, **kwargs)


def _archive(client: BillingClient, export: Any, s3: Any, bucket: str, name: str) -> dict[str, bytes]:
    downloader = LinkDownloader(HostAllowList(("127.0.0.1",)))
    storage = S3Storage(bucket, s3)
    copied = client.download(
        export, downloader, storage, lambda i: f"{name}/part-{i:04d}.csv", Deadline.never()
    )
    stored = {c.archived.key: s3.get_object(Bucket=bucket, Key=c.archived.key)["Body"].read() for c in copied}
    for c in copied:
        assert c.archived.sha256 == hashlib.sha256(stored[c.archived.key]).hexdigest()
    return stored


def test_an_export_is_created_polled_and_archived_byte_for_byte(simulator, s3, bucket):
    client = _client(simulator)

    export = client.export("acme", DAY, Deadline.never())
    stored = _archive(client, export, s3, bucket, "first")

    # The one file holds the simulator's CSV for that day exactly: header, then the day's lines.
    served = simulator.billing.csv_bytes("acme", DAY, DAY)
    assert list(stored.values()) == [served]
    rows = served.decode().splitlines()
    assert rows[0].startswith("date,product,sku,quantity,unit_type")
    assert len(rows) > 1 and all(row.startswith(DAY.isoformat() + ",") for row in rows[1:])
    # One POST asking for that one day, then polls until completed; the download carries no token.
    api = [r for r in simulator.requests if r.kind == "api"]
    polls = simulator.billing.polls_before_complete + 1  # the answers "processing", then "completed"
    assert [r.method for r in api] == ["POST"] + ["GET"] * polls
    assert api[0].path == "/enterprises/acme/settings/billing/reports"
    assert {r.path for r in api[1:]} == {f"/enterprises/acme/settings/billing/reports/{export.export_id}"}
    downloads = [r for r in simulator.requests if r.kind == "download"]
    assert len(downloads) == 1 and not downloads[0].has_header("Authorization")
    assert s3.head_object(Bucket=bucket, Key="first/part-0000.csv")["ContentType"] == "text/csv"


def test_the_export_request_asks_for_the_day_as_github_documents(simulator):
    seen: list[dict[str, Any]] = []
    original = simulator.billing.create

    def spy(slug: str, body: dict[str, Any]) -> Any:
        seen.append(body)
        return original(slug, body)

    simulator.billing.create = spy
    _client(simulator).export("acme", DAY, Deadline.never())

    assert seen == [{"report_type": "detailed", "start_date": DAY.isoformat(), "end_date": DAY.isoformat()}]
    assert json.loads(json.dumps(seen[0])) == seen[0]


def test_a_revised_day_is_served_anew_and_the_first_bytes_stay(simulator, s3, bucket):
    client = _client(simulator)
    first = _archive(client, client.export("acme", DAY, Deadline.never()), s3, bucket, "rev-a")

    simulator.billing.revise("acme", DAY)  # GitHub corrects the day between two runs
    second = _archive(client, client.export("acme", DAY, Deadline.never()), s3, bucket, "rev-b")

    assert list(first.values()) != list(second.values())
    assert s3.get_object(Bucket=bucket, Key="rev-a/part-0000.csv")["Body"].read() == next(
        iter(first.values())
    )
    # The day itself is unchanged: both revisions hold that day's lines only.
    for body in (*first.values(), *second.values()):
        assert {line.split(",")[0] for line in body.decode().splitlines()[1:]} == {DAY.isoformat()}


def test_a_token_that_cannot_read_billing_is_refused_with_the_permission_named():
    from copilot_simulator import Simulator

    narrow = Simulator(
        enterprises=("acme",), users=2, today=TODAY, scope_tokens={"narrow": ["enterprise:other"]}
    )
    with narrow as sim, pytest.raises(PermissionDenied, match="Enterprise billing") as refused:
        _client(sim, token="narrow").export("acme", DAY, Deadline.never())
    assert "narrow" not in str(refused.value)


def test_an_export_still_processing_is_left_for_the_next_run(simulator):
    simulator.billing.polls_before_complete = 5
    sleeps: list[float] = []
    reports = ReportClient(simulator.api_url, "2026-03-10", static_token(CANARY_TOKEN))
    client = BillingClient(reports, sleep=sleeps.append, max_polls=2, poll_seconds=0.5)

    with pytest.raises(NotReady, match="still processing"):
        client.export("acme", DAY, Deadline.never())
    assert sleeps == [0.5, 0.5]


def test_an_exports_link_is_signed_and_expires_like_a_report_link(s3, bucket):
    from copilot_archive.core.exceptions import LinkRejected
    from copilot_simulator import Simulator

    now = [1_800_000_000.0]
    clocked = Simulator(
        enterprises=("acme",),
        users=2,
        today=TODAY,
        token=CANARY_TOKEN,
        clock=lambda: now[0],
        link_ttl_seconds=60,
    )
    with clocked as sim:
        client = _client(sim)
        export = client.export("acme", DAY, Deadline.never())
        forged = export.links[0].replace("signature=", "signature=0")
        downloader = LinkDownloader(HostAllowList(("127.0.0.1",)))
        with pytest.raises(LinkRejected):
            downloader.copy(forged, S3Storage(bucket, s3), "forged.csv", Deadline.never())

        now[0] += 61  # past the link's expiry
        with pytest.raises(LinkRejected):
            client.download(export, downloader, S3Storage(bucket, s3), "late-{}.csv".format, Deadline.never())


def test_an_export_github_failed_fails_the_day(simulator):
    simulator.billing.failing = True

    with pytest.raises(GitHubError, match="as failed"):
        _client(simulator).export("acme", DAY, Deadline.never())


def test_the_export_calls_wait_out_the_rate_limit_as_the_report_calls_do():
    from copilot_simulator import Simulator

    # Two API calls a second: creating and polling (three calls) must wait for the next window.
    limited = Simulator(
        enterprises=("acme",),
        users=2,
        today=TODAY,
        token=CANARY_TOKEN,
        rate_limit=2,
        rate_limit_window_seconds=1.0,
    )
    with limited as sim:
        reports = ReportClient(sim.api_url, "2026-03-10", static_token(CANARY_TOKEN))
        export = BillingClient(reports, sleep=lambda seconds: None).export("acme", DAY, Deadline.never())

        assert export.links and sim.rate_limit_answers == 0  # paced by the announced quota, never refused
        assert reports.rate_limit_waits >= 1


def test_an_unknown_enterprise_fails_without_being_taken_for_not_ready(simulator):
    with pytest.raises(GitHubError, match="no billing"):
        _client(simulator).export("initech", DAY, Deadline.never())


def test_the_billing_window_reaches_24_months_and_refetches_a_trailing_week():
    assert oldest_billing_day(TODAY) == TODAY.replace(year=TODAY.year - 2)
    assert refetch_days(TODAY) == tuple(TODAY - timedelta(days=n) for n in (7, 6, 5, 4, 3, 2, 1))
