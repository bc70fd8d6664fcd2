"""Issue 17's goals, each against its anchor, measured side by side in one `make bench` run.

- goal 1: whole-process `copilot-archive index` of a GitHub-shaped users-1-day day (bench/github_shaped.py)
  against a process doing pyarrow read_json + write_table, and one doing DuckDB's
  COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet), alternating, medians;
- goal 2: GitHub's public sample lines (tests/fixtures/github-docs) indexed by the real indexer;
- goals 3 and 4: `copilot-archive demo` timed whole, then on its archive `copilot-archive query VIEW`
  against a bare DuckDB process answering the same view from the same Parquet files, alternating,
  medians, and `copilot-archive report`.
(Goal 5, the indexer's cold start, is measured by run.py's cold_start with the archiver's.)

Every figure is wall time of a fresh process, start to exit, measured from here; peak RSS is the
child's own (os.wait4). A missed goal is recorded as such, never raised.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
CLI = str(Path(sys.executable).with_name("copilot-archive"))
MiB = 1024 * 1024

INDEX_MIB = 144  # goal 1: at least 128 MiB
INDEX_ROUNDS = 5  # (read_json+write_table, index, DuckDB) x INDEX_ROUNDS, alternating
GOAL_INDEX_RATIO = 1.5
QUERY_VIEW = "active_users_weekly"
QUERY_ROUNDS = 5  # (query, bare DuckDB) x QUERY_ROUNDS, alternating
REPORT_ROUNDS = 3
GOAL_QUERY_RATIO = 2.0
GOAL_REPORT_S = 10.0
GOAL_DEMO_S = 180.0
DEMO_TIMEOUT_S = (
    600  # past this the demo is stopped (a MISS) and `copilot-archive index` finishes its archive
)
TIMEOUT_S = 1200


def quiet_env() -> dict[str, str]:
    """The environment without AWS or Lambda settings (everything here is local), logs at WARNING."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_"))}
    env.update(
        POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true", AWS_EC2_METADATA_DISABLED="true"
    )
    return env


def timed(command: list[str], what: str, *, check: bool = True, timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Run `command` as a fresh process; its wall seconds, its own peak RSS, its stdout. Past
    `timeout` its process group is killed (exit -9, `stopped` set)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=err, cwd=ROOT, env=quiet_env(), start_new_session=True
        )
        timer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            stopped = not timer.is_alive()
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if check and process.returncode != 0:
        tail = "\n".join(stderr.splitlines()[-30:])
        raise RuntimeError(f"{what} failed (exit {process.returncode}):\n{tail}")
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": process.returncode,
        "stopped": stopped,
        "stdout": stdout,
        "stderr_tail": "\n".join(stderr.splitlines()[-5:]),
    }


def last_json(run: dict[str, Any]) -> Any:
    return json.loads(run["stdout"].strip().splitlines()[-1]) if run["stdout"].strip() else None


def median_s(runs: list[dict[str, Any]]) -> float:
    return round(statistics.median(r["seconds"] for r in runs), 3)


def goal(name: str, value: float, unit: str, limit: float, *, at_most: bool = True) -> dict[str, Any]:
    return {
        "goal": name,
        "value": round(value, 2),
        "unit": unit,
        "limit": f"{'<=' if at_most else '>='} {limit}",
        "pass": value <= limit if at_most else value >= limit,
    }


# ---- goal 1 (and 2): the indexer on a GitHub-shaped day -----------------------------------


