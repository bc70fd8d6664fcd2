"""Issue 20's data quality across real HTTP: a simulator serving user lines in GitHub's odd shapes
(reduced, aliased languages, a value that does not fit, fields no column types), archived and
indexed by the public entry points; what the views and `status` say is worked out here from the
served bytes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY_TOKEN, TODAY, served_lines
from tests.integration.test_indexer import (  # noqa: F401 (fixtures)
    database,
    glue,
    indexer,
    manifest_key,
    status_rows,
)

pytestmark = pytest.mark.loopback

FIRST, LAST = date(2025, 10, 10), date(2025, 10, 13)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
SLUGS = ("acme", "globex")
USERS = 20
# The counts of a user line and of its breakdown elements (GitHub's field reference).
COUNTS = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
# Names the reports give a language under, and names that are none (this test's own list).
ALIASES = {"py": "python", "ts": "typescript", "js": "javascript", "rb": "ruby"}
NOT_LANGUAGES = {"prompt", "vscode"}


@pytest.fixture
def simulator() -> Iterator[Any]:
    """The conftest's simulator, serving odd user lines (the fixtures that use it follow)."""
    from copilot_simulator import Simulator

    with Simulator(enterprises=SLUGS, users=USERS, today=TODAY, token=CANARY_TOKEN, odd_lines=True) as sim:
        yield sim


def well_formed(slug: str, day: date) -> list[dict[str, Any]]:
    """The same report-day from a simulator that serves no odd line (same seed and users)."""
    from copilot_simulator.reports import ReportBook

    book = ReportBook({slug: USERS})
    return [json.loads(line) for line in book.lines(slug, "users-1-day", day)]


def field_names(obj: dict[str, Any], prefix: str = "") -> set[str]:
    """Every field of a line, dotted below the top; a list's objects are looked into as one."""
    names = set()
    for key, value in obj.items():
        names.add(prefix + key)
        elements = value if isinstance(value, list) else [value]
        for element in elements:
            if isinstance(element, dict):
                names |= field_names(element, f"{prefix}{key}.")
    return names


def unknown_fields(odd: list[dict[str, Any]], clean: list[dict[str, Any]]) -> str | None:
    """The fields the odd lines have and the well-formed ones never do; a field inside one such
    is not named again (its parent is)."""
    new = set().union(*map(field_names, odd)) - set().union(*map(field_names, clean))
    outermost = {n for n in new if not any(n.startswith(f"{other}.") for other in new)}
    return ",".join(sorted(outermost)) or None


def mistyped(line: dict[str, Any]) -> int:
    """Counts given as text, at the top and in every breakdown element: values no column takes."""
    objects = [line, *(e for v in line.values() if isinstance(v, list) for e in v if isinstance(e, dict))]
    return sum(isinstance(obj.get(name), str) for obj in objects for name in COUNTS)


def reduced(line: dict[str, Any]) -> bool:
    return all(value is None for name, value in line.items() if name.startswith("used_"))


