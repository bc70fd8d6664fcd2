"""The SQL under athena/: every file parses as Athena SQL, tables match the contract, views translate."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlglot
from sqlglot import exp

from copilot_archive import curated_schema, sql
from copilot_archive.exceptions import QueryError
from copilot_archive.layout import Report

RAW_TABLES = {"raw_" + r.value.replace("-", "_"): r for r in Report}
PLACEHOLDERS = {"database": "copilot_metrics", "bucket": "archive-bucket", "prefix": "copilot-metrics"}
VIEW_COLUMNS = {
    "active_users_daily": ["enterprise", "day", "active_users"],
    "active_users_weekly": ["enterprise", "week_start", "active_users"],
    "active_users_monthly": ["enterprise", "month_start", "active_users"],
    "feature_users_weekly": ["enterprise", "week_start", "chat_users", "agent_users", "cli_users"],
    "report_status": ["report", "enterprise", "day", "status", "files", "bytes", "lines", "indexed"],
}
ACCEPTANCE = ["code_generation_activity_count", "code_acceptance_activity_count", "acceptance_rate"]
for _view, _key in (("ide", "ide"), ("language", "language"), ("model", "model"), ("feature", "feature")):
    VIEW_COLUMNS[f"acceptance_by_{_view}"] = ["enterprise", "day", _key, *ACCEPTANCE]


def _ddl(name: str) -> exp.Create:
    tree = sqlglot.parse_one(sql.table_ddl(name, **PLACEHOLDERS), read="athena")
    assert isinstance(tree, exp.Create)
    return tree


def _columns(schema: exp.Schema) -> list[tuple[str, exp.DataType]]:
    return [(c.name, c.args["kind"]) for c in schema.expressions]


def _expected(columns: tuple[curated_schema.Column, ...]) -> list[tuple[str, exp.DataType]]:
    return [(c.name, exp.DataType.build(c.type, dialect="athena")) for c in columns]


def test_there_is_one_ddl_file_per_raw_and_curated_table():
    expected = {t.name for t in curated_schema.ALL_TABLES} | set(RAW_TABLES)
    assert set(sql.table_names()) == expected


@pytest.mark.parametrize("table", curated_schema.ALL_TABLES, ids=lambda t: t.name)
def test_curated_ddl_columns_and_types_equal_the_contract(table):
    tree = _ddl(table.name)

    assert tree.args["exists"] and tree.find(exp.ExternalProperty) is not None
    assert tree.this.this.name == table.name and tree.this.this.args["db"].name == "copilot_metrics"
    assert _columns(tree.this) == _expected(table.file_columns)
    partitioned = tree.find(exp.PartitionedByProperty)
    assert partitioned is not None
    assert _columns(partitioned.this) == _expected(table.partition_columns)
    assert tree.find(exp.FileFormatProperty).this.name.upper() == "PARQUET"
    location = tree.find(exp.LocationProperty).this.name
    assert location == f"s3://archive-bucket/copilot-metrics/curated/enterprise/{table.name}/"


@pytest.mark.parametrize("name", sorted(RAW_TABLES))
def test_raw_ddl_is_one_text_line_column_over_the_raw_layout(name):
    tree = _ddl(name)

    assert _columns(tree.this) == [("line", exp.DataType.build("string", dialect="athena"))]
    partitioned = tree.find(exp.PartitionedByProperty)
    assert _columns(partitioned.this) == _expected(curated_schema.PARTITION_COLUMNS)
    delimited = tree.find(exp.RowFormatDelimitedProperty)
    assert delimited is not None and delimited.args["fields"].name == "\x01"
    formats = tree.find(exp.InputOutputFormat)
    assert formats.args["input_format"].name == "org.apache.hadoop.mapred.TextInputFormat"
    location = tree.find(exp.LocationProperty).this.name
    assert location == f"s3://archive-bucket/copilot-metrics/raw/enterprise/{RAW_TABLES[name].value}/"


def test_every_placeholder_is_documented_and_filled():
    readme = (sql.athena_dir() / "README.md").read_text()
    for name in sql.table_names():
        text = (sql.athena_dir() / "tables" / f"{name}.sql").read_text()
        assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(PLACEHOLDERS)
        assert "${" not in sql.table_ddl(name, **PLACEHOLDERS)
    for placeholder in PLACEHOLDERS:
        assert f"${{{placeholder}}}" in readme


def test_the_views_are_the_contracted_ones():
    assert set(VIEW_COLUMNS) | {"enterprise_daily"} == set(sql.view_names())


@pytest.mark.parametrize("name", [*sorted(VIEW_COLUMNS), "enterprise_daily"])
def test_view_parses_as_athena_and_names_its_columns(name):
    tree = sqlglot.parse_one(sql.view_sql(name), read="athena")

    assert isinstance(tree, exp.Create) and tree.kind == "VIEW" and tree.args.get("replace")
    assert tree.this.name == name
    columns = tree.expression.named_selects
    if name == "enterprise_daily":
        assert columns[:5] == [
            "enterprise",
            "day",
            "daily_active_users",
            "weekly_active_users",
            "monthly_active_users",
        ]
    else:
        assert columns == VIEW_COLUMNS[name]


@pytest.mark.parametrize("name", [*sorted(VIEW_COLUMNS), "enterprise_daily"])
def test_view_transpiles_to_duckdb(name):
    text = sql.view_sql(name, "duckdb")

    tree = sqlglot.parse_one(text, read="duckdb")
    assert isinstance(tree, exp.Create) and tree.this.name == name


def test_views_only_read_tables_and_other_views():
    known = {t.name for t in curated_schema.ALL_TABLES} | set(sql.view_names())
    for name in sql.view_names():
        tree = sqlglot.parse_one(sql.view_sql(name), read="athena")
        ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
        read = {t.name for t in tree.find_all(exp.Table) if t.name} - ctes - {name}
        assert read <= known, name


def test_today_pins_current_date_in_the_duckdb_text():
    text = sql.view_sql("report_status", "duckdb", today=date(2025, 11, 1))

    assert "CURRENT_DATE" not in text.upper() and "2025-11-01" in text


def test_an_unknown_view_is_named_in_the_error():
    with pytest.raises(QueryError, match="no_such_view"):
        sql.view_sql("no_such_view")


def test_bad_sql_is_a_query_error():
    with pytest.raises(QueryError, match="not valid Athena SQL"):
        sql.translate("SELECT FROM WHERE (")
