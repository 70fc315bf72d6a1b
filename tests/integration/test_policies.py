"""Policies exactly once in effect, in both profiles: a captured payment activates, renews or
grants once, however often its event is delivered; a refused command is a dead letter and the
policy goes on; a worker process killed mid-policy leaves nothing done twice and nothing missed."""

from __future__ import annotations

import psycopg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update

from domain.subscription import Subscription
from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.policy_runner import tracking_name
from infrastructure.workers import STORE_ERRORS
from projections.schema import positions
from tests.lifecycle_steps import Money, count_topics, events_of
from tests.support import PG_URL, server_settings, wait_until


def rewind(system: System, policy: str = "settlement", to: int = 0) -> None:
    """Sets a policy's position back, as if its events were delivered again."""
    with system.projections.engine.begin() as conn:
        conn.execute(update(positions).where(positions.c.name == tracking_name(policy)).values(position=to))


def status_of(system: System, sub) -> str:  # type: ignore[no-untyped-def]
    found = system.log.latest(sub)
    assert isinstance(found, Subscription)
    return found.status.value


def test_a_captured_first_payment_activates_its_subscription_from_the_capture(system):
    money = Money(system)
    sub = money.subscribe("asha")
    pid = money.pay("asha", "subscription", sub)
    system.policies.run_all()
    found = system.log.latest(sub)
    assert isinstance(found, Subscription) and found.status.value == "active"
    captured = next(e for e in system.log.events.get(pid) if type(e).__name__ == "Captured")
    assert found.current_period_start == captured.at


def test_every_causing_event_delivered_twice_changes_nothing_the_second_time(system):
    money = Money(system)
    subs = [money.subscribe(f"client-{n}") for n in range(3)]
    for n, sub in enumerate(subs):
        money.pay(f"client-{n}", "subscription", sub)
    system.policies.run_all()
    head = system.projections.source.head()
    rewind(system)
    assert system.policies.run_all()["settlement"] > 0  # every event read again
    assert system.projections.source.head() == head  # and nothing written
    assert all(events_of(system, sub).count("Activated") == 1 for sub in subs)


def test_a_second_capture_for_an_active_subscription_renews_it_once(system):
    money = Money(system)
    sub = money.subscribe("ravi")
    money.pay("ravi", "subscription", sub)
    system.policies.run_all()
    money.pay("ravi", "subscription", sub, unasked=True)
    system.policies.run_all()
    rewind(system)
    system.policies.run_all()
    assert events_of(system, sub).count("Renewed") == 1
    found = system.log.latest(sub)
    assert isinstance(found, Subscription)
    assert found.current_period_end == found.current_period_start + found.tier.period


def test_a_captured_plan_payment_grants_the_plan_to_its_buyer(system):
    money = Money(system)
    plan = money.priced_plan()
    money.pay("meera", "plan", plan)
    system.policies.run_all()
    rewind(system)
    system.policies.run_all()
    assert events_of(system, plan).count("Assigned") == 1
    assert system.log.latest(plan).client_ids == ["meera"]  # type: ignore[union-attr]


def test_a_refused_command_is_a_dead_letter_and_the_policy_goes_on(system):
    money = Money(system)
    orphan = money.subscribe("ghost")
    money.pay("ghost", "subscription", orphan)
    money.cancel_at_period_end("ghost", orphan)  # pending: cancelled at once, before the policy ran
    fine = money.subscribe("fine")
    money.pay("fine", "subscription", fine)
    system.policies.run_all()
    assert status_of(system, fine) == "active"
    letters = [d for d in system.projections.dead_letters() if d["projection"] == "policy:settlement"]
    assert len(letters) == 1 and "is cancelled" in letters[0]["error"]
    system.policies.run_all()  # reads the activation it caused, and does nothing about it
    assert system.policies.positions()["settlement"] == system.projections.source.head()


