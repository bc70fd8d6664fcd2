"""The storage port and its two adapters: an S3 bucket (any endpoint) and a local folder.

A folder stands for a bucket: keys keep their prefix, so both hold the identical layout.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from .exceptions import AlreadyExists, StorageError, WriteConflict

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MiB = 1024 * 1024
# Memory budget per streamed upload: s3transfer holds at most max_in_memory_upload_chunks
# parts of multipart_chunksize bytes from a non-seekable stream (see engineering notes):
# 2 x 8 MiB here, so MAX_WORKERS=8 transfers in flight hold ~128 MiB of parts at most.
# 8 MiB parts cap one object at ~78 GiB (10,000 parts), far above any report file.
UPLOAD_PART_BYTES = 8 * MiB
UPLOAD_PARTS_IN_MEMORY = 2
UPLOAD_CONCURRENCY = 2
S3_CONNECTIONS = 2 * 32 * UPLOAD_CONCURRENCY  # MAX_WORKERS is 32 at most; HEADs and PUTs beside
NDJSON = "application/x-ndjson"
# User metadata naming one upload (x-amz-meta-archive-upload), to tell which version it wrote.
UPLOAD_STAMP = "archive-upload"
# A folder's temporary file, written beside its target and renamed in: ".{name}.{8 random}.partial"
# (tempfile.mkstemp's random part). The leading dot keeps it out of sight, and out of listings.
TEMP_SUFFIX = ".partial"
_TEMP_FILE = re.compile(r"\.[^/]+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


@dataclass(frozen=True, slots=True)
class Tagged:
    """An object's bytes and its tag (S3's ETag): a write `only_if_tag` replaces just these bytes."""

    data: bytes
    tag: str


class Storage(Protocol):
    """Where the archive lives. Keys are '/'-separated, as in S3."""

    def put_stream(self, key: str, stream: BinaryIO, content_type: str = NDJSON) -> str | None:
        """Store everything `stream` yields; on any error nothing is left at `key`.
        Returns the id of the version written (None where the store keeps no versions)."""

    def put_bytes(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/json",
        *,
        only_if_absent: bool = False,
        only_if_tag: str | None = None,
    ) -> None:
        """Store `data`; with only_if_absent, AlreadyExists when an object is there already;
        with only_if_tag, WriteConflict unless the object there is the one read with that tag."""

    def get_bytes(self, key: str) -> bytes: ...

    def read_tagged(self, key: str) -> Tagged | None:
        """The object's bytes and tag, or None when there is no object at `key`."""

    def open_read(self, key: str) -> BinaryIO:
        """A stream of the object's bytes, read as it is consumed; the caller closes it."""

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is no object at `key`."""

    def list_keys(self, prefix: str) -> Iterator[str]: ...

    def delete(self, key: str, version_id: str | None = None) -> None:
        """Remove `key`; with `version_id`, remove that version for good (no delete marker)."""

    def remove_stale_uploads(self, prefix: str, started_before: datetime) -> int:
        """Remove the unfinished uploads under `prefix` that a killed run left: those begun (for a
        folder's temporary file, last written) before `started_before`. Returns how many."""

    def describe(self) -> str: ...


class LocalFolderStorage:
    """A folder laid out like the bucket; writes go to a temporary file and are renamed in."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") for p in parts):
            raise StorageError(f"refusing unsafe key {key!r}")
        return self.root.joinpath(*parts)

    def put_stream(self, key: str, stream: BinaryIO, content_type: str = NDJSON) -> str | None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temp_file(path)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(MiB):
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return None

    def put_bytes(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/json",
        *,
        only_if_absent: bool = False,
        only_if_tag: str | None = None,
    ) -> None:
        if only_if_tag is not None:
            self._replace_if_tag(key, data, only_if_tag)
            return
        if not only_if_absent:
            self.put_stream(key, io.BytesIO(data), content_type)
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temp_file(path)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.link(tmp, path)  # atomic create-if-absent, unlike a rename
        except FileExistsError:
            raise AlreadyExists(f"{key} exists already") from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def _replace_if_tag(self, key: str, data: bytes, tag: str) -> None:
        path = self._path(key)
        # Writers of one folder (processes too) take turns: the check and the rename are one step.
        folder = os.open(path.parent, os.O_RDONLY) if path.parent.is_dir() else None
        if folder is None:
            raise WriteConflict(f"{key} is not there any more")
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            current = self.read_tagged(key)
            if current is None or current.tag != tag:
                raise WriteConflict(f"{key} changed since it was read")
            self.put_stream(key, io.BytesIO(data))
        finally:
            os.close(folder)  # closing releases the lock

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror}") from exc

    def read_tagged(self, key: str) -> Tagged | None:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror}") from exc
        return Tagged(data, hashlib.md5(data, usedforsecurity=False).hexdigest())

    def open_read(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror}") from exc

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def list_keys(self, prefix: str) -> Iterator[str]:
        # Walk only the deepest folder the prefix names, as S3 lists only what matches.
        folder_key = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        folder = self._path(folder_key) if folder_key else self.root
        if not folder.is_dir():
            return
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(TEMP_SUFFIX):
                    continue
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, key: str, version_id: str | None = None) -> None:
        self._path(key).unlink(missing_ok=True)

    def remove_stale_uploads(self, prefix: str, started_before: datetime) -> int:
        # A run still writing a file touches it with every chunk: its time is never that old.
        cutoff = started_before.timestamp()
        folder = self._path(prefix.rstrip("/"))
        removed = 0
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if not _TEMP_FILE.fullmatch(name):
                    continue
                path = Path(dirpath, name)
                try:
                    if path.lstat().st_mtime >= cutoff:
                        continue
                    path.unlink()
                except FileNotFoundError:
                    continue  # its own run renamed or removed it meanwhile
                except OSError as exc:
                    raise StorageError(f"cannot remove {path}: {exc.strerror}") from exc
                removed += 1
        return removed


class S3Storage:
    """An S3 bucket through boto3; streamed uploads use the managed (multipart) transfer."""

    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket = bucket
        # boto3 honours AWS_ENDPOINT_URL, so the same code reaches a loopback S3 server.
        # Each transfer in flight uses up to UPLOAD_CONCURRENCY connections; botocore keeps 10.
        self._client: Any = client or boto3.client("s3", config=Config(max_pool_connections=S3_CONNECTIONS))
        self._transfer = TransferConfig(
            multipart_threshold=UPLOAD_PART_BYTES,
            multipart_chunksize=UPLOAD_PART_BYTES,
            max_concurrency=UPLOAD_CONCURRENCY,
        )
        # Not a TransferConfig argument, but an attribute s3transfer reads (engineering notes).
        self._transfer.max_in_memory_upload_chunks = UPLOAD_PARTS_IN_MEMORY
        self._written_versions = _WrittenVersions(self._client.meta.events)

    def describe(self) -> str:
        return f"s3://{self.bucket}"

    @contextmanager
    def _translated(self, action: str, key: str) -> Iterator[None]:
        """The one place S3 errors become StorageError."""
        # Imported here, as boto3 itself in __init__: loading boto3 takes about 0.3 s, which a
        # local folder's users (`copilot-archive index`, the queries) never need.
        from boto3.exceptions import S3UploadFailedError

        try:
            yield
        except WriteConflict:
            raise
        except (BotoCoreError, ClientError, S3UploadFailedError) as exc:
            raise StorageError(f"{action} of s3://{self.bucket}/{key} failed: {exc}") from exc

    def put_stream(self, key: str, stream: BinaryIO, content_type: str = NDJSON) -> str | None:
        # On failure s3transfer aborts the multipart upload, so no part is left behind. The
        # managed transfer does not return the version it wrote: a stamp in the object's
        # metadata names the upload, so that a failed report-day can remove exactly its own versions.
        stamp = uuid.uuid4().hex
        extra = {"ContentType": content_type, "Metadata": {UPLOAD_STAMP: stamp}}
        with self._translated("upload", key), self._written_versions.watching(stamp) as written:
            try:
                self._client.upload_fileobj(stream, self.bucket, key, ExtraArgs=extra, Config=self._transfer)
            except BaseException:
                # S3 may have completed the upload and the answer been lost on the way back:
                # the caller never learns of that version, so it is removed here.
                self._remove_stamped(key, stamp)
                raise
            if written.answered:
                return written.version_id
            return self._version_stamped(key, stamp)  # S3's answer went unseen: ask for it

    def _version_stamped(self, key: str, stamp: str) -> str | None:
        head = self._client.head_object(Bucket=self.bucket, Key=key)
        if head.get("Metadata", {}).get(UPLOAD_STAMP) == stamp:
            return head.get("VersionId")
        # Another writer came between the upload and the HEAD: look through the versions.
        return self._find_stamped(key, stamp)

    def _remove_stamped(self, key: str, stamp: str) -> None:
        try:
            version_id = self._find_stamped(key, stamp)
            if version_id is not None:
                self.delete(key, version_id)
        except (BotoCoreError, ClientError, StorageError):
            pass  # best effort: the upload's own error is the one to report

    def _find_stamped(self, key: str, stamp: str) -> str | None:
        pages = self._client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key)
        for page in pages:
            for version in page.get("Versions", ()):
                if version["Key"] != key:
                    continue
                found = self._client.head_object(Bucket=self.bucket, Key=key, VersionId=version["VersionId"])
                if found.get("Metadata", {}).get(UPLOAD_STAMP) == stamp:
                    return str(version["VersionId"])
        return None

    def put_bytes(
        self,
        key: str,
        data: bytes,
        content_type: str = "application/json",
        *,
        only_if_absent: bool = False,
        only_if_tag: str | None = None,
    ) -> None:
        condition = {"IfNoneMatch": "*"} if only_if_absent else {}
        if only_if_tag is not None:
            condition = {"IfMatch": only_if_tag}
        with self._translated("write", key):
            try:
                self._client.put_object(
                    Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **condition
                )
            except ClientError as exc:
                code = _error_code(exc)
                if only_if_absent and code in _CONFLICT_CODES:
                    raise AlreadyExists(f"s3://{self.bucket}/{key} exists already") from exc
                # If-Match on a deleted object answers 404: that is a change since the read too.
                if only_if_tag is not None and code in (*_CONFLICT_CODES, "NoSuchKey", "404"):
                    raise WriteConflict(f"s3://{self.bucket}/{key} changed since it was read") from exc
                raise

    def get_bytes(self, key: str) -> bytes:
        with self._translated("read", key):
            return bytes(self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def read_tagged(self, key: str) -> Tagged | None:
        with self._translated("read", key):
            try:
                answer = self._client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise
            return Tagged(bytes(answer["Body"].read()), answer["ETag"])

    def open_read(self, key: str) -> BinaryIO:
        with self._translated("read", key):
            body: BinaryIO = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
            return body

    def size(self, key: str) -> int | None:
        with self._translated("head", key):
            try:
                return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
            except ClientError as exc:
                if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise

    def list_keys(self, prefix: str) -> Iterator[str]:
        with self._translated("listing", prefix):
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"]

    def delete(self, key: str, version_id: str | None = None) -> None:
        with self._translated("delete", key):
            if version_id and version_id != "null":
                self._client.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
            else:
                self._client.delete_object(Bucket=self.bucket, Key=key)

    def remove_stale_uploads(self, prefix: str, started_before: datetime) -> int:
        # s3transfer aborts a failed upload, but a killed process aborts nothing: its parts stay
        # (and are billed) until this, or the bucket's lifecycle rule a day later, aborts them.
        aborted = 0
        with self._translated("listing multipart uploads", prefix):
            pages = self._client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for upload in page.get("Uploads", ()):
                    if upload["Initiated"] >= started_before or not upload["Key"].startswith(prefix):
                        continue
                    try:
                        self._client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                    except ClientError as exc:
                        if _error_code(exc) != "NoSuchUpload":  # completed or aborted meanwhile
                            raise
                        continue
                    aborted += 1
        return aborted


@dataclass(slots=True)
class _WrittenVersion:
    """What S3 answered the request that completed one stamped upload."""

    answered: bool = False
    version_id: str | None = None


class _WrittenVersions:
    """Reads the version id off S3's answer to the request that completes a stamped upload
    (PutObject, or CompleteMultipartUpload), through the client's botocore events: the
    managed transfer drops that answer, and asking S3 again would cost a request per file."""

    _CONTEXT_KEY = "archive_upload_stamp"

    def __init__(self, events: Any) -> None:
        self._pending: dict[str, _WrittenVersion] = {}  # by stamp, while its upload runs
        self._stamps_by_upload_id: dict[str, str] = {}  # multipart uploads begun, not yet ended
        self._lock = threading.Lock()
        for operation in ("PutObject", "CreateMultipartUpload"):
            events.register(f"before-parameter-build.s3.{operation}", self._stamp_from_metadata)
        for operation in ("CompleteMultipartUpload", "AbortMultipartUpload"):
            events.register(f"before-parameter-build.s3.{operation}", self._stamp_from_upload_id)
        events.register("after-call.s3.CreateMultipartUpload", self._remember_upload_id)
        for operation in ("PutObject", "CompleteMultipartUpload"):
            events.register(f"after-call.s3.{operation}", self._record_version)

    @contextmanager
    def watching(self, stamp: str) -> Iterator[_WrittenVersion]:
        written = _WrittenVersion()
        with self._lock:
            self._pending[stamp] = written
        try:
            yield written
        finally:
            with self._lock:
                del self._pending[stamp]

    def _stamp_from_metadata(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        stamp = params.get("Metadata", {}).get(UPLOAD_STAMP)
        with self._lock:
            if stamp in self._pending:
                context[self._CONTEXT_KEY] = stamp

    def _stamp_from_upload_id(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        with self._lock:
            stamp = self._stamps_by_upload_id.pop(params.get("UploadId", ""), None)
        if stamp is not None:
            context[self._CONTEXT_KEY] = stamp

    def _remember_upload_id(
        self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        stamp = context.get(self._CONTEXT_KEY)
        if stamp is not None and http_response.status_code < 300:
            with self._lock:
                self._stamps_by_upload_id[parsed["UploadId"]] = stamp

    def _record_version(
        self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        stamp = context.get(self._CONTEXT_KEY)
        if stamp is None or http_response.status_code >= 300:
            return
        with self._lock:
            written = self._pending.get(stamp)
            if written is not None:
                written.answered = True
                written.version_id = parsed.get("VersionId")


def _temp_file(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`, so that the final rename is atomic."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)


# What S3 answers a conditional write that lost: the object is not as expected, or another
# conditional write to it is in flight.
_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def open_storage(location: str, client: S3Client | None = None) -> Storage:
    """`s3://bucket` or a folder path."""
    if location.startswith("s3://"):
        bucket = location[len("s3://") :].strip("/")
        if not bucket or "/" in bucket:
            raise StorageError(f"{location!r} must be s3://BUCKET (the prefix is set separately)")
        return S3Storage(bucket, client)
    return LocalFolderStorage(location)
