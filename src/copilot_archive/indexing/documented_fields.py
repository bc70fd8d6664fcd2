"""The report fields GitHub documents, with their JSON types, and where each one is curated.

Sources (facts only: names, JSON types, which object holds them):
    github/docs, content/copilot/reference/copilot-usage-metrics/copilot-usage-metrics.md,
    section "API and export fields" (tables of field, type, nullable), and example-schema.md
    beside it. Read on 2026-11-25 from the stored copy of github/docs: the newest version of the
    page found there, the one with typed field tables (older stored versions, e.g. commit
    0460e4095b136e687f3647e7c2420427b90ae4dc, list fewer fields and no types).

    Fields GitHub added from June to September 2026, read on 2026-12-03 (`ADDED_SOURCES`). The
    stored copy of github/docs has no version of the field reference with them, and the search
    tools give excerpts of the published pages, not the pages: each field below is typed from
    the example schema as published (docs.github.com/pt/copilot/reference/copilot-usage-metrics/
    example-schema, the user-level example: `totals_by_copilot_app` with `token_usage`,
    `totals_by_3rd_party_agent` with `agent_id` as a string) and from GitHub's changelog entries,
    as quoted by the pages named in `ADDED_SOURCES` (github.blog itself was not readable here):
    - 2026-06-26 "Track total merges by adoption phase": `total_pull_requests_merged` in each
      `totals_by_ai_adoption_phase` element (enterprise and organization reports);
    - 2026-07-07 "Add review cycles and time to adoption phases in the usage API":
      `avg_pull_requests_minutes_to_review`, `avg_pull_requests_review_cycles` (medians, of
      merged pull requests) in the same elements;
    - 2026-07-17 "GitHub Copilot app now available in the usage metrics API":
      `daily_active_copilot_app_users` and `totals_by_copilot_app {session_count, request_count,
      prompt_count, token_usage {output_tokens_sum, prompt_tokens_sum, avg_tokens_per_request}}`
      on enterprise and organization lines, null without app activity;
    - 2026-08-07 "Copilot usage metrics API adds agent app activity": `totals_by_3rd_party_agent[]
      {agent_id (stable), agent_name (may change), user_initiated_interaction_count,
      session_count (aggregated reports only)}`, omitted without data; the reference's anchor
      is #agent-apps-metrics-fields (cited in google/go-github issue 4459).
    Not found in any source read: a changelog entry or reference row for `used_copilot_app` on
    user lines (typed from shared/reference/report-format.md, `documented=False`), and the
    `copilot_app` value of `feature` (a value, not a field: nothing to type; the simulator sends
    it). The cloud-agent counts (`*_active_copilot_cloud_agent_users`) were already typed.
    Fields seen only in other projects' code (`totals_by_skill`, `totals_by_mcp`,
    `totals_by_custom_agent`, `totals_by_plugin`, `totals_by_slash_cmd`,
    `totals_by_vscode_agent`, `weekly_`/`monthly_active_copilot_app_users`, ...) are not listed:
    the indexer keeps them in `extra` until GitHub documents them.

`curated_schema.py` is typed from this list; tests/unit/test_documented_fields.py fails when
the two disagree (a documented field without its column, a column no field feeds, a type that
does not fit, a column read from another path) and when the simulator's lines drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_ON = "2026-11-25"
SOURCE_PAGES = (
    "github/docs:content/copilot/reference/copilot-usage-metrics/copilot-usage-metrics.md",
    "github/docs:content/copilot/reference/copilot-usage-metrics/example-schema.md",
)
ADDED_READ_ON = "2026-12-03"
# Where each field added in 2026 was read: GitHub's pages, and the pages quoting GitHub's changelog.
ADDED_SOURCES = {
    "example-schema": "https://docs.github.com/pt/copilot/reference/copilot-usage-metrics/example-schema",
    "reference-anchor": (
        "https://docs.github.com/en/copilot/reference/copilot-usage-metrics/copilot-usage-metrics"
        "#agent-apps-metrics-fields (as cited by https://github.com/google/go-github/issues/4459)"
    ),
    # Its address was not found: only third-party notes naming GitHub's entry and its date.
    "2026-06-26": "GitHub changelog 'Track total merges by adoption phase' of 2026-06-26 (address not found)",
    "2026-07-07": (
        "https://github.blog/changelog/2026-07-07-add-review-cycles-and-time-to-adoption-phases-in-the-usage-api/"
    ),
    "2026-07-17": "https://github.blog/changelog/2026-07-17-github-copilot-app-now-available-in-the-usage-metrics-api",
    "2026-08-07": "https://github.blog/changelog/2026-08-07-copilot-usage-metrics-api-adds-agent-app-activity/",
}
# Why a field added in 2026 is typed, with the source it was read in.
FROM_EXAMPLE_SCHEMA = "GitHub's published example schema (ADDED_SOURCES['example-schema'])"
FROM_CHANGELOG = "GitHub's changelog of {} (ADDED_SOURCES['{}'])"

# The objects fields belong to. A breakdown's record is its key (dotted when nested), which is
# also the `breakdown` of the curated tables built from it.
USER = "user"  # a users-1-day line
AGGREGATE = "aggregate"  # an enterprise-1-day record, or one day_totals element
WRAPPER = "wrapper"  # the day_totals wrapper (28-day reports; some 1-day files too)
USER_TEAMS = "user-teams"  # a user-teams-1-day line
REPOS = "repos"  # a repos-1-day line
ROW_RECORDS = (USER, AGGREGATE, WRAPPER, USER_TEAMS, REPOS)

# The Athena types a documented JSON type may be curated as.
COLUMN_TYPES = {
    "integer": ("bigint", "int"),
    "number": ("double",),
    "string": ("string",),
    "boolean": ("boolean",),
}

# Why a documented field has no column of its own.
PARTITION = "the `day` partition"
FLATTENED = "an object: its fields are columns"
TABLE = "a breakdown: its own table"
NOT_CURATED = "28-day reports stay raw; in a 1-day wrapper it is kept in `extra`"
KEPT_IN_EXTRA = "a list with no table of its own: kept in `extra`"
# Fields typed from the project's reference notes rather than the field reference page.
HOUSEKEEPING_ELSEWHERE = (
    "housekeeping of every report record (shared/reference/report-format.md); "
    "not in this report's table on the reference page"
)
REPOS_LINE = "the repos-1-day line of shared/reference/report-format.md (repo_id, repo_name, pull_requests)"


@dataclass(frozen=True, slots=True)
class Field:
    """One documented field: `path` is dotted inside its `record`; `column` is its curated
    column in every table built from that record, or None for the reason in `why`."""

    record: str
    path: str
    json_type: str
    column: str | None
    why: str = ""
    organization_only: bool = False  # enterprise-scope reports (the ones archived) omit it
    documented: bool = True  # False: typed from another source, named in `why`


def _fields(record: str, json_type: str, *names: str, prefix: str = "") -> tuple[Field, ...]:
    """Fields whose column has the field's own name (prefixed for flattened objects)."""
    return tuple(Field(record, name, json_type, prefix + name.rsplit(".", 1)[-1]) for name in names)


