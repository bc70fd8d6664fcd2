"""Sources: how each kind of data is fetched into an attempt (commit.py commits it).

`LinkSource` copies a report-day's signed links; `SnapshotSource` takes today's pages of a
snapshot (the seat roster); `ExportSource` has GitHub build a billing usage export and copies
its links; see commit.py for the shape every source has.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from concurrent.futures import Executor

from ..core.deadline import Deadline
from ..core.exceptions import LinkRejected, OutOfTime, Unchanged
from ..core.layout import ReportDay
from ..core.lines import LineCounter
from ..core.manifest import ArchivedFile, Manifest
from ..core.storage import Storage
from .billing import CSV, BillingClient
from .commit import Attempt, Filled
from .github import ReportClient, ReportLinks
from .transfer import CopiedFile, LinkDownloader


class LinkSource:
    """A report-day's signed links, copied at once through the run's transfer slots; asked for
    fresh links once if any is refused."""

    def __init__(
        self,
        links: ReportLinks,
        refetch: Callable[[], ReportLinks],
        downloader: LinkDownloader,
        transfers: Executor,
    ) -> None:
        self._links = links
        self._refetch = refetch
        self._downloader = downloader
        self._transfers = transfers

    @property
    def report_day(self) -> ReportDay:
        return self._links.report_day

    def fill(self, attempt: Attempt, deadline: Deadline) -> Filled:
        links = self._links
        refreshed = False
        while missing := [i for i in range(len(links.links)) if not attempt.has(i)]:
            rejected = self._copy(links, missing, attempt, deadline)
            if rejected is None:
                continue
            if refreshed:
                raise rejected
            refreshed = True
            fresh = self._refetch()
            if fresh.report_day != links.report_day:
                raise rejected
            if len(fresh.links) != len(links.links):
                attempt.start_over()  # a different split: start the report-day over
            links = fresh
        return Filled(links.report_start_day, links.report_end_day)

    def _copy(
        self, links: ReportLinks, indexes: list[int], attempt: Attempt, deadline: Deadline
    ) -> LinkRejected | None:
        """Copy the links at `indexes`. Waits for every transfer it started, so each version
        written is kept in the attempt before a failure is raised; the first refused link is
        returned, for the caller to ask GitHub for fresh links."""
        storage: Storage = attempt.storage
        copy = self._downloader.copy
        futures = {
            i: self._transfers.submit(copy, links.links[i], storage, attempt.key(i), deadline)
            for i in indexes
        }
        rejected: LinkRejected | None = None
        failure: BaseException | None = None
        for i, future in futures.items():
            try:
                copied = future.result()
            except LinkRejected as exc:
                rejected = rejected or exc
                continue
            except BaseException as exc:
                failure = failure or exc
                for other in futures.values():
                    other.cancel()  # not started yet: no use once the report-day has failed
                continue
            attempt.keep(i, copied)
        if failure is not None:
            raise failure
        return rejected


class SnapshotSource:
    """Today's pages of a snapshot, one file per page, bytes as served: one page (at most 100
    seats) is in memory at a time, so a roster of any size keeps memory flat.

    Pages that disagree (the total changed while paging: seats were assigned or removed
    meanwhile) are taken again from the first page once; if they still disagree, they are
    archived as they are, the disagreement written in the manifest."""

    def __init__(self, report_day: ReportDay, client: ReportClient) -> None:
        self._report_day = report_day
        self._client = client

    @property
    def report_day(self) -> ReportDay:
        return self._report_day

    def fill(self, attempt: Attempt, deadline: Deadline) -> Filled:
        disagreement = self._take(attempt, deadline)
        if disagreement:
            attempt.start_over()
            disagreement = self._take(attempt, deadline)
        return Filled(disagreement=disagreement)

    def _take(self, attempt: Attempt, deadline: Deadline) -> str:
        totals: list[int] = []
        for index, page in enumerate(self._client.snapshot_pages(self._report_day, deadline)):
            if index and deadline.expired():
                raise OutOfTime(f"{self._report_day}: the run's time ran out after {index} pages")
            attempt.keep(index, _store(attempt, index, page.content))
            if page.total is not None:
                totals.append(page.total)
        if len(set(totals)) > 1:
            return f"total_seats changed while paging: {' -> '.join(str(t) for t in dict.fromkeys(totals))}"
        return ""


class ExportSource:
    """One usage day's billing export: created and polled until GitHub completes it (billing.py),
    then its links copied one by one, bytes as served.

    A day archived already (`current`, its manifest) is read through first without writing:
    bytes equal to the current revision's are Unchanged (nothing is written); others are the
    next revision, written beside the earlier ones by the committer."""

    def __init__(
        self,
        report_day: ReportDay,
        billing: BillingClient,
        downloader: LinkDownloader,
        current: Manifest | None,
    ) -> None:
        self._report_day = report_day
        self._billing = billing
        self._downloader = downloader
        self._current = current

    @property
    def report_day(self) -> ReportDay:
        return self._report_day

    def fill(self, attempt: Attempt, deadline: Deadline) -> Filled:
        rd = self._report_day
        export = self._billing.export(rd.slug, rd.day, deadline)
        current = self._current
        if current is not None:
            served = [
                self._downloader.fingerprint(link, attempt.key(i), deadline)
                for i, link in enumerate(export.links)
            ]
            if [(f.bytes, f.sha256) for f in served] == [(f.bytes, f.sha256) for f in current.files]:
                raise Unchanged(f"revision {current.revision or 1} is what GitHub serves still")
        for index, link in enumerate(export.links):
            key = attempt.key(index)
            attempt.keep(index, self._downloader.copy(link, attempt.storage, key, deadline, content_type=CSV))
        return Filled()


def _store(attempt: Attempt, index: int, content: bytes) -> CopiedFile:
    key = attempt.key(index)
    lines = LineCounter()
    lines.feed(content)
    version_id = attempt.storage.put_stream(key, io.BytesIO(content), "application/json")
    archived = ArchivedFile(key, len(content), hashlib.sha256(content).hexdigest(), lines.lines)
    return CopiedFile(archived, version_id)
