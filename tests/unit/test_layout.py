from datetime import date

import pytest

from copilot_archive.core.exceptions import InvalidRequest
from copilot_archive.core.layout import (
    ReportDay,
    manifest_key,
    manifest_listing_prefix,
    parse_manifest_key,
    raw_file_key,
    validate_prefix,
    validate_slug,
)
from copilot_archive.core.reports import Level, Report


def test_raw_key_matches_the_documented_example():
    rd = ReportDay(Report.USERS_1_DAY, "acme", date(2025, 10, 10))
    assert (
        raw_file_key("copilot-metrics", rd, 0)
        == "copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-10/part-0000.json"
    )
    assert raw_file_key("copilot-metrics", rd, 12).endswith("/part-0012.json")


def test_manifest_key_is_listed_under_its_listing_prefix_and_parses_back():
    rd = ReportDay(Report.ENTERPRISE_28_DAY, "globex-inc", date(2026, 3, 1))
    key = manifest_key("archive/copilot", rd)
    assert (
        key
        == "archive/copilot/manifests/enterprise/enterprise-28-day/enterprise=globex-inc/day=2026-03-01.json"
    )
    assert key.startswith(manifest_listing_prefix("archive/copilot", Report.ENTERPRISE_28_DAY, "globex-inc"))
    assert parse_manifest_key("archive/copilot", key) == rd


def test_organization_level_keys_use_the_level_in_both_places():
    rd = ReportDay(Report.USERS_1_DAY, "octo-org", date(2026, 1, 2), Level.ORGANIZATION)
    key = manifest_key("p", rd)
    assert "/manifests/organization/users-1-day/organization=octo-org/" in key
    assert parse_manifest_key("p", key) == rd


@pytest.mark.parametrize(
    "key",
    [
        "p/manifests/enterprise/users-1-day/enterprise=acme/day=2025-10-10.jsonx",
        "p/manifests/enterprise/users-7-day/enterprise=acme/day=2025-10-10.json",
        "p/manifests/enterprise/users-1-day/organization=acme/day=2025-10-10.json",
        "other/manifests/enterprise/users-1-day/enterprise=acme/day=2025-10-10.json",
        "p/manifests/enterprise/users-1-day/enterprise=acme/day=2025-02-30.json",
        "p/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-10/part-0000.json",
    ],
)
def test_keys_that_are_not_manifests_are_refused(key):
    with pytest.raises(InvalidRequest):
        parse_manifest_key("p", key)


@pytest.mark.parametrize("slug", ["acme", "octo-corp", "a", "Big_Co-2", "x" * 100])
def test_good_slugs_pass(slug):
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", ["", "../etc", "a/b", "-acme", "acme-", "acme corp", "açme", "x" * 101, "a.b", "acme\n"]
)
def test_unsafe_slugs_are_refused(slug):
    with pytest.raises(InvalidRequest):
        validate_slug(slug)


@pytest.mark.parametrize(("prefix", "expected"), [("copilot-metrics", "copilot-metrics"), ("/a/b/", "a/b")])
def test_prefix_is_normalised(prefix, expected):
    assert validate_prefix(prefix) == expected


@pytest.mark.parametrize("prefix", ["", "/", "a/../b", "a//b", "a b", "ünï", "day=x", ".x", "_x"])
def test_bad_prefixes_are_refused(prefix):
    with pytest.raises(InvalidRequest):
        validate_prefix(prefix)
