"""The access table: how a rule is written, what it admits, and how it reads in the OpenAPI."""

from __future__ import annotations

import pytest

from application.access_rules import ALL, AUTHOR, OWN, RELATED, RULES, SIGNED_IN, public, rule
from domain.values import TOKEN_ROLES, Role


def test_a_superadmin_not_named_gets_the_admins_scope():
    written = rule(client=OWN, admin=ALL)
    assert written.scopes == {Role.CLIENT: OWN, Role.ADMIN: ALL, Role.SUPERADMIN: ALL}
    assert written.admits(Role.SUPERADMIN) and not written.admits(Role.AUDITOR)


def test_every_rule_gives_a_superadmin_what_it_gives_an_admin():
    for name, each in RULES.items():
        if each.admits(Role.ADMIN):  # the admin's scope, or every row
            assert each.scope(Role.SUPERADMIN) in (each.scope(Role.ADMIN), ALL), name


def test_a_public_rule_admits_every_role_and_takes_no_token():
    open_ = public("liveness")
    assert all(open_.admits(r) for r in TOKEN_ROLES) and open_.roles == TOKEN_ROLES
    assert open_.describe() == "Roles: none, no token is needed (liveness)."


def test_the_system_role_is_never_in_a_rule():
    with pytest.raises(ValueError):
        rule(system=ALL)
    with pytest.raises(ValueError):
        rule(janitor=ALL)


def test_rules_read_as_roles_grouped_by_scope():
    assert SIGNED_IN.describe() == "Roles: any signed-in role."
    assert rule(client=OWN, trainer=RELATED, nutritionist=RELATED, admin=ALL, auditor=ALL).describe() == (
        "Roles: client (their own only); trainer, nutritionist (their clients' only); "
        "admin, superadmin, auditor.")
    assert rule(trainer=AUTHOR, admin=ALL).describe() == (
        "Roles: trainer (the plans they wrote only); admin, superadmin.")


def test_an_auditor_is_never_admitted_to_a_command():
    commands = {"createPlan", "revisePlan", "publishPlan", "assignPlan", "archivePlan", "cancelSubscription",
                "refundPayment", "rebuildProjection", "retryDeadLetters", "logSet", "initiatePayment"}
    assert not [n for n in commands if RULES[n].admits(Role.AUDITOR)]
