"""One backfill by the real archiver into S3, in a process of its own.

    python bench/backfill_case.py --api-url URL --bucket B --prefix P --enterprises a,b --days D1,D2
        [--reports R1,R2] [--max-workers N] [--seconds S]

AWS_ENDPOINT_URL and fake credentials come from the environment (bench/run.py sets them).
MAX_WORKERS unset means the default settings. Prints one JSON line on stdout: seconds, the
run's counts, rate-limit waits, peak RSS, CPU seconds, what the simulator counted over the
run, and the S3 API calls by operation.
"""

from __future__ import annotations

import os
import sys

# Powertools writes logs and metrics to stdout: point fd 1 at stderr, keep a copy for the result.
_RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any  # noqa: E402

import requests  # noqa: E402

TOKEN = "sim-token"


def simulator_stats(api_url: str) -> dict[str, int]:
    return dict(requests.get(f"{api_url}/_simulator/stats", timeout=10).json())


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def count_s3_calls() -> Counter[str]:
    """S3 API calls by operation, over every client the default session creates from now on."""
    import boto3

    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call.s3", count)  # type: ignore[union-attr]
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--enterprises", required=True)
    parser.add_argument("--days", required=True, help="YYYY-MM-DD, comma-separated")
    parser.add_argument("--today", required=True, type=date.fromisoformat)
    parser.add_argument("--reports", default="users-1-day,enterprise-1-day")
    parser.add_argument("--max-workers", type=int, default=None, help="unset: the default")
    parser.add_argument("--seconds", type=float, default=None, help="the run's deadline; unset: none")
    args = parser.parse_args()

    from copilot_archive.archiving.events import RunRequest
    from copilot_archive.archiving.runtime import build_archiver
    from copilot_archive.core.config import settings_from_env
    from copilot_archive.core.deadline import Deadline
    from copilot_archive.core.reports import Report

    s3_calls = count_s3_calls()

    environ = {
        "ENTERPRISES": args.enterprises,
        "ARCHIVE_BUCKET": args.bucket,
        "ARCHIVE_PREFIX": args.prefix,
        "GITHUB_API_URL": args.api_url,
        "GITHUB_TOKEN": TOKEN,
        "DOWNLOAD_HOSTS": "127.0.0.1",
    }
    if args.max_workers is not None:
        environ["MAX_WORKERS"] = str(args.max_workers)
    archiver = build_archiver(settings_from_env(environ))
    days = tuple(date.fromisoformat(d) for d in args.days.split(","))
    request = RunRequest(days=days, reports=tuple(Report(r) for r in args.reports.split(",")))
    deadline = Deadline.never() if args.seconds is None else Deadline.after(args.seconds)
    before = simulator_stats(args.api_url)
    cpu_before = _cpu_seconds()
    started = time.monotonic()
    summary = archiver.run(request, deadline, args.today)
    elapsed = time.monotonic() - started
    after = simulator_stats(args.api_url)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result: dict[str, Any] = {
        "max_workers": archiver.settings.max_workers,
        "elapsed_s": round(elapsed, 3),
        "counts": summary.counts(),
        "bytes": summary.bytes_archived,
        "rate_limit_waits": summary.rate_limit_waits,
        "peak_rss_kib": usage.ru_maxrss,
        "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu_before, 3),  # this process's, over the run
        "simulator": {k: after[k] - before[k] for k in after},
        "s3_calls": dict(sorted(s3_calls.items())),
        "deferred_reasons": sorted({r["reason"][:160] for r in summary.to_dict()["deferred"]}),
    }
    _RESULT_OUT.write(json.dumps(result) + "\n")
    _RESULT_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
