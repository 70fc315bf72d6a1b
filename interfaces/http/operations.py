"""Operational routes: liveness for orchestrators, with no token."""

from fastapi import APIRouter

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer while the process is alive; it touches no database."""
    return {"status": "ok"}
