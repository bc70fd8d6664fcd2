"""The curated tables: names and typed columns, a contract for Parquet, Glue, Athena and DuckDB.

Types are Athena (Hive DDL) type names. A curated table of the users-1-day report is
partitioned by `enterprise` (string) and `day` (date) through its Hive-style path, so
neither is a column in the Parquet files:
    {prefix}/curated/{level}/{table}/{level}={slug}/day={YYYY-MM-DD}/part-0000.parquet
`{table}` is the contract's name at every level; Athena's name at a level is `name_at(level)`
(`org_day_totals` for the organizations' enterprise_day_totals).
A table of the enterprise-1-day report, and index_status, hold a row or a few a day: one
file a day would be mostly footer, so they are `monthly`, partitioned by `enterprise` and
`month` (YYYY-MM), with `day` (date) the last column of their one file a month (layout.py).
Fields a table does not type are kept, never dropped, as a JSON object in `extra`.
Column names, types and order are a contract: a new column goes at the end of its table.
The report fields these columns come from, and where GitHub documents them, are listed in
`documented_fields.py` (a test holds the two together).
"""

from __future__ import annotations

from dataclasses import dataclass

from .reports import REPORT_KINDS, Level, Report


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # Athena type: string, bigint, int, double, boolean, timestamp


@dataclass(frozen=True, slots=True)
class CuratedTable:
    """One curated table: rows from `source` report files; `breakdown` names the nested list
    (or object) each row comes from, None for one row per report line (or per day element)."""

    name: str
    source: Report
    breakdown: str | None
    columns: tuple[Column, ...]
    # The levels whose catalog holds the table: a table GitHub's data fills at one level only.
    levels: frozenset[Level] = frozenset(Level)
    # What the catalog says of it; None: told from `source` and `breakdown`.
    description: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def monthly(self) -> bool:
        """One file a month (day a column), not one a day: the enterprise-level tables, index_status
        and restatement_log."""
        return self.name in _MONTHLY_BY_NAME or self.source is Report.ENTERPRISE_1_DAY

    @property
    def file_columns(self) -> tuple[Column, ...]:
        """The columns of its Parquet files: `columns`, and `day` in a monthly table."""
        return (*self.columns, DAY_COLUMN) if self.monthly else self.columns

    def partition_columns(self, level: Level) -> tuple[Column, Column]:
        return partition_columns(level, monthly=self.monthly)

    def name_at(self, level: Level) -> str:
        """Its Athena name at `level`: `org_` prefixed at organization level, where a table of the
        enterprise report drops `enterprise_`, since an organization's report fills it
        (enterprise_day_totals -> org_day_totals). Its files keep `name` (layout.py)."""
        if level is Level.ENTERPRISE:
            return self.name
        return level.table_name(self.name.removeprefix(f"{Level.ENTERPRISE.value}_"))


DAY_COLUMN = Column("day", "date")
# Tables of a few rows a day whatever their source: one file a month.
_MONTHLY_BY_NAME = frozenset({"index_status", "restatement_log"})
MONTH_COLUMN = Column("month", "string")


def partition_columns(level: Level, *, monthly: bool = False) -> tuple[Column, Column]:
    """What a table offers a query besides its columns: the scope, and the day (the month for a
    monthly table), from each file's Hive-style path."""
    return (Column(level.value, "string"), MONTH_COLUMN if monthly else DAY_COLUMN)


PARTITION_COLUMNS = partition_columns(Level.ENTERPRISE)

ACTIVITY = tuple(
    Column(name, "bigint")
    for name in (
        "user_initiated_interaction_count",
        "code_generation_activity_count",
        "code_acceptance_activity_count",
        "loc_suggested_to_add_sum",
        "loc_suggested_to_delete_sum",
        "loc_added_sum",
        "loc_deleted_sum",
    )
)
USER_KEY = (Column("user_id", "bigint"), Column("user_login", "string"))
# Housekeeping fields of every report record.
HOUSEKEEPING = (
    Column("organization_id", "string"),  # organization-scope reports only
    Column("etl_id", "string"),
    Column("day_partition", "string"),
    Column("entity_id_partition", "bigint"),
)
# Where each curated row came from: the raw file's index and the line's number in it (1-based).
LINEAGE = (Column("source_part", "int"), Column("source_line", "bigint"))
EXTRA = (Column("extra", "string"),)

