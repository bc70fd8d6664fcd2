"""The simulated seat roster: who holds a Copilot seat on a day, as GitHub's seat endpoints serve it.

GitHub's REST reference, "REST API endpoints for Copilot user management"
(https://docs.github.com/en/enterprise-cloud@latest/rest/copilot/copilot-user-management):
`GET /enterprises/{enterprise}/copilot/billing/seats` and `GET /orgs/{org}/copilot/billing/seats`
answer `{"total_seats": n, "seats": [...]}`, paginated (`per_page` at most 100, default 50, a
Link header), and `GET /orgs/{org}/copilot/billing` an organization's `seat_breakdown`.

The roster agrees with the usage reports of the same book: every user of the usage reports holds
a seat all year; besides them, holders who never use Copilot are seated and unseated over the
year, some with a pending cancellation first; some of those seated before the reports begin used
Copilot until shortly before (no report shows it). `last_activity_at` is the holder's last active
day, cleared (null) after 90 days without activity, as GitHub does. At enterprise
level a holder seated through two organizations has two seat entries and counts once in
`total_seats`.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from copilot_simulator.reports import DATA_START, HISTORY_DAYS, ReportBook, enterprise_id_of

# GitHub clears last_activity_at once a holder has been inactive this long.
ACTIVITY_KEPT_DAYS = 90
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# A cancellation is announced this many days before the seat goes (the end of the billing cycle).
PENDING_DAYS = 25
# The editor a holder who stopped before the reports begin last used.
LAPSED_EDITOR = "vscode/1.93.1/copilot/1.229.0"
_TEAMS = ("platform", "payments", "mobile", "data")


@dataclass(frozen=True, slots=True)
class Holder:
    """One seat holder: a usage-report user (`profile` set) or a holder who never uses Copilot."""

    user_id: int
    login: str
    seated_on: date
    removed_on: date | None  # the first day without the seat
    plan_type: str
    team: str | None
    second_org: bool  # at enterprise level, seated through a second organization as well
    profile: int | None = None
    last_used: date | None = None  # a holder who stopped using Copilot before the reports begin

    def last_active(self, day: date) -> date | None:
        """`last_used` as GitHub shows it on `day`: within the 90 days it keeps, else cleared."""
        if self.last_used is None or not 1 <= (day - self.last_used).days <= ACTIVITY_KEPT_DAYS:
            return None
        return self.last_used

    def seated(self, day: date) -> bool:
        return self.seated_on <= day and (self.removed_on is None or day < self.removed_on)

    def pending_cancellation(self, day: date) -> date | None:
        if self.removed_on is not None and day >= self.removed_on - timedelta(days=PENDING_DAYS):
            return self.removed_on
        return None


class SeatBook:
    """Seat holders per scope and the pages GitHub would serve for a snapshot day."""

    def __init__(self, book: ReportBook, idle_holders: int | Mapping[str, int] | None = None, seed: int = 1):
        self._book = book
        self._idle = idle_holders
        self._seed = seed
        self._lock = threading.Lock()
        self._holders: dict[str, list[Holder]] = {}
        self._rosters: OrderedDict[tuple[str, bool, date], tuple[list[dict[str, Any]], int]] = OrderedDict()

    def idle_count(self, slug: str) -> int:
        if self._idle is None:
            return max(2, self._book.user_count(slug) // 3)
        if isinstance(self._idle, Mapping):
            return self._idle.get(slug, 0)
        return self._idle

    def holders(self, slug: str) -> list[Holder]:
        with self._lock:
            cached = self._holders.get(slug)
        if cached is not None:
            return cached
        rng = random.Random(f"{self._seed}|{slug}|seats")
        holders: list[Holder] = []
        for profile in self._book.profiles(slug):
            seated_on = DATA_START - timedelta(days=30 + int(rng.random() * 300))
            plan = "enterprise" if rng.random() < 0.3 else "business"
            team = _TEAMS[int(rng.random() * len(_TEAMS))] if rng.random() < 0.4 else None
            holders.append(
                Holder(
                    profile.user_id,
                    profile.login,
                    seated_on,
                    None,
                    plan,
                    team,
                    rng.random() < 0.1,
                    profile.index,
                )
            )
        base = 1_000_000 + int(enterprise_id_of(slug)) * 1000
        span = HISTORY_DAYS + 60
        # A generator of its own, so adding the lapsed holders left every other value as it was.
        lapses = random.Random(f"{self._seed}|{slug}|lapsed")
        for index in range(self.idle_count(slug)):
            # Half were seated before the reports begin; the others over the year that follows.
            if rng.random() < 0.5:
                seated_on = DATA_START - timedelta(days=1 + int(rng.random() * 300))
            else:
                seated_on = DATA_START + timedelta(days=int(rng.random() * span))
            removed_on = (
                seated_on + timedelta(days=20 + int(rng.random() * 200)) if rng.random() < 0.4 else None
            )
            plan = "enterprise" if rng.random() < 0.3 else "business"
            team = _TEAMS[int(rng.random() * len(_TEAMS))] if rng.random() < 0.3 else None
            # Some seated before the reports begin used Copilot until the last weeks before them:
            # their last_activity_at shows that day, then is cleared 90 days later.
            last_used = None
            if lapses.random() < 0.4 and seated_on < DATA_START:
                last_used = max(seated_on, DATA_START - timedelta(days=1 + int(lapses.random() * 60)))
            holders.append(
                Holder(
                    base + index * 3 + 2,
                    f"{slug}-seat-{index:06d}",
                    seated_on,
                    removed_on,
                    plan,
                    team,
                    False,
                    last_used=last_used,
                )
            )
        with self._lock:
            self._holders[slug] = holders
        return holders

    def last_active_days(self, slug: str, day: date) -> dict[int, date]:
        """Per usage-report user (profile index), the last day before `day` with activity, within
        the 90 days GitHub keeps last_activity_at."""
        found: dict[int, date] = {}
        wanted = len(self._book.profiles(slug))
        for back in range(1, ACTIVITY_KEPT_DAYS + 1):
            each = day - timedelta(days=back)
            if each < DATA_START or len(found) == wanted:
                break
            for activity in self._book.activity(slug, each):
                found.setdefault(activity.index, each)
        return found

    def roster(self, slug: str, enterprise: bool, day: date) -> tuple[list[dict[str, Any]], int]:
        """The seat entries of a snapshot day in GitHub's order, and total_seats (distinct holders)."""
        key = (slug, enterprise, day)
        with self._lock:
            if key in self._rosters:
                return self._rosters[key]
        last_active = self.last_active_days(slug, day)
        profiles = self._book.profiles(slug)
        seats: list[dict[str, Any]] = []
        total = 0
        for holder in self.holders(slug):
            if not holder.seated(day):
                continue
            total += 1
            active = (
                last_active.get(holder.profile) if holder.profile is not None else holder.last_active(day)
            )
            editor = LAPSED_EDITOR if active is not None else None
            if active is not None and holder.profile is not None:
                ide = profiles[holder.profile].ide
                editor = f"{ide[0]}/{ide[1]}/{ide[2]}/{ide[3]}"
            orgs = [f"{slug}-eng", f"{slug}-research"] if holder.second_org else [f"{slug}-eng"]
            for org in orgs if enterprise else [None]:
                seats.append(_seat(holder, day, active, editor, org, slug))
        with self._lock:
            self._rosters[key] = (seats, total)
            while len(self._rosters) > 8:
                self._rosters.popitem(last=False)
        return seats, total

    def breakdown(self, slug: str, day: date) -> dict[str, Any]:
        """GET /orgs/{org}/copilot/billing: the seat breakdown and the organization's settings."""
        seats, total = self.roster(slug, False, day)
        cycle_start = day.replace(day=1)
        active = sum(
            1
            for s in seats
            if s["last_activity_at"] and s["last_activity_at"][:10] >= cycle_start.isoformat()
        )
        return {
            "seat_breakdown": {
                "total": total,
                "added_this_cycle": sum(1 for s in seats if s["created_at"][:10] >= cycle_start.isoformat()),
                "pending_invitation": 0,
                "pending_cancellation": sum(1 for s in seats if s["pending_cancellation_date"]),
                "active_this_cycle": active,
                "inactive_this_cycle": total - active,
            },
            "seat_management_setting": "assign_selected",
            "ide_chat": "enabled",
            "platform_chat": "enabled",
            "cli": "enabled",
            "public_code_suggestions": "block",
            "plan_type": "business",
        }


