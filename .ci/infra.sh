#!/usr/bin/env bash
# Lint the SAM stack and build it for the Lambda target, offline: no AWS
# account, no Docker, no local python3.13 (both resources build with makefiles).
# Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export SAM_CLI_TELEMETRY=0

SAM_CLI_VERSION=1.170.0
CFN_LINT_VERSION=1.58.0

# The tools get their own venv: aws-sam-cli pins boto3, click and pydantic, and
# installed into the project's .venv it would downgrade what the tests run on.
# INFRA_PYTHON=python3 (any interpreter) installs into that one instead.
if [[ -n "${INFRA_PYTHON:-}" ]]; then
    python="$INFRA_PYTHON"
else
    tools_venv="${INFRA_VENV:-.aws-sam/tools-venv}"
    [[ -x "$tools_venv/bin/python" ]] || python3 -m venv "$tools_venv"
    python="$tools_venv/bin/python"
fi
"$python" -m pip install --disable-pip-version-check --quiet \
    "aws-sam-cli==$SAM_CLI_VERSION" "cfn-lint==$CFN_LINT_VERSION"
tools_bin="$(dirname "$("$python" -c 'import sys; print(sys.executable)')")"
# sam runs the Makefiles' `python3 -m pip` with this PATH.
export PATH="$tools_bin:$PATH"

echo "== cfn-lint $CFN_LINT_VERSION"
cfn-lint --non-zero-exit-code error -- template.yaml

echo "== sam validate --lint"
sam validate --lint

build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT

echo "== sam build"
sam build --build-dir "$build_dir"

echo "== built artifacts"
layer="$build_dir/ArchiverLayer/python"
fail() { echo "infra: $*" >&2; exit 1; }
[[ -f "$layer/copilot_archive/__init__.py" ]] || fail "layer lacks python/copilot_archive/__init__.py"
[[ ! -e "$layer/copilot_simulator" ]] || fail "layer ships copilot_simulator (test-only)"
[[ -z "$(find "$layer/copilot_archive" -name __pycache__)" ]] || fail "layer ships __pycache__"
for module in boto3 requests urllib3 aws_lambda_powertools aws_xray_sdk; do
    [[ -d "$layer/$module" ]] || fail "layer lacks $module"
done
[[ -f "$build_dir/ArchiverFunction/app.py" ]] || fail "function artifact lacks app.py"

# Every compiled extension must be an ELF for aarch64 (e_machine 183), whatever its name says.
"$python" - "$layer" <<'EOF'
import pathlib
import struct
import sys

EM_AARCH64 = 183
libraries = sorted(pathlib.Path(sys.argv[1]).rglob("*.so"))
wrong = []
for library in libraries:
    header = library.read_bytes()[:20]
    machine = struct.unpack("<H", header[18:20])[0] if header[:4] == b"\x7fELF" else None
    if machine != EM_AARCH64:
        wrong.append(f"{library.name} (e_machine {machine})")
if wrong:
    sys.exit("infra: not built for aarch64: " + ", ".join(wrong))
print(f"{len(libraries)} compiled extension(s), all aarch64")
EOF

du -sh "$build_dir/ArchiverLayer" "$build_dir/ArchiverFunction"
echo "infra: ok"
