"""Every report kind GitHub serves, in one table: the client, layout, planner, raw tables and
CLI follow from it.

A kind is asked for one day (`?day=YYYY-MM-DD`) or as the latest window (`/latest`, whose
end day names the report-day), at the levels GitHub serves it. Adding a future kind of the
same shape (links for a day) is one entry in REPORT_KINDS plus, when it is curated, its
tables in curated_schema.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ENTERPRISE = "enterprise"
    ORGANIZATION = "organization"

    @property
    def api_owner(self) -> str:
        """The REST path segment that owns a scope of this level."""
        return "enterprises" if self is Level.ENTERPRISE else "orgs"

    @property
    def table_prefix(self) -> str:
        """Athena names of this level's tables and views: `user_daily`, `org_user_daily`."""
        return "" if self is Level.ENTERPRISE else "org_"

    def table_name(self, name: str) -> str:
        return self.table_prefix + name


class Cadence(StrEnum):
    DAY = "day"  # asked with ?day=YYYY-MM-DD, one report-day per day
    LATEST = "latest"  # only the latest window is served; its end day names the report-day
    # Only today's state is served (the seat roster): taken once per UTC day, its day names the
    # report-day, and a day not taken is lost (no backfill).
    SNAPSHOT = "snapshot"
    # An export GitHub builds on request (billing usage): created, polled and downloaded for one
    # usage day; days stay asked for 24 months and recent ones again, as GitHub revises them.
    EXPORT = "export"


class Report(StrEnum):
    """Report names as GitHub spells them (the last segment of the API path)."""

    ENTERPRISE_1_DAY = "enterprise-1-day"
    USERS_1_DAY = "users-1-day"
    ENTERPRISE_28_DAY = "enterprise-28-day"
    USERS_28_DAY = "users-28-day"
    ORGANIZATION_1_DAY = "organization-1-day"
    ORGANIZATION_28_DAY = "organization-28-day"
    USER_TEAMS_1_DAY = "user-teams-1-day"
    REPOS_1_DAY = "repos-1-day"
    # Snapshots, named by this archive (GitHub's paths end in .../copilot/billing/seats and
    # .../copilot/billing): the seat roster and an organization's seat breakdown.
    COPILOT_SEATS = "copilot-seats"
    COPILOT_BILLING = "copilot-billing"
    # GitHub's billing usage report export, one usage day each (archiving/billing.py).
    BILLING_USAGE = "billing-usage"

    @property
    def kind(self) -> ReportKind:
        return _KIND_OF[self]

    @property
    def is_28_day(self) -> bool:
        """Served only as the latest window (the 28-day reports)."""
        return self.kind.cadence is Cadence.LATEST

    @property
    def is_snapshot(self) -> bool:
        """Today's state, taken once per UTC day (the seat roster): never backfilled."""
        return self.kind.cadence is Cadence.SNAPSHOT

    @property
    def is_export(self) -> bool:
        """An export created, polled and downloaded per usage day, revised after the fact."""
        return self.kind.cadence is Cadence.EXPORT

    @property
    def runs_where_planned(self) -> bool:
        """Archived by the run that plans it, never put on the archive queue: a snapshot is of
        the day it is taken; a billing export is planned again by the next run."""
        return self.kind.cadence in (Cadence.SNAPSHOT, Cadence.EXPORT)

    @property
    def permission_family(self) -> Cadence:
        """What one refusal of a scope's credential stands for: the usage reports (day and latest
        alike), the snapshots, or the billing exports each need a permission of their own."""
        return Cadence.DAY if self.kind.cadence is Cadence.LATEST else self.kind.cadence

    @property
    def is_daily(self) -> bool:
        """Asked for one past day (`?day=`): the 1-day usage reports."""
        return self.kind.cadence is Cadence.DAY


@dataclass(frozen=True, slots=True)
class ReportKind:
    report: Report
    levels: frozenset[Level]
    cadence: Cadence
    # Whose curated tables this report's lines fill (curated_schema.py); None: kept raw only.
    curated_as: Report | None = None
    # The path below the scope's (`/orgs/{org}`), when it is not the usage reports' one.
    endpoint: str | None = None
    # How GitHub serves the files, as their archived names end: `part-0000.json`, `.csv`.
    file_type: str = "json"

    def api_path(self, level: Level, slug: str) -> str:
        """The path that answers for this report (its download links, or a snapshot's first
        page), below the API's base URL."""
        if self.endpoint is not None:
            return f"/{level.api_owner}/{slug}{self.endpoint}"
        path = f"/{level.api_owner}/{slug}/copilot/metrics/reports/{self.report.value}"
        return f"{path}/latest" if self.cadence is Cadence.LATEST else path


