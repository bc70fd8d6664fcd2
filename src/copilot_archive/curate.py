"""Raw NDJSON report lines -> rows of the curated tables: the pure core of the indexer.

No storage and no AWS here: lines in, per-table Arrow record batches out, in bounded
batches so memory stays flat whatever the size of the report-day. The rules:
- a known field becomes a typed column; a nested object named in `_NESTED` is flattened;
- every field a table does not type (new fields, internal ones like `etl_id`, unknown
  breakdowns like `totals_by_copilot_app`, a value of the wrong type) is kept, as a compact
  JSON object in `extra`; a missing field is null;
- each nested breakdown list (`totals_by_ide`, ...) is its own table, one row per element;
  `totals_by_cli` (an object) is one row;
- an enterprise line is either a `day_totals` wrapper or a flat day object: both give one
  `enterprise_day_totals` row per day element of the report-day;
- a blank line is skipped; a line that is not a JSON object stops the report-day.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Union

import pyarrow as pa

from .curated_schema import (
    CURATED_REPORTS,
    ENTERPRISE_DAY_TOTALS,
    USER_DAILY,
    CuratedTable,
    tables_for,
)
from .exceptions import CurationError
from .layout import Report

# Lines curated before the buffered rows are handed out as record batches.
BATCH_LINES = 5_000
# Warnings kept per report-day; the rest are only counted.
MAX_WARNINGS = 20

ARROW_TYPES: Mapping[str, pa.DataType] = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}

# Columns read from a nested object: column -> path in the report object.
_NESTED: dict[str, tuple[str, ...]] = {
    "ide_version": ("last_known_ide_version", "ide_version"),
    "ide_version_sampled_at": ("last_known_ide_version", "sampled_at"),
    "plugin": ("last_known_plugin_version", "plugin"),
    "plugin_version": ("last_known_plugin_version", "plugin_version"),
    "plugin_version_sampled_at": ("last_known_plugin_version", "sampled_at"),
    "avg_tokens_per_request": ("token_usage", "avg_tokens_per_request"),
    "output_tokens_sum": ("token_usage", "output_tokens_sum"),
    "prompt_tokens_sum": ("token_usage", "prompt_tokens_sum"),
    "cli_version": ("last_known_cli_version", "cli_version"),
    "cli_version_sampled_at": ("last_known_cli_version", "sampled_at"),
    "ai_adoption_phase": ("ai_adoption_phase", "phase"),
    "ai_adoption_phase_number": ("ai_adoption_phase", "phase_number"),
    "ai_adoption_phase_version": ("ai_adoption_phase", "version"),
}
_PULL_REQUESTS = "pull_requests_"
# Columns not read from the report object itself.
_LINEAGE = frozenset({"source_part", "source_line", "extra", "report_shape"})
_PARENT_KEY = ("user_id", "user_login")


@functools.cache
def arrow_schema(table: CuratedTable) -> pa.Schema:
    """The Parquet schema of a curated table: its columns only (enterprise and day are the path)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])


# ---- typing of values --------------------------------------------------------------

Coerce = Callable[[Any], tuple[bool, Any]]


def _string(value: Any) -> tuple[bool, Any]:
    return (True, value) if isinstance(value, str) else (False, None)


def _boolean(value: Any) -> tuple[bool, Any]:
    return (True, value) if isinstance(value, bool) else (False, None)


def _integer(bits: int) -> Coerce:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def coerce(value: Any) -> tuple[bool, Any]:
        # bool is an int in Python, never a count in a report.
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return True, value
        if isinstance(value, float) and value.is_integer() and low <= value <= high:
            return True, int(value)
        return False, None

    return coerce


def _double(value: Any) -> tuple[bool, Any]:
    if isinstance(value, float):
        return True, value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return True, float(value)
        except OverflowError:
            return False, None
    return False, None


_COERCE: Mapping[str, Coerce] = {
    "string": _string,
    "bigint": _integer(64),
    "int": _integer(32),
    "double": _double,
    "boolean": _boolean,
}


@dataclass(frozen=True, slots=True)
class _Leaf:
    column: str
    coerce: Coerce


# key -> a column, or the spec of the nested object under that key
_Spec = dict[str, Union[_Leaf, "_Spec"]]


