"""`make bench`: archiving a users-1-day report into S3; curated vs raw bytes; indexer memory.

1. Starts moto's S3 server and the GitHub simulator on loopback (processes of their own), then
   runs every measured case in a fresh Python process (bench/cases.py) for a ~8 MiB and a
   ~256 MiB report.
2. bench/curated_bytes.py: bytes the standard views read from the curated Parquet tables vs the
   raw NDJSON, on a simulated year of a 5,000-user enterprise.
3. bench/index_case.py: the indexer's peak RSS on one users-1-day report-day, per size, each in
   a fresh process (the report-day archived beforehand by bench/simulated.py).
4. bench/index_case.py again: the indexer's time and peak RSS on a GitHub-shaped ~1 GiB day against
   pyarrow.json.read_json + pyarrow.parquet.write_table of its anchor file (--baseline --anchor).
5. bench/side_by_side.py: issue 17's goals, each against its anchor in the same run (the indexer on
   GitHub-shaped data, GitHub's sample lines, query, report and demo; the indexer's cold start
   is measured with the archiver's, by cold_start),
   printed last as one table.
Prints tables and writes bench/results/latest.json. A missed goal is reported, never raised:
the exit status is non-zero only when something crashed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import requests
import side_by_side  # bench/, beside this script

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
PYTHON = sys.executable
MiB = 1024 * 1024

# The simulator's "today" and the archiver's (cases.py pins copilot_archive.core.clock to it).
TODAY = "2026-11-25"
DAY = "2026-11-24"
TOKEN = "sim-token"
# ~3.2 KB per user in a users-1-day file: 2,650 users ≈ 8 MiB, 85,000 users ≈ 256 MiB.
# (label, users, archive/bare pairs); 3 pairs at 256 MiB, not 7, since issue 17's parts joined the run.
SIZES = (("8 MiB", 2_650, 3), ("256 MiB", 85_000, 3))
LARGE = "256 MiB"
SMALL = "8 MiB"

GOAL_GROWTH_MIB = 32  # archive peak RSS, ~256 MiB report minus ~8 MiB report
GOAL_LARGE_PEAK_MIB = 160  # archive peak RSS on the ~256 MiB report
GOAL_THROUGHPUT_RATIO = 0.8  # archive MiB/s over bare MiB/s on the ~256 MiB report
CASE_TIMEOUT_S = 240
CASES = ("archive", "bare", "naive")
PACKAGES = (
    "boto3",
    "botocore",
    "s3transfer",
    "requests",
    "urllib3",
    "aws-lambda-powertools",
    "moto",
    "pyarrow",
    "sqlglot",
)

# Curated vs raw: every day of every 3rd month of the simulated year (123 days, so both
# enterprise-1-day shapes, which alternate daily, and every weekday are in), scaled to 365
# days. Whole months, because the monthly tables pay a file's footer once a month.
YEAR_EVERY_NTH_DAY = 3
GOAL_CURATED_SHARE = 0.05  # curated bytes <= 5% of raw bytes, all views together
YEAR_TIMEOUT_S = 900
# Indexer memory: users-1-day report-days of these enterprise sizes, each indexed INDEX_RUNS times.
INDEX_USERS = (5_000, 20_000, 85_000)
INDEX_RUNS = 1  # 2 before issue 17's parts joined the run
LAMBDA_MEMORY_MIB = 2048  # the indexing Lambda's MemorySize, for context
# Indexer speed (issue 8, goal 5): a GitHub-shaped users-1-day day of ~1 GiB (bench/github_shaped.py),
# the indexer against read_json + write_table of its anchor file, SPEED_PAIRS alternating pairs of
# fresh processes. The ~256 MiB size and 2 of 3 pairs gave way to issue 17's whole-process goal 1
# (side_by_side.py), which times the indexer against the same anchors on a ~144 MiB day.
SPEED_SIZES = (("1 GiB", 1024),)  # (label, MiB)
SPEED_PAIRS = 1
GOAL_SPEED_RATIO = 2.0  # indexer median seconds / read_json + write_table median seconds
GOAL_SPEED_PEAK_MIB = 512  # indexer peak RSS on the ~1 GiB day
SPEED_TIMEOUT_S = 600


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_tail(self, lines: int = 20) -> str:
        self.log.flush()
        self.log.seek(0)
        return "\n".join(self.log.read().decode(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(server: Server) -> None:
    """End the server's whole process group: TERM, then KILL if it lingers."""
    if server.process.poll() is None:
        for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(server.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                server.process.wait(wait_s)
                break
            except subprocess.TimeoutExpired:
                continue


@contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended as a whole
        )
        with serving(Server("moto", process, log)) as server:
            yield wait_listening(server, port)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        stop(server)


def wait_listening(server: Server, port: int) -> str:
    deadline = time.monotonic() + 30
    while server.process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} is not listening on port {port}:\n{server.log_tail()}")


