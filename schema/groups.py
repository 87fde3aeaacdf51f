"""Group queries and mutations: proposing, listing, similar groups, and the approval workflow."""

import strawberry
from strawberry import relay

from resolvers import groups
from resolvers.domain.groups import GroupAction, GroupOrder, GroupStatus
from resolvers.store.groups import GroupFilter
from schema.context import Info
from schema.errors import answer
from schema.inputs import (
    AnswerInfoRequestInput,
    ApproveGroupInput,
    CloseGroupInput,
    CreateGroupInput,
    GroupFilterInput,
    RejectGroupInput,
    ReopenGroupInput,
    RequestGroupInfoInput,
    SimilarGroupsInput,
    UpdateGroupInput,
    WithdrawGroupInput,
    node_id,
)
from schema.payloads import CreateGroupPayload, ReviewGroupPayload, UpdateGroupPayload
from schema.permissions import IsAuthenticated
from schema.types.common import Connection
from schema.types.group import Group, SimilarGroup


def _filter(given: GroupFilterInput | None) -> GroupFilter:
    if given is None:
        return GroupFilter()
    return GroupFilter(
        status=GroupStatus(given.status) if given.status else None,
        topic=" ".join(given.topic.lower().split()) if given.topic else None,
        language=given.language.strip().lower() if given.language else None,
        search_terms=groups.search_terms(given.search),
        featured=given.featured,
    )


@strawberry.type
class GroupQuery:
    @strawberry.field(description="Any object by its global ID; null if hidden or absent.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        try:
            return await id.resolve_node(info, required=False)
        except relay.GlobalIDValueError:
            return None

    @strawberry.field(description="A group by its ID; null if it does not exist or is hidden.")
    async def group(self, info: Info, id: relay.GlobalID) -> Group | None:
        if id.type_name != "Group":
            return None
        doc = await groups.get_group(
            store=info.context.store, actor=info.context.viewer, group_id=id.node_id
        )
        return Group.from_doc(doc) if doc else None

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first, or by members, or by latest activity. A "
                      "cursor holds its place in the order it came from.")
    async def groups(
        self, info: Info, filter: GroupFilterInput | None = None, first: int | None = None,
        after: str | None = None,
        last: int | None = None, before: str | None = None,
        order_by: GroupOrder = GroupOrder.NEWEST,
    ) -> Connection[Group]:
        ctx = info.context
        return await answer(
            lambda: groups.list_groups(
                store=ctx.store, actor=ctx.viewer, criteria=_filter(filter),
                page=ctx.limits.page(first, after, last, before), order=order_by,
            ),
            lambda page: Connection.of(page, Group.from_doc),
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Groups awaiting review, oldest first: all for the CSS, a country for NSS.",
    )
    async def review_queue(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Group]:
        ctx = info.context
        return await answer(
            lambda: groups.review_queue(
                store=ctx.store, actor=ctx.viewer, page=ctx.limits.page(first, after, last, before)
            ),
            lambda page: Connection.of(page, Group.from_doc),
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Active and pending groups like a proposal, most similar first.",
    )
    async def similar_groups(
        self, info: Info, input: SimilarGroupsInput, first: int | None = None
    ) -> list[SimilarGroup]:
        ctx = info.context
        excluded = input.exclude_group_id
        return await answer(
            lambda: groups.similar_groups(
                store=ctx.store, actor=ctx.viewer, proposal=input.to_profile(), first=first,
                max_size=ctx.limits.max_page_size,
                exclude_group_id=node_id(excluded, "Group") if excluded else None,
            ),
            lambda found: [SimilarGroup.from_result(item) for item in found],
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="How many of the closest matches to a proposal are other teachers' "
        "proposals awaiting review. They are not shown; the guide asks a proposer to join a "
        "similar group rather than open another, so one may wait for their review.",
    )
    async def similar_pending_proposals(self, info: Info, input: SimilarGroupsInput) -> int:
        ctx = info.context
        excluded = input.exclude_group_id
        return await answer(
            lambda: groups.pending_similar(
                store=ctx.store, actor=ctx.viewer, proposal=input.to_profile(),
                exclude_group_id=node_id(excluded, "Group") if excluded else None,
            ),
            lambda count: count,
        )