def index_vs_anchors(mib: float = INDEX_MIB, rounds: int = INDEX_ROUNDS) -> dict[str, Any]:
    print(
        f"\nindexer on GitHub-shaped data (issue 17 goal 1): one users-1-day day of ~{mib:.0f} MiB, "
        f"{rounds} alternating rounds of fresh processes ..."
    )
    work = Path(tempfile.mkdtemp(prefix="bench-shaped-"))
    try:
        archive, anchor = work / "archive", work / "anchor.json"
        made = timed(
            [
                PYTHON,
                str(BENCH / "github_shaped.py"),
                "--root",
                str(archive),
                "--mib",
                str(mib),
                "--anchor",
                str(anchor),
            ],
            "github_shaped.py",
        )
        shaped = last_json(made)
        raw = archive / shaped["raw_key"]
        misfit_lines = sum(shaped["misfits"].values())
        print(
            f"  generated in {made['seconds']:.1f} s: {shaped['bytes'] / MiB:.1f} MiB, "
            f"{shaped['lines']:,} lines, "
            f"misfits {misfit_lines} ({misfit_lines / shaped['lines']:.2%}: {shaped['misfits']}, "
            f"{shaped['nested_misfits']} in breakdown elements), {shaped['null_elements']} null elements, "
            f"{shaped['server_side_lines']} server-side-only lines, "
            f"undocumented on every line: {', '.join(shaped['undocumented_fields'])}"
        )
        # read_json refuses a string in a column it typed as numbers: say so, then read the anchor.
        refused = timed(
            [PYTHON, str(BENCH / "anchors.py"), "arrow", str(raw), str(work / "probe.parquet")],
            "arrow probe",
            check=False,
        )
        arrow_note = (
            "read_json refuses the GitHub-shaped file ("
            + (refused["stderr_tail"].splitlines() or ["?"])[-1][:160]
            + "); it reads the anchor file: the same file with each misfit value put back to a fitting "
            "value, each null element written {}, and the line padded with spaces to the same byte length"
            if refused["exit"]
            else "read_json reads the GitHub-shaped file itself"
        )
        arrow_source = anchor if refused["exit"] else raw
        duckdb_source = raw
        runs: dict[str, list[dict[str, Any]]] = {"arrow": [], "index": [], "duckdb": []}
        for _ in range(rounds):
            arrow = timed(
                [PYTHON, str(BENCH / "anchors.py"), "arrow", str(arrow_source), str(work / "arrow.parquet")],
                "read_json + write_table",
            )
            runs["arrow"].append({**arrow, **last_json(arrow)})
            index = timed(
                [CLI, "index", "--archive", str(archive), "--force", "--no-progress", "--json"], "index"
            )
            (result,) = json.loads(index["stdout"])
            runs["index"].append(
                {
                    **index,
                    "rows": result.get("rows"),
                    "mistyped_values": result.get("mistyped_values"),
                    "indexed": result["indexed"],
                    "error": result.get("error", ""),
                }
            )
            duck = timed(
                [
                    PYTHON,
                    str(BENCH / "anchors.py"),
                    "duckdb",
                    str(duckdb_source),
                    str(work / "duckdb.parquet"),
                ],
                "duckdb COPY",
                check=duckdb_source == anchor,
            )
            if duck["exit"]:  # DuckDB refused the GitHub-shaped file: it reads the anchor from now on
                duckdb_source = anchor
                duck = timed(
                    [PYTHON, str(BENCH / "anchors.py"), "duckdb", str(anchor), str(work / "duckdb.parquet")],
                    "duckdb COPY",
                )
            runs["duckdb"].append({**duck, **last_json(duck)})
            for case in runs:
                run = runs[case][-1]
                print(f"  {case:7s} {run['seconds']:7.2f} s  peak {run['peak_rss_mib']:7.1f} MiB")
        for case in runs.values():
            for run in case:
                run.pop("stdout", None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {case: median_s(case_runs) for case, case_runs in runs.items()}
    last = runs["index"][-1]
    result = {
        "generated": shaped,
        "raw_mib": round(shaped["bytes"] / MiB, 1),
        "arrow_reads": "anchor" if arrow_source == anchor else "github-shaped",
        "arrow_note": arrow_note,
        "duckdb_reads": "anchor" if duckdb_source == anchor else "github-shaped",
        "rounds": rounds,
        "median_s": med,
        "ratio_to_arrow": round(med["index"] / med["arrow"], 2),
        "ratio_to_duckdb": round(med["index"] / med["duckdb"], 2),
        "index_rows": last["rows"],
        "index_mistyped_values": last["mistyped_values"],
        "index_peak_rss_mib_max": max(r["peak_rss_mib"] for r in runs["index"]),
        "runs": runs,
    }
    result["goals"] = [
        goal(
            f"copilot-archive index / read_json+write_table, GitHub-shaped {result['raw_mib']} MiB day "
            "(whole processes, medians)",
            result["ratio_to_arrow"],
            "ratio",
            GOAL_INDEX_RATIO,
        )
        | {"pass": result["ratio_to_arrow"] <= GOAL_INDEX_RATIO and all(r["indexed"] for r in runs["index"])}
    ]
    print(f"  {arrow_note}; DuckDB reads the {result['duckdb_reads']} file")
    print(f"  indexed rows {last['rows']}, values kept in extra (mistyped) {last['mistyped_values']}")
    return result


def github_docs() -> dict[str, Any]:
    """GitHub's public sample lines through the real indexer (`copilot-archive index`), rows counted."""
    sys.path.insert(0, str(BENCH))
    import github_shaped

    work = Path(tempfile.mkdtemp(prefix="bench-docs-"))
    try:
        written = github_shaped.write_github_docs(work)
        run = timed(
            [CLI, "index", "--archive", str(work), "--no-progress", "--json"], "index of GitHub's samples"
        )
        results = json.loads(run["stdout"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    reports = {
        r["report"]: {
            **written[r["report"]],
            "indexed": r["indexed"],
            "rows": {t: n for t, n in r.get("rows", {}).items() if n},
            "mistyped_values": r.get("mistyped_values", 0),
            "error": r.get("error", ""),
        }
        for r in results
    }
    print("\nGitHub's public sample lines (tests/fixtures/github-docs), indexed by copilot-archive index:")
    for report, row in reports.items():
        rows = ", ".join(f"{t} {n}" for t, n in row["rows"].items())
        state = "indexed" if row["indexed"] else f"NOT indexed: {row['error']}"
        print(
            f"  {row['file']:22s} as {report} {row['day']}: {state}; rows {rows}; "
            f"mistyped {row['mistyped_values']}"
        )
    return {"reports": reports, "all_indexed": all(r["indexed"] for r in reports.values())}


# ---- goals 3 and 4: the demo, a query and the report at the keyboard -----------------------


def bare_statements(archive: Path, view: str) -> list[str]:
    """What the query engine runs for `view` (its tables' and views' CREATE VIEWs, then the
    SELECT), without its own look at the files (DESCRIBE): a bare DuckDB script of the same answer."""
    from copilot_archive.querying.query import LocalQueryEngine

    statements: list[str] = []
    with LocalQueryEngine(archive) as engine:
        execute = engine._execute

        def recording(text: str, source: str) -> tuple[list[str], Any]:
            if not text.lstrip().upper().startswith("DESCRIBE"):
                statements.append(text)
            return execute(text, source)

        engine._execute = recording  # type: ignore[method-assign]
        engine.run(view)
    return statements


def keyboard(view: str = QUERY_VIEW) -> dict[str, Any]:
    print(
        "\nat the keyboard (issue 17 goals 3 and 4): copilot-archive demo, then query and report "
        "on its archive ..."
    )
    work = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    try:
        archive = work / "demo-archive"
        demo = timed(
            [CLI, "demo", "--archive", str(archive), "--no-progress"],
            "copilot-archive demo",
            check=False,
            timeout=DEMO_TIMEOUT_S,
        )
        if demo["stopped"]:  # the archive is there; its indexing is finished, untimed, for goal 3
            print(f"  demo stopped after {DEMO_TIMEOUT_S} s; copilot-archive index finishes its archive ...")
            timed([CLI, "index", "--archive", str(archive), "--no-progress"], "index of the demo archive")
        files = sum(1 for p in archive.rglob("*") if p.is_file())
        parquet = sum(1 for _ in archive.rglob("*.parquet"))
        print(
            f"  demo {demo['seconds']:.1f} s (exit {demo['exit']}): {files:,} files, "
            f"{parquet:,} Parquet files"
        )
        script = work / "statements.json"
        script.write_text(json.dumps(bare_statements(archive, view)))
        runs: dict[str, list[dict[str, Any]]] = {"query": [], "bare": [], "report": []}
        for i in range(QUERY_ROUNDS):
            query = timed([CLI, "query", view, "--archive", str(archive), "--format", "csv"], f"query {view}")
            bare = timed([PYTHON, str(BENCH / "anchors.py"), "query", str(script)], "bare DuckDB")
            runs["query"].append({**query, "rows": max(0, len(query["stdout"].strip().splitlines()) - 1)})
            runs["bare"].append({**bare, **last_json(bare)})
            rows = runs["query"][-1]["rows"]
            line = f"  query {query['seconds']:6.2f} s ({rows} rows)  bare {bare['seconds']:6.2f} s"
            if i < REPORT_ROUNDS:
                report = timed(
                    [CLI, "report", "--archive", str(archive), "--out", str(work / "r.html")], "report"
                )
                runs["report"].append(report)
                line += f"  report {report['seconds']:6.2f} s"
            print(line)
        for case in runs.values():
            for run in case:
                run.pop("stdout", None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {case: median_s(case_runs) for case, case_runs in runs.items()}
    ratio = med["query"] / med["bare"]
    same_rows = {r["rows"] for r in runs["query"]} == {r["rows"] for r in runs["bare"]}
    result = {
        "view": view,
        "demo_seconds": demo["seconds"],
        "demo_exit": demo["exit"],
        "demo_stopped_after_s": DEMO_TIMEOUT_S if demo["stopped"] else None,
        "demo_peak_rss_mib": demo["peak_rss_mib"],
        "archive_files": files,
        "parquet_files": parquet,
        "median_s": med,
        "query_ratio": round(ratio, 2),
        "same_rows": same_rows,
        "runs": runs,
    }
    result["goals"] = [
        goal(
            f"copilot-archive query {view} / bare DuckDB, demo archive (whole processes, medians)",
            ratio,
            "ratio",
            GOAL_QUERY_RATIO,
        )
        | {"pass": ratio <= GOAL_QUERY_RATIO and same_rows},
        goal("copilot-archive report, demo archive (median)", med["report"], "s", GOAL_REPORT_S),
        goal("copilot-archive demo, whole process", demo["seconds"], "s", GOAL_DEMO_S)
        | {"pass": demo["seconds"] <= GOAL_DEMO_S and demo["exit"] == 0}
        | ({"value": f"> {DEMO_TIMEOUT_S} (stopped)"} if demo["stopped"] else {}),
    ]
    return result


# ---- all of issue 17, one table ------------------------------------------------------------


def measure() -> dict[str, Any]:
    """Goals 1-4's parts, each recorded as an error (its goals MISS) if it crashes."""
    parts: dict[str, Any] = {}
    for name, part in (("index", index_vs_anchors), ("github_docs", github_docs), ("keyboard", keyboard)):
        try:
            parts[name] = part()
        except Exception as exc:  # a part that crashes is a missed goal, reported with the rest
            parts[name] = {"error": f"{type(exc).__name__}: {exc}"[-4000:]}
            print(f"  {name} FAILED: {parts[name]['error']}")
    return parts


def row(
    number: int,
    what: str,
    product: float | None,
    anchor: str,
    anchor_s: float | None,
    value: Any,
    unit: str,
    limit: str,
    passed: bool | None,
) -> dict[str, Any]:
    return {
        "goal": number,
        "what": what,
        "product_s": product,
        "anchor": anchor,
        "anchor_s": anchor_s,
        "value": value,
        "unit": unit,
        "limit": limit,
        "pass": passed,
    }


def failed(number: int, what: str, part: dict[str, Any]) -> dict[str, Any]:
    return row(number, what, None, "", None, "failed: " + part["error"][:200], "", "", False)


def table(parts: dict[str, Any], cold_start: dict[str, Any]) -> list[dict[str, Any]]:
    """Every goal of issue 17 with its anchor, from this run."""
    rows = []
    index = parts["index"]
    if "error" in index:
        rows.append(failed(1, "copilot-archive index, GitHub-shaped day", index))
    else:
        med = index["median_s"]
        (index_goal,) = index["goals"]
        rows.append(
            row(
                1,
                f"copilot-archive index, GitHub-shaped {index['raw_mib']} MiB users-1-day day",
                med["index"],
                f"read_json+write_table ({index['arrow_reads']} file)",
                med["arrow"],
                index["ratio_to_arrow"],
                "x",
                index_goal["limit"],
                index_goal["pass"],
            )
        )
        rows.append(
            row(
                1,
                "the same, against DuckDB",
                med["index"],
                f"DuckDB COPY read_json TO parquet ({index['duckdb_reads']} file)",
                med["duckdb"],
                index["ratio_to_duckdb"],
                "x",
                "reported",
                None,
            )
        )
        shaped = index["generated"]
        misfit_share = sum(shaped["misfits"].values()) / shaped["lines"]
        rows.append(
            row(
                2,
                f"GitHub-shaped day: undocumented fields on all {shaped['lines']:,} lines",
                None,
                f"misfit share; {shaped['null_elements']} null elements",
                None,
                f"{misfit_share:.2%}",
                "of lines",
                "~1%",
                0.005 <= misfit_share <= 0.02,
            )
        )
    docs = parts["github_docs"]
    if "error" in docs:
        rows.append(failed(2, "GitHub's sample lines indexed", docs))
    else:
        counted = sum(sum(r["rows"].values()) for r in docs["reports"].values())
        rows.append(
            row(
                2,
                f"GitHub's sample lines indexed ({counted} rows)",
                None,
                "",
                None,
                sum(r["indexed"] for r in docs["reports"].values()),
                f"of {len(docs['reports'])} files",
                "all",
                docs["all_indexed"],
            )
        )
    keys = parts["keyboard"]
    if "error" in keys:
        rows.append(failed(3, "query and report on the demo archive; the demo", keys))
    else:
        med = keys["median_s"]
        query_goal, report_goal, demo_goal = keys["goals"]
        rows.append(
            row(
                3,
                f"copilot-archive query {keys['view']}, demo archive",
                med["query"],
                "bare DuckDB process, same view, same files",
                med["bare"],
                keys["query_ratio"],
                "x",
                query_goal["limit"],
                query_goal["pass"],
            )
        )
        rows.append(
            row(
                3,
                "copilot-archive report, demo archive",
                med["report"],
                "",
                None,
                report_goal["value"],
                "s",
                report_goal["limit"],
                report_goal["pass"],
            )
        )
        rows.append(
            row(
                4,
                f"copilot-archive demo ({keys['parquet_files']:,} Parquet files)",
                keys["demo_seconds"],
                "",
                None,
                demo_goal["value"],
                "s",
                demo_goal["limit"],
                demo_goal["pass"],
            )
        )
    indexer_goal, med = cold_start["indexer_goal"], cold_start["median_s"]
    rows.append(
        row(
            5,
            "import of functions/indexer/app.py, fresh process",
            med["indexer"],
            "import boto3",
            med["boto3"],
            indexer_goal["value"],
            "x",
            indexer_goal["limit"],
            indexer_goal["pass"],
        )
    )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    def seconds(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else ""

    header = f"{'goal':>4} {'what':66} {'s':>7} {'anchor':48} {'s':>7} {'value':>9} {'limit':>9} verdict"
    print("\nissue 17, each goal with its anchor, measured side by side in this run\n" + header)
    print("-" * len(header))
    for r in rows:
        verdict = "report" if r["pass"] is None else ("PASS" if r["pass"] else "MISS")
        numeric = isinstance(r["value"], int | float)
        value = f"{r['value']}{r['unit'] if numeric and r['unit'] in ('x', 's') else ''}"
        print(
            f"{r['goal']:>4} {r['what'][:66]:66} {seconds(r['product_s']):>7} {r['anchor'][:48]:48} "
            f"{seconds(r['anchor_s']):>7} {value:>9} {r['limit']:>9} {verdict}"
        )
    print(
        "s: median seconds of whole processes (start to exit), product and anchor alternating; value: the\n"
        "product's median / the anchor's (x) or seconds (s). See bench/README.md, 'Issue 17'."
    )
