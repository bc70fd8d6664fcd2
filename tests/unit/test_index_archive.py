"""index_archive on a local folder: what the CLI's `copilot-archive index` runs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest

from copilot_archive.core.curated_schema import tables_for
from copilot_archive.core.layout import ReportDay, curated_file_key
from copilot_archive.core.reports import Level, Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.indexing import curate, indexer
from copilot_archive.indexing.indexer import index_archive
from copilot_simulator.reports import ReportBook, compact
from tests.conftest import archive_report_day

PREFIX = "copilot-metrics"
DAY = date(2025, 10, 12)
CURATOR_INIT = curate.Curator.__init__


def archive(storage: LocalFolderStorage, fetched_at: datetime) -> ReportDay:
    report_day = ReportDay(Report.USERS_1_DAY, "acme", DAY)
    data = b"".join(ReportBook({"acme": 5}).lines("acme", "users-1-day", DAY))
    archive_report_day(storage, report_day, data, fetched_at, PREFIX)
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
                    data = b"".join(book.lines(slug, report.value, day))
                    fetched_at = datetime(2025, 11, 2, tzinfo=UTC)
                    archive_report_day(storage, ReportDay(report, slug, day), data, fetched_at, PREFIX)

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


# A field no table types, written as no JSON encoder writes it: a float with a trailing zero, an
# exponent, escapes, spaces, a negative zero (its `extra` is what the line path's encoder writes).
UNTIDY_FIELD = rb',"untidy":{"f":1.50,"e":"caf\u00e9 \/","s":[1, 2],"z":-0,"x":1E2}}'


def real_shaped_lines(slug: str, level: Level) -> bytes:
    """GitHub-shaped users-1-day lines: each with a field no table types at the top and inside a
    breakdown element; every 100th with a count as a string, another a negative count in an
    element, another a fraction for a count in an element, another a count beyond 64 bits, another
    an integral float for a count (it fits), another a number for a boolean, another an untidy
    untyped field, others an untyped field in a typed object (of the user, of an element); every
    50th with a null element."""
    lines = []
    for n, raw in enumerate(ReportBook({slug: 300}).lines(slug, "users-1-day", DAY)):
        record = json.loads(raw)
        record["totals_by_skill"] = [{"skill": "review", "count": n % 7}]
        for element in record.get("totals_by_ide") or []:
            element["new_ide_field"] = f"x{n}"
        if level is Level.ORGANIZATION:
            record["organization_id"] = "42"
        if n % 100 == 7:
            record["loc_added_sum"] = str(record.get("loc_added_sum"))
        if n % 100 == 57 and record.get("totals_by_ide"):
            record["totals_by_ide"][0]["loc_deleted_sum"] = -1
        if n % 100 == 77:
            record["used_chat"] = 1
        if n % 100 == 41 and isinstance(record.get("ai_adoption_phase"), dict):
            record["ai_adoption_phase"]["assessed_by"] = "survey"
        if n % 100 == 43 and record.get("totals_by_ide"):
            record["totals_by_ide"][0]["last_known_ide_version"]["channel"] = "beta"
        if n % 100 == 87 and record.get("totals_by_ide"):
            record["totals_by_ide"][0]["loc_added_sum"] = 2.5
        if n % 100 == 97:
            record["loc_deleted_sum"] = 2**64 + n
        if n % 100 == 17 and isinstance(record.get("loc_added_sum"), int):
            record["loc_added_sum"] = float(record["loc_added_sum"])  # integral: it fits
        if n % 50 == 3:
            record["totals_by_feature"] = [*(record.get("totals_by_feature") or []), None]
        line = compact(record)
        if n % 100 == 31:
            line = line.rstrip(b"}\n") + UNTIDY_FIELD + b"\n"
        lines.append(line)
    return b"".join(lines)


def index_real_shaped(root: Any, monkeypatch: pytest.MonkeyPatch, *, line_path: bool) -> dict[str, Any]:
    """Index the same two report-days (enterprise and organization), with Arrow or line by line."""
    storage = LocalFolderStorage(root)
    for level, slug in ((Level.ENTERPRISE, "acme"), (Level.ORGANIZATION, "octo-org")):
        report_day = ReportDay(Report.USERS_1_DAY, slug, DAY, level)
        data = real_shaped_lines(slug, level)
        archive_report_day(storage, report_day, data, datetime(2025, 10, 13, 6, tzinfo=UTC), PREFIX)
    curators: list[curate.Curator] = []

    def kept(self: curate.Curator, *args: Any, **kwargs: Any) -> None:
        CURATOR_INIT(self, *args, **kwargs)
        if line_path:
            self._vector = None  # every block by the line path
        curators.append(self)

    monkeypatch.setattr(curate.Curator, "__init__", kept)
    monkeypatch.setattr(indexer, "READ_CHUNK", 64 * 1024)  # several blocks a day
    results = index_archive(storage, PREFIX)
    tables = {
        (level, table.name): pq.read_table(root / curated_file_key(PREFIX, table.name, slug, DAY, level))
        for level, slug in ((Level.ENTERPRISE, "acme"), (Level.ORGANIZATION, "octo-org"))
        for table in tables_for(Report.USERS_1_DAY)
    }
    return {"results": results, "tables": tables, "curators": curators}


def test_real_shaped_lines_are_curated_by_arrow_into_the_line_paths_rows(tmp_path, monkeypatch):
    by_arrow = index_real_shaped(tmp_path / "arrow", monkeypatch, line_path=False)
    by_lines = index_real_shaped(tmp_path / "lines", monkeypatch, line_path=True)

    assert by_arrow["tables"] == by_lines["tables"]
    for arrow, lines in zip(by_arrow["results"], by_lines["results"], strict=True):
        assert arrow.indexed and (
            arrow.rows,
            arrow.mistyped_values,
            arrow.warnings,
            arrow.unknown_fields,
        ) == (
            lines.rows,
            lines.mistyped_values,
            lines.warnings,
            lines.unknown_fields,
        )
        lines_of_day = real_shaped_lines(arrow.report_day.slug, arrow.report_day.level).splitlines()
        strings = sum(b'"loc_added_sum":"' in raw for raw in lines_of_day)
        negatives = sum(b'"loc_deleted_sum":-1' in raw for raw in lines_of_day)
        numbers = sum(b'"used_chat":1' in raw for raw in lines_of_day)
        nulls = sum(raw.count(b",null]") for raw in lines_of_day)
        fractions = sum(b'"loc_added_sum":2.5' in raw for raw in lines_of_day)
        huge = sum(b'"loc_deleted_sum":1844674407370955' in raw for raw in lines_of_day)
        assert strings and negatives and numbers and nulls and fractions and huge
        # A null breakdown element is warned and kept in extra, but it is no value that did not fit.
        assert arrow.mistyped_values == strings + negatives + numbers + fractions + huge
    for level in (Level.ENTERPRISE, Level.ORGANIZATION):
        user = by_arrow["tables"][(level, "user_daily")].to_pylist()
        skills = [json.loads(row["extra"])["totals_by_skill"] for row in user]
        assert skills == [[{"skill": "review", "count": (row["source_line"] - 1) % 7}] for row in user]
        ides = by_arrow["tables"][(level, "user_ide_daily")].to_pylist()
        assert ides and all(
            json.loads(row["extra"])["new_ide_field"] == f"x{row['source_line'] - 1}" for row in ides
        )
        # As the line path writes them: decoded, then encoded compact, keys in the line's order.
        untidy = [row["extra"] for row in user if row["source_line"] % 100 == 32]
        assert untidy and all(
            '"untidy":{"f":1.5,"e":"café /","s":[1,2],"z":0,"x":100.0}' in extra for extra in untidy
        )
        phases = [json.loads(row["extra"]) for row in user if row["source_line"] % 100 == 42]
        assert phases and all(e["ai_adoption_phase"] == {"assessed_by": "survey"} for e in phases)
        channels = [json.loads(row["extra"]) for row in ides if row["source_line"] % 100 == 44]
        assert channels and all(e["last_known_ide_version"] == {"channel": "beta"} for e in channels)
    arrow_curators = by_arrow["curators"]
    assert len(arrow_curators) == 2
    for curator in arrow_curators:
        assert curator.vector_blocks > 1 and curator.line_blocks == 0
        # Only the lines with a value that does not fit (a string, a negative count, a fraction, a
        # number beyond 64 bits): not the integral floats, not the whole block of a refused line.
        assert 0 < curator.lines_left_to_line_path < curator.lines / 15
    assert all(c.vector_blocks == 0 for c in by_lines["curators"])


def test_indexing_a_local_folder_loads_neither_duckdb_nor_boto3(tmp_path):
    # A fresh process, as a user runs it: DuckDB takes about half a second to load and boto3 a
    # third, a share of a day's indexing that `index` of a folder never uses (the CLI imports the
    # query module for every command, the indexer the storage module with its S3 adapter).
    archive(LocalFolderStorage(tmp_path), datetime(2025, 10, 13, 6, tzinfo=UTC))
    probe = (
        "import sys; from copilot_archive.cli import main; code = main(sys.argv[1:]); "
        "print(code, 'duckdb' in sys.modules, 'boto3' in sys.modules)"
    )
    command = [sys.executable, "-c", probe, "index", "--archive", str(tmp_path), "--no-progress"]

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 report-days indexed" in done.stdout
    assert done.stdout.split()[-3:] == ["0", "False", "False"]
