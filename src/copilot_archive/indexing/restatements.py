"""Restatements: a day that a 28-day report tells otherwise than the archived 1-day report did.

Every 28-day report repeats 28 days the archive already holds as 1-day reports, and GitHub has
changed published numbers before. When a 28-day report is indexed, each of its days is compared
with the archived 1-day report of the same scope and day (its newest copy): the totals line
metric by metric (every numeric top-level field), the users lines by user and metric. Each
difference is a row of `restatement_log`; rows are only ever added (see `merge_log`), so a later
report that agrees again leaves the record of the change in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.curated_schema import DAY_COLUMN, RESTATEMENT_LOG
from ..core.layout import ReportDay, manifest_key, revision_manifests_prefix
from ..core.manifest import Manifest
from ..core.reports import Report
from ..core.storage import Storage
from .curate import ARROW_TYPES, arrow_schema

# Bytes read from a raw file at a time.
READ_CHUNK = 8 * 1024 * 1024
# The 1-day report whose days each 28-day report repeats.
ONE_DAY_REPORT: Mapping[Report, Report] = {
    Report.ENTERPRISE_28_DAY: Report.ENTERPRISE_1_DAY,
    Report.ORGANIZATION_28_DAY: Report.ORGANIZATION_1_DAY,
    Report.USERS_28_DAY: Report.USERS_1_DAY,
}
# Numbers that name a thing rather than measure it: never compared.
IDENTIFIERS = frozenset({"user_id", "entity_id_partition", "enterprise_id", "organization_id"})
# What makes two rows of the log the same difference (first_seen is the earliest report's).
_SAME = ("day", "report", "metric", "user_id", "user_login", "archived_value", "restated_value")


@dataclass(frozen=True, slots=True)
class Difference:
    """One value of a day that the 28-day report restated; user_* are None for totals."""

    day: date
    report: Report
    metric: str
    user_id: int | None
    user_login: str | None
    archived_value: float | None
    restated_value: float | None


@dataclass(frozen=True, slots=True)
class _Archived:
    """One archived 1-day report-day's comparable values: totals, or users by user key."""

    manifest_key: str
    totals: dict[str, float | None] | None
    users: dict[Any, tuple[int | None, str | None, dict[str, float | None]]]


def metrics_of(record: Mapping[str, Any]) -> dict[str, float | None]:
    """The numeric top-level fields of a line (a null too: it may have been a number), as floats."""
    found: dict[str, float | None] = {}
    for name, value in record.items():
        if name in IDENTIFIERS:
            continue
        if value is None:
            found[name] = None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[name] = float(value)
    return found


def changed(
    archived: Mapping[str, float | None], restated: Mapping[str, float | None]
) -> Iterator[tuple[str, float | None, float | None]]:
    """(metric, archived, restated) for each metric both lines carry whose value differs. A field
    one line lacks is not compared: GitHub adds fields, and an older line never had them."""
    for metric in sorted(archived.keys() & restated.keys()):
        if archived[metric] != restated[metric]:
            yield metric, archived[metric], restated[metric]


