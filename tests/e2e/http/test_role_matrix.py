"""Every route of the app, called by every identity, answers as its rule in the access table says.

The routes are enumerated from the app itself (commands, queries, administration, operations,
webhooks, development tokens and FastAPI's own pages; the embedded Razorpay sandbox is another
service and is left out), so a route added without a rule in `application/access_rules.py` fails
here by name. A role the rule does not admit gets 403 (anonymous: 401); an admitted one reaches
the handler with the body of the route's OpenAPI example (404 for the unknown ids is fine), never
401 or 403 (nor 422: an example that does not fit would stop it before the handler). Public
routes answer anyone but 401/403.

Rows beyond a role's scope (decided once, for every route): read by id, 404 (as if they did not
exist: ids are not revealed); by a list filter on someone else's id, an empty page; a command on
someone else's aggregate, 403.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from application.access_rules import ALL, RULES, SOCKET, rule_of
from domain.values import Role
from tests.contract.every_answer import fastapi_of
from tests.e2e.http.payment_steps import Steps
from tests.support import relate

IDENTITIES: list[str | None] = [None, "client", "trainer", "nutritionist", "admin", "superadmin", "auditor"]
REFUSED = {401, 403}
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def endpoints(app: FastAPI) -> Iterator[tuple[str, str, str]]:
    """(name, method, path) of every route: the operationId, or a plain route's name."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):  # the embedded profile's Razorpay sandbox: not our API
            continue
        if isinstance(route, APIRoute):
            for method in sorted(context.methods or ()):
                yield str(route.operation_id), method, context.path_format
        elif isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    yield route.name, method, route.path
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")


def example_body(document: dict[str, Any], method: str, path: str) -> Any:
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return media.get("example")


def test_every_route_has_a_rule_and_every_rule_a_route(system):
    from interfaces.http.app import create_app

    names = {name for name, _, _ in endpoints(create_app(system))}
    missing = sorted(n for n in names if rule_of(n) is None)
    assert not missing, f"routes with no rule in application/access_rules.py: {missing}"
    assert not sorted({n for n in RULES if not n.startswith(SOCKET)} - names), "rules of no route"


def test_a_superadmin_may_do_all_an_admin_may_and_an_auditor_only_reads():
    for name, rule in RULES.items():
        if Role.ADMIN in rule.scopes:  # the same scope, or every row
            assert rule.scopes[Role.SUPERADMIN] in (rule.scopes[Role.ADMIN], ALL), name
    from interfaces.http.app import QUERY_ROUTERS
    queries = {r.operation_id for router in QUERY_ROUTERS for r in router.routes
               if isinstance(r, APIRoute) and r.methods == {"GET"}}
    audited = {n for n, r in RULES.items() if Role.AUDITOR in r.scopes and not n.startswith(SOCKET)}
    # the commands an auditor may send: asking for a reconciliation run (it records what it finds
    # and changes no payment, subscription or plan), their own profile and erasure, and marking
    # their own notifications read
    assert audited <= queries | {"requestReconciliation", "updateMyProfile", "eraseUser",
                                 "markNotificationsRead"}, audited - queries


def placeholder(document: dict, method: str, path: str, name: str) -> str:
    """A value of a path parameter's own type: 1 for an integer, else a fresh UUID."""
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    for parameter in operation.get("parameters", []):
        if (parameter["in"], parameter["name"]) == ("path", name) \
                and parameter.get("schema", {}).get("type") == "integer":
            return "1"
    return str(uuid.uuid4())


def test_every_route_answers_every_identity_as_its_rule_says(api, auth, system, monkeypatch):
    # every route as each identity is more calls than one address may make in a minute without a
    # token (and nearly as many as one user may): the limits have tests of their own
    monkeypatch.setattr(system.rate_limits, "enabled", False)
    app = fastapi_of(api.app)
    document = app.openapi()
    tokens = {role: auth(f"matrix-{role}", role) for role in IDENTITIES if role is not None}
    wrong: list[str] = []
    # erasing a user last: the callers erase themselves (a uid in a path is the caller's own)
    for name, method, path in sorted(endpoints(app), key=lambda e: e[0] == "eraseUser"):
        rule = rule_of(name)
        assert rule is not None, f"{name} ({method} {path}) has no rule in application/access_rules.py"
        ids = {p: placeholder(document, method, path, p) for p in re.findall(r"\{([^}]+)\}", path)}
        body = example_body(document, method, path)
        for role in IDENTITIES:
            headers = tokens[role] if role else {}
            url = path.format_map({**ids, **({"uid": f"matrix-{role}"} if "uid" in ids else {})})
            answer = api.request(method, url, json=body, headers=headers)
            status = answer.status_code
            if rule.public or (role is not None and rule.admits(Role(role))):
                ok = status not in REFUSED | {422}  # 422: the example did not reach the handler
            else:
                ok = status == (401 if role is None else 403)
            if not ok or status >= 500:
                wrong.append(f"{name} {method} {path} as {role or 'anonymous'}: {status} {answer.text[:120]}")
    assert not wrong, "answers that break the access table:\n" + "\n".join(wrong)


