"""How inbox commands find the caller's notifications: in the notifications read model."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from application.inboxes import Lookup
from projections.notifications import seqs_of


def notification_lookup(engine: Engine) -> Lookup:
    def lookup(uid: str, ids: Sequence[str]) -> dict[str, int]:
        with engine.connect() as conn:
            return seqs_of(conn, uid, list(ids))

    return lookup
