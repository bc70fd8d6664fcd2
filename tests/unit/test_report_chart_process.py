"""The charts' process: each spec's SVG back to the future it was submitted with, in any number
of submitting threads; a spec it cannot draw ends it and fails what is still waiting, no hang."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from copilot_archive.core.exceptions import ArchiveError
from copilot_archive.reporting.charts import drawing_process

pytest.importorskip("vl_convert")


def spec(n: int) -> dict[str, object]:
    return {
        "title": f"chart {n}",
        "mark": "point",
        "data": {"values": [{"x": i, "y": n} for i in range(n + 1)]},
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "y": {"field": "y", "type": "quantitative"},
        },
    }


def test_each_svg_comes_back_to_its_own_chart_from_any_thread():
    with drawing_process() as process, ThreadPoolExecutor(4) as threads:
        futures = list(threads.map(lambda n: process.submit(spec(n)), range(12)))
        svgs = [future.result(timeout=60) for future in futures]

    for n, svg in enumerate(svgs):
        assert svg.startswith("<svg") and f"chart {n}<" in svg


def test_a_spec_it_cannot_draw_fails_that_chart_and_those_after_it():
    with drawing_process() as process:
        fine = process.submit(spec(1))
        broken = process.submit({"mark": {"type": "no-such-mark"}, "data": {"values": []}})
        after = process.submit(spec(2))

        assert "chart 1<" in fine.result(timeout=60)
        for future in (broken, after):
            with pytest.raises(ArchiveError, match="chart process ended"):
                future.result(timeout=60)
