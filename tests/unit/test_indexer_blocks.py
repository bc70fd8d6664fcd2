"""The indexer reads a raw file in blocks of whole lines, hashing and counting every byte."""

from __future__ import annotations

import hashlib
import io

import pytest

from copilot_archive.core.exceptions import ManifestError
from copilot_archive.core.manifest import ArchivedFile
from copilot_archive.indexing import indexer

# A line longer than the smaller chunks, a blank line, and a last line without its newline.
DATA = b'{"a":1}\n{"long":"' + b"x" * 40 + b'"}\n\n{"b":2}'
LISTED = ArchivedFile("k", len(DATA), hashlib.sha256(DATA).hexdigest(), 4)


@pytest.mark.parametrize("chunk", [1, 3, 8, 9, 16, len(DATA), 1 << 20])
def test_blocks_hold_whole_lines_and_every_byte_is_hashed_and_counted(monkeypatch, chunk):
    monkeypatch.setattr(indexer, "READ_CHUNK", chunk)
    lines = indexer._CheckedLines(io.BytesIO(DATA))

    blocks = list(lines)

    assert b"".join(blocks) == DATA and all(blocks)
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    lines.check(LISTED)


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
        lines.check(listed)
