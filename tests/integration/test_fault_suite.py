"""The adversarial suite: >= 1,000 report-days archived by the real handler through seeded,
random faults at GitHub's API, its download hosts and S3; then quiet runs until nothing is
left. Afterwards nothing may be lost, corrupted, duplicated, half-written or uncounted."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, FakeLambdaContext
from tests.integration.test_seats import served_pages

pytestmark = pytest.mark.loopback

SEED = 20251010
TODAY = date(2026, 2, 12)  # window 2025-10-10 .. 2026-02-11: 125 days
ENTERPRISES = ("acme", "globex")
ORGANIZATIONS = ("initech", "umbrella")
SCOPES = [("enterprise", s) for s in ENTERPRISES] + [("organization", s) for s in ORGANIZATIONS]
DAILY_AT = {
    "enterprise": ("enterprise-1-day", "users-1-day"),
    "organization": ("organization-1-day", "users-1-day"),
}
DAILY = {report for reports in DAILY_AT.values() for report in reports}
LATEST = ("enterprise-28-day", "users-28-day", "organization-28-day")
# Today's seat snapshots: the roster of each scope, and each organization's seat breakdown.
SNAPSHOTS = ("copilot-seats", "copilot-billing")
# Billed usage, the enterprises': the suite holds its history to a week (oldest_billing_day) to
# stay in CI's time (the 24-month reach has its own test), and revises a day between two runs.
BILLING = "billing-usage"
BILLING_FAULTS = ("api_error", "api_reset", "api_slow", "rate_limit_429")
BILLING_DAYS = [TODAY - timedelta(days=n) for n in range(7, 0, -1)]
REVISED_DAY = TODAY - timedelta(days=2)
SNAPSHOT_FAULTS = ("api_error", "api_reset", "api_slow", "rate_limit_429", "forbidden", "seats_total_changed")
WINDOW = [date(2025, 10, 10) + timedelta(days=i) for i in range((TODAY - date(2025, 10, 10)).days)]
API_FAULTS = {
    "api_error": {"status": 502},  # 500 and 503 are drawn too, in inject_random_faults
    "api_reset": {},
    "api_slow": {"seconds": 0.3},
    "rate_limit_429": {"retry_after": 1},
    "rate_limit_403": {"reset_in": 0},
    "not_ready_404": {},
    "not_ready_204": {},
    "no_links": {},
    "no_report_string": {},
    "malformed_json": {},
    "day_mismatch": {},
    "not_ready_body": {},  # a body is drawn in inject_random_faults
}
# What GitHub has answered with 200 for days it has no report for.
NOT_READY_BODIES = ('"Report is being generated"', '""', "null", "")
DOWNLOAD_FAULTS = (
    "download_reset",
    "download_truncated",
    "download_expired",
    "download_gzip",
    "download_html",
    "redirect_offlist",
    "redirect_http_nonloopback",
    "redirect_same",
    "redirect_userinfo",
    "download_gzip_bomb",
)
# A closed loopback port for the userinfo redirects; bombs unpack past MAX_REPORT_BYTES below.
DOWNLOAD_PARAMS = {"redirect_userinfo": {"port": 9}, "download_gzip_bomb": {"size": 2 * 1024 * 1024}}
MAX_REPORT_BYTES = 1024 * 1024
S3_OPERATIONS = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
FAULTY_RUNS = 6
MAX_QUIET_RUNS = 6


class ShrinkingContext(FakeLambdaContext):
    """A Lambda context whose remaining time runs down with the wall clock."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._end = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._end - time.monotonic()) * 1000)


