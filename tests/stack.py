"""template.yaml read by tests: CloudFormation short tags as plain dicts, and the stack's Glue
tables created in a (moto) catalog exactly as its nested template, glue-tables.yaml, defines them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


class CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that reads short tags (!Ref, !Sub, ...) as the long form's plain dicts."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any = None
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)
TEMPLATE: dict[str, Any] = yaml.load((ROOT / "template.yaml").read_text(), Loader=CloudFormationLoader)
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
# The nested stacks: the generated Glue tables (GlueTables) and the alarms (Alarms).
GLUE_TEMPLATE: dict[str, Any] = yaml.load(
    (ROOT / "glue-tables.yaml").read_text(), Loader=CloudFormationLoader
)
ALARMS_TEMPLATE: dict[str, Any] = yaml.load((ROOT / "alarms.yaml").read_text(), Loader=CloudFormationLoader)


def nested_parameters(location: str) -> dict[str, Any]:
    """What template.yaml passes the nested stack it deploys from `location`."""
    (nested,) = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Serverless::Application" and r["Properties"]["Location"] == location
    ]
    parameters: dict[str, Any] = nested.get("Parameters", {})
    return parameters


def _passed(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: _passed(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_passed(v, values) for v in node]
    return node


# The alarms as the stack deploys them: each parameter's !Ref replaced by what template.yaml
# passes (AlarmTopic stays {"Ref": "AlarmTopic"}, a queue name is its GetAtt, ...).
ALARMS: dict[str, dict[str, Any]] = _passed(ALARMS_TEMPLATE["Resources"], nested_parameters("alarms.yaml"))


def _resolve(node: Any, values: dict[str, str]) -> Any:
    """Fill !Sub strings from `values`; other intrinsics are not expected in a TableInput."""
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: values[m[1]], node["Fn::Sub"])
        return {k: _resolve(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values) for v in node]
    return node


def create_stack_catalog(glue: Any, database: str, bucket: str, prefix: str = "copilot-metrics") -> list[str]:
    """The Glue database and every AWS::Glue::Table of the stack, locations filled in."""
    glue.create_database(DatabaseInput={"Name": database})
    values = {"ArchiveBucket": bucket, "ArchivePrefix": prefix}
    names = []
    for resource in GLUE_TEMPLATE["Resources"].values():
        if resource["Type"] == "AWS::Glue::Table":
            table_input = _resolve(resource["Properties"]["TableInput"], values)
            glue.create_table(DatabaseName=database, TableInput=table_input)
            names.append(table_input["Name"])
    return names
