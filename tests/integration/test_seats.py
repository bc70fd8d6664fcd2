"""Seat snapshots: the real archiver handler takes today's seat roster from the simulator over
HTTP (paginated, Link headers) into moto's S3, page by page, bytes as served, manifest last."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
import requests

from tests.conftest import CANARY_TOKEN, TODAY, bucket_objects, object_versions
from tests.integration.test_indexer import database, glue, indexer, object_created, partitions

__all__ = ["database", "glue", "indexer"]  # fixtures shared with the indexer's tests

pytestmark = pytest.mark.loopback

ENTERPRISES = ("acme", "globex")
ORGANIZATIONS = ("octo",)
# Holders besides the usage users: acme's roster spans pages of 100 at enterprise level.
IDLE_HOLDERS = {"acme": 500, "globex": 3, "octo": 4}


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    with Simulator(
        enterprises=ENTERPRISES,
        organizations=ORGANIZATIONS,
        users=6,
        today=TODAY,
        token=CANARY_TOKEN,
        seat_idle_holders=IDLE_HOLDERS,
    ) as sim:
        yield sim


@pytest.fixture
def default_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every report kind, as a stack archives by default."""
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
    runtime.archiver_from_env.cache_clear()
    return archiver_env


@pytest.fixture
def seats_env(default_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The snapshots and one usage report: quicker than every kind, and enough beside seats."""
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("REPORTS", "users-1-day,copilot-seats,copilot-billing")
    runtime.archiver_from_env.cache_clear()
    return default_env


def served_pages(sim: Any, owner: str, slug: str, path: str = "seats") -> list[bytes]:
    """The pages a client following GitHub's Link headers gets, at 100 per page."""
    url: str | None = f"{sim.api_url}/{owner}/{slug}/copilot/billing/{path}".removesuffix("/")
    params: dict[str, str] = {"per_page": "100"} if path else {}
    pages = []
    while url:
        response = requests.get(url, params=params, headers={"Authorization": f"Bearer {CANARY_TOKEN}"})
        assert response.status_code == 200
        pages.append(response.content)
        url, params = response.links.get("next", {}).get("url"), {}
    return pages


def raw_key(level: str, report: str, slug: str, day: date, part: int) -> str:
    return f"copilot-metrics/raw/{level}/{report}/{level}={slug}/day={day.isoformat()}/part-{part:04d}.json"


def manifest_of(s3: Any, bucket: str, level: str, report: str, slug: str, day: date) -> dict[str, Any]:
    key = f"copilot-metrics/manifests/{level}/{report}/{level}={slug}/day={day.isoformat()}.json"
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def seat_requests(sim: Any) -> list[Any]:
    return [r for r in sim.requests if "/copilot/billing" in r.path]


def test_scheduled_run_archives_todays_seat_roster_page_by_page_byte_for_byte(
    default_env, handler, s3, bucket, simulator
):
    summary = handler({})

    assert summary["counts"]["failed"] == 0
    objects = bucket_objects(s3, bucket)
    expected = {
        ("enterprise", "copilot-seats", "acme"): served_pages(simulator, "enterprises", "acme"),
        ("enterprise", "copilot-seats", "globex"): served_pages(simulator, "enterprises", "globex"),
        ("organization", "copilot-seats", "octo"): served_pages(simulator, "orgs", "octo"),
        ("organization", "copilot-billing", "octo"): served_pages(simulator, "orgs", "octo", ""),
    }
    # acme's roster is paginated: the archive follows the Link header to the last page.
    assert len(expected["enterprise", "copilot-seats", "acme"]) >= 2
    for (level, report, slug), pages in expected.items():
        body = manifest_of(s3, bucket, level, report, slug, TODAY)
        assert body["day"] == TODAY.isoformat() and "disagreement" not in body
        assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(p).hexdigest() for p in pages]
        for part, page in enumerate(pages):
            assert objects[raw_key(level, report, slug, TODAY, part)] == page
        assert raw_key(level, report, slug, TODAY, len(pages)) not in objects
    archived = {(r["report"], r.get("enterprise") or r.get("organization")) for r in summary["archived"]}
    assert {("copilot-seats", "acme"), ("copilot-seats", "octo"), ("copilot-billing", "octo")} <= archived
    # Seats cannot be backfilled: the summary says from which day each scope's history runs.
    assert summary["seat_history_since"] == {
        "enterprise:acme": TODAY.isoformat(),
        "enterprise:globex": TODAY.isoformat(),
        "organization:octo": TODAY.isoformat(),
    }
    # Every seats call asked for GitHub's largest page, then followed the Link header.
    first_calls = [
        r for r in seat_requests(simulator) if r.path.endswith("/seats") and "&page=" not in r.query
    ]
    assert first_calls and all(r.query == "per_page=100" for r in first_calls)


