"""Billed usage through the real handlers: the simulator's billing export over HTTP, archived into
moto's S3 by the archiver handler, curated by the indexer handler, read by the views.

Expected values are worked out here from the CSV bytes the simulator serves (csv module, sums by
hand). A reconcile asks 24 months of usage days; to keep a test to the few days it looks at, the
other days get an empty object at their manifest key, which is all the planner reads (it lists
manifest keys), so the run takes them as archived and asks only the rest.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import TODAY, bucket_objects, object_versions
from tests.integration.test_indexer import database, glue, indexer, object_created, partitions

__all__ = ["database", "glue", "indexer"]  # fixtures shared with the indexer's tests

pytestmark = pytest.mark.loopback

PREFIX = "copilot-metrics"
REFETCH = 3  # BILLING_REFETCH_DAYS in these tests: yesterday and the two days before it
WINDOW = [TODAY - timedelta(days=n) for n in range(REFETCH, 0, -1)]
# GitHub keeps billing usage 24 months: from the same day of the month two years back.
OLDEST = date(TODAY.year - 2, TODAY.month, min(TODAY.day, 28))


@pytest.fixture
def billing_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """One enterprise, billing usage only, polls without waiting."""
    from copilot_archive.archiving import billing, runtime

    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("REPORTS", "billing-usage")
    monkeypatch.setenv("BILLING_REFETCH_DAYS", str(REFETCH))
    monkeypatch.setattr(billing, "POLL_SECONDS", 0.0)
    runtime.archiver_from_env.cache_clear()
    return archiver_env


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def manifest_key(slug: str, day: date) -> str:
    return f"{PREFIX}/manifests/enterprise/billing-usage/enterprise={slug}/day={day.isoformat()}.json"


def raw_key(slug: str, day: date, revision: int) -> str:
    folder = f"{PREFIX}/raw/enterprise/billing-usage/enterprise={slug}/day={day.isoformat()}"
    return f"{folder}/revision={revision}/part-0000.csv"


def taken_as_archived(s3: Any, bucket: str, days: Iterable[date], slug: str = "acme") -> None:
    """An empty object at each day's manifest key: the planner lists keys, so it asks these no more."""
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda d: s3.put_object(Bucket=bucket, Key=manifest_key(slug, d), Body=b""), days))


def export_days(sim: Any) -> list[date]:
    """The usage day of each billing export the simulator was asked to create, in order."""
    return [export.start for export in sim.billing.exports.values()]


