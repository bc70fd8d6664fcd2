"""The commit path every source shares: one report-day's files streamed into storage (counted
and hashed on the way, transfer.py), the manifest written last, create-only, as the commit mark,
and a failed attempt's files removed.

A *source* knows how one kind of data is fetched; it writes a report-day's files through an
`Attempt` and never touches manifests, clean-up or idempotence:

- `LinkSource` (sources.py): the usage reports' signed links for a day, copied at once through
  the run's transfer slots, asked again once when a link is refused.
- `SnapshotSource` (sources.py): the pages of a snapshot (the seat roster), one file per page,
  followed to the last page and taken again once when its pages disagree.
- `ExportSource` (sources.py): a billing usage export, created, polled until GitHub completes
  it, and its `download_urls` copied as `LinkSource` copies report links. GitHub revises billing
  after the fact: a re-fetched day whose bytes differ is committed as a `Revision`, its files
  beside the earlier revision's, its manifest replacing the one it read (a conditional write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ..core.deadline import Deadline
from ..core.exceptions import AlreadyExists, ArchiveError, Unchanged, WriteConflict
from ..core.layout import ReportDay, manifest_key, raw_file_key
from ..core.manifest import ArchivedFile, Manifest
from ..core.observability import logger
from ..core.storage import Storage
from .transfer import CopiedFile


@dataclass(frozen=True, slots=True)
class Filled:
    """What a source says about the files it wrote, for the manifest."""

    report_start_day: date | None = None
    report_end_day: date | None = None
    # Set when the source's data disagreed with itself and was archived all the same.
    disagreement: str = ""


@dataclass(frozen=True, slots=True)
class Revision:
    """The revision a revised kind's report-day is committed as, and the manifest it replaces."""

    number: int
    # The tag of the day's current manifest, as read; None for the day's first revision.
    replaces: str | None = None


class Attempt:
    """One try at a report-day: the files it holds so far, and every version it wrote (so that
    a failure can remove them). Sources call `key` and `keep`; the committer does the rest."""

    def __init__(
        self,
        storage: Storage,
        prefix: str,
        report_day: ReportDay,
        revision: int | None = None,
        later_copy: int = 0,
    ) -> None:
        self.storage = storage
        self.report_day = report_day
        self.revision = revision
        self._prefix = prefix
        self._later_copy = later_copy  # 0: the first copy; n: the n-th later one, beside it
        self._files: dict[int, ArchivedFile] = {}  # by file index: the manifest lists them in order
        self._versions: dict[int, str | None] = {}  # the version each kept file was written as
        self.written: list[tuple[str, str | None]] = []  # (key, version) of every file written

    def key(self, index: int) -> str:
        return raw_file_key(self._prefix, self.report_day, index, self.revision, self._later_copy)

    def keep(self, index: int, copied: CopiedFile) -> None:
        self._files[index] = copied.archived
        self._versions[index] = copied.version_id
        self.written.append((copied.archived.key, copied.version_id))

    def superseded(self) -> list[tuple[str, str]]:
        """Versions this attempt wrote that its files no longer are (a file written again after
        `start_over`): removed once committed, so each archived file has one version."""
        kept = {(self._files[i].key, self._versions[i]) for i in self._files}
        return [
            (key, version)
            for key, version in self.written
            if version is not None and (key, version) not in kept
        ]

    def has(self, index: int) -> bool:
        return index in self._files

    def start_over(self) -> None:
        """The files so far do not belong together (a different split, a changed roster): they
        are overwritten or removed, and what was written stays listed for a failure's clean-up."""
        self._files.clear()
        self._versions.clear()

    def files(self) -> tuple[ArchivedFile, ...]:
        count = len(self._files)
        if sorted(self._files) != list(range(count)):
            raise ArchiveError(f"{self.report_day}: files {sorted(self._files)} are not 0..{count - 1}")
        return tuple(self._files[i] for i in range(count))


class Source(Protocol):
    """Fetches one report-day's files into an attempt."""

    @property
    def report_day(self) -> ReportDay: ...

    def fill(self, attempt: Attempt, deadline: Deadline) -> Filled: ...


