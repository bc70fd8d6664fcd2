"""The shipped views on DuckDB: over fixture Parquet, and end to end over a simulated archive."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import date, timedelta

import pytest
import sqlglot
from sqlglot import exp

from copilot_archive.core.exceptions import QueryError
from copilot_archive.core.reports import Level
from copilot_archive.querying.query import LocalQueryEngine, format_rows, run_query
from tests.conftest import ROOT, probe_output
from tests.sql_fixtures import STATUS_TODAY, Scenario, build_scenario, days

# Every 1-day report of an enterprise: report_status has a row for each, archived or not.
ONE_DAY_REPORTS = ("enterprise-1-day", "users-1-day", "user-teams-1-day", "repos-1-day")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _distinct_users(scenario: Scenario, period) -> list[tuple[str, date, int]]:
    users: dict[tuple[str, date], set[int]] = defaultdict(set)
    for slug, day, user in scenario.user_days:
        users[(slug, period(day))].add(user)
    return sorted((slug, start, len(ids)) for (slug, start), ids in users.items())


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path)


@pytest.fixture
def engine(scenario):
    with LocalQueryEngine(scenario.root, today=STATUS_TODAY) as engine:
        yield engine


def test_daily_active_users_count_each_user_once_per_day(engine, scenario):
    _, rows = engine.run("active_users_daily")

    assert rows == _distinct_users(scenario, lambda day: day)


def test_weekly_active_users_are_distinct_over_iso_weeks_not_summed(engine, scenario):
    columns, rows = engine.run("active_users_weekly")

    assert columns == ["enterprise", "week_start", "active_users"]
    expected = _distinct_users(scenario, _monday)
    assert rows == expected
    # the week of Mon 2025-10-27 holds 6 acme users over 4 days (12 user-days)
    assert ("acme", date(2025, 10, 27), 6) in rows


def test_monthly_active_users_are_distinct_over_calendar_months(engine, scenario):
    columns, rows = engine.run("active_users_monthly")

    assert columns == ["enterprise", "month_start", "active_users"]
    assert rows == _distinct_users(scenario, lambda day: day.replace(day=1))
    assert ("acme", date(2025, 11, 1), 5) in rows  # users 1, 2, 5, 6, 7


def test_acceptance_by_ide_sums_users_and_rate_is_null_without_generations(engine, scenario):
    columns, rows = engine.run("acceptance_by_ide")

    sums: dict[tuple[str, date, str], list[int]] = defaultdict(lambda: [0, 0])
    for slug, day, ide, generations, acceptances in scenario.ide_rows:
        sums[(slug, day, ide)][0] += generations
        sums[(slug, day, ide)][1] += acceptances
    expected = [
        (slug, day, ide, g, a, None if g == 0 else a / g) for (slug, day, ide), (g, a) in sorted(sums.items())
    ]
    assert columns[3:] == [
        "code_generation_activity_count",
        "code_acceptance_activity_count",
        "acceptance_rate",
    ]
    assert rows == expected
    assert any(row[2] == "neovim" and row[5] is None for row in rows)


@pytest.mark.parametrize("view", ["acceptance_by_language", "acceptance_by_model", "acceptance_by_feature"])
def test_other_views_run_even_where_no_file_exists_yet(engine, view):
    columns, rows = engine.run(view)

    assert columns[:2] == ["enterprise", "day"] and "acceptance_rate" in columns
    assert rows == []


def test_enterprise_daily_has_a_row_per_enterprise_and_day(engine, scenario):
    columns, rows = engine.run("enterprise_daily")

    assert columns[:2] == ["enterprise", "day"]
    assert sorted(row[:2] for row in rows) == sorted({(slug, day) for slug, day, _ in scenario.user_days})


def test_enterprise_daily_carries_the_day_totals(engine, scenario):
    _, rows = engine.run("SELECT enterprise, day, daily_active_users, acceptance_rate FROM enterprise_daily")

    per_day = {(slug, day): n for slug, day, n in _distinct_users(scenario, lambda day: day)}
    assert sorted(rows) == [(slug, day, n, 9 / 15) for (slug, day), n in sorted(per_day.items())]


def test_report_status_has_a_row_per_report_day_of_the_window(engine, scenario):
    columns, rows = engine.run("report_status")

    assert columns == ["report", "enterprise", "day", "status", "files", "bytes", "lines", "indexed"]
    window = days(date(2025, 10, 10), STATUS_TODAY - timedelta(days=1))
    recorded = {
        (r, slug, day): (status, f, b, n, i) for r, slug, day, status, f, b, n, i in scenario.statuses
    }
    expected = [
        (report, slug, day, *recorded.get((report, slug, day), ("missing", 0, 0, 0, False)))
        for report in ONE_DAY_REPORTS
        for slug in ("acme", "globex")
        for day in window
    ]
    expected.append(
        ("users-28-day", "acme", date(2025, 10, 13), *recorded[("users-28-day", "acme", date(2025, 10, 13))])
    )
    assert rows == sorted(expected)
    statuses = {row[3] for row in rows}
    assert statuses == {"ok", "empty", "missing"}


def test_report_status_window_follows_today(scenario):
    with LocalQueryEngine(scenario.root, today=date(2025, 10, 12)) as engine:
        _, rows = engine.run("SELECT DISTINCT day FROM report_status WHERE report = 'users-1-day'")

    assert sorted(r[0] for r in rows) == [date(2025, 10, 10), date(2025, 10, 11)]


def test_raw_tables_keep_each_line_as_text_with_its_partition(engine, scenario):
    _, rows = engine.run(
        "SELECT enterprise, day, CAST(json_extract_scalar(line, '$.user_id') AS bigint), "
        "json_extract_scalar(line, '$.note') FROM raw_users_1_day ORDER BY 1, 2, 3"
    )

    assert [r[:3] for r in rows] == sorted(scenario.user_days)
    assert {r[3] for r in rows} == {"a,b\t|c"}


def test_athena_sql_with_a_database_qualifier_runs_locally(engine, scenario):
    _, rows = engine.run("SELECT count(*) FROM copilot_metrics.user_daily WHERE day >= date '2025-11-01'")

    assert rows == [(sum(1 for _, day, _ in scenario.user_days if day >= date(2025, 11, 1)),)]


def test_json_format_is_one_array_of_row_objects_with_iso_dates(scenario):
    text = run_query("acceptance_by_ide", scenario.root, fmt="json", today=STATUS_TODAY)

    records = json.loads(text)
    assert isinstance(records, list) and records
    first = records[0]
    assert list(first) == [
        "enterprise",
        "day",
        "ide",
        "code_generation_activity_count",
        "code_acceptance_activity_count",
        "acceptance_rate",
    ]
    assert first["day"] == "2025-10-30" and isinstance(first["code_generation_activity_count"], int)
    assert any(r["acceptance_rate"] is None for r in records)
    assert any(isinstance(r["acceptance_rate"], float) for r in records)


def test_table_and_csv_formats(engine):
    columns, rows = engine.run("active_users_daily")

    table = format_rows(columns, rows, "table").splitlines()
    assert table[0].split() == columns and set(table[1]) <= {"-", " "}
    assert len(table) == len(rows) + 2
    csv_lines = format_rows(columns, rows, "csv").splitlines()
    assert csv_lines[0] == "enterprise,day,active_users" and csv_lines[1] == "acme,2025-10-30,3"


def test_an_empty_archive_has_empty_typed_tables_and_views(tmp_path):
    with LocalQueryEngine(tmp_path, today=STATUS_TODAY) as engine:
        for view in engine.view_names:
            # language_names is core/languages.py's mapping: rows of its own, whatever is archived.
            if view not in ("language_names", "org_language_names"):
                assert engine.run(view)[1] == []
        _, rows = engine.run(
            "SELECT typeof(day), typeof(user_id) FROM user_daily UNION ALL SELECT 'DATE', 'BIGINT'"
        )
    assert rows == [("DATE", "BIGINT")]


def test_unknown_view_and_bad_sql_are_named_in_the_error(engine):
    with pytest.raises(QueryError, match="unknown view 'active_users_yearly'"):
        engine.run("active_users_yearly")
    with pytest.raises(QueryError, match="no_such_table"):
        engine.run("SELECT * FROM no_such_table")
    with pytest.raises(QueryError, match="not valid Athena SQL"):
        engine.run("SELECT (")


# ---- a query defines only what it reads -------------------------------------------

CATALOG = "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"


def _read_by_view_file(name: str) -> set[str]:
    """The tables and views a shipped view's file reads, parsed here from athena/views."""
    tree = sqlglot.parse_one((ROOT / "athena" / "views" / f"{name}.sql").read_text(), read="athena")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table)} - ctes - {name}


