"""One frozen Settings object, read once from the environment at the edge and validated."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from .environment import ARCHIVE_BUCKET, ARCHIVE_PREFIX
from .exceptions import ConfigError, InvalidRequest, UnsafeLink
from .layout import DEFAULT_PREFIX, Scope, parse_report, validate_prefix, validate_slug
from .reports import ALL_REPORTS, DEFAULT_REPORTS, Level, Report, reports_at
from .urls import Target, connection_target, is_loopback

ENTERPRISES = "ENTERPRISES"
ORGANIZATIONS = "ORGANIZATIONS"
# ---- Scope lists kept outside the environment (Lambda allows 4 KB of variables in all) ----
# The stack's lists, each in an SSM parameter named by these (archiving/scope_lists.py).
ENTERPRISES_PARAMETER = "ENTERPRISES_PARAMETER"
ORGANIZATIONS_PARAMETER = "ORGANIZATIONS_PARAMETER"
# A JSON file in ARCHIVE_BUCKET, {"enterprises": [...], "organizations": [...]}: lists of any length.
SCOPE_LIST_OBJECT = "SCOPE_LIST_OBJECT"
# Far above 1,000 scopes of 39 characters (GitHub's longest login) and far below a container's memory.
MAX_SCOPE_LIST_BYTES = 1024 * 1024
# ---- end of the scope lists ----
REPORTS = "REPORTS"
# Recent usage days of billing asked again on every run, as GitHub still corrects them.
BILLING_REFETCH_DAYS = "BILLING_REFETCH_DAYS"
DEFAULT_BILLING_REFETCH_DAYS = 7
MAX_BILLING_REFETCH_DAYS = 60
GITHUB_API_URL = "GITHUB_API_URL"
GITHUB_API_VERSION = "GITHUB_API_VERSION"
GITHUB_TOKEN_SECRET = "GITHUB_TOKEN_SECRET"
GITHUB_TOKEN = "GITHUB_TOKEN"
# ---- GitHub credentials (issue 10): besides GITHUB_TOKEN_SECRET and GITHUB_TOKEN ----
# A Secrets Manager secret read by the same parser as GITHUB_TOKEN_SECRET (archiving/credentials.py).
GITHUB_APP_SECRET = "GITHUB_APP_SECRET"
GITHUB_APP_ID = "GITHUB_APP_ID"
GITHUB_APP_PRIVATE_KEY = "GITHUB_APP_PRIVATE_KEY"
# A JSON file (a credential, or a map from scope to credential), for the CLI.
GITHUB_CREDENTIALS_FILE = "GITHUB_CREDENTIALS_FILE"
# ---- end of GitHub credentials ----
DOWNLOAD_HOSTS = "DOWNLOAD_HOSTS"
MAX_WORKERS = "MAX_WORKERS"
MAX_REPORT_BYTES = "MAX_REPORT_BYTES"
# "true": a 1-day report-day the indexer found restated is fetched again, beside the first copy.
REFETCH_RESTATED = "REFETCH_RESTATED"
# ---- The archive queue (work that does not fit one run) ----
ARCHIVE_QUEUE_URL = "ARCHIVE_QUEUE_URL"
QUEUE_FROM_SCOPES = "QUEUE_FROM_SCOPES"
# Above this many scopes a scheduled run only plans and queues: 20 scopes' daily increment
# (~120 report-days) archives in seconds (bench: 120 in 4.5 s), while hundreds of scopes'
# would hold one run for minutes and leave the last scopes to the next run.
DEFAULT_QUEUE_FROM_SCOPES = 20
MAX_QUEUE_FROM_SCOPES = 10_000
QUEUE_WORKERS = "QUEUE_WORKERS"
MAX_QUEUE_WORKERS = 100
# GitHub's secondary rate limit for REST: 900 points a minute per credential, a GET 1 point.
# The queue's workers and the scheduled run may all ask with one credential at once, so each
# run takes an equal share (archiving/github.py paces its calls to it).
GITHUB_POINTS_PER_MINUTE = 900
# And at most 100 requests in flight at once per credential ("About secondary rate limits"),
# shared the same way between the runs that may ask at once.
GITHUB_CONCURRENT_REQUESTS = 100
# ---- end of the archive queue's settings ----

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_API_VERSION = "2026-03-10"
# Hosts GitHub's signed report links point at, as seen in public tools' egress allow-lists.
DEFAULT_DOWNLOAD_HOSTS = ("copilot-reports.github.com", "copilot-reports-*.b01.azurefd.net")
# 8 report-days and 8 transfers in flight: 6-8x one worker at 50 ms to GitHub (bench), and
# 8 transfer budgets (storage.py) stay far inside half the archiver's memory.
DEFAULT_MAX_WORKERS = 8
# Decoded bytes per report file: far above any real report (hundreds of MB for the largest
# enterprises), far below what a gzip bomb unpacks to.
DEFAULT_MAX_REPORT_BYTES = 4 * 1024**3
MIN_MAX_REPORT_BYTES = 1024
MAX_MAX_WORKERS = 32


_NO_SCOPE = (
    f"neither {ENTERPRISES} nor {ORGANIZATIONS} is set: name the enterprise or organization slugs "
    "to archive, comma-separated (either may be empty, not both)"
)


@dataclass(frozen=True, slots=True)
class ScopeLists:
    """Enterprises and organizations named outside the environment's two variables."""

    enterprises: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()

    def __add__(self, other: ScopeLists) -> ScopeLists:
        return ScopeLists(self.enterprises + other.enterprises, self.organizations + other.organizations)


