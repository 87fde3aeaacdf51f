"""The baseline: a bare Strawberry app answering `{ __typename }`, served like Agora."""

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hello"


async def ready(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[
    Route("/graphql", GraphQL(strawberry.Schema(query=Query))),
    Route("/readyz", ready),  # how the benchmark knows it is up
])
