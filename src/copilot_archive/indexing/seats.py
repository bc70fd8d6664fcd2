"""Curates a copilot-seats snapshot into `seat_daily`: a row per seat entry of its pages.

Each page is one JSON object as GitHub served it (`{"total_seats": n, "seats": [...]}`), read
and checked against its manifest entry (bytes, sha256) one page at a time, so a roster of any
size is curated in the memory of one page plus the Parquet file being written.
Fields of a seat this table does not type are kept in `extra` (a JSON object), never dropped;
a value that does not fit its column is NULL there, kept as given in `extra` and counted, by
the report tables' rules (`curate.fit_value`).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.curated_schema import SEAT_DAILY, SEAT_PRICE
from ..core.exceptions import ManifestError
from ..core.manifest import Manifest
from ..core.storage import Storage
from .curate import SMALL_FILE_OPTIONS, arrow_schema, extra_json, fit_value, loads_keeping_non_finite
from .privacy import Pseudonymizer

# The columns read from the seat object's own fields, by the same name.
_FROM_SEAT = (
    "plan_type",
    "created_at",
    "updated_at",
    "pending_cancellation_date",
    "last_activity_at",
    "last_activity_editor",
    "last_authenticated_at",
)
# The seat object's fields as GitHub's REST reference lists them; any other goes to `extra`.
_KNOWN = frozenset({"assignee", "organization", "assigning_team", *_FROM_SEAT})
_TYPES = {column.name: column.type for column in SEAT_DAILY.columns}


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

    def typed(column: str, name: str, value: Any) -> Any:
        nonlocal misfits
        fitted, fits = fit_value(_TYPES[column], value)
        if not fits:  # NULL in its column, kept as given, counted: as the report tables do
            misfits += 1
            extra[name] = value
        return fitted

    def inner(key: str) -> dict[str, Any]:  # an object a column is read from
        value = seat.get(key)
        return value if isinstance(value, dict) else {}

    assignee, organization, team = inner("assignee"), inner("organization"), inner("assigning_team")
    row: dict[str, Any] = {
        "user_login": typed("user_login", "assignee.login", assignee.get("login")),
        "user_id": typed("user_id", "assignee.id", assignee.get("id")),
        "organization": typed("organization", "organization.login", organization.get("login")),
        "assigning_team_slug": typed("assigning_team_slug", "assigning_team.slug", team.get("slug")),
    }
    for name in _FROM_SEAT:
        row[name] = typed(name, name, seat.get(name))
    row["extra"] = extra_json(extra)
    return row, misfits
