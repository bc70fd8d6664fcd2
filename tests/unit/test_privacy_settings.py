"""Personal data without a server: the template's retention rules against the key layout, the
settings' errors, and what a pseudonym is (issue 20, section 3; the end-to-end tests are in
tests/integration/test_personal_data.py)."""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest

from copilot_archive.core.exceptions import ConfigError
from copilot_archive.core.layout import ReportDay, raw_file_key
from copilot_archive.core.privacy import privacy_from_env, pseudonym_login, pseudonym_user_id
from copilot_archive.core.reports import Report
from tests.conftest import archive_report_day
from tests.stack import RESOURCES, TEMPLATE

PREFIX = "${ArchivePrefix}"
# The kinds whose lines are one person each (GitHub's report reference): users, their teams, seats.
PER_PERSON_KINDS = {"users-1-day", "users-28-day", "user-teams-1-day", "copilot-seats"}


def retention_rules() -> list[dict[str, Any]]:
    rules = RESOURCES["ArchiveBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    found = []
    for rule in rules:
        if "Fn::If" in rule and rule["Fn::If"][0] == "ExpiresUserData":
            _, body, otherwise = rule["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}
            found.append(body)
    return found


def test_retention_rules_expire_exactly_the_per_person_raw_prefixes_the_archiver_writes():
    rules = retention_rules()
    prefixes = [rule["Prefix"]["Fn::Sub"] for rule in rules]
    # One rule per per-person kind and level GitHub serves it at (every one of them at both),
    # and one per 1-day per-person kind and level for the later copies REFETCH_RESTATED writes.
    levels = ("enterprise", "organization")
    later_copy_kinds = {kind for kind in PER_PERSON_KINDS if kind.endswith("-1-day")}
    expected = {f"{PREFIX}/raw/{level}/{kind}/" for kind in PER_PERSON_KINDS for level in levels} | {
        f"{PREFIX}/raw/revisions/{level}/{kind}/" for kind in later_copy_kinds for level in levels
    }
    assert sorted(prefixes) == sorted(expected)
    for rule in rules:
        assert rule["Status"] == "Enabled"
        assert rule["ExpirationInDays"] == {"Ref": "UserDataRetentionDays"}
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}  # the bytes go, not only the name
    # Each kind's raw files fall under its rule, and no other kind's file under any rule.
    for report in Report:
        for level in report.kind.levels:
            report_day = ReportDay(report, "acme", date(2026, 1, 2), level)
            keys = [raw_file_key(PREFIX, report_day, 0)]
            if report.is_daily:  # a restated 1-day report's second copy, beside the first
                keys.append(raw_file_key(PREFIX, report_day, 0, later_copy=2))
            for key in keys:
                covered = [p for p in prefixes if key.startswith(p)]
                assert len(covered) == (1 if report.value in PER_PERSON_KINDS else 0), key
    parameter = TEMPLATE["Parameters"]["UserDataRetentionDays"]
    assert parameter["Default"] == 0  # off unless asked for
    assert TEMPLATE["Conditions"]["ExpiresUserData"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "UserDataRetentionDays"}, 0]}]
    }


