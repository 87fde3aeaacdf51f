"""Bearer JWTs: reading the caller from a request, and minting development tokens."""

import functools
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from api.settings import Settings
from resolvers.domain.actors import Actor, Role


class InvalidToken(Exception):
    """The token is malformed, badly signed, expired, or lacks a required claim."""


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` value; None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def decode_token(token: str, settings: Settings) -> tuple[Actor, datetime]:
    """The actor a token describes, and when the token expires."""
    try:
        claims: Mapping[str, Any] = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the token has expired") from error
    except jwt.InvalidTokenError as error:
        raise InvalidToken(f"the token is invalid: {error}") from error
    roles = claims.get("roles", [Role.TEACHER])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("the token's roles claim must be a list of strings")
    try:
        known = frozenset(Role(role) for role in roles)
    except ValueError as error:
        raise InvalidToken(f"the token has an unknown role: {error}") from error
    for claim in ("sub", "name", "country"):
        if not isinstance(claims.get(claim, ""), str | None):
            raise InvalidToken(f"the token's {claim} claim must be a string")
    if not claims["sub"]:
        raise InvalidToken("the token's sub claim is empty")
    country = claims.get("country")
    actor = Actor(
        id=claims["sub"],
        name=claims.get("name") or claims["sub"],
        roles=known or frozenset({Role.TEACHER}),
        country=country.upper() if country else None,
    )
    return actor, datetime.fromtimestamp(int(claims["exp"]), UTC)


class Tokens:
    """Reads the caller from bearer tokens, verifying each token once: a client sends the
    same token with every request, and verifying it costs a fair share of a small query's time
    (bench/RESULTS.md).
    A remembered token is still refused from the moment it expires."""

    def __init__(self, settings: Settings, *, capacity: int = 4_096,
                 now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._verified = functools.lru_cache(maxsize=capacity)(
            functools.partial(decode_token, settings=settings))

    def read(self, token: str) -> tuple[Actor, datetime]:
        """The actor `token` describes and when it expires; InvalidToken if it does not
        verify or has expired."""
        actor, expires = self._verified(token)
        if expires.timestamp() <= self._now():  # as PyJWT decides it
            raise InvalidToken("the token has expired")
        return actor, expires


def mint_token(
    settings: Settings,
    *,
    sub: str,
    name: str,
    roles: list[str],
    country: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> str:
    """A signed token with Agora's claims (development and tests)."""
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub,
        "name": name,
        "roles": roles,
        "iat": issued,
        "exp": issued + ttl,
    }
    if country:
        claims["country"] = country
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)
