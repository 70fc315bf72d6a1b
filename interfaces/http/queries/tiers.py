"""The subscription tier catalogue: static configuration, not a read model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from domain.values import Actor
from interfaces.http.deps import SystemDep, current_actor

router = APIRouter(prefix="/v1/queries/tiers", tags=["subscriptions: queries"],
                   responses={401: {"description": "Missing or invalid bearer token"}})


class TierOut(BaseModel):
    code: str
    name: str
    amount_paise: int
    period_days: int


@router.get("")
def list_tiers(_: Annotated[Actor, Depends(current_actor)], system: SystemDep) -> list[TierOut]:
    """The tiers a client may subscribe to: code, name, price in paise and period in days."""
    return [TierOut(code=t.code, name=t.name, amount_paise=t.amount_paise, period_days=t.period_days)
            for t in system.tiers]
