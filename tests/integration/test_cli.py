"""The copilot-archive CLI against the simulator, into a folder and into moto's S3."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pyarrow.parquet as pq
import pytest

from copilot_archive.cli import main
from tests.conftest import CANARY_TOKEN, bucket_objects

pytestmark = pytest.mark.loopback


def test_archive_into_a_folder_keeps_the_prefix_and_the_bytes(cli_env, tmp_path, capsys):
    archive = tmp_path / "archive"

    code = main(["archive", "--archive", str(archive), "--days", "2025-10-12,2025-10-13", "--json"])

    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    # two enterprises, two days, the four 1-day reports; the 28-day reports end on 2025-10-31
    assert summary["counts"]["archived"] == 2 * 2 * 4 + 0
    raw = archive / "copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-12"
    served = cli_env.report_files("acme", "users-1-day", date(2025, 10, 12))
    assert [p.read_bytes() for p in sorted(raw.iterdir())] == served
    manifest = json.loads(
        (
            archive / "copilot-metrics/manifests/enterprise/users-1-day/enterprise=acme/day=2025-10-12.json"
        ).read_text()
    )
    assert [f["sha256"] for f in manifest["files"]] == [hashlib.sha256(b).hexdigest() for b in served]
    assert not list(archive.rglob("*.partial"))


def test_the_cli_logs_each_report_day_only_when_asked(cli_env, tmp_path):
    # A fresh process, as a user runs it: the service's logger is built by an import the CLI makes
    # only for the commands that archive, after it has read --verbose. The process has the real
    # clock, so the simulator's today is the real one.
    from copilot_simulator import Simulator

    today = datetime.now(UTC).date()
    with Simulator(enterprises=("acme",), users=2, today=today, token=CANARY_TOKEN) as sim:
        env = {**os.environ, "GITHUB_API_URL": sim.api_url, "ENTERPRISES": "acme"}

        def run(archive: str, *flags: str) -> subprocess.CompletedProcess[str]:
            day = (today - timedelta(days=2)).isoformat()
            argv = ["archive", "--archive", str(tmp_path / archive), "--days", day, *flags]
            command = [sys.executable, "-m", "copilot_archive.cli", *argv]
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)

        quiet, verbose = run("quiet"), run("verbose", "--verbose")

    assert quiet.returncode == verbose.returncode == 0, quiet.stderr + verbose.stderr
    assert '"message":"report-day archived"' in verbose.stderr
    assert '"level":"INFO"' not in quiet.stderr, quiet.stderr[:500]


def test_status_shows_archived_and_missing_days(cli_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    assert (
        main(
            ["backfill", "--archive", archive, "--from", "2025-10-10", "--to", "2025-10-20", "--prefix", "x"]
        )
        == 0
    )
    capsys.readouterr()

    assert main(["status", "--archive", archive, "--prefix", "x", "--json", "--reports", "users-1-day"]) == 0

    rows = json.loads(capsys.readouterr().out)
    acme = next(r for r in rows if r["enterprise"] == "acme")
    assert (acme["archived"], acme["empty"], acme["missing"]) == (11, 0, 11)
    assert acme["missing_days"] == ["2025-10-21..2025-10-31"]


def test_empty_days_are_archived_and_reported_as_empty(cli_env, tmp_path, monkeypatch, capsys):
    from copilot_simulator import Simulator

    archive = str(tmp_path / "a")
    with Simulator(
        enterprises=("acme",), users=3, today=date(2025, 11, 1), token=CANARY_TOKEN, empty_days=["2025-10-15"]
    ) as quiet:
        monkeypatch.setenv("GITHUB_API_URL", quiet.api_url)
        monkeypatch.setenv("ENTERPRISES", "acme")
        days = "2025-10-14,2025-10-15"
        assert main(["archive", "--archive", archive, "--days", days, "--reports", "users-1-day"]) == 0
    capsys.readouterr()

    main(["status", "--archive", archive, "--json", "--reports", "users-1-day"])

    (acme,) = json.loads(capsys.readouterr().out)
    assert (acme["archived"], acme["empty"]) == (1, 1)
    assert "2025-10-15" not in ",".join(acme["missing_days"])


def test_archive_into_s3_endpoint(cli_env, s3, bucket, capsys):
    code = main(
        ["archive", "--archive", f"s3://{bucket}", "--days", "2025-10-12", "--reports", "users-1-day"]
    )

    assert code == 0
    assert "2 archived" in capsys.readouterr().out
    keys = bucket_objects(s3, bucket)
    assert sum("/manifests/" in k for k in keys) == 2


def test_a_failed_report_day_exits_1_and_says_why(cli_env, tmp_path, capsys):
    cli_env.inject("download_html", times=10, report="users-1-day", slug="acme")

    code = main(["archive", "--archive", str(tmp_path), "--days", "2025-10-12", "--reports", "users-1-day"])

    assert code == 1
    out = capsys.readouterr().out
    assert "failed: users-1-day enterprise:acme 2025-10-12" in out and "HTML" in out


def test_the_token_in_an_error_text_never_reaches_the_cli_output(cli_env, tmp_path, capsys):
    location = f"https://evil.example.invalid/dl/{CANARY_TOKEN}/part"
    cli_env.inject("redirect_offlist", times=10, report="users-1-day", slug="acme", location=location)

    code = main(["archive", "--archive", str(tmp_path), "--days", "2025-10-12", "--reports", "users-1-day"])

    assert code == 1
    captured = capsys.readouterr()
    assert "failed: users-1-day enterprise:acme 2025-10-12" in captured.out
    assert "evil.example.invalid/dl/<redacted>/part" in captured.out
    assert CANARY_TOKEN not in captured.out + captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["archive", "--days", "2025-10-01"], "reports start on 2025-10-10"),
        (["archive", "--from", "2025-10-12"], "to"),
        (["archive", "--days", "12/10/2025"], "YYYY-MM-DD"),
        (["archive", "--reports", "users-9-day"], "users-9-day"),
        (["archive", "--enterprises", "../x"], "../x"),
        (["archive", "--archive", "s3://"], "s3://BUCKET"),
        (["backfill", "--from", "2025-10-20", "--to", "2025-10-12"], "after"),
        (["status", "--prefix", "../up"], "prefix"),
        (["archive", "--enterprises", ""], "enterprises"),
        (["archive", "--reports", "users-1-day,,users-2-day"], "users-2-day"),
        (["archive", "--days", "2025-10-12", "--from", "2025-10-12", "--to", "2025-10-13"], "either"),
        (["archive", "--to", "2025-10-12"], "from"),
        (["backfill", "--from", "2025-10-01", "--to", "2025-10-02"], "reports start on 2025-10-10"),
        (["backfill", "--from", "2025-10-12", "--to", "2025-11-01"], "not over yet"),
        (["status", "--archive", "s3://a/b"], "s3://BUCKET"),
        (["archive", "--enterprises", "nobody-here"], "nobody-here"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_error(cli_env, tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)

    code = main(argv)

    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize(
    "argv", [["archive", "--force=3"], ["backfill", "--from", "2025-10-12"], ["nonsense"], []]
)
def test_argparse_errors_exit_2(cli_env, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_missing_token_is_a_clear_configuration_error(cli_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN")

    code = main(["archive", "--archive", str(tmp_path), "--days", "2025-10-12"])

    assert code == 2
    assert "GITHUB_TOKEN" in capsys.readouterr().err


def test_index_then_query_a_view_as_json(cli_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    assert main(["backfill", "--archive", archive, "--from", "2025-10-13", "--to", "2025-10-19"]) == 0
    capsys.readouterr()

    assert main(["index", "--archive", archive, "--no-progress"]) == 0
    assert "56 report-days indexed" in capsys.readouterr().out  # 7 days, 2 enterprises, 4 reports
    assert main(["query", "active_users_weekly", "--archive", archive, "--format", "json"]) == 0

    rows = json.loads(capsys.readouterr().out)
    expected = {}
    for slug in ("acme", "globex"):
        users = set()
        for offset in range(7):
            for part in cli_env.report_files(slug, "users-1-day", date(2025, 10, 13 + offset)):
                users |= {json.loads(line)["user_id"] for line in part.splitlines() if line.strip()}
        expected[slug] = len(users)
    assert {(r["enterprise"], r["week_start"]): r["active_users"] for r in rows} == {
        ("acme", "2025-10-13"): expected["acme"],
        ("globex", "2025-10-13"): expected["globex"],
    }


def test_index_writes_each_month_file_once_with_the_rows_of_indexing_day_by_day(
    cli_env, tmp_path, monkeypatch, capsys
):
    from copilot_archive.core.curated_schema import INDEX_STATUS, tables_for
    from copilot_archive.core.layout import curated_month_file_key, manifests_prefix
    from copilot_archive.core.reports import Report
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.catalog import NullCatalog
    from copilot_archive.indexing.indexer import Indexer

    archive = tmp_path / "a"
    days = [date(2025, 10, 13) + timedelta(days=n) for n in range(7)]
    reports = "users-1-day,enterprise-1-day"
    argv = ["--from", days[0].isoformat(), "--to", days[-1].isoformat(), "--reports", reports]
    assert main(["backfill", "--archive", str(archive), *argv, "--no-progress"]) == 0
    day_by_day = tmp_path / "b"
    shutil.copytree(archive, day_by_day)
    writes: Counter[str] = Counter()
    put_bytes = LocalFolderStorage.put_bytes

    def counted(self: LocalFolderStorage, key: str, data: bytes, *args: Any, **kwargs: Any) -> None:
        writes[key] += 1
        put_bytes(self, key, data, *args, **kwargs)

    monkeypatch.setattr(LocalFolderStorage, "put_bytes", counted)
    capsys.readouterr()

    assert main(["index", "--archive", str(archive), "--no-progress"]) == 0

    assert f"{len(days) * 2 * 2} report-days indexed" in capsys.readouterr().out
    monthly = [*tables_for(Report.ENTERPRISE_1_DAY), INDEX_STATUS]
    month_keys = {
        curated_month_file_key("copilot-metrics", t.name, slug, days[0])
        for t in monthly
        for slug in ("acme", "globex")
    }
    # Each month file once, not once for each of its report-days (a month's cost was its days squared).
    assert {key: writes[key] for key in month_keys} == dict.fromkeys(month_keys, 1)
    # The indexer Lambda's way, a report-day at a time, gives the same month files.
    one_day = Indexer(LocalFolderStorage(day_by_day), NullCatalog(), "copilot-metrics")
    for key in sorted(LocalFolderStorage(day_by_day).list_keys(manifests_prefix("copilot-metrics"))):
        assert one_day.index_manifest(key).indexed
    rows = 0
    for key in month_keys:
        batched, daily = pq.read_table(archive / key), pq.read_table(day_by_day / key)
        if "index_status" in key:  # indexed_at says when each was indexed
            batched, daily = batched.drop_columns(["indexed_at"]), daily.drop_columns(["indexed_at"])
            assert batched.num_rows == len(days) * 2  # a row per report-day: two reports a day
        assert batched.equals(daily), key
        rows += batched.num_rows
    assert rows > len(month_keys)


def test_index_twice_does_nothing_the_second_time(cli_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    main(["archive", "--archive", archive, "--days", "2025-10-13", "--reports", "users-1-day"])
    main(["index", "--archive", archive, "--no-progress"])
    capsys.readouterr()

    assert main(["index", "--archive", archive, "--no-progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no_such_view"], "no_such_view"),
        (["query", "SELECT FROM WHERE"], "SQL"),
        (["query", "active_users_daily", "--archive", "s3://bucket"], "local folder"),
        (["query", "active_users_daily", "--prefix", "a/../b"], "prefix"),
        (["index", "--prefix", "../up"], "prefix"),
    ],
)
def test_bad_query_and_index_arguments_exit_2(cli_env, tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    # An archive to ask (without one, the missing archive is the error: test_cli_errors.py).
    assert main(["archive", "--days", "2025-10-12", "--reports", "users-1-day", "--no-progress"]) == 0
    capsys.readouterr()

    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_demo_shows_progress_of_archiving_indexing_and_the_report_and_none_when_asked(
    tmp_path, monkeypatch, capsys
):
    from copilot_archive.archiving.planner import Window
    from copilot_archive.core import clock
    from copilot_archive.core.reports import Level
    from copilot_archive.querying.query import LocalQueryEngine
    from copilot_archive.reporting.report import REPORT_PANELS

    today = date(2025, 10, 13)
    monkeypatch.setattr(clock, "utc_today", lambda: today)  # a 3-day window: fast
    days = len(Window.for_today(today).days())
    # 2 enterprises and 2 organizations: four 1-day reports a day each, two 28-day reports each,
    # and today's seat snapshot of each (an organization's seat breakdown too).
    report_days = 4 * (4 * days + 2) + 2 * 1 + 2 * 2
    argv = ["demo", "--users", "2"]

    assert main([*argv, "--archive", str(tmp_path / "shown")]) == 0
    captured = capsys.readouterr()
    shown = captured.err.splitlines()
    assert main([*argv, "--archive", str(tmp_path / "quiet"), "--no-progress"]) == 0
    quiet = capsys.readouterr().err

    # stderr is not a terminal here: a line at the start and one at the end of each step.
    # Indexing looks at every manifest (2 users: no team has the 5 seats user-teams-1-day needs).
    manifests = len(list((tmp_path / "shown").rglob("manifests/**/*.json")))
    # Each level's panels: a query and a chart each; then the figures above the charts.
    steps = 2 * len(Level) * len(REPORT_PANELS) + 1
    for step, total, unit in (
        ("archiving", report_days, "report-day"),
        ("indexing", manifests, "report-day"),
        ("report", steps, "step"),
    ):
        assert f"{step}: 0/{total} {unit}s (0%)" in shown
        assert any(line.startswith(f"{step}: {total}/{total} {unit}s (100%) done in ") for line in shown)
    assert not any(line.startswith(("archiving:", "indexing:", "report:")) for line in quiet.splitlines())

    # The inactive seats of the latest snapshot, as the view has them, most inactive first.
    with LocalQueryEngine(tmp_path / "shown", today=today) as engine:
        _, seats = engine.run("inactive_seats")
    latest = max(row[1] for row in seats)
    idle = sorted(
        ((r[0], r[2], r[3], r[5], r[6], r[7]) for r in seats if r[1] == latest),
        key=lambda r: (r[4] is not None, -(r[4] or 0), r[0], r[1]),
    )[:10]
    printed = captured.out.split("Inactive seats on the latest seat snapshot")[1].split("\n\n")[0]
    rows = [line.split() for line in printed.splitlines()[3:]]
    assert idle and [row[:3] for row in rows] == [[e, login, plan] for e, login, plan, *_ in idle]
    # The report's first screen as a PNG where Chromium is installed.
    picture = tmp_path / "shown" / "report.png"
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        assert picture.read_bytes().startswith(b"\x89PNG") and f"{picture}" in captured.out
    else:
        assert not picture.exists() and "no headless Chromium" in captured.out


def test_archiving_a_small_report_day_builds_its_lines_once(cli_env, tmp_path, monkeypatch, capsys):
    """The API answer (204 when empty, how many links), the links and each download all need
    a repos-1-day day's lines: the simulator builds them once (the demo's time went to this)."""
    from copilot_simulator.reports import ReportBook

    built: Counter[tuple[str, str, date]] = Counter()
    build = ReportBook._lines

    def counted(self: ReportBook, slug: str, report: str, day: date) -> list[bytes]:
        built[(slug, report, day)] += 1
        return build(self, slug, report, day)

    monkeypatch.setattr(ReportBook, "_lines", counted)
    day = date(2025, 10, 13)
    argv = ["--days", day.isoformat(), "--reports", "repos-1-day", "--json"]

    assert main(["archive", "--archive", str(tmp_path / "a"), "--enterprises", "acme", *argv]) == 0

    assert json.loads(capsys.readouterr().out)["counts"]["archived"] == 1
    assert built == {("acme", "repos-1-day", day): 1}
    assert b"".join(cli_env.report_files("acme", "repos-1-day", day))  # served from the built lines
    assert built == {("acme", "repos-1-day", day): 1}


def test_the_demo_archives_a_weekly_seat_history_as_the_simulator_served_it_on_those_days(
    tmp_path, monkeypatch, capsys
):
    """Seats cannot be asked for a past day: the demo moves its simulator's today (and the run's)
    to each week of its window; each snapshot is the bytes the simulator serves on that day, and
    seats_daily shares the seats with that day's users-1-day report."""
    from copilot_archive.cli import DEMO_ENTERPRISES, DEMO_ORGANIZATIONS
    from copilot_archive.core import clock
    from copilot_archive.querying.query import LocalQueryEngine
    from copilot_simulator import Simulator
    from tests.integration.test_seats import served_pages

    today = date(2025, 10, 31)
    monkeypatch.setattr(clock, "utc_today", lambda: today)
    archive = tmp_path / "demo"
    # The window starts on 2025-10-10, the first report day: three whole weeks back from today.
    past = [today - timedelta(days=7 * weeks) for weeks in (3, 2, 1)]

    assert main(["demo", "--users", "2", "--archive", str(archive)]) == 0
    captured = capsys.readouterr()

    assert f"Seat snapshots once a week since {past[0]}" in captured.out
    assert "the simulator's past" in captured.out and "starts on its first day" in captured.out
    done = "seat history: 3/3 snapshot days (100%) done in "
    assert any(line.startswith(done) for line in captured.err.splitlines())
    # The demo's simulator with its arguments, in this process, asked as if on each day.
    scopes = [("enterprises", "enterprise", s) for s in DEMO_ENTERPRISES]
    scopes += [("orgs", "organization", s) for s in DEMO_ORGANIZATIONS]
    expected: dict[tuple[str, date], tuple[int, int, float]] = {}
    with Simulator(
        enterprises=DEMO_ENTERPRISES,
        organizations=DEMO_ORGANIZATIONS,
        users=2,
        links_per_report=3,
        token=CANARY_TOKEN,
    ) as sim:
        for day in [*past, today]:
            sim.today = day
            for owner, level, slug in scopes:
                served = served_pages(sim, owner, slug)
                kind = f"{level}/copilot-seats/{level}={slug}/day={day.isoformat()}"
                raw = archive / "copilot-metrics/raw" / kind
                assert [p.read_bytes() for p in sorted(raw.iterdir())] == served, kind
                assert (archive / "copilot-metrics/manifests" / f"{kind}.json").exists()
                if level == "enterprise" and day != today:
                    holders = {s["assignee"]["id"] for page in served for s in json.loads(page)["seats"]}
                    users = {
                        json.loads(line)["user_id"]
                        for part in sim.report_files(slug, "users-1-day", day)
                        for line in part.splitlines()
                        if line.strip()
                    }
                    active = len(holders & users)
                    expected[(slug, day)] = (len(holders), active, active / len(holders))

    with LocalQueryEngine(archive, today=today) as engine:
        columns, rows = engine.run("seats_daily")
    named = [dict(zip(columns, row, strict=True)) for row in rows]
    got = {
        (r["enterprise"], r["day"]): (r["seats"], r["active_users"], r["active_share"])
        for r in named
        if r["day"] in past
    }
    assert got.keys() == expected.keys()
    for key, (seats, active, share) in expected.items():
        assert got[key][:2] == (seats, active) and got[key][2] == pytest.approx(share), key
    assert all(share is not None for _, _, share in got.values())


