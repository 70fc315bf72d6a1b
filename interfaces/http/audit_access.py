"""The audit-access log: who called which audit route, when, under which trace id, and whether
they were admitted. Written by the access gate (`deps.admitted`) for every route whose rule is
`audited`, before the route answers."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from domain.values import Actor
from infrastructure.bootstrap import System
from projections.audit_access import record_access


async def record_call(request: Request, system: System, actor: Actor, admitted: bool) -> None:
    path = str(request.url.path) + ("?" + request.url.query if request.url.query else "")

    def write() -> None:
        with system.projections.engine.begin() as conn:
            record_access(conn, system.clock(), actor.uid, actor.role.value, request.method, path,
                          admitted, getattr(request.state, "trace_id", ""))

    await run_in_threadpool(write)
