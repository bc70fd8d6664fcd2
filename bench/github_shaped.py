"""users-1-day lines shaped like GitHub's, not only like our simulator's: the one place bench/ shapes them.

    python bench/github_shaped.py --root DIR --mib 144 [--anchor FILE] [--day YYYY-MM-DD]

Writes one users-1-day report-day of the enterprise `acme` into the archive folder DIR (the raw
file and its manifest, as the archiver lays them out), and, with --anchor, the anchor file beside
it. Prints one JSON line: bytes, lines, misfits by kind, null elements, the undocumented fields.

The base lines are the simulator's (`ReportBook.user_records`: the fields GitHub documents today,
`totals_by_copilot_app`, `ai_credits_used`, `totals_by_3rd_party_agent`, `ai_adoption_phase` and
the internal `etl_id`, `day_partition`, `entity_id_partition` included). On top, as GitHub's own
files have them:
- fields nobody documented, on EVERY line: `totals_by_skill` and `totals_by_slash_cmd` at the
  top level (seen only in other projects' code, not in GitHub's docs), and `surface_detail` in
  every element of every breakdown list;
- a value that does not fit its column on MISFIT_SHARE of the lines, the kinds in turn (a string
  where a count is, a negative count, a fraction for an int, an int beyond 64 bits), half at the
  top level and half in a breakdown element;
- a null breakdown element on NULL_ELEMENT_SHARE of the lines;
- on the simulator's ALIAS_SHARE of the lines, the languages of both language breakdowns under
  another name (`py`, `ts`, ...: GitHub does not normalise them), drawn from a generator of their
  own so that the other shares fall on the same lines as before;
- on SERVER_SIDE_SHARE of the lines, a user seen only in GitHub's server-side telemetry (changelog,
  2026: counted, but "the detailed breakdowns stay empty"): every breakdown list empty, the
  per-surface objects absent and the `used_*` flags null (as a production user reports a quarter of
  its lines arrive).

The anchor file is the same file with every misfit value put back to the simulator's fitting
value, every null element written `{}`, and the line padded with trailing spaces to its byte
length: `pyarrow.json.read_json` refuses a string in a column it inferred as numbers, and from a
null element in a list of objects it can build a list array that `write_table` refuses as invalid
("Length spanned by list offsets ... larger than values array"). So the read_json + write_table
anchor reads this file (the same bytes, lines and unknown fields; no misfit, no null element).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ENTERPRISE = "acme"
DAY = date(2026, 11, 24)
MiB = 1024 * 1024
MISFIT_SHARE = 0.01  # ~1% of lines carry one value that does not fit its column
NULL_ELEMENT_SHARE = 0.005  # a null element at the head of one breakdown list
SERVER_SIDE_SHARE = 0.05  # lines of users seen only server-side: no breakdowns, used_* null
SERVER_SIDE_DROPPED = ("totals_by_cli", "totals_by_copilot_app", "ai_adoption_phase")
MISFIT_KINDS = ("string", "negative", "fraction", "huge")
# Counts a misfit replaces: at the top level, and in the first element of totals_by_ide.
MISFIT_FIELD = "loc_added_sum"
MISFIT_LIST = "totals_by_ide"
UNDOCUMENTED_TOP = ("totals_by_skill", "totals_by_slash_cmd")
UNDOCUMENTED_NESTED = "surface_detail"
SURFACES = ("editor", "terminal", "web", "mobile")
SKILLS = ("review", "explain", "tests", "docs")
SLASH_COMMANDS = ("/fix", "/explain", "/tests", "/doc")
NULLABLE_LISTS = ("totals_by_feature", "totals_by_language_feature", "totals_by_ide")
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "github-docs"
GITHUB_DOCS_SLUG = "github-docs"


@dataclass(slots=True)
class Shares:
    """What the shaping put into a file, counted as it was written."""

    lines: int = 0
    bytes: int = 0
    misfits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MISFIT_KINDS, 0))
    nested_misfits: int = 0
    null_elements: int = 0
    server_side_lines: int = 0
    aliased_lines: int = 0


def compact(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def misfit(value: int, kind: str) -> Any:
    """A value for a count that does not fit an int column; always written longer than `value`."""
    if kind == "string":
        return str(value)
    if kind == "negative":
        return -value - 1
    if kind == "fraction":
        return value + 0.5
    return 2**64 + value  # beyond int64 and uint64


def server_side_only(record: dict[str, Any]) -> dict[str, Any]:
    """A user GitHub knows only from server-side telemetry: the counts, no breakdown, flags unknown."""
    return {
        name: [] if isinstance(value, list) else None if name.startswith("used_") else value
        for name, value in record.items()
        if name not in SERVER_SIDE_DROPPED
    }


def with_undocumented(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Every line: two undocumented top-level breakdowns and one undocumented field in every element."""
    shaped: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, list):
            value = [{**e, UNDOCUMENTED_NESTED: rng.choice(SURFACES)} for e in value]
        shaped[name] = value
    shaped["totals_by_skill"] = [{"skill": rng.choice(SKILLS), "invocation_count": rng.randint(0, 9)}]
    shaped["totals_by_slash_cmd"] = [
        {"slash_cmd": rng.choice(SLASH_COMMANDS), "invocation_count": rng.randint(1, 5)}
    ]
    return shaped


