"""Restatements across real HTTP: the simulator changes a published day between runs, the real
archiver archives both reports into moto's S3, the real indexer compares them, and the
`restatements` view holds one row per difference, worked out here from the served bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, TODAY, bucket_objects
from tests.integration.test_hardening import emitted_metrics
from tests.integration.test_indexer import PREFIX, database, glue, indexer, keys_under

__all__ = ["database", "glue", "indexer"]  # fixtures shared with the indexer's tests

pytestmark = pytest.mark.loopback

RESTATED, UNCHANGED = date(2025, 10, 20), date(2025, 10, 21)  # a wrapper day and a flat day
END_DAY = TODAY - timedelta(days=1)  # the 28-day reports' end day
METRIC, ADDED = "code_generation_activity_count", 3
ONE_DAY = ("enterprise-1-day", "users-1-day")
TWENTY_EIGHT_DAY = ("enterprise-28-day", "users-28-day")
# Numbers that name a thing rather than measure it.
IDS = {"user_id", "entity_id_partition", "enterprise_id", "organization_id"}


def numbers(record: dict[str, Any]) -> dict[str, Any]:
    """A line's top-level numeric fields (nulls too), ids aside."""
    return {k: v for k, v in record.items() if k not in IDS and (v is None or (type(v) in (int, float)))}


def records(files: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for data in files for line in data.splitlines() if line.strip()]


def day_objects(files: list[bytes]) -> dict[str, dict[str, Any]]:
    """A totals report's day objects by day, wrapper or flat."""
    found = {}
    for record in records(files):
        for element in record.get("day_totals", [record]):
            found[element["day"]] = element
    return found


def expected_rows(
    sim: Any,
    archived: dict[tuple[str, date], list[bytes]],
    end_day: date = END_DAY,
    slug: str = "acme",
    totals: tuple[str, str] = ("enterprise-1-day", "enterprise-28-day"),
) -> set[tuple[Any, ...]]:
    """Every difference between the 1-day bytes served first and the 28-day bytes ending on
    `end_day` served later, first seen in the 28-day report of `end_day`."""
    rows = set()
    one_day_totals, later = totals
    later_totals = day_objects(sim.report_files(slug, later, end_day))
    later_users = records(sim.report_files(slug, "users-28-day", end_day))
    for day in (RESTATED, UNCHANGED):
        iso = day.isoformat()
        before = numbers(day_objects(archived[(one_day_totals, day)])[iso])
        after = numbers(later_totals[iso])
        for metric in before.keys() & after.keys():
            if before[metric] != after[metric]:
                rows.add((slug, day, one_day_totals, metric, None, before[metric], after[metric]))
        first = {r["user_id"]: r for r in records(archived[("users-1-day", day)])}
        for line in (r for r in later_users if r["day"] == iso):
            old, new = numbers(first[line["user_id"]]), numbers(line)
            for metric in old.keys() & new.keys():
                if old[metric] != new[metric]:
                    row = (slug, day, "users-1-day", metric, line["user_login"], old[metric], new[metric])
                    rows.add(row)
    return {(*row[:5], float(row[5]), float(row[6]), end_day) for row in rows}


def view_rows(
    s3: Any, bucket: str, tmp_path: Path, view: str = "restatements", scope_column: str = "enterprise"
) -> set[tuple[Any, ...]]:
    """The `restatements` view over a copy of the bucket, as the CLI's query reads an archive."""
    from copilot_archive.querying.query import LocalQueryEngine

    folder = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}"
    for key, data in bucket_objects(s3, bucket).items():
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(data)
    with LocalQueryEngine(folder, PREFIX) as engine:
        columns, rows = engine.run(view)
    assert columns == [
        scope_column,
        "day",
        "report",
        "metric",
        "user_login",
        "archived_value",
        "restated_value",
        "first_seen",
    ]
    return {tuple(row) for row in rows}


def index_all(
    invoke: Callable[..., dict[str, Any]], s3: Any, bucket: str, reports: tuple[str, ...]
) -> list[Any]:
    results = []
    for report in reports:
        for key in keys_under(s3, bucket, f"{PREFIX}/manifests/enterprise/{report}/enterprise=acme/"):
            results += invoke({"manifest": key})["results"]
    return results


@pytest.fixture
def restated_once(handler, indexer, simulator, s3, bucket, capsys):
    """The 1-day reports of both days archived and indexed, the day restated, then the 28-day
    reports archived and indexed: the served bytes and the 28-day reports' index results."""
    days = [RESTATED.isoformat(), UNCHANGED.isoformat()]
    assert (
        handler({"days": days, "reports": list(ONE_DAY), "enterprises": ["acme"]})["counts"]["archived"] == 4
    )
    archived = {(r, d): simulator.report_files("acme", r, d) for r in ONE_DAY for d in (RESTATED, UNCHANGED)}
    index_all(indexer, s3, bucket, ONE_DAY)

    simulator.restate_day("acme", RESTATED, METRIC, ADDED)
    handler({"reports": list(TWENTY_EIGHT_DAY), "enterprises": ["acme"]})
    capsys.readouterr()
    results = index_all(indexer, s3, bucket, TWENTY_EIGHT_DAY)
    return archived, results, emitted_metrics(capsys.readouterr().out)


