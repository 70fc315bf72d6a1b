"""Payment queries over HTTP, in both profiles, against the read model kept by workers."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.http.payment_steps import Steps

QUERY = "/v1/queries/payments"
API_FIELDS = {"id", "client_id", "purpose", "reference_id", "status", "amount_paise", "currency",
              "gateway_order_id", "gateway_payment_id", "refunded_paise", "attempts", "version"}


@pytest.fixture
def steps(system):
    return Steps(system)


def test_an_owner_reads_their_captured_payment_as_api_md_shows_it(api, auth, steps):
    written = steps.captured("alice", 49_900)
    answer = api.get(f"{QUERY}/{written.id}", params={"min_position": written.position},
                     headers=auth("alice"))
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Projection-Position"]) >= written.position
    body = answer.json()
    assert set(body) >= API_FIELDS
    short = written.id.hex[:8]
    assert {k: body[k] for k in API_FIELDS} == {
        "id": str(written.id), "client_id": "alice", "purpose": "subscription",
        "reference_id": "sub-of-alice", "status": "captured", "amount_paise": 49_900,
        "currency": "INR", "gateway_order_id": f"order_{short}", "gateway_payment_id": f"pay_{short}",
        "refunded_paise": 0, "attempts": 1, "version": written.version,
    }


def test_another_client_neither_reads_nor_lists_my_payment(api, auth, steps):
    written = steps.captured("alice")
    wait = {"min_position": written.position}
    assert api.get(f"{QUERY}/{written.id}", params=wait, headers=auth("bob")).status_code == 404
    assert api.get(QUERY, params={**wait, "client_id": "alice"}, headers=auth("bob")).json() == {
        "items": [], "next_cursor": None}


def test_admins_and_auditors_read_every_payment_and_trainers_are_refused(api, auth, steps):
    mine = steps.captured("alice")
    theirs = steps.initiate("bob")
    wait = {"min_position": theirs.position}
    for role in ("admin", "superadmin", "auditor"):
        listed = api.get(QUERY, params=wait, headers=auth("staff", role)).json()
        assert [i["id"] for i in listed["items"]] == [str(theirs.id), str(mine.id)], role
        by_client = api.get(QUERY, params={**wait, "client_id": "bob"}, headers=auth("staff", role))
        assert [i["client_id"] for i in by_client.json()["items"]] == ["bob"]
    assert api.get(f"{QUERY}/{mine.id}", params=wait, headers=auth("eve", "auditor")).status_code == 200
    for role in ("trainer", "nutritionist"):  # their role may not read payments at all
        assert api.get(f"{QUERY}/{mine.id}", params=wait, headers=auth("tom", role)).status_code == 403
        assert api.get(QUERY, params=wait, headers=auth("tom", role)).status_code == 403


def test_statuses_refunds_retries_and_late_failures_read_right(api, auth, steps):
    partly, whole, late = (steps.captured("carol", 30_000).id for _ in range(3))
    steps.refund(partly, 10_000)
    steps.refund(whole, 10_000)
    steps.refund(whole, None)
    steps.fail(late)
    failed = steps.ordered("carol")
    steps.fail(failed)
    retried = steps.ordered("carol")
    steps.fail(retried)
    last = steps.retry("carol", retried)
    wait, headers = {"min_position": last.position}, auth("carol")
    rows = {i["id"]: i for i in api.get(QUERY, params=wait, headers=headers).json()["items"]}
    seen = {pid: (rows[str(pid)]["status"], rows[str(pid)]["refunded_paise"], rows[str(pid)]["attempts"])
            for pid in (partly, whole, late, failed, retried)}
    assert seen == {partly: ("partially_refunded", 10_000, 1), whole: ("refunded", 30_000, 1),
                    late: ("captured", 0, 1), failed: ("failed", 0, 1), retried: ("created", 0, 2)}
    assert rows[str(late)]["late_failures"] == 1
    assert rows[str(retried)]["gateway_order_id"] is None
    by_status = api.get(QUERY, params={**wait, "status": "failed"}, headers=headers).json()
    assert [i["id"] for i in by_status["items"]] == [str(failed)]


def test_lists_page_by_keyset_without_repeats(api, auth, steps):
    written = [steps.initiate("dave") for _ in range(5)]
    params = {"limit": 2, "min_position": written[-1].position}
    seen, cursor = [], None
    while True:
        page = api.get(QUERY, params={**params, **({"cursor": cursor} if cursor else {})},
                       headers=auth("dave")).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(w.id) for w in reversed(written)]


def test_bad_query_input_is_a_problem_never_a_500(api, auth):
    headers = auth("alice")
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "%%%"}, {"status": "pending"},
                   {"min_position": -1}, {"min_position": "x"}, {"client_id": "x" * 129}):
        answer = api.get(QUERY, params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(f"{QUERY}/not-a-uuid", headers=headers).status_code == 422
    assert api.get(f"{QUERY}/{uuid.uuid4()}", headers=headers).status_code == 404
    assert api.get(QUERY).status_code == 401


def test_a_rebuild_from_the_log_gives_the_same_rows(api, auth, system, steps):
    refunded = steps.captured("erin", 20_000).id
    steps.refund(refunded, 5_000)
    last = steps.fail(steps.ordered("erin"))
    params, headers = {"min_position": last.position}, auth("root", "admin")
    before = api.get(QUERY, params=params, headers=headers).json()
    assert system.projections.rebuild("payments") >= last.position
    assert api.get(QUERY, params=params, headers=headers).json() == before
