"""The netiquette: reading it, publishing a version, accepting it."""

import strawberry

from resolvers import netiquette
from schema.context import Info
from schema.inputs import AcceptNetiquetteInput, SetNetiquetteInput
from schema.payloads import AcceptNetiquettePayload, SetNetiquettePayload
from schema.types.netiquette import Netiquette


@strawberry.type
class NetiquetteQuery:
    @strawberry.field(description="The current netiquette; null until the CSS publishes one.")
    async def netiquette(self, info: Info) -> Netiquette | None:
        doc = await netiquette.current(info.context.store)
        return Netiquette.from_doc(doc) if doc else None


@strawberry.type
class NetiquetteMutation:
    @strawberry.mutation(description="CSS: publish a new version; members are asked to accept "
                         "it before their next post.")
    async def set_netiquette(self, info: Info, input: SetNetiquetteInput) -> SetNetiquettePayload:
        ctx = info.context
        return Netiquette.from_doc(await netiquette.publish(
            store=ctx.store, actor=ctx.viewer, text=input.text, now=ctx.now()))

    @strawberry.mutation(description="Accept the current version (joining a group accepts it "
                         "too).")
    async def accept_netiquette(
        self, info: Info, input: AcceptNetiquetteInput
    ) -> AcceptNetiquettePayload:
        ctx = info.context
        return Netiquette.from_doc(await netiquette.accept(
            store=ctx.store, actor=ctx.viewer, version=input.version))
