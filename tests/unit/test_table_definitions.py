"""The catalog's tables from the contract: the committed files are current, and the renderers
say in Athena DDL and CloudFormation exactly what each definition holds, at every level."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from sqlglot import exp

from copilot_archive.core.curated_schema import ALL_TABLES, Column, table_named
from copilot_archive.core.layout import curated_table_location, raw_table_location
from copilot_archive.core.reports import Level, reports_at
from copilot_archive.querying import table_definitions as defs
from copilot_archive.querying.table_definitions import Storage, TableDefinition, table_definitions
from tests.stack import CloudFormationLoader

ROOT = Path(__file__).resolve().parents[2]
EVERY_LEVEL = tuple(Level)
PLACEHOLDERS = {"database": "copilot_metrics", "bucket": "archive-bucket", "prefix": "copilot-metrics"}


def _ids(table: TableDefinition) -> str:
    return table.name


def _copy_of_the_repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / defs.TABLES_DIR, tmp_path / defs.TABLES_DIR)
    shutil.copy(ROOT / defs.TEMPLATE, tmp_path / defs.TEMPLATE)
    (tmp_path / defs.LANGUAGE_NAMES).parent.mkdir(parents=True)
    shutil.copy(ROOT / defs.LANGUAGE_NAMES, tmp_path / defs.LANGUAGE_NAMES)
    shutil.copy(ROOT / defs.GLUE_TEMPLATE, tmp_path / defs.GLUE_TEMPLATE)
    return tmp_path


def _retyped(tables: Sequence[TableDefinition], name: str, column: str, type_: str) -> list[TableDefinition]:
    def retype(table: TableDefinition) -> TableDefinition:
        if table.name != name:
            return table
        columns = tuple(Column(c.name, type_) if c.name == column else c for c in table.columns)
        return dataclasses.replace(table, columns=columns)

    return [retype(t) for t in tables]


def test_the_committed_files_are_what_the_contract_renders():
    stale = defs.stale_files(ROOT, table_definitions())

    assert stale == [], f"stale: {[str(p) for p in stale]}; run `make tables`"


def test_a_contract_change_not_regenerated_is_named_stale(tmp_path):
    root = _copy_of_the_repo(tmp_path)
    changed = _retyped(table_definitions(), "user_daily", "user_id", "string")

    assert defs.stale_files(root, changed) == [Path("athena/tables/user_daily.sql"), Path("glue-tables.yaml")]
    assert defs.main(["--check", "--root", str(root)]) == 0  # the real contract is unchanged


def test_write_regenerates_and_removes_ddl_of_tables_no_longer_defined(tmp_path):
    root = _copy_of_the_repo(tmp_path)
    (root / defs.TABLES_DIR / "dropped_table.sql").write_text("-- gone\n")
    changed = _retyped(table_definitions(), "index_status", "files", "bigint")

    written = defs.write_files(root, changed)

    assert Path("athena/tables/dropped_table.sql") in written
    assert not (root / defs.TABLES_DIR / "dropped_table.sql").exists()
    assert "`files` bigint" in (root / defs.TABLES_DIR / "index_status.sql").read_text()
    assert defs.stale_files(root, changed) == []
    assert defs.main(["--check", "--root", str(root)]) == 1


def test_enterprise_tables_are_the_served_reports_raw_and_every_curated_table():
    names = [t.name for t in table_definitions((Level.ENTERPRISE,))]

    raw = [
        "raw_enterprise_1_day",
        "raw_users_1_day",
        "raw_enterprise_28_day",
        "raw_users_28_day",
        "raw_user_teams_1_day",
        "raw_repos_1_day",
        "raw_copilot_seats",
        "raw_billing_usage",
    ]
    assert names == [*raw, *(t.name for t in ALL_TABLES)]
    assert set(defs.CATALOGUED_LEVELS) == set(Level)


def test_organization_tables_are_prefixed_partitioned_and_filed_by_organization():
    tables = table_definitions((Level.ORGANIZATION,))
    by_name = {t.name: t for t in tables}

    raw = {f"org_raw_{r.value.replace('-', '_')}": r for r in reports_at(Level.ORGANIZATION)}
    # billing_usage_daily is the enterprise's only: GitHub exports billing usage per enterprise.
    # An organization's report fills the enterprise report's tables: their names drop "enterprise_".
    org_tables = {
        f"org_{t.name.removeprefix('enterprise_')}" for t in ALL_TABLES if Level.ORGANIZATION in t.levels
    }
    assert set(by_name) == set(raw) | org_tables
    assert "org_billing_usage_daily" not in by_name
    assert {"org_day_totals", "org_ide_daily", "org_pull_request_comment_type_daily"} <= set(by_name)
    assert not [name for name in by_name if "enterprise" in name]
    # The files stay in the contract's folder: an existing archive's curated data is still found.
    assert by_name["org_day_totals"].location("p") == "p/curated/organization/enterprise_day_totals/"
    assert by_name["org_day_totals"].logical_id == "CuratedOrgDayTotalsTable"
    for table in tables:
        # A monthly table (a few rows a day) files a month per file: `day` is one of its columns.
        monthly = table.storage is Storage.CURATED and table_named(table.contract_name).monthly
        assert [c.name for c in table.partition_keys] == ["organization", "month" if monthly else "day"]
        assert ("day" in [c.name for c in table.columns]) == monthly
    assert table_named("enterprise_day_totals").monthly and table_named("index_status").monthly
    assert not table_named("user_daily").monthly
    assert by_name["org_user_daily"].location("p") == "p/curated/organization/user_daily/"
    assert by_name["org_index_status"].location("p") == "p/curated/organization/index_status/"
    assert by_name["org_raw_organization_1_day"].location("p") == "p/raw/organization/organization-1-day/"
    assert by_name["org_user_daily"].logical_id == "CuratedOrgUserDailyTable"
    assert by_name["org_raw_users_1_day"].logical_id == "RawOrgUsers1DayTable"


def test_both_levels_together_never_share_a_name_or_a_logical_id():
    tables = table_definitions(EVERY_LEVEL)

    assert len({t.name for t in tables}) == len({t.logical_id for t in tables}) == len(tables)


NAMED = {
    "raw_users_1_day": (
        "RawUsers1DayTable",
        "The users-1-day report files as archived, one row per NDJSON line.",
    ),
    "user_daily": ("CuratedUserDailyTable", "One row per line of the users-1-day report."),
    "user_ide_daily": (
        "CuratedUserIdeDailyTable",
        "One row per totals_by_ide entry of the users-1-day report.",
    ),
    "index_status": ("CuratedIndexStatusTable", defs.INDEX_STATUS_DESCRIPTION),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_names_and_descriptions_come_from_the_contract(name):
    table = {t.name: t for t in table_definitions((Level.ENTERPRISE,))}[name]

    assert (table.logical_id, table.description) == NAMED[name]


def _parsed_columns(schema: exp.Schema) -> list[tuple[str, exp.DataType]]:
    return [(c.name, c.args["kind"]) for c in schema.expressions]


def _athena_types(columns: tuple[Column, ...]) -> list[tuple[str, exp.DataType]]:
    return [(c.name, exp.DataType.build(c.type, dialect="athena")) for c in columns]


@pytest.mark.parametrize("table", table_definitions(EVERY_LEVEL), ids=_ids)
def test_ddl_parses_as_athena_and_says_what_the_definition_holds(table):
    text = defs.render_ddl(table)
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(f"${{{placeholder}}}", value)
    tree = sqlglot.parse_one(text, read="athena")

    assert isinstance(tree, exp.Create) and tree.args["exists"] and tree.find(exp.ExternalProperty)
    assert tree.this.this.name == table.name and tree.this.this.args["db"].name == "copilot_metrics"
    assert _parsed_columns(tree.this) == _athena_types(table.columns)
    assert _parsed_columns(tree.find(exp.PartitionedByProperty).this) == _athena_types(table.partition_keys)
    assert (
        tree.find(exp.LocationProperty).this.name
        == f"s3://archive-bucket/{table.location('copilot-metrics')}"
    )
    if table.storage is Storage.RAW:
        assert tree.find(exp.RowFormatDelimitedProperty).args["fields"].name == "\x01"
        formats = tree.find(exp.InputOutputFormat)
        assert formats.args["input_format"].name == "org.apache.hadoop.mapred.TextInputFormat"
    else:
        assert tree.find(exp.FileFormatProperty).this.name.upper() == "PARQUET"


def _glue_resources(tables: tuple[TableDefinition, ...]) -> dict[str, Any]:
    text = "Resources:\n" + defs.render_glue_section(tables)
    resources: dict[str, Any] = yaml.load(text, Loader=CloudFormationLoader)["Resources"]
    return resources


@pytest.fixture(scope="module")
def every_glue_table() -> dict[str, Any]:
    return _glue_resources(table_definitions(EVERY_LEVEL))


@pytest.mark.parametrize("table", table_definitions(EVERY_LEVEL), ids=_ids)
def test_glue_table_says_what_the_definition_holds(table, every_glue_table):
    resource = every_glue_table[table.logical_id]
    glue = resource["Properties"]["TableInput"]
    storage = glue["StorageDescriptor"]

    assert resource["Type"] == "AWS::Glue::Table"
    assert resource["Properties"]["DatabaseName"] == {"Ref": "GlueDatabase"}
    assert (glue["Name"], glue["Description"], glue["TableType"]) == (
        table.name,
        table.description,
        "EXTERNAL_TABLE",
    )
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == [(c.name, c.type) for c in table.columns]
    assert glue["PartitionKeys"] == [{"Name": c.name, "Type": c.type} for c in table.partition_keys]
    assert storage["Location"] == {"Fn::Sub": "s3://${ArchiveBucket}/" + table.location("${ArchivePrefix}")}
    if table.storage is Storage.RAW:
        assert storage["Location"]["Fn::Sub"].endswith(raw_table_location("", table.report, table.level))
        # A field delimiter that JSON text never contains: the whole line is the one column.
        assert storage["SerdeInfo"]["Parameters"]["field.delim"] == "\x01"
        assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    else:
        assert storage["Location"]["Fn::Sub"].endswith(
            curated_table_location("", table.contract_name, table.level)
        )
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith(".ParquetHiveSerDe")


def test_a_description_yaml_would_misread_is_quoted():
    table = dataclasses.replace(table_definitions()[0], description="Rows: one per line # of the report")

    glue = _glue_resources((table,))[table.logical_id]["Properties"]["TableInput"]

    assert glue["Description"] == "Rows: one per line # of the report"
