"""What subscriptions watch, and how each decides, event by event, what its subscriber may
receive. A watch's state (the subscriber's roles) is read when its stream starts, then follows
the live log, so every decision is made with the standing the subscriber has at delivery."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from resolvers.domain.actors import Actor
from resolvers.domain.events import (
    EventDoc,
    EventKind,
    concerns_user,
    may_receive,
    role_after,
)
from resolvers.domain.groups import oversees
from resolvers.domain.membership import LEADERS, GroupRole, Standing, standing
from resolvers.domain.notifications import (
    Following,
    NotifyLevel,
    may_see_notified,
    notifies,
    post_followers,
)
from subscriptions.stream import Decision, StreamEnded

_ENDINGS = {
    EventKind.MEMBER_LEFT: "You left this group, so its events no longer reach you",
    EventKind.MEMBER_REMOVED: "You were removed from this group, so its events no longer "
                              "reach you",
}


@dataclass(eq=False)
class GroupWatch:
    """Events of one group, optionally of one discussion and some kinds. It ends when the
    subscriber's membership ends (unless they oversee the group as CSS or NSS)."""

    actor: Actor
    group_id: str
    # Reads whether the subscriber may watch the group now, and their role there.
    current_role: Callable[[], Awaitable[tuple[bool, GroupRole | None]]]
    role: GroupRole | None = None  # read by `refresh`, then kept by live events
    kinds: frozenset[EventKind] | None = None
    discussion_id: str | None = None

    def wants(self, event: EventDoc) -> bool:
        if event["group_id"] != self.group_id:
            return False
        if concerns_user(event, self.actor.id):  # it may change what they may see
            return True
        return self._kind_wanted(event) and self.discussion_id in (
            None, event.get("discussion_id"))

    def _kind_wanted(self, event: EventDoc) -> bool:
        return self.kinds is None or event["kind"] in self.kinds

    async def refresh(self) -> None:
        allowed, self.role = await self.current_role()
        if not allowed:
            raise StreamEnded("You may no longer follow this group's events")

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        if live and concerns_user(event, self.actor.id):
            self.role = role_after(event)
            ending = _ENDINGS.get(EventKind(event["kind"]))
            if ending and not oversees(self.actor, event["group"]):
                raise StreamEnded(ending)
        if not self._kind_wanted(event):
            return Decision.SKIP
        if self.discussion_id is not None and event.get("discussion_id") != self.discussion_id:
            return Decision.SKIP
        return Decision.DELIVER if may_receive(self.actor, self.role, event) else Decision.SKIP

    def standing(self, event: EventDoc) -> Standing:
        return standing(self.actor, event["group"], self.role)


@dataclass(eq=False)
class FeedWatch:
    """Events of many groups: those the subscriber oversees (CSS, NSS), leads, owns (with
    `owned_only`) or advises (with `advised_only`). `roles` holds the subscriber's role in
    each group they belong to."""

    actor: Actor
    kinds: frozenset[EventKind]
    # Reads the subscriber's role in each group they belong to, now.
    current_roles: Callable[[], Awaitable[dict[str, GroupRole]]]
    roles: dict[str, GroupRole] = field(default_factory=dict)  # read by `refresh`, then kept
    owned_only: bool = False
    advised_only: bool = False

    def wants(self, event: EventDoc) -> bool:
        return event["kind"] in self.kinds or concerns_user(event, self.actor.id)

    async def refresh(self) -> None:
        self.roles = await self.current_roles()

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        group_id = event["group_id"]
        if live and concerns_user(event, self.actor.id):
            role = role_after(event)
            if role is None:
                self.roles.pop(group_id, None)
            else:
                self.roles[group_id] = role
        if event["kind"] not in self.kinds:
            return Decision.SKIP
        group = event["group"]
        role = self.roles.get(group_id)
        if self.owned_only:
            in_scope = group.get("owner_id") == self.actor.id
        elif self.advised_only:
            in_scope = group.get("advisor_id") == self.actor.id and oversees(self.actor, group)
        else:
            in_scope = oversees(self.actor, group) or role in LEADERS
        if in_scope and may_receive(self.actor, role, event):
            return Decision.DELIVER
        return Decision.SKIP

    def standing(self, event: EventDoc) -> Standing:
        return standing(self.actor, event["group"], self.roles.get(event["group_id"]))


