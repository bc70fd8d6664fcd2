import hashlib
import io
import json
from datetime import UTC, date, datetime

import pytest

from copilot_archive.archiving.transfer import HostAllowList
from copilot_archive.core.exceptions import ManifestError, StorageError, UnsafeLink
from copilot_archive.core.layout import ReportDay
from copilot_archive.core.manifest import ArchivedFile, Manifest
from copilot_archive.core.redaction import REDACTED, redact, redact_url, register_secret
from copilot_archive.core.reports import Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.core.urls import is_loopback

HOSTS = HostAllowList(
    ("copilot-reports.github.com", "copilot-reports-*.b01.azurefd.net", "*.example.com", "127.0.0.1")
)


@pytest.mark.parametrize(
    "url",
    [
        "https://copilot-reports.github.com/a/b.json?sig=1",
        "https://COPILOT-REPORTS.github.com:443/a",
        "https://copilot-reports-eus2.b01.azurefd.net/x",
        "https://a.example.com/x",
        "https://a.b.example.com/x",
        "http://127.0.0.1:8080/download/x",
    ],
)
def test_allowed_links(url):
    HOSTS.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://copilot-reports.github.com/a",
        "https://evil.com/a",
        "https://copilot-reports.github.com.evil.com/a",
        "https://example.com/x",
        "https://copilot-reports-x.y.b01.azurefd.net/x",
        "ftp://copilot-reports.github.com/a",
        "https://127.0.0.2/x",
        "not a url",
        # the parser requests connects with must see the host that is checked
        "http://localhost:9\\@127.0.0.1:8080/download/x",
        "https://169.254.169.254\\@copilot-reports.github.com/x",
        "https://user:pw@copilot-reports.github.com/x",
        "https://copilot-reports.github.com%2f@evil.com/x",
        "https://copilot-reports%2egithub.com/x",
        "https://copilot-reports.github.com:99999/x",
        "https://copilot-reports.github.com:0/x",
        "https://copilot-reports.github.com:+443/x",
        "https://copilot-reports.github.com :443/x",
        "http://[::1/x",
        "http://127.attacker.example/x",
        "https://copilot-reports.github.com\u3002evil.com/x",
        "",
    ],
)
def test_refused_links(url):
    with pytest.raises(UnsafeLink):
        HOSTS.check(url)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.attacker.example", False),
        ("127.0.0.1.nip.io", False),
        ("localhost.example", False),
        ("10.0.0.1", False),
        ("::2", False),
    ],
)
def test_loopback_is_an_address_in_127_0_0_0_8_or_localhost(host, loopback):
    assert is_loopback(host) is loopback


def test_an_unsafe_link_is_never_a_value_error_from_deep_inside():
    for url in ("http://[", "http://h:99999999999999999999/", "http://\udcff/", "http://a b/", None):
        with pytest.raises(UnsafeLink):
            HOSTS.check(url)  # type: ignore[arg-type]


def test_an_international_name_is_compared_in_its_idna_form():
    HostAllowList(("xn--e1afmkfd.com",)).check("https://\u043f\u0440\u0438\u043c\u0435\u0440.com/x")


@pytest.mark.parametrize(
    "value",
    ["https://a:b@h:99999/x?sig=1", "http://[::1/x?sig=1", b"\xff?sig", None, 12, object(), "\udcff?x"],
)
def test_redaction_never_raises_whatever_it_is_given(value):
    assert isinstance(redact_url(value), str)
    assert isinstance(redact(value), str)
    assert "sig=1" not in redact_url(value) and "sig=1" not in redact(value)


def test_redaction_of_an_object_that_cannot_be_printed_says_nothing():
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert redact(Unprintable()) == REDACTED and redact_url(Unprintable()) == REDACTED


def test_refused_link_messages_never_show_the_query():
    with pytest.raises(UnsafeLink) as raised:
        HOSTS.check("https://evil.com/a?signature=SECRETSIG")
    assert "SECRETSIG" not in str(raised.value)


def test_redact_removes_queries_bearer_tokens_and_registered_secrets():
    register_secret("ghp_registeredSecret42")
    text = (
        "GET /download/x?expires=1&signature=abc HTTP/1.1 https://h.net/p?sig=zz&x=1 "
        "Authorization: Bearer ghs_abcdefgh12345 token ghp_registeredSecret42"
    )
    out = redact(text)
    for secret in ("signature=abc", "sig=zz", "ghs_abcdefgh12345", "ghp_registeredSecret42"):
        assert secret not in out
    assert "/download/x" in out and "https://h.net/p" in out
    assert redact_url("https://user:pw@h.net:8443/p?q=1#f") == "https://h.net:8443/p?<redacted>"


def test_manifest_round_trips_and_reports_empty_status():
    rd = ReportDay(Report.USERS_28_DAY, "acme", date(2025, 11, 1))
    files = (ArchivedFile("k0", 0, hashlib.sha256(b"").hexdigest(), 0),)
    manifest = Manifest(
        rd, files, datetime(2025, 11, 2, tzinfo=UTC), "2026-03-10", date(2025, 10, 5), date(2025, 11, 1)
    )
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest and again.status == "empty"
    assert b'"report_end_day": "2025-11-01"' in manifest.to_json()