# totals_by_copilot_app: one object, as totals_by_cli, without a version of its own.
COPILOT_APP = (
    Column("prompt_count", "bigint"),
    Column("request_count", "bigint"),
    Column("session_count", "bigint"),
    Column("avg_tokens_per_request", "double"),
    Column("output_tokens_sum", "bigint"),
    Column("prompt_tokens_sum", "bigint"),
)
CLI = (
    *COPILOT_APP,
    Column("cli_version", "string"),
    Column("cli_version_sampled_at", "string"),
)
IDE = (
    Column("ide", "string"),
    *ACTIVITY,
    Column("ide_version", "string"),
    Column("ide_version_sampled_at", "string"),
    Column("plugin", "string"),
    Column("plugin_version", "string"),
    Column("plugin_version_sampled_at", "string"),
)
PHASE = (
    Column("phase", "string"),
    Column("phase_number", "int"),
    Column("total_engaged_users", "bigint"),
    *(
        Column(name, "double")
        for name in (
            "avg_user_initiated_interactions",
            "avg_code_generation_activities",
            "avg_code_acceptance_activities",
            "avg_loc_added",
            "avg_loc_deleted",
            "avg_pull_requests_reviewed",
            "avg_pull_requests_created",
            "avg_pull_requests_merged",
            "avg_pull_requests_median_minutes_to_merge",
        )
    ),
)
# Columns a breakdown's rows gained after its table was first published: after `extra`, as the
# contract's rule (a new column goes at the end of its table) asks.
PHASE_ADDED = (
    Column("total_pull_requests_merged", "bigint"),
    Column("avg_pull_requests_minutes_to_review", "double"),
    Column("avg_pull_requests_review_cycles", "double"),
)
# totals_by_3rd_party_agent: a list keyed by the agent's stable id (its name may change);
# session_count is in aggregated reports only, null on a user's rows.
THIRD_PARTY_AGENT = (
    Column("agent_id", "string"),
    Column("agent_name", "string"),
    Column("user_initiated_interaction_count", "bigint"),
    Column("session_count", "bigint"),
)
COMMENT_TYPE = (
    Column("comment_type", "string"),
    Column("total_copilot_suggestions", "bigint"),
    Column("total_copilot_applied_suggestions", "bigint"),
)
BREAKDOWN_KEYS = {
    "totals_by_ide": (),  # IDE columns carry their own key
    "totals_by_feature": (Column("feature", "string"),),
    "totals_by_language_feature": (Column("language", "string"), Column("feature", "string")),
    "totals_by_language_model": (Column("language", "string"), Column("model", "string")),
    "totals_by_model_feature": (Column("model", "string"), Column("feature", "string")),
}


def _breakdown_columns(breakdown: str) -> tuple[Column, ...]:
    if breakdown == "totals_by_ide":
        return IDE
    if breakdown == "totals_by_cli":
        return CLI
    if breakdown == "totals_by_ai_adoption_phase":
        return PHASE
    if breakdown == "pull_requests.copilot_suggestions_by_comment_type":
        return COMMENT_TYPE
    if breakdown == "totals_by_copilot_app":
        return COPILOT_APP
    if breakdown == "totals_by_3rd_party_agent":
        return THIRD_PARTY_AGENT
    return (*BREAKDOWN_KEYS[breakdown], *ACTIVITY)


USER_DAILY = CuratedTable(
    "user_daily",
    Report.USERS_1_DAY,
    None,
    (
        Column("enterprise_id", "string"),
        *USER_KEY,
        *ACTIVITY,
        Column("used_agent", "boolean"),
        Column("used_chat", "boolean"),
        Column("used_cli", "boolean"),
        Column("used_copilot_coding_agent", "boolean"),
        Column("used_copilot_cloud_agent", "boolean"),
        Column("used_copilot_code_review_active", "boolean"),
        Column("used_copilot_code_review_passive", "boolean"),
        Column("ai_credits_used", "double"),
        Column("ai_adoption_phase", "string"),
        Column("ai_adoption_phase_number", "int"),
        Column("ai_adoption_phase_version", "string"),
        *LINEAGE,
        *EXTRA,
        *HOUSEKEEPING,
        Column("used_copilot_app", "boolean"),
        # Written by the indexer, not read from the line: true when every used_* flag is null,
        # the reduced shape about a quarter of user lines arrive in (docs/data-quality.md).
        Column("reduced_shape", "boolean"),
    ),
)

