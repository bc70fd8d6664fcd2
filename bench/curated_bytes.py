"""Bytes the standard views read from the curated Parquet tables vs the raw NDJSON, over a year.

    python bench/curated_bytes.py [--every N [--whole-months]] [--workers W] [--users U]

Archives a simulated year (365 report-days, 2025-10-10 .. 2026-10-09, or every Nth of them, or
with --whole-months every day of every Nth month) of the 1-day reports of one enterprise with
the real archiver into a temporary folder, indexes every report-day with the real indexer, then
measures, per view of athena/views:
- curated bytes: for every curated table the view reads (through other views too), the sum over
  that table's Parquet files of the compressed sizes of the column chunks of the columns the
  view references: what Athena scans from Parquet. Partition columns (enterprise, and day or
  month) are in the path and cost nothing; a monthly table's day is a file column, counted.
  Footers are not counted; whole-file sizes are reported beside.
- raw bytes: the whole raw files the same question needs over NDJSON (Athena reads a JSON file
  whole): users-1-day for tables curated from it, enterprise-1-day likewise, and for
  index_status the manifests (their status, files, bytes and lines are what it records).
With --every N > 1 both sides are multiplied by 365 / sampled days. For a table with a file a
day the ratio does not depend on it (both sides are sums over the same days); a table with a
file a month pays each file's footer once a month, so sampled days understate its days per
file and overstate its share: --whole-months samples it as it is written. Prints one JSON line
on stdout; logs go to stderr. The temporary folder is removed at the end.
"""

from __future__ import annotations

import os
import sys

# Powertools writes logs to stdout: point fd 1 at stderr, keep a copy for the result.
_RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402
import sqlglot  # noqa: E402
from simulated import ENTERPRISE, ONE_DAY_REPORTS, archive_days  # noqa: E402
from sqlglot import exp  # noqa: E402
from sqlglot.optimizer.qualify import qualify  # noqa: E402
from sqlglot.optimizer.scope import traverse_scope  # noqa: E402

from copilot_archive.core import curated_schema  # noqa: E402
from copilot_archive.core.layout import (  # noqa: E402
    DEFAULT_PREFIX,
    ReportDay,
    curated_table_location,
    manifest_key,
    manifests_prefix,
)
from copilot_archive.core.manifest import Manifest  # noqa: E402
from copilot_archive.core.reports import Level, Report  # noqa: E402
from copilot_archive.core.storage import LocalFolderStorage  # noqa: E402
from copilot_archive.indexing.catalog import NullCatalog  # noqa: E402
from copilot_archive.indexing.indexer import Indexer  # noqa: E402
from copilot_archive.querying import sql  # noqa: E402

YEAR_START = date(2025, 10, 10)  # the simulator's (and GitHub's) first report day
YEAR_DAYS = 365
TODAY = YEAR_START + timedelta(days=YEAR_DAYS)  # 2026-10-10: the whole year is in the window
USERS = 5_000
MANIFESTS = "manifests"  # what index_status stands for on the raw side


def year_days(every: int, whole_months: bool = False) -> list[date]:
    days = [YEAR_START + timedelta(days=i) for i in range(YEAR_DAYS)]
    if not whole_months:
        return days[::every]
    months = sorted({(d.year, d.month) for d in days})[::every]
    return [d for d in days if (d.year, d.month) in months]


# ---- building the archive ------------------------------------------------------------


def archive_and_index(root: str, users: int, days: list[date]) -> dict[str, Any]:
    """One worker: archive its days' 1-day reports, then index each of its report-days."""
    archived = archive_days(Path(root), users, days, TODAY)
    started = time.monotonic()
    indexer = Indexer(LocalFolderStorage(root), NullCatalog(), DEFAULT_PREFIX)
    for day in days:
        for report in ONE_DAY_REPORTS:
            result = indexer.index_manifest(
                manifest_key(DEFAULT_PREFIX, ReportDay(Report(report), ENTERPRISE, day))
            )
            if not result.indexed:
                raise RuntimeError(f"not indexed: {json.dumps(result.to_dict())[:2000]}")
    return {**archived, "index_seconds": round(time.monotonic() - started, 2)}


