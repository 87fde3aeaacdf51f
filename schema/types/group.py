"""Groups, their review record, and similar-group matches."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from resolvers import content, discussions, groups, membership
from resolvers.domain.content import ReadinessItem
from resolvers.domain.discussions import DiscussionDoc
from resolvers.domain.groups import (
    GroupDoc,
    GroupStatus,
    Participation,
    is_owner,
    may_view,
    oversees,
)
from resolvers.domain.membership import GroupRole, may_read_content, role_decides_content
from resolvers.domain.oversight import current_exemption, may_see_oversight
from resolvers.domain.paging import Slice
from schema.context import Context, Info
from schema.declared import Audience, declare
from schema.errors import answer
from schema.types.common import Connection
from schema.types.discussion import Discussion
from schema.types.file import StoredFile
from schema.types.membership import Membership
from schema.types.oversight import GroupInactivity, InactivityExemption
from schema.types.page import Page
from schema.types.user import User


@strawberry.type
class ReviewEntry:
    actor_id: strawberry.Private[str]
    actor_name: str = strawberry.field(description="The actor's name at the time.")
    action: str = strawberry.field(
        description="SUBMIT, APPROVE, REJECT, REQUEST_INFO, ANSWER_INFO_REQUEST, CLOSE or EDIT."
    )
    message: str | None
    at: datetime
    from_status: GroupStatus | None
    to_status: GroupStatus

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def actor(self, info: Info) -> User | None:
        return await User.by_id(info, self.actor_id)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return cls(
            actor_id=doc["actor_id"],
            actor_name=doc["actor_name"],
            action=doc["action"],
            message=doc.get("message"),
            at=doc["at"],
            from_status=GroupStatus(doc["from_status"]) if doc.get("from_status") else None,
            to_status=GroupStatus(doc["to_status"]),
        )


@strawberry.type(description="A group that resembles a proposal, and why.")
class SimilarGroup:
    group: "Group"
    score: float = strawberry.field(description="Between 0 and 1; higher is more similar.")
    matched_terms: list[str] = strawberry.field(
        description="Shared word stems, most telling first."
    )
    shared_topics: list[str]
    shared_languages: list[str]

    @classmethod
    def from_result(cls, result: groups.SimilarGroup) -> Self:
        match = result.match
        return cls(
            group=Group.from_doc(result.group),
            score=match.score,
            matched_terms=list(match.matched_terms),
            shared_topics=list(match.shared_topics),
            shared_languages=list(match.shared_languages),
        )


@strawberry.type(description="One thing the guide asks an owner to prepare before inviting "
                 "members, and whether it is done. The guide advises; nothing is refused for "
                 "an item not done.")
class ReadinessCheck:
    item: ReadinessItem
    done: bool


async def readiness_of(info: Info, group: GroupDoc) -> list[ReadinessCheck] | None:
    """`group`'s readiness, item by item, if the caller may see it."""
    role = await info.context.loaders.viewer_roles.load(str(group["_id"]))
    checks = await content.group_readiness(store=info.context.store, actor=info.context.viewer,
                                           viewer_role=role, group=group)
    if checks is None:
        return None
    return [ReadinessCheck(item=item, done=done) for item, done in checks.items()]


@strawberry.type(description="The approval workflow's record: every step, and near-duplicates.")
class GroupReview:
    doc: strawberry.Private[GroupDoc]

    @strawberry.field(description="Every step, oldest first: who, what, when, and the message.",
                      metadata=declare(Audience.EVERYONE))
    def history(self) -> list[ReviewEntry]:
        return [ReviewEntry.from_doc(entry) for entry in self.doc["review"]["history"]]

    # Other groups, where the viewer's standing is another matter.
    @strawberry.field(description="Groups that resembled this one when it was proposed.",
                      metadata=declare(Audience.VIEWER))
    async def similar_groups(self, info: Info) -> list[SimilarGroup]:
        viewer = info.context.viewer
        assert viewer is not None
        found = await groups.recorded_similar(
            store=info.context.store, actor=viewer, group=self.doc
        )
        return [SimilarGroup.from_result(item) for item in found]