# The usage flags of a user line; a line without any of them cannot be judged by feature.
USED_FLAGS = tuple(c.name for c in USER_DAILY.columns if c.name.startswith("used_"))

ENTERPRISE_DAY_TOTALS = CuratedTable(
    "enterprise_day_totals",
    Report.ENTERPRISE_1_DAY,
    None,
    (
        Column("enterprise_id", "string"),
        Column("daily_active_users", "bigint"),
        Column("weekly_active_users", "bigint"),
        Column("monthly_active_users", "bigint"),
        Column("monthly_active_chat_users", "bigint"),
        Column("monthly_active_agent_users", "bigint"),
        Column("daily_active_cli_users", "bigint"),
        *ACTIVITY,
        Column("pull_requests_total_created", "bigint"),
        Column("pull_requests_total_merged", "bigint"),
        Column("pull_requests_total_reviewed", "bigint"),
        Column("pull_requests_total_created_by_copilot", "bigint"),
        Column("pull_requests_total_reviewed_by_copilot", "bigint"),
        Column("pull_requests_median_minutes_to_merge", "double"),
        Column("report_shape", "string"),  # "wrapper" (day_totals list) or "flat" (day object)
        *LINEAGE,
        *EXTRA,
        *(
            Column(name, "bigint")
            for name in (
                "daily_active_copilot_cloud_agent_users",
                "weekly_active_copilot_cloud_agent_users",
                "monthly_active_copilot_cloud_agent_users",
                "daily_active_copilot_code_review_users",
                "weekly_active_copilot_code_review_users",
                "monthly_active_copilot_code_review_users",
                "daily_passive_copilot_code_review_users",
                "weekly_passive_copilot_code_review_users",
                "monthly_passive_copilot_code_review_users",
            )
        ),
        Column("pull_requests_total_suggestions", "bigint"),
        Column("pull_requests_total_applied_suggestions", "bigint"),
        Column("pull_requests_total_merged_created_by_copilot", "bigint"),
        Column("pull_requests_total_merged_reviewed_by_copilot", "bigint"),
        Column("pull_requests_total_copilot_suggestions", "bigint"),
        Column("pull_requests_total_copilot_applied_suggestions", "bigint"),
        Column("pull_requests_median_minutes_to_merge_copilot_authored", "double"),
        Column("pull_requests_median_minutes_to_merge_copilot_reviewed", "double"),
        *HOUSEKEEPING,
        Column("daily_active_copilot_app_users", "bigint"),
    ),
)

# One row per user-teams-1-day line: a user's membership of a team on the day.
USER_TEAM_DAILY = CuratedTable(
    "user_team_daily",
    Report.USER_TEAMS_1_DAY,
    None,
    (
        Column("enterprise_id", "string"),
        Column("team_id", "bigint"),
        Column("team_slug", "string"),  # GitHub's `slug`
        *USER_KEY,
        *LINEAGE,
        *EXTRA,
        *HOUSEKEEPING,
    ),
)

# The pull_requests fields of GitHub's field reference, typed; copilot_suggestions_by_comment_type
# (a list) and any newer field stay in `extra`.
PULL_REQUESTS = (
    *(
        Column(f"pull_requests_{name}", "bigint")
        for name in (
            "total_created",
            "total_merged",
            "total_reviewed",
            "total_created_by_copilot",
            "total_reviewed_by_copilot",
            "total_merged_created_by_copilot",
            "total_merged_reviewed_by_copilot",
            "total_suggestions",
            "total_applied_suggestions",
            "total_copilot_suggestions",
            "total_copilot_applied_suggestions",
        )
    ),
    Column("pull_requests_median_minutes_to_merge", "double"),
    Column("pull_requests_median_minutes_to_merge_copilot_authored", "double"),
    Column("pull_requests_median_minutes_to_merge_copilot_reviewed", "double"),
)

# One row per repos-1-day line; the lines carry no day, the partition (the report's day) does.
REPO_DAILY = CuratedTable(
    "repo_daily",
    Report.REPOS_1_DAY,
    None,
    (
        Column("repo_id", "bigint"),
        Column("repo_name", "string"),
        *PULL_REQUESTS,
        *LINEAGE,
        *EXTRA,
        *HOUSEKEEPING,
    ),
)

