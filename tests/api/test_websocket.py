"""`/graphql` over WebSocket, with both subprotocols, through the real ASGI app."""

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import build_app


@pytest.fixture
def app_client(settings):
    with TestClient(build_app(settings)) as client:
        yield client


def test_graphql_transport_ws_runs_an_operation_as_the_token_user(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init",
                      "payload": {"authorization": f"Bearer {tokens('olga')}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ me { name } }"}})
        assert ws.receive_json() == {
            "id": "1", "type": "next", "payload": {"data": {"me": {"name": "Olga"}}}
        }
        assert ws.receive_json() == {"id": "1", "type": "complete"}


def test_graphql_ws_acknowledges_a_connection(app_client, tokens):
    with app_client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws:
        ws.send_json({"type": "connection_init",
                      "payload": {"authorization": f"Bearer {tokens('olga')}"}})
        assert ws.receive_json()["type"] == "connection_ack"


def test_a_bad_token_is_refused_with_4403(app_client):
    with app_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


@pytest.mark.parametrize("roles", ["CSS", 7, [1], {"CSS": True}])
def test_a_malformed_claim_is_refused_like_any_bad_token(app_client, settings, roles):
    import jwt

    token = jwt.encode({"sub": "mallory", "exp": 4_000_000_000, "roles": roles},
                       settings.jwt_secret, algorithm=settings.jwt_algorithm)
    with app_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init",
                      "payload": {"authorization": f"Bearer {token}"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403