def with_aliases(record: dict[str, Any], rng: random.Random, shares: Shares) -> dict[str, Any]:
    """The record with its languages under the simulator's aliases, on ALIAS_SHARE of the lines."""
    from copilot_simulator.reports import ALIAS_SHARE, LANGUAGE_ALIASES

    if rng.random() >= ALIAS_SHARE:
        return record
    shares.aliased_lines += 1
    aliased = dict(record)
    for name in ("totals_by_language_feature", "totals_by_language_model"):
        aliased[name] = [
            {**e, "language": LANGUAGE_ALIASES.get(e["language"], e["language"])}
            for e in record.get(name, [])
        ]
    return aliased


def shaped_lines(record: dict[str, Any], rng: random.Random, shares: Shares) -> tuple[bytes, bytes]:
    """(the GitHub-shaped line, its anchor line of the same length) for one simulator record."""
    if rng.random() < SERVER_SIDE_SHARE:
        record = server_side_only(record)
        shares.server_side_lines += 1
    shaped = with_undocumented(record, rng)
    if rng.random() < NULL_ELEMENT_SHARE:
        lists = [n for n in NULLABLE_LISTS if shaped.get(n)]
        if lists:
            name = rng.choice(lists)
            shaped[name] = [None, *shaped[name]]
            shares.null_elements += 1
    # read_json builds a broken list array from a null element (write_table refuses it): {} instead
    fitting = compact(
        {n: [{} if e is None else e for e in v] if isinstance(v, list) else v for n, v in shaped.items()}
    )
    if rng.random() >= MISFIT_SHARE:
        return padded(compact(shaped), fitting)
    kind = MISFIT_KINDS[sum(shares.misfits.values()) % len(MISFIT_KINDS)]
    shares.misfits[kind] += 1
    nested = shares.nested_misfits * 2 < sum(shares.misfits.values()) and bool(shaped.get(MISFIT_LIST))
    if nested:
        element = next(e for e in shaped[MISFIT_LIST] if e is not None)
        element[MISFIT_FIELD] = misfit(element[MISFIT_FIELD], kind)
        shares.nested_misfits += 1
    else:
        shaped[MISFIT_FIELD] = misfit(shaped[MISFIT_FIELD], kind)
    return padded(compact(shaped), fitting)


def padded(line: bytes, fitting: bytes) -> tuple[bytes, bytes]:
    """The line, and its fitting twin padded with spaces to the same byte length."""
    padding = len(line) - len(fitting)
    assert padding >= 0, "a misfit or a null element is written longer than what replaces it"
    return line, fitting[:-1] + b" " * padding + b"\n"


def records(target_bytes: int, day: date) -> Iterator[dict[str, Any]]:
    """Simulator records of one day, enough for `target_bytes` (~4.4 KB a line, ~70% of users active)."""
    from copilot_simulator.reports import ReportBook

    users = max(50, int(target_bytes / 4400 / 0.7 * 1.3))
    yield from ReportBook({ENTERPRISE: users}).user_records(ENTERPRISE, day)


