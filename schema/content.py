"""Group content mutations: image, welcome message, pages."""

import strawberry

from resolvers import content
from resolvers.domain.content import PageKind
from schema.context import Info
from schema.inputs import (
    AddPageInput,
    MovePageInput,
    RemovePageInput,
    SetGroupImageInput,
    SetWelcomeMessageInput,
    UpdatePageInput,
    node_id,
    uploaded,
)
from schema.payloads import (
    AddPagePayload,
    MovePagePayload,
    RemovePagePayload,
    SetGroupImagePayload,
    SetWelcomeMessagePayload,
    UpdatePagePayload,
)
from schema.types.group import Group
from schema.types.page import Page


@strawberry.type
class ContentMutation:
    @strawberry.mutation(description="Owners and moderators of an active group: an image "
                         "as a URL, or uploaded as a file (the GraphQL multipart request).")
    async def set_group_image(
        self, info: Info, input: SetGroupImageInput
    ) -> SetGroupImagePayload:
        ctx = info.context
        return Group.from_doc(await content.set_group_image(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            url=input.url, upload=uploaded(input.file, "file"), now=ctx.now(),
        ))

    @strawberry.mutation(description="Owners and moderators of an active group.")
    async def set_welcome_message(
        self, info: Info, input: SetWelcomeMessageInput
    ) -> SetWelcomeMessagePayload:
        ctx = info.context
        return Group.from_doc(await content.set_welcome_message(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            message=input.message, now=ctx.now(),
        ))

    @strawberry.mutation(description="Add a page, an ice-breaker activity or the work plan.")
    async def add_page(self, info: Info, input: AddPageInput) -> AddPagePayload:
        ctx = info.context
        return Page.from_positioned(await content.add_page(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            title=input.title, body=input.body, kind=PageKind(input.kind),
            position=input.position, now=ctx.now(),
        ))

    @strawberry.mutation
    async def update_page(self, info: Info, input: UpdatePageInput) -> UpdatePagePayload:
        ctx = info.context
        changes = content.PageChanges(
            title=input.title, body=input.body, kind=PageKind(input.kind) if input.kind else None
        )
        return Page.from_positioned(await content.update_page(
            store=ctx.store, actor=ctx.viewer, page_id=node_id(input.page_id, "Page"),
            changes=changes, now=ctx.now(),
        ))

    @strawberry.mutation
    async def move_page(self, info: Info, input: MovePageInput) -> MovePagePayload:
        ctx = info.context
        return Page.from_positioned(await content.move_page(
            store=ctx.store, actor=ctx.viewer, page_id=node_id(input.page_id, "Page"),
            position=input.position, now=ctx.now(),
        ))

    @strawberry.mutation(description="Remove a page; returns its group.")
    async def remove_page(self, info: Info, input: RemovePageInput) -> RemovePagePayload:
        ctx = info.context
        return Group.from_doc(await content.remove_page(
            store=ctx.store, actor=ctx.viewer, page_id=node_id(input.page_id, "Page"),
            now=ctx.now(),
        ))
