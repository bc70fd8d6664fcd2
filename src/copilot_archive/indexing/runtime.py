"""Builds the Indexer from IndexerSettings: the one place its adapters are wired together."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from ..core.exceptions import CatalogError
from ..core.observability import logger, metrics
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
    )


@functools.cache
def indexer_from_env() -> IndexerRuntime:
    """The Lambda's Indexer: settings read once per container, clients kept warm."""
    settings = indexer_settings_from_env()
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
    """Counts an invocation's outcomes; the stack's alarms watch IndexFailures and RestatedValues."""
    metrics.add_metric(name="ReportDaysIndexed", unit=MetricUnit.Count, value=summary.indexed)
    metrics.add_metric(name="IndexFailures", unit=MetricUnit.Count, value=len(summary.failed))
    # Values a 28-day report told otherwise than the archived 1-day report, not seen before:
    # the stack's alarm watches it rise.
    restated = sum(r.restated_values for r in summary.results)
    metrics.add_metric(name="RestatedValues", unit=MetricUnit.Count, value=restated)
