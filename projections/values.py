"""How every read model writes and shows the same kinds of value: times, and the staff's rooms."""

from __future__ import annotations

from datetime import UTC, datetime

STAFF_ROOMS = ("role:admin", "role:superadmin", "role:auditor")  # the staff roles that read every row


def utc(at: datetime) -> datetime:
    """A time as stored: in UTC, whatever zone the command came in."""
    return at.astimezone(UTC)


def utc_or_none(at: datetime | None) -> datetime | None:
    return None if at is None else utc(at)


def iso(value: datetime | None) -> str | None:
    """A stored time as shown; SQLite gives it back naive, and it was stored in UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
