"""The Grafana dashboard: generated from the panels, valid to the SDK's types, its SQL Athena's."""

from __future__ import annotations

import json
import re

import pytest
import sqlglot

pytest.importorskip("grafana_foundation_sdk")

from grafana_foundation_sdk.models import athena as athena_model
from grafana_foundation_sdk.models import dashboard as dashboard_model

from copilot_archive.reporting import grafana
from copilot_archive.reporting.grafana import DASHBOARD_PANELS as PANELS

# What Grafana and the Athena data source put in place of the macros and variables.
SUBSTITUTIONS = (
    (re.compile(r"\$__dateFilter\((\w+)\)"), r"\1 BETWEEN date '2025-10-10' AND date '2025-11-01'"),
    (re.compile(r"\$\{enterprise:sqlstring\}"), "'acme','globex'"),
    (re.compile(r"\$\{organization:sqlstring\}"), "'octo'"),
    (re.compile(r"\$\{level:sqlstring\}"), "'organization'"),
)


def _expanded(sql: str) -> str:
    for pattern, replacement in SUBSTITUTIONS:
        sql = pattern.sub(replacement, sql)
    assert "$" not in sql, sql
    return sql


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads((grafana.dashboards_dir() / grafana.DASHBOARD_FILE).read_text())


def test_committed_dashboard_is_what_the_generator_writes_now(committed):
    assert (grafana.dashboards_dir() / grafana.DASHBOARD_FILE).read_text() == grafana.dashboard_json(), (
        "run: python -m copilot_archive.reporting.grafana"
    )


def test_dashboard_reads_back_as_the_sdks_dashboard_and_athena_queries(committed):
    board = dashboard_model.Dashboard.from_json(committed)

    assert board.title and board.uid == "copilot-usage-archive"
    assert [p["title"] for p in committed["panels"]] == [p.title for p in PANELS]
    for panel in committed["panels"]:
        assert panel["datasource"] == {"type": grafana.ATHENA_PLUGIN, "uid": "${datasource}"}
        (target,) = panel["targets"]
        query = athena_model.Dataquery.from_json(target)
        assert query.raw_sql and query.connection_args and query.connection_args.database == "${database}"
    variables = {v["name"]: v for v in committed["templating"]["list"]}
    assert variables["datasource"]["query"] == grafana.ATHENA_PLUGIN
    assert variables["enterprise"]["multi"] and variables["enterprise"]["includeAll"]


def test_every_panel_filters_by_the_time_range_and_the_level_and_scope_variables(committed):
    organization_only = {p.title for p in grafana.ORGANIZATION_PANELS}
    for panel in committed["panels"]:
        sql = panel["targets"][0]["rawSQL"]
        assert "$__dateFilter(" in sql and "${organization:sqlstring}" in sql, panel["title"]
        if panel["title"] in organization_only:
            assert "${enterprise:sqlstring}" not in sql and "${level" not in sql
            continue
        # One half per level, each kept only while the level variable names it.
        for level in ("enterprise", "organization"):
            assert f"${{level:sqlstring}} = '{level}' AND {level} IN (${{{level}:sqlstring}})" in sql


def test_the_dashboard_imports_with_a_data_source_prompt_and_says_what_it_requires(committed):
    (source,) = committed["__inputs"]
    assert (source["type"], source["pluginId"]) == ("datasource", grafana.ATHENA_PLUGIN)
    # Grafana's import replaces every ${DS_...} with the data source picked at the prompt.
    used = set(re.findall(r"\$\{(DS_\w+)\}", json.dumps(committed)))
    assert used == {source["name"]}
    variables = {v["name"]: v for v in committed["templating"]["list"]}
    assert variables["datasource"]["current"]["value"] == "${" + source["name"] + "}"
    required = {(r["type"], r["id"]) for r in committed["__requires"]}
    assert ("grafana", "grafana") in required and ("datasource", grafana.ATHENA_PLUGIN) in required
    assert {("panel", p["type"]) for p in committed["panels"]} == {r for r in required if r[0] == "panel"}


def test_the_level_variable_picks_enterprise_or_organization_and_each_has_a_scope_variable(committed):
    variables = {v["name"]: v for v in committed["templating"]["list"]}
    level = variables["level"]
    assert level["type"] == "custom" and not level["multi"] and not level["includeAll"]
    assert level["query"].split(",") == ["enterprise", "organization"]
    assert level["current"]["value"] == "enterprise"
    assert "index_status" in variables["enterprise"]["query"]["rawSQL"]
    assert "org_index_status" in variables["organization"]["query"]["rawSQL"]
    titles = [p["title"] for p in committed["panels"]]
    for view in ("seats_daily", "inactive_seats", "team_ai_credits_monthly", "org_active_users_monthly"):
        assert [p for p in PANELS if p.view == view and p.title in titles], view


# Grafana's variable syntax (public/app/features/variables/utils.ts, variableRegex):
# $name, [[name:format]] and ${name.field:format}.
VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")
# The Athena data source's macros the panels use; they take a column name, never a typed value.
MACROS = {"__dateFilter"}


def _queries(board: dict) -> list[tuple[str, str]]:
    """(where, rawSQL) of every query in the dashboard: each panel's and each query variable's."""
    found = [(p["title"], t["rawSQL"]) for p in board["panels"] for t in p["targets"]]
    for variable in board["templating"]["list"]:
        if isinstance(variable.get("query"), dict) and "rawSQL" in variable["query"]:
            found.append((f"variable {variable['name']}", variable["query"]["rawSQL"]))
    return found


def test_every_variable_in_every_query_reaches_athena_as_a_string_literal(committed):
    # `sqlstring` doubles a value's quotes (Athena's escape); singlequote writes \', which Athena
    # reads as a backslash then the end of the literal; csv, raw or no format insert the text.
    uses = []
    for where, sql in _queries(committed):
        for match in VARIABLE.finditer(sql):
            bare, _old, _old_format, name, field, fmt = match.groups()
            if bare in MACROS:
                assert re.match(rf"\${bare}\(\w+\)", sql[match.start() :]), (where, match[0])
                continue
            uses.append((where, match[0]))
            assert name and fmt == "sqlstring" and not field, (where, match[0])
    assert len(uses) >= len(PANELS)
    # A custom "All" value would go into the SQL as typed, without the format.
    for name in ("enterprise", "organization"):
        (scope,) = [v for v in committed["templating"]["list"] if v["name"] == name]
        assert scope["includeAll"] and not scope.get("allValue")


@pytest.mark.parametrize("panel", PANELS, ids=[p.key for p in PANELS])
def test_every_panels_sql_parses_in_the_athena_dialect_and_reads_its_view(panel, committed):
    (shipped,) = [p for p in committed["panels"] if p["title"] == panel.title]
    tree = sqlglot.parse_one(_expanded(shipped["targets"][0]["rawSQL"]), read="athena")

    read = {table.name for table in tree.find_all(sqlglot.exp.Table)}
    assert panel.view in read
    if panel not in grafana.ORGANIZATION_PANELS:
        assert read == {panel.view, f"org_{panel.view}"}
    assert [s.alias_or_name for s in tree.selects] == ["time", "series", "value"]
