"""The team views' rules on a hand-made archive: membership and activity meet on the same day.

One team of acme over two ISO weeks of October 2025 (Mon 6th to Sun 19th):
- users 1 and 2 are members every day; 3 joins on the 16th, 4 on the 17th; 5 is in no team;
- the team is renamed from `core` to `core-platform` on the 18th;
- user 1 is listed twice on the 14th (a duplicated line);
- activity: user 1 on the 6th, 7th and 14th; user 3 on the 7th and user 4 on the 14th, both
  before they joined; user 5 on the 14th.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from tests.sql_fixtures import write_curated

DAYS = [date(2025, 10, 6) + timedelta(days=i) for i in range(14)]
JOINED = {1: DAYS[0], 2: DAYS[0], 3: date(2025, 10, 16), 4: date(2025, 10, 17)}
RENAMED = date(2025, 10, 18)
ACTIVITY = {  # (user, day) -> (generations, acceptances)
    (1, date(2025, 10, 6)): (10, 5),
    (1, date(2025, 10, 7)): (4, 1),
    (1, date(2025, 10, 14)): (6, 3),
    (3, date(2025, 10, 7)): (8, 8),
    (4, date(2025, 10, 14)): (5, 5),
    (5, date(2025, 10, 14)): (100, 100),
}
ACTIVE_DAYS = {date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 14)}


def slug_on(day: date) -> str:
    return "core-platform" if day >= RENAMED else "core"


@pytest.fixture
def engine(tmp_path: Path):
    for day in DAYS:
        members = [user for user, joined in JOINED.items() if joined <= day]
        if day == date(2025, 10, 14):
            members.append(1)
        rows = [
            {"team_id": 10, "team_slug": slug_on(day), "user_id": user, "user_login": f"u{user}"}
            for user in members
        ]
        write_curated(tmp_path, "user_team_daily", "acme", day, rows)
        users = [
            {
                "user_id": user,
                "user_login": f"u{user}",
                "code_generation_activity_count": generations,
                "code_acceptance_activity_count": acceptances,
            }
            for (user, active_day), (generations, acceptances) in ACTIVITY.items()
            if active_day == day
        ]
        write_curated(tmp_path, "user_daily", "acme", day, users)
    with LocalQueryEngine(tmp_path) as engine:
        yield engine


def test_daily_counts_members_active_that_day_and_zero_for_a_quiet_day(engine):
    _, rows = engine.run("team_active_users_daily")

    assert rows == sorted(("acme", slug_on(day), 10, day, 1 if day in ACTIVE_DAYS else 0) for day in DAYS)


def test_weekly_counts_activity_only_on_days_of_membership_and_keeps_the_latest_slug(engine):
    _, rows = engine.run("team_active_users_weekly")

    # week of the 13th: user 4 was active on the 14th but joined on the 17th
    assert rows == [
        ("acme", "core", 10, date(2025, 10, 6), 1),
        ("acme", "core-platform", 10, date(2025, 10, 13), 1),
    ]


def test_monthly_counts_each_member_once_and_not_before_they_joined(engine):
    _, rows = engine.run("team_active_users_monthly")

    assert rows == [("acme", "core-platform", 10, date(2025, 10, 1), 1)]


def test_acceptance_sums_the_members_of_the_day_once_each(engine):
    _, rows = engine.run("team_acceptance_daily")

    expected = []
    for day in DAYS:
        generations, acceptances = ACTIVITY.get((1, day), (0, 0))
        rate = None if generations == 0 else acceptances / generations
        expected.append(("acme", slug_on(day), 10, day, generations, acceptances, rate))
    assert rows == sorted(expected)
