"""The SQL under athena/: every file parses as Athena SQL, one table file per definition, views translate."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from copilot_archive.core import curated_schema
from copilot_archive.core.exceptions import QueryError
from copilot_archive.core.reports import Level
from copilot_archive.querying import sql
from copilot_archive.querying.table_definitions import table_definitions

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDERS = {"database": "copilot_metrics", "bucket": "archive-bucket", "prefix": "copilot-metrics"}
VIEW_COLUMNS = {
    "active_users_daily": ["enterprise", "day", "active_users"],
    "active_users_weekly": ["enterprise", "week_start", "active_users"],
    "active_users_monthly": ["enterprise", "month_start", "active_users"],
    "feature_users_weekly": ["enterprise", "week_start", "chat_users", "agent_users", "cli_users"],
    "report_status": ["report", "enterprise", "day", "status", "files", "bytes", "lines", "indexed"],
}
ACCEPTANCE = ["code_generation_activity_count", "code_acceptance_activity_count", "acceptance_rate"]
TEAM = ["enterprise", "team_slug", "team_id"]
VIEW_COLUMNS |= {
    "team_active_users_daily": [*TEAM, "day", "active_users"],
    "team_active_users_weekly": [*TEAM, "week_start", "active_users"],
    "team_active_users_monthly": [*TEAM, "month_start", "active_users"],
    "team_acceptance_daily": [*TEAM, "day", *ACCEPTANCE],
    "repo_pull_requests_daily": [
        "enterprise",
        "repo_id",
        "repo_name",
        "day",
        *(
            name.removeprefix("pull_requests_")
            for name in curated_schema.REPO_DAILY.column_names
            if name.startswith("pull_requests_")
        ),
    ],
}
# The seat views (issue 18, section 3): their columns are a contract.
VIEW_COLUMNS |= {
    "seats_daily": ["enterprise", "day", "seats", "active_users", "active_share", "pending_cancellation"],
    "inactive_seats": [
        "enterprise",
        "day",
        "user_login",
        "plan_type",
        "assigned_on",
        "last_active_day",
        "days_inactive",
        "monthly_price_usd",
    ],
    "seat_cost_monthly": [
        "enterprise",
        "month",
        "seats",
        "active_users",
        "inactive_seats",
        "seat_cost_usd",
        "cost_per_active_user_usd",
    ],
}
for _view, _key in (("ide", "ide"), ("language", "language"), ("model", "model"), ("feature", "feature")):
    VIEW_COLUMNS[f"acceptance_by_{_view}"] = ["enterprise", "day", _key, *ACCEPTANCE]
# Issue 18's contract: credits from users-1-day, billed usage from the billing export.
VIEW_COLUMNS |= {
    "ai_credits_monthly": ["enterprise", "month", "user_login", "ai_credits"],
    "team_ai_credits_monthly": ["enterprise", "month", "team_slug", "team_id", "ai_credits"],
    "billed_usage_monthly": ["enterprise", "month", "product", "model", "net_amount"],
    "restatements": [
        "enterprise",
        "day",
        "report",
        "metric",
        "user_login",
        "archived_value",
        "restated_value",
        "first_seen",
    ],
}
# Issue 20's data quality: the lines no feature count can judge, the raw language name beside
# the canonical one, and a view of each report-day's odd data.
VIEW_COLUMNS["feature_users_weekly"] += ["unjudged_users", "unjudged_lines"]
VIEW_COLUMNS["acceptance_by_language"] += ["raw_language", "is_language"]
VIEW_COLUMNS |= {
    "language_names": ["raw_language", "language", "is_language"],
    "data_quality_daily": [
        "enterprise",
        "day",
        "report",
        "lines",
        "reduced_shape_lines",
        "mistyped_values",
        "unknown_fields",
    ],
}
# Views over tables GitHub's data fills at the enterprise level only: no organization twin.
ENTERPRISE_ONLY_VIEWS = {"billed_usage_monthly"}


def test_there_is_one_ddl_file_per_catalog_table():
    # The files are generated (test_table_definitions.py holds them current); none is hand-added.
    assert set(sql.table_names()) == {t.name for t in table_definitions()}


@pytest.mark.parametrize("name", sql.table_names())
def test_ddl_file_parses_as_athena_and_creates_its_table(name):
    tree = sqlglot.parse_one(sql.table_ddl(name, **PLACEHOLDERS), read="athena")

    assert isinstance(tree, exp.Create) and tree.find(exp.ExternalProperty) is not None
    assert tree.this.this.name == name and tree.this.this.args["db"].name == "copilot_metrics"


def test_every_placeholder_is_documented_and_filled():
    readme = (sql.athena_dir() / "README.md").read_text()
    for name in sql.table_names():
        text = (sql.athena_dir() / "tables" / f"{name}.sql").read_text()
        assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(PLACEHOLDERS)
        assert "${" not in sql.table_ddl(name, **PLACEHOLDERS)
    for placeholder in PLACEHOLDERS:
        assert f"${{{placeholder}}}" in readme


ENTERPRISE_VIEWS = [*sorted(VIEW_COLUMNS), "enterprise_daily"]
# Every other enterprise view has an organization twin: org_ + name, `organization` for `enterprise`.
VIEWS = [
    (level, name)
    for level in Level
    for name in ENTERPRISE_VIEWS
    if level is Level.ENTERPRISE or name not in ENTERPRISE_ONLY_VIEWS
]


def at_level(columns: list[str], level: Level) -> list[str]:
    return [level.value if c == Level.ENTERPRISE.value else c for c in columns]


def test_the_views_are_the_contracted_ones():
    assert {level.table_name(name) for level, name in VIEWS} == set(sql.view_names())


@pytest.mark.parametrize(("level", "name"), VIEWS, ids=lambda v: str(v))
def test_view_parses_as_athena_and_names_its_columns(level, name):
    tree = sqlglot.parse_one(sql.view_sql(level.table_name(name)), read="athena")

    assert isinstance(tree, exp.Create) and tree.kind == "VIEW" and tree.args.get("replace")
    assert tree.this.name == level.table_name(name)
    columns = tree.expression.named_selects
    if name == "enterprise_daily":
        assert columns[:5] == at_level(
            ["enterprise", "day", "daily_active_users", "weekly_active_users", "monthly_active_users"], level
        )
    else:
        assert columns == at_level(VIEW_COLUMNS[name], level)


@pytest.mark.parametrize(("level", "name"), VIEWS, ids=lambda v: str(v))
def test_view_transpiles_to_duckdb(level, name):
    text = sql.view_sql(level.table_name(name), "duckdb")

    tree = sqlglot.parse_one(text, read="duckdb")
    assert isinstance(tree, exp.Create) and tree.this.name == level.table_name(name)


def test_views_only_read_tables_and_other_views_of_their_level():
    for level in Level:
        known = {t.name_at(level) for t in curated_schema.ALL_TABLES if level in t.levels}
        known |= {level.table_name(name) for lvl, name in VIEWS if lvl is level}
        for name in (name for lvl, name in VIEWS if lvl is level):
            tree = sqlglot.parse_one(sql.view_sql(level.table_name(name)), read="athena")
            ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
            read = {t.name for t in tree.find_all(exp.Table) if t.name} - ctes - {level.table_name(name)}
            assert read <= known, name


def test_an_organization_view_names_organization_reports_and_no_enterprise_column():
    text = sql.view_sql("org_report_status")

    assert "'organization-1-day'" in text and "'organization-28-day'" in text
    assert "enterprise-1-day" not in text and "enterprise" not in text.replace("enterprises", "")


def test_today_pins_current_date_in_the_duckdb_text():
    text = sql.view_sql("report_status", "duckdb", today=date(2025, 11, 1))

    assert "CURRENT_DATE" not in text.upper() and "2025-11-01" in text


def test_an_unknown_view_is_named_in_the_error():
    with pytest.raises(QueryError, match="no_such_view"):
        sql.view_sql("no_such_view")


def test_the_compiled_views_are_what_athena_views_and_the_contract_render():
    # Generated by `make tables`; the indexer and the local engine read it instead of parsing SQL.
    committed = (ROOT / sql.COMPILED).read_text()
    compiled: dict[str, Any] = {}
    exec(committed, compiled)

    assert committed == sql.render_compiled(), "stale: run `make tables`"
    names = sql.view_names()
    assert compiled["ATHENA_VIEWS"] == tuple((name, sql.view_sql(name)) for name in names)
    assert compiled["DUCKDB_VIEWS"] == {name: sql.view_sql(name, "duckdb") for name in names}
    for name in names:
        tree = sqlglot.parse_one(sql.view_sql(name), read="athena")
        ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
        read = {t.name for t in tree.find_all(exp.Table)} - ctes - {name}
        assert set(compiled["READS"][name]) == read, name
    for table in curated_schema.ALL_TABLES:
        for column in table.file_columns:
            built = exp.DataType.build(column.type, dialect="athena").sql(dialect="duckdb")
            assert compiled["DUCKDB_TYPES"][column.type] == built


def test_a_view_changed_but_not_compiled_is_named_stale(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "athena", tmp_path / "athena")
    (tmp_path / sql.COMPILED).parent.mkdir(parents=True)
    shutil.copy(ROOT / sql.COMPILED, tmp_path / sql.COMPILED)
    view = tmp_path / "athena" / "views" / "active_users_daily.sql"
    view.write_text(view.read_text().replace("SELECT", "SELECT DISTINCT", 1))
    monkeypatch.setattr(sql, "athena_dir", lambda: tmp_path / "athena")
    sql._files.cache_clear()
    try:
        assert sql.main(["--check", "--root", str(tmp_path)]) == 1
        assert "compiled_sql.py" in capsys.readouterr().err
        assert sql.main(["--write", "--root", str(tmp_path)]) == 0
        assert sql.main(["--check", "--root", str(tmp_path)]) == 0
    finally:
        sql._files.cache_clear()
    assert "SELECT DISTINCT" in (tmp_path / sql.COMPILED).read_text()


def test_bad_sql_is_a_query_error():
    with pytest.raises(QueryError, match="not valid Athena SQL"):
        sql.translate("SELECT FROM WHERE (")
