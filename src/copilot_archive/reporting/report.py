"""The local report: the panels' rows from the local engine, drawn ahead of time as inline SVG.

Charts are Vega-Lite specs rendered to SVG by vl-convert (its own bundled Vega, no browser, no
network), so the HTML holds no script and fetches nothing when opened.
"""

from __future__ import annotations

import html
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.exceptions import NoData
from ..core.layout import DEFAULT_PREFIX, Scope
from ..core.reports import Level
from ..querying.query import LocalQueryEngine, require_archive
from .panels import PANELS, STATUS_COLOURS, STATUSES, Panel

if TYPE_CHECKING:
    from ..querying.status import Holding

DEFAULT_NAME = "report.html"
CHART_WIDTH = 1040  # the page is 1200 px at most: readable in a 1280 px window
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# What write_report reports progress in: each panel's query, the headlines' queries, each chart drawn.
REPORT_STEPS = 2 * len(PANELS) + 1


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which days and enterprises the report shows; None means all the archive has."""

    from_day: date | None = None
    to_day: date | None = None
    enterprises: tuple[str, ...] = ()

    def days(self, column: str) -> str:
        parts = []
        if self.from_day:
            parts.append(f"{column} >= DATE '{self.from_day.isoformat()}'")
        if self.to_day:
            parts.append(f"{column} <= DATE '{self.to_day.isoformat()}'")
        return " AND ".join(parts) or "true"

    @property
    def enterprise_filter(self) -> str:
        if not self.enterprises:
            return "true"
        return "enterprise IN (" + ", ".join("'" + e.replace("'", "''") + "'" for e in self.enterprises) + ")"


@dataclass(frozen=True, slots=True)
class PanelRows:
    panel: Panel
    rows: tuple[tuple[date, str, Any], ...]  # (period, series, value), value never None


@dataclass(frozen=True, slots=True)
class Headline:
    enterprise: str
    ok_days: int
    missing_days: int
    latest_day: date | None
    daily_active: int | None
    weekly_active: int | None
    monthly_active: int | None
    acceptance_rate: float | None
    lines_added: int
    lines_deleted: int


def panel_rows(engine: LocalQueryEngine, panel: Panel, scope: ReportScope) -> PanelRows:
    """A panel's rows, ordered, without the periods that have no value (a rate with no generations)."""
    _, rows = engine.run(
        f"SELECT period, series, value FROM ({panel.sql(scope.days, scope.enterprise_filter)})"
    )
    kept = sorted((period, str(series), value) for period, series, value in rows if value is not None)
    return PanelRows(panel, tuple(kept))


def headlines(engine: LocalQueryEngine, scope: ReportScope) -> list[Headline]:
    where = f"{scope.days('day')} AND {scope.enterprise_filter}"
    _, status = engine.run(
        "SELECT enterprise, sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'missing' THEN 1 ELSE 0 END) "
        f"FROM report_status WHERE {where} GROUP BY enterprise"
    )
    _, totals = engine.run(
        "SELECT enterprise, sum(code_acceptance_activity_count), sum(code_generation_activity_count), "
        f"sum(loc_added_sum), sum(loc_deleted_sum) FROM enterprise_daily WHERE {where} GROUP BY enterprise"
    )
    latest: dict[str, dict[str, tuple[date, int]]] = defaultdict(dict)
    for view, column in (
        ("active_users_daily", "day"),
        ("active_users_weekly", "week_start"),
        ("active_users_monthly", "month_start"),
    ):
        _, rows = engine.run(
            f"SELECT enterprise, {column}, active_users FROM {view} "
            f"WHERE {scope.days(column)} AND {scope.enterprise_filter}"
        )
        for enterprise, period, users in rows:
            if view not in latest[enterprise] or period > latest[enterprise][view][0]:
                latest[enterprise][view] = (period, users)
    sums = {row[0]: row[1:] for row in totals}
    result = []
    for enterprise, ok, missing in sorted(status):
        accepted, generated, added, deleted = sums.get(enterprise, (0, 0, 0, 0))
        found = latest.get(enterprise, {})
        daily = found.get("active_users_daily")
        result.append(
            Headline(
                enterprise=enterprise,
                ok_days=int(ok or 0),
                missing_days=int(missing or 0),
                latest_day=daily[0] if daily else None,
                daily_active=daily[1] if daily else None,
                weekly_active=found["active_users_weekly"][1] if "active_users_weekly" in found else None,
                monthly_active=found["active_users_monthly"][1] if "active_users_monthly" in found else None,
                acceptance_rate=(accepted or 0) / generated if generated else None,
                lines_added=int(added or 0),
                lines_deleted=int(deleted or 0),
            )
        )
    return result