def build_year(root: Path, users: int, days: list[date], workers: int) -> dict[str, Any]:
    """Days dealt round-robin to `workers` processes, each with a simulator of its own."""
    started = time.monotonic()
    shares = [days[w::workers] for w in range(workers) if days[w::workers]]
    with ProcessPoolExecutor(len(shares)) as pool:
        done = list(pool.map(archive_and_index, [str(root)] * len(shares), [users] * len(shares), shares))
    return {
        "workers": len(shares),
        "report_days_archived": sum(d["archived"] for d in done),
        "archive_and_index_seconds": round(time.monotonic() - started, 1),
        "worker_archive_seconds": [d["seconds"] for d in done],
        "worker_index_seconds": [d["index_seconds"] for d in done],
    }


# ---- what each view reads ------------------------------------------------------------


def sqlglot_schema() -> dict[str, object]:
    # Every table offers enterprise and day (a monthly table's day is a file column, so it is counted).
    partition = {c.name: c.type for c in curated_schema.PARTITION_COLUMNS}
    return {
        t.name: {**{c.name: c.type for c in t.file_columns}, **partition} for t in curated_schema.ALL_TABLES
    }


def view_query(name: str) -> exp.Expression:
    """The view's SELECT, with every view it reads inlined as a subquery (recursively)."""
    create = sqlglot.parse_one(sql.view_sql(name), read="athena")
    query = create.expression
    views = set(sql.view_names((Level.ENTERPRISE,)))
    for table in list(query.find_all(exp.Table)):
        if table.name in views:
            table.replace(
                exp.Subquery(this=view_query(table.name), alias=exp.TableAlias(this=table.alias_or_name))
            )
    return query


def columns_read(name: str) -> dict[str, set[str]]:
    """Curated table -> the columns the view references in it, resolved by sqlglot's qualify
    (stars expanded and unqualified names resolved against curated_schema)."""
    query = qualify(
        view_query(name), schema=sqlglot_schema(), dialect="athena", validate_qualify_columns=True
    )
    used: dict[str, set[str]] = defaultdict(set)
    for scope in traverse_scope(query):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table):
                used[source.name].add(column.name)
        for source in scope.sources.values():  # a table read for its rows alone (count(*))
            if isinstance(source, exp.Table):
                used[source.name]
    return dict(used)


# ---- sizes on disk -------------------------------------------------------------------


def curated_sizes(root: Path) -> dict[str, dict[str, Any]]:
    """Per curated table: files, whole-file bytes and compressed bytes per column (all row groups)."""
    sizes = {}
    for table in curated_schema.ALL_TABLES:
        folder = root / curated_table_location(DEFAULT_PREFIX, table.name)
        columns: dict[str, int] = defaultdict(int)
        files = file_bytes = 0
        for path in sorted(folder.rglob("*.parquet")):
            files += 1
            file_bytes += path.stat().st_size
            metadata = pq.ParquetFile(path).metadata
            for i in range(metadata.num_row_groups):
                group = metadata.row_group(i)
                for j in range(group.num_columns):
                    chunk = group.column(j)
                    columns[chunk.path_in_schema.split(".")[0]] += chunk.total_compressed_size
        sizes[table.name] = {"files": files, "file_bytes": file_bytes, "column_bytes": dict(columns)}
    return sizes


