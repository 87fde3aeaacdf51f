"""Who is acting: the signed-in user, as the token describes them."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TEACHER = "TEACHER"
    CSS = "CSS"  # the Central Support Service
    NSS = "NSS"  # a National Support Service, scoped to its country


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    roles: frozenset[Role]
    country: str | None = None

    @property
    def is_css(self) -> bool:
        return Role.CSS in self.roles

    @property
    def nss_country(self) -> str | None:
        """The country this actor supports as NSS, or None."""
        return self.country if Role.NSS in self.roles else None
