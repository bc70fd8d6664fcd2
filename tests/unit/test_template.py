"""template.yaml against the code's contracts: Glue tables vs their definitions, handlers, env, IAM, events.

cfn-lint and `sam validate` check the template's shape (.ci/infra.sh); these tests check what
they cannot: that the catalog, the handlers and the policies agree with the package.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.core import config, curated_schema
from copilot_archive.core.curated_schema import ALL_TABLES, PER_PERSON_TABLES
from copilot_archive.core.exceptions import InvalidRequest
from copilot_archive.core.layout import PREFIX_PATTERN, curated_file_key, validate_prefix
from copilot_archive.core.reports import ALL_REPORTS, DEFAULT_REPORTS, Level
from copilot_archive.querying.table_definitions import table_definitions
from tests.stack import ALARMS, ALARMS_TEMPLATE, GLUE_TEMPLATE, RESOURCES, TEMPLATE, nested_parameters

ROOT = Path(__file__).resolve().parents[2]

# The archive prefix as the template's !Sub strings name it.
PREFIX = "${ArchivePrefix}"
# Each function's sample event for its event source, in events/ (tests reuse them).
EVENT_FILES = {
    "ArchiverFunction": "scheduled-scheduler.json",
    "IndexerFunction": "indexer-object-created.json",
    "ArchiveWorkerFunction": "archive-queue-message.json",
}
# Powertools reads these itself; every other variable the archiver gets is read by config.py.
POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
ARCHIVER_VARIABLES = {
    config.ENTERPRISES_PARAMETER,
    config.ORGANIZATIONS_PARAMETER,
    config.SCOPE_LIST_OBJECT,
    config.ARCHIVE_BUCKET,
    config.ARCHIVE_PREFIX,
    config.REPORTS,
    config.BILLING_REFETCH_DAYS,
    config.GITHUB_API_URL,
    config.GITHUB_API_VERSION,
    config.GITHUB_TOKEN_SECRET,
    config.GITHUB_APP_SECRET,
    config.DOWNLOAD_HOSTS,
    config.MAX_WORKERS,
    config.REFETCH_RESTATED,
    config.MAX_REPORT_BYTES,
    config.ARCHIVE_QUEUE_URL,
    config.QUEUE_FROM_SCOPES,
    config.QUEUE_WORKERS,
}
# The one reason an Allow may name Resource "*": the service has no resource-level permissions.
STAR_RESOURCE_ACTIONS = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions",
}


FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")


def repo_file(relative: str) -> Path:
    path = ROOT / relative
    assert path.is_file(), f"{relative} is missing"
    return path


def statements() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy statement in the template (roles, bucket and queue policies), by resource."""

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "Effect" in node and ("Action" in node or "NotAction" in node):
                yield node
            for child in node.values():
                yield from walk(child)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)

    for name, resource in RESOURCES.items():
        for statement in walk(resource.get("Properties", {})):
            yield name, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_glue_table_has_a_definition_and_every_definition_a_glue_table() -> None:
    # Their content is generated from the definitions (tests/unit/test_table_definitions.py).
    glue = {k: v for k, v in GLUE_TEMPLATE["Resources"].items() if v["Type"] == "AWS::Glue::Table"}
    expected = {t.logical_id: t.name for t in table_definitions()}
    assert {k: v["Properties"]["TableInput"]["Name"] for k, v in glue.items()} == expected
    assert set(glue) == set(GLUE_TEMPLATE["Resources"])
    for resource in glue.values():
        assert resource["Properties"]["DatabaseName"] == {"Ref": "GlueDatabase"}


