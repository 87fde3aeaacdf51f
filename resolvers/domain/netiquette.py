"""The netiquette: the rules the CSS publishes, in numbered versions, and who has accepted
which. A member accepts the current version on joining; one who has not accepted it is asked
to before their next post."""

from datetime import datetime
from typing import TypedDict

from resolvers.domain.actors import Actor
from resolvers.domain.errors import DomainError, Forbidden, ValidationFailed
from resolvers.domain.forms import checked_text

TEXT_LENGTH = (1, 50_000)


class NetiquetteDoc(TypedDict, total=False):
    """One version, as stored in the `netiquette` collection; the highest is current."""

    _id: int  # the version, from 1
    text: str
    by_id: str
    by_name: str
    at: datetime


class NetiquetteNotAccepted(DomainError):
    def __init__(self, version: int) -> None:
        super().__init__(f"Read and accept the netiquette (version {version}) before posting")
        self.current_version = version


def checked_netiquette(text: str) -> str:
    return checked_text("text", text, TEXT_LENGTH)


def check_may_publish(actor: Actor) -> None:
    if not actor.is_css:
        raise Forbidden("Only the Central Support Service sets the netiquette")


def accepted_version(current: NetiquetteDoc | None, given: int | None) -> int | None:
    """The version a user accepts when they say they accept `given` (None: the current one,
    as joining does); ValidationFailed for any version but the current."""
    if current is None:
        if given is not None:
            raise ValidationFailed("netiquetteVersion", "No netiquette has been published")
        return None
    if given is not None and given != current["_id"]:
        raise ValidationFailed("netiquetteVersion",
                               f"The netiquette is at version {current['_id']}: show that one "
                               "and accept it")
    return current["_id"]


def check_accepted(current: NetiquetteDoc | None, accepted: int | None) -> None:
    """Posting needs the current version accepted, once there is one."""
    if current is not None and (accepted or 0) < current["_id"]:
        raise NetiquetteNotAccepted(current["_id"])
