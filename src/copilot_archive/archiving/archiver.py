"""The archive run: plan report-days, copy each one's links, commit each with its manifest.

MAX_WORKERS bounds both the report-days in progress and the link transfers in flight: a
report-day's links are copied at once through the run's transfer slots, so latency to GitHub
overlaps while memory stays at MAX_WORKERS transfer budgets (storage.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from ..core import clock
from ..core.config import Settings
from ..core.deadline import STALE_UPLOAD_AGE, Deadline
from ..core.exceptions import (
    AlreadyExists,
    ArchiveError,
    NotConfigured,
    NotFound,
    NotReady,
    OutOfTime,
    PermissionDenied,
    RateLimited,
)
from ..core.layout import (
    ReportDay,
    Scope,
    archiver_prefixes,
    manifest_key,
    manifest_listing_prefix,
    parse_manifest_key,
    restated_days_key,
    revision_manifests_prefix,
)
from ..core.manifest import Manifest
from ..core.observability import logger
from ..core.redaction import redact
from ..core.reports import Cadence, Level, Report
from ..core.storage import Storage
from .billing import BillingClient
from .commit import Committer, Revision, Source
from .events import RunRequest
from .github import ReportClient, ReportLinks, permission_hint
from .not_ready import LedgerStore, resting_days
from .planner import (
    Archived,
    LatestReport,
    Plan,
    Resting,
    Window,
    plan_days,
    plan_reconcile,
    scope_reports,
)
from .sources import ExportSource, LinkSource, SnapshotSource
from .transfer import LinkDownloader
from .work_queue import HandOff, WorkItem, plan_items


@dataclass(frozen=True, slots=True)
class Refetch:
    """A 1-day report-day the indexer found restated, fetched again as its `revision`-th later
    copy beside the first (REFETCH_RESTATED)."""

    report_day: ReportDay
    revision: int

    @property
    def report(self) -> Report:
        return self.report_day.report

    @property
    def slug(self) -> str:
        return self.report_day.slug

    @property
    def day(self) -> date:
        return self.report_day.day

    @property
    def level(self) -> Level:
        return self.report_day.level

    @property
    def scope(self) -> Scope:
        return self.report_day.scope


class Outcome(StrEnum):
    ARCHIVED = "archived"
    SKIPPED = "skipped"
    NOT_READY = "not_ready"
    FAILED = "failed"
    DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one report-day (day None: a 28-day report whose end day is unknown)."""

    report: Report
    slug: str
    day: date | None
    outcome: Outcome
    reason: str = ""
    files: int = 0
    bytes: int = 0
    lines: int = 0
    level: Level = Level.ENTERPRISE
    # A deferred report-day put on the archive queue for a worker (work_queue.py).
    queued: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.level, self.slug)

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "report": self.report.value,
            self.level.value: self.slug,
            "day": self.day.isoformat() if self.day else "latest",
        }
        if self.outcome is Outcome.ARCHIVED:
            item.update(files=self.files, bytes=self.bytes, lines=self.lines)
        if self.reason:
            item["reason"] = self.reason
        if self.queued:
            item["queued"] = True
        return item


