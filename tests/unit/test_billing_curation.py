"""billing_usage_daily from raw CSV bytes: GitHub's names mapped, the latest revision of a day wins."""

from __future__ import annotations

import json
from datetime import date

import pyarrow.parquet as pq
import pytest

from copilot_archive.core.curated_schema import BILLING_USAGE_DAILY
from copilot_archive.core.exceptions import CurationError
from copilot_archive.indexing.billing import GITHUB_COLUMNS, curate_billing_usage, curated_billing_files

DETAILED = (
    b"date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,"
    b"net_amount,username,organization,repository,workflow_path,cost_center_name\n"
    b"2026-05-01,copilot,copilot_premium_request,30,requests,0.04,1.2,0.52,0.68,mona,octo-a,,,platform\n"
    b"2026-05-01,actions,actions_linux,100,minutes,0.008,0.8,0,0.8,,octo-a,octo-a/api,.github/workflows/ci.yml,\n"
    b"2026-05-02,copilot,copilot_business,0.0333,user-months,19,0.6327,0,0.6327,hubot,octo-b,,,\n"
)
# The columns in another order, with `model` (as the usage-based billing exports carry it).
AI_CREDITS = (
    "\ufeffusername,date,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,"
    "discount_amount,net_amount,exceeds_quota,organization,cost_center_name\n"
    "mona,2026-05-02,copilot,copilot_ai_credit,Claude Sonnet 4.5,250,ai-credits,0.01,2.5,1,1.5,True,octo-a,\n"
).encode()


def test_every_column_of_the_table_but_lineage_and_extra_comes_from_one_github_name():
    named = set(GITHUB_COLUMNS.values()) - {"day"}
    assert named == set(BILLING_USAGE_DAILY.column_names) - {"source_line", "extra"}


def test_a_detailed_export_curates_one_row_per_line_under_our_names():
    days = curate_billing_usage([DETAILED])

    assert list(days) == [date(2026, 5, 1), date(2026, 5, 2)]
    first = days[date(2026, 5, 1)].to_pylist()
    assert first[0] == {
        "product": "copilot",
        "sku": "copilot_premium_request",
        "model": None,
        "user_login": "mona",
        "organization": "octo-a",
        "repository": None,
        "cost_center": "platform",
        "quantity": 30.0,
        "unit_type": "requests",
        "price_per_unit": 0.04,
        "gross_amount": 1.2,
        "discount_amount": 0.52,
        "net_amount": 0.68,
        "source_line": 2,
        "extra": None,
    }
    assert first[1]["repository"] == "octo-a/api" and first[1]["user_login"] is None
    assert json.loads(first[1]["extra"]) == {"workflow_path": ".github/workflows/ci.yml"}
    assert days[date(2026, 5, 2)].column("source_line").to_pylist() == [4]


def test_a_header_in_another_order_with_a_model_maps_by_name():
    (rows,) = curate_billing_usage([AI_CREDITS]).values()
    (row,) = rows.to_pylist()
    assert (row["user_login"], row["model"], row["net_amount"]) == ("mona", "Claude Sonnet 4.5", 1.5)
    assert json.loads(row["extra"]) == {"exceeds_quota": "True"}


def test_the_latest_revision_of_a_day_replaces_its_rows_and_leaves_other_days():
    revised = (
        b"date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,"
        b"net_amount,username,organization,repository,workflow_path,cost_center_name\n"
        b"2026-05-02,copilot,copilot_business,0.0333,user-months,19,0.6327,0.6327,0,hubot,octo-b,,,\n"
    )

    days = curate_billing_usage([DETAILED, revised])

    assert days[date(2026, 5, 2)].column("net_amount").to_pylist() == [0.0]  # the correction only
    assert days[date(2026, 5, 1)].num_rows == 2  # a day the revision does not hold is kept
    assert curate_billing_usage([revised, DETAILED])[date(2026, 5, 2)].column("net_amount").to_pylist() == [
        0.6327
    ]


def test_a_number_that_does_not_fit_is_null_and_kept_as_given():
    text = b"date,product,quantity,net_amount\n2026-05-01,copilot,n/a,1e999\n"
    (row,) = curate_billing_usage([text])[date(2026, 5, 1)].to_pylist()
    assert row["quantity"] is None and row["net_amount"] is None
    assert json.loads(row["extra"]) == {"quantity": "n/a", "net_amount": "1e999"}


def test_a_file_without_a_date_column_is_refused():
    with pytest.raises(CurationError, match="no date column"):
        curate_billing_usage([b"product,sku\ncopilot,x\n"])


def test_each_day_is_written_under_its_partition_key(tmp_path):
    files = curated_billing_files("copilot-metrics", "acme", [DETAILED])

    assert sorted(files) == [
        "copilot-metrics/curated/enterprise/billing_usage_daily/enterprise=acme/day=2026-05-01/part-0000.parquet",
        "copilot-metrics/curated/enterprise/billing_usage_daily/enterprise=acme/day=2026-05-02/part-0000.parquet",
    ]
    path = tmp_path / "one.parquet"
    path.write_bytes(next(iter(files.values())))
    assert pq.read_table(path).column_names == list(BILLING_USAGE_DAILY.column_names)
