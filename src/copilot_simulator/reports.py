"""Deterministic content of the simulated Copilot usage-metrics reports.

Every byte is a pure function of (seed, enterprise slug, report, day, user count), so a
file downloaded twice hashes the same and two simulators with equal settings agree.
Each piece of randomness comes from its own `random.Random` seeded with a string, never
the global generator.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

DATA_START = date(2025, 10, 10)  # GitHub keeps these reports from this day on
HISTORY_DAYS = 365  # ... and at most one year back
WINDOW_DAYS = 28

ENTERPRISE_1_DAY = "enterprise-1-day"
USERS_1_DAY = "users-1-day"
ENTERPRISE_28_DAY = "enterprise-28-day"
USERS_28_DAY = "users-28-day"
ORGANIZATION_1_DAY = "organization-1-day"
ORGANIZATION_28_DAY = "organization-28-day"
USER_TEAMS_1_DAY = "user-teams-1-day"
REPOS_1_DAY = "repos-1-day"
ONE_DAY_REPORTS = (ENTERPRISE_1_DAY, USERS_1_DAY, ORGANIZATION_1_DAY, USER_TEAMS_1_DAY, REPOS_1_DAY)
LATEST_REPORTS = (ENTERPRISE_28_DAY, USERS_28_DAY, ORGANIZATION_28_DAY)
REPORT_KINDS = ONE_DAY_REPORTS + LATEST_REPORTS
# The reports each level serves, by the API path's owner segment.
REPORTS_BY_OWNER = {
    "enterprises": frozenset(
        {ENTERPRISE_1_DAY, USERS_1_DAY, ENTERPRISE_28_DAY, USERS_28_DAY, USER_TEAMS_1_DAY, REPOS_1_DAY}
    ),
    "orgs": frozenset(
        {ORGANIZATION_1_DAY, USERS_1_DAY, ORGANIZATION_28_DAY, USERS_28_DAY, USER_TEAMS_1_DAY, REPOS_1_DAY}
    ),
}
# GitHub documents 204 (no content) for a day without data on these endpoints.
NO_CONTENT_WHEN_EMPTY = frozenset({ORGANIZATION_1_DAY, USER_TEAMS_1_DAY, REPOS_1_DAY})

_METRICS = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
_IDES = (
    ("vscode", "1.106.2", "copilot-chat", "0.33.3", 0.6),
    ("intellij", "2025.2.4", "copilot-intellij", "1.5.59", 0.2),
    ("visualstudio", "17.14.19", "copilot-vs", "17.14.878", 0.1),
    ("neovim", "0.11.4", "copilot.vim", "1.54.0", 0.05),
    ("xcode", "26.1", "copilot-xcode", "0.44.0", 0.05),
)
_LANGUAGES = (
    "python",
    "typescript",
    "javascript",
    "java",
    "go",
    "csharp",
    "rust",
    "ruby",
    "cpp",
    "markdown",
    "yaml",
    "sql",
)
_CHAT_MODELS = ("gpt-4.1", "claude-sonnet-4.5", "gpt-5-mini", "gemini-2.5-pro", "gpt-5")
# The reference's phase values (github/docs copilot-usage-metrics.md); `version` as its example.
_PHASES = ((0, "No Cohort"), (1, "Phase 1"), (2, "Phase 2"), (3, "Phase 3"))
_PHASE_VERSION = "v1"
_COMMENT_TYPES = ("bug_risk", "security", "performance", "maintainability")
# Partner agent apps as GitHub's example schema names them (agent_id is a string there).
_THIRD_PARTY_AGENTS = (("2246796", "Claude (Anthropic)"), ("2248422", "Codex (OpenAI)"))
_TEAM_NAMES = ("platform", "payments", "mobile", "data", "security", "frontend", "infra", "devex", "search")
_REPO_NAMES = ("api", "web", "ios", "android", "infra", "docs", "billing", "search", "ml-pipelines", "tools")
# GitHub leaves teams with fewer seated users than this out of user-teams-1-day.
MIN_TEAM_SEATS = 5
_CACHE_BYTES = 1 << 30  # keeps a 256 MiB report plus its neighbours in memory
SMALL_LINES_CACHED = 2048  # report-days of the small reports (a few KiB to 100 KiB each)


def compact(obj: Any) -> bytes:
    """One NDJSON line: compact JSON and a newline."""
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def enterprise_id_of(slug: str) -> str:
    return str(100_000 + int.from_bytes(hashlib.sha256(slug.encode()).digest()[:4]) % 900_000)


def enterprise_shape(day: date) -> str:
    """Which of the two published enterprise-1-day shapes a day uses: "flat" or "wrapper"."""
    return "flat" if day.toordinal() % 2 == 0 else "wrapper"


def window(end_day: date) -> list[date]:
    """The 28 days of a latest report ending on end_day, oldest first."""
    return [end_day - timedelta(days=offset) for offset in range(WINDOW_DAYS - 1, -1, -1)]


def split_lines(lines: list[bytes], links: int) -> list[bytes]:
    """Contiguous chunks of whole lines, one per link; never more links than lines (min 1)."""
    count = max(1, min(links, len(lines)))
    return [
        b"".join(lines[len(lines) * index // count : len(lines) * (index + 1) // count])
        for index in range(count)
    ]


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What stays the same for one user from day to day."""

    index: int
    user_id: int
    login: str
    ide: tuple[str, str, str, str, float]
    languages: tuple[str, ...]
    chat_model: str
    chats: bool
    uses_agent: bool
    uses_cli: bool
    uses_coding_agent: bool
    intensity: float
    phase: tuple[int, str]
    uses_app: bool = False  # the Copilot app
    agents: tuple[int, ...] = ()  # indexes into _THIRD_PARTY_AGENTS


