"""Raw NDJSON report lines -> rows of the curated tables: the pure core of the indexer.

No storage and no AWS here: lines in, per-table Arrow record batches out, in bounded
batches so memory stays flat whatever the size of the report-day. The rules:
- a known field becomes a typed column; a nested object named in `_NESTED` is flattened;
- every field a table does not type (new fields, breakdowns GitHub does not document yet like
  `totals_by_skill`, a value that does not fit its column) is kept, as a compact JSON object in
  `extra` (its keys in name order at each level, each value as the report gave it); a missing
  field is null;
- a value fits its column only as the report documents it: counts, averages and medians are
  finite numbers >= 0, never strings or booleans; one that does not fit leaves the column
  null, is kept as given in `extra` and is counted (`Curator.mistyped`, per report-day; a null
  breakdown element is warned and kept, but it is no misfit);
- the names of the fields no column types are collected per report-day (`Curator.unknown_fields`,
  dotted below the top: `totals_by_ide.surface_detail`), but those GitHub documents as kept in
  `extra` (`KNOWN_UNTYPED`);
- a user row says whether its line came in the reduced shape, every `used_*` flag null
  (`reduced_shape`): such a line cannot be judged by feature;
- `extra` is always valid JSON: a number JSON cannot hold (NaN, Infinity, 1e999) is kept as
  its text, a string;
- each nested breakdown list (`totals_by_ide`, `pull_requests.copilot_suggestions_by_comment_type`,
  ...) is its own table, one row per element; `totals_by_cli` and `totals_by_copilot_app`
  (objects) are one row each;
- an enterprise line is either a `day_totals` wrapper or a flat day object: both give one
  `enterprise_day_totals` row per day element of the report-day;
- a blank line is skipped; a line that is not a JSON object stops the report-day.

Two paths give the same rows: `Curator.curate` takes lines one by one in Python; for users-1-day
reports `Curator.curate_blocks` parses blocks of whole lines with Arrow and derives each table with
Arrow compute. The `extra` of fields no table types is written by Arrow compute where the values
are scalars in breakdown elements, and otherwise from the line's own JSON, read for those fields
only (so are null breakdown elements); a line Arrow cannot type exactly (a value that does not fit
its column, another day, a duplicated key...) is left to the line path on its own, and a block
only when a line of it is not one JSON object (a blank line, two objects on a line ...).
"""

from __future__ import annotations

import bisect
import collections
import functools
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Union

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ..core.curated_schema import (
    CURATED_REPORTS,
    ENTERPRISE_DAY_TOTALS,
    USED_FLAGS,
    USER_DAILY,
    Column,
    CuratedTable,
    row_table,
    tables_for,
)
from ..core.exceptions import CurationError
from ..core.reports import Report
from .documented_fields import FIELDS, KEPT_IN_EXTRA, NOT_CURATED, ROW_RECORDS

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
_LINEAGE = frozenset({"source_part", "source_line", "extra", "report_shape", "reduced_shape"})
_PARENT_KEY = ("user_id", "user_login")
# Fields GitHub documents that no column types on purpose (kept in `extra`), named as `_unknown`
# names fields: not news to an operator, so never reported as unknown.
KNOWN_UNTYPED = frozenset(
    f.path if f.record in ROW_RECORDS else f"{f.record}.{f.path}"
    for f in FIELDS
    if f.column is None and f.why in (NOT_CURATED, KEPT_IN_EXTRA)
)


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


# Timestamps and dates come as ISO 8601 text (a seat's `created_at`); a moment without an
# offset is UTC.


def _fit_timestamp(value: Any) -> Any:
    if not isinstance(value, str):
        return _MISFIT
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _MISFIT
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fit_date(value: Any) -> Any:
    try:  # the day of a date or of a moment
        return date.fromisoformat(value[:10]) if isinstance(value, str) and len(value) >= 10 else _MISFIT
    except ValueError:
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
_TEXT_FITS: Mapping[str, Callable[[Any], Any]] = {"timestamp": _fit_timestamp, "date": _fit_date}


def fit_value(column_type: str, value: Any) -> tuple[Any, bool]:
    """`value` typed for a column of `column_type` as the report tables type it, and whether it
    fits. None fits (NULL); a misfit is (None, False): NULL in its column, to be kept as given
    in `extra` and counted, as `Curator` does with the values of report lines."""
    if value is None:
        return None, True
    fit = _TEXT_FITS[column_type] if column_type in _TEXT_FITS else _FITS[column_type].fit
    typed = fit(value)
    return (None, False) if typed is _MISFIT else (typed, True)


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
                left[key] = _in_name_order(rest)
        else:
            left[key] = value  # not the object the columns are read from
            misfits.append(key)
    return left


def _unknown(left: Mapping[str, Any], spec: _Spec, prefix: str) -> Iterator[str]:
    """The names of the fields `_take` left because `spec` does not type them (not the misfits),
    dotted below the top level: a key with no rule, or one of an object whose keys have rules."""
    for key, value in left.items():
        rule = spec.get(key)
        if rule is None:
            yield prefix + key
        elif isinstance(rule, dict) and isinstance(value, dict):
            yield from _unknown(value, rule, f"{prefix}{key}.")


def _inferred(given: pa.DataType, expected: pa.DataType, prefix: str) -> Iterator[str]:
    """The names of the fields Arrow's parse added to the schema it was given (fields no table
    types), named as `_unknown` names them; a list's elements are looked into as its objects."""
    if pa.types.is_list(given) and pa.types.is_list(expected):
        given, expected = given.value_type, expected.value_type
    if not (pa.types.is_struct(given) and pa.types.is_struct(expected)) or given == expected:
        return
    for child in given:
        position = expected.get_field_index(child.name)
        if position < 0:
            yield prefix + child.name
        else:
            yield from _inferred(child.type, expected.field(position).type, f"{prefix}{child.name}.")


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


# zstd: smaller files than snappy at similar read speed; Athena (engine v3), Glue and DuckDB read it.
COMPRESSION = "zstd"
# A small file (a month of an enterprise-level table or of index_status) is mostly footer. Readers
# take the types from the table definition (Glue, curated_schema), so the footer's copy of the
# Arrow schema (ARROW:schema) goes; min/max statistics and dictionaries buy nothing on a few
# hundred rows read whole. One row group (write_table's default below 1M rows), no page index.
# zstd level 12: measured on month files, 8% smaller than the default level at ~8 ms a write;
# level 19 saved 3% more at ~21 ms, paid for every report-day (most of a local year's indexing).
SMALL_FILE_OPTIONS: dict[str, Any] = {
    "compression": COMPRESSION,
    "compression_level": 12,
    "store_schema": False,
    "write_statistics": False,
    "use_dictionary": False,
}
# allow_nan=False: Python would write NaN and Infinity, which JSON readers refuse. One encoder for
# every row: json.dumps with options builds a new one per call.
_EXTRA_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_as_text)


