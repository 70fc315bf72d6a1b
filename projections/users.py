"""Users read model: one row per user, their role and profile; an erased user's row keeps only
the uid, the role and the fact of the erasure. Rebuilt after an erasure, it holds nothing more:
the profile events no longer decode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    select,
)

from domain.personal import is_erased, user_id
from domain.profile import FIELDS
from domain.user import User
from domain.values import Actor, Role
from projections.access import related_ids
from projections.model import ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import iso, utc

LISTS = ("equipment", "allergies", "injuries")
PERSONAL = tuple(FIELDS)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("uid", String(128), nullable=False, unique=True),
    Column("role", String(20), nullable=False, index=True),
    Column("display_name", String(100), nullable=True, index=True),
    Column("phone", String(20), nullable=True),
    Column("goal", String(20), nullable=True),
    Column("level", String(20), nullable=True),
    Column("equipment", JSON(none_as_null=True), nullable=True),
    Column("diet", String(20), nullable=True),
    Column("allergies", JSON(none_as_null=True), nullable=True),
    Column("injuries", JSON(none_as_null=True), nullable=True),
    Column("height_cm", Float, nullable=True),
    Column("weight_kg", Float, nullable=True),
    Column("birth_year", Integer, nullable=True),
    Column("erased", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

NO_PROFILE: Row = {field: None for field in PERSONAL}


class UsersModel(ReadModel):
    name = "users"
    table = users
    created_by = User.Registered
    event_types = (User.Registered, User.ProfileUpdated, User.RoleChanged, User.Erased)
    push_event = "user.updated"

    def create(self, event: Any, position: int) -> Row:
        return {"id": str(event.originator_id), "seq": position, "uid": event.uid, "role": event.role,
                **NO_PROFILE, "erased": False, "created_at": utc(event.at), "updated_at": utc(event.at)}

    def change(self, row: Row, event: Any) -> Row:
        return {**_changed(row, event), "updated_at": utc(event.at)}

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['uid']}",)


def _changed(row: Row, event: Any) -> Row:
    match event:
        case User.ProfileUpdated():
            if is_erased(event.changes) or row["erased"]:
                return {}
            return {k: v for k, v in event.changes.items() if k in PERSONAL}
        case User.RoleChanged():
            return {"role": event.role}
        case User.Erased():
            return {**NO_PROFILE, "erased": True}
    raise TypeError(f"users do not fold {type(event).__name__}")


def show(row: Row) -> dict[str, Any]:
    """A user as the query API shows them (lists never null, so clients need no null checks)."""
    shown = {k: row[k] for k in ("uid", "role", *PERSONAL, "erased", "version")}
    return {**shown, **{k: row[k] or [] for k in LISTS}, "created_at": iso(row["created_at"])}


async def get_user(conn: ReadConnection, uid: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(users).where(users.c.uid == uid))).mappings().first()
    return show(dict(row)) if row else None


READ_ANY = frozenset({Role.ADMIN, Role.SUPERADMIN})


def show_recorded(user: User) -> dict[str, Any]:
    """A user as recorded but not yet in the read model (their first request), shown alike."""
    row = {**NO_PROFILE, **user.profile, "uid": user.uid, "role": user.role.value,
           "erased": user.erased, "version": user.version, "created_at": utc(user.created_at)}
    return show(row)


async def read_user(conn: ReadConnection, actor: Actor, uid: str) -> dict[str, Any] | None:
    """A user with their related staff and clients, if the actor may read them: themself, the
    staff related to them, and admins."""
    staff_ids, client_ids = await related_ids(conn, uid)
    if actor.uid != uid and actor.role not in READ_ANY and actor.uid not in staff_ids:
        return None
    found = await get_user(conn, uid)
    return None if found is None else {**found, "staff_ids": staff_ids, "client_ids": client_ids}


async def list_users(conn: ReadConnection, *, role: str | None, q: str | None, limit: int,
                     cursor: str | None) -> Page:
    """Every user, newest first; `q` finds a part of the display name (any case)."""
    query = select(users)
    if role:
        query = query.where(users.c.role == role)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(users.c.display_name.ilike(f"%{escaped}%", escape="\\"))
    return await page(conn, query, users.c.seq, limit, cursor, show)


def erased_uids(conn: Connection, events: Sequence[tuple[int, Any]],
                holders: Sequence[Column[str]]) -> set[str]:
    """The uids a batch's `User.Erased` events erase (a user's id is uuid5 of their uid): from this
    read model, else by matching the batch's senders and the distinct values of `holders`, the
    columns naming users."""
    erased = {str(e.originator_id) for _, e in events if isinstance(e, User.Erased)}
    if not erased:
        return set()
    found = dict(conn.execute(select(users.c.id, users.c.uid).where(users.c.id.in_(sorted(erased)))).all())
    if erased - set(found):
        named = {getattr(e, "sender_id", "") for _, e in events} - {""}
        for column in holders:
            named |= set(conn.execute(select(column).distinct()).scalars())
        found |= {str(user_id(uid)): uid for uid in named if str(user_id(uid)) in erased}
    return set(found.values())
