"""What the report computes once before a level's queries: every table it reaches (a table over
the archive's files reads every file's schema each time it is read) and every view it would
evaluate more than once, each after what it reads; checked against a plain evaluation count."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from copilot_archive.core.reports import Level
from copilot_archive.querying.compiled_sql import DUCKDB_VIEWS, READS
from copilot_archive.reporting.sections import ComputedOnce, computed_once, level_reads, table_columns

COLUMNS = {"t": ("a", "b", "c", "enterprise", "day")}


def evaluations(roots: Iterable[str], reads: Mapping[str, Sequence[str]], once: set[str]) -> Counter[str]:
    """How many times each name's body runs: a name read again after it was computed once is not."""
    runs: Counter[str] = Counter()

    def read(name: str) -> None:
        if name in once and runs[name]:
            return
        runs[name] += 1
        for inner in reads.get(name, ()):
            read(inner)

    for root in roots:
        read(root)
    return runs


def test_a_view_two_queries_read_is_computed_once_and_what_it_reads_through_it():
    reads = {"v": ("w",), "w": ()}

    assert [c.name for c in computed_once(["v", "v"], reads, {}, {})] == ["v"]
    assert computed_once(["v"], reads, {}, {}) == []


def test_a_view_two_views_read_is_computed_once_before_them():
    reads = {"a": ("shared",), "b": ("shared",), "shared": ("x",), "x": ()}

    assert [c.name for c in computed_once(["a", "b"], reads, {}, {})] == ["shared"]


def test_a_table_is_computed_once_with_the_columns_its_readers_name():
    reads = {"v": ("t",), "u": ("t",)}
    sql = {"v": "SELECT enterprise, day, count(*) AS n FROM t GROUP BY 1, 2", "u": "SELECT a FROM t"}

    [table] = computed_once(["v", "u"], reads, COLUMNS, sql)

    assert (table.name, table.columns) == ("t", ("a", "enterprise", "day"))


def test_a_table_a_query_reads_itself_or_a_reader_selects_all_of_keeps_every_column():
    reads = {"v": ("t",)}

    assert computed_once(["v", "t"], reads, COLUMNS, {"v": "SELECT a FROM t"})[0].columns is None
    assert computed_once(["v"], reads, COLUMNS, {"v": "SELECT * FROM t"})[0].columns is None
    # A comment selects nothing, not even with a `*`.
    assert computed_once(["v"], reads, COLUMNS, {"v": "/* b * */ SELECT a FROM t"})[0].columns == ("a",)


def test_in_random_graphs_nothing_runs_twice_and_each_view_computed_once_would_have():
    rng = random.Random(17)
    for _ in range(300):
        names = [f"n{i}" for i in range(8)]
        # A name reads only names after it: no cycle, as compiled_sql refuses one.
        reads = {
            name: tuple(rng.sample(names[i + 1 :], rng.randint(0, len(names) - i - 1)))
            for i, name in enumerate(names)
        }
        tables = {name: () for name in names if not reads[name] and rng.random() < 0.5}
        roots = rng.choices(names, k=rng.randint(1, 6))

        computed = [c.name for c in computed_once(roots, reads, tables, {})]

        assert max(evaluations(roots, reads, set(computed)).values()) == 1
        reached = set(evaluations(roots, reads, set()))
        assert {name for name in tables if name in reached} <= set(computed)
        for name in set(computed) - set(tables):
            assert evaluations(roots, reads, set(computed) - {name})[name] > 1, (roots, reads, name)
        positions = {name: i for i, name in enumerate(computed)}
        for name in computed:
            assert all(positions[inner] < positions[name] for inner in reads[name] if inner in positions)


def test_the_reports_enterprise_level_reads_user_daily_once_and_its_shared_views_once():
    roots = level_reads(Level.ENTERPRISE, [*READS, *table_columns()])
    computed = {c.name: c for c in computed_once(roots, READS, table_columns(), DUCKDB_VIEWS)}

    assert {"user_daily", "seat_daily", "seats_daily", "seat_cost_monthly", "inactive_seats"} <= set(computed)
    assert computed["user_daily"].columns is not None and "extra" not in computed["user_daily"].columns
    assert computed["seat_daily"].columns is None  # the teams' note reads it itself
    runs = evaluations(roots, READS, set(computed))
    assert max(runs.values()) == 1


class Recorder:
    """An engine that holds every table and view and records what it is asked to run."""

    def __init__(self) -> None:
        self.names = (*READS, *table_columns())
        self.statements: list[str] = []

    def run(self, sql: str, dialect: str = "athena") -> tuple[list[str], list[tuple[()]]]:
        self.statements.append(sql)
        return [], []

    def created(self) -> list[str]:
        return [s.split()[3] for s in self.statements if s.startswith("CREATE TEMP TABLE")]


def test_what_a_chart_reads_is_computed_before_it_and_the_rest_once_after():
    engine = Recorder()
    once = ComputedOnce(engine, Level.ENTERPRISE)  # type: ignore[arg-type]

    once.ready("active_users_daily")
    assert engine.created() == ["user_daily"]

    once.ready("active_users_weekly")
    once.ready_all()
    created = engine.created()
    assert created[:2] == ["user_daily", "active_users_weekly"]
    assert len(created) == len(set(created))
    assert created.index("inactive_seats") < created.index("seat_cost_monthly")
    assert set(created) == {
        c.name
        for c in computed_once(
            level_reads(Level.ENTERPRISE, engine.names), READS, table_columns(), DUCKDB_VIEWS
        )
    }
