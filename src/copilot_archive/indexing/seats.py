"""Curates a copilot-seats snapshot into `seat_daily`: a row per seat entry of its pages.

Each page is one JSON object as GitHub served it (`{"total_seats": n, "seats": [...]}`), read
and checked against its manifest entry (bytes, sha256) one page at a time, so a roster of any
size is curated in the memory of one page plus the Parquet file being written.
Fields of a seat this table does not type are kept in `extra` (a JSON object), never dropped;
a value that does not fit its column is NULL there and kept as given in `extra`.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.curated_schema import SEAT_DAILY, SEAT_PRICE
from ..core.exceptions import ManifestError
from ..core.manifest import Manifest
from ..core.storage import Storage
from .curate import SMALL_FILE_OPTIONS, arrow_schema, extra_json, loads_keeping_non_finite
from .privacy import Pseudonymizer

# The seat object's fields as GitHub's REST reference lists them; any other goes to `extra`.
_KNOWN = frozenset(
    {
        "assignee",
        "organization",
        "assigning_team",
        "plan_type",
        "created_at",
        "updated_at",
        "pending_cancellation_date",
        "last_activity_at",
        "last_activity_editor",
        "last_authenticated_at",
    }
)
_TIMESTAMPS = ("created_at", "updated_at", "last_activity_at", "last_authenticated_at")
_STRINGS = ("plan_type", "last_activity_editor")


def curate_seats(
    storage: Storage,
    manifest: Manifest,
    prices: tuple[tuple[str, float], ...],
    pseudonymizer: Pseudonymizer | None = None,
) -> tuple[dict[str, bytes], dict[str, int], int]:
    """The seat_daily and seat_price files of one snapshot, their row counts, and the values
    that did not fit; its holders pseudonymised by `pseudonymizer` when one is given."""
    schema = arrow_schema(SEAT_DAILY)
    sink = io.BytesIO()
    rows = 0
    mistyped = 0
    with pq.ParquetWriter(sink, schema, **SMALL_FILE_OPTIONS) as writer:
        for listed in manifest.files:
            data = storage.get_bytes(listed.key)  # one page: at most 100 seats
            if len(data) != listed.bytes or hashlib.sha256(data).hexdigest() != listed.sha256:
                raise ManifestError(f"{listed.key}: its bytes are not those the manifest lists")
            page = loads_keeping_non_finite(data)  # a NaN stays text: `extra` stays valid JSON
            seats = page.get("seats") if isinstance(page, dict) else None
            if not isinstance(seats, list):
                raise ManifestError(f"{listed.key}: not a page of seats")
            batch = []
            for seat in seats:
                row, misfits = seat_row(seat)
                batch.append(row)
                mistyped += misfits
            if batch:
                written = pa.Table.from_pylist(batch, schema=schema)
                if pseudonymizer is not None:
                    written = pseudonymizer.batch(SEAT_DAILY, written)
                writer.write_table(written)
                rows += len(batch)
    priced = pa.Table.from_pylist(
        [{"plan_type": plan, "monthly_price_usd": price} for plan, price in prices],
        schema=arrow_schema(SEAT_PRICE),
    )
    price_file = pa.BufferOutputStream()
    pq.write_table(priced, price_file, **SMALL_FILE_OPTIONS)
    files = {SEAT_DAILY.name: sink.getvalue(), SEAT_PRICE.name: price_file.getvalue().to_pybytes()}
    return files, {SEAT_DAILY.name: rows, SEAT_PRICE.name: len(prices)}, mistyped


def seat_row(seat: Any) -> tuple[dict[str, Any], int]:
    """One seat entry as a seat_daily row (without its partition), and how many values misfit."""
    if not isinstance(seat, dict):
        return {"extra": extra_json({"seat": seat})}, 1
    extra = {key: value for key, value in seat.items() if key not in _KNOWN}
    misfits = 0

    def keep(name: str, value: Any, fitted: Any) -> Any:
        nonlocal misfits
        if value is not None and fitted is None:
            misfits += 1
            extra[name] = value
        return fitted

    assignee = seat.get("assignee")
    assignee = assignee if isinstance(assignee, dict) else {}
    row: dict[str, Any] = {
        "user_login": keep("assignee.login", assignee.get("login"), _string(assignee.get("login"))),
        "user_id": keep("assignee.id", assignee.get("id"), _integer(assignee.get("id"))),
        "organization": _login(seat.get("organization"), "login"),
        "assigning_team_slug": _login(seat.get("assigning_team"), "slug"),
    }
    for name in _STRINGS:
        row[name] = keep(name, seat.get(name), _string(seat.get(name)))
    for name in _TIMESTAMPS:
        row[name] = keep(name, seat.get(name), _timestamp(seat.get(name)))
    pending = seat.get("pending_cancellation_date")
    row["pending_cancellation_date"] = keep("pending_cancellation_date", pending, _date(pending))
    row["extra"] = extra_json(extra)
    return row, misfits


def _login(value: Any, field: str) -> str | None:
    return _string(value.get(field)) if isinstance(value, dict) else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None
