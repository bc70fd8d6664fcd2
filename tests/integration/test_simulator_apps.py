"""The simulator's GitHub Apps, over HTTP: JWTs checked as GitHub checks them, installations
listed page by page, installation tokens that expire and open only their own scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import jwt
import pytest
import requests

from copilot_simulator import AppInstallation, Simulator

pytestmark = pytest.mark.loopback

APP_ID = "77"
OTHER_APP = "78"
DAY = "2026-11-20"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def rsa_pair() -> tuple[Any, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, key.public_key()


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[Any, Any]]:
    return {APP_ID: rsa_pair(), OTHER_APP: rsa_pair(), "stranger": rsa_pair()}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(keys: dict[str, tuple[Any, Any]], clock: FakeClock) -> Iterator[Simulator]:
    installations = [
        AppInstallation(1, APP_ID, "enterprise", "acme"),
        AppInstallation(2, APP_ID, "organization", "octo"),
        AppInstallation(3, APP_ID, "organization", "hooli"),
        AppInstallation(4, OTHER_APP, "organization", "octo"),
    ]
    with Simulator(
        enterprises=("acme",),
        organizations=("octo", "hooli"),
        users=3,
        today=date(2026, 11, 25),
        clock=clock,
        scope_tokens={"ghp_octo_only": ["organization:octo"]},
        apps={APP_ID: keys[APP_ID][1], OTHER_APP: keys[OTHER_APP][1]},
        installations=installations,
        installation_token_ttl_seconds=600,
        rate_limit=2,
    ) as simulator:
        yield simulator


def app_jwt(key: Any, clock: FakeClock, iss: str = APP_ID, iat: float = -60, exp: float = 540) -> str:
    return jwt.encode({"iat": int(clock.now + iat), "exp": int(clock.now + exp), "iss": iss}, key, "RS256")


def call(sim: Simulator, method: str, path: str, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    return requests.request(method, f"{sim.api_url}{path}", headers=headers, timeout=5)


def report(sim: Simulator, scope: str, token: str) -> requests.Response:
    owner, slug = scope.split(":")
    path = "enterprises" if owner == "enterprise" else "orgs"
    return call(sim, "GET", f"/{path}/{slug}/copilot/metrics/reports/users-1-day?day={DAY}", token)


def mint(sim: Simulator, installation: int, token: str) -> requests.Response:
    return call(sim, "POST", f"/app/installations/{installation}/access_tokens", token)


def test_a_valid_jwt_lists_the_apps_own_installations_page_by_page(sim, keys, clock):
    token = app_jwt(keys[APP_ID][0], clock)

    first = call(sim, "GET", "/app/installations?per_page=2", token)
    second = requests.get(first.links["next"]["url"], headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert first.status_code == 200 and "next" not in second.links
    listed = first.json() + second.json()
    assert [i["id"] for i in listed] == [1, 2, 3]  # not the other app's
    assert listed[0]["target_type"] == "Enterprise" and listed[0]["account"]["slug"] == "acme"
    assert listed[1]["target_type"] == "Organization" and listed[1]["account"]["login"] == "octo"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": 900}, "too far in the future"),
        ({"iat": -590, "exp": -10}, "must be a numeric value representing the future"),
        ({"iat": 300, "exp": 540}, "'Issued at' claim"),
        ({"iss": "999"}, "could not be decoded"),
    ],
)
def test_jwts_are_refused_as_github_refuses_them(sim, keys, clock, claims, message):
    token = app_jwt(keys[APP_ID][0], clock, **claims)

    refused = call(sim, "GET", "/app/installations", token)

    assert refused.status_code == 401 and message in refused.json()["message"]


def test_a_jwt_signed_with_another_key_is_refused(sim, keys, clock):
    refused = call(sim, "GET", "/app/installations", app_jwt(keys["stranger"][0], clock))

    assert refused.status_code == 401 and "could not be decoded" in refused.json()["message"]


def test_an_app_mints_tokens_only_for_its_own_installations(sim, keys, clock):
    token = app_jwt(keys[APP_ID][0], clock)

    minted = mint(sim, 2, token)

    assert minted.status_code == 201
    assert minted.json()["expires_at"] == "2027-01-15T08:10:00Z"  # the clock's now + 600 s
    assert mint(sim, 4, token).status_code == 404  # the other app's installation on octo


def test_an_installation_token_opens_its_scope_until_it_expires(sim, keys, clock):
    token = mint(sim, 2, app_jwt(keys[APP_ID][0], clock)).json()["token"]

    assert report(sim, "organization:octo", token).status_code == 200
    foreign = report(sim, "organization:hooli", token)
    assert (
        foreign.status_code == 403 and foreign.json()["message"] == "Resource not accessible by integration"
    )
    clock.now += 600
    expired = report(sim, "organization:octo", token)
    assert expired.status_code == 401 and expired.json()["message"] == "Bad credentials"
    assert sim.credential_refusals == {"foreign": 1, "expired": 1}


def test_a_scope_token_opens_its_scope_alone_and_the_classic_token_every_scope(sim):
    assert report(sim, "organization:octo", "ghp_octo_only").status_code == 200
    assert report(sim, "enterprise:acme", "ghp_octo_only").status_code == 403
    assert report(sim, "enterprise:acme", "sim-token").status_code == 200
    assert report(sim, "enterprise:acme", "ghp_unknown").status_code == 401


def test_each_credential_has_its_own_rate_limit(sim, keys, clock):
    token = mint(sim, 1, app_jwt(keys[APP_ID][0], clock)).json()["token"]

    answers = [report(sim, "enterprise:acme", t) for t in ("sim-token", "sim-token", "sim-token", token)]

    assert [a.status_code for a in answers] == [200, 200, 403, 200]
    assert answers[3].headers["x-ratelimit-remaining"] == "1"
