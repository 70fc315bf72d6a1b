"""The subscription tier catalogue: static configuration, not a read model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented

router = APIRouter(prefix="/v1/queries/tiers", tags=["subscriptions: queries"])


class TierOut(BaseModel):
    """A subscription tier of the catalogue."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "basic_monthly", "name": "Basic, monthly", "amount_paise": 49900, "period_days": 30}]})
    code: str
    name: str
    amount_paise: int
    period_days: int


@router.get("", response_model=list[TierOut], responses=documented(401), operation_id="listTiers")
def list_tiers(_: Annotated[Actor, Depends(current_actor)], system: SystemDep) -> list[TierOut]:
    """The tiers a client may subscribe to: code, name, price in paise and period in days."""
    return [TierOut(code=t.code, name=t.name, amount_paise=t.amount_paise, period_days=t.period_days)
            for t in system.tiers]
