"""Which report-days to fetch: pure functions, dates and archived days in, work out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..core.exceptions import InvalidRequest
from ..core.layout import FIRST_REPORT_DAY, ReportDay, Scope
from ..core.reports import Level, Report, reports_at
from .billing import REFETCH_DAYS, billing_days_to_ask

RETENTION_DAYS = 365


@dataclass(frozen=True, slots=True)
class Window:
    """The report days GitHub still serves: from max(2025-10-10, today - 365) to yesterday."""

    first: date
    last: date

    @classmethod
    def for_today(cls, today: date) -> Window:
        return cls(max(FIRST_REPORT_DAY, today - timedelta(days=RETENTION_DAYS)), today - timedelta(days=1))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class LatestReport:
    """A 28-day report: GitHub serves only the latest, so its end day is known after asking.

    `wanted_end_days` empty means any end day that is not archived yet.
    """

    report: Report
    slug: str
    level: Level = Level.ENTERPRISE
    wanted_end_days: frozenset[date] = frozenset()

    @property
    def scope(self) -> Scope:
        return Scope(self.level, self.slug)


@dataclass(frozen=True, slots=True)
class Plan:
    latest: tuple[LatestReport, ...] = ()
    days: tuple[ReportDay, ...] = ()
    skipped: tuple[ReportDay, ...] = field(default=())
    # Report-days that answered "not ready" before and are not due for another ask (not_ready.py).
    resting: int = 0
    # Today's snapshots (the seat roster) not taken yet: archived by the run that plans them,
    # never queued, as a snapshot is of the day it is taken.
    snapshots: tuple[ReportDay, ...] = ()
    # Billing usage days to export: archived by the run that plans them (never queued), those
    # archived already only to look for a revision (archiving/billing.py).
    exports: tuple[ReportDay, ...] = ()

    @property
    def size(self) -> int:
        return len(self.latest) + len(self.days)


# Days with a manifest, per report and scope.
Archived = Mapping[tuple[Report, Scope], frozenset[date]]
# Per scope, the report-days left out of this run's asks (not_ready.resting_days).
Resting = Mapping[Scope, frozenset[tuple[Report, date]]]


def scope_reports(scopes: Iterable[Scope], reports: tuple[Report, ...]) -> list[tuple[Scope, Report]]:
    """Each scope with each wanted report GitHub serves at its level."""
    return [(scope, report) for scope in scopes for report in reports_at(scope.level, reports)]


def _oldest_first(days: list[ReportDay]) -> tuple[ReportDay, ...]:
    return tuple(sorted(days, key=lambda rd: (rd.day, rd.level, rd.slug, rd.report)))


def plan_reconcile(
    window: Window,
    scopes: Iterable[Scope],
    reports: tuple[Report, ...],
    archived: Archived,
    resting: Resting | None = None,
    billing_refetch_days: int = REFETCH_DAYS,
) -> Plan:
    """Every 1-day report-day of the window without a manifest, each 28-day report whose
    latest possible end day (yesterday) has none, today's snapshots not taken yet, and the
    billing days to export (billing_days_to_ask: 24 months, not the reports' one year); oldest
    days first, as they expire first.
    Report-days `resting` (not due for another ask) are left for a later run."""
    latest: list[LatestReport] = []
    days: list[ReportDay] = []
    snapshots: list[ReportDay] = []
    exports: list[ReportDay] = []
    rested = 0
    today = window.last + timedelta(days=1)
    for scope, report in scope_reports(scopes, reports):
        done = archived.get((report, scope), frozenset())
        if report.is_export:
            asked = billing_days_to_ask(today, done, billing_refetch_days)
            exports.extend(ReportDay(report, scope.slug, day, scope.level) for day in asked)
            continue
        if report.is_snapshot:
            if today not in done:
                snapshots.append(ReportDay(report, scope.slug, today, scope.level))
            continue
        if report.is_28_day:
            if window.last not in done:
                latest.append(LatestReport(report, scope.slug, scope.level))
            continue
        waiting = resting.get(scope, frozenset()) if resting else frozenset()
        for day in window.days():
            if day in done:
                continue
            if (report, day) in waiting:
                rested += 1
                continue
            days.append(ReportDay(report, scope.slug, day, scope.level))
    return Plan(
        latest=tuple(latest),
        days=_oldest_first(days),
        resting=rested,
        snapshots=tuple(snapshots),
        exports=tuple(exports),
    )


def plan_days(
    days: Iterable[date],
    scopes: Iterable[Scope],
    reports: tuple[Report, ...],
    archived: Archived,
    force: bool = False,
) -> Plan:
    """Exactly the asked report-days; those with a manifest are skipped unless `force`.
    Snapshots are left out: a past day's roster cannot be asked for (no backfill). Billing days
    are all exported: one archived already is asked only for a revision, which writes nothing
    when GitHub's bytes are unchanged."""
    wanted = frozenset(days)
    latest: list[LatestReport] = []
    todo: list[ReportDay] = []
    skipped: list[ReportDay] = []
    exports: list[ReportDay] = []
    for scope, report in scope_reports(scopes, reports):
        if report.is_snapshot:
            continue
        if report.is_export:
            exports.extend(ReportDay(report, scope.slug, day, scope.level) for day in sorted(wanted))
            continue
        done = archived.get((report, scope), frozenset())
        if report.is_28_day:
            open_days = wanted if force else wanted - done
            if open_days:
                latest.append(LatestReport(report, scope.slug, scope.level, wanted_end_days=open_days))
            skipped.extend(ReportDay(report, scope.slug, d, scope.level) for d in sorted(wanted - open_days))
            continue
        for day in sorted(wanted):
            target = todo if force or day not in done else skipped
            target.append(ReportDay(report, scope.slug, day, scope.level))
    return Plan(
        latest=tuple(latest), days=_oldest_first(todo), skipped=tuple(skipped), exports=tuple(exports)
    )


def check_day_in_window(day: date, window: Window, field_name: str) -> None:
    """Refuse a day GitHub cannot serve, saying why."""
    if day < FIRST_REPORT_DAY:
        raise InvalidRequest(
            f"{field_name}: {day.isoformat()} is before 2025-10-10; Copilot usage reports start on 2025-10-10"
        )
    if day > window.last:
        raise InvalidRequest(
            f"{field_name}: {day.isoformat()} is not over yet; "
            f"the latest report day is {window.last.isoformat()}"
        )
    if day < window.first:
        raise InvalidRequest(
            f"{field_name}: {day.isoformat()} is older than GitHub keeps reports (one year); "
            f"the oldest available day is {window.first.isoformat()}"
        )


def day_range(first: date, last: date) -> list[date]:
    if first > last:
        raise InvalidRequest(f"from: {first.isoformat()} is after to: {last.isoformat()}")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