@dataclass(frozen=True, slots=True)
class RunSummary:
    results: tuple[Result, ...]
    started_at: datetime
    finished_at: datetime
    api_retries: int = 0
    download_retries: int = 0
    rate_limit_waits: int = 0
    # Hours since the end of the newest archived 1-day report-day of the stalest scope, per
    # level; the freshness alarms watch them. Empty for manual runs, which see part of the archive.
    data_age_hours_by_level: Mapping[Level, float] = field(default_factory=dict)
    # Set when the run did nothing because the GitHub token is not configured yet.
    not_configured: str = ""
    # Report-days that answered "not ready" before and were not due for another ask.
    resting: int = 0
    # Messages put on the archive queue, and the report-days they hold (work_queue.py).
    queued: tuple[WorkItem, ...] = ()
    report_days_queued: int = 0
    # Not configured yet, with a queue: the reconcile runs again this many seconds from now.
    reconcile_again_in_seconds: int | None = None
    # Unfinished uploads that killed runs left (temporary files, multipart uploads), removed.
    stale_uploads_removed: int = 0
    # Per scope, the first day of its seat roster in the archive: seats have no history before
    # it, as GitHub keeps none (no backfill).
    seat_history_since: Mapping[Scope, date] = field(default_factory=dict)

    @property
    def data_age_hours(self) -> float | None:
        """The stalest scope's, whatever its level."""
        return max(self.data_age_hours_by_level.values(), default=None)

    def of(self, outcome: Outcome, level: Level | None = None) -> list[Result]:
        if level is not None:
            return [r for r in self.results if r.outcome is outcome and r.level is level]
        return [r for r in self.results if r.outcome is outcome]

    def counts(self) -> dict[str, int]:
        return {o.value: len(self.of(o)) for o in Outcome}

    @property
    def bytes_archived(self) -> int:
        return sum(r.bytes for r in self.of(Outcome.ARCHIVED))

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "counts": self.counts(),
            "bytes_archived": self.bytes_archived,
            "api_retries": self.api_retries,
            "download_retries": self.download_retries,
            "rate_limit_waits": self.rate_limit_waits,
            "data_age_hours": None if self.data_age_hours is None else round(self.data_age_hours, 1),
            "data_age_hours_by_level": {
                level.value: round(hours, 1) for level, hours in self.data_age_hours_by_level.items()
            },
            "not_configured": self.not_configured or None,
            "not_ready_resting": self.resting,
            "report_days_queued": self.report_days_queued,
            "queued_messages": len(self.queued),
            "queued": [item.to_dict() for item in self.queued],
            "reconcile_again_in_seconds": self.reconcile_again_in_seconds,
            "stale_uploads_removed": self.stale_uploads_removed,
            "seat_history_since": {
                str(scope): day.isoformat() for scope, day in sorted(self.seat_history_since.items())
            },
            **{o.value: [r.to_dict() for r in self.of(o)] for o in Outcome},
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _RunState:
    """Shared by the workers of one run."""

    force: bool = False
    # Refusals by scope and kind family (usage reports, snapshots, billing): a token may read
    # one only.
    denied: dict[tuple[Scope, Cadence], str] = field(default_factory=dict)
    # Report-days GitHub answered 404: with nothing else for a scope's older days, its slug is suspect.
    not_found: set[tuple[Report, Scope, date]] = field(default_factory=set)
    stop_reason: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The run's transfer slots, shared by its report-days (set while the run's pools are open).
    transfers: ThreadPoolExecutor | None = None


