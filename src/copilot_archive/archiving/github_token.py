"""The GitHub token: from Secrets Manager (Powertools Parameters, cached) or GITHUB_TOKEN."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ..core.config import GITHUB_TOKEN, GITHUB_TOKEN_SECRET, Settings
from ..core.exceptions import ConfigError, NotConfigured
from ..core.redaction import redact, register_secret

SECRET_CACHE_SECONDS = 300
# What the stack's secret holds until someone puts the token in it.
PLACEHOLDERS = frozenset({"", "REPLACE_ME"})
# A token is one word of printable ASCII: white space or control characters inside mean a
# pasted line break or a second value, and would end up inside the Authorization header.
_TOKEN = re.compile(r"[\x21-\x7e]+")


def token_provider(settings: Settings) -> Callable[[], str]:
    """A callable returning the token; the secret is re-read at most every 5 minutes."""
    if settings.token_secret:
        secret_name = settings.token_secret

        def from_secret() -> str:
            from aws_lambda_powertools.utilities import parameters

            try:
                value = parameters.get_secret(secret_name, max_age=SECRET_CACHE_SECONDS)
            except parameters.exceptions.GetParameterError as exc:
                if _holds_no_value(exc):
                    raise NotConfigured(_not_configured(secret_name)) from exc
                raise ConfigError(
                    f"cannot read the GitHub token from {GITHUB_TOKEN_SECRET}={secret_name}: {redact(exc)}"
                ) from exc
            return _token_from_secret(str(value), secret_name)

        return from_secret
    if settings.token:
        token = validated_token(settings.token, GITHUB_TOKEN)
        return lambda: token
    raise ConfigError(
        f"no GitHub token: set {GITHUB_TOKEN_SECRET} (a Secrets Manager secret) or {GITHUB_TOKEN}"
    )


def validated_token(value: str, source: str) -> str:
    """The token stripped of surrounding white space and registered for redaction;
    ConfigError when anything but printable ASCII is left inside."""
    token = value.strip()
    if not _TOKEN.fullmatch(token):
        # Register the parts so that no error message or log line can quote them.
        for part in token.split():
            register_secret(part)
        raise ConfigError(
            f"{source} holds white space or control characters inside the token; "
            "put the bare token there, on one line"
        )
    register_secret(token)
    return token


def _token_from_secret(value: str, secret_name: str) -> str:
    """The secret holds the token itself, or a JSON object with a "token" key."""
    token = value.strip()
    if token.startswith("{"):
        try:
            token = str(json.loads(token)["token"]).strip()
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f'secret {secret_name} is JSON without a "token" key') from None
    if token in PLACEHOLDERS:
        raise NotConfigured(_not_configured(secret_name))
    return validated_token(token, f"secret {secret_name}")


def _holds_no_value(exc: Exception) -> bool:
    """A secret created without a value (as the stack creates it) has no AWSCURRENT version."""
    cause = exc.__cause__ or exc.__context__  # Powertools raises GetParameterError inside `except`
    code = getattr(cause, "response", {}).get("Error", {}).get("Code", "")
    return code == "ResourceNotFoundException" and "value" in str(cause).lower()


def _not_configured(secret_name: str) -> str:
    return (
        f"the GitHub token is not configured yet: secret {secret_name} holds no token; "
        f"aws secretsmanager put-secret-value --secret-id {secret_name} --secret-string <token>"
    )
