"""The one place text meant for humans is scrubbed of signed-URL query strings and tokens."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit, urlunsplit

# A signed link's query string is its credential; keep scheme, host and path for debugging.
# Matches full URLs and bare request paths ("GET /download/x?sig=... HTTP/1.1").
# A query already redacted ("?<redacted>") is left as it is: '<' ends the match before it starts.
_URL_QUERY = re.compile(r"(?P<base>[^\s?#\"'<>]*/[^\s?#\"'<>]*)\?[^\s\"'<>)]+")
_BEARER = re.compile(r"(?i)(bearer|token)\s+[A-Za-z0-9_\-.]{8,}")
# Secrets Manager's payloads as botocore logs them at DEBUG (request and response bodies): the
# value is logged before anyone could register it. It ends at the first quote of its kind not
# escaped: in a body logged as a bytes repr, JSON's \" inside it reads \\", one backslash more.
_SECRET_STRING = re.compile(r"""(["']SecretString["']\s*:\s*)(["']).*?(?<!\\)\2""", re.S)
_secrets: set[str] = set()
_lock = threading.Lock()
REDACTED = "<redacted>"


def register_secret(value: str) -> None:
    """Remember a secret (the GitHub token) so that redact() removes it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact_url(url: object) -> str:
    """A link as it may be logged: no query string, no user info. Never raises."""
    try:
        parts = urlsplit(str(url))
        # netloc without user info; .port is not used: it raises on ports like :99999.
        netloc = parts.netloc.rpartition("@")[2]
        query = REDACTED if parts.query else ""
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except Exception:  # a redaction helper that raised would hide the error it describes
        return REDACTED


def redact(text: object) -> str:
    """Text with every URL query string, bearer token and registered secret removed. Never raises."""
    try:
        text = text if isinstance(text, str) else str(text)
        text = _URL_QUERY.sub(lambda m: f"{m['base']}?{REDACTED}", text)
        text = _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)
        text = _SECRET_STRING.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}{m[2]}", text)
        with _lock:
            secrets = sorted(_secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text
    except Exception:  # e.g. an object whose __str__ raises: say nothing rather than fail
        return REDACTED
