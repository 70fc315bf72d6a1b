"""Writes ops/grafana/gymgenius.json, the GymGenius Core dashboard (Grafana 10+ JSON model):
`python ops/grafana/generate.py`; tests/ops/test_dashboard.py checks the file is current, and that
every metric its queries name is one GymGenius exports (or Prometheus' own `up`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DS = {"type": "prometheus", "uid": "${datasource}"}
REAL = 'job=~"$job", route!~"/healthz|/readyz|/metrics"'  # traffic, without probes and scrapes
W = "[$__rate_interval]"


def panel(title: str, unit: str, targets: list[tuple[str, str]], *, w: int = 8, h: int = 8,
          kind: str = "timeseries", description: str = "", **options: Any) -> dict[str, Any]:
    return {
        "type": kind, "title": title, "description": description, "datasource": DS,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit, **options.pop("defaults", {})}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom",
                               "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}} if kind == "timeseries" else options,
        "targets": [{"refId": chr(65 + i), "datasource": DS, "expr": expr, "legendFormat": legend}
                    for i, (expr, legend) in enumerate(targets)],
    }


def row(title: str) -> dict[str, Any]:
    return {"type": "row", "title": title, "collapsed": False, "gridPos": {"w": 24, "h": 1}, "panels": []}


def quantile(q: float) -> tuple[str, str]:
    return (f"histogram_quantile({q}, sum by (le, route) "
            f"(rate(gymgenius_http_request_seconds_bucket{{{REAL}}}{W})))", "{{route}}")


def panels() -> list[dict[str, Any]]:
    return [
        row("Traffic (probes and scrapes left out)"),
        panel("Requests/s by route", "reqps", [
            (f"sum by (route) (rate(gymgenius_http_request_seconds_count{{{REAL}}}{W}))", "{{route}}")]),
        panel("Error rate (5xx) by route", "percentunit", [
            (f'sum by (route) (rate(gymgenius_http_request_seconds_count{{{REAL}, status=~"5.."}}{W}))'
             f" / sum by (route) (rate(gymgenius_http_request_seconds_count{{{REAL}}}{W}))", "{{route}}")],
            description="The alert fires above 5% for 5 minutes with at least 1 request/s."),
        panel("APIs up", "short", [('sum by (job) (up{job=~"$job"})', "{{job}}")]),
        panel("p50 latency by route", "s", [quantile(0.5)]),
        panel("p95 latency by route", "s", [quantile(0.95)]),
        panel("p99 latency by route", "s", [quantile(0.99)]),
        row("Database connection pools"),
        panel("Connections in use / most the pool may open", "short", [
            ('sum by (pool) (gymgenius_db_pool_in_use{job=~"$job"})', "in use {{pool}}"),
            ('sum by (pool) (gymgenius_db_pool_max{job=~"$job"})', "max {{pool}}")]),
        panel("Pool saturation (worst instance)", "percentunit", [
            ('max by (pool) (gymgenius_db_pool_in_use{job=~"$job"} / gymgenius_db_pool_max{job=~"$job"})',
             "{{pool}}")], defaults={"max": 1, "min": 0}),
        panel("Waits and timeouts", "short", [
            ('sum by (pool) (gymgenius_db_pool_waiting{job=~"$job"})', "waiting {{pool}}"),
            (f'sum by (pool) (increase(gymgenius_db_pool_timeouts_total{{job=~"$job"}}{W}))',
             "timeouts {{pool}}")]),
        row("Payments"),
        panel("Payment failures (last hour)", "short", [
            ('sum by (kind) (increase(gymgenius_payment_failures_total{job=~"$job"}[1h]))', "{{kind}}")],
            description="The alert fires above 10 failed payments an hour."),
        panel("Payments by outcome", "short", [
            ('max by (outcome) (gymgenius_payments{job=~"$job"})', "{{outcome}}")]),
        panel("Webhook deliveries/s by result", "reqps", [
            (f'sum by (result) (rate(gymgenius_webhook_deliveries_total{{job=~"$job"}}{W}))', "{{result}}")]),
        panel("Gateway p95 by operation", "s", [
            (f"histogram_quantile(0.95, sum by (le, operation) "
             f'(rate(gymgenius_gateway_call_seconds_bucket{{job=~"$job"}}{W})))', "{{operation}}")]),
        panel("Gateway retries/s", "reqps", [
            (f'sum by (operation) (rate(gymgenius_gateway_retries_total{{job=~"$job"}}{W}))',
             "{{operation}}")]),
        panel("Gateway circuit breaker (0 closed, 2 open)", "short", [
            ('max by (instance) (gymgenius_gateway_breaker_state{job=~"$job"})', "{{instance}}")]),
        row("Queues and read models"),
        panel("Projection lag (events)", "short", [
            ('max by (projection) (gymgenius_projection_lag_events{job=~"$job"})', "{{projection}}")]),
        panel("Events applied/s", "ops", [
            (f'sum by (projection) (rate(gymgenius_projection_events_total{{job=~"$job"}}{W}))',
             "{{projection}}")]),
        panel("Stalled read models and open dead letters", "short", [
            ('max by (projection) (gymgenius_projection_stalled{job=~"$job"})', "stalled {{projection}}"),
            ('max by (projection) (gymgenius_projection_dead_letters_open{job=~"$job"})',
             "dead letters {{projection}}")]),
        panel("Nudges lost and lock contention /s", "ops", [
            (f'sum(rate(gymgenius_nudges_failed_total{{job=~"$job"}}{W}))', "nudges lost"),
            (f'sum by (projection) (rate(gymgenius_projection_lock_busy_total{{job=~"$job"}}{W}))',
             "lock busy {{projection}}")]),
        panel("Policy commands/s by result", "ops", [
            (f'sum by (policy, result) (rate(gymgenius_policy_commands_total{{job=~"$job"}}{W}))',
             "{{policy}} {{result}}")]),
        panel("Socket.IO connections and pushes/s", "short", [
            ('sum(gymgenius_realtime_connections{job=~"$job"})', "connections"),
            (f'sum by (outcome) (rate(gymgenius_realtime_pushes_total{{job=~"$job"}}{W}))',
             "pushes {{outcome}}")]),
    ]


def layout(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    x = y = height = 0
    for number, item in enumerate(items, start=1):
        item["id"] = number
        pos = item["gridPos"]
        if item["type"] == "row" or x + pos["w"] > 24:
            x, y, height = 0, y + height, 0
        pos.update(x=x, y=y)
        x, height = x + pos["w"], max(height, pos["h"])
        if item["type"] == "row":
            x, y, height = 0, y + 1, 0
    return items


def dashboard() -> dict[str, Any]:
    return {
        "uid": "gymgenius-core", "title": "GymGenius Core", "tags": ["gymgenius"], "editable": True,
        "schemaVersion": 39, "version": 1, "timezone": "utc", "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"}, "graphTooltip": 1,
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1},
            {"name": "job", "label": "Job", "type": "query", "datasource": DS,
             "query": {"query": 'label_values(up{job=~"gymgenius-.*"}, job)', "refId": "jobs"},
             "definition": 'label_values(up{job=~"gymgenius-.*"}, job)', "refresh": 2, "multi": True,
             "includeAll": True, "allValue": "gymgenius-.*", "current": {"text": "All", "value": "$__all"}},
        ]},
        "annotations": {"list": []},
        "panels": layout(panels()),
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name("gymgenius.json")
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if target.read_text() == render() else 1)
    target.write_text(render())
