"""The HTML report over an indexed simulated archive of two enterprises and an organization, with
seat snapshots on two days: every chart's points, the seat share, the 4-week change, the inactive
seats, the teams and the report-day health against values worked out here from what the simulator
served (or, for the teams, from the shipped views' rows), never from the report's code; and the
page rendered in headless Chromium with no network."""

from __future__ import annotations

import base64
import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from copilot_archive.reporting.charts import point_label
from copilot_archive.reporting.report import REPORT_PANELS, write_report
from tests.conftest import CANARY_TOKEN, served_lines
from tests.integration.test_seats import served_pages
from tests.sql_fixtures import days

pytestmark = pytest.mark.loopback

SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")  # for a person to look at after the run
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# Ten weeks of usage: a whole month (November), a 4-week change, a partial week and month at each end.
REPORT_TODAY = date(2025, 12, 18)  # a Thursday: the last archived day, Wednesday the 17th
FIRST_DAY = date(2025, 10, 10)  # the simulator's first day (a Friday)
LAST_DAY = REPORT_TODAY - timedelta(days=1)
WINDOW = days(FIRST_DAY, LAST_DAY)
ENTERPRISES = ("acme", "globex")
ORGANIZATION = "octo-org"
# Seats cannot be backfilled: snapshots taken as if on these days (the simulator's clock moved back).
SNAPSHOT_DAYS = (date(2025, 11, 30), date(2025, 12, 16))
# GitHub's list prices, USD per seat and month ("About billing for GitHub Copilot"): the CLI's
# index command prices seats at them while SEAT_PRICES is unset, as it is here.
SEAT_PRICES = {"business": 19.0, "enterprise": 39.0}
ARCHIVED = ("users-1-day", "enterprise-1-day", "user-teams-1-day")
# Every 1-day report of an enterprise has a report-day in report_status, archived or not.
ONE_DAY_REPORTS = ("enterprise-1-day", "users-1-day", "user-teams-1-day", "repos-1-day")
# Each acceptance chart's breakdown of a users-1-day line, per the report format.
BREAKDOWNS = {
    "ide": "totals_by_ide",
    "language": "totals_by_language_feature",
    "model": "totals_by_model_feature",
    "feature": "totals_by_feature",
}
PERIODS: dict[str, tuple[str, Callable[[date], date]]] = {
    "daily-active-users": ("day", lambda d: d),
    "weekly-active-users": ("week", lambda d: d - timedelta(days=d.weekday())),
    "monthly-active-users": ("month", lambda d: d.replace(day=1)),
}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_end(start: date) -> date:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def partial(start: date, grain: str) -> bool:
    """A week or month with a day outside FIRST_DAY..LAST_DAY."""
    if grain == "week":
        return start < FIRST_DAY or start + timedelta(days=6) > LAST_DAY
    if grain == "month":
        return start < FIRST_DAY or _month_end(start) > LAST_DAY
    return False


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    from copilot_archive.core import clock

    monkeypatch.setattr(clock, "utc_today", lambda: REPORT_TODAY)
    return REPORT_TODAY


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    # 12 users: teams of GitHub's 5 seats or more, and the simulator's first team below them.
    with Simulator(
        enterprises=ENTERPRISES,
        organizations=(ORGANIZATION,),
        users=12,
        today=REPORT_TODAY,
        token=CANARY_TOKEN,
    ) as sim:
        yield sim


@pytest.fixture
def seat_rosters(cli_env, fixed_today, tmp_path, monkeypatch) -> dict[tuple[str, date], list[dict[str, Any]]]:
    """Seat snapshots archived on SNAPSHOT_DAYS; each scope's seats as the simulator served them."""
    from copilot_archive.cli import main
    from copilot_archive.core import clock

    monkeypatch.setenv("ORGANIZATIONS", ORGANIZATION)
    archive = str(tmp_path / "archive")
    served = {}
    for day in SNAPSHOT_DAYS:
        cli_env.today = day
        monkeypatch.setattr(clock, "utc_today", lambda day=day: day)
        assert main(["archive", "--archive", archive, "--reports", "copilot-seats", "--no-progress"]) == 0
        for owner, slug in (*(("enterprises", e) for e in ENTERPRISES), ("orgs", ORGANIZATION)):
            pages = served_pages(cli_env, owner, slug)
            served[(slug, day)] = [seat for page in pages for seat in json.loads(page)["seats"]]
    cli_env.today = fixed_today
    monkeypatch.setattr(clock, "utc_today", lambda: fixed_today)
    return served


