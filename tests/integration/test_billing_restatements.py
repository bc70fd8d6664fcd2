"""Billing revisions in the `restatements` view, across real HTTP: the simulator revises a billing
usage day between two archiver runs, the real indexer curates the new revision, and the view
holds one row per numeric value that changed, worked out here from the two served CSVs."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_billing_archive import (
    OLDEST,
    WINDOW,
    billing_env,
    days_between,
    manifest_key,
    read,
    taken_as_archived,
)
from tests.integration.test_hardening import emitted_metrics
from tests.integration.test_indexer import database, glue, indexer, object_created
from tests.integration.test_restatements import view_rows

__all__ = ["billing_env", "database", "glue", "indexer"]  # fixtures shared with the other tests

pytestmark = pytest.mark.loopback

# GitHub's identifying columns of a line, and its numeric ones with the curated table's names.
IDENTITY = (
    "date",
    "product",
    "sku",
    "model",
    "username",
    "organization",
    "repository",
    "workflow_path",
    "cost_center_name",
)
NUMBERS = {
    "quantity": "quantity",
    "applied_cost_per_quantity": "price_per_unit",
    "gross_amount": "gross_amount",
    "discount_amount": "discount_amount",
    "net_amount": "net_amount",
}


def lines(body: bytes) -> dict[tuple[str, ...], dict[str, str]]:
    """A CSV's lines by their identifying columns (the simulator repeats none)."""
    found = {}
    for row in csv.DictReader(io.StringIO(body.decode())):
        key = tuple(row.get(name, "") for name in IDENTITY)
        assert key not in found
        found[key] = row
    return found


def value(row: dict[str, str] | None, column: str) -> float | None:
    return float(row[column]) if row is not None and row[column] else None


def expected_rows(before: bytes, after: bytes, day: date, first_seen: date) -> set[tuple[Any, ...]]:
    """Each numeric value of the day's lines that differs between the two CSVs; a line only one
    of them has gives a row per numeric column with the other side NULL."""
    old, new = lines(before), lines(after)
    rows = set()
    for key in old.keys() | new.keys():
        a, b = old.get(key), new.get(key)
        login = (a or b or {}).get("username") or None
        for column, metric in NUMBERS.items():
            if a is None or b is None or value(a, column) != value(b, column):
                old_value, new_value = value(a, column), value(b, column)
                rows.add(("acme", day, "billing-usage", metric, login, old_value, new_value, first_seen))
    return rows


def test_a_revised_billing_day_lands_in_restatements_value_by_value(
    billing_env, handler, indexer, s3, bucket, glue, database, simulator, tmp_path, capsys
):
    taken_as_archived(s3, bucket, days_between(OLDEST, WINDOW[0] - timedelta(days=1)))
    handler({})
    for day in WINDOW:
        summary = indexer(object_created(bucket, manifest_key("acme", day)))
        assert summary["counts"]["indexed"] == 1
    revised = WINDOW[1]
    simulator.billing.revise("acme", revised)  # GitHub corrects a day between two runs
    handler({})
    manifest = json.loads(read(s3, bucket, manifest_key("acme", revised)))
    assert manifest["revision"] == 2

    first_seen = date.fromisoformat(manifest["fetched_at"][:10])
    before = simulator.billing.csv_bytes("acme", revised, revised, {revised: 0})
    after = simulator.billing.csv_bytes("acme", revised, revised, {revised: 1})
    expected = expected_rows(before, after, revised, first_seen)
    assert expected  # the revision changed something

    capsys.readouterr()
    indexer(object_created(bucket, manifest_key("acme", revised)))
    assert emitted_metrics(capsys.readouterr().out)["RestatedValues"] == len(expected)
    for day in WINDOW:  # the unrevised days' first revision again, and the revised day's again
        indexer(object_created(bucket, manifest_key("acme", day)))
    assert emitted_metrics(capsys.readouterr().out).get("RestatedValues", 0) == 0

    rows = view_rows(s3, bucket, tmp_path)
    assert rows == expected  # nothing for the days that were not revised, each difference once
    assert {row[1] for row in rows} == {revised}

    # A third revision adds its differences from the second; the second's rows are kept.
    simulator.billing.revise("acme", revised)
    handler({})
    manifest = json.loads(read(s3, bucket, manifest_key("acme", revised)))
    assert manifest["revision"] == 3
    third = simulator.billing.csv_bytes("acme", revised, revised, {revised: 2})
    later = expected_rows(after, third, revised, date.fromisoformat(manifest["fetched_at"][:10]))
    indexer(object_created(bucket, manifest_key("acme", revised)))
    assert view_rows(s3, bucket, tmp_path) == expected | later
