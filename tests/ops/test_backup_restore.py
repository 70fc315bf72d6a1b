"""Backups that restore: a point-in-time restore with pgBackRest gives back the event log exactly
as it was at that time, and the read models rebuild from it.

On a scratch PostgreSQL cluster (its own port, WAL archived to a pgBackRest repository in a
temporary directory): events written through the event store, a full backup, more events, the
target time, more events again; then a restore to the target time into a second scratch cluster.
The restored log must equal the original's first part row for row (positions, ids, versions,
topics, states) and nothing after it; the restored read models, and every read model rebuilt from
the restored log, must equal the read models the original had at that time. The backup's and
the restore's durations are printed (run with `-s`, or see the runbook) for the number of events
written.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any

import pytest

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from tests.integration.command_stream import CommandStream, write_backlog
from tests.ops.scratch_postgres import Cluster, Repository, hand_over, scratch_root
from tests.read_models import snapshot
from tests.support import REDIS_URL

# How many events the drill writes before the full backup (GYMGENIUS_RESTORE_EVENTS to measure
# larger logs; the runbook quotes the figures); 2000 more after it, up to the target, and after.
EVENTS_BEFORE_BACKUP = int(os.environ.get("GYMGENIUS_RESTORE_EVENTS", "20000"))
EVENTS_AFTER_BACKUP = 2_000
SCHEMA = "gymgenius"

pytestmark = pytest.mark.skipif(shutil.which("pgbackrest") is None,
                                reason="pgbackrest is not installed (make debian-packages)")


def scratch_system(cluster: Cluster) -> System:
    settings = Settings(**{  # type: ignore[arg-type]
        "GYMGENIUS_PROFILE": "server", "DATABASE_URL": cluster.url, "GYMGENIUS_DB_SCHEMA": SCHEMA,
        "REDIS_URL": REDIS_URL, "GYMGENIUS_DB_POOL_SIZE": 2, "GYMGENIUS_DB_MAX_OVERFLOW": 2})
    init_storage(settings)
    return bootstrap(settings)


def event_log(cluster: Cluster, table: str) -> list[tuple[Any, ...]]:
    with cluster.connect() as conn:
        return conn.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {SCHEMA}.{table} ORDER BY notification_id").fetchall()


def write(system: System, events: int, commands: int) -> int:
    """About `events` events in bulk (2000 a transaction), then `commands` commands one by one;
    the last position."""
    for _ in range(events // 2000):
        write_backlog(system, 2000)
    stream = CommandStream(system, client="drill")
    for _ in range(commands):
        stream.step()
    return stream.last_position


@pytest.mark.timeout(900)
def test_a_point_in_time_restore_gives_back_the_event_log_and_the_read_models():
    with scratch_root() as root:
        primary = Cluster(root, "primary")
        restored = Cluster(root, "restored")
        repo = Repository(root, primary)
        try:
            primary.init(wal_level="replica", archive_mode="on", archive_command=repo.archive_command)
            hand_over(root)
            primary.start()
            repo("stanza-create")
            system = scratch_system(primary)
            try:
                write(system, EVENTS_BEFORE_BACKUP, 50)
                began = time.monotonic()
                repo("backup", "--type=full")
                backup_s = time.monotonic() - began

                target_position = write(system, EVENTS_AFTER_BACKUP, 50)
                system.projections.catch_up_all()
                with primary.connect() as conn:
                    target = conn.execute("SELECT clock_timestamp()::text").fetchone()[0]  # type: ignore[index]
                expected_rows = snapshot(system.projections.engine)
                after_target = write(system, EVENTS_AFTER_BACKUP, 50)
                assert after_target > target_position
                table = system.log.recorder.events_table_name
                expected_log = [row for row in event_log(primary, table) if row[0] <= target_position]
            finally:
                system.close()
            repo("check")  # switches the WAL segment and waits until it is archived

            began = time.monotonic()
            repo("restore", f"--pg1-path={restored.data}", "--type=time", f"--target={target}",
                 "--target-action=promote")
            restored.configure(archive_mode="off")
            hand_over(root)
            restored.start()
            restored.wait_promoted()
            restore_s = time.monotonic() - began

            assert event_log(restored, table) == expected_log
            assert expected_log[-1][0] == target_position
            system = scratch_system(restored)
            try:
                # The read models restored with the log are as they were at the target...
                assert snapshot(system.projections.engine) == expected_rows
                # ...and rebuilt from the restored log alone they come out the same.
                for name in system.projections.models:
                    assert system.projections.rebuild(name) == target_position
                assert snapshot(system.projections.engine) == expected_rows
            finally:
                system.close()
            print(f"\nbackup and restore of {len(expected_log)} events "
                  f"({EVENTS_BEFORE_BACKUP + 50} in the full backup): full backup {backup_s:.1f} s, "
                  f"point-in-time restore to a running cluster {restore_s:.1f} s")
        finally:
            restored.stop()
            primary.stop()
