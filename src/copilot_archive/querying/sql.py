"""The shipped SQL under `athena/`: Athena DDL per table, a Trino view per file, DuckDB by translation.

A view's file is its one copy, written over enterprise data; its organization twin (`org_` +
name, column `organization`) is derived from it here. A table's file is generated from the
contract (table_definitions.py, `make tables`). DuckDB text is produced from them with
sqlglot (read "athena", write "duckdb") plus the AST transforms below, never hand-written:
- `today`: CURRENT_DATE becomes a date literal, so a local run (and a test) can pin the
  calendar that `report_status` spans;
- `strip_qualifiers`: `copilot_metrics.user_daily` becomes `user_daily` for the names the
  local engine defines, so a query copied from Athena runs unchanged.
Everything else the views need (date_trunc, sequence, greatest, VALUES, CASE) sqlglot
translates by itself; the views CAST date_trunc and sequence results to date, which Athena
needs no help with and DuckDB (where they yield timestamps) does.
"""

from __future__ import annotations

import argparse
import re
import string
import sys
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..core.curated_schema import ALL_TABLES
from ..core.exceptions import QueryError
from ..core.reports import Level, reports_at

Dialect = Literal["athena", "duckdb"]
READ_DIALECT: Dialect = "athena"
_VIEW_HEAD = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)\s+AS\b", re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"\A(?:[ \t]*(?:--[^\n]*)?(?:\n|\Z))*")


def athena_dir() -> Path:
    """The `athena/` folder: at the package's root in the Lambda layer, else the repository's."""
    packaged = Path(__file__).parents[1] / "athena"
    if packaged.is_dir():
        return packaged
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "athena"
        if (candidate / "views").is_dir() and (candidate / "tables").is_dir():
            return candidate
    raise FileNotFoundError(f"no athena/ folder beside {packaged.parent} or above it")


@cache
def _files(kind: str) -> dict[str, str]:
    folder = athena_dir() / kind
    return {path.stem: path.read_text() for path in sorted(folder.glob("*.sql"))}


def table_names() -> tuple[str, ...]:
    """Every table with a DDL file: the raw tables and every curated table."""
    return tuple(_files("tables"))


def table_ddl(name: str, *, database: str, bucket: str, prefix: str) -> str:
    """A table's CREATE EXTERNAL TABLE with its placeholders filled in."""
    try:
        template = _files("tables")[name]
    except KeyError:
        raise QueryError(f"unknown table {name!r}; known tables: {', '.join(table_names())}") from None
    return string.Template(template).substitute(database=database, bucket=bucket, prefix=prefix.strip("/"))


def view_names(levels: Collection[Level] = tuple(Level)) -> tuple[str, ...]:
    """Every shipped view at each level (the organization twins after), each after the views it
    reads; a view is at a level only where every table it reads is (billing: the enterprise's)."""
    ordered = _enterprise_view_names()
    return tuple(
        level.table_name(name)
        for level in Level
        if level in levels
        for name in ordered
        if _served_at(name, level)
    )


@cache
def _served_at(name: str, level: Level) -> bool:
    views = _files("views")
    levels = {table.name: table.levels for table in ALL_TABLES}
    for read in _tables_read(views[name]):
        if read in views and not _served_at(read, level):
            return False
        if read in levels and level not in levels[read]:
            return False
    return True


@cache
def _enterprise_view_names() -> tuple[str, ...]:
    views = _files("views")
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in path:
            raise QueryError(f"views read each other in a cycle: {' -> '.join((*path, name))}")
        for used in sorted(_tables_read(views[name]) & views.keys()):
            visit(used, (*path, name))
        ordered.append(name)

    for name in views:
        visit(name, ())
    return tuple(ordered)


def _tables_read(text: str) -> set[str]:
    """The names a view's query reads, without its own name and its CTEs'."""
    query = _parse(text, "<view>").expression
    if query is None:
        return set()
    return tables_read(query)


def tables_read(query: str | exp.Expr, dialect: Dialect = READ_DIALECT) -> set[str]:
    """The table and view names a query reads (unqualified), without its CTEs' names and
    without table functions such as read_parquet."""
    tree = _parse(query, "query", dialect) if isinstance(query, str) else query
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    return {table.name for table in tree.find_all(exp.Table) if table.name} - ctes