def _in_name_order(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """`extra` keeps the fields of a level in name order, not the report's: both paths write the
    same text, and the vectorised one need not learn each line's order of keys."""
    return fields if len(fields) < 2 else dict(sorted(fields.items()))


def _extra(left: Mapping[str, Any]) -> str | None:
    return _EXTRA_JSON.encode(_in_name_order(left)) if left else None


def extra_json(left: Mapping[str, Any]) -> str | None:
    """`extra` as every curated table writes it: valid JSON whatever the values (a NaN or
    Infinity read by `loads_keeping_non_finite` is kept as its text)."""
    return _extra(left)


def loads_keeping_non_finite(data: bytes | str) -> Any:
    """JSON as GitHub served it, NaN and Infinity kept as their text for `extra_json`."""
    return _LINE_JSON.decode(data.decode() if isinstance(data, bytes) else data)


# Lines Arrow parsed are read again for their `extra` with one decoder (json.loads makes one a call).
_LINE_JSON = json.JSONDecoder(parse_constant=_NonFinite)


# ---- buffering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableBatch:
    """Rows of one curated table, ready to be appended to its Parquet file."""

    table: CuratedTable
    batch: pa.RecordBatch | pa.Table  # a Table of the record batches held, where several (no copy)


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


# A surrogate, escaped or in UTF-8 bytes: json.loads takes both ('surrogatepass').
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def parse_line(raw: bytes, key: str, number: int) -> dict[str, Any]:
    """One report line as a JSON object; CurationError naming the file and line otherwise."""
    try:
        value = json.loads(raw, parse_constant=_NonFinite, parse_float=_parse_float)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CurationError(f"{key} line {number}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise CurationError(f"{key} line {number}: a JSON {type(value).__name__}, not an object")
    # json.loads lets a lone surrogate ("\ud800") through; no UTF-8 string can hold it, so it
    # is refused here, as invalid UTF-8 bytes are, not by Arrow later.
    if _SURROGATE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False, default=_as_text).encode()
        except UnicodeEncodeError as exc:
            raise CurationError(f"{key} line {number}: not JSON (a lone surrogate: {exc.reason})") from exc
    return value


# ---- the vectorised path (users-1-day) ---------------------------------------------

# Breakdowns the report documents as one object (the others are lists); the line path takes
# either shape, the Arrow parse only the documented one.
_OBJECT_BREAKDOWNS = frozenset({"totals_by_cli", "totals_by_copilot_app"})
# Integer columns are parsed as doubles and checked before the cast, as `_fit_integer` checks: a
# fraction or a number beyond int64 is then a value that does not fit (its line goes to the line
# path), not a refusal of the whole parse found one parse at a time. A double holds every
# integer up to 2**53 exactly, but 2**53 is also the double of 2**53 + 1: a line with one from
# 2**53 on is left to the line path to decide.
_PARSE_TYPES: Mapping[str, pa.DataType] = {**ARROW_TYPES, "int": pa.float64(), "bigint": pa.float64()}
_EXACT_INTEGER = 2**53 - 1
_INT32_MAX = 2**31 - 1
_BIGINT_BEYOND = float(2**63)  # the double of the ints from about 2**63 - 512 to 2**63 + 1024


# Lines Arrow refused are looked for in pieces of this many lines.
_PIECE_LINES = 64
# An Arrow refusal that names the field and the kind of value refused: the key and how such a
# value starts mark the lines Arrow would refuse (in this block and the next) before a parse.
_CHANGED = re.compile(r"Column\((.*)\) changed from \w+ to (\w+) in row \d+")
_VALUE_STARTS = {
    "string": [b'"'],
    "boolean": [b"t", b"f"],
    "object": [b"{"],
    "array": [b"["],
    "number": [bytes([digit]) for digit in b"-0123456789"],
}


def _marks(refusal: str) -> list[bytes]:
    """The bytes that start a field like the one an Arrow refusal names (none: it names none)."""
    named = _CHANGED.search(refusal)
    if named is None or named.group(2) not in _VALUE_STARTS:
        return []
    key = json.dumps(named.group(1).rsplit("/", 1)[-1], ensure_ascii=False).encode() + b":"
    return [key + start for start in _VALUE_STARTS[named.group(2)]]


def _others(block: bytes, bounds: list[int], lines: int, leaving: list[int]) -> bytes:
    """The lines of `block` but those `leaving` (in order)."""
    if not leaving:
        return block
    ranges = zip([-1, *leaving], [*leaving, lines], strict=True)
    view = memoryview(block)  # one copy, not two
    return b"".join([view[bounds[a + 1] : bounds[b]] for a, b in ranges if b > a + 1])


def _line_bounds(block: bytes) -> list[int]:
    """Where each line of `block` starts, and its end: one C search a line (memchr) beats a
    count and a regex over the block."""
    bounds = [0]
    find, at = block.find, block.find(b"\n")
    while at >= 0:
        at += 1
        bounds.append(at)
        at = find(b"\n", at)
    if bounds[-1] != len(block):  # the last line has no newline
        bounds.append(len(block))
    return bounds


class _Refused(Exception):
    """Arrow cannot curate this block exactly as the line path would: the line path takes it."""


def _parse_fields(table: CuratedTable, spec: _Spec) -> list[pa.Field]:
    """The Arrow fields `spec` reads: a column's parse type, or a struct of the nested object."""
    fields = []
    for key, rule in spec.items():
        if isinstance(rule, _Leaf):
            fields.append(pa.field(key, _PARSE_TYPES[table.columns[rule.column].type]))
        else:
            fields.append(pa.field(key, pa.struct(_parse_fields(table, rule))))
    return fields


# Typed values; where one does not fit (None: none); of those, where the line path decides (None: none)
_Fitted = tuple[pa.Array, pa.Array | None, pa.Array | None]


def _fitting(values: pa.Array, column: Column) -> _Fitted:
    """`values` typed for `column` (null where one does not fit), where one does not fit as
    `_FITS` says (None: all fit), and of those where the line path must decide (None: none).

    The parse already refused strings and booleans for numbers (and the reverse); what is left to
    check: no negative number, no NaN or Infinity, and for integers no fraction and the range. A
    finite negative number, a fraction for an integer and an int beyond int32 are misfits on the
    line path too, as is a bigint whose double is above 2**63; one from 2**53 to 2**63 (a double
    may hold it inexactly) and a number beyond any double (Infinity here) are the line path's to decide.
    """
    if column.type not in ("bigint", "int", "double"):
        return values, None, None
    target = ARROW_TYPES[column.type]
    if values.null_count == len(values):
        return values.cast(target), None, None
    if column.type != "double":
        # Most blocks: every count fits. Two calls tell (the range, then a cast refusing a
        # fraction) where the checks below take eight.
        high = _INT32_MAX if column.type == "int" else _EXACT_INTEGER
        bounds = pc.min_max(values)
        if bounds["min"].as_py() >= 0 and bounds["max"].as_py() <= high:
            try:
                return values.cast(target), None, None
            except pa.ArrowInvalid:
                pass  # a fraction: found row by row below
    undecided = pc.invert(pc.is_finite(values))
    bad = pc.or_(pc.less(values, 0), undecided)
    if column.type != "double":
        high = _INT32_MAX if column.type == "int" else _EXACT_INTEGER
        beyond = pc.greater(values, high)
        bad = pc.or_(bad, pc.or_(beyond, pc.not_equal(pc.floor(values), values)))
        if column.type == "bigint":  # a double above 2**63 is an int above int64's range
            undecided = pc.or_(undecided, pc.and_(beyond, pc.less_equal(values, _BIGINT_BEYOND)))
    if not pc.any(bad).as_py():
        return values.cast(target), None, None
    typed = pc.if_else(bad, pa.scalar(None, values.type), values).cast(target)
    return typed, bad, (undecided if pc.any(undecided).as_py() else None)


@dataclass(frozen=True, slots=True)
class _Shape:
    """The keys a spec types at one level, and the shapes of the objects it reads columns from."""

    keys: frozenset[str]
    objects: tuple[tuple[str, _Shape], ...]
    # The fields of this level no column types that Arrow found in the block, in name order
    # (`_untyped`; none in a shape made `of` a spec).
    unknown: tuple[str, ...] = ()

    @classmethod
    def of(cls, spec: _Spec, skip: Iterable[str] = ()) -> _Shape:
        objects = tuple((key, cls.of(rule)) for key, rule in spec.items() if not isinstance(rule, _Leaf))
        return cls(frozenset(spec) | frozenset(skip), objects)


def _untyped(shape: _Shape, given: pa.StructType, expected: pa.StructType) -> _Shape | None:
    """The part of `shape` where Arrow found, in this block, fields the schema does not type: the
    level itself (when it has fields of its own to keep) and the objects to look into; None where
    there is none (Arrow added no field there: no line of the block has one to keep)."""
    objects = []
    for key, inner in shape.objects:
        given_type, expected_type = given.field(key).type, expected.field(key).type
        if given_type != expected_type and (part := _untyped(inner, given_type, expected_type)):
            objects.append((key, part))
    if given.num_fields == expected.num_fields and not objects:
        return None
    unknown = sorted(child.name for child in given if expected.get_field_index(child.name) < 0)
    return _Shape(shape.keys, tuple(objects), tuple(unknown))


# A line split into its fields, each value still its raw JSON text (msgspec.Raw): only the values
# kept in `extra` are decoded, by the line path's decoder, so both paths keep the same values.
_FIELDS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ELEMENTS = msgspec.json.Decoder(list[dict[str, msgspec.Raw] | None])
_NULL = msgspec.Raw(b"null")


# JSON text that the line path's encoder writes as it is: strings without an escape, integers,
# true, false, null, brackets and separators, no space between them. Any other value (a float,
# an escape ...) is decoded and encoded again, as the line path does.
_AS_ENCODED = re.compile(r'(?:"[^"\\\x00-\x1f]*"|-?[1-9][0-9]*|0|true|false|null|[\[\]{},:])*')


@functools.lru_cache(maxsize=4096)
def _key_text(key: str) -> str:
    return _EXTRA_JSON.encode(key) + ":"


def _plainly_spelled(key: str) -> bool:
    """Whether the encoder writes `key` as it is: the bytes' `"key"` is then the key itself."""
    return _key_text(key) == f'"{key}":'


def _text(raw: msgspec.Raw) -> str:
    """A value's JSON text as the line path's encoder writes it."""
    text = str(raw, "utf-8")
    if _AS_ENCODED.fullmatch(text):
        return text
    return _EXTRA_JSON.encode(_LINE_JSON.decode(text))


def _left(obj: Mapping[str, msgspec.Raw], shape: _Shape) -> list[str]:
    """What `_take` leaves of `obj` (an object's fields, as raw JSON) in `extra` when every value
    fits (Arrow checked that): the fields the spec does not type, where the report had them, each
    as its text in `extra` (`"key":value`), in name order. Set operations, not a Python step per
    field: most objects have no field to keep."""
    unknown = obj.keys() - shape.keys
    rests = {}
    for key, inner in shape.objects:
        value = obj.get(key)
        if value is not None and value != _NULL and (rest := _left(_FIELDS.decode(value), inner)):
            rests[key] = _object_text(rest)
    if not rests:
        if len(unknown) <= 1:  # one field to keep (the common case): no order to keep
            return [_key_text(key) + _text(obj[key]) for key in unknown]
        return [_key_text(key) + _text(obj[key]) for key in sorted(unknown)]
    return [
        _key_text(key) + (rests[key] if key in rests else _text(obj[key]))
        for key in sorted(unknown | rests.keys())
    ]


def _first(pair: tuple[str, str]) -> str:
    return pair[0]


def _object_text(fields: list[str]) -> str:
    return "{" + ",".join(fields) + "}"


# A decoder per set of top-level fields to keep: a line is read for those fields only, each as its
# raw JSON text (UNSET where the line has no such field), in the order given.
@functools.lru_cache(maxsize=64)
def _fields_decoder(keys: tuple[str, ...]) -> msgspec.json.Decoder[Any]:
    names = [f"f{i}" for i in range(len(keys))]
    fields = [(name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET) for name in names]
    struct = msgspec.defstruct("Kept", fields, rename=dict(zip(names, keys, strict=True)), gc=False)
    return msgspec.json.Decoder(struct)


# A string value Arrow compute can write as the line path's encoder does: nothing in it escaped.
_ESCAPED = r'["\\\x00-\x1f]'
# A key written with an escape: Arrow names the field by its decoded text, the bytes hold another.
_ESCAPED_KEY = re.compile(rb'\\.(?:[^"\\]|\\.)*"\s*:')


@functools.lru_cache(maxsize=4096)
def _explicit_null(key: str) -> re.Pattern[bytes]:
    return re.compile(b'"' + re.escape(key.encode()) + rb'"\s*:\s*null')


def _has_explicit_null(block: bytes, key: str) -> bool:
    """Whether `block` may hold `key` with the value null. Counts first: the pattern scans a block
    slowly (every quote starts a try), and GitHub writes its JSON compact (`"key":` each time)."""
    quoted = b'"' + key.encode() + b'"'
    if block.count(quoted) == block.count(quoted + b":"):
        return quoted + b":null" in block
    return _explicit_null(key).search(block) is not None


# A text Arrow compute makes, as the parts that make it joined in order: each an array (each
# row's piece; null where the row has no text) or a string (every row's piece). Joined once: a
# join copies every row's text.
_Parts = list[str | pa.Array]


def _merged(parts: _Parts) -> _Parts:
    """`parts` with the strings next to each other made one."""
    merged: _Parts = []
    for part in parts:
        if merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] += part
        elif not isinstance(part, str) or part:
            merged.append(part)
    return merged


