"""Oversight queries and mutations: advisors, exemptions from the inactivity watch, and
candidates for featuring."""

import strawberry

from resolvers import oversight
from resolvers.domain.oversight import FeaturingStatus
from schema.context import Info
from schema.errors import answer
from schema.inputs import (
    AssignAdvisorInput,
    DecideFeaturingCandidateInput,
    EndInactivityExemptionInput,
    ExemptFromInactivityInput,
    ProposeForFeaturingInput,
    node_id,
)
from schema.payloads import (
    AssignAdvisorPayload,
    DecideFeaturingCandidatePayload,
    EndInactivityExemptionPayload,
    ExemptFromInactivityPayload,
    ProposeForFeaturingPayload,
)
from schema.permissions import IsAuthenticated
from schema.types.common import Connection
from schema.types.group import Group
from schema.types.oversight import FeaturingCandidate


@strawberry.type
class OversightQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="CSS: the groups the caller advises, newest first.")
    async def advised_groups(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Group]:
        ctx = info.context
        return await answer(
            lambda: oversight.advised_groups(
                store=ctx.store, actor=ctx.viewer, page=ctx.limits.page(first, after, last, before)
            ),
            lambda page: Connection.of(page, Group.from_doc),
        )

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Groups the NSS proposed for featuring, newest first: all "
                      "for the CSS, their country's for NSS.")
    async def featuring_candidates(
        self, info: Info, status: FeaturingStatus | None = None, first: int | None = None,
        after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[FeaturingCandidate]:
        ctx = info.context
        return await answer(
            lambda: oversight.featuring_candidates(
                store=ctx.store, actor=ctx.viewer, status=status,
                page=ctx.limits.page(first, after, last, before),
            ),
            lambda page: Connection.of(page, FeaturingCandidate.from_doc),
        )


@strawberry.type
class OversightMutation:
    @strawberry.mutation(description="CSS: a CSS user becomes the group's advisor, who "
                         "watches its activity; null removes the advisor.")
    async def assign_advisor(self, info: Info, input: AssignAdvisorInput) -> AssignAdvisorPayload:
        ctx = info.context
        advisor = input.advisor_id
        return Group.from_doc(await oversight.assign_advisor(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            advisor_id=node_id(advisor, "User") if advisor else None, now=ctx.now(),
        ))

    @strawberry.mutation(description="CSS, or the NSS of the group's country: the group is "
                         "not due for inactivity until `until`.")
    async def exempt_from_inactivity(
        self, info: Info, input: ExemptFromInactivityInput
    ) -> ExemptFromInactivityPayload:
        ctx = info.context
        return Group.from_doc(await oversight.exempt_from_inactivity(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            until=input.until, reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="CSS, or the NSS of the group's country: the group's "
                         "exemption ends now.")
    async def end_inactivity_exemption(
        self, info: Info, input: EndInactivityExemptionInput
    ) -> EndInactivityExemptionPayload:
        ctx = info.context
        return Group.from_doc(await oversight.end_inactivity_exemption(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="NSS: propose an active group of their country to the "
                         "CSS for featuring.")
    async def propose_for_featuring(
        self, info: Info, input: ProposeForFeaturingInput
    ) -> ProposeForFeaturingPayload:
        ctx = info.context
        return FeaturingCandidate.from_doc(await oversight.propose_for_featuring(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="CSS: accept a candidate (the group becomes featured) or "
                         "decline it.")
    async def decide_featuring_candidate(
        self, info: Info, input: DecideFeaturingCandidateInput
    ) -> DecideFeaturingCandidatePayload:
        ctx = info.context
        return FeaturingCandidate.from_doc(await oversight.decide_featuring(
            store=ctx.store, actor=ctx.viewer,
            candidate_id=node_id(input.candidate_id, "FeaturingCandidate"), accept=input.accept,
            note=input.note, now=ctx.now(),
            keep_moderators=[node_id(user, "User") for user in input.keep_moderators or []],
        ))
