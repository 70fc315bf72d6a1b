"""The served OpenAPI document: FastAPI's, plus the problem schema every error answer refers to,
and each JSON body's example repeated where clients' tools look for it (the media type).

FastAPI drops every null from the document, the examples' nulls too, so the examples are taken
again from the models themselves."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from application.access_rules import Rule, Scope, rule_of
from domain.values import TOKEN_ROLES
from interfaces.http.audit_models import ExportLineOut
from interfaces.http.problem_docs import ProblemOut, documented

REF = "#/components/schemas/{model}"
# Every answer's trace headers (interfaces/http/tracing.py), documented once and referred to
TRACE_HEADERS: dict[str, Any] = {
    "X-Trace-Id": {
        "description": "The request's trace id, in its logs and in the metadata of the events it wrote: the "
                       "caller's own `X-Trace-Id` when it has this shape and no valid `traceparent` came, "
                       "else the trace id of `traceparent` or of a new trace (32 hex digits)",
        "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{8,64}$"},
        "example": "4bf92f3577b34da6a3ce929d0e0e4736"},
    "traceparent": {
        "description": "W3C Trace Context: the request's own server span (a valid `traceparent` sent with "
                       "the request is its parent)",
        "required": True,
        "schema": {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"},
        "example": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
}


def described(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """An `app.openapi` that adds ProblemOut (errors refer to it by $ref, as problem+json), names
    each operation after its id, prints its access rule as its "Roles:" paragraph, and gives every
    JSON request and answer its schema's example."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            problem = ProblemOut.model_json_schema(ref_template=REF, mode="serialization")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem.pop("$defs", {}), ProblemOut=problem)
            line = ExportLineOut.model_json_schema(ref_template=REF, mode="serialization")  # an NDJSON line
            schemas.update(line.pop("$defs", {}), ExportLineOut=line)
            for name, model in _models().items():
                if "examples" in schemas.get(name, {}):
                    schemas[name]["examples"] = model.model_json_schema()["examples"]
            document["components"]["headers"] = TRACE_HEADERS
            refused = _edge_refusal(document)
            edge = {str(status): answer for status, answer in documented(413, 429).items()}
            for operation in _operations(document):  # "listPlans" -> "List plans", not the function name
                operation["summary"] = re.sub(r"(?=[A-Z])", " ", operation["operationId"]).capitalize()
                operation["responses"].setdefault("422", refused)
                if "requestBody" in operation:  # the edge's body limit
                    operation["responses"].setdefault("413", edge["413"])
                if operation.get("security"):  # a token: counted against the caller's (or IP's) limits
                    operation["responses"].setdefault("429", edge["429"])
            for method, operation in _methods(document):
                rule = rule_of(operation["operationId"])
                operation["description"] = with_roles(operation.get("description", ""), rule, method)
                _refusals(operation["responses"], rule)
                for answer in operation["responses"].values():  # every answer, errors too, is traced
                    if "$ref" not in answer:
                        answer["headers"] = {**{name: {"$ref": f"#/components/headers/{name}"}
                                                for name in TRACE_HEADERS}, **answer.get("headers", {})}
            for media in _json_bodies(document):
                example = _example(schemas, media.get("schema", {}))
                if "example" not in media and example is not None:
                    media["example"] = example
        return app.openapi_schema or {}

    return openapi


def _models() -> dict[str, type[BaseModel]]:
    """The HTTP models, by name."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for model in todo.pop().__subclasses__():
            todo.append(model)
            if model.__module__.startswith("interfaces."):
                found[model.__name__] = model
    return found


def _operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operations in document["paths"].values():
        yield from operations.values()


def _methods(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for operations in document["paths"].values():
        yield from operations.items()


def _refusals(responses: dict[str, Any], rule: Rule | None) -> None:
    """The 401 and 403 answers the rule makes possible, where the route does not document them."""
    takes_token = rule is None or not rule.public
    refuses_roles = rule is None or not rule.roles >= TOKEN_ROLES
    for status, needed in ((401, takes_token), (403, refuses_roles)):
        if needed and str(status) not in responses:
            responses[str(status)] = documented(status)[status]
    in_order = sorted(responses.items())
    responses.clear()
    responses.update(in_order)


def with_roles(description: str, rule: Rule | None, method: str) -> str:
    """The description with its "Roles:" paragraph written from the access rule (a docstring's own
    "Roles:" paragraph is replaced: the table is the truth)."""
    kept = [p for p in description.split("\n\n") if p.strip() and not p.lstrip().startswith("Roles:")]
    if rule is None:
        return "\n\n".join([*kept, "Roles: none (the route has no access rule, so nobody may call it)."])
    roles = rule.describe()
    if any(scope is not Scope.ALL for scope in rule.scopes.values()):
        roles += (" Someone else's row answers 404 by id and is left out of lists."
                  if method == "get" else " Acting on someone else's answers 403.")
    return "\n\n".join([*kept, roles])


def _edge_refusal(document: dict[str, Any]) -> dict[str, Any]:
    """The 422 that the edge's text check may answer on any route (a NUL or a lone surrogate in
    the path or the query string), documented as the routes with inputs document theirs."""
    documented = (op["responses"]["422"] for op in _operations(document) if "422" in op["responses"])
    return dict(next(documented, {"description": "Unstorable text in the path or query string"}))


def _json_bodies(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operation in _operations(document):
        answers = list(operation.get("responses", {}).values())
        for body in [operation.get("requestBody", {}), *answers]:
            yield from (m for kind, m in body.get("content", {}).items() if kind.endswith("json"))


def _example(schemas: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The first example of a schema, of the one it refers to, or a list of its items' example."""
    if "$ref" in schema:
        return _example(schemas, schemas[schema["$ref"].rsplit("/", 1)[-1]])
    if schema.get("type") == "array":
        item = _example(schemas, schema.get("items", {}))
        return None if item is None else [item]
    if "anyOf" in schema:  # an optional body: the example of what it is when present
        return next((e for s in schema["anyOf"] if (e := _example(schemas, s)) is not None), None)
    return schema["examples"][0] if schema.get("examples") else None