def _defined(engine: LocalQueryEngine) -> set[str]:
    return {row[0] for row in engine.run(CATALOG, dialect="duckdb")[1]}


@pytest.mark.parametrize("view", ["active_users_weekly", "team_active_users_weekly", "report_status"])
def test_a_view_defines_only_what_it_reads_and_answers_as_with_everything_defined(scenario, view):
    with LocalQueryEngine(scenario.root, today=STATUS_TODAY) as engine:
        answer = engine.run(view)
        defined = _defined(engine)
    with LocalQueryEngine(scenario.root, today=STATUS_TODAY) as everything:
        everything.define(everything.names)
        every_name = _defined(everything)
        full_answer = everything.run(view)

    assert defined == _read_by_view_file(view) | {view}
    assert every_name == set(everything.names) and len(defined) < len(every_name) / 10
    assert answer == full_answer
    if view != "team_active_users_weekly":  # the scenario has no team data
        assert answer[1]


def test_sql_defines_what_it_reads_and_the_views_below_it(scenario):
    sql = (
        "SELECT w.enterprise, w.week_start, w.active_users, count(s.day) AS status_days "
        "FROM active_users_weekly w LEFT JOIN report_status s "
        "ON s.enterprise = w.enterprise "
        "AND s.day >= w.week_start AND s.day < w.week_start + INTERVAL '7' DAY "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2"
    )
    with LocalQueryEngine(scenario.root, today=STATUS_TODAY) as engine:
        answer = engine.run(sql)
        defined = _defined(engine)
    with LocalQueryEngine(scenario.root, today=STATUS_TODAY) as everything:
        everything.define(everything.names)
        full_answer = everything.run(sql)

    views = {"active_users_weekly", "report_status"}
    assert defined == views.union(*(_read_by_view_file(v) for v in views))
    assert answer == full_answer and answer[1]


