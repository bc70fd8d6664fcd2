"""The table of report kinds is the one place a kind is described: every part that names
reports follows from an entry, so adding a kind of the same shape is one entry (plus its
curated tables). Each test runs over every entry and level, the new ones included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from copilot_archive.archiving.events import build_request
from copilot_archive.archiving.planner import Window, plan_reconcile
from copilot_archive.core.config import Settings
from copilot_archive.core.curated_schema import CURATED_REPORTS, tables_for
from copilot_archive.core.exceptions import InvalidRequest
from copilot_archive.core.layout import ReportDay, Scope, manifest_key, parse_manifest_key, raw_file_key
from copilot_archive.core.reports import REPORT_KINDS, SERVED, Cadence, Level, Report, raw_table_name
from copilot_archive.querying.table_definitions import table_definitions

WINDOW = Window.for_today(date(2025, 10, 13))
SERVED_IDS = [f"{level}:{report}" for level, report in SERVED]


def test_every_report_has_exactly_one_entry():
    assert sorted(kind.report for kind in REPORT_KINDS) == sorted(Report)


@pytest.mark.parametrize(("level", "report"), SERVED, ids=SERVED_IDS)
def test_a_served_kind_has_its_api_path_keys_raw_table_and_plan(level, report):
    kind = report.kind
    path = kind.api_path(level, "octo")
    owner = "enterprises" if level is Level.ENTERPRISE else "orgs"
    if kind.cadence is Cadence.SNAPSHOT:  # GitHub's seat endpoints, not a metrics report's
        assert path == f"/{owner}/octo{kind.endpoint}" and path.startswith(f"/{owner}/octo/copilot/billing")
    elif kind.cadence is Cadence.EXPORT:  # GitHub's billing usage export, an enterprise's
        assert path == "/enterprises/octo/settings/billing/reports"
    else:
        assert path.startswith(f"/{owner}/octo/copilot/metrics/reports/{report.value}")
    assert path.endswith("/latest") == (kind.cadence is Cadence.LATEST)

    report_day = ReportDay(report, "octo", date(2025, 10, 11), level)
    assert parse_manifest_key("p", manifest_key("p", report_day)) == report_day
    assert f"/raw/{level}/{report}/{level}=octo/" in raw_file_key("p", report_day, 0)
    assert raw_table_name(report, level) in {t.name for t in table_definitions(set(Level))}

    plan = plan_reconcile(WINDOW, [Scope(level, "octo")], (report,), {})
    if report.is_snapshot:  # today's, taken by the run itself
        assert [(rd.report, rd.day) for rd in plan.snapshots] == [(report, WINDOW.last + timedelta(days=1))]
        assert not plan.days and not plan.latest
        return
    if report.is_export:  # 24 months of usage days, exported by the run itself
        assert plan.exports and {rd.report for rd in plan.exports} == {report}
        assert not plan.days and not plan.latest and not plan.snapshots
        return
    planned = [lr.report for lr in plan.latest] if report.is_28_day else [rd.report for rd in plan.days]
    assert planned and set(planned) == {report}


@pytest.mark.parametrize("kind", REPORT_KINDS, ids=lambda k: str(k.report))
def test_a_curated_kind_fills_the_tables_of_its_shape_and_others_stay_raw(kind):
    if kind.curated_as is None:
        assert kind.report not in CURATED_REPORTS and tables_for(kind.report) == ()
    else:
        assert kind.report in CURATED_REPORTS and tables_for(kind.report)
        assert {t.source for t in tables_for(kind.report)} == {kind.curated_as}


@pytest.mark.parametrize("report", list(Report), ids=str)
def test_a_kind_is_named_in_events_and_settings_as_github_names_it(report):
    request = build_request(reports=[report.value], window=WINDOW, configured=())
    assert request.reports == (report,)
    levels = report.kind.levels
    settings = Settings(
        enterprises=("acme",) if Level.ENTERPRISE in levels else (),
        organizations=("octo",) if Level.ORGANIZATION in levels else (),
        reports=(report,),
    ).with_overrides()
    assert settings.reports == (report,)


def test_a_report_github_does_not_serve_at_a_level_is_refused_for_it():
    from copilot_archive.archiving.github import ReportClient

    client = ReportClient("https://api.github.com", "2026-03-10", lambda: "t")
    with pytest.raises(InvalidRequest, match="no enterprise-1-day report for an organization"):
        client._url(Report.ENTERPRISE_1_DAY, Level.ORGANIZATION, "octo")