@dataclass(frozen=True, slots=True)
class Followed:
    """What a subscriber follows: discussions, mutes, and their level in each group."""

    discussions: frozenset[str] = frozenset()
    muted: frozenset[str] = frozenset()
    levels: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class NotificationWatch:
    """The subscriber's notifications, made from each event as the notifier makes them, of
    what they may see of it at delivery. `roles` is kept as in `FeedWatch`; what they follow
    is read when the stream starts, and changes as they post, follow and mute."""

    actor: Actor
    current_roles: Callable[[], Awaitable[dict[str, GroupRole]]]
    current_followed: Callable[[], Awaitable[Followed]]
    roles: dict[str, GroupRole] = field(default_factory=dict)
    followed: Followed = field(default_factory=Followed)
    # The discussions and groups whose following the subscriber changed while subscribed:
    # their posts may concern them now, in groups they are not members of too.
    refollowed: set[str] = field(default_factory=set)

    def _notified(self, event: EventDoc) -> bool:
        if notifies(event, self.actor.id):
            return True
        if event["kind"] != EventKind.POST_ADDED:
            return False
        following = self.followed
        discussion, level = event.get("discussion_id"), following.levels.get(event["group_id"])
        watchers = frozenset({self.actor.id}) if (
            discussion in following.discussions or level == NotifyLevel.ALL) else frozenset()
        unwatched = frozenset({self.actor.id}) if (
            discussion in following.muted or level == NotifyLevel.NONE) else frozenset()
        return bool(post_followers(event, Following(followers=watchers, muted=unwatched)))

    def wants(self, event: EventDoc) -> bool:
        """Cheap, and asked as events are handed out, before `decide` has seen the ones
        before: a new post in one of the subscriber's groups may concern a discussion they
        just started, or followed, so `decide` judges it."""
        if self._following_changed(event):
            self.refollowed.add(event["subject"].get("discussion_id") or event["group_id"])
            return True
        return (self._notified(event) or concerns_user(event, self.actor.id)
                or _posted_by(event, self.actor.id)
                or (event["kind"] == EventKind.POST_ADDED and (
                    event["group_id"] in self.roles
                    or event["group_id"] in self.refollowed
                    or event.get("discussion_id") in self.refollowed)))

    def _following_changed(self, event: EventDoc) -> bool:
        return (event["kind"] == EventKind.FOLLOWING_CHANGED
                and event["subject"].get("user_id") == self.actor.id)

    def _follow(self, change: dict[str, Any], group_id: str) -> None:
        """What the subscriber follows, as a FOLLOWING_CHANGED event of theirs says now."""
        followed = self.followed
        if "notify_level" in change:
            self.followed = replace(followed, levels={**followed.levels,
                                                      group_id: change["notify_level"]})
        elif change.get("muted"):
            self.followed = replace(followed, muted=followed.muted | {change["discussion_id"]},
                                    discussions=followed.discussions - {change["discussion_id"]})
        else:
            self.followed = replace(followed,
                                    discussions=followed.discussions | {change["discussion_id"]},
                                    muted=followed.muted - {change["discussion_id"]})

    async def refresh(self) -> None:
        self.roles = await self.current_roles()
        self.followed = await self.current_followed()

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        if live and concerns_user(event, self.actor.id):
            role = role_after(event)
            if role is None:
                self.roles.pop(event["group_id"], None)
            else:
                self.roles[event["group_id"]] = role
        if self._following_changed(event):
            if live:
                self._follow(event["subject"], event["group_id"])
            return Decision.SKIP
        if live and _posted_by(event, self.actor.id):  # who posts follows, unless muted
            discussion = event.get("discussion_id") or str(event["subject"]["_id"])
            if discussion not in self.followed.muted:
                self.followed = replace(self.followed,
                                        discussions=self.followed.discussions | {discussion})
        if not self._notified(event) or not may_see_notified(
                self.actor, event["group"], self.roles.get(event["group_id"]), event):
            return Decision.SKIP
        return Decision.DELIVER

    def standing(self, event: EventDoc) -> Standing:
        return standing(self.actor, event["group"], self.roles.get(event["group_id"]))


def _posted_by(event: EventDoc, user_id: str) -> bool:
    return event["kind"] in (EventKind.POST_ADDED, EventKind.DISCUSSION_STARTED) and (
        (event.get("actor") or {}).get("id") == user_id)
