"""The HTML report over an indexed simulated archive: every chart's points against values
worked out here from the report files the simulator served (never from the panels' SQL), and
the page rendered in headless Chromium with no network."""

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
from copilot_archive.reporting.panels import PANELS
from copilot_archive.reporting.report import point_label, write_report
from tests.sql_fixtures import days

SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")  # for a person to look at after the run
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FIRST_DAY = date(2025, 10, 10)
ENTERPRISES = ("acme", "globex")
ARCHIVED = ("users-1-day", "enterprise-1-day")
# Every 1-day report of an enterprise has a report-day in the calendar, archived or not.
ONE_DAY_REPORTS = ("enterprise-1-day", "users-1-day", "user-teams-1-day", "repos-1-day")
# Each acceptance chart's breakdown of a users-1-day line, per the report format.
BREAKDOWNS = {
    "ide": "totals_by_ide",
    "language": "totals_by_language_feature",
    "model": "totals_by_model_feature",
    "feature": "totals_by_feature",
}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def indexed_archive(cli_env, fixed_today, tmp_path) -> Path:
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    archive = tmp_path / "archive"
    last = (fixed_today - timedelta(days=1)).isoformat()
    argv = ["backfill", "--archive", str(archive), "--from", str(FIRST_DAY), "--to", last]
    assert main([*argv, "--reports", ",".join(ARCHIVED), "--no-progress"]) == 0
    index_archive(LocalFolderStorage(archive), "copilot-metrics")
    return archive


def served_lines(simulator: Any, slug: str, report: str, day: date) -> list[dict[str, Any]]:
    """The report-day's lines as the simulator served them, parsed in plain Python."""
    return [
        json.loads(line)
        for part in simulator.report_files(slug, report, day)
        for line in part.splitlines()
        if line.strip()
    ]


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


def expected_points(simulator: Any, window: list[date]) -> dict[str, list[str]]:
    """Each chart's points (as `point_label` writes them) worked out from the served report files,
    for all enterprises and the whole window."""
    users = {(s, d): served_lines(simulator, s, "users-1-day", d) for s in ENTERPRISES for d in window}
    totals = {(s, d): served_lines(simulator, s, "enterprise-1-day", d) for s in ENTERPRISES for d in window}
    points: dict[str, list[tuple[str, date, Any]]] = {}

    # Active users: distinct user_id per enterprise over each day, ISO week and calendar month.
    periods: dict[str, Callable[[date], date]] = {
        "daily-active-users": lambda d: d,
        "weekly-active-users": _monday,
        "monthly-active-users": lambda d: d.replace(day=1),
    }
    for key, period in periods.items():
        ids: dict[tuple[str, date], set[int]] = defaultdict(set)
        for (slug, day), lines in users.items():
            for line in lines:
                ids[(slug, period(day))].add(line["user_id"])
        points[key] = [(slug, start, len(found)) for (slug, start), found in ids.items()]

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
            (name, week, accepted / generated)
            for (name, week), (generated, accepted) in sums.items()
            if generated
        ]

    # Lines added and deleted: the enterprise report's day totals, summed per week.
    changed: dict[tuple[str, date], int] = defaultdict(int)
    for (_slug, day), lines in totals.items():
        for day_totals in day_objects(lines, day):
            changed[("added", _monday(day))] += day_totals["loc_added_sum"]
            changed[("deleted", _monday(day))] += day_totals["loc_deleted_sum"]
    points["lines-with-copilot"] = [(series, week, n) for (series, week), n in changed.items()]

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
        (series, week, sum(len(adopted[(slug, week, flag)]) for slug in ENTERPRISES))
        for week in weeks
        for flag, series in flags.items()
    ]

    # The calendar: every 1-day report-day of the window; ok with a line, empty without one,
    # missing where nothing was archived.
    served = {"users-1-day": users, "enterprise-1-day": totals}
    points["report-calendar"] = [
        (
            f"{report} · {slug}",
            day,
            ("ok" if served[report][(slug, day)] else "empty") if report in served else "missing",
        )
        for report in ONE_DAY_REPORTS
        for slug in ENTERPRISES
        for day in window
    ]
    return {key: sorted(point_label(s, p, v) for s, p, v in found) for key, found in points.items()}