# ---- drawing -------------------------------------------------------------------------


def point_label(series: str, period: date, value: Any) -> str:
    """What each drawn point carries as its aria-label: how a test reads the chart back."""
    return f"{series} | {period.isoformat()} | {value}"


def vega_lite_spec(data: PanelRows) -> dict[str, Any]:
    panel = data.panel
    if panel.kind == "calendar":
        return _calendar_spec(data)
    values = [
        {"period": p.isoformat(), "series": s, "value": v, "label": point_label(s, p, v)}
        for p, s, v in data.rows
    ]
    y_axis: dict[str, Any] = {"title": panel.value_title}
    if panel.unit == "ratio":
        y_axis["format"] = ".0%"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": panel.title, "anchor": "start", "fontSize": 16},
        "width": CHART_WIDTH,
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 1.5},
        "encoding": {
            "x": {
                "field": "period",
                "type": "temporal",
                "title": panel.period_title,
                # Dates as the views hold them: a weekday name under a week's point misleads.
                "axis": {"format": "%Y-%m" if panel.period_title == "Month" else "%Y-%m-%d"},
            },
            "y": {"field": "value", "type": "quantitative", "axis": y_axis},
            "color": {"field": "series", "type": "nominal", "title": panel.series_title},
            "description": {"field": "label"},
        },
        "config": _CONFIG,
    }


def _calendar_spec(data: PanelRows) -> dict[str, Any]:
    panel = data.panel
    values = []
    for period, series, status in data.rows:
        monday = period - timedelta(days=period.weekday())
        values.append(
            {
                "week": monday.isoformat(),
                "weekday": WEEKDAYS[period.weekday()],
                "series": series,
                "value": status,
                "label": point_label(series, period, status),
            }
        )
    weeks = sorted({v["week"] for v in values})
    month_starts = [w for i, w in enumerate(weeks) if i == 0 or w[:7] != weeks[i - 1][:7]]
    cell = max(8, min(18, (CHART_WIDTH - 120) // max(1, len(weeks))))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": panel.title, "anchor": "start", "fontSize": 16},
        "data": {"values": values},
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "title": "Week (starting Monday)",
                "sort": weeks,
                "axis": {"values": month_starts, "labelAngle": 0, "labelExpr": "slice(datum.value, 0, 7)"},
                "scale": {"domain": weeks},
            },
            "y": {"field": "weekday", "type": "ordinal", "sort": list(WEEKDAYS), "title": "Weekday"},
            "row": {
                "field": "series",
                "type": "nominal",
                "title": "Report · enterprise",
                "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 12},
            },
            "color": {
                "field": "value",
                "type": "nominal",
                "title": "Report-day",
                "scale": {"domain": list(STATUSES), "range": list(STATUS_COLOURS)},
            },
            "description": {"field": "label"},
        },
        "width": {"step": cell},
        "height": {"step": cell},
        "config": _CONFIG,
    }


_CONFIG = {
    "font": "sans-serif",
    "axis": {"labelFontSize": 11, "titleFontSize": 12},
    "legend": {"orient": "right"},
}


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


def _number(value: int | float | None, percent: bool = False) -> str:
    if value is None:
        return "&ndash;"
    if percent:
        return f"{value:.1%}"
    return f"{value:,}"


def render_html(
    charts: Sequence[PanelRows],
    lines: Sequence[Headline],
    scope: ReportScope,
    today: date,
    on_step: Callable[[], None] = lambda: None,
) -> str:
    head_rows = "".join(
        "<tr>"
        f"<th scope='row'>{html.escape(h.enterprise)}</th>"
        f"<td>{_number(h.daily_active)}</td><td>{_number(h.weekly_active)}</td>"
        f"<td>{_number(h.monthly_active)}</td><td>{_number(h.acceptance_rate, percent=True)}</td>"
        f"<td>{_number(h.lines_added)} / {_number(h.lines_deleted)}</td>"
        f"<td>{_number(h.ok_days)}</td><td>{_number(h.missing_days)}</td>"
        f"<td>{h.latest_day.isoformat() if h.latest_day else '&ndash;'}</td>"
        "</tr>"
        for h in lines
    )
    figures = "\n".join(_figure(c, on_step) for c in charts)
    span = f"{scope.from_day or 'first day'} to {scope.to_day or 'last day'}"
    chosen = ", ".join(scope.enterprises) or "all enterprises"
    return _PAGE.format(
        span=html.escape(span),
        enterprises=html.escape(chosen),
        today=today.isoformat(),
        head_rows=head_rows,
        figures=figures,
    )


