"""The curated tables: names and typed columns, a contract for Parquet, Glue, Athena and DuckDB.

Types are Athena (Hive DDL) type names. Every curated table is partitioned by
`enterprise` (string) and `day` (date) through its Hive-style path, so neither is a
column in the Parquet files:
    {prefix}/curated/{level}/{table}/{level}={slug}/day={YYYY-MM-DD}/part-0000.parquet
Fields a table does not type are kept, never dropped, as a JSON object in `extra`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .layout import Report


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

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


PARTITION_COLUMNS = (Column("enterprise", "string"), Column("day", "date"))

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
# Where each curated row came from: the raw file's index and the line's number in it (1-based).
LINEAGE = (Column("source_part", "int"), Column("source_line", "bigint"))
EXTRA = (Column("extra", "string"),)

CLI = (
    Column("prompt_count", "bigint"),
    Column("request_count", "bigint"),
    Column("session_count", "bigint"),
    Column("avg_tokens_per_request", "double"),
    Column("output_tokens_sum", "bigint"),
    Column("prompt_tokens_sum", "bigint"),
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
    ),
)

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
    ),
)

_BREAKDOWNS = (
    ("ide", "totals_by_ide"),
    ("feature", "totals_by_feature"),
    ("language_feature", "totals_by_language_feature"),
    ("language_model", "totals_by_language_model"),
    ("model_feature", "totals_by_model_feature"),
    ("cli", "totals_by_cli"),
)

USER_BREAKDOWNS = tuple(
    CuratedTable(
        f"user_{suffix}_daily",
        Report.USERS_1_DAY,
        breakdown,
        (*USER_KEY, *_breakdown_columns(breakdown), *LINEAGE, *EXTRA),
    )
    for suffix, breakdown in _BREAKDOWNS
)
ENTERPRISE_BREAKDOWNS = tuple(
    CuratedTable(
        f"enterprise_{suffix}_daily",
        Report.ENTERPRISE_1_DAY,
        breakdown,
        (*_breakdown_columns(breakdown), *LINEAGE, *EXTRA),
    )
    for suffix, breakdown in _BREAKDOWNS
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
    ),
)

ROW_TABLES = (USER_DAILY, ENTERPRISE_DAY_TOTALS)
CURATED_TABLES: tuple[CuratedTable, ...] = (
    USER_DAILY,
    *USER_BREAKDOWNS,
    ENTERPRISE_DAY_TOTALS,
    *ENTERPRISE_BREAKDOWNS,
)
ALL_TABLES: tuple[CuratedTable, ...] = (*CURATED_TABLES, INDEX_STATUS)
# Reports the indexer curates; the 28-day reports stay raw (their days are the 1-day reports').
CURATED_REPORTS = (Report.USERS_1_DAY, Report.ENTERPRISE_1_DAY)


def tables_for(report: Report) -> tuple[CuratedTable, ...]:
    return tuple(t for t in CURATED_TABLES if t.source is report)


def table_named(name: str) -> CuratedTable:
    for table in ALL_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)
