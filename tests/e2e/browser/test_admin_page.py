"""The admin page in a real browser: Debian's Chromium driven by Playwright, against the real app
served by uvicorn with Socket.IO, in the server profile with a real Dramatiq worker, so a payment
made by a command reaches the page as a push."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from domain.payment import Payment
from domain.values import Role
from infrastructure.bootstrap import System
from interfaces.http.admin_page import POLICY
from interfaces.http.app import create_asgi
from tests.e2e.http.payment_steps import GATEWAY, Steps
from tests.e2e.realtime.conftest import Uvicorn
from tests.support import running_worker, wait_until

CHROMIUM = Path(os.environ.get("GYMGENIUS_CHROMIUM") or "/usr/bin/chromium")  # Debian's, by default
ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "artifacts"
LIVE = 15_000  # ms: a command's push through the worker, Redis and Socket.IO



@pytest.fixture
def served(server_system: System) -> Iterator[str]:
    worker = running_worker(server_system)
    try:
        with Uvicorn(create_asgi(server_system)) as server:
            yield server.url
    finally:
        worker.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    assert CHROMIUM.exists(), "Chromium is part of the set-up: make debian-packages"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


def token(system: System, uid: str, role: Role) -> str:
    assert system.dev_tokens is not None
    return system.dev_tokens.issue(uid, role)


def sign_in(page: Page, bearer: str) -> None:
    page.fill("#token", bearer)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#console")).to_be_visible()


def test_the_page_is_public_static_content_outside_the_api_under_a_strict_policy(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as http:
        page = http.get("/admin/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == POLICY
        assert "script-src 'self'" in POLICY and "unsafe" not in POLICY
        assert http.get("/admin", follow_redirects=False).status_code == 307
        missing = http.get("/admin/no-such-file.js")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert http.get("/admin/../pyproject.toml").status_code == 404
        paths = http.get("/openapi.json").json()["paths"]
        assert not [p for p in paths if p.startswith("/admin")]
        handshake = "/socket.io/?EIO=4&transport=polling"  # the page's own origin may open a socket
        assert http.get(handshake, headers={"Origin": served}).status_code == 200
        assert http.get(handshake, headers={"Origin": "http://elsewhere.example"}).status_code == 400


def test_an_admin_signs_in_and_sees_a_payment_arrive_live(served: str, server_system: System,
                                                         page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{served}/admin")

    page.fill("#token", "not-a-token")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#sign-in-error")).not_to_be_empty()
    assert page.locator("#console").is_hidden()
    problems.clear()  # the refused token's 401 is logged by the browser

    sign_in(page, token(server_system, "root", Role.ADMIN))
    expect(page.locator("#who-name")).to_have_text("root (admin)")
    expect(page.locator("#active_subscriptions")).to_have_text("0")
    expect(page.locator("#revenue_paise_30d")).to_contain_text("0.00")
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE)

    page.click("[data-tab=projections]")
    expect(page.locator("#projections-body tr[data-name=payments]")).to_be_visible()
    assert page.locator("#projections-body button.rebuild").count() == 0  # an admin's page: no rebuild
    page.locator("#projections-body tr[data-name=payments] button").first.click()
    expect(page.locator("#dead-letters-body")).to_contain_text("No dead letters.")

    page.click("[data-tab=users]")
    expect(page.locator("#users-body tr[data-uid=root]")).to_be_visible()

    page.click("[data-tab=payments]")
    expect(page.locator("#payments-body")).to_contain_text("No payments yet.")
    paid = Steps(server_system).initiate("client-<b>7</b>", amount=129_900)  # a command, no page action
    row = page.locator(f'#payments-body tr[data-id="{paid.id}"]')
    expect(row).to_be_visible(timeout=LIVE)
    expect(row).to_contain_text("client-<b>7</b>")  # the text itself, never parsed as markup
    expect(row).to_contain_text("1,299.00")
    expect(row).to_contain_text("created")
    assert page.locator("#payments-body b").count() == 0
    steps = Steps(server_system)  # the gateway reports a capture of another amount: flagged, live
    steps.aggregates.change(steps.ctx(GATEWAY, None), Payment, paid.id, None,
                            lambda p: p.record_capture("pay_odd", 99, "INR", datetime.now(UTC)))
    expect(row.locator(".flag")).to_have_text("amount_mismatch", timeout=LIVE)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "admin-page.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nadmin page screenshot: {shot}")

    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    sign_in(page, token(server_system, "boss", Role.SUPERADMIN))
    page.click("[data-tab=projections]")
    rebuild = page.locator("#projections-body tr[data-name=payments] button.rebuild")
    expect(rebuild).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith("/payments/rebuild")) as answer:
        rebuild.click()
    assert answer.value.status == 202

    wait_until(lambda: all(s.status == "live" for s in server_system.projections.statuses()), 15,
               "the payments read model rebuilt")
    state = page.locator("#projections-body tr[data-name=payments] td").nth(3)
    for attempt in range(3):  # the swap may land just after the page asked
        page.click("#tab-projections button.refresh")
        try:
            expect(state).to_have_text("live")
            break
        except AssertionError:
            if attempt == 2:
                raise
    page.click("[data-tab=payments]")  # the rebuilt read model has the payment still
    expect(page.locator(f'#payments-body tr[data-id="{paid.id}"]')).to_be_visible()
    assert not problems, f"the browser reported errors (a CSP refusal among them?): {problems}"
