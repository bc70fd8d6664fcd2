"""What the archive holds per report and scope (enterprise or organization): archived, empty, missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..archiving.planner import Window, scope_reports
from ..core.exceptions import ArchiveError
from ..core.layout import (
    Scope,
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report.value,
            self.scope.level.value: self.scope.slug,
            "archived": len(self.archived),
            "empty": len(self.empty),
            "missing": len(self.missing),
            "missing_days": day_ranges(self.missing),
            "unreadable_days": [d.isoformat() for d in self.unreadable],
        }


def archive_status(
    storage: Storage, prefix: str, scopes: tuple[Scope, ...], reports: tuple[Report, ...], window: Window
) -> list[ReportStatus]:
    """One listing and one manifest read per archived day; 28-day reports have no missing days
    (GitHub serves only the latest window), so only what is archived is shown for them."""
    statuses = []
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
        statuses.append(ReportStatus(report, scope, archived, empty, missing, tuple(unreadable)))
    return statuses


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
