"""`python -m ops.bench.audit_speed`: the auditors' tools over >= 100,000 payment events.

Chain verification (decode every stored payment event, rebuild its canonical form, hash and
link it) against the raw speed of reading the same rows and hashing their bytes; and the NDJSON
export's throughput through the HTTP route, with the server's RSS sampled as it streams.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from domain.payment import Payment
from infrastructure.bootstrap import init_storage
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.audit_log import PAYMENT_TOPICS, open_audit
from infrastructure.eventstore.log import EventLog
from infrastructure.settings import Settings

RESULTS = Path(__file__).parent / "results"


def write_payment_history(log: EventLog, events: int, kinds: int = 1_000) -> int:
    """At least `events` payment events, written fast: `kinds` payments are made by the domain
    (initiated, ordered, captured: each chain valid), then stored again and again under new ids
    (a chain does not cover its payment's id), by COPY in PostgreSQL; how many were written."""
    made = []
    for n in range(kinds):
        at = datetime.now(UTC)
        payment = Payment.initiate(
            f"client-{n}", "subscription", str(uuid.uuid4()), 49_900, "upi", "phonepe", at
        )
        payment.record_gateway_order(f"order_b{n}", at)
        payment.capture(f"pay_b{n}", 49_900, at)
        made.append([log.mapper.to_stored_event(e) for e in payment.collect_events()])
    rows = [(uuid.uuid4(), chain) for n in range(-(-events // 3)) for chain in [made[n % kinds]]]
    stored = [StoredEvent(oid, s.originator_version, s.topic, s.state) for oid, chain in rows for s in chain]
    for start in range(0, len(stored), 20_000):
        _insert(log, stored[start : start + 20_000])
    return len(stored)


def _insert(log: EventLog, stored: list[StoredEvent]) -> None:
    recorder: Any = log.recorder
    if not hasattr(recorder, "datastore") or not hasattr(recorder.datastore, "schema"):
        recorder.insert_events(stored)
        return
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    copy_sql = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN").format(table)
    with recorder.datastore.transaction(commit=True) as cursor, cursor.copy(copy_sql) as copy:
        for s in stored:
            copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))


def raw_read_and_hash(log: EventLog, page: int = 1_000) -> tuple[int, float]:
    """Reads every payment event row in pages and hashes its stored bytes: the floor."""
    started, count, after = time.perf_counter(), 0, 0
    while rows := log.recorder.select_notifications(after + 1, page, topics=PAYMENT_TOPICS):
        for row in rows:
            hashlib.sha256(row.state).hexdigest()
        count, after = count + len(rows), rows[-1].id
    return count, time.perf_counter() - started


def verify_speed(settings: Settings, rounds: int = 3) -> dict[str, Any]:
    """Best of `rounds` alternating runs of each (the machine may be shared), in events/s."""
    audit, log = open_audit(settings)
    raw: list[float] = []
    ours: list[float] = []
    try:
        for _ in range(rounds):
            raw_events, raw_s = raw_read_and_hash(log)
            raw.append(raw_events / raw_s)
            started = time.perf_counter()
            walk = audit.verify_all()
            ours.append(walk.events / (time.perf_counter() - started))
    finally:
        log.close()
    return {"events": walk.events, "broken": len(walk.broken), "verify_events_per_s": round(max(ours)),
            "raw_events_per_s": round(max(raw)), "ratio": round(max(ours) / max(raw), 3),
            "rounds": {"verify": [round(x) for x in ours], "raw": [round(x) for x in raw]}}


@dataclass
class Streamed:
    lines: int = 0
    last_position: int = 0
    seconds: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    positions_ascending: bool = True


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stream_export(
    url: str,
    token: str,
    pid: int,
    after_position: int = 0,
    stop_after: int | None = None,
    sample_every: int = 5_000,
) -> Streamed:
    """Streams the export (optionally breaking off after `stop_after` lines), sampling the server's RSS."""
    found, started = Streamed(last_position=after_position), time.perf_counter()
    params = {"after_position": after_position}
    with httpx.stream(
        "GET",
        f"{url}/v1/audit/payments",
        params=params,
        timeout=120,
        headers={"Authorization": f"Bearer {token}"},
    ) as answer:
        answer.raise_for_status()
        for line in _lines(answer):
            position = json.loads(line)["position"]
            found.positions_ascending &= position > found.last_position
            found.lines, found.last_position = found.lines + 1, position
            if found.lines % sample_every == 0:
                found.rss_mb.append(round(rss_mb(pid), 1))
            if stop_after is not None and found.lines >= stop_after:
                break
    found.seconds = time.perf_counter() - started
    return found


def _lines(answer: httpx.Response) -> Iterator[str]:
    yield from (line for line in answer.iter_lines() if line)


def dev_token(url: str, role: str = "auditor") -> str:
    answer = httpx.post(f"{url}/v1/dev/tokens", json={"uid": "bench-auditor", "role": role}, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["token"])


def main(argv: list[str] | None = None) -> None:
    from ops.bench.servers import serve
    from tests.support import drop_schema

    p = argparse.ArgumentParser(prog="python -m ops.bench.audit_speed", description=__doc__)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    p.add_argument("--events", type=int, default=100_000)
    args = p.parse_args(argv)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    env = {
        "GYMGENIUS_PROFILE": "server",
        "GYMGENIUS_DEV_TOKENS": "1",
        "DATABASE_URL": args.database_url,
        "GYMGENIUS_DB_SCHEMA": schema,
        "REDIS_URL": args.redis_url,
    }
    settings = Settings(**env)  # type: ignore[arg-type]
    try:
        init_storage(settings)
        log = EventLog(env=event_store_env(settings))
        started = time.perf_counter()
        written = write_payment_history(log, args.events)
        log.close()
        results: dict[str, Any] = {
            "written": written,
            "write_s": round(time.perf_counter() - started, 1),
            "verify": verify_speed(settings),
        }
        with serve("interfaces.asgi:create", env) as server:
            streamed = stream_export(server.url, dev_token(server.url), server.pid)
        results["export"] = {
            "lines": streamed.lines,
            "seconds": round(streamed.seconds, 2),
            "lines_per_s": round(streamed.lines / streamed.seconds),
            "server_rss_mb": streamed.rss_mb,
        }
    finally:
        drop_schema(schema)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit_speed.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