def test_the_demos_seat_roster_changes_over_its_year_as_githubs_do():
    """The demo's simulator, asked as if on each week of a year: holders seated and unseated,
    cancellations pending first, and a last_activity_at cleared once 90 days old."""
    from copilot_archive.cli import DEMO_ENTERPRISES
    from copilot_simulator import Simulator
    from tests.integration.test_seats import served_pages

    today = date(2026, 10, 10)
    weeks = [today - timedelta(days=7 * back) for back in range(52, -1, -1)]
    slug = DEMO_ENTERPRISES[0]
    rosters: dict[date, dict[int, dict[str, Any]]] = {}
    with Simulator(enterprises=DEMO_ENTERPRISES, users=30, token=CANARY_TOKEN) as sim:
        for day in weeks:
            sim.today = day
            pages = served_pages(sim, "enterprises", slug)
            rosters[day] = {s["assignee"]["id"]: s for page in pages for s in json.loads(page)["seats"]}

    pairs = list(pairwise(weeks))
    assert any(rosters[b].keys() - rosters[a].keys() for a, b in pairs)  # seats added
    assert any(rosters[a].keys() - rosters[b].keys() for a, b in pairs)  # seats removed
    # A removed seat announced its cancellation first, the day it goes.
    removed = [(a, b, i) for a, b in pairs for i in rosters[a].keys() - rosters[b].keys()]
    assert any(
        rosters[a][i]["pending_cancellation_date"] is not None
        and a < date.fromisoformat(rosters[a][i]["pending_cancellation_date"]) <= b
        for a, b, i in removed
    )
    # A holder's last activity shown, then null once more than 90 days old, the seat still held.
    cleared = [
        (a, b, i)
        for a, b in pairs
        for i, seat in rosters[a].items()
        if seat["last_activity_at"] and i in rosters[b] and rosters[b][i]["last_activity_at"] is None
    ]
    assert cleared
    for a, b, i in cleared:
        last = date.fromisoformat(rosters[a][i]["last_activity_at"][:10])
        assert (a - last).days <= 90 < (b - last).days