def test_a_restated_day_yields_one_row_per_difference_and_an_unchanged_day_none(
    restated_once, simulator, s3, bucket, tmp_path
):
    archived, results, metrics = restated_once
    expected = expected_rows(simulator, archived)

    rows = view_rows(s3, bucket, tmp_path)

    assert rows == expected
    # the day's totals and each of its users' lines moved, by what the simulator added
    users = len(records(archived[("users-1-day", RESTATED)]))
    assert {r[3] for r in rows} == {METRIC} and len(rows) == 1 + users
    assert all(r[6] - r[5] == (ADDED * users if r[4] is None else ADDED) for r in rows)
    assert {r[1] for r in rows} == {RESTATED}  # the unchanged day yields none
    assert sum(r.get("restated_values", 0) for r in results) == len(expected)
    assert metrics["RestatedValues"] == len(expected) - 1  # the users-28-day invocation's count


def test_rows_are_kept_when_a_later_report_agrees_again(
    restated_once, handler, indexer, simulator, s3, bucket, tmp_path, monkeypatch
):
    from copilot_archive.core import clock

    archived, _, _ = restated_once
    first = expected_rows(simulator, archived)
    # A day later GitHub puts the restated day back as first published, restates the other
    # day (of the same month file), and serves the next 28-day reports.
    simulator.restate_day("acme", RESTATED, METRIC, 0)
    simulator.restate_day("acme", UNCHANGED, "loc_added_sum", 7)
    later_day = TODAY
    simulator.today = later_day + timedelta(days=1)
    monkeypatch.setattr(clock, "utc_today", lambda: later_day + timedelta(days=1))
    handler({"reports": list(TWENTY_EIGHT_DAY), "enterprises": ["acme"]})
    later = [
        key
        for report in TWENTY_EIGHT_DAY
        for key in keys_under(s3, bucket, f"{PREFIX}/manifests/enterprise/{report}/enterprise=acme/")
        if key.endswith(f"day={later_day.isoformat()}.json")
    ]
    assert len(later) == 2
    second = expected_rows(simulator, archived, later_day)

    results = [result for key in later for result in indexer({"manifest": key})["results"]]

    assert {r[1] for r in second} == {UNCHANGED}  # the restated day agrees again: nothing new
    assert sum(r.get("restated_values", 0) for r in results) == len(second)
    assert view_rows(s3, bucket, tmp_path) == first | second


def test_refetch_restated_archives_a_second_copy_beside_the_first_and_curated_reads_it(
    restated_once, handler, indexer, simulator, s3, bucket, tmp_path, monkeypatch
):
    import io

    import pyarrow.parquet as pq

    from copilot_archive.archiving import runtime
    from copilot_archive.core.storage import S3Storage
    from copilot_archive.querying.status import archive_holdings

    archived, _, _ = restated_once
    expected = expected_rows(simulator, archived)
    first_copies = {
        key: data
        for key, data in bucket_objects(s3, bucket).items()
        if f"day={RESTATED.isoformat()}" in key and "/raw/" in key
    }
    monkeypatch.setenv("REFETCH_RESTATED", "true")
    runtime.archiver_from_env.cache_clear()
    days = [RESTATED.isoformat(), UNCHANGED.isoformat()]

    summary = handler({"days": days, "reports": list(ONE_DAY), "enterprises": ["acme"]})

    fetched = [r for r in summary["archived"] if "fetched again" in r.get("reason", "")]
    assert sorted((r["report"], r["day"]) for r in fetched) == [(r, RESTATED.isoformat()) for r in ONE_DAY]
    objects = bucket_objects(s3, bucket)
    assert {k: objects[k] for k in first_copies} == first_copies  # the first copy untouched
    for report in ONE_DAY:
        day = f"enterprise=acme/day={RESTATED.isoformat()}"
        folder = f"{PREFIX}/raw/revisions/enterprise/{report}/{day}/revision=0001/"
        second = [objects[k] for k in sorted(objects) if k.startswith(folder)]
        assert second == simulator.report_files("acme", report, RESTATED)  # the restated bytes
        assert second != archived[(report, RESTATED)]
    # `copilot-archive status` counts a report-day once, however many copies it has.
    [holding] = archive_holdings(S3Storage(bucket), PREFIX)
    assert holding.report_days == len(ONE_DAY) * len(days) + len(TWENTY_EIGHT_DAY)
    revisions = keys_under(s3, bucket, f"{PREFIX}/manifests/enterprise/users-1-day/enterprise=acme/day=")
    [revision] = [k for k in revisions if "/revision-" in k]
    assert revision.endswith(f"day={RESTATED.isoformat()}/revision-0001.json")

    # The curated tables read the newest copy once it is indexed; the log keeps its rows.
    [result] = indexer({"manifest": revision})["results"]
    assert result["indexed"]
    key = (
        f"{PREFIX}/curated/enterprise/user_daily/enterprise=acme/day={RESTATED.isoformat()}/part-0000.parquet"
    )
    curated = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())).to_pylist()
    served = {
        r["user_login"]: r[METRIC] for r in records(simulator.report_files("acme", "users-1-day", RESTATED))
    }
    assert {r["user_login"]: r[METRIC] for r in curated} == served
    assert view_rows(s3, bucket, tmp_path) == expected
    # A rebuild indexes the newest copy of each report-day, and only it.
    rebuilt = indexer({"rebuild": {"from": RESTATED.isoformat(), "to": RESTATED.isoformat()}})["results"]
    assert [r["manifest"] for r in rebuilt if r["report"] == "users-1-day"] == [revision]
    # A newest copy fetched after the restatement was noted is not fetched again.
    again = handler({"days": days, "reports": list(ONE_DAY), "enterprises": ["acme"]})
    assert again["counts"]["archived"] == 0


