"""The pure curation core: raw report lines in, typed rows per curated table out."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from copilot_archive.core.curated_schema import CURATED_TABLES, INDEX_STATUS, USER_DAILY
from copilot_archive.core.exceptions import CurationError
from copilot_archive.core.reports import Report
from copilot_archive.indexing.curate import Curator, arrow_schema
from copilot_simulator.reports import ReportBook, compact

DAY = date(2025, 10, 12)
KEY = "copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-12/part-0000.json"
BOOK = ReportBook({"acme": 12})


def curate(report: Report, lines: list[bytes], batch_lines: int = 5_000) -> tuple[dict[str, list], Curator]:
    curator = Curator(report, DAY, batch_lines)
    batches = [*curator.curate(lines, key=KEY, part=0), *curator.finish()]
    tables: dict[str, list[dict[str, Any]]] = {t.name: [] for t in curator.tables}
    for item in batches:
        assert item.batch.schema == arrow_schema(item.table)
        tables[item.table.name].extend(item.batch.to_pylist())
    return tables, curator


def user_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in BOOK.lines("acme", "users-1-day", DAY)]


def line(obj: Any) -> bytes:
    return compact(obj)


def extra(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["extra"]) if row["extra"] else {}


def test_schemas_map_athena_types_to_arrow():
    schema = arrow_schema(USER_DAILY)
    assert schema.field("user_id").type == pa.int64()
    assert schema.field("ai_adoption_phase_number").type == pa.int32()
    assert schema.field("ai_credits_used").type == pa.float64()
    assert schema.field("used_chat").type == pa.bool_()
    assert schema.field("user_login").type == pa.string()
    assert arrow_schema(INDEX_STATUS).field("indexed_at").type == pa.timestamp("us", tz="UTC")
    for table in CURATED_TABLES:
        assert arrow_schema(table).names == list(table.column_names)
        assert "enterprise" not in table.column_names and "day" not in table.column_names


def test_every_user_line_is_one_row_and_every_breakdown_element_one_row():
    records = user_records()
    tables, curator = curate(Report.USERS_1_DAY, [line(r) for r in records])

    assert len(tables["user_daily"]) == len(records) == curator.lines
    for suffix, breakdown in [
        ("ide", "totals_by_ide"),
        ("feature", "totals_by_feature"),
        ("language_feature", "totals_by_language_feature"),
        ("language_model", "totals_by_language_model"),
        ("model_feature", "totals_by_model_feature"),
    ]:
        assert len(tables[f"user_{suffix}_daily"]) == sum(len(r[breakdown]) for r in records)
    assert len(tables["user_cli_daily"]) == sum(1 for r in records if "totals_by_cli" in r)
    assert curator.rows == {name: len(rows) for name, rows in tables.items()}


def test_user_values_are_typed_flattened_and_lineage_recorded():
    records = user_records()
    tables, _ = curate(Report.USERS_1_DAY, [line(r) for r in records])

    first, row = records[0], tables["user_daily"][0]
    assert row["user_id"] == first["user_id"] and row["user_login"] == first["user_login"]
    assert row["code_acceptance_activity_count"] == first["code_acceptance_activity_count"]
    assert row["ai_adoption_phase"] == first["ai_adoption_phase"]["phase"]
    assert row["ai_adoption_phase_number"] == first["ai_adoption_phase"]["phase_number"]
    assert row["ai_credits_used"] == pytest.approx(first["ai_credits_used"])
    assert (row["source_part"], row["source_line"]) == (0, 1)
    # housekeeping fields are typed too, none is repeated in extra, the day is the partition
    assert (row["etl_id"], row["day_partition"], row["entity_id_partition"]) == (
        first["etl_id"],
        first["day_partition"],
        first["entity_id_partition"],
    )
    assert row["used_copilot_cloud_agent"] == first["used_copilot_cloud_agent"]
    assert row["extra"] is None
    ide = tables["user_ide_daily"][0]
    version = first["totals_by_ide"][0]["last_known_ide_version"]
    plugin = first["totals_by_ide"][0]["last_known_plugin_version"]
    assert (ide["user_id"], ide["ide"]) == (first["user_id"], first["totals_by_ide"][0]["ide"])
    assert (ide["ide_version"], ide["ide_version_sampled_at"]) == (
        version["ide_version"],
        version["sampled_at"],
    )
    assert (ide["plugin"], ide["plugin_version"]) == (plugin["plugin"], plugin["plugin_version"])
    assert ide["extra"] is None
    cli_user = next(r for r in records if "totals_by_cli" in r)
    cli = next(c for c in tables["user_cli_daily"] if c["user_id"] == cli_user["user_id"])
    usage = cli_user["totals_by_cli"]["token_usage"]
    assert cli["prompt_tokens_sum"] == usage["prompt_tokens_sum"]
    assert cli["avg_tokens_per_request"] == pytest.approx(usage["avg_tokens_per_request"])
    assert cli["cli_version"] == cli_user["totals_by_cli"]["last_known_cli_version"]["cli_version"]
    assert cli["extra"] is None


def enterprise_day() -> dict[str, Any]:
    return BOOK.day_totals("acme", DAY)


def header() -> dict[str, Any]:
    return {"enterprise_id": "4242", "etl_id": "e1", "created_at": "2025-10-13T06:12:44.000Z", "x_new": 1}


def test_both_enterprise_shapes_give_the_same_typed_rows():
    # Without the element's own enterprise_id, the wrapper's must reach the row.
    totals = {k: v for k, v in enterprise_day().items() if k != "enterprise_id"}
    flat, _ = curate(Report.ENTERPRISE_1_DAY, [line({**header(), **totals})])
    wrapped, _ = curate(Report.ENTERPRISE_1_DAY, [line({**header(), "day_totals": [totals]})])

    for tables, shape in ((flat, "flat"), (wrapped, "wrapper")):
        [row] = tables["enterprise_day_totals"]
        assert row["report_shape"] == shape
        assert row["enterprise_id"] == "4242"  # a wrapper field applies to its day elements
        assert row["daily_active_users"] == totals["daily_active_users"]
        assert row["pull_requests_total_merged"] == totals["pull_requests"]["total_merged"]
        assert row["pull_requests_median_minutes_to_merge"] == pytest.approx(
            totals["pull_requests"]["median_minutes_to_merge"]
        )
        assert row["etl_id"] == "e1" and extra(row)["x_new"] == 1
        pulls = totals["pull_requests"]
        assert (
            row["pull_requests_total_copilot_applied_suggestions"]
            == pulls["total_copilot_applied_suggestions"]
        )
        assert (
            row["pull_requests_total_merged_created_by_copilot"] == pulls["total_merged_created_by_copilot"]
        )
        assert (
            row["monthly_passive_copilot_code_review_users"]
            == totals["monthly_passive_copilot_code_review_users"]
        )
        assert (
            row["daily_active_copilot_cloud_agent_users"] == totals["daily_active_copilot_cloud_agent_users"]
        )
        assert "pull_requests" not in extra(row)  # every documented pull_requests field is typed
        kinds = tables["enterprise_pull_request_comment_type_daily"]
        assert [(k["comment_type"], k["total_copilot_suggestions"]) for k in kinds] == [
            (c["comment_type"], c["total_copilot_suggestions"])
            for c in pulls["copilot_suggestions_by_comment_type"]
        ]
        phases = tables["enterprise_ai_adoption_phase_daily"]
        assert [(p["phase_number"], p["total_engaged_users"]) for p in phases] == [
            (p["phase_number"], p["total_engaged_users"]) for p in totals["totals_by_ai_adoption_phase"]
        ]
        assert all(p["avg_loc_added"] is not None for p in phases)
        assert all(r["extra"] is None for r in [*phases, *kinds])
        assert len(tables["enterprise_language_model_daily"]) == len(totals["totals_by_language_model"])
    typed = [
        {k: v for k, v in t["enterprise_day_totals"][0].items() if k != "report_shape"}
        for t in (flat, wrapped)
    ]
    assert typed[0] == typed[1]
    assert flat["enterprise_ide_daily"] == wrapped["enterprise_ide_daily"]


def test_wrapper_elements_of_other_days_are_not_indexed_but_warned():
    other = {**enterprise_day(), "day": "2025-10-11"}
    tables, curator = curate(
        Report.ENTERPRISE_1_DAY, [line({**header(), "day_totals": [other, enterprise_day()]})]
    )

    assert len(tables["enterprise_day_totals"]) == 1
    assert curator.warnings and "1 day element" in curator.warnings[0] and "line 1" in curator.warnings[0]


def test_new_fields_breakdowns_ides_and_models_are_kept():
    record = copy.deepcopy(user_records()[0])
    record["brand_new_count"] = 7
    # Seen only in other projects' code, not in GitHub's docs: kept, not typed.
    record["totals_by_skill"] = [{"skill": "review", "prompt_count": 3}]
    record["ai_adoption_phase"]["confidence"] = 0.8
    record["totals_by_ide"].append(
        {"ide": "zed", "code_generation_activity_count": 5, "new_ide_metric": 1, "last_known_ide_version": {}}
    )
    record["totals_by_language_model"].append({"language": "zig", "model": "gpt-9", "loc_added_sum": 4})
    tables, _ = curate(Report.USERS_1_DAY, [line(record)])

    [row] = tables["user_daily"]
    kept = extra(row)
    assert kept["brand_new_count"] == 7
    assert kept["totals_by_skill"] == record["totals_by_skill"]
    assert kept["ai_adoption_phase"] == {"confidence": 0.8}
    assert row["ai_adoption_phase"] == record["ai_adoption_phase"]["phase"]
    zed = next(r for r in tables["user_ide_daily"] if r["ide"] == "zed")
    assert zed["code_generation_activity_count"] == 5 and zed["ide_version"] is None
    assert extra(zed) == {"new_ide_metric": 1}
    zig = next(r for r in tables["user_language_model_daily"] if r["model"] == "gpt-9")
    assert (zig["language"], zig["loc_added_sum"], zig["user_id"]) == ("zig", 4, record["user_id"])


def test_missing_optional_fields_are_null():
    record = {"user_id": 1, "user_login": "solo", "code_generation_activity_count": 3}
    tables, _ = curate(Report.USERS_1_DAY, [line(record)])

    [row] = tables["user_daily"]
    assert row["code_generation_activity_count"] == 3
    assert row["used_chat"] is None and row["ai_adoption_phase"] is None and row["enterprise_id"] is None
    assert row["extra"] is None
    assert all(not rows for name, rows in tables.items() if name != "user_daily")


def test_wrong_types_are_null_and_kept_in_extra():
    record = {
        "user_id": 1,
        "user_login": 12345,
        "code_generation_activity_count": "12",
        "code_acceptance_activity_count": True,
        "loc_added_sum": 2**70,
        "loc_deleted_sum": 3.0,
        "loc_suggested_to_add_sum": 2.5,
        "used_chat": 1,
        "ai_credits_used": 4,
        "ai_adoption_phase": "Phase 3",
        "totals_by_cli": {"token_usage": "lots", "prompt_count": 2},
        "totals_by_ide": "vscode",
        "totals_by_feature": [{"feature": "chat", "loc_added_sum": "x"}, "oops"],
    }
    tables, curator = curate(Report.USERS_1_DAY, [line(record)])

    [row] = tables["user_daily"]
    assert row["user_login"] is None and row["code_generation_activity_count"] is None
    assert row["code_acceptance_activity_count"] is None and row["loc_added_sum"] is None
    assert row["loc_deleted_sum"] == 3  # an integral float loses nothing
    assert row["loc_suggested_to_add_sum"] is None and row["used_chat"] is None
    assert row["ai_credits_used"] == 4.0
    assert extra(row) == {
        "user_login": 12345,
        "code_generation_activity_count": "12",
        "code_acceptance_activity_count": True,
        "loc_added_sum": 2**70,
        "loc_suggested_to_add_sum": 2.5,
        "used_chat": 1,
        "ai_adoption_phase": "Phase 3",
        "totals_by_ide": "vscode",
        "totals_by_feature": ["oops"],
    }
    [cli] = tables["user_cli_daily"]
    assert cli["prompt_count"] == 2 and cli["avg_tokens_per_request"] is None
    assert extra(cli) == {"token_usage": "lots"}
    [feature] = tables["user_feature_daily"]
    assert feature["loc_added_sum"] is None and extra(feature) == {"loc_added_sum": "x"}
    # each value kept in extra for not fitting is counted (and named in a warning)
    assert curator.mistyped == 11 and "line 1: user_login does not fit user_daily" in curator.warnings[0]


BAD_NUMBERS = {
    "a negative count": (b"-3", -3),
    "a count as a string": (b'"12"', "12"),
    "a bool for a count": (b"true", True),
    "NaN": (b"NaN", "NaN"),
    "Infinity": (b"Infinity", "Infinity"),
    "minus Infinity": (b"-Infinity", "-Infinity"),
    "a number too large for a float": (b"1e999", "1e999"),
    "a fraction for a count": (b"2.5", 2.5),
    "a count too large for bigint": (b"9223372036854775808", 2**63),
}


@pytest.mark.parametrize(("text", "kept"), BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_a_value_that_does_not_fit_is_null_kept_as_valid_json_and_counted(text, kept):
    raw = b'{"day":"2025-10-12","daily_active_users":%s,"pull_requests":{"total_merged":%s,' % (text, text)
    raw += b'"median_minutes_to_merge":%s,"copilot_suggestions_by_comment_type":' % text
    raw += b'[{"comment_type":"security","total_copilot_suggestions":%s}]},' % text
    raw += b'"totals_by_ai_adoption_phase":[{"phase":"Phase 1","avg_loc_added":%s}]}\n' % text
    tables, curator = curate(Report.ENTERPRISE_1_DAY, [raw])

    [row] = tables["enterprise_day_totals"]
    [kind] = tables["enterprise_pull_request_comment_type_daily"]
    [phase] = tables["enterprise_ai_adoption_phase_daily"]
    assert row["daily_active_users"] is None and row["pull_requests_total_merged"] is None
    assert kind["total_copilot_suggestions"] is None and kind["comment_type"] == "security"
    assert phase["phase"] == "Phase 1"
    # json.loads refuses NaN and Infinity only if asked: parse strictly, as any JSON reader would
    strict = {"parse_constant": lambda name: pytest.fail(f"{name} in extra")}
    kept_row = json.loads(row["extra"], **strict)
    assert kept_row["daily_active_users"] == kept and kept_row["pull_requests"]["total_merged"] == kept
    assert json.loads(kind["extra"], **strict) == {"total_copilot_suggestions": kept}
    doubles = 2  # median_minutes_to_merge and avg_loc_added are doubles: only some values misfit there
    fits_a_double = isinstance(kept, (int, float)) and not isinstance(kept, bool) and kept >= 0
    assert curator.mistyped == 3 + (0 if fits_a_double else doubles)
    if not fits_a_double:
        assert row["pull_requests_median_minutes_to_merge"] is None and phase["avg_loc_added"] is None
        assert json.loads(phase["extra"], **strict) == {"avg_loc_added": kept}


def test_a_breakdown_that_is_not_a_list_is_kept_where_it_was_and_counted():
    raw = line(
        {"day": "2025-10-12", "pull_requests": {"total_created": 2, "copilot_suggestions_by_comment_type": 7}}
    )
    tables, curator = curate(Report.ENTERPRISE_1_DAY, [raw])

    [row] = tables["enterprise_day_totals"]
    assert row["pull_requests_total_created"] == 2
    assert extra(row) == {"pull_requests": {"copilot_suggestions_by_comment_type": 7}}
    assert tables["enterprise_pull_request_comment_type_daily"] == [] and curator.mistyped == 1


@pytest.mark.parametrize(
    ("bad", "what"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "list"),
        (b'"a string"', "str"),
        (b"\xff\xfe{}", "not JSON"),
        (b'{"user_login":"\\udc00"}', "lone surrogate"),
        (b'{"user_login":["\\uD83D"]}', "lone surrogate"),
    ],
)
def test_a_line_that_is_not_a_json_object_names_the_key_and_line(bad, what):
    lines = [line({"user_id": 1}), b"\n", bad + b"\n", line({"user_id": 2})]

    with pytest.raises(CurationError) as raised:
        curate(Report.USERS_1_DAY, lines)

    assert f"{KEY} line 3" in str(raised.value) and what in str(raised.value)


def test_blank_lines_are_skipped_but_keep_their_numbers():
    lines = [line({"user_id": 1}), b"\n", b"   \r\n", line({"user_id": 2})]
    tables, curator = curate(Report.USERS_1_DAY, lines)

    assert [(r["user_id"], r["source_line"]) for r in tables["user_daily"]] == [(1, 1), (2, 4)]
    assert curator.lines == 2


def test_batches_are_bounded_by_lines():
    records = user_records()[:5]
    curator = Curator(Report.USERS_1_DAY, DAY, batch_lines=2)
    sizes = [
        b.batch.num_rows
        for b in [*curator.curate(map(line, records), key=KEY, part=0), *curator.finish()]
        if b.table is USER_DAILY
    ]

    assert sizes == [2, 2, 1]


def test_the_28_day_reports_are_not_curated():
    with pytest.raises(ValueError, match="no curated tables"):
        Curator(Report.USERS_28_DAY, DAY)


# ---- the vectorised path: blocks of lines give the rows the line path gives -------------


def curate_both(report: Report, lines: list[bytes], block_lines: int = 3) -> tuple[Any, Curator]:
    """The outcome of the line path and of the block path (blocks of `block_lines` lines), which
    must be the same: tables, counts and warnings, or the same CurationError."""
    outcomes = []
    for blocks in (None, [b"".join(lines[i : i + block_lines]) for i in range(0, len(lines), block_lines)]):
        curator = Curator(report, DAY, batch_lines=4)  # small: held batches flush mid-file too
        try:
            if blocks is None:
                batches = [*curator.curate([raw.rstrip(b"\n") for raw in lines], key=KEY, part=3)]
            else:
                batches = [*curator.curate_blocks(blocks, key=KEY, part=3)]
            batches += curator.finish()
        except CurationError as exc:
            outcomes.append((str(exc), curator))
            continue
        tables: dict[str, list[dict[str, Any]]] = {t.name: [] for t in curator.tables}
        for item in batches:
            assert item.batch.schema == arrow_schema(item.table)
            tables[item.table.name].extend(item.batch.to_pylist())
        counts = (
            curator.lines,
            curator.rows,
            curator.mistyped,
            curator.warnings,
            curator.warning_count,
            curator.unknown_fields,
        )
        outcomes.append(((tables, counts), curator))
    (by_lines, _), (by_blocks, curator) = outcomes
    assert by_blocks == by_lines
    return by_blocks, curator


def test_clean_user_lines_are_curated_by_arrow_into_the_same_rows():
    lines = [line(r) for r in user_records()]
    (tables, _), curator = curate_both(Report.USERS_1_DAY, lines)

    assert curator.vector_blocks == -(-len(lines) // 3) and curator.line_blocks == 0
    assert len(tables["user_daily"]) == len(lines) and tables["user_cli_daily"]
    assert [r["source_line"] for r in tables["user_daily"]] == list(range(1, len(lines) + 1))
    assert all(r["source_part"] == 3 for rows in tables.values() for r in rows)


def test_githubs_example_user_line_is_curated_by_arrow_into_the_same_rows():
    example = json.loads((Path(__file__).parents[1] / "fixtures/github-docs/users-line.json").read_text())
    lines = [line({**example, "day": DAY.isoformat()}), *(line(r) for r in user_records()[:3])]
    (tables, _), curator = curate_both(Report.USERS_1_DAY, lines)

    assert (curator.vector_blocks, curator.line_blocks) == (2, 0)
    assert tables["user_daily"][0]["user_login"] == example["user_login"]
    assert (
        tables["user_cli_daily"][0]["cli_version"]
        == example["totals_by_cli"]["last_known_cli_version"]["cli_version"]
    )


def with_field(path: str, value: Any, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """A user record with `value` at the dotted `path` (`name[0]` is the list's first element)."""
    record = copy.deepcopy(record or user_records()[0])
    *parents, leaf = path.split(".")
    node: Any = record
    for key in parents:
        name, _, index = key.partition("[")
        node = node[name] if not index else node[name][int(index.rstrip("]"))]
    node[leaf] = value
    return record


ODD_USER_LINES = {
    "an unknown field": line(with_field("brand_new_count", 7)),
    "an unknown nested field": line(with_field("totals_by_ide[0].last_known_ide_version.channel", "beta")),
    "an unknown breakdown": line(with_field("totals_by_skill", [{"skill": "review"}])),
    "a parent key in an element": line(with_field("totals_by_feature[0].user_id", 1)),
    "a negative count": line(with_field("loc_added_sum", -1)),
    "a negative element count": line(with_field("totals_by_model_feature[0].loc_added_sum", -1)),
    "a negative double": line(with_field("ai_credits_used", -0.5)),
    "minus zero, which fits": line(with_field("ai_credits_used", -0.0)),
    "an integral float for a count": line(with_field("loc_added_sum", 3.0)),
    "a fraction for a count": line(with_field("loc_added_sum", 2.5)),
    "a count as a string": line(with_field("user_id", "12")),
    "a bool for a count": line(with_field("code_generation_activity_count", True)),
    "a count for a bool": line(with_field("used_chat", 1)),
    "a number for a string": line(with_field("user_login", 12345)),
    "an int for a double": line(with_field("ai_credits_used", 4)),
    "a huge int for a double": line(with_field("ai_credits_used", 10**30)),
    "a count too large for bigint": line(with_field("loc_added_sum", 2**63)),
    "the largest bigint": line(with_field("loc_added_sum", 2**63 - 1)),
    "a count beyond uint64": line(with_field("loc_added_sum", 2**64 + 5)),
    "a count beyond a double's integers": line(with_field("loc_added_sum", 2**53 + 1)),
    "a phase number too large for int": line(with_field("ai_adoption_phase.phase_number", 2**31)),
    "the largest phase number": line(with_field("ai_adoption_phase.phase_number", 2**31 - 1)),
    "NaN": line(with_field("ai_credits_used", 0.0)).replace(
        b'"ai_credits_used":0.0', b'"ai_credits_used":NaN'
    ),
    "Infinity": line(with_field("totals_by_cli", {"token_usage": {"avg_tokens_per_request": 1.5}})).replace(
        b"1.5", b"Infinity"
    ),
    "1e999": line(with_field("ai_credits_used", 0.0)).replace(
        b'"ai_credits_used":0.0', b'"ai_credits_used":1e999'
    ),
    "a phase that is a string": line(with_field("ai_adoption_phase", "Phase 3")),
    "a breakdown that is an object": line(with_field("totals_by_ide", {"ide": "vim"})),
    "totals_by_cli as a list": line(with_field("totals_by_cli", [{"prompt_count": 1}, {"prompt_count": 2}])),
    "an element that is null": line(with_field("totals_by_feature", [None, {"feature": "chat"}])),
    "an element that is not an object": line(with_field("totals_by_feature", ["oops"])),
    "an empty totals_by_cli": line(with_field("totals_by_cli", {})),
    "null breakdowns": line(with_field("totals_by_ide", None, with_field("totals_by_cli", None))),
    "empty breakdowns": line(with_field("totals_by_feature", [])),
    "null values": line(with_field("user_login", None, with_field("ai_adoption_phase", None))),
    "an empty object": line({}),
    "no day": line({k: v for k, v in user_records()[0].items() if k != "day"}),
    "a null day": line(with_field("day", None)),
    "another day": line(with_field("day", "2025-10-11")),
    "a duplicated key": line(with_field("user_login", "a")).replace(b"{", b'{"user_login":"b",', 1),
    "a non-ASCII login": line(with_field("user_login", "x")).replace(b'"x"', '"Zoë"'.encode()),
    "an escaped login": line(with_field("user_login", "Zoë\n\u0000")),
    "an escaped surrogate pair": line(with_field("user_login", "\U0001f600")),
    "a blank line": b"\n",
    "a line of spaces": b"  \t \r\n",
    "a line ending in CRLF": line(user_records()[1]).replace(b"\n", b"\r\n"),
    "spaces before the object": b"  " + line(user_records()[1]),
    # Untyped values kept in extra as the line path's encoder writes them, not as the line has them.
    "an untidy unknown field": line(with_field("brand_new", 0)).replace(
        b'"brand_new":0', rb'"brand_new":{"f":1.50,"e":"caf\u00e9 \/","s":[1, 2],"z":-0,"x":1E2}'
    ),
    "an unknown float": line(with_field("brand_new_ratio", 1e16)),
    "an unknown huge int": line(with_field("brand_new_count", 10**30)),
    "an unknown emoji": line(with_field("brand_new", "\U0001f600")),
    "an unknown NaN": line(with_field("brand_new", 0)).replace(b'"brand_new":0', b'"brand_new":NaN'),
    # A line's one misfit is written by Arrow (null in its column, its text in its row's extra).
    "a negative count beside an unknown field": line(
        with_field("loc_added_sum", -1, with_field("brand_new", 7))
    ),
    "a negative element count beside an unknown element field": line(
        with_field(
            "totals_by_model_feature[1].loc_added_sum", -2, with_field("totals_by_model_feature[1].zz", "x")
        )
    ),
    "a fraction in a later element": line(with_field("totals_by_language_feature[2].loc_added_sum", 0.5)),
    "a negative count in totals_by_cli": line(
        with_field("totals_by_cli", {"prompt_count": -4, "brand_new": 1})
    ),
    "a huge negative count": line(with_field("loc_added_sum", -(2**70))),
    "a negative count as an untidy number": line(with_field("loc_added_sum", 123456789)).replace(
        b"123456789", b"-1.50E1"
    ),
    # ...and the line path writes a line with more.
    "two misfits on a line": line(
        with_field("loc_added_sum", -1, with_field("totals_by_ide[0].loc_added_sum", 2.5))
    ),
    "a misfit beside a null element": line(
        with_field("loc_added_sum", -1, with_field("totals_by_feature", [None, {"feature": "chat"}]))
    ),
    "a negative parent key": line(with_field("user_id", -1)),
    "a count of minus infinity": line(with_field("loc_added_sum", 123456789)).replace(
        b"123456789", b"-1e999"
    ),
}


# Lines Arrow curates whole (their `extra` written from the line's JSON where it has one); every
# other odd line that is one JSON object is left to the line path within Arrow's block, and a
# line that is not one object each sends its block to the line path.
TAKEN_BY_ARROW = {
    "a negative count",
    "a negative element count",
    "a negative double",
    "a fraction for a count",
    "a negative count beside an unknown field",
    "a negative element count beside an unknown element field",
    "a fraction in a later element",
    "a negative count in totals_by_cli",
    "a huge negative count",
    "a count beyond uint64",
    "a negative count as an untidy number",
    "an unknown field",
    "an unknown nested field",
    "an unknown breakdown",
    "a parent key in an element",
    "an element that is null",
    "minus zero, which fits",
    "an integral float for a count",
    "an int for a double",
    "a huge int for a double",
    "the largest phase number",
    "an empty totals_by_cli",
    "null breakdowns",
    "empty breakdowns",
    "null values",
    "a non-ASCII login",
    "an escaped login",
    "an escaped surrogate pair",
    "a line ending in CRLF",
    "an untidy unknown field",
    "an unknown float",
    "an unknown huge int",
}
NOT_ONE_OBJECT = {"a blank line", "a line of spaces", "spaces before the object"}


@pytest.mark.parametrize(("name", "odd"), ODD_USER_LINES.items(), ids=ODD_USER_LINES.keys())
def test_blocks_give_the_rows_lines_give_whatever_a_line_holds(name, odd):
    clean = [line(r) for r in user_records()[:6]]
    (tables, _), curator = curate_both(Report.USERS_1_DAY, [*clean[:4], odd, *clean[4:]])

    assert (curator.vector_blocks, curator.line_blocks) == ((2, 1) if name in NOT_ONE_OBJECT else (3, 0))
    left = 0 if name in TAKEN_BY_ARROW or name in NOT_ONE_OBJECT else 1
    assert curator.lines_left_to_line_path == left
    assert len(tables["user_daily"]) == 6 + bool(odd.strip())


def test_a_last_block_left_to_the_line_path_keeps_its_rows_after_the_held_ones():
    lines = [*(line(r) for r in user_records()[:2]), ODD_USER_LINES["spaces before the object"]]
    (tables, _), curator = curate_both(Report.USERS_1_DAY, lines, block_lines=2)

    assert (curator.vector_blocks, curator.line_blocks) == (1, 1)
    assert [r["source_line"] for r in tables["user_daily"]] == [1, 2, 3]


def test_lines_left_to_the_line_path_keep_their_place_among_arrows_rows():
    odd = [
        ODD_USER_LINES[name]
        for name in ("a count as a string", "an unknown field", "a count too large for bigint")
    ]
    lines = [line(r) for r in user_records()[:6]]
    lines[1:1], lines[5:5] = odd[:2], odd[2:]
    (tables, _), curator = curate_both(Report.USERS_1_DAY, lines, block_lines=len(lines))

    assert (curator.vector_blocks, curator.line_blocks, curator.lines_left_to_line_path) == (1, 0, 2)
    assert [r["source_line"] for r in tables["user_daily"]] == list(range(1, len(lines) + 1))


def test_misfits_of_many_lines_of_a_block_and_lines_left_to_the_line_path_keep_their_rows_in_order():
    records = user_records()[:8]
    lines = [
        line(with_field("loc_added_sum", -1, with_field("brand_new", i, records[i])))
        if i % 2
        else line(with_field("totals_by_feature[0].loc_added_sum", 0.5 + i, records[i]))
        for i in range(6)
    ]
    lines[2:2] = [ODD_USER_LINES["a count as a string"], line(records[6])]
    lines[6:6] = [ODD_USER_LINES["two misfits on a line"]]
    (tables, (_, _, mistyped, *_)), curator = curate_both(Report.USERS_1_DAY, lines, block_lines=len(lines))

    assert (curator.vector_blocks, curator.lines_left_to_line_path) == (1, 2)
    assert mistyped == 6 + 1 + 2
    assert [r["source_line"] for r in tables["user_daily"]] == list(range(1, len(lines) + 1))
    features = [r["source_line"] for r in tables["user_feature_daily"]]
    assert features == sorted(features) and set(features) == set(range(1, len(lines) + 1))


# Each with the report-day's day, so that only what is wrong with it can send it to the line path.
BAD_USER_LINES = {
    "not JSON": b'{"day":"2025-10-12",not json\n',
    "two objects on a line": b'{"day":"2025-10-12","user_id":1}{"day":"2025-10-12","user_id":2}\n',
    "two objects and a blank line": b'{"day":"2025-10-12"} {"day":"2025-10-12"}\n\n',
    "a list": b"[1, 2]\n",
    "invalid UTF-8": b'{"day":"2025-10-12","user_login":"\xff"}\n',
    "a surrogate in UTF-8": b'{"day":"2025-10-12","user_login":"\xed\xa0\x80"}\n',
    "a trailing comma": b'{"day":"2025-10-12","user_id":1,}\n',
    "a lone surrogate": b'{"day":"2025-10-12","user_login":"\\ud800"}\n',
}


@pytest.mark.parametrize("bad", BAD_USER_LINES.values(), ids=BAD_USER_LINES.keys())
def test_blocks_stop_at_a_bad_line_as_lines_do(bad):
    clean = [line(r) for r in user_records()[:6]]
    message, _ = curate_both(Report.USERS_1_DAY, [*clean[:4], bad, *clean[4:]])

    assert isinstance(message, str) and f"{KEY} line 5" in message


def test_a_last_line_without_a_newline_is_curated_by_either_path():
    lines = [line(r) for r in user_records()[:5]]
    lines[-1] = lines[-1].rstrip(b"\n")
    (tables, _), curator = curate_both(Report.USERS_1_DAY, lines)

    assert len(tables["user_daily"]) == 5 and curator.line_blocks == 0


def test_enterprise_blocks_take_the_line_path():
    lines = [line({**header(), "day_totals": [enterprise_day()]}), line({**header(), **enterprise_day()})]
    (tables, _), curator = curate_both(Report.ENTERPRISE_1_DAY, lines, block_lines=1)

    assert len(tables["enterprise_day_totals"]) == 2 and curator.vector_blocks == 0


# ---- issue 20: what the data quality views count -----------------------------------------


def test_unknown_fields_are_named_dotted_below_the_top_and_misfits_are_not_among_them():
    record = with_field("brand_new_count", 7)
    record = with_field("totals_by_ide[0].last_known_ide_version.channel", "beta", record)
    record = with_field("totals_by_skill", [{"skill": "review"}], record)
    record = with_field("loc_added_sum", "12", record)  # a misfit: counted, not unknown
    lines = [line(record), *(line(r) for r in user_records()[1:4])]

    _, curator = curate_both(Report.USERS_1_DAY, lines)

    assert curator.unknown_fields == {
        "brand_new_count",
        "totals_by_ide.last_known_ide_version.channel",
        "totals_by_skill",
    }
    assert curator.mistyped == 1


def test_a_user_line_without_any_used_flag_is_marked_reduced():
    records = user_records()[:4]
    flags = [name for name in records[0] if name.startswith("used_")]
    assert flags
    reduced = {**records[1], **dict.fromkeys(flags, None)}
    dropped = {k: v for k, v in records[2].items() if not k.startswith("used_")}
    one_flag = {**records[3], **dict.fromkeys(flags, None), flags[0]: False}
    lines = [line(r) for r in (records[0], reduced, dropped, one_flag)]

    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    assert [row["reduced_shape"] for row in tables["user_daily"]] == [False, True, True, False]


def test_a_null_breakdown_element_is_warned_but_not_counted_as_mistyped():
    lines = [
        line(with_field("totals_by_feature", [None, None, {"feature": "chat"}])),
        line(user_records()[1]),
    ]

    _, curator = curate_both(Report.USERS_1_DAY, lines)

    assert curator.mistyped == 0
    assert sum("null element of totals_by_feature" in text for text in curator.warnings) == 2


# ---- extra written by Arrow compute: the line path's text, key for key ------------------


def with_every_element(record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The record with `fields` added to every element of every breakdown list."""
    shaped = copy.deepcopy(record)
    for name, value in shaped.items():
        if isinstance(value, list):
            shaped[name] = [{**e, **fields} if isinstance(e, dict) else e for e in value]
    return shaped


def vector_extras(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each `_vector_extra` call wrote a breakdown's extra (True) or left it to the lines."""
    from copilot_archive.indexing import curate as module

    written: list[bool] = []
    original = module._vector_extra

    def spy(*args: Any) -> Any:
        texts = original(*args)
        written.append(texts is not None)
        return texts

    monkeypatch.setattr(module, "_vector_extra", spy)
    return written


# Element-level fields no column types, on every element of every line: the values' kinds each
# path must write alike, and whether Arrow compute writes them (True) or the lines do (False).
ELEMENT_FIELDS = {
    "a string": ({"surface_detail": "editor"}, True),
    "an int": ({"surface_rank": 3}, True),
    "a negative int and minus zero": ({"surface_rank": -0}, True),
    "a bool": ({"surface_beta": True}, True),
    "two fields, written in name order": ({"zz_surface": "x", "aa_surface": 1}, True),
    "non-ASCII text": ({"surface_detail": "éditeur ✓"}, True),
    "a quote to escape": ({"surface_detail": 'say "hi"'}, False),
    "a control character to escape": ({"surface_detail": "tab\there"}, False),
    "a float": ({"surface_share": 0.25}, False),
    "an object": ({"surface_detail": {"name": "editor"}}, False),
    "a list": ({"surface_detail": ["editor"]}, False),
}


@pytest.mark.parametrize(("name", "case"), ELEMENT_FIELDS.items(), ids=ELEMENT_FIELDS.keys())
def test_untyped_element_fields_get_the_line_paths_extra(name, case, monkeypatch):
    fields, by_arrow = case
    written = vector_extras(monkeypatch)
    lines = [line(with_every_element(r, fields)) for r in user_records()[:6]]
    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    expected = json.loads(json.dumps(fields))  # as JSON gives them back
    rows = tables["user_ide_daily"]
    assert rows and all(extra(r) == expected for r in rows)
    assert written and all(w is by_arrow for w in written)


@pytest.mark.parametrize("written_null", [b'"surface_detail":null', b'"surface_detail" :\tnull'])
def test_an_absent_field_is_no_key_and_an_explicit_null_is_kept_as_null(written_null, monkeypatch):
    written = vector_extras(monkeypatch)
    records = user_records()[:6]
    lines = [line(with_every_element(r, {"surface_detail": "web"})) for r in records[:3]]
    lines += [line(r) for r in records[3:5]]  # no such field at all
    # In the same block as those: a null on one element, a string on the others.
    mixed = with_every_element(records[5], {"surface_detail": "web"})
    mixed["totals_by_language_model"][0]["surface_detail"] = None
    lines.append(line(mixed).replace(b'"surface_detail":null', written_null))
    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    by_line = {r["source_line"]: extra(r) for r in tables["user_ide_daily"]}
    assert by_line[1] == {"surface_detail": "web"} and by_line[4] == {}
    features = [extra(r) for r in tables["user_language_model_daily"] if r["source_line"] == 6]
    assert len(features) > 1 and features[0] == {"surface_detail": None}
    assert all(e == {"surface_detail": "web"} for e in features[1:])
    # The block with the explicit null is read line by line; the one without by Arrow compute.
    assert True in written and False in written


def test_a_key_written_with_an_escape_is_read_line_by_line(monkeypatch):
    written = vector_extras(monkeypatch)
    lines = [
        line(with_every_element(r, {"surface_detail": "web"})).replace(
            b'"surface_detail"', b'"surf\\u0061ce_detail"'
        )
        for r in user_records()[:3]
    ]
    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    assert all(extra(r) == {"surface_detail": "web"} for r in tables["user_ide_daily"])
    assert written == []  # the plan already left that breakdown to the lines


def test_extra_keeps_a_levels_fields_in_name_order_whatever_the_lines_order():
    record = user_records()[0]
    shaped = {"zz_new": 1, **record, "aa_new": [{"b": 1, "a": 2}], "mm_new": None}
    shaped["totals_by_ide"] = [None, *record["totals_by_ide"]]
    raw = line(shaped)
    (tables, _), _ = curate_both(Report.USERS_1_DAY, [raw, *(line(r) for r in user_records()[1:3])])

    text = tables["user_daily"][0]["extra"]
    # Keys in name order; a kept value as the line had it (its own keys' order too).
    assert text == '{"aa_new":[{"b":1,"a":2}],"mm_new":null,"totals_by_ide":[null],"zz_new":1}'


def test_github_shaped_lines_give_the_same_rows_by_either_path(monkeypatch):
    """bench/github_shaped.py's lines: undocumented fields at the top and in every element,
    misfits, null elements, aliases and server-side-only users, as `make bench` measures them."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    try:
        import github_shaped
    finally:
        sys.path.pop(0)
    written = vector_extras(monkeypatch)
    rng, shares = random.Random(0), github_shaped.Shares()
    records = [r for _ in range(25) for r in user_records()]  # 200 lines: each kind of oddity
    lines = [github_shaped.shaped_lines({**r, "day": DAY.isoformat()}, rng, shares)[0] for r in records]
    (tables, counts), curator = curate_both(Report.USERS_1_DAY, lines, block_lines=25)

    assert shares.null_elements and sum(shares.misfits.values()) and shares.server_side_lines
    assert curator.vector_blocks == -(-len(lines) // 25) and any(written)
    assert all(extra(r).get("surface_detail") in github_shaped.SURFACES for r in tables["user_ide_daily"])
    assert counts[2] == sum(shares.misfits.values())  # mistyped values: one a misfit line


def user_extra_spy(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[int, bool], dict[int, set[int]]]:
    """By the first line of each block (numbered from 1): whether Arrow compute wrote its user
    `extra` (absent: it did not try), and the lines it left to be read line by line."""
    from copilot_archive.indexing import curate as module

    written: dict[int, bool] = {}
    read: dict[int, set[int]] = {}
    block_first: list[int] = []
    piece, user_extra, unverified = (
        module._VectorPath._piece,
        module._VectorPath._user_extra,
        module._VectorPath._unverified,
    )

    def piece_spy(self: Any, started: Any, kept: list[int], parsed: Any, first: int, *args: Any) -> Any:
        block_first[:] = [first]
        return piece(self, started, kept, parsed, first, *args)

    def user_extra_spy(self: Any, *args: Any) -> Any:
        texts = user_extra(self, *args)
        written[block_first[0]] = texts is not None
        return texts

    def unverified_spy(started: Any, kept: list[int], *args: Any) -> set[int]:
        rows = unverified(started, kept, *args)
        read.setdefault(block_first[0], set()).update(block_first[0] + kept[i] for i in rows)
        return rows

    monkeypatch.setattr(module._VectorPath, "_piece", piece_spy)
    monkeypatch.setattr(module._VectorPath, "_user_extra", user_extra_spy)
    monkeypatch.setattr(module._VectorPath, "_unverified", staticmethod(unverified_spy))
    return written, read  # filled in as blocks are curated


def with_top(record: dict[str, Any], fields: dict[str, Any]) -> bytes:
    return line({**record, **fields})


# Top-level fields no column types, as the lines of one block hold them (`make`: a record and its
# number -> the line), and which of the first block's lines (1 to 3) Arrow compute leaves to be
# read line by line (None: it writes no extra of that block).
TOP_FIELDS = {
    "lists of objects, on every line": (
        lambda r, n: with_top(r, {"totals_by_skill": [{"skill": "review", "invocation_count": n}]}),
        set(),
    ),
    "a string and an int": (lambda r, n: with_top(r, {"zz_tier": "gold", "aa_seats": n}), set()),
    "on some lines only": (lambda r, n: with_top(r, {"new_flag": True} if n % 2 else {}), set()),
    "two fields, on some lines only": (
        lambda r, n: with_top(r, {"zz_tier": "gold", "aa_seats": n} if n % 2 else {}),
        set(),
    ),
    "an object's keys in another order on one line": (
        lambda r, n: with_top(r, {"team": {"name": "a", "size": n} if n != 2 else {"size": n, "name": "a"}}),
        {2},
    ),
    "a null field inside an object": (
        lambda r, n: with_top(r, {"team": {"name": None if n == 2 else "a", "size": n}}),
        {2},  # Arrow's text leaves the null out
    ),
    "a field inside an object missing on one line": (
        lambda r, n: with_top(r, {"team": {"name": "a", "size": n} if n != 2 else {"size": n}}),
        set(),  # Arrow's text leaves the field out, as the line does
    ),
    "an empty object on one line": (
        lambda r, n: with_top(r, {"team": {"name": "a"} if n != 2 else {}}),
        set(),
    ),
    "a null field inside an object, on every line": (
        lambda r, n: with_top(r, {"team": {"name": None, "size": n}}),
        None,  # a field Arrow typed as null: no text of its own
    ),
    "a space after a value": (
        lambda r, n: with_top(r, {"zz_tier": "gold"}).replace(b'"zz_tier":"gold"', b'"zz_tier":"gold" '),
        set(),
    ),
    "an explicit null at the top": (lambda r, n: with_top(r, {"new_flag": None if n == 2 else True}), {2}),
    "the key also a string value": (
        lambda r, n: with_top(r, {"new_flag": True, "note": "new_flag"}),
        {1, 2, 3},
    ),
    "the key also inside another field": (
        lambda r, n: with_top(r, {"new_flag": True, "other": {"new_flag": False}}),
        {1, 2, 3},
    ),
    "a float": (lambda r, n: with_top(r, {"share": n + 0.5}), None),
    "on a line Arrow refuses too": (
        lambda r, n: with_top({**r, "loc_added_sum": "7"} if n == 2 else r, {"new_flag": True}),
        set(),  # that line is the line path's own
    ),
    "an escaped quote": (lambda r, n: with_top(r, {"zz_tier": 'say "gold"' if n == 2 else "gold"}), None),
    "the key again after it, before Arrow's text": (
        lambda r, n: with_top(
            r,
            {"new_flag": {"b": 1, "a": 2}}
            if n != 2
            else {"new_flag": {"a": 2, "b": 1}, "other": {"new_flag": {"b": 1, "a": 2}}},
        ),
        {2},  # two mentions: the last is not the line's own field
    ),
    "a key written with an escape": (
        lambda r, n: (
            with_top(r, {"new_flag": {"b": 1, "a": 2}})
            if n != 2
            else with_top(r, {"new_flag": {"a": 2, "b": 1}, "other": {"new_flag": {"b": 1, "a": 2}}}).replace(
                b'"new_flag":{"a"', b'"new\\u005fflag":{"a"'
            )
        ),
        None,  # its one plain mention is inside another field, right before Arrow's text
    ),
    "an escape that is not needed": (
        lambda r, n: with_top(r, {"zz_tier": "gold"}).replace(b'"gold"', b'"g\\u006fld"'),
        {1, 2, 3},  # Arrow's text is "gold", the bytes are not
    ),
}


@pytest.mark.parametrize(("name", "case"), TOP_FIELDS.items(), ids=TOP_FIELDS.keys())
def test_untyped_top_level_fields_get_the_line_paths_extra(name, case, monkeypatch):
    make, read_by_lines = case
    written, read = user_extra_spy(monkeypatch)
    lines = [make(r, n) for n, r in enumerate(user_records()[:6], start=1)]
    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    assert any(r["extra"] for r in tables["user_daily"])
    assert written.get(1, False) is (read_by_lines is not None)  # the first block: lines 1 to 3
    if read_by_lines is not None:
        assert read.get(1, set()) == read_by_lines


def test_two_untyped_element_fields_on_some_elements_only(monkeypatch):
    written = vector_extras(monkeypatch)
    records = user_records()[:6]
    lines = [line(with_every_element(r, {"zz_surface": "x", "aa_surface": 1})) for r in records[:2]]
    lines += [line(r) for r in records[2:]]  # elements without either, in the same blocks
    (tables, _), _ = curate_both(Report.USERS_1_DAY, lines)

    by_line = {r["source_line"]: extra(r) for r in tables["user_ide_daily"]}
    assert by_line[1] == {"aa_surface": 1, "zz_surface": "x"} and by_line[3] == {}
    assert written and all(written)
