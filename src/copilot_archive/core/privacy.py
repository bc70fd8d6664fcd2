"""Personal data: which reports and tables hold people, their keyed pseudonyms, how long they live.

Pure: no AWS, no Arrow. The indexer (indexing/privacy.py) applies these to curated rows; the
stack reads the pseudonym key from Secrets Manager, the CLI from PSEUDONYM_KEY (docs/personal-data.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .exceptions import ConfigError
from .redaction import register_secret
from .reports import Report

PSEUDONYMIZE_USERS = "PSEUDONYMIZE_USERS"
# The stack's Secrets Manager secret holding the key, and the key itself for the CLI.
PSEUDONYM_KEY_SECRET = "PSEUDONYM_KEY_SECRET"
PSEUDONYM_KEY = "PSEUDONYM_KEY"
USER_DATA_RETENTION_DAYS = "USER_DATA_RETENTION_DAYS"
# A key shorter than this is guessable by brute force over GitHub's few million logins' space.
MIN_KEY_BYTES = 16
MAX_RETENTION_DAYS = 36500

# Raw report kinds whose lines are one person each (users, their teams, seat holders): the only
# raw prefixes USER_DATA_RETENTION_DAYS expires (template.yaml's lifecycle rules).
PER_PERSON_REPORTS: tuple[Report, ...] = (
    Report.USERS_1_DAY,
    Report.USERS_28_DAY,
    Report.USER_TEAMS_1_DAY,
    Report.COPILOT_SEATS,
)
# The columns that name a person in a curated table.
LOGIN_COLUMN = "user_login"
USER_ID_COLUMN = "user_id"
PSEUDONYM_PREFIX = "u-"


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """What the indexer does with per-person rows: pseudonymise them (with `pseudonym_key`), and
    drop those older than `retention_days` (None: kept forever)."""

    pseudonym_key: bytes | None = field(default=None, repr=False)
    retention_days: int | None = None

    @property
    def pseudonymize(self) -> bool:
        return self.pseudonym_key is not None

    def oldest_kept_day(self, today: date) -> date | None:
        """The oldest day whose per-person rows are kept on `today`; None: every day is."""
        if self.retention_days is None:
            return None
        return today - timedelta(days=self.retention_days)


# Off: logins and ids as GitHub gives them, kept as long as the archive.
NO_PRIVACY = PrivacySettings()


def pseudonym_login(key: bytes, login: str) -> str:
    """A login's pseudonym: the same for the same login on every day (GitHub logins ignore case),
    not reversible without the key."""
    digest = hmac.new(key, b"login:" + login.lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


def pseudonym_user_id(key: bytes, user_id: int) -> int:
    """A user id's pseudonym: a non-negative bigint, so the views' joins on user_id still work."""
    digest = hmac.new(key, b"user_id:" + str(user_id).encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def privacy_from_env(
    environ: Mapping[str, str] | None = None, read_secret: Callable[[str], str] | None = None
) -> PrivacySettings:
    """PSEUDONYMIZE_USERS and USER_DATA_RETENTION_DAYS, read once at the edge. With the flag on,
    the key comes from PSEUDONYM_KEY_SECRET (read by `read_secret`) or PSEUDONYM_KEY; a missing
    or short key is a ConfigError, raised before anything is curated."""
    env = os.environ if environ is None else environ

    def text(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    retention = None
    if (days := text(USER_DATA_RETENTION_DAYS)) is not None and days != "0":
        try:
            retention = int(days)
        except ValueError:
            raise ConfigError(f"{USER_DATA_RETENTION_DAYS}={days!r} is not a whole number of days") from None
        if not 1 <= retention <= MAX_RETENTION_DAYS:
            raise ConfigError(
                f"{USER_DATA_RETENTION_DAYS}={retention} must be 0 (off) or 1 to {MAX_RETENTION_DAYS}"
            )
    flag = (text(PSEUDONYMIZE_USERS) or "false").lower()
    if flag not in ("true", "false"):
        raise ConfigError(f"{PSEUDONYMIZE_USERS}={flag!r} must be true or false")
    if flag == "false":
        return PrivacySettings(retention_days=retention)
    secret = text(PSEUDONYM_KEY_SECRET)
    if secret is not None and read_secret is not None:
        key = read_secret(secret)
        source = f"the secret {PSEUDONYM_KEY_SECRET}={secret}"
    else:
        key = text(PSEUDONYM_KEY) or ""
        source = PSEUDONYM_KEY
    key = key.strip()
    if not key:
        raise ConfigError(
            f"{PSEUDONYMIZE_USERS}=true but no pseudonym key: set {PSEUDONYM_KEY} "
            f"(the stack sets {PSEUDONYM_KEY_SECRET}); nothing was curated"
        )
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise ConfigError(f"the pseudonym key in {source} is shorter than {MIN_KEY_BYTES} bytes")
    register_secret(key)
    return PrivacySettings(key.encode("utf-8"), retention)