def read(s3: Any, bucket: str, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def billing_results(summary: dict[str, Any], outcome: str) -> dict[str, str]:
    return {r["day"]: r.get("reason", "") for r in summary[outcome] if r["report"] == "billing-usage"}


def test_a_revised_billing_day_keeps_both_revisions_and_billed_usage_shows_the_latest(
    billing_env, handler, indexer, s3, bucket, glue, database, simulator, tmp_path
):
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)))
    first = handler({})
    assert set(billing_results(first, "archived")) == {d.isoformat() for d in WINDOW}
    before = {day: read(s3, bucket, raw_key("acme", day, 1)) for day in WINDOW}
    for day in WINDOW:
        assert before[day] == simulator.billing.csv_bytes("acme", day, day)  # byte for byte
        indexer(object_created(bucket, manifest_key("acme", day)))

    revised = WINDOW[1]
    simulator.billing.revise("acme", revised)  # GitHub corrects a recent day between two runs
    second = handler({})

    assert set(billing_results(second, "archived")) == {revised.isoformat()}
    unchanged = billing_results(second, "skipped")
    assert set(unchanged) == {d.isoformat() for d in WINDOW if d != revised}
    assert all("revision 1" in reason for reason in unchanged.values())
    # Both revisions kept, byte for byte: the first untouched, the second as served now.
    after = read(s3, bucket, raw_key("acme", revised, 2))
    assert read(s3, bucket, raw_key("acme", revised, 1)) == before[revised]
    assert after == simulator.billing.csv_bytes("acme", revised, revised) != before[revised]
    manifest = json.loads(read(s3, bucket, manifest_key("acme", revised)))
    assert manifest["revision"] == 2
    assert [f["key"] for f in manifest["files"]] == [raw_key("acme", revised, 2)]
    assert not any(f"day={d}/revision=2/" in key for key in bucket_objects(s3, bucket) for d in unchanged)

    summary = indexer(object_created(bucket, manifest_key("acme", revised)))

    assert summary["counts"] == {"indexed": 1, "failed": 0, "deferred": 0}
    # The raw table reads the day's current revision, once.
    raw_folder = raw_key("acme", revised, 2).rsplit("/", 1)[0] + "/"
    assert partitions(glue, database, "raw_billing_usage")[("acme", revised.isoformat())] == (
        f"s3://{bucket}/{raw_folder}"
    )
    # The truth: each day's lines from the latest bytes served for it, summed by hand.
    latest = {**before, revised: after}
    billed: dict[tuple[date, str], float] = defaultdict(float)
    lines = 0
    for day, body in latest.items():
        for row in csv.DictReader(io.StringIO(body.decode())):
            billed[(day.replace(day=1), row["product"])] += float(row["net_amount"])
        lines += len(body.decode().splitlines()) - 1
    expected = sorted(
        ("acme", month, product, None, pytest.approx(total)) for (month, product), total in billed.items()
    )
    root = tmp_path / "archive"
    for key, body in bucket_objects(s3, bucket).items():
        if key.startswith(f"{PREFIX}/curated/"):
            (root / key).parent.mkdir(parents=True, exist_ok=True)
            (root / key).write_bytes(body)
    from copilot_archive.querying.query import LocalQueryEngine

    with LocalQueryEngine(Path(root), PREFIX, today=TODAY) as engine:
        _, rows = engine.run("billed_usage_monthly")
        (count,) = engine.run("SELECT count(*) FROM billing_usage_daily")[1]
    assert sorted(tuple(r) for r in rows) == expected
    assert count == (lines,)  # the revised day's earlier rows were replaced, not added to


def test_a_second_run_without_a_revision_writes_nothing_new(billing_env, handler, s3, bucket, simulator):
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)))
    handler({})
    objects, versions = bucket_objects(s3, bucket), object_versions(s3, bucket)
    asked = len(simulator.billing.exports)

    again = handler({})

    assert billing_results(again, "archived") == {}
    assert set(billing_results(again, "skipped")) == {d.isoformat() for d in WINDOW}
    assert len(simulator.billing.exports) == asked + REFETCH  # asked again, found unchanged
    assert bucket_objects(s3, bucket) == objects
    assert object_versions(s3, bucket) == versions


def test_a_reconcile_reaches_back_24_months_of_billing_not_the_reports_one_year(
    billing_env, handler, s3, bucket, simulator
):
    # Archived already: all but the two oldest days GitHub still bills for and the trailing window.
    taken_as_archived(s3, bucket, days_between(OLDEST + timedelta(days=2), WINDOW[0] - timedelta(days=1)))

    summary = handler({})

    reach = [OLDEST, OLDEST + timedelta(days=1)]
    assert sorted(export_days(simulator)) == [*reach, *WINDOW]
    assert set(billing_results(summary, "archived")) == {d.isoformat() for d in [*reach, *WINDOW]}
    assert (TODAY - OLDEST).days > 365 + 300  # far past the usage reports' year
    for day in reach:
        assert read(s3, bucket, raw_key("acme", day, 1)) == simulator.billing.csv_bytes("acme", day, day)
        assert json.loads(read(s3, bucket, manifest_key("acme", day)))["revision"] == 1


