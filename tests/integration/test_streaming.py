"""Streaming copies through real HTTP into moto's S3: multipart, failures, commit order, secrets."""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from datetime import date
from typing import Any, BinaryIO

import pytest

from copilot_archive.archiving.archiver import Archiver, Outcome
from copilot_archive.archiving.events import RunRequest
from copilot_archive.archiving.runtime import build_archiver
from copilot_archive.core.config import Settings
from copilot_archive.core.deadline import Deadline
from copilot_archive.core.exceptions import AlreadyExists, StorageError, WriteConflict
from copilot_archive.core.storage import LocalFolderStorage, MiB, S3Storage
from tests.conftest import CANARY_TOKEN, TODAY, bucket_objects

pytestmark = pytest.mark.loopback

DAY = date(2025, 10, 20)


@pytest.fixture
def big_simulator(fixed_today) -> Any:
    from copilot_simulator import Simulator

    # ~3,500 users: a users-1-day file of ~12 MiB over 1 link, above the 8 MiB multipart threshold.
    with Simulator(
        enterprises=("bigco",), users=3500, links_per_report=1, today=TODAY, token=CANARY_TOKEN
    ) as sim:
        yield sim


def settings_for(sim: Any, **extra: Any) -> Settings:
    return Settings(
        enterprises=sim.enterprises,
        api_url=sim.api_url,
        token=CANARY_TOKEN,
        download_hosts=("127.0.0.1",),
        **extra,
    ).with_overrides()


def one_day(report: str = "users-1-day") -> RunRequest:
    from copilot_archive.core.reports import Report

    return RunRequest(days=(DAY,), reports=(Report(report),))


def multipart_uploads(s3: Any, bucket: str) -> list[Any]:
    return s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def test_a_large_report_streams_as_multipart_and_matches_byte_for_byte(
    big_simulator, s3, bucket, monkeypatch
):
    from copilot_archive.archiving import transfer

    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    archiver = build_archiver(settings_for(big_simulator), S3Storage(bucket, s3))

    summary = archiver.run(one_day(), Deadline.never(), TODAY)

    (served,) = big_simulator.report_files("bigco", "users-1-day", DAY)
    assert len(served) > 8 * MiB
    key = f"copilot-metrics/raw/enterprise/users-1-day/enterprise=bigco/day={DAY}/part-0000.json"
    head = s3.head_object(Bucket=bucket, Key=key)
    assert "-" in head["ETag"], "uploaded in parts"
    assert hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest() == (
        hashlib.sha256(served).hexdigest()
    )
    assert summary.counts()["archived"] == 1
    assert multipart_uploads(s3, bucket) == []


def test_a_download_that_keeps_breaking_leaves_no_object_and_no_multipart_upload(
    big_simulator, s3, bucket, monkeypatch
):
    from copilot_archive.archiving import transfer

    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    big_simulator.inject("download_reset", times=20, report="users-1-day")
    archiver = build_archiver(settings_for(big_simulator), S3Storage(bucket, s3))

    summary = archiver.run(one_day(), Deadline.never(), TODAY)

    (failed,) = summary.of(Outcome.FAILED)
    assert "broke" in failed.reason or "ended after" in failed.reason
    assert big_simulator.faults_applied["download_reset"] == 3  # tried from the start, 3 times
    assert bucket_objects(s3, bucket) == {}
    assert multipart_uploads(s3, bucket) == []


def test_a_missing_bucket_fails_the_run_before_asking_github(simulator, s3, fixed_today):
    from copilot_archive.core.exceptions import StorageError

    archiver = build_archiver(settings_for(simulator), S3Storage("no-such-bucket-here", s3))

    with pytest.raises(StorageError, match="no-such-bucket-here"):
        archiver.run(one_day(), Deadline.never(), TODAY)
    assert simulator.requests == []


class RecordingStorage(LocalFolderStorage):
    """A real folder that also remembers the order of writes."""

    def __init__(self, root: Any) -> None:
        super().__init__(root)
        self.writes: list[str] = []

    def put_stream(self, key: str, stream: BinaryIO, content_type: str = "") -> None:
        super().put_stream(key, stream, content_type)
        self.writes.append(key)

    def put_bytes(
        self,
        key: str,
        data: bytes,
        content_type: str = "",
        *,
        only_if_absent: bool = False,
        only_if_tag: str | None = None,
    ) -> None:
        super().put_bytes(key, data, content_type, only_if_absent=only_if_absent, only_if_tag=only_if_tag)
        if only_if_absent:  # otherwise put_stream recorded it
            self.writes.append(key)


def test_the_manifest_is_written_after_every_file_it_lists(simulator, tmp_path, fixed_today):
    storage = RecordingStorage(tmp_path)
    archiver: Archiver = build_archiver(settings_for(simulator), storage)

    archiver.run(RunRequest(days=(DAY,)), Deadline.never(), TODAY)

    manifests = [i for i, k in enumerate(storage.writes) if "/manifests/" in k]
    # two enterprises, the four 1-day reports
    assert len(manifests) == 2 * 4 and len(set(storage.writes)) == len(storage.writes)
    for index in manifests:
        body = json.loads(storage.get_bytes(storage.writes[index]))
        for listed in body["files"]:
            assert storage.writes.index(listed["key"]) < index


