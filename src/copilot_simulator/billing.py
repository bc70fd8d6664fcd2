"""GitHub's billing usage report exports, as the simulator serves them.

GitHub's REST reference, "Usage reports" (https://docs.github.com/en/rest/billing/usage-reports):
- `POST /enterprises/{enterprise}/settings/billing/reports` with `report_type` (`detailed`,
  `summarized`, `premium_request`, `ai_credit`), `start_date` and `end_date` starts an export
  that "will be processed asynchronously";
- `GET .../settings/billing/reports` lists them (`usage_report_exports`), and
  `GET .../settings/billing/reports/{report_id}` answers one: `status` `processing`, `completed`
  or `failed`, and once completed its `download_urls`.
The CSV's columns are those of "Billing reports reference"
(https://docs.github.com/en/billing/reference/billing-reports), "Metered usage report fields";
a detailed report spans at most 31 days, and new reports reach 24 months back.

Download links are signed and expire as the usage reports' links do. Billing figures are
revised after the fact: `revise(slug, day)` makes every later export of that day answer other
figures (the switch a test flips between two runs).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copilot_simulator.server import Simulator

REPORTS_PATH = re.compile(
    r"^/enterprises/(?P<slug>[^/]+)/settings/billing/reports(?:/(?P<id>[0-9a-f-]{36}))?$"
)
DOWNLOAD_PATH = re.compile(r"^/billing-exports/(?P<id>[0-9a-f-]{36})/(?P<index>\d+)$")
# Faults (Simulator.inject, report "billing-usage") the export's API calls may meet.
API_FAULTS = frozenset({"api_error", "api_reset", "api_slow", "rate_limit_429"})
REPORT_TYPES = frozenset({"detailed", "summarized", "premium_request", "ai_credit"})
# The report type the simulator generates; the others are answered as GitHub documents them
# but hold no rows here.
SERVED_REPORT_TYPE = "detailed"
MAX_DETAILED_DAYS = 31
HISTORY_MONTHS = 24
# "Metered usage report fields", in the reference's order (the detailed report's set).
DETAILED_COLUMNS = (
    "date",
    "product",
    "sku",
    "quantity",
    "unit_type",
    "applied_cost_per_quantity",
    "gross_amount",
    "discount_amount",
    "net_amount",
    "username",
    "organization",
    "repository",
    "workflow_path",
    "cost_center_name",
)
# Copilot Business per seat and month (USD), prorated per day in the metered report.
SEAT_PRICE = 19.0
PREMIUM_REQUEST_PRICE = 0.04
ACTIONS_MINUTE_PRICE = 0.008


@dataclass(slots=True)
class Export:
    id: str
    slug: str
    report_type: str
    start: date
    end: date
    created_at: datetime
    revisions: dict[date, int]  # each day's revision when the export was created
    polls_left: int
    status: str = "processing"

    def to_json(self, links: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "report_type": self.report_type,
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "status": self.status,
            "created_at": self.created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "actor": "billing-bot",
        }
        if self.status == "completed":
            body["download_urls"] = links
        return body


@dataclass
class BillingExports:
    """The exports of every enterprise the simulator serves, and each day's revision."""

    simulator: Simulator
    # GETs of an export that answer `processing` before it is `completed`.
    polls_before_complete: int = 1
    users: int = 4
    # True: exports end `failed` instead of `completed`, as GitHub documents they may.
    failing: bool = False
    # Enterprises ("enterprise:acme") whose token may read the usage reports but not billing (a
    # Copilot metrics token, not an enterprise admin's or billing manager's): answered 403.
    refused: frozenset[str] = frozenset()
    exports: dict[str, Export] = field(default_factory=dict)
    revisions: dict[tuple[str, date], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def revise(self, slug: str, day: date) -> None:
        """GitHub corrects a day's figures: exports created from now on answer the new ones."""
        with self._lock:
            self.revisions[(slug, day)] = self.revisions.get((slug, day), 0) + 1

    def csv_bytes(self, slug: str, start: date, end: date, revisions: dict[date, int] | None = None) -> bytes:
        """Exactly the bytes an export of these days downloads (revisions: as of its creation)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(DETAILED_COLUMNS)
        day = start
        while day <= end:
            if day < self.simulator.today:
                revision = (revisions or {}).get(day, self.revisions.get((slug, day), 0))
                writer.writerows(self._rows(slug, day, revision))
            day += timedelta(days=1)
        return out.getvalue().encode()

    def _rows(self, slug: str, day: date, revision: int) -> list[list[str]]:
        rng = random.Random(f"{self.simulator.book._seed}:{slug}:{day.isoformat()}:{revision}")
        rows: list[list[str]] = []
        for index in range(self.users):
            login = f"{slug}-dev-{index:06d}"
            organization = f"{slug}-org-{'ab'[index % 2]}"
            cost_center = "platform" if index % 2 == 0 else ""
            seat = round(1 / 30, 4)  # a seat-day, in user-months
            rows.append(
                _row(
                    day,
                    "copilot",
                    "copilot_business",
                    seat,
                    "user-months",
                    SEAT_PRICE,
                    0.0,
                    login,
                    organization,
                    "",
                    "",
                    cost_center,
                )
            )
            requests = rng.randint(0, 40)
            if requests:
                included = min(requests, rng.randint(0, 30))
                rows.append(
                    _row(
                        day,
                        "copilot",
                        "copilot_premium_request",
                        requests,
                        "requests",
                        PREMIUM_REQUEST_PRICE,
                        included * PREMIUM_REQUEST_PRICE,
                        login,
                        organization,
                        "",
                        "",
                        cost_center,
                    )
                )
        minutes = rng.randint(10, 500)
        rows.append(
            _row(
                day,
                "actions",
                "actions_linux",
                minutes,
                "minutes",
                ACTIONS_MINUTE_PRICE,
                0.0,
                "",
                f"{slug}-org-a",
                f"{slug}-org-a/service",
                ".github/workflows/ci.yml",
                "",
            )
        )
        return rows

    # ---- HTTP ------------------------------------------------------------------------

    def create(self, slug: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        report_type = body.get("report_type")
        if report_type not in REPORT_TYPES:
            return 422, {"message": f"Invalid report_type {report_type!r}"}
        try:
            start = date.fromisoformat(str(body["start_date"]))
            end = date.fromisoformat(str(body.get("end_date") or body["start_date"]))
        except (KeyError, ValueError):
            return 422, {"message": "start_date and end_date must be dates (YYYY-MM-DD)"}
        today = self.simulator.today
        oldest = _months_before(today, HISTORY_MONTHS)
        if end < start or end > today:
            return 422, {"message": "end_date must be on or after start_date and not in the future"}
        if start < oldest:
            return 422, {"message": f"start_date must be on or after {oldest.isoformat()} (24 months)"}
        if report_type == "detailed" and (end - start).days + 1 > MAX_DETAILED_DAYS:
            return 422, {"message": "A detailed report spans at most 31 days"}
        with self._lock:
            days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
            export = Export(
                id=str(uuid.uuid4()),
                slug=slug,
                report_type=report_type,
                start=start,
                end=end,
                created_at=datetime.fromtimestamp(self.simulator.clock(), UTC),
                revisions={day: self.revisions.get((slug, day), 0) for day in days},
                polls_left=self.polls_before_complete,
            )
            self.exports[export.id] = export
        return 202, export.to_json([])

    def get(self, slug: str, export_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            export = self.exports.get(export_id)
            if export is None or export.slug != slug:
                return 404, {"message": "Not Found"}
            if export.polls_left > 0:
                export.polls_left -= 1
            elif export.status == "processing":
                export.status = "failed" if self.failing else "completed"
        return 200, export.to_json(self._links(export))

    def listing(self, slug: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            mine = [e for e in self.exports.values() if e.slug == slug]
        return 200, {"usage_report_exports": [e.to_json(self._links(e)) for e in mine]}

    def file(self, export_id: str, index: int) -> bytes | None:
        export = self.exports.get(export_id)
        if export is None or export.status != "completed" or index != 0:
            return None
        if export.report_type != SERVED_REPORT_TYPE:
            return ",".join(DETAILED_COLUMNS).encode() + b"\n"
        return self.csv_bytes(export.slug, export.start, export.end, export.revisions)

    def _links(self, export: Export) -> list[str]:
        sim = self.simulator
        expires = int(sim.clock() + sim.link_ttl_seconds)
        path = f"/billing-exports/{export.id}/0"
        return [f"{sim.api_url}{path}?expires={expires}&signature={sim._sign(path, expires)}"]


def is_download(path: str) -> bool:
    return DOWNLOAD_PATH.match(path) is not None


def serve(handler: Any, sim: Simulator, path: str, query: dict[str, list[str]]) -> bool:
    """Answer a billing request on `handler`; False when `path` is not one."""
    download = DOWNLOAD_PATH.match(path)
    if download is not None:
        body = None
        if sim._link_is_valid(path, query):
            body = sim.billing.file(download["id"], int(download["index"]))
        if body is None:
            handler._send(403, b"<Error><Code>AuthenticationFailed</Code></Error>", "application/xml")
        else:
            handler._send(200, body, "text/csv")
        return True
    match = REPORTS_PATH.match(path)
    if match is None:
        return False
    slug = match["slug"]
    credential, status, message = sim._report_credential(
        handler.headers.get("Authorization"), f"enterprise:{slug.lower()}"
    )
    if credential is None:
        handler._json(status, {"message": message})
        return True
    refused, handler._quota_headers = sim._spend_quota(credential)
    if refused:
        handler._json(403, {"message": "API rate limit exceeded"})
        return True
    if slug not in sim.enterprises:
        handler._json(404, {"message": "Not Found"})
        return True
    if f"enterprise:{slug.lower()}" in sim.billing.refused:
        handler._json(403, {"message": "Resource not accessible by personal access token"})
        return True
    fault = sim._take_fault(API_FAULTS, slug, "billing-usage", "")
    if fault is not None and handler._api_fault(sim, fault):
        return True
    if handler.command == "POST" and match["id"] is None:
        try:
            body = json.loads(getattr(handler, "_body", b"") or b"{}")
        except ValueError:
            handler._json(400, {"message": "Problems parsing JSON"})
            return True
        handler._json(*sim.billing.create(slug, body if isinstance(body, dict) else {}))
    elif handler.command == "GET" and match["id"] is not None:
        handler._json(*sim.billing.get(slug, match["id"]))
    elif handler.command == "GET":
        handler._json(*sim.billing.listing(slug))
    else:
        handler._json(404, {"message": "Not Found"})
    return True


def _row(
    day: date,
    product: str,
    sku: str,
    quantity: float,
    unit_type: str,
    price: float,
    discount: float,
    username: str,
    organization: str,
    repository: str,
    workflow_path: str,
    cost_center: str,
) -> list[str]:
    gross = round(quantity * price, 4)
    discount = round(min(discount, gross), 4)
    return [
        day.isoformat(),
        product,
        sku,
        _number(quantity),
        unit_type,
        _number(price),
        _number(gross),
        _number(discount),
        _number(round(gross - discount, 4)),
        username,
        organization,
        repository,
        workflow_path,
        cost_center,
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 4))


def _months_before(day: date, months: int) -> date:
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    return date(year, month + 1, min(day.day, 28))
