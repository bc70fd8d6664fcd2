"""Curation of the user-teams-1-day and repos-1-day reports: one typed row per line."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from copilot_archive.core.curated_schema import REPO_DAILY, USER_TEAM_DAILY, tables_for
from copilot_archive.core.layout import Report
from copilot_archive.indexing.curate import Curator, arrow_schema
from copilot_simulator.reports import ReportBook, compact

DAY = date(2025, 10, 20)
KEY = "copilot-metrics/raw/enterprise/user-teams-1-day/enterprise=acme/day=2025-10-20/part-0000.json"
BOOK = ReportBook({"acme": 40}, empty_days=["2025-10-21"])


def curate(report: Report, lines: list[bytes], day: date = DAY) -> tuple[list[dict[str, Any]], Curator]:
    curator = Curator(report, day)
    batches = [*curator.curate(lines, key=KEY, part=2), *curator.finish()]
    rows: list[dict[str, Any]] = []
    for item in batches:
        assert item.batch.schema == arrow_schema(item.table)
        rows.extend(item.batch.to_pylist())
    return rows, curator


def records(report: str, day: date = DAY) -> list[dict[str, Any]]:
    return [json.loads(line) for line in BOOK.lines("acme", report, day)]


def extra(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["extra"]) if row["extra"] else {}


def test_each_report_has_one_row_table():
    assert tables_for(Report.USER_TEAMS_1_DAY) == (USER_TEAM_DAILY,)
    assert tables_for(Report.REPOS_1_DAY) == (REPO_DAILY,)


def test_every_user_teams_line_is_one_typed_row_with_its_lineage():
    lines = records("user-teams-1-day")
    rows, curator = curate(Report.USER_TEAMS_1_DAY, [compact(r) for r in lines])

    assert len(rows) == len(lines) == curator.lines == curator.rows["user_team_daily"] > 0
    for number, (row, raw) in enumerate(zip(rows, lines, strict=True), start=1):
        assert row["team_id"] == raw["team_id"] and row["team_slug"] == raw["slug"]
        assert (row["user_id"], row["user_login"]) == (raw["user_id"], raw["user_login"])
        assert row["enterprise_id"] == raw["enterprise_id"]
        assert (row["source_part"], row["source_line"]) == (2, number)
        assert row["extra"] is None  # `day` is the partition's; nothing else is left over
    assert curator.mistyped == 0 and curator.warnings == []


def test_a_user_teams_line_missing_a_field_is_kept_with_a_null():
    line = records("user-teams-1-day")[0]
    del line["slug"], line["user_login"]

    rows, curator = curate(Report.USER_TEAMS_1_DAY, [compact(line)])

    assert rows[0]["team_slug"] is None and rows[0]["user_login"] is None
    assert rows[0]["team_id"] == line["team_id"] and rows[0]["user_id"] == line["user_id"]
    assert curator.mistyped == 0


def test_unknown_user_teams_fields_and_a_day_not_the_reports_are_kept_in_extra():
    line = {**records("user-teams-1-day")[0], "team_name": "Payments", "day": "2025-10-19"}
    line["team_id"] = str(line["team_id"])  # a number sent as text does not fit bigint

    rows, curator = curate(Report.USER_TEAMS_1_DAY, [compact(line)])

    assert extra(rows[0]) == {"team_name": "Payments", "day": "2025-10-19", "team_id": line["team_id"]}
    assert rows[0]["team_id"] is None and curator.mistyped == 1


def test_every_repos_line_is_one_row_with_the_pull_requests_flattened():
    lines = records("repos-1-day")
    rows, curator = curate(Report.REPOS_1_DAY, [compact(r) for r in lines])

    assert len(rows) == len(lines) == curator.rows["repo_daily"] > 0
    for row, raw in zip(rows, lines, strict=True):
        pulls = raw["pull_requests"]
        assert (row["repo_id"], row["repo_name"]) == (raw["repo_id"], raw["repo_name"])
        for name, value in pulls.items():
            if name != "copilot_suggestions_by_comment_type":
                assert row[f"pull_requests_{name}"] == value, name
        # the comment-type list has no table of its own for repositories: kept, where it was
        assert extra(row) == {
            "pull_requests": {
                "copilot_suggestions_by_comment_type": pulls["copilot_suggestions_by_comment_type"]
            }
        }
    assert curator.mistyped == 0


def test_a_repos_line_missing_fields_and_carrying_new_ones_keeps_both():
    line = records("repos-1-day")[0]
    del line["repo_name"], line["pull_requests"]["total_merged"]
    del line["pull_requests"]["copilot_suggestions_by_comment_type"]
    line["visibility"] = "internal"
    line["pull_requests"]["total_reverted"] = 2

    rows, curator = curate(Report.REPOS_1_DAY, [compact(line)])

    row = rows[0]
    assert row["repo_name"] is None and row["pull_requests_total_merged"] is None
    assert row["pull_requests_total_created"] == line["pull_requests"]["total_created"]
    assert extra(row) == {"visibility": "internal", "pull_requests": {"total_reverted": 2}}
    assert curator.mistyped == 0


def test_a_204_day_has_no_lines_and_curates_to_no_rows():
    empty = date(2025, 10, 21)
    assert BOOK.lines("acme", "user-teams-1-day", empty) == []
    assert BOOK.lines("acme", "repos-1-day", empty) == []

    for report in (Report.USER_TEAMS_1_DAY, Report.REPOS_1_DAY):
        rows, curator = curate(report, [], empty)
        assert rows == [] and curator.lines == 0 and sum(curator.rows.values()) == 0
