"""Per-person curated rows: pseudonymised as they are written, expired after the retention,
erased on request. The rules (which tables, the keyed pseudonyms) are core/privacy.py's.

Raw files are never touched here: they are the archive's byte-for-byte copy (their retention is
template.yaml's lifecycle rules; docs/personal-data.md says what happens to them on erasure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.curated_schema import NAMING_A_PERSON, PER_PERSON_TABLES, CuratedTable
from ..core.layout import curated_table_location, raw_table_location
from ..core.privacy import (
    LOGIN_COLUMN,
    PER_PERSON_REPORTS,
    USER_ID_COLUMN,
    pseudonym_login,
    pseudonym_user_id,
)
from ..core.reports import Level
from ..core.storage import Storage

PARQUET = "application/vnd.apache.parquet"
# Keys of `extra` (fields a table does not type, values that did not fit) that name a person.
_LOGIN_KEYS = frozenset({"user_login", "login", "assignee.login", "username"})
_ID_KEYS = frozenset({"user_id", "id", "assignee.id"})
_DAY_FOLDER = re.compile(r"/day=(\d{4}-\d{2}-\d{2})/")
PER_PERSON_NAMES = frozenset(t.name for t in PER_PERSON_TABLES)
_NAMING_A_PERSON = frozenset(t.name for t in NAMING_A_PERSON)


class Pseudonymizer:
    """Replaces user_login and user_id, and any mention of the row's person in `extra`, by their
    keyed pseudonyms. Each distinct login or id is hashed once per container."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._logins: dict[str, str] = {}
        self._ids: dict[int, int] = {}

    def login(self, login: str) -> str:
        if (found := self._logins.get(login)) is None:
            found = self._logins[login] = pseudonym_login(self._key, login)
        return found

    def user_id(self, user_id: int) -> int:
        if (found := self._ids.get(user_id)) is None:
            found = self._ids[user_id] = pseudonym_user_id(self._key, user_id)
        return found

    def batch(self, table: CuratedTable, batch: pa.RecordBatch | pa.Table) -> pa.RecordBatch | pa.Table:
        """`batch` of `table` with its people pseudonymised; other tables' batches as they are."""
        if table.name not in _NAMING_A_PERSON or batch.num_rows == 0:
            return batch
        names = batch.schema.names
        logins = batch.column(LOGIN_COLUMN).to_pylist()
        # Billing usage names a person by login only.
        has_ids = USER_ID_COLUMN in names
        ids = batch.column(USER_ID_COLUMN).to_pylist() if has_ids else [None] * batch.num_rows
        columns = list(batch.columns)
        if "extra" in names:
            extras = batch.column("extra").to_pylist()
            scrubbed = [
                None if text is None else self._extra(text, login, user_id)
                for text, login, user_id in zip(extras, logins, ids, strict=True)
            ]
            columns[names.index("extra")] = pa.array(scrubbed, pa.string())
        columns[names.index(LOGIN_COLUMN)] = pa.array(
            [None if v is None else self.login(v) for v in logins], pa.string()
        )
        if has_ids:
            columns[names.index(USER_ID_COLUMN)] = pa.array(
                [None if v is None else self.user_id(v) for v in ids], pa.int64()
            )
        kind = pa.RecordBatch if isinstance(batch, pa.RecordBatch) else pa.Table
        return kind.from_arrays(columns, schema=batch.schema)

    def _extra(self, text: str, login: str | None, user_id: int | None) -> str:
        """`extra` with every value that names a person pseudonymised: the keys that hold a login or
        an id (a mistyped user_id is kept there), and the row's login inside any text (a URL)."""
        mention = re.compile(re.escape(login), re.IGNORECASE) if login else None

        def scrub(value: Any, key: str | None) -> Any:
            if isinstance(value, dict):
                return {k: scrub(v, k) for k, v in value.items()}
            if isinstance(value, list):
                return [scrub(v, key) for v in value]
            if key in _ID_KEYS and isinstance(value, int) and not isinstance(value, bool):
                return self.user_id(value)
            if key in _ID_KEYS and isinstance(value, str) and value.isdigit():
                return str(self.user_id(int(value)))  # an id sent as text: its pseudonym as text
            if key in _LOGIN_KEYS | _ID_KEYS and value is not None and not isinstance(value, bool):
                return self.login(str(value))
            if isinstance(value, str) and mention is not None:
                return mention.sub(self.login(login or ""), value)
            if isinstance(value, int) and value == user_id and not isinstance(value, bool):
                return self.user_id(value)
            return value

        scrubbed = scrub(json.loads(text), None)
        return json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False)


