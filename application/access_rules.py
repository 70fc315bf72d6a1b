"""Who may call what: one rule per operation, keyed by its stable operationId.

The HTTP routes read this table (a route is admitted by the rule of its operationId, and a route
with no rule admits nobody), the OpenAPI document prints each rule as the operation's "Roles:"
line, and the role matrix test checks every route of the app against it. Other entry points (the
CLI, Socket.IO) may look rules up here too.

A rule names, for each role it admits, the *scope* of that role: which rows or aggregates the
role reaches. The scope is enforced where the rows are (the read models' `readable` conditions,
the application's ownership checks); the table names it so that it is documented and tested:

- `ALL`: every row.
- `OWN`: only the caller's own (a client's payments, subscriptions, sessions, assigned plans).
- `RELATED`: only the rows of the caller's clients (a trainer's or nutritionist's).
- `AUTHOR`: only the plans the caller wrote.

Someone else's row is `404` when read by id and left out of a list (a list filtered on another
client's id answers an empty page); a command on someone else's aggregate is `403`.

Adding a route: one line `"operationId": rule(client=OWN, admin=ALL, ...)`, or `public("why")`
for a route that takes no token. A superadmin always gets at least what an admin gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType

from domain.values import TOKEN_ROLES, Role


class Scope(str, Enum):
    ALL = "all"
    OWN = "own"
    RELATED = "related"
    AUTHOR = "author"


ALL, OWN, RELATED, AUTHOR = Scope.ALL, Scope.OWN, Scope.RELATED, Scope.AUTHOR
SCOPE_TEXT = {
    Scope.ALL: "",
    Scope.OWN: "their own only",
    Scope.RELATED: "their clients' only",
    Scope.AUTHOR: "the plans they wrote only",
}
ROLE_ORDER = (Role.CLIENT, Role.TRAINER, Role.NUTRITIONIST, Role.ADMIN, Role.SUPERADMIN, Role.AUDITOR)


@dataclass(frozen=True)
class Rule:
    """The roles an operation admits, each with its scope; `public` (a reason) when no token is taken."""

    scopes: Mapping[Role, Scope] = field(default_factory=lambda: MappingProxyType({}))
    public: str = ""
    audited: bool = False  # every call, admitted or refused, is written to the audit-access log

    def admits(self, role: Role) -> bool:
        return bool(self.public) or role in self.scopes

    def scope(self, role: Role) -> Scope | None:
        return Scope.ALL if self.public else self.scopes.get(role)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(TOKEN_ROLES) if self.public else frozenset(self.scopes)

    def describe(self) -> str:
        """The rule as the OpenAPI description's "Roles:" paragraph."""
        if self.public:
            return f"Roles: none, no token is needed ({self.public})."
        if set(self.scopes) == set(TOKEN_ROLES) and set(self.scopes.values()) == {Scope.ALL}:
            return "Roles: any signed-in role."
        groups: dict[Scope, list[str]] = {}
        for role in ROLE_ORDER:
            if role in self.scopes:
                groups.setdefault(self.scopes[role], []).append(role.value)
        parts = [", ".join(roles) + (f" ({SCOPE_TEXT[scope]})" if SCOPE_TEXT[scope] else "")
                 for scope, roles in groups.items()]
        logged = " Every call, admitted or refused, is in the audit-access log." if self.audited else ""
        return "Roles: " + "; ".join(parts) + "." + logged


def rule(**scopes: Scope) -> Rule:
    """A rule from role names to scopes: `rule(client=OWN, admin=ALL)`. A superadmin not named
    gets the admin's scope: a superadmin may do everything an admin may."""
    by_role = {Role(name): scope for name, scope in scopes.items()}
    if Role.SYSTEM in by_role:
        raise ValueError("the system role carries no token")
    if Role.ADMIN in by_role:
        by_role.setdefault(Role.SUPERADMIN, by_role[Role.ADMIN])
    return Rule(MappingProxyType(by_role))


def public(why: str) -> Rule:
    return Rule(public=why)


SIGNED_IN = rule(**{r.value: ALL for r in TOKEN_ROLES})
OWNER_AND_ADMINS = rule(client=OWN, admin=ALL)
ADMINS_ONLY = rule(admin=ALL)
AUTHORS = rule(trainer=AUTHOR, nutritionist=AUTHOR, admin=ALL)
AUDIT = replace(rule(auditor=ALL, admin=ALL), audited=True)
EACH_OWN = rule(**{r.value: OWN for r in TOKEN_ROLES})
CHAT = rule(client=OWN, trainer=OWN, nutritionist=OWN, admin=OWN)
CLIENT_ROWS = rule(client=OWN, trainer=RELATED, nutritionist=RELATED, admin=ALL, auditor=ALL)