def test_the_query_command_answers_a_view_without_loading_the_archivers_or_the_sql_parsers_modules(
    scenario, capsys
):
    from copilot_archive.cli import main

    probe = (
        "import sys; from copilot_archive.cli import main; "
        "code = main(['query', 'active_users_weekly', '--archive', sys.argv[1], '--format', 'json']); "
        "print(','.join(m for m in ('boto3', 'botocore', 'sqlglot', 'pyarrow') if m in sys.modules), code)"
    )
    loaded = probe_output(probe, str(scenario.root), env=os.environ).splitlines()[-1]

    assert loaded == " 0"
    assert main(["query", "active_users_weekly", "--archive", str(scenario.root), "--format", "json"]) == 0
    rows = [tuple(r.values()) for r in json.loads(capsys.readouterr().out)]
    assert rows == [(slug, start.isoformat(), n) for slug, start, n in _distinct_users(scenario, _monday)]


def test_the_report_defines_the_objects_its_panels_read_and_no_raw_table_nor_absent_level(
    scenario, tmp_path, monkeypatch
):
    from copilot_archive.reporting.report import write_report

    seen: list[str] = []
    close = LocalQueryEngine.close

    def keep_defined(engine: LocalQueryEngine) -> None:
        seen.extend(_defined(engine))
        close(engine)

    monkeypatch.setattr(LocalQueryEngine, "close", keep_defined)
    write_report(scenario.root, tmp_path / "report.html", today=STATUS_TODAY)

    with LocalQueryEngine(scenario.root) as engine:
        raw = {name for name in engine.table_names if name.startswith(("raw_", "org_raw_"))}
        every_name = set(engine.names)
    organization = {name for name in every_name if name.startswith(Level.ORGANIZATION.table_prefix)}
    assert seen and set(seen) <= every_name
    # This archive holds enterprises only: the organizations' index is asked and nothing else of theirs.
    assert not set(seen) & (raw | organization - {"org_index_status"})
    assert {"index_status", "user_daily", "active_users_weekly"} <= set(seen)
    assert len(seen) < len(every_name) / 3


