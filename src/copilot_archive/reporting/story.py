"""What the report opens with: the days it covers, adoption as a share of seats, the teams, and
the health of the archived report-days, each read from the shipped views at both levels.

Every query names a view through `Level.table_name` and its scope column through `Level.value`,
so the organization section reads the `org_` twins with the same code.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..core.reports import Level, Report
from ..querying.query import LocalQueryEngine

TOP_TEAMS = 10
# GitHub's user-teams-1-day leaves out teams with fewer Copilot seats than this.
TEAM_SEAT_THRESHOLD = 5
DAILY_REPORTS = tuple(report.value for report in Report if report.is_daily)
Where = Callable[[Level, str], str]  # (level, date column) -> the predicate of the days and scopes asked
# What a level's figures read, a name per query: the scopes and coverage, adoption, teams, health.
# The report computes what they read once (sections.py): a table named here keeps every column, a
# table read through views only keeps the columns they name, so a query on a table says so here.
READS = (
    "index_status",
    "index_status",
    "seats_daily",
    "seat_cost_monthly",
    "active_users_weekly",
    "inactive_seats",
    "ai_credits_monthly",
    "team_active_users_monthly",
    "team_acceptance_daily",
    "seat_daily",
    "report_status",
)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The first and last day of usage the archive holds for the selection; a week or month
    with a day outside them is partial (the current week, say): drawn apart, never as a drop."""

    first_day: date
    last_day: date

    def partial(self, start: date, grain: str) -> bool:
        if grain == "week":
            return start < self.first_day or start + timedelta(days=6) > self.last_day
        if grain == "month":
            return start < self.first_day or month_end(start) > self.last_day
        return False

    @property
    def last_full_week(self) -> date | None:
        """The Monday of the latest week wholly covered."""
        monday = self.last_day - timedelta(days=(self.last_day.weekday() + 1) % 7)
        monday -= timedelta(days=monday.weekday())
        return monday if monday >= self.first_day else None

    @property
    def last_full_month(self) -> date | None:
        start = self.last_day.replace(day=1)
        if month_end(start) > self.last_day:
            start = (start - timedelta(days=1)).replace(day=1)
        return start if start >= self.first_day else None

    @property
    def partial_week(self) -> date | None:
        """The Monday of the last week, when it has days still to come."""
        monday = self.last_day - timedelta(days=self.last_day.weekday())
        return monday if self.partial(monday, "week") else None

    @property
    def partial_month(self) -> date | None:
        start = self.last_day.replace(day=1)
        return start if self.partial(start, "month") else None


def month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


@dataclass(frozen=True, slots=True)
class Adoption:
    """One scope's answer to "is Copilot adopted and used", each figure with the day or period it is of."""

    level: Level
    slug: str
    seats_day: date | None = None
    seats: int | None = None
    pending_cancellation: int | None = None
    share_day: date | None = None  # the latest snapshot day whose users report is indexed
    share_active: int | None = None
    share_seats: int | None = None
    month: date | None = None  # the latest full month with seats and users (else the latest)
    month_partial: bool = False
    month_active: int | None = None
    month_seats: int | None = None
    week: date | None = None  # the latest full week
    weekly_active: int | None = None
    weekly_active_4_weeks_before: int | None = None
    inactive_seats: int | None = None
    inactive_cost_usd: float | None = None
    credits_month: date | None = None
    credits_partial: bool = False
    ai_credits: float | None = None

    @property
    def daily_share(self) -> float | None:
        return _share(self.share_active, self.share_seats)

    @property
    def monthly_share(self) -> float | None:
        return _share(self.month_active, self.month_seats)

    @property
    def four_week_change(self) -> int | None:
        if self.weekly_active is None or self.weekly_active_4_weeks_before is None:
            return None
        return self.weekly_active - self.weekly_active_4_weeks_before