@pytest.fixture
def indexed_archive(seat_rosters, cli_env, fixed_today, tmp_path) -> Path:
    from copilot_archive.cli import main

    archive = tmp_path / "archive"
    argv = ["backfill", "--archive", str(archive), "--from", str(FIRST_DAY), "--to", str(LAST_DAY)]
    reports = ",".join((*ARCHIVED, "organization-1-day"))
    assert main([*argv, "--reports", reports, "--no-progress"]) == 0
    assert main(["index", "--archive", str(archive), "--no-progress"]) == 0
    return archive


def day_objects(lines: list[dict[str, Any]], day: date) -> Iterator[dict[str, Any]]:
    """An enterprise-1-day report's object for its day: a flat line, or a `day_totals` wrapper's
    element for that day (the wrapper's fields under the day's own)."""
    for line in lines:
        if isinstance(line.get("day_totals"), list):
            wrapper = {k: v for k, v in line.items() if k != "day_totals"}
            for element in line["day_totals"]:
                if element.get("day") in (None, day.isoformat()):
                    yield {**wrapper, **element}
        else:
            yield line


def active_ids(simulator: Any, slug: str, first: date, last: date) -> set[int]:
    return {
        line["user_id"]
        for day in days(first, last)
        for line in served_lines(simulator, slug, "users-1-day", day)
    }


def expected_points(simulator: Any, window: list[date]) -> dict[str, list[str]]:
    """The enterprise section's usage charts' points (as `point_label` writes them, partial weeks and
    months marked) worked out from the served report files, for both enterprises and the window."""
    users = {(s, d): served_lines(simulator, s, "users-1-day", d) for s in ENTERPRISES for d in window}
    totals = {(s, d): served_lines(simulator, s, "enterprise-1-day", d) for s in ENTERPRISES for d in window}
    points: dict[str, list[tuple[str, date, Any, str]]] = {}

    # Active users: distinct user_id per enterprise over each day, ISO week and calendar month.
    for key, (grain, period) in PERIODS.items():
        ids: dict[tuple[str, date], set[int]] = defaultdict(set)
        for (slug, day), lines in users.items():
            for line in lines:
                ids[(slug, period(day))].add(line["user_id"])
        points[key] = [(slug, start, len(found), grain) for (slug, start), found in ids.items()]

    # Acceptance rate: a week's accepted over generated, each summed over every user's breakdown
    # rows of every enterprise and day; a week without generations has no point.
    for dimension, breakdown in BREAKDOWNS.items():
        sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        for (_slug, day), lines in users.items():
            for line in lines:
                for row in line.get(breakdown) or ():
                    name = "unknown" if row.get(dimension) is None else row[dimension]
                    counts = sums[(name, _monday(day))]
                    counts[0] += row.get("code_generation_activity_count") or 0
                    counts[1] += row.get("code_acceptance_activity_count") or 0
        points[f"acceptance-by-{dimension}"] = [
            (name, week, accepted / generated, "week")
            for (name, week), (generated, accepted) in sums.items()
            if generated
        ]

    # Lines added and deleted: the enterprise report's day totals, summed per week.
    changed: dict[tuple[str, date], int] = defaultdict(int)
    for (_slug, day), lines in totals.items():
        for day_totals in day_objects(lines, day):
            changed[("added", _monday(day))] += day_totals["loc_added_sum"]
            changed[("deleted", _monday(day))] += day_totals["loc_deleted_sum"]
    points["lines-with-copilot"] = [(series, week, n, "week") for (series, week), n in changed.items()]

    # Adoption: per enterprise, the distinct users of a week with used_chat (used_agent, used_cli)
    # on any day of it; the chart sums the enterprises.
    flags = {"used_chat": "chat", "used_agent": "agent mode", "used_cli": "CLI"}
    adopted: dict[tuple[str, date, str], set[int]] = defaultdict(set)
    weeks: set[date] = set()
    for (slug, day), lines in users.items():
        for line in lines:
            weeks.add(_monday(day))
            for flag in flags:
                if line.get(flag) is True:
                    adopted[(slug, _monday(day), flag)].add(line["user_id"])
    points["chat-agent-cli-adoption"] = [
        (series, week, sum(len(adopted[(slug, week, flag)]) for slug in ENTERPRISES), "week")
        for week in weeks
        for flag, series in flags.items()
    ]

    # AI credits: users-1-day's ai_credits_used summed per enterprise and month.
    credits: dict[tuple[str, date], float] = defaultdict(float)
    reported: set[tuple[str, date]] = set()
    for (slug, day), lines in users.items():
        for line in lines:
            if line.get("ai_credits_used") is not None:
                credits[(slug, day.replace(day=1))] += line["ai_credits_used"]
                reported.add((slug, day.replace(day=1)))
    points["ai-credits-monthly"] = [
        (slug, month, credits[(slug, month)], "month") for slug, month in reported
    ]
    return {
        f"enterprise-{key}": sorted(point_label(s, p, v, partial(p, grain)) for s, p, v, grain in found)
        for key, found in points.items()
    }