ACTIVITY = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
BREAKDOWN_ARRAYS = (
    "totals_by_ide",
    "totals_by_feature",
    "totals_by_language_feature",
    "totals_by_language_model",
    "totals_by_model_feature",
)


def _identification(record: str) -> tuple[Field, ...]:
    return (
        Field(record, "enterprise_id", "string", "enterprise_id"),
        Field(record, "organization_id", "string", "organization_id", organization_only=True),
        *_fields(record, "string", "etl_id", "day_partition"),
        Field(record, "entity_id_partition", "integer", "entity_id_partition"),
    )


def _breakdowns(record: str) -> tuple[Field, ...]:
    return (
        *(Field(record, name, "array", None, TABLE) for name in BREAKDOWN_ARRAYS),
        Field(record, "totals_by_cli", "object", None, TABLE),
        Field(record, "totals_by_copilot_app", "object", None, TABLE),
        Field(record, "totals_by_3rd_party_agent", "array", None, TABLE),
    )


_USER = (
    Field(USER, "day", "string", None, PARTITION),
    *_identification(USER),
    Field(USER, "user_id", "integer", "user_id"),
    Field(USER, "user_login", "string", "user_login"),
    *_fields(USER, "integer", *ACTIVITY),
    *_fields(
        USER,
        "boolean",
        "used_agent",
        "used_chat",
        "used_cli",
        "used_copilot_coding_agent",
        "used_copilot_cloud_agent",
        "used_copilot_code_review_active",
        "used_copilot_code_review_passive",
    ),
    Field(USER, "ai_adoption_phase", "object", None, FLATTENED),
    Field(USER, "ai_adoption_phase.phase_number", "integer", "ai_adoption_phase_number"),
    Field(USER, "ai_adoption_phase.phase", "string", "ai_adoption_phase"),
    Field(USER, "ai_adoption_phase.version", "string", "ai_adoption_phase_version"),
    *_breakdowns(USER),
    Field(
        USER,
        "ai_credits_used",
        "number",
        "ai_credits_used",
        "not on the reference page: GitHub's 2026 changelog (see shared/reference/report-format.md)",
        documented=False,
    ),
    Field(
        USER,
        "used_copilot_app",
        "boolean",
        "used_copilot_app",
        "no GitHub source found on 2026-12-03; shared/reference/report-format.md lists it (2026-07-28)",
        documented=False,
    ),
)

