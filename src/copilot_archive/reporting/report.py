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
from . import story
from .panels import PANELS, REPORT_SEAT_PANELS, Panel

if TYPE_CHECKING:
    from ..querying.status import Holding

DEFAULT_NAME = "report.html"
CHART_WIDTH = 1040  # the page is 1200 px at most: readable in a 1280 px window
# Distinct on white, in a line's stroke and a point's outline: Tableau's ten, then six darker hues.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#000075", "#800000", "#469990", "#f032e6", "#808000", "#000000",
)  # fmt: skip
OTHER = "other"
LEVEL_TITLES = {Level.ENTERPRISE: "Enterprises", Level.ORGANIZATION: "Organizations"}
GRAINS = {"Day": "day", "Month": "month"}  # a panel's period title -> its grain; weeks otherwise

# The calendar of report-days is the health panel's table now.
REPORT_PANELS = REPORT_SEAT_PANELS + tuple(panel for panel in PANELS if panel.kind != "calendar")
# What write_report reports progress in: each level's panel queries and charts, then the story's queries.
REPORT_STEPS = 2 * len(Level) * len(REPORT_PANELS) + 1


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which days and scopes the report shows; no slugs at all means every scope of the archive."""

    from_day: date | None = None
    to_day: date | None = None
    enterprises: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()

    def days(self, column: str) -> str:
        parts = []
        if self.from_day:
            parts.append(f"{column} >= DATE '{self.from_day.isoformat()}'")
        if self.to_day:
            parts.append(f"{column} <= DATE '{self.to_day.isoformat()}'")
        return " AND ".join(parts) or "true"

    @property
    def levels(self) -> tuple[Level, ...]:
        """Both levels unless scopes are named: then the levels named."""
        named = tuple(level for level in Level if self.slugs(level))
        return named or tuple(Level)

    def slugs(self, level: Level) -> tuple[str, ...]:
        return self.enterprises if level is Level.ENTERPRISE else self.organizations

    def scope_filter(self, level: Level, column: str | None = None) -> str:
        slugs = self.slugs(level)
        if not slugs:
            return "true"
        quoted = ", ".join("'" + slug.replace("'", "''") + "'" for slug in slugs)
        return f"{column or level.value} IN ({quoted})"

    def where(self, level: Level, column: str) -> str:
        return f"{self.days(column)} AND {self.scope_filter(level)}"


@dataclass(frozen=True, slots=True)
class PanelRows:
    panel: Panel
    level: Level
    rows: tuple[tuple[date, str, Any], ...]  # (period, series, value), value never None
    grain: str = "week"  # day, week or month: which periods can be partial
    left_out: tuple[str, ...] = ()  # series not drawn (beyond the palette, not summable)

    @property
    def key(self) -> str:
        return f"{self.level.value}-{self.panel.key}"


@dataclass(frozen=True, slots=True)
class LevelSection:
    level: Level
    adoption: tuple[story.Adoption, ...]
    charts: tuple[PanelRows, ...]
    teams: story.Teams | None
    health: tuple[story.Health, ...]


def panel_sql(panel: Panel, level: Level, scope: ReportScope) -> str:
    """The panel's SQL at `level`: an organization reads the `org_` twins, as the views' own twins do."""
    text = panel.sql(scope.days, scope.scope_filter(level, Level.ENTERPRISE.value))
    if level is Level.ENTERPRISE:
        return text
    from ..querying.sql import organization_twin

    return organization_twin(text, f"panel {panel.key}")


def panel_rows(
    engine: LocalQueryEngine, panel: Panel, scope: ReportScope, level: Level = Level.ENTERPRISE
) -> PanelRows:
    """A panel's rows, ordered, without the periods that have no value (a rate with no generations);
    beyond the palette's colours the smallest series are summed as "other" (left out for a rate)."""
    _, rows = engine.run(f"SELECT period, series, value FROM ({panel_sql(panel, level, scope)}) AS panel")
    kept = [(period, str(series), value) for period, series, value in rows if value is not None]
    totals: dict[str, float] = defaultdict(float)
    for _, series, value in kept:
        totals[series] += abs(float(value))
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    left_out: tuple[str, ...] = ()
    if len(ranked) > len(PALETTE):
        small = set(ranked[len(PALETTE) - 1 :])
        drawn = [(p, s, v) for p, s, v in kept if s not in small]
        if panel.unit == "ratio":
            left_out = tuple(sorted(small))
        else:
            other: dict[date, Any] = defaultdict(int)
            for period, series, value in kept:
                if series in small:
                    other[period] += value
            drawn += [(period, OTHER, value) for period, value in other.items()]
        kept = drawn
    grain = GRAINS.get(panel.period_title, "week")
    return PanelRows(panel, level, tuple(sorted(kept)), grain, left_out)


