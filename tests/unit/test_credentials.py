"""Credentials: what the secret, file and environment texts parse to, and what they refuse
(naming the variable or key, never quoting a value); installation tokens cached and renewed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from copilot_archive.archiving.credentials import (
    AppCredential,
    CredentialMap,
    TokenCredential,
    parse_credentials,
)
from copilot_archive.core.config import settings_from_env
from copilot_archive.core.exceptions import ConfigError, CredentialError, PermissionDenied
from copilot_archive.core.layout import Scope
from copilot_archive.core.redaction import redact
from copilot_archive.core.reports import Level

# Not a usable key (nothing here signs): only its shape is checked before an app signs a JWT.
PEM_BODY = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCanaryKeyLine1", "c2VjcmV0a2V5Ym9keWxpbmUy"]
PEM = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END PRIVATE KEY-----\n"
ACME = Scope(Level.ENTERPRISE, "acme")
OCTO = Scope(Level.ORGANIZATION, "Octo")
SOURCE = "secret gh (GITHUB_TOKEN_SECRET)"


def parse(value: Any) -> CredentialMap:
    return parse_credentials(value if isinstance(value, str) else json.dumps(value), SOURCE)


@pytest.mark.parametrize("text", ["  ghp_abcdef123456\n", '{"token": "ghp_abcdef123456"}'])
def test_a_bare_or_wrapped_token_is_the_default_for_every_scope(text):
    credentials = parse(text)

    assert credentials.for_scope(ACME) == ("default", TokenCredential("ghp_abcdef123456"))
    assert credentials.for_scope(OCTO)[1] == TokenCredential("ghp_abcdef123456")


def test_an_app_is_the_default_and_its_key_lines_are_redacted():
    credentials = parse({"app_id": 123, "private_key": PEM, "installation_id": 9})

    assert credentials.for_scope(OCTO) == ("default", AppCredential("123", PEM.strip(), 9))
    assert PEM_BODY[0] not in redact(f"failed near /x/{PEM_BODY[0]}/y and {PEM_BODY[1]}")
    assert PEM_BODY[0] not in repr(credentials)


def test_a_key_pasted_on_one_line_with_escaped_line_breaks_is_read():
    one_line = PEM.replace("\n", "\\n")

    (_, app) = parse({"app_id": "Iv23liClientId", "private_key": one_line}).for_scope(ACME)

    assert (
        isinstance(app, AppCredential) and app.private_key == PEM.strip() and app.app_id == "Iv23liClientId"
    )


def test_a_map_gives_each_scope_its_entry_else_the_default():
    credentials = parse(
        {
            "enterprise:acme": "ghp_enterprise123",
            "organization:octo": {"app_id": 7, "private_key": PEM},
            "default": {"token": "ghp_default456"},
        }
    )

    assert credentials.for_scope(ACME) == ("enterprise:acme", TokenCredential("ghp_enterprise123"))
    assert credentials.for_scope(OCTO)[0] == "organization:octo"  # logins are case-insensitive
    assert credentials.for_scope(Scope(Level.ORGANIZATION, "hooli"))[1] == TokenCredential("ghp_default456")


def test_a_scope_without_entry_or_default_fails_alone_with_a_permission_error():
    credentials = parse({"organization:octo": "ghp_octo12345"})

    with pytest.raises(CredentialError, match=r"no credential for enterprise acme: .* no 'enterprise:acme'"):
        credentials.for_scope(ACME)
    assert issubclass(CredentialError, PermissionDenied)  # the archiver fails that scope only


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ghp_first half", "white space or control characters"),
        ("{not json", "not valid JSON"),
        ({"team:x": "ghp_abcdef"}, "key 'team:x' is not 'default'"),
        ({"organization:bad slug": "ghp_abcdef"}, "is not a GitHub slug"),
        ({"app_id": 1}, '"private_key" is missing'),
        ({"private_key": PEM}, '"app_id" is missing'),
        ({"app_id": 1, "private_key": "ghp_notakeyatall"}, "is not a PEM private key"),
        ({"app_id": 1, "private_key": PEM, "installation_id": "x"}, '"installation_id" must be'),
        ({"app_id": 1, "private_key": PEM, "extra": 1}, "unknown key"),
        ({"token": "ghp_abcdef", "app_id": 1}, '"token" must be a string, alone'),
        ({"default": 42}, "neither a token nor an object"),
        ('{"default": "ghp_first", "default": "ghp_second"}', "names the key 'default' twice"),
        ('{"app_id": 1, "private_key": "ghp_notakeyatall", "app_id": 2}', "names the key 'app_id' twice"),
        ('{"default": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"default": "' + "x" * (1024 * 1024) + '"}', "characters, more than 1,048,576"),
    ],
)
def test_bad_credentials_are_refused_naming_the_source_and_key(value, message):
    with pytest.raises(ConfigError, match=message) as raised:
        parse(value)

    assert SOURCE in str(raised.value)
    for secret in ("ghp_first", "ghp_second", "half", "ghp_notakeyatall", PEM_BODY[0]):
        assert secret not in str(raised.value)


def test_the_environment_configures_an_app():
    settings = settings_from_env(
        {"ENTERPRISES": "acme", "GITHUB_APP_ID": "12", "GITHUB_APP_PRIVATE_KEY": PEM}
    )

    assert settings.app_id == "12" and settings.app_private_key == PEM.strip()
    assert PEM_BODY[0] not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_APP_ID": "12"}, "GITHUB_APP_ID is set without GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_PRIVATE_KEY": PEM}, "GITHUB_APP_PRIVATE_KEY is set without GITHUB_APP_ID"),
        (
            {"GITHUB_TOKEN_SECRET": "a", "GITHUB_APP_SECRET": "b"},
            "both GITHUB_TOKEN_SECRET and GITHUB_APP_SECRET",
        ),
        (
            {"GITHUB_TOKEN": "ghp_x", "GITHUB_CREDENTIALS_FILE": "c.json"},
            "GITHUB_CREDENTIALS_FILE and GITHUB_TOKEN",
        ),
        (
            {"GITHUB_TOKEN": "ghp_x", "GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": PEM},
            "GITHUB_APP_ID/GITHUB_APP_PRIVATE_KEY and GITHUB_TOKEN",
        ),
    ],
)
def test_conflicting_or_incomplete_credential_settings_are_refused(env, message):
    with pytest.raises(ConfigError, match=message) as raised:
        settings_from_env({"ENTERPRISES": "acme", **env})

    assert PEM_BODY[0] not in str(raised.value)


def test_a_secret_still_beats_a_token_in_the_environment():
    settings = settings_from_env({"ENTERPRISES": "acme", "GITHUB_TOKEN_SECRET": "s", "GITHUB_TOKEN": "ghp_x"})

    assert settings.token_secret == "s"


def test_a_credentials_file_that_cannot_be_read_names_the_variable(tmp_path):
    from copilot_archive.archiving.auth import credential_source

    settings = settings_from_env(
        {"ENTERPRISES": "acme", "GITHUB_CREDENTIALS_FILE": str(tmp_path / "none.json")}
    )

    with pytest.raises(ConfigError, match="cannot read GITHUB_CREDENTIALS_FILE="):
        credential_source(settings)


# ---- installation tokens: cached per installation, renewed 5 minutes early -------------------


class FakeResponse:
    def __init__(self, status: int, body: Any, links: dict[str, Any] | None = None) -> None:
        self.status_code = status
        self._body = body
        self.links = links or {}
        self.text = json.dumps(body)

    def json(self) -> Any:
        return self._body


class FakeGitHub:
    """Answers the app endpoints like GitHub; counts what it was asked."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.calls: list[tuple[str, str]] = []
        self.minted = 0

    def request(self, method: str, url: str, **_: Any) -> FakeResponse:
        self.calls.append((method, url))
        if method == "GET":
            return FakeResponse(
                200,
                [
                    {"id": 5, "target_type": "Enterprise", "account": {"slug": "acme", "name": "Acme"}},
                    {"id": 6, "target_type": "Organization", "account": {"login": "Octo"}},
                ],
            )
        self.minted += 1
        expires = datetime.fromtimestamp(self.clock[0] + 3600, UTC).isoformat().replace("+00:00", "Z")
        return FakeResponse(201, {"token": f"ghs_minted{self.minted:04d}", "expires_at": expires})


