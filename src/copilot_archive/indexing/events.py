"""The indexer's settings and events: what one invocation indexes, validated at the edge.

Events:
- EventBridge "Object Created" from the archive bucket for a manifest key -> that manifest
  (any other key or bucket is ignored: the rule's filter is wider than the indexer's work);
- `{"manifest": KEY}` -> that manifest;
- `{"rebuild": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}` -> every manifest in the range.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote_plus

from ..core.environment import ARCHIVE_BUCKET, ARCHIVE_PREFIX
from ..core.exceptions import ConfigError, InvalidRequest
from ..core.layout import DEFAULT_PREFIX, parse_day, parse_manifest_key, validate_prefix
from ..core.privacy import NO_PRIVACY, PrivacySettings
from ..core.reports import CATALOGUED_LEVELS
from ..core.seat_prices import DEFAULT_SEAT_PRICES, SEAT_PRICES, parse_seat_prices

GLUE_DATABASE = "GLUE_DATABASE"
ATHENA_WORKGROUP = "ATHENA_WORKGROUP"
DEFAULT_GLUE_DATABASE = "copilot_metrics"
MAX_REBUILD_DAYS = 400


@dataclass(frozen=True, slots=True)
class IndexerSettings:
    """What the indexer Lambda needs, read once from the environment."""

    bucket: str
    prefix: str = DEFAULT_PREFIX
    database: str = DEFAULT_GLUE_DATABASE
    # Where the shipped views are created when their SQL changed; None: not created.
    workgroup: str | None = None
    # USD a seat costs a month, by plan_type (SEAT_PRICES): written beside each seat snapshot.
    seat_prices: tuple[tuple[str, float], ...] = DEFAULT_SEAT_PRICES
    # PSEUDONYMIZE_USERS and USER_DATA_RETENTION_DAYS (runtime.py reads the key's secret).
    privacy: PrivacySettings = NO_PRIVACY


def indexer_settings_from_env(environ: Mapping[str, str] | None = None) -> IndexerSettings:
    env = os.environ if environ is None else environ

    def text(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    bucket = text(ARCHIVE_BUCKET)
    if bucket is None:
        raise ConfigError(f"{ARCHIVE_BUCKET} is not set: name the bucket the archive lives in")
    try:
        prefix = validate_prefix(text(ARCHIVE_PREFIX) or DEFAULT_PREFIX)
    except InvalidRequest as exc:
        raise ConfigError(str(exc)) from exc
    prices = text(SEAT_PRICES)
    return IndexerSettings(
        bucket,
        prefix,
        text(GLUE_DATABASE) or DEFAULT_GLUE_DATABASE,
        text(ATHENA_WORKGROUP),
        parse_seat_prices(prices) if prices else DEFAULT_SEAT_PRICES,
    )


@dataclass(frozen=True, slots=True)
class IndexRequest:
    """Manifests to index, or a day range to rebuild; `ignored` says why there is nothing to do."""

    manifest_keys: tuple[str, ...] = ()
    rebuild: tuple[date, date] | None = None
    ignored: str = ""


def parse_index_event(event: Any, settings: IndexerSettings) -> IndexRequest:
    """An IndexRequest, or InvalidRequest naming what is wrong with the event."""
    if not isinstance(event, Mapping):
        raise InvalidRequest(f"event must be a JSON object, got {type(event).__name__}")
    if event.get("source") == "aws.s3" or "detail-type" in event:
        return _object_created(event, settings)
    if set(event) == {"manifest"}:
        key = event["manifest"]
        if not isinstance(key, str):
            raise InvalidRequest(f"manifest: {key!r} must be a key string")
        parse_manifest_key(settings.prefix, key)  # InvalidRequest names the key
        return IndexRequest(manifest_keys=(key,))
    if set(event) == {"rebuild"}:
        return IndexRequest(rebuild=_rebuild_range(event["rebuild"]))
    raise InvalidRequest(
        f"unknown event with keys {sorted(event)}; the indexer takes an S3 'Object Created' event, "
        '{"manifest": KEY} or {"rebuild": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}'
    )


def _object_created(event: Mapping[str, Any], settings: IndexerSettings) -> IndexRequest:
    if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
        raise InvalidRequest(
            f"event {event.get('source')!r}/{event.get('detail-type')!r} is not an S3 'Object Created' event"
        )
    detail = event.get("detail")
    try:
        bucket = detail["bucket"]["name"]  # type: ignore[index]
        key = detail["object"]["key"]  # type: ignore[index]
    except (KeyError, TypeError):
        raise InvalidRequest(
            "Object Created event without detail.bucket.name and detail.object.key"
        ) from None
    if not isinstance(bucket, str) or not isinstance(key, str):
        raise InvalidRequest("Object Created event: bucket name and object key must be strings")
    if bucket != settings.bucket:
        return IndexRequest(ignored=f"bucket {bucket!r} is not the archive bucket {settings.bucket!r}")
    # S3 notifications URL-encode keys; archive keys never hold '%' or '+', so decoding is safe.
    if "%" in key or "+" in key:
        key = unquote_plus(key)
    try:
        report_day = parse_manifest_key(settings.prefix, key)
    except InvalidRequest:
        return IndexRequest(ignored=f"{key!r} is not a manifest key")
    if report_day.level not in CATALOGUED_LEVELS:
        # Archived byte for byte all the same; their tables are not in the catalog yet.
        return IndexRequest(ignored=f"{report_day.level} report-days are archived but not indexed yet")
    return IndexRequest(manifest_keys=(key,))


def _rebuild_range(body: Any) -> tuple[date, date]:
    if not isinstance(body, Mapping) or set(body) != {"from", "to"}:
        raise InvalidRequest(f'rebuild: {body!r} must be {{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}')
    first = parse_day(body["from"], "rebuild.from")
    last = parse_day(body["to"], "rebuild.to")
    if first > last:
        raise InvalidRequest(f"rebuild: from {first} is after to {last}")
    if (last - first).days + 1 > MAX_REBUILD_DAYS:
        raise InvalidRequest(f"rebuild: {(last - first).days + 1} days is more than {MAX_REBUILD_DAYS}")
    return first, last
