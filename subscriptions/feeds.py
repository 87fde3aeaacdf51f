"""The subscriptions: who may open each, and the stream each one reads."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from resolvers.discussions import read_discussion, readable_group
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import may_read
from resolvers.domain.errors import Forbidden, NotFound, ValidationFailed
from resolvers.domain.events import MODERATION_KINDS, EventKind
from resolvers.domain.groups import GroupDoc, may_view, oversees, require_actor
from resolvers.domain.membership import LEADERS, GroupRole
from resolvers.groups import visible_group
from resolvers.membership import role_of
from resolvers.store import Store
from subscriptions.fanout import Fanout
from subscriptions.stream import Delivery, stream
from subscriptions.watches import FeedWatch, Followed, GroupWatch, NotificationWatch

# What a client showing a stream of new posts needs: the posts, and what to take down.
POST_KINDS = frozenset({EventKind.POST_ADDED, EventKind.POST_HIDDEN, EventKind.POST_DELETED})


async def _roles(store: Store, actor: Actor) -> dict[str, GroupRole]:
    found = await store.memberships.roles_by_group(user_id=actor.id)
    return {group_id: GroupRole(role) for group_id, role in found.items()}


def _role_now(
    store: Store, actor: Actor, group_id: str,
    may_watch: Callable[[Actor, GroupDoc, GroupRole | None], bool],
) -> Callable[[], Awaitable[tuple[bool, GroupRole | None]]]:
    """Reads whether `actor` may watch the group now, and their role there."""
    async def read() -> tuple[bool, GroupRole | None]:
        group = await store.groups.get(group_id=group_id)
        if group is None:
            return False, None
        role = await role_of(store, group, actor.id)
        return may_watch(actor, group, role), role
    return read


def _member_or_overseer(actor: Actor, group: GroupDoc, role: GroupRole | None) -> bool:
    return role is not None or oversees(actor, group)


def _sees_group(actor: Actor, group: GroupDoc, _role: GroupRole | None) -> bool:
    return may_view(actor, group)


async def post_added(
    *, store: Store, fanout: Fanout, actor: Actor | None, discussion_id: str | None,
    group_id: str | None, after: str | None,
) -> AsyncIterator[Delivery]:
    """New posts of one discussion, or of a whole group, for those who may read them, and
    the take-downs (hidden or deleted) of posts shown before."""
    actor = require_actor(actor)
    if (discussion_id is None) == (group_id is None):
        raise ValidationFailed("discussionId", "give either discussionId or groupId")
    if discussion_id is not None:
        found = await read_discussion(store=store, actor=actor, discussion_id=discussion_id)
        if found is None:
            raise NotFound("Discussion", discussion_id)
        discussion, group, _ = found
        group_id = discussion["group_id"]
    else:
        assert group_id is not None
        group, _ = await readable_group(store, actor, group_id, "Group", group_id)
    watch = GroupWatch(actor=actor, group_id=str(group["_id"]),
                       current_role=_role_now(store, actor, str(group["_id"]), may_read),
                       kinds=POST_KINDS, discussion_id=discussion_id)
    return stream(fanout=fanout, log=store.events, watch=watch, after=after)


async def group_activity(
    *, store: Store, fanout: Fanout, actor: Actor | None, group_id: str, after: str | None,
) -> AsyncIterator[Delivery]:
    """Every event of one group, for its members (and the support services)."""
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    role = await role_of(store, group, actor.id)
    if role is None and not oversees(actor, group):
        raise Forbidden("Only the group's members follow its activity")
    watch = GroupWatch(actor=actor, group_id=group_id,
                       current_role=_role_now(store, actor, group_id, _member_or_overseer))
    return stream(fanout=fanout, log=store.events, watch=watch, after=after)


async def group_status_changed(
    *, store: Store, fanout: Fanout, actor: Actor | None, group_id: str | None,
    after: str | None,
) -> AsyncIterator[Delivery]:
    """Status changes of one group; without a group, of all groups the caller oversees (CSS,
    NSS) or owns."""
    actor = require_actor(actor)
    kinds = frozenset({EventKind.GROUP_STATUS_CHANGED})
    if group_id is not None:
        await visible_group(store, actor, group_id)
        watch: GroupWatch | FeedWatch = GroupWatch(
            actor=actor, group_id=group_id, kinds=kinds,
            current_role=_role_now(store, actor, group_id, _sees_group),
        )
    else:
        overseer = actor.is_css or actor.nss_country is not None
        watch = FeedWatch(actor=actor, kinds=kinds, current_roles=lambda: _roles(store, actor),
                          owned_only=not overseer)
    return stream(fanout=fanout, log=store.events, watch=watch, after=after)


async def moderation_feed(
    *, store: Store, fanout: Fanout, actor: Actor | None, kinds: Iterable[EventKind] | None,
    after: str | None, advised_only: bool = False,
) -> AsyncIterator[Delivery]:
    """New pending groups, reports, hidden posts, status changes, inactivity flags and what
    the support services decide: all for the CSS, a country for NSS, their groups for group
    moderators; with `advised_only`, the groups the caller advises."""
    actor = require_actor(actor)
    wanted = MODERATION_KINDS if kinds is None else frozenset(kinds) & MODERATION_KINDS
    if not wanted:
        raise ValidationFailed("kinds", "none of these kinds appear in the moderation feed")
    roles = await _roles(store, actor)
    leads = any(role in LEADERS for role in roles.values())
    if not (actor.is_css or actor.nss_country is not None or leads):
        raise Forbidden("The moderation feed is for moderators and the support services")
    if advised_only and not actor.is_css:
        raise Forbidden("Advisors are members of the Central Support Service")
    watch = FeedWatch(actor=actor, kinds=wanted, current_roles=lambda: _roles(store, actor),
                      advised_only=advised_only)
    return stream(fanout=fanout, log=store.events, watch=watch, after=after)


async def notification_added(
    *, store: Store, fanout: Fanout, actor: Actor | None, after: str | None,
) -> AsyncIterator[Delivery]:
    """The events that notify the caller, as they happen, each as they may see it then."""
    actor = require_actor(actor)
    watch = NotificationWatch(actor=actor, current_roles=lambda: _roles(store, actor),
                              current_followed=lambda: _followed(store, actor))
    return stream(fanout=fanout, log=store.events, watch=watch, after=after)


async def _followed(store: Store, actor: Actor) -> Followed:
    follows = await store.follows.of_user(user_id=actor.id)
    return Followed(
        discussions=frozenset(doc["discussion_id"] for doc in follows if not doc.get("muted")),
        muted=frozenset(doc["discussion_id"] for doc in follows if doc.get("muted")),
        levels=await store.memberships.levels_by_group(user_id=actor.id),
    )