async def _transition(
    info: Info, group_id: relay.GlobalID, action: GroupAction, message: tuple[str, str | None],
    input_changes: AnswerInfoRequestInput | None = None,
) -> Group:
    ctx = info.context
    field, text = message
    return Group.from_doc(await groups.transition_group(
        store=ctx.store, actor=ctx.viewer, group_id=node_id(group_id, "Group"),
        action=action, message=text, message_field=field, now=ctx.now(),
        changes=input_changes.to_changes() if input_changes else None,
    ))


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="Propose a group; it waits for the CSS as PENDING.")
    async def create_group(self, info: Info, input: CreateGroupInput) -> CreateGroupPayload:
        ctx = info.context
        return Group.from_doc(await groups.create_group(
            store=ctx.store, actor=ctx.viewer, form=input.to_form(), now=ctx.now(),
            similar_recorded=ctx.limits.similar_recorded, featured=input.featured,
            limits=ctx.rate_limits,
        ))

    @strawberry.mutation(description="The owner edits the form of a pending or active group.")
    async def update_group(self, info: Info, input: UpdateGroupInput) -> UpdateGroupPayload:
        ctx = info.context
        return Group.from_doc(await groups.update_group(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            changes=input.to_changes(), now=ctx.now(),
        ))

    @strawberry.mutation(description="CSS: PENDING to ACTIVE.")
    async def approve_group(self, info: Info, input: ApproveGroupInput) -> ReviewGroupPayload:
        return await _transition(info, input.group_id, GroupAction.APPROVE, ("note", input.note))

    @strawberry.mutation(description="CSS: PENDING to REJECTED, with a reason.")
    async def reject_group(self, info: Info, input: RejectGroupInput) -> ReviewGroupPayload:
        return await _transition(info, input.group_id, GroupAction.REJECT, ("reason", input.reason))

    @strawberry.mutation(description="CSS: PENDING to INFO_REQUESTED, with what is needed.")
    async def request_group_info(
        self, info: Info, input: RequestGroupInfoInput
    ) -> ReviewGroupPayload:
        return await _transition(
            info, input.group_id, GroupAction.REQUEST_INFO, ("message", input.message)
        )

    @strawberry.mutation(description="Owner: INFO_REQUESTED to PENDING, optionally editing.")
    async def answer_info_request(
        self, info: Info, input: AnswerInfoRequestInput
    ) -> ReviewGroupPayload:
        return await _transition(
            info, input.group_id, GroupAction.ANSWER_INFO_REQUEST, ("message", input.message), input
        )

    @strawberry.mutation(description="Owner, CSS, or the NSS of the group's country: ACTIVE "
                         "to CLOSED, with a reason. A closed group is read-only.")
    async def close_group(self, info: Info, input: CloseGroupInput) -> ReviewGroupPayload:
        return await _transition(info, input.group_id, GroupAction.CLOSE, ("reason", input.reason))

    @strawberry.mutation(description="CSS: CLOSED to ACTIVE, with a reason.")
    async def reopen_group(self, info: Info, input: ReopenGroupInput) -> ReviewGroupPayload:
        return await _transition(info, input.group_id, GroupAction.REOPEN,
                                 ("reason", input.reason))

    @strawberry.mutation(description="Owner: PENDING or INFO_REQUESTED to WITHDRAWN, before the "
                         "CSS decides; optionally saying why (joining a similar group, say).")
    async def withdraw_group(self, info: Info, input: WithdrawGroupInput) -> ReviewGroupPayload:
        return await _transition(info, input.group_id, GroupAction.WITHDRAW,
                                 ("reason", input.reason))

