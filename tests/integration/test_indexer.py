"""The real indexer lambda_handler against moto's S3 and Glue (one loopback server) and the
simulator's reports, archived first by the real archiver handler."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pyarrow.parquet as pq
import pytest

from copilot_archive.core.curated_schema import table_named, tables_for
from copilot_archive.core.reports import CATALOGUED_LEVELS, Report
from tests.conftest import CANARY_TOKEN, ROOT, TODAY, FakeLambdaContext, cold_start_modules, load_event
from tests.stack import create_stack_catalog

pytestmark = pytest.mark.loopback
# One CREATE OR REPLACE VIEW per file in athena/views.
SHIPPED_VIEWS = len(list((ROOT / "athena" / "views").glob("*.sql")))
# What one creation of the views sends to Athena: each view once per catalogued level.
# billed_usage_monthly reads a table of the enterprise level only: it has no organization twin.
ENTERPRISE_ONLY_VIEWS = 1
CREATED_VIEWS = SHIPPED_VIEWS * len(CATALOGUED_LEVELS) - ENTERPRISE_ONLY_VIEWS

PREFIX = "copilot-metrics"
FLAT_DAY, WRAPPER_DAY = date(2025, 10, 12), date(2025, 10, 13)  # the simulator alternates shapes
DAYS = [FLAT_DAY.isoformat(), WRAPPER_DAY.isoformat()]


def manifest_key(report: str, slug: str, day: str) -> str:
    return f"{PREFIX}/manifests/enterprise/{report}/enterprise={slug}/day={day}.json"


def curated_key(table: str, slug: str, day: str) -> str:
    if table_named(table).monthly:  # one file a month, rebuilt from the month's day files
        return f"{PREFIX}/curated/enterprise/{table}/enterprise={slug}/month={day[:7]}/part-0000.parquet"
    return f"{PREFIX}/curated/enterprise/{table}/enterprise={slug}/day={day}/part-0000.parquet"


def day_rows(s3: Any, bucket: str, table: str, slug: str, day: str) -> list[dict[str, Any]]:
    """One day's rows of a curated table, without the `day` column of a monthly table's file."""
    rows = read_parquet(s3, bucket, curated_key(table, slug, day))
    if not table_named(table).monthly:
        return rows
    return [{k: v for k, v in r.items() if k != "day"} for r in rows if r["day"].isoformat() == day]


def status_key(report: str, slug: str, day: str) -> str:
    """index_status is monthly: one file per enterprise and month, a row per report and day."""
    return curated_key("index_status", slug, day)


def status_rows(s3: Any, bucket: str, report: str, slug: str, day: str) -> list[dict[str, Any]]:
    """The index_status rows of one report-day (one, if it was ever indexed)."""
    return [r for r in day_rows(s3, bucket, "index_status", slug, day) if r["report"] == report]


def read_parquet(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return pq.read_table(io.BytesIO(body)).to_pylist()


def keys_under(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))


def raw_lines(s3: Any, bucket: str, report: str, slug: str, day: str) -> list[list[bytes]]:
    body = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key(report, slug, day))["Body"].read())
    return [s3.get_object(Bucket=bucket, Key=f["key"])["Body"].read().splitlines() for f in body["files"]]


@pytest.fixture
def glue(aws_env: str) -> Any:
    import boto3

    return boto3.client("glue")


@pytest.fixture
def database(glue: Any, bucket: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Glue database holding the tables template.yaml defines, as the stack creates them."""
    name = f"copilot_metrics_{uuid.uuid4().hex[:8]}"
    create_stack_catalog(glue, name, bucket, PREFIX)
    monkeypatch.setenv("GLUE_DATABASE", name)
    return name


