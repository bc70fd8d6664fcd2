"""How much time a run has left: the Lambda's remaining time, or none for the CLI."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

# Work already under way (a download, a call to GitHub) stops this many seconds before the
# run's end, leaving time to abort uploads, remove a report-day's files and return the summary.
STOP_BEFORE_END_SECONDS = 20.0
# The longest a run can last: Lambda's maximum timeout, the scheduled archiver's and the indexer's
# (a queue worker has 300 s). The local CLI has no deadline but uploads one report file at a time.
LONGEST_RUN = timedelta(minutes=15)
# An upload begun longer ago than this and still unfinished (a folder's temporary file, an S3
# multipart upload) was left by a killed run: no run, not even a local one uploading a large file
# over a slow line, is still writing it. The margin keeps a live upload safe from a clock skewed by minutes.
STALE_UPLOAD_AGE = LONGEST_RUN + timedelta(minutes=45)


@dataclass(frozen=True, slots=True)
class Deadline:
    """Seconds left, as told by a callable; `reserve` is kept back for finishing work."""

    seconds_left: Callable[[], float]
    reserve: float = 0.0

    @classmethod
    def never(cls) -> Deadline:
        return cls(lambda: math.inf)

    @classmethod
    def after(cls, seconds: float, reserve: float = 0.0) -> Deadline:
        end = time.monotonic() + seconds
        return cls(lambda: end - time.monotonic(), reserve)

    @classmethod
    def from_lambda_context(cls, context: object, reserve: float) -> Deadline:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            return cls.never()
        return cls(lambda: remaining() / 1000.0, reserve)

    def usable(self) -> float:
        """Seconds that may still be spent on new work."""
        return self.seconds_left() - self.reserve

    def expired(self) -> bool:
        return self.usable() <= 0

    def in_flight_seconds(self) -> float:
        """Seconds that work already started may still take (the reserve is for finishing it)."""
        return self.seconds_left() - STOP_BEFORE_END_SECONDS
