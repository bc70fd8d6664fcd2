"""A GitHub App's installation tokens: a JWT signed with the app's key finds the installation
on a scope and mints its token; tokens are cached per installation and renewed early.

PyJWT and cryptography are imported only when an app signs a JWT: a stack configured with a
token never loads them (the archiver's cold start is a benchmarked goal).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from ..core import clock
from ..core.exceptions import CredentialError, GitHubError, InstallationsRefused, UnsafeLink
from ..core.layout import Scope
from ..core.redaction import redact, register_secret
from ..core.reports import Level
from ..core.urls import Target, connection_target
from .credentials import AppCredential
from .github import BearerAuth, ScopeToken, api_session

# GitHub's advice: issued 60 s in the past against clock drift; at most 10 minutes long.
JWT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 540
# An installation token (valid one hour) is replaced this long before it expires, so that no
# call, its retries included, carries an expired one.
RENEW_BEFORE_EXPIRY_SECONDS = 300
# A warm container looks the installations up again after this long (an app installed since).
INSTALLATIONS_CACHE_SECONDS = 300
INSTALLATIONS_PER_PAGE = 100
# 10,000 installations of one app: far more than any archive's scopes. A list that goes on
# (a `next` link pointing back) stops here rather than hold the token lock for ever.
MAX_INSTALLATION_PAGES = 100
# The permission a report call needs, per level, as GitHub's REST reference names it for the
# enterprise endpoints (the organization one is named as third-party guides spell it).
APP_PERMISSION = {
    Level.ENTERPRISE: "'Enterprise Copilot metrics' (read), installed on the enterprise",
    Level.ORGANIZATION: "'Organization Copilot metrics' (read), installed on the organization",
}
_TARGET_TYPE = {Level.ENTERPRISE: "Enterprise", Level.ORGANIZATION: "Organization"}


@dataclass(slots=True)
class _Minted:
    token: str = field(repr=False)
    expires_at: float


class AppTokens:
    """Installation tokens of any number of apps, shared by the run's threads."""

    def __init__(
        self,
        api_url: str,
        api_version: str,
        *,
        session: requests.Session | None = None,
        now: Callable[[], float] | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._session = session or api_session(api_version)
        # Looked up per call (core.clock is the archive's one wall clock, tests move it).
        self._now = now or (lambda: clock.utc_now().timestamp())
        self._timeout = timeout
        # One lock for lookups and minting: both are rare, and a second thread asking for the
        # same installation must wait for the token being minted, not mint another.
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, int], _Minted] = {}
        # Per app: when its installations were listed, and what came of it (the list, or why
        # it was refused: the same answer for every scope, so it is not asked again per scope).
        self._installations: dict[str, tuple[float, list[dict[str, Any]] | str]] = {}

    def token_for(self, app: AppCredential, scope: Scope) -> ScopeToken:
        """The scope's installation token, minted or renewed when it expires within 5 minutes;
        CredentialError (that scope fails) when GitHub refuses the app or it is not installed."""
        with self._lock:
            installation = app.installation_id or self._installation_on(app, scope)
            key = (app.app_id, installation)
            minted = self._tokens.get(key)
            if minted is None or self._now() >= minted.expires_at - RENEW_BEFORE_EXPIRY_SECONDS:
                minted = self._tokens[key] = self._mint(app, installation, scope)
        return ScopeToken(minted.token, quota=f"app:{app.app_id}/installation:{installation}")

    def _installation_on(self, app: AppCredential, scope: Scope) -> int:
        cached = self._installations.get(app.app_id)
        if cached is None or self._now() >= cached[0] + INSTALLATIONS_CACHE_SECONDS:
            listed: list[dict[str, Any]] | str
            try:
                listed = self._list_installations(app, scope)
            except InstallationsRefused as exc:
                listed = str(exc)
            cached = self._installations[app.app_id] = (self._now(), listed)
        found = cached[1]
        if isinstance(found, str):
            raise CredentialError(f"{found}; name the installation_id of {scope.level} {scope.slug}")
        for installation in found:
            if _installed_on(installation, scope):
                return int(installation["id"])
        raise CredentialError(
            f"GitHub App {app.app_id} is not installed on {scope.level} {scope.slug} "
            f"(none of its {len(found)} installations is); install it there with "
            f"{APP_PERMISSION[scope.level]}, or name its installation_id"
        )

    def _list_installations(self, app: AppCredential, scope: Scope) -> list[dict[str, Any]]:
        """Every installation of the app, page by page; InstallationsRefused when a `next` link leaves
        the API (the JWT mints tokens for every installation: it goes to no other server) or
        the pages go on past MAX_INSTALLATION_PAGES."""
        installations: list[dict[str, Any]] = []
        url = f"{self._api_url}/app/installations"
        params: dict[str, Any] | None = {"per_page": INSTALLATIONS_PER_PAGE}
        api = _origin(connection_target(self._api_url))
        for _page in range(MAX_INSTALLATION_PAGES):
            response = self._call("GET", url, app, scope, params=params)
            page = _json(response, "the app's installations")
            if not isinstance(page, list):
                raise GitHubError("GitHub answered the app's installations with something not a list")
            installations.extend(item for item in page if isinstance(item, dict))
            # The next page's URL carries its own query (Link header, as GitHub paginates).
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return installations
            try:
                target = _origin(connection_target(next_url))
            except UnsafeLink as exc:
                raise InstallationsRefused(
                    f"GitHub App {app.app_id}'s installations list links its next page "
                    f"to a URL refused ({exc}); the app's JWT was not sent"
                ) from None
            if target != api:
                raise InstallationsRefused(
                    f"GitHub App {app.app_id}'s installations list links its next page to "
                    f"{_describe(target)}, not to the API at {_describe(api)}; the app's JWT was not sent"
                )
            url, params = next_url, None
        raise InstallationsRefused(
            f"GitHub App {app.app_id}'s installations list goes on past {MAX_INSTALLATION_PAGES} pages "
            f"of {INSTALLATIONS_PER_PAGE}; stopped"
        )

    def _mint(self, app: AppCredential, installation: int, scope: Scope) -> _Minted:
        url = f"{self._api_url}/app/installations/{installation}/access_tokens"
        response = self._call("POST", url, app, scope, installation=installation)
        body = _json(response, "an installation token")
        try:
            token = str(body["token"])
            expires_at = datetime.fromisoformat(str(body["expires_at"]).replace("Z", "+00:00")).timestamp()
        except (KeyError, TypeError, ValueError):
            raise GitHubError("GitHub's installation token answer has no token or expires_at") from None
        register_secret(token)
        return _Minted(token, expires_at)

    def _call(
        self,
        method: str,
        url: str,
        app: AppCredential,
        scope: Scope,
        *,
        params: dict[str, Any] | None = None,
        installation: int | None = None,
    ) -> requests.Response:
        try:
            response = self._session.request(
                method, url, params=params, auth=BearerAuth(self._jwt(app, scope)), timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise GitHubError(f"GitHub API unreachable for app {app.app_id}: {redact(str(exc))}") from exc
        if response.status_code in (200, 201):
            return response
        needed = f"it needs {APP_PERMISSION[scope.level]} ({scope.level} {scope.slug})"
        message = _message(response)
        if response.status_code == 401:
            raise CredentialError(
                f"GitHub refused the JWT of GitHub App {app.app_id} (HTTP 401: {message}): check the "
                f"app ID and that the private key is one of the app's current keys; {needed}"
            )
        if response.status_code in (403, 404) and installation is not None:
            raise CredentialError(
                f"GitHub App {app.app_id} cannot mint a token for installation {installation} "
                f"(HTTP {response.status_code}: {message}): it is not this app's, was removed or "
                f"suspended; {needed}"
            )
        raise GitHubError(f"GitHub answered HTTP {response.status_code} to app {app.app_id}: {message}")

    def _jwt(self, app: AppCredential, scope: Scope) -> str:
        import jwt  # lazily: only apps pay for PyJWT and cryptography

        now = int(self._now())
        claims = {"iat": now - JWT_BACKDATE_SECONDS, "exp": now + JWT_LIFETIME_SECONDS, "iss": app.app_id}
        try:
            signed = jwt.encode(claims, app.private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.exceptions.PyJWTError):
            # The library's text could quote the key: say only what is wrong with it.
            raise CredentialError(
                f"the private key of GitHub App {app.app_id} cannot sign a JWT (not an RSA private "
                f"key in PEM); {scope.level} {scope.slug} needs an app with {APP_PERMISSION[scope.level]}"
            ) from None
        register_secret(signed)
        return signed


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(target: Target) -> Target:
    """The target with its port spelled out, so `https://host` and `https://host:443` are one."""
    return Target(target.scheme, target.host, target.port or _DEFAULT_PORTS.get(target.scheme))


def _describe(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return f"{target.scheme}://{host}:{target.port}"


def _installed_on(installation: dict[str, Any], scope: Scope) -> bool:
    account = installation.get("account")
    if not isinstance(account, dict) or installation.get("target_type") != _TARGET_TYPE[scope.level]:
        return False
    # An organization's account has a login; an enterprise's has a slug (and a name).
    name = account.get("slug" if scope.level is Level.ENTERPRISE else "login")
    return isinstance(name, str) and name.lower() == scope.slug.lower()


def _json(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise GitHubError(f"GitHub answered {what} with a body that is not JSON") from None


def _message(response: requests.Response) -> str:
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        message = response.text[:200]
    return redact(str(message)[:200])
