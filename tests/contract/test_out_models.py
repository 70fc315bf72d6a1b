"""The enumerations the Out models document are the domain's own, value for value."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel

from domain.payment import PaymentMethod, PaymentStatus, PurposeKind, UpiApp
from domain.plan import PlanKind, PlanOrigin, PlanStatus
from domain.subscription import SubscriptionStatus
from domain.workout_session import SessionStatus
from interfaces.http.queries.payments import PaymentOut
from interfaces.http.queries.plans import PlanOut
from interfaces.http.queries.subscriptions import SubscriptionOut
from interfaces.http.queries.workout_sessions import WorkoutSessionOut


def literal_values(model: type[BaseModel], field: str) -> set[Any]:
    """The values the documented schema of a field allows (null left out: that is nullability)."""
    schema = model.model_json_schema(mode="serialization")["properties"][field]
    parts = [schema, *schema.get("anyOf", [])]
    return {v for part in parts for v in part.get("enum", [part["const"]] if "const" in part else [])}


@pytest.mark.parametrize(("model", "field", "enum"), [
    (PlanOut, "kind", PlanKind), (PlanOut, "status", PlanStatus), (PlanOut, "source", PlanOrigin),
    (PaymentOut, "status", PaymentStatus), (PaymentOut, "method", PaymentMethod),
    (PaymentOut, "upi_app", UpiApp), (PaymentOut, "purpose", PurposeKind),
    (SubscriptionOut, "status", SubscriptionStatus), (WorkoutSessionOut, "status", SessionStatus),
])
def test_each_documented_enumeration_lists_exactly_the_domain_values(model, field, enum: type[Enum]):
    assert literal_values(model, field) == {member.value for member in enum}