def test_a_second_run_the_same_day_asks_no_seat_page(seats_env, handler, s3, bucket, simulator):
    handler({})
    versions = object_versions(s3, bucket)
    simulator.clear_requests()

    summary = handler({})

    assert seat_requests(simulator) == []
    assert object_versions(s3, bucket) == versions
    assert summary["counts"]["archived"] == 0


def test_the_next_day_takes_a_new_snapshot_and_history_starts_at_the_first(
    seats_env, handler, s3, bucket, simulator, monkeypatch
):
    from copilot_archive.core import clock

    handler({})
    tomorrow = TODAY + timedelta(days=1)
    simulator.today = tomorrow
    monkeypatch.setattr(clock, "utc_today", lambda: tomorrow)

    summary = handler({})

    assert summary["seat_history_since"]["enterprise:acme"] == TODAY.isoformat()
    pages = served_pages(simulator, "enterprises", "acme")
    objects = bucket_objects(s3, bucket)
    assert [
        objects[raw_key("enterprise", "copilot-seats", "acme", tomorrow, i)] for i in range(len(pages))
    ] == pages


def test_pages_that_disagree_are_taken_again_once(seats_env, handler, s3, bucket, simulator):
    simulator.inject("seats_total_changed", times=1, report="copilot-seats", slug="acme")

    summary = handler({})

    assert summary["counts"]["failed"] == 0
    body = manifest_of(s3, bucket, "enterprise", "copilot-seats", "acme", TODAY)
    assert "disagreement" not in body
    pages = served_pages(simulator, "enterprises", "acme")
    assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(p).hexdigest() for p in pages]
    # The first take's pages are not kept as older versions: one version per archived page.
    prefix = f"copilot-metrics/raw/enterprise/copilot-seats/enterprise=acme/day={TODAY.isoformat()}/"
    versions = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    assert len(versions["Versions"]) == len(pages) and not versions.get("DeleteMarkers")
    # All pages, then the whole roster again.
    acme_pages = [r for r in seat_requests(simulator) if r.path == "/enterprises/acme/copilot/billing/seats"]
    assert len(acme_pages) == 2 * len(pages) + len(pages)  # the run's two takes, and served_pages


def test_pages_that_still_disagree_are_archived_with_the_disagreement_recorded(
    seats_env, handler, s3, bucket, simulator
):
    simulator.inject("seats_total_changed", times=2, report="copilot-seats", slug="acme", by=2)

    summary = handler({})

    assert summary["counts"]["failed"] == 0
    body = manifest_of(s3, bucket, "enterprise", "copilot-seats", "acme", TODAY)
    pages = served_pages(simulator, "enterprises", "acme")
    total = json.loads(pages[0])["total_seats"]
    assert body["disagreement"] == f"total_seats changed while paging: {total} -> {total + 2}"
    objects = bucket_objects(s3, bucket)
    archived = [objects[raw_key("enterprise", "copilot-seats", "acme", TODAY, i)] for i in range(len(pages))]
    assert json.loads(archived[1])["total_seats"] == total + 2
    assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(p).hexdigest() for p in archived]