def signed_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """No RSA here: the JWT's signature is the simulator's concern (integration tests)."""
    from copilot_archive.archiving import github_app

    monkeypatch.setattr(github_app.AppTokens, "_jwt", lambda self, app, scope: "jwt")


def test_tokens_are_cached_per_installation_and_renewed_five_minutes_before_expiry(monkeypatch):
    from copilot_archive.archiving.github_app import AppTokens

    signed_tokens(monkeypatch)
    clock = [1_800_000_000.0]
    github = FakeGitHub(clock)
    tokens = AppTokens("https://api.example", "2026-03-10", session=github, now=lambda: clock[0])  # type: ignore[arg-type]
    app = AppCredential("1", PEM)

    first = tokens.token_for(app, ACME)
    assert tokens.token_for(app, ACME) == first and first.quota == "app:1/installation:5"
    assert tokens.token_for(app, OCTO).quota == "app:1/installation:6"  # its own token and quota
    clock[0] += 3600 - 301
    assert tokens.token_for(app, ACME) == first
    clock[0] += 2  # 4 min 59 s left: renewed
    assert tokens.token_for(app, ACME).token != first.token
    # The installations are listed again once 5 minutes have passed (an app installed since).
    assert github.minted == 3 and [c[0] for c in github.calls].count("GET") == 2