def per_person_files(storage: Storage, prefix: str) -> Iterable[tuple[CuratedTable, date, str]]:
    """Every curated per-person file of the archive: its table, its day, its key."""
    for table in PER_PERSON_TABLES:
        for level in table.levels:
            for key in storage.list_keys(curated_table_location(prefix, table.name, level)):
                match = _DAY_FOLDER.search(key)
                if match is not None and key.endswith(".parquet"):
                    yield table, date.fromisoformat(match[1]), key


def expire_per_person_rows(storage: Storage, prefix: str, oldest_kept: date) -> list[str]:
    """Delete every curated per-person file of a day before `oldest_kept`; the keys deleted.
    Totals (the enterprise and organization tables) are never per-person, so never touched."""
    deleted = []
    for _, day, key in per_person_files(storage, prefix):
        if day < oldest_kept:
            storage.delete(key)
            deleted.append(key)
    return deleted


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing one person removed: rows per table, and the files rewritten."""

    rows: Mapping[str, int] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def erase_person(
    storage: Storage,
    prefix: str,
    logins: Iterable[str] = (),
    user_ids: Iterable[int] = (),
    pseudonymizer: Pseudonymizer | None = None,
    levels: Iterable[Level] = tuple(Level),
) -> Erasure:
    """Remove the rows of a person (by login, any case, and/or user id) from every curated
    per-person file; with a pseudonymizer, the rows of their pseudonyms. Each file holding some
    is rewritten without them (an empty file stays: a re-index replaces a day whole)."""
    wanted_logins = {login.lower() for login in logins}
    wanted_ids = set(user_ids)
    if pseudonymizer is not None:
        wanted_logins = {pseudonymizer.login(login) for login in wanted_logins}
        wanted_ids = {pseudonymizer.user_id(user_id) for user_id in wanted_ids}
    wanted_levels = set(levels)
    rows: dict[str, int] = {}
    files = []
    for table, _, key in per_person_files(storage, prefix):
        if not any(f"/{level.value}/" in key for level in wanted_levels):
            continue
        data = storage.get_bytes(key)
        current = pq.read_table(pa.BufferReader(data))
        theirs = _rows_of(current, wanted_logins, wanted_ids)
        count = pc.sum(theirs).as_py() or 0
        if not count:
            continue
        kept = current.filter(pc.invert(theirs))
        out = pa.BufferOutputStream()
        pq.write_table(kept, out, compression="zstd")
        storage.put_bytes(key, out.getvalue().to_pybytes(), PARQUET)
        rows[table.name] = rows.get(table.name, 0) + count
        files.append(key)
    return Erasure(rows, tuple(files))


def _rows_of(table: pa.Table, logins: set[str], user_ids: set[int]) -> pa.ChunkedArray:
    """True on the rows of the person: their login (any case) or their id."""
    by_login = pc.is_in(pc.utf8_lower(table[LOGIN_COLUMN]), pa.array(sorted(logins), pa.string()))
    mine = pc.fill_null(by_login, False)
    if USER_ID_COLUMN in table.column_names and user_ids:
        by_id = pc.fill_null(pc.is_in(table[USER_ID_COLUMN], pa.array(sorted(user_ids), pa.int64())), False)
        mine = pc.or_(mine, by_id)
    return mine


def raw_files_naming(storage: Storage, prefix: str, logins: Iterable[str]) -> list[str]:
    """The raw per-person files (users, user-teams, seats) whose bytes hold one of `logins` as a
    JSON string, any case: what erasing a person leaves, since raw files are never rewritten."""
    quoted = [json.dumps(login.lower()).encode("utf-8") for login in logins]
    found = []
    for report in PER_PERSON_REPORTS:
        for level in report.kind.levels:
            for key in storage.list_keys(raw_table_location(prefix, report, level)):
                data = storage.get_bytes(key).lower()
                if any(login in data for login in quoted):
                    found.append(key)
    return found
