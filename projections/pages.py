"""Keyset pagination: newest first by an immutable sequence column, with an opaque cursor."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypedDict

from sqlalchemy import Column, Select
from sqlalchemy.ext.asyncio import AsyncConnection


class Page(TypedDict):
    items: list[dict[str, Any]]
    next_cursor: str | None


class BadCursor(ValueError):
    """The cursor was not one this API handed out."""


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, seq = raw.split(":", 1)
        if prefix != "s":
            raise ValueError(prefix)
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise BadCursor("the cursor is not valid") from None


async def page(
    conn: AsyncConnection, query: Select[Any], seq: Column[int], limit: int, cursor: str | None,
    show: Callable[[dict[str, Any]], dict[str, Any]],
) -> Page:
    if cursor:
        query = query.where(seq < decode_cursor(cursor))
    rows = (await conn.execute(query.order_by(seq.desc()).limit(limit + 1))).mappings().all()
    items = [show(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(rows[limit - 1]["seq"]) if more else None}
