"""Progress of the CLI's long steps on stderr: a tqdm bar on a terminal, a line now and then
elsewhere (a CI log, `make demo > log`), where a bar redrawn in place would be one endless line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TextIO

# Off a terminal: a line at the start, at most one this often, and one at the end.
LINE_EVERY_SECONDS = 15.0


class Progress(AbstractContextManager["Progress"]):
    """One step's progress (`step` says what it does, `unit` what it counts); silent unless enabled."""

    def __init__(
        self,
        step: str,
        unit: str,
        *,
        enabled: bool,
        total: int | None = None,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.step = step
        self.unit = unit
        self._enabled = enabled
        self._stream = stream or sys.stderr
        self._clock = clock
        self._total = total
        self._done = 0
        self._bar: Any = None
        self._started: float | None = None
        self._last_line = 0.0
        if total is not None:
            self.start(total)

    def start(self, total: int | None) -> None:
        """The step begins, with `total` units to do (None: not known ahead)."""
        if not self._enabled or self._started is not None:
            return
        self._total = total
        self._started = self._last_line = self._clock()
        if _is_terminal(self._stream):
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=self.step, unit=self.unit, file=self._stream, dynamic_ncols=True
            )
            return
        self._line(f"{self.step}: {self._count()}")

    def advance(self, units: int = 1, note: str = "") -> None:
        if self._started is None:
            return
        self._done += units
        if self._bar is not None:
            if note:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(units)
            return
        now = self._clock()
        if now - self._last_line >= LINE_EVERY_SECONDS:
            self._last_line = now
            self._line(f"{self.step}: {self._count()}, {now - self._started:.0f}s")

    def __exit__(self, *exc: object) -> None:
        if self._started is None:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            self._line(f"{self.step}: {self._count()} done in {self._clock() - self._started:.1f}s")
        self._started = None

    def _count(self) -> str:
        if self._total is None:
            return f"{self._done} {self.unit}s"
        share = f" ({self._done / self._total:.0%})" if self._total else ""
        return f"{self._done}/{self._total} {self.unit}s{share}"

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