class Archiver:
    """Runs a RunRequest against GitHub and one storage; every report-day commits on its own."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        client: ReportClient,
        downloader: LinkDownloader,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.client = client
        self.downloader = downloader
        self._now = now or (lambda: clock.utc_now())  # looked up per call, so tests can move it
        self.ledgers = LedgerStore(storage, settings.prefix)
        self.committer = Committer(storage, settings.prefix, settings.api_version, lambda: self._now())
        self.billing = BillingClient(client)

    def archived_days(self, report: Report, slug: str, level: Level = Level.ENTERPRISE) -> frozenset[date]:
        """Days with a manifest: one listing per report and scope."""
        prefix = manifest_listing_prefix(self.settings.prefix, report, slug, level)
        days = set()
        for key in self.storage.list_keys(prefix):
            try:
                days.add(parse_manifest_key(self.settings.prefix, key).day)
            except ArchiveError:
                logger.warning("ignoring a key that is not a manifest", extra={"key": key})
        return frozenset(days)

    def plan(self, request: RunRequest, today: date) -> Plan:
        return self._plan(request, today)[0]

    def _plan(self, request: RunRequest, today: date) -> tuple[Plan, Archived]:
        scopes = request.scopes or self.settings.scopes
        reports = request.reports or self.settings.reports
        archived = {(r, s): self.archived_days(r, s.slug, s.level) for s, r in scope_reports(scopes, reports)}
        if request.days is None:
            now = self._now()
            resting: Resting = {s: resting_days(self.ledgers.load(s), today, now) for s in scopes}
            refetch = self.settings.billing_refetch_days
            plan = plan_reconcile(Window.for_today(today), scopes, reports, archived, resting, refetch)
            return plan, archived
        return plan_days(request.days, scopes, reports, archived, request.force), archived

    def _hand_off(
        self,
        plan: Plan,
        archived: Archived,
        request: RunRequest,
        today: date,
        started: datetime,
        hand_off: HandOff,
        stale_uploads_removed: int,
        results: list[Result],
    ) -> RunSummary:
        """Put all of a plan's work on the archive queue, archiving nothing but its snapshots."""
        window = Window.for_today(today)
        items = plan_items(plan, window.last)
        hand_off.send(items)
        finished = self._now()
        logger.info("work queued", extra={"messages": len(items), "report_days": plan.size})
        return RunSummary(
            results=tuple(results),
            started_at=started,
            finished_at=finished,
            # The freshness alarms watch every scheduled run, also one that only plans.
            data_age_hours_by_level=(
                _data_age_hours(archived, [], window, finished) if request.is_reconcile else {}
            ),
            queued=items,
            report_days_queued=plan.size,
            resting=plan.resting,
            stale_uploads_removed=stale_uploads_removed,
            seat_history_since=_seat_history_since(archived, results),
        )

    def run(
        self,
        request: RunRequest,
        deadline: Deadline,
        today: date,
        on_plan: Callable[[Plan], None] | None = None,
        on_result: Callable[[Result], None] | None = None,
        hand_off: HandOff | None = None,
    ) -> RunSummary:
        """Archive what the request plans, or, when `hand_off` wants the plan, queue all of it."""
        started = self._now()
        # The wall clock's now: file times and S3's Initiated are, whatever clock the run is given.
        stale = self.remove_stale_uploads(clock.utc_now())
        try:
            self.client.check_credentials()
        except NotConfigured as exc:
            # A stack deployed minutes ago, before anyone put the token in its secret: say so
            # once, as a warning and a metric of its own, rather than fail every report-day.
            logger.warning("GitHub token not configured yet; nothing archived", extra={"reason": str(exc)})
            return RunSummary((), started, self._now(), not_configured=str(exc), stale_uploads_removed=stale)
        counters_before = (self.client.retries, self.downloader.retries, self.client.rate_limit_waits)
        plan, archived = self._plan(request, today)
        if on_plan:
            on_plan(plan)
        handing_off = hand_off is not None and hand_off.wants(plan)
        results = _already_archived(plan)
        state = _RunState(force=request.force)
        # Snapshots first: they are today's or never; the rest may be handed to the queue, but for
        # billing exports, last: each waits for GitHub to build it, and the next run asks again.
        work: list[LatestReport | ReportDay | Refetch] = [*plan.snapshots]
        if not handing_off:
            work += [*plan.latest, *plan.days]
            if self.settings.refetch_restated:
                work += self.restated_to_fetch(
                    request.scopes or self.settings.scopes, request.reports or self.settings.reports
                )
        work += plan.exports
        for result in self._run_pool(work, deadline, state, on_result):
            results.append(result)
        if hand_off is not None and handing_off:
            return self._hand_off(plan, archived, request, today, started, hand_off, stale, results)
        known = {scope for (_report, scope), days in archived.items() if days}
        results = _flag_unknown_slugs(results, state.not_found, known, today)
        self._record_not_ready(results, today)
        finished = self._now()
        age = (
            _data_age_hours(archived, results, Window.for_today(today), finished)
            if request.is_reconcile
            else {}
        )
        return RunSummary(
            results=tuple(results),
            started_at=started,
            finished_at=finished,
            api_retries=self.client.retries - counters_before[0],
            download_retries=self.downloader.retries - counters_before[1],
            rate_limit_waits=self.client.rate_limit_waits - counters_before[2],
            data_age_hours_by_level=age,
            resting=plan.resting,
            stale_uploads_removed=stale,
            seat_history_since=_seat_history_since(archived, results),
        )

    def remove_stale_uploads(self, now: datetime) -> int:
        """Remove what killed runs left in the archiver's subtrees: uploads begun longer ago than
        any run lasts. Never fails the run: what stays is tried again by the next one."""
        started_before = now - STALE_UPLOAD_AGE
        removed = 0
        try:
            for prefix in archiver_prefixes(self.settings.prefix):
                removed += self.storage.remove_stale_uploads(prefix, started_before)
        except ArchiveError as exc:
            logger.warning("could not remove the uploads of killed runs", extra={"reason": str(exc)})
        if removed:
            logger.info(
                "removed the unfinished uploads of killed runs", extra={"stale_uploads_removed": removed}
            )
        return removed

    def _record_not_ready(self, results: list[Result], today: date) -> None:
        """Each scope's ledger learns which 1-day report-days answered "not ready" and which are
        archived now (explicit days included: a manual run's answers are as good as any)."""
        not_ready: dict[Scope, list[tuple[Report, date]]] = {}
        answered: dict[Scope, list[tuple[Report, date]]] = {}
        for result in results:
            if result.day is None or result.report.runs_where_planned:
                continue
            if result.outcome is Outcome.NOT_READY:
                not_ready.setdefault(result.scope, []).append((result.report, result.day))
            elif result.outcome in (Outcome.ARCHIVED, Outcome.SKIPPED):
                answered.setdefault(result.scope, []).append((result.report, result.day))
        oldest = Window.for_today(today).first
        now = self._now()
        for scope in sorted(not_ready.keys() | answered.keys(), key=str):
            self.ledgers.record(scope, not_ready.get(scope, ()), answered.get(scope, ()), oldest, now)

    def _run_pool(
        self,
        work: Iterable[LatestReport | ReportDay | Refetch],
        deadline: Deadline,
        state: _RunState,
        on_result: Callable[[Result], None] | None,
    ) -> Iterable[Result]:
        pending = iter(work)
        running: set[Future[Result]] = set()
        workers = self.settings.max_workers
        with (
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-day") as pool,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="transfer") as transfers,
        ):
            state.transfers = transfers
            while True:
                while len(running) < self.settings.max_workers:
                    item = next(pending, None)
                    if item is None:
                        break
                    if deadline.expired() or state.stop_reason:
                        reason = state.stop_reason or "the run's time ran low; left for the next run"
                        result = _result_for(item, Outcome.DEFERRED, reason)
                        if on_result:
                            on_result(result)
                        yield result
                        continue
                    running.add(pool.submit(self._archive_item, item, deadline, state))
                if not running:
                    return
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    if on_result:
                        on_result(result)
                    yield result

    def restated_to_fetch(self, scopes: Iterable[Scope], reports: Iterable[Report]) -> list[Refetch]:
        """The 1-day report-days the indexer noted as restated (layout.restated_days_key) since
        their newest copy was fetched: each to fetch again beside the copies there are."""
        prefix = self.settings.prefix
        wanted = set(reports)
        found = []
        for scope in scopes:
            key = restated_days_key(prefix, scope)
            if self.storage.size(key) is None:
                continue
            for entry in json.loads(self.storage.get_bytes(key))["report_days"]:
                report = Report(entry["report"])
                if report not in wanted or not report.is_daily:
                    continue
                report_day = ReportDay(report, scope.slug, date.fromisoformat(entry["day"]), scope.level)
                later = sorted(self.storage.list_keys(revision_manifests_prefix(prefix, report_day)))
                newest = later[-1] if later else manifest_key(prefix, report_day)
                if self.storage.size(newest) is None:
                    continue  # never archived: the ordinary plan fetches it
                fetched_at = Manifest.from_json(self.storage.get_bytes(newest), newest).fetched_at
                if fetched_at < datetime.fromisoformat(entry["restated_at"]):
                    found.append(Refetch(report_day, len(later) + 1))
        return found

    def _refetch(self, item: Refetch, deadline: Deadline, state: _RunState) -> Result:
        report_day = item.report_day
        links = self.client.day_links(report_day, deadline)
        source = self._link_source(links, lambda: self.client.day_links(report_day, deadline), state)
        manifest = self.committer.commit(source, deadline, later_copy=item.revision)
        logger.info(
            "restated report-day fetched again", extra={"target": str(report_day), "revision": item.revision}
        )
        return replace(
            _archived(manifest), reason=f"fetched again (revision {item.revision}): GitHub restated it"
        )

    def _archive_item(
        self, item: LatestReport | ReportDay | Refetch, deadline: Deadline, state: _RunState
    ) -> Result:
        family = (item.scope, item.report.permission_family)
        with state.lock:
            denied = state.denied.get(family)
        if denied:
            return _result_for(item, Outcome.FAILED, denied)
        try:
            if isinstance(item, Refetch):
                return self._refetch(item, deadline, state)
            if isinstance(item, LatestReport):
                return self._archive_latest(item, deadline, state)
            return self._archive_day(item, deadline, state)
        except NotReady as exc:
            if isinstance(exc, NotFound) and isinstance(item, ReportDay):
                with state.lock:
                    state.not_found.add((item.report, item.scope, item.day))
            return _result_for(item, Outcome.NOT_READY, str(exc))
        except OutOfTime as exc:
            return _result_for(item, Outcome.DEFERRED, str(exc))
        except AlreadyExists as exc:
            return _result_for(item, Outcome.SKIPPED, str(exc))
        except RateLimited as exc:
            with state.lock:
                state.stop_reason = f"rate limited: {exc}"
            return _result_for(item, Outcome.DEFERRED, str(exc))
        except PermissionDenied as exc:
            with state.lock:
                state.denied[family] = str(exc)
            logger.error(
                "GitHub refused the scope's credential",
                extra={"scope": str(item.scope), "reason": redact(exc)},
            )
            return _result_for(item, Outcome.FAILED, str(exc))
        except ArchiveError as exc:
            logger.error("report-day failed", extra={"target": _label(item), "reason": str(exc)})
            return _result_for(item, Outcome.FAILED, str(exc))
        except Exception as exc:  # one broken report-day must not stop the others
            logger.exception("report-day failed unexpectedly", extra={"target": _label(item)})
            return _result_for(item, Outcome.FAILED, redact(f"unexpected {type(exc).__name__}: {exc}"))

    def _archive_day(self, report_day: ReportDay, deadline: Deadline, state: _RunState) -> Result:
        if report_day.report.is_export:
            return self._archive_export(report_day, deadline)
        if not state.force:
            # An overlapping run may have done it since planning.
            self.committer.check_not_committed(report_day)
        source: Source
        if report_day.report.is_snapshot:
            source = SnapshotSource(report_day, self.client)
        else:
            links = self.client.day_links(report_day, deadline)
            source = self._link_source(links, lambda: self.client.day_links(report_day, deadline), state)
        return _archived(self.committer.commit(source, deadline, state.force))

    def _archive_export(self, report_day: ReportDay, deadline: Deadline) -> Result:
        """A billing day: its first revision, or the next one when GitHub's bytes changed since."""
        key = manifest_key(self.settings.prefix, report_day)
        tagged = self.storage.read_tagged(key)
        current = Manifest.from_json(tagged.data, key) if tagged is not None else None
        revision = Revision(1)
        if tagged is not None and current is not None:
            revision = Revision((current.revision or 1) + 1, tagged.tag)
        source = ExportSource(report_day, self.billing, self.downloader, current)
        return _archived(self.committer.commit(source, deadline, revision=revision))

    def _archive_latest(self, latest: LatestReport, deadline: Deadline, state: _RunState) -> Result:
        def fetch() -> ReportLinks:
            return self.client.latest_links(latest.report, latest.slug, deadline, latest.level)

        links = fetch()
        end = links.report_day.day
        if latest.wanted_end_days and end not in latest.wanted_end_days:
            reason = (
                f"GitHub serves 28-day reports only as the latest window, which now ends {end.isoformat()}"
            )
            return Result(latest.report, latest.slug, None, Outcome.SKIPPED, reason, level=latest.level)
        if not state.force:
            self.committer.check_not_committed(links.report_day)  # its day is known only from the links
        return _archived(self.committer.commit(self._link_source(links, fetch, state), deadline, state.force))

    def _link_source(
        self, links: ReportLinks, refetch: Callable[[], ReportLinks], state: _RunState
    ) -> LinkSource:
        assert state.transfers is not None, "report-days run inside Archiver._run_pool"
        return LinkSource(links, refetch, self.downloader, state.transfers)