def series_colours(rows: Sequence[tuple[date, str, Any]]) -> dict[str, str]:
    """A colour per series, none shared; in the series' order, so a scope keeps its colour from
    chart to chart (panel_rows keeps the series within the palette)."""
    ranked = sorted({series for _, series, _ in rows}, key=lambda s: (s == OTHER, s))
    if len(ranked) > len(PALETTE):
        raise ValueError(f"{len(ranked)} series for {len(PALETTE)} colours")
    return dict(zip(ranked, PALETTE, strict=False))


def level_section(
    engine: LocalQueryEngine,
    level: Level,
    scope: ReportScope,
    cover: story.Coverage,
    on_step: Callable[[], None],
) -> LevelSection | None:
    """One level's figures; None when the archive holds no scope of it for the selection."""
    where = scope.where
    if not story.scopes(engine, level, where):
        for _ in range(2 * len(REPORT_PANELS)):
            on_step()
        return None
    served = set(engine.view_names)
    charts = []
    for panel in REPORT_PANELS:
        if level.table_name(panel.view) in served:
            charts.append(panel_rows(engine, panel, scope, level))
        on_step()
    return LevelSection(
        level,
        tuple(story.adoption(engine, level, where, cover)),
        tuple(charts),
        story.teams(engine, level, where, cover),
        tuple(story.health(engine, level, where)),
    )


# ---- drawing -------------------------------------------------------------------------


def point_label(series: str, period: date, value: Any, partial: bool = False) -> str:
    """What each drawn point carries as its aria-label: how a test reads the chart back."""
    return f"{series} | {period.isoformat()} | {value}" + (" | partial" if partial else "")


def vega_lite_spec(data: PanelRows, cover: story.Coverage | None = None) -> dict[str, Any]:
    """A line per series over the whole periods; a partial period (the current week or month) is a
    hollow point off the line, so it never reads as a drop."""
    panel = data.panel
    values = []
    for period, series, value in data.rows:
        partial = bool(cover and cover.partial(period, data.grain))
        values.append(
            {
                "period": period.isoformat(),
                "series": series,
                "value": value,
                "partial": partial,
                "label": point_label(series, period, value, partial),
            }
        )
    colours = series_colours(data.rows)
    y_axis: dict[str, Any] = {"title": panel.value_title}
    if panel.unit == "ratio":
        y_axis["format"] = ".0%"
    title: dict[str, Any] = {"text": panel.title, "anchor": "start", "fontSize": 16}
    if any(v["partial"] for v in values):
        title["subtitle"] = f"Hollow points: partial {data.grain}s, with days outside the archive's days"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": CHART_WIDTH,
        "height": 220,
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "period",
                "type": "temporal",
                "title": panel.period_title,
                # Dates as the views hold them: a weekday name under a week's point misleads.
                "axis": {"format": "%Y-%m" if data.grain == "month" else "%Y-%m-%d"}
                # A tick a month at most: finer ticks repeat the month's name.
                | ({"tickCount": {"interval": "month", "step": 1}} if data.grain == "month" else {}),
            },
            "y": {"field": "value", "type": "quantitative", "axis": y_axis},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": _series_title(data),
                "scale": {"domain": list(colours), "range": list(colours.values())},
            },
            "description": {"field": "label"},
        },
        "layer": [
            {
                "transform": [{"filter": "!datum.partial"}],
                "mark": {"type": "line", "point": {"size": 18, "filled": True}, "strokeWidth": 1.5},
            },
            {
                "transform": [{"filter": "datum.partial"}],
                "mark": {"type": "point", "size": 36, "filled": False, "strokeWidth": 1.5},
            },
        ],
        "config": _CONFIG,
    }