def test_an_app_not_installed_on_a_scope_names_the_permission(monkeypatch):
    from copilot_archive.archiving.github_app import AppTokens

    signed_tokens(monkeypatch)
    github = FakeGitHub([1_800_000_000.0])
    tokens = AppTokens("https://api.example", "2026-03-10", session=github)  # type: ignore[arg-type]

    with pytest.raises(
        CredentialError, match=r"not installed on organization hooli.*'Organization Copilot metrics'"
    ):
        tokens.token_for(AppCredential("1", PEM), Scope(Level.ORGANIZATION, "hooli"))


def test_a_key_that_cannot_sign_fails_the_scope_without_quoting_the_key():
    from copilot_archive.archiving.github_app import AppTokens

    tokens = AppTokens("https://api.example", "2026-03-10", session=FakeGitHub([0.0]))  # type: ignore[arg-type]

    with pytest.raises(CredentialError, match="cannot sign a JWT") as raised:
        tokens.token_for(AppCredential("1", PEM), ACME)
    assert PEM_BODY[0] not in str(raised.value)


def test_an_archiver_with_a_token_never_imports_pyjwt_or_cryptography(tmp_path):
    import os

    from tests.conftest import probe_output

    # A fresh interpreter: the cold start of a stack configured with a token, up to its first call.
    probe = (
        "import sys\n"
        "from copilot_archive.archiving.runtime import build_archiver\n"
        "from copilot_archive.core.config import Settings\n"
        "from copilot_archive.core.layout import Scope\n"
        "from copilot_archive.core.reports import Level\n"
        "from copilot_archive.core.storage import open_storage\n"
        "archiver = build_archiver(Settings(('acme',), token='ghp_abcdef123'), open_storage(sys.argv[1]))\n"
        "archiver.client.check_credentials()\n"
        "archiver.client._auth(Scope(Level.ENTERPRISE, 'acme'))\n"
        "print(','.join(m for m in ('jwt', 'cryptography') if m in sys.modules))\n"
    )
    loaded = probe_output(probe, str(tmp_path), env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})

    assert loaded == ""


class PagedGitHub:
    """Lists one installation per page; each page's `next` link is the one the test gives."""

    def __init__(self, next_links: list[str]) -> None:
        self.next_links = next_links
        self.asked: list[str] = []

    def request(self, method: str, url: str, **_: Any) -> FakeResponse:
        if method == "POST":
            return FakeResponse(404, {"message": "Not Found"})  # minting is not this test's concern
        self.asked.append(url)
        page = len(self.asked)
        links = {"next": {"url": self.next_links[page - 1]}} if page <= len(self.next_links) else {}
        account = {"login": f"org-{page}"}
        return FakeResponse(200, [{"id": page, "target_type": "Organization", "account": account}], links)


@pytest.mark.parametrize(
    ("next_link", "followed"),
    [
        ("https://api.example:443/app/installations?page=2", True),  # the default port, spelled out
        ("https://API.example/app/installations?page=2", True),
        ("http://api.example/app/installations?page=2", False),
        ("https://api.example:8443/app/installations?page=2", False),
        ("https://api.example.evil/app/installations?page=2", False),
        ("https://api.example@evil.example/app/installations?page=2", False),
    ],
)
def test_the_installations_list_is_followed_only_on_the_apis_own_origin(monkeypatch, next_link, followed):
    from copilot_archive.archiving.github_app import AppTokens

    signed_tokens(monkeypatch)
    github = PagedGitHub([next_link])
    tokens = AppTokens("https://api.example", "2026-03-10", session=github)  # type: ignore[arg-type]
    second = Scope(Level.ORGANIZATION, "org-2")

    if followed:
        with pytest.raises(CredentialError, match="cannot mint a token for installation 2"):
            tokens.token_for(AppCredential("1", PEM), second)
        assert github.asked[1] == next_link
    else:
        with pytest.raises(CredentialError, match="the app's JWT was not sent"):
            tokens.token_for(AppCredential("1", PEM), second)
        assert github.asked == ["https://api.example/app/installations"]