def raw_sizes(root: Path) -> dict[str, dict[str, int]]:
    """Per report: raw files and their bytes as the manifests list them; and the manifests' own."""
    storage = LocalFolderStorage(root)
    sizes: dict[str, dict[str, int]] = defaultdict(lambda: {"files": 0, "bytes": 0})
    for key in storage.list_keys(manifests_prefix(DEFAULT_PREFIX)):
        data = storage.get_bytes(key)
        manifest = Manifest.from_json(data, key)
        report = manifest.report_day.report.value
        for listed in manifest.files:
            if storage.size(listed.key) != listed.bytes:
                raise RuntimeError(f"{listed.key} is not the size its manifest lists")
        sizes[report]["files"] += len(manifest.files)
        sizes[report]["bytes"] += manifest.total_bytes
        sizes[MANIFESTS]["files"] += 1
        sizes[MANIFESTS]["bytes"] += len(data)
    return dict(sizes)


def raw_source(table: str) -> str:
    """What the view's question reads over raw NDJSON in place of a curated table."""
    if table == curated_schema.INDEX_STATUS.name:
        return MANIFESTS
    return curated_schema.table_named(table).source.value


def measure(root: Path, scale: float) -> dict[str, Any]:
    curated, raw = curated_sizes(root), raw_sizes(root)
    views = []
    not_measured = []
    for name in sql.view_names((Level.ENTERPRISE,)):
        read = columns_read(name)
        curated_bytes = sum(curated[t]["column_bytes"].get(c, 0) for t, cols in read.items() for c in cols)
        whole_files = sum(curated[t]["file_bytes"] for t in read)
        sources = sorted({raw_source(t) for t in read})
        if not sources:  # a view of constants (language_names): nothing read either way
            continue
        missing = [s for s in sources if s not in raw]
        if missing:  # seats and billing: not archived here
            not_measured.append({"view": name, "raw_sources_not_archived": missing})
            continue
        raw_bytes = sum(raw[s]["bytes"] for s in sources)
        views.append(
            {
                "view": name,
                "tables": {t: sorted(cols) for t, cols in sorted(read.items())},
                "raw_sources": sources,
                "curated_bytes": round(curated_bytes * scale),
                "curated_whole_file_bytes": round(whole_files * scale),
                "raw_bytes": round(raw_bytes * scale),
                "ratio": curated_bytes / raw_bytes,
                "whole_file_ratio": whole_files / raw_bytes,
            }
        )
    total_curated = sum(v["curated_bytes"] for v in views)
    total_raw = sum(v["raw_bytes"] for v in views)
    return {
        "views": views,
        "views_not_measured": not_measured,
        "total": {
            "curated_bytes": total_curated,
            "curated_whole_file_bytes": sum(v["curated_whole_file_bytes"] for v in views),
            "raw_bytes": total_raw,
            "ratio": total_curated / total_raw,
        },
        "archive": {
            "raw": {
                k: {"files": v["files"], "bytes": round(v["bytes"] * scale)} for k, v in sorted(raw.items())
            },
            "curated": {
                t: {
                    "files": v["files"],
                    "bytes": round(v["file_bytes"] * scale),
                    "whole_file_ratio": (
                        v["file_bytes"] / raw[raw_source(t)]["bytes"] if raw_source(t) in raw else None
                    ),
                }
                for t, v in curated.items()
            },
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--every", type=int, default=1, help="archive every Nth day of the year (1: all)")
    parser.add_argument(
        "--whole-months", action="store_true", help="archive every day of every Nth month instead"
    )
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--users", type=int, default=USERS)
    args = parser.parse_args()
    days = year_days(args.every, args.whole_months)
    scale = YEAR_DAYS / len(days)
    root = Path(tempfile.mkdtemp(prefix="bench-year-"))
    try:
        build = build_year(root, args.users, days, args.workers)
        started = time.monotonic()
        result = {
            "enterprise_users": args.users,
            "year": [YEAR_START.isoformat(), (YEAR_START + timedelta(days=YEAR_DAYS - 1)).isoformat()],
            "days_in_year": YEAR_DAYS,
            "days_archived": len(days),
            "every_nth_day": args.every,
            "whole_months": args.whole_months,
            "scale": scale,
            **build,
            **measure(root, scale),
            "measure_seconds": round(time.monotonic() - started, 1),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    _RESULT_OUT.write(json.dumps(result) + "\n")
    _RESULT_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
