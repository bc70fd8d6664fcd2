"""The archive's key layout: every key is built and parsed here, and nowhere else.

Raw files:  {prefix}/raw/{level}/{report}/{level}={slug}/day={YYYY-MM-DD}/part-{i:04d}.json
Revised ones (billing usage, GitHub corrects its figures after the fact), each revision beside
the others, the first being 1; the day's manifest names the current one:
            {prefix}/raw/enterprise/billing-usage/enterprise={slug}/day={YYYY-MM-DD}/revision={n}/part-{i:04d}.csv
Manifests:  {prefix}/manifests/{level}/{report}/{level}={slug}/day={YYYY-MM-DD}.json
Curated:    {prefix}/curated/{level}/{table}/{level}={slug}/day={YYYY-MM-DD}/part-0000.parquet
Monthly curated tables (the enterprise-level ones and index_status, see
curated_schema.CuratedTable.monthly):
            {prefix}/curated/{level}/{table}/{level}={slug}/month={YYYY-MM}/part-0000.parquet
  each day's rows merged into it as the day is indexed (`day` is a column of the file).
For 28-day reports `day` is the report's end day.
A later copy of a 1-day report-day (REFETCH_RESTATED), beside the first, never over it:
            {prefix}/raw/revisions/{level}/{report}/{level}={slug}/day={YYYY-MM-DD}/revision={n:04d}/part-{i:04d}.json
            {prefix}/manifests/{level}/{report}/{level}={slug}/day={YYYY-MM-DD}/revision-{n:04d}.json
  (outside every raw table's folder, so Athena's raw tables read the first copy only).
Index status is the monthly curated table
`index_status`, a row per report-day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .exceptions import InvalidRequest
from .reports import Level, Report

DEFAULT_PREFIX = "copilot-metrics"
FIRST_REPORT_DAY = date(2025, 10, 10)
MAX_SLUG_LENGTH = 100

# GitHub enterprise and organization slugs: ASCII letters, digits, '-' and '_', not at the ends.
_SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
# The archive prefix, once its surrounding slashes are stripped: '/'-joined segments that
# start with a letter or digit (so never '.' or '..'). template.yaml's ArchivePrefix
# AllowedPattern is this text, character for character (tests/unit/test_template.py).
PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$"
_PREFIX = re.compile(PREFIX_PATTERN)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """An enterprise or an organization: what a credential opens and a key partition names."""

    level: Level
    slug: str

    def __str__(self) -> str:
        return f"{self.level}:{self.slug}"


@dataclass(frozen=True, slots=True, order=True)
class ReportDay:
    """One report for one enterprise and one day: the unit the archive fetches and commits."""

    report: Report
    slug: str
    day: date
    level: Level = Level.ENTERPRISE

    def __str__(self) -> str:
        return f"{self.report}/{self.level}={self.slug}/day={self.day.isoformat()}"

    @property
    def scope(self) -> Scope:
        return Scope(self.level, self.slug)


def validate_slug(slug: str) -> str:
    """Return `slug` if it is safe as a URL and key segment; refuse it otherwise."""
    if not isinstance(slug, str) or not slug:
        raise InvalidRequest(f"enterprise slug {slug!r} is empty")
    if len(slug) > MAX_SLUG_LENGTH:
        raise InvalidRequest(f"enterprise slug {slug[:20]!r}… is over {MAX_SLUG_LENGTH} characters")
    if not slug.isascii() or not _SLUG.fullmatch(slug):
        raise InvalidRequest(
            f"enterprise slug {slug!r} is not a GitHub slug "
            "(ASCII letters, digits, '-' and '_', starting and ending with a letter or digit)"
        )
    return slug


def validate_prefix(prefix: str) -> str:
    """Return the archive prefix without surrounding slashes if PREFIX_PATTERN accepts it."""
    stripped = prefix.strip("/")
    if not _PREFIX.fullmatch(stripped):
        raise InvalidRequest(
            f"archive prefix {prefix!r} must be '/'-separated segments of letters, digits, '.', '_', '-', "
            "each starting with a letter or digit"
        )
    return stripped


def parse_report(name: str) -> Report:
    try:
        return Report(name)
    except ValueError:
        known = ", ".join(r.value for r in Report)
        raise InvalidRequest(f"unknown report {name!r}; known reports: {known}") from None


def parse_day(text: str, field: str = "day") -> date:
    if not isinstance(text, str) or not _DAY.fullmatch(text):
        raise InvalidRequest(f"{field}: {text!r} is not a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{field}: {text!r} is not a calendar date") from None


def _partition(report_day: ReportDay) -> str:
    level = report_day.level.value
    return f"{level}/{report_day.report.value}/{level}={report_day.slug}"


def raw_day_prefix(prefix: str, report_day: ReportDay, revision: int | None = None) -> str:
    """The folder holding one report-day's raw files (of one revision, for revised kinds),
    ending in '/'."""
    folder = f"{prefix}/raw/{_partition(report_day)}/day={report_day.day.isoformat()}/"
    return folder if revision is None else f"{folder}revision={revision}/"


def raw_file_key(
    prefix: str, report_day: ReportDay, index: int, revision: int | None = None, later_copy: int = 0
) -> str:
    """A raw file of the report-day (of one `revision`, for revised kinds such as billing), or of
    a later copy of a restated 1-day report (`later_copy` >= 1), kept apart from the first."""
    if later_copy:
        folder = f"{prefix}/raw/revisions/{_partition(report_day)}/day={report_day.day.isoformat()}"
        return f"{folder}/revision={later_copy:04d}/part-{index:04d}.json"
    suffix = report_day.report.kind.file_type
    return f"{raw_day_prefix(prefix, report_day, revision)}part-{index:04d}.{suffix}"


def manifest_key(prefix: str, report_day: ReportDay, later_copy: int = 0) -> str:
    """The manifest of the report-day's first copy, or of a later one (`later_copy` >= 1)."""
    listing = manifest_listing_prefix(prefix, report_day.report, report_day.slug, report_day.level)
    if later_copy:
        return f"{revision_manifests_prefix(prefix, report_day)}revision-{later_copy:04d}.json"
    return f"{listing}day={report_day.day.isoformat()}.json"