def test_a_scope_that_may_not_read_seats_fails_seats_alone_naming_the_permission(
    seats_env, handler, s3, bucket, simulator
):
    simulator.seats_refused = frozenset({"organization:octo", "enterprise:globex"})

    summary = handler({})

    failed = {
        (r["report"], r.get("enterprise") or r.get("organization")): r["reason"] for r in summary["failed"]
    }
    assert set(failed) == {
        ("copilot-seats", "globex"),
        ("copilot-seats", "octo"),
        ("copilot-billing", "octo"),
    }
    assert "manage_billing:copilot" in failed["copilot-seats", "globex"]
    assert "read:enterprise" in failed["copilot-seats", "globex"]
    assert "GitHub Copilot Business" in failed["copilot-seats", "octo"]
    assert "organization_copilot_seat_management=read" in failed["copilot-seats", "octo"]
    # Their usage reports archive as before.
    archived = {(r["report"], r.get("enterprise") or r.get("organization")) for r in summary["archived"]}
    yesterday = TODAY - timedelta(days=1)
    for slug in ("globex", "octo"):
        assert ("users-1-day", slug) in archived
    objects = bucket_objects(s3, bucket)
    served = simulator.report_files("globex", "users-1-day", yesterday)
    folder = f"copilot-metrics/raw/enterprise/users-1-day/enterprise=globex/day={yesterday}"
    assert [objects[f"{folder}/part-{i:04d}.json"] for i in range(len(served))] == served
    assert not any("copilot-seats/enterprise=globex" in key for key in objects)
    assert summary["seat_history_since"] == {"enterprise:acme": TODAY.isoformat()}


def test_reports_setting_without_seats_turns_them_off(seats_env, handler, simulator, monkeypatch):
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("REPORTS", "users-1-day")
    runtime.archiver_from_env.cache_clear()

    summary = handler({})

    assert summary["counts"]["failed"] == 0
    assert seat_requests(simulator) == []
    assert {r["report"] for r in summary["archived"]} == {"users-1-day"}


def test_a_manual_run_for_past_days_takes_no_snapshot(seats_env, handler, simulator):
    summary = handler({"days": [(TODAY - timedelta(days=2)).isoformat()]})

    assert summary["counts"]["failed"] == 0
    assert seat_requests(simulator) == []


def as_utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_the_indexer_curates_a_seats_snapshot_into_seat_daily_and_its_prices(
    seats_env, handler, indexer, s3, bucket, glue, database, simulator, monkeypatch
):
    handler({})
    key = f"copilot-metrics/manifests/enterprise/copilot-seats/enterprise=acme/day={TODAY.isoformat()}.json"
    monkeypatch.setenv("SEAT_PRICES", "business=21.5")  # a stack's price; enterprise keeps its list price

    summary = indexer(object_created(bucket, key))

    assert summary["counts"] == {"indexed": 1, "failed": 0, "deferred": 0}
    served = [
        seat for page in served_pages(simulator, "enterprises", "acme") for seat in json.loads(page)["seats"]
    ]
    expected = [
        {
            "user_login": seat["assignee"]["login"],
            "user_id": seat["assignee"]["id"],
            "organization": (seat.get("organization") or {}).get("login"),
            "assigning_team_slug": (seat["assigning_team"] or {}).get("slug"),
            "plan_type": seat["plan_type"],
            "created_at": as_utc(seat["created_at"]),
            "updated_at": as_utc(seat["updated_at"]),
            "pending_cancellation_date": (
                date.fromisoformat(seat["pending_cancellation_date"])
                if seat["pending_cancellation_date"]
                else None
            ),
            "last_activity_at": as_utc(seat["last_activity_at"]),
            "last_activity_editor": seat["last_activity_editor"],
            "last_authenticated_at": as_utc(seat["last_authenticated_at"]),
            "extra": None,
        }
        for seat in served
    ]
    curated = f"copilot-metrics/curated/enterprise/seat_daily/enterprise=acme/day={TODAY.isoformat()}/"
    body = s3.get_object(Bucket=bucket, Key=curated + "part-0000.parquet")["Body"].read()
    assert pq.read_table(io.BytesIO(body)).to_pylist() == expected
    assert summary["results"][0]["rows"] == {"seat_daily": len(served), "seat_price": 2}
    prices = f"copilot-metrics/curated/enterprise/seat_price/enterprise=acme/day={TODAY.isoformat()}/"
    body = s3.get_object(Bucket=bucket, Key=prices + "part-0000.parquet")["Body"].read()
    assert sorted(pq.read_table(io.BytesIO(body)).to_pylist(), key=lambda r: r["plan_type"]) == [
        {"plan_type": "business", "monthly_price_usd": 21.5},
        {"plan_type": "enterprise", "monthly_price_usd": 39.0},  # GitHub's list price
    ]
    assert partitions(glue, database, "seat_daily") == {
        ("acme", TODAY.isoformat()): f"s3://{bucket}/{curated}"
    }
    assert any(s["pending_cancellation_date"] for s in served) and any(s["assigning_team"] for s in served)


