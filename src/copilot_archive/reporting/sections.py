"""The report's figures from the local engine: each level's panels' rows and the story above them.

Each read of a table over the archive's files reads every file's schema again, most views read
the same few tables (user_daily above all), and some views are read twice (by the adoption table
and by a chart): each table a level's queries read, and each view they would evaluate more than
once, is computed once into a temporary table, just before the first query that needs it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core import curated_schema
from ..core.reports import Level
from ..querying.compiled_sql import DUCKDB_VIEWS, READS
from ..querying.query import LocalQueryEngine
from . import story
from .charts import OTHER, PALETTE
from .panels import PANELS, REPORT_SEAT_PANELS, Panel

# The calendar of report-days is the health panel's table now.
REPORT_PANELS = REPORT_SEAT_PANELS + tuple(panel for panel in PANELS if panel.kind != "calendar")
GRAINS = {"Day": "day", "Month": "month"}  # a panel's period title -> its grain; weeks otherwise


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which days and scopes the report shows; no slugs at all means every scope of the archive."""

    from_day: date | None = None
    to_day: date | None = None
    enterprises: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()

    def days(self, column: str) -> str:
        parts = []
        if self.from_day:
            parts.append(f"{column} >= DATE '{self.from_day.isoformat()}'")
        if self.to_day:
            parts.append(f"{column} <= DATE '{self.to_day.isoformat()}'")
        return " AND ".join(parts) or "true"

    @property
    def levels(self) -> tuple[Level, ...]:
        """Both levels unless scopes are named: then the levels named."""
        named = tuple(level for level in Level if self.slugs(level))
        return named or tuple(Level)

    def slugs(self, level: Level) -> tuple[str, ...]:
        return self.enterprises if level is Level.ENTERPRISE else self.organizations

    def scope_filter(self, level: Level, column: str | None = None) -> str:
        slugs = self.slugs(level)
        if not slugs:
            return "true"
        quoted = ", ".join("'" + slug.replace("'", "''") + "'" for slug in slugs)
        return f"{column or level.value} IN ({quoted})"

    def where(self, level: Level, column: str) -> str:
        return f"{self.days(column)} AND {self.scope_filter(level)}"


WHOLE_ARCHIVE = ReportScope()


@dataclass(frozen=True, slots=True)
class PanelRows:
    panel: Panel
    level: Level
    rows: tuple[tuple[date, str, Any], ...]  # (period, series, value), value never None
    grain: str = "week"  # day, week or month: which periods can be partial
    left_out: tuple[str, ...] = ()  # series not drawn (beyond the palette, not summable)

    @property
    def key(self) -> str:
        return f"{self.level.value}-{self.panel.key}"


@dataclass(frozen=True, slots=True)
class LevelSection:
    level: Level
    adoption: tuple[story.Adoption, ...]
    charts: tuple[PanelRows, ...]
    teams: story.Teams | None
    health: tuple[story.Health, ...]


def panel_sql(panel: Panel, level: Level, scope: ReportScope) -> str:
    """The panel's SQL at `level`: an organization reads the `org_` twins, as the views' own twins do."""
    text = panel.sql(scope.days, scope.scope_filter(level, Level.ENTERPRISE.value))
    if level is Level.ENTERPRISE:
        return text
    from ..querying.sql import organization_twin

    return organization_twin(text, f"panel {panel.key}")


def panel_rows(
    engine: LocalQueryEngine, panel: Panel, scope: ReportScope, level: Level = Level.ENTERPRISE
) -> PanelRows:
    """A panel's rows, ordered, without the periods that have no value (a rate with no generations);
    beyond the palette's colours the smallest series are summed as "other" (left out for a rate)."""
    _, rows = engine.run(f"SELECT period, series, value FROM ({panel_sql(panel, level, scope)}) AS panel")
    kept = [(period, str(series), value) for period, series, value in rows if value is not None]
    totals: dict[str, float] = defaultdict(float)
    for _, series, value in kept:
        totals[series] += abs(float(value))
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    left_out: tuple[str, ...] = ()
    if len(ranked) > len(PALETTE):
        small = set(ranked[len(PALETTE) - 1 :])
        drawn = [(p, s, v) for p, s, v in kept if s not in small]
        if panel.unit == "ratio":
            left_out = tuple(sorted(small))
        else:
            other: dict[date, Any] = defaultdict(int)
            for period, series, value in kept:
                if series in small:
                    other[period] += value
            drawn += [(period, OTHER, value) for period, value in other.items()]
        kept = drawn
    grain = GRAINS.get(panel.period_title, "week")
    return PanelRows(panel, level, tuple(sorted(kept)), grain, left_out)


