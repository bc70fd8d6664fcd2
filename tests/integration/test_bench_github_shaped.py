"""bench/'s GitHub-shaped day, its anchors and the bare DuckDB query, run as `make bench` runs them:
each script in a process of its own (bench/ figures are never asserted, only that the pieces work)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
CLI = str(Path(sys.executable).with_name("copilot-archive"))
INT64_MAX = 2**63 - 1
UNDOCUMENTED = ("totals_by_skill", "totals_by_slash_cmd")
DOCS_DAY = "2025-10-01"


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def misfit_kind(value: Any) -> str | None:
    """What kind of misfit a count holds, worked out from the value alone."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, float):
        return "fraction"
    if value > INT64_MAX:
        return "huge"
    if value < 0:
        return "negative"
    return None


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("shaped")
    archive, anchor = work / "archive", work / "anchor.json"
    done = run(
        sys.executable, str(BENCH / "github_shaped.py"), "--root", str(archive), "--mib", "3",
        "--anchor", str(anchor), "--github-docs",
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "archive": archive, "anchor_path": anchor, "raw": archive / result["raw_key"]}


def test_every_line_carries_undocumented_fields_and_about_one_in_a_hundred_a_misfit(shaped):
    lines = shaped["raw"].read_bytes().splitlines()
    kinds: dict[str, int] = {}
    nested = nulls = server_side = 0
    for line in lines:
        record = json.loads(line)
        if record["used_chat"] is None:  # a user seen only server-side: no breakdown, flags unknown
            server_side += 1
            assert not any(record[n] for n in record if n.startswith("totals_by") and n not in UNDOCUMENTED)
        assert all(record[name] for name in UNDOCUMENTED)
        documented = [v for name, v in record.items() if isinstance(v, list) and name not in UNDOCUMENTED]
        elements = [e for value in documented for e in value]
        nulls += sum(e is None for e in elements)
        assert all("surface_detail" in e for e in elements if e is not None)
        top = misfit_kind(record["loc_added_sum"])
        inner = [misfit_kind(e["loc_added_sum"]) for e in record.get("totals_by_ide", []) if e]
        found = [k for k in (top, *inner) if k]
        assert len(found) <= 1, "one misfit a line"
        for kind in found:
            kinds[kind] = kinds.get(kind, 0) + 1
        nested += bool(found) and top is None

    assert len(lines) == shaped["lines"] and sum(map(len, lines)) + len(lines) == shaped["bytes"]
    assert kinds == {k: n for k, n in shaped["misfits"].items() if n}
    assert set(kinds) == {"string", "negative", "fraction", "huge"}
    assert 0.003 <= sum(kinds.values()) / len(lines) <= 0.03
    assert nested == shaped["nested_misfits"] and 0 < nested < sum(kinds.values())
    assert nulls == shaped["null_elements"] > 0
    assert server_side == shaped["server_side_lines"] > 0
    # Languages under GitHub's other names (`py`, `ts`): the simulator's aliases, on some lines.
    from copilot_simulator.reports import LANGUAGE_ALIASES

    languages = {
        e["language"]
        for line in lines
        for e in json.loads(line).get("totals_by_language_feature", [])
        if e is not None
    }
    assert shaped["aliased_lines"] > 0 and languages & set(LANGUAGE_ALIASES.values())


def test_the_anchor_is_the_same_file_with_fitting_values_of_the_same_byte_length(shaped):
    lines = shaped["raw"].read_bytes().splitlines(keepends=True)
    anchors = shaped["anchor_path"].read_bytes().splitlines(keepends=True)
    assert [len(a) for a in anchors] == [len(line) for line in lines]
    changed = misfit_or_null = 0
    for line, anchor in zip(lines, anchors, strict=True):
        fitting, shaped_record = json.loads(anchor), json.loads(line)
        counts = [
            fitting["loc_added_sum"],
            *(e.get("loc_added_sum", 0) for e in fitting.get("totals_by_ide", [])),
        ]
        assert all(isinstance(c, int) and 0 <= c <= INT64_MAX for c in counts)
        elements = [e for v in fitting.values() if isinstance(v, list) for e in v]
        assert None not in elements and fitting.keys() == shaped_record.keys()
        changed += line != anchor
        misfit_or_null += b"[null" in line or any(
            misfit_kind(c)
            for c in (
                shaped_record["loc_added_sum"],
                *(e["loc_added_sum"] for e in shaped_record.get("totals_by_ide", []) if e),
            )
        )
    assert changed == misfit_or_null >= sum(shaped["misfits"].values())