def revision_manifests_prefix(prefix: str, report_day: ReportDay) -> str:
    """Where the manifests of a report-day's later copies are, ending in '/'."""
    listing = manifest_listing_prefix(prefix, report_day.report, report_day.slug, report_day.level)
    return f"{listing}day={report_day.day.isoformat()}/"


def manifests_prefix(prefix: str, report: Report | None = None, level: Level = Level.ENTERPRISE) -> str:
    """Where every manifest lives, or every enterprise's manifests of one report."""
    if report is None:
        return f"{prefix}/manifests/"
    return f"{prefix}/manifests/{level.value}/{report.value}/"


def manifest_listing_prefix(prefix: str, report: Report, slug: str, level: Level = Level.ENTERPRISE) -> str:
    """The prefix under which one listing finds every manifest of a report and enterprise."""
    return f"{manifests_prefix(prefix, report, level)}{level.value}={slug}/"


_MANIFEST_KEY = re.compile(
    r"(?P<prefix>.+)/manifests/(?P<level>[a-z]+)/(?P<report>[a-z0-9-]+)/"
    r"(?P=level)=(?P<slug>[^/]+)/day=(?P<day>\d{4}-\d{2}-\d{2})(?:/revision-(?P<revision>\d{4}))?\.json"
)


def manifest_revision(prefix: str, key: str) -> int:
    """Which copy of its report-day a manifest key names: 0 the first, n the n-th later one."""
    parse_manifest_key(prefix, key)
    match = _MANIFEST_KEY.fullmatch(key)
    assert match is not None
    return int(match["revision"] or 0)


def parse_manifest_key(prefix: str, key: str) -> ReportDay:
    """The report-day a manifest key names; InvalidRequest if the key is not a manifest key."""
    match = _MANIFEST_KEY.fullmatch(key)
    if match is None or match["prefix"] != prefix:
        raise InvalidRequest(f"{key!r} is not a manifest key under {prefix!r}")
    try:
        level = Level(match["level"])
    except ValueError:
        raise InvalidRequest(f"{key!r} names an unknown level {match['level']!r}") from None
    return ReportDay(
        report=parse_report(match["report"]),
        slug=validate_slug(match["slug"]),
        day=parse_day(match["day"]),
        level=level,
    )


def raw_table_location(prefix: str, report: Report, level: Level = Level.ENTERPRISE) -> str:
    """The folder a raw Athena table reads: partitions {level}={slug}/day=... below it."""
    return f"{prefix}/raw/{level.value}/{report.value}/"


def curated_table_location(prefix: str, table: str, level: Level = Level.ENTERPRISE) -> str:
    return f"{prefix}/curated/{level.value}/{table}/"


def curated_day_prefix(prefix: str, table: str, slug: str, day: date, level: Level = Level.ENTERPRISE) -> str:
    """One curated partition's folder, ending in '/'."""
    return f"{curated_table_location(prefix, table, level)}{level.value}={slug}/day={day.isoformat()}/"


def curated_file_key(prefix: str, table: str, slug: str, day: date, level: Level = Level.ENTERPRISE) -> str:
    """The one Parquet file of a curated partition: re-indexing replaces it, never adds one."""
    return f"{curated_day_prefix(prefix, table, slug, day, level)}part-0000.parquet"


def archiver_prefixes(prefix: str) -> tuple[str, ...]:
    """The subtrees the archiver writes: raw files, manifests and its state (the ledgers)."""
    return (f"{prefix}/raw/", f"{prefix}/manifests/", f"{prefix}/state/")


def curated_prefix(prefix: str) -> str:
    """The subtree the indexer writes: every curated table and index_status."""
    return f"{prefix}/curated/"


def not_ready_ledger_key(prefix: str, scope: Scope) -> str:
    """The scope's ledger of report-days GitHub answered "not ready" for (archiving/not_ready.py)."""
    return f"{prefix}/state/not-ready/{scope.level.value}={scope.slug}.json"


def index_status_key(prefix: str, report_day: ReportDay) -> str:
    """The index_status month file holding the report-day's row (one row per report and day)."""
    rd = report_day
    return curated_month_file_key(prefix, "index_status", rd.slug, rd.day, rd.level)


def restated_days_key(prefix: str, scope: Scope) -> str:
    """The indexer's list of a scope's restated 1-day report-days, read by the archiver when
    REFETCH_RESTATED is on (outside every curated table's folder)."""
    return f"{prefix}/curated/restated-days/{scope.level.value}={scope.slug}.json"


def month_text(day: date) -> str:
    """The month partition value of a day: YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


def curated_month_prefix(
    prefix: str, table: str, slug: str, day: date, level: Level = Level.ENTERPRISE
) -> str:
    """The folder of the month partition holding `day` in a monthly curated table, ending in '/'."""
    return f"{curated_table_location(prefix, table, level)}{level.value}={slug}/month={month_text(day)}/"


def curated_month_file_key(
    prefix: str, table: str, slug: str, day: date, level: Level = Level.ENTERPRISE
) -> str:
    """The one file of a month partition: every indexed day of the month, rewritten as days arrive."""
    return f"{curated_month_prefix(prefix, table, slug, day, level)}part-0000.parquet"