def _seat_history_since(archived: Archived, results: list[Result]) -> dict[Scope, date]:
    """Per scope, its first seat snapshot: archived before, or by this run."""
    first: dict[Scope, date] = {}
    for (report, scope), days in archived.items():
        if report is Report.COPILOT_SEATS and days:
            first[scope] = min(days)
    for result in results:
        if result.report is Report.COPILOT_SEATS and result.outcome is Outcome.ARCHIVED and result.day:
            first[result.scope] = min(first.get(result.scope, result.day), result.day)
    return first


def _data_age_hours(
    archived: Archived, results: list[Result], window: Window, now: datetime
) -> dict[Level, float]:
    """Per level, the age of its stalest scope's newest 1-day report-day, from that day's end."""
    newest: dict[Scope, date] = {}
    for (report, scope), days in archived.items():
        if report.is_daily:
            newest.setdefault(scope, window.first - timedelta(days=1))
            if days:
                newest[scope] = max(newest[scope], max(days))
    for result in results:
        if result.outcome is Outcome.ARCHIVED and result.report.is_daily and result.day is not None:
            newest[result.scope] = max(newest.get(result.scope, result.day), result.day)
    ages: dict[Level, float] = {}
    for scope, day in newest.items():
        end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
        age = max((now - end_of_day).total_seconds() / 3600.0, 0.0)
        ages[scope.level] = max(ages.get(scope.level, 0.0), age)
    return ages


