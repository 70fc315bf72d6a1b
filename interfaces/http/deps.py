"""Request-scoped dependencies: the system, the caller, and a command's context.

Who may call a route is data: `application.access_rules.RULES`, keyed by the route's
operationId. `admitted` (a dependency of every route, set on the app) looks the route up: no
rule, 403; a public rule, nothing to check; else the caller is verified (401) and must be one of
the rule's roles (403). The scope a rule names (own rows, related clients, authored plans) is
enforced where the rows are.

Those that only read the request are `async def`: FastAPI runs a plain `def` dependency on the
thread pool, a hand-off that costs more than the work. Verifying a new token still goes to the
thread pool, since an identity provider may fetch its keys over the network.
"""


import json
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from application.access_rules import Rule, rule_of
from application.context import CommandContext, fingerprint
from application.errors import Forbidden
from application.identity import InvalidToken, TokenSource, actor_of
from domain.values import Actor
from infrastructure.bootstrap import System
from infrastructure.rate_limits import CATEGORIES, Verdict
from interfaces.http.audit_access import record_call
from interfaces.http.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="A Firebase ID token (or a development token)")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


async def get_system(request: Request) -> System:
    return request.app.state.system


SystemDep = Annotated[System, Depends(get_system)]


async def _verified(
    request: Request, system: System, credentials: HTTPAuthorizationCredentials | None,
) -> Actor:
    """The caller. A development token seen in the last 30 s costs nothing; any other is verified
    in the thread pool (verifying may fetch the identity provider's keys), and a Firebase uid's
    role is looked up in our record on every request. A call without a known-good token is first
    counted against its IP (refused 429 before any verification when the IP's failures fill its
    window); a verified caller is counted against their own general limit."""
    token = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else None
    known = system.tokens.remembered(token) if token else None
    if known is not None and known.source is TokenSource.DEVELOPMENT:
        actor = actor_of(known, system.roles)
    elif known is not None and token is not None:
        actor = await run_in_threadpool(_identify, system, token)
    else:
        async with system.rate_limits.anonymous(client_ip(request)):
            if token is None:
                raise InvalidToken("a bearer token is required")
            actor = await run_in_threadpool(_identify, system, token)
    _keep(request, await system.rate_limits.raise_if_over("general", actor.uid))
    return actor


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken("a bearer token is required")
    return credentials.credentials


def _identify(system: System, token: str) -> Actor:
    """A token verified now. Its uid's User is recorded on first sight; a development token
    still acts as the role it carries, any other as the role our record gives its uid."""
    verified = system.tokens.verify(token)
    if verified.source is TokenSource.DEVELOPMENT:
        system.roles.role_of(verified.uid, verified.role)
    return actor_of(verified, system.roles)


def route_rule(request: Request) -> Rule:
    """The access rule of the route serving this request (403 when it has none)."""
    route = request.scope.get("route")
    name = getattr(route, "operation_id", None) or getattr(route, "name", None)
    found = rule_of(name)
    if found is None:
        raise Forbidden(f"{name or request.url.path} has no access rule, so nobody may call it")
    return found


def admit(rule: Rule, actor: Actor) -> Actor:
    if not rule.admits(actor.role):
        raise Forbidden(f"the {actor.role.value} role may not do this")
    return actor


async def admitted(request: Request) -> None:
    """Every route's gate, by its rule: the caller is verified and admitted here, once."""
    rule = route_rule(request)
    if not rule.public:
        system = request.app.state.system
        actor = await _verified(request, system, await _bearer(request))
        if rule.audited:
            await record_call(request, system, actor, rule.admits(actor.role))
        request.state.actor = admit(rule, actor)


async def current_actor(
    request: Request,
    system: SystemDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller, admitted by the route's rule (by `admitted`, or here on an app without it)."""
    actor = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        return actor
    return admit(route_rule(request), await _verified(request, system, credentials))


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn's proxy_headers put the forwarded client here)."""
    return request.client.host if request.client else "unknown"


def _keep(request: Request, verdict: Verdict | None) -> None:
    """Remembers the tightest limit seen, for the answer's `RateLimit-*` headers (interfaces.http.edge)."""
    kept = getattr(request.state, "rate_limit", None)
    if verdict is not None and (kept is None or verdict.remaining <= kept.remaining):
        request.state.rate_limit = verdict


def limited(category: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency counting the caller's call in a named rate-limit category ("chat",
    "generate") on top of the general limit: `dependencies=[Depends(limited("chat"))]`, or as the
    actor dependency itself. Over the limit: 429 with Retry-After and RateLimit-* headers."""
    if category not in CATEGORIES:
        raise ValueError(f"no rate-limit category {category!r} (known: {', '.join(CATEGORIES)})")

    async def charge(request: Request, system: SystemDep,
                     actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        _keep(request, await system.rate_limits.raise_if_over(category, actor.uid))
        return actor

    charge.__name__ = f"limited_{category}"
    return charge


def allow(*, check_revoked: bool = False) -> Callable[..., Awaitable[Actor]]:
    """The caller, admitted by the route's rule (the access table is the only place that names
    roles); with `check_revoked`, only a caller whose sessions the identity provider has not
    revoked (refunds, role changes, erasure, rebuilds)."""

    async def check(
        system: SystemDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        actor: Annotated[Actor, Depends(current_actor)],
    ) -> Actor:
        if check_revoked:
            await run_in_threadpool(partial(system.tokens.verify, _token(credentials), check_revoked=True))
        return actor

    check.__name__ = "unrevoked" if check_revoked else "admitted_actor"
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


def command_context(*, check_revoked: bool = False) -> Callable[..., Any]:
    """A dependency giving the command's context: actor, clock, trace id, idempotency key. The
    caller is admitted by the route's rule."""

    async def build(
        request: Request,
        system: SystemDep,
        actor: Annotated[Actor, Depends(allow(check_revoked=True) if check_revoked else current_actor)],
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
