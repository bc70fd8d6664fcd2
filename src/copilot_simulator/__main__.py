"""Serve the simulator until killed: python -m copilot_simulator --port 0 --enterprises acme.

Prints one JSON line {"api_url": ..., "pid": ...} once listening, so a parent process
can read where to point its client.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from datetime import date

from copilot_simulator.server import AppInstallation, Simulator


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m copilot_simulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--enterprises", type=_csv, default=["acme", "globex"])
    parser.add_argument("--organizations", type=_csv, default=[])
    parser.add_argument("--users", type=int, default=40, help="users per enterprise")
    parser.add_argument("--links", type=int, default=3, help="download links per report")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--token", default="sim-token")
    parser.add_argument("--link-ttl", type=float, default=300, help="link lifetime, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--not-ready-days", type=_csv, default=[])
    parser.add_argument("--empty-days", type=_csv, default=[])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--rate-limit", type=int, default=None, help="API calls per window (403 beyond)")
    parser.add_argument("--rate-window", type=float, default=3600.0, help="rate-limit window, seconds")
    parser.add_argument("--app-id", help="a GitHub App, installed on every enterprise and organization")
    parser.add_argument("--app-public-key", metavar="FILE.pem", help="the app's public key (PEM)")
    parser.add_argument(
        "--seat-holders", type=int, default=None, help="seat holders who never use Copilot, per scope"
    )
    parser.add_argument(
        "--installation-ttl", type=float, default=3600.0, help="installation token lifetime, s"
    )
    parser.add_argument(
        "--odd-lines",
        action="store_true",
        help="serve user lines in GitHub's odd shapes: reduced, aliased, mistyped, unknown fields",
    )
    args = parser.parse_args(argv)
    if bool(args.app_id) != bool(args.app_public_key):
        parser.error("--app-id and --app-public-key go together")
    apps, installations = {}, []
    if args.app_id:
        with open(args.app_public_key, encoding="utf-8") as key:
            apps[args.app_id] = key.read()
        scopes = [("enterprise", s) for s in args.enterprises] + [
            ("organization", s) for s in args.organizations
        ]
        installations = [
            AppInstallation(i + 1, args.app_id, level, slug) for i, (level, slug) in enumerate(scopes)
        ]

    simulator = Simulator(
        enterprises=args.enterprises,
        organizations=args.organizations,
        users=args.users,
        links_per_report=args.links,
        today=args.today,
        token=args.token,
        link_ttl_seconds=args.link_ttl,
        seed=args.seed,
        not_ready_days=args.not_ready_days,
        empty_days=args.empty_days,
        port=args.port,
        latency_seconds=args.latency,
        rate_limit=args.rate_limit,
        rate_limit_window_seconds=args.rate_window,
        apps=apps,
        installations=installations,
        installation_token_ttl_seconds=args.installation_ttl,
        seat_idle_holders=args.seat_holders,
        odd_lines=args.odd_lines,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with simulator:
        print(json.dumps({"api_url": simulator.api_url, "pid": os.getpid()}), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
