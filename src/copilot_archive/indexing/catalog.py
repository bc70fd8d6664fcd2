"""The catalog port: partitions the indexer registers, and its Glue and no-op adapters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from ..core.exceptions import CatalogError

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

DEFAULT_DATABASE = "copilot_metrics"
# Glue takes at most 100 partitions per batch call.
BATCH_SIZE = 100


@dataclass(frozen=True, slots=True)
class PartitionSpec:
    """One partition of a catalog table: values (enterprise slug, YYYY-MM-DD) and its key prefix."""

    table: str
    values: tuple[str, str]
    location: str  # a key prefix in the archive's bucket, ending in '/'


class Catalog(Protocol):
    def register_partitions(self, partitions: Sequence[PartitionSpec]) -> None:
        """Make each partition known at its location; already-known ones are fine."""


class NullCatalog:
    """For a local folder: DuckDB reads the Hive paths directly, nothing to register."""

    def register_partitions(self, partitions: Sequence[PartitionSpec]) -> None:
        return None


def _chunks(items: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class GlueCatalog:
    """Glue Data Catalog partitions, each with its table's storage descriptor and its own location.

    `bucket` is where the indexer wrote the files: partition locations are `s3://bucket/{location}`.
    """

    def __init__(self, database: str, bucket: str, client: GlueClient | None = None) -> None:
        self.database = database
        self.bucket = bucket
        self._client_given = client
        self._descriptors: dict[str, dict[str, Any]] = {}

    @property
    def _client(self) -> Any:
        if self._client_given is None:
            import boto3

            # boto3 honours AWS_ENDPOINT_URL, so the same code reaches a loopback Glue server.
            self._client_given = boto3.client("glue")
        return self._client_given

    @contextmanager
    def _translated(self, action: str, table: str) -> Iterator[None]:
        """The one place Glue errors become CatalogError."""
        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            raise CatalogError(f"{action} of {self.database}.{table} failed: {exc}") from exc

    def _descriptor(self, table: str) -> dict[str, Any]:
        """The table's storage descriptor, read once per table and kept."""
        if table not in self._descriptors:
            with self._translated("reading the table", table):
                found = self._client.get_table(DatabaseName=self.database, Name=table)
            self._descriptors[table] = dict(found["Table"]["StorageDescriptor"])
        return self._descriptors[table]

    def _input(self, spec: PartitionSpec) -> dict[str, Any]:
        descriptor = {**self._descriptor(spec.table), "Location": f"s3://{self.bucket}/{spec.location}"}
        return {"Values": list(spec.values), "StorageDescriptor": descriptor}

    def register_partitions(self, partitions: Sequence[PartitionSpec]) -> None:
        by_table: dict[str, list[PartitionSpec]] = {}
        for spec in partitions:
            by_table.setdefault(spec.table, []).append(spec)
        for table, specs in by_table.items():
            existing = self._create(table, specs)
            if existing:
                self._update_moved(table, existing)

    def _create(self, table: str, specs: list[PartitionSpec]) -> list[PartitionSpec]:
        """Create the partitions; return those that already existed."""
        wanted: dict[tuple[str, ...], PartitionSpec] = {spec.values: spec for spec in specs}
        existing: list[PartitionSpec] = []
        for chunk in _chunks(list(wanted.values())):
            inputs = [self._input(spec) for spec in chunk]
            with self._translated("creating partitions", table):
                answer = self._client.batch_create_partition(
                    DatabaseName=self.database, TableName=table, PartitionInputList=inputs
                )
            for error in answer.get("Errors", ()):
                values = tuple(error.get("PartitionValues", ()))
                code = error.get("ErrorDetail", {}).get("ErrorCode", "")
                if code == "AlreadyExistsException" and values in wanted:
                    existing.append(wanted[values])
                else:
                    message = error.get("ErrorDetail", {}).get("ErrorMessage", "")
                    where = f"partition {list(values)} of {self.database}.{table}"
                    raise CatalogError(f"creating {where} failed: {code} {message}")
        return existing

    def _update_moved(self, table: str, specs: list[PartitionSpec]) -> None:
        """Point partitions whose location differs at the location given now."""
        moved = []
        for chunk in _chunks(specs):
            with self._translated("reading partitions", table):
                answer = self._client.batch_get_partition(
                    DatabaseName=self.database,
                    TableName=table,
                    PartitionsToGet=[{"Values": list(spec.values)} for spec in chunk],
                )
            locations = {
                tuple(p["Values"]): p.get("StorageDescriptor", {}).get("Location")
                for p in answer.get("Partitions", ())
            }
            for spec in chunk:
                if locations.get(spec.values) != f"s3://{self.bucket}/{spec.location}":
                    moved.append(spec)
        for chunk in _chunks(moved):
            entries = [
                {"PartitionValueList": list(spec.values), "PartitionInput": self._input(spec)}
                for spec in chunk
            ]
            with self._translated("updating partitions", table):
                answer = self._client.batch_update_partition(
                    DatabaseName=self.database, TableName=table, Entries=entries
                )
            for error in answer.get("Errors", ()):
                detail = error.get("ErrorDetail", {})
                where = f"partition {error.get('PartitionValueList')} of {self.database}.{table}"
                code, message = detail.get("ErrorCode", ""), detail.get("ErrorMessage", "")
                raise CatalogError(f"updating {where} failed: {code} {message}")
