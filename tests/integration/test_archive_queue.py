"""The archive queue: the real handlers against moto's SQS and S3 and the GitHub simulator.

The scheduled handler plans 300 organizations onto the queue; the worker handler gets SQS
events built from messages received from moto's queue, as Lambda's event source mapping
builds them, and its answer decides what is deleted and what comes back (and, after
maxReceiveCount receives, lands in the dead-letter queue, which moto's redrive policy does).
"""

from __future__ import annotations

import importlib.util
import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from copilot_archive.archiving.planner import Window
from tests.conftest import CANARY_TOKEN, ROOT, TODAY, FakeLambdaContext, bucket_objects, load_event

pytestmark = pytest.mark.loopback

ORGANIZATIONS = tuple(f"org-{n:03d}" for n in range(300))
# Two reports keep the test quick; the 28-day one shows how a latest window is queued.
REPORTS = ("organization-1-day", "organization-28-day")
WINDOW = Window.for_today(TODAY).days()
MAX_RECEIVE_COUNT = 3
RESERVE_MS = 90_000  # app.RESERVE_SECONDS


@pytest.fixture
def simulator() -> Iterator[Any]:
    from copilot_simulator import Simulator

    with Simulator(
        enterprises=("acme",), organizations=ORGANIZATIONS, users=2, today=TODAY, token=CANARY_TOKEN
    ) as sim:
        yield sim


@pytest.fixture
def sqs(aws_env: str) -> Any:
    import boto3

    return boto3.client("sqs")


@pytest.fixture
def queues(sqs: Any) -> dict[str, str]:
    """The stack's pair: the archive queue, redriving to its dead-letter queue."""
    name = f"archive-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(redrive)})["QueueUrl"]
    return {"url": url, "dlq": dlq_url}


@pytest.fixture
def queue_env(archiver_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, queues: dict[str, str]) -> None:
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ENTERPRISES", "")
    monkeypatch.setenv("ORGANIZATIONS", ",".join(ORGANIZATIONS))
    monkeypatch.setenv("REPORTS", ",".join(REPORTS))
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])
    runtime.archiver_from_env.cache_clear()


@pytest.fixture
def app(archiver_env: dict[str, str]) -> Any:
    spec = importlib.util.spec_from_file_location("archiver_app", ROOT / "functions" / "archiver" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def receive(sqs: Any, url: str, visibility: int = 60) -> list[dict[str, Any]]:
    """Every message visible now (one ReceiveMessage call takes at most 10)."""
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=visibility, AttributeNames=["All"]
    ).get("Messages", []):
        messages.extend(batch)
    return messages


def sqs_event(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers for one message (BatchSize 1)."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": message["Attributes"]["ApproximateReceiveCount"],
                    "SentTimestamp": message["Attributes"]["SentTimestamp"],
                    "SenderId": message["Attributes"]["SenderId"],
                    "ApproximateFirstReceiveTimestamp": message["Attributes"][
                        "ApproximateFirstReceiveTimestamp"
                    ],
                },
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
        ]
    }


def deliver(
    sqs: Any, url: str, app: Any, message: dict[str, Any], context: FakeLambdaContext | None = None
) -> dict[str, Any]:
    """Run the worker on one message as the event source mapping does: delete it on success,
    make it visible again when the worker reports it failed."""
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    answer: dict[str, Any] = app.worker_handler(sqs_event(message, arn), context or FakeLambdaContext())
    if answer["batchItemFailures"]:
        assert answer["batchItemFailures"] == [{"itemIdentifier": message["MessageId"]}]
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    else:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return answer


def manifests(s3: Any, bucket: str) -> set[tuple[str, str, str]]:
    """(report, organization, day) of every manifest."""
    found = set()
    for key in bucket_objects(s3, bucket):
        if "/manifests/" in key:
            parts = key.split("/")
            found.add(
                (parts[3], parts[4].split("=", 1)[1], parts[5].removeprefix("day=").removesuffix(".json"))
            )
    return found


