"""What a scope's report calls authenticate with: a token or a GitHub App, per scope or for all.

Pure: parsing and validation of the text a secret, a file or the environment holds; no AWS,
no HTTP. Every secret value parsed here is registered for redaction before anything can quote it.

The text is one of:
  a bare token                                       ghp_...
  {"token": "ghp_..."}
  {"app_id": 123, "private_key": "-----BEGIN ...", "installation_id": 456}   (installation optional)
  a map of scope keys to any of the above:
  {"enterprise:acme": "ghp_...", "organization:octo": {"app_id": ...}, "default": {...}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.exceptions import ConfigError, CredentialError, InvalidRequest
from ..core.layout import Scope, validate_slug
from ..core.redaction import register_secret
from ..core.reports import Level

DEFAULT_KEY = "default"
# A token is one word of printable ASCII: white space or control characters inside mean a
# pasted line break or a second value, and would end up inside the Authorization header.
_TOKEN = re.compile(r"[\x21-\x7e]+")
_PEM = re.compile(r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+-----END \1PRIVATE KEY-----", re.DOTALL)
_APP_KEYS = frozenset({"app_id", "private_key", "installation_id"})
# Hundreds of scopes, each with an app's 2 KB key, fit in well under 1 MiB (a Secrets Manager
# secret holds 64 KB at most): more is not credentials, and is not parsed.
MAX_CREDENTIALS_CHARS = 1024 * 1024


@dataclass(frozen=True, slots=True)
class TokenCredential:
    """A classic, fine-grained or OAuth token, sent as it is."""

    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AppCredential:
    """A GitHub App: it signs a JWT and mints installation tokens (github_app.py).
    app_id is the app's ID or client ID (GitHub accepts either as the JWT's issuer)."""

    app_id: str
    private_key: str = field(repr=False)
    installation_id: int | None = None


Credential = TokenCredential | AppCredential


@dataclass(frozen=True, slots=True)
class CredentialMap:
    """Each scope's credential: its own entry, else the default, else none (that scope fails)."""

    entries: Mapping[str, Credential]
    source: str  # where the map came from, for messages: "secret NAME", "GITHUB_TOKEN", ...

    def for_scope(self, scope: Scope) -> tuple[str, Credential]:
        """(the entry's key, its credential); CredentialError when neither entry exists."""
        key = scope_key(scope)
        if key in self.entries:
            return key, self.entries[key]
        if DEFAULT_KEY in self.entries:
            return DEFAULT_KEY, self.entries[DEFAULT_KEY]
        raise CredentialError(
            f"no credential for {scope.level} {scope.slug}: {self.source} has no {key!r} entry "
            f"and no {DEFAULT_KEY!r} entry"
        )


def scope_key(scope: Scope) -> str:
    """The map key naming a scope: organization logins are case-insensitive on GitHub."""
    return f"{scope.level}:{scope.slug.lower()}"


def single(credential: Credential, source: str) -> CredentialMap:
    return CredentialMap({DEFAULT_KEY: credential}, source)


def parse_credentials(text: str, source: str) -> CredentialMap:
    """The credentials `text` holds (see the module's docstring); ConfigError names `source` and
    the key at fault, never a value."""
    stripped = text.strip()
    if len(stripped) > MAX_CREDENTIALS_CHARS:
        raise ConfigError(
            f"{source} holds {len(stripped):,} characters, more than {MAX_CREDENTIALS_CHARS:,}: "
            "not a token, an app or a map of them"
        )
    if not stripped.startswith("{"):
        return single(TokenCredential(validated_token(stripped, source)), source)
    document = parse_json(stripped, source)
    if not isinstance(document, dict) or not document:
        raise ConfigError(f"{source} is JSON but not an object with entries")
    if _is_credential(document):
        return single(_credential(document, source), source)
    entries: dict[str, Credential] = {}
    for key, value in document.items():
        normalized = _scope_entry_key(key, source)
        if normalized in entries:
            raise ConfigError(f"{source} names {normalized!r} twice")
        entries[normalized] = _credential(value, f"{source}, entry {normalized!r}")
    return CredentialMap(entries, source)


def parse_json(text: str, source: str) -> Any:
    """The JSON document `text` holds; ConfigError naming `source` when it is not JSON, is nested
    too deeply to parse, or names a key twice in one object (which value wins is a guess, and a
    shadowed token would be neither used nor known to redaction)."""
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: _without_duplicates(pairs, source))
    except ValueError:
        # The text may be a token that happens to start with '{', or a mangled key: quote nothing.
        raise ConfigError(f"{source} starts with '{{' but is not valid JSON") from None
    except RecursionError:
        raise ConfigError(f"{source} is JSON nested too deeply to be credentials") from None


