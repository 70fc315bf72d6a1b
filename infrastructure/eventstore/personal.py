"""Crypto-shredding: an event's personal fields are sealed with their subject's own key on the
way into the store, and opened on the way out; once the key is deleted they read as ERASED.

AES-256-GCM, a random 96-bit nonce per field, the subject's id and the field's name as associated
data (a sealed value moved to another user or field does not open). The domain never sees a
sealed value: this mapper is the only place that knows about keys.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from domain.personal import ERASED, personal_fields, subject_of
from infrastructure.eventstore.keys import KeyStore, MemoryKeys

SEALED = "_sealed_"
NONCE = 12


class KeyRing:
    """The subjects' keys, cached in this process while the erasure epoch stays the same.

    The epoch is read again at most every `recheck_s` seconds (0: before every use), so a key
    erased by any process is never served from this cache after that erasure returned. Within
    a `scope` (one read of a batch of events, one aggregate's load) it is read once, at the
    first use, and not at all when nothing personal is decoded.
    """

    def __init__(self, store: KeyStore, recheck_s: float = 0.0, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.recheck_s, self.size, self.clock = store, recheck_s, size, clock
        self._keys: OrderedDict[UUID, AESGCM] = OrderedDict()
        self._epoch, self._checked = -1, float("-inf")
        self._guard = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Everything decoded within reads the erasure epoch at most once."""
        outer = getattr(self._local, "checked", None)
        if outer is None:
            self._local.checked = [False]
        try:
            yield
        finally:
            if outer is None:
                self._local.checked = None

    def epoch(self, *, fresh: bool = True) -> int:
        """The erasure epoch, as fresh as a key served now would be (read once per scope);
        `fresh=False`: as last read, without reading it (never newer than a key served next)."""
        if fresh:
            self._fresh()
        return self._epoch

    def cipher(self, subject: UUID, *, create: bool) -> AESGCM | None:
        self._fresh()
        with self._guard:
            found = self._keys.get(subject)
        if found is not None:
            return found
        key = self.store.get(subject)
        if key is None and create:
            key = self.store.create(subject, AESGCM.generate_key(bit_length=256))
        return None if key is None else self._keep(subject, AESGCM(key))

    def shred(self, subject: UUID) -> None:
        self.store.delete(subject)
        with self._guard:
            self._keys.pop(subject, None)
        self._checked = float("-inf")

    def _fresh(self) -> None:
        scoped = getattr(self._local, "checked", None)
        if scoped and scoped[0]:
            return
        now = self.clock()
        if now - self._checked < self.recheck_s:
            return
        epoch = self.store.epoch()
        if scoped is not None:
            scoped[0] = True
        with self._guard:
            if epoch != self._epoch:
                self._keys.clear()
                self._epoch = epoch
            self._checked = now

    def _keep(self, subject: UUID, cipher: AESGCM) -> AESGCM:
        with self._guard:
            self._keys[subject] = cipher
            while len(self._keys) > self.size:
                self._keys.popitem(last=False)
        return cipher


class PersonalDataMapper(Mapper[UUID]):
    """eventsourcing's mapper, sealing the fields an event class lists in `personal`."""

    keys: KeyRing | None = None

    @property
    def ring(self) -> KeyRing:
        if self.keys is None:
            self.keys = KeyRing(MemoryKeys())
        return self.keys

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        fields = personal_fields(type(domain_event))
        if not fields:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        subject = subject_of(type(domain_event), state, domain_event.originator_id)
        for name in fields:
            state[name] = self._seal(subject, name, state[name])
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        fields = personal_fields(type(domain_event))
        if fields:
            state = vars(domain_event)
            subject = subject_of(type(domain_event), state, domain_event.originator_id)
            for name in fields:
                state[name] = self._open(subject, name, state[name])
        return domain_event

    def _seal(self, subject: UUID, field: str, value: Any) -> Any:
        cipher = self.ring.cipher(subject, create=True)
        if cipher is None:  # an erased subject: nothing personal is stored for them again
            return ERASED
        nonce = os.urandom(NONCE)
        sealed = cipher.encrypt(nonce, self.transcoder.encode(value), _context(subject, field))
        return {SEALED: base64.b64encode(nonce + sealed).decode("ascii")}

    def _open(self, subject: UUID, field: str, value: Any) -> Any:
        if not (isinstance(value, dict) and SEALED in value):
            return value
        cipher = self.ring.cipher(subject, create=False)
        if cipher is None:
            return ERASED
        raw = base64.b64decode(value[SEALED])
        try:
            opened = cipher.decrypt(raw[:NONCE], raw[NONCE:], _context(subject, field))
        except InvalidTag:  # altered, or moved from another subject or field: an undecodable event
            raise ValueError(f"the sealed {field} does not open with its subject's key") from None
        return self.transcoder.decode(opened)


def _context(subject: UUID, field: str) -> bytes:
    return f"{subject}:{field}".encode()
