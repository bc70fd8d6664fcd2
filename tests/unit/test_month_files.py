"""Monthly curated files of the enterprise-level tables: each day merged in by a conditional write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from copilot_archive.core.layout import (
    ReportDay,
    curated_month_file_key,
    index_status_key,
    manifest_key,
)
from copilot_archive.core.reports import Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.indexing.catalog import NullCatalog
from copilot_archive.indexing.indexer import Indexer
from copilot_simulator.reports import ReportBook
from tests.conftest import archive_report_day

PREFIX = "copilot-metrics"
DAYS = (date(2025, 10, 12), date(2025, 10, 13), date(2025, 10, 14))
TABLE = "enterprise_day_totals"


def archive(storage: LocalFolderStorage, day: date) -> str:
    report_day = ReportDay(Report.ENTERPRISE_1_DAY, "acme", day)
    data = b"".join(ReportBook({"acme": 5}).lines("acme", "enterprise-1-day", day))
    return archive_report_day(storage, report_day, data, datetime(2025, 10, 20, tzinfo=UTC), PREFIX)


def month_days(root: Path) -> list[date]:
    return (
        pq.read_table(root / curated_month_file_key(PREFIX, TABLE, "acme", DAYS[0])).column("day").to_pylist()
    )


def test_days_of_a_month_share_one_file_each_once_however_often_re_indexed(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    keys = [archive(storage, day) for day in DAYS]
    indexer = Indexer(storage, NullCatalog(), PREFIX)

    for key in (keys[2], keys[0], keys[1], keys[0], keys[2]):
        assert indexer.index_manifest(key).indexed

    assert month_days(tmp_path) == list(DAYS)
    monthly = list((tmp_path / PREFIX / "curated/enterprise" / TABLE).rglob("*.parquet"))
    assert len(monthly) == 1


class _RacingStorage(LocalFolderStorage):
    """Lets `race` run (another invocation indexing a day) just before a month file write."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.race: list[Callable[[], object]] = []

    def put_bytes(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/json",
        *,
        only_if_absent: bool = False,
        only_if_tag: str | None = None,
    ) -> None:
        if self.race and f"/{TABLE}/" in key and "/month=" in key:
            self.race.pop()()
        super().put_bytes(key, data, content_type, only_if_absent=only_if_absent, only_if_tag=only_if_tag)


@pytest.mark.parametrize("month_file_before", [False, True], ids=["new-month-file", "month-file-there"])
def test_a_day_indexed_while_the_month_is_rewritten_is_in_the_month_file(tmp_path, month_file_before):
    storage = _RacingStorage(tmp_path)
    first, second, third = (archive(storage, day) for day in DAYS)
    other = Indexer(LocalFolderStorage(tmp_path), NullCatalog(), PREFIX)
    if month_file_before:
        assert other.index_manifest(third).indexed
    # The other invocation writes the month file between this one's reading of it and its
    # own write: an unconditional write would drop the other day.
    storage.race.append(lambda: other.index_manifest(second))

    assert Indexer(storage, NullCatalog(), PREFIX).index_manifest(first).indexed

    assert month_days(tmp_path) == [DAYS[0], DAYS[1], *DAYS[2:] * month_file_before]


def test_a_month_file_changed_by_others_on_every_attempt_fails_the_day_to_be_tried_again(tmp_path):
    storage = _RacingStorage(tmp_path)
    first, second = (archive(storage, day) for day in DAYS[:2])
    assert Indexer(LocalFolderStorage(tmp_path), NullCatalog(), PREFIX).index_manifest(second).indexed
    month_file = tmp_path / curated_month_file_key(PREFIX, TABLE, "acme", DAYS[0])
    rewrites = iter(range(1_000))

    def rewrite() -> None:  # the same rows, other bytes: another invocation's write
        table = pq.read_table(month_file)
        pq.write_table(table.replace_schema_metadata({"rewrite": str(next(rewrites))}), month_file)

    storage.race.extend([rewrite] * 1_000)

    result = Indexer(storage, NullCatalog(), PREFIX).index_manifest(first)

    assert not result.indexed and result.retryable
    assert "other invocations kept changing it over" in result.error
    assert month_days(tmp_path) == [DAYS[1]]  # the day not written, the other's rows kept


