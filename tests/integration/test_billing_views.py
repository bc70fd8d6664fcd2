"""Credits and billed-usage views end to end: simulator over HTTP -> archive -> curated -> DuckDB.

Expected values are computed here from the bytes the simulator served: users-1-day and
user-teams-1-day lines (parsed with json), the billing export's CSV (parsed with csv). Here the
export is fetched by the billing client and its curated files written by indexing/billing.py
directly; test_billing_archive.py takes the same path through the archiver and indexer handlers.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, served_lines

pytestmark = pytest.mark.loopback

# Across a month's end, so that each view has two months.
TODAY = date(2025, 11, 5)
FIRST, LAST = date(2025, 10, 29), date(2025, 11, 2)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
SLUGS = ("acme", "globex")
PREFIX = "copilot-metrics"


@pytest.fixture
def simulator() -> Iterator[Any]:
    """Enough users for teams of 5 or more (GitHub leaves smaller teams out)."""
    from copilot_simulator import Simulator

    with Simulator(enterprises=SLUGS, users=40, today=TODAY, token=CANARY_TOKEN) as sim:
        yield sim


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """This module's today, not the conftest's: the window crosses a month's end."""
    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def archive(cli_env: Any, fixed_today: date, tmp_path: Path) -> Path:
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    root = tmp_path / "archive"
    argv = ["backfill", "--archive", str(root), "--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    assert main([*argv, "--reports", "users-1-day,user-teams-1-day", "--no-progress"]) == 0
    results = index_archive(LocalFolderStorage(root), PREFIX)
    assert results and all(r.indexed for r in results)
    return root


def month(day: date) -> date:
    return day.replace(day=1)


def test_ai_credits_are_each_users_credits_summed_over_the_month(archive, simulator):
    from copilot_archive.querying.query import LocalQueryEngine

    credits: dict[tuple[str, date, str], list[float]] = defaultdict(list)
    for slug in SLUGS:
        for day in DAYS:
            for line in served_lines(simulator, slug, "users-1-day", day):
                credits[(slug, month(day), line["user_login"])].append(line["ai_credits_used"])
    expected = sorted((*key, pytest.approx(sum(values))) for key, values in credits.items())

    with LocalQueryEngine(archive, today=TODAY) as engine:
        columns, rows = engine.run("ai_credits_monthly")

    assert columns == ["enterprise", "month", "user_login", "ai_credits"]
    assert rows == expected
    assert {row[1] for row in rows} == {date(2025, 10, 1), date(2025, 11, 1)}


def test_team_ai_credits_are_the_members_credits_on_their_days_in_the_team(archive, simulator):
    from copilot_archive.querying.query import LocalQueryEngine

    team_credits: dict[tuple[str, date, int], float] = defaultdict(float)
    team_slug: dict[tuple[str, date, int], tuple[date, str]] = {}
    for slug in SLUGS:
        for day in DAYS:
            used = {
                line["user_id"]: line["ai_credits_used"]
                for line in served_lines(simulator, slug, "users-1-day", day)
            }
            for line in served_lines(simulator, slug, "user-teams-1-day", day):
                key = (slug, month(day), line["team_id"])
                team_credits[key] += used.get(line["user_id"], 0.0)
                team_slug[key] = max(team_slug.get(key, (day, line["slug"])), (day, line["slug"]))
    assert team_credits, "the simulator served no team of 5 or more"
    expected = sorted(
        (slug, start, team_slug[(slug, start, team)][1], team, pytest.approx(total))
        for (slug, start, team), total in team_credits.items()
    )

    with LocalQueryEngine(archive, today=TODAY) as engine:
        columns, rows = engine.run("team_ai_credits_monthly")
        org_views = set(engine.view_names)

    assert columns == ["enterprise", "month", "team_slug", "team_id", "ai_credits"]
    assert rows == expected
    # Both credit views have their organization twin; billed usage is the enterprise's only.
    assert {"org_ai_credits_monthly", "org_team_ai_credits_monthly"} <= org_views
    assert "billed_usage_monthly" in org_views and "org_billed_usage_monthly" not in org_views


def test_billed_usage_is_the_latest_revision_of_each_day_summed_by_month_product_and_model(
    simulator, tmp_path
):
    from copilot_archive.archiving.auth import static_token
    from copilot_archive.archiving.billing import BillingClient
    from copilot_archive.archiving.github import ReportClient
    from copilot_archive.archiving.transfer import HostAllowList, LinkDownloader
    from copilot_archive.core.deadline import Deadline
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.billing import curated_billing_files
    from copilot_archive.querying.query import LocalQueryEngine

    root = tmp_path / "archive"
    storage = LocalFolderStorage(root)
    client = BillingClient(
        ReportClient(simulator.api_url, "2026-03-10", static_token(CANARY_TOKEN)), sleep=lambda s: None
    )
    downloader = LinkDownloader(HostAllowList(("127.0.0.1",)))

    def fetch(day: date, revision: int) -> bytes:
        export = client.export("acme", day, Deadline.never())
        key = f"{PREFIX}/billing-test/day={day}/revision={revision}/part-{{:04d}}.csv"
        (copied,) = client.download(export, downloader, storage, key.format, Deadline.never())
        return (root / copied.archived.key).read_bytes()

    revisions = [fetch(day, 0) for day in DAYS]
    revised_day = DAYS[-1]
    simulator.billing.revise("acme", revised_day)  # GitHub corrects a recent day between two runs
    revisions.append(fetch(revised_day, 1))
    assert revisions[-1] != revisions[len(DAYS) - 1]
    for key, body in curated_billing_files(PREFIX, "acme", revisions).items():
        storage.put_bytes(key, body)

    # The truth: each day's lines from the latest bytes served for it, summed by hand.
    latest: dict[date, list[dict[str, str]]] = {}
    for body in revisions:
        by_day: dict[date, list[dict[str, str]]] = defaultdict(list)
        for row in csv.DictReader(io.StringIO(body.decode())):
            by_day[date.fromisoformat(row["date"])].append(row)
        latest.update(by_day)
    billed: dict[tuple[date, str], float] = defaultdict(float)
    for day, rows in latest.items():
        for row in rows:
            billed[(month(day), row["product"])] += float(row["net_amount"])
    expected = sorted(
        ("acme", start, product, None, pytest.approx(total)) for (start, product), total in billed.items()
    )

    with LocalQueryEngine(root, PREFIX, today=TODAY) as engine:
        columns, rows = engine.run("billed_usage_monthly")
        (count,) = engine.run(f"SELECT count(*) FROM billing_usage_daily WHERE day = DATE '{revised_day}'")[1]

    assert columns == ["enterprise", "month", "product", "model", "net_amount"]
    assert rows == expected
    assert {row[2] for row in rows} == {"actions", "copilot"}
    assert count == (len(latest[revised_day]),)  # the revision replaced the day, it did not add to it
