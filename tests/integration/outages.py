"""Short, real outages of the services this machine runs: always brought back, even on failure.

The commands default to how this machine (and CI) runs PostgreSQL 15 and Redis 7; where they run
otherwise (containers), set GYMGENIUS_TEST_REDIS_STOP, GYMGENIUS_TEST_REDIS_START,
GYMGENIUS_TEST_PG_RESTART and GYMGENIUS_TEST_PG_START.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import redis

from tests.support import PG_URL, REDIS_URL, wait_until

REDIS_STOP = os.environ.get("GYMGENIUS_TEST_REDIS_STOP", "redis-cli -p 6379 shutdown nosave")
REDIS_START = os.environ.get(
    "GYMGENIUS_TEST_REDIS_START",
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log",
)
PG_CLUSTER = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main"
PG_RESTART = os.environ.get("GYMGENIUS_TEST_PG_RESTART", f"{PG_CLUSTER} restart")
PG_START = os.environ.get("GYMGENIUS_TEST_PG_START", f"{PG_CLUSTER} start")


def _shell(command: str, timeout: float = 60) -> None:
    subprocess.run(command, shell=True, timeout=timeout, check=False, capture_output=True)


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def postgres_answers() -> bool:
    url = urlsplit(PG_URL)
    command = ["pg_isready", "-q", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    return subprocess.run(command, timeout=10, check=False).returncode == 0


def postgres_started_at() -> object:
    with psycopg.connect(PG_URL, connect_timeout=5) as conn:
        row = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
    return row[0] if row else None


def ensure_redis() -> None:
    if not redis_answers():
        _shell(REDIS_START)
    wait_until(redis_answers, 30, "Redis to answer again")


def ensure_postgres() -> None:
    if not postgres_answers():
        _shell(PG_START)
    wait_until(postgres_answers, 60, "PostgreSQL to answer again (pg_isready)")


@contextmanager
def redis_down() -> Iterator[None]:
    """Redis shut down without saving for the body of the block, then started afresh."""
    try:
        _shell(REDIS_STOP, timeout=15)
        wait_until(lambda: not redis_answers(), 15, "Redis to go away")
        yield
    finally:
        ensure_redis()


def restart_postgres() -> None:
    """PostgreSQL restarted (a fast shutdown cuts every session); returns once it answers again."""
    before = postgres_started_at()
    try:
        _shell(PG_RESTART)
    finally:
        ensure_postgres()
    assert postgres_started_at() != before, "PostgreSQL did not restart"
