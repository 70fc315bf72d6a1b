"""Development tokens: only where the profile allows them, never in production."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from domain.values import Role
from interfaces.http.deps import SystemDep
from interfaces.http.problem_docs import documented
from interfaces.http.problems import Problem

router = APIRouter(prefix="/v1/dev", tags=["development"])


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"uid": "client-42", "role": "client"}]})
    uid: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
    role: Literal["client", "trainer", "nutritionist", "admin", "superadmin", "auditor"]


class DevTokenOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "eyJhbGciOiJI.eyJzdWIi.c2ln"}]})
    token: str


@router.post("/tokens", response_model=DevTokenOut, operation_id="issueDevToken",
             responses=documented(404, 422, say={404: "Development tokens are off in this profile"}))
def issue_dev_token(body: DevTokenRequest, system: SystemDep) -> DevTokenOut:
    """Issue a 30-minute development token for any uid and role (development profiles only)."""
    if system.dev_tokens is None:
        raise Problem(404, "Not Found", "development tokens are off in this profile")
    return DevTokenOut(token=system.dev_tokens.issue(body.uid, Role(body.role)))
