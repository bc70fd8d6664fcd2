"""The GitHub report simulator speaks the API the archiver depends on, faults included."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from copilot_simulator import API_FAULT_KINDS, DOWNLOAD_FAULT_KINDS, Simulator, enterprise_shape

pytestmark = pytest.mark.loopback

TODAY = date(2026, 11, 25)
YESTERDAY = "2026-11-24"
AUTH = {"Authorization": "Bearer sim-token", "Accept": "application/vnd.github+json"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def sim(clock: FakeClock) -> Iterator[Simulator]:
    simulator = Simulator(
        enterprises=("acme", "globex", "empty"),
        users={"acme": 40, "globex": 25, "empty": 0},
        links_per_report=3,
        today=TODAY,
        clock=clock,
        not_ready_days={"2026-11-20"},
        empty_days={"2026-11-18"},
    )
    with simulator:
        yield simulator


@pytest.fixture
def http(sim: Simulator, clock: FakeClock) -> Iterator[requests.Session]:
    sim.clear_requests()
    session = requests.Session()
    yield session
    session.close()
    clock.now = 1_800_000_000.0
    assert sim.pending_faults() == 0, "a test left an unused fault queued"


def api(sim: Simulator, http: requests.Session, report: str, day: str | None = None, slug="acme"):
    suffix = f"?day={day}" if day else "/latest"
    url = f"{sim.api_url}/enterprises/{slug}/copilot/metrics/reports/{report}{suffix}"
    return http.get(url, headers=AUTH, timeout=5, allow_redirects=False)


def links(sim: Simulator, http: requests.Session, report: str, day: str | None = None) -> list:
    response = api(sim, http, report, day)
    assert response.status_code == 200, response.text
    return response.json()["download_links"]


def download(http: requests.Session, link: str, **kwargs) -> requests.Response:
    return http.get(link, timeout=5, allow_redirects=False, **kwargs)


# ---- endpoints -----------------------------------------------------------------------


def test_one_day_endpoints_answer_links_and_report_day(sim, http):
    for report in ("enterprise-1-day", "users-1-day"):
        body = api(sim, http, report, YESTERDAY).json()
        assert body["report_day"] == YESTERDAY
        assert all(link.startswith("http://127.0.0.1:") for link in body["download_links"])
    assert len(links(sim, http, "users-1-day", YESTERDAY)) == 3
    assert len(links(sim, http, "enterprise-1-day", YESTERDAY)) == 1


def test_latest_endpoints_cover_28_days_ending_yesterday(sim, http):
    for report in ("enterprise-28-day", "users-28-day"):
        body = api(sim, http, report).json()
        assert body["report_end_day"] == YESTERDAY
        assert body["report_start_day"] == str(TODAY - timedelta(days=28))
        assert body["download_links"]


def test_api_requires_the_bearer_token(sim, http):
    url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/users-1-day?day={YESTERDAY}"
    assert http.get(url, timeout=5).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert http.get(url, headers=bad, timeout=5).status_code == 401
    assert [r.kind for r in sim.requests] == ["api", "api"]


@pytest.mark.parametrize(
    ("version", "status"), [("2026-03-10", 200), ("2022-11-28", 200), ("2021-01-01", 400), ("latest", 400)]
)
def test_the_api_version_header_is_checked_as_github_does(sim, http, version, status):
    url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/users-1-day?day={YESTERDAY}"

    response = http.get(url, headers={**AUTH, "X-GitHub-Api-Version": version}, timeout=5)

    assert response.status_code == status
    assert response.status_code == 200 or f"'{version}' is not supported" in response.json()["message"]
    assert sim.requests[-1].headers["X-GitHub-Api-Version"] == version


def test_a_request_without_an_api_version_gets_githubs_default(sim, http):
    assert "X-GitHub-Api-Version" not in AUTH
    assert api(sim, http, "users-1-day", YESTERDAY).status_code == 200


@pytest.mark.parametrize(
    ("slug", "day", "status"),
    [
        ("nobody", YESTERDAY, 404),
        ("acme", str(TODAY), 404),
        ("acme", "2025-10-09", 404),
        ("acme", "2026-11-20", 404),  # configured not ready
        ("acme", "yesterday", 400),
    ],
)
def test_unknown_enterprise_and_unavailable_days_are_refused(sim, http, slug, day, status):
    assert api(sim, http, "users-1-day", day, slug=slug).status_code == status


def test_missing_day_is_a_bad_request(sim, http):
    url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/users-1-day"
    assert http.get(url, headers=AUTH, timeout=5).status_code == 400


def test_history_is_limited_to_one_year(sim, http):
    assert api(sim, http, "users-1-day", str(TODAY - timedelta(days=366))).status_code == 404
    assert api(sim, http, "users-1-day", str(TODAY - timedelta(days=365))).status_code == 200


# ---- downloads -----------------------------------------------------------------------


def test_links_concatenate_to_the_whole_report_and_repeat_byte_identical(sim, http):
    parts = [download(http, link) for link in links(sim, http, "users-1-day", YESTERDAY)]
    assert all(p.status_code == 200 for p in parts)
    assert all(int(p.headers["Content-Length"]) == len(p.content) for p in parts)
    served = [p.content for p in parts]
    assert served == sim.report_files("acme", "users-1-day", YESTERDAY)
    whole = b"".join(served)
    assert whole.endswith(b"\n") and all(json.loads(line) for line in whole.splitlines())
    again = b"".join(download(http, link).content for link in links(sim, http, "users-1-day", YESTERDAY))
    assert hashlib.sha256(again).digest() == hashlib.sha256(whole).digest()


def test_downloads_are_never_sent_a_token_by_this_test(sim, http):
    for link in links(sim, http, "users-1-day", YESTERDAY):
        download(http, link)
    downloads = [r for r in sim.requests if r.kind == "download"]
    assert len(downloads) == 3 and not any(r.has_header("Authorization") for r in downloads)


def test_download_with_authorization_is_recorded_but_served(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    assert download(http, link, headers=AUTH).status_code == 200
    assert sim.requests[-1].kind == "download" and sim.requests[-1].has_header("authorization")


def test_links_expire_on_the_simulator_clock(sim, http, clock):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    clock.now += 299
    assert download(http, link).status_code == 200
    clock.now += 2
    expired = download(http, link)
    assert expired.status_code == 403 and b"AuthenticationFailed" in expired.content


def test_tampered_signature_is_refused(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    assert download(http, link.replace("/0?", "/1?")).status_code == 403


# ---- content -------------------------------------------------------------------------


def test_user_lines_have_the_documented_fields(sim):
    lines = b"".join(sim.report_files("acme", "users-1-day", YESTERDAY)).splitlines()
    assert 0.5 * 40 <= len(lines) <= 40
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert row["day"] == YESTERDAY and isinstance(row["enterprise_id"], str)
        assert row["code_acceptance_activity_count"] <= row["code_generation_activity_count"]
        assert {"totals_by_ide", "totals_by_feature", "ai_adoption_phase"} <= row.keys()
        assert row["totals_by_ide"][0]["last_known_plugin_version"]["plugin"]
    assert any("totals_by_cli" in row for row in rows)
    assert any("totals_by_cli" not in row for row in rows)


GITHUB_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "github-docs"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "decimal", str: "string", dict: "object", list: "array"}.get(type(value), "null")


def _field_types(value: Any, path: str = "") -> dict[str, set[str]]:
    """Every field path ('a.b', 'list[].c') with the JSON types seen there."""
    found: dict[str, set[str]] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            found.setdefault(sub, set()).add(_json_type(item))
            for deeper, types in _field_types(item, sub).items():
                found.setdefault(deeper, set()).update(types)
    elif isinstance(value, list):
        for item in value:
            for deeper, types in _field_types(item, f"{path}[]").items():
                found.setdefault(deeper, set()).update(types)
    return found


def _sample(name: str) -> dict[str, set[str]]:
    return _field_types(json.loads((GITHUB_SAMPLES / name).read_text()))


def _simulated(sim: Simulator, report: str, days: int = 7) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for offset in range(1, days + 1):
        day = TODAY - timedelta(days=offset)
        for line in b"".join(sim.report_files("acme", report, day)).splitlines():
            for path, types in _field_types(json.loads(line)).items():
                found.setdefault(path, set()).update(types)
    return found


def _differences(sample: dict[str, set[str]], simulated: dict[str, set[str]]) -> list[str]:
    missing = [f"{path}: missing" for path in sorted(sample.keys() - simulated.keys())]
    typed = [
        f"{path}: {sorted(simulated[path])} where GitHub's sample has {sorted(sample[path])}"
        for path in sorted(sample.keys() & simulated.keys())
        # null is allowed besides the sample's type: one sample line cannot show a value missing
        if simulated[path] - {"null"} != sample[path]
    ]
    return missing + typed


def test_user_lines_have_every_field_of_githubs_sample(sim):
    sample, simulated = _sample("users-line.json"), _simulated(sim, "users-1-day")

    assert sorted(sample.keys() - simulated.keys()) == []


def test_user_line_values_have_the_types_of_githubs_sample(sim):
    assert _differences(_sample("users-line.json"), _simulated(sim, "users-1-day")) == []


def test_enterprise_28_day_lines_have_the_fields_and_types_of_githubs_sample(sim):
    assert _differences(_sample("enterprise-line.json"), _simulated(sim, "enterprise-28-day", days=1)) == []


def test_users_are_stable_across_days(sim):
    logins: dict[int, str] = {}
    for offset in range(1, 8):
        day = TODAY - timedelta(days=offset)
        for line in b"".join(sim.report_files("acme", "users-1-day", day)).splitlines():
            row = json.loads(line)
            assert logins.setdefault(row["user_id"], row["user_login"]) == row["user_login"]
    assert 30 <= len(logins) <= 40


def test_both_enterprise_shapes_appear_and_count_that_days_users(sim):
    shapes = set()
    for offset in range(1, 5):
        day = TODAY - timedelta(days=offset)
        (line,) = b"".join(sim.report_files("acme", "enterprise-1-day", day)).splitlines()
        row = json.loads(line)
        element = row["day_totals"][0] if "day_totals" in row else row
        shape = "wrapper" if "day_totals" in row else "flat"
        assert shape == enterprise_shape(day)
        shapes.add(shape)
        users = b"".join(sim.report_files("acme", "users-1-day", day)).count(b"\n")
        assert element["day"] == day.isoformat() and element["daily_active_users"] == users
        assert element["daily_active_users"] <= element["weekly_active_users"]
        assert element["weekly_active_users"] <= element["monthly_active_users"] <= 40
    assert shapes == {"flat", "wrapper"}


def test_users_28_day_has_one_line_per_user_day(sim):
    end = sim.latest_end_day("acme")
    lines = b"".join(sim.report_files("acme", "users-28-day", end)).splitlines()
    daily = sum(
        b"".join(sim.report_files("acme", "users-1-day", end - timedelta(days=n))).count(b"\n")
        for n in range(28)
    )
    assert len(lines) == daily
    first = json.loads(lines[0])
    assert first["report_end_day"] == end.isoformat()
    assert first["report_start_day"] == str(end - timedelta(days=27))


def test_enterprise_28_day_is_one_wrapper_of_28_days(sim):
    (line,) = b"".join(sim.report_files("acme", "enterprise-28-day", YESTERDAY)).splitlines()
    assert len(json.loads(line)["day_totals"]) == 28


def test_empty_days_and_userless_enterprises_serve_empty_files(sim, http):
    for link in links(sim, http, "users-1-day", "2026-11-18"):
        response = download(http, link)
        assert response.status_code == 200 and response.content == b""
    assert sim.report_files("empty", "users-1-day", YESTERDAY) == [b""]


# ---- faults --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "status"),
    [
        ("api_error", {"status": 502}, 502),
        ("rate_limit_429", {"retry_after": 7}, 429),
        ("rate_limit_403", {"reset_in": 60}, 403),
        ("forbidden", {}, 403),
        ("not_ready_404", {}, 404),
        ("not_ready_204", {}, 204),
    ],
)
def test_api_status_faults_apply_once(sim, http, clock, kind, params, status):
    before = sim.faults_applied[kind]
    sim.inject(kind, report="users-1-day", **params)
    faulty = api(sim, http, "users-1-day", YESTERDAY)
    assert faulty.status_code == status
    assert api(sim, http, "users-1-day", YESTERDAY).status_code == 200
    assert sim.faults_applied[kind] == before + 1
    if kind == "rate_limit_429":
        assert faulty.headers["Retry-After"] == "7"
    if kind == "rate_limit_403":
        assert faulty.headers["x-ratelimit-remaining"] == "0"
        assert int(faulty.headers["x-ratelimit-reset"]) == int(clock.now + 60)
    if kind == "forbidden":
        assert "x-ratelimit-remaining" not in faulty.headers


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_answers_as_github_does_for_the_next_calls(sim, http, status):
    sim.inject("secondary_limit", times=2, status=status)

    answers = [api(sim, http, "users-1-day", YESTERDAY) for _ in range(3)]

    assert [a.status_code for a in answers] == [status, status, 200]
    for faulty in answers[:2]:
        # GitHub's shape: the message says so; no retry-after, no x-ratelimit-remaining: 0.
        assert faulty.json()["message"].startswith("You have exceeded a secondary rate limit.")
        assert "Retry-After" not in faulty.headers
        assert faulty.headers.get("x-ratelimit-remaining") != "0"


def test_the_peak_of_api_calls_in_flight_is_recorded_per_token(sim):
    sim.latency_seconds = 0.3
    barrier = threading.Barrier(3)

    def call(token: str) -> None:
        with requests.Session() as session:
            barrier.wait()
            url = f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/users-1-day?day={YESTERDAY}"
            session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)

    try:
        threads = [threading.Thread(target=call, args=(t,)) for t in ("sim-token", "sim-token", "other")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sim.latency_seconds = 0.0

    assert sim.peak_in_flight["sim-token"] == 2 and sim.peak_in_flight["other"] == 1
    assert sim.in_flight["sim-token"] == 0
    assert sim.stats()["peak_in_flight"] == 2


def test_faults_match_their_filters_only(sim, http):
    sim.inject("api_error", times=2, slug="globex", day=YESTERDAY)
    assert api(sim, http, "users-1-day", YESTERDAY).status_code == 200
    assert api(sim, http, "users-1-day", YESTERDAY, slug="globex").status_code == 500
    assert api(sim, http, "enterprise-1-day", YESTERDAY, slug="globex").status_code == 500
    assert api(sim, http, "users-1-day", YESTERDAY, slug="globex").status_code == 200


def test_api_reset_drops_the_connection(sim, http):
    sim.inject("api_reset")
    with pytest.raises(requests.ConnectionError):
        api(sim, http, "users-1-day", YESTERDAY)


def test_api_slow_answers_late(sim, http):
    sim.inject("api_slow", seconds=0.3)
    with pytest.raises(requests.Timeout):
        http.get(
            f"{sim.api_url}/enterprises/acme/copilot/metrics/reports/users-1-day?day={YESTERDAY}",
            headers=AUTH,
            timeout=0.1,
        )


def test_api_body_faults(sim, http):
    sim.inject("no_links")
    assert api(sim, http, "users-1-day", YESTERDAY).json()["download_links"] == []
    sim.inject("no_report_string")
    assert api(sim, http, "users-1-day", YESTERDAY).json() == "No report available for this day"
    sim.inject("malformed_json")
    with pytest.raises(ValueError):
        api(sim, http, "users-1-day", YESTERDAY).json()
    sim.inject("day_mismatch")
    assert api(sim, http, "users-1-day", YESTERDAY).json()["report_day"] == "2026-11-23"


def test_download_faults_that_break_the_body(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    for kind in ("download_reset", "download_truncated"):
        sim.inject(kind)
        with pytest.raises(requests.exceptions.RequestException):
            download(http, link).content  # noqa: B018 - reading the body is the point
    sim.inject("download_expired")
    assert download(http, link).status_code == 403
    sim.inject("download_html")
    html = download(http, link)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")


def test_download_gzip_serves_the_same_bytes_compressed(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    expected = sim.report_files("acme", "users-1-day", YESTERDAY)[0]
    sim.inject("download_gzip")
    response = download(http, link, stream=True)
    raw = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) == len(raw)
    assert gzip.decompress(raw) == expected


@pytest.mark.parametrize(
    ("kind", "location_start"),
    [
        ("redirect_offlist", "https://evil.example.invalid/download/"),
        ("redirect_http_nonloopback", "http://10.0.0.1/download/"),
        ("redirect_same", "http://127.0.0.1:"),
    ],
)
def test_redirect_faults(sim, http, kind, location_start):
    link = links(sim, http, "users-1-day", YESTERDAY)[1]
    sim.inject(kind)
    response = download(http, link)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(location_start)
    if kind == "redirect_same":
        assert "/redirected/download/" in response.headers["Location"]
        followed = download(http, response.headers["Location"])
        assert followed.content == sim.report_files("acme", "users-1-day", YESTERDAY)[1]


@pytest.mark.parametrize("body", ['"Report is being generated"', '""', "null", ""])
def test_not_ready_body_answers_200_with_that_body(sim, http, body):
    sim.inject("not_ready_body", body=body)
    response = api(sim, http, "users-1-day", YESTERDAY)
    assert response.status_code == 200 and response.text == body


def test_links_fault_answers_the_links_it_is_given(sim, http):
    sim.inject("links", links=["http://localhost:1\\@127.0.0.1:2/x"])
    assert api(sim, http, "users-1-day", YESTERDAY).json()["download_links"] == [
        "http://localhost:1\\@127.0.0.1:2/x"
    ]


@pytest.mark.parametrize(
    ("kind", "location_start"),
    [
        ("redirect_userinfo", "http://localhost:4242\\@127.0.0.1:"),
        ("redirect_unreachable", "http://127.0.0.1:4242/"),
    ],
)
def test_redirects_to_hosts_no_client_should_reach(sim, http, kind, location_start):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    sim.inject(kind, port=4242)
    response = download(http, link)
    assert response.status_code == 302 and response.headers["Location"].startswith(location_start)


def test_download_drip_sends_a_byte_at_a_time(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    sim.inject("download_drip", interval=0.05)
    response = download(http, link, stream=True)
    started = time.monotonic()
    first = response.raw.read(3)
    assert len(first) == 3 and time.monotonic() - started >= 0.09
    response.close()


def test_download_gzip_bomb_is_small_on_the_wire_and_large_unpacked(sim, http):
    link = links(sim, http, "users-1-day", YESTERDAY)[0]
    sim.inject("download_gzip_bomb", size=4 * 1024 * 1024)
    response = download(http, link, stream=True)
    raw = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip" and len(raw) < 64 * 1024
    assert gzip.decompress(raw) == b"\n" * (4 * 1024 * 1024)


def seat_page(sim: Simulator, http: requests.Session, url: str) -> requests.Response:
    response = http.get(url, headers=AUTH, timeout=5)
    assert response.status_code == 200, response.text
    return response


def test_seats_are_paged_with_link_headers_and_a_second_page_can_announce_another_total(sim, http):
    url: str | None = f"{sim.api_url}/enterprises/acme/copilot/billing/seats?per_page=7"
    pages = []
    while url:
        response = seat_page(sim, http, url)
        pages.append(response.json())
        url = response.links.get("next", {}).get("url")
    seats = [seat for page in pages for seat in page["seats"]]
    holders = {seat["assignee"]["id"] for seat in seats}
    # The 40 users and the holders who never use Copilot seated on the simulator's today; a user
    # seated through two organizations is listed twice and counted once.
    assert len(pages) == -(-len(seats) // 7) > 1
    assert {page["total_seats"] for page in pages} == {len(holders)}
    assert all(seat["organization"]["login"].startswith("acme-") for seat in seats)
    users = {
        json.loads(line)["user_id"]
        for line in b"".join(sim.report_files("acme", "users-1-day", YESTERDAY)).splitlines()
    }
    assert users <= holders and holders - users  # every user holds a seat, some holders never use it

    sim.inject("seats_total_changed", report="copilot-seats", slug="acme", by=3)
    first = seat_page(sim, http, f"{sim.api_url}/enterprises/acme/copilot/billing/seats?per_page=7")
    second = seat_page(sim, http, first.links["next"]["url"])
    assert second.json()["total_seats"] == first.json()["total_seats"] + 3


def test_every_fault_kind_is_covered_here():
    covered = {
        "api_error", "api_reset", "api_slow", "rate_limit_429", "rate_limit_403", "secondary_limit",
        "forbidden",
        "not_ready_404", "not_ready_204", "no_links", "no_report_string", "malformed_json",
        "day_mismatch", "download_reset", "download_truncated", "download_expired",
        "download_gzip", "download_html", "redirect_offlist", "redirect_http_nonloopback",
        "redirect_same", "not_ready_body", "links", "redirect_userinfo", "redirect_unreachable",
        "download_drip", "download_gzip_bomb", "seats_total_changed",
    }  # fmt: skip
    assert covered == API_FAULT_KINDS | DOWNLOAD_FAULT_KINDS
    with pytest.raises(ValueError):
        Simulator().inject("no_such_fault")


# ---- concurrency ---------------------------------------------------------------------


def test_many_concurrent_downloads_get_identical_bytes(sim):
    link_list = links(sim, requests.Session(), "users-1-day", YESTERDAY)
    expected = sim.report_files("acme", "users-1-day", YESTERDAY)
    results: list[bool] = []

    def fetch(index: int) -> None:
        with requests.Session() as session:
            body = session.get(link_list[index % 3], timeout=10).content
            results.append(body == expected[index % 3])

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(48)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 48


def test_latest_report_ends_on_the_newest_ready_day(http):
    late = Simulator(enterprises=("acme",), users=3, today=TODAY, not_ready_days={YESTERDAY})
    with late:
        body = api(late, http, "users-28-day").json()
        assert api(late, http, "users-1-day", YESTERDAY).status_code == 404
    assert body["report_end_day"] == "2026-11-23"
    assert body["report_start_day"] == "2026-10-27"


def test_command_line_prints_where_it_listens():
    process = subprocess.Popen(
        [sys.executable, "-m", "copilot_simulator", "--port", "0", "--enterprises", "acme",
         "--users", "5", "--links", "2", "--today", "2026-11-25"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        started = json.loads(process.stdout.readline())
        assert started["pid"] == process.pid
        url = f"{started['api_url']}/enterprises/acme/copilot/metrics/reports/users-1-day"
        body = requests.get(url, params={"day": YESTERDAY}, headers=AUTH, timeout=5).json()
        assert len(body["download_links"]) == 2
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