def test_token_from_a_secrets_manager_secret(handler, archiver_env, monkeypatch, simulator, s3):
    import boto3

    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name=f"gh-{id(s3)}", SecretString=json.dumps({"token": CANARY_TOKEN}))["ARN"]
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_TOKEN_SECRET", arn)

    summary = handler({"days": [DAY.isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})

    assert summary["counts"]["archived"] == 1


def test_read_of_missing_key_is_none_not_an_error(s3, bucket):
    storage = S3Storage(bucket, s3)
    assert storage.size("nothing/here.json") is None
    storage.put_stream("a/b.json", io.BytesIO(b"{}\n"))
    assert storage.size("a/b.json") == 3 and list(storage.list_keys("a/")) == ["a/b.json"]


class Unseekable:
    """A body that can only be read, as a download is: the transfer cannot learn its size."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def count_calls(s3: Any) -> Counter[str]:
    """S3 API calls by operation, from now on."""
    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    s3.meta.events.register("before-call.s3", count)
    return calls


@pytest.mark.parametrize(("size", "completed_by"), [(10, "PutObject"), (9 * MiB, "CompleteMultipartUpload")])
def test_a_streamed_upload_learns_its_version_from_the_answer_that_completed_it(
    s3, bucket, size, completed_by
):
    storage = S3Storage(bucket, s3)
    storage.put_stream("p/raw/x/part-0000.json", io.BytesIO(b"older\n"))
    calls = count_calls(s3)

    version_id = storage.put_stream("p/raw/x/part-0000.json", Unseekable(b"x" * (size - 1) + b"\n"))
    calls = Counter(calls)  # what the upload asked, before this test asks anything

    (latest,) = [v for v in s3.list_object_versions(Bucket=bucket)["Versions"] if v["IsLatest"]]
    assert version_id is not None and version_id == latest["VersionId"] and latest["Size"] == size
    assert calls[completed_by] == 1
    assert calls["HeadObject"] == calls["ListObjectVersions"] == 0, "no request to learn the version"


def test_a_version_written_by_another_writer_meanwhile_is_not_taken_for_the_uploads(s3, bucket):
    import boto3

    key = "p/raw/x/part-0000.json"
    other_writer = boto3.client("s3")
    storage = S3Storage(bucket, s3)

    def write_over(**_: object) -> None:  # lands just after our upload, before put_stream returns
        other_writer.put_object(Bucket=bucket, Key=key, Body=b"theirs\n")

    s3.meta.events.register("after-call.s3.PutObject", write_over)
    try:
        version_id = storage.put_stream(key, Unseekable(b"ours\n"))
    finally:
        s3.meta.events.unregister("after-call.s3.PutObject", write_over)

    ours = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"].read()
    assert ours == b"ours\n" and s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"theirs\n"


def test_a_report_day_asks_s3_only_what_its_commit_needs(simulator, s3, bucket, fixed_today):
    heads: list[str] = []
    s3.meta.events.register(
        "before-parameter-build.s3.HeadObject", lambda params, **_: heads.append(params["Key"])
    )
    calls = count_calls(s3)
    archiver = build_archiver(settings_for(simulator), S3Storage(bucket, s3))

    summary = archiver.run(one_day(), Deadline.never(), TODAY)

    archived = summary.of(Outcome.ARCHIVED)
    files = sum(r.files for r in archived)
    assert len(archived) == 2 and files >= 2
    assert calls["PutObject"] == files + len(archived)  # each file, then each manifest
    # Per report-day: is it committed already (before asking GitHub), and is a stale part beyond
    # its files (before the commit); nothing per file.
    assert sorted("/manifests/" in key for key in heads) == [False, False, True, True]
    assert calls["ListObjectsV2"] == 2 and calls["ListObjectVersions"] == 0  # planning: per enterprise


def test_an_upload_whose_answer_is_lost_leaves_no_version_behind(s3, bucket):
    # S3 stored the object, but the answer never reached us: the caller cannot know its version.
    def lose_the_answer(**_: object) -> None:
        raise ConnectionResetError("answer lost after S3 stored the object")

    storage = S3Storage(bucket, s3)
    s3.meta.events.register("after-call.s3.PutObject", lose_the_answer)
    try:
        with pytest.raises((ConnectionResetError, StorageError)):
            storage.put_stream("p/raw/x/part-0000.json", io.BytesIO(b'{"a": 1}\n'))
    finally:
        s3.meta.events.unregister("after-call.s3.PutObject", lose_the_answer)

    listed = s3.list_object_versions(Bucket=bucket, Prefix="p/raw/")
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []


@pytest.mark.parametrize("where", ["s3", "folder"])
def test_a_conditional_write_replaces_only_the_object_it_read(where, s3, bucket, tmp_path):
    storage = S3Storage(bucket, s3) if where == "s3" else LocalFolderStorage(tmp_path)
    key = "p/curated/enterprise/t/enterprise=acme/month=2025-10/part-0000.parquet"
    assert storage.read_tagged(key) is None
    storage.put_bytes(key, b"first", only_if_absent=True)
    with pytest.raises(AlreadyExists):
        storage.put_bytes(key, b"second", only_if_absent=True)
    first = storage.read_tagged(key)
    assert first is not None and first.data == b"first"

    storage.put_bytes(key, b"second", only_if_tag=first.tag)  # still the object read: replaced
    with pytest.raises(WriteConflict):  # another writer's object is there now
        storage.put_bytes(key, b"third", only_if_tag=first.tag)

    second = storage.read_tagged(key)
    assert second is not None and second.data == b"second" and second.tag != first.tag
