"""Erasure by crypto-shredding: the user's key is deleted, their events stay and read as erased,
nothing personal is left in the stored bytes, the read model or a rebuild; payments stay whole."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import psycopg
import pytest

from application.context import CommandContext
from application.users import EraseUser, UpdateProfile
from domain.hash_chain import chain_record, verify_chain
from domain.personal import ERASED, user_id
from domain.user import User
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from projections.registry import read_models
from tests.e2e.http.payment_steps import Steps
from tests.support import PG_URL

MEERA = Actor("meera", Role.CLIENT)
SECRETS = (b"Meera", b"9812345678", b"peanut", b"knee")
PROFILE = {"display_name": "Meera Iyer", "phone": "+91 98123 45678", "allergies": ["peanuts"],
           "injuries": ["left knee"], "goal": "fat_loss"}


def ctx(actor: Actor) -> CommandContext:
    return CommandContext(actor, datetime.now(UTC), "test")


def stored_states(system: System) -> list[bytes]:
    """Every stored event's bytes, read straight from the database."""
    if system.settings.profile == "server":
        with psycopg.connect(PG_URL) as conn:
            table = f'"{system.settings.database_schema}".{system.log.recorder.events_table_name}'
            rows = conn.execute(f"SELECT state FROM {table}")
            return [bytes(row[0]) for row in rows]
    with sqlite3.connect(system.settings.data_dir / "events.sqlite3") as conn:
        table = system.log.recorder.events_table_name
        return [bytes(row[0]) for row in conn.execute(f"SELECT state FROM {table}")]


def key_rows(system: System) -> int:
    subject = user_id(MEERA.uid)
    if system.settings.profile == "server":
        with psycopg.connect(PG_URL) as conn:
            query = f'SELECT count(*) FROM "{system.settings.database_schema}".user_keys WHERE subject = %s'
            row = conn.execute(query, (subject,)).fetchone()
            return int(row[0]) if row else 0
    with sqlite3.connect(system.settings.data_dir / "events.sqlite3") as conn:
        found = conn.execute("SELECT count(*) FROM user_keys WHERE subject = ?", (subject.hex,))
        return int(found.fetchone()[0])


def users_row(system: System) -> dict:
    with system.projections.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM users WHERE uid = 'meera'").mappings().first()
    assert row is not None
    return dict(row)


def profile_events(system: System) -> list:
    return [e for e in system.log.events.get(user_id(MEERA.uid)) if isinstance(e, User.ProfileUpdated)]


@pytest.fixture
def meera(system: System) -> System:
    system.users.update_profile(ctx(MEERA), UpdateProfile(PROFILE))
    system.users.update_profile(ctx(MEERA), UpdateProfile({"weight_kg": 61, "birth_year": 1990}))
    return system


def test_personal_data_is_stored_sealed_and_read_back_with_its_key(meera: System) -> None:
    states = b"\n".join(stored_states(meera))
    assert b"_sealed_" in states and not any(secret in states for secret in SECRETS)
    assert profile_events(meera)[0].changes["display_name"] == "Meera Iyer"
    assert key_rows(meera) == 1
    meera.projections.catch_up_all()
    assert users_row(meera)["phone"] == "+919812345678"


def test_erasure_deletes_the_key_purges_the_row_and_a_rebuild_reveals_nothing(meera: System) -> None:
    steps = Steps(meera)
    paid = steps.captured("meera", 49_900)
    meera.projections.catch_up_all()
    meera.users.erase(ctx(MEERA), EraseUser("meera"))
    assert key_rows(meera) == 0
    assert [e.changes for e in profile_events(meera)] == [ERASED, ERASED]
    meera.log.cache.size = 0
    meera.log.cache._kept.clear()
    assert meera.aggregates.load(User, user_id("meera")).profile == {}
    meera.projections.catch_up_all()
    row = users_row(meera)
    assert row["erased"] and all(row[f] is None for f in ("display_name", "phone", "allergies", "weight_kg"))
    for model in read_models():
        meera.projections.rebuild(model.name)
    rebuilt = users_row(meera)
    assert rebuilt["erased"] and rebuilt["display_name"] is None and rebuilt["injuries"] is None
    payment_events = list(meera.log.events.get(paid.id))
    assert verify_chain([chain_record(e) for e in payment_events])
    assert payment_events[0].amount.paise == 49_900
    states = b"\n".join(stored_states(meera))
    assert not any(secret in states for secret in SECRETS)


def test_an_erased_user_never_gets_a_key_again(meera: System) -> None:
    meera.users.erase(ctx(MEERA), EraseUser("meera"))
    assert meera.log.keys.cipher(user_id("meera"), create=True) is None
    assert key_rows(meera) == 0


def test_an_erasure_in_one_process_is_seen_by_every_other_at_once(server_system: System) -> None:
    from infrastructure.bootstrap import bootstrap

    server_system.users.update_profile(ctx(MEERA), UpdateProfile(PROFILE))
    other = bootstrap(server_system.settings)
    try:
        assert profile_events(other)[0].changes["phone"] == "+919812345678"  # its cache holds the key
        server_system.users.erase(ctx(MEERA), EraseUser("meera"))
        assert profile_events(other)[0].changes == ERASED
    finally:
        other.close()
