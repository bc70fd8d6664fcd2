"""60 daily seat snapshots archived by the CLI from the simulator over HTTP, indexed, and the seat
views on the local engine held equal to values computed here from the bytes served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from copilot_archive.cli import main
from copilot_archive.querying.query import LocalQueryEngine
from tests.conftest import CANARY_TOKEN, TODAY
from tests.integration.test_seats import served_pages

pytestmark = pytest.mark.loopback

SNAPSHOT_DAYS = [TODAY + timedelta(days=n) for n in range(60)]
# GitHub's list prices, the SEAT_PRICES setting's defaults (USD per seat and month).
LIST_PRICES = {"business": 19.0, "enterprise": 39.0}


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    # 40 holders who never use Copilot beside the 6 users: some seated, unseated and pending over the 60 days.
    with Simulator(
        enterprises=("acme",), users=6, today=TODAY, token=CANARY_TOKEN, seat_idle_holders=40
    ) as sim:
        yield sim


def user_ids(sim: Any, day: date) -> set[int]:
    lines = [line for part in sim.report_files("acme", "users-1-day", day) for line in part.splitlines()]
    return {json.loads(line)["user_id"] for line in lines if line.strip()}


def test_sixty_snapshots_give_seats_daily_and_inactive_seats_as_computed_from_the_bytes(
    cli_env, tmp_path, monkeypatch, capsys
):
    from copilot_archive.core import clock

    sim = cli_env
    monkeypatch.setenv("ENTERPRISES", "acme")
    archive = str(tmp_path / "archive")
    served: dict[date, list[dict[str, Any]]] = {}
    for day in SNAPSHOT_DAYS:
        sim.today = day
        monkeypatch.setattr(clock, "utc_today", lambda day=day: day)
        code = main(
            ["archive", "--archive", archive, "--reports", "users-1-day,copilot-seats", "--no-progress"]
        )
        assert code == 0
        pages = served_pages(sim, "enterprises", "acme")
        served[day] = [seat for page in pages for seat in json.loads(page)["seats"]]
        folder = tmp_path / "archive" / "copilot-metrics/raw/enterprise/copilot-seats/enterprise=acme"
        assert [
            (folder / f"day={day}" / f"part-{i:04d}.json").read_bytes() for i in range(len(pages))
        ] == pages
    assert main(["index", "--archive", archive, "--no-progress"]) == 0
    capsys.readouterr()

    last = SNAPSHOT_DAYS[-1]
    usage_days = [date(2025, 10, 10) + timedelta(days=n) for n in range((last - date(2025, 10, 10)).days)]
    active = {day: user_ids(sim, day) for day in usage_days}
    seats_daily = []
    inactive = []
    for day, seats in served.items():
        holders: dict[int, list[dict[str, Any]]] = {}
        for seat in seats:
            holders.setdefault(seat["assignee"]["id"], []).append(seat)
        pending = sum(
            1 for entries in holders.values() if any(s["pending_cancellation_date"] for s in entries)
        )
        on_day = len(holders.keys() & active[day]) if day in active else None
        share = None if on_day is None else on_day / len(holders)
        seats_daily.append(("acme", day, len(holders), on_day, share, pending))
        for user_id, entries in holders.items():
            seen = [d for d in usage_days if d <= day and user_id in active[d]]
            if seen and seen[-1] >= day - timedelta(days=29):
                continue
            github = max((s["last_activity_at"] for s in entries if s["last_activity_at"]), default=None)
            last_active = seen[-1] if seen else (date.fromisoformat(github[:10]) if github else None)
            plan = max(s["plan_type"] for s in entries)
            inactive.append(
                (
                    "acme",
                    day,
                    entries[0]["assignee"]["login"],
                    plan,
                    date.fromisoformat(min(s["created_at"] for s in entries)[:10]),
                    last_active,
                    None if last_active is None else (day - last_active).days,
                    LIST_PRICES[plan],
                )
            )
    # The roster changed over the 60 days, with pending cancellations and holders never active.
    assert len({len(s) for s in served.values()}) > 1 and any(row[5] for row in seats_daily)
    assert inactive and any(row[5] is None for row in inactive)

    with LocalQueryEngine(tmp_path / "archive", today=last) as engine:
        columns, rows = engine.run("SELECT * FROM seats_daily ORDER BY day")
        assert columns == [
            "enterprise",
            "day",
            "seats",
            "active_users",
            "active_share",
            "pending_cancellation",
        ]
        assert [tuple(r) for r in rows] == seats_daily
        columns, rows = engine.run("SELECT * FROM inactive_seats ORDER BY day, user_login")
        assert columns == [
            "enterprise",
            "day",
            "user_login",
            "plan_type",
            "assigned_on",
            "last_active_day",
            "days_inactive",
            "monthly_price_usd",
        ]
        assert [tuple(r) for r in rows] == sorted(inactive, key=lambda r: (r[1], r[2]))
        columns, rows = engine.run("SELECT * FROM seat_cost_monthly ORDER BY month")
        assert columns == [
            "enterprise",
            "month",
            "seats",
            "active_users",
            "inactive_seats",
            "seat_cost_usd",
            "cost_per_active_user_usd",
        ]
        by_month: dict[date, date] = {}
        for day in SNAPSHOT_DAYS:
            by_month[day.replace(day=1)] = day
        expected = []
        for month, day in sorted(by_month.items()):
            holders = {}
            for seat in served[day]:
                holders[seat["assignee"]["id"]] = max(
                    holders.get(seat["assignee"]["id"], ""), seat["plan_type"]
                )
            reported = [d for d in usage_days if d.replace(day=1) == month]
            users = set().union(*(active[d] for d in reported)) if reported else set()
            active_users = len(holders.keys() & users) if reported else None
            cost = sum(LIST_PRICES[plan] for plan in holders.values())
            idle = sum(1 for row in inactive if row[1] == day)
            per_user = None if not active_users else cost / active_users
            expected.append(("acme", month, len(holders), active_users, idle, cost, per_user))
        assert [tuple(r) for r in rows] == expected
