"""The billing usage source: GitHub's billing usage report export, one export per usage day.

Why the export, and not the `settings/billing/usage` endpoints (GitHub's REST reference, "Billing
usage", https://docs.github.com/en/enterprise-cloud@latest/rest/billing/usage, and "Usage reports",
https://docs.github.com/en/rest/billing/usage-reports):
- the endpoints answer JSON aggregates (`usageItems`) per year, month, day or hour, without the
  user; the premium-request and `ai_credit` ones add the model but drop the repository and
  the cost centre. The export's `detailed` report is the bill itself, line by line, for every
  product (Copilot seats and premium requests, Actions...), with `date`, `username`,
  `organization`, `repository` and `cost_center_name` ("Billing reports reference",
  https://docs.github.com/en/billing/reference/billing-reports, "Metered usage report fields");
- the export is a CSV downloaded from signed `download_urls`, the pattern the usage reports
  already follow, so its raw bytes are archived as served and streamed, never held whole;
- both reach 24 months back; a detailed export spans at most 31 days. One export per day keeps
  `day` = the usage day of every file archived, and makes a revised day a new file beside the
  old one (billing figures are corrected after the fact: a trailing window is asked again).
GitHub's detailed report documents no `model` column; curation takes one where a file carries
it (indexing/billing.py), NULL otherwise.

Create (`POST /enterprises/{enterprise}/settings/billing/reports`, body `report_type`,
`start_date`, `end_date`), poll (`GET .../reports/{report_id}` until `status` is `completed`;
`failed` fails the day), download (`download_urls`, by the shared LinkDownloader). Calls go
through ReportClient: its pacing per credential, rate-limit waits, retries and error mapping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from ..core.deadline import Deadline
from ..core.exceptions import GitHubError, NotFound, NotReady, PermissionDenied
from ..core.layout import ReportDay, validate_slug
from ..core.reports import Level
from ..core.storage import Storage
from .github import ReportClient
from .transfer import CopiedFile, LinkDownloader

KIND = "billing-usage"
REPORT_TYPE = "detailed"
CSV = "text/csv"
# GitHub keeps billing usage for 24 months ("Usage reports": new reports "can include eligible
# usage data from up to 24 months ago"), not the usage reports' one year.
HISTORY_MONTHS = 24
# Recent days GitHub may still correct, asked again on every run.
REFETCH_DAYS = 7
POLL_SECONDS = 5.0
MAX_POLLS = 24
# "Usage reports": "The authenticated user must be an enterprise admin or billing manager, or a
# custom role holder with fine-grained read access to enterprise billing"; a fine-grained token
# needs "Enterprise billing" enterprise permissions (read) (earlier: "Enterprise administration"
# (write)). The Copilot metrics permissions do not open it.
BILLING_PERMISSION_HINT = (
    "billing usage needs the token of an enterprise admin or billing manager (a fine-grained "
    "token with the enterprise permission 'Enterprise billing' (read)); the Copilot metrics "
    "permissions do not open it"
)


@dataclass(frozen=True, slots=True)
class BillingDay:
    """One enterprise's billing usage for one day, as ReportClient's calls name it in errors."""

    slug: str
    day: date

    @property
    def level(self) -> Level:
        return Level.ENTERPRISE  # GitHub exports billing usage per enterprise only

    def __str__(self) -> str:
        return f"{KIND}/{self.level}={self.slug}/day={self.day.isoformat()}"


@dataclass(frozen=True, slots=True)
class BillingExport:
    """A completed export of one usage day: its signed links, to download before they expire."""

    enterprise: str
    day: date
    export_id: str
    links: tuple[str, ...]


def oldest_billing_day(today: date) -> date:
    """The first day GitHub's billing usage still reaches: 24 months before `today`."""
    months = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    year, month = divmod(months, 12)
    return date(year, month + 1, min(today.day, 28))


def refetch_days(today: date, days: int = REFETCH_DAYS) -> tuple[date, ...]:
    """The trailing window asked again on every run, oldest first (today has no full figures yet)."""
    return tuple(today - timedelta(days=n) for n in range(days, 0, -1))