def _stamp(day: date, seconds: int) -> str:
    return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"


def _seat(
    holder: Holder, day: date, active: date | None, editor: str | None, org: str | None, slug: str
) -> dict[str, Any]:
    moment = holder.user_id % 86_000
    seat: dict[str, Any] = {
        "created_at": _stamp(holder.seated_on, moment),
        "updated_at": _stamp(max(holder.seated_on, day - timedelta(days=holder.user_id % 40)), moment),
        "pending_cancellation_date": None,
        "last_activity_at": _stamp(active, moment) if active else None,
        "last_activity_editor": editor,
        "last_authenticated_at": _stamp(active, moment) if active else None,
        "plan_type": holder.plan_type,
        "assignee": {
            "login": holder.login,
            "id": holder.user_id,
            "node_id": f"MDQ6VXNlcj{holder.user_id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{holder.user_id}?v=4",
            "url": f"https://api.github.com/users/{holder.login}",
            "html_url": f"https://github.com/{holder.login}",
            "type": "User",
            "site_admin": False,
        },
        "assigning_team": None,
    }
    pending = holder.pending_cancellation(day)
    if pending is not None:
        seat["pending_cancellation_date"] = pending.isoformat()
    if holder.team is not None:
        team_id = int(enterprise_id_of(f"{slug}|{holder.team}"))
        seat["assigning_team"] = {
            "id": team_id,
            "node_id": f"MDQ6VGVhbT{team_id}",
            "name": holder.team.title(),
            "slug": holder.team,
            "description": None,
            "privacy": "closed",
            "notification_setting": "notifications_enabled",
            "permission": "pull",
            "url": f"https://api.github.com/teams/{team_id}",
            "html_url": f"https://github.com/orgs/{org or slug}/teams/{holder.team}",
        }
    if org is not None:
        org_id = int(enterprise_id_of(org))
        seat["organization"] = {
            "login": org,
            "id": org_id,
            "node_id": f"MDEyOk9yZ2FuaXphdGlvbj{org_id}",
            "url": f"https://api.github.com/orgs/{org}",
            "description": None,
        }
    return seat
