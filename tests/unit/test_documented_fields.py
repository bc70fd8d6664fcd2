"""GitHub's documented report fields (documented_fields.py) against the curated schema and the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from copilot_archive.core.curated_schema import (
    CURATED_TABLES,
    ENTERPRISE_DAY_TOTALS,
    EXTRA,
    LINEAGE,
    REPO_DAILY,
    USER_DAILY,
    USER_KEY,
    USER_TEAM_DAILY,
    CuratedTable,
)
from copilot_archive.indexing import documented_fields as docs
from copilot_archive.indexing.curate import source_path
from copilot_simulator.reports import ReportBook, enterprise_shape

BREAKDOWN_RECORDS = {t.breakdown for t in CURATED_TABLES if t.breakdown}
ROW_TABLES = {
    docs.USER: (USER_DAILY,),
    docs.AGGREGATE: (ENTERPRISE_DAY_TOTALS,),
    docs.WRAPPER: (ENTERPRISE_DAY_TOTALS,),
    docs.USER_TEAMS: (USER_TEAM_DAILY,),
    docs.REPOS: (REPO_DAILY,),
}
# Columns no report field feeds: where the row came from, what was not typed, the line's shape.
NOT_FROM_A_FIELD = {c.name for c in (*LINEAGE, *EXTRA)} | {"report_shape", "reduced_shape"}
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def tables_of(record: str) -> tuple[CuratedTable, ...]:
    if record in ROW_TABLES:
        return ROW_TABLES[record]
    return tuple(t for t in CURATED_TABLES if t.breakdown == record)


def records_of(table: CuratedTable) -> set[str]:
    return {record for record in {f.record for f in docs.FIELDS} if table in tables_of(record)}


def test_the_list_names_its_source_page_and_when_it_was_read():
    assert any(page.endswith("copilot-usage-metrics/copilot-usage-metrics.md") for page in docs.SOURCE_PAGES)
    assert date.fromisoformat(docs.READ_ON)
    assert len({(f.record, f.path) for f in docs.FIELDS}) == len(docs.FIELDS), "a field is listed twice"


PHASE = "totals_by_ai_adoption_phase"
# What GitHub added from June to September 2026 (issue 16, item 6): (record, path) -> column.
ADDED_IN_2026 = {
    (docs.USER, "used_copilot_app"): "used_copilot_app",
    (docs.USER, "totals_by_copilot_app"): None,
    (docs.USER, "totals_by_3rd_party_agent"): None,
    (docs.AGGREGATE, "daily_active_copilot_app_users"): "daily_active_copilot_app_users",
    (docs.AGGREGATE, "totals_by_copilot_app"): None,
    (docs.AGGREGATE, "totals_by_3rd_party_agent"): None,
    ("totals_by_copilot_app", "session_count"): "session_count",
    ("totals_by_copilot_app", "request_count"): "request_count",
    ("totals_by_copilot_app", "prompt_count"): "prompt_count",
    ("totals_by_copilot_app", "token_usage.output_tokens_sum"): "output_tokens_sum",
    ("totals_by_copilot_app", "token_usage.prompt_tokens_sum"): "prompt_tokens_sum",
    ("totals_by_copilot_app", "token_usage.avg_tokens_per_request"): "avg_tokens_per_request",
    ("totals_by_3rd_party_agent", "agent_id"): "agent_id",
    ("totals_by_3rd_party_agent", "agent_name"): "agent_name",
    ("totals_by_3rd_party_agent", "user_initiated_interaction_count"): "user_initiated_interaction_count",
    ("totals_by_3rd_party_agent", "session_count"): "session_count",
    (PHASE, "total_pull_requests_merged"): "total_pull_requests_merged",
    (PHASE, "avg_pull_requests_minutes_to_review"): "avg_pull_requests_minutes_to_review",
    (PHASE, "avg_pull_requests_review_cycles"): "avg_pull_requests_review_cycles",
    (docs.USER_TEAMS, "organization_id"): "organization_id",
}

# Not read in a 2026 source: organization_id of user-teams lines is on the reference page read
# in 2026-11; no GitHub page was found for used_copilot_app (documented=False, says so).
READ_ELSEWHERE = {(docs.USER_TEAMS, "organization_id"), (docs.USER, "used_copilot_app")}


def test_the_fields_added_in_2026_are_listed_with_their_columns_and_cite_a_source():
    assert date.fromisoformat(docs.ADDED_READ_ON) >= date.fromisoformat(docs.READ_ON)
    fields = {(f.record, f.path): f for f in docs.FIELDS}
    for key, column in ADDED_IN_2026.items():
        assert key in fields, f"{key} is not listed"
        field = fields[key]
        assert field.column == column, key
        if column is None or key in READ_ELSEWHERE:
            continue
        # each typed one cites the page it was read in, by its key in ADDED_SOURCES
        cited = [name for name in docs.ADDED_SOURCES if f"ADDED_SOURCES['{name}']" in field.why]
        assert cited, f"{key} cites no source"
    assert all(url for url in docs.ADDED_SOURCES.values())
    # seen only in other projects' code: not listed, so kept in `extra`
    listed = {f.path for f in docs.FIELDS}
    assert not {"totals_by_skill", "totals_by_mcp", "totals_by_vscode_agent"} & listed


@pytest.mark.parametrize("field", docs.FIELDS, ids=lambda f: f"{f.record}:{f.path}")
def test_every_listed_field_has_its_typed_column_or_says_why_not(field: docs.Field):
    if field.column is None:
        assert field.why, "a field without a column says why"
        return
    tables = tables_of(field.record)
    assert tables, f"no curated table is built from {field.record}"
    for table in tables:
        types = {c.name: c.type for c in table.columns}
        assert field.column in types, f"{table.name} lacks {field.column} for {field.record}:{field.path}"
        assert types[field.column] in docs.COLUMN_TYPES[field.json_type], (table.name, field.column)
    # the indexer reads the column where the reference puts the field
    assert source_path(field.column) == tuple(field.path.split("."))


# The seat tables come from GitHub's REST seat endpoints, not a usage report: their columns are
# typed from that reference (cited in curated_schema.py) and mapped in indexing/seats.py.
REPORT_TABLES = [t for t in CURATED_TABLES if not t.source.is_snapshot]


@pytest.mark.parametrize("table", REPORT_TABLES, ids=lambda t: t.name)
def test_every_curated_column_is_fed_by_a_listed_field(table: CuratedTable):
    records = records_of(table)
    fed = {f.column for f in docs.FIELDS if f.record in records and f.column}
    parent = {c.name for c in USER_KEY} if table.breakdown and table.source is USER_DAILY.source else set()

    assert set(table.column_names) - NOT_FROM_A_FIELD - parent == fed


def test_the_documented_breakdowns_are_tables_of_their_own():
    documented = {f.path for f in docs.FIELDS if f.why == docs.TABLE}

    assert documented == BREAKDOWN_RECORDS


# ---- the simulator's lines carry the documented fields, and only those ----------------


def walk(obj: dict[str, Any], record: str, prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(record, dotted path, value) of every field of a report object, breakdowns as their own records."""
    for key, value in obj.items():
        path = prefix + key
        yield record, path, value
        if record == docs.WRAPPER and path == "day_totals":
            for element in value:
                yield from walk(element, docs.AGGREGATE)
        elif path in BREAKDOWN_RECORDS:
            # a list, one object, or null (totals_by_copilot_app without app activity)
            for element in value if isinstance(value, list) else [] if value is None else [value]:
                yield from walk(element, path)
        elif isinstance(value, dict):
            yield from walk(value, record, path + ".")


