"""GitHub App credentials and a credential per scope, across real HTTP: the real handler and the
CLI archive from the simulator, which verifies the app's JWTs and refuses expired or foreign
installation tokens, into moto's S3 or a folder."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from copilot_archive.cli import main
from copilot_archive.core.exceptions import ConfigError
from tests.conftest import TODAY

pytestmark = pytest.mark.loopback

APP_ID = "424242"
ENTERPRISES = ("acme", "globex")
ORGANIZATIONS = ("octo", "hubspace")
CLASSIC_TOKEN = "ghp_CLASSICcanary0123456789abcdefSECRET"  # the simulator's any-scope token
ENTERPRISE_TOKEN = "ghp_ENTERPRISEcanary0123456789abcdSECRET"  # opens enterprise:acme alone
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (3, 2)]
ONE_DAY_REPORTS = ["users-1-day", "organization-1-day", "enterprise-1-day"]


def _rsa_key() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def app_key() -> tuple[str, str]:
    return _rsa_key()


@pytest.fixture(scope="module")
def wrong_key() -> str:
    return _rsa_key()[0]  # a valid RSA key, but not one of the app's


def installations() -> list[Any]:
    from copilot_simulator import AppInstallation

    scopes = [("enterprise", s) for s in ENTERPRISES] + [("organization", s) for s in ORGANIZATIONS]
    return [AppInstallation(1000 + i, APP_ID, level, slug) for i, (level, slug) in enumerate(scopes)]


class ManualClock:
    """The simulator's and the archiver's clock; report calls move it on, not the wall clock."""

    def __init__(self) -> None:
        self.now = datetime(2025, 11, 1, 6, tzinfo=UTC).timestamp()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def simulator(app_key: tuple[str, str], request: pytest.FixtureRequest) -> Iterator[Any]:
    from copilot_simulator import Simulator

    options = getattr(request, "param", {})
    with Simulator(
        enterprises=ENTERPRISES,
        organizations=ORGANIZATIONS,
        users=4,
        today=TODAY,
        token=CLASSIC_TOKEN,
        scope_tokens={ENTERPRISE_TOKEN: ["enterprise:acme"]},
        apps={APP_ID: app_key[1]},
        installations=options.get("installations", installations()),
        **options.get("more", {}),
    ) as sim:
        yield sim


@pytest.fixture
def app_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The handler's environment with no token: credentials come from the test's secret."""
    from copilot_archive.archiving import runtime

    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("ENTERPRISES", ",".join(ENTERPRISES))
    monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
    runtime.archiver_from_env.cache_clear()
    return archiver_env


def put_secret(monkeypatch: pytest.MonkeyPatch, variable: str, value: Any) -> None:
    import boto3

    name = f"copilot/credentials-{uuid.uuid4().hex[:8]}"  # Powertools caches secrets by name
    text = value if isinstance(value, str) else json.dumps(value)
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=text)
    monkeypatch.setenv(variable, name)


def app(private_key: str, **extra: Any) -> dict[str, Any]:
    return {"app_id": int(APP_ID), "private_key": private_key, **extra}


def report_calls(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.kind == "api"]


def bearer(request: Any) -> str:
    return str(request.headers.get("Authorization", "")).removeprefix("Bearer ")


def scope_of(request: Any) -> str:
    owner, slug = request.path.split("/")[1:3]
    return f"{'enterprise' if owner == 'enterprises' else 'organization'}:{slug}"


