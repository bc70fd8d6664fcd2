"""Indexer Lambda: a manifest landed (or was named, or a range is rebuilt) -> curated, catalogued.

Raise policy: a report-day whose data is wrong (bad manifest, size mismatch, a line that is
not JSON) is recorded in index_status, counted in IndexFailures and returned, not raised:
a retry would fail the same way. A failure that may pass (S3 or Glue errors) is raised as
IndexingFailed after the summary is logged and counted, so EventBridge's asynchronous
invocation retries it (twice); re-indexing is idempotent. A configuration error (such as
PSEUDONYMIZE_USERS=true without a readable key) is raised before anything is written, and the
event ends in the dead-letter queue to be sent again once the stack is fixed.
"""

from typing import TYPE_CHECKING, Any

from copilot_archive.core.deadline import Deadline
from copilot_archive.core.exceptions import IndexingFailed
from copilot_archive.core.observability import logger, metrics, tracer
from copilot_archive.indexing.events import parse_index_event
from copilot_archive.indexing.runtime import (
    expire_per_person_rows,
    indexer_from_env,
    keep_views_current,
    record_index_metrics,
)

if TYPE_CHECKING:  # an annotation only: its import is not worth a cold start's time
    from aws_lambda_powertools.utilities.typing import LambdaContext

# Seconds kept back from the Lambda timeout: no report-day of a rebuild starts later than this.
RESERVE_SECONDS = 60


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, Any]:
    runtime = indexer_from_env()
    request = parse_index_event(event, runtime.settings)
    if request.ignored:
        logger.info("event ignored", extra={"reason": request.ignored})
        return {"ignored": request.ignored}
    keep_views_current(runtime)
    summary = runtime.indexer.run(request, Deadline.from_lambda_context(context, RESERVE_SECONDS))
    record_index_metrics(summary)
    expire_per_person_rows(runtime)
    logger.info("index finished", extra={"counts": summary.to_dict()["counts"]})
    if summary.retryable:
        raise IndexingFailed("; ".join(r.error for r in summary.retryable))
    return summary.to_dict()