def write_day(
    root: Path, target_bytes: int, day: date, anchor: Path | None, seed: int = 17
) -> dict[str, Any]:
    """One GitHub-shaped users-1-day report-day of at least `target_bytes` into the archive `root`."""
    from copilot_archive.core.layout import DEFAULT_PREFIX, ReportDay, raw_file_key
    from copilot_archive.core.manifest import ArchivedFile
    from copilot_archive.core.reports import Report

    started = time.monotonic()
    report_day = ReportDay(Report.USERS_1_DAY, ENTERPRISE, day)
    key = raw_file_key(DEFAULT_PREFIX, report_day, 0)
    raw = root / key
    raw.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    aliases = random.Random(f"{seed}|aliases")
    shares = Shares()
    digest = hashlib.sha256()
    with ExitStack() as files:
        out = files.enter_context(raw.open("wb"))
        fitting_out = files.enter_context(anchor.open("wb")) if anchor else None
        for record in records(target_bytes, day):
            line, fitting = shaped_lines(with_aliases(record, aliases, shares), rng, shares)
            out.write(line)
            if fitting_out:
                fitting_out.write(fitting)
            digest.update(line)
            shares.lines += 1
            shares.bytes += len(line)
            if shares.bytes >= target_bytes:
                break
    if shares.bytes < target_bytes:
        raise RuntimeError(f"the simulator's day has {shares.bytes} bytes, fewer than {target_bytes}")
    put_manifest(root, report_day, (ArchivedFile(key, shares.bytes, digest.hexdigest(), shares.lines),))
    result = asdict(shares)
    result.update(
        raw_key=key,
        anchor=str(anchor) if anchor else None,
        undocumented_fields=[*UNDOCUMENTED_TOP, f"totals_by_*[].{UNDOCUMENTED_NESTED}"],
        seconds=round(time.monotonic() - started, 2),
    )
    return result


def put_manifest(root: Path, report_day: Any, files: tuple[Any, ...]) -> None:
    """The manifest the archiver would write for `files` (written last, as the archiver does)."""
    from copilot_archive.core.layout import DEFAULT_PREFIX, manifest_key
    from copilot_archive.core.manifest import Manifest

    manifest = Manifest(report_day, files, datetime.now(UTC).replace(microsecond=0), "2026-03-10")
    path = root / manifest_key(DEFAULT_PREFIX, report_day)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(manifest.to_json())


def write_github_docs(root: Path) -> dict[str, Any]:
    """GitHub's public sample lines (tests/fixtures/github-docs) as archived report-days of the
    enterprise `github-docs`: users-line.json as a users-1-day file, enterprise-line.json (a
    day_totals wrapper) as an enterprise-1-day file, each compacted to one NDJSON line."""
    from copilot_archive.core.layout import DEFAULT_PREFIX, ReportDay, raw_file_key
    from copilot_archive.core.manifest import ArchivedFile
    from copilot_archive.core.reports import Report

    written = {}
    for report, name in (
        (Report.USERS_1_DAY, "users-line.json"),
        (Report.ENTERPRISE_1_DAY, "enterprise-line.json"),
    ):
        record = json.loads((FIXTURES / name).read_text())
        day = record.get("day") or record["day_totals"][-1]["day"]
        report_day = ReportDay(report, GITHUB_DOCS_SLUG, date.fromisoformat(day))
        key = raw_file_key(DEFAULT_PREFIX, report_day, 0)
        data = compact(record)
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)
        put_manifest(root, report_day, (ArchivedFile(key, len(data), hashlib.sha256(data).hexdigest(), 1),))
        written[report.value] = {"file": name, "day": day, "bytes": len(data)}
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--root", required=True, type=Path, help="the archive folder to write into")
    parser.add_argument("--mib", type=float, default=144.0, help="size of the users-1-day file (MiB)")
    parser.add_argument("--day", type=date.fromisoformat, default=DAY)
    parser.add_argument("--anchor", type=Path, help="also write the anchor file (no misfits) here")
    parser.add_argument("--github-docs", action="store_true", help="also archive GitHub's sample lines")
    args = parser.parse_args()
    result = write_day(args.root, int(args.mib * MiB), args.day, args.anchor)
    if args.github_docs:
        result["github_docs"] = write_github_docs(args.root)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