def _share(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


@dataclass(frozen=True, slots=True)
class TeamRow:
    slug: str  # the scope
    team_slug: str
    active_users: int
    generations: int
    acceptances: int

    @property
    def acceptance_rate(self) -> float | None:
        return self.acceptances / self.generations if self.generations else None


@dataclass(frozen=True, slots=True)
class Teams:
    month: date | None
    partial: bool
    by_active_users: tuple[TeamRow, ...]
    by_acceptance: tuple[TeamRow, ...]
    missing: tuple[tuple[str, str, int], ...]  # (scope, team assigning seats, its seats) without team rows


@dataclass(frozen=True, slots=True)
class Health:
    slug: str
    report: str
    ok: int
    empty: int
    missing: int
    missing_days: tuple[date, ...]


def views_at(engine: LocalQueryEngine, level: Level) -> set[str]:
    return {name for name in engine.view_names if name.startswith(level.table_prefix)}


def scopes(engine: LocalQueryEngine, level: Level, where: Where) -> list[str]:
    _, rows = engine.run(
        f"SELECT DISTINCT {level.value} FROM {level.table_name('index_status')} "
        f"WHERE {where(level, 'day')} ORDER BY 1"
    )
    return [row[0] for row in rows]


def coverage(engine: LocalQueryEngine, levels: Iterable[Level], where: Where) -> Coverage | None:
    """The days of daily usage indexed for the selection (seat snapshots are of today: not usage)."""
    reports = ", ".join(f"'{name}'" for name in DAILY_REPORTS)
    ends: list[tuple[date, date]] = []
    for level in levels:
        _, rows = engine.run(
            f"SELECT min(day), max(day) FROM {level.table_name('index_status')} "
            f"WHERE report IN ({reports}) AND indexed AND {where(level, 'day')}"
        )
        ends += [(first, last) for first, last in rows if first is not None]
    if not ends:
        return None
    return Coverage(min(first for first, _ in ends), max(last for _, last in ends))


def adoption(
    engine: LocalQueryEngine, level: Level, where: Where, cover: Coverage, slugs: Sequence[str]
) -> list[Adoption]:
    """A row per scope of `slugs` (the level's scopes for the selection)."""
    column, name, views = level.value, level.table_name, views_at(engine, level)
    found: dict[str, dict[str, Any]] = defaultdict(dict)

    def rows_of(view: str, period: str, columns: str) -> list[tuple[Any, ...]]:
        """The view's rows for the selection, by scope and period: each view is read once."""
        if name(view) not in views:
            return []
        _, rows = engine.run(
            f"SELECT {column}, {period}, {columns} FROM {name(view)} "
            f"WHERE {where(level, period)} ORDER BY {column}, {period}"
        )
        return rows

    # Ordered rows: the latest one that fits wins.
    for slug, day, seats, active, pending in rows_of(
        "seats_daily", "day", "seats, active_users, pending_cancellation"
    ):
        found[slug].update(seats_day=day, seats=seats, pending_cancellation=pending)
        if active is not None:
            found[slug].update(share_day=day, share_active=active, share_seats=seats)
    full_month = cover.last_full_month
    for slug, month, active, seats in rows_of("seat_cost_monthly", "month", "active_users, seats"):
        # The latest whole month; a partial one only where no whole month has figures.
        whole = full_month is not None and month <= full_month
        if active is not None and (whole or "month" not in found[slug] or found[slug]["month_partial"]):
            found[slug].update(
                month=month,
                month_active=active,
                month_seats=seats,
                month_partial=cover.partial(month, "month"),
            )
    week = cover.last_full_week
    if week:
        before = week - timedelta(weeks=4)
        _, rows = engine.run(
            f"SELECT {column}, week_start, active_users FROM {name('active_users_weekly')} "
            f"WHERE week_start IN (DATE '{week}', DATE '{before}') AND {where(level, 'week_start')}"
        )
        for slug, start, active in rows:
            key = "weekly_active" if start == week else "weekly_active_4_weeks_before"
            found[slug].update({"week": week, key: active})
    if name("inactive_seats") in views:
        latest = {slug: values["seats_day"] for slug, values in found.items() if "seats_day" in values}
        days = ", ".join(f"DATE '{day}'" for day in sorted(set(latest.values()))) or "NULL"
        _, rows = engine.run(
            f"SELECT {column}, day, count(*), sum(monthly_price_usd) FROM {name('inactive_seats')} "
            f"WHERE day IN ({days}) AND {where(level, 'day')} GROUP BY {column}, day"
        )
        rows = [(slug, count, cost) for slug, day, count, cost in rows if latest.get(slug) == day]
        for slug, count, cost in rows:
            found[slug].update(inactive_seats=count, inactive_cost_usd=cost)
        for values in found.values():
            if values.get("seats_day") and "inactive_seats" not in values:
                values.update(inactive_seats=0, inactive_cost_usd=0.0)
    if name("ai_credits_monthly") in views:
        _, rows = engine.run(
            f"SELECT {column}, month, sum(ai_credits) FROM {name('ai_credits_monthly')} "
            f"WHERE {where(level, 'month')} AND ai_credits IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        )
        for slug, month, credits in rows:
            if full_month is None or month <= full_month or "credits_month" not in found[slug]:
                found[slug].update(
                    credits_month=month, ai_credits=credits, credits_partial=cover.partial(month, "month")
                )
    return [Adoption(level, slug, **found.get(slug, {})) for slug in slugs]


def teams(engine: LocalQueryEngine, level: Level, where: Where, cover: Coverage) -> Teams | None:
    """The top teams of the latest full month (the latest month when none is full)."""
    column, name, views = level.value, level.table_name, views_at(engine, level)
    if name("team_active_users_monthly") not in views:
        return None
    full_month = cover.last_full_month
    _, monthly = engine.run(
        f"SELECT {column}, team_slug, team_id, month_start, active_users "
        f"FROM {name('team_active_users_monthly')} WHERE {where(level, 'month_start')}"
    )
    months = {row[3] for row in monthly if full_month is None or row[3] <= full_month}
    if not months:
        return None
    month = max(months)
    _, sums = engine.run(
        f"SELECT {column}, team_id, sum(code_generation_activity_count), sum(code_acceptance_activity_count) "
        f"FROM {name('team_acceptance_daily')} "
        f"WHERE day BETWEEN DATE '{month}' AND DATE '{month_end(month)}' AND {where(level, 'day')} "
        f"GROUP BY {column}, team_id"
    )
    counts = {(slug, team_id): (generated, accepted) for slug, team_id, generated, accepted in sums}
    rows = [
        (slug, team_slug, users, *counts.get((slug, team_id), (0, 0)))
        for slug, team_slug, team_id, start, users in monthly
        if start == month
    ]
    found = [TeamRow(*row) for row in rows]
    by_users = sorted(found, key=lambda t: (-t.active_users, t.slug, t.team_slug))[:TOP_TEAMS]
    rated = [t for t in found if t.acceptance_rate is not None]
    by_rate = sorted(rated, key=lambda t: (-(t.acceptance_rate or 0), t.slug, t.team_slug))[:TOP_TEAMS]
    missing = _missing(engine, level, where, {(t.slug, t.team_slug) for t in found})
    return Teams(month, cover.partial(month, "month"), tuple(by_users), tuple(by_rate), missing)


def _missing(
    engine: LocalQueryEngine, level: Level, where: Where, reported: set[tuple[str, str]]
) -> tuple[tuple[str, str, int], ...]:
    """Teams that assign seats in the latest snapshot but have no row in the month's team
    figures: GitHub leaves teams under its seat threshold out of user-teams-1-day."""
    column, name = level.value, level.table_name
    if name("seat_daily") not in engine.table_names:
        return ()
    _, rows = engine.run(
        f"SELECT s.{column}, s.assigning_team_slug, count(DISTINCT s.user_id) FROM {name('seat_daily')} AS s "
        f"INNER JOIN (SELECT {column}, max(day) AS day FROM {name('seat_daily')} WHERE {where(level, 'day')} "
        f"GROUP BY {column}) AS l ON l.{column} = s.{column} AND l.day = s.day "
        f"WHERE s.assigning_team_slug IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return tuple((slug, team, seats) for slug, team, seats in rows if (slug, team) not in reported)


def health(engine: LocalQueryEngine, level: Level, where: Where) -> list[Health]:
    """Per scope and report, its report-days ok, empty and missing, and the missing days."""
    _, rows = engine.run(
        f"SELECT {level.value}, report, status, day FROM {level.table_name('report_status')} "
        f"WHERE {where(level, 'day')}"
    )
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missing: dict[tuple[str, str], list[date]] = defaultdict(list)
    for slug, report, status, day in rows:
        counts[(slug, report)][status] += 1
        if status == "missing":
            missing[(slug, report)].append(day)
    return [
        Health(slug, report, n["ok"], n["empty"], n["missing"], tuple(sorted(missing[(slug, report)])))
        for (slug, report), n in sorted(counts.items())
    ]


def day_ranges(days: Iterable[date]) -> str:
    """2026-01-03 to 2026-01-05, 2026-02-10: consecutive days as one range."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(r[0].isoformat() if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)
