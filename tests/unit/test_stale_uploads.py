"""What a killed run left (a folder's temporary files, S3's multipart uploads) goes once it is
older than any run lasts; what a run in progress writes, and anything else, stays."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from copilot_archive.core.deadline import LONGEST_RUN, STALE_UPLOAD_AGE
from copilot_archive.core.storage import LocalFolderStorage, S3Storage

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CUTOFF = NOW - STALE_UPLOAD_AGE
OLD = CUTOFF - timedelta(minutes=1)
FRESH = CUTOFF + timedelta(minutes=1)


def test_a_stale_upload_is_older_than_the_longest_run():
    assert STALE_UPLOAD_AGE > LONGEST_RUN >= timedelta(minutes=15)  # Lambda's maximum timeout


def write(root: Path, relative: str, when: datetime) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"{}\n")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_only_old_temporary_files_of_the_prefix_are_removed(tmp_path):
    day = "copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-20"
    manifests = "copilot-metrics/manifests/enterprise/users-1-day/enterprise=acme"
    stale = [
        write(tmp_path, f"{day}/.part-0000.json.k3x9_q2a.partial", OLD),
        write(tmp_path, f"{manifests}/.day=2025-10-20.json.ab12cd34.partial", OLD),
        write(tmp_path, "copilot-metrics/state/not-ready/.enterprise=acme.json.zz99yy88.partial", OLD),
    ]
    kept = [
        # a run in progress is still writing it
        write(tmp_path, f"{day}/.part-0001.json.m4n5b6v7.partial", FRESH),
        # not our temporary files, however old
        write(tmp_path, f"{day}/part-0000.json", OLD),
        write(tmp_path, f"{manifests}/day=2025-10-20.json", OLD),
        write(tmp_path, f"{day}/notes.partial", OLD),
        write(tmp_path, f"{day}/.part-0002.json.partial", OLD),
        write(tmp_path, f"{day}/.part-0002.json.TOOLONG123.partial", OLD),
        write(tmp_path, f"{day}/.hidden", OLD),
        # another archive's prefix, and what lies outside any prefix
        write(tmp_path, "other-prefix/raw/.part-0000.json.k3x9_q2a.partial", OLD),
        write(tmp_path, ".part-0000.json.k3x9_q2a.partial", OLD),
    ]
    storage = LocalFolderStorage(tmp_path)

    removed = sum(
        storage.remove_stale_uploads(f"copilot-metrics/{subtree}/", CUTOFF)
        for subtree in ("raw", "manifests", "state")
    )

    assert removed == len(stale)
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_a_fresh_temporary_file_is_not_removed(tmp_path):
    fresh = write(tmp_path, "copilot-metrics/raw/.part-0000.json.k3x9_q2a.partial", FRESH)

    assert LocalFolderStorage(tmp_path).remove_stale_uploads("copilot-metrics/raw/", CUTOFF) == 0
    assert fresh.exists()


def test_a_prefix_with_no_folder_yet_removes_nothing(tmp_path):
    assert LocalFolderStorage(tmp_path).remove_stale_uploads("copilot-metrics/raw/", CUTOFF) == 0


def upload(key: str, upload_id: str, initiated: datetime) -> dict[str, object]:
    return {"Key": key, "UploadId": upload_id, "Initiated": initiated}


def test_only_old_multipart_uploads_under_the_prefix_are_aborted_on_every_page():
    client = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    storage = S3Storage("archive", client)
    prefix = "copilot-metrics/raw/"
    with Stubber(client) as stub:
        stub.add_response(
            "list_multipart_uploads",
            {
                "Uploads": [upload(f"{prefix}a/part-0000.json", "old-1", OLD)],
                "IsTruncated": True,
                "NextKeyMarker": f"{prefix}a/part-0000.json",
                "NextUploadIdMarker": "old-1",
            },
            {"Bucket": "archive", "Prefix": prefix},
        )
        stub.add_response(
            "abort_multipart_upload",
            {},
            {"Bucket": "archive", "Key": f"{prefix}a/part-0000.json", "UploadId": "old-1"},
        )
        stub.add_response(
            "list_multipart_uploads",
            {
                "Uploads": [
                    upload(f"{prefix}b/part-0000.json", "fresh", FRESH),  # a run in progress
                    upload(f"{prefix}c/part-0000.json", "old-2", OLD),
                    upload(f"{prefix}d/part-0000.json", "gone", OLD),  # aborted meanwhile
                ],
                "IsTruncated": False,
            },
            {
                "Bucket": "archive",
                "Prefix": prefix,
                "KeyMarker": f"{prefix}a/part-0000.json",
                "UploadIdMarker": "old-1",
            },
        )
        stub.add_response(
            "abort_multipart_upload",
            {},
            {"Bucket": "archive", "Key": f"{prefix}c/part-0000.json", "UploadId": "old-2"},
        )
        stub.add_client_error("abort_multipart_upload", "NoSuchUpload", http_status_code=404)

        assert storage.remove_stale_uploads(prefix, CUTOFF) == 2
        stub.assert_no_pending_responses()


def test_a_refused_abort_is_a_storage_error():
    from copilot_archive.core.exceptions import StorageError

    client = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "list_multipart_uploads", {"Uploads": [upload("copilot-metrics/raw/a", "old", OLD)]}
        )
        stub.add_client_error("abort_multipart_upload", "AccessDenied", http_status_code=403)
        with pytest.raises(StorageError, match="copilot-metrics/raw/"):
            S3Storage("archive", client).remove_stale_uploads("copilot-metrics/raw/", CUTOFF)