def _series_title(data: PanelRows) -> str:
    if data.panel.series_title in ("Enterprise", "Scope"):
        return LEVEL_TITLES[data.level][:-1]
    return data.panel.series_title


_CONFIG = {
    "font": "sans-serif",
    "axis": {"labelFontSize": 11, "titleFontSize": 12},
    "legend": {"orient": "right"},
}


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


def _number(value: int | float | None, percent: bool = False, money: bool = False) -> str:
    if value is None:
        return "&ndash;"
    if percent:
        return f"{value:.1%}"
    if money:
        return f"${value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _when(day: date | None, partial: bool = False, grain: str = "day") -> str:
    if day is None:
        return ""
    shown = day.strftime("%Y-%m") if grain == "month" else day.isoformat()
    return f" <span class='when'>({shown}{', partial' if partial else ''})</span>"


def render_html(
    sections: Sequence[LevelSection],
    cover: story.Coverage,
    scope: ReportScope,
    today: date,
    on_step: Callable[[], None] = lambda: None,
) -> str:
    body = "\n".join(_section(section, cover, on_step) for section in sections)
    health = "\n".join(_health(section) for section in sections)
    return _PAGE.format(
        period=_period(cover, sections),
        partial=_partial(cover),
        today=today.isoformat(),
        sections=body,
        health=health,
    )


def _period(cover: story.Coverage, sections: Sequence[LevelSection]) -> str:
    named = "; ".join(
        f"{LEVEL_TITLES[s.level].lower()} {', '.join(html.escape(a.slug) for a in s.adoption)}"
        for s in sections
    )
    days = (cover.last_day - cover.first_day).days + 1
    return f"Usage from <b>{cover.first_day}</b> to <b>{cover.last_day}</b> ({days:,} days), for {named}."


def _partial(cover: story.Coverage) -> str:
    parts = []
    if cover.partial_week:
        parts.append(f"the week from {cover.partial_week}")
    if cover.partial_month:
        parts.append(f"the month from {cover.partial_month}")
    first_week = cover.first_day - timedelta(days=cover.first_day.weekday())
    if cover.partial(first_week, "week"):
        parts.append(f"the first week and month (the archive starts on {cover.first_day})")
    full = []
    if cover.last_full_week:
        full.append(f"the week from {cover.last_full_week}")
    if cover.last_full_month:
        full.append(f"{cover.last_full_month.strftime('%B %Y')}")
    if not parts:
        return "Every week and month drawn is whole."
    return (
        f"Partial periods: {', '.join(parts)} have days outside the archive's. Charts draw them as "
        f"hollow points off the line (a partial period is not a drop); the weekly and monthly figures "
        f"below are of the last whole ones ({' and '.join(full) or 'none yet'}), or marked partial."
    )


def _section(section: LevelSection, cover: story.Coverage, on_step: Callable[[], None]) -> str:
    level = section.level
    noun = LEVEL_TITLES[level][:-1]
    rows = "".join(_adoption_row(a) for a in section.adoption)
    figures = "\n".join(_figure(chart, cover, on_step) for chart in section.charts)
    for _ in range(len(REPORT_PANELS) - len(section.charts)):
        on_step()
    return f"""<section id="level-{level.value}" data-level="{level.value}">
<h2>{LEVEL_TITLES[level]}</h2>
<table id="adoption-{level.value}" class="adoption"><caption>Adoption: seats and active users</caption>
<thead><tr><th>{noun}</th><th>Seats</th><th>Active share, daily</th><th>Active share, monthly</th>
<th>Weekly active users</th><th>Change over 4 weeks</th><th>Inactive seats (30 days)</th>
<th>Inactive seats' monthly cost</th><th>AI credits in the month</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="note">Seats are GitHub's roster as archived each day: it cannot be fetched for past days, so
seat history starts on the first snapshot. The daily share is of the latest snapshot day whose users
report is archived (GitHub publishes a day's report a day or two later). Inactive seats: holders with no
activity in the 30 days up to the latest snapshot, priced at the stack's seat prices.</p>
{figures}
{_teams(section)}
</section>"""