class Committer:
    """Commits report-days into one storage: the only code that writes manifests."""

    def __init__(self, storage: Storage, prefix: str, api_version: str, now: Callable[[], datetime]) -> None:
        self.storage = storage
        self.prefix = prefix
        self.api_version = api_version
        self._now = now

    def is_committed(self, report_day: ReportDay) -> bool:
        return self.storage.size(manifest_key(self.prefix, report_day)) is not None

    def check_not_committed(self, report_day: ReportDay) -> None:
        if self.is_committed(report_day):
            raise AlreadyExists("already archived")

    def commit(
        self,
        source: Source,
        deadline: Deadline,
        force: bool = False,
        revision: Revision | None = None,
        later_copy: int = 0,
    ) -> Manifest:
        """Fill, then write the manifest last. Without `force`, a report-day that has a manifest
        is left as it is (AlreadyExists): callers check before fetching, and the create-only
        manifest write settles any race. A `revision` (revised kinds: billing) replaces the
        manifest it read only if it is still there (of two runs revising a day, one commits). A
        `later_copy` (>= 1) is a restated 1-day report fetched again, written beside the first
        copy under keys of its own (layout.py), never over it."""
        report_day = source.report_day
        number = revision.number if revision else None
        attempt = Attempt(self.storage, self.prefix, report_day, number, later_copy)
        try:
            filled = source.fill(attempt, deadline)
            files = attempt.files()
            manifest = Manifest(
                report_day=report_day,
                files=files,
                fetched_at=self._now(),
                api_version=self.api_version,
                report_start_day=filled.report_start_day,
                report_end_day=filled.report_end_day,
                disagreement=filled.disagreement,
                revision=number,
            )
            if later_copy:  # its keys are new: nothing of an earlier write is there
                self.storage.put_bytes(
                    manifest_key(self.prefix, report_day, later_copy), manifest.to_json(), only_if_absent=True
                )
            else:
                self._remove_stale_parts(report_day, len(files), number)
                self._write_manifest(manifest, force, revision)
        except BaseException as exc:
            # Also when an overlapping run committed first: its versions become current again.
            self._discard_uncommitted(report_day, attempt.written)
            if isinstance(exc, Unchanged):
                raise
            if isinstance(exc, WriteConflict):
                raise AlreadyExists("archived by an overlapping run") from exc
            raise
        for key, version_id in attempt.superseded():
            try:
                self.storage.delete(key, version_id)
            except ArchiveError:
                logger.warning("could not remove a superseded version", extra={"key": key})
        logger.info(
            "report-day archived",
            extra={
                "target": str(report_day),
                "files": len(files),
                "bytes": manifest.total_bytes,
                "lines": manifest.total_lines,
            },
        )
        return manifest

    def _write_manifest(self, manifest: Manifest, force: bool, revision: Revision | None) -> None:
        key = manifest_key(self.prefix, manifest.report_day)
        if revision is not None and revision.replaces is not None:
            self.storage.put_bytes(key, manifest.to_json(), only_if_tag=revision.replaces)
            return
        # Create-only unless forced: of two overlapping runs, one commits, the other skips.
        self.storage.put_bytes(key, manifest.to_json(), only_if_absent=not force or revision is not None)

    def _remove_stale_parts(self, report_day: ReportDay, count: int, revision: int | None = None) -> None:
        """A forced re-archive (or a retried snapshot) with fewer files than before must not
        leave old parts behind."""
        index = count
        extra = raw_file_key(self.prefix, report_day, index, revision)
        while self.storage.size(extra) is not None:
            self.storage.delete(extra)
            index += 1
            extra = raw_file_key(self.prefix, report_day, index, revision)

    def _discard_uncommitted(self, report_day: ReportDay, written: list[tuple[str, str | None]]) -> None:
        """Remove a failed attempt's files. A version this attempt wrote is deleted for good
        whatever else happened: the object's previous version (a forced re-archive's, or an
        overlapping run's) becomes current again, as its manifest says. Where the store keeps
        no versions, a file is removed only when no manifest vouches for what is at its key."""
        unversioned = [key for key, version_id in written if version_id is None]
        if unversioned and self._vouched_for(report_day):
            written = [(key, version_id) for key, version_id in written if version_id is not None]
        for key, version_id in written:
            try:
                self.storage.delete(key, version_id)
            except ArchiveError:
                logger.warning("could not remove a file of a failed report-day", extra={"key": key})

    def _vouched_for(self, report_day: ReportDay) -> bool:
        try:
            return self.is_committed(report_day)
        except ArchiveError:
            logger.warning("could not check for a manifest; removing the failed attempt's files")
            return False