def test_each_report_day_keeps_its_own_row_in_the_index_status_month_file(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    indexer = Indexer(storage, NullCatalog(), PREFIX)
    key = archive(storage, DAYS[0])
    missing = manifest_key(PREFIX, ReportDay(Report.USERS_1_DAY, "acme", DAYS[0]))

    assert indexer.index_manifest(key).indexed
    assert not indexer.index_manifest(missing).indexed  # a failure is recorded too
    assert indexer.index_manifest(key).indexed  # re-indexed: its row replaced, not added

    status = tmp_path / index_status_key(PREFIX, ReportDay(Report.ENTERPRISE_1_DAY, "acme", DAYS[0]))
    rows = pq.read_table(status).to_pylist()
    assert sorted((r["report"], r["day"], r["indexed"]) for r in rows) == [
        ("enterprise-1-day", DAYS[0], True),
        ("users-1-day", DAYS[0], False),
    ]
    assert not indexer.needs_index(key)


def test_a_report_day_needs_indexing_until_its_own_status_row_says_indexed(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    indexer = Indexer(storage, NullCatalog(), PREFIX)
    enterprise = archive(storage, DAYS[0])
    users_day = ReportDay(Report.USERS_1_DAY, "acme", DAYS[0])
    data = b"".join(ReportBook({"acme": 5}).lines("acme", "users-1-day", DAYS[0]))
    users = archive_report_day(storage, users_day, data, datetime(2025, 10, 20, tzinfo=UTC), PREFIX)

    assert indexer.index_manifest(enterprise).indexed
    assert not indexer.needs_index(enterprise)
    assert indexer.needs_index(users)  # the same day's row of another report is not its own
    assert indexer.index_manifest(users).indexed
    assert not indexer.needs_index(users)


def test_an_unreadable_month_file_fails_the_day_with_the_way_out(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    key = archive(storage, DAYS[0])
    storage.put_bytes(curated_month_file_key(PREFIX, TABLE, "acme", DAYS[0]), b"not parquet")

    result = Indexer(storage, NullCatalog(), PREFIX).index_manifest(key)

    assert not result.indexed and result.retryable and "delete it and rebuild its month" in result.error


def test_the_cli_fails_every_day_of_an_unreadable_month_file_and_indexes_them_once_it_is_gone(
    tmp_path, capsys
):
    from copilot_archive.cli import main

    storage = LocalFolderStorage(tmp_path)
    for day in DAYS:
        archive(storage, day)
    month_file = curated_month_file_key(PREFIX, TABLE, "acme", DAYS[0])
    storage.put_bytes(month_file, b"not parquet")

    assert main(["index", "--archive", str(tmp_path), "--no-progress", "--json"]) == 1

    failed = json_out(capsys)
    assert [r["day"] for r in failed] == [d.isoformat() for d in DAYS]
    assert all(not r["indexed"] and "delete it and rebuild its month" in r["error"] for r in failed)
    status = pq.read_table(
        tmp_path / index_status_key(PREFIX, ReportDay(Report.ENTERPRISE_1_DAY, "acme", DAYS[0]))
    )
    assert status.column("indexed").to_pylist() == [False] * len(DAYS)  # recorded, to be tried again

    (tmp_path / month_file).unlink()
    assert main(["index", "--archive", str(tmp_path), "--no-progress", "--json"]) == 0
    assert [r["indexed"] for r in json_out(capsys)] == [True] * len(DAYS)
    assert month_days(tmp_path) == list(DAYS)


def json_out(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    import json

    return list(json.loads(capsys.readouterr().out))
