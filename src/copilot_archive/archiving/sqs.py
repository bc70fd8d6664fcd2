"""The archive queue on SQS: sends work items in batches; nothing it is given is dropped silently."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..core.exceptions import QueueError
from ..core.observability import logger
from .work_queue import QueueMessage, batches

# Attempts per batch: SQS refuses single entries of a batch now and then (throttling,
# internal errors); entries still refused after these attempts fail the run, as does at
# once an entry SQS refuses as the sender's fault.
SEND_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5


class SqsWorkQueue:
    """Sends work items to one SQS queue; the boto3 client is built on first use."""

    def __init__(
        self,
        queue_url: str,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.queue_url = queue_url
        self._client = client
        self._sleep = sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # only a run that queues work pays for the SQS client

            self._client = boto3.client("sqs")
        return self._client

    def send(self, items: Sequence[QueueMessage]) -> None:
        """Send every item, retrying refused entries; QueueError names what was not sent, after
        every other batch was sent (one bad message does not keep the rest off the queue)."""
        not_sent: list[str] = []
        for batch in batches(items):
            self._send_batch(batch, not_sent)
        if not_sent:
            raise QueueError(f"SQS refused {len(not_sent)} messages: {'; '.join(not_sent)}")

    def _send_batch(self, batch: list[QueueMessage], not_sent: list[str]) -> None:
        """Send one batch; add to `not_sent` each entry SQS still refuses. Entries SQS blames on
        the sender (too large, a bad value) would fail the same way again: never retried."""
        pending = {str(i): item for i, item in enumerate(batch)}
        for attempt in range(1, SEND_ATTEMPTS + 1):
            entries = [
                {"Id": entry_id, "MessageBody": item.body(), "DelaySeconds": item.delay_seconds}
                for entry_id, item in pending.items()
            ]
            try:
                answer = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except (BotoCoreError, ClientError) as exc:  # the whole call failed: retry it all
                if attempt == SEND_ATTEMPTS:
                    unsent = [*map(str, pending.values()), *not_sent]
                    raise QueueError(
                        f"could not queue {len(unsent)} messages: {exc}: {'; '.join(unsent)}"
                    ) from exc
                logger.warning("queueing failed; retrying", extra={"attempt": attempt, "error": str(exc)})
                self._sleep(RETRY_PAUSE_SECONDS * attempt)
                continue
            failed = answer.get("Failed", [])
            retried: dict[str, QueueMessage] = {}
            for entry in failed:
                item = pending[entry["Id"]]
                # SQS always sets SenderFault; were it missing, a retry is not assumed to help.
                if entry.get("SenderFault", True):
                    not_sent.append(f"{item} ({_reason(entry)}; the sender's fault, not retried)")
                elif attempt == SEND_ATTEMPTS:
                    not_sent.append(f"{item} ({_reason(entry)}; refused {SEND_ATTEMPTS} times)")
                else:
                    retried[entry["Id"]] = item
            pending = retried
            if not pending:
                break
            logger.warning(
                "SQS refused some messages; retrying",
                extra={"attempt": attempt, "codes": sorted({f.get("Code", "") for f in failed})},
            )
            self._sleep(RETRY_PAUSE_SECONDS * attempt)


def _reason(failed: dict[str, Any]) -> str:
    """A refused entry's code and SQS's message, as SendMessageBatch reports them."""
    code = failed.get("Code") or "?"
    message = failed.get("Message")
    return f"{code}: {message}" if message else code
