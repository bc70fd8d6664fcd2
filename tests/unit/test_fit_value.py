"""curate.fit_value, the typing the seat and billing tables share with the report tables: for
every column type a report line holds, it says what the Curator does with the same value in a
users-1-day line (typed, or NULL, kept in `extra` and counted); timestamps and dates as ISO text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from copilot_archive.core.curated_schema import USER_DAILY
from copilot_archive.core.reports import Report
from copilot_archive.indexing.curate import Curator, fit_value
from copilot_simulator.reports import ReportBook, compact

DAY = date(2025, 10, 12)
KEY = "copilot-metrics/raw/enterprise/users-1-day/enterprise=acme/day=2025-10-12/part-0000.json"
# A user_daily column of each type, and where a users-1-day line holds its value.
COLUMNS = {
    "string": ("user_login", ("user_login",)),
    "bigint": ("code_generation_activity_count", ("code_generation_activity_count",)),
    "int": ("ai_adoption_phase_number", ("ai_adoption_phase", "phase_number")),
    "double": ("ai_credits_used", ("ai_credits_used",)),
    "boolean": ("used_chat", ("used_chat",)),
}
VALUES = ["mona", "", "12", 0, 7, 7.0, 2.5, -1, -0.5, 2**31, 2**63, 1e300, True, False, None, [1], {"n": 1}]


def curated(path: tuple[str, ...], value: Any) -> tuple[dict[str, Any], int]:
    """The user_daily row of a served users-1-day line with `value` at `path`, and its misfits."""
    record = json.loads(ReportBook({"acme": 12}).lines("acme", "users-1-day", DAY)[0])
    holder = record
    for key in path[:-1]:
        holder = holder.setdefault(key, {})
    holder[path[-1]] = value
    curator = Curator(Report.USERS_1_DAY, DAY, 100)
    batches = [*curator.curate([compact(record)], key=KEY, part=0), *curator.finish()]
    (row,) = [r for b in batches if b.table is USER_DAILY for r in b.batch.to_pylist()]
    return row, curator.mistyped


@pytest.mark.parametrize("column_type", COLUMNS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_fits_a_column_type_as_it_fits_that_column_in_a_report_line(column_type, value):
    column, path = COLUMNS[column_type]
    row, mistyped = curated(path, value)

    assert fit_value(column_type, value) == (row[column], mistyped == 0)


TEXT = {
    ("timestamp", "2025-10-12T08:30:00Z"): (datetime(2025, 10, 12, 8, 30, tzinfo=UTC), True),
    ("timestamp", "2025-10-12T10:30:00+02:00"): (datetime(2025, 10, 12, 8, 30, tzinfo=UTC), True),
    ("timestamp", "2025-10-12T08:30:00"): (datetime(2025, 10, 12, 8, 30, tzinfo=UTC), True),  # UTC
    ("timestamp", "yesterday"): (None, False),
    ("timestamp", 1760257800): (None, False),
    ("date", "2025-10-12"): (date(2025, 10, 12), True),
    ("date", "2025-10-12T23:30:00Z"): (date(2025, 10, 12), True),  # the day of a moment
    ("date", "2025-10"): (None, False),
    ("date", 20251012): (None, False),
    ("date", None): (None, True),
}


@pytest.mark.parametrize(("given", "expected"), TEXT.items(), ids=[repr(k) for k in TEXT])
def test_timestamps_and_dates_fit_as_iso_text(given, expected):
    assert fit_value(*given) == expected
