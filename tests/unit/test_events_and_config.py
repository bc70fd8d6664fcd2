from datetime import date

import pytest

from copilot_archive.archiving.events import RunRequest, parse_event
from copilot_archive.archiving.planner import Window
from copilot_archive.core.config import Settings, settings_from_env
from copilot_archive.core.exceptions import ConfigError, InvalidRequest
from copilot_archive.core.layout import Scope
from copilot_archive.core.reports import Level, Report

WINDOW = Window.for_today(date(2025, 11, 1))
CONFIGURED = Settings(enterprises=("acme", "globex"), organizations=("octo",)).scopes


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}},
        {"source": "aws.scheduler"},
    ],
)
def test_scheduled_events_reconcile(event):
    assert parse_event(event, WINDOW, CONFIGURED) == RunRequest()


def test_manual_range_expands_to_days_and_keeps_the_selection():
    request = parse_event(
        {
            "from": "2025-10-10",
            "to": "2025-10-12",
            "reports": ["users-1-day"],
            "enterprises": ["acme"],
            "force": True,
        },
        WINDOW,
        CONFIGURED,
    )
    assert request.days == (date(2025, 10, 10), date(2025, 10, 11), date(2025, 10, 12))
    assert (
        request.reports == (Report.USERS_1_DAY,)
        and request.scopes == (Scope(Level.ENTERPRISE, "acme"),)
        and request.force
    )


def test_manual_days_are_sorted_and_deduplicated():
    request = parse_event({"days": ["2025-10-12", "2025-10-10", "2025-10-12"]}, WINDOW, CONFIGURED)
    assert request.days == (date(2025, 10, 10), date(2025, 10, 12))


@pytest.mark.parametrize(
    ("event", "names"),
    [
        ({"days": ["2025-10-09"]}, "2025-10-09"),
        ({"days": [20251010]}, "days"),
        ({"days": []}, "days"),
        ({"reports": ["users-1-day"]}, None),
        ({"enterprises": ["acme"], "reports": "users-1-day"}, "reports"),
        ({"from": "2025-10-10", "to": "2025-11-01"}, "not over yet"),
        ({"from": "2025-10-10", "to": "not-a-day"}, "not-a-day"),
        ({"days": ["2025-10-10"], "enterprises": ["acme", "a/b"]}, "a/b"),
        ({"days": ["2025-10-10"], "extra": 1}, "'extra'"),
    ],
)
def test_bad_manual_events_name_the_field_or_value(event, names):
    if names is None:
        # reports without days: a reconcile of those reports, which is valid
        assert parse_event(event, WINDOW, CONFIGURED).days is None
        return
    with pytest.raises(InvalidRequest, match=names):
        parse_event(event, WINDOW, CONFIGURED)


def test_settings_from_env_reads_every_variable():
    settings = settings_from_env(
        {
            "ENTERPRISES": " acme, globex ",
            "ARCHIVE_BUCKET": "b",
            "ARCHIVE_PREFIX": "/x/y/",
            "REPORTS": "users-1-day",
            "GITHUB_API_URL": "https://api.octo.ghe.com/",
            "GITHUB_API_VERSION": "2022-11-28",
            "GITHUB_TOKEN": "t0ken-value",
            "DOWNLOAD_HOSTS": "A.example.com, *.b.example",
            "MAX_WORKERS": "8",
        }
    )
    assert settings.enterprises == ("acme", "globex") and settings.prefix == "x/y"
    assert settings.reports == (Report.USERS_1_DAY,) and settings.api_url == "https://api.octo.ghe.com"
    assert settings.download_hosts == ("a.example.com", "*.b.example") and settings.max_workers == 8
    assert "t0ken-value" not in repr(settings)