def test_index_prices_seat_snapshots_at_the_seat_prices_setting(cli_env, tmp_path, monkeypatch, capsys):
    """The CLI's index reads SEAT_PRICES as the stack's indexer does; a bad one stops it, named."""
    archive = tmp_path / "a"
    monkeypatch.setenv("REPORTS", "copilot-seats")
    assert main(["archive", "--archive", str(archive)]) == 0  # today's seat snapshots
    capsys.readouterr()

    monkeypatch.setenv("SEAT_PRICES", "business=not-a-price")
    assert main(["index", "--archive", str(archive), "--no-progress"]) == 2
    assert "SEAT_PRICES: 'business=not-a-price'" in capsys.readouterr().err

    monkeypatch.setenv("SEAT_PRICES", "business=21.5")
    assert main(["index", "--archive", str(archive), "--no-progress"]) == 0
    prices = sorted(
        (archive / "copilot-metrics/curated/enterprise/seat_price").glob("enterprise=*/day=*/*.parquet")
    )
    assert {p.parent.parent.name for p in prices} == {"enterprise=acme", "enterprise=globex"}
    for path in prices:
        rows = {r["plan_type"]: r["monthly_price_usd"] for r in pq.read_table(path).to_pylist()}
        assert rows == {"business": 21.5, "enterprise": 39.0}  # unnamed plans keep GitHub's list price