def day_elements(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A totals line's day objects: a wrapper's `day_totals`, or the flat line itself."""
    elements = record.get("day_totals")
    if isinstance(elements, list):
        return [e for e in elements if isinstance(e, Mapping)]
    return [record]


def _user_key(record: Mapping[str, Any]) -> Any:
    user_id = record.get("user_id")
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else record.get("user_login")


def _records(storage: Storage, manifest: Manifest) -> Iterator[Mapping[str, Any]]:
    """The JSON objects of a report-day's files, line by line; a line that is not one is skipped
    (the 1-day report's own indexing reports it)."""
    for listed in manifest.files:
        stream = storage.open_read(listed.key)
        try:
            for line in _lines(stream):
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record
        finally:
            stream.close()


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """A stream's lines, read in chunks (an S3 body iterates in chunks, not lines)."""
    pending = b""
    while chunk := stream.read(READ_CHUNK):
        *complete, pending = (pending + chunk).split(b"\n")
        yield from complete
    if pending:
        yield pending


class Comparer:
    """Compares the days of one 28-day report-day with the archive's 1-day reports."""

    def __init__(self, storage: Storage, prefix: str, report_day: ReportDay) -> None:
        self.storage = storage
        self.prefix = prefix
        self.report_day = report_day
        self.one_day = ONE_DAY_REPORT[report_day.report]
        self._loaded: dict[date, _Archived | None] = {}

    def differences(self, manifest: Manifest) -> list[tuple[Difference, str]]:
        """Each difference with the key of the archived manifest it was compared with."""
        found: list[tuple[Difference, str]] = []
        for record in _records(self.storage, manifest):
            if self.one_day is Report.USERS_1_DAY:
                found.extend(self._user_differences(record))
            else:
                for element in day_elements(record):
                    found.extend(self._total_differences(element))
        return found

    def _total_differences(self, element: Mapping[str, Any]) -> Iterator[tuple[Difference, str]]:
        day = _day_of(element)
        archived = self._archived(day) if day else None
        if day is None or archived is None or archived.totals is None:
            return
        for metric, old, new in changed(archived.totals, metrics_of(element)):
            yield Difference(day, self.one_day, metric, None, None, old, new), archived.manifest_key

    def _user_differences(self, record: Mapping[str, Any]) -> Iterator[tuple[Difference, str]]:
        day = _day_of(record)
        archived = self._archived(day) if day else None
        if day is None or archived is None:
            return
        restated = metrics_of(record)
        key = _user_key(record)
        user_id, login, old_values = archived.users.get(key, (None, None, {}))
        if key not in archived.users:  # a user the archived day did not have: every value is new
            user_id, login = record.get("user_id"), record.get("user_login")
            old_values = dict.fromkeys((m for m, v in restated.items() if v is not None), None)
        for metric, old, new in changed(old_values, restated):
            yield Difference(day, self.one_day, metric, user_id, login, old, new), archived.manifest_key

    def _archived(self, day: date) -> _Archived | None:
        """The archived 1-day report of `day`, None when there is none (or it is empty). One day is
        held at a time: the 28-day files list their lines day by day."""
        if day in self._loaded:
            return self._loaded[day]
        self._loaded.clear()
        self._loaded[day] = archived = self._load(day)
        return archived

    def _load(self, day: date) -> _Archived | None:
        rd = self.report_day
        key = newest_manifest_key(self.storage, self.prefix, ReportDay(self.one_day, rd.slug, day, rd.level))
        if key is None:
            return None
        manifest = Manifest.from_json(self.storage.get_bytes(key), key)
        if not manifest.total_lines:
            return None  # archived empty: nothing to compare
        if self.one_day is not Report.USERS_1_DAY:
            for record in _records(self.storage, manifest):
                for element in day_elements(record):
                    if _day_of(element) in (day, None):
                        return _Archived(key, metrics_of(element), {})
            return None
        users = {
            _user_key(record): (record.get("user_id"), record.get("user_login"), metrics_of(record))
            for record in _records(self.storage, manifest)
        }
        return _Archived(key, None, users)


def newest_manifest_key(storage: Storage, prefix: str, report_day: ReportDay) -> str | None:
    """The key of the report-day's newest archived copy (a later copy, REFETCH_RESTATED's, beats
    the first); None when it was never archived."""
    later = sorted(storage.list_keys(revision_manifests_prefix(prefix, report_day)))
    if later:
        return later[-1]  # revision-NNNN.json: the zero-padded number sorts as text
    key = manifest_key(prefix, report_day)
    return key if storage.size(key) is not None else None


def with_restated_days(current: bytes | None, found: Iterable[tuple[str, date]], now: datetime) -> bytes:
    """The restated-days file (layout.restated_days_key) with each (report, day) of `found`
    noted as restated at `now`: the archiver fetches again a day whose newest copy is older."""
    days = json.loads(current)["report_days"] if current else []
    noted = {(d["report"], d["day"]): d for d in days}
    for report, day in found:
        noted[(report, day.isoformat())] = {
            "report": report,
            "day": day.isoformat(),
            "restated_at": now.isoformat(),
        }
    return json.dumps({"report_days": sorted(noted.values(), key=lambda d: (d["day"], d["report"]))}).encode()


def _day_of(record: Mapping[str, Any]) -> date | None:
    text = record.get("day")
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def log_rows(
    found: Iterable[tuple[Difference, str]], seen: ReportDay, first_seen: date | None = None
) -> pa.Table:
    """`found` as rows of restatement_log's month files (`day` the restated day), first seen on
    `first_seen` (by default the day of the report-day that showed them)."""
    rows = [
        {
            "report": d.report.value,
            "metric": d.metric,
            "user_id": d.user_id if isinstance(d.user_id, int) else None,
            "user_login": d.user_login if isinstance(d.user_login, str) else None,
            "archived_value": d.archived_value,
            "restated_value": d.restated_value,
            "first_seen": first_seen or seen.day,
            "restated_by": seen.report.value,
            "archived_manifest": key,
            "day": d.day,
        }
        for d, key in found
    ]
    return pa.Table.from_pylist(rows, schema=_file_schema())


def _file_schema() -> pa.Schema:
    return arrow_schema(RESTATEMENT_LOG).append(pa.field(DAY_COLUMN.name, ARROW_TYPES[DAY_COLUMN.type]))


def merge_log(current: bytes | None, found: pa.Table) -> tuple[pa.Table, list[dict[str, Any]]]:
    """A month file's rows with the new differences of `found` added (a difference seen before
    keeps its earliest first_seen), and the new ones. Never removes a row."""
    rows = pq.read_table(pa.BufferReader(current)).to_pylist() if current is not None else []
    by_key = {tuple(row[name] for name in _SAME): row for row in rows}
    added = []
    for row in found.to_pylist():
        key = tuple(row[name] for name in _SAME)
        known = by_key.get(key)
        if known is None:
            by_key[key] = row
            added.append(row)
        elif row["first_seen"] < known["first_seen"]:  # an older report, indexed later
            known.update(first_seen=row["first_seen"], restated_by=row["restated_by"])
    ordered = sorted(
        by_key.values(),
        key=lambda r: (r["day"], r["report"], r["user_login"] or "", r["metric"], r["first_seen"]),
    )
    return pa.Table.from_pylist(ordered, schema=_file_schema()), added
