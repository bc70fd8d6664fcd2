"""Powertools Logger, Metrics and Tracer, built once and shared; log output is redacted."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from .redaction import redact

# Each function's environment names its service (copilot-archiver, copilot-indexer): the
# alarms select metrics by that `service` dimension, so the environment must win here.
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "copilot-archiver"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "CopilotMetricsArchive"


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, scrubbed of signed-URL query strings and tokens, tracebacks too."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """For libraries' loggers (urllib3 logs every request URL at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


# Filters apply only at the logger a record is made on, so name the ones that print URLs.
# botocore.parsers logs response bodies at DEBUG: a secret's value among them.
for _name in (
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "urllib3.response",
    "botocore.endpoint",
    "botocore.parsers",
):
    logging.getLogger(_name).addFilter(RedactingFilter())


class _StderrHandler(logging.StreamHandler):
    """Log lines go to stderr, whatever sys.stderr is at the time: stdout carries only the
    documents a command prints (`--json`), and Lambda sends both streams to CloudWatch."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter(), logger_handler=_StderrHandler())
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Only AWS SDK calls are traced. The X-Ray SDK's requests and http.client patches record each
# URL and exception text as they are, and a download's exception quotes the signed link's
# query string ("Max retries exceeded with url: /dl?sig=..."): those clients stay unpatched.
TRACED_MODULES = ("botocore",)

Handler = TypeVar("Handler", bound=Callable[..., Any])


class NoTracer:
    """Stands in for Tracer when tracing is off: Powertools' Tracer imports the X-Ray SDK
    even then, and that import is most of a cold start beyond boto3's."""

    disabled = True

    def capture_lambda_handler(self, lambda_handler: Handler) -> Handler:
        return lambda_handler


def tracing_on() -> bool:
    """Powertools' own rule: off with POWERTOOLS_TRACE_DISABLED, outside Lambda, under SAM local."""
    return not Tracer._is_tracer_disabled()


tracer: Tracer | NoTracer = (
    Tracer(service=SERVICE, patch_modules=TRACED_MODULES) if tracing_on() else NoTracer()
)
