"""Request-scoped dependencies: the system, the caller, and a command's context.

Those that only read the request are `async def`: FastAPI runs a plain `def` dependency on the
thread pool, a hand-off that costs more than the work. Verifying a new token still goes to the
thread pool, since an identity provider may fetch its keys over the network.
"""


import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from application.context import CommandContext, fingerprint
from application.errors import Forbidden
from application.identity import InvalidToken
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from interfaces.http.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="A Firebase ID token (or a development token)")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


async def get_system(request: Request) -> System:
    return request.app.state.system


SystemDep = Annotated[System, Depends(get_system)]


async def current_actor(
    system: SystemDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller: a token seen in the last 30 s costs nothing; a new one is verified in the
    thread pool (verifying may fetch the identity provider's keys)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken("a bearer token is required")
    token = credentials.credentials
    known = system.tokens.remembered(token)
    if known is None:
        return await run_in_threadpool(_first_seen, system, token)
    if _development(system, token):
        return known
    return Actor(known.uid, await run_in_threadpool(system.roles.role_of, known.uid, known.role))


def _first_seen(system: System, token: str) -> Actor:
    """A token verified now; its uid's User is recorded if it is new. A development token acts
    as the role it carries; any other token as the role our record gives its uid."""
    actor = system.tokens.verify(token)
    role = system.roles.role_of(actor.uid, actor.role)
    return actor if _development(system, token) else Actor(actor.uid, role)


def _development(system: System, token: str) -> bool:
    return system.dev_tokens is not None and system.dev_tokens.issued(token)


def allow(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    """A dependency that admits only the given roles (403 for the others)."""

    async def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            raise Forbidden(f"the {actor.role.value} role may not do this")
        return actor

    check.__name__ = "allow_" + "_".join(r.value for r in roles)
    return check


async def expected_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    if if_match is None:
        return None
    found = _ETAG.match(if_match)
    if not found:
        raise Problem(400, "Invalid If-Match", 'If-Match must be an entity tag like "3"')
    return int(found.group(1))


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def command_context(*roles: Role) -> Callable[..., Any]:
    """A dependency giving the command's context: actor, clock, trace id, idempotency key."""

    async def build(
        request: Request,
        system: SystemDep,
        actor: Annotated[Actor, Depends(allow(*roles))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> CommandContext:
        if idempotency_key is not None and not _KEY.match(idempotency_key):
            raise Problem(400, "Invalid Idempotency-Key", "use 1 to 255 printable characters")
        route = f"{request.method} {request.url.path}"
        return CommandContext(
            actor=actor,
            at=system.clock(),
            trace_id=getattr(request.state, "trace_id", ""),
            idempotency_key=idempotency_key,
            fingerprint=fingerprint(route, await _body(request)) if idempotency_key else "",
        )

    return build
