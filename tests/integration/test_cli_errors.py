"""The CLI as a new user meets it: no silent empty answer, no good report overwritten, hints that run."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from copilot_archive import cli
from copilot_archive.cli import demo_hints, main
from copilot_archive.core import clock
from tests.conftest import CANARY_TOKEN

pytestmark = pytest.mark.loopback

REPO = Path(__file__).resolve().parents[2]
DAYS = ("2025-10-13", "2025-10-14")
REPORTS = ("users-1-day", "enterprise-1-day")
SENTINEL = b"<html><body>last week's report, which a failed run must leave alone</body></html>\n"
# Variables a fresh shell does not have, and the CLI reads.
SCOPE_VARIABLES = ("ENTERPRISES", "ORGANIZATIONS", "ARCHIVE_PREFIX", "REPORTS")


def _indexed_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    archive = tmp_path / "archive"
    argv = ["--archive", str(archive), "--no-progress"]
    assert main(["archive", *argv, "--days", ",".join(DAYS), "--reports", ",".join(REPORTS)]) == 0
    assert main(["index", *argv]) == 0
    capsys.readouterr()
    return archive


def test_a_report_with_nothing_for_what_was_asked_fails_and_leaves_the_last_report(cli_env, tmp_path, capsys):
    archive = _indexed_archive(tmp_path, capsys)
    (archive / "report.html").write_bytes(SENTINEL)
    # What the archive holds, from what was archived above: each enterprise, its days, its report-days.
    holds = [
        f"enterprise:{slug} {DAYS[0]}..{DAYS[-1]} ({len(DAYS) * len(REPORTS)} report-days)"
        for slug in ("acme", "globex")
    ]
    elsewhere = tmp_path / "elsewhere.html"
    for extra, asked in (
        (["--enterprises", "nosuch-ent"], "enterprise nosuch-ent"),
        (["--from", "2020-01-01", "--to", "2020-02-01"], "from 2020-01-01 to 2020-02-01"),
        (["--enterprises", "acme,nosuch-ent"], "enterprise nosuch-ent"),
        (["--enterprises", "globex", "--from", "2025-10-15"], "enterprise globex from 2025-10-15"),
        (["--enterprises", "nosuch-ent", "--out", str(elsewhere)], "enterprise nosuch-ent"),
    ):
        code = main(["report", "--archive", str(archive), *extra])

        captured = capsys.readouterr()
        assert code == 2, extra
        assert asked in captured.err, captured.err
        assert all(h in captured.err for h in holds), captured.err
        assert captured.out == ""
        assert (archive / "report.html").read_bytes() == SENTINEL
    assert not elsewhere.exists()
    assert sorted(p.name for p in archive.iterdir()) == ["copilot-metrics", "report.html"]


def test_a_report_of_an_archive_not_indexed_yet_says_to_index_it(cli_env, tmp_path, capsys):
    archive = tmp_path / "archive"
    argv = ["--archive", str(archive), "--days", DAYS[0], "--reports", "users-1-day", "--no-progress"]
    assert main(["archive", *argv]) == 0
    capsys.readouterr()

    code = main(["report", "--archive", str(archive)])

    assert code == 2
    err = capsys.readouterr().err
    assert "no indexed report-day" in err and "run the index command first" in err
    assert f"enterprise:acme {DAYS[0]} (1 report-day)" in err
    assert not (archive / "report.html").exists()


def test_a_report_of_what_the_archive_holds_replaces_the_last_one(cli_env, tmp_path, capsys):
    archive = _indexed_archive(tmp_path, capsys)
    (archive / "report.html").write_bytes(SENTINEL)

    code = main(["report", "--archive", str(archive), "--enterprises", "acme", "--from", DAYS[-1]])

    assert code == 0, capsys.readouterr().err
    page = (archive / "report.html").read_text()
    assert "<th scope='row'>acme</th>" in page and "<th scope='row'>globex</th>" not in page
    assert sorted(p.name for p in archive.iterdir()) == ["copilot-metrics", "report.html"]


@pytest.mark.parametrize("command", [["query", "active_users_daily"], ["report"], ["index", "--no-progress"]])
def test_a_missing_or_empty_archive_is_an_error_naming_the_path(tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv("ARCHIVE_PREFIX", raising=False)
    missing = tmp_path / "does-not-exist"
    empty = tmp_path / "empty"
    empty.mkdir()
    for archive in (missing, empty):
        code = main([*command, "--archive", str(archive)])

        captured = capsys.readouterr()
        assert code == 2
        assert f"no archive at {archive}" in captured.err
        assert captured.out == ""
    assert not missing.exists()
    assert list(empty.iterdir()) == []


def test_an_archive_under_another_prefix_is_named_when_the_prefix_is_forgotten(cli_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    argv = ["--archive", archive, "--days", DAYS[0], "--reports", "users-1-day", "--no-progress"]
    assert main(["archive", *argv, "--prefix", "team-a"]) == 0
    capsys.readouterr()

    code = main(["query", "active_users_daily", "--archive", archive])

    assert code == 2
    err = capsys.readouterr().err
    assert f"no archive at {archive}" in err and "prefix team-a" in err


@pytest.fixture
def archiving_env(monkeypatch, fixed_today):
    """A simulated GitHub with an enterprise and an organization, and a fresh shell's scope variables."""
    from copilot_archive.archiving import github, transfer
    from copilot_simulator import Simulator

    for name in (*SCOPE_VARIABLES, "GITHUB_TOKEN_SECRET", "MAX_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(github, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(transfer, "BACKOFF_SECONDS", 0.01)
    with Simulator(
        enterprises=("acme",), organizations=("octo-org",), users=3, today=fixed_today, token=CANARY_TOKEN
    ) as sim:
        monkeypatch.setenv("GITHUB_API_URL", sim.api_url)
        monkeypatch.setenv("GITHUB_TOKEN", CANARY_TOKEN)
        monkeypatch.setenv("DOWNLOAD_HOSTS", "127.0.0.1")
        yield sim


def test_commands_that_read_an_archive_take_its_scopes_when_none_is_named(archiving_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    argv = ["--archive", archive, "--reports", "users-1-day", "--no-progress"]
    named = ["--enterprises", "acme", "--organizations", "octo-org"]
    assert main(["archive", *argv, *named, "--days", DAYS[0]]) == 0
    capsys.readouterr()

    # Neither a flag nor ENTERPRISES / ORGANIZATIONS names a scope: the archive's own are meant.
    assert main(["status", "--archive", archive, "--reports", "users-1-day", "--json"]) == 0
    assert _archived(capsys) == {("acme", 1), ("octo-org", 1)}
    assert main(["archive", *argv, "--days", DAYS[1], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["archived"] == 2  # acme and octo-org, one day
    assert main(["status", "--archive", archive, "--reports", "users-1-day", "--json"]) == 0
    assert _archived(capsys) == {("acme", len(DAYS)), ("octo-org", len(DAYS))}


def _archived(capsys: pytest.CaptureFixture[str]) -> set[tuple[str, int]]:
    rows = json.loads(capsys.readouterr().out)
    return {(r.get("enterprise") or r.get("organization"), r["archived"]) for r in rows}


def test_with_no_scope_named_and_none_archived_the_error_says_both(archiving_env, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()

    code = main(["status", "--archive", str(empty)])

    assert code == 2
    err = capsys.readouterr().err
    assert "ENTERPRISES" in err and "--enterprises" in err and str(empty) in err


def _athena_names() -> tuple[list[str], list[str]]:
    """The archive's tables and views as the repository ships them: a view also has its org_ twin
    where every table it reads has one (billing usage is exported per enterprise only); a table of
    the enterprise report is `org_` without `enterprise_` at organization level (org_day_totals)."""
    tables = sorted(p.stem for p in (REPO / "athena/tables").glob("*.sql"))
    views = []
    for path in sorted((REPO / "athena/views").glob("*.sql")):
        sql = path.read_text()
        reads = [t for t in tables if re.search(rf"\b{t}\b", sql)]
        views.append(path.stem)
        if all(f"org_{t.removeprefix('enterprise_')}" in tables for t in reads):
            views.append(f"org_{path.stem}")
    return tables, sorted(views)


def test_an_unknown_table_lists_the_archives_tables_and_views(cli_env, tmp_path, capsys):
    archive = str(tmp_path / "a")
    argv = ["--archive", archive, "--days", DAYS[0], "--reports", "users-1-day", "--no-progress"]
    assert main(["archive", *argv]) == 0
    capsys.readouterr()
    tables, views = _athena_names()

    assert main(["query", "SELECT * FROM no_such_table", "--archive", archive]) == 2

    err = capsys.readouterr().err
    assert "no_such_table" in err
    assert f"tables: {', '.join(tables)}; its views: {', '.join(views)}" in err
    assert "pg_" not in err and "Did you mean" not in err
    assert main(["query", "SELECT count(*) FROM copilot_metrics.user_dayly", "--archive", archive]) == 2
    assert "did you mean user_daily" in capsys.readouterr().err


def _make_demo_command() -> str:
    """The program `make demo` runs, its $(VARIABLES) expanded from the Makefile's := lines."""
    text = (REPO / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+) :?= (.+)$", text, re.MULTILINE))
    recipe = re.search(r"^demo:.*\n\t(\S+) demo$", text, re.MULTILINE)
    assert recipe is not None, "the Makefile's demo recipe is not `<program> demo`"
    program = recipe[1]
    while match := re.search(r"\$\((\w+)\)", program):
        program = program.replace(match[0], variables[match[1]])
    return program


def test_the_demos_closing_hints_run_as_printed_on_a_fresh_clone(tmp_path, monkeypatch, capsys):
    program = _make_demo_command()
    if not (REPO / program).is_file():
        pytest.skip(f"no {program}: `make setup` makes it")
    # A fresh clone's shell: the CLI is not on PATH, no scope variable is set.
    folders = os.environ.get("PATH", "").split(os.pathsep)
    path = os.pathsep.join(d for d in folders if d and not Path(d, "copilot-archive").exists())
    monkeypatch.setenv("PATH", path)
    for name in SCOPE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "argv", [program, "demo"])
    monkeypatch.setattr(clock, "utc_today", lambda: date(2025, 10, 13))  # a 3-day window: fast
    archive = tmp_path / "demo-archive"

    assert main(["demo", "--archive", str(archive), "--users", "2", "--no-progress"]) == 0

    out = capsys.readouterr().out
    hints = [line.strip() for line in out.split("Next, from this folder", 1)[1].splitlines()[1:]]
    assert len(hints) >= 3, out
    runs = [(hint, _start(hint)) for hint in hints]
    for hint, run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, f"{hint}\n{stderr.decode()}"
        assert b"octodemo" in stdout, hint  # each answers about the demo's archive


def _start(hint: str) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(shlex.split(hint), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        pytest.fail(f"the shell finds no {shlex.split(hint)[0]!r} for the hint: {hint}")


def test_a_hint_names_the_cli_as_it_can_be_typed_here(tmp_path, monkeypatch):
    # Started by `python -m copilot_archive.cli` (argv[0] is the module's file): the hint says so.
    monkeypatch.setattr(sys, "argv", [cli.__file__, "demo"])
    hint = demo_hints("./demo-archive")[0]
    assert hint.startswith(f"{shlex.quote(sys.executable)} -m copilot_archive.cli query ")
    assert subprocess.run([*shlex.split(hint)[:3], "--help"], capture_output=True).returncode == 0

    # Started by its name, found on PATH: its name.
    script = tmp_path / "bin" / "copilot-archive"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    assert demo_hints("./demo-archive")[0].startswith("copilot-archive query ")

    # Started by a path while another copilot-archive is on PATH: that path.
    monkeypatch.setattr(sys, "argv", [".venv/bin/copilot-archive", "demo"])
    assert demo_hints("./demo-archive")[0].startswith(".venv/bin/copilot-archive query ")