def test_the_indexer_gets_the_settings_and_with_pseudonyms_the_key_secret_only_it_reads():
    variables = RESOURCES["IndexerFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["PSEUDONYMIZE_USERS"] == {"Ref": "PseudonymizeUsers"}
    assert variables["USER_DATA_RETENTION_DAYS"] == {"Ref": "UserDataRetentionDays"}
    assert variables["PSEUDONYM_KEY_SECRET"] == {
        "Fn::If": ["PseudonymizesUsers", {"Ref": "PseudonymKeySecret"}, {"Ref": "AWS::NoValue"}]
    }
    secret = RESOURCES["PseudonymKeySecret"]
    assert secret["Condition"] == "PseudonymizesUsers" and secret["DeletionPolicy"] == "Retain"
    # With pseudonyms on, the raw per-person files are denied to every role but the stack's own.
    statements = RESOURCES["ArchiveBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s["Fn::If"][1] for s in statements if "Fn::If" in s and s["Fn::If"][0] == "PseudonymizesUsers"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:GetObject"
    resources = [r["Fn::Sub"] for r in deny["Resource"]]
    assert sorted(resources) == sorted(
        f"${{ArchiveBucket.Arn}}/{PREFIX}/raw/*/{kind}/*" for kind in PER_PERSON_KINDS
    )
    # IAM's '*' spans '/': the Deny covers every per-person raw file, later copies too, and no other.
    for report in Report:
        for level in report.kind.levels:
            report_day = ReportDay(report, "acme", date(2026, 1, 2), level)
            keys = [raw_file_key(PREFIX, report_day, 0)]
            if report.is_daily:
                keys.append(raw_file_key(PREFIX, report_day, 0, later_copy=1))
            for key in keys:
                arn = f"${{ArchiveBucket.Arn}}/{key}"
                denied = any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources)
                assert denied == (report.value in PER_PERSON_KINDS), arn


KEY = "0123456789abcdef0123"


def test_a_pseudonym_is_the_keyed_hmac_stable_for_any_case_and_another_under_another_key():
    digest = hmac.new(KEY.encode(), b"login:octocat", hashlib.sha256)
    assert pseudonym_login(KEY.encode(), "OctoCat") == "u-" + digest.hexdigest()[:32]
    assert pseudonym_login(KEY.encode(), "octocat") == pseudonym_login(KEY.encode(), "OCTOCAT")
    assert pseudonym_login(b"another key of 16+ bytes", "octocat") != pseudonym_login(KEY.encode(), "octocat")
    number = (
        int.from_bytes(hmac.new(KEY.encode(), b"user_id:583231", hashlib.sha256).digest()[:8], "big") >> 1
    )
    assert pseudonym_user_id(KEY.encode(), 583231) == number
    assert 0 <= number < 2**63  # a bigint, as user_id is typed


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PSEUDONYMIZE_USERS": "true"}, "no pseudonym key"),
        ({"PSEUDONYMIZE_USERS": "true", "PSEUDONYM_KEY": "short"}, "shorter than 16 bytes"),
        ({"PSEUDONYMIZE_USERS": "yes"}, "must be true or false"),
        ({"USER_DATA_RETENTION_DAYS": "a year"}, "not a whole number"),
        ({"USER_DATA_RETENTION_DAYS": "-3"}, "must be 0 \\(off\\) or 1 to"),
    ],
)
def test_privacy_settings_refuse_what_would_write_people_in_clear_or_keep_them_wrongly(environ, message):
    with pytest.raises(ConfigError, match=message):
        privacy_from_env(environ)


def test_privacy_settings_are_off_by_default_and_the_secret_beats_the_variable():
    off = privacy_from_env({})
    assert off.pseudonym_key is None and off.retention_days is None
    assert privacy_from_env({"USER_DATA_RETENTION_DAYS": "0"}).retention_days is None
    on = privacy_from_env(
        {"PSEUDONYMIZE_USERS": "true", "PSEUDONYM_KEY_SECRET": "name", "PSEUDONYM_KEY": KEY},
        read_secret=lambda name: f"the secret {name} holds this",
    )
    assert on.pseudonym_key == b"the secret name holds this"
    assert KEY not in repr(on) and "holds" not in repr(on)


def test_with_pseudonyms_a_person_kept_in_extra_is_pseudonymised_too(tmp_path, monkeypatch, capsys):
    """An id GitHub sent as text (mistyped: null in user_id, kept in `extra`) and a field no table
    types that holds the login (a profile URL): `copilot-archive index` writes neither in clear."""
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_simulator.reports import ReportBook

    day = date(2025, 10, 12)
    report_day = ReportDay(Report.USERS_1_DAY, "acme", day)
    lines = [json.loads(line) for line in ReportBook({"acme": 3}).lines("acme", "users-1-day", day)]
    person = {"user_login": "Octo-Person", "user_id": "7654321"}
    lines[0] |= person | {"profile": {"html_url": "https://github.com/octo-person", "followers": 3}}
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    archive_report_day(LocalFolderStorage(tmp_path), report_day, data, datetime(2025, 10, 13, tzinfo=UTC))
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.setenv("PSEUDONYM_KEY", KEY)

    assert main(["index", "--archive", str(tmp_path), "--no-progress"]) == 0

    login = "u-" + hmac.new(KEY.encode(), b"login:octo-person", hashlib.sha256).hexdigest()[:32]
    number = (
        int.from_bytes(hmac.new(KEY.encode(), b"user_id:7654321", hashlib.sha256).digest()[:8], "big") >> 1
    )
    rows = pq.read_table(tmp_path / "copilot-metrics/curated/enterprise/user_daily").to_pylist()
    (theirs,) = [r for r in rows if r["user_login"] == login]
    assert theirs["user_id"] is None  # mistyped: null in the column, kept in extra
    extra = json.loads(theirs["extra"])
    assert extra["user_id"] == str(number)
    assert extra["profile"] == {"html_url": f"https://github.com/{login}", "followers": 3}
    for path in (tmp_path / "copilot-metrics/curated").rglob("*.parquet"):
        text = json.dumps(pq.read_table(path).to_pylist(), default=str).lower()
        assert "octo-person" not in text and "7654321" not in text, path
