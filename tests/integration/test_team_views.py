"""Team and repository views end to end: simulator over HTTP -> archiver -> indexer -> DuckDB.

Every expected value is computed here from the bytes the simulator served (parsed with json),
never from the curated tables the views read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.core.curated_schema import REPO_DAILY
from tests.conftest import CANARY_TOKEN, TODAY, served_lines

pytestmark = pytest.mark.loopback

FIRST, LAST = date(2025, 10, 10), TODAY - timedelta(days=1)
EMPTY_DAY = date(2025, 10, 15)  # nobody active: users-1-day is empty, the team and repo reports 204
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
SLUGS = ("acme", "globex")
Team = tuple[str, str, int]  # enterprise, team_slug, team_id
PULL_REQUEST_COLUMNS = [c for c in REPO_DAILY.column_names if c.startswith("pull_requests_")]


@pytest.fixture
def simulator() -> Iterator[Any]:
    """Enough users for several teams of 5 or more, and a day nobody used Copilot."""
    from copilot_simulator import Simulator

    with Simulator(
        enterprises=SLUGS, users=40, today=TODAY, token=CANARY_TOKEN, empty_days={EMPTY_DAY.isoformat()}
    ) as sim:
        yield sim


@pytest.fixture
def archive(cli_env: Any, fixed_today: date, tmp_path: Path) -> Path:
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    root = tmp_path / "archive"
    reports = "users-1-day,user-teams-1-day,repos-1-day"
    argv = ["backfill", "--archive", str(root), "--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    main([*argv, "--reports", reports, "--no-progress"])  # the 204 day is not ready: exit code 1 or 0
    results = index_archive(LocalFolderStorage(root), "copilot-metrics")
    assert results and all(r.indexed for r in results)
    return root


def served(sim: Any, slug: str, report: str, day: date) -> list[dict[str, Any]]:
    """The lines of a report-day exactly as the simulator serves them; none on a 204 day."""
    if day == EMPTY_DAY and report != "users-1-day":
        return []
    return served_lines(sim, slug, report, day)


@pytest.fixture
def truth(simulator: Any) -> dict[str, Any]:
    """Team members and active users per day, from the served bytes."""
    members: dict[tuple[Team, date], set[int]] = defaultdict(set)
    activity: dict[tuple[str, date], dict[int, tuple[int, int]]] = {}
    repos: list[tuple[Any, ...]] = []
    for slug in SLUGS:
        for day in DAYS:
            for line in served(simulator, slug, "user-teams-1-day", day):
                members[((slug, line["slug"], line["team_id"]), day)].add(line["user_id"])
            activity[(slug, day)] = {
                line["user_id"]: (
                    line["code_generation_activity_count"],
                    line["code_acceptance_activity_count"],
                )
                for line in served(simulator, slug, "users-1-day", day)
            }
            for line in served(simulator, slug, "repos-1-day", day):
                pulls = line["pull_requests"]
                counts = [pulls.get(c.removeprefix("pull_requests_")) for c in PULL_REQUEST_COLUMNS]
                repos.append((slug, line["repo_id"], line["repo_name"], day, *counts))
    return {"members": members, "activity": activity, "repos": sorted(repos)}


def _active(truth: dict[str, Any], period: Callable[[date], date]) -> list[tuple[Any, ...]]:
    active: dict[tuple[Team, date], set[int]] = defaultdict(set)
    for (team, day), ids in truth["members"].items():
        active[(team, period(day))] |= ids & truth["activity"][(team[0], day)].keys()
    return sorted((*team, start, len(ids)) for (team, start), ids in active.items())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def test_team_active_users_are_distinct_members_active_in_the_period(archive, truth):
    from copilot_archive.querying.query import LocalQueryEngine

    daily, weekly, monthly = (
        _active(truth, lambda day: day),
        _active(truth, _monday),
        _active(truth, lambda day: day.replace(day=1)),
    )
    with LocalQueryEngine(archive, today=TODAY) as engine:
        assert engine.run("team_active_users_daily")[1] == daily
        assert engine.run("team_active_users_weekly")[1] == weekly
        assert engine.run("team_active_users_monthly")[1] == monthly

    assert {day for _, _, _, day, _ in daily} == set(DAYS) - {EMPTY_DAY}  # the 204 day has no row
    # distinct over the period, never a sum of days: the month counts each member once
    summed = defaultdict(int)
    for slug, team_slug, team_id, _, count in daily:
        summed[(slug, team_slug, team_id)] += count
    assert all(count < summed[tuple(row[:3])] for *row, count in monthly)


def test_team_acceptance_sums_the_active_members_of_the_day(archive, truth):
    from copilot_archive.querying.query import LocalQueryEngine

    expected = []
    for (team, day), ids in sorted(truth["members"].items()):
        today = truth["activity"][(team[0], day)]
        generations = sum(today[user][0] for user in ids if user in today)
        acceptances = sum(today[user][1] for user in ids if user in today)
        rate = None if generations == 0 else acceptances / generations
        expected.append((*team, day, generations, acceptances, rate))
    with LocalQueryEngine(archive, today=TODAY) as engine:
        columns, rows = engine.run("team_acceptance_daily")

    assert columns[4:] == [
        "code_generation_activity_count",
        "code_acceptance_activity_count",
        "acceptance_rate",
    ]
    assert [row[:6] for row in rows] == [row[:6] for row in expected]
    assert [row[6] for row in rows] == pytest.approx([row[6] for row in expected])


def test_repo_pull_requests_are_the_served_counts_on_the_reports_day(archive, truth):
    from copilot_archive.querying.query import LocalQueryEngine

    with LocalQueryEngine(archive, today=TODAY) as engine:
        columns, rows = engine.run("repo_pull_requests_daily")

    assert columns[:5] == ["enterprise", "repo_id", "repo_name", "day", "total_created"]
    assert rows == truth["repos"]
