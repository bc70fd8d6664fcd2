"""`extra` stays valid JSON in the tables curated outside the report path (seat_daily), whatever
GitHub's page holds: the indexer handler on an archived seat page with NaN and Infinity in it."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import TODAY
from tests.integration.test_indexer import database, glue, indexer, object_created

__all__ = ["database", "glue", "indexer"]  # fixtures shared with the indexer's tests

pytestmark = pytest.mark.loopback

PREFIX = "copilot-metrics"


def strict_json(text: str) -> Any:
    """JSON as every reader outside Python takes it: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_a_seat_page_with_nan_and_infinity_curates_an_extra_that_is_valid_json(
    archiver_env, indexer, s3, bucket
):
    # A page as a JSON encoder that allows NaN writes it (Python's does by default).
    page = (
        b'{"total_seats": 1, "seats": [{"assignee": {"login": "mona", "id": NaN}, '
        b'"plan_type": "business", "usage_ratio": Infinity, "note": "caf\xc3\xa9"}]}'
    )
    day = TODAY.isoformat()
    folder = f"enterprise/copilot-seats/enterprise=acme/day={day}"
    raw_key = f"{PREFIX}/raw/{folder}/part-0000.json"
    manifest = {
        "manifest_version": 1,
        "report": "copilot-seats",
        "level": "enterprise",
        "slug": "acme",
        "day": day,
        "status": "ok",
        "fetched_at": datetime(2025, 11, 1, 6, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "api_version": "2026-03-10",
        "file_count": 1,
        "bytes": len(page),
        "lines": 1,
        "files": [
            {"key": raw_key, "bytes": len(page), "sha256": hashlib.sha256(page).hexdigest(), "lines": 1}
        ],
    }
    manifest_key = f"{PREFIX}/manifests/enterprise/copilot-seats/enterprise=acme/day={day}.json"
    s3.put_object(Bucket=bucket, Key=raw_key, Body=page)
    s3.put_object(Bucket=bucket, Key=manifest_key, Body=json.dumps(manifest).encode())

    summary = indexer(object_created(bucket, manifest_key))

    assert summary["counts"] == {"indexed": 1, "failed": 0, "deferred": 0}
    curated = f"{PREFIX}/curated/enterprise/seat_daily/enterprise=acme/day={day}/part-0000.parquet"
    [row] = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=curated)["Body"].read())).to_pylist()
    assert (row["user_login"], row["user_id"], row["plan_type"]) == ("mona", None, "business")
    # The values that are not JSON numbers are kept as the text GitHub wrote, readable anywhere.
    assert strict_json(row["extra"]) == {"assignee.id": "NaN", "usage_ratio": "Infinity", "note": "café"}
    assert summary["results"][0]["mistyped_values"] == 1  # the id: NULL in its column
