"""The gymgenius command line: the init step and the server."""

from __future__ import annotations

import typer
import uvicorn

from infrastructure.bootstrap import init_storage
from infrastructure.settings import Settings

cli = typer.Typer(help="GymGenius Core operations.", no_args_is_help=True)


@cli.command()
def init() -> None:
    """Create the event-store tables and read-model schema (run once per deployment)."""
    settings = Settings()
    init_storage(settings)
    typer.echo(f"storage ready ({settings.profile} profile)")


@cli.command()
def serve(workers: int = 1) -> None:
    """Serve the API (and Socket.IO) on HOST:PORT."""
    settings = Settings()
    uvicorn.run(
        "interfaces.asgi:create", factory=True, host=settings.host, port=settings.port,
        workers=workers, proxy_headers=True, log_level="info",
    )


if __name__ == "__main__":
    cli()
