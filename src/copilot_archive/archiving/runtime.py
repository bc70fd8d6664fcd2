"""Builds an Archiver from Settings: the one place the adapters are wired together."""

from __future__ import annotations

import functools
import os

from aws_lambda_powertools.metrics import MetricUnit

from ..core.config import Settings, settings_from_env
from ..core.exceptions import ConfigError
from ..core.observability import metrics
from ..core.reports import Level
from ..core.storage import S3Storage, Storage
from .archiver import Archiver, Outcome, RunSummary
from .auth import Authenticator, credential_source
from .github import ReportClient
from .github_app import AppTokens
from .scope_lists import read_scope_lists
from .transfer import HostAllowList, LinkDownloader


def build_archiver(settings: Settings, storage: Storage | None = None) -> Archiver:
    """An Archiver on `storage`, or on the settings' bucket when none is given."""
    if storage is None:
        if not settings.bucket:
            raise ConfigError("ARCHIVE_BUCKET is not set: name the bucket the archive lives in")
        storage = S3Storage(settings.bucket)
    # ---- GitHub credentials (issue 10): a token or an app per scope ----
    auth = Authenticator(credential_source(settings), AppTokens(settings.api_url, settings.api_version))
    client = ReportClient(
        settings.api_url,
        settings.api_version,
        auth,
        check=auth.check,
        calls_per_minute=settings.api_calls_per_minute,
        max_in_flight=settings.api_requests_in_flight,
    )
    # ---- end of GitHub credentials ----
    downloader = LinkDownloader(
        HostAllowList(settings.download_hosts), max_report_bytes=settings.max_report_bytes
    )
    return Archiver(settings, storage, client, downloader)


@functools.cache
def archiver_from_env() -> Archiver:
    """The Lambda's Archiver: settings (and the scope lists the stack keeps in SSM or S3) read
    once per container, clients kept warm."""
    return build_archiver(settings_from_env(more_scopes=read_scope_lists(os.environ)))


# Each level's alarms watch their own metrics: (failed report-days, data age in hours).
LEVEL_ALARM_METRICS = {
    Level.ENTERPRISE: ("ReportDaysFailed", "DataAgeHours"),
    Level.ORGANIZATION: ("OrgReportDaysFailed", "OrgDataAgeHours"),
}


def record_run_metrics(summary: RunSummary) -> None:
    """Counts a run's outcomes; the stack's alarms watch the failed and data-age metrics per level."""
    if summary.not_configured:
        metrics.add_metric(name="NotConfigured", unit=MetricUnit.Count, value=1)
        return
    counts = summary.counts()
    metrics.add_metric(name="ReportDaysArchived", unit=MetricUnit.Count, value=counts["archived"])
    metrics.add_metric(name="ReportDaysNotReady", unit=MetricUnit.Count, value=counts["not_ready"])
    metrics.add_metric(name="ReportDaysDeferred", unit=MetricUnit.Count, value=counts["deferred"])
    metrics.add_metric(name="BytesArchived", unit=MetricUnit.Bytes, value=summary.bytes_archived)
    # The archive queue: report-days put on it for a worker (dispatch.py); only runs that queue.
    if summary.report_days_queued:
        metrics.add_metric(name="ReportDaysQueued", unit=MetricUnit.Count, value=summary.report_days_queued)
    # Only the levels this run saw: a stack without organizations publishes no Org metrics.
    seen = {result.level for result in summary.results} | set(summary.data_age_hours_by_level)
    for level, (failed_metric, age_metric) in LEVEL_ALARM_METRICS.items():
        if level not in seen:
            continue
        failed = len(summary.of(Outcome.FAILED, level))
        metrics.add_metric(name=failed_metric, unit=MetricUnit.Count, value=failed)
        if level in summary.data_age_hours_by_level:
            # The freshness alarm: no new report-day for the level's stalest scope in too long.
            age = summary.data_age_hours_by_level[level]
            metrics.add_metric(name=age_metric, unit=MetricUnit.Count, value=age)
