"""Builds the Indexer from IndexerSettings: the one place its adapters are wired together."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from .athena_views import AthenaViewInstaller
from .catalog import Catalog, GlueCatalog
from .index_events import IndexerSettings, indexer_settings_from_env
from .indexer import Indexer, IndexSummary
from .observability import logger, metrics
from .storage import S3Storage, Storage


@dataclass(frozen=True, slots=True)
class IndexerRuntime:
    settings: IndexerSettings
    indexer: Indexer


def build_indexer(
    settings: IndexerSettings, storage: Storage | None = None, catalog: Catalog | None = None
) -> Indexer:
    """An Indexer on the settings' bucket and Glue database unless others are given."""
    return Indexer(
        storage or S3Storage(settings.bucket),
        catalog or GlueCatalog(settings.database, settings.bucket),
        settings.prefix,
    )


@functools.cache
def indexer_from_env() -> IndexerRuntime:
    """The Lambda's Indexer: settings read once per container, clients kept warm, and the
    shipped views created in Athena (once per container: CREATE OR REPLACE is idempotent)."""
    settings = indexer_settings_from_env()
    if settings.workgroup:
        created = AthenaViewInstaller(settings.database, settings.workgroup).install()
        logger.info("views created", extra={"views": list(created), "database": settings.database})
    return IndexerRuntime(settings, build_indexer(settings))


def record_index_metrics(summary: IndexSummary) -> None:
    """Counts an invocation's outcomes; the stack's alarm watches IndexFailures."""
    metrics.add_metric(name="ReportDaysIndexed", unit=MetricUnit.Count, value=summary.indexed)
    metrics.add_metric(name="IndexFailures", unit=MetricUnit.Count, value=len(summary.failed))
