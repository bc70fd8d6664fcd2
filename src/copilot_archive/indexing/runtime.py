"""Builds the Indexer from IndexerSettings: the one place its adapters are wired together."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date

from aws_lambda_powertools.metrics import MetricUnit

from ..core.exceptions import ArchiveError, CatalogError, ConfigError
from ..core.observability import logger, metrics
from ..core.privacy import PSEUDONYM_KEY_SECRET, privacy_from_env
from ..core.storage import S3Storage, Storage
from ..querying.athena_views import AthenaViewInstaller
from .catalog import Catalog, GlueCatalog
from .events import IndexerSettings, indexer_settings_from_env
from .indexer import Indexer, IndexSummary


@dataclass(frozen=True, slots=True)
class IndexerRuntime:
    settings: IndexerSettings
    indexer: Indexer
    # None when no workgroup is configured (local runs): the views are not created.
    views: AthenaViewInstaller | None = None


def build_indexer(
    settings: IndexerSettings, storage: Storage | None = None, catalog: Catalog | None = None
) -> Indexer:
    """An Indexer on the settings' bucket and Glue database unless others are given."""
    return Indexer(
        storage or S3Storage(settings.bucket),
        catalog or GlueCatalog(settings.database, settings.bucket),
        settings.prefix,
        seat_prices=settings.seat_prices,
        privacy=settings.privacy,
    )


@functools.cache
def indexer_from_env() -> IndexerRuntime:
    """The Lambda's Indexer: settings read once per container, clients kept warm."""
    # A missing pseudonym key raises here, before any report-day is curated (and is not cached).
    settings = replace(indexer_settings_from_env(), privacy=privacy_from_env(read_secret=read_secret))
    views = AthenaViewInstaller(settings.database, settings.workgroup) if settings.workgroup else None
    return IndexerRuntime(settings, build_indexer(settings), views)


def keep_views_current(runtime: IndexerRuntime) -> None:
    """Creates the shipped views when their SQL changed. A failure never fails the indexing of
    a day: it is logged, counted in ViewsNotCreated, and tried again by a later invocation."""
    if runtime.views is None:
        return
    try:
        created = runtime.views.ensure()
    except CatalogError:
        logger.warning("views not created; indexing goes on and a later invocation retries", exc_info=True)
        metrics.add_metric(name="ViewsNotCreated", unit=MetricUnit.Count, value=1)
        return
    if created:
        logger.info("views created", extra={"views": list(created), "database": runtime.settings.database})


def record_index_metrics(summary: IndexSummary) -> None:
    """Counts an invocation's outcomes; the stack's alarms watch IndexFailures and RestatedValues.
    UnknownFieldsSeen: how many names of fields no column types (GitHub added a field) it saw."""
    metrics.add_metric(name="ReportDaysIndexed", unit=MetricUnit.Count, value=summary.indexed)
    metrics.add_metric(name="IndexFailures", unit=MetricUnit.Count, value=len(summary.failed))
    unknown = summary.unknown_fields
    metrics.add_metric(name="UnknownFieldsSeen", unit=MetricUnit.Count, value=len(unknown))
    if unknown:
        logger.warning("fields no column types", extra={"unknown_fields": list(unknown)})
    # Values a 28-day report told otherwise than the archived 1-day report, not seen before:
    # the stack's alarm watches it rise.
    restated = sum(r.restated_values for r in summary.results)
    metrics.add_metric(name="RestatedValues", unit=MetricUnit.Count, value=restated)


def read_secret(name: str) -> str:
    """A Secrets Manager secret's text (the pseudonym key), read once per container."""
    # Imported here: only a stack with PSEUDONYMIZE_USERS=true pays for it, on its first invocation.
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(name)
    except parameters.exceptions.GetParameterError as exc:
        raise ConfigError(f"cannot read the pseudonym key from {PSEUDONYM_KEY_SECRET}={name}: {exc}") from exc
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


# The UTC day each archive's per-person rows were last expired in this container: once a day.
_EXPIRED_ON: dict[str, date] = {}


def expire_per_person_rows(runtime: IndexerRuntime) -> None:
    """Deletes the curated per-person files past USER_DATA_RETENTION_DAYS, once per container and
    day. A failure never fails the indexing: it is logged, and a later invocation tries again."""
    if runtime.settings.privacy.retention_days is None:
        return
    where = f"{runtime.settings.bucket}/{runtime.settings.prefix}"
    today = runtime.indexer.now().date()
    if _EXPIRED_ON.get(where) == today:
        return
    try:
        deleted = runtime.indexer.expire_per_person_rows()
    except ArchiveError:
        logger.warning("per-person rows not expired; a later invocation retries", exc_info=True)
        return
    _EXPIRED_ON[where] = today
    metrics.add_metric(name="PerPersonFilesExpired", unit=MetricUnit.Count, value=len(deleted))