_AGGREGATE = (
    Field(AGGREGATE, "day", "string", None, PARTITION),
    *_identification(AGGREGATE),
    *_fields(
        AGGREGATE,
        "integer",
        "daily_active_users",
        "weekly_active_users",
        "monthly_active_users",
        "monthly_active_chat_users",
        "monthly_active_agent_users",
        "daily_active_copilot_cloud_agent_users",
        "weekly_active_copilot_cloud_agent_users",
        "monthly_active_copilot_cloud_agent_users",
        "daily_active_copilot_code_review_users",
        "weekly_active_copilot_code_review_users",
        "monthly_active_copilot_code_review_users",
        "daily_passive_copilot_code_review_users",
        "weekly_passive_copilot_code_review_users",
        "monthly_passive_copilot_code_review_users",
        "daily_active_cli_users",
    ),
    Field(
        AGGREGATE,
        "daily_active_copilot_app_users",
        "integer",
        "daily_active_copilot_app_users",
        FROM_CHANGELOG.format("2026-07-17", "2026-07-17"),
    ),
    *_fields(AGGREGATE, "integer", *ACTIVITY),
    *_breakdowns(AGGREGATE),
    Field(AGGREGATE, "totals_by_ai_adoption_phase", "array", None, TABLE),
    Field(AGGREGATE, "pull_requests", "object", None, FLATTENED),
    *_fields(
        AGGREGATE,
        "integer",
        "pull_requests.total_created",
        "pull_requests.total_reviewed",
        "pull_requests.total_merged",
        "pull_requests.total_suggestions",
        "pull_requests.total_applied_suggestions",
        "pull_requests.total_created_by_copilot",
        "pull_requests.total_reviewed_by_copilot",
        "pull_requests.total_merged_created_by_copilot",
        "pull_requests.total_merged_reviewed_by_copilot",
        "pull_requests.total_copilot_suggestions",
        "pull_requests.total_copilot_applied_suggestions",
        prefix="pull_requests_",
    ),
    *_fields(
        AGGREGATE,
        "number",
        "pull_requests.median_minutes_to_merge",
        "pull_requests.median_minutes_to_merge_copilot_authored",
        "pull_requests.median_minutes_to_merge_copilot_reviewed",
        prefix="pull_requests_",
    ),
    Field(AGGREGATE, "pull_requests.copilot_suggestions_by_comment_type", "array", None, TABLE),
)

_WRAPPER = (
    *_identification(WRAPPER),
    Field(WRAPPER, "report_start_day", "string", None, NOT_CURATED),
    Field(WRAPPER, "report_end_day", "string", None, NOT_CURATED),
    Field(WRAPPER, "created_at", "string", None, NOT_CURATED),
    Field(WRAPPER, "day_totals", "array", None, "its elements are aggregate records, one row each"),
)

