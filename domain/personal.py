"""Personal data inside events: the fields an event class declares personal, and what such a
field reads as once its owner was erased (their key is gone, so the stored text is noise)."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

ERASED = "<erased>"
_USERS = uuid5(NAMESPACE_URL, "https://gymgenius.app/users")


def user_id(uid: str) -> UUID:
    """The id of a uid's User, and of their personal-data key: the same for every process."""
    return uuid5(_USERS, uid)


def personal_fields(event_type: type) -> tuple[str, ...]:
    """The event's fields that hold personal data (an event class's `personal` attribute)."""
    return tuple(getattr(event_type, "personal", ()))


def subject_of(event_type: type, state: dict[str, Any], originator_id: UUID) -> UUID:
    """Whose personal data an event holds: the uid in its `personal_subject` field, else its
    aggregate's (a User's events are about that user)."""
    field = getattr(event_type, "personal_subject", None)
    return originator_id if field is None else user_id(str(state[field]))


def is_erased(value: Any) -> bool:
    return isinstance(value, str) and value == ERASED
