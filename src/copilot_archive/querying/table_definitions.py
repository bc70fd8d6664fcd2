"""Every catalog table, derived from the contract; the Athena DDL and Glue resources written from it.

The contract (core/reports.py for the raw tables, core/curated_schema.py for the curated ones)
is the one source. `athena/tables/*.sql` and glue-tables.yaml (the nested stack of the
AWS::Glue::Table resources that template.yaml deploys) are generated from it and committed:
    python -m copilot_archive.querying.table_definitions --write   # or `make tables`
    python -m copilot_archive.querying.table_definitions --check   # non-zero, naming stale files
tests/unit/test_table_definitions.py runs the check, so a contract change that was not
regenerated fails the tests.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..core.curated_schema import ALL_TABLES, INDEX_STATUS, Column, CuratedTable, partition_columns
from ..core.languages import language_names_sql
from ..core.layout import curated_table_location, raw_table_location
from ..core.reports import CATALOGUED_LEVELS, Level, Report, raw_table_name, reports_at

# Where the derived files live, below the repository's root.
TABLES_DIR = Path("athena/tables")
TEMPLATE = Path("template.yaml")  # the stack; it deploys GLUE_TEMPLATE as a nested stack
GLUE_TEMPLATE = Path("glue-tables.yaml")

INDEX_STATUS_DESCRIPTION = "The indexer's result for each report-day it saw, one row per report."
LINE_COMMENT = "One NDJSON line, as text; read it with json_extract_scalar and friends."
# Renderers' placeholders for the archive prefix: string.Template's in DDL, !Sub's in the template.
DDL_PREFIX = "${prefix}"
STACK_PREFIX = "${ArchivePrefix}"


class Storage(StrEnum):
    RAW = "raw"  # the archived NDJSON files, one `line` column
    CURATED = "curated"  # the indexer's Parquet files, the contract's columns


@dataclass(frozen=True, slots=True)
class TableDefinition:
    """One catalog table: its Athena name, columns, partition keys and where its files are."""

    name: str  # Athena name: `user_daily`, `org_user_daily`, `raw_users_1_day`
    level: Level
    storage: Storage
    description: str
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...]
    report: Report  # raw: the report archived; curated: the report rows come from
    contract_name: str  # the name the layout files it under: the report, or the curated table

    def location(self, prefix: str) -> str:
        """The table's folder below the bucket, ending in '/'."""
        if self.storage is Storage.RAW:
            return raw_table_location(prefix, self.report, self.level)
        return curated_table_location(prefix, self.contract_name, self.level)

    @property
    def logical_id(self) -> str:
        """The template's resource id: RawUsers1DayTable, CuratedOrgUserDailyTable."""
        stem = self.name.removeprefix(self.level.table_prefix).removeprefix("raw_")
        words = (self.level.table_prefix + stem).split("_")
        return self.storage.value.capitalize() + "".join(w.capitalize() for w in words) + "Table"


def _raw(level: Level, report: Report) -> TableDefinition:
    return TableDefinition(
        name=raw_table_name(report, level),
        level=level,
        storage=Storage.RAW,
        description=_raw_description(report),
        columns=(Column("line", "string"),),
        partition_keys=partition_columns(level),
        report=report,
        contract_name=report.value,
    )


def _raw_description(report: Report) -> str:
    if report.is_export:
        # The indexer points each day's partition at the day's current revision (core/layout.py).
        return (
            f"The {report.value} export files as archived, one row per CSV line (header included), "
            "of each day's current revision."
        )
    return f"The {report.value} report files as archived, one row per NDJSON line."


def _description(table: CuratedTable, level: Level) -> str:
    if table is INDEX_STATUS:
        return INDEX_STATUS_DESCRIPTION
    if table.description is not None:
        return table.description
    # The report that fills the table at this level: organization-1-day for org_day_totals.
    report = next((r for r in reports_at(level) if r.kind.curated_as is table.source), table.source)
    if report.is_snapshot:
        return f"One row per seat entry of each {report.value} snapshot (one a day)."
    if table.breakdown is None:
        return f"One row per line of the {report.value} report."
    return f"One row per {table.breakdown} entry of the {report.value} report."


def _curated(level: Level, table: CuratedTable) -> TableDefinition:
    return TableDefinition(
        name=table.name_at(level),
        level=level,
        storage=Storage.CURATED,
        description=_description(table, level),
        columns=table.file_columns,
        partition_keys=table.partition_columns(level),
        report=table.source,
        contract_name=table.name,
    )