_IDE = (
    Field("totals_by_ide", "ide", "string", "ide"),
    *_fields("totals_by_ide", "integer", *ACTIVITY),
    Field("totals_by_ide", "last_known_ide_version", "object", None, FLATTENED),
    Field("totals_by_ide", "last_known_ide_version.ide_version", "string", "ide_version"),
    Field("totals_by_ide", "last_known_ide_version.sampled_at", "string", "ide_version_sampled_at"),
    Field("totals_by_ide", "last_known_plugin_version", "object", None, FLATTENED),
    Field("totals_by_ide", "last_known_plugin_version.plugin", "string", "plugin"),
    Field("totals_by_ide", "last_known_plugin_version.plugin_version", "string", "plugin_version"),
    Field("totals_by_ide", "last_known_plugin_version.sampled_at", "string", "plugin_version_sampled_at"),
)

_DIMENSIONS = (
    ("totals_by_feature", ("feature",), ACTIVITY),
    # The reference: this breakdown has no user_initiated_interaction_count.
    ("totals_by_language_feature", ("language", "feature"), ACTIVITY[1:]),
    ("totals_by_language_model", ("language", "model"), ACTIVITY),
    ("totals_by_model_feature", ("model", "feature"), ACTIVITY),
)

_CLI = (
    *_fields("totals_by_cli", "integer", "session_count", "request_count", "prompt_count"),
    Field("totals_by_cli", "token_usage", "object", None, FLATTENED),
    *_fields("totals_by_cli", "integer", "token_usage.output_tokens_sum", "token_usage.prompt_tokens_sum"),
    Field("totals_by_cli", "token_usage.avg_tokens_per_request", "number", "avg_tokens_per_request"),
    Field("totals_by_cli", "last_known_cli_version", "object", None, FLATTENED),
    Field("totals_by_cli", "last_known_cli_version.cli_version", "string", "cli_version"),
    Field("totals_by_cli", "last_known_cli_version.sampled_at", "string", "cli_version_sampled_at"),
)

_PHASES = (
    Field("totals_by_ai_adoption_phase", "phase", "string", "phase"),
    Field("totals_by_ai_adoption_phase", "phase_number", "integer", "phase_number"),
    Field("totals_by_ai_adoption_phase", "total_engaged_users", "integer", "total_engaged_users"),
    *_fields(
        "totals_by_ai_adoption_phase",
        "number",
        "avg_user_initiated_interactions",
        "avg_code_generation_activities",
        "avg_code_acceptance_activities",
        "avg_loc_added",
        "avg_loc_deleted",
        "avg_pull_requests_reviewed",
        "avg_pull_requests_created",
        "avg_pull_requests_merged",
        "avg_pull_requests_median_minutes_to_merge",
    ),
)

_PHASES_ADDED = (
    Field(
        "totals_by_ai_adoption_phase",
        "total_pull_requests_merged",
        "integer",
        "total_pull_requests_merged",
        FROM_CHANGELOG.format("2026-06-26", "2026-06-26"),
    ),
    *(
        Field(
            "totals_by_ai_adoption_phase",
            name,
            "number",
            name,
            FROM_CHANGELOG.format("2026-07-07", "2026-07-07"),
        )
        for name in ("avg_pull_requests_minutes_to_review", "avg_pull_requests_review_cycles")
    ),
)

COPILOT_APP = "totals_by_copilot_app"
_COPILOT_APP = (
    *(
        Field(COPILOT_APP, name, "integer", name, FROM_EXAMPLE_SCHEMA)
        for name in ("session_count", "request_count", "prompt_count")
    ),
    Field(COPILOT_APP, "token_usage", "object", None, FLATTENED),
    *(
        Field(COPILOT_APP, f"token_usage.{name}", "integer", name, FROM_EXAMPLE_SCHEMA)
        for name in ("output_tokens_sum", "prompt_tokens_sum")
    ),
    Field(
        COPILOT_APP,
        "token_usage.avg_tokens_per_request",
        "number",
        "avg_tokens_per_request",
        FROM_EXAMPLE_SCHEMA,
    ),
)

