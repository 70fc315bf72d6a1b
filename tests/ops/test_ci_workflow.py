"""The CI workflow runs once per change (pushes to main, pull requests), with read-only token
permissions, cancellation of superseded runs, a timeout, caching, the services the suite needs,
coverage reported, and current action versions."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = yaml.safe_load((Path(__file__).resolve().parents[2] / ".github/workflows/ci.yml").read_text())
CURRENT = {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/setup-node": "v7",
           "astral-sh/setup-uv": "v8.1.0", "actions/upload-artifact": "v7"}


def test_one_run_per_change_with_least_privilege_and_a_deadline():
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"] == {"branches": ["main"]}
    assert "pull_request" in triggers
    assert WORKFLOW["permissions"] == {"contents": "read"}
    assert WORKFLOW["concurrency"]["cancel-in-progress"] is True
    job = WORKFLOW["jobs"]["test"]
    assert 0 < job["timeout-minutes"] <= 60
    assert {"postgres", "redis"} <= set(job["services"])


def test_current_actions_caching_and_coverage():
    steps = WORKFLOW["jobs"]["test"]["steps"]
    used = dict(step["uses"].split("@") for step in steps if "uses" in step)
    assert used == CURRENT
    withs = {step["uses"].split("@")[0]: step.get("with", {}) for step in steps if "uses" in step}
    assert withs["astral-sh/setup-uv"]["enable-cache"] is True
    assert withs["actions/setup-node"]["cache"] == "npm"
    assert "--cov" in WORKFLOW["jobs"]["test"]["env"]["PYTEST_ARGS"]
    assert any(step.get("run") == "make test" for step in steps)
