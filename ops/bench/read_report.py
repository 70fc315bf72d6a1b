"""Prints the read side's figures beside their baselines and targets; keeps them as JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.bench.report import RESULTS

TARGETS = {"read_model_p99_ms": 50.0, "socket_p99_ms": 100.0, "rebuild_ratio": 0.60, "query_ratio": 0.80}


def freshness_rows(run: dict[str, Any], floor: dict[str, Any]) -> list[tuple[str, ...]]:
    model, socket = run["commit_to_read_model_ms"], run["commit_to_socket_ms"]
    notify, emit = floor["notify_to_listen_ms"], floor["emit_to_socket_ms"]
    rate = f"at {run['achieved_rate']:g}/s of {run['target_rate']:g}/s"
    return [
        (f"commit -> read model p50 / p99 ms, {rate}", f"{model['p50']} / {model['p99']}",
         f"p99 <= {TARGETS['read_model_p99_ms']:g}", f"NOTIFY->LISTEN {notify['p50']} / {notify['p99']}",
         f"p99 {model['p99'] / TARGETS['read_model_p99_ms']:.0%} of target"),
        (f"commit -> socket push p50 / p99 ms, {rate}", f"{socket['p50']} / {socket['p99']}",
         f"p99 <= {TARGETS['socket_p99_ms']:g}", f"Redis emit->client {emit['p50']} / {emit['p99']}",
         f"p99 {socket['p99'] / TARGETS['socket_p99_ms']:.0%} of target"),
    ]


def rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    query, rebuild = results["query"], results["rebuild"]
    ours, base = query["ours"], query["baseline"]
    query_ratio = ours["commands_per_s"] / base["commands_per_s"] if base["commands_per_s"] else 0.0
    fresh = [row for run in results["freshness"] for row in freshness_rows(run, results["floors"])]
    return [
        *fresh,
        (f"full rebuild, events/s ({rebuild['events']:,} events)", f"{rebuild['rebuild_events_per_s']:,}",
         f">= {TARGETS['rebuild_ratio']:.0%}", f"batched INSERT {rebuild['insert_events_per_s']:,}",
         f"{rebuild['ratio']:.0%}"),
        ("GET one session, requests/s", f"{ours['commands_per_s']:,}", f">= {TARGETS['query_ratio']:.0%}",
         f"bare SELECT {base['commands_per_s']:,}", f"{query_ratio:.0%}"),
    ]


def table(results: dict[str, Any]) -> str:
    head = ("read side", "GymGenius", "target", "baseline (same run)", "ratio")
    lines = [head, *rows(results)]
    widths = [max(len(line[i]) for line in lines) + 2 for i in range(len(head))]
    text = ["".join(f"{cell:<{w}}" for cell, w in zip(line, widths, strict=True)) for line in lines]
    for run in results["freshness"]:
        command = run["command_ms"]
        text.append(f"at {run['target_rate']:g}/s offered: commands took p50 {command['p50']} / p99 "
                    f"{command['p99']} ms from due to committed; outcomes {run['outcomes']}; "
                    f"never seen {run['missing']}")
    ours, base = results["query"]["ours"], results["query"]["baseline"]
    text.append(f"GET: p50 / p99 {ours['p50_ms']} / {ours['p99_ms']} ms against {base['p50_ms']} / "
                f"{base['p99_ms']} ms; server CPU per request {ours['server_cpu_ms_per_ok']} ms against "
                f"{base['server_cpu_ms_per_ok']} ms")
    spent = results["rebuild"]["where_the_time_goes_s"]
    text.append("rebuild, where the time goes (s): "
                + ", ".join(f"{k} {v}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])))
    return "\n".join(text)


def publish(args: argparse.Namespace, results: dict[str, Any]) -> Path:
    at = datetime.now(UTC).isoformat(timespec="seconds")
    document = {"at": at, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load": {"rates": args.rates, "fresh_duration_s": args.fresh_duration,
                         "clients": args.clients, "warmup_s": args.warmup, "duration_s": args.duration},
                "targets": TARGETS, **results}
    print(table(results))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"read-{at.replace(':', '')}.json"
    path.write_text(json.dumps(document, indent=2, default=str))
    print(f"written to {path}")
    return path
