"""Organizations beside enterprises: the real handler archives every report kind GitHub serves
at each level, from the simulator over HTTP into moto's S3, under the level's own keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from copilot_archive.core.reports import Level, Report
from copilot_archive.core.reports import reports_at as served_at
from tests.conftest import CANARY_TOKEN, TODAY, bucket_objects, object_versions, served_lines

pytestmark = pytest.mark.loopback

ENTERPRISES = ("acme", "globex")
ORGANIZATIONS = ("octo", "hooli", "acme")  # "acme" is also an enterprise: two scopes, two archives
DAYS = [TODAY - timedelta(days=n) for n in (2, 1)]  # yesterday ends the latest 28-day window
EMPTY_DAY = TODAY - timedelta(days=5)


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    with Simulator(
        enterprises=ENTERPRISES,
        organizations=ORGANIZATIONS,
        users=5,
        today=TODAY,
        token=CANARY_TOKEN,
        empty_days=[EMPTY_DAY.isoformat()],
    ) as sim:
        yield sim


@pytest.fixture
def org_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
    runtime.archiver_from_env.cache_clear()
    return archiver_env


def reports_at(level: Level) -> tuple[Report, ...]:
    """The usage reports served at `level`: a manual run for past days takes no seat snapshot, and
    billing usage is not archived unless REPORTS names it."""
    return tuple(r for r in served_at(level) if not r.runs_where_planned)


def key_of(kind: str, level: str, report: str, slug: str, day: date, part: int | None = None) -> str:
    base = f"copilot-metrics/{kind}/{level}/{report}/{level}={slug}/day={day.isoformat()}"
    return f"{base}.json" if part is None else f"{base}/part-{part:04d}.json"


def test_enterprises_and_organizations_are_archived_with_every_report_kind(
    org_env, handler, s3, bucket, simulator
):
    summary = handler({"days": [d.isoformat() for d in DAYS]})

    assert summary["counts"]["failed"] == 0 and summary["counts"]["deferred"] == 0
    objects = bucket_objects(s3, bucket)
    scopes = [(Level.ENTERPRISE, s) for s in ENTERPRISES] + [(Level.ORGANIZATION, s) for s in ORGANIZATIONS]
    expected_archived = 0
    for level, slug in scopes:
        for report in reports_at(level):
            days = [simulator.latest_end_day(slug, report.value)] if report.is_28_day else DAYS
            for day in days:
                expected_archived += 1
                served = simulator.report_files(slug, report.value, day)
                manifest = json.loads(objects[key_of("manifests", level, report, slug, day)])
                assert manifest["level"] == level and manifest["slug"] == slug
                assert [f["sha256"] for f in manifest["files"]] == [
                    hashlib.sha256(b).hexdigest() for b in served
                ]
                for part, data in enumerate(served):
                    assert objects[key_of("raw", level, report, slug, day, part)] == data
    assert summary["counts"]["archived"] == expected_archived

    # GitHub's own names, and the scope named as GitHub's level, in the summary.
    entries = summary["archived"]
    org_entries = [e for e in entries if "organization" in e]
    assert {e["report"] for e in org_entries} == {r.value for r in reports_at(Level.ORGANIZATION)}
    assert not any("enterprise" in e for e in org_entries)
    assert {e["organization"] for e in org_entries} == set(ORGANIZATIONS)
    assert {e["report"] for e in entries if "enterprise" in e} == {
        r.value for r in reports_at(Level.ENTERPRISE)
    }

    # Organizations were asked on /orgs/ only for organization reports, enterprises on /enterprises/.
    paths = [r.path for r in simulator.requests if r.kind == "api"]
    assert not any("/orgs/" in p and "/enterprise-" in p for p in paths)
    assert not any("/enterprises/" in p and "/organization-" in p for p in paths)

    # A re-run asks GitHub nothing and writes nothing.
    versions = object_versions(s3, bucket)
    simulator.clear_requests()
    again = handler({"days": [d.isoformat() for d in DAYS]})
    assert again["counts"]["archived"] == 0
    assert [r for r in simulator.requests if r.kind == "api" and "/latest" not in r.path] == []
    assert object_versions(s3, bucket) == versions


def test_an_organization_day_answered_204_is_not_ready_and_nothing_is_written(
    org_env, handler, s3, bucket, simulator
):
    summary = handler(
        {"days": [EMPTY_DAY.isoformat()], "organizations": ["octo"], "reports": ["organization-1-day"]}
    )

    assert summary["counts"] == {"archived": 0, "skipped": 0, "not_ready": 1, "failed": 0, "deferred": 0}
    assert summary["not_ready"][0]["organization"] == "octo"
    # Nothing archived; only the organization's not-ready ledger, which holds the day.
    objects = bucket_objects(s3, bucket)
    assert list(objects) == ["copilot-metrics/state/not-ready/organization=octo.json"]
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=next(iter(objects)))["Body"].read())
    assert list(ledger["reports"]) == ["organization-1-day"]
    assert list(ledger["reports"]["organization-1-day"]) == [EMPTY_DAY.isoformat()]


def test_a_manual_event_may_name_organizations_only(org_env, handler, s3, bucket, simulator):
    summary = handler({"days": [DAYS[0].isoformat()], "organizations": ["hooli"], "reports": ["users-1-day"]})

    assert summary["counts"]["archived"] == 1
    assert summary["archived"][0] == {
        "report": "users-1-day",
        "organization": "hooli",
        "day": DAYS[0].isoformat(),
        **{k: summary["archived"][0][k] for k in ("files", "bytes", "lines")},
    }
    assert list(bucket_objects(s3, bucket)) == sorted(bucket_objects(s3, bucket))
    assert all("/organization=hooli/" in key for key in bucket_objects(s3, bucket))


def test_an_organization_not_configured_is_refused_naming_the_variable(org_env, handler):
    from copilot_archive.core.exceptions import InvalidRequest

    with pytest.raises(InvalidRequest, match="ORGANIZATIONS"):
        handler({"days": [DAYS[0].isoformat()], "organizations": ["initech"]})


def test_organizations_alone_are_a_configuration(org_env, handler, monkeypatch, s3, bucket, simulator):
    from copilot_archive.archiving import runtime

    monkeypatch.delenv("ENTERPRISES")
    runtime.archiver_from_env.cache_clear()

    summary = handler({"days": [DAYS[0].isoformat()], "reports": ["organization-1-day", "enterprise-1-day"]})

    assert summary["counts"]["archived"] == len(ORGANIZATIONS)
    assert {e["organization"] for e in summary["archived"]} == set(ORGANIZATIONS)


def test_the_indexer_lambda_files_organization_days_under_the_org_tables(
    org_env, handler, s3, bucket, monkeypatch, simulator
):
    """The stack's catalog (template.yaml's Glue tables, in moto) gets organization partitions
    on the org_ tables, never on the enterprise ones, and the curated files sit under the level."""
    import importlib.util
    import uuid

    import boto3

    from copilot_archive.indexing import runtime as index_runtime
    from tests.conftest import ROOT, FakeLambdaContext
    from tests.stack import create_stack_catalog

    glue = boto3.client("glue")
    database = f"copilot_metrics_{uuid.uuid4().hex[:8]}"
    create_stack_catalog(glue, database, bucket)
    monkeypatch.setenv("GLUE_DATABASE", database)
    index_runtime.indexer_from_env.cache_clear()
    spec = importlib.util.spec_from_file_location("indexer_app", ROOT / "functions" / "indexer" / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)

    day = DAYS[0]
    handler(
        {
            "days": [day.isoformat()],
            "organizations": ["octo"],
            "reports": ["organization-1-day", "users-1-day"],
        }
    )
    for report in ("organization-1-day", "users-1-day"):
        key = key_of("manifests", "organization", report, "octo", day)
        event = {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": {"bucket": {"name": bucket}, "object": {"key": key}},
        }
        result = app.lambda_handler(event, FakeLambdaContext(function_name="copilot-indexer"))
        assert result["counts"]["indexed"] == 1, result

    def partitions(table: str) -> list[list[str]]:
        return [
            p["Values"] for p in glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]
        ]

    for table in ("org_user_daily", "org_raw_users_1_day"):
        assert partitions(table) == [["octo", day.isoformat()]], table
    for table in ("org_day_totals", "org_index_status"):  # a file a month
        assert partitions(table) == [["octo", day.isoformat()[:7]]], table
    # Organization-level names do not say "enterprise"; the files keep the contract's folder.
    org_tables = [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]]
    org_tables = [name for name in org_tables if name.startswith("org_")]
    assert org_tables and not [name for name in org_tables if "enterprise" in name]
    totals = glue.get_partitions(DatabaseName=database, TableName="org_day_totals")["Partitions"][0]
    folder = "/curated/organization/enterprise_day_totals/organization=octo/"
    assert folder in totals["StorageDescriptor"]["Location"]
    for table in ("user_daily", "enterprise_day_totals", "index_status", "raw_users_1_day"):
        assert partitions(table) == [], table
    located = glue.get_partitions(DatabaseName=database, TableName="org_user_daily")["Partitions"][0]
    assert "/curated/organization/user_daily/organization=octo/" in located["StorageDescriptor"]["Location"]
    index_runtime.indexer_from_env.cache_clear()


def check_level(
    query: Callable[[str], list[dict[str, Any]]], sim: Any, level: Level, slugs: list[str]
) -> None:
    """Every view of the level against values computed from the served report bytes."""
    column = level.value

    def rows(view: str, *columns: str) -> list[tuple[Any, ...]]:
        found = query(f"SELECT {', '.join(columns)} FROM {level.table_name(view)}")
        return [tuple(row[c] for c in columns) for row in found]

    indexed = {(r, s) for r, s, ok in rows("index_status", "report", column, "indexed") if ok}
    assert indexed == {(r.value, s) for r in reports_at(level) for s in slugs}
    # Active users: distinct user_ids of the users-1-day lines.
    active = {
        (s, d.isoformat()): {line["user_id"] for line in served_lines(sim, s, "users-1-day", d)}
        for s in slugs
        for d in DAYS
    }
    daily = {(s, d): n for s, d, n in rows("active_users_daily", column, "day", "active_users")}
    assert daily == {key: len(users) for key, users in active.items()}
    # Teams: the members listed that day who have a users-1-day line that day, per team.
    expected: dict[tuple[str, int, str], int] = {}
    for s in slugs:
        for d in DAYS:
            members: dict[int, set[int]] = {}
            for line in served_lines(sim, s, "user-teams-1-day", d):
                members.setdefault(line["team_id"], set()).add(line["user_id"])
            for team_id, users in members.items():
                expected[(s, team_id, d.isoformat())] = len(users & active[(s, d.isoformat())])
    assert expected and any(expected.values()), "the simulator serves seated teams with active members"
    teams = rows("team_active_users_daily", column, "team_id", "day", "active_users")
    assert {(s, team, d): n for s, team, d, n in teams} == expected
    # Repositories: a row per repository line of the day.
    repos = sorted(rows("repo_pull_requests_daily", column, "repo_id", "day"))
    served = [
        (s, line["repo_id"], d.isoformat())
        for s in slugs
        for d in DAYS
        for line in served_lines(sim, s, "repos-1-day", d)
    ]
    assert repos == sorted(served)


def test_every_kind_at_both_levels_archived_indexed_and_queried_as_the_bytes_say(
    cli_env, monkeypatch, tmp_path, capsys
):
    """2 enterprises and 3 organizations, every report kind, on a laptop: archive, index and the
    views, checked against values computed here from the served report bytes; a re-run asks
    GitHub for nothing."""
    from copilot_archive.cli import main
    from copilot_simulator import Simulator

    simulator = Simulator(
        enterprises=ENTERPRISES, organizations=ORGANIZATIONS, users=30, today=TODAY, token=CANARY_TOKEN
    )
    archive = str(tmp_path / "archive")
    days = ",".join(d.isoformat() for d in DAYS)

    def query(sql: str) -> list[dict[str, Any]]:
        assert main(["query", sql, "--archive", archive, "--format", "json"]) == 0
        return json.loads(capsys.readouterr().out)

    with simulator as sim:
        monkeypatch.setenv("GITHUB_API_URL", sim.api_url)
        monkeypatch.setenv("ENTERPRISES", ",".join(ENTERPRISES))
        monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
        assert main(["archive", "--archive", archive, "--days", days, "--no-progress"]) == 0
        assert main(["index", "--archive", archive, "--no-progress"]) == 0
        capsys.readouterr()
        check_level(query, sim, Level.ENTERPRISE, list(ENTERPRISES))
        check_level(query, sim, Level.ORGANIZATION, list(ORGANIZATIONS))
        assert query("SELECT count(*) AS n FROM org_user_daily WHERE organization = 'globex'") == [{"n": 0}]

        sim.clear_requests()
        assert main(["archive", "--archive", archive, "--days", days, "--no-progress"]) == 0
        asked = [r.path for r in sim.requests if r.kind != "api" or "/latest" not in r.path]
        assert asked == [], "a re-run fetches nothing twice (only the latest 28-day windows are asked)"


def test_each_level_has_its_own_alarm_metrics(org_env, handler, simulator, capsys, monkeypatch):
    from datetime import UTC, datetime

    from copilot_archive.core import clock
    from tests.integration.test_archiver_handler import emf_metrics

    monkeypatch.setattr(clock, "utc_now", lambda: datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC))
    simulator.inject("download_html", times=10, report="users-1-day", slug="octo")
    capsys.readouterr()

    summary = handler({})  # a scheduled run: every scope, the data age of each level

    published = emf_metrics(capsys.readouterr().out)
    failed = summary["failed"]
    assert failed and all(f.get("organization") == "octo" for f in failed)
    assert published["OrgReportDaysFailed"] == len(failed) and published["ReportDaysFailed"] == 0
    ages = summary["data_age_hours_by_level"]
    assert (
        published["DataAgeHours"] == ages["enterprise"]
        and published["OrgDataAgeHours"] == ages["organization"]
    )
    assert summary["data_age_hours"] == max(ages.values())

    # A stack without organizations publishes no Org metric (its Org alarms do not exist).
    monkeypatch.delenv("ORGANIZATIONS")
    from copilot_archive.archiving import runtime

    runtime.archiver_from_env.cache_clear()
    handler({})
    assert not [name for name in emf_metrics(capsys.readouterr().out) if name.startswith("Org")]