def test_unknown_seat_fields_are_kept_in_extra():
    from copilot_archive.indexing.seats import seat_row

    row, misfits = seat_row(
        {
            "assignee": {"login": "mona", "id": 7},
            "plan_type": "business",
            "created_at": "yesterday",
            "new": [1],
        }
    )

    assert (row["user_login"], row["user_id"], row["created_at"], misfits) == ("mona", 7, None, 1)
    assert json.loads(row["extra"]) == {"created_at": "yesterday", "new": [1]}


def test_a_seat_value_that_does_not_fit_is_null_kept_in_extra_and_counted(
    seats_env, handler, indexer, s3, bucket, simulator, monkeypatch
):
    # Values of the wrong type for their columns, as the report tables meet them: an id as text,
    # a number for a slug, a flag for a string, text that is no moment, a number for a date.
    broken = {
        ("assignee", "id"): "7",
        ("assigning_team", "slug"): 12,
        ("plan_type",): True,
        ("last_activity_at",): "yesterday",
        ("pending_cancellation_date",): 20260501,
    }
    roster = simulator.seats.roster

    def served_with_misfits(slug: str, enterprise: bool, day: date) -> tuple[list[dict[str, Any]], int]:
        seats, total = roster(slug, enterprise, day)
        if slug == "acme":
            seats = json.loads(json.dumps(seats))
            for path, value in broken.items():
                holder = seats[0]
                for key in path[:-1]:
                    holder[key] = holder.get(key) or {}
                    holder = holder[key]
                holder[path[-1]] = value
        return seats, total

    monkeypatch.setattr(simulator.seats, "roster", served_with_misfits)
    handler({})
    key = f"copilot-metrics/manifests/enterprise/copilot-seats/enterprise=acme/day={TODAY.isoformat()}.json"

    summary = indexer(object_created(bucket, key))

    (result,) = summary["results"]
    assert result["indexed"] and result["mistyped_values"] == len(broken)
    first = json.loads(served_pages(simulator, "enterprises", "acme")[0])["seats"][0]
    curated = f"copilot-metrics/curated/enterprise/seat_daily/enterprise=acme/day={TODAY.isoformat()}/"
    body = s3.get_object(Bucket=bucket, Key=curated + "part-0000.parquet")["Body"].read()
    row = pq.read_table(io.BytesIO(body)).to_pylist()[0]
    columns = ("user_id", "assigning_team_slug", "plan_type", "last_activity_at", "pending_cancellation_date")
    assert {name: row[name] for name in columns} == dict.fromkeys(columns)
    # Kept as served, under the dotted name of the field it came in.
    assert json.loads(row["extra"]) == {".".join(path): value for path, value in broken.items()}
    assert row["user_login"] == first["assignee"]["login"]  # the values that fit are typed
    assert row["created_at"] == as_utc(first["created_at"])