def table_definitions(levels: Iterable[Level] = CATALOGUED_LEVELS) -> tuple[TableDefinition, ...]:
    """Per level: a raw table per report served there, then every curated table, in contract order.

    Every level has every curated table of the reports: an organization's 1-day report has the
    enterprise report's shape, so it fills the enterprise_* tables, as `org_*` (org_day_totals). A table
    of another source is at the levels it names (billing_usage_daily: the enterprise's only).
    """
    definitions: list[TableDefinition] = []
    wanted = set(levels)
    for level in (level for level in Level if level in wanted):  # a set's order varies by process
        definitions.extend(_raw(level, report) for report in reports_at(level))
        definitions.extend(_curated(level, table) for table in ALL_TABLES if level in table.levels)
    return tuple(definitions)


# ---- Athena DDL ---------------------------------------------------------------------------

_DDL_HEADER = (
    "-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,\n"
    "-- not this file (tests/unit/test_table_definitions.py fails when it is stale).\n"
    "-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.\n"
)
_RAW_DDL_NOTE = (
    "-- Each line as text, so schema drift never breaks it; query it with json_extract /\n"
    "-- json_extract_scalar. '\\001' never occurs in JSON text (control characters inside JSON\n"
    "-- strings are always escaped), so a line is one field.\n"
)
_RAW_DDL_STORAGE = (
    "ROW FORMAT DELIMITED\n"
    "  FIELDS TERMINATED BY '\\001'\n"
    "  LINES TERMINATED BY '\\n'\n"
    "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'\n"
    "  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
)


def _ddl_columns(columns: Sequence[Column], separator: str) -> str:
    return separator.join(f"`{c.name}` {c.type}" for c in columns)


def render_ddl(table: TableDefinition) -> str:
    """The table's CREATE EXTERNAL TABLE, with ${database}, ${bucket} and ${prefix} placeholders."""
    raw = table.storage is Storage.RAW
    columns = _ddl_columns(table.columns, ",\n  ")
    storage = _RAW_DDL_STORAGE if raw else "STORED AS PARQUET\n"
    properties = "'classification' = 'text'" if raw else "'parquet.compression' = 'SNAPPY'"
    return (
        f"{_DDL_HEADER}-- {table.description}\n{_RAW_DDL_NOTE if raw else ''}"
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `${{database}}`.`{table.name}` (\n  {columns}\n)\n"
        f"PARTITIONED BY ({_ddl_columns(table.partition_keys, ', ')})\n"
        f"{storage}"
        f"LOCATION 's3://${{bucket}}/{table.location(DDL_PREFIX)}'\n"
        f"TBLPROPERTIES ({properties})\n"
    )


# ---- CloudFormation -----------------------------------------------------------------------

_PLAIN_SCALAR = re.compile(r"[A-Za-z0-9_(][^\n]*[^\s:]")


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar: plain where YAML reads it back unchanged, else double-quoted."""
    plain = _PLAIN_SCALAR.fullmatch(text) and ": " not in text and " #" not in text
    return text if plain else json.dumps(text)


_RAW_STACK_STORAGE = """\
          InputFormat: org.apache.hadoop.mapred.TextInputFormat
          OutputFormat: org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat
          SerdeInfo:
            SerializationLibrary: org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe
            Parameters: { field.delim: "\\u0001", serialization.format: "\\u0001" }
"""
_CURATED_STACK_STORAGE = """\
          InputFormat: org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat
          OutputFormat: org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat
          SerdeInfo:
            SerializationLibrary: org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe
            Parameters: { serialization.format: "1" }
"""


def render_glue_table(table: TableDefinition) -> str:
    """The table's AWS::Glue::Table resource, indented as an entry of Resources."""
    raw = table.storage is Storage.RAW
    if raw:
        columns = "".join(
            f"            - Name: {c.name}\n              Type: {c.type}\n"
            f"              Comment: {_yaml_scalar(LINE_COMMENT)}\n"
            for c in table.columns
        )
    else:
        columns = "".join(f"            - {{ Name: {c.name}, Type: {c.type} }}\n" for c in table.columns)
    keys = "".join(f"          - {{ Name: {c.name}, Type: {c.type} }}\n" for c in table.partition_keys)
    classification = "json" if raw else "parquet"
    return (
        f"  {table.logical_id}:\n"
        "    Type: AWS::Glue::Table\n"
        "    Properties:\n"
        "      CatalogId: !Ref AWS::AccountId\n"
        "      DatabaseName: !Ref GlueDatabase\n"
        "      TableInput:\n"
        f"        Name: {table.name}\n"
        f"        Description: {_yaml_scalar(table.description)}\n"
        "        TableType: EXTERNAL_TABLE\n"
        f'        Parameters: {{ classification: {classification}, EXTERNAL: "TRUE" }}\n'
        "        PartitionKeys:\n"
        f"{keys}"
        "        StorageDescriptor:\n"
        "          Columns:\n"
        f"{columns}"
        f'          Location: !Sub "s3://${{ArchiveBucket}}/{table.location(STACK_PREFIX)}"\n'
        f"{_RAW_STACK_STORAGE if raw else _CURATED_STACK_STORAGE}"
    )


