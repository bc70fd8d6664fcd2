"""Keeps the shipped views current in Athena: each athena/views file, run as DDL in the workgroup,
once per change of their SQL.

The version of the views is the sha256 of the statements sent; after every view was created it
is written into the Glue database's parameters (`VERSION_PARAMETER`). An indexer container reads
it once and runs the DDL only when it differs, so a backfill's hundreds of cold starts neither
exceed Athena's DDL quota nor race on the same views. A database re-created (or replaced by a
deploy, which rewrites its parameters) loses the marker together with its views.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from ..core.exceptions import CatalogError
from ..core.reports import CATALOGUED_LEVELS, Level
from .compiled_sql import ATHENA_VIEWS

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
VERSION_PARAMETER = "copilot_archive_views_sha256"
# After a failure a container waits this long before it tries again (Athena's DDL quota).
RETRY_SECONDS = 300.0


def view_statements() -> tuple[tuple[str, str], ...]:
    """(view, CREATE OR REPLACE VIEW ...) in dependency order: what Athena is sent, for the
    levels whose tables the catalog holds (a view over a missing table fails in Athena). Compiled at
    build time (sql.render_compiled), so a cold start parses no SQL."""
    return tuple((name, text) for name, text in ATHENA_VIEWS if _level(name) in CATALOGUED_LEVELS)


def _level(name: str) -> Level:
    # The longest prefix that fits: `org_` before the enterprise's empty one.
    fitting = (level for level in Level if name.startswith(level.table_prefix))
    return max(fitting, key=lambda level: len(level.table_prefix))


def views_version(statements: tuple[tuple[str, str], ...]) -> str:
    digest = hashlib.sha256()
    for name, statement in statements:
        digest.update(f"{name}\0{statement}\0".encode())
    return digest.hexdigest()


class AthenaViewInstaller:
    def __init__(
        self,
        database: str,
        workgroup: str,
        client: Any = None,
        *,
        glue_client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.workgroup = workgroup
        self._client = client
        self._glue = glue_client
        self._sleep = sleep
        self._max_wait = max_wait_seconds
        self._clock = clock
        self._current = False
        self._failed_at: float | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("athena")
        return self._client

    @property
    def glue(self) -> Any:
        if self._glue is None:
            import boto3

            self._glue = boto3.client("glue")
        return self._glue

    def ensure(self) -> tuple[str, ...]:
        """The views created now: none when the database's marker matches the shipped SQL (or a
        recent attempt failed and its retry is not due). CatalogError says what failed."""
        if self._current or (self._failed_at is not None and self._clock() - self._failed_at < RETRY_SECONDS):
            return ()
        try:
            statements = view_statements()
            version = views_version(statements)
            if self.installed_version() == version:
                self._current = True
                return ()
            created = self._create(statements)
            self._mark(version)
        except CatalogError:
            self._failed_at = self._clock()
            raise
        self._current = True
        return created

    def installed_version(self) -> str | None:
        database = self._database()
        return database.get("Parameters", {}).get(VERSION_PARAMETER)

    def _database(self) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return dict(self.glue.get_database(Name=self.database)["Database"])
        except (BotoCoreError, ClientError) as exc:
            raise CatalogError(f"reading the views' version of {self.database} failed: {exc}") from exc

    def _mark(self, version: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        database = self._database()
        # UpdateDatabase replaces the whole input: keep what the stack (or anyone) set.
        database_input: dict[str, Any] = {
            key: database[key]
            for key in ("Name", "Description", "LocationUri", "CreateTableDefaultPermissions")
            if key in database
        }
        database_input["Parameters"] = {**database.get("Parameters", {}), VERSION_PARAMETER: version}
        try:
            self.glue.update_database(Name=self.database, DatabaseInput=database_input)
        except (BotoCoreError, ClientError) as exc:
            raise CatalogError(f"marking the views' version of {self.database} failed: {exc}") from exc

    def _create(self, statements: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        for name, statement in statements:
            try:
                query_id = self.client.start_query_execution(
                    QueryString=statement,
                    QueryExecutionContext={"Database": self.database},
                    WorkGroup=self.workgroup,
                )["QueryExecutionId"]
                self._wait(name, query_id)
            except (BotoCoreError, ClientError) as exc:
                raise CatalogError(f"creating view {self.database}.{name} failed: {exc}") from exc
        return tuple(name for name, _ in statements)

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
