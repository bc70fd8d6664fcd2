"""A local archive of simulated report-days, written by the real archiver and read by the real indexer.

    python bench/simulated.py --root DIR --users N --today T --days D1,D2,... [--reports R1,R2]

Starts the GitHub simulator in this process (one link per report) and runs
`Archiver.run(RunRequest(days=...))` into a `LocalFolderStorage` at DIR, so the raw files and
manifests are the archiver's own, byte for byte what the simulator serves. Prints one JSON line
(archived report-days, raw bytes, seconds). bench/run.py uses it to prepare the archive that
bench/index_case.py then indexes in a fresh process; bench/curated_bytes.py imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ENTERPRISE = "acme"
TOKEN = "sim-token"
ONE_DAY_REPORTS = ("users-1-day", "enterprise-1-day", "user-teams-1-day", "repos-1-day")


def archive_days(
    root: Path, users: int, days: Sequence[date], today: date, reports: Iterable[str] = ONE_DAY_REPORTS
) -> dict[str, Any]:
    """Archive `reports` of one simulated enterprise for `days` into the folder `root`."""
    from copilot_archive.archiving.events import RunRequest
    from copilot_archive.archiving.runtime import build_archiver
    from copilot_archive.core.config import Settings
    from copilot_archive.core.deadline import Deadline
    from copilot_archive.core.reports import Report
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_simulator import Simulator

    started = time.monotonic()
    with Simulator(
        enterprises=(ENTERPRISE,), users=users, links_per_report=1, today=today, token=TOKEN
    ) as sim:
        settings = Settings(
            enterprises=(ENTERPRISE,), api_url=sim.api_url, token=TOKEN, download_hosts=("127.0.0.1",)
        ).with_overrides()
        archiver = build_archiver(settings, LocalFolderStorage(root))
        request = RunRequest(days=tuple(days), reports=tuple(Report(r) for r in reports))
        summary = archiver.run(request, Deadline.never(), today)
    counts = summary.counts()
    if counts["archived"] != len(days) * len(tuple(reports)):
        raise RuntimeError(f"not every report-day archived: {json.dumps(summary.to_dict())[:2000]}")
    return {
        "archived": counts["archived"],
        "raw_bytes": summary.bytes_archived,
        "seconds": round(time.monotonic() - started, 2),
    }


def main() -> int:
    # Powertools writes logs to stdout: point fd 1 at stderr, keep a copy for the result.
    result_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--users", required=True, type=int)
    parser.add_argument("--today", required=True, type=date.fromisoformat, help="the simulator's today")
    parser.add_argument("--days", required=True, help="report days, YYYY-MM-DD, comma-separated")
    parser.add_argument("--reports", default=",".join(ONE_DAY_REPORTS))
    args = parser.parse_args()
    days = [date.fromisoformat(d) for d in args.days.split(",")]
    result = archive_days(args.root, args.users, days, args.today, args.reports.split(","))
    result_out.write(json.dumps(result) + "\n")
    result_out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
