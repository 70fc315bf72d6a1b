"""`gymgenius audit ...`: the auditors' tools on the command line, over the same application as
the audit routes (no HTTP): verify chains, replay a payment as of a time, export a window."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TextIO
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from application.audit import Audit, ChainReport
from application.context import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import bootstrap
from infrastructure.eventstore.audit_log import open_audit
from infrastructure.settings import Settings
from interfaces.http.audit_states import payment_state

audit_cli = typer.Typer(
    help="Auditors' tools: verify hash chains, replay payments, export and reconcile.", no_args_is_help=True
)
Csv = Annotated[bool, typer.Option("--csv", help="Write CSV instead of text or JSON")]
Time = Annotated[
    datetime | None, typer.Option(help="ISO 8601 with its offset, e.g. 2026-11-01T00:00:00+00:00")
]


@contextmanager
def _audit() -> Iterator[tuple[Audit, int]]:
    audit, log = open_audit(Settings())
    try:
        yield audit, log.recorder.max_notification_id() or 0
    finally:
        log.close()


def _progress(what: str) -> Progress:
    return Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("positions"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


@audit_cli.command()
def verify(
    payment_id: Annotated[UUID | None, typer.Argument(help="One payment; none: every payment")] = None,
    as_csv: Csv = False,
) -> None:
    """Verify every payment's hash chain (or one); exits 1 naming each broken payment and position."""
    with _audit() as (audit, head):
        if payment_id is not None:
            report = audit.payment_chain(payment_id)
            if report is None:
                raise typer.BadParameter(f"no payment {payment_id}")
            broken = [report] if not report.chain_valid else []
            checked, events = 1, len(report.events)
        else:
            with _progress("verifying") as bar:
                task = bar.add_task("verify", total=head)
                walk = audit.verify_all(lambda at: bar.update(task, completed=at))
            broken = [ChainReport(p, [], at, why) for p, (at, why) in walk.broken.items()]
            checked, events = len(walk.heads) + len(walk.broken), walk.events
    _report_breaks(broken, as_csv)
    typer.echo(f"{checked} payments, {events} events checked: {len(broken)} broken", err=True)
    if broken:
        raise typer.Exit(1)


def _report_breaks(broken: list[ChainReport], as_csv: bool) -> None:
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["payment_id", "broken_at", "reason"])
        out.writerows([r.payment_id, r.broken_at, r.reason] for r in broken)
        return
    for r in broken:
        typer.echo(f"BROKEN payment {r.payment_id} at position {r.broken_at}: {r.reason}")


@audit_cli.command()
def replay(
    payment_id: UUID,
    as_of: Time = None,
    as_of_position: Annotated[int | None, typer.Option(min=1)] = None,
    as_csv: Csv = False,
) -> None:
    """The payment rebuilt from its events as it stood at --as-of (or --as-of-position; neither: now)."""
    if as_of is not None and as_of.tzinfo is None:
        raise typer.BadParameter("--as-of needs its offset (e.g. +00:00)")
    with _audit() as (audit, _):
        found = audit.payment_as_of(payment_id, as_of, as_of_position)
    if found is None:
        typer.echo(f"no payment {payment_id} at that time or position", err=True)
        raise typer.Exit(1)
    state = payment_state(found)
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["field", "value"])
        out.writerows([k, json.dumps(v) if isinstance(v, list | dict) else v] for k, v in state.items())
    else:
        typer.echo(json.dumps(state, indent=2))


@audit_cli.command()
def export(
    start: Annotated[datetime | None, typer.Option("--from", help="ISO 8601 with offset")] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="ISO 8601 with offset")] = None,
    after_position: Annotated[int, typer.Option(min=0, help="Resume after this position")] = 0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="A file; none: stdout")] = None,
    as_csv: Csv = False,
) -> None:
    """Every payment event stamped in [--from, --to) in log order, as NDJSON (or CSV), to a file or stdout."""
    if any(t is not None and t.tzinfo is None for t in (start, end)):
        raise typer.BadParameter("--from and --to need their offset (e.g. +00:00)")
    with _audit() as (audit, head), _opened(output) as out, _progress("exporting") as bar:
        task = bar.add_task("export", total=head)
        written = _write(
            audit.payment_events(start, end, after_position),
            out,
            as_csv,
            lambda at: bar.update(task, completed=at),
        )
    typer.echo(f"{written} events exported", err=True)


@contextmanager
def _opened(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as file:
        yield file


def _write(records: Iterator[dict[str, Any]], out: TextIO, as_csv: bool, progress: Any) -> int:
    fields = ["payment_id", "position", "version", "type", "timestamp", "chain", "prev_hash", "hash", "data"]
    table = csv.DictWriter(out, fields) if as_csv else None
    if table is not None:
        table.writeheader()
    written = 0
    for written, record in enumerate(records, start=1):
        if table is not None:
            table.writerow(
                {**record, "data": json.dumps(record["data"], sort_keys=True, separators=(",", ":"))}
            )
        else:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
        if written % 1000 == 0:
            progress(record["position"])
    return written


@audit_cli.command()
def reconcile(
    start: Annotated[datetime, typer.Option("--from", help="ISO 8601 with offset")],
    end: Annotated[datetime, typer.Option("--to", help="ISO 8601 with offset")],
    as_csv: Csv = False,
) -> None:
    """Compare our payment log with the gateway's payments and refunds over [--from, --to], here
    and now (as the worker would); lists what this run found new; exits 1 if anything differs."""
    if any(t.tzinfo is None for t in (start, end)):
        raise typer.BadParameter("--from and --to need their offset (e.g. +00:00)")
    system = bootstrap(Settings())
    try:
        ctx = CommandContext(Actor(getpass.getuser() or "cli", Role.AUDITOR), system.clock(), "cli")
        run_id = system.reconciliations.request(ctx, start, end).id
        with _progress("reconciling") as bar:
            bar.add_task("reconcile", total=None)
            summary = system.reconciliations.run(ctx, run_id)
    finally:
        system.close()
    rows = [
        [f.kind, f.payment_id or "", f.gateway_payment_id or "", json.dumps(f.ours), json.dumps(f.theirs)]
        for f in summary.new
    ]
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["kind", "payment_id", "gateway_payment_id", "ours", "theirs"])
        out.writerows(rows)
    else:
        for row in rows:
            typer.echo(" ".join(row))
    typer.echo(
        f"reconciliation {run_id} {summary.status}: {len(summary.new)} new, {summary.seen_again} seen before",
        err=True,
    )
    if summary.status != "completed" or summary.new or summary.seen_again:
        raise typer.Exit(1)
