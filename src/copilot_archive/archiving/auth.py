"""Which bearer token each scope's report calls carry, and where the credentials come from:
a Secrets Manager secret (Powertools Parameters, cached), a JSON file, or the environment."""

from __future__ import annotations

import os
import shlex
import stat
import threading
from collections.abc import Callable

from ..core.config import (
    GITHUB_APP_ID,
    GITHUB_APP_PRIVATE_KEY,
    GITHUB_APP_SECRET,
    GITHUB_CREDENTIALS_FILE,
    GITHUB_TOKEN,
    GITHUB_TOKEN_SECRET,
    Settings,
)
from ..core.exceptions import ConfigError, NotConfigured
from ..core.layout import Scope
from ..core.redaction import redact
from .credentials import (
    MAX_CREDENTIALS_CHARS,
    CredentialMap,
    TokenCredential,
    app_credential,
    parse_credentials,
    parse_json,
    single,
    validated_token,
)
from .github import ScopeToken
from .github_app import AppTokens

SECRET_CACHE_SECONDS = 300
# What the stack's secret holds until someone puts the token in it.
PLACEHOLDERS = frozenset({"", "REPLACE_ME"})


class Authenticator:
    """A scope's token: its credential from the current map; an app's installation token."""

    def __init__(self, credentials: Callable[[], CredentialMap], app_tokens: AppTokens) -> None:
        self._credentials = credentials
        self._app_tokens = app_tokens

    def check(self) -> None:
        """Read the credentials once: ConfigError, or NotConfigured while the secret is empty."""
        self._credentials()

    def __call__(self, scope: Scope) -> ScopeToken:
        key, credential = self._credentials().for_scope(scope)
        if isinstance(credential, TokenCredential):
            return ScopeToken(credential.token, quota=f"token:{key}")
        return self._app_tokens.token_for(credential, scope)


def static_token(token: str) -> Callable[[Scope], ScopeToken]:
    """One token for every scope (tests and tools that hold a token already)."""
    return lambda _scope: ScopeToken(token, quota="token")


def credential_source(settings: Settings) -> Callable[[], CredentialMap]:
    """A callable returning the current credentials; a secret is re-read at most every 5 minutes."""
    secret = settings.token_secret or settings.app_secret
    if secret:
        variable = GITHUB_TOKEN_SECRET if settings.token_secret else GITHUB_APP_SECRET
        return _from_secret(secret, variable)
    if settings.credentials_file:
        credentials = _from_file(settings.credentials_file)
    elif settings.app_id and settings.app_private_key:
        source = f"{GITHUB_APP_ID}/{GITHUB_APP_PRIVATE_KEY}"
        credentials = single(app_credential(settings.app_id, settings.app_private_key, source), source)
    elif settings.token:
        credentials = single(TokenCredential(validated_token(settings.token, GITHUB_TOKEN)), GITHUB_TOKEN)
    else:
        raise ConfigError(
            f"no GitHub credentials: set {GITHUB_TOKEN_SECRET} or {GITHUB_APP_SECRET} (a Secrets Manager "
            f"secret), {GITHUB_CREDENTIALS_FILE}, {GITHUB_APP_ID} and {GITHUB_APP_PRIVATE_KEY}, "
            f"or {GITHUB_TOKEN}"
        )
    return lambda: credentials


def _from_secret(secret_name: str, variable: str) -> Callable[[], CredentialMap]:
    source = f"secret {secret_name} ({variable})"
    parsed: dict[str, CredentialMap] = {}  # the last text and its map: parsed once per value
    lock = threading.Lock()

    def read() -> CredentialMap:
        from aws_lambda_powertools.utilities import parameters

        try:
            value = parameters.get_secret(secret_name, max_age=SECRET_CACHE_SECONDS)
        except parameters.exceptions.GetParameterError as exc:
            if _holds_no_value(exc):
                raise NotConfigured(_not_configured(secret_name)) from exc
            raise ConfigError(
                f"cannot read the GitHub credentials from {variable}={secret_name}: {redact(exc)}"
            ) from exc
        text = _secret_text(value, source)
        with lock:
            if text not in parsed:
                if text.strip() in PLACEHOLDERS or _placeholder_json(text, source):
                    raise NotConfigured(_not_configured(secret_name))
                parsed.clear()
                parsed[text] = parse_credentials(text, source)
            return parsed[text]

    return read


def _secret_text(value: object, source: str) -> str:
    """A secret's value as text: a SecretBinary is UTF-8 text (its repr, b'...', is no token)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(
                f"{source} holds a SecretBinary that is not UTF-8 text; put the token or the JSON "
                "in the secret's SecretString (aws secretsmanager put-secret-value --secret-string)"
            ) from None
    return str(value)


def _from_file(path: str) -> CredentialMap:
    source = f"{GITHUB_CREDENTIALS_FILE}={path}"
    try:
        with open(path, "rb") as file:
            # As ssh does with a private key: a file others can read has leaked already.
            mode = os.fstat(file.fileno()).st_mode
            if mode & 0o077:
                raise ConfigError(
                    f"{source} holds a token or a private key and is open to group or others "
                    f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {shlex.quote(path)}"
                )
            data = file.read(MAX_CREDENTIALS_CHARS * 4 + 1)  # UTF-8: at most 4 bytes a character
        if len(data) > MAX_CREDENTIALS_CHARS * 4:
            raise ConfigError(f"{source} is larger than {MAX_CREDENTIALS_CHARS * 4:,} bytes: not credentials")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {source}: {type(exc).__name__}") from None
    return parse_credentials(text, source)


def _placeholder_json(text: str, source: str) -> bool:
    """{"token": ""} or {"token": "REPLACE_ME"}: a secret written from a template, not filled in."""
    if not text.lstrip().startswith("{") or len(text) > MAX_CREDENTIALS_CHARS:
        return False  # parse_credentials says what is wrong with it
    try:
        document = parse_json(text, source)
    except ConfigError:
        return False  # likewise
    return isinstance(document, dict) and set(document) == {"token"} and document["token"] in PLACEHOLDERS


def _holds_no_value(exc: Exception) -> bool:
    """A secret created without a value (as the stack creates it) has no AWSCURRENT version."""
    cause = exc.__cause__ or exc.__context__  # Powertools raises GetParameterError inside `except`
    code = getattr(cause, "response", {}).get("Error", {}).get("Code", "")
    return code == "ResourceNotFoundException" and "value" in str(cause).lower()


def _not_configured(secret_name: str) -> str:
    return (
        f"the GitHub credentials are not configured yet: secret {secret_name} holds none; "
        f"aws secretsmanager put-secret-value --secret-id {secret_name} --secret-string <token or JSON>"
    )
