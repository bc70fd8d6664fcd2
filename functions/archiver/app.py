"""Archiver Lambda: a scheduled event reconciles the window; a manual event archives given days;
the queue worker archives what a run put on the archive queue (one message per scope and chunk)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from copilot_archive.archiving.dispatch import process_queue_event, queue_for, run_message, run_request
from copilot_archive.archiving.events import parse_event
from copilot_archive.archiving.planner import Window
from copilot_archive.archiving.runtime import archiver_from_env, record_run_metrics
from copilot_archive.core import clock
from copilot_archive.core.deadline import Deadline
from copilot_archive.core.observability import logger, metrics, tracer

# Seconds kept back from the Lambda timeout: no report-day starts later than this before
# the end, so work in flight (one report file streams in seconds) finishes in time.
RESERVE_SECONDS = 90


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    archiver = archiver_from_env()
    today = clock.utc_today()
    request = parse_event(event, Window.for_today(today), archiver.settings.scopes)
    deadline = Deadline.from_lambda_context(context, RESERVE_SECONDS)
    summary = run_request(archiver, request, deadline, today, queue_for(archiver.settings.queue_url))
    record_run_metrics(summary)
    logger.info("run finished", extra={"counts": summary.counts(), "bytes": summary.bytes_archived})
    return summary.to_dict()


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler
def worker_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    archiver = archiver_from_env()
    deadline = Deadline.from_lambda_context(context, RESERVE_SECONDS)
    queue = queue_for(archiver.settings.queue_url)

    def run(body: str) -> Any:
        return run_message(archiver, body, deadline, clock.utc_today(), queue, record_run_metrics)

    return process_queue_event(event, context, run)
