"""Raw NDJSON report lines -> rows of the curated tables: the pure core of the indexer.

No storage and no AWS here: lines in, per-table Arrow record batches out, in bounded
batches so memory stays flat whatever the size of the report-day. The rules:
- a known field becomes a typed column; a nested object named in `_NESTED` is flattened;
- every field a table does not type (new fields, unknown breakdowns like
  `totals_by_copilot_app`, a value that does not fit its column) is kept, as a compact JSON
  object in `extra`; a missing field is null;
- a value fits its column only as the report documents it: counts, averages and medians are
  finite numbers >= 0, never strings or booleans; one that does not fit leaves the column
  null, is kept as given in `extra` and is counted (`Curator.mistyped`, per report-day);
- `extra` is always valid JSON: a number JSON cannot hold (NaN, Infinity, 1e999) is kept as
  its text, a string;
- each nested breakdown list (`totals_by_ide`, `pull_requests.copilot_suggestions_by_comment_type`,
  ...) is its own table, one row per element; `totals_by_cli` (an object) is one row;
- an enterprise line is either a `day_totals` wrapper or a flat day object: both give one
  `enterprise_day_totals` row per day element of the report-day;
- a blank line is skipped; a line that is not a JSON object stops the report-day.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Union

import pyarrow as pa

from ..core.curated_schema import (
    CURATED_REPORTS,
    ENTERPRISE_DAY_TOTALS,
    USER_DAILY,
    CuratedTable,
    row_table,
    tables_for,
)
from ..core.exceptions import CurationError
from ..core.layout import Report

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
    "team_slug": ("slug",),
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

# What `_fit` returns for a value that does not fit its column (None is a fitting null).
_MISFIT = object()
_FLOAT_MAX = sys.float_info.max


def _fit_string(value: Any) -> Any:
    return value if isinstance(value, str) else _MISFIT


def _fit_boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else _MISFIT


# Every number the reports carry is a count, a sum, an average, a median or an id: none is
# negative. bool is an int in Python, never a number in a report.


def _fit_integer(bits: int) -> Callable[[Any], Any]:
    high = 2 ** (bits - 1) - 1

    def fit(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high:
            return value
        if isinstance(value, float) and value.is_integer() and 0 <= value <= high:
            return int(value)
        return _MISFIT

    return fit


def _fit_double(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            value = float(value)
        except OverflowError:
            return _MISFIT
    if isinstance(value, float) and math.isfinite(value) and value >= 0:
        return value
    return _MISFIT


@dataclass(frozen=True, slots=True)
class _Fit:
    """How a value fits a column type: `exact` values within [0, `high`] (no bound when None) fit
    as they are, checked inline on the hot path; `fit` decides every other value."""

    exact: type[Any]
    high: int | float | None
    fit: Callable[[Any], Any]


_FITS: Mapping[str, _Fit] = {
    "string": _Fit(str, None, _fit_string),
    "bigint": _Fit(int, 2**63 - 1, _fit_integer(64)),
    "int": _Fit(int, 2**31 - 1, _fit_integer(32)),
    "double": _Fit(float, _FLOAT_MAX, _fit_double),
    "boolean": _Fit(bool, None, _fit_boolean),
}


@dataclass(frozen=True, slots=True)
class _Leaf:
    column: int  # the column's position in the table's rows
    exact: type[Any]
    high: int | float | None
    fit: Callable[[Any], Any]


# key -> a column, or the spec of the nested object under that key
_Spec = dict[str, Union[_Leaf, "_Spec"]]


def source_path(column: str) -> tuple[str, ...]:
    """Where a column's value is read in its report object (or breakdown element)."""
    if column in _NESTED:
        return _NESTED[column]
    if column.startswith(_PULL_REQUESTS):
        return ("pull_requests", column[len(_PULL_REQUESTS) :])
    return (column,)


def _spec(table: CuratedTable, skip: Iterable[str] = ()) -> _Spec:
    """Where each of the table's columns is read in a report object."""
    spec: _Spec = {}
    skipped = _LINEAGE | set(skip)
    for position, column in enumerate(table.columns):
        if column.name in skipped:
            continue
        *parents, leaf = source_path(column.name)
        node = spec
        for key in parents:
            child = node.setdefault(key, {})
            assert isinstance(child, dict), f"{table.name}: {key} is both a column and an object"
            node = child
        fit = _FITS[column.type]
        node[leaf] = _Leaf(position, fit.exact, fit.high, fit.fit)
    return spec


