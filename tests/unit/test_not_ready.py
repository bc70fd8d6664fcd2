"""The not-ready ledger: which report-days a run leaves out, and how the ledger changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from copilot_archive.archiving.not_ready import (
    GRACE,
    LONGEST_PAUSE,
    MAX_LEDGER_BYTES,
    RECENT_DAYS,
    Unanswered,
    ledger_from_json,
    ledger_to_json,
    resting_days,
    updated,
)
from copilot_archive.core.exceptions import InvalidRequest
from copilot_archive.core.reports import Report

TODAY = date(2026, 6, 1)
OLD_DAY = date(2026, 3, 1)
T0 = datetime(2026, 5, 1, 6, tzinfo=UTC)
TEAMS = Report.USER_TEAMS_1_DAY


def test_a_recent_day_is_always_asked():
    entry = Unanswered(T0, T0 + GRACE - timedelta(minutes=1))
    now = T0 + GRACE + timedelta(minutes=1)
    recent = TODAY - timedelta(days=RECENT_DAYS)
    assert entry.is_due(recent, TODAY, now)
    assert not entry.is_due(recent - timedelta(days=1), TODAY, now)


def test_an_old_day_is_asked_on_every_run_during_the_grace():
    entry = Unanswered(T0, T0 + GRACE - timedelta(hours=1))
    assert entry.is_due(OLD_DAY, TODAY, T0 + GRACE - timedelta(minutes=1))


def test_after_the_grace_the_pauses_double_up_to_a_month():
    first = T0
    last = T0 + timedelta(days=2)  # asked through the grace
    asks = [last]
    now = last
    while now < T0 + timedelta(days=200):
        now += timedelta(hours=6)  # a run every 6 hours
        if Unanswered(first, last).is_due(OLD_DAY, TODAY, now):
            asks.append(now)
            last = now
    pauses = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(asks)]
    assert pauses[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(pauses) == LONGEST_PAUSE.days
    assert len(asks) < 12  # against 800 asks at every run


def test_resting_days_are_those_not_due():
    ledger = {
        (TEAMS, OLD_DAY): Unanswered(T0, T0 + timedelta(days=2)),
        (TEAMS, OLD_DAY + timedelta(days=1)): Unanswered(T0, T0),
    }
    now = T0 + timedelta(days=2, hours=6)
    assert resting_days(ledger, TODAY, now) == {(TEAMS, OLD_DAY)}


def test_update_stamps_not_ready_days_and_drops_answered_and_expired_ones():
    kept_first = T0 - timedelta(days=5)
    ledger = {
        (TEAMS, OLD_DAY): Unanswered(kept_first, T0 - timedelta(days=1)),
        (TEAMS, OLD_DAY + timedelta(days=1)): Unanswered(kept_first, kept_first),
        (TEAMS, date(2025, 1, 1)): Unanswered(kept_first, kept_first),
    }
    new_day = OLD_DAY + timedelta(days=2)
    result = updated(
        ledger,
        not_ready=[(TEAMS, OLD_DAY), (TEAMS, new_day)],
        answered=[(TEAMS, OLD_DAY + timedelta(days=1))],
        oldest_day=date(2025, 6, 1),
        now=T0,
    )
    assert result == {(TEAMS, OLD_DAY): Unanswered(kept_first, T0), (TEAMS, new_day): Unanswered(T0, T0)}


def test_the_ledger_round_trips_through_json_and_equal_ledgers_give_equal_bytes():
    ledger = {
        (TEAMS, OLD_DAY): Unanswered(T0, T0 + timedelta(days=1)),
        (Report.REPOS_1_DAY, OLD_DAY): Unanswered(T0, T0),
    }
    data = ledger_to_json(ledger)
    assert ledger_from_json(data) == ledger
    assert ledger_to_json(dict(reversed(list(ledger.items())))) == data


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"version": 2, "reports": {}}',
        b'{"version": 1, "reports": {"no-such-report": {"2026-03-01": ["2026-05-01T06:00:00Z", "x"]}}}',
        b'{"version": 1, "reports": {"user-teams-1-day": {"2026-03-01": ["2026-05-01T06:00:00"]}}}',
        # times without a zone
        b'{"version": 1, "reports": {"repos-1-day": {"2026-03-01": ["2026-05-01", "2026-05-01"]}}}',
        # nested deeper than any parser goes, and a moment past the calendar's end in UTC
        b'{"version": 1, "reports": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        b'{"version": 1, "reports": {"repos-1-day": {"2026-03-01": ["9999-12-31T23:00:00-05:00", "x"]}}}',
    ],
)
def test_anything_but_a_ledger_is_refused(data):
    with pytest.raises(InvalidRequest):
        ledger_from_json(data)


def test_an_entry_stamped_in_the_future_is_due_and_dropped_on_update():
    now = T0 + timedelta(days=10)
    future = Unanswered(T0, datetime(9999, 12, 31, tzinfo=UTC))
    honest = Unanswered(T0, now - timedelta(days=1))
    assert future.is_due(OLD_DAY, TODAY, now)
    assert not honest.is_due(OLD_DAY, TODAY, now)
    ledger = {(TEAMS, OLD_DAY): future, (TEAMS, OLD_DAY + timedelta(days=1)): honest}
    assert resting_days(ledger, TODAY, now) == {(TEAMS, OLD_DAY + timedelta(days=1))}
    assert updated(ledger, [], [], OLD_DAY, now) == {(TEAMS, OLD_DAY + timedelta(days=1)): honest}
    assert updated(ledger, [(TEAMS, OLD_DAY)], [], OLD_DAY, now)[(TEAMS, OLD_DAY)] == Unanswered(now, now)


def test_a_stamp_an_overlapping_run_wrote_just_after_now_is_honest():
    now = T0 + timedelta(days=10)
    ledger = {(TEAMS, OLD_DAY): Unanswered(T0, now + timedelta(seconds=3))}  # another run's stamp
    assert resting_days(ledger, TODAY, now) == {(TEAMS, OLD_DAY)}
    assert updated(ledger, [], [], OLD_DAY, now) == ledger


def test_a_ledger_over_the_size_cap_is_refused_unparsed():
    data = ledger_to_json({(TEAMS, OLD_DAY): Unanswered(T0, T0)})
    assert ledger_from_json(data + b" " * (MAX_LEDGER_BYTES - len(data)))
    with pytest.raises(InvalidRequest, match="more than"):
        ledger_from_json(data + b" " * (MAX_LEDGER_BYTES + 1 - len(data)))
