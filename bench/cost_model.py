"""What one enterprise-year costs at 1k, 10k and 100k users, from the benchmark's figures.

Reads bench/results/latest.json (written by `make bench`), template.yaml (memory sizes, the
schedule, the secret) and the code's constants (upload part size, curated tables, metric
names), and prints the Markdown that docs/cost.md ("What it costs") holds between its markers.
The method is on that page; every figure here is derived, none is measured anew.

    PYTHONPATH=src python bench/cost_model.py [path/to/latest.json] [--write-docs]
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot_archive.core.curated_schema import INDEX_STATUS, tables_for
from copilot_archive.core.reports import Level, Report, reports_at
from copilot_archive.core.storage import UPLOAD_PART_BYTES

ROOT = Path(__file__).resolve().parent.parent
LATEST = ROOT / "bench" / "results" / "latest.json"
TEMPLATE = ROOT / "template.yaml"
SOURCES = ROOT / "src" / "copilot_archive"
USER_COUNTS = (1_000, 10_000, 100_000)
ONE_DAY_REPORTS = (Report.USERS_1_DAY, Report.ENTERPRISE_1_DAY)
DAYS = 365
GIB = 1024**3
TIB = 1024**4
MB = 1024**2  # Athena's minimum is 10 MB a query, counted in binary megabytes here

# List prices, us-east-1, read on PRICES_READ (docs/cost.md names the sources).
PRICES_READ = "2026-11-25"
LAMBDA_ARM_GB_S = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
S3_STANDARD_GB_MONTH = 0.023
S3_PUT_LIST = 0.005 / 1000
S3_GET_HEAD = 0.0004 / 1000
ATHENA_TB = 5.0
ATHENA_MIN_BYTES = 10 * MB
GLUE_FREE = 1_000_000  # objects stored and requests, a month
SECRET_MONTH = 0.40
SECRET_CALL = 0.05 / 10_000
METRIC_MONTH = 0.30


@dataclass(frozen=True, slots=True)
class Template:
    archiver_mib: int
    indexer_mib: int
    runs_per_day: int
    reports: int
    secrets: int


def read_template(text: str) -> Template:
    def memory(function: str) -> int:
        block = re.search(rf"^  {function}:\n(.*?)(?=^  [A-Za-z]+:\n)", text, re.M | re.S)
        found = re.search(r"^\s+MemorySize: (\d+)$", block.group(1) if block else "", re.M)
        if not found:
            raise SystemExit(f"no MemorySize for {function} in template.yaml")
        return int(found.group(1))

    schedule = re.search(
        r"ScheduleExpression:\n(?:\s+\w+: .*\n)*?\s+Default: rate\((\d+) (minute|hour|day)s?\)", text
    )
    reports = re.search(r"^  Reports:\n(?:\s+\w+: .*\n)*?\s+Default: (\S+)$", text, re.M)
    if not schedule or not reports:
        raise SystemExit("template.yaml: no rate(...) ScheduleExpression or Reports default")
    per_day = {"minute": 24 * 60, "hour": 24, "day": 1}[schedule.group(2)] // int(schedule.group(1))
    return Template(
        archiver_mib=memory("ArchiverFunction"),
        indexer_mib=memory("IndexerFunction"),
        runs_per_day=per_day,
        # Per enterprise: the default reports GitHub serves at the enterprise level.
        reports=len(reports_at(Level.ENTERPRISE, tuple(Report(r) for r in reports.group(1).split(",")))),
        secrets=text.count("Type: AWS::SecretsManager::Secret\n"),
    )


def metric_names() -> list[str]:
    """Every metric name the code publishes (one metric each: the service is the only dimension)."""
    names = set()
    for path in SOURCES.rglob("*.py"):
        names.update(re.findall(r'add_metric\(name="(\w+)"', path.read_text()))
        names.update(re.findall(r'"(\w+)"', _alarm_metrics(path.read_text())))
    # Per enterprise: an organization's metrics (Org...) are published only for organizations.
    return sorted(n for n in names if not n.startswith("Org"))


def _alarm_metrics(source: str) -> str:
    """The text of the per-level alarm metric table, where its names are spelled."""
    found = re.search(r"LEVEL_ALARM_METRICS = \{(.*?)\n\}", source, re.S)
    return found.group(1) if found else ""


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


@dataclass(frozen=True, slots=True)
class Year:
    """One enterprise-year at `users`: counts and bytes, then dollars."""

    users: int
    raw_users_day: float  # bytes of the users-1-day report, a day
    raw_day: float  # all raw bytes a day (both 1-day reports and their manifests)
    curated_day: float
    archiver_gb_s: float
    indexer_gb_s: float
    invocations: int
    put_list: int
    get_head: int
    glue_requests: int
    glue_objects: int
    athena_day_end: float  # bytes the views scan on the last day of the year
    athena_year: float  # bytes billed over the year (10 MB minimum a query)
    secret_calls: int
    metrics: int
    secrets: int

    @property
    def gb_months(self) -> tuple[float, float]:
        # Day d's bytes are stored for 365 - d + 1 days: sum = 365*366/2 days; a month = 365/12 days.
        factor = (DAYS * (DAYS + 1) / 2) / (DAYS / 12)
        return self.raw_day * factor / GIB, self.curated_day * factor / GIB

    def dollars(self) -> dict[str, float]:
        raw, curated = self.gb_months
        return {
            "Lambda": (self.archiver_gb_s + self.indexer_gb_s) * LAMBDA_ARM_GB_S
            + self.invocations * LAMBDA_REQUEST,
            "S3 requests": self.put_list * S3_PUT_LIST + self.get_head * S3_GET_HEAD,
            "S3 storage": (raw + curated) * S3_STANDARD_GB_MONTH,
            "Athena": self.athena_year / TIB * ATHENA_TB,
            "Glue catalog": 0.0
            if self.glue_objects < GLUE_FREE and self.glue_requests / 12 < GLUE_FREE
            else math.nan,
            "Secrets Manager": self.secrets * 12 * SECRET_MONTH + self.secret_calls * SECRET_CALL,
            "CloudWatch metrics": self.metrics * 12 * METRIC_MONTH,
        }


def model(latest: dict[str, Any], template: Template, metrics: list[str], users: int) -> Year:
    cvr = latest["curated_vs_raw"]
    base_users = cvr["enterprise_users"]
    scale = users / base_users
    sampled = cvr["days_archived"]
    raw = cvr["archive"]["raw"]
    curated = cvr["archive"]["curated"]

    # Bytes a day: the archive's figures are already scaled to the whole year.
    def raw_day(report: Report) -> float:
        day = raw[report.value]["bytes"] / cvr["days_in_year"]
        return day * scale if report is Report.USERS_1_DAY else day

    def files(report: Report) -> int:
        return max(1, round(raw[report.value]["files"] / sampled))

    tables = {report: [t.name for t in tables_for(report)] for report in ONE_DAY_REPORTS}
    curated_day = 0.0
    for report, names in tables.items():
        # A table newer than the benchmark's results (the Copilot app's, partner agents') counts as
        # empty until the next `make bench` measures it: a few rows a day, against the others' MiB.
        for name in (n for n in names if n in curated):
            day = curated[name]["bytes"] / cvr["days_in_year"]
            curated_day += day * scale if report is Report.USERS_1_DAY else day
    curated_day += curated[INDEX_STATUS.name]["bytes"] / cvr["days_in_year"]
    manifests_day = raw["manifests"]["bytes"] / cvr["days_in_year"]
    raw_all_day = sum(raw_day(r) for r in ONE_DAY_REPORTS) + manifests_day

    # Archiver seconds: the real handler's medians at ~8 and ~256 MiB give a fixed part and a
    # per-byte part; each run also pays a cold start (init is billed), runs being hours apart.
    sizes = {r["label"]: r["bytes"] for r in latest["reports"]}
    copy = [(sizes[label], s["archive"]["median_s"]) for label, s in latest["summary"].items()]
    fixed, per_byte = linear_fit(copy)
    cold = latest["cold_start"]["median_s"]
    runs = template.runs_per_day
    archiver_s = runs * (cold["archiver"] + fixed) + sum(
        fixed + per_byte * raw_day(r) for r in ONE_DAY_REPORTS
    )

    # Indexer seconds: users-1-day from the fit of index_memory's sizes (seconds per user);
    # enterprise-1-day = the simulated year's index seconds a day beyond that fit's users-1-day.
    index_fit = linear_fit([(s["users"], s["median_s"]) for s in latest["index_memory"]["sizes"]])
    users_index_s = index_fit[0] + index_fit[1] * users
    year_index_s = sum(cvr["worker_index_seconds"]) / sampled
    enterprise_index_s = max(0.0, year_index_s - (index_fit[0] + index_fit[1] * base_users))
    indexer_s = len(ONE_DAY_REPORTS) * cold["indexer"] + users_index_s + enterprise_index_s

    # S3 requests a day, as the code makes them (archiver.py, storage.py, indexer.py).
    put_list = runs * template.reports * math.ceil(DAYS / 1000)  # plan: one listing per report
    # The not-ready ledger: read when planning and before its update, replaced when a recent day
    # (yesterday, not generated yet) answered not ready.
    get_head = 2 * runs
    put_list += runs
    glue_requests = 0
    for report in ONE_DAY_REPORTS:
        n = files(report)
        size = raw_day(report) / n
        parts = 1 if size < UPLOAD_PART_BYTES else math.ceil(size / UPLOAD_PART_BYTES) + 2
        put_list += n * parts + 1  # every file (one PUT, or create + parts + complete); manifest
        get_head += 1 + 1  # manifest checked once, stale-part probe (versions come from the PUTs' answers)
        get_head += 2 + 2 * n  # indexer: manifest HEAD + GET, per file HEAD + GET
        put_list += len(tables[report]) + 1  # curated tables + index_status
        # the monthly ones (enterprise-level tables, index_status) are read before the merge
        get_head += (len(tables[report]) if report is Report.ENTERPRISE_1_DAY else 0) + 1
        glue_requests += 1 + len(tables[report]) + 1  # BatchCreatePartition per table
    glue_requests += len(ONE_DAY_REPORTS)  # GetDatabase (views' version) per cold start

    # Athena: every standard view once a day over all the data so far; the benchmark's bytes
    # per view are the year-end figure (column chunks read), so day d scans d/365 of it.
    athena_end = 0.0
    athena_year = 0.0
    for view in cvr["views"]:
        end = view["curated_bytes"] * (scale if "users-1-day" in view["raw_sources"] else 1)
        athena_end += end
        athena_year += sum(max(ATHENA_MIN_BYTES, end * d / DAYS) for d in range(1, DAYS + 1))

    return Year(
        users=users,
        raw_users_day=raw_day(Report.USERS_1_DAY),
        raw_day=raw_all_day,
        curated_day=curated_day,
        archiver_gb_s=archiver_s * DAYS * template.archiver_mib / 1024,
        indexer_gb_s=indexer_s * DAYS * template.indexer_mib / 1024,
        invocations=(runs + len(ONE_DAY_REPORTS)) * DAYS,
        put_list=put_list * DAYS,
        get_head=get_head * DAYS,
        glue_requests=glue_requests * DAYS,
        glue_objects=(glue_requests - len(ONE_DAY_REPORTS)) * DAYS,  # a partition per BatchCreate entry
        athena_day_end=athena_end,
        athena_year=athena_year,
        secret_calls=runs * DAYS,  # cached 300 s, runs hours apart: one GetSecretValue a run
        metrics=len(metrics),
        secrets=template.secrets,
    )


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def render(latest: dict[str, Any], template: Template, metrics: list[str]) -> str:
    years = [model(latest, template, metrics, u) for u in USER_COUNTS]
    head = "| per enterprise-year | " + " | ".join(f"{u:,} users" for u in USER_COUNTS) + " |"
    rows: list[tuple[str, list[str]]] = [
        ("users-1-day report a day (MB)", [f"{y.raw_users_day / 1e6:,.1f}" for y in years]),
        (f"Lambda GB-s, archiver ({template.archiver_mib} MB)", [_n(y.archiver_gb_s) for y in years]),
        (f"Lambda GB-s, indexer ({template.indexer_mib} MB)", [_n(y.indexer_gb_s) for y in years]),
        ("Lambda invocations", [_n(y.invocations) for y in years]),
        ("S3 PUT/LIST requests", [_n(y.put_list) for y in years]),
        ("S3 GET/HEAD requests", [_n(y.get_head) for y in years]),
        ("raw stored at year end (GiB)", [f"{y.raw_day * DAYS / GIB:,.2f}" for y in years]),
        ("curated stored at year end (GiB)", [f"{y.curated_day * DAYS / GIB:,.2f}" for y in years]),
        ("S3 GiB-months, raw", [f"{y.gb_months[0]:,.1f}" for y in years]),
        ("S3 GiB-months, curated", [f"{y.gb_months[1]:,.1f}" for y in years]),
        ("Athena scanned by the views, last day (MiB)", [f"{y.athena_day_end / MB:,.1f}" for y in years]),
        ("Athena billed over the year (GiB)", [f"{y.athena_year / GIB:,.1f}" for y in years]),
        (
            "Glue catalog requests / partitions",
            [f"{_n(y.glue_requests)} / {_n(y.glue_objects)}" for y in years],
        ),
    ]
    dollars = [y.dollars() for y in years]
    for item in dollars[0]:
        rows.append((f"**{item}**", [_usd(d[item]) for d in dollars]))
    rows.append(("**total**", [f"**{_usd(sum(d.values()))}**" for d in dollars]))
    lines = [head, "|---|" + "---:|" * len(USER_COUNTS)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    lines.append("")
    lines.append(
        f"From `bench/results/latest.json` of {latest['machine']['date'][:10]} "
        f"(commit {latest['machine']['git_commit']}); list prices of us-east-1 read on {PRICES_READ}; "
        f"{template.runs_per_day} archiver runs a day, {len(metrics)} custom metrics, "
        f"{template.secrets} secret; free tiers not deducted."
    )
    return "\n".join(lines)


COST_PAGE = ROOT / "docs" / "cost.md"
MARKERS = ("<!-- cost-model:start -->\n", "\n<!-- cost-model:end -->")


def write_docs(table: str) -> None:
    """Replace the cost page's table between its markers, so a new benchmark updates it."""
    text = COST_PAGE.read_text()
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    COST_PAGE.write_text(text[:start] + table + text[end:])


def main(argv: list[str]) -> None:
    write = "--write-docs" in argv
    paths = [a for a in argv if a != "--write-docs"]
    latest = json.loads(Path(paths[0] if paths else LATEST).read_text())
    table = render(latest, read_template(TEMPLATE.read_text()), metric_names())
    print(table)
    if write:
        write_docs(table)


if __name__ == "__main__":
    main(sys.argv[1:])
