"""The report's page: the figures of each level as HTML tables and the charts' inline SVG, one
self-contained file (no script, nothing fetched when it opens)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ..core.reports import Level
from . import story
from .charts import LEVEL_TITLES
from .panels import Panel
from .sections import LevelSection, PanelRows


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
    today: date,
    drawn: Mapping[str, str],
) -> str:
    """The page; `drawn` holds each drawn chart's SVG by its key (a chart without rows has none)."""
    body = "\n".join(_section(section, drawn) for section in sections)
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


def _section(section: LevelSection, drawn: Mapping[str, str]) -> str:
    level = section.level
    noun = LEVEL_TITLES[level][:-1]
    rows = "".join(_adoption_row(a) for a in section.adoption)
    figures = "\n".join(_figure(chart, drawn.get(chart.key)) for chart in section.charts)
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


def _figure(chart: PanelRows, svg: str | None) -> str:
    drawn = svg or _empty(chart.panel, chart.level)
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