class ExpiresAfter(FakeLambdaContext):
    """A Lambda context whose time runs low once the simulator has answered `calls` API calls."""

    def __init__(self, simulator: Any, calls: int) -> None:
        super().__init__()
        self.simulator = simulator
        self.calls = calls

    def get_remaining_time_in_millis(self) -> int:
        answered = sum(1 for r in self.simulator.requests if r.kind == "api")
        return 900_000 if answered < self.calls else RESERVE_MS


def test_a_scheduled_run_over_300_organizations_only_plans_and_queues_one_message_each(
    queue_env, app, sqs, queues, s3, bucket, simulator
):
    summary = app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    messages = receive(sqs, queues["url"])
    assert len(messages) == summary["queued_messages"] == len(ORGANIZATIONS)
    bodies = sorted((json.loads(m["Body"]) for m in messages), key=lambda b: b["organizations"])
    assert bodies == [
        {
            "days": [d.isoformat() for d in WINDOW],
            "reports": list(REPORTS),
            "organizations": [org],
            "force": False,
        }
        for org in ORGANIZATIONS
    ]
    # Nothing archived, and GitHub asked nothing: the workers do the asking.
    assert summary["counts"]["archived"] == 0 and bucket_objects(s3, bucket) == {}
    assert [r for r in simulator.requests if r.kind == "api"] == []
    assert summary["report_days_queued"] == len(ORGANIZATIONS) * (len(WINDOW) + 1)
    # The freshness alarm still hears from a run that only plans.
    assert summary["data_age_hours_by_level"]["organization"] > 0

    # Workers take a few of the messages off the queue and archive them from the simulator.
    taken = messages[:3]
    for message in taken:
        answer = deliver(sqs, queues["url"], app, message)
        assert answer == {"batchItemFailures": []}
    orgs = [json.loads(m["Body"])["organizations"][0] for m in taken]
    latest = simulator.latest_end_day(orgs[0], "organization-28-day").isoformat()
    assert manifests(s3, bucket) == {
        *(("organization-1-day", org, d.isoformat()) for org in orgs for d in WINDOW),
        *(("organization-28-day", org, latest) for org in orgs),
    }
    # The other messages are still on the queue (invisible until their timeout), none in the DLQ.
    attributes = sqs.get_queue_attributes(QueueUrl=queues["url"], AttributeNames=["All"])["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == len(ORGANIZATIONS) - len(taken)
    assert receive(sqs, queues["dlq"]) == []


def test_what_a_worker_defers_comes_back_as_a_message_with_the_remaining_days(
    queue_env, app, sqs, queues, s3, bucket, simulator, monkeypatch
):
    monkeypatch.setenv("MAX_WORKERS", "1")  # one report-day at a time: the cut is exact
    from copilot_archive.archiving import runtime

    runtime.archiver_from_env.cache_clear()
    days = [d.isoformat() for d in WINDOW[:6]]
    body = {"days": days, "reports": ["organization-1-day"], "organizations": ["org-007"], "force": False}
    sqs.send_message(QueueUrl=queues["url"], MessageBody=json.dumps(body))

    answer = deliver(sqs, queues["url"], app, receive(sqs, queues["url"])[0], ExpiresAfter(simulator, 2))

    assert answer == {"batchItemFailures": []}
    archived = sorted(day for _report, _org, day in manifests(s3, bucket))
    assert archived == days[:2]
    (again,) = receive(sqs, queues["url"])
    assert json.loads(again["Body"]) == {**body, "days": days[2:]}
    # The message that came back finishes the work.
    assert deliver(sqs, queues["url"], app, again) == {"batchItemFailures": []}
    assert sorted(day for _report, _org, day in manifests(s3, bucket)) == days
    assert receive(sqs, queues["url"]) == []


def test_a_worker_that_archives_nothing_puts_its_work_back_delayed(queue_env, app, sqs, queues, simulator):
    body = {"days": [WINDOW[0].isoformat()], "reports": ["organization-1-day"], "organizations": ["org-001"]}
    sqs.send_message(QueueUrl=queues["url"], MessageBody=json.dumps(body))

    deliver(sqs, queues["url"], app, receive(sqs, queues["url"])[0], ExpiresAfter(simulator, 0))

    attributes = sqs.get_queue_attributes(QueueUrl=queues["url"], AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"
    assert receive(sqs, queues["url"]) == []  # not before the delay


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"days": ["2025-10-20"], "organizations": ["not-configured"]}),
        json.dumps({"reports": ["organization-1-day"], "organizations": ["org-001"]}),  # no days
    ],
)
def test_a_poison_message_ends_in_the_dead_letter_queue(queue_env, app, sqs, queues, s3, bucket, body):
    sqs.send_message(QueueUrl=queues["url"], MessageBody=body)

    for receive_count in range(1, MAX_RECEIVE_COUNT + 1):
        (message,) = receive(sqs, queues["url"])
        assert message["Attributes"]["ApproximateReceiveCount"] == str(receive_count)
        assert deliver(sqs, queues["url"], app, message)["batchItemFailures"]

    assert receive(sqs, queues["url"]) == []
    (dead,) = receive(sqs, queues["dlq"])
    assert dead["Body"] == body
    assert bucket_objects(s3, bucket) == {}


