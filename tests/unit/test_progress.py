"""The CLI's progress on stderr: a line now and then off a terminal, a bar on one, nothing when off."""

from __future__ import annotations

import io

from copilot_archive import progress
from copilot_archive.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_line_at_the_start_at_most_one_an_interval_and_one_at_the_end():
    stream = io.StringIO()
    every = progress.LINE_EVERY_SECONDS
    seconds = iter([0.0, 1.0, every, every + 1, 2 * every - 1, 41.0])

    with Progress("indexing", "report-day", enabled=True, stream=stream, clock=lambda: next(seconds)) as bar:
        bar.start(200)
        for _ in range(4):
            bar.advance(50)

    interval = f"{every:.0f}s"
    assert stream.getvalue().splitlines() == [
        "indexing: 0/200 report-days (0%)",
        f"indexing: 100/200 report-days (50%), {interval}",  # 1 s after the start: no line
        "indexing: 200/200 report-days (100%) done in 41.0s",  # less than an interval after: no line
    ]


def test_a_terminal_gets_a_bar_and_disabled_progress_writes_nothing():
    terminal, log = Terminal(), io.StringIO()

    with Progress("report", "step", enabled=True, total=3, stream=terminal) as bar:
        for _ in range(3):
            bar.advance()
    with Progress("report", "step", enabled=False, total=3, stream=log) as bar:
        bar.advance()

    assert "report: 100%" in terminal.getvalue() and "3/3" in terminal.getvalue()
    assert "\n" not in terminal.getvalue().rstrip("\n")  # redrawn in place, not a line each step
    assert log.getvalue() == ""
