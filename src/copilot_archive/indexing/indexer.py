"""The indexer: one archived report-day -> curated Parquet, catalog partitions and a status row.

For a manifest it checks every listed file (size up front; bytes, sha256 and lines while
streaming), curates the 1-day reports into one Parquet file per table, writes them all
only once the whole day curated cleanly (a bad line never leaves a half-indexed day),
registers the day's partitions and records the outcome in `index_status` - failures too.
The enterprise-level tables and index_status have a file a month: the day is merged into it
by a conditional write (see `Indexer._write_into_month`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core import clock
from ..core.curated_schema import (
    BILLING_USAGE_DAILY,
    CURATED_REPORTS,
    INDEX_STATUS,
    RESTATEMENT_LOG,
    CuratedTable,
    row_table,
    table_named,
)
from ..core.deadline import STALE_UPLOAD_AGE, Deadline
from ..core.exceptions import (
    ArchiveError,
    CatalogError,
    CurationError,
    InvalidRequest,
    ManifestError,
    StorageError,
    WriteConflict,
)
from ..core.layout import (
    ReportDay,
    curated_day_prefix,
    curated_file_key,
    curated_month_file_key,
    curated_month_prefix,
    curated_prefix,
    index_status_key,
    manifest_revision,
    manifests_prefix,
    month_text,
    parse_manifest_key,
    raw_day_prefix,
    raw_file_key,
    restated_days_key,
)
from ..core.manifest import ArchivedFile, Manifest
from ..core.observability import logger
from ..core.privacy import NO_PRIVACY, PrivacySettings
from ..core.reports import SERVED, Level, Report, raw_table_name
from ..core.seat_prices import DEFAULT_SEAT_PRICES
from ..core.storage import LocalFolderStorage, Storage
from .billing import curate_billing_day
from .billing_restatements import billing_differences
from .catalog import Catalog, NullCatalog, PartitionSpec
from .curate import BATCH_LINES, COMPRESSION, SMALL_FILE_OPTIONS, Curator, TableBatch, arrow_schema
from .events import IndexRequest
from .privacy import PER_PERSON_NAMES, Pseudonymizer, expire_per_person_rows
from .restatements import ONE_DAY_REPORT, Comparer, log_rows, merge_log, with_restated_days
from .seats import curate_seats

PARQUET = "application/vnd.apache.parquet"
JSON = "application/json"
# Raw files are read, and curated, in blocks of whole lines of about this size: big enough that
# Arrow parses each in one call at full speed, small enough that memory stays flat.
READ_CHUNK = 8 * 1024 * 1024
# Conditional writes of one month file before giving up while other invocations keep winning.
MONTH_WRITE_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class IndexResult:
    """What indexing one report-day did. `retryable`: the failure may pass (storage, catalog)."""

    report_day: ReportDay
    manifest_key: str
    indexed: bool
    rows: Mapping[str, int] = field(default_factory=dict)
    error: str = ""
    retryable: bool = False
    warnings: tuple[str, ...] = ()
    curated_bytes: int = 0
    mistyped_values: int = 0  # values left null in their column and kept in `extra`
    unknown_fields: tuple[str, ...] = ()  # names of the fields seen that no column types, sorted
    restated_values: int = 0  # differences from the archived 1-day reports not logged before

    def to_dict(self) -> dict[str, Any]:
        rd = self.report_day
        item: dict[str, Any] = {
            "report": rd.report.value,
            "enterprise": rd.slug,
            "day": rd.day.isoformat(),
            "manifest": self.manifest_key,
            "indexed": self.indexed,
        }
        if self.rows:
            item["rows"] = dict(self.rows)
            item["curated_bytes"] = self.curated_bytes
            item["mistyped_values"] = self.mistyped_values
            if self.unknown_fields:
                item["unknown_fields"] = list(self.unknown_fields)
        if self.error:
            item["error"] = self.error
            item["retryable"] = self.retryable
        if self.warnings:
            item["warnings"] = list(self.warnings)
        if self.restated_values:
            item["restated_values"] = self.restated_values
        return item


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """One invocation's results; `deferred` manifests were left for lack of time."""

    results: tuple[IndexResult, ...]
    deferred: tuple[str, ...] = ()

    @property
    def indexed(self) -> int:
        return sum(1 for r in self.results if r.indexed)

    @property
    def failed(self) -> list[IndexResult]:
        return [r for r in self.results if not r.indexed]

    @property
    def retryable(self) -> list[IndexResult]:
        return [r for r in self.failed if r.retryable]

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        """The names of the fields no column types, seen in any report-day indexed, sorted."""
        return tuple(sorted({name for r in self.results for name in r.unknown_fields}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {"indexed": self.indexed, "failed": len(self.failed), "deferred": len(self.deferred)},
            "results": [r.to_dict() for r in self.results],
            "deferred": list(self.deferred),
        }


class _CheckedLines:
    """The lines of a stream in blocks of whole lines, read in chunks (never the whole file),
    hashed and their bytes counted on the way (their lines are counted where they are split:
    `Curator.raw_lines`)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._sha256 = hashlib.sha256()
        self.bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        pending: list[bytes] = []  # the start of a line the chunks so far have not ended
        while chunk := self._stream.read(READ_CHUNK):
            self._sha256.update(chunk)
            self.bytes += len(chunk)
            end = chunk.rfind(b"\n") + 1
            if not end:
                pending.append(chunk)  # a line longer than a chunk
                continue
            yield b"".join((*pending, memoryview(chunk)[:end]))  # one copy, not two
            pending = [chunk[end:]] if end < len(chunk) else []
        if pending:
            yield b"".join(pending)

    def check(self, listed: ArchivedFile, lines: int) -> None:
        """ManifestError when what was read (its `lines` counted by the reader) is not what the
        manifest lists."""
        read = (self.bytes, self._sha256.hexdigest(), lines)
        if read != (listed.bytes, listed.sha256, listed.lines):
            raise ManifestError(
                f"{listed.key}: read {self.bytes} bytes, {read[2]} lines, sha256 {read[1]}; "
                f"the manifest lists {listed.bytes} bytes, {listed.lines} lines, sha256 {listed.sha256}"
            )


def _read_ahead(blocks: Iterable[bytes]) -> Generator[bytes, None, None]:
    """The blocks, each read (and hashed, counted) on a thread while the one before is curated:
    reading and hashing release the GIL, so they take the other core."""
    iterator = iter(blocks)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(next, iterator, b"")
        while block := ahead.result():  # a block is never empty
            ahead = pool.submit(next, iterator, b"")
            yield block


class _ParquetSink:
    """One table's Parquet file for one report-day, built in memory (a small share of the raw),
    its batches encoded and compressed on `writer`'s thread (Parquet releases the GIL) while the
    next ones are curated. A monthly table's sink keeps its rows too: they go into the month file,
    never read back."""

    def __init__(self, table: CuratedTable, writer: Executor) -> None:
        self._out = pa.BufferOutputStream()
        self._schema = arrow_schema(table)
        self._writer = pq.ParquetWriter(self._out, self._schema, compression=COMPRESSION)
        self._batches: list[pa.Table] | None = [] if table.monthly else None
        self._thread = writer
        self._writes: list[Future[None]] = []

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        # One thread writes every sink, in the order given: a sink's batches stay in order.
        self._writes.append(self._thread.submit(self._writer.write, batch))
        if self._batches is not None:
            self._batches.append(batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch]))

    def rows(self) -> pa.Table:
        """A monthly table's rows of the day."""
        assert self._batches is not None, "kept for monthly tables only"
        return pa.concat_tables(self._batches) if self._batches else self._schema.empty_table()

    def close(self) -> bytes:
        for written in self._writes:
            written.result()  # its error, if it failed
        self._writer.close()
        return bytes(self._out.getvalue().to_pybytes())


class Indexer:
    """Indexes report-days of the archive at `prefix` on `storage`, registering them in `catalog`."""

    def __init__(
        self,
        storage: Storage,
        catalog: Catalog,
        prefix: str,
        now: Callable[[], datetime] = clock.utc_now,
        batch_lines: int = BATCH_LINES,
        seat_prices: tuple[tuple[str, float], ...] = DEFAULT_SEAT_PRICES,
        privacy: PrivacySettings = NO_PRIVACY,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.prefix = prefix
        self.now = now
        self.batch_lines = batch_lines
        self.seat_prices = seat_prices
        self.privacy = privacy
        key = privacy.pseudonym_key
        self._pseudonymizer = Pseudonymizer(key) if key is not None else None
        # While index_month runs: the month files' rows to write at its end, by key,
        self._held: dict[str, _HeldMonth] | None = None
        # and the index_status month files read so far (each read once, not once a report-day).
        self._statuses: dict[str, pa.Table | None] = {}

    # ---- entry points --------------------------------------------------------------

    def run(self, request: IndexRequest, deadline: Deadline | None = None) -> IndexSummary:
        """Index what a handler event asks; manifests not started before the deadline are deferred."""
        keys = list(request.manifest_keys)
        if request.rebuild is not None:
            keys.extend(self.manifests_between(*request.rebuild))
        deadline = deadline or Deadline.never()
        results: list[IndexResult] = []
        for position, key in enumerate(keys):
            if deadline.expired():
                return IndexSummary(tuple(results), tuple(keys[position:]))
            results.append(self.index_manifest(key))
        return IndexSummary(tuple(results))

    def rebuild(self, from_day: date, to_day: date) -> list[IndexResult]:
        """Re-index every report-day from `from_day` to `to_day` that has a manifest."""
        return [self.index_manifest(key) for key in self.manifests_between(from_day, to_day)]

    def manifests_between(self, from_day: date, to_day: date) -> list[str]:
        """Manifest keys of every report and scope (one listing per report and level), oldest first."""
        found: list[tuple[ReportDay, str]] = []
        for level, report in SERVED:
            for key in newest_copies(
                self.prefix, self.storage.list_keys(manifests_prefix(self.prefix, report, level))
            ):
                report_day = parse_manifest_key(self.prefix, key)
                if from_day <= report_day.day <= to_day:
                    found.append((report_day, key))
        return [key for _, key in sorted(found, key=lambda item: (item[0].day, item[0].level, item[0].slug))]

    def index_manifest(self, manifest_key: str) -> IndexResult:
        """Index one report-day; failures are recorded and returned, never half-written.

        InvalidRequest when the key is not a manifest key of this archive (nothing to record).
        """
        return self._record(*self._index_unrecorded(manifest_key))

    def index_month(self, manifest_keys: Iterable[str], force: bool = False) -> list[IndexResult]:
        """Index the report-days of `manifest_keys` (one scope's month, for the CLI) that need it,
        writing each month file once at the end rather than once per report-day: a month's
        files are rewritten whole, so day by day a month costs its days squared.

        The index_status rows are written last, so a killed run leaves these days to index again.
        """
        self._held = {}
        try:
            done = [self._index_unrecorded(key) for key in manifest_keys if force or self.needs_index(key)]
            held, self._held = self._held, None
        finally:
            self._held = None
            self._statuses.clear()
        not_written = self._write_held(held)
        results = [
            replace(result, indexed=False, error=not_written[result.manifest_key], retryable=True, rows={})
            if result.manifest_key in not_written
            else result
            for result, _ in done
        ]
        return self._record_all(results, [manifest for _, manifest in done])

    def _index_unrecorded(self, manifest_key: str) -> tuple[IndexResult, Manifest | None]:
        report_day = parse_manifest_key(self.prefix, manifest_key)
        manifest: Manifest | None = None
        try:
            manifest = self._read_manifest(manifest_key, report_day)
            self._check_sizes(manifest_key, manifest)
            result = self._index(manifest_key, manifest)
        except (ManifestError, CurationError) as exc:
            result = IndexResult(report_day, manifest_key, indexed=False, error=str(exc))
        except (StorageError, CatalogError) as exc:
            result = IndexResult(report_day, manifest_key, indexed=False, error=str(exc), retryable=True)
        if not result.indexed:
            logger.error(
                "report-day not indexed",
                extra={"manifest": manifest_key, "error": result.error, "retryable": result.retryable},
            )
            result = self._register_status_partition(result)
        return result, manifest

    # ---- steps ---------------------------------------------------------------------

    def _read_manifest(self, key: str, report_day: ReportDay) -> Manifest:
        if self.storage.size(key) is None:
            raise ManifestError(f"{key}: no manifest at this key")
        manifest = Manifest.from_json(self.storage.get_bytes(key), key)
        if manifest.report_day != report_day:
            raise ManifestError(f"{key}: the manifest describes {manifest.report_day}, not {report_day}")
        # The layout fixes every file's key: a manifest never makes the indexer read elsewhere.
        later_copy = manifest_revision(self.prefix, key)
        for index, listed in enumerate(manifest.files):
            expected = raw_file_key(self.prefix, report_day, index, manifest.revision, later_copy)
            if listed.key != expected:
                raise ManifestError(
                    f"{key}: file {index} is listed as {listed.key!r}, the layout says {expected}"
                )
        return manifest

    def _check_sizes(self, key: str, manifest: Manifest) -> None:
        problems = []
        for listed in manifest.files:
            size = self.storage.size(listed.key)
            if size is None:
                problems.append(f"{listed.key} is missing")
            elif size != listed.bytes:
                problems.append(f"{listed.key} is {size} bytes, the manifest lists {listed.bytes}")
        if problems:
            raise ManifestError(f"{key}: " + "; ".join(problems))

    def _index(self, key: str, manifest: Manifest) -> IndexResult:
        report_day = manifest.report_day
        rows: dict[str, int] = {}
        warnings: tuple[str, ...] = ()
        files: dict[str, bytes] = {}
        mistyped = 0
        unknown: tuple[str, ...] = ()
        if report_day.report in CURATED_REPORTS:
            files, monthly, rows, warnings, mistyped, unknown = self._curate(manifest)
            oldest_kept = self._oldest_kept_day()
            if oldest_kept is not None and report_day.day < oldest_kept:
                # Past USER_DATA_RETENTION_DAYS: the day's totals are kept, its people are not.
                files = {name: data for name, data in files.items() if name not in PER_PERSON_NAMES}
                rows = {name: count for name, count in rows.items() if name not in PER_PERSON_NAMES}
            # Every table's file is written only now that the whole day curated cleanly.
            for name, data in files.items():
                table = table_named(name)
                if table.monthly:
                    rows_of_day = monthly[name]
                    if self._held is not None:
                        self._hold(table, report_day, rows_of_day, None, key)
                    else:
                        self._write_into_month(table, report_day, rows_of_day)
                else:
                    self.storage.put_bytes(self._curated_key(report_day, name), data, PARQUET)
        specs = self._partitions(report_day, files, manifest.revision)
        restated = 0
        if report_day.report in ONE_DAY_REPORT or report_day.report is Report.BILLING_USAGE:
            restated, logged = self._log_restatements(manifest)
            specs.extend(logged)
        self.catalog.register_partitions(specs)
        curated_bytes = sum(len(data) for data in files.values())
        logger.info(
            "report-day indexed", extra={"manifest": key, "rows": rows, "curated_bytes": curated_bytes}
        )
        return IndexResult(
            report_day,
            key,
            True,
            rows,
            warnings=warnings,
            curated_bytes=curated_bytes,
            mistyped_values=mistyped,
            unknown_fields=unknown,
            restated_values=restated,
        )

    def _log_restatements(self, manifest: Manifest) -> tuple[int, list[PartitionSpec]]:
        """Compare a 28-day report's days with the archived 1-day reports (a billing day's
        revision with the one before it) and add what differs to restatement_log (a month file
        per restated day's month): how many differences were new, and the partitions written."""
        rd = manifest.report_day
        first_seen = None
        if rd.report is Report.BILLING_USAGE:  # a revision against the one before it
            differences = billing_differences(self.storage, self.prefix, manifest)
            first_seen = manifest.fetched_at.date()
        else:
            differences = Comparer(self.storage, self.prefix, rd).differences(manifest)
        by_month: dict[str, list[Any]] = {}
        for found in differences:
            by_month.setdefault(month_text(found[0].day), []).append(found)
        added: list[dict[str, Any]] = []
        specs = []
        name = RESTATEMENT_LOG.name
        for month, found_in_month in sorted(by_month.items()):
            first = found_in_month[0][0].day
            key = curated_month_file_key(self.prefix, name, rd.slug, first, rd.level)
            found_rows = log_rows(found_in_month, rd, first_seen)
            if self._pseudonymizer is not None:  # the log names people too
                found_rows = self._pseudonymizer.batch(RESTATEMENT_LOG, found_rows)
            added += self._merge_log(key, found_rows)
            location = curated_month_prefix(self.prefix, name, rd.slug, first, rd.level)
            specs.append(PartitionSpec(rd.level.table_name(name), (rd.slug, month), location))
        if added:
            logger.info("restated values found", extra={"report_day": str(rd), "new": len(added)})
        if added and rd.report is not Report.BILLING_USAGE:  # billing days are re-fetched by its window
            days = {(row["report"], row["day"]) for row in added}
            key = restated_days_key(self.prefix, rd.scope)
            self._conditional_write(key, lambda current: with_restated_days(current, days, self.now()), JSON)
        return len(added), specs

    def _merge_log(self, key: str, found: pa.Table) -> list[dict[str, Any]]:
        """Add `found` to the restatement_log month file at `key`: the rows that were new."""
        added: list[dict[str, Any]] = []

        def merged(current: bytes | None) -> bytes:
            try:
                rows, new = merge_log(current, found)
            except pa.ArrowException as exc:
                raise StorageError(f"{key} is not readable Parquet: delete it and index again") from exc
            added[:] = new
            return _parquet_bytes(rows)

        self._conditional_write(key, merged, PARQUET)
        return added

    def _conditional_write(
        self, key: str, change: Callable[[bytes | None], bytes], content_type: str
    ) -> None:
        """Replace the object at `key` by `change` of it, only if it is still what was read: a
        writer that lost reads the winner's object and changes it again. The same bytes again
        write nothing."""
        for _ in range(MONTH_WRITE_ATTEMPTS):
            current = self.storage.read_tagged(key)
            data = change(current.data if current else None)
            if current is not None and data == current.data:
                return  # nothing changed: nothing to write
            try:
                tag = current.tag if current else None
                self.storage.put_bytes(
                    key, data, content_type, only_if_absent=current is None, only_if_tag=tag
                )
                return
            except WriteConflict:
                continue
        raise StorageError(f"{key}: other invocations kept changing it over {MONTH_WRITE_ATTEMPTS} attempts")

    def _curate(
        self, manifest: Manifest
    ) -> tuple[dict[str, bytes], dict[str, pa.Table], dict[str, int], tuple[str, ...], int, tuple[str, ...]]:
        """Each table's Parquet file of the day, the monthly tables' rows, rows per table,
        warnings, the count of values that did not fit their columns and the names of the
        fields no column types."""
        report_day = manifest.report_day
        if report_day.report is Report.COPILOT_SEATS:  # pages of JSON, not report lines
            files, rows, mistyped = curate_seats(
                self.storage, manifest, self.seat_prices, self._pseudonymizer
            )
            return files, {}, rows, (), mistyped, ()  # no monthly table among them
        if report_day.report is Report.BILLING_USAGE:  # CSV of the current revision, not report lines
            # The day's partition file is replaced whole: a revision's rows replace the earlier's.
            table, warnings, mistyped = curate_billing_day(self.storage, manifest)
            if self._pseudonymizer is not None:  # billing lines name people (username)
                table = self._pseudonymizer.batch(BILLING_USAGE_DAILY, table)
            name = BILLING_USAGE_DAILY.name
            return {name: _parquet_bytes(table)}, {}, {name: table.num_rows}, warnings, mistyped, ()
        curator = Curator(report_day.report, report_day.day, self.batch_lines)
        with ThreadPoolExecutor(max_workers=1) as writer:
            # Every table gets a file, empty ones too, so a re-index replaces all of the old rows.
            sinks = {table.name: _ParquetSink(table, writer) for table in curator.tables}
            for part, listed in enumerate(manifest.files):
                stream = self.storage.open_read(listed.key)
                try:
                    lines = _CheckedLines(stream)
                    lines_before = curator.raw_lines
                    # Closed (its read under way ended) before the stream is, whatever happens.
                    with closing(_read_ahead(lines)) as blocks:
                        for batch in curator.curate_blocks(blocks, key=listed.key, part=part):
                            sinks[batch.table.name].write(self._people_hidden(batch))
                    lines.check(listed, curator.raw_lines - lines_before)
                finally:
                    stream.close()
            for batch in curator.finish():
                sinks[batch.table.name].write(self._people_hidden(batch))
            files = {name: sink.close() for name, sink in sinks.items()}
        if report_day.report is Report.USERS_1_DAY and (
            curator.line_blocks or curator.lines_left_to_line_path
        ):
            # Lines Arrow could not curate as they are (values that do not fit, blank lines...)
            # take the slow path: a block when one of its lines is not one JSON object.
            logger.info(
                "blocks curated line by line",
                extra={
                    "line_blocks": curator.line_blocks,
                    "arrow_blocks": curator.vector_blocks,
                    "lines_left_to_line_path": curator.lines_left_to_line_path,
                },
            )
        warnings = tuple(curator.warnings)
        if curator.warning_count > len(warnings):
            warnings += (f"... and {curator.warning_count - len(warnings)} more warnings",)
        monthly = {name: sink.rows() for name, sink in sinks.items() if table_named(name).monthly}
        unknown = tuple(sorted(curator.unknown_fields))
        return files, monthly, dict(curator.rows), warnings, curator.mistyped, unknown

    def _people_hidden(self, batch: TableBatch) -> pa.RecordBatch | pa.Table:
        """The batch as it is written: its people pseudonymised when PSEUDONYMIZE_USERS is on."""
        if self._pseudonymizer is None:
            return batch.batch
        return self._pseudonymizer.batch(batch.table, batch.batch)

    def expire_per_person_rows(self) -> list[str]:
        """Delete the curated per-person files of days past USER_DATA_RETENTION_DAYS (none when
        it is off); the keys deleted."""
        oldest_kept = self._oldest_kept_day()
        if oldest_kept is None:
            return []
        deleted = expire_per_person_rows(self.storage, self.prefix, oldest_kept)
        if deleted:
            logger.info(
                "per-person rows expired", extra={"files_deleted": len(deleted), "before": str(oldest_kept)}
            )
        return deleted

    def _oldest_kept_day(self) -> date | None:
        """The oldest report-day whose per-person rows are kept; None without a retention."""
        if self.privacy.retention_days is None:
            return None  # and the clock is not asked
        return self.privacy.oldest_kept_day(self.now().date())

    def _curated_key(self, report_day: ReportDay, table: str) -> str:
        return curated_file_key(self.prefix, table, report_day.slug, report_day.day, report_day.level)

    def _write_into_month(
        self, table: CuratedTable, report_day: ReportDay, rows: pa.Table, report: str | None = None
    ) -> None:
        """Put one day's rows (of one `report`, in index_status) into its month file, in place
        of the rows that day (and report) had there.

        Invocations indexing days of one month at once each read the month file, merge their
        day into it and write it back only if it is still the file they read (a conditional
        write); a writer that lost reads the winner's file and merges again. So no day is lost,
        and a re-indexed day's rows replace its old ones, never add to them.
        """
        rd = report_day
        key = curated_month_file_key(self.prefix, table.name, rd.slug, rd.day, rd.level)
        self._merge_into_month(key, table, [_DayRows(rd.day, report, rows)])

    def _merge_into_month(self, key: str, table: CuratedTable, days: list[_DayRows]) -> None:
        """Put `days` (oldest written first) into the month file at `key` by a conditional write."""

        def merged(current: bytes | None) -> bytes:
            try:
                return _month_file(table, current, days)
            except pa.ArrowException as exc:
                raise StorageError(f"{key} is not readable Parquet: delete it and rebuild its month") from exc

        self._conditional_write(key, merged, PARQUET)

    def _hold(
        self, table: CuratedTable, rd: ReportDay, rows: pa.Table, report: str | None, manifest_key: str
    ) -> None:
        assert self._held is not None
        key = curated_month_file_key(self.prefix, table.name, rd.slug, rd.day, rd.level)
        held = self._held.setdefault(key, _HeldMonth(table))
        held.days.append(_DayRows(rd.day, report, rows))
        held.manifest_keys.append(manifest_key)

    def _write_held(self, held: Mapping[str, _HeldMonth]) -> dict[str, str]:
        """Write the held month files; the error of each report-day whose rows were not written."""
        not_written: dict[str, str] = {}
        for key, month in held.items():
            try:
                self._merge_into_month(key, month.table, month.days)
            except StorageError as exc:
                logger.error("month file not written", extra={"key": key, "error": str(exc)})
                not_written.update(dict.fromkeys(month.manifest_keys, str(exc)))
        return not_written

    def _record_all(self, results: list[IndexResult], manifests: list[Manifest | None]) -> list[IndexResult]:
        """`_record` for many report-days: each index_status month file written once."""
        self._held = {}
        try:
            for result, manifest in zip(results, manifests, strict=True):
                row = self._status_row(result, manifest)
                report = result.report_day.report.value
                self._hold(INDEX_STATUS, result.report_day, row, report, result.manifest_key)
            held, self._held = self._held, None
        finally:
            self._held = None
        not_written = self._write_held(held)
        recorded = []
        for result in results:
            error = not_written.get(result.manifest_key)
            if error is not None:
                logger.error("index status not written", extra={"manifest": result.manifest_key})
                error = "; ".join(filter(None, (result.error, error)))
                result = replace(result, indexed=False, error=error, retryable=True)
            recorded.append(result)
        return recorded

    def _partitions(
        self, report_day: ReportDay, tables: Iterable[str], revision: int | None = None
    ) -> list[PartitionSpec]:
        """The raw partition (of the current revision, for revised kinds: the raw table reads
        the day once), each curated one written, and the status one."""
        values = (report_day.slug, report_day.day.isoformat())
        level = report_day.level
        raw_table = raw_table_name(report_day.report, level)
        specs = [PartitionSpec(raw_table, values, raw_day_prefix(self.prefix, report_day, revision))]
        for table in (*tables, INDEX_STATUS.name):
            rd = report_day
            name = table_named(table).name_at(level)
            if table_named(table).monthly:
                location = curated_month_prefix(self.prefix, table, rd.slug, rd.day, level)
                specs.append(PartitionSpec(name, (rd.slug, month_text(rd.day)), location))
                continue
            location = curated_day_prefix(self.prefix, table, rd.slug, rd.day, level)
            specs.append(PartitionSpec(name, values, location))
        return specs

    def _register_status_partition(self, result: IndexResult) -> IndexResult:
        """A failure is recorded too, so its status partition must be known to the catalog."""
        try:
            self.catalog.register_partitions(self._partitions(result.report_day, ())[1:])
        except CatalogError as exc:
            logger.error("status partition not registered", extra={"manifest": result.manifest_key})
            return replace(result, error=f"{result.error}; {exc}", retryable=True)
        return result

    def _record(self, result: IndexResult, manifest: Manifest | None) -> IndexResult:
        """Write the report-day's index_status row; a failure to write it makes the result retryable."""
        try:
            row = self._status_row(result, manifest)
            self._write_into_month(INDEX_STATUS, result.report_day, row, result.report_day.report.value)
        except StorageError as exc:
            logger.error("index status not written", extra={"manifest": result.manifest_key})
            return replace(
                result, indexed=False, error="; ".join(filter(None, (result.error, str(exc)))), retryable=True
            )
        return result

    def _status_row(self, result: IndexResult, manifest: Manifest | None) -> pa.Table:
        rows_table = (
            row_table(result.report_day.report) if result.report_day.report in CURATED_REPORTS else None
        )
        row = {
            "report": result.report_day.report.value,
            "manifest_status": manifest.status if manifest else None,
            "files": len(manifest.files) if manifest else None,
            "bytes": manifest.total_bytes if manifest else None,
            "lines": manifest.total_lines if manifest else None,
            "rows": result.rows.get(rows_table.name) if result.rows and rows_table else None,
            "indexed": result.indexed,
            "error": result.error or None,
            "indexed_at": self.now(),
            "manifest_key": result.manifest_key,
            "mistyped_values": result.mistyped_values if result.rows else None,
            "unknown_fields": ",".join(result.unknown_fields) or None,
        }
        return pa.Table.from_pylist([row], schema=arrow_schema(INDEX_STATUS))

    # ---- for the CLI ---------------------------------------------------------------

    def needs_index(self, manifest_key: str) -> bool:
        """No status yet, a failed one, or one older than the manifest (the day was re-archived)."""
        report_day = parse_manifest_key(self.prefix, manifest_key)
        try:
            month = self._status_month(index_status_key(self.prefix, report_day))
            if month is None:
                return True
            mine = pc.and_kleene(
                pc.equal(month["day"], report_day.day), pc.equal(month["report"], report_day.report.value)
            )
            status = month.filter(mine).to_pylist()[0]
            manifest = Manifest.from_json(self.storage.get_bytes(manifest_key), manifest_key)
        except (ArchiveError, pa.ArrowException, IndexError, KeyError):
            return True
        indexed_at = status.get("indexed_at")
        return not status.get("indexed") or indexed_at is None or indexed_at < manifest.fetched_at

    def _status_month(self, status_key: str) -> pa.Table | None:
        """An index_status month file, read once while index_month runs (it writes it only at its end)."""
        if status_key in self._statuses:
            return self._statuses[status_key]
        month = None
        if self.storage.size(status_key) is not None:
            month = _parquet_table(self.storage.get_bytes(status_key))
        if self._held is not None:
            self._statuses[status_key] = month
        return month


@dataclass(frozen=True, slots=True)
class _DayRows:
    """A day's rows of a month file (and of one report, in index_status)."""

    day: date
    report: str | None
    rows: pa.Table


@dataclass(slots=True)
class _HeldMonth:
    """The rows for one month file held back while a month is indexed, and whose they are."""

    table: CuratedTable
    days: list[_DayRows] = field(default_factory=list)
    manifest_keys: list[str] = field(default_factory=list)


def _month_file(table: CuratedTable, current: bytes | None, days: list[_DayRows]) -> bytes:
    """The month file with each of `days` as the rows of its day (and report), written in that
    order: the others kept, oldest day first, a day's latest write first (as one write at a time)."""
    schema = arrow_schema(table).append(pa.field("day", pa.date32()))
    parts = []
    replaced: dict[str | None, set[date]] = {}
    for written in reversed(days):
        if written.day in replaced.get(written.report, ()):
            continue  # written again later in the batch: the later rows stand
        replaced.setdefault(written.report, set()).add(written.day)
        day_column = pa.array([written.day] * written.rows.num_rows, pa.date32())
        parts.append(written.rows.append_column("day", day_column))
    # Conformed once, not once a day: column by column, that was most of a month's write.
    parts = [_conformed(pa.concat_tables(parts, promote_options="permissive"), schema)] if parts else []
    if current is not None:
        kept = _parquet_table(current)
        for report, replaced_days in replaced.items():
            mine = pc.is_in(kept["day"], value_set=pa.array(sorted(replaced_days), pa.date32()))
            if report is not None:
                mine = pc.and_kleene(mine, pc.equal(kept["report"], report))
            kept = kept.filter(pc.invert(mine))
        parts.append(_conformed(kept, schema))
    # sort_by is stable: each day's rows keep the order they were curated in.
    return _parquet_bytes(pa.concat_tables(parts).sort_by("day"))


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` in `schema`'s columns and types: a column added to the contract since is null."""
    columns = [
        table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _parquet_table(data: bytes) -> pa.Table:
    """A Parquet file's rows. ParquetFile, not read_table: its dataset machinery (and masks, not
    filter expressions, which need it too) cost every indexer process ~12 ms to import."""
    return pq.ParquetFile(pa.BufferReader(data)).read()


def _parquet_bytes(table: pa.Table) -> bytes:
    out = pa.BufferOutputStream()
    pq.write_table(table, out, **SMALL_FILE_OPTIONS)
    return bytes(out.getvalue().to_pybytes())


# Fewer manifests than this are indexed in this process: starting workers costs more.
PARALLEL_FROM_MANIFESTS = 100


def index_archive(
    storage: Storage,
    prefix: str,
    catalog: Catalog | None = None,
    on_result: Callable[[IndexResult], None] | None = None,
    *,
    force: bool = False,
    now: Callable[[], datetime] = clock.utc_now,
    workers: int = 1,
    on_start: Callable[[int], None] | None = None,
    on_checked: Callable[[int], None] | None = None,
    privacy: PrivacySettings = NO_PRIVACY,
    seat_prices: tuple[tuple[str, float], ...] = DEFAULT_SEAT_PRICES,
) -> list[IndexResult]:
    """Index every manifest of the archive that needs it (see `Indexer.needs_index`), or all of
    them with `force`. For the local CLI: `catalog` defaults to NullCatalog. For progress,
    `on_start` learns how many manifests there are, `on_checked` how many more were looked at.

    With `workers` > 1 and a local folder, report-days are indexed in that many processes, a
    scope's month at a time: month files are per scope and month, so no two processes ever
    write the same file (and writes are conditional anyway). With USER_DATA_RETENTION_DAYS
    (`privacy`), the per-person files past it are deleted at the end. Seat snapshots are priced
    at `seat_prices` (the SEAT_PRICES setting)."""
    remove_stale_uploads(storage, prefix, clock.utc_now())
    keys = newest_copies(prefix, storage.list_keys(manifests_prefix(prefix)))
    if on_start is not None:
        on_start(len(keys))
    batches = _by_scope_and_month(prefix, sorted(keys))
    parallel = workers > 1 and len(keys) >= PARALLEL_FROM_MANIFESTS
    if parallel and catalog is None and isinstance(storage, LocalFolderStorage):
        done = _index_in_processes(storage.root, prefix, batches, force, workers, privacy, seat_prices)
    else:
        indexer = Indexer(
            storage, catalog or NullCatalog(), prefix, now, seat_prices=seat_prices, privacy=privacy
        )
        done = ((batch, indexer.index_month(batch, force)) for batch in batches)
    results: list[IndexResult] = []
    for batch, indexed in done:
        for result in indexed:
            if on_result is not None:
                on_result(result)
            results.append(result)
        if on_checked is not None:
            on_checked(len(batch))
    Indexer(storage, NullCatalog(), prefix, now, privacy=privacy).expire_per_person_rows()
    return sorted(results, key=lambda r: r.manifest_key)


def newest_copies(prefix: str, keys: Iterable[str]) -> list[str]:
    """The manifest keys among `keys`, the newest copy of each report-day only (a later copy,
    REFETCH_RESTATED's, is what the curated tables read), in the order first met."""
    newest: dict[ReportDay, tuple[int, str]] = {}
    for key in keys:
        try:
            report_day = parse_manifest_key(prefix, key)
        except InvalidRequest:
            continue
        revision = manifest_revision(prefix, key)
        if report_day not in newest or revision > newest[report_day][0]:
            newest[report_day] = (revision, key)
    return [key for _, key in newest.values()]


def remove_stale_uploads(storage: Storage, prefix: str, now: datetime) -> int:
    """Remove the temporary files a killed local run left under curated/ (begun longer ago than
    any run lasts). The Lambda indexer writes each curated object in one PUT, which leaves
    nothing when killed, so only local runs (index_archive) need this. Never fails the run.
    `now` is the wall clock's: file times and S3's Initiated are, whatever clock a run is given."""
    try:
        removed = storage.remove_stale_uploads(curated_prefix(prefix), now - STALE_UPLOAD_AGE)
    except ArchiveError as exc:
        logger.warning("could not remove the uploads of killed runs", extra={"reason": str(exc)})
        return 0
    if removed:
        logger.info("removed the unfinished uploads of killed runs", extra={"stale_uploads_removed": removed})
    return removed


def _by_scope_and_month(prefix: str, keys: list[str]) -> list[list[str]]:
    """The keys by the month files they write: their scope's and month's."""
    batches: dict[tuple[Level, str, str], list[str]] = {}
    for key in keys:
        rd = parse_manifest_key(prefix, key)
        batches.setdefault((rd.level, rd.slug, month_text(rd.day)), []).append(key)
    return list(batches.values())


def _index_in_processes(
    root: Path,
    prefix: str,
    batches: list[list[str]],
    force: bool,
    workers: int,
    privacy: PrivacySettings,
    seat_prices: tuple[tuple[str, float], ...],
) -> Iterator[tuple[list[str], list[IndexResult]]]:
    """Each batch (its keys, its results) as a worker process finishes it."""
    # Imported here: only `copilot-archive index --workers` runs processes, never the Lambda.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a fresh interpreter per worker, never a fork of a process with threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        level = logger.log_level  # the workers log as this process does
        futures = {
            pool.submit(_index_batch, str(root), prefix, batch, force, level, privacy, seat_prices): batch
            for batch in batches
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


def _index_batch(
    root: str,
    prefix: str,
    keys: list[str],
    force: bool,
    log_level: int,
    privacy: PrivacySettings,
    seat_prices: tuple[tuple[str, float], ...],
) -> list[IndexResult]:
    """One worker process's share: the report-days of one scope and month, in order."""
    logger.setLevel(log_level)
    storage = LocalFolderStorage(root)
    indexer = Indexer(storage, NullCatalog(), prefix, seat_prices=seat_prices, privacy=privacy)
    return indexer.index_month(keys, force)
