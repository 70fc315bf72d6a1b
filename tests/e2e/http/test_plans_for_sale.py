"""The plan catalogue over HTTP, in both profiles: every published plan with a price, for anyone
signed in, its content left out until the caller has bought it (then the plan is theirs)."""

from __future__ import annotations

from uuid import UUID

from tests.e2e.http.test_plan_queries import A_PLAN, QUERY, ROUTE, WORKOUT, _act
from tests.lifecycle_steps import Money
from tests.support import wait_until


def _published(api, headers, body: dict) -> dict:
    written = api.post(ROUTE, json=body, headers=headers).json()
    return _act(api, headers, written["id"], "publish")


def _for_sale(api, headers, **params) -> dict[str, dict]:
    answer = api.get(QUERY, params={"for_sale": "true", **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert "X-Projection-Position" in answer.headers
    return {item["id"]: item for item in answer.json()["items"]}


def test_every_published_priced_plan_is_for_sale_to_any_client_without_its_content(api, auth):
    tom = auth("tom", "trainer")
    priced = _published(api, tom, A_PLAN)
    free = _published(api, tom, {**A_PLAN, "price_paise": None})
    draft = api.post(ROUTE, json=A_PLAN, headers=tom).json()
    listed = _for_sale(api, auth("bob"), min_position=draft["position"])
    assert set(listed) == {priced["id"]} and free["id"] not in listed
    shown = listed[priced["id"]]
    assert (shown["content"], shown["price_paise"], shown["status"], shown["title"]) == (
        None, 29_900, "published", "Strength 101")


def test_a_client_who_bought_a_plan_sees_its_content_and_reads_it(api, auth, system):
    tom, bob = auth("tom", "trainer"), auth("bob")
    plan = _published(api, tom, A_PLAN)["id"]
    Money(system).pay("bob", "plan", UUID(plan))
    wait_until(lambda: _for_sale(api, bob).get(plan, {}).get("content") == WORKOUT, 15,
               "the bought plan's content")
    assert _for_sale(api, auth("carol"))[plan]["content"] is None  # another client has not bought it
    granted = wait_until(lambda: api.get(f"{QUERY}/{plan}", headers=bob).status_code == 200, 15,
                         "the plan granted to its buyer (the policy's assignment, read back)")
    assert granted and api.get(f"{QUERY}/{plan}", headers=bob).json()["client_ids"] == ["bob"]


def test_staff_see_the_content_of_plans_for_sale_and_kind_filters_them(api, auth):
    tom = auth("tom", "trainer")
    plan = _published(api, tom, A_PLAN)
    listed = _for_sale(api, auth("ops", "admin"), kind="workout", min_position=plan["position"])
    assert listed[plan["id"]]["content"] == WORKOUT
    assert _for_sale(api, auth("ops", "admin"), kind="meal") == {}


def test_for_sale_takes_only_true_or_false(api, auth):
    answer = api.get(QUERY, params={"for_sale": "maybe"}, headers=auth("bob"))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
