"""The committed Grafana dashboard's SQL, run as Grafana would send it, on the local engine.

Grafana replaces each `${variable:format}` with the values picked in the dashboard (or typed
into its URL, `var-enterprise=...`), formatted as its documentation says; the Athena data
source then expands its macros and sends the text. Here a hostile value goes through the
format the committed file names, and the panel's SQL runs over an archive of two
enterprises, translated from Athena's dialect by the engine (sqlglot), as the CLI runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from copilot_archive.querying.query import LocalQueryEngine
from copilot_archive.reporting import grafana

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


def interpolate(sql: str, enterprises: Sequence[str], first: date, last: date) -> str:
    """The panel's SQL as Athena receives it: variables formatted, then the date macro expanded
    as the Athena data source does (`column BETWEEN date 'from' AND date 'to'`)."""

    def variable(match: re.Match[str]) -> str:
        bare, old, old_format, name, _field, fmt = match.groups()
        if bare and bare.startswith("__"):
            return match[0]  # a data source macro, expanded below
        assert (bare or old or name) == "enterprise", match[0]
        return grafana_format(enterprises, fmt if name else old_format)

    text = VARIABLE.sub(variable, sql)
    text = DATE_FILTER.sub(rf"\1 BETWEEN date '{first}' AND date '{last}'", text)
    assert "$" not in text, text
    return text


@pytest.fixture
def archive(cli_env, fixed_today, tmp_path) -> Path:
    """A folder archive of acme and globex (users and enterprise reports), indexed."""
    from copilot_archive.cli import main
    from copilot_archive.core.storage import LocalFolderStorage
    from copilot_archive.indexing.indexer import index_archive

    folder = tmp_path / "archive"
    last = (fixed_today - timedelta(days=1)).isoformat()
    argv = ["backfill", "--archive", str(folder), "--from", FIRST_DAY.isoformat(), "--to", last]
    assert main([*argv, "--reports", "users-1-day,enterprise-1-day", "--no-progress"]) == 0
    index_archive(LocalFolderStorage(folder), "copilot-metrics")
    return folder


@pytest.fixture
def panels() -> list[dict[str, Any]]:
    committed = json.loads((grafana.dashboards_dir() / grafana.DASHBOARD_FILE).read_text())
    return list(committed["panels"])


def test_a_hostile_enterprise_value_returns_no_other_enterprises_rows_in_any_panel(
    archive, panels, fixed_today
):
    def rows(engine: LocalQueryEngine, sql: str, enterprises: Sequence[str]) -> list[tuple[Any, ...]]:
        # The dashboard's default time range: the last 90 days.
        query = interpolate(sql, enterprises, fixed_today - timedelta(days=90), fixed_today)
        return sorted(engine.run(query)[1], key=repr)

    with LocalQueryEngine(archive, today=fixed_today) as engine:
        for panel in panels:
            sql = panel["targets"][0]["rawSQL"]
            acme = rows(engine, sql, ["acme"])
            both = rows(engine, sql, ["acme", "globex"])
            # Both enterprises have rows in every panel: a leak would show.
            assert acme and both != acme, panel["title"]
            for value in HOSTILE:
                assert rows(engine, sql, [value]) == [], (panel["title"], value)
                assert rows(engine, sql, ["acme", value]) == acme, (panel["title"], value)
