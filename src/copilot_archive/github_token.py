"""The GitHub token: from Secrets Manager (Powertools Parameters, cached) or GITHUB_TOKEN."""

from __future__ import annotations

import json
from collections.abc import Callable

from .config import GITHUB_TOKEN, GITHUB_TOKEN_SECRET, Settings
from .exceptions import ConfigError
from .redaction import register_secret

SECRET_CACHE_SECONDS = 300


def token_provider(settings: Settings) -> Callable[[], str]:
    """A callable returning the token; the secret is re-read at most every 5 minutes."""
    if settings.token_secret:
        secret_name = settings.token_secret

        def from_secret() -> str:
            from aws_lambda_powertools.utilities import parameters

            try:
                value = parameters.get_secret(secret_name, max_age=SECRET_CACHE_SECONDS)
            except parameters.exceptions.GetParameterError as exc:
                raise ConfigError(
                    f"cannot read the GitHub token from {GITHUB_TOKEN_SECRET}={secret_name}; if it holds no "
                    "value yet: aws secretsmanager put-secret-value --secret-id <it> --secret-string <token>"
                ) from exc
            return _token_from_secret(str(value), secret_name)

        return from_secret
    if settings.token:
        register_secret(settings.token)
        token = settings.token
        return lambda: token
    raise ConfigError(
        f"no GitHub token: set {GITHUB_TOKEN_SECRET} (a Secrets Manager secret) or {GITHUB_TOKEN}"
    )


def _token_from_secret(value: str, secret_name: str) -> str:
    """The secret holds the token itself, or a JSON object with a "token" key."""
    token = value.strip()
    if token.startswith("{"):
        try:
            token = str(json.loads(token)["token"]).strip()
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f'secret {secret_name} is JSON without a "token" key') from None
    if not token or token == "REPLACE_ME":
        raise ConfigError(f"secret {secret_name} holds no token yet; put the GitHub token in it")
    register_secret(token)
    return token