_ENTERPRISE = frozenset({Level.ENTERPRISE})
_ORGANIZATION = frozenset({Level.ORGANIZATION})
_BOTH = frozenset(Level)

REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind(Report.ENTERPRISE_1_DAY, _ENTERPRISE, Cadence.DAY, Report.ENTERPRISE_1_DAY),
    ReportKind(Report.USERS_1_DAY, _BOTH, Cadence.DAY, Report.USERS_1_DAY),
    # The 28-day reports stay raw: their days are the 1-day reports' days.
    ReportKind(Report.ENTERPRISE_28_DAY, _ENTERPRISE, Cadence.LATEST),
    ReportKind(Report.USERS_28_DAY, _BOTH, Cadence.LATEST),
    # An organization's totals have the enterprise report's shape (plus organization_id).
    ReportKind(Report.ORGANIZATION_1_DAY, _ORGANIZATION, Cadence.DAY, Report.ENTERPRISE_1_DAY),
    ReportKind(Report.ORGANIZATION_28_DAY, _ORGANIZATION, Cadence.LATEST),
    ReportKind(Report.USER_TEAMS_1_DAY, _BOTH, Cadence.DAY, Report.USER_TEAMS_1_DAY),
    ReportKind(Report.REPOS_1_DAY, _BOTH, Cadence.DAY, Report.REPOS_1_DAY),
    # GitHub's REST reference, "REST API endpoints for Copilot user management"
    # (https://docs.github.com/en/enterprise-cloud@latest/rest/copilot/copilot-user-management):
    # "List all Copilot seat assignments for an enterprise / for an organization" (paginated),
    # and "Get Copilot seat information and settings for an organization" (one object).
    ReportKind(
        Report.COPILOT_SEATS, _BOTH, Cadence.SNAPSHOT, Report.COPILOT_SEATS, endpoint="/copilot/billing/seats"
    ),
    ReportKind(Report.COPILOT_BILLING, _ORGANIZATION, Cadence.SNAPSHOT, endpoint="/copilot/billing"),
    # "Usage reports" (https://docs.github.com/en/rest/billing/usage-reports): an enterprise's
    # billing usage report export, CSV files from signed links (archiving/billing.py).
    ReportKind(
        Report.BILLING_USAGE,
        _ENTERPRISE,
        Cadence.EXPORT,
        Report.BILLING_USAGE,
        endpoint="/settings/billing/reports",
        file_type="csv",
    ),
)
_KIND_OF = {kind.report: kind for kind in REPORT_KINDS}

ALL_REPORTS: tuple[Report, ...] = tuple(kind.report for kind in REPORT_KINDS)
# What a stack archives unless REPORTS says otherwise: all but billing usage. Billing needs an
# enterprise admin's or billing manager's token, which the Copilot metrics token is not; on by
# default, every stack without it would fail billing every run and raise its failed alarm.
DEFAULT_REPORTS: tuple[Report, ...] = tuple(r for r in ALL_REPORTS if r is not Report.BILLING_USAGE)


def raw_table_name(report: Report, level: Level = Level.ENTERPRISE) -> str:
    """`users-1-day` -> `raw_users_1_day` (`org_raw_users_1_day`): Athena names take no '-'."""
    return level.table_name("raw_" + report.value.replace("-", "_"))


def reports_at(level: Level, wanted: tuple[Report, ...] = ALL_REPORTS) -> tuple[Report, ...]:
    """The wanted reports GitHub serves at `level`, in the order given."""
    return tuple(r for r in wanted if level in r.kind.levels)


# Levels whose tables and views the stack's Glue catalog and Athena hold; the indexer leaves
# other levels' manifests alone (their raw files are archived all the same).
CATALOGUED_LEVELS = frozenset(Level)

# Every (level, report) pair GitHub serves: one raw table and one manifest listing each.
SERVED: tuple[tuple[Level, Report], ...] = tuple((level, r) for level in Level for r in reports_at(level))