def _without_duplicates(pairs: list[tuple[str, Any]], source: str) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            for name, shadowed in pairs:  # neither value may be quoted from now on
                if name == key and isinstance(shadowed, str):
                    register_secret(shadowed.strip())
            raise ConfigError(f"{source} names the key {key[:60]!r} twice in one object; keep one")
        document[key] = value
    return document


def app_credential(app_id: str, private_key: str, source: str) -> AppCredential:
    """An app from two separate values (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)."""
    return _app({"app_id": app_id, "private_key": private_key}, source)


def validated_token(value: str, source: str) -> str:
    """The token stripped of surrounding white space and registered for redaction;
    ConfigError when anything but printable ASCII is left inside."""
    token = value.strip()
    if not _TOKEN.fullmatch(token):
        # Register the parts so that no error message or log line can quote them.
        for part in token.split():
            register_secret(part)
        raise ConfigError(
            f"{source} holds white space or control characters inside the token, or no token; "
            "put the bare token there, on one line"
        )
    register_secret(token)
    return token


def _is_credential(document: dict[str, Any]) -> bool:
    return "token" in document or bool(_APP_KEYS & document.keys())


def _credential(value: Any, source: str) -> Credential:
    if isinstance(value, str):
        return TokenCredential(validated_token(value, source))
    if not isinstance(value, dict):
        raise ConfigError(f"{source} is neither a token nor an object")
    if "token" in value:
        if set(value) != {"token"} or not isinstance(value["token"], str):
            raise ConfigError(f'{source}: "token" must be a string, alone in its object')
        return TokenCredential(validated_token(value["token"], source))
    return _app(value, source)


def _app(value: dict[str, Any], source: str) -> AppCredential:
    # The key first: whatever else is wrong, it must never be quoted afterwards.
    key = value.get("private_key")
    if isinstance(key, str):
        _register_key(key)
    unknown = sorted(set(value) - _APP_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; expected {_expected()}")
    app_id = value.get("app_id")
    if isinstance(app_id, bool) or not isinstance(app_id, int | str) or not str(app_id).strip():
        raise ConfigError(
            f'{source}: "app_id" is missing or not a number or client ID; expected {_expected()}'
        )
    app_id = str(app_id).strip()
    if not _TOKEN.fullmatch(app_id):
        raise ConfigError(f'{source}: "app_id" holds white space or control characters')
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(f'{source}: "private_key" is missing; expected {_expected()}')
    pem = _normalized_pem(key)
    if not _PEM.search(pem):
        raise ConfigError(
            f'{source}: "private_key" is not a PEM private key '
            "(the whole .pem file GitHub generated, BEGIN and END lines included)"
        )
    installation = value.get("installation_id")
    if installation is not None and (
        isinstance(installation, bool) or not isinstance(installation, int) or installation <= 0
    ):
        raise ConfigError(f'{source}: "installation_id" must be a positive whole number')
    return AppCredential(app_id, pem, installation)


def _normalized_pem(key: str) -> str:
    # A key pasted into one line of an environment variable or a console field often has its
    # line breaks as the two characters '\n'.
    pem = key.replace("\\n", "\n").strip()
    _register_key(pem)
    return pem


def _register_key(key: str) -> None:
    """The whole key and each line of its body: a log line could quote any part of it."""
    register_secret(key.strip())
    for line in key.replace("\\n", "\n").splitlines():
        line = line.strip()
        if line and not line.startswith("-----"):
            register_secret(line)


def _scope_entry_key(key: str, source: str) -> str:
    if key == DEFAULT_KEY:
        return key
    level, _, slug = key.partition(":")
    levels = {lvl.value for lvl in Level}
    if level not in levels or not slug:
        raise ConfigError(
            f"{source}: key {key[:60]!r} is not 'default', 'enterprise:SLUG' or 'organization:LOGIN'"
        )
    try:
        validate_slug(slug)
    except InvalidRequest as exc:
        raise ConfigError(f"{source}: key {key[:60]!r}: {exc}") from exc
    return scope_key(Scope(Level(level), slug))


def _expected() -> str:
    return '{"app_id": ..., "private_key": "-----BEGIN ...", "installation_id": ... (optional)}'