def test_a_token_that_cannot_read_billing_fails_billing_alone_naming_the_permission(
    billing_env, handler, s3, bucket, simulator, monkeypatch
):
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("REPORTS", "users-1-day,billing-usage")
    monkeypatch.setenv("ENTERPRISES", "acme,globex")
    runtime.archiver_from_env.cache_clear()
    simulator.billing.refused = frozenset({"enterprise:globex"})
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)), "acme")
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)), "globex")

    summary = handler({})

    failed = summary["failed"]
    assert {(r["report"], r["enterprise"]) for r in failed} == {("billing-usage", "globex")}
    # Refused once: the other days of that scope's billing are not asked (the run knows the answer).
    assert len(failed) == REFETCH
    assert all("'Enterprise billing' (read)" in r["reason"] for r in failed)
    assert all("billing manager" in r["reason"] for r in failed)
    # Usage reports of that scope archive as before, and acme's billing too.
    archived = {(r["report"], r["enterprise"], r["day"]) for r in summary["archived"]}
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert ("users-1-day", "globex", yesterday) in archived
    assert {d.isoformat() for d in WINDOW} <= {day for r, slug, day in archived if slug == "acme"}
    served = simulator.report_files("globex", "users-1-day", TODAY - timedelta(days=1))
    folder = f"{PREFIX}/raw/enterprise/users-1-day/enterprise=globex/day={yesterday}"
    objects = bucket_objects(s3, bucket)
    assert [objects[f"{folder}/part-{i:04d}.json"] for i in range(len(served))] == served
    assert not any("billing-usage/enterprise=globex" in key for key in objects if "/raw/" in key)


def test_with_pseudonyms_billed_usage_names_no_served_user(
    billing_env, handler, indexer, s3, bucket, simulator, monkeypatch
):
    import hashlib
    import hmac

    import pyarrow.parquet as pq

    key = "a key only this test knows"
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.setenv("PSEUDONYM_KEY", key)
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)))
    handler({})
    served: set[str] = set()
    for day in WINDOW:
        body = simulator.billing.csv_bytes("acme", day, day).decode()
        served |= {row["username"] for row in csv.DictReader(io.StringIO(body)) if row["username"]}
        indexer(object_created(bucket, manifest_key("acme", day)))

    def pseudonym(login: str) -> str:  # HMAC-SHA256 of the login in lower case, as documented
        digest = hmac.new(key.encode(), b"login:" + login.lower().encode(), hashlib.sha256)
        return "u-" + digest.hexdigest()[:32]

    curated = {
        k: body
        for k, body in bucket_objects(s3, bucket).items()
        if k.startswith(f"{PREFIX}/curated/") and "/billing_usage_daily/" in k
    }
    logins = {
        login
        for body in curated.values()
        for login in pq.read_table(io.BytesIO(body)).column("user_login").to_pylist()
        if login is not None
    }
    assert served and logins == {pseudonym(login) for login in served}
    assert not any(login.encode() in body for body in curated.values() for login in served)


def test_a_billing_value_that_does_not_fit_is_null_kept_in_extra_and_counted(
    billing_env, handler, indexer, s3, bucket, simulator, monkeypatch
):
    # A CSV cell that is no amount, as the report tables meet them: text, NaN, a negative amount.
    broken = {"quantity": "n/a", "gross_amount": "NaN", "net_amount": "-0.5"}
    day = WINDOW[-1]
    from copilot_simulator.billing import DETAILED_COLUMNS

    generated = simulator.billing._rows  # the lines of a day's export, before they are CSV

    def rows_with_misfits(slug: str, usage_day: date, revision: int) -> list[list[str]]:
        rows = generated(slug, usage_day, revision)
        if usage_day == day:
            for name, value in broken.items():
                rows[0][DETAILED_COLUMNS.index(name)] = value
        return rows

    monkeypatch.setattr(simulator.billing, "_rows", rows_with_misfits)
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)))
    handler({})

    summary = indexer(object_created(bucket, manifest_key("acme", day)))

    (result,) = summary["results"]
    assert result["indexed"] and result["mistyped_values"] == len(broken)
    served = list(csv.DictReader(io.StringIO(read(s3, bucket, raw_key("acme", day, 1)).decode())))
    assert {name: served[0][name] for name in broken} == broken  # archived as served
    from copilot_archive.core.layout import curated_file_key

    body = read(s3, bucket, curated_file_key(PREFIX, "billing_usage_daily", "acme", day))
    first, *others = pq.read_table(io.BytesIO(body)).to_pylist()
    assert (first["quantity"], first["gross_amount"], first["net_amount"]) == (None, None, None)
    assert json.loads(first["extra"]) == broken
    assert first["price_per_unit"] == float(served[0]["applied_cost_per_quantity"])  # the rest typed
    assert [row["net_amount"] for row in others] == [float(line["net_amount"]) for line in served[1:]]