@pytest.fixture
def indexed(cli_env, fixed_today, tmp_path, capsys) -> Path:
    from copilot_archive.cli import main

    archive = tmp_path / "archive"
    days = ["--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    reports = ["--reports", "users-1-day,enterprise-1-day"]
    assert main(["backfill", "--archive", str(archive), *days, *reports, "--no-progress"]) == 0
    assert main(["index", "--archive", str(archive), "--no-progress"]) == 0
    capsys.readouterr()
    return archive


def test_data_quality_daily_counts_what_the_served_lines_hold(indexed, simulator, fixed_today):
    from copilot_archive.querying.query import LocalQueryEngine

    expected = []
    for slug in SLUGS:
        for day in DAYS:
            lines = served_lines(simulator, slug, "users-1-day", day)
            expected.append(
                (
                    slug,
                    day,
                    "users-1-day",
                    len(lines),
                    sum(map(reduced, lines)),
                    sum(map(mistyped, lines)),
                    unknown_fields(lines, well_formed(slug, day)),
                )
            )
            enterprise = served_lines(simulator, slug, "enterprise-1-day", day)
            expected.append((slug, day, "enterprise-1-day", len(enterprise), None, 0, None))

    with LocalQueryEngine(indexed, today=fixed_today) as engine:
        columns, rows = engine.run("SELECT * FROM data_quality_daily ORDER BY enterprise, day, report DESC")

    assert columns == [
        "enterprise",
        "day",
        "report",
        "lines",
        "reduced_shape_lines",
        "mistyped_values",
        "unknown_fields",
    ]
    assert rows == expected
    users = [row for row in expected if row[2] == "users-1-day"]
    # The odd shapes are all there to be counted: the test would pass on nothing otherwise.
    assert all(row[4] for row in users) and any(row[5] for row in users) and all(row[6] for row in users)
    assert any("." in name for row in users for name in str(row[6]).split(","))


def test_feature_users_say_how_many_users_they_could_not_judge(indexed, simulator, fixed_today):
    from copilot_archive.querying.query import LocalQueryEngine

    unjudged: dict[tuple[str, date], set[int]] = defaultdict(set)
    unjudged_lines: dict[tuple[str, date], int] = defaultdict(int)
    for slug in SLUGS:
        for day in DAYS:
            week = day - timedelta(days=day.weekday())
            for line in served_lines(simulator, slug, "users-1-day", day):
                if reduced(line):
                    unjudged[(slug, week)].add(line["user_id"])
                    unjudged_lines[(slug, week)] += 1

    with LocalQueryEngine(indexed, today=fixed_today) as engine:
        _, rows = engine.run(
            "SELECT enterprise, week_start, unjudged_users, unjudged_lines "
            "FROM feature_users_weekly ORDER BY 1, 2"
        )

    assert rows == [
        (slug, week, len(unjudged[(slug, week)]), unjudged_lines[(slug, week)])
        for slug, week in sorted(unjudged)
    ]


def test_languages_are_summed_under_one_name_with_the_raw_name_beside(indexed, simulator, fixed_today):
    from copilot_archive.querying.query import LocalQueryEngine

    sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for slug in SLUGS:
        for day in DAYS:
            for line in served_lines(simulator, slug, "users-1-day", day):
                for element in line["totals_by_language_feature"]:
                    raw = element["language"]
                    key = (slug, day, ALIASES.get(raw, raw), raw, raw not in NOT_LANGUAGES)
                    sums[key][0] += element["code_generation_activity_count"]
                    sums[key][1] += element["code_acceptance_activity_count"]

    with LocalQueryEngine(indexed, today=fixed_today) as engine:
        _, rows = engine.run(
            "SELECT enterprise, day, language, raw_language, is_language, code_generation_activity_count, "
            "code_acceptance_activity_count FROM acceptance_by_language ORDER BY 1, 2, 3, 4"
        )

    assert rows == [(*key, generated, accepted) for key, (generated, accepted) in sorted(sums.items())]
    assert {row[3] for row in rows} & ALIASES.keys() and {row[3] for row in rows} & NOT_LANGUAGES


def test_status_prints_the_fields_no_column_types(indexed, simulator, capsys):
    from copilot_archive.cli import main

    assert main(["status", "--archive", str(indexed), "--reports", "users-1-day"]) == 0

    out = capsys.readouterr().out
    for slug in SLUGS:
        names = {
            unknown_fields(served_lines(simulator, slug, "users-1-day", d), well_formed(slug, d))
            for d in DAYS
        }
        assert len(names) == 1  # the same fields every day: one line a scope
        [line] = [text for text in out.splitlines() if "fields no column types" in text and slug in text]
        assert str(names.pop()).replace(",", ", ") in line
        assert f"{FIRST.isoformat()}..{LAST.isoformat()}" in line


def test_the_indexer_handler_records_and_publishes_unknown_fields(
    handler,
    indexer,  # noqa: F811 (the fixture imported above)
    simulator,
    s3,
    bucket,
    capsys,
):
    day = DAYS[0]
    archived = handler({"days": [day.isoformat()], "reports": ["users-1-day"], "enterprises": ["acme"]})
    assert archived["counts"]["archived"] == 1, archived
    capsys.readouterr()

    summary = indexer({"manifest": manifest_key("users-1-day", "acme", day.isoformat())})

    expected = unknown_fields(served_lines(simulator, "acme", "users-1-day", day), well_formed("acme", day))
    assert expected
    [result] = summary["results"]
    assert result["unknown_fields"] == expected.split(",")
    [status] = status_rows(s3, bucket, "users-1-day", "acme", day.isoformat())
    assert status["unknown_fields"] == expected
    emitted = [json.loads(text) for text in capsys.readouterr().out.splitlines() if '"_aws"' in text]
    # Powertools writes a metric's values as a list (one value: [2.0]).
    values = [value for record in emitted for value in record["UnknownFieldsSeen"]]
    assert values == [len(expected.split(","))]


def test_the_lines_kept_ratio_names_its_sums_and_flags_a_share_above_one(indexed, simulator, fixed_today):
    from copilot_archive.querying.query import LocalQueryEngine
    from tests.integration.test_report import day_objects

    expected = []
    for slug in SLUGS:
        for day in DAYS:
            [totals] = day_objects(served_lines(simulator, slug, "enterprise-1-day", day), day)
            added, suggested = totals["loc_added_sum"], totals["loc_suggested_to_add_sum"]
            expected.append((slug, day, added, suggested, added / suggested, added > suggested))

    with LocalQueryEngine(indexed, today=fixed_today) as engine:
        _, rows = engine.run(
            "SELECT enterprise, day, loc_added_sum, loc_suggested_to_add_sum, loc_added_per_suggested, "
            "loc_added_exceeds_suggested FROM enterprise_daily ORDER BY 1, 2"
        )

    assert rows == expected
    # Agent edits count in loc_added_sum only: some days add more lines than were suggested.
    assert {row[5] for row in rows} == {True, False}
