"""Events ride in the document they describe: helpers that add them to a write."""

from collections.abc import Sequence
from typing import Any, cast

from resolvers.domain.events import EventDoc


def pushing(change: dict[str, Any], events: Sequence[EventDoc]) -> dict[str, Any]:
    """`change` (an update document) that also appends `events` to the outbox."""
    if not events:
        return change
    push = {**change.get("$push", {}), "outbox": {"$each": list(events)}}
    return {**change, "$push": push}


def settled[D: dict[str, Any]](doc: D | None) -> D | None:
    """`doc` as it will be stored once its events are in the log: with an empty outbox."""
    if doc is None or "outbox" not in doc:
        return doc
    return cast(D, {**doc, "outbox": []})