def test_a_failed_report_day_brings_the_message_back(queue_env, app, sqs, queues, s3, bucket, simulator):
    day = WINDOW[3].isoformat()
    simulator.inject("download_html", times=10, report="organization-1-day", slug="org-002", day=day)
    body = {"days": [day], "reports": ["organization-1-day"], "organizations": ["org-002"], "force": False}
    sqs.send_message(QueueUrl=queues["url"], MessageBody=json.dumps(body))

    answer = deliver(sqs, queues["url"], app, receive(sqs, queues["url"])[0])

    assert answer["batchItemFailures"]
    (again,) = receive(sqs, queues["url"])
    assert json.loads(again["Body"]) == body and again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_one_enterprise_with_nothing_deferred_never_touches_the_queue(
    archiver_env, app, queues, sqs, s3, bucket, monkeypatch
):
    from copilot_archive.archiving import runtime
    from copilot_archive.archiving import sqs as sqs_adapter

    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])
    runtime.archiver_from_env.cache_clear()
    built: list[str] = []

    def no_client(self: Any) -> Any:
        built.append(self.queue_url)
        raise AssertionError("a run with nothing deferred built an SQS client")

    monkeypatch.setattr(sqs_adapter.SqsWorkQueue, "client", property(no_client))

    summary = app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    assert summary["counts"]["archived"] > 0 and summary["counts"]["deferred"] == 0
    assert summary["queued_messages"] == 0 and built == []
    assert receive(sqs, queues["url"]) == []


def test_a_scheduled_run_below_the_threshold_archives_and_queues_what_it_defers(
    archiver_env, app, queues, sqs, s3, bucket, simulator, monkeypatch
):
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("REPORTS", "enterprise-1-day")
    monkeypatch.setenv("MAX_WORKERS", "1")
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])
    runtime.archiver_from_env.cache_clear()

    summary = app.lambda_handler(load_event("scheduled-scheduler.json"), ExpiresAfter(simulator, 5))

    assert summary["counts"]["archived"] == 5
    deferred = summary["deferred"]
    assert len(deferred) == len(WINDOW) - 5 and all(d["queued"] for d in deferred)
    (message,) = receive(sqs, queues["url"])
    assert json.loads(message["Body"]) == {
        "days": [d["day"] for d in deferred],
        "reports": ["enterprise-1-day"],
        "enterprises": ["acme"],
        "force": False,
    }
    assert summary["queued"] == [
        {
            "enterprise": "acme",
            "first_day": deferred[0]["day"],
            "last_day": deferred[-1]["day"],
            "days": len(deferred),
            "reports": ["enterprise-1-day"],
        }
    ]
    assert summary["report_days_queued"] == len(deferred)


