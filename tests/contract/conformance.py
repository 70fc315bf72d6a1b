"""Checks an answer against the OpenAPI document: its status is documented for the route, its
content type is the documented one, and its JSON body fits the documented schema."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from jsonschema import Draft202012Validator

NDJSON = "application/x-ndjson"  # one JSON body per line, each fitting the schema


def operation_of(document: dict[str, Any], method: str, path: str) -> tuple[str, str] | None:
    """The documented (path template, method) that serves a request; literal paths win."""
    found = [template for template, operations in document["paths"].items()
             if method.lower() in operations and re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path)]
    return (min(found, key=lambda t: t.count("{")), method.lower()) if found else None


def mismatches(document: dict[str, Any], answer: httpx.Response) -> list[str]:
    """What in this answer the document does not describe (nothing for unrouted requests)."""
    found = operation_of(document, answer.request.method, answer.request.url.path)
    if found is None:
        return []
    path, method = found
    where = f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}"
    documented = document["paths"][path][method]["responses"].get(str(answer.status_code))
    if documented is None:
        return [f"{where}: status not documented"]
    missing = [f"{where}: no {h} header" for h in documented.get("headers", {}) if h not in answer.headers]
    kind = answer.headers.get("content-type", "").split(";")[0].strip()
    media = documented.get("content", {}).get(kind)
    if media is None:
        return [*missing, f"{where}: content type {kind!r} not in {sorted(documented.get('content', {}))}"]
    if not kind.endswith("json"):
        return missing
    schema = {**media["schema"], "components": document["components"]}
    bodies = [json.loads(line) for line in answer.text.splitlines()] if kind == NDJSON else [answer.json()]
    return [*missing, *(f"{where}: {e.json_path}: {e.message}"
                        for body in bodies for e in Draft202012Validator(schema).iter_errors(body))]
