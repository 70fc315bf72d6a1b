"""What a query reads through: an async connection to the read models, each statement on its own
(SQLAlchemy's AsyncConnection in the embedded profile, a pooled sync one run in threads on
PostgreSQL: infrastructure/readstore.py)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Result
from sqlalchemy.sql import Executable


class ReadConnection(Protocol):
    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> Result[*tuple[Any, ...]]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...
