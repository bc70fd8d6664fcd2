from datetime import date, timedelta

import pytest

from copilot_archive.archiving.planner import (
    LatestReport,
    Window,
    check_day_in_window,
    plan_days,
    plan_reconcile,
)
from copilot_archive.core.exceptions import InvalidRequest
from copilot_archive.core.layout import ReportDay, Scope
from copilot_archive.core.reports import ALL_REPORTS, Level, Report

DAILY = (Report.ENTERPRISE_1_DAY, Report.USERS_1_DAY)


def enterprise(slug: str) -> Scope:
    return Scope(Level.ENTERPRISE, slug)


def organization(slug: str) -> Scope:
    return Scope(Level.ORGANIZATION, slug)


def test_window_starts_at_first_report_day_in_the_first_year():
    window = Window.for_today(date(2025, 11, 1))
    assert (window.first, window.last) == (date(2025, 10, 10), date(2025, 10, 31))
    assert len(window.days()) == 22


def test_window_is_one_year_back_later_on():
    window = Window.for_today(date(2026, 11, 25))
    assert window.first == date(2025, 11, 25) and window.last == date(2026, 11, 24)
    assert len(window.days()) == 365


def test_reconcile_fetches_every_day_without_a_manifest_interior_gaps_included():
    window = Window.for_today(date(2025, 10, 20))
    done = frozenset(d for d in window.days() if d not in (date(2025, 10, 12), date(2025, 10, 15)))
    plan = plan_reconcile(
        window, [enterprise("acme")], (Report.USERS_1_DAY,), {(Report.USERS_1_DAY, enterprise("acme")): done}
    )
    assert plan.days == (
        ReportDay(Report.USERS_1_DAY, "acme", date(2025, 10, 12)),
        ReportDay(Report.USERS_1_DAY, "acme", date(2025, 10, 15)),
    )
    assert plan.latest == ()


def test_reconcile_orders_oldest_first_because_they_expire_first():
    window = Window.for_today(date(2025, 10, 15))
    plan = plan_reconcile(window, [enterprise("b"), enterprise("a")], DAILY, {})
    assert [rd.day for rd in plan.days] == sorted(rd.day for rd in plan.days)
    assert len(plan.days) == 2 * 2 * 5


def test_28_day_reports_are_asked_only_while_yesterday_has_no_manifest():
    window = Window.for_today(date(2025, 12, 1))
    archived = {(Report.USERS_28_DAY, enterprise("acme")): frozenset({window.last})}
    plan = plan_reconcile(
        window, [enterprise("acme"), enterprise("globex")], (Report.USERS_28_DAY,), archived
    )
    assert plan.latest == (LatestReport(Report.USERS_28_DAY, "globex"),)


def test_each_scope_gets_only_the_reports_github_serves_at_its_level():
    window = Window.for_today(date(2025, 10, 12))
    scopes = [enterprise("acme"), organization("octo")]
    plan = plan_reconcile(window, scopes, ALL_REPORTS, {})
    asked = {(rd.level, rd.report) for rd in plan.days} | {(lr.level, lr.report) for lr in plan.latest}
    assert asked == {
        (Level.ENTERPRISE, Report.ENTERPRISE_1_DAY),
        (Level.ENTERPRISE, Report.USERS_1_DAY),
        (Level.ENTERPRISE, Report.ENTERPRISE_28_DAY),
        (Level.ENTERPRISE, Report.USERS_28_DAY),
        (Level.ORGANIZATION, Report.ORGANIZATION_1_DAY),
        (Level.ORGANIZATION, Report.USERS_1_DAY),
        (Level.ORGANIZATION, Report.ORGANIZATION_28_DAY),
        (Level.ORGANIZATION, Report.USERS_28_DAY),
        *((level, report) for level in Level for report in (Report.USER_TEAMS_1_DAY, Report.REPOS_1_DAY)),
    }
    # The same report of the same slug at two levels is two report-days, planned apart.
    archived = {(Report.USERS_1_DAY, enterprise("octo")): frozenset(window.days())}
    both = plan_reconcile(window, [enterprise("octo"), organization("octo")], (Report.USERS_1_DAY,), archived)
    assert {rd.level for rd in both.days} == {Level.ORGANIZATION}


def test_manual_days_skip_archived_ones_unless_forced():
    days = [date(2025, 10, 11), date(2025, 10, 12)]
    archived = {(Report.USERS_1_DAY, enterprise("acme")): frozenset({date(2025, 10, 11)})}
    plan = plan_days(days, [enterprise("acme")], (Report.USERS_1_DAY,), archived)
    assert [rd.day for rd in plan.days] == [date(2025, 10, 12)]
    assert [rd.day for rd in plan.skipped] == [date(2025, 10, 11)]
    forced = plan_days(days, [enterprise("acme")], (Report.USERS_1_DAY,), archived, force=True)
    assert [rd.day for rd in forced.days] == days and forced.skipped == ()


def test_manual_28_day_request_wants_only_the_named_end_days():
    days = [date(2025, 10, 30), date(2025, 10, 31)]
    archived = {(Report.ENTERPRISE_28_DAY, enterprise("acme")): frozenset({date(2025, 10, 30)})}
    plan = plan_days(days, [enterprise("acme")], (Report.ENTERPRISE_28_DAY,), archived)
    assert plan.latest == (
        LatestReport(Report.ENTERPRISE_28_DAY, "acme", wanted_end_days=frozenset({days[1]})),
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2025, 10, 9), "start on 2025-10-10"),
        (date(2026, 11, 25), "not over yet"),
        (date(2025, 11, 24), "older than GitHub keeps"),
    ],
)
def test_days_outside_the_window_are_refused_with_the_reason(day, message):
    with pytest.raises(InvalidRequest, match=message):
        check_day_in_window(day, Window.for_today(date(2026, 11, 25)), "days")


def test_window_contains_only_its_days():
    window = Window.for_today(date(2025, 10, 20))
    assert window.first in window and window.last in window
    assert window.last + timedelta(days=1) not in window


def test_billing_is_planned_24_months_back_and_the_trailing_window_again():
    today = date(2026, 3, 15)
    window = Window.for_today(today)
    scope = enterprise("acme")
    yesterday = today - timedelta(days=1)
    # Archived: every day but the first two of the 24 months; the trailing 3 days too.
    first = date(2024, 3, 15)
    archived = frozenset(first + timedelta(days=n) for n in range(2, (today - first).days))

    plan = plan_reconcile(
        window, [scope], (Report.BILLING_USAGE,), {(Report.BILLING_USAGE, scope): archived}, None, 3
    )

    trailing = [yesterday - timedelta(days=2), yesterday - timedelta(days=1), yesterday]
    assert [rd.day for rd in plan.exports] == [*trailing, first, first + timedelta(days=1)]
    assert {rd.report for rd in plan.exports} == {Report.BILLING_USAGE}
    assert not plan.days and plan.size == 0  # never counted for the queue: the run exports them


def test_billing_is_never_planned_for_an_organization():
    plan = plan_reconcile(Window.for_today(date(2026, 3, 15)), [organization("octo")], ALL_REPORTS, {})
    assert plan.exports == ()


def test_explicit_days_export_billing_again_even_when_archived():
    day = date(2025, 12, 1)
    scope = enterprise("acme")
    plan = plan_days(
        [day], [scope], (Report.BILLING_USAGE,), {(Report.BILLING_USAGE, scope): frozenset({day})}
    )
    assert plan.exports == (ReportDay(Report.BILLING_USAGE, "acme", day),) and plan.skipped == ()
