"""How many lines a report file holds: the one count the archiver writes and the indexer checks.

Every newline ends a line, and bytes after the last newline are one more line: GitHub does
not document that a report file ends with a newline, so an unterminated last line counts.
"""

from __future__ import annotations


class LineCounter:
    """Counts the lines of bytes fed to it in chunks, as they stream past."""

    __slots__ = ("_newlines", "_open")

    def __init__(self) -> None:
        self._newlines = 0
        self._open = False  # bytes after the last newline seen

    def feed(self, chunk: bytes) -> None:
        if chunk:
            self._newlines += chunk.count(b"\n")
            self._open = not chunk.endswith(b"\n")

    @property
    def lines(self) -> int:
        return self._newlines + (1 if self._open else 0)