def _take(obj: Mapping[str, Any], spec: _Spec, out: list[Any], misfits: list[str]) -> dict[str, Any]:
    """Fill the row `out` with the typed values `spec` names; return what is left of `obj`, untyped.

    The key of each value that does not fit where `spec` expects it is added to `misfits`.
    The hot path of the indexer: one call per row, so the common case (a value of the column's
    exact type, in bounds) is checked inline rather than through a call.
    """
    left: dict[str, Any] = {}
    for key, value in obj.items():
        rule = spec.get(key)
        if rule is None:
            left[key] = value
        elif value is None:
            continue  # an explicit null: the column stays null, nothing is lost
        elif type(rule) is _Leaf:
            if type(value) is rule.exact and (rule.high is None or 0 <= value <= rule.high):
                out[rule.column] = value
                continue
            typed = rule.fit(value)
            if typed is _MISFIT:
                left[key] = value  # does not fit: null in the column, kept as it came
                misfits.append(key)
            else:
                out[rule.column] = typed
        elif isinstance(value, dict):
            inner: list[str] = []
            rest = _take(value, rule, out, inner)  # type: ignore[arg-type]
            if inner:
                misfits.extend(f"{key}.{name}" for name in inner)
            if rest:
                left[key] = rest
        else:
            left[key] = value  # not the object the columns are read from
            misfits.append(key)
    return left