def test_read_json_baseline_reads_the_anchor_of_a_github_shaped_day(shaped):
    case = [sys.executable, str(BENCH / "index_case.py"), "--root", str(shaped["archive"]), "--baseline"]
    refused = run(*case, check=False)
    assert refused.returncode != 0 and "changed from number to string" in refused.stderr

    done = run(*case, "--anchor", str(shaped["anchor_path"]))
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["raw_bytes"] == shaped["bytes"] and result["read"] == "anchor files"


def test_both_anchor_processes_read_every_line(shaped, tmp_path):
    for kind in ("arrow", "duckdb"):
        done = run(
            sys.executable, str(BENCH / "anchors.py"), kind, str(shaped["anchor_path"]), str(tmp_path / kind)
        )
        assert json.loads(done.stdout)["rows"] == shaped["lines"]


def test_the_indexer_curates_the_shaped_day_and_githubs_sample_lines(shaped):
    done = run(CLI, "index", "--archive", str(shaped["archive"]), "--no-progress", "--json")
    results = {(r["enterprise"], r["report"]): r for r in json.loads(done.stdout)}
    assert all(r["indexed"] for r in results.values())
    assert results["acme", "users-1-day"]["rows"]["user_daily"] == shaped["lines"]
    # GitHub's samples: one user line and one day_totals wrapper of one day, each one row.
    sample_user = json.loads((ROOT / "tests/fixtures/github-docs/users-line.json").read_text())
    assert results["github-docs", "users-1-day"]["day"] == sample_user["day"] == DOCS_DAY
    assert results["github-docs", "users-1-day"]["rows"]["user_daily"] == 1
    assert results["github-docs", "enterprise-1-day"]["rows"]["enterprise_day_totals"] == 1


def test_the_bare_duckdb_process_answers_the_view_as_the_cli_does(shaped, tmp_path):
    run(CLI, "index", "--archive", str(shaped["archive"]), "--no-progress")
    sys.path.insert(0, str(BENCH))
    try:
        import side_by_side
    finally:
        sys.path.remove(str(BENCH))
    script = tmp_path / "statements.json"
    script.write_text(json.dumps(side_by_side.bare_statements(shaped["archive"], "active_users_daily")))
    bare = run(sys.executable, str(BENCH / "anchors.py"), "query", str(script))
    cli = run(CLI, "query", "active_users_daily", "--archive", str(shaped["archive"]), "--format", "csv")
    cli_rows = cli.stdout.strip().splitlines()[1:]
    # one row per enterprise and day: acme's shaped day and GitHub's sample day
    assert json.loads(bare.stdout)["rows"] == len(cli_rows) == 2
    assert any(r.split(",")[:3] == ["acme", "2026-11-24", str(shaped["lines"])] for r in cli_rows)


def test_a_bench_script_past_its_timeout_leaves_no_process_behind(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    # A script whose own child would outlive it, as curated_bytes.py's workers did.
    script = (
        "import subprocess, sys, time; "
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid)); time.sleep(120)"
    )
    sys.path.insert(0, str(BENCH))
    try:
        import run as bench_run
    finally:
        sys.path.remove(str(BENCH))
    with pytest.raises(subprocess.TimeoutExpired):
        bench_run.run_json([sys.executable, "-c", script], 3, "a script that outlives its timeout")
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its reaper."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
