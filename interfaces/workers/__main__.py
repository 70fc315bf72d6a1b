"""`python -m interfaces.workers interfaces.workers.actors --processes 1 --threads 4`: Dramatiq's
worker command line, with our logging set up first, so that every line the worker writes (the
parent process's too) is JSON and redacted (infrastructure.logs)."""

from __future__ import annotations

import sys

from dramatiq.cli import main

from infrastructure.logs import configure_logging
from infrastructure.settings import Settings

if __name__ == "__main__":
    configure_logging(Settings())  # Dramatiq's own logging.basicConfig then finds a handler and adds none
    sys.exit(main())