def split_scope_list(text: str) -> tuple[str, ...]:
    """A comma-separated list, as ENTERPRISES and ORGANIZATIONS (and their SSM parameters) hold it."""
    return _split(text)


def parse_scope_list_file(data: bytes, source: str) -> ScopeLists:
    """The scope-list file: {"enterprises": [...], "organizations": [...]}, either key optional.
    Any flaw is a ConfigError naming `source`, never a traceback."""
    if len(data) > MAX_SCOPE_LIST_BYTES:
        raise ConfigError(f"{source} holds more than {MAX_SCOPE_LIST_BYTES} bytes")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{source} is not JSON: {str(exc)[:200]}") from None
    keys = ("enterprises", "organizations")
    if not isinstance(document, dict) or not set(document) <= set(keys):
        raise ConfigError(f'{source} must be a JSON object with "enterprises" and/or "organizations" lists')
    lists = {}
    for key in keys:
        slugs = document.get(key, [])
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            raise ConfigError(f'{source}: "{key}" must be a list of strings')
        lists[key] = tuple(s.strip() for s in slugs)
    return ScopeLists(lists["enterprises"], lists["organizations"])


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs to know, shared by the Lambda handler and the CLI."""

    enterprises: tuple[str, ...]
    organizations: tuple[str, ...] = ()
    bucket: str | None = None
    prefix: str = DEFAULT_PREFIX
    reports: tuple[Report, ...] = DEFAULT_REPORTS
    api_url: str = DEFAULT_API_URL
    api_version: str = DEFAULT_API_VERSION
    token_secret: str | None = None
    # repr=False: a Settings printed in a log line or traceback must not show the token.
    token: str | None = field(default=None, repr=False)
    # ---- GitHub credentials (issue 10) ----
    app_secret: str | None = None
    app_id: str | None = None
    app_private_key: str | None = field(default=None, repr=False)
    credentials_file: str | None = None
    # ---- end of GitHub credentials ----
    download_hosts: tuple[str, ...] = DEFAULT_DOWNLOAD_HOSTS
    max_workers: int = DEFAULT_MAX_WORKERS
    max_report_bytes: int = DEFAULT_MAX_REPORT_BYTES
    # The archive queue: unset (the CLI), what does not fit a run waits for the next run.
    queue_url: str | None = None
    queue_from_scopes: int = DEFAULT_QUEUE_FROM_SCOPES
    # GitHub calls this run may start in any minute, per credential: its share of GitHub's limit
    # beside QUEUE_WORKERS queue workers. None: no bound (the demo's own simulator has none).
    api_calls_per_minute: int | None = GITHUB_POINTS_PER_MINUTE
    # GitHub calls this run may have in flight at once, per credential: its share of the 100.
    api_requests_in_flight: int = GITHUB_CONCURRENT_REQUESTS
    # Fetch a restated 1-day report-day again, beside its first copy (docs/restatements.md).
    refetch_restated: bool = False
    # Billing usage (REPORTS naming billing-usage): the trailing days re-fetched on every run.
    billing_refetch_days: int = DEFAULT_BILLING_REFETCH_DAYS

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """Every enterprise, then every organization, in the order configured."""
        return (
            *(Scope(Level.ENTERPRISE, s) for s in self.enterprises),
            *(Scope(Level.ORGANIZATION, s) for s in self.organizations),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (None leaves a field as it is), re-validated."""
        given = {k: v for k, v in changes.items() if v is not None}
        return _validated(replace(self, **given))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _parse_bool(name: str, text: str) -> bool:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise ConfigError(f"{name}={text!r} must be true or false")


