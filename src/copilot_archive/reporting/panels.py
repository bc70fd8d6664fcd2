"""The panels the report and the Grafana dashboard draw: a title, units, and SQL over a shipped view.

Every panel's SQL reads one view from athena/views (never a copy of its SQL) and answers three
columns: `period` (a date), `series` (text) and `value`. The filters are left as two holes so
the local report fills in literal dates and slugs and the dashboard Grafana's macros.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["line", "calendar"]
Unit = Literal["users", "ratio", "lines", "status", "seats", "usd", "credits"]
# The report_status values, in the order a legend lists them, and their colours.
STATUSES = ("ok", "empty", "missing")
STATUS_COLOURS = ("#2ca02c", "#bdbdbd", "#d62728")


@dataclass(frozen=True, slots=True)
class Panel:
    key: str  # an HTML id and a Grafana panel's stable name
    title: str
    view: str  # the shipped view the SQL reads
    kind: Kind
    unit: Unit
    period_title: str  # the x axis
    value_title: str  # the y axis, with its unit
    series_title: str  # the legend
    day_column: str  # the view's date column the time filter applies to
    template: str  # SELECT ... with {days} and {enterprises} holes

    def sql(self, days: Callable[[str], str], enterprises: str) -> str:
        """The panel's SELECT with `days(column)` and `enterprises` as its WHERE predicates."""
        return self.template.format(days=days(self.day_column), enterprises=enterprises)


def _active_users(key: str, view: str, period: str, title: str, period_title: str) -> Panel:
    return Panel(
        key=key,
        title=title,
        view=view,
        kind="line",
        unit="users",
        period_title=period_title,
        value_title="Active users (distinct)",
        series_title="Enterprise",
        day_column=period,
        template=f"SELECT {period} AS period, enterprise AS series, active_users AS value "
        f"FROM {view} WHERE {{days}} AND {{enterprises}}",
    )


def line_panel(
    key: str,
    title: str,
    view: str,
    unit: Unit,
    value_title: str,
    series_title: str,
    period: str,
    template: str,
) -> Panel:
    """A line panel whose x axis is the view's `period` column: a day, a Monday, or a month."""
    return Panel(
        key=key,
        title=title,
        view=view,
        kind="line",
        unit=unit,
        period_title={"day": "Day", "week_start": "Week (starting Monday)"}.get(period, "Month"),
        value_title=value_title,
        series_title=series_title,
        day_column=period,
        template=template,
    )


def _acceptance(dimension: str, label: str) -> Panel:
    # Weekly: the rate is re-derived from the view's summed counts, never an average of daily rates.
    view = f"acceptance_by_{dimension}"
    return Panel(
        key=f"acceptance-by-{dimension}",
        title=f"Acceptance rate by {label}, per week",
        view=view,
        kind="line",
        unit="ratio",
        period_title="Week (starting Monday)",
        value_title="Acceptance rate (% of generations accepted)",
        series_title=label.capitalize(),
        day_column="day",
        template="SELECT CAST(date_trunc('week', day) AS date) AS period, "
        f"coalesce({dimension}, 'unknown') AS series, "
        "CAST(sum(code_acceptance_activity_count) AS double) "
        "/ nullif(sum(code_generation_activity_count), 0) AS value "
        f"FROM {view} WHERE {{days}} AND {{enterprises}} "
        f"GROUP BY CAST(date_trunc('week', day) AS date), coalesce({dimension}, 'unknown')",
    )


def _weekly_sums(column_series: tuple[tuple[str, str], ...], view: str, aggregate: bool) -> str:
    parts = []
    for column, series in column_series:
        if aggregate:
            parts.append(
                f"SELECT CAST(date_trunc('week', day) AS date) AS period, '{series}' AS series, "
                f"sum({column}) AS value FROM {view} WHERE {{days}} AND {{enterprises}} "
                "GROUP BY CAST(date_trunc('week', day) AS date)"
            )
        else:
            parts.append(
                f"SELECT week_start AS period, '{series}' AS series, sum({column}) AS value "
                f"FROM {view} WHERE {{days}} AND {{enterprises}} GROUP BY week_start"
            )
    return " UNION ALL ".join(parts)


