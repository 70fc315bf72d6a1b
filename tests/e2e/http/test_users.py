"""Users over HTTP: first sight, one's own profile, roles by a superadmin, who reads whom, erasure."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import jwt

from application.identity import TokenSource, TokenVerifier, Verified
from domain.personal import user_id
from domain.user import User
from domain.values import Role
from tests.support import relate

ME = "/v1/queries/me"
PROFILE = "/v1/commands/me/profile"
USERS = "/v1/queries/users"
ASHA = {"display_name": "Asha Rao", "phone": "+91 98765 43210", "goal": "strength", "level": "beginner",
        "equipment": ["dumbbells", "Dumbbells", "bench"], "diet": "vegetarian", "allergies": ["peanuts"],
        "injuries": [], "height_cm": 162, "weight_kg": 58.5, "birth_year": 1994}


def _ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_first_request_answers_me_from_the_record_just_made(api, auth):
    me = _ok(api.get(ME, headers=auth("newcomer", "trainer")))
    assert me["uid"] == "newcomer" and me["role"] == "trainer" and me["version"] == 1
    assert me["display_name"] is None and me["equipment"] == [] and me["staff_ids"] == []


def test_a_profile_round_trips_normalised(api, auth):
    asha = auth("asha")
    done = _ok(api.post(PROFILE, json=ASHA, headers=asha))
    me = _ok(api.get(ME, params={"min_position": done["position"]}, headers=asha))
    assert me["phone"] == "+919876543210" and me["equipment"] == ["dumbbells", "bench"]
    assert {k: me[k] for k in ("display_name", "goal", "diet", "height_cm", "weight_kg", "birth_year")} == {
        "display_name": "Asha Rao", "goal": "strength", "diet": "vegetarian", "height_cm": 162.0,
        "weight_kg": 58.5, "birth_year": 1994}
    cleared = _ok(api.post(PROFILE, json={"phone": None, "goal": "endurance"}, headers=asha))
    me = _ok(api.get(ME, params={"min_position": cleared["position"]}, headers=asha))
    assert me["phone"] is None and me["goal"] == "endurance" and me["version"] == cleared["version"]


def test_a_bad_profile_is_refused_with_422(api, auth):
    asha = auth("asha")
    for body in ({}, {"goal": "bulk"}, {"height_cm": 20}, {"birth_year": 1850}, {"nickname": "A"},
                 {"phone": "call me"}, {"equipment": ["x" * 101]}, {"display_name": ""},
                 {"birth_year": 2999}, {"weight_kg": True}, {"allergies": "nuts"}):
        answer = api.post(PROFILE, json=body, headers=asha)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_only_a_superadmin_sets_a_role_and_the_history_is_kept(api, auth, system):
    _ok(api.get(ME, headers=auth("tara")))
    refused = api.post("/v1/commands/users/tara/role", json={"role": "trainer"}, headers=auth("ann", "admin"))
    assert refused.status_code == 403
    root = auth("root", "superadmin")
    done = _ok(api.post("/v1/commands/users/tara/role", json={"role": "trainer"}, headers=root))
    at = {"min_position": done["position"]}
    assert _ok(api.get(f"{USERS}/tara", params=at, headers=root))["role"] == "trainer"
    _ok(api.post("/v1/commands/users/tara/role", json={"role": "nutritionist"}, headers=root))
    user = system.aggregates.load(User, user_id("tara"))
    assert [(c.role, c.by) for c in user.role_history] == [
        (Role.CLIENT, "tara"), (Role.TRAINER, "root"), (Role.NUTRITIONIST, "root")]
    assert system.roles.role_of("tara", Role.CLIENT) is Role.NUTRITIONIST
    assert api.post("/v1/commands/users/tara/role", json={"role": "system"}, headers=root).status_code == 422


def test_a_superadmin_gives_a_uid_never_seen_its_role_before_it_signs_in(api, auth, system):
    root = auth("root", "superadmin")
    done = _ok(api.post("/v1/commands/users/coach-to-be/role", json={"role": "trainer"}, headers=root))
    assert done["version"] == 2
    shown = _ok(api.get(f"{USERS}/coach-to-be", params={"min_position": done["position"]}, headers=root))
    assert shown["role"] == "trainer"
    assert system.roles.role_of("coach-to-be", Role.CLIENT) is Role.TRAINER  # their first sign-in
    user = system.aggregates.load(User, user_id("coach-to-be"))
    assert [(c.role, c.by) for c in user.role_history] == [
        (Role.CLIENT, "coach-to-be"), (Role.TRAINER, "root")]


def test_a_user_is_read_by_themself_their_staff_and_admins(api, auth):
    alice, bob, tom = auth("alice"), auth("bob"), auth("tom", "trainer")
    _ok(api.post(PROFILE, json={"display_name": "Alice"}, headers=alice))
    content = {"days": [{"name": "Legs", "exercises": [{"name": "squat", "sets": 5, "reps": 5}]}]}
    plan = _ok(api.post("/v1/commands/plans", json={"kind": "workout", "title": "Legs", "content": content},
                        headers=tom), 201)
    _ok(api.post(f"/v1/commands/plans/{plan['id']}/publish", json={}, headers=tom))
    relate(api, tom, "alice")  # Alice accepted Tom's invitation
    assign = f"/v1/commands/plans/{plan['id']}/assign"
    assigned = _ok(api.post(assign, json={"client_id": "alice"}, headers=tom))
    at = {"min_position": assigned["position"]}
    mine = _ok(api.get(f"{USERS}/alice", params=at, headers=alice))
    assert mine["display_name"] == "Alice" and mine["staff_ids"] == ["tom"]
    assert _ok(api.get(f"{USERS}/alice", params=at, headers=tom))["uid"] == "alice"
    assert _ok(api.get(ME, params=at, headers=tom))["client_ids"] == ["alice"]
    assert _ok(api.get(f"{USERS}/alice", params=at, headers=auth("ann", "admin")))["uid"] == "alice"
    assert api.get(f"{USERS}/alice", params=at, headers=bob).status_code == 404
    assert api.get(f"{USERS}/alice", params=at, headers=auth("tess", "trainer")).status_code == 404
    assert api.get(f"{USERS}/alice", params=at, headers=auth("audrey", "auditor")).status_code == 403


def test_admins_list_users_by_role_and_name(api, auth):
    for uid, name in (("u1", "Priya Shah"), ("u2", "Rahul Das"), ("u3", "priyanka 100%")):
        done = _ok(api.post(PROFILE, json={"display_name": name}, headers=auth(uid)))
    admin = auth("ann", "admin")
    at = {"min_position": done["position"]}
    found = _ok(api.get(USERS, params={**at, "q": "PRIYA"}, headers=admin))
    assert [u["uid"] for u in found["items"]] == ["u3", "u1"]
    percent = _ok(api.get(USERS, params={**at, "q": "100%"}, headers=admin))
    assert [u["uid"] for u in percent["items"]] == ["u3"]
    first = _ok(api.get(USERS, params={**at, "role": "client", "limit": 2}, headers=admin))
    rest = _ok(api.get(USERS, params={**at, "role": "client", "cursor": first["next_cursor"]}, headers=admin))
    assert len(first["items"]) == 2 and [u["uid"] for u in rest["items"]] == ["u1"]
    assert api.get(USERS, headers=auth("u1")).status_code == 403


def test_erasure_is_for_the_user_themself_or_a_superadmin(api, auth):
    _ok(api.post(PROFILE, json={"display_name": "Zoe", "phone": "9876501234"}, headers=auth("zoe")))
    assert api.post("/v1/commands/users/zoe/erase", json={}, headers=auth("bob")).status_code == 403
    assert api.post("/v1/commands/users/zoe/erase", json={}, headers=auth("ann", "admin")).status_code == 403
    erased = _ok(api.post("/v1/commands/users/zoe/erase", json={}, headers=auth("zoe")), 202)
    me = _ok(api.get(ME, params={"min_position": erased["position"]}, headers=auth("zoe")))
    assert me["erased"] is True and me["display_name"] is None and me["phone"] is None
    assert api.post(PROFILE, json={"display_name": "Zoe"}, headers=auth("zoe")).status_code == 409
    root = auth("root", "superadmin")
    again = _ok(api.post("/v1/commands/users/zoe/erase", json={}, headers=root), 202)
    assert again["version"] == erased["version"]
    assert api.post("/v1/commands/users/ghost/erase", json={}, headers=root).status_code == 404


class OtherProvider:
    """Tokens of an identity provider other than development tokens (the TokenVerifier port):
    HS256 JWTs of a test key claiming a uid and a role."""

    def __init__(self, dev: TokenVerifier) -> None:
        self.dev = dev

    def verify(self, token: str, **options: Any) -> Verified:
        if jwt.decode(token, options={"verify_signature": False}).get("iss") != "test-idp":
            return self.dev.verify(token, **options)
        claims = jwt.decode(token, "k" * 32, algorithms=["HS256"], issuer="test-idp")
        now = datetime.now(UTC)
        return Verified(claims["sub"], Role(claims["role"]), TokenSource.FIREBASE, now,
                        datetime.fromtimestamp(claims["exp"], UTC))


def provider_token(uid: str, role: str) -> dict[str, str]:
    claims = {"sub": uid, "role": role, "iss": "test-idp", "exp": int(time.time()) + 600}
    return {"Authorization": f"Bearer {jwt.encode(claims, 'k' * 32, algorithm='HS256')}"}


def test_a_role_change_takes_effect_on_the_callers_next_request(api, auth, system):
    system.tokens.inner = OtherProvider(system.tokens.inner)
    vik = provider_token("vik", "client")
    draft = {"kind": "workout", "title": "Legs", "content": {
        "days": [{"name": "Legs", "exercises": [{"name": "squat", "sets": 5, "reps": 5}]}]}}
    assert api.post("/v1/commands/plans", json=draft, headers=vik).status_code == 403
    root = auth("root", "superadmin")
    done = _ok(api.post("/v1/commands/users/vik/role", json={"role": "trainer"}, headers=root))
    assert api.post("/v1/commands/plans", json=draft, headers=vik).status_code == 201
    claims_admin = provider_token("vik", "admin")  # a later claim changes nothing: our record decides
    assert api.get(USERS, headers=claims_admin).status_code == 403
    at = {"min_position": done["position"]}
    assert _ok(api.get(ME, params=at, headers=provider_token("vik", "superadmin")))["role"] == "trainer"


def test_a_development_token_acts_as_its_role_though_its_user_is_recorded(api, auth):
    dev = auth("dee", "client")
    assert api.get("/v1/queries/tiers", headers=dev).status_code == 200
    root = auth("root", "superadmin")
    done = _ok(api.post("/v1/commands/users/dee/role", json={"role": "trainer"}, headers=root))
    assert api.post("/v1/commands/workout-sessions", json={}, headers=dev).status_code == 201
    assert _ok(api.get(ME, params={"min_position": done["position"]}, headers=dev))["role"] == "trainer"