def _discussions(found: Slice[DiscussionDoc] | None) -> Connection[Discussion] | None:
    return Connection.of(found, Discussion.from_doc) if found else None


async def _owners(context: Context, groups: Sequence["Group"], _: Mapping[str, Any]) -> object:
    return await context.loaders.users.load_many([group.doc["owner_id"] for group in groups])


async def _first_discussions(
    context: Context, groups: Sequence["Group"], arguments: Mapping[str, Any]
) -> None:
    page = context.limits.page(arguments.get("first"), arguments.get("after"),
                               arguments.get("last"), arguments.get("before"))
    await context.loaders.discussions_ahead([group.doc for group in groups], page)


@strawberry.type
class Group(relay.Node):
    id: relay.NodeID[str]
    title: str
    description: str
    objectives: str
    participation: Participation
    languages: list[str] = strawberry.field(description="ISO 639-1 codes.")
    topics: list[str]
    status: GroupStatus
    featured: bool
    member_count: int
    image_url: str | None
    created_at: datetime
    updated_at: datetime
    doc: strawberry.Private[GroupDoc]

    @classmethod
    def from_doc(cls, doc: GroupDoc) -> Self:
        return cls(
            id=str(doc["_id"]),
            title=doc["title"],
            description=doc["description"],
            objectives=doc["objectives"],
            participation=Participation(doc["participation"]),
            languages=doc["languages"],
            topics=doc["topics"],
            status=GroupStatus(doc["status"]),
            featured=doc.get("featured", False),
            member_count=doc.get("member_count", 0),
            image_url=doc.get("image_url"),
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            doc=doc,
        )

    @strawberry.field(description="The image uploaded with setGroupImage(file:), with its "
                      "thumbnail; null for an image given by URL, or none.",
                      metadata=declare(Audience.EVERYONE))
    def image(self) -> StoredFile | None:
        kept = self.doc.get("image_file")
        return None if kept is None else StoredFile.of(kept)

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_owners))
    async def owner(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["owner_id"])

    @strawberry.field(description="The caller's role in this group; null if not a member.",
                      metadata=declare(Audience.STANDING))
    async def viewer_role(self, info: Info) -> GroupRole | None:
        return await info.context.loaders.viewer_roles.load(str(self.doc["_id"]))

    async def _role(self, info: Info) -> GroupRole | None:
        """The caller's role in this group where it decides what they may read (None
        elsewhere: a page of open groups reads no memberships)."""
        if role_decides_content(info.context.viewer, self.doc):
            return await info.context.loaders.viewer_roles.load(str(self.doc["_id"]))
        return None

    @strawberry.field(
        description="Markdown; null for non-members of an invite-only group, or if unset.",
        metadata=declare(Audience.STANDING),
    )
    async def welcome_message(self, info: Info) -> str | None:
        role = await self._role(info)
        readable = may_read_content(info.context.viewer, self.doc, role)
        return self.doc.get("welcome_message") if readable else None

    @strawberry.field(description="The work plan, by position; null for non-members of an "
                      "invite-only group.", metadata=declare(Audience.STANDING))
    async def pages(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Page] | None:
        ctx = info.context
        role = await self._role(info)
        return await answer(
            lambda: content.list_pages(
                store=ctx.store, actor=ctx.viewer, viewer_role=role, group=self.doc,
                page=ctx.limits.page(first, after, last, before),
            ),
            lambda found: Connection.of(found, Page.from_positioned) if found else None,
        )

    @strawberry.field(description="Members in joining order; null for non-members of an "
                      "invite-only group.", metadata=declare(Audience.STANDING))
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        role: GroupRole | None = None,
    ) -> Connection[Membership] | None:
        ctx = info.context
        viewer_role = await self._role(info)
        return await answer(
            lambda: membership.list_members(
                store=ctx.store, actor=ctx.viewer, viewer_role=viewer_role, group=self.doc,
                role=GroupRole(role) if role else None,
                page=ctx.limits.page(first, after, last, before),
            ),
            lambda found: Connection.of(found, Membership.from_doc) if found else None,
        )

    @strawberry.field(description="Pinned first, then by latest post; null for non-members of "
                      "an invite-only group.",
                      metadata=declare(Audience.STANDING, ahead=_first_discussions))
    async def discussions(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Discussion] | None:
        ctx = info.context
        page = ctx.limits.page(first, after, last, before)
        if page.first_page:  # the common case, batched across groups
            return await answer(lambda: ctx.loaders.first_discussions(group=self.doc, page=page),
                                _discussions)
        # Posts of these discussions look their group up: it is this one.
        ctx.loaders.groups.prime(str(self.doc["_id"]), self.doc)
        role = await self._role(info)
        return await answer(lambda: discussions.list_discussions(
            store=ctx.store, actor=ctx.viewer, viewer_role=role, group=self.doc, page=page,
        ), _discussions)

    @strawberry.field(description="When a post, discussion, page or member last arrived.",
                      metadata=declare(Audience.EVERYONE))
    def last_activity_at(self) -> datetime | None:
        return self.doc.get("last_activity_at")

    @strawberry.field(description="The posts (neither hidden nor deleted) of all its "
                      "discussions that the caller has not read (Discussion.unreadCount). Null "
                      "when not signed in, or for those who may not read the group.",
                      metadata=declare(Audience.VIEWER))
    async def unread_count(self, info: Info) -> int | None:
        return await info.context.loaders.unread_in_group(self.doc)

    async def _oversight_shown(self, info: Info) -> bool:
        """Whether the caller sees how the group is watched over: its owner, moderators and
        overseers do."""
        viewer = info.context.viewer
        if viewer is None or is_owner(viewer, self.doc) or oversees(viewer, self.doc):
            return viewer is not None
        role = await info.context.loaders.viewer_roles.load(str(self.doc["_id"]))
        return may_see_oversight(viewer, self.doc, role)

    @strawberry.field(description="The CSS user who watches over the group; for its owner, "
                      "moderators and the support services, null for others.",
                      metadata=declare(Audience.STANDING))
    async def advisor(self, info: Info) -> User | None:
        if not await self._oversight_shown(info):
            return None
        return await User.by_id(info, self.doc.get("advisor_id"))

    @strawberry.field(description="The exemption from the inactivity watch that holds now, if "
                      "any; for the owner, moderators and the support services.",
                      metadata=declare(Audience.STANDING, timely=True))
    async def inactivity_exemption(self, info: Info) -> InactivityExemption | None:
        exemption = current_exemption(self.doc, info.context.now())
        if exemption is None or not await self._oversight_shown(info):
            return None
        return InactivityExemption.from_record(exemption)

    @strawberry.field(description="How the inactivity watch sees the group now; for the "
                      "owner, moderators and the support services.",
                      metadata=declare(Audience.STANDING, timely=True))
    async def inactivity(self, info: Info) -> GroupInactivity | None:
        if not await self._oversight_shown(info):
            return None
        return GroupInactivity.of(self.doc, info.context.now())

    @strawberry.field(description="Each item the guide asks for before members are invited "
                      "(an image, a welcome message, pages, the work plan, an ice-breaker "
                      "activity, discussion topics), done or not. For the owner, moderators "
                      "and the support services; null for others.",
                      metadata=declare(Audience.STANDING))
    async def readiness(self, info: Info) -> list[ReadinessCheck] | None:
        return await readiness_of(info, self.doc)

    @strawberry.field(description="For the owner and the support services; null for others.",
                      metadata=declare(Audience.STANDING))
    async def review(self, info: Info) -> GroupReview | None:
        viewer = info.context.viewer
        doc = self.doc
        if viewer is None:
            return None
        if "review" not in doc:
            # An event's group carries no review record: it and who may read it are read as
            # they stand now (not through the loader, which the event's group may have primed).
            found = await info.context.store.groups.get(group_id=str(doc["_id"]))
            if found is None:
                return None
            doc = found
        if not (is_owner(viewer, doc) or oversees(viewer, doc)):
            return None
        return GroupReview(doc=doc)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        viewer = info.context.viewer
        docs = await info.context.loaders.groups.load_many(list(node_ids))
        return [cls.from_doc(doc) if doc and may_view(viewer, doc) else None for doc in docs]
