"""Listing the sandbox's entities as Razorpay's list endpoints do: filters, newest first, pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infrastructure.razorpay.sandbox.entities import Entity, RazorpayError


def _number(query: Mapping[str, str], name: str, default: int, most: int | None = None) -> int:
    try:
        value = int(query.get(name, default))
    except ValueError:
        raise RazorpayError(f"The {name} must be an integer.", field=name) from None
    if value < 0 or (most is not None and value > most):
        raise RazorpayError(f"The {name} must be between 0 and {most}.", field=name)
    return value


def page(entities: Iterable[Entity], query: Mapping[str, str]) -> list[Entity]:
    """`from`/`to` (unix seconds, inclusive), newest first, `count` (at most 100) after `skip`."""
    start, end = _number(query, "from", 0), _number(query, "to", 2**62)
    count, skip = _number(query, "count", 10, most=100), _number(query, "skip", 0)
    chosen = [e for e in entities if start <= e["created_at"] <= end]
    # equal timestamps keep the newest created first: the dicts hold creation order
    chosen = list(reversed(chosen))
    chosen.sort(key=lambda e: e["created_at"], reverse=True)
    return chosen[skip:skip + count]


def matching(entities: Iterable[Entity], **fields: object) -> list[Entity]:
    return [e for e in entities if all(e.get(k) == v for k, v in fields.items() if v is not None)]