class _NonFinite:
    """A number JSON text held that a float cannot (NaN, Infinity, 1e999): kept as its text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def _as_text(value: Any) -> str:
    if isinstance(value, _NonFinite):
        return value.text
    raise TypeError(f"{type(value).__name__} is not JSON")


def _extra(left: Mapping[str, Any]) -> str | None:
    # allow_nan=False: Python would write NaN and Infinity, which JSON readers refuse.
    return (
        json.dumps(left, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_as_text)
        if left
        else None
    )


# ---- buffering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableBatch:
    """Rows of one curated table, ready to be appended to its Parquet file."""

    table: CuratedTable
    batch: pa.RecordBatch


class _Buffer:
    """Rows of one table, each a list in column order, turned into a record batch on flush."""

    def __init__(self, table: CuratedTable) -> None:
        self.table = table
        self.schema = arrow_schema(table)
        self.width = len(table.columns)
        self.position = {name: i for i, name in enumerate(table.column_names)}
        self.extra = self.position["extra"]
        self.rows: list[list[Any]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def blank(self, values: Mapping[str, Any]) -> list[Any]:
        """A row holding `values` (those of its columns; lineage, the parent's key) and nulls."""
        row: list[Any] = [None] * self.width
        for name, value in values.items():
            position = self.position.get(name)
            if position is not None:
                row[position] = value
        return row

    def take(self) -> pa.RecordBatch:
        # zip(*rows) turns rows into columns in C: no per-value Python on the way to Arrow.
        columns = zip(*self.rows, strict=True)
        arrays = [pa.array(values, type=f.type) for values, f in zip(columns, self.schema, strict=True)]
        self.rows = []
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def parse_line(raw: bytes, key: str, number: int) -> dict[str, Any]:
    """One report line as a JSON object; CurationError naming the file and line otherwise."""
    try:
        value = json.loads(raw, parse_constant=_NonFinite, parse_float=_parse_float)
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
        self.mistyped = 0  # values that did not fit their column (see the module's rules)
        self._where = ""  # the file and line being curated, for warnings
        self._day = day.isoformat()
        self._row_table = row_table(report)
        self._parent = _PARENT_KEY if report is Report.USERS_1_DAY else ()
        self._breakdowns = {t.breakdown: t for t in self.tables if t.breakdown}
        self._breakdown_paths = {name: tuple(name.split(".")) for name in self._breakdowns}
        self._specs = {t.name: _spec(t, self._parent if t.breakdown else ()) for t in self.tables}
        self._buffers = {t.name: _Buffer(t) for t in self.tables}
        self._pending = 0

    def curate(self, lines: Iterable[bytes], *, key: str, part: int) -> Iterator[TableBatch]:
        """Curate one raw file (`part` is its index in the manifest); line numbers start at 1."""
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            obj = parse_line(raw, key, number)
            self._where = f"{key} line {number}"
            if self.report is Report.USERS_1_DAY:
                self._user_line(obj, part, number)
            elif self.report is Report.ENTERPRISE_1_DAY:
                self._enterprise_line(obj, key, part, number)
            else:
                self._row_line(obj, part, number)
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
                self.rows[buffer.table.name] += len(buffer)
                yield TableBatch(buffer.table, buffer.take())

    def _warn(self, text: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _emit(self, table: CuratedTable, row: list[Any], left: Mapping[str, Any]) -> None:
        buffer = self._buffers[table.name]
        row[buffer.extra] = _extra(left)
        buffer.rows.append(row)

    def _mistyped(self, table: CuratedTable, fields: Iterable[str]) -> None:
        for name in fields:
            self.mistyped += 1
            self._warn(f"{self._where}: {name} does not fit {table.name}; null there, kept in extra")

    def _row(self, table: CuratedTable, obj: Mapping[str, Any], row: list[Any]) -> dict[str, Any]:
        """Fill `row` (lineage already in) from `obj`; return what is left of it, untyped."""
        misfits: list[str] = []
        left = _take(obj, self._specs[table.name], row, misfits)
        if misfits:
            self._mistyped(table, misfits)
        return left

    def _split(self, obj: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The object's own fields, and the breakdowns that are tables of their own (a nested
        one, like pull_requests.copilot_suggestions_by_comment_type, is taken out of its object)."""
        own = dict(obj)
        nested: dict[str, Any] = {}
        for name, (*parents, leaf) in self._breakdown_paths.items():
            holder = own
            for key in parents:
                child = holder.get(key)
                if not isinstance(child, dict):
                    break
                copy = dict(child)  # the report object itself stays whole
                holder[key] = copy
                holder = copy
            else:
                if leaf in holder:
                    nested[name] = holder.pop(leaf)
        return own, nested

    @staticmethod
    def _put_back(left: dict[str, Any], name: str, value: Any) -> None:
        """Keep a breakdown value that made no row in `extra`, where the report had it."""
        *parents, leaf = name.split(".")
        for key in parents:
            child = left.get(key)
            inner = dict(child) if isinstance(child, dict) else {}
            left[key] = inner
            left = inner
        left[leaf] = value

    def _breakdown(self, name: str, value: Any, parent: dict[str, Any]) -> Any:
        """Rows of one breakdown; returns what could not be made a row (kept in the parent's extra)."""
        if value is None:
            return None
        table = self._breakdowns[name]
        if isinstance(value, dict):
            elements: list[Any] = [value]
        elif isinstance(value, list):
            elements = value
        else:
            self._mistyped(table, [name])
            return value
        odd = []
        template = self._buffers[table.name].blank(parent)
        for element in elements:
            if not isinstance(element, dict):
                self._mistyped(table, [f"{name}[]"])
                odd.append(element)
                continue
            row = template.copy()
            self._emit(table, row, self._row(table, element, row))
        return odd or None

    def _with_breakdowns(
        self, table: CuratedTable, obj: Mapping[str, Any], lineage: dict[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        own, nested = self._split(obj)
        buffer = self._buffers[table.name]
        row = buffer.blank(lineage)
        left = self._row(table, own, row)
        if left.get("day") == self._day:
            del left["day"]  # the partition holds it
        parent = {**{k: row[buffer.position[k]] for k in self._parent}, **lineage}
        for name, value in nested.items():
            unused = self._breakdown(name, value, parent)
            if unused is not None:
                self._put_back(left, name, unused)
        return row, left

    def _user_line(self, obj: Mapping[str, Any], part: int, number: int) -> None:
        lineage = {"source_part": part, "source_line": number}
        row, left = self._with_breakdowns(USER_DAILY, obj, lineage)
        self._emit(USER_DAILY, row, left)

    def _row_line(self, obj: Mapping[str, Any], part: int, number: int) -> None:
        """A line of a report without breakdowns (user-teams-1-day, repos-1-day): one row."""
        lineage = {"source_part": part, "source_line": number}
        row, left = self._with_breakdowns(self._row_table, obj, lineage)
        self._emit(self._row_table, row, left)

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
            self._emit(ENTERPRISE_DAY_TOTALS, row, left)
            indexed += 1
        if other_days:
            self._warn(f"{key} line {number}: {other_days} day element(s) not of {self._day}; not indexed")
        if shape == "wrapper" and not indexed:
            self._warn(f"{key} line {number}: a day_totals wrapper without a day element of {self._day}")