def billing_days_to_ask(today: date, archived: frozenset[date], refetch: int = REFETCH_DAYS) -> list[date]:
    """A reconcile's billing usage days: the trailing window again (GitHub may have revised it),
    then every day of the 24 months not archived yet, oldest first (the oldest expire first)."""
    again = list(refetch_days(today, refetch))
    first = oldest_billing_day(today)
    missing = (first + timedelta(days=n) for n in range((today - first).days))
    return again + [day for day in missing if day not in archived and day not in again]


class BillingClient:
    """Creates, polls and downloads billing usage exports through the report API client."""

    def __init__(
        self,
        reports: ReportClient,
        *,
        poll_seconds: float | None = None,
        max_polls: int = MAX_POLLS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._reports = reports
        self._poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
        self._max_polls = max_polls
        self._sleep = sleep

    def exports(self, enterprise: str, days: Iterable[date], deadline: Deadline) -> Iterator[BillingExport]:
        """Each day's completed export, in the order asked."""
        for day in days:
            yield self.export(enterprise, day, deadline)

    def export(self, enterprise: str, day: date, deadline: Deadline) -> BillingExport:
        """Create the day's export and poll it until GitHub completes it. NotReady when it is still
        processing after the polls allowed (the next run asks again), GitHubError when it failed,
        PermissionDenied naming the billing permission when the token cannot read billing."""
        label = BillingDay(validate_slug(enterprise), day)
        path = f"/enterprises/{label.slug}/settings/billing/reports"
        request = {"report_type": REPORT_TYPE, "start_date": day.isoformat(), "end_date": day.isoformat()}
        created = self._call(path, label, deadline, request)
        export_id = created.get("id")
        if not isinstance(export_id, str) or not export_id or "/" in export_id:
            raise GitHubError(f"{label}: GitHub's export answer has no usable id ({export_id!r})")
        body = created
        for poll in range(self._max_polls + 1):
            status = body.get("status")
            if status == "completed":
                return BillingExport(label.slug, day, export_id, _links(body, label))
            if status == "failed":
                raise GitHubError(f"{label}: GitHub reports export {export_id} as failed")
            if status != "processing":
                raise GitHubError(f"{label}: export {export_id} has an unknown status {status!r}")
            if poll == self._max_polls:
                break
            wait = min(self._poll_seconds, max(deadline.usable(), 0.0))
            self._sleep(wait)
            body = self._call(f"{path}/{export_id}", label, deadline)
        raise NotReady(f"{label}: export {export_id} still processing after {self._max_polls} polls")

    def download(
        self,
        export: BillingExport,
        downloader: LinkDownloader,
        storage: Storage,
        key_for: Callable[[int], str],
        deadline: Deadline,
    ) -> tuple[CopiedFile, ...]:
        """Stream each of the export's links into `key_for(index)`, hashing as the bytes pass."""
        return tuple(
            downloader.copy(link, storage, key_for(index), deadline, content_type=CSV)
            for index, link in enumerate(export.links)
        )

    def _call(
        self, path: str, label: BillingDay, deadline: Deadline, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # ReportClient names the report-day in its messages (str, level, slug); a BillingDay has them.
        report_day = cast(ReportDay, label)
        try:
            answer = self._reports.api_json(path, report_day, deadline, body)
        except NotFound as exc:
            raise GitHubError(
                f"{label}: GitHub knows no billing for enterprise {label.slug!r} (HTTP 404)"
            ) from exc
        except PermissionDenied as exc:
            raise PermissionDenied(
                f"{label}: GitHub refused billing usage; {BILLING_PERMISSION_HINT}"
            ) from exc
        return cast(dict[str, Any], answer)


def _links(body: dict[str, Any], label: BillingDay) -> tuple[str, ...]:
    links = body.get("download_urls")
    if not isinstance(links, list) or not links or not all(isinstance(x, str) and x for x in links):
        raise GitHubError(f"{label}: a completed export has no download_urls")
    return tuple(links)
