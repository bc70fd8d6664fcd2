"""Queue messages from pending report-days (pure), and the SQS adapter's handling of refusals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from copilot_archive.archiving.events import parse_event
from copilot_archive.archiving.planner import Window, plan_reconcile
from copilot_archive.archiving.sqs import SEND_ATTEMPTS, SqsWorkQueue
from copilot_archive.archiving.work_queue import (
    CHUNK_DAYS,
    ReconcileLater,
    WorkItem,
    batches,
    plan_items,
    spans_workers,
    work_items,
)
from copilot_archive.core.exceptions import InvalidRequest, QueueError
from copilot_archive.core.layout import Scope
from copilot_archive.core.reports import Level, Report

TODAY = date(2026, 11, 25)
WINDOW = Window.for_today(TODAY)
ACME = Scope(Level.ENTERPRISE, "acme")
OCTO = Scope(Level.ORGANIZATION, "octo")


def test_a_years_backfill_of_one_enterprise_is_one_message_per_30_days():
    reports = (Report.ENTERPRISE_1_DAY, Report.USERS_1_DAY, Report.ENTERPRISE_28_DAY)
    plan = plan_reconcile(WINDOW, [ACME], reports, {})

    items = plan_items(plan, WINDOW.last)

    days = WINDOW.days()
    assert len(days) == 365 and len(items) == 13 == -(-365 // CHUNK_DAYS)
    assert [item.days for item in items] == [
        tuple(days[i : i + CHUNK_DAYS]) for i in range(0, len(days), CHUNK_DAYS)
    ]
    # The 28-day report is asked only with the chunk holding yesterday, its only servable end day.
    assert [item.reports for item in items[:-1]] == [reports[:2]] * 12
    assert items[-1].reports == reports and items[-1].days[-1] == WINDOW.last
    assert {item.scope for item in items} == {ACME}


def test_each_scope_gets_its_own_messages_with_only_its_missing_days():
    archived = {(Report.ORGANIZATION_1_DAY, OCTO): frozenset(WINDOW.days()[:-2])}
    plan = plan_reconcile(
        WINDOW, [OCTO, ACME], (Report.ORGANIZATION_1_DAY, Report.ENTERPRISE_1_DAY), archived
    )

    items = plan_items(plan, WINDOW.last)

    assert [(item.scope, len(item.days)) for item in items] == [(ACME, 30)] * 12 + [(ACME, 5), (OCTO, 2)]
    assert items[-1].days == tuple(WINDOW.days()[-2:])
    assert items[-1].reports == (Report.ORGANIZATION_1_DAY,)


def test_a_message_body_is_a_manual_event_the_handler_accepts():
    item = WorkItem(OCTO, (WINDOW.last - timedelta(days=1), WINDOW.last), (Report.USERS_1_DAY,))

    event = json.loads(item.body())

    assert event == {
        "days": [d.isoformat() for d in item.days],
        "reports": ["users-1-day"],
        "organizations": ["octo"],
        "force": False,
    }
    request = parse_event(event, WINDOW, [ACME, OCTO])
    assert request.days == item.days and request.scopes == (OCTO,) and not request.force


def test_messages_are_the_same_whatever_the_order_of_the_pending_report_days():
    pending = [(Report.USERS_1_DAY, OCTO, d) for d in WINDOW.days()[:40]] + [
        (Report.ENTERPRISE_28_DAY, ACME, None)
    ]

    assert work_items(pending, WINDOW.last) == work_items(reversed(pending), WINDOW.last)


def test_batches_hold_at_most_ten_messages():
    items = [WorkItem(OCTO, (WINDOW.last,), (Report.USERS_1_DAY,))] * 23

    assert [len(b) for b in batches(items)] == [10, 10, 3]


class FakeSqs:
    """Refuses the entries named in `refuse` for the first `times` calls, as SQS's internal
    errors (SenderFault false), and those in `reject` on every call, as a fault of the sender."""

    def __init__(self, refuse: set[str], times: int, reject: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.times = times
        self.reject = reject
        self.calls: list[list[dict[str, Any]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        refused = [e for e in Entries if e["Id"] in self.refuse] if len(self.calls) <= self.times else []
        rejected = [e for e in Entries if e["Id"] in self.reject]
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e not in refused + rejected],
            "Failed": [{"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in refused]
            + [
                {
                    "Id": e["Id"],
                    "Code": "InvalidParameterValue",
                    "Message": "Message must be shorter than 262144 bytes.",
                    "SenderFault": True,
                }
                for e in rejected
            ],
        }


def items(n: int) -> list[WorkItem]:
    return [
        WorkItem(Scope(Level.ORGANIZATION, f"org-{i}"), (WINDOW.last,), (Report.USERS_1_DAY,))
        for i in range(n)
    ]


def test_refused_entries_are_sent_again_and_only_they():
    sqs = FakeSqs(refuse={"1", "4"}, times=1)

    SqsWorkQueue("https://queue", client=sqs, sleep=lambda _: None).send(items(5))

    assert [[e["Id"] for e in call] for call in sqs.calls] == [["0", "1", "2", "3", "4"], ["1", "4"]]
    assert json.loads(sqs.calls[1][1]["MessageBody"])["organizations"] == ["org-4"]


def test_entries_refused_on_every_attempt_fail_loudly_naming_them():
    sqs = FakeSqs(refuse={"2"}, times=SEND_ATTEMPTS)

    with pytest.raises(
        QueueError, match=r"refused 1 messages: organization:org-2 \S+ \(InternalError; refused 3 times\)$"
    ):
        SqsWorkQueue("https://queue", client=sqs, sleep=lambda _: None).send(items(3))
    assert len(sqs.calls) == SEND_ATTEMPTS


def test_an_entry_refused_as_the_senders_fault_is_not_retried_and_fails_naming_it_after_the_rest():
    # One of each kind in the first batch: the internal error is sent again and goes through;
    # the sender's fault would fail alike on every attempt, so it is named, never dropped.
    sqs = FakeSqs(refuse={"1"}, times=1, reject=frozenset({"3"}))

    with pytest.raises(QueueError) as raised:
        SqsWorkQueue("https://queue", client=sqs, sleep=lambda _: None).send(items(5))

    assert [[e["Id"] for e in call] for call in sqs.calls] == [["0", "1", "2", "3", "4"], ["1"]]
    assert json.loads(sqs.calls[1][0]["MessageBody"])["organizations"] == ["org-1"]
    message = str(raised.value)
    assert message.startswith("SQS refused 1 messages: organization:org-3 ")
    assert "InvalidParameterValue: Message must be shorter than 262144 bytes." in message
    assert "org-1" not in message


def test_a_delay_is_sent_with_the_message():
    sqs = FakeSqs(refuse=set(), times=0)
    item = WorkItem(OCTO, (WINDOW.last,), (Report.USERS_1_DAY,), delay_seconds=900)

    SqsWorkQueue("https://queue", client=sqs).send([item])

    assert sqs.calls[0][0]["DelaySeconds"] == 900


def test_a_first_backfill_or_many_scopes_go_to_the_workers_a_daily_increment_does_not():
    reports = (Report.ENTERPRISE_1_DAY, Report.USERS_1_DAY)
    year = plan_reconcile(WINDOW, [ACME], reports, {})
    done = frozenset(WINDOW.days()[:-2])
    increment = plan_reconcile(WINDOW, [ACME], reports, {(r, ACME): done for r in reports})
    many = [Scope(Level.ORGANIZATION, f"org-{i}") for i in range(21)]
    many_increments = plan_reconcile(
        WINDOW, many, (Report.ORGANIZATION_1_DAY,), {(Report.ORGANIZATION_1_DAY, s): done for s in many}
    )

    assert spans_workers(year, WINDOW.last, most_scopes=20)
    assert not spans_workers(increment, WINDOW.last, most_scopes=20)
    assert spans_workers(many_increments, WINDOW.last, most_scopes=20)
    assert not spans_workers(many_increments, WINDOW.last, most_scopes=21)


def test_a_wake_up_body_is_read_back_and_a_bad_one_refused():
    assert ReconcileLater.from_event(json.loads(ReconcileLater(5).body())) == ReconcileLater(5)
    assert ReconcileLater.from_event({"days": ["2026-11-01"]}) is None
    for bad in (
        {"reconcile_later": {"wake_ups_left": 99}},
        {"reconcile_later": 3},
        {"reconcile_later": {}, "x": 1},
    ):
        with pytest.raises(InvalidRequest):
            ReconcileLater.from_event(bad)
