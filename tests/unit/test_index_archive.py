"""index_archive on a local folder: what the CLI's `copilot-archive index` runs."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pyarrow.parquet as pq

from copilot_archive.core.layout import ReportDay, curated_file_key, manifest_key, raw_file_key
from copilot_archive.core.manifest import ArchivedFile, Manifest
from copilot_archive.core.reports import Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.indexing.indexer import index_archive
from copilot_simulator.reports import ReportBook

PREFIX = "copilot-metrics"
DAY = date(2025, 10, 12)


def archive(storage: LocalFolderStorage, fetched_at: datetime) -> ReportDay:
    report_day = ReportDay(Report.USERS_1_DAY, "acme", DAY)
    data = b"".join(ReportBook({"acme": 5}).lines("acme", "users-1-day", DAY))
    key = raw_file_key(PREFIX, report_day, 0)
    storage.put_bytes(key, data)
    listed = ArchivedFile(key, len(data), hashlib.sha256(data).hexdigest(), data.count(b"\n"))
    manifest = Manifest(report_day, (listed,), fetched_at, "2026-03-10")
    storage.put_bytes(manifest_key(PREFIX, report_day), manifest.to_json())
    return report_day


def test_indexes_new_days_once_and_again_after_a_re_archive(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    archive(storage, datetime(2025, 10, 13, 6, tzinfo=UTC))
    clock = iter([datetime(2025, 10, 13, 7, tzinfo=UTC), datetime(2025, 10, 14, 7, tzinfo=UTC)])
    seen = []

    first = index_archive(storage, PREFIX, on_result=seen.append, now=lambda: next(clock))
    again = index_archive(storage, PREFIX)
    archive(storage, datetime(2025, 10, 14, 6, tzinfo=UTC))  # re-archived after it was indexed
    third = index_archive(storage, PREFIX, now=lambda: next(clock))

    assert [r.indexed for r in first] == [True] and seen == first
    assert again == []
    assert [r.indexed for r in third] == [True]
    rows = pq.read_table(tmp_path / curated_file_key(PREFIX, "user_daily", "acme", DAY)).num_rows
    assert rows == first[0].rows["user_daily"] == third[0].rows["user_daily"] > 0
    assert len(index_archive(storage, PREFIX, force=True)) == 1


def test_processes_index_the_same_rows_as_one_process(tmp_path, monkeypatch):
    """The CLI indexes a folder in processes, a scope's month each: same tables, same rows."""
    from copilot_archive.indexing import indexer

    monkeypatch.setattr(indexer, "PARALLEL_FROM_MANIFESTS", 1)
    days = [date(2025, 10, 30), date(2025, 10, 31), date(2025, 11, 1)]  # two months
    book = ReportBook({"acme": 5, "globex": 4})
    roots = {workers: tmp_path / f"w{workers}" for workers in (1, 2)}
    for root in roots.values():
        storage = LocalFolderStorage(root)
        for slug in ("acme", "globex"):
            for report in (Report.USERS_1_DAY, Report.ENTERPRISE_1_DAY):
                for day in days:
                    report_day = ReportDay(report, slug, day)
                    data = b"".join(book.lines(slug, report.value, day))
                    key = raw_file_key(PREFIX, report_day, 0)
                    storage.put_bytes(key, data)
                    listed = ArchivedFile(key, len(data), hashlib.sha256(data).hexdigest(), data.count(b"\n"))
                    manifest = Manifest(
                        report_day, (listed,), datetime(2025, 11, 2, tzinfo=UTC), "2026-03-10"
                    )
                    storage.put_bytes(manifest_key(PREFIX, report_day), manifest.to_json())

    results = {w: index_archive(LocalFolderStorage(root), PREFIX, workers=w) for w, root in roots.items()}

    assert [r.manifest_key for r in results[2]] == [r.manifest_key for r in results[1]]
    assert len(results[2]) == 12 and all(r.indexed for r in results[2])
    assert [r.rows for r in results[2]] == [r.rows for r in results[1]]
    curated = {w: sorted(p.relative_to(root) for p in root.rglob("*.parquet")) for w, root in roots.items()}
    assert curated[2] == curated[1]
    for path in curated[1]:
        if "index_status" in str(path):
            continue  # holds when each day was indexed
        assert pq.read_table(roots[2] / path).equals(pq.read_table(roots[1] / path)), path