PANELS: tuple[Panel, ...] = (
    _active_users("daily-active-users", "active_users_daily", "day", "Daily active users", "Day"),
    _active_users(
        "weekly-active-users",
        "active_users_weekly",
        "week_start",
        "Weekly active users",
        "Week (starting Monday)",
    ),
    _active_users(
        "monthly-active-users", "active_users_monthly", "month_start", "Monthly active users", "Month"
    ),
    _acceptance("ide", "IDE"),
    _acceptance("language", "language"),
    _acceptance("model", "model"),
    _acceptance("feature", "feature"),
    Panel(
        key="lines-with-copilot",
        title="Lines added and deleted with Copilot, per week",
        view="enterprise_daily",
        kind="line",
        unit="lines",
        period_title="Week (starting Monday)",
        value_title="Lines of code",
        series_title="Change",
        day_column="day",
        template=_weekly_sums(
            (("loc_added_sum", "added"), ("loc_deleted_sum", "deleted")), "enterprise_daily", True
        ),
    ),
    Panel(
        key="chat-agent-cli-adoption",
        title="Chat, agent and CLI adoption: users per week",
        view="feature_users_weekly",
        kind="line",
        unit="users",
        period_title="Week (starting Monday)",
        value_title="Users (distinct per enterprise, summed)",
        series_title="Used",
        day_column="week_start",
        template=_weekly_sums(
            (("chat_users", "chat"), ("agent_users", "agent mode"), ("cli_users", "CLI")),
            "feature_users_weekly",
            False,
        ),
    ),
    Panel(
        key="report-calendar",
        title="Archived report-days: ok, empty or missing",
        view="report_status",
        kind="calendar",
        unit="status",
        period_title="Day",
        value_title="Status",
        series_title="Status",
        day_column="day",
        template="SELECT day AS period, concat(report, ' · ', enterprise) AS series, status AS value "
        "FROM report_status WHERE {days} AND {enterprises}",
    ),
)


# ---- seats: adoption over the seats GitHub bills, beside the usage panels -------------------

SEAT_SHARE_DAILY = line_panel(
    "seat-share-daily",
    "Active users as a share of seats, per seat snapshot day",
    "seats_daily",
    "ratio",
    "Seat holders active that day (% of seats)",
    "Scope",
    "day",
    "SELECT day AS period, enterprise AS series, active_share AS value "
    "FROM seats_daily WHERE {days} AND {enterprises}",
)
SEAT_SHARE_MONTHLY = line_panel(
    "seat-share-monthly",
    "Active users as a share of seats, per month",
    "seat_cost_monthly",
    "ratio",
    "Seat holders active in the month (% of seats)",
    "Scope",
    "month",
    "SELECT month AS period, enterprise AS series, "
    "CAST(active_users AS double) / nullif(seats, 0) AS value "
    "FROM seat_cost_monthly WHERE {days} AND {enterprises}",
)
AI_CREDITS_MONTHLY = line_panel(
    "ai-credits-monthly",
    "AI credits used per month (a metrics signal, not a bill)",
    "ai_credits_monthly",
    "credits",
    "AI credits",
    "Scope",
    "month",
    "SELECT month AS period, enterprise AS series, sum(ai_credits) AS value "
    "FROM ai_credits_monthly WHERE {days} AND {enterprises} GROUP BY month, enterprise",
)
INACTIVE_SEATS = line_panel(
    "inactive-seats",
    "Inactive seats (no activity in 30 days), per day",
    "inactive_seats",
    "seats",
    "Seats",
    "Scope",
    "day",
    "SELECT day AS period, enterprise AS series, count(*) AS value "
    "FROM inactive_seats WHERE {days} AND {enterprises} GROUP BY day, enterprise",
)
INACTIVE_SEAT_COST = line_panel(
    "inactive-seat-cost",
    "Monthly cost of the inactive seats, per day",
    "inactive_seats",
    "usd",
    "USD a month (the seats' plan prices)",
    "Scope",
    "day",
    "SELECT day AS period, enterprise AS series, sum(monthly_price_usd) AS value "
    "FROM inactive_seats WHERE {days} AND {enterprises} GROUP BY day, enterprise",
)
# The report's adoption table has the inactive seats' figures: its charts are the shares' and
# the credits' trends. The dashboard has no such table: it draws the inactive seats instead.
REPORT_SEAT_PANELS: tuple[Panel, ...] = (SEAT_SHARE_DAILY, SEAT_SHARE_MONTHLY, AI_CREDITS_MONTHLY)
DASHBOARD_SEAT_PANELS: tuple[Panel, ...] = (SEAT_SHARE_DAILY, INACTIVE_SEATS, INACTIVE_SEAT_COST)