def _path(column: str) -> tuple[str, ...]:
    if column in _NESTED:
        return _NESTED[column]
    if column.startswith(_PULL_REQUESTS):
        return ("pull_requests", column[len(_PULL_REQUESTS) :])
    return (column,)


def _spec(table: CuratedTable, skip: Iterable[str] = ()) -> _Spec:
    """Where each of the table's columns is read in a report object."""
    spec: _Spec = {}
    skipped = _LINEAGE | set(skip)
    for column in table.columns:
        if column.name in skipped:
            continue
        *parents, leaf = _path(column.name)
        node = spec
        for key in parents:
            child = node.setdefault(key, {})
            assert isinstance(child, dict), f"{table.name}: {key} is both a column and an object"
            node = child
        node[leaf] = _Leaf(column.name, _COERCE[column.type])
    return spec


def _take(obj: Mapping[str, Any], spec: _Spec, out: dict[str, Any]) -> dict[str, Any]:
    """Fill `out` with the typed values `spec` names; return what is left of `obj`, untyped."""
    left: dict[str, Any] = {}
    for key, value in obj.items():
        rule = spec.get(key)
        if rule is None:
            left[key] = value
        elif value is None:
            continue  # an explicit null: the column stays null, nothing is lost
        elif isinstance(rule, _Leaf):
            ok, typed = rule.coerce(value)
            if ok:
                out[rule.column] = typed
            else:
                left[key] = value  # wrong type: null in the column, kept as it came
        elif isinstance(value, dict):
            rest = _take(value, rule, out)
            if rest:
                left[key] = rest
        else:
            left[key] = value
    return left


def _extra(left: Mapping[str, Any]) -> str | None:
    return json.dumps(left, separators=(",", ":"), ensure_ascii=False) if left else None


# ---- buffering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableBatch:
    """Rows of one curated table, ready to be appended to its Parquet file."""

    table: CuratedTable
    batch: pa.RecordBatch


