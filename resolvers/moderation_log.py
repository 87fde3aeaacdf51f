"""The moderation log: who did what to what, why and when; appended to, never changed."""

from datetime import datetime

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import ModerationAction, may_moderate
from resolvers.domain.errors import Forbidden
from resolvers.domain.groups import GroupDoc, require_actor
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest, Slice
from resolvers.store import Store
from resolvers.store.groups import position_id
from resolvers.store.moderation_log import LogEntry


async def record(
    store: Store, *, actor: Actor, group: GroupDoc, action: ModerationAction, target_kind: str,
    target_id: str, reason: str | None, now: datetime,
) -> LogEntry:
    entry: LogEntry = {
        "group_id": str(group["_id"]),
        "actor_id": actor.id,
        "actor_name": actor.name,
        "action": action.value,
        "target_kind": target_kind,
        "target_id": target_id,
        "reason": reason,
        "at": now,
    }
    return await store.moderation_log.append(entry=entry)


async def entries(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
    page: PageRequest,
) -> Slice[LogEntry]:
    """Newest first; for the group's moderators and the support services."""
    actor = require_actor(actor)
    if not may_moderate(actor, group, viewer_role):
        raise Forbidden("Only the group's moderators and the support services read its log")
    return page.sliced(await store.moderation_log.page(
        group_id=str(group["_id"]), seek=page.seek(position_id), limit=page.limit()
    ), lambda doc: str(doc["_id"]))
