"""The comparison and the log of restatements (indexing/restatements.py), without storage."""

from __future__ import annotations

from datetime import date

import pytest

from copilot_archive.core.config import ConfigError, settings_from_env
from copilot_archive.core.layout import ReportDay
from copilot_archive.core.reports import Report
from copilot_archive.indexing.restatements import Difference, changed, log_rows, merge_log, metrics_of

DAY = date(2026, 7, 2)


def test_only_numbers_and_nulls_of_the_top_level_are_metrics_and_ids_are_not():
    line = {
        "user_id": 7,
        "user_login": "ada",
        "used_chat": True,
        "ai_credits_used": 1.5,
        "loc_added_sum": 3,
        "daily_active_copilot_app_users": None,
        "totals_by_ide": [{"loc_added_sum": 3}],
        "entity_id_partition": 9,
    }

    assert metrics_of(line) == {
        "ai_credits_used": 1.5,
        "loc_added_sum": 3.0,
        "daily_active_copilot_app_users": None,
    }


def test_a_field_only_one_line_carries_is_not_a_difference():
    archived = {"a": 1.0, "b": None, "old_only": 5.0}
    restated = {"a": 2.0, "b": 4.0, "new_only": 6.0}

    assert list(changed(archived, restated)) == [("a", 1.0, 2.0), ("b", None, 4.0)]


def found(first_seen: date, restated: float) -> tuple[object, ...]:
    seen = ReportDay(Report.USERS_28_DAY, "acme", first_seen)
    difference = Difference(DAY, Report.USERS_1_DAY, "ai_credits_used", 7, "ada", 1.0, restated)
    return log_rows([(difference, "m.json")], seen)


def test_the_log_keeps_every_row_and_a_difference_seen_again_keeps_its_first_day():
    first, added_first = merge_log(None, found(date(2026, 7, 10), 2.0))

    again, added_again = merge_log(_bytes(first), found(date(2026, 7, 11), 2.0))
    other, added_other = merge_log(_bytes(again), found(date(2026, 7, 12), 3.0))
    earlier, _ = merge_log(_bytes(other), found(date(2026, 7, 9), 2.0))

    assert len(added_first) == 1 and added_again == []
    assert [r["restated_value"] for r in added_other] == [3.0]
    assert sorted((r["restated_value"], r["first_seen"]) for r in earlier.to_pylist()) == [
        (2.0, date(2026, 7, 9)),
        (3.0, date(2026, 7, 12)),
    ]


def _bytes(table: object) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = pa.BufferOutputStream()
    pq.write_table(table, out)
    return bytes(out.getvalue().to_pybytes())


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("FALSE", False)])
def test_refetch_restated_is_read_from_the_environment(text, expected):
    assert settings_from_env({"ENTERPRISES": "acme", "REFETCH_RESTATED": text}).refetch_restated is expected
    assert settings_from_env({"ENTERPRISES": "acme"}).refetch_restated is False


def test_refetch_restated_other_than_true_or_false_is_refused():
    with pytest.raises(ConfigError, match="REFETCH_RESTATED"):
        settings_from_env({"ENTERPRISES": "acme", "REFETCH_RESTATED": "yes"})
