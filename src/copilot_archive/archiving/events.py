"""Turns a handler event (or the CLI's options) into a validated RunRequest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.exceptions import InvalidRequest
from ..core.layout import Scope, parse_day, parse_report, validate_slug
from ..core.reports import Level, Report
from .planner import Window, check_day_in_window, day_range

MANUAL_KEYS = frozenset({"from", "to", "days", "reports", "enterprises", "organizations", "force"})
# The event key that names scopes of each level.
SCOPE_KEYS = {Level.ENTERPRISE: "enterprises", Level.ORGANIZATION: "organizations"}
SCHEDULE_SOURCES = frozenset({"aws.events", "aws.scheduler"})
MAX_MANUAL_DAYS = 400


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What one run archives. `days` None: reconcile the whole available window."""

    days: tuple[date, ...] | None = None
    reports: tuple[Report, ...] | None = None
    scopes: tuple[Scope, ...] | None = None  # None: every configured enterprise and organization
    force: bool = False

    @property
    def is_reconcile(self) -> bool:
        return self.days is None


def parse_event(event: Any, window: Window, configured: Sequence[Scope]) -> RunRequest:
    """A scheduled event or `{}` reconciles; a manual event names days, reports and scopes."""
    if not isinstance(event, Mapping):
        raise InvalidRequest(f"event must be a JSON object, got {type(event).__name__}")
    if not event or _is_scheduled(event):
        return RunRequest()
    unknown = sorted(set(event) - MANUAL_KEYS)
    if unknown:
        raise InvalidRequest(
            f"unknown key {unknown[0]!r} in event; a manual event takes {', '.join(sorted(MANUAL_KEYS))}"
        )
    return build_request(
        from_day=event.get("from"),
        to_day=event.get("to"),
        days=event.get("days"),
        reports=event.get("reports"),
        enterprises=event.get("enterprises"),
        organizations=event.get("organizations"),
        force=event.get("force", False),
        window=window,
        configured=configured,
    )


def _is_scheduled(event: Mapping[str, Any]) -> bool:
    return event.get("detail-type") == "Scheduled Event" or event.get("source") in SCHEDULE_SOURCES


def build_request(
    *,
    from_day: Any = None,
    to_day: Any = None,
    days: Any = None,
    reports: Any = None,
    enterprises: Any = None,
    organizations: Any = None,
    force: Any = False,
    window: Window,
    configured: Sequence[Scope],
) -> RunRequest:
    """Validate a manual request, naming the field and the bad value on any error."""
    if not isinstance(force, bool):
        raise InvalidRequest(f"force: {force!r} must be true or false")
    chosen_days = _days(from_day, to_day, days, window)
    chosen_reports = None
    if reports is not None:
        chosen_reports = tuple(
            dict.fromkeys(
                parse_report(r) if isinstance(r, str) else _bad("reports", r)
                for r in _list("reports", reports)
            )
        )
    chosen_scopes = None
    if enterprises is not None or organizations is not None:
        named = {Level.ENTERPRISE: enterprises, Level.ORGANIZATION: organizations}
        chosen_scopes = tuple(
            dict.fromkeys(
                _scope(level, slug, configured)
                for level, slugs in named.items()
                if slugs is not None
                for slug in _list(SCOPE_KEYS[level], slugs)
            )
        )
    return RunRequest(chosen_days, chosen_reports, chosen_scopes, force)


def _days(from_day: Any, to_day: Any, days: Any, window: Window) -> tuple[date, ...] | None:
    if days is not None and (from_day is not None or to_day is not None):
        raise InvalidRequest("give either days or from/to, not both")
    if days is not None:
        chosen = sorted(
            {parse_day(d, "days") if isinstance(d, str) else _bad("days", d) for d in _list("days", days)}
        )
        for day in chosen:
            check_day_in_window(day, window, "days")
        return tuple(chosen)
    if from_day is None and to_day is None:
        return None
    if from_day is None or to_day is None:
        raise InvalidRequest(f"{'from' if from_day is None else 'to'}: missing; from and to go together")
    first = parse_day(from_day, "from")
    last = parse_day(to_day, "to")
    check_day_in_window(first, window, "from")
    check_day_in_window(last, window, "to")
    chosen_range = day_range(first, last)
    if len(chosen_range) > MAX_MANUAL_DAYS:
        raise InvalidRequest(f"from/to: {len(chosen_range)} days is more than {MAX_MANUAL_DAYS}")
    return tuple(chosen_range)


def _list(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidRequest(f"{name}: {value!r} must be a non-empty list")
    return value


def _bad(name: str, value: Any) -> Any:
    raise InvalidRequest(f"{name}: {value!r} must be a string")


def _scope(level: Level, slug: Any, configured: Sequence[Scope]) -> Scope:
    key = SCOPE_KEYS[level]
    if not isinstance(slug, str):
        _bad(key, slug)
    try:
        validate_slug(slug)
    except InvalidRequest as exc:
        raise InvalidRequest(f"{key}: {exc}") from None
    scope = Scope(level, slug)
    if scope not in configured:
        known = ", ".join(s.slug for s in configured if s.level is level) or "none"
        raise InvalidRequest(f"{key}: {slug!r} is not among {key.upper()} ({known})")
    return scope
