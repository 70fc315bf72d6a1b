"""A person who signs in: their profile, their role and its history, until they are erased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.personal import is_erased, user_id
from domain.profile import profile_changes
from domain.values import MAX_ID, TOKEN_ROLES, Actor, Role


@dataclass(frozen=True)
class RoleChange:
    """One entry of a user's role history: the role they were given, by whom, when."""

    role: Role
    by: str
    at: datetime


class UserErased(RuleViolation):
    """An erased user's profile is gone for good; nothing personal is recorded again."""


class User(Aggregate):
    """A uid's record: created on first sight, one per uid (its id derives from the uid)."""

    class Registered(Aggregate.Created):
        uid: str
        role: str
        at: datetime

    class ProfileUpdated(Aggregate.Event):
        personal: ClassVar[tuple[str, ...]] = ("changes",)
        changes: dict[str, Any]
        at: datetime

    class RoleChanged(Aggregate.Event):
        uid: str
        role: str
        previous: str
        by: str
        at: datetime

    class Erased(Aggregate.Event):
        by: str
        at: datetime

    @staticmethod
    def create_id(uid: str) -> UUID:
        return user_id(uid)

    @event(Registered)
    def __init__(self, uid: str, role: str, at: datetime) -> None:
        self.uid = uid
        self.role = Role(role)
        self.profile: dict[str, Any] = {}
        self.role_history = [RoleChange(Role(role), uid, at)]
        self.created_at = at
        self.erased_at: datetime | None = None

    @classmethod
    def register(cls, uid: str, role: Role, at: datetime) -> User:
        """The first sight of a uid, with the role its identity provider claims."""
        if not isinstance(uid, str) or not uid.strip() or len(uid) > MAX_ID:
            raise InvalidValue("uid", f"must be 1 to {MAX_ID} characters")
        return cls(uid=uid, role=_token_role(role).value, at=at)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def update_profile(self, changes: dict[str, Any], at: datetime) -> None:
        """Changes the given fields; those already as given change nothing."""
        if self.erased:
            raise UserErased("this user was erased; their profile cannot change")
        checked = profile_changes(changes, at)
        changed = {k: v for k, v in checked.items() if self.profile.get(k) != v}
        if changed:
            self._profile_updated(changes=changed, at=at)

    @event(ProfileUpdated)
    def _profile_updated(self, changes: dict[str, Any], at: datetime) -> None:
        if is_erased(changes):  # written before the erasure, unreadable since
            return
        self.profile = {k: v for k, v in {**self.profile, **changes}.items() if v is not None}

    def change_role(self, role: Role, by: Actor, at: datetime) -> None:
        """Gives the user another role (the same role changes nothing)."""
        role = _token_role(role)
        if role is not self.role:
            self._role_changed(uid=self.uid, role=role.value, previous=self.role.value, by=by.uid, at=at)

    @event(RoleChanged)
    def _role_changed(self, uid: str, role: str, previous: str, by: str, at: datetime) -> None:
        self.role = Role(role)
        self.role_history = [*self.role_history, RoleChange(Role(role), by, at)]

    def may_be_erased_by(self, actor: Actor) -> bool:
        return actor.uid == self.uid or actor.role is Role.SUPERADMIN

    def erase(self, by: Actor, at: datetime) -> None:
        """Forgets the user's personal data (erasing twice changes nothing)."""
        if not self.erased:
            self._erased(by=by.uid, at=at)

    @event(Erased)
    def _erased(self, by: str, at: datetime) -> None:
        self.profile = {}
        self.erased_at = at


def _token_role(role: Any) -> Role:
    try:
        found = Role(role)
    except ValueError:
        found = Role.SYSTEM
    if found not in TOKEN_ROLES:
        raise InvalidValue("role", "must be one of " + ", ".join(sorted(r.value for r in TOKEN_ROLES)))
    return found
