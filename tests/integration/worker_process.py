"""A projection worker as deployed: `dramatiq interfaces.workers.actors` in its own process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from infrastructure.settings import Settings
from tests.support import PG_URL

ROOT = Path(__file__).resolve().parents[2]
HOLDS_A_LOCK = (
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE a.application_name = %s AND l.locktype = 'advisory' AND l.granted"
)

# its pool's sessions carry its tag, its LISTEN session the tag and "-listen"
SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE application_name IN (%s, %s || '-listen')"


class WorkerProcess:
    """One worker process (and its children), tagged so its database sessions can be found."""

    def __init__(self, settings: Settings, log_dir: Path, threads: int = 2) -> None:
        self.tag = f"gg-worker-{uuid.uuid4().hex[:8]}"
        self.settings, self.threads = settings, threads
        self.log_path = log_dir / f"{self.tag}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        separator = "&" if "?" in self.settings.database_url else "?"
        return {
            **os.environ, "GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "0",
            "DATABASE_URL": f"{self.settings.database_url}{separator}application_name={self.tag}",
            "GYMGENIUS_DB_APPLICATION_NAME": self.tag,
            "GYMGENIUS_DB_SCHEMA": self.settings.database_schema, "REDIS_URL": self.settings.redis_url,
            "GYMGENIUS_DB_POOL_SIZE": "3", "GYMGENIUS_DB_MAX_OVERFLOW": "3",
            "dramatiq_worker_timeout": "100", "PYTHONPATH": str(ROOT),
        }

    def start(self) -> WorkerProcess:
        command = [sys.executable, "-m", "dramatiq", "interfaces.workers.actors",
                   "--processes", "1", "--threads", str(self.threads)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def holds_a_projection_lock(self) -> bool:
        """True while one of its transactions holds a projection's advisory lock: mid-batch."""
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            row = conn.execute(HOLDS_A_LOCK, (self.tag,)).fetchone()
        return bool(row and row[0])

    def sessions_gone(self) -> bool:
        """None of its database sessions is left (PostgreSQL noticed the process died)."""
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            row = conn.execute(SESSIONS, (self.tag, self.tag)).fetchone()
        return bool(row and row[0] == 0)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown hook, no rollback by the worker."""
        self._signal(signal.SIGKILL)
        self._reap(10)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if it hangs."""
        if not self.alive:
            return
        self._signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._reap(20)
        self.kill()  # whatever of the group is left

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _signal(self, number: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def _reap(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait(timeout=timeout)
