"""Discussion, post and moderation queries and mutations."""

from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import discussions, moderation, moderation_log, reports
from resolvers.domain.paging import Slice
from resolvers.domain.reports import ReportAction, ReportReason, ReportStatus
from resolvers.groups import visible_group
from resolvers.store.moderation_log import LogEntry
from schema.context import Info
from schema.errors import answer
from schema.inputs import (
    AddPostInput,
    DeletePostInput,
    EditPostInput,
    FileReportInput,
    HidePostInput,
    LockDiscussionInput,
    MarkDiscussionReadInput,
    PinDiscussionInput,
    ReportPostInput,
    ResolveReportInput,
    RestorePostInput,
    StartDiscussionInput,
    node_id,
    reported_kind,
    uploaded_all,
)
from schema.payloads import (
    AddPostPayload,
    DeletePostPayload,
    EditPostPayload,
    FileReportPayload,
    HidePostPayload,
    LockDiscussionPayload,
    MarkDiscussionReadPayload,
    PinDiscussionPayload,
    ReportPostPayload,
    ResolveReportPayload,
    RestorePostPayload,
    StartDiscussionPayload,
)
from schema.permissions import IsAuthenticated
from schema.types.common import Connection
from schema.types.discussion import Discussion, InactiveGroupEntry, ModerationLogEntry, Post, Report


@strawberry.type
class DiscussionQuery:
    @strawberry.field(description="A discussion; null if absent or not readable by the caller.")
    async def discussion(self, info: Info, id: relay.GlobalID) -> Discussion | None:
        if id.type_name != "Discussion":
            return None
        ctx = info.context
        found = await discussions.read_discussion(
            store=ctx.store, actor=ctx.viewer, discussion_id=id.node_id
        )
        if found is None:
            return None
        doc, group, role = found
        # Its posts look the group and the caller's role up again: they are these.
        ctx.loaders.groups.prime(doc["group_id"], group)
        ctx.loaders.viewer_roles.prime(doc["group_id"], role)
        return Discussion.from_doc(doc)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Reports in the groups the caller moderates, newest first.",
    )
    async def reports(
        self, info: Info, status: ReportStatus | None = None,
        group_id: relay.GlobalID | None = None, first: int | None = None,
        after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Report]:
        ctx = info.context
        return await answer(
            lambda: reports.list_reports(
                store=ctx.store, actor=ctx.viewer,
                status=ReportStatus(status) if status else None,
                group_id=node_id(group_id, "Group") if group_id else None,
                page=ctx.limits.page(first, after, last, before),
            ),
            lambda page: Connection.of(page, Report.from_doc),
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Every moderation and review action in a group, newest first.",
    )
    async def moderation_log(
        self, info: Info, group_id: relay.GlobalID, first: int | None = None,
        after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[ModerationLogEntry]:
        ctx = info.context

        async def entries() -> Slice[LogEntry]:
            assert ctx.viewer is not None
            group = await visible_group(ctx.store, ctx.viewer, node_id(group_id, "Group"))
            role = await ctx.loaders.viewer_roles.load(str(group["_id"]))
            return await moderation_log.entries(
                store=ctx.store, actor=ctx.viewer, viewer_role=role, group=group,
                page=ctx.limits.page(first, after, last, before),
            )

        return await answer(entries, lambda page: Connection.of(page, ModerationLogEntry.from_doc))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="CSS (NSS: their country): groups due for a suggestion to close them, "
        "idlest first.",
    )
    async def inactive_groups(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        advised_only: Annotated[bool, strawberry.argument(
            description="Only the groups the caller advises.")] = False,
    ) -> Connection[InactiveGroupEntry]:
        ctx = info.context
        return await answer(
            lambda: moderation.inactive_groups(
                store=ctx.store, actor=ctx.viewer, page=ctx.limits.page(first, after, last, before),
                now=ctx.now(), advised_only=advised_only,
            ),
            lambda page: Connection.of(page, InactiveGroupEntry.from_result),
        )