@pytest.fixture
def archived(handler: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Two days of both 1-day reports for acme and globex, archived by the real archiver."""
    summary = handler({"days": DAYS, "reports": ["users-1-day", "enterprise-1-day"]})
    assert summary["counts"]["archived"] == 8, summary
    return summary


@pytest.fixture
def indexer(archiver_env: dict[str, str], database: str) -> Iterator[Callable[..., dict[str, Any]]]:
    from copilot_archive.indexing import runtime as index_runtime

    index_runtime.indexer_from_env.cache_clear()
    spec = importlib.util.spec_from_file_location("indexer_app", ROOT / "functions" / "indexer" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        return module.lambda_handler(event, FakeLambdaContext(function_name="copilot-indexer"))

    yield invoke
    index_runtime.indexer_from_env.cache_clear()


def object_created(bucket: str, key: str | None = None) -> dict[str, Any]:
    event = load_event("indexer-object-created.json")
    event["detail"]["bucket"]["name"] = bucket
    if key is not None:
        event["detail"]["object"]["key"] = key
    return event


def partitions(glue: Any, database: str, table: str) -> dict[tuple[str, ...], str]:
    found = glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]
    return {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in found}


def test_object_created_event_indexes_the_users_day(indexer, archived, s3, bucket, glue, database):
    summary = indexer(object_created(bucket))

    assert summary["counts"] == {"indexed": 1, "failed": 0, "deferred": 0}
    day = FLAT_DAY.isoformat()
    files = raw_lines(s3, bucket, "users-1-day", "acme", day)
    records = {
        (part, n): json.loads(text) for part, lines in enumerate(files) for n, text in enumerate(lines, 1)
    }
    manifest = json.loads(
        s3.get_object(Bucket=bucket, Key=manifest_key("users-1-day", "acme", day))["Body"].read()
    )
    rows = read_parquet(s3, bucket, curated_key("user_daily", "acme", day))
    assert len(files) > 1  # the simulator splits a report over several links
    assert len(rows) == len(records) == manifest["lines"] == summary["results"][0]["rows"]["user_daily"]
    for row in rows:
        raw = records[(row["source_part"], row["source_line"])]
        assert (row["user_id"], row["user_login"]) == (raw["user_id"], raw["user_login"])
        assert row["loc_added_sum"] == raw["loc_added_sum"] and row["used_chat"] == raw["used_chat"]
        assert row["ai_adoption_phase_number"] == raw["ai_adoption_phase"]["phase_number"]
        assert (row["etl_id"], row["entity_id_partition"]) == (raw["etl_id"], raw["entity_id_partition"])
        assert row["extra"] is None  # every field the simulator sends is documented and typed
    features = read_parquet(s3, bucket, curated_key("user_language_feature_daily", "acme", day))
    assert len(features) == sum(len(r["totals_by_language_feature"]) for r in records.values())

    values = ("acme", day)
    assert partitions(glue, database, "raw_users_1_day") == {
        values: f"s3://{bucket}/{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={day}/"
    }
    for table in tables_for(Report.USERS_1_DAY):
        location = f"s3://{bucket}/{PREFIX}/curated/enterprise/{table.name}/enterprise=acme/day={day}/"
        assert partitions(glue, database, table.name) == {values: location}
    assert ("acme", day[:7]) in partitions(glue, database, "index_status")
    [status] = status_rows(s3, bucket, "users-1-day", "acme", day)
    assert status["indexed"] and status["error"] is None
    assert status["rows"] == status["lines"] == len(rows) and status["files"] == len(files)
    assert status["manifest_key"] == manifest_key("users-1-day", "acme", day)
    assert status["mistyped_values"] == 0 == summary["results"][0]["mistyped_values"]


def test_a_last_line_without_a_newline_is_archived_and_indexed_with_its_rows(
    handler, indexer, s3, bucket, monkeypatch
):
    from copilot_simulator import Simulator

    day = FLAT_DAY.isoformat()
    with Simulator(users=6, today=TODAY, token=CANARY_TOKEN, final_newline=False) as unterminated:
        monkeypatch.setenv("GITHUB_API_URL", unterminated.api_url)
        archived = handler({"days": [day], "reports": ["users-1-day"], "enterprises": ["acme"]})
        served = unterminated.report_files("acme", "users-1-day", day)
    assert archived["counts"]["archived"] == 1, archived
    assert len(served) > 1 and not any(f.endswith(b"\n") for f in served)
    lines = sum(len(f.split(b"\n")) for f in served)  # no file ends in a newline: pieces are lines

    summary = indexer({"manifest": manifest_key("users-1-day", "acme", day)})

    [result] = summary["results"]
    assert result["indexed"], result
    assert result["rows"]["user_daily"] == lines
    assert len(read_parquet(s3, bucket, curated_key("user_daily", "acme", day))) == lines
    [status] = status_rows(s3, bucket, "users-1-day", "acme", day)
    assert status["indexed"] and status["rows"] == status["lines"] == lines


def test_both_enterprise_shapes_are_indexed(indexer, archived, s3, bucket, simulator):
    assert load_event("indexer-manifest.json")["manifest"].endswith(f"day={WRAPPER_DAY}.json")
    indexer(load_event("indexer-manifest.json"))  # the wrapper day
    indexer({"manifest": manifest_key("enterprise-1-day", "acme", FLAT_DAY.isoformat())})

    shapes = {}
    for day in (FLAT_DAY, WRAPPER_DAY):
        [row] = day_rows(s3, bucket, "enterprise_day_totals", "acme", day.isoformat())
        [raw] = [
            json.loads(x)
            for lines in raw_lines(s3, bucket, "enterprise-1-day", "acme", day.isoformat())
            for x in lines
        ]
        element = raw["day_totals"][0] if "day_totals" in raw else raw
        assert row["daily_active_users"] == element["daily_active_users"]
        assert row["enterprise_id"] == raw["enterprise_id"]
        assert row["pull_requests_total_created"] == element["pull_requests"]["total_created"]
        assert row["etl_id"] == raw["etl_id"]
        # only the wrapper's 28-day fields stay untyped (documented_fields.NOT_CURATED)
        assert set(json.loads(row["extra"] or "{}")) <= {"created_at", "report_start_day", "report_end_day"}
        pulls = element["pull_requests"]
        assert row["pull_requests_total_copilot_suggestions"] == pulls["total_copilot_suggestions"]
        assert (
            row["weekly_active_copilot_code_review_users"]
            == element["weekly_active_copilot_code_review_users"]
        )
        ides = day_rows(s3, bucket, "enterprise_ide_daily", "acme", day.isoformat())
        assert sorted(r["ide"] for r in ides) == sorted(r["ide"] for r in element["totals_by_ide"])
        kinds = day_rows(s3, bucket, "enterprise_pull_request_comment_type_daily", "acme", day.isoformat())
        assert [(k["comment_type"], k["total_copilot_applied_suggestions"]) for k in kinds] == [
            (c["comment_type"], c["total_copilot_applied_suggestions"])
            for c in pulls["copilot_suggestions_by_comment_type"]
        ]
        phases = day_rows(s3, bucket, "enterprise_ai_adoption_phase_daily", "acme", day.isoformat())
        assert [(p["phase"], p["total_engaged_users"]) for p in phases] == [
            (p["phase"], p["total_engaged_users"]) for p in element["totals_by_ai_adoption_phase"]
        ]
        shapes[day] = row["report_shape"]
    assert shapes == {FLAT_DAY: "flat", WRAPPER_DAY: "wrapper"}


def test_rebuild_replaces_and_never_duplicates(indexer, archived, s3, bucket, glue, database):
    first = indexer(load_event("indexer-rebuild.json"))
    curated = keys_under(s3, bucket, f"{PREFIX}/curated/")
    counts = {k: len(read_parquet(s3, bucket, k)) for k in curated}
    registered = partitions(glue, database, "user_feature_daily")

    second = indexer(load_event("indexer-rebuild.json"))

    assert first["counts"] == second["counts"] == {"indexed": 8, "failed": 0, "deferred": 0}
    assert keys_under(s3, bucket, f"{PREFIX}/curated/") == curated
    assert {k: len(read_parquet(s3, bucket, k)) for k in curated} == counts
    assert partitions(glue, database, "user_feature_daily") == registered and len(registered) == 4
    files = [k for k in curated if "/index_status/" not in k]
    assert len({k.rsplit("/", 1)[0] for k in files}) == len(files)  # one file per partition
    # every table gets its file each day, an empty one too: a re-index replaces all old rows
    for report in (Report.USERS_1_DAY, Report.ENTERPRISE_1_DAY):
        for table in tables_for(report):
            assert all(
                curated_key(table.name, slug, day) in counts for slug in ("acme", "globex") for day in DAYS
            )


def test_a_moved_partition_is_pointed_at_its_new_location(indexer, archived, bucket, glue, database):
    day = FLAT_DAY.isoformat()
    descriptor = glue.get_table(DatabaseName=database, Name="user_daily")["Table"]["StorageDescriptor"]
    glue.create_partition(
        DatabaseName=database,
        TableName="user_daily",
        PartitionInput={
            "Values": ["acme", day],
            "StorageDescriptor": {**descriptor, "Location": "s3://old/"},
        },
    )

    indexer({"manifest": manifest_key("users-1-day", "acme", day)})

    location = f"s3://{bucket}/{PREFIX}/curated/enterprise/user_daily/enterprise=acme/day={day}/"
    assert partitions(glue, database, "user_daily") == {("acme", day): location}


def test_the_28_day_reports_register_raw_and_status_only(handler, indexer, s3, bucket, glue, database):
    handler({"reports": ["users-28-day"], "enterprises": ["acme"]})
    [key] = keys_under(s3, bucket, f"{PREFIX}/manifests/enterprise/users-28-day/")

    summary = indexer({"manifest": key})

    [result] = summary["results"]
    assert result["indexed"] and "rows" not in result
    assert [k for k in keys_under(s3, bucket, f"{PREFIX}/curated/") if "/index_status/" not in k] == []
    assert len(partitions(glue, database, "raw_users_28_day")) == 1
    [status] = status_rows(s3, bucket, "users-28-day", "acme", result["day"])
    assert status["indexed"] and status["rows"] is None


def rewrite(s3: Any, bucket: str, key: str, lines: list[bytes]) -> None:
    """Replace a raw file and make its manifest agree, as a re-archive would."""
    data = b"".join(line + b"\n" for line in lines)
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    day_manifest = manifest_key("users-1-day", "acme", DAYS[0])
    body = json.loads(s3.get_object(Bucket=bucket, Key=day_manifest)["Body"].read())
    for listed in body["files"]:
        if listed["key"] == key:
            listed.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), lines=len(lines))
    s3.put_object(Bucket=bucket, Key=day_manifest, Body=json.dumps(body).encode())


def break_line(s3: Any, bucket: str) -> str:
    key = f"{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={DAYS[0]}/part-0001.json"
    lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines()
    rewrite(s3, bucket, key, [lines[0], b'{"user_id": 1, "truncated', *lines[1:]])
    return f"{key} line 2"


def break_size(s3: Any, bucket: str) -> str:
    key = f"{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={DAYS[0]}/part-0000.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"user_id": 1}\n')
    return f"{key} is 15 bytes"


def break_manifest(s3: Any, bucket: str) -> str:
    key = manifest_key("users-1-day", "acme", DAYS[0])
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"report": "users-1-day"')
    return f"{key}: not a valid manifest"


@pytest.mark.parametrize("damage", [break_line, break_size, break_manifest])
def test_a_damaged_day_is_reported_and_nothing_curated_is_written(indexer, archived, s3, bucket, damage):
    expected = damage(s3, bucket)

    summary = indexer({"manifest": manifest_key("users-1-day", "acme", DAYS[0])})

    assert summary["counts"] == {"indexed": 0, "failed": 1, "deferred": 0}
    [result] = summary["results"]
    assert expected in result["error"] and result["retryable"] is False
    assert keys_under(s3, bucket, f"{PREFIX}/curated/") == [status_key("users-1-day", "acme", DAYS[0])]
    [status] = status_rows(s3, bucket, "users-1-day", "acme", DAYS[0])
    assert status["indexed"] is False and expected in status["error"]


def test_a_bad_line_in_a_reindex_leaves_the_previous_rows_whole(indexer, archived, s3, bucket):
    key = manifest_key("users-1-day", "acme", DAYS[0])
    indexer({"manifest": key})
    before = read_parquet(s3, bucket, curated_key("user_feature_daily", "acme", DAYS[0]))
    break_line(s3, bucket)

    summary = indexer({"manifest": key})

    assert summary["counts"]["failed"] == 1
    assert read_parquet(s3, bucket, curated_key("user_feature_daily", "acme", DAYS[0])) == before


def test_a_catalog_failure_is_raised_for_a_retry_and_recorded(indexer, archived, s3, bucket, glue, database):
    from copilot_archive.core.exceptions import IndexingFailed

    glue.delete_table(DatabaseName=database, Name="user_cli_daily")

    with pytest.raises(IndexingFailed, match="user_cli_daily"):
        indexer({"manifest": manifest_key("users-1-day", "acme", DAYS[0])})

    [status] = status_rows(s3, bucket, "users-1-day", "acme", DAYS[0])
    assert status["indexed"] is False and "user_cli_daily" in status["error"]


def test_other_keys_and_buckets_are_ignored(indexer, archived, s3, bucket):
    raw_key = f"{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={DAYS[0]}/part-0000.json"

    assert "not a manifest key" in indexer(object_created(bucket, raw_key))["ignored"]
    assert "not the archive bucket" in indexer(object_created("someone-elses-bucket"))["ignored"]
    encoded = manifest_key("users-1-day", "acme", DAYS[0]).replace("=", "%3D")
    assert indexer(object_created(bucket, encoded))["counts"]["indexed"] == 1
    assert keys_under(s3, bucket, f"{PREFIX}/curated/enterprise/user_daily/")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"manifest": "copilot-metrics/raw/x.json"}, "not a manifest key"),
        ({"manifest": 7}, "manifest"),
        ({"rebuild": {"from": "2025-10-13", "to": "2025-10-12"}}, "after"),
        ({"rebuild": {"from": "2025-10-13"}}, "rebuild"),
        ({"rebuild": {"from": "2025/10/12", "to": "2025-10-13"}}, "rebuild.from"),
        ({"days": ["2025-10-12"]}, "unknown event"),
        ({"source": "aws.events", "detail-type": "Scheduled Event"}, "not an S3 'Object Created'"),
        (["x"], "JSON object"),
    ],
)
def test_bad_events_are_refused_naming_the_problem(indexer, event, message):
    from copilot_archive.core.exceptions import InvalidRequest

    with pytest.raises(InvalidRequest) as raised:
        indexer(event)

    assert message in str(raised.value)


# ---- the views in Athena: created once per change of their SQL, never failing a day ----


@pytest.fixture
def workgroup(aws_env: str, bucket: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An Athena workgroup in moto, named to the indexer as the stack does."""
    import boto3

    name = f"wg-{bucket}"
    boto3.client("athena").create_work_group(
        Name=name, Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{bucket}/athena/"}}
    )
    monkeypatch.setenv("ATHENA_WORKGROUP", name)
    return name


def views_queries(workgroup: str) -> list[str]:
    """Every query the workgroup was sent, oldest first."""
    import boto3

    athena = boto3.client("athena")
    ids = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    executions = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    executions.sort(key=lambda e: e["Status"]["SubmissionDateTime"])
    return [e["Query"] for e in executions]


def views_marker(glue: Any, database: str) -> str | None:
    from copilot_archive.querying.athena_views import VERSION_PARAMETER

    return glue.get_database(Name=database)["Database"].get("Parameters", {}).get(VERSION_PARAMETER)


def new_container() -> None:
    from copilot_archive.indexing import runtime as index_runtime

    index_runtime.indexer_from_env.cache_clear()


def index_day(indexer: Callable[..., dict[str, Any]], day: str) -> dict[str, Any]:
    summary = indexer({"manifest": manifest_key("users-1-day", "acme", day)})
    assert summary["counts"] == {"indexed": 1, "failed": 0, "deferred": 0}, summary
    return summary


def test_the_first_invocation_creates_every_shipped_view_in_athena_without_leading_comments(
    indexer, archived, glue, database, workgroup
):
    from copilot_archive.querying.athena_views import view_statements, views_version
    from copilot_archive.querying.sql import view_names

    index_day(indexer, DAYS[0])
    index_day(indexer, DAYS[1])  # same container: not again

    queries = views_queries(workgroup)
    names = view_names(CATALOGUED_LEVELS)
    assert queries == [statement for _, statement in view_statements()]
    assert len(queries) == len(names) == CREATED_VIEWS
    for name, query in zip(names, queries, strict=True):
        # Athena has refused DDL starting with a '--' comment line; every shipped file has one.
        assert query.startswith(f"CREATE OR REPLACE VIEW {name} AS"), query[:60]
    for path in (ROOT / "athena" / "views").glob("*.sql"):
        assert path.read_text().startswith("--"), path.name
    assert views_marker(glue, database) == views_version(view_statements())


def test_a_second_cold_start_does_not_rerun_the_views_ddl_when_the_marker_matches(
    indexer, archived, glue, database, workgroup
):
    index_day(indexer, DAYS[0])
    marker = views_marker(glue, database)
    new_container()
    index_day(indexer, DAYS[1])

    assert len(views_queries(workgroup)) == CREATED_VIEWS
    assert views_marker(glue, database) == marker is not None


def test_changed_view_sql_is_created_again_by_the_next_cold_start(
    indexer, archived, glue, database, workgroup, tmp_path, monkeypatch
):
    import shutil

    from copilot_archive.querying import athena_views, sql

    index_day(indexer, DAYS[0])
    old_marker = views_marker(glue, database)

    # A view file changed and compiled again (`make tables`), as a deploy ships it.
    shutil.copytree(ROOT / "athena", tmp_path / "athena")
    view = tmp_path / "athena" / "views" / "active_users_daily.sql"
    view.write_text(view.read_text().replace("SELECT", "SELECT DISTINCT", 1))
    monkeypatch.setattr(sql, "athena_dir", lambda: tmp_path / "athena")
    sql._files.cache_clear()
    try:
        compiled: dict[str, Any] = {}
        exec(sql.render_compiled(), compiled)
    finally:
        sql._files.cache_clear()
    monkeypatch.setattr(athena_views, "ATHENA_VIEWS", compiled["ATHENA_VIEWS"])
    new_container()
    index_day(indexer, DAYS[1])
    queries = views_queries(workgroup)
    assert views_marker(glue, database) not in (None, old_marker)

    assert len(queries) == 2 * CREATED_VIEWS
    assert any("SELECT DISTINCT" in q and "VIEW active_users_daily" in q for q in queries[CREATED_VIEWS:])


def test_a_cold_start_of_the_indexer_loads_no_sql_parser():
    """The views' statements and version come compiled with the package (sql.render_compiled):
    sqlglot costs a cold start about as much as boto3 itself."""
    loaded = cold_start_modules("indexer")

    assert "copilot_archive.indexing.indexer" in loaded  # the probe did import the handler
    assert {"sqlglot", "duckdb"} & loaded == set()


# Modules a cold start of the indexer once loaded and no invocation of it uses: the archiver's
# settings and URL checks (the indexer reads two variables), the process pool of the CLI's
# `index --workers`, and a module that only types the handler's `context`.
NOT_ON_INDEXER_PATH = (
    "copilot_archive.core.config",
    "copilot_archive.core.urls",
    "concurrent.futures.process",
    "aws_lambda_powertools.utilities.typing",
)


def test_a_cold_start_of_the_indexer_loads_nothing_its_invocations_do_not_use():
    loaded = cold_start_modules("indexer")

    assert "copilot_archive.indexing.indexer" in loaded  # the probe did import the handler
    assert [m for m in NOT_ON_INDEXER_PATH if m in loaded] == []


def test_the_indexer_layer_ships_only_packages_the_indexer_loads():
    """layers/indexer/requirements.txt: each package there is imported by a cold start of the
    indexer (its other packages come from ArchiverLayer); one it never imports is dead weight."""
    requirements = (ROOT / "layers" / "indexer" / "requirements.txt").read_text().splitlines()
    shipped = [line.split("#")[0].split("==")[0].strip() for line in requirements]
    shipped = [name.lower().replace("-", "_") for name in shipped if name]
    loaded = cold_start_modules("indexer")

    assert shipped  # the file was read
    assert [name for name in shipped if name not in loaded] == []


def test_an_athena_failure_leaves_the_day_indexed_and_is_counted_and_retried_later(
    indexer, archived, s3, bucket, glue, database, workgroup, monkeypatch, capsys, caplog
):
    import boto3
    from botocore.exceptions import ClientError

    from copilot_archive.querying import athena_views

    # A fresh default session: every client the indexer builds sees this hook.
    session = boto3.session.Session()
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    refused = []
    quota = {"exceeded": True}

    def throttle(**kwargs: Any) -> None:
        if not quota["exceeded"]:
            return
        refused.append(kwargs["model"].name)
        raise ClientError(
            {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, "StartQueryExecution"
        )

    session.events.register("before-call.athena.StartQueryExecution", throttle)
    capsys.readouterr()
    index_day(indexer, DAYS[0])
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]

    assert curated_key("user_daily", "acme", DAYS[0]) in keys_under(s3, bucket, f"{PREFIX}/curated/")
    assert len(refused) == 1 and views_marker(glue, database) is None
    assert [m["ViewsNotCreated"] for m in metrics if "ViewsNotCreated" in m] == [[1.0]]
    (warning,) = [r for r in caplog.records if r.getMessage().startswith("views not created")]
    assert warning.levelname == "WARNING" and warning.exc_info is not None
    assert "TooManyRequestsException" in str(warning.exc_info[1])

    quota["exceeded"] = False
    index_day(indexer, DAYS[1])  # the retry is not due yet: no DDL in this invocation
    assert views_queries(workgroup) == []

    monkeypatch.setattr(athena_views, "RETRY_SECONDS", 0.0)
    index_day(indexer, DAYS[0])
    assert len(views_queries(workgroup)) == CREATED_VIEWS and views_marker(glue, database) is not None


def test_values_that_do_not_fit_are_null_kept_as_json_in_extra_and_counted_in_index_status(
    indexer, one_day_archived, s3, bucket
):
    lines = s3.get_object(Bucket=bucket, Key=RAW0)["Body"].read().splitlines()
    record = json.loads(lines[0])
    misfits = {
        "loc_added_sum": -5,  # a negative count
        "user_initiated_interaction_count": "7",  # a number as a string
        "code_generation_activity_count": True,  # a bool for an integer
        "ai_credits_used": float("nan"),  # json.dumps writes NaN, which is not JSON
        "entity_id_partition": float("inf"),
    }
    rewrite(s3, bucket, RAW0, [json.dumps({**record, **misfits}).encode(), *lines[1:]])

    summary = indexer({"manifest": manifest_key("users-1-day", "acme", DAY0)})

    [result] = summary["results"]
    assert result["indexed"] and result["mistyped_values"] == len(misfits), result
    assert any("loc_added_sum does not fit user_daily" in w for w in result["warnings"])
    [row] = [
        r
        for r in read_parquet(s3, bucket, curated_key("user_daily", "acme", DAY0))
        if (r["source_part"], r["source_line"]) == (0, 1)
    ]
    assert all(row[name] is None for name in misfits)
    assert row["loc_deleted_sum"] == record["loc_deleted_sum"]  # the rest of the line is typed
    kept = json.loads(row["extra"], parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert kept == {**misfits, "ai_credits_used": "NaN", "entity_id_partition": "Infinity"}
    [status] = status_rows(s3, bucket, "users-1-day", "acme", DAY0)
    assert status["indexed"] and status["mistyped_values"] == len(misfits)


# ---- bad input: >= 20 bad manifests and report lines, each named, nothing archived touched ----

DAY0 = DAYS[0]
RAW0 = f"{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={DAY0}/part-0000.json"


@pytest.fixture
def one_day_archived(handler: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Just acme's users-1-day of DAY0: the one report-day the bad-input cases damage."""
    summary = handler({"days": [DAY0], "reports": ["users-1-day"], "enterprises": ["acme"]})
    assert summary["counts"]["archived"] == 1, summary
    return summary


def edit_manifest(change: Callable[[dict[str, Any]], Any]) -> Callable[[Any, str], bytes]:
    def damage(s3: Any, bucket: str) -> bytes:
        body = json.loads(
            s3.get_object(Bucket=bucket, Key=manifest_key("users-1-day", "acme", DAY0))["Body"].read()
        )
        changed = change(body)
        return json.dumps(body if changed is None else changed).encode()

    return damage


def replace_manifest(data: bytes) -> Callable[[Any, str], bytes]:
    return lambda s3, bucket: data


def set_file(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["files"][0].__setitem__(field, value)


BAD_MANIFESTS = {
    "truncated JSON": (replace_manifest(b'{"report": "users-1-day", "files": ['), "not a valid manifest"),
    "a JSON array": (replace_manifest(b"[]"), "not a valid manifest"),
    "empty": (replace_manifest(b""), "not a valid manifest"),
    "binary": (replace_manifest(b"\xff\xfe\x00garbage"), "not a valid manifest"),
    "no files": (edit_manifest(lambda b: b.pop("files")), "not a valid manifest"),
    "files is a string": (edit_manifest(lambda b: b.__setitem__("files", "part-0000.json")), "not a valid"),
    "a file entry is a list": (edit_manifest(lambda b: b["files"].__setitem__(0, [RAW0])), "not a valid"),
    "no sha256": (edit_manifest(lambda b: b["files"][0].pop("sha256")), "not a valid manifest"),
    "negative bytes": (edit_manifest(set_file("bytes", -1)), "negative"),
    "sha256 not hex": (edit_manifest(set_file("sha256", "z" * 64)), "64 hex"),
    "bytes not a number": (edit_manifest(set_file("bytes", "many")), "not a valid manifest"),
    "unknown report": (edit_manifest(lambda b: b.__setitem__("report", "users-9-day")), "users-9-day"),
    "unknown level": (edit_manifest(lambda b: b.__setitem__("level", "galaxy")), "galaxy"),
    "slug with ../": (edit_manifest(lambda b: b.__setitem__("slug", "../acme")), "../acme"),
    "another day": (edit_manifest(lambda b: b.__setitem__("day", DAYS[1])), "not users-1-day"),
    "bad fetched_at": (edit_manifest(lambda b: b.__setitem__("fetched_at", "yesterday")), "not a valid"),
    "file outside the layout": (
        edit_manifest(
            set_file("key", f"{PREFIX}/raw/enterprise/users-1-day/enterprise=acme/day={DAY0}/../x")
        ),
        "the layout says",
    ),
    "another enterprise's file": (
        edit_manifest(set_file("key", RAW0.replace("enterprise=acme", "enterprise=globex"))),
        "the layout says",
    ),
    "size that differs": (edit_manifest(set_file("bytes", 1)), "the manifest lists 1"),
    "sha256 that differs": (edit_manifest(set_file("sha256", "0" * 64)), "sha256"),
    "line count that differs": (
        edit_manifest(lambda b: b["files"][0].__setitem__("lines", 999_999)),
        "999999",
    ),
}


@pytest.mark.parametrize("damage", BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_bad_manifests_are_reported_by_key_and_leave_the_archive_untouched(
    indexer, one_day_archived, s3, bucket, damage
):
    change, message = damage
    key = manifest_key("users-1-day", "acme", DAY0)
    indexer({"manifest": key})  # a good index first: it must survive the bad one
    curated_before = {
        k: s3.get_object(Bucket=bucket, Key=k)["Body"].read()
        for k in keys_under(s3, bucket, f"{PREFIX}/curated/enterprise/user_")
    }
    raw_versions = len(s3.list_object_versions(Bucket=bucket, Prefix=f"{PREFIX}/raw/")["Versions"])
    s3.put_object(Bucket=bucket, Key=key, Body=change(s3, bucket))

    summary = indexer({"manifest": key})

    [result] = summary["results"]
    assert result["indexed"] is False and result["manifest"] == key and message in result["error"], result
    after = {
        k: s3.get_object(Bucket=bucket, Key=k)["Body"].read()
        for k in keys_under(s3, bucket, f"{PREFIX}/curated/enterprise/user_")
    }
    assert after == curated_before
    assert len(s3.list_object_versions(Bucket=bucket, Prefix=f"{PREFIX}/raw/")["Versions"]) == raw_versions


BAD_LINES = {
    "truncated object": b'{"user_id": 1, "user_login": "a',
    "a JSON array": b"[1, 2, 3]",
    "a JSON string": b'"just text"',
    "a number": b"42",
    "null": b"null",
    "binary": b"\xff\xfe\xfd",
    "two objects on one line": b'{"user_id": 1} {"user_id": 2}',
    "an opening brace": b"{",
    "a closing brace": b"}",
    "a missing value": b'{"user_id": }',
    "single quotes": b"{'user_id': 1}",
    "a trailing comma": b'{"user_id": 1,}',
    "a missing colon": b'{"user_id" 1}',
    "a misspelt literal": b'{"used_chat": tru}',
    "an unterminated string": b'{"user_login": "octo}',
    "invalid UTF-8 in a string": b'{"user_login": "\xff\xfe"}',
    "an HTML page": b"<html><body>Error</body></html>",
    "an extra closing brace": b'{"user_id": 1}}',
    "an array of objects": b'[{"user_id": 1}]',
    "true": b"true",
    "a comment": b'// {"user_id": 1}',
}


@pytest.mark.parametrize("line", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_report_lines_that_are_not_json_objects_are_named_by_file_and_line(
    indexer, one_day_archived, s3, bucket, line
):
    lines = s3.get_object(Bucket=bucket, Key=RAW0)["Body"].read().splitlines()
    rewrite(s3, bucket, RAW0, [*lines[:1], line, *lines[1:]])

    summary = indexer({"manifest": manifest_key("users-1-day", "acme", DAY0)})

    [result] = summary["results"]
    assert result["indexed"] is False and f"{RAW0} line 2" in result["error"], result
    assert keys_under(s3, bucket, f"{PREFIX}/curated/enterprise/user_daily/") == []


@pytest.mark.parametrize(
    ("report", "table", "key"),
    [
        ("user-teams-1-day", "user_team_daily", ("team_id", "user_id")),
        ("repos-1-day", "repo_daily", ("repo_id",)),
    ],
)
def test_the_team_and_repository_reports_are_archived_indexed_and_registered(
    handler, indexer, s3, bucket, glue, database, report, table, key
):
    day = FLAT_DAY.isoformat()
    archived = handler({"days": [day], "reports": [report], "enterprises": ["acme"]})
    assert archived["counts"]["archived"] == 1, archived

    summary = indexer({"manifest": manifest_key(report, "acme", day)})

    [result] = summary["results"]
    assert result["indexed"] and result["mistyped_values"] == 0, result
    raw = {
        tuple(json.loads(text)[k] for k in key)
        for lines in raw_lines(s3, bucket, report, "acme", day)
        for text in lines
    }
    rows = read_parquet(s3, bucket, curated_key(table, "acme", day))
    assert raw and {tuple(row[k] for k in key) for row in rows} == raw and len(rows) == len(raw)
    assert result["rows"] == {table: len(rows)}
    values = ("acme", day)
    raw_table = "raw_" + report.replace("-", "_")
    assert partitions(glue, database, raw_table) == {
        values: f"s3://{bucket}/{PREFIX}/raw/enterprise/{report}/enterprise=acme/day={day}/"
    }
    location = f"s3://{bucket}/{PREFIX}/curated/enterprise/{table}/enterprise=acme/day={day}/"
    assert partitions(glue, database, table) == {values: location}
    [status] = read_parquet(s3, bucket, status_key(report, "acme", day))
    assert status["indexed"] and status["rows"] == status["lines"] == len(rows)


def level_rows(s3: Any, bucket: str, level: str, table: str, slug: str, day: str) -> list[dict[str, Any]]:
    """One day's rows of a curated table at either level (a monthly table's file filtered to the day)."""
    base = f"{PREFIX}/curated/{level}/{table}/{level}={slug}"
    if not table_named(table).monthly:
        return read_parquet(s3, bucket, f"{base}/day={day}/part-0000.parquet")
    rows = read_parquet(s3, bucket, f"{base}/month={day[:7]}/part-0000.parquet")
    return [{k: v for k, v in r.items() if k != "day"} for r in rows if r["day"].isoformat() == day]


APP_COLUMNS = ("prompt_count", "request_count", "session_count")
TOKEN_COLUMNS = ("avg_tokens_per_request", "output_tokens_sum", "prompt_tokens_sum")


def app_values(app: dict[str, Any]) -> tuple[Any, ...]:
    return (*(app[c] for c in APP_COLUMNS), *(app["token_usage"][c] for c in TOKEN_COLUMNS))


@pytest.mark.parametrize(
    ("level", "slug", "aggregate"),
    [("enterprise", "acme", "enterprise-1-day"), ("organization", "octo", "organization-1-day")],
)
def test_the_fields_github_added_in_2026_are_typed_at_both_levels(
    handler, indexer, s3, bucket, monkeypatch, level, slug, aggregate
):
    """The Copilot app, partner agents, the adoption phases' review figures and the user-teams
    scope id, served by the simulator over HTTP, archived and indexed by the real handlers."""
    from copilot_archive.archiving import runtime
    from copilot_simulator import Simulator

    day = FLAT_DAY.isoformat()
    reports = ["users-1-day", aggregate, "user-teams-1-day"]
    with Simulator(
        enterprises=("acme",), organizations=("octo",), users=40, today=TODAY, token=CANARY_TOKEN
    ) as sim:
        monkeypatch.setenv("GITHUB_API_URL", sim.api_url)
        monkeypatch.setenv("ENTERPRISES", "acme")
        monkeypatch.setenv("ORGANIZATIONS", "octo")
        runtime.archiver_from_env.cache_clear()
        scope = {"enterprises": [slug]} if level == "enterprise" else {"organizations": [slug]}
        archived = handler({"days": [day], "reports": reports, **scope})
        served = {
            report: [
                json.loads(line) for data in sim.report_files(slug, report, day) for line in data.splitlines()
            ]
            for report in reports
        }
    assert archived["counts"]["archived"] == 3, archived
    for report in reports:
        summary = indexer({"manifest": f"{PREFIX}/manifests/{level}/{report}/{level}={slug}/day={day}.json"})
        [result] = summary["results"]
        assert result["indexed"] and result["mistyped_values"] == 0, result

    def rows(table: str) -> list[dict[str, Any]]:
        found = level_rows(s3, bucket, level, table, slug, day)
        assert all(r["extra"] is None for r in found), table  # every field served is typed
        return found

    # users-1-day: used_copilot_app, and the app and partner-agent breakdowns as their own tables
    users = served["users-1-day"]
    app_users = {u["user_id"]: u["totals_by_copilot_app"] for u in users if u["used_copilot_app"]}
    agent_rows = [
        (u["user_id"], a["agent_id"], a["agent_name"], a["user_initiated_interaction_count"])
        for u in users
        for a in u.get("totals_by_3rd_party_agent", ())
    ]
    assert app_users and len(app_users) < len(users) and agent_rows
    assert {r["user_id"]: r["used_copilot_app"] for r in rows("user_daily")} == {
        u["user_id"]: u["used_copilot_app"] for u in users
    }
    assert {
        r["user_id"]: tuple(r[c] for c in (*APP_COLUMNS, *TOKEN_COLUMNS))
        for r in rows("user_copilot_app_daily")
    } == {user: app_values(app) for user, app in app_users.items()}
    agents = rows("user_3rd_party_agent_daily")
    assert sorted(
        (r["user_id"], r["agent_id"], r["agent_name"], r["user_initiated_interaction_count"]) for r in agents
    ) == sorted(agent_rows)
    assert all(r["session_count"] is None for r in agents)  # aggregated reports only
    app_features = [r for r in rows("user_feature_daily") if r["feature"] == "copilot_app"]
    assert sorted(r["user_id"] for r in app_features) == sorted(app_users)

    # the aggregate line: the app's users and totals, partner agents, the phases' new figures
    [line] = served[aggregate]
    element = line["day_totals"][0] if "day_totals" in line else line
    [totals] = rows("enterprise_day_totals")
    assert (
        totals["daily_active_copilot_app_users"]
        == element["daily_active_copilot_app_users"]
        == len(app_users)
    )
    [app] = rows("enterprise_copilot_app_daily")
    assert tuple(app[c] for c in (*APP_COLUMNS, *TOKEN_COLUMNS)) == app_values(
        element["totals_by_copilot_app"]
    )
    assert app["prompt_count"] == sum(a["prompt_count"] for a in app_users.values())
    partner = rows("enterprise_3rd_party_agent_daily")
    assert [
        (r["agent_id"], r["agent_name"], r["user_initiated_interaction_count"], r["session_count"])
        for r in partner
    ] == [
        (a["agent_id"], a["agent_name"], a["user_initiated_interaction_count"], a["session_count"])
        for a in element["totals_by_3rd_party_agent"]
    ]
    for agent in partner:
        assert agent["user_initiated_interaction_count"] == sum(
            interactions for _, agent_id, _, interactions in agent_rows if agent_id == agent["agent_id"]
        )
    new = (
        "total_pull_requests_merged",
        "avg_pull_requests_minutes_to_review",
        "avg_pull_requests_review_cycles",
    )
    phases = rows("enterprise_ai_adoption_phase_daily")
    assert [(p["phase"], *(p[c] for c in new)) for p in phases] == [
        (p["phase"], *(p[c] for c in new)) for p in element["totals_by_ai_adoption_phase"]
    ]
    assert sum(p["total_pull_requests_merged"] for p in phases) == element["pull_requests"]["total_merged"]

    # user-teams: enterprise_id at enterprise scope, organization_id at organization scope
    teams = served["user-teams-1-day"]
    scope_key, other = ("enterprise_id", "organization_id")[:: 1 if level == "enterprise" else -1]
    assert teams and all(scope_key in t and other not in t for t in teams)
    team_rows = rows("user_team_daily")
    assert len(team_rows) == len(teams)
    assert {r[scope_key] for r in team_rows} == {t[scope_key] for t in teams} and all(
        r[other] is None for r in team_rows
    )
