"""Failures the application layer adds to the domain's own."""

from uuid import UUID


class ApplicationError(Exception):
    """A command could not be carried out; nothing was recorded."""


class NotFound(ApplicationError):
    def __init__(self, kind: str, aggregate_id: UUID | str) -> None:
        super().__init__(f"no {kind} with id {aggregate_id}")


class Forbidden(ApplicationError):
    """The actor may not act on this aggregate."""


class VersionConflict(ApplicationError):
    """The aggregate has moved on from the version the command expected."""


class BadSignature(ApplicationError):
    """A gateway signature (Checkout callback, webhook) does not verify; nothing was recorded."""


class MalformedNotice(ApplicationError):
    """A signed webhook body is not a gateway event we can read; nothing was recorded."""


class IdempotencyKeyReused(ApplicationError):
    """The idempotency key was first used with another command or body."""