@strawberry.type
class DiscussionMutation:
    @strawberry.mutation(description="Members open a discussion with its first post.")
    async def start_discussion(
        self, info: Info, input: StartDiscussionInput
    ) -> StartDiscussionPayload:
        ctx = info.context
        return Discussion.from_doc(await discussions.start_discussion(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            title=input.title, body=input.body, now=ctx.now(), limits=ctx.rate_limits,
        ))

    @strawberry.mutation(description="Members post, optionally replying to a post.")
    async def add_post(self, info: Info, input: AddPostInput) -> AddPostPayload:
        ctx = info.context
        return Post.from_doc(await discussions.add_post_with_files(
            store=ctx.store, actor=ctx.viewer,
            discussion_id=node_id(input.discussion_id, "Discussion"), body=input.body,
            reply_to_id=node_id(input.reply_to_id, "Post") if input.reply_to_id else None,
            client_mutation_id=input.client_mutation_id, now=ctx.now(),
            limits=ctx.rate_limits, uploads=uploaded_all(input.attachments, "attachments"),
        ))

    @strawberry.mutation(description="The caller has read a discussion up to a post: its "
                         "unreadCount, and its group's, count only the posts after it. Marking "
                         "an earlier post than before changes nothing.")
    async def mark_discussion_read(
        self, info: Info, input: MarkDiscussionReadInput
    ) -> MarkDiscussionReadPayload:
        ctx = info.context
        return Discussion.from_doc(await discussions.mark_discussion_read(
            store=ctx.store, actor=ctx.viewer,
            discussion_id=node_id(input.discussion_id, "Discussion"),
            up_to=None if input.up_to is None else node_id(input.up_to, "Post"), now=ctx.now(),
        ))

    @strawberry.mutation(description="The author edits; moderators keep seeing old versions.")
    async def edit_post(self, info: Info, input: EditPostInput) -> EditPostPayload:
        ctx = info.context
        return Post.from_doc(await discussions.edit_post(
            store=ctx.store, actor=ctx.viewer, post_id=node_id(input.post_id, "Post"),
            body=input.body, now=ctx.now(), limits=ctx.rate_limits,
        ))

    @strawberry.mutation(description="The author or a moderator; a tombstone stays.")
    async def delete_post(self, info: Info, input: DeletePostInput) -> DeletePostPayload:
        ctx = info.context
        return Post.from_doc(await discussions.delete_post(
            store=ctx.store, actor=ctx.viewer, post_id=node_id(input.post_id, "Post"),
            now=ctx.now(),
        ))

    @strawberry.mutation(description="Moderators: hidden posts reach moderators only.")
    async def hide_post(self, info: Info, input: HidePostInput) -> HidePostPayload:
        ctx = info.context
        return Post.from_doc(await moderation.hide_post(
            store=ctx.store, actor=ctx.viewer, post_id=node_id(input.post_id, "Post"),
            reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation
    async def restore_post(self, info: Info, input: RestorePostInput) -> RestorePostPayload:
        ctx = info.context
        return Post.from_doc(await moderation.restore_post(
            store=ctx.store, actor=ctx.viewer, post_id=node_id(input.post_id, "Post"),
            reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="Moderators lock (or, with locked: false, unlock).")
    async def lock_discussion(
        self, info: Info, input: LockDiscussionInput
    ) -> LockDiscussionPayload:
        ctx = info.context
        return Discussion.from_doc(await moderation.flag_discussion(
            store=ctx.store, actor=ctx.viewer,
            discussion_id=node_id(input.discussion_id, "Discussion"), flag="locked",
            value=input.locked, reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="Moderators pin (or, with pinned: false, unpin).")
    async def pin_discussion(self, info: Info, input: PinDiscussionInput) -> PinDiscussionPayload:
        ctx = info.context
        return Discussion.from_doc(await moderation.flag_discussion(
            store=ctx.store, actor=ctx.viewer,
            discussion_id=node_id(input.discussion_id, "Discussion"), flag="pinned",
            value=input.pinned, reason=None, now=ctx.now(),
        ))

    @strawberry.mutation(description="Report a post; one open report per user and post.")
    async def report_post(self, info: Info, input: ReportPostInput) -> ReportPostPayload:
        ctx = info.context
        return Report.from_doc(await reports.report_post(
            store=ctx.store, actor=ctx.viewer, post_id=node_id(input.post_id, "Post"),
            reason=ReportReason(input.reason), note=input.note, now=ctx.now(),
            limits=ctx.rate_limits,
        ))

    @strawberry.mutation(description="Report a post, discussion, page or group; one open "
                         "report per user and object. Reports on a group go to the support "
                         "services.")
    async def file_report(self, info: Info, input: FileReportInput) -> FileReportPayload:
        ctx = info.context
        target = input.target_id
        return Report.from_doc(await reports.file_report(
            store=ctx.store, actor=ctx.viewer, target=reported_kind(target),
            target_id=target.node_id, reason=ReportReason(input.reason), note=input.note,
            now=ctx.now(), limits=ctx.rate_limits,
        ))

    @strawberry.mutation(description="Moderators act on a report and close it, with every "
                         "other open report on the same object.")
    async def resolve_report(
        self, info: Info, input: ResolveReportInput
    ) -> ResolveReportPayload:
        ctx = info.context
        return Report.from_doc(await reports.resolve_report(
            store=ctx.store, actor=ctx.viewer, report_id=node_id(input.report_id, "Report"),
            action=ReportAction(input.action), note=input.note, now=ctx.now(),
        ))