@pytest.fixture
def suite(monkeypatch, s3_endpoint, fixed_today, atomic_conditional_puts):
    import boto3
    import moto.s3.models

    from copilot_archive.archiving import billing, github, runtime, transfer
    from copilot_archive.core import clock, storage
    from copilot_archive.indexing import runtime as index_runtime
    from copilot_simulator import Simulator
    from copilot_simulator.s3_faults import S3FaultProxy

    monkeypatch.setattr(clock, "utc_today", lambda: TODAY)
    monkeypatch.setattr(github, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(billing, "oldest_billing_day", lambda today: today - timedelta(days=7))
    monkeypatch.setattr(billing, "POLL_SECONDS", 0.0)
    # Every users file goes through CreateMultipartUpload / UploadPart / Complete.
    monkeypatch.setattr(storage, "UPLOAD_PART_BYTES", 8 * 1024)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1024)
    with (
        Simulator(
            enterprises=ENTERPRISES,
            organizations=ORGANIZATIONS,
            users=5,
            links_per_report=2,
            today=TODAY,
            token=CANARY_TOKEN,
            seat_idle_holders=300,  # rosters of more than one page
        ) as sim,
        S3FaultProxy(s3_endpoint, seed=SEED) as proxy,
    ):
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": proxy.endpoint,
            "POWERTOOLS_TRACE_DISABLED": "1",
            "ENTERPRISES": ",".join(ENTERPRISES),
            "ORGANIZATIONS": ",".join(ORGANIZATIONS),
            # The totals and users reports of both levels: 1,008 report-days (the team and
            # repository reports have the same path through the code, tested without faults).
            "REPORTS": ",".join(sorted({*DAILY, *LATEST, *SNAPSHOTS, BILLING})),
            # Yesterday and the day before (REVISED_DAY) asked again on every run, not a week: the
            # suite makes many runs, and the window's length is tested on its own.
            "BILLING_REFETCH_DAYS": "2",
            "GITHUB_API_URL": sim.api_url,
            "GITHUB_TOKEN": CANARY_TOKEN,
            "DOWNLOAD_HOSTS": "127.0.0.1",
            "MAX_WORKERS": "4",
            "MAX_REPORT_BYTES": str(MAX_REPORT_BYTES),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for name in ("GITHUB_TOKEN_SECRET", "ARCHIVE_PREFIX", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        s3 = boto3.client("s3", endpoint_url=s3_endpoint)  # the checks go around the proxy
        bucket = f"fault-suite-{SEED}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        monkeypatch.setenv("ARCHIVE_BUCKET", bucket)
        monkeypatch.setenv("GLUE_DATABASE", "fault_suite")
        runtime.archiver_from_env.cache_clear()
        index_runtime.indexer_from_env.cache_clear()
        yield sim, proxy, s3, bucket
        runtime.archiver_from_env.cache_clear()
        index_runtime.indexer_from_env.cache_clear()


def test_of_two_racing_commits_of_a_report_day_the_suites_s3_takes_one(suite, monkeypatch):
    # The suite overlaps runs. moto checks If-None-Match, then writes: both runs could commit
    # a report-day, and each keep its raw versions (one left noncurrent). S3 takes one only.
    import threading

    import moto.s3.models

    from copilot_archive.core.exceptions import AlreadyExists
    from copilot_archive.core.storage import S3Storage

    _sim, _proxy, s3, bucket = suite
    write = moto.s3.models.S3Backend.put_object
    first_checked, rival_done = threading.Event(), threading.Event()

    def held_write(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not first_checked.is_set():
            first_checked.set()
            rival_done.wait(timeout=1)  # past its check: a rival that S3 would refuse writes now
        return write(self, *args, **kwargs)

    monkeypatch.setattr(moto.s3.models.S3Backend, "put_object", held_write)
    storage = S3Storage(bucket)  # through the fault proxy, as the suite's runs are
    outcomes: list[str] = []

    def commit() -> None:
        try:
            storage.put_bytes("manifests/day.json", b"{}", only_if_absent=True)
            outcomes.append("committed")
        except AlreadyExists:
            outcomes.append("skipped")

    first = threading.Thread(target=commit)
    first.start()
    assert first_checked.wait(timeout=10)
    commit()
    rival_done.set()
    first.join()

    assert sorted(outcomes) == ["committed", "skipped"]
    assert len(s3.list_object_versions(Bucket=bucket, Prefix="manifests/")["Versions"]) == 1


def missing_report_days(s3: Any, bucket: str) -> set[tuple[str, str, str]]:
    present = set()
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="copilot-metrics/manifests/"
    ):
        for item in page.get("Contents", ()):
            _, _, _, report, slug, day = item["Key"].split("/")
            present.add((report, slug.split("=")[1], day[len("day=") : -len(".json")]))
    wanted = {(r, s, d.isoformat()) for level, s in SCOPES for r in DAILY_AT[level] for d in WINDOW}
    return wanted - present


def entry_folder(key: str, revision: int) -> str:
    """The folder of another revision of the day whose file `key` is: .../day=D/revision=N/."""
    day_folder = key.rsplit("/revision=", 1)[0]
    return f"{day_folder}/revision={revision}/"


def next_in_line(missing: set[tuple[str, str, str]], count: int) -> list[tuple[str, str, str]]:
    """The report-days a run starts with: the planner goes oldest day first."""
    return sorted(missing, key=lambda rd: (rd[2], rd[1], rd[0]))[:count]


def inject_random_faults(sim: Any, rng: random.Random, targets: list[tuple[str, str, str]]) -> None:
    """Faults aimed at the report-days the next run reaches first, so they are met, however
    slow the machine: a fault whose day is not reached waits for the next run."""
    for report, slug, day in rng.sample(targets, min(len(targets), 40)):
        if rng.random() < 0.5:
            kind = rng.choice(sorted(API_FAULTS))
            params = dict(API_FAULTS[kind])
            if kind == "api_error":
                params["status"] = rng.choice([500, 502, 503])
            if kind == "not_ready_body":
                params["body"] = rng.choice(NOT_READY_BODIES)
            sim.inject(kind, times=rng.randint(1, 3), slug=slug, day=day, report=report, **params)
        else:
            kind = rng.choice(DOWNLOAD_FAULTS)
            params = DOWNLOAD_PARAMS.get(kind, {})
            sim.inject(kind, times=rng.randint(1, 4), slug=slug, day=day, report=report, **params)
    for _ in range(4):  # faults on the 28-day reports too
        sim.inject(
            rng.choice(["api_error", "download_reset", "download_expired"]), report=rng.choice(sorted(LATEST))
        )
    for _ in range(3):  # on the billing exports' calls
        kind = rng.choice(BILLING_FAULTS)
        params = {"status": rng.choice([500, 502, 503])} if kind == "api_error" else {}
        sim.inject(kind, report=BILLING, slug=rng.choice(ENTERPRISES), **params)
    for _ in range(3):  # and on the seat snapshots, some of whose pages disagree
        kind = rng.choice(SNAPSHOT_FAULTS)
        params = {"status": rng.choice([500, 502, 503])} if kind == "api_error" else {}
        sim.inject(kind, report=rng.choice(SNAPSHOTS), slug=rng.choice([s for _, s in SCOPES]), **params)


def index_everything_through_faults(suite: Any, manifest_keys: list[str], monkeypatch: Any) -> dict[str, int]:
    """The real indexer handler, one EventBridge event per manifest, while S3 reads and writes
    fail at random; a raised invocation is retried twice (as Lambda does for asynchronous
    events), then left to a `rebuild` (as an operator would after the DLQ alarm). Afterwards
    every report-day is indexed exactly once, with as many rows as its raw lines."""
    import importlib.util
    import io

    import boto3
    import pyarrow.parquet as pq

    from copilot_archive.core.exceptions import IndexingFailed
    from tests.conftest import ROOT, load_event
    from tests.stack import create_stack_catalog

    _sim, proxy, s3, bucket = suite
    glue = boto3.client("glue", endpoint_url=proxy.upstream_url)
    create_stack_catalog(glue, "fault_suite", bucket)
    # boto3 would retry most injected S3 faults by itself; with one attempt each fault reaches
    # the indexer, which must raise for a retry (the async invocation's) and lose nothing.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    spec = importlib.util.spec_from_file_location(
        "fault_suite_indexer", ROOT / "functions" / "indexer" / "app.py"
    )
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    context = FakeLambdaContext(function_name="copilot-indexer")
    totals = Counter(manifests=len(manifest_keys))
    faults_before = sum(proxy.faults_applied.values())
    proxy.fail(("GetObject", "HeadObject", "PutObject"), rate=0.03)
    days_left_to_rebuild = set()
    for key in manifest_keys:
        event = load_event("indexer-object-created.json")
        event["detail"]["bucket"]["name"] = bucket
        event["detail"]["object"]["key"] = key
        for _attempt in range(3):
            totals["invocations"] += 1
            try:
                app.lambda_handler(event, context)
                break
            except IndexingFailed:
                totals["raised"] += 1
        else:
            days_left_to_rebuild.add(key.rsplit("day=", 1)[1][: len("YYYY-MM-DD")])
    totals["s3_faults"] = sum(proxy.faults_applied.values()) - faults_before
    proxy.quiet()
    for day in sorted(days_left_to_rebuild):
        totals["rebuilt"] += 1
        app.lambda_handler({"rebuild": {"from": day, "to": day}}, context)

    for key in manifest_keys:
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        level = manifest["level"]
        where = f"{level}={manifest['slug']}/day={manifest['day']}"
        month = f"{level}={manifest['slug']}/month={manifest['day'][:7]}"
        status_key = f"copilot-metrics/curated/{level}/index_status/{month}/part-0000.parquet"
        [status] = [
            row
            for row in pq.read_table(
                io.BytesIO(s3.get_object(Bucket=bucket, Key=status_key)["Body"].read())
            ).to_pylist()
            if (row["report"], row["day"].isoformat()) == (manifest["report"], manifest["day"])
        ]
        assert status["indexed"] is True, (key, status["error"])
        if manifest["report"] == "users-1-day":
            folder = f"copilot-metrics/curated/{level}/user_daily/{where}/"
            parts = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=folder).get("Contents", [])]
            assert parts == [f"{folder}part-0000.parquet"], "one curated file per partition"
            body = s3.get_object(Bucket=bucket, Key=parts[0])["Body"].read()
            assert pq.read_metadata(io.BytesIO(body)).num_rows == manifest["lines"]
    for level, raw_table in (("enterprise", "raw_users_1_day"), ("organization", "org_raw_users_1_day")):
        pages = glue.get_paginator("get_partitions").paginate(DatabaseName="fault_suite", TableName=raw_table)
        registered = {tuple(p["Values"]) for page in pages for p in page["Partitions"]}
        wanted = {
            (k.split(f"{level}=")[1].split("/")[0], k.rsplit("day=", 1)[1][:10])
            for k in manifest_keys
            if f"/{level}/users-1-day/" in k
        }
        assert wanted and wanted <= registered, f"every indexed {level} users-1-day has its raw partition"
    return {name: totals[name] for name in ("manifests", "invocations", "raised", "rebuilt", "s3_faults")}