def level_section(
    engine: LocalQueryEngine,
    level: Level,
    scope: ReportScope,
    cover: story.Coverage,
    slugs: Sequence[str],
    on_chart: Callable[[PanelRows], None],
    on_step: Callable[[], None],
    once: ComputedOnce | None = None,
) -> LevelSection:
    """One level's figures, for its scopes `slugs`; `on_chart` is handed each chart's rows as soon
    as they are read (to draw them while the next are read); `once` computes what they read."""
    where = scope.where
    served = set(engine.names)
    charts = []
    for panel in REPORT_PANELS:
        if level.table_name(panel.view) in served:
            if once:
                once.ready(level.table_name(panel.view))
            charts.append(panel_rows(engine, panel, scope, level))
            on_chart(charts[-1])
        on_step()
    if once:
        once.ready_all()
    return LevelSection(
        level,
        tuple(story.adoption(engine, level, where, cover, slugs)),
        tuple(charts),
        story.teams(engine, level, where, cover),
        tuple(story.health(engine, level, where)),
    )


# ---- each table and view computed once ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Computed:
    """A table or view to compute once, into a temporary table of its name."""

    name: str
    columns: tuple[str, ...] | None = None  # of a table's columns, those its readers name; None: all


def level_reads(level: Level, names: Iterable[str]) -> list[str]:
    """What a level's queries read, a name per query (a name twice when two queries read it),
    of the archive's `names`."""
    known = set(names)
    wanted = [level.table_name(name) for name in (*story.READS, *(panel.view for panel in REPORT_PANELS))]
    return [name for name in wanted if name in known]


def computed_once(
    roots: Iterable[str],
    reads: Mapping[str, Sequence[str]],
    tables: Mapping[str, Sequence[str]],
    sql: Mapping[str, str],
) -> list[Computed]:
    """What to compute once, when each of `roots` is queried once and a view (its `sql`) evaluates
    what it reads each time it is evaluated: every table reached (of `tables`, each with its
    columns: a table over the archive's files reads every file's schema each time it is read)
    and every view that would be evaluated more than once; in an order where each comes after what
    it reads. A table no query reads directly keeps the columns its readers' SQL names."""
    order: list[str] = []  # what a name reads before the name
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name not in seen:
            seen.add(name)
            for read in reads.get(name, ()):
                visit(read)
            order.append(name)

    queried = list(roots)
    for name in queried:
        visit(name)
    evaluated = Counter(queried)
    once: set[str] = set()
    for name in reversed(order):  # every reader of a name before the name
        if evaluated[name] > 1 or name in tables:
            once.add(name)
        times = 1 if name in once else evaluated[name]
        for read in reads.get(name, ()):
            evaluated[read] += times
    computed = []
    for name in (name for name in order if name in once):
        readers = [sql.get(reader) for reader in seen if name in reads.get(reader, ())]
        columns = None
        if name in tables and name not in queried and readers and None not in readers:
            columns = _named(tables[name], [text for text in readers if text is not None])
        computed.append(Computed(name, columns))
    return computed


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)
_STAR = re.compile(r"(?<!\()\s*\*(?!\s*\))")  # a `*` other than count(*)'s: maybe every column


def _named(columns: Sequence[str], texts: Sequence[str]) -> tuple[str, ...] | None:
    """The `columns` any of `texts` names (a word of it: maybe more, never fewer); None (all) where
    one selects `*`."""
    texts = [_COMMENT.sub(" ", text) for text in texts]
    if any(_STAR.search(text) for text in texts):
        return None
    words = {word.lower() for text in texts for word in _WORD.findall(text)}
    return tuple(column for column in columns if column.lower() in words)


def materialise(engine: LocalQueryEngine, computed: Iterable[Computed]) -> None:
    """Each of `computed` computed once into a temporary table of its name, and the name's view made
    to read that table: the views that read the name (defined or not yet) read the table."""
    for item in computed:
        name, selected = item.name, ", ".join(item.columns) if item.columns is not None else "*"
        engine.run(f"CREATE TEMP TABLE {name} AS SELECT {selected} FROM main.{name}", dialect="duckdb")
        engine.run(f"CREATE OR REPLACE VIEW main.{name} AS SELECT * FROM temp.main.{name}", dialect="duckdb")


class ComputedOnce:
    """What a level's queries read that is to be computed once (computed_once), each computed when
    a query first needs it: a chart's rows are read, and it is drawn, before the rest is computed."""

    def __init__(self, engine: LocalQueryEngine, level: Level) -> None:
        self._engine = engine
        plan = computed_once(level_reads(level, engine.names), READS, table_columns(), DUCKDB_VIEWS)
        self._pending = {item.name: item for item in plan}

    def ready(self, name: str) -> None:
        """Compute what `name` reads of the plan, each after what it reads, and `name` if planned."""
        for read in READS.get(name, ()):
            self.ready(read)
        if (item := self._pending.pop(name, None)) is not None:
            materialise(self._engine, [item])

    def ready_all(self) -> None:
        for name in list(self._pending):
            self.ready(name)


def table_columns() -> dict[str, tuple[str, ...]]:
    """Every curated table's columns (its files' and its path's), by its name at each level."""
    return {
        table.name_at(level): tuple(c.name for c in (*table.file_columns, *table.partition_columns(level)))
        for table in curated_schema.ALL_TABLES
        for level in table.levels
    }
