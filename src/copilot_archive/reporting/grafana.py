"""The Grafana dashboard: the report's panels over Athena, built with grafana-foundation-sdk.

The SDK's typed builders keep the JSON to Grafana's dashboard model and the Athena data
source's query model; `python -m copilot_archive.reporting.grafana` rewrites
dashboards/copilot-usage.json, and a test fails while the committed file differs.

Imported through Grafana's "Import dashboard", `__inputs` asks for the Athena data source.
The `level` variable picks the enterprise or the organization views (the `org_` twins): each
panel's SQL holds both, each half kept by `${level:sqlstring} = '...'`, a constant Athena folds,
so only the picked level's views are read.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import sqlglot
from grafana_foundation_sdk.builders import athena, dashboard, statetimeline, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.athena import FormatOptions
from sqlglot import exp

from ..core.reports import Level
from .panels import DASHBOARD_SEAT_PANELS, PANELS, STATUS_COLOURS, STATUSES, Panel, line_panel

ATHENA_PLUGIN = "grafana-athena-datasource"
# The import prompt's input: Grafana puts the picked data source's uid wherever this appears.
DATASOURCE_INPUT = "DS_ATHENA"
DATASOURCE = model.DataSourceRef(type_val=ATHENA_PLUGIN, uid="${datasource}")
DATABASE = "${database}"  # the stack's GlueDatabaseName output
UNITS = {
    "users": "short",
    "ratio": "percentunit",
    "lines": "short",
    "status": "none",
    "seats": "short",
    "usd": "currencyUSD",
    "credits": "short",
}
DASHBOARD_FILE = "copilot-usage.json"
# What the dashboard needs, for Grafana's import to check: its version, the plugin, the panels.
GRAFANA_VERSION = "10.0.0"
ATHENA_PLUGIN_VERSION = "2.9.3"
LEVEL = "${level:sqlstring}"
PANEL_NAMES = {"timeseries": "Time series", "state-timeline": "State timeline"}


# A scope variable as SQL string literals for IN (...): Grafana's `sqlstring` format quotes
# each value and doubles its quotes, as Athena (Trino) reads them; `singlequote` escapes a
# quote as \', which Athena does not honour, so a value could end the literal.
def scope_filter(level: Level) -> str:
    """Rows of the picked scopes, and only while the level variable is `level`."""
    column = level.value
    return f"{LEVEL} = '{level.value}' AND {column} IN (${{{column}:sqlstring}})"


ENTERPRISE_FILTER = scope_filter(Level.ENTERPRISE)


def date_filter(column: str) -> str:
    return f"$__dateFilter({column})"


# Holes the organization half is parsed with (Grafana's macros are not SQL), put back after.
_DAYS_HOLE = "__days__"
_SCOPE_HOLE = "__scope__"
_HOLE = re.compile(rf"({_DAYS_HOLE}|{_SCOPE_HOLE})\((\w+)\)", re.IGNORECASE)


def organization_select(select: str) -> str:
    """An enterprise-level SELECT over the organization twins: every view it reads takes the
    `org_` prefix and the `enterprise` column becomes `organization` (as sql.py makes the
    views' twins). A panel reads views only (panels.py), never a table, whose twin may drop more."""
    tree = sqlglot.parse_one(select, read="athena")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    org = Level.ORGANIZATION
    for table in tree.find_all(exp.Table):
        if table.name not in ctes:
            table.set("this", exp.to_identifier(org.table_name(table.name)))
    for identifier in tree.find_all(exp.Identifier):
        if identifier.this == Level.ENTERPRISE.value:
            identifier.set("this", org.value)
    return tree.sql(dialect="athena")


def level_select(panel: Panel) -> str:
    """The panel's SELECT at both levels, each half kept only while `level` names it."""
    enterprise = panel.sql(date_filter, ENTERPRISE_FILTER)
    holes = organization_select(panel.sql(lambda c: f"{_DAYS_HOLE}({c})", f"{_SCOPE_HOLE}(enterprise)"))

    def fill(match: re.Match[str]) -> str:
        hole, column = match[1].lower(), match[2]
        return date_filter(column) if hole == _DAYS_HOLE else scope_filter(Level.ORGANIZATION)

    organization = _HOLE.sub(fill, holes)
    return f"{enterprise} UNION ALL {organization}"


# The seat panels (panels.py) and the teams' trends, at the level the variable picks.
SEAT_AND_TEAM_PANELS: tuple[Panel, ...] = (
    *DASHBOARD_SEAT_PANELS,
    line_panel(
        "team-active-users",
        "Active users per team, per week",
        "team_active_users_weekly",
        "users",
        "Active members (distinct)",
        "Team",
        "week_start",
        "SELECT week_start AS period, concat(enterprise, ' / ', team_slug) AS series, "
        "active_users AS value FROM team_active_users_weekly WHERE {days} AND {enterprises}",
    ),
    line_panel(
        "team-ai-credits",
        "AI credits per team, per month",
        "team_ai_credits_monthly",
        "credits",
        "AI credits used by the team's members",
        "Team",
        "month",
        "SELECT month AS period, concat(enterprise, ' / ', team_slug) AS series, "
        "ai_credits AS value FROM team_ai_credits_monthly WHERE {days} AND {enterprises}",
    ),
)
ORGANIZATION_FILTER = "organization IN (${organization:sqlstring})"
# Organizations side by side whatever the level: the organizations variable picks them.
ORGANIZATION_PANELS: tuple[Panel, ...] = (
    line_panel(
        "organization-active-users",
        "Active users per organization, per month",
        "org_active_users_monthly",
        "users",
        "Active users (distinct)",
        "Organization",
        "month_start",
        "SELECT month_start AS period, organization AS series, active_users AS value "
        "FROM org_active_users_monthly WHERE {days} AND {enterprises}",
    ),
)
DASHBOARD_PANELS: tuple[Panel, ...] = (*PANELS, *SEAT_AND_TEAM_PANELS, *ORGANIZATION_PANELS)


def panel_sql(panel: Panel) -> str:
    """The panel's SQL for Athena: Grafana wants a timestamp `time` column, long format."""
    if panel in ORGANIZATION_PANELS:
        select = panel.sql(date_filter, ORGANIZATION_FILTER)
    else:
        select = level_select(panel)
    if panel.kind == "calendar":
        # The state timeline colours numbers: ok 2, empty 1, missing 0 (mapped back to words).
        value = "CASE value " + " ".join(
            f"WHEN '{status}' THEN {len(STATUSES) - 1 - i}" for i, status in enumerate(STATUSES)
        )
        value += " END"
    else:
        value = "value"
    return (
        f"SELECT CAST(period AS timestamp) AS time, series, {value} AS value "
        f"FROM ({select}) AS panel ORDER BY time"
    )


def _target(sql: str) -> athena.Dataquery:
    return (
        athena.Dataquery()
        .ref_id("A")
        .datasource(DATASOURCE)
        .format(FormatOptions.TIME_SERIES)
        .connection_args(athena.ConnectionArgs().database(DATABASE))
        .raw_sql(sql)
    )


def _status_mappings() -> list[model.ValueMapping]:
    options = {
        str(len(STATUSES) - 1 - i): model.ValueMappingResult(text=status, color=colour, index=i)
        for i, (status, colour) in enumerate(zip(STATUSES, STATUS_COLOURS, strict=True))
    }
    return [model.ValueMap(options=options)]


def _panel(panel: Panel, index: int) -> Any:
    position = model.GridPos(h=9 if panel.kind == "line" else 12, w=24, x=0, y=index * 12)
    description = f"From the view {panel.view}. {panel.value_title} per {panel.period_title.lower()}."
    if panel.kind == "calendar":
        return (
            statetimeline.Panel()
            .id(index + 1)
            .title(panel.title)
            .description(description)
            .datasource(DATASOURCE)
            .grid_pos(position)
            .with_target(_target(panel_sql(panel)))
            .mappings(_status_mappings())
            .show_value(common.VisibilityMode.NEVER)
        )
    builder = (
        timeseries.Panel()
        .id(index + 1)
        .title(panel.title)
        .description(description)
        .datasource(DATASOURCE)
        .grid_pos(position)
        .with_target(_target(panel_sql(panel)))
        .unit(UNITS[panel.unit])
        .axis_label(panel.value_title)
        .show_points(common.VisibilityMode.ALWAYS)
    )
    if panel.unit == "ratio":
        builder = builder.min(0).max(1)
    return builder


def _scope_variable(level: Level) -> dashboard.QueryVariable:
    """A multi-value pick of the archive's scopes at `level`, from its index_status table."""
    column = level.value
    sql = f"SELECT DISTINCT {column} FROM {level.table_name('index_status')} ORDER BY {column}"
    return (
        dashboard.QueryVariable(column)
        .label(column.capitalize())
        .datasource(DATASOURCE)
        .query(
            {
                "refId": column,
                "rawSQL": sql,
                "format": int(FormatOptions.TABLE),
                "connectionArgs": {"database": DATABASE},
            }
        )
        .multi(True)
        .include_all(True)
        .refresh(model.VariableRefresh.ON_DASHBOARD_LOAD)
    )


def _import_header(panel_types: list[str]) -> dict[str, Any]:
    """`__inputs` (the data source Grafana's import asks for) and `__requires` (what it checks)."""
    plugin = {"type": "datasource", "id": ATHENA_PLUGIN, "name": "Amazon Athena"}
    return {
        "__inputs": [
            {
                "name": DATASOURCE_INPUT,
                "label": "Athena",
                "description": "The Athena data source over the stack's workgroup (AthenaWorkGroupName).",
                "type": "datasource",
                "pluginId": ATHENA_PLUGIN,
                "pluginName": "Amazon Athena",
            }
        ],
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": GRAFANA_VERSION},
            {**plugin, "version": ATHENA_PLUGIN_VERSION},
            *(
                {"type": "panel", "id": kind, "name": PANEL_NAMES[kind], "version": ""}
                for kind in sorted(set(panel_types))
            ),
        ],
    }


