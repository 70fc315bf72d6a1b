"""Roles: our record is the truth in every process at once, and each change is mirrored to the
identity provider once, even when the log is read again, retried while the provider is down."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from application.context import CommandContext
from application.identity import MirrorUnavailable
from application.users import SetRole
from domain.values import Actor, Role
from infrastructure.bootstrap import System, bootstrap
from infrastructure.policy_runner import tracking_name
from infrastructure.role_mirror import NAME, RoleMirrorRunner
from projections.schema import positions

ROOT = Actor("root", Role.SUPERADMIN)


class RecordingMirror:
    def __init__(self, failures: int = 0) -> None:
        self.calls: list[tuple[str, Role]] = []
        self.failures = failures

    def mirror_role(self, uid: str, role: Role) -> None:
        if self.failures:
            self.failures -= 1
            raise MirrorUnavailable("identity toolkit answered 503")
        self.calls.append((uid, role))


def set_role(system: System, uid: str, role: Role) -> None:
    system.users.set_role(CommandContext(ROOT, datetime.now(UTC), "test"), SetRole(uid, role))


def runner(system: System, mirror: RecordingMirror) -> RoleMirrorRunner:
    return RoleMirrorRunner(system.projections.engine, system.projections.source, mirror,
                            backoff_s=0.0, pause=lambda _: None)


def test_each_role_change_is_mirrored_once_even_when_read_again(system: System) -> None:
    for uid in ("tara", "neil"):
        system.roles.role_of(uid, Role.CLIENT)
    set_role(system, "tara", Role.TRAINER)
    set_role(system, "neil", Role.NUTRITIONIST)
    set_role(system, "tara", Role.ADMIN)
    mirror = RecordingMirror()
    runner(system, mirror).run()
    runner(system, mirror).run()
    with system.projections.engine.begin() as conn:  # as if the position had been lost
        conn.execute(update(positions).where(positions.c.name == tracking_name(NAME)).values(position=0))
    runner(system, mirror).run()
    assert mirror.calls == [("tara", Role.TRAINER), ("neil", Role.NUTRITIONIST), ("tara", Role.ADMIN)]


def test_a_mirror_that_is_down_is_retried_and_holds_its_place(system: System) -> None:
    system.roles.role_of("tara", Role.CLIENT)
    set_role(system, "tara", Role.TRAINER)
    down = RecordingMirror(failures=3)
    runner(system, down).run()
    assert down.calls == []
    set_role(system, "tara", Role.ADMIN)
    flaky = RecordingMirror(failures=2)
    runner(system, flaky).run()
    assert flaky.calls == [("tara", Role.TRAINER), ("tara", Role.ADMIN)]


class RefusingMirror:
    def mirror_role(self, uid: str, role: Role) -> None:
        raise LookupError(f"no user {uid} at the identity provider")


def test_a_change_the_provider_refuses_is_a_dead_letter_and_the_mirror_goes_on(system: System) -> None:
    system.roles.role_of("tara", Role.CLIENT)
    set_role(system, "tara", Role.TRAINER)
    runner(system, RefusingMirror()).run()  # type: ignore[arg-type]
    letters = system.projections.dead_letters(tracking_name(NAME))
    assert len(letters) == 1 and "no user tara" in str(letters[0])
    set_role(system, "tara", Role.ADMIN)
    later = RecordingMirror()
    runner(system, later).run()
    assert later.calls == [("tara", Role.ADMIN)]


def test_a_role_change_is_seen_by_every_process_on_the_next_request(server_system: System) -> None:
    other = bootstrap(server_system.settings)
    try:
        assert other.roles.role_of("tara", Role.CLIENT) is Role.CLIENT
        assert server_system.roles.role_of("tara", Role.ADMIN) is Role.CLIENT  # the claim seeds it once
        set_role(server_system, "tara", Role.TRAINER)
        assert other.roles.role_of("tara", Role.CLIENT) is Role.TRAINER
    finally:
        other.close()


def test_racing_first_sights_record_one_user(server_system: System) -> None:
    other = bootstrap(server_system.settings)
    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            roles = list(pool.map(lambda i: (server_system, other)[i % 2].roles.role_of("rush", Role.CLIENT),
                                  range(16)))
        assert set(roles) == {Role.CLIENT}
        assert len(list(server_system.log.events.get(server_system.roles.user("rush", Role.CLIENT).id))) == 1
    finally:
        other.close()
