"""Error types of the schema, and the one place where domain exceptions become them."""

import re
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay

from resolvers.domain import errors as domain
from resolvers.domain.files import FileProblem, FileRefused
from resolvers.domain.netiquette import NetiquetteNotAccepted
from resolvers.domain.rate_limits import RateLimited


@strawberry.interface(description="An expected failure; `message` is safe to show users.")
class Error:
    message: str


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class UnauthenticatedError(Error):
    pass


@strawberry.type
class ForbiddenError(Error):
    pass


@strawberry.type
class ValidationError(Error):
    field: str = strawberry.field(description="The input field at fault, e.g. `objectives`.")


@strawberry.type
class InvalidTransitionError(Error):
    current_status: str = strawberry.field(description="The status the object is in now.")
    action: str


@strawberry.type
class RateLimitedError(Error):
    retry_after_seconds: int


@strawberry.type(description="The user has not accepted the current netiquette: show it, "
                 "and call acceptNetiquette.")
class NetiquetteNotAcceptedError(Error):
    current_version: int


@strawberry.type(description="An uploaded file was refused: too large, of a type not "
                 "accepted, or not what it says it is. Nothing of it was kept.")
class FileRefusedError(Error):
    field: str = strawberry.field(description="The input field at fault, e.g. `file` or "
                                  "`attachments.1`.")
    problem: FileProblem
    detected_type: str | None = strawberry.field(
        description="The type its content shows, when it was recognised.")


# Each expected failure, and the error type that answers it: every payload union admits them
# all (`schema.payloads`), and a mutation's failure is answered as its type (`ErrorAsData`).
FAILURES: tuple[tuple[type[domain.DomainError], type[Error]], ...] = (
    (domain.NotFound, NotFoundError),
    (domain.Unauthenticated, UnauthenticatedError),
    (domain.Forbidden, ForbiddenError),
    (domain.ValidationFailed, ValidationError),
    (domain.InvalidTransition, InvalidTransitionError),
    (RateLimited, RateLimitedError),
    (NetiquetteNotAccepted, NetiquetteNotAcceptedError),
    (FileRefused, FileRefusedError),
)
ERROR_TYPES = tuple(error_type for _, error_type in FAILURES)


def _message(exc: domain.DomainError) -> str:
    """What a client is told: what was not found is named by the global ID it sent."""
    if isinstance(exc, domain.NotFound):
        return f"{exc.kind} {relay.to_base64(exc.type_name, exc.ident)} was not found"
    return exc.message


def error_for(exc: domain.DomainError) -> Error:
    match exc:
        case domain.NotFound():
            return NotFoundError(message=_message(exc))
        case domain.Unauthenticated():
            return UnauthenticatedError(message=exc.message)
        case domain.Forbidden():
            return ForbiddenError(message=exc.message)
        case domain.ValidationFailed(field=field):
            return ValidationError(message=exc.message, field=field)
        case FileRefused(field=field, problem=problem, detected_type=detected):
            return FileRefusedError(message=exc.message, field=field, problem=problem,
                                    detected_type=detected)
        case NetiquetteNotAccepted(current_version=version):
            return NetiquetteNotAcceptedError(message=exc.message, current_version=version)
        case RateLimited(retry_after_seconds=seconds):
            return RateLimitedError(message=exc.message, retry_after_seconds=seconds)
        case domain.InvalidTransition(status=status, action=action):
            return InvalidTransitionError(
                message=exc.message, current_status=status, action=action
            )
    raise TypeError(f"no error type for {type(exc).__name__}") from exc


class ErrorAsData:
    """Strawberry's exception handler for a use case's expected failure: where a field's
    payload union admits its error type (every mutation's does), the failure is answered as
    that type, a member of the union, instead of as a GraphQL error."""

    def __init__(self, exception_type: type[domain.DomainError], error_type: type[Error]
                 ) -> None:
        self.exception_type = exception_type
        self.error_type = error_type

    def handle(self, exception: domain.DomainError, *, field: Any, info: Any) -> Error:
        return error_for(exception)


EXCEPTION_HANDLERS = tuple(ErrorAsData(exception_type, error_type)
                           for exception_type, error_type in FAILURES)


def code_of(error_type: type) -> str:
    """The `extensions.code` of a failure whose mutation payload is `error_type`: the same
    words, in capitals (`NotFoundError`, `NOT_FOUND`), so one failure has one name."""
    words = re.findall(r"[A-Z][a-z]*", error_type.__name__.removesuffix("Error"))
    return "_".join(words).upper()


def query_error(exc: domain.DomainError) -> GraphQLError:
    """A query's expected failure, as a GraphQL error with a typed `extensions.code`."""
    code = code_of(type(error_for(exc)))
    extensions: dict[str, Any] = {"code": code}
    if isinstance(exc, domain.ValidationFailed):
        extensions["field"] = exc.field
    return GraphQLError(_message(exc), extensions=extensions)


async def answer[D, T](call: Callable[[], Awaitable[D]], to_type: Callable[[D], T]) -> T:
    """Run a use case for a query: its result as `to_type`, or a typed GraphQL error."""
    try:
        return to_type(await call())
    except domain.DomainError as exc:
        raise query_error(exc) from None


UNAUTHENTICATED = code_of(UnauthenticatedError)
RATE_LIMITED = code_of(RateLimitedError)