THIRD_PARTY_AGENT = "totals_by_3rd_party_agent"
_THIRD_PARTY_AGENT = (
    Field(THIRD_PARTY_AGENT, "agent_id", "string", "agent_id", FROM_EXAMPLE_SCHEMA),
    Field(THIRD_PARTY_AGENT, "agent_name", "string", "agent_name", FROM_EXAMPLE_SCHEMA),
    Field(
        THIRD_PARTY_AGENT,
        "user_initiated_interaction_count",
        "integer",
        "user_initiated_interaction_count",
        FROM_EXAMPLE_SCHEMA,
    ),
    # Aggregated reports only: null on a user's rows.
    Field(
        THIRD_PARTY_AGENT,
        "session_count",
        "integer",
        "session_count",
        FROM_CHANGELOG.format("2026-08-07", "2026-08-07"),
    ),
)

COMMENT_TYPES = "pull_requests.copilot_suggestions_by_comment_type"
_COMMENT_TYPES = (
    Field(COMMENT_TYPES, "comment_type", "string", "comment_type"),
    *_fields(COMMENT_TYPES, "integer", "total_copilot_suggestions", "total_copilot_applied_suggestions"),
)

_USER_TEAMS = (
    Field(USER_TEAMS, "day", "string", None, PARTITION),
    # One or the other: enterprise_id at enterprise scope, organization_id at organization scope.
    Field(USER_TEAMS, "enterprise_id", "string", "enterprise_id"),
    Field(USER_TEAMS, "organization_id", "string", "organization_id", organization_only=True),
    Field(USER_TEAMS, "team_id", "integer", "team_id"),
    Field(USER_TEAMS, "slug", "string", "team_slug"),
    Field(USER_TEAMS, "user_id", "integer", "user_id"),
    Field(USER_TEAMS, "user_login", "string", "user_login"),
    *(
        Field(USER_TEAMS, name, json_type, name, HOUSEKEEPING_ELSEWHERE, documented=False)
        for name, json_type in (
            ("etl_id", "string"),
            ("day_partition", "string"),
            ("entity_id_partition", "integer"),
        )
    ),
)

_REPOS = (
    Field(REPOS, "repo_id", "integer", "repo_id", REPOS_LINE, documented=False),
    Field(REPOS, "repo_name", "string", "repo_name", REPOS_LINE, documented=False),
    *(
        Field(REPOS, f.path, f.json_type, f.column, REPOS_LINE, documented=False)
        for f in _AGGREGATE
        if f.path.startswith("pull_requests") and f.path != COMMENT_TYPES
    ),
    Field(REPOS, COMMENT_TYPES, "array", None, KEPT_IN_EXTRA, documented=False),
    Field(REPOS, "organization_id", "string", "organization_id", HOUSEKEEPING_ELSEWHERE, documented=False),
    *(
        Field(REPOS, name, json_type, name, HOUSEKEEPING_ELSEWHERE, documented=False)
        for name, json_type in (
            ("etl_id", "string"),
            ("day_partition", "string"),
            ("entity_id_partition", "integer"),
        )
    ),
)

FIELDS: tuple[Field, ...] = (
    *_USER,
    *_AGGREGATE,
    *_WRAPPER,
    *_IDE,
    *(
        field
        for record, keys, metrics in _DIMENSIONS
        for field in (*_fields(record, "string", *keys), *_fields(record, "integer", *metrics))
    ),
    Field(
        "totals_by_language_feature",
        "user_initiated_interaction_count",
        "integer",
        "user_initiated_interaction_count",
        "the reference leaves it out of this breakdown; the column predates that and stays",
        documented=False,
    ),
    *_CLI,
    *_PHASES,
    *_PHASES_ADDED,
    *_COPILOT_APP,
    *_THIRD_PARTY_AGENT,
    *_COMMENT_TYPES,
    *_USER_TEAMS,
    *_REPOS,
)


def fields_of(record: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.record == record)
