"""Expected failures of use cases; `schema/errors.py` maps each to a GraphQL error type."""


class DomainError(Exception):
    """A failure the caller can act on; its message is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """`kind` `ident` does not exist, or the caller may not see it. The schema names it to
    clients by its global ID, of `type_name` (`kind` unless it says otherwise)."""

    def __init__(self, kind: str, ident: str, *, type_name: str | None = None) -> None:
        super().__init__(f"{kind} {ident} was not found")
        self.kind = kind
        self.ident = ident
        self.type_name = type_name or kind


class Unauthenticated(DomainError):
    def __init__(self) -> None:
        super().__init__("Sign in to do this")


class Forbidden(DomainError):
    pass


class ValidationFailed(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(DomainError):
    def __init__(self, status: str, action: str, message: str | None = None) -> None:
        super().__init__(message or f"A {status} group cannot be changed by {action}")
        self.status = status
        self.action = action
