"""What the archive holds per report and scope (enterprise or organization): archived, empty, missing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..archiving.planner import Window, scope_reports
from ..core.exceptions import ArchiveError
from ..core.layout import (
    Scope,
    curated_month_file_key,
    manifest_key,
    manifest_listing_prefix,
    manifest_revision,
    manifests_prefix,
    parse_manifest_key,
)
from ..core.manifest import STATUS_EMPTY, Manifest
from ..core.reports import Report
from ..core.storage import Storage


@dataclass(frozen=True, slots=True)
class ReportStatus:
    report: Report
    scope: Scope
    archived: tuple[date, ...]
    empty: tuple[date, ...]
    missing: tuple[date, ...]
    unreadable: tuple[date, ...] = ()
    # Per indexed day, the names of the fields it held that no column types (index_status).
    unknown_fields: tuple[tuple[date, tuple[str, ...]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "report": self.report.value,
            self.scope.level.value: self.scope.slug,
            "archived": len(self.archived),
            "empty": len(self.empty),
            "missing": len(self.missing),
            "missing_days": day_ranges(self.missing),
            "unreadable_days": [d.isoformat() for d in self.unreadable],
        }
        if self.unknown_fields:
            item["unknown_fields"] = {day.isoformat(): list(names) for day, names in self.unknown_fields}
        return item

    def unknown_field_days(self) -> list[tuple[tuple[str, ...], list[str]]]:
        """Each set of unknown field names, with the days (folded into ranges) it was seen on."""
        days: dict[tuple[str, ...], list[date]] = {}
        for day, names in self.unknown_fields:
            days.setdefault(names, []).append(day)
        return [(names, day_ranges(tuple(sorted(seen)))) for names, seen in days.items()]


def archive_status(
    storage: Storage, prefix: str, scopes: tuple[Scope, ...], reports: tuple[Report, ...], window: Window
) -> list[ReportStatus]:
    """One listing and one manifest read per archived day; 28-day reports have no missing days
    (GitHub serves only the latest window), so only what is archived is shown for them."""
    statuses = []
    months: dict[str, list[dict[str, Any]]] = {}  # index_status month files, by key: read once
    for scope, report in scope_reports(scopes, reports):
        days: dict[date, str] = {}
        unreadable: list[date] = []
        for key in storage.list_keys(manifest_listing_prefix(prefix, report, scope.slug, scope.level)):
            try:
                report_day = parse_manifest_key(prefix, key)
            except ArchiveError:
                continue
            if manifest_revision(prefix, key):
                continue  # a later copy of a report-day listed already (REFETCH_RESTATED)
            try:
                manifest = Manifest.from_json(storage.get_bytes(manifest_key(prefix, report_day)), key)
            except ArchiveError:
                unreadable.append(report_day.day)
                continue
            days[report_day.day] = manifest.status
        archived = tuple(sorted(d for d, s in days.items() if s != STATUS_EMPTY))
        empty = tuple(sorted(d for d, s in days.items() if s == STATUS_EMPTY))
        known = days.keys() | set(unreadable)
        missing = tuple(d for d in window.days() if d not in known) if report.is_daily else ()
        unknown = _unknown_fields(storage, prefix, scope, report, archived, months)
        statuses.append(ReportStatus(report, scope, archived, empty, missing, tuple(unreadable), unknown))
    return statuses


def _unknown_fields(
    storage: Storage,
    prefix: str,
    scope: Scope,
    report: Report,
    days: tuple[date, ...],
    months: dict[str, list[dict[str, Any]]],
) -> tuple[tuple[date, tuple[str, ...]], ...]:
    """The unknown fields index_status recorded for the report's `days` (each month file of the
    scope read once into `months`; none yet: nothing indexed, nothing to say)."""
    import pyarrow.parquet as pq  # only here: the rest of status reads JSON manifests

    found = []
    for day in days:
        key = curated_month_file_key(prefix, "index_status", scope.slug, day, scope.level)
        if key not in months:
            rows: list[dict[str, Any]] = []
            if storage.size(key) is not None:
                table = pq.read_table(io.BytesIO(storage.get_bytes(key)))
                if "unknown_fields" in table.column_names:  # not in files written before it was
                    rows = [r for r in table.to_pylist() if r["unknown_fields"]]
            months[key] = rows
        for row in months[key]:
            if row["report"] == report.value and row["day"] == day:
                found.append((day, tuple(row["unknown_fields"].split(","))))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Holding:
    """What an archive holds of one scope: its report-days, and the first and last of their days."""

    scope: Scope
    first: date
    last: date
    report_days: int

    def __str__(self) -> str:
        plural = "" if self.report_days == 1 else "s"
        return f"{self.scope} {_range(self.first, self.last)} ({self.report_days} report-day{plural})"


def archive_holdings(storage: Storage, prefix: str) -> tuple[Holding, ...]:
    """Every scope with an archived report-day (its manifest), from one listing of the manifests."""
    days: dict[Scope, list[date]] = {}
    for key in storage.list_keys(manifests_prefix(prefix)):
        try:
            report_day = parse_manifest_key(prefix, key)
        except ArchiveError:
            continue
        if manifest_revision(prefix, key):
            continue  # a later copy of a report-day counted already (REFETCH_RESTATED)
        days.setdefault(report_day.scope, []).append(report_day.day)
    return tuple(Holding(scope, min(d), max(d), len(d)) for scope, d in sorted(days.items()))


def describe_holdings(holdings: tuple[Holding, ...]) -> str:
    """One line a person can act on: each scope and its days, or that there is none."""
    if not holdings:
        return "no archived report-day"
    return "; ".join(str(h) for h in holdings)


def day_ranges(days: tuple[date, ...]) -> list[str]:
    """Consecutive days folded into 'first..last' ranges, for a short human summary."""
    ranges: list[str] = []
    start = prev = None
    for day in days:
        if prev is not None and day == prev + timedelta(days=1):
            prev = day
            continue
        if start is not None and prev is not None:
            ranges.append(_range(start, prev))
        start = prev = day
    if start is not None and prev is not None:
        ranges.append(_range(start, prev))
    return ranges


def _range(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
