"""The committed Grafana dashboard's SQL, run as Grafana would send it, on the local engine.

Grafana replaces each `${variable:format}` with the values picked in the dashboard (or typed
into its URL, `var-enterprise=...`), formatted as its documentation says; the Athena data
source then expands its macros and sends the text. Here a hostile value goes through the
format the committed file names, and the panel's SQL runs over a demo-like archive (two
enterprises and two organizations, their teams and seat snapshots), translated from Athena's
dialect by the engine (sqlglot), as the CLI runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from copilot_archive.reporting import grafana
from tests.conftest import CANARY_TOKEN, TODAY

pytestmark = pytest.mark.loopback

FIRST_DAY = date(2025, 10, 10)
# Grafana's variable syntax (public/app/features/variables/utils.ts, variableRegex).
VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")
DATE_FILTER = re.compile(r"\$__dateFilter\((\w+)\)")
HOSTILE = (
    # Ends the literal and the IN list, keeps every row, and comments out the rest of the query.
    "x') OR true) AS panel --",
    # The same where the panel sums per week: its own GROUP BY is commented out, so bring one.
    "x') OR true GROUP BY 1, 2) AS panel --",
    # Reads another table into the panel: every user's login of every enterprise.
    "x') UNION ALL SELECT day, user_login, 1 FROM user_daily) AS panel --",
    # Quotes and backslashes in the forms other dialects escape.
    "globex\\' OR enterprise <> '",
    "a\\\\'') OR (''='",
    "'",
    "\\",
)


def grafana_format(values: Sequence[str], fmt: str | None) -> str:
    """A multi-value variable as Grafana's "Advanced variable format options" documents it
    (docs/sources/dashboards/variables/variable-syntax): sqlstring doubles `'` and quotes each
    value, singlequote escapes `'` as `\\'` and quotes each, csv and raw join the values."""
    if fmt == "sqlstring":
        return ",".join("'" + v.replace("'", "''") + "'" for v in values)
    if fmt == "singlequote":
        return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
    if fmt == "doublequote":
        return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)
    return ",".join(values)  # csv, raw, or a format left to the data source


def interpolate(
    sql: str,
    enterprises: Sequence[str],
    first: date,
    last: date,
    *,
    level: str = "enterprise",
    organizations: Sequence[str] = (),
) -> str:
    """The panel's SQL as Athena receives it: variables formatted, then the date macro expanded
    as the Athena data source does (`column BETWEEN date 'from' AND date 'to'`)."""
    picked = {"enterprise": enterprises, "organization": organizations, "level": [level]}

    def variable(match: re.Match[str]) -> str:
        bare, old, old_format, name, _field, fmt = match.groups()
        if bare and bare.startswith("__"):
            return match[0]  # a data source macro, expanded below
        return grafana_format(picked[bare or old or name], fmt if name else old_format)

    text = VARIABLE.sub(variable, sql)
    text = DATE_FILTER.sub(rf"\1 BETWEEN date '{first}' AND date '{last}'", text)
    assert "$" not in text, text
    return text


ORGANIZATIONS = ("octo", "hooli")
# Days the seat rosters are taken on: inside the archived usage, so the seat share is known.
SNAPSHOT_DAYS = (date(2025, 10, 20), date(2025, 10, 30))


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    # 30 users: teams of at least GitHub's 5 seats; idle seat holders: inactive seats to count.
    with Simulator(
        enterprises=("acme", "globex"),
        organizations=ORGANIZATIONS,
        users=30,
        today=TODAY,
        token=CANARY_TOKEN,
        seat_idle_holders=4,
    ) as sim:
        yield sim


@pytest.fixture
def archive(cli_env, fixed_today, tmp_path, monkeypatch) -> Path:
    """A folder archive of acme, globex, octo and hooli (usage, team reports and two seat
    snapshots each), indexed, as `make demo` archives them."""
    from copilot_archive.cli import main
    from copilot_archive.core import clock
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
    folder = tmp_path / "archive"
    last = (fixed_today - timedelta(days=1)).isoformat()
    argv = ["backfill", "--archive", str(folder), "--from", FIRST_DAY.isoformat(), "--to", last]
    reports = "users-1-day,enterprise-1-day,organization-1-day,user-teams-1-day"
    assert main([*argv, "--reports", reports, "--no-progress"]) == 0
    for day in SNAPSHOT_DAYS:  # a roster is today's: move the clock to take one
        cli_env.today = day
        monkeypatch.setattr(clock, "utc_today", lambda day=day: day)
        command = ["archive", "--archive", str(folder), "--reports", "copilot-seats,copilot-billing"]
        assert main([*command, "--no-progress"]) == 0
    index_archive(LocalFolderStorage(folder), "copilot-metrics")
    return folder


@pytest.fixture
def panels() -> list[dict[str, Any]]:
    committed = json.loads((grafana.dashboards_dir() / grafana.DASHBOARD_FILE).read_text())
    return list(committed["panels"])


ENTERPRISES = ("acme", "globex")


def _rows(engine: LocalQueryEngine, sql: str, today: date, level: str, **picked: Sequence[str]) -> list[Any]:
    """The panel's rows over the dashboard's default time range (the last 90 days), sums rounded:
    DuckDB adds doubles in no fixed order."""
    scopes = {"enterprise": ENTERPRISES, "organization": ORGANIZATIONS, **picked}
    query = interpolate(
        sql,
        scopes["enterprise"],
        today - timedelta(days=90),
        today,
        level=level,
        organizations=scopes["organization"],
    )
    found = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in engine.run(query)[1]]
    return sorted(found, key=repr)


def test_a_hostile_scope_value_returns_no_other_scopes_rows_in_any_panel(archive, panels, fixed_today):
    organization_only = {p.title for p in grafana.ORGANIZATION_PANELS}
    with LocalQueryEngine(archive, today=fixed_today) as engine:
        for panel in panels:
            sql, title = panel["targets"][0]["rawSQL"], panel["title"]
            levels = ("organization",) if title in organization_only else ("enterprise", "organization")
            for level in levels:
                first, second = ENTERPRISES if level == "enterprise" else ORGANIZATIONS
                one = _rows(engine, sql, fixed_today, level, **{level: [first]})
                both = _rows(engine, sql, fixed_today, level, **{level: [first, second]})
                # Both scopes have rows in every panel: a leak would show.
                assert one and both != one, (title, level)
                for value in HOSTILE:
                    assert _rows(engine, sql, fixed_today, level, **{level: [value]}) == [], (title, value)
                    assert _rows(engine, sql, fixed_today, level, **{level: [first, value]}) == one, (
                        title,
                        value,
                    )


def test_every_panel_answers_at_each_level_only_that_levels_scopes(archive, panels, fixed_today):
    """The level variable picks the enterprise or the organization views; the other level's picks
    reach nothing, and a level the variable does not offer reads nothing."""
    organization_only = {p.title for p in grafana.ORGANIZATION_PANELS}
    with LocalQueryEngine(archive, today=fixed_today) as engine:
        for panel in panels:
            sql, title = panel["targets"][0]["rawSQL"], panel["title"]
            if title in organization_only:  # organizations side by side, at either level
                for level in ("enterprise", "organization"):
                    series = {row[1] for row in _rows(engine, sql, fixed_today, level)}
                    assert series == set(ORGANIZATIONS), title
                continue
            for level in ("enterprise", "organization"):
                assert _rows(engine, sql, fixed_today, level), (title, level)
                # Only the other level's scopes picked: nothing.
                assert _rows(engine, sql, fixed_today, level, **{level: ["nobody"]}) == [], (title, level)
            for value in ("none", *HOSTILE):
                assert _rows(engine, sql, fixed_today, value) == [], (title, value)