def view_sql(name: str, dialect: Dialect = "athena", *, today: date | None = None) -> str:
    """The view's CREATE OR REPLACE VIEW: the file's text for Athena, its translation for DuckDB."""
    prefix = Level.ORGANIZATION.table_prefix
    if name.startswith(prefix) and name.removeprefix(prefix) in _files("views"):
        return _organization_view(name.removeprefix(prefix), dialect, today)
    try:
        text = _files("views")[name]
    except KeyError:
        raise QueryError(f"unknown view {name!r}; known views: {', '.join(sorted(view_names()))}") from None
    # Athena has refused DDL that starts with a comment: its text starts at CREATE.
    statement = _LEADING_COMMENTS.sub("", text, count=1)
    match = _VIEW_HEAD.match(statement)
    if match is None or match[1] != name:
        raise QueryError(f"athena/views/{name}.sql must define CREATE OR REPLACE VIEW {name} AS ...")
    if dialect == "athena":
        return statement
    return translate(text, today=today, source=f"view {name}")


def _organization_view(name: str, dialect: Dialect, today: date | None) -> str:
    """The enterprise view `name` over the organization tables: every table and view it reads
    takes its organization name (org_user_daily, org_day_totals), its own name the `org_` prefix,
    the `enterprise` column becomes `organization`,
    and enterprise-only report names become their organization counterparts."""
    athena = organization_twin(view_sql(name, "athena"), f"view {name}")
    if dialect == "athena":
        return athena
    return translate(athena, today=today, source=f"view {Level.ORGANIZATION.table_name(name)}")


def organization_twin(sql: str, source: str = "query") -> str:
    """Athena SQL over enterprise tables and views, rewritten over the organization's: the rule
    the views' `org_` twins are made by, for a query such as a report panel's."""
    tree = _parse(sql, source)
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    org = Level.ORGANIZATION
    curated = {table.name: table.name_at(org) for table in ALL_TABLES}
    for table in tree.find_all(exp.Table):
        if table.name not in ctes:
            table.set("this", exp.to_identifier(curated.get(table.name) or org.table_name(table.name)))
    for identifier in tree.find_all(exp.Identifier):
        if identifier.this == Level.ENTERPRISE.value:
            identifier.set("this", org.value)
    for literal in tree.find_all(exp.Literal):
        if literal.is_string and literal.this in _ORGANIZATION_COUNTERPARTS:
            literal.set("this", _ORGANIZATION_COUNTERPARTS[literal.this])
    return tree.sql(dialect=READ_DIALECT, pretty=True)


# enterprise-1-day -> organization-1-day: the same report under the organization's name.
_ORGANIZATION_COUNTERPARTS = {
    report.value: report.value.replace(Level.ENTERPRISE.value, Level.ORGANIZATION.value, 1)
    for report in reports_at(Level.ENTERPRISE)
    if Level.ORGANIZATION not in report.kind.levels
}


def translate(
    sql: str, *, today: date | None = None, strip_qualifiers: Collection[str] = (), source: str = "query"
) -> str:
    """Athena (Trino) SQL as DuckDB SQL, one statement; QueryError names `source` if it cannot."""
    tree = _parse(sql, source)
    if today is not None:
        literal = exp.cast(exp.Literal.string(today.isoformat()), exp.DataType.Type.DATE)
        tree = tree.transform(lambda node: literal.copy() if isinstance(node, exp.CurrentDate) else node)
    if strip_qualifiers:
        known = set(strip_qualifiers)
        for table in tree.find_all(exp.Table):
            if table.name in known:
                table.set("db", None)
                table.set("catalog", None)
    try:
        return tree.sql(dialect="duckdb")
    except SqlglotError as exc:
        raise QueryError(f"{source}: cannot translate to DuckDB: {exc}") from exc


def _parse(sql: str, source: str, dialect: Dialect = READ_DIALECT) -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise QueryError(f"{source}: not valid Athena SQL: {exc}") from exc
    if len(statements) != 1:
        raise QueryError(f"{source}: expected one SQL statement, found {len(statements)}")
    return statements[0]


