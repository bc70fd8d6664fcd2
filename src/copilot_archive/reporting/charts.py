"""The report's charts: Vega-Lite specs rendered to SVG by vl-convert (its own bundled Vega, no
browser, no network), so the page holds no script and fetches nothing when opened.

vl-convert takes one spec a call, its first call starts its JavaScript runtime (about a second),
and it holds the GIL while it renders: the charts are drawn in a process of their own, each as
soon as its rows are read, the runtime started there while the engines read the archive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, as_completed
from contextlib import contextmanager, suppress
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from ..core.exceptions import ArchiveError
from ..core.reports import Level

if TYPE_CHECKING:
    from . import story
    from .sections import PanelRows

CHART_WIDTH = 1040  # the page is 1200 px at most: readable in a 1280 px window
# Distinct on white, in a line's stroke and a point's outline: Tableau's ten, then six darker hues.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#000075", "#800000", "#469990", "#f032e6", "#808000", "#000000",
)  # fmt: skip
OTHER = "other"
CLOSE_TIMEOUT_S = 30  # for the chart process to end once its input is closed
LEVEL_TITLES = {Level.ENTERPRISE: "Enterprises", Level.ORGANIZATION: "Organizations"}
# The smallest chart there is: drawn first, to start vl-convert's runtime.
_FIRST = {
    "mark": "point",
    "data": {"values": [{"x": 0}]},
    "encoding": {"x": {"field": "x", "type": "quantitative"}},
}


def point_label(series: str, period: date, value: Any, partial: bool = False) -> str:
    """What each drawn point carries as its aria-label: how a test reads the chart back."""
    return f"{series} | {period.isoformat()} | {value}" + (" | partial" if partial else "")


def series_colours(rows: Iterable[tuple[date, str, Any]]) -> dict[str, str]:
    """A colour per series, none shared; in the series' order, so a scope keeps its colour from
    chart to chart (panel_rows keeps the series within the palette)."""
    ranked = sorted({series for _, series, _ in rows}, key=lambda s: (s == OTHER, s))
    if len(ranked) > len(PALETTE):
        raise ValueError(f"{len(ranked)} series for {len(PALETTE)} colours")
    return dict(zip(ranked, PALETTE, strict=False))


def vega_lite_spec(data: PanelRows, cover: story.Coverage | None = None) -> dict[str, Any]:
    """A line per series over the whole periods; a partial period (the current week or month) is a
    hollow point off the line, so it never reads as a drop."""
    panel = data.panel
    values = []
    for period, series, value in data.rows:
        partial = bool(cover and cover.partial(period, data.grain))
        values.append(
            {
                "period": period.isoformat(),
                "series": series,
                "value": value,
                "partial": partial,
                "label": point_label(series, period, value, partial),
            }
        )
    colours = series_colours(data.rows)
    y_axis: dict[str, Any] = {"title": panel.value_title}
    if panel.unit == "ratio":
        y_axis["format"] = ".0%"
    title: dict[str, Any] = {"text": panel.title, "anchor": "start", "fontSize": 16}
    if any(v["partial"] for v in values):
        title["subtitle"] = f"Hollow points: partial {data.grain}s, with days outside the archive's days"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": CHART_WIDTH,
        "height": 220,
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "period",
                "type": "temporal",
                "title": panel.period_title,
                # Dates as the views hold them: a weekday name under a week's point misleads.
                "axis": {"format": "%Y-%m" if data.grain == "month" else "%Y-%m-%d"}
                # A tick a month at most: finer ticks repeat the month's name.
                | ({"tickCount": {"interval": "month", "step": 1}} if data.grain == "month" else {}),
            },
            "y": {"field": "value", "type": "quantitative", "axis": y_axis},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": _series_title(data),
                "scale": {"domain": list(colours), "range": list(colours.values())},
            },
            "description": {"field": "label"},
        },
        "layer": [
            {
                "transform": [{"filter": "!datum.partial"}],
                "mark": {"type": "line", "point": {"size": 18, "filled": True}, "strokeWidth": 1.5},
            },
            {
                "transform": [{"filter": "datum.partial"}],
                "mark": {"type": "point", "size": 36, "filled": False, "strokeWidth": 1.5},
            },
        ],
        "config": _CONFIG,
    }


def _series_title(data: PanelRows) -> str:
    if data.panel.series_title in ("Enterprise", "Scope"):
        return LEVEL_TITLES[data.level][:-1]
    return data.panel.series_title


_CONFIG = {
    "font": "sans-serif",
    "axis": {"labelFontSize": 11, "titleFontSize": 12},
    "legend": {"orient": "right"},
}


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


class Drawing:
    """Charts handed in one by one (by any thread), drawn by `process`; `drawn` waits for them all."""

    def __init__(self, process: ChartProcess, cover: story.Coverage | None) -> None:
        self._process = process
        self._cover = cover
        self._charts: dict[Future[str], str] = {}

    def draw(self, chart: PanelRows) -> None:
        """Start drawing `chart`; a chart without rows is not drawn (the page says why)."""
        if chart.rows:
            self._charts[self._process.submit(vega_lite_spec(chart, self._cover))] = chart.key

    def drawn(self, on_chart: Callable[[], None] = lambda: None) -> dict[str, str]:
        """Each drawn chart's SVG by its key, `on_chart` called as each is done."""
        svgs = {}
        for future in as_completed(self._charts):
            svgs[self._charts[future]] = future.result()
            on_chart()
        return svgs