def _join(parts: _Parts) -> pa.Array:
    parts = _merged(parts)
    if len(parts) == 1 and isinstance(parts[0], pa.Array):
        return parts[0]
    return pc.binary_join_element_wise(*parts, "")


def _json_texts(values: pa.Array, escapes: bool, nested: bool = False) -> pa.Array | None:
    """Each value's JSON text as the line path's encoder writes it (null where the value is), or
    None where Arrow compute cannot write it so (see `_json_parts`)."""
    parts = _json_parts(values, escapes, nested)
    return None if parts is None else _join(parts)


def _json_parts(values: pa.Array, escapes: bool, nested: bool = False) -> _Parts | None:
    """The parts of each value's JSON text as the line path's encoder writes it (null where the
    value is), or None where Arrow compute cannot write it so: a float (its text is the encoder's),
    a string with a character to escape (only an escape in the bytes, `escapes`, makes one: JSON
    holds no raw quote, backslash or control character in a string), and unless `nested` an object
    or a list. `nested` texts are candidates only, to check against the bytes
    (`_VectorPath._unverified`): Arrow holds neither the order of an object's keys nor whether a
    null field was there."""
    kind = values.type
    if nested and pa.types.is_list(kind):
        offsets = values.offsets
        start = offsets[0].as_py()
        inner = values.values.slice(start, offsets[-1].as_py() - start)
        texts = _json_texts(inner, escapes, nested)
        if texts is None:
            return None
        items = pa.ListArray.from_arrays(
            pc.subtract(offsets, start), texts.fill_null("null"), mask=values.is_null()
        )
        return ["[", pc.binary_join(items, ","), "]"]
    if nested and pa.types.is_struct(kind):
        fields = []
        for child in kind:
            child_values = pc.struct_field(values, child.name)  # null where the object is
            parts = _json_parts(child_values, escapes, nested)
            if parts is None or not _plainly_spelled(child.name):
                return None
            fields.append((child.name, parts, child_values.null_count - values.null_count))
        if not fields:
            return None
        if not any(nulls for _, _, nulls in fields):  # null only where the object is: one join
            return _object_parts(fields)
        text = _object_or_null(fields).fill_null("{}")  # a null field is left out
        return [
            pc.if_else(values.is_valid(), text, pa.scalar(None, pa.string())) if values.null_count else text
        ]
    if pa.types.is_string(kind):
        if (
            escapes
            and values.null_count < len(values)
            and pc.any(pc.match_substring_regex(values, _ESCAPED)).as_py()
        ):
            return None
        return ['"', values, '"']
    if pa.types.is_int64(kind):
        return [values.cast(pa.string())]
    if pa.types.is_boolean(kind):
        return [pc.if_else(values, "true", "false")]
    return None


def _nested_names(kind: pa.DataType, depth: int = 0) -> set[str]:
    """The field names of the objects within `kind` below its own level (lists looked into)."""
    if pa.types.is_list(kind):
        return _nested_names(kind.value_type, depth)
    if not pa.types.is_struct(kind):
        return set()
    names = {child.name for child in kind} if depth else set()
    for child in kind:
        names |= _nested_names(child.type, depth + 1)
    return names


def _joined(pieces: list[pa.Array]) -> pa.Array:
    """The non-null `pieces` of each row joined by commas ("" where all are null). Not
    binary_join_element_wise's null_handling="skip": pyarrow 26 drops the rows where every
    piece is null from its answer."""
    if len(pieces) == 1:
        return pieces[0].fill_null("")
    if not any(piece.null_count for piece in pieces):  # the common case: one call
        return pc.binary_join_element_wise(*pieces, ",")
    led = [pc.binary_join_element_wise(",", piece, "").fill_null("") for piece in pieces]
    return pc.utf8_slice_codeunits(pc.binary_join_element_wise(*led, ""), 1)  # the first comma off


def _object_parts(fields: list[tuple[str, _Parts, int]]) -> _Parts:
    """The parts of `{"key":value,...}` of `fields` (key, its value's parts, ...) in the order
    given: null where a value is."""
    parts: _Parts = ["{"]
    for position, (key, value, _) in enumerate(fields):
        parts += ["," if position else "", _key_text(key), *value]
    return [*parts, "}"]


def _object_or_null(fields: list[tuple[str, _Parts, int]]) -> pa.Array:
    """`{...}` of each row's `"key":value` of the `fields` (key, its value's parts, the rows
    where it is null) whose value is not null, in the order given; null where none is."""
    if len(fields) == 1 or not any(nulls for _, _, nulls in fields):  # one join
        return _join(_object_parts(fields))
    pieces = [_join([_key_text(key), *value]) for key, value, _ in fields]
    joined = _joined(pieces)
    texts = pc.binary_join_element_wise("{", joined, "}", "")
    if not all(piece.null_count for piece in pieces):  # a row with none: only where all are null
        return texts
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), texts)


