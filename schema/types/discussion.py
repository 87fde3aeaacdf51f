"""Discussions, posts, reports, the moderation log, and inactive groups."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from resolvers import discussions
from resolvers.domain.discussions import DiscussionDoc, PostDoc, may_moderate
from resolvers.domain.inactivity import InactivityRule
from resolvers.domain.paging import Slice
from resolvers.domain.reports import (
    ReportAction,
    ReportReason,
    ReportStatus,
    ReportTarget,
    may_handle,
    target_of,
)
from resolvers.moderation import InactiveGroup
from resolvers.store.moderation_log import LogEntry
from resolvers.store.reports import ReportDoc
from schema.context import Context, Info
from schema.declared import Audience, declare
from schema.errors import answer
from schema.types.common import Connection
from schema.types.file import StoredFile
from schema.types.page import Page
from schema.types.user import User

if TYPE_CHECKING:
    from schema.types.group import Group


GroupRef = Annotated["Group", strawberry.lazy("schema.types.group")]


async def _group(info: Info, group_id: str) -> "Group | None":
    from schema.types.group import Group

    doc = await info.context.loaders.groups.load(group_id)
    return Group.from_doc(doc) if doc else None


async def _moderates(info: Info, group_id: str, target: ReportTarget | None = None) -> bool:
    """Whether the caller moderates the group (with `target`: handles reports on it)."""
    viewer = info.context.viewer
    if viewer is None:
        return False
    group = await info.context.loaders.groups.load(group_id)
    role = await info.context.loaders.viewer_roles.load(group_id)
    if group is None:
        return False
    return may_moderate(viewer, group, role) if target is None else may_handle(
        viewer, group, role, target)


async def _authors(context: Context, items: Sequence[Any], _: Mapping[str, Any]) -> object:
    """The authors of posts or discussions, for their `author`."""
    return await context.loaders.users.load_many([item.doc["author_id"] for item in items])


def _posts(found: Slice[PostDoc]) -> "Connection[Post]":
    return Connection.of(found, Post.from_doc)


@strawberry.type
class Hidden:
    reason: str
    at: datetime
    by_name: str


@strawberry.type
class PostVersion:
    body: str
    until: datetime = strawberry.field(description="When this version was replaced.")


@strawberry.type(description="A post; deleted posts stay as tombstones so replies keep context.")
class Post(relay.Node):
    id: relay.NodeID[str]
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    doc: strawberry.Private[PostDoc]

    @classmethod
    def from_doc(cls, doc: PostDoc) -> Self:
        return cls(
            id=str(doc["_id"]), created_at=doc["created_at"], edited_at=doc.get("edited_at"),
            deleted_at=doc.get("deleted_at"), doc=doc,
        )

    @strawberry.field(description="Markdown; null once deleted.",
                      metadata=declare(Audience.EVERYONE))
    def body(self) -> str | None:
        return None if self.doc.get("deleted_at") else self.doc["body"]

    @strawberry.field(description="Files attached to it; none once deleted.",
                      metadata=declare(Audience.EVERYONE))
    def attachments(self) -> list[StoredFile]:
        if self.doc.get("deleted_at"):
            return []
        return [StoredFile.of(kept) for kept in self.doc.get("attachments", [])]

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_authors))
    async def author(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["author_id"])

    @strawberry.field(description="The post this one answers, if any.",
                      metadata=declare(Audience.EVERYONE))
    def reply_to_id(self) -> relay.GlobalID | None:
        reply_to = self.doc.get("reply_to_id")
        return relay.GlobalID("Post", reply_to) if reply_to else None

    @strawberry.field(description="Moderators only: why and when the post was hidden.",
                      metadata=declare(Audience.STANDING))
    async def hidden(self, info: Info) -> Hidden | None:
        record = self.doc.get("hidden")
        if record is None or not await _moderates(info, self.doc["group_id"]):
            return None
        return Hidden(reason=record["reason"], at=record["at"], by_name=record["by_name"])

    @strawberry.field(description="Moderators only: earlier versions, oldest first.",
                      metadata=declare(Audience.STANDING))
    async def versions(self, info: Info) -> list[PostVersion] | None:
        if not await _moderates(info, self.doc["group_id"]):
            return None
        doc = self.doc
        if "versions" not in doc:  # an event's post: the history stays on the post
            doc = await info.context.store.posts.get(post_id=str(doc["_id"])) or {}
        return [PostVersion(body=v["body"], until=v["until"]) for v in doc.get("versions", [])]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list[Self | None]:
        ctx = info.context
        result: list[Self | None] = []
        for node_id in node_ids:
            post = await ctx.store.posts.get(post_id=node_id)
            visible = post is not None and await discussions.get_discussion(
                store=ctx.store, actor=ctx.viewer, discussion_id=post["discussion_id"]
            ) is not None
            if visible and post is not None and post.get("hidden"):
                visible = await _moderates(info, post["group_id"])
            result.append(cls.from_doc(post) if visible and post else None)
        return result


@strawberry.type
class Discussion(relay.Node):
    id: relay.NodeID[str]
    title: str
    created_at: datetime
    last_post_at: datetime
    post_count: int
    pinned: bool
    locked: bool
    doc: strawberry.Private[DiscussionDoc]

    @classmethod
    def from_doc(cls, doc: DiscussionDoc) -> Self:
        return cls(
            id=str(doc["_id"]), title=doc["title"], created_at=doc["created_at"],
            last_post_at=doc["last_post_at"], post_count=doc["post_count"],
            pinned=doc["pinned"], locked=doc["locked"], doc=doc,
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_authors))
    async def author(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["author_id"])

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def group(self, info: Info) -> GroupRef | None:
        return await _group(info, self.doc["group_id"])

    @strawberry.field(description="The posts (neither hidden nor deleted) the caller has not "
                      "read: those after the last they marked read or wrote. Null when not "
                      "signed in.",
                      metadata=declare(Audience.VIEWER))
    async def unread_count(self, info: Info) -> int | None:
        return await info.context.loaders.unread_in_discussion(self.doc)

    @strawberry.field(description="In creation order; hidden posts only for moderators.",
                      metadata=declare(Audience.STANDING))
    async def posts(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Post]:
        ctx = info.context
        group_id = self.doc["group_id"]
        group = await ctx.loaders.groups.load(group_id)
        role = await ctx.loaders.viewer_roles.load(group_id)
        assert group is not None
        page = ctx.limits.page(first, after, last, before)
        if page.first_page:  # the common case, batched across discussions
            return await answer(
                lambda: ctx.loaders.first_posts(
                    discussion=self.doc, group=group, viewer_role=role, page=page
                ),
                _posts,
            )
        return await answer(
            lambda: discussions.list_posts(
                store=ctx.store, actor=ctx.viewer, viewer_role=role, group=group,
                discussion=self.doc, page=page,
            ),
            _posts,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list[Self | None]:
        ctx = info.context
        found = [
            await discussions.get_discussion(store=ctx.store, actor=ctx.viewer,
                                             discussion_id=node_id)
            for node_id in node_ids
        ]
        return [cls.from_doc(doc) if doc else None for doc in found]


@strawberry.type
class ReportResolution:
    action: ReportAction
    note: str | None
    by_name: str
    at: datetime


async def _post(info: Info, post_id: str) -> Post | None:
    post = await info.context.store.posts.get(post_id=post_id)
    return Post.from_doc(post) if post else None


ReportedObject = Annotated[
    Post | Discussion | Page | GroupRef,
    strawberry.union("ReportedObject", description="A post, discussion, page or group."),
]


@strawberry.type
class Report(relay.Node):
    id: relay.NodeID[str]
    reason: ReportReason
    note: str | None
    status: ReportStatus
    created_at: datetime
    resolution: ReportResolution | None
    doc: strawberry.Private[ReportDoc]

    @classmethod
    def from_doc(cls, doc: ReportDoc) -> Self:
        resolution = doc.get("resolution")
        return cls(
            id=str(doc["_id"]), reason=ReportReason(doc["reason"]), note=doc.get("note"),
            status=ReportStatus(doc["status"]), created_at=doc["created_at"],
            resolution=ReportResolution(
                action=ReportAction(resolution["action"]), note=resolution.get("note"),
                by_name=resolution["by_name"], at=resolution["at"],
            ) if resolution else None,
            doc=doc,
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def reporter(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["reporter_id"])

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def target_kind(self) -> ReportTarget:
        return target_of(self.doc.get("target_kind"))

    @strawberry.field(description="The reported post, for those who handle the report; null "
                      "for a report on something else, or once the post is gone.",
                      metadata=declare(Audience.STANDING))
    async def post(self, info: Info) -> Post | None:
        target = target_of(self.doc.get("target_kind"))
        if target is not ReportTarget.POST or not await _moderates(
                info, self.doc["group_id"], target):
            return None
        return await _post(info, self.doc["target_id"])

    @strawberry.field(description="What was reported, as it stands now, for those who handle "
                      "the report; null once it is gone.", metadata=declare(Audience.STANDING))
    async def target(self, info: Info) -> ReportedObject | None:
        from schema.types.group import Group

        store, ident = info.context.store, self.doc["target_id"]
        target = target_of(self.doc.get("target_kind"))
        if not await _moderates(info, self.doc["group_id"], target):
            return None  # its reporter, told it was resolved, sees it no more than others
        match target:
            case ReportTarget.POST:
                return await _post(info, ident)
            case ReportTarget.DISCUSSION:
                discussion = await store.discussions.get(discussion_id=ident)
                return Discussion.from_doc(discussion) if discussion else None
            case ReportTarget.PAGE:
                page = await store.pages.get(page_id=ident)
                return Page.from_doc(page) if page else None
        group = await info.context.loaders.groups.load(ident)
        return Group.from_doc(group) if group else None

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def group(self, info: Info) -> GroupRef | None:
        return await _group(info, self.doc["group_id"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list[Self | None]:
        result: list[Self | None] = []
        for node_id in node_ids:
            report = await info.context.store.reports.get(report_id=node_id)
            visible = report is not None and await _moderates(
                info, report["group_id"], target_of(report.get("target_kind")))
            result.append(cls.from_doc(report) if visible and report else None)
        return result


@strawberry.type(description="One moderation or review action; the log is append-only.")
class ModerationLogEntry:
    id: strawberry.ID
    action: str
    actor_name: str
    target_kind: str
    target_id: str
    reason: str | None
    at: datetime
    actor_id: strawberry.Private[str]

    @classmethod
    def from_doc(cls, doc: LogEntry) -> Self:
        return cls(
            id=strawberry.ID(str(doc["_id"])), action=doc["action"],
            actor_name=doc["actor_name"], target_kind=doc["target_kind"],
            target_id=doc["target_id"], reason=doc.get("reason"), at=doc["at"],
            actor_id=doc["actor_id"],
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def actor(self, info: Info) -> User | None:
        return await User.by_id(info, self.actor_id)


@strawberry.type(description="A group due for a suggestion to close it.")
class InactiveGroupEntry:
    days_inactive: int
    rule: InactivityRule
    group: GroupRef

    @classmethod
    def from_result(cls, item: InactiveGroup) -> Self:
        from schema.types.group import Group

        return cls(
            days_inactive=item.verdict.days_inactive, rule=item.verdict.rule,
            group=Group.from_doc(item.group),
        )
