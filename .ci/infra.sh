#!/usr/bin/env bash
# Lint the SAM stack and build it for the Lambda target, offline: no AWS
# account, no Docker, no local python3.13 (functions and layers build with makefiles).
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
cfn-lint --non-zero-exit-code error -- template.yaml glue-tables.yaml alarms.yaml

echo "== sam validate --lint"
sam validate --lint

# checkov pins its own dependency tree: it gets a venv of its own. Every check it skips
# carries its reason in template.yaml (Metadata.checkov.skip[].comment).
CHECKOV_VERSION=3.3.30
checkov_venv="${CHECKOV_VENV:-.aws-sam/checkov-venv}"
[[ -x "$checkov_venv/bin/checkov" ]] || {
    python3 -m venv "$checkov_venv"
    "$checkov_venv/bin/pip" install --disable-pip-version-check --quiet "checkov==$CHECKOV_VERSION"
}
echo "== checkov $CHECKOV_VERSION"
"$checkov_venv/bin/checkov" --file template.yaml --file glue-tables.yaml --file alarms.yaml \
    --framework cloudformation --compact --quiet

build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT

echo "== sam build"
sam build --build-dir "$build_dir"

echo "== built artifacts"
layer="$build_dir/ArchiverLayer/python"
indexer_layer="$build_dir/IndexerLayer/python"
fail() { echo "infra: $*" >&2; exit 1; }
[[ -f "$layer/copilot_archive/__init__.py" ]] || fail "layer lacks python/copilot_archive/__init__.py"
[[ ! -e "$layer/copilot_simulator" ]] || fail "layer ships copilot_simulator (test-only)"
[[ -z "$(find "$layer/copilot_archive" -name __pycache__)" ]] || fail "layer ships __pycache__"
for module in boto3 requests urllib3 aws_lambda_powertools aws_xray_sdk; do
    [[ -d "$layer/$module" ]] || fail "layer lacks $module"
done
if [[ -d athena ]]; then
    [[ -d "$layer/copilot_archive/athena" ]] || fail "layer lacks python/copilot_archive/athena (the SQL)"
fi
[[ -f "$build_dir/ArchiverFunction/app.py" ]] || fail "function artifact lacks app.py"
[[ -f "$build_dir/ArchiveWorkerFunction/app.py" ]] || fail "queue worker artifact lacks app.py"
[[ -f "$indexer_layer/pyarrow/__init__.py" ]] || fail "IndexerLayer lacks python/pyarrow/__init__.py"
# The nested stacks, built beside the functions for sam deploy to package.
grep -q "AWS::Glue::Table" "$build_dir/GlueTables/template.yaml" 2>/dev/null \
    || fail "the build lacks the nested stack GlueTables (glue-tables.yaml)"
grep -q "AWS::CloudWatch::Alarm" "$build_dir/Alarms/template.yaml" 2>/dev/null \
    || fail "the build lacks the nested stack Alarms (alarms.yaml)"
[[ -f "$build_dir/IndexerFunction/app.py" ]] || fail "indexer function artifact lacks app.py"

# Every compiled extension and shared library (*.so, *.so.N) in a layer must be an ELF for
# aarch64 (e_machine 183), whatever its name says. Then the unzipped sizes: Lambda allows
# 250 MB (262144000 bytes) for a function and all its layers together.
"$python" - "$build_dir" <<'EOF'
import pathlib
import re
import struct
import sys

EM_AARCH64 = 183
LAMBDA_UNZIPPED_LIMIT = 262_144_000
LAYERS_OF = {
    "ArchiverFunction": ("ArchiverLayer",),
    "ArchiveWorkerFunction": ("ArchiverLayer",),
    "IndexerFunction": ("ArchiverLayer", "IndexerLayer"),
}
build = pathlib.Path(sys.argv[1])

for layer in ("ArchiverLayer", "IndexerLayer"):
    libraries = sorted(p for p in (build / layer).rglob("*") if re.search(r"\.so(\.[0-9]+)*$", p.name))
    wrong = []
    for library in libraries:
        header = library.read_bytes()[:20]
        machine = struct.unpack("<H", header[18:20])[0] if header[:4] == b"\x7fELF" else None
        if machine != EM_AARCH64:
            wrong.append(f"{library.name} (e_machine {machine})")
    if wrong:
        sys.exit(f"infra: {layer} not built for aarch64: " + ", ".join(wrong))
    print(f"{layer}: {len(libraries)} shared object(s), all aarch64")

sizes = {
    name: sum(f.stat().st_size for f in (build / name).rglob("*") if f.is_file())
    for name in ("ArchiverFunction", "ArchiveWorkerFunction", "ArchiverLayer", "IndexerFunction", "IndexerLayer")
}
for name, size in sizes.items():
    print(f"{name}: {size / 2**20:.1f} MiB unzipped")
for function, layers in LAYERS_OF.items():
    total = sizes[function] + sum(sizes[layer] for layer in layers)
    print(f"{function} with {' and '.join(layers)}: {total} of {LAMBDA_UNZIPPED_LIMIT} bytes")
    if total > LAMBDA_UNZIPPED_LIMIT:
        sys.exit(f"infra: {function} and its layers unzip to {total} bytes, over {LAMBDA_UNZIPPED_LIMIT}")
EOF

echo "infra: ok"