@contextmanager
def simulator(users: int) -> Iterator[str]:
    options = ["--port", "0", "--enterprises", "acme", "--links", "1", "--today", TODAY]
    options += ["--users", str(users)]
    with simulator_process(options) as api_url:
        yield api_url


@contextmanager
def simulator_process(options: list[str]) -> Iterator[str]:
    """The simulator in a process of its own, until the block ends; yields its API URL."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [PYTHON, "-m", "copilot_simulator", *options],
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
        with serving(Server("simulator", process, log)) as server:
            assert process.stdout is not None
            # It prints {"api_url": ...} once listening.
            ready, _, _ = select.select([process.stdout], [], [], 30)
            line = process.stdout.readline() if ready else b""
            if not line:
                raise RuntimeError(f"the simulator did not start:\n{server.log_tail()}")
            yield str(json.loads(line)["api_url"])


def aws_env(endpoint: str) -> dict[str, str]:
    """Fake credentials and the loopback endpoint; no profile or config file is read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def create_bucket(env: dict[str, str]) -> str:
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    code = f"import boto3; boto3.client('s3').create_bucket(Bucket={bucket!r})"
    subprocess.run([PYTHON, "-c", code], env=env, check=True, timeout=60)
    return bucket


def warm_up(api_url: str) -> tuple[int, str]:
    """Download the report once: the simulator builds and caches it, and we learn its size and hash."""
    api = requests.get(
        f"{api_url}/enterprises/acme/copilot/metrics/reports/users-1-day",
        params={"day": DAY},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    api.raise_for_status()
    (link,) = api.json()["download_links"]
    digest = hashlib.sha256()
    size = 0
    with requests.get(link, stream=True, timeout=(10, 120)) as response:
        response.raise_for_status()
        for chunk in response.iter_content(MiB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def run_case(case: str, api_url: str, bucket: str, env: dict[str, str]) -> dict[str, Any]:
    command = [PYTHON, str(BENCH / "cases.py"), case, "--api-url", api_url, "--day", DAY]
    command += ["--today", TODAY, "--bucket", bucket, "--run-id", uuid.uuid4().hex[:12]]
    done = subprocess.run(command, env=env, capture_output=True, timeout=CASE_TIMEOUT_S, cwd=ROOT)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"case {case} failed (exit {done.returncode}):\n{tail}")
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def measure_size(
    label: str, users: int, pairs: int, bucket: str, env: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with simulator(users) as api_url:
        started = time.monotonic()
        size, sha = warm_up(api_url)
        print(f"\n{label} report ({users:,} users): {size:,} bytes = {size / MiB:.1f} MiB, sha256 {sha[:16]}")
        warm_s = time.monotonic() - started
        print(f"  warm-up download (the simulator builds and caches the report): {warm_s:.1f} s")
        runs = []
        order = ["archive", "bare"] * pairs + ["naive"]  # alternating, so drift hits both alike
        for i, case in enumerate(order, 1):
            run = run_case(case, api_url, bucket, env)
            if (run["bytes"], run["sha256"]) != (size, sha):
                raise RuntimeError(f"{case} stored {run['bytes']} bytes, sha256 {run['sha256']}: wrong file")
            run.update(size=label, mib_per_s=size / MiB / run["elapsed_s"])
            runs.append(run)
            print(
                f"  run {i:2d} {case:8s} {run['elapsed_s']:7.3f} s {run['mib_per_s']:7.1f} MiB/s"
                f"  peak {run['peak_rss_kib'] / 1024:6.1f} MiB"
                f"  growth {(run['peak_rss_kib'] - run['baseline_rss_kib']) / 1024:6.1f} MiB"
            )
    return {"label": label, "users": users, "bytes": size, "mib": round(size / MiB, 2), "sha256": sha}, runs


def summarise(runs: list[dict[str, Any]], label: str, case: str) -> dict[str, Any]:
    mine = [r for r in runs if r["size"] == label and r["case"] == case]
    peaks = [r["peak_rss_kib"] / 1024 for r in mine]
    return {
        "runs": len(mine),
        "median_s": round(statistics.median(r["elapsed_s"] for r in mine), 3),
        "median_mib_per_s": round(statistics.median(r["mib_per_s"] for r in mine), 1),
        "imports_rss_mib": round(statistics.median(r["imports_rss_kib"] for r in mine) / 1024, 1),
        "baseline_rss_mib": round(statistics.median(r["baseline_rss_kib"] for r in mine) / 1024, 1),
        "peak_rss_mib_max": round(max(peaks), 1),
        "peak_rss_mib_median": round(statistics.median(peaks), 1),
        "growth_mib_max": round(max((r["peak_rss_kib"] - r["baseline_rss_kib"]) / 1024 for r in mine), 1),
    }


def goals(summary: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Memory goals on the worst run (what the Lambda must fit); throughput on medians."""
    large, small = summary[LARGE], summary[SMALL]
    growth = large["archive"]["peak_rss_mib_max"] - small["archive"]["peak_rss_mib_max"]
    ratio = large["archive"]["median_mib_per_s"] / large["bare"]["median_mib_per_s"]
    return [
        {
            "goal": "archive peak RSS growth, ~8 MiB -> ~256 MiB report",
            "value": round(growth, 1),
            "unit": "MiB",
            "limit": f"<= {GOAL_GROWTH_MIB}",
            "pass": growth <= GOAL_GROWTH_MIB,
        },
        {
            "goal": "archive peak RSS, ~256 MiB report",
            "value": large["archive"]["peak_rss_mib_max"],
            "unit": "MiB",
            "limit": f"<= {GOAL_LARGE_PEAK_MIB}",
            "pass": large["archive"]["peak_rss_mib_max"] <= GOAL_LARGE_PEAK_MIB,
        },
        {
            "goal": "archive / bare throughput, ~256 MiB report (medians)",
            "value": round(ratio, 3),
            "unit": "ratio",
            "limit": f">= {GOAL_THROUGHPUT_RATIO}",
            "pass": ratio >= GOAL_THROUGHPUT_RATIO,
        },
    ]


def print_table(reports: list[dict[str, Any]], summary: dict[str, dict[str, dict[str, Any]]]) -> None:
    header = (
        f"{'report':>16} {'case':8} {'runs':>4} {'median s':>9} {'MiB/s':>7} {'imports':>8} "
        f"{'baseline':>9} {'peak max':>9} {'growth max':>11}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for report in reports:
        for case, row in summary[report["label"]].items():
            print(
                f"{report['mib']:>12.1f} MiB {case:8} {row['runs']:>4} {row['median_s']:>9.3f} "
                f"{row['median_mib_per_s']:>7.1f} {row['imports_rss_mib']:>8.1f} "
                f"{row['baseline_rss_mib']:>9.1f} {row['peak_rss_mib_max']:>9.1f} "
                f"{row['growth_mib_max']:>11.1f}"
            )
    print("RSS in MiB: after imports, baseline just before the copy (clients built), peak, peak - baseline.")


def run_json(command: list[str], timeout: float, what: str) -> dict[str, Any]:
    """Run a bench script in a fresh process; its last stdout line is the JSON result."""
    env = {**os.environ, "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    # Its own process group, killed whole on a timeout: curated_bytes.py's worker processes
    # outlived their parent's kill and went on using the cores.
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env, start_new_session=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def curated_vs_raw() -> dict[str, Any]:
    print(
        f"\ncurated vs raw bytes: a simulated year of one 5,000-user enterprise, every day of every "
        f"{YEAR_EVERY_NTH_DAY} month(s) archived (real archiver) and indexed (real indexer) ..."
    )
    command = [PYTHON, str(BENCH / "curated_bytes.py"), "--every", str(YEAR_EVERY_NTH_DAY), "--whole-months"]
    result = run_json(command, YEAR_TIMEOUT_S, "curated_bytes.py")
    share = result["total"]["ratio"]
    result["goal"] = {
        "goal": "curated bytes read / raw bytes read, all standard views, a year",
        "value": round(share, 5),
        "unit": "ratio",
        "limit": f"<= {GOAL_CURATED_SHARE}",
        "pass": share <= GOAL_CURATED_SHARE,
    }
    return result


def print_curated_vs_raw(result: dict[str, Any]) -> None:
    days, sampled = result["days_in_year"], result["days_archived"]
    print(
        f"  {sampled} of {days} days ({result['year'][0]} .. {result['year'][1]}, every "
        f"{result['every_nth_day']}{' month' if result.get('whole_months') else ''}), "
        f"{result['report_days_archived']} report-days archived and indexed "
        f"in {result['archive_and_index_seconds']} s by {result['workers']} processes; "
        f"figures x {result['scale']:.3f} = per {days} days"
    )
    header = (
        f"{'view':24} {'curated table':28} {'curated MB':>11} {'whole files MB':>15} {'raw MB':>10} "
        f"{'curated/raw':>12}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for row in result["views"]:
        tables = ",".join(row["tables"])
        print(
            f"{row['view']:24} {tables:28} {row['curated_bytes'] / 1e6:>11.2f} "
            f"{row['curated_whole_file_bytes'] / 1e6:>15.2f} {row['raw_bytes'] / 1e6:>10.1f} "
            f"{row['ratio']:>11.4%}"
        )
    total = result["total"]
    for row in result.get("views_not_measured", ()):
        print(
            f"{row['view']:24} not measured: the bench archives no "
            + ", ".join(row["raw_sources_not_archived"])
        )
    print("-" * len(header))
    print(
        f"{'all views':24} {'':28} {total['curated_bytes'] / 1e6:>11.2f} "
        f"{total['curated_whole_file_bytes'] / 1e6:>15.2f} {total['raw_bytes'] / 1e6:>10.1f} "
        f"{total['ratio']:>11.4%}"
    )
    print(
        "curated = compressed column chunks (Parquet metadata) of the columns each view references\n"
        "  (sqlglot qualify against curated_schema; partition columns enterprise, day: in the path, free);\n"
        "whole files = every Parquet file of those tables, for contrast; raw = whole NDJSON files the same\n"
        "  question reads (users-1-day, enterprise-1-day; manifests for index_status). MB = 10^6 bytes."
    )
    raw = result["archive"]["raw"]
    curated_total = sum(v["bytes"] for v in result["archive"]["curated"].values())
    print(
        "archive per year: raw "
        + ", ".join(f"{name} {v['bytes'] / 1e6:,.1f} MB" for name, v in raw.items())
        + f"; curated (all tables) {curated_total / 1e6:,.1f} MB"
    )


def index_memory() -> dict[str, Any]:
    print(
        f"\nindexer memory: one users-1-day report-day (day {DAY}), {INDEX_RUNS} fresh processes per size ..."
    )
    sizes, runs = [], []
    for users in INDEX_USERS:
        root = Path(tempfile.mkdtemp(prefix="bench-index-"))
        try:
            prepare = [PYTHON, str(BENCH / "simulated.py"), "--root", str(root), "--users", str(users)]
            prepare += ["--today", TODAY, "--days", DAY, "--reports", "users-1-day"]
            archived = run_json(prepare, CASE_TIMEOUT_S, "simulated.py")
            mine = []
            for _ in range(INDEX_RUNS):
                run = run_json(
                    [PYTHON, str(BENCH / "index_case.py"), "--root", str(root)], CASE_TIMEOUT_S, "index"
                )
                run["users"] = users
                mine.append(run)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        runs.extend(mine)
        peaks = [r["peak_rss_kib"] / 1024 for r in mine]
        sizes.append(
            {
                "users": users,
                "raw_bytes": archived["raw_bytes"],
                "raw_mib": round(archived["raw_bytes"] / MiB, 1),
                "curated_bytes": mine[0]["curated_bytes"],
                "rows": mine[0]["rows"],
                "runs": len(mine),
                "imports_rss_mib": round(statistics.median(r["imports_rss_kib"] for r in mine) / 1024, 1),
                "baseline_rss_mib": round(statistics.median(r["baseline_rss_kib"] for r in mine) / 1024, 1),
                "peak_rss_mib_max": round(max(peaks), 1),
                "peak_rss_mib_median": round(statistics.median(peaks), 1),
                "growth_mib_max": round(
                    max((r["peak_rss_kib"] - r["baseline_rss_kib"]) / 1024 for r in mine), 1
                ),
                "median_s": round(statistics.median(r["elapsed_s"] for r in mine), 2),
                "raw_mib_per_s": round(
                    archived["raw_bytes"] / MiB / statistics.median(r["elapsed_s"] for r in mine), 1
                ),
            }
        )
    return {"report_day": DAY, "lambda_memory_mib": LAMBDA_MEMORY_MIB, "sizes": sizes, "runs": runs}


def print_index_memory(result: dict[str, Any]) -> None:
    header = (
        f"{'users':>7} {'raw MiB':>8} {'curated MiB':>12} {'user rows':>10} {'all rows':>9} {'median s':>9} "
        f"{'MiB/s':>6} {'imports':>8} {'baseline':>9} {'peak max':>9} {'growth max':>11}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for row in result["sizes"]:
        print(
            f"{row['users']:>7,} {row['raw_mib']:>8.1f} {row['curated_bytes'] / MiB:>12.2f} "
            f"{row['rows'].get('user_daily', 0):>10,} {sum(row['rows'].values()):>9,} "
            f"{row['median_s']:>9.2f} "
            f"{row['raw_mib_per_s']:>6.1f} {row['imports_rss_mib']:>8.1f} {row['baseline_rss_mib']:>9.1f} "
            f"{row['peak_rss_mib_max']:>9.1f} {row['growth_mib_max']:>11.1f}"
        )
    print(
        "Indexer.index_manifest on a local folder (no catalog); RSS in MiB: after imports, baseline\n"
        f"just before indexing, peak (ru_maxrss), peak - baseline. No goal; the indexing Lambda has "
        f"{result['lambda_memory_mib']} MiB."
    )


# ---- the archiver as a user feels it: cold start, backfill at GitHub's pace, rate limit ----
# (issue 8, goals 1-3; each a ratio measured side by side in this run)

IMPORT_ROUNDS = 11  # fresh interpreters per import, alternating boto3 / archiver / indexer
GOAL_COLD_START_RATIO = 1.5  # median import of the archiver handler / median `import boto3`
GOAL_INDEXER_COLD_START_RATIO = 1.5  # the same for the indexer's handler (issue 17, goal 5)
# Must stay off the archiver's import path (the indexer's and the CLI's libraries, the tracer's SDK).
NOT_ON_ARCHIVER_PATH = ("aws_xray_sdk", "pyarrow", "duckdb", "sqlglot")
IMPORT_PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None
started = time.perf_counter()
__import__(sys.argv[2])
elapsed = time.perf_counter() - started
print(elapsed, ",".join(m for m in sys.argv[3].split(",") if m in sys.modules))
"""
BACKFILL_ENTERPRISES = ("e1", "e2", "e3")
BACKFILL_DAYS = 20  # 3 enterprises x 2 one-day reports x 20 days = 120 report-days
BACKFILL_PAIRS = 2  # MAX_WORKERS=1 / defaults, alternating (3 before issue 17's parts joined the run)
LATENCY_S = 0.05  # added by the simulator to every API call and every download
GOAL_BACKFILL_SPEEDUP = 6.0
ARCHIVER_MEMORY_MIB = 1024  # template.yaml: the archiver's MemorySize
STREAM_USERS = 85_000  # ~256 MiB users-1-day reports
STREAM_DAYS = 2  # x STREAM_LINKS links: 8 transfers in flight with the defaults
STREAM_LINKS = 4
QUOTA = (40, 3.0)  # API calls per window, window seconds: 120 calls need 3 windows
GITHUB_QUOTA = (5000, 3600.0)  # what GitHub announces; the speed runs stay under it


def import_seconds(
    path: str, module: str, extra_env: dict[str, str] | None = None
) -> tuple[float, list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "AWS_LAMBDA_FUNCTION_NAME")}
    env.update(extra_env or {})
    command = [PYTHON, "-c", IMPORT_PROBE, path, module, ",".join(NOT_ON_ARCHIVER_PATH)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=True)
    seconds, _, loaded = done.stdout.strip().partition(" ")
    return float(seconds), [m for m in loaded.split(",") if m]


def compile_our_bytecode() -> None:
    """Bytecode for our package and handlers, as pip wrote boto3's when it installed it. Without
    it (an editable install, PYTHONDONTWRITEBYTECODE) every round would compile our modules from
    source while boto3's load as bytecode: a cost on one side only."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("copilot_archive")
    assert spec is not None and spec.submodule_search_locations, "copilot_archive is not importable"
    for folder in (*spec.submodule_search_locations, ROOT / "functions"):
        compileall.compile_dir(str(folder), quiet=1)


def cold_start() -> dict[str, Any]:
    print(f"\ncold start: import time in fresh interpreters, {IMPORT_ROUNDS} alternating rounds ...")
    handlers = {
        "archiver": str(ROOT / "functions" / "archiver"),
        "indexer": str(ROOT / "functions" / "indexer"),
    }
    compile_our_bytecode()
    # Lambda with our layer (built --no-compile) has no bytecode for anything: boto3 and the
    # archiver both compiled from source, bytecode looked for only in an empty folder.
    no_bytecode = tempfile.mkdtemp(prefix="bench-no-bytecode-")
    from_source = {"PYTHONPYCACHEPREFIX": no_bytecode, "PYTHONDONTWRITEBYTECODE": "1"}
    times: dict[str, list[float]] = {
        "boto3": [],
        "archiver": [],
        "indexer": [],
        "boto3_from_source": [],
        "archiver_from_source": [],
    }
    loaded: dict[str, list[str]] = {}
    try:
        for _ in range(IMPORT_ROUNDS):
            times["boto3"].append(import_seconds("", "boto3")[0])
            for name, path in handlers.items():
                seconds, modules = import_seconds(path, "app")
                times[name].append(seconds)
                loaded[name] = modules
            times["boto3_from_source"].append(import_seconds("", "boto3", from_source)[0])
            times["archiver_from_source"].append(import_seconds(handlers["archiver"], "app", from_source)[0])
    finally:
        shutil.rmtree(no_bytecode, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["archiver"] / medians["boto3"]
    result = {
        "rounds": IMPORT_ROUNDS,
        "median_s": {name: round(value, 4) for name, value in medians.items()},
        "ratio": {name: round(medians[name] / medians["boto3"], 2) for name in handlers},
        "ratio_from_source": {
            "archiver": round(medians["archiver_from_source"] / medians["boto3_from_source"], 2)
        },
        "not_on_archiver_path_loaded": loaded["archiver"],
        "seconds": {name: [round(v, 4) for v in values] for name, values in times.items()},
    }
    result["goal"] = {
        "goal": "archiver handler import / import boto3 (medians, both from bytecode), tracing off",
        "value": round(ratio, 2),
        "unit": "ratio",
        "limit": f"<= {GOAL_COLD_START_RATIO}, and none of {','.join(NOT_ON_ARCHIVER_PATH)} imported",
        "pass": ratio <= GOAL_COLD_START_RATIO and not loaded["archiver"],
    }
    indexer_ratio = medians["indexer"] / medians["boto3"]
    result["indexer_loaded"] = loaded["indexer"]
    result["indexer_goal"] = {
        "goal": "indexer handler import / import boto3 (medians, both from bytecode), tracing off",
        "value": round(indexer_ratio, 2),
        "unit": "ratio",
        "limit": f"<= {GOAL_INDEXER_COLD_START_RATIO}",
        "pass": indexer_ratio <= GOAL_INDEXER_COLD_START_RATIO,
    }
    for name in times:
        baseline = medians["boto3_from_source" if name.endswith("_from_source") else "boto3"]
        print(f"  import {name:20s} median {medians[name] * 1000:7.1f} ms  x{medians[name] / baseline:.2f}")
    print(f"  on the archiver's path of {','.join(NOT_ON_ARCHIVER_PATH)}: {loaded['archiver'] or 'none'}")
    print(f"  on the indexer's path of {','.join(NOT_ON_ARCHIVER_PATH)}: {loaded['indexer'] or 'none'}")
    return result


@contextmanager
def paced_simulator(
    enterprises: tuple[str, ...], users: int, links: int, quota: tuple[int, float]
) -> Iterator[str]:
    options = ["--port", "0", "--enterprises", ",".join(enterprises), "--users", str(users)]
    options += ["--links", str(links), "--today", TODAY, "--latency", str(LATENCY_S)]
    options += ["--rate-limit", str(quota[0]), "--rate-window", str(quota[1])]
    with simulator_process(options) as api_url:
        yield api_url


def backfill_days(count: int) -> list[str]:
    last = datetime.fromisoformat(DAY).date()
    return [(last - timedelta(days=i)).isoformat() for i in range(count)][::-1]


def backfill(
    api_url: str,
    bucket: str,
    env: dict[str, str],
    enterprises: tuple[str, ...],
    days: list[str],
    **options: Any,
) -> dict[str, Any]:
    command = [PYTHON, str(BENCH / "backfill_case.py"), "--api-url", api_url, "--bucket", bucket]
    command += ["--prefix", f"bf-{uuid.uuid4().hex[:8]}", "--enterprises", ",".join(enterprises)]
    command += ["--days", ",".join(days), "--today", TODAY]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    env = {**env, "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    done = subprocess.run(command, env=env, capture_output=True, timeout=YEAR_TIMEOUT_S, cwd=ROOT)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"backfill failed (exit {done.returncode}):\n{tail}")
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def show(label: str, run: dict[str, Any]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in run["counts"].items() if v)
    sim = run["simulator"]
    print(
        f"  {label:28s} {run['elapsed_s']:7.2f} s  peak {run['peak_rss_kib'] / 1024:6.1f} MiB  {counts}; "
        f"API {sim['api']}, downloads {sim['download']}, rate-limit answers {sim['rate_limited']}, "
        f"waits {run['rate_limit_waits']}"
    )


def archiver_pace() -> dict[str, Any]:
    """Goals 2 and 3: a backfill with 50 ms to GitHub, one worker against the defaults; peak RSS
    with the defaults while ~256 MiB reports stream; a backfill of three quota windows."""
    days = backfill_days(BACKFILL_DAYS)
    runs: dict[str, list[dict[str, Any]]] = {"one_worker": [], "defaults": []}
    with moto_server() as endpoint:
        env = aws_env(endpoint)
        bucket = create_bucket(env)
        print(
            f"\nbackfill at GitHub's pace: {len(BACKFILL_ENTERPRISES)} enterprises x 2 one-day reports x "
            f"{len(days)} days, {LATENCY_S * 1000:.0f} ms per API call and download, quota "
            f"{GITHUB_QUOTA[0]}/{GITHUB_QUOTA[1]:.0f} s; {BACKFILL_PAIRS} alternating pairs ..."
        )
        with paced_simulator(BACKFILL_ENTERPRISES, 40, 3, GITHUB_QUOTA) as api_url:
            for _ in range(BACKFILL_PAIRS):
                for label, options in (("one_worker", {"max_workers": 1}), ("defaults", {})):
                    run = backfill(api_url, bucket, env, BACKFILL_ENTERPRISES, days, **options)
                    runs[label].append(run)
                    show(f"{label} (MAX_WORKERS={run['max_workers']})", run)
        print(
            f"\nstreaming: {STREAM_DAYS} users-1-day report-days of {STREAM_USERS:,} users, "
            f"{STREAM_LINKS} links each, defaults ..."
        )
        stream_days = backfill_days(STREAM_DAYS)
        with paced_simulator(("big",), STREAM_USERS, STREAM_LINKS, GITHUB_QUOTA) as api_url:
            for day in stream_days:  # the simulator builds each report before the clock starts
                requests.get(
                    f"{api_url}/enterprises/big/copilot/metrics/reports/users-1-day",
                    params={"day": day},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=600,
                ).raise_for_status()
            streaming = backfill(api_url, bucket, env, ("big",), stream_days, reports="users-1-day")
            show("defaults, ~256 MiB reports", streaming)
        print(
            f"\nquota: the same backfill, defaults, against {QUOTA[0]} API calls per "
            f"{QUOTA[1]:.0f} s window ..."
        )
        with paced_simulator(BACKFILL_ENTERPRISES, 40, 3, QUOTA) as api_url:
            quota = backfill(api_url, bucket, env, BACKFILL_ENTERPRISES, days, seconds=600)
            show("defaults, small quota", quota)
    one = statistics.median(r["elapsed_s"] for r in runs["one_worker"])
    defaults = statistics.median(r["elapsed_s"] for r in runs["defaults"])
    speedup = one / defaults
    peak = streaming["peak_rss_kib"] / 1024
    everything = [*runs["one_worker"], *runs["defaults"], streaming, quota]
    refused = sum(r["simulator"]["rate_limited"] for r in everything)
    complete = all(r["counts"]["archived"] == sum(r["counts"].values()) for r in everything)
    return {
        "latency_s": LATENCY_S,
        "backfill_report_days": len(BACKFILL_ENTERPRISES) * 2 * len(days),
        "median_s": {"one_worker": one, "defaults": defaults},
        "default_max_workers": runs["defaults"][0]["max_workers"],
        "streaming": streaming,
        "quota": {"limit": QUOTA[0], "window_s": QUOTA[1], "run": quota},
        "runs": runs,
        "goals": [
            {
                "goal": "backfill with 50 ms to GitHub: MAX_WORKERS=1 time / defaults time (medians)",
                "value": round(speedup, 2),
                "unit": "ratio",
                "limit": f">= {GOAL_BACKFILL_SPEEDUP}",
                "pass": speedup >= GOAL_BACKFILL_SPEEDUP and complete,
            },
            {
                "goal": f"archiver peak RSS, defaults, {STREAM_DAYS * STREAM_LINKS} links of 256 MiB reports",
                "value": round(peak, 1),
                "unit": "MiB",
                "limit": f"<= {ARCHIVER_MEMORY_MIB // 2} (half the archiver's MemorySize)",
                "pass": peak <= ARCHIVER_MEMORY_MIB // 2 and complete,
            },
            {
                "goal": "rate-limit answers (403/429), all backfills incl. one over 3 quota windows",
                "value": refused,
                "unit": "answers",
                "limit": "0, everything archived",
                "pass": refused == 0 and complete,
            },
        ],
    }


def index_speed() -> dict[str, Any]:
    """The indexer against read_json + write_table of the same users-1-day day, alternating."""
    print(
        f"\nindexer speed: GitHub-shaped users-1-day day {DAY}, {SPEED_PAIRS} alternating pair(s) of "
        "fresh processes ..."
    )
    sizes, runs, goals_ = [], [], []
    for label, mib in SPEED_SIZES:
        root = Path(tempfile.mkdtemp(prefix="bench-speed-"))
        try:
            anchor = root / "anchor.json"
            prepare = [PYTHON, str(BENCH / "github_shaped.py"), "--root", str(root / "archive")]
            prepare += ["--mib", str(mib), "--day", DAY, "--anchor", str(anchor)]
            shaped = run_json(prepare, SPEED_TIMEOUT_S, "github_shaped.py")
            archived = {"raw_bytes": shaped["bytes"]}
            users = shaped["lines"]
            mine: dict[str, list[dict[str, Any]]] = {"index": [], "baseline": []}
            for _ in range(SPEED_PAIRS):
                # read_json refuses the misfits: the baseline reads the anchor (same bytes, fitting values)
                for case, extra in (("baseline", ["--baseline", "--anchor", str(anchor)]), ("index", [])):
                    command = [PYTHON, str(BENCH / "index_case.py"), "--root", str(root / "archive"), *extra]
                    run = run_json(command, SPEED_TIMEOUT_S, f"index_case.py {case}")
                    mine[case].append({**run, "label": label, "users": users})
        finally:
            shutil.rmtree(root, ignore_errors=True)
        runs.extend(mine["baseline"] + mine["index"])
        med = {c: statistics.median(r["elapsed_s"] for r in rs) for c, rs in mine.items()}
        peak = {c: max(r["peak_rss_kib"] for r in rs) / 1024 for c, rs in mine.items()}
        sizes.append(
            {
                "label": label,
                "users": users,
                "raw_mib": round(archived["raw_bytes"] / MiB, 1),
                "index_median_s": round(med["index"], 2),
                "baseline_median_s": round(med["baseline"], 2),
                "time_ratio": round(med["index"] / med["baseline"], 2),
                "index_peak_rss_mib_max": round(peak["index"], 1),
                "baseline_peak_rss_mib_max": round(peak["baseline"], 1),
                "peak_ratio": round(peak["index"] / peak["baseline"], 2),
            }
        )
        goals_.append(
            {
                "goal": f"indexer / read_json+write_table time, ~{label} users-1-day day (medians)",
                "value": sizes[-1]["time_ratio"],
                "unit": "ratio",
                "limit": f"<= {GOAL_SPEED_RATIO}",
                "pass": sizes[-1]["time_ratio"] <= GOAL_SPEED_RATIO,
            }
        )
    largest = sizes[-1]
    goals_.append(
        {
            "goal": f"indexer peak RSS, ~{largest['label']} users-1-day day",
            "value": largest["index_peak_rss_mib_max"],
            "unit": "MiB",
            "limit": f"<= {GOAL_SPEED_PEAK_MIB}",
            "pass": largest["index_peak_rss_mib_max"] <= GOAL_SPEED_PEAK_MIB,
        }
    )
    return {"report_day": DAY, "pairs": SPEED_PAIRS, "sizes": sizes, "goals": goals_, "runs": runs}


def print_index_speed(result: dict[str, Any]) -> None:
    header = (
        f"{'size':>8} {'raw MiB':>8} {'index s':>8} {'baseline s':>11} {'time ratio':>11} "
        f"{'index peak MiB':>15} {'baseline peak MiB':>18} {'peak ratio':>11}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for row in result["sizes"]:
        print(
            f"{row['label']:>8} {row['raw_mib']:>8.1f} {row['index_median_s']:>8.2f} "
            f"{row['baseline_median_s']:>11.2f} {row['time_ratio']:>11.2f} "
            f"{row['index_peak_rss_mib_max']:>15.1f} {row['baseline_peak_rss_mib_max']:>18.1f} "
            f"{row['peak_ratio']:>11.2f}"
        )
    print(
        "index: Indexer.index_manifest (no catalog) of a GitHub-shaped day; baseline:\n"
        "pyarrow.json.read_json + pyarrow.parquet.write_table (zstd, in memory) of its anchor file (same\n"
        "bytes, misfit values put back to fitting ones, null elements written {}: read_json refuses both);\n"
        "each a fresh process, alternating; medians of seconds, worst peak RSS (ru_maxrss)."
    )


def machine() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "absent"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "git_commit": commit or "unknown",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: version(name) for name in PACKAGES},
    }


def issue_17_only() -> int:
    """`python bench/run.py --issue-17`: only issue 17's table (its parts and the cold start), written
    to bench/results/issue-17.json; latest.json, which docs/cost.md's table is built from, stays."""
    started = time.monotonic()
    starting = cold_start()
    issue_17 = side_by_side.measure()
    issue_17["table"] = side_by_side.table(issue_17, starting)
    side_by_side.print_table(issue_17["table"])
    elapsed = time.monotonic() - started
    out = RESULTS.with_name("issue-17.json")
    document = {
        "machine": machine(),
        "bench_seconds": round(elapsed, 1),
        "cold_start": starting,
        "issue_17": issue_17,
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)} in {elapsed:.0f} s")
    return 0


def main() -> int:
    # A TERM (or Ctrl-C) unwinds through the finally blocks, so no server outlives the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if sys.argv[1:] == ["--issue-17"]:
        return issue_17_only()
    started = time.monotonic()
    reports, runs = [], []
    with moto_server() as endpoint:
        env = aws_env(endpoint)
        bucket = create_bucket(env)
        print(f"moto S3 on {endpoint}, bucket {bucket}; report day {DAY} ('today' is {TODAY})")
        for label, users, pairs in SIZES:
            report, size_runs = measure_size(label, users, pairs, bucket, env)
            reports.append(report)
            runs.extend(size_runs)
    summary = {r["label"]: {c: summarise(runs, r["label"], c) for c in CASES} for r in reports}
    results = goals(summary)
    print_table(reports, summary)
    bytes_read = curated_vs_raw()
    print_curated_vs_raw(bytes_read)
    memory = index_memory()
    print_index_memory(memory)
    starting, pace = cold_start(), archiver_pace()
    speed = index_speed()
    print_index_speed(speed)
    issue_17 = side_by_side.measure()
    issue_17["table"] = side_by_side.table(issue_17, starting)
    print()
    everything = [*results, bytes_read["goal"], starting["goal"], *pace["goals"], *speed["goals"]]
    for goal in everything:
        verdict = "PASS" if goal["pass"] else "MISS"
        print(f"{verdict}  {goal['goal']}: {goal['value']} {goal['unit']} (goal {goal['limit']})")
    side_by_side.print_table(issue_17["table"])
    elapsed = time.monotonic() - started
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine(),
        "bench_seconds": round(elapsed, 1),
        "report_day": DAY,
        "reports": reports,
        "goals": results,
        "summary": summary,
        "runs": runs,
        "curated_vs_raw": bytes_read,
        "index_memory": memory,
        "cold_start": starting,
        "archiver_pace": pace,
        "index_speed": speed,
        "issue_17": issue_17,
        "notes": (
            "Each run is a fresh Python process; RSS from /proc/self/status VmRSS (baseline, just before "
            "the copy) and getrusage ru_maxrss (peak). Memory goals use the worst run, throughput the "
            "medians. archive times the whole lambda_handler call (plan, API, copy, manifest); bare and "
            "naive time the download and upload only. sha256 and bytes are of the object read back from S3. "
            "curated_vs_raw: see bench/README.md (column-chunk bytes of referenced columns vs whole raw "
            "files, sampled days scaled to 365). index_memory: Indexer.index_manifest in a fresh process."
        ),
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
