"""Keyset pagination: newest first by an immutable sequence column, with an opaque cursor."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any, TypedDict

from sqlalchemy import Column, Select

from projections.reading import ReadConnection


class Page(TypedDict):
    items: list[dict[str, Any]]
    next_cursor: str | None


MAX_SEQ = 2**63 - 1  # a bigint column: a larger cursor could only fail in the database
_CURSOR = re.compile(r"s:([0-9]{1,19})")


class BadCursor(ValueError):
    """The cursor was not one this API handed out."""


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The sequence number a cursor carries: `s:<digits>` within PostgreSQL's bigint, or BadCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise BadCursor("the cursor is not valid") from None
    found = _CURSOR.fullmatch(raw)
    if found is None or int(found.group(1)) > MAX_SEQ:
        raise BadCursor("the cursor is not valid")
    return int(found.group(1))


async def page(
    conn: ReadConnection, query: Select[Any], seq: Column[int], limit: int, cursor: str | None,
    show: Callable[[dict[str, Any]], dict[str, Any]],
) -> Page:
    if cursor:
        query = query.where(seq < decode_cursor(cursor))
    rows = (await conn.execute(query.order_by(seq.desc()).limit(limit + 1))).mappings().all()
    items = [show(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(rows[limit - 1]["seq"]) if more else None}
