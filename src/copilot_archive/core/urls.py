"""Which host a URL really reaches, decided by the parser the HTTP client itself uses.

`urllib.parse` and urllib3 disagree on odd authorities (`http://a:1\\@b/` is host `b` to
one and `a` to the other), so a check made with one and a connection made with the other
can be steered elsewhere. Links are judged with urllib3's `parse_url`, which requests uses
to connect, and authorities that the parsers could read differently are refused outright.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .exceptions import UnsafeLink

# Characters that make an authority ambiguous between parsers (userinfo, Windows-style
# separators, escapes that decode into another host) or that are not plain host syntax.
_AMBIGUOUS_AUTHORITY = re.compile(r"[@\\%\s]")
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL connects: scheme, host (lowercase, IDNA, IPv6 without brackets) and port."""

    scheme: str
    host: str
    port: int | None


def connection_target(url: str) -> Target:
    """The scheme, host and port an HTTP client connects to for `url`; UnsafeLink otherwise."""
    match = _SCHEME.match(url) if isinstance(url, str) else None
    if match is None:
        raise UnsafeLink("the link is not an absolute http(s) URL")
    # The longest reading of the authority: up to the first '/', '?' or '#'.
    authority = re.split(r"[/?#]", url[match.end() :], maxsplit=1)[0]
    if _AMBIGUOUS_AUTHORITY.search(authority):
        raise UnsafeLink("the link's host part holds user info, a backslash, a percent-escape or white space")
    if not authority.isascii():
        # urllib3 encodes international names with IDNA; what does not encode is refused.
        try:
            authority.encode("idna")
        except UnicodeError:
            raise UnsafeLink("the link's host name is not valid IDNA") from None
    # Here, not at the top: the indexer and the CLI's local commands load the settings, not links.
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        parsed = parse_url(url)
    except (LocationParseError, ValueError, UnicodeError):
        raise UnsafeLink("the link's host or port cannot be parsed") from None
    host = (parsed.host or "").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not host.isascii():
        raise UnsafeLink("the link has no ASCII host name")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise UnsafeLink(f"the link's port {parsed.port} is outside 1-65535")
    return Target((parsed.scheme or "").lower(), host, parsed.port)


def is_loopback(host: str) -> bool:
    """An IP literal in 127.0.0.0/8, ::1, or the name `localhost`; not `127.attacker.example`."""
    host = host.lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