def test_the_stack_deploys_the_glue_tables_as_a_nested_stack_of_its_own_database_and_bucket() -> None:
    # template.yaml holds what a person edits; the generated tables are a nested stack.
    assert not [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Glue::Table"]
    passed = nested_parameters("glue-tables.yaml")
    assert passed == {
        "GlueDatabase": {"Ref": "GlueDatabase"},
        "ArchiveBucket": {"Ref": "ArchiveBucket"},
        "ArchivePrefix": {"Ref": "ArchivePrefix"},
    }
    assert set(GLUE_TEMPLATE["Parameters"]) == set(passed)
    # What a person reads in one sitting; the alarms are alarms.yaml, the tables glue-tables.yaml.
    assert len((ROOT / "template.yaml").read_text().splitlines()) < 1200


def test_the_alarms_nested_stack_gets_every_parameter_it_declares_and_the_stacks_conditions() -> None:
    assert not [k for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"]
    passed = nested_parameters("alarms.yaml")
    declared = ALARMS_TEMPLATE["Parameters"]
    assert set(passed) == set(declared)
    # A parameter the parent has is passed as itself; the rest are its resources and mapping.
    for name in set(declared) & set(TEMPLATE["Parameters"]):
        assert passed[name] == {"Ref": name}, name
    for name, condition in ALARMS_TEMPLATE["Conditions"].items():
        if name.startswith("Has"):
            assert condition == TEMPLATE["Conditions"][name], name


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_file_defines_the_handler(function: str) -> None:
    properties = RESOURCES[function]["Properties"]
    module, handler = properties["Handler"].split(".")
    path = repo_file(f"{properties['CodeUri'].rstrip('/')}/{module}.py")
    assert re.search(rf"^def {handler}\(", path.read_text(), re.MULTILINE), f"{path} lacks def {handler}"


@pytest.mark.parametrize(
    "resource",
    sorted(k for k, v in RESOURCES.items() if v.get("Metadata", {}).get("BuildMethod") == "makefile"),
)
def test_makefile_build_has_the_target_sam_runs(resource: str) -> None:
    properties = RESOURCES[resource]["Properties"]
    folder = ROOT / (properties.get("CodeUri") or properties["ContentUri"])
    makefile = (folder / "Makefile").read_text()
    target = f"build-{resource}"
    assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"{folder}/Makefile lacks {target}"


def test_archiver_environment_is_read_by_config() -> None:
    variables = set(RESOURCES["ArchiverFunction"]["Properties"]["Environment"]["Variables"])
    assert variables - POWERTOOLS_VARIABLES <= ARCHIVER_VARIABLES


def test_indexer_environment_names_the_stack_catalog_and_workgroup() -> None:
    properties = RESOURCES["IndexerFunction"]["Properties"]
    variables = properties["Environment"]["Variables"]
    assert variables["GLUE_DATABASE"] == {"Ref": "GlueDatabase"}
    assert variables["ATHENA_WORKGROUP"] == {"Ref": "AthenaWorkGroup"}
    assert variables["ARCHIVE_BUCKET"] == {"Ref": "ArchiveBucket"}
    assert variables["ARCHIVE_PREFIX"] == {"Ref": "ArchivePrefix"}
    assert properties["Layers"] == [{"Ref": "ArchiverLayer"}, {"Ref": "IndexerLayer"}]


def test_no_allow_grants_every_action_of_a_service() -> None:
    # A Deny on s3:* (the TLS-only bucket policies) narrows access; only an Allow can over-grant.
    for resource, statement in statements():
        assert "NotAction" not in statement or statement["Effect"] == "Deny", resource
        if statement["Effect"] != "Allow":
            continue
        for action in as_list(statement.get("Action", [])):
            assert action != "*" and not action.endswith(":*"), f"{resource} allows {action}"


def test_resource_star_only_where_the_service_has_no_resource_level_permissions() -> None:
    for resource, statement in statements():
        if statement["Effect"] == "Allow" and "*" in as_list(statement.get("Resource", [])):
            actions = as_list(statement["Action"])
            assert set(actions) <= set(STAR_RESOURCE_ACTIONS), f"{resource} allows {actions} on '*'"


def role_policies(role: str) -> set[str]:
    """The role and the template's managed policies attached to it: where its grants are."""
    attached = RESOURCES[role]["Properties"].get("ManagedPolicyArns", [])
    return {role} | {arn["Ref"] for arn in attached if isinstance(arn, dict) and "Ref" in arn}


def allowed(role: str) -> Iterator[dict[str, Any]]:
    """Every Allow statement `role` is granted, inline or through a managed policy of the template."""
    for resource, statement in statements():
        if resource in role_policies(role) and statement["Effect"] == "Allow":
            yield statement


def s3_resources(role: str, actions: set[str]) -> set[str]:
    """The !Sub strings of every resource `role` is allowed any of `actions` on."""
    found = set()
    for statement in allowed(role):
        granted = set(as_list(statement["Action"]))
        if actions & granted:
            for target in as_list(statement["Resource"]):
                found.add(target["Fn::Sub"] if "Fn::Sub" in target else json.dumps(target))
    return found


ARCHIVE = "${ArchiveBucket.Arn}/${ArchivePrefix}"
S3_WRITES = {
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:AbortMultipartUpload",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectAcl",
}


@pytest.mark.parametrize("role", ["ArchiverRole", "ArchiveWorkerRole"])
def test_archiver_writes_only_raw_files_manifests_and_its_ledgers(role: str) -> None:
    assert s3_resources(role, S3_WRITES) == {
        f"{ARCHIVE}/raw/*",
        f"{ARCHIVE}/manifests/*",
        f"{ARCHIVE}/state/*",
    }
    # Removing a file (a delete marker or an exact version) is for raw files: a forced
    # re-archive's surplus parts, a failed attempt's versions. Never a manifest or a ledger.
    assert s3_resources(role, {"s3:DeleteObject", "s3:DeleteObjectVersion"}) == {f"{ARCHIVE}/raw/*"}
    # Multipart uploads are for raw files only; a run aborts what a killed run left open.
    assert s3_resources(role, {"s3:AbortMultipartUpload"}) == {f"{ARCHIVE}/raw/*"}
    assert s3_resources(role, {"s3:ListBucketMultipartUploads"}) == {
        '{"Fn::GetAtt": ["ArchiveBucket", "Arn"]}'
    }
    # The scope-list file is read, never written.
    assert f"{ARCHIVE}/config/*" in s3_resources(role, {"s3:GetObject"})


def test_the_archiver_code_deletes_only_raw_files() -> None:
    # What the roles allow, as the code acts: every delete in the archiver is of a raw file
    # (the commit path, which every source uses, is where the archiver deletes anything).
    source = "".join(
        repo_file(f"src/copilot_archive/archiving/{name}.py").read_text() for name in ("archiver", "commit")
    )
    deleted = re.findall(r"self\.storage\.delete\((\w+)", source)
    assert deleted and set(deleted) <= {"extra", "key"}
    assert "extra = raw_file_key(" in source
    assert re.search(
        r"for key, version_id in written:\s+try:\s+self\.storage\.delete\(key, version_id\)", source
    )


def test_indexer_writes_only_curated_files_and_query_results() -> None:
    assert s3_resources("IndexerRole", S3_WRITES - {"s3:DeleteObject"}) == {
        f"{ARCHIVE}/curated/*",
        "${AthenaResultsBucket.Arn}/results/*",
    }
    # Curated files are replaced, never deleted, each in one PutObject (put_bytes), so there is no
    # multipart upload to abort; but for the per-person files past USER_DATA_RETENTION_DAYS, which
    # the privacy module alone deletes (a delete marker: never an exact version).
    deletable = s3_resources("IndexerRole", {"s3:DeleteObject", "s3:DeleteObjectVersion"})
    assert deletable == {f"{ARCHIVE}/curated/*/user_*", f"{ARCHIVE}/curated/*/seat_daily/*"}
    # Exactly the files of the tables the indexer expires (PER_PERSON_TABLES): not the bill
    # (billing_usage_daily), nor any other table's. IAM's '*' spans '/'.
    for table in ALL_TABLES:
        for level in Level:
            key = curated_file_key(ARCHIVE, table.name, "acme", date(2026, 1, 2), level)
            expires = table in PER_PERSON_TABLES
            assert any(fnmatch.fnmatchcase(key, pattern) for pattern in deletable) == expires, key
    assert curated_schema.BILLING_USAGE_DAILY not in PER_PERSON_TABLES
    indexing = {p.name: p.read_text() for p in (ROOT / "src/copilot_archive/indexing").glob("*.py")}
    assert [name for name, text in indexing.items() if ".delete(" in text] == ["privacy.py"]
    assert not any("delete_object" in text for text in indexing.values())
    indexing = "".join(indexing.values())
    assert s3_resources("IndexerRole", {"s3:AbortMultipartUpload"}) == {
        "${AthenaResultsBucket.Arn}/results/*"
    }
    assert "put_stream" not in indexing and "upload_fileobj" not in indexing
    assert {f"{ARCHIVE}/raw/*", f"{ARCHIVE}/manifests/*"} <= s3_resources("IndexerRole", {"s3:GetObject"})


def test_no_role_may_shorten_or_bypass_object_lock() -> None:
    lock = {"s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"}
    for resource, statement in statements():
        if statement["Effect"] == "Allow":
            assert not lock & set(as_list(statement["Action"])), resource


def test_only_the_archivers_role_may_read_the_token_secret() -> None:
    readers = {
        role
        for role in ("ArchiverRole", "ArchiveWorkerRole", "IndexerRole")
        for statement in allowed(role)
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
    }
    readers_of_token = {
        role
        for role in ("ArchiverRole", "ArchiveWorkerRole", "IndexerRole")
        for statement in allowed(role)
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
        and statement["Resource"] == {"Ref": "GitHubTokenSecret"}
    }
    assert readers_of_token == {"ArchiverRole", "ArchiveWorkerRole"}
    # The indexer reads one secret: the pseudonym key, when PseudonymizeUsers is on.
    assert readers == {"ArchiverRole", "ArchiveWorkerRole", "IndexerRole"}
    indexer_reads = [
        s["Resource"]
        for s in allowed("IndexerRole")
        if "secretsmanager:GetSecretValue" in as_list(s["Action"])
    ]
    assert indexer_reads == [{"Ref": "PseudonymKeySecret"}]
    (policy,) = [
        r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::SecretsManager::ResourcePolicy"
    ]
    assert policy["SecretId"] == {"Ref": "GitHubTokenSecret"}
    assert policy["BlockPublicPolicy"] is True
    (deny,) = policy["ResourcePolicy"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert as_list(deny["Action"]) == ["secretsmanager:GetSecretValue"]
    archiver_roles = [{"Fn::GetAtt": ["ArchiverRole", "Arn"]}, {"Fn::GetAtt": ["ArchiveWorkerRole", "Arn"]}]
    assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalArn": archiver_roles}}


def glue_grants(role: str) -> dict[str, set[str]]:
    """Glue action -> the !Sub ARNs `role` is allowed it on."""
    grants: dict[str, set[str]] = {}
    for resource, statement in statements():
        if resource != role or statement["Effect"] != "Allow":
            continue
        for action in as_list(statement["Action"]):
            if action.startswith("glue:"):
                grants.setdefault(action, set()).update(t["Fn::Sub"] for t in as_list(statement["Resource"]))
    return grants


GLUE = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"


def test_indexer_role_grants_what_athena_ddl_needs_in_glue() -> None:
    # Athena's guide for CREATE VIEW: these on the catalog and the default database, whatever
    # database the query names; a view is a table of the stack's database.
    grants = glue_grants("IndexerRole")
    assert {f"{GLUE}:catalog", f"{GLUE}:database/default"} <= grants.get("glue:GetDatabase", set())
    # The stack creates the one database the views go in: the indexer creates none.
    assert "glue:CreateDatabase" not in grants
    assert f"{GLUE}:catalog" in grants.get("glue:GetDatabases", set())
    views = {f"{GLUE}:catalog", f"{GLUE}:database/${{GlueDatabase}}", f"{GLUE}:table/${{GlueDatabase}}/*"}
    for action in ("glue:GetTable", "glue:CreateTable", "glue:UpdateTable", "glue:UpdateDatabase"):
        assert views <= grants.get(action, set()), action


def test_indexer_role_allows_every_glue_call_the_catalog_adapter_makes() -> None:
    # catalog.py is the one place Glue is called; a call the role lacks fails only in AWS.
    source = repo_file("src/copilot_archive/indexing/catalog.py").read_text()
    calls = set(re.findall(r"_client\.([a-z_]+)\(", source)) - {"get_paginator"}
    calls |= set(re.findall(r"get_paginator\(\s*[\"']([a-z_]+)[\"']", source))
    needed = {"glue:" + "".join(word.capitalize() for word in call.split("_")) for call in calls}
    granted = {
        action
        for resource, statement in statements()
        if resource == "IndexerRole" and statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    }
    assert calls, "catalog.py makes no Glue call the test recognises"
    assert needed <= granted, f"IndexerRole lacks {sorted(needed - granted)}"


def test_workgroup_enforces_results_location_and_scan_limit() -> None:
    workgroup = RESOURCES["AthenaWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    assert workgroup["BytesScannedCutoffPerQuery"] == {"Ref": "AthenaBytesScannedCutoff"}
    assert workgroup["ResultConfiguration"]["OutputLocation"] == {
        "Fn::Sub": "s3://${AthenaResultsBucket}/results/"
    }
    cutoff = TEMPLATE["Parameters"]["AthenaBytesScannedCutoff"]
    assert cutoff["Default"] == 10 * 2**30
    assert cutoff["MinValue"] == 10 * 2**20


def test_every_function_has_a_sample_event_file() -> None:
    assert set(FUNCTIONS) <= set(EVENT_FILES), "add the new function's sample event to EVENT_FILES"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_sample_event_exists_for_the_event_source(function: str) -> None:
    path = repo_file(f"events/{EVENT_FILES[function]}")
    assert path.is_file()


def test_indexer_sample_event_matches_the_manifest_rule() -> None:
    event = json.loads(repo_file("events/indexer-object-created.json").read_text())
    pattern = RESOURCES["IndexerFunction"]["Properties"]["Events"]["ManifestCreated"]["Properties"]["Pattern"]
    assert event["source"] in pattern["source"]
    assert event["detail-type"] in pattern["detail-type"]
    prefix = pattern["detail"]["object"]["key"][0]["prefix"]["Fn::Sub"]
    default_prefix = TEMPLATE["Parameters"]["ArchivePrefix"]["Default"]
    assert event["detail"]["object"]["key"].startswith(prefix.replace(PREFIX, default_prefix))


def test_every_skipped_scanner_check_says_why() -> None:
    skipped = [
        (name, skip)
        for name, resource in RESOURCES.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skipped
    for name, skip in skipped:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
        assert len(skip.get("comment", "").split()) >= 8, f"{name} skips {skip['id']} without a reason"


def test_every_alarm_notifies_the_topic_and_watches_a_metric_the_code_publishes() -> None:
    published = "".join(p.read_text() for p in (ROOT / "src" / "copilot_archive").rglob("*.py"))
    alarms = {k: v["Properties"] for k, v in ALARMS.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == set(ALARMS)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        if alarm["Namespace"] not in ("AWS/Lambda", "AWS/SQS"):
            assert f'"{alarm["MetricName"]}"' in published, f"{name}: nobody publishes {alarm['MetricName']}"
    watched = {(a["Namespace"], a["MetricName"]) for a in alarms.values() if isinstance(a["Namespace"], str)}
    assert ("AWS/Lambda", "Errors") in watched and (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    ) in watched
    queues = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::SQS::Queue" and "DeadLetter" in k}
    queue_alarms = {
        a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms.values() if a["Namespace"] == "AWS/SQS"
    }
    assert queue_alarms == queues, "every dead-letter queue has an alarm"


def test_freshness_alarm_breaches_when_the_archiver_goes_quiet() -> None:
    alarm = ALARMS["DataFreshnessAlarm"]["Properties"]
    assert alarm["MetricName"] == "DataAgeHours" and alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == {"Ref": "FreshnessHours"}
    assert alarm["TreatMissingData"] == "breaching"


def test_archive_bucket_is_encrypted_versioned_private_and_tls_only() -> None:
    bucket = RESOURCES["ArchiveBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    deny, raw_readers = RESOURCES["ArchiveBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The other statement denies raw per-person reads when PseudonymizeUsers is on (test_personal_data).
    assert raw_readers["Fn::If"][0] == "PseudonymizesUsers"


# ---- ArchivePrefix: the template accepts exactly what the code accepts ----------------------

GOOD_PREFIXES = ["copilot-metrics", "a", "A1", "team/copilot", "a.b/c_d/e-f", "x/y/z", "v1.2", "a..b", "a/b."]
BAD_PREFIXES = [
    "",
    "day=2026-01-01",  # '=' passed the old pattern and failed every invocation
    "enterprise=acme/x",
    ".",
    "..",
    "a/../b",
    "./x",
    ".hidden",
    "_x",
    "-x",
    "a//b",
    "a b",
    "a\\b",
    "ünï",
    "a\n",
    "a/*",
    "a%2Fb",
]


def template_accepts_prefix(prefix: str) -> bool:
    # CloudFormation matches the whole value (Java's matches()): fullmatch is the same test.
    pattern = TEMPLATE["Parameters"]["ArchivePrefix"]["AllowedPattern"]
    return re.fullmatch(pattern, prefix) is not None


def code_accepts_prefix(prefix: str) -> bool:
    try:
        return validate_prefix(prefix) == prefix
    except InvalidRequest:
        return False


def test_archive_prefix_pattern_is_the_codes_rule() -> None:
    assert TEMPLATE["Parameters"]["ArchivePrefix"]["AllowedPattern"] == PREFIX_PATTERN
    assert template_accepts_prefix(TEMPLATE["Parameters"]["ArchivePrefix"]["Default"])


@pytest.mark.parametrize("prefix", GOOD_PREFIXES)
def test_a_prefix_the_template_accepts_the_code_accepts(prefix: str) -> None:
    assert template_accepts_prefix(prefix)
    assert code_accepts_prefix(prefix)


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
def test_a_prefix_the_code_refuses_the_template_refuses(prefix: str) -> None:
    assert not code_accepts_prefix(prefix)
    assert not template_accepts_prefix(prefix)


@pytest.mark.parametrize("prefix", ["/a", "a/", "/a/b/"])
def test_surrounding_slashes_are_refused_by_the_template_and_stripped_by_the_code(prefix: str) -> None:
    # The template builds ARNs and the event rule from the raw value, so it takes only the
    # normalised form; the CLI and the environment may carry slashes, which the code strips.
    assert not template_accepts_prefix(prefix)
    assert validate_prefix(prefix) == prefix.strip("/")


# ---- the archive bucket keeps raw bytes ----------------------------------------------------


def lifecycle_rules() -> list[Any]:
    return list(RESOURCES["ArchiveBucket"]["Properties"]["LifecycleConfiguration"]["Rules"])


def test_noncurrent_raw_versions_expire_only_when_a_retention_is_set() -> None:
    parameter = TEMPLATE["Parameters"]["NoncurrentVersionRetentionDays"]
    assert parameter["Default"] == 0 and parameter["MinValue"] == 0
    assert TEMPLATE["Conditions"]["ExpiresNoncurrentVersions"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "NoncurrentVersionRetentionDays"}, 0]}]
    }
    conditional = []
    for rule in lifecycle_rules():
        if "Fn::If" in rule:
            condition, rule, otherwise = rule["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}
            conditional.append((condition, rule))
            continue
        assert "ExpirationInDays" not in rule and "ExpirationDate" not in rule, rule["Id"]
        if "NoncurrentVersionExpiration" in rule:
            # Unconditioned expiry reaches only the curated files, which are rebuilt from raw.
            assert rule["Prefix"] == {"Fn::Sub": "${ArchivePrefix}/curated/"}, rule["Id"]
    # The per-person raw prefixes' rules are USER_DATA_RETENTION_DAYS's (tests/unit/test_privacy_settings.py).
    conditional = [(c, r) for c, r in conditional if c != "ExpiresUserData"]
    (condition, rule), *others = conditional
    assert not others and condition == "ExpiresNoncurrentVersions"
    days = {"Ref": "NoncurrentVersionRetentionDays"}
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": days}


def test_object_lock_is_governance_mode_for_the_chosen_days_and_off_by_default() -> None:
    parameter = TEMPLATE["Parameters"]["ObjectLockDays"]
    assert parameter["Default"] == 0
    off = {"Fn::Equals": [{"Ref": "ObjectLockDays"}, 0]}
    assert TEMPLATE["Conditions"]["HasObjectLock"] == {"Fn::Not": [off]}
    bucket = RESOURCES["ArchiveBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] == {"Fn::If": ["HasObjectLock", True, {"Ref": "AWS::NoValue"}]}
    condition, lock, otherwise = bucket["ObjectLockConfiguration"]["Fn::If"]
    assert condition == "HasObjectLock" and otherwise == {"Ref": "AWS::NoValue"}
    assert lock == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": {"Ref": "ObjectLockDays"}}},
    }


def test_max_report_bytes_parameter_matches_the_codes_default_and_floor():
    parameter = TEMPLATE["Parameters"]["MaxReportBytes"]
    assert parameter["Default"] == config.DEFAULT_MAX_REPORT_BYTES
    assert parameter["MinValue"] == config.MIN_MAX_REPORT_BYTES
    environment = RESOURCES["ArchiverFunction"]["Properties"]["Environment"]["Variables"]
    assert environment[config.MAX_REPORT_BYTES] == {"Ref": "MaxReportBytes"}


def test_reports_parameter_accepts_every_report_and_archives_all_but_billing_by_default() -> None:
    parameter = TEMPLATE["Parameters"]["Reports"]
    pattern = re.compile(parameter["AllowedPattern"])

    assert set(parameter["Default"].split(",")) == {r.value for r in ALL_REPORTS} - {"billing-usage"}
    assert set(parameter["Default"].split(",")) == {r.value for r in DEFAULT_REPORTS}
    assert pattern.fullmatch(",".join(r.value for r in ALL_REPORTS))
    assert not pattern.fullmatch("users-1-day,teams-1-day")


# ---- GitHub App credentials (issue 10) ----


def test_a_github_app_secret_replaces_the_token_secret_and_only_the_archiver_reads_it() -> None:
    environment = RESOURCES["ArchiverFunction"]["Properties"]["Environment"]["Variables"]
    no_value = {"Ref": "AWS::NoValue"}
    # Never both: the code refuses GITHUB_TOKEN_SECRET beside GITHUB_APP_SECRET.
    assert environment[config.GITHUB_TOKEN_SECRET] == {
        "Fn::If": ["HasGitHubAppSecret", no_value, {"Ref": "GitHubTokenSecret"}]
    }
    assert environment[config.GITHUB_APP_SECRET] == {
        "Fn::If": ["HasGitHubAppSecret", {"Ref": "GitHubAppSecret"}, no_value]
    }
    readable = [
        (resource, statement["Resource"])
        for resource, statement in statements()
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"]) and statement["Effect"] == "Allow"
    ]
    # Granted once, in the policy both archivers' roles share.
    assert sorted(map(str, readable)) == sorted(
        map(
            str,
            [
                ("ArchiverCommonPolicy", {"Ref": "GitHubTokenSecret"}),
                ("ArchiverCommonPolicy", {"Ref": "GitHubAppSecret"}),
                ("IndexerRole", {"Ref": "PseudonymKeySecret"}),  # not GitHub's: docs/personal-data.md
            ],
        )
    )
    shared = RESOURCES["ArchiverCommonPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    conditional = [s["Fn::If"] for s in shared if "Fn::If" in s and s["Fn::If"][0] == "HasGitHubAppSecret"]
    ((_condition, statement, otherwise),) = conditional
    assert statement["Resource"] == {"Ref": "GitHubAppSecret"} and otherwise == no_value


def test_the_github_app_secret_parameter_takes_a_full_secret_arn_or_nothing() -> None:
    pattern = re.compile(TEMPLATE["Parameters"]["GitHubAppSecret"]["AllowedPattern"])

    assert pattern.fullmatch("")
    assert pattern.fullmatch("arn:aws:secretsmanager:eu-west-1:123456789012:secret:copilot/app-AbCdEf")
    assert not pattern.fullmatch("copilot/app")  # a name: IAM could not name it in the policy


# ---- end of GitHub App credentials ----


# ---- The archive queue ----


def test_the_worker_runs_the_archivers_code_with_its_environment_and_role() -> None:
    archiver = RESOURCES["ArchiverFunction"]["Properties"]
    worker = RESOURCES["ArchiveWorkerFunction"]["Properties"]
    for same in ("CodeUri", "Layers", "MemorySize", "Timeout", "Environment", "LoggingConfig"):
        assert worker[same] == archiver[same], same
    # Each its own role, sharing what both do (ArchiverCommonPolicy).
    assert archiver["Role"] == {"Fn::GetAtt": ["ArchiverRole", "Arn"]}
    assert worker["Role"] == {"Fn::GetAtt": ["ArchiveWorkerRole", "Arn"]}
    assert worker["Handler"] == "app.worker_handler"
    assert archiver["Environment"]["Variables"][config.ARCHIVE_QUEUE_URL] == {"Ref": "ArchiveQueue"}
    # Each run paces itself to its share of a credential's calls a minute (config.py).
    assert archiver["Environment"]["Variables"][config.QUEUE_WORKERS] == {"Ref": "QueueWorkers"}


def test_the_worker_takes_one_message_at_a_time_and_reports_failed_ones() -> None:
    source = RESOURCES["ArchiveWorkerFunction"]["Properties"]["Events"]["ArchiveQueue"]
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["ArchiveQueue", "Arn"]}
    assert source["Properties"]["BatchSize"] == 1
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # The poller invokes no more workers than MaximumConcurrency (and than are reserved, when
    # they are): none is throttled into a receive.
    assert source["Properties"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "QueueWorkers"}


def test_the_archive_queue_outlasts_six_worker_timeouts_and_dead_letters_after_three_receives() -> None:
    queue = RESOURCES["ArchiveQueue"]["Properties"]
    timeout = RESOURCES["ArchiveWorkerFunction"]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # AWS's guidance for Lambda event sources
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ArchiveQueueDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 3,
    }
    for name in ("ArchiveQueue", "ArchiveQueueDeadLetterQueue"):
        assert RESOURCES[name]["Properties"]["SqsManagedSseEnabled"] is True


def test_default_worker_concurrency_keeps_githubs_100_concurrent_requests() -> None:
    parameters = TEMPLATE["Parameters"]
    most_per_run = parameters["MaxWorkers"]["MaxValue"]
    # The workers and the scheduled run, each with MaxWorkers requests in flight.
    assert (parameters["QueueWorkers"]["Default"] + 1) * most_per_run <= 100
    assert parameters["QueueFromScopes"]["Default"] == config.DEFAULT_QUEUE_FROM_SCOPES


def test_archive_queue_sample_event_carries_a_message_the_worker_accepts() -> None:
    from copilot_archive.archiving.events import parse_event
    from copilot_archive.archiving.planner import Window
    from copilot_archive.core.layout import Scope
    from copilot_archive.core.reports import Level

    event = json.loads(repo_file("events/archive-queue-message.json").read_text())
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:sqs"
    window = Window.for_today(date(2025, 11, 1))  # the tests' fixed today
    request = parse_event(json.loads(record["body"]), window, [Scope(Level.ENTERPRISE, "acme")])
    assert request.scopes == (Scope(Level.ENTERPRISE, "acme"),) and request.days is not None


# ---- The stack deploys on the account a newcomer has ----


def sqs_grants(role: str) -> dict[str, set[str]]:
    """SQS action -> the queues (logical ids) `role` may do it on."""
    grants: dict[str, set[str]] = {}
    for statement in allowed(role):
        for action in as_list(statement["Action"]):
            if action.startswith("sqs:"):
                grants.setdefault(action, set()).update(
                    r["Fn::GetAtt"][0] for r in as_list(statement["Resource"])
                )
    return grants


def test_the_scheduled_archiver_only_sends_to_the_archive_queue() -> None:
    # sqs.py sends (send_message_batch); receiving and deleting is the worker's event source.
    assert sqs_grants("ArchiverRole") == {"sqs:SendMessage": {"ArchiveQueue", "ArchiverDeadLetterQueue"}}


def test_the_worker_has_its_own_role_for_the_event_source_and_its_requeues() -> None:
    assert sqs_grants("ArchiveWorkerRole") == {
        action: {"ArchiveQueue"}
        for action in (
            "sqs:SendMessage",  # deferred work goes back on the queue (dispatch.py)
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
        )
    }
    # No dead-letter queue of the scheduled function's asynchronous invocations.
    assert "DeadLetterQueue" not in RESOURCES["ArchiveWorkerFunction"]["Properties"]


def test_the_sqs_calls_the_archiver_code_makes_are_what_its_roles_allow() -> None:
    source = "".join(p.read_text() for p in (ROOT / "src/copilot_archive/archiving").glob("*.py"))
    calls = set(re.findall(r"client\.(\w+_message\w*)\(", source))
    assert calls == {"send_message_batch"}  # sqs:SendMessage


def test_the_worker_reserves_no_concurrency_unless_asked() -> None:
    # An account whose concurrency quota is 10 (new and sandbox accounts) cannot reserve any:
    # the deploy would fail and roll back.
    parameter = TEMPLATE["Parameters"]["ReserveWorkerConcurrency"]
    assert parameter["Default"] == "false" and parameter["AllowedValues"] == ["false", "true"]
    assert TEMPLATE["Conditions"]["ReservesWorkerConcurrency"] == {
        "Fn::Equals": [{"Ref": "ReserveWorkerConcurrency"}, "true"]
    }
    worker = RESOURCES["ArchiveWorkerFunction"]["Properties"]
    # When asked, exactly the event source's MaximumConcurrency: fewer would throttle its invocations.
    assert worker["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReservesWorkerConcurrency", {"Ref": "QueueWorkers"}, {"Ref": "AWS::NoValue"}]
    }
    scaling = worker["Events"]["ArchiveQueue"]["Properties"]["ScalingConfig"]
    assert scaling["MaximumConcurrency"] == {"Ref": "QueueWorkers"}
    for name, resource in RESOURCES.items():
        if name != "ArchiveWorkerFunction" and resource["Type"] == "AWS::Serverless::Function":
            assert "ReservedConcurrentExecutions" not in resource["Properties"], name


def test_no_scope_list_reaches_a_function_through_its_environment() -> None:
    # Lambda allows 4 KB of variables per function; each list may be as long as a parameter (4,096 bytes).
    for function in ("ArchiverFunction", "ArchiveWorkerFunction"):
        variables = RESOURCES[function]["Properties"]["Environment"]["Variables"]
        assert config.ENTERPRISES not in variables and config.ORGANIZATIONS not in variables
        no_value = {"Ref": "AWS::NoValue"}
        assert variables[config.ENTERPRISES_PARAMETER] == {
            "Fn::If": ["HasEnterprises", {"Ref": "EnterprisesParameter"}, no_value]
        }
        assert variables[config.ORGANIZATIONS_PARAMETER] == {
            "Fn::If": ["HasOrganizations", {"Ref": "OrganizationsParameter"}, no_value]
        }
        assert variables[config.SCOPE_LIST_OBJECT] == {
            "Fn::If": ["HasScopeListFile", {"Fn::Sub": "${ArchivePrefix}/config/${ScopeListFile}"}, no_value]
        }
    for name, level in (("EnterprisesParameter", "Enterprises"), ("OrganizationsParameter", "Organizations")):
        parameter = RESOURCES[name]
        # Standard tier holds 4 KB: any value CloudFormation accepts for the parameter.
        assert parameter["Properties"] == {
            **parameter["Properties"],
            "Tier": "Standard",
            "Value": {"Ref": level},
        }
        assert parameter["Condition"] == f"Has{level}"  # SSM refuses an empty value
    reads = {
        json.dumps(s["Fn::If"][1]["Resource"])
        for s in RESOURCES["ArchiverCommonPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if "Fn::If" in s and s["Fn::If"][1]["Action"] == "ssm:GetParameter"
    }
    assert reads == {
        json.dumps(
            {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/" + f"${{{n}}}"}
        )
        for n in ("EnterprisesParameter", "OrganizationsParameter")
    }


def test_the_scope_list_file_parameter_names_a_json_file_or_nothing() -> None:
    pattern = re.compile(TEMPLATE["Parameters"]["ScopeListFile"]["AllowedPattern"])
    assert pattern.fullmatch("") and pattern.fullmatch("scopes.json")
    for refused in ("../scopes.json", "config/scopes.json", "scopes.txt", " scopes.json"):
        assert not pattern.fullmatch(refused), refused
    # Enough to archive: a scope in either parameter, or the file.
    (assertion,) = TEMPLATE["Rules"]["SomethingToArchive"]["Assertions"]
    named = {json.dumps(alternative) for alternative in assertion["Assert"]["Fn::Or"]}
    assert named == {
        json.dumps({"Fn::Not": [{"Fn::Equals": [{"Ref": p}, ""]}]})
        for p in ("Enterprises", "Organizations", "ScopeListFile")
    }


# The longest each name may be (the service's limit), for every property that names a resource.
NAME_LIMITS = {
    ("AWS::Serverless::Function", "FunctionName"): 64,
    ("AWS::Serverless::LayerVersion", "LayerName"): 140,
    ("AWS::Logs::LogGroup", "LogGroupName"): 512,
    ("AWS::SecretsManager::Secret", "Name"): 512,
    ("AWS::Athena::WorkGroup", "Name"): 128,
    ("ScheduleV2", "Name"): 64,
    ("EventBridgeRule", "RuleName"): 64,
    ("AWS::SQS::Queue", "QueueName"): 80,
    ("AWS::SNS::Topic", "TopicName"): 256,
    ("AWS::IAM::Role", "RoleName"): 64,
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"): 128,
    ("AWS::SSM::Parameter", "Name"): 1011,
    ("AWS::CloudWatch::Alarm", "AlarmName"): 255,
}
LONGEST_STACK_NAME = "s" * 128  # CloudFormation's limit


def named_resources() -> Iterator[tuple[str, tuple[str, str], Any]]:
    """(resource, (type, name property), value) of every name the template gives a resource."""
    for name, resource in RESOURCES.items():
        properties = resource.get("Properties", {})
        for (kind, key), _limit in NAME_LIMITS.items():
            if resource["Type"] == kind and key in properties:
                yield name, (kind, key), properties[key]
        for event in properties.get("Events", {}).values():
            for (kind, key), _limit in NAME_LIMITS.items():
                if event["Type"] == kind and key in event["Properties"]:
                    yield name, (kind, key), event["Properties"][key]


def test_every_named_resource_fits_its_limit_whatever_the_stack_name() -> None:
    # A CloudFormation Rule cannot measure a stack name (no rule function counts characters, and
    # Fn::Length counts a list's items), so nothing may build a short-limited name from it.
    named = list(named_resources())
    assert named
    for resource, (kind, key), value in named:
        text = value["Fn::Sub"] if isinstance(value, dict) and "Fn::Sub" in value else value
        if isinstance(value, dict) and value == {"Ref": "AWS::StackName"}:
            text = "${AWS::StackName}"
        assert isinstance(text, str), f"{resource}.{key}: {value}"
        filled = text.replace("${AWS::StackName}", LONGEST_STACK_NAME)
        assert "${" not in filled, f"{resource}.{key} depends on a parameter: bound its length"
        assert len(filled) <= NAME_LIMITS[(kind, key)], f"{resource}.{key} is too long for a long stack name"


def test_no_resource_name_property_escapes_the_length_check() -> None:
    # A name property the table above does not know (a new resource type) must be added to it.
    checked = {key for _kind, key in NAME_LIMITS}
    for name, resource in RESOURCES.items():
        for key, value in resource.get("Properties", {}).items():
            if key.endswith("Name") and "AWS::StackName" in json.dumps(value):
                assert key in checked, f"{name}.{key}"
    assert "manifest-created" not in json.dumps(RESOURCES["IndexerDeadLetterQueuePolicy"])


def test_a_failing_queue_message_pages_within_the_hour() -> None:
    alarm = ALARMS["ArchiveQueueMessageFailedAlarm"]["Properties"]
    assert alarm["MetricName"] == "QueueMessagesFailed" and alarm["Statistic"] == "Sum"
    assert alarm["Namespace"] == {"Fn::FindInMap": ["Observability", "Archiver", "MetricsNamespace"]}
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # Within the hour of the first failure, long before the third receive (two visibility timeouts later).
    assert alarm["Period"] * alarm["EvaluationPeriods"] <= 3600
    assert (
        alarm["Period"] * alarm["EvaluationPeriods"]
        < RESOURCES["ArchiveQueue"]["Properties"]["VisibilityTimeout"]
    )
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert "Condition" not in ALARMS["ArchiveQueueMessageFailedAlarm"]


def test_refetch_restated_is_off_by_default_and_the_archiver_may_read_only_the_restated_days_list() -> None:
    parameter = TEMPLATE["Parameters"]["RefetchRestated"]
    assert parameter["Default"] == "false" and parameter["AllowedValues"] == ["true", "false"]
    for function in ("ArchiverFunction", "ArchiveWorkerFunction"):
        variables = RESOURCES[function]["Properties"]["Environment"]["Variables"]
        assert variables["REFETCH_RESTATED"] == {"Ref": "RefetchRestated"}
    alarm = ALARMS["RestatedValuesAlarm"]["Properties"]
    assert alarm["MetricName"] == "RestatedValues" and alarm["Threshold"] == 1
