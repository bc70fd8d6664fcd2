"""The HTML report over an indexed simulated archive, rendered in headless Chromium with no network."""

from __future__ import annotations

import base64
import json
import shutil
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from copilot_archive.reporting.panels import PANELS
from copilot_archive.reporting.report import ReportScope, panel_rows, point_label, write_report
from tests.sql_fixtures import days

SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")  # for a person to look at after the run
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def indexed_archive(cli_env, fixed_today, tmp_path) -> Path:
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    archive = tmp_path / "archive"
    last = (fixed_today - timedelta(days=1)).isoformat()
    argv = ["backfill", "--archive", str(archive), "--from", "2025-10-10", "--to", last, "--no-progress"]
    assert main([*argv, "--reports", "users-1-day,enterprise-1-day"]) == 0
    index_archive(LocalFolderStorage(archive), "copilot-metrics")
    return archive


@pytest.mark.loopback
def test_feature_users_weekly_counts_distinct_chat_agent_and_cli_users(
    indexed_archive, simulator, fixed_today
):
    users: dict[tuple[str, date], list[set[int]]] = defaultdict(lambda: [set(), set(), set()])
    for slug in ("acme", "globex"):
        for day in days(date(2025, 10, 10), fixed_today - timedelta(days=1)):
            for part in simulator.report_files(slug, "users-1-day", day):
                for line in filter(bytes.strip, part.splitlines()):
                    row = json.loads(line)
                    for i, flag in enumerate(("used_chat", "used_agent", "used_cli")):
                        if row.get(flag):
                            users[(slug, _monday(day))][i].add(row["user_id"])

    with LocalQueryEngine(indexed_archive, today=fixed_today) as engine:
        _, rows = engine.run("feature_users_weekly")

    assert rows == [(slug, week, *map(len, sets)) for (slug, week), sets in sorted(users.items())]
    assert any(row[2] for row in rows) and any(row[4] for row in rows)


@pytest.mark.loopback
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
def test_report_opens_offline_in_chromium_with_every_chart_drawn_from_its_view(
    indexed_archive, fixed_today, tmp_path
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
    with LocalQueryEngine(indexed_archive, today=fixed_today) as engine:
        expected = {
            panel.key: sorted(
                point_label(s, p, v) for p, s, v in panel_rows(engine, panel, ReportScope()).rows
            )
            for panel in PANELS
        }
        # Independently of the panels' SQL: the views' own rows for users and the calendar.
        weekly = engine.run("active_users_weekly")[1]
        status = engine.run("SELECT report, enterprise, day, status FROM report_status")[1]
    assert set(drawn) == set(expected)
    for key, labels in expected.items():
        assert labels, f"{key} has no data"
        assert sorted(drawn[key]) == labels, key
    assert sorted(drawn["weekly-active-users"]) == sorted(point_label(e, w, n) for e, w, n in weekly)
    assert sorted(drawn["report-calendar"]) == sorted(
        point_label(f"{r} · {e}", d, s) for r, e, d, s in status
    )
