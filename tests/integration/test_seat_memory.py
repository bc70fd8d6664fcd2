"""Archiving a roster of 200,000 seats keeps the archiver's memory flat: pages are written as they
arrive, one in memory at a time. The simulator and the CLI run in processes of their own, so the
CLI's peak RSS is the archiver's alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.loopback, pytest.mark.longest]


def archive_seats(tmp_path: Path, holders: int) -> tuple[int, int]:
    """(total_seats archived, peak RSS of the archiving process in MiB)."""
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "copilot_simulator",
            "--enterprises",
            "big",
            "--users",
            "1",
            "--seat-holders",
            str(holders),
            "--today",
            "2026-06-01",
            "--token",
            "t",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert simulator.stdout is not None
        api_url = json.loads(simulator.stdout.readline())["api_url"]
        archive = tmp_path / f"archive-{holders}"
        env = {
            **os.environ,
            "ENTERPRISES": "big",
            "GITHUB_API_URL": api_url,
            "GITHUB_TOKEN": "t",
            "DOWNLOAD_HOSTS": "127.0.0.1",
        }
        probe = (
            "import resource, sys\n"
            "from copilot_archive.core import clock\n"
            "from datetime import date\n"
            "clock.utc_today = lambda: date(2026, 6, 1)\n"
            "from copilot_archive.cli import main\n"
            "code = main(sys.argv[1:])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "sys.exit(code)\n"
        )
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                probe,
                "archive",
                "--archive",
                str(archive),
                "--reports",
                "copilot-seats",
                "--no-progress",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        peak_mib = int(done.stdout.strip().splitlines()[-1]) // 1024
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
    folder = archive / "copilot-metrics/raw/enterprise/copilot-seats/enterprise=big/day=2026-06-01"
    first = json.loads((folder / "part-0000.json").read_bytes())
    return first["total_seats"], peak_mib


def test_archiving_200000_seats_keeps_memory_flat(tmp_path):
    small_seats, small_peak = archive_seats(tmp_path, 24_000)
    large_seats, large_peak = archive_seats(tmp_path, 480_000)

    assert large_seats >= 200_000 and small_seats <= 20_000
    # Twenty times the seats: the same peak, give or take the allocator.
    print(f"peak RSS: {small_seats} seats {small_peak} MiB, {large_seats} seats {large_peak} MiB")
    assert large_peak < small_peak + 40, (small_peak, large_peak)