# ---- compiled at build time --------------------------------------------------------
# What the Lambda and the CLI would otherwise parse on every cold start, written by `make tables`
# into a module that needs no SQL parser; tests/unit/test_sql_files.py holds it current.
COMPILED = Path("src/copilot_archive/querying/compiled_sql.py")
# CURRENT_DATE pinned to a day, as `translate(today=...)` writes it in DuckDB.
PINNED_DAY = "CAST('{day}' AS DATE)"


def render_compiled() -> str:
    """The text of compiled_sql.py: every view's Athena and DuckDB statement, what it reads,
    and the contract's column types in DuckDB."""
    names = view_names()
    athena = {name: view_sql(name, "athena") for name in names}
    duckdb = {name: view_sql(name, "duckdb") for name in names}
    reads = {name: tuple(sorted(tables_read(athena[name]) - {name})) for name in names}
    probe = date(2000, 1, 2)
    for name in names:
        pinned = duckdb[name].replace("CURRENT_DATE", PINNED_DAY.format(day=probe.isoformat()))
        if pinned != view_sql(name, "duckdb", today=probe):
            raise QueryError(f"view {name}: CURRENT_DATE cannot be pinned in its DuckDB text")
    columns = [(*t.file_columns, *t.partition_columns(level)) for t in ALL_TABLES for level in Level]
    types = sorted({column.type for each in columns for column in each})
    return "\n".join(
        [
            '"""The shipped views and column types compiled at build time, so that neither the indexer\'s',
            "cold start nor a local query parses SQL. Generated from athena/views and the contract by",
            "`make tables` (python -m copilot_archive.querying.sql --write): do not edit.",
            '"""',
            "",
            "# Every view at every level, each after the views it reads: (name, CREATE OR REPLACE VIEW ...).",
            "ATHENA_VIEWS: tuple[tuple[str, str], ...] = (",
            *(f"    (\n        {name!r},\n{_lines(athena[name], 8)},\n    )," for name in names),
            ")",
            "# Each view in DuckDB's SQL, CURRENT_DATE kept (the local engine pins it to its `today`).",
            "DUCKDB_VIEWS: dict[str, str] = {",
            *(f"    {name!r}: {duckdb[name]!r}," for name in names),
            "}",
            "# CURRENT_DATE pinned to a day, as sqlglot writes it in DuckDB.",
            f"PINNED_DAY = {PINNED_DAY!r}",
            "# The tables and views each view reads.",
            "READS: dict[str, tuple[str, ...]] = {",
            *(f"    {name!r}: {_tuple(reads[name])}," for name in names),
            "}",
            "# Each Athena column type of the contract in DuckDB's words.",
            "DUCKDB_TYPES: dict[str, str] = {",
            *(f"    {t!r}: {_duckdb_type(t)!r}," for t in types),
            "}",
            "",
        ]
    )


def _lines(text: str, indent: int) -> str:
    return "\n".join(" " * indent + repr(line) for line in text.splitlines(keepends=True))


def _tuple(items: Iterable[str]) -> str:
    inside = ", ".join(repr(item) for item in items)
    return f"({inside},)" if inside.count(",") == 0 and inside else f"({inside})"


def _duckdb_type(athena_type: str) -> str:
    return exp.DataType.build(athena_type, dialect=READ_DIALECT).sql(dialect="duckdb")


def _repo_root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / COMPILED).is_file() or (parent / "pyproject.toml").is_file():
            return parent
    raise FileNotFoundError(f"no repository above {Path(__file__).parent}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Writes or checks " + str(COMPILED))
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite it from athena/views")
    action.add_argument("--check", action="store_true", help="exit 1 if it is stale")
    parser.add_argument("--root", type=Path, default=None, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    path = (args.root or _repo_root()) / COMPILED
    text = render_compiled()
    current = path.read_text() if path.is_file() else None
    if args.write:
        if current != text:
            path.write_text(text)
            print(f"wrote {COMPILED}")
        return 0
    if current != text:
        print(f"stale: {COMPILED}; run `make tables` to regenerate it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
