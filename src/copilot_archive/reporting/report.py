"""The local report: the panels' rows and the story from the local engine (sections.py), the charts
drawn ahead of time as inline SVG (charts.py), all in one offline HTML page (page.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.exceptions import NoData
from ..core.layout import DEFAULT_PREFIX, Scope
from ..core.reports import Level
from ..querying.query import LocalQueryEngine, require_archive
from . import story
from .charts import Drawing, drawing_process
from .page import render_html
from .sections import REPORT_PANELS, WHOLE_ARCHIVE, ComputedOnce, LevelSection, ReportScope, level_section

if TYPE_CHECKING:
    from ..querying.status import Holding

__all__ = ["DEFAULT_NAME", "REPORT_PANELS", "REPORT_STEPS", "ReportScope", "write_report"]

DEFAULT_NAME = "report.html"
# What write_report reports progress in: each level's panel queries and charts, then the story's queries.
REPORT_STEPS = 2 * len(Level) * len(REPORT_PANELS) + 1


def write_report(
    archive: str | Path,
    out: str | Path | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
    scope: ReportScope = WHOLE_ARCHIVE,
    today: date | None = None,
    on_step: Callable[[], None] = lambda: None,
) -> Path:
    """Write the report beside the archive (or to `out`) and return its path; NoData, and
    nothing written, when the archive holds no report-day for the scopes and days asked.
    `on_step` is called after each of its REPORT_STEPS steps.

    Each level is read by its own engine on its own thread (the levels share no table): most of
    the time goes to DuckDB reading the files' schemas, one core each; the charts are drawn in a
    process of their own (charts.py) meanwhile."""
    root = require_archive(archive, prefix)
    target = Path(out) if out else root / DEFAULT_NAME
    step = _serialised(on_step)
    with drawing_process() as pool, ExitStack() as engines, ThreadPoolExecutor(len(Level)) as threads:
        engine = {
            level: engines.enter_context(LocalQueryEngine(root, prefix, today=today))
            for level in scope.levels
        }
        scopes = threads.map(lambda level: story.scopes(engine[level], level, scope.where), engine)
        slugs = dict(zip(engine, scopes, strict=True))
        found = require_data(slugs, scope, engine, root, prefix)

        once = {level: ComputedOnce(engine[level], level) for level in found}

        def cover_of(level: Level) -> story.Coverage | None:
            once[level].ready(level.table_name("index_status"))
            return story.coverage(engine[level], [level], scope.where)

        covers = [c for c in threads.map(cover_of, found) if c is not None]
        if not covers:
            raise NoData(f"nothing to report: {root} holds no indexed day of usage for this selection")
        cover = story.Coverage(min(c.first_day for c in covers), max(c.last_day for c in covers))
        drawing = Drawing(pool, cover)

        def section_of(level: Level) -> LevelSection:
            slugs = found[level]
            return level_section(engine[level], level, scope, cover, slugs, drawing.draw, step, once[level])

        sections = list(threads.map(section_of, found))
        # A step for each query of a level not shown, as for each of a level shown; then the story's.
        for _ in range((len(Level) - len(found)) * len(REPORT_PANELS) + 1):
            step()
        engines.close()
        drawn = drawing.drawn(step)
    # A step for each chart not drawn (no rows, no view, no level), as for each chart drawn.
    for _ in range(len(Level) * len(REPORT_PANELS) - len(drawn)):
        step()
    page = render_html(sections, cover, today or date.today(), drawn)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A report that fails half-way leaves the previous one whole.
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    return target


def _serialised(on_step: Callable[[], None]) -> Callable[[], None]:
    """`on_step` called by one thread at a time (a progress bar counts on it)."""
    lock = threading.Lock()

    def step() -> None:
        with lock:
            on_step()

    return step


def require_data(
    slugs: Mapping[Level, Sequence[str]],
    scope: ReportScope,
    engine: Mapping[Level, LocalQueryEngine],
    root: Path,
    prefix: str,
) -> dict[Level, Sequence[str]]:
    """The levels with scopes for the selection (`slugs`, each level's), and their scopes; or a
    refusal of a selection with none (an unknown enterprise, days outside the archive), saying
    what the archive holds: an empty page would read as "no usage"."""
    # The holdings' modules load boto3: only a refusal needs them.
    from ..core.storage import LocalFolderStorage
    from ..querying.status import archive_holdings, describe_holdings

    found = {level: found for level, found in slugs.items() if found}
    lacking = [
        f"{level.value} {slug}"
        for level in scope.levels
        for slug in scope.slugs(level)
        if slug not in slugs[level]
    ]
    if found and not lacking:
        return found
    asked = ", ".join(lacking) if lacking else "any scope"
    if scope.from_day or scope.to_day:
        asked += f" from {scope.from_day or 'the first day'} to {scope.to_day or 'the last day'}"
    indexed = indexed_holdings(next(iter(engine.values())))
    if indexed:
        held = f"{root} holds {describe_holdings(indexed)}"
    else:
        archived = archive_holdings(LocalFolderStorage(root), prefix)
        held = f"{root} has no indexed report-day"
        if archived:
            held += f" (archived, not indexed: {describe_holdings(archived)}; run the index command first)"
    raise NoData(f"nothing to report for {asked}: {held}; no report written")


def indexed_holdings(engine: LocalQueryEngine) -> tuple[Holding, ...]:
    """Each scope's indexed report-days and the first and last of their days, both levels."""
    from ..querying.status import Holding

    holdings = []
    for level in Level:
        _, rows = engine.run(
            f"SELECT {level.value}, min(day), max(day), count(*) FROM {level.table_name('index_status')} "
            f"GROUP BY 1 ORDER BY 1"
        )
        holdings += [Holding(Scope(level, slug), first, last, n) for slug, first, last, n in rows]
    return tuple(holdings)