# ---- end to end: simulator -> archiver -> indexer -> views -------------------------


@pytest.mark.loopback
def test_views_over_an_indexed_simulated_archive_match_the_report_files(
    cli_env, simulator, fixed_today, tmp_path
):
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    archive = tmp_path / "archive"
    window = days(date(2025, 10, 10), fixed_today - timedelta(days=1))
    argv = ["backfill", "--archive", str(archive), "--from", "2025-10-10", "--to", window[-1].isoformat()]
    assert main([*argv, "--reports", "users-1-day,enterprise-1-day", "--no-progress"]) == 0

    index_archive(LocalFolderStorage(archive), "copilot-metrics")

    users: dict[tuple[str, date], set[int]] = {}
    ide_sums: dict[tuple[str, date, str], list[int]] = defaultdict(lambda: [0, 0])
    for slug in ("acme", "globex"):
        for day in window:
            lines = [
                json.loads(line)
                for part in simulator.report_files(slug, "users-1-day", day)
                for line in part.splitlines()
                if line.strip()
            ]
            users[(slug, day)] = {line["user_id"] for line in lines}
            for line in lines:
                for row in line["totals_by_ide"]:
                    sums = ide_sums[(slug, day, row["ide"])]
                    sums[0] += row["code_generation_activity_count"]
                    sums[1] += row["code_acceptance_activity_count"]

    def grouped(period) -> list[tuple[str, date, int]]:
        merged: dict[tuple[str, date], set[int]] = defaultdict(set)
        for (slug, day), ids in users.items():
            merged[(slug, period(day))] |= ids
        return sorted((slug, start, len(ids)) for (slug, start), ids in merged.items())

    with LocalQueryEngine(archive, today=fixed_today) as engine:
        assert engine.run("active_users_daily")[1] == [
            (slug, day, len(ids)) for (slug, day), ids in sorted(users.items()) if ids
        ]
        assert engine.run("active_users_weekly")[1] == grouped(_monday)
        assert engine.run("active_users_monthly")[1] == grouped(lambda day: day.replace(day=1))
        _, ide_rows = engine.run("acceptance_by_ide")
        assert [row[:5] for row in ide_rows] == [(*key, g, a) for key, (g, a) in sorted(ide_sums.items())]
        _, enterprise_rows = engine.run("SELECT enterprise, day, daily_active_users FROM enterprise_daily")
        assert sorted(enterprise_rows) == [
            (slug, day, len(ids)) for (slug, day), ids in sorted(users.items())
        ]
        _, status_rows = engine.run("SELECT report, enterprise, day, status, indexed FROM report_status")
        archived = ("enterprise-1-day", "users-1-day")
        assert sorted(status_rows) == sorted(
            (report, slug, day, *(("ok", True) if report in archived else ("missing", False)))
            for report in ONE_DAY_REPORTS
            for slug in ("acme", "globex")
            for day in window
        )
