"""Prints the money bench beside its baseline and target; keeps it as JSON in ops/bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.bench.report import RESULTS

TARGET_P99_MS = 100.0


def ratio(ours: float, base: float) -> str:
    return f"{ours / base:.0%}" if base else "-"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    ours, base = results["ours"], results["baseline"]
    table = []
    for run, label in (("first_deliveries", "first deliveries acked/s"), ("repeats", "repeats acked/s")):
        mine, theirs = ours[run], base[run]
        table.append((f"{label} ({mine['concurrency']} senders)", f"{mine['acked_per_s']:,}",
                      f"{theirs['acked_per_s']:,}", ratio(mine["acked_per_s"], theirs["acked_per_s"])))
    mine, theirs = ours["steady"], base["steady"]
    late = mine["latency_ms"]["p99"] / TARGET_P99_MS
    table.append((f"at {mine['offered_rate']:g}/s: p50 / p99 ms (achieved {mine['achieved_rate']:g}/s)",
                  f"{mine['latency_ms']['p50']} / {mine['latency_ms']['p99']}",
                  f"{theirs['latency_ms']['p50']} / {theirs['latency_ms']['p99']}",
                  f"p99 {late:.0%} of the {TARGET_P99_MS:g} ms target"))
    active, floor = ours["capture_to_active_ms"], results["notify_to_listen_ms"]
    table.append((f"capture acked -> active p50 / p99 ms ({active['count']})",
                  f"{active['p50']} / {active['p99']}",
                  f"NOTIFY->LISTEN {floor['p50']} / {floor['p99']}", f"missing {active['missing']}"))
    return table


def render(results: dict[str, Any]) -> str:
    head = ("", "GymGenius webhook", "baseline (HMAC + INSERT)", "ours / baseline")
    lines = [head, *rows(results)]
    widths = [max(len(line[n]) for line in lines) + 2 for n in range(4)]
    return "\n".join("".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines)


def publish(args: argparse.Namespace, results: dict[str, Any]) -> Path:
    document = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load": {"rate": args.money_rate, "duration_s": args.money_duration, "warmup_s": args.warmup,
                 "flood_deliveries": args.money_flood, "senders": args.clients},
        **results,
    }
    print(render(results))
    for name in ("ours", "baseline"):
        for run in ("steady", "first_deliveries", "repeats"):
            print(f"{name} {run} answers: {results[name][run]['answers']}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"money-{document['at'].replace(':', '')}.json"
    path.write_text(json.dumps(document, indent=2))
    print(f"written to {path}")
    return path
