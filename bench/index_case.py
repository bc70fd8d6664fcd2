"""One measured indexing of the report-days archived in a local folder, in a process of its own.

    python bench/index_case.py --root DIR

DIR holds an archive written by bench/simulated.py (one users-1-day report-day, say). The
indexer (`Indexer.index_manifest`, the indexing Lambda's path, with no catalog to register in)
curates every manifest there into Parquet. Prints one JSON line on stdout: RSS after imports,
baseline RSS just before indexing, peak RSS (`ru_maxrss`), elapsed seconds, raw bytes read,
curated bytes written and rows per table. Logs go to stderr.

    python bench/index_case.py --root DIR --baseline [--anchor FILE ...]

The yardstick for the indexer's speed: the same raw files through `pyarrow.json.read_json` (types
inferred, multi-threaded) and `pyarrow.parquet.write_table` (zstd, in memory), nothing else; the
same JSON line (no rows per table). read_json refuses GitHub-shaped files (a string where it
inferred numbers): for those, --anchor names the anchor files bench/github_shaped.py wrote (the
same bytes with each misfit value put back to a fitting one), read instead of the raw files.
"""

from __future__ import annotations

import os
import sys

# Powertools writes logs to stdout: point fd 1 at stderr, keep a copy for the result.
_RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.json as pa_json  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from copilot_archive.core.layout import DEFAULT_PREFIX, manifests_prefix  # noqa: E402
from copilot_archive.core.manifest import Manifest  # noqa: E402
from copilot_archive.core.storage import LocalFolderStorage  # noqa: E402
from copilot_archive.indexing.catalog import NullCatalog  # noqa: E402
from copilot_archive.indexing.indexer import Indexer  # noqa: E402


def vm_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def read_json_and_write(root: Path, imports: int, anchors: list[Path]) -> dict[str, object]:
    """read_json + write_table of every raw file of the archive at `root` (or of its anchor files),
    timed the same way."""
    storage = LocalFolderStorage(root)
    keys = sorted(storage.list_keys(manifests_prefix(DEFAULT_PREFIX)))
    raw = anchors or [root / f.key for k in keys for f in Manifest.from_json(storage.get_bytes(k), k).files]
    before = vm_rss_kib()
    started = time.perf_counter()
    written = 0
    for path in raw:
        out = pa.BufferOutputStream()
        pq.write_table(pa_json.read_json(path), out, compression="zstd")
        written += out.getvalue().size
    elapsed = time.perf_counter() - started
    return {
        "case": "read_json+write_table",
        "imports_rss_kib": imports,
        "baseline_rss_kib": before,
        "peak_rss_kib": peak_rss_kib(),
        "elapsed_s": round(elapsed, 3),
        "raw_bytes": sum(p.stat().st_size for p in raw),
        "parquet_bytes": written,
        "read": "anchor files" if anchors else "raw files",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--baseline", action="store_true", help="read_json + write_table instead")
    parser.add_argument("--anchor", type=Path, action="append", default=[], help="with --baseline: read this")
    args = parser.parse_args()
    imports = vm_rss_kib()
    if args.baseline:
        _RESULT_OUT.write(json.dumps(read_json_and_write(args.root, imports, args.anchor)) + "\n")
        _RESULT_OUT.flush()
        return 0

    storage = LocalFolderStorage(args.root)
    indexer = Indexer(storage, NullCatalog(), DEFAULT_PREFIX)
    keys = sorted(storage.list_keys(manifests_prefix(DEFAULT_PREFIX)))
    raw_bytes = sum(Manifest.from_json(storage.get_bytes(k), k).total_bytes for k in keys)
    baseline = vm_rss_kib()
    started = time.perf_counter()
    results = [indexer.index_manifest(key) for key in keys]
    elapsed = time.perf_counter() - started
    peak = peak_rss_kib()

    failed = [r.to_dict() for r in results if not r.indexed]
    if failed or not results:
        raise RuntimeError(f"not indexed: {json.dumps(failed)[:2000] if failed else 'no manifest'}")
    rows: dict[str, int] = {}
    for result in results:
        for table, count in result.rows.items():
            rows[table] = rows.get(table, 0) + count
    result = {
        "case": "index",
        "report_days": len(results),
        "imports_rss_kib": imports,
        "baseline_rss_kib": baseline,
        "peak_rss_kib": peak,
        "elapsed_s": round(elapsed, 3),
        "raw_bytes": raw_bytes,
        "curated_bytes": sum(r.curated_bytes for r in results),
        "rows": rows,
    }
    _RESULT_OUT.write(json.dumps(result) + "\n")
    _RESULT_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
