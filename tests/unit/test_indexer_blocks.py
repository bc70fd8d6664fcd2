"""The indexer reads a raw file in blocks of whole lines, hashing and counting every byte, and
the curator counts their lines as the archiver did: a file not as its manifest lists is refused."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest

from copilot_archive.core.exceptions import ManifestError
from copilot_archive.core.layout import ReportDay, manifest_key, raw_file_key
from copilot_archive.core.manifest import ArchivedFile, Manifest
from copilot_archive.core.reports import Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.indexing import indexer
from copilot_archive.indexing.catalog import NullCatalog
from copilot_archive.indexing.curate import Curator
from copilot_simulator.reports import ReportBook

# A line longer than the smaller chunks, a blank line, and a last line without its newline.
DATA = b'{"a":1}\n{"long":"' + b"x" * 40 + b'"}\n\n{"b":2}'
LINES = 4  # as the archiver counts them (core/lines.py): a last line without its newline counts
LISTED = ArchivedFile("k", len(DATA), hashlib.sha256(DATA).hexdigest(), LINES)
DAY = date(2025, 10, 12)


@pytest.mark.parametrize("chunk", [1, 3, 8, 9, 16, len(DATA), 1 << 20])
def test_blocks_hold_whole_lines_and_every_byte_is_hashed_and_counted(monkeypatch, chunk):
    monkeypatch.setattr(indexer, "READ_CHUNK", chunk)
    lines = indexer._CheckedLines(io.BytesIO(DATA))

    blocks = list(lines)

    assert b"".join(blocks) == DATA and all(blocks)
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    curator = Curator(Report.USERS_1_DAY, DAY)
    list(curator.curate_blocks(blocks, key="k", part=0))
    assert curator.raw_lines == LINES
    lines.check(LISTED, curator.raw_lines)


@pytest.mark.parametrize(
    "listed",
    [
        ArchivedFile("k", len(DATA), LISTED.sha256, 5),
        ArchivedFile("k", len(DATA) + 1, LISTED.sha256, 4),
        ArchivedFile("k", len(DATA), hashlib.sha256(DATA[:-1]).hexdigest(), 4),
    ],
    ids=["lines", "bytes", "sha256"],
)
def test_a_file_that_is_not_as_listed_is_refused(monkeypatch, listed):
    monkeypatch.setattr(indexer, "READ_CHUNK", 8)
    lines = indexer._CheckedLines(io.BytesIO(DATA))
    list(lines)

    with pytest.raises(ManifestError):
        lines.check(listed, LINES)


@pytest.mark.parametrize("listed_lines", [-1, 1], ids=["fewer", "more"])
def test_the_indexer_refuses_a_file_of_other_lines_than_its_manifest_lists(tmp_path, listed_lines):
    storage = LocalFolderStorage(tmp_path)
    report_day = ReportDay(Report.USERS_1_DAY, "acme", DAY)
    data = b"".join(ReportBook({"acme": 5}).lines("acme", "users-1-day", DAY))
    key = raw_file_key("p", report_day, 0)
    storage.put_bytes(key, data)
    listed = ArchivedFile(key, len(data), hashlib.sha256(data).hexdigest(), data.count(b"\n") + listed_lines)
    fetched_at = datetime(2025, 10, 20, tzinfo=UTC)
    storage.put_bytes(
        manifest_key("p", report_day), Manifest(report_day, (listed,), fetched_at, "x").to_json()
    )

    result = indexer.Indexer(storage, NullCatalog(), "p").index_manifest(manifest_key("p", report_day))

    assert not result.indexed and "lines" in result.error