def test_explicit_overrides_beat_the_environment():
    settings = settings_from_env({"ENTERPRISES": "acme", "ARCHIVE_PREFIX": "env"}, prefix="cli")
    assert settings.prefix == "cli"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "neither ENTERPRISES nor ORGANIZATIONS is set"),
        ({"ENTERPRISES": "acme,../x"}, "../x"),
        ({"ENTERPRISES": "acme,acme"}, "twice"),
        ({"ENTERPRISES": "acme", "REPORTS": "users-2-day"}, "users-2-day"),
        ({"ENTERPRISES": "acme", "MAX_WORKERS": "many"}, "MAX_WORKERS"),
        ({"ENTERPRISES": "acme", "MAX_WORKERS": "0"}, "between"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "http://api.github.com"}, "https"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "ftp://x"}, "GITHUB_API_URL"),
        ({"ENTERPRISES": "acme", "ARCHIVE_PREFIX": "a/../b"}, "prefix"),
        ({"ENTERPRISES": "acme", "DOWNLOAD_HOSTS": "a.com/x"}, "DOWNLOAD_HOSTS"),
        ({"ENTERPRISES": ","}, "neither ENTERPRISES nor ORGANIZATIONS is set"),
        ({"ENTERPRISES": "   "}, "neither ENTERPRISES nor ORGANIZATIONS is set"),
        ({"ENTERPRISES": "acme,-bad"}, "-bad"),
        ({"ENTERPRISES": "acme,bad-"}, "bad-"),
        ({"ENTERPRISES": "ac me"}, "ac me"),
        ({"ENTERPRISES": "ümlaut"}, "ümlaut"),
        ({"ENTERPRISES": "x" * 101}, "over 100"),
        ({"ENTERPRISES": "a/b"}, "a/b"),
        ({"ENTERPRISES": "acme", "REPORTS": ","}, "REPORTS is empty"),
        ({"ENTERPRISES": "acme", "REPORTS": "users-1-day,users"}, "'users'"),
        ({"ENTERPRISES": "acme", "MAX_WORKERS": "33"}, "between 1 and 32"),
        ({"ENTERPRISES": "acme", "MAX_WORKERS": "-1"}, "between"),
        ({"ENTERPRISES": "acme", "MAX_WORKERS": "2.5"}, "whole number"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "https://"}, "GITHUB_API_URL"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "https://api.github.com/?x=1"}, "GITHUB_API_URL"),
        ({"ENTERPRISES": "acme", "GITHUB_API_URL": "http://10.0.0.1"}, "loopback"),
        ({"ENTERPRISES": "acme", "ARCHIVE_PREFIX": "a b"}, "prefix"),
        ({"ENTERPRISES": "acme", "ARCHIVE_PREFIX": "./x"}, "prefix"),
        ({"ENTERPRISES": "acme", "DOWNLOAD_HOSTS": "a.com, b .com"}, "b .com"),
    ],
)
def test_bad_configuration_is_refused_naming_the_variable_or_value(env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)


def test_loopback_http_api_is_allowed_for_the_simulator():
    assert settings_from_env({"ENTERPRISES": "a", "GITHUB_API_URL": "http://127.0.0.1:8080"}).api_url


def test_with_overrides_revalidates():
    with pytest.raises(ConfigError):
        Settings(enterprises=("acme",)).with_overrides(max_workers=0)


def test_each_run_takes_an_equal_share_of_a_credentials_calls_a_minute():
    alone = settings_from_env({"ENTERPRISES": "acme"})
    beside_workers = settings_from_env({"ENTERPRISES": "acme", "QUEUE_WORKERS": "5"})

    assert alone.api_calls_per_minute == 900  # the CLI: no queue workers
    assert beside_workers.api_calls_per_minute == 150  # 5 workers and the scheduled run
    assert (alone.api_requests_in_flight, beside_workers.api_requests_in_flight) == (100, 100 // 6)
    with pytest.raises(ConfigError, match="QUEUE_WORKERS"):
        settings_from_env({"ENTERPRISES": "acme", "QUEUE_WORKERS": "-1"})


def test_billing_is_off_unless_reports_names_it_and_its_refetch_window_is_a_setting():
    from copilot_archive.core.config import settings_from_env
    from copilot_archive.core.reports import Report

    default = settings_from_env({"ENTERPRISES": "acme"})
    assert Report.BILLING_USAGE not in default.reports and Report.COPILOT_SEATS in default.reports
    assert default.billing_refetch_days == 7
    on = settings_from_env({"ENTERPRISES": "acme", "REPORTS": "billing-usage", "BILLING_REFETCH_DAYS": "3"})
    assert on.reports == (Report.BILLING_USAGE,) and on.billing_refetch_days == 3
