"""Query a local archive folder with DuckDB: the curated and raw tables, and the shipped views.

Each curated table is a DuckDB view over its Hive-partitioned Parquet files (an empty typed
view while there are none); each raw table is a view of its NDJSON lines as text, with the
enterprise (or organization) and day taken from the path, as Athena's raw tables see them.
Organization-level tables and views carry the `org_` prefix. The shipped views
are the `athena/views` files translated by `copilot_archive.querying.sql`, compiled at build time
(compiled_sql.py).

A query defines only what it reads: a view after the tables and views it reads (compiled_sql.READS),
a table when first read. Defining a table reads its files' schemas, and an archive holds about
120 tables over thousands of files: defining them all took most of a query's time.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal

from ..core import curated_schema
from ..core.exceptions import NoData, QueryError
from ..core.layout import DEFAULT_PREFIX, curated_table_location, raw_table_location, validate_prefix
from ..core.reports import Level, Report, raw_table_name, reports_at
from .compiled_sql import DUCKDB_TYPES, DUCKDB_VIEWS, PINNED_DAY, READS

Format = Literal["table", "csv", "json"]
FORMATS: tuple[str, ...] = ("table", "csv", "json")
Rows = list[tuple[Any, ...]]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# NDJSON never holds a raw control character (JSON escapes them), so chr(1) never splits a line.
_RAW_READ = (
    "columns={'line': 'VARCHAR'}, delim=chr(1), quote='', escape='', header=false, auto_detect=false, "
    "max_line_size=268435456, hive_partitioning=true"
)


def _hive_types(level: Level, monthly: bool = False) -> str:
    # A monthly table's day is a column of its files; its path holds the month instead.
    second = "'month': 'VARCHAR'" if monthly else "'day': 'DATE'"
    return f"hive_types={{'{level.value}': 'VARCHAR', {second}}}"


def duckdb_type(athena_type: str) -> str:
    if athena_type in DUCKDB_TYPES:
        return DUCKDB_TYPES[athena_type]
    from sqlglot import exp  # a type the contract does not use: translated on the spot

    return exp.DataType.build(athena_type, dialect="athena").sql(dialect="duckdb")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class LocalQueryEngine:
    """An in-memory DuckDB over one local archive folder; `today` pins CURRENT_DATE in the views."""

    def __init__(
        self, archive_root: str | Path, prefix: str = DEFAULT_PREFIX, *, today: date | None = None
    ) -> None:
        self.root = Path(archive_root)
        self.prefix = validate_prefix(prefix)
        self.today = today
        # Imported here: DuckDB takes about half a second to load, and the CLI imports this module
        # for every command (its formats, the archive check), `index` too.
        import duckdb

        self._duckdb = duckdb
        self._connection = duckdb.connect(":memory:")
        # A table's files' footers are read when it is defined and again by each query that binds it.
        self._connection.execute("SET parquet_metadata_cache = true")
        self._tables = self._table_selects()
        self.table_names: tuple[str, ...] = tuple(self._tables)
        self.view_names: tuple[str, ...] = tuple(DUCKDB_VIEWS)
        # What the connection defines so far, each after what it reads.
        self.defined: list[str] = []

    def __enter__(self) -> LocalQueryEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.table_names, *self.view_names)

    def run(
        self, sql_or_view: str, dialect: Literal["athena", "duckdb"] = "athena"
    ) -> tuple[list[str], Rows]:
        """Run SQL (Athena's dialect unless told otherwise) or, given a bare name, a whole view ordered."""
        text = sql_or_view.strip().rstrip(";").strip()
        if _NAME.fullmatch(text):
            return self._run_view(text)
        # Only SQL needs the parser (a view's name needs none): loaded here, not at import.
        from . import sql

        written = text
        if dialect == "athena":
            text = sql.translate(text, today=self.today, strip_qualifiers=self.names)
        try:
            self.define(sql.tables_read(written, dialect))
        except QueryError:
            self.define(self.names)  # SQL sqlglot cannot read may still be DuckDB's: define all
        try:
            return self._execute(text, "query")
        except QueryError as exc:
            if not isinstance(exc.__cause__, self._duckdb.CatalogException):
                raise
            if len(self.defined) < len(self.names):
                # A name the parser did not see as a table (in a table function's argument, say).
                self.define(self.names)
                return self.run(sql_or_view, dialect)
            unknown = sorted(sql.tables_read(written, dialect) - set(self.names))
            if not unknown:
                raise
            # DuckDB's own message suggests its catalog's tables (pg_sequences, ...), not the archive's.
            raise QueryError(self._unknown_tables(unknown)) from exc

    def _unknown_tables(self, unknown: list[str]) -> str:
        close = [m for name in unknown for m in difflib.get_close_matches(name, self.names, n=2)]
        guess = f" (did you mean {' or '.join(dict.fromkeys(close))}?)" if close else ""
        return (
            f"unknown table {', '.join(unknown)}{guess}; the archive's tables: "
            f"{', '.join(sorted(self.table_names))}; its views: {', '.join(sorted(self.view_names))}"
        )

    def _run_view(self, name: str) -> tuple[list[str], Rows]:
        if name not in self.names:
            raise QueryError(f"unknown view {name!r}; known views: {', '.join(sorted(self.view_names))}")
        self.define([name])
        # ORDER BY ALL: every column left to right, as ORDER BY 1, 2, ... would.
        return self._execute(f"SELECT * FROM {name} ORDER BY ALL", f"view {name}")

    def _execute(self, text: str, source: str) -> tuple[list[str], Rows]:
        try:
            cursor = self._connection.execute(text)
            columns = [d[0] for d in cursor.description or ()]
            return columns, cursor.fetchall()
        except self._duckdb.Error as exc:
            raise QueryError(f"{source} failed: {exc}") from exc

    # ---- definitions ---------------------------------------------------------------

    def define(self, names: Iterable[str]) -> None:
        """Define each of `names` the archive has (tables and shipped views), with what it reads;
        other names (DuckDB's own, a query's CTEs) are left to DuckDB."""
        for name in names:
            self._define(name, ())

    def _define(self, name: str, path: tuple[str, ...]) -> None:
        if name in self.defined or name in path:  # a cycle is refused when the views are compiled
            return
        if name in self._tables:
            self._define_view(name, self._tables[name](), f"table {name}")
        elif name in DUCKDB_VIEWS:
            for read in READS[name]:
                self._define(read, (*path, name))
            self._execute(self._view_sql(name), f"view {name}")
        else:
            return
        self.defined.append(name)

    def _view_sql(self, name: str) -> str:
        text = DUCKDB_VIEWS[name]
        if self.today is None:
            return text
        return text.replace("CURRENT_DATE", PINNED_DAY.format(day=self.today.isoformat()))

    def _table_selects(self) -> dict[str, Callable[[], str]]:
        """Every table's name and how to write its SELECT (which looks at its files)."""
        selects: dict[str, Callable[[], str]] = {}
        for level in Level:
            for table in (t for t in curated_schema.ALL_TABLES if level in t.levels):
                selects[table.name_at(level)] = partial(self._curated_select, table, level)
            for report in reports_at(level):
                selects[raw_table_name(report, level)] = partial(self._raw_select, report, level)
        return selects

    def _define_view(self, name: str, select: str, source: str) -> None:
        self._execute(f"CREATE OR REPLACE VIEW {name} AS {select}", source)

    def _folder(self, location: str) -> Path:
        return self.root / location

    def _curated_select(self, table: curated_schema.CuratedTable, level: Level) -> str:
        folder = self._folder(curated_table_location(self.prefix, table.name, level))
        columns = (*table.file_columns, *table.partition_columns(level))
        if not any(folder.glob("*/*/*.parquet")):
            typed = ", ".join(f"CAST(NULL AS {duckdb_type(c.type)}) AS {c.name}" for c in columns)
            return f"SELECT {typed} WHERE false"
        source = (
            f"read_parquet({_literal(str(folder / '*/*/*.parquet'))}, hive_partitioning=true, "
            f"union_by_name=true, {_hive_types(level, table.monthly)})"
        )
        present = {row[0] for row in self._execute(f"DESCRIBE SELECT * FROM {source}", table.name)[1]}
        # Keep the contract's columns and types even if every file lacks one (e.g. a new column).
        typed = ", ".join(
            f"CAST({c.name if c.name in present else 'NULL'} AS {duckdb_type(c.type)}) AS {c.name}"
            for c in columns
        )
        return f"SELECT {typed} FROM {source}"

    def _raw_select(self, report: Report, level: Level) -> str:
        folder = self._folder(raw_table_location(self.prefix, report, level))
        if not any(folder.glob("*/*/*.json")):
            return f"SELECT CAST(NULL AS VARCHAR) AS line, CAST(NULL AS VARCHAR) AS {level.value}, " + (
                "CAST(NULL AS DATE) AS day WHERE false"
            )
        source = f"read_csv({_literal(str(folder / '*/*/*.json'))}, {_RAW_READ}, {_hive_types(level)})"
        return f"SELECT line, {level.value}, day FROM {source}"


# ---- output ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as JSON would carry it: dates as YYYY-MM-DD, decimals as numbers."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> str:
    """Rows as aligned text, CSV with a header, or one JSON array of row objects."""
    if fmt == "json":
        records = [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]
        return json.dumps(records, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text(v) for v in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "table":
        cells = [[_text(v) for v in row] for row in rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
        numeric = [
            bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(len(columns))
        ]

        def line(values: Sequence[str]) -> str:
            return "  ".join(
                v.rjust(w) if right else v.ljust(w)
                for v, w, right in zip(values, widths, numeric, strict=True)
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(list(columns)), rule, *(line(r) for r in cells)])
    raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def require_archive(archive: str | Path, prefix: str = DEFAULT_PREFIX) -> Path:
    """The archive folder, if it holds anything under `prefix`: an empty table from a mistyped
    path reads as "no usage", so a missing or empty archive is an error naming the path."""
    root = Path(archive)
    if not root.is_dir():
        raise NoData(f"no archive at {archive}: {'not a folder' if root.exists() else 'no such folder'}")
    under = root / validate_prefix(prefix)
    if not any(path.is_file() for path in under.rglob("*")):
        # A single-segment prefix the folder does hold, in case --prefix was forgotten or mistyped.
        others = sorted({p.parent.name for part in ("manifests", "raw") for p in root.glob(f"*/{part}")})
        hint = f"; it holds prefix {', '.join(others)} (--prefix)" if others else ""
        raise NoData(f"no archive at {archive}: nothing under {under}{hint}")
    return root


def run_query(
    sql_or_view: str,
    archive: str | Path,
    *,
    prefix: str = DEFAULT_PREFIX,
    fmt: str = "table",
    today: date | None = None,
) -> str:
    """What `copilot-archive query SQL_OR_VIEW --archive PATH --format FMT` prints."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with LocalQueryEngine(require_archive(archive, prefix), prefix, today=today) as engine:
        columns, rows = engine.run(sql_or_view)
    return format_rows(columns, rows, fmt)