def build_dashboard() -> dict[str, Any]:
    """The dashboard as the JSON object Grafana imports."""
    picked = model.VariableOption(selected=True, text=Level.ENTERPRISE.value, value=Level.ENTERPRISE.value)
    level = (
        dashboard.CustomVariable("level")
        .label("Level")
        .values(",".join(level.value for level in Level))
        .current(picked)
    )
    imported = model.VariableOption(selected=True, text="Athena", value=f"${{{DATASOURCE_INPUT}}}")
    builder = (
        dashboard.Dashboard("Copilot usage (archive)")
        .uid("copilot-usage-archive")
        .description("The copilot-archive report's panels over the stack's Athena views.")
        .tags(["copilot", "athena"])
        .time("now-90d", "now")
        .timezone("utc")
        .with_variable(
            dashboard.DatasourceVariable("datasource")
            .label("Athena data source")
            .type(ATHENA_PLUGIN)
            .current(imported)
        )
        .with_variable(
            dashboard.TextBoxVariable("database").label("Glue database").default_value("copilot_metrics")
        )
        .with_variable(level)
        .with_variable(_scope_variable(Level.ENTERPRISE))
        .with_variable(_scope_variable(Level.ORGANIZATION))
    )
    for index, panel in enumerate(DASHBOARD_PANELS):
        builder = builder.with_panel(_panel(panel, index))
    document: dict[str, Any] = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    return {**_import_header([p["type"] for p in document["panels"]]), **document}


def dashboard_json() -> str:
    return json.dumps(build_dashboard(), indent=2, sort_keys=True) + "\n"


def dashboards_dir() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "dashboards").is_dir() and (parent / "athena").is_dir():
            return parent / "dashboards"
    raise FileNotFoundError("no dashboards/ folder above the package")


def main() -> int:
    target = dashboards_dir() / DASHBOARD_FILE
    target.write_text(dashboard_json())
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