def simulated() -> list[tuple[str, str, Any]]:
    book = ReportBook({"acme": 40})
    days = [date(2025, 10, 20), date(2025, 10, 21)]
    assert {enterprise_shape(d) for d in days} == {"flat", "wrapper"}
    found = []
    for day in days:
        for line in book.lines("acme", "users-1-day", day):
            found.extend(walk(json.loads(line), docs.USER))
        for line in book.lines("acme", "user-teams-1-day", day):
            found.extend(walk(json.loads(line), docs.USER_TEAMS))
        for line in book.lines("acme", "repos-1-day", day):
            found.extend(walk(json.loads(line), docs.REPOS))
        for line in book.lines("acme", "enterprise-1-day", day):
            obj = json.loads(line)
            found.extend(walk(obj, docs.WRAPPER if "day_totals" in obj else docs.AGGREGATE))
    for line in book.lines("acme", "enterprise-28-day", days[-1]):
        found.extend(walk(json.loads(line), docs.WRAPPER))
    return found


def test_the_simulator_sends_every_documented_field_and_no_other():
    fields = {(f.record, f.path): f for f in docs.FIELDS}
    found = simulated()
    sent = {(record, path) for record, path, _ in found}
    expected = {key for key, f in fields.items() if f.documented and not f.organization_only}

    assert sent - set(fields) == set(), "the simulator sends fields the list does not know"
    assert expected - sent == set(), "the simulator leaves documented fields out"


def test_the_simulator_sends_each_field_with_its_documented_json_type():
    fields = {(f.record, f.path): f for f in docs.FIELDS}
    for record, path, value in simulated():
        if value is None:
            continue
        json_type = fields[(record, path)].json_type
        assert isinstance(value, JSON_TYPES[json_type]) and not (
            isinstance(value, bool) and json_type in ("integer", "number")
        ), f"{record}:{path} = {value!r} is not {json_type}"
