"""Report-days GitHub keeps answering "not ready" for: asked less and less often, never given up.

GitHub answers 204 both for a day not generated yet and for a day with nothing to report (an
organization without teams of 5 seated users has no user-teams report on any day). Asked again
on every run, such days would cost an organization one API call per kind and day of the year,
each run: with hundreds of organizations, more than a token's hourly quota.

So each scope keeps a small ledger of its unanswered report-days. A day is asked on every run
while it is recent (reports appear up to ~48 h late) and for a grace period after its first
"not ready"; after that, once the time since its last ask reaches the time it had been waiting
then (so the pauses double: about 2, 4, 8 ... days), at most a month apart, for as long as GitHub's
window holds it. Nothing is given up: a report that appears late is archived at the next ask, and
a lost or unreadable ledger only means asking again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..core.exceptions import InvalidRequest, WriteConflict
from ..core.layout import Scope, not_ready_ledger_key, parse_day, parse_report
from ..core.observability import logger
from ..core.reports import Report
from ..core.storage import Storage

# Days this recent are asked on every run, whatever they answered before.
RECENT_DAYS = 3
# After a day's first "not ready", it is asked on every run for this long.
GRACE = timedelta(days=2)
# Bounds of the pause between two asks once the grace is over.
SHORTEST_PAUSE = timedelta(days=1)
LONGEST_PAUSE = timedelta(days=30)

# Runs overlap (workers of one scope's chunks): one may stamp a moment just after another took
# its `now`. A stamp later than that by more than a run lasts was not written by a run.
FUTURE_STAMP_TOLERANCE = timedelta(minutes=15)

LEDGER_VERSION = 1
# A ledger holding every report and every day of GitHub's window is about 240 KB; anything much
# larger is not one of ours, and is not parsed (a ledger is a saving, never worth a run's memory).
MAX_LEDGER_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Unanswered:
    """When GitHub first and last answered "not ready" for one report-day."""

    first: datetime
    last: datetime

    def is_due(self, day: date, today: date, now: datetime) -> bool:
        # A stamp in the future was not written by a run (a clock, or a hand, set wrong): such
        # an entry would rest its day until it leaves GitHub's window, so it counts for nothing.
        if self.stamped_in_the_future(now):
            return True
        if (today - day).days <= RECENT_DAYS or now - self.first < GRACE:
            return True
        pause = min(LONGEST_PAUSE, max(SHORTEST_PAUSE, self.last - self.first))
        return now - self.last >= pause

    def stamped_in_the_future(self, now: datetime) -> bool:
        return max(self.first, self.last) > now + FUTURE_STAMP_TOLERANCE


# One scope's ledger: its unanswered report-days.
Ledger = Mapping[tuple[Report, date], Unanswered]


def resting_days(ledger: Ledger, today: date, now: datetime) -> frozenset[tuple[Report, date]]:
    """The report-days of the ledger not due for another ask in a run at `now`."""
    return frozenset(key for key, entry in ledger.items() if not entry.is_due(key[1], today, now))


def updated(
    ledger: Ledger,
    not_ready: Iterable[tuple[Report, date]],
    answered: Iterable[tuple[Report, date]],
    oldest_day: date,
    now: datetime,
) -> dict[tuple[Report, date], Unanswered]:
    """The ledger after a run: days that answered "not ready" again (or first) are stamped `now`,
    days archived since (or found archived) leave it, and so do days older than GitHub's window."""
    result = {
        key: entry
        for key, entry in ledger.items()
        if key[1] >= oldest_day and not entry.stamped_in_the_future(now)  # see is_due
    }
    for key in answered:
        result.pop(key, None)
    for key in not_ready:
        if key[1] >= oldest_day:
            previous = result.get(key)
            result[key] = Unanswered(previous.first if previous else now, now)
    return result


def ledger_to_json(ledger: Ledger) -> bytes:
    """{"version": 1, "reports": {report: {day: [first, last]}}}, sorted: equal ledgers, equal bytes."""
    reports: dict[str, dict[str, list[str]]] = {}
    for (report, day), entry in sorted(ledger.items(), key=lambda item: (item[0][0].value, item[0][1])):
        reports.setdefault(report.value, {})[day.isoformat()] = [_iso(entry.first), _iso(entry.last)]
    return json.dumps({"version": LEDGER_VERSION, "reports": reports}, indent=1).encode()


