"""A billing day's revision against the one before it: lines matched by GitHub's identifying
columns, one difference per numeric value that changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from copilot_archive.core.layout import ReportDay, raw_file_key
from copilot_archive.core.manifest import ArchivedFile, Manifest
from copilot_archive.core.reports import Report
from copilot_archive.core.storage import LocalFolderStorage
from copilot_archive.indexing.billing_restatements import billing_differences
from copilot_archive.indexing.restatements import Difference

PREFIX = "copilot-metrics"
DAY = date(2026, 5, 1)
HEADER = (
    "date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,"
    "net_amount,username,organization,repository,workflow_path,cost_center_name\n"
)
SEAT = "2026-05-01,copilot,copilot_business,0.0333,user-months,19,0.6327,0,0.6327,mona,octo-a,,,platform\n"
PREMIUM = "2026-05-01,copilot,copilot_premium_request,30,requests,0.04,1.2,0.52,0.68,mona,octo-a,,,platform\n"
ACTIONS = (
    "2026-05-01,actions,actions_linux,100,minutes,0.008,0.8,0,0.8,"
    ",octo-a,octo-a/api,.github/workflows/ci.yml,\n"
)
# The premium line revised: 2 more requests at 0.04, the discount unchanged.
PREMIUM_REVISED = (
    "2026-05-01,copilot,copilot_premium_request,32,requests,0.04,1.28,0.52,0.76,mona,octo-a,,,platform\n"
)
REPORT_DAY = ReportDay(Report.BILLING_USAGE, "acme", DAY)


def archived(storage: LocalFolderStorage, revisions: list[str]) -> Manifest:
    """Each CSV text as a revision of DAY, the last one current; its manifest."""
    for number, text in enumerate(revisions, start=1):
        storage.put_bytes(raw_file_key(PREFIX, REPORT_DAY, 0, number), text.encode(), "text/csv")
    key = raw_file_key(PREFIX, REPORT_DAY, 0, len(revisions))
    listed = ArchivedFile(key, len(revisions[-1].encode()), "0" * 64, revisions[-1].count("\n") - 1)
    return Manifest(
        REPORT_DAY, (listed,), datetime(2026, 5, 3, tzinfo=UTC), "2026-03-10", revision=len(revisions)
    )


def found(tmp_path: Path, revisions: list[str]) -> set[Difference]:
    storage = LocalFolderStorage(tmp_path)
    return {d for d, _ in billing_differences(storage, PREFIX, archived(storage, revisions))}


def difference(metric: str, login: str | None, old: float | None, new: float | None) -> Difference:
    return Difference(DAY, Report.BILLING_USAGE, metric, None, login, old, new)


def test_a_first_revision_is_compared_with_nothing(tmp_path):
    assert found(tmp_path, [HEADER + SEAT + PREMIUM]) == set()


def test_an_unchanged_revision_in_another_order_has_no_difference(tmp_path):
    assert found(tmp_path, [HEADER + SEAT + PREMIUM + ACTIONS, HEADER + ACTIONS + PREMIUM + SEAT]) == set()


def test_a_changed_line_gives_a_difference_per_numeric_value_that_changed(tmp_path):
    assert found(tmp_path, [HEADER + SEAT + PREMIUM, HEADER + SEAT + PREMIUM_REVISED]) == {
        difference("quantity", "mona", 30.0, 32.0),
        difference("gross_amount", "mona", 1.2, 1.28),
        difference("net_amount", "mona", 0.68, 0.76),
    }


def test_a_line_only_one_revision_has_gives_every_numeric_column_with_the_other_side_null(tmp_path):
    numbers = ("quantity", "price_per_unit", "gross_amount", "discount_amount", "net_amount")
    added = dict(zip(numbers, (100.0, 0.008, 0.8, 0.0, 0.8), strict=True))
    dropped = dict(zip(numbers, (0.0333, 19.0, 0.6327, 0.0, 0.6327), strict=True))

    assert found(tmp_path, [HEADER + SEAT + PREMIUM, HEADER + PREMIUM + ACTIONS]) == {
        *(difference(m, None, None, v) for m, v in added.items()),  # no username: NULL
        *(difference(m, "mona", v, None) for m, v in dropped.items()),
    }