@pytest.mark.longest
def test_nothing_is_lost_corrupted_or_left_behind_under_random_faults(suite, capsys, monkeypatch):
    sim, proxy, s3, bucket = suite
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "fault_suite_app", ROOT / "functions" / "archiver" / "app.py"
    )
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    rng = random.Random(SEED)
    summaries: list[dict[str, Any]] = []

    def run(seconds: float, event: dict[str, Any] | None = None) -> dict[str, Any]:
        return app.lambda_handler(event or {}, ShrinkingContext(seconds))

    # Faulty phase: random faults everywhere, short Lambda budgets, some runs overlapping.
    sim.not_ready_days.update(d.isoformat() for d in rng.sample(WINDOW, 5))
    proxy.fail(S3_OPERATIONS, rate=0.08)
    # The first run takes the snapshots: one roster changes while it is paged.
    sim.inject("seats_total_changed", report="copilot-seats", slug=ENTERPRISES[0])
    for round_ in range(FAULTY_RUNS):
        inject_random_faults(sim, rng, next_in_line(missing_report_days(s3, bucket), 60))
        if round_ % 3 == 2:  # the schedule and a manual backfill at once
            backfill = {"from": WINDOW[0].isoformat(), "to": WINDOW[40].isoformat()}
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [
                    pool.submit(run, 95),
                    pool.submit(run, 95, backfill),
                ]
                summaries.extend(f.result() for f in futures)
            continue
        missing_before = missing_report_days(s3, bucket)
        summary = run(rng.choice([95, 100, 105]))  # 90 s reserve: 5 to 15 s of real work
        summaries.append(summary)
        counts = summary["counts"]
        daily_accounted = sum(
            len([r for r in summary[o] if r["report"] in DAILY])
            for o in ("archived", "failed", "not_ready", "deferred")
        )
        assert daily_accounted == len(missing_before), "every missing report-day is in the summary"
        assert counts["failed"] == len(summary["failed"])

    # Quiet phase: faults off, runs repeat until nothing is left.
    proxy.quiet()
    sim.not_ready_days.clear()
    sim.clear_faults()  # leftovers aimed at report-days that are done
    quiet_runs = 0
    while quiet_runs < MAX_QUIET_RUNS:
        quiet_runs += 1
        summary = run(900)
        summaries.append(summary)
        if quiet_runs == 1:  # every billing day is in: GitHub corrects one before the next run
            sim.billing.revise(ENTERPRISES[0], REVISED_DAY)
        elif summary["counts"]["archived"] == 0 and not (
            summary["failed"] or summary["not_ready"] or summary["deferred"]
        ):
            break

    # 0 lost report-days
    assert missing_report_days(s3, bucket) == set()
    # every manifest's files exist, with the served bytes and hash; nothing else under raw/
    listed: set[str] = set()
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            objects[item["Key"]] = item["Size"]
    snapshots = set()
    billed = set()
    for key in [k for k in objects if "/manifests/" in k]:
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        if manifest["report"] == BILLING:
            slug, day = manifest["slug"], date.fromisoformat(manifest["day"])
            billed.add((slug, day))
            served = [sim.billing.csv_bytes(slug, day, day)]  # the figures GitHub serves now
            # Earlier revisions stay beside the current one, each as GitHub served it then.
            served_before = {
                hashlib.sha256(sim.billing.csv_bytes(slug, day, day, {day: n})).hexdigest()
                for n in range(sim.billing.revisions.get((slug, day), 0))
            }
            for revision in range(1, manifest["revision"]):
                folder = entry_folder(manifest["files"][0]["key"], revision)
                earlier = [k for k in objects if k.startswith(folder)]
                assert earlier, f"revision {revision} of {key} is kept"
                for earlier_key in earlier:
                    body = s3.get_object(Bucket=bucket, Key=earlier_key)["Body"].read()
                    assert hashlib.sha256(body).hexdigest() in served_before, earlier_key
                    listed.add(earlier_key)
        elif manifest["report"] in SNAPSHOTS:
            snapshots.add((manifest["report"], manifest["slug"], manifest["day"]))
            owner = "enterprises" if manifest["level"] == "enterprise" else "orgs"
            served = served_pages(
                sim, owner, manifest["slug"], "seats" if manifest["report"] == "copilot-seats" else ""
            )
            assert "disagreement" not in manifest, key  # a page that disagreed was taken again
        else:
            served = sim.report_files(manifest["slug"], manifest["report"], manifest["day"])
        assert [f["sha256"] for f in manifest["files"]] == [hashlib.sha256(b).hexdigest() for b in served], (
            key
        )
        for entry in manifest["files"]:
            body = s3.get_object(Bucket=bucket, Key=entry["key"])["Body"].read()
            assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["bytes"]
            listed.add(entry["key"])
    # Today's snapshot of every scope: rosters at both levels, breakdowns of the organizations.
    assert snapshots == {("copilot-seats", slug, TODAY.isoformat()) for _, slug in SCOPES} | {
        ("copilot-billing", slug, TODAY.isoformat()) for slug in ORGANIZATIONS
    }
    assert sim.faults_applied["seats_total_changed"] == 1
    # Every billing day of the (shortened) history; the revised day as its second revision.
    assert billed == {(slug, day) for slug in ENTERPRISES for day in BILLING_DAYS}
    revised_key = (
        f"copilot-metrics/manifests/enterprise/{BILLING}/enterprise={ENTERPRISES[0]}/day={REVISED_DAY}.json"
    )
    assert json.loads(s3.get_object(Bucket=bucket, Key=revised_key)["Body"].read())["revision"] == 2
    raw = {k for k in objects if "/raw/" in k}
    assert raw == listed, "no partial, stray or duplicate raw object"
    # Not only current keys: a failed attempt leaves no version and no delete marker behind.
    noncurrent: list[tuple[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, Prefix="copilot-metrics/raw/"
    ):
        assert page.get("DeleteMarkers", []) == [], "a failed attempt's files are deleted by version"
        for version in page.get("Versions", ()):
            assert version["Key"] in listed, f"a version of an unlisted key: {version['Key']}"
            if not version["IsLatest"]:
                noncurrent.append((version["Key"], version["VersionId"]))
    assert noncurrent == [], "one version per archived raw file"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    latest_manifests = [k for k in objects if "-28-day/" in k and "/manifests/" in k]
    assert len(latest_manifests) == len(SCOPES) * 2  # the totals' and the users' 28-day reports

    # The indexer's share: every report-day of one enterprise and one organization (504
    # manifests), so the suite stays within CI's time; the indexer's tests cover the rest.
    indexed = [k for k in objects if "/manifests/" in k and ("=acme/" in k or "=initech/" in k)]
    index_totals = index_everything_through_faults(suite, indexed, monkeypatch)

    report_days = sum(len(DAILY_AT[level]) for level, _ in SCOPES) * len(WINDOW) + len(latest_manifests)
    failures = Counter()
    for summary in summaries:
        for outcome in ("failed", "not_ready", "deferred"):
            failures[outcome] += len(summary[outcome])
    retries = sum(s["api_retries"] + s["download_retries"] for s in summaries)
    faults = Counter(sim.faults_applied) + Counter({f"s3 {k}": v for k, v in proxy.faults_applied.items()})
    with capsys.disabled():
        print(
            f"\nfault suite: {report_days} report-days of {len(ENTERPRISES)} enterprises and "
            f"{len(ORGANIZATIONS)} organizations, {len(summaries)} runs ({quiet_runs} quiet)"
        )
        print(f"  faults injected: {sum(faults.values())}")
        for kind, count in sorted(faults.items()):
            print(f"    {kind}: {count}")
        print(f"  retries: {retries}; rate-limit waits: {sum(s['rate_limit_waits'] for s in summaries)}")
        print(f"  counted in summaries: {dict(failures)}")
        print(
            "  lost: 0; corrupted: 0; stray objects: 0; delete markers: 0; dangling multipart uploads: 0; "
            f"noncurrent raw versions: {len(noncurrent)}"
        )
        print(
            f"  indexer: {index_totals['manifests']} manifests, {index_totals['invocations']} invocations, "
            f"{index_totals['raised']} raised for a retry, {index_totals['rebuilt']} left to a rebuild, "
            f"{index_totals['s3_faults']} S3 faults; not indexed at the end: 0"
        )
    assert sum(faults.values()) >= 150
    assert len({kind for kind in sim.faults_applied}) >= 15, "most fault kinds were met"
    assert {op for op in S3_OPERATIONS if any(k.startswith(f"{op}:") for k in proxy.faults_applied)} == set(
        S3_OPERATIONS
    )
    assert failures["failed"] > 0 and failures["deferred"] > 0 and failures["not_ready"] > 0
    assert index_totals["raised"] > 0 and index_totals["s3_faults"] > 0
