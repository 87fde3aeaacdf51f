"""Metrics, request ids and logs, through the real ASGI app."""

import json
import logging

from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.logs import configure_logging, request_id
from tests.support import gql


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_operations_errors_and_events(client, tokens):
    headers = tokens.headers("olga")
    await gql(client, "{ me { name } }", headers=headers)
    await gql(client, "{ nope }", headers=headers)
    await gql(client, 'mutation { joinGroup(input: {groupId: "R3JvdXA6eA=="}) { __typename } }',
              headers=headers)
    response = await client.get("/metrics")
    assert response.status_code == 200
    found = samples(response.text)
    assert found["agora_graphql_operations_total", (("type", "query"),)] == 2
    assert found["agora_graphql_errors_total", (("type", "query"),)] == 1
    assert found["agora_graphql_operations_total", (("type", "mutation"),)] == 1
    assert found["agora_graphql_seconds_count", (("type", "query"),)] == 2
    assert ("agora_websockets_open", ()) in found
    assert ("agora_subscriptions_active", ()) in found
    assert ("agora_events_appended_total", ()) in found
    assert ("agora_event_lag_seconds_count", ()) in found


async def test_metrics_can_be_restricted_to_a_token(settings, store, clock):
    import httpx2

    from api.app import build_app
    from tests.support import LifespanApp

    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    async with LifespanApp(build_app(guarded, clock=clock)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            assert (await http.get("/metrics")).status_code == 401
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
            assert wrong.status_code == 401
            right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
            assert right.status_code == 200 and "agora_graphql" in right.text


async def test_every_response_carries_a_request_id(client):
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    echoed = await client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["x-request-id"] == "trace-42"
    forged = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"


async def test_log_lines_carry_the_request_id_and_never_tokens_or_bodies(client, tokens,
                                                                         capsys):
    configure_logging(json_lines=False)
    token = tokens("olga")
    body = "A very private post body"
    try:
        await client.post("/graphql", headers={"Authorization": f"Bearer {token}",
                                               "X-Request-ID": "req-7"},
                          json={"query": "{ nope(text: $x) }", "variables": {"x": body}})
    finally:
        logged = capsys.readouterr().err
        logging.getLogger().handlers.clear()
    lines = [line for line in logged.splitlines() if "] agora." in line]
    assert lines and all("[req-7]" in line for line in lines)
    assert token not in logged and body not in logged


def test_production_logs_are_json_lines(capsys):
    configure_logging(json_lines=True)
    token = request_id.set("req-9")
    try:
        logging.getLogger("agora.test").info("hello")
    finally:
        request_id.reset(token)
        logging.getLogger().handlers.clear()
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["request_id"] == "req-9"
    assert line["level"] == "INFO"