def test_a_whole_refund_of_the_current_period_cancels_at_once_and_a_partial_one_does_not(system):
    money = Money(system)
    kept, refunded = money.subscribe("kiran"), money.subscribe("lata")
    paid = {sub: money.pay(who, "subscription", sub) for who, sub in (("kiran", kept), ("lata", refunded))}
    system.policies.run_all()
    money.refund(paid[kept], 10_000)
    money.refund(paid[refunded])
    system.policies.run_all()
    assert (status_of(system, kept), status_of(system, refunded)) == ("active", "cancelled")


def test_a_worker_killed_mid_policy_activates_nothing_twice_and_misses_nothing(
        isolated_system, worker_processes):
    system, money, count = isolated_system, Money(isolated_system), 200
    subs = [money.subscribe(f"c{n}") for n in range(count)]
    for n, sub in enumerate(subs):
        money.pay(f"c{n}", "subscription", sub)
    first = worker_processes()
    wait_until(lambda: count_topics(system, "Subscription.Activated") > 0 or not first.alive, 60,
               "the first activations")
    first.kill()
    done = count_topics(system, "Subscription.Activated")
    assert 0 < done < count, f"the worker was not killed mid-policy ({done} of {count})"
    assert system.policies.positions()["settlement"] < system.projections.source.head()
    second = worker_processes()
    wait_until(lambda: count_topics(system, "Subscription.Activated") >= count, 60,
               f"every subscription active; worker log:\n{second.tail()}")
    wait_until(lambda: system.policies.positions()["settlement"] >= system.projections.source.head(),
               30, "the policy at the head")
    assert [events_of(system, sub).count("Activated") for sub in subs] == [1] * count


def test_a_store_outage_mid_policy_is_retried_later_and_never_dead_lettered(pg_schema):
    settings = server_settings(pg_schema, GYMGENIUS_DB_LOCK_TIMEOUT=1)
    init_storage(settings)
    system = bootstrap(settings)
    try:
        money = Money(system)
        sub = money.subscribe("asha")
        money.pay("asha", "subscription", sub)
        table = f'"{pg_schema}".{system.log.recorder.events_table_name}'
        with psycopg.connect(PG_URL) as blocker:  # writes to the log time out; reads go on
            blocker.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            with pytest.raises(STORE_ERRORS):
                system.policies.run_all()
        assert status_of(system, sub) == "pending_payment"
        assert system.policies.positions()["settlement"] == 0
        system.policies.run_all()  # the store is back
        assert status_of(system, sub) == "active"
        assert events_of(system, sub).count("Activated") == 1
        assert [d for d in system.projections.dead_letters() if d["projection"].startswith("policy:")] == []
    finally:
        system.close()


def test_policy_commands_are_counted_by_policy_and_result(system):
    def counted(result: str) -> float:
        labels = {"policy": "settlement", "result": result}
        return REGISTRY.get_sample_value("gymgenius_policy_commands_total", labels) or 0.0

    money, done, refused = Money(system), counted("done"), counted("refused")
    fine, gone = money.subscribe("fine"), money.subscribe("gone")
    money.pay("fine", "subscription", fine)
    money.pay("gone", "subscription", gone)
    money.cancel_at_period_end("gone", gone)
    system.policies.run_all()
    assert (counted("done") - done, counted("refused") - refused) == (1, 1)


def test_two_captures_for_one_subscription_in_one_batch_activate_once_and_renew_once(system):
    money = Money(system)
    subs = [money.subscribe(f"twice-{n}") for n in range(10)]
    for n, sub in enumerate(subs):
        money.pay(f"twice-{n}", "subscription", sub)
        money.pay(f"twice-{n}", "subscription", sub)  # both in one batch, in two lanes at once
    system.policies.run_all()
    rewind(system)
    system.policies.run_all()
    for sub in subs:
        names = events_of(system, sub)
        assert (names.count("Activated"), names.count("Renewed")) == (1, 1)
        found = system.log.latest(sub)
        assert isinstance(found, Subscription)
        assert found.current_period_end == found.current_period_start + found.tier.period
