"""Small curated Parquet archives written with pyarrow, exactly as curated_schema and layout say.

They stand in for the indexer's output so the views can be tested on their own; the
end-to-end test in tests/integration/test_views.py uses the real indexer instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from copilot_archive.core import curated_schema
from copilot_archive.core.layout import (
    DEFAULT_PREFIX,
    ReportDay,
    curated_file_key,
    curated_month_file_key,
    index_status_key,
    raw_file_key,
)
from copilot_archive.core.reports import Report

PREFIX = DEFAULT_PREFIX
ARROW_TYPES = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_schema(table: curated_schema.CuratedTable) -> pa.Schema:
    """The Parquet schema of a curated file: its columns, no partition columns (those are the path)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])


def write_parquet(path: Path, table: curated_schema.CuratedTable, rows: Iterable[Mapping[str, Any]]) -> Path:
    rows = list(rows)
    unknown = {k for row in rows for k in row} - set(table.column_names)
    assert not unknown, f"{table.name} has no columns {sorted(unknown)}"
    columns = {c.name: [row.get(c.name) for row in rows] for c in table.columns}
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=arrow_schema(table)), path)
    return path


def write_curated(
    root: Path, table: str, slug: str, day: date, rows: Iterable[Mapping[str, Any]], prefix: str = PREFIX
) -> Path:
    """One curated partition's part-0000.parquet; for a monthly table, the day's rows in its month file."""
    curated = curated_schema.table_named(table)
    if not curated.monthly:
        return write_parquet(root / curated_file_key(prefix, table, slug, day), curated, rows)
    return _write_month_rows(root / curated_month_file_key(prefix, table, slug, day), curated, day, rows)


def _write_month_rows(
    path: Path,
    table: curated_schema.CuratedTable,
    day: date,
    rows: Iterable[Mapping[str, Any]],
    report: str | None = None,
) -> Path:
    """A monthly table's file with `rows` in place of the day's (and, in index_status, report's)."""
    schema = arrow_schema(table).append(pa.field("day", pa.date32()))
    kept = pq.read_table(path).to_pylist() if path.exists() else []
    new = [{**row, "day": day} for row in rows]
    merged = [r for r in kept if r["day"] != day or report not in (None, r["report"])] + new
    unknown = {k for row in new for k in row} - {f.name for f in schema}
    assert not unknown, f"{table.name} has no columns {sorted(unknown)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(merged, schema=schema), path)
    return path


def write_index_status(
    root: Path,
    report: Report,
    slug: str,
    day: date,
    *,
    manifest_status: str = "ok",
    files: int = 1,
    size: int = 100,
    lines: int = 3,
    indexed: bool = True,
    prefix: str = PREFIX,
) -> Path:
    row = {
        "report": report.value,
        "manifest_status": manifest_status,
        "files": files,
        "bytes": size,
        "lines": lines,
        "rows": lines,
        "indexed": indexed,
        "error": None,
        "indexed_at": None,
        "manifest_key": f"{prefix}/manifests/enterprise/{report.value}/enterprise={slug}/day={day}.json",
    }
    path = root / index_status_key(prefix, ReportDay(report, slug, day))
    return _write_month_rows(path, curated_schema.INDEX_STATUS, day, [row], report.value)


# ---- the scenario the view tests share ---------------------------------------------


@dataclass
class Scenario:
    """What was written, so a test computes its expectations from these rows, not from SQL."""

    root: Path
    # (enterprise, day, user_id) for every user_daily row
    user_days: list[tuple[str, date, int]] = field(default_factory=list)
    # (enterprise, day, ide, generations, acceptances) for every user_ide_daily row
    ide_rows: list[tuple[str, date, str, int, int]] = field(default_factory=list)
    # (report, enterprise, day, manifest_status, files, bytes, lines, indexed) for index_status
    statuses: list[tuple[str, str, date, str, int, int, int, bool]] = field(default_factory=list)