# GitHub generates a day's reports within about two days; older days that all answer 404
# point at the slug or the token's access, not at a report still to come.
SUSPECT_AFTER_DAYS = 3


def _flag_unknown_slugs(
    results: list[Result], not_found: set[tuple[Report, Scope, date]], known: set[Scope], today: date
) -> list[Result]:
    """One failure per scope whose every older day asked in this run answered 404
    (unless the archive already holds a day of it: then the slug and the token were right)."""
    cutoff = today - timedelta(days=SUSPECT_AFTER_DAYS)
    asked_old: dict[Scope, list[int]] = {}
    for index, result in enumerate(results):
        if result.report.runs_where_planned:
            continue  # not a usage report: its own errors name its own cause
        if result.day is not None and result.day < cutoff and result.outcome is not Outcome.SKIPPED:
            asked_old.setdefault(result.scope, []).append(index)
    flagged = list(results)
    for scope, indexes in asked_old.items():
        if scope in known or not all(
            (results[i].report, scope, results[i].day) in not_found for i in indexes
        ):
            continue
        first = min(indexes, key=lambda i: (results[i].day, results[i].report))
        reason = (
            f"GitHub answered 404 for all {len(indexes)} report-days older than {SUSPECT_AFTER_DAYS} days "
            f"that this run asked for {scope.level} {scope.slug!r}: the {scope.level} slug may be wrong, "
            f"or the token may have no access to it ({permission_hint(scope.level)})"
        )
        flagged[first] = replace(results[first], outcome=Outcome.FAILED, reason=reason)
        logger.error("a scope answers 404 for every older day", extra={"scope": str(scope)})
    return flagged


def _already_archived(plan: Plan) -> list[Result]:
    return [
        Result(rd.report, rd.slug, rd.day, Outcome.SKIPPED, "already archived", level=rd.level)
        for rd in plan.skipped
    ]


def _label(item: LatestReport | ReportDay | Refetch) -> str:
    if isinstance(item, Refetch):
        return f"{item.report_day} (revision {item.revision})"
    if isinstance(item, ReportDay):
        return str(item)
    return f"{item.report}/{item.level}={item.slug}/latest"


def _result_for(item: LatestReport | ReportDay | Refetch, outcome: Outcome, reason: str) -> Result:
    day = item.day if isinstance(item, ReportDay | Refetch) else None
    return Result(item.report, item.slug, day, outcome, redact(reason), level=item.level)


def _archived(manifest: Manifest) -> Result:
    rd = manifest.report_day
    return Result(
        rd.report,
        rd.slug,
        rd.day,
        Outcome.ARCHIVED,
        files=len(manifest.files),
        bytes=manifest.total_bytes,
        lines=manifest.total_lines,
        level=rd.level,
    )