def ledger_from_json(data: bytes) -> dict[tuple[Report, date], Unanswered]:
    """The ledger in `data`; InvalidRequest when it is not one (the caller starts afresh)."""
    if len(data) > MAX_LEDGER_BYTES:
        raise InvalidRequest(f"not a not-ready ledger: {len(data)} bytes, more than {MAX_LEDGER_BYTES}")
    try:
        document: Any = json.loads(data)
        if not isinstance(document, dict) or document.get("version") != LEDGER_VERSION:
            raise InvalidRequest(f"not a version {LEDGER_VERSION} not-ready ledger")
        ledger = {}
        for report_name, days in document["reports"].items():
            report = parse_report(report_name)
            for day_text, (first, last) in days.items():
                ledger[(report, parse_day(day_text))] = Unanswered(_moment(first), _moment(last))
        return ledger
    # RecursionError: nested deeper than the parser goes; OverflowError: a moment past year 9999 in UTC.
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        raise InvalidRequest(f"not a not-ready ledger: {type(exc).__name__}: {exc}") from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


# Of two runs updating one scope's ledger at once, the loser reads the winner's and merges again.
LEDGER_WRITE_ATTEMPTS = 4


class LedgerStore:
    """The scopes' ledgers in the archive's storage, one small JSON object per scope. Reading or
    writing one never fails a run: a ledger is a saving, and without it every day is asked."""

    def __init__(self, storage: Storage, prefix: str) -> None:
        self.storage = storage
        self.prefix = prefix

    def load(self, scope: Scope) -> Ledger:
        try:
            current = self.storage.read_tagged(not_ready_ledger_key(self.prefix, scope))
            return ledger_from_json(current.data) if current else {}
        except Exception as exc:  # the worst a ledger may do is make the run ask every day
            logger.warning(
                "not-ready ledger unreadable; asking every day",
                extra={"scope": str(scope), "reason": f"{type(exc).__name__}: {exc}"},
            )
            return {}

    def record(
        self,
        scope: Scope,
        not_ready: Iterable[tuple[Report, date]],
        answered: Iterable[tuple[Report, date]],
        oldest_day: date,
        now: datetime,
    ) -> None:
        key = not_ready_ledger_key(self.prefix, scope)
        not_ready, answered = list(not_ready), list(answered)
        try:
            self._record(key, scope, not_ready, answered, oldest_day, now)
        # Whatever the storage or the old ledger raises: the run's report-days are archived by
        # now, and a worker that failed here would send work already done to the dead-letter queue.
        except Exception as exc:
            logger.warning(
                "not-ready ledger not written; the next run asks these days again",
                extra={"scope": str(scope), "reason": f"{type(exc).__name__}: {exc}"},
            )

    def _record(
        self,
        key: str,
        scope: Scope,
        not_ready: list[tuple[Report, date]],
        answered: list[tuple[Report, date]],
        oldest_day: date,
        now: datetime,
    ) -> None:
        for _ in range(LEDGER_WRITE_ATTEMPTS):
            current = self.storage.read_tagged(key)
            try:
                ledger = ledger_from_json(current.data) if current else {}
            except InvalidRequest as exc:
                logger.warning(
                    "not-ready ledger unreadable; replaced by this run's answers",
                    extra={"scope": str(scope), "reason": str(exc)},
                )
                ledger = {}
            data = ledger_to_json(updated(ledger, not_ready, answered, oldest_day, now))
            if current is not None and data == current.data:
                return
            if current is None and data == ledger_to_json({}):
                return
            try:
                tag = current.tag if current else None
                self.storage.put_bytes(key, data, only_if_absent=current is None, only_if_tag=tag)
                return
            except WriteConflict:  # AlreadyExists included: another run wrote it first
                continue
        logger.warning("not-ready ledger kept changing; left for the next run", extra={"scope": str(scope)})