class ChartProcess:
    """vl-convert in a child process (this module run with -m): a spec a line in, its SVG a line
    out, in order. Not multiprocessing: its spawned children import the caller's main script."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._lock = threading.Lock()  # one writer at a time, its future queued first
        self._waiting: deque[Future[str]] = deque()  # in the order the specs were written
        # Its replies are read as they come: a full pipe would stop it reading the next spec.
        self._reader = threading.Thread(target=self._read, name="chart-replies", daemon=True)
        self._reader.start()

    def submit(self, spec: dict[str, Any]) -> Future[str]:
        future: Future[str] = Future()
        line = json.dumps(spec) + "\n"
        with self._lock:
            if self._child.stdin is None or self._child.stdin.closed:
                raise ArchiveError("the chart process is closed")
            self._waiting.append(future)
            self._child.stdin.write(line)
            self._child.stdin.flush()
        return future

    def _read(self) -> None:
        # Not under the lock: a writer holds it while the pipe to the child is full.
        assert self._child.stdout is not None
        for line in self._child.stdout:
            self._waiting.popleft().set_result(json.loads(line))
        status = self._child.wait()
        ended = ArchiveError(f"the chart process ended (exit status {status}); its error is above")
        while self._waiting:
            self._waiting.popleft().set_exception(ended)

    def close(self, abort: bool = False) -> None:
        """Let the child finish what it was given, or with `abort` stop it at once."""
        if abort:
            self._child.kill()
        with self._lock, suppress(BrokenPipeError):  # the child may be gone already
            if self._child.stdin is not None:
                self._child.stdin.close()
        try:
            self._child.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._child.kill()
        self._reader.join()


@contextmanager
def drawing_process() -> Iterator[ChartProcess]:
    """A process of its own for the charts, its runtime started while the archive is read: vl-convert
    holds the GIL while it renders, which would stall the threads reading the archive."""
    process = ChartProcess()
    try:
        # Its failure (no vl-convert) is the first chart's to report, not this one's.
        process.submit(_FIRST)
        yield process
    except BaseException:
        process.close(abort=True)  # a report that fails leaves its charts undrawn
        raise
    process.close()


def _serve(specs: TextIO, svgs: TextIO) -> None:
    """The child's loop: each spec line's SVG as a JSON line, until its input ends."""
    for line in specs:
        svgs.write(json.dumps(render_svg(json.loads(line))) + "\n")
        svgs.flush()


if __name__ == "__main__":
    _serve(sys.stdin, sys.stdout)
