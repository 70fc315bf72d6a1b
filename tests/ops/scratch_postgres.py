"""Scratch PostgreSQL clusters and a pgBackRest repository in a temporary directory, for the
backup-and-restore drill. Never the shared cluster on 5432: each scratch cluster has its own
port, data directory and socket directory, and is stopped (immediately) and deleted at the end,
whatever happened. PostgreSQL refuses to run as root, so as root every server-side command runs
as the `postgres` user (`runuser`)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

STANZA = "gymgenius"


def pg_bin() -> Path:
    """The newest installed PostgreSQL's binaries (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return Path(found[-1]).parent


def as_postgres() -> list[str]:
    """The prefix that runs a command as the database owner (nothing when we are not root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def run(*args: str | Path, timeout: float = 120) -> str:
    done = subprocess.run([*as_postgres(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One scratch PostgreSQL cluster: trust authentication on 127.0.0.1 only."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.data, self.port = root, root / name, free_port()
        self.log = root / f"{name}.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self, **conf: str) -> Cluster:
        run(pg_bin() / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions")
        self.configure(**conf)
        return self

    def configure(self, **conf: str) -> None:
        """Settings appended to postgresql.auto.conf (the last word wins)."""
        base = {"port": str(self.port), "listen_addresses": "'127.0.0.1'",
                "unix_socket_directories": f"'{self.root}'", "fsync": "off",
                "full_page_writes": "on", "max_connections": "40", "shared_buffers": "'32MB'"}
        lines = [f"{key} = {value}" for key, value in (base | conf).items()]
        auto = self.data / "postgresql.auto.conf"
        text = auto.read_text() if auto.exists() else ""
        # The data directory belongs to postgres; root may write it and then hands it back.
        auto.write_text(text + "\n".join(lines) + "\n")
        if os.geteuid() == 0:
            shutil.chown(auto, "postgres", "postgres")

    def start(self) -> Cluster:
        run(pg_bin() / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*as_postgres(), str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, timeout=60, check=False)

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True)

    def wait_promoted(self, timeout: float = 60) -> None:
        """Until recovery has reached its target and the cluster accepts writes."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.connect() as conn:
                    row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                    if row is not None and row[0] is False:
                        return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the restored cluster did not finish recovery:\n{self.log.read_text()}")
            time.sleep(0.05)


class Repository:
    """A pgBackRest repository and its configuration, with one stanza for the primary."""

    def __init__(self, root: Path, primary: Cluster) -> None:
        self.root, self.primary = root, primary
        self.conf = root / "pgbackrest.conf"
        for sub in ("repo", "log", "lock", "spool"):
            (root / sub).mkdir()
        self.conf.write_text(
            "[global]\n"
            f"repo1-path={root / 'repo'}\nrepo1-retention-full=2\n"
            f"log-path={root / 'log'}\nlock-path={root / 'lock'}\nspool-path={root / 'spool'}\n"
            "log-level-console=warn\nlog-level-file=info\nstart-fast=y\ncompress-type=lz4\n"
            "process-max=2\narchive-timeout=30\n"
            f"[{STANZA}]\npg1-path={primary.data}\npg1-port={primary.port}\npg1-socket-path={root}\n"
            "pg1-user=postgres\n"
        )

    @property
    def archive_command(self) -> str:
        return f"'pgbackrest --config={self.conf} --stanza={STANZA} archive-push %p'"

    def __call__(self, *args: str, timeout: float = 120) -> str:
        return run("pgbackrest", f"--config={self.conf}", f"--stanza={STANZA}", *args, timeout=timeout)


@contextmanager
def scratch_root() -> Iterator[Path]:
    """A temporary directory the postgres user owns; removed at the end, clusters stopped first."""
    root = Path(tempfile.mkdtemp(prefix="gymgenius-restore-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        yield root
    finally:
        for pid_file in root.glob("*/postmaster.pid"):  # any cluster still running, stopped first
            subprocess.run([*as_postgres(), str(pg_bin() / "pg_ctl"), "-D", str(pid_file.parent), "-m",
                            "immediate", "-w", "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)


def hand_over(root: Path) -> None:
    """Gives everything under root to postgres (files root wrote for it)."""
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(root)], check=True, timeout=30)
