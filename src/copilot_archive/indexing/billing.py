"""billing_usage_daily from the raw bytes of GitHub's billing usage export (archiving/billing.py).

A pure function of the CSV files: GitHub's header names are mapped to the table's in one place
(`GITHUB_COLUMNS`), by name, so a reordered or widened export curates alike. Columns GitHub adds
(or documents only in some report types, such as `workflow_path`) are kept in `extra`, and a
value that does not fit its column (`curate.fit_value`: an amount is a finite number >= 0) is
NULL there, kept as given in `extra` and counted, as the report tables do. Revisions of a day
are given oldest first: the latest holding a day is that day's rows, whole (a correction
replaces the day, it does not add to it). The indexer curates a day's current revision
(`curate_billing_day`), the one its manifest names, into that day's partition.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.curated_schema import BILLING_USAGE_DAILY
from ..core.exceptions import CurationError, ManifestError
from ..core.layout import curated_file_key
from ..core.manifest import Manifest
from ..core.storage import Storage
from .curate import SMALL_FILE_OPTIONS, arrow_schema, extra_json, fit_value

# GitHub's CSV header -> billing_usage_daily's column ("Billing reports reference", "Metered
# usage report fields", https://docs.github.com/en/billing/reference/billing-reports; `model`
# as the usage-based billing exports carry it; `usage_at` is the closing-down name of `date`).
GITHUB_COLUMNS: Mapping[str, str] = {
    "date": "day",
    "usage_at": "day",
    "product": "product",
    "sku": "sku",
    "model": "model",
    "username": "user_login",
    "organization": "organization",
    "repository": "repository",
    "cost_center_name": "cost_center",
    "quantity": "quantity",
    "unit_type": "unit_type",
    "applied_cost_per_quantity": "price_per_unit",
    "gross_amount": "gross_amount",
    "discount_amount": "discount_amount",
    "net_amount": "net_amount",
}
_NUMBERS = frozenset(c.name for c in BILLING_USAGE_DAILY.columns if c.type == "double")


def curate_billing_usage(revisions: Sequence[bytes]) -> dict[date, pa.Table]:
    """Each usage day's rows, from the export files of its revisions given oldest first."""
    latest: dict[date, list[dict[str, object]]] = {}
    for number, raw in enumerate(revisions):
        days: dict[date, list[dict[str, object]]] = {}
        for row, _ in _rows(raw, f"revision {number}"):
            days.setdefault(row.pop("day"), []).append(row)  # type: ignore[arg-type]
        latest.update(days)  # a later revision's day replaces the earlier one's whole
    schema = arrow_schema(BILLING_USAGE_DAILY)
    return {day: pa.Table.from_pylist(rows, schema=schema) for day, rows in sorted(latest.items())}


def curate_billing_day(storage: Storage, manifest: Manifest) -> tuple[pa.Table, tuple[str, ...], int]:
    """The rows of the manifest's usage day from the files of its current revision (each
    checked against the manifest), warnings, and how many of their values did not fit their
    columns. The files are one export of that day; rows of another day, which GitHub should
    not send, are left out with a warning rather than written over that day's own partition."""
    rows: list[dict[str, object]] = []
    others: set[date] = set()
    mistyped = 0
    day = manifest.report_day.day
    for listed in manifest.files:
        data = storage.get_bytes(listed.key)  # one day's export: a few lines per user
        if len(data) != listed.bytes or hashlib.sha256(data).hexdigest() != listed.sha256:
            raise ManifestError(f"{listed.key}: its bytes are not those the manifest lists")
        for row, misfits in _rows(data, listed.key):
            row_day = row.pop("day")
            if row_day == day:
                rows.append(row)
                mistyped += misfits
            else:
                others.add(row_day)  # type: ignore[arg-type]
    warnings: tuple[str, ...] = ()
    if others:
        left_out = ", ".join(d.isoformat() for d in sorted(others))
        warnings = (f"billing usage of {day.isoformat()}: rows of other days left out ({left_out})",)
    return pa.Table.from_pylist(rows, schema=arrow_schema(BILLING_USAGE_DAILY)), warnings, mistyped


def curated_billing_files(prefix: str, enterprise: str, revisions: Sequence[bytes]) -> dict[str, bytes]:
    """The Parquet file of each day's partition, by key: what the indexer writes for them."""
    return {
        curated_file_key(prefix, BILLING_USAGE_DAILY.name, enterprise, day): _parquet(table)
        for day, table in curate_billing_usage(revisions).items()
    }


def usage_lines(raw: bytes, source: str) -> list[dict[str, object]]:
    """An export file's lines with the table's column names, `day` among them (a date)."""
    return [row for row, _ in _rows(raw, source)]


def _rows(raw: bytes, source: str) -> Iterable[tuple[dict[str, object], int]]:
    """Each line as a row of the table's columns (`day` a date), and how many of its values misfit."""
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's save may add a BOM
    except UnicodeDecodeError as exc:
        raise CurationError(f"billing usage {source} is not UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return
    header = [name.strip() for name in reader.fieldnames]
    if not any(GITHUB_COLUMNS.get(name) == "day" for name in header):
        raise CurationError(f"billing usage {source} has no date column (header: {header[:6]})")
    reader.fieldnames = header
    for number, record in enumerate(reader, start=2):  # line 1 is the header
        yield _row(record, number, source)


def _row(record: Mapping[str | None, object], number: int, source: str) -> tuple[dict[str, object], int]:
    row: dict[str, object] = {"source_line": number}
    extra: dict[str, object] = {}
    misfits = 0
    for name, value in record.items():
        if name is None:  # more fields than the header names
            extra["_unnamed"] = value
            continue
        text = value if isinstance(value, str) else ""
        column = GITHUB_COLUMNS.get(name)
        if column is None:
            if text:
                extra[name] = text
        elif column == "day":
            try:
                row["day"] = date.fromisoformat(text.strip()[:10])
            except ValueError:
                raise CurationError(
                    f"billing usage {source} line {number}: {name} {text!r} is not a date"
                ) from None
        elif column in _NUMBERS:
            row[column], fits = fit_value("double", _number(text))
            if not fits:
                extra[name] = text  # kept as given; NULL in its column
                misfits += 1
        else:
            row[column] = text or None
    row["extra"] = extra_json(extra)
    return row, misfits


def _number(text: str) -> float | str | None:
    """A CSV field's number; the text itself when it is none (to misfit), None when empty."""
    if not text.strip():
        return None
    try:
        return float(text.strip())
    except ValueError:
        return text


def _parquet(table: pa.Table) -> bytes:
    out = pa.BufferOutputStream()
    pq.write_table(table, out, **SMALL_FILE_OPTIONS)
    return bytes(out.getvalue().to_pybytes())
