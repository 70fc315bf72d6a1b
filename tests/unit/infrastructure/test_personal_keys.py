"""The key ring: keys are cached only while no erasure happened anywhere; sealed values open only
for their own subject and field."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder

from domain.personal import ERASED
from infrastructure.eventstore.keys import MemoryKeys
from infrastructure.eventstore.personal import KeyRing, PersonalDataMapper


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_erasure_by_another_process_is_seen_at_the_next_use() -> None:
    store, subject = MemoryKeys(), uuid4()
    here, there = KeyRing(store), KeyRing(store)
    assert here.cipher(subject, create=True) is not None
    there.shred(subject)
    assert here.cipher(subject, create=False) is None
    assert here.cipher(subject, create=True) is None  # an erased subject never gets a key again


def test_a_recheck_interval_trades_strictness_for_fewer_reads() -> None:
    store, subject, clock = MemoryKeys(), uuid4(), Clock()
    lazy = KeyRing(store, recheck_s=1.0, clock=clock)
    assert lazy.cipher(subject, create=True) is not None
    KeyRing(store).shred(subject)
    assert lazy.cipher(subject, create=False) is not None  # within the interval: still cached
    clock.now = 1.0
    assert lazy.cipher(subject, create=False) is None


def test_within_a_scope_the_epoch_is_read_once() -> None:
    store, subject = MemoryKeys(), uuid4()
    reads: list[int] = []
    epoch = store.epoch
    store.epoch = lambda: reads.append(1) or epoch()  # type: ignore[method-assign]
    ring = KeyRing(store)
    with ring.scope():
        for _ in range(5):
            ring.cipher(subject, create=True)
    assert len(reads) == 1


def test_a_sealed_value_opens_only_for_its_subject_and_field() -> None:
    mapper = PersonalDataMapper.__new__(PersonalDataMapper)
    mapper.transcoder, mapper.keys = JSONTranscoder(), KeyRing(MemoryKeys())
    alice, bob = uuid4(), uuid4()
    mapper.ring.cipher(bob, create=True)
    sealed = mapper._seal(alice, "changes", {"phone": "+919876543210"})
    assert mapper._open(alice, "changes", sealed) == {"phone": "+919876543210"}
    for subject, field in ((bob, "changes"), (alice, "text")):
        with pytest.raises(ValueError, match="does not open"):
            mapper._open(subject, field, sealed)
    mapper.ring.shred(alice)
    assert mapper._open(alice, "changes", sealed) == ERASED
