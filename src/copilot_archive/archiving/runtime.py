"""Builds an Archiver from Settings: the one place the adapters are wired together."""

from __future__ import annotations

import functools

from ..core.config import Settings, settings_from_env
from ..core.exceptions import ConfigError
from ..core.storage import S3Storage, Storage
from .archiver import Archiver
from .github import ReportClient
from .github_token import token_provider
from .transfer import HostAllowList, LinkDownloader


def build_archiver(settings: Settings, storage: Storage | None = None) -> Archiver:
    """An Archiver on `storage`, or on the settings' bucket when none is given."""
    if storage is None:
        if not settings.bucket:
            raise ConfigError("ARCHIVE_BUCKET is not set: name the bucket the archive lives in")
        storage = S3Storage(settings.bucket)
    client = ReportClient(settings.api_url, settings.api_version, token_provider(settings))
    downloader = LinkDownloader(
        HostAllowList(settings.download_hosts), max_report_bytes=settings.max_report_bytes
    )
    return Archiver(settings, storage, client, downloader)


@functools.cache
def archiver_from_env() -> Archiver:
    """The Lambda's Archiver: settings read once per container, clients kept warm."""
    return build_archiver(settings_from_env())
