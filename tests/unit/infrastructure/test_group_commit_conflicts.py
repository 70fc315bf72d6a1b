"""The group committer tells a conflict from an outage, also when psycopg's pipeline mode reports
the conflict as an aborted pipeline: only the conflicting command fails, the others are written."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, OperationalError
from psycopg.errors import PipelineAborted

from infrastructure.eventstore.group_commit import GroupCommitter, PendingWrite


def aborted_by_a_unique_violation() -> OperationalError:
    try:
        try:
            raise PipelineAborted("pipeline aborted")
        except PipelineAborted as cause:
            raise OperationalError("pipeline aborted") from cause
    except OperationalError as error:
        return error


class Store:
    """Refuses any write holding the command named `stale`, as the aborted pipeline reports it."""

    def __init__(self, failure: Exception) -> None:
        self.failure, self.written, self.position = failure, [], 0

    def insert(self, events, claims):  # type: ignore[no-untyped-def]
        if "stale" in events:
            raise self.failure
        self.written.append(list(events))
        self.position += len(events)
        return list(range(self.position - len(events) + 1, self.position + 1))


def test_an_aborted_pipeline_in_a_batch_fails_only_the_conflicting_command() -> None:
    store = Store(aborted_by_a_unique_violation())
    committer = GroupCommitter(store.insert)
    batch = [PendingWrite(["a"], []), PendingWrite(["stale"], []), PendingWrite(["b"], [])]
    committer._write(batch)  # one round, as the committer's thread writes it
    assert batch[0].positions.result() == [1] and batch[2].positions.result() == [2]
    assert isinstance(batch[1].positions.exception(), IntegrityError)
    assert store.written == [["a"], ["b"]]


def test_an_outage_fails_every_waiting_command_with_its_own_error() -> None:
    outage = OperationalError("server closed the connection unexpectedly")
    committer = GroupCommitter(Store(outage).insert)
    batch = [PendingWrite(["stale"], []), PendingWrite(["stale"], [])]
    committer._write(batch)
    assert all(p.positions.exception() is outage for p in batch)
