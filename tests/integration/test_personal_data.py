"""Personal data end to end (issue 20, section 3): pseudonyms, retention and erasure, from reports
the simulator served over HTTP, archived and indexed by the real CLI and handlers.

Every expected value is worked out here from the served bytes: the people (logins and ids) the
raw files hold, and their pseudonyms computed with hmac from the key, never read back from the code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from copilot_archive.cli import main
from copilot_archive.core import clock
from copilot_archive.core.exceptions import ConfigError
from copilot_archive.querying.query import LocalQueryEngine
from tests.conftest import CANARY_TOKEN, TODAY, served_lines
from tests.integration.test_indexer import (  # noqa: F401 (fixtures)
    PREFIX,
    database,
    glue,
    indexer,
    keys_under,
    manifest_key,
    new_container,
    read_parquet,
)
from tests.integration.test_seats import served_pages

pytestmark = pytest.mark.loopback

KEY = "a-test-pseudonym-key-0123456789abcdef"
PEOPLE_REPORTS = "users-1-day,user-teams-1-day,enterprise-1-day,copilot-seats"
# The raw kinds whose lines are one person each, as GitHub documents them.
PER_PERSON_KINDS = ("users-1-day", "users-28-day", "user-teams-1-day", "copilot-seats")
LATER = TODAY + timedelta(days=3)  # a second seat snapshot, once TODAY's users-1-day is served


def login_pseudonym(login: str) -> str:
    digest = hmac.new(KEY.encode(), b"login:" + login.lower().encode(), hashlib.sha256).hexdigest()
    return "u-" + digest[:32]


def id_pseudonym(user_id: int) -> int:
    digest = hmac.new(KEY.encode(), b"user_id:" + str(user_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    # Enough users for teams of 5 or more (GitHub leaves smaller teams out of user-teams-1-day).
    with Simulator(
        enterprises=("acme",), users=30, today=TODAY, token=CANARY_TOKEN, seat_idle_holders=5
    ) as sim:
        yield sim


@pytest.fixture
def archived(cli_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """acme's whole window of the per-person reports and totals, and two seat snapshots, archived
    by the CLI; with every line the simulator served, by report and day."""
    sim = cli_env
    monkeypatch.setenv("ENTERPRISES", "acme")
    root = tmp_path / "archive"
    served: dict[tuple[str, date], list[dict[str, Any]]] = {}
    for today in (TODAY, LATER):
        sim.today = today
        monkeypatch.setattr(clock, "utc_today", lambda today=today: today)
        main(["archive", "--archive", str(root), "--reports", PEOPLE_REPORTS, "--no-progress"])
        served[("copilot-seats", today)] = [
            seat for page in served_pages(sim, "enterprises", "acme") for seat in json.loads(page)["seats"]
        ]
    manifests = root / PREFIX / "manifests" / "enterprise"
    for report in ("users-1-day", "user-teams-1-day"):
        for path in sorted((manifests / report / "enterprise=acme").glob("day=*.json")):
            day = date.fromisoformat(path.stem.removeprefix("day="))
            served[(report, day)] = served_lines(sim, "acme", report, day)
    return {"root": root, "served": served}


def people(served: dict[tuple[str, date], list[dict[str, Any]]]) -> tuple[set[str], set[int]]:
    """Every login and user id the served bytes hold."""
    logins, ids = set(), set()
    for (report, _), lines in served.items():
        for line in lines:
            person = line["assignee"] if report == "copilot-seats" else line
            logins.add(person["login"] if report == "copilot-seats" else person["user_login"])
            ids.add(person["id"] if report == "copilot-seats" else person["user_id"])
    return logins, ids


def index(root: Path, monkeypatch: pytest.MonkeyPatch, *, pseudonymize: bool) -> None:
    if pseudonymize:
        monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
        monkeypatch.setenv("PSEUDONYM_KEY", KEY)
    assert main(["index", "--archive", str(root), "--no-progress"]) == 0
    monkeypatch.delenv("PSEUDONYMIZE_USERS", raising=False)
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)


def curated_files(root: Path) -> list[Path]:
    return sorted((root / PREFIX / "curated").rglob("*.parquet"))


def comparable(row: Any) -> str:
    """A row as text, its sums of doubles to 9 places: their last bits depend on the order summed."""
    return repr(tuple(round(v, 9) if isinstance(v, float) else v for v in row))


def mentions(value: Any, logins: set[str], ids: set[int]) -> list[str]:
    """What in one value names a served person: a login inside any text, an id in text or a number."""
    found = []
    if isinstance(value, str):
        text = value.lower()
        found += [login for login in logins if login.lower() in text]
        found += [str(i) for i in ids if str(i) in text]
    elif isinstance(value, int) and not isinstance(value, bool) and value in ids:
        found.append(str(value))
    return found


def test_with_pseudonyms_no_curated_file_or_view_row_names_a_served_person_and_every_view_agrees(
    archived, tmp_path, monkeypatch
):
    plain, hidden = archived["root"], tmp_path / "pseudonymised"
    shutil.copytree(plain, hidden)
    index(plain, monkeypatch, pseudonymize=False)
    index(hidden, monkeypatch, pseudonymize=True)
    logins, ids = people(archived["served"])
    assert len(logins) == len(ids) >= 30

    # The raw files are GitHub's bytes, whatever the setting.
    raw = {p.relative_to(hidden): p.read_bytes() for p in (hidden / PREFIX / "raw").rglob("*.json")}
    assert raw == {p.relative_to(plain): p.read_bytes() for p in (plain / PREFIX / "raw").rglob("*.json")}

    # No curated file names a served person, in any column (extra too).
    scanned = 0
    for path in curated_files(hidden):
        for row in pq.read_table(path).to_pylist():
            for column, value in row.items():
                assert not mentions(value, logins, ids), (path.name, column, value)
                scanned += 1
    assert scanned > 10_000

    # user_daily holds each served day's people as their keyed pseudonyms: the same on every day.
    for (report, day), lines in archived["served"].items():
        if report != "users-1-day":
            continue
        path = (
            hidden / PREFIX / "curated/enterprise/user_daily/enterprise=acme" / f"day={day}/part-0000.parquet"
        )
        rows = pq.read_table(path, columns=["user_login", "user_id"]).to_pylist()
        assert sorted((r["user_login"], r["user_id"]) for r in rows) == sorted(
            (login_pseudonym(line["user_login"]), id_pseudonym(line["user_id"])) for line in lines
        )
    seats = pq.read_table(
        hidden / PREFIX / f"curated/enterprise/seat_daily/enterprise=acme/day={TODAY}/part-0000.parquet"
    ).to_pylist()
    assert sorted((r["user_login"], r["user_id"]) for r in seats) == sorted(
        (login_pseudonym(s["assignee"]["login"]), id_pseudonym(s["assignee"]["id"]))
        for s in archived["served"][("copilot-seats", TODAY)]
    )

    # Every view: no row names a person, and each gives what it gives without pseudonyms, with each
    # login and id in it replaced by its pseudonym (so the team and seat joins match as before).
    views_with_people = 0
    with LocalQueryEngine(plain, today=LATER) as clear, LocalQueryEngine(hidden, today=LATER) as masked:
        for view in masked.view_names:
            columns, rows = masked.run(view)
            plain_columns, plain_rows = clear.run(view)
            assert columns == plain_columns
            for row in rows:
                for value in row:
                    assert not mentions(value, logins, ids), (view, row)
            expected = [
                tuple(
                    login_pseudonym(v)
                    if c == "user_login" and v
                    else id_pseudonym(v)
                    if c == "user_id" and v
                    else v
                    for c, v in zip(columns, row, strict=True)
                )
                for row in plain_rows
            ]
            assert sorted(map(comparable, rows)) == sorted(map(comparable, expected)), view
            views_with_people += bool(plain_rows) and view in {
                "team_active_users_daily",
                "team_acceptance_daily",
                "seats_daily",
                "inactive_seats",
                "ai_credits_monthly",
            }
    assert views_with_people == 5  # the joins were exercised, not empty on both sides


def test_with_pseudonyms_and_no_key_the_cli_stops_before_writing_anything(archived, monkeypatch, capsys):
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)

    assert main(["index", "--archive", str(archived["root"]), "--no-progress"]) == 2

    assert "PSEUDONYM_KEY" in capsys.readouterr().err
    assert not (archived["root"] / PREFIX / "curated").exists()


# ---- the Lambda: the key from Secrets Manager, retention by the indexer handler ----------------


@pytest.fixture
def key_secret(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import boto3

    name = f"pseudonym-key-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=KEY)
    return name


def test_the_indexer_handler_reads_the_key_from_its_secret_once_and_writes_pseudonyms(
    handler,
    indexer,  # noqa: F811 (test_indexer's fixture)
    simulator,
    s3,
    bucket,
    key_secret,
    monkeypatch,
):
    from copilot_archive.indexing import runtime

    monkeypatch.setenv("ENTERPRISES", "acme")
    days = ["2025-10-12", "2025-10-13"]
    assert handler({"days": days, "reports": ["users-1-day"]})["counts"]["archived"] == 2
    reads: list[str] = []
    read_secret = runtime.read_secret
    monkeypatch.setattr(runtime, "read_secret", lambda name: reads.append(name) or read_secret(name))
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.setenv("PSEUDONYM_KEY_SECRET", key_secret)
    new_container()

    for day in days:
        summary = indexer({"manifest": manifest_key("users-1-day", "acme", day)})
        assert summary["counts"]["indexed"] == 1, summary

    assert reads == [key_secret]  # once per container
    for day in days:
        key = f"{PREFIX}/curated/enterprise/user_daily/enterprise=acme/day={day}/part-0000.parquet"
        rows = read_parquet(s3, bucket, key)
        assert sorted(r["user_login"] for r in rows) == sorted(
            login_pseudonym(line["user_login"])
            for line in served_lines(simulator, "acme", "users-1-day", date.fromisoformat(day))
        )


def test_the_indexer_handler_with_pseudonyms_and_no_key_fails_and_writes_nothing(
    handler,
    indexer,  # noqa: F811 (test_indexer's fixture)
    s3,
    bucket,
    monkeypatch,
):
    monkeypatch.setenv("ENTERPRISES", "acme")
    assert handler({"days": ["2025-10-12"], "reports": ["users-1-day"]})["counts"]["archived"] == 1
    monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
    monkeypatch.delenv("PSEUDONYM_KEY_SECRET", raising=False)
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    new_container()

    with pytest.raises(ConfigError, match="no pseudonym key"):
        indexer({"manifest": manifest_key("users-1-day", "acme", "2025-10-12")})

    assert keys_under(s3, bucket, f"{PREFIX}/curated/") == []


def per_person_days(s3: Any, bucket: str) -> dict[str, set[str]]:
    """The days of each curated per-person table that have a file."""
    found: dict[str, set[str]] = {}
    for key in keys_under(s3, bucket, f"{PREFIX}/curated/"):
        table = key.split("/")[3]
        if table.startswith("user_") or table == "seat_daily":
            found.setdefault(table, set()).add(key.split("day=")[1][:10])
    return found


def test_with_a_retention_the_indexer_handler_leaves_no_older_per_person_file_and_every_total(
    handler,
    indexer,  # noqa: F811 (test_indexer's fixture)
    s3,
    bucket,
    monkeypatch,
):
    monkeypatch.setenv("ENTERPRISES", "acme")
    days = [date(2025, 10, 18) + timedelta(days=n) for n in range(8)]
    reports = ["users-1-day", "user-teams-1-day", "enterprise-1-day", "repos-1-day"]
    summary = handler({"days": [d.isoformat() for d in days], "reports": reports})
    assert summary["counts"]["archived"] == 8 * 4, summary
    rebuild = {"rebuild": {"from": days[0].isoformat(), "to": days[-1].isoformat()}}
    assert indexer(rebuild)["counts"]["failed"] == 0
    before = per_person_days(s3, bucket)
    assert before["user_daily"] == {d.isoformat() for d in days}
    totals = (
        f"{PREFIX}/curated/enterprise/enterprise_day_totals/enterprise=acme/month=2025-10/part-0000.parquet"
    )
    totals_before = read_parquet(s3, bucket, totals)
    raw_before = keys_under(s3, bucket, f"{PREFIX}/raw/")
    # The other tables of a day each (repositories' totals) and the month files stay whole.
    not_people = [
        k for k in keys_under(s3, bucket, f"{PREFIX}/curated/") if "/user_" not in k and "/seat_" not in k
    ]
    assert any("/repo_daily/" in k for k in not_people)

    # Kept: the last 3 of the 8 days, counted back from the indexer's (the wall clock's) today.
    oldest_kept = days[5]
    retention = (datetime.now(UTC).date() - oldest_kept).days
    monkeypatch.setenv("USER_DATA_RETENTION_DAYS", str(retention))
    new_container()
    assert (
        indexer({"manifest": manifest_key("users-1-day", "acme", days[-1].isoformat())})["counts"]["indexed"]
        == 1
    )

    after = per_person_days(s3, bucket)
    kept = {d.isoformat() for d in days if d >= oldest_kept}
    assert after.keys() == before.keys() >= {"user_daily", "user_team_daily", "user_ide_daily"}
    assert all(found == kept for found in after.values()), after
    assert read_parquet(s3, bucket, totals) == totals_before  # totals intact, every day
    assert {r["day"] for r in totals_before} == set(days)
    assert keys_under(s3, bucket, f"{PREFIX}/raw/") == raw_before  # raw is the lifecycle rules'
    assert [k for k in keys_under(s3, bucket, f"{PREFIX}/curated/") if k in not_people] == not_people

    # A day past the retention indexed again: its totals are written, its people are not.
    again = indexer({"rebuild": {"from": days[0].isoformat(), "to": days[0].isoformat()}})
    assert again["counts"] == {"indexed": 4, "failed": 0, "deferred": 0}, again
    assert per_person_days(s3, bucket) == after
    assert read_parquet(s3, bucket, totals) == totals_before


# ---- erasure on request ----------------------------------------------------------------------


def erase(root: Path, login: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["erase-user", "--archive", str(root), "--login", login.upper(), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def rows_by_table(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in curated_files(root):
        table = path.relative_to(root / PREFIX / "curated").parts[1]
        counts[table] = counts.get(table, 0) + pq.read_metadata(path).num_rows
    return counts


@pytest.mark.parametrize("pseudonymize", [False, True], ids=["clear", "pseudonymised"])
def test_erase_user_removes_every_curated_row_of_one_person_and_says_what_it_removed(
    archived, monkeypatch, capsys, pseudonymize
):
    root: Path = archived["root"]
    served = archived["served"]
    index(root, monkeypatch, pseudonymize=pseudonymize)
    capsys.readouterr()
    # Someone who used Copilot, is in a team and holds a seat.
    teams = {
        line["user_login"]
        for (report, _), lines in served.items()
        if report == "user-teams-1-day"
        for line in lines
    }
    seated = {s["assignee"]["login"] for s in served[("copilot-seats", TODAY)]}
    login = sorted(teams & seated)[0]
    user_id = next(
        s["assignee"]["id"] for s in served[("copilot-seats", TODAY)] if s["assignee"]["login"] == login
    )
    theirs = {
        "user_daily": sum(
            line["user_login"] == login for (r, _), ls in served.items() if r == "users-1-day" for line in ls
        ),
        "user_team_daily": sum(
            line["user_login"] == login
            for (r, _), ls in served.items()
            if r == "user-teams-1-day"
            for line in ls
        ),
        "seat_daily": sum(
            s["assignee"]["login"] == login
            for (r, _), ls in served.items()
            if r == "copilot-seats"
            for s in ls
        ),
    }
    assert all(theirs.values())
    raw_naming = sorted(
        str(p.relative_to(root))
        for kind in PER_PERSON_KINDS
        for p in (root / PREFIX / "raw/enterprise" / kind).rglob("*.json")
        if f'"{login}"'.encode() in p.read_bytes()
    )
    raw_before = {p: p.read_bytes() for p in (root / PREFIX / "raw").rglob("*.json")}
    before = rows_by_table(root)
    if pseudonymize:
        monkeypatch.setenv("PSEUDONYMIZE_USERS", "true")
        monkeypatch.setenv("PSEUDONYM_KEY", KEY)

    removed = erase(root, login, capsys)

    for table, count in theirs.items():
        assert removed["rows"][table] == count, table
    after = rows_by_table(root)
    assert {t: before[t] - after[t] for t in before if before[t] != after[t]} == removed["rows"]
    assert set(removed["rows"]) > set(theirs)  # the breakdown tables too
    named = {login_pseudonym(login), str(id_pseudonym(user_id))} if pseudonymize else {login}
    for path in curated_files(root):
        for row in pq.read_table(path).to_pylist():
            assert not mentions(row.get("user_login"), named, set()), path
            assert row.get("user_id") not in ({id_pseudonym(user_id)} if pseudonymize else {user_id})
    assert sorted(removed["raw_files_naming"]) == [k.replace("\\", "/") for k in raw_naming]
    assert {p: p.read_bytes() for p in (root / PREFIX / "raw").rglob("*.json")} == raw_before
    # Nothing left to remove: a second request says so.
    assert erase(root, login, capsys)["rows"] == {}