def test_broken_manifest_names_its_key():
    with pytest.raises(ManifestError, match=r"m\.json"):
        Manifest.from_json(b'{"report": "users-1-day"}', "m.json")


def test_local_folder_write_is_atomic_and_leaves_nothing_on_failure(tmp_path):
    storage = LocalFolderStorage(tmp_path)

    class Breaks(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("connection reset")

    with pytest.raises(OSError):
        storage.put_stream("p/raw/x/part-0000.json", Breaks())  # type: ignore[arg-type]
    assert list(tmp_path.rglob("*.*")) == []
    storage.put_bytes("p/raw/x/part-0000.json", b"{}\n")
    assert list(storage.list_keys("p/raw/")) == ["p/raw/x/part-0000.json"]
    assert storage.size("p/raw/x/part-0000.json") == 3 and storage.size("p/none") is None


@pytest.mark.parametrize("key", ["../x", "a//b", "/abs", "a/./b", ""])
def test_local_folder_refuses_unsafe_keys(tmp_path, key):
    with pytest.raises(StorageError):
        LocalFolderStorage(tmp_path).put_bytes(key, b"")


def test_a_registered_secret_is_removed_where_no_pattern_would_find_it():
    register_secret("s3cr3t-canary-9f2c")  # no "token"/"bearer" before it, no URL query around it

    out = redact("upload failed near /dl/s3cr3t-canary-9f2c/part and (s3cr3t-canary-9f2c)")

    assert out == f"upload failed near /dl/{REDACTED}/part and ({REDACTED})"


@pytest.mark.parametrize(
    ("patterns", "url"),
    [
        (("127.0.0.1:1234",), "http://127.0.0.1:8080/download/x"),
        (("127.0.0.1:1234",), "http://127.0.0.1/download/x"),
        (("copilot-reports.github.com:443",), "https://copilot-reports.github.com:8443/a"),
        (("*.example.com:9000",), "https://a.example.com/x"),
        (("copilot-reports-*.b01.azurefd.net:443",), "https://copilot-reports-eus2.b01.azurefd.net:444/x"),
    ],
)
def test_allow_list_ports_are_ignored(patterns, url):
    HostAllowList(patterns).check(url)


@pytest.mark.parametrize(
    ("patterns", "url"),
    [
        (("127.0.0.1:1234",), "http://127.0.0.2:1234/x"),
        (("*.example.com:9000",), "https://example.com:9000/x"),
    ],
)
def test_allow_list_patterns_with_ports_still_check_the_host(patterns, url):
    with pytest.raises(UnsafeLink):
        HostAllowList(patterns).check(url)


def test_the_download_session_drops_any_authorization_header():
    from requests import Request

    from copilot_archive.archiving.transfer import _NoAuthorization

    request = Request("GET", "https://copilot-reports.github.com/a", headers={"Authorization": "Basic dTpw"})
    prepared = request.prepare()

    assert "Authorization" not in _NoAuthorization()(prepared).headers


def test_a_redacted_link_is_left_as_it_is():
    link = redact_url("https://copilot-reports.github.com/a/b.json?sig=1")

    assert redact(f"{link} served an HTML page") == f"{link} served an HTML page"


SECRET_BODY = '{"Name": "creds", "SecretString": "{\\"default\\": {\\"token\\": \\"SECRET-1\\"}}", "V": "v"}'


@pytest.mark.parametrize(
    "logged",
    [
        SECRET_BODY,  # the response body as JSON text
        repr(SECRET_BODY.encode()),  # as botocore.parsers logs it: the bytes' repr, backslashes doubled
        repr(json.loads(SECRET_BODY)),  # a parsed response (a dict's repr)
    ],
)
def test_a_secret_string_is_redacted_however_botocore_logs_it(logged):
    from copilot_archive.core.redaction import redact

    scrubbed = redact(logged)

    assert "SECRET-1" not in scrubbed and "default" not in scrubbed
    # only the value goes: the name before it and the field after it stay
    assert "creds" in scrubbed
    assert '"V": "v"' in scrubbed or "'V': 'v'" in scrubbed


@pytest.mark.parametrize(
    "url",
    [
        "https://host?sig=PATHLESS1",
        "https://host.example:8443?sv=2025&sig=PATHLESS1",
        "HTTPS://HOST.EXAMPLE?X-Amz-Signature=PATHLESS1",
        "http://[::1]:9000?sig=PATHLESS1",
        "https://user@host.example?sig=PATHLESS1",
    ],
)
def test_redact_removes_the_query_of_a_url_without_a_path(url):
    for text in (url, f"download of {url} failed", f'{{"url": "{url}"}}', f"({url})"):
        out = redact(text)
        assert "PATHLESS1" not in out
        assert url.split("?")[0] + "?" + REDACTED in out
    assert "PATHLESS1" not in redact_url(url)
