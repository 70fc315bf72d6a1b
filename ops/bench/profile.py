"""Where our command's time goes: py-spy samples the served app under the same load.

py-spy is not a dependency of GymGenius: install it into a throwaway venv and pass its path
(`python -m ops.bench --py-spy /tmp/pyspy/bin/py-spy`). Only the thread holding the GIL is
sampled (`--gil`): one uvicorn process runs Python on one core at a time, so these shares are
how that core is spent.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from ops.bench.load import Call, drive
from ops.bench.servers import Server

# (label, a substring of a frame "function (file:line)"): a sample counts for each label
# found anywhere in its stack (inclusive), so nested sections overlap.
SECTIONS: list[tuple[str, str]] = [
    ("HTTP parsing and event loop (uvicorn, asyncio)", "uvicorn/protocols"),
    ("request dependencies (FastAPI solve_dependencies)", "solve_dependencies"),
    ("  bearer token verification (JWT HS256)", "dev_tokens.py"),
    ("  command context, fingerprint, body", "deps.py"),
    ("command handler: execute()", "execute (application/aggregates.py"),
    ("  idempotency lookup", "_remembered (application/aggregates.py"),
    ("  load the aggregate (snapshot + events)", "load (application/aggregates.py"),
    ("    decode stored events (JSON, transcodings)", "to_domain_event"),
    ("    get a pooled connection", "get_connection"),
    ("  decide (domain method)", "log_set (domain/workout_session.py"),
    ("  save: Application.save()", "save (eventsourcing/application.py"),
    ("    encode events (JSON, transcodings)", "to_stored_event"),
    ("    insert (table lock, NOTIFY, executemany)", "insert_events (eventsourcing/postgres.py"),
    ("    take a snapshot (every 50 events)", "take_snapshot"),
    ("  after-commit hooks (projection nudge, Redis)", "nudge (infrastructure/nudges.py"),
    ("answer serialisation (JSONResponse)", "command_answer"),
    ("trace middleware (BaseHTTPMiddleware)", "_trace (interfaces/http/app.py"),
    ("request validation (pydantic)", "request_body_to_args"),
    ("thread-pool hand-off (anyio)", "anyio/_backends"),
    ("logging (structlog)", "structlog"),
]


def profile_under_load(
    py_spy: str, server: Server, lanes: list[list[Call]], seconds: float, keep: Path | None = None
) -> dict[str, Any]:
    """Samples the app (GIL holders only) while the same load runs; `keep` saves the stacks."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        sampler = subprocess.Popen(
            [py_spy, "record", "--pid", str(server.pid), "--duration", str(int(seconds)), "--rate", "250",
             "--format", "raw", "--nonblocking", "--gil", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        outcome = asyncio.run(drive(server.url, lanes, 0.5, seconds))
        sampler.wait(timeout=seconds + 60)
        stacks = _read(out)
        if keep is not None:
            keep.write_text(out.read_text() if out.exists() else "")
    shares = breakdown(stacks)
    leaves = top_leaves(stacks)
    return {"under_profiler": outcome.summary(), "sections": shares, "top_self": leaves,
            "text": render(shares, leaves)}


def _read(path: Path) -> Counter[str]:
    stacks: Counter[str] = Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():
                stacks[stack] += int(count)
    return stacks


def breakdown(stacks: Counter[str]) -> dict[str, float]:
    total = sum(stacks.values()) or 1
    return {label: round(100 * sum(n for s, n in stacks.items() if marker in s) / total, 1)
            for label, marker in SECTIONS}


def top_leaves(stacks: Counter[str], count: int = 15) -> list[tuple[str, float]]:
    total = sum(stacks.values()) or 1
    leaves: Counter[str] = Counter()
    for stack, n in stacks.items():
        leaves[stack.rsplit(";", 1)[-1]] += n
    return [(frame, round(100 * n / total, 1)) for frame, n in leaves.most_common(count)]


def render(shares: dict[str, float], leaves: list[tuple[str, float]]) -> str:
    lines = ["where our app's GIL time goes under load (share of samples, inclusive):"]
    lines += [f"  {share:5.1f}%  {label}" for label, share in shares.items()]
    lines.append("hottest frames (self time):")
    lines += [f"  {share:5.1f}%  {frame}" for frame, share in leaves]
    return "\n".join(lines)