class DrawnPoints(HTMLParser):
    """Reads each figure's drawn points (and calendar cells) back from the report's inline SVG:
    the aria-label each mark carries."""

    def __init__(self) -> None:
        super().__init__()
        self.figure: str | None = None
        self.points: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "figure":
            self.figure = attributes["id"]
            self.points[str(self.figure)] = []
        elif self.figure and attributes.get("aria-roledescription") in ("point", "rect mark"):
            self.points[self.figure].append(str(attributes["aria-label"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.figure = None


def drawn_points(page: str) -> dict[str, list[str]]:
    parser = DrawnPoints()
    parser.feed(page)
    return {key: sorted(labels) for key, labels in parser.points.items()}


@pytest.mark.loopback
def test_every_chart_draws_the_points_worked_out_from_the_served_reports(
    indexed_archive, simulator, fixed_today, capsys
):
    from copilot_archive.cli import main

    assert main(["report", "--archive", str(indexed_archive)]) == 0

    drawn = drawn_points((indexed_archive / "report.html").read_text())
    expected = expected_points(simulator, days(FIRST_DAY, fixed_today - timedelta(days=1)))
    assert set(drawn) == set(expected) == {panel.key for panel in PANELS}
    for key, labels in expected.items():
        assert labels, f"{key} has no data"
        assert drawn[key] == labels, key


@pytest.mark.loopback
def test_feature_users_weekly_counts_distinct_chat_agent_and_cli_users(
    indexed_archive, simulator, fixed_today
):
    users: dict[tuple[str, date], list[set[int]]] = defaultdict(lambda: [set(), set(), set(), set()])
    unjudged_lines: dict[tuple[str, date], int] = defaultdict(int)
    for slug in ("acme", "globex"):
        for day in days(date(2025, 10, 10), fixed_today - timedelta(days=1)):
            for part in simulator.report_files(slug, "users-1-day", day):
                for line in filter(bytes.strip, part.splitlines()):
                    row = json.loads(line)
                    for i, flag in enumerate(("used_chat", "used_agent", "used_cli")):
                        if row.get(flag):
                            users[(slug, _monday(day))][i].add(row["user_id"])
                    # A line with no used_* flag at all cannot be judged by feature.
                    if all(value is None for name, value in row.items() if name.startswith("used_")):
                        users[(slug, _monday(day))][3].add(row["user_id"])
                        unjudged_lines[(slug, _monday(day))] += 1

    with LocalQueryEngine(indexed_archive, today=fixed_today) as engine:
        _, rows = engine.run("feature_users_weekly")

    assert rows == [
        (slug, week, *map(len, sets), unjudged_lines[(slug, week)])
        for (slug, week), sets in sorted(users.items())
    ]
    assert any(row[2] for row in rows) and any(row[4] for row in rows)


@pytest.mark.loopback
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
def test_report_opens_offline_in_chromium_with_every_chart_drawn_from_the_served_reports(
    indexed_archive, simulator, fixed_today, tmp_path
):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    report = write_report(indexed_archive, today=fixed_today)
    assert report == indexed_archive / "report.html"
    page = report.read_text()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/", "")
    assert "https://" not in page

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
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
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
        drawn = {
            figure.get_attribute("id"): driver.execute_script(
                "return Array.from(arguments[0].querySelectorAll("
                '\'[aria-roledescription="point"], [aria-roledescription="rect mark"]\'))'
                ".map(e => e.getAttribute('aria-label'))",
                figure,
            )
            for figure in driver.find_elements(By.CSS_SELECTOR, "figure")
        }
        widths = driver.execute_script(
            "return Array.from(document.querySelectorAll('figure svg'))"
            ".map(s => s.getBoundingClientRect().right)"
        )
        headlines = driver.find_elements(By.CSS_SELECTOR, "#headlines tbody tr")
        # The whole page, not only the window: the DevTools capture reaches beyond the viewport.
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True})
        screenshot = tmp_path / "report-screenshot.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.quit()
    shutil.copyfile(screenshot, SCREENSHOT_COPY)

    assert console == []
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert len(headlines) == 2
    assert widths and max(widths) <= 1280
    expected = expected_points(simulator, days(FIRST_DAY, fixed_today - timedelta(days=1)))
    assert set(drawn) == set(expected)
    for key, labels in expected.items():
        assert labels, f"{key} has no data"
        assert sorted(drawn[key]) == labels, key
