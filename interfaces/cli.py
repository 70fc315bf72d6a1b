"""The gymgenius command line: the init step, the server, and read-model rebuilds."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.locks import RebuildRunning
from infrastructure.logs import configure_logging
from infrastructure.projection_runtime import UnknownProjection
from infrastructure.settings import Settings
from interfaces.cli_audit import audit_cli
from projections.engine import PoisonEvent

cli = typer.Typer(help="GymGenius Core operations.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")


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
    configure_logging(settings)  # uvicorn's lines too (log_config=None: it adds no handler of its own)
    uvicorn.run(
        "interfaces.asgi:create", factory=True, host=settings.host, port=settings.port,
        workers=workers, proxy_headers=True, log_level="info", log_config=None,
    )


@cli.command()
def rebuild(name: Annotated[str, typer.Argument(help="A read model, as the admin API names it")]) -> None:
    """Rebuild one read model from every event into fresh tables, then swap it in; queries keep
    answering from the old rows meanwhile, and no client is pushed anything."""
    system = bootstrap(Settings())
    try:
        system.projections.model(name)
        with _progress() as bar:
            task = bar.add_task(f"rebuilding {name}", total=None)
            position = system.projections.rebuild(
                name, progress=lambda at, head: bar.update(task, completed=at, total=max(head, at)))
        typer.echo(f"rebuilt {name} up to position {position}")
    except UnknownProjection:
        known = ", ".join(system.projections.models)
        raise typer.BadParameter(f"no read model named {name} (known: {known})") from None
    except RebuildRunning as error:
        typer.echo(f"not rebuilding {name}: {error}; try again once it has finished", err=True)
        raise typer.Exit(75) from None  # EX_TEMPFAIL
    except PoisonEvent as error:
        typer.echo(f"rebuild of {name} stopped, the live read model is untouched: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        system.close()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("events"), TimeElapsedColumn())


if __name__ == "__main__":
    cli()
