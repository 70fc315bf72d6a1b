"""The ways a command can break a rule of the domain."""


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""


class RuleViolation(DomainError):
    """The command does not fit the aggregate's current state (a conflict)."""


class InvalidValue(DomainError):
    """A value is outside what the domain accepts (unprocessable)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
