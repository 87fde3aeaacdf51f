"""Groups, their review record, and similar-group matches."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from resolvers import content, discussions, groups, membership
from resolvers.domain.groups import (
    GroupDoc,
    GroupStatus,
    Participation,
    is_owner,
    may_view,
    oversees,
)
from resolvers.domain.membership import GroupRole, may_read_content, role_decides_content
from resolvers.domain.paging import Page as DocPage
from resolvers.domain.paging import PageRequest
from resolvers.loaders import Soon, awaited, then
from schema.context import Info
from schema.errors import answer, answer_soon
from schema.execution import resolved
from schema.selections import node_fields
from schema.types.common import Connection
from schema.types.discussion import Discussion
from schema.types.membership import GroupRoleType, Membership
from schema.types.page import Page
from schema.types.user import User

GroupStatusType = strawberry.enum(GroupStatus, name="GroupStatus")
ParticipationType = strawberry.enum(Participation, name="Participation")


@strawberry.type
class ReviewEntry:
    actor_id: strawberry.Private[str]
    actor_name: str = strawberry.field(description="The actor's name at the time.")
    action: str = strawberry.field(
        description="SUBMIT, APPROVE, REJECT, REQUEST_INFO, ANSWER_INFO_REQUEST, CLOSE or EDIT."
    )
    message: str | None
    at: datetime
    from_status: GroupStatusType | None  # type: ignore[valid-type]
    to_status: GroupStatusType  # type: ignore[valid-type]

    @strawberry.field
    def actor(self, info: Info) -> User | None:
        return User.by_id(info, self.actor_id)

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


@strawberry.type(description="The approval workflow's record: every step, and near-duplicates.")
class GroupReview:
    doc: strawberry.Private[GroupDoc]

    @strawberry.field(description="Every step, oldest first: who, what, when, and the message.")
    def history(self) -> list[ReviewEntry]:
        return [ReviewEntry.from_doc(entry) for entry in self.doc["review"]["history"]]

    @strawberry.field(description="Groups that resembled this one when it was proposed.")
    async def similar_groups(self, info: Info) -> list[SimilarGroup]:
        viewer = info.context.viewer
        assert viewer is not None
        found = await groups.recorded_similar(
            store=info.context.store, actor=viewer, group=self.doc
        )
        return [SimilarGroup.from_result(item) for item in found]


@strawberry.type
class Group(relay.Node):
    id: relay.NodeID[str]
    title: str
    description: str
    objectives: str
    participation: ParticipationType  # type: ignore[valid-type]
    languages: list[str] = strawberry.field(description="ISO 639-1 codes.")
    topics: list[str]
    status: GroupStatusType  # type: ignore[valid-type]
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

    @strawberry.field
    def owner(self, info: Info) -> User | None:
        return User.by_id(info, self.doc["owner_id"])

    @strawberry.field(description="The caller's role in this group; null if not a member.")
    async def viewer_role(self, info: Info) -> GroupRoleType | None:  # type: ignore[valid-type]
        return await info.context.loaders.viewer_roles.load(str(self.doc["_id"]))

    def _role(self, info: Info) -> Soon[GroupRole | None]:
        """The caller's role in this group where it decides what they may read (None
        elsewhere: a page of open groups reads no memberships)."""
        if role_decides_content(info.context.viewer, self.doc):
            return info.context.loaders.viewer_roles.load(str(self.doc["_id"]))
        return None

    @strawberry.field(
        description="Markdown; null for non-members of an invite-only group, or if unset."
    )
    async def welcome_message(self, info: Info) -> str | None:
        role = await awaited(self._role(info))
        readable = may_read_content(info.context.viewer, self.doc, role)
        return self.doc.get("welcome_message") if readable else None

    @strawberry.field(description="The work plan, by position; null for non-members of an "
                      "invite-only group.")
    async def pages(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Page] | None:
        ctx = info.context
        role = await awaited(self._role(info))
        return await answer(
            lambda: content.list_pages(
                store=ctx.store, actor=ctx.viewer, viewer_role=role, group=self.doc,
                page=ctx.limits.page(first, after),
            ),
            lambda found: Connection.of(found, Page.from_positioned) if found else None,
        )

    @strawberry.field(description="Members in joining order; null for non-members of an "
                      "invite-only group.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None,
        role: GroupRoleType | None = None,  # type: ignore[valid-type]
    ) -> Connection[Membership] | None:
        ctx = info.context
        viewer_role = await awaited(self._role(info))
        return await answer(
            lambda: membership.list_members(
                store=ctx.store, actor=ctx.viewer, viewer_role=viewer_role, group=self.doc,
                role=GroupRole(role) if role else None, page=ctx.limits.page(first, after),
            ),
            lambda found: Connection.of(found, Membership.from_doc) if found else None,
        )

    @strawberry.field(description="Pinned first, then by latest post; null for non-members of "
                      "an invite-only group.")
    def discussions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Discussion] | None:
        ctx = info.context
        page = ctx.limits.page(first, after)
        # Posts of these discussions look their group up: it is this one.
        ctx.loaders.groups.prime(str(self.doc["_id"]), self.doc)
        if after is None:  # the common case: loaded ahead for a page of groups, else batched
            return resolved(answer_soon(
                lambda: then(self._role(info), lambda role: ctx.loaders.first_discussions(
                    group=self.doc, viewer_role=role, page=page)),
                lambda found: Connection.of(found, Discussion.from_doc) if found else None,
            ))
        return resolved(self._discussions_after(info, page))

    async def _discussions_after(
        self, info: Info, page: PageRequest
    ) -> Connection[Discussion] | None:
        ctx = info.context
        role = await awaited(self._role(info))
        return await answer(
            lambda: discussions.list_discussions(
                store=ctx.store, actor=ctx.viewer, viewer_role=role, group=self.doc, page=page
            ),
            lambda found: Connection.of(found, Discussion.from_doc) if found else None,
        )

    @strawberry.field(description="When a post, discussion, page or member last arrived.")
    def last_activity_at(self) -> datetime | None:
        return self.doc.get("last_activity_at")

    @strawberry.field(description="For the owner and the support services; null for others.")
    def review(self, info: Info) -> GroupReview | None:
        viewer = info.context.viewer
        if viewer is None or not (is_owner(viewer, self.doc) or oversees(viewer, self.doc)):
            return None
        return GroupReview(doc=self.doc)

    @classmethod
    async def connection(cls, info: Info, page: DocPage[GroupDoc]) -> Connection["Group"]:
        """A page of groups as the connection `info`'s field returns, with what the fields
        selected on its nodes need loaded ahead for the whole page: their owners and first
        pages of discussions (`Loaders.load_ahead`)."""
        selected = list(node_fields(info))
        await info.context.loaders.load_ahead(
            page.items,
            owners=any(name == "owner" for name, _ in selected),
            discussions=[info.context.limits.page(arguments.get("first"), arguments.get("after"))
                         for name, arguments in selected if name == "discussions"],
        )
        return Connection.of(page, cls.from_doc)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        viewer = info.context.viewer
        docs = await info.context.loaders.groups.load_many(list(node_ids))
        return [cls.from_doc(doc) if doc and may_view(viewer, doc) else None for doc in docs]
