"""Billing revisions as restatements: what a later revision of a billing usage day changed.

GitHub revises billing figures after the fact; the archiver keeps each revision of a day beside
the earlier ones (core/layout.py raw_file_key with `revision`). When the indexer curates revision
N > 1, the lines of revision N-1 and N are matched by GitHub's identifying columns and each
numeric column that differs is a `Difference` of restatement_log (report `billing-usage`), as a
28-day report's restated values are (indexing/restatements.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.curated_schema import BILLING_USAGE_DAILY
from ..core.layout import raw_day_prefix
from ..core.manifest import Manifest
from ..core.reports import Report
from ..core.storage import Storage
from .billing import usage_lines
from .restatements import Difference

# The columns that say which usage a line is (curated names; `workflow_path` is kept in `extra`).
IDENTITY = ("day", "product", "sku", "model", "user_login", "organization", "repository", "cost_center")
NUMBERS = tuple(c.name for c in BILLING_USAGE_DAILY.columns if c.type == "double")

_Key = tuple[Any, ...]


def billing_differences(storage: Storage, prefix: str, manifest: Manifest) -> list[tuple[Difference, str]]:
    """Each difference between the manifest's revision and the one before it, with the folder of
    that earlier revision; none for a first revision (or one whose predecessor is gone)."""
    revision = manifest.revision
    if revision is None or revision < 2:
        return []
    earlier_folder = raw_day_prefix(prefix, manifest.report_day, revision - 1)
    earlier_keys = sorted(storage.list_keys(earlier_folder))
    if not earlier_keys:
        return []
    before = _lines_by_identity(storage, earlier_keys)
    after = _lines_by_identity(storage, [listed.key for listed in manifest.files])
    found = []
    for key in sorted(before.keys() | after.keys(), key=repr):
        old, new = before.get(key), after.get(key)
        for metric in NUMBERS:
            old_value = old[metric] if old is not None else None
            new_value = new[metric] if new is not None else None
            if old is None or new is None or old_value != new_value:  # a line only one side has: all
                line = old if old is not None else new
                assert line is not None
                day, login = line["day"], line.get("user_login")
                difference = Difference(day, Report.BILLING_USAGE, metric, None, login, old_value, new_value)
                found.append((difference, earlier_folder))
    return found


def _lines_by_identity(storage: Storage, keys: list[str]) -> dict[_Key, Mapping[str, Any]]:
    """The lines of a revision's files by identity; a second line of the same identity is told
    apart by its place among them (GitHub may split one usage over lines)."""
    lines: dict[_Key, Mapping[str, Any]] = {}
    for key in keys:
        for row in usage_lines(storage.get_bytes(key), key):
            identity = (*(row.get(name) for name in IDENTITY), _workflow(row))
            ordinal = 0
            while (*identity, ordinal) in lines:
                ordinal += 1
            lines[(*identity, ordinal)] = row
    return lines


def _workflow(row: Mapping[str, Any]) -> str | None:
    extra = row.get("extra")
    if not isinstance(extra, str):
        return None
    value = json.loads(extra).get("workflow_path")
    return value if isinstance(value, str) else None