def test_without_refetch_restated_a_restated_day_is_not_fetched_again(restated_once, handler, s3, bucket):
    summary = handler({"days": [RESTATED.isoformat()], "reports": list(ONE_DAY), "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 0
    assert not keys_under(s3, bucket, f"{PREFIX}/raw/revisions/")


def test_an_organization_restated_day_yields_org_restatements_rows(
    archiver_env, handler, indexer, s3, bucket, tmp_path, monkeypatch
):
    from copilot_archive.archiving import runtime
    from copilot_simulator import Simulator

    with Simulator(enterprises=(), organizations=("octo",), users=4, today=TODAY, token=CANARY_TOKEN) as sim:
        monkeypatch.setenv("GITHUB_API_URL", sim.api_url)
        monkeypatch.setenv("ENTERPRISES", "")
        monkeypatch.setenv("ORGANIZATIONS", "octo")
        runtime.archiver_from_env.cache_clear()
        one_day = ("organization-1-day", "users-1-day")
        days = [RESTATED.isoformat(), UNCHANGED.isoformat()]
        assert handler({"days": days, "reports": list(one_day)})["counts"]["archived"] == 4
        archived = {(r, d): sim.report_files("octo", r, d) for r in one_day for d in (RESTATED, UNCHANGED)}
        sim.restate_day("octo", RESTATED, "ai_credits_used", 2)
        handler({"reports": ["organization-28-day", "users-28-day"]})
        for report in ("organization-28-day", "users-28-day"):
            for key in keys_under(s3, bucket, f"{PREFIX}/manifests/organization/{report}/organization=octo/"):
                indexer({"manifest": key})
        totals = ("organization-1-day", "organization-28-day")
        expected = expected_rows(sim, archived, slug="octo", totals=totals)

    rows = view_rows(s3, bucket, tmp_path, "org_restatements", "organization")

    assert rows == expected
    assert rows and {(r[2], r[3]) for r in rows} == {("users-1-day", "ai_credits_used")}


PSEUDONYM_KEY = "a key only this test knows"


@pytest.fixture
def pseudonymised(monkeypatch):
    """PSEUDONYMIZE_USERS on, the key from PSEUDONYM_KEY, before the indexer first runs."""
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.setenv("PSEUDONYM_KEY", PSEUDONYM_KEY)


def test_with_pseudonyms_the_restatements_name_no_served_login(
    pseudonymised, restated_once, simulator, s3, bucket, tmp_path
):
    import hashlib
    import hmac

    def pseudonym(login: str) -> str:  # HMAC-SHA256 of the login in lower case, as documented
        digest = hmac.new(PSEUDONYM_KEY.encode(), b"login:" + login.lower().encode(), hashlib.sha256)
        return "u-" + digest.hexdigest()[:32]

    archived, _, _ = restated_once
    expected = {
        (*row[:4], None if row[4] is None else pseudonym(row[4]), *row[5:])
        for row in expected_rows(simulator, archived)
    }
    served_logins = {r["user_login"] for r in records(archived[("users-1-day", RESTATED)])}

    rows = view_rows(s3, bucket, tmp_path)

    assert rows == expected
    assert served_logins and not served_logins & {row[4] for row in rows}
