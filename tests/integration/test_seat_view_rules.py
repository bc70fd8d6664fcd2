"""inactive_seats' 30-day window on a hand-made archive: a holder is inactive on a snapshot day
when no users-1-day row of theirs falls in the 30 days up to it (day - 29 .. day).

Two snapshot days, the 20th and 21st of November 2025, of five holders of acme:
- user 29 last active 29 days before the 20th, user 30 exactly 30 days, user 31 31 days;
- user 0 active on the 20th itself; user 99 never in a users report (GitHub's last_activity_at
  is all there is).
On the 21st each of them is a day further from their last activity: user 29 crosses the line.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from tests.sql_fixtures import write_curated

SNAPSHOTS = (date(2025, 11, 20), date(2025, 11, 21))
FIRST = SNAPSHOTS[0]
LAST_ACTIVE = {  # user -> the last day with a users-1-day row (None: never)
    29: FIRST - timedelta(days=29),
    30: FIRST - timedelta(days=30),
    31: FIRST - timedelta(days=31),
    0: FIRST,
    99: None,
}
GITHUB_LAST_ACTIVE = date(2025, 9, 1)  # user 99's last_activity_at
PRICE = 19.0


@pytest.fixture
def engine(tmp_path: Path):
    active: dict[date, list[dict[str, object]]] = {}
    for user, day in LAST_ACTIVE.items():
        if day is not None:  # an earlier active day too: only the last one counts
            for each in (day - timedelta(days=3), day):
                active.setdefault(each, []).append(row(user))
    for day, rows in active.items():
        write_curated(tmp_path, "user_daily", "acme", day, rows)
    for snapshot in SNAPSHOTS:
        seats = [
            {
                "user_id": user,
                "user_login": f"u{user}",
                "plan_type": "business",
                "created_at": datetime(2025, 1, 2, 9, 30),
                "last_activity_at": datetime.combine(day or GITHUB_LAST_ACTIVE, datetime.min.time()),
            }
            for user, day in LAST_ACTIVE.items()
        ]
        write_curated(tmp_path, "seat_daily", "acme", snapshot, seats)
        write_curated(
            tmp_path, "seat_price", "acme", snapshot, [{"plan_type": "business", "monthly_price_usd": PRICE}]
        )
    with LocalQueryEngine(tmp_path) as engine:
        yield engine


def row(user: int) -> dict[str, object]:
    return {"user_id": user, "user_login": f"u{user}", "code_generation_activity_count": 1}


def test_a_holder_is_inactive_once_thirty_days_pass_without_a_users_report_row(engine):
    expected = []
    for snapshot in SNAPSHOTS:
        window_starts = snapshot - timedelta(days=29)
        for user, day in LAST_ACTIVE.items():
            if day is not None and window_starts <= day <= snapshot:
                continue  # a row within the 30 days up to the snapshot: active
            last = day or GITHUB_LAST_ACTIVE
            idle = (snapshot - last).days
            expected.append(("acme", snapshot, f"u{user}", "business", date(2025, 1, 2), last, idle, PRICE))

    _, rows = engine.run("SELECT * FROM inactive_seats ORDER BY day, user_login")

    assert [tuple(r) for r in rows] == sorted(expected, key=lambda r: (r[1], r[2]))
    # The boundary itself: 29 days before is inside the window, 30 and 31 are outside.
    assert {r[2] for r in rows if r[1] == FIRST} == {"u30", "u31", "u99"}
    assert {r[2] for r in rows if r[1] == SNAPSHOTS[1]} == {"u29", "u30", "u31", "u99"}