def _parse_int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} must be between {low} and {high}")
    return value


def _validated(settings: Settings) -> Settings:
    try:
        enterprises = tuple(validate_slug(s) for s in settings.enterprises)
        organizations = tuple(validate_slug(s) for s in settings.organizations)
        prefix = validate_prefix(settings.prefix)
        reports = tuple(parse_report(str(r)) for r in settings.reports)
    except InvalidRequest as exc:
        raise ConfigError(str(exc)) from exc
    for name, slugs in ((ENTERPRISES, enterprises), (ORGANIZATIONS, organizations)):
        if twice := [slug for slug, count in Counter(slugs).items() if count > 1]:
            # Named alone: a list of a thousand scopes would bury them.
            raise ConfigError(f"{name} lists a slug twice: {','.join(twice)}")
    if not enterprises and not organizations:
        raise ConfigError(_NO_SCOPE)
    if not reports:
        raise ConfigError(f"{REPORTS} is empty; name at least one of {', '.join(ALL_REPORTS)}")
    for level, slugs in ((Level.ENTERPRISE, enterprises), (Level.ORGANIZATION, organizations)):
        if slugs and not reports_at(level, reports):
            raise ConfigError(
                f"{REPORTS} names no report GitHub serves for an {level}; "
                f"for one: {', '.join(reports_at(level))}"
            )
    try:
        api: Target | None = connection_target(settings.api_url)
    except UnsafeLink:
        api = None
    loopback_http = api is not None and api.scheme == "http" and is_loopback(api.host)
    if api is None or not (api.scheme == "https" or loopback_http) or urlsplit(settings.api_url).query:
        raise ConfigError(
            f"{GITHUB_API_URL}={settings.api_url!r} must be an https URL "
            "(plain http only for a loopback simulator), e.g. https://api.SUBDOMAIN.ghe.com"
        )
    if not settings.download_hosts:
        raise ConfigError(f"{DOWNLOAD_HOSTS} is empty; no report link could be downloaded")
    for host in settings.download_hosts:
        if not host or "/" in host or " " in host:
            raise ConfigError(f"{DOWNLOAD_HOSTS} entry {host!r} is not a host name")
    if not 1 <= settings.max_workers <= MAX_MAX_WORKERS:
        raise ConfigError(f"{MAX_WORKERS}={settings.max_workers} must be between 1 and {MAX_MAX_WORKERS}")
    if settings.max_report_bytes < MIN_MAX_REPORT_BYTES:
        raise ConfigError(
            f"{MAX_REPORT_BYTES}={settings.max_report_bytes} must be at least {MIN_MAX_REPORT_BYTES}"
        )
    if not 0 <= settings.queue_from_scopes <= MAX_QUEUE_FROM_SCOPES:
        raise ConfigError(
            f"{QUEUE_FROM_SCOPES}={settings.queue_from_scopes} must be between 0 and {MAX_QUEUE_FROM_SCOPES}"
        )
    if settings.api_calls_per_minute is not None and settings.api_calls_per_minute < 1:
        raise ConfigError(f"{settings.api_calls_per_minute} GitHub calls a minute: at least 1")
    if settings.bucket is not None and not settings.bucket.strip():
        raise ConfigError(f"{ARCHIVE_BUCKET} is set but empty")
    _check_credential_settings(settings)
    return replace(
        settings,
        enterprises=enterprises,
        organizations=organizations,
        prefix=prefix,
        reports=tuple(dict.fromkeys(reports)),
        api_url=settings.api_url.rstrip("/"),
        download_hosts=tuple(h.lower() for h in settings.download_hosts),
    )