def test_days_that_expired_while_queued_are_dropped_not_failed(queue_env, app, sqs, queues, s3, bucket):
    expired = (WINDOW[0] - timedelta(days=400)).isoformat()
    body = {"days": [expired], "reports": ["organization-1-day"], "organizations": ["org-001"]}
    sqs.send_message(QueueUrl=queues["url"], MessageBody=json.dumps(body))

    assert deliver(sqs, queues["url"], app, receive(sqs, queues["url"])[0]) == {"batchItemFailures": []}
    assert receive(sqs, queues["url"]) == [] and bucket_objects(s3, bucket) == {}


def test_the_sample_queue_event_archives_its_report_days(archiver_env, app, s3, bucket, monkeypatch):
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("ARCHIVE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/unused")
    runtime.archiver_from_env.cache_clear()

    answer = app.worker_handler(load_event("archive-queue-message.json"), FakeLambdaContext())

    assert answer == {"batchItemFailures": []}
    assert {(report, day) for report, _slug, day in manifests(s3, bucket)} == {
        (report, day)
        for report in ("enterprise-1-day", "users-1-day")
        for day in ("2025-10-10", "2025-10-11")
    }


@pytest.fixture
def empty_token_secret(archiver_env, monkeypatch, aws_env) -> str:
    import boto3

    from copilot_archive.archiving import runtime

    name = f"copilot/just-deployed-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager").create_secret(Name=name)  # no value, as the stack creates it
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_TOKEN_SECRET", name)
    runtime.archiver_from_env.cache_clear()
    return name


def test_a_run_without_token_looks_again_in_15_minutes(empty_token_secret, app, queues, sqs, monkeypatch):
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])

    summary = app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    assert "not configured yet" in summary["not_configured"]
    assert summary["reconcile_again_in_seconds"] == 900
    attributes = sqs.get_queue_attributes(QueueUrl=queues["url"], AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"


def test_the_backfill_starts_at_the_first_wake_up_after_the_token_is_put(
    empty_token_secret, app, queues, sqs, s3, bucket, monkeypatch
):
    import boto3

    from copilot_archive.archiving import dispatch

    monkeypatch.setattr(dispatch, "WAKE_UP_DELAY_SECONDS", 0)  # SQS would hold each for 15 minutes
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])
    monkeypatch.setenv("ENTERPRISES", "acme")
    monkeypatch.setenv("REPORTS", "enterprise-1-day")
    app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    (first,) = receive(sqs, queues["url"])
    assert json.loads(first["Body"]) == {"reconcile_later": {"wake_ups_left": 23}}
    assert deliver(sqs, queues["url"], app, first) == {"batchItemFailures": []}  # still no token
    (second,) = receive(sqs, queues["url"])
    assert json.loads(second["Body"]) == {"reconcile_later": {"wake_ups_left": 22}}

    boto3.client("secretsmanager").put_secret_value(SecretId=empty_token_secret, SecretString=CANARY_TOKEN)
    assert deliver(sqs, queues["url"], app, second) == {"batchItemFailures": []}

    assert {day for _report, _slug, day in manifests(s3, bucket)} == {d.isoformat() for d in WINDOW}
    assert receive(sqs, queues["url"]) == []  # the chain ends once a run had a token


def test_the_last_wake_up_without_token_leaves_it_to_the_schedule(
    empty_token_secret, app, queues, sqs, monkeypatch
):
    monkeypatch.setenv("ARCHIVE_QUEUE_URL", queues["url"])
    sqs.send_message(
        QueueUrl=queues["url"], MessageBody=json.dumps({"reconcile_later": {"wake_ups_left": 0}})
    )

    assert deliver(sqs, queues["url"], app, receive(sqs, queues["url"])[0]) == {"batchItemFailures": []}

    attributes = sqs.get_queue_attributes(QueueUrl=queues["url"], AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesDelayed"] == "0"
    )


def test_a_forced_run_queues_its_deferred_days_forced(queue_env, app, sqs, queues, simulator, monkeypatch):
    from copilot_archive.archiving import runtime

    monkeypatch.setenv("MAX_WORKERS", "1")
    runtime.archiver_from_env.cache_clear()
    days = [d.isoformat() for d in WINDOW[:3]]
    event = {"days": days, "reports": ["organization-1-day"], "organizations": ["org-003"], "force": True}

    summary = app.lambda_handler(event, ExpiresAfter(simulator, 1))

    assert summary["counts"]["archived"] == 1
    (message,) = receive(sqs, queues["url"])
    assert json.loads(message["Body"]) == {**event, "days": days[1:]}