RULES: Mapping[str, Rule] = MappingProxyType({
    # operations, webhooks, development tokens: no token
    "getHealth": public("liveness"),
    "getReadiness": public("readiness"),
    "getMetrics": public("Prometheus scrapes it"),
    "receiveRazorpayWebhook": public("Razorpay signs the body with the webhook secret instead"),
    "issueDevToken": public("the route exists only where development tokens are on"),
    # the API's own description: FastAPI's pages, by route name (they have no operationId)
    "openapi": public("the OpenAPI document"),
    "swagger_ui_html": public("the OpenAPI document, browsable"),
    "swagger_ui_redirect": public("the OpenAPI document, browsable"),
    "redoc_html": public("the OpenAPI document, browsable"),
    # plans
    "createPlan": rule(trainer=ALL, nutritionist=ALL, admin=ALL),
    "generatePlan": rule(client=OWN, trainer=RELATED, nutritionist=RELATED, admin=ALL),
    "revisePlan": AUTHORS,
    "publishPlan": AUTHORS,
    "assignPlan": AUTHORS,
    "archivePlan": AUTHORS,
    "getPlan": rule(client=OWN, trainer=AUTHOR, nutritionist=AUTHOR, admin=ALL, auditor=ALL),
    "listPlans": rule(client=OWN, trainer=AUTHOR, nutritionist=AUTHOR, admin=ALL, auditor=ALL),
    # subscriptions
    "listTiers": SIGNED_IN,
    "requestSubscription": rule(client=OWN),
    "cancelSubscription": OWNER_AND_ADMINS,
    "startAutopay": rule(client=OWN),
    "confirmAutopay": rule(client=OWN),
    "getSubscription": CLIENT_ROWS,
    "listSubscriptions": CLIENT_ROWS,
    # workout sessions
    "startWorkoutSession": rule(client=OWN),
    "logSet": rule(client=OWN),
    "pauseWorkoutSession": rule(client=OWN),
    "resumeWorkoutSession": rule(client=OWN),
    "completeWorkoutSession": rule(client=OWN),
    "abandonWorkoutSession": rule(client=OWN),
    "getWorkoutSession": CLIENT_ROWS,
    "listWorkoutSessions": CLIENT_ROWS,
    # payments
    "initiatePayment": rule(client=OWN),
    "confirmPayment": rule(client=OWN),
    "refundPayment": ADMINS_ONLY,
    "getPayment": rule(client=OWN, admin=ALL, auditor=ALL),
    "listPayments": rule(client=OWN, admin=ALL, auditor=ALL),
    # administration
    "getDashboardSummary": ADMINS_ONLY,
    "listProjections": ADMINS_ONLY,
    "listDeadLetters": ADMINS_ONLY,
    "rebuildProjection": rule(superadmin=ALL),
    "retryDeadLetters": rule(superadmin=ALL),
    # audit (every call is also written to the audit-access log)
    "getPaymentChain": AUDIT,
    "getPaymentAsOf": AUDIT,
    "getSubscriptionAsOf": AUDIT,
    "exportPaymentEvents": AUDIT,
    "requestReconciliation": AUDIT,
    "getReconciliation": AUDIT,
    "listReconciliations": AUDIT,
    "resolveDiscrepancy": replace(ADMINS_ONLY, audited=True),
    "listAuditAccess": AUDIT,
    # staff-client relationships (the two sides of one; admins start and end any)
    "inviteClient": rule(trainer=OWN, nutritionist=OWN),
    "acceptInvitation": rule(client=OWN),
    "declineInvitation": rule(client=OWN),
    "startRelationship": ADMINS_ONLY,
    "endRelationship": rule(client=OWN, trainer=OWN, nutritionist=OWN, admin=ALL),
    "listRelationships": rule(client=OWN, trainer=OWN, nutritionist=OWN, admin=ALL, auditor=ALL),
    # users (every verified caller has one, recorded on first sight)
    "getMe": SIGNED_IN,
    "updateMyProfile": SIGNED_IN,
    "getUser": rule(client=OWN, trainer=RELATED, nutritionist=RELATED, admin=ALL),
    "listUsers": ADMINS_ONLY,
    "setUserRole": rule(superadmin=ALL),
    "eraseUser": rule(client=OWN, trainer=OWN, nutritionist=OWN, admin=OWN, superadmin=ALL, auditor=OWN),
    # notifications: every signed-in caller reads and marks only their own
    "listNotifications": EACH_OWN,
    "markNotificationsRead": EACH_OWN,
    # progress (read from workout sessions; adherence against the assigned workout plan)
    "getProgress": CLIENT_ROWS,
    "getProgressRoster": rule(trainer=RELATED, nutritionist=RELATED),
    # chat (participants only: a client and their related staff; admins with anyone)
    "openConversation": CHAT,
    "sendMessage": CHAT,
    "readConversation": CHAT,
    "listConversations": CHAT,
    "listMessages": CHAT,
    # Socket.IO (not HTTP routes): connecting, and joining a workout session's room to watch it
    "socket:connect": SIGNED_IN,
    "socket:joinWorkoutSession": rule(client=OWN, trainer=RELATED, nutritionist=RELATED, admin=ALL),
    "socket:chat": CHAT,  # joining a conversation's room, sending and typing in it
})
SOCKET = "socket:"  # the prefix of the rules of Socket.IO events


def rule_of(operation_id: str | None) -> Rule | None:
    """The rule of an operation; None when it has none (and so admits nobody)."""
    return RULES.get(operation_id or "")