def by_scope(summary: dict[str, Any], outcome: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in summary[outcome]:
        level = "enterprise" if "enterprise" in entry else "organization"
        grouped.setdefault(f"{level}:{entry[level]}", []).append(entry)
    return grouped


ALL_SCOPES = {f"enterprise:{s}" for s in ENTERPRISES} | {f"organization:{s}" for s in ORGANIZATIONS}


# ---- an app only -----------------------------------------------------------------------------


def test_an_app_alone_archives_every_enterprise_and_organization(
    app_env, handler, simulator, app_key, monkeypatch
):
    from copilot_archive.archiving import github_app

    monkeypatch.setattr(github_app, "INSTALLATIONS_PER_PAGE", 1)  # four pages, by the Link header
    put_secret(monkeypatch, "GITHUB_APP_SECRET", app(app_key[0]))

    summary = handler({"days": DAYS, "reports": ONE_DAY_REPORTS})

    assert summary["counts"]["failed"] == 0 and summary["counts"]["deferred"] == 0
    assert set(by_scope(summary, "archived")) == ALL_SCOPES
    # Every report call carried the installation token minted for its own scope, one per scope.
    minted = {t.token: t.installation.scope for t in simulator.issued_tokens}
    assert sorted(minted.values()) == sorted(ALL_SCOPES)
    calls = report_calls(simulator)
    assert calls and all(minted[bearer(r)] == scope_of(r) for r in calls)
    assert simulator.credential_refusals == {}
    listings = [r for r in simulator.requests if r.kind == "app" and r.method == "GET"]
    assert [r.query for r in listings] == ["per_page=1", *(f"per_page=1&page={n}" for n in (2, 3, 4))]


def test_an_explicit_installation_id_skips_the_lookup(app_env, handler, simulator, app_key, monkeypatch):
    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("ORGANIZATIONS", "")
    put_secret(monkeypatch, "GITHUB_APP_SECRET", app(app_key[0], installation_id=1000))

    summary = handler({"days": DAYS[:1], "reports": ["users-1-day"]})

    assert summary["counts"]["archived"] == 1
    assert [(r.method, r.path) for r in simulator.requests if r.kind == "app"] == [
        ("POST", "/app/installations/1000/access_tokens")
    ]


# ---- an app for two organizations, a token for an enterprise ---------------------------------


def test_an_app_for_two_organizations_and_a_token_for_an_enterprise(
    cli_env, simulator, app_key, tmp_path, monkeypatch, capsys
):
    credentials = tmp_path / "credentials.json"
    credentials.write_text(
        json.dumps(
            {
                "enterprise:acme": ENTERPRISE_TOKEN,
                "organization:octo": app(app_key[0]),
                "organization:hubspace": app(app_key[0]),
            }
        )
    )
    credentials.chmod(0o600)
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_CREDENTIALS_FILE", str(credentials))
    argv = ["archive", "--archive", str(tmp_path / "archive"), "--days", ",".join(DAYS), "--json"]
    argv += ["--enterprises", "acme", "--organizations", ",".join(ORGANIZATIONS), "--no-progress"]

    code = main(argv)

    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["counts"]["failed"] == 0
    assert set(by_scope(summary, "archived")) == {
        "enterprise:acme",
        "organization:octo",
        "organization:hubspace",
    }
    minted = {t.token: t.installation.scope for t in simulator.issued_tokens}
    for call in report_calls(simulator):
        if scope_of(call) == "enterprise:acme":
            assert bearer(call) == ENTERPRISE_TOKEN
        else:
            assert minted[bearer(call)] == scope_of(call)
    assert simulator.credential_refusals == {}


# ---- a scope whose credential fails ----------------------------------------------------------


def test_a_scope_whose_key_is_wrong_or_missing_fails_alone(
    app_env, handler, simulator, app_key, wrong_key, monkeypatch
):
    secret = {
        "enterprise:acme": {"token": ENTERPRISE_TOKEN},
        "organization:octo": app(wrong_key),
        "organization:hubspace": app(app_key[0]),
        # no entry for enterprise:globex, and no default
    }
    put_secret(monkeypatch, "GITHUB_TOKEN_SECRET", secret)

    summary = handler({"days": DAYS, "reports": ONE_DAY_REPORTS})

    failed = by_scope(summary, "failed")
    assert set(failed) == {"organization:octo", "enterprise:globex"}
    assert set(by_scope(summary, "archived")) == {"enterprise:acme", "organization:hubspace"}
    assert all("refused the JWT of GitHub App 424242" in e["reason"] for e in failed["organization:octo"])
    assert all("'Organization Copilot metrics' (read)" in e["reason"] for e in failed["organization:octo"])
    assert all("no credential for enterprise globex" in e["reason"] for e in failed["enterprise:globex"])
    # The failing scopes asked GitHub for no report: their credential failed first.
    assert {scope_of(r) for r in report_calls(simulator)} == {"enterprise:acme", "organization:hubspace"}
    assert simulator.credential_refusals == {}


def test_a_refused_jwt_fails_every_scope_naming_the_permission(
    app_env, handler, simulator, wrong_key, monkeypatch
):
    put_secret(monkeypatch, "GITHUB_APP_SECRET", app(wrong_key))

    summary = handler({"days": DAYS[:1], "reports": ONE_DAY_REPORTS})

    assert summary["counts"]["archived"] == 0
    failed = by_scope(summary, "failed")
    assert set(failed) == ALL_SCOPES
    for scope, entries in failed.items():
        permission = "Enterprise" if scope.startswith("enterprise") else "Organization"
        for entry in entries:
            assert "GitHub refused the JWT" in entry["reason"]
            assert f"'{permission} Copilot metrics' (read)" in entry["reason"]
    assert report_calls(simulator) == []


@pytest.mark.parametrize("simulator", [{"installations": installations()[1:]}], indirect=True)
def test_an_app_not_installed_on_a_scope_fails_that_scope_alone(
    app_env, handler, simulator, app_key, monkeypatch
):
    put_secret(monkeypatch, "GITHUB_APP_SECRET", app(app_key[0]))

    summary = handler({"days": DAYS[:1], "reports": ONE_DAY_REPORTS})

    failed = by_scope(summary, "failed")
    assert set(failed) == {"enterprise:acme"}
    (reason,) = {e["reason"] for e in failed["enterprise:acme"]}
    assert "GitHub App 424242 is not installed on enterprise acme" in reason
    assert "'Enterprise Copilot metrics' (read)" in reason
    assert set(by_scope(summary, "archived")) == ALL_SCOPES - {"enterprise:acme"}


@pytest.mark.parametrize("simulator", [{"more": {"rate_limit": 3}}], indirect=True)
def test_each_credential_is_paced_by_its_own_rate_limit(app_env, handler, simulator, app_key, monkeypatch):
    # Three calls a window for each credential: enough for each scope's three report-days,
    # were the two quotas not mistaken for one (the third call of the second would wait an hour).
    monkeypatch.setenv("MAX_WORKERS", "1")
    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("ORGANIZATIONS", "octo")
    put_secret(
        monkeypatch, "GITHUB_TOKEN_SECRET", {"enterprise:acme": ENTERPRISE_TOKEN, "default": app(app_key[0])}
    )
    days = [(TODAY - timedelta(days=n)).isoformat() for n in (2, 3, 4)]

    summary = handler({"days": days, "reports": ["users-1-day"]})

    assert summary["counts"]["archived"] == 6 and summary["rate_limit_waits"] == 0
    assert simulator.rate_limit_answers == 0


# ---- installation tokens expire ---------------------------------------------------------------


@pytest.mark.parametrize(
    "simulator", [{"more": {"installation_token_ttl_seconds": 600, "link_ttl_seconds": 10**9}}], indirect=True
)
def test_installation_tokens_are_renewed_and_no_call_carries_an_expired_one(
    app_env, handler, simulator, app_key, manual_clock, monkeypatch
):
    from copilot_archive.archiving import github
    from copilot_archive.core import clock

    # Each report call takes 100 s of the shared clock, between choosing its token and sending it.
    simulator.clock = manual_clock
    monkeypatch.setattr(clock, "utc_now", lambda: datetime.fromtimestamp(manual_clock(), UTC))
    send = github.ReportClient._send

    def slow_send(self: Any, *args: Any, **kwargs: Any) -> Any:
        manual_clock.advance(100)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(github.ReportClient, "_send", slow_send)
    # One installation asked back to back: a token 500 s old is still valid when chosen, and
    # would expire on its way (600 s) were it not renewed 5 minutes early.
    monkeypatch.setenv("MAX_WORKERS", "1")
    monkeypatch.setenv("ENTERPRISES", "")
    monkeypatch.setenv("ORGANIZATIONS", "octo")
    put_secret(monkeypatch, "GITHUB_APP_SECRET", app(app_key[0]))
    days = [(TODAY - timedelta(days=n)).isoformat() for n in range(2, 14)]

    summary = handler({"days": days, "reports": ["users-1-day"]})

    assert summary["counts"]["failed"] == 0 and summary["counts"]["archived"] == len(days)
    assert simulator.credential_refusals == {}  # the simulator refuses an expired token with 401
    # 1,200 s of calls on 600 s tokens renewed at 300 s: a token every 3 calls, each call once.
    assert len(simulator.issued_tokens) >= 4 and len(report_calls(simulator)) == len(days)


# ---- secrets stay secret ----------------------------------------------------------------------


def test_private_keys_jwts_and_installation_tokens_never_reach_logs_or_summaries(
    app_env, handler, simulator, app_key, wrong_key, monkeypatch, capfd, caplog
):
    from copilot_archive.core.observability import logger

    pem_lines = [line for line in (app_key[0] + wrong_key).splitlines() if not line.startswith("-----")]
    secret = {"organization:octo": app(wrong_key), "default": app(app_key[0])}
    put_secret(monkeypatch, "GITHUB_TOKEN_SECRET", secret)
    # A key line in a link's path (no query, no "token" before it): only registered-secret
    # scrubbing removes it from the failure's reason.
    location = f"https://evil.example.invalid/dl/{pem_lines[3]}/part"
    simulator.inject("redirect_offlist", times=10, report="users-1-day", slug="acme", location=location)
    caplog.set_level(logging.DEBUG)  # urllib3 logs every request at DEBUG
    logger.setLevel("DEBUG")
    try:
        summary = handler({"days": DAYS, "reports": ONE_DAY_REPORTS})
    finally:
        logger.setLevel("INFO")

    out, err = capfd.readouterr()
    text = out + err + caplog.text + json.dumps(summary)
    assert summary["counts"]["failed"] >= 1 and summary["counts"]["archived"] >= 1
    assert "evil.example.invalid/dl/<redacted>/part" in text
    jwts = {bearer(r) for r in simulator.requests if r.kind == "app"}
    tokens = {t.token for t in simulator.issued_tokens}
    assert jwts and tokens
    for secret_text in (*pem_lines, *jwts, *tokens):
        assert secret_text not in text


def test_an_app_id_without_its_key_is_a_configuration_error(app_env, handler, monkeypatch):
    monkeypatch.setenv("GITHUB_APP_ID", APP_ID)

    with pytest.raises(ConfigError, match="GITHUB_APP_ID is set without GITHUB_APP_PRIVATE_KEY"):
        handler({"days": DAYS[:1]})


# ---- the app's JWT goes only to the API it was made for ---------------------------------------


class AuthorizationRecorder:
    """A loopback server a hostile `next` link points at: it records every request it gets."""

    def __init__(self, address: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        recorder = self
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization header)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.requests.append((self.path, self.headers.get("Authorization")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"[]")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((address, 0), Handler)
        self.url = f"http://{address}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def installation_id(level: str, slug: str) -> int:
    return next(i.id for i in installations() if (i.level, i.slug) == (level, slug))


def run_bounded(handler: Any, event: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The handler's summary, or a failed test when it has not answered within `seconds`."""
    done: list[dict[str, Any]] = []
    worker = threading.Thread(target=lambda: done.append(handler(event)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"the run had not finished after {seconds} s"
    return done[0]


def only_globex_and_hubspace_need_the_list(app_key: Any) -> dict[str, Any]:
    """acme has a token, octo names its installation: neither needs the app's installations."""
    return {
        "enterprise:acme": {"token": ENTERPRISE_TOKEN},
        "organization:octo": app(app_key[0], installation_id=installation_id("organization", "octo")),
        "default": app(app_key[0]),
    }


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2"], ids=["other-port", "other-host"])
def test_a_next_link_off_the_api_gets_no_jwt_and_fails_only_the_scopes_that_need_the_list(
    app_env, handler, simulator, app_key, monkeypatch, address
):
    recorder = AuthorizationRecorder(address)
    try:
        simulator.installations_next = f"{recorder.url}/app/installations?per_page=100&page=2"
        put_secret(monkeypatch, "GITHUB_TOKEN_SECRET", only_globex_and_hubspace_need_the_list(app_key))

        summary = run_bounded(handler, {"days": DAYS[:1], "reports": ONE_DAY_REPORTS}, 60)
    finally:
        recorder.close()

    assert recorder.requests == []
    failed = by_scope(summary, "failed")
    assert set(failed) == {"enterprise:globex", "organization:hubspace"}
    assert set(by_scope(summary, "archived")) == {"enterprise:acme", "organization:octo"}
    api = simulator.api_url.removesuffix("/")
    for scope, entries in failed.items():
        level, slug = scope.split(":")
        for entry in entries:
            assert f"links its next page to {recorder.url}, not to the API at {api}" in entry["reason"]
            assert f"name the installation_id of {level} {slug}" in entry["reason"]
    jwts = {bearer(r) for r in simulator.requests if r.kind == "app"}
    assert jwts and not any(jwt in json.dumps(summary) for jwt in jwts)
    # The refusal is the app's, not a scope's: the list was asked for once.
    assert len([r for r in simulator.requests if r.kind == "app" and r.method == "GET"]) == 1


def test_a_next_link_that_loops_stops_after_the_page_limit(app_env, handler, simulator, app_key, monkeypatch):
    from copilot_archive.archiving.github_app import INSTALLATIONS_PER_PAGE, MAX_INSTALLATION_PAGES

    simulator.installations_next = "loop"
    put_secret(monkeypatch, "GITHUB_TOKEN_SECRET", only_globex_and_hubspace_need_the_list(app_key))

    summary = run_bounded(handler, {"days": DAYS[:1], "reports": ONE_DAY_REPORTS}, 60)

    failed = by_scope(summary, "failed")
    assert set(failed) == {"enterprise:globex", "organization:hubspace"}
    assert set(by_scope(summary, "archived")) == {"enterprise:acme", "organization:octo"}
    for entries in failed.values():
        for entry in entries:
            assert (
                f"goes on past {MAX_INSTALLATION_PAGES} pages of {INSTALLATIONS_PER_PAGE}" in entry["reason"]
            )
    listings = [r for r in simulator.requests if r.kind == "app" and r.method == "GET"]
    assert len(listings) == MAX_INSTALLATION_PAGES


# ---- credentials refused loudly, never half-read ----------------------------------------------

SHADOWED_TOKEN = "ghp_SHADOWEDcanary0123456789abcdeSECRET"
NESTED_200000 = '{"default": ' + "[" * 200_000 + "]" * 200_000 + "}"


def cli_archive(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI's `archive` of one day: its exit code and what it wrote to stderr."""
    argv = ["archive", "--archive", str(tmp_path / "archive"), "--days", DAYS[0], "--no-progress"]
    argv += ["--enterprises", "acme", "--reports", "users-1-day"]
    code = main(argv)
    return code, capsys.readouterr().err


def credentials_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, text: str, mode: int = 0o600) -> Any:
    path = tmp_path / "my credentials.json"
    path.write_text(text)
    path.chmod(mode)
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_CREDENTIALS_FILE", str(path))
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_credentials_file_others_can_read_is_refused_naming_the_file_and_the_chmod(
    cli_env, simulator, tmp_path, monkeypatch, capsys, mode
):
    import shlex

    path = credentials_file(tmp_path, monkeypatch, json.dumps({"enterprise:acme": CLASSIC_TOKEN}), mode)

    code, err = cli_archive(tmp_path, capsys)

    assert code == 2
    assert f"GITHUB_CREDENTIALS_FILE={path}" in err
    assert f"chmod 600 {shlex.quote(str(path))}" in err and f"{mode:04o}" in err
    assert "Traceback" not in err and CLASSIC_TOKEN not in err
    assert simulator.requests == []
    # Once only its owner can read it, the same file archives.
    path.chmod(0o600)
    assert cli_archive(tmp_path, capsys)[0] == 0


def test_a_credentials_file_naming_a_scope_twice_is_refused_naming_the_key(
    cli_env, simulator, tmp_path, monkeypatch, capsys
):
    text = f'{{"enterprise:acme": "{SHADOWED_TOKEN}", "enterprise:acme": "{CLASSIC_TOKEN}"}}'
    credentials_file(tmp_path, monkeypatch, text)

    code, err = cli_archive(tmp_path, capsys)

    assert code == 2
    assert "names the key 'enterprise:acme' twice" in err and "GITHUB_CREDENTIALS_FILE=" in err
    assert SHADOWED_TOKEN not in err and CLASSIC_TOKEN not in err
    assert simulator.requests == []
    # The shadowed token is known to redaction, as any token read is.
    from copilot_archive.core.redaction import redact

    assert SHADOWED_TOKEN not in redact(f"a log line quoting {SHADOWED_TOKEN}")


@pytest.mark.parametrize(
    "text, message",
    [
        (NESTED_200000, "is JSON nested too deeply to be credentials"),
        ('{"default": "' + "x" * (2 * 1024 * 1024) + '"}', "more than 1,048,576"),
    ],
    ids=["nested-200000-deep", "2-MiB"],
)
def test_deeply_nested_or_oversized_credentials_are_a_configuration_error_not_a_traceback(
    cli_env, simulator, tmp_path, monkeypatch, capsys, text, message
):
    path = credentials_file(tmp_path, monkeypatch, text)

    code, err = cli_archive(tmp_path, capsys)

    assert code == 2
    assert f"copilot-archive: error: GITHUB_CREDENTIALS_FILE={path}" in err and message in err
    assert "Traceback" not in err and "RecursionError" not in err
    assert simulator.requests == []


def test_the_cli_run_as_a_command_prints_no_traceback_for_nested_credentials(
    cli_env, simulator, tmp_path, monkeypatch
):
    import os
    import subprocess
    import sys
    from datetime import date

    path = credentials_file(tmp_path, monkeypatch, NESTED_200000)
    recent = (date.today() - timedelta(days=3)).isoformat()  # a fresh process: today is the real one
    argv = ["archive", "--archive", str(tmp_path / "archive"), "--days", recent, "--no-progress"]

    done = subprocess.run(
        [sys.executable, "-m", "copilot_archive.cli", *argv],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2, done.stderr[-2000:]
    assert f"GITHUB_CREDENTIALS_FILE={path} is JSON nested too deeply" in done.stderr
    assert "Traceback" not in done.stderr


def put_binary_secret(monkeypatch: pytest.MonkeyPatch, variable: str, value: bytes) -> None:
    import boto3

    name = f"copilot/credentials-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager").create_secret(Name=name, SecretBinary=value)
    monkeypatch.setenv(variable, name)


@pytest.mark.parametrize("encoding", ["a token", "a map"])
def test_a_secret_stored_as_secret_binary_is_read_as_utf8_text(
    app_env, handler, simulator, monkeypatch, encoding
):
    value = CLASSIC_TOKEN if encoding == "a token" else json.dumps({"default": {"token": CLASSIC_TOKEN}})
    put_binary_secret(monkeypatch, "GITHUB_TOKEN_SECRET", value.encode())

    summary = handler({"days": DAYS[:1], "reports": ["users-1-day"]})

    assert summary["counts"]["failed"] == 0 and set(by_scope(summary, "archived")) == ALL_SCOPES
    calls = report_calls(simulator)
    assert calls and {r.headers.get("Authorization") for r in calls} == {f"Bearer {CLASSIC_TOKEN}"}


def test_a_secret_binary_that_is_not_utf8_is_refused_clearly(app_env, handler, simulator, monkeypatch):
    put_binary_secret(monkeypatch, "GITHUB_TOKEN_SECRET", b"\xff\xfe" + CLASSIC_TOKEN.encode("utf-16-le"))

    with pytest.raises(ConfigError, match="holds a SecretBinary that is not UTF-8 text") as raised:
        handler({"days": DAYS[:1], "reports": ["users-1-day"]})

    assert "GITHUB_TOKEN_SECRET" in str(raised.value)
    assert report_calls(simulator) == []


@pytest.mark.parametrize(
    "text, message",
    [
        (
            f'{{"default": {{"token": "{SHADOWED_TOKEN}", "token": "{CLASSIC_TOKEN}"}}}}',
            "names the key 'token' twice",
        ),
        (f'{{"token": "{SHADOWED_TOKEN}", "token": ""}}', "names the key 'token' twice"),
        (NESTED_200000, "is JSON nested too deeply to be credentials"),
    ],
    ids=["duplicate-in-an-entry", "a-token-shadowed-by-a-placeholder", "nested-200000-deep"],
)
def test_a_secret_with_duplicate_keys_or_nested_too_deep_is_a_configuration_error_naming_it(
    app_env, handler, simulator, monkeypatch, text, message
):
    put_secret(monkeypatch, "GITHUB_TOKEN_SECRET", text)

    with pytest.raises(ConfigError, match=message) as raised:
        handler({"days": DAYS[:1], "reports": ["users-1-day"]})

    assert "(GITHUB_TOKEN_SECRET)" in str(raised.value)
    assert SHADOWED_TOKEN not in str(raised.value) and CLASSIC_TOKEN not in str(raised.value)
    assert report_calls(simulator) == []


def test_a_download_link_without_a_path_never_shows_its_signature(
    app_env, handler, simulator, monkeypatch, capfd
):
    monkeypatch.setenv("GITHUB_TOKEN", CLASSIC_TOKEN)
    link = "https://copilot-reports.example.invalid?sv=2025&sig=PATHLESSsignature0123"
    simulator.inject("links", times=10, report="users-1-day", slug="acme", links=[link])

    summary = handler({"days": DAYS[:1], "reports": ["users-1-day"], "enterprises": ["acme"]})

    out, err = capfd.readouterr()
    assert summary["counts"]["failed"] == 1
    assert "copilot-reports.example.invalid?<redacted>" in summary["failed"][0]["reason"]
    assert "PATHLESSsignature0123" not in out + err + json.dumps(summary)