def _adoption_row(a: story.Adoption) -> str:
    daily = (
        f"{_number(a.daily_share, percent=True)} ({a.share_active} of {a.share_seats}){_when(a.share_day)}"
        if a.daily_share is not None
        else "&ndash;"
        + (f" <span class='when'>(no users report yet for {a.seats_day})</span>" if a.seats_day else "")
    )
    monthly = (
        f"{_number(a.monthly_share, percent=True)} ({a.month_active} of {a.month_seats})"
        f"{_when(a.month, a.month_partial, 'month')}"
        if a.monthly_share is not None
        else "&ndash;"
    )
    change = a.four_week_change
    changed = "&ndash;" if change is None else f"{change:+,}"
    if change is not None and a.weekly_active_4_weeks_before:
        changed += f" ({change / a.weekly_active_4_weeks_before:+.0%})"
    return (
        f"<tr data-scope='{html.escape(a.slug)}'><th scope='row'>{html.escape(a.slug)}</th>"
        f"<td class='seats'>{_number(a.seats)}{_when(a.seats_day)}</td>"
        f"<td class='daily-share'>{daily}</td><td class='monthly-share'>{monthly}</td>"
        f"<td class='weekly-active'>{_number(a.weekly_active)}{_when(a.week)}</td>"
        f"<td class='change'>{changed}</td>"
        f"<td class='inactive-seats'>{_number(a.inactive_seats)}</td>"
        f"<td class='inactive-cost'>{_number(a.inactive_cost_usd, money=True)}</td>"
        f"<td class='ai-credits'>{_number(a.ai_credits)}"
        f"{_when(a.credits_month, a.credits_partial, 'month')}</td>"
        "</tr>"
    )


def _teams(section: LevelSection) -> str:
    level, teams = section.level, section.teams
    if teams is None:
        return (
            f"<h3>Teams</h3><p class='empty'>No team figures at {level.value} level "
            "(no user-teams report archived).</p>"
        )
    month = teams.month.strftime("%B %Y") + (" (partial)" if teams.partial else "") if teams.month else ""

    def table(key: str, caption: str, rows: Sequence[story.TeamRow]) -> str:
        body = "".join(
            f"<tr><td class='scope'>{html.escape(t.slug)}</td><th scope='row'>{html.escape(t.team_slug)}</th>"
            f"<td class='active-users'>{_number(t.active_users)}</td>"
            f"<td class='acceptance'>{_number(t.acceptance_rate, percent=True)}</td></tr>"
            for t in rows
        )
        return (
            f"<table id='teams-by-{key}-{level.value}' class='teams'><caption>{caption}, {month}</caption>"
            f"<thead><tr><th>{LEVEL_TITLES[level][:-1]}</th><th>Team</th><th>Active users</th>"
            f"<th>Acceptance rate</th></tr></thead><tbody>{body}</tbody></table>"
        )

    missing = "".join(
        f"<li>{html.escape(team)} ({html.escape(slug)}): "
        f"{seats} seat{'s' if seats != 1 else ''} assigned through it"
        f"{', under the threshold' if seats < story.TEAM_SEAT_THRESHOLD else ''}</li>"
        for slug, team, seats in teams.missing
    )
    missing_note = (
        f"<p>Teams that assign seats but have no team figures:</p><ul class='missing-teams'>{missing}</ul>"
        if missing
        else ""
    )
    return (
        f"<h3>Teams</h3><div class='pair'>"
        f"{table('active-users', f'Top {story.TOP_TEAMS} teams by active users', teams.by_active_users)}"
        f"{table('acceptance', f'Top {story.TOP_TEAMS} teams by acceptance rate', teams.by_acceptance)}</div>"
        f"<p class='note' id='team-threshold-{level.value}'>GitHub's user-teams report leaves out teams with "
        f"fewer than {story.TEAM_SEAT_THRESHOLD} Copilot seats, so a small team is missing here rather than "
        f"shown with zero users.</p>{missing_note}"
    )


def _health(section: LevelSection) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(section.level.value)}</td><th scope='row'>{html.escape(h.slug)}</th>"
        f"<td>{html.escape(h.report)}</td><td class='ok'>{h.ok}</td><td class='empty'>{h.empty}</td>"
        f"<td class='missing'>{h.missing}</td>"
        f"<td class='missing-days'>{story.day_ranges(h.missing_days)}</td></tr>"
        for h in section.health
    )
    return rows


