"""The served OpenAPI document: valid, every error a problem+json, every status a route can
answer documented, readable operation ids, roles, examples that fit, and no untyped answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from application.access_rules import rule_of
from domain.values import TOKEN_ROLES, Role
from interfaces.http import deps
from interfaces.http.app import create_command_app, create_query_app

PROBLEM = "application/problem+json"
OPERATION_IDS = {
    "getHealth", "getReadiness", "getMetrics", "issueDevToken",
    "createPlan", "generatePlan", "revisePlan", "publishPlan", "assignPlan", "archivePlan", "getPlan",
    "listPlans",
    "requestSubscription", "cancelSubscription", "getSubscription", "listSubscriptions", "listTiers",
    "startWorkoutSession", "logSet", "pauseWorkoutSession", "resumeWorkoutSession",
    "completeWorkoutSession", "abandonWorkoutSession", "getWorkoutSession", "listWorkoutSessions",
    "initiatePayment", "confirmPayment", "refundPayment", "receiveRazorpayWebhook",
    "startAutopay", "confirmAutopay", "getPayment", "listPayments", "getDashboardSummary",
    "listProjections", "rebuildProjection", "listDeadLetters", "retryDeadLetters",
    "getPaymentChain", "getPaymentAsOf", "getSubscriptionAsOf", "exportPaymentEvents",
    "requestReconciliation", "resolveDiscrepancy", "getReconciliation", "listReconciliations",
    "listAuditAccess",
    "inviteClient", "acceptInvitation", "declineInvitation", "startRelationship", "endRelationship",
    "listRelationships",
    "getMe", "updateMyProfile", "getUser", "listUsers", "setUserRole", "eraseUser",
    "listNotifications", "markNotificationsRead",
    "getProgress", "getProgressRoster",
    "openConversation", "sendMessage", "readConversation", "listConversations", "listMessages",
}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, by_method in document["paths"].items():
        for method, operation in by_method.items():
            yield path, method, operation


def routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            for method in context.methods:
                yield context.path_format, method.lower(), context.original_route


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for each in dependant.dependencies:
        yield each
        yield from dependencies(each)


def can_answer(route: APIRoute) -> set[int]:
    """The error statuses a route's parameters and dependencies can produce, read from its code."""
    found = [route.dependant, *dependencies(route.dependant)]
    calls = {getattr(d.call, "__name__", "") for d in found}
    params = {p.name for d in found for p in [*d.query_params, *d.path_params, *d.header_params,
                                               *d.body_params]}
    allowed = [set(c.removeprefix("allow_").split("_")) for c in calls if c.startswith("allow_")]
    rule = rule_of(route.operation_id)
    statuses = {401} if deps.current_actor.__name__ in calls or rule is None or not rule.public else set()
    statuses |= {403} if any(roles != {r.value for r in Role} for roles in allowed) else set()
    statuses |= {403} if rule is None or not rule.roles >= TOKEN_ROLES else set()
    statuses |= {422} if params else set()
    statuses |= {400} if {"if_match", "idempotency_key"} & params else set()
    statuses |= {404} if route.dependant.path_params else set()
    statuses |= {409, 503} if "idempotency_key" in params else set()  # a command: conflicts, store
    statuses |= {503} if "min_position" in params else set()
    return statuses


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_fastapis_default_validation_error_schema_is_gone(document):
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])
    assert "HTTPValidationError" not in str(document["paths"])


def test_every_error_answer_is_a_problem_in_application_problem_json(document):
    for path, method, operation in operations(document):
        for status, answer in operation["responses"].items():
            if int(status) < 400 or (path, status) == ("/readyz", "503"):  # readiness answers its checks
                continue
            assert list(answer["content"]) == [PROBLEM], (method, path, status)
            assert answer["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemOut"}
    problem = document["components"]["schemas"]["ProblemOut"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "errors" in problem["properties"]


def test_every_route_documents_each_error_status_its_code_can_answer(app, document):
    for path, method, route in routes(app):
        documented = {int(s) for s in document["paths"][path][method]["responses"]}
        assert can_answer(route) <= documented, (method, path, can_answer(route) - documented)


def test_operation_ids_are_the_stable_readable_ones(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)) and set(ids) == OPERATION_IDS
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) for i in ids), ids


def test_every_route_says_which_roles_may_call_it(app, document):
    for path, method, route in routes(app):
        description = document["paths"][path][method]["description"]
        roles = description.split("Roles:", 1)[-1]
        assert "Roles:" in description, (method, path)
        rule = rule_of(route.operation_id)
        assert rule is not None, f"{route.operation_id} has no rule in application/access_rules.py"
        assert description.count("Roles:") == 1 and rule.describe() in description, (method, path)
        calls = [getattr(d.call, "__name__", "") for d in dependencies(route.dependant)]
        for allowed in (c.removeprefix("allow_").split("_") for c in calls if c.startswith("allow_")):
            assert all(role in roles for role in allowed), (method, path, allowed, roles)


def json_media(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, method, operation in operations(document):
        bodies = {"request": operation.get("requestBody", {}), **operation["responses"]}
        for what, body in bodies.items():
            for kind, media in body.get("content", {}).items():
                yield f"{method} {path} {what} {kind}", media


def test_every_request_body_and_answer_has_an_example_that_fits_its_schema(document):
    for where, media in json_media(document):
        assert "example" in media, where
        if "schema" in media:
            schema = {**media["schema"], "components": document["components"]}
            errors = [e.message for e in Draft202012Validator(schema).iter_errors(media["example"])]
            assert not errors, (where, errors)


def loose(schema: dict[str, Any], schemas: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Places in an answer's schema that a generated client could only type as unknown or any."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from loose(schemas[name], schemas, seen)
        return
    parts = [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    if not (parts or {"type", "const", "enum"} & set(schema)):
        yield str(schema)
    if schema.get("type") == "object" and not schema.get("properties"):
        yield f"an object with no properties: {schema}"
    items = [schema["items"]] if "items" in schema else []
    for each in [*parts, *schema.get("properties", {}).values(), *items]:
        yield from loose(each, schemas, seen)


def test_every_answer_is_typed_all_the_way_down(document):
    schemas = document["components"]["schemas"]
    for path, method, operation in operations(document):
        for status, answer in operation["responses"].items():
            assert answer.get("content"), (method, path, status)
            for media in answer["content"].values():
                found = list(loose(media["schema"], schemas, set()))
                assert not found, (method, path, status, found)


def test_the_command_and_query_apps_serve_valid_documents_with_the_same_problem_answers(contract_system):
    for app in (create_command_app(contract_system), create_query_app(contract_system)):
        document = app.openapi()
        validate(document)
        assert "ProblemOut" in document["components"]["schemas"]
        assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_answer_documents_its_trace_headers(document):
    """401 and 403 (added from the access rules), 413, 422 and 429 (the edge's) as much as 200."""
    for path, method, operation in operations(document):
        for status, answer in operation["responses"].items():
            headers = answer.get("headers", {})
            assert {name: headers.get(name) for name in ("X-Trace-Id", "traceparent")} == {
                "X-Trace-Id": {"$ref": "#/components/headers/X-Trace-Id"},
                "traceparent": {"$ref": "#/components/headers/traceparent"}}, (method, path, status)
    assert document["components"]["headers"]["traceparent"]["required"] is True
