"""The cost page's table (docs/cost.md) is what bench/cost_model.py prints from the committed benchmark."""

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cost_model() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cost_model", ROOT / "bench" / "cost_model.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["cost_model"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def latest() -> dict:
    return json.loads((ROOT / "bench" / "results" / "latest.json").read_text())


def test_cost_page_table_is_what_the_script_prints(cost_model: ModuleType, latest: dict) -> None:
    page = (ROOT / "docs" / "cost.md").read_text()
    found = re.search(r"<!-- cost-model:start -->\n(.*?)\n<!-- cost-model:end -->", page, re.S)
    assert found, "docs/cost.md has no cost-model markers"
    template = cost_model.read_template((ROOT / "template.yaml").read_text())
    printed = cost_model.render(latest, template, cost_model.metric_names())
    assert found.group(1) == printed, "run: python bench/cost_model.py --write-docs (make bench does)"


def test_memory_and_schedule_come_from_the_template(cost_model: ModuleType) -> None:
    template = cost_model.read_template((ROOT / "template.yaml").read_text())
    assert (template.archiver_mib, template.indexer_mib, template.runs_per_day) == (1024, 2048, 4)


def test_per_user_bytes_scale_linearly_and_enterprise_bytes_do_not(
    cost_model: ModuleType, latest: dict
) -> None:
    template = cost_model.read_template((ROOT / "template.yaml").read_text())
    small, large = (cost_model.model(latest, template, ["m"], users) for users in (1_000, 10_000))
    assert large.raw_users_day == pytest.approx(10 * small.raw_users_day)
    constant = small.raw_day - small.raw_users_day  # enterprise-1-day and manifests
    assert large.raw_day - large.raw_users_day == pytest.approx(constant)
    # Total raw storage is 10x within the constant enterprise part (under 2% here).
    assert large.gb_months[0] == pytest.approx(10 * small.gb_months[0], rel=0.02)
    assert large.indexer_gb_s > small.indexer_gb_s > 0
    assert large.put_list >= small.put_list  # more multipart parts, never fewer requests
