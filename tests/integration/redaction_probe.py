"""Loaded into a real worker beside interfaces.workers.actors by the log-redaction test: an actor
that fails as a real one may, on an SQL statement whose parameters hold personal data."""

from __future__ import annotations

import os

import dramatiq
import sqlalchemy as sa

QUEUE = "redaction_probe"


@dramatiq.actor(queue_name=QUEUE, actor_name="store_contact", max_retries=0)
def store_contact(name: str, email: str, phone: str, token: str) -> None:
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO no_such_contacts (name, email, phone, token) "
                                 "VALUES (:name, :email, :phone, :token)"),
                         {"name": name, "email": email, "phone": phone, "token": token})
    finally:
        engine.dispose()