# One row per seat of a copilot-seats snapshot (indexing/seats.py), the day the snapshot was taken
# its partition; GitHub's seat object ("List all Copilot seat assignments", REST reference),
# with the assignee, organization and assigning team reduced to their login and slug.
SEAT_DAILY = CuratedTable(
    "seat_daily",
    Report.COPILOT_SEATS,
    None,
    (
        Column("user_login", "string"),
        Column("user_id", "bigint"),
        Column("organization", "string"),
        Column("assigning_team_slug", "string"),
        Column("plan_type", "string"),
        Column("created_at", "timestamp"),
        Column("updated_at", "timestamp"),
        Column("pending_cancellation_date", "date"),
        Column("last_activity_at", "timestamp"),
        Column("last_activity_editor", "string"),
        Column("last_authenticated_at", "timestamp"),
        *EXTRA,
    ),
)

# What a seat of each plan costs a month (the SEAT_PRICES setting), as the indexer knew it when it
# curated that day's snapshot: the views price seats from it, so no price is written in SQL.
SEAT_PRICE = CuratedTable(
    "seat_price",
    Report.COPILOT_SEATS,
    None,
    (Column("plan_type", "string"), Column("monthly_price_usd", "double")),
)

_BREAKDOWNS = (
    ("ide", "totals_by_ide"),
    ("feature", "totals_by_feature"),
    ("language_feature", "totals_by_language_feature"),
    ("language_model", "totals_by_language_model"),
    ("model_feature", "totals_by_model_feature"),
    ("cli", "totals_by_cli"),
    ("copilot_app", "totals_by_copilot_app"),
    ("3rd_party_agent", "totals_by_3rd_party_agent"),
)
# Columns added to a breakdown's table after it was published, by breakdown.
_ADDED = {"totals_by_ai_adoption_phase": PHASE_ADDED}

USER_BREAKDOWNS = tuple(
    CuratedTable(
        f"user_{suffix}_daily",
        Report.USERS_1_DAY,
        breakdown,
        (*USER_KEY, *_breakdown_columns(breakdown), *LINEAGE, *EXTRA),
    )
    for suffix, breakdown in _BREAKDOWNS
)
# Breakdowns only the enterprise (aggregated) report has; `breakdown` is dotted when nested.
_ENTERPRISE_ONLY = (
    ("ai_adoption_phase", "totals_by_ai_adoption_phase"),
    ("pull_request_comment_type", "pull_requests.copilot_suggestions_by_comment_type"),
)
ENTERPRISE_BREAKDOWNS = tuple(
    CuratedTable(
        f"enterprise_{suffix}_daily",
        Report.ENTERPRISE_1_DAY,
        breakdown,
        (*_breakdown_columns(breakdown), *LINEAGE, *EXTRA, *_ADDED.get(breakdown, ())),
    )
    for suffix, breakdown in (*_BREAKDOWNS, *_ENTERPRISE_ONLY)
)

# What the indexer records per report-day it saw; `report_status` joins it to the calendar.
INDEX_STATUS = CuratedTable(
    "index_status",
    Report.USERS_1_DAY,  # not used: written for every report
    None,
    (
        Column("report", "string"),
        Column("manifest_status", "string"),  # ok or empty, as the manifest says
        Column("files", "int"),
        Column("bytes", "bigint"),
        Column("lines", "bigint"),
        Column("rows", "bigint"),
        Column("indexed", "boolean"),
        Column("error", "string"),
        Column("indexed_at", "timestamp"),
        Column("manifest_key", "string"),
        # Values of typed fields that did not fit their column (a negative count, a number as
        # a string, NaN, a bool for an integer...): NULL in the column, kept as given in `extra`.
        Column("mistyped_values", "bigint"),
        # Fields seen in the report-day that no column types (kept in `extra`), sorted and
        # comma-separated, dotted below the top level (`totals_by_ide.channel`); null: none.
        Column("unknown_fields", "string"),
    ),
)