def _figure(chart: PanelRows, cover: story.Coverage, on_step: Callable[[], None]) -> str:
    drawn = render_svg(vega_lite_spec(chart, cover)) if chart.rows else _empty(chart.panel, chart.level)
    on_step()
    note = (
        f"<p class='note'>Not drawn (more series than colours; a rate cannot be summed): "
        f"{html.escape(', '.join(chart.left_out))}</p>"
        if chart.left_out
        else ""
    )
    return (
        f"<figure id='{chart.key}' data-view='{chart.level.table_name(chart.panel.view)}' "
        f"data-points='{len(chart.rows)}'>{drawn}{note}</figure>"
    )


def _empty(panel: Panel, level: Level) -> str:
    why = ""
    if panel.view in ("seats_daily", "seat_cost_monthly"):
        why = (
            " Seats cannot be backfilled: a share needs a seat snapshot of a day whose users report"
            " is archived."
        )
    return (
        f"<h4>{html.escape(panel.title)}</h4><p class='empty'>No rows in {level.table_name(panel.view)} "
        f"for this selection.{why}</p>"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Copilot adoption and usage: archive report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px; color: #222; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
caption {{ text-align: left; font-weight: 600; padding-bottom: 4px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }}
th[scope=row], thead th:first-child, td.scope {{ text-align: left; }}
figure {{ margin: 0 0 20px; overflow-x: auto; }}
figure svg {{ max-width: 100%; height: auto; }}
.note, .when {{ color: #666; font-size: 90%; }}
.lead {{ font-size: 110%; }}
.pair {{ display: flex; gap: 32px; flex-wrap: wrap; }}
td.missing-days {{ text-align: left; max-width: 480px; }}
#report-health td:nth-child(-n+3), #report-health th {{ text-align: left; }}
section {{ border-top: 2px solid #ccc; margin-top: 24px; }}
</style></head>
<body>
<h1>Copilot adoption and usage: archive report</h1>
<p class="lead" id="period">{period}</p>
<p class="lead" id="partial">{partial}</p>
<p class="note">Built {today} from the archive's shipped views (athena/views); every chart is drawn
ahead of time, nothing is fetched when this page opens.</p>
{sections}
<section id="health"><h2>Report-days archived</h2>
<table id="report-health">
<caption>Per scope and report: days ok, empty (GitHub served no line) and missing</caption>
<thead><tr><th>Level</th><th>Scope</th><th>Report</th><th>Ok</th><th>Empty</th><th>Missing</th>
<th>Missing days</th></tr></thead>
<tbody>{health}</tbody></table></section>
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
    nothing written, when the archive holds no report-day for the scopes and days asked.
    `on_step` is called after each of its REPORT_STEPS steps."""
    root = require_archive(archive, prefix)
    target = Path(out) if out else root / DEFAULT_NAME
    with LocalQueryEngine(root, prefix, today=today) as engine:
        require_data(engine, scope, root, prefix)
        cover = story.coverage(engine, scope.levels, scope.where)
        if cover is None:
            raise NoData(f"nothing to report: {root} holds no indexed day of usage for this selection")
        sections = [
            found
            for level in scope.levels
            if (found := level_section(engine, level, scope, cover, on_step)) is not None
        ]
        for _ in range(len(Level) - len(scope.levels)):
            for _ in range(2 * len(REPORT_PANELS)):
                on_step()
        on_step()
    page = render_html(sections, cover, scope, today or date.today(), on_step)
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

    found: set[str] = set()
    lacking: list[str] = []
    for level in scope.levels:
        slugs = set(story.scopes(engine, level, scope.where))
        found |= slugs
        lacking += [f"{level.value} {slug}" for slug in scope.slugs(level) if slug not in slugs]
    if found and not lacking:
        return
    asked = ", ".join(lacking) if lacking else "any scope"
    if scope.from_day or scope.to_day:
        asked += f" from {scope.from_day or 'the first day'} to {scope.to_day or 'the last day'}"
    indexed = indexed_holdings(engine)
    if indexed:
        held = f"{root} holds {describe_holdings(indexed)}"
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