def render_glue_section(tables: Sequence[TableDefinition]) -> str:
    """Every table's resource, a blank line between them: the nested template's Resources."""
    return "\n".join(render_glue_table(t) for t in tables)


# The nested stack's parameters: the names the tables' !Ref and !Sub use, which template.yaml
# passes down from its own GlueDatabase, ArchiveBucket and ArchivePrefix.
_GLUE_TEMPLATE_HEAD = """\
# Generated from src/copilot_archive/core/curated_schema.py and core/reports.py by `make tables`:
# edit the contract, not this file (tests/unit/test_table_definitions.py fails when it is stale).
# template.yaml deploys it as the nested stack GlueTables (AWS::Serverless::Application).
AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Copilot metrics archive: the Glue tables of the raw and curated files, one per table of the
  contract and level (generated). Partitions are registered by the indexer, not projected.

Parameters:
  GlueDatabase:
    Type: String
    Description: The Glue database (template.yaml's GlueDatabase) that holds the tables.
  ArchiveBucket:
    Type: String
    Description: The archive bucket (template.yaml's ArchiveBucket).
  ArchivePrefix:
    Type: String
    Description: Key prefix of everything the archiver writes (template.yaml's ArchivePrefix).

# Raw tables read each NDJSON line as one string column, `line`, so a report that adds,
# drops or renames a field never breaks them; query with json_extract_scalar(line, '$.x').
# LazySimpleSerDe splits fields at U+0001: JSON text never holds a raw control character
# (RFC 8259 escapes U+0000-U+001F inside strings and allows none outside them), so no line
# is ever cut. Partitions, raw and curated, are registered by the indexer with
# batch_create_partition rather than projected: the catalog lists only report-days that exist.
Resources:
"""


def render_glue_template(tables: Sequence[TableDefinition]) -> str:
    """The nested template: its parameters, then every table's resource."""
    return _GLUE_TEMPLATE_HEAD + render_glue_section(tables)


# ---- The build step -----------------------------------------------------------------------


def repo_root() -> Path:
    """The repository this module sits in (src/copilot_archive/querying/ -> the root)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / TEMPLATE).is_file() and (parent / TABLES_DIR).is_dir():
            return parent
    raise FileNotFoundError(f"no {TEMPLATE} with {TABLES_DIR}/ above {Path(__file__).parent}")


# The view of core/languages.py's mapping, generated with the tables: a view file nobody edits.
LANGUAGE_NAMES = Path("athena/views/language_names.sql")


def expected_files(root: Path, tables: Sequence[TableDefinition]) -> dict[Path, str]:
    """Every derived file (relative to `root`) and the text it must hold."""
    files = {TABLES_DIR / f"{t.name}.sql": render_ddl(t) for t in tables}
    files[GLUE_TEMPLATE] = render_glue_template(tables)
    files[LANGUAGE_NAMES] = language_names_sql()  # the language mapping, as a view the views join
    return files


def stale_files(root: Path, tables: Sequence[TableDefinition]) -> list[Path]:
    """Derived files that differ from what the contract renders, or that it no longer renders."""
    expected = expected_files(root, tables)
    present = {p.relative_to(root) for p in (root / TABLES_DIR).glob("*.sql")}
    return sorted(p for p in expected.keys() | present if _read(root / p) != expected.get(p))


def write_files(root: Path, tables: Sequence[TableDefinition]) -> list[Path]:
    """Rewrite every stale derived file and remove DDL files of tables no longer defined."""
    expected = expected_files(root, tables)
    changed = stale_files(root, tables)
    for path in changed:
        if path in expected:
            (root / path).write_text(expected[path])
        else:
            (root / path).unlink()
    return changed


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the derived files")
    action.add_argument("--check", action="store_true", help="exit 1 if a derived file is stale")
    parser.add_argument("--root", type=Path, default=None, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    root = args.root or repo_root()
    tables = table_definitions()
    if args.write:
        for path in write_files(root, tables):
            print(f"wrote {path}" if (root / path).exists() else f"removed {path}")
        return 0
    stale = stale_files(root, tables)
    for path in stale:
        print(f"stale: {path}", file=sys.stderr)
    if stale:
        print("run `make tables` to regenerate them from the contract", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