# ---- GitHub credentials (issue 10) ----
def _check_credential_settings(settings: Settings) -> None:
    """One source of credentials: a secret (the stack's, which beats the environment as it
    always has), or one of the file, the app's two variables and the token."""
    if settings.token_secret and settings.app_secret:
        raise ConfigError(
            f"both {GITHUB_TOKEN_SECRET} and {GITHUB_APP_SECRET} are set: set one; a secret may hold "
            "a token, an app, or a map from scope to either"
        )
    if bool(settings.app_id) != bool(settings.app_private_key):
        given, missing = (
            (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY)
            if settings.app_id
            else (GITHUB_APP_PRIVATE_KEY, GITHUB_APP_ID)
        )
        raise ConfigError(f"{given} is set without {missing}: a GitHub App needs both")
    if settings.token_secret or settings.app_secret:
        return
    named = [
        name
        for name, value in (
            (GITHUB_CREDENTIALS_FILE, settings.credentials_file),
            (f"{GITHUB_APP_ID}/{GITHUB_APP_PRIVATE_KEY}", settings.app_id),
            (GITHUB_TOKEN, settings.token),
        )
        if value
    ]
    if len(named) > 1:
        raise ConfigError(
            f"{' and '.join(named)} are all set: set one (a credentials file may map each scope to its own)"
        )


# ---- end of GitHub credentials ----


def settings_from_env(
    environ: Mapping[str, str] | None = None, more_scopes: ScopeLists | None = None, **overrides: Any
) -> Settings:
    """Read the environment once; explicit overrides (not None) beat it, and it beats defaults.
    `more_scopes` (the stack's lists, read from AWS) are archived besides the environment's."""
    env = os.environ if environ is None else environ
    more = more_scopes or ScopeLists()

    def text(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    values: dict[str, Any] = {
        "enterprises": _split(text(ENTERPRISES) or "") + more.enterprises,
        "organizations": _split(text(ORGANIZATIONS) or "") + more.organizations,
        "bucket": text(ARCHIVE_BUCKET),
        "prefix": text(ARCHIVE_PREFIX) or DEFAULT_PREFIX,
        "api_url": text(GITHUB_API_URL) or DEFAULT_API_URL,
        "api_version": text(GITHUB_API_VERSION) or DEFAULT_API_VERSION,
        "token_secret": text(GITHUB_TOKEN_SECRET),
        "token": text(GITHUB_TOKEN),
        "app_secret": text(GITHUB_APP_SECRET),
        "app_id": text(GITHUB_APP_ID),
        "app_private_key": text(GITHUB_APP_PRIVATE_KEY),
        "credentials_file": text(GITHUB_CREDENTIALS_FILE),
    }
    if (reports := text(REPORTS)) is not None:
        values["reports"] = _split(reports)
    if (hosts := text(DOWNLOAD_HOSTS)) is not None:
        values["download_hosts"] = _split(hosts)
    if (workers := text(MAX_WORKERS)) is not None:
        values["max_workers"] = _parse_int(MAX_WORKERS, workers, 1, MAX_MAX_WORKERS)
    if (limit := text(MAX_REPORT_BYTES)) is not None:
        values["max_report_bytes"] = _parse_int(MAX_REPORT_BYTES, limit, MIN_MAX_REPORT_BYTES, 2**63 - 1)
    if (refetch := text(REFETCH_RESTATED)) is not None:
        values["refetch_restated"] = _parse_bool(REFETCH_RESTATED, refetch)
    if (refetch := text(BILLING_REFETCH_DAYS)) is not None:
        values["billing_refetch_days"] = _parse_int(
            BILLING_REFETCH_DAYS, refetch, 0, MAX_BILLING_REFETCH_DAYS
        )
    # The archive queue's settings.
    values["queue_url"] = text(ARCHIVE_QUEUE_URL)
    if (threshold := text(QUEUE_FROM_SCOPES)) is not None:
        values["queue_from_scopes"] = _parse_int(QUEUE_FROM_SCOPES, threshold, 0, MAX_QUEUE_FROM_SCOPES)
    if (queue_workers := text(QUEUE_WORKERS)) is not None:
        workers_beside = _parse_int(QUEUE_WORKERS, queue_workers, 0, MAX_QUEUE_WORKERS)
        values["api_calls_per_minute"] = GITHUB_POINTS_PER_MINUTE // (workers_beside + 1)
        values["api_requests_in_flight"] = max(1, GITHUB_CONCURRENT_REQUESTS // (workers_beside + 1))
    values.update({k: v for k, v in overrides.items() if v is not None})
    if not values["enterprises"] and not values["organizations"]:
        raise ConfigError(_NO_SCOPE)
    return _validated(Settings(**values))