# Thu 2025-10-30 .. Tue 2025-11-04: crosses a month end (Oct 31 -> Nov 1) and an ISO week
# start (Mon Nov 3), with users active on several days on both sides.
ACTIVE = {
    ("acme", date(2025, 10, 30)): (1, 2, 3),
    ("acme", date(2025, 10, 31)): (1, 2, 4),
    ("acme", date(2025, 11, 1)): (1, 5),
    ("acme", date(2025, 11, 2)): (2, 5, 6),
    ("acme", date(2025, 11, 3)): (1, 6),
    ("acme", date(2025, 11, 4)): (1, 2, 7),
    ("globex", date(2025, 10, 31)): (101,),
    ("globex", date(2025, 11, 3)): (101, 102),
}
# (generations, acceptances) per user and IDE on a day; neovim never generates: rate NULL.
IDE_USE = {"vscode": (10, 4), "intellij": (5, 5), "neovim": (0, 0)}
STATUS_TODAY = date(2025, 10, 14)  # the report_status window is 2025-10-10 .. 2025-10-13


def build_scenario(root: Path) -> Scenario:
    scenario = Scenario(root)
    for (slug, day), users in ACTIVE.items():
        user_rows, ide_rows = [], []
        for position, user in enumerate(users):
            user_rows.append(
                {
                    "enterprise_id": "42",
                    "user_id": user,
                    "user_login": f"user-{user}",
                    "code_generation_activity_count": 15,
                    "code_acceptance_activity_count": 9,
                    "source_part": 0,
                    "source_line": position + 1,
                }
            )
            scenario.user_days.append((slug, day, user))
            # Users alternate IDEs so each IDE's sum is over a different set of users.
            for ide in ("vscode", "neovim") if user % 2 else ("intellij", "neovim"):
                generations, acceptances = IDE_USE[ide]
                ide_rows.append(
                    {
                        "user_id": user,
                        "user_login": f"user-{user}",
                        "ide": ide,
                        "code_generation_activity_count": generations,
                        "code_acceptance_activity_count": acceptances,
                        "source_part": 0,
                        "source_line": position + 1,
                    }
                )
                scenario.ide_rows.append((slug, day, ide, generations, acceptances))
        write_curated(root, "user_daily", slug, day, user_rows)
        raw = root / raw_file_key(PREFIX, ReportDay(Report.USERS_1_DAY, slug, day), 0)
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_text("".join(f'{{"user_id":{u},"note":"a,b\\t|c"}}\n' for u in users))
        write_curated(root, "user_ide_daily", slug, day, ide_rows)
        write_curated(
            root,
            "enterprise_day_totals",
            slug,
            day,
            [
                {
                    "enterprise_id": "42",
                    "daily_active_users": len(users),
                    "weekly_active_users": 0,
                    "monthly_active_users": 0,
                    "code_generation_activity_count": 15 * len(users),
                    "code_acceptance_activity_count": 9 * len(users),
                    "report_shape": "flat" if day.toordinal() % 2 == 0 else "wrapper",
                }
            ],
        )

    statuses = [
        (Report.USERS_1_DAY, "acme", date(2025, 10, 10), "ok", 2, 2048, 6, True),
        (Report.USERS_1_DAY, "acme", date(2025, 10, 11), "empty", 1, 0, 0, True),
        (Report.ENTERPRISE_1_DAY, "acme", date(2025, 10, 10), "ok", 1, 512, 1, True),
        (Report.USERS_1_DAY, "globex", date(2025, 10, 12), "ok", 1, 1024, 3, False),
        (Report.USERS_28_DAY, "acme", date(2025, 10, 13), "ok", 3, 9000, 40, True),
    ]
    for report, slug, day, status, files, size, lines, indexed in statuses:
        write_index_status(
            root,
            report,
            slug,
            day,
            manifest_status=status,
            files=files,
            size=size,
            lines=lines,
            indexed=indexed,
        )
        scenario.statuses.append((report.value, slug, day, status, files, size, lines, indexed))
    return scenario


def days(start: date, end: date) -> list[date]:
    """Every day from start to end, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