class RefusingSqs:
    """moto's SQS behind a client that refuses, in SendMessageBatch, the messages of `flaky`
    once as SQS's own fault (SenderFault false) and those of `bad` always as the sender's
    (SenderFault true); every other entry goes to moto as sent."""

    def __init__(self, client: Any, flaky: set[str], bad: set[str]) -> None:
        self.client = client
        self.flaky = set(flaky)
        self.bad = bad
        self.sent: list[str] = []  # the organization of every entry the run asked SQS to take

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        accepted, failed = [], []
        for entry in Entries:
            (org,) = json.loads(entry["MessageBody"])["organizations"]
            self.sent.append(org)
            if org in self.bad:
                failed.append(
                    {
                        "Id": entry["Id"],
                        "SenderFault": True,
                        "Code": "InvalidParameterValue",
                        "Message": "bad",
                    }
                )
            elif org in self.flaky:
                self.flaky.discard(org)
                failed.append({"Id": entry["Id"], "SenderFault": False, "Code": "InternalError"})
            else:
                accepted.append(entry)
        answer = self.client.send_message_batch(QueueUrl=QueueUrl, Entries=accepted) if accepted else {}
        return {"Successful": answer.get("Successful", []), "Failed": answer.get("Failed", []) + failed}


def test_a_message_sqs_refuses_is_retried_or_fails_the_run_naming_it_never_dropped(
    queue_env, app, sqs, queues, s3, bucket, monkeypatch
):
    from copilot_archive.archiving import sqs as sqs_adapter
    from copilot_archive.core.exceptions import QueueError

    refusing = RefusingSqs(sqs, flaky={"org-005"}, bad={"org-012"})
    monkeypatch.setattr(sqs_adapter.SqsWorkQueue, "client", property(lambda self: refusing))
    monkeypatch.setattr(sqs_adapter, "RETRY_PAUSE_SECONDS", 0)

    with pytest.raises(QueueError) as raised:
        app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    # The refused-once message was sent again and is on the queue; the one SQS blames on the
    # sender was asked once (a retry fails alike) and fails the run by name; the batches after
    # it were still sent.
    assert "organization:org-012" in str(raised.value) and "InvalidParameterValue" in str(raised.value)
    assert "org-005" not in str(raised.value)
    assert refusing.sent.count("org-005") == 2 and refusing.sent.count("org-012") == 1
    queued = sorted(json.loads(m["Body"])["organizations"][0] for m in receive(sqs, queues["url"]))
    assert queued == [org for org in ORGANIZATIONS if org != "org-012"]


# ---- The scope lists outside the environment (Lambda allows 4 KB of variables in all) ----

THOUSAND = tuple(f"octo-org-{n:04d}" for n in range(1000))


