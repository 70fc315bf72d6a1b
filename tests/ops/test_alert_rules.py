"""The alert rules fire when they should: every rule in ops/prometheus/rules.yml has a
`promtool test rules` case in which it fires, the unit tests pass, and the job labels the rules
filter on are the ones the scrape configuration gives the pods the manifests deploy."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "ops" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None,
                                    reason="promtool is not installed (make debian-packages)")


def alerts() -> list[dict]:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


@needs_promtool
def test_the_rules_are_valid_and_their_unit_tests_pass():
    for args in (["check", "rules", "rules.yml"], ["test", "rules", "rules_test.yml"]):
        done = subprocess.run([str(PROMTOOL), *args], cwd=PROMETHEUS, capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_unit_test_in_which_it_fires():
    tests = yaml.safe_load((PROMETHEUS / "rules_test.yml").read_text())["tests"]
    firing = {case["alertname"] for test in tests for case in test.get("alert_rule_test", [])
              if case.get("exp_alerts")}
    assert {rule["alert"] for rule in alerts()} <= firing


def test_the_seed_alerts_are_there():
    names = {rule["alert"] for rule in alerts()}
    assert {"GymGeniusApiDown", "GymGeniusApiAbsent", "GymGeniusErrorRate", "GymGeniusDbPoolExhausted",
            "GymGeniusPaymentFailures", "GymGeniusProjectionLagging", "GymGeniusDeadLetters"} <= names


def scraped_jobs() -> set[str]:
    """The job labels prometheus.yml gives: "gymgenius-" + each deployed pod's component label."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    relabel = next(r for job in config["scrape_configs"] for r in job["relabel_configs"]
                   if r.get("target_label") == "job")
    assert relabel["source_labels"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_component"]
    components = set()
    for path in (ROOT / "ops" / "k8s").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Deployment":
                meta = doc["spec"]["template"]["metadata"]
                if meta.get("annotations", {}).get("prometheus.io/scrape") == "true":
                    components.add(meta["labels"]["app.kubernetes.io/component"])
    return {relabel["replacement"].replace("$1", c) for c in components}


def test_the_alerts_filter_on_job_labels_that_scraping_produces():
    jobs = scraped_jobs()
    assert {"gymgenius-command-api", "gymgenius-query-api", "gymgenius-worker"} <= jobs
    for rule in alerts():
        for matcher in re.findall(r'job(=~?)"([^"]+)"', rule["expr"]):
            op, value = matcher
            matched = {job for job in jobs if re.fullmatch(value, job)} if op == "=~" else {value} & jobs
            assert matched, f"{rule['alert']}: no scraped job matches job{op}{value!r}"


@needs_promtool
def test_the_scrape_configuration_is_valid(tmp_path):
    # Debian's promtool is built without Kubernetes discovery: check the rest with static targets.
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        job.pop("kubernetes_sd_configs")
        job["static_configs"] = [{"targets": ["127.0.0.1:8000"]}]
    shutil.copy(PROMETHEUS / "rules.yml", tmp_path / "rules.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    done = subprocess.run([str(PROMTOOL), "check", "config", "prometheus.yml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