def _vector_extra(elements: pa.StructArray, keys: tuple[str, ...], plan: _ExtraPlan) -> pa.Array | None:
    """The `extra` of each element whose only untyped fields are `keys`, as the line path writes
    it: `{"key":value,...}` in name order, null where the element has none of them; None where
    Arrow compute cannot tell: a value not `_json_texts`', or a null the block may hold explicitly
    (Arrow holds an absent key and a null value alike)."""
    fields = []
    for key in keys:
        values = pc.struct_field(elements, key)  # null where the element is
        if values.null_count > elements.null_count and plan.may_be_null(key):
            return None
        parts = _json_parts(values, plan.escapes)
        if parts is None:
            return None
        fields.append((key, parts, values.null_count))
    return _object_or_null(fields)


def _with_extra(batch: pa.RecordBatch, extra: pa.Array) -> pa.RecordBatch:
    position = batch.schema.get_field_index("extra")
    arrays = batch.columns
    arrays[position] = extra
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


@dataclass(frozen=True, slots=True)
class _Misfit:
    """A value that does not fit its column, on a line Arrow curates: null in the column and
    kept in its row's `extra` under its key as `text`, as the line path keeps it."""

    line: int  # in the block's kept lines
    table: CuratedTable
    key: str
    row: int  # in the table's rows of the block, before the lines left to the line path go
    text: str


