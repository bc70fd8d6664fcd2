"""A chart with more series than the palette has colours: the largest keep a colour each, the
rest are summed as "other" (or, for a rate, named as not drawn); no two series share a colour."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from copilot_archive.reporting.charts import PALETTE, vega_lite_spec
from copilot_archive.reporting.panels import PANELS
from copilot_archive.reporting.sections import panel_rows

PANEL = {panel.key: panel for panel in PANELS}
WEEKS = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(3)]


class Rows:
    """An engine answering every query with the same rows."""

    def __init__(self, rows: list[tuple[date, str, Any]]) -> None:
        self.rows = rows

    def run(self, sql: str) -> tuple[list[str], list[tuple[date, str, Any]]]:
        return ["period", "series", "value"], self.rows


# 20 series: series-00 the largest (20 a week) down to series-19 (1 a week).
TWENTY = [(week, f"series-{n:02d}", 20 - n) for week in WEEKS for n in range(20)]


def test_beyond_the_palette_the_smallest_series_are_summed_as_other():
    chart = panel_rows(Rows(TWENTY), PANEL["lines-with-copilot"], _scope())  # type: ignore[arg-type]

    kept = len(PALETTE) - 1
    drawn = {series for _, series, _ in chart.rows}
    assert drawn == {f"series-{n:02d}" for n in range(kept)} | {"other"}
    assert {(p, v) for p, s, v in chart.rows if s == "other"} == {
        (w, sum(range(1, 20 - kept + 1))) for w in WEEKS
    }
    spec = vega_lite_spec(chart)
    scale = spec["encoding"]["color"]["scale"]
    assert len(scale["domain"]) == len(set(scale["range"])) == len(PALETTE)


def test_a_rate_beyond_the_palette_names_the_series_it_leaves_out():
    rates = [(p, s, v / 100) for p, s, v in TWENTY]
    chart = panel_rows(Rows(rates), PANEL["acceptance-by-language"], _scope())  # type: ignore[arg-type]

    kept = len(PALETTE) - 1
    assert {series for _, series, _ in chart.rows} == {f"series-{n:02d}" for n in range(kept)}
    assert chart.left_out == tuple(f"series-{n:02d}" for n in range(kept, 20))


def _scope() -> Any:
    from copilot_archive.reporting.sections import ReportScope

    return ReportScope()
