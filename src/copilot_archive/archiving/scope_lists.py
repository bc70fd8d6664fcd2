"""The scope lists the stack keeps outside the functions' environment, which Lambda caps at
4 KB in all: each level's list in an SSM parameter (ENTERPRISES_PARAMETER,
ORGANIZATIONS_PARAMETER), and lists longer than a CloudFormation parameter holds in a JSON
file in the archive bucket (SCOPE_LIST_OBJECT). Read once per container (runtime.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..core.config import (
    ARCHIVE_BUCKET,
    ENTERPRISES_PARAMETER,
    MAX_SCOPE_LIST_BYTES,
    ORGANIZATIONS_PARAMETER,
    SCOPE_LIST_OBJECT,
    ScopeLists,
    parse_scope_list_file,
    split_scope_list,
)
from ..core.exceptions import ConfigError


def read_scope_lists(environ: Mapping[str, str], *, ssm: Any = None, s3: Any = None) -> ScopeLists:
    """Every scope the environment names by reference; none when it names none (the CLI)."""
    import boto3  # only when the environment names a list to read

    found = ScopeLists()
    for variable, level in (
        (ENTERPRISES_PARAMETER, "enterprises"),
        (ORGANIZATIONS_PARAMETER, "organizations"),
    ):
        if name := environ.get(variable, "").strip():
            ssm = ssm or boto3.client("ssm")
            slugs = split_scope_list(_parameter(ssm, name))
            found += ScopeLists(**{level: slugs})
    if key := environ.get(SCOPE_LIST_OBJECT, "").strip():
        bucket = environ.get(ARCHIVE_BUCKET, "").strip()
        if not bucket:
            raise ConfigError(f"{SCOPE_LIST_OBJECT} is set without {ARCHIVE_BUCKET}, the bucket it is in")
        s3 = s3 or boto3.client("s3")
        source = f"the scope-list file s3://{bucket}/{key}"
        found += parse_scope_list_file(_object(s3, bucket, key, source), source)
    return found


def _parameter(ssm: Any, name: str) -> str:
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"could not read the scope list in SSM parameter {name}: {exc}") from exc


def _object(s3: Any, bucket: str, key: str, source: str) -> bytes:
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        return bytes(body.read(MAX_SCOPE_LIST_BYTES + 1))  # one byte more: too long is refused
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise ConfigError(f"{source} does not exist: upload it (docs/deploying.md, Many scopes)") from exc
        raise ConfigError(f"could not read {source}: {exc}") from exc
    except BotoCoreError as exc:
        raise ConfigError(f"could not read {source}: {exc}") from exc
