"""A fake GitHub Copilot usage-metrics report API on loopback, for tests, demos and benchmarks."""

from copilot_simulator.reports import (
    DATA_START,
    ENTERPRISE_1_DAY,
    ENTERPRISE_28_DAY,
    MIN_TEAM_SEATS,
    REPORT_KINDS,
    REPOS_1_DAY,
    USER_TEAMS_1_DAY,
    USERS_1_DAY,
    USERS_28_DAY,
    enterprise_shape,
)
from copilot_simulator.server import (
    API_FAULT_KINDS,
    DOWNLOAD_FAULT_KINDS,
    FAULT_KINDS,
    AppInstallation,
    IssuedToken,
    RecordedRequest,
    Simulator,
)

__all__ = [
    "API_FAULT_KINDS",
    "DATA_START",
    "DOWNLOAD_FAULT_KINDS",
    "ENTERPRISE_1_DAY",
    "ENTERPRISE_28_DAY",
    "FAULT_KINDS",
    "MIN_TEAM_SEATS",
    "REPORT_KINDS",
    "REPOS_1_DAY",
    "USERS_1_DAY",
    "USERS_28_DAY",
    "USER_TEAMS_1_DAY",
    "AppInstallation",
    "IssuedToken",
    "RecordedRequest",
    "Simulator",
    "enterprise_shape",
]
