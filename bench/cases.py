"""One measured copy of one report link into S3, in a process of its own.

    python bench/cases.py {archive,bare,naive} --api-url URL --day D --today T --bucket B --run-id ID

AWS_ENDPOINT_URL and fake credentials come from the environment (bench/run.py sets them).
Prints one JSON line on stdout: RSS after imports, baseline RSS just before the copy (clients
built), peak RSS, elapsed seconds, bytes and the sha256 of the object as stored. Everything
else (Powertools logs and metrics) goes to stderr, so stdout carries the result alone.
"""

from __future__ import annotations

import os
import sys

# Powertools writes logs and metrics to stdout: point fd 1 at stderr, keep a copy for the result.
_RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPORT = "users-1-day"
ENTERPRISE = "acme"
TOKEN = "sim-token"
MiB = 1024 * 1024


@dataclass
class FakeLambdaContext:
    """What Powertools and the handler read from a Lambda context."""

    function_name: str = "copilot-archiver-bench"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:copilot-archiver-bench"
    aws_request_id: str = "00000000-0000-0000-0000-00000000bench"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def vm_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def report_link(api_url: str, day: str) -> str:
    """Ask the simulator's API for the report-day's (single) download link."""
    import requests

    response = requests.get(
        f"{api_url}/enterprises/{ENTERPRISE}/copilot/metrics/reports/{REPORT}",
        params={"day": day},
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"},
        timeout=60,
    )
    response.raise_for_status()
    links = response.json()["download_links"]
    if len(links) != 1:
        raise RuntimeError(f"expected 1 download link, got {len(links)}")
    return str(links[0])


def stored_sha256(s3: Any, bucket: str, key: str) -> tuple[int, str]:
    """Size and sha256 of the object as stored, read back in 1 MiB chunks."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    size = 0
    while chunk := body.read(MiB):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def run_archive(args: argparse.Namespace) -> dict[str, Any]:
    """The product path: the real lambda_handler with a manual event for that one report-day."""
    os.environ.update(
        {
            "ENTERPRISES": ENTERPRISE,
            "ARCHIVE_BUCKET": args.bucket,
            "ARCHIVE_PREFIX": f"bench-{args.run_id}",
            "GITHUB_API_URL": args.api_url,
            "GITHUB_TOKEN": TOKEN,
            "DOWNLOAD_HOSTS": "127.0.0.1",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "CopilotMetricsArchive",
        }
    )
    os.environ.pop("GITHUB_TOKEN_SECRET", None)
    os.environ.pop("REPORTS", None)
    spec = importlib.util.spec_from_file_location("archiver_app", ROOT / "functions" / "archiver" / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    import boto3  # the storage adapter imports it lazily; count it as an import, not as the copy

    from copilot_archive.core import clock

    imports = vm_rss_kib()
    # The simulator's "today" (--today) and the archiver's must agree, or the day is out of window.
    today = date.fromisoformat(args.today)
    clock.utc_today = lambda: today
    app.archiver_from_env()  # a warm container: clients built, as bare builds its S3 client first

    event = {"days": [args.day], "reports": [REPORT], "enterprises": [ENTERPRISE]}
    baseline = vm_rss_kib()
    started = time.perf_counter()
    summary = app.lambda_handler(event, FakeLambdaContext())
    elapsed = time.perf_counter() - started
    peak = peak_rss_kib()

    if summary["counts"]["archived"] != 1:
        raise RuntimeError(f"report-day not archived: {json.dumps(summary)}")
    s3 = boto3.client("s3")
    manifest_key = next(k for k in _keys(s3, args.bucket, f"bench-{args.run_id}/") if "/manifests/" in k)
    manifest = json.loads(s3.get_object(Bucket=args.bucket, Key=manifest_key)["Body"].read())
    (entry,) = manifest["files"]
    size, sha = stored_sha256(s3, args.bucket, entry["key"])
    if (size, sha) != (entry["bytes"], entry["sha256"]):
        raise RuntimeError("the manifest does not describe the stored object")
    for key in _keys(s3, args.bucket, f"bench-{args.run_id}/"):
        s3.delete_object(Bucket=args.bucket, Key=key)
    return _result(imports, baseline, peak, elapsed, size, sha)


def run_bare(args: argparse.Namespace) -> dict[str, Any]:
    """The reference: a bare requests stream into upload_fileobj with the default TransferConfig."""
    import boto3
    import requests

    imports = vm_rss_kib()
    link = report_link(args.api_url, args.day)
    s3 = boto3.client("s3")
    key = f"bench-{args.run_id}/bare.json"
    baseline = vm_rss_kib()
    started = time.perf_counter()
    with requests.get(link, stream=True, timeout=(10, 60)) as response:
        response.raise_for_status()
        s3.upload_fileobj(response.raw, args.bucket, key)
    elapsed = time.perf_counter() - started
    peak = peak_rss_kib()
    size, sha = stored_sha256(s3, args.bucket, key)
    s3.delete_object(Bucket=args.bucket, Key=key)
    return _result(imports, baseline, peak, elapsed, size, sha)


def run_naive(args: argparse.Namespace) -> dict[str, Any]:
    """For contrast: the whole body in memory, then one put_object."""
    import boto3
    import requests

    imports = vm_rss_kib()
    link = report_link(args.api_url, args.day)
    s3 = boto3.client("s3")
    key = f"bench-{args.run_id}/naive.json"
    baseline = vm_rss_kib()
    started = time.perf_counter()
    response = requests.get(link, timeout=(10, 60))
    response.raise_for_status()
    s3.put_object(Bucket=args.bucket, Key=key, Body=response.content)
    elapsed = time.perf_counter() - started
    peak = peak_rss_kib()
    del response
    size, sha = stored_sha256(s3, args.bucket, key)
    s3.delete_object(Bucket=args.bucket, Key=key)
    return _result(imports, baseline, peak, elapsed, size, sha)


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", ())]


def _result(imports: int, baseline: int, peak: int, elapsed: float, size: int, sha: str) -> dict[str, Any]:
    return {
        "imports_rss_kib": imports,
        "baseline_rss_kib": baseline,
        "peak_rss_kib": peak,
        "elapsed_s": round(elapsed, 4),
        "bytes": size,
        "sha256": sha,
    }


CASES = {"archive": run_archive, "bare": run_bare, "naive": run_naive}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--day", required=True, help="the report day, YYYY-MM-DD")
    parser.add_argument("--today", required=True, help="the simulator's --today, YYYY-MM-DD")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--run-id", required=True, help="makes every key unique, so nothing is skipped")
    args = parser.parse_args()
    result = {"case": args.case, **CASES[args.case](args)}
    _RESULT_OUT.write(json.dumps(result) + "\n")
    _RESULT_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
