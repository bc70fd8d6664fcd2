"""Creates the shipped views in Athena: each athena/views file, run as DDL in the workgroup.

The indexer does this once per container, before its first report-day: CREATE OR REPLACE
VIEW is idempotent, DDL queries cost nothing, and a view whose tables changed is refreshed
by the next deploy's cold start.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .exceptions import CatalogError
from .sql import view_names, view_sql

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")


class AthenaViewInstaller:
    def __init__(
        self,
        database: str,
        workgroup: str,
        client: Any = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_seconds: float = 60.0,
    ) -> None:
        self.database = database
        self.workgroup = workgroup
        self._client = client
        self._sleep = sleep
        self._max_wait = max_wait_seconds

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("athena")
        return self._client

    def install(self) -> tuple[str, ...]:
        """Create or replace every view, in dependency order; CatalogError names a failing one."""
        from botocore.exceptions import BotoCoreError, ClientError

        names = view_names()
        for name in names:
            try:
                query_id = self.client.start_query_execution(
                    QueryString=view_sql(name, "athena"),
                    QueryExecutionContext={"Database": self.database},
                    WorkGroup=self.workgroup,
                )["QueryExecutionId"]
                self._wait(name, query_id)
            except (BotoCoreError, ClientError) as exc:
                raise CatalogError(f"creating view {self.database}.{name} failed: {exc}") from exc
        return names

    def _wait(self, name: str, query_id: str) -> None:
        waited = 0.0
        delay = 0.2
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in FINISHED:
                reason = status.get("StateChangeReason", "")
                raise CatalogError(f"creating view {self.database}.{name}: Athena says {state} {reason}")
            if waited >= self._max_wait:
                raise CatalogError(f"creating view {self.database}.{name}: still {state} after {waited:.0f}s")
            self._sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)