@dataclass(frozen=True, slots=True)
class Activity:
    """One user's flags on one day they were active."""

    index: int
    used_chat: bool
    used_agent: bool
    used_cli: bool
    used_copilot_coding_agent: bool
    code_review: str | None = None  # "active", "passive", or None: no code review signal
    used_copilot_app: bool = False
    agents: tuple[int, ...] = ()  # the third-party agents used that day


@dataclass(frozen=True, slots=True)
class Team:
    """A team of the enterprise and its members (indexes into the profiles), the same every day."""

    team_id: int
    slug: str
    members: tuple[int, ...]
    joined: tuple[date, ...]  # the day each member joined the team, in `members` order

    def members_on(self, day: date) -> list[int]:
        return [index for index, joined in zip(self.members, self.joined, strict=True) if joined <= day]


def _pick_ide(draw: float) -> tuple[str, str, str, str, float]:
    for ide in _IDES:
        draw -= ide[4]
        if draw < 0:
            return ide
    return _IDES[0]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split an integer into `parts` non-negative integers that add up to it."""
    if parts == 1:
        return [total]
    cuts = sorted(int(total * rng.random()) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _split_within(total: int, caps: list[int]) -> list[int]:
    """Split total in proportion to caps with no part above its cap (total <= sum(caps))."""
    cap_sum = sum(caps)
    parts = [min(cap, total * cap // cap_sum) for cap in caps] if cap_sum else [0] * len(caps)
    left = total - sum(parts)
    for position, cap in enumerate(caps):
        take = min(left, cap - parts[position])
        parts[position] += take
        left -= take
    return parts


def _metrics(interactions: int, generations: int, accept_rate: float, loc: int) -> list[int]:
    acceptances = int(generations * accept_rate)
    deletions = loc // 7
    return [
        interactions,
        generations,
        acceptances,
        loc,
        deletions,
        int(loc * accept_rate),
        int(deletions * accept_rate),
    ]


def _add(target: list[int], values: list[int]) -> None:
    for position, value in enumerate(values):
        target[position] += value


def _named(values: list[int], names: tuple[str, ...] = _METRICS) -> dict[str, int]:
    return dict(zip(names, values, strict=True))


class ReportBook:
    """Builds and caches the bytes of every report an enterprise can ask for."""

    def __init__(
        self,
        users: Mapping[str, int],
        *,
        seed: int = 1,
        empty_days: Iterable[str] = (),
        organizations_only: Iterable[str] = (),
        final_newline: bool = True,
        cache_bytes: int = _CACHE_BYTES,
        odd_lines: bool = False,
    ) -> None:
        self._users = dict(users)
        # True: user lines are served in the odd shapes GitHub's files have (see `oddly_shaped`);
        # the enterprise totals are still the sums of the well-formed lines.
        self._odd_lines = odd_lines
        # False: every users-1-day file's last line lacks its newline (GitHub does not promise one).
        self._final_newline = final_newline
        self._seed = seed
        self._empty_days = frozenset(empty_days)
        # Scopes served at organization level only: their user-teams lines carry organization_id
        # where an enterprise's carry enterprise_id (a slug at both levels is served as an enterprise).
        self._organizations_only = frozenset(organizations_only)
        self._cache_bytes = cache_bytes
        self._files: OrderedDict[tuple[str, str, date, int], list[bytes]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        # Generation is CPU-bound under the GIL; one at a time stops two threads
        # building the same 256 MiB report side by side.
        self._generate_lock = threading.Lock()
        self._profiles: dict[str, list[UserProfile]] = {}
        self._activity: OrderedDict[tuple[str, date], list[Activity]] = OrderedDict()
        # The lines of the small reports, asked for by the API call (204 when empty, how many
        # links), the links and each download: built once, not once for each.
        self._small_lines: OrderedDict[tuple[str, str, date], list[bytes]] = OrderedDict()
        # Published days GitHub changed since (restate): (slug, day) -> (user line field, amount added).
        self._restated: dict[tuple[str, date], tuple[str, int]] = {}

    # ---- public --------------------------------------------------------------------

    def restate(self, slug: str, day: date, metric: str, add: int) -> None:
        """Change a published day from now on, as GitHub restates one: `add` is added to `metric`
        of each of the day's user lines, and so to the totals that sum it. Every report built
        from then on (the day's 1-day reports, each 28-day report holding it) says so."""
        with self._lock:
            self._restated[(slug, day)] = (metric, add)
            self._files.clear()
            self._cached_bytes = 0
            self._small_lines.clear()

    def user_count(self, slug: str) -> int:
        return self._users[slug]

    def is_empty_day(self, day: date) -> bool:
        return day.isoformat() in self._empty_days

    def line_count(self, slug: str, report: str, day: date) -> int:
        """Lines in a report without building it (cheap: drives the number of links)."""
        if report == USERS_1_DAY:
            return len(self.activity(slug, day))
        if report == USERS_28_DAY:
            return sum(len(self.activity(slug, each)) for each in window(day))
        if report == ENTERPRISE_1_DAY:
            return 0 if self.is_empty_day(day) else 1
        if report in NO_CONTENT_WHEN_EMPTY:
            return len(self.lines(slug, report, day))
        return 1

    def files(self, slug: str, report: str, day: date, links: int) -> list[bytes]:
        """The bytes served per link, in link order (for 28-day reports day is the end)."""
        key = (slug, report, day, links)
        with self._lock:
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]
        with self._generate_lock:
            with self._lock:
                if key in self._files:
                    return self._files[key]
            files = split_lines(self.lines(slug, report, day), links)
            if report == USERS_1_DAY and not self._final_newline:
                files = [f.removesuffix(b"\n") for f in files]
            self._remember(key, files)
            return files

    def lines(self, slug: str, report: str, day: date) -> list[bytes]:
        if report in (USERS_1_DAY, USERS_28_DAY):
            return self._lines(slug, report, day)  # big: the files cache keeps them
        key = (slug, report, day)
        with self._lock:
            cached = self._small_lines.get(key)
        if cached is not None:
            return list(cached)
        lines = self._lines(slug, report, day)
        with self._lock:
            self._small_lines[key] = lines
            while len(self._small_lines) > SMALL_LINES_CACHED:
                self._small_lines.popitem(last=False)
        return list(lines)

    def _lines(self, slug: str, report: str, day: date) -> list[bytes]:
        if report == USERS_1_DAY:
            return [compact(record) for record in self._served_records(slug, day)]
        if report == USERS_28_DAY:
            start, end = window(day)[0].isoformat(), day.isoformat()
            prefix = f'{{"report_start_day":"{start}","report_end_day":"{end}",'.encode()
            return [
                prefix + compact(record)[1:]
                for each in window(day)
                for record in self._served_records(slug, each)
            ]
        if report == ENTERPRISE_1_DAY:
            if self.is_empty_day(day):
                return []
            return [compact(self._enterprise_1_day(slug, day))]
        if report == ENTERPRISE_28_DAY:
            return [compact(self._enterprise_28_day(slug, day))]
        if report == ORGANIZATION_1_DAY:
            if self.is_empty_day(day):
                return []
            return [compact({"organization_id": enterprise_id_of(slug), **self._enterprise_1_day(slug, day)})]
        if report == ORGANIZATION_28_DAY:
            return [
                compact({"organization_id": enterprise_id_of(slug), **self._enterprise_28_day(slug, day)})
            ]
        if report == USER_TEAMS_1_DAY:
            return [compact(record) for record in self.team_records(slug, day)]
        if report == REPOS_1_DAY:
            return [compact(record) for record in self.repo_records(slug, day)]
        raise ValueError(f"unknown report {report!r}")

    # ---- users ---------------------------------------------------------------------

    def profiles(self, slug: str) -> list[UserProfile]:
        count = self._users[slug]
        with self._lock:
            cached = self._profiles.get(slug)
        if cached is not None and len(cached) == count:
            return cached
        rng = random.Random(f"{self._seed}|{slug}|profiles")
        base = 1_000_000 + int(enterprise_id_of(slug)) * 1000
        # Generators of their own, so adding the app and partner agents left every other value as it was.
        apps = random.Random(f"{self._seed}|{slug}|app-profiles")
        profiles = []
        for index in range(count):
            app_draws = apps.random(), apps.random(), apps.random()
            chats = rng.random() < 0.75
            languages = tuple(rng.sample(_LANGUAGES, 1 + int(rng.random() * 2.5)))
            profiles.append(
                UserProfile(
                    index=index,
                    user_id=base + index * 3 + 1,
                    login=f"{slug}-dev-{index:06d}",
                    ide=_pick_ide(rng.random()),
                    languages=languages,
                    chat_model=_CHAT_MODELS[int(rng.random() * len(_CHAT_MODELS))],
                    chats=chats,
                    uses_agent=chats and rng.random() < 0.55,
                    uses_cli=rng.random() < 0.2,
                    uses_coding_agent=rng.random() < 0.1,
                    intensity=0.3 + rng.random() * 2.2,
                    phase=_PHASES[int(rng.random() * len(_PHASES))],
                    uses_app=app_draws[0] < 0.3,
                    agents=tuple(i for i, draw in enumerate(app_draws[1:]) if draw < 0.2 - 0.05 * i),
                )
            )
        with self._lock:
            self._profiles[slug] = profiles
        return profiles

    def activity(self, slug: str, day: date) -> list[Activity]:
        """Who was active on a day, in user order; stable per (slug, day)."""
        key = (slug, day)
        with self._lock:
            cached = self._activity.get(key)
        if cached is not None:
            return cached
        active: list[Activity] = []
        if not self.is_empty_day(day):
            rng = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|activity")
            # A generator of its own, so adding code review left every other value as it was.
            review = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|review")
            apps = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|apps")
            share = 0.6 + 0.3 * rng.random()
            for profile in self.profiles(slug):
                if rng.random() >= share:
                    continue
                flags = rng.random(), rng.random(), rng.random(), rng.random()
                signal = review.random()
                app_draw, agent_draws = apps.random(), (apps.random(), apps.random())
                active.append(
                    Activity(
                        index=profile.index,
                        used_chat=profile.chats and flags[0] < 0.85,
                        used_agent=profile.uses_agent and flags[1] < 0.7,
                        used_cli=profile.uses_cli and flags[2] < 0.6,
                        used_copilot_coding_agent=profile.uses_coding_agent and flags[3] < 0.4,
                        code_review="active" if signal < 0.15 else "passive" if signal < 0.35 else None,
                        used_copilot_app=profile.uses_app and app_draw < 0.6,
                        agents=tuple(i for i in profile.agents if agent_draws[i] < 0.5),
                    )
                )
        with self._lock:
            self._activity[key] = active
            while len(self._activity) > 400:
                self._activity.popitem(last=False)
        return active

    def user_records(self, slug: str, day: date) -> Iterator[dict[str, Any]]:
        profiles = self.profiles(slug)
        rng = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|users")
        enterprise_id = enterprise_id_of(slug)
        day_iso = day.isoformat()
        etl_id = hashlib.md5(f"{slug}|{day_iso}".encode()).hexdigest()
        apps = random.Random(f"{self._seed}|{slug}|{day_iso}|app-usage")
        edits = random.Random(f"{self._seed}|{slug}|{day_iso}|agent-edits")
        restated = self._restated.get((slug, day))
        for activity in self.activity(slug, day):
            record = _user_record(profiles[activity.index], activity, rng, day_iso, enterprise_id, etl_id)
            if restated is not None:
                metric, add = restated
                record[metric] += add
            record = _with_apps(record, activity, apps)
            # With odd lines, the enterprise totals (sums of these records) carry agent edits too.
            yield _with_agent_edits(record, edits) if self._odd_lines else record

    def _served_records(self, slug: str, day: date) -> Iterator[dict[str, Any]]:
        records = self.user_records(slug, day)
        if not self._odd_lines:
            return records
        rng = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|odd-lines")
        return (oddly_shaped(record, rng) for record in records)

    # ---- teams and repositories ----------------------------------------------------

    def teams(self, slug: str) -> list[Team]:
        """Every team of the enterprise, those GitHub leaves out of its report too; the first is
        always below MIN_TEAM_SEATS, members overlap, some join later, some users are in no team."""
        profiles = self.profiles(slug)
        rng = random.Random(f"{self._seed}|{slug}|teams")
        base = 7_000_000 + int(enterprise_id_of(slug)) * 100
        teams = []
        for index in range(max(2, len(profiles) // 8)):
            name = _TEAM_NAMES[index % len(_TEAM_NAMES)]
            team_slug = name if index < len(_TEAM_NAMES) else f"{name}-{index // len(_TEAM_NAMES) + 1}"
            size = MIN_TEAM_SEATS - 2 if index == 0 else MIN_TEAM_SEATS + int(rng.random() * 12)
            members = sorted(rng.sample(range(len(profiles)), min(size, len(profiles))))
            # Beyond its first MIN_TEAM_SEATS members (a seated team stays seated), a quarter of a
            # team's members join during the first weeks: membership changes over time.
            late = [position >= MIN_TEAM_SEATS and rng.random() < 0.25 for position in range(len(members))]
            joined = [DATA_START + timedelta(days=int(rng.random() * 40) if later else 0) for later in late]
            teams.append(Team(base + index * 7 + 3, team_slug, tuple(members), tuple(joined)))
        return teams

    def team_records(self, slug: str, day: date) -> Iterator[dict[str, Any]]:
        """user-teams-1-day: a line per member of each team of MIN_TEAM_SEATS or more members that
        day, whether the member was active that day or not; nothing on a day without data."""
        if self.is_empty_day(day):
            return
        profiles = self.profiles(slug)
        # GitHub: enterprise_id at enterprise scope, organization_id at organization scope.
        scope = "organization_id" if slug in self._organizations_only else "enterprise_id"
        scope_id = enterprise_id_of(slug)
        for team in self.teams(slug):
            members = team.members_on(day)
            if len(members) < MIN_TEAM_SEATS:
                continue
            for index in members:
                yield {
                    "day": day.isoformat(),
                    scope: scope_id,
                    "team_id": team.team_id,
                    "slug": team.slug,
                    "user_id": profiles[index].user_id,
                    "user_login": profiles[index].login,
                }

    def repo_records(self, slug: str, day: date) -> Iterator[dict[str, Any]]:
        """repos-1-day: a line per repository with pull-request activity that day (no `day` field);
        nothing on a day without data (nobody active)."""
        if self.is_empty_day(day):
            return
        active = len(self.activity(slug, day))
        names = random.Random(f"{self._seed}|{slug}|repos")
        base = 900_000_000 + int(enterprise_id_of(slug)) * 100
        rng = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|repos")
        for index in range(max(3, len(self.profiles(slug)) // 5)):
            name = _REPO_NAMES[index % len(_REPO_NAMES)]
            weight = 0.2 + names.random()  # seeded per enterprise: a repository keeps its weight
            created = int(active * 0.3 * weight * (0.5 + rng.random()))
            if index == 0 and active:
                created = max(1, created)  # the main repository sees a pull request on any active day
            merged = int(created * (0.5 + 0.4 * rng.random()))
            reviewed = int(created * (0.6 + 0.6 * rng.random()))
            if not created and not reviewed:
                continue
            median_minutes = round(60 + 600 * rng.random(), 1)
            yield {
                "repo_id": base + index * 11 + 5,
                "repo_name": f"{slug}/{name}" if index < len(_REPO_NAMES) else f"{slug}/{name}-{index}",
                "pull_requests": _pull_requests(created, merged, reviewed, median_minutes, rng),
            }

    # ---- enterprise ----------------------------------------------------------------

    def day_totals(self, slug: str, day: date) -> dict[str, Any]:
        """One day element of an enterprise report: sums over that day's user lines."""
        totals = [0] * len(_METRICS)
        by_ide: dict[str, list[int]] = {}
        by_feature: dict[str, list[int]] = {}
        by_language_feature: dict[tuple[str, str], list[int]] = {}
        by_language_model: dict[tuple[str, str], list[int]] = {}
        by_model_feature: dict[tuple[str, str], list[int]] = {}
        records = list(self.user_records(slug, day))
        for user in records:
            _add(totals, [user[name] for name in _METRICS])
            for row in user["totals_by_ide"]:
                _add(by_ide.setdefault(row["ide"], [0] * 7), [row[n] for n in _METRICS])
            for row in user["totals_by_feature"]:
                key = row["feature"]
                _add(by_feature.setdefault(key, [0] * 7), [row[n] for n in _METRICS])
            for row in user["totals_by_language_feature"]:
                pair = (row["language"], row["feature"])
                _add(by_language_feature.setdefault(pair, [0] * 6), [row[n] for n in _METRICS[1:]])
            for row in user["totals_by_language_model"]:
                pair = (row["language"], row["model"])
                _add(by_language_model.setdefault(pair, [0] * 7), [row[n] for n in _METRICS])
            for row in user["totals_by_model_feature"]:
                pair = (row["model"], row["feature"])
                _add(by_model_feature.setdefault(pair, [0] * 7), [row[n] for n in _METRICS])

        today = self.activity(slug, day)
        week = self._active_since(slug, day, 7)
        month = self._active_since(slug, day, WINDOW_DAYS)
        rng = random.Random(f"{self._seed}|{slug}|{day.isoformat()}|pulls")
        created = int(len(today) * (0.2 + 0.3 * rng.random()))
        merged = int(created * (0.5 + 0.4 * rng.random()))
        reviewed = int(created * (0.6 + 0.6 * rng.random()))
        median_minutes = round(60 + 600 * rng.random(), 1)
        pulls = _pull_requests(created, merged, reviewed, median_minutes, rng)
        record: dict[str, Any] = {
            "day": day.isoformat(),
            "enterprise_id": enterprise_id_of(slug),  # GitHub's sample repeats it in each day element
            "daily_active_users": len(today),
            "weekly_active_users": len(week),
            "monthly_active_users": len(month),
            "monthly_active_chat_users": sum(1 for a in month.values() if a[0]),
            "monthly_active_agent_users": sum(1 for a in month.values() if a[1]),
            "daily_active_cli_users": sum(1 for a in today if a.used_cli),
            "daily_active_copilot_cloud_agent_users": sum(1 for a in today if a.used_copilot_coding_agent),
            "weekly_active_copilot_cloud_agent_users": sum(1 for a in week.values() if a[3]),
            "monthly_active_copilot_cloud_agent_users": sum(1 for a in month.values() if a[3]),
            # A user with both signals in a period counts as active only.
            "daily_active_copilot_code_review_users": sum(1 for a in today if a.code_review == "active"),
            "weekly_active_copilot_code_review_users": sum(1 for a in week.values() if a[4]),
            "monthly_active_copilot_code_review_users": sum(1 for a in month.values() if a[4]),
            "daily_passive_copilot_code_review_users": sum(1 for a in today if a.code_review == "passive"),
            "weekly_passive_copilot_code_review_users": sum(1 for a in week.values() if a[5] and not a[4]),
            "monthly_passive_copilot_code_review_users": sum(1 for a in month.values() if a[5] and not a[4]),
            # GitHub sends null, not 0, for a day without app activity.
            "daily_active_copilot_app_users": sum(1 for a in today if a.used_copilot_app) or None,
            **_named(totals),
            "pull_requests": pulls,
            "totals_by_ide": [{"ide": k, **_named(v)} for k, v in sorted(by_ide.items())],
            "totals_by_feature": [{"feature": k, **_named(v)} for k, v in sorted(by_feature.items())],
            "totals_by_language_feature": [
                {"language": k[0], "feature": k[1], **_named(v, _METRICS[1:])}
                for k, v in sorted(by_language_feature.items())
            ],
            "totals_by_language_model": [
                {"language": k[0], "model": k[1], **_named(v)} for k, v in sorted(by_language_model.items())
            ],
            "totals_by_model_feature": [
                {"model": k[0], "feature": k[1], **_named(v)} for k, v in sorted(by_model_feature.items())
            ],
            "totals_by_ai_adoption_phase": _phase_totals(records, pulls, len(today)),
        }
        cli = _summed_totals(records, "totals_by_cli")
        if cli:  # omitted when nobody used the CLI that day
            record["totals_by_cli"] = cli
        # null without app activity, as GitHub sends it
        record["totals_by_copilot_app"] = _summed_totals(records, "totals_by_copilot_app")
        agents = _agent_totals(records)
        if agents:  # omitted without partner agent activity
            record["totals_by_3rd_party_agent"] = agents
        return record

    def _active_since(self, slug: str, day: date, days: int) -> dict[int, list[bool]]:
        """Users active in the `days` days ending on `day`:
        index -> [chat, agent, cli, cloud agent, code review active, code review passive]."""
        seen: dict[int, list[bool]] = {}
        for offset in range(days):
            for a in self.activity(slug, day - timedelta(days=offset)):
                flags = seen.setdefault(a.index, [False] * 6)
                flags[0] |= a.used_chat
                flags[1] |= a.used_agent
                flags[2] |= a.used_cli
                flags[3] |= a.used_copilot_coding_agent
                flags[4] |= a.code_review == "active"
                flags[5] |= a.code_review == "passive"
        return seen

    def _header(self, slug: str, day: date) -> dict[str, Any]:
        return {
            "enterprise_id": enterprise_id_of(slug),
            "etl_id": hashlib.md5(f"{slug}|{day.isoformat()}|enterprise".encode()).hexdigest(),
            "day_partition": day.isoformat(),
            "entity_id_partition": int(enterprise_id_of(slug)),
        }

    def _created_at(self, day: date) -> dict[str, str]:
        """When a wrapper report was generated (the reference lists it for wrappers only)."""
        return {"created_at": f"{(day + timedelta(days=1)).isoformat()}T06:12:44.000Z"}

    def _organization_header(self, slug: str) -> dict[str, Any]:
        return {"organization_id": enterprise_id_of(slug)}

    def _enterprise_1_day(self, slug: str, day: date) -> dict[str, Any]:
        if enterprise_shape(day) == "flat":
            return {**self._header(slug, day), **self.day_totals(slug, day)}
        return {
            **self._header(slug, day),
            **self._created_at(day),
            "report_start_day": day.isoformat(),
            "report_end_day": day.isoformat(),
            "day_totals": [self.day_totals(slug, day)],
        }

    def _enterprise_28_day(self, slug: str, end_day: date) -> dict[str, Any]:
        days = window(end_day)
        return {
            **self._header(slug, end_day),
            **self._created_at(end_day),
            "report_start_day": days[0].isoformat(),
            "report_end_day": end_day.isoformat(),
            "day_totals": [self.day_totals(slug, each) for each in days],
        }

    # ---- cache ---------------------------------------------------------------------

    def _remember(self, key: tuple[str, str, date, int], files: list[bytes]) -> None:
        size = sum(len(f) for f in files)
        with self._lock:
            self._files[key] = files
            self._cached_bytes += size
            while self._cached_bytes > self._cache_bytes and len(self._files) > 1:
                _, dropped = self._files.popitem(last=False)
                self._cached_bytes -= sum(len(f) for f in dropped)


def _user_record(
    profile: UserProfile,
    activity: Activity,
    rng: random.Random,
    day_iso: str,
    enterprise_id: str,
    etl_id: str,
) -> dict[str, Any]:
    """One users-1-day line; totals are the sums of the by-feature rows."""
    scale = profile.intensity * (0.4 + rng.random() * 1.2)
    accept_rate = 0.2 + 0.5 * rng.random()
    features: list[tuple[str, str, list[int]]] = [
        (
            "code_completion",
            "default",
            _metrics(0, int(40 * scale) + 1, accept_rate, int(120 * scale)),
        )
    ]
    if activity.used_chat:
        interactions = int(6 * scale) + 1
        features.append(
            (
                "chat_panel_ask_mode",
                profile.chat_model,
                _metrics(interactions, interactions * 2, accept_rate, int(60 * scale)),
            )
        )
        if rng.random() < 0.3:
            features.append(
                (
                    "chat_panel_edit_mode",
                    profile.chat_model,
                    _metrics(2, 4, accept_rate, int(90 * scale)),
                )
            )
    if activity.used_agent:
        interactions = int(4 * scale) + 1
        features.append(
            (
                "chat_panel_agent_mode",
                profile.chat_model,
                _metrics(interactions, interactions * 3, accept_rate, int(300 * scale)),
            )
        )
        features.append(("agent_edit", profile.chat_model, _metrics(0, interactions, 0.9, int(250 * scale))))

    totals = [0] * len(_METRICS)
    by_feature = []
    by_language_feature = []
    by_language_model: dict[tuple[str, str], list[int]] = {}
    by_model_feature = []
    for feature, model, values in features:
        _add(totals, values)
        named = _named(values)
        by_feature.append({"feature": feature, **named})
        by_model_feature.append({"model": model, "feature": feature, **named})
        # Split each feature over the user's languages so language rows add up too.
        # Bounded columns follow their bound, so acceptances never exceed generations.
        count = len(profile.languages)
        interaction_parts, generation_parts, add_parts, delete_parts = (
            _split(values[i], count, rng) for i in (0, 1, 3, 4)
        )
        shares = [
            interaction_parts,
            generation_parts,
            _split_within(values[2], generation_parts),
            add_parts,
            delete_parts,
            _split_within(values[5], add_parts),
            _split_within(values[6], delete_parts),
        ]
        for position, language in enumerate(profile.languages):
            part = [column[position] for column in shares]
            # The reference: this breakdown has no user_initiated_interaction_count.
            by_language_feature.append(
                {"language": language, "feature": feature, **_named(part[1:], _METRICS[1:])}
            )
            _add(by_language_model.setdefault((language, model), [0] * 7), part)

    review = activity.code_review
    ide, ide_version, plugin, plugin_version, _ = profile.ide
    sampled_at = f"{day_iso}T{int(rng.random() * 24):02d}:{int(rng.random() * 60):02d}:07.000Z"
    record: dict[str, Any] = {
        "day": day_iso,
        "enterprise_id": enterprise_id,
        "user_id": profile.user_id,
        "user_login": profile.login,
        **_named(totals),
        "used_agent": activity.used_agent,
        "used_chat": activity.used_chat,
        "used_cli": activity.used_cli,
        "used_copilot_coding_agent": activity.used_copilot_coding_agent,
        # The same value under its newer name; both are sent.
        "used_copilot_cloud_agent": activity.used_copilot_coding_agent,
        "used_copilot_code_review_active": None if review is None else review == "active",
        "used_copilot_code_review_passive": None if review is None else review == "passive",
        "ai_credits_used": round(totals[1] * 0.013 + totals[0] * 0.04, 2),
        "totals_by_ide": [
            {
                "ide": ide,
                **_named(totals),
                "last_known_ide_version": {"ide_version": ide_version, "sampled_at": sampled_at},
                "last_known_plugin_version": {
                    "plugin": plugin,
                    "plugin_version": plugin_version,
                    "sampled_at": sampled_at,
                },
            }
        ],
        "totals_by_feature": by_feature,
        "totals_by_language_feature": by_language_feature,
        "totals_by_language_model": [
            {"language": k[0], "model": k[1], **_named(v)} for k, v in by_language_model.items()
        ],
        "totals_by_model_feature": by_model_feature,
    }
    if activity.used_cli:
        requests = int(12 * scale) + 1
        record["totals_by_cli"] = {
            "prompt_count": requests // 2 + 1,
            "request_count": requests,
            "session_count": 1 + requests // 10,
            "token_usage": {
                "avg_tokens_per_request": round(1800 + rng.random() * 900, 1),
                "output_tokens_sum": requests * 420,
                "prompt_tokens_sum": requests * 1900,
            },
            "last_known_cli_version": {"cli_version": "0.0.354", "sampled_at": sampled_at},
        }
    record["ai_adoption_phase"] = {
        "phase": profile.phase[1],
        "phase_number": profile.phase[0],
        "version": _PHASE_VERSION,
    }
    record["etl_id"] = etl_id
    record["day_partition"] = day_iso
    record["entity_id_partition"] = int(enterprise_id)
    return record


# What `odd_lines` serves, each on its share of the user lines (drawn per line, independently):
# the shapes a production user of the API reports (ministryofjustice's pipeline notes).
REDUCED_SHARE = 0.25  # every used_* flag null; the counts and credits stay
ALIAS_SHARE = 0.3  # the languages of both language breakdowns under another name
NON_LANGUAGE_SHARE = 0.1  # one more totals_by_language_feature element for a non-language
MISFIT_SHARE = 0.05  # loc_added_sum as a string: a value that does not fit its column
NULL_ELEMENT_SHARE = 0.05  # a null element at the head of totals_by_feature: not a misfit
AGENT_EDIT_SHARE = 0.3  # lines whose loc_added_sum counts agent edits, never suggested
UNKNOWN_SHARE = 0.2  # a field GitHub added before anyone typed it, at the top and in elements
LANGUAGE_ALIASES = {"python": "py", "typescript": "ts", "javascript": "js", "ruby": "rb"}
NON_LANGUAGES = ("prompt", "vscode")
UNKNOWN_TOP = "totals_by_custom_agent"
UNKNOWN_IN_IDE = "surface_detail"  # in each totals_by_ide element


def _with_agent_edits(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """loc_added_sum counts agent edits, which loc_suggested_to_add_sum does not (a production
    user's notes): on some lines more lines are added than were ever suggested."""
    if rng.random() >= AGENT_EDIT_SHARE:
        return record
    return {**record, "loc_added_sum": record["loc_added_sum"] + 2 * record["loc_suggested_to_add_sum"] + 1}


def oddly_shaped(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A user record as GitHub has served some: reduced, aliased, mistyped or with unknown fields."""
    reduced, aliased, non_language, misfit, unknown, null = (rng.random() for _ in range(6))
    odd = dict(record)
    if reduced < REDUCED_SHARE:
        odd.update({name: None for name in odd if name.startswith("used_")})
    if aliased < ALIAS_SHARE:
        for name in ("totals_by_language_feature", "totals_by_language_model"):
            odd[name] = [
                {**e, "language": LANGUAGE_ALIASES.get(e["language"], e["language"])} for e in odd[name]
            ]
    if non_language < NON_LANGUAGE_SHARE and odd["totals_by_language_feature"]:
        first = odd["totals_by_language_feature"][0]
        language = NON_LANGUAGES[int(non_language * 100) % len(NON_LANGUAGES)]
        odd["totals_by_language_feature"] = [
            *odd["totals_by_language_feature"],
            {**first, "language": language},
        ]
    if misfit < MISFIT_SHARE:
        odd["loc_added_sum"] = str(odd["loc_added_sum"])
    if null < NULL_ELEMENT_SHARE:
        odd["totals_by_feature"] = [None, *odd["totals_by_feature"]]
    if unknown < UNKNOWN_SHARE:
        count = odd["user_initiated_interaction_count"]
        odd[UNKNOWN_TOP] = [{"custom_agent": "reviewer", "user_initiated_interaction_count": count}]
        odd["totals_by_ide"] = [{**e, UNKNOWN_IN_IDE: "editor"} for e in odd["totals_by_ide"]]
    return odd


def _agent_sessions(interactions: int) -> int:
    """A user's sessions with a partner agent: GitHub sends them in aggregated reports only."""
    return 1 + interactions // 3


def _with_apps(record: dict[str, Any], activity: Activity, rng: random.Random) -> dict[str, Any]:
    """A user line with its Copilot app and partner-agent fields. The app's prompts are the
    interactions of a `copilot_app` feature row (a feature value the project's notes list; no
    GitHub page read says whether it counts in the top-level totals: here it does, so the totals
    stay the sums of the feature rows); partner agents' interactions are their own, outside the
    totals, as GitHub's changelog of 2026-08-07 is quoted."""
    record["used_copilot_app"] = activity.used_copilot_app
    if activity.used_copilot_app:
        prompts = 1 + int(rng.random() * 8)
        requests = prompts * (2 + int(rng.random() * 3))
        output, prompt = (
            requests * (300 + int(rng.random() * 400)),
            requests * (1200 + int(rng.random() * 900)),
        )
        record["totals_by_copilot_app"] = {
            "prompt_count": prompts,
            "request_count": requests,
            "session_count": 1 + prompts // 4,
            "token_usage": {
                "avg_tokens_per_request": round((output + prompt) / requests, 1),
                "output_tokens_sum": output,
                "prompt_tokens_sum": prompt,
            },
        }
        record["user_initiated_interaction_count"] += prompts
        row = dict.fromkeys(_METRICS, 0)
        record["totals_by_feature"].append(
            {"feature": "copilot_app", **row, "user_initiated_interaction_count": prompts}
        )
    if activity.agents:
        record["totals_by_3rd_party_agent"] = [
            {
                "agent_id": _THIRD_PARTY_AGENTS[index][0],
                "agent_name": _THIRD_PARTY_AGENTS[index][1],
                "user_initiated_interaction_count": 1 + int(rng.random() * 6),
            }
            for index in activity.agents
        ]
    return record


def _agent_totals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scope's totals_by_3rd_party_agent: per agent, its users' interactions and sessions."""
    totals: dict[tuple[str, str], list[int]] = {}
    for record in records:
        for row in record.get("totals_by_3rd_party_agent", ()):
            interactions = row["user_initiated_interaction_count"]
            pair = totals.setdefault((row["agent_id"], row["agent_name"]), [0, 0])
            pair[0] += interactions
            pair[1] += _agent_sessions(interactions)
    return [
        {
            "agent_id": agent_id,
            "agent_name": name,
            "user_initiated_interaction_count": interactions,
            "session_count": sessions,
        }
        for (agent_id, name), (interactions, sessions) in sorted(totals.items())
    ]


def _pull_requests(
    created: int, merged: int, reviewed: int, median_minutes: float, rng: random.Random
) -> dict[str, Any]:
    """One day's pull_requests object; Copilot's shares never exceed the totals they are part of."""
    by_copilot, reviewed_by_copilot = int(created * 0.12), int(reviewed * 0.35)
    merged_by_copilot = min(by_copilot, int(merged * 0.12))
    merged_reviewed = min(reviewed_by_copilot, int(merged * 0.35))
    suggestions = int(reviewed * (1 + 3 * rng.random()))
    copilot_suggestions = int(suggestions * 0.6)
    copilot_applied = int(copilot_suggestions * (0.2 + 0.4 * rng.random()))
    per_type = _split(copilot_suggestions, len(_COMMENT_TYPES), rng)
    applied_per_type = _split_within(copilot_applied, per_type)
    return {
        "total_created": created,
        "total_reviewed": reviewed,
        "total_merged": merged,
        "median_minutes_to_merge": median_minutes if merged else None,
        "total_suggestions": suggestions,
        "total_applied_suggestions": copilot_applied + int((suggestions - copilot_suggestions) * 0.3),
        "total_created_by_copilot": by_copilot,
        "total_reviewed_by_copilot": reviewed_by_copilot,
        "total_merged_created_by_copilot": merged_by_copilot,
        "total_merged_reviewed_by_copilot": merged_reviewed,
        "median_minutes_to_merge_copilot_authored": round(median_minutes * 0.7, 1)
        if merged_by_copilot
        else None,
        "median_minutes_to_merge_copilot_reviewed": round(median_minutes * 0.9, 1)
        if merged_reviewed
        else None,
        "total_copilot_suggestions": copilot_suggestions,
        "total_copilot_applied_suggestions": copilot_applied,
        "copilot_suggestions_by_comment_type": [
            {
                "comment_type": kind,
                "total_copilot_suggestions": count,
                "total_copilot_applied_suggestions": applied,
            }
            for kind, count, applied in zip(_COMMENT_TYPES, per_type, applied_per_type, strict=True)
        ],
    }


def _phase_totals(records: list[dict[str, Any]], pulls: dict[str, Any], users: int) -> list[dict[str, Any]]:
    """totals_by_ai_adoption_phase: per phase, its users and their average activity."""
    phases: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for record in records:
        phase = record["ai_adoption_phase"]
        phases.setdefault((phase["phase_number"], phase["phase"]), []).append(record)
    per_user = {
        name: pulls[field] / users if users else 0.0
        for name, field in (
            ("avg_pull_requests_reviewed", "total_reviewed"),
            ("avg_pull_requests_created", "total_created"),
            ("avg_pull_requests_merged", "total_merged"),
        )
    }
    merged = pulls["total_merged"]
    minutes = pulls["median_minutes_to_merge"] or 0.0
    # Each phase's share of the day's merged pull requests, by its users; the first takes what
    # rounding leaves, so the shares add up to the day's total.
    shares = {key: merged * len(members) // users if users else 0 for key, members in phases.items()}
    if shares:
        first = min(shares)
        shares[first] += merged - sum(shares.values())
    rows = []
    for (number, name), members in sorted(phases.items()):
        phase_merged = shares[(number, name)]

        def average(field: str, members: list[dict[str, Any]] = members) -> float:
            return round(sum(m[field] for m in members) / len(members), 2)

        rows.append(
            {
                "phase": name,
                "phase_number": number,
                "total_engaged_users": len(members),
                "avg_user_initiated_interactions": average("user_initiated_interaction_count"),
                "avg_code_generation_activities": average("code_generation_activity_count"),
                "avg_code_acceptance_activities": average("code_acceptance_activity_count"),
                "avg_loc_added": average("loc_added_sum"),
                "avg_loc_deleted": average("loc_deleted_sum"),
                **{k: round(v, 2) for k, v in per_user.items()},
                "avg_pull_requests_median_minutes_to_merge": pulls["median_minutes_to_merge"] or 0.0,
                "total_pull_requests_merged": phase_merged,
                # Medians of merged pull requests only: 0 for a phase that merged none.
                "avg_pull_requests_minutes_to_review": round(minutes * (0.4 - 0.05 * number), 1)
                if phase_merged
                else 0.0,
                "avg_pull_requests_review_cycles": round(2.5 - 0.4 * number, 2) if phase_merged else 0.0,
            }
        )
    return rows


def _summed_totals(records: list[dict[str, Any]], field: str) -> dict[str, Any] | None:
    """The scope's totals_by_cli or totals_by_copilot_app: sums of its users' (no
    last_known_cli_version); null without such activity."""
    users = [r[field] for r in records if field in r]
    if not users:
        return None
    requests = sum(u["request_count"] for u in users)
    output = sum(u["token_usage"]["output_tokens_sum"] for u in users)
    prompt = sum(u["token_usage"]["prompt_tokens_sum"] for u in users)
    return {
        "prompt_count": sum(u["prompt_count"] for u in users),
        "request_count": requests,
        "session_count": sum(u["session_count"] for u in users),
        "token_usage": {
            "avg_tokens_per_request": round((output + prompt) / requests, 1),
            "output_tokens_sum": output,
            "prompt_tokens_sum": prompt,
        },
    }