@pytest.fixture
def no_scope_variables(queue_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the stack sets the functions up: no ENTERPRISES or ORGANIZATIONS variable."""
    monkeypatch.delenv("ENTERPRISES", raising=False)
    monkeypatch.delenv("ORGANIZATIONS", raising=False)


def queued_scopes(url: str) -> list[tuple[str, str]]:
    """(level, slug) of every message on the queue, one scope a message. Read from moto's
    backend (its server runs in this process): receiving a thousand messages ten at a time
    takes moto minutes."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues[url.rsplit("/", 1)[1]]
    scopes = []
    for message in list(queue._messages):
        body = json.loads(message.body)
        assert body["days"] == [d.isoformat() for d in WINDOW] and body["force"] is False
        for level in ("enterprises", "organizations"):
            scopes.extend((level, slug) for slug in body.get(level, ()))
    return scopes


def test_a_scheduled_run_plans_every_one_of_1000_organizations_listed_in_the_scope_list_file(
    no_scope_variables, app, sqs, queues, s3, bucket, simulator, monkeypatch
):
    key = "copilot-metrics/config/scopes.json"
    document = json.dumps({"organizations": list(THOUSAND)}).encode()
    # Far more than the 4 KB Lambda allows all of a function's variables, or a CloudFormation
    # parameter value (4,096 bytes), could hold.
    assert len(document) > 4 * 4096
    s3.put_object(Bucket=bucket, Key=key, Body=document)
    monkeypatch.setenv("SCOPE_LIST_OBJECT", key)

    summary = app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    assert summary["queued_messages"] == len(THOUSAND)
    assert sorted(queued_scopes(queues["url"])) == [("organizations", org) for org in sorted(THOUSAND)]
    attributes = sqs.get_queue_attributes(QueueUrl=queues["url"], AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == str(len(THOUSAND))
    assert summary["report_days_queued"] == len(THOUSAND) * (len(WINDOW) + 1)
    assert [r for r in simulator.requests if r.kind == "api"] == []


def test_the_stacks_scope_lists_are_read_from_ssm_once_per_container(
    no_scope_variables, app, sqs, queues, s3, bucket, simulator, monkeypatch
):
    import boto3

    from copilot_archive.archiving import runtime

    ssm = boto3.client("ssm")
    suffix = uuid.uuid4().hex[:8]
    organizations = [f"org-{n:05d}" for n in range(40)]
    value = ",".join(organizations)
    ssm.put_parameter(Name=f"orgs-{suffix}", Value=value, Type="String")
    ssm.put_parameter(Name=f"ents-{suffix}", Value="acme", Type="String")
    monkeypatch.setenv("ORGANIZATIONS_PARAMETER", f"orgs-{suffix}")
    monkeypatch.setenv("ENTERPRISES_PARAMETER", f"ents-{suffix}")
    monkeypatch.setenv("REPORTS", ",".join((*REPORTS, "enterprise-1-day")))
    monkeypatch.setenv("QUEUE_FROM_SCOPES", "0")  # plan only: every scope becomes a message

    app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())
    # A second run in the same container reads nothing again: the lists changed, the run did not.
    ssm.put_parameter(Name=f"orgs-{suffix}", Value="org-other", Type="String", Overwrite=True)
    app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())

    expected = [("enterprises", "acme"), *(("organizations", org) for org in organizations)]
    assert sorted(queued_scopes(queues["url"])) == sorted(expected * 2)
    runtime.archiver_from_env.cache_clear()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (None, "does not exist: upload it"),
        (b'{"organizations": "octo-org"}', '"organizations" must be a list of strings'),
        (b"[" * 200_000, "is not JSON"),
        (json.dumps({"organizations": ["octo-org", "octo-org"]}).encode(), "lists a slug twice: octo-org"),
    ],
)
def test_a_missing_or_broken_scope_list_file_fails_the_run_naming_it(
    no_scope_variables, app, s3, bucket, monkeypatch, body, says
):
    from copilot_archive.core.exceptions import ConfigError

    key = "copilot-metrics/config/scopes.json"
    if body is not None:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    monkeypatch.setenv("SCOPE_LIST_OBJECT", key)

    with pytest.raises(ConfigError, match=re.escape(says)) as raised:
        app.lambda_handler(load_event("scheduled-scheduler.json"), FakeLambdaContext())
    assert key in str(raised.value) or "twice" in says


def test_a_failed_queue_message_publishes_the_metric_the_alarm_pages_on(queue_env, app, sqs, queues, capsys):
    sqs.send_message(QueueUrl=queues["url"], MessageBody="not json")

    (message,) = receive(sqs, queues["url"])
    assert deliver(sqs, queues["url"], app, message)["batchItemFailures"]

    published = [
        document
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and '"_aws"' in line
        for document in [json.loads(line)]
    ]
    failed = [d["QueueMessagesFailed"] for d in published if "QueueMessagesFailed" in d]
    # One message failed: one count (Powertools may write a value as a one-item list).
    assert [v for value in failed for v in (value if isinstance(value, list) else [value])] == [1.0]
