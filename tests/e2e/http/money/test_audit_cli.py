"""`python -m interfaces.cli audit ...` in both profiles, over payments made through the sandbox:
verify (all, one, after tampering), replay as of a time, export to a file and as CSV, reconcile."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interfaces.cli import cli
from tests.e2e.http.money.audited import captured_then_refunded, chain
from tests.e2e.http.money.flows import BASIC, Money
from tests.tampering import StoredRows

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")
STORE = (
    "GYMGENIUS_PROFILE",
    "GYMGENIUS_DATA_DIR",
    "DATABASE_URL",
    "GYMGENIUS_DB_SCHEMA",
    "REDIS_URL",
    "RAZORPAY_BASE_URL",
    "RAZORPAY_KEY_ID",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
)


@pytest.fixture
def run(money: Money) -> Iterator[object]:
    settings = money.system.settings
    env = {
        f.alias: str(getattr(settings, name))
        for name, f in type(settings).model_fields.items()
        if f.alias in STORE
    }

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["audit", *args], env=env)
        return result.exit_code, _unlogged(result.stdout), result.stderr

    yield invoke


def _unlogged(out: str) -> str:
    """The command's output without the log lines of this process's own workers (server profile)."""
    return "".join(line for line in out.splitlines(keepends=True) if not LOG_LINE.match(line))


def test_verify_passes_every_chain_then_names_each_broken_payment_and_position(money: Money, run) -> None:
    first, second = captured_then_refunded(money), captured_then_refunded(money, "bob")
    code, out, err = run("verify")
    assert code == 0 and out == "" and "2 payments" in err and "0 broken" in err
    assert run("verify", first["id"])[0] == 0
    positions = {e["type"]: e["position"] for e in chain(money, second["id"])["events"]}
    StoredRows(money.system).edit(positions["Refunded"], lambda s: s["amount"]["_data_"].update(paise=1))
    code, out, _ = run("verify")
    assert code == 1 and out.strip() == (
        f"BROKEN payment {second['id']} at position {positions['Refunded']}: "
        "hash does not match the event's content (the event was edited)"
    )
    code, out, _ = run("verify", second["id"], "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 1 and rows[1][:2] == [second["id"], str(positions["Refunded"])]


def test_replay_gives_the_payment_as_it_stood_before_and_after_its_partial_refund(money: Money, run) -> None:
    paid = captured_then_refunded(money)
    stamp = {e["type"]: datetime.fromisoformat(e["timestamp"]) for e in chain(money, paid["id"])["events"]}
    code, out, _ = run(
        "replay", paid["id"], "--as-of", (stamp["Refunded"] - timedelta(microseconds=1)).isoformat()
    )
    assert code == 0 and (json.loads(out)["status"], json.loads(out)["captured_paise"]) == ("captured", BASIC)
    code, out, _ = run("replay", paid["id"], "--csv")
    assert code == 0 and ["status", "partially_refunded"] in list(csv.reader(io.StringIO(out)))
    assert run("replay", paid["id"], "--as-of", "2020-01-01T00:00:00+00:00")[0] == 1


def test_export_writes_the_same_lines_as_the_route_to_a_file_and_resumes(
    money: Money, run, tmp_path: Path
) -> None:
    captured_then_refunded(money), captured_then_refunded(money, "bob")
    target = tmp_path / "payments.ndjson"
    code, _, err = run("export", "--output", str(target))
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    served = money.api.get("/v1/audit/payments", headers=money.auth("ada", "auditor")).text
    assert code == 0 and lines == [json.loads(line) for line in served.splitlines()]
    assert f"{len(lines)} events exported" in err
    code, out, _ = run("export", "--after-position", str(lines[3]["position"]))
    assert [json.loads(line) for line in out.splitlines()] == lines[4:]
    code, out, _ = run("export", "--from", lines[1]["timestamp"], "--to", lines[4]["timestamp"], "--csv")
    assert [r["position"] for r in csv.DictReader(io.StringIO(out))] == [
        str(x["position"]) for x in lines[1:4]
    ]


def test_reconcile_lists_what_differs_and_exits_1_then_finds_nothing_new(money: Money, run) -> None:
    paid = captured_then_refunded(money)
    now = datetime.now(UTC)
    window = [
        "--from",
        (now - timedelta(hours=1)).isoformat(),
        "--to",
        (now + timedelta(hours=1)).isoformat(),
    ]
    code, out, err = run("reconcile", *window)
    assert code == 0 and out == "" and "completed: 0 new, 0 seen before" in err
    gid = money.payment(paid["id"]).gateway_payment_id
    ledger = money.sandbox.state.ledger
    with ledger.lock:
        ledger.payments[gid]["amount"] = 1
    code, out, _ = run("reconcile", *window, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1 and [(r["kind"], r["payment_id"]) for r in rows] == [("amount_mismatch", paid["id"])]
    code, out, err = run("reconcile", *window)
    assert code == 1 and out == "" and "0 new, 1 seen before" in err
