"""Random command sequences on a User never break its invariants; its events rebuild it, through
the store's mapper too, and once its key is shredded they rebuild it without any personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.errors import DomainError
from domain.personal import ERASED
from domain.user import User
from domain.values import Actor, Role
from infrastructure.eventstore import memory_env
from infrastructure.eventstore.log import EventLog

LATE = 6
T0 = datetime(2026, 11, 1, tzinfo=UTC)
ROOT = Actor("root", Role.SUPERADMIN)
VALID = st.fixed_dictionaries({}, optional={
    "display_name": st.sampled_from(["Asha", " Ravi K ", "Meera Iyer"]),
    "phone": st.sampled_from(["+919876543210", "98765 43210", "(080) 2345-6789"]),
    "goal": st.sampled_from(["strength", "fat_loss", "general"]),
    "level": st.sampled_from(["beginner", "advanced"]),
    "equipment": st.lists(st.sampled_from(["bench", "Bench", "bands"]), max_size=3),
    "diet": st.sampled_from(["vegan", "eggetarian"]),
    "height_cm": st.floats(50, 272), "weight_kg": st.integers(20, 400),
    "birth_year": st.integers(1900, 2026),
    "allergies": st.none(),
})
INVALID = st.sampled_from([{}, {"goal": "bulk"}, {"height_cm": 10}, {"birth_year": 2030}, {"x": 1},
                           {"phone": "12"}, {"injuries": "knee"}, {"weight_kg": True}, {"display_name": " "}])
ROLES = st.sampled_from(list(Role))


def state_of(user: User) -> dict[str, str]:
    return {k: repr(v) for k, v in vars(user).items() if k != "_pending_events"}


class UserMachine(RuleBasedStateMachine):
    user: User

    @initialize(role=st.sampled_from([r for r in Role if r is not Role.SYSTEM]))
    def register(self, role: Role) -> None:
        self.user = User.register("asha", role, T0)
        self.events = list(self.user.collect_events())
        self.clock, self.steps = T0, 0
        self.log = EventLog(env=memory_env())

    def _try(self, change: Any) -> None:
        before = state_of(self.user)
        self.steps += 1
        self.clock += timedelta(minutes=1)
        try:
            change()
        except DomainError:
            assert state_of(self.user) == before
        self.events.extend(self.user.collect_events())
        event(f"erased={self.user.erased}, {len(self.user.profile)} fields")

    @rule(changes=VALID | INVALID)
    def update_profile(self, changes: dict[str, Any]) -> None:
        self._try(lambda: self.user.update_profile(changes, self.clock))

    @rule(role=ROLES)
    def change_role(self, role: Role) -> None:
        self._try(lambda: self.user.change_role(role, ROOT, self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule()
    def erase(self) -> None:
        self._try(lambda: self.user.erase(ROOT, self.clock))

    @invariant()
    def the_role_is_the_last_of_its_history_and_never_system(self) -> None:
        assert self.user.role is self.user.role_history[-1].role and self.user.role is not Role.SYSTEM
        assert all(a.role is not b.role for a, b in zip(self.user.role_history, self.user.role_history[1:],
                                                          strict=False))

    @invariant()
    def an_erased_user_has_no_profile_and_records_nothing_personal_after(self) -> None:
        if self.user.erased:
            assert self.user.profile == {}
            erased_at = next(i for i, e in enumerate(self.events) if isinstance(e, User.Erased))
            assert not any(isinstance(e, User.ProfileUpdated) for e in self.events[erased_at:])

    @invariant()
    def the_events_rebuild_the_same_user_directly_and_through_the_sealing_mapper(self) -> None:
        mapper = self.log.mapper
        for events in (self.events, [mapper.to_domain_event(mapper.to_stored_event(e)) for e in self.events]):
            replayed = None
            for e in events:
                replayed = e.mutate(replayed)
            assert replayed is not None and state_of(replayed) == state_of(self.user)

    @invariant()
    def without_its_key_the_events_rebuild_the_user_with_no_profile(self) -> None:
        log = EventLog(env=memory_env())
        stored = [log.mapper.to_stored_event(e) for e in self.events]
        assert not any(b"Asha" in s.state or b"9876543210" in s.state for s in stored)
        log.keys.shred(self.user.id)
        replayed = None
        for s in stored:
            replayed = log.mapper.to_domain_event(s).mutate(replayed)
        assert replayed is not None and replayed.profile == {}
        assert replayed.role_history == self.user.role_history and replayed.version == self.user.version
        assert all(e.changes == ERASED for e in map(log.mapper.to_domain_event, stored)
                   if isinstance(e, User.ProfileUpdated))


UserMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
test_user_state_machine = UserMachine.TestCase
