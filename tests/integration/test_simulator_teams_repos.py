"""The simulator serves user-teams-1-day and repos-1-day over HTTP, consistent with users-1-day."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

from copilot_simulator import MIN_TEAM_SEATS, Simulator

pytestmark = pytest.mark.loopback

TODAY = date(2026, 11, 25)
DAY, EMPTY_DAY = "2026-11-23", "2026-11-18"
AUTH = {"Authorization": "Bearer sim-token", "Accept": "application/vnd.github+json"}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(enterprises=("acme",), users=40, today=TODAY, empty_days={EMPTY_DAY}) as simulator:
        yield simulator


def download(sim: Simulator, report: str, day: str) -> list[dict[str, Any]]:
    """Ask for the report-day's links, as the archiver does, and parse every line they serve."""
    url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/{report}"
    answer = requests.get(url, params={"day": day}, headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["report_day"] == day
    return [
        json.loads(line)
        for link in answer.json()["download_links"]
        for line in requests.get(link, timeout=10).content.splitlines()
    ]


def test_user_teams_lines_are_members_of_seated_teams_active_or_not(sim):
    lines = download(sim, "user-teams-1-day", DAY)
    active = {line["user_id"] for line in download(sim, "users-1-day", DAY)}
    users = {p.user_id: p.login for p in sim.book.profiles("acme")}

    members: dict[tuple[int, str], set[int]] = defaultdict(set)
    for line in lines:
        assert set(line) == {"day", "enterprise_id", "team_id", "slug", "user_id", "user_login"}
        assert line["day"] == DAY and users[line["user_id"]] == line["user_login"]
        members[(line["team_id"], line["slug"])].add(line["user_id"])
    assert len(lines) == sum(len(ids) for ids in members.values())  # a member once per team
    assert all(len(ids) >= MIN_TEAM_SEATS for ids in members.values())
    everyone = set().union(*members.values())
    assert everyone & active and everyone - active, "some members were active that day, some not"
    assert len({user for ids in members.values() for user in ids}) < sum(map(len, members.values()))
    # the enterprise has a team below MIN_TEAM_SEATS, which GitHub leaves out
    left_out = [t for t in sim.book.teams("acme") if len(t.members) < MIN_TEAM_SEATS]
    assert left_out and not {t.team_id for t in left_out} & {team_id for team_id, _ in members}


def test_repos_lines_are_repositories_with_their_pull_requests_and_no_day(sim):
    lines = download(sim, "repos-1-day", DAY)

    assert lines and len({line["repo_id"] for line in lines}) == len(lines)
    for line in lines:
        assert set(line) == {"repo_id", "repo_name", "pull_requests"}
        pulls = line["pull_requests"]
        assert line["repo_name"].startswith("acme/")
        assert pulls["total_merged"] <= pulls["total_created"]
        assert pulls["total_created_by_copilot"] <= pulls["total_created"]


@pytest.mark.parametrize("report", ["user-teams-1-day", "repos-1-day"])
def test_a_day_without_data_answers_204(sim, report):
    url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/{report}"

    answer = requests.get(url, params={"day": EMPTY_DAY}, headers=AUTH, timeout=10)

    assert answer.status_code == 204 and answer.content == b""


@pytest.mark.parametrize("report", ["user-teams-1-day", "repos-1-day"])
def test_the_same_settings_serve_the_same_bytes(sim, report):
    with Simulator(enterprises=("acme",), users=40, today=TODAY) as other:
        assert other.report_files("acme", report, DAY) == sim.report_files("acme", report, DAY)
