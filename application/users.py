"""Commands on users: recorded on first sight, their own profile, roles set by a superadmin,
and erasure (crypto-shredding: the user's key is deleted, so their personal data in the log
can never be read again, while every other event stays as it was)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden, NotFound
from application.ports import StaleWrite
from domain.personal import user_id
from domain.user import User
from domain.values import Role


@dataclass(frozen=True)
class UpdateProfile:
    """Change some fields of the caller's own profile (`None` clears one)."""

    changes: dict[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True)
class SetRole:
    """Give a user another role; it takes effect on their next request."""

    uid: str
    role: Role
    expected_version: int | None = None


@dataclass(frozen=True)
class EraseUser:
    """Forget a user's personal data for good."""

    uid: str


class PersonalKeys(Protocol):
    def shred(self, subject: UUID) -> None:
        """Deletes the subject's personal-data key in every process's view, for good."""


class Roles:
    """Our record of each uid's role (the RoleBook): the User, read through the committed-
    aggregates cache plus any newer events, so a change made by any process is seen at once."""

    def __init__(self, aggregates: Aggregates, clock: Callable[[], datetime]) -> None:
        self.aggregates, self.clock = aggregates, clock

    def role_of(self, uid: str, claimed: Role) -> Role:
        return self.user(uid, claimed).role

    def known_role(self, uid: str) -> Role | None:
        """The uid's role if it was ever seen, recording nothing."""
        found = self.aggregates.store.latest(user_id(uid))
        return found.role if isinstance(found, User) else None

    def user(self, uid: str, claimed: Role) -> User:
        """The uid's User, recorded with the claimed role if it was never seen (two racing first
        sights write one User: the second's write conflicts, and it reads the first's)."""
        found = self.aggregates.store.latest(user_id(uid))
        if isinstance(found, User):
            return found
        user = User.register(uid, claimed, self.clock())
        try:
            self.aggregates.store.commit(user, {"actor_id": uid, "role": claimed.value}, [])
        except StaleWrite:
            return self.aggregates.load(User, user_id(uid))
        return user


class Users:
    """Handles the user commands; a user changes their own profile, a superadmin sets roles."""

    def __init__(self, aggregates: Aggregates, roles: Roles, keys: PersonalKeys) -> None:
        self.aggregates, self.roles, self.keys = aggregates, roles, keys

    def update_profile(self, ctx: CommandContext, cmd: UpdateProfile) -> CommandResult:
        self.roles.user(ctx.actor.uid, ctx.actor.role)
        return self.aggregates.change(
            ctx, User, user_id(ctx.actor.uid), cmd.expected_version,
            lambda user: user.update_profile(cmd.changes, ctx.at),
        )

    def set_role(self, ctx: CommandContext, cmd: SetRole) -> CommandResult:
        """A uid never seen is recorded first, as a client (its first sight without a claim), so
        that staff can be given their role before they ever sign in."""
        if ctx.actor.role is not Role.SUPERADMIN:
            raise Forbidden("only a superadmin sets roles")
        self.roles.user(cmd.uid, Role.CLIENT)
        return self.aggregates.change(
            ctx, User, user_id(cmd.uid), cmd.expected_version,
            lambda user: user.change_role(cmd.role, ctx.actor, ctx.at),
        )

    def erase(self, ctx: CommandContext, cmd: EraseUser) -> CommandResult:
        """Records the erasure, then deletes the key: the read models purge the user's row when
        they meet the erasure, and a rebuild can no longer read what the events held."""
        if ctx.actor.uid == cmd.uid:
            self.roles.user(ctx.actor.uid, ctx.actor.role)
        elif ctx.actor.role is not Role.SUPERADMIN:
            raise Forbidden("only the user themself or a superadmin may erase a user")
        result = self.aggregates.change(ctx, User, self._known(cmd.uid), None,
                                        lambda user: user.erase(ctx.actor, ctx.at))
        self.keys.shred(user_id(cmd.uid))
        return result

    def _known(self, uid: str) -> UUID:
        if not isinstance(self.aggregates.store.latest(user_id(uid)), User):
            raise NotFound("User", uid)
        return user_id(uid)