def _figure(chart: PanelRows, on_step: Callable[[], None]) -> str:
    drawn = render_svg(vega_lite_spec(chart)) if chart.rows else _empty(chart.panel)
    on_step()
    return (
        f"<figure id='{chart.panel.key}' data-view='{chart.panel.view}' data-points='{len(chart.rows)}'>"
        f"{drawn}</figure>"
    )


def _empty(panel: Panel) -> str:
    return (
        f"<h2>{html.escape(panel.title)}</h2><p class='empty'>No rows in {panel.view} for this selection.</p>"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Copilot usage: archive report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px; color: #222; }}
table {{ border-collapse: collapse; margin: 8px 0 24px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }}
th[scope=row], thead th:first-child {{ text-align: left; }}
figure {{ margin: 0 0 28px; overflow-x: auto; }}
figure svg {{ max-width: 100%; height: auto; }}
.note {{ color: #666; font-size: 90%; }}
</style></head>
<body>
<h1>Copilot usage: archive report</h1>
<p class="note">Days {span}; {enterprises}. Built {today} from the archive's shipped views
(athena/views); every chart is drawn ahead of time, nothing is fetched when this page opens.</p>
<table id="headlines"><caption>Headline numbers</caption>
<thead><tr><th>Enterprise</th><th>Daily active users (latest day)</th>
<th>Weekly active users (latest week)</th>
<th>Monthly active users (latest month)</th><th>Acceptance rate</th>
<th>Lines added / deleted with Copilot</th>
<th>Report-days ok</th><th>Report-days missing</th><th>Latest day</th></tr></thead>
<tbody>{head_rows}</tbody></table>
{figures}
</body></html>
"""


def write_report(
    archive: str | Path,
    out: str | Path | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
    scope: ReportScope = ReportScope(),
    today: date | None = None,
    on_step: Callable[[], None] = lambda: None,
) -> Path:
    """Write the report beside the archive (or to `out`) and return its path; NoData, and
    nothing written, when the archive holds no report-day for the enterprises and days asked.
    `on_step` is called after each of its REPORT_STEPS steps."""
    root = require_archive(archive, prefix)
    target = Path(out) if out else root / DEFAULT_NAME
    with LocalQueryEngine(root, prefix, today=today) as engine:
        require_data(engine, scope, root, prefix)
        charts = []
        for panel in PANELS:
            charts.append(panel_rows(engine, panel, scope))
            on_step()
        lines = headlines(engine, scope)
        on_step()
    page = render_html(charts, lines, scope, today or date.today(), on_step)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A report that fails half-way leaves the previous one whole.
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    return target


def require_data(engine: LocalQueryEngine, scope: ReportScope, root: Path, prefix: str) -> None:
    """Refuse a selection with no indexed report-day (an unknown enterprise, days outside the
    archive), saying what the archive holds: an empty page would read as "no usage"."""
    # The holdings' modules load boto3: only a refusal needs them.
    from ..core.storage import LocalFolderStorage
    from ..querying.status import archive_holdings, describe_holdings

    where = f"{scope.days('day')} AND {scope.enterprise_filter}"
    _, rows = engine.run(f"SELECT DISTINCT enterprise FROM index_status WHERE {where}")
    found = {row[0] for row in rows}
    lacking = [e for e in scope.enterprises if e not in found] if scope.enterprises else []
    if found and not lacking:
        return
    asked = f"enterprise {', '.join(lacking)}" if lacking else "any enterprise"
    if scope.from_day or scope.to_day:
        asked += f" from {scope.from_day or 'the first day'} to {scope.to_day or 'the last day'}"
    indexed = indexed_holdings(engine)
    if indexed:
        held = f"{root} holds {describe_holdings(indexed)}"
        if any(h.scope.level is Level.ORGANIZATION for h in indexed):
            held += " (the report draws enterprises only)"
    else:
        archived = archive_holdings(LocalFolderStorage(root), prefix)
        held = f"{root} has no indexed report-day"
        if archived:
            held += f" (archived, not indexed: {describe_holdings(archived)}; run the index command first)"
    raise NoData(f"nothing to report for {asked}: {held}; no report written")


def indexed_holdings(engine: LocalQueryEngine) -> tuple[Holding, ...]:
    """Each scope's indexed report-days and the first and last of their days, both levels."""
    from ..querying.status import Holding

    holdings = []
    for level in Level:
        _, rows = engine.run(
            f"SELECT {level.value}, min(day), max(day), count(*) FROM {level.table_name('index_status')} "
            f"GROUP BY 1 ORDER BY 1"
        )
        holdings += [Holding(Scope(level, slug), first, last, n) for slug, first, last, n in rows]
    return tuple(holdings)
