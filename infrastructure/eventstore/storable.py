"""What PostgreSQL can store: no NUL character in text, no lone UTF-16 surrogate, no integer
beyond a bigint. SQLite takes all three, so only this check keeps the profiles alike.

The HTTP edge refuses such input (422) before any command sees it; the event store's transcoder
refuses it again before a command's events are written, so an accepted command can never fail
to be stored, and no stored event can wedge a read model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import JSONTranscoder

from domain.errors import InvalidValue

BIGINT = range(-(2**63), 2**63)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SUSPECT = re.compile(r"[\ud800-\udfff]|\\u0000")  # in JSON text: a surrogate, or an escaped NUL
Loc = list[str | int]


def unstorable_chars(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def unstorable(value: Any, at: Loc | None = None) -> Iterator[tuple[Loc, str]]:
    """Where, in decoded JSON, a value PostgreSQL cannot store is (keys too), and why."""
    at = at or []
    if isinstance(value, str) and unstorable_chars(value):
        yield at, "text may not hold a NUL character or a lone surrogate"
    elif isinstance(value, int) and not isinstance(value, bool) and value not in BIGINT:
        yield at, "the number is out of range"
    elif isinstance(value, dict):
        for key, item in value.items():
            if unstorable_chars(key):
                shown = json.dumps(key)[1:-1]  # escaped: the answer itself must be storable text
                yield [*at, shown], "a key may not hold a NUL character or a lone surrogate"
            yield from unstorable(item, [*at, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable(item, [*at, index])


class StorableJSONTranscoder(JSONTranscoder):
    """eventsourcing's JSON transcoder, refusing (InvalidValue, a 422) what PostgreSQL cannot store."""

    def encode(self, obj: Any) -> bytes:
        text = self.encoder.encode(obj)
        if _SUSPECT.search(text):
            for loc, message in unstorable(json.loads(text)):
                raise InvalidValue(".".join(str(part) for part in loc if part != "_data_"), message)
        return text.encode("utf8")
