"""Log redaction, checked on every line the processes write: the API under real uvicorn and a
Dramatiq worker (server profile), each a subprocess whose stdout and stderr are captured. Requests
carry bearer tokens, JWT-shaped strings, secrets, signatures, e-mail addresses and Indian phone
numbers in every common spelling (in query strings, paths, headers and nested JSON), and a worker
actor fails with a traceback holding personal data in its SQL parameters. Every line must be
JSON, and none may hold any of these."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import dramatiq
import httpx
import pytest

from infrastructure.bootstrap import init_storage
from infrastructure.nudges import build_broker
from tests.support import PG_URL, REDIS_URL, server_settings, wait_until

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "redaction_probe"  # tests/integration/redaction_probe.py, loaded in the worker only
KEY_SECRET = "rzp-live-key-secret-Zx81Qp"
WEBHOOK_SECRET = "whsec-live-Hq72mNc4"
DEV_SECRET = "dev-signing-secret-Kp29Wq7Lm0-long-enough"
BAD_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcml5YSJ9.c2lnbmF0dXJlLXZhbHVlLTE"
EMAILS = ["priya.sharma@example.in", "a@b.com"]
PHONES = ["+91 98765 43210", "09876543210", "9876543210", "+91-98765-43210", "91 9876543210"]
SIGNATURE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
RZP_SIGNATURE = "rzpsig_5b4a3c2d1e0f9a8b"
NESTED_SECRET = "nested-secret-value-Lm44xQ"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forbidden(token: str) -> list[str]:
    """Every string that must not reach a log line, in the spellings a log could show it."""
    raw = [token, BAD_JWT, KEY_SECRET, WEBHOOK_SECRET, DEV_SECRET, SIGNATURE, RZP_SIGNATURE, NESTED_SECRET,
           *EMAILS, *PHONES, "98765 43210", "98765-43210", "priya.sharma"]
    return sorted({form for value in raw for form in (value, quote(value, safe=""), quote_plus(value))})


class Process:
    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def processes(pg_schema: str, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    overrides = {"RAZORPAY_KEY_SECRET": KEY_SECRET, "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
                 "GYMGENIUS_DEV_TOKEN_SECRET": DEV_SECRET}
    settings = server_settings(pg_schema, **overrides)
    init_storage(settings)
    port = _free_port()
    env = {**os.environ, **overrides, "GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1",
           "DATABASE_URL": PG_URL, "GYMGENIUS_DB_SCHEMA": pg_schema, "REDIS_URL": REDIS_URL,
           "HOST": "127.0.0.1", "PORT": str(port), "GYMGENIUS_DB_POOL_SIZE": "3",
           "GYMGENIUS_DB_MAX_OVERFLOW": "3", "dramatiq_worker_timeout": "100", "PYTHONPATH": str(ROOT),
           "GYMGENIUS_LOG_JSON": "1"}
    api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
    api = Process([sys.executable, "-m", "interfaces.cli", "serve"], env, api_log)
    worker = Process([sys.executable, "-m", "interfaces.workers", "interfaces.workers.actors",
                      "tests.integration.redaction_probe", "--processes", "1", "--threads", "2"],
                     env, worker_log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base), timeout=60, what="the API under uvicorn")
        wait_until(lambda: "ready for action" in worker_log.read_text(errors="replace"), timeout=60,
                   what="the worker")
        yield base, api_log, worker_log
    finally:
        api.stop()
        worker.stop()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _requests(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as http:
        token = http.post("/v1/dev/tokens", json={"uid": "priya", "role": "trainer"}).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        http.get("/healthz", params={"token": token, "email": EMAILS[1], "phone": PHONES[0]})
        for phone in PHONES:
            http.get("/v1/queries/plans", params={"phone": phone, "email": EMAILS[0], "q": phone},
                     headers=bearer)
            http.get(f"/v1/queries/plans?mobile={phone}&note=call%20{quote(phone)}", headers=bearer)
        http.get(f"/v1/queries/plans?access_token={BAD_JWT}&key_secret={KEY_SECRET}&sig={SIGNATURE}")
        http.get("/v1/queries/plans", headers={"Authorization": f"Bearer {BAD_JWT}"})
        http.get(f"/v1/queries/plans/{EMAILS[0]}", headers=bearer)
        http.get(f"/v1/queries/plans/{quote(PHONES[0])}", headers=bearer)
        http.post("/v1/webhooks/razorpay", headers={"X-Razorpay-Signature": SIGNATURE}, json={
            "event": "payment.captured", "payload": {"payment": {"entity": {
                "email": EMAILS[0], "contact": PHONES[3], "razorpay_signature": RZP_SIGNATURE,
                "notes": {"config": {"key_secret": NESTED_SECRET}}}}}})
        http.post(f"/v1/commands/payments/{uuid.uuid4()}/confirm", headers=bearer, json={
            "razorpay_payment_id": "pay_1", "razorpay_order_id": "order_1",
            "razorpay_signature": RZP_SIGNATURE})
        created = http.post("/v1/commands/plans", headers=bearer, json={
            "kind": "workout", "title": f"Call Priya on {PHONES[1]} or {EMAILS[0]}",
            "content": {"days": [{"name": "Push", "exercises": [{"name": "Dips", "sets": 3, "reps": 8}]}]}})
        assert created.status_code == 201, created.text
        http.get("/v1/queries/plans", params={"min_position": created.json()["position"]}, headers=bearer)
    return token


def test_no_log_line_of_the_api_or_the_worker_holds_a_secret_or_personal_datum(processes):
    base, api_log, worker_log = processes
    token = _requests(base)
    broker = build_broker(server_settings("public"))
    broker.declare_queue(QUEUE)
    broker.enqueue(dramatiq.Message(queue_name=QUEUE, actor_name="store_contact", options={}, kwargs={},
                                    args=("Priya Sharma", EMAILS[0], PHONES[4], BAD_JWT)))
    wait_until(lambda: "no_such_contacts" in worker_log.read_text(errors="replace"), timeout=30,
               what="the worker's failure")
    broker.close()
    lines = [(name, line) for name, path in (("api", api_log), ("worker", worker_log))
             for line in path.read_text(errors="replace").splitlines() if line.strip()]
    not_json = [f"{name}: {line}" for name, line in lines if not _is_json_object(line)]
    assert not not_json, "lines that are not JSON:\n" + "\n".join(not_json[:20])
    leaks = [f"{name}: {value!r} in {line}"
             for name, line in lines for value in _forbidden(token) if value in line]
    assert not leaks, "\n".join(leaks[:20])

    records = [json.loads(line) for _, line in lines]
    access = [r for r in records if r.get("logger") == "uvicorn.access"]
    assert len(access) >= 15 and all(r.get("trace_id") and "?" not in r["path"] for r in access)
    assert any(r.get("query_names") == ["email", "phone", "token"] for r in access)
    failure = [r for r in records if "no_such_contacts" in json.dumps(r)]
    assert failure and "[email]" in json.dumps(failure) and "[phone]" in json.dumps(failure)
    if os.environ.get("GYMGENIUS_SHOW_LOGS"):
        print("\n".join(line for _, line in lines))
    print(f"{len(lines)} log lines checked ({len(access)} access lines), none leaks")


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
