"""Value objects shared by the aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import InvalidValue


class Role(str, Enum):
    CLIENT = "client"
    TRAINER = "trainer"
    NUTRITIONIST = "nutritionist"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"
    AUDITOR = "auditor"
    SYSTEM = "system"  # the gateway's webhooks and the policies; never carried by a token

    @property
    def is_staff(self) -> bool:
        return self is not Role.CLIENT


MAX_ID = 128  # a uid or another system's id
MAX_TEXT = 200  # a title or another one-line text, unless a field says otherwise

ADMINS = frozenset({Role.ADMIN, Role.SUPERADMIN})
TOKEN_ROLES = frozenset(Role) - {Role.SYSTEM}  # the roles a person's token may carry
AUTHORS = frozenset({Role.TRAINER, Role.NUTRITIONIST, Role.ADMIN, Role.SUPERADMIN})


@dataclass(frozen=True)
class Actor:
    """Who issued a command: a Firebase (or development) uid and a role."""

    uid: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role in ADMINS


@dataclass(frozen=True)
class Money:
    """An amount of Indian rupees held as integer paise."""

    paise: int
    currency: str = "INR"

    def __post_init__(self) -> None:
        if isinstance(self.paise, bool) or not isinstance(self.paise, int) or self.paise < 0:
            raise InvalidValue("amount_paise", "must be a whole, non-negative number of paise")
        if self.currency != "INR":
            raise InvalidValue("currency", "only INR is accepted")

    def __add__(self, other: Money) -> Money:
        return Money(self.paise + other.paise, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.paise - other.paise, self.currency)


def require_text(field: str, value: str, max_length: int = MAX_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > max_length:
        raise InvalidValue(field, f"must be 1 to {max_length} characters")
    return text
