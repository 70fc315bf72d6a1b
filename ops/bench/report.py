"""Prints the comparison as a table and keeps it as JSON in ops/bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.bench import sections

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("commands_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "ok", "server_cpu_ms_per_ok")


def publish(args: argparse.Namespace, results: dict[str, Any]) -> Path:
    ours, base = results["ours"], results["baseline"]
    ratio = ours["commands_per_s"] / base["commands_per_s"] if base["commands_per_s"] else 0.0
    document = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load": {"clients": args.clients, "sessions": args.sessions, "warmup_s": args.warmup,
                 "duration_s": args.duration},
        **results,
        "ratio": round(ratio, 3),
    }
    print(table(ours, base, ratio))
    for name in ("ours", "baseline"):
        if set(results[name]["statuses"]) - {"200"}:
            print(f"warning: {name} answered {results[name]['statuses']}")
    print(sections.render(results["sections"]))
    if "profile" in ours:
        print(ours["profile"]["text"])
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{document['at'].replace(':', '')}.json"
    path.write_text(json.dumps(document, indent=2))
    print(f"written to {path}")
    return path


def table(ours: dict[str, Any], base: dict[str, Any], ratio: float) -> str:
    widths = {c: max(len(c), 8) + 2 for c in COLUMNS}
    head = f"{'':<24}" + "".join(f"{c:>{widths[c]}}" for c in COLUMNS)
    rows = [f"{label:<24}" + "".join(f"{row[c]:>{widths[c]}}" for c in COLUMNS)
            for label, row in (("GymGenius: log a set", ours), ("baseline: one INSERT", base))]
    return "\n".join([head, *rows, f"throughput ratio (ours / baseline): {ratio:.1%}"])
