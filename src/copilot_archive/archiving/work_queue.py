"""Work that does not fit one run, as queue messages: pure functions, report-days in, messages out.

A message's body is a manual event (events.py) naming one scope, the days and the reports, so
a worker validates it the way the handler validates any manual event. One message holds at
most CHUNK_DAYS days of one scope: see CHUNK_DAYS for why a worker finishes it in one run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.exceptions import InvalidRequest
from ..core.layout import Scope
from ..core.reports import Report
from .events import SCOPE_KEYS
from .planner import Plan

# Days per message. A large enterprise's day is ~260 MiB (users-1-day of 85,000 users is
# 253 MiB, bench/results/latest.json); 30 days are ~7.6 GiB, ~61 s at the bench's 127.6 MiB/s
# and ~10 min at a tenth of it, inside a worker's 15 minutes. What still does not fit is
# deferred and queued again, so the size bounds the work per run, not correctness.
CHUNK_DAYS = 30
# SQS takes at most 10 messages per SendMessageBatch call.
SEND_BATCH_SIZE = 10
# A worker that archived nothing (rate limited, or GitHub slow) waits this long before its
# work comes back: SQS's longest delay, so a stalled chunk does not spin through workers.
STALLED_DELAY_SECONDS = 900
# While the token secret is still empty (a stack deployed minutes ago), a run looks again
# every 15 minutes (SQS's longest delay) for one default schedule period (6 hours): the
# first backfill starts within 15 minutes of `put-secret-value`, not at the next schedule.
WAKE_UP_DELAY_SECONDS = 900
WAKE_UPS = 24
# The body key of such a message; a manual event never has it.
RECONCILE_LATER = "reconcile_later"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One queue message: these days of these reports, for one scope."""

    scope: Scope
    days: tuple[date, ...]
    reports: tuple[Report, ...]
    delay_seconds: int = 0
    # A forced manual run's deferred days stay forced (re-archived even with a manifest).
    force: bool = False

    @property
    def report_days(self) -> int:
        """An upper bound: a report GitHub serves only as the latest window counts once per day."""
        return len(self.days) * len(self.reports)

    def to_event(self) -> dict[str, Any]:
        """The manual event a worker runs (unless forced, what has a manifest is skipped)."""
        return {
            "days": [d.isoformat() for d in self.days],
            "reports": [r.value for r in self.reports],
            SCOPE_KEYS[self.scope.level]: [self.scope.slug],
            "force": self.force,
        }

    def body(self) -> str:
        return json.dumps(self.to_event(), separators=(",", ":"))

    def __str__(self) -> str:
        return f"{self.scope} {self.days[0].isoformat()}..{self.days[-1].isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        """How a run's summary names what it queued."""
        return {
            self.scope.level.value: self.scope.slug,
            "first_day": self.days[0].isoformat(),
            "last_day": self.days[-1].isoformat(),
            "days": len(self.days),
            "reports": [r.value for r in self.reports],
        }


@dataclass(frozen=True, slots=True)
class ReconcileLater:
    """A queue message that runs the scheduled reconcile again later, `wake_ups_left` times more."""

    wake_ups_left: int
    delay_seconds: int = WAKE_UP_DELAY_SECONDS

    def body(self) -> str:
        return json.dumps({RECONCILE_LATER: {"wake_ups_left": self.wake_ups_left}})

    def __str__(self) -> str:
        return f"reconcile later ({self.wake_ups_left} wake-ups left)"

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ReconcileLater | None:
        """The message a body holds, or None for a manual event."""
        if RECONCILE_LATER not in event:
            return None
        later = event[RECONCILE_LATER]
        left = later.get("wake_ups_left") if isinstance(later, Mapping) else None
        if set(event) != {RECONCILE_LATER} or not isinstance(left, int) or not 0 <= left <= WAKE_UPS:
            raise InvalidRequest(f"{RECONCILE_LATER}: {later!r} must be {{'wake_ups_left': 0..{WAKE_UPS}}}")
        return cls(left)


# (report, scope, day): day None is a 28-day report whose end day is not known yet.
PendingReportDay = tuple[Report, Scope, date | None]


def work_items(
    pending: Iterable[PendingReportDay], latest_day: date, delay_seconds: int = 0, force: bool = False
) -> tuple[WorkItem, ...]:
    """Messages for pending report-days: per scope, its days oldest first in chunks of CHUNK_DAYS,
    each naming the reports wanted on any of its days. A 28-day report is asked for its window
    ending on `latest_day` (yesterday), the only end day GitHub can serve."""
    by_scope: dict[Scope, dict[date, set[Report]]] = {}
    for report, scope, day in pending:
        by_scope.setdefault(scope, {}).setdefault(latest_day if day is None else day, set()).add(report)
    items = []
    for scope in sorted(by_scope, key=lambda s: (s.level, s.slug)):
        days = sorted(by_scope[scope])
        for start in range(0, len(days), CHUNK_DAYS):
            chunk = tuple(days[start : start + CHUNK_DAYS])
            wanted = set().union(*(by_scope[scope][d] for d in chunk))
            reports = tuple(r for r in Report if r in wanted)  # the catalogue's order
            items.append(WorkItem(scope, chunk, reports, delay_seconds, force))
    return tuple(items)


def plan_items(plan: Plan, latest_day: date) -> tuple[WorkItem, ...]:
    """Messages for everything a plan would archive."""
    pending: list[PendingReportDay] = [(rd.report, rd.scope, rd.day) for rd in plan.days]
    pending.extend((latest.report, latest.scope, None) for latest in plan.latest)
    return work_items(pending, latest_day)


def batches(items: Iterable[QueueMessage]) -> list[list[QueueMessage]]:
    """Messages in groups that one SendMessageBatch call takes."""
    ordered = list(items)
    return [ordered[i : i + SEND_BATCH_SIZE] for i in range(0, len(ordered), SEND_BATCH_SIZE)]


QueueMessage = WorkItem | ReconcileLater


@dataclass(frozen=True, slots=True)
class HandOff:
    """Given to Archiver.run: when `wants` the plan, the run sends all its work instead."""

    wants: Callable[[Plan], bool]
    send: Callable[[Sequence[QueueMessage]], None]


def spans_workers(plan: Plan, latest_day: date, most_scopes: int) -> bool:
    """Whether a plan is work for the queue's workers rather than for one run: more scopes
    than `most_scopes`, or a scope with more than one message's days (a first backfill)."""
    scopes = {rd.scope for rd in plan.days} | {latest.scope for latest in plan.latest}
    return len(scopes) > most_scopes or len(plan_items(plan, latest_day)) > len(scopes)