# One row per value a 28-day report restated (indexing/restatements.py): a numeric top-level
# field of a day's totals line, or of a user's line, that differs from the archived 1-day
# report of the same scope and day; and per value a billing revision changed against the one
# before it (indexing/billing_restatements.py). `day` (the file's last column) is the restated
# day. Rows are only ever added: a later report that agrees again removes none.
RESTATEMENT_LOG = CuratedTable(
    "restatement_log",
    Report.USERS_1_DAY,  # not used: written from the 28-day reports, compared with the 1-day ones
    None,
    (
        Column("report", "string"),  # the 1-day report restated (users-1-day, ...) or billing-usage
        Column("metric", "string"),  # the field
        Column("user_id", "bigint"),  # NULL for totals
        Column("user_login", "string"),  # NULL for totals
        Column("archived_value", "double"),  # NULL: the archived line lacks it (or the user)
        Column("restated_value", "double"),
        Column("first_seen", "date"),  # the first 28-day report's end day; a revision's fetch day
        Column("restated_by", "string"),  # that 28-day report (users-28-day, ...), or billing-usage
        Column("archived_manifest", "string"),  # the archived copy compared with
    ),
    description=(
        "One row per value a 28-day report restated against the archived 1-day report,"
        " or a billing revision changed."
    ),
)

# One row per line of GitHub's billing usage export (archiving/billing.py), of the day's latest
# revision; indexing/billing.py maps GitHub's CSV header to these names. Enterprise level only:
# GitHub exports billing usage per enterprise. Partitioned by the usage day, like user_daily.
BILLING_USAGE_DAILY = CuratedTable(
    "billing_usage_daily",
    Report.BILLING_USAGE,
    None,
    (
        Column("product", "string"),
        Column("sku", "string"),
        Column("model", "string"),
        Column("user_login", "string"),  # GitHub's `username`
        Column("organization", "string"),
        Column("repository", "string"),
        Column("cost_center", "string"),  # GitHub's `cost_center_name`
        Column("quantity", "double"),
        Column("unit_type", "string"),
        Column("price_per_unit", "double"),  # GitHub's `applied_cost_per_quantity`
        Column("gross_amount", "double"),
        Column("discount_amount", "double"),
        Column("net_amount", "double"),
        Column("source_line", "bigint"),
        *EXTRA,
    ),
    levels=frozenset({Level.ENTERPRISE}),
    description="One row per line of the billing usage export (its latest revision of the day).",
)

ROW_TABLES = (USER_DAILY, ENTERPRISE_DAY_TOTALS, USER_TEAM_DAILY, REPO_DAILY, SEAT_DAILY, BILLING_USAGE_DAILY)
CURATED_TABLES: tuple[CuratedTable, ...] = (
    USER_DAILY,
    *USER_BREAKDOWNS,
    ENTERPRISE_DAY_TOTALS,
    *ENTERPRISE_BREAKDOWNS,
    USER_TEAM_DAILY,
    REPO_DAILY,
    SEAT_DAILY,
    SEAT_PRICE,
)
# Tables of other sources than the usage reports: the indexer's report path never fills them.
SOURCE_TABLES: tuple[CuratedTable, ...] = (BILLING_USAGE_DAILY,)
ALL_TABLES: tuple[CuratedTable, ...] = (*CURATED_TABLES, INDEX_STATUS, RESTATEMENT_LOG, *SOURCE_TABLES)
# Reports the indexer curates (core/reports.py says which tables each one fills).
CURATED_REPORTS = tuple(kind.report for kind in REPORT_KINDS if kind.curated_as is not None)


def row_table(report: Report) -> CuratedTable:
    """The table with one row per line (per day element, for the enterprise report) of a report."""
    for table in ROW_TABLES:
        if table.source is report.kind.curated_as:
            return table
    raise KeyError(report)


def tables_for(report: Report) -> tuple[CuratedTable, ...]:
    source = report.kind.curated_as
    return tuple(t for t in (*CURATED_TABLES, *SOURCE_TABLES) if source is not None and t.source is source)


def table_named(name: str) -> CuratedTable:
    for table in ALL_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)


def table_name(name: str, level: Level) -> str:
    """The Athena name at `level` of the curated table the contract calls `name`."""
    return table_named(name).name_at(level)


# Tables that name a person (a user_login column): all of them pseudonymised (core/privacy.py).
NAMING_A_PERSON: tuple[CuratedTable, ...] = tuple(t for t in ALL_TABLES if "user_login" in t.column_names)
# Of those, the tables of one person's rows with a file a day, so that a day's per-person rows are
# one object: expired after USER_DATA_RETENTION_DAYS and erased on request. restatement_log (a
# month file of differences, a person's among the totals') and billing_usage_daily (the bill
# itself: billed_usage_monthly sums it) are pseudonymised but kept.
PER_PERSON_TABLES: tuple[CuratedTable, ...] = tuple(
    t for t in NAMING_A_PERSON if not t.monthly and t.name != "billing_usage_daily"
)
