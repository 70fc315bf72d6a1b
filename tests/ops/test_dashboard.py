"""The Grafana dashboard is well formed and shows only what exists: a uid, a data-source variable
every panel uses, a unit on every panel, per-route p50/p95/p99 and error rate, panels for the
database pools, payments and queues; and every metric its queries name is one GymGenius Core
exports (or Prometheus' own `up`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from prometheus_client import REGISTRY

import infrastructure.bootstrap  # noqa: F401
import interfaces.http.app
import interfaces.realtime  # noqa: F401 (every module that defines metrics, imported)

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = json.loads((ROOT / "ops" / "grafana" / "gymgenius.json").read_text())
PROMQL_WORDS = {"sum", "by", "rate", "increase", "max", "min", "avg", "histogram_quantile", "le", "route",
                "status", "job", "pool", "kind", "outcome", "result", "operation", "projection", "policy",
                "instance", "label_values", "without", "count", "and", "or", "on"}


def exported() -> set[str]:
    names = {"up"}
    for family in REGISTRY.collect():
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"],
                    "gauge": [""]}.get(family.type, [""])
        names |= {family.name + suffix for suffix in suffixes}
    return names


def panels() -> list[dict]:
    return [p for p in DASHBOARD["panels"] if p["type"] != "row"]


def exprs() -> list[str]:
    return [t["expr"] for p in panels() for t in p["targets"]]


def test_the_dashboard_is_current():
    done = subprocess.run([sys.executable, "ops/grafana/generate.py", "--check"], cwd=ROOT, timeout=60,
                          check=False)
    assert done.returncode == 0, "run `python ops/grafana/generate.py`: gymgenius.json is stale"


def test_uid_datasource_variable_and_units():
    assert DASHBOARD["uid"] == "gymgenius-core"
    variables = {v["name"]: v for v in DASHBOARD["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels():
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"]), panel["title"]
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["targets"], panel["title"]
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24


def test_every_metric_a_query_names_is_exported():
    names = exported()
    for expr in exprs():
        without_strings = re.sub(r'"[^"]*"', '""', expr)
        without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
        words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_ranges)) - PROMQL_WORDS
        metrics = {w for w in words if w.startswith("gymgenius_") or w == "up"}
        assert metrics, expr
        assert metrics <= names, f"{expr}: not exported: {metrics - names}"
        assert not (words - metrics - {"__rate_interval"}), f"{expr}: unknown words {words - metrics}"


def test_route_latency_quantiles_error_rate_pools_payments_and_queues_are_shown():
    joined = "\n".join(exprs())
    for q in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({q}, sum by (le, route)" in joined
    assert 'status=~"5.."' in joined
    for metric in ("gymgenius_db_pool_in_use", "gymgenius_db_pool_timeouts_total",
                   "gymgenius_payment_failures_total", "gymgenius_projection_lag_events",
                   "gymgenius_projection_dead_letters_open"):
        assert metric in joined
    rows = {p["title"].split(" (")[0] for p in DASHBOARD["panels"] if p["type"] == "row"}
    assert {"Traffic", "Database connection pools", "Payments", "Queues and read models"} <= rows
