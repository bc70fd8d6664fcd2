"""A run killed mid-upload (SIGKILL, as Lambda kills a function past its timeout or memory)
leaves nothing behind once the next run has run: no temporary file in a folder archive, no
open multipart upload in the bucket, and the report-day archived whole."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.core.deadline import STALE_UPLOAD_AGE
from copilot_archive.core.storage import UPLOAD_PART_BYTES, MiB
from tests.conftest import CANARY_TOKEN

pytestmark = pytest.mark.loopback

PREFIX = "copilot-metrics"
REPORT = "users-1-day"
# The CLI runs in another process, on the real clock: the simulator serves today's window.
DAY = datetime.now(UTC).date() - timedelta(days=5)
LONG_AGO = STALE_UPLOAD_AGE + timedelta(minutes=1)


@pytest.fixture
def upload_times(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """moto lists every multipart upload as Initiated in 2010: it keeps no time. Here each upload
    is stamped when it begins, as S3 does, and the test may move a stamp back (by upload id)."""
    from moto.s3.models import FakeMultipart
    from moto.s3.responses import S3Response

    initiated: dict[str, datetime] = {}
    begin = FakeMultipart.__init__
    list_uploads = S3Response.list_multipart_uploads

    def stamped(self: Any, *args: Any, **kwargs: Any) -> None:
        begin(self, *args, **kwargs)
        initiated[self.id] = datetime.now(UTC)

    def with_times(self: Any) -> Any:
        status, headers, body = list_uploads(self)
        text = body.decode() if isinstance(body, bytes) else body

        def restamp(match: re.Match[str]) -> str:
            upload = match[0]
            upload_id = re.search(r"<UploadId>([^<]+)</UploadId>", upload)
            when = initiated.get(upload_id[1]) if upload_id else None
            if when is None:
                return upload
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return re.sub(r"<Initiated>[^<]*</Initiated>", f"<Initiated>{stamp}</Initiated>", upload)

        return status, headers, re.sub(r"<Upload>.*?</Upload>", restamp, text, flags=re.S)

    monkeypatch.setattr(FakeMultipart, "__init__", stamped)
    monkeypatch.setattr(S3Response, "list_multipart_uploads", with_times)
    return initiated


def start_simulator(**options: Any) -> Any:
    from copilot_simulator import Simulator

    return Simulator(enterprises=("acme",), links_per_report=1, token=CANARY_TOKEN, **options)


def cli_env(sim: Any) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("GITHUB_TOKEN_SECRET", "ARCHIVE_PREFIX", "REPORTS", "ORGANIZATIONS")
    }
    env.update(
        ENTERPRISES="acme",
        GITHUB_API_URL=sim.api_url,
        GITHUB_TOKEN=CANARY_TOKEN,
        DOWNLOAD_HOSTS="127.0.0.1",
        POWERTOOLS_TRACE_DISABLED="1",
    )
    return env


def archive_command(archive: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "copilot_archive.cli",
        "archive",
        "--archive",
        archive,
        "--days",
        DAY.isoformat(),
        "--reports",
        REPORT,
        "--no-progress",
        "--json",
    ]


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 60.0) -> None:
    """SIGKILL the process as soon as `ready()` holds: no handler, no finally, no atexit runs."""
    give_up = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None:
                _, err = process.communicate()
                pytest.fail(f"the run ended before it could be killed: {err.decode()[-2000:]}")
            assert time.monotonic() < give_up, "the run never reached the point to kill it at"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def run_normally(archive: str, sim: Any) -> dict[str, Any]:
    done = subprocess.run(
        archive_command(archive), env=cli_env(sim), capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def served_sha256s(sim: Any, day: date) -> list[str]:
    return [hashlib.sha256(body).hexdigest() for body in sim.report_files("acme", REPORT, day)]


def manifest_key(day: date) -> str:
    return f"{PREFIX}/manifests/enterprise/{REPORT}/enterprise=acme/day={day.isoformat()}.json"


def raw_key(day: date, index: int) -> str:
    return f"{PREFIX}/raw/enterprise/{REPORT}/enterprise=acme/day={day.isoformat()}/part-{index:04d}.json"


def temporary_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.partial"))


def test_a_folder_archive_keeps_no_temporary_file_of_a_killed_run(tmp_path: Path) -> None:
    with start_simulator(users=1000) as sim:
        (served,) = sim.report_files("acme", REPORT, DAY)
        assert len(served) > 2 * MiB
        # The report's first bytes come at once, the rest a byte at a time: the run has written
        # a chunk (MiB) of its temporary file when it is killed.
        sim.inject("download_drip", report=REPORT, interval=0.2, after=MiB + MiB // 2)
        killed = subprocess.Popen(
            archive_command(str(tmp_path)), env=cli_env(sim), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        kill_when(killed, lambda: any(p.stat().st_size >= MiB for p in temporary_files(tmp_path)))
        left = temporary_files(tmp_path)
        assert left, "the killed run left its temporary file"
        assert not (tmp_path / manifest_key(DAY)).exists()
        # As if the next run came after any run could last (a Lambda timeout and more).
        long_ago = (datetime.now(UTC) - LONG_AGO).timestamp()
        for path in left:
            os.utime(path, (long_ago, long_ago))
        sim.clear_faults()

        summary = run_normally(str(tmp_path), sim)

        assert summary["stale_uploads_removed"] == len(left)
        assert summary["counts"]["archived"] == 1
        assert temporary_files(tmp_path) == []
        manifest = json.loads((tmp_path / manifest_key(DAY)).read_bytes())
        expected = served_sha256s(sim, DAY)
        assert [f["sha256"] for f in manifest["files"]] == expected
        raw = sorted(p for p in (tmp_path / raw_key(DAY, 0)).parent.iterdir())
        assert raw == [tmp_path / raw_key(DAY, i) for i in range(len(expected))]
        assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in raw] == expected
        # Nothing is downloaded again by a further run.
        downloads = sum(1 for r in sim.requests if r.kind == "download")
        assert run_normally(str(tmp_path), sim)["counts"]["archived"] == 0
        assert sum(1 for r in sim.requests if r.kind == "download") == downloads


@pytest.fixture
def big_simulator() -> Iterator[Any]:
    # ~3,500 users: the report file is ~12 MiB, above the 8 MiB multipart threshold.
    with start_simulator(users=3500) as sim:
        yield sim


def open_uploads(s3: Any, bucket: str) -> list[dict[str, Any]]:
    uploads: list[dict[str, Any]] = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return uploads


def test_a_bucket_keeps_no_multipart_upload_of_a_killed_run(
    big_simulator: Any, s3: Any, bucket: str, upload_times: dict[str, datetime]
) -> None:
    sim = big_simulator
    (served,) = sim.report_files("acme", REPORT, DAY)
    assert len(served) > UPLOAD_PART_BYTES + 1024 * 1024
    # The first part's bytes come at once, the rest a byte at a time: S3 holds one part of an
    # upload that is never completed when the run is killed.
    sim.inject("download_drip", report=REPORT, interval=0.2, after=UPLOAD_PART_BYTES + 1024 * 1024)
    killed = subprocess.Popen(
        archive_command(f"s3://{bucket}"), env=cli_env(sim), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )

    def a_part_is_stored() -> bool:
        uploads = open_uploads(s3, bucket)
        return bool(uploads) and bool(
            s3.list_parts(Bucket=bucket, Key=uploads[0]["Key"], UploadId=uploads[0]["UploadId"]).get("Parts")
        )

    kill_when(killed, a_part_is_stored)
    (left,) = open_uploads(s3, bucket)
    assert left["Key"] == raw_key(DAY, 0)
    # As if the next run came after any run could last; and another run is uploading right now.
    upload_times[left["UploadId"]] = datetime.now(UTC) - LONG_AGO
    in_progress = s3.create_multipart_upload(Bucket=bucket, Key=raw_key(DAY - timedelta(days=1), 0))
    sim.clear_faults()

    summary = run_normally(f"s3://{bucket}", sim)

    assert summary["stale_uploads_removed"] == 1
    assert summary["counts"]["archived"] == 1
    assert [u["UploadId"] for u in open_uploads(s3, bucket)] == [in_progress["UploadId"]]
    s3.abort_multipart_upload(Bucket=bucket, Key=in_progress["Key"], UploadId=in_progress["UploadId"])
    assert open_uploads(s3, bucket) == []
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key(DAY))["Body"].read())
    assert [f["sha256"] for f in manifest["files"]] == [hashlib.sha256(served).hexdigest()]
    body = s3.get_object(Bucket=bucket, Key=raw_key(DAY, 0))["Body"].read()
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(served).hexdigest()
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert {k for k in keys if "/raw/" in k} == {raw_key(DAY, 0)}


def test_an_index_run_removes_the_temporary_files_a_killed_index_run_left(
    cli_env: Any, tmp_path: Path
) -> None:
    from copilot_archive import cli

    day = "2025-10-20"
    archived = ["archive", "--archive", str(tmp_path), "--days", day, "--reports", REPORT, "--no-progress"]
    assert cli.main([*archived, "--enterprises", "acme"]) == 0
    # What a killed `index` leaves: a temporary file beside the curated file it was replacing.
    curated = tmp_path / PREFIX / "curated" / "enterprise" / "user_day" / "enterprise=acme" / f"day={day}"
    curated.mkdir(parents=True)
    stale = curated / ".part-0000.parquet.k3x9_q2a.partial"
    fresh = curated / ".part-0000.parquet.m4n5b6v7.partial"  # another index run, writing now
    raw_temp = (tmp_path / raw_key(date.fromisoformat(day), 0)).parent / ".part-0000.json.zz99yy88.partial"
    for path in (stale, fresh, raw_temp):
        path.write_bytes(b"PAR1")
    long_ago = (datetime.now(UTC) - LONG_AGO).timestamp()
    for path in (stale, raw_temp):
        os.utime(path, (long_ago, long_ago))

    assert cli.main(["index", "--archive", str(tmp_path), "--no-progress"]) == 0

    assert not stale.exists()
    assert fresh.exists()
    assert raw_temp.exists(), "the archiver's subtree is left to the archiver's next run"


def test_a_run_not_allowed_to_list_uploads_archives_all_the_same(
    handler: Any, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A stack whose role lacks s3:ListBucketMultipartUploads: the clean-up is skipped, said once."""
    from moto.s3.responses import S3Response

    refused = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    monkeypatch.setattr(S3Response, "list_multipart_uploads", lambda self: (403, {}, refused))

    summary = handler({"days": ["2025-10-20"], "reports": [REPORT], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1 and summary["counts"]["failed"] == 0
    assert summary["stale_uploads_removed"] == 0
    warnings = [r for r in caplog.records if "uploads of killed runs" in r.getMessage()]
    assert len(warnings) == 1 and "AccessDenied" in str(warnings[0].__dict__.get("reason"))
