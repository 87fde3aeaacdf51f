"""The graphql-transport-ws protocol, message by message, with a raw client."""

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import build_app

PROTOCOL = ["graphql-transport-ws"]
SUBSCRIPTION = "subscription { moderationFeed { kind } }"


@pytest.fixture
def app_client(settings):
    limited = settings.model_copy(update={"max_subscriptions_per_connection": 2,
                                          "max_websockets_per_user": 2})
    with TestClient(build_app(limited)) as client:
        yield client


def closed_with(ws) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            ws.receive_json()
    return closed.value.code


def acknowledged(ws, token: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    assert ws.receive_json()["type"] == "connection_ack"


def test_a_malformed_message_closes_with_4400(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("olga"))
        ws.send_json({"type": "subscribe", "payload": {}})  # no id
        assert closed_with(ws) == 4400


def test_a_message_nested_too_deeply_closes_with_4400(app_client, tokens):
    deep = "[" * 20_000 + "]" * 20_000  # within the message size limit
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("olga"))
        ws.send_text('{"id": "1", "type": "subscribe", "payload": {"query": "'
                     + SUBSCRIPTION + '", "variables": {"v": ' + deep + "}}}")
        assert closed_with(ws) == 4400


def test_a_subscribe_before_the_ack_closes_with_4401(app_client):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        assert closed_with(ws) == 4401


def test_a_second_init_closes_with_4429(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("olga"))
        ws.send_json({"type": "connection_init", "payload": {}})
        assert closed_with(ws) == 4429


def test_a_duplicate_operation_id_closes_with_4409(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("carla", "CSS", country=None))
        for _ in range(2):
            ws.send_json({"id": "same", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        assert closed_with(ws) == 4409


def test_ping_gets_pong(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("olga"))
        ws.send_json({"type": "ping", "payload": {"hello": "there"}})
        assert ws.receive_json()["type"] == "pong"


def test_subscriptions_per_connection_are_limited(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        acknowledged(ws, tokens("carla", "CSS", country=None))
        for n in range(3):
            ws.send_json({"id": str(n), "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        refused = ws.receive_json()
        assert refused["type"] == "error" and refused["id"] == "2"
        assert "limit" in refused["payload"][0]["message"].lower()


def test_a_user_holds_a_bounded_number_of_connections(app_client, tokens):
    """Beyond two here, another connection of the same user closes with 4403; once one of
    them closes, there is room again. Other users are not affected."""
    def connect():
        return app_client.websocket_connect("/graphql", subprotocols=PROTOCOL)

    with connect() as first, connect() as second:
        acknowledged(first, tokens("olga"))
        acknowledged(second, tokens("olga"))
        with connect() as third:
            third.send_json({"type": "connection_init",
                             "payload": {"authorization": f"Bearer {tokens('olga')}"}})
            assert closed_with(third) == 4403
        with connect() as someone_else:
            acknowledged(someone_else, tokens("max"))
    with connect() as again:
        acknowledged(again, tokens("olga"))


def test_an_address_holds_a_bounded_number_of_signed_out_connections(app_client, tokens):
    """Signed-out connections count against their address, like a user's against them."""
    def connect():
        return app_client.websocket_connect("/graphql", subprotocols=PROTOCOL)

    def anonymous(ws) -> None:
        ws.send_json({"type": "connection_init", "payload": {}})

    with connect() as first, connect() as second:
        anonymous(first)
        assert first.receive_json()["type"] == "connection_ack"
        anonymous(second)
        assert second.receive_json()["type"] == "connection_ack"
        with connect() as third:
            anonymous(third)
            assert closed_with(third) == 4403
        with connect() as signed_in:
            acknowledged(signed_in, tokens("olga"))
    with connect() as again:
        anonymous(again)
        assert again.receive_json()["type"] == "connection_ack"
