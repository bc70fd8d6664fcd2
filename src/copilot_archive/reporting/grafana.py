"""The Grafana dashboard: the report's panels over Athena, built with grafana-foundation-sdk.

The SDK's typed builders keep the JSON to Grafana's dashboard model and the Athena data
source's query model; `python -m copilot_archive.reporting.grafana` rewrites
dashboards/copilot-usage.json, and a test fails while the committed file differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import athena, dashboard, statetimeline, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.athena import FormatOptions

from .panels import PANELS, STATUS_COLOURS, STATUSES, Panel

ATHENA_PLUGIN = "grafana-athena-datasource"
DATASOURCE = model.DataSourceRef(type_val=ATHENA_PLUGIN, uid="${datasource}")
DATABASE = "${database}"  # the stack's GlueDatabaseName output
UNITS = {"users": "short", "ratio": "percentunit", "lines": "short", "status": "none"}
DASHBOARD_FILE = "copilot-usage.json"
# The enterprise variable as SQL string literals for IN (...): Grafana's `sqlstring` format
# quotes each value and doubles its quotes, as Athena (Trino) reads them; `singlequote`
# escapes a quote as \', which Athena does not honour, so a value could end the literal.
ENTERPRISE_FILTER = "enterprise IN (${enterprise:sqlstring})"


def date_filter(column: str) -> str:
    return f"$__dateFilter({column})"


def panel_sql(panel: Panel) -> str:
    """The panel's SQL for Athena: Grafana wants a timestamp `time` column, long format."""
    select = panel.sql(date_filter, ENTERPRISE_FILTER)
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


def build_dashboard() -> dict[str, Any]:
    """The dashboard as the JSON object Grafana imports."""
    enterprise = (
        dashboard.QueryVariable("enterprise")
        .label("Enterprise")
        .datasource(DATASOURCE)
        .query(
            {
                "refId": "enterprise",
                "rawSQL": "SELECT DISTINCT enterprise FROM index_status ORDER BY enterprise",
                "format": int(FormatOptions.TABLE),
                "connectionArgs": {"database": DATABASE},
            }
        )
        .multi(True)
        .include_all(True)
        .refresh(model.VariableRefresh.ON_DASHBOARD_LOAD)
    )
    builder = (
        dashboard.Dashboard("Copilot usage (archive)")
        .uid("copilot-usage-archive")
        .description("The copilot-archive report's panels over the stack's Athena views.")
        .tags(["copilot", "athena"])
        .time("now-90d", "now")
        .timezone("utc")
        .with_variable(
            dashboard.DatasourceVariable("datasource").label("Athena data source").type(ATHENA_PLUGIN)
        )
        .with_variable(
            dashboard.TextBoxVariable("database").label("Glue database").default_value("copilot_metrics")
        )
        .with_variable(enterprise)
    )
    for index, panel in enumerate(PANELS):
        builder = builder.with_panel(_panel(panel, index))
    document: dict[str, Any] = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    return document


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