def parsed(labels: list[str]) -> list[tuple[Any, ...]]:
    """Labels with their value as a number: sums of credits differ in the last bit by summing order."""
    points = []
    for label in sorted(labels):
        series, period, value, *mark = label.split(" | ")
        points.append((series, period, pytest.approx(float(value), rel=1e-9), *mark))
    return points


def holders(seats: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """A seat per holder (GitHub's total_seats counts a holder seated twice once)."""
    return {seat["assignee"]["id"]: seat for seat in seats}


def expected_adoption(
    simulator: Any, rosters: dict[tuple[str, date], list[dict[str, Any]]], slug: str
) -> dict[str, str]:
    """The adoption row's cells as the page shows them, worked out from the served seats and users reports."""
    last_snapshot = SNAPSHOT_DAYS[-1]
    seated = holders(rosters[(slug, last_snapshot)])
    on_day = seated.keys() & active_ids(simulator, slug, last_snapshot, last_snapshot)
    november = date(2025, 11, 1)
    month_seated = holders(rosters[(slug, SNAPSHOT_DAYS[0])])  # November's last snapshot
    in_month = month_seated.keys() & active_ids(simulator, slug, november, _month_end(november))
    recent = active_ids(simulator, slug, last_snapshot - timedelta(days=29), last_snapshot)
    idle = [seat for user_id, seat in seated.items() if user_id not in recent]
    week = _monday(LAST_DAY) - timedelta(days=7)  # LAST_DAY is a Wednesday: the week before is whole
    weekly = len(active_ids(simulator, slug, week, week + timedelta(days=6)))
    before = len(active_ids(simulator, slug, week - timedelta(weeks=4), week - timedelta(weeks=4, days=-6)))
    credits = sum(
        line.get("ai_credits_used") or 0
        for day in days(november, _month_end(november))
        for line in served_lines(simulator, slug, "users-1-day", day)
    )
    change = f"{weekly - before:+,}" + (f" ({(weekly - before) / before:+.0%})" if before else "")
    return {
        "seats": f"{len(seated):,} ({last_snapshot})",
        "daily-share": f"{len(on_day) / len(seated):.1%} ({len(on_day)} of {len(seated)}) ({last_snapshot})",
        "monthly-share": f"{len(in_month) / len(month_seated):.1%} "
        f"({len(in_month)} of {len(month_seated)}) (2025-11)",
        "weekly-active": f"{weekly:,} ({week})",
        "change": change,
        "inactive-seats": f"{len(idle):,}",
        "inactive-cost": f"${sum(SEAT_PRICES[s['plan_type']] for s in idle):,.2f}",
        "ai-credits": f"{credits:,.1f} (2025-11)" if isinstance(credits, float) else f"{credits:,} (2025-11)",
    }


def expected_teams(archive: Path) -> tuple[list[list[str]], list[list[str]]]:
    """November's top teams from the shipped team views' rows: by active users and by acceptance."""
    with LocalQueryEngine(archive, today=REPORT_TODAY) as engine:
        _, active = engine.run("team_active_users_monthly")
        _, daily = engine.run("team_acceptance_daily")
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for enterprise, _slug, team_id, day, generated, accepted, _rate in daily:
        if (day.year, day.month) == (2025, 11):
            counts[(enterprise, team_id)][0] += generated
            counts[(enterprise, team_id)][1] += accepted
    teams = []
    for enterprise, team_slug, team_id, month, users in active:
        if month == date(2025, 11, 1):
            generated, accepted = counts[(enterprise, team_id)]
            teams.append((enterprise, team_slug, users, accepted / generated if generated else None))

    def row(team: tuple[str, str, int, float | None]) -> list[str]:
        rate = "\N{EN DASH}" if team[3] is None else f"{team[3]:.1%}"
        return [team[0], team[1], f"{team[2]:,}", rate]

    by_users = sorted(teams, key=lambda t: (-t[2], t[0], t[1]))[:10]
    by_rate = sorted((t for t in teams if t[3] is not None), key=lambda t: (-(t[3] or 0), t[0], t[1]))[:10]
    return [row(t) for t in by_users], [row(t) for t in by_rate]


class DrawnPoints(HTMLParser):
    """Reads each figure's drawn points back from the report's inline SVG: each mark's aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.figure: str | None = None
        self.points: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "figure":
            self.figure = attributes["id"]
            self.points[str(self.figure)] = []
        elif self.figure and attributes.get("aria-roledescription") == "point":
            self.points[self.figure].append(str(attributes["aria-label"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.figure = None


def drawn_points(page: str) -> dict[str, list[str]]:
    parser = DrawnPoints()
    parser.feed(page)
    return {key: sorted(labels) for key, labels in parser.points.items()}


def test_every_chart_draws_the_points_worked_out_from_the_served_reports(indexed_archive, simulator, capsys):
    from copilot_archive.cli import main

    assert main(["report", "--archive", str(indexed_archive)]) == 0

    drawn = drawn_points((indexed_archive / "report.html").read_text())
    expected = expected_points(simulator, WINDOW)
    for level in ("enterprise", "organization"):
        assert {key for key in drawn if key.startswith(f"{level}-")} == {
            f"{level}-{panel.key}" for panel in REPORT_PANELS
        }
    for key, labels in expected.items():
        assert labels, f"{key} has no data"
        assert parsed(drawn[key]) == parsed(labels), key
    # The partial week at the end and the partial month at the start are marked, nothing else.
    weekly = drawn["enterprise-weekly-active-users"]
    assert {label.split(" | ")[1] for label in weekly if label.endswith("| partial")} == {
        str(_monday(FIRST_DAY)),
        str(_monday(LAST_DAY)),
    }
    monthly = drawn["enterprise-monthly-active-users"]
    assert {label.split(" | ")[1] for label in monthly if label.endswith("| partial")} == {
        "2025-10-01",
        "2025-12-01",
    }


def test_feature_users_weekly_counts_distinct_chat_agent_and_cli_users(indexed_archive, simulator):
    users: dict[tuple[str, date], list[set[int]]] = defaultdict(lambda: [set(), set(), set(), set()])
    unjudged_lines: dict[tuple[str, date], int] = defaultdict(int)
    for slug in ENTERPRISES:
        for day in WINDOW:
            for row in served_lines(simulator, slug, "users-1-day", day):
                for i, flag in enumerate(("used_chat", "used_agent", "used_cli")):
                    if row.get(flag):
                        users[(slug, _monday(day))][i].add(row["user_id"])
                # A line with no used_* flag at all cannot be judged by feature.
                if all(value is None for name, value in row.items() if name.startswith("used_")):
                    users[(slug, _monday(day))][3].add(row["user_id"])
                    unjudged_lines[(slug, _monday(day))] += 1

    with LocalQueryEngine(indexed_archive, today=REPORT_TODAY) as engine:
        _, rows = engine.run("feature_users_weekly")

    assert rows == [
        (slug, week, *map(len, sets), unjudged_lines[(slug, week)])
        for (slug, week), sets in sorted(users.items())
    ]
    assert any(row[2] for row in rows) and any(row[4] for row in rows)


def test_a_report_of_named_organizations_has_their_section_only(indexed_archive, capsys):
    from copilot_archive.cli import main

    out = indexed_archive / "orgs.html"
    assert (
        main(
            ["report", "--archive", str(indexed_archive), "--organizations", ORGANIZATION, "--out", str(out)]
        )
        == 0
    )

    page = out.read_text()
    assert 'id="level-organization"' in page and 'id="level-enterprise"' not in page
    assert f"data-scope='{ORGANIZATION}'" in page and "data-scope='acme'" not in page


def _chromium() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        # No network for the page: every name fails to resolve and every proxy connection is refused.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


# Each figure's points as Chromium has them: label and the colour the point is drawn in.
_POINTS_JS = """
return Array.from(document.querySelectorAll('figure')).map(f => [f.id,
  Array.from(f.querySelectorAll('[aria-roledescription="point"]')).map(e => {
    const fill = e.getAttribute('fill');
    const colour = (!fill || fill === 'none' || fill === 'transparent') ? e.getAttribute('stroke') : fill;
    return [e.getAttribute('aria-label'), colour];
  })]);
"""
_ROWS_JS = """
return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map(
  r => Array.from(r.children).map(c => c.innerText.trim()));
"""
_CELLS_JS = """
const row = document.querySelector(arguments[0]);
if (!row) return null;
return Object.fromEntries(Array.from(row.querySelectorAll('td')).map(c => [c.className, c.innerText.trim()]));
"""


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
def test_report_opens_offline_in_chromium_with_seat_share_organizations_teams_and_distinct_colours(
    indexed_archive, simulator, seat_rosters, tmp_path
):
    from selenium.webdriver.common.by import By

    report = write_report(indexed_archive, today=REPORT_TODAY)
    assert report == indexed_archive / "report.html"
    page = report.read_text()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/", "")
    assert "https://" not in page

    driver = _chromium()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        driver.get(report.as_uri())
        console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
        requested = [
            json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]
        ]
        figures = dict(driver.execute_script(_POINTS_JS))
        adoption = {
            slug: driver.execute_script(_CELLS_JS, f"#adoption-{level} tr[data-scope='{slug}']")
            for level, slug in (*(("enterprise", e) for e in ENTERPRISES), ("organization", ORGANIZATION))
        }
        team_tables = {
            key: driver.execute_script(_ROWS_JS, f"#teams-by-{key}-enterprise")
            for key in ("active-users", "acceptance")
        }
        threshold = driver.find_element(By.ID, "team-threshold-enterprise").text
        health = driver.execute_script(_ROWS_JS, "#report-health")
        period = driver.find_element(By.ID, "period").text
        partial_note = driver.find_element(By.ID, "partial").text
        widths = driver.execute_script(
            "return Array.from(document.querySelectorAll('figure svg'))"
            ".map(s => s.getBoundingClientRect().right)"
        )
        # The whole page, not only the window: the DevTools capture reaches beyond the viewport.
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True})
        screenshot = tmp_path / "report-screenshot.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.quit()
    shutil.copyfile(screenshot, SCREENSHOT_COPY)

    assert console == []
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert widths and max(widths) <= 1280

    # The period first, and which periods are partial.
    assert f"Usage from {FIRST_DAY} to {LAST_DAY} ({len(WINDOW):,} days)" in period
    assert (
        f"the week from {_monday(LAST_DAY)}" in partial_note and "the month from 2025-12-01" in partial_note
    )

    # Seat share, the 4-week change, inactive seats and credits: each scope, both levels.
    for slug in (*ENTERPRISES, ORGANIZATION):
        assert adoption[slug] == expected_adoption(simulator, seat_rosters, slug), slug

    # Teams: November's top teams as the views have them, and the threshold explained.
    by_users, by_rate = expected_teams(indexed_archive)
    assert by_users and team_tables["active-users"] == by_users
    assert team_tables["acceptance"] == by_rate
    assert "fewer than 5 Copilot seats" in threshold

    # Health: a row per scope and report; a report never archived is missing every day, as one range.
    rows = {(row[0], row[1], row[2]): row[3:] for row in health}
    for slug in ENTERPRISES:
        for report_name in ("users-1-day", "enterprise-1-day"):
            ok = sum(1 for day in WINDOW if served_lines(simulator, slug, report_name, day))
            assert rows[("enterprise", slug, report_name)] == [str(ok), str(len(WINDOW) - ok), "0", ""]
        assert rows[("enterprise", slug, "repos-1-day")] == [
            "0",
            "0",
            str(len(WINDOW)),
            f"{FIRST_DAY} to {LAST_DAY}",
        ]
    assert any(level == "organization" for level, _, _ in rows)

    # Every chart: the points worked out from the served reports, and no two series share a colour.
    expected = expected_points(simulator, WINDOW)
    for key, labels in expected.items():
        assert parsed([label for label, _ in figures[key]]) == parsed(labels), key
    for key, points in figures.items():
        colours: dict[str, set[str]] = defaultdict(set)
        for label, colour in points:
            colours[label.split(" | ")[0]].add(colour)
        assert all(len(found) == 1 for found in colours.values()), (key, colours)
        assert len({next(iter(found)) for found in colours.values()}) == len(colours), (key, colours)
    assert (
        len(figures["enterprise-acceptance-by-language"])
        and len({label.split(" | ")[0] for label, _ in figures["enterprise-acceptance-by-language"]}) > 10
    )


def test_the_demos_inactive_seat_table_is_the_latest_snapshots_idle_holders_most_inactive_first(
    indexed_archive, simulator, seat_rosters
):
    from copilot_archive.cli import DEMO_QUERIES
    from copilot_archive.querying.query import run_query

    [sql] = [sql for title, sql in DEMO_QUERIES if title.startswith("Inactive seats")]
    printed = run_query(sql, str(indexed_archive), fmt="json")

    # Holders of the latest snapshot with no users-1-day line in the 30 days up to it; the archive
    # starts long before, so the days inactive count from the holder's last line, none when never.
    last = SNAPSHOT_DAYS[-1]
    idle = []
    for slug in ENTERPRISES:
        seen: dict[int, date] = {}
        for day in days(FIRST_DAY, last):
            for line in served_lines(simulator, slug, "users-1-day", day):
                seen[line["user_id"]] = day
        for user_id, seat in holders(seat_rosters[(slug, last)]).items():
            if user_id not in seen or seen[user_id] < last - timedelta(days=29):
                inactive = (last - seen[user_id]).days if user_id in seen else None
                idle.append((slug, seat["assignee"]["login"], seat["plan_type"], inactive))
    idle.sort(key=lambda r: (r[3] is not None, -(r[3] or 0), r[0], r[1]))
    rows = [
        (r["enterprise"], r["user_login"], r["plan_type"], r["days_inactive"]) for r in json.loads(printed)
    ]
    assert len(idle) > 1 and rows == idle[:10]
