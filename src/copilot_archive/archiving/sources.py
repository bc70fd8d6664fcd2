"""Sources: how each kind of data is fetched into an attempt (commit.py commits it).

`LinkSource` copies a report-day's signed links; see commit.py for the shape every source has.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

from ..core.deadline import Deadline
from ..core.exceptions import LinkRejected
from ..core.layout import ReportDay
from ..core.storage import Storage
from .commit import Attempt, Filled
from .github import ReportLinks
from .transfer import LinkDownloader


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