class _Buffer:
    """Column lists of one table, turned into a record batch on flush."""

    def __init__(self, table: CuratedTable) -> None:
        self.table = table
        self.schema = arrow_schema(table)
        self.names = table.column_names
        self.columns: list[list[Any]] = [[] for _ in self.names]

    def __len__(self) -> int:
        return len(self.columns[0])

    def append(self, row: Mapping[str, Any]) -> None:
        for values, name in zip(self.columns, self.names, strict=True):
            values.append(row.get(name))

    def take(self) -> pa.RecordBatch:
        arrays = [pa.array(values, type=f.type) for values, f in zip(self.columns, self.schema, strict=True)]
        self.columns = [[] for _ in self.names]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def parse_line(raw: bytes, key: str, number: int) -> dict[str, Any]:
    """One report line as a JSON object; CurationError naming the file and line otherwise."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CurationError(f"{key} line {number}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise CurationError(f"{key} line {number}: a JSON {type(value).__name__}, not an object")
    return value


class Curator:
    """Curates one report-day: feed it each raw file's lines in order, then `finish()`.

    Both yield `TableBatch`es, every `batch_lines` lines; the caller writes them out.
    """

    def __init__(self, report: Report, day: date, batch_lines: int = BATCH_LINES) -> None:
        if report not in CURATED_REPORTS:
            raise ValueError(f"{report} has no curated tables")
        self.report = report
        self.day = day
        self.batch_lines = batch_lines
        self.tables = tables_for(report)
        self.lines = 0  # non-blank lines curated
        self.rows: dict[str, int] = {t.name: 0 for t in self.tables}
        self.warnings: list[str] = []
        self.warning_count = 0
        self._day = day.isoformat()
        self._row_table = USER_DAILY if report is Report.USERS_1_DAY else ENTERPRISE_DAY_TOTALS
        self._parent = _PARENT_KEY if report is Report.USERS_1_DAY else ()
        self._breakdowns = {t.breakdown: t for t in self.tables if t.breakdown}
        self._specs = {t.name: _spec(t, self._parent if t.breakdown else ()) for t in self.tables}
        self._buffers = {t.name: _Buffer(t) for t in self.tables}
        self._pending = 0

    def curate(self, lines: Iterable[bytes], *, key: str, part: int) -> Iterator[TableBatch]:
        """Curate one raw file (`part` is its index in the manifest); line numbers start at 1."""
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            obj = parse_line(raw, key, number)
            if self.report is Report.USERS_1_DAY:
                self._user_line(obj, part, number)
            else:
                self._enterprise_line(obj, key, part, number)
            self.lines += 1
            self._pending += 1
            if self._pending >= self.batch_lines:
                yield from self._flush()

    def finish(self) -> Iterator[TableBatch]:
        yield from self._flush()

    def _flush(self) -> Iterator[TableBatch]:
        self._pending = 0
        for buffer in self._buffers.values():
            if len(buffer):
                yield TableBatch(buffer.table, buffer.take())

    def _warn(self, text: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _emit(self, table: CuratedTable, row: dict[str, Any]) -> None:
        self._buffers[table.name].append(row)
        self.rows[table.name] += 1

    def _row(
        self, table: CuratedTable, obj: Mapping[str, Any], lineage: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        row: dict[str, Any] = dict(lineage)
        left = _take(obj, self._specs[table.name], row)
        return row, left

    def _split(self, obj: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The object's own fields, and the breakdowns that are tables of their own."""
        own: dict[str, Any] = {}
        nested: dict[str, Any] = {}
        for key, value in obj.items():
            (nested if key in self._breakdowns else own)[key] = value
        return own, nested

    def _breakdown(self, name: str, value: Any, parent: dict[str, Any]) -> Any:
        """Rows of one breakdown; returns what could not be made a row (kept in the parent's extra)."""
        if value is None:
            return None
        if isinstance(value, dict):
            elements: list[Any] = [value]
        elif isinstance(value, list):
            elements = value
        else:
            return value
        table = self._breakdowns[name]
        odd = []
        for element in elements:
            if not isinstance(element, dict):
                odd.append(element)
                continue
            row, left = self._row(table, element, parent)
            row["extra"] = _extra(left)
            self._emit(table, row)
        return odd or None

    def _with_breakdowns(
        self, table: CuratedTable, obj: Mapping[str, Any], lineage: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        own, nested = self._split(obj)
        row, left = self._row(table, own, lineage)
        if left.get("day") == self._day:
            del left["day"]  # the partition holds it
        parent = {**{k: row.get(k) for k in self._parent}, **lineage}
        for name, value in nested.items():
            unused = self._breakdown(name, value, parent)
            if unused is not None:
                left[name] = unused
        return row, left

    def _user_line(self, obj: Mapping[str, Any], part: int, number: int) -> None:
        lineage = {"source_part": part, "source_line": number}
        row, left = self._with_breakdowns(USER_DAILY, obj, lineage)
        row["extra"] = _extra(left)
        self._emit(USER_DAILY, row)

    def _enterprise_line(self, obj: Mapping[str, Any], key: str, part: int, number: int) -> None:
        if isinstance(obj.get("day_totals"), list):
            shape = "wrapper"
            wrapper = {k: v for k, v in obj.items() if k != "day_totals"}
            elements: list[Any] = obj["day_totals"]
        else:
            shape, wrapper, elements = "flat", {}, [obj]
        indexed = other_days = 0
        for element in elements:
            if not isinstance(element, dict):
                self._warn(f"{key} line {number}: a day_totals element is not an object; not indexed")
                continue
            day = element.get("day")
            if day is not None and day != self._day:
                other_days += 1
                continue
            # Wrapper fields (enterprise_id, ...) apply to each day; the day's own value wins.
            merged = {**wrapper, **element}
            lineage = {"source_part": part, "source_line": number, "report_shape": shape}
            row, left = self._with_breakdowns(ENTERPRISE_DAY_TOTALS, merged, lineage)
            conflicts = {k: v for k, v in wrapper.items() if k in element and element[k] != v}
            if conflicts:
                left["wrapper"] = conflicts
            row["extra"] = _extra(left)
            self._emit(ENTERPRISE_DAY_TOTALS, row)
            indexed += 1
        if other_days:
            self._warn(f"{key} line {number}: {other_days} day element(s) not of {self._day}; not indexed")
        if shape == "wrapper" and not indexed:
            self._warn(f"{key} line {number}: a day_totals wrapper without a day element of {self._day}")
