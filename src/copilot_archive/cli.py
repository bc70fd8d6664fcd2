"""copilot-archive: the archiver's work on a laptop, into a folder or any S3 endpoint."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core import clock
from .core.exceptions import ArchiveError, ConfigError, InvalidRequest
from .core.layout import DEFAULT_PREFIX, validate_prefix
from .core.reports import Level
from .progress import Progress
from .querying.query import FORMATS, require_archive

if TYPE_CHECKING:
    from .archiving.archiver import Result, RunSummary
    from .archiving.planner import Plan, Window
    from .core.config import Settings
    from .core.storage import Storage
    from .querying.status import ReportStatus

# The archiver's modules (boto3, botocore, urllib3) are imported by the commands that use them:
# `query` and `report` answer in about the time DuckDB takes, not the time boto3 takes to load.

PROG = "copilot-archive"
DEFAULT_ARCHIVE = "./archive"
DEMO_ARCHIVE = "./demo-archive"
# Processes indexing a local folder at once (one per core, at most this many).
INDEX_WORKERS = 4
DEMO_ENTERPRISES = ("octodemo", "acme-corp")
DEMO_ORGANIZATIONS = ("octo-org", "acme-labs")
DEMO_TOKEN = "sim-token"  # the simulator's; nothing secret
EXIT_FAILED_DAYS = 1
EXIT_USAGE = 2


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Archive GitHub Copilot usage-metrics reports into a folder or an S3 bucket. "
        "Configured by the same environment variables as the Lambda (ENTERPRISES, GITHUB_TOKEN, ...).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--archive",
        default=DEFAULT_ARCHIVE,
        help=f"a folder or s3://BUCKET (default {DEFAULT_ARCHIVE}); AWS_ENDPOINT_URL selects another S3",
    )
    common.add_argument("--prefix", help="key prefix (default: ARCHIVE_PREFIX or copilot-metrics)")
    common.add_argument("--json", action="store_true", help="print the result as JSON")
    common.add_argument("--verbose", "-v", action="store_true", help="log each report-day (JSON, stderr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    archive = sub.add_parser(
        "archive",
        parents=[common],
        help="archive missing report-days (the whole available window unless days are given)",
    )
    archive.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD")
    archive.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD")
    archive.add_argument("--days", type=_csv, metavar="DAY,DAY")
    _add_selection(archive)
    archive.add_argument("--force", action="store_true", help="re-archive days that have a manifest")
    archive.add_argument("--no-progress", action="store_true", help="no progress bar")

    backfill = sub.add_parser(
        "backfill", parents=[common], help="archive every report-day from --from to --to"
    )
    backfill.add_argument("--from", dest="from_day", required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--to", dest="to_day", required=True, metavar="YYYY-MM-DD")
    _add_selection(backfill)
    backfill.add_argument("--force", action="store_true", help="re-archive days that have a manifest")
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar")

    status = sub.add_parser("status", parents=[common], help="archived, empty and missing days")
    _add_selection(status)

    index = sub.add_parser(
        "index", parents=[common], help="build the curated (Parquet) tables from the archived report-days"
    )
    index.add_argument("--force", action="store_true", help="re-index report-days that are indexed already")
    index.add_argument("--no-progress", action="store_true", help="no progress bar")

    erase = sub.add_parser(
        "erase-user",
        parents=[common],
        help="remove one person's rows from every curated per-person table (docs/personal-data.md)",
    )
    erase.add_argument("--login", dest="logins", action="append", default=[], metavar="LOGIN")
    erase.add_argument("--user-id", dest="user_ids", action="append", type=int, default=[], metavar="ID")

    query = sub.add_parser(
        "query", help="run SQL (Athena dialect) or a shipped view by name on a local archive, with DuckDB"
    )
    query.add_argument("sql_or_view", metavar="SQL_OR_VIEW", help="e.g. active_users_weekly or 'SELECT ...'")
    query.add_argument("--archive", default=DEFAULT_ARCHIVE, help=f"a folder (default {DEFAULT_ARCHIVE})")
    query.add_argument("--prefix", help="key prefix (default: ARCHIVE_PREFIX or copilot-metrics)")
    query.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")

    report = sub.add_parser(
        "report", help="write one self-contained HTML report (charts of the shipped views) of a local archive"
    )
    report.add_argument("--archive", default=DEFAULT_ARCHIVE, help=f"a folder (default {DEFAULT_ARCHIVE})")
    report.add_argument("--prefix", help="key prefix (default: ARCHIVE_PREFIX or copilot-metrics)")
    report.add_argument(
        "--out", metavar="FILE.html", help="where to write it (default: report.html in the archive)"
    )
    report.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD")
    report.add_argument(
        "--enterprises", type=_csv, metavar="SLUG,SLUG", help="default: every scope of the archive"
    )
    report.add_argument(
        "--organizations", type=_csv, metavar="LOGIN,LOGIN", help="default: every scope of the archive"
    )

    demo = sub.add_parser("demo", help="archive a simulated GitHub into a folder: no token, no AWS account")
    demo.add_argument("--archive", default=DEMO_ARCHIVE, help=f"a folder (default {DEMO_ARCHIVE})")
    demo.add_argument("--users", type=int, default=30, help="simulated users per enterprise (default 30)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _add_selection(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--reports", type=_csv, metavar="REPORT,REPORT", help="default: REPORTS or every kind"
    )
    command.add_argument("--enterprises", type=_csv, metavar="SLUG,SLUG", help="default: ENTERPRISES")
    command.add_argument("--organizations", type=_csv, metavar="LOGIN,LOGIN", help="default: ORGANIZATIONS")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "query":
            return _query(args)
        if args.command == "report":
            return _report(args)
        _log_report_days(getattr(args, "verbose", False))
        if args.command == "demo":
            return _demo(args)
        from .core.storage import open_storage

        if args.command == "index":
            return _index(args, open_storage(args.archive))
        if args.command == "erase-user":
            return _erase_user(args, open_storage(args.archive))
        storage = open_storage(args.archive)
        settings = _settings(args, storage)
        if args.command == "status":
            return _status(args, settings, storage)
        return _archive(args, settings, storage)
    except ArchiveError as exc:
        print(f"copilot-archive: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _log_report_days(verbose: bool) -> None:
    """The service's JSON log lines on stderr only with --verbose. Its Powertools Logger sets its
    own level when built, so the import that builds it comes first."""
    from .core.observability import SERVICE

    logging.getLogger(SERVICE).setLevel(logging.INFO if verbose else logging.WARNING)


def _settings(args: argparse.Namespace, storage: Storage) -> Settings:
    from .core.config import ENTERPRISES, ORGANIZATIONS, settings_from_env

    overrides: dict[str, Any] = {"prefix": args.prefix}
    given = False
    for variable, named in ((ENTERPRISES, args.enterprises), (ORGANIZATIONS, args.organizations)):
        configured = os.environ.get(variable, "").strip()
        given = given or named is not None or bool(configured)
        if named and not configured:
            # With the variable unset the named scopes are the configuration; with it set,
            # they must be among it, as in the Lambda's manual events.
            overrides[variable.lower()] = tuple(named)
    if not given:
        # Nothing names a scope: the archive's own, as someone pointing at an archive means.
        overrides.update(_archived_scopes(args, storage))
    return settings_from_env(**overrides)


def _archived_scopes(args: argparse.Namespace, storage: Storage) -> dict[str, tuple[str, ...]]:
    from .core.config import ENTERPRISES, ORGANIZATIONS
    from .querying.status import archive_holdings

    holdings = archive_holdings(storage, _prefix(args))
    if not holdings:
        raise ConfigError(
            f"no scope named: give --enterprises or --organizations, or set {ENTERPRISES} or "
            f"{ORGANIZATIONS}; {storage.describe()} holds no archived report-day under "
            f"{_prefix(args)}/ to take them from"
        )
    slugs = {level: tuple(h.scope.slug for h in holdings if h.scope.level is level) for level in Level}
    return {"enterprises": slugs[Level.ENTERPRISE], "organizations": slugs[Level.ORGANIZATION]}


def _archive(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    from .archiving.archiver import Outcome
    from .archiving.events import build_request
    from .archiving.planner import Window

    today = clock.utc_today()
    request = build_request(
        from_day=args.from_day,
        to_day=args.to_day,
        days=getattr(args, "days", None),
        reports=args.reports,
        enterprises=args.enterprises,
        organizations=args.organizations,
        force=args.force,
        window=Window.for_today(today),
        configured=settings.scopes,
    )
    summary = _run(settings, storage, request, today, show_progress=not args.no_progress)
    _print_summary(summary, storage, as_json=args.json)
    return EXIT_FAILED_DAYS if summary.of(Outcome.FAILED) else 0


def _run(settings: Settings, storage: Storage, request: Any, today: date, show_progress: bool) -> RunSummary:
    from .archiving.runtime import build_archiver
    from .core.deadline import Deadline

    archiver = build_archiver(settings, storage)
    with Progress("archiving", "report-day", enabled=show_progress) as progress:

        def start(plan: Plan) -> None:
            # Today's seat snapshots are archived by the run too, beside the planned report-days.
            if total := plan.size + len(plan.snapshots):
                progress.start(total)

        def advance(result: Result) -> None:
            progress.advance(note=f"{result.report} {result.slug} {result.day or 'latest'}")

        return archiver.run(request, Deadline.never(), today, on_plan=start, on_result=advance)


def _print_summary(summary: RunSummary, storage: Storage, as_json: bool) -> None:
    from .archiving.archiver import Outcome

    out = sys.stdout
    if as_json:
        json.dump(summary.to_dict(), out, indent=2)
        out.write("\n")
        return
    counts = summary.counts()
    seconds = (summary.finished_at - summary.started_at).total_seconds()
    out.write(
        f"{storage.describe()}: {counts['archived']} archived ({summary.bytes_archived / 1e6:.1f} MB), "
        f"{counts['skipped']} already there, {counts['not_ready']} not ready, "
        f"{counts['failed']} failed, {counts['deferred']} deferred in {seconds:.1f}s "
        f"({summary.api_retries} API retries, {summary.download_retries} download retries)\n"
    )
    if summary.resting:
        out.write(
            f"  {summary.resting} report-days answered not ready before and are not due for another ask yet\n"
        )
    if summary.stale_uploads_removed:
        out.write(f"  removed {summary.stale_uploads_removed} unfinished uploads that killed runs left\n")
    for result in summary.of(Outcome.FAILED) + summary.of(Outcome.DEFERRED):
        target = f"{result.report} {result.scope} {result.day or 'latest'}"
        out.write(f"  {result.outcome.value}: {target}: {result.reason}\n")


def _status(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    from .archiving.events import build_request
    from .archiving.planner import Window
    from .querying.status import archive_status

    today = clock.utc_today()
    reports = tuple(
        build_request(reports=args.reports, window=Window.for_today(today), configured=()).reports
        or settings.reports
    )
    scopes = build_request(
        enterprises=args.enterprises,
        organizations=args.organizations,
        window=Window.for_today(today),
        configured=settings.scopes,
    ).scopes
    statuses = archive_status(
        storage, settings.prefix, scopes or settings.scopes, reports, Window.for_today(today)
    )
    _print_status(statuses, storage, Window.for_today(today), as_json=args.json)
    return 0


def _print_status(statuses: list[ReportStatus], storage: Storage, window: Window, as_json: bool) -> None:
    out = sys.stdout
    if as_json:
        json.dump([s.to_dict() for s in statuses], out, indent=2)
        out.write("\n")
        return
    out.write(f"{storage.describe()}: window {window.first.isoformat()}..{window.last.isoformat()}\n")
    out.write(f"{'report':<20} {'scope':<30} {'archived':>8} {'empty':>6} {'missing':>8}  missing days\n")
    for status in statuses:
        row = status.to_dict()
        missing = ", ".join(row["missing_days"][:4]) + (" ..." if len(row["missing_days"]) > 4 else "")
        out.write(
            f"{row['report']:<20} {status.scope!s:<30} {row['archived']:>8} {row['empty']:>6} "
            f"{row['missing']:>8}  {missing}\n"
        )
    # A field GitHub added before the archive typed it: kept in `extra`, worth a column.
    for status in statuses:
        for names, days in status.unknown_field_days():
            out.write(
                f"{status.report.value} {status.scope}: fields no column types (kept in extra): "
                f"{', '.join(names)} on {', '.join(days)}\n"
            )


def _prefix(args: argparse.Namespace) -> str:
    from .core.config import ARCHIVE_PREFIX

    try:
        return validate_prefix(args.prefix or os.environ.get(ARCHIVE_PREFIX, "") or DEFAULT_PREFIX)
    except InvalidRequest as exc:
        raise ConfigError(str(exc)) from exc


def _index(args: argparse.Namespace, storage: Storage, show_progress: bool | None = None) -> int:
    from .core.privacy import privacy_from_env
    from .core.seat_prices import DEFAULT_SEAT_PRICES, SEAT_PRICES, parse_seat_prices
    from .core.storage import LocalFolderStorage
    from .indexing.indexer import index_archive

    privacy = privacy_from_env()  # a missing pseudonym key stops here, before anything is written
    prices = os.environ.get(SEAT_PRICES, "").strip()  # as the stack's indexer reads it
    seat_prices = parse_seat_prices(prices) if prices else DEFAULT_SEAT_PRICES
    if isinstance(storage, LocalFolderStorage):
        require_archive(storage.root, _prefix(args))  # "0 indexed" from a mistyped path reads as done
    enabled = not args.no_progress if show_progress is None else show_progress
    # Counted in manifests looked at: those indexed already are passed over, not indexed again.
    with Progress("indexing", "report-day", enabled=enabled) as progress:
        workers = min(os.cpu_count() or 1, INDEX_WORKERS)
        results = index_archive(
            storage,
            _prefix(args),
            on_start=progress.start,
            on_checked=progress.advance,
            force=args.force,
            workers=workers,
            privacy=privacy,
            seat_prices=seat_prices,
        )
    failed = [r for r in results if not r.indexed]
    if getattr(args, "json", False):
        json.dump([r.to_dict() for r in results], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        rows = sum(sum(r.rows.values()) for r in results)
        indexed = len(results) - len(failed)
        print(f"{storage.describe()}: {indexed} report-days indexed ({rows} rows), {len(failed)} failed")
        for result in failed:
            print(f"  failed: {result.report_day}: {result.error}")
    return EXIT_FAILED_DAYS if failed else 0


def _erase_user(args: argparse.Namespace, storage: Storage) -> int:
    """Remove a person's curated rows; say what was removed and which raw files still name them."""
    from .core.privacy import PSEUDONYMIZE_USERS, privacy_from_env
    from .indexing.privacy import Pseudonymizer, erase_person, raw_files_naming

    if not args.logins and not args.user_ids:
        raise InvalidRequest("name the person: --login LOGIN and/or --user-id ID")
    key = privacy_from_env().pseudonym_key
    pseudonymizer = Pseudonymizer(key) if key is not None else None
    prefix = _prefix(args)
    erased = erase_person(storage, prefix, args.logins, args.user_ids, pseudonymizer)
    # Pseudonymised raw files do not exist: raw is GitHub's bytes, so it is searched for the login.
    raw = raw_files_naming(storage, prefix, args.logins)
    if getattr(args, "json", False):
        body = {"rows": dict(erased.rows), "files": list(erased.files), "raw_files_naming": raw}
        json.dump(body, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    hidden = f" (as their pseudonyms, {PSEUDONYMIZE_USERS}=true)" if pseudonymizer else ""
    print(f"{storage.describe()}: removed {erased.total} rows{hidden} from {len(erased.files)} curated files")
    for table, count in sorted(erased.rows.items()):
        print(f"  {table}: {count} rows")
    print(f"{len(raw)} raw files still name them (kept byte for byte; see docs/personal-data.md):")
    for key_ in raw:
        print(f"  {key_}")
    return 0


def _query(args: argparse.Namespace) -> int:
    from .querying.query import run_query

    if args.archive.startswith("s3://"):
        raise ConfigError(
            "query reads a local folder; for a bucket use Athena (or sync it to a folder first)"
        )
    print(run_query(args.sql_or_view, args.archive, prefix=_prefix(args), fmt=args.format))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .reporting.report import ReportScope, write_report

    if args.archive.startswith("s3://"):
        raise ConfigError(
            "report reads a local folder; for a bucket use the Grafana dashboard in dashboards/"
        )
    scope = ReportScope(
        from_day=_day(args.from_day, "--from"),
        to_day=_day(args.to_day, "--to"),
        enterprises=tuple(args.enterprises or ()),
        organizations=tuple(args.organizations or ()),
    )
    if scope.from_day and scope.to_day and scope.from_day > scope.to_day:
        raise InvalidRequest(f"--from {scope.from_day} is after --to {scope.to_day}")
    path = write_report(args.archive, args.out, prefix=_prefix(args), scope=scope, today=clock.utc_today())
    print(f"Report: {path} ({path.stat().st_size:,} bytes)")
    return 0


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{option} {text!r} is not a YYYY-MM-DD day") from None


# What `make demo` shows once the simulated archive is indexed: SQL on the shipped views.
DEMO_QUERIES = (
    (
        "Weekly active users (distinct users per ISO week), latest weeks",
        "SELECT enterprise, week_start, active_users FROM active_users_weekly "
        "WHERE week_start >= current_date - INTERVAL '28' DAY ORDER BY week_start DESC, enterprise",
    ),
    (
        "Acceptance rate by IDE over the whole year",
        "SELECT enterprise, ide, sum(code_generation_activity_count) AS generations, "
        "sum(code_acceptance_activity_count) AS acceptances, "
        "round(CAST(sum(code_acceptance_activity_count) AS double) "
        "/ nullif(sum(code_generation_activity_count), 0), 3) AS acceptance_rate "
        "FROM acceptance_by_ide GROUP BY 1, 2 ORDER BY 1, 2",
    ),
    (
        "Organizations: weekly active users (org_ views: the same views over organization data)",
        "SELECT organization, week_start, active_users FROM org_active_users_weekly "
        "WHERE week_start >= current_date - INTERVAL '28' DAY ORDER BY week_start DESC, organization",
    ),
    (
        "Teams: weekly active users, the latest full week (GitHub leaves out teams under 5 seats)",
        "SELECT enterprise, team_slug, week_start, active_users FROM team_active_users_weekly "
        "WHERE week_start = CAST(date_trunc('week', current_date - INTERVAL '7' DAY) AS date) "
        "ORDER BY enterprise, team_slug",
    ),
    (
        "Inactive seats on the latest seat snapshot: no Copilot activity in 30 days (top 10)",
        "SELECT enterprise, user_login, plan_type, last_active_day, days_inactive, monthly_price_usd "
        "FROM inactive_seats WHERE day = (SELECT max(day) FROM inactive_seats) "
        "ORDER BY days_inactive DESC NULLS FIRST, enterprise, user_login LIMIT 10",
    ),
    (
        "Report-days in the archive",
        "SELECT report, status, count(*) AS days, sum(CASE WHEN indexed THEN 1 ELSE 0 END) AS indexed "
        "FROM report_status GROUP BY 1, 2 ORDER BY 1, 2",
    ),
)


DEMO_HINT_SQL = (
    "SELECT enterprise, count(*) AS days, max(active_users) AS most_active_users "
    "FROM active_users_daily GROUP BY 1 ORDER BY 1"
)


def _demo(args: argparse.Namespace) -> int:
    """Start the simulator on loopback, archive its whole window twice, show the status."""
    from urllib.parse import urlsplit

    from .archiving.archiver import Outcome
    from .archiving.events import build_request
    from .archiving.planner import Window
    from .core.config import Settings
    from .core.storage import open_storage
    from .querying.status import archive_status

    if args.users < 0:
        print("copilot-archive: error: --users must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    today = clock.utc_today()
    with _simulated_github(today, args.users) as api_url:
        settings = Settings(
            enterprises=DEMO_ENTERPRISES,
            organizations=DEMO_ORGANIZATIONS,
            api_url=api_url,
            token=DEMO_TOKEN,
            download_hosts=(urlsplit(api_url).hostname or "",),
            api_calls_per_minute=None,  # GitHub's per-minute limit: the local simulator has none
        ).with_overrides()
        storage = open_storage(args.archive)
        request = build_request(window=Window.for_today(today), configured=settings.scopes)
        print(
            f"Simulated GitHub at {api_url}; archiving enterprises {', '.join(DEMO_ENTERPRISES)} "
            f"and organizations {', '.join(DEMO_ORGANIZATIONS)}"
        )
        print(f"into {storage.describe()} (no AWS account, no token)")
        first = _run(settings, storage, request, today, show_progress=not args.no_progress)
        _print_summary(first, storage, as_json=False)
        history = _past_seat_snapshots(settings, storage, api_url, today, show_progress=not args.no_progress)
        api_calls_before = _api_requests(api_url)
        print("Second run (nothing new to fetch):")
        second = _run(settings, storage, request, today, show_progress=False)
        _print_summary(second, storage, as_json=False)
        print(f"  GitHub API requests made by the second run: {_api_requests(api_url) - api_calls_before}")
        statuses = archive_status(
            storage, settings.prefix, settings.scopes, settings.reports, Window.for_today(today)
        )
        _print_status(statuses, storage, Window.for_today(today), as_json=False)
    print("\nIndexing into curated Parquet tables:")
    index_args = argparse.Namespace(prefix=settings.prefix, force=False, json=False)
    index_failed = _index(index_args, storage, show_progress=not args.no_progress)
    from .querying.query import run_query

    for title, sql in DEMO_QUERIES:
        print(f"\n{title}:")
        print(run_query(sql, args.archive, prefix=settings.prefix))
    from .reporting.report import REPORT_STEPS, write_report

    print("\nWriting the report:")
    with Progress("report", "step", enabled=not args.no_progress, total=REPORT_STEPS) as progress:
        report = write_report(args.archive, prefix=settings.prefix, today=today, on_step=progress.advance)
    print(f"Report (open it in a browser, it works offline): {report.resolve()}")
    picture = screenshot(report)
    print(
        f"Its first screen as a picture: {picture.resolve()}"
        if picture
        else "(no headless Chromium: no picture)"
    )
    print("\nNext, from this folder (every view is a file in athena/views/; query also takes SQL):")
    for command in demo_hints(args.archive):
        print(f"  {command}")
    failed = first.of(Outcome.FAILED) or second.of(Outcome.FAILED) or history
    return EXIT_FAILED_DAYS if failed or index_failed else 0


def demo_snapshot_days(today: date) -> list[date]:
    """The past days the demo takes a seat snapshot on: once a week back from today, within the
    window of usage reports (so each has a users-1-day report to share the seats with); oldest first."""
    from .archiving.planner import Window

    first = Window.for_today(today).first
    weeks = (today - first).days // 7
    return [today - timedelta(days=7 * week) for week in range(weeks, 0, -1)]


def _past_seat_snapshots(
    settings: Settings, storage: Storage, api_url: str, today: date, show_progress: bool
) -> int:
    """Seat snapshots as if taken once a week over the past year: the simulator's today and the
    run's are moved to each day, and the archiver archives each as it archives any snapshot.
    Returns the failed snapshots."""
    from .archiving.archiver import Outcome
    from .archiving.events import RunRequest
    from .archiving.runtime import build_archiver
    from .core.deadline import Deadline
    from .core.reports import Report

    days = demo_snapshot_days(today)
    if not days:
        return 0
    print(
        f"Seat snapshots once a week since {days[0]}, as if taken on those days: the simulator's past "
        "(GitHub serves only today's seats: a real deployment's seat history starts on its first day)"
    )
    archiver = build_archiver(settings, storage)
    request = RunRequest(reports=(Report.COPILOT_SEATS, Report.COPILOT_BILLING))
    failed = 0
    try:
        with Progress("seat history", "snapshot day", enabled=show_progress, total=len(days)) as progress:
            for day in days:
                _move_simulator_today(api_url, day)
                summary = archiver.run(request, Deadline.never(), day)
                failed += len(summary.of(Outcome.FAILED))
                progress.advance(note=day.isoformat())
    finally:
        _move_simulator_today(api_url, today)
    if failed:
        print(f"  {failed} seat snapshots failed")
    return failed


def _move_simulator_today(api_url: str, day: date) -> None:
    import urllib.request

    ask = urllib.request.Request(f"{api_url}/_simulator/today?day={day.isoformat()}", method="POST")
    with urllib.request.urlopen(ask, timeout=30) as answer:
        answer.read()


def screenshot(report: Path) -> Path | None:
    """A PNG of the report's first screen beside it, where a headless Chromium is at hand."""
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return None
    target = report.with_suffix(".png")
    command = [
        *(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"),
        *("--window-size=1280,1400", f"--screenshot={target}", report.resolve().as_uri()),
    ]
    try:
        subprocess.run(command, capture_output=True, timeout=120, check=True)
    except (OSError, subprocess.SubprocessError):
        return None  # a picture is a nicety: the demo does not fail for want of one
    return target if target.exists() else None


def demo_hints(archive: str) -> tuple[str, ...]:
    """Commands to try on the demo's archive, spelled to run as printed from the current folder."""
    program, where = _program(), shlex.quote(archive)
    return (
        f"{program} query active_users_weekly --archive {where}",
        f"{program} query {shlex.quote(DEMO_HINT_SQL)} --archive {where}",
        f"{program} status --archive {where}",
    )


def _program() -> str:
    """This CLI as one can type it here: its name where the shell finds this very script by it,
    else the path it was started by (a fresh clone's .venv/bin is not on PATH), else python -m."""
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name == PROG:
        found = shutil.which(PROG)
        if found and Path(found).resolve() == Path(started).resolve():
            return PROG
        if "/" in started:
            return shlex.quote(started)
    return f"{shlex.quote(sys.executable)} -m copilot_archive.cli"


@contextmanager
def _simulated_github(today: date, users: int) -> Iterator[str]:
    """The simulator in a process of its own, its API's URL: serving the reports and archiving
    them then each have a core (in this process they took turns on one)."""
    import subprocess

    command = [
        *(sys.executable, "-m", "copilot_simulator", "--today", today.isoformat()),
        *("--enterprises", ",".join(DEMO_ENTERPRISES), "--organizations", ",".join(DEMO_ORGANIZATIONS)),
        *("--users", str(users), "--token", DEMO_TOKEN),
    ]
    simulator = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert simulator.stdout is not None
        started = simulator.stdout.readline()  # one JSON line once it listens
        if not started:
            raise ArchiveError(f"the simulator did not start (exit status {simulator.wait()})")
        yield str(json.loads(started)["api_url"])
    finally:
        simulator.terminate()  # SIGTERM: it stops serving and exits
        simulator.wait(timeout=30)


def _api_requests(api_url: str) -> int:
    """API requests the simulator has answered so far."""
    import urllib.request

    with urllib.request.urlopen(f"{api_url}/_simulator/stats", timeout=30) as answer:
        return int(json.load(answer)["api"])


if __name__ == "__main__":
    raise SystemExit(main())
