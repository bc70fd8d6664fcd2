"""The per-report-day manifest: written last, it is the mark that a report-day is archived."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from .exceptions import InvalidRequest, ManifestError
from .layout import ReportDay, parse_report, validate_slug
from .reports import Level

MANIFEST_VERSION = 1
STATUS_OK = "ok"
STATUS_EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    """One stored report file, as counted on its way through."""

    key: str
    bytes: int
    sha256: str
    lines: int


@dataclass(frozen=True, slots=True)
class Manifest:
    report_day: ReportDay
    files: tuple[ArchivedFile, ...]
    fetched_at: datetime
    api_version: str
    report_start_day: date | None = None
    report_end_day: date | None = None
    # A snapshot whose pages disagreed (its total changed while paging) even when taken again.
    disagreement: str = ""
    # Revised kinds (billing usage): the revision these files are, the day's current one; the
    # earlier ones stay archived beside it (layout.raw_day_prefix).
    revision: int | None = None

    @property
    def status(self) -> str:
        """'empty' when GitHub's files hold no report line (e.g. nobody used Copilot that day)."""
        return STATUS_OK if any(f.lines for f in self.files) else STATUS_EMPTY

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    @property
    def total_lines(self) -> int:
        return sum(f.lines for f in self.files)

    def to_json(self) -> bytes:
        rd = self.report_day
        body: dict[str, Any] = {
            "manifest_version": MANIFEST_VERSION,
            "report": rd.report.value,
            "level": rd.level.value,
            "slug": rd.slug,
            "day": rd.day.isoformat(),
        }
        if self.report_start_day is not None and self.report_end_day is not None:
            body["report_start_day"] = self.report_start_day.isoformat()
            body["report_end_day"] = self.report_end_day.isoformat()
        body.update(
            {
                "status": self.status,
                "fetched_at": self.fetched_at.isoformat().replace("+00:00", "Z"),
                "api_version": self.api_version,
                "file_count": len(self.files),
                "bytes": self.total_bytes,
                "lines": self.total_lines,
                "files": [asdict(f) for f in self.files],
            }
        )
        if self.disagreement:
            body["disagreement"] = self.disagreement
        if self.revision is not None:
            body["revision"] = self.revision
        return (json.dumps(body, indent=2) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes, key: str = "<manifest>") -> Manifest:
        try:
            body = json.loads(data)
            report_day = ReportDay(
                report=parse_report(body["report"]),
                slug=validate_slug(body["slug"]),
                day=date.fromisoformat(body["day"]),
                level=Level(body["level"]),
            )
            files = tuple(_archived_file(f) for f in body["files"])
            start, end = body.get("report_start_day"), body.get("report_end_day")
            return cls(
                report_day=report_day,
                files=files,
                fetched_at=datetime.fromisoformat(body["fetched_at"].replace("Z", "+00:00")),
                api_version=str(body["api_version"]),
                report_start_day=date.fromisoformat(start) if start else None,
                report_end_day=date.fromisoformat(end) if end else None,
                disagreement=str(body.get("disagreement") or ""),
                revision=_revision(body.get("revision")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, InvalidRequest) as exc:
            raise ManifestError(f"{key}: not a valid manifest ({type(exc).__name__}: {exc})") from exc


def _revision(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"revision {value!r} is not a whole number from 1")
    return value


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _archived_file(entry: Any) -> ArchivedFile:
    """One `files` entry, refusing what no archiver writes (negative counts, a bad hash)."""
    if not isinstance(entry, dict):
        raise TypeError(f"a files entry is {type(entry).__name__}, not an object")
    listed = ArchivedFile(
        key=str(entry["key"]),
        bytes=int(entry["bytes"]),
        sha256=str(entry["sha256"]),
        lines=int(entry["lines"]),
    )
    if listed.bytes < 0 or listed.lines < 0 or not _SHA256.fullmatch(listed.sha256):
        raise ValueError(
            f"files entry {listed.key!r} has a negative count or a sha256 that is not 64 hex digits"
        )
    return listed