# cross-client and unrelated-staff cases


def _post(api, headers, route: str, body: dict | None = None) -> dict:
    answer = api.post(route, json=body or {}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture
def alices(api, auth, system):
    """Alice's rows of each kind, and the position that reflects them all; her trainer is Tom."""
    alice, tom = auth("alice"), auth("tom", "trainer")
    subscription = _post(api, alice, "/v1/commands/subscriptions", {"tier": "basic_monthly"})
    session = _post(api, alice, "/v1/commands/workout-sessions")
    payment = Steps(system).initiate("alice")
    plan = _post(api, tom, "/v1/commands/plans", {"kind": "workout", "title": "Legs", "content": WORKOUT})
    _post(api, tom, f"/v1/commands/plans/{plan['id']}/publish")
    relate(api, tom, "alice")  # Alice accepted Tom's invitation: he is her trainer
    assigned = _post(api, tom, f"/v1/commands/plans/{plan['id']}/assign", {"client_id": "alice"})
    position = max(subscription["position"], session["position"], payment.position, assigned["position"])
    return {"subscriptions": subscription["id"], "workout-sessions": session["id"],
            "payments": str(payment.id), "plans": plan["id"], "position": position}


def _reads(api, headers, rows: dict, kind: str) -> tuple[int, Any]:
    wait = {"min_position": rows["position"]}
    by_id = api.get(f"/v1/queries/{kind}/{rows[kind]}", params=wait, headers=headers)
    listed = api.get(f"/v1/queries/{kind}", params={**wait, "client_id": "alice"}, headers=headers)
    return by_id.status_code, listed.json()["items"] if listed.status_code == 200 else listed.status_code


KINDS = ("payments", "subscriptions", "workout-sessions", "plans")


def test_a_client_reads_their_own_rows_by_id_and_by_filter(api, auth, alices):
    for kind in KINDS:
        by_id, listed = _reads(api, auth("alice"), alices, kind)
        assert by_id == 200 and [i["id"] for i in listed] == [alices[kind]], kind


def test_another_client_gets_404_by_id_and_an_empty_list_by_filter(api, auth, alices):
    for kind in KINDS:
        assert _reads(api, auth("bob"), alices, kind) == (404, []), kind
        unfiltered = api.get(f"/v1/queries/{kind}", params={"min_position": alices["position"]},
                             headers=auth("bob"))
        assert alices[kind] not in [i["id"] for i in unfiltered.json()["items"]], kind


def test_another_client_may_not_act_on_my_aggregates(api, auth, alices):
    bob = auth("bob")
    for route, body in [
        (f"/v1/commands/subscriptions/{alices['subscriptions']}/cancel", {"at_period_end": True}),
        (f"/v1/commands/workout-sessions/{alices['workout-sessions']}/sets",
         {"exercise": "back squat", "reps": 5, "weight_kg": 100}),
        (f"/v1/commands/workout-sessions/{alices['workout-sessions']}/abandon", {}),
    ]:
        answer = api.post(route, json=body, headers=bob)
        assert answer.status_code == 403, (route, answer.text)


def test_an_unrelated_trainer_sees_nothing_of_a_client_and_her_own_trainer_what_the_table_says(
    api, auth, alices,
):
    tina, tom = auth("tina", "trainer"), auth("tom", "trainer")
    for kind in ("subscriptions", "workout-sessions"):
        assert _reads(api, tina, alices, kind) == (404, []), kind
        by_id, listed = _reads(api, tom, alices, kind)
        assert by_id == 200 and [i["id"] for i in listed] == [alices[kind]], kind
    for staff in (tina, tom):  # no trainer reads payments: the role is refused
        assert _reads(api, staff, alices, "payments") == (403, 403)
    answer = api.post(f"/v1/commands/plans/{alices['plans']}/archive", json={}, headers=tina)
    assert answer.status_code == 403, answer.text


def test_a_superadmin_writes_and_changes_plans_as_an_admin_does(api, auth, alices):
    root = auth("root", "superadmin")
    mine = _post(api, root, "/v1/commands/plans", {"kind": "meal", "title": "Cut", "content": {
        "days": [{"name": "Mon", "meals": [
            {"name": "oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8}]}]}})
    _post(api, root, f"/v1/commands/plans/{mine['id']}/publish")
    _post(api, root, f"/v1/commands/plans/{alices['plans']}/revise", {"title": "Legs, revised"})
    auditor = auth("eve", "auditor")
    archive = api.post(f"/v1/commands/plans/{alices['plans']}/archive", json={}, headers=auditor)
    assert archive.status_code == 403
    assert _reads(api, auditor, alices, "payments")[0] == 200