def _value_text(line: memoryview, path: tuple[str] | tuple[str, str] | tuple[str, int, str]) -> str | None:
    """The text (as the line path's encoder writes it) of the value at `path` in `line`: a
    top-level key, an object's key, or a list's element (its index) and its key. None where the
    line does not hold it so (it is then the line path's)."""
    try:
        value = msgspec.structs.astuple(_fields_decoder(path[:1]).decode(line))[0]
        if len(path) == 2:
            value = _FIELDS.decode(value)[path[1]]
        elif len(path) == 3:
            value = _ELEMENTS.decode(value)[path[1]][path[2]]  # type: ignore[index]
        return _text(value)
    except (msgspec.DecodeError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def _with_misfits(
    batch: pa.RecordBatch, misfits: list[_Misfit], kept_rows: pa.Array | None
) -> pa.RecordBatch:
    """`batch` (its rows those `kept_rows` kept) with each misfit's value in its row's extra,
    among the other fields there in name order (the misfits in row order)."""
    extras = batch.column("extra")
    pieces = []
    done = 0  # rows of extras placed
    for misfit in misfits:
        at = misfit.row if kept_rows is None else pc.sum(kept_rows.slice(0, misfit.row)).as_py() or 0
        given = extras[at].as_py()
        fields = {key: str(raw, "utf-8") for key, raw in _FIELDS.decode(given).items()} if given else {}
        fields[misfit.key] = misfit.text
        text = _object_text([_key_text(key) + fields[key] for key in sorted(fields)])
        pieces += [extras.slice(done, at - done), pa.array([text], pa.string())]
        done = at + 1
    return _with_extra(batch, pa.concat_arrays([*pieces, extras.slice(done)]))


@dataclass(frozen=True, slots=True)
class _ExtraPlan:
    """Where a block's `extra` comes from, the block's untyped fields being known (`_untyped`):
    the user's own level read line by line (`user`, None: nothing to keep there), the breakdowns
    written by Arrow compute (`vectorised`: table -> its untyped part) and those read line by line
    (`per_line`)."""

    user: _Shape | None
    vectorised: dict[str, _Shape]
    per_line: list[tuple[CuratedTable, str, _Shape]]
    block: bytes
    escapes: bool  # whether the block holds a backslash: an escape in a string
    plain_keys: bool  # whether every key of the block is spelled as its name (no escape)
    # key -> whether the block may hold it with the value null (one look a key, when needed)
    nulls: dict[str, bool] = field(default_factory=dict)

    def may_be_null(self, key: str) -> bool:
        if key not in self.nulls:
            self.nulls[key] = _has_explicit_null(self.block, key)
        return self.nulls[key]


_ROW = re.compile(r" in row (\d+)")


@dataclass(frozen=True, slots=True)
class _Curated:
    """What the vectorised path made of a block: the rows of every line it could curate exactly,
    and the lines it leaves to the line path (number, raw line), in order."""

    batches: list[tuple[CuratedTable, pa.RecordBatch]]
    left_to_lines: list[tuple[int, bytes]]
    # (number, table) of each null breakdown element of the lines curated here: warned
    null_elements: list[tuple[int, CuratedTable]]
    # Fields of the block's lines that no column types (`_inferred`)
    unknown_fields: frozenset[str] = frozenset()
    # (number, table, key) of each value that did not fit its column in the lines curated here
    misfits: list[tuple[int, CuratedTable, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Started:
    """A block whose Arrow parse is under way: the lines the marks left out (`unparsed`) are not
    in it; `bounds`: where each line starts (and the end)."""

    block: bytes
    lines: int
    bounds: list[int]
    is_ascii: bool
    marks: tuple[bytes, ...]
    unparsed: list[int]
    parse: Future[pa.Table]


class _VectorPath:
    """Curates a block of users-1-day lines with Arrow; `curate` raises _Refused for a block it
    cannot take at all (a line that is not one JSON object, invalid UTF-8), before anything is
    emitted, and leaves to the line path each line it cannot curate exactly as the line path would.

    Exactly means the typed values are Arrow's only where every value of the line fits its column,
    no breakdown element is null and `day` is the report-day's (else the line is left to the line
    path: a value that does not fit is mistyped, warned and kept in extra there). Fields no table
    types are parsed by Arrow too (`unexpected_field_behavior="infer"`) but their `extra` is written
    from each line's own JSON (`_left`, then `_extra`, as the line path writes it): Arrow's columns
    hold neither the order of a line's keys nor whether a key was absent or null. Only where Arrow
    found such fields in the block, and without decoding the whole line: msgspec splits it into
    its fields as raw JSON text, and only the values kept are decoded.
    """

    def __init__(self, tables: Iterable[CuratedTable], specs: Mapping[str, _Spec], day: str) -> None:
        self.day = day
        self.breakdowns = tuple(t for t in tables if t.breakdown)
        fields = [*_parse_fields(USER_DAILY, specs[USER_DAILY.name]), pa.field("day", pa.string())]
        for table in self.breakdowns:
            assert table.breakdown is not None and "." not in table.breakdown, table.name
            element = pa.struct(_parse_fields(table, specs[table.name]))
            fields.append(
                pa.field(
                    table.breakdown,
                    element if table.breakdown in _OBJECT_BREAKDOWNS else pa.list_(element),
                )
            )
        self.schema = pa.schema(fields)
        assert len(set(self.schema.names)) == len(self.schema.names), "a breakdown is also a column"
        self.options = pa_json.ParseOptions(explicit_schema=self.schema, unexpected_field_behavior="infer")
        # The user's own fields: the breakdowns are tables, the day is the partition.
        self.user_shape = _Shape.of(
            specs[USER_DAILY.name], ["day", *(t.breakdown or "" for t in self.breakdowns)]
        )
        self.breakdown_shapes = [(t, t.breakdown or "", _Shape.of(specs[t.name])) for t in self.breakdowns]
        # Marks of the values Arrow refused (see `_marks`), in the order they were seen.
        self.marks: list[bytes] = []

    def start(self, block: bytes, bounds: list[int], pool: Executor) -> _Started:
        """Check a block of whole lines (`bounds`: `_line_bounds`) and start Arrow's parse of it in
        `pool`, so that it runs while the Python work of the block before is done; _Refused if
        Arrow cannot take it."""
        lines = len(bounds) - 1
        # Every line starts an object: no blank line (its number is skipped) and, with the count
        # of rows below, no line holding two objects (JSON to Arrow, not to the line path).
        if bytes(map(block.__getitem__, bounds[:lines])).strip(b"{"):
            raise _Refused
        # Arrow does not check that strings are UTF-8; json.loads refuses the line if not.
        is_ascii = block.isascii()
        if not is_ascii:
            try:
                block.decode()
            except UnicodeDecodeError as exc:
                raise _Refused from exc
        # A line Arrow refuses (a value of another type than its column's, a duplicated key...)
        # goes to the line path; Arrow parses the others at once. Each refusal costs a parse:
        # lines marked like one seen before are left out first, whatever their number.
        marks = tuple(self.marks)
        unparsed = self._marked(block, bounds, marks)
        parse = pool.submit(self._read, _others(block, bounds, lines, unparsed), lines - len(unparsed))
        return _Started(block, lines, bounds, is_ascii, marks, unparsed, parse)

    def curate(self, started: _Started, first: int, part: int) -> _Curated:
        """The rows of a started block, its first line numbered `first`, of raw file `part`."""
        block, lines, bounds, unparsed = started.block, started.lines, started.bounds, started.unparsed
        try:
            parsed = started.parse.result()
        except pa.ArrowInvalid as exc:
            parsed, unparsed = self._parse_refused(started, exc)
        out: dict[str, list[pa.RecordBatch]] = {t.name: [] for t in (USER_DAILY, *self.breakdowns)}
        left = set(unparsed)
        nulls: list[tuple[int, int, CuratedTable]] = []
        misfits: list[tuple[int, CuratedTable, str]] = []
        kept = [i for i in range(lines) if i not in left] if left else list(range(lines))
        left.update(self._piece(started, kept, parsed, first, part, out, nulls, misfits))
        batches = [
            (table, batch[0] if len(batch) == 1 else pa.concat_batches(batch))
            for table in (USER_DAILY, *self.breakdowns)
            if (batch := out[table.name])
        ]
        nulls.sort(key=lambda item: item[:2])  # line by line, a line's tables in order, as the line path
        unknown: frozenset[str] = frozenset()
        if not parsed.schema.equals(self.schema):  # Arrow added the fields it found untyped
            unknown = frozenset(_inferred(pa.struct(parsed.schema), pa.struct(self.schema), ""))
        return _Curated(
            batches,
            [(first + i, block[bounds[i] : bounds[i + 1]].rstrip(b"\n")) for i in sorted(left)],
            [(first + i, table) for i, _, table in nulls if i not in left],
            unknown,
            [(first + i, table, key) for i, table, key in misfits],
        )

    def _parse_refused(self, started: _Started, refusal: pa.ArrowInvalid) -> tuple[pa.Table, list[int]]:
        """Arrow's rows of a block after it refused a line, and the lines left to the line path."""
        block, lines, bounds, marks = started.block, started.lines, started.bounds, started.marks
        while new := [mark for mark in _marks(str(refusal)) if mark not in marks]:
            self.marks.extend(mark for mark in new if mark not in self.marks)
            marks = tuple(self.marks)
            unparsed = self._marked(block, bounds, marks)
            try:
                return self._read(_others(block, bounds, lines, unparsed), lines - len(unparsed)), unparsed
            except pa.ArrowInvalid as exc:
                refusal = exc
        # A refusal that names no field (or none these bytes mark): line by line.
        unparsed = self._unparsed(block, bounds, lines)
        try:
            return self._read(_others(block, bounds, lines, unparsed), lines - len(unparsed)), unparsed
        except pa.ArrowInvalid as exc:
            raise _Refused from exc

    @staticmethod
    def _marked(block: bytes, bounds: list[int], marks: Iterable[bytes]) -> list[int]:
        """The lines of `block` holding a mark of a value Arrow refused before (a field of that
        name elsewhere, in a field no table types, sends its line to the line path too: it costs
        only time)."""
        found = set()
        for mark in marks:
            at = block.find(mark)
            while at >= 0:
                line = bisect.bisect_right(bounds, at) - 1
                found.add(line)
                at = block.find(mark, bounds[line + 1])
        return sorted(found)

    def _read(self, data: bytes, lines: int) -> pa.Table:
        parsed = pa_json.read_json(pa.BufferReader(data), parse_options=self.options)
        if parsed.num_rows != lines:
            raise pa.ArrowInvalid("a line holds more than one object")
        try:
            # pyarrow 26's read_json can build a list array whose offsets run past its values
            # (seen with null breakdown elements, types inferred): such a block is the line path's.
            parsed.validate(full=True)
        except pa.ArrowInvalid as exc:
            raise _Refused from exc
        return parsed

    def _unparsed(self, block: bytes, bounds: list[int], lines: int) -> list[int]:
        """The lines of `block` Arrow refuses: found from the row a parse error names (a parse on
        one thread stops at its first error), or by halving where it names none (a number that
        does not convert)."""
        found: list[int] = []
        view = memoryview(block)
        # A stack: the first range on top, so that lines are found in order. Pieces of a few lines:
        # after a refusal only the rest of its piece is parsed again, not the rest of the block.
        starts = range(0, lines, _PIECE_LINES)
        ranges = [(low, min(low + _PIECE_LINES, lines)) for low in reversed(starts)]
        while ranges:
            low, high = ranges.pop()
            try:
                parsed = pa_json.read_json(
                    pa.BufferReader(view[bounds[low] : bounds[high]]),
                    read_options=pa_json.ReadOptions(
                        use_threads=False, block_size=bounds[high] - bounds[low] + 1
                    ),
                    parse_options=self.options,
                )
                if parsed.num_rows != high - low:
                    raise pa.ArrowInvalid("a line holds more than one object")  # named by no row
                continue
            except pa.ArrowInvalid as exc:
                named = _ROW.search(str(exc))
            row = low + int(named.group(1)) if named else -1
            if low <= row < high:
                # A number that does not convert is refused after the parse, so the lines before
                # the one named are looked at again too (they come first).
                found.append(row)
                if row + 1 < high:
                    ranges.append((row + 1, high))
                if row > low:
                    ranges.append((low, row))
            elif high - low == 1:
                found.append(low)
            else:
                middle = (low + high) // 2
                ranges += [(middle, high), (low, middle)]
        return sorted(found)

    def _piece(
        self,
        started: _Started,
        kept: list[int],
        parsed: pa.Table,
        first: int,
        part: int,
        out: dict[str, list[pa.RecordBatch]],
        nulls: list[tuple[int, int, CuratedTable]],
        misfit_warnings: list[tuple[int, CuratedTable, str]],
    ) -> set[int]:
        """Add the rows of the `kept` lines (`parsed`) to `out`, and the misfits written there to
        `misfit_warnings` (line, table, key); return the lines left to the line path."""
        before = len(nulls)
        top: pa.StructArray = parsed.to_struct_array().combine_chunks()
        # A missing or null day is kept in extra by the line path, as is another day.
        odd: set[int] = set(
            pc.indices_nonzero(pc.fill_null(pc.not_equal(top.field("day"), self.day), True)).to_pylist()
        )
        numbers = pa.array([first + i for i in kept], pa.int64())
        user, undecided, user_misfits = self._batch(USER_DAILY, top, None, numbers, part, {})
        if undecided is not None:
            odd.update(pc.indices_nonzero(undecided).to_pylist())
        # Each misfit value: (its line, table, key, row); a line's own extra says where it is.
        found = [(i, USER_DAILY, key, i) for key, misfit_rows in user_misfits for i in misfit_rows]
        # Breakdown rows carry the typed key of their user's row.
        key = {name: user.column(name) for name in _PARENT_KEY}
        made = [(USER_DAILY, user, None)]
        # extra is null on every row unless a field no table types, or a null element, is there.
        plan = None if parsed.schema.equals(self.schema) else self._plan(started, parsed.schema)
        for table in self.breakdowns:
            values = top.field(table.breakdown)
            if table.breakdown in _OBJECT_BREAKDOWNS:
                parents = pc.indices_nonzero(values.is_valid())
                elements = values.take(parents)
            else:
                elements = values.flatten()
                parents = pc.list_parent_indices(values)
                if elements.null_count:  # a null element is mistyped, kept in the user's extra
                    where = parents.filter(elements.is_null()).to_pylist()
                    nulls.extend((kept[i], len(made), table) for i in where)
            batch, undecided, element_misfits = self._batch(table, elements, parents, numbers, part, key)
            if undecided is not None:
                odd.update(parents.filter(undecided).to_pylist())
            for name, misfit_rows in element_misfits:
                lines = parents.take(pa.array(misfit_rows, pa.int64())).to_pylist()
                found += [(i, table, name, row) for i, row in zip(lines, misfit_rows, strict=True)]
            if plan is not None and (untyped := plan.vectorised.get(table.name)):
                if (texts := _vector_extra(elements, untyped.unknown, plan)) is not None:
                    batch = _with_extra(batch, texts)
                else:  # a value Arrow compute does not write as the line path: read line by line
                    plan.per_line.append((table, table.breakdown or "", untyped))
            made.append((table, batch, parents))
        misfits = self._misfits(started, kept, found, odd, top, nulls[before:]) if found else []
        extras = None
        user_texts = None
        if plan is not None and plan.plain_keys and plan.user and not plan.user.objects and not plan.per_line:
            user_texts = self._user_extra(started, kept, odd, top, plan, nulls[before:])
        if user_texts is not None:
            made[0] = (USER_DAILY, _with_extra(user, user_texts), None)
        elif (plan is not None and (plan.user or plan.per_line)) or len(nulls) > before:
            extras = self._extras(started, kept, odd, plan, nulls[before:])
        keep = pa.array([i not in odd for i in range(len(kept))]) if odd else None
        for table, batch, parents in made:
            rows = keep if parents is None or keep is None else keep.take(parents)
            if parents is not None and table.breakdown not in _OBJECT_BREAKDOWNS and batch.num_rows:
                valid = top.field(table.breakdown).flatten().is_valid()  # a null element makes no row
                rows = valid if rows is None else pc.and_(rows, valid)
            if rows is not None:
                batch = batch.filter(rows)
            if extras is not None and table.name in extras:
                batch = _with_extra(batch, pa.array(extras[table.name], pa.string()))
            # In row order (`found` lists them table by table, a table's key by key); a line
            # `_extras` found odd after all has no row.
            if written := sorted(
                (m for m in misfits if m.table is table and m.line not in odd), key=lambda m: m.row
            ):
                batch = _with_misfits(batch, written, rows)
            if batch.num_rows:
                out[table.name].append(batch)
        misfit_warnings.extend((kept[m.line], m.table, m.key) for m in misfits if m.line not in odd)
        return {kept[i] for i in odd}

    def _misfits(
        self,
        started: _Started,
        kept: list[int],
        found: list[tuple[int, CuratedTable, str, int]],
        odd: set[int],
        top: pa.StructArray,
        nulls: list[tuple[int, int, CuratedTable]],
    ) -> list[_Misfit]:
        """The misfits `found` (line, table, key, row) that are written here: a line's only one,
        on a line without a null element, each with its value's text read from the line's bytes.
        The lines of the others join `odd`: the line path writes them (rare: GitHub's values fit)."""
        per_line = collections.Counter(i for i, _, _, _ in found)
        with_nulls = {line for line, _, _ in nulls}
        block, bounds = started.block, started.bounds
        view = memoryview(block)
        misfits = []
        for i, table, key, row in found:
            if i in odd:
                continue
            text = None
            if per_line[i] == 1 and kept[i] not in with_nulls:
                raw = view[bounds[kept[i]] : bounds[kept[i] + 1]]
                name = table.breakdown or ""
                if table is USER_DAILY:
                    text = _value_text(raw, (key,))
                elif name in _OBJECT_BREAKDOWNS:
                    text = _value_text(raw, (name, key))
                else:  # the row's index among its line's elements
                    offsets = top.field(name).offsets
                    text = _value_text(raw, (name, row - (offsets[i].as_py() - offsets[0].as_py()), key))
            if text is None:
                odd.add(i)
            else:
                misfits.append(_Misfit(i, table, key, row, text))
        return misfits

    def _plan(self, started: _Started, given: pa.Schema) -> _ExtraPlan:
        """Where the `extra` of a block whose parse found fields no table types comes from: a
        breakdown's elements by Arrow compute when their untyped fields are scalars that the bytes
        show no explicit null of (Arrow holds absent and null alike) and no key is escaped."""
        given_top, expected_top = pa.struct(given), pa.struct(self.schema)
        block = started.block
        escapes = b"\\" in block
        plain_keys = not (
            (escapes and _ESCAPED_KEY.search(block))
            or (not started.is_ascii and _SURROGATE.search(block))  # the line path decides those
        )
        vectorised: dict[str, _Shape] = {}
        per_line = []

        for table, name, shape in self.breakdown_shapes:
            given_type, expected_type = given_top.field(name).type, expected_top.field(name).type
            if name not in _OBJECT_BREAKDOWNS:
                given_type, expected_type = given_type.value_type, expected_type.value_type
            if given_type == expected_type or not (part := _untyped(shape, given_type, expected_type)):
                continue
            if plain_keys and not part.objects and all(map(_plainly_spelled, part.unknown)):
                vectorised[table.name] = part
            else:
                per_line.append((table, name, part))
        user = _untyped(self.user_shape, given_top, expected_top)
        if user is not None and not all(map(_plainly_spelled, user.unknown)):
            plain_keys = False
        return _ExtraPlan(user, vectorised, per_line, block, escapes, plain_keys)

    def _user_extra(
        self,
        started: _Started,
        kept: list[int],
        odd: set[int],
        top: pa.StructArray,
        plan: _ExtraPlan,
        nulls: list[tuple[int, int, CuratedTable]],
    ) -> pa.Array | None:
        """The user's `extra` of every row of the `kept` lines (`top`), by Arrow compute: each
        untyped field's text made from Arrow's value and checked against the line's own bytes;
        the lines where it may not be theirs (`_unverified`), or with a null element, are read as
        `_extras` reads them. None where Arrow compute writes no text of a value."""
        assert plan.user is not None
        fields: list[tuple[str, _Parts, int]] = []
        lines_to_read: set[int] = set()
        nested = _nested_names(top.type)  # keys of the objects below the top, in any line parsed
        for key in plan.user.unknown:
            texts = _json_texts(top.field(key), plan.escapes, nested=True)
            if texts is None:
                return None
            lines_to_read |= self._unverified(started, kept, key, texts, key in nested)
            fields.append((key, [texts], texts.null_count))
        extra = _object_or_null(fields)
        with_nulls = {line for line, _, _ in nulls}
        lines_to_read |= {i for i, line in enumerate(kept) if line in with_nulls}
        if not lines_to_read:
            return extra
        rows = sorted(lines_to_read)
        read = self._extras(started, kept, odd, plan, nulls, rows)[USER_DAILY.name]
        texts_by_row = extra.to_pylist()
        for i, text in zip([i for i in rows if i not in odd], read, strict=True):
            texts_by_row[i] = text
        return pa.array(texts_by_row, pa.string())

    @staticmethod
    def _unverified(
        started: _Started, kept: list[int], key: str, texts: pa.Array, named_below: bool
    ) -> set[int]:
        """The rows whose text of `key`'s value (`texts`, a candidate) may not be the one the line
        holds. It is when the line's last mention of the key, spelled `"key":` (the plan checked
        that no key of the block is escaped), is right before that text, and it is the line's
        top-level key: it is when no object below the top has the key (`named_below` false: the
        parse saw every key of the lines), else when the line mentions it once. (A string value
        "key" is followed by no colon; a JSON value is no prefix of another; an int column's
        values are ints, written alike.) A line without a value must not mention the key (an
        explicit null)."""
        block, bounds = started.block, started.bounds
        quoted = b'"' + key.encode() + b'"'
        unverified = set()
        find, rfind, startswith = block.find, block.rfind, block.startswith
        for i, text in enumerate(texts.cast(pa.binary()).to_pylist()):  # bytes: no encode a line
            start, end = bounds[kept[i]], bounds[kept[i] + 1]
            at = rfind(quoted, start, end)  # from the end: GitHub adds its new fields last
            if text is None:
                if at >= 0:
                    unverified.add(i)
            elif (
                at < 0
                or (named_below and find(quoted, start, at) >= 0)
                or not startswith(b":" + text, at + len(quoted))
            ):
                unverified.add(i)
        return unverified

    def _extras(
        self,
        started: _Started,
        kept: list[int],
        odd: set[int],
        plan: _ExtraPlan | None,
        nulls: list[tuple[int, int, CuratedTable]],
        rows: Iterable[int] | None = None,
    ) -> dict[str, list[str | None]]:
        """The `extra` of every row of the `kept` lines not in `odd`, in row order, as the line
        path writes it, for the user's table and the breakdowns `plan` reads line by line (the
        others' extra is null or Arrow's), with the null elements (`nulls`) in the user's; a line
        whose JSON the line path would not take as Arrow did joins `odd`. Only the `rows` given
        (numbers in `kept`), if given."""
        numbered = enumerate(kept) if rows is None else ((i, kept[i]) for i in rows)
        user = plan.user if plan is not None else None
        per_line = plan.per_line if plan is not None else []
        # Null elements (the block's lines, in order; a line's tables in order) are kept in the
        # user's extra, where the line path's `_put_back` keeps them.
        null_elements: dict[int, dict[str, int]] = {}
        for line, _, table in nulls:
            counts = null_elements.setdefault(line, {})
            counts[table.breakdown or ""] = counts.get(table.breakdown or "", 0) + 1
        # Each line is read for the top-level fields kept, only: the user's own untyped fields
        # (in name order), the objects holding some, and the breakdowns read line by line.
        unknown = user.unknown if user is not None else ()
        objects = user.objects if user is not None else ()
        top = (*unknown, *(k for k, _ in objects), *(name for _, name, _ in per_line))
        decoder = _fields_decoder(top) if top else None
        names = [_key_text(key) for key in unknown]
        astuple, unset = msgspec.structs.astuple, msgspec.UNSET
        per_table: dict[str, list[str | None]] = {USER_DAILY.name: []}
        for table, _, _ in per_line:
            per_table[table.name] = []
        user_extras = per_table[USER_DAILY.name]
        block, bounds = started.block, started.bounds
        # A look for the bytes first (the plan's, once a block): the pattern itself scans slowly.
        escapes = plan.escapes if plan is not None else b"\\" in block
        surrogates = (escapes or (not started.is_ascii and b"\xed" in block)) and bool(
            _SURROGATE.search(block)
        )
        view = memoryview(block)
        objects_from = len(unknown)
        breakdowns_from = objects_from + len(objects)

        def user_extra(line: int, values: tuple[Any, ...]) -> str | None:
            if not objects and line not in null_elements:  # the common case: in name order already
                texts = [name + _text(v) for name, v in zip(names, values, strict=False) if v is not unset]
                return "{" + ",".join(texts) + "}" if texts else None
            pairs = [
                (k, name + _text(v))
                for k, name, v in zip(unknown, names, values, strict=False)
                if v is not unset
            ]
            for (key, inner), value in zip(objects, values[objects_from:], strict=False):
                if value is not unset and value != _NULL and (rest := _left(_FIELDS.decode(value), inner)):
                    pairs.append((key, _key_text(key) + _object_text(rest)))
            for name, count in null_elements.get(line, {}).items():
                pairs.append((name, _key_text(name) + "[" + ",".join(["null"] * count) + "]"))
            pairs.sort(key=_first)
            return "{" + ",".join([text for _, text in pairs]) + "}" if pairs else None

        for i, line in numbered:
            if i in odd:
                continue
            values: tuple[Any, ...] = ()
            if decoder is not None:
                raw = view[bounds[line] : bounds[line + 1]]
                try:
                    if surrogates and _SURROGATE.search(raw):
                        raise ValueError("a surrogate: the line path decides")
                    values = astuple(decoder.decode(raw))
                    element_extras = [
                        (per_table[table.name], self._elements_extra(value, name, shape))
                        for (table, name, shape), value in zip(
                            per_line, values[breakdowns_from:], strict=True
                        )
                        if value is not unset and value != _NULL
                    ]
                    extra = user_extra(line, values)
                # A value JSON does not hold (NaN, 1e999: no JSON for inf) and the like.
                except (msgspec.DecodeError, ValueError, TypeError, RecursionError):
                    odd.add(i)
                    continue
                for into, extras in element_extras:
                    into.extend(extras)
            else:
                extra = user_extra(line, values)
            user_extras.append(extra)
        return per_table

    @staticmethod
    def _elements_extra(value: msgspec.Raw, name: str, shape: _Shape) -> list[str | None]:
        """The `extra` of each element of a breakdown (`value`, raw) read line by line."""
        if name in _OBJECT_BREAKDOWNS:
            kept = [_left(_FIELDS.decode(value), shape)]
        else:
            kept = [_left(element, shape) for element in _ELEMENTS.decode(value) if element is not None]
        return [_object_text(fields) if fields else None for fields in kept]

    @staticmethod
    def _batch(
        table: CuratedTable,
        source: pa.StructArray,
        parents: pa.Array | None,
        numbers: pa.Array,
        part: int,
        key: Mapping[str, pa.Array],
    ) -> tuple[pa.RecordBatch, pa.Array | None, list[tuple[str, list[int]]]]:
        """`table`'s rows, one per element of `source`; `parents`: each one's line in the block.
        Then the rows holding a value the line path must decide (None: none does), and the
        misfits settled here, null in their column: (key, its rows), a key of the row's own
        level (a misfit in an object below it, or in the key a breakdown row carries, is the
        line path's to write)."""
        rows = len(source)
        arrays: list[pa.Array] = []
        undecided: list[pa.Array] = []
        misfits = []
        read = [c for c in table.columns if c.name not in _NOT_READ and c.name not in key]
        fields = _Fields(source)
        fitted = dict(
            zip(read, _fitting_all([(c, fields.at(source_path(c.name))) for c in read]), strict=True)
        )
        for column in table.columns:
            if column.name == "source_part":
                values = pa.repeat(pa.scalar(part, pa.int32()), rows)
            elif column.name == "source_line":
                values = numbers if parents is None else numbers.take(parents)
            elif column.name == "extra":
                values = pa.nulls(rows, pa.string())
            elif column.name == "reduced_shape":  # every used_* flag null (they come before it)
                flags = (pc.is_null(arrays[table.column_names.index(name)]) for name in USED_FLAGS)
                values = functools.reduce(pc.and_, flags)
            elif column.name in key:
                assert parents is not None
                values = key[column.name].take(parents)
            else:
                path = source_path(column.name)
                values, bad, unsure = fitted[column]
                if bad is not None:
                    bad = pc.fill_null(bad, False)
                    if len(path) > 1 or column.name in _PARENT_KEY:
                        undecided.append(bad)
                    else:
                        if unsure is not None:
                            undecided.append(pc.fill_null(unsure, False))
                            bad = pc.and_(bad, pc.invert(undecided[-1]))
                        if found := pc.indices_nonzero(bad).to_pylist():
                            misfits.append((path[0], found))
            arrays.append(values)
        batch = pa.RecordBatch.from_arrays(arrays, schema=arrow_schema(table))
        return batch, functools.reduce(pc.or_, undecided) if undecided else None, misfits


# Columns `_VectorPath._batch` does not read from the report object.
_NOT_READ = frozenset({"source_part", "source_line", "extra", "reduced_shape"})


class _Fields:
    """The fields of a struct array's objects, found by path: each object's fields taken out at
    once (a level flattened), not one compute call a field."""

    def __init__(self, source: pa.StructArray) -> None:
        self._source = source
        self._levels: dict[tuple[str, ...], dict[str, pa.Array]] = {}

    def at(self, path: tuple[str, ...]) -> pa.Array:
        """The values at `path`: null where an object on the way is."""
        values: pa.Array = self._source
        for depth, name in enumerate(path):
            level = path[:depth]
            if level not in self._levels:  # flatten: each field null where its object is
                self._levels[level] = dict(zip(values.type.names, values.flatten(), strict=True))
            values = self._levels[level][name]
        return values


def _fitting_all(columns: list[tuple[Column, pa.Array]]) -> list[_Fitted]:
    """`_fitting` of each (column, values): the counts of one type checked and cast at once
    where all of them fit (most blocks), not a range check and a cast a column."""
    fitted: list[_Fitted | None] = [None] * len(columns)
    counts: dict[str, list[int]] = {}
    for position, (column, values) in enumerate(columns):
        if column.type in ("bigint", "int") and values.null_count < len(values):
            counts.setdefault(column.type, []).append(position)
        else:
            fitted[position] = _fitting(values, column)
    for kind, positions in counts.items():
        arrays = [columns[p][1] for p in positions]
        together = arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)
        bounds = pc.min_max(together)
        high = _INT32_MAX if kind == "int" else _EXACT_INTEGER
        if bounds["min"].as_py() >= 0 and bounds["max"].as_py() <= high:
            try:
                typed = together.cast(ARROW_TYPES[kind])  # refuses a fraction
            except pa.ArrowInvalid:
                pass
            else:
                start = 0
                for p, array in zip(positions, arrays, strict=True):
                    fitted[p] = (typed.slice(start, len(array)), None, None)
                    start += len(array)
                continue
        for p in positions:
            fitted[p] = _fitting(columns[p][1], columns[p][0])
    return [f for f in fitted if f is not None]


def _interleaved(ours: pa.RecordBatch, theirs: pa.RecordBatch) -> list[pa.RecordBatch]:
    """The rows of two batches of one table and block, each in line order and of lines the
    other has not, in line order: slices of both (a line's rows keep their order), not a copy."""
    lines = ours.column("source_line")  # int64, never null: searched in place
    our_lines = memoryview(lines.buffers()[1]).cast("q")[lines.offset : lines.offset + len(lines)]
    their_lines = theirs.column("source_line").to_pylist()
    pieces = []
    placed = run = 0  # our rows placed; where their rows not yet placed start
    for row, line in enumerate(their_lines):
        if row and line == their_lines[row - 1]:
            continue
        before = bisect.bisect_left(our_lines, line)  # our rows of earlier lines
        if before > placed:
            if row > run:
                pieces.append(theirs.slice(run, row - run))
                run = row
            pieces.append(ours.slice(placed, before - placed))
            placed = before
    pieces += [theirs.slice(run), ours.slice(placed)]
    return [piece for piece in pieces if piece.num_rows]


class Curator:
    """Curates one report-day: feed it each raw file in order, as lines (`curate`) or as blocks
    of whole lines (`curate_blocks`, faster), then `finish()`.

    All three yield `TableBatch`es, about every `batch_lines` lines; the caller writes them out.
    """

    def __init__(self, report: Report, day: date, batch_lines: int = BATCH_LINES) -> None:
        if report not in CURATED_REPORTS:
            raise ValueError(f"{report} has no curated tables")
        self.report = report
        self.day = day
        self.batch_lines = batch_lines
        self.tables = tables_for(report)
        self.lines = 0  # non-blank lines curated
        # Lines of the blocks given to `curate_blocks`, blank ones too: as the archiver counted them
        # (a last one without its newline is a line). Counted here, where they are split anyway.
        self.raw_lines = 0
        self.rows: dict[str, int] = {t.name: 0 for t in self.tables}
        self.warnings: list[str] = []
        self.warning_count = 0
        self.mistyped = 0  # values that did not fit their column (see the module's rules)
        # Names of the fields seen that no column types (kept in `extra`), as `_unknown` names them.
        self._untyped: set[str] = set()
        self._where = ""  # the file and line being curated, for warnings
        self._day = day.isoformat()
        self._row_table = row_table(report)
        self._parent = _PARENT_KEY if report is Report.USERS_1_DAY else ()
        self._breakdowns = {t.breakdown: t for t in self.tables if t.breakdown}
        self._breakdown_paths = {name: tuple(name.split(".")) for name in self._breakdowns}
        self._specs = {t.name: _spec(t, self._parent if t.breakdown else ()) for t in self.tables}
        # Where a table's unknown fields are named from: a breakdown's elements under its name.
        self._prefixes = {t.name: f"{t.breakdown}." if t.breakdown else "" for t in self.tables}
        self._flags = [USER_DAILY.column_names.index(name) for name in USED_FLAGS]
        self._reduced = USER_DAILY.column_names.index("reduced_shape")
        self._buffers = {t.name: _Buffer(t) for t in self.tables}
        # Batches of the vectorised path, held (like the buffers' rows) until `batch_lines`
        # lines are pending: a row group per few blocks, not per block, keeps the files small.
        self._held: dict[str, list[pa.RecordBatch]] = {t.name: [] for t in self.tables}
        self._pending = 0
        self._vector = (
            _VectorPath(self.tables, self._specs, self._day) if report is Report.USERS_1_DAY else None
        )
        # Blocks `curate_blocks` curated with Arrow, and those it left to the line path.
        self.vector_blocks = 0
        self.line_blocks = 0
        # Lines of the blocks Arrow curated that it left to the line path (see `_VectorPath`).
        self.lines_left_to_line_path = 0

    @property
    def unknown_fields(self) -> frozenset[str]:
        """The names of the fields seen that no column types and GitHub does not document as
        kept in `extra` (a row's `day` is the partition): fields GitHub added, most likely."""
        return frozenset(self._untyped - KNOWN_UNTYPED - {"day"})

    def curate(self, lines: Iterable[bytes], *, key: str, part: int) -> Iterator[TableBatch]:
        """Curate one raw file (`part` is its index in the manifest); line numbers start at 1."""
        yield from self._curate_lines(lines, key, part, 1)

    def curate_blocks(self, blocks: Iterable[bytes], *, key: str, part: int) -> Iterator[TableBatch]:
        """Curate one raw file given as blocks of whole lines (the file's last may lack its newline):
        the rows `curate` gives, in the same order, by Arrow for each block it can take."""
        first = 1
        # Arrow parses a block (on its own threads) while Python curates the block before.
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead: tuple[bytes, int, int, _Started | None] | None = None
            for block in blocks:
                if not block:
                    continue
                bounds = _line_bounds(block)
                lines = len(bounds) - 1
                self.raw_lines += lines
                started = self._start(block, bounds, pool)
                if ahead is not None:
                    yield from self._curate_block(*ahead, key, part)
                ahead = (block, lines, first, started)
                first += lines
            if ahead is not None:
                yield from self._curate_block(*ahead, key, part)

    def _start(self, block: bytes, bounds: list[int], pool: Executor) -> _Started | None:
        """The block with Arrow's parse under way; None: the line path takes it."""
        if self._vector is None:
            return None
        try:
            return self._vector.start(block, bounds, pool)
        except _Refused:
            return None

    def _curate_block(
        self, block: bytes, lines: int, first: int, started: _Started | None, key: str, part: int
    ) -> Iterator[TableBatch]:
        try:
            if started is None or self._vector is None:
                raise _Refused
            curated = self._vector.curate(started, first, part)
        except _Refused:
            self.line_blocks += 1
            pieces = block.split(b"\n")
            if block.endswith(b"\n"):
                pieces.pop()
            yield from self._curate_lines(pieces, key, part, first)
        else:
            self.vector_blocks += 1
            if any(map(len, self._buffers.values())):
                yield from self._flush()  # rows of earlier lines first
            self._hold(curated, key, part)
            self.lines += lines
            self._pending += lines
            if self._pending >= self.batch_lines:
                yield from self._flush()

    def _hold(self, curated: _Curated, key: str, part: int) -> None:
        """Hold a block's rows: Arrow's, and those of the lines it left to the line path, in line order."""
        self.lines_left_to_line_path += len(curated.left_to_lines)
        self._untyped |= curated.unknown_fields
        events: list[tuple[int, bytes | CuratedTable | tuple[CuratedTable, str]]] = [
            *curated.left_to_lines,
            *curated.null_elements,
            *((number, (table, name)) for number, table, name in curated.misfits),
        ]
        # Line by line, so that warnings come in the line path's order (a line is in one list only).
        for number, what in sorted(events, key=lambda event: event[0]):
            self._where = f"{key} line {number}"
            if isinstance(what, bytes):
                self._user_line(parse_line(what, key, number), part, number)
            elif isinstance(what, tuple):
                table, name = what
                self._mistyped(table, [name])
            else:
                self._null_element(what)
        batches = dict((table.name, batch) for table, batch in curated.batches)
        for name, buffer in self._buffers.items():
            batch = batches.get(name)
            if len(buffer):
                rows = buffer.take()
                if batch is None or not batch.num_rows:
                    self._held[name].append(rows)
                else:
                    self._held[name] += _interleaved(batch, rows)
            elif batch is not None and batch.num_rows:
                self._held[name].append(batch)

    def _curate_lines(self, lines: Iterable[bytes], key: str, part: int, first: int) -> Iterator[TableBatch]:
        for number, raw in enumerate(lines, start=first):
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
        # Held batches go before buffered rows: the vectorised path flushes the buffer before it holds.
        self._pending = 0
        for name, buffer in self._buffers.items():
            batches, self._held[name] = self._held[name], []
            if len(buffer):
                batches.append(buffer.take())
            if batches:
                batch = batches[0] if len(batches) == 1 else pa.Table.from_batches(batches)
                self.rows[name] += batch.num_rows
                yield TableBatch(buffer.table, batch)

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

    def _null_element(self, table: CuratedTable) -> None:
        # Not a misfit (nothing was given to type): no row, kept in the parent's extra, warned.
        self._warn(f"{self._where}: a null element of {table.breakdown}; no row, kept in extra")

    def _row(self, table: CuratedTable, obj: Mapping[str, Any], row: list[Any]) -> dict[str, Any]:
        """Fill `row` (lineage already in) from `obj`; return what is left of it, untyped."""
        misfits: list[str] = []
        spec = self._specs[table.name]
        left = _take(obj, spec, row, misfits)
        if misfits:
            self._mistyped(table, misfits)
        if left:
            self._untyped.update(_unknown(left, spec, self._prefixes[table.name]))
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
        """Keep a breakdown value that made no row in `extra`, under its name."""
        *parents, leaf = name.split(".")
        holders = [left]
        for key in parents:
            child = holders[-1].get(key)
            inner = dict(child) if isinstance(child, dict) else {}
            holders[-1][key] = inner
            holders.append(inner)
        holders[-1][leaf] = value
        # In name order at each level below the top (`_extra` orders that): deepest first.
        for holder, key in reversed(list(zip(holders, parents, strict=False))):
            holder[key] = _in_name_order(holder[key])

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
                if element is None:
                    self._null_element(table)
                else:
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
        row[self._reduced] = all(row[flag] is None for flag in self._flags)
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
