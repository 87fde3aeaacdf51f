"""Permission classes for query fields; mutations return their errors as data instead."""

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info
from schema.errors import UNAUTHENTICATED


class IsAuthenticated(BasePermission):
    message = "Sign in to do this"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None
