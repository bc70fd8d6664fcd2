"""Runs that use the archive queue: what a run defers goes on it, and workers take it off.

The scheduled run archives what fits and queues what it defers; with more than
QUEUE_FROM_SCOPES scopes, or a first backfill, it only plans and queues. A worker runs one
message like a manual event: what it defers goes back on the queue; a failed report-day, or
a message it cannot read, is raised, so SQS delivers the message again and finally moves it
to the dead-letter queue. A reconcile that finds no token yet queues a wake-up of itself.
Without a queue (the CLI) nothing here touches SQS, nor does a run that defers nothing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from ..core import clock
from ..core.deadline import Deadline
from ..core.exceptions import InvalidRequest, WorkFailed
from ..core.observability import logger, metrics
from .archiver import Archiver, Outcome, RunSummary
from .events import RunRequest, parse_event
from .planner import Window
from .work_queue import (
    RECONCILE_LATER,
    STALLED_DELAY_SECONDS,
    WAKE_UP_DELAY_SECONDS,
    WAKE_UPS,
    HandOff,
    PendingReportDay,
    QueueMessage,
    ReconcileLater,
    spans_workers,
    work_items,
)


class WorkQueue(Protocol):
    def send(self, items: Sequence[QueueMessage]) -> None: ...


@functools.cache
def queue_for(queue_url: str | None) -> WorkQueue | None:
    """The archive queue when one is configured (one per container, so its client stays warm);
    no SQS client is built until work is sent."""
    if not queue_url:
        return None
    from .sqs import SqsWorkQueue

    return SqsWorkQueue(queue_url)


def run_request(
    archiver: Archiver,
    request: RunRequest,
    deadline: Deadline,
    today: date,
    queue: WorkQueue | None,
    wake_ups_left: int = WAKE_UPS,
) -> RunSummary:
    """Run one request. With a queue, a reconcile of many scopes or of a first backfill only plans
    and queues (spans_workers), and what any run defers is queued.
    A reconcile that finds no token yet comes back `wake_ups_left` more times (work_queue.py)."""
    hand_off = None
    if queue is not None and request.is_reconcile:
        most_scopes = archiver.settings.queue_from_scopes
        latest_day = Window.for_today(today).last
        hand_off = HandOff(lambda plan: spans_workers(plan, latest_day, most_scopes), queue.send)
    summary = archiver.run(request, deadline, today, hand_off=hand_off)
    if queue is not None:
        summary = queue_deferred(summary, today, queue, request.force)
    if queue is not None and request.is_reconcile and summary.not_configured and wake_ups_left > 0:
        later = ReconcileLater(wake_ups_left - 1, WAKE_UP_DELAY_SECONDS)
        queue.send([later])
        summary = replace(summary, reconcile_again_in_seconds=later.delay_seconds)
    return summary


def queue_deferred(summary: RunSummary, today: date, queue: WorkQueue, force: bool = False) -> RunSummary:
    """Queue the summary's deferred report-days; they stay deferred, marked as queued. A deferred
    snapshot is not queued: it is of the day it is taken, and the next run takes it; nor is a
    billing day: the next run plans it again."""
    deferred = [r for r in summary.of(Outcome.DEFERRED) if not r.report.runs_where_planned]
    if not deferred:
        return summary
    # A run that archived nothing was stalled (rate limited, or GitHub slow): its work waits.
    stalled = not summary.of(Outcome.ARCHIVED)
    pending: list[PendingReportDay] = [(r.report, r.scope, r.day) for r in deferred]
    delay = STALLED_DELAY_SECONDS if stalled else 0
    items = work_items(pending, Window.for_today(today).last, delay, force)
    queue.send(items)
    logger.info("deferred work queued", extra={"messages": len(items), "report_days": len(deferred)})
    results = tuple(replace(r, queued=True) if r in deferred else r for r in summary.results)
    return replace(summary, results=results, queued=items, report_days_queued=len(deferred))


def run_message(
    archiver: Archiver,
    body: str,
    deadline: Deadline,
    today: date,
    queue: WorkQueue | None,
    on_summary: Callable[[RunSummary], None] = lambda _summary: None,
) -> RunSummary:
    """A worker's run of one queue message. Raises what must bring the message back: a body no
    run can take (InvalidRequest), or a failed report-day of a work item (WorkFailed), after
    `on_summary` has seen the summary. Deferred report-days are queued again; not-ready ones
    and a wake-up's failures are left to the scheduled reconcile, which retries them anyway."""
    window = Window.for_today(today)
    event = _decode(body)
    later = ReconcileLater.from_event(event)
    if later is not None:
        summary = run_request(archiver, RunRequest(), deadline, today, queue, later.wake_ups_left)
        on_summary(summary)
        return summary
    event = _without_expired_days(event, window)
    if not event.get("days"):
        logger.warning("queue message holds only days GitHub no longer serves; dropped")
        now = clock.utc_now()
        return RunSummary((), now, now)
    request = parse_event(event, window, archiver.settings.scopes)
    summary = run_request(archiver, request, deadline, today, queue)
    on_summary(summary)
    if summary.not_configured:  # the token was removed since the message was queued
        raise WorkFailed(f"the GitHub token is not configured: {summary.not_configured}")
    failed = summary.of(Outcome.FAILED)
    if failed:
        raise WorkFailed(f"{len(failed)} report-days failed; first: {failed[0].to_dict()}")
    return summary


def process_queue_event(
    event: Mapping[str, Any], context: Any, run: Callable[[str], RunSummary]
) -> dict[str, Any]:
    """An SQS event through Powertools' batch processor: each failed record is reported, so
    SQS delivers only it again (ReportBatchItemFailures)."""
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.batch import (  # only the worker loads batch processing
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    def record_handler(record: SQSRecord) -> dict[str, Any]:
        logger.append_keys(message_id=record.message_id)
        try:
            return run(record.body).to_dict()
        except Exception:  # reported to SQS below, which delivers it again, then dead-letters it
            logger.exception(
                "queue message failed", extra={"receive_count": record.attributes.approximate_receive_count}
            )
            # The stack's alarm pages on the first failure, not after three 90-minute receives.
            metrics.add_metric(name="QueueMessagesFailed", unit=MetricUnit.Count, value=1)
            raise

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response = process_partial_response(
        event=dict(event), record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)


def _decode(body: str) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise InvalidRequest(f"queue message is not JSON: {exc}") from exc
    if not isinstance(event, dict) or not (event.get("days") or RECONCILE_LATER in event):
        raise InvalidRequest("queue message must be a manual event naming its days")
    return event


def _expired(day: Any, window: Window) -> bool:
    try:
        return isinstance(day, str) and date.fromisoformat(day) < window.first
    except ValueError:
        return False  # parse_event names the error


def _without_expired_days(event: dict[str, Any], window: Window) -> dict[str, Any]:
    """Days that left GitHub's window while the message waited are dropped, not failed on."""
    days = event["days"]
    if not isinstance(days, list):
        return event  # parse_event names the error
    kept = [d for d in days if not _expired(d, window)]
    if len(kept) < len(days):
        logger.warning("dropping expired days of a queue message", extra={"dropped": len(days) - len(kept)})
    return {**event, "days": kept}
